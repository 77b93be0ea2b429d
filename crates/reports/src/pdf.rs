//! PDF: a summary a manager reads or prints. Page one carries the clinic, the report, the
//! period, the headline figures beside the previous period with the change, and the charts;
//! then the first [`MAX_PDF_ROWS`] rows as a table whose header repeats on every page.
//!
//! Pages are laid out first as a list of drawing operations, then drawn: the layout decides
//! page breaks without holding a PDF page open, and tests can check it without a PDF reader.

use crate::format_number::{cell_text, change_text};
use crate::pdf_text::{self, ACCENT, BAND, BOLD, Face, INK, MUTED, REGULAR, RULE};
use crate::{Cell, Chart, Column, ColumnKind, ReportError, ReportHeader};
use krilla::Document;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use std::io::Write;

/// Rows a PDF carries; the rest are counted and left to the CSV and XLSX exports.
pub const MAX_PDF_ROWS: usize = 1_000;
/// Bars a chart draws (the most recent or largest are the caller's choice).
const MAX_BARS: usize = 40;

/// A4 in points, portrait; a table of more than [`PORTRAIT_COLUMNS`] columns turns the
/// pages to landscape so its cells stay readable.
const A4: (f32, f32) = (595.0, 842.0);
const PORTRAIT_COLUMNS: usize = 6;
const MARGIN: f32 = 40.0;

pub(crate) struct PdfReport {
    header: ReportHeader,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    out: Box<dyn Write + Send>,
}

impl PdfReport {
    pub fn new(header: ReportHeader, columns: Vec<Column>, out: Box<dyn Write + Send>) -> PdfReport {
        PdfReport { header, columns, rows: Vec::new(), out }
    }

    pub fn push(&mut self, row: &[Cell]) {
        if self.rows.len() < MAX_PDF_ROWS {
            self.rows.push(row.to_vec());
        }
    }

    pub fn finish(mut self, total_rows: u64) -> Result<(), ReportError> {
        let pages = layout(&self.header, &self.columns, &self.rows, total_rows);
        let bytes = draw(&self.header, &pages)?;
        self.out.write_all(&bytes)?;
        self.out.flush()?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text { weight: Weight, size: f32, x: f32, y: f32, colour: (u8, u8, u8), text: String, right: bool },
    Rect { x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8) },
}

fn face(w: Weight) -> &'static Face {
    match w {
        Weight::Regular => &REGULAR,
        Weight::Bold => &BOLD,
    }
}

/// Lays out the pages: a cursor runs down the page and starts a new one when the next
/// block does not fit.
pub(crate) struct Pages {
    pub pages: Vec<Vec<Op>>,
    y: f32,
    pub width: f32,
    pub height: f32,
}

impl Pages {
    fn new(columns: usize) -> Pages {
        let (width, height) = if columns > PORTRAIT_COLUMNS { (A4.1, A4.0) } else { A4 };
        Pages { pages: vec![Vec::new()], y: MARGIN, width, height }
    }
    fn bottom(&self) -> f32 {
        self.height - 50.0
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > self.bottom() {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            return true;
        }
        false
    }
    fn text(&mut self, weight: Weight, size: f32, x: f32, colour: (u8, u8, u8), text: String) {
        let y = self.y;
        self.ops().push(Op::Text { weight, size, x, y, colour, text, right: false });
    }
    fn text_right(&mut self, weight: Weight, size: f32, right: f32, colour: (u8, u8, u8), text: String) {
        let y = self.y;
        self.ops().push(Op::Text { weight, size, x: right, y, colour, text, right: true });
    }
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8)) {
        self.ops().push(Op::Rect { x, y, w, h, colour });
    }
}

