//! n8n: for clinics that run their own AI workflows. With `dialogue.n8n` configured, a
//! patient's message is forwarded (by the `journey.n8n_forward` job) to the clinic's n8n
//! webhook instead of being answered here, except while the patient is choosing among
//! offered slots: that answer stays with the built-in dialogue, which books the slot.
//!
//! The workflow calls back (authenticated by the tenant's `callback_token`, each call
//! carrying an `Idempotency-Key`) to send the patient the next question with what it
//! extracted, to name the department (slots of one of its services are then offered), or
//! to book, cancel or confirm an appointment.

use super::{JourneyState, Step, Turn};
use crate::Ctx;
use crate::jobs::{JobError, JobHandler, JobRegistry};
use crate::messaging::{Content, MessagingFailure, SendRequest, send};
use crate::scheduling::{BookingRequest, Confirmation, PatientRef, SchedulingFailure, book, load_cached};
use crate::tenant_directory::TenantEntry;
use async_trait::async_trait;
use frontdesk_domain::jobs::{Job, NewJob};
use frontdesk_domain::leads::Dialogue;
use frontdesk_domain::messaging::{Channel, Conversation, ProviderKind, TemplateKey};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, AppointmentStatus};
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_domain::{AppointmentId, ConversationId, MessageId, ServiceId};
use frontdesk_providers::n8n::N8nError;
use frontdesk_providers::vapi::verify_secret;
use frontdesk_store::{IdempotencyClaim, NewInboundEvent, StoreError};
use jiff::SignedDuration;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use thiserror::Error;

/// Forwards one patient message to the tenant's n8n webhook (payload
/// `{"conversation_id", "message_id", "text"}`).
pub const N8N_FORWARD_JOB: &str = "journey.n8n_forward";
/// The provider name callbacks' idempotency keys are recorded under.
const PROVIDER: &str = "n8n";
/// Failed forwards (n8n down) before staff are called in.
const HAND_OFF_AFTER_ATTEMPTS: u32 = 3;
/// The longest `next_question` (an SMS's limit; WhatsApp allows more).
const MAX_QUESTION_CHARS: usize = 1600;
/// What one conversation may keep of n8n's extracted fields, as JSON.
const MAX_EXTRACTED_BYTES: usize = 16 * 1024;
const MAX_KEY_LEN: usize = 200;

pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(N8N_FORWARD_JOB, ForwardToN8n { ctx });
}

