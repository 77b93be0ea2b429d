//! The three files read back as their readers see them: the XLSX by a spreadsheet reader
//! (calamine), the PDF by `pdftotext` (poppler), the CSV by a CSV reader.

use calamine::{Data, Reader, Xlsx};
use frontdesk_reports::{Cell, Chart, Column, ColumnKind, Format, Kpi, Locale, ReportHeader, to_bytes};
use jiff::civil::date;
use std::io::Cursor;

fn header(locale: Locale) -> ReportHeader {
    ReportHeader {
        locale,
        title: "Agendamentos e faltas".into(),
        clinic: "Clínica São João".into(),
        period: "01/11/2026 – 30/11/2026".into(),
        generated: "2026-12-01 08:00".into(),
        kpis: vec![
            Kpi {
                label: "Agendamentos".into(),
                kind: ColumnKind::Integer,
                value: Cell::Int(1234),
                previous: Cell::Int(1000),
            },
            Kpi {
                label: "Taxa de faltas".into(),
                kind: ColumnKind::Percent,
                value: Cell::Num(0.125),
                previous: Cell::Num(0.15),
            },
            Kpi {
                label: "Receita perdida com faltas".into(),
                kind: ColumnKind::Money("BRL".into()),
                value: Cell::Num(4250.5),
                previous: Cell::Empty,
            },
        ],
        charts: vec![Chart {
            title: "Agendamentos por dia".into(),
            bars: vec![("01/11".into(), 40.0), ("02/11".into(), 55.0)],
        }],
    }
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("Dia", ColumnKind::Date),
        Column::new("Paciente", ColumnKind::Text),
        Column::new("Agendamentos", ColumnKind::Integer),
        Column::new("Faltas", ColumnKind::Percent),
        Column::new("Valor", ColumnKind::Money("BRL".into())),
    ]
}

fn rows(n: usize) -> Vec<Vec<Cell>> {
    (0..n)
        .map(|i| {
            vec![
                Cell::Date(date(2026, 11, 1 + (i % 30) as i8)),
                Cell::text(if i == 0 {
                    "=HYPERLINK(\"http://evil\")".to_string()
                } else {
                    format!("Conceição {i}")
                }),
                Cell::Int(i as i64),
                Cell::Num(0.1),
                Cell::Num(150.0 + i as f64),
            ]
        })
        .collect()
}

#[test]
fn xlsx_opens_in_a_spreadsheet_reader_with_typed_numbers_and_a_summary() {
    let bytes = to_bytes(Format::Xlsx, header(Locale::PtBr), columns(), &rows(50)).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Resumo".to_string(), "Dados".to_string()]);

    let summary = book.worksheet_range("Resumo").unwrap();
    let find = |label: &str| {
        summary
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .map(|r| (r[1].clone(), r[2].clone()))
            .unwrap()
    };
    assert_eq!(find("Agendamentos"), (Data::Float(1234.0), Data::Float(1000.0)));
    assert_eq!(find("Taxa de faltas"), (Data::Float(0.125), Data::Float(0.15)));
    assert_eq!(find("Receita perdida com faltas").0, Data::Float(4250.5));
    assert!(summary.rows().any(|r| r.iter().any(|c| *c == Data::String("Clínica São João".into()))));

    let data = book.worksheet_range("Dados").unwrap();
    assert_eq!(data.height(), 51, "a header and 50 rows");
    assert_eq!(data.get((0, 2)), Some(&Data::String("Agendamentos".into())));
    assert_eq!(data.get((3, 2)), Some(&Data::Float(2.0)), "counts are numbers, not text");
    assert_eq!(data.get((3, 4)), Some(&Data::Float(152.0)));
    assert!(matches!(data.get((1, 0)), Some(Data::DateTime(_))), "days are dates: {:?}", data.get((1, 0)));
    assert_eq!(
        data.get((1, 1)),
        Some(&Data::String("=HYPERLINK(\"http://evil\")".into())),
        "a patient's text is a string cell, never a formula"
    );
}

