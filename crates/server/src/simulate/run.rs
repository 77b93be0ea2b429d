//! The run loop: a controllable clock moved from event to event (and at least every
//! minute), the engine's jobs run until idle after each step in this task, and the facts
//! log read back to learn what the clinic did. Patients act only through the engine's
//! ingest functions, the ones the webhooks and the API call after their checks: lead
//! intake, an inbound WhatsApp message, a check-in at the desk.

use super::patients::{self, Behaviour, Memory, Profile, Prompt, Reply};
use super::report::{Appointments, Arm, Funnel, SpeedToLead, Stage};
use anyhow::Context;
use frontdesk_domain::facts::FactKind;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::messaging::Channel;
use frontdesk_domain::noshow::{Fallback, PatientHistory};
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, AppointmentStatus};
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::{AppointmentId, ConversationId, ManualClock, MessageId, PatientId, TenantId};
use frontdesk_engine::Ctx;
use frontdesk_engine::jobs::{JobError, JobHandler, JobRunner};
use frontdesk_engine::leads::{LeadIntake, create_lead};
use frontdesk_engine::messaging::webhooks::sandbox_inbound;
use frontdesk_engine::scheduling::{ActionRequest, Confirmation, apply_action};
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;

/// How often the clock moves when no patient acts: jobs due in between run at the next
/// tick, so times the report measures are exact to this.
const TICK: SignedDuration = SignedDuration::from_mins(1);
/// Facts read per round trip.
const FACT_PAGE: u32 = 1000;

/// Runs the risk check only for the arm that has it; the other arm's checks do nothing,
/// as if the step did not exist.
pub(super) struct OnlyFor {
    pub tenant: TenantId,
    pub inner: Arc<dyn JobHandler>,
}

#[async_trait::async_trait]
impl JobHandler for OnlyFor {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        if job.tenant_id == self.tenant { self.inner.run(job).await } else { Ok(()) }
    }
}

enum Event {
    /// Patient `idx` fills the clinic's form (in both arms at once).
    Lead { idx: usize },
    /// A patient writes on WhatsApp.
    Says { arm: usize, idx: usize, text: String },
    /// A patient's appointment time: they come (checked in at the desk) or not.
    Due { arm: usize, idx: usize, appointment: AppointmentId, start: Timestamp },
}

/// One simulated patient in one arm.
struct Person {
    rng: StdRng,
    memory: Memory,
    patient_id: Option<PatientId>,
    lead_at: Option<Timestamp>,
    first_contact: Option<Timestamp>,
    reached: bool,
    replied: bool,
    /// In booking order, each once.
    appointments: Vec<AppointmentId>,
}

pub(super) struct ArmState {
    pub tenant: Tenant,
    pub with_confirmations: bool,
    cursor: i64,
    by_patient: HashMap<PatientId, usize>,
    people: Vec<Person>,
    handed_to_staff: u64,
    confirm_requests: u64,
}

impl ArmState {
    pub fn new(tenant: Tenant, with_confirmations: bool) -> Self {
        Self {
            tenant,
            with_confirmations,
            cursor: 0,
            by_patient: HashMap::new(),
            people: Vec::new(),
            handed_to_staff: 0,
            confirm_requests: 0,
        }
    }
}

pub(super) struct Sim {
    pub ctx: Ctx,
    pub clock: ManualClock,
    pub runner: JobRunner,
    pub arms: Vec<ArmState>,
    pub seed: u64,
    behaviour: Behaviour,
    population: Fallback,
    profiles: Vec<Profile>,
    queue: BinaryHeap<Reverse<(Timestamp, u64)>>,
    events: HashMap<u64, Event>,
    seq: u64,
    next_tick: Timestamp,
    pub jobs: u64,
    pub ingested: u64,
}

fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A Brazilian mobile number per simulated patient: the same in both arms.
fn phone(idx: usize) -> String {
    format!("+55119{:08}", 60_000_000 + idx)
}

impl Sim {
    pub fn new(ctx: Ctx, clock: ManualClock, runner: JobRunner, arms: Vec<ArmState>, seed: u64) -> Self {
        let next_tick = clock_now(&clock);
        Self {
            ctx,
            clock,
            runner,
            arms,
            seed,
            behaviour: Behaviour::default(),
            population: patients::population(),
            profiles: Vec::new(),
            queue: BinaryHeap::new(),
            events: HashMap::new(),
            seq: 0,
            next_tick,
            jobs: 0,
            ingested: 0,
        }
    }

