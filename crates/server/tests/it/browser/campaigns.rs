//! Campaigns in the staff app: a running recall in the list with its results, and its page
//! with where the patient stands; in Portuguese and English, checked with axe-core,
//! screenshots at desktop and phone width.

use super::support::*;
use frontdesk_test_support::post;

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
