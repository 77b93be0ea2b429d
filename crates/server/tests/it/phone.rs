//! On the phone too (issue 13 item 5), on both backends: a caller who asks the AI for a
//! person is transferred during opening hours and promised a callback after them; callbacks
//! asked for on WhatsApp or through the `schedule_callback` tool land at the local time
//! said; and calls and messages share one consent record, so "não me liguem mais" on
//! WhatsApp stops calls and an opt-out on a call stops messages.

use frontdesk_domain::page::PageRequest;
use frontdesk_store::JobFilter;
use frontdesk_test_support::conversation::{say, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch, post};
use jiff::Timestamp;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    transfer_during_opening_hours_answers_with_the_clinics_number,
    transfer_after_hours_promises_and_plans_a_callback_at_the_next_opening,
    transfer_without_a_number_plans_a_callback_soon,
    invalid_transfer_number_is_refused,
    whatsapp_call_me_back_tomorrow_at_15h,
    schedule_callback_tool_in_english,
    no_more_calls_on_whatsapp_stops_calls_but_not_reminders,
    opt_out_on_a_call_stops_reminders_on_whatsapp,
);

const SECRET: &str = "vapi-server-secret";
const CLINIC_NUMBER: &str = "+551130000000";

/// A São Paulo clinic (weekdays 08:00-12:00 and 14:00-18:00) on WhatsApp, with VAPI (a
/// mock that accepts calls) and a transfer number: its API key and the VAPI and Twilio
/// mocks (kept alive by the caller).
async fn phone_clinic(app: &TestApp, slug: &str, locale: &str) -> (String, MockServer, MockServer) {
    let (key, twilio) = whatsapp_clinic(app, slug, locale).await;
    let vapi = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": "vapi-out-1", "status": "queued"})),
        )
        .mount(&vapi)
        .await;
    let (s, body) = patch(
        app,
        &key,
        "/api/v1/settings",
        json!({"voice": {"provider": "vapi", "transfer_number": CLINIC_NUMBER, "vapi": {"base_url": vapi.uri(),
            "api_key": "vapi-private-key", "assistant_id": "asst-out", "phone_number_id": "pn-1",
            "inbound_assistant_id": "asst-in", "server_secret": SECRET}}}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    (key, vapi, twilio)
}

async fn vapi_post(app: &TestApp, slug: &str, body: &Value) -> Value {
    let r = app
        .http
        .post(app.url(&format!("/webhooks/vapi/{slug}")))
        .header("X-Vapi-Secret", SECRET)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn transfer_request(call: &str, caller: &str) -> Value {
    json!({"message": {"type": "transfer-destination-request", "customer": {"number": caller},
        "call": {"id": call, "type": "inboundPhoneCall", "customer": {"number": caller}}}})
}

async fn new_patient(app: &TestApp, key: &str, phone: &str) -> String {
    let (s, p) = post(app, key, "/api/v1/patients", json!({"name": "João Pereira", "phone": phone})).await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn calls(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/calls").await["items"].as_array().unwrap().clone()
}

async fn place_jobs(app: &TestApp) -> Vec<Timestamp> {
    let mut runs = Vec::new();
    for t in app.ctx.store.list_tenants().await.unwrap() {
        let page = app
            .ctx
            .store
            .list_jobs(t.id, &JobFilter::default(), PageRequest::new(None, Some(500)))
            .await
            .unwrap();
        runs.extend(page.items.into_iter().filter(|j| j.kind == "voice.place_call").map(|j| j.run_at));
    }
    runs.sort();
    runs
}

async fn consents(app: &TestApp, key: &str, patient: &str) -> Vec<Value> {
    get(app, key, &format!("/api/v1/patients/{patient}/export")).await["consents"].as_array().unwrap().clone()
}

fn set_local(app: &TestApp, local: &str) -> Timestamp {
    let t = local
        .parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap())
        .unwrap()
        .timestamp();
    app.clock.set(t);
    t
}

async fn transfer_during_opening_hours_answers_with_the_clinics_number(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    let patient = new_patient(&app, &key, "+5511911112222").await;
    set_local(&app, "2026-06-01T09:00"); // Monday
    let answer = vapi_post(&app, "sorriso", &transfer_request("call-tr-1", "+5511911112222")).await;
    // Exactly PROVIDERS.md section 2.2's shape.
    assert_eq!(
        answer,
        json!({"destination": {"type": "number", "number": CLINIC_NUMBER},
            "message": {"type": "request-start", "message": "Transferindo você para a nossa equipe, um momento."}})
    );
    // The request is kept on the call, no callback is planned, and staff own the
    // patient's conversation.
    let list = calls(&app, &key).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let detail = get(&app, &key, &format!("/api/v1/calls/{}", list[0]["id"].as_str().unwrap())).await;
    let kinds: Vec<&str> =
        detail["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"transfer-destination-request"), "{kinds:?}");
    let conversations = get(&app, &key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    assert_eq!(conversations["items"][0]["needs_staff"], true, "{conversations}");
    // Lunch (12:00-14:00): nobody works, so no transfer.
    set_local(&app, "2026-06-01T12:30");
    let lunch = vapi_post(&app, "sorriso", &transfer_request("call-tr-2", "+5511911112222")).await;
    assert_eq!(
        lunch["error"],
        "No momento estamos fechados. Vamos te ligar de volta hoje (seg, 01/06) às 14:00."
    );
}

async fn transfer_after_hours_promises_and_plans_a_callback_at_the_next_opening(app: TestApp) {
    let (key, vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    new_patient(&app, &key, "+5511933334444").await;
    set_local(&app, "2026-06-05T19:00"); // Friday evening
    let answer = vapi_post(&app, "sorriso", &transfer_request("call-late", "+5511933334444")).await;
    assert_eq!(
        answer,
        json!({"error": "No momento estamos fechados. Vamos te ligar de volta na seg, 08/06, às 08:00."})
    );
    // Asked twice (VAPI retries): one callback.
    vapi_post(&app, "sorriso", &transfer_request("call-late", "+5511933334444")).await;
    let list = calls(&app, &key).await;
    let callback: Vec<&Value> = list.iter().filter(|c| c["reason"] == "after_hours_transfer").collect();
    assert_eq!(callback.len(), 1, "{list:?}");
    assert_eq!(callback[0]["status"], "queued");
    assert_eq!(callback[0]["direction"], "outbound");
    // Monday 08:00 in São Paulo is 11:00 UTC.
    assert_eq!(callback[0]["callback_at"], "2026-06-08T11:00:00Z");
    let monday: Timestamp = "2026-06-08T11:00:00Z".parse().unwrap();
    assert_eq!(place_jobs(&app).await, vec![monday]);
    // Nothing is placed over the weekend; on Monday at 08:00 the call goes out.
    app.run_pending_jobs().await;
    assert!(vapi.received_requests().await.unwrap().is_empty());
    app.clock.set(monday);
    app.run_pending_jobs().await;
    let placed = vapi.received_requests().await.unwrap();
    assert_eq!(placed.len(), 1);
    let body: Value = serde_json::from_slice(&placed[0].body).unwrap();
    assert_eq!(body["customer"]["number"], "+5511933334444");
}

async fn whatsapp_call_me_back_tomorrow_at_15h(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    set_local(&app, "2026-06-04T10:00"); // Thursday
    let reply = say(&app, &key, "+5511955556666", "me liga amanhã às 15h").await;
    assert_eq!(reply, vec!["Combinado! Vamos te ligar amanhã (sex, 05/06) às 15:00.".to_owned()]);
    let list = calls(&app, &key).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["reason"], "callback_requested");
    assert_eq!(list[0]["callback_at"], "2026-06-05T18:00:00Z", "15:00 in São Paulo");
    assert_eq!(place_jobs(&app).await, vec!["2026-06-05T18:00:00Z".parse::<Timestamp>().unwrap()]);
    // Saturday is closed: the next opening, said so.
    let moved = say(&app, &key, "+5511955556666", "pode me ligar sábado às 10h?").await;
    assert_eq!(
        moved,
        vec![
            "Nesse horário a clínica está fechada. Vamos te ligar na seg, 08/06, às 08:00, quando abrimos."
                .to_owned()
        ]
    );
    let later = calls(&app, &key).await;
    assert!(later.iter().any(|c| c["callback_at"] == "2026-06-08T11:00:00Z"), "{later:?}");
}

async fn schedule_callback_tool_in_english(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "smile", "en").await;
    new_patient(&app, &key, "+5511977778888").await;
    set_local(&app, "2026-06-04T10:00"); // Thursday
    let run = |id: &str, when: &str| {
        let body = json!({"message": {"type": "tool-calls", "call": {"id": "call-cb"},
            "customer": {"number": "+5511977778888"},
            "toolCallList": [{"id": id, "type": "function",
                "function": {"name": "schedule_callback", "arguments": json!({"when": when}).to_string()}}]}});
        let app = &app;
        async move {
            let answer = vapi_post(app, "smile", &body).await;
            let result =
                answer["results"][0]["result"].as_str().unwrap_or_else(|| panic!("{answer}")).to_owned();
            serde_json::from_str::<Value>(&result).unwrap()
        }
    };
    let first = run("tc-1", "tomorrow at 3pm").await;
    assert_eq!(first["message"], "Done! We'll call you tomorrow (Fri, Jun 5) at 3:00 PM.");
    assert_eq!(first["callback_at"], "2026-06-05T18:00:00Z");
    assert_eq!(first["moved_to_opening_hours"], false);
    // "3" alone is 3 PM; the same moment is the same callback.
    let again = run("tc-2", "tomorrow at 3").await;
    assert_eq!(again["call_id"], first["call_id"]);
    let outbound: Vec<Value> =
        calls(&app, &key).await.into_iter().filter(|c| c["direction"] == "outbound").collect();
    assert_eq!(outbound.len(), 1, "{outbound:?}");
    // At night: moved to the next opening.
    let night = run("tc-3", "tomorrow at 9pm").await;
    assert_eq!(night["message"], "The clinic is closed then. We'll call you on Mon, Jun 8, at 8:00 AM.");
}

async fn no_more_calls_on_whatsapp_stops_calls_but_not_reminders(app: TestApp) {
    let (key, vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    let phone = "+5511944445555";
    let reply = say(&app, &key, phone, "Não me liguem mais, por favor").await;
    assert_eq!(reply.len(), 1, "{reply:?}");
    assert!(reply[0].starts_with("Tudo bem, não vamos mais te ligar."), "{reply:?}");
    let patients = get(&app, &key, &format!("/api/v1/patients?phone={}", phone.replace('+', "%2B"))).await;
    let patient = patients["items"][0]["id"].as_str().unwrap().to_owned();
    let recorded = consents(&app, &key, &patient).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(
        (&recorded[0]["channel"], &recorded[0]["state"], &recorded[0]["source"]),
        (&json!("voice"), &json!("opted_out"), &json!("keyword"))
    );
    // Staff asking for a call are told why not.
    let (s, refused) = post(&app, &key, "/api/v1/calls", json!({"patient_id": patient})).await;
    assert_eq!(s, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "opted_out", "{refused}");
    // A hot lead for the same number: speed-to-lead messages but does not call.
    let (s, body) = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"leads": {"scoring": {"high_value_services": ["Limpeza"]}}}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, created) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": phone, "name": "Carla Mendes", "source": "paid_ads", "service_interest": "Limpeza",
            "utm_source": "google", "utm_campaign": "limpeza-sp"}),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["lead"]["temperature"], "hot", "{created}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert!(vapi.received_requests().await.unwrap().is_empty(), "VAPI was asked to call");
    let lead = get(&app, &key, &format!("/api/v1/leads/{}", created["lead"]["id"].as_str().unwrap())).await;
    let kinds: Vec<&str> =
        lead["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"call_skipped") && !kinds.contains(&"call_requested"), "{kinds:?}");
    // Reminders still go on WhatsApp.
    let sent = remind(&app, &key, &patient).await;
    assert_eq!(sent["error_code"], Value::Null, "{sent}");
    assert_ne!(sent["status"], "failed", "{sent}");
}

/// Sends an appointment reminder to the patient and returns the message filed for it.
async fn remind(app: &TestApp, key: &str, patient: &str) -> Value {
    use frontdesk_engine::scheduling::Notifier;
    let slug = get(app, key, "/api/v1/tenant").await["slug"].as_str().unwrap().to_owned();
    let tenant = app.ctx.store.tenant_by_slug(&slug).await.unwrap().unwrap();
    let notifier = frontdesk_engine::messaging::MessagingNotifier { ctx: app.ctx.clone() };
    let reminder = frontdesk_engine::scheduling::Notification {
        tenant_id: tenant.id,
        patient_id: frontdesk_domain::PatientId(patient.parse().unwrap()),
        template: "appointment_reminder".into(),
        variables: json!({"patient_first_name": "João", "date": "qua, 10/06", "time": "10:00", "practitioner": "Dra. Ana"}),
        channel: None,
        once: None,
    };
    notifier.notify(&reminder).await.unwrap();
    app.run_pending_jobs().await;
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let whatsapp =
        list["items"].as_array().unwrap().iter().find(|c| c["channel"] == "whatsapp").unwrap().clone();
    let detail = get(app, key, &format!("/api/v1/conversations/{}", whatsapp["id"].as_str().unwrap())).await;
    detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["template"] == "appointment_reminder")
        .cloned()
        .expect("a reminder was filed")
}

