//! What a patient meets after booking, on both backends: a cancellation by message is
//! confirmed before it happens, a "yes" to several offered times is asked which one, a
//! cancelled lead leaves `booked`, check-in does not require a prior confirmation, a
//! future appointment cannot be a no-show, and every booking path (API, staff, voice)
//! confirms to the patient through the same place.

use frontdesk_test_support::conversation::{deliver, replies_to, say, say_with_media, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, error_of, get, patch, post};
use serde_json::{Value, json};

backend_tests!(
    a_cancellation_by_message_is_confirmed_before_it_happens,
    yes_to_several_offered_times_asks_which_one,
    a_patient_who_cancels_leaves_the_booked_stage,
    check_in_needs_no_prior_confirmation_and_a_no_show_waits_for_the_start,
    a_booking_and_a_move_through_the_api_are_confirmed_to_the_patient,
    odd_messages_are_answered_not_ignored,
    a_flood_gets_one_notice_and_a_person_with_nothing_lost,
    a_burst_is_answered_in_the_order_it_was_sent,
    a_confirmation_that_cannot_go_out_says_why_on_the_conversation,
);

const CONFIRMATION_TEMPLATE: &str = "HXconfirmation000000000000000000";

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

/// Books the first offered slot by message as a patient whose name the clinic learns.
async fn book_by_message(app: &TestApp, key: &str, patient: &str, name: &str) {
    say(app, key, patient, "quero marcar limpeza amanhã às 10h").await;
    let asked = say(app, key, patient, "1").await;
    assert!(asked[0].contains("nome completo"), "{asked:?}");
    let done = say(app, key, patient, name).await;
    assert!(done[0].starts_with("Tudo certo"), "{done:?}");
}

