//! Links a patient can open without an account: an appointment's calendar file. Each is
//! signed with the server's link secret (`FRONTDESK_LINK_SECRET`), so it cannot be guessed
//! from an appointment id; without a secret configured no such link is made or honoured.

use crate::Ctx;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::{AppointmentId, TenantId};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub struct LinkSigner {
    secret: SecretString,
}

impl LinkSigner {
    pub fn new(secret: SecretString) -> Self {
        Self { secret }
    }

    fn token(&self, tenant: TenantId, appointment: AppointmentId) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(format!("ics:{tenant}:{appointment}").as_bytes());
        // 128 bits: unguessable, and short enough for a WhatsApp message.
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    pub fn verify(&self, tenant: TenantId, appointment: AppointmentId, token: &str) -> bool {
        self.token(tenant, appointment).as_bytes().ct_eq(token.as_bytes()).into()
    }
}

/// The public calendar-file link of an appointment, when links are configured.
pub fn ics_url(ctx: &Ctx, tenant: &Tenant, appointment: AppointmentId) -> Option<String> {
    let signer = ctx.links.as_ref()?;
    Some(format!(
        "{}/public/{}/appointments/{appointment}.ics?token={}",
        ctx.public_url.trim_end_matches('/'),
        tenant.slug.as_str(),
        signer.token(tenant.id, appointment)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_appointment() {
        let s = LinkSigner::new(SecretString::from("k"));
        let (t, a) = (TenantId::new(), AppointmentId::new());
        let token = s.token(t, a);
        assert_eq!(token.len(), 32);
        assert!(s.verify(t, a, &token));
        assert!(!s.verify(t, AppointmentId::new(), &token));
        assert!(!s.verify(TenantId::new(), a, &token));
        assert!(!LinkSigner::new(SecretString::from("other")).verify(t, a, &token));
        assert!(!s.verify(t, a, ""));
    }
}
