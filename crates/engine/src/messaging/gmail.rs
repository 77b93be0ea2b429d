//! The clinic's Gmail inbox. A push (Pub/Sub) is authenticated, stored and acknowledged at
//! once; a job then reads what the mailbox added since the history id Frontdesk last read
//! (a stale one: the inbox's latest messages), fetches each message raw and files it as an
//! inbound e-mail (deduplicated by its Message-ID, so a message seen twice is one message).
//! Another job renews `users.watch` every day (it lapses after 7).

use super::email::accept_email;
use super::webhooks::WebhookError;
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::messaging::{EmailSettings, GmailSettings};
use frontdesk_providers::email::gmail::{self, GmailClient, GmailConfig, GmailError, PushAudience};
use frontdesk_store::NewInboundEvent;
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

pub const SYNC_JOB: &str = "email.gmail_sync";
pub const WATCH_JOB: &str = "email.gmail_watch";
const HISTORY_CURSOR: &str = "gmail.history_id";
const WATCH_CURSOR: &str = "gmail.watch_expires_at";
/// Messages read on a full sync (a first push, or a history id Gmail no longer has).
const FULL_SYNC_MESSAGES: u32 = 50;
/// History pages read per sync: a huge backlog continues on the next push.
const MAX_PAGES: usize = 20;
/// How long Google's signing keys are trusted before they are fetched again.
const CERTS_TTL: SignedDuration = SignedDuration::from_hours(1);

#[derive(Serialize, Deserialize)]
struct SyncPayload {
    history_id: u64,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

fn gmail_failure(e: GmailError) -> JobError {
    if e.is_retryable() { JobError::retryable(e.to_string()) } else { JobError::permanent(e.to_string()) }
}

type CertCache = Mutex<HashMap<String, (Timestamp, Arc<gmail::JwkSet>)>>;

/// Google's keys by certificate URL, shared by the process.
fn cert_cache() -> &'static CertCache {
    static CACHE: std::sync::OnceLock<CertCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

async fn certs(url: &str, now: Timestamp, refresh: bool) -> Result<Arc<gmail::JwkSet>, WebhookError> {
    if !refresh
        && let Some((at, set)) = cert_cache().lock().expect("cert cache").get(url).cloned()
        && now.duration_since(at) < CERTS_TTL
    {
        return Ok(set);
    }
    let set = Arc::new(
        gmail::fetch_certs(url).await.map_err(|e| WebhookError::Forbidden(format!("Google's keys: {e}")))?,
    );
    cert_cache().lock().expect("cert cache").insert(url.to_owned(), (now, set.clone()));
    Ok(set)
}

/// Whether the push is the clinic's: its URL token, or Google's signed token.
async fn authenticate(
    ctx: &Ctx,
    g: &GmailSettings,
    token: Option<&str>,
    bearer: Option<&str>,
) -> Result<(), WebhookError> {
    if let Some(expected) = &g.push_token {
        let given = token.unwrap_or_default();
        return if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(())
        } else {
            Err(WebhookError::Forbidden("the push token does not match".into()))
        };
    }
    let (Some(audience), Some(account)) = (&g.push_audience, &g.push_service_account) else {
        return Err(WebhookError::NotConfigured("Gmail push authentication"));
    };
    let jwt = bearer.ok_or_else(|| WebhookError::Forbidden("no bearer token".into()))?;
    let expected = PushAudience { audience: audience.clone(), service_account: account.clone() };
    let now = ctx.clock.now();
    let set = certs(&g.certs_url, now, false).await?;
    match gmail::verify_push_jwt(jwt, &set, &expected, now.as_second()) {
        Ok(()) => Ok(()),
        // Google rotates its keys: an unknown key id is worth one fresh look.
        Err(GmailError::BadToken(why)) if why.contains("does not publish") => {
            let set = certs(&g.certs_url, now, true).await?;
            gmail::verify_push_jwt(jwt, &set, &expected, now.as_second())
                .map_err(|e| WebhookError::Forbidden(e.to_string()))
        }
        Err(e) => Err(WebhookError::Forbidden(e.to_string())),
    }
}

