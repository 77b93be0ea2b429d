//! Safety in the WhatsApp dialogue end to end, on both backends, through signed Twilio
//! webhooks and a mock Twilio Messages API: a red flag gets the emergency numbers at once,
//! the conversation goes to staff marked urgent with a fact for the live views, the staff
//! phone is alerted (without the symptom), and no slot is offered; a negated symptom books
//! as usual; a dosage question is handed to staff politely; and an emergency in a
//! conversation staff already hold, or an n8n workflow answers, is still answered at once; and a job that crashed after
//! the advice reruns without saying, flagging or alerting anything twice; and no sales
//! message (reactivation after a no-show) follows an emergency.

use frontdesk_domain::TenantId;
use frontdesk_domain::staff::Role;
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, tenants};
use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, get, mock_twilio, patch, setup_calendar, twilio_messaging,
};
use serde_json::{Value, json};
use wiremock::MockServer;

use frontdesk_test_support::conversation::{TWILIO_SID as SID, TWILIO_TOKEN, replies_to, say};
const STAFF_PHONE: &str = "+5511987659999";
const STAFF_TEMPLATE: &str = "HXstaffalert0000000000000000000000";

backend_tests!(
    chest_pain_in_portuguese_is_an_emergency,
    stroke_signs_in_english_on_a_us_clinic_get_911,
    a_negated_symptom_books_as_usual,
    a_dosage_question_goes_to_staff_politely,
    an_emergency_is_answered_even_when_staff_hold_the_conversation,
    a_crash_after_the_advice_answers_flags_and_alerts_once,
    an_emergency_stops_the_reactivation_messages,
    an_emergency_is_answered_even_when_n8n_holds_the_dialogue,
);

struct Clinic {
    key: String,
    tenant: TenantId,
    twilio: MockServer,
}

/// A clinic in `locale` and `region` with a calendar, WhatsApp through a mock Twilio, and
/// `safety` settings.
async fn clinic(app: &TestApp, slug: &str, locale: &str, region: &str, safety: Value) -> Clinic {
    let new = NewTenant::parse(slug, "Clínica Sorriso", "America/Sao_Paulo", locale).unwrap();
    let tenant = tenants::create_tenant(&app.ctx, &new).await.unwrap();
    let (_, secret) = access::issue_api_key(&app.ctx, tenant.id, "test").await.unwrap();
    let key = secret.expose().to_owned();
    setup_calendar(app, &key, CalendarSpec::default()).await;
    let twilio = mock_twilio(SID).await;
    let mut messaging = twilio_messaging(&twilio, SID, TWILIO_TOKEN);
    // The staff phone never wrote in: outside WhatsApp's window the alert needs an approved
    // template, as in production.
    messaging["whatsapp_templates"] = json!({"staff_alert": {
        "pt-BR": {"id": STAFF_TEMPLATE, "variables": ["conversation_url"]},
        "en": {"id": STAFF_TEMPLATE, "variables": ["conversation_url"]}}});
    let settings = json!({"messaging": messaging, "default_region": region, "safety": safety});
    let (status, answer) = patch(app, &key, "/api/v1/settings", settings).await;
    assert_eq!(status, 200, "{answer}");
    Clinic { key, tenant: tenant.id, twilio }
}

/// The patient's conversation as the API shows it (with its messages).
async fn conversation(app: &TestApp, key: &str, from: &str) -> Value {
    let patients = get(app, key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
    let Some(patient) = patients["items"][0]["id"].as_str() else { return Value::Null };
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let Some(id) = list["items"][0]["id"].as_str() else { return Value::Null };
    get(app, key, &format!("/api/v1/conversations/{id}")).await
}

async fn outbound(app: &TestApp, key: &str, from: &str) -> Vec<String> {
    replies_to(app, key, from).await
}

/// The form fields of every message the mock Twilio was asked to send.
async fn twilio_sends(twilio: &MockServer) -> Vec<Vec<(String, String)>> {
    twilio
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("/Messages.json"))
        .map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect())
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn facts(app: &TestApp, tenant: TenantId, kind: &str) -> Vec<Value> {
    let all = app.ctx.store.facts_after(tenant, 0, 1000).await.unwrap();
    all.into_iter().filter(|(_, f)| f.kind.as_str() == kind).map(|(_, f)| f.payload).collect()
}

