//! Twilio's official signature vectors (`PROVIDERS.md` section 1.3, from twilio-python's
//! `test_request_validator.py` and twilio-node's `validation.spec.js` and
//! `webhooks.spec.js`), each as its own test, plus the refusals.

use super::*;

const TOKEN: &str = "12345";
const BASE: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const BASE_SIG: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

fn params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ]
}

fn valid(url: &str, params: &[(&str, &str)], signature: &str) -> bool {
    verify_params(TOKEN, url, params.iter().copied(), Some(signature)).is_ok()
}

#[test]
fn base_url_computes_and_validates() {
    assert_eq!(compute_signature(TOKEN, BASE, params()), BASE_SIG);
    assert!(valid(BASE, &params(), BASE_SIG));
}

#[test]
fn parameter_order_does_not_matter() {
    let mut reversed = params();
    reversed.reverse();
    assert_eq!(compute_signature(TOKEN, BASE, reversed), BASE_SIG);
}

#[test]
fn https_without_port_validates_a_signature_made_with_443() {
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, with_port, params()), "kvajT1Ptam85bY51eRf/AJRuM3w=");
    assert!(valid(BASE, &params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
    // And the other way round: a URL with :443 validates the port-less signature.
    assert!(valid(with_port, &params(), BASE_SIG));
}

#[test]
fn http_without_port_validates_a_signature_made_with_80() {
    let with_port = "http://mycompany.com:80/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, with_port, params()), "0ZXoZLH/DfblKGATFgpif+LLRf4=");
    assert!(valid("http://mycompany.com/myapp.php?foo=1&bar=2", &params(), "0ZXoZLH/DfblKGATFgpif+LLRf4="));
}

#[test]
fn http_with_a_custom_port_keeps_it() {
    let url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, url, params()), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
    assert!(valid(url, &params(), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
}

#[test]
fn https_with_a_custom_port_validates_the_port_less_signature() {
    assert!(valid("https://mycompany.com:1234/myapp.php?foo=1&bar=2", &params(), BASE_SIG));
}

#[test]
fn repeated_values_are_sorted_and_deduplicated() {
    let multi = [
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ];
    assert_eq!(compute_signature(TOKEN, BASE, multi), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    assert!(valid(BASE, &multi, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

#[test]
fn array_parameter_validates_in_any_order() {
    let name = "MessagingBinding.Address";
    let one = [(name, "+1325xxxxxxx"), (name, "+1415xxxxxxx")];
    let other = [(name, "+1415xxxxxxx"), (name, "+1325xxxxxxx")];
    assert_eq!(compute_signature(TOKEN, BASE, one), "83O6e2vORAoJHUNzJjDWN1jz+BA=");
    assert!(valid(BASE, &one, "83O6e2vORAoJHUNzJjDWN1jz+BA="));
    assert!(valid(BASE, &other, "83O6e2vORAoJHUNzJjDWN1jz+BA="));
}

#[test]
fn credentials_in_the_url_are_signed() {
    let url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, url, params()), "CukzLTc1tT5dXEDIHm/tKBanW10=");
    assert!(valid(url, &params(), "CukzLTc1tT5dXEDIHm/tKBanW10="));
}

#[test]
fn credentials_with_443_add_the_port_after_the_host() {
    let with_port = "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, with_port, params()), "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=");
    let url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    assert!(valid(url, &params(), "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="));
}

#[test]
fn username_only() {
    let url = "https://user@mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(compute_signature(TOKEN, url, params()), "2YRLlVAflCqxaNicjMpJcSTgzSs=");
    assert!(valid(url, &params(), "2YRLlVAflCqxaNicjMpJcSTgzSs="));
}

#[test]
fn special_characters_in_the_query_are_signed_escaped() {
    let escaped = format!("{BASE}&Body=It%27s+amazing");
    assert_eq!(compute_signature(TOKEN, &escaped, params()), "TfZzewPq8wqrGlMfyAud8+/IvJ0=");
    // Received with a bare quote, it still validates the signature over `%27`.
    assert!(valid(&format!("{BASE}&Body=It's+amazing"), &params(), "TfZzewPq8wqrGlMfyAud8+/IvJ0="));
}

const JSON_BODY: &str = r#"{"property": "value", "boolean": true}"#;
const JSON_HASH: &str = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const EMPTY_HASH: &str = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

#[test]
fn json_body_hashes() {
    assert_eq!(hex::encode(Sha256::digest(JSON_BODY.as_bytes())), JSON_HASH);
    assert_eq!(hex::encode(Sha256::digest(b"{}")), EMPTY_HASH);
}

#[test]
fn json_body_with_hash_in_a_longer_query() {
    let url = format!("{BASE}&bodySHA256={JSON_HASH}");
    let sig = "a9nBmqA0ju/hNViExpshrM61xv4=";
    assert_eq!(compute_signature(TOKEN, &url, Vec::<(&str, &str)>::new()), sig);
    assert_eq!(verify_signature(TOKEN, &url, JSON_BODY.as_bytes(), Some(sig)), Ok(()));
    assert_eq!(
        verify_signature(TOKEN, &url, br#"{"property": "tampered"}"#, Some(sig)),
        Err(SignatureError::BodyHashMismatch)
    );
}

#[test]
fn json_body_with_only_the_hash_in_the_query() {
    let url = format!("https://mycompany.com/myapp.php?bodySHA256={JSON_HASH}");
    assert_eq!(
        verify_signature(TOKEN, &url, JSON_BODY.as_bytes(), Some("y77kIzt2vzLz71DgmJGsen2scGs=")),
        Ok(())
    );
}

#[test]
fn empty_json_body_matches_only_the_443_variant() {
    let url = format!("{BASE}&bodySHA256={EMPTY_HASH}");
    let sig = "Ldidvp12m26NI7eqEvxnEpkd9Hc=";
    assert_ne!(compute_signature(TOKEN, &url, Vec::<(&str, &str)>::new()), sig);
    let with_port = format!("https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256={EMPTY_HASH}");
    assert_eq!(compute_signature(TOKEN, &with_port, Vec::<(&str, &str)>::new()), sig);
    assert_eq!(verify_signature(TOKEN, &url, b"{}", Some(sig)), Ok(()));
}

#[test]
fn node_quote_and_port_equivalences() {
    let token = "s3cr3t";
    let none: Vec<(&str, &str)> = Vec::new();
    let pairs = [
        ("https://example.com:443/path?test=param", "https://example.com:443/path?test=param"),
        ("https://example.com:443/path?test=param", "https://example.com/path?test=param"),
        ("https://example.com/path?test=param", "https://example.com:443/path?test=param"),
        ("https://example.com/path?test=param'WithQuote", "https://example.com/path?test=param'WithQuote"),
        ("https://example.com/path?test=param'WithQuote", "https://example.com/path?test=param%27WithQuote"),
        ("https://example.com/path?test=param%27WithQuote", "https://example.com/path?test=param'WithQuote"),
        (
            "https://example.com/path?test=param%27WithQuote",
            "https://example.com/path?test=param%27WithQuote",
        ),
    ];
    for (signed, target) in pairs {
        let sig = compute_signature(token, signed, none.clone());
        assert_eq!(verify_params(token, target, none.clone(), Some(&sig)), Ok(()), "{signed} -> {target}");
    }
    let sig = compute_signature(token, "https://example.com/path?test=param", none.clone());
    let other = verify_params(token, "https://example.com/path?test=param2", none, Some(&sig));
    assert_eq!(other, Err(SignatureError::Mismatch));
}

#[test]
fn form_body_is_parsed_and_signed() {
    let body =
        b"To=%2B18005551212&From=%2B14158675309&Caller=%2B14158675309&Digits=1234&CallSid=CA1234567890ABCDE";
    assert_eq!(verify_signature(TOKEN, BASE, body, Some(BASE_SIG)), Ok(()));
}

#[test]
fn forged_missing_and_unconfigured_are_refused() {
    assert_eq!(verify_params(TOKEN, BASE, params(), Some("WRONG_SIGNATURE")), Err(SignatureError::Mismatch));
    assert_eq!(verify_params("54321", BASE, params(), Some(BASE_SIG)), Err(SignatureError::Mismatch));
    assert_eq!(verify_params(TOKEN, BASE, params(), None), Err(SignatureError::Missing));
    assert_eq!(verify_params(TOKEN, BASE, params(), Some("  ")), Err(SignatureError::Missing));
    assert_eq!(verify_params("", BASE, params(), Some(BASE_SIG)), Err(SignatureError::NoAuthToken));
    let mut tampered = params();
    tampered[2] = ("Digits", "9999");
    assert_eq!(verify_params(TOKEN, BASE, tampered, Some(BASE_SIG)), Err(SignatureError::Mismatch));
}

#[test]
fn url_forms_cover_ports_and_query_escaping_without_duplicates() {
    let forms = url_forms("https://u@h.example:443/p?a=it's+ok#frag");
    assert!(forms.contains(&"https://u@h.example/p?a=it's+ok#frag".to_owned()), "{forms:?}");
    assert!(forms.contains(&"https://u@h.example:443/p?a=it%27s+ok#frag".to_owned()), "{forms:?}");
    assert!(forms.contains(&"https://u@h.example/p?a=it's%20ok#frag".to_owned()), "{forms:?}");
    let mut unique = forms.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), forms.len());
    // IPv6 literals keep their colons.
    assert!(url_forms("http://[::1]:8080/x").contains(&"http://[::1]/x".to_owned()));
    assert!(url_forms("http://[::1]/x").contains(&"http://[::1]:80/x".to_owned()));
    // Something that is not a URL is only ever used as received.
    assert_eq!(url_forms("not a url"), vec!["not a url".to_owned()]);
}
