//! A new lead, from whichever source: the patient found or registered by phone, merged
//! into their recent lead when they come back within the window, scored, and handed to
//! the playbook its temperature calls for, all in one transaction.

use super::LeadFailure;
use crate::Ctx;
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::leads::{FirstReach, Lead, LeadEvent, LeadSource, ScoreInput, score};
use frontdesk_domain::nlu::{Intent, understand};
use frontdesk_domain::patients::Patient;
use frontdesk_store::StoreError;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// What a source knows about a lead.
#[derive(Clone, Default)]
pub struct LeadIntake {
    pub source: Option<LeadSource>,
    pub name: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub service_interest: Option<String>,
    pub notes: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub campaign: Option<String>,
    pub owner: Option<String>,
    /// When the patient filled the form (recency scores).
    pub submitted_at: Option<Timestamp>,
    /// What the patient wrote first (intent and urgency score).
    pub first_message: Option<String>,
    /// The patient wrote in and is talking with the dialogue already: no outreach playbook.
    pub in_conversation: bool,
    /// Labels for the lead's patient ("implante", "black friday"): added to the ones they
    /// carry, for campaigns' segments.
    pub tags: Vec<String>,
}

impl std::fmt::Debug for LeadIntake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pii::Redacted;
        f.debug_struct("LeadIntake")
            .field("source", &self.source)
            .field("name", &Redacted(&self.name))
            .field("phone", &Redacted(&self.phone))
            .field("email", &Redacted(&self.email))
            .field("service_interest", &Redacted(&self.service_interest))
            .field("notes", &Redacted(&self.notes))
            .field("utm_source", &self.utm_source)
            .field("utm_medium", &self.utm_medium)
            .field("utm_campaign", &self.utm_campaign)
            .field("utm_term", &self.utm_term)
            .field("utm_content", &self.utm_content)
            .field("campaign", &self.campaign)
            .field("owner", &self.owner)
            .field("submitted_at", &self.submitted_at)
            .field("first_message", &Redacted(&self.first_message))
            .field("in_conversation", &self.in_conversation)
            .field("tags", &self.tags)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct LeadCreated {
    pub lead: Lead,
    /// The patient's recent lead absorbed this one.
    pub merged: bool,
}

/// The job of one playbook step for `lead`, keyed so a step runs once.
pub fn lead_job(lead: &Lead, kind: &str, step: usize, at: Timestamp) -> NewJob {
    NewJob::new(lead.tenant_id, kind, json!({"lead_id": lead.id, "step": step}), at)
        .with_dedupe_key(format!("{kind}:{}:{step}", lead.id))
}

