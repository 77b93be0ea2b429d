//! The waitlist: patients who want an earlier (or any) time for a service, and the offers
//! made to them when a slot frees. Pure rules: which entries a freed slot suits
//! ([`matching`]), in what order they are offered it ([`ranking`]), and how an offer moves.

mod matching;
mod ranking;

pub use matching::{FreedSlot, suits};
pub use ranking::{Candidate, rank};

use crate::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// A time of the week a patient can come: some weekdays (Monday = 0; none = any day),
/// from one local time to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    #[serde(default)]
    pub weekdays: Vec<u8>,
    pub from: Time,
    pub to: Time,
}

/// Where an entry stands: waiting for offers, done (booked through an offer), or taken
/// off the list (by staff, by the patient, or because it lapsed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Waiting,
    Booked,
    Removed,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Booked => "booked",
            Self::Removed => "removed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Waiting, Self::Booked, Self::Removed].into_iter().find(|x| x.as_str() == s)
    }
}

/// One patient waiting for a service, possibly with one practitioner or unit, at the
/// times they can come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub service_id: ServiceId,
    pub practitioner_id: Option<PractitionerId>,
    pub location_id: Option<LocationId>,
    /// Empty: any time the clinic is open.
    pub windows: Vec<TimeWindow>,
    /// No offers for days after this one (the patient needs it before then).
    pub not_after: Option<Date>,
    pub status: EntryStatus,
    /// Who put the patient on the list: `api`, `staff`, `dialogue`.
    pub source: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The most windows one entry may have (a week's worth of mornings and afternoons).
pub const MAX_WINDOWS: usize = 14;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WaitlistError {
    #[error("windows: at most {MAX_WINDOWS} time windows")]
    TooManyWindows,
    #[error("windows[{0}]: `from` must be before `to`")]
    EmptyWindow(usize),
    #[error("windows[{0}]: weekdays are 0 (Monday) to 6 (Sunday)")]
    BadWeekday(usize),
    #[error("not_after: the date has passed")]
    LapsedBeforeJoining,
}

impl WaitlistEntry {
    /// Checks what a client sent before the entry is stored.
    pub fn validate(&self, today: Date) -> Result<(), WaitlistError> {
        if self.windows.len() > MAX_WINDOWS {
            return Err(WaitlistError::TooManyWindows);
        }
        for (i, w) in self.windows.iter().enumerate() {
            if w.from >= w.to {
                return Err(WaitlistError::EmptyWindow(i));
            }
            if w.weekdays.iter().any(|d| *d > 6) {
                return Err(WaitlistError::BadWeekday(i));
            }
        }
        if self.not_after.is_some_and(|d| d < today) {
            return Err(WaitlistError::LapsedBeforeJoining);
        }
        Ok(())
    }
}

/// Where an offer stands. Only a pending offer moves, and only once: to accepted (the
/// patient booked it), taken (someone else did first), expired, or declined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Pending,
    Accepted,
    Taken,
    Expired,
    Declined,
}

