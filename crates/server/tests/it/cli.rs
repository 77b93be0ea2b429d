//! The `frontdesk` binary's commands, run as a user would.

use std::process::Command;

fn frontdesk(db: &str, args: &[&str]) -> (bool, String, String) {
    frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), db, args)
}

#[test]
fn tenant_and_api_key_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let (ok, out, err) = frontdesk(
        &db,
        &[
            "tenant",
            "create",
            "--slug",
            "sorriso",
            "--name",
            "Clínica Sorriso",
            "--timezone",
            "America/Sao_Paulo",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("created tenant sorriso"));
    let (ok, _, err) = frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Again"]);
    assert!(!ok);
    assert!(err.contains("sorriso"), "{err}");
    let (ok, _, err) =
        frontdesk(&db, &["tenant", "create", "--slug", "x2", "--name", "Bad", "--timezone", "Mars/Base"]);
    assert!(!ok);
    assert!(err.contains("Mars/Base"), "{err}");

    let (ok, out, err) = frontdesk(&db, &["api-key", "create", "--tenant", "sorriso", "--name", "recepção"]);
    assert!(ok, "{err}");
    let key = out.lines().last().unwrap().trim().to_owned();
    assert!(key.starts_with("fdk_") && key.len() == 4 + 8 + 1 + 64, "{key}");
    let prefix = &key[4..12];
    let (_, list, _) = frontdesk(&db, &["api-key", "list", "--tenant", "sorriso"]);
    assert!(list.contains(prefix) && list.contains("active"));
    assert!(!list.contains(&key[13..]), "secrets are never listed");
    let (ok, _, err) = frontdesk(&db, &["api-key", "revoke", "--tenant", "sorriso", prefix]);
    assert!(ok, "{err}");
    let (_, list, _) = frontdesk(&db, &["api-key", "list", "--tenant", "sorriso"]);
    assert!(list.contains("revoked"));
    let (ok, _, err) = frontdesk(&db, &["api-key", "create", "--tenant", "nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
}

#[test]
fn config_example_and_help() {
    let (ok, out, _) = frontdesk("sqlite::memory:", &["config", "example"]);
    assert!(ok);
    assert!(out.contains("database_url = \"sqlite://frontdesk.db?mode=rwc\""));
    assert!(out.contains("rate_limit_api_per_minute = 100"));
    let (ok, out, _) = frontdesk("sqlite::memory:", &["serve", "--help"]);
    assert!(ok);
    assert!(out.contains("--demo") && out.contains("--role") && out.contains("--bind"));
}

#[test]
fn migrate_reports_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/m.db?mode=rwc", dir.path().display());
    let (ok, out, err) = frontdesk(&db, &["migrate"]);
    assert!(ok, "{err}");
    // The newest migration file's version.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../store-sqlite/migrations");
    let newest = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.split('_').next().map(str::to_owned))
        .max()
        .unwrap();
    assert!(out.contains(&newest), "{out} should name {newest}");
}

