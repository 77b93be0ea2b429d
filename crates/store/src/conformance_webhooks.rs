//! Conformance cases for outbound webhook subscriptions and deliveries.

use crate::*;
use frontdesk_domain::jobs::{JobStatus, NewJob};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::tenant::{NewTenant, Tenant};
use frontdesk_domain::webhooks::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

async fn tenant(store: &DynStore, slug: &str) -> Tenant {
    let new = NewTenant::parse(slug, &format!("Clinic {slug}"), "America/Sao_Paulo", "pt-BR").unwrap();
    store.create_tenant(&new, t0()).await.unwrap()
}

fn subscription(t: &Tenant, n: u8) -> WebhookSubscription {
    WebhookSubscription::new(
        t.id,
        format!("https://hooks.example.com/{n}"),
        vec![EventType::AppointmentBooked, EventType::CallEnded],
        WebhookSecret::from_key(&[n; SECRET_BYTES]),
        t0(),
    )
}

fn delivery(s: &WebhookSubscription, fact: &str) -> (WebhookDelivery, NewJob) {
    let d = WebhookDelivery::new(
        s.tenant_id,
        s.id,
        fact.into(),
        EventType::AppointmentBooked,
        r#"{"type":"appointment.booked"}"#.into(),
        t0(),
    );
    let job = NewJob::new(s.tenant_id, "webhook.deliver", json!({"delivery_id": d.id}), t0())
        .with_dedupe_key(format!("webhook:{}:0", d.id));
    (d, job)
}

