//! Properties of the lead-list reader over arbitrary files: whatever a spreadsheet
//! exports (or an attacker uploads), reading never panics; a well-formed list written
//! with either separator, any line ending, a BOM or not and headers in either language
//! reads back cell for cell with the file's own line numbers; and a skipped row's reason
//! never quotes a cell.

use super::*;
use proptest::prelude::*;

/// Header spellings people use for each column, by how `from_header` normalises them.
fn header(column: &'static str) -> impl Strategy<Value = String> {
    let spellings: Vec<&'static str> = match column {
        "phone" => vec!["phone", "Telefone", "CELULAR", " WhatsApp "],
        "name" => vec!["name", "Nome", "NOME"],
        "email" => vec!["email", "E-mail", "e mail"],
        "notes" => vec!["notes", "Observações", "observacao"],
        _ => vec!["Extra", "coluna x"],
    };
    prop::sample::select(spellings).prop_map(str::to_owned)
}

/// A cell's text: commas, semicolons, quotes and line breaks included, so quoting is
/// exercised; no surrounding blanks (the reader trims them) and never empty.
fn cell() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9çãé ,;\"\n]{0,12}[a-zA-Z0-9çãé]".prop_map(|s| s.trim().to_owned())
}

/// A Brazilian mobile in one of the spellings lead lists use.
fn phone() -> impl Strategy<Value = String> {
    (prop::sample::select(vec![11u8, 21, 31, 41, 51, 61, 71, 81]), 60_000_000u32..99_999_999, 0usize..3)
        .prop_map(|(ddd, n, style)| match style {
            0 => format!("({ddd}) 9{}-{:04}", n / 10_000, n % 10_000),
            1 => format!("+55{ddd}9{n}"),
            _ => format!("{ddd}9{n}"),
        })
}

#[derive(Debug)]
struct Row {
    phone: String,
    name: String,
    notes: String,
    extra: String,
}

fn row() -> impl Strategy<Value = Row> {
    (phone(), cell(), cell(), cell()).prop_map(|(phone, name, notes, extra)| Row {
        phone,
        name,
        notes,
        extra,
    })
}

/// Writes the rows as a spreadsheet would: the `csv` crate's quoting, the chosen
/// separator and line ending, maybe a BOM.
fn write(headers: &[String], rows: &[Row], delimiter: u8, crlf: bool, bom: bool) -> Vec<u8> {
    let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    let mut writer =
        csv::WriterBuilder::new().delimiter(delimiter).terminator(terminator).from_writer(Vec::new());
    writer.write_record(headers).unwrap();
    for r in rows {
        writer.write_record([&r.phone, &r.name, &r.notes, &r.extra]).unwrap();
    }
    let mut out = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
    out.extend(writer.into_inner().unwrap());
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(file) = LeadsCsv::read(&body[..]) {
            for (_, record) in &file.records {
                let _ = file.intake(record, "BR");
            }
        }
    }

    #[test]
    fn arbitrary_text_with_a_phone_header_never_panics(
        header in "(phone|telefone)[,;\"a-z ]{0,20}",
        body in "[\\PC\r\n\",;]{0,300}",
        region in prop::sample::select(vec!["BR", "US", "ZZ", ""]),
    ) {
        let text = format!("{header}\n{body}");
        if let Ok(file) = LeadsCsv::read(text.as_bytes()) {
            prop_assert!(file.rows() <= text.split(['\r', '\n']).count() as u64);
            for (line, record) in &file.records {
                prop_assert!(*line >= 2);
                let _ = file.intake(record, region);
            }
        }
    }

    #[test]
    fn written_lists_read_back_cell_for_cell(
        headers in (header("phone"), header("name"), header("notes"), header("extra")),
        rows in prop::collection::vec(row(), 1..12),
        semicolons in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let headers = [headers.0, headers.1, headers.2, headers.3];
        let body = write(&headers, &rows, if semicolons { b';' } else { b',' }, crlf, bom);
        let file = LeadsCsv::read(&body[..]).unwrap();
        prop_assert_eq!(file.rows(), rows.len() as u64);
        prop_assert_eq!(file.ignored_columns.clone(), vec![headers[3].trim().to_owned()]);
        // Line numbers are the file's: a quoted cell spanning lines pushes later rows down.
        let mut line = 2u64;
        for ((at, record), r) in file.records.iter().zip(&rows) {
            prop_assert_eq!(*at, line);
            line += 1 + [&r.phone, &r.name, &r.notes, &r.extra].iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
            let intake = file.intake(record, "BR").map_err(|e| TestCaseError::fail(format!("{e}: {:?}", r.phone)))?;
            prop_assert_eq!(&intake.phone, &r.phone);
            prop_assert_eq!(intake.name.as_deref(), Some(r.name.as_str()));
            prop_assert_eq!(intake.notes.as_deref(), Some(r.notes.as_str()));
            prop_assert_eq!(intake.source, Some(LeadSource::Import));
        }
    }

    #[test]
    fn reasons_never_quote_a_cell(
        // Six digits: never a substring of the fixed text of a reason ("RFC 3339", "2026-05-01").
        phone in "7[0-9]{5}",
        email in "zq[a-z]{4}@",
        source in "zq[a-z]{6}",
        at in "zq[0-9]{6}",
    ) {
        let text = format!("telefone;email;origem;submitted_at\n{phone};;;\n11987654321;{email};;\n11987654321;;{source};\n11987654321;;;{at}\n");
        let file = LeadsCsv::read(text.as_bytes()).unwrap();
        for (_, record) in &file.records {
            let reason = file.intake(record, "BR").unwrap_err();
            for value in [&phone, &email, &source, &at] {
                prop_assert!(!reason.contains(value.as_str()), "{reason:?} quotes {value:?}");
            }
        }
    }
}