    fn push(&mut self, at: Timestamp, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse((at, self.seq)));
        self.events.insert(self.seq, event);
    }

    /// Files the day's leads: `count` arrival times in the clinic's local day `date`,
    /// mostly in waking hours, some at night (when quiet hours hold the messages back).
    pub fn plan_day(&mut self, rng: &mut StdRng, date: jiff::civil::Date, count: u32) -> anyhow::Result<()> {
        let midnight = date.to_zoned(zone())?.timestamp();
        let mut times: Vec<i64> = (0..count)
            .map(|_| {
                if rng.random_bool(0.85) {
                    rng.random_range(7 * 3600..22 * 3600)
                } else {
                    rng.random_range(0..24 * 3600)
                }
            })
            .collect();
        times.sort_unstable();
        for secs in times {
            let idx = self.profiles.len();
            let mut own = StdRng::seed_from_u64(self.seed ^ (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            self.profiles.push(patients::draw_profile(&mut own, &self.behaviour));
            for arm in &mut self.arms {
                // Both arms' patient draws start alike (common random numbers): the arms
                // differ by the confirmation step and what follows from it, not by luck.
                arm.people.push(Person {
                    rng: own.clone(),
                    memory: Memory::default(),
                    patient_id: None,
                    lead_at: None,
                    first_contact: None,
                    reached: false,
                    replied: false,
                    appointments: Vec::new(),
                });
            }
            self.push(midnight + SignedDuration::from_secs(secs), Event::Lead { idx });
        }
        Ok(())
    }

    /// Moves the clock through every event and tick up to `until`.
    pub async fn run_until(&mut self, until: Timestamp) -> anyhow::Result<()> {
        loop {
            let next_event = self.queue.peek().map(|Reverse((at, _))| *at);
            let at = next_event.map_or(self.next_tick, |e| e.min(self.next_tick));
            if at > until {
                self.clock.set(until);
                return Ok(());
            }
            self.clock.set(at);
            // Everything due at this instant first, in both arms, then the clinic's jobs:
            // one arm's jobs never run between the other arm's events of the same moment.
            let mut acted = false;
            while self.queue.peek().is_some_and(|Reverse((t, _))| *t == at) {
                if let Some(Reverse((_, seq))) = self.queue.pop()
                    && let Some(event) = self.events.remove(&seq)
                {
                    self.handle(event).await?;
                    acted = true;
                }
            }
            if at >= self.next_tick {
                self.next_tick = at + TICK;
            }
            let ran = self.runner.run_pending().await.context("running the clinic's jobs")?;
            self.jobs += ran as u64;
            if ran > 0 || acted {
                self.read_facts().await?;
            }
        }
    }

    async fn handle(&mut self, event: Event) -> anyhow::Result<()> {
        let now = self.clock_now();
        match event {
            Event::Lead { idx } => {
                let p = &self.profiles[idx];
                let intake = LeadIntake {
                    source: Some(p.source),
                    name: p.gives_name.then(|| p.full_name()),
                    phone: phone(idx),
                    service_interest: p
                        .names_service
                        .then(|| crate::demo::DEPARTMENTS[p.service].1.to_owned()),
                    first_message: p.form_message(),
                    submitted_at: Some(now),
                    ..Default::default()
                };
                for arm in &mut self.arms {
                    let created = create_lead(&self.ctx, arm.tenant.id, intake.clone())
                        .await
                        .map_err(|e| anyhow::anyhow!("lead intake: {e}"))?;
                    arm.by_patient.insert(created.lead.patient_id, idx);
                    let person = &mut arm.people[idx];
                    person.patient_id = Some(created.lead.patient_id);
                    person.lead_at = Some(now);
                    self.ingested += 1;
                }
            }
            Event::Says { arm, idx, text } => {
                let tenant = self.arms[arm].tenant.id;
                sandbox_inbound(&self.ctx, tenant, &phone(idx), &text, Channel::Whatsapp)
                    .await
                    .map_err(|e| anyhow::anyhow!("inbound message: {e}"))?;
                self.ingested += 1;
            }
            Event::Due { arm, idx, appointment, start } => self.due(arm, idx, appointment, start).await?,
        }
        Ok(())
    }

    /// The appointment's time: whether the patient comes is drawn from the no-show model
    /// with what is true now (booked how far ahead, confirmed or not, their record).
    async fn due(
        &mut self,
        arm: usize,
        idx: usize,
        id: AppointmentId,
        start: Timestamp,
    ) -> anyhow::Result<()> {
        let tenant = self.arms[arm].tenant.id;
        let Some(a) = self.ctx.store.get_appointment(tenant, id).await? else { return Ok(()) };
        if a.start != start || !a.status.is_pending() {
            return Ok(());
        }
        let p = self.probability(arm, idx, &a);
        let person = &mut self.arms[arm].people[idx];
        if person.rng.random_bool(p) {
            // Nobody checks them in: the engine's no-show job marks it after the grace.
            person.memory.history.prior_no_shows += 1;
            return Ok(());
        }
        person.memory.history.prior_shows += 1;
        let request = ActionRequest {
            action: AppointmentAction::CheckIn,
            reason: None,
            new_start: None,
            actor: "staff:simulation".into(),
            confirmation: Confirmation::Silent,
        };
        apply_action(&self.ctx, tenant, id, request).await.map_err(|e| anyhow::anyhow!("check-in: {e}"))?;
        self.ingested += 1;
        Ok(())
    }

    fn probability(&self, arm: usize, idx: usize, a: &Appointment) -> f64 {
        let z = zone();
        let lead_days = (a.start.to_zoned(z.clone()).date() - a.created_at.to_zoned(z).date()).get_days();
        let history: PatientHistory = self.arms[arm].people[idx].memory.history;
        patients::no_show_probability(
            &self.population,
            &self.profiles[idx],
            u32::try_from(lead_days).unwrap_or(0),
            a.status == AppointmentStatus::Confirmed,
            history,
        )
    }

    fn clock_now(&self) -> Timestamp {
        clock_now(&self.clock)
    }

    /// Reads what the clinic did since the last look and lets each patient answer the
    /// most pressing message they got (in patient order, so job order cannot change it).
    async fn read_facts(&mut self) -> anyhow::Result<()> {
        let now = self.clock_now();
        let mut prompts: BTreeMap<(usize, usize), Prompt> = BTreeMap::new();
        for arm in 0..self.arms.len() {
            loop {
                let (tenant, cursor) = (self.arms[arm].tenant.id, self.arms[arm].cursor);
                let page = self.ctx.store.facts_after(tenant, cursor, FACT_PAGE).await?;
                let Some((last, _)) = page.last() else { break };
                self.arms[arm].cursor = *last;
                for (_, fact) in page {
                    let patient = fact.payload["patient_id"].as_str().and_then(|s| s.parse().ok());
                    let Some(idx) =
                        patient.and_then(|p: PatientId| self.arms[arm].by_patient.get(&p).copied())
                    else {
                        continue;
                    };
                    if let Some(prompt) = self.note(arm, idx, fact.kind, &fact.payload, fact.at).await? {
                        let slot = prompts.entry((arm, idx)).or_insert(prompt);
                        *slot = (*slot).min(prompt);
                    }
                }
            }
        }
        for ((arm, idx), prompt) in prompts {
            let risk = self.risk_ahead(arm, idx).await?;
            let person = &mut self.arms[arm].people[idx];
            let reply: Option<Reply> = patients::react(
                &self.profiles[idx],
                &mut person.memory,
                prompt,
                risk,
                &self.behaviour,
                &mut person.rng,
            );
            if let Some(reply) = reply {
                self.push(now + reply.after, Event::Says { arm, idx, text: reply.text });
            }
        }
        Ok(())
    }

    /// Records one fact about patient `idx`; returns what it asks of them, if anything.
    async fn note(
        &mut self,
        arm: usize,
        idx: usize,
        kind: FactKind,
        payload: &serde_json::Value,
        at: Timestamp,
    ) -> anyhow::Result<Option<Prompt>> {
        let tenant = self.arms[arm].tenant.id;
        let first_contact = |p: &mut Person| {
            p.first_contact = Some(p.first_contact.map_or(at, |t| t.min(at)));
        };
        match kind {
            FactKind::MessageStatusChanged
                if payload["status"] == "delivered" && payload["direction"] == "outbound" =>
            {
                let person = &mut self.arms[arm].people[idx];
                person.reached = true;
                first_contact(person);
                let Some(id) = payload["message_id"].as_str().and_then(|s| s.parse().ok()) else {
                    return Ok(None);
                };
                let Some(message) = self.ctx.store.get_message(tenant, MessageId(id)).await? else {
                    return Ok(None);
                };
                if message.template.as_deref() == Some("appointment_confirm_request") {
                    self.arms[arm].confirm_requests += 1;
                }
                let step = match message.template {
                    Some(_) => None,
                    None => self.dialogue_step(tenant, message.conversation_id).await?,
                };
                Ok(Prompt::of(message.template.as_deref(), step.as_deref()))
            }
            FactKind::CallStarted => {
                first_contact(&mut self.arms[arm].people[idx]);
                Ok(None)
            }
            FactKind::MessageReceived => {
                self.arms[arm].people[idx].replied = true;
                Ok(None)
            }
            FactKind::HandoffRequested => {
                self.arms[arm].handed_to_staff += 1;
                Ok(None)
            }
            FactKind::AppointmentBooked | FactKind::AppointmentRescheduled => {
                let Some(id) = payload["appointment_id"].as_str().and_then(|s| s.parse().ok()) else {
                    return Ok(None);
                };
                let id = AppointmentId(id);
                let Some(a) = self.ctx.store.get_appointment(tenant, id).await? else { return Ok(None) };
                let person = &mut self.arms[arm].people[idx];
                if !person.appointments.contains(&id) {
                    person.appointments.push(id);
                }
                person.memory.answered_about_appointment = 0;
                self.push(a.start, Event::Due { arm, idx, appointment: id, start: a.start });
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    async fn dialogue_step(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
    ) -> anyhow::Result<Option<String>> {
        let dialogue = self.ctx.store.get_dialogue(tenant, conversation).await?;
        Ok(dialogue.and_then(|d| d.state["step"].as_str().map(str::to_owned)))
    }

    /// The chance the patient misses their next appointment, as things stand.
    async fn risk_ahead(&self, arm: usize, idx: usize) -> anyhow::Result<f64> {
        let tenant = self.arms[arm].tenant.id;
        let Some(id) = self.arms[arm].people[idx].appointments.last() else { return Ok(0.0) };
        match self.ctx.store.get_appointment(tenant, *id).await? {
            Some(a) if a.status.is_pending() => Ok(self.probability(arm, idx, &a)),
            _ => Ok(0.0),
        }
    }

    /// Each lead's final stage and each appointment's final state, from the store.
    pub async fn arm_report(&self, arm: usize) -> anyhow::Result<Arm> {
        let state = &self.arms[arm];
        let mut funnel = Funnel::default();
        let mut appointments =
            Appointments { risk_confirmation_requests: state.confirm_requests, ..Default::default() };
        let mut waits = Vec::new();
        for person in &state.people {
            let Some(lead_at) = person.lead_at else { continue };
            if let Some(first) = person.first_contact {
                waits.push(first.duration_since(lead_at).as_secs());
            }
            let mut last = None;
            for id in &person.appointments {
                let Some(a) = self.ctx.store.get_appointment(state.tenant.id, *id).await? else { continue };
                appointments.booked += 1;
                let stage = match a.status {
                    AppointmentStatus::CheckedIn | AppointmentStatus::Completed => Stage::Showed,
                    AppointmentStatus::NoShow => Stage::NoShow,
                    AppointmentStatus::Cancelled => Stage::Cancelled,
                    AppointmentStatus::Booked | AppointmentStatus::Confirmed => Stage::Upcoming,
                };
                match stage {
                    Stage::Showed => appointments.showed += 1,
                    Stage::NoShow => appointments.no_show += 1,
                    Stage::Cancelled => appointments.cancelled += 1,
                    _ => appointments.upcoming += 1,
                }
                last = Some(stage);
            }
            let stage = match last {
                Some(stage) => stage,
                None if person.replied => Stage::Replied,
                None if person.reached => Stage::Reached,
                None => Stage::NotReached,
            };
            funnel.add(stage);
        }
        Ok(Arm {
            risk_confirmations: state.with_confirmations,
            funnel,
            appointments,
            speed_to_lead: SpeedToLead::of(waits),
            handed_to_staff: state.handed_to_staff,
            slots_refilled: Some(self.refilled(state.tenant.id).await?),
        })
    }
}

impl Sim {
    /// Freed slots the waitlist gave to another patient: its accepted offers.
    async fn refilled(&self, tenant: TenantId) -> anyhow::Result<u64> {
        let accepted = frontdesk_store::OfferFilter {
            status: Some(frontdesk_domain::waitlist::OfferStatus::Accepted),
            ..Default::default()
        };
        let mut count = 0;
        let mut before = None;
        loop {
            let page =
                frontdesk_domain::page::PageRequest::new(before, Some(frontdesk_domain::page::MAX_LIMIT));
            let found = self.ctx.store.list_waitlist_offers(tenant, &accepted, page).await?;
            count += found.items.len() as u64;
            match found.next_cursor {
                Some(next) => before = Some(next),
                None => return Ok(count),
            }
        }
    }
}

fn clock_now(clock: &ManualClock) -> Timestamp {
    frontdesk_domain::Clock::now(clock)
}