pub(crate) fn layout(h: &ReportHeader, columns: &[Column], rows: &[Vec<Cell>], total_rows: u64) -> Pages {
    let w = h.locale.words();
    let mut p = Pages::new(columns.len());
    let right = p.width - MARGIN;
    p.y += 18.0;
    p.text(Weight::Bold, 18.0, MARGIN, INK, BOLD.fit(&h.clinic, 18.0, right - MARGIN));
    p.y += 22.0;
    p.text(Weight::Bold, 14.0, MARGIN, ACCENT, h.title.clone());
    p.y += 18.0;
    p.text(Weight::Regular, 10.0, MARGIN, MUTED, format!("{}: {}", w.period, h.period));
    p.y += 14.0;
    p.text(Weight::Regular, 10.0, MARGIN, MUTED, format!("{}: {}", w.generated, h.generated));
    p.y += 24.0;

    if !h.kpis.is_empty() {
        kpi_table(&mut p, h);
    }
    for chart in &h.charts {
        bar_chart(&mut p, chart);
    }
    data_table(&mut p, h, columns, rows, total_rows);

    let count = p.pages.len();
    let footer_y = p.height - 25.0;
    for (i, page) in p.pages.iter_mut().enumerate() {
        let footer = format!("{} · {} {} / {}", h.clinic, w.page, i + 1, count);
        page.push(Op::Text {
            weight: Weight::Regular,
            size: 8.0,
            x: MARGIN,
            y: footer_y,
            colour: MUTED,
            text: REGULAR.fit(&footer, 8.0, right - MARGIN),
            right: false,
        });
    }
    p
}

fn kpi_table(p: &mut Pages, h: &ReportHeader) {
    let w = h.locale.words();
    let right = p.width - MARGIN;
    let cols = [right - 230.0, right - 120.0, right];
    p.ensure(30.0);
    p.text(Weight::Bold, 9.0, MARGIN, MUTED, w.figure.to_string());
    for (x, label) in cols.iter().zip([w.value, w.previous, w.change]) {
        p.text_right(Weight::Bold, 9.0, *x, MUTED, label.to_string());
    }
    p.y += 6.0;
    let y = p.y;
    p.rect(MARGIN, y, right - MARGIN, 0.8, RULE);
    for (i, k) in h.kpis.iter().enumerate() {
        if p.ensure(18.0) {
            p.y += 10.0;
        }
        p.y += 16.0;
        if i % 2 == 0 {
            let y = p.y;
            p.rect(MARGIN, y - 12.0, right - MARGIN, 16.0, BAND);
        }
        let label = REGULAR.fit(&k.label, 10.0, cols[0] - 100.0 - MARGIN);
        p.text(Weight::Regular, 10.0, MARGIN + 4.0, INK, label);
        p.text_right(Weight::Bold, 10.0, cols[0], INK, cell_text(&k.value, &k.kind, h.locale));
        p.text_right(Weight::Regular, 10.0, cols[1], MUTED, cell_text(&k.previous, &k.kind, h.locale));
        p.text_right(
            Weight::Regular,
            10.0,
            cols[2] - 4.0,
            MUTED,
            change_text(&k.value, &k.previous, &k.kind, h.locale),
        );
    }
    p.y += 24.0;
}

fn bar_chart(p: &mut Pages, chart: &Chart) {
    let bars = &chart.bars[..chart.bars.len().min(MAX_BARS)];
    let row = 13.0;
    p.ensure(30.0 + row * bars.len().max(1) as f32);
    p.text(Weight::Bold, 11.0, MARGIN, INK, chart.title.clone());
    p.y += 8.0;
    let label_w = 110.0;
    let value_w = 60.0;
    let bar_x = MARGIN + label_w;
    let bar_max = p.width - MARGIN - value_w - bar_x;
    let top = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    for (label, v) in bars {
        p.y += row;
        let len = if top > 0.0 { (*v / top) as f32 * bar_max } else { 0.0 };
        let y = p.y;
        p.rect(bar_x, y - 9.0, len.max(0.5), 9.0, ACCENT);
        p.text(Weight::Regular, 8.0, MARGIN, INK, REGULAR.fit(label, 8.0, label_w - 6.0));
        let shown = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
        let right = p.width - MARGIN;
        p.text_right(Weight::Regular, 8.0, right, MUTED, shown);
    }
    p.y += 24.0;
}

