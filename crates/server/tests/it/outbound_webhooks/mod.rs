//! Signed outbound webhooks end to end on both backends, with a wiremock receiver that
//! checks every message with the Standard Webhooks reference verification: a booking is
//! delivered once; a receiver answering 500 is retried with back-off; a redirect is never
//! followed and, bounded, ends dead; a dead delivery replayed is delivered under the same
//! `webhook-id`; rotation signs with both secrets during the overlap; private addresses
//! are refused unless the deployment allows them; tenants are isolated; bad input is 4xx.

mod input;
mod reports;
mod settings_page;

use frontdesk_domain::Clock as _;
use frontdesk_domain::webhooks::{WebhookSecret, verify};
use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, error_of, get, patch, post, setup_calendar,
};
use input::{bad_input_is_a_clear_4xx, private_addresses_are_refused_unless_the_deployment_allows_them};
use jiff::SignedDuration;
use reports::a_weekly_report_reaches_the_webhook_and_the_download_list;
use serde_json::{Value, json};
use settings_page::the_settings_page_creates_lists_and_replays;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

backend_tests!(
    a_booking_is_delivered_once_and_verifies,
    a_failing_receiver_is_retried_with_backoff_then_delivered,
    a_redirect_is_not_followed_and_a_dead_delivery_replays,
    a_hanging_receiver_times_out_and_is_retried,
    rotation_signs_with_both_secrets_during_the_overlap,
    subscriptions_round_trip_and_a_paused_one_gets_nothing,
    subscriptions_and_deliveries_are_tenant_isolated,
    bad_input_is_a_clear_4xx,
    the_settings_page_creates_lists_and_replays,
    a_weekly_report_reaches_the_webhook_and_the_download_list,
);
backend_tests!(raw: private_addresses_are_refused_unless_the_deployment_allows_them);

const HOOK: &str = "/frontdesk-events";

struct Clinic {
    key: String,
    location: String,
    doctor: String,
    service: String,
}

async fn clinic(app: &TestApp, slug: &str) -> Clinic {
    let (_, key) = app.tenant_with_key(slug).await;
    let calendar = setup_calendar(app, &key, CalendarSpec::default()).await;
    Clinic {
        key,
        location: calendar.location,
        doctor: calendar.practitioners[0].clone(),
        service: calendar.service,
    }
}

/// Books Wednesday 2026-06-17 at `hh`:00 São Paulo time (well after every clock move here).
async fn book(app: &TestApp, c: &Clinic, hh: u32, phone: &str) -> Value {
    let body = json!({
        "patient": {"name": "Maria Souza", "phone": phone},
        "practitioner_id": c.doctor, "location_id": c.location, "service_id": c.service,
        "start": format!("2026-06-17T{hh:02}:00:00-03:00"),
    });
    let (s, a) = post(app, &c.key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a
}

/// Subscribes the receiver to `events`; returns (id, secret).
async fn subscribe(app: &TestApp, key: &str, server: &MockServer, events: &[&str]) -> (String, String) {
    let body = json!({"url": format!("{}{HOOK}", server.uri()), "event_types": events, "description": "ERP"});
    let (s, v) = post(app, key, "/api/v1/webhook-subscriptions", body).await;
    assert_eq!(s, 201, "{v}");
    let secret = v["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{v}");
    (v["id"].as_str().unwrap().to_owned(), secret)
}

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == HOOK).collect()
}

fn header<'a>(r: &'a Request, name: &str) -> &'a str {
    r.headers.get(name).unwrap_or_else(|| panic!("{name} header")).to_str().unwrap()
}

/// The receiver's side: the reference verification with `secret`, at the app's clock.
fn verifies(app: &TestApp, r: &Request, secret: &str) -> bool {
    let secret = WebhookSecret::parse(secret).unwrap();
    let now = app.clock.now().as_second();
    let (id, ts, sig) =
        (header(r, "webhook-id"), header(r, "webhook-timestamp"), header(r, "webhook-signature"));
    verify(&secret, id, ts, sig, &r.body, now, 300).is_ok()
}

async fn deliveries(app: &TestApp, key: &str, query: &str) -> Vec<Value> {
    get(app, key, &format!("/api/v1/webhook-deliveries{query}")).await["items"].as_array().unwrap().clone()
}

