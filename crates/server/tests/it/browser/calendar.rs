//! The calendar as the front desk uses it: the week at a glance, filtered to one
//! practitioner, and a booking for a patient already on file at a time the engine
//! suggests - the same ranking the WhatsApp assistant offers patients.

use super::support::*;

/// The heading of the column (a day in the week view) an appointment is listed under.
async fn column_of(c: &Client, appointment: &str) -> String {
    let script =
        "return document.getElementById(arguments[0]).closest('section').querySelector('h2').textContent";
    let heading = c.execute(script, vec![json!(format!("appt-{appointment}"))]).await.unwrap();
    heading.as_str().unwrap_or_default().to_owned()
}

async fn book(app: &TestApp, key: &str, body: Value) -> Value {
    let r = app.post("/api/v1/appointments", key).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_week_view_filters_and_a_suggested_slot_books_a_known_patient() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("agenda").await;
    add_user(&app, clinic.id, "ana@agenda.com.br", Role::Staff).await;
    let calendar = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let (ana, bruno) = (calendar.practitioners[0].clone(), calendar.practitioners[1].clone());
    let appointment = |who: &str, start: &str, name: &str, phone: &str| {
        json!({"patient": {"name": name, "phone": phone}, "practitioner_id": who,
            "location_id": calendar.location, "service_id": calendar.service, "start": start})
    };
    // Monday with Dra. Ana, Wednesday with Dr. Bruno (the clinic is in São Paulo, UTC-3).
    let monday =
        book(&app, &key, appointment(&ana, "2026-06-01T14:00:00-03:00", "Marta Paciente", "+5511987654321"))
            .await;
    let wednesday =
        book(&app, &key, appointment(&bruno, "2026-06-03T10:00:00-03:00", "Caio Quarta", "+5511955550000"))
            .await;
    let (monday_id, wednesday_id) =
        (monday["id"].as_str().unwrap().to_owned(), wednesday["id"].as_str().unwrap().to_owned());
    let marta = monday["patient_id"].as_str().unwrap().to_owned();

    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@agenda.com.br").await;

    // The week: Monday to Sunday, each appointment under its own day.
    c.goto(&app.url("/app/calendar?date=2026-06-03&view=week")).await.unwrap();
    assert!(until_page_shows(&c, "Caio Quarta").await);
    assert_eq!(column_of(&c, &monday_id).await, "Seg 01/06");
    assert_eq!(column_of(&c, &wednesday_id).await, "Qua 03/06");
    assert!(c.source().await.unwrap().contains("Dom 07/06"), "the week runs to Sunday");
    accessible(&c, axe.as_deref(), "calendar-week").await;
    screenshots(&c, "calendar-week").await;

    // Filtered to Dra. Ana: her Monday stays, Dr. Bruno's Wednesday goes.
    c.find(Locator::Css("#f-practitioner")).await.unwrap().select_by_value(&ana).await.unwrap();
    c.find(Locator::Css("form.filters button")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, &format!("practitioner={ana}")).await, "the filter is kept in the links");
    let source = c.source().await.unwrap();
    assert!(source.contains("Marta Paciente") && !source.contains("Caio Quarta"));

    // A booking without a time is refused in words, not with an error page.
    c.goto(&app.url("/app/calendar?date=2026-06-02")).await.unwrap();
    c.find(Locator::Css("details.booking summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#b-name")).await.unwrap().send_keys("Sem Hora").await.unwrap();
    c.find(Locator::Css("#b-phone")).await.unwrap().send_keys("11 94444-3333").await.unwrap();
    c.find(Locator::Css("form[action='/app/calendar/book'] button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(until_page_shows(&c, "Escolha um horário sugerido ou digite a hora").await);
    // Said next to the time field, with what was typed kept.
    let error = c.find(Locator::Css("#b-time-error")).await.expect("the problem is next to the field");
    assert!(error.text().await.unwrap().contains("digite a hora"));
    let kept = c.find(Locator::Css("#b-name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("Sem Hora"));
    accessible(&c, axe.as_deref(), "calendar-refused").await;
    screenshots(&c, "calendar-refused").await;

    // Marta, found by name, at the best afternoon slot the engine suggests.
    c.goto(&app.url("/app/calendar?date=2026-06-02")).await.unwrap();
    c.find(Locator::Css("details.booking summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#b-find")).await.unwrap().send_keys("Marta").await.unwrap();
    let pick = format!("input[name=patient_id][value='{marta}']");
    let mut found = None;
    for _ in 0..120 {
        if let Ok(radio) = c.find(Locator::Css(&pick)).await {
            found = Some(radio);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    found.expect("the search lists Marta").click().await.unwrap();
    c.find(Locator::Css("#b-period")).await.unwrap().select_by_value("afternoon").await.unwrap();
    c.find(Locator::Css("#b-suggest")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Horários sugeridos").await);
    let chosen = c.find(Locator::Css("input[name=slot]:checked")).await.unwrap();
    let value = chosen.attr("value").await.unwrap().unwrap();
    accessible(&c, axe.as_deref(), "calendar-booking").await;
    screenshots(&c, "calendar-booking").await;
    c.find(Locator::Css("form[action='/app/calendar/book'] button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(until_page_shows(&c, "#appt-").await || c.current_url().await.unwrap().fragment().is_some());

    // Booked for the same patient (no duplicate record), at the suggested time, in the afternoon.
    let start: jiff::Timestamp = value.rsplit('|').next().unwrap().parse().unwrap();
    let theirs: Value = app
        .get(&format!("/api/v1/appointments?patient_id={marta}"), &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts: Vec<jiff::Timestamp> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["start"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(starts.contains(&start), "booked at the suggestion {value}: {theirs}");
    assert_eq!(starts.len(), 2, "Marta's record was reused: {theirs}");
    let local = start.to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap());
    assert!((12..18).contains(&local.hour()), "an afternoon slot: {local}");
    let patients: Value =
        app.get("/api/v1/patients?name=Marta", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(patients["items"].as_array().map(Vec::len), Some(1), "{patients}");
    // The audit names the person who booked, not a key.
    let audit: Value = app.get("/api/v1/audit", &key).send().await.unwrap().json().await.unwrap();
    let booked_by_person = audit["items"].as_array().unwrap().iter().any(|e| {
        e["action"] == "book"
            && e["resource_type"] == "appointment"
            && e["actor"].as_str().is_some_and(|a| a.starts_with("user:"))
            && e["patient_id"] == marta.as_str()
    });
    assert!(booked_by_person, "{audit}");
    // Booked at the desk, confirmed to Marta as every booking is.
    let booked_id = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["start"].as_str().and_then(|s| s.parse::<jiff::Timestamp>().ok()) == Some(start))
        .map(|a| a["id"].clone())
        .unwrap();
    app.run_pending_jobs().await;
    let told: Value =
        app.get("/api/v1/sandbox/notifications", &key).send().await.unwrap().json().await.unwrap();
    let confirmations = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["template"] == "appointment_confirmation" && n["variables"]["appointment_id"] == booked_id
        })
        .count();
    assert_eq!(confirmations, 1, "{told}");

    // A reception computer left alone for a working day: the session has ended, and the
    // next page says so on the sign-in form.
    app.clock.advance(jiff::SignedDuration::from_hours(9));
    c.goto(&app.url("/app/calendar")).await.unwrap();
    let explained = until_page_shows(&c, "Sua sessão terminou").await;
    let landed = c.current_url().await.unwrap();
    assert!(explained, "no word on the ended session at {landed}: {}", visible_text(&c).await);
    assert!(landed.path().ends_with("/login"), "{landed}");
    c.close().await.unwrap();
}
