//! The campaign playbook: enroll a running campaign's audience a page at a time, and send
//! each enrolled patient the steps, in the clinic's sending window, spread so a large
//! audience does not go out in one burst, until the patient books, opts out or the steps
//! run out.
//!
//! Exactly once per patient and step, whatever restarts: a page's enrollments, their first
//! step jobs and the next page's job are filed in one transaction (a page enrolled again
//! adds nobody, and files no first step for anyone already enrolled); a step's message is keyed by the enrollment and the step (a rerun finds
//! the message it filed); the step is recorded by moving the enrollment's count from the
//! value it was sent at, which one worker only can do.

use super::campaign_steps::{advance, clinic_zone, end_and_complete};
use crate::Ctx;
use crate::campaigns::{ENROLL_PAGE, EnrollPayload, StepPayload, enroll_job, enrollment_id, step_job};
use crate::jobs::{JobError, JobHandler};
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use async_trait::async_trait;
use frontdesk_domain::campaigns::{
    Campaign, CampaignStatus, Enrollment, EnrollmentState, SinceEnrolled, next_in_window, next_state,
    step_due,
};
use frontdesk_domain::jobs::Job;
use frontdesk_domain::messaging::{Channel, may_send_automated};
use frontdesk_store::AudienceQuery;
use jiff::SignedDuration;

/// First steps sent per minute per campaign: a 50,000-patient recall takes about 14 hours
/// of sending time instead of flooding the provider (and the reception's phone) at once.
pub const FIRST_STEPS_PER_MINUTE: u64 = 60;
/// How often a paused campaign's pending steps look again.
const PAUSED_RECHECK: SignedDuration = SignedDuration::from_hours(1);

pub struct EnrollPage {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for EnrollPage {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: EnrollPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let Some(campaign) = ctx.store.get_campaign(job.tenant_id, p.campaign_id).await? else {
            return Ok(());
        };
        // Paused or stopped: resuming files a new enrollment from the start.
        if campaign.status != CampaignStatus::Running {
            return Ok(());
        }
        let now = ctx.clock.now();
        let q = AudienceQuery {
            kind: campaign.kind,
            segment: &campaign.segment,
            now,
            after: p.after,
            limit: ENROLL_PAGE,
        };
        let page = ctx.store.campaign_audience(job.tenant_id, &q).await?;
        let tz = clinic_zone(ctx, &campaign).await?;
        let mut enrollments = Vec::with_capacity(page.len());
        let mut jobs = Vec::with_capacity(1);
        for (i, patient) in page.iter().enumerate() {
            let id = enrollment_id(campaign.id, *patient);
            let enrollment = Enrollment {
                id,
                tenant_id: job.tenant_id,
                campaign_id: campaign.id,
                patient_id: *patient,
                state: EnrollmentState::Active,
                steps_sent: 0,
                last_sent_at: None,
                created_at: now,
                updated_at: now,
            };
            // Spread: the n-th patient of the campaign waits n / FIRST_STEPS_PER_MINUTE minutes.
            let nth = p.enrolled + i as u64;
            let spread = SignedDuration::from_mins(
                i64::try_from(nth / FIRST_STEPS_PER_MINUTE).unwrap_or(i64::MAX / 60),
            );
            let due = step_due(&campaign.steps[0], now).checked_add(spread).unwrap_or(now);
            let at = next_in_window(&campaign.window, due, &tz);
            let first = step_job(
                job.tenant_id,
                &StepPayload { enrollment_id: id, step: 0, planned_at: at, attempt: 0 },
                at,
            );
            enrollments.push((enrollment, first));
        }
        if page.len() == ENROLL_PAGE as usize {
            let next = EnrollPayload {
                campaign_id: campaign.id,
                after: page.last().copied(),
                enrolled: p.enrolled + page.len() as u64,
            };
            jobs.push(enroll_job(job.tenant_id, &next, now));
        }
        ctx.store.enroll(&enrollments, &jobs, now).await?;
        if page.len() < ENROLL_PAGE as usize {
            // The whole audience is in: the campaign completes when nobody is active (at
            // once for an audience of nobody).
            ctx.store.mark_audience_enrolled(job.tenant_id, campaign.id, now).await?;
            ctx.store.complete_campaign_if_done(job.tenant_id, campaign.id, now).await?;
        }
        Ok(())
    }
}

