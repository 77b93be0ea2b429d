//! E-mail as a channel on both backends: sent over SMTP to a local server the test runs,
//! replies coming back through the Mailgun and SendGrid webhooks threaded into the same
//! conversation, forged posts refused, unknown senders, bounces and malformed mail kept,
//! and the one-click unsubscribe.

use frontdesk_domain::Clock;
use frontdesk_domain::messaging::{Channel, ConsentState};
use frontdesk_test_support::{SmtpSink, TestApp, backend_tests, error_of};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};

backend_tests!(
    an_email_goes_out_over_smtp_and_the_reply_threads_back_into_its_conversation,
    forged_inbound_email_is_refused_and_nothing_is_stored,
    unknown_senders_bounces_and_malformed_mail_are_kept_and_never_a_500,
    one_click_unsubscribe_opts_the_patient_out_of_every_channel,
);

const MAILGUN_KEY: &str = "key-mailgun-signing-0123";
const INBOUND_TOKEN: &str = "sendgrid-parse-token-0123";

async fn email_clinic(app: &TestApp, sink: &SmtpSink) -> (frontdesk_domain::tenant::Tenant, String) {
    let (tenant, key) = app.tenant_with_key("sorriso").await;
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&json!({"messaging": {"email": {
            "from_address": "contato@sorriso.example",
            "smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none"},
            "mailgun_signing_key": MAILGUN_KEY,
            "inbound_token": INBOUND_TOKEN,
        }}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The secrets are write-only.
    let shown: Value = app.get("/api/v1/settings", &key).send().await.unwrap().json().await.unwrap();
    let shown = shown["messaging"]["email"].clone();
    assert_ne!(shown["mailgun_signing_key"], json!(MAILGUN_KEY), "{shown}");
    assert_eq!(shown["from_address"], "contato@sorriso.example");
    (tenant, key)
}

async fn patient(app: &TestApp, key: &str, phone: &str, email: &str) -> String {
    let r = app
        .post("/api/v1/patients", key)
        .json(&json!({"name": "Maria Souza", "phone": phone, "email": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

fn signed_fields(app: &TestApp, token: &str, mut fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let timestamp = app.clock.now().as_second().to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(MAILGUN_KEY.as_bytes()).unwrap();
    mac.update(format!("{timestamp}{token}").as_bytes());
    fields.push(("timestamp".into(), timestamp));
    fields.push(("token".into(), token.into()));
    fields.push(("signature".into(), hex::encode(mac.finalize().into_bytes())));
    fields
}

async fn post_form(app: &TestApp, path: &str, fields: &[(String, String)]) -> reqwest::Response {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    app.http
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn post_sendgrid(app: &TestApp, token: &str, raw: &str) -> reqwest::Response {
    let form =
        reqwest::multipart::Form::new().text("email", raw.to_owned()).text("to", "contato@sorriso.example");
    app.http
        .post(app.url(&format!("/webhooks/email/sorriso/sendgrid?token={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn messages_of(app: &TestApp, key: &str) -> Vec<Value> {
    let list: Value = app.get("/api/v1/conversations", key).send().await.unwrap().json().await.unwrap();
    let mut all = Vec::new();
    for c in list["items"].as_array().unwrap() {
        assert_eq!(c["channel"], "email", "{c}");
        let id = c["id"].as_str().unwrap();
        let v: Value =
            app.get(&format!("/api/v1/conversations/{id}"), key).send().await.unwrap().json().await.unwrap();
        all.extend(v["messages"].as_array().unwrap().iter().cloned());
    }
    all
}

async fn an_email_goes_out_over_smtp_and_the_reply_threads_back_into_its_conversation(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (_, key) = email_clinic(&app, &sink).await;
    let id = patient(&app, &key, "+5511987650001", "Maria.Souza@example.com").await;
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": id, "channel": "email", "body": "Olá, Maria! Faz tempo que não te vemos. Vamos marcar sua revisão?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let sent = &mails[0];
    assert_eq!(sent.to, ["Maria.Souza@example.com"]);
    assert_eq!(sent.from, "contato@sorriso.example");
    let message_id = sent.header("Message-ID").unwrap();
    assert!(message_id.ends_with("@sorriso.example>"), "{message_id}");
    assert_eq!(sent.subject().as_deref(), Some("Clínica sorriso: Olá, Maria!"));
    let text = sent.text().unwrap();
    assert!(text.starts_with("Olá, Maria! Faz tempo") && text.contains("/unsubscribe/sorriso/"), "{text}");
    let unsubscribe = sent.header("List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with(&format!(
            "<{}/unsubscribe/sorriso/{id}?token=",
            app.ctx.public_url.trim_end_matches('/')
        )),
        "{unsubscribe}"
    );
    assert_eq!(sent.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert!(sent.data.contains("text/html") && sent.data.contains("text/plain"));
    // The message is `sent` under its Message-ID: replies find it.
    let out = &messages_of(&app, &key).await[0];
    assert_eq!(out["status"], "sent", "{out}");
    let bare = message_id.trim_matches(['<', '>']).to_owned();
    assert_eq!(out["provider_message_id"], json!(bare));

    // The reply comes from another address (a family member's account) through Mailgun:
    // threaded by In-Reply-To, not by the sender.
    let fields = vec![
        ("from".to_owned(), "Maria <maria.celular@example.net>".to_owned()),
        ("subject".to_owned(), "Re: Faz tempo".to_owned()),
        ("body-plain".to_owned(), "Quero marcar sim!\n\nEm seg., 7 de dez. de 2026, Clínica <contato@sorriso.example> escreveu:\n> Olá, Maria!".to_owned()),
        (
            "message-headers".to_owned(),
            json!([["Message-Id", "<reply-1@mail.example.net>"], ["In-Reply-To", message_id], ["References", message_id]]).to_string(),
        ),
    ];
    let signed = signed_fields(&app, "tok-1", fields);
    let r = post_form(&app, "/webhooks/email/sorriso/mailgun", &signed).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // Mailgun retries: the same message again changes nothing.
    assert_eq!(post_form(&app, "/webhooks/email/sorriso/mailgun", &signed).await.status(), 200);
    app.run_pending_jobs().await;
    let all = messages_of(&app, &key).await;
    let inbound: Vec<&Value> = all.iter().filter(|m| m["direction"] == "inbound").collect();
    assert_eq!(inbound.len(), 1, "{all:?}");
    assert_eq!(inbound[0]["body"], "Quero marcar sim!", "the quoted history is cut");
    assert_eq!(inbound[0]["patient_id"], json!(id));
    // The assistant answers by e-mail, in the same thread.
    let mails = sink.mails();
    assert!(mails.len() >= 2, "the patient got no answer: {all:?}");
    let answer = &mails[1];
    assert_eq!(answer.to, ["Maria.Souza@example.com"]);
    assert_eq!(answer.header("In-Reply-To").as_deref(), Some("<reply-1@mail.example.net>"));
    assert_eq!(answer.subject().as_deref(), Some("Re: Faz tempo"));
    let references = answer.header("References").unwrap();
    assert!(
        references.contains(&message_id) && references.contains("<reply-1@mail.example.net>"),
        "{references}"
    );
}

async fn forged_inbound_email_is_refused_and_nothing_is_stored(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (tenant, _) = email_clinic(&app, &sink).await;
    let fields =
        vec![("from".to_owned(), "x@example.com".to_owned()), ("body-plain".to_owned(), "oi".to_owned())];
    // A wrong signature, a replayed old timestamp, no signature at all.
    let mut forged = signed_fields(&app, "tok-2", fields.clone());
    forged.last_mut().unwrap().1 = "00".repeat(32);
    let (status, code, _) = error_of(post_form(&app, "/webhooks/email/sorriso/mailgun", &forged).await).await;
    assert_eq!((status, code.as_str()), (403, "invalid_signature"));
    let mut stale = fields.clone();
    let old = (app.clock.now().as_second() - 3_600).to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(MAILGUN_KEY.as_bytes()).unwrap();
    mac.update(format!("{old}tok-3").as_bytes());
    stale.extend([
        ("timestamp".to_owned(), old),
        ("token".to_owned(), "tok-3".to_owned()),
        ("signature".to_owned(), hex::encode(mac.finalize().into_bytes())),
    ]);
    assert_eq!(post_form(&app, "/webhooks/email/sorriso/mailgun", &stale).await.status(), 403);
    assert_eq!(post_form(&app, "/webhooks/email/sorriso/mailgun", &fields).await.status(), 403);
    // SendGrid: a wrong token, or none.
    let raw = "From: x@example.com\r\nMessage-ID: <f1@example.com>\r\nSubject: oi\r\n\r\noi\r\n";
    assert_eq!(post_sendgrid(&app, "wrong-token-wrong-token", raw).await.status(), 403);
    let r = app.http.post(app.url("/webhooks/email/sorriso/sendgrid")).body("x").send().await.unwrap();
    assert_eq!(r.status(), 403);
    // Another clinic's name in the path does not help.
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, raw).await.status(), 200);
    let r = app
        .http
        .post(app.url(&format!("/webhooks/email/nowhere/sendgrid?token={INBOUND_TOKEN}")))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Only the genuine post was stored.
    assert!(app.ctx.store.inbound_event(tenant.id, "email", "f1@example.com").await.unwrap().is_some());
    assert_eq!(app.ctx.store.recent_inbound_events(tenant.id, "email", 10).await.unwrap().len(), 1);
}

async fn unknown_senders_bounces_and_malformed_mail_are_kept_and_never_a_500(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (_, key) = email_clinic(&app, &sink).await;
    // An address on no record: kept for staff.
    let stranger = "From: Ana <ana@unknown.example>\r\nMessage-ID: <u1@unknown.example>\r\nSubject: Preços?\r\n\r\nQuanto custa uma limpeza?\r\n";
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, stranger).await.status(), 200);
    // Not MIME at all, and a huge HTML-only mail: kept too.
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, "\u{1}\u{2} not an e-mail").await.status(), 200);
    let huge = format!(
        "From: big@unknown.example\r\nMessage-ID: <u2@unknown.example>\r\nContent-Type: text/html\r\n\r\n<p>{}</p>\r\n",
        "texto ".repeat(40_000)
    );
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, &huge).await.status(), 200);
    app.run_pending_jobs().await;
    let unmatched: Value =
        app.get("/api/v1/email/unmatched", &key).send().await.unwrap().json().await.unwrap();
    let items = unmatched["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{unmatched}");
    let ana = items.iter().find(|i| i["message_id"] == "u1@unknown.example").unwrap();
    assert_eq!(ana["from"], "ana@unknown.example");
    assert_eq!(ana["subject"], "Preços?");
    assert_eq!(ana["text"], "Quanto custa uma limpeza?");
    let big = items.iter().find(|i| i["message_id"] == "u2@unknown.example").unwrap();
    assert_eq!(big["text"].as_str().unwrap().chars().count(), 8_000);
    assert!(messages_of(&app, &key).await.is_empty(), "no patient was made up");

    // A refused recipient: the send fails with the server's code, at once.
    sink.refuse("gone@example.com");
    let gone = patient(&app, &key, "+5511987650002", "gone@example.com").await;
    app.post("/api/v1/messages", &key)
        .json(&json!({"patient_id": gone, "channel": "email", "body": "Olá"}))
        .send()
        .await
        .unwrap();
    // A later bounce report for a message the server took.
    let later = patient(&app, &key, "+5511987650003", "later@example.com").await;
    app.post("/api/v1/messages", &key)
        .json(&json!({"patient_id": later, "channel": "email", "body": "Olá"}))
        .send()
        .await
        .unwrap();
    // Without an address, e-mail cannot be sent: said at once.
    let r = app
        .post("/api/v1/patients", &key)
        .json(&json!({"name": "Sem Email", "phone": "+5511987650004"}))
        .send()
        .await
        .unwrap();
    let no_mail = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let r = app
        .post("/api/v1/messages", &key)
        .json(&json!({"patient_id": no_mail, "channel": "email", "body": "Olá"}))
        .send()
        .await
        .unwrap();
    let (status, _, message) = error_of(r).await;
    assert_eq!(status, 422, "{message}");
    assert!(message.contains("no e-mail address"), "{message}");
    app.run_pending_jobs().await;
    let all = messages_of(&app, &key).await;
    let of = |p: &str| all.iter().find(|m| m["patient_id"] == json!(p)).unwrap().clone();
    assert_eq!(of(&gone)["status"], "failed");
    assert_eq!(of(&gone)["error_code"], "550");
    let taken = of(&later);
    assert_eq!(taken["status"], "sent");
    let original = taken["provider_message_id"].as_str().unwrap();
    let dsn = format!(
        "From: MAILER-DAEMON@mx.example\r\nMessage-ID: <dsn-1@mx.example>\r\nSubject: Undelivered Mail\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; later@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{original}>\r\n--B--\r\n"
    );
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, &dsn).await.status(), 200);
    app.run_pending_jobs().await;
    let bounced =
        messages_of(&app, &key).await.into_iter().find(|m| m["patient_id"] == json!(later)).unwrap();
    assert_eq!(bounced["status"], "failed", "{bounced}");
    assert_eq!(bounced["error_code"], "bounced");
    assert!(bounced["error_message"].as_str().unwrap().contains("5.1.1"));
    // An out-of-office from a patient is filed and never answered.
    let before = sink.mails().len();
    let ooo = format!(
        "From: later@example.com\r\nMessage-ID: <ooo-1@example.com>\r\nAuto-Submitted: auto-replied\r\nIn-Reply-To: <{original}>\r\nSubject: Ausente\r\n\r\nEstou de férias até janeiro.\r\n"
    );
    assert_eq!(post_sendgrid(&app, INBOUND_TOKEN, &ooo).await.status(), 200);
    app.run_pending_jobs().await;
    assert_eq!(sink.mails().len(), before, "an automatic reply got an answer");
    let filed = messages_of(&app, &key).await;
    assert!(filed.iter().any(|m| m["body"] == "Estou de férias até janeiro."));
}

