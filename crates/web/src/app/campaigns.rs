//! Campaigns in the staff app: the list with each campaign's status and results, and a
//! campaign's page with where its patients stand, how many a draft would reach now, and
//! the buttons that start, pause, resume or stop it (creating one: `campaign_new`; one
//! patient's enrollment: `campaign_enrollment`).

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
use frontdesk_domain::campaigns::CampaignAction;
use frontdesk_domain::campaigns::results::ResultCounts;
use frontdesk_domain::campaigns::{Campaign, EnrollmentState};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::staff::Permission;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::campaigns::CampaignFailure;
use uuid::Uuid;

/// One line of the results table: a campaign, a kind of campaign, or all of them.
pub struct Row {
    /// Empty for the kinds' and the total's lines (no page of their own).
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub kind: &'static str,
    pub enrolled: u64,
    pub reached: u64,
    pub engaged: u64,
    pub handed_off: u64,
    pub booked: u64,
    /// "R$ 450,00".
    pub revenue: String,
    /// "12%", or "—" with nobody enrolled.
    pub this_month: String,
    pub last_90_days: String,
    pub lifetime: String,
}

impl Row {
    fn of(
        id: String,
        name: String,
        status: &'static str,
        kind: &'static str,
        n: &ResultCounts,
        locale: Locale,
    ) -> Self {
        let c = n.conversion();
        Self {
            id,
            name,
            status,
            kind,
            enrolled: n.enrolled,
            reached: n.reached,
            engaged: n.engaged,
            handed_off: n.handed_off,
            booked: n.booked,
            revenue: money(n.recovered_revenue_cents, locale),
            this_month: percent(c.this_month),
            last_90_days: percent(c.last_90_days),
            lifetime: percent(c.lifetime),
        }
    }
}

/// The results table's headings.
pub struct Headings {
    pub campaign: &'static str,
    pub enrolled: &'static str,
    pub reached: &'static str,
    pub engaged: &'static str,
    pub handed_off: &'static str,
    pub booked: &'static str,
    pub revenue: &'static str,
    pub conversion: &'static str,
    pub this_month: &'static str,
    pub last_90_days: &'static str,
    pub lifetime: &'static str,
    pub by_kind: &'static str,
    pub total: &'static str,
}

fn headings(locale: Locale) -> &'static Headings {
    match locale {
        Locale::PtBr => &Headings {
            campaign: "Campanha",
            enrolled: "Inscritos",
            reached: "Alcançados",
            engaged: "Responderam",
            handed_off: "Com a equipe",
            booked: "Agendaram",
            revenue: "Receita recuperada",
            conversion: "Conversão",
            this_month: "este mês",
            last_90_days: "90 dias",
            lifetime: "total",
            by_kind: "Por tipo",
            total: "Todas",
        },
        Locale::En => &Headings {
            campaign: "Campaign",
            enrolled: "Enrolled",
            reached: "Reached",
            engaged: "Replied",
            handed_off: "With staff",
            booked: "Booked",
            revenue: "Recovered revenue",
            conversion: "Conversion",
            this_month: "this month",
            last_90_days: "90 days",
            lifetime: "lifetime",
            by_kind: "By kind",
            total: "All",
        },
    }
}

/// Cents as patients read money: "R$ 1.250,00" or "R$1,250.00".
fn money(cents: i64, locale: Locale) -> String {
    let (whole, part) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let sep = if locale == Locale::PtBr { '.' } else { ',' };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(sep);
        }
        grouped.push(ch);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match locale {
        Locale::PtBr => format!("{sign}R$ {grouped},{part:02}"),
        Locale::En => format!("{sign}R${grouped}.{part:02}"),
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    t: &'static Texts,
    h: &'static Headings,
    chrome: Chrome,
    rows: Vec<Row>,
    kinds: Vec<Row>,
    total: Row,
    can_work: bool,
    new: &'static str,
}

