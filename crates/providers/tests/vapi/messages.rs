//! Server URL messages in the shapes of PROVIDERS.md 2.2 (SDK types, doc examples, older
//! payloads), parsed into provider-neutral variants.

use frontdesk_providers::vapi::{ServerMessage, ToolCall, VapiParseError, parse_server_message};
use serde_json::{Value, json};

const PATIENT: &str = "+5511999998888";

fn parse(body: Value) -> Result<ServerMessage, VapiParseError> {
    parse_server_message(body.to_string().as_bytes())
}

fn call() -> Value {
    json!({"id": "call_7f3", "orgId": "org_1", "type": "outboundPhoneCall",
           "customer": {"number": PATIENT, "name": "Maria"}})
}

fn tool_calls(body: Value) -> Vec<ToolCall> {
    match parse(body) {
        Ok(ServerMessage::ToolCalls { call_id, customer_number, calls }) => {
            assert_eq!(call_id, "call_7f3");
            assert_eq!(customer_number.as_deref(), Some(PATIENT));
            calls
        }
        other => panic!("not tool calls: {other:?}"),
    }
}

#[test]
fn tool_call_list_with_string_arguments_sdk_shape() {
    let calls = tool_calls(json!({"message": {
        "type": "tool-calls", "timestamp": 1759740000000_u64, "call": call(),
        "toolCallList": [{"id": "call_abc", "type": "function", "function": {
            "name": "book_appointment",
            "arguments": "{\"slotId\":\"slot_42\",\"service\":\"limpeza\"}"
        }}],
        "toolWithToolCallList": [{"type": "function", "function": {"name": "book_appointment"},
            "toolCall": {"id": "call_abc", "type": "function", "function": {"name": "book_appointment", "arguments": "{}"}}}]
    }}));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, "call_abc");
    assert_eq!(calls[0].name, "book_appointment");
    assert_eq!(calls[0].arguments, json!({"slotId": "slot_42", "service": "limpeza"}));
}

#[test]
fn tool_calls_with_object_arguments_docs_shapes() {
    // custom-tools.mdx: name and arguments on the item, arguments as an object.
    let calls = tool_calls(json!({"message": {
        "type": "tool-calls", "call": call(),
        "toolCalls": [
            {"id": "call_1", "name": "find_slots", "arguments": {"service": "ortodontia", "day": "segunda"}},
            {"id": "call_2", "type": "function", "function": {"name": "lookup_patient", "arguments": {"phone": PATIENT}}},
            {"id": "call_3", "function": {"name": "cancel_appointment", "parameters": {"appointmentId": "ap_9"}}},
            {"id": "call_4", "name": "lookup_patient"},
            {"id": "call_5", "function": {"name": "book_appointment", "arguments": "not json"}},
            {"name": "no_id_is_dropped", "arguments": {}}
        ]
    }}));
    let summary: Vec<(&str, &str, &Value)> =
        calls.iter().map(|c| (c.id.as_str(), c.name.as_str(), &c.arguments)).collect();
    assert_eq!(
        summary,
        vec![
            ("call_1", "find_slots", &json!({"service": "ortodontia", "day": "segunda"})),
            ("call_2", "lookup_patient", &json!({"phone": PATIENT})),
            ("call_3", "cancel_appointment", &json!({"appointmentId": "ap_9"})),
            ("call_4", "lookup_patient", &json!({})),
            ("call_5", "book_appointment", &json!("not json")),
        ]
    );
    // Debug shows argument names, never values.
    let shown = format!("{calls:?}");
    assert!(!shown.contains("99999") && shown.contains("phone"), "{shown}");
}

#[test]
fn tool_with_tool_call_list_alone_is_read() {
    let calls = tool_calls(json!({"message": {"type": "tool-calls", "call": call(),
        "toolWithToolCallList": [{"type": "function", "function": {"name": "find_slots"},
            "toolCall": {"id": "call_w", "function": {"name": "find_slots", "arguments": "{\"day\":\"terça\"}"}}}]}}));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].arguments, json!({"day": "terça"}));
}

