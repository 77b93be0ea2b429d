//! No-show risk on appointments still ahead, on both backends: in the API (one and the
//! list) and in the staff calendar, higher for a patient who missed before, with reasons.

use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, get, post, setup_calendar};
use serde_json::{Value, json};

backend_tests!(
    a_patient_who_missed_before_carries_a_higher_risk_with_its_reason,
    a_high_risk_appointment_already_confirmed_is_not_asked_again,
);

async fn book(
    app: &TestApp,
    key: &str,
    cal: &frontdesk_test_support::Calendar,
    doctor: usize,
    start: &str,
    phone: &str,
) -> Value {
    let body = json!({
        "patient": {"name": "Maria Souza", "phone": phone},
        "practitioner_id": cal.practitioners[doctor], "location_id": cal.location, "service_id": cal.service,
        "start": start,
    });
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a
}

async fn a_patient_who_missed_before_carries_a_higher_risk_with_its_reason(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let (missing, steady) = ("(11) 98765-4321", "(11) 91234-5678");
    // Wednesday 2026-06-03 at 10:00 São Paulo: one patient comes, the other does not.
    let first_missed = book(&app, &key, &cal, 0, "2026-06-03T10:00:00-03:00", missing).await;
    let first_kept = book(&app, &key, &cal, 1, "2026-06-03T10:00:00-03:00", steady).await;
    let before =
        get(&app, &key, &format!("/api/v1/appointments/{}", first_missed["id"].as_str().unwrap())).await;
    assert!(before["no_show_risk"]["probability"].is_f64(), "an appointment ahead has a risk: {before}");
    app.clock.set("2026-06-03T13:05:00Z".parse().unwrap());
    let check_in = format!("/api/v1/appointments/{}/check-in", first_kept["id"].as_str().unwrap());
    assert_eq!(app.post(&check_in, &key).send().await.unwrap().status(), 200);
    app.clock.set("2026-06-03T14:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let past =
        get(&app, &key, &format!("/api/v1/appointments/{}", first_missed["id"].as_str().unwrap())).await;
    assert_eq!(past["status"], "no_show");
    assert!(past.get("no_show_risk").is_none(), "a past appointment has no risk: {past}");

    // Both book again for Monday 2026-06-15.
    let next_missed = book(&app, &key, &cal, 0, "2026-06-15T10:00:00-03:00", missing).await;
    let next_kept = book(&app, &key, &cal, 1, "2026-06-15T10:00:00-03:00", steady).await;
    let risk_of = |a: Value| a["no_show_risk"].clone();
    let risky = risk_of(
        get(&app, &key, &format!("/api/v1/appointments/{}", next_missed["id"].as_str().unwrap())).await,
    );
    let safe = risk_of(
        get(&app, &key, &format!("/api/v1/appointments/{}", next_kept["id"].as_str().unwrap())).await,
    );
    let (p_risky, p_safe) = (risky["probability"].as_f64().unwrap(), safe["probability"].as_f64().unwrap());
    assert!(p_risky > 2.0 * p_safe, "missed before {risky} vs came before {safe}");
    assert_eq!(risky["reasons"][0]["code"], "prior_no_shows", "{risky}");
    assert_eq!(risky["level"], "high", "{risky}");
    assert!(!safe["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "prior_no_shows"), "{safe}");

    // The list carries the same figures for what is ahead, nothing for what is past.
    let listed = get(&app, &key, "/api/v1/appointments?limit=50").await;
    let items = listed["items"].as_array().unwrap();
    let by_id = |id: &Value| items.iter().find(|a| a["id"] == *id).unwrap().clone();
    assert_eq!(by_id(&next_missed["id"])["no_show_risk"], risky);
    assert!(by_id(&first_kept["id"]).get("no_show_risk").is_none());

    // FHIR carries it as an extension of the Appointment.
    let fhir =
        get(&app, &key, &format!("/fhir/R4/Appointment/{}", next_missed["id"].as_str().unwrap())).await;
    let extension = fhir["extension"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|e| e["url"].as_str().is_some_and(|u| u.ends_with("/StructureDefinition/no-show-risk")))
        })
        .unwrap_or_else(|| panic!("no risk extension: {fhir}"))
        .clone();
    let part = |name: &str| {
        extension["extension"].as_array().unwrap().iter().find(|p| p["url"] == name).unwrap().clone()
    };
    assert_eq!(part("probability")["valueDecimal"].as_f64(), Some(p_risky));
    assert_eq!(part("level")["valueCode"], "high");
    assert_eq!(part("reason")["valueCode"], "prior_no_shows");
    let past_fhir =
        get(&app, &key, &format!("/fhir/R4/Appointment/{}", first_missed["id"].as_str().unwrap())).await;
    assert!(past_fhir.get("extension").is_none(), "{past_fhir}");

    // Two days before (Saturday 13:00Z): the patient likely to miss, still unconfirmed, is
    // asked to confirm; the other is not.
    app.clock.set("2026-06-13T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let asked: Vec<Value> = get(&app, &key, "/api/v1/sandbox/notifications").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["template"] == "appointment_confirm_request")
        .cloned()
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0]["patient_id"], next_missed["patient_id"]);
    assert_eq!(asked[0]["variables"]["reply_options"]["1"], "confirm");

    // Six hours on, still unconfirmed: the AI voice agent calls that patient (only that one).
    let calls_now = || async { get(&app, &key, "/api/v1/calls").await["items"].as_array().unwrap().clone() };
    assert!(calls_now().await.is_empty());
    app.clock.set("2026-06-13T19:05:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let calls = calls_now().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["patient_id"], next_missed["patient_id"]);
    assert_eq!(calls[0]["reason"], "appointment_confirmation");

    // The staff calendar shows the badge with its reason, and the day's expected no-shows.
    let cookie = app.staff_cookie(tenant.id, "ana@alpha.example", frontdesk_domain::staff::Role::Staff).await;
    let page = app
        .http
        .get(app.url("/app/calendar?date=2026-06-15&view=day"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let percent = format!("Risco de falta: alto ({:.0}%)", p_risky * 100.0);
    assert!(html.contains(&percent), "{percent} in the calendar");
    assert!(html.contains("faltou antes"), "the reason, in words");
    assert!(html.contains("Faltas esperadas"), "each practitioner's expected no-shows");
    assert!(html.contains("nada é automático): 0,"), "written with a decimal comma in Portuguese");
}

async fn a_high_risk_appointment_already_confirmed_is_not_asked_again(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let phone = "(11) 98765-4321";
    book(&app, &key, &cal, 0, "2026-06-03T10:00:00-03:00", phone).await;
    app.clock.set("2026-06-03T14:00:00Z".parse().unwrap());
    app.run_pending_jobs().await; // marked no-show
    let next = book(&app, &key, &cal, 0, "2026-06-15T10:00:00-03:00", phone).await;
    let id = next["id"].as_str().unwrap();
    assert_eq!(get(&app, &key, &format!("/api/v1/appointments/{id}")).await["no_show_risk"]["level"], "high");
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{id}/confirm"), &key).send().await.unwrap().status(),
        200
    );
    app.clock.set("2026-06-13T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let items = get(&app, &key, "/api/v1/sandbox/notifications").await["items"].as_array().unwrap().clone();
    assert!(!items.iter().any(|n| n["template"] == "appointment_confirm_request"), "{items:?}");
    app.clock.set("2026-06-13T20:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let calls = get(&app, &key, "/api/v1/calls").await;
    assert!(calls["items"].as_array().unwrap().is_empty(), "a confirmed patient is not called: {calls}");
}
