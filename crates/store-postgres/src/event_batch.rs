//! Group commit for webhook ingest. Every provider delivery must be committed before it is
//! acknowledged, and a commit per delivery made the database's commit rate the ceiling of
//! ingest. Deliveries that arrive while a commit is in flight are queued here and written
//! together: one multi-row statement and one commit for the whole group, after which each
//! caller gets its own answer. A caller still returns only once its row is durable.
//!
//! A failed group (one row violating a constraint) is retried row by row, so one bad
//! delivery cannot fail its neighbours.

use crate::announce::Announcer;
use frontdesk_domain::EventId;
use frontdesk_domain::jobs::NewJob;
use frontdesk_store::{NewInboundEvent, RecordedEvent, StoreError, StoreResult};
use frontdesk_store_sql::{DbTime, db_err};
use jiff::Timestamp;
use sqlx::PgPool;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Rows in one group: enough to absorb a burst, small enough for a quick statement.
const MAX_GROUP: usize = 256;

pub(crate) struct Pending {
    pub event: NewInboundEvent,
    pub job: NewJob,
    pub now: Timestamp,
    /// Dropped unanswered when the group failed: the caller then writes the delivery alone.
    pub reply: oneshot::Sender<RecordedEvent>,
}

#[derive(Clone)]
pub(crate) struct EventBatcher {
    queue: mpsc::Sender<Pending>,
}

impl EventBatcher {
    /// Starts the writer; it stops once every clone of the store (every sender) is gone.
    ///
    /// One writer, one group in flight: the next group forms while the current one is
    /// written, so it holds every delivery that arrived meanwhile. Two writers were tried
    /// (webhook benchmark, 64 connections): they split arrivals into groups half the size,
    /// each paying the statement's fixed cost, and acknowledged about 7% fewer deliveries.
    /// Overlapping groups without shrinking them did not help either: a second group
    /// started while the first commits, only once it held 16 deliveries, reached 73-74% of
    /// pgbench against 72-75% for one writer (alternated runs); three groups of at least 8,
    /// 64-68% against 67-71%; two groups again once the NOTIFY left the transaction
    /// (`announce`), 68-72% against 69-72%. The commit's flush is not where the time goes.
    pub fn start(pool: PgPool, announcer: Announcer) -> Self {
        let (queue, rx) = mpsc::channel(MAX_GROUP * 4);
        tokio::spawn(write_groups(pool, rx, announcer));
        Self { queue }
    }

    /// Queues one delivery; `None` when the writers are gone or its group failed (the
    /// caller then writes it alone).
    pub async fn submit(
        &self,
        event: &NewInboundEvent,
        job: &NewJob,
        now: Timestamp,
    ) -> Option<RecordedEvent> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending { event: event.clone(), job: job.clone(), now, reply };
        self.queue.send(pending).await.ok()?;
        answer.await.ok()
    }
}

async fn write_groups(pool: PgPool, mut rx: mpsc::Receiver<Pending>, announcer: Announcer) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        // One bad delivery fails its whole group: its senders are dropped unanswered and
        // each caller writes its delivery alone, so only the bad one fails.
        if let Ok(results) = write_group(&pool, &group).await {
            if results.iter().any(|r| !r.duplicate) {
                announcer.announce();
            }
            for (pending, result) in group.drain(..).zip(results) {
                let _ = pending.reply.send(result);
            }
        }
        group.clear();
    }
}

