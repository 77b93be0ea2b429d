//! The conversation suite: scripted multi-turn WhatsApp conversations, pt-BR and English,
//! from `conversations.toml`, each run on a fresh clinic through the real signed Twilio
//! webhook and the job runner, on both backends. For every scenario it asserts that each
//! message the patient sent got an answer (or that staff had the conversation, a visible
//! hand-off), that every answer is in the language the scenario expects, that the expected
//! words appear, and the outcome: booked, rescheduled, cancelled, confirmed, handed off, opted
//! out, or only answered. The scenarios are listed by name as they run.

use figment::Figment;
use figment::providers::{Format, Toml};
use frontdesk_domain::nlu::language;
use frontdesk_domain::tenant::Locale;
use frontdesk_test_support::conversation::{say_as, whatsapp_clinic};
use frontdesk_test_support::{TestApp, backend_tests, get, patch, post};
use serde::Deserialize;
use serde_json::{Value, json};

backend_tests!(every_scripted_conversation_ends_as_expected);

#[derive(Debug, Deserialize)]
struct Suite {
    scenario: Vec<Scenario>,
}

#[derive(Debug, Deserialize)]
struct Scenario {
    name: String,
    /// The clinic's language ("pt-BR" or "en").
    clinic: String,
    /// The language every answer must be in; the clinic's by default.
    #[serde(default)]
    language: Option<String>,
    /// The WhatsApp profile name the patient writes with.
    #[serde(default)]
    profile: Option<String>,
    /// Set up before the first message: `lead` (the patient is a lead by name),
    /// `appointment:DAY HH:MM` (booked for the patient; DAY is `tomorrow` or a weekday
    /// offset `+N`), `faq` (the clinic's FAQ).
    #[serde(default)]
    setup: Vec<String>,
    steps: Vec<Step>,
    outcome: Outcome,
}

#[derive(Debug, Deserialize)]
struct Step {
    /// What the patient writes.
    #[serde(default)]
    say: Option<String>,
    /// Time passes first ("20h", "3d", "10m"); due jobs (reminders) run.
    #[serde(default)]
    wait: Option<String>,
    /// The content type of an attachment sent with the message (`audio/ogg`, `image/jpeg`).
    #[serde(default)]
    media: Option<String>,
    /// Words (any case) each expected in the answer to this step.
    #[serde(default)]
    expect: Vec<String>,
    /// Words that must not be in it.
    #[serde(default)]
    reject: Vec<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Booked,
    Rescheduled,
    Cancelled,
    Confirmed,
    HandedOff,
    OptedOut,
    /// Answered, and nothing about appointments changed.
    Answered,
}

fn locale(s: &str) -> Locale {
    Locale::parse(s).unwrap_or_else(|_| panic!("unknown language {s:?}"))
}

fn duration(s: &str) -> jiff::SignedDuration {
    let (n, unit) = s.split_at(s.len() - 1);
    let n: i64 = n.parse().unwrap_or_else(|_| panic!("bad wait {s:?}"));
    match unit {
        "m" => jiff::SignedDuration::from_mins(n),
        "h" => jiff::SignedDuration::from_hours(n),
        "d" => jiff::SignedDuration::from_hours(24 * n),
        _ => panic!("bad wait unit in {s:?}"),
    }
}

