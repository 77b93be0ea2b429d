//! Leads over HTTP on both backends: intake from the API and from Helena, merging
//! repeats, the hot-lead playbook (a call request reaching a mock VAPI and a WhatsApp
//! message), follow-ups that stop on a reply, stages moved by appointments, and
//! reactivation after a no-show that stops when the patient books again.

use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, error_of, get, post, setup_calendar};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    hot_lead_is_called_and_messaged_at_once,
    helena_contact_becomes_a_lead,
    repeat_within_window_merges,
    follow_up_stops_when_the_patient_replies,
    appointments_move_the_lead_and_no_show_reactivates,
    staff_edit_stage_owner_and_lost_reason,
    unknown_numbers_writing_or_calling_become_leads,
    hot_lead_from_helena_gets_its_call_and_message,
    stated_urgency_in_the_first_message_heats_the_lead,
);

async fn patch(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    app.http.patch(app.url(path)).header("X-API-KEY", key).json(&body).send().await.unwrap()
}

/// A clinic with one dentist (weekdays 08:00-12:00) and two services, one high-value.
async fn clinic(app: &TestApp, slug: &str) -> (String, String) {
    let (_, key) = app.tenant_with_key(slug).await;
    let spec = CalendarSpec {
        practitioners: &["Dra. Ana Lima"],
        hours: &[("08:00", "12:00")],
        services: [("Limpeza", 15000), ("Implante", 450000)]
            .map(|(name, price)| json!({"name": name, "department": "odontologia", "duration_minutes": 30, "price_cents": price}))
            .to_vec(),
        ..CalendarSpec::default()
    };
    let location = setup_calendar(app, &key, spec).await.location;
    let r = patch(
        app,
        &key,
        "/api/v1/settings",
        json!({"leads": {"scoring": {"high_value_services": ["Implante"]}}}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (key, location)
}

fn implant_lead(phone: &str) -> Value {
    json!({"phone": phone, "name": "Carla Mendes", "source": "paid_ads", "service_interest": "Implante",
        "utm_source": "google", "utm_campaign": "implante-sp"})
}

async fn messages_of(app: &TestApp, key: &str, patient: &str) -> Vec<Value> {
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let Some(id) = list["items"][0]["id"].as_str() else { return Vec::new() };
    get(app, key, &format!("/api/v1/conversations/{id}")).await["messages"].as_array().unwrap().clone()
}

async fn hot_lead_is_called_and_messaged_at_once(app: TestApp) {
    let vapi = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "vapi-lead-call"})))
        .expect(1)
        .mount(&vapi)
        .await;
    let (key, _) = clinic(&app, "sorriso").await;
    let r = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"voice": {"provider": "vapi", "vapi": {"base_url": vapi.uri(),
        "api_key": "k", "assistant_id": "asst", "phone_number_id": "pn", "server_secret": "s"}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let (s, created) = post(&app, &key, "/api/v1/leads", implant_lead("+5511955554444")).await;
    assert_eq!(s, 201, "{created}");
    let lead = &created["lead"];
    assert_eq!(lead["temperature"], "hot", "{lead}");
    assert!(
        lead["score_reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("high-value"))
    );
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let body: Value = serde_json::from_slice(&vapi.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(body["customer"]["number"], "+5511955554444");
    assert_eq!(body["assistantOverrides"]["variableValues"]["reason"], "hot_lead");
    let id = lead["id"].as_str().unwrap();
    let view = get(&app, &key, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(view["stage"], "contacted");
    assert_eq!(view["first_outbound_at"], "2026-06-01T12:00:00Z");
    let kinds: Vec<&str> =
        view["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for k in ["created", "scored", "call_requested", "message_queued", "stage_changed"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let calls = get(&app, &key, "/api/v1/calls").await;
    assert_eq!(calls["items"][0]["lead_id"], id);
    assert_eq!(calls["items"][0]["provider_call_id"], "vapi-lead-call");
    let messages = messages_of(&app, &key, lead["patient_id"].as_str().unwrap()).await;
    assert_eq!(messages.len(), 1);
    assert!(messages[0]["body"].as_str().unwrap().contains("Implante"), "{}", messages[0]);
    // The timeline says where the message is now, not that it was sent when it was queued.
    let queued = view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "message_queued").unwrap();
    assert_eq!(queued["detail"]["message_id"], messages[0]["id"]);
    assert_eq!(queued["detail"]["delivery"], messages[0]["status"]);
}

async fn helena_contact_becomes_a_lead(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    let r = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"messaging": {"helena": {"base_url": "http://127.0.0.1:9",
        "api_token": "pn_token", "webhook_secret": "hook-secret", "from": "+5511900000000"}}}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let event = json!({"eventType": "CONTACT_NEW", "date": "2026-06-01T11:59:00Z",
        "content": {"id": "ed2b52f8-cf13-449b-b3d5-ae27051f4663", "name": "Maria Souza", "phonenumber": "+55|11999998888",
            "email": "maria@example.com", "utm": {"source": "instagram", "medium": "ads", "campaign": "clareamento"}}});
    let send = || app.http.post(app.url("/webhooks/helena/sorriso?token=hook-secret")).json(&event).send();
    assert!(send().await.unwrap().status().is_success());
    assert!(send().await.unwrap().status().is_success(), "a retried delivery is acknowledged");
    let leads = get(&app, &key, "/api/v1/leads?source=crm").await;
    let items = leads["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{leads}");
    assert_eq!(items[0]["utm_campaign"], "clareamento");
    // Warm (CRM 15 + recent 15): the follow-up cadence, not the hot playbook.
    assert_eq!(items[0]["temperature"], "warm");
    let r = app.http.post(app.url("/webhooks/helena/sorriso?token=wrong")).json(&event).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn repeat_within_window_merges(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    let first =
        json!({"phone": "(11) 97777-6666", "name": "Rita Alves", "source": "organic", "notes": "form 1"});
    let (s, a) = post(&app, &key, "/api/v1/leads", first).await;
    assert_eq!(s, 201, "{a}");
    app.clock.advance(SignedDuration::from_hours(5));
    let second =
        json!({"phone": "+5511977776666", "source": "social", "notes": "form 2", "utm_source": "facebook"});
    let (s, b) = post(&app, &key, "/api/v1/leads", second).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["merged"], true);
    assert_eq!(b["lead"]["id"], a["lead"]["id"]);
    assert_eq!(b["lead"]["notes"], "form 1\nform 2");
    assert_eq!(b["lead"]["utm_source"], "facebook");
    assert_eq!(get(&app, &key, "/api/v1/leads").await["items"].as_array().unwrap().len(), 1);
    // After the window (72 h by default) it is a new attempt.
    app.clock.advance(SignedDuration::from_hours(80));
    let (s, c) = post(&app, &key, "/api/v1/leads", json!({"phone": "+5511977776666"})).await;
    assert_eq!(s, 201, "{c}");
    let (s, bad) = post(&app, &key, "/api/v1/leads", json!({"phone": "12"})).await;
    assert_eq!((s, bad["error"]["code"].as_str()), (422, Some("invalid_lead")), "{bad}");
}

async fn follow_up_stops_when_the_patient_replies(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    // Messages only: the sandbox call of the default cadence would book the patient.
    let cadence = json!({"leads": {"follow_up": [{"after_minutes": 60, "message": true},
        {"after_minutes": 1440, "message": true}]}});
    assert_eq!(patch(&app, &key, "/api/v1/settings", cadence).await.status(), 200);
    let (_, created) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511944443333", "name": "Paulo Dias", "source": "organic"}),
    )
    .await;
    let lead = created["lead"]["id"].as_str().unwrap().to_owned();
    assert_ne!(created["lead"]["temperature"], "hot");
    // The first follow-up, an hour later, messages the patient.
    app.clock.advance(SignedDuration::from_mins(61));
    app.run_pending_jobs().await;
    let view = get(&app, &key, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(view["stage"], "contacted", "{view}");
    assert_eq!(
        view["first_outbound_at"].as_str().map(|t| t.parse::<Timestamp>().unwrap()),
        Some("2026-06-01T13:01:00Z".parse().unwrap())
    );
    // The patient answers; the next step (a day after the lead) stops instead of nudging.
    let r = app
        .post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "+5511944443333", "body": "Oi! Tenho interesse sim"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    app.run_pending_jobs().await;
    app.clock.advance(SignedDuration::from_hours(24));
    app.run_pending_jobs().await;
    let view = get(&app, &key, &format!("/api/v1/leads/{lead}")).await;
    let stopped =
        view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "follow_up_stopped").cloned();
    assert_eq!(stopped.expect("stopped")["detail"]["why"], "the patient replied");
}

async fn appointments_move_the_lead_and_no_show_reactivates(app: TestApp) {
    let (key, location) = clinic(&app, "sorriso").await;
    let (_, created) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511933332222", "name": "Lúcia Prado", "source": "referral"}),
    )
    .await;
    let lead = created["lead"]["id"].as_str().unwrap().to_owned();
    let practitioners = get(&app, &key, "/api/v1/practitioners").await;
    let services = get(&app, &key, "/api/v1/services").await;
    let book = |start: &str| {
        json!({"patient": {"name": "Lúcia Prado", "phone": "+5511933332222"},
            "practitioner_id": practitioners["items"][0]["id"], "location_id": location,
            "service_id": services["items"][0]["id"], "start": start})
    };
    let (s, a) = post(&app, &key, "/api/v1/appointments", book("2026-06-02T09:00:00-03:00")).await;
    assert_eq!(s, 201, "{a}");
    app.run_pending_jobs().await;
    assert_eq!(get(&app, &key, &format!("/api/v1/leads/{lead}")).await["stage"], "booked");
    // The appointment passes unattended: no-show, then a same-day reactivation message.
    app.clock.set("2026-06-02T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let view = get(&app, &key, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(view["stage"], "no_show", "{view}");
    let patient = view["patient_id"].as_str().unwrap();
    let messages = messages_of(&app, &key, patient).await;
    assert!(messages.iter().any(|m| m["template"] == "reactivation"), "{messages:?}");
    // The patient books again: the lead is booked again and reactivation stops.
    let (s, _) = post(&app, &key, "/api/v1/appointments", book("2026-06-09T09:00:00-03:00")).await;
    assert_eq!(s, 201);
    app.run_pending_jobs().await;
    app.clock.set("2026-06-04T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let view = get(&app, &key, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(view["stage"], "booked");
    assert_eq!(
        messages_of(&app, &key, patient).await.iter().filter(|m| m["template"] == "reactivation").count(),
        1
    );
    assert!(view["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "reactivation_stopped"));
}

async fn staff_edit_stage_owner_and_lost_reason(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    let (_, created) =
        post(&app, &key, "/api/v1/leads", json!({"phone": "+5511922221111", "source": "phone"})).await;
    let path = format!("/api/v1/leads/{}", created["lead"]["id"].as_str().unwrap());
    let (status, code, _) = error_of(patch(&app, &key, &path, json!({"stage": "lost"})).await).await;
    assert_eq!((status, code.as_str()), (400, "lost_reason_required"));
    let r = patch(&app, &key, &path, json!({"stage": "lost", "lost_reason": "price", "owner": "ana"})).await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(
        (view["stage"].as_str(), view["lost_reason"].as_str(), view["owner"].as_str()),
        (Some("lost"), Some("price"), Some("ana"))
    );
    let (status, code, _) = error_of(patch(&app, &key, &path, json!({"stage": "qualified"})).await).await;
    assert_eq!((status, code.as_str()), (409, "invalid_stage_change"));
    let other = app.tenant_with_key("outra").await.1;
    assert_eq!(app.get(&path, &other).send().await.unwrap().status(), 404);
    assert_eq!(get(&app, &key, "/api/v1/leads?stage=lost").await["items"].as_array().unwrap().len(), 1);
    assert!(get(&app, &key, "/api/v1/leads?stage=new").await["items"].as_array().unwrap().is_empty());
}

async fn unknown_numbers_writing_or_calling_become_leads(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    let r = app
        .post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "+5511911112222", "body": "Oi, vocês atendem sábado?"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    app.run_pending_jobs().await;
    let leads = get(&app, &key, "/api/v1/leads?source=whatsapp").await;
    let lead = &leads["items"][0];
    assert_eq!(lead["stage"], "new", "{leads}");
    let view = get(&app, &key, &format!("/api/v1/leads/{}", lead["id"].as_str().unwrap())).await;
    let scored = view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "scored").unwrap().clone();
    assert_eq!(scored["detail"]["next"], "none: the patient is in conversation");
    // Writing again is the same lead, not a second one.
    app.post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "+5511911112222", "body": "?"}))
        .send()
        .await
        .unwrap();
    app.run_pending_jobs().await;
    assert_eq!(get(&app, &key, "/api/v1/leads").await["items"].as_array().unwrap().len(), 1);

    let r = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"voice": {"provider": "vapi", "vapi": {"api_key": "k",
        "assistant_id": "a", "phone_number_id": "p", "inbound_assistant_id": "in", "server_secret": "s"}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let request = json!({"message": {"type": "assistant-request", "call": {"id": "in-1"},
        "customer": {"number": "+5511933334444"}}});
    let r = app
        .http
        .post(app.url("/webhooks/vapi/sorriso"))
        .header("X-Vapi-Secret", "s")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert!(answer["assistantOverrides"]["variableValues"].get("patientFirstName").is_none(), "{answer}");
    let phone_leads = get(&app, &key, "/api/v1/leads?source=phone").await;
    assert_eq!(phone_leads["items"].as_array().unwrap().len(), 1, "{phone_leads}");
    let calls = get(&app, &key, "/api/v1/calls").await;
    assert_eq!(calls["items"][0]["lead_id"], phone_leads["items"][0]["id"]);
}

/// Seed `000_*`: a CRM card for a patient the clinic values is called and messaged within
/// seconds.
async fn hot_lead_from_helena_gets_its_call_and_message(app: TestApp) {
    let vapi = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "vapi-helena-call"})))
        .expect(1)
        .mount(&vapi)
        .await;
    let (key, _) = clinic(&app, "sorriso").await;
    let settings = json!({
        "messaging": {"helena": {"base_url": "http://127.0.0.1:9", "api_token": "pn_token",
            "webhook_secret": "hook-secret", "from": "+5511900000000"}},
        "leads": {"scoring": {"source_points": {"crm": 50}}},
        "voice": {"provider": "vapi", "vapi": {"base_url": vapi.uri(), "api_key": "k", "assistant_id": "a",
            "phone_number_id": "p", "server_secret": "s"}}});
    let r = patch(&app, &key, "/api/v1/settings", settings).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let event = json!({"eventType": "PANEL_CARD_NEW", "date": "2026-06-01T11:59:00Z",
        "content": {"id": "card-7", "panelId": "panel-1", "stepId": "step-1", "title": "Implante - Joana",
            "contactIds": ["contact-7"], "contacts": [{"id": "contact-7", "name": "Joana Reis", "phonenumber": "+55|11988887777"}]}});
    let r = app
        .http
        .post(app.url("/webhooks/helena/sorriso?token=hook-secret"))
        .json(&event)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let lead = get(&app, &key, "/api/v1/leads").await["items"][0].clone();
    assert_eq!(lead["temperature"], "hot", "{lead}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let requests = vapi.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["customer"]["number"], "+5511988887777");
    let messages = messages_of(&app, &key, lead["patient_id"].as_str().unwrap()).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["template"], "lead_welcome");
    let view = get(&app, &key, &format!("/api/v1/leads/{}", lead["id"].as_str().unwrap())).await;
    assert_eq!(view["first_outbound_at"], "2026-06-01T12:00:00Z", "seconds, not hours");
}

async fn stated_urgency_in_the_first_message_heats_the_lead(app: TestApp) {
    let (key, _) = clinic(&app, "sorriso").await;
    let lead = json!({"phone": "+5511966665555", "name": "Beto Lima", "source": "organic",
        "message": "Oi, quero marcar uma consulta urgente, estou com muita dor"});
    let (s, created) = post(&app, &key, "/api/v1/leads", lead).await;
    assert_eq!(s, 201, "{created}");
    let reasons: Vec<&str> =
        created["lead"]["score_reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("urgen")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("intent")), "{reasons:?}");
    assert_eq!(created["lead"]["temperature"], "hot");
}
