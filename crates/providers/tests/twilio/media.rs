//! Downloading an inbound voice note with the account's credentials.

use super::support::{BASIC, CLINIC, client};
use frontdesk_providers::twilio::{TwilioApi, TwilioError, TwilioSender};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn media_is_fetched_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"OggS-voice".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, TwilioSender::Number(CLINIC.into()));
    let url = format!("{}/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", server.uri());
    assert_eq!(c.fetch_media(&url).await.unwrap(), b"OggS-voice");
}

#[tokio::test]
async fn refused_or_bad_media_urls_are_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let c = client(&server, TwilioSender::Number(CLINIC.into()));
    assert!(matches!(
        c.fetch_media(&format!("{}/gone", server.uri())).await,
        Err(TwilioError::Rejected { status: 404, .. })
    ));
    assert!(matches!(c.fetch_media("file:///etc/passwd").await, Err(TwilioError::InvalidRequest(_))));
    assert!(matches!(c.fetch_media("not a url").await, Err(TwilioError::InvalidRequest(_))));
}