async fn opt_out_on_a_call_stops_reminders_on_whatsapp(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    let patient = new_patient(&app, &key, "+5511922223333").await;
    let body = json!({"message": {"type": "tool-calls", "call": {"id": "call-stop"},
        "customer": {"number": "+5511922223333"},
        "toolCallList": [{"id": "tc-stop", "type": "function",
            "function": {"name": "opt_out", "arguments": "{\"channel\": \"messages\"}"}}]}});
    let answer = vapi_post(&app, "sorriso", &body).await;
    let result: Value = serde_json::from_str(answer["results"][0]["result"].as_str().unwrap()).unwrap();
    assert!(
        result["message"].as_str().unwrap().starts_with("Tudo bem, não vamos mais enviar mensagens"),
        "{result}"
    );
    let recorded = consents(&app, &key, &patient).await;
    let channels: Vec<(&str, &str, &str)> = recorded
        .iter()
        .map(|c| {
            (c["channel"].as_str().unwrap(), c["state"].as_str().unwrap(), c["source"].as_str().unwrap())
        })
        .collect();
    // "Messages" are every written channel: WhatsApp, SMS and e-mail.
    assert_eq!(
        channels,
        vec![
            ("whatsapp", "opted_out", "voice"),
            ("sms", "opted_out", "voice"),
            ("email", "opted_out", "voice")
        ]
    );
    // The reminder is not sent; calls are still allowed.
    let skipped = remind(&app, &key, &patient).await;
    assert_eq!(skipped["error_code"], "opted_out", "{skipped}");
    let (s, call) = post(&app, &key, "/api/v1/calls", json!({"patient_id": patient})).await;
    assert_eq!(s, 202, "{call}");
    // The safety net: said on a call without the tool, read from the end-of-call report.
    let other = new_patient(&app, &key, "+5511922224444").await;
    let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
        "customer": {"number": "+5511922224444"},
        "artifact": {"messages": [
            {"role": "bot", "message": "Posso ajudar em algo mais?", "secondsFromStart": 1.0},
            {"role": "user", "message": "Sim, stop texting me please.", "secondsFromStart": 3.0}]},
        "call": {"id": "call-net"}}});
    vapi_post(&app, "sorriso", &report).await;
    let recorded = consents(&app, &key, &other).await;
    assert_eq!(recorded.len(), 3, "WhatsApp, SMS and e-mail: {recorded:?}");
    assert!(recorded.iter().all(|c| c["state"] == "opted_out" && c["source"] == "voice"), "{recorded:?}");
}

