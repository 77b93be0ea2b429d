//! Outreach campaigns (issue 15): recall former patients whose last visit is old, recover
//! those who cancelled or missed without rebooking, reactivate lost leads. A campaign is an
//! audience ([`Segment`]) and a sequence of [`Step`]s (a channel, a template, a delay); each
//! patient of the audience is *enrolled* once and moves through the steps until one of the
//! stop conditions holds (booked, declined, opted out, replied and needs staff). The rules
//! here are pure: what may change a campaign's status, whether a step is due, when an
//! enrollment stops, the next time a step may be sent.

pub mod results;
pub mod standing;
use crate::messaging::{Channel, TemplateKey};
use crate::{LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// At most this many steps: a patient hears from a campaign a few times, not forever.
pub const MAX_STEPS: usize = 5;
/// The longest wait between two steps.
pub const MAX_DELAY_HOURS: u32 = 60 * 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    /// Patients whose last visit is older than `Segment::last_visit_before_days`.
    Recall,
    /// Patients whose last appointment was cancelled or missed, with nothing booked since.
    Recovery,
    /// Leads marked lost.
    Reactivation,
    /// Every patient the other filters keep.
    Custom,
}

wire_names!(CampaignKind { Recall => "recall", Recovery => "recovery", Reactivation => "reactivation", Custom => "custom" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Stopped,
    /// Every enrolled patient has finished the steps or stopped.
    Completed,
}

wire_names!(CampaignStatus {
    Draft => "draft",
    Running => "running",
    Paused => "paused",
    Stopped => "stopped",
    Completed => "completed",
});

/// What staff do to a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignAction {
    Start,
    Pause,
    Resume,
    Stop,
}

impl CampaignAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "start" => Some(Self::Start),
            "pause" => Some(Self::Pause),
            "resume" => Some(Self::Resume),
            "stop" => Some(Self::Stop),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Stop => "stop",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot {action} a campaign that is {current}")]
pub struct InvalidCampaignTransition {
    pub action: &'static str,
    pub current: &'static str,
}

/// The status `action` moves a campaign in `current` to.
pub fn transition(
    current: CampaignStatus,
    action: CampaignAction,
) -> Result<CampaignStatus, InvalidCampaignTransition> {
    use CampaignAction as A;
    use CampaignStatus as S;
    match (current, action) {
        (S::Draft, A::Start) => Ok(S::Running),
        (S::Running, A::Pause) => Ok(S::Paused),
        (S::Paused, A::Resume) => Ok(S::Running),
        (S::Draft | S::Running | S::Paused, A::Stop) => Ok(S::Stopped),
        _ => Err(InvalidCampaignTransition { action: action.as_str(), current: current.as_str() }),
    }
}

/// Who a campaign is for. Every filter narrows; the kind decides the base audience.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Segment {
    /// Recall: the last attended visit was at least this many days ago.
    pub last_visit_before_days: Option<u32>,
    /// The last visit (or the cancelled / missed appointment) was for this service...
    pub service_id: Option<ServiceId>,
    /// ...with this practitioner...
    pub practitioner_id: Option<PractitionerId>,
    /// ...at this unit.
    pub location_id: Option<LocationId>,
    /// Only patients who missed an appointment at least once.
    pub had_no_show: bool,
    /// Only patients with a lead at this stage (`new`, `contacted`, `booked`, `lost`...).
    pub lead_stage: Option<crate::leads::LeadStage>,
    /// Only patients with a lead from this source (`paid_ads`, `referral`, `import`...).
    pub lead_source: Option<crate::leads::LeadSource>,
    /// Only patients carrying every one of these tags (at most [`MAX_SEGMENT_TAGS`];
    /// compared as `patients::normalize_tag` writes them).
    pub tags: Vec<String>,
    /// Only patients the clinic can write to on this channel: an e-mail address on file
    /// for `email`, and no opt-out recorded on it.
    pub reachable_on: Option<Channel>,
}

/// A segment asks for at most this many tags.
pub const MAX_SEGMENT_TAGS: usize = 3;