#[derive(Debug, Error)]
pub enum N8nFailure {
    #[error("unknown tenant")]
    UnknownTenant,
    #[error("n8n is not configured for this tenant")]
    NotConfigured,
    /// Authentication failed: nothing was stored.
    #[error("wrong or missing `Authorization: Bearer` callback token")]
    Unauthorized,
    #[error("the Idempotency-Key header is required")]
    MissingIdempotencyKey,
    #[error("the Idempotency-Key header must be 1 to {MAX_KEY_LEN} printable ASCII characters")]
    InvalidIdempotencyKey,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("staff took over this conversation: the automation stays quiet until it is released")]
    HandedToStaff,
    #[error("unknown department `{given}`; the clinic's departments: {}", known.join(", "))]
    UnknownDepartment { given: String, known: Vec<String> },
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error(transparent)]
    Messaging(MessagingFailure),
    #[error(transparent)]
    Scheduling(SchedulingFailure),
    /// Searching or replying on the journey's path failed.
    #[error(transparent)]
    Journey(super::JourneyError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for N8nFailure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<super::JourneyError> for N8nFailure {
    fn from(e: super::JourneyError) -> Self {
        match e {
            super::JourneyError::Store(s)
            | super::JourneyError::Scheduling(SchedulingFailure::Store(s))
            | super::JourneyError::Messaging(MessagingFailure::Store(s)) => Self::Store(s),
            other => Self::Journey(other),
        }
    }
}

impl From<MessagingFailure> for N8nFailure {
    fn from(e: MessagingFailure) -> Self {
        match e {
            MessagingFailure::Store(s) => Self::Store(s),
            other => Self::Messaging(other),
        }
    }
}

impl From<SchedulingFailure> for N8nFailure {
    fn from(e: SchedulingFailure) -> Self {
        match e {
            SchedulingFailure::Store(s) => Self::Store(s),
            other => Self::Scheduling(other),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Forwarding

#[derive(Serialize, Deserialize)]
struct ForwardPayload {
    conversation_id: ConversationId,
    message_id: MessageId,
    text: String,
}

/// Hands the message to the n8n workflow: enqueues its forwarding (once per message).
pub(super) async fn forward(
    ctx: &Ctx,
    tenant: &Tenant,
    conversation: &Conversation,
    message_id: MessageId,
    text: &str,
) -> Result<(), super::JourneyError> {
    let payload = ForwardPayload { conversation_id: conversation.id, message_id, text: text.to_owned() };
    let now = ctx.clock.now();
    let job = NewJob::new(tenant.id, N8N_FORWARD_JOB, json!(payload), now)
        .with_dedupe_key(format!("n8n_forward:{message_id}"));
    ctx.store.enqueue(&job, now).await?;
    Ok(())
}

fn callback_url(ctx: &Ctx, tenant: &Tenant, what: &str) -> String {
    format!("{}/webhooks/n8n/{}/{what}", ctx.public_url.trim_end_matches('/'), tenant.slug.as_str())
}

fn step_name(step: &Step) -> Value {
    serde_json::to_value(step).ok().and_then(|v| v.get("step").cloned()).unwrap_or(Value::Null)
}

/// The JSON the workflow receives for one message.
fn forward_body(
    ctx: &Ctx,
    tenant: &Tenant,
    conversation: &Conversation,
    patient: &Patient,
    p: &ForwardPayload,
    received_at: jiff::Timestamp,
    state: &JourneyState,
) -> Value {
    json!({
        "tenant": tenant.slug.as_str(),
        "conversation_id": conversation.id,
        "message_id": p.message_id,
        "channel": conversation.channel.as_str(),
        "patient": {
            "id": patient.id,
            "first_name": patient.name.first_name(),
            "locale": patient.locale.as_str(),
        },
        "text": p.text,
        "received_at": received_at,
        "state": {
            "extracted_fields": state.extracted,
            "intake_complete": state.intake_complete,
            "department": state.department,
            "step": step_name(&state.step),
        },
        "callbacks": {
            "intake_response": callback_url(ctx, tenant, "intake-response"),
            "triage_response": callback_url(ctx, tenant, "triage-response"),
            "booking_response": callback_url(ctx, tenant, "booking-response"),
        },
    })
}

struct ForwardToN8n {
    ctx: Ctx,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

#[async_trait]
impl JobHandler for ForwardToN8n {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let p: ForwardPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let tenant_id = job.tenant_id;
        let Some(conversation) =
            ctx.store.get_conversation(tenant_id, p.conversation_id).await.map_err(retry)?
        else {
            return Err(JobError::permanent("the conversation no longer exists"));
        };
        let Some(patient) = ctx.store.get_patient(tenant_id, conversation.patient_id).await.map_err(retry)?
        else {
            return Err(JobError::permanent("the patient no longer exists"));
        };
        let tenant = ctx
            .store
            .tenant_by_id(tenant_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let settings = ctx.store.tenant_settings(tenant_id).await.map_err(retry)?;
        let Some(n8n) = settings.dialogue.n8n.clone() else {
            // n8n was switched off since: the built-in dialogue answers instead.
            tracing::info!(tenant = %tenant.slug.as_str(), "n8n no longer configured; the dialogue answers");
            return Ok(super::on_inbound(ctx, &patient, &conversation, p.message_id, &p.text).await?);
        };
        // Past the outage hand-off, staff are there because n8n was down: still forward.
        if conversation.needs_staff && job.attempts <= HAND_OFF_AFTER_ATTEMPTS {
            return Ok(()); // staff took over meanwhile: nothing for the workflow to answer
        }
        let received_at = match ctx.store.get_message(tenant_id, p.message_id).await.map_err(retry)? {
            Some(m) => m.created_at,
            None => job.created_at,
        };
        let (state, _) = load_state(ctx, tenant_id, conversation.id).await.map_err(retry)?;
        let body = forward_body(ctx, &tenant, &conversation, &patient, &p, received_at, &state);
        let webhook = frontdesk_providers::n8n::N8nWebhook {
            url: &n8n.webhook_url,
            auth: n8n.auth_value.as_deref().map(|v| (n8n.auth_header.as_str(), v)),
            allow_private_network: ctx.media.allow_private_network,
        };
        let (result, label) = match frontdesk_providers::n8n::forward(&webhook, &body).await {
            Ok(()) => (Ok(()), "delivered"),
            Err(e @ N8nError::Unavailable(_)) => {
                // Never silence: "we'll come back" at once, staff if it lasts; then retry.
                let hand_off = job.attempts >= HAND_OFF_AFTER_ATTEMPTS;
                super::outage_notice(ctx, &patient, &conversation, p.message_id, hand_off).await?;
                (Err(JobError::retryable(e)), "retry")
            }
            Err(e @ N8nError::Refused(_)) => (Err(JobError::permanent(e)), "refused"),
        };
        metrics::counter!("frontdesk_n8n_forwards_total", "outcome" => label).increment(1);
        tracing::info!(
            tenant = %tenant.slug.as_str(),
            conversation = %conversation.id,
            message = %p.message_id,
            attempt = job.attempts,
            outcome = label,
            "patient message forwarded to n8n"
        );
        result
    }
}

// ---------------------------------------------------------------------------------------
// Dialogue state shared with the built-in dialogue

fn idle(settings: &TenantSettings) -> SignedDuration {
    SignedDuration::from_hours(i64::from(settings.dialogue.idle_hours.max(1)))
}

/// The conversation's journey state (a stale one starts over) and its stored version.
async fn load_state(
    ctx: &Ctx,
    tenant: frontdesk_domain::TenantId,
    conversation: ConversationId,
) -> Result<(JourneyState, Option<i64>), StoreError> {
    let now = ctx.clock.now();
    Ok(match ctx.store.get_dialogue(tenant, conversation).await? {
        Some(d) if d.expires_at > now => {
            (serde_json::from_value(d.state).unwrap_or_default(), Some(d.version))
        }
        Some(d) => (JourneyState::default(), Some(d.version)),
        None => (JourneyState::default(), None),
    })
}

/// Applies `change` to the stored state and saves it; when a message of the conversation
/// moved the state meanwhile, again on the fresh state.
async fn update_state(
    turn: &Turn<'_>,
    settings: &TenantSettings,
    change: impl Fn(&mut JourneyState),
) -> Result<JourneyState, StoreError> {
    let ctx = turn.ctx;
    for _ in 0..5 {
        let (mut state, version) = load_state(ctx, turn.tenant.id, turn.conversation.id).await?;
        // What the dialogue answered stays remembered whatever n8n changes (see `answered`).
        let answered = std::mem::take(&mut state.answered);
        change(&mut state);
        state.answered = answered;
        let now = ctx.clock.now();
        let dialogue = Dialogue {
            tenant_id: turn.tenant.id,
            conversation_id: turn.conversation.id,
            patient_id: turn.patient.id,
            state: serde_json::to_value(&state).unwrap_or_default(),
            version: version.unwrap_or(0),
            updated_at: now,
            expires_at: now + idle(settings),
        };
        match ctx.store.save_dialogue(&dialogue, version).await {
            Ok(_) => return Ok(state),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(frontdesk_store::Conflict::Stale))
}

// ---------------------------------------------------------------------------------------
// Callbacks

/// An authenticated callback: the tenant, and the request's idempotency key.
#[derive(Clone)]
pub struct N8nCaller {
    pub entry: Arc<TenantEntry>,
    pub idempotency_key: String,
}

/// Checks the callback's `Authorization: Bearer <callback_token>` (constant time), then
/// its `Idempotency-Key`. Nothing is stored by a failed check.
pub async fn authenticate_n8n(
    ctx: &Ctx,
    slug: &str,
    authorization: Option<&str>,
    idempotency_key: Option<&str>,
) -> Result<N8nCaller, N8nFailure> {
    let entry = ctx.tenants.by_slug(&ctx.store, slug).await?.ok_or(N8nFailure::UnknownTenant)?;
    let n8n = entry.settings.dialogue.n8n.as_ref().ok_or(N8nFailure::NotConfigured)?;
    let token = authorization.map(str::trim).and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    if !verify_secret(&SecretString::from(n8n.callback_token.clone()), token) {
        return Err(N8nFailure::Unauthorized);
    }
    let key = idempotency_key.map(str::trim).ok_or(N8nFailure::MissingIdempotencyKey)?;
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(if key.is_empty() {
            N8nFailure::MissingIdempotencyKey
        } else {
            N8nFailure::InvalidIdempotencyKey
        });
    }
    Ok(N8nCaller { entry, idempotency_key: key.to_owned() })
}

fn duplicate() -> Value {
    json!({"ok": true, "duplicate": true})
}

/// Whether the key was used before (checked before validating: a replay of a callback that
/// worked is acknowledged even if the same request would now be refused).
async fn seen(ctx: &Ctx, caller: &N8nCaller) -> Result<bool, StoreError> {
    Ok(ctx.store.inbound_event(caller.entry.tenant.id, PROVIDER, &caller.idempotency_key).await?.is_some())
}

/// Records the key with the request; `false` when a concurrent twin recorded it first.
async fn claim(ctx: &Ctx, caller: &N8nCaller, kind: &str, raw: &Value) -> Result<bool, StoreError> {
    let event = NewInboundEvent {
        tenant_id: caller.entry.tenant.id,
        provider: PROVIDER.into(),
        external_id: caller.idempotency_key.clone(),
        kind: kind.into(),
        payload: raw.clone(),
    };
    Ok(!ctx.store.record_event(&event, &[], ctx.clock.now()).await?.duplicate)
}

/// The conversation (of this tenant, still the automation's) and its patient.
async fn conversation_of(
    ctx: &Ctx,
    tenant: &Tenant,
    id: ConversationId,
) -> Result<(Conversation, Patient), N8nFailure> {
    let conversation =
        ctx.store.get_conversation(tenant.id, id).await?.ok_or(N8nFailure::NotFound("conversation"))?;
    if conversation.needs_staff {
        return Err(N8nFailure::HandedToStaff);
    }
    let patient = ctx
        .store
        .get_patient(tenant.id, conversation.patient_id)
        .await?
        .ok_or(N8nFailure::NotFound("patient"))?;
    Ok((conversation, patient))
}

fn turn<'a>(ctx: &'a Ctx, tenant: &Tenant, patient: &'a Patient, conversation: &'a Conversation) -> Turn<'a> {
    // The message id keys the journey's own booking retries; n8n's bookings use the
    // callback's idempotency key instead.
    Turn::new(ctx, tenant.clone(), patient, conversation, MessageId::new()).immediate()
}

fn offered_json(state: &JourneyState) -> Value {
    state
        .offered()
        .iter()
        .map(|o| json!({"slot_id": o.slot_id, "label": o.label, "local_start": o.local_start}))
        .collect()
}

/// `POST /webhooks/n8n/{tenant}/intake-response`.
#[derive(Debug, Clone)]
pub struct N8nIntake {
    pub conversation_id: ConversationId,
    /// Merged into what is known; a `null` value forgets the field.
    pub extracted_fields: Map<String, Value>,
    pub next_question: Option<String>,
    pub intake_complete: bool,
}

pub async fn n8n_intake_response(
    ctx: &Ctx,
    caller: &N8nCaller,
    req: N8nIntake,
    raw: &Value,
) -> Result<Value, N8nFailure> {
    if seen(ctx, caller).await? {
        return Ok(duplicate());
    }
    let tenant = &caller.entry.tenant;
    let (conversation, patient) = conversation_of(ctx, tenant, req.conversation_id).await?;
    let question = req.next_question.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if question.is_some_and(|q| q.chars().count() > MAX_QUESTION_CHARS) {
        return Err(N8nFailure::Invalid(format!(
            "next_question is longer than {MAX_QUESTION_CHARS} characters"
        )));
    }
    let settings = ctx.store.tenant_settings(tenant.id).await?;
    let now = ctx.clock.now();
    if question.is_some()
        && conversation.channel == Channel::Whatsapp
        && settings.messaging.provider_for(conversation.channel) != ProviderKind::Sandbox
        && !conversation.window_open(now)
    {
        return Err(N8nFailure::Messaging(MessagingFailure::WindowClosed));
    }
    let turn = turn(ctx, tenant, &patient, &conversation);
    let (current, _) = load_state(ctx, tenant.id, conversation.id).await?;
    let mut merged = current.extracted.clone();
    merge_fields(&mut merged, &req.extracted_fields);
    if serde_json::to_vec(&merged).map(|v| v.len()).unwrap_or(usize::MAX) > MAX_EXTRACTED_BYTES {
        return Err(N8nFailure::Invalid(format!(
            "extracted_fields would grow past {MAX_EXTRACTED_BYTES} bytes for this conversation"
        )));
    }
    if !claim(ctx, caller, "intake_response", raw).await? {
        return Ok(duplicate());
    }
    // The workflow collected the patient's name: it replaces the placeholder a number
    // that wrote in got, so the booking does not ask for it again.
    let given_name = ["name", "nome", "full_name", "patient_name"]
        .iter()
        .find_map(|k| req.extracted_fields.get(*k).and_then(Value::as_str))
        .and_then(|n| frontdesk_domain::contact::PersonName::parse(n).ok());
    if let Some(name) = given_name
        && patient.name.is_placeholder_for(&patient.phone)
    {
        let mut named = patient.clone();
        named.name = name;
        ctx.store.update_patient(&named).await?;
    }
    let complete = req.intake_complete;
    let state = update_state(&turn, &settings, |s| {
        merge_fields(&mut s.extracted, &req.extracted_fields);
        s.intake_complete = complete;
    })
    .await?;
    let sent = match question {
        Some(q) => {
            let request = SendRequest {
                tenant_id: tenant.id,
                patient_id: patient.id,
                channel: conversation.channel,
                content: Content::Text(q.to_owned()),
                automated: false,
                by: frontdesk_domain::messaging::Sender::Assistant,
                campaign: None,
            };
            Some(send(ctx, request).await?.id)
        }
        None => None,
    };
    Ok(json!({
        "ok": true,
        "question_sent": sent.is_some(),
        "message_id": sent,
        "extracted_fields": state.extracted,
        "intake_complete": state.intake_complete,
    }))
}

fn merge_fields(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        if v.is_null() {
            into.remove(k);
        } else {
            into.insert(k.clone(), v.clone());
        }
    }
}

/// `POST /webhooks/n8n/{tenant}/triage-response`.
#[derive(Debug, Clone)]
pub struct N8nTriage {
    pub conversation_id: ConversationId,
    pub department: String,
    pub confidence: Option<f64>,
}

pub async fn n8n_triage_response(
    ctx: &Ctx,
    caller: &N8nCaller,
    req: N8nTriage,
    raw: &Value,
) -> Result<Value, N8nFailure> {
    if seen(ctx, caller).await? {
        return Ok(duplicate());
    }
    let tenant = &caller.entry.tenant;
    let (conversation, patient) = conversation_of(ctx, tenant, req.conversation_id).await?;
    if req.department.trim().is_empty() {
        return Err(N8nFailure::Invalid("department must not be empty".into()));
    }
    if req.confidence.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
        return Err(N8nFailure::Invalid("confidence must be between 0 and 1".into()));
    }
    let settings = ctx.store.tenant_settings(tenant.id).await?;
    let (current, _) = load_state(ctx, tenant.id, conversation.id).await?;
    let (department, service_id) = service_of_department(ctx, tenant, &req.department, &current).await?;
    if !claim(ctx, caller, "triage_response", raw).await? {
        return Ok(duplicate());
    }
    let turn = turn(ctx, tenant, &patient, &conversation);
    let mut offering = current;
    offering.department = Some(department.clone());
    offering.wish.service_id = Some(service_id);
    offering.misunderstood = 0;
    super::offer_for(&turn, &mut offering, None).await?;
    let state = update_state(&turn, &settings, |s| {
        s.department = offering.department.clone();
        s.wish = offering.wish.clone();
        s.step = offering.step.clone();
        s.misunderstood = 0;
    })
    .await?;
    Ok(json!({
        "ok": true,
        "department": department,
        "confidence": req.confidence,
        "service_id": service_id,
        "offered": offered_json(&state),
    }))
}

/// The department as the clinic spells it, and the service to offer slots of: the one
/// already chosen if it is of that department, else one named in what n8n extracted, else
/// the first by name.
async fn service_of_department(
    ctx: &Ctx,
    tenant: &Tenant,
    given: &str,
    state: &JourneyState,
) -> Result<(String, ServiceId), N8nFailure> {
    use frontdesk_domain::nlu::normalize;
    let mut services = ctx.store.list_services(tenant.id).await?;
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let wanted = normalize(given);
    let matching: Vec<_> = services.iter().filter(|s| normalize(&s.department) == wanted).collect();
    let Some(first) = matching.first() else {
        let mut known: Vec<String> =
            services.iter().map(|s| s.department.clone()).filter(|d| !d.trim().is_empty()).collect();
        known.sort_by_key(|d| normalize(d));
        known.dedup_by_key(|d| normalize(d));
        return Err(N8nFailure::UnknownDepartment { given: given.trim().to_owned(), known });
    };
    let extracted = normalize(&Value::Object(state.extracted.clone()).to_string());
    let chosen = matching
        .iter()
        .find(|s| state.wish.service_id == Some(s.id))
        .or_else(|| matching.iter().find(|s| extracted.contains(&normalize(&s.name))))
        .unwrap_or(first);
    Ok((chosen.department.clone(), chosen.id))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum N8nBookingAction {
    Book,
    Cancel,
    Confirm,
}

/// `POST /webhooks/n8n/{tenant}/booking-response`.
#[derive(Debug, Clone)]
pub struct N8nBooking {
    pub conversation_id: ConversationId,
    pub action: N8nBookingAction,
    /// For `book`: a slot token (as offered, or from the availability API).
    pub slot_id: Option<String>,
    /// For `cancel` and `confirm`; default: the patient's next appointment.
    pub appointment_id: Option<AppointmentId>,
}

pub async fn n8n_booking_response(
    ctx: &Ctx,
    caller: &N8nCaller,
    req: N8nBooking,
    raw: &Value,
) -> Result<Value, N8nFailure> {
    if seen(ctx, caller).await? {
        return Ok(duplicate());
    }
    let tenant = &caller.entry.tenant;
    let (conversation, patient) = conversation_of(ctx, tenant, req.conversation_id).await?;
    let settings = ctx.store.tenant_settings(tenant.id).await?;
    let turn = turn(ctx, tenant, &patient, &conversation);
    match req.action {
        N8nBookingAction::Book => {
            let slot_id = req
                .slot_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| N8nFailure::Invalid("slot_id is required to book".into()))?;
            let slot = crate::voice::tools::parse_slot_token(slot_id).ok_or_else(|| {
                N8nFailure::Invalid(
                    "slot_id is not a slot token (`practitioner.service.location.start`)".into(),
                )
            })?;
            let cal = load_cached(ctx, tenant.id).await?;
            cal.service(slot.service_id)?;
            cal.practitioner(slot.practitioner_id)?;
            cal.location(slot.location_id)?;
            if !claim(ctx, caller, "booking_response", raw).await? {
                return Ok(duplicate());
            }
            let request = BookingRequest {
                tenant_id: tenant.id,
                patient: PatientRef::Id(patient.id),
                practitioner_id: slot.practitioner_id,
                location_id: slot.location_id,
                service_id: slot.service_id,
                start: slot.start,
                idempotency: Some(IdempotencyClaim {
                    key: format!("n8n:{}", caller.idempotency_key),
                    request_hash: slot_id.to_owned(),
                }),
                actor: "n8n".into(),
                confirmation: Confirmation::InConversation,
            };
            match book(ctx, request).await {
                Ok(booked) => {
                    let vars = super::describe(&turn, &booked.appointment).await?;
                    turn.reply(TemplateKey::AppointmentConfirmation, vars).await?;
                    update_state(&turn, &settings, |s| *s = JourneyState::default()).await?;
                    Ok(done("book", &booked.appointment, json!({"booked": true})))
                }
                Err(SchedulingFailure::SlotTaken) => {
                    // As in the dialogue: say so, and offer other times that day on.
                    turn.reply_text(match turn.locale() {
                        Locale::PtBr => "Esse horário acabou de ser ocupado. Veja outras opções:".into(),
                        Locale::En => "That time was just taken. Here are other options:".into(),
                    })
                    .await?;
                    let (mut offering, _) = load_state(ctx, tenant.id, conversation.id).await?;
                    offering.wish.service_id = Some(slot.service_id);
                    offering.wish.date = Some(super::parsed_date(&turn, slot.start));
                    super::offer_for(&turn, &mut offering, None).await?;
                    let state = update_state(&turn, &settings, |s| {
                        s.wish = offering.wish.clone();
                        s.step = offering.step.clone();
                    })
                    .await?;
                    Ok(json!({
                        "ok": true,
                        "action": "book",
                        "booked": false,
                        "reason": "slot_taken",
                        "offered": offered_json(&state),
                    }))
                }
                Err(e) => Err(e.into()),
            }
        }
        N8nBookingAction::Cancel | N8nBookingAction::Confirm => {
            let (verb, action) = match req.action {
                N8nBookingAction::Cancel => ("cancel", AppointmentAction::Cancel),
                _ => ("confirm", AppointmentAction::Confirm),
            };
            let appointment = match req.appointment_id {
                Some(id) => ctx
                    .store
                    .get_appointment(tenant.id, id)
                    .await?
                    .filter(|a| a.patient_id == patient.id)
                    .ok_or(N8nFailure::NotFound("appointment"))?,
                None => super::upcoming(&turn).await?.ok_or(N8nFailure::NotFound("upcoming appointment"))?,
            };
            let already =
                action == AppointmentAction::Confirm && appointment.status == AppointmentStatus::Confirmed;
            if !already && !appointment.status.is_pending() {
                return Err(SchedulingFailure::InvalidTransition {
                    action: verb,
                    current: appointment.status.as_str(),
                }
                .into());
            }
            if !claim(ctx, caller, "booking_response", raw).await? {
                return Ok(duplicate());
            }
            let changed = if already {
                appointment
            } else {
                super::action(&turn, &appointment, action, None).await.map_err(N8nFailure::from)?
            };
            let vars = super::describe(&turn, &changed).await?;
            let template = match action {
                AppointmentAction::Cancel => TemplateKey::AppointmentCancelled,
                _ => TemplateKey::AppointmentConfirmation,
            };
            turn.reply(template, vars).await?;
            update_state(&turn, &settings, |s| *s = JourneyState::default()).await?;
            Ok(done(verb, &changed, json!({})))
        }
    }
}

fn done(action: &str, a: &Appointment, extra: Value) -> Value {
    let mut out = json!({
        "ok": true,
        "action": action,
        "appointment_id": a.id,
        "status": a.status,
        "start": a.start,
    });
    if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
        out.extend(extra);
    }
    out
}
