//! Tenant isolation over the whole API, driven by the OpenAPI document: every route with a
//! path id is called, with every method it has, by a second tenant's key naming the first
//! tenant's records; every listing route is read by the second tenant. None may answer
//! with, or change, the first tenant's data. A new route is covered as soon as it is in the
//! spec; a route whose id this test cannot name fails the test until it is taught.

use frontdesk_domain::Clock;
use frontdesk_domain::jobs::NewJob;
use frontdesk_test_support::{TestApp, backend_tests};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;

backend_tests!(no_route_leaks_or_changes_another_tenants_records);

/// The victim's records, by the collection that names them in a path.
struct Victim {
    key: String,
    ids: BTreeMap<&'static str, String>,
    /// Values that must never appear in an answer to the other tenant.
    secrets: Vec<String>,
}

async fn send(app: &TestApp, method: Method, path: &str, key: &str, body: Option<Value>) -> (u16, String) {
    let mut request = app.http.request(method, app.url(path)).header("X-API-KEY", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn created(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let (status, text) = send(app, Method::POST, path, key, Some(body)).await;
    assert!((200..300).contains(&status), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// One of everything, made through the API by the victim clinic.
async fn victim(app: &TestApp) -> Victim {
    let (tenant, key) = app.tenant_with_key("victim").await;
    let mut ids = BTreeMap::new();
    let location = created(
        app,
        &key,
        "/api/v1/locations",
        json!({"name": "Sede Vítima", "address": "Rua Secreta, 9", "timezone": "America/Sao_Paulo"}),
    )
    .await;
    let location = id_of(&location);
    let doctor = created(
        app,
        &key,
        "/api/v1/practitioners",
        json!({"name": "Dra. Vitória Segredo", "department": "Cardiologia", "location_ids": [location]}),
    )
    .await;
    let doctor = id_of(&doctor);
    let hours = json!({"location_id": location, "intervals": [{"weekday": "wednesday", "start": "08:00", "end": "12:00"}]});
    let (s, t) =
        send(app, Method::PUT, &format!("/api/v1/practitioners/{doctor}/hours"), &key, Some(hours)).await;
    assert_eq!(s, 200, "{t}");
    let service = created(
        app,
        &key,
        "/api/v1/services",
        json!({"name": "Consulta Vítima", "department": "cardiologia", "duration_minutes": 30}),
    )
    .await;
    // A webhook receiver, subscribed before the booking so that the booking is delivered.
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let subscription = created(
        app,
        &key,
        "/api/v1/webhook-subscriptions",
        json!({"url": format!("{}/sigilo", receiver.uri()), "event_types": ["appointment.booked"],
            "description": "Webhook Sigiloso"}),
    )
    .await;
    let exception = created(app, &key, "/api/v1/exceptions", json!({"type": "time_off_dates", "first": "2026-06-10", "last": "2026-06-10", "note": "Folga secreta"})).await;
    let appointment = created(
        app,
        &key,
        "/api/v1/appointments",
        json!({"patient": {"name": "Vera Sigilo", "phone": "+5511977776666"}, "practitioner_id": doctor,
            "location_id": location, "service_id": id_of(&service), "start": "2026-06-03T09:00:00-03:00"}),
    )
    .await;
    let patient = appointment["patient_id"].as_str().unwrap().to_owned();
    let lead = created(
        app,
        &key,
        "/api/v1/leads",
        json!({"phone": "+5511955554444", "name": "Leila Oculta", "source": "paid_ads"}),
    )
    .await;
    let call =
        created(app, &key, "/api/v1/calls", json!({"patient_id": patient, "reason": "confirmação"})).await;
    created(
        app,
        &key,
        "/api/v1/sandbox/inbound",
        json!({"from": "+5511944443333", "body": "mensagem confidencial"}),
    )
    .await;
    app.run_pending_jobs().await;
    let conversations: Value =
        serde_json::from_str(&send(app, Method::GET, "/api/v1/conversations", &key, None).await.1).unwrap();
    let conversation = id_of(&conversations["items"][0]);
    // The patient who wrote waits for a time; a second appointment is cancelled and offered.
    let waiting =
        json!({"patient_id": conversations["items"][0]["patient_id"], "service_id": id_of(&service)});
    let entry = created(app, &key, "/api/v1/waitlist", waiting).await;
    let freed = created(
        app,
        &key,
        "/api/v1/appointments",
        json!({"patient_id": patient, "practitioner_id": doctor, "location_id": location,
            "service_id": id_of(&service), "start": "2026-06-03T10:00:00-03:00"}),
    )
    .await;
    created(app, &key, &format!("/api/v1/appointments/{}/cancel", id_of(&freed)), json!({})).await;
    app.run_pending_jobs().await;
    let offers: Value =
        serde_json::from_str(&send(app, Method::GET, "/api/v1/waitlist-offers", &key, None).await.1).unwrap();
    let now = app.clock.now();
    let job = app
        .ctx
        .store
        .enqueue(&NewJob::new(tenant.id, "demo.victim", json!({}), now), now)
        .await
        .unwrap()
        .id();

    ids.insert("practitioners", doctor.clone());
    ids.insert("services", id_of(&service));
    ids.insert("locations", location.clone());
    ids.insert("exceptions", id_of(&exception));
    ids.insert("appointments", id_of(&appointment));
    ids.insert("patients", patient.clone());
    ids.insert("leads", id_of(&lead["lead"]));
    ids.insert("calls", id_of(&call));
    ids.insert("conversations", conversation.clone());
    ids.insert("jobs", job.to_string());
    ids.insert("api-keys", key[4..12].to_owned());
    ids.insert("webhook-subscriptions", id_of(&subscription));
    ids.insert("waitlist", id_of(&entry));
    let campaign = created(
        app,
        &key,
        "/api/v1/campaigns",
        json!({"name": "Campanha Sigilosa", "kind": "custom", "steps": [{"channel": "whatsapp", "template": "booking_link"}]}),
    )
    .await;
    ids.insert("campaigns", id_of(&campaign));
    // One of the campaign's enrollments, its first step far ahead (it never runs here).
    let campaign_id: uuid::Uuid = id_of(&campaign).parse().unwrap();
    let patient_id = frontdesk_domain::PatientId(patient.parse().unwrap());
    let enrollment = frontdesk_domain::campaigns::Enrollment {
        id: frontdesk_engine::campaigns::enrollment_id(campaign_id, patient_id),
        tenant_id: tenant.id,
        campaign_id,
        patient_id,
        state: frontdesk_domain::campaigns::EnrollmentState::Active,
        steps_sent: 0,
        last_sent_at: None,
        created_at: now,
        updated_at: now,
    };
    let later = now + jiff::SignedDuration::from_hours(24 * 365);
    let first = frontdesk_engine::campaigns::step_job(
        tenant.id,
        &frontdesk_engine::campaigns::StepPayload {
            enrollment_id: enrollment.id,
            step: 0,
            planned_at: later,
            attempt: 0,
        },
        later,
    );
    app.ctx.store.enroll(&[(enrollment.clone(), first)], &[], now).await.unwrap();
    ids.insert("enrollments", enrollment.id.to_string());
    ids.insert("waitlist-offers", id_of(&offers["items"][0]));
    let deliveries: Value =
        serde_json::from_str(&send(app, Method::GET, "/api/v1/webhook-deliveries", &key, None).await.1)
            .unwrap();
    ids.insert("webhook-deliveries", id_of(&deliveries["items"][0]));
    let mut secrets: Vec<String> = ids.values().cloned().collect();
    secrets.push(subscription["secret"].as_str().unwrap().to_owned());
    secrets.extend(
        [
            location.as_str(),
            "Vítima",
            "Secreta",
            "Segredo",
            "Sigilo",
            "Oculta",
            "confidencial",
            "977776666",
            "955554444",
            "944443333",
        ]
        .map(str::to_owned),
    );
    Victim { key, ids, secrets }
}

/// Everything the victim can read about its own records, to compare before and after.
async fn snapshot(app: &TestApp, v: &Victim) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/appointments",
        "/api/v1/patients",
        "/api/v1/leads",
        "/api/v1/conversations",
        "/api/v1/practitioners",
        "/api/v1/exceptions",
        "/api/v1/calls",
        "/api/v1/api-keys",
        "/api/v1/webhook-subscriptions",
        "/api/v1/webhook-deliveries",
        "/api/v1/waitlist",
        "/api/v1/waitlist-offers",
        "/api/v1/campaigns",
        "/api/v1/settings",
        "/api/v1/tenant",
    ] {
        let (status, text) = send(app, Method::GET, path, &v.key, None).await;
        assert_eq!(status, 200, "GET {path}: {text}");
        out.push(text);
    }
    out
}

/// The spec's paths, each with its methods.
async fn routes(app: &TestApp) -> Vec<(String, Vec<Method>)> {
    let spec: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, ops)| {
            let methods =
                ops.as_object().unwrap().keys().filter_map(|m| m.to_uppercase().parse().ok()).collect();
            (path.clone(), methods)
        })
        .collect()
}

