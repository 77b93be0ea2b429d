//! Campaigns in the staff app: a running recall in the list with its results, and its page
//! with where the patient stands; a campaign created from the form (its audience counted
//! before saving), started with a button, and one patient's enrollment followed; in
//! Portuguese and English, checked with axe-core, screenshots at desktop and phone width.

use super::support::*;
use frontdesk_test_support::{get, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_and_where_its_patients_stand() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    // A patient seen in November 2025, recalled in June 2026.
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let body = json!({"patient": {"name": "Rita Alves", "phone": "+5511987000061"},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": "2025-11-05T10:00:00-03:00"});
    let (s, a) = post(&app, &key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{}/check-in", a["id"].as_str().unwrap()), &key);
    assert_eq!(r.send().await.unwrap().status(), 200);
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    let body = json!({"name": "Retorno de 6 meses", "kind": "recall", "segment": {"last_visit_before_days": 180},
        "steps": [{"channel": "whatsapp", "template": "booking_link"},
                  {"channel": "whatsapp", "template": "reactivation", "delay_hours": 48}]});
    let (s, c) = post(&app, &key, "/api/v1/campaigns", body).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_owned();
    let (s, started) = post(&app, &key, &format!("/api/v1/campaigns/{id}/start"), json!({})).await;
    assert_eq!(s, 200, "{started}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    c.goto(&app.url("/app/campaigns")).await.unwrap();
    assert!(until_page_shows(&c, "Retorno de 6 meses").await, "{}", visible_text(&c).await);
    let text = visible_text(&c).await;
    assert!(text.contains("Em andamento") && text.contains("Receita recuperada"), "{text}");
    // The results table: one enrolled and reached, nobody replied or booked yet.
    let row =
        c.find(Locator::XPath("//table[contains(@class,'campaign-results')]/tbody/tr[1]")).await.unwrap();
    let cells: Vec<String> = futures::future::join_all(
        row.find_all(Locator::Css("td"))
            .await
            .unwrap()
            .into_iter()
            .map(|td| async move { td.text().await.unwrap() }),
    )
    .await;
    assert_eq!(cells[..6], ["1", "1", "0", "0", "0", "R$ 0,00"], "{cells:?}");
    assert_eq!(cells[6..], ["0%", "0%", "0%"], "{cells:?}");
    accessible(&c, axe.as_deref(), "campaigns").await;
    screenshots(&c, "campaigns").await;

    c.find(Locator::LinkText("Retorno de 6 meses")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Onde os pacientes estão").await);
    let text = visible_text(&c).await;
    assert!(text.contains("Rita Alves") && text.contains("1 enviadas"), "{text}");
    accessible(&c, axe.as_deref(), "campaign").await;
    screenshots(&c, "campaign").await;

    // The same in English.
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("en").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "My profile").await);
    c.goto(&app.url("/app/campaigns")).await.unwrap();
    assert!(until_page_shows(&c, "Recovered revenue").await);
    accessible(&c, axe.as_deref(), "campaigns-en").await;
    screenshots(&c, "campaigns-en").await;
    c.goto(&app.url(&format!("/app/campaigns/{id}"))).await.unwrap();
    assert!(until_page_shows(&c, "Where patients stand").await);
    accessible(&c, axe.as_deref(), "campaign-en").await;
    screenshots(&c, "campaign-en").await;
    // An unknown campaign is a page that says so, not an error.
    c.goto(&app.url(&format!("/app/campaigns/{}", uuid::Uuid::now_v7()))).await.unwrap();
    assert!(until_page_shows(&c, "Page not found").await, "{}", visible_text(&c).await);
}

/// A patient seen in November 2025 (checked in), a recall's audience in June 2026; the
/// clock is left on Monday 1 June 2026, 09:00 in São Paulo.
async fn seen_in_november(app: &TestApp, key: &str) {
    let cal = setup_calendar(app, key, CalendarSpec::default()).await;
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let body = json!({"patient": {"name": "Rita Alves", "phone": "+5511987000062"},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": "2025-11-05T10:00:00-03:00"});
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{}/check-in", a["id"].as_str().unwrap()), key);
    assert_eq!(r.send().await.unwrap().status(), 200);
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_create_a_campaign_see_its_audience_start_it_and_follow_a_patient() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    seen_in_november(&app, &key).await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    c.goto(&app.url("/app/campaigns")).await.unwrap();
    c.find(Locator::Css("#new-campaign")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Nova campanha").await, "{}", visible_text(&c).await);
    // Without a name: refused, saying why, and what was typed is kept.
    c.find(Locator::Css("#tags")).await.unwrap().send_keys("sem-etiqueta").await.unwrap();
    submit(&c, "#create-campaign").await;
    assert!(until_page_shows(&c, "A campanha não pôde ser criada").await, "{}", visible_text(&c).await);
    let tags = c.find(Locator::Css("#tags")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(tags.as_deref(), Some("sem-etiqueta"));
    c.find(Locator::Css("#tags")).await.unwrap().clear().await.unwrap();
    c.find(Locator::Css("#name")).await.unwrap().send_keys("Retorno de junho").await.unwrap();
    // The audience, counted without saving (htmx swaps the count in).
    c.find(Locator::Css("#see-audience")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "id=\"audience-size\">1<").await, "{}", visible_text(&c).await);
    let campaigns = get(&app, &key, "/api/v1/campaigns").await;
    assert_eq!(campaigns["items"].as_array().unwrap().len(), 0, "a preview saves nothing");
    accessible(&c, axe.as_deref(), "campaign-new").await;
    screenshots(&c, "campaign-new").await;

    submit(&c, "#create-campaign").await;
    assert!(until_page_shows(&c, "Rascunho").await, "{}", visible_text(&c).await);
    let campaigns = get(&app, &key, "/api/v1/campaigns").await;
    let id = campaigns["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(campaigns["items"][0]["segment"]["last_visit_before_days"], 180, "{campaigns}");
    assert_eq!(c.find(Locator::Css("#audience-size")).await.unwrap().text().await.unwrap(), "1");
    submit(&c, "#campaign-start").await;
    assert!(until_page_shows(&c, "Em andamento").await, "{}", visible_text(&c).await);
    let status = c.find(Locator::Css("#campaign-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "Em andamento");
    assert!(c.find(Locator::Css("#campaign-pause")).await.is_ok(), "a running campaign can be paused");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    c.goto(&app.url(&format!("/app/campaigns/{id}"))).await.unwrap();
    c.find(Locator::LinkText("Rita Alves")).await.unwrap().click().await.unwrap();
    assert!(
        until_page_shows(&c, "Mensagens e ligações desde a inscrição").await,
        "{}",
        visible_text(&c).await
    );
    let standing = c.find(Locator::Css("#standing")).await.unwrap().text().await.unwrap();
    assert!(standing.starts_with("1 de 1 etapas enviadas, a última por WhatsApp"), "{standing}");
    let history = c.find(Locator::Css("#interactions")).await.unwrap().text().await.unwrap();
    assert!(history.contains("WhatsApp · enviada"), "{history}");
    accessible(&c, axe.as_deref(), "campaign-enrollment").await;
    screenshots(&c, "campaign-enrollment").await;

    // Pausing from the page; a second pause (from another tab) says why it cannot.
    c.goto(&app.url(&format!("/app/campaigns/{id}"))).await.unwrap();
    submit(&c, "#campaign-pause").await;
    assert!(until_page_shows(&c, "Pausada").await, "{}", visible_text(&c).await);

    // In English.
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("en").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "My profile").await);
    c.goto(&app.url("/app/campaigns/new")).await.unwrap();
    assert!(until_page_shows(&c, "See audience").await);
    accessible(&c, axe.as_deref(), "campaign-new-en").await;
    screenshots(&c, "campaign-new-en").await;
    let enrollments = get(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments")).await;
    let enrollment = enrollments["items"][0]["id"].as_str().unwrap();
    c.goto(&app.url(&format!("/app/campaigns/{id}/enrollments/{enrollment}"))).await.unwrap();
    assert!(until_page_shows(&c, "1 of 1 steps sent").await, "{}", visible_text(&c).await);
    accessible(&c, axe.as_deref(), "campaign-enrollment-en").await;
    screenshots(&c, "campaign-enrollment-en").await;
}
