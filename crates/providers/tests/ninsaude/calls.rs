//! The scheduling calls: free slots, patients, appointments.

use crate::support::*;
use frontdesk_providers::ninsaude::{
    NewNinsaudePatient, NinsaudeApi, NinsaudeBooking, NinsaudeError, NinsaudeFreeSlot, NinsaudeId,
};
use jiff::civil::{date, time};
use serde_json::json;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

fn maria() -> NewNinsaudePatient {
    NewNinsaudePatient {
        name: "Maria Silva".into(),
        phone: "(11) 99999-8888".into(),
        email: Some("maria@example.com".into()),
        birth_date: Some(date(1990, 5, 17)),
    }
}

#[tokio::test]
async fn free_slots_are_parsed_into_typed_dates_and_times() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api(
        "GET",
        "/atendimento_agenda/listar/horario/disponivel/profissional/12/dataInicial/2025-10-06/dataFinal/2025-10-07",
    )
    .and(query_param("accountUnidade", "1"))
    .and(bearer("tok-1"))
    .respond_with(ok(json!([
        {"data": "2025-10-06", "horarioLivre": [
            {"horaInicial": "09:00", "horaFinal": "09:20", "accountUnidade": 1},
            {"horaInicial": "09:20:00", "horaFinal": "09:40:00", "accountUnidade": "2"}
        ]},
        {"data": "2025-10-07", "horarioLivre": [{"horaInicial": "14:00", "horaFinal": "14:30"}]},
        {"data": "2025-10-08", "horarioLivre": []}
    ])))
    .expect(1)
    .mount(&h.server)
    .await;

    let slots =
        h.client.free_slots(NinsaudeId(12), date(2025, 10, 6), date(2025, 10, 7)).await.expect("slots");

    let slot = |d, s, e, unit| NinsaudeFreeSlot { date: d, start: s, end: e, unit };
    assert_eq!(
        slots,
        vec![
            slot(date(2025, 10, 6), time(9, 0, 0, 0), time(9, 20, 0, 0), 1),
            slot(date(2025, 10, 6), time(9, 20, 0, 0), time(9, 40, 0, 0), 2),
            // No unit on the wire: the configured unit.
            slot(date(2025, 10, 7), time(14, 0, 0, 0), time(14, 30, 0, 0), 1),
        ]
    );
}

#[tokio::test]
async fn a_malformed_slot_time_is_an_invalid_response() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/atendimento_agenda/listar/horario/disponivel/profissional/12/dataInicial/2025-10-06/dataFinal/2025-10-06")
        .respond_with(ok(json!([{"data": "2025-10-06", "horarioLivre": [{"horaInicial": "9h", "horaFinal": "9h20"}]}])))
        .mount(&h.server)
        .await;

    let err = h
        .client
        .free_slots(NinsaudeId(12), date(2025, 10, 6), date(2025, 10, 6))
        .await
        .expect_err("bad time");
    assert!(matches!(err, NinsaudeError::InvalidResponse(_)), "{err:?}");
}

#[tokio::test]
async fn find_or_create_returns_the_patient_whose_phone_matches() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_paciente/listar")
        .and(query_param("filter", "11999998888"))
        .and(query_param("property", "id,nome,telefone1"))
        .and(bearer("tok-1"))
        // The filter is a loose search: a near miss comes back too and must be skipped.
        .respond_with(ok(json!([
            {"id": 100, "nome": "Outra Pessoa", "telefone1": "11999998887"},
            {"id": "321", "nome": "Maria Silva", "telefone1": "(11) 99999-8888"}
        ])))
        .expect(1)
        .mount(&h.server)
        .await;
    api("POST", "/cadastro_paciente").respond_with(ok(json!({"id": 1}))).expect(0).mount(&h.server).await;

    let patient = h.client.find_or_create_patient(&maria()).await.expect("patient");

    assert_eq!(patient.id, NinsaudeId(321));
    assert_eq!((patient.name.as_str(), patient.phone.as_str()), ("Maria Silva", "11999998888"));
}

#[tokio::test]
async fn find_or_create_registers_an_unknown_phone_with_the_exact_body() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("GET", "/cadastro_paciente/listar")
        .and(query_param("filter", "11999998888"))
        .respond_with(ok(json!([{"id": 100, "nome": "Outra Pessoa", "telefone1": "11999998887"}])))
        .expect(1)
        .mount(&h.server)
        .await;
    api("POST", "/cadastro_paciente")
        .and(bearer("tok-1"))
        .and(body_json(json!({
            "nome": "Maria Silva", "telefone1": "11999998888", "email": "maria@example.com",
            "dataNascimento": "1990-05-17", "ativo": 1
        })))
        .respond_with(ok(json!({"id": "456", "nome": "Maria Silva"})))
        .expect(1)
        .mount(&h.server)
        .await;

    let patient = h.client.find_or_create_patient(&maria()).await.expect("patient");

    assert_eq!(patient.id, NinsaudeId(456));
    assert_eq!(patient.phone, "11999998888");
}

#[tokio::test]
async fn create_patient_omits_absent_optional_fields() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/cadastro_paciente")
        .and(body_json(json!({"nome": "Maria Silva", "telefone1": "11999998888", "ativo": 1})))
        .respond_with(ok(json!({"id": 457})))
        .expect(1)
        .mount(&h.server)
        .await;

    let patient = NewNinsaudePatient { email: None, birth_date: None, ..maria() };
    assert_eq!(h.client.create_patient(&patient).await.expect("created").id, NinsaudeId(457));
}

#[tokio::test]
async fn create_appointment_sends_the_exact_body_and_returns_the_id() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("POST", "/atendimento_agenda")
        .and(bearer("tok-1"))
        .and(body_json(json!({
            "accountUnidade": 1, "profissional": 12, "data": "2025-10-06",
            "horaInicial": "09:00:00", "horaFinal": "09:20:00", "paciente": 123,
            "servico": 5, "especialidade": 7, "status": 0
        })))
        .respond_with(ok(json!({"id": 789, "status": 0})))
        .expect(1)
        .mount(&h.server)
        .await;

    let booking = NinsaudeBooking {
        professional_id: NinsaudeId(12),
        date: date(2025, 10, 6),
        start: time(9, 0, 0, 0),
        end: time(9, 20, 0, 0),
        patient_id: NinsaudeId(123),
        service_id: Some(NinsaudeId(5)),
        specialty_id: Some(NinsaudeId(7)),
    };
    assert_eq!(h.client.create_appointment(&booking).await.expect("booked"), NinsaudeId(789));
}

#[tokio::test]
async fn cancel_sends_delete_and_accepts_an_empty_answer() {
    let h = harness().await;
    password_grant(&h.server, "tok-1", "ref-1", 1).await;
    api("DELETE", "/atendimento_agenda/789")
        .and(bearer("tok-1"))
        .respond_with(ok(json!(true)))
        .expect(1)
        .mount(&h.server)
        .await;
    api("DELETE", "/atendimento_agenda/790")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;

    h.client.cancel_appointment(NinsaudeId(789)).await.expect("cancelled");
    h.client.cancel_appointment(NinsaudeId(790)).await.expect("cancelled with 204");
}