/// A person of `tenant`, signed in to the staff app: the session cookie.
async fn signed_in(app: &TestApp, tenant: TenantId) -> String {
    app.staff_cookie(tenant, "ana@sorriso.example", Role::Staff).await
}

/// The staff app's live stream from its start (`Last-Event-ID: 0`), read until an event
/// named `kind` arrives (10 s at most): that event's data.
async fn live_event(app: &TestApp, cookie: &str, kind: &str) -> Value {
    let mut response = app
        .http
        .get(app.url("/app/events"))
        .header("cookie", cookie)
        .header("last-event-id", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l.strip_prefix("event:").is_some_and(|e| e.trim() == kind)) {
                let data: String =
                    block.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect();
                return serde_json::from_str(&data).unwrap();
            }
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(left, response.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.push_str(&String::from_utf8_lossy(&chunk)),
            _ => panic!("no {kind} event on the live stream"),
        }
    }
}

async fn chest_pain_in_portuguese_is_an_emergency(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({"staff_alert_phone": STAFF_PHONE})).await;
    let patient = "+5511987650101";
    let replies = say(&app, &c.key, patient, "estou com dor no peito e falta de ar").await;
    assert_eq!(replies.len(), 1, "one reply, no booking prompt: {replies:?}");
    assert!(replies[0].contains("SAMU 192"), "{replies:?}");
    assert!(replies[0].contains("pronto-socorro"), "{replies:?}");
    assert!(!replies[0].contains("CVV"), "the crisis line is for suicidal thoughts: {replies:?}");
    assert!(!replies[0].contains("1."), "no slots: {replies:?}");
    // The conversation is with staff, urgent.
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!(conv["needs_staff"], true, "{conv}");
    assert_eq!(conv["urgent"], true, "{conv}");
    // The live views hear of it: an emergency fact (ids only, no symptom).
    app.run_pending_jobs().await;
    let flagged = facts(&app, c.tenant, "emergency_flagged").await;
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0]["conversation_id"], conv["id"]);
    assert_eq!(flagged[0]["urgent"], true);
    assert!(!flagged[0].to_string().contains("peito") && !flagged[0].to_string().contains("chest"));
    assert_eq!(facts(&app, c.tenant, "handoff_requested").await.len(), 1);
    // ...on the staff app's live stream, and the inbox marks the conversation urgent.
    let cookie = signed_in(&app, c.tenant).await;
    let event = live_event(&app, &cookie, "emergency_flagged").await;
    assert_eq!(
        (event["conversation_id"].clone(), event["urgent"].clone()),
        (conv["id"].clone(), json!(true))
    );
    let inbox = app.http.get(app.url("/app/inbox")).header("cookie", &cookie).send().await.unwrap();
    let html = inbox.text().await.unwrap();
    assert!(html.contains("badge urgent"), "{html}");
    // The staff phone was alerted through Twilio, with the approved template and a link to
    // the conversation, and nothing of what the patient wrote.
    let sends = twilio_sends(&c.twilio).await;
    let to_staff: Vec<_> =
        sends.iter().filter(|f| field(f, "To") == Some(&format!("whatsapp:{STAFF_PHONE}"))).collect();
    assert_eq!(to_staff.len(), 1, "{sends:?}");
    assert_eq!(field(to_staff[0], "ContentSid"), Some(STAFF_TEMPLATE));
    let variables = field(to_staff[0], "ContentVariables").unwrap_or_default();
    assert!(variables.contains(conv["id"].as_str().unwrap()), "{variables}");
    assert!(!format!("{to_staff:?}").contains("peito"));
    let to_patient = sends.iter().filter(|f| field(f, "To") == Some(&format!("whatsapp:{patient}"))).count();
    assert_eq!(to_patient, 1, "{sends:?}");
    // The same message again (a webhook retried by Twilio) changes nothing.
    app.run_pending_jobs().await;
    assert_eq!(outbound(&app, &c.key, patient).await.len(), 1);
    // A later message of the patient is the staff's: the assistant stays quiet.
    assert!(say(&app, &c.key, patient, "quero marcar uma limpeza").await.is_empty());
    // Handing the conversation back clears the urgency.
    let id = conv["id"].as_str().unwrap();
    let (status, released) =
        patch(&app, &c.key, &format!("/api/v1/conversations/{id}"), json!({"needs_staff": false})).await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["urgent"], false, "{released}");
}

