use anyhow::{Context, anyhow};
use clap::Parser;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, staff, tenants};
use frontdesk_server::cli::{
    ApiKeyCommand, Cli, Command, ConfigCommand, NluCommand, NluSplit, NoshowCommand, SafetyCommand,
    SecretsCommand, SettingsCommand, TenantCommand, UserCommand,
};
use frontdesk_server::{App, Config, app, config, demo, logging};
use tokio_util::sync::CancellationToken;

// glibc's allocator showed as a fifth of the webhook path's CPU under concurrent load
// (contended arenas, consolidation on free); mimalloc's thread-local heaps avoid both.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Config(ConfigCommand::Example) => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::Nlu(NluCommand::Eval { file, split, rules_only }) => {
            let file = file.unwrap_or_else(|| nlu_data_file(split.unwrap_or(NluSplit::Test).file_name()));
            nlu_eval(&file, rules_only)
        }
        Command::Nlu(NluCommand::Train { train, out }) => nlu_train(&train, &out),
        Command::Assistant(frontdesk_server::cli::AssistantCommand::Eval { file }) => {
            assistant_eval(&file.unwrap_or_else(|| "data/assistant/questions.tsv".into()))
        }
        Command::Safety(SafetyCommand::Eval { files }) => safety_eval(files),
        Command::Sentiment(frontdesk_server::cli::SentimentCommand::Eval { files }) => sentiment_eval(files),
        Command::Noshow(NoshowCommand::Eval { csv, split: _, cutoff }) => {
            let input = frontdesk_server::noshow_eval::open(&csv)?;
            let show_progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
            frontdesk_server::noshow_eval::run(input, cutoff, &mut std::io::stdout().lock(), show_progress)?;
            Ok(())
        }
        // On a runtime of its own with one thread: the simulation is one task awaiting one
        // query at a time, and on the multi-threaded runtime every answer from SQLite's
        // worker thread also woke an idle runtime worker.
        Command::Simulate(args) => std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(simulate(args))
        })
        .join()
        .map_err(|_| anyhow!("the simulation panicked"))?,
        Command::Secrets(SecretsCommand::GenerateKey) => {
            println!("{}", frontdesk_store::at_rest::generate_key());
            Ok(())
        }
        // Neither opens the store: a restore must not migrate the database it replaces.
        Command::Backup { out, force } => {
            let done = frontdesk_server::backup::backup(&config.database_url, &out, force).await?;
            println!(
                "backup written to {} ({} bytes, migration {})",
                done.path.display(),
                done.bytes,
                done.schema_version
            );
            Ok(())
        }
        Command::Restore { from, force } => {
            let done = frontdesk_server::backup::restore(&config.database_url, &from, force).await?;
            println!(
                "restored {} into {} (migration {}; newer migrations run when the server starts)",
                from.display(),
                done.path.display(),
                done.schema_version
            );
            Ok(())
        }
        Command::Serve(args) => {
            if let Some(bind) = args.bind {
                config.bind = bind;
            }
            let _log_guards = logging::init_background(&config, std::io::stderr());
            let app = App::from_config(config.clone()).await?;
            if args.demo {
                let access = demo::prepare(&app.ctx).await?;
                println!(
                    "Demo clinic ready.\nStaff app: {}/login as {} with password {}\nAPI key (shown once):\n{}",
                    config.public_url().trim_end_matches('/'),
                    access.owner_email,
                    access.owner_password,
                    access.api_key
                );
            }
            let listener = tokio::net::TcpListener::bind(&config.bind)
                .await
                .with_context(|| format!("cannot listen on {}", config.bind))?;
            tracing::info!(addr = %listener.local_addr()?, role = ?args.role, backend = app.ctx.store.backend_name(), "frontdesk listening");
            let shutdown = CancellationToken::new();
            let trigger = shutdown.clone();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                trigger.cancel();
            });
            app.serve(listener, args.role, shutdown).await
        }
        command => {
            let _log_guards = logging::init_background(&config, std::io::stderr());
            let public_url = config.public_url();
            let app = App::from_config(config).await?;
            let ctx = &app.ctx;
            match command {
                Command::Migrate => {
                    let v = ctx.store.schema_version().await?.unwrap_or(0);
                    println!("database is at migration {v}");
                }
                Command::Tenant(TenantCommand::Create { slug, name, timezone, locale }) => {
                    let new = NewTenant::parse(&slug, &name, &timezone, &locale)?;
                    let t = tenants::create_tenant(ctx, &new)
                        .await
                        .map_err(|e| anyhow!("cannot create tenant {slug}: {e}"))?;
                    // Its weekly no-show retraining, which a running worker picks up.
                    frontdesk_engine::scheduling::schedule_noshow_retrain(ctx, t.id, ctx.clock.now()).await?;
                    // And its scheduled reports.
                    frontdesk_engine::reports::schedule::schedule_reports(ctx, t.id, ctx.clock.now()).await?;
                    println!("created tenant {} ({}) id {}", t.slug, t.name, t.id);
                }
                Command::Tenant(TenantCommand::List) => {
                    for t in ctx.store.list_tenants().await? {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            t.slug,
                            t.id,
                            t.timezone.as_str(),
                            t.locale.as_str(),
                            t.name
                        );
                    }
                }
                Command::ApiKey(ApiKeyCommand::Create { tenant, name, scopes }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let scopes = parse_scopes(&scopes)?;
                    let (record, secret) = access::issue_scoped_api_key(ctx, t.id, &name, scopes).await?;
                    println!(
                        "API key {} ({}) for tenant {} (store it now; it is not shown again):",
                        record.prefix,
                        record.scopes.to_csv(),
                        t.slug
                    );
                    println!("{}", secret.expose());
                }
                Command::ApiKey(ApiKeyCommand::Revoke { tenant, key_prefix }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    ctx.store
                        .revoke_api_key(t.id, &key_prefix, ctx.clock.now())
                        .await
                        .map_err(|e| anyhow!("cannot revoke key {key_prefix} of {tenant}: {e}"))?;
                    println!("revoked key {key_prefix}");
                }
                Command::ApiKey(ApiKeyCommand::List { tenant }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    for k in ctx.store.list_api_keys(t.id).await? {
                        let state =
                            k.revoked_at.map(|at| format!("revoked {at}")).unwrap_or_else(|| "active".into());
                        println!(
                            "{}\t{}\t{}\t{}\tcreated {}",
                            k.prefix,
                            k.name,
                            k.scopes.to_csv(),
                            state,
                            k.created_at
                        );
                    }
                }
                Command::User(UserCommand::Add { tenant, email, name, role }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let new = frontdesk_domain::staff::NewUser {
                        tenant_id: t.id,
                        email: frontdesk_domain::contact::Email::parse(&email)
                            .map_err(|_| anyhow!("{email:?} is not an e-mail address"))?,
                        name,
                        role: frontdesk_domain::staff::Role::parse(&role)?,
                    };
                    // Nothing on standard input: the person chooses a password through a
                    // one-time link instead.
                    let password = read_line()?;
                    let user = staff::add_user(ctx, new, password.as_deref())
                        .await
                        .map_err(|e| anyhow!("user not added: {e}"))?;
                    println!("added {} ({}) to {}", user.email.as_str(), user.role.as_str(), t.slug);
                    if password.is_none() {
                        let token = staff::invite(ctx, &user).await?;
                        println!(
                            "invite link (valid 72 hours, once): {}/invite/{token}",
                            public_url.trim_end_matches('/')
                        );
                    }
                }
                Command::User(UserCommand::ResetPassword { tenant, email }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let user = ctx
                        .store
                        .user_by_email(&email)
                        .await?
                        .filter(|u| u.tenant_id == t.id)
                        .ok_or_else(|| anyhow!("no user {email:?} in {tenant}"))?;
                    let password = read_password()?;
                    staff::set_password(ctx, t.id, user.id, &password)
                        .await
                        .map_err(|e| anyhow!("password not changed: {e}"))?;
                    println!("password changed; every session of {} ended", user.email.as_str());
                }
                Command::User(UserCommand::List { tenant }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    for u in ctx.store.list_users(t.id).await? {
                        let state = match (u.is_active(), u.password_hash.is_some()) {
                            (false, _) => "disabled",
                            (true, false) => "invited",
                            (true, true) => "active",
                        };
                        println!("{}\t{}\t{}\t{}", u.email.as_str(), u.role.as_str(), state, u.name);
                    }
                }
                Command::Settings(SettingsCommand::Get { tenant }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let s = ctx.store.tenant_settings(t.id).await?.masked();
                    println!("{}", serde_json::to_string_pretty(&s)?);
                }
                Command::Settings(SettingsCommand::Set { tenant, patch }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let raw = if patch == "-" { std::io::read_to_string(std::io::stdin())? } else { patch };
                    let patch: serde_json::Value =
                        serde_json::from_str(&raw).context("the patch is not valid JSON")?;
                    let (s, _) = frontdesk_engine::settings::apply_patch(ctx, t.id, &patch, None)
                        .await
                        .map_err(|e| anyhow!("settings not changed: {e}"))?;
                    println!("{}", serde_json::to_string_pretty(&s.masked())?);
                }
                Command::Leads(frontdesk_server::cli::LeadsCommand::Import { file, tenant }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    import_leads(ctx, &t, &file).await?;
                }
                Command::Secrets(SecretsCommand::Status) => {
                    let c = ctx.store.check_secrets().await?;
                    println!("current key:  {}", c.current);
                    println!("old keys:     {}", c.old_key);
                    println!("plaintext:    {}", c.plaintext);
                    if c.old_key + c.plaintext > 0 {
                        println!("run `frontdesk secrets rotate` to encrypt them all under the current key");
                    }
                }
                Command::Secrets(SecretsCommand::Rotate) => rotate_secrets(ctx).await?,
                Command::Noshow(NoshowCommand::Train { tenant }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let show_progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
                    frontdesk_server::noshow_train::run(
                        ctx,
                        &t,
                        &mut std::io::stdout().lock(),
                        show_progress,
                    )
                    .await?;
                }
                Command::Mcp { tenant, allow_writes } => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let server = frontdesk_web::mcp::McpServer::for_tenant(ctx.clone(), t.id, allow_writes);
                    let running = rmcp::ServiceExt::serve(server, rmcp::transport::stdio())
                        .await
                        .map_err(|e| anyhow!("MCP session did not start: {e}"))?;
                    running.waiting().await.map_err(|e| anyhow!("MCP session failed: {e}"))?;
                }
                Command::Report(args) => {
                    let t = find_tenant(ctx, &args.tenant).await?;
                    let show_progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
                    let rows = frontdesk_server::report_file::run(ctx, &t, &args, show_progress).await?;
                    println!("{} rows written to {}", rows, args.out.display());
                }
                Command::Campaign(cmd) => {
                    let t = find_tenant(ctx, cmd.tenant()).await?;
                    frontdesk_server::campaign_cli::run(ctx, &t, cmd, &mut std::io::stdout().lock()).await?;
                }
                Command::Retention(frontdesk_server::cli::RetentionCommand::Run { tenant, dry_run }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let report =
                        frontdesk_engine::data_rights::run_retention(ctx, t.id, "cli", dry_run).await?;
                    println!("{}", serde_json::to_string_pretty(&report)?);
                }
                Command::Serve(_)
                | Command::Config(_)
                | Command::Nlu(_)
                | Command::Assistant(_)
                | Command::Noshow(NoshowCommand::Eval { .. })
                | Command::Safety(_)
                | Command::Sentiment(_)
                | Command::Secrets(SecretsCommand::GenerateKey)
                | Command::Backup { .. }
                | Command::Simulate(_)
                | Command::Restore { .. } => {
                    unreachable!("handled above")
                }
            }
            Ok(())
        }
    }
}

