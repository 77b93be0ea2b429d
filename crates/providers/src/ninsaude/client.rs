//! The HTTP client behind [`NinsaudeApi`].

use async_trait::async_trait;
use frontdesk_domain::{Clock, SystemClock};
use jiff::civil::Date;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

use super::NinsaudeApi;
use super::auth::TokenCache;
use super::config::NinsaudeConfig;
use super::error::NinsaudeError;
use super::types::{
    NewNinsaudePatient, NinsaudeBooking, NinsaudeFreeSlot, NinsaudeId, NinsaudePatient, NinsaudeProfessional,
    phone_digits, same_phone,
};
use super::wire::{self, AppointmentBody, Created, FreeDay, NewPatientBody, PatientRow, ProfessionalRow};

/// Talks to one Ninsaúde account. Cheap to share behind an `Arc`; the token cache inside
/// makes every clone of that `Arc` reuse one login.
pub struct NinsaudeClient {
    http: reqwest::Client,
    base: String,
    account_unit: u32,
    tokens: TokenCache,
}

/// One API call, kept as data so it can be sent a second time after a token renewal
/// (a `reqwest::RequestBuilder` cannot be reused).
struct Call {
    /// Names the operation in errors and logs; never carries request data.
    op: &'static str,
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

impl Call {
    fn new(op: &'static str, method: Method, path: String) -> Self {
        Self { op, method, path, query: Vec::new(), body: None }
    }

    fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

impl NinsaudeClient {
    /// A client on the wall clock.
    pub fn new(config: NinsaudeConfig) -> Result<Self, NinsaudeError> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A client whose token expiry follows `clock`, so tests can expire tokens without
    /// sleeping.
    pub fn with_clock(config: NinsaudeConfig, clock: Arc<dyn Clock>) -> Result<Self, NinsaudeError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        // Fail at start-up on a typo rather than on the first patient's booking.
        crate::egress::check_url(&base, config.allow_private_network).map_err(|_| {
            NinsaudeError::InvalidRequest("base_url must be a valid https URL of a public host")
        })?;
        let http = crate::egress::client(config.allow_private_network)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|_| NinsaudeError::InvalidRequest("the HTTP client could not be built"))?;
        let tokens = TokenCache::new(http.clone(), &base, &config, clock);
        Ok(Self { http, base, account_unit: config.account_unit, tokens })
    }

    /// Sends `call` with a cached token; on a 401 renews the token once and resends once.
    /// Returns the envelope's `result` (`Null` when absent or when the body is empty).
    async fn send(&self, call: &Call) -> Result<Value, NinsaudeError> {
        let token = self.tokens.bearer().await?;
        let mut response = self.execute(call, &token).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            tracing::info!(op = call.op, "ninsaude refused the access token; renewing once");
            let token = self.tokens.renew_after_unauthorized(&token).await?;
            response = self.execute(call, &token).await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                tracing::warn!(op = call.op, "ninsaude refused a freshly issued access token");
                return Err(NinsaudeError::Auth { status: 401 });
            }
        }
        read_result(call.op, response).await
    }

    async fn execute(&self, call: &Call, token: &SecretString) -> Result<reqwest::Response, NinsaudeError> {
        let url = format!("{}{}", self.base, call.path);
        let mut auth = HeaderValue::from_str(&format!("bearer {}", token.expose_secret()))
            .map_err(|_| NinsaudeError::InvalidResponse("access token is not a valid header value".into()))?;
        // Keeps the token out of reqwest's and hyper's debug output.
        auth.set_sensitive(true);
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(AUTHORIZATION, auth)
            .header("accept", "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        request.send().await.map_err(NinsaudeError::unreachable)
    }

    /// The `result` as `T`, with `null` or a missing result read as `T::default()`.
    async fn fetch<T: DeserializeOwned + Default>(&self, call: Call) -> Result<T, NinsaudeError> {
        match self.send(&call).await? {
            Value::Null => Ok(T::default()),
            result => decode(call.op, result),
        }
    }

    /// The id of the record a create call made.
    async fn create(&self, call: Call) -> Result<NinsaudeId, NinsaudeError> {
        let result = self.send(&call).await?;
        decode::<Created>(call.op, result).map(|created| created.id)
    }
}

