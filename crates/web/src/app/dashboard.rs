//! The dashboard's place in the app. The funnel's figures come with the analytics work;
//! until then the page says so, rather than the navigation hiding where they will be.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::render;
use super::session::Staff;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: &'static Texts,
    chrome: Chrome,
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    match Chrome::new(&state, &staff, "dashboard").await {
        Ok(chrome) => render(&DashboardPage { t: staff.texts(), chrome }, StatusCode::OK),
        Err(refused) => refused,
    }
}