async fn one_click_unsubscribe_opts_the_patient_out_of_every_channel(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (tenant, key) = email_clinic(&app, &sink).await;
    let id = patient(&app, &key, "+5511987650005", "maria@example.com").await;
    app.post("/api/v1/messages", &key)
        .json(&json!({"patient_id": id, "channel": "email", "body": "Olá"}))
        .send()
        .await
        .unwrap();
    app.run_pending_jobs().await;
    let link = sink.mails()[0].header("List-Unsubscribe").unwrap();
    // The link names the public address; the test server listens elsewhere.
    let link = link.trim_matches(['<', '>']).replace(app.ctx.public_url.trim_end_matches('/'), &app.base);
    let patient_id = frontdesk_domain::PatientId(id.parse().unwrap());
    let consents = || async { app.ctx.store.consents(tenant.id, patient_id).await.unwrap() };
    // Opening the link (a mail scanner does) changes nothing; it shows a button.
    let page = app.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Não quero mais receber"), "{html}");
    assert!(consents().await.is_empty());
    // A forged token is refused and changes nothing.
    let forged = link.replace("token=", "token=00");
    assert_eq!(app.http.post(&forged).body("List-Unsubscribe=One-Click").send().await.unwrap().status(), 404);
    assert!(consents().await.is_empty());
    // The mail program's one-click POST (RFC 8058).
    let r = app
        .http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let recorded = consents().await;
    for channel in [Channel::Whatsapp, Channel::Sms, Channel::Email, Channel::Voice] {
        let latest =
            recorded.iter().rev().find(|c| c.channel == channel).unwrap_or_else(|| panic!("{channel:?}"));
        assert_eq!(latest.state, ConsentState::OptedOut);
        assert_eq!(latest.source, "unsubscribe_link");
    }
    // A second click is harmless.
    assert_eq!(app.http.post(&link).body("List-Unsubscribe=One-Click").send().await.unwrap().status(), 200);
    assert_eq!(consents().await.len(), recorded.len());
}
