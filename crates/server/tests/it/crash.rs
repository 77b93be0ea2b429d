//! Crash safety and scale-out, proven on the real binary (issue 16). Three `frontdesk serve`
//! processes share one PostgreSQL schema; several clients send signed Twilio inbound
//! messages, Twilio delivery statuses and VAPI end-of-call reports to them concurrently,
//! retrying a request that got no answer (as providers do); three times one process is
//! killed with SIGKILL mid-load and started again. Then every acknowledged (2xx) provider id
//! is looked up in the database: nothing lost, nothing doubled. And the jobs: every patient
//! wrote one message the dialogue does not understand, so each must get exactly one reply
//! (decided once, filed once, across the kills and the lease takeovers) and never be handed
//! to staff - the crash of issue 16 answered some twice and called staff in. The
//! appointments' reminders fall due during the kills: each is sent once, and every Twilio
//! status acknowledged ends on its message (a status may outrun the commit of its send).
//!
//! PostgreSQL only (the scale-out backend); skipped without FRONTDESK_TEST_POSTGRES_URL.

use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::{Appointment, AppointmentEvent, AppointmentStatus, ReminderPolicy};
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::{AppointmentId, LocationId, PractitionerId, ServiceId, TenantId};
use frontdesk_store::NewBooking;
use frontdesk_test_support::{
    Backend, CalendarSpec, TestApp, mock_twilio, patch, setup_calendar, twilio_messaging,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The clinic the clients write to: its slug, and its Twilio account, unique to the run so
/// that the mock's requests can be told from strays. The mock servers come from wiremock's
/// pool, and another test's server may still be sending to the one this run got: once,
/// under the full suite, the mock counted two sends more than this run's database held,
/// to patients nobody here had written for.
#[derive(Clone)]
struct Clinic {
    slug: String,
    account_sid: String,
}
const TOKEN: &str = "crash-token";
const VAPI_SECRET: &str = "crash-vapi-secret";
/// The address providers are configured with; every process signs and checks over it.
const PUBLIC: &str = "http://frontdesk.test";
const CLIENTS: usize = 10;
/// Not understood: one "did not understand" reply; answered twice it is a hand-off.
const UNCLEAR: &str = "xqzt wrrbl ploft";
/// Appointments whose 24-hour reminder falls due during the load.
const REMINDERS: usize = 60;
/// The approved WhatsApp template reminders go out with (the 24-hour window is closed).
const REMINDER_TEMPLATE: &str = "HXreminder00000000000000000000000";

/// Books `REMINDERS` appointments whose 24-hour reminders fall due at moments spread over
/// `spread`, starting in a second. Booked straight into the store with the jobs the booking
/// path schedules (`reminder_jobs`): the booking path also checks opening hours, which a
/// test that runs at any hour of the day cannot meet. Returns the patients' phones.
async fn book_reminders(app: &TestApp, key: &str, tenant: TenantId, spread: Duration) -> Vec<String> {
    let cal = setup_calendar(app, key, CalendarSpec::default()).await;
    let (location, practitioner, service): (LocationId, PractitionerId, ServiceId) =
        (cal.location.parse().unwrap(), cal.practitioners[0].parse().unwrap(), cal.service.parse().unwrap());
    // Whole milliseconds: the database keeps microseconds, and a reminder whose
    // appointment's start reads back different is skipped as "rescheduled".
    let now = jiff::Timestamp::from_millisecond(jiff::Timestamp::now().as_millisecond()).unwrap();
    let mut phones = Vec::new();
    for i in 0..REMINDERS {
        let phone = format!("+55219{:08}", i);
        let patient = Patient::new(
            tenant,
            PersonName::parse(&format!("Paciente Lembrete {i}")).unwrap(),
            PhoneE164::parse(&phone, "BR").unwrap(),
            Locale::PtBr,
            now,
        );
        app.ctx.store.create_patient(&patient).await.unwrap();
        // Appointments 35 minutes apart (one practitioner, no overlap), each reminded
        // `24 h + 35 min x i` ahead, so the reminders fall due one after another.
        let offset_ms = 1000 + spread.as_millis() as i64 * i as i64 / REMINDERS as i64;
        let due = now + jiff::SignedDuration::from_millis(offset_ms);
        let ahead = jiff::SignedDuration::from_mins(24 * 60 + 35 * i as i64);
        let start = due + ahead;
        let end = start + jiff::SignedDuration::from_mins(30);
        let appointment = Appointment {
            id: AppointmentId::new(),
            tenant_id: tenant,
            patient_id: patient.id,
            practitioner_id: practitioner,
            location_id: location,
            service_id: service,
            start,
            end,
            blocked_until: end,
            status: AppointmentStatus::Booked,
            version: 1,
            external_id: None,
            cancel_reason: None,
            created_at: now,
            updated_at: now,
        };
        let policy = ReminderPolicy {
            offsets_minutes: vec![u32::try_from(ahead.as_mins()).unwrap()],
            no_show_grace_minutes: None,
        };
        // The reminder only: the risk check the booking path also files is not what this
        // test counts.
        let jobs: Vec<_> = frontdesk_engine::scheduling::reminder_jobs(&appointment, &policy, now)
            .into_iter()
            .filter(|j| j.kind == frontdesk_engine::scheduling::REMINDER_JOB)
            .collect();
        assert_eq!(jobs.len(), 1, "one reminder each");
        let booking = NewBooking {
            event: AppointmentEvent {
                appointment_id: appointment.id,
                at: now,
                action: "book".into(),
                from_status: None,
                to_status: AppointmentStatus::Booked,
                actor: "test:crash".into(),
                detail: None,
            },
            jobs,
            idempotency: None,
            appointment,
        };
        app.ctx.store.book_appointment(&booking).await.unwrap();
        phones.push(phone);
    }
    phones
}

/// The processes, by slot; a restarted one gets a fresh port (no waiting for the old one).
struct Fleet {
    db_url: String,
    roles: Vec<&'static str>,
    children: Vec<Child>,
    /// Where the processes serving HTTP listen (the clients' "load balancer").
    ports: Arc<RwLock<Vec<u16>>>,
    /// Slot -> index in `ports` (workers serve no HTTP).
    web_index: Vec<Option<usize>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Fleet {
    fn start(db_url: &str, roles: &[&'static str]) -> Self {
        let mut fleet = Fleet {
            db_url: db_url.to_owned(),
            roles: roles.to_vec(),
            children: Vec::new(),
            ports: Arc::default(),
            web_index: Vec::new(),
        };
        for (slot, role) in roles.iter().enumerate() {
            let port = free_port();
            fleet.children.push(fleet.spawn(slot, port));
            let serves_http = *role != "worker";
            let mut ports = fleet.ports.write().unwrap();
            fleet.web_index.push(serves_http.then_some(ports.len()));
            if serves_http {
                ports.push(port);
            }
        }
        fleet
    }

    fn web_ports(&self) -> Vec<u16> {
        self.ports.read().unwrap().clone()
    }

    fn spawn(&self, slot: usize, port: u16) -> Child {
        Command::new(env!("CARGO_BIN_EXE_frontdesk"))
            .args(["serve", "--role", self.roles[slot], "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &self.db_url)
            .env("FRONTDESK_ENCRYPTION_KEY", frontdesk_test_support::TEST_ENCRYPTION_KEY)
            .env("FRONTDESK_PUBLIC_URL", PUBLIC)
            .env("FRONTDESK_ALLOW_PRIVATE_NETWORK", "true")
            .env("FRONTDESK_RATE_LIMIT_ENABLED", "false")
            .env("FRONTDESK_DATABASE_MAX_CONNECTIONS", "6")
            // A killed process's jobs go to the others after this long.
            .env("FRONTDESK_JOBS_LEASE_SECS", "5")
            .env("FRONTDESK_JOBS_POLL_INTERVAL_MS", "200")
            .env("FRONTDESK_LOG_LEVEL", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    }

    /// SIGKILL: no shutdown, no lease released, whatever was in flight is cut.
    /// Returns the new port when the process serves HTTP.
    fn kill_and_restart(&mut self, slot: usize) -> Option<u16> {
        self.children[slot].kill().unwrap();
        self.children[slot].wait().unwrap();
        let port = free_port();
        self.children[slot] = self.spawn(slot, port);
        let index = self.web_index[slot]?;
        self.ports.write().unwrap()[index] = port;
        Some(port)
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn wait_healthy(http: &reqwest::Client, port: u16) {
    // Generous: under CI's full suite a debug build starting beside five other tests is slow.
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/health")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("process on port {port} never became healthy");
}

/// One provider delivery, as the provider would send it (and resend it, unanswered).
#[derive(Clone)]
enum Delivery {
    Inbound { sid: String, from: String },
    Status { sid: String },
    CallEnded { call_id: String, from: String },
}

fn twilio_request(
    http: &reqwest::Client,
    port: u16,
    path: &str,
    params: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let signature = frontdesk_providers::twilio::compute_signature(
        TOKEN,
        &format!("{PUBLIC}{path}"),
        params.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    http.post(format!("http://127.0.0.1:{port}{path}"))
        .header("X-Twilio-Signature", signature)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

fn request(http: &reqwest::Client, port: u16, clinic: &Clinic, d: &Delivery) -> reqwest::RequestBuilder {
    let (slug, account) = (clinic.slug.as_str(), clinic.account_sid.as_str());
    match d {
        Delivery::Inbound { sid, from } => {
            let from = format!("whatsapp:{from}");
            let params = [
                ("MessageSid", sid.as_str()),
                ("AccountSid", account),
                ("From", from.as_str()),
                ("To", "whatsapp:+14155238886"),
                ("Body", UNCLEAR),
                ("NumMedia", "0"),
            ];
            twilio_request(http, port, &format!("/webhooks/twilio/{slug}/messages"), &params)
        }
        Delivery::Status { sid } => {
            let params =
                [("MessageSid", sid.as_str()), ("MessageStatus", "delivered"), ("AccountSid", account)];
            twilio_request(http, port, &format!("/webhooks/twilio/{slug}/status"), &params)
        }
        Delivery::CallEnded { call_id, from } => {
            let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
                "startedAt": "2026-06-01T12:00:00Z", "endedAt": "2026-06-01T12:02:30Z",
                "customer": {"number": from}, "artifact": {"transcript": "AI: Olá User: Oi"},
                "call": {"id": call_id}}});
            http.post(format!("http://127.0.0.1:{port}/webhooks/vapi/{slug}"))
                .header("X-Vapi-Secret", VAPI_SECRET)
                .json(&report)
        }
    }
}

#[derive(Default)]
struct Acks {
    inbound: Vec<String>,
    statuses: Vec<String>,
    calls: Vec<String>,
}

/// Sends `d` to the fleet until some process acknowledges it (2xx), as a provider retries.
async fn deliver(
    http: &reqwest::Client,
    ports: &RwLock<Vec<u16>>,
    clinic: &Clinic,
    d: &Delivery,
    n: usize,
) -> bool {
    for attempt in 0..100 {
        let port = {
            let ports = ports.read().unwrap();
            ports[(n + attempt) % ports.len()]
        };
        match request(http, port, clinic, d).timeout(Duration::from_secs(5)).send().await {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) if r.status().is_client_error() => panic!("refused: {}", r.status()),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_load_loses_nothing_and_doubles_nothing_across_three_processes() {
    crash_run(&["all", "all", "all"], &[0, 1, 2]).await;
}

/// The split deployment: one `--role web` process and two `--role worker` processes; the
/// kills take a worker (its leased jobs go to the other), the web process (clients retry
/// until it is back), then the other worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_load_with_web_and_worker_roles_loses_nothing_and_doubles_nothing() {
    crash_run(&["web", "worker", "worker"], &[1, 0, 2]).await;
}

async fn crash_run(roles: &[&'static str], kills: &[usize]) {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    println!("processes: {roles:?}");
    let started = Instant::now();
    let (tenant, key) = app.tenant_with_key("crash").await;
    let clinic = Clinic {
        slug: tenant.slug.to_string(),
        account_sid: format!("AC{}", tenant.id.to_string().replace('-', "")),
    };
    let twilio = mock_twilio(&clinic.account_sid).await;
    let vapi = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": "vapi-call", "status": "queued"})),
        )
        .mount(&vapi)
        .await;
    let mut messaging = twilio_messaging(&twilio, &clinic.account_sid, TOKEN);
    // Reminders go out whatever the hour CI runs at, with an approved template (no
    // patient here wrote in the last 24 hours).
    messaging["quiet_hours"] = json!({"start": "00:00", "end": "00:00", "days_off": []});
    messaging["whatsapp_templates"] = json!({"appointment_reminder": {"pt-BR":
        {"id": REMINDER_TEMPLATE, "variables": ["patient_first_name", "date", "time"]}}});
    let settings = json!({"messaging": messaging,
        "voice": {"provider": "vapi", "vapi": {"base_url": vapi.uri(), "api_key": "k", "assistant_id": "a",
            "phone_number_id": "p", "server_secret": VAPI_SECRET}}});
    let (s, body) = patch(&app, &key, "/api/v1/settings", settings).await;
    assert_eq!(s, 200, "{body}");
    // Few connections: the suite runs other PostgreSQL tests beside this one, and the
    // server's 100-connection limit is shared by all of them.
    let db = sqlx::postgres::PgPoolOptions::new().max_connections(3).connect(app.db_url()).await.unwrap();

    // Due across the three kills (3.5 s apart) and a little after.
    let reminder_phones = book_reminders(&app, &key, tenant.id, Duration::from_secs(12)).await;
    let mut fleet = Fleet::start(app.db_url(), roles);
    let http = reqwest::Client::new();
    for port in fleet.web_ports() {
        wait_healthy(&http, port).await;
    }

    // Clients: inbound messages and call reports with fresh ids, and delivery statuses for
    // replies the clinic has sent (their Twilio sids, once stored).
    let acks = Arc::new(Mutex::new(Acks::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicUsize::new(0));
    let sent_sids = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let (http, ports, clinic) = (http.clone(), fleet.ports.clone(), clinic.clone());
        let (acks, stop, counter, sent_sids) =
            (acks.clone(), stop.clone(), counter.clone(), sent_sids.clone());
        clients.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let phone = format!("+55119{:08}", n);
                let status_sid = if c == 0 { sent_sids.lock().unwrap().pop() } else { None };
                let d = match (status_sid, n % 3) {
                    (Some(sid), _) => Delivery::Status { sid },
                    (None, 2) => Delivery::CallEnded { call_id: format!("call-{n}"), from: phone },
                    (None, _) => Delivery::Inbound { sid: format!("SM{n:032}"), from: phone },
                };
                if deliver(&http, &ports, &clinic, &d, n).await {
                    let mut a = acks.lock().unwrap();
                    match d {
                        Delivery::Inbound { sid, .. } => a.inbound.push(sid),
                        Delivery::Status { sid } => a.statuses.push(sid),
                        Delivery::CallEnded { call_id, .. } => a.calls.push(call_id),
                    }
                }
            }
        });
    }
    // Statuses: Twilio reports on what it accepted; here, on the replies already stored.
    let statuses = {
        let (db, stop, sent_sids) = (db.clone(), stop.clone(), sent_sids.clone());
        tokio::spawn(async move {
            let mut seen = HashSet::new();
            while !stop.load(Ordering::Relaxed) {
                let sids: Vec<String> = sqlx::query_scalar(
                    "SELECT provider_message_id FROM messages WHERE direction = 'outbound'
                     AND provider_message_id IS NOT NULL AND status NOT IN ('delivered', 'read', 'failed')",
                )
                .fetch_all(&db)
                .await
                .unwrap_or_default();
                let fresh: Vec<String> = sids.into_iter().filter(|s| seen.insert(s.clone())).collect();
                sent_sids.lock().unwrap().extend(fresh);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };

    for &slot in kills {
        tokio::time::sleep(Duration::from_millis(3500)).await;
        if let Some(port) = fleet.kill_and_restart(slot) {
            wait_healthy(&http, port).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    while clients.join_next().await.is_some() {}
    statuses.await.unwrap();
    let mut acks = std::mem::take(&mut *acks.lock().unwrap());
    let load_secs = started.elapsed().as_secs_f64();

    // Jobs: every acknowledged message answered exactly once, by one of the processes
    // (a killed one's leases run out after 5 s and the others take its jobs over). The
    // wait ends as soon as they are; its bound only matters under a loaded CI machine.
    let deadline = Instant::now() + Duration::from_secs(180);
    let (answered, doubled, handed_off) = loop {
        let row: (i64, i64, i64) = sqlx::query_as(
            "WITH per AS (
                SELECT c.id, c.needs_staff,
                       count(*) FILTER (WHERE m.direction = 'outbound') AS replies
                FROM conversations c JOIN messages m ON m.conversation_id = c.id
                WHERE c.channel = 'whatsapp' GROUP BY c.id, c.needs_staff
                HAVING count(*) FILTER (WHERE m.direction = 'inbound') > 0)
             SELECT count(*) FILTER (WHERE replies = 1), count(*) FILTER (WHERE replies > 1),
                    count(*) FILTER (WHERE needs_staff) FROM per",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        // Replies filed, and every due job (their deliveries) run.
        let due: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running') AND run_at <= now()",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        if (row.0 + row.1 >= acks.inbound.len() as i64 && due == 0) || Instant::now() > deadline {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    // Twilio reports on the replies sent after the load too (the workers lag behind the
    // webhooks): those statuses go out now, to whichever process is up.
    let late: Vec<String> = sqlx::query_scalar(
        "SELECT provider_message_id FROM messages WHERE direction = 'outbound'
         AND provider_message_id IS NOT NULL AND status NOT IN ('delivered', 'read', 'failed')",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let ports = fleet.ports.clone();
    for (n, sid) in late.into_iter().enumerate() {
        if deliver(&http, &ports, &clinic, &Delivery::Status { sid: sid.clone() }, n).await {
            acks.statuses.push(sid);
        }
    }
    // A status is recorded before its answer and applied by a job right after: give the
    // workers a moment to apply the last ones before counting.
    let applied_by = Instant::now() + Duration::from_secs(120);
    loop {
        let applied: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT provider_message_id) FROM messages WHERE provider_message_id = ANY($1)
             AND status IN ('delivered', 'read')",
        )
        .bind(&acks.statuses)
        .fetch_one(&db)
        .await
        .unwrap();
        let acknowledged = acks.statuses.iter().collect::<HashSet<_>>().len() as i64;
        if applied >= acknowledged || Instant::now() > applied_by {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Stored, once: the provider ids are unique in the schema, so "duplicated" counts rows
    // beyond the first, to show it rather than assume it.
    let count = |sql: &'static str, ids: Vec<String>| {
        let db = db.clone();
        async move {
            let rows: Vec<(String, i64)> = sqlx::query_as(sql).bind(&ids).fetch_all(&db).await.unwrap();
            let found: HashMap<String, i64> = rows.into_iter().collect();
            let lost = ids.iter().filter(|id| !found.contains_key(*id)).count();
            let duplicated: i64 = found.values().map(|n| n - 1).sum();
            (ids.len(), found.len(), lost, duplicated)
        }
    };
    // An acknowledged message is recorded (with its job) before the answer; the job files it.
    let recorded = count(
        "SELECT external_id, count(*) FROM inbound_events WHERE provider = 'twilio'
         AND external_id = ANY($1) GROUP BY 1",
        acks.inbound.clone(),
    )
    .await;
    let inbound = count(
        "SELECT provider_message_id, count(*) FROM messages WHERE direction = 'inbound'
         AND provider_message_id = ANY($1) GROUP BY 1",
        acks.inbound.clone(),
    )
    .await;
    let calls = count(
        "SELECT provider_call_id, count(*) FROM calls WHERE provider_call_id = ANY($1) GROUP BY 1",
        acks.calls.clone(),
    )
    .await;
    let statuses = count(
        "SELECT provider_message_id, count(*) FROM messages WHERE provider_message_id = ANY($1)
         AND status IN ('delivered', 'read') GROUP BY 1",
        acks.statuses.clone(),
    )
    .await;
    for (what, (acknowledged, stored, lost, duplicated)) in [
        ("twilio inbound recorded", recorded),
        ("twilio inbound filed", inbound),
        ("twilio status", statuses),
        ("vapi end-of-call", calls),
    ] {
        println!("{what}: acknowledged={acknowledged} stored={stored} lost={lost} duplicated={duplicated}");
        assert!(acknowledged > 0, "{what}: nothing was acknowledged");
        assert_eq!((lost, duplicated), (0, 0), "{what}");
    }

    // Reminders: each due reminder filed once, for its patient, and handed to Twilio.
    let reminders = count(
        "SELECT p.phone, count(*) FROM messages m JOIN patients p ON p.id = m.patient_id
         WHERE m.direction = 'outbound' AND m.template = 'HXreminder00000000000000000000000'
         AND p.phone = ANY($1) GROUP BY 1",
        reminder_phones.clone(),
    )
    .await;
    let reminder_jobs: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FROM jobs WHERE kind = 'scheduling.reminder'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let (due, stored, lost, duplicated) = reminders;
    println!(
        "reminders: due={due} sent={stored} lost={lost} duplicated={duplicated} (jobs done {} of {})",
        reminder_jobs.0, reminder_jobs.1
    );
    assert_eq!((stored, lost, duplicated), (REMINDERS, 0, 0), "each due reminder once");

    // Jobs a killed process held and another took over once the lease ran out.
    let taken_over: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jobs WHERE last_error LIKE 'lease expired%'")
            .fetch_one(&db)
            .await
            .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status IN ('dead')")
        .fetch_one(&db)
        .await
        .unwrap();
    println!("jobs: taken over after a lease expired={taken_over} dead={left}");
    let requests = twilio.received_requests().await.unwrap_or_default();
    let ours = format!("/Accounts/{}/", clinic.account_sid);
    let recipients: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path().contains(&ours))
        .filter_map(|r| form_urlencoded::parse(&r.body).find(|(k, _)| k == "To").map(|(_, v)| v.into_owned()))
        .collect();
    let reminded: HashSet<&str> = reminder_phones.iter().map(String::as_str).collect();
    let is_reminder = |to: &str| reminded.contains(to.trim_start_matches("whatsapp:"));
    let sends = recipients.iter().filter(|to| !is_reminder(to)).count();
    let patients_sent_to: HashSet<&String> = recipients.iter().filter(|to| !is_reminder(to)).collect();
    let reminder_sends = recipients.iter().filter(|to| is_reminder(to)).count();
    let reminded_at_twilio: HashSet<&String> = recipients.iter().filter(|to| is_reminder(to)).collect();
    println!(
        "dialogue: messages={} answered_once={answered} answered_twice={doubled} handed_off={handed_off}; \
         twilio sends={sends} ({} kills, {:.1} s)",
        acks.inbound.len(),
        kills.len(),
        started.elapsed().as_secs_f64()
    );
    println!("load phase {load_secs:.1} s");
    assert_eq!(answered, acks.inbound.len() as i64, "every message answered");
    assert_eq!((doubled, handed_off), (0, 0), "answered once, never handed to staff");
    // A send cut between Twilio's answer and its commit goes out again: at most one per
    // worker in flight at each kill, and each is visible here rather than hidden.
    let provider_duplicates = sends.saturating_sub(patients_sent_to.len())
        + reminder_sends.saturating_sub(reminded_at_twilio.len());
    println!(
        "provider-edge duplicates (send cut between Twilio's answer and the commit)={provider_duplicates}"
    );
    assert_eq!(patients_sent_to.len(), acks.inbound.len(), "every reply handed to Twilio");
    assert_eq!(reminded_at_twilio.len(), REMINDERS, "every reminder handed to Twilio");
    assert!(provider_duplicates <= kills.len() * 4, "at most the sends in flight at each kill");
}
