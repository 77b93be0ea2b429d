//! Live updates (`GET /app/events`) end to end on both backends: a clinic's facts arrive
//! as server-sent events, another clinic's session sees none of them, `Last-Event-ID`
//! resumes exactly after the given event, a signed-out session is refused, and an event
//! written through one server process is streamed by another on the same database.

use frontdesk_domain::TenantId;
use frontdesk_domain::staff::Role;
use frontdesk_engine::staff;
use frontdesk_test_support::{TestApp, backend_tests, post};
use serde_json::{Value, json};
use std::time::Duration;

backend_tests!(
    a_clinics_facts_stream_to_its_people_only,
    a_second_process_streams_what_the_first_wrote,
    an_ended_session_sends_a_background_refresh_to_the_sign_in_page_and_keeps_the_reason
);

async fn signed_in(app: &TestApp, tenant: TenantId, email: &str) -> String {
    app.staff_cookie(tenant, email, Role::Staff).await
}

/// One parsed server-sent event.
#[derive(Debug, Clone)]
struct Sse {
    id: i64,
    event: String,
    data: Value,
}

/// An open stream, read event by event.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, cookie: &str, last_event_id: Option<i64>) -> Stream {
        let mut request = app.http.get(app.url("/app/events")).header("cookie", cookie);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream { response, buffer: String::new() }
    }

    /// The events that arrive within `wait` (comments skipped).
    async fn events_within(&mut self, wait: Duration) -> Vec<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().parse().unwrap());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if let Some(id) = id {
                    out.push(Sse { id, event, data: serde_json::from_str(&data).unwrap() });
                }
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return out;
            }
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(Ok(None)) | Ok(Err(_)) | Err(_) => return out,
            }
        }
    }

    /// Waits (up to 10 s) until an event of `kind` arrives; returns every event read.
    async fn until(&mut self, kind: &str) -> Vec<Sse> {
        let mut seen = Vec::new();
        for _ in 0..50 {
            seen.extend(self.events_within(Duration::from_millis(200)).await);
            if seen.iter().any(|e| e.event == kind) {
                return seen;
            }
        }
        panic!("no {kind} event; saw {:?}", seen.iter().map(|e| &e.event).collect::<Vec<_>>());
    }
}

async fn patient_writes(app: &TestApp, key: &str, from: &str, body: &str) {
    let (s, _) = post(app, key, "/api/v1/sandbox/inbound", json!({"from": from, "body": body})).await;
    assert!((200..300).contains(&s), "sandbox inbound answered {s}");
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
}