/// One contact of the sequence, `delay_hours` after the previous step (the first step's
/// delay counts from enrollment): a message on a channel, from a template, or an AI call
/// (`voice`), tried up to `attempts` times `retry_after_hours` apart while nobody answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub channel: Channel,
    /// The message; a call step has none (the voice assistant is told the campaign's kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateKey>,
    #[serde(default)]
    pub delay_hours: u32,
    /// A call step: calls at most, while nobody answers (1 to [`MAX_CALL_ATTEMPTS`]).
    #[serde(default = "one_attempt")]
    pub attempts: u8,
    /// A call step: hours between one unanswered call and the next.
    #[serde(default = "default_retry_hours")]
    pub retry_after_hours: u32,
}

/// A call step calls at most this many times.
pub const MAX_CALL_ATTEMPTS: u8 = 3;
/// The longest wait between two calls of a step.
pub const MAX_RETRY_HOURS: u32 = 7 * 24;

fn one_attempt() -> u8 {
    1
}

fn default_retry_hours() -> u32 {
    24
}

impl Step {
    /// A message step.
    pub fn message(channel: Channel, template: TemplateKey, delay_hours: u32) -> Self {
        Self { channel, template: Some(template), delay_hours, attempts: 1, retry_after_hours: 24 }
    }

    /// A call step of up to `attempts` calls, `retry_after_hours` apart.
    pub fn call(delay_hours: u32, attempts: u8, retry_after_hours: u32) -> Self {
        Self { channel: Channel::Voice, template: None, delay_hours, attempts, retry_after_hours }
    }

    pub fn is_call(&self) -> bool {
        self.channel == Channel::Voice
    }
}

/// The local hours (and weekdays, Monday = 0; none means every day) a campaign may send in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendingWindow {
    #[serde(default)]
    pub weekdays: Vec<u8>,
    pub from: Time,
    pub to: Time,
}

