//! Calls: the list with outcome, duration and cost, and a call's page with its recording,
//! summary, extracted data, transcript and the follow-up that was decided.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{day_time, internal, problem_page, render};
use super::session::Staff;
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::CallId;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::voice::{Call, CallDirection};
use frontdesk_engine::audit::{self, Access};
use frontdesk_store::{CallFilter, StoreError};
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub who: String,
    pub when: String,
    pub outcome: &'static str,
    pub duration: String,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct ListPage {
    t: &'static Texts,
    chrome: Chrome,
    rows: Vec<Row>,
}

fn duration(call: &Call) -> String {
    call.duration_seconds
        .map_or_else(|| "—".to_owned(), |s| format!("{}:{:02}", s as i64 / 60, s as i64 % 60))
}

fn cost(call: &Call) -> String {
    call.cost.map_or_else(|| "—".to_owned(), |c| format!("US$ {c:.2}"))
}

/// The outcome once the call ended, its state until then, in the person's language.
fn outcome(t: &Texts, call: &Call) -> &'static str {
    call.outcome.map_or_else(|| t.call_status(call.status), |o| t.call_outcome(o))
}

async fn who(state: &AppState, staff: &Staff, call: &Call) -> Result<String, StoreError> {
    match call.patient_id {
        Some(p) => patient_name(state, staff, p).await,
        None => Ok(staff.texts().unknown_caller.to_owned()),
    }
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    let tz = staff.tenant.timezone.time_zone();
    let page = PageRequest::new(None, Some(100));
    let calls = match state.ctx.store.list_calls(staff.tenant.id, &CallFilter::default(), page).await {
        Ok(p) => p.items,
        Err(e) => return internal(staff.locale(), &e),
    };
    let mut rows = Vec::new();
    for call in &calls {
        let who = match who(&state, &staff, call).await {
            Ok(w) => w,
            Err(e) => return internal(staff.locale(), &e),
        };
        rows.push(Row {
            id: call.id.to_string(),
            who,
            when: day_time(call.created_at, &tz),
            outcome: outcome(staff.texts(), call),
            duration: duration(call),
            cost: cost(call),
        });
    }
    let chrome = match Chrome::new(&state, &staff, "calls").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&ListPage { t: staff.texts(), chrome, rows }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    t: &'static Texts,
    chrome: Chrome,
    who: String,
    outcome: &'static str,
    status: &'static str,
    direction: &'static str,
    reason: Option<String>,
    attempt: u32,
    /// The appointment booked during the call: (when, calendar link).
    booked: Option<(String, String)>,
    duration: String,
    cost: String,
    /// How the outcome was decided and what was planned next, in the engine's words (for
    /// whoever looks into a call that went oddly).
    technical: Vec<String>,
    callback_at: Option<String>,
    recording: Option<String>,
    summary: Option<String>,
    extracted: Vec<(String, String)>,
    /// (said by the assistant, text)
    transcript: Vec<(bool, String)>,
}

pub async fn call(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let Ok(id) = id.parse::<Uuid>().map(CallId) else { return not_found() };
    let store = &state.ctx.store;
    let call = match store.get_call(staff.tenant.id, id).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return internal(staff.locale(), &e),
    };
    let access =
        Access { action: "read", resource_type: "call", resource_id: None, patient_id: call.patient_id };
    let (transcript, who) = match (
        audit::record(&state.ctx, &staff.actor(), access).await,
        store.transcript(staff.tenant.id, id).await,
        who(&state, &staff, &call).await,
    ) {
        (Ok(()), Ok(t), Ok(w)) => (t, w),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return internal(staff.locale(), &e),
    };
    let tz = staff.tenant.timezone.time_zone();
    let extracted = call
        .structured_data
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(k, v)| (k.replace('_', " "), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                .collect()
        })
        .unwrap_or_default();
    let chrome = match Chrome::new(&state, &staff, "calls").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let booked = match call.appointment_id {
        Some(a) => match store.get_appointment(staff.tenant.id, a).await {
            Ok(Some(appt)) => {
                let date = appt.start.to_zoned(tz.clone()).date();
                Some((day_time(appt.start, &tz), format!("/app/calendar?date={date}#appt-{a}")))
            }
            Ok(None) => None,
            Err(e) => return internal(staff.locale(), &e),
        },
        None => None,
    };
    let page = CallPage {
        t,
        chrome,
        who,
        outcome: outcome(t, &call),
        status: t.call_status(call.status),
        direction: match call.direction {
            CallDirection::Outbound => t.call_outbound,
            CallDirection::Inbound => t.call_inbound,
        },
        reason: call.reason.as_deref().map(|r| t.call_reason(r).to_owned()),
        attempt: call.attempt,
        booked,
        duration: duration(&call),
        cost: cost(&call),
        technical: [call.outcome_reason.clone(), call.ended_reason.clone()].into_iter().flatten().collect(),
        callback_at: call.callback_at.map(|t| day_time(t, &tz)),
        // Only a provider's https recording is linked; anything else is not offered.
        recording: call.recording_url.clone().filter(|u| u.starts_with("https://")),
        summary: call.summary.as_ref().map(|s| s.as_str().to_owned()),
        extracted,
        transcript: transcript
            .iter()
            .map(|turn| (turn.role == "assistant", turn.text.as_str().to_owned()))
            .collect(),
    };
    render(&page, StatusCode::OK)
}
