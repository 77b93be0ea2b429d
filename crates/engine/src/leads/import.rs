//! Leads from a spreadsheet: a CSV file whose first line names the columns (English or
//! Portuguese, any case, accents optional), separated by `,` or `;` (what Brazilian Excel
//! exports), UTF-8 with or without a BOM. Each row goes through [`create_lead`], so a
//! repeat merges, the lead is scored and its playbook queued as for any other source.
//!
//! A bad row is skipped with a reason naming its line and column; it never stops the
//! import. The reasons never quote a cell (a phone number, a name or an e-mail would end up
//! in logs and terminal output). What stops an import: a file that cannot be read as a
//! lead list (no header, no phone column, not UTF-8 headers, more than
//! [`MAX_IMPORT_ROWS`] rows, refused before any lead is created) and store errors (the rows
//! before it stay imported; importing the same file again merges them).

use super::{LeadFailure, LeadIntake, create_lead};
use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::contact::{Email, PhoneE164};
use frontdesk_domain::leads::LeadSource;
use jiff::Timestamp;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read};

/// The most data rows one import takes. A larger file is refused whole, before any lead
/// is created, so that nobody has to work out where a partial import stopped.
pub const MAX_IMPORT_ROWS: usize = 50_000;

const MAX_NOTES_CHARS: usize = 2000;
const MAX_NAME_CHARS: usize = 200;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportSummary {
    /// Data rows in the file (blank lines and rows with every cell empty are not rows).
    pub rows: u64,
    /// Rows that became a new lead.
    pub imported: u64,
    /// Rows merged into the patient's recent lead (a repeat within the dedupe window).
    pub merged: u64,
    /// Rows left out, with why; in file order.
    pub skipped: Vec<SkippedRow>,
    /// Header names that matched no known column and were ignored.
    pub ignored_columns: Vec<String>,
}

/// One row left out of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SkippedRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    /// Names the column and the problem, never the cell's value.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Phone,
    Name,
    Email,
    Source,
    Service,
    Notes,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Campaign,
    Owner,
    SubmittedAt,
}

impl Column {
    const ALL: [Column; 14] = [
        Column::Phone,
        Column::Name,
        Column::Email,
        Column::Source,
        Column::Service,
        Column::Notes,
        Column::UtmSource,
        Column::UtmMedium,
        Column::UtmCampaign,
        Column::UtmTerm,
        Column::UtmContent,
        Column::Campaign,
        Column::Owner,
        Column::SubmittedAt,
    ];

    /// The name used in reasons (and the first accepted header).
    fn name(self) -> &'static str {
        self.aliases()[0]
    }

    /// Accepted headers, normalised (lowercase, no accents, `_` for spaces and dashes).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Phone => &["phone", "telefone", "celular", "whatsapp"],
            Column::Name => &["name", "nome"],
            Column::Email => &["email", "e_mail"],
            Column::Source => &["source", "origem"],
            Column::Service => &["service", "servico", "service_interest"],
            Column::Notes => &["notes", "observacoes", "observacao"],
            Column::UtmSource => &["utm_source"],
            Column::UtmMedium => &["utm_medium"],
            Column::UtmCampaign => &["utm_campaign"],
            Column::UtmTerm => &["utm_term"],
            Column::UtmContent => &["utm_content"],
            Column::Campaign => &["campaign", "campanha"],
            Column::Owner => &["owner", "responsavel"],
            Column::SubmittedAt => &["submitted_at"],
        }
    }

    fn from_header(header: &str) -> Option<Column> {
        let key = normalise_header(header);
        Column::ALL.into_iter().find(|c| c.aliases().contains(&key.as_str()))
    }
}

/// `" Serviço "` → `servico`, `"E-mail"` → `e_mail`, `"UTM Source"` → `utm_source`.
fn normalise_header(header: &str) -> String {
    header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .map(|c| match c.to_lowercase().next().unwrap_or(c) {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            ' ' | '-' => '_',
            other => other,
        })
        .collect()
}

