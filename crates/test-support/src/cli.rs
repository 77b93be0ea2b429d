//! Running the `frontdesk` binary as an operator would, for the command-line suites.

use std::process::Command;

/// Runs `binary` (the test's `env!("CARGO_BIN_EXE_frontdesk")`, which only the server's
/// own tests can name) with `args` against the database at `db`, quietly logged. Returns
/// whether it succeeded, and what it printed on stdout and stderr.
pub fn run_frontdesk(binary: &str, db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(binary)
        .args(args)
        .env("DATABASE_URL", db)
        .env("FRONTDESK_LOG_LEVEL", "warn")
        .output()
        .expect("run frontdesk");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
