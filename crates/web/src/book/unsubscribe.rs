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

/// The patient's language when the link is genuine (the page is theirs), else the browser's.
async fn locale_of(state: &AppState, slug: &str, patient: PatientId, fallback: Locale) -> Locale {
    let Ok(Some(tenant)) = state.ctx.store.tenant_by_slug(slug).await else { return fallback };
    match state.ctx.store.get_patient(tenant.id, patient).await {
        Ok(Some(p)) => p.locale,
        _ => fallback,
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
    let locale = locale_of(&state, &slug, patient, crate::app::browser_locale(&headers)).await;
    let w = words(locale);
    let genuine = match state.ctx.store.tenant_by_slug(&slug).await {
        Ok(Some(t)) => {
            state.ctx.links.as_ref().is_some_and(|s| s.verify_unsubscribe(t.id, patient, &q.token))
        }
        Ok(None) => false,
        Err(e) => return internal(locale, &e),
    };
    if !genuine {
        return page(locale, w.invalid_title, w.invalid_text, None, StatusCode::NOT_FOUND);
    }
    // A genuine token is hex: nothing in it needs escaping in the address.
    let token = &q.token;
    let action = format!("/unsubscribe/{slug}/{patient}?token={token}");
    page(locale, w.ask_title, w.ask_text, Some(action), StatusCode::OK)
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    Path((slug, patient)): Path<(String, PatientId)>,
    Query(q): Query<TokenQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let locale = locale_of(&state, &slug, patient, crate::app::browser_locale(&headers)).await;
    let w = words(locale);
    match frontdesk_engine::messaging::email::unsubscribe(&state.ctx, &slug, patient, &q.token).await {
        Ok(_) => page(locale, w.done_title, w.done_text, None, StatusCode::OK),
        Err(WebhookError::Store(e)) => internal(locale, &e),
        Err(_) => page(locale, w.invalid_title, w.invalid_text, None, StatusCode::NOT_FOUND),
    }
}
