//! No input, however malformed, panics the webhook parsers or the signature check.

use frontdesk_providers::twilio::{
    compute_signature, parse_form, parse_inbound, parse_status, verify_signature,
};
use proptest::prelude::*;

/// Field names Twilio uses, so generated forms reach the interesting branches.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("MessageSid".to_owned()),
        Just("AccountSid".to_owned()),
        Just("From".to_owned()),
        Just("To".to_owned()),
        Just("Body".to_owned()),
        Just("NumMedia".to_owned()),
        Just("MediaUrl0".to_owned()),
        Just("MediaContentType0".to_owned()),
        Just("MessageStatus".to_owned()),
        Just("ErrorCode".to_owned()),
        "\\PC{0,12}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("whatsapp:+5511999998888".to_owned()),
        Just("4294967296".to_owned()),
        Just("1".to_owned()),
        "[0-9]{0,12}",
        "\\PC{0,24}",
        ".{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let params = parse_form(&body);
        let _ = parse_inbound(&params);
        let _ = parse_status(&params);
        let _ = verify_signature("token", "https://x.example/hook", &body, Some("c2ln"));
    }

    #[test]
    fn arbitrary_fields_never_panic(params in proptest::collection::vec((name(), value()), 0..16)) {
        let inbound = parse_inbound(&params);
        let status = parse_status(&params);
        // A field the parser needs is named when it fails, and never the value.
        if let Err(err) = inbound { prop_assert!(!err.to_string().contains("5511999998888")); }
        if let Err(err) = status { prop_assert!(!err.to_string().contains("5511999998888")); }
    }

    #[test]
    fn arbitrary_urls_and_headers_never_panic(url in "\\PC{0,80}", header in "\\PC{0,40}", token in "\\PC{0,20}") {
        let _ = verify_signature(&token, &url, b"a=1&b=2", Some(&header));
        let _ = verify_signature(&token, &format!("{url}?bodySHA256=00"), b"{}", Some(&header));
    }

    #[test]
    fn what_is_signed_verifies(
        token in "[!-~]{1,32}",
        path in "/[a-z0-9/]{0,20}",
        query in "[a-zA-Z0-9=&'%+]{0,20}",
        params in proptest::collection::vec(("[A-Za-z]{1,8}", "\\PC{0,16}"), 0..8),
    ) {
        let url = format!("https://hooks.example{path}?{query}");
        prop_assume!(!url.contains("bodySHA256"));
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let signature = compute_signature(&token, &url, &params);
        prop_assert_eq!(verify_signature(&token, &url, body.as_bytes(), Some(&signature)), Ok(()));
    }

    #[test]
    fn form_round_trips(params in proptest::collection::vec(("\\PC{0,8}", "\\PC{0,16}"), 0..8)) {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        prop_assert_eq!(parse_form(body.as_bytes()), params);
    }
}
