//! Settings, outbound webhooks: the tenant's subscriptions (create - the secret shown once,
//! on the page that answers the form -, pause or enable, rotate the secret, delete) and
//! the recent deliveries with a replay button, through the same engine calls as
//! `/api/v1/webhook-subscriptions` and `/api/v1/webhook-deliveries`.

use super::texts::SettingsTexts;
use super::webhook_texts::WebhookTexts;
use super::{FieldErrors, guard, nav};
use crate::AppState;
use crate::app::chrome::Chrome;
use crate::app::i18n::Texts;
use crate::app::page::{day_time, internal, problem_page, render};
use crate::app::session::Staff;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::webhooks::{DeliveryState, EventType};
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::webhooks::{self, SubscriptionChange, WebhookFailure};
use frontdesk_store::DeliveryFilter;
use serde::Deserialize;
use uuid::Uuid;

pub struct SubscriptionRow {
    pub id: Uuid,
    pub url: String,
    pub events: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub previous_until: Option<String>,
}

pub struct DeliveryRow {
    pub id: Uuid,
    pub event: &'static str,
    pub state: &'static str,
    pub state_class: &'static str,
    pub attempts: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub next: Option<String>,
    pub created: String,
    pub replayable: bool,
}

#[derive(Template)]
#[template(path = "settings_webhooks.html")]
struct WebhooksPage {
    t: &'static Texts,
    s: &'static SettingsTexts,
    h: &'static WebhookTexts,
    chrome: Chrome,
    nav: Vec<(&'static str, &'static str)>,
    here: &'static str,
    subscriptions: Vec<SubscriptionRow>,
    deliveries: Vec<DeliveryRow>,
    events: Vec<&'static str>,
    /// A secret just issued, shown this once.
    issued: Option<String>,
    notice: Option<&'static str>,
    errors: FieldErrors,
}

struct Shown {
    issued: Option<String>,
    notice: Option<&'static str>,
    errors: FieldErrors,
    status: StatusCode,
}

async fn page(state: &AppState, staff: &Staff, shown: Shown) -> Response {
    let tenant = staff.tenant.id;
    let subs = match state.ctx.store.list_webhook_subscriptions(tenant).await {
        Ok(s) => s,
        Err(e) => return internal(staff.locale(), &e),
    };
    let recent = DeliveryFilter { limit: 30, ..Default::default() };
    let deliveries = match state.ctx.store.list_webhook_deliveries(tenant, &recent).await {
        Ok(d) => d,
        Err(e) => return internal(staff.locale(), &e),
    };
    let tz = staff.tenant.timezone.time_zone();
    let now = state.ctx.clock.now();
    let h = &staff.texts().hooks;
    let subscriptions = subs
        .into_iter()
        .map(|s| SubscriptionRow {
            id: s.id,
            url: s.url,
            events: s.event_types.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "),
            description: s.description,
            enabled: s.enabled,
            previous_until: s.previous_expires_at.filter(|at| *at > now).map(|at| day_time(at, &tz)),
        })
        .collect();
    let deliveries = deliveries
        .into_iter()
        .map(|d| DeliveryRow {
            id: d.id,
            event: d.event_type.as_str(),
            state: h.state(d.state),
            state_class: d.state.as_str(),
            attempts: d.attempts,
            status: d.last_status,
            error: d.last_error,
            next: d.next_attempt_at.filter(|_| d.state == DeliveryState::Failed).map(|at| day_time(at, &tz)),
            created: day_time(d.created_at, &tz),
            replayable: !d.state.is_open(),
        })
        .collect();
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let view = WebhooksPage {
        t,
        s: &t.set,
        h: &t.hooks,
        chrome,
        nav: nav(staff),
        here: "/app/settings/webhooks",
        subscriptions,
        deliveries,
        events: EventType::ALL.iter().map(|e| e.as_str()).collect(),
        issued: shown.issued,
        notice: shown.notice,
        errors: shown.errors,
    };
    render(&view, shown.status)
}

fn shown(status: StatusCode) -> Shown {
    Shown { issued: None, notice: None, errors: FieldErrors::default(), status }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(State(state): State<AppState>, staff: Staff, Query(q): Query<Done>) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    let h = &staff.texts().hooks;
    let notice = match q.done.as_deref() {
        Some("replayed") => Some(h.replayed),
        _ => None,
    };
    page(&state, &staff, Shown { notice, ..shown(StatusCode::OK) }).await
}

