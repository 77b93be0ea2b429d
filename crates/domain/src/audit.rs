//! The audit trail: who read or changed a patient's data, and when.

use crate::{AuditId, PatientId, TenantId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub tenant_id: TenantId,
    /// `api_key:<prefix>`, `user:<id>` or `system:<component>`.
    pub actor: String,
    /// A verb such as `read`, `create`, `update`, `delete`, `retry`.
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub patient_id: Option<PatientId>,
    pub request_id: Option<String>,
    pub at: Timestamp,
}
