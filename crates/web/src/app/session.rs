//! Who is signed in: the session cookie, resumed through the engine on every page, and
//! the CSRF token every form posts back.

use super::i18n::{self, Texts};
use super::page::{browser_locale, problem_page};
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use frontdesk_domain::staff::{Permission, SessionPolicy, SessionRecord, User};
use frontdesk_domain::tenant::{Locale, Tenant};
use frontdesk_engine::audit::Actor;
use frontdesk_engine::staff;
use subtle::ConstantTimeEq;

pub const COOKIE: &str = "fd_session";

/// A signed-in person, their session and their clinic.
pub struct Staff {
    pub user: User,
    pub session: SessionRecord,
    pub tenant: Tenant,
}

impl Staff {
    /// The person's language, else the clinic's.
    pub fn locale(&self) -> Locale {
        self.user.locale.unwrap_or(self.tenant.locale)
    }

    pub fn texts(&self) -> &'static Texts {
        i18n::texts(self.locale())
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.user.role.allows(permission)
    }

    /// For the audit log: the person, not a key.
    pub fn actor(&self) -> Actor {
        Actor { tenant_id: self.tenant.id, name: format!("user:{}", self.user.id), request_id: None }
    }

    /// Refuses a form whose CSRF token is not this session's (403 page, nothing done).
    pub fn check_csrf(&self, presented: &str) -> Result<(), Response> {
        let expected = self.session.csrf_token.as_bytes();
        if bool::from(expected.ct_eq(presented.as_bytes())) {
            Ok(())
        } else {
            Err(super::page::stale_form_page(self.locale()))
        }
    }

    /// Refuses an action the person's role does not allow.
    pub fn require(&self, permission: Permission) -> Result<(), Response> {
        if self.may(permission) { Ok(()) } else { Err(problem_page(self.locale(), StatusCode::FORBIDDEN)) }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(COOKIE).map(|c| c.value().to_owned()) else {
            return Err(Redirect::to("/login").into_response());
        };
        let locale = browser_locale(&parts.headers);
        let resumed = staff::resume(&state.ctx, &token, &SessionPolicy::default()).await;
        let (user, session) = match resumed {
            Ok(Some(found)) => found,
            // Expired or signed out elsewhere: back to the form, saying why.
            Ok(None) => return Err(ended(&parts.headers, jar)),
            Err(e) => return Err(super::page::internal(locale, &e)),
        };
        let tenant = match state.ctx.store.tenant_by_id(session.tenant_id).await {
            Ok(Some(t)) => t,
            Ok(None) => return Err(problem_page(locale, StatusCode::FORBIDDEN)),
            Err(e) => return Err(super::page::internal(locale, &e)),
        };
        Ok(Staff { user, session, tenant })
    }
}

/// Where an ended session goes. A page load: the sign-in form, saying why, the dead cookie
/// dropped. A background htmx request (the inbox badge refreshing on a live event): the
/// whole page is sent there with `HX-Redirect`, and the cookie is kept. Dropping it there
/// left the person's next page a bare sign-in form with no word on why, and following the
/// redirect swapped the sign-in page into the badge.
fn ended(headers: &HeaderMap, jar: CookieJar) -> Response {
    const SIGN_IN_AGAIN: &str = "/login?ended=1";
    if headers.contains_key("hx-request") {
        return (StatusCode::UNAUTHORIZED, [("hx-redirect", SIGN_IN_AGAIN)]).into_response();
    }
    (jar.remove(removal()), Redirect::to(SIGN_IN_AGAIN)).into_response()
}

/// The session cookie: unreadable by scripts, sent on top-level navigation only (Lax),
/// `Secure` whenever the public URL is https.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token)).http_only(true).same_site(SameSite::Lax).secure(secure).path("/").build()
}

pub fn removal() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/").build()
}

/// Defence in depth beside the CSRF token and SameSite: a form post whose `Origin` names
/// another site is refused. (Browsers send `Origin` on POST; tools may omit it.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    origin.split_once("://").is_some_and(|(_, rest)| rest == host)
}
