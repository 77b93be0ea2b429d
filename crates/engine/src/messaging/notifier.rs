//! Scheduling's `Notifier`, for real: every notification is recorded (what the clinic
//! asked to say) and sent as a templated message on the patient's channel, subject to
//! consent, quiet hours and the WhatsApp window.

use super::MessagingFailure;
use super::outbound::{Content, SendKey, SendRequest, send, send_keyed};
use crate::Ctx;
use crate::scheduling::{Notification, Notifier, NotifyError, SandboxNotifier};
use async_trait::async_trait;
use frontdesk_domain::messaging::{Channel, TemplateKey};

pub struct MessagingNotifier {
    pub ctx: Ctx,
}

fn template_key(name: &str) -> Option<TemplateKey> {
    TemplateKey::ALL.iter().copied().find(|k| k.as_str() == name)
}

#[async_trait]
impl Notifier for MessagingNotifier {
    async fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        SandboxNotifier { ctx: self.ctx.clone() }.notify(n).await?;
        let key = template_key(&n.template)
            .ok_or_else(|| NotifyError::Permanent(format!("unknown template {:?}", n.template)))?;
        let channel = n.channel.as_deref().and_then(|c| c.parse().ok()).unwrap_or(Channel::Whatsapp);
        let request = SendRequest {
            tenant_id: n.tenant_id,
            patient_id: n.patient_id,
            channel,
            content: Content::Template { key, variables: n.variables.clone() },
            automated: true,
            by: frontdesk_domain::messaging::Sender::Automation,
            campaign: None,
        };
        let sent = match n.once {
            Some(anchor) => {
                send_keyed(&self.ctx, request, SendKey { anchor, purpose: "notification", seq: 0 }).await
            }
            None => send(&self.ctx, request).await,
        };
        match sent {
            Ok(_) => Ok(()),
            // Recorded on the conversation as a skipped message; nothing to retry.
            Err(MessagingFailure::OptedOut | MessagingFailure::NoApprovedTemplate(_)) => Ok(()),
            Err(MessagingFailure::Store(e)) => Err(NotifyError::Retryable(e.to_string())),
            Err(e) => Err(NotifyError::Permanent(e.to_string())),
        }
    }
}
