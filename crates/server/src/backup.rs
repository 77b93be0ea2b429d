//! `frontdesk backup` and `frontdesk restore` for the embedded SQLite database.
//!
//! Backups use `VACUUM INTO`: a consistent snapshot taken inside one read transaction,
//! so it is safe while the server runs and writes (WAL readers do not block writers).
//! Restores refuse to overwrite a database unless told to, and only accept a file that
//! is a Frontdesk database this build can migrate. PostgreSQL is backed up with its own
//! tools (`pg_dump` / `pg_restore`, see docs/operations.md).

use anyhow::{Context, anyhow, bail, ensure};
use frontdesk_store_sqlite::SqliteStore;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// What a finished backup or restore reports.
#[derive(Debug)]
pub struct Snapshot {
    pub path: PathBuf,
    pub schema_version: i64,
    pub bytes: u64,
}

const POSTGRES_HINT: &str = "this command backs up SQLite databases; for PostgreSQL use \
    `pg_dump --format=custom --file=frontdesk.dump \"$DATABASE_URL\"` and \
    `pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" frontdesk.dump` \
    (see docs/operations.md)";

/// The database file a `sqlite://` URL names.
pub fn sqlite_path(database_url: &str) -> anyhow::Result<PathBuf> {
    if database_url.starts_with("postgres") {
        bail!("{POSTGRES_HINT}");
    }
    ensure!(database_url.starts_with("sqlite:"), "unsupported database URL: use sqlite://…");
    ensure!(
        !database_url.contains(":memory:") && !database_url.contains("mode=memory"),
        "an in-memory database has nothing to back up"
    );
    let options = SqliteConnectOptions::from_str(database_url).context("invalid database URL")?;
    Ok(options.get_filename().to_path_buf())
}

/// Writes a consistent copy of the database at `database_url` to `out` (a new file).
pub async fn backup(database_url: &str, out: &Path, force: bool) -> anyhow::Result<Snapshot> {
    let source = sqlite_path(database_url)?;
    ensure!(source.exists(), "no database at {}", source.display());
    if out.exists() {
        ensure!(force, "{} exists; pass --force to replace it", out.display());
        std::fs::remove_file(out).with_context(|| format!("removing {}", out.display()))?;
    }
    let mut db = open(&source, false).await?;
    let target = out.to_str().ok_or_else(|| anyhow!("the backup path must be valid UTF-8"))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut db)
        .await
        .with_context(|| format!("writing the backup to {}", out.display()))?;
    db.close().await.ok();
    let schema_version = check_frontdesk_database(out).await?;
    Ok(Snapshot { path: out.to_path_buf(), schema_version, bytes: std::fs::metadata(out)?.len() })
}

/// Replaces the database at `database_url` with the backup `from`. Stop the server first:
/// a running process keeps the old file open.
pub async fn restore(database_url: &str, from: &Path, force: bool) -> anyhow::Result<Snapshot> {
    let target = sqlite_path(database_url)?;
    ensure!(from.exists(), "no backup at {}", from.display());
    let schema_version = check_frontdesk_database(from).await?;
    if target.exists() {
        ensure!(force, "a database exists at {}; pass --force to replace it", target.display());
    }
    // Copy beside the target, then rename: a failed copy never leaves half a database.
    let partial = with_suffix(&target, ".restoring");
    std::fs::copy(from, &partial).with_context(|| format!("copying to {}", partial.display()))?;
    // The old database's write-ahead log would be replayed over the restored file.
    for stale in [with_suffix(&target, "-wal"), with_suffix(&target, "-shm")] {
        if stale.exists() {
            std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    std::fs::rename(&partial, &target).with_context(|| format!("replacing {}", target.display()))?;
    Ok(Snapshot { path: target.clone(), schema_version, bytes: std::fs::metadata(&target)?.len() })
}

/// The file's schema version when it is a sound Frontdesk database this build can open
/// (every migration it has applied is one this build knows); an error saying why not.
pub async fn check_frontdesk_database(path: &Path) -> anyhow::Result<i64> {
    let mut db =
        open(path, true).await.with_context(|| format!("{} is not a SQLite database", path.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut db)
        .await
        .with_context(|| format!("{} is not a SQLite database", path.display()))?;
    ensure!(integrity == "ok", "{} is damaged: {integrity}", path.display());
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'tenants', 'jobs')")
            .fetch_all(&mut db)
            .await?;
    ensure!(tables.len() == 3, "{} is not a Frontdesk database", path.display());
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut db)
            .await?;
    db.close().await.ok();
    let known = SqliteStore::known_migrations();
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        bail!(
            "{} was written by a newer Frontdesk (migration {unknown} is unknown to this build); \
             upgrade Frontdesk first",
            path.display()
        );
    }
    applied.last().copied().ok_or_else(|| anyhow!("{} has no applied migrations", path.display()))
}

async fn open(path: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await?)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
