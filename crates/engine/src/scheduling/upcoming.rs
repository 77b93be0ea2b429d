//! A patient's appointments still ahead (booked or confirmed), soonest first: what a
//! dialogue, a voice tool or a playbook means by "your appointment".

use crate::Ctx;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::scheduling::Appointment;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{AppointmentFilter, StoreResult};

pub async fn upcoming_for(ctx: &Ctx, tenant: TenantId, patient: PatientId) -> StoreResult<Vec<Appointment>> {
    let filter =
        AppointmentFilter { from: Some(ctx.clock.now()), patient_id: Some(patient), ..Default::default() };
    let mut pending: Vec<Appointment> = ctx
        .store
        .list_appointments(tenant, &filter, PageRequest::new(None, Some(50)))
        .await?
        .items
        .into_iter()
        .filter(|a| a.status.is_pending())
        .collect();
    pending.sort_by_key(|a| a.start);
    Ok(pending)
}