/// One statement inserts every new event and, for each, its job (the caller wakes the
/// workers after it). Returns each delivery's outcome in order.
async fn write_group(pool: &PgPool, group: &[Pending]) -> StoreResult<Vec<RecordedEvent>> {
    let n = group.len();
    let mut ids = Vec::with_capacity(n);
    let (mut tenants, mut providers, mut externals, mut kinds, mut payloads, mut received) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut job_ids, mut job_kinds, mut job_payloads, mut run_ats, mut max_attempts, mut dedupe_keys) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for p in group {
        ids.push(EventId::new().0);
        tenants.push(p.event.tenant_id.0);
        providers.push(p.event.provider.as_str());
        externals.push(p.event.external_id.as_str());
        kinds.push(p.event.kind.as_str());
        payloads.push(&p.event.payload);
        received.push(DbTime(p.now));
        job_ids.push(p.job.id.0);
        job_kinds.push(p.job.kind.as_str());
        job_payloads.push(&p.job.payload);
        run_ats.push(DbTime(p.job.run_at));
        max_attempts.push(i32::try_from(p.job.max_attempts).unwrap_or(i32::MAX));
        dedupe_keys.push(p.job.dedupe_key.as_deref());
    }
    // One statement is one transaction: the events and their jobs in a single round trip.
    // WITH ORDINALITY keeps delivery order, so of two deliveries of one message in a group
    // the first is the one stored.
    let inserted: Vec<Uuid> = sqlx::query_scalar(
        "WITH input AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                                 $7::timestamptz[], $8::uuid[], $9::text[], $10::jsonb[], $11::timestamptz[],
                                 $12::int4[], $13::text[])
                     WITH ORDINALITY AS t(id, tenant_id, provider, external_id, kind, payload, received_at,
                                          job_id, job_kind, job_payload, run_at, max_attempts, dedupe_key, n)),
         ev AS (
            INSERT INTO inbound_events (id, tenant_id, provider, external_id, kind, payload, received_at)
            SELECT id, tenant_id, provider, external_id, kind, payload, received_at FROM input ORDER BY n
            ON CONFLICT (tenant_id, provider, external_id) DO NOTHING RETURNING id),
         job AS (
            INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key,
                              created_at, updated_at)
            SELECT i.job_id, i.tenant_id, i.job_kind, i.job_payload, 'queued', i.run_at, 0, i.max_attempts,
                   i.dedupe_key, i.received_at, i.received_at
            FROM input i JOIN ev ON ev.id = i.id ORDER BY i.n
            ON CONFLICT DO NOTHING)
         SELECT id FROM ev",
    )
    .bind(&ids)
    .bind(&tenants)
    .bind(&providers)
    .bind(&externals)
    .bind(&kinds)
    .bind(&payloads)
    .bind(&received)
    .bind(&job_ids)
    .bind(&job_kinds)
    .bind(&job_payloads)
    .bind(&run_ats)
    .bind(&max_attempts)
    .bind(&dedupe_keys)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    // Deliveries not inserted repeat a stored event, committed before the insert gave up
    // on it (ON CONFLICT waits for a concurrent insert's outcome): answer with its id.
    let mut existing: HashMap<(Uuid, &str, &str), Uuid> = HashMap::new();
    if inserted.len() < n {
        let rows: Vec<(Uuid, String, String, Uuid)> = sqlx::query_as(
            "SELECT e.tenant_id, e.provider, e.external_id, e.id FROM inbound_events e
             JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS k(tenant_id, provider, external_id)
               ON e.tenant_id = k.tenant_id AND e.provider = k.provider AND e.external_id = k.external_id",
        )
        .bind(&tenants)
        .bind(&providers)
        .bind(&externals)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        for (tenant, provider, external, id) in rows {
            let key = group
                .iter()
                .find(|p| {
                    p.event.tenant_id.0 == tenant
                        && p.event.provider == provider
                        && p.event.external_id == external
                })
                .map(|p| (p.event.tenant_id.0, p.event.provider.as_str(), p.event.external_id.as_str()));
            if let Some(key) = key {
                existing.insert(key, id);
            }
        }
    }
    let fresh: std::collections::HashSet<Uuid> = inserted.into_iter().collect();
    group
        .iter()
        .zip(ids)
        .map(|(p, id)| {
            if fresh.contains(&id) {
                return Ok(RecordedEvent { id: id.into(), duplicate: false });
            }
            let key = (p.event.tenant_id.0, p.event.provider.as_str(), p.event.external_id.as_str());
            existing
                .get(&key)
                .map(|id| RecordedEvent { id: (*id).into(), duplicate: true })
                .ok_or_else(|| StoreError::corrupt("an event was neither inserted nor found"))
        })
        .collect()
}
