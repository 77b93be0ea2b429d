//! Secrets at rest: provider credentials and TOTP seeds never reach the database in
//! plaintext; a wrong key is a clear startup error; rotation re-encrypts everything and a
//! second factor enrolled before it still verifies after it. Both backends.

use frontdesk_domain::staff::{NewUser, Role, totp};
use frontdesk_domain::tenant::NewTenant;
use frontdesk_domain::{Clock, ManualClock, TenantId};
use frontdesk_engine::{Ctx, staff};
use frontdesk_server::secrets::{KeySource, check_at_startup};
use frontdesk_store::DynStore;
use frontdesk_store::at_rest::{KeyRing, key_id};
use frontdesk_store_postgres::PgStore;
use frontdesk_store_sqlite::SqliteStore;
use frontdesk_test_support::{Backend, TestApp, backend_tests, start_time};
use std::sync::{Arc, Mutex};

const NINSAUDE_PASSWORD: &str = "ninsaude-pass-7d41";
const TWILIO_TOKEN: &str = "twilio-token-0c9e";

backend_tests!(secrets_never_reach_the_database_in_plaintext);
backend_tests!(raw: wrong_key_is_refused_and_rotation_reencrypts_everything);

fn settings_with_secrets() -> frontdesk_domain::settings::TenantSettings {
    serde_json::from_value(serde_json::json!({
        "scheduling": {"ninsaude": {"account": "clinica", "username": "bot", "password": NINSAUDE_PASSWORD}},
        "messaging": {"twilio": {"account_sid": "AC123", "auth_token": TWILIO_TOKEN, "sms_from": "+5511999990000"}}
    }))
    .unwrap()
}

/// Text columns read straight from the database, bypassing the store.
async fn raw(backend: Backend, url: &str, sql: &'static str) -> Vec<String> {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
    }
}

const SETTINGS_BODIES: &str = "SELECT CAST(body AS TEXT) FROM tenant_settings ORDER BY tenant_id";
const SEEDS: &str = "SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL";

async fn secrets_never_reach_the_database_in_plaintext(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    app.ctx.store.save_tenant_settings(tenant.id, &settings_with_secrets()).await.unwrap();
    let new = NewUser {
        tenant_id: tenant.id,
        email: frontdesk_domain::contact::Email::parse("dona@clinica.com").unwrap(),
        name: "Dona".into(),
        role: Role::Owner,
    };
    let owner = staff::add_user(&app.ctx, new, Some("correct horse battery staple")).await.unwrap();
    let enrolled = staff::start_totp(&app.ctx, &owner).await.unwrap();
    let seed = enrolled.totp.secret.clone().unwrap();

    let bodies = raw(app.backend, app.db_url(), SETTINGS_BODIES).await.join("\n");
    assert!(!bodies.contains(NINSAUDE_PASSWORD) && !bodies.contains(TWILIO_TOKEN), "{bodies}");
    assert!(bodies.contains("enc:v1:") && bodies.contains("clinica"), "{bodies}");
    let seeds = raw(app.backend, app.db_url(), SEEDS).await;
    assert_eq!(seeds.len(), 1);
    assert!(seeds[0].starts_with("enc:v1:") && !seeds[0].contains(&seed), "{seeds:?}");

    // The application reads them back as they were written, and still masks them.
    let read = app.ctx.store.tenant_settings(tenant.id).await.unwrap();
    assert_eq!(read, settings_with_secrets());
    let user = app.ctx.store.get_user(tenant.id, owner.id).await.unwrap().unwrap();
    assert_eq!(user.totp.secret.as_deref(), Some(seed.as_str()));
    let shown = app.get("/api/v1/settings", &key).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    let text = shown.text().await.unwrap();
    assert!(!text.contains(NINSAUDE_PASSWORD) && !text.contains(TWILIO_TOKEN));
    // The enrolment code from the person's app works through the encrypted seed.
    let code = totp::code_at(&totp::base32_decode(&seed).unwrap(), app.clock.now());
    staff::enable_totp(&app.ctx, &user, &code).await.unwrap();
}

/// A fresh migrated database: its URL (and the directory holding it, for SQLite).
async fn database(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}/keys.db?mode=rwc", dir.path().display()), Some(dir))
        }
        Backend::Postgres => {
            let url = std::env::var("FRONTDESK_TEST_POSTGRES_URL").unwrap();
            let (store, schema) = PgStore::connect_isolated(&url, 2).await.unwrap();
            store.migrate().await.unwrap();
            store.close().await;
            let sep = if url.contains('?') { '&' } else { '?' };
            (format!("{url}{sep}options=-c%20search_path%3D{schema}"), None)
        }
    }
}

/// A store on that database sealing with `ring`, as a process configured with it.
async fn open(backend: Backend, url: &str, ring: KeyRing) -> DynStore {
    match backend {
        Backend::Sqlite => {
            let store = SqliteStore::connect(url).await.unwrap().with_key_ring(Arc::new(ring));
            store.migrate().await.unwrap();
            Arc::new(store)
        }
        Backend::Postgres => {
            let store = PgStore::connect(url, 4).await.unwrap().with_key_ring(Arc::new(ring));
            store.migrate().await.unwrap();
            Arc::new(store)
        }
    }
}

async fn tenant(store: &DynStore, slug: &str) -> TenantId {
    let new = NewTenant::parse(slug, "Clínica", "America/Sao_Paulo", "pt-BR").unwrap();
    store.create_tenant(&new, start_time()).await.unwrap().id
}