#[test]
fn status_update() {
    let ringing = parse(json!({"message": {"type": "status-update", "status": "ringing", "call": call()}}));
    assert_eq!(
        ringing,
        Ok(ServerMessage::StatusUpdate {
            call_id: "call_7f3".into(),
            status: "ringing".into(),
            ended_reason: None
        })
    );
    let ended = parse(json!({"message": {"type": "status-update", "status": "ended",
        "endedReason": "customer-did-not-answer", "call": call()}}));
    assert!(
        matches!(ended, Ok(ServerMessage::StatusUpdate { ended_reason: Some(ref r), .. }) if r == "customer-did-not-answer")
    );
    let no_status = parse(json!({"message": {"type": "status-update", "call": call()}}));
    assert_eq!(no_status, Err(VapiParseError::Missing { message_type: "status-update", field: "status" }));
}

#[test]
fn end_of_call_report() {
    let body = json!({"message": {
        "type": "end-of-call-report", "endedReason": "customer-ended-call",
        "cost": 0.23, "costs": [{"type": "transport", "cost": 0.01}, {"type": "model", "cost": 0.05}],
        "startedAt": "2025-10-05T12:00:00.000Z", "endedAt": "2025-10-05T12:02:30.500Z",
        "customer": {"number": PATIENT},
        "artifact": {
            "transcript": "AI: Olá Maria, aqui é a Clínica Sorriso. User: Oi, pode ser segunda às nove.",
            "recordingUrl": "https://storage.vapi.ai/rec-mono.wav",
            "stereoRecordingUrl": "https://storage.vapi.ai/rec-stereo.wav",
            "messages": [
                {"role": "bot", "message": "Olá Maria, aqui é a Clínica Sorriso.", "time": 1.7597e12, "endTime": 1.7597e12, "secondsFromStart": 0.5, "duration": 2.1},
                {"role": "user", "message": "Oi, pode ser segunda às nove.", "time": 1.7597e12, "secondsFromStart": 4.2},
                {"role": "tool_calls", "toolCalls": [], "time": 1.7597e12, "secondsFromStart": 6.0},
                {"message": "no role is not a turn"}
            ],
            "messagesOpenAIFormatted": [], "variableValues": {"patientName": "Maria"}
        },
        "analysis": {"summary": "Paciente agendou limpeza para segunda 09:00.",
                     "structuredData": {"outcome": "booked", "callbackAt": null}, "successEvaluation": "true"},
        "call": {"id": "call_7f3", "costBreakdown": {"transport": 0.01, "stt": 0.02, "llm": 0.05, "tts": 0.1,
                 "vapi": 0.05, "total": 0.23, "llmPromptTokens": 1200, "llmCompletionTokens": 80, "ttsCharacters": 400}}
    }});
    let Ok(ServerMessage::EndOfCallReport(report)) = parse(body) else { panic!("not a report") };
    assert_eq!(report.call_id, "call_7f3");
    assert_eq!(report.ended_reason.as_deref(), Some("customer-ended-call"));
    assert_eq!(report.started_at.map(|t| t.to_string()).as_deref(), Some("2025-10-05T12:00:00Z"));
    assert_eq!(report.duration_seconds, Some(150.5));
    assert_eq!(report.cost, Some(0.23));
    assert_eq!(report.cost_breakdown["total"], json!(0.23));
    assert_eq!(report.summary.as_deref(), Some("Paciente agendou limpeza para segunda 09:00."));
    assert!(report.transcript.as_deref().is_some_and(|t| t.starts_with("AI: Olá")));
    let turns: Vec<(&str, &str, Option<f64>)> =
        report.messages.iter().map(|m| (m.role.as_str(), m.message.as_str(), m.seconds_from_start)).collect();
    assert_eq!(
        turns,
        vec![
            ("bot", "Olá Maria, aqui é a Clínica Sorriso.", Some(0.5)),
            ("user", "Oi, pode ser segunda às nove.", Some(4.2)),
            ("tool_calls", "", Some(6.0)),
        ]
    );
    assert_eq!(report.recording_url.as_deref(), Some("https://storage.vapi.ai/rec-mono.wav"));
    assert_eq!(report.stereo_recording_url.as_deref(), Some("https://storage.vapi.ai/rec-stereo.wav"));
    assert_eq!(report.structured_data, json!({"outcome": "booked", "callbackAt": null}));
    assert_eq!(report.customer_number.as_deref(), Some(PATIENT));
    let shown = format!("{report:?}");
    for private in ["99999", "Maria", "segunda", "storage.vapi.ai"] {
        assert!(!shown.contains(private), "{private} in {shown}");
    }
}

