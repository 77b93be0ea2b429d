//! The waitlist in the staff app: who is waiting for what (and since when), the offers
//! of freed slots and how they ended, putting a patient on the list from the desk, and
//! taking one off. The same engine functions as the API.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{day_time, internal, problem_page, render};
use super::session::{Staff, same_origin};
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::contact::PhoneE164;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::staff::Permission;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::waitlist::{EntryStatus, OfferStatus, TimeWindow, WaitlistEntry};
use frontdesk_domain::{PractitionerId, ServiceId};
use frontdesk_engine::waitlist::{self, JoinRequest, WaitlistFailure};
use frontdesk_store::OfferFilter;
use serde::Deserialize;
use uuid::Uuid;

/// The page's own words, in the person's language.
pub struct WaitlistTexts {
    pub title: &'static str,
    pub add: &'static str,
    pub phone: &'static str,
    pub service: &'static str,
    pub practitioner: &'static str,
    pub anyone: &'static str,
    pub period: &'static str,
    pub any_time: &'static str,
    pub mornings: &'static str,
    pub afternoons: &'static str,
    pub submit: &'static str,
    pub waiting: &'static str,
    pub nobody_waiting: &'static str,
    pub since: &'static str,
    pub remove: &'static str,
    pub offers: &'static str,
    pub no_offers: &'static str,
    pub round: &'static str,
    pub until: &'static str,
    pub unknown_patient: &'static str,
    pub phone_invalid: &'static str,
    pub how_it_works: &'static str,
}

const PT_BR: WaitlistTexts = WaitlistTexts {
    title: "Lista de espera",
    add: "Colocar paciente na lista",
    phone: "Telefone do paciente",
    service: "Serviço",
    practitioner: "Profissional",
    anyone: "Qualquer profissional",
    period: "Quando pode vir",
    any_time: "Qualquer horário",
    mornings: "Manhãs (até 12h)",
    afternoons: "Tardes (a partir de 12h)",
    submit: "Adicionar",
    waiting: "Aguardando",
    nobody_waiting: "Ninguém na lista de espera.",
    since: "desde",
    remove: "Tirar da lista",
    offers: "Ofertas de horários vagos",
    no_offers: "Nenhuma oferta ainda. Quando uma consulta é cancelada ou remarcada, o horário é oferecido aqui.",
    round: "rodada",
    until: "até",
    unknown_patient: "Nenhum paciente com esse telefone. Cadastre o paciente primeiro.",
    phone_invalid: "Telefone inválido.",
    how_it_works: "Quando um horário vaga, os pacientes que combinam com ele recebem uma mensagem, alguns por vez; quem responder SIM primeiro fica com o horário.",
};

const EN: WaitlistTexts = WaitlistTexts {
    title: "Waitlist",
    add: "Put a patient on the list",
    phone: "Patient's phone",
    service: "Service",
    practitioner: "Practitioner",
    anyone: "Any practitioner",
    period: "When they can come",
    any_time: "Any time",
    mornings: "Mornings (until noon)",
    afternoons: "Afternoons (from noon)",
    submit: "Add",
    waiting: "Waiting",
    nobody_waiting: "Nobody is on the waitlist.",
    since: "since",
    remove: "Take off the list",
    offers: "Offers of freed times",
    no_offers: "No offers yet. When an appointment is cancelled or moved, its time is offered here.",
    round: "round",
    until: "until",
    unknown_patient: "No patient with that phone. Add the patient first.",
    phone_invalid: "Invalid phone number.",
    how_it_works: "When a time frees up, the patients it suits get a message, a few at a time; the first to reply YES gets it.",
};

fn texts(locale: Locale) -> &'static WaitlistTexts {
    match locale {
        Locale::PtBr => &PT_BR,
        Locale::En => &EN,
    }
}