/// One checkbox per event type (a form's repeated field does not map onto a struct).
#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "appointment.booked")]
    appointment_booked: Option<String>,
    #[serde(rename = "appointment.cancelled")]
    appointment_cancelled: Option<String>,
    #[serde(rename = "appointment.no_show")]
    appointment_no_show: Option<String>,
    #[serde(rename = "lead.stage_changed")]
    lead_stage_changed: Option<String>,
    #[serde(rename = "message.received")]
    message_received: Option<String>,
    #[serde(rename = "call.ended")]
    call_ended: Option<String>,
    #[serde(rename = "handoff.requested")]
    handoff_requested: Option<String>,
    #[serde(rename = "report.ready")]
    report_ready: Option<String>,
}

impl CreateForm {
    fn events(&self) -> Vec<String> {
        let ticked = [
            (EventType::AppointmentBooked, &self.appointment_booked),
            (EventType::AppointmentCancelled, &self.appointment_cancelled),
            (EventType::AppointmentNoShow, &self.appointment_no_show),
            (EventType::LeadStageChanged, &self.lead_stage_changed),
            (EventType::MessageReceived, &self.message_received),
            (EventType::CallEnded, &self.call_ended),
            (EventType::HandoffRequested, &self.handoff_requested),
            (EventType::ReportReady, &self.report_ready),
        ];
        ticked.into_iter().filter(|(_, on)| on.is_some()).map(|(e, _)| e.as_str().to_owned()).collect()
    }
}

async fn audited(
    state: &AppState,
    staff: &Staff,
    action: &str,
    kind: &str,
    id: Uuid,
) -> Result<(), Response> {
    let id = id.to_string();
    let access = Access { action, resource_type: kind, resource_id: Some(&id), patient_id: None };
    audit::record(&state.ctx, &staff.actor(), access).await.map_err(|e| internal(staff.locale(), &e))
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<CreateForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let h = &staff.texts().hooks;
    let events = form.events();
    let mut errors = FieldErrors::default();
    if events.is_empty() {
        errors.add("events", h.pick_event);
    }
    if let Err(WebhookFailure::Invalid { message, .. }) = webhooks::check_url(&state.ctx, &form.url) {
        errors.add("url", message);
    }
    if !errors.is_empty() {
        return page(&state, &staff, Shown { errors, ..shown(StatusCode::UNPROCESSABLE_ENTITY) }).await;
    }
    let change = SubscriptionChange {
        url: Some(form.url),
        event_types: Some(events),
        description: Some(Some(form.description)),
        enabled: Some(true),
    };
    let sub = match webhooks::create_subscription(&state.ctx, staff.tenant.id, change).await {
        Ok(s) => s,
        Err(WebhookFailure::Invalid { field, message }) => {
            errors.add(if field == "description" { "description" } else { "url" }, message);
            return page(&state, &staff, Shown { errors, ..shown(StatusCode::UNPROCESSABLE_ENTITY) }).await;
        }
        Err(e) => return internal(staff.locale(), &e),
    };
    if let Err(r) = audited(&state, &staff, "create", "webhook_subscription", sub.id).await {
        return r;
    }
    let issued = Some(sub.secret.expose().to_owned());
    page(&state, &staff, Shown { issued, ..shown(StatusCode::CREATED) }).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// `rotate`, `delete`, `enable` or `disable` one subscription.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, what)): Path<(Uuid, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let (ctx, tenant) = (&state.ctx, staff.tenant.id);
    let mut issued = None;
    let done = match what.as_str() {
        "rotate" => webhooks::rotate_secret(ctx, tenant, id, None).await.map(|s| {
            issued = Some(s.secret.expose().to_owned());
        }),
        "delete" => webhooks::delete_subscription(ctx, tenant, id).await,
        "enable" | "disable" => {
            let change = SubscriptionChange { enabled: Some(what == "enable"), ..Default::default() };
            webhooks::update_subscription(ctx, tenant, id, change).await.map(drop)
        }
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    };
    match done {
        Ok(()) => {}
        Err(WebhookFailure::NotFound) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e) => return internal(staff.locale(), &e),
    }
    if let Err(r) = audited(&state, &staff, &what, "webhook_subscription", id).await {
        return r;
    }
    match issued {
        Some(secret) => {
            let notice = Some(staff.texts().hooks.rotated);
            page(&state, &staff, Shown { issued: Some(secret), notice, ..shown(StatusCode::OK) }).await
        }
        None => Redirect::to("/app/settings/webhooks").into_response(),
    }
}

pub async fn replay(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    match webhooks::replay(&state.ctx, staff.tenant.id, id).await {
        Ok(_) => {}
        Err(WebhookFailure::NotFound) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(WebhookFailure::InProgress) => {
            let notice = Some(staff.texts().hooks.in_progress);
            return page(&state, &staff, Shown { notice, ..shown(StatusCode::CONFLICT) }).await;
        }
        Err(e) => return internal(staff.locale(), &e),
    }
    if let Err(r) = audited(&state, &staff, "replay", "webhook_delivery", id).await {
        return r;
    }
    Redirect::to("/app/settings/webhooks?done=replayed").into_response()
}