async fn every_scripted_conversation_ends_as_expected(app: TestApp) {
    use futures::FutureExt;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/conversations.toml");
    let suite: Suite = Figment::from(Toml::file(path)).extract().expect("conversations.toml");
    assert!(suite.scenario.len() >= 60, "{} scenarios", suite.scenario.len());
    let start = frontdesk_test_support::start_time();
    let mut failed = Vec::new();
    for (i, s) in suite.scenario.iter().enumerate() {
        app.clock.set(start);
        // A failing scenario is reported by name and the others still run.
        match std::panic::AssertUnwindSafe(run(&app, i, s)).catch_unwind().await {
            Ok(()) => eprintln!("scenario {:<60} ok", s.name),
            Err(e) => {
                let why = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                eprintln!("scenario {:<60} FAILED", s.name);
                failed.push(format!("{}: {why}", s.name));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failed.len(),
        suite.scenario.len(),
        failed.join("\n")
    );
}

/// Runs one scenario on a clinic of its own.
async fn run(app: &TestApp, i: usize, s: &Scenario) {
    let slug = format!("conv{i}");
    let (key, _twilio) = whatsapp_clinic(app, &slug, &s.clinic).await;
    // Reminders and confirmations reach patients who have not written in 24 hours as the
    // clinic's approved templates; quiet hours stay the default.
    let approved = |id: &str| json!({"id": id, "variables": ["patient_first_name", "date", "time"]});
    let templates = json!({"messaging": {"whatsapp_templates": {
        "appointment_reminder": {"pt-BR": approved("HXreminderpt"), "en": approved("HXreminderen")},
        "appointment_confirmation": {"pt-BR": approved("HXconfirmpt"), "en": approved("HXconfirmen")}}}});
    let (st, body) = patch(app, &key, "/api/v1/settings", templates).await;
    assert_eq!(st, 200, "{body}");
    let patient = format!("+55119{:08}", 70_000_000 + i);
    let expected_language = locale(s.language.as_deref().unwrap_or(&s.clinic));
    for what in &s.setup {
        set_up(app, &key, &patient, s, what).await;
    }
    let before = appointments_of(app, &key, &patient).await;
    for (n, step) in s.steps.iter().enumerate() {
        if let Some(w) = &step.wait {
            app.clock.advance(duration(w));
            app.run_pending_jobs().await;
        }
        let Some(text) = &step.say else { continue };
        let staffed_before = needs_staff(app, &key, &patient).await;
        let attachment = step.media.as_deref().map(|t| ("https://media.example/file", t));
        let answers = say_as(app, &key, &patient, s.profile.as_deref(), text, attachment.as_slice()).await;
        let context = format!("step {} ({text:?}) got {answers:?}", n + 1);
        if answers.is_empty() {
            // Silence only where a person has the conversation (a visible hand-off).
            assert!(staffed_before || needs_staff(app, &key, &patient).await, "no answer: {context}");
        }
        for a in &answers {
            if let Some(e) = language::detect(a) {
                assert_eq!(e.locale, expected_language, "answer in the wrong language: {context}");
            }
        }
        let all = answers.join("\n").to_lowercase();
        for word in &step.expect {
            assert!(all.contains(&word.to_lowercase()), "expected {word:?}: {context}");
        }
        for word in &step.reject {
            assert!(!all.contains(&word.to_lowercase()), "did not expect {word:?}: {context}");
        }
    }
    check_outcome(app, &key, &patient, s.outcome, &before).await;
}

async fn set_up(app: &TestApp, key: &str, patient: &str, s: &Scenario, what: &str) {
    let name = s.profile.clone().unwrap_or_else(|| "Paula Ramos".to_owned());
    match what.split_once(':') {
        None if what == "lead" => {
            let (st, body) =
                post(app, key, "/api/v1/leads", json!({"phone": patient, "name": name, "source": "organic"}))
                    .await;
            assert_eq!(st, 201, "{body}");
            app.run_pending_jobs().await;
        }
        None if what == "faq" => {
            let faq = json!({"dialogue": {"faq": [
                {"question": "Quanto custa a limpeza?", "answer": "A limpeza custa R$ 150.", "keywords": ["preço", "valor", "custa", "quanto"], "locale": "pt-BR"},
                {"question": "How much is a cleaning?", "answer": "A cleaning costs R$ 150.", "keywords": ["price", "cost", "much"], "locale": "en"},
                {"question": "Qual o endereço?", "answer": "Ficamos na Rua A, 1 - Centro.", "keywords": ["endereço", "onde", "fica"], "locale": "pt-BR"},
                {"question": "Where are you?", "answer": "We are at Rua A, 1 - Centro.", "keywords": ["address", "where", "located"], "locale": "en"}]}});
            let (st, body) = patch(app, key, "/api/v1/settings", faq).await;
            assert_eq!(st, 200, "{body}");
        }
        Some(("appointment", when)) => {
            let (day, time) = when.split_once(' ').expect("appointment:DAY HH:MM");
            let today = jiff::civil::date(2026, 6, 1); // the test clock's Monday
            let date = match day {
                "tomorrow" => today.tomorrow().unwrap(),
                offset => {
                    today + jiff::Span::new().days(offset.trim_start_matches('+').parse::<i64>().unwrap())
                }
            };
            let start = format!("{date}T{time}:00-03:00");
            let body = json!({
                "patient": {"name": name, "phone": patient},
                "practitioner_id": first(app, key, "/api/v1/practitioners").await,
                "location_id": first(app, key, "/api/v1/locations").await,
                "service_id": first(app, key, "/api/v1/services").await,
                "start": start,
            });
            let (st, created) = post(app, key, "/api/v1/appointments", body).await;
            assert_eq!(st, 201, "{created}");
            app.run_pending_jobs().await;
        }
        _ => panic!("unknown setup {what:?}"),
    }
}

async fn first(app: &TestApp, key: &str, path: &str) -> Value {
    get(app, key, path).await["items"][0]["id"].clone()
}

async fn patient_id(app: &TestApp, key: &str, patient: &str) -> Option<String> {
    let found = get(app, key, &format!("/api/v1/patients?phone={}", patient.replace('+', "%2B"))).await;
    found["items"][0]["id"].as_str().map(str::to_owned)
}

async fn needs_staff(app: &TestApp, key: &str, patient: &str) -> bool {
    let Some(id) = patient_id(app, key, patient).await else { return false };
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={id}")).await;
    list["items"][0]["needs_staff"] == true
}

async fn appointments_of(app: &TestApp, key: &str, patient: &str) -> Vec<Value> {
    let Some(id) = patient_id(app, key, patient).await else { return Vec::new() };
    get(app, key, &format!("/api/v1/appointments?patient_id={id}")).await["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn check_outcome(app: &TestApp, key: &str, patient: &str, outcome: Outcome, before: &[Value]) {
    let after = appointments_of(app, key, patient).await;
    let statuses: Vec<&str> = after.iter().filter_map(|a| a["status"].as_str()).collect();
    let moved = after.iter().any(|a| before.iter().any(|b| b["id"] == a["id"] && b["start"] != a["start"]));
    let staffed = needs_staff(app, key, patient).await;
    let seen = format!("appointments {statuses:?}, moved {moved}, needs staff {staffed}");
    match outcome {
        Outcome::Booked => {
            assert!(after.len() > before.len() && statuses.contains(&"booked"), "not booked: {seen}")
        }
        Outcome::Rescheduled => assert!(moved, "not moved: {seen}"),
        Outcome::Cancelled => assert!(statuses.contains(&"cancelled"), "not cancelled: {seen}"),
        Outcome::Confirmed => assert!(statuses.contains(&"confirmed"), "not confirmed: {seen}"),
        Outcome::HandedOff => assert!(staffed, "not handed off: {seen}"),
        Outcome::OptedOut => {
            let id = patient_id(app, key, patient).await.expect("the patient");
            let tenant = get(app, key, "/api/v1/tenant").await["id"].as_str().unwrap().parse().unwrap();
            let consents = app
                .ctx
                .store
                .consents(
                    frontdesk_domain::TenantId(tenant),
                    frontdesk_domain::PatientId(id.parse().unwrap()),
                )
                .await
                .unwrap();
            let last = consents.iter().max_by_key(|c| c.at).map(|c| c.state);
            assert_eq!(last, Some(frontdesk_domain::messaging::ConsentState::OptedOut), "{consents:?}");
        }
        Outcome::Answered => {
            let unchanged = after.len() == before.len()
                && !moved
                && after.iter().zip(before).all(|(a, b)| a["status"] == b["status"]);
            assert!(unchanged, "appointments changed: {seen}");
        }
    }
}
