//! An appointment as an iCalendar file, for staff (the API) and for patients (the signed
//! link in their confirmation).

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::scheduling::{Appointment, CalendarEvent, appointment_ics};
use frontdesk_store::{StoreError, StoreResult};

pub async fn calendar_file(ctx: &Ctx, tenant_id: TenantId, a: &Appointment) -> StoreResult<String> {
    let store = &ctx.store;
    let tenant = store.tenant_by_id(tenant_id).await?.ok_or(StoreError::NotFound)?;
    let service = store.list_services(tenant_id).await?.into_iter().find(|s| s.id == a.service_id);
    let practitioner =
        store.list_practitioners(tenant_id).await?.into_iter().find(|p| p.id == a.practitioner_id);
    let location = store.list_locations(tenant_id).await?.into_iter().find(|l| l.id == a.location_id);
    let summary = format!(
        "{} - {}",
        service.map(|s| s.name).unwrap_or_else(|| "Consulta".into()),
        practitioner.map(|p| p.name).unwrap_or_default()
    );
    let place = location.map(|l| match l.address {
        Some(addr) => format!("{}, {addr}", l.name),
        None => l.name,
    });
    let event = CalendarEvent {
        appointment_id: a.id,
        start: a.start,
        end: a.end,
        stamp: a.updated_at,
        sequence: u32::try_from(a.version - 1).unwrap_or(0),
        summary: &summary,
        location: place.as_deref(),
        description: Some(tenant.name.as_str()),
        status: a.status,
    };
    Ok(appointment_ics(&event))
}
