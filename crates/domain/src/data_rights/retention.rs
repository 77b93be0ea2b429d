//! Retention: after how many days conversation content is purged, and what a run purged.
//! The facts around the content (that a message was sent, when, its status; that a call
//! took place, its duration and outcome) are kept: analytics and legal records need them.

use crate::TenantId;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// The shortest period a clinic may choose: a conversation or a call report must survive
/// at least the follow-ups that read it (a week of cadences) and a weekend of staff review.
pub const MIN_DAYS: u32 = 7;
/// Longer than any statutory record keeping (20 years for Brazilian medical records).
pub const MAX_DAYS: u32 = 36_500;

/// Per-tenant retention: `None` keeps that kind of content forever (the default: nothing
/// is purged until the clinic decides).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Message bodies, media links and voice-note transcripts, and the raw provider
    /// payloads that carried them.
    #[serde(default)]
    pub message_text_days: Option<u32>,
    /// Call recording URLs.
    #[serde(default)]
    pub call_recording_days: Option<u32>,
    /// Call transcripts, summaries, structured data and the raw call reports.
    #[serde(default)]
    pub call_transcript_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} must be between {MIN_DAYS} and {MAX_DAYS} days (or null to keep forever)")]
pub struct RetentionError {
    pub field: &'static str,
}

impl RetentionPolicy {
    pub fn validate(&self) -> Result<(), RetentionError> {
        let fields = [
            ("message_text_days", self.message_text_days),
            ("call_recording_days", self.call_recording_days),
            ("call_transcript_days", self.call_transcript_days),
        ];
        for (field, days) in fields {
            if days.is_some_and(|d| !(MIN_DAYS..=MAX_DAYS).contains(&d)) {
                return Err(RetentionError { field });
            }
        }
        Ok(())
    }

    /// Whether a run would purge anything at all.
    pub fn is_off(&self) -> bool {
        self.message_text_days.is_none()
            && self.call_recording_days.is_none()
            && self.call_transcript_days.is_none()
    }

    /// The instants before which each kind is purged, for a run at `now`.
    pub fn cutoffs(&self, now: Timestamp) -> RetentionCutoffs {
        let before = |days: Option<u32>| {
            days.map(|d| now.saturating_sub(SignedDuration::from_hours(24 * i64::from(d))).unwrap_or(now))
        };
        RetentionCutoffs {
            message_text_before: before(self.message_text_days),
            call_recording_before: before(self.call_recording_days),
            call_transcript_before: before(self.call_transcript_days),
        }
    }
}

/// Content created before these instants is purged; `None` purges nothing of that kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCutoffs {
    pub message_text_before: Option<Timestamp>,
    pub call_recording_before: Option<Timestamp>,
    pub call_transcript_before: Option<Timestamp>,
}

/// How many records of each kind a run purged (or, dry, would purge).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionCounts {
    pub messages: u64,
    pub message_payloads: u64,
    pub call_recordings: u64,
    pub call_transcripts: u64,
    pub transcript_turns: u64,
    pub call_payloads: u64,
}

/// One run of the retention job (or of `frontdesk retention run`), kept for the clinic's
/// records of processing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionReport {
    pub id: Uuid,
    pub tenant_id: TenantId,
    /// `system:retention`, `api_key:<prefix>`, `cli`...
    pub actor: String,
    pub dry_run: bool,
    pub policy: RetentionPolicy,
    pub cutoffs: RetentionCutoffs,
    pub counts: RetentionCounts,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_outside_the_bounds_are_refused_by_name() {
        let p = RetentionPolicy { message_text_days: Some(3), ..Default::default() };
        assert_eq!(p.validate().unwrap_err().field, "message_text_days");
        let p = RetentionPolicy { call_recording_days: Some(MAX_DAYS + 1), ..Default::default() };
        assert_eq!(p.validate().unwrap_err().field, "call_recording_days");
        let p = RetentionPolicy { call_transcript_days: Some(MIN_DAYS), ..Default::default() };
        assert!(p.validate().is_ok());
        assert!(RetentionPolicy::default().validate().is_ok());
    }

    #[test]
    fn the_default_purges_nothing() {
        let p = RetentionPolicy::default();
        assert!(p.is_off());
        assert_eq!(p.cutoffs(Timestamp::UNIX_EPOCH), RetentionCutoffs::default());
    }

    #[test]
    fn cutoffs_are_whole_days_before_the_run() {
        let now: Timestamp = "2026-12-04T03:00:00Z".parse().unwrap();
        let p = RetentionPolicy { message_text_days: Some(30), ..Default::default() };
        let c = p.cutoffs(now);
        assert_eq!(c.message_text_before, Some("2026-11-04T03:00:00Z".parse().unwrap()));
        assert_eq!(c.call_recording_before, None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<RetentionPolicy>(r#"{"messages_days": 30}"#).is_err());
        let p: RetentionPolicy = serde_json::from_str(r#"{"message_text_days": 30}"#).unwrap();
        assert_eq!(p.message_text_days, Some(30));
    }
}
