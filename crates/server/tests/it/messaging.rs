//! Messaging end to end on both backends, through the real webhook endpoints with signed
//! Twilio requests, and with a mock Twilio API for outbound messages.

use frontdesk_domain::Clock;
use frontdesk_providers::twilio::compute_signature;
use frontdesk_test_support::{TestApp, backend_tests, error_of, post_signed_twilio};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    signed_inbound_is_stored_once_even_posted_three_times,
    forged_signature_is_403_and_nothing_is_stored,
    outbound_sends_exact_fields_and_status_callbacks_only_move_forward,
    a_status_that_outruns_its_send_is_kept_and_applied_once_the_send_is_recorded,
    provider_500_then_429_then_201_delivers_exactly_once,
    twilio_21211_ends_as_failed_with_that_code,
    opt_out_blocks_a_later_reminder_and_start_opts_back_in,
    quiet_hours_defer_an_automated_message_to_0800_local,
    free_text_outside_the_whatsapp_window_is_refused,
    sandbox_conversation_and_patient_apis,
    helena_inbound_and_outbound_against_a_mock,
    arbitrary_webhook_bodies_never_get_5xx,
);

/// A tenant whose booking dialogue is off: these tests are about carrying messages, and
/// the dialogue's replies would be extra messages in every count (it has its own tests).
async fn transport_only(app: &TestApp, slug: &str) -> String {
    let (_, key) = app.tenant_with_key(slug).await;
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&json!({"dialogue": {"enabled": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    key
}

const TOKEN: &str = "12345";
const SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

async fn twilio_clinic(app: &TestApp, server: &MockServer) -> String {
    let key = transport_only(app, "clinic").await;
    let r = app.http.patch(app.url("/api/v1/settings")).header("X-API-KEY", &key)
        .json(&json!({"messaging": {"whatsapp_provider": "twilio", "sms_provider": "twilio", "twilio": {
            "account_sid": SID, "auth_token": TOKEN, "base_url": server.uri(), "whatsapp_from": "+14155238886", "sms_from": "+14155238886"
        }}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    key
}

/// Posts a webhook signed the way Twilio signs it (over the public URL and all params).
async fn post_signed(app: &TestApp, path: &str, params: &[(&str, &str)], token: &str) -> reqwest::Response {
    post_signed_twilio(app, path, params, token).await
}

fn inbound<'a>(sid: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MessageSid", sid),
        ("AccountSid", SID),
        ("From", "whatsapp:+5511987654321"),
        ("To", "whatsapp:+14155238886"),
        ("Body", body),
        ("NumMedia", "0"),
        ("ProfileName", "Maria"),
        ("WaId", "5511987654321"),
    ]
}

async fn conversations(app: &TestApp, key: &str) -> Vec<Value> {
    let v: Value = app.get("/api/v1/conversations", key).send().await.unwrap().json().await.unwrap();
    v["items"].as_array().unwrap().clone()
}

async fn messages(app: &TestApp, key: &str) -> Vec<Value> {
    let convs = conversations(app, key).await;
    let id = convs[0]["id"].as_str().unwrap();
    let v: Value =
        app.get(&format!("/api/v1/conversations/{id}"), key).send().await.unwrap().json().await.unwrap();
    v["messages"].as_array().unwrap().clone()
}

async fn signed_inbound_is_stored_once_even_posted_three_times(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    for _ in 0..3 {
        let r =
            post_signed(&app, "/webhooks/twilio/clinic/messages", &inbound("SM1", "Oi, quero marcar"), TOKEN)
                .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/xml");
        assert!(r.text().await.unwrap().contains("<Response/>"));
    }
    app.run_pending_jobs().await;
    let msgs = messages(&app, &key).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        (msgs[0]["direction"].as_str(), msgs[0]["body"].as_str()),
        (Some("inbound"), Some("Oi, quero marcar"))
    );
    let patients: Value =
        app.get("/api/v1/patients?phone=987654321", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(patients["items"][0]["name"], "Maria");
    assert_eq!(patients["items"][0]["phone"], "+5511987654321");
}

async fn forged_signature_is_403_and_nothing_is_stored(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    let r = post_signed(&app, "/webhooks/twilio/clinic/messages", &inbound("SM9", "forjado"), "wrong-token")
        .await;
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (403, "invalid_signature"));
    let unsigned = app
        .http
        .post(app.url("/webhooks/twilio/clinic/messages"))
        .header("content-type", "application/x-www-form-urlencoded")
        .form(&inbound("SM9", "sem assinatura"))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(app.run_pending_jobs().await, 0);
    assert!(conversations(&app, &key).await.is_empty());
    let t = app.ctx.store.tenant_by_slug("clinic").await.unwrap().unwrap();
    assert!(app.ctx.store.inbound_event(t.id, "twilio", "SM9").await.unwrap().is_none());
}

async fn patient_id(app: &TestApp, key: &str) -> String {
    let p: Value = app
        .post("/api/v1/patients", key)
        .json(&json!({"name": "Maria Souza", "phone": "(11) 98765-4321"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    p["id"].as_str().unwrap().to_owned()
}

/// The patient wrote first, so the WhatsApp window is open.
async fn open_window(app: &TestApp) {
    post_signed(app, "/webhooks/twilio/clinic/messages", &inbound("SMin", "Oi"), TOKEN).await;
    app.run_pending_jobs().await;
}

fn created(sid: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"sid": sid, "status": "queued", "account_sid": SID}))
}

async fn outbound_sends_exact_fields_and_status_callbacks_only_move_forward(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    open_window(&app).await;
    let basic = format!("Basic {}", base64_encode(&format!("{SID}:{TOKEN}")));
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{SID}/Messages.json")))
        .and(header("authorization", basic.as_str()))
        .and(body_string_contains("To=whatsapp%3A%2B5511987654321"))
        .and(body_string_contains("From=whatsapp%3A%2B14155238886"))
        .and(body_string_contains("Body=Ol%C3%A1%2C+Maria"))
        .and(body_string_contains(
            "StatusCallback=http%3A%2F%2F127.0.0.1%3A8080%2Fwebhooks%2Ftwilio%2Fclinic%2Fstatus",
        ))
        .respond_with(created("SMout1"))
        .expect(1)
        .mount(&server)
        .await;
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"phone": "+5511987654321", "channel": "whatsapp", "body": "Olá, Maria"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    let requests = server.received_requests().await.unwrap();
    let idem = requests[0].headers.get("i-twilio-idempotency-token").expect("idempotency token");
    assert!(!idem.to_str().unwrap().is_empty());
    let out =
        || async { messages(&app, &key).await.into_iter().find(|m| m["direction"] == "outbound").unwrap() };
    assert_eq!(out().await["provider_message_id"], "SMout1");
    for (status, expected) in
        [("delivered", "delivered"), ("sent", "delivered"), ("read", "read"), ("delivered", "read")]
    {
        let r = post_signed(
            &app,
            "/webhooks/twilio/clinic/status",
            &[("MessageSid", "SMout1"), ("MessageStatus", status), ("AccountSid", SID)],
            TOKEN,
        )
        .await;
        assert_eq!(r.status(), 204);
        assert_eq!(out().await["status"], expected, "after {status}");
    }
}

/// Twilio may report on a message before Frontdesk has committed the sid it answered (the
/// callback races the send job's commit). The report is acknowledged, kept, and applied as
/// soon as the message is there; before, it was dropped with a 2xx.
async fn a_status_that_outruns_its_send_is_kept_and_applied_once_the_send_is_recorded(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    open_window(&app).await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{SID}/Messages.json")))
        .respond_with(created("SMrace1"))
        .expect(1)
        .mount(&server)
        .await;
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"phone": "+5511987654321", "channel": "whatsapp", "body": "Olá, Maria"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    // The report arrives first, for a sid no message has yet; twice, as Twilio may retry.
    for _ in 0..2 {
        let r = post_signed(
            &app,
            "/webhooks/twilio/clinic/status",
            &[("MessageSid", "SMrace1"), ("MessageStatus", "delivered"), ("AccountSid", SID)],
            TOKEN,
        )
        .await;
        assert_eq!(r.status(), 204, "acknowledged");
    }
    // The send job records the sid; the kept report is applied then or on its retry.
    app.run_pending_jobs().await;
    for _ in 0..3 {
        app.clock.advance(SignedDuration::from_mins(5));
        app.run_pending_jobs().await;
    }
    let out = messages(&app, &key).await.into_iter().find(|m| m["direction"] == "outbound").unwrap();
    assert_eq!(
        (out["provider_message_id"].as_str(), out["status"].as_str()),
        (Some("SMrace1"), Some("delivered"))
    );
    let jobs: Value =
        app.get("/api/v1/jobs?kind=messaging.apply_status", &key).send().await.unwrap().json().await.unwrap();
    let jobs = jobs["items"].as_array().unwrap();
    assert_eq!(jobs.len(), 1, "kept once: {jobs:?}");
    assert_eq!(jobs[0]["status"], "succeeded");
    // A report on a message the clinic never sent is kept and retried, then ends dead
    // (visible to staff) rather than vanishing.
    let r = post_signed(
        &app,
        "/webhooks/twilio/clinic/status",
        &[("MessageSid", "SMnever"), ("MessageStatus", "delivered"), ("AccountSid", SID)],
        TOKEN,
    )
    .await;
    assert_eq!(r.status(), 204);
    for _ in 0..12 {
        app.clock.advance(SignedDuration::from_hours(2));
        app.run_pending_jobs().await;
    }
    let dead: Value = app
        .get("/api/v1/jobs?kind=messaging.apply_status&status=dead", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dead["items"].as_array().unwrap().len(), 1, "{dead}");
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn provider_500_then_429_then_201_delivers_exactly_once(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    open_window(&app).await;
    let p = format!("/2010-04-01/Accounts/{SID}/Messages.json");
    Mock::given(method("POST"))
        .and(path(p.clone()))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(p.clone()))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(json!({"code": 20429, "message": "Too Many Requests"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(p)).respond_with(created("SMok")).expect(1).mount(&server).await;
    app.post("/api/v1/messages", &key)
        .json(&json!({"phone": "+5511987654321", "channel": "whatsapp", "body": "Lembrete"}))
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        app.run_pending_jobs().await;
        app.clock.advance(SignedDuration::from_mins(5));
    }
    let outbound: Vec<Value> =
        messages(&app, &key).await.into_iter().filter(|m| m["direction"] == "outbound").collect();
    assert_eq!(outbound.len(), 1);
    assert_eq!(
        (outbound[0]["status"].as_str(), outbound[0]["provider_message_id"].as_str()),
        (Some("sent"), Some("SMok"))
    );
    let tokens: std::collections::HashSet<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers.get("i-twilio-idempotency-token").unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 1, "every attempt carries the same idempotency token");
}

async fn twilio_21211_ends_as_failed_with_that_code(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    open_window(&app).await;
    Mock::given(method("POST")).and(path(format!("/2010-04-01/Accounts/{SID}/Messages.json")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"code": 21211, "message": "The 'To' number +5511987654321 is not a valid phone number.", "status": 400})))
        .expect(1).mount(&server).await;
    app.post("/api/v1/messages", &key)
        .json(&json!({"phone": "+5511987654321", "channel": "whatsapp", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    app.run_pending_jobs().await;
    app.clock.advance(SignedDuration::from_hours(1));
    app.run_pending_jobs().await;
    let out = messages(&app, &key).await.into_iter().find(|m| m["direction"] == "outbound").unwrap();
    assert_eq!((out["status"].as_str(), out["error_code"].as_str()), (Some("failed"), Some("21211")));
}

async fn opt_out_blocks_a_later_reminder_and_start_opts_back_in(app: TestApp) {
    let key = transport_only(&app, "clinic").await;
    let inbound = |body: &str| {
        app.post("/api/v1/sandbox/inbound", &key)
            .json(&json!({"from": "+55 11 98765-4321", "body": body}))
            .send()
    };
    assert_eq!(inbound("Parar!").await.unwrap().status(), 202);
    app.run_pending_jobs().await;
    let msgs = messages(&app, &key).await;
    assert_eq!(msgs.len(), 2, "the keyword and one confirmation");
    assert_eq!(msgs[1]["template"], "opt_out_confirmation");
    // A reminder (automated) is now skipped, with the reason on the conversation.
    let patient = app
        .ctx
        .store
        .patient_by_phone(
            app.ctx.store.tenant_by_slug("clinic").await.unwrap().unwrap().id,
            &frontdesk_domain::contact::PhoneE164::parse("+5511987654321", "BR").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let notifier = frontdesk_engine::messaging::MessagingNotifier { ctx: app.ctx.clone() };
    use frontdesk_engine::scheduling::Notifier;
    let reminder = frontdesk_engine::scheduling::Notification {
        tenant_id: patient.tenant_id,
        patient_id: patient.id,
        template: "appointment_reminder".into(),
        variables: json!({"patient_first_name": "Maria", "date": "qua, 03/06", "time": "10:00", "practitioner": "Dra. Ana"}),
        channel: None,
        once: None,
    };
    notifier.notify(&reminder).await.unwrap();
    app.run_pending_jobs().await;
    let last = messages(&app, &key).await.pop().unwrap();
    assert_eq!((last["status"].as_str(), last["error_code"].as_str()), (Some("failed"), Some("opted_out")));
    // "cancelar" is not an opt-out; "voltar" opts back in.
    inbound("cancelar").await.unwrap();
    inbound("VOLTAR").await.unwrap();
    app.run_pending_jobs().await;
    notifier.notify(&reminder).await.unwrap();
    app.run_pending_jobs().await;
    let last = messages(&app, &key).await.pop().unwrap();
    assert_eq!(
        (last["status"].as_str(), last["template"].as_str()),
        (Some("delivered"), Some("appointment_reminder"))
    );
    assert!(last["body"].as_str().unwrap().contains("10:00"));
}

async fn quiet_hours_defer_an_automated_message_to_0800_local(app: TestApp) {
    let key = transport_only(&app, "clinic").await;
    let pid = patient_id(&app, &key).await;
    // 2026-06-02 01:30Z is Monday 22:30 in São Paulo: inside quiet hours.
    app.clock.set("2026-06-02T01:30:00Z".parse().unwrap());
    let request = frontdesk_engine::messaging::SendRequest {
        tenant_id: app.ctx.store.tenant_by_slug("clinic").await.unwrap().unwrap().id,
        patient_id: frontdesk_domain::PatientId(pid.parse().unwrap()),
        channel: frontdesk_domain::messaging::Channel::Whatsapp,
        content: frontdesk_engine::messaging::Content::Text("Lembrete".into()),
        automated: true,
        by: frontdesk_domain::messaging::Sender::Automation,
        campaign: None,
    };
    frontdesk_engine::messaging::send(&app.ctx, request).await.unwrap();
    let jobs: Value =
        app.get("/api/v1/jobs?kind=messaging.send", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(jobs["items"][0]["run_at"], "2026-06-02T11:00:00Z", "08:00 in São Paulo");
    // Only the fact log of the filed (queued) message runs now; the delivery waits.
    assert_eq!(app.run_pending_jobs().await, 1);
    assert_eq!(app.run_pending_jobs().await, 0);
    let jobs: Value =
        app.get("/api/v1/jobs?kind=messaging.send", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(jobs["items"][0]["status"], "queued", "{jobs}");
    app.clock.set("2026-06-02T11:00:00Z".parse().unwrap());
    // The delivery, then the fact log of its new status.
    assert_eq!(app.run_pending_jobs().await, 2);
}

async fn free_text_outside_the_whatsapp_window_is_refused(app: TestApp) {
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    let pid = patient_id(&app, &key).await;
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": pid, "channel": "whatsapp", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (422, "whatsapp_window_closed"));
    // A template without an approved WhatsApp version is refused too; SMS has no window.
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": pid, "channel": "whatsapp", "template": "opt_in_confirmation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.1, "no_approved_template");
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": pid, "channel": "sms", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // Once the patient writes, free text is fine for 24 hours.
    open_window(&app).await;
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": pid, "channel": "whatsapp", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    app.clock.advance(SignedDuration::from_hours(25));
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": pid, "channel": "whatsapp", "body": "Oi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.0, 422);
    let _ = app.clock.now();
}

async fn sandbox_conversation_and_patient_apis(app: TestApp) {
    let key = transport_only(&app, "clinic").await;
    let other = transport_only(&app, "other").await;
    app.post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "11987654321", "body": "Vocês atendem convênio?"}))
        .send()
        .await
        .unwrap();
    app.run_pending_jobs().await;
    let convs = conversations(&app, &key).await;
    assert_eq!(convs.len(), 1);
    let id = convs[0]["id"].as_str().unwrap();
    assert!(conversations(&app, &other).await.is_empty());
    assert_eq!(app.get(&format!("/api/v1/conversations/{id}"), &other).send().await.unwrap().status(), 404);
    let found: Value =
        app.get("/api/v1/conversations?q=CONVÊNIO", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/conversations/{id}")))
        .header("X-API-KEY", &key)
        .json(&json!({"assignee": "recepcao", "status": "pending"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = app
        .post(&format!("/api/v1/conversations/{id}/messages"), &key)
        .json(&json!({"body": "Sim, atendemos!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    app.run_pending_jobs().await;
    let msgs = messages(&app, &key).await;
    assert_eq!((msgs.len(), msgs[1]["status"].as_str()), (2, Some("delivered")));
    // Patients: the sandbox sender was registered; search, read, correct.
    let list: Value =
        app.get("/api/v1/patients?phone=98765", &key).send().await.unwrap().json().await.unwrap();
    let pid = list["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/patients/{pid}")))
        .header("X-API-KEY", &key)
        .json(&json!({"name": "Maria Souza", "email": "maria@example.com", "locale": "en"}))
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert_eq!((p["name"].as_str(), p["locale"].as_str()), (Some("Maria Souza"), Some("en")));
    assert_eq!(app.get(&format!("/api/v1/patients/{pid}"), &other).send().await.unwrap().status(), 404);
    let dup = app
        .post("/api/v1/patients", &key)
        .json(&json!({"name": "Outra", "phone": "+55 11 8765-4321"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(dup).await.1,
        "phone_taken",
        "the nine-digit and eight-digit spellings are one patient"
    );
}

async fn helena_inbound_and_outbound_against_a_mock(app: TestApp) {
    let server = MockServer::start().await;
    let key = transport_only(&app, "clinic").await;
    let r = app.http.patch(app.url("/api/v1/settings")).header("X-API-KEY", &key)
        .json(&json!({"messaging": {"whatsapp_provider": "helena", "helena": {
            "base_url": server.uri(), "api_token": "pn_token", "webhook_secret": "hook-secret", "from": "+5511900000000"}}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let event = json!({"eventType": "MESSAGE_RECEIVED", "date": "2026-06-01T12:00:00Z", "changeMetadata": null,
        "content": {"id": "0b7c5d2e-1111-4a5b-9c3d-2e2f3a4b5c6d", "type": "TEXT", "sessionId": "5f0c0f0e-2222-4a5b-9c3d-2e2f3a4b5c6d",
            "text": "Bom dia, tem horário amanhã?", "direction": "FROM_HUB", "status": "DELIVERED",
            "details": {"from": "+55|11987654321", "file": null, "errors": null}}});
    let wrong =
        app.http.post(app.url("/webhooks/helena/clinic?token=nope")).json(&event).send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    for _ in 0..2 {
        let r = app
            .http
            .post(app.url("/webhooks/helena/clinic?token=hook-secret"))
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    app.run_pending_jobs().await;
    let msgs = messages(&app, &key).await;
    assert_eq!(msgs.len(), 1, "a redelivered event is stored once");
    assert_eq!(msgs[0]["body"], "Bom dia, tem horário amanhã?");
    // A reply goes out through Helena's send/text with the token.
    Mock::given(method("POST"))
        .and(path("/chat/v1/send/text"))
        .and(header("authorization", "Bearer pn_token"))
        .and(wiremock::matchers::body_partial_json(json!({"to": "+5511987654321", "text": "Temos sim!"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "msg-out-1", "sessionId": "s1", "status": "PROCESSING"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let conv = conversations(&app, &key).await[0]["id"].as_str().unwrap().to_owned();
    let r = app
        .post(&format!("/api/v1/conversations/{conv}/messages"), &key)
        .json(&json!({"body": "Temos sim!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    app.run_pending_jobs().await;
    let out = messages(&app, &key).await.into_iter().find(|m| m["direction"] == "outbound").unwrap();
    assert_eq!(
        (out["provider"].as_str(), out["provider_message_id"].as_str()),
        (Some("helena"), Some("msg-out-1"))
    );
    let update = json!({"eventType": "MESSAGE_UPDATED", "date": "2026-06-01T12:01:00Z",
        "content": {"id": "msg-out-1", "status": "READ", "direction": "TO_HUB", "sessionId": "s1"}});
    let r = app
        .http
        .post(app.url("/webhooks/helena/clinic"))
        .header("X-Helena-Token", "hook-secret")
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let out = messages(&app, &key).await.into_iter().find(|m| m["direction"] == "outbound").unwrap();
    assert_eq!(out["status"], "read");
    // Other event types are kept and acknowledged.
    let contact = json!({"eventType": "CONTACT_NEW", "date": "2026-06-01T12:02:00Z", "content": {"id": "c1", "name": "Ana", "phonenumber": "+55|11999990000"}});
    let r = app
        .http
        .post(app.url("/webhooks/helena/clinic?token=hook-secret"))
        .json(&contact)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

/// Random bodies, correctly signed so they reach the parsers: never a 5xx.
async fn arbitrary_webhook_bodies_never_get_5xx(app: TestApp) {
    use rand::{Rng, SeedableRng};
    let server = MockServer::start().await;
    let key = twilio_clinic(&app, &server).await;
    let r = app.http.patch(app.url("/api/v1/settings")).header("X-API-KEY", &key)
        .json(&json!({"messaging": {"helena": {"base_url": server.uri(), "api_token": "t", "webhook_secret": "s", "from": "+5511900000000"}}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 200);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let pieces = [
        "MessageSid=",
        "From=",
        "whatsapp%3A%2B55",
        "Body=",
        "&",
        "=",
        "%",
        "NumMedia=",
        "99",
        "MediaUrl0=",
        "{",
        "}",
        "\"eventType\"",
        ":",
        "\"MESSAGE_RECEIVED\"",
        "\"content\"",
        "[",
        "]",
        "null",
        "\u{0}",
        "é",
        "MessageStatus=",
        "delivered",
    ];
    for i in 0..150 {
        let body: String =
            (0..rng.random_range(0..20)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect();
        let params = frontdesk_providers::twilio::parse_form(body.as_bytes());
        for endpoint in ["messages", "status"] {
            let path = format!("/webhooks/twilio/clinic/{endpoint}");
            let signature = compute_signature(TOKEN, &format!("http://127.0.0.1:8080{path}"), params.clone());
            let r = app
                .http
                .post(app.url(&path))
                .header("X-Twilio-Signature", signature)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert!(r.status().as_u16() < 500, "case {i} {endpoint}: {}", r.status());
        }
        let r = app
            .http
            .post(app.url("/webhooks/helena/clinic?token=s"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "case {i} helena: {}", r.status());
    }
    app.run_pending_jobs().await;
}