fn data_table(p: &mut Pages, h: &ReportHeader, columns: &[Column], rows: &[Vec<Cell>], total_rows: u64) {
    if columns.is_empty() {
        return;
    }
    let w = h.locale.words();
    let inner = p.width - 2.0 * MARGIN;
    let weights: Vec<f32> = columns.iter().map(|c| weight_of(&c.kind)).collect();
    let total: f32 = weights.iter().sum();
    let widths: Vec<f32> = weights.iter().map(|k| inner * k / total).collect();
    let lefts: Vec<f32> = widths
        .iter()
        .scan(MARGIN, |x, w| {
            let left = *x;
            *x += w;
            Some(left)
        })
        .collect();
    let numeric = |k: &ColumnKind| !matches!(k, ColumnKind::Text | ColumnKind::Date | ColumnKind::DateTime);
    let header = |p: &mut Pages| {
        for (i, c) in columns.iter().enumerate() {
            let (x, width) = (lefts[i], widths[i]);
            let label = BOLD.fit(&c.label, 8.0, width - 6.0);
            if numeric(&c.kind) {
                p.text_right(Weight::Bold, 8.0, x + width - 3.0, MUTED, label);
            } else {
                p.text(Weight::Bold, 8.0, x + 3.0, MUTED, label);
            }
        }
        p.y += 4.0;
        let y = p.y;
        p.rect(MARGIN, y, inner, 0.8, RULE);
    };
    p.ensure(40.0);
    p.y += 4.0;
    header(p);
    if rows.is_empty() {
        p.y += 16.0;
        p.text(Weight::Regular, 9.0, MARGIN, MUTED, w.no_rows.to_string());
    }
    for (n, row) in rows.iter().enumerate() {
        if p.ensure(13.0) {
            p.y += 10.0;
            header(p);
        }
        p.y += 13.0;
        if n % 2 == 1 {
            let y = p.y;
            p.rect(MARGIN, y - 9.5, inner, 13.0, BAND);
        }
        for (i, (cell, c)) in row.iter().zip(columns).enumerate() {
            let (x, width) = (lefts[i], widths[i]);
            let shown = REGULAR.fit(&cell_text(cell, &c.kind, h.locale), 8.0, width - 6.0);
            if numeric(&c.kind) {
                p.text_right(Weight::Regular, 8.0, x + width - 3.0, INK, shown);
            } else {
                p.text(Weight::Regular, 8.0, x + 3.0, INK, shown);
            }
        }
    }
    let left_out = total_rows.saturating_sub(rows.len() as u64);
    if left_out > 0 {
        p.ensure(20.0);
        p.y += 18.0;
        p.text(Weight::Regular, 9.0, MARGIN, MUTED, format!("{left_out} {}", w.more_rows));
    }
}

/// A column's share of the table's width: dates and names need more room than counts.
fn weight_of(kind: &ColumnKind) -> f32 {
    match kind {
        ColumnKind::DateTime => 1.5,
        ColumnKind::Text => 1.6,
        ColumnKind::Date | ColumnKind::Money(_) => 1.2,
        ColumnKind::Integer | ColumnKind::Decimal | ColumnKind::Percent => 0.9,
    }
}

fn draw(h: &ReportHeader, laid: &Pages) -> Result<Vec<u8>, ReportError> {
    let pages = &laid.pages;
    let mut doc = Document::new();
    let lang = match h.locale {
        crate::Locale::PtBr => "pt-BR",
        crate::Locale::En => "en",
    };
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", h.title, h.clinic))
            .language(lang.to_string())
            .creator("Frontdesk".to_string()),
    );
    for ops in pages {
        let settings = PageSettings::from_wh(laid.width, laid.height)
            .ok_or_else(|| ReportError::Pdf("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Rect { x, y, w, h, colour } => pdf_text::rect(&mut s, *x, *y, *w, *h, *colour),
                Op::Text { weight, size, x, y, colour, text, right: false } => {
                    pdf_text::text(&mut s, face(*weight), *size, *x, *y, *colour, text)
                }
                Op::Text { weight, size, x, y, colour, text, right: true } => {
                    pdf_text::text_right(&mut s, face(*weight), *size, *x, *y, *colour, text)
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}
