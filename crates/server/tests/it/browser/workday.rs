//! A receptionist's day, from sign-in to sign-out.

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_work_the_inbox_in_a_real_browser() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    let (other, _) = app.tenant_with_key("outra").await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    add_user(&app, clinic.id, "vera@sorriso.com.br", Role::Viewer).await;
    add_user(&app, other.id, "otto@outra.com.br", Role::Owner).await;
    let c = browser(&driver).await;

    // Signed out, the app sends a person to the form; a wrong password is said so.
    c.goto(&app.url("/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    accessible(&c, axe.as_deref(), "login").await;
    screenshots(&c, "login").await;
    c.find(Locator::Css("#email")).await.unwrap().send_keys("ana@sorriso.com.br").await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys("errada errada").await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "E-mail ou senha incorretos").await);

    sign_in(&c, &app, "ana@sorriso.com.br").await;
    accessible(&c, axe.as_deref(), "today").await;
    screenshots(&c, "today").await;

    // A person may prefer English whatever the clinic's language.
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("en").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "My profile").await);
    c.goto(&app.url("/app")).await.unwrap();
    assert!(until_page_shows(&c, "Today").await);
    accessible(&c, axe.as_deref(), "today-en").await;
    screenshots(&c, "today-en").await;
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Meu perfil").await);

    // The inbox is open when the patient writes: the conversation appears without a reload.
    c.goto(&app.url("/app/inbox")).await.unwrap();
    accessible(&c, axe.as_deref(), "inbox-empty").await;
    let patient = json!({"name": "Marta Paciente", "phone": "+5511987654321"});
    let r = app.post("/api/v1/patients", &key).json(&patient).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = app
        .post("/api/v1/sandbox/inbound", &key)
        .json(&json!({"from": "+5511987654321", "body": "Oi, quero falar com alguém"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    assert!(until_page_shows(&c, "Marta Paciente").await, "the new conversation appears in the open inbox");
    accessible(&c, axe.as_deref(), "inbox").await;
    screenshots(&c, "inbox").await;

    // The thread shows the message; the reply reaches the patient (the sandbox records it).
    c.find(Locator::LinkText("Marta Paciente")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Oi, quero falar com alguém").await);
    let thread_url = c.current_url().await.unwrap();
    accessible(&c, axe.as_deref(), "thread").await;
    screenshots(&c, "thread").await;
    c.find(Locator::Css("#body"))
        .await
        .unwrap()
        .send_keys("Olá Marta, aqui é a Ana da recepção.")
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/reply'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "aqui é a Ana da recepção").await);
    app.run_pending_jobs().await;
    let conversation_id = thread_url.path().rsplit('/').next().unwrap().to_owned();
    // Handing back to the assistant, then taking the conversation over again.
    c.find(Locator::Css("form[action$='/release'] button")).await.unwrap().click().await.unwrap();
    for _ in 0..120 {
        if c.find(Locator::Css("form[action$='/release']")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let conversation = |app: &TestApp, id: String, key: String| {
        let request = app.get(&format!("/api/v1/conversations/{id}"), &key);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(conversation(&app, conversation_id.clone(), key.clone()).await["needs_staff"], false);
    c.find(Locator::Css("form[action$='/assign'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Devolver ao assistente").await);
    let taken = conversation(&app, conversation_id.clone(), key.clone()).await;
    assert_eq!(
        (taken["needs_staff"].as_bool(), taken["assignee"].is_string()),
        (Some(true), true),
        "{taken}"
    );
    let thread: Value = app
        .get(&format!("/api/v1/conversations/{conversation_id}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent: Vec<&Value> = thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["direction"] == "outbound" && m["body"].as_str().is_some_and(|b| b.contains("Ana da recepção"))
        })
        .collect();
    assert_eq!(sent.len(), 1, "one reply sent: {thread}");
    assert_ne!(sent[0]["status"], "failed");
    // Had the provider refused it, Today would say so, linking the conversation.
    let conversation_uuid = frontdesk_domain::ConversationId(conversation_id.parse().unwrap());
    let messages = app.ctx.store.list_messages(clinic.id, conversation_uuid).await.unwrap();
    let mut refused = messages
        .into_iter()
        .find(|m| m.direction == frontdesk_domain::messaging::Direction::Outbound)
        .unwrap();
    let was = refused.status;
    refused.status = frontdesk_domain::messaging::MessageStatus::Failed;
    refused.error_code = Some("63016".into());
    assert!(app.ctx.store.save_message_status(&refused, was).await.unwrap());
    c.goto(&app.url("/app")).await.unwrap();
    assert!(until_page_shows(&c, "63016").await, "the failed send is on Today");
    assert!(c.source().await.unwrap().contains(&format!("/app/inbox/{conversation_id}")));
    c.goto(thread_url.as_str()).await.unwrap();
    let audit: Value = app.get("/api/v1/audit", &key).send().await.unwrap().json().await.unwrap();
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"].as_str().is_some_and(|a| a.starts_with("user:"))),
        "the audit names the person: {audit}"
    );

    // A lead moves through the pipeline from its page; a form left open while someone else
    // changed the lead shows the lead as it is now instead of overwriting it.
    let r = app
        .post("/api/v1/leads", &key)
        .json(&json!({"phone": "+5511955554444", "name": "Lia Pipeline", "source": "paid_ads"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let lead: Value = r.json().await.unwrap();
    let lead_id = lead["lead"]["id"].as_str().unwrap().to_owned();
    c.goto(&app.url("/app/leads")).await.unwrap();
    assert!(until_page_shows(&c, "Lia Pipeline").await);
    accessible(&c, axe.as_deref(), "leads").await;
    screenshots(&c, "leads").await;
    let card = format!("a[href='/app/leads/{lead_id}']");
    c.find(Locator::Css(&card)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Lead de Lia Pipeline").await);
    c.find(Locator::Css("#stage")).await.unwrap().select_by_value("qualified").await.unwrap();
    c.find(Locator::Css("form[action$='/stage'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "<strong>Qualificado</strong>").await);
    accessible(&c, axe.as_deref(), "lead").await;
    screenshots(&c, "lead").await;
    let edited_elsewhere = app
        .http
        .patch(app.url(&format!("/api/v1/leads/{lead_id}")))
        .header("X-API-KEY", &key)
        .json(&json!({"stage": "booked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited_elsewhere.status(), 200);
    c.find(Locator::Css("#reason")).await.unwrap().send_keys("preço").await.unwrap();
    c.find(Locator::Css("form[action$='/lost'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Outra pessoa alterou este lead").await);
    let stored: Value =
        app.get(&format!("/api/v1/leads/{lead_id}"), &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(stored["stage"], "booked", "the stale form did not overwrite");

    // Patients: found by a part of the phone, the profile shows the conversation.
    c.goto(&app.url("/app/patients")).await.unwrap();
    c.find(Locator::Css("#q")).await.unwrap().send_keys("98765").await.unwrap();
    c.find(Locator::Css("form[role=search] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Marta Paciente").await);
    accessible(&c, axe.as_deref(), "patients").await;
    c.find(Locator::LinkText("Marta Paciente")).await.unwrap().click().await.unwrap();
    assert!(
        until_page_shows(&c, &format!("/app/inbox/{conversation_id}")).await,
        "the profile links the conversation"
    );
    let profile = c.source().await.unwrap();
    assert!(profile.contains("Oi, quero falar com alguém"), "the latest messages are on the profile");
    assert!(profile.contains("pode receber mensagens"), "and whether the patient may be written to");
    accessible(&c, axe.as_deref(), "patient").await;
    screenshots(&c, "patient").await;

    // The calendar: today's appointment is confirmed, then checked in, from its day view;
    // a future appointment offers no "no-show".
    let calendar = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let booking = json!({"patient": {"name": "Marta Paciente", "phone": "+5511987654321"},
        "practitioner_id": calendar.practitioners[0], "location_id": calendar.location,
        "service_id": calendar.service, "start": "2026-06-01T14:00:00-03:00"});
    let r = app.post("/api/v1/appointments", &key).json(&booking).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let appointment: Value = r.json().await.unwrap();
    let appointment_id = appointment["id"].as_str().unwrap().to_owned();
    c.goto(&app.url("/app/calendar?date=2026-06-01")).await.unwrap();
    assert!(until_page_shows(&c, "14:00").await);
    let no_show = format!("form[action='/app/calendar/{appointment_id}/no-show']");
    assert!(c.find(Locator::Css(&no_show)).await.is_err(), "no no-show before the start");
    accessible(&c, axe.as_deref(), "calendar").await;
    screenshots(&c, "calendar").await;
    for (verb, shown) in [("confirm", "confirmada"), ("check-in", "chegou")] {
        let button = format!("form[action='/app/calendar/{appointment_id}/{verb}'] button");
        c.find(Locator::Css(&button)).await.unwrap().click().await.unwrap();
        assert!(until_page_shows(&c, shown).await, "{verb}");
    }
    let stored: Value = app
        .get(&format!("/api/v1/appointments/{appointment_id}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["status"], "checked_in", "{stored}");

    // Booked from the calendar (a double submit books once), moved, then cancelled.
    let page = |cookie: String| {
        let request =
            reqwest::Client::new().get(app.url("/app/calendar?date=2026-06-01")).header("cookie", cookie);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let field = |html: &str, name: &str| {
        html.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned()
    };
    let ana_cookie = session_cookie(&c).await;
    let html = page(ana_cookie.clone()).await;
    let form = [
        ("csrf", field(&html, "csrf")),
        ("date", "2026-06-01".to_owned()),
        ("form_id", field(&html, "form_id")),
        ("name", "Bia Nova".to_owned()),
        ("phone", "11 91234-5678".to_owned()),
        ("service", calendar.service.clone()),
        ("practitioner", calendar.practitioners[0].clone()),
        ("time", "15:00".to_owned()),
    ];
    let direct = frontdesk_test_support::without_redirects();
    for _ in 0..2 {
        let r = direct
            .post(app.url("/app/calendar/book"))
            .header("cookie", &ana_cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
    }
    let day: Value = app
        .get("/api/v1/appointments?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(day["items"].as_array().unwrap().len(), 2, "the double submit booked once: {day}");
    c.goto(&app.url("/app/calendar?date=2026-06-01")).await.unwrap();
    c.find(Locator::Css("details.booking summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#b-name")).await.unwrap().send_keys("Caio Novo").await.unwrap();
    c.find(Locator::Css("#b-phone")).await.unwrap().send_keys("11 95555-1234").await.unwrap();
    c.find(Locator::Css("#b-time")).await.unwrap().send_keys("1530").await.unwrap();
    c.find(Locator::Css("form[action='/app/calendar/book'] button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(until_page_shows(&c, "Caio Novo").await);
    let caio = c.current_url().await.unwrap().fragment().unwrap().trim_start_matches("appt-").to_owned();
    c.find(Locator::Css(&format!("#r-{caio}"))).await.unwrap().send_keys("1630").await.unwrap();
    let reschedule = format!("form[action='/app/calendar/{caio}/reschedule'] button");
    c.find(Locator::Css(&reschedule)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "16:30").await);
    let cancel = format!("form[action='/app/calendar/{caio}/cancel'] button");
    c.find(Locator::Css(&cancel)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "cancelada").await);
    let moved: Value =
        app.get(&format!("/api/v1/appointments/{caio}"), &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(moved["status"], "cancelled", "{moved}");
    assert!(
        moved["start"].as_str().unwrap().starts_with("2026-06-01T19:30"),
        "moved to 16:30 local: {moved}"
    );

    // Calls: a sandbox call is listed and its page shows the transcript.
    let patient_id = appointment["patient_id"].as_str().unwrap().to_owned();
    let r = app
        .post("/api/v1/calls", &key)
        .json(&json!({"patient_id": patient_id, "reason": "confirmation"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let placed: Value = r.json().await.unwrap();
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    c.goto(&app.url("/app/calls")).await.unwrap();
    assert!(until_page_shows(&c, "Marta Paciente").await);
    accessible(&c, axe.as_deref(), "calls").await;
    c.goto(&app.url(&format!("/app/calls/{}", placed["id"].as_str().unwrap()))).await.unwrap();
    assert!(until_page_shows(&c, "Transcrição").await);
    let source = c.source().await.unwrap();
    assert!(
        source.contains("Ligação feita pela clínica") && source.contains("Confirmação de consulta"),
        "the call's direction and reason in the person's language"
    );
    assert!(!c.source().await.unwrap().contains("Sem transcrição"), "the sandbox call has a transcript");
    accessible(&c, axe.as_deref(), "call").await;
    screenshots(&c, "call").await;

    // A form post without the session's CSRF token changes nothing.
    let cookie = session_cookie(&c).await;
    let raw = frontdesk_test_support::without_redirects();
    let forged = raw
        .post(app.url(&format!("/app/inbox/{conversation_id}/reply")))
        .header("cookie", &cookie)
        .form(&[("body", "forjada")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // Signing out ends the session: the old cookie no longer opens the app.
    c.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_url(&url::Url::parse(&app.url("/login")).unwrap()).await.unwrap();
    let replay = raw.get(app.url("/app")).header("cookie", &cookie).send().await.unwrap();
    assert!(replay.status().is_redirection());
    assert!(replay.headers()["location"].to_str().unwrap().starts_with("/login"));

    // A viewer reads but cannot reply: no reply box, and a crafted post is refused.
    sign_in(&c, &app, "vera@sorriso.com.br").await;
    c.goto(thread_url.as_str()).await.unwrap();
    assert!(until_page_shows(&c, "Seu perfil só pode ler").await);
    assert!(c.find(Locator::Css("#body")).await.is_err(), "no reply box for a viewer");
    let viewer_cookie = session_cookie(&c).await;
    let page = raw
        .get(thread_url.as_str())
        .header("cookie", &viewer_cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let refused = raw
        .post(app.url(&format!("/app/inbox/{conversation_id}/reply")))
        .header("cookie", &viewer_cookie)
        .form(&[("csrf", csrf.as_str()), ("body", "não devia")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let settings =
        raw.get(app.url("/app/settings/users")).header("cookie", &viewer_cookie).send().await.unwrap();
    assert_eq!(settings.status(), 403, "only owners and admins manage people");
    let viewer_page = c.source().await.unwrap();
    assert!(!viewer_page.contains("href=\"/app/settings"), "no settings link for a viewer");
    // The calendar, read-only: the day shows, no booking form or action buttons, and a
    // crafted action is refused.
    c.goto(&app.url("/app/calendar?date=2026-06-01")).await.unwrap();
    assert!(until_page_shows(&c, "Marta Paciente").await);
    let day = c.source().await.unwrap();
    assert!(!day.contains("/app/calendar/book") && !day.contains("/confirm'") && !day.contains("/cancel\""));
    assert!(
        c.find(Locator::Css("form[action^='/app/calendar/']")).await.is_err(),
        "no action forms for a viewer"
    );
    let crafted = raw
        .post(app.url(&format!("/app/calendar/{appointment_id}/cancel")))
        .header("cookie", &viewer_cookie)
        .form(&[("csrf", csrf.as_str()), ("date", "2026-06-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(crafted.status(), 403, "a viewer cannot cancel");
    c.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();

    // An owner adds a person and disables them; the person's sign-in then fails.
    sign_in(&c, &app, "otto@outra.com.br").await;
    c.goto(&app.url("/app/settings/users")).await.unwrap();
    c.find(Locator::Css("#new-name")).await.unwrap().send_keys("Rita Nova").await.unwrap();
    c.find(Locator::Css("#new-email")).await.unwrap().send_keys("rita@outra.com.br").await.unwrap();
    c.find(Locator::Css("#new-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("form[action='/app/settings/users'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Pessoa adicionada").await);
    accessible(&c, axe.as_deref(), "users").await;
    screenshots(&c, "users").await;
    let rita = app.ctx.store.user_by_email("rita@outra.com.br").await.unwrap().unwrap();
    assert_eq!(rita.role, Role::Staff);
    let disable = format!("form[action='/app/settings/users/{}/disable'] button", rita.id);
    c.find(Locator::Css(&disable)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "desativado").await);
    assert!(
        staff::sign_in(&app.ctx, "rita@outra.com.br", PASSWORD).await.is_err(),
        "a disabled person cannot sign in"
    );
    c.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();

    // Another clinic's owner sees none of it, not even by the thread's address.
    sign_in(&c, &app, "otto@outra.com.br").await;
    c.goto(&app.url("/app/inbox")).await.unwrap();
    assert!(!c.source().await.unwrap().contains("Marta"));
    c.goto(thread_url.as_str()).await.unwrap();
    let source = c.source().await.unwrap();
    assert!(source.contains("Página não encontrada") && !source.contains("Marta"));
    accessible(&c, axe.as_deref(), "not-found").await;

    c.close().await.unwrap();
}
