//! Voice calls over HTTP on both backends: VAPI's server URL (authentication, tool calls
//! in every documented shape, idempotent booking, racing calls, end-of-call reports),
//! outbound placement against a mock VAPI, the retry cadence, the generic voice webhook
//! and tool endpoints, and the sandbox playing a whole call.

use frontdesk_domain::jobs::JobStatus;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::voice::TelephonyFacts;
use frontdesk_store::JobFilter;
use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, error_of, get, patch, post, setup_calendar,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    tool_calls_in_every_documented_shape,
    booking_by_tool_is_idempotent_on_tool_call_id,
    two_calls_racing_for_one_slot,
    end_of_call_report_twice_is_one_call,
    wrong_secret_is_401_and_stores_nothing,
    hmac_plan_authenticates,
    no_answer_follows_the_cadence_inside_calling_hours,
    sandbox_call_books_end_to_end,
    outbound_call_through_mock_vapi,
    generic_webhook_and_tool_endpoints,
    assistant_request_recognises_the_caller,
    mangled_server_messages_never_fail_the_server,
);

const SECRET: &str = "vapi-server-secret";

struct Clinic {
    slug: String,
    key: String,
    service: String,
}

async fn patch_settings(app: &TestApp, key: &str, body: Value) {
    let (status, answer) = patch(app, key, "/api/v1/settings", body).await;
    assert_eq!(status, 200, "{answer}");
}

/// One location, two dentists working weekdays 08:00-12:00, one 30-minute service.
async fn clinic(app: &TestApp, slug: &str) -> Clinic {
    let (_, key) = app.tenant_with_key(slug).await;
    let spec = CalendarSpec { hours: &[("08:00", "12:00")], ..CalendarSpec::default() };
    let calendar = setup_calendar(app, &key, spec).await;
    Clinic { slug: slug.to_owned(), key, service: calendar.service }
}

async fn with_vapi(app: &TestApp, c: &Clinic, base_url: &str) {
    patch_settings(
        app,
        &c.key,
        json!({"voice": {"provider": "vapi", "vapi": {"base_url": base_url, "api_key": "vapi-private-key",
            "assistant_id": "asst-out", "phone_number_id": "pn-1", "inbound_assistant_id": "asst-in",
            "server_secret": SECRET}}}),
    )
    .await;
}

async fn vapi(app: &TestApp, c: &Clinic, body: &Value) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/webhooks/vapi/{}", c.slug)))
        .header("X-Vapi-Secret", SECRET)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn tool_message(call: &str, caller: &str, list: Value) -> Value {
    json!({"message": {"type": "tool-calls", "call": {"id": call}, "customer": {"number": caller},
        "toolCallList": list}})
}

