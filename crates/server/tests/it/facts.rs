//! Facts reach the fact log once: a booking, a patient's message and a new lead, each
//! logged by the job committed with the change, and not again when the jobs run again.

use frontdesk_domain::facts::FactKind;
use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, post, setup_calendar};
use serde_json::json;

backend_tests!(every_fact_is_logged_once);

async fn every_fact_is_logged_once(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("sorriso").await;
    let (other, _) = app.tenant_with_key("outra").await;
    let calendar = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let booking = json!({"patient": {"name": "Maria Souza", "phone": "+5511987654321"},
        "practitioner_id": calendar.practitioners[0], "location_id": calendar.location,
        "service_id": calendar.service, "start": "2026-06-03T09:00:00-03:00"});
    let (s, _) = post(&app, &key, "/api/v1/appointments", booking).await;
    assert_eq!(s, 201);
    let (s, lead) = post(
        &app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511955554444", "name": "Carla", "source": "paid_ads"}),
    )
    .await;
    assert_eq!(s, 201);
    // A person moving the lead records the move as a fact too.
    let lead_id = lead["lead"]["id"].as_str().unwrap().to_owned();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/leads/{lead_id}")))
        .header("X-API-KEY", &key)
        .json(&json!({"stage": "qualified"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (s, _) =
        post(&app, &key, "/api/v1/sandbox/inbound", json!({"from": "+5511944443333", "body": "Oi"})).await;
    assert!((200..300).contains(&s));
    app.run_pending_jobs().await;
    let (s, _) =
        post(&app, &key, "/api/v1/sandbox/inbound", json!({"from": "+5511944443333", "body": "PARAR"})).await;
    assert!((200..300).contains(&s));
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let logged = app.ctx.store.facts_after(tenant.id, 0, 500).await.unwrap();
    let kinds: Vec<FactKind> = logged.iter().map(|(_, f)| f.kind).collect();
    // Two leads: the form's, and the unknown number that wrote in. "PARAR" is a consent
    // keyword, not a message for the dialogue: an opt-out fact.
    for (kind, times) in [
        (FactKind::AppointmentBooked, 1),
        (FactKind::LeadCreated, 2),
        (FactKind::MessageReceived, 1),
        (FactKind::OptedOut, 1),
        (FactKind::LeadStageChanged, 1),
    ] {
        assert_eq!(kinds.iter().filter(|k| **k == kind).count(), times, "{kind:?} in {kinds:?}");
    }
    let mut ids: Vec<&str> = logged.iter().map(|(_, f)| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), logged.len(), "no fact twice");
    for (_, fact) in &logged {
        let text = fact.payload.to_string();
        assert!(
            !text.contains("987654321")
                && !text.contains("Maria")
                && !text.contains("Oi")
                && !text.contains("PARAR"),
            "facts carry no personal data: {text}"
        );
    }
    assert!(
        app.ctx.store.facts_after(other.id, 0, 500).await.unwrap().is_empty(),
        "facts stay with their clinic"
    );
}
