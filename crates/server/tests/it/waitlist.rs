//! The waitlist end to end on both backends: patients join in conversation and over the
//! API, a cancelled slot is offered to the best-placed few by WhatsApp (a mock Twilio), the
//! first "SIM" books it and every other patient is told once, politely, that it was taken
//! and stays on the list; offers expire and the next patients are asked; a moved
//! appointment frees its old time too.

use frontdesk_test_support::conversation::{deliver, replies_to, say, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch, post};
use jiff::SignedDuration;
use serde_json::{Value, json};

backend_tests!(
    three_patients_say_yes_at_once_one_books_two_are_told_it_was_taken,
    concurrent_accepts_over_the_api_have_one_winner,
    offers_expire_and_the_next_patient_is_asked,
    a_moved_appointment_frees_its_time_for_the_waitlist,
    offers_wait_for_the_morning_and_skip_who_opted_out,
    an_earlier_time_moves_the_later_appointment_and_frees_it_for_the_next,
);

/// Wednesday 2026-06-03 10:00 in São Paulo; the test clock starts on the Monday before.
const SLOT: &str = "2026-06-03T10:00:00-03:00";

struct Clinic {
    key: String,
    doctor: String,
    location: String,
    service: String,
}

async fn clinic(app: &TestApp) -> Clinic {
    let (key, _twilio) = whatsapp_clinic(app, "sorriso", "pt-BR").await;
    let first = |v: Value| v["items"][0]["id"].as_str().or(v[0]["id"].as_str()).unwrap().to_owned();
    Clinic {
        doctor: first(get(app, &key, "/api/v1/practitioners").await),
        location: first(get(app, &key, "/api/v1/locations").await),
        service: first(get(app, &key, "/api/v1/services").await),
        key,
    }
}

