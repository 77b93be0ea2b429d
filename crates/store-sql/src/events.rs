//! Raw provider events, deduplicated by the provider's own id and recorded with their
//! follow-up jobs in one transaction.

use crate::DbTime;
use frontdesk_store::InboundEvent;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct EventRow {
    id: Uuid,
    tenant_id: Uuid,
    provider: String,
    external_id: String,
    kind: String,
    payload: serde_json::Value,
    received_at: DbTime,
}

impl From<EventRow> for InboundEvent {
    fn from(r: EventRow) -> Self {
        InboundEvent {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            provider: r.provider,
            external_id: r.external_id,
            kind: r.kind,
            payload: r.payload,
            received_at: r.received_at.0,
        }
    }
}

/// Implements `InboundEventStore` for a backend. A backend may take the common case (one
/// follow-up job) a faster way first (`SqlBackend::record_event_grouped`).
#[macro_export]
macro_rules! event_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, uuid};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::{EventId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl InboundEventStore for $store {
                async fn record_event(
                    &self,
                    event: &NewInboundEvent,
                    follow_ups: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<RecordedEvent> {
                    if let Some(recorded) = self.record_event_grouped(event, follow_ups, now).await {
                        return recorded;
                    }
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let id = EventId::new();
                    let inserted = exec!(
                        &mut *tx,
                        "INSERT INTO inbound_events (id, tenant_id, provider, external_id, kind, payload, received_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, provider, external_id) DO NOTHING",
                        id.0,
                        event.tenant_id.0,
                        &event.provider,
                        &event.external_id,
                        &event.kind,
                        &event.payload,
                        DbTime(now),
                    )?;
                    if inserted == 0 {
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
                    Self::insert_jobs(&mut tx, follow_ups, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !follow_ups.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(RecordedEvent { id, duplicate: false })
                }

                async fn inbound_event(
                    &self,
                    tenant: TenantId,
                    provider: &str,
                    external_id: &str,
                ) -> StoreResult<Option<InboundEvent>> {
                    let sql = "SELECT id, tenant_id, provider, external_id, kind, payload, received_at FROM inbound_events
                         WHERE tenant_id = $1 AND provider = $2 AND external_id = $3";
                    let row: Option<$crate::events::EventRow> =
                        fetch!(fetch_optional(self.reader()), sql, tenant.0, provider, external_id)?;
                    Ok(row.map(InboundEvent::from))
                }

                async fn sync_cursor(&self, tenant: TenantId, name: &str) -> StoreResult<Option<String>> {
                    let sql = "SELECT value FROM sync_cursors WHERE tenant_id = $1 AND name = $2";
                    Ok(sqlx::query_scalar(sql).bind(tenant.0).bind(name).fetch_optional(self.reader()).await.map_err(db_err)?)
                }

                async fn set_sync_cursor(&self, tenant: TenantId, name: &str, value: &str, now: Timestamp) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO sync_cursors (tenant_id, name, value, updated_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        tenant.0,
                        name,
                        value,
                        DbTime(now),
                    )?;
                    Ok(())
                }

                async fn recent_inbound_events(
                    &self,
                    tenant: TenantId,
                    provider: &str,
                    limit: u32,
                ) -> StoreResult<Vec<InboundEvent>> {
                    let sql = "SELECT id, tenant_id, provider, external_id, kind, payload, received_at FROM inbound_events
                         WHERE tenant_id = $1 AND provider = $2 ORDER BY received_at DESC, id DESC LIMIT $3";
                    let rows: Vec<$crate::events::EventRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, provider, i64::from(limit))?;
                    Ok(rows.into_iter().map(InboundEvent::from).collect())
                }
            }
        };
    };
}