async fn transfer_without_a_number_plans_a_callback_soon(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    let (s, body) = patch(&app, &key, "/api/v1/settings", json!({"voice": {"transfer_number": null}})).await;
    assert_eq!(s, 200, "{body}");
    new_patient(&app, &key, "+5511966667777").await;
    set_local(&app, "2026-06-01T09:00"); // Monday, open
    let answer = vapi_post(&app, "sorriso", &transfer_request("call-nonum", "+5511966667777")).await;
    // Not while the caller is still on the line: half an hour later.
    assert_eq!(
        answer,
        json!({"error": "Ninguém da equipe pode atender agora. Vamos te ligar de volta hoje (seg, 01/06) às 09:30."})
    );
    assert_eq!(place_jobs(&app).await, vec!["2026-06-01T12:30:00Z".parse::<Timestamp>().unwrap()]);
}

async fn invalid_transfer_number_is_refused(app: TestApp) {
    let (key, _vapi, _twilio) = phone_clinic(&app, "sorriso", "pt-BR").await;
    for bad in ["11 3000-0000", "+55 11 3000-0000", "clinic"] {
        let (s, body) =
            patch(&app, &key, "/api/v1/settings", json!({"voice": {"transfer_number": bad}})).await;
        assert_eq!(s, 422, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_settings");
    }
    let shown = get(&app, &key, "/api/v1/settings").await;
    assert_eq!(shown["voice"]["transfer_number"], CLINIC_NUMBER);
}
