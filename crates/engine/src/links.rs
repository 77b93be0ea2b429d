//! Links a patient can open without an account: an appointment's calendar file, the page
//! that reschedules or cancels it, and the online booking form. Each is signed with the
//! server's link secret (`link_secret`, or one derived from the encryption key), so it
//! cannot be guessed from an appointment id; without a secret no such link is made or
//! honoured.
//!
//! A token names what it opens (`LinkPurpose`): the calendar-file link of an appointment
//! cannot be replayed to cancel it.

use crate::Ctx;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::{AppointmentId, PatientId, TenantId};
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What a signed link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The appointment's `.ics` file.
    Calendar,
    /// The page where the patient reschedules or cancels the appointment.
    Manage,
}

impl LinkPurpose {
    fn tag(self) -> &'static str {
        match self {
            Self::Calendar => "ics",
            Self::Manage => "manage",
        }
    }
}

/// How long a booking form stays valid after it was shown: long enough to find one's
/// documents, short enough that a harvested form is soon useless to a bot.
pub const FORM_TOKEN_SECONDS: i64 = 2 * 60 * 60;

/// How long a personal booking link works: a campaign's patient may answer weeks later.
pub const INVITE_SECONDS: i64 = 30 * 24 * 60 * 60;

pub struct LinkSigner {
    secret: SecretString,
}

impl LinkSigner {
    pub fn new(secret: SecretString) -> Self {
        Self { secret }
    }

