//! Provider webhooks signed the way the provider signs them.

use crate::TestApp;

/// The public URL a `TestApp` signs over: its configuration's default, `http://<bind>`.
pub const TWILIO_PUBLIC_BASE: &str = "http://127.0.0.1:8080";

/// Posts a Twilio webhook to `path`, signed with `token` over the public URL and all params.
pub async fn post_signed_twilio(
    app: &TestApp,
    path: &str,
    params: &[(&str, &str)],
    token: &str,
) -> reqwest::Response {
    let signature = frontdesk_providers::twilio::compute_signature(
        token,
        &format!("{TWILIO_PUBLIC_BASE}{path}"),
        params.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    app.http
        .post(app.url(path))
        .header("X-Twilio-Signature", signature)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}
