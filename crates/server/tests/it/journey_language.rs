//! The patient's language per conversation, end to end on both backends through signed
//! Twilio webhooks: an English-speaking patient at a pt-BR clinic is answered in English
//! throughout (offer, name, confirmation, the later reminder); a Portuguese patient's one
//! "ok thanks" changes nothing; a patient who switches for good is followed; the greeting
//! uses a known name and never the placeholder "Paciente".

use frontdesk_test_support::conversation::{replies_to as outbound, say, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::MockServer;

backend_tests!(
    an_english_patient_at_a_portuguese_clinic_is_answered_in_english_throughout,
    one_ok_thanks_keeps_a_portuguese_patient_in_portuguese,
    a_patient_who_switches_language_for_good_is_followed,
    the_greeting_uses_a_known_name_and_never_the_placeholder,
);

/// A pt-BR clinic with two dentists and one 30-minute cleaning ("Limpeza").
async fn clinic(app: &TestApp) -> (String, MockServer) {
    whatsapp_clinic(app, "sorriso", "pt-BR").await
}

async fn patient(app: &TestApp, key: &str, from: &str) -> Value {
    let patients = get(app, key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
    patients["items"][0].clone()
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

/// Words only the pt-BR replies use: none may reach an English-speaking patient.
fn portuguese(reply: &str) -> bool {
    ["Olá", "Tudo certo", "nome completo", "consulta", "feira", "Lembrete", "horários", "Ótimo"]
        .iter()
        .any(|w| reply.contains(w))
}

// 2026-06-01 12:00Z is Monday 09:00 in São Paulo.

async fn an_english_patient_at_a_portuguese_clinic_is_answered_in_english_throughout(app: TestApp) {
    let (key, _twilio) = clinic(&app).await;
    let from = "+14155550123";
    let offer = say(&app, &key, from, "Hi, I would like to book a cleaning tomorrow morning please").await;
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("Tuesday, June 2"), "tomorrow, in English: {offer:?}");
    let asked = say(&app, &key, from, "the second one").await;
    assert!(asked[0].contains("full name"), "{asked:?}");
    let done = say(&app, &key, from, "John Smith").await;
    assert!(done[0].starts_with("All set"), "{done:?}");
    assert_eq!(appointments(&app, &key).await.len(), 1);
    // The language is the patient's now, not the conversation's only.
    assert_eq!(patient(&app, &key, from).await["locale"], "en");
    // The reminder (3 h before the 09:00 slot) goes out in English too.
    app.clock.advance(SignedDuration::from_hours(22));
    app.run_pending_jobs().await;
    let all = outbound(&app, &key, from).await;
    assert!(all.len() > 3, "a reminder was sent: {all:?}");
    // Found by its text: a conversation lists messages by id, and a reminder's id follows
    // its job's (made at booking), which may share a millisecond with the confirmation's.
    assert!(all.iter().any(|m| m.contains("This is a reminder")), "{all:?}");
    for reply in &all {
        assert!(!portuguese(reply), "a reply in Portuguese: {reply}");
    }
    // The same patient calls: the AI call's tools word their results in English too.
    let voice = json!({"voice": {"provider": "vapi", "vapi": {"api_key": "k", "assistant_id": "a",
        "phone_number_id": "p", "server_secret": "vapi-secret"}}});
    let (s, body) = patch(&app, &key, "/api/v1/settings", voice).await;
    assert_eq!(s, 200, "{body}");
    let found: Value = app
        .http
        .post(app.url("/webhooks/vapi/sorriso"))
        .header("X-Vapi-Secret", "vapi-secret")
        .json(&json!({"message": {"type": "tool-calls", "call": {"id": "vapi-lang-1"}, "customer": {"number": from},
            "toolCallList": [{"id": "t1", "type": "function", "function": {"name": "find_slots",
                "arguments": "{\"preferred_day\": \"friday\"}"}}]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result: Value = serde_json::from_str(found["results"][0]["result"].as_str().unwrap()).unwrap();
    assert!(result["message"].as_str().unwrap().starts_with("Available times"), "{result}");
}

async fn one_ok_thanks_keeps_a_portuguese_patient_in_portuguese(app: TestApp) {
    let (key, _twilio) = clinic(&app).await;
    let from = "+5511987651001";
    let offer = say(&app, &key, from, "oi, quero marcar uma limpeza amanhã de manhã").await;
    assert!(offer[0].contains("terça-feira, 2 de junho"), "{offer:?}");
    // An English "ok thanks" once, then a pick: still Portuguese.
    say(&app, &key, from, "ok thanks").await;
    let asked = say(&app, &key, from, "2").await;
    assert!(asked[0].contains("nome completo"), "{asked:?}");
    let done = say(&app, &key, from, "Maria Souza").await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
    assert_eq!(patient(&app, &key, from).await["locale"], "pt-BR");
}

async fn a_patient_who_switches_language_for_good_is_followed(app: TestApp) {
    let (key, _twilio) = clinic(&app).await;
    let from = "+5511987651002";
    let first = say(&app, &key, from, "oi, quero marcar uma limpeza amanhã de manhã").await;
    assert!(first[0].contains("terça-feira"), "{first:?}");
    // Two short English messages in a row: the second is answered in English.
    say(&app, &key, from, "sorry, english please").await;
    let offer = say(&app, &key, from, "any time on thursday?").await;
    assert!(offer[0].contains("Thursday, June 4"), "{offer:?}");
    assert_eq!(patient(&app, &key, from).await["locale"], "en");
    // ...and a long Portuguese message brings the conversation back at once.
    let back = say(&app, &key, from, "na verdade prefiro falar em português, pode ser quinta à tarde?").await;
    assert!(back[0].contains("quinta-feira"), "{back:?}");
    assert_eq!(patient(&app, &key, from).await["locale"], "pt-BR");
}

async fn the_greeting_uses_a_known_name_and_never_the_placeholder(app: TestApp) {
    let (key, _twilio) = clinic(&app).await;
    // Known only by number: a plain greeting, not "Olá, Paciente".
    let unknown = say(&app, &key, "+5511987651003", "oi, bom dia").await;
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].starts_with("Olá!"), "{unknown:?}");
    assert!(!unknown[0].contains("Paciente"), "{unknown:?}");
    // A named lead: greeted by name, and booking does not ask the name again.
    let from = "+5511987651004";
    let (status, lead) = frontdesk_test_support::post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": from, "name": "Lia Costa", "source": "crm"}),
    )
    .await;
    assert!(status == 200 || status == 201, "{lead}");
    app.run_pending_jobs().await;
    let hello = say(&app, &key, from, "oi, bom dia").await;
    assert!(hello.iter().any(|r| r.contains("Lia")), "{hello:?}");
    say(&app, &key, from, "quero marcar uma limpeza amanhã de manhã").await;
    let done = say(&app, &key, from, "1").await;
    assert!(done[0].starts_with("Tudo certo, Lia"), "no name asked: {done:?}");
}
