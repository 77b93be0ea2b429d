//! What an ended call achieved, decided from what the provider reported and what the
//! assistant extracted. The engine turns each outcome into the next step.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// A tool booked (or rescheduled) an appointment during the call.
    Booked,
    /// The patient asked to be called again, maybe at a given time.
    CallbackRequested,
    NotInterested,
    /// Whoever answered is not the patient.
    WrongNumber,
    NoAnswer,
    Busy,
    Voicemail,
    /// The call could not be connected or broke down.
    Failed,
    /// The patient talked with the assistant and nothing above applies.
    Completed,
}

wire_names!(CallOutcome {
    Booked => "booked",
    CallbackRequested => "callback_requested",
    NotInterested => "not_interested",
    WrongNumber => "wrong_number",
    NoAnswer => "no_answer",
    Busy => "busy",
    Voicemail => "voicemail",
    Failed => "failed",
    Completed => "completed",
});

impl CallOutcome {
    /// Whether a person picked up: the denominator of handle time, the numerator of the
    /// answer rate.
    pub fn was_answered(&self) -> bool {
        matches!(
            self,
            Self::Booked
                | Self::CallbackRequested
                | Self::NotInterested
                | Self::WrongNumber
                | Self::Completed
        )
    }

    /// Outcomes that call for another attempt on the retry cadence.
    pub fn is_unreached(&self) -> bool {
        matches!(self, Self::NoAnswer | Self::Busy | Self::Voicemail)
    }
}

/// What the classifier reads from an ended call.
#[derive(Debug, Clone, Default)]
pub struct EndedCall<'a> {
    /// The provider's ended reason (`customer-did-not-answer`, `voicemail`...).
    pub ended_reason: Option<&'a str>,
    /// `analysis.structuredData` or the generic webhook's extracted fields.
    pub structured_data: Option<&'a Value>,
    /// A tool booked an appointment during this call.
    pub booked: bool,
    pub duration_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub outcome: CallOutcome,
    /// Why, in words for staff ("ended reason customer-busy").
    pub reason: String,
    /// The callback time the assistant extracted, when the patient gave one.
    pub callback_at: Option<Timestamp>,
}

/// Classifies an ended call. A booking made by a tool wins over everything; then the
/// telephony facts (nobody answered); then what the assistant extracted; then the shape
/// of the ended reason.
pub fn classify(call: &EndedCall<'_>) -> Classification {
    let of = |outcome, reason: String| Classification { outcome, reason, callback_at: None };
    if call.booked {
        return of(CallOutcome::Booked, "an appointment was booked during the call".into());
    }
    let reason = call.ended_reason.unwrap_or("").trim().to_ascii_lowercase();
    let why = |r: &str| format!("ended reason {r}");
    if let Some(outcome) = telephony_outcome(&reason) {
        return of(outcome, why(&reason));
    }
    if let Some(data) = call.structured_data.and_then(Value::as_object)
        && let Some((outcome, key)) = extracted_outcome(data)
    {
        let callback_at = ["callback_at", "callbackAt", "callback_time", "callbackTime"]
            .iter()
            .find_map(|k| data.get(*k).and_then(Value::as_str))
            .and_then(|s| s.parse::<Timestamp>().ok());
        return Classification {
            outcome,
            reason: format!("the assistant extracted {key}"),
            callback_at: callback_at.filter(|_| outcome == CallOutcome::CallbackRequested),
        };
    }
    if reason.contains("error") || reason.contains("failed") || reason.contains("not-found") {
        return of(CallOutcome::Failed, why(&reason));
    }
    if reason.is_empty() {
        return of(CallOutcome::Completed, "the call ended without a reason".into());
    }
    of(CallOutcome::Completed, why(&reason))
}

fn telephony_outcome(reason: &str) -> Option<CallOutcome> {
    Some(match reason {
        "customer-did-not-answer"
        | "no-answer"
        | "no_answer"
        | "customer-did-not-give-microphone-permission" => CallOutcome::NoAnswer,
        "customer-busy" | "busy" => CallOutcome::Busy,
        "voicemail" | "machine-detected" => CallOutcome::Voicemail,
        "twilio-reported-customer-misdialed" | "wrong-number" | "wrong_number" => CallOutcome::WrongNumber,
        "twilio-failed-to-connect-call" | "failed" | "manually-canceled" => CallOutcome::Failed,
        _ => return None,
    })
}

