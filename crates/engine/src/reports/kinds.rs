//! What each report holds: its columns, in the report's language, and its rows read from
//! the store a page at a time (newest first for leads, calls and messages, which page by
//! id; by start time for appointments). Rows carry ids, never a patient's name, phone or
//! message text: a report is for counting and following up in the app, and a file travels
//! further than the app does.

use super::ReportPeriod;
use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::page::{MAX_LIMIT, PageRequest};
use frontdesk_domain::scheduling::AppointmentStatus;
use frontdesk_reports::{Cell, Column, ColumnKind, Locale};
use frontdesk_store::{AppointmentFilter, CallFilter, LeadFilter, StoreResult};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use uuid::Uuid;

pub use frontdesk_domain::analytics::schedule::ReportKind;

/// What a report looks like: its title and its columns, in the report's language.
pub trait ReportLayout {
    fn title(self, l: Locale) -> &'static str;
    fn columns(self, l: Locale, currency: &str) -> Vec<Column>;
}

impl ReportLayout for ReportKind {
    fn title(self, l: Locale) -> &'static str {
        let pt = l == Locale::PtBr;
        match self {
            Self::Overview => {
                if pt {
                    "Visão geral"
                } else {
                    "Overview"
                }
            }
            Self::Leads => "Leads",
            Self::Appointments => {
                if pt {
                    "Agendamentos"
                } else {
                    "Appointments"
                }
            }
            Self::NoShows => {
                if pt {
                    "Faltas"
                } else {
                    "No-shows"
                }
            }
            Self::Calls => {
                if pt {
                    "Ligações"
                } else {
                    "Calls"
                }
            }
            Self::Messages => {
                if pt {
                    "Mensagens"
                } else {
                    "Messages"
                }
            }
        }
    }

    fn columns(self, l: Locale, currency: &str) -> Vec<Column> {
        let pt = l == Locale::PtBr;
        let c =
            |pt_label: &str, en: &str, kind: ColumnKind| Column::new(if pt { pt_label } else { en }, kind);
        use ColumnKind::*;
        match self {
            Self::Overview => vec![
                c("Indicador", "Figure", Text),
                c("Código", "Code", Text),
                c("Valor", "Value", Decimal),
                c("Período anterior", "Previous period", Decimal),
            ],
            Self::Leads => vec![
                c("Criado em", "Created", DateTime),
                c("Origem", "Source", Text),
                c("Campanha", "Campaign", Text),
                c("Interesse", "Service interest", Text),
                c("Etapa", "Stage", Text),
                c("Temperatura", "Temperature", Text),
                c("Pontuação", "Score", Integer),
                c("Primeiro contato (s)", "Speed to lead (s)", Integer),
                c("Responsável", "Owner", Text),
                c("Lead", "Lead id", Text),
            ],
            Self::Appointments | Self::NoShows => vec![
                c("Início", "Start", DateTime),
                c("Serviço", "Service", Text),
                c("Profissional", "Practitioner", Text),
                c("Unidade", "Unit", Text),
                c("Situação", "Status", Text),
                c("Valor", "Price", Money(currency.to_string())),
                c("Agendado em", "Booked", DateTime),
                c("Paciente", "Patient id", Text),
                c("Agendamento", "Appointment id", Text),
            ],
            Self::Calls => vec![
                c("Criada em", "Created", DateTime),
                c("Direção", "Direction", Text),
                c("Situação", "Status", Text),
                c("Resultado", "Outcome", Text),
                c("Duração (s)", "Duration (s)", Decimal),
                c("Custo", "Cost", Decimal),
                c("Tentativa", "Attempt", Integer),
                c("Paciente", "Patient id", Text),
                c("Ligação", "Call id", Text),
            ],
            Self::Messages => vec![
                c("Criada em", "Created", DateTime),
                c("Direção", "Direction", Text),
                c("Canal", "Channel", Text),
                c("Situação", "Status", Text),
                c("Modelo", "Template", Text),
                c("Erro", "Error code", Text),
                c("Conversa", "Conversation id", Text),
                c("Paciente", "Patient id", Text),
            ],
        }
    }
}

/// Names of the catalog's services, practitioners and units, and service prices.
pub(super) struct Catalog {
    services: HashMap<Uuid, (String, Option<i64>)>,
    practitioners: HashMap<Uuid, String>,
    units: HashMap<Uuid, String>,
}

impl Catalog {
    pub async fn load(ctx: &Ctx, tenant: TenantId) -> StoreResult<Catalog> {
        let services = ctx.store.list_services(tenant).await?;
        let practitioners = ctx.store.list_practitioners(tenant).await?;
        let units = ctx.store.list_locations(tenant).await?;
        Ok(Catalog {
            services: services.into_iter().map(|s| (s.id.0, (s.name, s.price_cents))).collect(),
            practitioners: practitioners.into_iter().map(|p| (p.id.0, p.name)).collect(),
            units: units.into_iter().map(|u| (u.id.0, u.name)).collect(),
        })
    }
}

