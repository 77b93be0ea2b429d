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
use frontdesk_domain::staff::{User, totp};
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
    totp: TotpView,
    /// A refused second-factor code, shown next to its field.
    problem: Option<&'static str>,
}

/// The second factor as this page shows it.
enum TotpView {
    /// Staff and viewers sign in with a password only.
    NotOffered,
    Off,
    /// A secret was made; a code from the person's app has not confirmed it yet.
    Pending {
        secret: String,
        uri: String,
        /// The URI as a QR code, an inline SVG the app scans from the screen.
        qr: String,
    },
    On,
}

pub async fn show(State(state): State<AppState>, staff: Staff) -> Response {
    page(&state, &staff, &staff.user, None, StatusCode::OK).await
}

pub async fn page(
    state: &AppState,
    staff: &Staff,
    user: &User,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let chrome = match Chrome::new(state, staff, "me").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let t = staff.texts();
    let totp = match (&user.totp.secret, user.totp.is_enabled()) {
        _ if !user.role.may_use_totp() => TotpView::NotOffered,
        (Some(_), true) => TotpView::On,
        (Some(secret), false) => {
            let uri =
                totp::otpauth_uri(&format!("Frontdesk {}", staff.tenant.name), user.email.as_str(), secret);
            TotpView::Pending {
                // Groups of four, as people type it.
                secret: secret
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                qr: qr_svg(&uri),
                uri,
            }
        }
        (None, _) => TotpView::Off,
    };
    let page = MePage {
        t,
        chrome,
        email: user.email.as_str().to_owned(),
        role: t.role(user.role),
        current: user.locale.map_or("", |l| l.as_str()),
        totp,
        problem,
    };
    render(&page, status)
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

/// `text` as a QR code in SVG (empty if it does not fit one, which an otpauth URI always does).
fn qr_svg(text: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}