async fn book(app: &TestApp, c: &Clinic, phone: &str, start: &str) -> String {
    let body = json!({
        "patient": {"name": "Carla Dias", "phone": phone},
        "practitioner_id": c.doctor, "location_id": c.location, "service_id": c.service, "start": start,
    });
    let (s, a) = post(app, &c.key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

async fn patient_id(app: &TestApp, key: &str, phone: &str) -> String {
    let found = get(app, key, &format!("/api/v1/patients?phone={}", phone.replace('+', "%2B"))).await;
    found["items"][0]["id"].as_str().unwrap().to_owned()
}

/// The patient writes first (so WhatsApp may answer them freely) and joins over the API.
async fn join_by_api(app: &TestApp, c: &Clinic, phone: &str, body: Value) -> Value {
    say(app, &c.key, phone, "oi").await;
    let mut body = body;
    body["patient_id"] = json!(patient_id(app, &c.key, phone).await);
    body["service_id"] = json!(c.service);
    let (s, entry) = post(app, &c.key, "/api/v1/waitlist", body).await;
    assert_eq!(s, 201, "{entry}");
    entry
}

async fn offers(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/waitlist-offers").await["items"].as_array().unwrap().clone()
}

fn count(messages: &[String], needle: &str) -> usize {
    messages.iter().filter(|m| m.contains(needle)).count()
}

async fn booked_at_slot(app: &TestApp, key: &str) -> Vec<Value> {
    let all = get(app, key, "/api/v1/appointments?limit=100").await;
    let slot: jiff::Timestamp = SLOT.parse().unwrap();
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["status"] == "booked"
                && a["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap() == slot
        })
        .cloned()
        .collect()
}

async fn three_patients_say_yes_at_once_one_books_two_are_told_it_was_taken(app: TestApp) {
    let c = clinic(&app).await;
    let taken_by = book(&app, &c, "+5511900000001", SLOT).await;
    let waiting = ["+5511900000011", "+5511900000012", "+5511900000013"];
    for (i, phone) in waiting.iter().enumerate() {
        // Joining in conversation, in the patient's words.
        let joined = say(&app, &c.key, phone, "quero entrar na lista de espera para limpeza").await;
        assert_eq!(joined.len(), 1, "{joined:?}");
        assert!(joined[0].contains("lista de espera para Limpeza"), "{joined:?}");
        // Asking twice keeps one entry.
        if i == 0 {
            say(&app, &c.key, phone, "me coloca na lista de espera").await;
        }
        app.clock.advance(SignedDuration::from_mins(1));
    }
    let entries = get(&app, &c.key, "/api/v1/waitlist?status=waiting").await;
    assert_eq!(entries["items"].as_array().unwrap().len(), 3, "{entries}");
    assert!(entries["items"].as_array().unwrap().iter().all(|e| e["source"] == "dialogue"));

    let (s, _) = post(&app, &c.key, &format!("/api/v1/appointments/{taken_by}/cancel"), json!({})).await;
    assert_eq!(s, 200);
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 3, "three at once by default: {made:?}");
    for phone in waiting {
        let heard = replies_to(&app, &c.key, phone).await;
        assert!(heard.last().unwrap().contains("Vagou um horário"), "{heard:?}");
        assert!(heard.last().unwrap().contains("30 minutos"), "{heard:?}");
    }

    // All three answer before any answer is processed.
    for phone in waiting {
        deliver(&app, &c.key, phone, "SIM", &[]).await;
    }
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;

    let booked = booked_at_slot(&app, &c.key).await;
    assert_eq!(booked.len(), 1, "exactly one appointment holds the slot: {booked:?}");
    let winner = booked[0]["patient_id"].as_str().unwrap().to_owned();
    let mut told = 0;
    for phone in waiting {
        let heard = replies_to(&app, &c.key, phone).await;
        let taken = count(&heard, "já foi preenchido");
        if patient_id(&app, &c.key, phone).await == winner {
            assert_eq!(taken, 0, "{heard:?}");
            assert!(heard.last().unwrap().starts_with("Tudo certo"), "the winner is confirmed: {heard:?}");
        } else {
            assert_eq!(taken, 1, "told once, kindly: {heard:?}");
            assert!(heard.iter().any(|m| m.contains("continua na lista de espera")), "{heard:?}");
            told += 1;
        }
    }
    assert_eq!(told, 2);
    let statuses: Vec<String> =
        offers(&app, &c.key).await.iter().map(|o| o["status"].as_str().unwrap().to_owned()).collect();
    assert_eq!(statuses.iter().filter(|s| *s == "accepted").count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| *s == "taken").count(), 2, "{statuses:?}");
    // The two others stay on the list; the winner is done.
    let still = get(&app, &c.key, "/api/v1/waitlist?status=waiting").await;
    assert_eq!(still["items"].as_array().unwrap().len(), 2, "{still}");
    assert!(still["items"].as_array().unwrap().iter().all(|e| e["patient_id"] != winner.as_str()));
}

async fn concurrent_accepts_over_the_api_have_one_winner(app: TestApp) {
    let c = clinic(&app).await;
    let taken_by = book(&app, &c, "+5511900000002", SLOT).await;
    let waiting = ["+5511900000021", "+5511900000022", "+5511900000023"];
    for phone in waiting {
        join_by_api(&app, &c, phone, json!({})).await;
    }
    post(&app, &c.key, &format!("/api/v1/appointments/{taken_by}/cancel"), json!({})).await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 3);
    // The desk accepts all three at the same moment (three patients on three phones).
    let accept = |id: String| {
        let app = &app;
        let key = c.key.clone();
        async move { post(app, &key, &format!("/api/v1/waitlist-offers/{id}/accept"), json!({})).await }
    };
    let ids: Vec<String> = made.iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect();
    let (a, b, d) = tokio::join!(accept(ids[0].clone()), accept(ids[1].clone()), accept(ids[2].clone()));
    let outcomes: Vec<&str> = [&a, &b, &d]
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, 200, "{v}");
            v["outcome"].as_str().unwrap()
        })
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "booked").count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == "taken").count(), 2, "{outcomes:?}");
    assert_eq!(booked_at_slot(&app, &c.key).await.len(), 1);
    app.run_pending_jobs().await;
    let mut taken_messages = 0;
    for phone in waiting {
        taken_messages += count(&replies_to(&app, &c.key, phone).await, "já foi preenchido");
    }
    assert_eq!(taken_messages, 2);
    // Accepting again changes nothing: the winner's stays booked, the others stay taken.
    let (s, again) =
        post(&app, &c.key, &format!("/api/v1/waitlist-offers/{}/accept", ids[0]), json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(again["outcome"], a.1["outcome"]);
    assert_eq!(booked_at_slot(&app, &c.key).await.len(), 1);
}

