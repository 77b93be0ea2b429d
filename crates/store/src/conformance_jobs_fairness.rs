//! Job claims are fair between tenants: one tenant's backlog (a campaign of thousands of
//! messages, all due earlier) does not push another tenant's due job out of the next
//! claim; within a tenant, jobs still go oldest first.

use crate::{ClaimRequest, DynStore};
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::tenant::{NewTenant, Tenant};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn at(secs: i64) -> Timestamp {
    t0() + SignedDuration::from_secs(secs)
}

async fn tenant(store: &DynStore, slug: &str) -> Tenant {
    let new = NewTenant::parse(slug, &format!("Clinic {slug}"), "America/Sao_Paulo", "pt-BR").unwrap();
    store.create_tenant(&new, t0()).await.unwrap()
}

fn claim(now: Timestamp, limit: u32) -> ClaimRequest {
    ClaimRequest { lease_token: Uuid::now_v7(), now, lease: SignedDuration::from_secs(30), limit }
}

/// `n` due jobs for `t`, the i-th due at `first + i` ms.
async fn backlog(store: &DynStore, t: &Tenant, n: usize, first: Timestamp) {
    let jobs: Vec<NewJob> = (0..n)
        .map(|i| {
            let run_at = first + SignedDuration::from_millis(i as i64);
            NewJob::new(t.id, "campaign.send", json!({"n": i}), run_at)
        })
        .collect();
    for chunk in jobs.chunks(1000) {
        store.enqueue_many(chunk, t0()).await.unwrap();
    }
}

pub async fn a_tenants_backlog_does_not_delay_another_tenants_due_job(store: DynStore) {
    let busy = tenant(&store, "campaign").await;
    let quiet = tenant(&store, "reminder").await;
    backlog(&store, &busy, 5_000, at(-3600)).await;
    // Due later than every job of the backlog: oldest-first alone would claim it last.
    let reminder = store.enqueue(&NewJob::new(quiet.id, "reminder", json!({}), at(-1)), t0()).await.unwrap();
    let first = store.claim_jobs(&claim(t0(), 32)).await.unwrap();
    assert_eq!(first.len(), 32);
    let position = first.iter().position(|j| j.id == reminder.id());
    assert!(position.is_some(), "the other tenant's job is in the first batch of 32");
    // The backlog's share is its own oldest jobs, in order.
    let mine: Vec<Timestamp> = first.iter().filter(|j| j.tenant_id == busy.id).map(|j| j.run_at).collect();
    assert_eq!(mine.len(), 31);
    let expected: Vec<Timestamp> = (0..31).map(|i| at(-3600) + SignedDuration::from_millis(i)).collect();
    assert_eq!(mine, expected, "oldest first within a tenant");
}

pub async fn claims_take_turns_between_busy_tenants(store: DynStore) {
    let tenants = [tenant(&store, "t-a").await, tenant(&store, "t-b").await, tenant(&store, "t-c").await];
    backlog(&store, &tenants[0], 50, at(-300)).await;
    backlog(&store, &tenants[1], 50, at(-200)).await;
    backlog(&store, &tenants[2], 50, at(-100)).await;
    // A job not yet due is not anyone's turn.
    store.enqueue(&NewJob::new(tenants[2].id, "later", json!({}), at(60)), t0()).await.unwrap();
    let batch = store.claim_jobs(&claim(t0(), 9)).await.unwrap();
    for t in &tenants {
        let n = batch.iter().filter(|j| j.tenant_id == t.id).count();
        assert_eq!(n, 3, "each busy tenant gets a third of the batch");
    }
    let mut claimed = batch.len();
    loop {
        let next = store.claim_jobs(&claim(t0(), 64)).await.unwrap();
        if next.is_empty() {
            break;
        }
        claimed += next.len();
    }
    assert_eq!(claimed, 150, "every due job is claimed once, the future one not yet");
}
