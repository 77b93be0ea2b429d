//! The n8n integration end to end on both backends, with a mock n8n webhook: patient
//! messages are forwarded (with the configured auth header) instead of answered; n8n's
//! callbacks send the next question, offer slots of the department it chose (the patient
//! then picks one through the built-in dialogue), and book, cancel or confirm; callbacks
//! are authenticated and idempotent; a failed forward is retried and delivered once.

use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, tenants};
use frontdesk_test_support::conversation::replies_to;
use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, get, patch, setup_calendar};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    a_patient_message_is_forwarded_instead_of_answered,
    intake_and_triage_then_the_patient_books_by_number,
    booking_response_books_confirms_and_cancels,
    callbacks_are_authenticated_validated_and_idempotent,
    a_failed_forward_is_retried_and_delivered_once,
);

const TOKEN: &str = "cb-token-0123456789abcdef";
const HOOK: &str = "/webhook/frontdesk";

async fn patch_settings(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    patch(app, key, "/api/v1/settings", body).await
}

/// A clinic with two dentists working weekdays 08:00-12:00 and 14:00-18:00 and one
/// 30-minute service of the `odontologia` department.
async fn clinic(app: &TestApp, slug: &str) -> String {
    let new = NewTenant::parse(slug, "Clínica Sorriso", "America/Sao_Paulo", "pt-BR").unwrap();
    let tenant = tenants::create_tenant(&app.ctx, &new).await.unwrap();
    let (_, secret) = access::issue_api_key(&app.ctx, tenant.id, "test").await.unwrap();
    let key = secret.expose().to_owned();
    setup_calendar(app, &key, CalendarSpec::default()).await;
    key
}

/// A mock n8n answering 200, and the clinic's settings pointing at it.
async fn with_n8n(app: &TestApp, key: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"received": true})))
        .mount(&server)
        .await;
    configure(app, key, &server).await;
    server
}

async fn configure(app: &TestApp, key: &str, server: &MockServer) {
    let n8n = json!({"dialogue": {"n8n": {"webhook_url": format!("{}{HOOK}", server.uri()),
        "auth_header": "X-N8N-Auth", "auth_value": "Bearer n8n-secret", "callback_token": TOKEN}}});
    let (s, v) = patch_settings(app, key, n8n).await;
    assert_eq!(s, 200, "{v}");
}

