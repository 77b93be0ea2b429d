//! The public booking page on a phone: a patient picks the service, a day and a time,
//! fills in name and phone and is booked; a second patient who had the same time open is
//! told it was just taken and shown the next ones, and books one of those. Then the
//! patient moves and cancels from the answer page. Pages in Portuguese and English, checked
//! with axe-core, screenshots at phone and desktop width.

use super::support::*;

const PHONE: (u32, u32) = (390, 844);

/// Opens the details form of Wednesday 3 June at 10:00 (the first dentist), as a patient
/// does: the first page, the service, the day, the time.
async fn open_ten_oclock(c: &Client, app: &TestApp, axe: Option<&str>, first: bool) {
    c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    c.goto(&app.url("/book/sorriso")).await.unwrap();
    assert!(until_page_shows(c, "Agende sua consulta").await);
    if first {
        accessible(c, axe, "book-start").await;
        screenshots(c, "book-start").await;
        c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    }
    submit(c, "form[method=get] button[type=submit]").await;
    assert!(until_page_shows(c, "Escolha o dia").await);
    c.find(Locator::XPath("//ul[@class='days']//a[contains(., 'qua, 03/06')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(until_page_shows(c, ">qua, 03/06</h2>").await);
    if first {
        accessible(c, axe, "book-times").await;
        screenshots(c, "book-times").await;
        c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    }
    let ten =
        "//ul[@class='slots']//a[starts-with(normalize-space(.), '10:00') and contains(., 'Dra. Ana Lima')]";
    c.find(Locator::XPath(ten)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(c, "Seus dados").await);
}

async fn fill(c: &Client, name: &str, phone: &str) {
    c.find(Locator::Css("#name")).await.unwrap().send_keys(name).await.unwrap();
    c.find(Locator::Css("#phone")).await.unwrap().send_keys(phone).await.unwrap();
    c.find(Locator::Css("#consent")).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_patients_race_for_one_slot_on_their_phones() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (_, key) = app.tenant_with_key("sorriso").await;
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(&app, &key, spec).await;
    let (first, second) = (browser(&driver).await, browser(&driver).await);

    open_ten_oclock(&first, &app, axe.as_deref(), true).await;
    accessible(&first, axe.as_deref(), "book-details").await;
    fill(&first, "Maria Souza", "(11) 98765-4321").await;
    screenshots(&first, "book-details").await;
    open_ten_oclock(&second, &app, axe.as_deref(), false).await;
    fill(&second, "Beto Lima", "(11) 98700-0002").await;

    // The first confirms: booked, with the way to move or cancel.
    first.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    submit(&first, "form.stack button[type=submit]").await;
    assert!(until_page_shows(&first, "Consulta agendada!").await);
    assert!(first.source().await.unwrap().contains("qua, 03/06 às 10:00"));
    accessible(&first, axe.as_deref(), "book-done").await;
    screenshots(&first, "book-done").await;

    // The second, a moment later: told, and shown the next free times.
    submit(&second, "form.stack button[type=submit]").await;
    assert!(until_page_shows(&second, "acabou de ser reservado por outra pessoa").await);
    let next = second.find(Locator::Css("#taken")).await.unwrap().text().await.unwrap();
    assert!(!next.contains("qua, 03/06 às 09:"), "only times after the one taken: {next}");
    assert!(next.contains("qua, 03/06 às 10:00") && next.contains("Dr. Bruno Reis"), "{next}");
    accessible(&second, axe.as_deref(), "book-taken").await;
    screenshots(&second, "book-taken").await;
    // One of those is theirs.
    second.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    second.find(Locator::Css("#taken a.slot")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&second, "Seus dados").await);
    fill(&second, "Beto Lima", "(11) 98700-0002").await;
    submit(&second, "form.stack button[type=submit]").await;
    assert!(until_page_shows(&second, "Consulta agendada!").await);
    let list = frontdesk_test_support::get(&app, &key, "/api/v1/appointments").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");

    // The first patient moves theirs to 11:00, in English, then cancels.
    first.find(Locator::Css("header a[hreflang=en]")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&first, "We sent the confirmation").await);
    first.find(Locator::XPath("//a[normalize-space(.)='Reschedule']")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&first, "Choose the new time").await);
    first
        .find(Locator::XPath("//ul[@class='days']//a[contains(., 'Wed, Jun 3')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(until_page_shows(&first, ">Wed, Jun 3</h2>").await);
    accessible(&first, axe.as_deref(), "book-move-en").await;
    screenshots(&first, "book-move-en").await;
    let eleven = "//ul[@class='slots']//button[starts-with(normalize-space(.), '11:00 AM')]";
    first.find(Locator::XPath(eleven)).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&first, "your appointment was moved").await);
    assert!(first.source().await.unwrap().contains("Wed, Jun 3 at 11:00 AM"));
    submit(&first, "button.danger").await;
    assert!(until_page_shows(&first, "Your appointment was cancelled").await);
    accessible(&first, axe.as_deref(), "book-cancelled-en").await;
    screenshots(&first, "book-cancelled-en").await;

    // No time suits the second patient for another visit: the waitlist, from the times page.
    second.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    second.goto(&app.url(&format!("/book/sorriso/slots?service={}", cal.service))).await.unwrap();
    second.find(Locator::Css(".waitlist-offer a")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&second, "Quando você pode vir").await);
    accessible(&second, axe.as_deref(), "book-waitlist").await;
    screenshots(&second, "book-waitlist").await;
    fill(&second, "Beto Lima", "(11) 98700-0002").await;
    second.find(Locator::Css("#period")).await.unwrap().select_by_value("afternoons").await.unwrap();
    submit(&second, "form.stack button[type=submit]").await;
    assert!(until_page_shows(&second, "Você está na lista de espera").await);
    let waiting = frontdesk_test_support::get(&app, &key, "/api/v1/waitlist").await;
    assert_eq!(waiting["items"][0]["windows"][0]["from"], "12:00", "{waiting}");
}
