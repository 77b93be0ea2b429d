//! Ninsaúde (the clinic's system of record) goes down in the middle of a WhatsApp booking:
//! the patient hears at once that the clinic will come back, staff are called in when the
//! outage lasts, and the booking completes when Ninsaúde returns - one appointment, one
//! confirmation. The same for the clinic's n8n workflow: the message is forwarded once
//! n8n is back. On SQLite and PostgreSQL.

use frontdesk_test_support::{
    TestApp, backend_tests, mock_twilio, patch, post_signed_twilio, twilio_messaging,
};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TWILIO_TOKEN: &str = "12345";
const PATIENT: &str = "+5511987654321";

backend_tests!(
    a_ninsaude_outage_mid_dialogue_gets_a_notice_a_hand_off_and_then_the_booking,
    an_n8n_outage_gets_a_notice_and_staff_and_the_message_is_forwarded_when_it_returns,
);

fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"result": result, "error": []}))
}

/// Ninsaúde's token and free-time endpoints: every day asked for has 09:00-10:00 free.
async fn ninsaude_reads(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok-1", "refresh_token": "ref-1", "expires_in": 900, "token_type": "bearer"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/atendimento_agenda/listar/horario/disponivel/profissional/7/dataInicial/"))
        .respond_with(|r: &Request| {
            let date =
                r.url.path().split("/dataInicial/").nth(1).unwrap_or("").split('/').next().unwrap_or("");
            ok(json!([{"data": date, "horarioLivre": [
                {"horaInicial": "09:00", "horaFinal": "09:30", "accountUnidade": 1},
                {"horaInicial": "09:30", "horaFinal": "10:00", "accountUnidade": 1}
            ]}]))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cadastro_paciente/listar"))
        .respond_with(ok(json!([])))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cadastro_paciente"))
        .respond_with(ok(json!({"id": 123})))
        .mount(server)
        .await;
}

async fn clinic(app: &TestApp) -> (String, MockServer, MockServer) {
    let ninsaude = MockServer::start().await;
    ninsaude_reads(&ninsaude).await;
    let (_, key) = app.tenant_with_key("outage").await;
    let post = |p: &str, b: Value| app.post(p, &key).json(&b).send();
    let loc: Value = post("/api/v1/locations", json!({"name": "Centro", "timezone": "America/Sao_Paulo"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let location = loc["id"].as_str().unwrap().to_owned();
    let doc: Value = post(
        "/api/v1/practitioners",
        json!({"name": "Dra. Ana", "department": "Clínica", "location_ids": [location]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let doctor = doc["id"].as_str().unwrap().to_owned();
    let r = post(
        "/api/v1/services",
        json!({"name": "Consulta", "department": "Clínica", "duration_minutes": 30}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let r = app
        .http
        .put(app.url("/api/v1/external-ids"))
        .header("X-API-KEY", &key)
        .json(&json!({"system": "ninsaude", "resource": "practitioner", "local_id": doctor, "external_id": "7"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let twilio = mock_twilio(SID).await;
    let settings = json!({
        "scheduling": {"backend": "ninsaude", "ninsaude": {"base_url": ninsaude.uri(), "account": "clinica",
            "username": "bot", "password": "pw", "account_unit": 1}},
        "messaging": twilio_messaging(&twilio, SID, TWILIO_TOKEN),
    });
    let (status, answer) = patch(app, &key, "/api/v1/settings", settings).await;
    assert_eq!(status, 200, "{answer}");
    (key, ninsaude, twilio)
}

async fn say(app: &TestApp, text: &str) {
    let path = "/webhooks/twilio/outage/messages";
    let sid = format!("SM{}", uuid::Uuid::now_v7().simple());
    let from = format!("whatsapp:{PATIENT}");
    let params = [
        ("MessageSid", sid.as_str()),
        ("AccountSid", SID),
        ("From", from.as_str()),
        ("To", "whatsapp:+14155238886"),
        ("Body", text),
        ("NumMedia", "0"),
        ("ProfileName", "Maria Souza"),
    ];
    let r = post_signed_twilio(app, path, &params, TWILIO_TOKEN).await;
    assert_eq!(r.status(), 200);
}

/// Runs what is due, then lets the retry backoff pass.
async fn a_few_minutes(app: &TestApp) {
    app.run_pending_jobs().await;
    app.clock.advance(SignedDuration::from_mins(5));
    app.run_pending_jobs().await;
}

async fn conversation(app: &TestApp, key: &str) -> Value {
    let get = |p: String| app.get(&p, key).send();
    let patients: Value = get(format!("/api/v1/patients?phone={}", PATIENT.replace('+', "%2B")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patient = patients["items"][0]["id"].as_str().unwrap().to_owned();
    let list: Value =
        get(format!("/api/v1/conversations?patient_id={patient}")).await.unwrap().json().await.unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    get(format!("/api/v1/conversations/{id}")).await.unwrap().json().await.unwrap()
}

fn replies(c: &Value) -> Vec<String> {
    c["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    let list: Value = app.get("/api/v1/appointments", key).send().await.unwrap().json().await.unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn a_ninsaude_outage_mid_dialogue_gets_a_notice_a_hand_off_and_then_the_booking(app: TestApp) {
    let (key, ninsaude, _twilio) = clinic(&app).await;
    say(&app, "Oi, quero marcar uma consulta amanhã de manhã").await;
    a_few_minutes(&app).await;
    let offer = replies(&conversation(&app, &key).await);
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("1.") && offer[0].contains("09:00"), "{offer:?}");

    // Ninsaúde goes down as the patient chooses.
    Mock::given(method("POST"))
        .and(path("/atendimento_agenda"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&ninsaude)
        .await;
    say(&app, "1").await;
    app.run_pending_jobs().await;
    let c = conversation(&app, &key).await;
    let now = replies(&c);
    assert_eq!(now.len(), 2, "the patient hears at once: {now:?}");
    assert!(now[1].contains("em alguns minutos voltamos"), "{now:?}");
    assert_eq!(c["needs_staff"], false, "staff are not called for a blip");
    assert!(appointments(&app, &key).await.is_empty());

    // It lasts: after a few attempts staff are called in, and told once.
    for _ in 0..4 {
        a_few_minutes(&app).await;
    }
    let c = conversation(&app, &key).await;
    let now = replies(&c);
    assert_eq!(c["needs_staff"], true, "{c}");
    assert_eq!(now.len(), 3, "one notice, one hand-off: {now:?}");
    assert!(now[2].contains("equipe"), "{now:?}");
    assert!(appointments(&app, &key).await.is_empty());

    // Ninsaúde is back: the retried turn books and confirms.
    ninsaude.reset().await;
    ninsaude_reads(&ninsaude).await;
    Mock::given(method("POST"))
        .and(path("/atendimento_agenda"))
        .respond_with(ok(json!({"id": 789})))
        .expect(1)
        .mount(&ninsaude)
        .await;
    a_few_minutes(&app).await;
    a_few_minutes(&app).await;
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1, "{booked:?}");
    assert_eq!(booked[0]["external_id"], "789");
    let now = replies(&conversation(&app, &key).await);
    assert_eq!(now.len(), 4, "{now:?}");
    assert!(now[3].starts_with("Tudo certo"), "{now:?}");
}

async fn an_n8n_outage_gets_a_notice_and_staff_and_the_message_is_forwarded_when_it_returns(app: TestApp) {
    let (key, _ninsaude, _twilio) = clinic(&app).await;
    let n8n = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/webhook/frontdesk"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&n8n)
        .await;
    let settings = json!({"dialogue": {"n8n": {"webhook_url": format!("{}/webhook/frontdesk", n8n.uri()),
        "auth_header": "X-N8N-Auth", "auth_value": "Bearer n8n-secret", "callback_token": "n8n-callback-token-0123456789"}}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    say(&app, "Oi, quero marcar uma consulta").await;
    app.run_pending_jobs().await;
    let c = conversation(&app, &key).await;
    let now = replies(&c);
    assert_eq!(now.len(), 1, "the patient hears at once: {now:?}");
    assert!(now[0].contains("em alguns minutos voltamos"), "{now:?}");
    for _ in 0..4 {
        a_few_minutes(&app).await;
    }
    let c = conversation(&app, &key).await;
    assert_eq!(c["needs_staff"], true, "{c}");
    let now = replies(&c);
    assert_eq!(now.len(), 2, "one notice, one hand-off: {now:?}");

    n8n.reset().await;
    Mock::given(method("POST"))
        .and(path("/webhook/frontdesk"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&n8n)
        .await;
    a_few_minutes(&app).await;
    a_few_minutes(&app).await;
    let forwarded = n8n.received_requests().await.unwrap();
    assert_eq!(forwarded.len(), 1, "forwarded once n8n is back");
    let body: Value = serde_json::from_slice(&forwarded[0].body).unwrap();
    assert!(body.to_string().contains("quero marcar"), "the patient's message: {body}");
    assert_eq!(replies(&conversation(&app, &key).await).len(), 2, "no notice repeated");
}
