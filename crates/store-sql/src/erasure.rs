//! Erasing one patient (LGPD art. 18, HIPAA's right to amend aside: a clinic's duty to stop
//! holding what it no longer may). The rows that record facts stay — an appointment's
//! time and status, a message's direction and delivery status, a call's duration and
//! outcome, consents and the audit trail — and lose every value that identifies the person
//! or repeats what they said.

use frontdesk_domain::data_rights::ERASED_TEXT;
use serde_json::Value;
use std::collections::HashSet;

/// The values that identify the person, as found in free text and provider payloads.
#[derive(Debug, Clone)]
pub struct Identifiers {
    /// Full name, and the first name alone (templates greet by first name).
    pub names: Vec<String>,
    /// The phone's last ten digits: present in every spelling of the number (E.164,
    /// `whatsapp:+55…`, national, percent-encoded).
    pub phone_digits: Option<String>,
    /// All the phone's digits (country code included), scrubbed before the last ten.
    pub phone_full: Option<String>,
    pub email: Option<String>,
}

impl Identifiers {
    pub fn new(name: &str, phone: &str, email: Option<&str>) -> Self {
        let mut names = Vec::new();
        let name = name.trim();
        // Very short names would match inside unrelated words.
        if name.chars().count() >= 3 && name != frontdesk_domain::data_rights::ERASED_NAME {
            names.push(name.to_owned());
            if let Some(first) = name.split_whitespace().next()
                && first.chars().count() >= 3
                && first != name
            {
                names.push(first.to_owned());
            }
        }
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let phone_digits = (digits.len() >= 8).then(|| digits[digits.len().saturating_sub(10)..].to_owned());
        let phone_full = phone_digits.is_some().then_some(digits);
        Self { names, phone_digits, phone_full, email: email.map(str::to_owned) }
    }

    /// Whether `text` names the person (case-insensitive for names and e-mail).
    pub fn found_in(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        self.phone_digits.as_ref().is_some_and(|d| digits.contains(d.as_str()))
            || self.email.as_ref().is_some_and(|e| lower.contains(&e.to_lowercase()))
            || self.names.first().is_some_and(|n| lower.contains(&n.to_lowercase()))
    }

    /// `text` with every identifying value replaced (full name before first name).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for value in self.names.iter().chain(&self.email).chain(&self.phone_full).chain(&self.phone_digits) {
            out = replace_ignoring_case(&out, value);
        }
        out
    }
}

fn replace_ignoring_case(text: &str, needle: &str) -> String {
    if needle.is_empty() {
        return text.to_owned();
    }
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lowercasing can change byte lengths (rare outside ASCII); fall back to exact matching.
    if lower_text.len() != text.len() || lower_needle.len() != needle.len() {
        return text.replace(needle, ERASED_TEXT);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower_text.match_indices(&lower_needle) {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(ERASED_TEXT);
        rest = at + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// Every string value in a JSON document, scrubbed; keys and structure are kept.
pub fn scrub_json(value: &Value, ids: &Identifiers) -> Value {
    match value {
        Value::String(s) => Value::String(ids.scrub(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| scrub_json(v, ids)).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), scrub_json(v, ids))).collect())
        }
        other => other.clone(),
    }
}

/// Whether a JSON document mentions one of `related` (the person's record ids) or names
/// the person.
pub fn json_mentions(value: &Value, related: &HashSet<String>, ids: &Identifiers) -> bool {
    match value {
        Value::String(s) => related.contains(s) || ids.found_in(s),
        Value::Array(items) => items.iter().any(|v| json_mentions(v, related, ids)),
        Value::Object(map) => map.values().any(|v| json_mentions(v, related, ids)),
        _ => false,
    }
}

/// An imported CSV file without the lines about the person (the header stays).
pub fn without_lines_about(file: &str, ids: &Identifiers) -> Option<String> {
    let mut changed = false;
    let kept: Vec<&str> = file
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, line)| {
            let drop = *i > 0 && ids.found_in(line);
            changed |= drop;
            !drop
        })
        .map(|(_, l)| l)
        .collect();
    changed.then(|| kept.concat())
}