/// A lead list read from CSV, not imported yet: read it first to know how many rows
/// there are (a progress bar's length), then hand it to [`import_leads`].
#[derive(Debug, Clone)]
pub struct LeadsCsv {
    /// What each column of the file is; `None` for ignored ones.
    columns: Vec<Option<Column>>,
    /// The header as written, for reasons ("phone (Celular): ...").
    headers: Vec<String>,
    ignored_columns: Vec<String>,
    records: Vec<(u64, csv::ByteRecord)>,
}

impl LeadsCsv {
    /// Reads the whole file (at most [`MAX_IMPORT_ROWS`] rows). Fails with
    /// [`LeadFailure::Invalid`] when the file is empty, unreadable, has no phone column or
    /// too many rows.
    pub fn read(reader: impl Read) -> Result<Self, LeadFailure> {
        let unreadable =
            |e: &dyn std::fmt::Display| LeadFailure::Invalid(format!("cannot read the file: {e}"));
        let mut reader = BufReader::new(reader);
        let mut header = Vec::new();
        reader.read_until(b'\n', &mut header).map_err(|e| unreadable(&e))?;
        if let Some(rest) = header.strip_prefix(b"\xEF\xBB\xBF") {
            header = rest.to_vec();
        }
        if header.iter().all(u8::is_ascii_whitespace) {
            return Err(LeadFailure::Invalid(
                "the file is empty or its first line is blank: the first line must name the columns \
                 (e.g. nome;telefone;email)"
                    .into(),
            ));
        }
        let delimiter = detect_delimiter(&header);
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(LineEndings::new(std::io::Cursor::new(header).chain(reader)));
        let raw_headers = csv.byte_headers().map_err(|e| unreadable(&e))?.clone();
        let mut headers = Vec::with_capacity(raw_headers.len());
        for h in &raw_headers {
            let h = std::str::from_utf8(h).map_err(|_| {
                LeadFailure::Invalid(
                    "the header line is not UTF-8 text: save the spreadsheet as \"CSV UTF-8\"".into(),
                )
            })?;
            headers.push(h.trim().to_owned());
        }
        let columns: Vec<Option<Column>> = headers.iter().map(|h| Column::from_header(h)).collect();
        if !columns.contains(&Some(Column::Phone)) {
            return Err(LeadFailure::Invalid(format!(
                "no phone column: the first line must name the columns, one of them {} \
                 (separated by ',' or ';')",
                Column::Phone.aliases().join(", ")
            )));
        }
        let ignored_columns = headers
            .iter()
            .zip(&columns)
            .filter(|(h, c)| c.is_none() && !h.is_empty())
            .map(|(h, _)| h.chars().take(60).collect())
            .collect();
        let mut records = Vec::new();
        let mut record = csv::ByteRecord::new();
        while csv.read_byte_record(&mut record).map_err(|e| unreadable(&e))? {
            if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if records.len() == MAX_IMPORT_ROWS {
                return Err(LeadFailure::Invalid(format!(
                    "the file has more than {MAX_IMPORT_ROWS} rows: split it into files of at most \
                     {MAX_IMPORT_ROWS} rows (nothing was imported)"
                )));
            }
            let line = record.position().map_or(0, |p| p.line());
            records.push((line, record.clone()));
        }
        Ok(Self { columns, headers, ignored_columns, records })
    }

    /// Data rows to import.
    pub fn rows(&self) -> u64 {
        self.records.len() as u64
    }

