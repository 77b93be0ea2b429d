//! Settings, people: owners and admins add team members, change their role (never above
//! their own: an admin cannot make or change an owner), disable them and sign them out
//! everywhere. Every change goes through the engine's staff accounts.

use super::chrome::Chrome;
use super::i18n::Texts;
use super::page::{internal, problem_page, render};
use super::session::{Staff, same_origin};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use frontdesk_domain::UserId;
use frontdesk_domain::contact::Email;
use frontdesk_domain::staff::{NewUser, Permission, Role, User, UserError};
use frontdesk_engine::staff::{self, AccountError};
use serde::Deserialize;
use uuid::Uuid;

pub struct Row {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub role_key: &'static str,
    pub state: &'static str,
    pub active: bool,
    pub me: bool,
    pub manageable: bool,
    /// No password yet: the person has not accepted their invitation.
    pub invited: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: &'static Texts,
    chrome: Chrome,
    users: Vec<Row>,
    /// Roles this person may give: (key, label).
    roles: Vec<(&'static str, &'static str)>,
    problem: Option<&'static str>,
    done: Option<&'static str>,
    /// A new one-time invitation link to hand over.
    invite_link: Option<String>,
}

fn guard(staff: &Staff, headers: Option<&HeaderMap>, csrf: Option<&str>) -> Result<(), Response> {
    if headers.is_some_and(|h| !same_origin(h)) {
        return Err(problem_page(staff.locale(), StatusCode::FORBIDDEN));
    }
    if let Some(csrf) = csrf {
        staff.check_csrf(csrf)?;
    }
    staff.require(Permission::ManageUsers)
}

async fn page(
    state: &AppState,
    staff: &Staff,
    problem: Option<&'static str>,
    done: Option<&'static str>,
    status: StatusCode,
) -> Response {
    page_with_invite(state, staff, problem, done, None, status).await
}

async fn page_with_invite(
    state: &AppState,
    staff: &Staff,
    problem: Option<&'static str>,
    done: Option<&'static str>,
    invite_link: Option<String>,
    status: StatusCode,
) -> Response {
    let t = staff.texts();
    let users = match state.ctx.store.list_users(staff.tenant.id).await {
        Ok(u) => u,
        Err(e) => return internal(staff.locale(), &e),
    };
    let rows = users
        .iter()
        .map(|u| Row {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.as_str().to_owned(),
            role: t.role(u.role),
            role_key: u.role.as_str(),
            state: if u.is_active() { t.active } else { t.disabled },
            active: u.is_active(),
            me: u.id == staff.user.id,
            manageable: u.id != staff.user.id && staff.user.role.may_assign(u.role),
            invited: u.password_hash.is_none(),
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| staff.user.role.may_assign(*r))
        .map(|r| (r.as_str(), t.role(r)))
        .collect();
    let chrome = match Chrome::new(state, staff, "settings").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&UsersPage { t, chrome, users: rows, roles, problem, done, invite_link }, status)
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(refused) = guard(&staff, None, None) {
        return refused;
    }
    page(&state, &staff, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn add(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<AddForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let t = staff.texts();
    let invalid = |problem| page(&state, &staff, Some(problem), None, StatusCode::UNPROCESSABLE_ENTITY);
    let Ok(email) = Email::parse(&form.email) else { return invalid(t.email_invalid).await };
    let role = match Role::parse(&form.role) {
        Ok(r) if staff.user.role.may_assign(r) => r,
        _ => return invalid(t.role_not_allowed).await,
    };
    let new = NewUser { tenant_id: staff.tenant.id, email, name: form.name, role };
    // No password typed: the person gets a one-time link to choose their own.
    let password = Some(form.password.as_str()).filter(|p| !p.is_empty());
    match staff::add_user(&state.ctx, new, password).await {
        Ok(user) if password.is_none() => invite_page(&state, &staff, &user).await,
        Ok(_) => page(&state, &staff, None, Some(t.user_added), StatusCode::OK).await,
        Err(AccountError::EmailTaken) => invalid(t.email_taken).await,
        Err(AccountError::Invalid(UserError::EmptyName)) => invalid(t.name_required).await,
        Err(AccountError::Invalid(_)) => invalid(t.password_short).await,
        Err(AccountError::NotFound) => problem_page(staff.locale(), StatusCode::NOT_FOUND),
        Err(AccountError::Store(e)) => internal(staff.locale(), &e),
    }
}

/// Makes a one-time invitation for `user` and shows its link.
async fn invite_page(state: &AppState, staff: &Staff, user: &User) -> Response {
    match staff::invite(&state.ctx, user).await {
        Ok(token) => {
            let link = invite_link(&state.config.public_url, &token);
            page_with_invite(state, staff, None, Some(staff.texts().user_added), Some(link), StatusCode::OK)
                .await
        }
        Err(e) => internal(staff.locale(), &e),
    }
}

/// `{public_url}/invite/{token}`.
pub fn invite_link(public_url: &str, token: &str) -> String {
    format!("{}/invite/{token}", public_url.trim_end_matches('/'))
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

/// Loads a colleague this person may manage (not themselves, not above their role).
async fn colleague(state: &AppState, staff: &Staff, id: &str) -> Result<User, Response> {
    let not_found = || problem_page(staff.locale(), StatusCode::NOT_FOUND);
    let id = id.parse::<Uuid>().map(UserId).map_err(|_| not_found())?;
    match state.ctx.store.get_user(staff.tenant.id, id).await {
        Ok(Some(u)) if u.id != staff.user.id && staff.user.role.may_assign(u.role) => Ok(u),
        Ok(Some(_)) => Err(problem_page(staff.locale(), StatusCode::FORBIDDEN)),
        Ok(None) => Err(not_found()),
        Err(e) => Err(internal(staff.locale(), &e)),
    }
}

pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path((id, what)): Path<(String, String)>,
    Form(form): Form<ChangeForm>,
) -> Response {
    if let Err(refused) = guard(&staff, Some(&headers), Some(&form.csrf)) {
        return refused;
    }
    let mut user = match colleague(&state, &staff, &id).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let now = state.ctx.clock.now();
    match what.as_str() {
        "role" => match Role::parse(&form.role) {
            Ok(role) if staff.user.role.may_assign(role) => user.role = role,
            _ => {
                return page(
                    &state,
                    &staff,
                    Some(staff.texts().role_not_allowed),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        "disable" => user.disabled_at = Some(now),
        "enable" => user.disabled_at = None,
        "sign-out" => {}
        // A fresh link for someone whose invitation lapsed (only before a password is set).
        "invite" if user.password_hash.is_none() => return invite_page(&state, &staff, &user).await,
        _ => return problem_page(staff.locale(), StatusCode::NOT_FOUND),
    }
    let saved = match what.as_str() {
        "sign-out" => Ok(()),
        _ => state.ctx.store.save_user(&user).await,
    };
    // A role change or a disabling takes effect at once: the person's sessions end.
    let ended = staff::sign_out_everywhere(&state.ctx, staff.tenant.id, user.id).await;
    if let Err(e) = saved.and(ended.map(|_| ())) {
        return internal(staff.locale(), &e);
    }
    Redirect::to(&format!("/app/settings/users#user-{}", user.id)).into_response()
}
