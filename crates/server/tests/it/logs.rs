//! No personal data in log lines. Its own test binary, because it installs the global
//! log subscriber (the same one the binary uses) writing into a buffer.

use frontdesk_server::config::{Config, LogFormat};
use frontdesk_test_support::{Backend, TestApp};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const PHONE: &str = "5511987654321";
const EMAIL: &str = "maria.silva@example.com";
const NAME: &str = "Maria Aparecida Silva";
const MESSAGE: &str = "tenho dor de dente desde ontem";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_carrying_personal_data_leave_none_in_logs() {
    let buffer = Buffer::default();
    // Debug level, so library logging (sqlx statements, hyper) is captured too.
    let config = Config { log_format: LogFormat::Json, log_level: "debug".into(), ..Config::default() };
    let _tracing = frontdesk_server::logging::init(&config, buffer.clone());

    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn(backend).await else { continue };
        let (_, key) = app.tenant_with_key("privacy").await;
        let pii_json =
            json!({"name": NAME, "email": EMAIL, "phone": format!("+{PHONE}"), "message": MESSAGE});
        // Personal data in the path, the query, headers and bodies; accepted and rejected.
        app.get(&format!("/api/v1/patients/+{PHONE}"), &key).send().await.unwrap();
        app.get(&format!("/api/v1/jobs?phone=%2B{PHONE}&email={EMAIL}"), &key).send().await.unwrap();
        app.get(&format!("/api/v1/jobs?status={EMAIL}"), &key).send().await.unwrap();
        app.post("/api/v1/api-keys", &key)
            .header("X-Patient-Name", NAME)
            .json(&json!({"name": EMAIL}))
            .send()
            .await
            .unwrap();
        app.post("/api/v1/api-keys", &key).json(&pii_json).send().await.unwrap();
        app.post("/api/v1/api-keys", &key)
            .header("content-type", "application/json")
            .body(format!("{{\"name\": \"{NAME}\", {PHONE}"))
            .send()
            .await
            .unwrap();
        app.http
            .patch(app.url("/api/v1/tenant"))
            .header("X-API-KEY", &key)
            .json(&json!({"locale": MESSAGE}))
            .send()
            .await
            .unwrap();
        app.http.get(app.url(&format!("/health?email={EMAIL}"))).send().await.unwrap();
        let booking = json!({
            "patient": {"name": NAME, "phone": format!("+{PHONE}"), "email": EMAIL},
            "practitioner_id": uuid::Uuid::now_v7(), "location_id": uuid::Uuid::now_v7(),
            "service_id": uuid::Uuid::now_v7(), "start": "2026-06-03T13:00:00Z",
        });
        app.post("/api/v1/appointments", &key).json(&booking).send().await.unwrap();
        let bad_phone = json!({"patient": {"name": NAME, "phone": "12"}, "practitioner_id": uuid::Uuid::now_v7(),
            "location_id": uuid::Uuid::now_v7(), "service_id": uuid::Uuid::now_v7(), "start": "2026-06-03T13:00:00Z"});
        app.post("/api/v1/appointments", &key).json(&bad_phone).send().await.unwrap();
        app.http
            .get(app.url("/api/v1/tenant"))
            .header("X-API-KEY", format!("fdk_{PHONE}"))
            .send()
            .await
            .unwrap();
    }

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request finished"), "the capture works: {logs}");
    assert!(logs.contains("/api/v1/jobs"), "route templates are logged");
    for secret in [PHONE, EMAIL, NAME, MESSAGE, "Maria", "dor de dente"] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs");
    }
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every log line is JSON");
    }
}
