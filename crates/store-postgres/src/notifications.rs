use crate::PgStore;
use crate::catalog::unjson;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{NotificationRecord, NotificationStore, StoreResult};
use uuid::Uuid;

#[async_trait]
impl NotificationStore for PgStore {
    async fn record_notification(&self, n: &NotificationRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (id, tenant_id, patient_id, template, variables, channel, created_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
        )
        .bind(n.id)
        .bind(n.tenant_id.0)
        .bind(n.patient_id.0)
        .bind(&n.template)
        .bind(n.variables.to_string())
        .bind(&n.channel)
        .bind(ts(n.created_at))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_notifications(
        &self,
        tenant: TenantId,
        patient: Option<PatientId>,
    ) -> StoreResult<Vec<NotificationRecord>> {
        let rows: Vec<(Uuid, Uuid, String, String, String, time::OffsetDateTime)> = sqlx::query_as(
            "SELECT id, patient_id, template, variables::text, channel, created_at FROM notifications
             WHERE tenant_id = $1 AND ($2::uuid IS NULL OR patient_id = $2) ORDER BY id DESC LIMIT 500",
        )
        .bind(tenant.0)
        .bind(patient.map(|p| p.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, patient_id, template, variables, channel, created_at)| {
                Ok(NotificationRecord {
                    id,
                    tenant_id: tenant,
                    patient_id: patient_id.into(),
                    template,
                    variables: unjson(&variables, "notification variables")?,
                    channel,
                    created_at: from_ts(created_at)?,
                })
            })
            .collect()
    }
}
