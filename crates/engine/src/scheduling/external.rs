//! An external system of record for the calendar (Ninsaúde today). When a tenant enables
//! one, free time comes from it and bookings are created there first, then mirrored
//! locally with the external id; if it cannot be reached, the booking fails loudly (502)
//! rather than existing only in Frontdesk.

use crate::Ctx;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::settings::{NinsaudeSettings, SchedulingBackendKind, TenantSettings};
use frontdesk_providers::ninsaude::{
    NewNinsaudePatient, NinsaudeApi, NinsaudeBooking, NinsaudeClient, NinsaudeConfig, NinsaudeError,
    NinsaudeId, phone_digits,
};
use jiff::civil::{Date, Time};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The external system's name in `external_ids`.
pub const NINSAUDE: &str = "ninsaude";

/// A failure of the external system, phrased without personal data.
#[derive(Debug, Clone)]
pub struct UpstreamError(pub String);

/// A free interval in the external agenda, in the clinic's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeInterval {
    pub date: Date,
    pub start: Time,
    pub end: Time,
}

pub struct ExternalBooking<'a> {
    pub patient: &'a Patient,
    pub professional: &'a str,
    pub service: Option<&'a str>,
    pub date: Date,
    pub start: Time,
    pub end: Time,
}

/// What the external system answered for a booking.
pub struct ExternalBooked {
    pub appointment_id: String,
    pub patient_id: String,
}

#[async_trait]
pub trait ExternalCalendar: Send + Sync {
    async fn free_intervals(
        &self,
        professional: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<FreeInterval>, UpstreamError>;
    async fn book(&self, booking: ExternalBooking<'_>) -> Result<ExternalBooked, UpstreamError>;
    /// Cancels; an appointment the system no longer knows counts as cancelled.
    async fn cancel(&self, appointment_id: &str) -> Result<(), UpstreamError>;
}

fn upstream(e: NinsaudeError) -> UpstreamError {
    UpstreamError(format!("Ninsaúde: {e}"))
}

fn id(raw: &str, what: &str) -> Result<NinsaudeId, UpstreamError> {
    raw.parse().map_err(|_| UpstreamError(format!("the mapped Ninsaúde {what} id {raw:?} is not a number")))
}

struct Ninsaude(NinsaudeClient);

#[async_trait]
impl ExternalCalendar for Ninsaude {
    async fn free_intervals(
        &self,
        professional: &str,
        from: Date,
        to: Date,
    ) -> Result<Vec<FreeInterval>, UpstreamError> {
        let slots = self.0.free_slots(id(professional, "professional")?, from, to).await.map_err(upstream)?;
        Ok(slots.into_iter().map(|s| FreeInterval { date: s.date, start: s.start, end: s.end }).collect())
    }

    async fn book(&self, b: ExternalBooking<'_>) -> Result<ExternalBooked, UpstreamError> {
        let patient_id = match b.patient.external_id.as_deref() {
            Some(known) => id(known, "patient")?,
            None => {
                // Ninsaúde keeps Brazilian numbers without the country code.
                let digits = phone_digits(b.patient.phone.as_str());
                let local = digits.strip_prefix("55").filter(|d| d.len() >= 10).unwrap_or(&digits).to_owned();
                let new = NewNinsaudePatient {
                    name: b.patient.name.as_str().to_owned(),
                    phone: local,
                    email: b.patient.email.as_ref().map(|e| e.as_str().to_owned()),
                    birth_date: b.patient.birth_date,
                };
                self.0.find_or_create_patient(&new).await.map_err(upstream)?.id
            }
        };
        let booking = NinsaudeBooking {
            professional_id: id(b.professional, "professional")?,
            date: b.date,
            start: b.start,
            end: b.end,
            patient_id,
            service_id: b.service.map(|s| id(s, "service")).transpose()?,
            specialty_id: None,
        };
        let appointment = self.0.create_appointment(&booking).await.map_err(upstream)?;
        Ok(ExternalBooked { appointment_id: appointment.to_string(), patient_id: patient_id.to_string() })
    }

    async fn cancel(&self, appointment_id: &str) -> Result<(), UpstreamError> {
        match self.0.cancel_appointment(id(appointment_id, "appointment")?).await {
            Ok(()) | Err(NinsaudeError::Rejected { status: 404, .. }) => Ok(()),
            Err(e) => Err(upstream(e)),
        }
    }
}

/// One client per tenant, kept while its settings stay the same, so OAuth tokens are reused
/// across requests instead of logging in every time.
/// A client and the settings fingerprint it was built from.
type CachedClient = (String, Arc<dyn ExternalCalendar>);

#[derive(Default)]
pub struct ExternalCalendars {
    clients: Mutex<HashMap<TenantId, CachedClient>>,
}

fn fingerprint(s: &NinsaudeSettings) -> String {
    format!("{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}", s.base_url, s.account, s.username, s.password, s.account_unit)
}

impl ExternalCalendars {
    /// The tenant's external calendar, or `None` when Frontdesk's own calendar is the record.
    pub fn for_tenant(
        &self,
        ctx: &Ctx,
        tenant: TenantId,
        settings: &TenantSettings,
    ) -> Result<Option<Arc<dyn ExternalCalendar>>, UpstreamError> {
        if settings.scheduling.backend != SchedulingBackendKind::Ninsaude {
            return Ok(None);
        }
        let Some(n) = settings.scheduling.ninsaude.as_ref() else {
            return Err(UpstreamError("Ninsaúde is the scheduling backend but has no credentials".into()));
        };
        let key = fingerprint(n);
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, client)) = clients.get(&tenant)
            && *k == key
        {
            return Ok(Some(client.clone()));
        }
        let config = NinsaudeConfig::new(&n.account, &n.username, SecretString::from(n.password.clone()))
            .with_base_url(&n.base_url)
            .with_account_unit(n.account_unit)
            .with_private_network(ctx.media.allow_private_network);
        let client = NinsaudeClient::with_clock(config, ctx.clock.clone()).map_err(upstream)?;
        let client: Arc<dyn ExternalCalendar> = Arc::new(Ninsaude(client));
        clients.insert(tenant, (key, client.clone()));
        Ok(Some(client))
    }
}