/// Reads the outcome from extracted fields. Assistants are configured by clinics, so a
/// few spellings are accepted: an explicit `outcome`, or boolean flags.
fn extracted_outcome(data: &serde_json::Map<String, Value>) -> Option<(CallOutcome, &'static str)> {
    if let Some(s) = data.get("outcome").and_then(Value::as_str) {
        let normalized = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let outcome = match normalized.as_str() {
            "callback" | "callback_requested" | "call_back" => Some(CallOutcome::CallbackRequested),
            "not_interested" | "declined" => Some(CallOutcome::NotInterested),
            "wrong_number" => Some(CallOutcome::WrongNumber),
            "voicemail" => Some(CallOutcome::Voicemail),
            _ => None,
        };
        if let Some(o) = outcome {
            return Some((o, "an outcome"));
        }
    }
    let flag = |keys: &[&str]| keys.iter().any(|k| data.get(*k).and_then(Value::as_bool) == Some(true));
    if flag(&["wrong_number", "wrongNumber"]) {
        return Some((CallOutcome::WrongNumber, "a wrong-number flag"));
    }
    if flag(&["not_interested", "notInterested"]) {
        return Some((CallOutcome::NotInterested, "a not-interested flag"));
    }
    if flag(&["callback_requested", "callbackRequested", "wants_callback"]) {
        return Some((CallOutcome::CallbackRequested, "a callback request"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ended(reason: &str) -> CallOutcome {
        classify(&EndedCall { ended_reason: Some(reason), ..Default::default() }).outcome
    }

    #[test]
    fn wire_names_match_serde() {
        for o in CallOutcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
            assert_eq!(o.as_str().parse::<CallOutcome>().unwrap(), *o);
        }
    }

    #[test]
    fn telephony_reasons() {
        assert_eq!(ended("customer-did-not-answer"), CallOutcome::NoAnswer);
        assert_eq!(ended("customer-busy"), CallOutcome::Busy);
        assert_eq!(ended("voicemail"), CallOutcome::Voicemail);
        assert_eq!(ended("twilio-reported-customer-misdialed"), CallOutcome::WrongNumber);
        assert_eq!(ended("twilio-failed-to-connect-call"), CallOutcome::Failed);
        assert_eq!(ended("pipeline-error-openai-llm-failed"), CallOutcome::Failed);
        assert_eq!(ended("call.in-progress.error-transfer-failed"), CallOutcome::Failed);
        assert_eq!(ended("customer-ended-call"), CallOutcome::Completed);
    }

    #[test]
    fn booking_wins_and_extraction_refines() {
        let booked = EndedCall { ended_reason: Some("customer-busy"), booked: true, ..Default::default() };
        assert_eq!(classify(&booked).outcome, CallOutcome::Booked);
        let data = json!({"outcome": "callback", "callback_at": "2026-06-02T13:00:00Z"});
        let c = classify(&EndedCall {
            ended_reason: Some("customer-ended-call"),
            structured_data: Some(&data),
            ..Default::default()
        });
        assert_eq!(c.outcome, CallOutcome::CallbackRequested);
        assert_eq!(c.callback_at, Some("2026-06-02T13:00:00Z".parse().unwrap()));
        let data = json!({"notInterested": true});
        let c = classify(&EndedCall { structured_data: Some(&data), ..Default::default() });
        assert_eq!(c.outcome, CallOutcome::NotInterested);
        let data = json!({"wrong_number": true, "not_interested": true});
        let c = classify(&EndedCall { structured_data: Some(&data), ..Default::default() });
        assert_eq!(c.outcome, CallOutcome::WrongNumber);
    }

    #[test]
    fn answered_outcomes() {
        assert!(CallOutcome::Booked.was_answered());
        assert!(!CallOutcome::Voicemail.was_answered());
        assert!(CallOutcome::Busy.is_unreached());
        assert!(!CallOutcome::Failed.is_unreached());
    }
}