impl fmt::Debug for NinsaudeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NinsaudeClient")
            .field("base", &self.base)
            .field("account_unit", &self.account_unit)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl NinsaudeApi for NinsaudeClient {
    async fn list_professionals(&self) -> Result<Vec<NinsaudeProfessional>, NinsaudeError> {
        let call = Call::new("list_professionals", Method::GET, "/cadastro_profissional/listar".into())
            .query("limit", 50);
        let rows: Vec<ProfessionalRow> = self.fetch(call).await?;
        Ok(rows
            .into_iter()
            .map(|row| NinsaudeProfessional {
                id: row.id,
                name: row.nome.unwrap_or_default(),
                // Rows without the flag are listed, so treat them as bookable.
                active: row.ativo.unwrap_or(true),
            })
            .collect())
    }

    async fn free_slots(
        &self,
        professional_id: NinsaudeId,
        from: Date,
        to: Date,
    ) -> Result<Vec<NinsaudeFreeSlot>, NinsaudeError> {
        if to < from {
            return Err(NinsaudeError::InvalidRequest("free-slot range ends before it starts"));
        }
        let path = format!(
            "/atendimento_agenda/listar/horario/disponivel/profissional/{professional_id}/dataInicial/{from}/dataFinal/{to}"
        );
        let call = Call::new("free_slots", Method::GET, path).query("accountUnidade", self.account_unit);
        let days: Vec<FreeDay> = self.fetch(call).await?;
        let mut slots = Vec::new();
        for day in days {
            for interval in day.horario_livre.unwrap_or_default() {
                if interval.hora_final <= interval.hora_inicial {
                    return Err(NinsaudeError::InvalidResponse(
                        "free_slots: a slot ends before it starts".into(),
                    ));
                }
                slots.push(NinsaudeFreeSlot {
                    date: day.data,
                    start: interval.hora_inicial,
                    end: interval.hora_final,
                    unit: interval.account_unidade.unwrap_or(self.account_unit),
                });
            }
        }
        Ok(slots)
    }

    async fn find_patient_by_phone(&self, phone: &str) -> Result<Option<NinsaudePatient>, NinsaudeError> {
        let digits = phone_digits(phone);
        if digits.is_empty() {
            // An empty filter would list every patient and "find" a stranger.
            return Err(NinsaudeError::InvalidRequest("the phone number has no digits"));
        }
        let call = Call::new("find_patient_by_phone", Method::GET, "/cadastro_paciente/listar".into())
            .query("filter", &digits)
            .query("property", "id,nome,telefone1");
        let rows: Vec<PatientRow> = self.fetch(call).await?;
        let returned = rows.len();
        let found = rows
            .into_iter()
            .filter_map(|row| {
                let stored = phone_digits(row.telefone1.as_deref()?);
                same_phone(&stored, &digits).then(|| NinsaudePatient {
                    id: row.id,
                    name: row.nome.unwrap_or_default(),
                    phone: stored,
                })
            })
            // Duplicate registrations happen; the oldest record is the one staff use.
            .min_by_key(|patient| patient.id);
        tracing::debug!(returned, matched = found.is_some(), "ninsaude patient lookup");
        Ok(found)
    }

    async fn create_patient(&self, patient: &NewNinsaudePatient) -> Result<NinsaudePatient, NinsaudeError> {
        let digits = phone_digits(&patient.phone);
        let name = patient.name.trim();
        if digits.is_empty() {
            return Err(NinsaudeError::InvalidRequest("the phone number has no digits"));
        }
        if name.is_empty() {
            return Err(NinsaudeError::InvalidRequest("the patient's name is empty"));
        }
        let body = NewPatientBody {
            nome: name,
            telefone1: &digits,
            email: patient.email.as_deref().map(str::trim).filter(|e| !e.is_empty()),
            data_nascimento: patient.birth_date.map(|d| d.to_string()),
            ativo: 1,
        };
        let call =
            Call::new("create_patient", Method::POST, "/cadastro_paciente".into()).json(to_json(&body)?);
        let id = self.create(call).await?;
        Ok(NinsaudePatient { id, name: name.to_owned(), phone: digits })
    }

    async fn create_appointment(&self, booking: &NinsaudeBooking) -> Result<NinsaudeId, NinsaudeError> {
        if booking.end <= booking.start {
            return Err(NinsaudeError::InvalidRequest("the appointment ends before it starts"));
        }
        let body = AppointmentBody {
            account_unidade: self.account_unit,
            profissional: booking.professional_id.0,
            data: booking.date.to_string(),
            hora_inicial: wire::hms(booking.start),
            hora_final: wire::hms(booking.end),
            paciente: booking.patient_id.0,
            servico: booking.service_id.map(|id| id.0),
            especialidade: booking.specialty_id.map(|id| id.0),
            status: 0,
        };
        let call =
            Call::new("create_appointment", Method::POST, "/atendimento_agenda".into()).json(to_json(&body)?);
        self.create(call).await
    }

    async fn cancel_appointment(&self, appointment_id: NinsaudeId) -> Result<(), NinsaudeError> {
        let call =
            Call::new("cancel_appointment", Method::DELETE, format!("/atendimento_agenda/{appointment_id}"));
        self.send(&call).await.map(drop)
    }
}

