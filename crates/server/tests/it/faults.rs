//! Every job of the inbound path is retry-safe: a fault injected after each step (the
//! engine's fault points, armed only here) fails the job there, the runner retries it, and
//! the end state is the one an undisturbed run reaches - exactly one patient, one lead, one
//! filed message, one reply, one appointment - on SQLite and PostgreSQL.

use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, tenants};
use frontdesk_test_support::{TestApp, backend_tests, mock_twilio, patch, twilio_messaging};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::MockServer;

const SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TWILIO_TOKEN: &str = "12345";

backend_tests!(
    a_fault_after_each_inbound_step_leaves_one_patient_lead_message_and_reply,
    a_send_interrupted_between_filing_and_enqueueing_goes_out_once,
    a_fault_after_booking_or_replying_leaves_one_appointment_and_one_confirmation,
    a_reminder_job_failing_after_its_send_texts_the_patient_once,
    a_speed_to_lead_job_failing_after_its_call_calls_once,
    a_dialogue_job_rerun_after_its_turn_committed_sends_no_second_reply_nor_hands_off,
);

async fn signed_twilio(app: &TestApp, slug: &str, params: &[(&str, &str)]) -> reqwest::Response {
    let path = format!("/webhooks/twilio/{slug}/messages");
    let signature = frontdesk_providers::twilio::compute_signature(
        TWILIO_TOKEN,
        &format!("http://127.0.0.1:8080{path}"),
        params.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    app.http
        .post(app.url(&path))
        .header("X-Twilio-Signature", signature)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app.post(path, key).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = app.get(path, key).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

async fn clinic(app: &TestApp, slug: &str, locale: &str) -> (String, MockServer) {
    let new = NewTenant::parse(slug, "Clínica Sorriso", "America/Sao_Paulo", locale).unwrap();
    let tenant = tenants::create_tenant(&app.ctx, &new).await.unwrap();
    let (_, secret) = access::issue_api_key(&app.ctx, tenant.id, "test").await.unwrap();
    let key = secret.expose().to_owned();
    let (_, loc) = post(
        app,
        &key,
        "/api/v1/locations",
        json!({"name": "Centro", "address": "Rua A, 1", "timezone": "America/Sao_Paulo"}),
    )
    .await;
    let location = loc["id"].as_str().unwrap().to_owned();
    for name in ["Dra. Ana Lima", "Dr. Bruno Reis"] {
        let (_, d) = post(
            app,
            &key,
            "/api/v1/practitioners",
            json!({"name": name, "department": "Odontologia", "location_ids": [location]}),
        )
        .await;
        let intervals: Vec<Value> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .iter()
            .flat_map(|day| {
                [
                    json!({"weekday": day, "start": "08:00", "end": "12:00"}),
                    json!({"weekday": day, "start": "14:00", "end": "18:00"}),
                ]
            })
            .collect();
        let r = app
            .http
            .put(app.url(&format!("/api/v1/practitioners/{}/hours", d["id"].as_str().unwrap())))
            .header("X-API-KEY", &key)
            .json(&json!({"location_id": location, "intervals": intervals}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let (s, v) = post(
        app,
        &key,
        "/api/v1/services",
        json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    // WhatsApp goes through Twilio (a mock): patients write through signed webhooks and the
    // clinic's replies are sent to the Messages API.
    let twilio = mock_twilio(SID).await;
    let settings = json!({"messaging": twilio_messaging(&twilio, SID, TWILIO_TOKEN)});
    let (status, answer) = patch(app, &key, "/api/v1/settings", settings).await;
    assert_eq!(status, 200, "{answer}");
    (key, twilio)
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

/// Delivers one message from `from` (a signed webhook), then runs jobs as the runner would:
/// a failed job is retried once its backoff has passed.
async fn deliver(app: &TestApp, key: &str, from: &str, text: &str) {
    let slug = get(app, key, "/api/v1/tenant").await["slug"].as_str().unwrap().to_owned();
    let sid = format!("SM{}", uuid::Uuid::now_v7().simple());
    let whatsapp = format!("whatsapp:{from}");
    let params = [
        ("MessageSid", sid.as_str()),
        ("AccountSid", SID),
        ("From", whatsapp.as_str()),
        ("To", "whatsapp:+14155238886"),
        ("Body", text),
        ("NumMedia", "0"),
    ];
    let r = signed_twilio(app, &slug, &params).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    settle(app).await;
}

async fn settle(app: &TestApp) {
    for _ in 0..6 {
        app.run_pending_jobs().await;
        app.clock.advance(SignedDuration::from_mins(10));
    }
}

async fn conversation_messages(app: &TestApp, key: &str, from: &str) -> Vec<Value> {
    let patients = get(app, key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
    let patient = patients["items"][0]["id"].as_str().expect("the patient");
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "one conversation: {list}");
    let id = list["items"][0]["id"].as_str().unwrap();
    get(app, key, &format!("/api/v1/conversations/{id}")).await["messages"].as_array().unwrap().clone()
}

/// Requests the mock Twilio received for `to`.
async fn sent_to(twilio: &MockServer, to: &str) -> usize {
    let encoded = form_urlencoded::byte_serialize(format!("whatsapp:{to}").as_bytes()).collect::<String>();
    twilio
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(&format!("To={encoded}")))
        .count()
}

async fn a_fault_after_each_inbound_step_leaves_one_patient_lead_message_and_reply(app: TestApp) {
    let (key, twilio) = clinic(&app, "faults-in", "pt-BR").await;
    let points = ["inbound.patient", "inbound.filed", "inbound.lead", "dialogue.replied"];
    for (n, point) in points.iter().enumerate() {
        let from = format!("+551198765{n:04}");
        app.ctx.faults.arm(point, 1);
        deliver(&app, &key, &from, "Oi, quero marcar uma limpeza amanhã de manhã").await;
        assert_eq!(app.ctx.faults.pending(point), 0, "{point} was never reached");
        let patients = get(&app, &key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
        assert_eq!(patients["items"].as_array().unwrap().len(), 1, "{point}: one patient");
        let messages = conversation_messages(&app, &key, &from).await;
        let inbound = messages.iter().filter(|m| m["direction"] == "inbound").count();
        let outbound: Vec<&Value> = messages.iter().filter(|m| m["direction"] == "outbound").collect();
        assert_eq!(inbound, 1, "{point}: the message filed once");
        assert_eq!(outbound.len(), 1, "{point}: one reply: {outbound:?}");
        assert!(outbound[0]["body"].as_str().unwrap().contains("1."), "{point}: the offer: {outbound:?}");
        assert_eq!(sent_to(&twilio, &from).await, 1, "{point}: handed to Twilio once");
        let patient = patients["items"][0]["id"].as_str().unwrap();
        let leads = get(&app, &key, "/api/v1/leads").await;
        let mine = leads["items"].as_array().unwrap().iter().filter(|l| l["patient_id"] == patient).count();
        assert_eq!(mine, 1, "{point}: one lead: {leads}");
    }
}

async fn a_send_interrupted_between_filing_and_enqueueing_goes_out_once(app: TestApp) {
    let (key, twilio) = clinic(&app, "faults-send", "pt-BR").await;
    let from = "+5511987650100";
    app.ctx.faults.arm("send.filed", 1);
    deliver(&app, &key, from, "Oi, quero marcar uma limpeza amanhã de manhã").await;
    assert_eq!(app.ctx.faults.pending("send.filed"), 0, "the fault fired");
    let messages = conversation_messages(&app, &key, from).await;
    let outbound: Vec<&Value> = messages.iter().filter(|m| m["direction"] == "outbound").collect();
    assert_eq!(outbound.len(), 1, "one reply filed: {outbound:?}");
    // Not left queued without its delivery job: it went out, once.
    assert_ne!(outbound[0]["status"], "queued", "{outbound:?}");
    assert_eq!(sent_to(&twilio, from).await, 1);
}

async fn a_fault_after_booking_or_replying_leaves_one_appointment_and_one_confirmation(app: TestApp) {
    let (key, twilio) = clinic(&app, "faults-book", "pt-BR").await;
    for (n, point) in ["dialogue.booked", "dialogue.replied"].iter().enumerate() {
        let from = format!("+551198765020{n}");
        deliver(&app, &key, &from, "Oi, quero marcar uma limpeza amanhã de manhã").await;
        deliver(&app, &key, &from, "2").await; // asks for the name
        app.ctx.faults.arm(point, 1);
        deliver(&app, &key, &from, "Maria Souza").await;
        assert_eq!(app.ctx.faults.pending(point), 0, "{point} was never reached");
        let patients = get(&app, &key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
        let patient = patients["items"][0]["id"].as_str().unwrap().to_owned();
        let booked: Vec<Value> = appointments(&app, &key)
            .await
            .into_iter()
            .filter(|a| a["patient_id"] == patient.as_str())
            .collect();
        assert_eq!(booked.len(), 1, "{point}: one appointment: {booked:?}");
        let outbound: Vec<String> = conversation_messages(&app, &key, &from)
            .await
            .iter()
            .filter(|m| m["direction"] == "outbound")
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect();
        // The offer, the name question, one confirmation.
        assert_eq!(outbound.len(), 3, "{point}: {outbound:?}");
        assert!(outbound[2].starts_with("Tudo certo"), "{point}: {outbound:?}");
        assert_eq!(sent_to(&twilio, &from).await, 3, "{point}: each reply handed to Twilio once");
    }
}

/// A reminder job that sent its message and then failed is retried without a second text.
async fn a_reminder_job_failing_after_its_send_texts_the_patient_once(app: TestApp) {
    let (_, key) = app.tenant_with_key("faults-reminder").await;
    let calendar =
        frontdesk_test_support::setup_calendar(&app, &key, frontdesk_test_support::CalendarSpec::default())
            .await;
    let booking = json!({"patient": {"name": "Maria Souza", "phone": "+5511987650300"},
        "practitioner_id": calendar.practitioners[0], "location_id": calendar.location,
        "service_id": calendar.service, "start": "2026-06-03T10:00:00-03:00"});
    let r = app.post("/api/v1/appointments", &key).json(&booking).send().await.unwrap();
    assert_eq!(r.status(), 201);
    app.run_pending_jobs().await;
    let start: jiff::Timestamp = "2026-06-03T13:00:00Z".parse().unwrap();
    app.ctx.faults.arm("reminder.sent", 1);
    app.clock.set(start - SignedDuration::from_hours(24));
    app.run_pending_jobs().await;
    assert_eq!(app.ctx.faults.pending("reminder.sent"), 0, "the fault fired");
    app.clock.set(start - SignedDuration::from_hours(23));
    app.run_pending_jobs().await;
    let list: Value = app.get("/api/v1/conversations", &key).send().await.unwrap().json().await.unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let thread: Value =
        app.get(&format!("/api/v1/conversations/{id}"), &key).send().await.unwrap().json().await.unwrap();
    let reminders = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["template"] == "appointment_reminder")
        .count();
    assert_eq!(reminders, 1, "one reminder: {thread}");
}

/// A hot lead's speed-to-lead job that asked for the call and then failed is retried
/// without a second call.
async fn a_speed_to_lead_job_failing_after_its_call_calls_once(app: TestApp) {
    let (_, key) = app.tenant_with_key("faults-call").await;
    app.ctx.faults.arm("lead.call_requested", 1);
    let lead = json!({"phone": "+5511987650400", "name": "Carla Mendes", "source": "paid_ads",
        "message": "Quero marcar hoje, é urgente"});
    let r = app.post("/api/v1/leads", &key).json(&lead).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    assert_eq!(app.ctx.faults.pending("lead.call_requested"), 0, "the fault fired");
    app.clock.set(frontdesk_domain::Clock::now(&app.clock) + SignedDuration::from_mins(2));
    app.run_pending_jobs().await;
    let calls: Value = app.get("/api/v1/calls", &key).send().await.unwrap().json().await.unwrap();
    let first_attempts = calls["items"].as_array().unwrap().iter().filter(|c| c["attempt"] == 1).count();
    assert_eq!(first_attempts, 1, "one call asked for: {calls}");
}

/// The crash of issue 16: a dialogue job that answered (its turn saved, its reply filed)
/// but was not marked done runs again when its lease expires. The rerun must not decide a
/// new turn from the moved state - a second "did not understand" is a hand-off - but only
/// make sure the committed replies went out: one reply, staff not called. Both crash
/// points: after the commit (nothing filed yet) and after the replies were filed.
async fn a_dialogue_job_rerun_after_its_turn_committed_sends_no_second_reply_nor_hands_off(app: TestApp) {
    let (key, twilio) = clinic(&app, "faults-rerun", "pt-BR").await;
    let cases = [
        ("dialogue.answered", "xqzt wrrbl ploft", "Desculpe"),
        ("dialogue.answered", "Oi, quero marcar uma limpeza amanhã de manhã", "1."),
        ("dialogue.replied", "xqzt wrrbl ploft", "Desculpe"),
    ];
    for (n, (point, text, expected)) in cases.iter().enumerate() {
        let from = format!("+551198765050{n}");
        app.ctx.faults.arm(point, 1);
        deliver(&app, &key, &from, text).await;
        assert_eq!(app.ctx.faults.pending(point), 0, "{point} was never reached");
        let outbound: Vec<String> = conversation_messages(&app, &key, &from)
            .await
            .iter()
            .filter(|m| m["direction"] == "outbound")
            .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(outbound.len(), 1, "{point}/{text}: one reply: {outbound:?}");
        assert!(outbound[0].contains(expected), "{point}/{text}: {outbound:?}");
        assert_eq!(sent_to(&twilio, &from).await, 1, "{point}/{text}: handed to Twilio once");
        let patients = get(&app, &key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
        let patient = patients["items"][0]["id"].as_str().unwrap();
        let list = get(&app, &key, &format!("/api/v1/conversations?patient_id={patient}")).await;
        assert_eq!(list["items"][0]["needs_staff"], false, "{point}/{text}: no hand-off: {list}");
    }
}
