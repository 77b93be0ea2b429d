//! The WhatsApp booking dialogue: after an inbound message is filed, understand it in the
//! context of what was offered last, and answer: collect the service, offer the top ranked
//! slots, book the one chosen, move or cancel an appointment, confirm one (a "1" to a
//! reminder included), answer from the clinic's FAQ, or hand the conversation to staff.
//!
//! The state lives in the store beside the conversation (versioned, so two messages racing
//! cannot both act on it) and expires after the tenant's idle time. Booking goes through
//! the same path as every other booking: never two appointments for one slot.

mod answered;
mod callback;
mod campaign_reply;
mod classifier;
mod language;
mod n8n;
mod order;
mod safety;
mod state;
mod waitlist;

pub use answered::{AnsweredTurn, PlannedReply};
pub use n8n::{
    N8N_FORWARD_JOB, N8nBooking, N8nBookingAction, N8nCaller, N8nFailure, N8nIntake, N8nTriage,
    authenticate_n8n, n8n_booking_response, n8n_intake_response, n8n_triage_response, register_jobs,
};
pub use state::{JourneyState, Offered, Step, Wish};

use crate::Ctx;
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use crate::scheduling::{
    ActionRequest, BookingRequest, Confirmation, PatientRef, SchedulingFailure, apply_action, book,
    load_cached, search,
};
use frontdesk_domain::leads::Dialogue;
use frontdesk_domain::messaging::{Conversation, TemplateKey};
use frontdesk_domain::nlu::{Intent, OfferedSlot, SlotChoice, Understanding, understand};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, AppointmentStatus, SearchPreferences};
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_domain::voice::spoken::when_with;
use frontdesk_domain::{MessageId, ServiceId};
use frontdesk_store::{IdempotencyClaim, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use thiserror::Error;

/// Slots offered at once: a short list the patient can answer with a number.
const OFFER: usize = 3;

/// Why a turn of the dialogue did not finish, by the capability that failed: whether the
/// job is retried follows from the type, never from the text.
#[derive(Debug, Error)]
pub enum JourneyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Scheduling(#[from] SchedulingFailure),
    #[error(transparent)]
    Messaging(#[from] MessagingFailure),
    #[error(transparent)]
    Waitlist(#[from] crate::waitlist::WaitlistFailure),
}

impl JourneyError {
    /// A system the answer depends on is down (the clinic's calendar): worth waiting for,
    /// with the patient told so.
    pub fn is_outage(&self) -> bool {
        matches!(self, Self::Scheduling(SchedulingFailure::Upstream(_)))
    }
}

/// Every reply of a turn is keyed by the message it answers, so a retried turn sends
/// nothing twice: each capability's own rule decides what is worth retrying.
impl From<JourneyError> for crate::jobs::JobError {
    fn from(e: JourneyError) -> Self {
        match e {
            JourneyError::Store(s) => s.into(),
            JourneyError::Scheduling(s) => s.into(),
            JourneyError::Messaging(m) => m.into(),
            JourneyError::Waitlist(w) => w.into(),
        }
    }
}

/// Replies a turn may send before its own: the outage notices.
const FIRST_TURN_REPLY: u32 = 8;

/// The dialogue could not answer `message_id` because a system is down: tells the patient
/// it will come back shortly and, when `hand_off`, puts staff on the conversation too.
/// Each notice goes out once per message, however often the turn is retried.
pub async fn outage_notice(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    hand_off: bool,
) -> Result<(), JourneyError> {
    let tenant = ctx.store.tenant_by_id(patient.tenant_id).await?.ok_or(StoreError::NotFound)?;
    let notice = |key, seq| {
        let request = SendRequest {
            tenant_id: patient.tenant_id,
            patient_id: patient.id,
            channel: conversation.channel,
            content: Content::Template {
                key,
                variables: json!({"patient_first_name": patient.known_first_name().unwrap_or_default(), "clinic_name": tenant.name}),
            },
            automated: false,
            by: frontdesk_domain::messaging::Sender::Assistant,
            campaign: None,
        };
        send_keyed(ctx, request, SendKey { anchor: message_id.as_uuid(), purpose: "outage", seq })
    };
    notice(TemplateKey::BackShortly, 0).await?;
    if hand_off {
        if !conversation.needs_staff {
            crate::messaging::hand_to_staff(ctx, conversation, Some(message_id.to_string()), false).await?;
        }
        notice(TemplateKey::HandOff, 1).await?;
    }
    Ok(())
}

#[derive(Clone)]
struct Turn<'a> {
    ctx: &'a Ctx,
    tenant: Tenant,
    patient: &'a Patient,
    conversation: &'a Conversation,
    message_id: MessageId,
    /// The replies this turn decided on, in order: filed only once the turn is committed
    /// (see `answered`), the n-th keyed `reply:{message}:{n}`.
    outbox: std::sync::Arc<std::sync::Mutex<Vec<PlannedReply>>>,
    /// The turn hands the conversation to staff (done with the replies, after the commit).
    hands_off: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Replies are filed at once (n8n's callbacks, answered in the request) rather than
    /// after a commit of the dialogue's state.
    immediate: bool,
}

impl<'a> Turn<'a> {
    fn new(
        ctx: &'a Ctx,
        tenant: Tenant,
        patient: &'a Patient,
        conversation: &'a Conversation,
        message_id: MessageId,
    ) -> Self {
        Self {
            ctx,
            tenant,
            patient,
            conversation,
            message_id,
            outbox: Default::default(),
            hands_off: Default::default(),
            immediate: false,
        }
    }

    /// A turn whose replies are filed as they are decided (each keyed by its position).
    fn immediate(self) -> Self {
        Self { immediate: true, ..self }
    }

    /// Plans a reply; `answered::deliver` files it after the turn is committed.
    async fn send(&self, request: SendRequest) -> Result<(), JourneyError> {
        let reply = PlannedReply::from_content(request.content.clone());
        let n = {
            let mut outbox = self.outbox.lock().unwrap_or_else(|p| p.into_inner());
            outbox.push(reply);
            outbox.len() - 1
        };
        if self.immediate {
            let seq = FIRST_TURN_REPLY + u32::try_from(n).unwrap_or(u32::MAX - FIRST_TURN_REPLY);
            let key = SendKey { anchor: self.message_id.as_uuid(), purpose: "reply", seq };
            send_keyed(self.ctx, request, key).await?;
        }
        Ok(())
    }

    /// What the turn decided, to be committed with the dialogue's next state.
    fn outcome(&self) -> AnsweredTurn {
        AnsweredTurn {
            message_id: self.message_id,
            replies: self.outbox.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            hand_off: self.hands_off.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    fn locale(&self) -> Locale {
        self.patient.locale
    }

    /// The patient's first name, unless the clinic knows them only by number ("Paciente").
    fn known_first_name(&self) -> Option<&str> {
        self.patient.known_first_name()
    }

    async fn reply(&self, key: TemplateKey, variables: serde_json::Value) -> Result<(), JourneyError> {
        let mut variables = variables;
        // Known only by number: no name rather than "Paciente" (the templates leave it out).
        variables["patient_first_name"] = json!(self.known_first_name().unwrap_or_default());
        variables["clinic_name"] = json!(self.tenant.name);
        let request = SendRequest {
            tenant_id: self.tenant.id,
            patient_id: self.patient.id,
            channel: self.conversation.channel,
            content: Content::Template { key, variables },
            automated: false,
            by: frontdesk_domain::messaging::Sender::Assistant,
            campaign: None,
        };
        self.send(request).await
    }

    async fn reply_text(&self, text: String) -> Result<(), JourneyError> {
        let request = SendRequest {
            tenant_id: self.tenant.id,
            patient_id: self.patient.id,
            channel: self.conversation.channel,
            content: Content::Text(text),
            automated: false,
            by: frontdesk_domain::messaging::Sender::Assistant,
            campaign: None,
        };
        self.send(request).await
    }
}

/// Handles one inbound text message of a conversation the automation still owns.
pub async fn on_inbound(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    text: &str,
) -> Result<(), JourneyError> {
    // Emergencies first, whoever holds the conversation (see `safety`).
    if safety::screen(ctx, patient, conversation, message_id, text).await? {
        return Ok(());
    }
    // A rerun after a crash finishes its own committed turn, even one that called staff in.
    if conversation.needs_staff && !finish_answered(ctx, patient, conversation, message_id).await? {
        return Ok(());
    }
    order::wait_for_earlier(ctx, conversation, message_id).await?;
    resume(ctx, patient, conversation, message_id, text).await
}

/// Moves on from a conflict (another message of the conversation saved first) this many
/// times, each on the fresh state, before the job retries later.
const TURN_ATTEMPTS: usize = 4;

/// `on_inbound` even if staff were called in: the turn an outage interrupted (and handed
/// to staff) completes once the system is back, so the patient's booking is not lost.
pub async fn resume(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    text: &str,
) -> Result<(), JourneyError> {
    // WhatsApp, SMS and e-mail are answered alike (a reply e-mail threads itself).
    if !conversation.channel.is_messaging() {
        return Ok(());
    }
    let tenant = ctx.store.tenant_by_id(patient.tenant_id).await?.ok_or(StoreError::NotFound)?;
    let settings = ctx.store.tenant_settings(tenant.id).await?;
    if !settings.dialogue.enabled {
        return Ok(());
    }
    for _ in 0..TURN_ATTEMPTS {
        let turn = Turn::new(ctx, tenant.clone(), patient, conversation, message_id);
        match take_turn(&turn, &settings, text).await? {
            TurnOutcome::Committed(answered) | TurnOutcome::AnsweredBefore(answered) => {
                return answered::deliver(ctx, patient, conversation, &answered).await;
            }
            TurnOutcome::Forwarded => return Ok(()),
            TurnOutcome::Raced => continue,
        }
    }
    Err(StoreError::Conflict(frontdesk_store::Conflict::Stale).into())
}

/// When `message_id`'s turn was committed before (the job is a rerun), delivers it again
/// (idempotently) and says so.
async fn finish_answered(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
) -> Result<bool, JourneyError> {
    let Some(stored) = ctx.store.get_dialogue(patient.tenant_id, conversation.id).await? else {
        return Ok(false);
    };
    let state: JourneyState = serde_json::from_value(stored.state).unwrap_or_default();
    let Some(done) = answered::find(&state, message_id) else { return Ok(false) };
    answered::deliver(ctx, patient, conversation, done).await?;
    Ok(true)
}

enum TurnOutcome {
    /// This run decided the turn and committed it with the dialogue's next state.
    Committed(AnsweredTurn),
    /// An earlier run (that crashed, or whose job was not marked done) committed it.
    AnsweredBefore(AnsweredTurn),
    /// The clinic's n8n workflow answers this message.
    Forwarded,
    /// Another message of the conversation moved the dialogue meanwhile: decide again.
    Raced,
}

/// Decides one turn and commits its outcome (the replies to file, a hand-off) together
/// with the dialogue's next state, in one versioned save; nothing is filed yet.
async fn take_turn(
    turn: &Turn<'_>,
    settings: &frontdesk_domain::settings::TenantSettings,
    text: &str,
) -> Result<TurnOutcome, JourneyError> {
    let ctx = turn.ctx;
    let turn_patient_locale = turn.patient.locale;
    let now = ctx.clock.now();
    let idle = SignedDuration::from_hours(i64::from(settings.dialogue.idle_hours.max(1)));
    let stored = ctx.store.get_dialogue(turn.tenant.id, turn.conversation.id).await?;
    let (mut state, version) = match &stored {
        Some(d) => {
            let saved: JourneyState = serde_json::from_value(d.state.clone()).unwrap_or_default();
            if let Some(done) = answered::find(&saved, turn.message_id) {
                return Ok(TurnOutcome::AnsweredBefore(done.clone()));
            }
            // An expired dialogue starts over, but remembers what it answered.
            let state = if d.expires_at > now {
                saved
            } else {
                JourneyState { answered: saved.answered, language: saved.language, ..JourneyState::default() }
            };
            (state, Some(d.version))
        }
        None => (JourneyState::default(), None),
    };
    let flood = flooded(turn, now).await?;
    // The clinic's n8n workflow answers, except a choice among offered slots: that stays
    // here, where the slots were offered and are booked.
    if !flood && settings.dialogue.n8n.is_some() && state.offered().is_empty() {
        // The workflow reads the patient's language from the forwarded body, and the
        // confirmations it asks for go out in it: a clear switch is stored first.
        let spoken_to = language::follow(&mut state.clone(), turn.patient, text);
        if spoken_to.locale != turn_patient_locale {
            language::store(ctx, &spoken_to, spoken_to.locale).await?;
        }
        n8n::forward(ctx, &turn.tenant, turn.conversation, turn.message_id, text).await?;
        return Ok(TurnOutcome::Forwarded);
    }
    let tz = turn.tenant.timezone.time_zone();
    let today = tz.to_datetime(now).date();
    let offered: Vec<OfferedSlot> =
        state.offered().iter().map(|o| OfferedSlot { local_start: o.local_start }).collect();
    let mut understood = understand(text, &offered, today);
    if let Some(model) = &settings.dialogue.classifier {
        understood =
            classifier::second_opinion(model, ctx.media.allow_private_network, text, understood).await;
    }
    // The patient's language after this message: every reply of the turn is in it.
    let spoken_to = language::follow(&mut state, turn.patient, text);
    let turn = &Turn { patient: &spoken_to, ..turn.clone() };
    let remembered = std::mem::take(&mut state.answered);
    state =
        if flood { slow_down(turn, state).await? } else { respond(turn, state, &understood, text).await? };
    state.answered = remembered;
    let outcome = turn.outcome();
    answered::remember(&mut state, outcome.clone());
    let dialogue = Dialogue {
        tenant_id: turn.tenant.id,
        conversation_id: turn.conversation.id,
        patient_id: turn.patient.id,
        state: serde_json::to_value(&state).unwrap_or_default(),
        version: version.unwrap_or(0),
        updated_at: now,
        expires_at: now + idle,
    };
    // Stored before the commit: the turn's templates are rendered at delivery from the
    // stored patient, and a crash between commit and delivery must not leave them in the
    // old language. A raced turn switches nothing the message did not show.
    if spoken_to.locale != turn_patient_locale {
        language::store(ctx, &spoken_to, spoken_to.locale).await?;
    }
    match ctx.store.save_dialogue(&dialogue, version).await {
        Ok(_) => Ok(TurnOutcome::Committed(outcome)),
        Err(StoreError::Conflict(_)) => Ok(TurnOutcome::Raced),
        Err(e) => Err(e.into()),
    }
}

/// More messages than this from one patient within [`FLOOD_WINDOW`] is a flood: answering
/// each would bury the conversation (and could be a script), so the patient gets one
/// notice and staff take over, with every message kept.
const FLOOD_MESSAGES: u32 = 12;
const FLOOD_WINDOW: SignedDuration = SignedDuration::from_secs(60);

async fn flooded(turn: &Turn<'_>, now: Timestamp) -> Result<bool, JourneyError> {
    let since = now - FLOOD_WINDOW;
    let recent = turn
        .ctx
        .store
        .recent_inbound(turn.tenant.id, turn.conversation.id, since, FLOOD_MESSAGES + 1)
        .await?;
    Ok(recent.len() > FLOOD_MESSAGES as usize)
}

/// The one reply to a flood: nothing is lost, a person continues.
async fn slow_down(turn: &Turn<'_>, _state: JourneyState) -> Result<JourneyState, JourneyError> {
    turn.hands_off.store(true, std::sync::atomic::Ordering::Relaxed);
    turn.reply_text(match turn.locale() {
        Locale::PtBr => {
            "Recebi várias mensagens seguidas. Para não deixar nada passar, alguém da nossa equipe \
                         vai continuar com você. Todas as suas mensagens ficaram registradas."
                .into()
        }
        Locale::En => {
            "I've received many messages in a row. So that nothing is missed, someone from our team \
                       will continue with you. All your messages are saved."
                .into()
        }
    })
    .await?;
    Ok(JourneyState::default())
}

async fn respond(
    turn: &Turn<'_>,
    mut state: JourneyState,
    u: &Understanding,
    text: &str,
) -> Result<JourneyState, JourneyError> {
    // A photo or a file with no words, or an empty message: say so rather than stay silent.
    if text.trim().is_empty() {
        turn.reply_text(match turn.locale() {
            Locale::PtBr => {
                "Recebi sua mensagem, mas não encontrei texto nela. Pode me escrever o que precisa? \
                             Posso marcar, remarcar ou cancelar uma consulta."
                    .into()
            }
            Locale::En => "I got your message but found no text in it. Could you write what you need? \
                           I can book, reschedule or cancel an appointment."
                .into(),
        })
        .await?;
        return Ok(state);
    }
    if frontdesk_domain::nlu::contact_request(text) == Some(frontdesk_domain::nlu::ContactRequest::CallBack) {
        return callback::call_back(turn, state, text).await;
    }
    remember(&mut state, u);
    remember_location(turn, &mut state, text).await?;
    if frontdesk_domain::waitlist::asks_for_waitlist(text) {
        waitlist::join_list(turn, &mut state, text).await?;
        return Ok(state);
    }
    if waitlist::answer_offer(turn, &mut state, u).await?.is_some() {
        return Ok(state);
    }
    if let Step::AwaitingName { chosen } = &state.step {
        let chosen = chosen.clone();
        return take_name(turn, state, u, text, &chosen).await;
    }
    // The service, when the message names it ("dermatologia") or, right after the list of
    // services, its number.
    if state.wish.service_id.is_none() {
        let numbered =
            (state.step == Step::AwaitingService).then(|| text.trim().parse::<usize>().ok()).flatten();
        match numbered {
            Some(n) => {
                let services = turn.ctx.store.list_services(turn.tenant.id).await?;
                state.wish.service_id = n.checked_sub(1).and_then(|i| services.get(i)).map(|s| s.id);
            }
            None => {
                service_for(turn, &mut state, Some(text)).await?;
            }
        }
        if state.step == Step::AwaitingService && state.wish.service_id.is_some() {
            return offer(turn, state).await;
        }
    }
    if u.intent != Intent::Unclear || u.slot_choice.is_some() {
        state.misunderstood = 0;
    }
    // A choice among offered slots wins over everything else it might also look like.
    if let Some(choice) = &u.slot_choice {
        match (choice, &state.step) {
            (SlotChoice::Index(i), Step::ChoosingSlot { offered }) => {
                if let Some(slot) = offered.get(*i).cloned() {
                    return book_offered(turn, state, &slot).await;
                }
            }
            (SlotChoice::Index(i), Step::ChoosingNewTime { appointment_id, offered }) => {
                if let Some(slot) = offered.get(*i).cloned() {
                    return move_to(turn, state.clone(), *appointment_id, &slot).await;
                }
            }
            (SlotChoice::NoneOfThese, _) => {
                // Other times: later than the last offered, with whatever preference came along.
                if state.wish.date.is_none()
                    && let Some(last) = state.offered().last()
                {
                    state.wish.date =
                        Some(last.local_start.date().tomorrow().unwrap_or(last.local_start.date()));
                }
                return offer(turn, state).await;
            }
            _ => {}
        }
    }
    if let Step::ConfirmingCancel { appointment_id } = state.step {
        return confirm_cancel(turn, state, u, appointment_id).await;
    }
    let reminder_reply = reminder_digit(text, &state);
    // "Quem é?" in answer to a campaign: who writes and why, not "não entendi".
    if reminder_reply.is_none() && state.step == Step::Idle && campaign_reply::clarify(turn, text).await? {
        return Ok(state);
    }
    match (reminder_reply.unwrap_or(u.intent), &state.step) {
        (Intent::HumanRequest, _) => hand_off(turn, state).await,
        (Intent::Cancel, _) => ask_to_cancel(turn, state, u).await,
        // "yes please" to a list of several times: which one?
        (Intent::Confirm, Step::ChoosingSlot { offered } | Step::ChoosingNewTime { offered, .. }) => {
            let n = offered.len();
            turn.reply_text(match turn.locale() {
                Locale::PtBr => format!("Qual deles? Responda com o número da opção (1 a {n})."),
                Locale::En => format!("Which one? Reply with the option's number (1 to {n})."),
            })
            .await?;
            Ok(state)
        }
        (Intent::Reschedule, _) => reschedule(turn, state).await,
        (Intent::Confirm, Step::Idle) => confirm(turn, state).await,
        (Intent::Decline, Step::ChoosingSlot { .. } | Step::ChoosingNewTime { .. }) => {
            state.step = Step::Idle;
            turn.reply_text(match turn.locale() {
                Locale::PtBr => "Tudo bem! Quando quiser marcar, é só escrever.".into(),
                Locale::En => "No problem! Write any time you want to book.".into(),
            })
            .await?;
            Ok(state)
        }
        (Intent::Decline, Step::Idle) => decline(turn, state).await,
        (Intent::Question, _) => answer(turn, state, text).await,
        (_, Step::AwaitingService) => offer(turn, state).await,
        (Intent::BookingRequest, _) => offer(turn, state).await,
        (_, Step::ChoosingSlot { .. })
            if u.entities.date.is_some() || u.entities.time.is_some() || u.entities.period.is_some() =>
        {
            offer(turn, state).await
        }
        (Intent::Greeting, _) => {
            turn.reply_text(greeting(turn.locale(), turn.known_first_name())).await?;
            Ok(state)
        }
        _ => {
            state.misunderstood += 1;
            if state.misunderstood >= 2 {
                return hand_off(turn, state).await;
            }
            turn.reply(TemplateKey::DidNotUnderstand, json!({})).await?;
            Ok(state)
        }
    }
}

/// "Olá, Maria!" with a known name, a plain "Olá!" otherwise (never "Olá, Paciente").
fn greeting(locale: Locale, name: Option<&str>) -> String {
    match (locale, name) {
        (Locale::PtBr, Some(n)) => {
            format!("Olá, {n}! Como posso ajudar? Posso marcar, remarcar ou cancelar uma consulta.")
        }
        (Locale::PtBr, None) => {
            "Olá! Como posso ajudar? Posso marcar, remarcar ou cancelar uma consulta.".into()
        }
        (Locale::En, Some(n)) => {
            format!("Hi {n}! How can I help? I can book, reschedule or cancel an appointment.")
        }
        (Locale::En, None) => "Hi! How can I help? I can book, reschedule or cancel an appointment.".into(),
    }
}

/// "1", "2", "3" right after a reminder (no slots on offer): confirm, reschedule, cancel.
fn reminder_digit(text: &str, state: &JourneyState) -> Option<Intent> {
    if state.step != Step::Idle {
        return None;
    }
    match text.trim() {
        "1" => Some(Intent::Confirm),
        "2" => Some(Intent::Reschedule),
        "3" => Some(Intent::Cancel),
        _ => None,
    }
}

fn remember(state: &mut JourneyState, u: &Understanding) {
    let e = &u.entities;
    if e.date.is_some() {
        state.wish.date = e.date;
    }
    if e.time.is_some() {
        state.wish.time = e.time;
        state.wish.period = None;
    }
    if e.period.is_some() {
        state.wish.period = e.period;
        state.wish.time = None;
    }
}

/// A clinic unit named in the message (by its name or a distinctive word of it: "Paulista"
/// for "Unidade Paulista"), when the clinic has more than one.
async fn remember_location(
    turn: &Turn<'_>,
    state: &mut JourneyState,
    text: &str,
) -> Result<(), JourneyError> {
    let locations = turn.ctx.store.list_locations(turn.tenant.id).await?;
    if locations.len() < 2 {
        return Ok(());
    }
    let said = frontdesk_domain::nlu::normalize(text);
    let words: Vec<&str> = said.split_whitespace().collect();
    // Words every unit shares ("unidade", "clinica") say nothing about which one.
    let shared = |w: &str| {
        locations.iter().all(|l| frontdesk_domain::nlu::normalize(&l.name).split_whitespace().any(|x| x == w))
    };
    let named = locations.iter().find(|l| {
        frontdesk_domain::nlu::normalize(&l.name)
            .split_whitespace()
            .filter(|w| w.chars().count() >= 4 && !shared(w))
            .any(|w| words.contains(&w))
    });
    if let Some(l) = named {
        state.wish.location_id = Some(l.id);
    }
    Ok(())
}

/// The service the patient means: already known, the only one, or named in the message.
async fn service_for(
    turn: &Turn<'_>,
    state: &mut JourneyState,
    text: Option<&str>,
) -> Result<Option<ServiceId>, JourneyError> {
    if let Some(id) = state.wish.service_id {
        return Ok(Some(id));
    }
    let services = turn.ctx.store.list_services(turn.tenant.id).await?;
    let found = match services.as_slice() {
        [only] => Some(only.id),
        // Names, departments, the clinic's synonyms and built-in specialty words, fuzzily;
        // several equally good services are no answer (the dialogue asks).
        _ => match text {
            Some(t) => {
                let synonyms =
                    turn.ctx.store.tenant_settings(turn.tenant.id).await?.dialogue.service_synonyms;
                frontdesk_domain::nlu::services::best_service(t, &services, &synonyms).map(|s| s.id)
            }
            None => None,
        },
    };
    state.wish.service_id = found;
    Ok(found)
}

async fn offer(turn: &Turn<'_>, mut state: JourneyState) -> Result<JourneyState, JourneyError> {
    offer_for(turn, &mut state, None).await?;
    Ok(state)
}

/// Offers slots for a new booking (or, with `moving`, for an existing appointment).
async fn offer_for(
    turn: &Turn<'_>,
    state: &mut JourneyState,
    moving: Option<&Appointment>,
) -> Result<(), JourneyError> {
    let service = match moving {
        Some(a) => Some(a.service_id),
        None => service_for(turn, state, None).await?,
    };
    let Some(service_id) = service else {
        state.step = Step::AwaitingService;
        let names: Vec<String> =
            turn.ctx.store.list_services(turn.tenant.id).await?.into_iter().map(|s| s.name).collect();
        turn.reply(TemplateKey::AskService, json!({"services": names})).await?;
        return Ok(());
    };
    let prefs = SearchPreferences {
        service_id: Some(service_id),
        earliest_date: state.wish.date,
        weekdays: state.wish.date.map(|d| vec![d.weekday()]).unwrap_or_default(),
        exact_time: state.wish.time,
        time_of_day: state.wish.period,
        location_id: state.wish.location_id,
        limit: OFFER,
        ..Default::default()
    };
    let found = search(turn.ctx, turn.tenant.id, &prefs).await?;
    let offered: Vec<Offered> = found
        .result
        .slots
        .iter()
        .take(OFFER)
        .map(|r| {
            let who = found
                .calendar
                .practitioners
                .iter()
                .find(|p| p.id == r.slot.practitioner_id)
                .map(|p| p.name.as_str());
            Offered {
                slot_id: crate::voice::tools::slot_token(&r.slot),
                local_start: r.local_start,
                label: when_with(turn.locale(), r.local_start, who),
            }
        })
        .collect();
    if offered.is_empty() {
        state.step = Step::Idle;
        turn.reply_text(match turn.locale() {
            Locale::PtBr => {
                "Não encontrei horários livres com essa preferência. Pode sugerir outro dia ou período? \
                 Se preferir, responda LISTA DE ESPERA e avisamos quando vagar um horário."
                    .into()
            }
            Locale::En => {
                "I couldn't find free times for that. Could you suggest another day or time of day? \
                 Or reply WAITLIST and we will tell you when a time opens up."
                    .into()
            }
        })
        .await?;
        return Ok(());
    }
    let labels: Vec<&str> = offered.iter().map(|o| o.label.as_str()).collect();
    turn.reply(TemplateKey::BookingOffer, json!({"slots": labels})).await?;
    state.step = match moving {
        Some(a) => Step::ChoosingNewTime { appointment_id: a.id, offered },
        None => Step::ChoosingSlot { offered },
    };
    Ok(())
}

/// The appointment as the patient reads it, in the turn's language (the same words as the
/// confirmations scheduling sends for every other booking path).
async fn describe(turn: &Turn<'_>, a: &Appointment) -> Result<serde_json::Value, JourneyError> {
    let cal = load_cached(turn.ctx, turn.tenant.id).await?;
    Ok(crate::scheduling::appointment_variables(&cal, a, turn.patient))
}

/// The patient's name, then the booking they chose. A message that is plainly not a name
/// (a question, a change of mind) is handled as usual and the choice is dropped.
async fn take_name(
    turn: &Turn<'_>,
    mut state: JourneyState,
    u: &Understanding,
    text: &str,
    chosen: &Offered,
) -> Result<JourneyState, JourneyError> {
    let raw = u.entities.name.clone().or_else(|| {
        let t = text.trim();
        let words = t.split_whitespace().count();
        let plain = t.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || c == '-');
        // Names can look like words the rules know ("Maria" is one letter from "marca"), so
        // only a clear different request stops a plain line of words from being the name.
        let other_request = matches!(
            u.intent,
            Intent::Cancel
                | Intent::Reschedule
                | Intent::HumanRequest
                | Intent::OptOut
                | Intent::Question
                | Intent::Decline
        );
        (plain && (1..=6).contains(&words) && !other_request).then(|| t.to_owned())
    });
    let Some(name) = raw.and_then(|n| frontdesk_domain::contact::PersonName::parse(&n).ok()) else {
        state.step = Step::Idle;
        return Box::pin(respond(turn, state, u, text)).await;
    };
    let mut patient = turn.patient.clone();
    patient.name = name;
    turn.ctx.store.update_patient(&patient).await?;
    let named = Turn { patient: &patient, ..turn.clone() };
    state.step = Step::Idle;
    book_offered(&named, state, chosen).await
}

/// "Não, obrigado": acknowledged, and the patient's open lead is closed as declined.
async fn decline(turn: &Turn<'_>, state: JourneyState) -> Result<JourneyState, JourneyError> {
    let now = turn.ctx.clock.now();
    if let Some(mut lead) = turn.ctx.store.latest_lead_for_patient(turn.tenant.id, turn.patient.id).await?
        && matches!(
            lead.stage,
            frontdesk_domain::leads::LeadStage::New
                | frontdesk_domain::leads::LeadStage::Contacted
                | frontdesk_domain::leads::LeadStage::NoShow
        )
    {
        let from = lead.stage;
        lead.mark_lost("declined by message", now);
        let event = frontdesk_domain::leads::LeadEvent::new(
            &lead,
            "stage_changed",
            json!({"from": from, "to": "lost", "why": "declined by message"}),
            now,
        );
        turn.ctx.store.save_lead(&lead, &[event], &[], now).await?;
    }
    turn.reply_text(match turn.locale() {
        Locale::PtBr => "Tudo bem! Se precisar de nós, é só escrever.".into(),
        Locale::En => "No problem! Write any time you need us.".into(),
    })
    .await?;
    Ok(state)
}

async fn book_offered(
    turn: &Turn<'_>,
    mut state: JourneyState,
    slot: &Offered,
) -> Result<JourneyState, JourneyError> {
    if turn.patient.name.is_placeholder_for(&turn.patient.phone) {
        state.step = Step::AwaitingName { chosen: slot.clone() };
        turn.reply_text(match turn.locale() {
            Locale::PtBr => format!("Ótimo, {}! Para confirmar, qual é o seu nome completo?", slot.label),
            Locale::En => format!("Great, {}! To confirm, what is your full name?", slot.label),
        })
        .await?;
        return Ok(state);
    }
    let Some(parsed) = crate::voice::tools::parse_slot_token(&slot.slot_id) else {
        state.step = Step::Idle;
        return offer(turn, state).await;
    };
    let request = BookingRequest {
        tenant_id: turn.tenant.id,
        patient: PatientRef::Id(turn.patient.id),
        practitioner_id: parsed.practitioner_id,
        location_id: parsed.location_id,
        service_id: parsed.service_id,
        start: parsed.start,
        // The message is the unit of retry: a re-run of its job books nothing twice.
        idempotency: Some(IdempotencyClaim {
            key: format!("dialogue:{}", turn.message_id),
            request_hash: slot.slot_id.clone(),
        }),
        actor: "dialogue".into(),
        confirmation: Confirmation::InConversation,
    };
    match book(turn.ctx, request).await {
        Ok(booked) => {
            turn.ctx.faults.interrupt("dialogue.booked")?;
            let mut vars = describe(turn, &booked.appointment).await?;
            crate::links::add_appointment_links(turn.ctx, &turn.tenant, booked.appointment.id, &mut vars);
            turn.reply(TemplateKey::AppointmentConfirmation, vars).await?;
            Ok(JourneyState::default())
        }
        // Taken meanwhile, or too close now (the clinic's minimum notice): other times,
        // never silence.
        Err(failure @ (SchedulingFailure::SlotTaken | SchedulingFailure::NotBookable(_))) => {
            let taken = matches!(failure, SchedulingFailure::SlotTaken);
            turn.reply_text(match (turn.locale(), taken) {
                (Locale::PtBr, true) => "Esse horário acabou de ser ocupado. Veja outras opções:".into(),
                (Locale::PtBr, false) => "Esse horário não pode mais ser marcado. Veja outras opções:".into(),
                (Locale::En, true) => "That time was just taken. Here are other options:".into(),
                (Locale::En, false) => "That time can no longer be booked. Here are other options:".into(),
            })
            .await?;
            state.wish.date = Some(parsed_date(turn, parsed.start));
            offer(turn, state).await
        }
        Err(e) => Err(e.into()),
    }
}

fn parsed_date(turn: &Turn<'_>, at: Timestamp) -> jiff::civil::Date {
    turn.tenant.timezone.time_zone().to_datetime(at).date()
}

async fn upcoming(turn: &Turn<'_>) -> Result<Option<Appointment>, JourneyError> {
    Ok(crate::scheduling::upcoming_for(turn.ctx, turn.tenant.id, turn.patient.id).await?.into_iter().next())
}

async fn no_appointment(turn: &Turn<'_>, state: JourneyState) -> Result<JourneyState, JourneyError> {
    turn.reply_text(match turn.locale() {
        Locale::PtBr => "Não encontrei nenhuma consulta marcada no seu nome. Quer marcar uma?".into(),
        Locale::En => "I couldn't find an upcoming appointment for you. Would you like to book one?".into(),
    })
    .await?;
    Ok(JourneyState { step: Step::Idle, ..state })
}

async fn action(
    turn: &Turn<'_>,
    a: &Appointment,
    action: AppointmentAction,
    new_start: Option<Timestamp>,
) -> Result<Appointment, SchedulingFailure> {
    let request = ActionRequest {
        action,
        reason: Some("by message".into()),
        new_start,
        actor: "dialogue".into(),
        confirmation: Confirmation::InConversation,
    };
    apply_action(turn.ctx, turn.tenant.id, a.id, request).await
}

async fn confirm(turn: &Turn<'_>, state: JourneyState) -> Result<JourneyState, JourneyError> {
    let Some(a) = upcoming(turn).await? else { return no_appointment(turn, state).await };
    let confirmed = match a.status {
        AppointmentStatus::Confirmed => a,
        _ => action(turn, &a, AppointmentAction::Confirm, None).await?,
    };
    let vars = describe(turn, &confirmed).await?;
    turn.reply(TemplateKey::AppointmentConfirmation, vars).await?;
    Ok(JourneyState::default())
}

/// "Quero cancelar": which appointment (the one on the day the patient named, else the
/// next), and whether they are sure. Nothing is cancelled until they say yes.
async fn ask_to_cancel(
    turn: &Turn<'_>,
    mut state: JourneyState,
    u: &Understanding,
) -> Result<JourneyState, JourneyError> {
    let ahead = crate::scheduling::upcoming_for(turn.ctx, turn.tenant.id, turn.patient.id).await?;
    let tz = turn.tenant.timezone.time_zone();
    let on_day = u.entities.date.and_then(|d| ahead.iter().find(|a| tz.to_datetime(a.start).date() == d));
    let Some(a) = on_day.or(ahead.first()) else { return no_appointment(turn, state).await };
    let vars = describe(turn, a).await?;
    let (date, time) = (vars["date"].as_str().unwrap_or_default(), vars["time"].as_str().unwrap_or_default());
    let with = vars["practitioner"].as_str().unwrap_or_default();
    turn.reply_text(match turn.locale() {
        Locale::PtBr => format!(
            "Confirma o cancelamento da sua consulta com {with} em {date} às {time}? \
             Responda *sim* para cancelar ou *não* para manter."
        ),
        Locale::En => format!(
            "Do you want to cancel your appointment with {with} on {date} at {time}? \
             Reply *yes* to cancel or *no* to keep it."
        ),
    })
    .await?;
    state.step = Step::ConfirmingCancel { appointment_id: a.id };
    Ok(state)
}

/// The answer to "are you sure?": yes cancels, no keeps, a new time moves it instead.
async fn confirm_cancel(
    turn: &Turn<'_>,
    mut state: JourneyState,
    u: &Understanding,
    id: frontdesk_domain::AppointmentId,
) -> Result<JourneyState, JourneyError> {
    let current = turn.ctx.store.get_appointment(turn.tenant.id, id).await?;
    let Some(a) = current.filter(|a| a.status.is_pending()) else {
        state.step = Step::Idle;
        return no_appointment(turn, state).await;
    };
    match u.intent {
        Intent::Confirm | Intent::Cancel => {
            let cancelled = action(turn, &a, AppointmentAction::Cancel, None).await?;
            let vars = describe(turn, &cancelled).await?;
            turn.reply(TemplateKey::AppointmentCancelled, vars).await?;
            Ok(JourneyState::default())
        }
        Intent::Decline => {
            let vars = describe(turn, &a).await?;
            let (date, time) =
                (vars["date"].as_str().unwrap_or_default(), vars["time"].as_str().unwrap_or_default());
            turn.reply_text(match turn.locale() {
                Locale::PtBr => format!("Combinado, sua consulta continua marcada para {date} às {time}."),
                Locale::En => format!("Alright, your appointment stays on {date} at {time}."),
            })
            .await?;
            Ok(JourneyState { step: Step::Idle, ..state })
        }
        Intent::Reschedule | Intent::BookingRequest => {
            state.step = Step::Idle;
            offer_for(turn, &mut state, Some(&a)).await?;
            Ok(state)
        }
        Intent::HumanRequest => hand_off(turn, state).await,
        _ => {
            state.misunderstood += 1;
            if state.misunderstood >= 2 {
                return hand_off(turn, state).await;
            }
            turn.reply_text(match turn.locale() {
                Locale::PtBr => {
                    "Para cancelar, responda *sim*. Para manter a consulta, responda *não*.".into()
                }
                Locale::En => "To cancel, reply *yes*. To keep the appointment, reply *no*.".into(),
            })
            .await?;
            Ok(state)
        }
    }
}

async fn reschedule(turn: &Turn<'_>, mut state: JourneyState) -> Result<JourneyState, JourneyError> {
    let Some(a) = upcoming(turn).await? else { return no_appointment(turn, state).await };
    offer_for(turn, &mut state, Some(&a)).await?;
    Ok(state)
}

async fn move_to(
    turn: &Turn<'_>,
    mut state: JourneyState,
    appointment: frontdesk_domain::AppointmentId,
    slot: &Offered,
) -> Result<JourneyState, JourneyError> {
    let Some(parsed) = crate::voice::tools::parse_slot_token(&slot.slot_id) else {
        return Ok(JourneyState::default());
    };
    let current =
        turn.ctx.store.get_appointment(turn.tenant.id, appointment).await?.ok_or(StoreError::NotFound)?;
    match action(turn, &current, AppointmentAction::Reschedule, Some(parsed.start)).await {
        Ok(moved) => {
            let vars = describe(turn, &moved).await?;
            turn.reply(TemplateKey::AppointmentConfirmation, vars).await?;
            Ok(JourneyState::default())
        }
        Err(SchedulingFailure::SlotTaken | SchedulingFailure::NotBookable(_)) => {
            state.wish.date = Some(parsed_date(turn, parsed.start));
            offer_for(turn, &mut state, Some(&current)).await?;
            Ok(state)
        }
        Err(e) => Err(e.into()),
    }
}

/// Hands the conversation to staff: the automation stays quiet until released. Done (with
/// the hand-off reply) once the turn is committed, by `answered::deliver`.
async fn hand_off(turn: &Turn<'_>, _state: JourneyState) -> Result<JourneyState, JourneyError> {
    turn.hands_off.store(true, std::sync::atomic::Ordering::Relaxed);
    turn.reply(TemplateKey::HandOff, json!({})).await?;
    Ok(JourneyState::default())
}

/// An answer from the clinic's FAQ, or a person when none fits.
async fn answer(turn: &Turn<'_>, state: JourneyState, text: &str) -> Result<JourneyState, JourneyError> {
    let settings = turn.ctx.store.tenant_settings(turn.tenant.id).await?;
    match frontdesk_domain::leads::faq::best_answer(&settings.dialogue.faq, text, turn.locale()) {
        Some(answer) => {
            turn.reply_text(answer.to_owned()).await?;
            Ok(state)
        }
        None => hand_off(turn, state).await,
    }
}
