//! Provider-neutral shapes of what VAPI is asked to do and what its server URL receives.
//! The JSON key names stay in `client`, `messages` and `responses`; callers only see these.
//!
//! Everything here that holds a phone number, a name, tool arguments or call text masks it
//! in `Debug`, because `{:?}` is how such values usually reach a log line.

use jiff::Timestamp;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// An outbound call to place (`PROVIDERS.md` section 2.1).
#[derive(Clone, PartialEq)]
pub struct CreateCall {
    /// The saved assistant that runs the call.
    pub assistant_id: String,
    /// The clinic's VAPI phone number the call comes from.
    pub phone_number_id: String,
    /// The patient's number in E.164.
    pub customer_number: String,
    pub customer_name: Option<String>,
    /// Our patient id, so VAPI's dashboard and payloads link back to the patient.
    pub external_id: Option<String>,
    /// `{{name}}` values for the assistant's prompts (patient first name, clinic...).
    pub variable_values: BTreeMap<String, String>,
    /// Stored on the call by VAPI (as `assistantOverrides.metadata`, the only metadata the
    /// create-call body takes) and echoed back in server messages: our call id goes here.
    pub metadata: Map<String, Value>,
    /// A label for VAPI's dashboard ("confirm-appt-123"); not shown to the patient.
    pub name: Option<String>,
}

impl fmt::Debug for CreateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateCall")
            .field("assistant_id", &self.assistant_id)
            .field("phone_number_id", &self.phone_number_id)
            .field("customer_number", &"[redacted]")
            .field("customer_name", &self.customer_name.as_ref().map(|_| "[redacted]"))
            .field("external_id", &self.external_id)
            // Values hold the patient's name; the keys say what was personalised.
            .field("variable_values", &self.variable_values.keys().collect::<Vec<_>>())
            .field("metadata_keys", &self.metadata.keys().collect::<Vec<_>>())
            .field("name", &self.name)
            .finish()
    }
}

/// What VAPI answered to a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedCall {
    /// VAPI's call id: the key that later server messages carry as `call.id`.
    pub id: String,
    /// `queued`, `ringing`... as VAPI wrote it, when it did.
    pub status: Option<String>,
}

/// One message VAPI posted to the server URL (`PROVIDERS.md` section 2.2).
#[derive(Clone, PartialEq)]
pub enum ServerMessage {
    /// The assistant wants tools run; every call needs a result ([`super::tool_results_response`]).
    ToolCalls {
        call_id: String,
        customer_number: Option<String>,
        calls: Vec<ToolCall>,
    },
    /// A call status transition. `ended_reason` is set when `status` is `ended`.
    StatusUpdate {
        call_id: String,
        status: String,
        ended_reason: Option<String>,
    },
    EndOfCallReport(Box<EndOfCallReport>),
    /// An inbound call to a number without an assistant; answer within 7.5 s
    /// ([`super::assistant_response`]).
    AssistantRequest {
        call_id: String,
        customer_number: Option<String>,
    },
    /// The assistant asks where to transfer the caller (they want a person); answer with
    /// [`super::transfer_response`] or an `{"error"}` the caller hears.
    TransferDestinationRequest {
        call_id: String,
        customer_number: Option<String>,
    },
    /// The assistant stalled (slow model, voice or tool). Nothing to answer.
    Hang {
        call_id: String,
    },
    /// Any other type (`conversation-update`, `speech-update`...): record and acknowledge.
    Unknown {
        message_type: String,
    },
}

impl fmt::Debug for ServerMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ToolCalls { call_id, customer_number, calls } => f
                .debug_struct("ToolCalls")
                .field("call_id", call_id)
                .field("customer_number", &customer_number.as_ref().map(|_| "[redacted]"))
                .field("calls", calls)
                .finish(),
            Self::StatusUpdate { call_id, status, ended_reason } => f
                .debug_struct("StatusUpdate")
                .field("call_id", call_id)
                .field("status", status)
                .field("ended_reason", ended_reason)
                .finish(),
            Self::EndOfCallReport(report) => report.fmt(f),
            Self::AssistantRequest { call_id, customer_number } => f
                .debug_struct("AssistantRequest")
                .field("call_id", call_id)
                .field("customer_number", &customer_number.as_ref().map(|_| "[redacted]"))
                .finish(),
            Self::TransferDestinationRequest { call_id, customer_number } => f
                .debug_struct("TransferDestinationRequest")
                .field("call_id", call_id)
                .field("customer_number", &customer_number.as_ref().map(|_| "[redacted]"))
                .finish(),
            Self::Hang { call_id } => f.debug_struct("Hang").field("call_id", call_id).finish(),
            Self::Unknown { message_type } => {
                f.debug_struct("Unknown").field("message_type", message_type).finish()
            }
        }
    }
}

