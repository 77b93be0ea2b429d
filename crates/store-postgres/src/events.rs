use crate::PgStore;
use crate::convert::{db_err, from_ts, ts};
use crate::jobs::insert_job;
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::{EventId, TenantId};
use frontdesk_store::{InboundEvent, InboundEventStore, NewInboundEvent, RecordedEvent, StoreResult};
use jiff::Timestamp;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    tenant_id: Uuid,
    provider: String,
    external_id: String,
    kind: String,
    payload: serde_json::Value,
    received_at: time::OffsetDateTime,
}

#[async_trait]
impl InboundEventStore for PgStore {
    async fn record_event(
        &self,
        event: &NewInboundEvent,
        follow_ups: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<RecordedEvent> {
        // The common webhook case, an event with one follow-up job, is one statement: one
        // round trip and one commit instead of five (this is the ingest hot path).
        if let [job] = follow_ups {
            return self.record_event_with_job(event, job, now).await;
        }
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let id = EventId::new();
        let inserted = sqlx::query(
            "INSERT INTO inbound_events (id, tenant_id, provider, external_id, kind, payload, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, provider, external_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(event.tenant_id.0)
        .bind(&event.provider)
        .bind(&event.external_id)
        .bind(&event.kind)
        .bind(&event.payload)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if inserted.rows_affected() == 0 {
            let existing: Uuid = sqlx::query_scalar(
                "SELECT id FROM inbound_events WHERE tenant_id = $1 AND provider = $2 AND external_id = $3",
            )
            .bind(event.tenant_id.0)
            .bind(&event.provider)
            .bind(&event.external_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
            return Ok(RecordedEvent { id: existing.into(), duplicate: true });
        }
        for job in follow_ups {
            insert_job(&mut tx, job, now).await?;
        }
        if !follow_ups.is_empty() {
            crate::jobs::notify(&mut tx).await?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(RecordedEvent { id, duplicate: false })
    }

    async fn inbound_event(
        &self,
        tenant: TenantId,
        provider: &str,
        external_id: &str,
    ) -> StoreResult<Option<InboundEvent>> {
        let row: Option<EventRow> = sqlx::query_as(
            "SELECT id, tenant_id, provider, external_id, kind, payload, received_at FROM inbound_events
             WHERE tenant_id = $1 AND provider = $2 AND external_id = $3",
        )
        .bind(tenant.0)
        .bind(provider)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(InboundEvent {
                id: r.id.into(),
                tenant_id: r.tenant_id.into(),
                provider: r.provider,
                external_id: r.external_id,
                kind: r.kind,
                payload: r.payload,
                received_at: from_ts(r.received_at)?,
            })
        })
        .transpose()
    }
}

impl PgStore {
    async fn record_event_with_job(
        &self,
        event: &NewInboundEvent,
        job: &NewJob,
        now: Timestamp,
    ) -> StoreResult<RecordedEvent> {
        let id = EventId::new();
        // Data-modifying CTEs all run; the job is inserted only if the event was new, and
        // the NOTIFY (delivered at commit) only if a job was.
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "WITH ev AS (
                INSERT INTO inbound_events (id, tenant_id, provider, external_id, kind, payload, received_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (tenant_id, provider, external_id) DO NOTHING RETURNING id),
             job AS (
                INSERT INTO jobs (id, tenant_id, kind, payload, status, run_at, attempts, max_attempts, dedupe_key,
                                  created_at, updated_at)
                SELECT $8, $2, $9, $10, 'queued', $11, 0, $12, $13, $7, $7 FROM ev
                ON CONFLICT DO NOTHING RETURNING id),
             wake AS (SELECT pg_notify($14, '') FROM job)
             SELECT (SELECT id FROM ev) FROM (SELECT count(*) FROM wake) AS w",
        )
        .bind(id.0)
        .bind(event.tenant_id.0)
        .bind(&event.provider)
        .bind(&event.external_id)
        .bind(&event.kind)
        .bind(&event.payload)
        .bind(ts(now))
        .bind(job.id.0)
        .bind(&job.kind)
        .bind(&job.payload)
        .bind(ts(job.run_at))
        .bind(i32::try_from(job.max_attempts).unwrap_or(i32::MAX))
        .bind(&job.dedupe_key)
        .bind(crate::JOBS_CHANNEL)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        if let Some(id) = inserted {
            return Ok(RecordedEvent { id: id.into(), duplicate: false });
        }
        let existing: Uuid = sqlx::query_scalar(
            "SELECT id FROM inbound_events WHERE tenant_id = $1 AND provider = $2 AND external_id = $3",
        )
        .bind(event.tenant_id.0)
        .bind(&event.provider)
        .bind(&event.external_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(RecordedEvent { id: existing.into(), duplicate: true })
    }
}
