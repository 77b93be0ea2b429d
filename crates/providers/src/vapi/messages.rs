//! Server URL messages: VAPI's JSON into [`ServerMessage`] (`PROVIDERS.md` section 2.2).
//!
//! VAPI's SDK types, OpenAPI spec and doc examples disagree on several shapes (tool calls
//! under `toolCallList` or `toolCalls`, arguments as a string or an object, the function
//! name under `function.name` or `name`, transcript fields in `artifact` or at the top), so
//! this reads a `serde_json::Value` and looks in every documented place rather than binding
//! to one struct. Errors name the missing field and never quote a value, which may be a
//! patient's phone or words.

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::types::{EndOfCallReport, ServerMessage, ToolCall, TranscriptMessage};

/// Why a server URL body is not a message this parser can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VapiParseError {
    #[error("the body is not JSON")]
    NotJson,
    #[error("the body has no `message` object with a `type`")]
    NotAMessage,
    /// A field this message type cannot do without.
    #[error("the {message_type} message has no {field}")]
    Missing { message_type: &'static str, field: &'static str },
}

/// Reads one server URL body.
pub fn parse_server_message(body: &[u8]) -> Result<ServerMessage, VapiParseError> {
    let json: Value = serde_json::from_slice(body).map_err(|_| VapiParseError::NotJson)?;
    let message = json.get("message").and_then(Value::as_object).ok_or(VapiParseError::NotAMessage)?;
    let message_type = text(message.get("type")).ok_or(VapiParseError::NotAMessage)?;
    let call_id = |message_type: &'static str| {
        text(path(message, &["call", "id"])).ok_or(VapiParseError::Missing { message_type, field: "call.id" })
    };
    Ok(match message_type.as_str() {
        "tool-calls" => ServerMessage::ToolCalls {
            call_id: call_id("tool-calls")?,
            customer_number: customer_number(message),
            calls: tool_calls(message),
        },
        "status-update" => ServerMessage::StatusUpdate {
            call_id: call_id("status-update")?,
            status: text(message.get("status"))
                .ok_or(VapiParseError::Missing { message_type: "status-update", field: "status" })?,
            ended_reason: text(message.get("endedReason")),
        },
        "end-of-call-report" => ServerMessage::EndOfCallReport(Box::new(end_of_call_report(
            message,
            call_id("end-of-call-report")?,
        ))),
        "assistant-request" => ServerMessage::AssistantRequest {
            call_id: call_id("assistant-request")?,
            customer_number: customer_number(message),
        },
        "hang" => ServerMessage::Hang { call_id: call_id("hang")? },
        "transfer-destination-request" => ServerMessage::TransferDestinationRequest {
            call_id: call_id("transfer-destination-request")?,
            customer_number: customer_number(message),
        },
        _ => ServerMessage::Unknown { message_type },
    })
}

/// The tool calls in whichever list VAPI used. Items without an id are dropped: without
/// one there is no way to answer them.
fn tool_calls(message: &Map<String, Value>) -> Vec<ToolCall> {
    let list =
        ["toolCallList", "toolCalls"].iter().find_map(|key| message.get(*key).and_then(Value::as_array));
    let items: Vec<&Value> = match list {
        Some(items) => items.iter().collect(),
        // The tool-with-call list carries each call under `toolCall`.
        None => message
            .get("toolWithToolCallList")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|item| item.get("toolCall")).collect())
            .unwrap_or_default(),
    };
    items.into_iter().filter_map(tool_call).collect()
}

/// One call, read as `PROVIDERS.md` prescribes: `function.*` first, then the item itself.
fn tool_call(item: &Value) -> Option<ToolCall> {
    let id = text(item.get("id"))?;
    let function = item.get("function");
    let name =
        text(function.and_then(|f| f.get("name"))).or_else(|| text(item.get("name"))).unwrap_or_default();
    let raw = [
        function.and_then(|f| f.get("arguments")),
        item.get("arguments"),
        function.and_then(|f| f.get("parameters")),
        item.get("parameters"),
    ]
    .into_iter()
    .flatten()
    .find(|v| !v.is_null());
    let arguments = match raw {
        None => Value::Object(Map::new()),
        Some(Value::String(s)) if s.trim().is_empty() => Value::Object(Map::new()),
        // Kept as the raw string when it is not JSON, so the tool can say so.
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
        Some(other) => other.clone(),
    };
    Some(ToolCall { id, name, arguments })
}

fn end_of_call_report(message: &Map<String, Value>, call_id: String) -> EndOfCallReport {
    let artifact = message.get("artifact");
    let analysis = message.get("analysis");
    // Older payloads put the artifact fields at the top of the message.
    let from_artifact =
        |key: &str| text(artifact.and_then(|a| a.get(key))).or_else(|| text(message.get(key)));
    let started_at =
        timestamp(message.get("startedAt")).or_else(|| timestamp(path(message, &["call", "startedAt"])));
    let ended_at =
        timestamp(message.get("endedAt")).or_else(|| timestamp(path(message, &["call", "endedAt"])));
    let duration_seconds = number(message.get("durationSeconds"))
        .or_else(|| number(message.get("durationMs")).map(|ms| ms / 1000.0))
        .or_else(|| {
            let span = ended_at?.duration_since(started_at?);
            Some(span.as_secs_f64()).filter(|s| *s >= 0.0)
        });
    let messages = artifact
        .and_then(|a| a.get("messages"))
        .or_else(|| message.get("messages"))
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(transcript_message).collect())
        .unwrap_or_default();
    EndOfCallReport {
        call_id,
        ended_reason: text(message.get("endedReason")),
        started_at,
        ended_at,
        duration_seconds,
        cost: number(message.get("cost")).or_else(|| number(path(message, &["call", "cost"]))),
        cost_breakdown: path(message, &["call", "costBreakdown"])
            .or_else(|| message.get("costBreakdown"))
            .cloned()
            .unwrap_or(Value::Null),
        summary: text(analysis.and_then(|a| a.get("summary"))).or_else(|| text(message.get("summary"))),
        transcript: from_artifact("transcript"),
        messages,
        recording_url: from_artifact("recordingUrl"),
        stereo_recording_url: from_artifact("stereoRecordingUrl"),
        structured_data: analysis.and_then(|a| a.get("structuredData")).cloned().unwrap_or(Value::Null),
        customer_number: customer_number(message),
    }
}

/// A transcript turn; turns without a role are not turns.
fn transcript_message(item: &Value) -> Option<TranscriptMessage> {
    Some(TranscriptMessage {
        role: text(item.get("role"))?,
        message: item.get("message").and_then(Value::as_str).unwrap_or_default().to_owned(),
        seconds_from_start: number(item.get("secondsFromStart")),
    })
}

/// The caller's or callee's number: `customer` at the top, else on the call.
fn customer_number(message: &Map<String, Value>) -> Option<String> {
    text(path(message, &["customer", "number"]))
        .or_else(|| text(path(message, &["call", "customer", "number"])))
}

fn path<'a>(root: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    let (first, rest) = keys.split_first()?;
    rest.iter().try_fold(root.get(*first)?, |value, key| value.get(*key))
}

/// A non-blank string.
fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

/// A finite number, also from a numeric string.
fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// An RFC 3339 timestamp; anything else is treated as absent rather than failing the report.
fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    value?.as_str()?.trim().parse().ok()
}
