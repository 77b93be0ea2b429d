//! Live updates: `GET /app/events`, a server-sent-events stream of the signed-in person's
//! clinic's facts (messages in and out and their status, calls, appointments, leads,
//! hand-offs). Each event's `id` is the fact's position in the fact log, so a browser that
//! reconnects with `Last-Event-ID` resumes exactly after the last event it saw, from
//! whichever server process it reaches: the stream reads the shared `facts` table, not
//! memory of this process. Payloads are the facts' own: ids and states, never a name, a
//! number or message text. The stream ends when the process starts shutting down, so a
//! deploy does not wait out its grace period on open streams. Documented in
//! docs/live-updates.md.

use super::session::Staff;
use crate::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::TenantId;
use frontdesk_domain::facts::Fact;
use frontdesk_domain::staff::{Permission, SessionPolicy};
use frontdesk_engine::staff::still_signed_in;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;

/// How often an idle stream looks for new facts. Facts reach the log through the fact-log
/// job, which a worker picks up as soon as it is enqueued (PostgreSQL NOTIFY wakes every
/// process), so an event typically shows well under a second after the change.
const POLL: Duration = Duration::from_millis(400);
/// At most this many facts are read (and held) at once: a connection's memory is bounded
/// however far behind its reader is.
const BATCH: u32 = 50;
/// How often the stream checks that the session still holds; it ends when it does not.
const SESSION_CHECK: Duration = Duration::from_secs(10);
/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Reader {
    state: AppState,
    tenant: TenantId,
    token_hash: String,
    /// The position of the last fact sent (the next event's `id` is greater).
    last: i64,
    pending: VecDeque<(i64, Fact)>,
    next_session_check: Instant,
}

impl Reader {
    /// The next event, waiting for one; `None` when the session ended or the log cannot be
    /// read (the browser reconnects and resumes from its last id).
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            // Shutting down: end the stream so the connection drains now (the browser
            // reconnects to another process and resumes from its last id).
            if self.state.config.draining.is_cancelled() {
                return None;
            }
            if let Some((position, fact)) = self.pending.pop_front() {
                self.last = position;
                return Some((Ok(event(position, &fact)), self));
            }
            if Instant::now() >= self.next_session_check {
                let policy = SessionPolicy::default();
                match still_signed_in(&self.state.ctx, &self.token_hash, &policy).await {
                    Ok(true) => self.next_session_check = Instant::now() + SESSION_CHECK,
                    _ => return None,
                }
            }
            match self.state.ctx.store.facts_after(self.tenant, self.last, BATCH).await {
                Ok(facts) if !facts.is_empty() => self.pending.extend(facts),
                Ok(_) => {
                    tokio::select! {
                        () = tokio::time::sleep(POLL) => {}
                        () = self.state.config.draining.cancelled() => return None,
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: the fact log could not be read");
                    return None;
                }
            }
        }
    }
}

/// One fact as an event: `id` its position, `event` its kind, `data` the kind, the moment
/// and the fact's payload (ids and states).
fn event(position: i64, fact: &Fact) -> Event {
    let mut data = serde_json::json!({"kind": fact.kind, "at": fact.at.to_string()});
    if let (Some(out), Some(payload)) = (data.as_object_mut(), fact.payload.as_object()) {
        for (k, v) in payload {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Event::default().id(position.to_string()).event(fact.kind.as_str()).data(data.to_string())
}

/// The stream. Without a session it answers 401 (not the sign-in page: an `EventSource`
/// cannot follow that); a `Last-Event-ID` that is not a position answers 400.
pub async fn stream(
    axum::extract::State(state): axum::extract::State<AppState>,
    staff: Result<Staff, Response>,
    headers: HeaderMap,
) -> Response {
    let Ok(staff) = staff else {
        return (StatusCode::UNAUTHORIZED, "sign in to receive live updates").into_response();
    };
    if let Err(refused) = staff.require(Permission::Read) {
        return refused;
    }
    let resume = match headers.get("last-event-id").map(|v| v.to_str().map(str::trim)) {
        None | Some(Ok("")) => None,
        Some(Ok(id)) => match id.parse::<i64>() {
            Ok(position) if position >= 0 => Some(position),
            _ => {
                return (StatusCode::BAD_REQUEST, "Last-Event-ID must be an event id sent by this stream")
                    .into_response();
            }
        },
        Some(Err(_)) => {
            return (StatusCode::BAD_REQUEST, "Last-Event-ID must be an event id sent by this stream")
                .into_response();
        }
    };
    // A first connection starts with what happens from now on; a reconnect, after the
    // last event it saw.
    let last = match resume {
        Some(position) => position,
        None => match state.ctx.store.last_fact_position(staff.tenant.id).await {
            Ok(position) => position,
            Err(e) => return super::page::internal(staff.locale(), &e),
        },
    };
    let reader = Reader {
        state,
        tenant: staff.tenant.id,
        token_hash: staff.session.token_hash.clone(),
        last,
        pending: VecDeque::new(),
        next_session_check: Instant::now() + SESSION_CHECK,
    };
    let events = futures::stream::unfold(reader, Reader::next);
    let mut response =
        Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")).into_response();
    // Proxies (nginx) must pass events through as they come.
    response.headers_mut().insert("x-accel-buffering", axum::http::HeaderValue::from_static("no"));
    response
}