pub async fn webhook_subscriptions_round_trip_and_are_tenant_scoped(store: DynStore) {
    let (a, b) = (tenant(&store, "alpha").await, tenant(&store, "beta").await);
    let mut first = subscription(&a, 1);
    first.description = Some("ERP".into());
    store.create_webhook_subscription(&first).await.unwrap();
    let second = subscription(&a, 2);
    store.create_webhook_subscription(&second).await.unwrap();
    assert_eq!(store.get_webhook_subscription(a.id, first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.get_webhook_subscription(b.id, first.id).await.unwrap(), None, "tenant scoped");
    assert_eq!(store.list_webhook_subscriptions(a.id).await.unwrap(), vec![first.clone(), second.clone()]);
    assert!(store.list_webhook_subscriptions(b.id).await.unwrap().is_empty());

    // Rotation keeps both secrets, with the previous one's end.
    first.rotate(WebhookSecret::from_key(&[9; SECRET_BYTES]), SignedDuration::from_hours(2), t0());
    first.event_types = vec![EventType::HandoffRequested];
    first.enabled = false;
    first.url = "https://hooks.example.com/new".into();
    store.save_webhook_subscription(&first).await.unwrap();
    assert_eq!(store.get_webhook_subscription(a.id, first.id).await.unwrap(), Some(first.clone()));

    let mut stray = first.clone();
    stray.tenant_id = b.id;
    assert!(matches!(store.save_webhook_subscription(&stray).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_webhook_subscription(b.id, first.id).await, Err(StoreError::NotFound)));

    // Deleting takes the deliveries along.
    let (d, job) = delivery(&first, "fact-1");
    store.file_webhook_deliveries(&[(d.clone(), job)], t0()).await.unwrap();
    store.delete_webhook_subscription(a.id, first.id).await.unwrap();
    assert_eq!(store.get_webhook_subscription(a.id, first.id).await.unwrap(), None);
    assert_eq!(store.get_webhook_delivery(a.id, d.id).await.unwrap(), None);
    assert_eq!(store.list_webhook_subscriptions(a.id).await.unwrap(), vec![second]);
}

pub async fn webhook_deliveries_are_filed_once_per_fact_and_subscription(store: DynStore) {
    let (a, b) = (tenant(&store, "alpha").await, tenant(&store, "beta").await);
    let (s1, s2) = (subscription(&a, 1), subscription(&a, 2));
    store.create_webhook_subscription(&s1).await.unwrap();
    store.create_webhook_subscription(&s2).await.unwrap();
    let batch = vec![delivery(&s1, "fact-1"), delivery(&s2, "fact-1")];
    assert_eq!(store.file_webhook_deliveries(&batch, t0()).await.unwrap(), 2);
    // The same fact again (a retried playbook job), with fresh ids: nothing new, no job.
    let again = vec![delivery(&s1, "fact-1"), delivery(&s2, "fact-1"), delivery(&s1, "fact-2")];
    assert_eq!(store.file_webhook_deliveries(&again, t0()).await.unwrap(), 1);
    assert_eq!(store.get_webhook_delivery(a.id, again[0].0.id).await.unwrap(), None);
    let jobs = store
        .list_jobs(
            a.id,
            &JobFilter { kind: Some("webhook.deliver".into()), ..Default::default() },
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(jobs.items.len(), 3, "one job per delivery filed");

    let got = store.get_webhook_delivery(a.id, batch[0].0.id).await.unwrap();
    assert_eq!(got, Some(batch[0].0.clone()));
    assert_eq!(store.get_webhook_delivery(b.id, batch[0].0.id).await.unwrap(), None, "tenant scoped");

    let all = store
        .list_webhook_deliveries(a.id, &DeliveryFilter { limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].created_at >= w[1].created_at), "newest first");
    let only_s2 = DeliveryFilter { subscription: Some(s2.id), limit: 50, ..Default::default() };
    assert_eq!(store.list_webhook_deliveries(a.id, &only_s2).await.unwrap().len(), 1);
    let two = DeliveryFilter { limit: 2, ..Default::default() };
    assert_eq!(store.list_webhook_deliveries(a.id, &two).await.unwrap().len(), 2);
    let none = DeliveryFilter { limit: 50, ..Default::default() };
    assert!(store.list_webhook_deliveries(b.id, &none).await.unwrap().is_empty());
}

pub async fn webhook_delivery_attempts_are_saved_with_their_next_job(store: DynStore) {
    let a = tenant(&store, "alpha").await;
    let s = subscription(&a, 1);
    store.create_webhook_subscription(&s).await.unwrap();
    let (mut d, job) = delivery(&s, "fact-1");
    store.file_webhook_deliveries(&[(d.clone(), job)], t0()).await.unwrap();

    let later = t0() + SignedDuration::from_secs(60);
    d.failed(Some(500), "answered 500".into(), Some(later), t0());
    let next = NewJob::new(a.id, "webhook.deliver", json!({"delivery_id": d.id}), later)
        .with_dedupe_key(format!("webhook:{}:1", d.id));
    store.save_webhook_delivery(&d, Some(&next), t0()).await.unwrap();
    assert_eq!(store.get_webhook_delivery(a.id, d.id).await.unwrap(), Some(d.clone()));
    let job = store.get_job(a.id, next.id).await.unwrap().expect("the next attempt's job");
    assert_eq!((job.status, job.run_at), (JobStatus::Queued, later));

    let failed = DeliveryFilter { state: Some(DeliveryState::Failed), limit: 10, ..Default::default() };
    assert_eq!(store.list_webhook_deliveries(a.id, &failed).await.unwrap(), vec![d.clone()]);
    d.delivered(204, later);
    store.save_webhook_delivery(&d, None, later).await.unwrap();
    assert!(store.list_webhook_deliveries(a.id, &failed).await.unwrap().is_empty());
    let delivered = DeliveryFilter { state: Some(DeliveryState::Delivered), limit: 10, ..Default::default() };
    let found = store.list_webhook_deliveries(a.id, &delivered).await.unwrap();
    assert_eq!((found[0].attempts, found[0].last_status, found[0].next_attempt_at), (2, Some(204), None));

    let other = tenant(&store, "beta").await;
    let mut stray = d.clone();
    stray.tenant_id = other.id;
    assert!(matches!(store.save_webhook_delivery(&stray, None, later).await, Err(StoreError::NotFound)));
}