async fn a_clinics_facts_stream_to_its_people_only(app: TestApp) {
    let (alpha, alpha_key) = app.tenant_with_key("alfa").await;
    let (beta, beta_key) = app.tenant_with_key("beta").await;
    let ana = signed_in(&app, alpha.id, "ana@alfa.example").await;
    let bruno = signed_in(&app, beta.id, "bruno@beta.example").await;

    // Without a session, or with one that ended, the stream is refused (401, not the
    // sign-in page an EventSource could not follow).
    let r = app.http.get(app.url("/app/events")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app.http.get(app.url("/app/events")).header("cookie", "fd_session=forged").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .http
        .get(app.url("/app/events"))
        .header("cookie", &ana)
        .header("last-event-id", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let mut alpha_stream = Stream::open(&app, &ana, None).await;
    let mut beta_stream = Stream::open(&app, &bruno, None).await;
    patient_writes(&app, &alpha_key, "+5511944443333", "Oi, quero marcar").await;
    let seen = alpha_stream.until("message_received").await;
    let received = seen.iter().find(|e| e.event == "message_received").unwrap();
    assert_eq!(received.data["kind"], "message_received");
    assert!(received.data["conversation_id"].is_string() && received.data["message_id"].is_string());
    // The assistant's answer goes out too: filed, then its status.
    let mut more = seen.clone();
    if !more.iter().any(|e| e.event == "message_sent") {
        more.extend(alpha_stream.until("message_sent").await);
    }
    if !more.iter().any(|e| e.event == "message_status_changed") {
        more.extend(alpha_stream.until("message_status_changed").await);
    }
    for e in &more {
        let text = e.data.to_string();
        assert!(!text.contains("4443333") && !text.contains("marcar"), "no personal data in events: {text}");
    }
    let ids: Vec<i64> = more.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids only grow: {ids:?}");

    // The other clinic's person saw none of it, and sees their own.
    assert!(
        beta_stream.events_within(Duration::from_millis(600)).await.is_empty(),
        "nothing crosses clinics"
    );
    patient_writes(&app, &beta_key, "+5511922221111", "Bom dia").await;
    let beta_seen = beta_stream.until("message_received").await;
    assert!(beta_seen.iter().all(|e| !ids.contains(&e.id)));

    // Reconnecting after the first event resumes exactly after it: every later event
    // once, and none before.
    let first = more[0].id;
    let mut resumed = Stream::open(&app, &ana, Some(first)).await;
    let mut again = Vec::new();
    for _ in 0..10 {
        again.extend(resumed.events_within(Duration::from_millis(300)).await);
        if again.len() >= more.len() - 1 {
            break;
        }
    }
    let expected: Vec<i64> = ids[1..].to_vec();
    let got: Vec<i64> = again.iter().map(|e| e.id).take(expected.len()).collect();
    assert_eq!(got, expected, "resumed exactly after event {first}");
    assert!(again.iter().all(|e| e.id > first));

    // Signing out everywhere ends the open stream (checked every few seconds).
    let user = app.ctx.store.user_by_email("ana@alfa.example").await.unwrap().unwrap();
    staff::sign_out_everywhere(&app.ctx, alpha.id, user.id).await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        while let Ok(Some(_)) = alpha_stream.response.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream closes when the session ends");
    let r = app.http.get(app.url("/app/events")).header("cookie", &ana).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

async fn a_second_process_streams_what_the_first_wrote(app: TestApp) {
    let (alpha, key) = app.tenant_with_key("alfa").await;
    let ana = signed_in(&app, alpha.id, "ana@alfa.example").await;
    let other = app.another_instance().await;
    let mut stream = Stream::open(&other, &ana, None).await;
    patient_writes(&app, &key, "+5511944443333", "Oi").await;
    let seen = stream.until("message_received").await;
    assert!(seen.iter().any(|e| e.event == "message_received"));

    // With a real worker (woken on enqueue) in the first process, how long from the
    // webhook's answer to the event on the other process's stream: the live latency.
    let stop = tokio_util::sync::CancellationToken::new();
    let _workers = app.runner.clone().spawn(stop.clone());
    let started = std::time::Instant::now();
    let (s, _) =
        post(&app, &key, "/api/v1/sandbox/inbound", json!({"from": "+5511944443333", "body": "Ainda aí?"}))
            .await;
    assert!((200..300).contains(&s));
    let mut latency = None;
    for _ in 0..50 {
        let events = stream.events_within(Duration::from_millis(100)).await;
        if events.iter().any(|e| e.event == "message_received") {
            latency = Some(started.elapsed());
            break;
        }
    }
    stop.cancel();
    let latency = latency.expect("the second message arrives with a worker running");
    eprintln!("live latency ({:?}): webhook answered -> event on another process: {latency:?}", app.backend);
    assert!(latency < Duration::from_secs(3), "live updates arrive promptly: {latency:?}");
}

/// A live event refreshes the inbox badge after the session ended (a reception computer left
/// alone): htmx is told to open the sign-in page, and the cookie stays, so the page the
/// person opens next still says their session ended.
async fn an_ended_session_sends_a_background_refresh_to_the_sign_in_page_and_keeps_the_reason(app: TestApp) {
    let (tenant, _) = app.tenant_with_key("fim").await;
    let cookie = signed_in(&app, tenant.id, "ana@fim.example").await;
    let http = frontdesk_test_support::without_redirects();
    let page = |htmx: bool| {
        let mut r = http.get(app.url("/app/inbox")).header("cookie", &cookie);
        if htmx {
            r = r.header("hx-request", "true");
        }
        r.send()
    };
    assert_eq!(page(true).await.unwrap().status(), 200, "signed in, the badge refreshes");
    app.clock.advance(jiff::SignedDuration::from_hours(24));

    let background = page(true).await.unwrap();
    assert_eq!(background.status(), 401);
    assert_eq!(background.headers()["hx-redirect"], "/login?ended=1");
    assert!(background.headers().get("set-cookie").is_none(), "the cookie is kept");

    let next = page(false).await.unwrap();
    assert_eq!(next.status(), 303);
    assert_eq!(next.headers()["location"], "/login?ended=1");
    let dropped = next.headers()["set-cookie"].to_str().unwrap();
    assert!(dropped.starts_with("fd_session=;"), "{dropped}");
}