/// `frontdesk simulate`: on a throwaway SQLite file unless told otherwise. No log output:
/// the simulated patients' retried jobs would drown the figures.
async fn simulate(args: frontdesk_server::cli::SimulateArgs) -> anyhow::Result<()> {
    use frontdesk_server::simulate::{Options, simulate};
    let dir = tempfile::tempdir().context("creating a directory for the throwaway database")?;
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}/simulate.db?mode=rwc", dir.path().display()),
    };
    let store = frontdesk_server::backend::open_store(&url, 8).await?;
    let options = Options {
        days: args.days,
        leads_per_day: args.leads_per_day,
        seed: args.seed,
        start: args.start,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let report = simulate(store, &options).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        std::io::Write::write_all(&mut out, b"\n")?;
    } else {
        report.write_text(&mut out)?;
    }
    Ok(())
}

async fn find_tenant(
    ctx: &frontdesk_engine::Ctx,
    slug: &str,
) -> anyhow::Result<frontdesk_domain::tenant::Tenant> {
    ctx.store
        .tenant_by_slug(slug)
        .await?
        .ok_or_else(|| anyhow!("no tenant with slug {slug:?} (see `frontdesk tenant list`)"))
}

/// `frontdesk leads import`: reads the whole file first (so the bar knows its length and a
/// file that is not a lead list fails before any lead is created), then imports row by row.
async fn import_leads(
    ctx: &frontdesk_engine::Ctx,
    tenant: &frontdesk_domain::tenant::Tenant,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use frontdesk_engine::leads::{self, LeadFailure, LeadsCsv};
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let csv = LeadsCsv::read(file).map_err(|e| match e {
        LeadFailure::Invalid(why) => anyhow!("cannot import {}: {why}", path.display()),
        other => anyhow!(other),
    })?;
    let bar = indicatif::ProgressBar::new(csv.rows()).with_style(
        indicatif::ProgressStyle::with_template("{spinner} importing [{bar:30}] {pos}/{len} rows ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary =
        leads::import_leads(ctx, tenant.id, csv, &|done| bar.set_position(done)).await.with_context(
            || format!("import into {} stopped; rows before the failure were imported", tenant.slug),
        )?;
    bar.finish_and_clear();
    println!("{}: {} rows into tenant {}", path.display(), summary.rows, tenant.slug);
    println!("imported: {}", summary.imported);
    println!("merged:   {}", summary.merged);
    println!("skipped:  {}", summary.skipped.len());
    const LISTED: usize = 50;
    for row in summary.skipped.iter().take(LISTED) {
        println!("  line {}: {}", row.line, row.reason);
    }
    if summary.skipped.len() > LISTED {
        println!("  ... and {} more", summary.skipped.len() - LISTED);
    }
    if !summary.ignored_columns.is_empty() {
        println!("ignored columns: {}", summary.ignored_columns.join(", "));
    }
    Ok(())
}

fn parse_scopes(raw: &[String]) -> anyhow::Result<frontdesk_domain::api_key_scope::ScopeSet> {
    use frontdesk_domain::api_key_scope::{ApiKeyScope, ScopeSet};
    let scopes = raw.iter().map(|s| ApiKeyScope::parse(s)).collect::<Result<Vec<_>, _>>()?;
    Ok(ScopeSet::new(scopes).unwrap_or_default())
}

/// `frontdesk secrets rotate`: re-encrypts row by row with a progress bar, then counts
/// again so the output says what is left (nothing, unless rows were written meanwhile by
/// a process with an older configuration).
async fn rotate_secrets(ctx: &frontdesk_engine::Ctx) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} re-encrypting [{bar:30}] {pos}/{len} rows ({msg})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = ctx
        .store
        .reseal_secrets(&|p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
            bar.set_message(format!("{} rewritten", p.rewritten));
        })
        .await
        .context("rotation stopped; rows before the failure are re-encrypted, run it again")?;
    bar.finish_and_clear();
    println!("rows with secrets: {}", report.total);
    println!("re-encrypted:      {}", report.rewritten);
    let after = ctx.store.check_secrets().await?;
    println!("secrets now under the current key: {}", after.current);
    if after.old_key + after.plaintext > 0 {
        println!(
            "still under old keys or plaintext: {} (written meanwhile; run again)",
            after.old_key + after.plaintext
        );
    } else {
        println!("the old keys can now be removed from encryption_old_keys");
    }
    Ok(())
}