async fn stroke_signs_in_english_on_a_us_clinic_get_911(app: TestApp) {
    let c = clinic(&app, "smile", "en", "US", json!({})).await;
    let patient = "+14155550123";
    let replies = say(&app, &c.key, patient, "My mom's face is drooping and her speech is slurred").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("Call 911 now"), "{replies:?}");
    assert!(!replies[0].contains("192"), "{replies:?}");
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!(conv["urgent"], true, "{conv}");
    // No staff phone configured: only the patient was written to.
    assert_eq!(twilio_sends(&c.twilio).await.len(), 1);
}

async fn a_negated_symptom_books_as_usual(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({"staff_alert_phone": STAFF_PHONE})).await;
    let patient = "+5511987650102";
    let replies = say(&app, &c.key, patient, "não tenho dor no peito, quero marcar uma limpeza amanhã").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("1.") && replies[0].contains("2."), "an offer: {replies:?}");
    assert!(!replies[0].contains("192"), "{replies:?}");
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!(conv["needs_staff"], false, "{conv}");
    assert_eq!(conv["urgent"], false, "{conv}");
    assert!(facts(&app, c.tenant, "emergency_flagged").await.is_empty());
    assert_eq!(twilio_sends(&c.twilio).await.len(), 1, "no staff alert");
}

async fn a_dosage_question_goes_to_staff_politely(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({})).await;
    let patient = "+5511987650103";
    let replies =
        say(&app, &c.key, patient, "quantos mg de ibuprofeno posso tomar depois da extração?").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("profissional") && replies[0].contains("equipe"), "{replies:?}");
    assert!(!replies[0].contains("192") && !replies[0].contains("mg"), "{replies:?}");
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!(conv["needs_staff"], true, "{conv}");
    assert_eq!(conv["urgent"], false, "not an emergency: {conv}");
    assert_eq!(facts(&app, c.tenant, "handoff_requested").await.len(), 1);
    // A clinic that lets the assistant talk about doses gets the usual dialogue.
    let other = clinic(&app, "outra", "pt-BR", "BR", json!({"never_advise": ["diagnosis"]})).await;
    let replies = say(&app, &other.key, "+5511987650104", "quantos mg de ibuprofeno posso tomar?").await;
    assert!(replies.iter().all(|r| !r.contains("profissional")), "{replies:?}");
    assert_eq!(conversation(&app, &other.key, "+5511987650104").await["urgent"], false);
}

async fn an_emergency_is_answered_even_when_staff_hold_the_conversation(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({"emergency_numbers": "SAMU 192"})).await;
    let patient = "+5511987650105";
    let human = say(&app, &c.key, patient, "quero falar com uma atendente").await;
    assert_eq!(human.len(), 1, "{human:?}");
    assert_eq!(conversation(&app, &c.key, patient).await["needs_staff"], true);
    let replies = say(&app, &c.key, patient, "to sangrando mto depois da extração e nao para").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    // The clinic's own numbers, not the region's default.
    assert!(replies[0].contains("SAMU 192") && !replies[0].contains("193"), "{replies:?}");
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!(conv["urgent"], true, "{conv}");
    app.run_pending_jobs().await;
    assert_eq!(facts(&app, c.tenant, "emergency_flagged").await.len(), 1);
    // Staff were already on it: no second hand-off.
    assert_eq!(facts(&app, c.tenant, "handoff_requested").await.len(), 1);
}

async fn a_crash_after_the_advice_answers_flags_and_alerts_once(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({"staff_alert_phone": STAFF_PHONE})).await;
    let patient = "+5511987650106";
    app.ctx.faults.arm("safety.advised", 1);
    say(&app, &c.key, patient, "acho que estou infartando").await;
    assert_eq!(app.ctx.faults.pending("safety.advised"), 0, "the fault fired");
    // The retried job (after its back-off) finishes the rest.
    for _ in 0..6 {
        app.clock.advance(jiff::SignedDuration::from_mins(10));
        app.run_pending_jobs().await;
    }
    let replies = outbound(&app, &c.key, patient).await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("192"), "{replies:?}");
    let conv = conversation(&app, &c.key, patient).await;
    assert_eq!((conv["needs_staff"].clone(), conv["urgent"].clone()), (json!(true), json!(true)), "{conv}");
    assert_eq!(facts(&app, c.tenant, "emergency_flagged").await.len(), 1);
    assert_eq!(facts(&app, c.tenant, "handoff_requested").await.len(), 1);
    let sends = twilio_sends(&c.twilio).await;
    let to =
        |phone: &str| sends.iter().filter(|f| field(f, "To") == Some(&format!("whatsapp:{phone}"))).count();
    assert_eq!((to(patient), to(STAFF_PHONE)), (1, 1), "{sends:?}");
}

