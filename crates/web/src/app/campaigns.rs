//! Campaigns in the staff app: the list with each campaign's status and results, and a
//! campaign's page with where its patients stand. Read-only: campaigns are created and
//! started over the API or `frontdesk campaign` (docs/campaigns.md).

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{day_time, internal, problem_page, render};
use super::session::Staff;
use super::today::patient_name;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::campaigns::{Campaign, EnrollmentState};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::tenant::Locale;
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub kind: &'static str,
    pub enrolled: u64,
    pub booked: u64,
    /// "12%", or "—" with nobody enrolled.
    pub booking_rate: String,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    t: &'static Texts,
    chrome: Chrome,
    rows: Vec<Row>,
}

/// A status or kind in the person's language.
fn word(locale: Locale, key: &str) -> &'static str {
    let (pt, en) = match key {
        "draft" => ("Rascunho", "Draft"),
        "running" => ("Em andamento", "Running"),
        "paused" => ("Pausada", "Paused"),
        "stopped" => ("Encerrada", "Stopped"),
        "completed" => ("Concluída", "Completed"),
        "recall" => ("Retorno", "Recall"),
        "recovery" => ("Recuperação de faltas", "No-show recovery"),
        "reactivation" => ("Reativação de leads", "Lead reactivation"),
        "custom" => ("Personalizada", "Custom"),
        "active" => ("Em andamento", "Active"),
        "booked" => ("Agendou", "Booked"),
        "declined" => ("Recusou", "Declined"),
        "opted_out" => ("Pediu para parar", "Opted out"),
        "needs_staff" => ("Aguarda a equipe", "Waiting for staff"),
        "finished" => ("Sem resposta", "No answer"),
        "bounced" => ("E-mail devolvido", "E-mail bounced"),
        _ => ("—", "—"),
    };
    if locale == Locale::PtBr { pt } else { en }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    let locale = staff.locale();
    let store = &state.ctx.store;
    let campaigns = match store.list_campaigns(staff.tenant.id, PageRequest::new(None, Some(100))).await {
        Ok(p) => p.items,
        Err(e) => return internal(locale, &e),
    };
    let mut rows = Vec::with_capacity(campaigns.len());
    for c in &campaigns {
        let n = match store.enrollment_counts(staff.tenant.id, c.id).await {
            Ok(n) => n,
            Err(e) => return internal(locale, &e),
        };
        rows.push(Row {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: word(locale, c.status.as_str()),
            kind: word(locale, c.kind.as_str()),
            enrolled: n.total(),
            booked: n.get(EnrollmentState::Booked),
            booking_rate: percent(n.kpis().booking_rate),
        });
    }
    let chrome = match Chrome::new(&state, &staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&ListPage { t: staff.texts(), chrome, rows }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    t: &'static Texts,
    chrome: Chrome,
    name: String,
    status: &'static str,
    kind: &'static str,
    steps: usize,
    steps_sent: u64,
    /// (state, how many), every state.
    counts: Vec<(&'static str, u64)>,
    /// (label, rate) of the enrolled.
    rates: Vec<(&'static str, String)>,
    /// The latest patients: (name, state, since).
    patients: Vec<(String, &'static str, String)>,
}

pub async fn campaign(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let locale = staff.locale();
    let not_found = || problem_page(locale, StatusCode::NOT_FOUND);
    let Ok(id) = id.parse::<Uuid>() else { return not_found() };
    let store = &state.ctx.store;
    let c: Campaign = match store.get_campaign(staff.tenant.id, id).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return internal(locale, &e),
    };
    let (n, latest) = match (
        store.enrollment_counts(staff.tenant.id, id).await,
        store.list_enrollments(staff.tenant.id, id, None, PageRequest::new(None, Some(50))).await,
    ) {
        (Ok(n), Ok(p)) => (n, p.items),
        (Err(e), _) | (_, Err(e)) => return internal(locale, &e),
    };
    let tz = staff.tenant.timezone.time_zone();
    let mut patients = Vec::with_capacity(latest.len());
    for e in &latest {
        let name = match patient_name(&state, &staff, e.patient_id).await {
            Ok(n) => n,
            Err(err) => return internal(locale, &err),
        };
        patients.push((name, word(locale, e.state.as_str()), day_time(e.updated_at, &tz)));
    }
    let k = n.kpis();
    let pt = locale == Locale::PtBr;
    let rates = vec![
        (if pt { "Agendaram" } else { "Booked" }, percent(k.booking_rate)),
        (if pt { "Recusaram" } else { "Declined" }, percent(k.decline_rate)),
        (if pt { "Pediram para parar" } else { "Opted out" }, percent(k.opt_out_rate)),
        (if pt { "Aguardam a equipe" } else { "Waiting for staff" }, percent(k.needs_staff_rate)),
    ];
    let counts = EnrollmentState::ALL
        .iter()
        .filter(|s| !matches!(s, EnrollmentState::Stopped | EnrollmentState::Bounced) || n.get(**s) > 0)
        .map(|s| (word(locale, s.as_str()), n.get(*s)))
        .collect();
    let chrome = match Chrome::new(&state, &staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = CampaignPage {
        t: staff.texts(),
        chrome,
        name: c.name,
        status: word(locale, c.status.as_str()),
        kind: word(locale, c.kind.as_str()),
        steps: c.steps.len(),
        steps_sent: n.steps_sent,
        counts,
        rates,
        patients,
    };
    render(&page, StatusCode::OK)
}
