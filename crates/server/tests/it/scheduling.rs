//! The calendar over HTTP on both backends: setup, availability, ranked search, booking
//! (concurrency, idempotency), lifecycle, reminders and no-shows with a controllable clock.

use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, error_of, get, post, setup_calendar};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

backend_tests!(
    fifty_concurrent_bookings_one_wins,
    overlapping_not_identical_booking_is_refused,
    idempotent_retry_returns_the_same_appointment,
    outside_hours_and_rules_are_422,
    holiday_removes_slots,
    availability_grouped_by_local_day,
    ranked_search_explains_its_order,
    reminders_fire_at_the_right_instants_and_follow_changes,
    no_show_job_marks_only_absent_patients,
    every_invalid_transition_is_409,
    ics_is_a_valid_calendar_file,
    calendar_is_tenant_isolated,
    settings_merge_patch,
    catalog_input_is_validated,
    dst_week_generates_the_right_local_slots,
);

struct Clinic {
    key: String,
    location: String,
    doctors: Vec<String>,
    service: String,
}

/// A clinic set up through the API: one location in São Paulo, two cardiologists working
/// weekdays 08:00-12:00 and 13:00-17:00, a 30-minute consultation.
async fn clinic(app: &TestApp, slug: &str) -> Clinic {
    let (_, key) = app.tenant_with_key(slug).await;
    let spec = CalendarSpec {
        department: "Cardiologia",
        practitioners: &["Dra. Ana", "Dr. Bruno"],
        hours: &[("08:00", "12:00"), ("13:00", "17:00")],
        services: vec![
            json!({"name": "Consulta", "department": "cardiologia", "duration_minutes": 30, "price_cents": 30000}),
        ],
    };
    let calendar = setup_calendar(app, &key, spec).await;
    Clinic { key, location: calendar.location, doctors: calendar.practitioners, service: calendar.service }
}

/// Wednesday 2026-06-03 at `hh:mm` São Paulo time (UTC-3), as RFC 3339.
fn wed(hh: u32, mm: u32) -> String {
    format!("2026-06-03T{:02}:{:02}:00-03:00", hh, mm)
}

fn booking(c: &Clinic, doctor: usize, start: &str, phone: &str) -> Value {
    json!({
        "patient": {"name": "Maria Souza", "phone": phone},
        "practitioner_id": c.doctors[doctor], "location_id": c.location, "service_id": c.service, "start": start,
    })
}

async fn book(app: &TestApp, c: &Clinic, doctor: usize, start: &str) -> Value {
    let (s, a) =
        post(app, &c.key, "/api/v1/appointments", booking(c, doctor, start, "(11) 98765-4321")).await;
    assert_eq!(s, 201, "{a}");
    a
}

