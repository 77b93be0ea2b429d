//! Downloading an inbound voice note: with the account's credentials, only from the
//! account's own media on the API host, never from inside the network, within time and size.

use super::support::{ACCOUNT_SID, BASIC, CLINIC, config};
use frontdesk_providers::media::{MediaError, MediaPolicy};
use frontdesk_providers::twilio::{TwilioApi, TwilioClient, TwilioError, TwilioSender};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn media_path(me: &str) -> String {
    format!("/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM1/Media/{me}")
}

/// A client for the mock, which lives on 127.0.0.1: only tests allow that.
fn client(server: &MockServer, policy: MediaPolicy) -> TwilioClient {
    let config = config(&server.uri(), TwilioSender::Number(CLINIC.into())).with_media_policy(policy);
    TwilioClient::new(config).expect("client builds")
}

fn local() -> MediaPolicy {
    MediaPolicy::default().with_private_network(true)
}

#[tokio::test]
async fn media_is_fetched_with_basic_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(media_path("ME1")))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"OggS-voice".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let url = format!("{}{}", server.uri(), media_path("ME1"));
    assert_eq!(client(&server, local()).fetch_media(&url).await.unwrap(), b"OggS-voice");
}

#[tokio::test]
async fn refused_or_bad_media_urls_are_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let c = client(&server, local());
    let gone = format!("{}{}", server.uri(), media_path("gone"));
    assert!(matches!(c.fetch_media(&gone).await, Err(TwilioError::Media(MediaError::Rejected(404)))));
    for bad in [
        "file:///etc/passwd".to_owned(),
        "not a url".to_owned(),
        // Not this account's media: credentials must not go there.
        format!("{}/2010-04-01/Accounts/ACother/Messages/MM1/Media/ME1", server.uri()),
        format!("{}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", server.uri()),
        format!("https://evil.example{}", media_path("ME1")),
    ] {
        assert!(matches!(c.fetch_media(&bad).await, Err(TwilioError::InvalidRequest(_))), "{bad}");
    }
}

/// The production policy refuses loopback and the cloud metadata address before any
/// request is made, even when the client's API host is that address.
#[tokio::test]
async fn private_and_metadata_addresses_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"secret".to_vec()))
        .expect(0)
        .mount(&server)
        .await;
    let strict = client(&server, MediaPolicy::default());
    let loopback = format!("{}{}", server.uri(), media_path("ME1"));
    let refused = strict.fetch_media(&loopback).await;
    assert!(matches!(refused, Err(TwilioError::Media(MediaError::Refused(_)))), "{refused:?}");
    assert!(!refused.unwrap_err().is_retryable());

    let metadata = TwilioClient::new(
        config("http://169.254.169.254", TwilioSender::Number(CLINIC.into()))
            .with_media_policy(MediaPolicy::default()),
    )
    .unwrap();
    let url = format!("http://169.254.169.254{}", media_path("ME1"));
    assert!(matches!(metadata.fetch_media(&url).await, Err(TwilioError::Media(MediaError::Refused(_)))));
}

/// Twilio redirects to its CDN: followed without credentials, but only to Twilio's hosts.
#[tokio::test]
async fn redirects_are_checked_and_carry_no_credentials() {
    let server = MockServer::start().await;
    let cdn = format!("{}/cdn/ME1", server.uri());
    Mock::given(method("GET"))
        .and(path(media_path("ME1")))
        .respond_with(ResponseTemplate::new(307).insert_header("location", cdn.as_str()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cdn/ME1"))
        .respond_with(move |req: &wiremock::Request| {
            if req.headers.contains_key("authorization") {
                ResponseTemplate::new(400)
            } else {
                ResponseTemplate::new(200).set_body_bytes(b"OggS".to_vec())
            }
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(media_path("ME2")))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "http://example.org/steal"))
        .mount(&server)
        .await;
    let c = client(&server, local());
    assert_eq!(c.fetch_media(&format!("{}{}", server.uri(), media_path("ME1"))).await.unwrap(), b"OggS");
    let off_host = c.fetch_media(&format!("{}{}", server.uri(), media_path("ME2"))).await;
    assert!(matches!(off_host, Err(TwilioError::Media(MediaError::Refused(_)))), "{off_host:?}");
}

#[tokio::test]
async fn a_slow_media_server_times_out_and_a_huge_file_is_cut() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(media_path("slow")))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(media_path("huge")))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0u8; 4096]))
        .mount(&server)
        .await;
    let policy = MediaPolicy { timeout: Duration::from_millis(300), max_bytes: 1024, ..local() };
    let c = client(&server, policy);
    let slow = c.fetch_media(&format!("{}{}", server.uri(), media_path("slow"))).await;
    assert!(matches!(slow, Err(TwilioError::Media(MediaError::TimedOut))), "{slow:?}");
    assert!(slow.unwrap_err().is_retryable());
    let huge = c.fetch_media(&format!("{}{}", server.uri(), media_path("huge"))).await;
    assert!(matches!(huge, Err(TwilioError::Media(MediaError::TooLarge(1024)))), "{huge:?}");
}
