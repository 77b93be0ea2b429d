//! A person's own page: who they are and the app's language for them (their choice, or the
//! clinic's when they have none).

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{internal, problem_page, render};
use super::session::{Staff, same_origin};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::tenant::Locale;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    t: &'static Texts,
    chrome: Chrome,
    email: String,
    role: &'static str,
    /// `""` for the clinic's default.
    current: &'static str,
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    let chrome = match Chrome::new(&state, &staff, "me").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let page = MePage {
        t,
        chrome,
        email: staff.user.email.as_str().to_owned(),
        role: t.role(staff.user.role),
        current: staff.user.locale.map_or("", |l| l.as_str()),
    };
    render(&page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    locale: String,
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<LocaleForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf) {
        return refused;
    }
    let locale = match form.locale.as_str() {
        "" => None,
        other => match Locale::parse(other) {
            Ok(l) => Some(l),
            Err(_) => return problem_page(staff.locale(), StatusCode::UNPROCESSABLE_ENTITY),
        },
    };
    let mut user = staff.user.clone();
    user.locale = locale;
    if let Err(e) = state.ctx.store.save_user(&user).await {
        return internal(staff.locale(), &e);
    }
    Redirect::to("/app/me").into_response()
}