async fn a_booking_is_delivered_once_and_verifies(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = receiver(200).await;
    let (sub, secret) = subscribe(&app, &c.key, &server, &["appointment.booked"]).await;
    let other = receiver(200).await;
    subscribe(&app, &c.key, &other, &["call.ended"]).await;
    let appointment = book(&app, &c, 10, "+5511987650001").await;
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;

    let got = received(&server).await;
    assert_eq!(got.len(), 1, "exactly one delivery");
    let r = &got[0];
    assert!(verifies(&app, r, &secret), "the reference algorithm accepts the signature");
    assert!(!verifies(&app, r, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "another secret does not");
    assert_eq!(header(r, "content-type"), "application/json");
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["type"], "appointment.booked");
    assert_eq!(body["data"]["appointment_id"], appointment["id"]);
    let text = String::from_utf8_lossy(&r.body);
    assert!(!text.contains("Maria") && !text.contains("98765"), "ids and states only: {text}");
    assert!(received(&other).await.is_empty(), "a subscription to other events gets nothing");

    let log = deliveries(&app, &c.key, "").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["state"], "delivered");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status"], 200);
    assert_eq!(log[0]["subscription_id"], sub.as_str());
    assert_eq!(log[0]["webhook_id"], header(r, "webhook-id"));
    let one =
        get(&app, &c.key, &format!("/api/v1/webhook-deliveries/{}", log[0]["id"].as_str().unwrap())).await;
    assert_eq!(one["payload"], body);
}

async fn a_failing_receiver_is_retried_with_backoff_then_delivered(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let (_, secret) = subscribe(&app, &c.key, &server, &["appointment.booked"]).await;
    book(&app, &c, 10, "+5511987650002").await;
    app.run_pending_jobs().await;
    assert_eq!(received(&server).await.len(), 1);
    let log = deliveries(&app, &c.key, "?state=failed").await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0]["attempts"].as_u64(), log[0]["last_status"].as_u64()), (Some(1), Some(500)));
    let next: jiff::Timestamp = log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
    let delay = next.duration_since(app.clock.now());
    assert!(delay >= SignedDuration::from_secs(7) && delay <= SignedDuration::from_secs(13), "{delay:?}");

    app.run_pending_jobs().await;
    assert_eq!(received(&server).await.len(), 1, "not before the back-off");
    app.clock.advance(SignedDuration::from_secs(20));
    app.run_pending_jobs().await;
    let got = received(&server).await;
    assert_eq!(got.len(), 2);
    assert_eq!(header(&got[0], "webhook-id"), header(&got[1], "webhook-id"), "a retry keeps the id");
    assert!(got.iter().all(|r| verifies(&app, r, &secret)));
    let log = deliveries(&app, &c.key, "?state=delivered").await;
    assert_eq!((log[0]["attempts"].as_u64(), log[0]["last_status"].as_u64()), (Some(2), Some(204)));
    assert!(log[0]["next_attempt_at"].is_null());
}

async fn a_redirect_is_not_followed_and_a_dead_delivery_replays(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = MockServer::start().await;
    let inside = format!("{}/internal", server.uri());
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(307).insert_header("location", inside.as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/internal")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (_, secret) = subscribe(&app, &c.key, &server, &["appointment.booked"]).await;
    book(&app, &c, 10, "+5511987650003").await;
    // Bounded: eight attempts across about a day, then dead.
    for _ in 0..12 {
        app.run_pending_jobs().await;
        app.clock.advance(SignedDuration::from_hours(11));
    }
    let all = server.received_requests().await.unwrap();
    assert!(all.iter().all(|r| r.url.path() == HOOK), "the redirect was never followed");
    assert_eq!(all.len(), 8, "eight attempts, no more");
    let dead = deliveries(&app, &c.key, "?state=dead").await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!((dead[0]["attempts"].as_u64(), dead[0]["last_status"].as_u64()), (Some(8), Some(307)));
    let id = dead[0]["id"].as_str().unwrap().to_owned();

    // The receiver is fixed; staff replay the dead delivery.
    server.reset().await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let r = app.post(&format!("/api/v1/webhook-deliveries/{id}/replay"), &c.key).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let r = app.post(&format!("/api/v1/webhook-deliveries/{id}/replay"), &c.key).send().await.unwrap();
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (409, "delivery_in_progress"), "already queued");
    app.run_pending_jobs().await;
    let got = received(&server).await;
    assert_eq!(got.len(), 1);
    assert_eq!(header(&got[0], "webhook-id"), dead[0]["webhook_id"].as_str().unwrap(), "the same webhook-id");
    assert!(verifies(&app, &got[0], &secret));
    let one = get(&app, &c.key, &format!("/api/v1/webhook-deliveries/{id}")).await;
    assert_eq!((one["state"].as_str(), one["attempts"].as_u64()), (Some("delivered"), Some(1)), "{one}");
    // A delivered one may be replayed too (the receiver lost it).
    let r = app.post(&format!("/api/v1/webhook-deliveries/{id}/replay"), &c.key).send().await.unwrap();
    assert_eq!(r.status(), 202);
    app.run_pending_jobs().await;
    assert_eq!(received(&server).await.len(), 2);
}

/// A receiver that never answers costs one attempt (the 15-second timeout), not a worker.
async fn a_hanging_receiver_times_out_and_is_retried(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(HOOK))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(40)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    subscribe(&app, &c.key, &server, &["appointment.booked"]).await;
    book(&app, &c, 10, "+5511987650011").await;
    let started = std::time::Instant::now();
    app.run_pending_jobs().await;
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_secs(30), "gave up after the timeout: {waited:?}");
    let failed = deliveries(&app, &c.key, "?state=failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0]["last_status"].is_null());
    assert!(failed[0]["last_error"].as_str().unwrap().contains("timed out"), "{failed:?}");
    app.clock.advance(SignedDuration::from_secs(20));
    app.run_pending_jobs().await;
    assert_eq!(deliveries(&app, &c.key, "?state=delivered").await.len(), 1);
}

