//! The WhatsApp booking dialogue end to end on both backends, the patient writing through
//! signed Twilio webhooks and the clinic answering through a mock Twilio Messages API, in
//! Portuguese and in English: booking in conversation, rejecting the offered slots, a
//! pause and a server restart in the middle, rescheduling and cancelling by message, "1"
//! to a reminder, questions answered from the FAQ, a request for a person stopping the
//! automation, voice notes, and the voice agent booking in English.

use frontdesk_test_support::conversation::{TWILIO_SID as SID, TWILIO_TOKEN, say, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch, post, post_signed_twilio, put};
use jiff::SignedDuration;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    books_in_portuguese_by_choosing_a_number,
    books_in_english_by_ordinal,
    rejecting_the_slots_offers_new_ones_with_the_new_preference,
    the_dialogue_resumes_after_a_pause,
    reschedule_and_cancel_by_message,
    one_in_reply_to_a_reminder_confirms,
    questions_are_answered_from_the_faq_or_go_to_staff,
    a_voice_note_is_transcribed_and_understood,
    nlu_parse_endpoint,
    the_service_is_asked_for_and_taken_by_name_or_number,
    a_model_may_override_the_rules_and_the_rules_answer_when_it_fails,
    declining_closes_the_lead,
    the_voice_agent_books_in_english,
    a_named_unit_is_preferred,
    a_specialty_word_or_a_clinic_synonym_names_the_service,
    a_choice_that_became_too_soon_gets_other_times,
);

/// A clinic (in `locale`) with two dentists working weekdays 08:00-12:00 and 14:00-18:00
/// and one 30-minute service, its WhatsApp through a mock Twilio.
async fn clinic(app: &TestApp, slug: &str, locale: &str) -> (String, MockServer) {
    whatsapp_clinic(app, slug, locale).await
}

/// Chooses a slot as a patient the clinic knows only by number: the dialogue asks for the
/// name before booking, and the name is given. Returns the replies to the name.
async fn pick(app: &TestApp, key: &str, from: &str, choice: &str, name: &str) -> Vec<String> {
    let asked = say(app, key, from, choice).await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("nome completo") || asked[0].contains("full name"), "{asked:?}");
    say(app, key, from, name).await
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

fn local_hour(a: &Value) -> i8 {
    let start: jiff::Timestamp = a["start"].as_str().unwrap().parse().unwrap();
    start.to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap()).hour()
}

// 2026-06-01 12:00Z is Monday 09:00 in São Paulo.

async fn books_in_portuguese_by_choosing_a_number(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650001";
    let offer = say(&app, &key, patient, "Oi, qro marcar uma limpeza amanhã de manhã").await;
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("1.") && offer[0].contains("2.") && offer[0].contains("3."), "{}", offer[0]);
    assert!(offer[0].contains("terça-feira, 2 de junho"), "tomorrow is Tuesday: {}", offer[0]);
    let done = pick(&app, &key, patient, "2", "Maria Souza").await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1);
    assert!((8..12).contains(&local_hour(&booked[0])), "a morning slot");
    // The second offered slot is the one booked, and the confirmation names it.
    assert!(done[0].contains("02/06"), "{}", done[0]);
    // ...with a signed link to the calendar file that works without an account.
    let link = done[0].split_whitespace().find(|w| w.contains("/public/sorriso/appointments/")).unwrap();
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let r = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert!(r.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    let flipped = if path.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{flipped}", &path[..path.len() - 1]);
    assert_eq!(app.http.get(app.url(&forged)).send().await.unwrap().status(), 404);
    // The patient who wrote in is a lead, now booked.
    app.run_pending_jobs().await;
    let leads = get(&app, &key, "/api/v1/leads").await;
    assert_eq!(leads["items"][0]["stage"], "booked", "{leads}");
}

async fn books_in_english_by_ordinal(app: TestApp) {
    let (key, _twilio) = clinic(&app, "smile", "en").await;
    let patient = "+14155550101";
    let offer = say(&app, &key, patient, "hi, can I book a cleaning on wednesday afternoon?").await;
    assert!(offer[0].contains("Wednesday, June 3"), "{offer:?}");
    assert!(offer[0].contains("PM"), "{}", offer[0]);
    let done = pick(&app, &key, patient, "the first one please", "John Smith").await;
    assert!(done[0].starts_with("All set"), "{done:?}");
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1);
    assert!((14..18).contains(&local_hour(&booked[0])));
}