/// What n8n received, in order.
async fn forwarded(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == HOOK)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The patient writes; the jobs run; returns the clinic's replies to that message.
async fn say(app: &TestApp, key: &str, from: &str, text: &str) -> Vec<String> {
    let before = outbound(app, key, from).await.len();
    let r = app
        .post("/api/v1/sandbox/inbound", key)
        .json(&json!({"from": from, "body": text}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    outbound(app, key, from).await.split_off(before)
}

async fn outbound(app: &TestApp, key: &str, from: &str) -> Vec<String> {
    replies_to(app, key, from).await
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

/// n8n calls back: `(status, body)`.
async fn callback(
    app: &TestApp,
    slug: &str,
    what: &str,
    token: Option<&str>,
    idempotency_key: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut r = app.http.post(app.url(&format!("/webhooks/n8n/{slug}/{what}"))).json(&body);
    if let Some(t) = token {
        r = r.header("Authorization", format!("Bearer {t}"));
    }
    if let Some(k) = idempotency_key {
        r = r.header("Idempotency-Key", k);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The conversation id n8n last received.
async fn conversation_id(server: &MockServer) -> String {
    forwarded(server).await.last().unwrap()["conversation_id"].as_str().unwrap().to_owned()
}

// 2026-06-01 12:00Z is Monday 09:00 in São Paulo.

async fn a_patient_message_is_forwarded_instead_of_answered(app: TestApp) {
    let key = clinic(&app, "sorriso").await;
    let server = with_n8n(&app, &key).await;
    // The secrets are write-only.
    let settings = get(&app, &key, "/api/v1/settings").await;
    let n8n = &settings["dialogue"]["n8n"];
    assert_eq!(n8n["auth_value"], "********", "{n8n}");
    assert_eq!(n8n["callback_token"], "********");
    assert_eq!(n8n["auth_header"], "X-N8N-Auth");
    // Sending the masks back keeps the secrets; invalid settings are refused.
    let (s, _) = patch_settings(&app, &key, json!({"dialogue": {"n8n": n8n.clone()}})).await;
    assert_eq!(s, 200);
    for bad in [
        json!({"webhook_url": "ftp://n8n.example.com/hook"}),
        json!({"callback_token": "short"}),
        json!({"auth_header": "X Bad Header"}),
    ] {
        let (s, v) = patch_settings(&app, &key, json!({"dialogue": {"n8n": bad}})).await;
        assert!((400..500).contains(&s), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("n8n."), "{v}");
    }

    let patient = "+5511987650101";
    let replies = say(&app, &key, patient, "Oi, quero marcar uma limpeza amanhã de manhã").await;
    assert!(replies.is_empty(), "the built-in dialogue stays quiet: {replies:?}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let auth = requests[0].headers.get("x-n8n-auth").unwrap().to_str().unwrap();
    assert_eq!(auth, "Bearer n8n-secret");
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["tenant"], "sorriso");
    assert_eq!(body["text"], "Oi, quero marcar uma limpeza amanhã de manhã");
    assert_eq!(body["patient"]["locale"], "pt-BR");
    assert!(body["patient"]["id"].is_string() && body["patient"]["first_name"].is_string(), "{body}");
    assert!(body["conversation_id"].is_string() && body["message_id"].is_string(), "{body}");
    assert_eq!(body["received_at"], "2026-06-01T12:00:00Z");
    assert_eq!(
        body["state"],
        json!({"extracted_fields": {}, "intake_complete": false,
        "department": null, "step": "idle"})
    );
    assert_eq!(
        body["callbacks"],
        json!({
            "intake_response": "http://127.0.0.1:8080/webhooks/n8n/sorriso/intake-response",
            "triage_response": "http://127.0.0.1:8080/webhooks/n8n/sorriso/triage-response",
            "booking_response": "http://127.0.0.1:8080/webhooks/n8n/sorriso/booking-response",
        })
    );
    // The message id is the stored inbound message's.
    let conversation =
        get(&app, &key, &format!("/api/v1/conversations/{}", body["conversation_id"].as_str().unwrap()))
            .await;
    assert_eq!(conversation["messages"][0]["id"], body["message_id"], "{conversation}");
    assert!(appointments(&app, &key).await.is_empty());
    // An English-speaking patient: the workflow is told, and the patient's language is kept.
    let english = "+5511987650102";
    say(&app, &key, english, "Hi, I would like to book a cleaning tomorrow morning please").await;
    let requests = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests.last().unwrap().body).unwrap();
    assert_eq!(body["patient"]["locale"], "en", "{body}");
    let found = get(&app, &key, "/api/v1/patients?phone=%2B5511987650102").await;
    assert_eq!(found["items"][0]["locale"], "en", "{found}");
}

async fn intake_and_triage_then_the_patient_books_by_number(app: TestApp) {
    let key = clinic(&app, "sorriso").await;
    let server = with_n8n(&app, &key).await;
    let patient = "+5511987650102";
    say(&app, &key, patient, "Oi, estou com dor de dente").await;
    let conversation = conversation_id(&server).await;
    let before = outbound(&app, &key, patient).await.len();
    let (s, v) = callback(
        &app,
        "sorriso",
        "intake-response",
        Some(TOKEN),
        Some("intake-1"),
        json!({"conversation_id": conversation, "extracted_fields": {"chief_complaint": "dor de dente", "name": "Maria Souza"},
               "next_question": "Há quanto tempo sente a dor?", "intake_complete": false}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["question_sent"], true);
    assert_eq!(outbound(&app, &key, patient).await.split_off(before), vec!["Há quanto tempo sente a dor?"]);
    // The next message carries what n8n extracted so far.
    let quiet = say(&app, &key, patient, "Desde ontem").await;
    assert!(quiet.is_empty(), "{quiet:?}");
    let last = forwarded(&server).await.pop().unwrap();
    assert_eq!(last["text"], "Desde ontem");
    assert_eq!(
        last["state"]["extracted_fields"],
        json!({"chief_complaint": "dor de dente", "name": "Maria Souza"})
    );
    let (s, _) = callback(
        &app,
        "sorriso",
        "intake-response",
        Some(TOKEN),
        Some("intake-2"),
        json!({"conversation_id": conversation, "extracted_fields": {"since": "ontem"}, "intake_complete": true}),
    )
    .await;
    assert_eq!(s, 200);

    // An unknown department is refused, naming it, and the key stays unused.
    let before = outbound(&app, &key, patient).await.len();
    let triage = |department: &str| json!({"conversation_id": conversation, "department": department, "confidence": 0.92});
    let (s, v) =
        callback(&app, "sorriso", "triage-response", Some(TOKEN), Some("triage-1"), triage("Cardiologia"))
            .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["code"], "unknown_department");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("Cardiologia") && message.contains("odontologia"), "{message}");
    assert_eq!(outbound(&app, &key, patient).await.len(), before);
    let (s, v) =
        callback(&app, "sorriso", "triage-response", Some(TOKEN), Some("triage-1"), triage("Odontologia"))
            .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["department"], "odontologia");
    assert_eq!(v["offered"].as_array().unwrap().len(), 3, "{v}");
    let offer = outbound(&app, &key, patient).await.split_off(before);
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("1.") && offer[0].contains("2.") && offer[0].contains("3."), "{}", offer[0]);

    // The choice stays with the built-in dialogue: n8n does not hear it.
    let sent_to_n8n = forwarded(&server).await.len();
    let done = say(&app, &key, patient, "1").await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
    assert_eq!(forwarded(&server).await.len(), sent_to_n8n);
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1);
    let first: jiff::Timestamp = v["offered"][0]["slot_id"]
        .as_str()
        .unwrap()
        .rsplit('.')
        .next()
        .unwrap()
        .parse::<i64>()
        .map(|s| jiff::Timestamp::from_second(s).unwrap())
        .unwrap();
    assert_eq!(booked[0]["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(), first);
    // After booking, messages go to n8n again.
    let quiet = say(&app, &key, patient, "Obrigado!").await;
    assert!(quiet.is_empty(), "{quiet:?}");
    assert_eq!(forwarded(&server).await.len(), sent_to_n8n + 1);
}

async fn booking_response_books_confirms_and_cancels(app: TestApp) {
    let key = clinic(&app, "sorriso").await;
    let server = with_n8n(&app, &key).await;
    let patient = "+5511987650103";
    say(&app, &key, patient, "Quero marcar uma limpeza").await;
    let conversation = conversation_id(&server).await;
    let (s, v) = callback(
        &app,
        "sorriso",
        "triage-response",
        Some(TOKEN),
        Some("t-1"),
        json!({"conversation_id": conversation, "department": "Odontologia"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let slot = v["offered"][1]["slot_id"].as_str().unwrap().to_owned();
    let book = |k: &'static str, body: Value| {
        let app = &app;
        async move { callback(app, "sorriso", "booking-response", Some(TOKEN), Some(k), body).await }
    };
    let before = outbound(&app, &key, patient).await.len();
    let (s, v) =
        book("b-1", json!({"conversation_id": conversation, "action": "book", "slot_id": slot})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["ok"].clone(), v["booked"].clone(), v["status"].clone()),
        (json!(true), json!(true), json!("booked"))
    );
    let sent = outbound(&app, &key, patient).await.split_off(before);
    assert!(sent.len() == 1 && sent[0].starts_with("Tudo certo"), "{sent:?}");
    assert_eq!(appointments(&app, &key).await.len(), 1);
    // The same slot again, under another key: taken, other times are offered.
    let (s, v) =
        book("b-2", json!({"conversation_id": conversation, "action": "book", "slot_id": slot})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["booked"], false);
    assert_eq!(v["reason"], "slot_taken");
    assert!(!v["offered"].as_array().unwrap().is_empty(), "{v}");

    let (s, v) = book("c-1", json!({"conversation_id": conversation, "action": "confirm"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "confirmed");
    let before = outbound(&app, &key, patient).await.len();
    let (s, v) = book("x-1", json!({"conversation_id": conversation, "action": "cancel"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "cancelled");
    let sent = outbound(&app, &key, patient).await.split_off(before);
    assert!(sent.len() == 1 && sent[0].contains("cancelada"), "{sent:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "cancelled");
    // A repeat of the key is acknowledged and changes nothing.
    let (s, v) = book("x-1", json!({"conversation_id": conversation, "action": "cancel"})).await;
    assert_eq!((s, v), (200, json!({"ok": true, "duplicate": true})));
    assert_eq!(outbound(&app, &key, patient).await.len(), before + 1);
    // Nothing left to cancel, and bad requests name the problem.
    let (s, v) = book("x-2", json!({"conversation_id": conversation, "action": "cancel"})).await;
    assert_eq!(s, 404, "{v}");
    let (s, v) = book("b-3", json!({"conversation_id": conversation, "action": "book"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("slot_id"), "{v}");
    let (s, v) =
        book("b-4", json!({"conversation_id": conversation, "action": "book", "slot_id": "nope"})).await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = book("b-5", json!({"conversation_id": conversation, "action": "reschedule"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("action"), "{v}");
}

async fn callbacks_are_authenticated_validated_and_idempotent(app: TestApp) {
    let key = clinic(&app, "sorriso").await;
    let server = with_n8n(&app, &key).await;
    let patient = "+5511987650104";
    say(&app, &key, patient, "Olá").await;
    let conversation = conversation_id(&server).await;
    let intake = json!({"conversation_id": conversation, "extracted_fields": {"name": "Maria"},
                        "next_question": "Qual a sua data de nascimento?"});

    // Wrong or missing token: 401, and nothing is stored or sent.
    for token in [Some("wrong-token-0123456789"), None] {
        let (s, v) = callback(&app, "sorriso", "intake-response", token, Some("k-1"), intake.clone()).await;
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["error"]["code"], "invalid_callback_token");
    }
    assert!(outbound(&app, &key, patient).await.is_empty());
    say(&app, &key, patient, "Oi?").await;
    assert_eq!(forwarded(&server).await.pop().unwrap()["state"]["extracted_fields"], json!({}));
    // Missing Idempotency-Key: 400.
    let (s, v) = callback(&app, "sorriso", "intake-response", Some(TOKEN), None, intake.clone()).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["code"], "missing_idempotency_key");
    // Unknown tenant, and a tenant without n8n: 404.
    let (s, _) = callback(&app, "nobody", "intake-response", Some(TOKEN), Some("k-1"), intake.clone()).await;
    assert_eq!(s, 404);
    let other_key = clinic(&app, "outra").await;
    let (s, v) = callback(&app, "outra", "intake-response", Some(TOKEN), Some("k-1"), intake.clone()).await;
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_configured")));
    // Another tenant's conversation: 404, even with that tenant's own token.
    configure(&app, &other_key, &server).await;
    let (s, v) = callback(&app, "outra", "intake-response", Some(TOKEN), Some("k-1"), intake.clone()).await;
    assert_eq!(s, 404, "{v}");
    // Malformed bodies: a 4xx naming the field.
    for (body, field) in [
        (json!({"extracted_fields": {}}), "conversation_id"),
        (json!({"conversation_id": conversation, "intake_complete": "yes"}), "intake_complete"),
        (json!({"conversation_id": "not-a-uuid"}), "conversation_id"),
    ] {
        let (s, v) = callback(&app, "sorriso", "intake-response", Some(TOKEN), Some("k-1"), body).await;
        assert!((400..500).contains(&s), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(field), "{field}: {v}");
    }
    let (s, v) = callback(
        &app,
        "sorriso",
        "triage-response",
        Some(TOKEN),
        Some("k-1"),
        json!({"conversation_id": conversation}),
    )
    .await;
    assert!((400..500).contains(&s) && v["error"]["message"].as_str().unwrap().contains("department"), "{v}");
    let r = app
        .http
        .post(app.url("/webhooks/n8n/sorriso/intake-response"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Idempotency-Key", "k-1")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // The key is still unused; the first use acts, a repeat does nothing.
    let (s, v) = callback(&app, "sorriso", "intake-response", Some(TOKEN), Some("k-1"), intake.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["extracted_fields"], json!({"name": "Maria"}));
    let (s, v) = callback(&app, "sorriso", "intake-response", Some(TOKEN), Some("k-1"), intake.clone()).await;
    assert_eq!((s, v), (200, json!({"ok": true, "duplicate": true})));
    assert_eq!(outbound(&app, &key, patient).await, vec!["Qual a sua data de nascimento?"]);
    // Staff took over: n8n hears nothing more and may not write to the patient.
    let list = get(
        &app,
        &key,
        &format!(
            "/api/v1/conversations?patient_id={}",
            forwarded(&server).await[0]["patient"]["id"].as_str().unwrap()
        ),
    )
    .await;
    let id = list["items"][0]["id"].as_str().unwrap();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/conversations/{id}")))
        .header("X-API-KEY", &key)
        .json(&json!({"needs_staff": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let heard = forwarded(&server).await.len();
    say(&app, &key, patient, "Alô?").await;
    assert_eq!(forwarded(&server).await.len(), heard);
    let (s, v) = callback(&app, "sorriso", "intake-response", Some(TOKEN), Some("k-2"), intake).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("handed_to_staff")));
}

async fn a_failed_forward_is_retried_and_delivered_once(app: TestApp) {
    let key = clinic(&app, "sorriso").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    configure(&app, &key, &server).await;
    let patient = "+5511987650105";
    say(&app, &key, patient, "Bom dia").await;
    assert_eq!(forwarded(&server).await.len(), 1, "the first attempt failed");
    let jobs = get(&app, &key, "/api/v1/jobs?kind=journey.n8n_forward").await;
    assert_eq!(jobs["items"][0]["status"], "queued", "{jobs}");
    assert!(jobs["items"][0]["last_error"].as_str().unwrap().contains("500"), "{jobs}");
    // Past the back-off the job runs again and n8n gets the message.
    app.clock.advance(SignedDuration::from_secs(60));
    app.run_pending_jobs().await;
    let delivered = forwarded(&server).await;
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[0], delivered[1], "the same message, twice");
    let jobs = get(&app, &key, "/api/v1/jobs?kind=journey.n8n_forward").await;
    assert_eq!(jobs["items"][0]["status"], "succeeded", "{jobs}");
    app.clock.advance(SignedDuration::from_hours(1));
    app.run_pending_jobs().await;
    assert_eq!(forwarded(&server).await.len(), 2, "delivered once");

    // A 4xx is permanent: no retry.
    server.reset().await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    say(&app, &key, patient, "Alguém aí?").await;
    app.clock.advance(SignedDuration::from_hours(1));
    app.run_pending_jobs().await;
    assert_eq!(forwarded(&server).await.len(), 1);
    let dead = get(&app, &key, "/api/v1/jobs?kind=journey.n8n_forward&status=dead").await;
    assert_eq!(dead["items"].as_array().unwrap().len(), 1, "{dead}");
}