fn offer_status(locale: Locale, s: OfferStatus) -> &'static str {
    match (locale, s) {
        (Locale::PtBr, OfferStatus::Pending) => "aguardando resposta",
        (Locale::PtBr, OfferStatus::Accepted) => "aceita: agendado",
        (Locale::PtBr, OfferStatus::Taken) => "outro paciente foi mais rápido",
        (Locale::PtBr, OfferStatus::Expired) => "expirou",
        (Locale::PtBr, OfferStatus::Declined) => "recusada",
        (Locale::En, OfferStatus::Pending) => "awaiting reply",
        (Locale::En, OfferStatus::Accepted) => "accepted: booked",
        (Locale::En, OfferStatus::Taken) => "another patient was first",
        (Locale::En, OfferStatus::Expired) => "expired",
        (Locale::En, OfferStatus::Declined) => "declined",
    }
}

pub struct EntryRow {
    pub id: String,
    pub patient_id: String,
    pub who: String,
    pub what: String,
    pub when: String,
    pub since: String,
}

pub struct OfferRow {
    pub patient_id: String,
    pub who: String,
    pub slot: String,
    pub status: &'static str,
    pub accepted: bool,
    pub round: u32,
    pub until: String,
}

#[derive(Template)]
#[template(path = "waitlist.html")]
struct WaitlistPage {
    t: &'static Texts,
    w: &'static WaitlistTexts,
    chrome: Chrome,
    entries: Vec<EntryRow>,
    offers: Vec<OfferRow>,
    services: Vec<(String, String)>,
    practitioners: Vec<(String, String)>,
    problem: Option<&'static str>,
    can_work: bool,
}

