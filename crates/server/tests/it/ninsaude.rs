//! Ninsaúde as the clinic's system of record, against a local mock of its API: free time
//! comes from it, bookings are created there first and mirrored with the external id,
//! and an unreachable Ninsaúde is a 502, never a silent local-only booking.

use frontdesk_test_support::{TestApp, backend_tests, error_of};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

backend_tests!(
    availability_comes_from_ninsaude,
    booking_is_created_upstream_first_and_mirrored,
    a_slot_not_free_upstream_is_409_without_creating_anything,
    unreachable_upstream_is_502_and_nothing_is_stored,
    cancel_goes_upstream_first,
);

fn ok(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"result": result, "error": []}))
}

struct Setup {
    key: String,
    server: MockServer,
    doctor: String,
    location: String,
    service: String,
}

async fn setup(app: &TestApp) -> Setup {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok-1", "refresh_token": "ref-1", "expires_in": 900, "token_type": "bearer"
        })))
        .mount(&server)
        .await;
    // Wednesday 2026-06-03: 09:00-10:00 free (two 30-minute pieces), 14:00-14:30 free.
    Mock::given(method("GET"))
        .and(path("/atendimento_agenda/listar/horario/disponivel/profissional/7/dataInicial/2026-06-03/dataFinal/2026-06-03"))
        .and(query_param("accountUnidade", "1"))
        .respond_with(ok(json!([{"data": "2026-06-03", "horarioLivre": [
            {"horaInicial": "09:00", "horaFinal": "09:30", "accountUnidade": 1},
            {"horaInicial": "09:30", "horaFinal": "10:00", "accountUnidade": 1},
            {"horaInicial": "14:00", "horaFinal": "14:30", "accountUnidade": 1}
        ]}])))
        .mount(&server)
        .await;
    let (_, key) = app.tenant_with_key("ninsaude").await;
    let post = |p: &str, b: Value| app.post(p, &key).json(&b).send();
    let loc: Value = post("/api/v1/locations", json!({"name": "Centro", "timezone": "America/Sao_Paulo"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let location = loc["id"].as_str().unwrap().to_owned();
    let doc: Value = post(
        "/api/v1/practitioners",
        json!({"name": "Dra. Ana", "department": "Clínica", "location_ids": [location]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let doctor = doc["id"].as_str().unwrap().to_owned();
    let svc: Value = post(
        "/api/v1/services",
        json!({"name": "Consulta", "department": "Clínica", "duration_minutes": 30}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let service = svc["id"].as_str().unwrap().to_owned();
    let r = app.http.put(app.url("/api/v1/external-ids")).header("X-API-KEY", &key)
        .json(&json!({"system": "ninsaude", "resource": "practitioner", "local_id": doctor, "external_id": "7"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.patch(app.url("/api/v1/settings")).header("X-API-KEY", &key)
        .json(&json!({"scheduling": {"backend": "ninsaude", "ninsaude": {"base_url": server.uri(), "account": "clinica", "username": "bot", "password": "pw", "account_unit": 1}}}))
        .send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    Setup { key, server, doctor, location, service }
}

fn booking(s: &Setup, local_time: &str) -> Value {
    json!({
        "patient": {"name": "Maria Souza", "phone": "+55 11 98765-4321"},
        "practitioner_id": s.doctor, "location_id": s.location, "service_id": s.service,
        "start": format!("2026-06-03T{local_time}:00-03:00"),
    })
}

async fn mock_patient_and_booking(s: &Setup, expected_start: &str, expected_end: &str) {
    Mock::given(method("GET"))
        .and(path("/cadastro_paciente/listar"))
        .respond_with(ok(json!([])))
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cadastro_paciente"))
        .and(body_json(json!({"nome": "Maria Souza", "telefone1": "11987654321", "ativo": 1})))
        .respond_with(ok(json!({"id": 123, "nome": "Maria Souza", "telefone1": "11987654321"})))
        .expect(1)
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/atendimento_agenda"))
        .and(body_json(json!({
            "accountUnidade": 1, "profissional": 7, "data": "2026-06-03",
            "horaInicial": expected_start, "horaFinal": expected_end, "paciente": 123, "status": 0
        })))
        .respond_with(ok(json!({"id": 789})))
        .expect(1)
        .mount(&s.server)
        .await;
}

async fn availability_comes_from_ninsaude(app: TestApp) {
    let s = setup(&app).await;
    let v: Value = app
        .get(&format!("/api/v1/availability?service_id={}&date=2026-06-03", s.service), &s.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts: Vec<&str> = v["days"][0]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["local_start"].as_str().unwrap())
        .collect();
    // 09:00-10:00 merged, 15-minute grid, 30-minute service; 14:00-14:30 fits once.
    assert_eq!(
        starts,
        vec!["2026-06-03T09:00:00", "2026-06-03T09:15:00", "2026-06-03T09:30:00", "2026-06-03T14:00:00"]
    );
}

async fn booking_is_created_upstream_first_and_mirrored(app: TestApp) {
    let s = setup(&app).await;
    mock_patient_and_booking(&s, "09:30:00", "10:00:00").await;
    let r = app
        .post("/api/v1/appointments", &s.key)
        .header("Idempotency-Key", "k1")
        .json(&booking(&s, "09:30"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["external_id"], "789");
    assert_eq!(a["start"], "2026-06-03T12:30:00Z");
    // A retry with the same key does not book upstream again (the mocks expect one call).
    let again = app
        .post("/api/v1/appointments", &s.key)
        .header("Idempotency-Key", "k1")
        .json(&booking(&s, "09:30"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], a["id"]);
    let patient = app
        .ctx
        .store
        .get_patient(
            app.ctx.store.tenant_by_slug("ninsaude").await.unwrap().unwrap().id,
            frontdesk_domain::PatientId(a["patient_id"].as_str().unwrap().parse().unwrap()),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patient.external_id.as_deref(), Some("123"));
}

async fn a_slot_not_free_upstream_is_409_without_creating_anything(app: TestApp) {
    let s = setup(&app).await;
    Mock::given(method("POST"))
        .and(path("/atendimento_agenda"))
        .respond_with(ok(json!({"id": 1})))
        .expect(0)
        .mount(&s.server)
        .await;
    let r = app.post("/api/v1/appointments", &s.key).json(&booking(&s, "11:00")).send().await.unwrap();
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (409, "slot_taken"));
}

async fn unreachable_upstream_is_502_and_nothing_is_stored(app: TestApp) {
    let s = setup(&app).await;
    Mock::given(method("GET"))
        .and(path("/cadastro_paciente/listar"))
        .respond_with(ok(json!([])))
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cadastro_paciente"))
        .respond_with(ok(json!({"id": 123})))
        .mount(&s.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/atendimento_agenda"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&s.server)
        .await;
    let r = app.post("/api/v1/appointments", &s.key).json(&booking(&s, "09:00")).send().await.unwrap();
    let (status, code, _) = error_of(r).await;
    assert_eq!((status, code.as_str()), (502, "scheduling_backend_unavailable"));
    let list: Value = app.get("/api/v1/appointments", &s.key).send().await.unwrap().json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty(), "no local-only booking");
}

async fn cancel_goes_upstream_first(app: TestApp) {
    let s = setup(&app).await;
    mock_patient_and_booking(&s, "14:00:00", "14:30:00").await;
    let a: Value = app
        .post("/api/v1/appointments", &s.key)
        .json(&booking(&s, "14:00"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = a["id"].as_str().unwrap();
    // Ninsaúde down: the cancellation is refused and nothing changes here.
    let failing = Mock::given(method("DELETE"))
        .and(path("/atendimento_agenda/789"))
        .respond_with(ResponseTemplate::new(500))
        .mount_as_scoped(&s.server)
        .await;
    let (status, code, _) =
        error_of(app.post(&format!("/api/v1/appointments/{id}/cancel"), &s.key).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (502, "scheduling_backend_unavailable"));
    let now: Value =
        app.get(&format!("/api/v1/appointments/{id}"), &s.key).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["status"], "booked");
    drop(failing);
    Mock::given(method("DELETE"))
        .and(path("/atendimento_agenda/789"))
        .respond_with(ok(json!(true)))
        .expect(1)
        .mount(&s.server)
        .await;
    let r = app.post(&format!("/api/v1/appointments/{id}/cancel"), &s.key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "cancelled");
}
