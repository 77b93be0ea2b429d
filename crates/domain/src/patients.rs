//! Patients: who the clinic talks to and books for.

use crate::contact::{Email, PersonName, PhoneE164};
use crate::tenant::Locale;
use crate::{PatientId, TenantId};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    pub id: PatientId,
    pub tenant_id: TenantId,
    pub name: PersonName,
    /// Unique per tenant: the key for find-or-create from calls and messages.
    pub phone: PhoneE164,
    pub email: Option<Email>,
    pub birth_date: Option<Date>,
    pub locale: Locale,
    /// The patient's id in an external system of record (e.g. Ninsaúde), if any.
    pub external_id: Option<String>,
    pub created_at: Timestamp,
}

impl Patient {
    /// The first name, unless the clinic knows the patient only by number (the
    /// placeholder "Paciente 4321"): then `None`, and texts greet without a name.
    pub fn known_first_name(&self) -> Option<&str> {
        (!self.name.is_placeholder_for(&self.phone)).then(|| self.name.first_name())
    }

    pub fn new(
        tenant_id: TenantId,
        name: PersonName,
        phone: PhoneE164,
        locale: Locale,
        now: Timestamp,
    ) -> Self {
        Self {
            id: PatientId::new(),
            tenant_id,
            name,
            phone,
            email: None,
            birth_date: None,
            locale,
            external_id: None,
            created_at: now,
        }
    }
}