/// Reads a report's rows a page at a time.
pub(super) struct Rows {
    kind: ReportKind,
    tenant: TenantId,
    period: ReportPeriod,
    catalog: Catalog,
    before: Option<Uuid>,
    done: bool,
}

impl Rows {
    pub fn new(kind: ReportKind, tenant: TenantId, period: ReportPeriod, catalog: Catalog) -> Rows {
        Rows { kind, tenant, period, catalog, before: None, done: kind == ReportKind::Overview }
    }

    /// The next page of rows; `None` when there are no more.
    pub async fn next_page(&mut self, ctx: &Ctx) -> StoreResult<Option<Vec<Vec<Cell>>>> {
        if self.done {
            return Ok(None);
        }
        let page = PageRequest::new(self.before, Some(MAX_LIMIT));
        let (start, end) = (self.period.start, self.period.end);
        let tz = &self.period.tz;
        let (rows, next) = match self.kind {
            ReportKind::Overview => (Vec::new(), None),
            ReportKind::Leads => {
                let f = LeadFilter { from: Some(start), to: Some(end), ..Default::default() };
                let p = ctx.store.list_leads(self.tenant, &f, page).await?;
                (p.items.iter().map(|l| lead_row(l, tz)).collect(), p.next_cursor)
            }
            ReportKind::Appointments | ReportKind::NoShows => {
                let status = (self.kind == ReportKind::NoShows).then_some(AppointmentStatus::NoShow);
                let f = AppointmentFilter { from: Some(start), to: Some(end), status, ..Default::default() };
                let p = ctx.store.list_appointments(self.tenant, &f, page).await?;
                (p.items.iter().map(|a| appointment_row(a, &self.catalog, tz)).collect(), p.next_cursor)
            }
            ReportKind::Calls => {
                let f = CallFilter { from: Some(start), to: Some(end), ..Default::default() };
                let p = ctx.store.list_calls(self.tenant, &f, page).await?;
                (p.items.iter().map(|c| call_row(c, tz)).collect(), p.next_cursor)
            }
            ReportKind::Messages => {
                let p = ctx.store.list_messages_between(self.tenant, start, end, page).await?;
                (p.items.iter().map(|m| message_row(m, tz)).collect(), p.next_cursor)
            }
        };
        self.before = next;
        self.done = next.is_none();
        Ok(Some(rows))
    }
}

fn local(t: Timestamp, tz: &TimeZone) -> Cell {
    Cell::DateTime(t.to_zoned(tz.clone()).datetime())
}

fn opt_text(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, Cell::text)
}

fn lead_row(l: &frontdesk_domain::leads::Lead, tz: &TimeZone) -> Vec<Cell> {
    let speed = l.first_outbound_at.map(|t| (t - l.created_at).get_seconds().max(0));
    vec![
        local(l.created_at, tz),
        Cell::text(l.source.as_str()),
        opt_text(l.utm_campaign.as_deref().or(l.campaign.as_deref())),
        opt_text(l.service_interest.as_deref()),
        Cell::text(l.stage.as_str()),
        Cell::text(l.temperature.as_str()),
        Cell::Int(i64::from(l.score)),
        speed.map_or(Cell::Empty, Cell::Int),
        opt_text(l.owner.as_deref()),
        Cell::text(l.id.to_string()),
    ]
}

fn appointment_row(a: &frontdesk_domain::scheduling::Appointment, cat: &Catalog, tz: &TimeZone) -> Vec<Cell> {
    let service = cat.services.get(&a.service_id.0);
    vec![
        local(a.start, tz),
        opt_text(service.map(|s| s.0.as_str())),
        opt_text(cat.practitioners.get(&a.practitioner_id.0).map(String::as_str)),
        opt_text(cat.units.get(&a.location_id.0).map(String::as_str)),
        Cell::text(a.status.as_str()),
        service.and_then(|s| s.1).map_or(Cell::Empty, |cents| Cell::Num(cents as f64 / 100.0)),
        local(a.created_at, tz),
        Cell::text(a.patient_id.to_string()),
        Cell::text(a.id.to_string()),
    ]
}

fn call_row(c: &frontdesk_domain::voice::Call, tz: &TimeZone) -> Vec<Cell> {
    vec![
        local(c.created_at, tz),
        Cell::text(c.direction.as_str()),
        Cell::text(c.status.as_str()),
        opt_text(c.outcome.map(|o| o.as_str())),
        Cell::opt_num(c.duration_seconds),
        Cell::opt_num(c.cost),
        Cell::Int(i64::from(c.attempt)),
        c.patient_id.map_or(Cell::Empty, |p| Cell::text(p.to_string())),
        Cell::text(c.id.to_string()),
    ]
}

fn message_row(m: &frontdesk_domain::messaging::Message, tz: &TimeZone) -> Vec<Cell> {
    vec![
        local(m.created_at, tz),
        Cell::text(m.direction.as_str()),
        Cell::text(m.channel.as_str()),
        Cell::text(m.status.as_str()),
        opt_text(m.template.as_deref()),
        opt_text(m.error_code.as_deref()),
        Cell::text(m.conversation_id.to_string()),
        Cell::text(m.patient_id.to_string()),
    ]
}
