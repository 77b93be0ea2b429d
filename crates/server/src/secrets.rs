//! Where the encryption key for secrets at rest comes from, and the startup check that it
//! opens what is stored.
//!
//! Order: `encryption_key` (FRONTDESK_ENCRYPTION_KEY), else `encryption_key_file`, else for
//! a SQLite file a key file beside the database (`<database>.key`), generated with mode
//! 0600 on first start, else for an in-memory SQLite database a key that lives as long as
//! the process (so does the data). PostgreSQL without a key is refused: several processes,
//! often on several machines, share its database, and a key each generated for itself
//! would split the secrets between them.

use crate::config::Config;
use anyhow::{Context, bail};
use frontdesk_store::DynStore;
use frontdesk_store::at_rest::{self, KEY_BYTES, KeyRing};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// Where the current key came from, for the startup log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    /// Generated just now beside the SQLite database.
    Generated(PathBuf),
    /// An in-memory database: a key for this process only.
    Ephemeral,
}

/// The key ring the configuration describes.
pub fn key_ring(config: &Config) -> anyhow::Result<(KeyRing, KeySource)> {
    let (current, source) = current_key(config)?;
    let mut old = Vec::new();
    if let Some(list) = &config.encryption_old_keys {
        for (i, raw) in list.expose_secret().split(',').filter(|k| !k.trim().is_empty()).enumerate() {
            old.push(at_rest::parse_key(raw).with_context(|| format!("encryption_old_keys, key {}", i + 1))?);
        }
    }
    Ok((KeyRing::new(current, &old), source))
}

fn current_key(config: &Config) -> anyhow::Result<([u8; KEY_BYTES], KeySource)> {
    if let Some(key) = &config.encryption_key {
        let key =
            at_rest::parse_key(key.expose_secret()).context("encryption_key (FRONTDESK_ENCRYPTION_KEY)")?;
        return Ok((key, KeySource::Environment));
    }
    if let Some(path) = &config.encryption_key_file {
        if !path.exists() {
            bail!(
                "encryption_key_file {} does not exist; create it with `frontdesk secrets generate-key > {}` (mode 0600)",
                path.display(),
                path.display()
            );
        }
        return Ok((read_key_file(path)?, KeySource::File(path.clone())));
    }
    match sqlite_file(&config.database_url) {
        Some(Some(db)) => {
            let path = PathBuf::from(format!("{}.key", db.display()));
            if path.exists() {
                Ok((read_key_file(&path)?, KeySource::File(path)))
            } else {
                write_key_file(&path)?;
                Ok((read_key_file(&path)?, KeySource::Generated(path)))
            }
        }
        Some(None) => Ok((rand::random(), KeySource::Ephemeral)),
        None => bail!(
            "no encryption key: PostgreSQL needs FRONTDESK_ENCRYPTION_KEY or encryption_key_file (the same key for every process); create one with `frontdesk secrets generate-key`"
        ),
    }
}

/// The secret rate-limit keys are hashed with, derived from the configured encryption key
/// (which every process on a PostgreSQL database must share), so all processes count a
/// caller under the same key and the database never holds an address or a key prefix.
/// `None` when no key is configured (nothing is generated here).
pub fn rate_limit_hash_key(config: &Config) -> Option<[u8; 32]> {
    derived_key(config, "frontdesk-rate-limit-keys:")
}

/// The secret patients' links are signed with: the configured `link_secret`, else one
/// derived from the encryption key (so links keep working across restarts and processes
/// without another secret to manage), else none (an in-memory database without a key).
pub fn link_secret(config: &Config) -> Option<SecretString> {
    config
        .link_secret
        .clone()
        .or_else(|| derived_key(config, "frontdesk-link-keys:").map(|k| SecretString::from(hex::encode(k))))
}

/// A key for one use, derived from the encryption key, when one is configured or sits
/// beside a SQLite file.
fn derived_key(config: &Config, purpose: &str) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    let key = match (&config.encryption_key, &config.encryption_key_file) {
        (Some(key), _) => at_rest::parse_key(key.expose_secret()).ok()?,
        (None, Some(path)) => read_key_file(path).ok()?,
        (None, None) => {
            let db = sqlite_file(&config.database_url)??;
            read_key_file(Path::new(&format!("{}.key", db.display()))).ok()?
        }
    };
    Some(Sha256::digest([purpose.as_bytes(), &key].concat()).into())
}

/// `Some(Some(path))` for a SQLite file, `Some(None)` for an in-memory SQLite database,
/// `None` for anything else.
fn sqlite_file(url: &str) -> Option<Option<PathBuf>> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let memory = path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory");
    Some((!memory).then(|| PathBuf::from(path)))
}

