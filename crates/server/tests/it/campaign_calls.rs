//! Campaign steps that call, and audiences by tag, on both backends: a call step calls the
//! patient through VAPI (a local mock), calls again a day later while nobody answers, up
//! to its attempts, then the campaign moves on to its next step (the clinic's own retry
//! cadence stays out of it); the enrollment reads as interactions, a sentence and the next
//! planned step. Patients and leads carry tags, and a segment asks for them.

use frontdesk_test_support::conversation::{replies_to, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch, post};
use jiff::SignedDuration;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

backend_tests!(
    a_call_step_calls_again_while_nobody_answers_then_moves_on,
    patients_and_leads_carry_tags_that_segments_ask_for,
);

const SECRET: &str = "vapi-server-secret";

/// VAPI answering every call with a new id (`vapi-1`, `vapi-2`...).
struct NewCallIds(AtomicUsize);

impl wiremock::Respond for NewCallIds {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(201).set_body_json(json!({"id": format!("vapi-{n}"), "status": "queued"}))
    }
}

async fn vapi_clinic(app: &TestApp) -> (String, MockServer, MockServer) {
    let (key, twilio) = whatsapp_clinic(app, "sorriso", "pt-BR").await;
    let vapi = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(NewCallIds(AtomicUsize::new(0)))
        .mount(&vapi)
        .await;
    let (s, body) = patch(
        app,
        &key,
        "/api/v1/settings",
        json!({"voice": {"provider": "vapi", "vapi": {"base_url": vapi.uri(), "api_key": "vapi-private-key",
            "assistant_id": "asst-out", "phone_number_id": "pn-1", "server_secret": SECRET}}}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    (key, vapi, twilio)
}

/// VAPI reports the call `id` ended unanswered.
async fn unanswered(app: &TestApp, id: &str, phone: &str) {
    let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-did-not-answer",
        "customer": {"number": phone}, "call": {"id": id}}});
    let r = app
        .http
        .post(app.url("/webhooks/vapi/sorriso"))
        .header("X-Vapi-Secret", SECRET)
        .json(&report)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn calls(app: &TestApp, key: &str) -> Vec<Value> {
    let mut list = get(app, key, "/api/v1/calls").await["items"].as_array().unwrap().clone();
    list.reverse();
    list
}

async fn patient(app: &TestApp, key: &str, phone: &str, extra: Value) -> Value {
    let mut body = json!({"name": "Rita Alves", "phone": phone});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let (s, p) = post(app, key, "/api/v1/patients", body).await;
    assert_eq!(s, 201, "{p}");
    p
}

async fn run(app: &TestApp, hours: i64) {
    app.clock.advance(SignedDuration::from_hours(hours));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
}

