//! JSON calls with an API key, the way every suite makes them.

use crate::TestApp;
use serde_json::Value;

/// `POST path` with a JSON body: the status and the JSON answer (`null` when it has none).
pub async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app.post(path, key).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `GET path`, which must answer 200: its JSON.
pub async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let r = app.get(path, key).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

/// `PATCH path` with a JSON body: the status and the JSON answer.
pub async fn patch(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app.http.patch(app.url(path)).header("X-API-KEY", key).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `PUT path` with a JSON body: the status and the JSON answer.
pub async fn put(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let r = app.http.put(app.url(path)).header("X-API-KEY", key).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A client that leaves redirects for the test to look at (a sign-in redirect, a
/// `Location`), instead of following them as `TestApp::http` does.
pub fn without_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}
