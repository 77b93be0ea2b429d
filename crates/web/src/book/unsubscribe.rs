//! `/unsubscribe/{clinic}/{patient}?token=`: the link in every e-mail's footer and its
//! `List-Unsubscribe` header. Opening it shows a button (mail scanners open links, so a
//! GET changes nothing); a POST unsubscribes at once: the page's button, or the mail
//! program's one-click request (RFC 8058, body `List-Unsubscribe=One-Click`). Either way
//! the patient is opted out of every channel, calls included.

use super::texts::{BookTexts, texts};
use crate::AppState;
use crate::app::page::{internal, render};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use frontdesk_domain::PatientId;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::messaging::email;
use frontdesk_engine::messaging::webhooks::WebhookError;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(askama::Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    t: &'static BookTexts,
    title: &'static str,
    text: &'static str,
    ask: bool,
    action: String,
    button: &'static str,
}

struct Words {
    ask_title: &'static str,
    ask_text: &'static str,
    button: &'static str,
    done_title: &'static str,
    done_text: &'static str,
    invalid_title: &'static str,
    invalid_text: &'static str,
}

fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::PtBr => &Words {
            ask_title: "Cancelar o recebimento de mensagens",
            ask_text: "Você deixará de receber e-mails, mensagens e ligações automáticas da clínica. \
                       Consultas marcadas continuam valendo.",
            button: "Não quero mais receber",
            done_title: "Pronto",
            done_text: "Você não vai mais receber e-mails, mensagens nem ligações automáticas da clínica. \
                        Para voltar a receber, fale com a clínica.",
            invalid_title: "Link inválido",
            invalid_text: "Este link não é válido. Se quiser parar de receber mensagens, responda STOP ou fale com a clínica.",
        },
        Locale::En => &Words {
            ask_title: "Stop getting messages",
            ask_text: "You will no longer get automated e-mails, messages or calls from the clinic. \
                       Booked appointments stay as they are.",
            button: "Unsubscribe",
            done_title: "Done",
            done_text: "You won't get automated e-mails, messages or calls from the clinic anymore. \
                        To get them again, contact the clinic.",
            invalid_title: "Invalid link",
            invalid_text: "This link is not valid. To stop getting messages, reply STOP or contact the clinic.",
        },
    }
}

fn page(
    locale: Locale,
    title: &'static str,
    text: &'static str,
    ask: Option<String>,
    status: StatusCode,
) -> Response {
    let w = words(locale);
    render(
        &UnsubscribePage {
            t: texts(locale),
            title,
            text,
            ask: ask.is_some(),
            action: ask.unwrap_or_default(),
            button: w.button,
        },
        status,
    )
}

pub(super) async fn show(
    State(state): State<AppState>,
    Path((slug, patient)): Path<(String, PatientId)>,
    Query(q): Query<TokenQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let link = email::unsubscribe_link_patient(&state.ctx, &slug, patient, &q.token).await;
    answer(link, &headers, |locale| {
        let w = words(locale);
        // A genuine token is hex: nothing in it needs escaping in the address.
        let action = format!("/unsubscribe/{slug}/{patient}?token={}", q.token);
        page(locale, w.ask_title, w.ask_text, Some(action), StatusCode::OK)
    })
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Path((slug, patient)): Path<(String, PatientId)>,
    Query(q): Query<TokenQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let done = email::unsubscribe(&state.ctx, &slug, patient, &q.token).await;
    answer(done, &headers, |locale| {
        let w = words(locale);
        page(locale, w.done_title, w.done_text, None, StatusCode::OK)
    })
}

/// The page for a genuine link, in the patient's language; otherwise the invalid-link page
/// in the browser's (or the error page).
fn answer(
    link: Result<frontdesk_domain::patients::Patient, WebhookError>,
    headers: &axum::http::HeaderMap,
    genuine: impl FnOnce(Locale) -> Response,
) -> Response {
    let browser = crate::app::browser_locale(headers);
    match link {
        Ok(p) => genuine(p.locale),
        Err(WebhookError::Store(e)) => internal(browser, &e),
        Err(_) => {
            let w = words(browser);
            page(browser, w.invalid_title, w.invalid_text, None, StatusCode::NOT_FOUND)
        }
    }
}
