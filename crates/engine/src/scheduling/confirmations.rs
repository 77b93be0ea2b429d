//! The booking confirmation, for every way an appointment is made or moved: staff at the
//! desk, the API, the AI call, the public page. A confirmation job is enqueued with the
//! booking (same transaction), so a booking that commits is confirmed to the patient even
//! if the process dies right after. The one exception is a booking made inside a
//! conversation (the WhatsApp dialogue, the clinic's n8n flow): there the confirmation is
//! the turn's own reply, built from the same [`appointment_variables`], and the booking says
//! so with [`Confirmation::InConversation`].

use super::calendar::Calendar;
use super::notifier::{Notification, Notifier};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::AppointmentId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::Appointment;
use frontdesk_domain::tenant::Locale;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const CONFIRMATION_JOB: &str = "scheduling.confirmation";

/// Who tells the patient that the appointment is booked (or moved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Confirmation {
    /// Scheduling sends the confirmation on the patient's channel.
    #[default]
    Send,
    /// The caller answers the patient in the conversation the booking came from.
    InConversation,
    /// Nobody is told: seeded demo data, or a change that is not news to the patient.
    Silent,
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    appointment_id: AppointmentId,
    /// The version confirmed: a later change (moved again, cancelled) makes this job moot.
    version: i32,
}

/// The job that confirms `a` as it is now, once per version.
pub(super) fn confirmation_job(a: &Appointment, now: Timestamp) -> NewJob {
    let payload = Payload { appointment_id: a.id, version: a.version };
    NewJob::new(a.tenant_id, CONFIRMATION_JOB, serde_json::json!(payload), now)
        .with_dedupe_key(format!("appointment:{}:confirmation:v{}", a.id, a.version))
}

/// The template variables that describe an appointment to its patient, in the patient's
/// language: reminders, confirmations and the dialogue's replies all read the same.
pub fn appointment_variables(cal: &Calendar, a: &Appointment, patient: &Patient) -> serde_json::Value {
    let local = cal.zone(a.location_id).to_datetime(a.start);
    serde_json::json!({
        "appointment_id": a.id,
        "patient_first_name": patient.known_first_name().unwrap_or_default(),
        "date": patient_date(local.date(), patient.locale),
        "time": patient_time(local.time(), patient.locale),
        "practitioner": cal.practitioner(a.practitioner_id).map(|x| x.name.clone()).unwrap_or_default(),
        "location": cal.location(a.location_id).map(|x| x.name.clone()).unwrap_or_default(),
    })
}

/// A date as patients read it in their language: "qua, 03/06" or "Wed, Jun 3".
pub fn patient_date(d: jiff::civil::Date, locale: Locale) -> String {
    match locale {
        Locale::PtBr => {
            const DAYS: [&str; 7] = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"];
            let day = DAYS[d.weekday().to_monday_zero_offset().unsigned_abs() as usize % 7];
            format!("{day}, {:02}/{:02}", d.day(), d.month())
        }
        Locale::En => d.strftime("%a, %b %-d").to_string(),
    }
}

/// "14:30" in Brazil, "2:30 PM" in English.
pub fn patient_time(t: jiff::civil::Time, locale: Locale) -> String {
    match locale {
        Locale::PtBr => t.strftime("%H:%M").to_string(),
        Locale::En => t.strftime("%-I:%M %p").to_string(),
    }
}

struct ConfirmationHandler {
    ctx: Ctx,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for ConfirmationHandler {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let store = &self.ctx.store;
        let retry = |e: frontdesk_store::StoreError| JobError::retryable(e.to_string());
        let Some(a) = store.get_appointment(job.tenant_id, p.appointment_id).await.map_err(retry)? else {
            return Ok(());
        };
        // Moved again or cancelled before this ran: the newer version has its own word.
        if a.version != p.version || !a.status.is_pending() || a.start <= self.ctx.clock.now() {
            return Ok(());
        }
        let Some(patient) = store.get_patient(job.tenant_id, a.patient_id).await.map_err(retry)? else {
            return Ok(());
        };
        let cal =
            Calendar::load(&self.ctx, job.tenant_id).await.map_err(|e| JobError::retryable(e.to_string()))?;
        let mut variables = appointment_variables(&cal, &a, &patient);
        crate::links::add_appointment_links(&self.ctx, &cal.tenant, a.id, &mut variables);
        let notification = Notification {
            tenant_id: job.tenant_id,
            patient_id: patient.id,
            template: "appointment_confirmation".into(),
            variables,
            channel: None,
            once: Some(job.id.as_uuid()),
        };
        self.notifier.notify(&notification).await.map_err(JobError::from)
    }
}

pub(super) fn register(registry: &mut crate::jobs::JobRegistry, ctx: Ctx, notifier: Arc<dyn Notifier>) {
    registry.register(CONFIRMATION_JOB, ConfirmationHandler { ctx, notifier });
}

#[cfg(test)]
mod tests {
    use super::{patient_date, patient_time};
    use frontdesk_domain::tenant::Locale;

    #[test]
    fn dates_and_times_read_naturally() {
        let d = jiff::civil::date(2026, 6, 3);
        assert_eq!(patient_date(d, Locale::PtBr), "qua, 03/06");
        assert_eq!(patient_date(d, Locale::En), "Wed, Jun 3");
        let t = jiff::civil::time(14, 30, 0, 0);
        assert_eq!(patient_time(t, Locale::PtBr), "14:30");
        assert_eq!(patient_time(t, Locale::En), "2:30 PM");
    }
}
