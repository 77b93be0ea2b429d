//! CSV: the header row, then one line per row, written as they come.
//!
//! A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula (OWASP "CSV injection"): a patient who writes
//! `=HYPERLINK(...)` as their name must not get a live formula on the manager's computer.
//! Such text cells get a leading apostrophe; numbers are written as numbers (a negative
//! amount stays `-12.5`).

use crate::{Cell, Column, ReportError};
use std::io::Write;

pub(crate) struct CsvReport {
    out: csv::Writer<Box<dyn Write + Send>>,
}

impl CsvReport {
    pub fn new(columns: &[Column], out: Box<dyn Write + Send>) -> Result<CsvReport, ReportError> {
        let mut out = csv::Writer::from_writer(out);
        out.write_record(columns.iter().map(|c| neutralise(&c.label))).map_err(csv_err)?;
        Ok(CsvReport { out })
    }

    pub fn push(&mut self, row: &[Cell]) -> Result<(), ReportError> {
        self.out.write_record(row.iter().map(field)).map_err(csv_err)
    }

    pub fn finish(mut self) -> Result<(), ReportError> {
        self.out.flush()?;
        Ok(())
    }
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralise(s),
        Cell::Int(v) => v.to_string(),
        Cell::Num(v) => v.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::DateTime(t) => t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// Text a spreadsheet would take for a formula gets a leading apostrophe.
pub fn neutralise(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn csv_err(e: csv::Error) -> ReportError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ReportError::Io(io),
        other => ReportError::Io(std::io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(neutralise("+55 27 9999"), "'+55 27 9999");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Maria"), "Maria");
        assert_eq!(neutralise(""), "");
    }
}