/// One tool the assistant asked for during a call.
#[derive(Clone, PartialEq)]
pub struct ToolCall {
    /// `toolCallId` of the answer; also the idempotency key of what the tool does.
    pub id: String,
    /// The function name (`book_appointment`...); empty when VAPI sent none.
    pub name: String,
    /// The arguments as JSON: an object normally, `{}` when absent, and the raw string when
    /// VAPI sent a string that is not JSON (so the tool can answer with an error).
    pub arguments: Value,
}

impl fmt::Debug for ToolCall {
    // Arguments carry what the patient said: names, phones, birth dates.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&String> = self.arguments.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        f.debug_struct("ToolCall")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("argument_keys", &keys)
            .finish()
    }
}

/// The report VAPI sends once a call is over.
#[derive(Clone, PartialEq)]
pub struct EndOfCallReport {
    pub call_id: String,
    /// One of VAPI's several hundred reasons, kept as an open string.
    pub ended_reason: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// `durationSeconds` when sent, else computed from the start and end.
    pub duration_seconds: Option<f64>,
    /// Total cost in USD.
    pub cost: Option<f64>,
    /// `call.costBreakdown` as sent (transport, stt, llm, tts, vapi, total, tokens...);
    /// `Null` when absent.
    pub cost_breakdown: Value,
    pub summary: Option<String>,
    pub transcript: Option<String>,
    pub messages: Vec<TranscriptMessage>,
    pub recording_url: Option<String>,
    pub stereo_recording_url: Option<String>,
    /// `analysis.structuredData` as sent; `Null` when absent.
    pub structured_data: Value,
    pub customer_number: Option<String>,
}

impl fmt::Debug for EndOfCallReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |o: &Option<String>| o.as_ref().map(|_| "[redacted]");
        f.debug_struct("EndOfCallReport")
            .field("call_id", &self.call_id)
            .field("ended_reason", &self.ended_reason)
            .field("started_at", &self.started_at)
            .field("ended_at", &self.ended_at)
            .field("duration_seconds", &self.duration_seconds)
            .field("cost", &self.cost)
            .field("summary", &redacted(&self.summary))
            .field("transcript", &redacted(&self.transcript))
            .field("messages", &self.messages.len())
            // Recording URLs open the patient's voice.
            .field("recording_url", &redacted(&self.recording_url))
            .field("stereo_recording_url", &redacted(&self.stereo_recording_url))
            .field("customer_number", &redacted(&self.customer_number))
            .finish_non_exhaustive()
    }
}

/// One turn of the call transcript.
#[derive(Clone, PartialEq)]
pub struct TranscriptMessage {
    /// `bot`, `user`, `system`, `tool_calls`, `tool_call_result`... as VAPI wrote it.
    pub role: String,
    /// What was said; empty for turns without text (tool calls).
    pub message: String,
    pub seconds_from_start: Option<f64>,
}

impl fmt::Debug for TranscriptMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptMessage")
            .field("role", &self.role)
            .field("message", &format_args!("[{} chars]", self.message.chars().count()))
            .field("seconds_from_start", &self.seconds_from_start)
            .finish()
    }
}

/// The outcome of one tool call, to answer VAPI with.
#[derive(Clone, PartialEq, Eq)]
pub struct ToolResult {
    pub tool_call_id: String,
    pub name: String,
    /// Text the assistant reads or uses ("Agendado para 06/10 09:00").
    pub result: Option<String>,
    /// Why the tool failed, worded for the assistant ("that slot was just taken...").
    pub error: Option<String>,
}

impl fmt::Debug for ToolResult {
    // Results repeat the patient's name and appointment details.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolResult")
            .field("tool_call_id", &self.tool_call_id)
            .field("name", &self.name)
            .field("result", &self.result.as_ref().map(|_| "[redacted]"))
            .field("error", &self.error.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}