#[test]
fn xlsx_freezes_the_header_row() {
    let bytes = to_bytes(Format::Xlsx, header(Locale::En), columns(), &rows(3)).unwrap();
    let mut zip = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    zip.retain(|c| !c.is_whitespace());
    assert!(zip.contains("<panexSplit=\"0\"ySplit=\"1\"") || zip.contains("ySplit=\"1\""), "{zip}");
    assert!(zip.contains("state=\"frozen\""));
    assert!(zip.contains("<autoFilter"));
}

/// One file of the XLSX package (a zip), as text.
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "frontdesk-reports-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempdir();
    let path = dir.join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pdf_text_holds_the_clinic_period_and_kpis_with_accents() {
    let bytes = to_bytes(Format::Pdf, header(Locale::PtBr), columns(), &rows(20)).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        "Clínica São João",
        "Agendamentos e faltas",
        "Período: 01/11/2026 – 30/11/2026",
        "1.234",
        "+23,4%",
        "12,5%",
        "-2,5 p.p.",
        "R$ 4.250,50",
        "Conceição 3",
        "Agendamentos por dia",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF text:\n{text}");
    }
}

#[test]
fn pdf_of_many_rows_paginates_and_says_what_it_left_out() {
    let rows = rows(1_500);
    let bytes = to_bytes(Format::Pdf, header(Locale::En), columns(), &rows).unwrap();
    let text = pdf_text(&bytes);
    assert!(text.contains("500 more rows are in the CSV or XLSX export."), "{}", &text[text.len() - 400..]);
    let pages = text.matches('\u{c}').count();
    assert!(pages > 10, "1,000 rows span many pages, got {pages}");
    assert!(text.contains(&format!("Page 1 / {}", pages)) || text.contains("Page 1 /"), "pages are numbered");
    // The header repeats on a later page.
    let last_page = text.rsplit('\u{c}').find(|p| !p.trim().is_empty()).unwrap();
    assert!(last_page.contains("Patient") || last_page.contains("Paciente"), "{last_page}");
}

#[test]
fn csv_neutralises_formulas_and_keeps_numbers() {
    let bytes = to_bytes(Format::Csv, header(Locale::PtBr), columns(), &rows(3)).unwrap();
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["Dia", "Paciente", "Agendamentos", "Faltas", "Valor"]
    );
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&recs[0][1], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&recs[0][0], "2026-11-01");
    assert_eq!(&recs[2][2], "2");
    assert_eq!(&recs[2][4], "152");
    assert_eq!(&recs[1][1], "Conceição 1");
}

#[test]
fn a_row_of_the_wrong_width_is_refused() {
    let err = to_bytes(Format::Csv, header(Locale::En), columns(), &[vec![Cell::Int(1)]]).unwrap_err();
    assert_eq!(err.to_string(), "a row has 1 cells where the report has 5 columns");
}

#[test]
fn an_empty_report_says_so() {
    for format in Format::ALL {
        let bytes = to_bytes(format, header(Locale::En), columns(), &[]).unwrap();
        assert!(!bytes.is_empty(), "{format:?}");
    }
    let text = pdf_text(&to_bytes(Format::Pdf, header(Locale::En), columns(), &[]).unwrap());
    assert!(text.contains("No records in this period."));
}

/// Writes sample files under target/screenshots for a person to look at (and the PDF's first
/// page as PNG when `pdftoppm` is present).
#[test]
fn sample_files_for_people() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let pdf = to_bytes(Format::Pdf, header(Locale::PtBr), columns(), &rows(60)).unwrap();
    std::fs::write(dir.join("report-sample.pdf"), &pdf).unwrap();
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "2"])
        .arg(dir.join("report-sample.pdf"))
        .arg(dir.join("report-sample"))
        .status();
}
