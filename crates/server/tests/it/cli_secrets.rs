//! `frontdesk secrets ...` and `api-key create --scope`, run as an operator would: the
//! generated key file of a SQLite database, a wrong key refused at startup, and a rotation
//! with its progress output.

use std::process::Command;

fn frontdesk(db: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
    cmd.args(args).env("DATABASE_URL", db).env("FRONTDESK_LOG_LEVEL", "warn");
    for var in ["FRONTDESK_ENCRYPTION_KEY", "FRONTDESK_ENCRYPTION_KEY_FILE", "FRONTDESK_ENCRYPTION_OLD_KEYS"]
    {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run frontdesk");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn new_key() -> String {
    let (ok, out, err) = frontdesk("sqlite::memory:", &[], &["secrets", "generate-key"]);
    assert!(ok, "{err}");
    let key = out.trim().to_owned();
    assert_eq!(key.len(), 44, "{key}");
    key
}

const PATCH: &str =
    r#"{"scheduling":{"ninsaude":{"account":"clinica","username":"bot","password":"cli-pass-5be2"}}}"#;

#[test]
fn sqlite_gets_a_key_file_and_rotation_reencrypts() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    // No key configured: one is generated beside the database, owner-only, and reused.
    let create =
        ["tenant", "create", "--slug", "sorriso", "--name", "Sorriso", "--timezone", "America/Sao_Paulo"];
    let (ok, _, err) = frontdesk(&db, &[], &create);
    assert!(ok, "{err}");
    let key_file = dir.path().join("cli.db.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (ok, _, err) = frontdesk(&db, &[], &["settings", "set", "--tenant", "sorriso", PATCH]);
    assert!(ok, "{err}");
    // Neither in the database file nor in its write-ahead log.
    for file in ["cli.db", "cli.db-wal"] {
        let raw = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&raw).contains("cli-pass-5be2"), "the password is not in {file}");
    }
    let first = std::fs::read_to_string(&key_file).unwrap().trim().to_owned();

    // Another key, without the generated one: refused, naming what is missing.
    let other = new_key();
    let (ok, _, err) = frontdesk(&db, &[("FRONTDESK_ENCRYPTION_KEY", &other)], &["tenant", "list"]);
    assert!(!ok);
    assert!(err.contains("does not open the stored secrets") && err.contains("not configured"), "{err}");

    // Rotation: the new key current, the generated one old.
    let env =
        [("FRONTDESK_ENCRYPTION_KEY", other.as_str()), ("FRONTDESK_ENCRYPTION_OLD_KEYS", first.as_str())];
    let (ok, out, err) = frontdesk(&db, &env, &["secrets", "status"]);
    assert!(ok, "{err}");
    assert!(out.contains("old keys:     1"), "{out}");
    let (ok, out, err) = frontdesk(&db, &env, &["secrets", "rotate"]);
    assert!(ok, "{err}");
    assert!(out.contains("re-encrypted:      1") && out.contains("old keys can now be removed"), "{out}");
    // The old key can go.
    let (ok, out, err) =
        frontdesk(&db, &[("FRONTDESK_ENCRYPTION_KEY", &other)], &["settings", "get", "--tenant", "sorriso"]);
    assert!(ok, "{err}");
    assert!(out.contains("clinica") && !out.contains("cli-pass-5be2"), "{out}");
}

#[test]
fn api_keys_are_created_with_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let (ok, _, err) = frontdesk(&db, &[], &["tenant", "create", "--slug", "sorriso", "--name", "Sorriso"]);
    assert!(ok, "{err}");
    let args = ["api-key", "create", "--tenant", "sorriso", "--name", "bi", "--scope", "read-only"];
    let (ok, out, err) = frontdesk(&db, &[], &args);
    assert!(ok, "{err}");
    assert!(out.contains("(read_only)"), "{out}");
    let args = ["api-key", "create", "--tenant", "sorriso", "--name", "x", "--scope", "admin"];
    let (ok, _, err) = frontdesk(&db, &[], &args);
    assert!(!ok && err.contains("admin"), "{err}");
    let (_, list, _) = frontdesk(&db, &[], &["api-key", "list", "--tenant", "sorriso"]);
    assert!(list.contains("bi\tread_only\tactive"), "{list}");
}
