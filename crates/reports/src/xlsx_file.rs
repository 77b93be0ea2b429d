//! XLSX: a summary sheet (clinic, period, the headline figures beside the previous period)
//! and a data sheet with one typed column per report column, its header frozen and
//! filterable. The data sheet uses the library's constant-memory mode: each row goes to a
//! temporary file as it is pushed, so a large export does not grow in memory.

use crate::model::Words;
use crate::{Cell, Column, ColumnKind, ReportError, ReportHeader};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};
use std::io::Write;

pub(crate) struct XlsxReport {
    book: Workbook,
    formats: Vec<Format>,
    next_row: u32,
    out: Box<dyn Write + Send>,
}

/// Excel's last row; a report that reaches it stops adding rows rather than failing.
const MAX_ROW: u32 = 1_048_575;

impl XlsxReport {
    pub fn new(
        header: ReportHeader,
        columns: Vec<Column>,
        out: Box<dyn Write + Send>,
    ) -> Result<XlsxReport, ReportError> {
        let words = header.locale.words();
        let mut book = Workbook::new();
        summary_sheet(book.add_worksheet(), &header, words)?;
        let formats: Vec<Format> = columns.iter().map(|c| format_of(&c.kind)).collect();
        let data = book.add_worksheet_with_constant_memory()?;
        data.set_name(words.data_sheet)?;
        let bold = Format::new().set_bold();
        for (i, c) in columns.iter().enumerate() {
            let col = i as u16;
            data.write_string_with_format(0, col, &c.label, &bold)?;
            data.set_column_width(col, width_of(c))?;
        }
        data.set_freeze_panes(1, 0)?;
        if !columns.is_empty() {
            data.autofilter(0, 0, 0, columns.len() as u16 - 1)?;
        }
        Ok(XlsxReport { book, formats, next_row: 1, out })
    }

    pub fn push(&mut self, row: &[Cell]) -> Result<(), ReportError> {
        if self.next_row > MAX_ROW {
            return Ok(());
        }
        let r = self.next_row;
        let sheet = self.book.worksheet_from_index(1)?;
        for (i, cell) in row.iter().enumerate() {
            write_cell(sheet, r, i as u16, cell, &self.formats[i])?;
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), ReportError> {
        self.book.save_to_writer(&mut self.out)?;
        self.out.flush()?;
        Ok(())
    }
}

fn summary_sheet(sheet: &mut Worksheet, h: &ReportHeader, w: &Words) -> Result<(), ReportError> {
    sheet.set_name(w.summary_sheet)?;
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    sheet.write_string_with_format(0, 0, &h.title, &title)?;
    sheet.write_string_with_format(1, 0, w.clinic, &bold)?;
    sheet.write_string(1, 1, &h.clinic)?;
    sheet.write_string_with_format(2, 0, w.period, &bold)?;
    sheet.write_string(2, 1, &h.period)?;
    sheet.write_string_with_format(3, 0, w.generated, &bold)?;
    sheet.write_string(3, 1, &h.generated)?;
    let top = 5;
    for (i, label) in [w.figure, w.value, w.previous].iter().enumerate() {
        sheet.write_string_with_format(top, i as u16, *label, &bold)?;
    }
    for (i, k) in h.kpis.iter().enumerate() {
        let r = top + 1 + i as u32;
        let f = format_of(&k.kind);
        sheet.write_string(r, 0, &k.label)?;
        write_cell(sheet, r, 1, &k.value, &f)?;
        write_cell(sheet, r, 2, &k.previous, &f)?;
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 18)?;
    sheet.set_column_width(2, 18)?;
    Ok(())
}

fn write_cell(sheet: &mut Worksheet, r: u32, c: u16, cell: &Cell, f: &Format) -> Result<(), ReportError> {
    match cell {
        Cell::Empty => {}
        // A text cell is a string in the file, never a formula: XLSX stores the two
        // differently, so `=...` typed by a patient stays text here.
        Cell::Text(s) => {
            sheet.write_string(r, c, s)?;
        }
        Cell::Int(v) => {
            sheet.write_number_with_format(r, c, *v as f64, f)?;
        }
        Cell::Num(v) if v.is_finite() => {
            sheet.write_number_with_format(r, c, *v, f)?;
        }
        Cell::Num(_) => {}
        Cell::Date(d) => {
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            sheet.write_datetime_with_format(r, c, &dt, f)?;
        }
        Cell::DateTime(t) => {
            let dt = ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?.and_hms(
                t.hour() as u16,
                t.minute() as u8,
                t.second() as f64,
            )?;
            sheet.write_datetime_with_format(r, c, &dt, f)?;
        }
    }
    Ok(())
}

fn format_of(kind: &ColumnKind) -> Format {
    let f = Format::new();
    match kind {
        ColumnKind::Text => f,
        ColumnKind::Integer => f.set_num_format("#,##0").set_align(FormatAlign::Right),
        ColumnKind::Decimal => f.set_num_format("#,##0.00"),
        ColumnKind::Percent => f.set_num_format("0.0%"),
        ColumnKind::Money(code) if code == "BRL" => f.set_num_format("\"R$\" #,##0.00"),
        ColumnKind::Money(code) => f.set_num_format(format!("\"{code}\" #,##0.00")),
        ColumnKind::Date => f.set_num_format("yyyy-mm-dd"),
        ColumnKind::DateTime => f.set_num_format("yyyy-mm-dd hh:mm"),
    }
}

fn width_of(c: &Column) -> f64 {
    let by_kind: f64 = match c.kind {
        ColumnKind::Text => 24.0,
        ColumnKind::DateTime => 17.0,
        ColumnKind::Date => 12.0,
        _ => 12.0,
    };
    by_kind.max(c.label.chars().count() as f64 + 2.0)
}
