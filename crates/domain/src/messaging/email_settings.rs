//! A clinic's e-mail: the address it writes from, the SMTP server that sends (none: the
//! sandbox records the mail as delivered), and the secrets its inbound webhooks carry.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The sender address; replies come back to it (the inbound webhook's mailbox).
    pub from_address: String,
    /// The name shown beside it; the clinic's name when absent.
    #[serde(default)]
    pub from_name: Option<String>,
    /// Without it, e-mail goes through the sandbox (recorded, never sent).
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// Mailgun's webhook signing key, for `/webhooks/email/{tenant}/mailgun`. Write-only.
    #[serde(default)]
    pub mailgun_signing_key: Option<String>,
    /// The secret in the SendGrid Inbound Parse URL
    /// (`/webhooks/email/{tenant}/sendgrid?token=...`). Write-only.
    #[serde(default)]
    pub inbound_token: Option<String>,
    /// The clinic's inbox is a Gmail (Google Workspace) mailbox read through its API.
    #[serde(default)]
    pub gmail: Option<GmailSettings>,
}

/// Gmail: an OAuth client and a refresh token with `gmail.readonly` (or `gmail.modify`),
/// the Pub/Sub topic `users.watch` publishes to, and how its pushes are authenticated
/// (a secret in the push URL, or Google's signed token for an audience and service
/// account).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GmailSettings {
    pub client_id: String,
    /// Write-only.
    pub client_secret: String,
    /// Write-only.
    pub refresh_token: String,
    /// `projects/<project>/topics/<topic>`; the watch is renewed daily.
    #[serde(default)]
    pub topic: Option<String>,
    /// The secret in the push URL (`/webhooks/gmail/{tenant}?token=...`). Write-only.
    #[serde(default)]
    pub push_token: Option<String>,
    /// The audience of the push subscription's OIDC token (by default its endpoint URL).
    #[serde(default)]
    pub push_audience: Option<String>,
    /// The service account the push subscription signs as.
    #[serde(default)]
    pub push_service_account: Option<String>,
    #[serde(default = "default_gmail_api")]
    pub api_base_url: String,
    #[serde(default = "default_google_token")]
    pub token_url: String,
    #[serde(default = "default_google_certs")]
    pub certs_url: String,
}

fn default_gmail_api() -> String {
    "https://gmail.googleapis.com".into()
}

fn default_google_token() -> String {
    "https://oauth2.googleapis.com/token".into()
}

fn default_google_certs() -> String {
    "https://www.googleapis.com/oauth2/v3/certs".into()
}

impl fmt::Debug for GmailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GmailSettings")
            .field("client_id", &self.client_id)
            .field("topic", &self.topic)
            .field("api_base_url", &self.api_base_url)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    /// Write-only.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a relay on the same machine, or tests.
    None,
}

fn default_port() -> u16 {
    587
}

