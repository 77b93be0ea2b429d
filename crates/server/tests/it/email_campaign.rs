//! A recall campaign by e-mail, end to end on both backends: e-mails go to a local SMTP
//! server, the patients' replies come back through Gmail (a push, then the history and
//! message APIs of a mock Gmail), each reply is threaded to its patient's enrollment and
//! answered by intent (booking request, decline, confusion, question), a booking ends with
//! an appointment and the campaign's `booked` count, and the one-click unsubscribe stops
//! every channel. Forged Gmail pushes (wrong token, bad or foreign JWT) are refused.

use base64::Engine;
use frontdesk_domain::Clock;
use frontdesk_domain::messaging::{Channel, ConsentState};
use frontdesk_test_support::{
    CalendarSpec, SmtpSink, TestApp, backend_tests, get, patch, post, setup_calendar,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    a_recall_by_email_reads_replies_from_gmail_answers_each_intent_and_books,
    forged_gmail_pushes_are_refused_and_genuine_ones_read_once,
);

const PUSH_TOKEN: &str = "gmail-push-token-0123456789";

fn push_body(message_id: &str, history_id: u64) -> String {
    let data = base64::engine::general_purpose::STANDARD
        .encode(format!(r#"{{"emailAddress":"contato@sorriso.example","historyId":"{history_id}"}}"#));
    format!(
        r#"{{"message":{{"data":"{data}","messageId":"{message_id}","message_id":"{message_id}"}},"subscription":"projects/p/subscriptions/s"}}"#
    )
}

async fn mock_gmail(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.test", "expires_in": 3599})),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/watch"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"historyId": "1000", "expiration": "4102444800000"})),
        )
        .mount(server)
        .await;
}

/// The mailbox moves from `from` to `to` by adding `messages` (id, raw MIME).
async fn mailbox_step(server: &MockServer, from: u64, to: u64, messages: &[(String, String)]) {
    let added: Vec<Value> = messages
        .iter()
        .map(|(id, _)| json!({"messagesAdded": [{"message": {"id": id, "threadId": id, "labelIds": ["INBOX", "UNREAD"]}}]}))
        .collect();
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/history"))
        .and(query_param("startHistoryId", from.to_string()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"history": added, "historyId": to.to_string()})),
        )
        .mount(server)
        .await;
    for (id, raw) in messages {
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        Mock::given(method("GET"))
            .and(path(format!("/gmail/v1/users/me/messages/{id}")))
            .and(query_param("format", "raw"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id, "raw": encoded})))
            .mount(server)
            .await;
    }
}

async fn clinic(app: &TestApp, sink: &SmtpSink, gmail: &MockServer, auth: Value) -> String {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let mut g = json!({"client_id": "client.apps.googleusercontent.com", "client_secret": "secret",
        "refresh_token": "1//refresh", "topic": "projects/clinic/topics/inbox",
        "api_base_url": gmail.uri(), "token_url": format!("{}/token", gmail.uri()),
        "certs_url": format!("{}/certs", gmail.uri())});
    g.as_object_mut().unwrap().extend(auth.as_object().unwrap().clone());
    let (s, body) = patch(app, &key, "/api/v1/settings", json!({
        "campaigns": {"min_days_between_messages": 0},
        "dialogue": {"faq": [{"question": "Vocês atendem aos sábados?", "keywords": ["sabado", "sabados", "fim de semana"],
            "answer": "Atendemos aos sábados das 8h às 12h."}]},
        "messaging": {"email": {"from_address": "contato@sorriso.example",
            "smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none"}, "gmail": g}}})).await;
    assert_eq!(s, 200, "{body}");
    let shown = get(app, &key, "/api/v1/settings").await;
    assert_eq!(shown["messaging"]["email"]["gmail"]["refresh_token"], "********", "{shown}");
    key
}

