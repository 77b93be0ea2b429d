//! The optional language model (docs/assistant.md): a question the deterministic reader
//! cannot map goes to the clinic's OpenAI-compatible chat model with the read-only tools;
//! the model calls them (a few rounds at most) and writes the answer. What it ran is
//! returned as the query, so the figures can be checked. On any failure the answer says
//! what could not be answered, never a number the tools did not give.

use super::tools::{self, Tool};
use crate::Ctx;
use frontdesk_domain::leads::ModelEndpoint;
use frontdesk_domain::tenant::Locale;
use frontdesk_providers::openai::{OpenAiClient, OpenAiConfig, ToolChat};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(20);
/// Tool-calling rounds before the model must answer.
const ROUNDS: usize = 4;

/// The model's answer and the tool calls it made, or why there is none.
pub enum ModelAnswer {
    Answered { text: String, ran: Vec<String> },
    Failed(String),
}

fn function(t: &Tool) -> Value {
    json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.input_schema}})
}

pub async fn answer(
    ctx: &Ctx,
    actor: &crate::audit::Actor,
    endpoint: &ModelEndpoint,
    question: &str,
    locale: Locale,
    today: jiff::civil::Date,
) -> ModelAnswer {
    let client = match OpenAiClient::new(OpenAiConfig {
        base_url: endpoint.base_url.clone(),
        api_key: endpoint.api_key.clone().map(SecretString::from),
        model: endpoint.model.clone(),
        timeout: TIMEOUT,
        allow_private_network: ctx.media.allow_private_network,
    }) {
        Ok(c) => c,
        Err(e) => return ModelAnswer::Failed(e.to_string()),
    };
    // Never the tools that change data, nor the question tool itself (no loops).
    let allowed: Vec<Tool> =
        tools::tools().into_iter().filter(|t| !t.writes && t.name != "ask_figures").collect();
    let functions: Vec<Value> = allowed.iter().map(function).collect();
    let language = match locale {
        Locale::PtBr => "Brazilian Portuguese",
        Locale::En => "English",
    };
    let mut messages = vec![
        json!({"role": "system", "content": format!(
            "You answer a clinic manager's questions about the clinic's front desk using only the tools' results. \
             Today is {today} (the clinic's date). Answer in {language}, in one or two sentences, with the figures \
             and the period. If the tools cannot answer, say so; never guess a number.")}),
        json!({"role": "user", "content": question}),
    ];
    let mut ran = Vec::new();
    for _ in 0..ROUNDS {
        let reply = match client.chat_with_tools(&messages, &functions).await {
            Ok(r) => r,
            Err(e) => return ModelAnswer::Failed(e.to_string()),
        };
        let calls = reply["tool_calls"].as_array().cloned().unwrap_or_default();
        if calls.is_empty() {
            return match reply["content"].as_str().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => ModelAnswer::Answered { text: text.chars().take(2_000).collect(), ran },
                None => ModelAnswer::Failed("the model gave no answer".into()),
            };
        }
        messages.push(reply.clone());
        for call in calls {
            let name = call["function"]["name"].as_str().unwrap_or_default();
            let raw = call["function"]["arguments"].as_str().unwrap_or("{}");
            let args: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
            let result = if allowed.iter().any(|t| t.name == name) {
                match tools::call(ctx, actor, name, &args, false).await {
                    Ok(v) => v,
                    Err(e) => json!({"error": e.to_string()}),
                }
            } else {
                json!({"error": format!("no tool `{}` is available", name.chars().take(60).collect::<String>())})
            };
            ran.push(format!("{name} {}", serde_json::to_string(&args).unwrap_or_default()));
            messages.push(json!({"role": "tool", "tool_call_id": call["id"], "content": result.to_string()}));
        }
    }
    ModelAnswer::Failed(format!("the model did not answer within {ROUNDS} rounds of tool calls"))
}
