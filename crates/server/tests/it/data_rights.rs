//! Patients' data rights on both backends: an erased person is gone from every text column
//! of every table (checked in the database itself) and from search, while the facts and
//! counts stay; the export holds their messages, as JSON and as a FHIR Bundle; retention
//! purges old message texts only and reports it; the audit trail is searchable and
//! exports as formula-safe CSV; another tenant is refused; bad input is a 4xx.

use frontdesk_test_support::{Backend, TestApp, backend_tests, error_of};
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(
    erasure_removes_the_person_everywhere_and_keeps_the_facts,
    retention_purges_old_texts_and_reports,
    audit_is_searchable_and_exports_csv,
);

const PHONE: &str = "+5511987654321";
const SECRET: &str = "meu segredo azul-turquesa 4471";
const NAME: &str = "Zuleica Quintanilha";

/// Every (table, column) holding `needle` somewhere in its text (JSON included).
async fn columns_containing(app: &TestApp, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.db_url()).await.unwrap();
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE '_sqlx%' AND upper(p.type) = 'TEXT'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            assert!(cols.len() > 50, "expected the whole schema, got {} columns", cols.len());
            for (t, c) in cols {
                let sql = format!("SELECT COUNT(*) FROM \"{t}\" WHERE instr(\"{c}\", ?1) > 0");
                let (n,): (i64,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(needle).fetch_one(&pool).await.unwrap();
                if n > 0 {
                    hits.push(format!("{t}.{c}"));
                }
            }
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.db_url()).await.unwrap();
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'character varying')
                   AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            assert!(cols.len() > 50, "expected the whole schema, got {} columns", cols.len());
            for (t, c) in cols {
                let sql = format!("SELECT COUNT(*) FROM \"{t}\" WHERE strpos(\"{c}\"::text, $1) > 0");
                let (n,): (i64,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(needle).fetch_one(&pool).await.unwrap();
                if n > 0 {
                    hits.push(format!("{t}.{c}"));
                }
            }
        }
    }
    hits
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.db_url()).await.unwrap();
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap().0
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.db_url()).await.unwrap();
            sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap().0
        }
    }
}

