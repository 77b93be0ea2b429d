//! Patients' data rights (LGPD / HIPAA): how long a clinic keeps conversation content,
//! what a retention run did, what erasing a person changed, and how the audit trail is
//! searched.

mod retention;

pub use retention::*;

use crate::PatientId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What erasing one patient changed, by kind of record: the answer of the erase request
/// and nothing more (no values, so it can be logged and audited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureCounts {
    pub patients: u64,
    pub messages: u64,
    pub calls: u64,
    pub transcript_turns: u64,
    pub leads: u64,
    pub provider_payloads: u64,
    pub other_rows: u64,
    pub jobs_cancelled: u64,
}

/// The outcome of an erasure request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub patient_id: PatientId,
    pub erased_at: Timestamp,
    /// False when the patient had been erased before (the request changed nothing new).
    pub first_time: bool,
    pub counts: ErasureCounts,
}

/// Whether `confirm` repeats the patient's id, as an erasure request must (erasing cannot
/// be undone, so a request has to name the very person, not just reach the route).
pub fn confirms_erasure(patient: PatientId, confirm: &str) -> bool {
    uuid::Uuid::try_parse(confirm.trim()).is_ok_and(|id| id == patient.0)
}

/// The text an erased patient's name becomes.
pub const ERASED_NAME: &str = "[erased]";
/// What erased text inside a kept record (an event detail, a provider payload) becomes.
pub const ERASED_TEXT: &str = "[erased]";

/// Which audit entries to list: every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Exact actor, e.g. `api_key:fd_ab12` or `user:<id>`.
    pub actor: Option<String>,
    /// Exact action, e.g. `read`, `export`, `erase`.
    pub action: Option<String>,
    /// The patient the entry is about.
    pub patient_id: Option<PatientId>,
    /// Exact resource type, e.g. `patient`.
    pub resource_type: Option<String>,
    /// Exact resource id.
    pub resource_id: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<Timestamp>,
    /// Entries before this instant.
    pub to: Option<Timestamp>,
}

#[cfg(test)]
mod erasure_tests {
    use super::*;

    #[test]
    fn an_erasure_is_confirmed_only_by_the_patients_own_id() {
        let id = PatientId::new();
        assert!(confirms_erasure(id, &id.to_string()));
        assert!(confirms_erasure(id, &format!("  {}\n", id.0.simple())), "any uuid spelling, trimmed");
        assert!(!confirms_erasure(id, &PatientId::new().to_string()));
        assert!(!confirms_erasure(id, "yes"));
        assert!(!confirms_erasure(id, ""));
    }
}
