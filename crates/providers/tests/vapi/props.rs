//! No input, however malformed, panics the server URL parser or the HMAC check.

use frontdesk_providers::vapi::{HmacPlan, SignedRequest, parse_server_message, verify_hmac};
use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::{Map, Value, json};

/// Arbitrary JSON, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,16}".prop_map(Value::String),
        Just(Value::String("{\"a\":1}".into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Keys VAPI uses, so generated objects reach the interesting branches.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "message",
            "type",
            "call",
            "id",
            "customer",
            "number",
            "toolCallList",
            "toolCalls",
            "toolWithToolCallList",
            "toolCall",
            "function",
            "name",
            "arguments",
            "parameters",
            "status",
            "endedReason",
            "artifact",
            "analysis",
            "messages",
            "role",
            "secondsFromStart",
            "startedAt",
            "endedAt",
            "durationSeconds",
            "cost",
            "costBreakdown",
            "summary",
            "structuredData",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

fn message_type() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "tool-calls",
        "status-update",
        "end-of-call-report",
        "assistant-request",
        "hang",
        "x",
    ])
    .prop_map(Value::from)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_server_message(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        let _ = parse_server_message(value.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_messages_never_panic(kind in message_type(), fields in any_json(), call in any_json()) {
        let mut message = fields.as_object().cloned().unwrap_or_default();
        message.insert("type".into(), kind);
        message.insert("call".into(), call);
        let _ = parse_server_message(json!({"message": message}).to_string().as_bytes());
    }

    #[test]
    fn arbitrary_signed_requests_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..128),
        signature in "\\PC{0,80}",
        timestamp in "\\PC{0,20}",
        format in "\\PC{0,40}",
    ) {
        let plan = HmacPlan { payload_format: format, max_skew: Some(std::time::Duration::from_secs(300)), ..HmacPlan::default() };
        let request = SignedRequest { method: "POST", url: "https://x", body: &body, signature: Some(&signature), timestamp: Some(&timestamp), svix_id: None };
        let _ = verify_hmac(&plan, &SecretString::from("k"), &request, jiff::Timestamp::UNIX_EPOCH);
    }
}