#[test]
fn settings_get_and_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/s.db?mode=rwc", dir.path().display());
    assert!(frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Sorriso"]).0);
    let patch = r#"{"messaging": {"whatsapp_provider": "twilio", "twilio": {"account_sid": "AC1", "auth_token": "tok-secret", "whatsapp_from": "+14155238886"}}}"#;
    let (ok, out, err) = frontdesk(&db, &["settings", "set", "--tenant", "sorriso", patch]);
    assert!(ok, "{err}");
    assert!(out.contains("\"whatsapp_provider\": \"twilio\"") && !out.contains("tok-secret"), "{out}");
    let (ok, out, _) = frontdesk(&db, &["settings", "get", "--tenant", "sorriso"]);
    assert!(ok && out.contains("AC1") && out.contains("********") && !out.contains("tok-secret"));
    let (ok, _, err) = frontdesk(
        &db,
        &["settings", "set", "--tenant", "sorriso", r#"{"booking": {"slot_granularity_minutes": 0}}"#],
    );
    assert!(!ok && err.contains("slot_granularity_minutes"), "{err}");
}

#[test]
fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/serve.db?mode=rwc", dir.path().display());
    // Port 0 is not printable before binding, so pick a free port first.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db)
        .env("FRONTDESK_LOG_LEVEL", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut healthy = false;
    while std::time::Instant::now() < deadline && !healthy {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            healthy = reply.starts_with("HTTP/1.1 200") && reply.contains("{\"status\":\"ok\"}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(healthy, "the server answered /health");
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit after SIGTERM: {status}");
    let mut logs = String::new();
    use std::io::Read;
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.contains("shut down"), "{logs}");
}

#[test]
fn nlu_eval_prints_accuracy_per_intent() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/nlu/dev.tsv");
    let (ok, out, err) = frontdesk("sqlite::memory:", &["nlu", "eval", corpus]);
    assert!(ok, "{err}");
    assert!(out.contains("accuracy:"), "{out}");
    assert!(out.contains("booking_request") && out.contains("confusion"), "{out}");
    // Without a file: the test split, with every intent's figures.
    let (ok, out, err) = frontdesk("sqlite::memory:", &["nlu", "eval"]);
    assert!(ok, "{err}");
    assert!(out.contains("test.tsv (rules and model)"), "{out}");
    assert!(out.contains("human_request") && out.contains("unclear") && out.contains("f1"), "{out}");
    let (ok, out, err) = frontdesk("sqlite::memory:", &["nlu", "eval", "--split", "dev", "--rules-only"]);
    assert!(ok, "{err}");
    assert!(out.contains("dev.tsv (rules only)"), "{out}");
    let (ok, _, _) = frontdesk("sqlite::memory:", &["nlu", "eval", "--split", "holdout"]);
    assert!(!ok, "an unknown split is refused");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "text\tintent\noi\tnot_an_intent\n").unwrap();
    let (ok, _, err) = frontdesk("sqlite::memory:", &["nlu", "eval", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("line 2"), "{err}");
    // Retraining writes the same model as the committed one.
    let model = dir.path().join("model.tsv");
    let train = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/nlu/train.tsv");
    let dev = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/nlu/dev.tsv");
    let (ok, out, err) = frontdesk(
        "sqlite::memory:",
        &["nlu", "train", "--train", train, dev, "--out", model.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(out.contains("messages"), "{out}");
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/nlu/model.tsv")).unwrap();
    assert!(std::fs::read(&model).unwrap() == committed, "nlu train reproduces data/nlu/model.tsv");
}

#[test]
fn safety_eval_prints_recall_per_kind_and_false_alarms() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let emergencies = format!("{data}/safety/emergencies.tsv");
    let near = format!("{data}/safety/near_misses.tsv");
    let corpus = format!("{data}/nlu/train.tsv");
    let (ok, out, err) = frontdesk("sqlite::memory:", &["safety", "eval", &emergencies, &near, &corpus]);
    assert!(ok, "{err}");
    assert!(out.contains("chest_pain") && out.contains("child_fever_lethargy"), "{out}");
    assert!(out.contains("recall: 1.000"), "{out}");
    assert!(out.contains("false alarms:"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "text\tkind\ndor no peito\theartburn\n").unwrap();
    let (ok, _, err) = frontdesk("sqlite::memory:", &["safety", "eval", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("line 2"), "{err}");
}

fn frontdesk_with_stdin(db: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("FRONTDESK_LOG_LEVEL", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run frontdesk");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn user_commands_read_passwords_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let (ok, _, err) =
        frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Clínica Sorriso"]);
    assert!(ok, "{err}");
    let add = [
        "user",
        "add",
        "--tenant",
        "sorriso",
        "--email",
        "Ana@Sorriso.com.br",
        "--name",
        "Ana Lima",
        "--role",
        "admin",
    ];
    let (ok, _, err) = frontdesk_with_stdin(&db, &add, "short\n");
    assert!(!ok && err.contains("at least 8"), "{err}");
    let (ok, out, err) = frontdesk_with_stdin(&db, &add, "a long passphrase\n");
    assert!(ok, "{err}");
    assert!(out.contains("admin"), "{out}");
    assert!(!out.contains("passphrase") && !err.contains("passphrase"), "the password is never echoed");
    let (ok, _, err) = frontdesk_with_stdin(&db, &add, "a long passphrase\n");
    assert!(!ok && err.contains("already"), "{err}");
    let bad_role =
        ["user", "add", "--tenant", "sorriso", "--email", "b@x.com", "--name", "B", "--role", "root"];
    let (ok, _, err) = frontdesk_with_stdin(&db, &bad_role, "a long passphrase\n");
    assert!(!ok && err.contains("root"), "{err}");
    let (ok, list, _) = frontdesk(&db, &["user", "list", "--tenant", "sorriso"]);
    assert!(ok && list.contains("Ana@sorriso.com.br\tadmin\tactive\tAna Lima"), "{list}");
    let reset = ["user", "reset-password", "--tenant", "sorriso", "--email", "ana@sorriso.com.br"];
    let (ok, out, err) = frontdesk_with_stdin(&db, &reset, "another long passphrase\n");
    assert!(ok && out.contains("ended"), "{out}{err}");
    let (ok, _, err) = frontdesk_with_stdin(&db, &reset, "");
    assert!(!ok && err.contains("standard input"), "{err}");
    let (ok, help, _) = frontdesk(&db, &["--help"]);
    assert!(ok && help.contains("user") && !help.contains("bench"), "{help}");
}

#[test]
fn user_add_with_empty_stdin_prints_a_one_time_invite_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let (ok, _, err) =
        frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Clínica Sorriso"]);
    assert!(ok, "{err}");
    let add = [
        "user",
        "add",
        "--tenant",
        "sorriso",
        "--email",
        "bia@sorriso.com.br",
        "--name",
        "Bia",
        "--role",
        "staff",
    ];
    let run = |stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .args(add)
            .env("DATABASE_URL", &db)
            .env("FRONTDESK_PUBLIC_URL", "https://clinica.example/")
            .env("FRONTDESK_LOG_LEVEL", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run("");
    assert!(ok, "{err}");
    let link = out.lines().find_map(|l| l.split_once("once): ").map(|(_, link)| link.trim().to_owned()));
    let link = link.unwrap_or_else(|| panic!("no invite link in {out:?}"));
    let token = link.strip_prefix("https://clinica.example/invite/").unwrap_or_else(|| panic!("{link}"));
    assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    // The person is listed, waiting for their invitation; they cannot sign in yet.
    let (_, list, _) = frontdesk(&db, &["user", "list", "--tenant", "sorriso"]);
    assert!(list.contains("bia@sorriso.com.br\tstaff\tinvited\tBia"), "{list}");
    // Only a hash of the token is stored.
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let raw = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()), "the token itself is not stored");
    }
    let (ok, _, err) = run("");
    assert!(!ok && err.contains("already"), "{err}");
}

/// A small clinic in the Vitória data set's columns: 800 appointments over 20 days, where
/// patients booked far ahead miss more often.
fn vitoria_like_csv() -> String {
    let mut csv = String::from(
        "PatientId,AppointmentID,Gender,ScheduledDay,AppointmentDay,Age,Neighbourhood,Scholarship,Hipertension,Diabetes,Alcoholism,Handcap,SMS_received,No-show\n",
    );
    let mut state: u64 = 42;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let first = jiff::civil::date(2016, 5, 2);
    for id in 0..800u64 {
        let day = first.checked_add(jiff::Span::new().days((id / 40) as i64)).unwrap();
        let lead = next(30);
        let booked = day.checked_sub(jiff::Span::new().days(lead as i64)).unwrap();
        let no_show = next(100) < 5 + lead * 2;
        csv.push_str(&format!(
            "{},{},F,{booked}T10:00:00Z,{day}T00:00:00Z,{},CENTRO,0,0,0,0,0,{},{}\n",
            1000 + next(300),
            5_000_000 + id,
            next(90),
            u8::from(lead > 2),
            if no_show { "Yes" } else { "No" }
        ));
    }
    csv
}

#[test]
fn noshow_eval_prints_auc_brier_and_calibration_and_refuses_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("appointments.csv");
    std::fs::write(&data, vitoria_like_csv()).unwrap();
    let path = data.to_str().unwrap();
    let (ok, out, err) = frontdesk(
        "sqlite::memory:",
        &["noshow", "eval", "--csv", path, "--split", "temporal", "--cutoff", "2016-05-18"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("rows 800: kept 800"), "{out}");
    assert!(out.contains("train 640 appointments, test 160"), "{out}");
    assert!(out.contains("AUC") && out.contains("Brier") && out.contains("<- chosen"), "{out}");
    assert!(out.contains("calibration of the chosen scorer"), "{out}");
    // The signal is there: the chosen scorer ranks better than chance.
    let chosen = out.lines().find(|l| l.ends_with("<- chosen")).unwrap();
    let auc = chosen.split_whitespace().find_map(|w| w.parse::<f64>().ok()).unwrap();
    assert!(auc > 0.6, "{chosen}");

    let missing = dir.path().join("missing.csv");
    std::fs::write(&missing, "PatientId,Age\n1,30\n").unwrap();
    let (ok, _, err) = frontdesk("sqlite::memory:", &["noshow", "eval", "--csv", missing.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("missing columns") && err.contains("AppointmentDay"), "{err}");
    let (ok, _, err) =
        frontdesk("sqlite::memory:", &["noshow", "eval", "--csv", "KaggleV2-May-2016.csv.zip"]);
    assert!(!ok);
    assert!(err.contains("unzip"), "{err}");
    let (ok, _, err) =
        frontdesk("sqlite::memory:", &["noshow", "eval", "--csv", path, "--cutoff", "2017-01-01"]);
    assert!(!ok);
    assert!(err.contains("no appointment on or after"), "{err}");
}

/// `frontdesk noshow train` on a clinic with months of finished appointments, and its
/// refusals: an unknown slug, a clinic with too little history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noshow_train_stores_a_model_and_prints_its_metrics_and_date() {
    use frontdesk_store::DynStore;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/train.db?mode=rwc", dir.path().display());
    for slug in ["sorriso", "nova"] {
        let (ok, _, err) = frontdesk(&db, &["tenant", "create", "--slug", slug, "--name", slug]);
        assert!(ok, "{err}");
    }
    let store: DynStore =
        std::sync::Arc::new(frontdesk_store_sqlite::SqliteStore::connect(&db).await.unwrap());
    let sorriso = store.tenant_by_slug("sorriso").await.unwrap().unwrap();
    let nova = store.tenant_by_slug("nova").await.unwrap().unwrap();
    let now = jiff::Timestamp::now();
    let seeded = frontdesk_test_support::seed_noshow_history(&store, sorriso.id, 90, 8, 60, now).await;
    frontdesk_test_support::seed_noshow_history(&store, nova.id, 10, 8, 20, now).await;

    let (ok, out, err) = frontdesk(&db, &["noshow", "train", "--tenant", "sorriso"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "trained on {} finished appointments ({} no-shows)",
            seeded.appointments, seeded.no_shows
        )),
        "{out}"
    );
    assert!(out.contains("AUC") && out.contains("PR-AUC") && out.contains("Brier"), "{out}");
    let figures = out.lines().skip_while(|l| !l.contains("PR-AUC")).nth(1).unwrap();
    let auc: f64 = figures.split_whitespace().next().unwrap().parse().unwrap();
    assert!(auc > 0.6, "{out}");
    let stored = store.latest_noshow_model(sorriso.id).await.unwrap().expect("stored");
    assert!(out.contains(&format!("trained at {}", stored.trained_at)), "{out}");
    assert!((stored.metrics.auc - auc).abs() < 1e-4);

    let (ok, _, err) = frontdesk(&db, &["noshow", "train", "--tenant", "nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = frontdesk(&db, &["noshow", "train", "--tenant", "nova"]);
    assert!(!ok, "{err}");
    assert!(err.contains("not enough history") && err.contains("80 finished appointments"), "{err}");
    assert!(err.contains("fallback"), "{err}");
    assert!(store.latest_noshow_model(nova.id).await.unwrap().is_none());
}

/// `frontdesk campaign`: a draft created from a JSON file, listed, previewed, started,
/// paused, resumed and stopped; a bad file, an unknown id and a transition not allowed are
/// refused with a message that says why.
#[test]
fn campaign_commands_drive_a_campaign_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    assert!(frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Sorriso"]).0);
    let file = dir.path().join("recall.json");
    std::fs::write(
        &file,
        r#"{"name": "Retorno de 6 meses", "kind": "recall", "segment": {"last_visit_before_days": 180},
            "steps": [{"channel": "whatsapp", "template": "booking_link"}]}"#,
    )
    .unwrap();
    let (ok, out, err) =
        frontdesk(&db, &["campaign", "create", "--tenant", "sorriso", "--file", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let id = out.split_whitespace().nth(1).unwrap().to_owned();
    assert!(out.starts_with("created "), "{out}");
    let (ok, out, _) = frontdesk(&db, &["campaign", "list", "--tenant", "sorriso"]);
    assert!(ok && out.contains(&id) && out.contains("draft") && out.contains("Retorno de 6 meses"), "{out}");
    let (ok, out, _) = frontdesk(&db, &["campaign", "show", "--tenant", "sorriso", &id]);
    assert!(ok && out.contains("status: draft") && out.contains("would reach now: 0"), "{out}");
    for (action, status) in
        [("start", "running"), ("pause", "paused"), ("resume", "running"), ("stop", "stopped")]
    {
        let (ok, out, err) = frontdesk(&db, &["campaign", action, "--tenant", "sorriso", &id]);
        assert!(ok, "{action}: {err}");
        assert_eq!(out.trim(), format!("{id} is {status}"));
    }
    let (ok, _, err) = frontdesk(&db, &["campaign", "start", "--tenant", "sorriso", &id]);
    assert!(!ok && err.contains("stopped"), "{err}");
    let (ok, _, err) =
        frontdesk(&db, &["campaign", "show", "--tenant", "sorriso", "0190aaaa-0000-7000-8000-000000000000"]);
    assert!(!ok && err.contains("not found"), "{err}");
    std::fs::write(&file, r#"{"name": "", "kind": "recall", "segment": {}, "steps": []}"#).unwrap();
    let (ok, _, err) =
        frontdesk(&db, &["campaign", "create", "--tenant", "sorriso", "--file", file.to_str().unwrap()]);
    assert!(!ok && err.contains("name"), "{err}");
    std::fs::write(&file, "{").unwrap();
    let (ok, _, err) =
        frontdesk(&db, &["campaign", "create", "--tenant", "sorriso", "--file", file.to_str().unwrap()]);
    assert!(!ok && err.contains("not a campaign"), "{err}");
    let (ok, _, err) = frontdesk(&db, &["campaign", "list", "--tenant", "nobody"]);
    assert!(!ok && err.contains("no tenant"), "{err}");
}
