//! Scoped API keys: each scope allowed and refused on representative routes (403
//! `insufficient_scope`), chosen through the API and the staff app; keys are stored only
//! as hashes. Both backends.

use frontdesk_domain::staff::{NewUser, Role};
use frontdesk_engine::staff;
use frontdesk_test_support::{Backend, TestApp, backend_tests, error_of};
use reqwest::Method;
use serde_json::{Value, json};

backend_tests!(
    each_scope_is_allowed_and_refused,
    scopes_are_validated_and_listed,
    raw_keys_are_not_stored,
    staff_app_issues_scoped_keys
);

async fn issue(app: &TestApp, full_key: &str, scopes: Value) -> String {
    let r = app
        .post("/api/v1/api-keys", full_key)
        .json(&json!({"name": format!("k {scopes}"), "scopes": scopes}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["scopes"], scopes);
    body["secret"].as_str().unwrap().to_owned()
}

/// The status of one call; a 403 must be the scope refusal, in the API's error shape.
async fn status(app: &TestApp, key: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
    let mut req = app.http.request(method, app.url(path)).header("x-api-key", key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let code = r.status().as_u16();
    if code == 403 && path.starts_with("/fhir/") {
        // FHIR answers in its own error shape.
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
        assert!(
            body.to_string().contains("insufficient_scope") || body.to_string().contains("may not"),
            "{body}"
        );
    } else if code == 403 {
        let (_, error, message) = error_of(r).await;
        assert_eq!(error, "insufficient_scope", "{path}");
        assert!(message.contains(path) || message.contains('{'), "{message}");
    }
    code
}

/// (scope name, key, method, path, body, refused?)
type Case<'a> = (&'a str, &'a str, Method, &'a str, Option<Value>, bool);

async fn each_scope_is_allowed_and_refused(app: TestApp) {
    let (_, full) = app.tenant_with_key("alpha").await;
    let read_only = issue(&app, &full, json!(["read_only"])).await;
    let webhooks = issue(&app, &full, json!(["webhooks"])).await;
    let assistant = issue(&app, &full, json!(["assistant"])).await;
    let lead = json!({"phone": "+5511987654321", "name": "Lia", "source": "crm"});
    let patient = json!({"phone": "+5511987654322", "name": "Rui"});
    let tool = json!({"caller_number": "+5511987654321", "arguments": {}});
    let (get, post, patch) = (Method::GET, Method::POST, Method::PATCH);
    let cases: Vec<Case> = vec![
        ("full", &full, post.clone(), "/api/v1/patients", Some(patient.clone()), false),
        ("full", &full, get.clone(), "/api/v1/settings", None, false),
        ("read_only", &read_only, get.clone(), "/api/v1/patients", None, false),
        ("read_only", &read_only, get.clone(), "/api/v1/api-keys", None, false),
        ("read_only", &read_only, get.clone(), "/fhir/R4/metadata", None, false),
        ("read_only", &read_only, Method::HEAD, "/api/v1/tenant", None, false),
        ("read_only", &read_only, post.clone(), "/api/v1/patients", Some(patient.clone()), true),
        ("read_only", &read_only, patch.clone(), "/api/v1/settings", Some(json!({})), true),
        ("read_only", &read_only, post.clone(), "/api/v1/api-keys", Some(json!({"name": "x"})), true),
        ("read_only", &read_only, Method::DELETE, "/api/v1/api-keys/abcd0102", None, true),
        ("webhooks", &webhooks, post.clone(), "/api/v1/leads", Some(lead.clone()), false),
        ("webhooks", &webhooks, get.clone(), "/api/v1/leads", None, true),
        ("webhooks", &webhooks, get.clone(), "/api/v1/patients", None, true),
        ("webhooks", &webhooks, post.clone(), "/api/v1/patients", Some(patient.clone()), true),
        (
            "assistant",
            &assistant,
            post.clone(),
            "/api/v1/voice/tools/patient-lookup",
            Some(tool.clone()),
            false,
        ),
        (
            "assistant",
            &assistant,
            post.clone(),
            "/api/v1/voice/tools/available-slots",
            Some(tool.clone()),
            false,
        ),
        ("assistant", &assistant, get.clone(), "/api/v1/patients", None, true),
        ("assistant", &assistant, post.clone(), "/api/v1/appointments", Some(json!({})), true),
        ("assistant", &assistant, get.clone(), "/fhir/R4/metadata", None, true),
    ];
    for (name, key, method, path, body, refused) in cases {
        let code = status(&app, key, method.clone(), path, body).await;
        if refused {
            assert_eq!(code, 403, "{name} {method} {path}");
        } else {
            // Past the key check; the handler may still find the body wanting (422).
            assert!(code < 300 || code == 422, "{name} {method} {path}: {code}");
        }
    }
    // A refused write changed nothing: the read-only key's POST created no patient.
    let patients: Value = app.get("/api/v1/patients", &full).send().await.unwrap().json().await.unwrap();
    assert_eq!(patients["items"].as_array().map(Vec::len), Some(2), "{patients}");
}

async fn scopes_are_validated_and_listed(app: TestApp) {
    let (_, full) = app.tenant_with_key("alpha").await;
    for bad in [json!(["root"]), json!([]), json!("full")] {
        let r = app
            .post("/api/v1/api-keys", &full)
            .json(&json!({"name": "bad", "scopes": bad}))
            .send()
            .await
            .unwrap();
        let (status, code, _) = error_of(r).await;
        assert_eq!(status, 422, "{bad}");
        assert!(code == "invalid_scopes" || code == "invalid_body", "{code}");
    }
    // No scopes: full, as before scopes existed; several at once are kept.
    let r = app.post("/api/v1/api-keys", &full).json(&json!({"name": "plain"})).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["scopes"], json!(["full"]));
    issue(&app, &full, json!(["read_only", "assistant"])).await;
    let list: Value = app.get("/api/v1/api-keys", &full).send().await.unwrap().json().await.unwrap();
    let scopes: Vec<&Value> = list["items"].as_array().unwrap().iter().map(|k| &k["scopes"]).collect();
    assert!(scopes.contains(&&json!(["read_only", "assistant"])), "{list}");
    assert!(scopes.contains(&&json!(["full"])), "{list}");
}

