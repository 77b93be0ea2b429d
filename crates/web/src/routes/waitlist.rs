//! The waitlist over the API: put a patient on it, list and remove entries, see the
//! offers made of freed slots, and accept one for a patient (who phoned the desk, say).

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::waitlist::{EntryStatus, OfferStatus, TimeWindow, WaitlistEntry, WaitlistOffer};
use frontdesk_domain::{LocationId, PatientId, PractitionerId, ServiceId};
use frontdesk_engine::scheduling::Confirmation;
use frontdesk_engine::waitlist::{self, AcceptOutcome, JoinRequest, WaitlistFailure};
use frontdesk_store::OfferFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

impl From<WaitlistFailure> for ApiError {
    fn from(f: WaitlistFailure) -> Self {
        match f {
            WaitlistFailure::NotFound(what) => ApiError::not_found(what),
            WaitlistFailure::Invalid(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m)
            }
            WaitlistFailure::Store(e) => e.into(),
            WaitlistFailure::Scheduling(s) => s.into(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// 0 (Monday) to 6 (Sunday); empty or absent: any day.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// Local time, "08:00".
    #[schema(example = "08:00")]
    pub from: String,
    #[schema(example = "12:00")]
    pub to: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub patient_id: Uuid,
    pub service_id: Uuid,
    /// Only this practitioner; absent: anyone who does the service.
    pub practitioner_id: Option<Uuid>,
    /// Only this unit.
    pub location_id: Option<Uuid>,
    /// When the patient can come; absent or empty: any time the clinic is open.
    #[serde(default)]
    pub windows: Vec<WindowBody>,
    /// No offers for days after this one, "2026-07-31".
    #[schema(value_type = Option<String>, format = Date)]
    pub not_after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WindowView {
    pub weekdays: Vec<u8>,
    #[schema(example = "08:00")]
    pub from: String,
    #[schema(example = "12:00")]
    pub to: String,
}

#[derive(Serialize, ToSchema)]
pub struct EntryView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub service_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub windows: Vec<WindowView>,
    #[schema(value_type = Option<String>, format = Date)]
    pub not_after: Option<String>,
    /// `waiting`, `booked` or `removed`.
    #[schema(example = "waiting")]
    pub status: String,
    /// `api`, `staff`, `dialogue` or `online` (the public booking page).
    pub source: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

fn hhmm(t: jiff::civil::Time) -> String {
    t.strftime("%H:%M").to_string()
}

impl From<WaitlistEntry> for EntryView {
    fn from(e: WaitlistEntry) -> Self {
        Self {
            id: e.id,
            patient_id: e.patient_id.0,
            service_id: e.service_id.0,
            practitioner_id: e.practitioner_id.map(|p| p.0),
            location_id: e.location_id.map(|l| l.0),
            windows: e
                .windows
                .iter()
                .map(|w| WindowView { weekdays: w.weekdays.clone(), from: hhmm(w.from), to: hhmm(w.to) })
                .collect(),
            not_after: e.not_after.map(|d| d.to_string()),
            status: e.status.as_str().to_owned(),
            source: e.source,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryPage {
    pub items: Vec<EntryView>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntryQuery {
    /// waiting, booked or removed.
    pub status: Option<String>,
    pub before: Option<Uuid>,
    /// 1-200 (default 50).
    pub limit: Option<u32>,
}

fn parse_time(field: String, raw: &str) -> Result<jiff::civil::Time, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("{field}: expected a time like 08:30"),
        )
    })
}

/// Puts a patient on the waitlist. Asking again for the same service and practitioner
/// while still waiting returns the entry already there (200).
#[utoipa::path(post, path = "/api/v1/waitlist", tag = "waitlist", security(("api_key" = [])),
    request_body = NewEntry,
    responses((status = 201, body = EntryView), (status = 200, body = EntryView),
              (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn join(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<NewEntry>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    let mut windows = Vec::with_capacity(b.windows.len());
    for (i, w) in b.windows.into_iter().enumerate() {
        let from = parse_time(format!("windows[{i}].from"), &w.from)?;
        let to = parse_time(format!("windows[{i}].to"), &w.to)?;
        windows.push(TimeWindow { weekdays: w.weekdays, from, to });
    }
    let not_after = match b.not_after.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<jiff::civil::Date>().map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "not_after: expected a date like 2026-07-31",
            )
        })?),
    };
    let request = JoinRequest {
        tenant_id: who.tenant_id,
        patient_id: PatientId(b.patient_id),
        service_id: ServiceId(b.service_id),
        practitioner_id: b.practitioner_id.map(PractitionerId),
        location_id: b.location_id.map(LocationId),
        windows,
        not_after,
        source: "api",
    };
    let started = state.ctx.clock.now();
    let entry = waitlist::join(&state.ctx, request).await?;
    let status = if entry.created_at >= started { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(entry.into())))
}

