//! Which jobs an appointment needs: its reminders, the risk check two days ahead and the
//! no-show check after it ends, each with a dedupe key so a move or a cancel can replace
//! or cancel them. Pure planning; `reminders` runs the jobs.

use frontdesk_domain::AppointmentId;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::scheduling::{Appointment, ReminderPolicy};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

pub const REMINDER_JOB: &str = "scheduling.reminder";
pub const NO_SHOW_JOB: &str = "scheduling.no_show_check";
/// Two days before: if the appointment is still unconfirmed and its no-show risk is high,
/// the patient is asked to confirm.
pub const RISK_CHECK_JOB: &str = "scheduling.risk_check";
/// How long before the start the risk check runs.
const RISK_CHECK_BEFORE: SignedDuration = SignedDuration::from_hours(48);

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Payload {
    pub appointment_id: AppointmentId,
    /// The start the job was scheduled for; a rescheduled appointment has another.
    pub start: Timestamp,
    #[serde(default)]
    pub offset_minutes: Option<u32>,
}

fn reminder_key(id: AppointmentId, offset: u32) -> String {
    format!("appointment:{id}:reminder:{offset}")
}

fn no_show_key(id: AppointmentId) -> String {
    format!("appointment:{id}:no_show")
}

fn risk_check_key(id: AppointmentId) -> String {
    format!("appointment:{id}:risk_check")
}

/// The jobs a booked appointment needs: a reminder per offset still in the future, and
/// the no-show check after the end plus grace.
pub fn jobs_for(a: &Appointment, policy: &ReminderPolicy, now: Timestamp) -> Vec<NewJob> {
    let mut jobs = Vec::new();
    for &offset in &policy.offsets_minutes {
        let at = a.start - SignedDuration::from_mins(i64::from(offset));
        if at > now {
            let payload = Payload { appointment_id: a.id, start: a.start, offset_minutes: Some(offset) };
            jobs.push(
                NewJob::new(a.tenant_id, REMINDER_JOB, serde_json::json!(payload), at)
                    .with_dedupe_key(reminder_key(a.id, offset)),
            );
        }
    }
    let risk_check_at = a.start - RISK_CHECK_BEFORE;
    if risk_check_at > now {
        let payload = Payload { appointment_id: a.id, start: a.start, offset_minutes: None };
        jobs.push(
            NewJob::new(a.tenant_id, RISK_CHECK_JOB, serde_json::json!(payload), risk_check_at)
                .with_dedupe_key(risk_check_key(a.id)),
        );
    }
    if let Some(at) = policy.no_show_check_at(a.end) {
        let payload = Payload { appointment_id: a.id, start: a.start, offset_minutes: None };
        jobs.push(
            NewJob::new(a.tenant_id, NO_SHOW_JOB, serde_json::json!(payload), at.max(now))
                .with_dedupe_key(no_show_key(a.id)),
        );
    }
    jobs
}

/// Dedupe keys of every job `jobs_for` could have scheduled under `policy`.
pub fn job_keys(id: AppointmentId, policy: &ReminderPolicy) -> Vec<String> {
    let mut keys: Vec<String> = policy.offsets_minutes.iter().map(|o| reminder_key(id, *o)).collect();
    keys.push(no_show_key(id));
    keys.push(risk_check_key(id));
    keys
}
