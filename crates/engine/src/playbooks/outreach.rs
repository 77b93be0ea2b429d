//! What the clinic does for a lead over time: the hot-lead playbook at once, the follow-up
//! cadence while the patient stays silent, and reactivation after a missed appointment.
//! Each step checks first whether it is still wanted (a reply, a booking, an opt-out or a
//! lost lead stops the sequence) and leaves a timeline entry saying what it did or why not.

use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use crate::leads::{FOLLOW_UP_JOB, REACTIVATION_JOB, SPEED_TO_LEAD_JOB, lead_job};
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use crate::voice::{PlaceCallRequest, place_call};
use async_trait::async_trait;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::jobs::Job;
use frontdesk_domain::leads::{FirstReach, Lead, LeadEvent, LeadStage};
use frontdesk_domain::messaging::{Channel, Conversation, TemplateKey, may_send_automated};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct StepRef {
    lead_id: frontdesk_domain::LeadId,
    #[serde(default)]
    step: usize,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

async fn load(ctx: &Ctx, job: &Job) -> Result<(Lead, usize), JobError> {
    let r: StepRef =
        serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
    let lead = ctx
        .store
        .get_lead(job.tenant_id, r.lead_id)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::permanent("the lead no longer exists"))?;
    Ok((lead, r.step))
}

/// Sends one automated WhatsApp template to the lead's patient; the event says what
/// happened (sent, or skipped and why).
/// Sends the step's message, keyed by the step's job: a retried step sends it once.
async fn message(ctx: &Ctx, job: &Job, lead: &Lead, key: TemplateKey) -> Result<LeadEvent, JobError> {
    let now = ctx.clock.now();
    let tenant = ctx
        .store
        .tenant_by_id(lead.tenant_id)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::permanent("no tenant"))?;
    let patient = ctx
        .store
        .get_patient(lead.tenant_id, lead.patient_id)
        .await
        .map_err(retry)?
        .ok_or_else(|| JobError::permanent("no patient"))?;
    let request = SendRequest {
        tenant_id: lead.tenant_id,
        patient_id: lead.patient_id,
        channel: Channel::Whatsapp,
        content: Content::Template {
            key,
            variables: json!({
                "clinic_name": tenant.name,
                "patient_first_name": patient.known_first_name().unwrap_or_default(),
                "service": lead.service_interest,
            }),
        },
        automated: true,
        by: frontdesk_domain::messaging::Sender::Automation,
        campaign: None,
    };
    let once = SendKey { anchor: job.id.as_uuid(), purpose: "lead_step", seq: 0 };
    Ok(match send_keyed(ctx, request, once).await {
        // Queued, not yet sent: the timeline reads where it is now from the message.
        Ok(m) => LeadEvent::new(lead, "message_queued", json!({"template": key, "message_id": m.id}), now),
        Err(MessagingFailure::Store(e)) => return Err(retry(e)),
        Err(e) => {
            LeadEvent::new(lead, "message_skipped", json!({"template": key, "why": e.to_string()}), now)
        }
    })
}

async fn call(ctx: &Ctx, job: &Job, lead: &Lead, reason: &str) -> Result<LeadEvent, JobError> {
    let request = PlaceCallRequest {
        tenant_id: lead.tenant_id,
        patient_id: lead.patient_id,
        reason: Some(reason.to_owned()),
        assistant_id: None,
        lead_id: Some(lead.id),
        // A retried step finds the call it asked for instead of calling twice.
        once: Some(job.id.as_uuid()),
    };
    let placed = match place_call(ctx, request).await {
        Ok(placed) => placed,
        // The patient asked not to be called: the step is done, and the timeline says why.
        Err(crate::voice::VoiceFailure::OptedOut) => {
            return Ok(LeadEvent::new(
                lead,
                "call_skipped",
                json!({"reason": reason, "why": "the patient opted out of calls"}),
                ctx.clock.now(),
            ));
        }
        Err(e) => return Err(retry(e)),
    };
    ctx.faults.check("lead.call_requested")?;
    Ok(LeadEvent::new(
        lead,
        "call_requested",
        json!({"call_id": placed.id, "reason": reason}),
        ctx.clock.now(),
    ))
}