/// A corpus file: `data/nlu/NAME` under the working directory (a checkout), else the one
/// next to the sources this binary was built from.
fn nlu_data_file(name: &str) -> std::path::PathBuf {
    let local = std::path::Path::new("data/nlu").join(name);
    if local.exists() {
        return local;
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nlu").join(name)
}

/// `frontdesk nlu eval [FILE | --split S] [--rules-only]`: the evaluation table, then the
/// misclassified messages.
fn nlu_eval(file: &std::path::Path, rules_only: bool) -> anyhow::Result<()> {
    let content = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let lines =
        frontdesk_domain::nlu::parse_labelled(&content).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let evaluation = if rules_only {
        let today = jiff::civil::Date::constant(2026, 6, 3);
        frontdesk_domain::nlu::evaluate_on(lines.into_iter(), |text| {
            frontdesk_domain::nlu::understand_rules(text, &[], today).intent
        })
    } else {
        frontdesk_domain::nlu::evaluate(lines.into_iter())
    };
    println!("{} ({})", file.display(), if rules_only { "rules only" } else { "rules and model" });
    print!("{evaluation}");
    if !evaluation.errors.is_empty() {
        println!("misclassified ({}):", evaluation.errors.len());
        for e in evaluation.errors.iter().take(50) {
            println!("  {} -> {}  {}", e.expected, e.predicted, e.text);
        }
    }
    Ok(())
}

/// `frontdesk assistant eval [FILE]`: the share of questions read as their expected
/// query, overall and per language, then each miss.
fn assistant_eval(file: &std::path::Path) -> anyhow::Result<()> {
    use frontdesk_domain::assistant::eval::{accuracy, grade, parse};
    use frontdesk_domain::tenant::Locale;
    let content = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let set = parse(&content).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let graded = grade(&set);
    let right = graded.iter().filter(|g| g.correct()).count();
    println!("{} (as of {})", file.display(), set.today);
    println!("accuracy {:.3} ({right}/{})", accuracy(&graded), graded.len());
    for (locale, name) in [(Locale::PtBr, "pt-BR"), (Locale::En, "en")] {
        let of: Vec<_> = graded.iter().filter(|g| g.question.locale == locale).cloned().collect();
        let right = of.iter().filter(|g| g.correct()).count();
        println!("  {name:<6} {:.3} ({right}/{})", accuracy(&of), of.len());
    }
    let misses: Vec<_> = graded.iter().filter(|g| !g.correct()).collect();
    if !misses.is_empty() {
        println!("misread ({}):", misses.len());
        for g in misses {
            println!(
                "  {}\n    expected {}\n    got      {}",
                g.question.question, g.question.expected, g.got
            );
        }
    }
    Ok(())
}

/// `frontdesk safety eval [FILE...]`: recall per kind, the false-alarm rate, then the
/// misses and false alarms.
/// `frontdesk sentiment eval`: each labelled file's table and misses.
fn sentiment_eval(files: Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    use frontdesk_domain::nlu::sentiment_eval::{evaluate, parse_labelled};
    let files = if files.is_empty() {
        ["labelled", "holdout", "holdout2"].map(|f| format!("data/sentiment/{f}.tsv").into()).to_vec()
    } else {
        files
    };
    for (i, file) in files.iter().enumerate() {
        let content = std::fs::read_to_string(file).with_context(|| {
            format!("reading {} (run from the repository, or name the files)", file.display())
        })?;
        let lines = parse_labelled(&content).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        if lines.is_empty() {
            anyhow::bail!("{}: no labelled messages", file.display());
        }
        let e = evaluate(&lines);
        if i > 0 {
            println!();
        }
        println!("== {} ({} messages)\n{e}", file.display(), e.total);
        if !e.errors.is_empty() {
            println!("misses (labelled -> read as):");
            for (text, want, got) in &e.errors {
                println!("  {want} -> {got}  {text}");
            }
        }
    }
    Ok(())
}

fn safety_eval(files: Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    let files = if files.is_empty() {
        let mut found = Vec::new();
        for dir in ["data/safety", "data/nlu"] {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("reading {dir} (run from the repository, or name the files)"))?;
            let mut tsv: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
                // The intent model's weights, not messages.
                .filter(|p| !p.ends_with("model.tsv"))
                .collect();
            tsv.sort();
            found.extend(tsv);
        }
        found
    } else {
        files
    };
    let mut labelled = Vec::new();
    let mut others = Vec::new();
    for file in &files {
        let content = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        if content.trim_start_matches('\u{feff}').starts_with("text\tkind") {
            labelled.extend(
                frontdesk_domain::safety::parse_emergencies(&content)
                    .map_err(|e| anyhow!("{}: {e}", file.display()))?,
            );
        } else {
            let texts = frontdesk_domain::safety::texts_of(&content);
            if texts.is_empty() {
                anyhow::bail!("{}: no `text<TAB>...` header or no messages", file.display());
            }
            others.extend(texts);
        }
    }
    print!("{}", frontdesk_domain::safety::evaluate(&labelled, &others));
    Ok(())
}

/// `frontdesk nlu train`: the model file from the training files (train and dev by default).
fn nlu_train(files: &[std::path::PathBuf], out: &std::path::Path) -> anyhow::Result<()> {
    let mut lines = Vec::new();
    for file in files {
        let content = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        lines.extend(
            frontdesk_domain::nlu::parse_labelled(&content)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?,
        );
    }
    let model = frontdesk_domain::nlu::model::train(&lines);
    std::fs::write(out, &model).with_context(|| format!("writing {}", out.display()))?;
    println!("{} messages -> {} ({} bytes); rebuild to ship it", lines.len(), out.display(), model.len());
    Ok(())
}

/// One line of standard input, without its line ending; `None` when there is none.
fn read_line() -> anyhow::Result<Option<String>> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok(Some(password).filter(|p| !p.is_empty()))
}

/// One line of standard input, without its line ending: a password.
fn read_password() -> anyhow::Result<String> {
    let Some(password) = read_line()? else {
        anyhow::bail!(
            "no password on standard input (pipe one line, e.g. `printf '%s\\n' \"$PASSWORD\" | frontdesk user reset-password ...`)"
        );
    };
    Ok(password)
}
