//! VAPI reports on a call Frontdesk is placing before the placing job has saved VAPI's
//! call id (VAPI starts dialing before it answers the request): the webhook and the job
//! converge on the one call record, on SQLite and PostgreSQL.

use frontdesk_test_support::{TestApp, backend_tests};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "vapi-server-secret";

backend_tests!(a_message_before_the_call_id_is_saved_makes_no_second_call);

async fn a_message_before_the_call_id_is_saved_makes_no_second_call(app: TestApp) {
    let (_, key) = app.tenant_with_key("corrida").await;
    let vapi = MockServer::start().await;
    // VAPI answers the placing request late; its first message comes in before.
    Mock::given(method("POST"))
        .and(path("/call"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "vapi-call-7", "status": "queued"}))
                .set_delay(Duration::from_millis(800)),
        )
        .mount(&vapi)
        .await;
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&json!({"voice": {"provider": "vapi", "vapi": {"base_url": vapi.uri(), "api_key": "vapi-private-key",
            "assistant_id": "asst-out", "phone_number_id": "pn-1", "server_secret": SECRET}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let patient: Value = app
        .post("/api/v1/patients", &key)
        .json(&json!({"name": "João Pereira", "phone": "+5511988880000"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call: Value = app
        .post("/api/v1/calls", &key)
        .json(&json!({"patient_id": patient["id"], "reason": "confirmation"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let call_id = call["id"].as_str().unwrap().to_owned();

    let runner = app.runner.clone();
    let placing = tokio::spawn(async move { runner.run_pending().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let early = json!({"message": {"type": "status-update", "status": "in-progress", "call": {
        "id": "vapi-call-7", "assistantOverrides": {"metadata": {"frontdeskCallId": call_id}}}}});
    let r = app
        .http
        .post(app.url("/webhooks/vapi/corrida"))
        .header("X-Vapi-Secret", SECRET)
        .json(&early)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!placing.is_finished(), "the message must arrive while VAPI has not answered yet");
    placing.await.unwrap();

    let list: Value = app.get("/api/v1/calls", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "one call record: {list}");
    let detail: Value =
        app.get(&format!("/api/v1/calls/{call_id}"), &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(detail["provider_call_id"], "vapi-call-7", "{detail}");
    // The job's save did not wind the call back from what VAPI reported.
    assert_ne!(detail["status"], "scheduled", "{detail}");
    assert_ne!(detail["status"], "queued", "{detail}");
    assert_ne!(detail["status"], "failed", "{detail}");
    // Later messages find it by VAPI's id alone.
    let ended =
        json!({"message": {"type": "status-update", "status": "ended", "call": {"id": "vapi-call-7"}}});
    let r = app
        .http
        .post(app.url("/webhooks/vapi/corrida"))
        .header("X-Vapi-Secret", SECRET)
        .json(&ended)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list: Value = app.get("/api/v1/calls", &key).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["items"][0]["status"], "ended", "{list}");
}