async fn an_emergency_stops_the_reactivation_messages(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({})).await;
    let patient = "+5511987650107";
    // The patient has not written in 24 hours: WhatsApp needs an approved template.
    let approved =
        json!({"messaging": {"whatsapp_templates": {"reactivation": {"pt-BR": {"id": "HXreactivation"}}}}});
    let (s, body) = patch(&app, &c.key, "/api/v1/settings", approved).await;
    assert_eq!(s, 200, "{body}");
    // A lead from a referral (the reactivation sequence is a lead's).
    let lead = json!({"phone": patient, "name": "Lúcia Prado", "source": "referral"});
    let (s, created) = frontdesk_test_support::post(&app, &c.key, "/api/v1/leads", lead).await;
    assert!((200..300).contains(&s), "{created}");
    let practitioners = get(&app, &c.key, "/api/v1/practitioners").await;
    let services = get(&app, &c.key, "/api/v1/services").await;
    let locations = get(&app, &c.key, "/api/v1/locations").await;
    let booking = json!({"patient": {"name": "Lúcia Prado", "phone": patient},
        "practitioner_id": practitioners["items"][0]["id"], "location_id": locations["items"][0]["id"],
        "service_id": services["items"][0]["id"], "start": "2026-06-02T09:00:00-03:00"});
    let (s, a) = frontdesk_test_support::post(&app, &c.key, "/api/v1/appointments", booking).await;
    assert_eq!(s, 201, "{a}");
    app.run_pending_jobs().await;
    // Missed: the first reactivation message goes out the same day (then days 2 and 7).
    app.clock.set("2026-06-02T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    // Sent as the approved template (the patient's window is closed).
    let reactivations = |messages: &Value| {
        messages.as_array().map_or(0, |m| m.iter().filter(|m| m["template"] == "HXreactivation").count())
    };
    assert_eq!(reactivations(&conversation(&app, &c.key, patient).await["messages"]), 1);
    let replies = say(&app, &c.key, patient, "estou sangrando muito e não para").await;
    assert!(replies[0].contains("192"), "{replies:?}");
    app.clock.set("2026-06-10T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    assert_eq!(reactivations(&conversation(&app, &c.key, patient).await["messages"]), 1, "no sales push");
    let leads = get(&app, &c.key, "/api/v1/leads").await;
    let lead = leads["items"][0]["id"].as_str().unwrap();
    let view = get(&app, &c.key, &format!("/api/v1/leads/{lead}")).await;
    let stopped =
        view["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "reactivation_stopped").cloned();
    assert_eq!(stopped.expect("stopped")["detail"]["why"], "an urgent conversation is with staff", "{view}");
}

async fn an_emergency_is_answered_even_when_n8n_holds_the_dialogue(app: TestApp) {
    let c = clinic(&app, "sorriso", "pt-BR", "BR", json!({})).await;
    let n8n = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({"received": true})))
        .mount(&n8n)
        .await;
    let settings = json!({"dialogue": {"n8n": {"webhook_url": format!("{}/webhook/frontdesk", n8n.uri()),
        "callback_token": "cb-token-0123456789abcdef"}}});
    let (s, body) = patch(&app, &c.key, "/api/v1/settings", settings).await;
    assert_eq!(s, 200, "{body}");
    let patient = "+5511987650108";
    // n8n answers the clinic's dialogue: the assistant says nothing itself...
    assert!(say(&app, &c.key, patient, "oi, quero marcar uma avaliação").await.is_empty());
    let forwarded = || async { n8n.received_requests().await.unwrap_or_default().len() };
    assert_eq!(forwarded().await, 1);
    // ...except to an emergency, answered at once and not left to the workflow.
    let replies = say(&app, &c.key, patient, "pensando em acabar com tudo").await;
    assert_eq!(replies.len(), 1, "{replies:?}");
    // Suicidal thoughts: the emergency numbers and a crisis line to talk to.
    assert!(replies[0].contains("192") && replies[0].contains("CVV 188"), "{replies:?}");
    assert_eq!(forwarded().await, 1, "the emergency is not forwarded");
    assert_eq!(conversation(&app, &c.key, patient).await["urgent"], true);
}
