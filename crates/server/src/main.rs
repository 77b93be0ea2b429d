use anyhow::{Context, anyhow};
use clap::Parser;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, tenants};
use frontdesk_server::cli::{
    ApiKeyCommand, BenchCommand, Cli, Command, ConfigCommand, SettingsCommand, TenantCommand,
};
use frontdesk_server::{App, Config, app, bench, config, demo, logging};
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
        Command::Bench(BenchCommand::Jobs(args)) => bench::jobs(args).await,
        Command::Bench(BenchCommand::Search(args)) => bench::search(args).await,
        Command::Bench(BenchCommand::Webhooks(args)) => bench::webhooks(args).await,
        Command::Bench(BenchCommand::Voice(args)) => bench::voice(args).await,
        Command::Serve(args) => {
            if let Some(bind) = args.bind {
                config.bind = bind;
            }
            logging::init(&config, std::io::stderr);
            let app = App::from_config(config.clone()).await?;
            if args.demo {
                let key = demo::prepare(&app.ctx).await?;
                println!("Demo clinic ready. API key (shown once):\n{key}");
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
            logging::init(&config, std::io::stderr);
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
                Command::ApiKey(ApiKeyCommand::Create { tenant, name }) => {
                    let t = find_tenant(ctx, &tenant).await?;
                    let (record, secret) = access::issue_api_key(ctx, t.id, &name).await?;
                    println!(
                        "API key {} for tenant {} (store it now; it is not shown again):",
                        record.prefix, t.slug
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
                        println!("{}\t{}\t{}\tcreated {}", k.prefix, k.name, state, k.created_at);
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
                    let s = frontdesk_engine::settings::apply_patch(ctx, t.id, &patch)
                        .await
                        .map_err(|e| anyhow!("settings not changed: {e}"))?;
                    println!("{}", serde_json::to_string_pretty(&s.masked())?);
                }
                Command::Serve(_) | Command::Config(_) | Command::Bench(_) => unreachable!("handled above"),
            }
            Ok(())
        }
    }
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
