//! The TOTP second factor: the code asked after the password (a half-signed-in session opens
//! no page until then), and enrolment from "My profile" (a secret shown once a person asks,
//! switched on only when a code from their app confirms it; switched off only with a code).

use super::i18n::{self, Texts};
use super::me;
use super::page::{browser_locale, internal, problem_page, render};
use super::session::{COOKIE, Staff, removal, same_origin};
use crate::AppState;
use crate::ratelimit::ClientIp;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use frontdesk_domain::staff::totp::TotpError;
use frontdesk_domain::staff::{SessionPolicy, SessionRecord, User};
use frontdesk_engine::staff::{self, CodeError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    t: &'static Texts,
    csrf: String,
    problem: Option<&'static str>,
}

/// The half-signed-in session behind the cookie, or the way back to the sign-in form.
async fn half_signed_in(
    state: &AppState,
    jar: &CookieJar,
    headers: &HeaderMap,
) -> Result<(User, SessionRecord), Response> {
    let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
        return Err(Redirect::to("/login").into_response());
    };
    match staff::awaiting_code(&state.ctx, &token, &SessionPolicy::default()).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err((jar.clone().remove(removal()), Redirect::to("/login?ended=1")).into_response()),
        Err(e) => Err(internal(browser_locale(headers), &e)),
    }
}

fn texts_for(user: &User, headers: &HeaderMap) -> &'static Texts {
    i18n::texts(user.locale.unwrap_or_else(|| browser_locale(headers)))
}

/// What a refused code means, in the person's words.
pub fn code_problem(t: &'static Texts, e: &TotpError) -> &'static str {
    match e {
        TotpError::Malformed => t.code_malformed,
        TotpError::Wrong => t.code_wrong,
        TotpError::Replayed => t.code_replayed,
    }
}

pub async fn prompt(State(state): State<AppState>, headers: HeaderMap, jar: CookieJar) -> Response {
    let (user, session) = match half_signed_in(&state, &jar, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    render(
        &CodePage { t: texts_for(&user, &headers), csrf: session.csrf_token, problem: None },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<CodeForm>,
) -> Response {
    let (user, session) = match half_signed_in(&state, &jar, &headers).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let t = texts_for(&user, &headers);
    let csrf_ok = subtle::ConstantTimeEq::ct_eq(session.csrf_token.as_bytes(), form.csrf.as_bytes());
    if !same_origin(&headers) || !bool::from(csrf_ok) {
        return problem_page(browser_locale(&headers), StatusCode::FORBIDDEN);
    }
    let again = |problem, status| {
        render(&CodePage { t, csrf: session.csrf_token.clone(), problem: Some(problem) }, status)
    };
    // Codes are throttled like passwords: six digits must not be guessable by brute force.
    if state.limits.check_sign_in(ip, user.email.as_str()).is_err() {
        return again(t.too_many_attempts, StatusCode::TOO_MANY_REQUESTS);
    }
    match staff::confirm_sign_in(&state.ctx, &user, &session, &form.code).await {
        Ok(()) => Redirect::to("/app").into_response(),
        Err(CodeError::Code(e)) => again(code_problem(t, &e), StatusCode::UNAUTHORIZED),
        Err(CodeError::NotEnrolled | CodeError::NotAllowed) => Redirect::to("/login").into_response(),
        Err(CodeError::Store(e)) => internal(t_locale(&user, &headers), &e),
    }
}

fn t_locale(user: &User, headers: &HeaderMap) -> frontdesk_domain::tenant::Locale {
    user.locale.unwrap_or_else(|| browser_locale(headers))
}

/// `/app/me/totp/{start|enable|disable}`.
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(action): Path<String>,
    Form(form): Form<CodeForm>,
) -> Response {
    if !same_origin(&headers) {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    if let Err(refused) = staff.check_csrf(&form.csrf) {
        return refused;
    }
    if !staff.user.role.may_use_totp() {
        return problem_page(staff.locale(), StatusCode::FORBIDDEN);
    }
    let t = staff.texts();
    if action != "start" && state.limits.check_sign_in(ip, staff.user.email.as_str()).is_err() {
        return me::page(
            &state,
            &staff,
            &staff.user,
            Some(t.too_many_attempts),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let changed = match action.as_str() {
        "start" => staff::start_totp(&state.ctx, &staff.user).await,
        "enable" => staff::enable_totp(&state.ctx, &staff.user, &form.code).await,
        "disable" => staff::disable_totp(&state.ctx, &staff.user, &form.code).await,
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    };
    match changed {
        Ok(_) => Redirect::to("/app/me").into_response(),
        Err(CodeError::Code(e)) => {
            me::page(&state, &staff, &staff.user, Some(code_problem(t, &e)), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(CodeError::NotEnrolled | CodeError::NotAllowed) => Redirect::to("/app/me").into_response(),
        Err(CodeError::Store(e)) => internal(staff.locale(), &e),
    }
}