pub struct SendStep {
    pub ctx: Ctx,
}

#[async_trait]
impl JobHandler for SendStep {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let p: StepPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad payload: {e}")))?;
        let ctx = &self.ctx;
        let tenant = job.tenant_id;
        let Some(e) = ctx.store.get_enrollment(tenant, p.enrollment_id).await? else { return Ok(()) };
        // Sent already (a rerun, or a job filed twice), or over.
        if e.state != EnrollmentState::Active || e.steps_sent != p.step {
            return Ok(());
        }
        let Some(campaign) = ctx.store.get_campaign(tenant, e.campaign_id).await? else { return Ok(()) };
        let now = ctx.clock.now();
        match campaign.status {
            CampaignStatus::Running => {}
            CampaignStatus::Paused => {
                let later = now.checked_add(PAUSED_RECHECK).unwrap_or(now);
                ctx.store.enqueue(&step_job(tenant, &p, later), now).await?;
                return Ok(());
            }
            CampaignStatus::Draft | CampaignStatus::Stopped | CampaignStatus::Completed => {
                end_and_complete(ctx, tenant, &e, EnrollmentState::Stopped, now).await?;
                return Ok(());
            }
        }
        // The channel whose consent counts: this step's, or the last one's on the closing look.
        let Some(channel) = campaign.steps.get(p.step as usize).or(campaign.steps.last()).map(|s| s.channel)
        else {
            return Ok(());
        };
        let since = since_enrolled(ctx, &e, channel, reply_channel(&campaign, p.step)).await?;
        if let Some(end) = next_state(campaign.steps.len(), e.steps_sent, since) {
            end_and_complete(ctx, tenant, &e, end, now).await?;
            return Ok(());
        }
        let Some(step) = campaign.steps.get(p.step as usize) else { return Ok(()) };
        // A call step under way: its last call's outcome decides (call again, or move on).
        if p.attempt > 0 {
            return super::campaign_call::follow_call(ctx, &campaign, &e, &p, step, now).await;
        }
        // Another campaign wrote to this patient lately: this step waits for the gap (the
        // same step, so its message key stays the same).
        let cap = ctx.store.tenant_settings(tenant).await?.campaigns;
        let last = ctx.store.last_campaign_message_at(tenant, e.patient_id, e.campaign_id).await?;
        if let Some(free) = cap.held_until(last, now) {
            let tz = clinic_zone(ctx, &campaign).await?;
            let at = next_in_window(&campaign.window, free, &tz);
            ctx.store.enqueue(&step_job(tenant, &p, at), now).await?;
            return Ok(());
        }
        let Some(template) = step.template else {
            return super::campaign_call::place(ctx, &campaign, &e, &p, now).await;
        };
        let variables = variables(ctx, &campaign, &e).await?;
        let request = SendRequest {
            tenant_id: tenant,
            patient_id: e.patient_id,
            channel: step.channel,
            content: Content::Template { key: template, variables },
            automated: true,
            by: frontdesk_domain::messaging::Sender::Automation,
            campaign: Some(campaign.id),
        };
        let key = SendKey { anchor: p.anchor(), purpose: "campaign_step", seq: p.step };
        match send_keyed(ctx, request, key).await {
            Ok(_) => {}
            Err(MessagingFailure::OptedOut) => {
                end_and_complete(ctx, tenant, &e, EnrollmentState::OptedOut, now).await?;
                return Ok(());
            }
            // No approved template outside the WhatsApp window, or a patient gone: this
            // patient cannot be reached this way; the others go on.
            Err(
                MessagingFailure::WindowClosed
                | MessagingFailure::NoApprovedTemplate(_)
                | MessagingFailure::Invalid(_)
                | MessagingFailure::NotFound(_),
            ) => {
                end_and_complete(ctx, tenant, &e, EnrollmentState::Stopped, now).await?;
                return Ok(());
            }
            Err(MessagingFailure::Store(s)) => return Err(s.into()),
        }
        advance(ctx, &campaign, &e, p.step, now).await
    }
}

