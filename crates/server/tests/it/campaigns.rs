//! Campaigns over the API on both backends: a recall campaign reaches exactly the former
//! patients it should, once per step, with their own booking link, and stops for the one
//! who books; replies are understood (a no ends it declined, a question or a request for a
//! person waits for staff, wanting to book leaves it to the assistant); pausing holds the
//! steps; bad campaigns are refused by name. And, on
//! PostgreSQL, a restart in the middle of a 5,000-patient campaign: every patient is
//! contacted exactly once.

use frontdesk_domain::Clock;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_test_support::conversation::replies_to;
use frontdesk_test_support::{
    Backend, CalendarSpec, TestApp, backend_tests, error_of, get, post, setup_calendar,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::collections::HashMap;

backend_tests!(
    a_recall_reaches_former_patients_once_per_step_and_stops_when_they_book,
    a_paused_campaign_sends_nothing_until_resumed,
    bad_campaigns_are_refused_by_name,
    replies_are_understood_and_end_the_sequence,
    a_patient_hears_from_one_campaign_at_a_time,
    an_audience_narrows_by_lead_stage_and_source,
);
backend_tests!(raw: a_restart_in_the_middle_of_a_large_campaign_contacts_everyone_once);

async fn campaign(app: &TestApp, key: &str, body: Value) -> Value {
    let (s, c) = post(app, key, "/api/v1/campaigns", body).await;
    assert_eq!(s, 201, "{c}");
    c
}

async fn act(app: &TestApp, key: &str, id: &str, action: &str) -> (u16, Value) {
    post(app, key, &format!("/api/v1/campaigns/{id}/{action}"), json!({})).await
}

/// Sets the days a patient's messages from different campaigns must be apart.
async fn campaign_gap(app: &TestApp, key: &str, days: u32) -> (u16, Value) {
    let body = json!({"campaigns": {"min_days_between_messages": days}});
    frontdesk_test_support::patch(app, key, "/api/v1/settings", body).await
}

/// Books `phone` at `start` (clinic time) and, once the clock is past it, records the
/// visit as `outcome` (`check-in` or `no-show`).
async fn visit(
    app: &TestApp,
    key: &str,
    cal: &frontdesk_test_support::Calendar,
    phone: &str,
    start: &str,
) -> String {
    let body = json!({"patient": {"name": "Rita Alves", "phone": phone}, "practitioner_id": cal.practitioners[0],
        "location_id": cal.location, "service_id": cal.service, "start": start});
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

async fn a_recall_reaches_former_patients_once_per_step_and_stops_when_they_book(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    // The second campaign below starts a day after the first one's last message: no gap
    // between campaigns here (`a_patient_hears_from_one_campaign_at_a_time` tests it).
    let (s, t) = campaign_gap(&app, &key, 0).await;
    assert_eq!(s, 200, "{t}");
    // November 2025: four patients come (or not).
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let (old, later, missed, coming) =
        ("+5511987000001", "+5511987000002", "+5511987000003", "+5511987000004");
    let mut visits = Vec::new();
    for (i, phone) in [old, later, missed, coming].iter().enumerate() {
        visits.push(visit(&app, &key, &cal, phone, &format!("2025-11-05T{:02}:00:00-03:00", 8 + i)).await);
    }
    app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
    for (id, outcome) in [
        (&visits[0], "check-in"),
        (&visits[1], "check-in"),
        (&visits[2], "no-show"),
        (&visits[3], "check-in"),
    ] {
        let r = app.post(&format!("/api/v1/appointments/{id}/{outcome}"), &key).send().await.unwrap();
        assert_eq!(r.status(), 200, "{outcome}");
    }
    // May 2026: the second came back recently; the fourth has a visit booked ahead.
    app.clock.set("2026-05-18T12:00:00Z".parse().unwrap());
    let recent = visit(&app, &key, &cal, later, "2026-05-20T10:00:00-03:00").await;
    app.clock.set("2026-05-20T15:00:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{recent}/check-in"), &key).send().await.unwrap().status(),
        200
    );
    visit(&app, &key, &cal, coming, "2026-06-10T10:00:00-03:00").await;
    app.run_pending_jobs().await;
    // Monday 1 June 2026, 09:00 in São Paulo.
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    let before: HashMap<&str, usize> =
        futures::future::join_all([old, later, missed, coming].map(|p| replies_to(&app, &key, p)))
            .await
            .into_iter()
            .zip([old, later, missed, coming])
            .map(|(sent, p)| (p, sent.len()))
            .collect();

    let body = json!({"name": "Retorno de 6 meses", "kind": "recall",
        "segment": {"last_visit_before_days": 180},
        "steps": [{"channel": "whatsapp", "template": "booking_link"},
                  {"channel": "whatsapp", "template": "reactivation", "delay_hours": 48}]});
    let c = campaign(&app, &key, body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!((c["status"].clone(), c["window"]["from"].clone()), (json!("draft"), json!("09:00")));
    // The dry run: only the patient last seen in November with nothing booked ahead.
    let preview = get(&app, &key, &format!("/api/v1/campaigns/{id}/preview")).await;
    assert_eq!(preview["audience"], json!(1), "{preview}");
    assert_eq!(preview["first_step"]["template"], "booking_link");
    app.run_pending_jobs().await;
    assert_eq!(replies_to(&app, &key, old).await.len(), before[old], "a draft sends nothing");

    let (s, started) = act(&app, &key, &id, "start").await;
    assert_eq!((s, started["status"].clone()), (200, json!("running")), "{started}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let sent = replies_to(&app, &key, old).await;
    assert_eq!(sent.len(), before[old] + 1, "{sent:?}");
    let link = sent.last().unwrap();
    assert!(link.contains("/book/sorriso?patient=") && link.contains("Clínica sorriso"), "{link}");
    for p in [later, missed, coming] {
        assert_eq!(replies_to(&app, &key, p).await.len(), before[p], "{p} is not in the audience");
    }
    // Starting twice is a conflict that names the status.
    let r = app.post(&format!("/api/v1/campaigns/{id}/start"), &key).send().await.unwrap();
    let (s, code, message) = error_of(r).await;
    assert_eq!((s, code.as_str()), (409, "invalid_transition"), "{message}");
    assert!(message.contains("running"), "{message}");

    // Two days later the second step goes; then a day after it, the enrollment closes.
    app.clock.advance(SignedDuration::from_hours(49));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert_eq!(replies_to(&app, &key, old).await.len(), before[old] + 2);
    app.clock.advance(SignedDuration::from_hours(25));
    app.run_pending_jobs().await;
    let c = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(
        (&c["counts"]["enrolled"], &c["counts"]["finished"], &c["counts"]["steps_sent"]),
        (&json!(1), &json!(1), &json!(2)),
        "{c}"
    );
    let enrolled = get(&app, &key, &format!("/api/v1/campaigns/{id}/enrollments")).await;
    assert_eq!(enrolled["items"][0]["state"], "finished", "{enrolled}");
    // Its whole audience enrolled and nobody active: the campaign is complete.
    assert_eq!(c["status"], "completed", "{c}");
    let (s, stopped) = act(&app, &key, &id, "stop").await;
    assert_eq!(s, 409, "a completed campaign cannot be stopped: {stopped}");

    // A second recall; this time the patient books after the first message: no second one.
    let body = json!({"name": "Retorno 2", "kind": "recall", "segment": {"last_visit_before_days": 180},
        "steps": [{"channel": "whatsapp", "template": "booking_link"},
                  {"channel": "whatsapp", "template": "reactivation", "delay_hours": 48}]});
    let again = campaign(&app, &key, body).await;
    let again_id = again["id"].as_str().unwrap().to_owned();
    assert_eq!(act(&app, &key, &again_id, "start").await.0, 200);
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let count = replies_to(&app, &key, old).await.len();
    visit(&app, &key, &cal, old, "2026-06-12T10:00:00-03:00").await;
    app.run_pending_jobs().await;
    // The booking counts for the campaign at once, not at its next step.
    let c = get(&app, &key, &format!("/api/v1/campaigns/{again_id}")).await;
    assert_eq!((&c["counts"]["booked"], &c["counts"]["active"]), (&json!(1), &json!(0)), "{c}");
    // Thursday + 48 h is Saturday: the second step waits for Monday's window.
    app.clock.advance(SignedDuration::from_hours(100));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let after = replies_to(&app, &key, old).await;
    // The booking's own confirmation, and nothing from the campaign.
    assert!(after[count..].iter().all(|m| m.starts_with("Tudo certo")), "{:?}", &after[count..]);
    let c = get(&app, &key, &format!("/api/v1/campaigns/{again_id}")).await;
    assert_eq!((&c["counts"]["booked"], &c["counts"]["steps_sent"]), (&json!(1), &json!(1)), "{c}");
    // One enrolled, one booked, one message: the campaign's results as rates.
    assert_eq!(
        (&c["counts"]["booking_rate"], &c["counts"]["messages_per_booking"]),
        (&json!(1.0), &json!(1.0)),
        "{c}"
    );

    // The figures split by campaign, by name: each campaign's messages, and the booking
    // made after the second one's message (the first's patient had not booked by then).
    let by = |view: &str| format!("/api/v1/metrics/{view}?from=2026-06-01&to=2026-06-30&breakdown=campaign");
    let messages = get(&app, &key, &by("messaging")).await;
    let sent: Vec<(String, f64)> = messages["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["label"].as_str().unwrap().to_owned(), r["values"]["messages_sent"].as_f64().unwrap()))
        .collect();
    assert_eq!(sent, [("Retorno de 6 meses".to_owned(), 2.0), ("Retorno 2".to_owned(), 1.0)], "{messages}");
    let bookings = get(&app, &key, &by("appointments")).await;
    let rows = bookings["breakdown"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{bookings}");
    assert_eq!(
        (
            rows[0]["label"].as_str(),
            rows[0]["key"].as_str(),
            rows[0]["values"]["appointments_booked"].as_f64()
        ),
        (Some("Retorno 2"), Some(again_id.as_str()), Some(1.0)),
        "{bookings}"
    );
    // Shows and no-shows are not filed by campaign.
    let r = app.get(&by("no_shows"), &key).send().await.unwrap();
    assert_eq!(error_of(r).await.1, "invalid_breakdown");
}

async fn a_paused_campaign_sends_nothing_until_resumed(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("sorriso").await;
    let phone = PhoneE164::parse("+5511987000009", "BR").unwrap();
    let patient = Patient::new(
        tenant.id,
        PersonName::parse("Rita Alves").unwrap(),
        phone,
        Locale::PtBr,
        app.clock.now(),
    );
    app.ctx.store.create_patient(&patient).await.unwrap();
    let body = json!({"name": "Todos", "kind": "custom",
        "steps": [{"channel": "whatsapp", "template": "booking_link", "delay_hours": 1}],
        "window": {"weekdays": [], "from": "00:00", "to": "23:59"}});
    let c = campaign(&app, &key, body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(act(&app, &key, &id, "start").await.0, 200);
    app.run_pending_jobs().await;
    let (s, paused) = act(&app, &key, &id, "pause").await;
    assert_eq!((s, paused["status"].clone()), (200, json!("paused")));
    app.clock.advance(SignedDuration::from_hours(3));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert!(replies_to(&app, &key, "+5511987000009").await.is_empty(), "paused: nothing sent");
    assert_eq!(act(&app, &key, &id, "resume").await.0, 200);
    app.clock.advance(SignedDuration::from_hours(1));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert_eq!(replies_to(&app, &key, "+5511987000009").await.len(), 1, "resumed: sent once");
    let (s, stopped) = act(&app, &key, &id, "stop").await;
    assert_eq!((s, stopped["status"].clone()), (200, json!("stopped")));
    assert_eq!(act(&app, &key, &id, "resume").await.0, 409, "stopped for good");
}

async fn bad_campaigns_are_refused_by_name(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let step = json!({"channel": "whatsapp", "template": "booking_link"});
    let cases = [
        (json!({"name": "x", "kind": "spam", "steps": [step]}), 422, "kind must be"),
        (json!({"name": "x", "kind": "recall", "steps": [step]}), 422, "last_visit_before_days"),
        (json!({"name": "x", "kind": "custom", "steps": []}), 422, "at least one step"),
        (json!({"name": " ", "kind": "custom", "steps": [step]}), 422, "name"),
        (
            json!({"name": "x", "kind": "custom", "steps": [{"channel": "fax", "template": "booking_link"}]}),
            422,
            "steps[0].channel",
        ),
        (
            json!({"name": "x", "kind": "custom", "steps": [{"channel": "voice", "template": "booking_link"}]}),
            422,
            "steps[0].template",
        ),
        (
            json!({"name": "x", "kind": "custom", "steps": [{"channel": "sms", "template": "nope"}]}),
            422,
            "steps[0].template",
        ),
        (
            json!({"name": "x", "kind": "custom", "steps": [step], "window": {"from": "18:00", "to": "09:00"}}),
            422,
            "window",
        ),
        (json!({"name": "x", "kind": "custom", "steps": [step], "colour": "red"}), 422, "colour"),
    ];
    for (body, status, says) in cases {
        let r = app.post("/api/v1/campaigns", &key).json(&body).send().await.unwrap();
        let (s, _, message) = error_of(r).await;
        assert_eq!(s, status, "{body}: {message}");
        assert!(message.contains(says), "{body}: {message}");
    }
    let missing = "01a2449e-41e6-7356-b15d-5441f22ecf94";
    for path in [format!("/api/v1/campaigns/{missing}"), format!("/api/v1/campaigns/{missing}/preview")] {
        assert_eq!(app.get(&path, &key).send().await.unwrap().status(), 404, "{path}");
    }
    assert_eq!(act(&app, &key, missing, "start").await.0, 404);
}

async fn a_restart_in_the_middle_of_a_large_campaign_contacts_everyone_once(backend: Backend) {
    if backend != Backend::Postgres {
        return; // The Must-show asks for PostgreSQL; SQLite runs the smaller ones above.
    }
    const PATIENTS: usize = 5_000;
    let app = TestApp::spawn(backend).await.unwrap();
    let (tenant, key) = app.tenant_with_key("rede").await;
    let now = app.clock.now();
    for i in 0..PATIENTS {
        let phone = PhoneE164::parse(&format!("+55119{:08}", 10_000_000 + i), "BR").unwrap();
        let p =
            Patient::new(tenant.id, PersonName::parse("Paciente Rede").unwrap(), phone, Locale::PtBr, now);
        app.ctx.store.create_patient(&p).await.unwrap();
    }
    let body = json!({"name": "Todos", "kind": "custom",
        "steps": [{"channel": "sms", "template": "booking_link"}],
        "window": {"weekdays": [], "from": "00:00", "to": "23:59"}});
    let c = campaign(&app, &key, body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(act(&app, &key, &id, "start").await.0, 200);
    // Half an hour of sending (60 first steps a minute), then the server goes away.
    app.clock.advance(SignedDuration::from_mins(30));
    app.run_pending_jobs().await;
    let halfway = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    let sent_before = halfway["counts"]["steps_sent"].as_u64().unwrap();
    assert!(sent_before > 0 && sent_before < PATIENTS as u64, "{halfway}");
    assert_eq!(halfway["counts"]["enrolled"], json!(PATIENTS), "every page enrolled: {halfway}");
    let app = app.restarted().await;
    // The enrolling is retried from the start too, as a crashed worker's job would be.
    let tenant_id = tenant.id;
    let replay = frontdesk_engine::campaigns::enroll_job(
        tenant_id,
        &frontdesk_engine::campaigns::EnrollPayload {
            campaign_id: id.parse().unwrap(),
            after: None,
            enrolled: 0,
        },
        app.clock.now(),
    );
    app.ctx.store.enqueue(&replay, app.clock.now()).await.unwrap();
    app.clock.advance(SignedDuration::from_hours(2));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;

    let done = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(
        (&done["counts"]["enrolled"], &done["counts"]["steps_sent"]),
        (&json!(PATIENTS), &json!(PATIENTS)),
        "{done}"
    );
    // Every patient has exactly one message.
    let mut per_patient: HashMap<String, usize> = HashMap::new();
    let mut page = PageRequest::new(None, Some(500));
    let (from, to): (Timestamp, Timestamp) =
        (now, app.clock.now().checked_add(SignedDuration::from_hours(1)).unwrap());
    loop {
        let got = app.ctx.store.list_messages_between(tenant_id, from, to, page).await.unwrap();
        for m in &got.items {
            *per_patient.entry(m.patient_id.to_string()).or_default() += 1;
        }
        match got.next_cursor {
            Some(next) => page = PageRequest::new(Some(next), Some(500)),
            None => break,
        }
    }
    assert_eq!(per_patient.len(), PATIENTS);
    assert!(per_patient.values().all(|n| *n == 1), "someone got two: {:?}", per_patient.values().max());
}

/// Four former patients answer the recall's first message on WhatsApp: one declines, one
/// asks for a person, one wants to book and picks a time the assistant offers ("o
/// primeiro": an answer to the assistant, not the campaign), one wants to book and goes
/// quiet. The first two end at once (declined, waiting for staff), the third when the
/// booking is made (booked); the fourth stays with the assistant until the next step would
/// go, and then waits for staff, since they wrote back without booking. Nobody gets the
/// second message, and the campaign completes.
async fn replies_are_understood_and_end_the_sequence(app: TestApp) {
    use frontdesk_test_support::conversation::{TWILIO_SID, TWILIO_TOKEN, say};
    let (_, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    // Replies come through Twilio's signed webhook; the campaign's messages go through the
    // sandbox, which needs no approved WhatsApp templates.
    let twilio = frontdesk_test_support::mock_twilio(TWILIO_SID).await;
    let mut messaging = frontdesk_test_support::twilio_messaging(&twilio, TWILIO_SID, TWILIO_TOKEN);
    messaging["whatsapp_provider"] = json!("sandbox");
    let (s, t) =
        frontdesk_test_support::patch(&app, &key, "/api/v1/settings", json!({"messaging": messaging})).await;
    assert_eq!(s, 200, "{t}");
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let (no, person, book, quiet) = ("+5511987000021", "+5511987000022", "+5511987000023", "+5511987000024");
    let mut visits = Vec::new();
    for (i, phone) in [no, person, book, quiet].iter().enumerate() {
        visits.push(visit(&app, &key, &cal, phone, &format!("2025-11-05T{:02}:00:00-03:00", 8 + i)).await);
    }
    app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
    for id in &visits {
        let r = app.post(&format!("/api/v1/appointments/{id}/check-in"), &key).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    app.run_pending_jobs().await;
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    let body = json!({"name": "Retorno", "kind": "recall", "segment": {"last_visit_before_days": 180},
        "steps": [{"channel": "whatsapp", "template": "booking_link"},
                  {"channel": "whatsapp", "template": "reactivation", "delay_hours": 48}]});
    let c = campaign(&app, &key, body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(act(&app, &key, &id, "start").await.0, 200);
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let c = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!((&c["counts"]["enrolled"], &c["counts"]["steps_sent"]), (&json!(4), &json!(4)), "{c}");

    app.clock.advance(SignedDuration::from_hours(2));
    say(&app, &key, no, "obrigada, mas não tenho interesse").await;
    say(&app, &key, person, "quero falar com uma pessoa da recepção").await;
    say(&app, &key, book, "quero marcar sim, tem horário na sexta?").await;
    say(&app, &key, book, "o primeiro").await;
    say(&app, &key, quiet, "quero marcar sim, tem horário na sexta?").await;
    let counts = |c: &Value| {
        ["declined", "needs_staff", "booked", "active", "steps_sent"]
            .map(|k| c["counts"][k].as_u64().unwrap())
    };
    let c = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(counts(&c), [1, 1, 1, 1, 4], "{c}");
    // The second step's time: the one who wrote back without booking waits for staff; no
    // one gets it.
    app.clock.advance(SignedDuration::from_hours(49));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let c = get(&app, &key, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(counts(&c), [1, 2, 1, 0, 4], "{c}");
    assert_eq!(c["status"], "completed", "nobody left active: {c}");
    assert_eq!(
        (
            &c["counts"]["booking_rate"],
            &c["counts"]["needs_staff_rate"],
            &c["counts"]["messages_per_booking"]
        ),
        (&json!(0.25), &json!(0.5), &json!(4.0)),
        "{c}"
    );
    // The staff app's dashboard shows each campaign's share of patients who booked.
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap();
    let cookie =
        app.staff_cookie(tenant.id, "ana@sorriso.example", frontdesk_domain::staff::Role::Staff).await;
    let page = app.http.get(app.url("/app/dashboard")).header("cookie", cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let at = html.find("Campanhas: quem agendou").expect("the campaigns split");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(section.contains("Retorno") && section.contains("25% (1/4)"), "{section}");
}

/// Two campaigns start the same Monday for the same former patient: the first writes at
/// once, the second waits until three days (the default gap) after it, inside its window.
/// A gap over 60 days is refused (422) by name.
async fn a_patient_hears_from_one_campaign_at_a_time(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let phone = "+5511987000031";
    app.clock.set("2025-11-03T12:00:00Z".parse().unwrap());
    let id = visit(&app, &key, &cal, phone, "2025-11-05T10:00:00-03:00").await;
    app.clock.set("2025-11-05T20:00:00Z".parse().unwrap());
    assert_eq!(
        app.post(&format!("/api/v1/appointments/{id}/check-in"), &key).send().await.unwrap().status(),
        200
    );
    app.run_pending_jobs().await;
    app.clock.set("2026-06-01T12:00:00Z".parse().unwrap());
    let before = replies_to(&app, &key, phone).await.len();
    let mut ids = Vec::new();
    for (name, template) in [("Retorno", "booking_link"), ("Saudade", "reactivation")] {
        let body = json!({"name": name, "kind": "recall", "segment": {"last_visit_before_days": 180},
            "steps": [{"channel": "whatsapp", "template": template}]});
        let c = campaign(&app, &key, body).await;
        let id = c["id"].as_str().unwrap().to_owned();
        assert_eq!(act(&app, &key, &id, "start").await.0, 200);
        app.run_pending_jobs().await;
        app.run_pending_jobs().await;
        ids.push(id);
    }
    assert_eq!(replies_to(&app, &key, phone).await.len(), before + 1, "one campaign message on Monday");
    let steps = |c: &Value| c["counts"]["steps_sent"].clone();
    let second = get(&app, &key, &format!("/api/v1/campaigns/{}", ids[1])).await;
    assert_eq!(steps(&second), json!(0), "{second}");
    // Wednesday: still within the gap.
    app.clock.advance(SignedDuration::from_hours(48));
    app.run_pending_jobs().await;
    assert_eq!(replies_to(&app, &key, phone).await.len(), before + 1);
    // Thursday, three days after the first: the second campaign's message goes.
    app.clock.advance(SignedDuration::from_hours(25));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    assert_eq!(replies_to(&app, &key, phone).await.len(), before + 2);
    let second = get(&app, &key, &format!("/api/v1/campaigns/{}", ids[1])).await;
    assert_eq!(steps(&second), json!(1), "{second}");
    let (s, t) = campaign_gap(&app, &key, 61).await;
    assert_eq!(s, 422, "{t}");
    assert!(t.to_string().contains("min_days_between_messages"), "{t}");
}

/// A custom campaign's audience narrowed by the patients' leads: by source, by stage (a
/// lead marked lost), both; an unknown stage or source is refused naming the ones there are.
async fn an_audience_narrows_by_lead_stage_and_source(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let mut leads = Vec::new();
    for (phone, source) in
        [("+5511987000041", "paid_ads"), ("+5511987000042", "paid_ads"), ("+5511987000043", "referral")]
    {
        let (s, l) = post(
            &app,
            &key,
            "/api/v1/leads",
            json!({"phone": phone, "name": "Rita Alves", "source": source}),
        )
        .await;
        assert_eq!(s, 201, "{l}");
        leads.push(l["lead"]["id"].as_str().unwrap().to_owned());
    }
    let r = frontdesk_test_support::patch(
        &app,
        &key,
        &format!("/api/v1/leads/{}", leads[1]),
        json!({"stage": "lost", "lost_reason": "price"}),
    )
    .await;
    assert_eq!(r.0, 200, "{}", r.1);
    let audience = |segment: Value| {
        let body = json!({"name": "Leads", "kind": "custom", "segment": segment,
            "steps": [{"channel": "whatsapp", "template": "reactivation"}]});
        let (app, key) = (&app, key.clone());
        async move {
            let c = campaign(app, &key, body).await;
            get(app, &key, &format!("/api/v1/campaigns/{}/preview", c["id"].as_str().unwrap())).await["audience"].clone()
        }
    };
    assert_eq!(audience(json!({"lead_source": "paid_ads"})).await, json!(2));
    assert_eq!(audience(json!({"lead_source": "referral"})).await, json!(1));
    assert_eq!(audience(json!({"lead_stage": "lost"})).await, json!(1));
    assert_eq!(audience(json!({"lead_stage": "lost", "lead_source": "referral"})).await, json!(0));
    assert_eq!(audience(json!({})).await, json!(3));
    for (segment, field) in
        [(json!({"lead_stage": "gone"}), "lead_stage"), (json!({"lead_source": "tv"}), "lead_source")]
    {
        let body = json!({"name": "Bad", "kind": "custom", "segment": segment,
            "steps": [{"channel": "whatsapp", "template": "reactivation"}]});
        let (s, e) = post(&app, &key, "/api/v1/campaigns", body).await;
        assert_eq!(s, 422, "{e}");
        assert!(e.to_string().contains(field), "{e}");
    }
}