async fn rotation_signs_with_both_secrets_during_the_overlap(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = receiver(200).await;
    let (sub, old) = subscribe(&app, &c.key, &server, &["appointment.booked"]).await;
    let (s, rotated) = post(
        &app,
        &c.key,
        &format!("/api/v1/webhook-subscriptions/{sub}/rotate-secret"),
        json!({"overlap_seconds": 3600}),
    )
    .await;
    assert_eq!(s, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_expires_at"].is_string(), "{rotated}");
    book(&app, &c, 10, "+5511987650004").await;
    app.run_pending_jobs().await;
    let got = received(&server).await;
    assert_eq!(header(&got[0], "webhook-signature").split(' ').count(), 2, "two v1 entries");
    assert!(verifies(&app, &got[0], &old) && verifies(&app, &got[0], &new));

    app.clock.advance(SignedDuration::from_hours(2));
    book(&app, &c, 11, "+5511987650005").await;
    app.run_pending_jobs().await;
    let got = received(&server).await;
    assert_eq!(got.len(), 2);
    assert_eq!(header(&got[1], "webhook-signature").split(' ').count(), 1, "the overlap is over");
    assert!(verifies(&app, &got[1], &new) && !verifies(&app, &got[1], &old));
    let shown = get(&app, &c.key, &format!("/api/v1/webhook-subscriptions/{sub}")).await;
    assert!(shown["previous_secret_expires_at"].is_null() && shown.get("secret").is_none(), "{shown}");
}

async fn subscriptions_round_trip_and_a_paused_one_gets_nothing(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let server = receiver(200).await;
    let (sub, _) = subscribe(&app, &c.key, &server, &["appointment.booked", "call.ended"]).await;
    let listed = get(&app, &c.key, "/api/v1/webhook-subscriptions").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(listed["items"][0].get("secret").is_none(), "the secret is shown once");
    let path = format!("/api/v1/webhook-subscriptions/{sub}");
    let (s, v) =
        patch(&app, &c.key, &path, json!({"enabled": false, "event_types": ["appointment.booked"]})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["enabled"].as_bool(), v["event_types"].clone()),
        (Some(false), json!(["appointment.booked"]))
    );
    book(&app, &c, 10, "+5511987650006").await;
    app.run_pending_jobs().await;
    assert!(received(&server).await.is_empty(), "a paused subscription gets nothing");
    assert!(deliveries(&app, &c.key, "").await.is_empty());

    let (s, _) = patch(&app, &c.key, &path, json!({"enabled": true})).await;
    assert_eq!(s, 200);
    book(&app, &c, 11, "+5511987650007").await;
    app.run_pending_jobs().await;
    assert_eq!(received(&server).await.len(), 1);

    let r = app.http.delete(app.url(&path)).header("X-API-KEY", &c.key).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = app.get(&path, &c.key).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(deliveries(&app, &c.key, "").await.is_empty(), "its deliveries went with it");
}

async fn subscriptions_and_deliveries_are_tenant_isolated(app: TestApp) {
    let a = clinic(&app, "alpha").await;
    let b = clinic(&app, "beta").await;
    let server = receiver(200).await;
    let (sub, _) = subscribe(&app, &a.key, &server, &["appointment.booked"]).await;
    book(&app, &b, 10, "+5511987650008").await;
    app.run_pending_jobs().await;
    assert!(received(&server).await.is_empty(), "another clinic's booking is not sent");
    book(&app, &a, 10, "+5511987650009").await;
    app.run_pending_jobs().await;
    let delivery = deliveries(&app, &a.key, "").await[0]["id"].as_str().unwrap().to_owned();

    assert!(get(&app, &b.key, "/api/v1/webhook-subscriptions").await["items"].as_array().unwrap().is_empty());
    assert!(deliveries(&app, &b.key, "").await.is_empty());
    let sub_path = format!("/api/v1/webhook-subscriptions/{sub}");
    let tries = [
        app.get(&sub_path, &b.key),
        app.http.patch(app.url(&sub_path)).header("X-API-KEY", &b.key).json(&json!({"enabled": false})),
        app.http.delete(app.url(&sub_path)).header("X-API-KEY", &b.key),
        app.post(&format!("{sub_path}/rotate-secret"), &b.key),
        app.get(&format!("/api/v1/webhook-deliveries/{delivery}"), &b.key),
        app.post(&format!("/api/v1/webhook-deliveries/{delivery}/replay"), &b.key),
    ];
    for t in tries {
        let (status, code, _) = error_of(t.send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (404, "not_found"));
    }
    let still = get(&app, &a.key, &sub_path).await;
    assert_eq!(still["enabled"], true, "unchanged by the other clinic");
}
