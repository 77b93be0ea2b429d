//! The one way to record that someone read or changed a patient's data (or another
//! audited resource). Every API handler touching patient data calls `record`.

use crate::Ctx;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::{AuditId, PatientId, TenantId};
use frontdesk_store::StoreResult;

/// Who did it and in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant_id: TenantId,
    /// `api_key:<prefix>`, `user:<id>` or `system:<component>`.
    pub name: String,
    pub request_id: Option<String>,
}

/// What was done to which resource.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<&'a str>,
    pub patient_id: Option<PatientId>,
}

pub async fn record(ctx: &Ctx, actor: &Actor, access: Access<'_>) -> StoreResult<()> {
    let entry = AuditEntry {
        id: AuditId::new(),
        tenant_id: actor.tenant_id,
        actor: actor.name.clone(),
        action: access.action.to_owned(),
        resource_type: access.resource_type.to_owned(),
        resource_id: access.resource_id.map(str::to_owned),
        patient_id: access.patient_id,
        request_id: actor.request_id.clone(),
        at: ctx.clock.now(),
    };
    ctx.store.record_audit(&entry).await
}