#[test]
fn minimal_and_older_end_of_call_reports() {
    // Older payloads put transcript, recording and summary at the top, with durationSeconds.
    let older = json!({"message": {"type": "end-of-call-report", "endedReason": "voicemail",
        "transcript": "AI: Olá", "recordingUrl": "https://r", "summary": "Caixa postal",
        "durationSeconds": 31.2, "call": call()}});
    let Ok(ServerMessage::EndOfCallReport(report)) = parse(older) else { panic!("not a report") };
    assert_eq!(report.transcript.as_deref(), Some("AI: Olá"));
    assert_eq!(report.recording_url.as_deref(), Some("https://r"));
    assert_eq!(report.summary.as_deref(), Some("Caixa postal"));
    assert_eq!(report.duration_seconds, Some(31.2));
    assert_eq!(report.customer_number.as_deref(), Some(PATIENT), "from call.customer");
    let minimal =
        json!({"message": {"type": "end-of-call-report", "startedAt": "garbage", "call": {"id": "c"}}});
    let Ok(ServerMessage::EndOfCallReport(report)) = parse(minimal) else { panic!("not a report") };
    assert_eq!((report.started_at, report.duration_seconds, report.cost), (None, None, None));
    assert!(
        report.messages.is_empty() && report.cost_breakdown.is_null() && report.structured_data.is_null()
    );
}

#[test]
fn assistant_request_hang_and_unknown() {
    let inbound = json!({"message": {"type": "assistant-request", "phoneNumber": {"id": "pn_1", "number": "+551130000000"},
        "customer": {"number": PATIENT}, "call": {"id": "call_in", "type": "inboundPhoneCall"}}});
    assert_eq!(
        parse(inbound),
        Ok(ServerMessage::AssistantRequest {
            call_id: "call_in".into(),
            customer_number: Some(PATIENT.into())
        })
    );
    let hang = json!({"message": {"type": "hang", "timestamp": 1759740000000_u64, "call": call()}});
    assert_eq!(parse(hang), Ok(ServerMessage::Hang { call_id: "call_7f3".into() }));
    let other = json!({"message": {"type": "conversation-update", "messages": []}});
    assert_eq!(parse(other), Ok(ServerMessage::Unknown { message_type: "conversation-update".into() }));
}

#[test]
fn malformed_bodies_are_errors() {
    assert_eq!(parse_server_message(b"not json"), Err(VapiParseError::NotJson));
    assert_eq!(parse(json!({"type": "hang"})), Err(VapiParseError::NotAMessage));
    assert_eq!(parse(json!({"message": {"call": call()}})), Err(VapiParseError::NotAMessage));
    assert_eq!(parse(json!({"message": {"type": 7}})), Err(VapiParseError::NotAMessage));
    let no_call =
        parse(json!({"message": {"type": "tool-calls", "toolCalls": [], "customer": {"number": PATIENT}}}));
    assert_eq!(no_call, Err(VapiParseError::Missing { message_type: "tool-calls", field: "call.id" }));
    assert!(!no_call.unwrap_err().to_string().contains("99999"));
}

#[test]
fn transfer_destination_request_and_its_answers() {
    let body = json!({"message": {"type": "transfer-destination-request", "call": {"id": "call_tr",
        "type": "inboundPhoneCall", "customer": {"number": PATIENT}}}});
    assert_eq!(
        parse(body),
        Ok(ServerMessage::TransferDestinationRequest {
            call_id: "call_tr".into(),
            customer_number: Some(PATIENT.into())
        })
    );
    let no_call = json!({"message": {"type": "transfer-destination-request"}});
    assert!(parse(no_call).is_err());
    assert_eq!(
        frontdesk_providers::vapi::transfer_response("+551130000000", "Transferindo…"),
        json!({"destination": {"type": "number", "number": "+551130000000"},
               "message": {"type": "request-start", "message": "Transferindo…"}})
    );
    assert_eq!(frontdesk_providers::vapi::spoken_error_response("closed"), json!({"error": "closed"}));
}
