//! Ninsaúde's JSON, field for field (`PROVIDERS.md` section 4). Only the client sees these.
//!
//! The protocol is known from third-party clients only, so parsing is lenient where those
//! clients disagree: ids and units arrive as numbers or numeric strings, flags as `1`, `"1"`
//! or `true`, times as `HH:MM` or `HH:MM:SS`. Custom parse errors never quote the value,
//! because the value may be a patient's phone or name.

use jiff::civil::{Date, Time};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::types::NinsaudeId;

/// `POST /oauth2/token` answer. Some deployments wrap it in `result`, so the client looks
/// at the top level first and then inside `result` (see [`TokenResponse::from_body`]).
#[derive(Debug, Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    pub fn from_body(body: &Value) -> Option<Self> {
        let direct = Self::deserialize(body).ok().filter(|t| t.access_token.is_some());
        direct.or_else(|| Self::deserialize(body.get("result")?).ok().filter(|t| t.access_token.is_some()))
    }
}

/// A row of `GET /cadastro_profissional/listar`.
#[derive(Debug, Deserialize)]
pub(crate) struct ProfessionalRow {
    #[serde(deserialize_with = "id")]
    pub id: NinsaudeId,
    #[serde(default, deserialize_with = "opt_text")]
    pub nome: Option<String>,
    #[serde(default, deserialize_with = "opt_flag")]
    pub ativo: Option<bool>,
}

/// A day of `GET /atendimento_agenda/listar/horario/disponivel/...`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FreeDay {
    #[serde(deserialize_with = "date")]
    pub data: Date,
    #[serde(default)]
    pub horario_livre: Option<Vec<FreeInterval>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FreeInterval {
    #[serde(deserialize_with = "time")]
    pub hora_inicial: Time,
    #[serde(deserialize_with = "time")]
    pub hora_final: Time,
    #[serde(default, deserialize_with = "opt_u32")]
    pub account_unidade: Option<u32>,
}

/// A row of `GET /cadastro_paciente/listar?property=id,nome,telefone1`.
#[derive(Debug, Deserialize)]
pub(crate) struct PatientRow {
    #[serde(deserialize_with = "id")]
    pub id: NinsaudeId,
    #[serde(default, deserialize_with = "opt_text")]
    pub nome: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub telefone1: Option<String>,
}

/// The `result` of a create call: the new record, of which only the id matters.
#[derive(Debug, Deserialize)]
pub(crate) struct Created {
    #[serde(deserialize_with = "id")]
    pub id: NinsaudeId,
}

/// `POST /cadastro_paciente`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewPatientBody<'a> {
    pub nome: &'a str,
    pub telefone1: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_nascimento: Option<String>,
    pub ativo: u8,
}

/// `POST /atendimento_agenda`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppointmentBody {
    pub account_unidade: u32,
    pub profissional: u64,
    pub data: String,
    pub hora_inicial: String,
    pub hora_final: String,
    pub paciente: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servico: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub especialidade: Option<u64>,
    /// Clients seen in the wild send 0 for a newly scheduled appointment.
    pub status: u8,
}

/// How many entries an `error` member holds: clients have seen an array, and a bare
/// message or object is treated as one entry rather than ignored.
pub(crate) fn error_entries(error: Option<&Value>) -> usize {
    match error {
        None | Some(Value::Null) | Some(Value::Bool(false)) => 0,
        Some(Value::Array(entries)) => entries.len(),
        Some(Value::String(text)) => usize::from(!text.trim().is_empty()),
        Some(Value::Object(map)) => usize::from(!map.is_empty()),
        Some(_) => 1,
    }
}

/// `HH:MM:SS`, the form the booking endpoint expects.
pub(crate) fn hms(time: Time) -> String {
    format!("{:02}:{:02}:{:02}", time.hour(), time.minute(), time.second())
}

pub(crate) fn parse_time(raw: &str) -> Option<Time> {
    let raw = raw.trim();
    // `HH:MM` is what the availability endpoint sends; jiff wants seconds for certainty.
    let full = if raw.len() == 5 { format!("{raw}:00") } else { raw.to_owned() };
    full.parse().ok()
}

fn number_or_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<NinsaudeId, D::Error> {
    let value = Value::deserialize(d)?;
    number_or_text(&value)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| D::Error::custom("an id is not a non-negative integer"))
}

fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        value => number_or_text(&value)
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom("a number field is not a non-negative integer")),
    }
}

fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    opt_u64(d)?
        .map(|n| u32::try_from(n).map_err(|_| D::Error::custom("a unit number is too large")))
        .transpose()
}

fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(number_or_text(&Value::deserialize(d)?).filter(|s| !s.is_empty()))
}

fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::Number(n) => Ok(Some(n.as_f64() != Some(0.0))),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "s" | "sim" => Ok(Some(true)),
            "0" | "false" | "n" | "nao" | "não" => Ok(Some(false)),
            _ => Err(D::Error::custom("a flag is neither 0/1 nor true/false")),
        },
        _ => Err(D::Error::custom("a flag is neither 0/1 nor true/false")),
    }
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let raw = String::deserialize(d)?;
    // Some rows carry a full timestamp; the date part is what matters.
    raw.trim()
        .get(..10)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| D::Error::custom("a date is not YYYY-MM-DD"))
}

fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
    parse_time(&String::deserialize(d)?).ok_or_else(|| D::Error::custom("a time is not HH:MM[:SS]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_accept_numbers_and_numeric_strings_only() {
        let row: Created = serde_json::from_value(json!({"id": 12})).unwrap();
        assert_eq!(row.id, NinsaudeId(12));
        let row: Created = serde_json::from_value(json!({"id": " 34 "})).unwrap();
        assert_eq!(row.id, NinsaudeId(34));
        assert!(serde_json::from_value::<Created>(json!({"id": "abc"})).is_err());
        assert!(serde_json::from_value::<Created>(json!({"id": -1})).is_err());
        assert!(serde_json::from_value::<Created>(json!({"id": null})).is_err());
    }

    #[test]
    fn parse_errors_do_not_quote_the_value() {
        let err = serde_json::from_value::<Created>(json!({"id": "Maria 11999998888"})).unwrap_err();
        let shown = err.to_string();
        assert!(!shown.contains("Maria") && !shown.contains("1199"), "{shown}");
    }

    #[test]
    fn flags_and_units_are_lenient() {
        let row: ProfessionalRow =
            serde_json::from_value(json!({"id": "3", "nome": "Dra. Ana", "ativo": "0"})).unwrap();
        assert_eq!(row.ativo, Some(false));
        let row: ProfessionalRow = serde_json::from_value(json!({"id": 3, "ativo": 1})).unwrap();
        assert_eq!((row.ativo, row.nome), (Some(true), None));
        let slot: FreeInterval = serde_json::from_value(
            json!({"horaInicial": "09:00", "horaFinal": "09:20:00", "accountUnidade": "2"}),
        )
        .unwrap();
        assert_eq!(slot.account_unidade, Some(2));
        assert_eq!(slot.hora_inicial, jiff::civil::time(9, 0, 0, 0));
        assert_eq!(slot.hora_final, jiff::civil::time(9, 20, 0, 0));
    }

    #[test]
    fn bad_times_are_rejected() {
        assert_eq!(parse_time("9h"), None);
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time(" 07:05 "), Some(jiff::civil::time(7, 5, 0, 0)));
        assert_eq!(hms(jiff::civil::time(7, 5, 0, 0)), "07:05:00");
    }

    #[test]
    fn error_member_counts() {
        assert_eq!(error_entries(None), 0);
        assert_eq!(error_entries(Some(&json!([]))), 0);
        assert_eq!(error_entries(Some(&json!(["x", "y"]))), 2);
        assert_eq!(error_entries(Some(&json!("boom"))), 1);
        assert_eq!(error_entries(Some(&json!({}))), 0);
    }

    #[test]
    fn token_may_be_wrapped_in_result() {
        let direct = TokenResponse::from_body(&json!({"access_token": "a", "expires_in": "900"})).unwrap();
        assert_eq!((direct.access_token.as_deref(), direct.expires_in), (Some("a"), Some(900)));
        let wrapped = TokenResponse::from_body(&json!({"result": {"access_token": "b"}})).unwrap();
        assert_eq!(wrapped.access_token.as_deref(), Some("b"));
        assert!(TokenResponse::from_body(&json!({"error": ["bad"]})).is_none());
    }
}
