//! What a voice assistant can do mid-call: look the caller up, find slots, book, move and
//! cancel, plan a callback (`schedule_callback`) and record an opt-out of calls or
//! messages (`opt_out`). Shared by VAPI's `tool-calls` and the generic `/api/v1/voice/tools/*`
//! endpoints, so both behave the same. Arguments are read leniently (the model writes
//! them), answers are short and speakable, plus ids for the next tool.
//!
//! Every tool call with an id runs once: its answer is stored under that id, and a
//! provider's retry gets the stored answer. Booking also carries the id as its
//! idempotency key, so even two concurrent deliveries book once.

use crate::Ctx;
use crate::scheduling::{
    ActionRequest, BookingRequest, Confirmation, PatientRef, SchedulingFailure, apply_action, book,
    load_cached, search,
};
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentAction, DayPeriod, SearchPreferences};
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_domain::voice::spoken::when_with;
use frontdesk_domain::{AppointmentId, LocationId, PatientId, PractitionerId, ServiceId};
use frontdesk_store::{IdempotencyClaim, NewInboundEvent, StoreError};
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const LOOKUP_PATIENT: &str = "lookup_patient";
pub const FIND_SLOTS: &str = "find_slots";
pub const BOOK_APPOINTMENT: &str = "book_appointment";
pub const RESCHEDULE_APPOINTMENT: &str = "reschedule_appointment";
pub const CANCEL_APPOINTMENT: &str = "cancel_appointment";
/// `{"when": "amanhã às 15h" | "tomorrow at 3pm"}`: an AI call back at that time.
pub const SCHEDULE_CALLBACK: &str = "schedule_callback";
/// `{"channel": "messages" | "calls"}`: the caller wants no more of those.
pub const OPT_OUT: &str = "opt_out";

/// Slots offered per `find_slots`: what a caller can keep in mind.
const OFFERED: usize = 3;

/// A tool that could not do what was asked, worded for the assistant to relay.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolError {
    /// `slot_taken`, `not_found`, `invalid_arguments`, `not_bookable`, `unknown_tool`...
    pub code: &'static str,
    pub message: String,
    /// Other slots to offer instead (after `slot_taken`).
    pub alternatives: Vec<Value>,
}

impl ToolError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), alternatives: Vec::new() }
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({"code": self.code, "message": self.message});
        if !self.alternatives.is_empty() {
            v["alternatives"] = Value::Array(self.alternatives.clone());
        }
        v
    }
}

pub type ToolResult = Result<Value, ToolError>;

/// Who is on the line and where the tool call came from.
#[derive(Debug, Clone)]
pub struct ToolCaller<'a> {
    pub tenant: &'a Tenant,
    pub default_region: &'a str,
    /// The caller's number as the provider reported it.
    pub caller_number: Option<&'a str>,
    /// `vapi`, `api`...: scopes tool-call ids.
    pub source: &'a str,
    /// The language tool results are worded in: the caller's, when the clinic knows them
    /// (see [`caller_locale`]), else the clinic's.
    pub locale: Locale,
}

/// The language of the patient calling from `number` (stored from their conversations),
/// or the clinic's when the number is unknown.
pub async fn caller_locale(ctx: &Ctx, tenant: &Tenant, region: &str, number: Option<&str>) -> Locale {
    let Some(phone) = number.and_then(|n| PhoneE164::parse(n, region).ok()) else { return tenant.locale };
    match ctx.store.patient_by_phone(tenant.id, &phone).await {
        Ok(Some(p)) => p.locale,
        _ => tenant.locale,
    }
}