async fn offers_expire_and_the_next_patient_is_asked(app: TestApp) {
    let c = clinic(&app).await;
    let rules = json!({"waitlist": {"offers_at_once": 1, "offer_minutes": 30}});
    assert_eq!(patch(&app, &c.key, "/api/v1/settings", rules).await.0, 200);
    let taken_by = book(&app, &c, "+5511900000003", SLOT).await;
    let (first, second, afternoons) = ("+5511900000031", "+5511900000032", "+5511900000033");
    join_by_api(&app, &c, first, json!({})).await;
    app.clock.advance(SignedDuration::from_hours(2));
    // Waiting longest of all, but only for afternoons: a 10:00 slot is not for them.
    let only_afternoons = json!({"windows": [{"weekdays": [0, 1, 2, 3, 4], "from": "14:00", "to": "18:00"}]});
    join_by_api(&app, &c, afternoons, only_afternoons).await;
    join_by_api(&app, &c, second, json!({"windows": [{"weekdays": [2], "from": "08:00", "to": "12:00"}]}))
        .await;

    post(&app, &c.key, &format!("/api/v1/appointments/{taken_by}/cancel"), json!({})).await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 1, "one at a time here: {made:?}");
    let first_id = patient_id(&app, &c.key, first).await;
    assert_eq!(made[0]["patient_id"], first_id.as_str(), "the one who waited longest goes first");

    // Unanswered for 30 minutes: it expires, and the next suitable patient is asked.
    app.clock.advance(SignedDuration::from_mins(31));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 2, "{made:?}");
    let by_patient = |id: &str| made.iter().find(|o| o["patient_id"] == id).unwrap().clone();
    assert_eq!(by_patient(&first_id)["status"], "expired");
    let second_offer = by_patient(&patient_id(&app, &c.key, second).await);
    assert_eq!((second_offer["status"].as_str(), second_offer["round"].as_u64()), (Some("pending"), Some(2)));
    assert!(replies_to(&app, &c.key, second).await.last().unwrap().contains("Vagou um horário"));
    assert!(!replies_to(&app, &c.key, afternoons).await.iter().any(|m| m.contains("Vagou")));

    // The first patient answers late: told kindly, still on the list, nothing booked.
    let late = say(&app, &c.key, first, "sim").await;
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(late[0].starts_with("Essa oferta já expirou"), "{late:?}");
    let yes = say(&app, &c.key, second, "sim, quero").await;
    assert!(yes.last().unwrap().starts_with("Tudo certo"), "{yes:?}");
    assert_eq!(booked_at_slot(&app, &c.key).await.len(), 1);
}

