//! The port through which scheduling talks to patients. The messaging capability
//! implements it over WhatsApp/SMS; until then (and in demo mode) the sandbox records
//! each notification in the store, where tests and staff can see it.

use crate::Ctx;
use async_trait::async_trait;
use frontdesk_domain::PatientId;
use frontdesk_domain::TenantId;
use frontdesk_store::NotificationRecord;
use thiserror::Error;
use uuid::Uuid;

/// What to tell whom: a template name plus its variables, rendered by the channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    /// e.g. `appointment_reminder`, `appointment_confirmation`.
    pub template: String,
    pub variables: serde_json::Value,
    /// Preferred channel (`whatsapp`, `sms`...); the notifier may choose another.
    pub channel: Option<String>,
    /// Sends at most once for this id (the job sending it): a retried reminder job does
    /// not text the patient twice. `None` sends every time.
    pub once: Option<uuid::Uuid>,
}

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error("temporary failure: {0}")]
    Retryable(String),
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// A job that notifies retries what the channel says is worth retrying.
impl From<NotifyError> for crate::jobs::JobError {
    fn from(e: NotifyError) -> Self {
        match e {
            NotifyError::Retryable(m) => Self::retryable(m),
            NotifyError::Permanent(m) => Self::permanent(m),
        }
    }
}

#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    async fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// Records notifications instead of sending them.
pub struct SandboxNotifier {
    pub ctx: Ctx,
}

#[async_trait]
impl Notifier for SandboxNotifier {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let record = NotificationRecord {
            id: Uuid::now_v7(),
            tenant_id: n.tenant_id,
            patient_id: n.patient_id,
            template: n.template.clone(),
            variables: n.variables.clone(),
            channel: n.channel.clone().unwrap_or_else(|| "sandbox".into()),
            created_at: self.ctx.clock.now(),
        };
        self.ctx.store.record_notification(&record).await.map_err(|e| NotifyError::Retryable(e.to_string()))
    }
}
