//! Secrets at rest: provider credentials and TOTP seeds never reach the database in
//! plaintext; a wrong key is a clear startup error; rotation re-encrypts everything and a
//! second factor enrolled before it still verifies after it. Both backends.

use frontdesk_domain::staff::{NewUser, Role, totp};
use frontdesk_domain::tenant::NewTenant;
use frontdesk_domain::webhooks::{EventType, WebhookSecret, WebhookSubscription, sign, verify};
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
backend_tests!(
    raw: wrong_key_is_refused_and_rotation_reencrypts_everything,
    webhook_signing_secrets_are_sealed_bound_to_their_row_and_rotated,
);

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

async fn webhook_signing_secrets_are_sealed_bound_to_their_row_and_rotated(backend: Backend) {
    let (url, _dir) = database(backend).await;
    // Subscriptions from before sealing: their secrets sit in plaintext.
    let legacy = open(backend, &url, KeyRing::plaintext()).await;
    let old_clinic = tenant(&legacy, "legado").await;
    let (old_sub, mut old_saved) = (subscription(old_clinic, 1), subscription(old_clinic, 6));
    legacy.create_webhook_subscription(&old_sub).await.unwrap();
    legacy.create_webhook_subscription(&old_saved).await.unwrap();
    assert!(raw(backend, &url, SIGNING).await.iter().all(|s| s.starts_with("whsec_")));

    // Under key 1 they are read as they are, and one saved is sealed from then on.
    let first = open(backend, &url, KeyRing::new(K1, &[])).await;
    assert_eq!(first.get_webhook_subscription(old_clinic, old_sub.id).await.unwrap().unwrap(), old_sub);
    old_saved.description = Some("edited".into());
    first.save_webhook_subscription(&old_saved).await.unwrap();
    assert!(own_secret(backend, &url, old_saved.id).await.starts_with(&format!("enc:v1:{}:", key_id(&K1))));
    assert_eq!(own_secret(backend, &url, old_sub.id).await, old_sub.secret.expose());

    // New subscriptions (one mid-rotation, with a previous secret) are stored sealed and
    // read back whole.
    let alpha = tenant(&first, "alpha").await;
    let beta = tenant(&first, "beta").await;
    let mut a1 = subscription(alpha, 2);
    a1.previous_secret = Some(WebhookSecret::from_key(&[3; 32]));
    a1.previous_expires_at = Some(start_time() + jiff::SignedDuration::from_hours(24));
    let a2 = subscription(alpha, 4);
    let b1 = subscription(beta, 5);
    for s in [&a1, &a2, &b1] {
        first.create_webhook_subscription(s).await.unwrap();
    }
    let stored = raw(backend, &url, BOTH_COLUMNS).await.join("\n");
    for s in [&a1, &a2, &b1] {
        assert!(!stored.contains(s.secret.expose()), "{stored}");
        assert_eq!(first.get_webhook_subscription(s.tenant_id, s.id).await.unwrap().as_ref(), Some(s));
    }
    assert!(!stored.contains(a1.previous_secret.as_ref().unwrap().expose()), "{stored}");
    assert_eq!(stored.matches(&format!("enc:v1:{}:", key_id(&K1))).count(), 5, "{stored}");
    // Deliveries sign with what comes back: the reference algorithm verifies both secrets.
    let read = first.get_webhook_subscription(alpha, a1.id).await.unwrap().unwrap();
    let body = br#"{"type":"appointment.booked"}"#;
    let ts = start_time().as_second();
    let header = sign(&read.signing_secrets(start_time()), "msg_1", ts, body);
    for secret in [&a1.secret, a1.previous_secret.as_ref().unwrap()] {
        verify(secret, "msg_1", &ts.to_string(), &header, body, ts, 300).unwrap();
    }

    // A ciphertext copied to another subscription of the same clinic, to another clinic's
    // subscription, or from `previous_secret` to `secret` does not open, and says where.
    let copies = [
        (alpha, a2.id, a1.id, "secret"),
        (beta, b1.id, a1.id, "secret"),
        (alpha, a1.id, a1.id, "previous_secret"),
    ];
    for (clinic, target, from, column) in copies {
        let kept = own_secret(backend, &url, target).await;
        let copy = format!(
            "UPDATE webhook_subscriptions SET secret = (SELECT {column} FROM webhook_subscriptions WHERE id = $1) WHERE id = $2"
        );
        raw_exec(backend, &url, &copy, Bind::Id(from), target).await;
        assert_ne!(own_secret(backend, &url, target).await, kept);
        let err = first.get_webhook_subscription(clinic, target).await.unwrap_err().to_string();
        assert!(err.contains(&format!("the secret of webhook subscription {target}")), "{err}");
        assert!(err.contains("does not decrypt: the stored value was altered or moved"), "{err}");
        assert!(first.list_webhook_subscriptions(clinic).await.is_err());
        let census = first.check_secrets().await.unwrap();
        assert!(census.unreadable.as_deref().is_some_and(|u| u.contains(&target.to_string())), "{census:?}");
        let restore = "UPDATE webhook_subscriptions SET secret = $1 WHERE id = $2";
        raw_exec(backend, &url, restore, Bind::Text(kept), target).await;
        assert!(first.get_webhook_subscription(clinic, target).await.is_ok());
    }

    // `secrets status` counts signing secrets.
    let census = first.check_secrets().await.unwrap();
    assert_eq!((census.current, census.old_key, census.plaintext, census.unreadable), (5, 0, 1, None));
    // Rotation: key 2 current, key 1 for reading. Every row is re-sealed, the plaintext one
    // included, and is otherwise untouched.
    let rotating = open(backend, &url, KeyRing::new(K2, &[K1])).await;
    let report = rotating.reseal_secrets(&|_| {}).await.unwrap();
    assert_eq!((report.done, report.total, report.rewritten), (5, 5, 5));
    let after = rotating.check_secrets().await.unwrap();
    assert_eq!((after.current, after.old_key, after.plaintext), (6, 0, 0), "{after:?}");
    assert_eq!(rotating.reseal_secrets(&|_| {}).await.unwrap().rewritten, 0, "nothing left to do");
    let stored = raw(backend, &url, BOTH_COLUMNS).await.join("\n");
    assert_eq!(stored.matches(&format!("enc:v1:{}:", key_id(&K2))).count(), 6, "{stored}");
    assert!(
        !stored.contains(old_sub.secret.expose()) && !stored.contains(&format!("enc:v1:{}:", key_id(&K1)))
    );

    // Key 1 can go: key 2 alone reads every subscription as it was written; a process with
    // key 1 alone is refused at startup, naming the subscription and the key it needs.
    let after_rotation = open(backend, &url, KeyRing::new(K2, &[])).await;
    check_at_startup(&after_rotation, &KeySource::Environment, &key_id(&K2)).await.unwrap();
    for s in [&old_sub, &old_saved, &a1, &a2, &b1] {
        assert_eq!(
            after_rotation.get_webhook_subscription(s.tenant_id, s.id).await.unwrap().as_ref(),
            Some(s)
        );
    }
    let err =
        format!("{:#}", check_at_startup(&first, &KeySource::Environment, &key_id(&K1)).await.unwrap_err());
    assert!(err.contains("webhook subscription") && err.contains(&key_id(&K2)), "{err}");
}