async fn a_moved_appointment_frees_its_time_for_the_waitlist(app: TestApp) {
    let c = clinic(&app).await;
    let moving = book(&app, &c, "+5511900000004", SLOT).await;
    join_by_api(&app, &c, "+5511900000041", json!({"practitioner_id": c.doctor})).await;
    let (s, moved) = post(
        &app,
        &c.key,
        &format!("/api/v1/appointments/{moving}/reschedule"),
        json!({"start": "2026-06-04T15:00:00-03:00"}),
    )
    .await;
    assert_eq!(s, 200, "{moved}");
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 1, "{made:?}");
    let slot: jiff::Timestamp = SLOT.parse().unwrap();
    assert_eq!(made[0]["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(), slot);
    // Bad input is named.
    let (s, err) = post(
        &app,
        &c.key,
        "/api/v1/waitlist",
        json!({"patient_id": made[0]["patient_id"], "service_id": c.service,
               "windows": [{"from": "12:00", "to": "08:00"}]}),
    )
    .await;
    assert_eq!(s, 422, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("windows[0]"), "{err}");
    let (s, err) = post(
        &app,
        &c.key,
        "/api/v1/waitlist",
        json!({"patient_id": made[0]["patient_id"], "service_id": c.service, "windows": [{"from": "8h", "to": "12:00"}]}),
    )
    .await;
    assert_eq!(s, 422, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("windows[0].from"), "{err}");
}

async fn offers_wait_for_the_morning_and_skip_who_opted_out(app: TestApp) {
    let c = clinic(&app).await;
    let taken_by = book(&app, &c, "+5511900000005", SLOT).await;
    let (stopped, waiting) = ("+5511900000051", "+5511900000052");
    join_by_api(&app, &c, stopped, json!({})).await;
    join_by_api(&app, &c, waiting, json!({})).await;
    // The first patient stops automated messages: no offers for them.
    say(&app, &c.key, stopped, "SAIR").await;
    // Monday 21:30 in São Paulo, inside the default quiet hours (20:00-08:00).
    app.clock.set("2026-06-02T00:30:00Z".parse().unwrap());
    post(&app, &c.key, &format!("/api/v1/appointments/{taken_by}/cancel"), json!({})).await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0]["patient_id"], patient_id(&app, &c.key, waiting).await.as_str());
    let sent_at: jiff::Timestamp = made[0]["sent_at"].as_str().unwrap().parse().unwrap();
    let expires_at: jiff::Timestamp = made[0]["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(sent_at, "2026-06-02T11:00:00Z".parse().unwrap(), "08:00 the next morning");
    assert_eq!(expires_at, sent_at + SignedDuration::from_mins(30), "its half hour starts then");
    assert!(!replies_to(&app, &c.key, waiting).await.iter().any(|m| m.contains("Vagou")), "nothing at night");
    app.clock.set("2026-06-02T11:01:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    assert!(replies_to(&app, &c.key, waiting).await.last().unwrap().contains("Vagou um horário"));
    assert!(!replies_to(&app, &c.key, stopped).await.iter().any(|m| m.contains("Vagou")));
}

async fn an_earlier_time_moves_the_later_appointment_and_frees_it_for_the_next(app: TestApp) {
    let c = clinic(&app).await;
    let taken_by = book(&app, &c, "+5511900000006", SLOT).await;
    // Booked for Friday, waiting for something sooner; another patient waits for anything.
    let (holder, next) = ("+5511900000061", "+5511900000062");
    join_by_api(&app, &c, holder, json!({})).await;
    let friday = book(&app, &c, holder, "2026-06-05T10:00:00-03:00").await;
    app.clock.advance(SignedDuration::from_mins(5));
    join_by_api(&app, &c, next, json!({})).await;

    post(&app, &c.key, &format!("/api/v1/appointments/{taken_by}/cancel"), json!({})).await;
    app.run_pending_jobs().await;
    let made = offers(&app, &c.key).await;
    let holder_id = patient_id(&app, &c.key, holder).await;
    let theirs = made.iter().find(|o| o["patient_id"] == holder_id.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, accepted) =
        post(&app, &c.key, &format!("/api/v1/waitlist-offers/{theirs}/accept"), json!({})).await;
    assert_eq!((s, accepted["outcome"].as_str()), (200, Some("booked")), "{accepted}");
    // The Friday appointment itself moved to Wednesday: one appointment, not two.
    assert_eq!(accepted["appointment_id"], friday.as_str());
    let moved = get(&app, &c.key, &format!("/api/v1/appointments/{friday}")).await;
    let start: jiff::Timestamp = moved["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(start, SLOT.parse().unwrap());
    // ... and Friday 10:00, now free, goes to the next patient on the list.
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let friday_at: jiff::Timestamp = "2026-06-05T10:00:00-03:00".parse().unwrap();
    let next_id = patient_id(&app, &c.key, next).await;
    let cascade = offers(&app, &c.key).await.into_iter().find(|o| {
        o["patient_id"] == next_id.as_str()
            && o["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap() == friday_at
    });
    assert!(cascade.is_some_and(|o| o["status"] == "pending"), "the freed Friday is offered on");
}
