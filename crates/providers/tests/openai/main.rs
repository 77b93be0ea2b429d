//! The OpenAI-compatible client against a real local HTTP server (wiremock): a multipart
//! transcription and a JSON-schema chat completion, with and without a key, and the
//! error mapping that callers use to fall back.

use frontdesk_providers::openai::{JsonCompleter, OpenAiClient, OpenAiConfig, OpenAiError, Transcriber};
use secrecy::SecretString;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer, key: Option<&str>, model: &str) -> OpenAiClient {
    OpenAiClient::new(OpenAiConfig {
        base_url: format!("{}/v1/", server.uri()),
        api_key: key.map(SecretString::from),
        model: model.into(),
        timeout: Duration::from_millis(500),
        // The mock listens on 127.0.0.1.
        allow_private_network: true,
    })
    .unwrap()
}

#[tokio::test]
async fn transcription_posts_the_audio_as_multipart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"text": "quero marcar amanhã de manhã"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let text = client(&server, Some("sk-test"), "whisper-1")
        .transcribe(b"OggS-fake-audio".to_vec(), "voice.ogg", "audio/ogg", Some("pt"))
        .await
        .unwrap();
    assert_eq!(text, "quero marcar amanhã de manhã");
    let request: Request = server.received_requests().await.unwrap().remove(0);
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    let body = String::from_utf8_lossy(&request.body);
    for needle in [
        "name=\"file\"; filename=\"voice.ogg\"",
        "Content-Type: audio/ogg",
        "OggS-fake-audio",
        "name=\"model\"",
        "whisper-1",
        "name=\"language\"",
        "name=\"response_format\"",
    ] {
        assert!(body.contains(needle), "missing {needle:?} in {body}");
    }
}

#[tokio::test]
async fn a_local_server_needs_no_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "oi"})))
        .mount(&server)
        .await;
    let text =
        client(&server, None, "small").transcribe(vec![1, 2, 3], "a.ogg", "audio/ogg", None).await.unwrap();
    assert_eq!(text, "oi");
    let request = server.received_requests().await.unwrap().remove(0);
    assert!(request.headers.get("authorization").is_none());
}

#[tokio::test]
async fn json_completion_sends_the_schema_and_parses_the_content() {
    let server = MockServer::start().await;
    let content = json!({"intent": "booking_request", "confidence": 0.92}).to_string();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"choices": [{"message": {"role": "assistant", "content": content}}]})),
        )
        .mount(&server)
        .await;
    let schema =
        json!({"type": "object", "properties": {"intent": {"type": "string"}}, "required": ["intent"]});
    let answer = client(&server, Some("k"), "gpt-4o-mini")
        .complete_json("Classify.", "qro marcar", "intent", &schema)
        .await
        .unwrap();
    assert_eq!(answer["intent"], "booking_request");
    let request = server.received_requests().await.unwrap().remove(0);
    let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(sent["model"], "gpt-4o-mini");
    assert_eq!(sent["messages"][1]["content"], "qro marcar");
    assert_eq!(sent["response_format"]["type"], "json_schema");
    assert_eq!(sent["response_format"]["json_schema"]["schema"], schema);
}

#[tokio::test]
async fn failures_map_to_errors_callers_can_fall_back_on() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"choices": [{"message": {"content": "not json"}}]})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/audio/transcriptions"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"message": "bad audio from +5511987654321"}})),
        )
        .mount(&server)
        .await;
    let c = client(&server, None, "m");
    assert!(matches!(c.complete_json("s", "u", "x", &json!({})).await, Err(OpenAiError::InvalidResponse(_))));
    match c.transcribe(vec![0], "a.ogg", "audio/ogg", None).await {
        Err(OpenAiError::Rejected { status: 400, message }) => {
            assert!(!message.contains("987654321"), "digits are masked: {message}")
        }
        other => panic!("{other:?}"),
    }
    // A server that answers too slowly is unreachable, not a hang.
    let slow = MockServer::start().await;
    Mock::given(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&slow)
        .await;
    let started = std::time::Instant::now();
    assert!(matches!(
        client(&slow, None, "m").complete_json("s", "u", "x", &json!({})).await,
        Err(OpenAiError::Unreachable(_))
    ));
    assert!(started.elapsed() < Duration::from_millis(1500));
    let limited = MockServer::start().await;
    Mock::given(path("/v1/chat/completions")).respond_with(ResponseTemplate::new(429)).mount(&limited).await;
    assert!(matches!(
        client(&limited, None, "m").complete_json("s", "u", "x", &json!({})).await,
        Err(OpenAiError::RateLimited)
    ));
}
