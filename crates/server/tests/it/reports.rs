//! Report files over the API on both backends: the XLSX read back by a spreadsheet reader
//! matches the records, the PDF's text (pdftotext) holds the clinic, the period and the
//! rows, the CSV is formula-safe, and bad requests are named.

use calamine::{Data, Reader, Xlsx};
use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, error_of, post, setup_calendar};
use serde_json::json;
use std::io::Cursor;

backend_tests!(
    overview_report_lists_every_figure,
    appointments_and_no_shows_export_as_xlsx_pdf_and_csv,
    leads_export_with_speed_to_lead_and_safe_cells,
    bad_report_requests_are_named,
);

async fn clinic(app: &TestApp) -> (String, frontdesk_test_support::Calendar) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(app, &key, spec).await;
    (key, cal)
}

async fn book(
    app: &TestApp,
    key: &str,
    cal: &frontdesk_test_support::Calendar,
    start: &str,
    phone: &str,
) -> String {
    let body = json!({
        "patient": {"name": "Conceição Souza", "phone": phone},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": start,
    });
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_string()
}

async fn download(app: &TestApp, key: &str, path: &str) -> (String, Vec<u8>) {
    let r = app.get(path, key).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (ct, r.bytes().await.unwrap().to_vec())
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
    String::from_utf8(out.stdout).unwrap()
}

async fn appointments_and_no_shows_export_as_xlsx_pdf_and_csv(app: TestApp) {
    let (key, cal) = clinic(&app).await;
    let kept = book(&app, &key, &cal, "2026-06-03T10:00:00-03:00", "(11) 98765-4321").await;
    let missed = book(&app, &key, &cal, "2026-06-03T11:00:00-03:00", "(11) 91234-5678").await;
    book(&app, &key, &cal, "2026-07-01T10:00:00-03:00", "(11) 95555-1111").await; // outside the period
    app.clock.set("2026-06-03T13:05:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{kept}/check-in"), &key).send().await.unwrap().status(),
        200
    );
    app.clock.set("2026-06-03T16:00:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{missed}/no-show"), &key).send().await.unwrap().status(),
        200
    );
    app.run_pending_jobs().await;

    let (ct, xlsx) =
        download(&app, &key, "/api/v1/reports/appointments?from=2026-06-01&to=2026-06-30&format=xlsx").await;
    assert_eq!(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Resumo".to_string(), "Dados".to_string()],
        "the clinic's language: pt-BR"
    );
    // The summary sheet leads with the period's figures (docs/metrics.md): bookings count on
    // the day they were made (all three on 1 June), outcomes on the day they were recorded.
    let summary = book.worksheet_range("Resumo").unwrap();
    let figure = |label: &str| summary.rows().skip(5).find(|r| r[0] == *label).map(|r| r[1].clone()).unwrap();
    assert_eq!(figure("Agendamentos"), Data::Float(3.0));
    assert_eq!(figure("Taxa de faltas"), Data::Float(0.5));
    assert_eq!(figure("Receita agendada"), Data::Float(450.0));
    let data = book.worksheet_range("Dados").unwrap();
    assert_eq!(data.height(), 3, "a header and the two June appointments");
    let ids: Vec<String> = data.rows().skip(1).map(|r| r[8].to_string()).collect();
    assert!(ids.contains(&kept) && ids.contains(&missed), "{ids:?}");
    let row_of = |id: &str| data.rows().find(|r| r[8] == *id).unwrap().to_vec();
    assert_eq!(row_of(&missed)[4], Data::String("no_show".into()));
    assert_eq!(row_of(&kept)[4], Data::String("checked_in".into()));
    assert_eq!(row_of(&kept)[5], Data::Float(150.0), "the price is a number");
    assert_eq!(row_of(&kept)[1], Data::String("Limpeza".into()));
    assert!(matches!(row_of(&kept)[0], Data::DateTime(_)));

    let (ct, pdf) =
        download(&app, &key, "/api/v1/reports/no_shows?from=2026-06-01&to=2026-06-30&format=pdf&locale=en")
            .await;
    assert_eq!(ct, "application/pdf");
    let text = pdf_text(&pdf);
    for expected in [
        "No-shows",
        "Period: 2026-06-01 – 2026-06-30 (America/Sao_Paulo)",
        "Dra. Ana Lima",
        "R$ 150.00",
        &missed[..8],
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(!text.contains("checked_in"), "only the no-show is in the no-show report:\n{text}");

    let (ct, csv) =
        download(&app, &key, "/api/v1/reports/appointments?from=2026-06-01&to=2026-06-30&locale=en").await;
    assert_eq!(ct, "text/csv; charset=utf-8");
    let mut r = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(&r.headers().unwrap()[0], "Start");
    assert_eq!(r.records().count(), 2);
}