/// Classifies the response and unwraps `{"result": ..., "error": [...]}`.
async fn read_result(op: &'static str, response: reqwest::Response) -> Result<Value, NinsaudeError> {
    let status = response.status();
    let body = response.bytes().await.map_err(NinsaudeError::unreachable)?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let errors = json.as_ref().map_or(0, |j| wire::error_entries(j.get("error")));
    let code = status.as_u16();
    if status.is_server_error() {
        tracing::warn!(op, status = code, "ninsaude failed");
        return Err(NinsaudeError::Upstream { status: code });
    }
    if status.is_client_error() {
        tracing::warn!(op, status = code, errors, "ninsaude rejected a request");
        return Err(rejected(op, code, errors));
    }
    if !status.is_success() {
        return Err(NinsaudeError::InvalidResponse(format!("{op}: unexpected HTTP {code}")));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let Some(json) = json else {
        return Err(NinsaudeError::InvalidResponse(format!("{op}: body is not JSON")));
    };
    if errors > 0 {
        tracing::warn!(op, status = code, errors, "ninsaude answered with errors");
        return Err(rejected(op, code, errors));
    }
    match json {
        // The envelope, as documented.
        Value::Object(mut map) if map.contains_key("result") || map.contains_key("error") => {
            Ok(map.remove("result").unwrap_or(Value::Null))
        }
        // A bare payload: accept it rather than fail on a harmless variation.
        other => Ok(other),
    }
}

/// Upstream error text may quote the patient's data, so only a count goes into the message.
fn rejected(op: &'static str, status: u16, errors: usize) -> NinsaudeError {
    let message = match errors {
        0 => format!("{op} was refused"),
        1 => format!("{op} was refused with 1 error entry"),
        n => format!("{op} was refused with {n} error entries"),
    };
    NinsaudeError::Rejected { status, message }
}

fn decode<T: DeserializeOwned>(op: &'static str, result: Value) -> Result<T, NinsaudeError> {
    // serde's message can quote the offending value (a name, a phone), so it is dropped.
    serde_json::from_value(result)
        .map_err(|_| NinsaudeError::InvalidResponse(format!("{op}: result does not have the expected shape")))
}

fn to_json(body: &impl serde::Serialize) -> Result<Value, NinsaudeError> {
    serde_json::to_value(body)
        .map_err(|_| NinsaudeError::InvalidRequest("the request body could not be encoded"))
}