const K1: [u8; 32] = [1; 32];
const K2: [u8; 32] = [2; 32];

async fn wrong_key_is_refused_and_rotation_reencrypts_everything(backend: Backend) {
    let (url, _dir) = database(backend).await;
    // Before encryption existed: a plaintext row, read fine and counted as such.
    let legacy = open(backend, &url, KeyRing::plaintext()).await;
    let old_clinic = tenant(&legacy, "legado").await;
    legacy.save_tenant_settings(old_clinic, &settings_with_secrets()).await.unwrap();
    // Then under key 1: settings and an owner's TOTP seed.
    let first = open(backend, &url, KeyRing::new(K1, &[])).await;
    let clinic = tenant(&first, "alpha").await;
    first.save_tenant_settings(clinic, &settings_with_secrets()).await.unwrap();
    let new = NewUser {
        tenant_id: clinic,
        email: frontdesk_domain::contact::Email::parse("dona@clinica.com").unwrap(),
        name: "Dona".into(),
        role: Role::Owner,
    };
    let mut owner = new.into_user(start_time()).unwrap();
    first.create_user(&owner).await.unwrap();
    let seed_bytes = [9u8; totp::SECRET_BYTES];
    owner.totp.secret = Some(totp::base32_encode(&seed_bytes));
    owner.totp.enabled_at = Some(start_time());
    first.save_user(&owner).await.unwrap();
    assert_eq!(first.tenant_settings(old_clinic).await.unwrap(), settings_with_secrets());

    // A process started with another key: refused at startup, naming the missing key;
    // reading the settings fails instead of returning garbage.
    let wrong = open(backend, &url, KeyRing::new([3; 32], &[])).await;
    let err = check_at_startup(&wrong, &KeySource::Environment, &key_id(&[3; 32])).await.unwrap_err();
    let err = format!("{err:#}");
    assert!(err.contains(&key_id(&K1)) && err.contains("encryption key"), "{err}");
    assert!(wrong.tenant_settings(clinic).await.is_err());
    assert!(wrong.get_user(clinic, owner.id).await.is_err());

    // Rotation: key 2 current, key 1 kept for reading.
    let rotating = open(backend, &url, KeyRing::new(K2, &[K1])).await;
    check_at_startup(&rotating, &KeySource::Environment, &key_id(&K2)).await.unwrap();
    let before = rotating.check_secrets().await.unwrap();
    assert_eq!((before.current, before.old_key, before.plaintext), (0, 3, 2), "{before:?}");
    let seen = Mutex::new(Vec::new());
    let report = rotating.reseal_secrets(&|p| seen.lock().unwrap().push(p.done)).await.unwrap();
    assert_eq!((report.done, report.total, report.rewritten), (3, 3, 3));
    assert_eq!(*seen.lock().unwrap(), vec![1, 2, 3], "progress after each row");
    let after = rotating.check_secrets().await.unwrap();
    assert_eq!((after.current, after.old_key, after.plaintext), (5, 0, 0), "{after:?}");
    let again = rotating.reseal_secrets(&|_| {}).await.unwrap();
    assert_eq!(again.rewritten, 0, "a second run has nothing left to do");
    // Versions untouched: clients' ETags stay valid.
    assert_eq!(rotating.tenant_settings_versioned(clinic).await.unwrap().version, 1);

    let stored =
        raw(backend, &url, SETTINGS_BODIES).await.join("\n") + &raw(backend, &url, SEEDS).await.join("\n");
    assert!(stored.contains(&format!("enc:v1:{}:", key_id(&K2))));
    assert!(!stored.contains(&format!("enc:v1:{}:", key_id(&K1))), "nothing left under the old key");
    assert!(!stored.contains(NINSAUDE_PASSWORD) && !stored.contains(TWILIO_TOKEN));

    // The old key can go: a process with key 2 alone reads everything, and the second
    // factor enrolled under key 1 still verifies.
    let after_rotation = open(backend, &url, KeyRing::new(K2, &[])).await;
    check_at_startup(&after_rotation, &KeySource::Environment, &key_id(&K2)).await.unwrap();
    assert_eq!(after_rotation.tenant_settings(clinic).await.unwrap(), settings_with_secrets());
    assert_eq!(after_rotation.tenant_settings(old_clinic).await.unwrap(), settings_with_secrets());
    let clock = ManualClock::new(start_time());
    let ctx = Ctx::new(after_rotation.clone(), Arc::new(clock.clone()));
    let user = after_rotation.get_user(clinic, owner.id).await.unwrap().unwrap();
    assert_eq!(user.totp.secret, owner.totp.secret);
    let session = frontdesk_domain::staff::SessionRecord {
        id: frontdesk_domain::SessionId::new(),
        tenant_id: clinic,
        user_id: owner.id,
        token_hash: "h".repeat(64),
        csrf_token: "c".repeat(32),
        created_at: start_time(),
        last_seen_at: start_time(),
        awaiting_code: true,
    };
    after_rotation.create_session(&session).await.unwrap();
    let code = totp::code_at(&seed_bytes, clock.now());
    let wrong_code = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert!(staff::confirm_sign_in(&ctx, &user, &session, &wrong_code).await.is_err());
    staff::confirm_sign_in(&ctx, &user, &session, &code).await.unwrap();
}