    fn mac(&self, message: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(message.as_bytes());
        // 128 bits: unguessable, and short enough for a WhatsApp message.
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The token of `purpose` for one appointment.
    pub fn token(&self, purpose: LinkPurpose, tenant: TenantId, appointment: AppointmentId) -> String {
        self.mac(&format!("{}:{tenant}:{appointment}", purpose.tag()))
    }

    pub fn verify(
        &self,
        purpose: LinkPurpose,
        tenant: TenantId,
        appointment: AppointmentId,
        token: &str,
    ) -> bool {
        self.token(purpose, tenant, appointment).as_bytes().ct_eq(token.as_bytes()).into()
    }

    /// A token for a booking form shown at `issued`: `{seconds}.{mac}`. Posting the form
    /// needs it, so a script must fetch a fresh page first; it carries no patient data.
    pub fn form_token(&self, tenant: TenantId, issued: Timestamp) -> String {
        self.timed(&format!("book-form:{tenant}"), issued)
    }

    /// Whether `token` is a form token of this tenant, issued in the last
    /// `FORM_TOKEN_SECONDS` (and not in the future, beyond a minute of clock skew).
    pub fn verify_form_token(&self, tenant: TenantId, token: &str, now: Timestamp) -> bool {
        self.verify_timed(&format!("book-form:{tenant}"), token, now, FORM_TOKEN_SECONDS)
    }

    /// A personal booking link's token: the booking page knows the patient, who then
    /// books without typing their details. Valid `INVITE_SECONDS`.
    pub fn invite_token(&self, tenant: TenantId, patient: PatientId, issued: Timestamp) -> String {
        self.timed(&format!("invite:{tenant}:{patient}"), issued)
    }

    pub fn verify_invite(&self, tenant: TenantId, patient: PatientId, token: &str, now: Timestamp) -> bool {
        self.verify_timed(&format!("invite:{tenant}:{patient}"), token, now, INVITE_SECONDS)
    }

    /// The token of a patient's unsubscribe link. It does not expire: an e-mail read a
    /// year later must still unsubscribe.
    pub fn unsubscribe_token(&self, tenant: TenantId, patient: PatientId) -> String {
        self.mac(&format!("unsubscribe:{tenant}:{patient}"))
    }

    pub fn verify_unsubscribe(&self, tenant: TenantId, patient: PatientId, token: &str) -> bool {
        self.unsubscribe_token(tenant, patient).as_bytes().ct_eq(token.as_bytes()).into()
    }

    fn timed(&self, label: &str, issued: Timestamp) -> String {
        let secs = issued.as_second();
        format!("{secs}.{}", self.mac(&format!("{label}:{secs}")))
    }

    fn verify_timed(&self, label: &str, token: &str, now: Timestamp, max_age: i64) -> bool {
        let Some((secs, mac)) = token.split_once('.') else { return false };
        let Ok(secs) = secs.parse::<i64>() else { return false };
        let age = now.as_second().saturating_sub(secs);
        if !(-60..=max_age).contains(&age) {
            return false;
        }
        self.mac(&format!("{label}:{secs}")).as_bytes().ct_eq(mac.as_bytes()).into()
    }
}

fn base(ctx: &Ctx) -> &str {
    ctx.public_url.trim_end_matches('/')
}

/// The public calendar-file link of an appointment, when links are configured.
pub fn ics_url(ctx: &Ctx, tenant: &Tenant, appointment: AppointmentId) -> Option<String> {
    let signer = ctx.links.as_ref()?;
    Some(format!(
        "{}/public/{}/appointments/{appointment}.ics?token={}",
        base(ctx),
        tenant.slug.as_str(),
        signer.token(LinkPurpose::Calendar, tenant.id, appointment)
    ))
}

/// The path (from the site's root) of the page where the patient reschedules or cancels.
pub fn manage_path(ctx: &Ctx, tenant: &Tenant, appointment: AppointmentId) -> Option<String> {
    let signer = ctx.links.as_ref()?;
    Some(format!(
        "/book/{}/appointment/{appointment}?token={}",
        tenant.slug.as_str(),
        signer.token(LinkPurpose::Manage, tenant.id, appointment)
    ))
}

/// The same page as a full link, for messages.
pub fn manage_url(ctx: &Ctx, tenant: &Tenant, appointment: AppointmentId) -> Option<String> {
    manage_path(ctx, tenant, appointment).map(|path| format!("{}{path}", base(ctx)))
}

/// A patient's personal link to the booking page, when links are configured.
pub fn booking_url(ctx: &Ctx, tenant: &Tenant, patient: PatientId) -> Option<String> {
    let signer = ctx.links.as_ref()?;
    let token = signer.invite_token(tenant.id, patient, ctx.clock.now());
    Some(format!("{}/book/{}?patient={patient}&invite={token}", base(ctx), tenant.slug.as_str()))
}

/// A patient's one-click unsubscribe link (RFC 8058), when links are configured.
pub fn unsubscribe_url(ctx: &Ctx, tenant: &Tenant, patient: PatientId) -> Option<String> {
    let signer = ctx.links.as_ref()?;
    Some(format!(
        "{}/unsubscribe/{}/{patient}?token={}",
        base(ctx),
        tenant.slug.as_str(),
        signer.unsubscribe_token(tenant.id, patient)
    ))
}

/// Adds the appointment's links (`ics_url`, `manage_url`) to a confirmation's template
/// variables, when links are configured.
pub fn add_appointment_links(
    ctx: &Ctx,
    tenant: &Tenant,
    appointment: AppointmentId,
    vars: &mut serde_json::Value,
) {
    if let Some(url) = ics_url(ctx, tenant, appointment) {
        vars["ics_url"] = serde_json::json!(url);
    }
    if let Some(url) = manage_url(ctx, tenant, appointment) {
        vars["manage_url"] = serde_json::json!(url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_appointment_and_purpose() {
        let s = LinkSigner::new(SecretString::from("k"));
        let (t, a) = (TenantId::new(), AppointmentId::new());
        let token = s.token(LinkPurpose::Calendar, t, a);
        assert_eq!(token.len(), 32);
        assert!(s.verify(LinkPurpose::Calendar, t, a, &token));
        assert!(!s.verify(LinkPurpose::Manage, t, a, &token), "a calendar link does not manage");
        assert!(!s.verify(LinkPurpose::Calendar, t, AppointmentId::new(), &token));
        assert!(!s.verify(LinkPurpose::Calendar, TenantId::new(), a, &token));
        assert!(!LinkSigner::new(SecretString::from("other")).verify(LinkPurpose::Calendar, t, a, &token));
        assert!(!s.verify(LinkPurpose::Calendar, t, a, ""));
    }

    #[test]
    fn form_tokens_expire_and_belong_to_one_clinic() {
        let s = LinkSigner::new(SecretString::from("k"));
        let t = TenantId::new();
        let issued: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let token = s.form_token(t, issued);
        let later = |secs: i64| issued.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap();
        assert!(s.verify_form_token(t, &token, later(5)));
        assert!(s.verify_form_token(t, &token, later(FORM_TOKEN_SECONDS)));
        assert!(!s.verify_form_token(t, &token, later(FORM_TOKEN_SECONDS + 1)), "expired");
        assert!(!s.verify_form_token(t, &token, later(-120)), "issued in the future");
        assert!(!s.verify_form_token(TenantId::new(), &token, later(5)), "another clinic's form");
        let forged = format!("{}.{}", issued.as_second() + 60, token.split_once('.').unwrap().1);
        assert!(!s.verify_form_token(t, &forged, later(5)), "the time is signed");
        for junk in ["", ".", "abc", "1.2", "x.y", "-9223372036854775808.0"] {
            assert!(!s.verify_form_token(t, junk, later(5)), "{junk:?}");
        }
    }

    #[test]
    fn invites_name_one_patient_and_last_a_month() {
        let s = LinkSigner::new(SecretString::from("k"));
        let (t, p) = (TenantId::new(), PatientId::new());
        let issued: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let token = s.invite_token(t, p, issued);
        let later = |secs: i64| issued.checked_add(jiff::SignedDuration::from_secs(secs)).unwrap();
        assert!(s.verify_invite(t, p, &token, later(INVITE_SECONDS)));
        assert!(!s.verify_invite(t, p, &token, later(INVITE_SECONDS + 1)));
        assert!(!s.verify_invite(t, PatientId::new(), &token, later(5)), "another patient");
        assert!(!s.verify_form_token(t, &token, later(5)), "an invite is not a form token");
    }
}
