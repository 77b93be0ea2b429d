//! Conformance: per-clinic no-show models.

use crate::*;
use frontdesk_domain::TenantId;
use frontdesk_domain::noshow::{Metrics, NoShowModelInfo, StoredNoShowModel};
use frontdesk_domain::tenant::NewTenant;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn model(tenant: TenantId, week: i64, body: &str) -> StoredNoShowModel {
    StoredNoShowModel {
        info: NoShowModelInfo {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            trained_at: t0() + SignedDuration::from_hours(24 * 7 * week),
            examples: 1200 + week as u64,
            no_shows: 180,
            metrics: Metrics {
                count: 240,
                base_rate: 0.15,
                auc: 0.7125,
                average_precision: 0.31,
                brier: 0.121,
            },
            kind: "boosted".into(),
        },
        model_json: body.to_owned(),
    }
}

pub async fn noshow_models_latest_first_tenant_scoped_and_pruned(store: DynStore) {
    let mut tenants = Vec::new();
    for slug in ["alpha", "beta"] {
        let new = NewTenant::parse(slug, slug, "America/Sao_Paulo", "pt-BR").unwrap();
        tenants.push(store.create_tenant(&new, t0()).await.unwrap().id);
    }
    let (alpha, beta) = (tenants[0], tenants[1]);
    assert_eq!(store.latest_noshow_model(alpha).await.unwrap(), None);

    // A body larger than a page and with every kind of character JSON carries.
    let big = format!("{{\"trees\": \"{}\", \"name\": \"ç\\u00e3 \\\"q\\\"\"}}", "x".repeat(300_000));
    let first = model(alpha, 0, &big);
    store.save_noshow_model(&first).await.unwrap();
    assert_eq!(store.latest_noshow_model(alpha).await.unwrap(), Some(first.info.clone()));
    assert_eq!(store.noshow_model_body(alpha, first.info.id).await.unwrap(), Some(big.clone()));
    // Another tenant sees neither the model nor its body.
    assert_eq!(store.latest_noshow_model(beta).await.unwrap(), None);
    assert_eq!(store.noshow_model_body(beta, first.info.id).await.unwrap(), None);

    // The newest by training time wins, whatever order they were saved in.
    let later = model(alpha, 2, "{}");
    let between = model(alpha, 1, "{}");
    store.save_noshow_model(&later).await.unwrap();
    store.save_noshow_model(&between).await.unwrap();
    assert_eq!(store.latest_noshow_model(alpha).await.unwrap().unwrap().id, later.info.id);

    // Only the newest NOSHOW_MODELS_KEPT are kept, per tenant.
    let theirs = model(beta, 0, "{\"beta\": true}");
    store.save_noshow_model(&theirs).await.unwrap();
    for week in 3..3 + NOSHOW_MODELS_KEPT as i64 {
        store.save_noshow_model(&model(alpha, week, "{}")).await.unwrap();
    }
    assert_eq!(store.noshow_model_body(alpha, first.info.id).await.unwrap(), None, "the oldest is dropped");
    let newest = store.latest_noshow_model(alpha).await.unwrap().unwrap();
    assert_eq!(
        newest.trained_at,
        t0() + SignedDuration::from_hours(24 * 7 * (2 + NOSHOW_MODELS_KEPT as i64))
    );
    assert!(store.noshow_model_body(alpha, newest.id).await.unwrap().is_some());
    assert_eq!(store.latest_noshow_model(beta).await.unwrap(), Some(theirs.info.clone()));
    assert_eq!(
        store.noshow_model_body(beta, theirs.info.id).await.unwrap().as_deref(),
        Some("{\"beta\": true}")
    );
}