    /// The row as a lead, or why it cannot be one.
    fn intake(&self, record: &csv::ByteRecord, region: &str) -> Result<LeadIntake, String> {
        let mut values: Vec<(Column, &str, String)> = Vec::new();
        for ((column, header), cell) in self.columns.iter().zip(&self.headers).zip(record.iter()) {
            let Some(column) = *column else { continue };
            let text = std::str::from_utf8(cell).map_err(|_| {
                let label = label(column, header);
                format!("{label}: not UTF-8 text; save the spreadsheet as \"CSV UTF-8\"")
            })?;
            let text = text.trim();
            // Several columns may mean the same thing (telefone and celular): the first
            // one with a value wins.
            if !text.is_empty() && !values.iter().any(|(c, _, _)| *c == column) {
                values.push((column, header, text.to_owned()));
            }
        }
        let mut take = |column: Column| {
            values.iter().position(|(c, _, _)| *c == column).map(|i| {
                let (c, h, v) = values.swap_remove(i);
                (label(c, h), v)
            })
        };
        let mut intake = LeadIntake::default();
        let (label_phone, phone) = take(Column::Phone).ok_or_else(|| "phone: missing".to_owned())?;
        PhoneE164::parse(&phone, region).map_err(|e| format!("{label_phone}: {e}"))?;
        intake.phone = phone;
        if let Some((l, name)) = take(Column::Name) {
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(format!("{l}: at most {MAX_NAME_CHARS} characters"));
            }
            intake.name = Some(name);
        }
        if let Some((l, email)) = take(Column::Email) {
            Email::parse(&email).map_err(|e| format!("{l}: {e}"))?;
            intake.email = Some(email);
        }
        intake.source = Some(match take(Column::Source) {
            Some((l, source)) => {
                let key = source.to_lowercase().replace([' ', '-'], "_");
                key.parse::<LeadSource>().map_err(|_| {
                    let known: Vec<&str> = LeadSource::ALL.iter().map(LeadSource::as_str).collect();
                    format!("{l}: unknown source; use one of {}", known.join(", "))
                })?
            }
            None => LeadSource::Import,
        });
        if let Some((l, at)) = take(Column::SubmittedAt) {
            let at = at.parse::<Timestamp>().map_err(|_| {
                format!("{l}: not an RFC 3339 date and time (e.g. 2026-05-01T14:30:00-03:00)")
            })?;
            intake.submitted_at = Some(at);
        }
        if let Some((l, notes)) = take(Column::Notes) {
            if notes.chars().count() > MAX_NOTES_CHARS {
                return Err(format!("{l}: at most {MAX_NOTES_CHARS} characters"));
            }
            intake.notes = Some(notes);
        }
        intake.service_interest = take(Column::Service).map(|(_, v)| v);
        intake.utm_source = take(Column::UtmSource).map(|(_, v)| v);
        intake.utm_medium = take(Column::UtmMedium).map(|(_, v)| v);
        intake.utm_campaign = take(Column::UtmCampaign).map(|(_, v)| v);
        intake.utm_term = take(Column::UtmTerm).map(|(_, v)| v);
        intake.utm_content = take(Column::UtmContent).map(|(_, v)| v);
        intake.campaign = take(Column::Campaign).map(|(_, v)| v);
        intake.owner = take(Column::Owner).map(|(_, v)| v);
        Ok(intake)
    }
}

/// `phone`, or `phone (Celular)` when the file calls it something else.
fn label(column: Column, header: &str) -> String {
    if header.eq_ignore_ascii_case(column.name()) {
        column.name().to_owned()
    } else {
        format!("{} ({})", column.name(), header.chars().take(60).collect::<String>())
    }
}

/// Feeds the CSV reader the file with every line ending as `\n` (`\r\n` and a lone `\r`
/// too) and a space on each empty line outside quotes. The reader numbers a row with the
/// line it had reached when it started on it, which is one short after a `\r\n` (it stops
/// at the `\r`) or an empty line (it skips those silently): with neither, its numbers are
/// the file's lines. A row of blanks is dropped afterwards like an empty line.
struct LineEndings<R> {
    inner: R,
    /// A normalised byte read but not passed on yet.
    held: Option<u8>,
    /// Inside a quoted cell (an odd number of `"` so far).
    quoted: bool,
    last: u8,
}

