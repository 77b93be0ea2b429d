use crate::PgStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::{EventId, TenantId};
use frontdesk_store::{InboundEvent, InboundEventStore, NewInboundEvent, RecordedEvent, StoreResult};
use frontdesk_store_sql::SqlBackend as _;
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
        // The common webhook case, an event with one follow-up job, goes through the group
        // writer: one statement and one commit per group of concurrent deliveries.
        if let [job] = follow_ups {
            return self.record_event_grouped(event, job, now).await;
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
            PgStore::insert_job(&mut tx, job, now).await?;
        }
        if !follow_ups.is_empty() {
            PgStore::announce_jobs(&mut tx).await?;
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