/// Where a reply to the campaign would arrive, as step `step` looks: its own channel, or
/// for a call, the channel of the last message before it (`None`: nothing was written).
fn reply_channel(campaign: &Campaign, step: u32) -> Option<Channel> {
    let upto = (step as usize + 1).min(campaign.steps.len());
    campaign.steps[..upto].iter().rev().map(|s| s.channel).find(Channel::is_messaging)
}

/// What the patient did since enrolling that ends the sequence.
async fn since_enrolled(
    ctx: &Ctx,
    e: &Enrollment,
    channel: Channel,
    reply_on: Option<Channel>,
) -> Result<SinceEnrolled, JobError> {
    let upcoming = crate::scheduling::upcoming_for(ctx, e.tenant_id, e.patient_id).await?;
    let consents = ctx.store.consents(e.tenant_id, e.patient_id).await?;
    // They wrote back after the last step and have not booked: no more automated steps;
    // staff follow up. Before the first step nobody can have replied, so the conversation
    // is only looked up (created, if the channel is new) once a step has gone.
    let (replied, bounced) = match (e.last_sent_at, reply_on) {
        (Some(sent), Some(reply_on)) => {
            let template = frontdesk_domain::messaging::Conversation::new(
                e.tenant_id,
                e.patient_id,
                reply_on,
                ctx.clock.now(),
            );
            let conversation = ctx.store.conversation_for(&template).await?;
            let replied = conversation.last_inbound_at.is_some_and(|at| at > sent);
            (replied, channel == Channel::Email && last_email_bounced(ctx, &conversation).await?)
        }
        _ => (false, false),
    };
    Ok(SinceEnrolled {
        booked: upcoming.iter().any(|a| a.created_at >= e.created_at),
        opted_out: !may_send_automated(&consents, channel),
        replied,
        bounced,
    })
}

/// Whether the clinic's latest e-mail in the conversation came back or was refused by the
/// patient's mail server (a 5xx code): the address does not work.
async fn last_email_bounced(
    ctx: &Ctx,
    conversation: &frontdesk_domain::messaging::Conversation,
) -> Result<bool, JobError> {
    use frontdesk_domain::messaging::{Direction, MessageStatus};
    let messages = ctx.store.list_messages(conversation.tenant_id, conversation.id).await?;
    let last = messages.iter().rev().find(|m| m.direction == Direction::Outbound);
    Ok(last.is_some_and(|m| {
        m.status == MessageStatus::Failed
            && m.error_code.as_deref().is_some_and(|c| c == "bounced" || c.starts_with('5'))
    }))
}

/// What a campaign's templates may use: the patient's first name, the clinic's name and
/// the patient's own booking link.
async fn variables(ctx: &Ctx, campaign: &Campaign, e: &Enrollment) -> Result<serde_json::Value, JobError> {
    let tenant =
        ctx.store.tenant_by_id(campaign.tenant_id).await?.ok_or_else(|| JobError::permanent("no tenant"))?;
    let patient = ctx.store.get_patient(e.tenant_id, e.patient_id).await?;
    let first_name = patient.as_ref().and_then(|p| p.known_first_name()).unwrap_or_default().to_owned();
    let mut vars = serde_json::json!({"patient_first_name": first_name, "clinic_name": tenant.name});
    if let Some(url) = crate::links::booking_url(ctx, &tenant, e.patient_id) {
        vars["booking_url"] = serde_json::json!(url);
    }
    Ok(vars)
}

/// Ends the patient's active sequences when they book (an appointment made after they
/// enrolled), opt out of a channel the campaign sends on, or reply to a campaign message
/// with a no, a stop, or something staff must answer (the reply agent: the reply is
/// understood like any message, `campaigns::reply_outcome`): the counts move at once.
pub struct CampaignResults {
    pub ctx: Ctx,
}

#[derive(serde::Deserialize)]
struct ResultPayload {
    patient_id: frontdesk_domain::PatientId,
    #[serde(default)]
    channel: Option<frontdesk_domain::messaging::Channel>,
    #[serde(default)]
    message_id: Option<frontdesk_domain::MessageId>,
    /// An out-of-office e-mail: no answer to the campaign.
    #[serde(default)]
    automatic: bool,
}