async fn a_call_step_calls_again_while_nobody_answers_then_moves_on(app: TestApp) {
    let (key, vapi, _twilio) = vapi_clinic(&app).await;
    // Monday 1 June 2026, 09:00 in São Paulo.
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    let (vip, other) = ("+5511987100001", "+5511987100002");
    patient(&app, &key, vip, json!({"tags": ["VIP"]})).await;
    patient(&app, &key, other, json!({})).await;
    let body = json!({"name": "Ligação VIP", "kind": "custom", "segment": {"tags": ["vip"]},
        "steps": [{"channel": "voice", "attempts": 2, "retry_after_hours": 24},
                  {"channel": "sms", "template": "booking_link", "delay_hours": 24}],
        "window": {"weekdays": [], "from": "08:00", "to": "20:00"}});
    let (s, c) = post(&app, &key, "/api/v1/campaigns", body).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(
        c["steps"][0],
        json!({"channel": "voice", "template": null, "delay_hours": 0, "attempts": 2,
        "retry_after_hours": 24})
    );
    let id = c["id"].as_str().unwrap().to_owned();
    let preview = get(&app, &key, &format!("/api/v1/campaigns/{id}/preview")).await;
    assert_eq!(preview["audience"], 1, "only the tagged patient: {preview}");
    let (s, started) = post(&app, &key, &format!("/api/v1/campaigns/{id}/start"), json!({})).await;
    assert_eq!(s, 200, "{started}");
    run(&app, 0).await;

    // The first call went out, telling the assistant why.
    let placed = calls(&app, &key).await;
    assert_eq!(placed.len(), 1, "{placed:?}");
    assert_eq!(placed[0]["reason"], "campaign_custom", "{}", placed[0]);
    assert_eq!(vapi.received_requests().await.unwrap().len(), 1);
    let enrollments = get(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments")).await;
    let enrollment = enrollments["items"][0]["id"].as_str().unwrap().to_owned();
    let detail_url = format!("/api/v1/campaigns/{id}/enrollments/{enrollment}");
    let d = get(&app, &key, &detail_url).await;
    assert_eq!(d["standing"]["code"], "calling", "{d}");
    assert_eq!(d["next_step"]["attempt"], 1, "{d}");
    assert!(d["standing"]["summary"].as_str().unwrap().starts_with("Ligando: 1 de até 2 tentativas"), "{d}");

    // Nobody answers: no call from the clinic's own cadence; the campaign's a day later.
    unanswered(&app, "vapi-1", vip).await;
    run(&app, 1).await;
    assert_eq!(calls(&app, &key).await.len(), 1, "the retry waits for the step's 24 hours");
    run(&app, 12).await;
    assert_eq!(calls(&app, &key).await.len(), 1);
    run(&app, 12).await;
    let placed = calls(&app, &key).await;
    assert_eq!(placed.len(), 2, "{placed:?}");
    assert_eq!(
        replies_to(&app, &key, vip).await.len(),
        0,
        "no missed-call message: the campaign has its own steps"
    );

    // The second goes unanswered too: out of attempts, the campaign moves on to an SMS.
    unanswered(&app, "vapi-2", vip).await;
    run(&app, 1).await;
    let d = get(&app, &key, &detail_url).await;
    assert_eq!(
        (&d["steps_sent"], &d["next_step"]["step"], &d["next_step"]["channel"]),
        (&json!(1), &json!(1), &json!("sms")),
        "{d}"
    );
    run(&app, 25).await;
    assert_eq!(calls(&app, &key).await.len(), 2, "no third call");
    let sent = replies_to(&app, &key, vip).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("/book/sorriso?patient="), "{sent:?}");
    assert_eq!(replies_to(&app, &key, other).await.len(), 0, "not tagged");

    // The enrollment as staff read it: two unanswered calls, then the message.
    let d = get(&app, &key, &detail_url).await;
    let seen: Vec<(String, Option<String>)> = d["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["outcome"].as_str().map(str::to_owned)))
        .collect();
    let no_answer = Some("no_answer".to_owned());
    assert_eq!(
        seen,
        vec![("call".into(), no_answer.clone()), ("call".into(), no_answer), ("message".into(), None)],
        "{d}"
    );
    assert_eq!(d["standing"]["code"], "sent", "{d}");
    assert!(
        d["standing"]["summary"].as_str().unwrap().starts_with("2 de 2 etapas enviadas, a última por SMS"),
        "{d}"
    );
    let missing = app.get(&format!("/api/v1/campaigns/{id}/enrollments/{id}"), &key).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

async fn patients_and_leads_carry_tags_that_segments_ask_for(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let p = patient(&app, &key, "+5511987200001", json!({"tags": ["  Ortodontia ", "VIP", "vip"]})).await;
    assert_eq!(p["tags"], json!(["ortodontia", "vip"]));
    let id = p["id"].as_str().unwrap();
    let (s, changed) =
        patch(&app, &key, &format!("/api/v1/patients/{id}"), json!({"tags": ["implante"]})).await;
    assert_eq!((s, &changed["tags"]), (200, &json!(["implante"])), "{changed}");
    let (s, bad) = patch(&app, &key, &format!("/api/v1/patients/{id}"), json!({"tags": ["a;b"]})).await;
    assert_eq!((s, &bad["error"]["code"]), (422, &json!("invalid_patient")), "{bad}");
    // A lead's tags are added to its patient's.
    let (s, lead) =
        post(&app, &key, "/api/v1/leads", json!({"phone": "+5511987200001", "tags": ["Black Friday"]})).await;
    assert!(s == 201 || s == 200, "{lead}");
    let read = get(&app, &key, &format!("/api/v1/patients/{id}")).await;
    assert_eq!(read["tags"], json!(["black friday", "implante"]), "{read}");
    let listed = get(&app, &key, "/api/v1/patients?phone=987200001").await;
    assert_eq!(listed["items"][0]["tags"], json!(["black friday", "implante"]), "{listed}");
    // A second patient with an e-mail address and the same tag; a third without the tag.
    patient(&app, &key, "+5511987200002", json!({"tags": ["implante"], "email": "ana@example.com"})).await;
    patient(&app, &key, "+5511987200003", json!({"email": "bia@example.com"})).await;
    let audience = |segment: Value| {
        let (app, key) = (&app, &key);
        async move {
            let body = json!({"name": "Implantes", "kind": "custom", "segment": segment,
                "steps": [{"channel": "email", "template": "booking_link"}]});
            let (s, c) = post(app, key, "/api/v1/campaigns", body).await;
            assert_eq!(s, 201, "{c}");
            let id = c["id"].as_str().unwrap();
            get(app, key, &format!("/api/v1/campaigns/{id}/preview")).await["audience"].as_u64().unwrap()
        }
    };
    assert_eq!(audience(json!({})).await, 3);
    assert_eq!(audience(json!({"tags": ["implante"]})).await, 2);
    assert_eq!(audience(json!({"tags": ["implante", "black friday"]})).await, 1);
    assert_eq!(audience(json!({"tags": ["Implante"]})).await, 2, "written as patients' tags are");
    assert_eq!(audience(json!({"reachable_on": "email"})).await, 2, "an address on file");
    assert_eq!(audience(json!({"tags": ["implante"], "reachable_on": "email"})).await, 1);
    // Bad segments and steps are refused by name.
    for (body, field) in [
        (json!({"tags": ["a", "b", "c", "d"]}), "segment.tags"),
        (json!({"reachable_on": "fax"}), "segment.reachable_on"),
    ] {
        let body = json!({"name": "x", "kind": "custom", "segment": body,
            "steps": [{"channel": "email", "template": "booking_link"}]});
        let (s, e) = post(&app, &key, "/api/v1/campaigns", body).await;
        assert_eq!(s, 422, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field), "{e}");
    }
    for (step, field) in [
        (json!({"channel": "voice", "attempts": 4}), "steps[0].attempts"),
        (json!({"channel": "whatsapp"}), "steps[0].template"),
        (json!({"channel": "sms", "template": "booking_link", "attempts": 2}), "steps[0].attempts"),
        (json!({"channel": "voice", "retry_after_hours": 0}), "steps[0].retry_after_hours"),
    ] {
        let (s, e) =
            post(&app, &key, "/api/v1/campaigns", json!({"name": "x", "kind": "custom", "steps": [step]}))
                .await;
        assert_eq!(s, 422, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field), "{e}");
    }
}
