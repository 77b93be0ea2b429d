//! A report is what a clinic manager takes away from Frontdesk: a title, the clinic, the
//! period, the headline figures beside the previous period's, a chart, and the rows behind
//! them. This crate writes one report as CSV, XLSX or PDF and knows nothing of where the
//! figures came from (the engine computes them; the API, the staff app and `frontdesk
//! report` choose the format).
//!
//! Rows are pushed one at a time and never held all at once by the CSV and XLSX writers
//! (the XLSX data sheet is written in the library's constant-memory mode), so an export of a
//! year of leads runs in constant memory. The PDF is a summary a person reads: it carries
//! the first [`pdf::MAX_PDF_ROWS`] rows and says how many more the CSV or XLSX holds.

mod csv_file;
mod format_number;
mod model;
pub mod pdf;
mod pdf_text;
mod xlsx_file;

pub use csv_file::neutralise as csv_safe_text;
pub use format_number::{cell_text, change_text};
pub use model::{Cell, Chart, Column, ColumnKind, Kpi, Locale, ReportHeader};

use std::io::Write;

/// The file formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Xlsx, Format::Pdf];

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("a row has {got} cells where the report has {want} columns")]
    RowWidth { got: usize, want: usize },
    #[error("writing the file failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the spreadsheet could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// Writes one report: create it, push its rows in order, finish it into any `Write`.
pub struct ReportWriter {
    inner: Inner,
    width: usize,
    rows: u64,
}

enum Inner {
    Csv(csv_file::CsvReport),
    Xlsx(Box<xlsx_file::XlsxReport>),
    Pdf(pdf::PdfReport),
}

impl ReportWriter {
    /// A CSV report streams straight into `out`; XLSX and PDF are assembled and written to
    /// `out` by [`ReportWriter::finish`].
    pub fn new(
        format: Format,
        header: ReportHeader,
        columns: Vec<Column>,
        out: Box<dyn Write + Send>,
    ) -> Result<ReportWriter, ReportError> {
        let width = columns.len();
        let inner = match format {
            Format::Csv => Inner::Csv(csv_file::CsvReport::new(&columns, out)?),
            Format::Xlsx => Inner::Xlsx(Box::new(xlsx_file::XlsxReport::new(header, columns, out)?)),
            Format::Pdf => Inner::Pdf(pdf::PdfReport::new(header, columns, out)),
        };
        Ok(ReportWriter { inner, width, rows: 0 })
    }

    pub fn push(&mut self, row: &[Cell]) -> Result<(), ReportError> {
        if row.len() != self.width {
            return Err(ReportError::RowWidth { got: row.len(), want: self.width });
        }
        self.rows += 1;
        match &mut self.inner {
            Inner::Csv(w) => w.push(row),
            Inner::Xlsx(w) => w.push(row),
            Inner::Pdf(w) => {
                w.push(row);
                Ok(())
            }
        }
    }

    /// Rows pushed so far (for progress bars).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn finish(self) -> Result<(), ReportError> {
        match self.inner {
            Inner::Csv(w) => w.finish(),
            Inner::Xlsx(w) => w.finish(),
            Inner::Pdf(w) => w.finish(self.rows),
        }
    }
}

/// Writes a whole report held in memory into a byte vector (small reports, tests).
pub fn to_bytes(
    format: Format,
    header: ReportHeader,
    columns: Vec<Column>,
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, ReportError> {
    let buf = SharedBuf::default();
    let mut w = ReportWriter::new(format, header, columns, Box::new(buf.clone()))?;
    for row in rows {
        w.push(row)?;
    }
    w.finish()?;
    Ok(buf.take())
}

/// A `Write` whose bytes stay readable after the writer that owned it is gone.
#[derive(Clone, Default)]
pub struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
