//! Ninsaúde Clinic, the clinic-management system some tenants keep as their calendar of
//! record (`PROVIDERS.md` section 4; the protocol is known only from third-party clients).
//!
//! [`NinsaudeClient`] logs in with the OAuth password grant, caches the 15-minute access
//! token and renews it with the refresh token, and maps the Portuguese wire format onto the
//! neutral types of [`types`]. Callers depend on the [`NinsaudeApi`] trait so that the
//! engine's scheduling backend can be tested with a fake.

mod auth;
mod client;
mod config;
mod error;
mod types;
mod wire;

pub use client::NinsaudeClient;
pub use config::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT, NinsaudeConfig};
pub use error::NinsaudeError;
pub use types::{
    NewNinsaudePatient, NinsaudeBooking, NinsaudeFreeSlot, NinsaudeId, NinsaudePatient, NinsaudeProfessional,
    phone_digits,
};

use async_trait::async_trait;
use jiff::civil::Date;

/// What Frontdesk needs from Ninsaúde. Every method is one or two HTTP calls; none retries
/// on its own beyond renewing an expired token, because retries belong to the job runner,
/// which knows about back-off and idempotency ([`NinsaudeError::is_retryable`]).
#[async_trait]
pub trait NinsaudeApi: Send + Sync {
    /// The clinic's professionals (first page of 50, as the API lists them).
    async fn list_professionals(&self) -> Result<Vec<NinsaudeProfessional>, NinsaudeError>;

    /// Free slots of one professional between two dates, both inclusive, in the configured
    /// unit. Times are the clinic's wall-clock times.
    async fn free_slots(
        &self,
        professional_id: NinsaudeId,
        from: Date,
        to: Date,
    ) -> Result<Vec<NinsaudeFreeSlot>, NinsaudeError>;

    /// The patient whose `telefone1` is this phone number, if any. Non-digits are ignored.
    async fn find_patient_by_phone(&self, phone: &str) -> Result<Option<NinsaudePatient>, NinsaudeError>;

    /// Registers a new patient and returns it with the id Ninsaúde gave it.
    async fn create_patient(&self, patient: &NewNinsaudePatient) -> Result<NinsaudePatient, NinsaudeError>;

    /// Looks the patient up by phone and registers them only when nobody has that phone.
    ///
    /// Not atomic: Ninsaúde offers no idempotency key, so two concurrent calls for the same
    /// new phone can register the patient twice. Callers serialise per patient (the engine
    /// books one conversation at a time) rather than this client guessing.
    async fn find_or_create_patient(
        &self,
        patient: &NewNinsaudePatient,
    ) -> Result<NinsaudePatient, NinsaudeError> {
        match self.find_patient_by_phone(&patient.phone).await? {
            Some(found) => Ok(found),
            None => self.create_patient(patient).await,
        }
    }

    /// Books an appointment and returns Ninsaúde's id for it.
    async fn create_appointment(&self, booking: &NinsaudeBooking) -> Result<NinsaudeId, NinsaudeError>;

    /// Deletes an appointment. A 404 (already gone) comes back as
    /// [`NinsaudeError::Rejected`] so the caller decides whether that counts as success.
    async fn cancel_appointment(&self, appointment_id: NinsaudeId) -> Result<(), NinsaudeError>;
}