/// `erase_patient` for a backend named `$name`, as an inherent method the
/// `DataRightsStore` implementation calls.
#[doc(hidden)]
#[macro_export]
macro_rules! erasure_impl {
    ($store:ty, $name:literal) => {
        const _: () = {
            use $crate::deps::{frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, uuid};
            use $crate::erasure::{Identifiers, json_mentions, scrub_json, without_lines_about};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::contact::PhoneE164;
            use frontdesk_domain::data_rights::{ERASED_NAME, Erasure, ErasureCounts};
            use frontdesk_domain::{PatientId, TenantId};
            use frontdesk_store::{StoreError, StoreResult};
            use sqlx::types::Json;
            use std::collections::HashSet;
            use uuid::Uuid;

            /// The person's calls: theirs, and those placed to one of their leads before a
            /// patient was known.
            const CALLS: &str = "(SELECT id FROM calls WHERE tenant_id = $1 AND (patient_id = $2
                 OR lead_id IN (SELECT id FROM leads WHERE tenant_id = $1 AND patient_id = $2)))";

            impl $store {
                pub(crate) async fn erase_patient_now(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                    now: jiff::Timestamp,
                ) -> StoreResult<Erasure> {
                    let pg = $name == "postgres";
                    let find = <$store as $crate::SqlBackend>::FIND;
                    let (t, p) = (tenant.0, patient.0);
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let row: Option<(String, String, Option<String>)> = fetch!(
                        fetch_optional(&mut *tx),
                        "SELECT name, phone, email FROM patients WHERE tenant_id = $1 AND id = $2",
                        t,
                        p
                    )?;
                    let Some((name, phone, email)) = row else { return Err(StoreError::NotFound) };
                    let before: Option<(DbTime,)> = fetch!(
                        fetch_optional(&mut *tx),
                        "SELECT erased_at FROM patient_erasures WHERE tenant_id = $1 AND patient_id = $2",
                        t,
                        p
                    )?;
                    let ids = Identifiers::new(&name, &phone, email.as_deref());
                    let mut n = ErasureCounts::default();

                    // Ids of everything about the person, to recognise their jobs.
                    let mut related: HashSet<String> = HashSet::from([p.to_string()]);
                    for table in ["conversations", "messages", "leads", "appointments"] {
                        let sql = sqlx::AssertSqlSafe(format!(
                            "SELECT id FROM {table} WHERE tenant_id = $1 AND patient_id = $2"
                        ));
                        let rows: Vec<(Uuid,)> = fetch!(fetch_all(&mut *tx), sql, t, p)?;
                        related.extend(rows.into_iter().map(|(id,)| id.to_string()));
                    }
                    let calls: Vec<(Uuid,)> =
                        fetch!(fetch_all(&mut *tx), sqlx::AssertSqlSafe(format!("SELECT id FROM calls WHERE id IN {CALLS}")), t, p)?;
                    related.extend(calls.into_iter().map(|(id,)| id.to_string()));

                    n.messages = exec!(
                        &mut *tx,
                        "UPDATE messages SET body = NULL, media = '[]', transcript = NULL, search_text = NULL,
                                error_message = NULL
                         WHERE tenant_id = $1 AND patient_id = $2 AND (body IS NOT NULL OR transcript IS NOT NULL
                           OR search_text IS NOT NULL OR error_message IS NOT NULL OR media <> '[]')",
                        t,
                        p
                    )?;
                    let sql = |s: String| sqlx::AssertSqlSafe(s);
                    n.transcript_turns = exec!(
                        &mut *tx,
                        sql(format!("DELETE FROM call_transcript_turns WHERE tenant_id = $1 AND call_id IN {CALLS}")),
                        t,
                        p
                    )?;
                    n.provider_payloads += exec!(
                        &mut *tx,
                        sql(format!(
                            "UPDATE call_payloads SET payload = '{{\"erased\":true}}'
                             WHERE tenant_id = $1 AND call_id IN {CALLS} AND payload <> '{{\"erased\":true}}'"
                        )),
                        t,
                        p
                    )?;
                    n.calls = exec!(
                        &mut *tx,
                        sql(format!(
                            "UPDATE calls SET recording_url = NULL, stereo_recording_url = NULL, summary = NULL,
                                    structured_data = 'null', outcome_reason = NULL, error = NULL
                             WHERE tenant_id = $1 AND id IN {CALLS} AND (recording_url IS NOT NULL
                               OR stereo_recording_url IS NOT NULL OR summary IS NOT NULL OR structured_data <> 'null'
                               OR outcome_reason IS NOT NULL OR error IS NOT NULL)"
                        )),
                        t,
                        p
                    )?;
                    n.leads = exec!(
                        &mut *tx,
                        "UPDATE leads SET notes = NULL, version = version + 1
                         WHERE tenant_id = $1 AND patient_id = $2 AND notes IS NOT NULL",
                        t,
                        p
                    )?;
                    let others = [
                        "UPDATE lead_events SET detail = 'null' WHERE tenant_id = $1 AND detail <> 'null'
                           AND lead_id IN (SELECT id FROM leads WHERE tenant_id = $1 AND patient_id = $2)",
                        "UPDATE appointments SET cancel_reason = NULL, version = version + 1
                         WHERE tenant_id = $1 AND patient_id = $2 AND cancel_reason IS NOT NULL",
                        "UPDATE appointment_events SET detail = NULL WHERE tenant_id = $1 AND detail IS NOT NULL
                           AND appointment_id IN (SELECT id FROM appointments WHERE tenant_id = $1 AND patient_id = $2)",
                        "UPDATE notifications SET variables = '{}' WHERE tenant_id = $1 AND patient_id = $2
                           AND variables <> '{}'",
                        "DELETE FROM dialogues WHERE tenant_id = $1 AND patient_id = $2",
                        "DELETE FROM external_ids WHERE tenant_id = $1 AND local_id = $2",
                        // Tags may say what the patient is treated for.
                        "DELETE FROM patient_tags WHERE tenant_id = $1 AND patient_id = $2",
                        // An erased patient is offered nothing more.
                        "DELETE FROM waitlist_offers WHERE tenant_id = $1 AND patient_id = $2",
                        "DELETE FROM waitlist_entries WHERE tenant_id = $1 AND patient_id = $2",
                    ];
                    for statement in others {
                        n.other_rows += exec!(&mut *tx, statement, t, p)?;
                    }

                    // Raw provider deliveries carry the number (and what was said): the
                    // dedupe key stays, the content goes.
                    let as_text = if pg { "payload::text" } else { "payload" };
                    for needle in ids.phone_digits.iter().chain(ids.email.iter()) {
                        n.provider_payloads += exec!(
                            &mut *tx,
                            sql(format!(
                                "UPDATE inbound_events SET payload = '{{\"erased\":true}}'
                                 WHERE tenant_id = $1 AND {find}({as_text}, $2) > 0"
                            )),
                            t,
                            needle
                        )?;
                    }

                    // Jobs about the person: those still waiting will not act on them any
                    // more; any name or number in their payloads goes.
                    let jobs: Vec<(Uuid, String, Json<serde_json::Value>)> =
                        fetch!(fetch_all(&mut *tx), "SELECT id, status, payload FROM jobs WHERE tenant_id = $1", t)?;
                    for (id, status, Json(payload)) in jobs {
                        if !json_mentions(&payload, &related, &ids) {
                            continue;
                        }
                        let status = if status == "queued" {
                            n.jobs_cancelled += 1;
                            "cancelled".to_owned()
                        } else {
                            status
                        };
                        exec!(
                            &mut *tx,
                            "UPDATE jobs SET status = $1, payload = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
                            status,
                            Json(scrub_json(&payload, &ids)),
                            DbTime(now),
                            t,
                            id
                        )?;
                    }

                    // Imported spreadsheets: the person's lines go, the rest of the file stays.
                    let imports: Vec<(Uuid, String, Option<String>)> =
                        fetch!(fetch_all(&mut *tx), "SELECT id, file, summary FROM lead_imports WHERE tenant_id = $1", t)?;
                    for (id, file, summary) in imports {
                        let scrubbed = summary.as_deref().map(|s| ids.scrub(s));
                        if let Some(file) = without_lines_about(&file, &ids) {
                            n.other_rows += exec!(
                                &mut *tx,
                                "UPDATE lead_imports SET file = $1, summary = $2 WHERE tenant_id = $3 AND id = $4",
                                file,
                                scrubbed,
                                t,
                                id
                            )?;
                        }
                    }

                    let placeholder = PhoneE164::erased(p);
                    n.patients = exec!(
                        &mut *tx,
                        "UPDATE patients SET name = $1, phone = $2, email = NULL, birth_date = NULL, external_id = NULL,
                                version = version + 1
                         WHERE tenant_id = $3 AND id = $4 AND (phone <> $2 OR name <> $1 OR email IS NOT NULL
                           OR birth_date IS NOT NULL OR external_id IS NOT NULL)",
                        ERASED_NAME,
                        placeholder.as_str(),
                        t,
                        p
                    )?;
                    exec!(
                        &mut *tx,
                        "INSERT INTO patient_erasures (tenant_id, patient_id, erased_at) VALUES ($1, $2, $3)
                         ON CONFLICT (tenant_id, patient_id) DO NOTHING",
                        t,
                        p,
                        DbTime(now)
                    )?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(Erasure {
                        patient_id: patient,
                        erased_at: before.map_or(now, |(at,)| at.0),
                        first_time: before.is_none(),
                        counts: n,
                    })
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maria() -> Identifiers {
        Identifiers::new("Maria Aparecida Souza", "+5511987654321", Some("maria@example.com"))
    }

    #[test]
    fn every_spelling_of_the_phone_is_found() {
        let ids = maria();
        assert!(ids.found_in("From=whatsapp%3A%2B5511987654321"));
        assert!(ids.found_in("(11) 98765-4321"));
        assert!(!ids.found_in("(11) 98765-0000"));
        assert!(ids.found_in("MARIA APARECIDA SOUZA"));
        assert!(ids.found_in("write to Maria@Example.com"));
    }

    #[test]
    fn scrubbing_replaces_names_phone_and_email_and_keeps_structure() {
        let ids = maria();
        let doc = serde_json::json!({"name": "Maria Aparecida Souza", "params": {"1": "Maria"},
            "to": "whatsapp:+5511987654321", "n": 3});
        let out = scrub_json(&doc, &ids);
        assert_eq!(out["name"], "[erased]");
        assert_eq!(out["params"]["1"], "[erased]");
        assert_eq!(out["to"], "whatsapp:+[erased]");
        assert_eq!(out["n"], 3);
    }

    #[test]
    fn import_files_lose_only_the_persons_lines() {
        let file = "name,phone\nMaria Aparecida Souza,(11) 98765-4321\nJoão,11912345678\n";
        let out = without_lines_about(file, &maria()).unwrap();
        assert_eq!(out, "name,phone\nJoão,11912345678\n");
        assert_eq!(without_lines_about("name,phone\nJoão,1\n", &maria()), None);
    }

    #[test]
    fn an_erased_name_identifies_nobody() {
        let ids = Identifiers::new("[erased]", "erased:abc", None);
        assert!(ids.names.is_empty() && ids.phone_digits.is_none());
        assert!(!ids.found_in("anything 12345678"));
    }
}