/// A Gmail push: authenticated, stored once (by Pub/Sub's message id) with the job that
/// reads the mailbox. Returns whether it was new.
pub async fn push(
    ctx: &Ctx,
    slug: &str,
    token: Option<&str>,
    bearer: Option<&str>,
    body: &[u8],
) -> Result<bool, WebhookError> {
    let entry = super::webhooks::tenant(ctx, slug).await?;
    let g = gmail_settings(entry.settings.messaging.email.as_ref())
        .ok_or(WebhookError::NotConfigured("Gmail"))?;
    authenticate(ctx, g, token, bearer).await?;
    let push = gmail::parse_push(body).map_err(|e| WebhookError::Invalid(e.to_string()))?;
    let now = ctx.clock.now();
    let record = NewInboundEvent {
        tenant_id: entry.tenant.id,
        provider: "gmail".into(),
        external_id: push.message_id.clone(),
        kind: "push".into(),
        payload: serde_json::json!({"history_id": push.history_id}),
    };
    let job = NewJob::new(
        entry.tenant.id,
        SYNC_JOB,
        serde_json::json!(SyncPayload { history_id: push.history_id }),
        now,
    )
    .with_dedupe_key(format!("gmail-sync:{}", push.history_id));
    Ok(!ctx.store.record_event(&record, &[job], now).await?.duplicate)
}

fn gmail_settings(email: Option<&EmailSettings>) -> Option<&GmailSettings> {
    email.and_then(|e| e.gmail.as_ref())
}

async fn client(g: &GmailSettings) -> Result<GmailClient, JobError> {
    GmailClient::connect(GmailConfig {
        api_base: g.api_base_url.clone(),
        token_url: g.token_url.clone(),
        client_id: g.client_id.clone(),
        client_secret: SecretString::from(g.client_secret.clone()),
        refresh_token: SecretString::from(g.refresh_token.clone()),
    })
    .await
    .map_err(gmail_failure)
}

pub(super) struct GmailSync {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for GmailSync {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: SyncPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let tenant = job.tenant_id;
        let settings = ctx.store.tenant_settings(tenant).await.map_err(retry)?;
        let Some(email) = settings.messaging.email.as_ref() else { return Ok(()) };
        let Some(g) = email.gmail.as_ref() else { return Ok(()) };
        let start: Option<u64> =
            ctx.store.sync_cursor(tenant, HISTORY_CURSOR).await?.and_then(|v| v.parse().ok());
        // Already read up to this push (a late or repeated one).
        if start.is_some_and(|s| s >= p.history_id) {
            return Ok(());
        }
        let api = client(g).await?;
        let (ids, reached) = match start {
            Some(start) => match read_history(&api, start).await {
                Ok(read) => read,
                Err(GmailError::StaleHistory) => (full_sync(&api).await?, None),
                Err(e) => return Err(gmail_failure(e)),
            },
            None => (full_sync(&api).await?, None),
        };
        let own = email.from_address.to_ascii_lowercase();
        for id in &ids {
            let raw = api.raw_message(id).await.map_err(gmail_failure)?;
            let parsed = frontdesk_providers::email::parse_mime_lenient(&raw);
            // The clinic's own messages (sent from the same mailbox) are not replies.
            if parsed.from_address.as_deref().is_some_and(|f| f.eq_ignore_ascii_case(&own)) {
                continue;
            }
            accept_email(ctx, tenant, "gmail", parsed).await.map_err(retry)?;
        }
        let now = ctx.clock.now();
        let cursor = reached.unwrap_or(p.history_id).max(p.history_id);
        ctx.store.set_sync_cursor(tenant, HISTORY_CURSOR, &cursor.to_string(), now).await?;
        tracing::info!(messages = ids.len(), "gmail mailbox read");
        Ok(())
    }
}

/// The messages added since `start` (every page, up to a bound) and the history id reached.
async fn read_history(api: &GmailClient, start: u64) -> Result<(Vec<String>, Option<u64>), GmailError> {
    let mut ids = Vec::new();
    let mut reached = None;
    let mut page_token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = api.history(start, page_token.as_deref()).await?;
        for id in page.message_ids {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        reached = page.history_id.max(reached);
        match page.next_page_token {
            Some(t) => page_token = Some(t),
            None => break,
        }
    }
    Ok((ids, reached))
}