fn read_key_file(path: &Path) -> anyhow::Result<[u8; KEY_BYTES]> {
    let raw =
        std::fs::read_to_string(path).with_context(|| format!("reading the key file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "the encryption key file is readable by other users; chmod 600 it");
        }
    }
    at_rest::parse_key(&raw).with_context(|| format!("the key file {}", path.display()))
}

/// Creates a key file readable by its owner only; never overwrites one.
pub fn write_key_file(path: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("creating the key file {}", path.display()))?;
    writeln!(file, "{}", at_rest::generate_key())?;
    file.sync_all()?;
    Ok(())
}

/// Refuses to go on when a stored secret does not open with the configured keys (a wrong
/// or missing key would otherwise show up later as failed provider calls); logs what it
/// found otherwise.
pub async fn check_at_startup(store: &DynStore, source: &KeySource, current_id: &str) -> anyhow::Result<()> {
    let census = store.check_secrets().await.context("reading the stored secrets")?;
    if let Some(why) = census.unreadable {
        bail!(
            "the configured encryption key does not open the stored secrets: {why}. \
             Configure the key they were encrypted with (as encryption_key, or in encryption_old_keys while rotating)"
        );
    }
    match source {
        KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "generated an encryption key for secrets at rest beside the database; back it up with the database, or set FRONTDESK_ENCRYPTION_KEY"
        ),
        KeySource::Ephemeral => {
            tracing::warn!("in-memory database: secrets are encrypted with a key that ends with this process")
        }
        KeySource::Environment | KeySource::File(_) => {}
    }
    tracing::info!(
        key_id = current_id,
        current = census.current,
        old_key = census.old_key,
        plaintext = census.plaintext,
        "secrets at rest checked"
    );
    if census.old_key + census.plaintext > 0 {
        tracing::warn!(
            old_key = census.old_key,
            plaintext = census.plaintext,
            "some secrets are not encrypted with the current key yet; run `frontdesk secrets rotate`"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_file("sqlite://frontdesk.db?mode=rwc"), Some(Some("frontdesk.db".into())));
        assert_eq!(sqlite_file("sqlite:///var/lib/f.db"), Some(Some("/var/lib/f.db".into())));
        assert_eq!(sqlite_file("sqlite::memory:"), Some(None));
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory&cache=shared"), Some(None));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn rate_limit_keys_follow_the_encryption_key_and_generate_nothing() {
        let with = |key: &str| Config {
            database_url: "postgres://u@h/db".into(),
            encryption_key: Some(key.into()),
            ..Config::default()
        };
        let (a, b) = (at_rest::generate_key(), at_rest::generate_key());
        let hash = rate_limit_hash_key(&with(&a)).unwrap();
        assert_eq!(Some(hash), rate_limit_hash_key(&with(&a)), "every process with the key agrees");
        assert_ne!(Some(hash), rate_limit_hash_key(&with(&b)));
        assert_ne!(
            hash.as_slice(),
            at_rest::parse_key(&a).unwrap().as_slice(),
            "derived, not the key itself"
        );
        // A SQLite file whose key was never generated: none, and no file is created.
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("clinic.db");
        let config = Config { database_url: format!("sqlite://{}", db.display()), ..Config::default() };
        assert_eq!(rate_limit_hash_key(&config), None);
        assert!(!dir.path().join("clinic.db.key").exists());
    }

    #[test]
    fn key_file_is_generated_once_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("clinic.db");
        let config =
            Config { database_url: format!("sqlite://{}?mode=rwc", db.display()), ..Config::default() };
        let (first, source) = key_ring(&config).unwrap();
        let path = dir.path().join("clinic.db.key");
        assert_eq!(source, KeySource::Generated(path.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (again, source) = key_ring(&config).unwrap();
        assert_eq!(source, KeySource::File(path));
        assert_eq!(first.current_id(), again.current_id());
    }

    #[test]
    fn postgres_needs_a_key_and_bad_keys_are_named() {
        let pg = Config { database_url: "postgres://u@h/db".into(), ..Config::default() };
        let err = key_ring(&pg).unwrap_err().to_string();
        assert!(err.contains("FRONTDESK_ENCRYPTION_KEY"), "{err}");
        let bad = Config { encryption_key: Some("short".into()), ..pg.clone() };
        assert!(format!("{:#}", key_ring(&bad).unwrap_err()).contains("32 bytes"));
        let key = at_rest::generate_key();
        let old = at_rest::generate_key();
        let good = Config {
            encryption_key: Some(key.clone().into()),
            encryption_old_keys: Some(format!("{old}, ").into()),
            ..pg
        };
        let (ring, source) = key_ring(&good).unwrap();
        assert_eq!(source, KeySource::Environment);
        assert_eq!(ring.current_id().unwrap(), at_rest::key_id(&at_rest::parse_key(&key).unwrap()));
    }
}