async fn overview_report_lists_every_figure(app: TestApp) {
    let (key, cal) = clinic(&app).await;
    book(&app, &key, &cal, "2026-06-03T10:00:00-03:00", "(11) 98765-4321").await;
    app.run_pending_jobs().await;
    let (_, csv) =
        download(&app, &key, "/api/v1/reports/overview?from=2026-06-01&to=2026-06-30&locale=en").await;
    let mut r = csv::Reader::from_reader(csv.as_slice());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["Figure", "Code", "Value", "Previous period"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), frontdesk_domain::analytics::overview::FIGURES.len(), "every overview figure");
    let row = |code: &str| rows.iter().find(|r| &r[1] == code).unwrap().clone();
    assert_eq!((&row("appointments_total")[2], &row("appointments_total")[3]), ("1", "0"));
    assert_eq!(&row("revenue_booked")[2], "150");
    assert_eq!(&row("no_show_rate")[2], "", "no rate without ended appointments");
    let (_, pdf) =
        download(&app, &key, "/api/v1/reports/overview?from=2026-06-01&to=2026-06-30&format=pdf").await;
    let text = pdf_text(&pdf);
    for expected in ["Visão geral", "Agendamentos", "R$ 150,00", "Agendamentos por dia"] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
}

async fn leads_export_with_speed_to_lead_and_safe_cells(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let lead = json!({"phone": "(11) 97777-6666", "name": "Rita Alves", "source": "organic",
        "service_interest": "=HYPERLINK(\"http://evil.example\")"});
    let (s, created) = post(&app, &key, "/api/v1/leads", lead).await;
    assert_eq!(s, 201, "{created}");
    let (_, csv) =
        download(&app, &key, "/api/v1/reports/leads?from=2026-06-01&to=2026-06-01&locale=en").await;
    let mut r = csv::Reader::from_reader(csv.as_slice());
    let recs: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(&recs[0][1], "organic");
    assert_eq!(&recs[0][3], "'=HYPERLINK(\"http://evil.example\")", "a formula from a form is neutralised");
    assert_eq!(&recs[0][9], created["lead"]["id"].as_str().unwrap());
    let text = String::from_utf8(csv).unwrap();
    assert!(!text.contains("Rita") && !text.contains("97777"), "no names or phones in a report");
}

async fn bad_report_requests_are_named(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    for (path, status, code) in [
        ("/api/v1/reports/leads?from=2026-06-02&to=2026-06-01", 400, "invalid_period"),
        ("/api/v1/reports/leads?from=2024-01-01&to=2026-06-01", 400, "invalid_period"),
        ("/api/v1/reports/leads?from=2026-13-01&to=2026-06-01", 400, "invalid_period"),
        ("/api/v1/reports/leads?from=2026-06-01&to=2026-06-01&tz=Mars/Olympus", 400, "invalid_period"),
        ("/api/v1/reports/leads?from=2026-06-01&to=2026-06-01&format=docx", 400, "invalid_format"),
        ("/api/v1/reports/revenue?from=2026-06-01&to=2026-06-01", 404, "unknown_report"),
    ] {
        let (s, c, message) = error_of(app.get(path, &key).send().await.unwrap()).await;
        assert_eq!((s, c.as_str()), (status, code), "{path}: {message}");
    }
    let (s, c, _) =
        error_of(app.get("/api/v1/reports/leads?from=2026-06-01", &key).send().await.unwrap()).await;
    assert_eq!(s, 400, "a missing `to` is named: {c}");
    let r = reqwest::get(app.url("/api/v1/reports/leads?from=2026-06-01&to=2026-06-01")).await.unwrap();
    assert_eq!(r.status(), 401, "reports need a key");
}
