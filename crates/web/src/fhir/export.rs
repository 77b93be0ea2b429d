//! One person's record as a FHIR R4 `Bundle` of type `collection`: their Patient, every
//! Appointment, and a Communication per message and per call (with what was said, as the
//! clinic holds it). The mappings are the FHIR API's own.

use super::handlers::Catalog;
use super::resources::{self, Links, concept, reference};
use frontdesk_domain::messaging::{Direction, Message, MessageStatus};
use frontdesk_domain::voice::CallDirection;
use frontdesk_engine::data_rights::export::{CallRecord, PatientRecord};
use serde_json::{Value, json};

/// The whole record as a Bundle.
pub fn patient_bundle(links: &Links, catalog: &Catalog, record: &PatientRecord) -> Value {
    let mut entries = vec![patient(links, record)];
    for a in &record.appointments {
        entries.push(resources::appointment(links, &a.appointment, catalog.refs(&a.appointment)));
    }
    for c in &record.conversations {
        entries.extend(c.messages.iter().map(message));
    }
    entries.extend(record.calls.iter().map(call));
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|resource| {
            let kind = resource["resourceType"].as_str().unwrap_or_default().to_owned();
            let id = resource["id"].as_str().unwrap_or_default().to_owned();
            json!({ "fullUrl": links.full_url(&kind, &id), "resource": resource })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "id": uuid::Uuid::now_v7().to_string(),
        "type": "collection",
        "timestamp": record.exported_at.to_string(),
        "total": entry.len(),
        "entry": entry,
    })
}

fn patient(links: &Links, record: &PatientRecord) -> Value {
    let mut r = resources::patient(links, &record.patient);
    if record.patient.phone.is_erased() {
        // What is left of an erased person: the record that they existed, nothing more.
        r["active"] = json!(false);
        r["telecom"] = json!([]);
        r["name"] = json!([{ "text": record.patient.name.as_str() }]);
    }
    r
}

fn patient_ref(m: &Message) -> Value {
    reference("Patient", &m.patient_id.to_string(), None)
}

fn message(m: &Message) -> Value {
    let status = match m.status {
        MessageStatus::Failed | MessageStatus::Undelivered => "not-done",
        MessageStatus::Queued | MessageStatus::Sending => "in-progress",
        _ => "completed",
    };
    let mut r = json!({
        "resourceType": "Communication",
        "id": m.id.to_string(),
        "status": status,
        "category": [concept("message")],
        "medium": [concept(m.channel.as_str())],
        "subject": patient_ref(m),
    });
    match m.direction {
        Direction::Inbound => {
            r["sender"] = patient_ref(m);
            r["received"] = json!(m.created_at.to_string());
        }
        Direction::Outbound => {
            r["recipient"] = json!([patient_ref(m)]);
            r["sent"] = json!(m.created_at.to_string());
        }
    }
    let mut payload: Vec<Value> = Vec::new();
    if let Some(body) = &m.body {
        payload.push(json!({ "contentString": body.as_str() }));
    }
    if let Some(t) = &m.transcript {
        payload.push(json!({ "contentString": t.as_str() }));
    }
    for media in &m.media {
        payload.push(json!({ "contentAttachment": { "contentType": media.content_type, "url": media.url } }));
    }
    if !payload.is_empty() {
        r["payload"] = json!(payload);
    }
    r
}

fn call(c: &CallRecord) -> Value {
    let call = &c.call;
    let subject = call.patient_id.map(|p| reference("Patient", &p.to_string(), None));
    let mut r = json!({
        "resourceType": "Communication",
        "id": call.id.to_string(),
        "status": if call.ended_at.is_some() { "completed" } else { "in-progress" },
        "category": [concept("call")],
        "medium": [concept("phone")],
    });
    if let Some(s) = &subject {
        r["subject"] = s.clone();
        match call.direction {
            CallDirection::Inbound => r["sender"] = s.clone(),
            CallDirection::Outbound => r["recipient"] = json!([s]),
        }
    }
    if let Some(at) = call.started_at.or(call.ended_at) {
        r["sent"] = json!(at.to_string());
    }
    let mut payload: Vec<Value> = c
        .transcript
        .iter()
        .map(|t| json!({ "contentString": format!("{}: {}", t.role, t.text.as_str()) }))
        .collect();
    if let Some(s) = &call.summary {
        payload.push(json!({ "contentString": s.as_str() }));
    }
    for url in call.recording_url.iter().chain(&call.stereo_recording_url) {
        payload.push(json!({ "contentAttachment": { "url": url } }));
    }
    if !payload.is_empty() {
        r["payload"] = json!(payload);
    }
    r
}

/// The Bundle for `record`, with the tenant's catalog for practitioner and service names.
pub async fn bundle_for(state: &crate::AppState, record: &PatientRecord) -> Result<Value, super::FhirError> {
    let catalog = Catalog::load(state, record.patient.tenant_id).await?;
    Ok(patient_bundle(&super::handlers::links(state), &catalog, record))
}
