//! How a busy worker hands work back and over: completing a batch together with the next
//! claim (one round trip on PostgreSQL), and claims taking over leases that ran out.

use crate::{ClaimRequest, DynStore};
use frontdesk_domain::JobId;
use frontdesk_domain::jobs::{JobStatus, NewJob};
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

/// Leases last 30 s.
fn claim(now: Timestamp, limit: u32) -> ClaimRequest {
    ClaimRequest { lease_token: Uuid::now_v7(), now, lease: SignedDuration::from_secs(30), limit }
}

async fn enqueue(store: &DynStore, t: &Tenant, n: i64) -> JobId {
    let job = NewJob::new(t.id, "work", json!({"n": n}), at(n));
    store.enqueue(&job, t0()).await.unwrap().id()
}

async fn status(store: &DynStore, t: &Tenant, id: JobId) -> JobStatus {
    store.get_job(t.id, id).await.unwrap().unwrap().status
}

pub async fn completing_and_claiming_is_one_step(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(enqueue(&store, &t, n).await);
    }
    let first = claim(at(10), 2);
    let got: Vec<JobId> = store.claim_jobs(&first).await.unwrap().iter().map(|j| j.id).collect();
    assert_eq!(got, ids[..2]);
    let second = claim(at(11), 2);
    let next = store.complete_and_claim(first.lease_token, &got, &second).await.unwrap();
    assert_eq!(next.iter().map(|j| j.id).collect::<Vec<_>>(), ids[2..4], "the next two, oldest first");
    assert!(next.iter().all(|j| j.status == JobStatus::Running && j.attempts == 1));
    for id in &ids[..2] {
        let job = store.get_job(t.id, *id).await.unwrap().unwrap();
        assert_eq!(
            (job.status, job.updated_at),
            (JobStatus::Succeeded, at(11)),
            "completed at the claim's time"
        );
    }
    // Another lease's token completes nothing: the second batch stays running.
    let third = claim(at(12), 2);
    let last = store.complete_and_claim(first.lease_token, &ids[2..4], &third).await.unwrap();
    assert_eq!(last.iter().map(|j| j.id).collect::<Vec<_>>(), ids[4..]);
    for id in &ids[2..4] {
        assert_eq!(status(&store, &t, *id).await, JobStatus::Running);
    }
    // With nothing left to claim, the completion still happens.
    let empty = store.complete_and_claim(second.lease_token, &ids[2..4], &claim(at(13), 2)).await.unwrap();
    assert!(empty.is_empty());
    for id in &ids[2..4] {
        assert_eq!(status(&store, &t, *id).await, JobStatus::Succeeded);
    }
}

pub async fn a_batch_completed_with_the_claim_is_not_also_taken_over(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let id = enqueue(&store, &t, 0).await;
    let slow = claim(t0(), 1);
    assert_eq!(store.claim_jobs(&slow).await.unwrap().len(), 1);
    // The worker finished after its lease ran out, before anyone took the job over: its
    // completion counts, and the claim it comes with does not hand the job to itself.
    let next = store.complete_and_claim(slow.lease_token, &[id], &claim(at(31), 1)).await.unwrap();
    assert!(next.is_empty());
    let job = store.get_job(t.id, id).await.unwrap().unwrap();
    assert_eq!((job.status, job.attempts), (JobStatus::Succeeded, 1));
}

pub async fn a_claim_takes_over_expired_leases_and_buries_last_attempts(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let once = store
        .enqueue(&NewJob::new(t.id, "once", json!({}), t0()).with_max_attempts(1), t0())
        .await
        .unwrap()
        .id();
    let again = store
        .enqueue(&NewJob::new(t.id, "again", json!({}), t0()).with_max_attempts(3), t0())
        .await
        .unwrap()
        .id();
    let dying = claim(t0(), 2);
    assert_eq!(store.claim_jobs(&dying).await.unwrap().len(), 2);
    let waiting = enqueue(&store, &t, 10).await;
    // One job per claim: the taken-over lease first (it was due earliest), then the queue.
    let rescuer = claim(at(31), 1);
    let taken = store.claim_jobs(&rescuer).await.unwrap();
    assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), [again]);
    assert_eq!(taken[0].attempts, 2);
    assert!(taken[0].last_error.as_deref().unwrap_or("").contains("lease"), "the hand-over is on record");
    let buried = store.get_job(t.id, once).await.unwrap().unwrap();
    assert_eq!(buried.status, JobStatus::Dead);
    assert!(buried.last_error.unwrap().contains("lease"));
    let next = store.claim_jobs(&claim(at(32), 1)).await.unwrap();
    assert_eq!(next.iter().map(|j| j.id).collect::<Vec<_>>(), [waiting]);
    // The dead worker's late completion is ignored; the rescuer's counts.
    assert_eq!(store.complete_jobs(dying.lease_token, &[again], at(33)).await.unwrap(), 0);
    assert_eq!(store.complete_jobs(rescuer.lease_token, &[again], at(33)).await.unwrap(), 1);
    assert_eq!(status(&store, &t, again).await, JobStatus::Succeeded);
}