/// The waitlist, newest first.
#[utoipa::path(get, path = "/api/v1/waitlist", tag = "waitlist", security(("api_key" = [])),
    params(EntryQuery), responses((status = 200, body = EntryPage), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<EntryQuery>,
) -> Result<Json<EntryPage>, ApiError> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(EntryStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request("invalid_query", "status must be waiting, booked or removed")
        })?),
    };
    let page = state
        .ctx
        .store
        .list_waitlist_entries(who.tenant_id, status, PageRequest::new(q.before, q.limit))
        .await?;
    Ok(Json(EntryPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/waitlist/{id}", tag = "waitlist", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = EntryView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_entry(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<EntryView>, ApiError> {
    let entry = state
        .ctx
        .store
        .get_waitlist_entry(who.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("waitlist entry"))?;
    Ok(Json(entry.into()))
}

/// Takes an entry off the waitlist (it gets no more offers).
#[utoipa::path(delete, path = "/api/v1/waitlist/{id}", tag = "waitlist", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = crate::error::ErrorBody),
              (status = 409, description = "Not waiting (booked or already removed)", body = crate::error::ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    if waitlist::leave(&state.ctx, who.tenant_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::conflict("not_waiting", "the entry is not waiting (booked or already removed)"))
    }
}

#[derive(Serialize, ToSchema)]
pub struct OfferView {
    pub id: Uuid,
    pub entry_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub location_id: Uuid,
    pub service_id: Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub start: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub end: jiff::Timestamp,
    /// `pending`, `accepted`, `taken`, `expired` or `declined`.
    #[schema(example = "pending")]
    pub status: String,
    /// 1 for the first patients asked, 2 for the next few...
    pub round: u32,
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    /// The appointment booked through the offer.
    pub appointment_id: Option<Uuid>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<WaitlistOffer> for OfferView {
    fn from(o: WaitlistOffer) -> Self {
        Self {
            id: o.id,
            entry_id: o.entry_id,
            patient_id: o.patient_id.0,
            practitioner_id: o.slot.practitioner_id.0,
            location_id: o.slot.location_id.0,
            service_id: o.slot.service_id.0,
            start: o.slot.start,
            end: o.slot.end,
            status: o.status.as_str().to_owned(),
            round: o.round,
            sent_at: o.sent_at,
            expires_at: o.expires_at,
            appointment_id: o.appointment_id.map(|a| a.0),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OfferPage {
    pub items: Vec<OfferView>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OfferQuery {
    /// pending, accepted, taken, expired or declined.
    pub status: Option<String>,
    pub entry_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub before: Option<Uuid>,
    /// 1-200 (default 50).
    pub limit: Option<u32>,
}

/// Offers of freed slots, newest first.
#[utoipa::path(get, path = "/api/v1/waitlist-offers", tag = "waitlist", security(("api_key" = [])),
    params(OfferQuery), responses((status = 200, body = OfferPage), (status = 400, body = crate::error::ErrorBody)))]
pub async fn list_offers(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(q): ApiQuery<OfferQuery>,
) -> Result<Json<OfferPage>, ApiError> {
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(OfferStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                "status must be pending, accepted, taken, expired or declined",
            )
        })?),
    };
    let filter = OfferFilter { status, entry_id: q.entry_id, patient_id: q.patient_id.map(PatientId) };
    let page = state
        .ctx
        .store
        .list_waitlist_offers(who.tenant_id, &filter, PageRequest::new(q.before, q.limit))
        .await?;
    Ok(Json(OfferPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AcceptView {
    /// `booked` (the slot is the patient's), `taken` (someone was first; the patient is
    /// told) or `expired`.
    #[schema(example = "booked")]
    pub outcome: String,
    pub appointment_id: Option<Uuid>,
}

/// Accepts an offer for its patient: books the slot if it is still free. The patient gets
/// the booking confirmation as for any booking.
#[utoipa::path(post, path = "/api/v1/waitlist-offers/{id}/accept", tag = "waitlist", security(("api_key" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AcceptView), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody),
              (status = 502, body = crate::error::ErrorBody)))]
pub async fn accept_offer(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<AcceptView>, ApiError> {
    let view = match waitlist::accept(&state.ctx, who.tenant_id, id, Confirmation::Send).await? {
        AcceptOutcome::Booked(a) => AcceptView { outcome: "booked".into(), appointment_id: Some(a.id.0) },
        AcceptOutcome::Taken => AcceptView { outcome: "taken".into(), appointment_id: None },
        AcceptOutcome::Expired => AcceptView { outcome: "expired".into(), appointment_id: None },
    };
    Ok(Json(view))
}
