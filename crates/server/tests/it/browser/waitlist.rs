//! The waitlist page: staff put a patient on the list from the desk, see the offer made
//! when an appointment is cancelled, and take the patient off; in Portuguese and English.

use super::support::*;
use frontdesk_test_support::post;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_add_a_patient_see_the_offer_and_take_them_off() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let (s, p) =
        post(&app, &key, "/api/v1/patients", json!({"name": "Rita Gomes", "phone": "+5511987001122"})).await;
    assert_eq!(s, 201, "{p}");
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    c.goto(&app.url("/app/waitlist")).await.unwrap();
    assert!(until_page_shows(&c, "Ninguém na lista de espera").await);
    // A number nobody has is named, next to the form.
    c.find(Locator::Css("#phone")).await.unwrap().send_keys("(11) 90000-0000").await.unwrap();
    submit(&c, "form[action='/app/waitlist'] button[type=submit]").await;
    assert!(until_page_shows(&c, "Nenhum paciente com esse telefone").await);
    accessible(&c, axe.as_deref(), "waitlist-unknown-phone").await;

    let phone = c.find(Locator::Css("#phone")).await.unwrap();
    phone.clear().await.unwrap();
    phone.send_keys("(11) 98700-1122").await.unwrap();
    c.find(Locator::Css("#period")).await.unwrap().select_by_value("mornings").await.unwrap();
    submit(&c, "form[action='/app/waitlist'] button[type=submit]").await;
    assert!(until_page_shows(&c, "Rita Gomes").await);
    assert!(c.source().await.unwrap().contains("06:00–12:00"), "the mornings window is shown");

    // Wednesday 10:00 is booked, then cancelled: the slot is offered to Rita.
    let body = json!({
        "patient": {"name": "Carla Dias", "phone": "+5511987003344"},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": "2026-06-03T10:00:00-03:00",
    });
    let (s, a) = post(&app, &key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    let cancel = format!("/api/v1/appointments/{}/cancel", a["id"].as_str().unwrap());
    assert_eq!(post(&app, &key, &cancel, json!({})).await.0, 200);
    app.run_pending_jobs().await;
    c.goto(&app.url("/app/waitlist")).await.unwrap();
    assert!(until_page_shows(&c, "aguardando resposta").await);
    assert!(c.source().await.unwrap().contains("03/06 10:00"));
    accessible(&c, axe.as_deref(), "waitlist").await;
    screenshots(&c, "waitlist").await;

    // The same page in English.
    c.goto(&app.url("/app/me")).await.unwrap();
    c.find(Locator::Css("#locale")).await.unwrap().select_by_value("en").await.unwrap();
    c.find(Locator::Css("form[action='/app/me'] button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "My profile").await);
    c.goto(&app.url("/app/waitlist")).await.unwrap();
    assert!(until_page_shows(&c, "awaiting reply").await);
    accessible(&c, axe.as_deref(), "waitlist-en").await;
    screenshots(&c, "waitlist-en").await;

    // Taken off the list, Rita is no longer waiting.
    c.find(Locator::Css("#waiting form button[type=submit]")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Nobody is on the waitlist").await);
    let left = app.get("/api/v1/waitlist?status=removed", &key).send().await.unwrap();
    let left: serde_json::Value = left.json().await.unwrap();
    assert_eq!(left["items"].as_array().unwrap().len(), 1, "{left}");
}
