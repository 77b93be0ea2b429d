//! The assistant over the API (docs/assistant.md): the tool list, questions about the
//! figures, and tool calls. The same tools are served over MCP (`crate::mcp`).

use crate::auth::Principal;
use crate::extract::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use frontdesk_domain::api_key_scope::ApiKeyScope;
use frontdesk_domain::tenant::Locale;
use frontdesk_engine::assistant::tools::{self, ToolError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ToolBody {
    pub name: String,
    pub description: String,
    /// True when the tool changes data: it runs only for keys with the `assistant_write` scope.
    pub writes: bool,
    /// JSON Schema of the tool's arguments.
    #[schema(value_type = Object)]
    pub input_schema: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ToolList {
    pub tools: Vec<ToolBody>,
}

/// The tools an AI client may call, each with the JSON Schema of its arguments.
#[utoipa::path(get, path = "/api/v1/assistant/tools", tag = "assistant", security(("api_key" = [])),
    responses((status = 200, body = ToolList), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_tools(_who: Principal) -> Json<ToolList> {
    Json(ToolList {
        tools: tools::tools()
            .into_iter()
            .map(|t| ToolBody {
                name: t.name.to_owned(),
                description: t.description.to_owned(),
                writes: t.writes,
                input_schema: t.input_schema,
            })
            .collect(),
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskBody {
    /// The question, in pt-BR or English (at most 500 characters).
    pub question: String,
    /// `pt-BR` or `en`; else the question's own language, else the clinic's.
    pub locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerRowBody {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerBody {
    /// False when the question could not be mapped to the figures; `text` says why.
    pub answered: bool,
    pub text: String,
    pub locale: String,
    /// The query it ran (`no_shows 2026-11-09..2026-11-15 where practitioner=Dra. Ana Costa`).
    pub query: Option<String>,
    /// The metrics request that gives the same figures.
    pub api: Option<String>,
    pub figure: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// True when the question named no period and the last 30 days were used.
    pub assumed_period: bool,
    pub value: Option<f64>,
    /// The same figure over the previous period (unfiltered figures only).
    pub previous: Option<f64>,
    /// The rows of a split, largest first.
    pub rows: Vec<AnswerRowBody>,
    /// True when the clinic's language model (`dialogue.assistant_model`) wrote the answer;
    /// `query` then lists the tool calls it made.
    pub by_model: bool,
}

fn locale_param(raw: Option<&str>) -> Result<Option<Locale>, ApiError> {
    raw.map(|l| {
        Locale::parse(l).map_err(|_| ApiError::bad_request("invalid_locale", "locale must be pt-BR or en"))
    })
    .transpose()
}

/// Answers a question about the clinic's figures with the figures, the period and the
/// query it ran; an honest "I can't answer that" (`answered: false`) otherwise.
#[utoipa::path(post, path = "/api/v1/assistant/ask", tag = "assistant", security(("api_key" = [])),
    request_body = AskBody,
    responses((status = 200, body = AnswerBody), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(b): ApiJson<AskBody>,
) -> Result<Json<AnswerBody>, ApiError> {
    let question = b.question.trim();
    if question.is_empty() || question.chars().count() > 500 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_question",
            "question must hold 1 to 500 characters",
        ));
    }
    let locale = locale_param(b.locale.as_deref())?;
    let a = frontdesk_engine::assistant::ask(&state.ctx, &who.actor(), question, locale).await?;
    Ok(Json(AnswerBody {
        answered: a.answered,
        text: a.text,
        locale: a.locale.as_str().to_owned(),
        query: a.query,
        api: a.api,
        figure: a.figure,
        from: a.from,
        to: a.to,
        assumed_period: a.assumed_period,
        value: a.value,
        previous: a.previous,
        rows: a
            .rows
            .into_iter()
            .map(|r| AnswerRowBody { key: r.key, label: r.label, value: r.value })
            .collect(),
        by_model: a.by_model,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ToolResult {
    #[schema(value_type = Object)]
    pub result: serde_json::Value,
}

/// Whether a key may run the tools that change data.
pub fn may_write(who: &Principal) -> bool {
    who.scopes.iter().any(|s| s == ApiKeyScope::AssistantWrite)
}

fn tool_error(e: ToolError) -> ApiError {
    match e {
        ToolError::Unknown(_) => ApiError::new(StatusCode::NOT_FOUND, "unknown_tool", e.to_string()),
        ToolError::ReadOnly(_) => ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", e.to_string()),
        ToolError::Invalid(_) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_arguments", e.to_string())
        }
        ToolError::Failed(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "tool_failed", e.to_string()),
        ToolError::Store(s) => s.into(),
    }
}

/// Calls one tool with its arguments (a JSON object matching its schema).
#[utoipa::path(post, path = "/api/v1/assistant/tools/{name}", tag = "assistant", security(("api_key" = [])),
    params(("name" = String, Path, description = "The tool's name (see GET /api/v1/assistant/tools)")),
    request_body(content = Object, description = "The tool's arguments"),
    responses((status = 200, body = ToolResult), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn call_tool(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(name): ApiPath<String>,
    ApiJson(args): ApiJson<serde_json::Value>,
) -> Result<Json<ToolResult>, ApiError> {
    let result =
        tools::call(&state.ctx, &who.actor(), &name, &args, may_write(&who)).await.map_err(tool_error)?;
    Ok(Json(ToolResult { result }))
}
