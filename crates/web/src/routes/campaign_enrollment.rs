//! One enrollment of a campaign: what was sent and said since the patient enrolled, where
//! it stands in a sentence, and the step waiting to run.

use super::campaigns::EnrollmentView;
use crate::auth::Principal;
use crate::extract::ApiPath;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use frontdesk_engine::campaigns::{self, Interaction};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct StandingView {
    /// `waiting`, `sent`, `calling`, `talking`, or the final state (`booked`, `declined`...).
    pub code: &'static str,
    /// One sentence, in the clinic's language.
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct NextStepView {
    /// The step's index, from 0 (one past the last: the look a day after it that closes
    /// the enrollment, with no channel).
    pub step: u32,
    /// `whatsapp`, `sms`, `email` or `voice`.
    pub channel: Option<&'static str>,
    pub template: Option<&'static str>,
    /// A call step: calls already placed (the job looks at the last one's outcome).
    pub attempt: u32,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// A message in or out, or a call.
#[derive(Serialize, ToSchema)]
pub struct InteractionView {
    /// `message` or `call`.
    pub kind: &'static str,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// `whatsapp`, `sms`, `email` or `voice`.
    pub channel: &'static str,
    /// `inbound` or `outbound`.
    pub direction: &'static str,
    /// A message's delivery status, or a call's status.
    pub status: &'static str,
    /// A message's template, if it came from one.
    pub template: Option<String>,
    /// What the message said (or the voice note's transcript); a call's summary.
    pub text: Option<String>,
    /// A call's outcome (`booked`, `no_answer`, `voicemail`...).
    pub outcome: Option<&'static str>,
}

impl InteractionView {
    fn of(i: &Interaction) -> Self {
        match i {
            Interaction::Message(m) => Self {
                kind: "message",
                at: m.created_at,
                channel: m.channel.as_str(),
                direction: m.direction.as_str(),
                status: m.status.as_str(),
                template: m.template.clone(),
                text: m.transcript.as_ref().or(m.body.as_ref()).map(|t| t.as_str().to_owned()),
                outcome: None,
            },
            Interaction::Call(c) => Self {
                kind: "call",
                at: c.created_at,
                channel: "voice",
                direction: c.direction.as_str(),
                status: c.status.as_str(),
                template: None,
                text: c.summary.as_ref().map(|t| t.as_str().to_owned()),
                outcome: c.outcome.map(|o| o.as_str()),
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentDetailView {
    #[serde(flatten)]
    pub enrollment: EnrollmentView,
    pub standing: StandingView,
    /// Absent when nothing waits (over, or between a reply and staff).
    pub next_step: Option<NextStepView>,
    /// Since the patient enrolled, oldest first (the latest 100).
    pub interactions: Vec<InteractionView>,
}

/// One patient's enrollment: the interactions in and out since they enrolled, where it
/// stands, and the next planned step.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/enrollments/{enrollment_id}", tag = "campaigns",
    security(("api_key" = [])), params(("id" = Uuid, Path), ("enrollment_id" = Uuid, Path)),
    responses((status = 200, body = EnrollmentDetailView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn enrollment(
    State(state): State<AppState>,
    who: Principal,
    ApiPath((id, enrollment_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<EnrollmentDetailView>, ApiError> {
    let d = campaigns::enrollment_detail(&state.ctx, who.tenant_id, id, enrollment_id).await?;
    let tenant =
        state.ctx.store.tenant_by_id(who.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let summary = d.standing.describe(tenant.locale, &tenant.timezone.time_zone());
    Ok(Json(EnrollmentDetailView {
        standing: StandingView { code: d.standing.code(), summary },
        next_step: d.next.as_ref().map(|n| NextStepView {
            step: n.planned.step,
            channel: n.step.as_ref().map(|s| s.channel.as_str()),
            template: n.step.as_ref().and_then(|s| s.template).map(|t| t.as_str()),
            attempt: n.planned.attempt,
            at: n.planned.at,
        }),
        interactions: d.interactions.iter().map(InteractionView::of).collect(),
        enrollment: d.enrollment.into(),
    }))
}