async fn fifty_concurrent_bookings_one_wins(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let request = app.post("/api/v1/appointments", &c.key).json(&booking(
            &c,
            0,
            &wed(10, 0),
            &format!("+5511987650{i:03}"),
        ));
        tasks.push(tokio::spawn(async move { request.send().await.unwrap() }));
    }
    let mut created = 0;
    let mut taken = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status().as_u16() {
            201 => created += 1,
            409 => {
                let (_, code, _) = error_of(r).await;
                assert_eq!(code, "slot_taken");
                taken += 1;
            }
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((created, taken), (1, 49));
    let listed = get(&app, &c.key, "/api/v1/appointments").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

async fn overlapping_not_identical_booking_is_refused(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    book(&app, &c, 0, &wed(10, 0)).await;
    for start in [wed(9, 45), wed(10, 15)] {
        let (s, e) =
            post(&app, &c.key, "/api/v1/appointments", booking(&c, 0, &start, "+5511900000001")).await;
        assert_eq!((s, e["error"]["code"].as_str()), (409, Some("slot_taken")), "{start}");
    }
    // Adjacent is fine, and so is the other doctor at the same time.
    book(&app, &c, 0, &wed(10, 30)).await;
    book(&app, &c, 1, &wed(10, 15)).await;
}

async fn idempotent_retry_returns_the_same_appointment(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let body = booking(&c, 0, &wed(11, 0), "+5511987654321");
    let send = |b: &Value| {
        app.post("/api/v1/appointments", &c.key).header("Idempotency-Key", "booking-42").json(b).send()
    };
    let first = send(&body).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(&body).await.unwrap();
    assert_eq!(again.status(), 200, "a replay is not a new booking");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let other = send(&booking(&c, 1, &wed(11, 0), "+5511987654321")).await.unwrap();
    let (status, code, _) = error_of(other).await;
    assert_eq!((status, code.as_str()), (422, "idempotency_key_reused"));
    assert_eq!(get(&app, &c.key, "/api/v1/appointments").await["items"].as_array().unwrap().len(), 1);
    // The same phone found the same patient.
    let second = book(&app, &c, 1, &wed(14, 0)).await;
    assert_eq!(second["patient_id"], first["patient_id"]);
}

async fn outside_hours_and_rules_are_422(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    for (start, why) in [
        (wed(12, 0), "outside working hours"),  // lunch break
        (wed(16, 45), "outside working hours"), // runs past 17:00
        ("2026-06-06T10:00:00-03:00".to_owned(), "outside working hours"), // Saturday
        (wed(10, 7), "not aligned"),
        ("2026-06-01T09:30:00-03:00".to_owned(), "too soon"), // 30 min from now, notice is 2 h
        ("2027-06-02T10:00:00-03:00".to_owned(), "beyond horizon"),
    ] {
        let (s, e) =
            post(&app, &c.key, "/api/v1/appointments", booking(&c, 0, &start, "+5511900000002")).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("not_bookable")), "{start}");
        assert!(e["error"]["message"].as_str().unwrap().contains(why), "{start}: {e}");
    }
    let (s, e) = post(&app, &c.key, "/api/v1/appointments", json!({"practitioner_id": c.doctors[0], "location_id": c.location, "service_id": c.service, "start": wed(10, 0)})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("invalid_patient")));
    let (s, e) = post(&app, &c.key, "/api/v1/appointments", booking(&c, 0, &wed(10, 0), "12")).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("invalid_patient")));
    let (s, _) = post(&app, &c.key, "/api/v1/appointments", json!({"patient_id": uuid::Uuid::now_v7(), "practitioner_id": c.doctors[0], "location_id": c.location, "service_id": c.service, "start": wed(10, 0)})).await;
    assert_eq!(s, 404);
}

async fn holiday_removes_slots(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let path = format!("/api/v1/availability?service_id={}&date=2026-06-03", c.service);
    let before = get(&app, &c.key, &path).await;
    // Two doctors, 15-minute grid: 08:00..11:30 and 13:00..16:30 are 30 starts each.
    assert_eq!(before["days"][0]["slots"].as_array().unwrap().len(), 2 * 30);
    let (s, e) = post(&app, &c.key, "/api/v1/exceptions", json!({"type": "time_off_dates", "first": "2026-06-03", "last": "2026-06-03", "note": "Corpus Christi"})).await;
    assert_eq!(s, 201, "{e}");
    let after = get(&app, &c.key, &path).await;
    assert_eq!(after["days"].as_array().unwrap().len(), 0);
    let thursday =
        get(&app, &c.key, &format!("/api/v1/availability?service_id={}&date=2026-06-04", c.service)).await;
    assert_eq!(thursday["days"][0]["slots"].as_array().unwrap().len(), 60);
    // Booking on the holiday is refused.
    let (s, _) =
        post(&app, &c.key, "/api/v1/appointments", booking(&c, 0, &wed(10, 0), "+5511900000003")).await;
    assert_eq!(s, 422);
}