async fn rejecting_the_slots_offers_new_ones_with_the_new_preference(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650002";
    let first = say(&app, &key, patient, "quero agendar limpeza de manhã").await;
    assert!(first[0].contains("1."), "{first:?}");
    let second = say(&app, &key, patient, "nenhum desses, tem à tarde?").await;
    assert_eq!(second.len(), 1, "{second:?}");
    assert_ne!(first[0], second[0], "new slots");
    let done = pick(&app, &key, patient, "o primeiro", "Ana Paula Reis").await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
    assert!(
        (14..18).contains(&local_hour(&appointments(&app, &key).await[0])),
        "the afternoon was asked for"
    );
}

/// Seed scenario 5: state recovery after a pause and a server restart.
async fn the_dialogue_resumes_after_a_pause(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650003";
    let offer = say(&app, &key, patient, "bom dia! gostaria de marcar uma limpeza na quinta").await;
    assert!(offer[0].contains("quinta-feira, 4 de junho"), "{offer:?}");
    // The server restarts (a deploy) and the patient comes back three hours later to pick
    // from the same list: the dialogue lives in the database, not in the process.
    let app = app.restarted().await;
    app.clock.advance(SignedDuration::from_hours(3));
    let done = pick(&app, &key, patient, "pode ser o 3", "Carlos Lima").await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
    assert_eq!(appointments(&app, &key).await.len(), 1);
    // After the idle time (24 h) a bare number means nothing any more.
    let again = say(&app, &key, patient, "quero marcar outra limpeza").await;
    assert!(again[0].contains("1."), "{again:?}");
    app.clock.advance(SignedDuration::from_hours(30));
    let stale = say(&app, &key, patient, "1").await;
    assert_eq!(appointments(&app, &key).await.len(), 1, "{stale:?}");
}

