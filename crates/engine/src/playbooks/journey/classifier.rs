//! An optional second opinion on a message's intent from a language model the clinic
//! configured (any OpenAI-compatible chat completions server). The rules always answer
//! first; the model may override the intent when it is more confident, and on a timeout,
//! an error or an answer outside the schema the rules' answer stands.

use frontdesk_domain::leads::ModelEndpoint;
use frontdesk_domain::nlu::{Intent, Understanding};
use frontdesk_providers::openai::{JsonCompleter, OpenAiClient, OpenAiConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;

/// The patient is waiting: a slow model is skipped, not waited for.
const TIMEOUT: Duration = Duration::from_secs(4);

const SYSTEM: &str = "You classify one WhatsApp message a patient sent to a medical or dental clinic, \
in Brazilian Portuguese or English. Answer with the intent and your confidence between 0 and 1. \
booking_request: wants an appointment; reschedule: move an existing one; cancel: cancel one; \
confirm: yes / agrees / confirms; decline: no / not interested; question: asks something about the \
clinic; opt_out: stop receiving messages; human_request: wants a person; greeting: only a greeting; \
unclear: none of these.";

fn schema() -> Value {
    let intents: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": intents},
            "confidence": {"type": "number"}
        },
        "required": ["intent", "confidence"],
        "additionalProperties": false
    })
}

/// `rules` with its intent replaced by the model's when the model is surer.
/// `allow_private_network` is the deployment's (a model server on the clinic's own network
/// needs it; see `frontdesk_providers::egress`).
pub async fn second_opinion(
    endpoint: &ModelEndpoint,
    allow_private_network: bool,
    text: &str,
    rules: Understanding,
) -> Understanding {
    let client = match OpenAiClient::new(OpenAiConfig {
        base_url: endpoint.base_url.clone(),
        api_key: endpoint.api_key.clone().map(SecretString::from),
        model: endpoint.model.clone(),
        timeout: TIMEOUT,
        allow_private_network,
    }) {
        Ok(c) => c,
        Err(_) => return rules,
    };
    let Ok(answer) = client.complete_json(SYSTEM, text, "message_intent", &schema()).await else {
        metrics::counter!("frontdesk_classifier_fallbacks_total").increment(1);
        return rules;
    };
    let intent = answer["intent"].as_str().and_then(|s| s.parse::<Intent>().ok());
    let confidence = answer["confidence"].as_f64().map(|c| c.clamp(0.0, 1.0) as f32);
    match (intent, confidence) {
        // A slot picked from the offer is the rules' strongest signal: the model only
        // sees the text, not the list, so it does not get to undo that.
        (Some(intent), Some(c)) if c > rules.confidence && rules.slot_choice.is_none() => {
            Understanding { intent, confidence: c, ..rules }
        }
        _ => rules,
    }
}
