//! Answers to the server URL messages that need one (`PROVIDERS.md` section 2.2).

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use super::types::ToolResult;

/// The answer to `tool-calls`: `{"results":[{"toolCallId","name","result"|"error"}]}`.
///
/// `name` is always sent (required by VAPI's OpenAPI even though its examples omit it). A
/// result with an `error` sends the error, which the assistant reads as a failure; one with
/// neither sends an empty `result`, because VAPI waits on every `toolCallId` it asked for.
pub fn tool_results_response(results: &[ToolResult]) -> Value {
    let results: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut item = Map::new();
            item.insert("toolCallId".into(), Value::String(r.tool_call_id.clone()));
            item.insert("name".into(), Value::String(r.name.clone()));
            match (&r.error, &r.result) {
                (Some(error), _) => item.insert("error".into(), Value::String(error.clone())),
                (None, result) => {
                    item.insert("result".into(), Value::String(result.clone().unwrap_or_default()))
                }
            };
            Value::Object(item)
        })
        .collect();
    json!({ "results": results })
}

/// The answer to `assistant-request`: the assistant to run and, for a recognised caller,
/// the `{{name}}` values to fill its prompts with.
pub fn assistant_response(assistant_id: &str, variable_values: &BTreeMap<String, String>) -> Value {
    if variable_values.is_empty() {
        return json!({ "assistantId": assistant_id });
    }
    json!({ "assistantId": assistant_id, "assistantOverrides": { "variableValues": variable_values } })
}

/// The answer to `transfer-destination-request`: transfer to `number` (E.164) after the
/// assistant says `message` (`PROVIDERS.md` section 2.2).
pub fn transfer_response(number: &str, message: &str) -> Value {
    json!({
        "destination": {"type": "number", "number": number},
        "message": {"type": "request-start", "message": message},
    })
}

/// The refusal of a transfer (or of any request taking `{"error"}`): VAPI speaks `spoken`
/// to the caller.
pub fn spoken_error_response(spoken: &str) -> Value {
    json!({"error": spoken})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, result: Option<&str>, error: Option<&str>) -> ToolResult {
        ToolResult {
            tool_call_id: id.into(),
            name: "book_slot".into(),
            result: result.map(Into::into),
            error: error.map(Into::into),
        }
    }

    #[test]
    fn tool_results_in_vapi_shape() {
        let body = tool_results_response(&[
            result("call_abc", Some("Agendado para 06/10 09:00"), None),
            result("call_def", None, Some("Horário indisponível; há 10:00 ou 11:00")),
            result("call_ghi", None, None),
        ]);
        assert_eq!(
            body,
            json!({"results": [
                {"toolCallId": "call_abc", "name": "book_slot", "result": "Agendado para 06/10 09:00"},
                {"toolCallId": "call_def", "name": "book_slot", "error": "Horário indisponível; há 10:00 ou 11:00"},
                {"toolCallId": "call_ghi", "name": "book_slot", "result": ""}
            ]})
        );
        assert_eq!(tool_results_response(&[]), json!({"results": []}));
    }

    #[test]
    fn assistant_response_with_and_without_values() {
        assert_eq!(assistant_response("asst_1", &BTreeMap::new()), json!({"assistantId": "asst_1"}));
        let values = BTreeMap::from([("patientName".to_owned(), "Maria".to_owned())]);
        assert_eq!(
            assistant_response("asst_1", &values),
            json!({"assistantId": "asst_1", "assistantOverrides": {"variableValues": {"patientName": "Maria"}}})
        );
    }
}