impl fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp", &self.smtp)
            .field("mailgun_signing_key", &self.mailgun_signing_key.as_ref().map(|_| "***"))
            .field("inbound_token", &self.inbound_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl EmailSettings {
    /// The domain message ids are made in: the sender address's.
    pub fn domain(&self) -> &str {
        self.from_address.rsplit_once('@').map_or("frontdesk.invalid", |(_, d)| d)
    }

    /// The secrets, replaced by `mask` (what the API shows).
    pub fn mask_secrets(&mut self, mask: &str) {
        for s in [&mut self.mailgun_signing_key, &mut self.inbound_token] {
            if s.is_some() {
                *s = Some(mask.to_owned());
            }
        }
        if let Some(p) = self.smtp.as_mut().and_then(|s| s.password.as_mut()) {
            mask.clone_into(p);
        }
        if let Some(g) = self.gmail.as_mut() {
            mask.clone_into(&mut g.client_secret);
            mask.clone_into(&mut g.refresh_token);
            if g.push_token.is_some() {
                g.push_token = Some(mask.to_owned());
            }
        }
    }

    /// Keeps a stored secret where a client sent back `mask`.
    pub fn keep_secrets_from(&mut self, previous: &EmailSettings, mask: &str) {
        let keep = |new: &mut Option<String>, old: &Option<String>| {
            if new.as_deref() == Some(mask) {
                new.clone_from(old);
            }
        };
        keep(&mut self.mailgun_signing_key, &previous.mailgun_signing_key);
        keep(&mut self.inbound_token, &previous.inbound_token);
        if let (Some(new), Some(old)) = (self.smtp.as_mut(), previous.smtp.as_ref()) {
            keep(&mut new.password, &old.password);
        }
        if let (Some(new), Some(old)) = (self.gmail.as_mut(), previous.gmail.as_ref()) {
            for (n, o) in
                [(&mut new.client_secret, &old.client_secret), (&mut new.refresh_token, &old.refresh_token)]
            {
                if n == mask {
                    n.clone_from(o);
                }
            }
            keep(&mut new.push_token, &old.push_token);
        }
    }

    /// The first problem a send would meet, named.
    pub fn validate(&self, mask: &str) -> Result<(), String> {
        if crate::contact::Email::parse(&self.from_address).is_err() {
            return Err("email.from_address is not an e-mail address".into());
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() || smtp.host.contains(char::is_whitespace) {
                return Err("email.smtp.host must be a host name".into());
            }
            if smtp.port == 0 {
                return Err("email.smtp.port must be 1 to 65535".into());
            }
            if smtp.password.is_some() != smtp.username.is_some() {
                return Err("email.smtp.username and password go together".into());
            }
        }
        if let Some(g) = &self.gmail {
            for (name, v) in [
                ("client_id", &g.client_id),
                ("client_secret", &g.client_secret),
                ("refresh_token", &g.refresh_token),
            ] {
                if v.trim().is_empty() || v == mask {
                    return Err(format!("email.gmail.{name} must be set"));
                }
            }
            if g.push_token.as_deref().is_some_and(|t| t.trim().len() < 16 || t == mask) {
                return Err("email.gmail.push_token must be a secret of at least 16 characters".into());
            }
            if g.push_token.is_none() && (g.push_audience.is_none() || g.push_service_account.is_none()) {
                return Err(
                    "email.gmail needs push_token, or push_audience and push_service_account, to authenticate pushes".into(),
                );
            }
            if g.topic.as_deref().is_some_and(|t| !t.starts_with("projects/") || !t.contains("/topics/")) {
                return Err("email.gmail.topic must read projects/<project>/topics/<topic>".into());
            }
        }
        for (name, s) in
            [("mailgun_signing_key", &self.mailgun_signing_key), ("inbound_token", &self.inbound_token)]
        {
            if s.as_deref().is_some_and(|v| v.trim().len() < 16 || v == mask) {
                return Err(format!("email.{name} must be a secret of at least 16 characters"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EmailSettings {
        serde_json::from_value(serde_json::json!({
            "from_address": "contato@sorriso.example",
            "smtp": {"host": "smtp.example.com", "username": "u", "password": "p"},
            "mailgun_signing_key": "key-0123456789abcdef",
        }))
        .unwrap()
    }

    #[test]
    fn secrets_are_masked_and_kept_when_the_mask_comes_back() {
        let stored = settings();
        let mut shown = stored.clone();
        shown.mask_secrets("********");
        assert_eq!(shown.mailgun_signing_key.as_deref(), Some("********"));
        assert_eq!(shown.smtp.as_ref().unwrap().password.as_deref(), Some("********"));
        assert_eq!(shown.smtp.as_ref().unwrap().port, 587);
        shown.keep_secrets_from(&stored, "********");
        assert!(shown == stored);
        assert!(!format!("{stored:?}").contains("key-0123"));
    }

    #[test]
    fn validation_names_the_field() {
        assert_eq!(settings().validate("***"), Ok(()));
        let mut s = settings();
        s.from_address = "nope".into();
        assert!(s.validate("***").unwrap_err().contains("from_address"));
        let mut s = settings();
        s.inbound_token = Some("short".into());
        assert!(s.validate("***").unwrap_err().contains("inbound_token"));
        let mut s = settings();
        s.smtp.as_mut().unwrap().username = None;
        assert!(s.validate("***").unwrap_err().contains("username"));
        assert_eq!(settings().domain(), "sorriso.example");
    }
}
