use crate::SqliteStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::{EventId, TenantId};
use frontdesk_store::{
    InboundEvent, InboundEventStore, NewInboundEvent, RecordedEvent, StoreError, StoreResult,
};
use jiff::Timestamp;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    tenant_id: Uuid,
    provider: String,
    external_id: String,
    kind: String,
    payload: String,
    received_at: i64,
}

#[async_trait]
impl InboundEventStore for SqliteStore {
    async fn record_event(
        &self,
        event: &NewInboundEvent,
        follow_ups: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<RecordedEvent> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        let id = EventId::new();
        let inserted = sqlx::query(
            "INSERT INTO inbound_events (id, tenant_id, provider, external_id, kind, payload, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, provider, external_id) DO NOTHING",
        )
        .bind(id.0)
        .bind(event.tenant_id.0)
        .bind(&event.provider)
        .bind(&event.external_id)
        .bind(&event.kind)
        .bind(event.payload.to_string())
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if inserted.rows_affected() == 0 {
            let existing: Uuid = sqlx::query_scalar(
                "SELECT id FROM inbound_events WHERE tenant_id = ? AND provider = ? AND external_id = ?",
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
            SqliteStore::insert_job(&mut tx, job, now).await?;
        }
        tx.commit().await.map_err(db_err)?;
        if !follow_ups.is_empty() {
            self.wakeups.notify_waiters();
        }
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
             WHERE tenant_id = ? AND provider = ? AND external_id = ?",
        )
        .bind(tenant.0)
        .bind(provider)
        .bind(external_id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db_err)?;
        row.map(|r| {
            Ok(InboundEvent {
                id: r.id.into(),
                tenant_id: r.tenant_id.into(),
                provider: r.provider,
                external_id: r.external_id,
                kind: r.kind,
                payload: serde_json::from_str(&r.payload)
                    .map_err(|e| StoreError::corrupt(format!("event payload: {e}")))?,
                received_at: from_ts(r.received_at)?,
            })
        })
        .transpose()
    }
}
