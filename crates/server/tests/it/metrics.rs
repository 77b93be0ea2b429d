//! The overview figures from a known history driven through the real paths (lead intake,
//! the speed-to-lead playbook with the sandbox providers, bookings, check-in, no-show),
//! in a clinic on New York time across the night the clocks move forward (2026-03-08),
//! on both backends.

use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, error_of, get, patch, post, setup_calendar,
};
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(overview_counts_a_known_history_by_the_clinics_days, bad_periods_are_refused_by_name);

fn lead(phone: &str) -> Value {
    json!({"phone": phone, "name": "Carla Mendes", "source": "paid_ads", "service_interest": "Implante",
        "utm_source": "google", "utm_campaign": "implante-ny"})
}

async fn new_lead_contacted_after(app: &TestApp, key: &str, phone: &str, at: &str, seconds: i64) {
    app.clock.set(at.parse().unwrap());
    let (s, created) = post(app, key, "/api/v1/leads", lead(phone)).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["lead"]["temperature"], "hot");
    app.clock.advance(SignedDuration::from_secs(seconds));
    app.run_pending_jobs().await;
    // The sandbox call plays its end a moment later.
    app.clock.advance(SignedDuration::from_mins(2));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
}

async fn overview(app: &TestApp, key: &str, from: &str, to: &str) -> Value {
    get(app, key, &format!("/api/v1/metrics/overview?from={from}&to={to}")).await
}