/// `/api/v1/leads/{id}` with the victim's lead id, or `None` when the path names a
/// collection this test does not know (the caller fails on that).
fn with_victim_ids(path: &str, v: &Victim) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if segment.starts_with('{') {
            let collection = segments[i - 1];
            out.push(v.ids.get(collection)?.clone());
        } else {
            out.push((*segment).to_owned());
        }
    }
    Some(out.join("/"))
}

/// Bodies, one of which suits each route: a route must not hide behind a 422 that comes
/// before its tenant check, so at least one of them has to reach that check (and get 404).
fn candidate_bodies(own_location: &str) -> Vec<Value> {
    vec![
        json!({}),
        json!({"reason": "teste"}),
        json!({"start": "2026-06-03T10:00:00-03:00"}),
        json!({"body": "olá"}),
        json!({"stage": "contacted"}),
        json!({"needs_staff": false}),
        json!({"name": "Intruso"}),
        json!({"location_id": own_location, "intervals": []}),
        json!({"confirm": "not the id"}),
    ]
}

/// Routes whose path parameter names a kind of listing, not a record: each is read, for
/// every kind, over a period that covers the victim's records, as a listing is. The third
/// field says whether the listing's rows carry record ids (reports do; figures do not).
const KIND_ROUTES: &[(&str, &[&str], bool)] = &[
    ("/api/v1/reports/{kind}", &["overview", "leads", "appointments", "no_shows", "calls", "messages"], true),
    (
        "/api/v1/metrics/{kind}",
        &["funnel", "leads", "telephony", "messaging", "appointments", "no_shows"],
        false,
    ),
];