/// Runs one tool call (`id` makes it run once). Store failures are errors of the call.
pub async fn run_tool(
    ctx: &Ctx,
    caller: &ToolCaller<'_>,
    id: Option<&str>,
    name: &str,
    args: &Value,
) -> Result<ToolResult, StoreError> {
    let key = id.filter(|i| !i.is_empty()).map(|i| format!("{}:{i}", caller.source));
    if let Some(key) = &key
        && let Some(stored) = ctx.store.inbound_event(caller.tenant.id, "voice-tool", key).await?
    {
        return Ok(from_stored(stored.payload));
    }
    let result = match name {
        _ if !args.is_object() => Err(ToolFailure::Tool(ToolError::new(
            "invalid_arguments",
            "the arguments are not a JSON object; send them as one",
        ))),
        LOOKUP_PATIENT => lookup_patient(ctx, caller, args).await,
        FIND_SLOTS => find_slots(ctx, caller, args).await,
        BOOK_APPOINTMENT => book_appointment(ctx, caller, key.as_deref(), args).await,
        RESCHEDULE_APPOINTMENT => reschedule_appointment(ctx, caller, args).await,
        CANCEL_APPOINTMENT => cancel_appointment(ctx, caller, args).await,
        SCHEDULE_CALLBACK => schedule_callback(ctx, caller, args).await,
        OPT_OUT => opt_out(ctx, caller, key.as_deref(), args).await,
        other => Err(ToolFailure::Tool(ToolError::new(
            "unknown_tool",
            format!("there is no tool named {:?}", other.chars().take(40).collect::<String>()),
        ))),
    };
    let result = match result {
        Ok(v) => Ok(v),
        Err(ToolFailure::Tool(e)) => Err(e),
        Err(ToolFailure::Store(e)) => return Err(e),
    };
    if let Some(key) = key {
        let payload = match &result {
            Ok(v) => json!({"ok": v}),
            Err(e) => json!({"error": e.to_json()}),
        };
        let event = NewInboundEvent {
            tenant_id: caller.tenant.id,
            provider: "voice-tool".into(),
            external_id: key,
            kind: name.chars().take(60).collect(),
            payload,
        };
        // A concurrent delivery may have stored its answer first; either answer stands.
        ctx.store.record_event(&event, &[], ctx.clock.now()).await?;
    }
    Ok(result)
}

fn from_stored(payload: Value) -> ToolResult {
    if let Some(ok) = payload.get("ok") {
        return Ok(ok.clone());
    }
    let e = payload.get("error").cloned().unwrap_or(Value::Null);
    Err(ToolError {
        code: match e.get("code").and_then(Value::as_str) {
            Some("slot_taken") => "slot_taken",
            Some("not_found") => "not_found",
            Some("not_bookable") => "not_bookable",
            Some("opted_out") => "opted_out",
            _ => "failed",
        },
        message: e.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
        alternatives: e.get("alternatives").and_then(Value::as_array).cloned().unwrap_or_default(),
    })
}

enum ToolFailure {
    Tool(ToolError),
    Store(StoreError),
}

impl From<StoreError> for ToolFailure {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<SchedulingFailure> for ToolFailure {
    fn from(e: SchedulingFailure) -> Self {
        let message = e.to_string();
        Self::Tool(match e {
            SchedulingFailure::Store(s) => return Self::Store(s),
            SchedulingFailure::NotFound(_) => ToolError::new("not_found", message),
            SchedulingFailure::SlotTaken => ToolError::new("slot_taken", message),
            SchedulingFailure::NotBookable(_) => ToolError::new("not_bookable", message),
            SchedulingFailure::InvalidTransition { .. } | SchedulingFailure::NotYet(_) => {
                ToolError::new("not_allowed", message)
            }
            SchedulingFailure::Upstream(_) | SchedulingFailure::Stale => ToolError::new("try_again", message),
            SchedulingFailure::Invalid(_) | SchedulingFailure::IdempotencyKeyReused => {
                ToolError::new("invalid_arguments", message)
            }
        })
    }
}

fn invalid(message: impl Into<String>) -> ToolFailure {
    ToolFailure::Tool(ToolError::new("invalid_arguments", message))
}

fn text<'a>(args: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| args.get(*k).and_then(Value::as_str)).map(str::trim).filter(|s| !s.is_empty())
}

