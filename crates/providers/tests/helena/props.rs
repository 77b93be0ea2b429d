//! No JSON, however strange, panics the webhook parser.

use frontdesk_providers::helena::parse_event;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Keys the parser looks for, so generated objects reach its branches.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id".to_owned()),
        Just("status".to_owned()),
        Just("text".to_owned()),
        Just("details".to_owned()),
        Just("errors".to_owned()),
        Just("file".to_owned()),
        Just("contactDetails".to_owned()),
        Just("contacts".to_owned()),
        Just("contactIds".to_owned()),
        Just("utm".to_owned()),
        Just("phonenumber".to_owned()),
        "\\PC{0,8}",
    ]
}

fn event_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("MESSAGE_RECEIVED")),
        Just(json!("MESSAGE_UPDATED")),
        Just(json!("CONTACT_NEW")),
        Just(json!("SESSION_NEW")),
        Just(json!("PANEL_CARD_NEW")),
        arbitrary_json(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let _ = parse_event(value.to_string().as_bytes());
    }

    #[test]
    fn envelopes_with_arbitrary_content_never_panic(event_type in event_type(), content in arbitrary_json()) {
        let body = json!({"eventType": event_type, "date": "2025-07-27T23:46:00Z", "content": content});
        let _ = parse_event(body.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_event(&body);
    }
}