async fn no_route_leaks_or_changes_another_tenants_records(app: TestApp) {
    let v = victim(&app).await;
    let (_, intruder) = app.tenant_with_key("intruder").await;
    let place = json!({"name": "Sede", "address": "Rua B, 2", "timezone": "America/Sao_Paulo"});
    let own_location = id_of(&created(&app, &intruder, "/api/v1/locations", place).await);
    let before = snapshot(&app, &v).await;
    let mut by_id = 0;
    let mut listings = 0;
    for (path, methods) in routes(&app).await {
        if !path.starts_with("/api/v1/") {
            continue; // webhooks and public links are addressed by slug and signed, not keyed
        }
        if let Some((_, kinds, with_ids)) = KIND_ROUTES.iter().find(|(p, _, _)| *p == path) {
            for kind in *kinds {
                let url = format!("{}?from=2026-05-01&to=2026-07-31", path.replace("{kind}", kind));
                let (status, text) = send(&app, Method::GET, &url, &intruder, None).await;
                assert_eq!(status, 200, "GET {url}: {text}");
                for secret in &v.secrets {
                    assert!(!text.contains(secret.as_str()), "GET {url} shows the other tenant's {secret:?}");
                }
                if let Some(own) = v.ids.get(*kind).filter(|_| *with_ids) {
                    // The same report read by its own clinic does hold the record.
                    let (_, theirs) = send(&app, Method::GET, &url, &v.key, None).await;
                    assert!(
                        theirs.contains(own.as_str()),
                        "GET {url}: the victim's own {kind} report misses {own}"
                    );
                }
                listings += 1;
            }
        } else if path == "/api/v1/assistant/tools/{name}" {
            // The path names a tool; the records are named in the arguments: each tool is
            // called with the victim's ids, by a full key and by one that may write.
            let (s, writer) = send(
                &app,
                Method::POST,
                "/api/v1/api-keys",
                &intruder,
                Some(json!({"name": "ai", "scopes": ["assistant_write"]})),
            )
            .await;
            assert_eq!(s, 201, "{writer}");
            let writer: Value = serde_json::from_str(&writer).unwrap();
            let writer = writer["secret"].as_str().unwrap().to_owned();
            let period = json!({"from": "2026-05-01", "to": "2026-07-31"});
            let tools: Vec<(&str, Value)> = vec![
                ("ask_figures", json!({"question": "quantos agendamentos com a Dra. Sigilo em junho?"})),
                ("metrics_overview", period.clone()),
                (
                    "metrics_breakdown",
                    json!({"kind": "appointments", "from": "2026-05-01", "to": "2026-07-31", "breakdown": "practitioner"}),
                ),
                ("find_patient", json!({"name": "Vera"})),
                ("find_patient", json!({"phone_digits": "977776666"})),
                ("list_appointments", json!({"from": "2026-05-01", "to": "2026-07-31"})),
                (
                    "list_appointments",
                    json!({"from": "2026-05-01", "to": "2026-07-31", "practitioner_id": v.ids["practitioners"]}),
                ),
                (
                    "find_slots",
                    json!({"service_id": v.ids["services"], "from": "2026-06-08", "to": "2026-06-09"}),
                ),
                (
                    "find_slots",
                    json!({"service_id": v.ids["services"], "from": "2026-06-08", "to": "2026-06-09", "practitioner_id": v.ids["practitioners"]}),
                ),
                (
                    "create_report",
                    json!({"kind": "appointments", "from": "2026-05-01", "to": "2026-07-31", "format": "csv"}),
                ),
                (
                    "book_appointment",
                    json!({"patient_id": v.ids["patients"], "service_id": v.ids["services"],
                    "practitioner_id": v.ids["practitioners"], "location_id": v.ids["locations"], "start": "2026-06-08T13:00:00Z"}),
                ),
                ("send_message", json!({"patient_id": v.ids["patients"], "text": "olá"})),
            ];
            for (tool, args) in tools {
                for key in [&intruder, &writer] {
                    let url = format!("/api/v1/assistant/tools/{tool}");
                    let (status, text) = send(&app, Method::POST, &url, key, Some(args.clone())).await;
                    assert!(status < 500, "POST {url} {args}: {status} {text}");
                    for secret in &v.secrets {
                        assert!(
                            !text.contains(secret.as_str()),
                            "POST {url} {args} shows {secret:?}: {text}"
                        );
                    }
                    if matches!(tool, "book_appointment" | "send_message" | "find_slots") {
                        assert!(!(200..300).contains(&status), "POST {url} {args} answered {status}: {text}");
                    }
                }
            }
            by_id += 1;
        } else if path.contains('{') {
            let concrete = with_victim_ids(&path, &v)
                .unwrap_or_else(|| panic!("{path}: teach this test which victim record its id names"));
            for method in methods {
                let bodies: Vec<Option<Value>> = if method == Method::GET || method == Method::DELETE {
                    vec![None]
                } else {
                    candidate_bodies(&own_location).into_iter().map(Some).collect()
                };
                let mut statuses = Vec::new();
                for body in bodies {
                    let (status, text) = send(&app, method.clone(), &concrete, &intruder, body.clone()).await;
                    assert!(
                        !(200..300).contains(&status) && status < 500,
                        "{method} {path} with another tenant's id and {body:?} answered {status}: {text}"
                    );
                    for secret in &v.secrets {
                        assert!(!text.contains(secret.as_str()), "{method} {path} shows {secret:?}: {text}");
                    }
                    statuses.push(status);
                }
                assert!(
                    statuses.contains(&404),
                    "{method} {path}: no body reached the tenant check: {statuses:?}"
                );
                by_id += 1;
            }
        } else if methods.contains(&Method::GET) {
            let (status, text) = send(&app, Method::GET, &path, &intruder, None).await;
            assert!(status < 500, "GET {path}: {status} {text}");
            for secret in &v.secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "GET {path} shows the other tenant's {secret:?}: {text}"
                );
            }
            listings += 1;
        }
    }
    // The walk really walked: today's spec has 17 id routes x methods and 20 listings.
    assert!(by_id >= 20 && listings >= 15, "{by_id} id calls, {listings} listings");
    assert_eq!(snapshot(&app, &v).await, before, "the victim's records changed");
}