/// A red flag made the patient's conversation urgent: the sequence stops.
const URGENT: &str = "an urgent conversation is with staff";

/// Why the sequence should stop, if it should: the patient wrote since the lead began,
/// opted out, or the lead moved on.
async fn stop_reason(ctx: &Ctx, lead: &Lead) -> Result<Option<&'static str>, JobError> {
    if !matches!(lead.stage, LeadStage::New | LeadStage::Contacted) {
        return Ok(Some("the lead moved on"));
    }
    let consents = ctx.store.consents(lead.tenant_id, lead.patient_id).await.map_err(retry)?;
    if !may_send_automated(&consents, Channel::Whatsapp) {
        return Ok(Some("the patient opted out"));
    }
    let conversation = ctx
        .store
        .conversation_for(&Conversation::new(
            lead.tenant_id,
            lead.patient_id,
            Channel::Whatsapp,
            ctx.clock.now(),
        ))
        .await
        .map_err(retry)?;
    if conversation.last_inbound_at.is_some_and(|t| t >= lead.created_at) {
        return Ok(Some("the patient replied"));
    }
    // No sales push to someone in an emergency (docs/safety.md).
    if conversation.urgent {
        return Ok(Some(URGENT));
    }
    Ok(None)
}

/// Records the clinic's first reach-out to the lead; the first one also yields the
/// `LeadContacted` fact with the speed to lead, saved with the lead.
fn first_contact(lead: &mut Lead, now: Timestamp) -> Vec<frontdesk_domain::jobs::NewJob> {
    let first = lead.first_outbound_at.is_none();
    lead.note_outbound(now);
    if !first {
        return Vec::new();
    }
    let seconds = (now - lead.created_at).get_seconds().max(0);
    let fact = Fact::new(
        lead.tenant_id,
        FactKind::LeadContacted,
        format_args!("lead:{}", lead.id),
        json!({"lead_id": lead.id, "patient_id": lead.patient_id, "seconds": seconds,
            "lead_created_at": lead.created_at, "source": lead.source}),
        now,
    );
    crate::facts::jobs_for(&fact, now)
}

pub(super) struct SpeedToLead {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for SpeedToLead {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let (mut lead, _) = load(ctx, job).await?;
        let now = ctx.clock.now();
        if !matches!(lead.stage, LeadStage::New | LeadStage::Contacted) {
            let e = LeadEvent::new(&lead, "speed_to_lead_skipped", json!({"why": "the lead moved on"}), now);
            return ctx.store.save_lead(&lead, &[e], &[], now).await.map_err(retry);
        }
        let settings = ctx.store.tenant_settings(lead.tenant_id).await.map_err(retry)?;
        let mut events = vec![
            call(ctx, job, &lead, "hot_lead").await?,
            message(ctx, job, &lead, TemplateKey::LeadWelcome).await?,
        ];
        let mut jobs = first_contact(&mut lead, now);
        if lead.move_to(LeadStage::Contacted, now) {
            events.push(LeadEvent::new(&lead, "stage_changed", json!({"to": "contacted"}), now));
        }
        if let Some(step) = settings.leads.follow_up.first() {
            jobs.push(lead_job(
                &lead,
                FOLLOW_UP_JOB,
                0,
                now + SignedDuration::from_mins(i64::from(step.after_minutes)),
            ));
        }
        ctx.store.save_lead(&lead, &events, &jobs, now).await.map_err(retry)
    }
}

pub(super) struct FollowUp {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for FollowUp {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let (mut lead, step) = load(ctx, job).await?;
        let now = ctx.clock.now();
        if let Some(why) = stop_reason(ctx, &lead).await? {
            let e = LeadEvent::new(&lead, "follow_up_stopped", json!({"step": step, "why": why}), now);
            return ctx.store.save_lead(&lead, &[e], &[], now).await.map_err(retry);
        }
        let settings = ctx.store.tenant_settings(lead.tenant_id).await.map_err(retry)?;
        let Some(this) = settings.leads.follow_up.get(step) else { return Ok(()) };
        let mut events = Vec::new();
        if this.call {
            events.push(call(ctx, job, &lead, "follow_up").await?);
        }
        if this.message {
            events.push(message(ctx, job, &lead, TemplateKey::LeadFollowUp).await?);
        }
        let mut jobs = first_contact(&mut lead, now);
        if lead.move_to(LeadStage::Contacted, now) {
            events.push(LeadEvent::new(&lead, "stage_changed", json!({"to": "contacted"}), now));
        }
        // Steps count from the lead's creation, so a late run does not push the rest back.
        if let Some(next) = settings.leads.follow_up.get(step + 1) {
            let at = lead.created_at + SignedDuration::from_mins(i64::from(next.after_minutes));
            jobs.push(lead_job(&lead, FOLLOW_UP_JOB, step + 1, at.max(now)));
        }
        ctx.store.save_lead(&lead, &events, &jobs, now).await.map_err(retry)
    }
}

