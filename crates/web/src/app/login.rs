//! Signing in and out.

use super::i18n::{self, Texts};
use super::page::{browser_locale, internal, problem_page, render};
use super::session::{Staff, removal, same_origin, session_cookie};
use crate::AppState;
use crate::ratelimit::ClientIp;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use frontdesk_engine::staff::{self, SignInError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Texts,
    problem: Option<&'static str>,
    email: String,
}

/// `/`: the app when signed in, else the sign-in form.
pub async fn root(staff: Result<Staff, Response>) -> Redirect {
    Redirect::to(if staff.is_ok() { "/app" } else { "/login" })
}

#[derive(Deserialize)]
pub struct LoginQuery {
    ended: Option<String>,
}

pub async fn form(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let t = i18n::texts(browser_locale(&headers));
    let problem = q.ended.is_some().then_some(t.session_ended);
    render(&LoginPage { t, problem, email: String::new() }, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let locale = browser_locale(&headers);
    let t = i18n::texts(locale);
    if !same_origin(&headers) {
        return problem_page(locale, StatusCode::FORBIDDEN);
    }
    let again =
        |problem, status| render(&LoginPage { t, problem: Some(problem), email: form.email.clone() }, status);
    if state.limits.check_sign_in(ip, &form.email).is_err() {
        return again(t.too_many_attempts, StatusCode::TOO_MANY_REQUESTS);
    }
    match staff::sign_in(&state.ctx, &form.email, &form.password).await {
        Ok(signed_in) => {
            let secure = state.config.public_url.starts_with("https://");
            // With a second factor on, the session opens no page until the code is given.
            let next = if signed_in.session.awaiting_code { "/login/code" } else { "/app" };
            (jar.add(session_cookie(signed_in.token, secure)), Redirect::to(next)).into_response()
        }
        Err(SignInError::WrongCredentials) => again(t.wrong_credentials, StatusCode::UNAUTHORIZED),
        Err(SignInError::Store(e)) => internal(locale, &e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = staff.check_csrf(&form.csrf) {
        return refused;
    }
    if let Err(e) = staff::sign_out(&state.ctx, staff.session.id).await {
        return internal(staff.locale(), &e);
    }
    (jar.remove(removal()), Redirect::to("/login")).into_response()
}