impl Default for SendingWindow {
    /// Weekdays, 09:00 to 18:00: when a clinic's patients expect to hear from it.
    fn default() -> Self {
        Self {
            weekdays: vec![0, 1, 2, 3, 4],
            from: jiff::civil::time(9, 0, 0, 0),
            to: jiff::civil::time(18, 0, 0, 0),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub name: String,
    pub kind: CampaignKind,
    pub segment: Segment,
    pub steps: Vec<Step>,
    pub window: SendingWindow,
    pub status: CampaignStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CampaignError {
    #[error("name must not be empty")]
    EmptyName,
    #[error("a campaign needs at least one step")]
    NoSteps,
    #[error("at most {MAX_STEPS} steps")]
    TooManySteps,
    #[error("steps[{0}].channel: a campaign step is whatsapp, sms, email or voice (an AI call)")]
    Channel(usize),
    #[error("steps[{0}].template: a message step needs a template; a call step has none")]
    Template(usize),
    #[error("steps[{0}].attempts: a call step calls 1 to {MAX_CALL_ATTEMPTS} times; a message step once")]
    Attempts(usize),
    #[error("steps[{0}].retry_after_hours: 1 to {MAX_RETRY_HOURS}")]
    RetryAfter(usize),
    #[error("steps[{0}].delay_hours: at most {MAX_DELAY_HOURS}")]
    Delay(usize),
    #[error("segment: a recall needs last_visit_before_days (at least 1)")]
    RecallNeedsDays,
    #[error("window: from must be before to, and weekdays 0 (Monday) to 6")]
    Window,
    #[error("segment.tags: {0}")]
    Tags(String),
}

impl Campaign {
    pub fn validate(&self) -> Result<(), CampaignError> {
        if self.name.trim().is_empty() {
            return Err(CampaignError::EmptyName);
        }
        if self.steps.is_empty() {
            return Err(CampaignError::NoSteps);
        }
        if self.steps.len() > MAX_STEPS {
            return Err(CampaignError::TooManySteps);
        }
        for (i, step) in self.steps.iter().enumerate() {
            if !step.channel.is_messaging() && !step.is_call() {
                return Err(CampaignError::Channel(i));
            }
            if step.is_call() {
                if step.template.is_some() {
                    return Err(CampaignError::Template(i));
                }
                if !(1..=MAX_CALL_ATTEMPTS).contains(&step.attempts) {
                    return Err(CampaignError::Attempts(i));
                }
                if !(1..=MAX_RETRY_HOURS).contains(&step.retry_after_hours) {
                    return Err(CampaignError::RetryAfter(i));
                }
            } else {
                if step.template.is_none() {
                    return Err(CampaignError::Template(i));
                }
                if step.attempts != 1 {
                    return Err(CampaignError::Attempts(i));
                }
            }
            if step.delay_hours > MAX_DELAY_HOURS {
                return Err(CampaignError::Delay(i));
            }
        }
        if self.kind == CampaignKind::Recall && self.segment.last_visit_before_days.unwrap_or(0) == 0 {
            return Err(CampaignError::RecallNeedsDays);
        }
        if self.segment.tags.len() > MAX_SEGMENT_TAGS {
            return Err(CampaignError::Tags(format!("at most {MAX_SEGMENT_TAGS}")));
        }
        for tag in &self.segment.tags {
            let normal = crate::patients::normalize_tag(tag).map_err(CampaignError::Tags)?;
            if normal != *tag {
                return Err(CampaignError::Tags(format!("{tag:?} is written {normal:?}")));
            }
        }
        if self.window.from >= self.window.to || self.window.weekdays.iter().any(|d| *d > 6) {
            return Err(CampaignError::Window);
        }
        Ok(())
    }
}

/// Where one patient stands in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentState {
    /// Steps still to go.
    Active,
    /// Booked an appointment after enrolling: the campaign worked.
    Booked,
    /// Said no (or the reply agent understood a decline).
    Declined,
    OptedOut,
    /// Replied with something staff must answer; the campaign waits for them.
    NeedsStaff,
    /// Every step was sent, with no answer.
    Finished,
    /// The campaign was stopped before this patient finished.
    Stopped,
    /// The patient's e-mail address does not work (the mail came back, or the server
    /// refused it): no more steps on it.
    Bounced,
}

wire_names!(EnrollmentState {
    Active => "active",
    Booked => "booked",
    Declined => "declined",
    OptedOut => "opted_out",
    NeedsStaff => "needs_staff",
    Finished => "finished",
    Stopped => "stopped",
    Bounced => "bounced",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrollment {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub campaign_id: Uuid,
    pub patient_id: PatientId,
    pub state: EnrollmentState,
    /// Steps sent so far (the next step's index).
    pub steps_sent: u32,
    pub last_sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What the patient did since enrolling, as the step about to be sent finds it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinceEnrolled {
    pub booked: bool,
    pub opted_out: bool,
    pub replied: bool,
    /// The last step's e-mail came back (or was refused).
    pub bounced: bool,
}

/// A campaign's results as rates of the patients it enrolled: how many booked, declined,
/// stopped messages or needed staff, and how many messages it took per booking. `None`
/// when there is nothing to divide by (nobody enrolled, no booking yet), never 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CampaignKpis {
    pub booking_rate: Option<f64>,
    pub decline_rate: Option<f64>,
    pub opt_out_rate: Option<f64>,
    pub needs_staff_rate: Option<f64>,
    pub messages_per_booking: Option<f64>,
}

impl CampaignKpis {
    /// From the enrollments per state and the messages sent.
    pub fn of(
        enrolled: u64,
        booked: u64,
        declined: u64,
        opted_out: u64,
        needs_staff: u64,
        messages: u64,
    ) -> CampaignKpis {
        #[allow(clippy::cast_precision_loss)]
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        CampaignKpis {
            booking_rate: ratio(booked, enrolled),
            decline_rate: ratio(declined, enrolled),
            opt_out_rate: ratio(opted_out, enrolled),
            needs_staff_rate: ratio(needs_staff, enrolled),
            messages_per_booking: ratio(messages, booked),
        }
    }
}

/// How often one patient may hear from the clinic's campaigns, across campaigns: a step of
/// one campaign waits until `min_days_between_messages` days after the patient's last
/// message from another (a recall and a reactivation starting the same week do not both
/// write on Monday). Steps of the same campaign keep their own delays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignSettings {
    /// 0 turns the cap off; at most 60.
    pub min_days_between_messages: u32,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        Self { min_days_between_messages: 3 }
    }
}

impl CampaignSettings {
    pub fn validate(&self) -> Result<(), String> {
        if self.min_days_between_messages > 60 {
            return Err(format!(
                "campaigns.min_days_between_messages must be 0 to 60 (got {})",
                self.min_days_between_messages
            ));
        }
        Ok(())
    }

    /// When a step may go, given the patient's last message from another campaign: `None`
    /// when it may go now.
    pub fn held_until(&self, last_from_another: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        if self.min_days_between_messages == 0 {
            return None;
        }
        let gap = SignedDuration::from_hours(24 * i64::from(self.min_days_between_messages));
        let free = last_from_another?.checked_add(gap).ok()?;
        (free > now).then_some(free)
    }
}

/// What a patient's reply to a campaign message does to their enrollment, from what the
/// reply was understood as: a no (or "I won't come") ends it declined, a stop ends it opted
/// out, a request for a person, a question or a message not understood waits for staff.
/// Wanting to book (or a yes, a greeting) leaves it active: the assistant books them, and
/// the booking ends it as booked; if they have not booked by the next step, the reply makes
/// it wait for staff then (see [`next_state`]).
pub fn reply_outcome(intent: crate::nlu::Intent) -> Option<EnrollmentState> {
    use crate::nlu::Intent;
    match intent {
        Intent::Decline | Intent::Cancel => Some(EnrollmentState::Declined),
        Intent::OptOut => Some(EnrollmentState::OptedOut),
        Intent::HumanRequest | Intent::Question | Intent::Unclear => Some(EnrollmentState::NeedsStaff),
        Intent::BookingRequest | Intent::Reschedule | Intent::Confirm | Intent::Greeting => None,
    }
}

/// Whether the next step goes, or the enrollment ends (and how): a booking wins over
/// everything, then an opt-out, then a reply (staff take over), then the end of the steps.
pub fn next_state(steps: usize, sent: u32, since: SinceEnrolled) -> Option<EnrollmentState> {
    if since.booked {
        Some(EnrollmentState::Booked)
    } else if since.opted_out {
        Some(EnrollmentState::OptedOut)
    } else if since.bounced {
        Some(EnrollmentState::Bounced)
    } else if since.replied {
        Some(EnrollmentState::NeedsStaff)
    } else if sent as usize >= steps {
        Some(EnrollmentState::Finished)
    } else {
        None
    }
}

/// The first moment at or after `at` inside the sending window, in the clinic's zone.
pub fn next_in_window(window: &SendingWindow, at: Timestamp, tz: &TimeZone) -> Timestamp {
    let local = at.to_zoned(tz.clone());
    for day_offset in 0..8i64 {
        let Ok(day) = local.date().checked_add(jiff::Span::new().days(day_offset)) else { break };
        let weekday = day.weekday().to_monday_zero_offset() as u8;
        if !window.weekdays.is_empty() && !window.weekdays.contains(&weekday) {
            continue;
        }
        let open = day.to_datetime(window.from);
        let close = day.to_datetime(window.to);
        let candidate = if day_offset == 0 && local.datetime() > open { local.datetime() } else { open };
        if candidate < close
            && let Ok(z) = candidate.to_zoned(tz.clone())
        {
            return z.timestamp();
        }
    }
    at
}

/// When step `index` is due for an enrollment whose previous step went at `previous`
/// (or that enrolled then), before the window is applied.
pub fn step_due(step: &Step, previous: Timestamp) -> Timestamp {
    previous.checked_add(SignedDuration::from_hours(i64::from(step.delay_hours))).unwrap_or(previous)
}

#[cfg(test)]
mod tests {

    #[test]
    fn kpis_are_rates_of_the_enrolled_and_none_over_nothing() {
        let k = CampaignKpis::of(20, 5, 4, 1, 2, 35);
        assert_eq!((k.booking_rate, k.decline_rate, k.opt_out_rate), (Some(0.25), Some(0.2), Some(0.05)));
        assert_eq!((k.needs_staff_rate, k.messages_per_booking), (Some(0.1), Some(7.0)));
        let none = CampaignKpis::of(0, 0, 0, 0, 0, 0);
        assert_eq!((none.booking_rate, none.messages_per_booking), (None, None));
    }

    #[test]
    fn a_step_waits_for_the_gap_after_another_campaigns_message() {
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let cap = CampaignSettings::default();
        let now = at("2026-06-04T12:00:00Z");
        assert_eq!(cap.held_until(None, now), None, "no other campaign wrote");
        assert_eq!(cap.held_until(Some(at("2026-06-01T11:00:00Z")), now), None, "3 days and an hour ago");
        assert_eq!(cap.held_until(Some(at("2026-06-02T12:00:00Z")), now), Some(at("2026-06-05T12:00:00Z")));
        let off = CampaignSettings { min_days_between_messages: 0 };
        assert_eq!(off.held_until(Some(now), now), None);
        assert!(CampaignSettings { min_days_between_messages: 61 }.validate().is_err());
    }

    #[test]
    fn replies_end_or_keep_an_enrollment_by_what_they_mean() {
        use crate::nlu::{Intent, understand};
        let today = jiff::civil::Date::constant(2026, 6, 1);
        let outcome = |text: &str| reply_outcome(understand(text, &[], today).intent);
        assert_eq!(outcome("não tenho interesse, obrigado"), Some(EnrollmentState::Declined));
        assert_eq!(outcome("I already found another clinic"), Some(EnrollmentState::Declined));
        assert_eq!(outcome("para de me mandar mensagem"), Some(EnrollmentState::OptedOut));
        assert_eq!(outcome("quero falar com uma pessoa"), Some(EnrollmentState::NeedsStaff));
        assert_eq!(outcome("quanto custa a consulta?"), Some(EnrollmentState::NeedsStaff));
        assert_eq!(outcome("quero marcar, tem horário na sexta?"), None);
        assert_eq!(reply_outcome(Intent::Greeting), None);
    }

    use super::*;

    fn campaign() -> Campaign {
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        Campaign {
            id: Uuid::nil(),
            tenant_id: TenantId::new(),
            name: "Retorno 6 meses".into(),
            kind: CampaignKind::Recall,
            segment: Segment { last_visit_before_days: Some(180), ..Default::default() },
            steps: vec![Step::message(Channel::Whatsapp, TemplateKey::BookingLink, 0)],
            window: SendingWindow::default(),
            status: CampaignStatus::Draft,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_campaign_is_checked_before_it_is_saved() {
        assert_eq!(campaign().validate(), Ok(()));
        let mut c = campaign();
        c.segment.last_visit_before_days = None;
        assert_eq!(c.validate(), Err(CampaignError::RecallNeedsDays));
        let mut c = campaign();
        c.steps[0].channel = Channel::Voice;
        c.steps[0].template = None;
        assert_eq!(c.validate(), Ok(()), "an AI call");
        c.steps[0].attempts = MAX_CALL_ATTEMPTS + 1;
        assert_eq!(c.validate(), Err(CampaignError::Attempts(0)));
        c.steps[0].attempts = 2;
        c.steps[0].retry_after_hours = 0;
        assert_eq!(c.validate(), Err(CampaignError::RetryAfter(0)));
        let mut c = campaign();
        c.steps[0].template = None;
        assert_eq!(c.validate(), Err(CampaignError::Template(0)));
        let mut c = campaign();
        c.steps[0].attempts = 2;
        assert_eq!(c.validate(), Err(CampaignError::Attempts(0)), "a message goes once");
        let mut c = campaign();
        c.segment.tags = vec!["VIP".into()];
        assert!(matches!(c.validate(), Err(CampaignError::Tags(_))), "written lower-case");
        c.segment.tags = vec!["vip".into()];
        assert_eq!(c.validate(), Ok(()));
        let mut c = campaign();
        c.steps = vec![c.steps[0].clone(); MAX_STEPS + 1];
        assert_eq!(c.validate(), Err(CampaignError::TooManySteps));
        let mut c = campaign();
        c.window.from = c.window.to;
        assert_eq!(c.validate(), Err(CampaignError::Window));
        let mut c = campaign();
        c.name = "  ".into();
        assert_eq!(c.validate(), Err(CampaignError::EmptyName));
    }

    #[test]
    fn status_moves_only_where_staff_can_move_it() {
        use CampaignAction as A;
        use CampaignStatus as S;
        assert_eq!(transition(S::Draft, A::Start), Ok(S::Running));
        assert_eq!(transition(S::Running, A::Pause), Ok(S::Paused));
        assert_eq!(transition(S::Paused, A::Resume), Ok(S::Running));
        assert_eq!(transition(S::Paused, A::Stop), Ok(S::Stopped));
        for (s, a) in
            [(S::Running, A::Start), (S::Stopped, A::Resume), (S::Completed, A::Stop), (S::Draft, A::Pause)]
        {
            assert!(transition(s, a).is_err(), "{s:?} {a:?}");
        }
        assert_eq!(
            transition(S::Stopped, A::Start).unwrap_err().to_string(),
            "cannot start a campaign that is stopped"
        );
    }

    #[test]
    fn a_booking_ends_the_sequence_before_anything_else() {
        let all = SinceEnrolled { booked: true, opted_out: true, replied: true, bounced: true };
        assert_eq!(next_state(2, 1, all), Some(EnrollmentState::Booked));
        let out = SinceEnrolled { opted_out: true, replied: true, ..Default::default() };
        assert_eq!(next_state(2, 1, out), Some(EnrollmentState::OptedOut));
        let replied = SinceEnrolled { replied: true, ..Default::default() };
        assert_eq!(next_state(2, 1, replied), Some(EnrollmentState::NeedsStaff));
        // A returned e-mail ends it before a reply is looked at: nobody is there to answer.
        let bounced = SinceEnrolled { bounced: true, replied: true, ..Default::default() };
        assert_eq!(next_state(2, 1, bounced), Some(EnrollmentState::Bounced));
        assert_eq!(next_state(2, 1, SinceEnrolled::default()), None);
        assert_eq!(next_state(2, 2, SinceEnrolled::default()), Some(EnrollmentState::Finished));
    }

    #[test]
    fn steps_wait_for_the_sending_window_in_the_clinics_zone() {
        let sp = TimeZone::get("America/Sao_Paulo").unwrap();
        let w = SendingWindow::default();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        // Monday 1 June 10:00 in São Paulo: inside, sent now.
        assert_eq!(next_in_window(&w, at("2026-06-01T13:00:00Z"), &sp), at("2026-06-01T13:00:00Z"));
        // Monday 20:00: Tuesday 09:00.
        assert_eq!(next_in_window(&w, at("2026-06-01T23:00:00Z"), &sp), at("2026-06-02T12:00:00Z"));
        // Friday 19:00: Monday 09:00.
        assert_eq!(next_in_window(&w, at("2026-06-05T22:00:00Z"), &sp), at("2026-06-08T12:00:00Z"));
        // Saturday 07:00 with every day allowed: 09:00 the same day.
        let every_day = SendingWindow { weekdays: vec![], ..SendingWindow::default() };
        assert_eq!(next_in_window(&every_day, at("2026-06-06T10:00:00Z"), &sp), at("2026-06-06T12:00:00Z"));
        let step = Step::message(Channel::Sms, TemplateKey::Reactivation, 48);
        assert_eq!(step_due(&step, at("2026-06-01T13:00:00Z")), at("2026-06-03T13:00:00Z"));
    }

    #[test]
    fn wire_names_match_serde() {
        for s in EnrollmentState::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in CampaignStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in CampaignKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
