//! The body that describes a campaign (the API's `POST /api/v1/campaigns`, the staff app's
//! form) and its reading into what the engine creates: names of kinds, channels,
//! templates, lead stages and sources, times, tags. One parser, so the API and the form
//! refuse the same things with the same words.

use frontdesk_domain::campaigns::{CampaignKind, Segment, SendingWindow, Step};
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::{LocationId, PractitionerId, ServiceId};
use frontdesk_engine::campaigns::NewCampaign;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SegmentBody {
    /// Recall: the last attended visit was at least this many days ago.
    #[serde(default)]
    pub last_visit_before_days: Option<u32>,
    #[serde(default)]
    pub service_id: Option<Uuid>,
    #[serde(default)]
    pub practitioner_id: Option<Uuid>,
    #[serde(default)]
    pub location_id: Option<Uuid>,
    /// Only patients who missed an appointment at least once.
    #[serde(default)]
    pub had_no_show: bool,
    /// Only patients with a lead at this stage: `new`, `contacted`, `qualified`, `booked`,
    /// `showed`, `no_show`, `lost`... (as `GET /api/v1/leads` shows them).
    #[serde(default)]
    pub lead_stage: Option<String>,
    /// Only patients with a lead from this source: `paid_ads`, `organic`, `social`,
    /// `referral`, `whatsapp`, `phone`, `crm`, `import`.
    #[serde(default)]
    pub lead_source: Option<String>,
    /// Only patients carrying every one of these tags (at most 3; as the patient's `tags`
    /// are written, e.g. `vip`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only patients the clinic can reach on this channel (`email`: an address on file;
    /// any: no opt-out recorded on it).
    #[serde(default)]
    pub reachable_on: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// `whatsapp`, `sms`, `email`, or `voice` for an AI call.
    pub channel: String,
    /// A message step's template (`GET /api/v1/settings` lists them), e.g. `booking_link`
    /// or `reactivation`; a call step has none.
    #[serde(default)]
    pub template: Option<String>,
    /// Hours after the previous step (the first: after enrollment).
    #[serde(default)]
    pub delay_hours: u32,
    /// A call step: calls at most while nobody answers, 1 to 3 (default 1).
    #[serde(default)]
    pub attempts: Option<u8>,
    /// A call step: hours between an unanswered call and the next (default 24).
    #[serde(default)]
    pub retry_after_hours: Option<u32>,
}

impl StepBody {
    /// A stored step, as the API shows it.
    pub fn of(s: &Step) -> Self {
        Self {
            channel: s.channel.as_str().to_owned(),
            template: s.template.map(|t| t.as_str().to_owned()),
            delay_hours: s.delay_hours,
            attempts: s.is_call().then_some(s.attempts),
            retry_after_hours: s.is_call().then_some(s.retry_after_hours),
        }
    }
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// Local weekdays, Monday = 0; empty means every day.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// `09:00`.
    pub from: String,
    /// `18:00`.
    pub to: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaignBody {
    pub name: String,
    /// `recall`, `recovery`, `reactivation` or `custom`.
    pub kind: String,
    #[serde(default)]
    pub segment: SegmentBody,
    pub steps: Vec<StepBody>,
    /// When messages may go (the clinic's local time); weekdays 09:00-18:00 when absent.
    #[serde(default)]
    pub window: Option<WindowBody>,
}

fn parse_time(field: &str, raw: &str) -> Result<jiff::civil::Time, String> {
    raw.parse().map_err(|_| format!("{field}: expected a time like 09:00"))
}

/// What the body asks for, checked field by field: `Err` names the field and what is wrong
/// (the engine checks the rest when it creates the campaign).
pub fn new_campaign(b: NewCampaignBody) -> Result<NewCampaign, String> {
    let kind = b
        .kind
        .parse::<CampaignKind>()
        .map_err(|_| "kind must be recall, recovery, reactivation or custom".to_owned())?;
    let mut steps = Vec::with_capacity(b.steps.len());
    for (i, s) in b.steps.into_iter().enumerate() {
        let channel = s
            .channel
            .parse::<Channel>()
            .map_err(|_| format!("steps[{i}].channel must be whatsapp, sms, email or voice"))?;
        let template = match s.template.as_deref() {
            None => None,
            Some(raw) => Some(
                raw.parse::<TemplateKey>()
                    .map_err(|_| format!("steps[{i}].template: no template named {raw:?}"))?,
            ),
        };
        let mut step = match template {
            Some(t) => Step::message(channel, t, s.delay_hours),
            None => Step { channel, template: None, ..Step::call(s.delay_hours, 1, 24) },
        };
        step.attempts = s.attempts.unwrap_or(step.attempts);
        step.retry_after_hours = s.retry_after_hours.unwrap_or(step.retry_after_hours);
        steps.push(step);
    }
    let window = match b.window {
        None => None,
        Some(w) => Some(SendingWindow {
            weekdays: w.weekdays,
            from: parse_time("window.from", &w.from)?,
            to: parse_time("window.to", &w.to)?,
        }),
    };
    let s = b.segment;
    let lead_stage = match s.lead_stage.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<frontdesk_domain::leads::LeadStage>().map_err(|_| {
            let all: Vec<&str> = frontdesk_domain::leads::LeadStage::ALL.iter().map(|s| s.as_str()).collect();
            format!("segment.lead_stage must be one of {}", all.join(", "))
        })?),
    };
    let lead_source = match s.lead_source.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<frontdesk_domain::leads::LeadSource>().map_err(|_| {
            let all: Vec<&str> =
                frontdesk_domain::leads::LeadSource::ALL.iter().map(|s| s.as_str()).collect();
            format!("segment.lead_source must be one of {}", all.join(", "))
        })?),
    };
    let reachable_on = match s.reachable_on.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<Channel>()
                .map_err(|_| "segment.reachable_on must be whatsapp, sms, email or voice".to_owned())?,
        ),
    };
    let tags =
        frontdesk_domain::patients::normalize_tags(&s.tags).map_err(|e| format!("segment.tags: {e}"))?;
    Ok(NewCampaign {
        name: b.name,
        kind,
        segment: Segment {
            last_visit_before_days: s.last_visit_before_days,
            service_id: s.service_id.map(ServiceId),
            practitioner_id: s.practitioner_id.map(PractitionerId),
            location_id: s.location_id.map(LocationId),
            had_no_show: s.had_no_show,
            lead_stage,
            lead_source,
            tags,
            reachable_on,
        },
        steps,
        window,
    })
}
