//! What a report is made of. Every value is typed, so the spreadsheet gets numbers and dates
//! a reader can sum and sort, not text that looks like them.

use jiff::civil;

/// The language of a report's own words (sheet names, headings, number formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    PtBr,
    En,
}

impl Locale {
    /// `pt-BR`, `pt` and anything starting with `pt` are Portuguese; everything else English.
    pub fn parse(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("pt") { Locale::PtBr } else { Locale::En }
    }
}

/// What a column holds; decides the spreadsheet's number format and the PDF's alignment.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// A number with two decimals.
    Decimal,
    /// A fraction (0.25) shown as a percentage (25%).
    Percent,
    /// An amount in the clinic's currency (ISO 4217 code, e.g. `BRL`).
    Money(String),
    Date,
    DateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub label: String,
    pub kind: ColumnKind,
}

impl Column {
    pub fn new(label: impl Into<String>, kind: ColumnKind) -> Column {
        Column { label: label.into(), kind }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Num(f64),
    Date(civil::Date),
    DateTime(civil::DateTime),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// `None` (a figure that has no value, such as a rate over zero leads) is an empty cell.
    pub fn opt_num(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Num)
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(v) => Some(*v as f64),
            Cell::Num(v) => Some(*v),
            _ => None,
        }
    }
}

/// A headline figure and, when there is one, the same figure over the previous period.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub label: String,
    pub kind: ColumnKind,
    pub value: Cell,
    pub previous: Cell,
}

/// A bar chart: one bar per label (a day, a source...).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub bars: Vec<(String, f64)>,
}

/// Everything above the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportHeader {
    pub locale: Locale,
    /// The report's name ("Agendamentos", "Leads").
    pub title: String,
    pub clinic: String,
    /// The period in words, already in the clinic's time zone ("01/11/2026 – 30/11/2026").
    pub period: String,
    /// When it was made, in words.
    pub generated: String,
    pub kpis: Vec<Kpi>,
    pub charts: Vec<Chart>,
}

/// The report's own words in its language.
pub(crate) struct Words {
    pub summary_sheet: &'static str,
    pub data_sheet: &'static str,
    pub clinic: &'static str,
    pub period: &'static str,
    pub generated: &'static str,
    pub figure: &'static str,
    pub value: &'static str,
    pub previous: &'static str,
    pub change: &'static str,
    pub no_rows: &'static str,
    pub more_rows: &'static str,
    pub page: &'static str,
}

impl Locale {
    pub(crate) fn words(self) -> &'static Words {
        match self {
            Locale::PtBr => &Words {
                summary_sheet: "Resumo",
                data_sheet: "Dados",
                clinic: "Clínica",
                period: "Período",
                generated: "Gerado em",
                figure: "Indicador",
                value: "Valor",
                previous: "Período anterior",
                change: "Variação",
                no_rows: "Nenhum registro no período.",
                more_rows: "linhas a mais estão na exportação CSV ou XLSX.",
                page: "Página",
            },
            Locale::En => &Words {
                summary_sheet: "Summary",
                data_sheet: "Data",
                clinic: "Clinic",
                period: "Period",
                generated: "Generated",
                figure: "Figure",
                value: "Value",
                previous: "Previous period",
                change: "Change",
                no_rows: "No records in this period.",
                more_rows: "more rows are in the CSV or XLSX export.",
                page: "Page",
            },
        }
    }
}
