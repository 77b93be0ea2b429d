//! The metrics views over time and by dimension (`/api/v1/metrics/{kind}`), from a known
//! history driven through the API in a São Paulo clinic, on both backends: weekly and
//! monthly buckets, appointments and no-shows by practitioner, weekday, hour, lead time and
//! confirmation, leads by source, calls by outcome, messages by who sent them (AI vs staff
//! handling), and bad requests named.

use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, error_of, get, patch, post, setup_calendar,
};
use serde_json::{Value, json};

backend_tests!(
    series_and_breakdowns_follow_a_known_history,
    bad_views_are_refused_by_name,
    ai_and_staff_handling_is_counted,
    patient_sentiment_is_counted_and_negative_turns_are_listed
);

async fn view(app: &TestApp, key: &str, query: &str) -> Value {
    get(app, key, &format!("/api/v1/metrics/{query}")).await
}

/// The row of `key` in a breakdown.
fn row<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key || r["label"] == key)
        .unwrap_or_else(|| panic!("{key} not in {v}"))
}

async fn series_and_breakdowns_follow_a_known_history(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("sorriso").await;
    // The sandbox's calls to the new leads end "not interested": only the bookings below.
    let (s, t) =
        patch(&app, &key, "/api/v1/settings", json!({"voice": {"sandbox_outcome": "not_interested"}})).await;
    assert_eq!(s, 200, "{t}");
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(&app, &key, spec).await;
    for (phone, source) in
        [("+5511987000001", "paid_ads"), ("+5511987000002", "paid_ads"), ("+5511987000003", "referral")]
    {
        let (s, l) = post(
            &app,
            &key,
            "/api/v1/leads",
            json!({"phone": phone, "name": "Carla Dias", "source": source}),
        )
        .await;
        assert_eq!(s, 201, "{l}");
    }
    // Monday 1 June (the clock's start): three bookings, two with Dra. Ana, one with Dr. Bruno.
    let book = |doctor: usize, start: &'static str, phone: &'static str| {
        let body = json!({"patient": {"name": "Rita Alves", "phone": phone},
            "practitioner_id": cal.practitioners[doctor], "location_id": cal.location, "service_id": cal.service,
            "start": start});
        let (app, key) = (&app, key.clone());
        async move {
            let (s, a) = post(app, &key, "/api/v1/appointments", body).await;
            assert_eq!(s, 201, "{a}");
            a["id"].as_str().unwrap().to_string()
        }
    };
    let kept = book(0, "2026-06-03T10:00:00-03:00", "+5511987000011").await;
    let missed = book(1, "2026-06-03T14:00:00-03:00", "+5511987000012").await;
    book(0, "2026-06-15T09:00:00-03:00", "+5511987000013").await;
    app.run_pending_jobs().await;
    // The kept one is confirmed first, checked in, then completed (one visit, counted once).
    let r = app.post(&format!("/api/v1/appointments/{kept}/confirm"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.clock.set("2026-06-03T13:05:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{kept}/check-in"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.clock.set("2026-06-03T13:40:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{kept}/complete"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.clock.set("2026-06-03T18:00:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{missed}/no-show"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.run_pending_jobs().await;

    // Weekly: everything in the week of Monday 1 June; the next week is there, empty.
    let weekly = view(&app, &key, "appointments?from=2026-06-01&to=2026-06-14&granularity=week").await;
    assert_eq!(
        (weekly["kind"].clone(), weekly["granularity"].clone()),
        (json!("appointments"), json!("week"))
    );
    let series = weekly["series"].as_array().unwrap();
    let starts: Vec<&str> = series.iter().map(|p| p["start"].as_str().unwrap()).collect();
    assert_eq!(starts, ["2026-06-01", "2026-06-08"]);
    let first = &series[0]["values"];
    assert_eq!(
        (&first["appointments_booked"], &first["appointments_showed"], &first["appointments_no_show"]),
        (&json!(3.0), &json!(1.0), &json!(1.0))
    );
    assert_eq!(first["revenue_booked_cents"], json!(45000.0));
    assert_eq!(series[1]["values"]["appointments_booked"], json!(0.0));
    // Monthly, from the 2nd: June's bucket is labelled by its 1st but holds the 2nd on.
    let monthly = view(&app, &key, "appointments?from=2026-06-02&to=2026-06-30&granularity=month").await;
    assert_eq!(monthly["series"][0]["start"], "2026-06-01");
    assert_eq!(monthly["series"][0]["values"]["appointments_booked"], json!(0.0), "booked on the 1st");
    assert_eq!(monthly["series"][0]["values"]["appointments_no_show"], json!(1.0));

    // By practitioner: names, counts and each one's no-show rate.
    let by = view(&app, &key, "appointments?from=2026-06-01&to=2026-06-14&breakdown=practitioner").await;
    let ana = row(&by, "Dra. Ana Lima");
    assert_eq!(
        (ana["values"]["appointments_booked"].clone(), ana["no_show_rate"].clone()),
        (json!(2.0), json!(0.0))
    );
    let bruno = row(&by, "Dr. Bruno Reis");
    assert_eq!(
        (bruno["values"]["appointments_booked"].clone(), bruno["no_show_rate"].clone()),
        (json!(1.0), json!(1.0))
    );
    assert_eq!(by["breakdown"]["rows"][0]["label"], "Dra. Ana Lima", "largest first");
    // No-shows by weekday, hour (local) and lead time, in their natural order.
    let by_day = view(&app, &key, "no_shows?from=2026-06-01&to=2026-06-14&breakdown=weekday").await;
    let wednesday = row(&by_day, "wednesday");
    assert_eq!(
        (wednesday["values"]["appointments_no_show"].clone(), wednesday["no_show_rate"].clone()),
        (json!(1.0), json!(0.5))
    );
    let by_hour = view(&app, &key, "no_shows?from=2026-06-01&to=2026-06-14&breakdown=hour").await;
    let hours: Vec<&str> =
        by_hour["breakdown"]["rows"].as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(hours, ["10", "14"], "local hours, in order");
    // Did confirming help? Shows and no-shows split by whether the appointment was confirmed.
    let by_confirmation =
        view(&app, &key, "no_shows?from=2026-06-01&to=2026-06-14&breakdown=confirmation").await;
    let keys: Vec<&str> = by_confirmation["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["confirmed", "not_confirmed"], "{by_confirmation}");
    let confirmed = row(&by_confirmation, "confirmed");
    assert_eq!(
        (confirmed["values"]["appointments_showed"].clone(), confirmed["no_show_rate"].clone()),
        (json!(1.0), json!(0.0))
    );
    let unconfirmed = row(&by_confirmation, "not_confirmed");
    assert_eq!(
        (unconfirmed["values"]["appointments_no_show"].clone(), unconfirmed["no_show_rate"].clone()),
        (json!(1.0), json!(1.0))
    );
    let by_lead = view(&app, &key, "appointments?from=2026-06-01&to=2026-06-14&breakdown=lead_time").await;
    assert_eq!(row(&by_lead, "2_7_days")["values"]["appointments_booked"], json!(2.0));
    assert_eq!(row(&by_lead, "8_30_days")["values"]["appointments_booked"], json!(1.0));
    // Leads by source: the funnel's steps per source.
    let funnel = view(&app, &key, "funnel?from=2026-06-01&to=2026-06-01&breakdown=source").await;
    assert_eq!(row(&funnel, "paid_ads")["values"]["leads_created"], json!(2.0));
    assert_eq!(row(&funnel, "referral")["values"]["leads_created"], json!(1.0));
    assert_eq!(funnel["series"][0]["values"]["leads_created"], json!(3.0));
    // Messages by channel add up to the total.
    let msgs = view(&app, &key, "messaging?from=2026-06-01&to=2026-06-03&breakdown=channel").await;
    let total: f64 = msgs["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["values"]["messages_sent"].as_f64().unwrap())
        .sum();
    let split: f64 = msgs["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["values"]["messages_sent"].as_f64().unwrap())
        .sum();
    assert!(total > 0.0, "{msgs}");
    assert_eq!(total, split, "{msgs}");
    // Calls by how they ended: the sandbox's calls to the three leads.
    let calls = view(&app, &key, "telephony?from=2026-06-01&to=2026-06-03&breakdown=outcome").await;
    assert_eq!(row(&calls, "not_interested")["values"]["calls_ended"], json!(3.0), "{calls}");

    // The overview of one practitioner, unit or source: the figures kept per it, the rest null.
    let bruno = &cal.practitioners[1];
    let o = view(&app, &key, &format!("overview?from=2026-06-01&to=2026-06-14&practitioner={bruno}")).await;
    assert_eq!(o["filter"], format!("practitioner={bruno}"));
    assert_eq!(
        (o["appointments_total"].clone(), o["no_show_rate"].clone(), o["revenue_lost_to_no_shows"].clone()),
        (json!(1.0), json!(1.0), json!(150.0))
    );
    assert_eq!(
        (o["leads_total"].clone(), o["messages_sent"].clone()),
        (Value::Null, Value::Null),
        "not a practitioner's"
    );
    let unit =
        view(&app, &key, &format!("overview?from=2026-06-01&to=2026-06-14&unit={}", cal.location)).await;
    assert_eq!(unit["appointments_total"], json!(3.0));
    let ads = view(&app, &key, "overview?from=2026-06-01&to=2026-06-14&source=paid_ads").await;
    assert_eq!((ads["leads_total"].clone(), ads["appointments_total"].clone()), (json!(2.0), Value::Null));
    let whole = view(&app, &key, "overview?from=2026-06-01&to=2026-06-14").await;
    assert_eq!((whole["filter"].clone(), whole["leads_total"].clone()), (Value::Null, json!(3.0)));
    for bad in ["&practitioner=a&source=b", "&source=", "&source=a%40b"] {
        let r = app
            .get(&format!("/api/v1/metrics/overview?from=2026-06-01&to=2026-06-14{bad}"), &key)
            .send()
            .await
            .unwrap();
        let (s, c, m) = error_of(r).await;
        assert_eq!((s, c.as_str()), (400, "invalid_query"), "{bad}: {m}");
    }

    // The staff app's dashboard narrowed the same way: a practitioner's cards only.
    let cookie =
        app.staff_cookie(tenant.id, "dona@sorriso.example", frontdesk_domain::staff::Role::Owner).await;
    let page = |q: String| {
        let r = app
            .http
            .get(app.url(&format!("/app/dashboard?from=2026-06-01&to=2026-06-14{q}")))
            .header("cookie", &cookie)
            .send();
        async move {
            let r = r.await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, narrowed) = page(format!("&only=practitioner:{bruno}")).await;
    assert_eq!(s, 200);
    assert!(
        narrowed.contains("data-narrowed")
            && narrowed.contains(&format!("value=\"practitioner:{bruno}\" selected")),
        "the choice is kept"
    );
    assert!(
        narrowed.contains("Taxa de faltas")
            && !narrowed.contains("Leads por dia")
            && !narrowed.contains("funnel-title"),
        "appointment figures, no lead funnel"
    );
    let (_, all) = page(String::new()).await;
    assert!(all.contains("funnel-title") && !all.contains("data-narrowed"));
    assert!(
        all.contains("<option value=\"source:paid_ads\">paid_ads</option>"),
        "sources seen in the period are offered"
    );
    let (s, _) = page("&only=sender:ai".into()).await;
    assert_eq!(s, 400);
}

async fn bad_views_are_refused_by_name(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let cases = [
        ("appointments?from=2026-06-01&to=2026-06-07&breakdown=channel", 400, "invalid_breakdown"),
        ("telephony?from=2026-06-01&to=2026-06-07&breakdown=hour", 400, "invalid_breakdown"),
        ("appointments?from=2026-06-01&to=2026-06-07&breakdown=outcome", 400, "invalid_breakdown"),
        ("appointments?from=2026-06-01&to=2026-06-07&granularity=hour", 400, "invalid_granularity"),
        ("appointments?from=2026-06-07&to=2026-06-01", 400, "invalid_period"),
        ("appointments?from=2026-06-01&to=2026-06-07&colour=red", 400, "invalid_query"),
        ("revenue?from=2026-06-01&to=2026-06-07", 404, "not_found"),
    ];
    for (query, status, code) in cases {
        let r = app.get(&format!("/api/v1/metrics/{query}"), &key).send().await.unwrap();
        let (s, c, message) = error_of(r).await;
        assert_eq!((s, c.as_str()), (status, code), "{query}: {message}");
    }
    let r =
        app.get("/api/v1/metrics/appointments?from=2026-06-01&to=2026-06-07&breakdown=channel", &key).send();
    let (_, _, message) = error_of(r.await.unwrap()).await;
    assert!(
        message.contains("practitioner, service, unit, weekday, hour, lead_time, confirmation"),
        "{message}"
    );
}

/// A patient writes on WhatsApp: the assistant answers, then hands the conversation to staff
/// when asked for a person, and a person replies. The figures tell the assistant's replies
/// from staff's, count the hand-off, and split the messages sent by who sent them.
async fn ai_and_staff_handling_is_counted(app: TestApp) {
    use frontdesk_test_support::conversation::{say, whatsapp_clinic};
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987000051";
    let answered = say(&app, &key, patient, "oi, bom dia").await;
    assert!(!answered.is_empty(), "the assistant answers");
    let handed = say(&app, &key, patient, "quero falar com uma pessoa").await;
    assert!(!handed.is_empty(), "the hand-off is told to the patient");
    let list = get(&app, &key, "/api/v1/conversations").await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    // A person answers four minutes and a bit later: the patient waited from the hand-off.
    let handed_at: jiff::Timestamp = {
        use frontdesk_domain::Clock as _;
        app.clock.now()
    };
    app.clock.set(handed_at.checked_add(jiff::SignedDuration::from_secs(242)).unwrap());
    let (s, m) = post(
        &app,
        &key,
        &format!("/api/v1/conversations/{id}/messages"),
        json!({"body": "Olá! Aqui é a Júlia, da recepção. Como posso ajudar?"}),
    )
    .await;
    assert_eq!(s, 202, "{m}");
    app.run_pending_jobs().await;

    use frontdesk_domain::Clock as _;
    let day = app.clock.now().to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap()).date();
    let period = format!("from={day}&to={day}");
    let by_sender = view(&app, &key, &format!("messaging?{period}&breakdown=sender")).await;
    let ai = row(&by_sender, "ai")["values"]["messages_sent"].as_f64().unwrap();
    let staff = row(&by_sender, "staff")["values"]["messages_sent"].as_f64().unwrap();
    assert_eq!(ai, (answered.len() + handed.len()) as f64, "{by_sender}");
    assert_eq!(staff, 1.0, "{by_sender}");
    let totals = &by_sender["series"][0]["values"];
    assert_eq!(
        (totals["messages_sent_by_ai"].as_f64(), totals["messages_sent_by_staff"].as_f64()),
        (Some(ai), Some(1.0))
    );
    assert_eq!(totals["handoffs_requested"], json!(1.0), "{by_sender}");
    let o = get(&app, &key, &format!("/api/v1/metrics/overview?{period}")).await;
    assert_eq!(o["replies_by_ai_share"], json!(ai / (ai + 1.0)), "{o}");
    assert_eq!(o["handoffs_requested"], json!(1.0), "{o}");
    // 242 s falls in the 5-second bucket up to 245 s; a second reply answers no one.
    assert_eq!(
        (o["staff_response_p50_seconds"].clone(), o["staff_response_p90_seconds"].clone()),
        (json!(245.0), json!(245.0)),
        "{o}"
    );
    let (s, m) =
        post(&app, &key, &format!("/api/v1/conversations/{id}/messages"), json!({"body": "Pode me dizer?"}))
            .await;
    assert_eq!(s, 202, "{m}");
    app.run_pending_jobs().await;
    let again = get(&app, &key, &format!("/api/v1/metrics/overview?{period}")).await;
    assert_eq!(again["staff_response_p50_seconds"], json!(245.0), "{again}");
    let staff_replies = view(&app, &key, &format!("messaging?{period}")).await["series"][0]["values"]["messages_sent_by_staff"].clone();
    assert_eq!(staff_replies, json!(2.0));
}

/// Patient sentiment: each patient message's tone is counted by day, a conversation that
/// turns negative is listed, and one that opened angry is not (it did not turn).
async fn patient_sentiment_is_counted_and_negative_turns_are_listed(app: TestApp) {
    use frontdesk_domain::Clock as _;
    use frontdesk_test_support::conversation::{say, whatsapp_clinic};
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let (calm, angry) = ("+5511987000061", "+5511987000062");
    say(&app, &key, calm, "oi, quero marcar uma limpeza").await;
    say(&app, &key, calm, "muito obrigada, vocês são ótimos").await;
    say(&app, &key, calm, "péssimo, ninguém me responde direito").await;
    say(&app, &key, angry, "que absurdo, cancelaram minha consulta de novo??").await;

    let day = app.clock.now().to_zoned(jiff::tz::TimeZone::get("America/Sao_Paulo").unwrap()).date();
    let period = format!("from={day}&to={day}");
    let tone = view(&app, &key, &format!("sentiment?{period}")).await;
    let values = &tone["series"][0]["values"];
    assert_eq!(
        (
            values["messages_positive"].as_f64(),
            values["messages_neutral"].as_f64(),
            values["messages_negative"].as_f64(),
            values["conversations_turned_negative"].as_f64()
        ),
        (Some(1.0), Some(1.0), Some(2.0), Some(1.0)),
        "{tone}"
    );
    let listed = get(&app, &key, &format!("/api/v1/conversations/turned-negative?{period}")).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the conversation that turned: {listed}");
    assert_eq!(items[0]["sentiment"], "negative");
    assert!(items[0]["turned_negative_at"].is_string(), "{listed}");
    let patient = get(&app, &key, "/api/v1/patients?phone=5511987000061").await;
    assert_eq!(items[0]["patient_id"], patient["items"][0]["id"], "{patient}");
    // The angry one's conversation says so, without having turned.
    let all = get(&app, &key, "/api/v1/conversations").await;
    let negatives = all["items"].as_array().unwrap().iter().filter(|c| c["sentiment"] == "negative").count();
    assert_eq!(negatives, 2, "{all}");
    // Another period has none; a bad period is named.
    let before = day.yesterday().unwrap();
    let none =
        get(&app, &key, &format!("/api/v1/conversations/turned-negative?from={before}&to={before}")).await;
    assert_eq!(none["items"], json!([]));
    let r = app
        .get("/api/v1/conversations/turned-negative?from=2026-06-10&to=2026-06-01", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(frontdesk_test_support::error_of(r).await.1, "invalid_period");
}