/// The phone the tool is about: one given in the arguments, else the caller's.
fn phone_of(caller: &ToolCaller<'_>, args: &Value) -> Result<Option<PhoneE164>, ToolFailure> {
    let Some(raw) = text(args, &["phone", "phone_number", "phoneNumber"]).or(caller.caller_number) else {
        return Ok(None);
    };
    PhoneE164::parse(raw, caller.default_region)
        .map(Some)
        .map_err(|e| invalid(format!("the phone number is not valid: {e}")))
}

async fn patient_of(
    ctx: &Ctx,
    caller: &ToolCaller<'_>,
    args: &Value,
) -> Result<Option<Patient>, ToolFailure> {
    if let Some(id) = text(args, &["patient_id", "patientId"]) {
        let id: PatientId = id.parse().map_err(|_| invalid("patient_id is not a patient id"))?;
        return Ok(ctx.store.get_patient(caller.tenant.id, id).await?);
    }
    match phone_of(caller, args)? {
        Some(phone) => Ok(ctx.store.patient_by_phone(caller.tenant.id, &phone).await?),
        None => Ok(None),
    }
}

async fn describe(ctx: &Ctx, tenant: &Tenant, locale: Locale, a: &Appointment) -> Result<Value, ToolFailure> {
    let cal = load_cached(ctx, tenant.id).await?;
    let who = cal.practitioners.iter().find(|p| p.id == a.practitioner_id).map(|p| p.name.as_str());
    let service = cal.services.iter().find(|s| s.id == a.service_id).map(|s| s.name.clone());
    let local = cal.zone(a.location_id).to_datetime(a.start);
    Ok(json!({
        "appointment_id": a.id,
        "when": when_with(locale, local, who),
        "start": a.start,
        "service": service,
        "status": a.status,
    }))
}

async fn lookup_patient(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Value, ToolFailure> {
    // A number registered moments ago from this very call has no name yet: still "new".
    let known = patient_of(ctx, caller, args).await?.filter(|p| !p.name.is_placeholder_for(&p.phone));
    let Some(patient) = known else {
        let message = match caller.locale {
            Locale::PtBr => "Paciente não encontrado; é um novo paciente.",
            Locale::En => "No patient with this number; this is a new patient.",
        };
        return Ok(json!({"found": false, "message": message}));
    };
    let mut appointments = Vec::new();
    for a in crate::scheduling::upcoming_for(ctx, caller.tenant.id, patient.id).await? {
        appointments.push(describe(ctx, caller.tenant, caller.locale, &a).await?);
    }
    Ok(json!({
        "found": true,
        "patient_id": patient.id,
        "first_name": patient.name.first_name(),
        "upcoming_appointments": appointments,
    }))
}

/// The booking token of a slot (see [`slot_id`]).
pub fn slot_token(slot: &frontdesk_domain::scheduling::Slot) -> String {
    slot_id(slot.practitioner_id, slot.service_id, slot.location_id, slot.start)
}

/// Reads a token made by [`slot_token`].
pub fn parse_slot_token(raw: &str) -> Option<SlotRef> {
    parse_slot_id(raw)
}

/// `<practitioner>.<service>.<location>.<unix seconds>`: everything a booking needs, in
/// one token the assistant hands back.
fn slot_id(p: PractitionerId, s: ServiceId, l: LocationId, start: Timestamp) -> String {
    format!("{}.{}.{}.{}", p, s, l, start.as_second())
}

pub struct SlotRef {
    pub practitioner_id: PractitionerId,
    pub service_id: ServiceId,
    pub location_id: LocationId,
    pub start: Timestamp,
}

fn parse_slot_id(raw: &str) -> Option<SlotRef> {
    let mut parts = raw.trim().split('.');
    let slot = SlotRef {
        practitioner_id: parts.next()?.parse().ok()?,
        service_id: parts.next()?.parse().ok()?,
        location_id: parts.next()?.parse().ok()?,
        start: Timestamp::from_second(parts.next()?.parse().ok()?).ok()?,
    };
    parts.next().is_none().then_some(slot)
}

fn weekday_of(s: &str) -> Option<Weekday> {
    let s = s.to_lowercase();
    let s = s.trim();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| s.starts_with(p));
    Some(match () {
        _ if starts(&["mon", "seg"]) => Weekday::Monday,
        _ if starts(&["tue", "ter"]) => Weekday::Tuesday,
        _ if starts(&["wed", "qua"]) && !s.starts_with("quin") => Weekday::Wednesday,
        _ if starts(&["thu", "qui"]) => Weekday::Thursday,
        _ if starts(&["fri", "sex"]) => Weekday::Friday,
        _ if starts(&["sat", "sáb", "sab"]) => Weekday::Saturday,
        _ if starts(&["sun", "dom"]) => Weekday::Sunday,
        _ => return None,
    })
}