fn reply(from: &str, id: &str, answering: &str, text: &str) -> String {
    format!(
        "From: {from}\r\nTo: contato@sorriso.example\r\nSubject: Re: Retorno\r\nMessage-ID: <{id}>\r\nIn-Reply-To: <{answering}>\r\nReferences: <{answering}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\r\nEm seg., 1 de jun. de 2026, Clínica <contato@sorriso.example> escreveu:\r\n> Olá! Faz tempo que não te vemos.\r\n"
    )
}

async fn push(app: &TestApp, message_id: &str, history_id: u64) -> u16 {
    app.http
        .post(app.url(&format!("/webhooks/gmail/sorriso?token={PUSH_TOKEN}")))
        .header("content-type", "application/json")
        .body(push_body(message_id, history_id))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn a_recall_by_email_reads_replies_from_gmail_answers_each_intent_and_books(app: TestApp) {
    let sink = SmtpSink::start().await;
    let gmail = MockServer::start().await;
    mock_gmail(&gmail).await;
    let key = clinic(&app, &sink, &gmail, json!({"push_token": PUSH_TOKEN})).await;
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 18_000}),
        ],
        ..CalendarSpec::default()
    };
    let cal = setup_calendar(&app, &key, spec).await;
    // November 2025: four patients came; each has an e-mail address on file.
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let people = [
        ("+5511987100001", "ana@example.com"),
        ("+5511987100002", "bia@example.com"),
        ("+5511987100003", "caio@example.com"),
        ("+5511987100004", "davi@example.com"),
    ];
    for (i, (phone, email)) in people.iter().enumerate() {
        let body = json!({"patient": {"name": "Rita Alves", "phone": phone}, "practitioner_id": cal.practitioners[0],
            "location_id": cal.location, "service_id": cal.service, "start": format!("2025-11-05T{:02}:00:00-03:00", 8 + i)});
        let (s, a) = post(&app, &key, "/api/v1/appointments", body).await;
        assert_eq!(s, 201, "{a}");
        let patient = a["patient_id"].as_str().unwrap().to_owned();
        let (s, p) = patch(&app, &key, &format!("/api/v1/patients/{patient}"), json!({"email": email})).await;
        assert_eq!(s, 200, "{p}");
        app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
        let r = app
            .post(&format!("/api/v1/appointments/{}/check-in", a["id"].as_str().unwrap()), &key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    }
    // Monday 1 June 2026, 09:00 in São Paulo: a recall by e-mail.
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let body = json!({"name": "Retorno", "kind": "recall", "segment": {"last_visit_before_days": 180},
        "steps": [{"channel": "email", "template": "booking_link"}]});
    let (s, c) = post(&app, &key, "/api/v1/campaigns", body).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(post(&app, &key, &format!("/api/v1/campaigns/{id}/start"), json!({})).await.0, 200);
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    let sent = sink.mails();
    assert_eq!(
        sent.len(),
        4,
        "one e-mail per patient: {:?}",
        sent.iter().map(|m| m.to.clone()).collect::<Vec<_>>()
    );
    let to = |address: &str| {
        sent.iter().find(|m| m.to == [address]).unwrap_or_else(|| panic!("{address}")).clone()
    };
    for (_, email) in people {
        let m = to(email);
        assert!(m.text().unwrap().contains("/book/sorriso?patient="), "the personal booking link");
        assert!(m.header("List-Unsubscribe").is_some());
    }
    let id_of = |address: &str| to(address).header("Message-ID").unwrap().trim_matches(['<', '>']).to_owned();

    // The replies reach the clinic's Gmail; a push says the mailbox moved from 1000 to 2000.
    let replies = [
        (
            "g1".to_owned(),
            reply("Ana <ana@example.com>", "r1@example.com", &id_of("ana@example.com"), "Quero marcar sim!"),
        ),
        (
            "g2".to_owned(),
            reply(
                "bia@example.com",
                "r2@example.com",
                &id_of("bia@example.com"),
                "Não, obrigada. Já encontrei outra clínica.",
            ),
        ),
        (
            "g3".to_owned(),
            reply(
                "caio@example.com",
                "r3@example.com",
                &id_of("caio@example.com"),
                "Hã? Quem é? Não entendi essa mensagem",
            ),
        ),
        (
            "g4".to_owned(),
            reply(
                "davi@example.com",
                "r4@example.com",
                &id_of("davi@example.com"),
                "Vocês atendem aos sábados?",
            ),
        ),
    ];
    mailbox_step(&gmail, 1000, 2000, &replies).await;
    assert_eq!(push(&app, "ps-1", 2000).await, 204);
    // Pub/Sub redelivers: the same push is one.
    assert_eq!(push(&app, "ps-1", 2000).await, 204);
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    // Each reply reached its own patient's enrollment.
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap();
    let mut patient_of = std::collections::HashMap::new();
    for (_, email) in people {
        let p = app.ctx.store.patient_by_email(tenant.id, email).await.unwrap().unwrap();
        patient_of.insert(email, p.id.0.to_string());
    }
    let state_of = |enrollments: &Value, email: &str| {
        enrollments["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["patient_id"] == json!(patient_of[email]))
            .unwrap()["state"]
            .clone()
    };
    let enrollments = get(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments")).await;
    assert_eq!(state_of(&enrollments, "ana@example.com"), "active", "wants to book: {enrollments}");
    assert_eq!(state_of(&enrollments, "bia@example.com"), "declined");
    assert_eq!(state_of(&enrollments, "caio@example.com"), "active", "confused, and told what this is");
    assert_eq!(state_of(&enrollments, "davi@example.com"), "needs_staff", "a question: staff follow up");
    // Everyone got an answer by e-mail, in their thread.
    let answers = sink.mails();
    for (n, (_, email)) in people.iter().enumerate() {
        let answer = answers[4..]
            .iter()
            .find(|m| m.to == [*email])
            .unwrap_or_else(|| panic!("{email} got no answer: {answers:?}"));
        assert_eq!(answer.header("In-Reply-To"), Some(format!("<r{}@example.com>", n + 1)));
        assert_eq!(answer.subject().as_deref(), Some("Re: Retorno"));
    }
    let text_to = |address: &str| answers[4..].iter().find(|m| m.to == [address]).unwrap().text().unwrap();
    // Booking request: the times; decline: a thank-you; confusion: who writes and why, with
    // the booking link; question: the clinic's answer.
    assert!(
        text_to("ana@example.com").contains("Responda com o número do horário"),
        "{}",
        text_to("ana@example.com")
    );
    assert!(text_to("bia@example.com").starts_with("Tudo bem!"), "{}", text_to("bia@example.com"));
    let caio = text_to("caio@example.com");
    assert!(caio.contains("Aqui é da Clínica sorriso") && caio.contains("/book/sorriso?patient="), "{caio}");
    assert!(
        text_to("davi@example.com").starts_with("Atendemos aos sábados das 8h às 12h."),
        "{}",
        text_to("davi@example.com")
    );
    // Ana picks the first time offered; the mailbox moves on to 3000.
    let before = sink.mails().len();
    let ana_answer =
        answers[4..].iter().find(|m| m.to == ["ana@example.com"]).unwrap().header("Message-ID").unwrap();
    mailbox_step(
        &gmail,
        2000,
        3000,
        &[(
            "g5".to_owned(),
            reply("ana@example.com", "r5@example.com", ana_answer.trim_matches(['<', '>']), "1"),
        )],
    )
    .await;
    assert_eq!(push(&app, "ps-2", 3000).await, 204);
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    let c = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(c["counts"]["booked"], 1, "{c}");
    let enrollments = get(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments")).await;
    assert_eq!(state_of(&enrollments, "ana@example.com"), "booked", "{enrollments}");
    let booked =
        get(&app, &key, &format!("/api/v1/appointments?patient_id={}", patient_of["ana@example.com"])).await;
    assert!(
        booked["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["start"].as_str().unwrap().starts_with("2026-06-01")),
        "{booked}"
    );
    let confirmation = &sink.mails()[before..];
    assert!(confirmation.iter().any(|m| m.to == ["ana@example.com"]), "the booking is confirmed by e-mail");

    // The campaign KPIs: all four reached and replied, Davi's question with staff, Ana
    // booked (the cleaning's price recovered); June's enrollments convert at 25%.
    let results = get(&app, &key, "/api/v1/campaigns/results").await;
    let row = &results["campaigns"][0];
    assert_eq!(
        (&row["enrolled"], &row["reached"], &row["engaged"], &row["handed_off"], &row["booked"]),
        (&json!(4), &json!(4), &json!(4), &json!(1), &json!(1)),
        "{results}"
    );
    assert_eq!(row["recovered_revenue_cents"], 18_000, "{results}");
    assert_eq!((&row["conversion_this_month"], &row["conversion_lifetime"]), (&json!(0.25), &json!(0.25)));
    assert_eq!(results["by_kind"][0]["kind"], "recall");
    assert_eq!(results["total"]["booked"], 1);
    // Davi unsubscribes with one click: every channel, calls included.
    let link = to("davi@example.com").header("List-Unsubscribe").unwrap();
    let link = link.trim_matches(['<', '>']).replace(app.ctx.public_url.trim_end_matches('/'), &app.base);
    let r = app
        .http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let davi = app.ctx.store.patient_by_email(tenant.id, "davi@example.com").await.unwrap().unwrap();
    let consents = app.ctx.store.consents(tenant.id, davi.id).await.unwrap();
    for channel in [Channel::Whatsapp, Channel::Sms, Channel::Email, Channel::Voice] {
        assert!(
            consents.iter().any(|c| c.channel == channel && c.state == ConsentState::OptedOut),
            "{channel:?}"
        );
    }
}

const AUDIENCE: &str = "https://frontdesk.example/webhooks/gmail/sorriso";
const PUSH_ACCOUNT: &str = "gmail-push@clinic.iam.gserviceaccount.com";

/// A push token as Google signs it, here with the test key whose public half the mock
/// certificate endpoint publishes (or with another key: a forger's).
fn jwt(app: &TestApp, key_pem: &str, kid: &str, claims: Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let now = app.clock.now().as_second();
    let mut body = json!({"iss": "https://accounts.google.com", "aud": AUDIENCE, "email": PUSH_ACCOUNT,
        "email_verified": true, "sub": "1137", "iat": now, "exp": now + 3600});
    body.as_object_mut().unwrap().extend(claims.as_object().unwrap().clone());
    jsonwebtoken::encode(
        &header,
        &body,
        &jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

async fn signed_push(app: &TestApp, token: Option<&str>, message_id: &str, history_id: u64) -> u16 {
    let mut r = app
        .http
        .post(app.url("/webhooks/gmail/sorriso"))
        .header("content-type", "application/json")
        .body(push_body(message_id, history_id));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap().status().as_u16()
}

async fn forged_gmail_pushes_are_refused_and_genuine_ones_read_once(app: TestApp) {
    let sink = SmtpSink::start().await;
    let gmail = MockServer::start().await;
    mock_gmail(&gmail).await;
    Mock::given(method("GET"))
        .and(path("/certs"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(include_str!("fixtures/google_push_test_jwks.json"), "application/json"),
        )
        .mount(&gmail)
        .await;
    let key =
        clinic(&app, &sink, &gmail, json!({"push_audience": AUDIENCE, "push_service_account": PUSH_ACCOUNT}))
            .await;
    let google = include_str!("fixtures/google_push_test_key.pem");
    let forger = include_str!("fixtures/forger_test_key.pem");
    // The watch started with the settings: the mailbox is read from history 1000 on.
    app.run_pending_jobs().await;
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap();
    assert_eq!(
        app.ctx.store.sync_cursor(tenant.id, "gmail.history_id").await.unwrap().as_deref(),
        Some("1000")
    );
    let watches =
        gmail.received_requests().await.unwrap().iter().filter(|r| r.url.path().ends_with("/watch")).count();
    assert_eq!(watches, 1);
    // Refused: no token, a forger's key, the wrong audience, another account, an expired
    // token, an unverified e-mail, garbage.
    let forged = [
        None,
        Some(jwt(&app, forger, "test-google-1", json!({}))),
        Some(jwt(&app, forger, "forger-key", json!({}))),
        Some(jwt(&app, google, "test-google-1", json!({"aud": "https://elsewhere.example/"}))),
        Some(jwt(&app, google, "test-google-1", json!({"email": "someone@evil.example"}))),
        Some(jwt(&app, google, "test-google-1", json!({"exp": app.clock.now().as_second() - 3_600}))),
        Some(jwt(&app, google, "test-google-1", json!({"email_verified": false}))),
        Some("not.a.jwt".to_owned()),
    ];
    for (n, token) in forged.iter().enumerate() {
        assert_eq!(
            signed_push(&app, token.as_deref(), &format!("forged-{n}"), 2000).await,
            403,
            "forgery {n}"
        );
    }
    // A URL token is no use when the clinic authenticates pushes by Google's signature.
    let r = app
        .http
        .post(app.url("/webhooks/gmail/sorriso?token=guess"))
        .body(push_body("x", 2000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.run_pending_jobs().await;
    let read = gmail
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/history"))
        .count();
    assert_eq!(read, 0, "a forged push made Frontdesk read the mailbox");

    // The genuine push is read once, whatever Pub/Sub redelivers; a malformed body is a 400.
    let stranger = "From: Ana <ana@unknown.example>\r\nMessage-ID: <x1@unknown.example>\r\nSubject: oi\r\n\r\nQuanto custa?\r\n";
    mailbox_step(&gmail, 1000, 2000, &[("m1".to_owned(), stranger.to_owned())]).await;
    let genuine = jwt(&app, google, "test-google-1", json!({}));
    assert_eq!(signed_push(&app, Some(&genuine), "ps-9", 2000).await, 204);
    assert_eq!(signed_push(&app, Some(&genuine), "ps-9", 2000).await, 204);
    let r = app
        .http
        .post(app.url("/webhooks/gmail/sorriso"))
        .bearer_auth(&genuine)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    app.run_pending_jobs().await;
    assert_eq!(
        app.ctx.store.sync_cursor(tenant.id, "gmail.history_id").await.unwrap().as_deref(),
        Some("2000")
    );
    let unmatched = get(&app, &key, "/api/v1/email/unmatched").await;
    assert_eq!(unmatched["items"].as_array().unwrap().len(), 1, "{unmatched}");
    assert_eq!(unmatched["items"][0]["text"], "Quanto custa?");

    // Gmail no longer has the stored history id (404): the inbox's latest messages are read.
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/history"))
        .and(query_param("startHistoryId", "2000"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&gmail)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "m1"}, {"id": "m2"}]})),
        )
        .mount(&gmail)
        .await;
    let late = "From: Bia <bia@unknown.example>\r\nMessage-ID: <x2@unknown.example>\r\nSubject: oi\r\n\r\nVocês abrem sábado?\r\n";
    mailbox_step(&gmail, 9_999, 9_999, &[("m2".to_owned(), late.to_owned())]).await;
    assert_eq!(signed_push(&app, Some(&genuine), "ps-10", 5000).await, 204);
    app.run_pending_jobs().await;
    let unmatched = get(&app, &key, "/api/v1/email/unmatched").await;
    assert_eq!(unmatched["items"].as_array().unwrap().len(), 2, "m1 again is the same message: {unmatched}");
    assert_eq!(
        app.ctx.store.sync_cursor(tenant.id, "gmail.history_id").await.unwrap().as_deref(),
        Some("5000")
    );

    // The watch renews itself before it lapses.
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    app.run_pending_jobs().await;
    let watches =
        gmail.received_requests().await.unwrap().iter().filter(|r| r.url.path().ends_with("/watch")).count();
    assert_eq!(watches, 2);
}