async fn inbound(app: &TestApp, key: &str, from: &str, body: &str) {
    let r = app
        .post("/api/v1/sandbox/inbound", key)
        .json(&json!({"from": from, "body": body}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    app.run_pending_jobs().await;
}

/// The patient who wrote from `PHONE`, named `NAME` by staff.
async fn patient(app: &TestApp, key: &str) -> String {
    inbound(app, key, PHONE, SECRET).await;
    let list: Value =
        app.get("/api/v1/patients?phone=987654321", key).send().await.unwrap().json().await.unwrap();
    let id = list["items"][0]["id"].as_str().expect("the sender became a patient").to_owned();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/patients/{id}")))
        .header("X-API-KEY", key)
        .json(&json!({"name": NAME, "email": "zuleica@example.com", "birth_date": "1980-02-03", "tags": ["diabetes"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    id
}

async fn erasure_removes_the_person_everywhere_and_keeps_the_facts(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let (_, other_key) = app.tenant_with_key("outra").await;
    let id = patient(&app, &key).await;
    inbound(&app, &key, PHONE, "quero marcar uma consulta Zuleica").await;
    // Someone else, who must not be touched.
    inbound(&app, &key, "+5521999887766", "outra pessoa aqui").await;

    // Export, before: the person's messages, as JSON and as a FHIR Bundle.
    let r = app.get(&format!("/api/v1/patients/{id}/export?format=json"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["patient"]["name"], NAME);
    assert!(doc["conversations"][0]["messages"].to_string().contains(SECRET), "{doc}");
    assert!(doc["access_log"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(doc["tags"], json!(["diabetes"]), "a tag may say what they are treated for");
    let r = app.get(&format!("/api/v1/patients/{id}/export?format=fhir"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/fhir+json");
    let bundle: Value = r.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries[0]["resource"]["resourceType"], "Patient");
    assert!(entries.iter().all(|e| e["fullUrl"].is_string() && e["resource"]["id"].is_string()));
    let said: Vec<&Value> =
        entries.iter().filter(|e| e["resource"]["resourceType"] == "Communication").collect();
    assert!(said.iter().any(|e| e["resource"]["payload"].to_string().contains(SECRET)), "{bundle}");

    // Bad input and other tenants.
    let (status, code, _) =
        error_of(app.get(&format!("/api/v1/patients/{id}/export?format=xml"), &key).send().await.unwrap())
            .await;
    assert_eq!((status, code.as_str()), (400, "invalid_format"));
    let r = app.get(&format!("/api/v1/patients/{id}/export"), &other_key).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let erase = format!("/api/v1/patients/{id}/erase");
    let r = app.post(&erase, &other_key).json(&json!({"confirm": id})).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let (status, code, _) =
        error_of(app.post(&erase, &key).json(&json!({"confirm": "yes"})).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (422, "confirmation_mismatch"));
    let r = app.post(&erase, &key).json(&json!({})).send().await.unwrap();
    assert!(r.status().is_client_error());
    let r = app.post(&erase, "fd_wrong").json(&json!({"confirm": id})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(!columns_containing(&app, NAME).await.is_empty(), "nothing was erased yet");

    let facts = count(&app, "facts").await;
    let messages = count(&app, "messages").await;
    let consents = count(&app, "consents").await;
    let r = app.post(&erase, &key).json(&json!({"confirm": id})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["first_time"], true);
    assert!(done["changed"]["messages"].as_u64().unwrap() >= 2, "{done}");

    for needle in [
        NAME,
        "Quintanilha",
        "Zuleica",
        "5511987654321",
        "987654321",
        "zuleica@example.com",
        "1980-02-03",
        SECRET,
        "azul-turquesa",
    ] {
        assert_eq!(
            columns_containing(&app, needle).await,
            Vec::<String>::new(),
            "{needle:?} is still stored"
        );
    }
    // The other person is untouched.
    assert!(!columns_containing(&app, "outra pessoa aqui").await.is_empty());
    assert_eq!(count(&app, "facts").await, facts);
    assert_eq!(count(&app, "messages").await, messages);
    assert_eq!(count(&app, "consents").await, consents);

    // Search no longer finds them; their record says what is left.
    for q in ["name=Zuleica", "phone=987654321", "phone=11987654321"] {
        let list: Value =
            app.get(&format!("/api/v1/patients?{q}"), &key).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["items"], json!([]), "{q}");
    }
    let p: Value =
        app.get(&format!("/api/v1/patients/{id}"), &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["name"], "[erased]");
    assert_eq!(p["tags"], json!([]), "{p}");
    let doc: Value =
        app.get(&format!("/api/v1/patients/{id}/export"), &key).send().await.unwrap().json().await.unwrap();
    assert!(doc["erased_at"].is_string());
    assert!(!doc.to_string().contains(SECRET));

    // Again: nothing more to do, and said so.
    let again: Value =
        app.post(&erase, &key).json(&json!({"confirm": id})).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["first_time"], false);
    assert_eq!(again["changed"]["messages"], 0);

    // Audited, by id only.
    let audit: Value = app
        .get(&format!("/api/v1/audit?action=erase&patient_id={id}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{audit}");
    assert_eq!(items[0]["resource_id"], id.as_str());
    let exports: Value = app
        .get(&format!("/api/v1/audit?action=export&patient_id={id}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exports["items"].as_array().unwrap().len(), 3, "{exports}");
}

async fn retention_purges_old_texts_and_reports(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    inbound(&app, &key, PHONE, "mensagem antiga numero um").await;
    app.clock.advance(SignedDuration::from_hours(24 * 40));
    inbound(&app, &key, PHONE, "mensagem recente numero dois").await;

    let put =
        |body: Value| app.http.put(app.url("/api/v1/retention")).header("X-API-KEY", &key).json(&body).send();
    let (status, code, _) = error_of(put(json!({"message_text_days": 1})).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (422, "invalid_retention"));
    let r = put(json!({"messages_days": 30})).await.unwrap();
    assert!(r.status().is_client_error());
    let r = put(json!({"message_text_days": 30})).await.unwrap();
    assert_eq!(r.status(), 200);
    let policy: Value = app.get("/api/v1/retention", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        policy,
        json!({"message_text_days": 30, "call_recording_days": null, "call_transcript_days": null})
    );

    let dry: Value = app
        .post("/api/v1/retention/run", &key)
        .json(&json!({"dry_run": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dry["dry_run"], true);
    let old = dry["counts"]["messages"].as_u64().unwrap();
    assert!(old >= 1, "{dry}");
    assert!(!columns_containing(&app, "mensagem antiga").await.is_empty(), "a dry run purges nothing");

    let run: Value =
        app.post("/api/v1/retention/run", &key).json(&json!({})).send().await.unwrap().json().await.unwrap();
    assert_eq!(run["counts"]["messages"].as_u64(), Some(old), "{run}");
    assert_eq!(columns_containing(&app, "mensagem antiga").await, Vec::<String>::new());
    assert!(columns_containing(&app, "mensagem recente").await.iter().any(|c| c == "messages.body"));

    let reports: Value =
        app.get("/api/v1/retention/reports", &key).send().await.unwrap().json().await.unwrap();
    let items = reports["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{reports}");
    assert_eq!(items[0]["dry_run"], false);
    assert_eq!(items[1]["dry_run"], true);

    // The daily job: queued for the next 03:00 when the policy was saved, it purges what
    // has aged since and writes its own report.
    app.clock.advance(SignedDuration::from_hours(24 * 31));
    app.run_pending_jobs().await;
    assert_eq!(columns_containing(&app, "mensagem recente").await, Vec::<String>::new());
    let reports: Value =
        app.get("/api/v1/retention/reports", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(reports["items"][0]["actor"], "system:retention", "{reports}");

    // Another tenant sees none of it.
    let (_, other) = app.tenant_with_key("outra").await;
    let theirs: Value =
        app.get("/api/v1/retention/reports", &other).send().await.unwrap().json().await.unwrap();
    assert_eq!(theirs["items"], json!([]));
}

async fn audit_is_searchable_and_exports_csv(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let (_, other) = app.tenant_with_key("outra").await;
    let id = patient(&app, &key).await;
    app.get(&format!("/api/v1/patients/{id}"), &key).send().await.unwrap();
    // A request id is what a client chooses: make it a formula.
    app.get(&format!("/api/v1/patients/{id}"), &key)
        .header("x-request-id", "=HYPERLINK(\"http://evil\")")
        .send()
        .await
        .unwrap();

    let reads: Value = app
        .get(&format!("/api/v1/audit?action=read&patient_id={id}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = reads["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{reads}");
    let actor = items[0]["actor"].as_str().unwrap().to_owned();
    assert!(actor.starts_with("api_key:"));
    let by_actor: Value = app
        .get(&format!("/api/v1/audit?actor={actor}&resource_type=patient"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(by_actor["items"].as_array().unwrap().len() >= 3, "{by_actor}");
    let future: Value =
        app.get("/api/v1/audit?from=2030-01-01T00:00:00Z", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(future["items"], json!([]));
    let (status, code, _) = error_of(
        app.get("/api/v1/audit?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z", &key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "invalid_period"));
    let r = app.get("/api/v1/audit?from=yesterday", &key).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let theirs: Value = app
        .get(&format!("/api/v1/audit?patient_id={id}"), &other)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["items"], json!([]));

    let r = app.get(&format!("/api/v1/audit/export.csv?patient_id={id}"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "at,actor,action,resource_type,resource_id,patient_id,request_id,id");
    assert!(lines.len() >= 4, "{csv}");
    assert!(csv.contains(",read,patient,"));
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"), "{csv}");
    let exported: Value = app
        .get("/api/v1/audit?action=export&resource_type=audit_log", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exported["items"].as_array().unwrap().len(), 1);
}

/// `frontdesk retention run`, as an operator would run it.
#[test]
fn retention_run_command_prints_and_stores_a_report() {
    let run = |db: &str, args: &[&str]| {
        frontdesk_test_support::run_frontdesk(env!("CARGO_BIN_EXE_frontdesk"), db, args)
    };
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/r.db?mode=rwc", dir.path().display());
    assert!(run(&db, &["tenant", "create", "--slug", "sorriso", "--name", "Sorriso"]).0);
    let (ok, out, err) = run(&db, &["retention", "run", "--tenant", "sorriso", "--dry-run"]);
    assert!(ok, "{err}");
    let report: Value = serde_json::from_str(&out).expect("the report is JSON");
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["actor"], "cli");
    assert_eq!(report["counts"]["messages"], 0);
    let (ok, _, err) = run(&db, &["retention", "run", "--tenant", "nobody"]);
    assert!(!ok && err.contains("nobody"), "{err}");
}
