//! Playbooks: what the clinic does in reaction to what happened. Each reacts to facts (or
//! to the jobs a capability schedules for it) and acts only through the capabilities'
//! public functions. Dependencies go one way: playbooks -> capabilities (scheduling,
//! leads, messaging, voice) -> store/providers -> domain; `tests/layers.rs` checks it.

mod campaign_call;
mod campaign_steps;
mod campaigns;
mod confirm_call;
mod dialogue;
mod fact_log;
pub mod journey;
mod lead_stages;
mod outreach;
mod waitlist;
mod webhooks;

use crate::Ctx;
use crate::facts::{
    CAMPAIGN_RESULTS, CONFIRM_CALL, DIALOGUE, FACT_LOG, LEAD_STAGES, OUTREACH, WAITLIST, WEBHOOKS, job_kind,
};
use crate::jobs::JobRegistry;
use crate::leads::{FOLLOW_UP_JOB, REACTIVATION_JOB, SPEED_TO_LEAD_JOB};

/// Registers every playbook's jobs with the runner.
pub fn register_jobs(registry: &mut JobRegistry, ctx: Ctx) {
    registry.register(SPEED_TO_LEAD_JOB, outreach::SpeedToLead { ctx: ctx.clone() });
    registry.register(FOLLOW_UP_JOB, outreach::FollowUp { ctx: ctx.clone() });
    registry.register(REACTIVATION_JOB, outreach::Reactivation { ctx: ctx.clone() });
    registry.register(job_kind(LEAD_STAGES), lead_stages::LeadStages { ctx: ctx.clone() });
    registry.register(lead_stages::LEGACY_JOB, lead_stages::LegacyAppointmentEvent { ctx: ctx.clone() });
    registry.register(job_kind(DIALOGUE), dialogue::Dialogue { ctx: ctx.clone() });
    registry.register(job_kind(FACT_LOG), fact_log::FactLog { ctx: ctx.clone() });
    registry.register(job_kind(OUTREACH), outreach::FirstReachOut { ctx: ctx.clone() });
    registry.register(job_kind(WEBHOOKS), webhooks::OutboundWebhooks { ctx: ctx.clone() });
    registry.register(job_kind(WAITLIST), waitlist::RefillFreedSlots { ctx: ctx.clone() });
    registry.register(job_kind(CONFIRM_CALL), confirm_call::ScheduleCall { ctx: ctx.clone() });
    registry.register(confirm_call::CALL_JOB, confirm_call::CallIfUnanswered { ctx: ctx.clone() });
    registry.register(
        crate::webhooks::DELIVER_JOB,
        crate::webhooks::DeliverJob { ctx: ctx.clone(), schedule: Default::default() },
    );
    registry.register(crate::campaigns::ENROLL_JOB, campaigns::EnrollPage { ctx: ctx.clone() });
    registry.register(crate::campaigns::STEP_JOB, campaigns::SendStep { ctx: ctx.clone() });
    registry.register(job_kind(CAMPAIGN_RESULTS), campaigns::CampaignResults { ctx: ctx.clone() });
    journey::register_jobs(registry, ctx);
}