async fn a_cancellation_by_message_is_confirmed_before_it_happens(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987651001";
    book_by_message(&app, &key, patient, "Rita Alves").await;
    let asked = say(&app, &key, patient, "quero cancelar minha consulta").await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].starts_with("Confirma o cancelamento"), "{asked:?}");
    assert!(asked[0].contains("Dra. Ana Lima") || asked[0].contains("Dr. Bruno Reis"), "{asked:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "booked", "nothing cancelled yet");
    // A no keeps it.
    let kept = say(&app, &key, patient, "não").await;
    assert!(kept[0].contains("continua marcada"), "{kept:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "booked");
    // Asked again, then an unclear answer is asked again, and a yes cancels.
    say(&app, &key, patient, "cancela pfv").await;
    let again = say(&app, &key, patient, "hmm").await;
    assert!(again[0].contains("responda *sim*"), "{again:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "booked");
    let done = say(&app, &key, patient, "sim").await;
    assert!(done[0].contains("cancelada"), "{done:?}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "cancelled");
}

async fn yes_to_several_offered_times_asks_which_one(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "smile", "en").await;
    let patient = "+14155550123";
    let offer = say(&app, &key, patient, "I'd like a cleaning tomorrow morning").await;
    assert!(offer[0].contains("1.") && offer[0].contains("3."), "{offer:?}");
    let which = say(&app, &key, patient, "yes please confirm").await;
    assert_eq!(which.len(), 1, "every message gets an answer: {which:?}");
    assert!(which[0].starts_with("Which one?"), "{which:?}");
    assert!(appointments(&app, &key).await.is_empty());
    // The offer still stands: the number books.
    let asked = say(&app, &key, patient, "2").await;
    assert!(asked[0].contains("full name"), "{asked:?}");
}

async fn a_patient_who_cancels_leaves_the_booked_stage(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987651002";
    let (s, created) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": patient, "name": "Nina Costa", "source": "organic"}),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let lead_path = format!("/api/v1/leads/{}", created["lead"]["id"].as_str().unwrap());
    say(&app, &key, patient, "quero marcar limpeza amanhã às 10h").await;
    let done = say(&app, &key, patient, "1").await;
    assert!(done[0].starts_with("Tudo certo, Nina"), "the known name is used: {done:?}");
    assert_eq!(get(&app, &key, &lead_path).await["stage"], "booked");
    say(&app, &key, patient, "preciso cancelar").await;
    say(&app, &key, patient, "sim").await;
    let lead = get(&app, &key, &lead_path).await;
    assert_eq!(
        (lead["stage"].as_str(), lead["lost_reason"].as_str()),
        (Some("lost"), Some("cancelled the appointment"))
    );
    // Booking again brings the lead back.
    say(&app, &key, patient, "quero marcar de novo, sexta de manhã").await;
    say(&app, &key, patient, "1").await;
    assert_eq!(get(&app, &key, &lead_path).await["stage"], "booked");
}

fn booking(cal: &Value, start: &str, phone: &str) -> Value {
    json!({
        "patient": {"name": "Maria Souza", "phone": phone},
        "practitioner_id": cal["practitioners"][0]["id"], "location_id": cal["locations"][0]["id"],
        "service_id": cal["services"][0]["id"], "start": start,
    })
}

async fn calendar(app: &TestApp, key: &str) -> Value {
    json!({
        "practitioners": get(app, key, "/api/v1/practitioners").await["items"],
        "locations": get(app, key, "/api/v1/locations").await["items"],
        "services": get(app, key, "/api/v1/services").await["items"],
    })
}

async fn check_in_needs_no_prior_confirmation_and_a_no_show_waits_for_the_start(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let cal = calendar(&app, &key).await;
    // Wednesday 2026-06-03, two days ahead of the test clock.
    let (s, a) = post(
        &app,
        &key,
        "/api/v1/appointments",
        booking(&cal, "2026-06-03T10:00:00-03:00", "+5511987651003"),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/appointments/{id}/no-show"), &key).send().await.unwrap();
    let (status, code, message) = error_of(r).await;
    assert_eq!((status, code.as_str()), (409, "not_yet"), "{message}");
    assert!(message.contains("before it starts"), "{message}");
    assert_eq!(appointments(&app, &key).await[0]["status"], "booked");
    // The patient never answered a reminder and walks in.
    let r = app.post(&format!("/api/v1/appointments/{id}/check-in"), &key).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(appointments(&app, &key).await[0]["status"], "checked_in");
}

async fn a_booking_and_a_move_through_the_api_are_confirmed_to_the_patient(app: TestApp) {
    let (key, twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    // The patient never wrote: outside WhatsApp's 24-hour window only an approved template goes.
    let approved = json!({"messaging": {"whatsapp_templates": {"appointment_confirmation": {"pt-BR":
        {"id": CONFIRMATION_TEMPLATE, "variables": ["patient_first_name", "date", "time"]}}}}});
    let (s, body) = patch(&app, &key, "/api/v1/settings", approved).await;
    assert_eq!(s, 200, "{body}");
    let cal = calendar(&app, &key).await;
    let phone = "+5511987651004";
    let (s, a) =
        post(&app, &key, "/api/v1/appointments", booking(&cal, "2026-06-03T10:00:00-03:00", phone)).await;
    assert_eq!(s, 201, "{a}");
    app.run_pending_jobs().await;
    let sent = replies_to(&app, &key, phone).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("Tudo certo, Maria!"), "{sent:?}");
    assert!(sent[0].contains("qua, 03/06 às 10:00"), "{sent:?}");
    // Twilio was asked to deliver the approved template to the patient, with its variables.
    let requests = twilio.received_requests().await.unwrap();
    let to_patient: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .filter(|b| b.contains("5511987651004"))
        .collect();
    assert_eq!(to_patient.len(), 1, "{to_patient:?}");
    assert!(to_patient[0].contains(CONFIRMATION_TEMPLATE), "{to_patient:?}");
    assert!(to_patient[0].contains("Maria"), "{to_patient:?}");
    // Moved by the API: a second confirmation with the new time; a rerun sends nothing more.
    let id = a["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/appointments/{id}/reschedule"), &key)
        .json(&json!({"start": "2026-06-03T15:00:00-03:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let sent = replies_to(&app, &key, phone).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].contains("qua, 03/06 às 15:00"), "{sent:?}");
}

async fn odd_messages_are_answered_not_ignored(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987651005";
    // A photo with no words.
    let photo =
        say_with_media(&app, &key, patient, "", &[("https://media.example/p.jpg", "image/jpeg")]).await;
    assert_eq!(photo.len(), 1, "{photo:?}");
    assert!(photo[0].starts_with("Recebi sua mensagem, mas não encontrei texto"), "{photo:?}");
    // Only emojis, and a very long message: each gets an answer.
    let emojis = say(&app, &key, patient, "😀😀🎉").await;
    assert_eq!(emojis.len(), 1, "{emojis:?}");
    let long = format!("quero marcar uma limpeza amanhã de manhã {}", "bla ".repeat(990));
    assert!(long.chars().count() > 3_900);
    let offer = say(&app, &key, patient, &long).await;
    assert_eq!(offer.len(), 1, "{offer:?}");
    assert!(offer[0].contains("1."), "{offer:?}");
}

async fn a_flood_gets_one_notice_and_a_person_with_nothing_lost(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987651006";
    for i in 0..50 {
        deliver(&app, &key, patient, &format!("oi {i}"), &[]).await;
    }
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let sent = replies_to(&app, &key, patient).await;
    assert_eq!(sent.len(), 1, "one notice, not fifty answers: {sent:?}");
    assert!(sent[0].starts_with("Recebi várias mensagens seguidas"), "{sent:?}");
    // Every message is kept, and staff have the conversation.
    let patients = get(&app, &key, &format!("/api/v1/patients?phone={}", patient.replace('+', "%2B"))).await;
    let id = patients["items"][0]["id"].as_str().unwrap();
    let list = get(&app, &key, &format!("/api/v1/conversations?patient_id={id}")).await;
    let conversation =
        get(&app, &key, &format!("/api/v1/conversations/{}", list["items"][0]["id"].as_str().unwrap())).await;
    let inbound =
        conversation["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "inbound").count();
    assert_eq!(inbound, 50);
    assert_eq!(list["items"][0]["needs_staff"], true, "{list}");
}

/// Two workers take two messages of a burst at once, the later one first: its turn waits
/// for the earlier message's, so the replies read in the order the patient wrote.
async fn a_burst_is_answered_in_the_order_it_was_sent(app: TestApp) {
    use frontdesk_domain::messaging::Direction;
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let patient = "+5511987651007";
    // Filed with the dialogue off, so that this test decides when each turn runs.
    let (s, _) = patch(&app, &key, "/api/v1/settings", json!({"dialogue": {"enabled": false}})).await;
    assert_eq!(s, 200);
    deliver(&app, &key, patient, "oi", &[]).await;
    deliver(&app, &key, patient, "quero marcar uma limpeza amanhã de manhã", &[]).await;
    app.run_pending_jobs().await;
    let (s, _) = patch(&app, &key, "/api/v1/settings", json!({"dialogue": {"enabled": true}})).await;
    assert_eq!(s, 200);
    let tenant = frontdesk_domain::TenantId(
        get(&app, &key, "/api/v1/tenant").await["id"].as_str().unwrap().parse().unwrap(),
    );
    let phone = frontdesk_domain::contact::PhoneE164::parse(patient, "BR").unwrap();
    let store = &app.ctx.store;
    let person = store.patient_by_phone(tenant, &phone).await.unwrap().unwrap();
    let list = get(&app, &key, &format!("/api/v1/conversations?patient_id={}", person.id)).await;
    let conversation_id =
        frontdesk_domain::ConversationId(list["items"][0]["id"].as_str().unwrap().parse().unwrap());
    let conversation = store.get_conversation(tenant, conversation_id).await.unwrap().unwrap();
    let said: Vec<_> = store
        .list_messages(tenant, conversation.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == Direction::Inbound)
        .collect();
    assert_eq!(said.len(), 2);
    let turn = |i: usize| {
        let (ctx, person, conversation) = (app.ctx.clone(), person.clone(), conversation.clone());
        let (id, text) = (said[i].id, said[i].body.as_ref().unwrap().as_str().to_owned());
        async move {
            frontdesk_engine::playbooks::journey::on_inbound(&ctx, &person, &conversation, id, &text).await
        }
    };
    // The second message's turn starts first; the first's a moment later.
    let second = tokio::spawn(turn(1));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // A second passes: whatever the second turn filed by now is dated before the first's.
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    turn(0).await.unwrap();
    second.await.unwrap().unwrap();
    app.run_pending_jobs().await;
    let sent = replies_to(&app, &key, patient).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].starts_with("Olá"), "the greeting answers the first message: {sent:?}");
    assert!(sent[1].contains("1."), "the offer answers the second: {sent:?}");
}

/// Outside WhatsApp's 24-hour window without an approved template, the confirmation cannot
/// go out: the conversation shows it as failed with the reason, and no job is left dead.
async fn a_confirmation_that_cannot_go_out_says_why_on_the_conversation(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let cal = calendar(&app, &key).await;
    let phone = "+5511987651008";
    let (s, a) =
        post(&app, &key, "/api/v1/appointments", booking(&cal, "2026-06-03T10:00:00-03:00", phone)).await;
    assert_eq!(s, 201, "{a}");
    app.run_pending_jobs().await;
    let list =
        get(&app, &key, &format!("/api/v1/conversations?patient_id={}", a["patient_id"].as_str().unwrap()))
            .await;
    let conversation =
        get(&app, &key, &format!("/api/v1/conversations/{}", list["items"][0]["id"].as_str().unwrap())).await;
    let messages = conversation["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{conversation}");
    assert_eq!(
        (messages[0]["status"].as_str(), messages[0]["error_code"].as_str()),
        (Some("failed"), Some("no_approved_template"))
    );
    let dead = get(&app, &key, "/api/v1/jobs?status=dead").await;
    assert_eq!(dead["items"].as_array().map(Vec::len), Some(0), "{dead}");
    // The staff app's thread says why, in words.
    use frontdesk_domain::contact::Email;
    use frontdesk_domain::staff::{NewUser, Role};
    let tenant = frontdesk_domain::TenantId(
        get(&app, &key, "/api/v1/tenant").await["id"].as_str().unwrap().parse().unwrap(),
    );
    let new = NewUser {
        tenant_id: tenant,
        email: Email::parse("ana@sorriso.example").unwrap(),
        name: "Ana".into(),
        role: Role::Staff,
    };
    frontdesk_engine::staff::add_user(&app.ctx, new, Some("uma senha bem longa")).await.unwrap();
    let session = frontdesk_engine::staff::sign_in(&app.ctx, "ana@sorriso.example", "uma senha bem longa")
        .await
        .unwrap();
    let page = app
        .http
        .get(app.url(&format!("/app/inbox/{}", list["items"][0]["id"].as_str().unwrap())))
        .header("cookie", format!("fd_session={}", session.token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Não enviada: a janela de 24 horas do WhatsApp está fechada"), "{page}");
}