async fn find_or_register(
    ctx: &Ctx,
    intake: &LeadIntake,
    region: &str,
    tenant: &frontdesk_domain::tenant::Tenant,
) -> Result<Patient, LeadFailure> {
    let phone =
        PhoneE164::parse(&intake.phone, region).map_err(|e| LeadFailure::Invalid(format!("phone: {e}")))?;
    if let Some(p) = ctx.store.patient_by_phone(tenant.id, &phone).await? {
        return Ok(p);
    }
    let name = match intake.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => PersonName::parse(n).map_err(|e| LeadFailure::Invalid(format!("name: {e}")))?,
        None => PersonName::placeholder(&phone),
    };
    let mut patient = Patient::new(tenant.id, name, phone.clone(), tenant.locale, ctx.clock.now());
    if let Some(email) = intake.email.as_deref().filter(|e| !e.trim().is_empty()) {
        patient.email = Some(Email::parse(email).map_err(|e| LeadFailure::Invalid(format!("email: {e}")))?);
    }
    match ctx.store.create_patient(&patient).await {
        Ok(()) => Ok(patient),
        Err(StoreError::Conflict(_)) => {
            ctx.store.patient_by_phone(tenant.id, &phone).await?.ok_or(LeadFailure::NotFound("patient"))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_lead(
    ctx: &Ctx,
    tenant_id: frontdesk_domain::TenantId,
    intake: LeadIntake,
) -> Result<LeadCreated, LeadFailure> {
    let now = ctx.clock.now();
    if let Some(at) = intake.submitted_at {
        frontdesk_domain::plausible::event_time(at, now)
            .map_err(|e| LeadFailure::Invalid(format!("submitted_at: {e}")))?;
    }
    let tags = frontdesk_domain::patients::normalize_tags(&intake.tags)
        .map_err(|e| LeadFailure::Invalid(format!("tags: {e}")))?;
    let tenant = ctx.store.tenant_by_id(tenant_id).await?.ok_or(LeadFailure::NotFound("tenant"))?;
    let settings = ctx.store.tenant_settings(tenant_id).await?;
    let patient = find_or_register(ctx, &intake, &settings.default_region, &tenant).await?;
    if !tags.is_empty() {
        ctx.store.add_patient_tags(tenant_id, patient.id, &tags).await?;
    }
    let window = SignedDuration::from_hours(i64::from(settings.leads.dedupe_window_hours));
    if let Some(mut lead) = ctx.store.recent_lead_for_patient(tenant_id, patient.id, now - window).await? {
        // The same person again (a second form, a message after the form): one lead.
        merge(&mut lead, &intake, now);
        let event =
            LeadEvent::new(&lead, "merged", json!({"source": intake.source.unwrap_or(LeadSource::Crm)}), now);
        ctx.store.save_lead(&lead, &[event], &[], now).await?;
        return Ok(LeadCreated { lead, merged: true });
    }
    let mut lead = Lead::new(tenant_id, patient.id, intake.source.unwrap_or(LeadSource::Crm), now);
    merge(&mut lead, &intake, now);
    lead.owner = intake.owner.clone();
    // What the patient wrote, if anything: a stated wish to book, or urgency, heats the lead.
    let understood = intake.first_message.as_deref().map(|m| {
        let today = tenant.timezone.time_zone().to_datetime(now).date();
        understand(m, &[], today)
    });
    let price = match &lead.service_interest {
        Some(wanted) => ctx
            .store
            .list_services(tenant_id)
            .await?
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(wanted.trim()))
            .and_then(|s| s.price_cents),
        None => None,
    };
    let input = ScoreInput {
        source: lead.source,
        service_interest: lead.service_interest.as_deref(),
        service_price_cents: price,
        submitted_at: intake.submitted_at,
        now,
        booking_intent: understood.as_ref().is_some_and(|u| u.intent == Intent::BookingRequest),
        urgent: understood.as_ref().is_some_and(|u| u.urgent),
    };
    let (points, temperature, reasons) = score(&input, &settings.leads.scoring);
    lead.score = points;
    lead.temperature = temperature;
    lead.score_reasons = reasons.clone();
    // What happens next is the outreach playbook's, reacting to the fact below; the
    // timeline says what it will do, from the same rule.
    let next = match settings.leads.first_reach(temperature, intake.in_conversation) {
        FirstReach::InConversation => "none: the patient is in conversation".to_owned(),
        FirstReach::SpeedToLead => "speed-to-lead now".to_owned(),
        FirstReach::FollowUp { after_minutes } => {
            format!("follow-up at {}", now + SignedDuration::from_mins(i64::from(after_minutes)))
        }
        FirstReach::Nothing => "no automatic follow-up".to_owned(),
    };
    let events = [
        LeadEvent::new(&lead, "created", json!({"source": lead.source}), now),
        LeadEvent::new(
            &lead,
            "scored",
            json!({"score": points, "temperature": temperature, "reasons": reasons, "next": next}),
            now,
        ),
    ];
    // The lead exists: a fact for whichever playbook listens, in the lead's transaction.
    let fact = Fact::new(
        tenant_id,
        FactKind::LeadCreated,
        format_args!("lead:{}", lead.id),
        json!({"lead_id": lead.id, "patient_id": lead.patient_id, "source": lead.source,
            "temperature": temperature, "in_conversation": intake.in_conversation}),
        now,
    );
    let jobs = crate::facts::jobs_for(&fact, now);
    ctx.store.insert_lead(&lead, &events, &jobs, now).await?;
    Ok(LeadCreated { lead, merged: false })
}

/// Fills what the lead does not know yet; notes accumulate.
fn merge(lead: &mut Lead, intake: &LeadIntake, now: Timestamp) {
    let fill = |field: &mut Option<String>, value: &Option<String>| {
        if field.is_none() {
            *field = value.clone().filter(|v| !v.trim().is_empty());
        }
    };
    fill(&mut lead.utm_source, &intake.utm_source);
    fill(&mut lead.utm_medium, &intake.utm_medium);
    fill(&mut lead.utm_campaign, &intake.utm_campaign);
    fill(&mut lead.utm_term, &intake.utm_term);
    fill(&mut lead.utm_content, &intake.utm_content);
    fill(&mut lead.campaign, &intake.campaign);
    fill(&mut lead.service_interest, &intake.service_interest);
    if let Some(note) = intake.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        lead.notes = Some(match lead.notes.take() {
            Some(old) => format!("{old}\n{note}"),
            None => note.to_owned(),
        });
    }
    lead.updated_at = lead.updated_at.max(now);
}
