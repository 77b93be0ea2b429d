//! `/invite/{token}`: a new team member follows their one-time link, chooses a password and
//! is signed in. The link is spent by the first successful submit.

use super::i18n::{self, Texts};
use super::page::{browser_locale, internal, problem_page, render};
use super::session::{same_origin, session_cookie};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use frontdesk_domain::staff::{User, UserError};
use frontdesk_engine::staff::{self, InviteError};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    t: &'static Texts,
    /// `None` when the link is closed (unknown, lapsed or used).
    person: Option<Person>,
    token: String,
    problem: Option<&'static str>,
}

struct Person {
    name: String,
    email: String,
    clinic: String,
}

async fn person(state: &AppState, user: &User) -> Person {
    let clinic =
        state.ctx.store.tenant_by_id(user.tenant_id).await.ok().flatten().map(|t| t.name).unwrap_or_default();
    Person { name: user.first_name().to_owned(), email: user.email.as_str().to_owned(), clinic }
}

fn closed(t: &'static Texts, token: String) -> Response {
    render(&InvitePage { t, person: None, token, problem: None }, StatusCode::GONE)
}

pub async fn form(State(state): State<AppState>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let t = i18n::texts(browser_locale(&headers));
    match staff::open_invite(&state.ctx, &token).await {
        Ok(user) => {
            let person = Some(person(&state, &user).await);
            render(&InvitePage { t, person, token, problem: None }, StatusCode::OK)
        }
        Err(InviteError::Store(e)) => internal(browser_locale(&headers), &e),
        Err(_) => closed(t, token),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let locale = browser_locale(&headers);
    let t = i18n::texts(locale);
    // No session yet, so no CSRF token: the unguessable link in the path plays its part,
    // and a post from another site is refused.
    if !same_origin(&headers) {
        return problem_page(locale, StatusCode::FORBIDDEN);
    }
    match staff::accept_invite(&state.ctx, &token, &form.password).await {
        Ok(signed_in) => {
            let secure = state.config.public_url.starts_with("https://");
            (jar.add(session_cookie(signed_in.token, secure)), Redirect::to("/app")).into_response()
        }
        Err(InviteError::Invalid(e)) => {
            let problem = match e {
                UserError::PasswordTooLong => t.password_too_long,
                _ => t.password_too_short,
            };
            let user = match staff::open_invite(&state.ctx, &token).await {
                Ok(u) => u,
                Err(_) => return closed(t, token),
            };
            let person = Some(person(&state, &user).await);
            render(&InvitePage { t, person, token, problem: Some(problem) }, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(InviteError::Closed) => closed(t, token),
        Err(InviteError::Store(e)) => internal(locale, &e),
    }
}
