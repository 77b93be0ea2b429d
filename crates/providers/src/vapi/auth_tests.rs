//! Unit tests of `auth`: RFC 4231/2202 HMAC vectors (VAPI has no official ones), the
//! payload template, and the secret and HMAC checks.

use super::*;

fn secret(s: &str) -> SecretString {
    SecretString::from(s)
}

#[test]
fn hmac_matches_rfc_4231_and_2202() {
    let jefe = (b"Jefe".as_slice(), b"what do ya want for nothing?".as_slice());
    assert_eq!(
        hex::encode(mac_bytes::<Hmac<sha2::Sha256>>(jefe.0, jefe.1).unwrap()),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hex::encode(mac_bytes::<Hmac<sha2::Sha512>>(jefe.0, jefe.1).unwrap()),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
    );
    // Test case 6: a key longer than the block is hashed first.
    let long_key = [0xaa_u8; 131];
    let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
    assert_eq!(
        hex::encode(mac_bytes::<Hmac<sha2::Sha256>>(&long_key, data).unwrap()),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    assert_eq!(
        hex::encode(mac_bytes::<Hmac<sha2::Sha512>>(&long_key, data).unwrap()),
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
    );
    let plan =
        HmacPlan { algorithm: HmacAlgorithm::Sha1, payload_format: "{body}".into(), ..HmacPlan::default() };
    let request = request(jefe.1, None, None);
    assert_eq!(
        compute_hmac_signature(&plan, &secret("Jefe"), &request).ok().as_deref(),
        Some("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    );
}

fn request<'a>(body: &'a [u8], signature: Option<&'a str>, timestamp: Option<&'a str>) -> SignedRequest<'a> {
    SignedRequest {
        method: "POST",
        url: "https://clinic.example/webhooks/vapi/t1",
        body,
        signature,
        timestamp,
        svix_id: Some("msg_1"),
    }
}

const BODY: &[u8] = br#"{"message":{"type":"hang","call":{"id":"c1"}}}"#;

#[test]
fn default_plan_signs_timestamp_dot_body_in_hex() {
    let plan = HmacPlan::default();
    let key = secret("whsec-test");
    let unsigned = request(BODY, None, Some("1759740000"));
    let signature = compute_hmac_signature(&plan, &key, &unsigned).expect("signs");
    let expected =
        mac_bytes::<Hmac<sha2::Sha256>>(b"whsec-test", &[b"1759740000.".as_slice(), BODY].concat()).unwrap();
    assert_eq!(signature, hex::encode(expected));
    let now = jiff::Timestamp::from_second(1_759_740_010).expect("valid");
    assert_eq!(verify_hmac(&plan, &key, &request(BODY, Some(&signature), Some("1759740000")), now), Ok(()));
    // Upper-case hex is the same digest.
    let upper = signature.to_uppercase();
    assert_eq!(verify_hmac(&plan, &key, &request(BODY, Some(&upper), Some("1759740000")), now), Ok(()));
    // Another timestamp, body or key breaks it.
    let other_ts = request(BODY, Some(&signature), Some("1759740001"));
    assert_eq!(verify_hmac(&plan, &key, &other_ts, now), Err(HmacError::Mismatch));
    let other_body = request(b"{}", Some(&signature), Some("1759740000"));
    assert_eq!(verify_hmac(&plan, &key, &other_body, now), Err(HmacError::Mismatch));
    let valid = request(BODY, Some(&signature), Some("1759740000"));
    assert_eq!(verify_hmac(&plan, &secret("other"), &valid, now), Err(HmacError::Mismatch));
    assert_eq!(verify_hmac(&plan, &secret(""), &valid, now), Err(HmacError::NoSecret));
    let missing = request(BODY, None, Some("1759740000"));
    assert_eq!(verify_hmac(&plan, &key, &missing, now), Err(HmacError::MissingSignature));
    let no_ts = request(BODY, Some(&signature), None);
    assert_eq!(verify_hmac(&plan, &key, &no_ts, now), Err(HmacError::MissingTimestamp));
}

#[test]
fn prefix_base64_template_and_base64_secret() {
    let plan = HmacPlan {
        algorithm: HmacAlgorithm::Sha512,
        payload_format: "{method} {url} {svix-id} {timestamp}:{body}".into(),
        signature_encoding: SignatureEncoding::Base64,
        signature_prefix: Some("sha512=".into()),
        secret_is_base64: true,
        ..HmacPlan::default()
    };
    let key = secret("a2V5LWJ5dGVz"); // base64("key-bytes")
    let unsigned = request(BODY, None, Some("1"));
    let signature = compute_hmac_signature(&plan, &key, &unsigned).expect("signs");
    let message = [b"POST https://clinic.example/webhooks/vapi/t1 msg_1 1:".as_slice(), BODY].concat();
    let expected =
        format!("sha512={}", BASE64.encode(mac_bytes::<Hmac<sha2::Sha512>>(b"key-bytes", &message).unwrap()));
    assert_eq!(signature, expected);
    let now = jiff::Timestamp::UNIX_EPOCH;
    assert_eq!(verify_hmac(&plan, &key, &request(BODY, Some(&signature), Some("1")), now), Ok(()));
    let unprefixed = signature.trim_start_matches("sha512=");
    let bare = request(BODY, Some(unprefixed), Some("1"));
    assert_eq!(verify_hmac(&plan, &key, &bare, now), Err(HmacError::Mismatch));
    assert_eq!(verify_hmac(&plan, &secret("not base64!"), &bare, now), Err(HmacError::NoSecret));
}

#[test]
fn skew_window_reads_seconds_and_milliseconds() {
    let plan = HmacPlan { max_skew: Some(Duration::from_secs(300)), ..HmacPlan::default() };
    let key = secret("k");
    let now = jiff::Timestamp::from_second(1_759_740_000).expect("valid");
    let check = |ts: &str| {
        let unsigned = request(BODY, None, Some(ts));
        let signature = compute_hmac_signature(&plan, &key, &unsigned).expect("signs");
        verify_hmac(&plan, &key, &request(BODY, Some(&signature), Some(ts)), now)
    };
    assert_eq!(check("1759740100"), Ok(()));
    assert_eq!(check("1759740100000"), Ok(()));
    assert_eq!(check("1759739000"), Err(HmacError::StaleTimestamp));
    assert_eq!(check("1759741000000"), Err(HmacError::StaleTimestamp));
    assert_eq!(check("yesterday"), Err(HmacError::StaleTimestamp));
}

#[test]
fn secret_header_is_exact() {
    let expected = secret("s3cr3t");
    assert!(verify_secret(&expected, Some("s3cr3t")));
    assert!(!verify_secret(&expected, Some("s3cr3")));
    assert!(!verify_secret(&expected, Some("s3cr3t ")));
    assert!(!verify_secret(&expected, None));
    assert!(!verify_secret(&secret(""), Some("")));
}