pub(super) struct Reactivation {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for Reactivation {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let (lead, step) = load(ctx, job).await?;
        let now = ctx.clock.now();
        let lead = &lead;
        let stop = |why: &'static str| {
            let e = LeadEvent::new(lead, "reactivation_stopped", json!({"step": step, "why": why}), now);
            async move { ctx.store.save_lead(lead, &[e], &[], now).await.map_err(retry) }
        };
        if lead.stage != LeadStage::NoShow {
            return stop("the lead moved on").await;
        }
        let rebooked = !crate::scheduling::upcoming_for(ctx, lead.tenant_id, lead.patient_id)
            .await
            .map_err(retry)?
            .is_empty();
        if rebooked {
            return stop("the patient booked again").await;
        }
        let consents = ctx.store.consents(lead.tenant_id, lead.patient_id).await.map_err(retry)?;
        if !may_send_automated(&consents, Channel::Whatsapp) {
            return stop("the patient opted out").await;
        }
        let conversation = ctx
            .store
            .conversation_for(&Conversation::new(lead.tenant_id, lead.patient_id, Channel::Whatsapp, now))
            .await
            .map_err(retry)?;
        if conversation.urgent {
            return stop(URGENT).await;
        }
        let settings = ctx.store.tenant_settings(lead.tenant_id).await.map_err(retry)?;
        let event = message(ctx, job, lead, TemplateKey::Reactivation).await?;
        let missed_at = lead.stage_times.get(&LeadStage::NoShow).copied().unwrap_or(now);
        let jobs = match settings.leads.reactivation_days.get(step + 1) {
            Some(days) => {
                let at = missed_at + SignedDuration::from_hours(24 * i64::from(*days));
                vec![lead_job(lead, REACTIVATION_JOB, step + 1, at.max(now))]
            }
            None => Vec::new(),
        };
        ctx.store.save_lead(lead, &[event], &jobs, now).await.map_err(retry)
    }
}

#[derive(Deserialize)]
struct LeadCreatedPayload {
    lead_id: frontdesk_domain::LeadId,
    #[serde(default)]
    in_conversation: bool,
}

/// Reacts to `lead_created`: schedules the lead's first reach (speed-to-lead now for a hot
/// lead, else the cadence's first step), keyed by the lead, so a repeated fact schedules
/// nothing new.
pub(super) struct FirstReachOut {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for FirstReachOut {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let fact = crate::facts::fact_of(job)?;
        let p: LeadCreatedPayload = serde_json::from_value(fact.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad lead fact: {e}")))?;
        let Some(lead) = ctx.store.get_lead(job.tenant_id, p.lead_id).await.map_err(retry)? else {
            return Ok(());
        };
        let settings = ctx.store.tenant_settings(job.tenant_id).await.map_err(retry)?;
        let now = ctx.clock.now();
        let next = match settings.leads.first_reach(lead.temperature, p.in_conversation) {
            FirstReach::SpeedToLead => lead_job(&lead, SPEED_TO_LEAD_JOB, 0, now),
            // Counted from when the lead arrived, however late this reaction runs.
            FirstReach::FollowUp { after_minutes } => lead_job(
                &lead,
                FOLLOW_UP_JOB,
                0,
                fact.at + SignedDuration::from_mins(i64::from(after_minutes)),
            ),
            FirstReach::InConversation | FirstReach::Nothing => return Ok(()),
        };
        ctx.store.enqueue(&next, now).await.map_err(retry)?;
        Ok(())
    }
}