async fn availability_grouped_by_local_day(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    book(&app, &c, 0, &wed(10, 0)).await;
    let v = get(
        &app,
        &c.key,
        &format!(
            "/api/v1/availability?service_id={}&practitioner_id={}&from=2026-06-03&to=2026-06-05",
            c.service, c.doctors[0]
        ),
    )
    .await;
    let days = v["days"].as_array().unwrap();
    assert_eq!(
        days.iter().map(|d| d["date"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["2026-06-03", "2026-06-04", "2026-06-05"]
    );
    let wednesday: Vec<&str> =
        days[0]["slots"].as_array().unwrap().iter().map(|s| s["local_start"].as_str().unwrap()).collect();
    assert_eq!(wednesday.len(), 27, "09:45, 10:00 and 10:15 overlap the booking");
    for gone in ["2026-06-03T09:45:00", "2026-06-03T10:00:00", "2026-06-03T10:15:00"] {
        assert!(!wednesday.contains(&gone), "{gone}");
    }
    assert!(wednesday.contains(&"2026-06-03T10:30:00"));
    assert_eq!(wednesday[0], "2026-06-03T08:00:00");
    assert_eq!(days[0]["slots"][0]["start"], "2026-06-03T11:00:00Z");
    let (status, code, _) = error_of(
        app.get(
            &format!("/api/v1/availability?service_id={}&from=2026-06-03&to=2026-08-30", c.service),
            &c.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "invalid_request"));
}

async fn ranked_search_explains_its_order(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let (s, r) = post(&app, &c.key, "/api/v1/slots/search", json!({"department": "Cardiologia", "weekdays": ["thursday"], "exact_time": "15:00", "practitioner_id": c.doctors[1], "limit": 3})).await;
    assert_eq!(s, 200, "{r}");
    let slots = r["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 3);
    let best = &slots[0];
    assert_eq!(best["local_start"], "2026-06-04T15:00:00");
    assert_eq!(best["practitioner_id"].as_str(), Some(c.doctors[1].as_str()));
    let codes: Vec<&str> =
        best["reasons"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    for code in ["exact_day", "within_1h", "preferred_practitioner"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert!(slots.windows(2).all(|w| w[0]["score"].as_i64() >= w[1]["score"].as_i64()));
    // Loose preferences: variety, not five neighbouring starts.
    let (_, loose) = post(&app, &c.key, "/api/v1/slots/search", json!({"service_id": c.service})).await;
    let starts: Vec<&str> =
        loose["slots"].as_array().unwrap().iter().map(|s| s["local_start"].as_str().unwrap()).collect();
    assert_eq!(starts.len(), 5);
    let hours: std::collections::HashSet<&str> = starts.iter().map(|s| &s[..13]).collect();
    assert_eq!(hours.len(), 5, "{starts:?}");
    let (s, e) = post(&app, &c.key, "/api/v1/slots/search", json!({"department": "Ortopedia"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("invalid_request")));
}

/// The reminders the sandbox recorded (bookings are also confirmed; those are not counted).
async fn notifications(app: &TestApp, key: &str) -> Vec<Value> {
    let all = get(app, key, "/api/v1/sandbox/notifications").await["items"].as_array().unwrap().clone();
    all.into_iter().filter(|n| n["template"] == "appointment_reminder").collect()
}

async fn reminders_fire_at_the_right_instants_and_follow_changes(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let a = book(&app, &c, 0, &wed(10, 0)).await; // 13:00Z
    let start: Timestamp = "2026-06-03T13:00:00Z".parse().unwrap();
    let jobs = get(&app, &c.key, "/api/v1/jobs?status=queued").await;
    // The booking also queues the lead-stage update; only the appointment's own jobs here.
    let mut run_ats: Vec<&str> = jobs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| {
            j["kind"].as_str().is_some_and(|k| k.starts_with("scheduling.") && k != "scheduling.confirmation")
        })
        .map(|j| j["run_at"].as_str().unwrap())
        .collect();
    run_ats.sort();
    assert_eq!(
        run_ats,
        vec!["2026-06-01T13:00:00Z", "2026-06-02T13:00:00Z", "2026-06-03T10:00:00Z", "2026-06-03T14:00:00Z"],
        "the no-show risk check 48 h before, reminders 24 h and 3 h before, no-show check at end + 30 min"
    );
    app.run_pending_jobs().await; // the lead-stage update, due at once
    // The risk check: a new patient is not high risk, so nothing is sent.
    app.clock.set(start - SignedDuration::from_hours(48));
    assert_eq!(app.run_pending_jobs().await, 1);
    assert!(notifications(&app, &c.key).await.is_empty());

    app.clock.set(start - SignedDuration::from_hours(24) - SignedDuration::from_secs(1));
    assert_eq!(app.run_pending_jobs().await, 0);
    app.clock.set(start - SignedDuration::from_hours(24));
    app.run_pending_jobs().await;
    let sent = notifications(&app, &c.key).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["template"], "appointment_reminder");
    assert_eq!(sent[0]["variables"]["time"], "10:00");
    assert_eq!(sent[0]["variables"]["hours_before"], 24);

    // Reschedule to Thursday 15:00 (18:00Z): the 3 h reminder moves with it.
    let id = a["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/appointments/{id}/reschedule"), &c.key)
        .json(&json!({"start": "2026-06-04T15:00:00-03:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The fact log of the reschedule and the patient's confirmation of the new time (and
    // its send), due at once.
    app.run_pending_jobs().await;
    // The moved appointment's own risk check, 48 h before its new start (2026-06-04T18:00Z).
    app.clock.set("2026-06-02T18:00:00Z".parse().unwrap());
    assert_eq!(app.run_pending_jobs().await, 1);
    app.clock.set(start - SignedDuration::from_hours(3));
    assert_eq!(app.run_pending_jobs().await, 0, "the old 3 h reminder is gone");
    // New start 2026-06-04T18:00Z: reminders 24 h and 3 h before it.
    app.clock.set("2026-06-03T18:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    assert_eq!(notifications(&app, &c.key).await.len(), 2, "the new 24 h reminder");
    app.clock.set("2026-06-04T15:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let sent = notifications(&app, &c.key).await;
    assert_eq!(sent.len(), 3);
    assert_eq!(
        (sent[0]["variables"]["time"].as_str(), sent[0]["variables"]["hours_before"].as_u64()),
        (Some("15:00"), Some(3))
    );
    let history = get(&app, &c.key, &format!("/api/v1/appointments/{id}")).await["history"].clone();
    let actions: Vec<&str> =
        history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["book", "reschedule"]);

    // Cancelling removes whatever is left.
    let b = book(&app, &c, 1, "2026-06-05T10:00:00-03:00").await;
    let r = app
        .post(&format!("/api/v1/appointments/{}/cancel", b["id"].as_str().unwrap()), &c.key)
        .json(&json!({"reason": "patient travelling"}))
        .send()
        .await
        .unwrap();
    let cancelled: Value = r.json().await.unwrap();
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()),
        (Some("cancelled"), Some("patient travelling"))
    );
    app.clock.set("2026-06-06T00:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let reminders_for_b = notifications(&app, &c.key)
        .await
        .iter()
        .filter(|n| n["variables"]["appointment_id"] == b["id"])
        .count();
    assert_eq!(reminders_for_b, 0);
}

async fn no_show_job_marks_only_absent_patients(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let came = book(&app, &c, 0, &wed(10, 0)).await;
    let absent = book(&app, &c, 1, &wed(10, 0)).await;
    app.clock.set("2026-06-03T13:05:00Z".parse().unwrap());
    for step in ["confirm", "check-in"] {
        let r = app
            .post(&format!("/api/v1/appointments/{}/{step}", came["id"].as_str().unwrap()), &c.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    app.clock.set("2026-06-03T13:59:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    assert_eq!(
        get(&app, &c.key, &format!("/api/v1/appointments/{}", absent["id"].as_str().unwrap())).await["status"],
        "booked"
    );
    app.clock.set("2026-06-03T14:00:00Z".parse().unwrap()); // end 13:30Z + 30 min grace
    app.run_pending_jobs().await;
    let a = get(&app, &c.key, &format!("/api/v1/appointments/{}", absent["id"].as_str().unwrap())).await;
    assert_eq!(a["status"], "no_show");
    assert_eq!(a["history"].as_array().unwrap().last().unwrap()["actor"], "system:no_show");
    assert_eq!(
        get(&app, &c.key, &format!("/api/v1/appointments/{}", came["id"].as_str().unwrap())).await["status"],
        "checked_in"
    );
    let counts = get(&app, &c.key, "/api/v1/no-shows").await;
    assert_eq!(counts["by_practitioner"], json!([[c.doctors[1], 1]]));
}

async fn every_invalid_transition_is_409(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let actions = ["confirm", "check-in", "complete", "cancel", "no-show", "reschedule"];
    // How to reach each status from booked.
    let paths: [(&str, &[&str]); 6] = [
        ("booked", &[]),
        ("confirmed", &["confirm"]),
        ("checked_in", &["confirm", "check-in"]),
        ("completed", &["confirm", "check-in", "complete"]),
        ("cancelled", &["cancel"]),
        ("no_show", &["no-show"]),
    ];
    let allowed = |status: &str, action: &str| {
        matches!(
            (status, action),
            ("booked", "confirm" | "check-in" | "cancel" | "no-show" | "reschedule")
                | ("confirmed", "check-in" | "cancel" | "no-show" | "reschedule")
                | ("checked_in", "complete")
        )
    };
    // One bookable half-hour per case: weekdays 8-12 June, inside working hours.
    let mut starts = (8..=12).flat_map(|day| {
        [8, 9, 10, 11, 13, 14, 15, 16]
            .into_iter()
            .flat_map(move |h| [0, 30].map(|m| format!("2026-06-{day:02}T{h:02}:{m:02}:00-03:00")))
    });
    for (status, path) in paths {
        for action in actions {
            let start = starts.next().unwrap();
            app.clock.set(frontdesk_test_support::start_time());
            let a = book(&app, &c, 0, &start).await;
            let id = a["id"].as_str().unwrap();
            // A no-show is only possible once the appointment has begun (see dialogue_care.rs).
            if action == "no-show" || path.contains(&"no-show") {
                app.clock.set(a["start"].as_str().unwrap().parse().unwrap());
            }
            for step in path {
                let r = app.post(&format!("/api/v1/appointments/{id}/{step}"), &c.key).send().await.unwrap();
                assert_eq!(r.status(), 200, "{status}: {step}");
            }
            let body = if action == "reschedule" {
                json!({"start": "2026-06-19T16:30:00-03:00"})
            } else {
                json!({})
            };
            let r = app
                .post(&format!("/api/v1/appointments/{id}/{action}"), &c.key)
                .json(&body)
                .send()
                .await
                .unwrap();
            if allowed(status, action) {
                assert_eq!(r.status(), 200, "{action} from {status}: {}", r.text().await.unwrap());
                if action == "reschedule" {
                    // Put it back out of the way for the next round.
                    app.post(&format!("/api/v1/appointments/{id}/cancel"), &c.key).send().await.unwrap();
                }
            } else {
                let (s, code, message) = error_of(r).await;
                assert_eq!((s, code.as_str()), (409, "invalid_transition"), "{action} from {status}");
                assert!(message.contains(status), "{message} names the current status {status}");
            }
        }
    }
}

async fn ics_is_a_valid_calendar_file(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let a = book(&app, &c, 0, &wed(10, 0)).await;
    let r = app.get(a["ics_url"].as_str().unwrap(), &c.key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let body = r.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(body.contains("\r\nBEGIN:VEVENT\r\n"));
    assert!(body.contains(&format!("UID:{}@frontdesk", a["id"].as_str().unwrap())));
    assert!(body.contains("DTSTART:20260603T130000Z"));
    assert!(body.contains("DTEND:20260603T133000Z"));
    assert!(body.contains("SUMMARY:Consulta - Dra. Ana"));
    assert!(body.contains("LOCATION:Centro\\, Rua A\\, 1"));
    assert!(body.trim_end().ends_with("END:VCALENDAR"));
    assert!(body.lines().all(|l| l.len() <= 75), "lines are folded");
}

async fn calendar_is_tenant_isolated(app: TestApp) {
    let a = clinic(&app, "alpha").await;
    let b = clinic(&app, "beta").await;
    let appt = book(&app, &a, 0, &wed(10, 0)).await;
    let id = appt["id"].as_str().unwrap();
    for path in [format!("/api/v1/appointments/{id}"), format!("/api/v1/appointments/{id}.ics")] {
        assert_eq!(app.get(&path, &b.key).send().await.unwrap().status(), 404, "{path}");
    }
    for action in ["confirm", "cancel"] {
        assert_eq!(
            app.post(&format!("/api/v1/appointments/{id}/{action}"), &b.key).send().await.unwrap().status(),
            404
        );
    }
    assert!(get(&app, &b.key, "/api/v1/appointments").await["items"].as_array().unwrap().is_empty());
    // B cannot book with A's practitioner, nor put hours on them.
    let (s, _) =
        post(&app, &b.key, "/api/v1/appointments", booking(&a, 0, &wed(11, 0), "+5511900000009")).await;
    assert_eq!(s, 404);
    let r = app
        .http
        .put(app.url(&format!("/api/v1/practitioners/{}/hours", a.doctors[0])))
        .header("X-API-KEY", &b.key)
        .json(&json!({"location_id": b.location, "intervals": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/practitioners/{}", a.doctors[0])))
        .header("X-API-KEY", &b.key)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let names = |v: Value| v["items"].as_array().unwrap().len();
    assert_eq!(names(get(&app, &b.key, "/api/v1/practitioners").await), 2);
    assert!(get(&app, &b.key, "/api/v1/sandbox/notifications").await["items"].as_array().unwrap().is_empty());
    // Reads of the appointment were audited with the patient.
    let audit = get(&app, &a.key, "/api/v1/audit").await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["resource_type"] == "appointment" && e["patient_id"] == appt["patient_id"])
    );
}

async fn settings_merge_patch(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let s = get(&app, &c.key, "/api/v1/settings").await;
    assert_eq!(s["booking"]["slot_granularity_minutes"], 15);
    assert_eq!(s["reminders"]["offsets_minutes"], json!([1440, 180]));
    let patch = |body: Value| {
        app.http.patch(app.url("/api/v1/settings")).header("X-API-KEY", &c.key).json(&body).send()
    };
    let r = patch(json!({"booking": {"buffer_minutes": 15}, "scheduling": {"ninsaude": {"account": "x", "username": "u", "password": "s3cret"}}})).await.unwrap();
    assert_eq!(r.status(), 200);
    let shown: Value = r.json().await.unwrap();
    assert_eq!(shown["booking"]["buffer_minutes"], 15);
    assert_eq!(shown["booking"]["slot_granularity_minutes"], 15, "untouched fields stay");
    assert_eq!(shown["scheduling"]["ninsaude"]["password"], "********");
    assert!(!shown.to_string().contains("s3cret"));
    let (status, code, _) = error_of(patch(json!({"booking": {"buffer_minutes": -1}})).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (422, "invalid_settings"));
    let (status, _, message) = error_of(patch(json!({"bogus": true})).await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(message.contains("bogus"));
    // The buffer now keeps the next booking 15 minutes away.
    book(&app, &c, 0, &wed(10, 0)).await;
    let (s, _) =
        post(&app, &c.key, "/api/v1/appointments", booking(&c, 0, &wed(10, 30), "+5511900000010")).await;
    assert_eq!(s, 409);
}

async fn catalog_input_is_validated(app: TestApp) {
    let c = clinic(&app, "alpha").await;
    let cases = [
        ("/api/v1/locations", json!({"name": "X", "timezone": "Mars/Base"}), 422),
        (
            "/api/v1/practitioners",
            json!({"name": "X", "department": "Y", "location_ids": [uuid::Uuid::now_v7()]}),
            422,
        ),
        ("/api/v1/services", json!({"name": "X", "department": "Y", "duration_minutes": 0}), 422),
        (
            "/api/v1/exceptions",
            json!({"type": "time_off_dates", "first": "2026-06-05", "last": "2026-06-01"}),
            422,
        ),
        ("/api/v1/exceptions", json!({"type": "vacation"}), 422),
    ];
    for (path, body, status) in cases {
        let (s, e) = post(&app, &c.key, path, body.clone()).await;
        assert_eq!(s, status, "{path} {body}: {e}");
        assert!(e["error"]["message"].is_string());
    }
    let r = app.http.put(app.url(&format!("/api/v1/practitioners/{}/hours", c.doctors[0]))).header("X-API-KEY", &c.key)
        .json(&json!({"location_id": c.location, "intervals": [{"weekday": "monday", "start": "12:00", "end": "08:00"}]})).send().await.unwrap();
    assert_eq!(r.status(), 422);
}

/// New York falls back on Sunday 2026-11-01: 08:00 local is 12:00Z before and 13:00Z after.
async fn dst_week_generates_the_right_local_slots(app: TestApp) {
    app.clock.set("2026-10-20T12:00:00Z".parse().unwrap());
    let (_, key) = app.tenant_with_key("nyc").await;
    let (_, loc) =
        post(&app, &key, "/api/v1/locations", json!({"name": "Manhattan", "timezone": "America/New_York"}))
            .await;
    let location = loc["id"].as_str().unwrap();
    let (_, doc) = post(
        &app,
        &key,
        "/api/v1/practitioners",
        json!({"name": "Dr. Lee", "department": "GP", "location_ids": [location]}),
    )
    .await;
    let doctor = doc["id"].as_str().unwrap();
    let intervals: Vec<Value> = ["friday", "saturday", "sunday", "monday"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "10:00"}))
        .collect();
    let r = app
        .http
        .put(app.url(&format!("/api/v1/practitioners/{doctor}/hours")))
        .header("X-API-KEY", &key)
        .json(&json!({"location_id": location, "intervals": intervals}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, svc) = post(
        &app,
        &key,
        "/api/v1/services",
        json!({"name": "Visit", "department": "GP", "duration_minutes": 60}),
    )
    .await;
    let v = get(
        &app,
        &key,
        &format!(
            "/api/v1/availability?service_id={}&from=2026-10-30&to=2026-11-02",
            svc["id"].as_str().unwrap()
        ),
    )
    .await;
    let first: Vec<(String, String)> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["slots"][0]["local_start"].as_str().unwrap().to_owned(),
                d["slots"][0]["start"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The tenant's days are São Paulo's, but every slot's wall time is New York's.
    assert_eq!(
        first,
        vec![
            ("2026-10-30T08:00:00".to_owned(), "2026-10-30T12:00:00Z".to_owned()),
            ("2026-10-31T08:00:00".to_owned(), "2026-10-31T12:00:00Z".to_owned()),
            ("2026-11-01T08:00:00".to_owned(), "2026-11-01T13:00:00Z".to_owned()),
            ("2026-11-02T08:00:00".to_owned(), "2026-11-02T13:00:00Z".to_owned()),
        ]
    );
    for day in v["days"].as_array().unwrap() {
        assert_eq!(
            day["slots"].as_array().unwrap().len(),
            5,
            "08:00-10:00 on a 15-minute grid, 60-minute visits"
        );
    }
}