impl OfferStatus {
    pub const ALL: [Self; 5] = [Self::Pending, Self::Accepted, Self::Taken, Self::Expired, Self::Declined];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Taken => "taken",
            Self::Expired => "expired",
            Self::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A freed slot offered to one waitlisted patient, until `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitlistOffer {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub entry_id: Uuid,
    pub patient_id: PatientId,
    pub slot: FreedSlot,
    pub status: OfferStatus,
    /// 1 for the first patients asked, 2 for the next few once those offers expired...
    pub round: u32,
    /// When the offer goes out (after quiet hours, if it was made during them).
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    /// The appointment booked through this offer.
    pub appointment_id: Option<AppointmentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The clinic's waitlist rules (settings section `waitlist`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaitlistSettings {
    /// Freed slots are offered to waitlisted patients.
    pub enabled: bool,
    /// How many patients are offered a slot at once.
    pub offers_at_once: u32,
    /// How long an offer stands before the next patients are asked.
    pub offer_minutes: u32,
    /// A slot this close to its start is no longer offered.
    pub min_notice_minutes: u32,
}

impl Default for WaitlistSettings {
    fn default() -> Self {
        Self { enabled: true, offers_at_once: 3, offer_minutes: 30, min_notice_minutes: 60 }
    }
}

impl WaitlistSettings {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=10).contains(&self.offers_at_once) {
            return Err("waitlist.offers_at_once must be 1 to 10".into());
        }
        if !(5..=24 * 60).contains(&self.offer_minutes) {
            return Err("waitlist.offer_minutes must be 5 to 1440".into());
        }
        if self.min_notice_minutes > 7 * 24 * 60 {
            return Err("waitlist.min_notice_minutes must be at most 10080".into());
        }
        Ok(())
    }
}

/// The patient asks to be put on the waitlist ("lista de espera", "fila de espera",
/// "waitlist", "waiting list"), in either language, accents and case aside.
pub fn asks_for_waitlist(text: &str) -> bool {
    let t = crate::nlu::normalize(text);
    ["lista de espera", "fila de espera", "waitlist", "wait list", "waiting list", "wait-list"]
        .iter()
        .any(|k| t.contains(k))
}

/// A waiting entry for `service`, joined at `at`, with no preferences: for tests.
#[cfg(test)]
pub(crate) fn sample_entry(service: ServiceId, at: Timestamp) -> WaitlistEntry {
    WaitlistEntry {
        id: Uuid::now_v7(),
        tenant_id: TenantId::new(),
        patient_id: PatientId::new(),
        service_id: service,
        practitioner_id: None,
        location_id: None,
        windows: Vec::new(),
        not_after: None,
        status: EntryStatus::Waiting,
        source: "api".into(),
        created_at: at,
        updated_at: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn asking_for_the_waitlist_in_either_language() {
        for yes in [
            "LISTA DE ESPERA",
            "me coloca na fila de espera?",
            "Put me on the waitlist",
            "waiting list please",
        ] {
            assert!(asks_for_waitlist(yes), "{yes}");
        }
        for no in ["quero marcar", "esperar na recepção", "list my appointments"] {
            assert!(!asks_for_waitlist(no), "{no}");
        }
    }

    fn entry(windows: Vec<TimeWindow>) -> WaitlistEntry {
        WaitlistEntry { windows, ..sample_entry(ServiceId::new(), Timestamp::UNIX_EPOCH) }
    }

    #[test]
    fn windows_are_checked_with_the_index_of_the_bad_one() {
        let today = date(2026, 6, 1);
        let ok = TimeWindow { weekdays: vec![0, 2], from: time(8, 0, 0, 0), to: time(12, 0, 0, 0) };
        assert_eq!(entry(vec![ok.clone()]).validate(today), Ok(()));
        let backwards = TimeWindow { from: time(12, 0, 0, 0), to: time(8, 0, 0, 0), ..ok.clone() };
        assert_eq!(entry(vec![ok.clone(), backwards]).validate(today), Err(WaitlistError::EmptyWindow(1)));
        let sunday_plus = TimeWindow { weekdays: vec![7], ..ok.clone() };
        assert_eq!(entry(vec![sunday_plus]).validate(today), Err(WaitlistError::BadWeekday(0)));
        assert_eq!(entry(vec![ok; 15]).validate(today), Err(WaitlistError::TooManyWindows));
        let mut lapsed = entry(vec![]);
        lapsed.not_after = Some(date(2026, 5, 31));
        assert_eq!(lapsed.validate(today), Err(WaitlistError::LapsedBeforeJoining));
    }

    #[test]
    fn settings_reject_what_would_spam_or_stall() {
        assert!(WaitlistSettings::default().validate().is_ok());
        let all = WaitlistSettings { offers_at_once: 50, ..Default::default() };
        assert!(all.validate().unwrap_err().contains("offers_at_once"));
        let instant = WaitlistSettings { offer_minutes: 1, ..Default::default() };
        assert!(instant.validate().unwrap_err().contains("offer_minutes"));
    }
}
