//! The dashboard: the period's figures and charts draw from a known history, a new booking
//! moves a figure without a reload (live events), the period picker and a report download
//! work; in Portuguese and English, checked with axe-core, screenshots at desktop and phone
//! width.

use super::support::*;
use frontdesk_test_support::post;

async fn book(app: &TestApp, key: &str, cal: &frontdesk_test_support::Calendar, start: &str, phone: &str) {
    let body = json!({
        "patient": {"name": "Carla Dias", "phone": phone},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": start,
    });
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
}

/// The text of the card whose label is `label`.
async fn card(c: &Client, label: &str) -> String {
    let script = "for (const li of document.querySelectorAll('.kpi')) { \
        if (li.querySelector('.kpi-label').textContent.trim() === arguments[0]) return li.querySelector('.kpi-value').textContent.trim(); } \
        return null;";
    c.execute(script, vec![json!(label)]).await.unwrap().as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_draw_and_a_new_booking_moves_them_live() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(&app, &key, spec).await;
    for (start, phone) in
        [("2026-06-02T10:00:00-03:00", "+5511987000001"), ("2026-06-03T10:00:00-03:00", "+5511987000002")]
    {
        book(&app, &key, &cal, start, phone).await;
    }
    app.run_pending_jobs().await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    c.goto(&app.url("/app/dashboard")).await.unwrap();
    assert!(
        until_page_shows(&c, "Números do período").await
            || until_page_shows(&c, "Agendamentos por dia").await
    );
    assert_eq!(card(&c, "Agendamentos").await, "2");
    assert_eq!(card(&c, "Receita agendada").await, "R$ 300,00");
    let bars = c.find_all(Locator::Css("svg.bars rect")).await.unwrap();
    assert_eq!(bars.len(), 30, "a bar slot per day of the last 30 days (no leads: that chart says so)");
    assert!(c.source().await.unwrap().contains("Nada registrado no período."));
    // The figures in detail: bookings by practitioner names who and how many.
    let split = "for (const s of document.querySelectorAll('.split')) { \
        const h = s.closest('section').querySelector('h3').textContent.trim(); \
        if (h === arguments[0]) return [...s.querySelectorAll('li')].map(li => [...li.children].map(e => e.textContent.trim()).filter(Boolean).join(' ')); } \
        return null;";
    let rows = c.execute(split, vec![json!("Agendamentos por profissional")]).await.unwrap();
    assert_eq!(rows, json!(["Dra. Ana Lima 2"]), "one practitioner, two bookings");
    accessible(&c, axe.as_deref(), "dashboard").await;
    screenshots(&c, "dashboard").await;

    // A booking made elsewhere moves the figures on this page, which does not reload.
    c.execute("window.__stillThisPage = true;", vec![]).await.unwrap();
    book(&app, &key, &cal, "2026-06-04T10:00:00-03:00", "+5511987000003").await;
    app.run_pending_jobs().await;
    let mut moved = false;
    for _ in 0..40 {
        if card(&c, "Agendamentos").await == "3" {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(moved, "the bookings card shows 3 without a reload");
    assert_eq!(card(&c, "Receita agendada").await, "R$ 450,00");
    let same = c.execute("return window.__stillThisPage === true;", vec![]).await.unwrap();
    assert_eq!(same, json!(true), "the page was not reloaded");

    // A patient whose tone turns: the tone split counts it, the conversation is listed and
    // opens in the inbox.
    assert!(c.source().await.unwrap().contains("Nenhuma conversa ficou negativa no período."));
    for body in ["oi, queria marcar uma limpeza", "que absurdo, ninguém me responde!!"] {
        let (s, v) =
            post(&app, &key, "/api/v1/sandbox/inbound", json!({"from": "+5511987000009", "body": body}))
                .await;
        assert!(s == 200 || s == 202, "{v}");
        app.run_pending_jobs().await;
    }
    c.goto(&app.url("/app/dashboard")).await.unwrap();
    assert!(until_page_shows(&c, "Conversas que ficaram negativas").await);
    let rows = c.execute(split, vec![json!("Tom das mensagens dos pacientes")]).await.unwrap();
    assert_eq!(rows, json!(["Positivas 0 (0%)", "Neutras 1 (50%)", "Negativas 1 (50%)"]));
    let turned = c.find(Locator::Css(".turned-negative li a")).await.unwrap();
    let href = turned.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/app/inbox/"), "{href}");
    turned.click().await.unwrap();
    assert!(until_page_shows(&c, "que absurdo, ninguém me responde!!").await, "the conversation opens");

    // Another period: nothing happened in May.
    c.goto(&app.url("/app/dashboard?from=2026-05-01&to=2026-05-31")).await.unwrap();
    assert!(until_page_shows(&c, "Nada registrado no período.").await);
    assert_eq!(card(&c, "Agendamentos").await, "0");

    // A report of the period downloads for a signed-in person (no API key).
    let cookie = session_cookie(&c).await;
    let r = app
        .http
        .get(app.url("/app/reports/appointments?from=2026-06-01&to=2026-06-30&format=csv"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and three appointments:\n{csv}");

    // The scheduled reports ready: the latest weeks and months, each a download.
    let links = c
        .execute(
            "return [...document.querySelectorAll('ul.scheduled a')].map(a => [a.textContent.trim(), a.getAttribute('href')]);",
            vec![],
        )
        .await
        .unwrap();
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 4, "{links:?}");
    let (text, href) = (links[0][0].as_str().unwrap(), links[0][1].as_str().unwrap());
    assert!(text.starts_with("Semanal · Visão geral · ") && text.ends_with(" · PDF"), "{text}");
    let r = app.http.get(app.url(href)).header("cookie", session_cookie(&c).await).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.headers()["content-type"].to_str().unwrap().to_owned()),
        (200, "application/pdf".to_owned()),
        "{href}"
    );

    // The same page in English.
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("en").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "My profile").await);
    c.goto(&app.url("/app/dashboard")).await.unwrap();
    assert!(until_page_shows(&c, "Appointments booked per day").await);
    let rows = c.execute(split, vec![json!("Appointments booked by practitioner")]).await.unwrap();
    assert_eq!(rows, json!(["Dra. Ana Lima 3"]));
    assert_eq!(card(&c, "Revenue booked").await, "R$ 450.00");
    accessible(&c, axe.as_deref(), "dashboard-en").await;
    screenshots(&c, "dashboard-en").await;
}