/// What the patient's message says for their enrollments, read once per fact, with the
/// message; `None` for a message with no text (a voice note not transcribed yet is answered
/// by the dialogue).
async fn reply_outcome(
    ctx: &Ctx,
    tenant: frontdesk_domain::TenantId,
    message: Option<frontdesk_domain::MessageId>,
) -> Result<Option<(EnrollmentState, frontdesk_domain::messaging::Message)>, JobError> {
    let Some(id) = message else { return Ok(None) };
    let Some(m) = ctx.store.get_message(tenant, id).await? else { return Ok(None) };
    let Some(text) = m.transcript.as_ref().or(m.body.as_ref()) else { return Ok(None) };
    let Some(t) = ctx.store.tenant_by_id(tenant).await? else { return Ok(None) };
    let today = ctx.clock.now().to_zoned(t.timezone.time_zone()).date();
    // "Quem é?": the assistant explains the campaign; the patient may still book.
    if frontdesk_domain::nlu::confusion::is_confused(text.as_str()) {
        return Ok(None);
    }
    let understood = frontdesk_domain::nlu::understand(text.as_str(), &[], today);
    Ok(frontdesk_domain::campaigns::reply_outcome(understood.intent).map(|state| (state, m)))
}

/// Whether `m` is the patient's first message since the campaign's last step: only that one
/// answers the campaign. Later ones belong to the dialogue that follows ("2" picking one of
/// the times it offered is no confusion).
async fn first_reply_since(
    ctx: &Ctx,
    m: &frontdesk_domain::messaging::Message,
    sent: jiff::Timestamp,
) -> Result<bool, JobError> {
    let since = ctx.store.recent_inbound(m.tenant_id, m.conversation_id, sent, 50).await?;
    Ok(since.iter().all(|other| (other.created_at, other.id) >= (m.created_at, m.id)))
}

#[async_trait]
impl JobHandler for CampaignResults {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let fact = crate::facts::fact_of(job)?;
        let p: ResultPayload = serde_json::from_value(fact.payload.clone())
            .map_err(|e| JobError::permanent(format!("bad fact payload: {e}")))?;
        let ctx = &self.ctx;
        let now = ctx.clock.now();
        let enrollments = ctx.store.active_enrollments_of(job.tenant_id, p.patient_id).await?;
        // A reply counts for the enrollments that sent a step before it arrived; the message
        // is read only when there is one.
        let sent_before = |e: &Enrollment| e.last_sent_at.filter(|sent| *sent <= fact.at);
        let answering = fact.kind == frontdesk_domain::facts::FactKind::MessageReceived && !p.automatic;
        // Engaged: the patient wrote back to a campaign that had written to them.
        if answering {
            for e in enrollments.iter().filter(|e| sent_before(e).is_some()) {
                ctx.store.mark_enrollment_replied(job.tenant_id, e.id, fact.at).await?;
            }
        }
        let reply = if answering && enrollments.iter().any(|e| sent_before(e).is_some()) {
            reply_outcome(ctx, job.tenant_id, p.message_id).await?
        } else {
            None
        };
        for e in &enrollments {
            let end = match fact.kind {
                frontdesk_domain::facts::FactKind::MessageReceived => match (&reply, sent_before(e)) {
                    (Some((state, m)), Some(sent)) if first_reply_since(ctx, m, sent).await? => *state,
                    _ => continue,
                },
                frontdesk_domain::facts::FactKind::AppointmentBooked if fact.at >= e.created_at => {
                    EnrollmentState::Booked
                }
                frontdesk_domain::facts::FactKind::OptedOut => {
                    let Some(campaign) = ctx.store.get_campaign(job.tenant_id, e.campaign_id).await? else {
                        continue;
                    };
                    if !campaign.steps.iter().any(|s| Some(s.channel) == p.channel) {
                        continue;
                    }
                    EnrollmentState::OptedOut
                }
                _ => continue,
            };
            end_and_complete(ctx, job.tenant_id, e, end, now).await?;
        }
        Ok(())
    }
}
