//! CSV import of leads: over HTTP on both backends (a Brazilian spreadsheet export with a
//! BOM, `;` and Portuguese headers; repeats merging; bad rows skipped with reasons that name
//! the column and never the data; auth, empty and oversized bodies), and the
//! `frontdesk leads import` command run as a user would.

use frontdesk_test_support::{TestApp, backend_tests, error_of};
use serde_json::Value;

backend_tests!(
    spreadsheet_export_imports_merges_and_skips,
    import_needs_an_api_key_and_csv,
    empty_or_oversized_body_is_a_clear_error,
);

/// Six data rows: three new leads, one repeat of the first (another spelling of the same
/// phone), one without phone, one with an unknown source.
const EXPORT: &str = "\u{feff}Nome;Telefone;E-mail;Origem;Serviço;Observações;Coluna Extra\r\n\
    Ana Souza;(11) 98765-4321;ana@example.com;;Limpeza;primeira consulta;x\r\n\
    Bruno Lima;11 91234-5678;;Import;;;\r\n\
    Carla Dias;+55 21 99876-5432;;;;;\r\n\
    Ana Souza;11987654321;;;;voltou a perguntar;\r\n\
    Sem Telefone;;semtel@example.com;;;;\r\n\
    Davi Rocha;11 95555-4444;davi@example.com;tiktok;;;\r\n\
    ;;;;;;\r\n";

async fn import(app: &TestApp, key: &str, body: &'static str) -> reqwest::Response {
    app.post("/api/v1/leads/import", key)
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn spreadsheet_export_imports_merges_and_skips(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let r = import(&app, &key, EXPORT).await;
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(summary["rows"], 6, "{summary}");
    assert_eq!(summary["imported"], 3, "{summary}");
    assert_eq!(summary["merged"], 1, "{summary}");
    assert_eq!(summary["ignored_columns"], serde_json::json!(["Coluna Extra"]));
    let skipped = summary["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{summary}");
    assert_eq!(skipped[0]["line"], 6);
    assert_eq!(skipped[0]["reason"], "phone: missing");
    assert_eq!(skipped[1]["line"], 7);
    let reason = skipped[1]["reason"].as_str().unwrap();
    assert!(reason.starts_with("source (Origem): unknown source"), "{reason}");
    for needle in ["95555", "5555-4444", "Davi", "davi@", "semtel", "tiktok"] {
        assert!(!summary["skipped"].to_string().contains(needle), "{needle} leaked: {summary}");
    }

    let r = app.get("/api/v1/leads?source=import", &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    assert!(items.iter().all(|l| l["source"] == "import"));
    let ana = items.iter().find(|l| l["service_interest"] == "Limpeza").expect("Ana's lead");
    assert_eq!(ana["notes"], "primeira consulta\nvoltou a perguntar", "the repeat merged into it");
    let r = app.get(&format!("/api/v1/leads/{}", ana["id"].as_str().unwrap()), &key).send().await.unwrap();
    let timeline: Value = r.json().await.unwrap();
    let kinds: Vec<&str> =
        timeline["timeline"].as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"merged"), "{kinds:?}");
    let r = app.get("/api/v1/patients?phone=5511987654321", &key).send().await.unwrap();
    let patients: Value = r.json().await.unwrap();
    assert_eq!(patients["items"][0]["name"], "Ana Souza", "{patients}");
    assert_eq!(patients["items"][0]["email"], "ana@example.com", "{patients}");

    // Another tenant sees none of it.
    let (_, other) = app.tenant_with_key("outra").await;
    let list: Value = app.get("/api/v1/leads", &other).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

async fn import_needs_an_api_key_and_csv(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let r = app
        .http
        .post(app.url("/api/v1/leads/import"))
        .header("Content-Type", "text/csv")
        .body(EXPORT)
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (401, "missing_api_key"));
    let r = app
        .post("/api/v1/leads/import", &key)
        .header("Content-Type", "application/json")
        .body(r#"{"phone": "+5511987654321"}"#)
        .send()
        .await
        .unwrap();
    let (status, code, message) = error_of(r).await;
    assert_eq!((status, code.as_str()), (415, "unsupported_media_type"));
    assert!(message.contains("text/csv"), "{message}");
    let list: Value = app.get("/api/v1/leads", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing imported");
}

async fn empty_or_oversized_body_is_a_clear_error(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let (status, code, message) = error_of(import(&app, &key, "").await).await;
    assert_eq!((status, code.as_str()), (400, "empty_body"), "{message}");
    assert!(message.contains("CSV"), "{message}");
    let (status, code, message) =
        error_of(import(&app, &key, "nome;email\nAna;ana@example.com\n").await).await;
    assert_eq!((status, code.as_str()), (422, "invalid_csv"));
    assert!(message.contains("no phone column") && !message.contains("ana@"), "{message}");
    let big: &'static str = format!("telefone\n{}", "11987654321\n".repeat(100_000)).leak();
    let (status, code, message) = error_of(import(&app, &key, big).await).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
    assert!(message.contains("frontdesk leads import"), "{message}");
}

fn frontdesk(db: &str, args: &[&str]) -> (bool, String, String) {
    frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), db, args)
}

#[test]
fn cli_imports_a_file_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/import.db?mode=rwc", dir.path().display());
    assert!(frontdesk(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Sorriso"]).0);
    let file = dir.path().join("leads.csv");
    std::fs::write(
        &file,
        "name,phone,source,utm_campaign\n\
         Ana Souza,(11) 98765-4321,paid_ads,verao\n\
         Bruno Lima,11 91234-5678,,\n\
         Ana Souza,11987654321,,\n\
         Sem Telefone,,,\n\
         Davi Rocha,11 95555-4444,tiktok,\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (ok, out, err) = frontdesk(&db, &["leads", "import", file, "--tenant", "sorriso"]);
    assert!(ok, "{err}");
    assert!(out.contains("5 rows into tenant sorriso"), "{out}");
    assert!(
        out.contains("imported: 2") && out.contains("merged:   1") && out.contains("skipped:  2"),
        "{out}"
    );
    assert!(out.contains("  line 5: phone: missing"), "{out}");
    assert!(out.contains("  line 6: source: unknown source; use one of paid_ads"), "{out}");
    assert!(!out.contains("95555") && !out.contains("Davi"), "{out}");

    let (ok, _, err) = frontdesk(&db, &["leads", "import", file, "--tenant", "nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
    let missing = dir.path().join("missing.csv");
    let (ok, _, err) = frontdesk(&db, &["leads", "import", missing.to_str().unwrap(), "--tenant", "sorriso"]);
    assert!(!ok && err.contains("cannot read"), "{err}");
    let (ok, out, _) = frontdesk(&db, &["leads", "import", "--help"]);
    assert!(ok && out.contains("telefone") && out.contains("50,000"), "{out}");
}