async fn reschedule_and_cancel_by_message(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650004";
    say(&app, &key, patient, "quero marcar limpeza amanhã às 10h").await;
    pick(&app, &key, patient, "1", "Rita Alves").await;
    let before = appointments(&app, &key).await;
    assert_eq!(before.len(), 1);
    let offer = say(&app, &key, patient, "preciso remarcar pra sexta").await;
    assert!(offer[0].contains("sexta-feira, 5 de junho"), "{offer:?}");
    let moved = say(&app, &key, patient, "2").await;
    assert!(moved[0].starts_with("Tudo certo"), "{moved:?}");
    let after = appointments(&app, &key).await;
    assert_eq!(after.len(), 1, "moved, not doubled");
    assert_ne!(after[0]["start"], before[0]["start"]);
    let asked = say(&app, &key, patient, "vou ter que cancelar a consulta").await;
    assert!(asked[0].starts_with("Confirma o cancelamento"), "{asked:?}");
    let cancelled = say(&app, &key, patient, "sim").await;
    assert!(cancelled[0].contains("cancelada"), "{cancelled:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "cancelled");
}

async fn one_in_reply_to_a_reminder_confirms(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650005";
    say(&app, &key, patient, "quero marcar limpeza amanhã de manhã").await;
    pick(&app, &key, patient, "1", "Jorge Neves").await;
    // The reminder goes out a day before; the patient answers "1".
    app.clock.advance(SignedDuration::from_hours(20));
    app.run_pending_jobs().await;
    let reply = say(&app, &key, patient, "1").await;
    assert!(reply.last().unwrap().starts_with("Tudo certo"), "{reply:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "confirmed");
}

async fn questions_are_answered_from_the_faq_or_go_to_staff(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let faq = json!({"dialogue": {"faq": [
        {"question": "Qual o endereço?", "answer": "Ficamos na Rua A, 1 - Centro.", "keywords": ["onde", "localização"]},
        {"question": "Aceitam convênio?", "answer": "Aceitamos Amil e Unimed.", "keywords": ["plano", "convenio"]}]}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&faq)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let patient = "+5511987650006";
    let answer = say(&app, &key, patient, "vcs aceitam plano de saúde?").await;
    assert_eq!(answer, vec!["Aceitamos Amil e Unimed.".to_owned()]);
    let human = say(&app, &key, patient, "quero falar com uma atendente").await;
    assert_eq!(human.len(), 1);
    assert!(human[0].contains("equipe"), "{human:?}");
    // Staff own the conversation now: the automation stays quiet.
    let silence = say(&app, &key, patient, "quero marcar uma limpeza").await;
    assert!(silence.is_empty(), "{silence:?}");
    let list = get(&app, &key, "/api/v1/conversations").await;
    assert_eq!(list["items"][0]["needs_staff"], true);
}

/// Seed scenario 2: a WhatsApp voice note through a signed Twilio webhook, fetched with
/// the account's credentials, transcribed by a mock OpenAI-compatible server and answered
/// like text; without a transcriber the patient is asked to type.
async fn a_voice_note_is_transcribed_and_understood(app: TestApp) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/2010-04-01/Accounts/{SID}/Messages/MMvoice/Media/ME1")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"OggS-voice-note".to_vec()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"text": "Oi, quero marcar uma limpeza amanhã de manhã"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{SID}/Messages.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SMout", "status": "queued"})))
        .mount(&server)
        .await;
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let settings = json!({"messaging": {"whatsapp_provider": "twilio", "twilio": {"account_sid": SID,
        "auth_token": "12345", "base_url": server.uri(), "whatsapp_from": "+14155238886"}},
        "dialogue": {"transcriber": {"base_url": format!("{}/v1", server.uri()), "model": "whisper-1"}}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let media = format!("{}/2010-04-01/Accounts/{SID}/Messages/MMvoice/Media/ME1", server.uri());
    let voice_note = |sid: &'static str, from: &'static str| {
        let media = media.clone();
        let app = &app;
        async move {
            let params = [
                ("MessageSid", sid),
                ("AccountSid", SID),
                ("From", from),
                ("To", "whatsapp:+14155238886"),
                ("Body", ""),
                ("NumMedia", "1"),
                ("MediaUrl0", media.as_str()),
                ("MediaContentType0", "audio/ogg"),
            ];
            let path = "/webhooks/twilio/sorriso/messages";
            let r = post_signed_twilio(app, path, &params, TWILIO_TOKEN).await;
            assert_eq!(r.status(), 200);
            app.run_pending_jobs().await;
            app.run_pending_jobs().await;
        }
    };
    voice_note("SMvoice1", "whatsapp:+5511987650007").await;
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/Messages.json"))
        .filter_map(|r| body_of(&r.body))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("terça-feira, 2 de junho") && sent[0].contains("1."), "{}", sent[0]);
    let audio = server.received_requests().await.unwrap();
    let fetched = audio.iter().find(|r| r.url.path().ends_with("/Media/ME1")).unwrap();
    assert!(fetched.headers.get("authorization").unwrap().to_str().unwrap().starts_with("Basic "));
    // The transcript is kept on the voice note, for staff to read and search.
    let patients = get(&app, &key, "/api/v1/patients?phone=%2B5511987650007").await;
    let patient = patients["items"][0]["id"].as_str().unwrap();
    let list = get(&app, &key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let conversation = list["items"][0]["id"].as_str().unwrap();
    let c = get(&app, &key, &format!("/api/v1/conversations/{conversation}")).await;
    let inbound: Vec<&Value> =
        c["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "inbound").collect();
    assert_eq!(inbound.len(), 1, "{c}");
    assert_eq!(inbound[0]["transcript"], "Oi, quero marcar uma limpeza amanhã de manhã");
    assert_eq!(inbound[0]["media"][0]["content_type"], "audio/ogg");
    assert!(inbound[0]["body"].is_null(), "{}", inbound[0]);
    let found = get(&app, &key, "/api/v1/conversations?q=quero%20marcar%20uma%20LIMPEZA").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["items"][0]["id"], conversation);
    // Without a transcriber the patient is asked to type instead.
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&json!({"dialogue": {"transcriber": null}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    voice_note("SMvoice2", "whatsapp:+5511987650008").await;
    let last = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|r| r.url.path().ends_with("/Messages.json"))
        .unwrap();
    let body = body_of(&last.body).unwrap();
    assert!(body.contains("escrever"), "{body}");
}

/// The `Body` field of a form-encoded Twilio send.
fn body_of(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form).find(|(k, _)| k == "Body").map(|(_, v)| v.into_owned())
}

async fn nlu_parse_endpoint(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let (s, u) = post(&app, &key, "/api/v1/nlu/parse", json!({"text": "qro marcar amanha as 10h"})).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["intent"], "booking_request");
    assert_eq!(u["entities"]["date"], "2026-06-02");
    assert_eq!(u["entities"]["time"], "10:00:00");
    let offered = json!({"text": "o segundo", "offered_slots": ["2026-06-02T09:00", "2026-06-02T10:00"]});
    let (_, u) = post(&app, &key, "/api/v1/nlu/parse", offered).await;
    assert_eq!(u["slot_choice"], json!({"index": 1}), "{u}");
    let (s, _) = post(&app, &key, "/api/v1/nlu/parse", json!({"text": "x".repeat(5000)})).await;
    assert_eq!(s, 400);
    let r = app.http.post(app.url("/api/v1/nlu/parse")).json(&json!({"text": "oi"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

async fn the_service_is_asked_for_and_taken_by_name_or_number(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let (s, v) = post(
        &app,
        &key,
        "/api/v1/services",
        json!({"name": "Clareamento", "department": "odontologia", "duration_minutes": 60}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let patient = "+5511987650009";
    let asked = say(&app, &key, patient, "oi, queria marcar um horário amanhã").await;
    assert!(asked[0].contains("Limpeza") && asked[0].contains("Clareamento"), "{asked:?}");
    let offer = say(&app, &key, patient, "2").await;
    assert!(offer[0].contains("1.") && offer[0].contains("terça-feira, 2 de junho"), "{offer:?}");
    pick(&app, &key, patient, "1", "Lia Prado").await;
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["service_id"], v["id"], "the second service listed");
    // Named in the first message: no question.
    let direct = say(&app, &key, "+5511987650010", "quero agendar uma limpeza na sexta").await;
    assert!(direct[0].contains("sexta-feira, 5 de junho"), "{direct:?}");
}

/// "quero ver o cardiologista" names the cardiology service without saying its name: no
/// service question, the offer comes at once; in English too; and the clinic's own
/// synonym (settings) names dermatology.
async fn a_specialty_word_or_a_clinic_synonym_names_the_service(app: TestApp) {
    let (key, _twilio) = clinic(&app, "coracao", "pt-BR").await;
    let mut ids = Vec::new();
    for (name, department) in
        [("Consulta cardiológica", "Cardiologia"), ("Consulta dermatológica", "Dermatologia")]
    {
        let (s, v) = post(
            &app,
            &key,
            "/api/v1/services",
            json!({"name": name, "department": department, "duration_minutes": 30}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].clone());
        // A practitioner of that department, weekdays 08:00-18:00, to offer its slots.
        let locations = get(&app, &key, "/api/v1/locations").await;
        let location =
            locations.as_array().and_then(|l| l.first()).unwrap_or(&locations["items"][0])["id"].clone();
        let body = json!({"name": format!("Dra. {department}"), "department": department, "location_ids": [location]});
        let (s, d) = post(&app, &key, "/api/v1/practitioners", body).await;
        assert_eq!(s, 201, "{d}");
        let intervals: Vec<Value> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .iter()
            .map(|day| json!({"weekday": day, "start": "08:00", "end": "18:00"}))
            .collect();
        let hours = json!({"location_id": location, "intervals": intervals});
        let (s, h) =
            put(&app, &key, &format!("/api/v1/practitioners/{}/hours", d["id"].as_str().unwrap()), hours)
                .await;
        assert_eq!(s, 200, "{h}");
    }
    // Without a service named, the clinic asks which (three services: the default one too).
    let asked = say(&app, &key, "+5511987650031", "quero marcar uma consulta").await;
    assert!(
        asked[0].contains("Consulta cardiológica") && asked[0].contains("Consulta dermatológica"),
        "{asked:?}"
    );

    let offer = say(&app, &key, "+5511987650032", "quero ver o cardiologista").await;
    assert!(offer[0].contains("1.") && !offer[0].contains("Consulta dermatológica"), "{offer:?}");
    pick(&app, &key, "+5511987650032", "1", "Rui Alves").await;
    let booked = appointments(&app, &key).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["service_id"], ids[0], "cardiology");

    let offer = say(&app, &key, "+5511987650033", "Hi, I need a cardiology appointment").await;
    assert!(offer[0].contains("1.") && !offer[0].contains("Consulta dermatológica"), "{offer:?}");

    let synonyms = json!({"dialogue": {"service_synonyms": {"Consulta dermatológica": ["verruga"]}}});
    let (status, answer) = patch(&app, &key, "/api/v1/settings", synonyms).await;
    assert_eq!(status, 200, "{answer}");
    let offer = say(&app, &key, "+5511987650034", "quero marcar consulta pra uma verruga").await;
    assert!(offer[0].contains("1.") && !offer[0].contains("Consulta cardiológica"), "{offer:?}");
    pick(&app, &key, "+5511987650034", "1", "Ana Reis").await;
    let booked = appointments(&app, &key).await;
    assert!(booked.iter().any(|a| a["service_id"] == ids[1]), "dermatology: {booked:?}");
    // A bad synonym list is a 4xx, not stored.
    let (status, _) =
        patch(&app, &key, "/api/v1/settings", json!({"dialogue": {"service_synonyms": {"x": [""]}}})).await;
    assert!((400..500).contains(&status), "{status}");
}

/// The optional classifier: a mock chat-completions server answers in the JSON schema.
/// Surer than the rules, it wins; slow or broken, the rules answer.
async fn a_model_may_override_the_rules_and_the_rules_answer_when_it_fails(app: TestApp) {
    let model = MockServer::start().await;
    let content = json!({"intent": "human_request", "confidence": 0.97}).to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"choices": [{"message": {"content": content}}]})),
        )
        .up_to_n_times(1)
        .mount(&model)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&model)
        .await;
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let settings = json!({"dialogue": {"classifier": {"base_url": format!("{}/v1", model.uri()), "model": "small",
        "api_key": "sk-local"}}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let shown: Value = app.get("/api/v1/settings", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["dialogue"]["classifier"]["api_key"], "********", "the key is write-only");
    // The rules cannot place this message; the model reads it as a request for a person.
    let handed = say(&app, &key, "+5511987650011", "é sobre um assunto delicado do meu exame").await;
    assert!(handed[0].contains("equipe"), "{handed:?}");
    let request: Value = serde_json::from_slice(&model.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(request["response_format"]["type"], "json_schema");
    assert!(
        request["response_format"]["json_schema"]["schema"]["properties"]["intent"]["enum"]
            .as_array()
            .unwrap()
            .len()
            == 10
    );
    // The model fails from now on: the rules answer a clear booking request by themselves.
    let offer = say(&app, &key, "+5511987650012", "quero marcar uma limpeza amanhã").await;
    assert!(offer[0].contains("1."), "{offer:?}");
}

async fn declining_closes_the_lead(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let (s, created) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511987650013", "name": "Nina Costa", "source": "organic"}),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let reply = say(&app, &key, "+5511987650013", "não, obrigada, não tenho interesse").await;
    assert!(reply[0].starts_with("Tudo bem"), "{reply:?}");
    let lead = get(&app, &key, &format!("/api/v1/leads/{}", created["lead"]["id"].as_str().unwrap())).await;
    assert_eq!(
        (lead["stage"].as_str(), lead["lost_reason"].as_str()),
        (Some("lost"), Some("declined by message"))
    );
}

/// Seed scenario 4 in English: the voice agent finds times and books mid-call through
/// VAPI's server URL, then the end-of-call report marks the call booked.
async fn the_voice_agent_books_in_english(app: TestApp) {
    let (key, twilio) = clinic(&app, "smile", "en").await;
    let settings = json!({"voice": {"provider": "vapi", "vapi": {"api_key": "k", "assistant_id": "a",
        "phone_number_id": "p", "server_secret": "vapi-secret"}},
        // The caller never wrote on WhatsApp: the confirmation goes as the approved template.
        "messaging": {"whatsapp_templates": {"appointment_confirmation": {"en":
            {"id": "HXconfirmation000000000000000000", "variables": ["patient_first_name", "date", "time"]}}}}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tool = |id: &str, name: &str, args: Value| {
        json!({"message": {"type": "tool-calls", "call": {"id": "vapi-en-1"}, "customer": {"number": "+14155550199"},
            "toolCallList": [{"id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}}]}})
    };
    let call = |body: Value| {
        app.http
            .post(app.url("/webhooks/vapi/smile"))
            .header("X-Vapi-Secret", "vapi-secret")
            .json(&body)
            .send()
    };
    let found: Value =
        call(tool("t1", "find_slots", json!({"preferred_day": "tomorrow", "preferred_time": "afternoon"})))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let result: Value = serde_json::from_str(found["results"][0]["result"].as_str().unwrap()).unwrap();
    assert!(
        result["message"].as_str().unwrap().starts_with("Available times: Tuesday, June 2, at "),
        "{result}"
    );
    assert!(result["message"].as_str().unwrap().contains("PM"), "{result}");
    let slot = result["slots"][0]["slot_id"].as_str().unwrap();
    let booked: Value = call(tool("t2", "book_appointment", json!({"slot_id": slot, "name": "Mary Jones"})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result: Value = serde_json::from_str(booked["results"][0]["result"].as_str().unwrap()).unwrap();
    assert!(result["message"].as_str().unwrap().starts_with("Booked: Tuesday, June 2"), "{result}");
    let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
        "call": {"id": "vapi-en-1"}, "artifact": {"messages": [
            {"role": "bot", "message": "Hi! How can I help?", "secondsFromStart": 0.4},
            {"role": "user", "message": "I'd like a cleaning tomorrow afternoon.", "secondsFromStart": 2.1}]}}});
    assert_eq!(call(report).await.unwrap().status(), 200);
    let calls = get(&app, &key, "/api/v1/calls").await;
    assert_eq!(calls["items"][0]["outcome"], "booked");
    let appointments = appointments(&app, &key).await;
    assert_eq!(appointments.len(), 1);
    assert!((14..18).contains(&local_hour(&appointments[0])));
    // Booked on the phone, confirmed in writing: the same confirmation as every booking.
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let confirmations: Vec<String> = twilio
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .filter(|b| b.contains("14155550199") && b.contains("HXconfirmation"))
        .collect();
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert!(confirmations[0].contains("Mary"), "{confirmations:?}");
}

async fn a_named_unit_is_preferred(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let (_, loc) = post(
        &app,
        &key,
        "/api/v1/locations",
        json!({"name": "Unidade Paulista", "address": "Av. Paulista, 1000", "timezone": "America/Sao_Paulo"}),
    )
    .await;
    let (_, d) = post(
        &app,
        &key,
        "/api/v1/practitioners",
        json!({"name": "Dra. Paula Mendes", "department": "Odontologia", "location_ids": [loc["id"]]}),
    )
    .await;
    let intervals: Vec<Value> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|day| json!({"weekday": day, "start": "08:00", "end": "12:00"}))
        .collect();
    let r = app
        .http
        .put(app.url(&format!("/api/v1/practitioners/{}/hours", d["id"].as_str().unwrap())))
        .header("X-API-KEY", &key)
        .json(&json!({"location_id": loc["id"], "intervals": intervals}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let offer =
        say(&app, &key, "+5511987650014", "quero marcar uma limpeza amanhã de manhã na paulista").await;
    let lines: Vec<&str> = offer[0].lines().filter(|l| l.starts_with(['1', '2', '3'])).collect();
    assert_eq!(lines.len(), 3, "{offer:?}");
    assert!(lines.iter().all(|l| l.contains("Dra. Paula Mendes")), "{offer:?}");
}

/// Found by `frontdesk simulate`: a slot chosen after it came within the clinic's minimum
/// notice (two hours) used to end the turn in silence.
async fn a_choice_that_became_too_soon_gets_other_times(app: TestApp) {
    let (key, _twilio) = clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987650099";
    let offer = say(&app, &key, patient, "quero marcar uma limpeza hoje à tarde").await;
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("14:00"), "{offer:?}");
    // The patient answers at 12:30: 14:00 is now inside the two hours' notice.
    app.clock.set("2026-06-01T15:30:00Z".parse().unwrap());
    let asked = say(&app, &key, patient, "1").await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    let again = say(&app, &key, patient, "Maria Souza").await;
    assert!(!again.is_empty(), "never silence");
    assert!(again[0].starts_with("Esse horário não pode mais ser marcado"), "{again:?}");
    assert!(again.iter().any(|m| m.contains("1.")), "other times are offered: {again:?}");
    assert!(appointments(&app, &key).await.is_empty());
}