async fn overview_counts_a_known_history_by_the_clinics_days(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    let (s, t) = patch(&app, &key, "/api/v1/tenant", json!({"timezone": "America/New_York"})).await;
    assert_eq!(s, 200, "{t}");
    let (s, t) = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"leads": {"scoring": {"high_value_services": ["Implante"]}},
            "voice": {"sandbox_outcome": "not_interested"}}),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(&app, &key, spec).await;

    // Saturday 2026-03-07, 23:30 EST (04:30 UTC on the 8th): a lead reached in 20 s. It is
    // the 7th in New York, so it belongs to the previous period.
    new_lead_contacted_after(&app, &key, "+12125550101", "2026-03-08T04:30:00Z", 20).await;
    // Sunday the 8th, after the clocks moved (12:00 EDT = 16:00 UTC): two leads, 5 s and 42 s.
    new_lead_contacted_after(&app, &key, "+12125550102", "2026-03-08T16:00:00Z", 5).await;
    new_lead_contacted_after(&app, &key, "+12125550103", "2026-03-08T17:00:00Z", 42).await;

    // Two bookings on Sunday for Monday the 9th at 09:00 and 09:30 EDT (the unit works on
    // São Paulo time, 10:00 and 10:30 there), one kept and one missed.
    let book = |start: &'static str, phone: &'static str| {
        let body = json!({"patient": {"name": "Rita Alves", "phone": phone},
            "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
            "start": start});
        let app = &app;
        let key = key.clone();
        async move {
            let (s, a) = post(app, &key, "/api/v1/appointments", body).await;
            assert_eq!(s, 201, "{a}");
            a["id"].as_str().unwrap().to_string()
        }
    };
    let kept = book("2026-03-09T09:00:00-04:00", "+12125550102").await;
    let missed = book("2026-03-09T09:30:00-04:00", "+12125550103").await;
    app.run_pending_jobs().await;
    app.clock.set("2026-03-09T13:05:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{kept}/check-in"), &key).send().await.unwrap().status(),
        200
    );
    app.clock.set("2026-03-09T15:00:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{missed}/no-show"), &key).send().await.unwrap().status(),
        200
    );
    app.run_pending_jobs().await;

    let o = overview(&app, &key, "2026-03-08", "2026-03-09").await;
    let f = |name: &str| o[name].clone();
    let before = |name: &str| o["previous"][name].clone();
    assert_eq!(
        (o["from"].clone(), o["to"].clone(), o["tz"].clone()),
        (json!("2026-03-08"), json!("2026-03-09"), json!("America/New_York"))
    );
    assert_eq!((before("from"), before("to")), (json!("2026-03-06"), json!("2026-03-07")));

    // Leads count on the day they arrived in the clinic's zone: the 23:30 EST one is the 7th's.
    assert_eq!((f("leads_total"), before("leads_total")), (json!(2.0), json!(1.0)));
    assert_eq!((f("leads_contacted"), before("leads_contacted")), (json!(2.0), json!(1.0)));
    assert_eq!((f("speed_to_lead_p50_seconds"), f("speed_to_lead_p90_seconds")), (json!(5.0), json!(42.0)));
    assert_eq!(
        (before("speed_to_lead_p50_seconds"), before("speed_to_lead_p90_seconds")),
        (json!(20.0), json!(20.0))
    );
    // Both of Sunday's leads booked (once each, however their appointments went).
    assert_eq!((f("leads_booked"), f("lead_to_booking_rate")), (json!(2.0), json!(1.0)));
    assert_eq!((before("leads_booked"), before("lead_to_booking_rate")), (json!(0.0), json!(0.0)));

    // Appointments: two booked over the API (not by the assistant), one kept, one missed.
    assert_eq!((f("appointments_total"), f("appointments_showed")), (json!(2.0), json!(1.0)));
    assert_eq!((f("no_show_rate"), f("bookings_by_ai_share")), (json!(0.5), json!(0.0)));
    assert_eq!((f("revenue_booked"), f("revenue_lost_to_no_shows")), (json!(300.0), json!(150.0)));
    assert_eq!(before("no_show_rate"), Value::Null, "no appointment ended in the previous period: no rate");
    assert_eq!(before("bookings_by_ai_share"), Value::Null);

    // Calls and messages, against the records themselves. The sandbox's calls wait for
    // calling hours and end "not interested" after 42 s at no cost.
    let calls = get(&app, &key, "/api/v1/calls?limit=100").await;
    let ended = calls["items"].as_array().unwrap().iter().filter(|c| !c["outcome"].is_null()).count();
    assert!(ended > 0);
    assert_eq!(f("calls_total"), json!(ended as f64));
    assert_eq!(
        (f("calls_answered_rate"), f("calls_avg_duration_seconds"), f("calls_cost_total")),
        (json!(1.0), json!(42.0), json!(0.0))
    );
    let csv = app
        .get("/api/v1/reports/messages?from=2026-03-08&to=2026-03-09&locale=en", &key)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(csv.as_bytes()).records().map(Result::unwrap).collect();
    let outbound: Vec<_> = rows.iter().filter(|r| &r[1] == "outbound").collect();
    let delivered = outbound.iter().filter(|r| &r[3] == "delivered").count();
    assert!(!outbound.is_empty());
    assert_eq!(f("messages_sent"), json!(outbound.len() as f64));
    assert_eq!(f("messages_delivered_rate"), json!(delivered as f64 / outbound.len() as f64));
    assert_eq!((f("messages_read_rate"), f("patient_response_rate")), (json!(0.0), json!(0.0)));

    // A new booking moves the figures at the next read once its fact is logged (the job
    // runner does that within moments); nothing else has to run.
    app.clock.set("2026-03-09T16:00:00Z".parse().unwrap());
    book("2026-03-10T09:00:00-04:00", "+12125550199").await;
    app.run_pending_jobs().await;
    let after = overview(&app, &key, "2026-03-08", "2026-03-09").await;
    assert_eq!(after["appointments_total"], json!(3.0));
    assert_eq!(after["revenue_booked"], json!(450.0));
}

async fn bad_periods_are_refused_by_name(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    for (query, needle) in [
        ("from=2026-03-09&to=2026-03-08", "before"),
        ("from=2024-01-01&to=2026-03-08", "at most 400"),
        ("from=2026-02-30&to=2026-03-08", "2026-02-30"),
        ("from=2026-03-01&to=2026-03-08&tz=Mars/Olympus", "Mars/Olympus"),
        ("from=2026-03-01&to=2026-03-08&tz=Asia/Tokyo", "clinic's days"),
    ] {
        let r = app.get(&format!("/api/v1/metrics/overview?{query}"), &key).send().await.unwrap();
        let (s, code, message) = error_of(r).await;
        assert_eq!((s, code.as_str()), (400, "invalid_period"), "{query}");
        assert!(message.contains(needle), "{query}: {message}");
    }
    let r = app
        .get("/api/v1/metrics/overview?from=2026-03-01&to=2026-03-08&breakdown=x", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "unknown parameters are refused");
    let r = reqwest::get(app.url("/api/v1/metrics/overview?from=2026-03-01&to=2026-03-08")).await.unwrap();
    assert_eq!(r.status(), 401);
}
