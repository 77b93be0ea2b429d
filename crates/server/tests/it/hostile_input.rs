//! Input schemathesis found breaking the server, kept as regressions on both backends.
//! A NUL character (U+0000) in a JSON string, a path, a query or a webhook body was a 500
//! on PostgreSQL (which cannot store it in text); now it is a 4xx on every backend and
//! nothing is stored.

use frontdesk_test_support::{TestApp, backend_tests, error_of};
use serde_json::{Value, json};

backend_tests!(nul_characters_are_refused_with_4xx, text_that_merely_mentions_u0000_is_kept);

async fn nul_characters_are_refused_with_4xx(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let json_cases = [
        ("/api/v1/patients", json!({"name": "Ana\u{0}", "phone": "+5511987654321"})),
        ("/api/v1/locations", json!({"name": "Sala\u{0}1", "timezone": "America/Sao_Paulo"})),
        ("/api/v1/leads", json!({"phone": "+5511987654322", "notes": "x\u{0}"})),
        ("/api/v1/api-keys", json!({"name": "k\u{0}"})),
        ("/api/v1/voice/tools/available-slots", json!({"tool_call_id": "a\u{0}b", "arguments": {}})),
    ];
    for (path, body) in json_cases {
        let response = app.post(path, &key).json(&body).send().await.unwrap();
        let (status, code, message) = error_of(response).await;
        assert_eq!((status, code.as_str()), (422, "invalid_body"), "{path}");
        assert!(message.contains("NUL"), "{message}");
    }
    // Nothing was stored.
    let patients: Value = app.get("/api/v1/patients", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(patients["items"].as_array().map(Vec::len), Some(0), "{patients}");

    let uri_cases = [
        ("/api/v1/api-keys/ab%00cd", "invalid_path"),
        ("/api/v1/patients?name=a%00", "invalid_query"),
        ("/webhooks/twilio/alpha%00/messages", "invalid_path"),
        ("/public/alpha%00/appointments/x.ics", "invalid_path"),
    ];
    for (path, expected) in uri_cases {
        let request = if path.starts_with("/api/v1/api-keys") {
            app.http.delete(app.url(path)).header("X-API-KEY", &key)
        } else if path.starts_with("/webhooks") {
            app.http.post(app.url(path)).body("")
        } else {
            app.get(path, &key)
        };
        let (status, code, _) = error_of(request.send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (400, expected), "{path}");
    }

    let response = app.get("/fhir/R4/Appointment?patient=a%00", &key).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/fhir+json"));
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["resourceType"], "OperationOutcome");

    let webhook_cases = [
        ("/webhooks/twilio/alpha/messages", "application/x-www-form-urlencoded", "MessageSid=SM1&Body=a%00"),
        ("/webhooks/vapi/alpha", "application/json", r#"{"message":{"type":"hang","x":"\u0000"}}"#),
        ("/webhooks/helena/alpha", "application/json", "{\"eventType\":\"\0\"}"),
    ];
    for (path, content_type, body) in webhook_cases {
        let response = app
            .http
            .post(app.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, code, _) = error_of(response).await;
        assert_eq!((status, code.as_str()), (400, "invalid_payload"), "{path}");
    }
}

async fn text_that_merely_mentions_u0000_is_kept(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    // The JSON text `\\u0000` is a backslash then "u0000", not a NUL.
    let body = r#"{"name": "C:\\u0000 Ana", "phone": "+5511987654321"}"#;
    let response = app
        .post("/api/v1/patients", &key)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}