const SIGNING: &str = "SELECT secret FROM webhook_subscriptions ORDER BY id";
const BOTH_COLUMNS: &str =
    "SELECT secret || ' ' || COALESCE(previous_secret, '') FROM webhook_subscriptions ORDER BY id";

/// The stored `secret` column of one subscription, bypassing the store.
async fn own_secret(backend: Backend, url: &str, id: uuid::Uuid) -> String {
    let sql = "SELECT secret FROM webhook_subscriptions WHERE id = $1";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            sqlx::query_scalar(sql).bind(id).fetch_one(&pool).await.unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query_scalar(sql).bind(id).fetch_one(&pool).await.unwrap()
        }
    }
}

/// The first parameter of a `raw_exec` statement.
enum Bind {
    Id(uuid::Uuid),
    Text(String),
}

/// Runs one statement straight on the database, bypassing the store: `$1` is `first`, `$2`
/// the subscription id.
async fn raw_exec(backend: Backend, url: &str, sql: &str, first: Bind, id: uuid::Uuid) {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let q = match first {
                Bind::Id(v) => sqlx::query(sql).bind(v),
                Bind::Text(v) => sqlx::query(sql).bind(v),
            };
            assert_eq!(q.bind(id).execute(&pool).await.unwrap().rows_affected(), 1);
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let q = match first {
                Bind::Id(v) => sqlx::query(sql).bind(v),
                Bind::Text(v) => sqlx::query(sql).bind(v),
            };
            assert_eq!(q.bind(id).execute(&pool).await.unwrap().rows_affected(), 1);
        }
    }
}

fn subscription(tenant: TenantId, byte: u8) -> WebhookSubscription {
    let secret = WebhookSecret::from_key(&[byte; 32]);
    let events = vec![EventType::AppointmentBooked];
    WebhookSubscription::new(tenant, "https://hooks.example.com/in".into(), events, secret, start_time())
}