/// "seg, qua 08:00–12:00"; "qualquer horário" without windows.
fn windows_text(w: &WaitlistTexts, locale: Locale, windows: &[TimeWindow]) -> String {
    if windows.is_empty() {
        return w.any_time.to_owned();
    }
    const PT: [&str; 7] = ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"];
    const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let names = if locale == Locale::PtBr { PT } else { EN_DAYS };
    windows
        .iter()
        .map(|win| {
            let days: Vec<&str> =
                win.weekdays.iter().filter_map(|d| names.get(*d as usize).copied()).collect();
            let hours = format!("{}–{}", win.from.strftime("%H:%M"), win.to.strftime("%H:%M"));
            if days.is_empty() { hours } else { format!("{} {hours}", days.join(", ")) }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn page(
    state: &AppState,
    staff: &Staff,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let locale = staff.locale();
    let w = texts(locale);
    let tenant = staff.tenant.id;
    let tz = staff.tenant.timezone.time_zone();
    let store = &state.ctx.store;
    let loaded = async {
        let entries = store
            .list_waitlist_entries(tenant, Some(EntryStatus::Waiting), PageRequest::new(None, Some(200)))
            .await?;
        let offers = store
            .list_waitlist_offers(tenant, &OfferFilter::default(), PageRequest::new(None, Some(50)))
            .await?;
        let services = store.list_services(tenant).await?;
        let practitioners = store.list_practitioners(tenant).await?;
        Ok::<_, frontdesk_store::StoreError>((entries.items, offers.items, services, practitioners))
    };
    let (entries, offers, services, practitioners) = match loaded.await {
        Ok(all) => all,
        Err(e) => return internal(locale, &e),
    };
    let service_name =
        |id: ServiceId| services.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default();
    let practitioner_name = |id: Option<PractitionerId>| match id {
        Some(p) => practitioners.iter().find(|x| x.id == p).map(|x| x.name.clone()).unwrap_or_default(),
        None => w.anyone.to_owned(),
    };
    let mut entry_rows = Vec::new();
    for e in &entries {
        let who = match patient_name(state, staff, e.patient_id).await {
            Ok(n) => n,
            Err(err) => return internal(locale, &err),
        };
        entry_rows.push(entry_row(
            w,
            locale,
            e,
            who,
            service_name(e.service_id),
            practitioner_name(e.practitioner_id),
            &tz,
        ));
    }
    let mut offer_rows = Vec::new();
    for o in &offers {
        let who = match patient_name(state, staff, o.patient_id).await {
            Ok(n) => n,
            Err(err) => return internal(locale, &err),
        };
        offer_rows.push(OfferRow {
            patient_id: o.patient_id.to_string(),
            who,
            slot: format!(
                "{} · {}",
                day_time(o.slot.start, &tz),
                practitioner_name(Some(o.slot.practitioner_id))
            ),
            status: offer_status(locale, o.status),
            accepted: o.status == OfferStatus::Accepted,
            round: o.round,
            until: day_time(o.expires_at, &tz),
        });
    }
    let chrome = match Chrome::new(state, staff, "waitlist").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let view = WaitlistPage {
        t: staff.texts(),
        w,
        chrome,
        entries: entry_rows,
        offers: offer_rows,
        services: services.iter().map(|s| (s.id.to_string(), s.name.clone())).collect(),
        practitioners: practitioners
            .iter()
            .filter(|p| p.active)
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        problem,
        can_work: staff.may(Permission::Work),
    };
    render(&view, status)
}

fn entry_row(
    w: &WaitlistTexts,
    locale: Locale,
    e: &WaitlistEntry,
    who: String,
    service: String,
    practitioner: String,
    tz: &jiff::tz::TimeZone,
) -> EntryRow {
    EntryRow {
        id: e.id.to_string(),
        patient_id: e.patient_id.to_string(),
        who,
        what: format!("{service} · {practitioner}"),
        when: windows_text(w, locale, &e.windows),
        since: day_time(e.created_at, tz),
    }
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    page(&state, &staff, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    practitioner: String,
    #[serde(default)]
    period: String,
}

/// The period chosen in the form as a window on every day.
pub(crate) fn period_window(period: &str) -> Vec<TimeWindow> {
    let window = |from: i8, to: i8| TimeWindow {
        weekdays: Vec::new(),
        from: jiff::civil::time(from, 0, 0, 0),
        to: jiff::civil::time(to, 0, 0, 0),
    };
    match period {
        "mornings" => vec![window(6, 12)],
        "afternoons" => vec![window(12, 22)],
        _ => Vec::new(),
    }
}

pub async fn join(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<JoinForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let w = texts(staff.locale());
    let refuse = |why| page(&state, &staff, Some(why), StatusCode::UNPROCESSABLE_ENTITY);
    let region = match state.ctx.store.tenant_settings(staff.tenant.id).await {
        Ok(s) => s.default_region,
        Err(e) => return internal(staff.locale(), &e),
    };
    let Ok(phone) = PhoneE164::parse(&form.phone, &region) else { return refuse(w.phone_invalid).await };
    let patient = match state.ctx.store.patient_by_phone(staff.tenant.id, &phone).await {
        Ok(Some(p)) => p,
        Ok(None) => return refuse(w.unknown_patient).await,
        Err(e) => return internal(staff.locale(), &e),
    };
    let Ok(service) = form.service.parse::<Uuid>().map(ServiceId) else {
        return problem_page(staff.locale(), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let request = JoinRequest {
        tenant_id: staff.tenant.id,
        patient_id: patient.id,
        service_id: service,
        practitioner_id: form.practitioner.parse::<Uuid>().ok().map(PractitionerId),
        location_id: None,
        windows: period_window(&form.period),
        not_after: None,
        source: "staff",
    };
    match waitlist::join(&state.ctx, request).await {
        Ok(_) => Redirect::to("/app/waitlist").into_response(),
        Err(WaitlistFailure::Store(e)) => internal(staff.locale(), &e),
        Err(_) => problem_page(staff.locale(), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
}

pub async fn remove(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let Ok(id) = id.parse::<Uuid>() else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    match waitlist::leave(&state.ctx, staff.tenant.id, id).await {
        Ok(_) => Redirect::to("/app/waitlist").into_response(),
        Err(WaitlistFailure::NotFound(_)) => problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(e) => internal(staff.locale(), &e),
    }
}