impl<R: BufRead> LineEndings<R> {
    fn new(inner: R) -> Self {
        Self { inner, held: None, quoted: false, last: b' ' }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    fn next_byte(&mut self) -> std::io::Result<Option<u8>> {
        if let Some(byte) = self.held.take() {
            return Ok(Some(byte));
        }
        let Some(byte) = self.peek()? else { return Ok(None) };
        self.inner.consume(1);
        if byte == b'\r' {
            if self.peek()? == Some(b'\n') {
                self.inner.consume(1);
            }
            return Ok(Some(b'\n'));
        }
        Ok(Some(byte))
    }
}

impl<R: BufRead> Read for LineEndings<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            let Some(mut byte) = self.next_byte()? else { break };
            if byte == b'\n' && self.last == b'\n' && !self.quoted {
                self.held = Some(byte);
                byte = b' ';
            } else if byte == b'"' {
                self.quoted = !self.quoted;
            }
            out[n] = byte;
            self.last = byte;
            n += 1;
        }
        Ok(n)
    }
}

/// `;` when the header line has more of them than commas (outside quotes), else `,`.
fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Creates (or merges) a lead for every good row, calling `progress` with the number of
/// rows done after each one. Fails only when the tenant is unknown or the store fails.
pub async fn import_leads(
    ctx: &Ctx,
    tenant: TenantId,
    file: LeadsCsv,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportSummary, LeadFailure> {
    ctx.store.tenant_by_id(tenant).await?.ok_or(LeadFailure::NotFound("tenant"))?;
    let region = ctx.store.tenant_settings(tenant).await?.default_region;
    let mut summary = ImportSummary {
        rows: file.rows(),
        ignored_columns: file.ignored_columns.clone(),
        ..ImportSummary::default()
    };
    for (done, (line, record)) in file.records.iter().enumerate() {
        let skip = |reason: String| SkippedRow { line: *line, reason };
        match file.intake(record, &region) {
            Err(reason) => summary.skipped.push(skip(reason)),
            Ok(intake) => match create_lead(ctx, tenant, intake).await {
                Ok(created) if created.merged => summary.merged += 1,
                Ok(_) => summary.imported += 1,
                // The intake's own messages name the field, never its value.
                Err(LeadFailure::Invalid(reason)) => summary.skipped.push(skip(reason)),
                Err(LeadFailure::NotFound("patient")) => {
                    summary.skipped.push(skip("phone: the patient could not be registered; retry".into()))
                }
                Err(e) => return Err(e),
            },
        }
        progress(done as u64 + 1);
    }
    Ok(summary)
}

/// [`LeadsCsv::read`] then [`import_leads`].
pub async fn import_csv(
    ctx: &Ctx,
    tenant: TenantId,
    reader: impl Read,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportSummary, LeadFailure> {
    let file = LeadsCsv::read(reader)?;
    import_leads(ctx, tenant, file, progress).await
}

#[cfg(test)]
#[path = "import_props.rs"]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> LeadsCsv {
        LeadsCsv::read(text.as_bytes()).unwrap()
    }

    fn reasons(file: &LeadsCsv) -> Vec<Result<LeadIntake, String>> {
        file.records.iter().map(|(_, r)| file.intake(r, "BR")).collect()
    }

    #[test]
    fn headers_in_portuguese_with_accents_bom_and_semicolons() {
        let file = read(
            "\u{feff}Nome;Telefone;E-mail;Origem;Serviço;Observações;Responsável;Campanha;Extra\n\
             Ana;(11) 98765-4321;ana@example.com;paid_ads;Implante;ligar cedo;Bia;verão;x\n",
        );
        assert_eq!(file.ignored_columns, vec!["Extra".to_owned()]);
        assert_eq!(file.rows(), 1);
        let intake = reasons(&file).remove(0).unwrap();
        assert_eq!(intake.name.as_deref(), Some("Ana"));
        assert_eq!(intake.phone, "(11) 98765-4321");
        assert_eq!(intake.email.as_deref(), Some("ana@example.com"));
        assert_eq!(intake.source, Some(LeadSource::PaidAds));
        assert_eq!(intake.service_interest.as_deref(), Some("Implante"));
        assert_eq!(intake.notes.as_deref(), Some("ligar cedo"));
        assert_eq!(intake.owner.as_deref(), Some("Bia"));
        assert_eq!(intake.campaign.as_deref(), Some("verão"));
    }

    #[test]
    fn commas_quotes_and_defaults() {
        let file = read(
            "name,phone,notes,submitted_at\r\n\"Lima, Ana\",11987654321,\"a; b\",2026-05-01T14:30:00-03:00\r\n",
        );
        let intake = reasons(&file).remove(0).unwrap();
        assert_eq!(intake.name.as_deref(), Some("Lima, Ana"));
        assert_eq!(intake.notes.as_deref(), Some("a; b"));
        assert_eq!(intake.source, Some(LeadSource::Import));
        assert_eq!(intake.submitted_at, Some("2026-05-01T17:30:00Z".parse().unwrap()));
    }

    #[test]
    fn bad_rows_name_the_column_and_not_the_value() {
        let file = read(
            "nome;celular;email;origem;submitted_at\n\
             Ana;;;;\n\
             Ana;123;;;\n\
             Ana;11987654321;ana@;;\n\
             Ana;11987654321;;tiktok;\n\
             Ana;11987654321;;;ontem\n\
             ;;;;\n\
             Ana;11987654321;;Paid-Ads;\n",
        );
        assert_eq!(file.rows(), 6, "a row of empty cells is not a row");
        let lines: Vec<u64> = file.records.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 8]);
        let got: Vec<String> = reasons(&file).into_iter().filter_map(Result::err).collect();
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], "phone: missing");
        assert!(got[1].starts_with("phone (celular): not a valid phone number"), "{}", got[1]);
        assert!(got[2].starts_with("email: not a valid e-mail"), "{}", got[2]);
        assert!(got[3].starts_with("source (origem): unknown source; use one of paid_ads"), "{}", got[3]);
        assert!(got[4].starts_with("submitted_at: not an RFC 3339"), "{}", got[4]);
        for reason in &got {
            assert!(!reason.contains("123") && !reason.contains("ana@") && !reason.contains("Ana"));
        }
    }

    #[test]
    fn line_numbers_are_the_file_lines_with_any_line_ending() {
        for text in [
            "\u{feff}a;phone\r\n1;2\r\n\r\n3;\"x\r\ny\"\r\n5;6\r\n",
            "\u{feff}a;phone\n1;2\n\n3;\"x\ny\"\n5;6",
        ] {
            let file = read(text);
            let lines: Vec<u64> = file.records.iter().map(|(l, _)| *l).collect();
            assert_eq!(lines, vec![2, 4, 6], "{text:?}");
            assert_eq!(&file.records[1].1[1], b"x\ny");
        }
    }

    #[test]
    fn line_endings_across_chunk_boundaries() {
        for chunk in 1..6 {
            let text = b"a\r\nb\rc\r\r\n\"q\r\n\r\nq\"\r";
            let mut out = Vec::new();
            LineEndings::new(BufReader::with_capacity(chunk, &text[..])).read_to_end(&mut out).unwrap();
            assert_eq!(out, b"a\nb\nc\n \n\"q\n\nq\"\n", "chunk {chunk}");
        }
    }

    #[test]
    fn several_phone_columns_take_the_first_with_a_value() {
        let file = read("telefone,whatsapp\n,11987654321\n");
        assert_eq!(reasons(&file).remove(0).unwrap().phone, "11987654321");
    }

    #[test]
    fn files_that_are_not_lead_lists() {
        let err = |text: &str| match LeadsCsv::read(text.as_bytes()) {
            Err(LeadFailure::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(err("").contains("empty"));
        assert!(err("\u{feff}\n").contains("empty"));
        assert!(err("nome;email\nAna;a@b.co\n").contains("no phone column"));
        let huge = format!("phone\n{}", "11987654321\n".repeat(MAX_IMPORT_ROWS + 1));
        assert!(err(&huge).contains("more than 50000 rows"));
        let exact = format!("phone\n{}", "11987654321\n".repeat(MAX_IMPORT_ROWS));
        assert_eq!(read(&exact).rows(), MAX_IMPORT_ROWS as u64);
    }
}
