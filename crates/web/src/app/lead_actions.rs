//! Acting on a lead from its page. "Send WhatsApp" goes through the messaging engine.
//! "Call now" asks the engine for an outbound call (the
//! same path as `POST /api/v1/calls`: stored with the job that places it, inside calling
//! hours), linked to the lead. The form carries a one-time id, so a double submit places
//! one call.

use super::leads::{lead_page, load};
use super::page::{internal, problem_page};
use super::session::{Staff, same_origin};
use crate::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::staff::Permission;
use frontdesk_engine::audit::{self, Access};
use frontdesk_engine::messaging::{Content, MessagingFailure, SendKey, SendRequest, send, send_keyed};
use frontdesk_engine::voice::{self, PlaceCallRequest, VoiceFailure};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct CallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
}

pub async fn call_now(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CallForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let lead = match load(&state, &staff, &id).await {
        Ok(lead) => lead,
        Err(r) => return r,
    };
    let request = PlaceCallRequest {
        tenant_id: staff.tenant.id,
        patient_id: lead.value.patient_id,
        reason: Some("lead_follow_up".into()),
        assistant_id: None,
        lead_id: Some(lead.value.id),
        // A form without its id still calls, once per submit.
        once: form.once.parse::<Uuid>().ok(),
    };
    let call = match voice::place_call(&state.ctx, request).await {
        Ok(call) => call,
        Err(VoiceFailure::Store(e)) => return internal(staff.locale(), &e),
        Err(_) => {
            let problem = Some(staff.texts().call_refused);
            return lead_page(&state, &staff, lead, problem, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let call_id = call.id.to_string();
    let access = Access {
        action: "create",
        resource_type: "call",
        resource_id: Some(&call_id),
        patient_id: call.patient_id,
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/calls/{}", call.id)).into_response()
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    once: String,
    #[serde(default)]
    body: String,
    /// Set by the "send the follow-up template" button.
    #[serde(default)]
    template: String,
}

/// "Send WhatsApp": free text inside the 24-hour window; outside it the person is told so
/// and sends the clinic's approved lead follow-up template instead (the messaging engine
/// picks the approved template). Sent at most once per form shown.
pub async fn send_message(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let t = staff.texts();
    let lead = match load(&state, &staff, &id).await {
        Ok(lead) => lead,
        Err(r) => return r,
    };
    let content = if form.template.is_empty() {
        let text = form.body.trim();
        if text.is_empty() {
            return lead_page(&state, &staff, lead, Some(t.message_empty), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
        Content::Text(text.to_owned())
    } else {
        let patient = match state.ctx.store.get_patient(staff.tenant.id, lead.value.patient_id).await {
            Ok(Some(p)) => p,
            Ok(None) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
            Err(e) => return internal(staff.locale(), &e),
        };
        Content::Template {
            key: TemplateKey::LeadFollowUp,
            variables: json!({
                "clinic_name": staff.tenant.name,
                "patient_first_name": patient.name.first_name(),
                "service": lead.value.service_interest,
            }),
        }
    };
    let request = SendRequest {
        tenant_id: staff.tenant.id,
        patient_id: lead.value.patient_id,
        channel: Channel::Whatsapp,
        content,
        automated: false,
        by: frontdesk_domain::messaging::Sender::Staff,
        campaign: None,
    };
    let sent = match form.once.parse::<Uuid>() {
        Ok(anchor) => {
            send_keyed(&state.ctx, request, SendKey { anchor, purpose: "staff_lead_message", seq: 0 }).await
        }
        Err(_) => send(&state.ctx, request).await,
    };
    let problem = match sent {
        Ok(_) => None,
        Err(MessagingFailure::WindowClosed) => Some(t.lead_window_closed),
        Err(MessagingFailure::NoApprovedTemplate(_)) => Some(t.lead_no_template),
        Err(MessagingFailure::OptedOut) => Some(t.opted_out),
        Err(MessagingFailure::Invalid(_)) => Some(t.message_empty),
        Err(MessagingFailure::NotFound(_)) => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(MessagingFailure::Store(e)) => return internal(staff.locale(), &e),
    };
    if let Some(problem) = problem {
        return lead_page(&state, &staff, lead, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let lead_id = lead.value.id.to_string();
    let access = Access {
        action: "send",
        resource_type: "lead",
        resource_id: Some(&lead_id),
        patient_id: Some(lead.value.patient_id),
    };
    if let Err(e) = audit::record(&state.ctx, &staff.actor(), access).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/leads/{lead_id}?sent=1#message")).into_response()
}
