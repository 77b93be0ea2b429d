//! A patient writing to a clinic on WhatsApp, as the conversation suites drive it: a
//! clinic with a calendar and Twilio (a local mock) set up, messages posted through the
//! signed inbound webhook, jobs run, and the clinic's replies read back from the API.

use crate::{
    CalendarSpec, TestApp, get, mock_twilio, patch, post_signed_twilio, setup_calendar, twilio_messaging,
};
use frontdesk_domain::tenant::NewTenant;
use frontdesk_engine::{access, tenants};
use serde_json::json;
use wiremock::MockServer;

pub const TWILIO_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const TWILIO_TOKEN: &str = "12345";

/// A clinic in São Paulo (in `locale`) with the default calendar and WhatsApp through a
/// mock Twilio: its API key and the mock.
pub async fn whatsapp_clinic(app: &TestApp, slug: &str, locale: &str) -> (String, MockServer) {
    let new = NewTenant::parse(slug, "Clínica Sorriso", "America/Sao_Paulo", locale).unwrap();
    let tenant = tenants::create_tenant(&app.ctx, &new).await.unwrap();
    let (_, secret) = access::issue_api_key(&app.ctx, tenant.id, "test").await.unwrap();
    let key = secret.expose().to_owned();
    setup_calendar(app, &key, CalendarSpec::default()).await;
    let twilio = mock_twilio(TWILIO_SID).await;
    let settings = json!({"messaging": twilio_messaging(&twilio, TWILIO_SID, TWILIO_TOKEN)});
    let (status, answer) = patch(app, &key, "/api/v1/settings", settings).await;
    assert_eq!(status, 200, "{answer}");
    (key, twilio)
}

/// The patient `from` writes `text` (a signed Twilio webhook), the jobs run, and the
/// clinic's replies to it come back, oldest first.
pub async fn say(app: &TestApp, key: &str, from: &str, text: &str) -> Vec<String> {
    say_with_media(app, key, from, text, &[]).await
}

/// `say` from a WhatsApp profile named `profile` (the name Twilio passes as `ProfileName`),
/// with attachments (`(url, content type)` each).
pub async fn say_as(
    app: &TestApp,
    key: &str,
    from: &str,
    profile: Option<&str>,
    text: &str,
    media: &[(&str, &str)],
) -> Vec<String> {
    let before = replies_to(app, key, from).await.len();
    post_message(app, key, from, profile, text, media).await;
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    replies_to(app, key, from).await.split_off(before)
}

/// `say` with attachments: `(url, content type)` each.
pub async fn say_with_media(
    app: &TestApp,
    key: &str,
    from: &str,
    text: &str,
    media: &[(&str, &str)],
) -> Vec<String> {
    say_as(app, key, from, None, text, media).await
}

/// Posts one message of the patient's through the signed webhook without running the
/// jobs (to send several before any is answered).
pub async fn deliver(app: &TestApp, key: &str, from: &str, text: &str, media: &[(&str, &str)]) {
    post_message(app, key, from, None, text, media).await;
}

async fn post_message(
    app: &TestApp,
    key: &str,
    from: &str,
    profile: Option<&str>,
    text: &str,
    media: &[(&str, &str)],
) {
    let slug = get(app, key, "/api/v1/tenant").await["slug"].as_str().unwrap().to_owned();
    let sid = format!("SM{}", uuid::Uuid::now_v7().simple());
    let whatsapp = format!("whatsapp:{from}");
    let count = media.len().to_string();
    let mut params: Vec<(String, String)> = [
        ("MessageSid", sid.as_str()),
        ("AccountSid", TWILIO_SID),
        ("From", whatsapp.as_str()),
        ("To", "whatsapp:+14155238886"),
        ("Body", text),
        ("NumMedia", count.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if let Some(name) = profile {
        params.push(("ProfileName".to_owned(), name.to_owned()));
    }
    for (i, (url, content_type)) in media.iter().enumerate() {
        params.push((format!("MediaUrl{i}"), (*url).to_owned()));
        params.push((format!("MediaContentType{i}"), (*content_type).to_owned()));
    }
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let path = format!("/webhooks/twilio/{slug}/messages");
    let r = post_signed_twilio(app, &path, &params, TWILIO_TOKEN).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// Every message the clinic sent `from` on WhatsApp, oldest first.
pub async fn replies_to(app: &TestApp, key: &str, from: &str) -> Vec<String> {
    let patients = get(app, key, &format!("/api/v1/patients?phone={}", from.replace('+', "%2B"))).await;
    let Some(patient) = patients["items"][0]["id"].as_str() else { return Vec::new() };
    let list = get(app, key, &format!("/api/v1/conversations?patient_id={patient}")).await;
    let Some(id) = list["items"][0]["id"].as_str() else { return Vec::new() };
    let c = get(app, key, &format!("/api/v1/conversations/{id}")).await;
    c["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}
