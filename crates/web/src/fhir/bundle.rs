//! Search results (`Bundle` of type `searchset`) and the server's `CapabilityStatement`.

use super::resources::Links;
use super::search::{AppointmentSearch, SlotSearch};
use jiff::Timestamp;
use serde_json::{Value, json};

/// One match of a search, with its `fullUrl`.
pub struct Entry {
    pub full_url: String,
    pub resource: Value,
}

impl Entry {
    /// A resource that can be read back at `{base}/{type}/{id}`.
    pub fn readable(links: &Links, resource: Value) -> Self {
        let kind = resource["resourceType"].as_str().unwrap_or_default();
        let id = resource["id"].as_str().unwrap_or_default();
        Self { full_url: links.full_url(kind, id), resource }
    }

    /// A computed resource (a free Slot) with no URL of its own: FHIR's way to name it is
    /// a `urn:uuid:` matching its id.
    pub fn computed(resource: Value) -> Self {
        let id = resource["id"].as_str().unwrap_or_default();
        Self { full_url: format!("urn:uuid:{id}"), resource }
    }
}

/// A complete (unpaged) searchset: `total` is the number of matches, all included.
/// `self_query` is the request's query string, echoed in the `self` link.
pub fn searchset(
    links: &Links,
    resource_type: &str,
    self_query: Option<&str>,
    now: Timestamp,
    entries: Vec<Entry>,
) -> Value {
    let mut url = format!("{}/{resource_type}", links.base);
    if let Some(q) = self_query.filter(|q| !q.is_empty()) {
        url = format!("{url}?{q}");
    }
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": now.to_string(),
        "total": entries.len(),
        "link": [{ "relation": "self", "url": url }],
        "entry": entries
            .into_iter()
            .map(|e| json!({ "fullUrl": e.full_url, "resource": e.resource, "search": { "mode": "match" } }))
            .collect::<Vec<_>>(),
    })
}

/// What this server can do, for clients that start at `GET /metadata`.
pub fn capability_statement(links: &Links, now: Timestamp) -> Value {
    let read = |kind: &str| json!({ "type": kind, "interaction": [{ "code": "read" }] });
    let params = |names: &[&str], kinds: &[&str]| {
        names.iter().zip(kinds).map(|(name, kind)| json!({ "name": name, "type": kind })).collect::<Vec<_>>()
    };
    let mut appointment = read("Appointment");
    appointment["interaction"] = json!([{ "code": "read" }, { "code": "search-type" }]);
    appointment["searchParam"] =
        json!(params(AppointmentSearch::PARAMS, &["date", "reference", "reference", "token"]));
    let slot = json!({
        "type": "Slot",
        "interaction": [{ "code": "search-type" }],
        "searchParam": params(SlotSearch::PARAMS, &["reference", "date", "token", "token"]),
    });
    let schedule = json!({
        "type": "Schedule",
        "interaction": [{ "code": "read" }, { "code": "search-type" }],
        "searchParam": params(&["actor"], &["reference"]),
    });
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": now.to_string(),
        "kind": "instance",
        "software": { "name": "Frontdesk", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "Frontdesk clinic scheduling (read-only)", "url": links.base },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": { "description": "Send the clinic's API key in X-API-KEY or Authorization: Bearer." },
            "resource": [appointment, slot, schedule, read("Patient"), read("Practitioner"), read("Location")],
        }],
    })
}