fn period_of(s: &str) -> Option<DayPeriod> {
    let s = s.to_lowercase();
    Some(match s.trim() {
        "morning" | "manhã" | "manha" | "de manhã" | "de manha" => DayPeriod::Morning,
        "afternoon" | "tarde" | "à tarde" | "a tarde" => DayPeriod::Afternoon,
        "evening" | "night" | "noite" | "à noite" | "a noite" => DayPeriod::Evening,
        _ => return None,
    })
}

/// The search a `find_slots` call asks for.
fn preferences(
    cal: &crate::scheduling::Calendar,
    args: &Value,
    today: Date,
) -> Result<SearchPreferences, ToolFailure> {
    let mut prefs = SearchPreferences { limit: OFFERED, ..Default::default() };
    let lower = |s: &str| s.to_lowercase();
    if let Some(s) = text(args, &["service_id", "serviceId", "service"]) {
        prefs.service_id = match s.parse::<ServiceId>() {
            Ok(id) => Some(id),
            Err(_) => Some(
                cal.services
                    .iter()
                    .find(|x| lower(&x.name).contains(&lower(s)) || lower(s).contains(&lower(&x.name)))
                    .map(|x| x.id)
                    .ok_or_else(|| invalid(format!("no service is called {s:?}")))?,
            ),
        };
    }
    if let Some(d) = text(args, &["department", "specialty"]) {
        prefs.department = Some(d.to_owned());
    }
    if let Some(p) = text(args, &["practitioner_id", "practitionerId", "practitioner", "doctor"]) {
        prefs.practitioner_id = match p.parse::<PractitionerId>() {
            Ok(id) => Some(id),
            Err(_) => Some(
                cal.practitioners
                    .iter()
                    .find(|x| lower(&x.name).contains(&lower(p)))
                    .map(|x| x.id)
                    .ok_or_else(|| invalid(format!("no practitioner is called {p:?}")))?,
            ),
        };
        if prefs.service_id.is_none() && prefs.department.is_none() {
            prefs.department = cal
                .practitioners
                .iter()
                .find(|x| Some(x.id) == prefs.practitioner_id)
                .map(|x| x.department.clone());
        }
    }
    if let Some(day) = text(args, &["preferred_day", "preferredDay", "date", "day"]) {
        match day.parse::<Date>() {
            Ok(d) => {
                prefs.earliest_date = Some(d);
                prefs.weekdays = vec![d.weekday()];
            }
            Err(_) => match day.to_lowercase().as_str() {
                "today" | "hoje" => prefs.earliest_date = Some(today),
                "tomorrow" | "amanhã" | "amanha" => {
                    let d = today.tomorrow().unwrap_or(today);
                    prefs.earliest_date = Some(d);
                    prefs.weekdays = vec![d.weekday()];
                }
                _ => {
                    prefs.weekdays =
                        vec![weekday_of(day).ok_or_else(|| invalid(format!("unknown day {day:?}")))?]
                }
            },
        }
    }
    if let Some(t) = text(args, &["preferred_time", "preferredTime", "time"]) {
        match t.parse::<Time>() {
            Ok(time) => prefs.exact_time = Some(time),
            Err(_) => {
                prefs.time_of_day = Some(period_of(t).ok_or_else(|| invalid(format!("unknown time {t:?}")))?)
            }
        }
    }
    if prefs.service_id.is_none() && prefs.department.is_none() {
        // One service: nothing to choose. Several: the assistant must ask.
        match cal.services.as_slice() {
            [only] => prefs.service_id = Some(only.id),
            _ => return Err(invalid("say which service or department the patient needs")),
        }
    }
    Ok(prefs)
}