/// A status or kind in the person's language.
pub(super) fn word(locale: Locale, key: &str) -> &'static str {
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
        "start" => ("Iniciar", "Start"),
        "pause" => ("Pausar", "Pause"),
        "resume" => ("Retomar", "Resume"),
        "stop" => ("Encerrar", "Stop"),
        "new" => ("Nova campanha", "New campaign"),
        "audience_now" => ("Alcançaria agora", "Would reach now"),
        _ => ("—", "—"),
    };
    if locale == Locale::PtBr { pt } else { en }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    let locale = staff.locale();
    let results = match frontdesk_engine::campaigns::results(&state.ctx, staff.tenant.id).await {
        Ok(r) => r,
        Err(e) => return internal(locale, &e),
    };
    let rows = results
        .campaigns
        .iter()
        .map(|(c, n)| {
            let (status, kind) = (word(locale, c.status.as_str()), word(locale, c.kind.as_str()));
            Row::of(c.id.to_string(), c.name.clone(), status, kind, n, locale)
        })
        .collect();
    let kinds = results
        .by_kind
        .iter()
        .map(|(k, n)| Row::of(String::new(), word(locale, k.as_str()).to_owned(), "", "", n, locale))
        .collect();
    let h = headings(locale);
    let total = Row::of(String::new(), h.total.to_owned(), "", "", &results.total, locale);
    let chrome = match Chrome::new(&state, &staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let can_work = staff.require(Permission::Work).is_ok();
    let new = word(locale, "new");
    render(&ListPage { t: staff.texts(), h, chrome, rows, kinds, total, can_work, new }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    t: &'static Texts,
    chrome: Chrome,
    id: Uuid,
    problem: Option<String>,
    /// (action, label) staff may take from the status, when they may act.
    actions: Vec<(&'static str, &'static str)>,
    /// A draft: (label, how many it would reach now).
    audience_now: Option<(&'static str, u64)>,
    name: String,
    status: &'static str,
    kind: &'static str,
    steps: usize,
    steps_sent: u64,
    /// (state, how many), every state.
    counts: Vec<(&'static str, u64)>,
    /// (label, rate) of the enrolled.
    rates: Vec<(&'static str, String)>,
    /// The latest patients: (enrollment id, name, state, since).
    patients: Vec<(Uuid, String, &'static str, String)>,
}

pub async fn campaign(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Uuid>() else { return problem_page(staff.locale(), StatusCode::NOT_FOUND) };
    campaign_page(&state, &staff, id, None, StatusCode::OK).await
}

/// The actions a campaign in `status` allows, in the order they are offered.
fn actions(status: frontdesk_domain::campaigns::CampaignStatus) -> Vec<CampaignAction> {
    [CampaignAction::Start, CampaignAction::Pause, CampaignAction::Resume, CampaignAction::Stop]
        .into_iter()
        .filter(|a| frontdesk_domain::campaigns::transition(status, *a).is_ok())
        .collect()
}

async fn campaign_page(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let locale = staff.locale();
    let not_found = || problem_page(locale, StatusCode::NOT_FOUND);
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
        let name = match patient_name(state, staff, e.patient_id).await {
            Ok(n) => n,
            Err(err) => return internal(locale, &err),
        };
        patients.push((e.id, name, word(locale, e.state.as_str()), day_time(e.updated_at, &tz)));
    }
    let audience_now = if c.status == frontdesk_domain::campaigns::CampaignStatus::Draft {
        match frontdesk_engine::campaigns::preview(&state.ctx, &c, 0).await {
            Ok(p) => Some((word(locale, "audience_now"), p.audience)),
            Err(e) => return internal(locale, &e),
        }
    } else {
        None
    };
    let can_work = staff.require(Permission::Work).is_ok();
    let actions = if can_work {
        actions(c.status).into_iter().map(|a| (a.as_str(), word(locale, a.as_str()))).collect()
    } else {
        Vec::new()
    };
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
    let chrome = match Chrome::new(state, staff, "campaigns").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = CampaignPage {
        t: staff.texts(),
        chrome,
        id,
        problem,
        actions,
        audience_now,
        name: c.name,
        status: word(locale, c.status.as_str()),
        kind: word(locale, c.kind.as_str()),
        steps: c.steps.len(),
        steps_sent: n.steps_sent,
        counts,
        rates,
        patients,
    };
    render(&page, status)
}

#[derive(serde::Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
}

/// Starts, pauses, resumes or stops a campaign, then shows it again; a move its status no
/// longer allows (someone else moved it) is said on the page.
pub async fn move_campaign(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> Response {
    let locale = staff.locale();
    if !same_origin(&headers) {
        return problem_page(locale, StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf).and_then(|()| staff.require(Permission::Work)) {
        return refused;
    }
    let (Ok(id), Some(action)) = (id.parse::<Uuid>(), CampaignAction::parse(&action)) else {
        return problem_page(locale, StatusCode::NOT_FOUND);
    };
    match frontdesk_engine::campaigns::act(&state.ctx, staff.tenant.id, id, action).await {
        Ok(_) => Redirect::to(&format!("/app/campaigns/{id}")).into_response(),
        Err(CampaignFailure::NotFound) => problem_page(locale, StatusCode::NOT_FOUND),
        Err(CampaignFailure::Store(e)) => internal(locale, &e),
        Err(CampaignFailure::Transition(e)) => {
            let said = match locale {
                Locale::PtBr => format!(
                    "Não dá para {}: a campanha está {}.",
                    word(locale, e.action).to_lowercase(),
                    word(locale, e.current).to_lowercase()
                ),
                Locale::En => format!(
                    "Cannot {}: the campaign is {}.",
                    e.action,
                    word(locale, e.current).to_lowercase()
                ),
            };
            campaign_page(&state, &staff, id, Some(said), StatusCode::CONFLICT).await
        }
        Err(other) => campaign_page(&state, &staff, id, Some(other.to_string()), StatusCode::CONFLICT).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_patients_expect() {
        assert_eq!(money(125_000, Locale::PtBr), "R$ 1.250,00");
        assert_eq!(money(123_456_789, Locale::En), "R$1,234,567.89");
        assert_eq!(money(0, Locale::PtBr), "R$ 0,00");
        assert_eq!(money(-5, Locale::En), "-R$0.05");
    }
}
