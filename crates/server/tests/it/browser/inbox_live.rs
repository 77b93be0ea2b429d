//! The inbox, live: with a thread open, a patient's message arrives without a reload
//! (server-sent events, no polling); the reply reaches the patient; once the WhatsApp
//! window has closed the template picker replaces the reply box and sends a template; the
//! filters (needs staff, unassigned, mine, opted out, channel) show what they say.

use super::support::*;
use jiff::SignedDuration;

async fn patient_writes(app: &TestApp, key: &str, phone: &str, body: &str) {
    let r = app
        .post("/api/v1/sandbox/inbound", key)
        .json(&json!({"from": phone, "body": body}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    // The web-only test server has no worker: run the jobs (the message's processing, the
    // fact log) as a worker would.
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
}

async fn messages(app: &TestApp, key: &str, conversation: &str) -> Vec<Value> {
    let thread: Value = app
        .get(&format!("/api/v1/conversations/{conversation}"), key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    thread["messages"].as_array().cloned().unwrap_or_default()
}

/// The conversation list's text, for what a filter shows.
async fn list_text(c: &Client) -> String {
    c.find(Locator::Css("#conversation-list")).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_updates_live_and_sends_templates_when_the_window_is_closed() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    add_user(&app, clinic.id, "bia@sorriso.com.br", Role::Admin).await;
    for (name, phone) in [("Marta Paciente", "+5511987654321"), ("Rui Paciente", "+5511955554444")] {
        let r = app
            .post("/api/v1/patients", &key)
            .json(&json!({"name": name, "phone": phone}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    patient_writes(&app, &key, "+5511987654321", "Oi, quero falar com alguém").await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    // The thread is open; a page that reloaded would lose the marker set here.
    c.goto(&app.url("/app/inbox")).await.unwrap();
    c.find(Locator::LinkText("Marta Paciente")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Oi, quero falar com alguém").await);
    let thread_url = c.current_url().await.unwrap();
    let conversation_id = thread_url.path().rsplit('/').next().unwrap().to_owned();
    let source = c.source().await.unwrap();
    assert!(!source.contains("every "), "no polling left in the thread");
    c.execute("window.__stillThisPage = true;", vec![]).await.unwrap();
    // Give the EventSource a moment to connect: a first connection streams what happens
    // from then on.
    tokio::time::sleep(Duration::from_millis(800)).await;
    patient_writes(&app, &key, "+5511987654321", "Chegou a segunda mensagem").await;
    assert!(until_page_shows(&c, "Chegou a segunda mensagem").await, "the message appears without a reload");
    let same = c.execute("return window.__stillThisPage === true;", vec![]).await.unwrap();
    assert_eq!(same, json!(true), "the page was not reloaded");
    accessible(&c, axe.as_deref(), "thread-live").await;
    screenshots(&c, "thread-live").await;

    // The reply reaches the patient (the sandbox delivers it), and its delivered state
    // shows without a reload once the delivery job ran.
    c.find(Locator::Css("#body")).await.unwrap().send_keys("Olá Marta, é a Ana.").await.unwrap();
    submit(&c, "form[action$='/reply'] button").await;
    assert!(until_page_shows(&c, "Olá Marta, é a Ana.").await);
    c.execute("window.__stillThisPage = true;", vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let reply = messages(&app, &key, &conversation_id)
        .await
        .into_iter()
        .find(|m| m["body"].as_str().is_some_and(|b| b.contains("é a Ana")))
        .expect("the reply is stored");
    assert_eq!(reply["status"], "delivered", "{reply}");
    let mut delivered_shown = false;
    for _ in 0..80 {
        // The live update swaps `#thread` in: an element found just before the swap is
        // stale when read, so look again.
        let Ok(thread) = async { c.find(Locator::Css("#thread")).await?.text().await }.await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if thread.lines().any(|l| l.contains("entregue")) {
            delivered_shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(delivered_shown, "the delivered state appears live");

    // Assigned to a colleague: the filters follow.
    c.find(Locator::Css("#assign-to")).await.unwrap().select_by_label("Pessoa admin").await.unwrap();
    submit(&c, "form[action$='/assign'] select ~ button").await;
    assert!(until_page_shows(&c, "Devolver ao assistente").await);
    patient_writes(&app, &key, "+5511955554444", "PARAR").await;
    c.goto(&app.url("/app/inbox?show=mine")).await.unwrap();
    assert!(!list_text(&c).await.contains("Marta"), "assigned to Bia, not mine");
    c.goto(&app.url("/app/inbox?show=needs_staff")).await.unwrap();
    assert!(list_text(&c).await.contains("Marta"));
    assert!(list_text(&c).await.contains("Pessoa admin"), "who works it is shown");
    c.goto(&app.url("/app/inbox?show=unassigned")).await.unwrap();
    let unassigned = list_text(&c).await;
    assert!(!unassigned.contains("Marta") && unassigned.contains("Rui"), "{unassigned}");
    // Rui's message was never opened by Ana: unread for her, in the list and the menu.
    assert!(unassigned.contains("1 não lidas"), "{unassigned}");
    let menu = c.find(Locator::Css("#inbox-badge")).await.unwrap().text().await.unwrap();
    assert!(menu.contains("1 não lidas"), "{menu}");
    c.goto(&app.url("/app/inbox?show=opted_out")).await.unwrap();
    let stopped = list_text(&c).await;
    assert!(stopped.contains("Rui") && !stopped.contains("Marta"), "{stopped}");
    c.goto(&app.url("/app/inbox?channel=sms")).await.unwrap();
    let sms = list_text(&c).await;
    assert!(!sms.contains("Marta") && !sms.contains("Rui"), "sandbox conversations are WhatsApp: {sms}");
    c.goto(&app.url("/app/inbox")).await.unwrap();
    accessible(&c, axe.as_deref(), "inbox-live").await;
    screenshots(&c, "inbox-live").await;

    // A day later the WhatsApp window is closed: the picker, with the reason, replaces
    // the reply box, and sends a template through the engine.
    // (A day idle ends the session too: sign in again.)
    app.clock.advance(SignedDuration::from_hours(25));
    sign_in(&c, &app, "ana@sorriso.com.br").await;
    c.goto(thread_url.as_str()).await.unwrap();
    assert!(c.find(Locator::Css("#template-picker")).await.is_ok(), "the template picker shows");
    assert!(c.find(Locator::Css("#body")).await.is_err(), "no free text outside the window");
    let reason = c.find(Locator::Css("#window-closed")).await.unwrap().text().await.unwrap();
    assert!(reason.contains("24 horas") && reason.contains("última mensagem"), "{reason}");
    let preview = c.find(Locator::Css(".template-preview")).await.unwrap().text().await.unwrap();
    assert!(!preview.trim().is_empty() && !preview.contains("{{"), "a filled preview: {preview}");
    accessible(&c, axe.as_deref(), "thread-template").await;
    c.execute("document.getElementById('template-picker').scrollIntoView();", vec![]).await.unwrap();
    screenshots(&c, "thread-template").await;
    let chosen = c
        .find(Locator::Css("#template-picker input[type=radio]:checked"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    submit(&c, "#template-picker button").await;
    app.run_pending_jobs().await;
    let sent: Vec<Value> = messages(&app, &key, &conversation_id)
        .await
        .into_iter()
        .filter(|m| m["template"].as_str() == Some(chosen.as_str()) && m["direction"] == "outbound")
        .collect();
    assert!(!sent.is_empty(), "the {chosen} template was sent");
    assert_ne!(sent.last().unwrap()["status"], "failed");
}
