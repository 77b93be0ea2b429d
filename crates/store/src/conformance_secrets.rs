//! Conformance: secrets sealed at rest. The suite runs with a key ring holding one key
//! (see the backends' `tests/conformance.rs`); raw-column and rotation checks, which need
//! two rings on one database, are in `crates/server/tests/it/secrets.rs`.

use crate::*;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::staff::{NewUser, Role, SecondFactor};
use frontdesk_domain::tenant::NewTenant;

fn t0() -> jiff::Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

pub async fn secrets_are_sealed_and_read_back(store: DynStore) {
    let new = NewTenant::parse("alpha", "Alpha", "America/Sao_Paulo", "pt-BR").unwrap();
    let tenant = store.create_tenant(&new, t0()).await.unwrap();
    let settings: TenantSettings = serde_json::from_value(serde_json::json!({
        "scheduling": {"ninsaude": {"account": "clinica", "username": "bot", "password": "p4ss"}},
        "messaging": {"twilio": {"account_sid": "AC1", "auth_token": "t0ken", "sms_from": "+5511999990000"}}
    }))
    .unwrap();
    store.save_tenant_settings(tenant.id, &settings).await.unwrap();
    let version = store.tenant_settings_versioned(tenant.id).await.unwrap();
    assert_eq!((version.value.clone(), version.version), (settings.clone(), 1));
    assert_eq!(store.save_tenant_settings_if(tenant.id, &settings, 1).await.unwrap(), 2);
    let mut user = NewUser {
        tenant_id: tenant.id,
        email: frontdesk_domain::contact::Email::parse("ana@clinica.com").unwrap(),
        name: "Ana".into(),
        role: Role::Owner,
    }
    .into_user(t0())
    .unwrap();
    store.create_user(&user).await.unwrap();
    user.totp =
        SecondFactor { secret: Some("GEZDGNBVGY3TQOJQ".into()), enabled_at: Some(t0()), last_step: None };
    store.save_user(&user).await.unwrap();
    assert_eq!(store.get_user(tenant.id, user.id).await.unwrap().unwrap().totp, user.totp);
    assert_eq!(store.list_users(tenant.id).await.unwrap()[0].totp, user.totp);
    assert_eq!(store.user_by_email("ana@clinica.com").await.unwrap().unwrap().totp, user.totp);

    // Two settings secrets and one seed, all under the current key; nothing to re-seal.
    let census = store.check_secrets().await.unwrap();
    assert_eq!((census.current, census.old_key, census.plaintext), (3, 0, 0), "{census:?}");
    assert_eq!(census.unreadable, None);
    let report = store.reseal_secrets(&|_| {}).await.unwrap();
    assert_eq!((report.done, report.total, report.rewritten), (2, 2, 0));
    assert_eq!(store.tenant_settings_versioned(tenant.id).await.unwrap().version, 2);
}
