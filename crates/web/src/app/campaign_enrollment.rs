//! One patient's enrollment in a campaign, in the staff app: where it stands in a
//! sentence, the step waiting to run, and every message and call since they enrolled.

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
use frontdesk_domain::messaging::Direction;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::campaigns::{self, CampaignFailure, Interaction};
use uuid::Uuid;

pub struct EnrollmentTexts {
    pub standing: &'static str,
    pub next_step: &'static str,
    pub interactions: &'static str,
    pub none_yet: &'static str,
    pub sent: &'static str,
    pub received: &'static str,
    pub call: &'static str,
    pub step: &'static str,
    pub call_attempts: &'static str,
    /// The look a day after the last step that closes the enrollment.
    pub closes: &'static str,
}

const PT_BR: EnrollmentTexts = EnrollmentTexts {
    standing: "Onde está",
    next_step: "Próxima etapa",
    interactions: "Mensagens e ligações desde a inscrição",
    none_yet: "Nada ainda.",
    sent: "enviada",
    received: "recebida",
    call: "Ligação",
    step: "Etapa",
    call_attempts: "ligações feitas",
    closes: "Encerra (se não houver resposta)",
};

const EN: EnrollmentTexts = EnrollmentTexts {
    standing: "Where it stands",
    next_step: "Next step",
    interactions: "Messages and calls since enrolling",
    none_yet: "Nothing yet.",
    sent: "sent",
    received: "received",
    call: "Call",
    step: "Step",
    call_attempts: "calls placed",
    closes: "Closes (if no answer)",
};

/// One line of the history.
pub struct Line {
    pub when: String,
    /// "WhatsApp · enviada", "Ligação · no_answer".
    pub what: String,
    pub text: String,
    pub inbound: bool,
}

#[derive(Template)]
#[template(path = "campaign_enrollment.html")]
struct EnrollmentPage {
    t: &'static Texts,
    e: &'static EnrollmentTexts,
    chrome: Chrome,
    campaign_id: Uuid,
    campaign_name: String,
    patient_id: String,
    patient: String,
    state: &'static str,
    summary: String,
    /// "Etapa 2 · E-mail · 09/06 10:00".
    next: Option<String>,
    lines: Vec<Line>,
}

fn channel(c: frontdesk_domain::messaging::Channel, e: &EnrollmentTexts) -> &'static str {
    use frontdesk_domain::messaging::Channel as C;
    match c {
        C::Whatsapp => "WhatsApp",
        C::Sms => "SMS",
        C::Email => "E-mail",
        C::Voice => e.call,
    }
}

/// The longest text shown per line: the conversation itself is in the inbox.
const EXCERPT_CHARS: usize = 280;

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

pub async fn enrollment(
    State(state): State<AppState>,
    staff: Staff,
    Path((campaign, id)): Path<(String, String)>,
) -> Response {
    let locale = staff.locale();
    let (Ok(campaign), Ok(id)) = (campaign.parse::<Uuid>(), id.parse::<Uuid>()) else {
        return problem_page(locale, StatusCode::NOT_FOUND);
    };
    let d = match campaigns::enrollment_detail(&state.ctx, staff.tenant.id, campaign, id).await {
        Ok(d) => d,
        Err(CampaignFailure::NotFound) => return problem_page(locale, StatusCode::NOT_FOUND),
        Err(e) => return internal(locale, &e),
    };
    let e = if locale == Locale::PtBr { &PT_BR } else { &EN };
    let tz = staff.tenant.timezone.time_zone();
    let patient = match patient_name(&state, &staff, d.enrollment.patient_id).await {
        Ok(n) => n,
        Err(err) => return internal(locale, &err),
    };
    let t = staff.texts();
    let next = d.next.as_ref().map(|n| {
        let Some(step) = &n.step else {
            // Past the last step: the look that closes the enrollment.
            return format!("{} · {}", e.closes, day_time(n.planned.at, &tz));
        };
        let mut parts = vec![format!("{} {}", e.step, n.planned.step + 1)];
        {
            parts.push(channel(step.channel, e).to_owned());
            if let Some(template) = step.template {
                parts.push(t.set.template_name(template).to_owned());
            }
        }
        if n.planned.attempt > 0 {
            parts.push(format!("{} {}", n.planned.attempt, e.call_attempts));
        }
        parts.push(day_time(n.planned.at, &tz));
        parts.join(" · ")
    });
    let lines = d
        .interactions
        .iter()
        .map(|i| match i {
            Interaction::Message(m) => {
                let inbound = m.direction == Direction::Inbound;
                let way = if inbound { e.received } else { e.sent };
                let text = m.transcript.as_ref().or(m.body.as_ref()).map(|t| excerpt(t.as_str()));
                Line {
                    when: day_time(m.created_at, &tz),
                    what: format!("{} · {way} · {}", channel(m.channel, e), t.message_status(m.status)),
                    text: text.or_else(|| m.template.clone()).unwrap_or_default(),
                    inbound,
                }
            }
            Interaction::Call(c) => Line {
                when: day_time(c.created_at, &tz),
                what: format!("{} · {}", e.call, c.outcome.map_or(c.status.as_str(), |o| t.call_outcome(o))),
                text: c.summary.as_ref().map(|s| excerpt(s.as_str())).unwrap_or_default(),
                inbound: false,
            },
        })
        .collect();
    let chrome = match Chrome::new(&state, &staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = EnrollmentPage {
        t,
        e,
        chrome,
        campaign_id: d.campaign.id,
        campaign_name: d.campaign.name.clone(),
        patient_id: d.enrollment.patient_id.to_string(),
        patient,
        state: super::campaigns::word(locale, d.enrollment.state.as_str()),
        summary: d.standing.describe(locale, &tz),
        next,
        lines,
    };
    render(&page, StatusCode::OK)
}