async fn full_sync(api: &GmailClient) -> Result<Vec<String>, JobError> {
    api.recent_inbox(FULL_SYNC_MESSAGES).await.map_err(gmail_failure)
}

pub(super) struct GmailWatch {
    pub ctx: Ctx,
}

/// The watch job of `tenant` due at `at`, keyed by its due time: every renewal is due at
/// the next 03:00 UTC (see [`next_renewal`]), so however many processes or restarts file
/// it, one job per day is live.
pub fn watch_job(tenant: TenantId, at: Timestamp) -> NewJob {
    NewJob::new(tenant, WATCH_JOB, serde_json::json!({}), at)
        .with_dedupe_key(format!("gmail-watch:{}", at.as_second()))
}

/// The next 03:00 UTC strictly after `now`: the daily renewal (a watch lasts 7 days).
pub fn next_renewal(now: Timestamp) -> Timestamp {
    const DAY: i64 = 86_400;
    const AT: i64 = 3 * 3_600;
    let s = now.as_second();
    let today = s.div_euclid(DAY) * DAY + AT;
    let next = if today > s { today } else { today + DAY };
    Timestamp::from_second(next).unwrap_or(now)
}

#[async_trait]
impl JobHandler for GmailWatch {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let tenant = job.tenant_id;
        let settings = ctx.store.tenant_settings(tenant).await.map_err(retry)?;
        // Gmail (or its topic) removed since: the renewals end here.
        let Some(g) = gmail_settings(settings.messaging.email.as_ref()) else { return Ok(()) };
        let Some(topic) = g.topic.as_deref() else { return Ok(()) };
        let api = client(g).await?;
        let watch = api.watch(topic).await.map_err(gmail_failure)?;
        let now = ctx.clock.now();
        ctx.store.set_sync_cursor(tenant, WATCH_CURSOR, &watch.expiration_ms.to_string(), now).await?;
        // The first watch says where the mailbox starts: only what arrives later is read.
        if ctx.store.sync_cursor(tenant, HISTORY_CURSOR).await?.is_none() {
            ctx.store.set_sync_cursor(tenant, HISTORY_CURSOR, &watch.history_id.to_string(), now).await?;
        }
        // Renewed daily (the watch lasts 7 days).
        ctx.store.enqueue(&watch_job(tenant, next_renewal(now)), now).await?;
        Ok(())
    }
}

/// A watch now (Gmail newly set up or changed); it files the daily renewal itself.
pub async fn schedule_watch(
    ctx: &Ctx,
    tenant: TenantId,
    email: Option<&EmailSettings>,
) -> Result<(), frontdesk_store::StoreError> {
    if gmail_settings(email).is_some_and(|g| g.topic.is_some()) {
        let now = ctx.clock.now();
        ctx.store.enqueue(&watch_job(tenant, now), now).await?;
    }
    Ok(())
}

/// At start-up: each Gmail tenant's daily renewal (the same job its chain files), and a
/// watch now where none is known or it lapses within a day.
pub async fn schedule_all_watches(ctx: &Ctx) -> Result<(), frontdesk_store::StoreError> {
    let now = ctx.clock.now();
    for t in ctx.store.list_tenants().await? {
        let settings = ctx.store.tenant_settings(t.id).await?;
        if gmail_settings(settings.messaging.email.as_ref()).is_none_or(|g| g.topic.is_none()) {
            continue;
        }
        ctx.store.enqueue(&watch_job(t.id, next_renewal(now)), now).await?;
        let lapses = ctx.store.sync_cursor(t.id, WATCH_CURSOR).await?.and_then(|v| v.parse::<i64>().ok());
        if lapses.is_none_or(|ms| ms < (now + SignedDuration::from_hours(24)).as_millisecond()) {
            ctx.store.enqueue(&watch_job(t.id, now), now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_fall_on_the_next_0300_utc() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(next_renewal(at("2026-06-01T12:00:00Z")), at("2026-06-02T03:00:00Z"));
        assert_eq!(next_renewal(at("2026-06-01T02:59:59Z")), at("2026-06-01T03:00:00Z"));
        assert_eq!(next_renewal(at("2026-06-01T03:00:00Z")), at("2026-06-02T03:00:00Z"));
    }
}