async fn offer(ctx: &Ctx, tenant: &Tenant, locale: Locale, args: &Value) -> Result<Vec<Value>, ToolFailure> {
    let cal = load_cached(ctx, tenant.id).await?;
    let today = cal.tenant_zone().to_datetime(ctx.clock.now()).date();
    let prefs = preferences(&cal, args, today)?;
    let found = search(ctx, tenant.id, &prefs).await?;
    Ok(found
        .result
        .slots
        .iter()
        .take(OFFERED)
        .map(|r| {
            let who = found.calendar.practitioners.iter().find(|p| p.id == r.slot.practitioner_id);
            json!({
                "slot_id": slot_id(r.slot.practitioner_id, r.slot.service_id, r.slot.location_id, r.slot.start),
                "when": when_with(locale, r.local_start, who.map(|p| p.name.as_str())),
                "start": r.slot.start,
                "service": found.service.name,
            })
        })
        .collect())
}

async fn find_slots(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Value, ToolFailure> {
    let slots = offer(ctx, caller.tenant, caller.locale, args).await?;
    let message = match (caller.locale, slots.is_empty()) {
        (Locale::PtBr, true) => {
            "Não há horários livres com essas preferências nas próximas duas semanas.".to_owned()
        }
        (Locale::En, true) => {
            "There are no free times with these preferences in the next two weeks.".to_owned()
        }
        (Locale::PtBr, false) => format!("Horários disponíveis: {}.", spoken_list(&slots, " ou ")),
        (Locale::En, false) => format!("Available times: {}.", spoken_list(&slots, " or ")),
    };
    Ok(json!({"message": message, "slots": slots}))
}

fn spoken_list(slots: &[Value], or: &str) -> String {
    let items: Vec<&str> = slots.iter().filter_map(|s| s["when"].as_str()).collect();
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{or}{last}", rest.join("; ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

fn slot_from_args(args: &Value) -> Result<SlotRef, ToolFailure> {
    if let Some(id) = text(args, &["slot_id", "slotId", "slot"]) {
        return parse_slot_id(id).ok_or_else(|| invalid("slot_id is not one that find_slots gave"));
    }
    let id = |keys: &[&str]| text(args, keys).and_then(|s| s.parse::<uuid::Uuid>().ok());
    Ok(SlotRef {
        practitioner_id: id(&["practitioner_id", "practitionerId"])
            .ok_or_else(|| {
                invalid(
                    "give slot_id (from find_slots) or practitioner_id, service_id, location_id and start",
                )
            })?
            .into(),
        service_id: id(&["service_id", "serviceId"]).ok_or_else(|| invalid("service_id is missing"))?.into(),
        location_id: id(&["location_id", "locationId"])
            .ok_or_else(|| invalid("location_id is missing"))?
            .into(),
        start: text(args, &["start"])
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("start is missing or not an RFC 3339 instant"))?,
    })
}

/// On a taken slot, the error carries the next free times of the same kind.
async fn with_alternatives(
    ctx: &Ctx,
    tenant: &Tenant,
    locale: Locale,
    slot: &SlotRef,
    e: ToolFailure,
) -> ToolFailure {
    let ToolFailure::Tool(mut err) = e else { return e };
    if err.code == "slot_taken" {
        let args = json!({"service_id": slot.service_id.to_string()});
        if let Ok(alternatives) = offer(ctx, tenant, locale, &args).await {
            // Never the time that was just refused. Once, in CI under load, the search that
            // follows a refusal still saw it free (why is not established); offering it back
            // would send the caller round in a circle.
            let refused = slot_id(slot.practitioner_id, slot.service_id, slot.location_id, slot.start);
            err.alternatives = alternatives
                .into_iter()
                .filter(|a| a["slot_id"].as_str() != Some(refused.as_str()))
                .collect();
        }
        err.message = match locale {
            Locale::PtBr => "Esse horário acabou de ser ocupado. Ofereça um dos próximos horários.".into(),
            Locale::En => "That time was just taken. Offer one of the next free times.".into(),
        };
    }
    ToolFailure::Tool(err)
}

async fn book_appointment(
    ctx: &Ctx,
    caller: &ToolCaller<'_>,
    key: Option<&str>,
    args: &Value,
) -> Result<Value, ToolFailure> {
    let slot = slot_from_args(args)?;
    let patient = match patient_of(ctx, caller, args).await? {
        Some(mut p) => {
            // The caller said their name: it replaces the placeholder of a new number.
            if p.name.is_placeholder_for(&p.phone)
                && let Some(name) = text(args, &["name", "patient_name", "patientName"])
                && let Ok(name) = PersonName::parse(name)
            {
                p.name = name;
                ctx.store.update_patient(&p).await?;
            }
            PatientRef::Id(p.id)
        }
        None => {
            let phone = phone_of(caller, args)?
                .ok_or_else(|| invalid("the caller's phone number is unknown; ask for it"))?;
            let name = text(args, &["name", "patient_name", "patientName"])
                .ok_or_else(|| invalid("a new patient: ask for their full name and pass it as name"))?;
            let name = PersonName::parse(name).map_err(|e| invalid(format!("name: {e}")))?;
            PatientRef::Contact { name, phone, email: None }
        }
    };
    let idempotency = key.map(|k| IdempotencyClaim {
        key: format!("voice-tool:{k}"),
        request_hash: hex::encode(Sha256::digest(
            format!("{}|{}|{}|{}", slot.practitioner_id, slot.service_id, slot.location_id, slot.start)
                .as_bytes(),
        )),
    });
    let request = BookingRequest {
        tenant_id: caller.tenant.id,
        patient,
        practitioner_id: slot.practitioner_id,
        location_id: slot.location_id,
        service_id: slot.service_id,
        start: slot.start,
        idempotency,
        actor: format!("voice:{}", caller.source),
        confirmation: Confirmation::Send,
    };
    let booked = match book(ctx, request).await {
        Ok(b) => b,
        Err(e) => return Err(with_alternatives(ctx, caller.tenant, caller.locale, &slot, e.into()).await),
    };
    let described = describe(ctx, caller.tenant, caller.locale, &booked.appointment).await?;
    let message = match caller.locale {
        Locale::PtBr => format!("Agendado: {}.", described["when"].as_str().unwrap_or_default()),
        Locale::En => format!("Booked: {}.", described["when"].as_str().unwrap_or_default()),
    };
    Ok(json!({"message": message, "appointment": described}))
}

/// The appointment the call is about: the one named, else the caller's next one.
async fn target(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Appointment, ToolFailure> {
    if let Some(id) = text(args, &["appointment_id", "appointmentId"]) {
        let id: AppointmentId = id.parse().map_err(|_| invalid("appointment_id is not an appointment id"))?;
        return ctx
            .store
            .get_appointment(caller.tenant.id, id)
            .await?
            .ok_or_else(|| ToolFailure::Tool(ToolError::new("not_found", "no such appointment")));
    }
    let patient = patient_of(ctx, caller, args)
        .await?
        .ok_or_else(|| ToolFailure::Tool(ToolError::new("not_found", "the caller is not a known patient")))?;
    crate::scheduling::upcoming_for(ctx, caller.tenant.id, patient.id).await?.into_iter().next().ok_or_else(
        || ToolFailure::Tool(ToolError::new("not_found", "the caller has no upcoming appointment")),
    )
}

async fn reschedule_appointment(
    ctx: &Ctx,
    caller: &ToolCaller<'_>,
    args: &Value,
) -> Result<Value, ToolFailure> {
    let appointment = target(ctx, caller, args).await?;
    let new_start = match text(args, &["slot_id", "slotId", "slot"]) {
        Some(id) => {
            parse_slot_id(id).ok_or_else(|| invalid("slot_id is not one that find_slots gave"))?.start
        }
        None => text(args, &["new_start", "newStart", "start"])
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("give slot_id (from find_slots) or new_start"))?,
    };
    let request = ActionRequest {
        action: AppointmentAction::Reschedule,
        reason: Some("rescheduled by phone".into()),
        new_start: Some(new_start),
        actor: format!("voice:{}", caller.source),
        confirmation: Confirmation::Send,
    };
    let slot = SlotRef {
        practitioner_id: appointment.practitioner_id,
        service_id: appointment.service_id,
        location_id: appointment.location_id,
        start: new_start,
    };
    let moved = match apply_action(ctx, caller.tenant.id, appointment.id, request).await {
        Ok(a) => a,
        Err(e) => return Err(with_alternatives(ctx, caller.tenant, caller.locale, &slot, e.into()).await),
    };
    let described = describe(ctx, caller.tenant, caller.locale, &moved).await?;
    let message = match caller.locale {
        Locale::PtBr => format!("Remarcado para {}.", described["when"].as_str().unwrap_or_default()),
        Locale::En => format!("Moved to {}.", described["when"].as_str().unwrap_or_default()),
    };
    Ok(json!({"message": message, "appointment": described}))
}

async fn cancel_appointment(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Value, ToolFailure> {
    let appointment = target(ctx, caller, args).await?;
    let request = ActionRequest {
        action: AppointmentAction::Cancel,
        reason: Some(text(args, &["reason"]).unwrap_or("cancelled by phone").chars().take(200).collect()),
        new_start: None,
        actor: format!("voice:{}", caller.source),
        confirmation: Confirmation::Send,
    };
    let cancelled = apply_action(ctx, caller.tenant.id, appointment.id, request).await?;
    let described = describe(ctx, caller.tenant, caller.locale, &cancelled).await?;
    let message = match caller.locale {
        Locale::PtBr => format!("Cancelado: {}.", described["when"].as_str().unwrap_or_default()),
        Locale::En => format!("Cancelled: {}.", described["when"].as_str().unwrap_or_default()),
    };
    Ok(json!({"message": message, "appointment": described}))
}

/// The caller, who must be a patient for a callback or a consent change.
async fn known_caller(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Patient, ToolFailure> {
    patient_of(ctx, caller, args).await?.ok_or_else(|| {
        ToolFailure::Tool(ToolError::new(
            "not_found",
            match caller.locale {
                Locale::PtBr => "Não encontrei o paciente desta ligação.",
                Locale::En => "I could not find the patient on this call.",
            },
        ))
    })
}

async fn schedule_callback(ctx: &Ctx, caller: &ToolCaller<'_>, args: &Value) -> Result<Value, ToolFailure> {
    let patient = known_caller(ctx, caller, args).await?;
    let when = text(args, &["when", "time", "at"]).unwrap_or_default();
    let locale = patient.locale;
    let planned =
        match super::callbacks::callback_from_words(ctx, caller.tenant, patient.id, locale, when).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Err(ToolFailure::Tool(ToolError::new(
                    "not_allowed",
                    match locale {
                        Locale::PtBr => {
                            "A clínica não tem horário de atendimento cadastrado; a equipe vai retornar."
                        }
                        Locale::En => {
                            "The clinic has no opening hours set up; the team will get back to the patient."
                        }
                    },
                )));
            }
            Err(super::VoiceFailure::Store(e)) => return Err(ToolFailure::Store(e)),
            Err(super::VoiceFailure::OptedOut) => {
                return Err(ToolFailure::Tool(ToolError::new(
                    "opted_out",
                    match locale {
                        Locale::PtBr => {
                            "O paciente pediu para não receber ligações; não agende retorno por telefone."
                        }
                        Locale::En => "The patient asked not to be called; do not schedule a phone callback.",
                    },
                )));
            }
            Err(e) => return Err(invalid(e.to_string())),
        };
    let message = match (locale, planned.when.moved) {
        (Locale::PtBr, false) => format!("Combinado! Vamos te ligar {}.", planned.phrase),
        (Locale::En, false) => format!("Done! We'll call you {}.", planned.phrase),
        (Locale::PtBr, true) => {
            format!("Nesse horário a clínica está fechada. Vamos te ligar {}.", planned.phrase)
        }
        (Locale::En, true) => format!("The clinic is closed then. We'll call you {}.", planned.phrase),
    };
    Ok(json!({
        "call_id": planned.call.id,
        "callback_at": planned.call.callback_at,
        "moved_to_opening_hours": planned.when.moved,
        "message": message,
    }))
}

async fn opt_out(
    ctx: &Ctx,
    caller: &ToolCaller<'_>,
    key: Option<&str>,
    args: &Value,
) -> Result<Value, ToolFailure> {
    use crate::messaging::contact_prefs::{OptOutScope, confirmation, opt_out};
    let scope = text(args, &["channel", "scope"])
        .and_then(OptOutScope::parse)
        .ok_or_else(|| invalid("channel must be \"messages\" or \"calls\""))?;
    let patient = known_caller(ctx, caller, args).await?;
    // The tool call's id makes a retried delivery record one fact.
    let cause = match key {
        Some(k) => format!("tool:{k}"),
        None => format!("tool:{}:{}", patient.id, ctx.clock.now().as_second()),
    };
    let changed = opt_out(ctx, &patient, scope, "voice", &cause).await?;
    Ok(json!({
        "channel": scope.as_str(),
        "changed": changed,
        "message": confirmation(patient.locale, scope),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_ids_round_trip_and_reject_garbage() {
        let (p, s, l) = (PractitionerId::new(), ServiceId::new(), LocationId::new());
        let start: Timestamp = "2026-06-02T13:00:00Z".parse().unwrap();
        let parsed = parse_slot_id(&slot_id(p, s, l, start)).unwrap();
        assert_eq!(
            (parsed.practitioner_id, parsed.service_id, parsed.location_id, parsed.start),
            (p, s, l, start)
        );
        assert!(parse_slot_id("").is_none());
        assert!(parse_slot_id("a.b.c.d").is_none());
        assert!(parse_slot_id(&format!("{}.extra", slot_id(p, s, l, start))).is_none());
    }

    #[test]
    fn spoken_days_and_periods() {
        assert_eq!(weekday_of("Segunda-feira"), Some(Weekday::Monday));
        assert_eq!(weekday_of("quinta"), Some(Weekday::Thursday));
        assert_eq!(weekday_of("quarta"), Some(Weekday::Wednesday));
        assert_eq!(weekday_of("Saturday"), Some(Weekday::Saturday));
        assert_eq!(weekday_of("someday"), None);
        assert_eq!(period_of("Manhã"), Some(DayPeriod::Morning));
        assert_eq!(period_of("afternoon"), Some(DayPeriod::Afternoon));
        assert_eq!(period_of("lunch"), None);
    }
}
