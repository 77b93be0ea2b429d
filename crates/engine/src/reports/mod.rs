//! Reports: a period of the clinic's records as a file a manager keeps (CSV, XLSX, PDF).
//! The same function serves the API, the staff app and `frontdesk report`; the rows are
//! read from the store a page at a time and written as they come, so a year of leads is
//! exported in constant memory.

mod figures;
mod kinds;
pub mod schedule;
mod stream;

pub use frontdesk_domain::analytics::{Period as ReportPeriod, PeriodError};
pub use kinds::{ReportKind, ReportLayout};
pub use stream::{ChunkSink, export};

/// The jobs of scheduled reports.
pub fn register_jobs(registry: &mut crate::jobs::JobRegistry, ctx: crate::Ctx) {
    schedule::register(registry, ctx);
}

pub use frontdesk_reports::{Format, Locale as ReportLocale};

use frontdesk_domain::TenantId;

/// The currency prices are quoted in. Services store prices in minor units without a
/// currency; the clinics Frontdesk serves today are Brazilian.
pub const CURRENCY: &str = "BRL";

/// How a report (and the dashboard) shows a figure of this unit.
pub fn figure_kind(unit: frontdesk_domain::analytics::labels::Unit) -> frontdesk_reports::ColumnKind {
    use frontdesk_domain::analytics::labels::Unit;
    use frontdesk_reports::ColumnKind;
    match unit {
        Unit::Count | Unit::Seconds => ColumnKind::Integer,
        Unit::Rate => ColumnKind::Percent,
        Unit::Money => ColumnKind::Money(CURRENCY.to_string()),
        Unit::Cost => ColumnKind::Decimal,
    }
}

/// A report in the language of a clinic or a person.
pub fn report_locale(l: frontdesk_domain::tenant::Locale) -> ReportLocale {
    match l {
        frontdesk_domain::tenant::Locale::PtBr => ReportLocale::PtBr,
        frontdesk_domain::tenant::Locale::En => ReportLocale::En,
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub tenant: TenantId,
    pub kind: ReportKind,
    pub period: ReportPeriod,
    pub format: Format,
    /// The language of the report's words; the clinic's own when not asked for.
    pub locale: Option<ReportLocale>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the clinic is not found")]
    NoTenant,
    #[error(transparent)]
    Store(#[from] frontdesk_store::StoreError),
    #[error(transparent)]
    Write(#[from] frontdesk_reports::ReportError),
    #[error("the export was stopped: {0}")]
    Stopped(&'static str),
}