async fn raw_keys_are_not_stored(app: TestApp) {
    let (_, full) = app.tenant_with_key("alpha").await;
    let secret_part = full.rsplit('_').next().unwrap().to_owned();
    let sql = "SELECT prefix || ' ' || key_hash || ' ' || name || ' ' || scopes FROM api_keys";
    let rows: Vec<String> = match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(app.db_url()).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(app.db_url()).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap()
        }
    };
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].contains(&secret_part) && !rows[0].contains(&full), "{rows:?}");
    let hash = frontdesk_domain::api_key::ApiKeySecret::parse(&full).unwrap().hash().to_hex();
    assert!(rows[0].contains(&hash), "only the SHA-256 of the key is stored: {rows:?}");
    // Shown once: listing never returns it.
    let list = app.get("/api/v1/api-keys", &full).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains(&secret_part));
}

/// Settings › API keys: the scope select issues a key limited to it.
async fn staff_app_issues_scoped_keys(app: TestApp) {
    let (tenant, _) = app.tenant_with_key("alpha").await;
    let email = "dona@clinica.com";
    let new = NewUser {
        tenant_id: tenant.id,
        email: frontdesk_domain::contact::Email::parse(email).unwrap(),
        name: "Dona".into(),
        role: Role::Owner,
    };
    staff::add_user(&app.ctx, new, Some("correct horse battery staple")).await.unwrap();
    let http = frontdesk_test_support::without_redirects();
    let login = http
        .post(app.url("/login"))
        .form(&[("email", email), ("password", "correct horse battery staple")])
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = http.get(app.url("/app/settings/api-keys")).header("cookie", &cookie).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("id=\"key-scope\"") && html.contains("value=\"read_only\""),
        "the form offers the scopes"
    );
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();
    let created = http
        .post(app.url("/app/settings/api-keys"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("name", "BI"), ("scope", "read_only")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let html = created.text().await.unwrap();
    let key = between(&html, "id=\"issued-key\" type=\"text\" readonly value=\"", "\"").to_owned();
    assert!(key.starts_with("fdk_"), "{key}");
    assert_eq!(app.get("/api/v1/patients", &key).send().await.unwrap().status(), 200);
    let refused =
        app.post("/api/v1/patients", &key).json(&json!({"phone": "+5511987654322"})).send().await.unwrap();
    assert_eq!(error_of(refused).await.1, "insufficient_scope");
    let bad = http
        .post(app.url("/app/settings/api-keys"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("name", "BI 2"), ("scope", "root")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in page")) + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}
