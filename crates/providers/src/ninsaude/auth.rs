//! The OAuth token cache: one login serves every call until shortly before the
//! 15-minute access token expires.
//!
//! Renewal prefers the refresh token (it spares the password a round trip) and falls back
//! to the password grant when Ninsaúde refuses the refresh token. The cache lock is held
//! across the token request on purpose: when the token expires under load, one caller
//! renews it and the others wait for that result instead of all hitting `/oauth2/token`.

use frontdesk_domain::Clock;
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::Mutex;

use super::config::NinsaudeConfig;
use super::error::NinsaudeError;
use super::wire::{TokenResponse, error_entries};

/// Used when the token response omits `expires_in` (the documented lifetime).
const DEFAULT_LIFETIME_SECS: u64 = 15 * 60;
/// Renew this long before expiry so a token never dies between the check and the call.
const EXPIRY_MARGIN_SECS: u64 = 60;
/// Upper bound on a lifetime we believe, so a bogus `expires_in` cannot pin a token forever.
const MAX_LIFETIME_SECS: u64 = 24 * 60 * 60;

pub(crate) struct TokenCache {
    http: reqwest::Client,
    token_url: String,
    account: String,
    username: String,
    password: SecretString,
    account_unit: String,
    clock: Arc<dyn Clock>,
    state: Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    access: Option<AccessToken>,
    refresh: Option<SecretString>,
}

struct AccessToken {
    value: SecretString,
    /// When to stop using it: expiry minus the safety margin.
    renew_at: Timestamp,
}

enum Grant<'a> {
    Password,
    Refresh(&'a SecretString),
}

/// Why a grant did not produce a token.
enum GrantError {
    /// Ninsaúde refused the grant itself (4xx or an `error` body): try another grant or
    /// report bad credentials.
    Refused { status: u16 },
    /// The token endpoint could not be used at all; another grant would fail the same way.
    Failed(NinsaudeError),
}

impl TokenCache {
    pub(crate) fn new(
        http: reqwest::Client,
        base: &str,
        config: &NinsaudeConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            http,
            token_url: format!("{base}/oauth2/token"),
            account: config.account.clone(),
            username: config.username.clone(),
            password: config.password.clone(),
            account_unit: config.account_unit.to_string(),
            clock,
            state: Mutex::new(TokenState::default()),
        }
    }

    /// A token valid for the next call, logging in or renewing only when needed.
    pub(crate) async fn bearer(&self) -> Result<SecretString, NinsaudeError> {
        let mut state = self.state.lock().await;
        let now = self.clock.now();
        if let Some(access) = state.access.as_ref().filter(|a| now < a.renew_at) {
            return Ok(access.value.clone());
        }
        self.renew(&mut state).await
    }

    /// A new token after Ninsaúde answered 401 to `refused` (revoked early, or clocks
    /// disagree about expiry).
    pub(crate) async fn renew_after_unauthorized(
        &self,
        refused: &SecretString,
    ) -> Result<SecretString, NinsaudeError> {
        let mut state = self.state.lock().await;
        // A concurrent call that got the same 401 may have renewed while we waited for
        // the lock; its token is fresh, so use it rather than renewing twice.
        if let Some(access) = &state.access
            && access.value.expose_secret() != refused.expose_secret()
            && self.clock.now() < access.renew_at
        {
            return Ok(access.value.clone());
        }
        state.access = None;
        self.renew(&mut state).await
    }

    async fn renew(&self, state: &mut TokenState) -> Result<SecretString, NinsaudeError> {
        if let Some(refresh) = state.refresh.clone() {
            match self.grant(Grant::Refresh(&refresh)).await {
                Ok(token) => return Ok(self.store(state, token)),
                Err(GrantError::Refused { status }) => {
                    tracing::info!(status, "ninsaude refresh token refused; logging in with the password");
                    state.refresh = None;
                }
                Err(GrantError::Failed(err)) => return Err(err),
            }
        }
        match self.grant(Grant::Password).await {
            Ok(token) => Ok(self.store(state, token)),
            Err(GrantError::Refused { status }) => {
                tracing::warn!(status, "ninsaude refused the password grant");
                Err(NinsaudeError::Auth { status })
            }
            Err(GrantError::Failed(err)) => Err(err),
        }
    }

    fn store(&self, state: &mut TokenState, token: Token) -> SecretString {
        let lifetime = token.expires_in.unwrap_or(DEFAULT_LIFETIME_SECS).min(MAX_LIFETIME_SECS);
        // A very short lifetime still gets half of itself, so the token is used at least once.
        let usable = lifetime - EXPIRY_MARGIN_SECS.min(lifetime / 2);
        let now = self.clock.now();
        let usable = SignedDuration::from_secs(i64::try_from(usable).unwrap_or(0));
        let renew_at = now.checked_add(usable).unwrap_or(now);
        if let Some(refresh) = token.refresh {
            state.refresh = Some(refresh);
        }
        // Otherwise keep the refresh token we had: one obtained once can be reused.
        state.access = Some(AccessToken { value: token.access.clone(), renew_at });
        token.access
    }

    async fn grant(&self, grant: Grant<'_>) -> Result<Token, GrantError> {
        let request = self.http.post(&self.token_url).header("cache-control", "no-cache");
        let request = match grant {
            Grant::Password => request.form(&[
                ("grant_type", "password"),
                ("account", self.account.as_str()),
                ("username", self.username.as_str()),
                ("password", self.password.expose_secret()),
                ("accountUnit", self.account_unit.as_str()),
            ]),
            // One known client also sends this header; servers that ignore it lose nothing.
            Grant::Refresh(refresh) => request
                .header("x-grant-type", "refresh_token")
                .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.expose_secret())]),
        };
        let response = request.send().await.map_err(|e| GrantError::Failed(NinsaudeError::unreachable(e)))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| GrantError::Failed(NinsaudeError::unreachable(e)))?;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), "ninsaude token endpoint failed");
            return Err(GrantError::Failed(NinsaudeError::Upstream { status: status.as_u16() }));
        }
        if status.is_client_error() {
            return Err(GrantError::Refused { status: status.as_u16() });
        }
        if !status.is_success() {
            return Err(GrantError::Failed(NinsaudeError::InvalidResponse(format!(
                "token endpoint answered HTTP {}",
                status.as_u16()
            ))));
        }
        parse_token(status, &body)
    }
}

struct Token {
    access: SecretString,
    refresh: Option<SecretString>,
    expires_in: Option<u64>,
}

fn parse_token(status: StatusCode, body: &[u8]) -> Result<Token, GrantError> {
    let invalid = |why: &str| GrantError::Failed(NinsaudeError::InvalidResponse(why.to_owned()));
    let json: Value = serde_json::from_slice(body).map_err(|_| invalid("token response is not JSON"))?;
    match TokenResponse::from_body(&json) {
        Some(TokenResponse { access_token: Some(access), refresh_token, expires_in }) => Ok(Token {
            access: SecretString::from(access),
            refresh: refresh_token.filter(|r| !r.is_empty()).map(SecretString::from),
            expires_in,
        }),
        // A 200 that only carries errors is this API's way of refusing a grant.
        _ if error_entries(json.get("error")) > 0 => Err(GrantError::Refused { status: status.as_u16() }),
        _ => Err(invalid("token response has no access_token")),
    }
}