fn function_call(id: &str, name: &str, args: Value) -> Value {
    json!({"id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}})
}

/// Runs one tool through VAPI and returns its parsed result, or `Err(parsed error)`.
async fn tool(
    app: &TestApp,
    c: &Clinic,
    call: &str,
    caller: &str,
    id: &str,
    name: &str,
    args: Value,
) -> Result<Value, Value> {
    let (s, body) = vapi(app, c, &tool_message(call, caller, json!([function_call(id, name, args)]))).await;
    assert_eq!(s, 200, "{body}");
    let r = &body["results"][0];
    assert_eq!(r["toolCallId"], id);
    assert_eq!(r["name"], name);
    match (r["result"].as_str(), r["error"].as_str()) {
        (Some(ok), None) => Ok(serde_json::from_str(ok).unwrap()),
        (None, Some(err)) => Err(serde_json::from_str(err).unwrap()),
        other => panic!("neither result nor error: {other:?}"),
    }
}

async fn first_slot(app: &TestApp, c: &Clinic) -> String {
    let found =
        tool(app, c, "call-find", "+5511911110000", "tc-find", "find_slots", json!({"service": "limpeza"}))
            .await
            .unwrap();
    found["slots"][0]["slot_id"].as_str().unwrap().to_owned()
}

async fn appointments(app: &TestApp, c: &Clinic) -> Vec<Value> {
    get(app, &c.key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

async fn tool_calls_in_every_documented_shape(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let args = json!({"service_id": c.service, "preferred_time": "manhã"});
    let shapes = [
        // The SDK / OpenAPI shape: `function.arguments` as a JSON string.
        json!({"toolCallList": [function_call("tc-sdk", "find_slots", args.clone())]}),
        // custom-tools.mdx: name and arguments object on the item.
        json!({"toolCallList": [{"id": "tc-doc", "name": "find_slots", "arguments": args.clone()}]}),
        // events.mdx: `parameters`.
        json!({"toolCalls": [{"id": "tc-params", "function": {"name": "find_slots", "parameters": args.clone()}}]}),
        // The tool-with-call list.
        json!({"toolWithToolCallList": [{"type": "function", "function": {"name": "find_slots"},
            "toolCall": {"id": "tc-with", "type": "function", "function": {"name": "find_slots", "arguments": args.clone()}}}]}),
    ];
    for (n, list) in shapes.into_iter().enumerate() {
        let mut message = json!({"type": "tool-calls", "call": {"id": format!("call-shape-{n}"),
            "customer": {"number": "+5511922220000"}}});
        message.as_object_mut().unwrap().extend(list.as_object().unwrap().clone());
        let (s, body) = vapi(&app, &c, &json!({"message": message})).await;
        assert_eq!(s, 200, "{body}");
        let results = body["results"].as_array().unwrap();
        assert_eq!(results.len(), 1, "shape {n}: {body}");
        assert_eq!(results[0]["name"], "find_slots");
        let result: Value = serde_json::from_str(results[0]["result"].as_str().unwrap()).unwrap();
        let slots = result["slots"].as_array().unwrap();
        assert_eq!(slots.len(), 3, "shape {n}: {result}");
        for slot in slots {
            let start: Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
            let hour = start.to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap()).hour();
            assert!((8..12).contains(&hour), "a morning slot: {slot}");
            assert!(slot["when"].as_str().unwrap().contains(" às "), "spoken in Portuguese: {slot}");
        }
    }
    // Several calls in one message, one of them unknown and one with arguments that are not JSON.
    let list = json!([
        function_call("tc-a", "lookup_patient", json!({})),
        {"id": "tc-b", "function": {"name": "no_such_tool", "arguments": "{}"}},
        {"id": "tc-c", "function": {"name": "find_slots", "arguments": "not json"}},
    ]);
    let (s, body) = vapi(&app, &c, &tool_message("call-multi", "+5511922220000", list)).await;
    assert_eq!(s, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let lookup: Value = serde_json::from_str(results[0]["result"].as_str().unwrap()).unwrap();
    assert_eq!(lookup["found"], false);
    let unknown: Value = serde_json::from_str(results[1]["error"].as_str().unwrap()).unwrap();
    assert_eq!(unknown["code"], "unknown_tool");
    let not_json: Value = serde_json::from_str(results[2]["error"].as_str().unwrap()).unwrap();
    assert_eq!(not_json["code"], "invalid_arguments", "{body}");
}

async fn booking_by_tool_is_idempotent_on_tool_call_id(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let slot = first_slot(&app, &c).await;
    let args = json!({"slot_id": slot, "name": "Maria Souza"});
    let first = tool(&app, &c, "call-1", "+5511933330000", "tc-book", "book_appointment", args.clone())
        .await
        .unwrap();
    let again =
        tool(&app, &c, "call-1", "+5511933330000", "tc-book", "book_appointment", args).await.unwrap();
    assert_eq!(first, again, "a retried tool call gets the first answer");
    assert!(first["message"].as_str().unwrap().starts_with("Agendado"), "{first}");
    assert_eq!(appointments(&app, &c).await.len(), 1, "one appointment");
    // The call is recorded and knows what it booked; the caller is now a patient.
    let calls = get(&app, &c.key, "/api/v1/calls").await;
    let call = &calls["items"].as_array().unwrap()[0];
    assert_eq!(call["appointment_id"], first["appointment"]["appointment_id"]);
    let found =
        tool(&app, &c, "call-1", "+5511933330000", "tc-look", "lookup_patient", json!({})).await.unwrap();
    assert_eq!(found["found"], true);
    assert_eq!(found["first_name"], "Maria");
    assert_eq!(found["upcoming_appointments"].as_array().unwrap().len(), 1);
}

async fn two_calls_racing_for_one_slot(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let slot = first_slot(&app, &c).await;
    let attempt = |n: u32| {
        let (app, c, slot) = (&app, &c, slot.clone());
        async move {
            tool(
                app,
                c,
                &format!("race-call-{n}"),
                &format!("+55119444{n:05}"),
                &format!("race-tc-{n}"),
                "book_appointment",
                json!({"slot_id": slot, "name": format!("Paciente {n} Silva")}),
            )
            .await
        }
    };
    let (a, b) = tokio::join!(attempt(1), attempt(2));
    let (won, lost) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one booking must win: {other:?}"),
    };
    assert!(won["appointment"]["appointment_id"].is_string());
    assert_eq!(lost["code"], "slot_taken", "{lost}");
    let alternatives = lost["alternatives"].as_array().unwrap();
    assert!(!alternatives.is_empty(), "the loser is offered other times: {lost}");
    assert!(alternatives.iter().all(|s| s["slot_id"].as_str() != Some(slot.as_str())));
    assert_eq!(appointments(&app, &c).await.len(), 1);
}

fn end_of_call(call: &str, reason: &str) -> Value {
    json!({"message": {"type": "end-of-call-report", "endedReason": reason, "cost": 0.23,
        "startedAt": "2026-06-01T12:00:00Z", "endedAt": "2026-06-01T12:02:30Z",
        "customer": {"number": "+5511955550000"},
        "artifact": {"transcript": "AI: Olá User: Oi", "recordingUrl": "https://storage.vapi.ai/rec.wav",
            "stereoRecordingUrl": "https://storage.vapi.ai/rec-stereo.wav",
            "messages": [
                {"role": "system", "message": "", "secondsFromStart": 0},
                {"role": "bot", "message": "Olá, aqui é da clínica.", "secondsFromStart": 0.5},
                {"role": "user", "message": "Oi, tudo bem?", "secondsFromStart": 3.2},
                {"role": "bot", "message": "Posso ajudar a marcar?", "secondsFromStart": 5.0}]},
        "analysis": {"summary": "Conversa curta.", "structuredData": {"interest": "limpeza"}},
        "call": {"id": call, "costBreakdown": {"transport": 0.01, "stt": 0.02, "llm": 0.1, "tts": 0.05,
            "vapi": 0.05, "total": 0.23}}}})
}

async fn end_of_call_report_twice_is_one_call(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let report = end_of_call("vapi-call-report", "customer-ended-call");
    for _ in 0..2 {
        let (s, body) = vapi(&app, &c, &report).await;
        assert_eq!(s, 200, "{body}");
    }
    let calls = get(&app, &c.key, "/api/v1/calls").await;
    let items = calls["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{calls}");
    let detail = get(&app, &c.key, &format!("/api/v1/calls/{}", items[0]["id"].as_str().unwrap())).await;
    assert_eq!(detail["status"], "ended");
    assert_eq!(detail["outcome"], "completed");
    assert_eq!(detail["cost"], 0.23);
    assert_eq!(detail["cost_breakdown"]["llm"], 0.1);
    assert_eq!(detail["duration_seconds"], 150.0);
    assert_eq!(detail["recording_url"], "https://storage.vapi.ai/rec.wav");
    assert_eq!(detail["summary"], "Conversa curta.");
    assert_eq!(detail["structured_data"]["interest"], "limpeza");
    let turns = detail["transcript"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "one transcript, without empty turns: {turns:?}");
    assert_eq!(turns[0]["role"], "assistant");
    assert_eq!(turns[1]["role"], "patient");
    assert_eq!(turns[1]["seconds_from_start"], 3.2);
    assert_eq!(detail["events"].as_array().unwrap().len(), 2, "both deliveries kept for audit");
    // Facts for analytics come from what is stored.
    let tallies = app
        .ctx
        .store
        .call_tallies(
            items[0]["tenant_id"].as_str().unwrap().parse().unwrap(),
            "2026-01-01T00:00:00Z".parse().unwrap(),
            "2027-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let facts = TelephonyFacts::from_tallies(&tallies);
    assert_eq!((facts.calls, facts.answered), (1, 1));
    assert_eq!(facts.average_handle_seconds, Some(150.0));
    assert_eq!(facts.cost_per_call, Some(0.23));
}

async fn wrong_secret_is_401_and_stores_nothing(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let report = end_of_call("vapi-call-forged", "customer-ended-call");
    for secret in [Some("wrong"), None] {
        let mut r = app.http.post(app.url("/webhooks/vapi/sorriso")).json(&report);
        if let Some(s) = secret {
            r = r.header("X-Vapi-Secret", s);
        }
        let (status, code, _) = error_of(r.send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (401, "invalid_webhook_secret"));
    }
    assert!(get(&app, &c.key, "/api/v1/calls").await["items"].as_array().unwrap().is_empty());
    // Bad input with the right secret is a clear 400, never a 500.
    for body in ["not json", "{}", r#"{"message": {"type": "status-update"}}"#] {
        let r = app
            .http
            .post(app.url("/webhooks/vapi/sorriso"))
            .header("X-Vapi-Secret", SECRET)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, code, _) = error_of(r).await;
        assert_eq!((status, code.as_str()), (400, "invalid_payload"), "{body}");
    }
    let r = app
        .http
        .post(app.url("/webhooks/vapi/nobody"))
        .header("X-Vapi-Secret", SECRET)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

async fn hmac_plan_authenticates(app: TestApp) {
    use frontdesk_providers::vapi::{HmacPlan, SignedRequest, compute_hmac_signature};
    let c = clinic(&app, "sorriso").await;
    patch_settings(
        &app,
        &c.key,
        json!({"voice": {"provider": "vapi", "vapi": {"api_key": "k", "assistant_id": "a", "phone_number_id": "p",
            "hmac": {"secret": "hmac-secret", "algorithm": "sha256", "signature_prefix": "sha256="}}}}),
    )
    .await;
    let body = end_of_call("vapi-call-hmac", "customer-ended-call").to_string();
    let url = app.url("/webhooks/vapi/sorriso");
    let plan = HmacPlan { signature_prefix: Some("sha256=".into()), ..HmacPlan::default() };
    let request = SignedRequest {
        method: "POST",
        url: &url,
        body: body.as_bytes(),
        signature: None,
        timestamp: Some("1780315200"),
        svix_id: None,
    };
    let signature =
        compute_hmac_signature(&plan, &secrecy::SecretString::from("hmac-secret"), &request).unwrap();
    let send = |sig: String| {
        app.http
            .post(&url)
            .header("x-signature", sig)
            .header("x-timestamp", "1780315200")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };
    assert_eq!(send(format!("{signature}0")).await.unwrap().status(), 401);
    assert!(get(&app, &c.key, "/api/v1/calls").await["items"].as_array().unwrap().is_empty());
    assert_eq!(send(signature).await.unwrap().status(), 200);
    assert_eq!(get(&app, &c.key, "/api/v1/calls").await["items"].as_array().unwrap().len(), 1);
}

async fn new_patient(app: &TestApp, c: &Clinic, phone: &str) -> String {
    let (s, p) = post(app, &c.key, "/api/v1/patients", json!({"name": "João Pereira", "phone": phone})).await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn jobs_of(app: &TestApp, kind: &str) -> Vec<frontdesk_domain::jobs::Job> {
    let mut all = Vec::new();
    for t in app.ctx.store.list_tenants().await.unwrap() {
        let page = app
            .ctx
            .store
            .list_jobs(t.id, &JobFilter::default(), PageRequest::new(None, Some(500)))
            .await
            .unwrap();
        all.extend(page.items.into_iter().filter(|j| j.kind == kind));
    }
    all.sort_by_key(|j| j.run_at);
    all
}

async fn no_answer_follows_the_cadence_inside_calling_hours(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    patch_settings(&app, &c.key, json!({"voice": {"sandbox_outcome": "no_answer"}})).await;
    let patient = new_patient(&app, &c, "+5511966660000").await;
    // Monday 18:50 in São Paulo: calling hours end at 20:00.
    let t0: Timestamp = "2026-06-01T21:50:00Z".parse().unwrap();
    app.clock.set(t0);
    let (s, call) =
        post(&app, &c.key, "/api/v1/calls", json!({"patient_id": patient, "reason": "hot_lead"})).await;
    assert_eq!(s, 202, "{call}");
    assert_eq!(call["status"], "queued");
    app.run_pending_jobs().await;
    let local = |s: &str| {
        s.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap())
            .unwrap()
            .timestamp()
    };
    // Attempt 1 unanswered: retry 10 minutes later, and a WhatsApp message now.
    let retries = jobs_of(&app, "voice.retry_call").await;
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0].run_at, local("2026-06-01T19:00"));
    let calls = get(&app, &c.key, "/api/v1/calls").await;
    let first = &calls["items"][0];
    assert_eq!(first["outcome"], "no_answer");
    assert!(first["outcome_reason"].as_str().unwrap().contains("retry 2 after 10 minutes"), "{first}");
    let conversations = get(&app, &c.key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let conversation = conversations["items"][0]["id"].as_str().unwrap().to_owned();
    let messages =
        get(&app, &c.key, &format!("/api/v1/conversations/{conversation}")).await["messages"].clone();
    assert!(messages[0]["body"].as_str().unwrap().contains("Tentamos falar com você"), "{messages}");
    // Attempt 2 at 19:00: +2 h would be 21:00, inside quiet hours, so 08:00 on Tuesday.
    app.clock.set(local("2026-06-01T19:00"));
    app.run_pending_jobs().await;
    let retries = jobs_of(&app, "voice.retry_call").await;
    assert_eq!(retries.len(), 2);
    assert_eq!(retries[1].run_at, local("2026-06-02T08:00"));
    // Attempt 3 at 08:00 Tuesday: the next day at 10:00.
    app.clock.set(local("2026-06-02T08:00"));
    app.run_pending_jobs().await;
    let retries = jobs_of(&app, "voice.retry_call").await;
    assert_eq!(retries[2].run_at, local("2026-06-03T10:00"));
    // Attempt 4 is the last of 4.
    app.clock.set(local("2026-06-03T10:00"));
    app.run_pending_jobs().await;
    assert_eq!(jobs_of(&app, "voice.retry_call").await.len(), 3);
    let calls = get(&app, &c.key, &format!("/api/v1/calls?patient_id={patient}")).await;
    let items = calls["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let attempts: Vec<u64> = items.iter().map(|c| c["attempt"].as_u64().unwrap()).collect();
    assert_eq!(attempts, vec![4, 3, 2, 1], "newest first");
    assert!(items[0]["outcome_reason"].as_str().unwrap().contains("no more calls"), "{}", items[0]);
    assert!(items[..3].iter().all(|c| c["parent_call_id"] == items[3]["id"]));
    // Only one WhatsApp follow-up for the whole sequence.
    assert_eq!(jobs_of(&app, "voice.missed_call_message").await.len(), 1);
    let failed: Vec<_> = jobs_of(&app, "voice.place_call")
        .await
        .into_iter()
        .filter(|j| j.status != JobStatus::Succeeded)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

async fn sandbox_call_books_end_to_end(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let patient = new_patient(&app, &c, "+5511977770000").await;
    let (s, call) =
        post(&app, &c.key, "/api/v1/calls", json!({"patient_id": patient, "reason": "hot_lead"})).await;
    assert_eq!(s, 202, "{call}");
    app.run_pending_jobs().await;
    let detail = get(&app, &c.key, &format!("/api/v1/calls/{}", call["id"].as_str().unwrap())).await;
    assert_eq!(detail["provider"], "sandbox");
    assert_eq!(detail["status"], "ended");
    assert_eq!(detail["outcome"], "booked", "{detail}");
    assert_eq!(detail["transcript"].as_array().unwrap().len(), 5);
    let booked = appointments(&app, &c).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["patient_id"], patient.as_str());
    assert_eq!(detail["appointment_id"], booked[0]["id"]);
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap();
    let tallies = app
        .ctx
        .store
        .call_tallies(
            tenant.id,
            "2026-01-01T00:00:00Z".parse().unwrap(),
            "2027-01-01T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let facts = TelephonyFacts::from_tallies(&tallies);
    assert_eq!((facts.booked, facts.answer_rate), (1, Some(1.0)));
    assert_eq!(facts.cost_per_booking, Some(0.12));
}

async fn outbound_call_through_mock_vapi(app: TestApp) {
    let server = MockServer::start().await;
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, &server.uri()).await;
    let patient = new_patient(&app, &c, "+5511988880000").await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .and(header("authorization", "Bearer vapi-private-key"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": "vapi-call-42", "status": "queued"})),
        )
        .mount(&server)
        .await;
    let (_, call) =
        post(&app, &c.key, "/api/v1/calls", json!({"patient_id": patient, "reason": "confirmation"})).await;
    app.run_pending_jobs().await; // 500: retried later
    app.clock.advance(SignedDuration::from_mins(5));
    app.run_pending_jobs().await;
    let detail = get(&app, &c.key, &format!("/api/v1/calls/{}", call["id"].as_str().unwrap())).await;
    assert_eq!(detail["provider_call_id"], "vapi-call-42", "{detail}");
    assert_eq!(detail["status"], "scheduled");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(body["assistantId"], "asst-out");
    assert_eq!(body["phoneNumberId"], "pn-1");
    assert_eq!(body["customer"]["number"], "+5511988880000");
    assert_eq!(body["customer"]["externalId"], patient.as_str());
    let vars = &body["assistantOverrides"]["variableValues"];
    assert_eq!(vars["patientFirstName"], "João");
    assert_eq!(vars["clinicName"], "Clínica sorriso");
    assert_eq!(vars["reason"], "confirmation");
    assert_eq!(body["assistantOverrides"]["metadata"]["frontdeskCallId"], call["id"]);
    // VAPI's later messages find the call by its id.
    let (s, _) = vapi(&app, &c, &json!({"message": {"type": "status-update", "status": "in-progress", "call": {"id": "vapi-call-42"}}})).await;
    assert_eq!(s, 200);
    let (s, _) = vapi(&app, &c, &end_of_call("vapi-call-42", "customer-busy")).await;
    assert_eq!(s, 200);
    let detail = get(&app, &c.key, &format!("/api/v1/calls/{}", call["id"].as_str().unwrap())).await;
    assert_eq!(detail["outcome"], "busy");
    assert_eq!(get(&app, &c.key, "/api/v1/calls").await["items"].as_array().unwrap().len(), 1);
    // A refused call (400) is recorded as failed with VAPI's reason, not retried.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "customer.number must be a valid phone number"})),
        )
        .mount(&server)
        .await;
    let (_, refused) = post(&app, &c.key, "/api/v1/calls", json!({"patient_id": patient})).await;
    app.run_pending_jobs().await;
    let detail = get(&app, &c.key, &format!("/api/v1/calls/{}", refused["id"].as_str().unwrap())).await;
    assert_eq!(detail["status"], "failed");
    assert!(detail["error"].as_str().unwrap().contains("400"), "{detail}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

async fn generic_webhook_and_tool_endpoints(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    patch_settings(&app, &c.key, json!({"voice": {"webhook_secret": "generic-secret"}})).await;
    new_patient(&app, &c, "+5511999990000").await;
    let event = json!({"event": "call.ended", "call_id": "retell-1", "direction": "outbound",
        "customer_number": "+5511999990000", "ended_reason": "customer-ended-call",
        "started_at": "2026-06-01T12:00:00Z", "ended_at": "2026-06-01T12:01:00Z", "cost": 0.05,
        "transcript": [{"role": "agent", "text": "Olá!", "seconds_from_start": 0.4},
                       {"role": "customer", "text": "Me liga amanhã às 10h?", "seconds_from_start": 2.0}],
        "recording_url": "https://rec.example/1.mp3",
        "extracted": {"outcome": "callback", "callback_at": "2026-06-02T13:00:00Z"}});
    let post_event = |secret: &'static str, body: Value| {
        app.http
            .post(app.url("/webhooks/voice/sorriso"))
            .header("X-Webhook-Secret", secret)
            .json(&body)
            .send()
    };
    assert_eq!(post_event("nope", event.clone()).await.unwrap().status(), 401);
    assert!(get(&app, &c.key, "/api/v1/calls").await["items"].as_array().unwrap().is_empty());
    let r = post_event("generic-secret", event.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["outcome"], "callback_requested");
    assert_eq!(post_event("generic-secret", event).await.unwrap().status(), 200);
    let calls = get(&app, &c.key, "/api/v1/calls?outcome=callback_requested").await;
    assert_eq!(calls["items"].as_array().unwrap().len(), 1);
    let retries = jobs_of(&app, "voice.retry_call").await;
    assert_eq!(retries.len(), 1, "the callback is planned once");
    assert_eq!(retries[0].run_at, "2026-06-02T13:00:00Z".parse::<Timestamp>().unwrap());
    let (s, bad) = post(&app, &c.key, "/api/v1/calls", json!({"patient_id": "not-a-uuid"})).await;
    assert_eq!((s, bad["error"]["code"].as_str()), (422, Some("invalid_body")), "{bad}");
    let r = post_event("generic-secret", json!({"event": "call.exploded", "call_id": "x"})).await.unwrap();
    assert_eq!(error_of(r).await.0, 400);

    // The same tools with an API key.
    let (s, found) =
        post(&app, &c.key, "/api/v1/voice/tools/patient-lookup", json!({"caller_number": "+5511999990000"}))
            .await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(found["result"]["first_name"], "João");
    let (s, slots) = post(
        &app,
        &c.key,
        "/api/v1/voice/tools/available-slots",
        json!({"arguments": {"department": "odontologia"}}),
    )
    .await;
    assert_eq!(s, 200, "{slots}");
    let slot = slots["result"]["slots"][0]["slot_id"].as_str().unwrap().to_owned();
    let book = |id: &'static str| json!({"tool_call_id": id, "caller_number": "+5511999990000", "arguments": {"slot_id": slot}});
    let (s, booked) = post(&app, &c.key, "/api/v1/voice/tools/book-appointment", book("api-1")).await;
    assert_eq!(s, 200, "{booked}");
    let (s, replay) = post(&app, &c.key, "/api/v1/voice/tools/book-appointment", book("api-1")).await;
    assert_eq!((s, &replay), (200, &booked));
    let (s, taken) = post(&app, &c.key, "/api/v1/voice/tools/book-appointment", book("api-2")).await;
    assert_eq!(s, 409, "{taken}");
    assert_eq!(taken["error"]["code"], "slot_taken");
    assert!(!taken["error"]["alternatives"].as_array().unwrap().is_empty());
    let r =
        app.http.post(app.url("/api/v1/voice/tools/available-slots")).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 401, "tools need an API key");
}

async fn assistant_request_recognises_the_caller(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let patient = new_patient(&app, &c, "+5511912340000").await;
    let request = |number: &str| json!({"message": {"type": "assistant-request", "call": {"id": format!("in-{number}")}, "customer": {"number": number}}});
    let (s, known) = vapi(&app, &c, &request("+5511912340000")).await;
    assert_eq!(s, 200);
    assert_eq!(known["assistantId"], "asst-in");
    assert_eq!(known["assistantOverrides"]["variableValues"]["patientFirstName"], "João");
    assert_eq!(known["assistantOverrides"]["variableValues"]["patientId"], patient.as_str());
    let (_, stranger) = vapi(&app, &c, &request("+5511900000001")).await;
    assert_eq!(stranger["assistantId"], "asst-in");
    assert!(stranger["assistantOverrides"]["variableValues"].get("patientFirstName").is_none());
    let calls = get(&app, &c.key, "/api/v1/calls").await;
    assert!(calls["items"].as_array().unwrap().iter().all(|c| c["direction"] == "inbound"));
    let (s, _) =
        vapi(&app, &c, &json!({"message": {"type": "hang", "call": {"id": "in-+5511912340000"}}})).await;
    assert_eq!(s, 200);
    let (s, _) = vapi(&app, &c, &json!({"message": {"type": "speech-update", "status": "started"}})).await;
    assert_eq!(s, 200, "unknown types are acknowledged");
}

/// Every prefix of real messages, and real messages with each field replaced by values of
/// the wrong type, get a 2xx or 4xx answer: never a 5xx.
async fn mangled_server_messages_never_fail_the_server(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    with_vapi(&app, &c, "http://127.0.0.1:9").await;
    let originals = [
        tool_message(
            "m-1",
            "+5511900001111",
            json!([function_call("m-tc", "book_appointment", json!({"slot_id": "x.y.z.1"}))]),
        ),
        end_of_call("m-2", "customer-busy"),
        json!({"message": {"type": "status-update", "status": "ended", "endedReason": "voicemail", "call": {"id": "m-3"}}}),
        json!({"message": {"type": "assistant-request", "call": {"id": "m-4"}, "customer": {"number": "+5511900001111"}}}),
    ];
    let weird = [
        json!(null),
        json!(42),
        json!("text"),
        json!([1, 2]),
        json!({"nested": {"deep": true}}),
        json!(-1.5e300),
    ];
    let mut bodies: Vec<String> = Vec::new();
    for original in &originals {
        let text = original.to_string();
        bodies.extend((0..text.len()).step_by(17).filter_map(|n| text.get(..n).map(str::to_owned)));
        let message = original["message"].as_object().unwrap();
        for key in message.keys() {
            for w in &weird {
                let mut mangled = original.clone();
                mangled["message"][key] = w.clone();
                bodies.push(mangled.to_string());
            }
        }
    }
    for body in bodies {
        let r = app
            .http
            .post(app.url("/webhooks/vapi/sorriso"))
            .header("X-Vapi-Secret", SECRET)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{} for {body}", r.status());
    }
}
