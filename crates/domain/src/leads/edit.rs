//! A person's edit of a lead (staff in the app, an API client): which changes are allowed
//! and what lands on the lead's timeline. The API and the staff app apply the same rules.

use super::lead::{Lead, LeadEvent, LeadStage};
use jiff::Timestamp;
use serde_json::json;

/// The fields a person may change; `None` leaves a field as it is, an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct LeadEdit {
    /// Forward only; `lost` needs `lost_reason`.
    pub stage: Option<LeadStage>,
    pub lost_reason: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub service_interest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadEditError {
    #[error("a lost lead needs lost_reason")]
    LostReasonRequired,
    #[error("a lead that is {from} cannot move to {to}")]
    InvalidStageChange { from: &'static str, to: &'static str },
}

/// Applies `edit` to `lead` as `by` (who, for the timeline) and returns the timeline
/// events it made. On an error the lead is unchanged.
pub fn apply_edit(
    lead: &mut Lead,
    edit: LeadEdit,
    by: &str,
    now: Timestamp,
) -> Result<Vec<LeadEvent>, LeadEditError> {
    let mut next = lead.clone();
    let mut events = Vec::new();
    if let Some(stage) = edit.stage {
        let from = next.stage;
        let moved = match stage {
            LeadStage::Lost => {
                let reason = edit.lost_reason.filter(|r| !r.trim().is_empty());
                next.mark_lost(reason.ok_or(LeadEditError::LostReasonRequired)?, now)
            }
            other => next.move_to(other, now),
        };
        if !moved {
            return Err(LeadEditError::InvalidStageChange { from: from.as_str(), to: stage.as_str() });
        }
        events.push(LeadEvent::new(
            &next,
            "stage_changed",
            json!({"from": from, "to": stage, "by": by}),
            now,
        ));
    }
    let mut edited = Vec::new();
    let cleared = |text: String| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    if let Some(owner) = edit.owner {
        next.owner = cleared(owner);
        edited.push("owner");
    }
    if let Some(notes) = edit.notes {
        next.notes = Some(notes).filter(|n| !n.trim().is_empty());
        edited.push("notes");
    }
    if let Some(service) = edit.service_interest {
        next.service_interest = Some(service).filter(|s| !s.trim().is_empty());
        edited.push("service_interest");
    }
    if !edited.is_empty() {
        next.updated_at = now;
        events.push(LeadEvent::new(&next, "edited", json!({"fields": edited, "by": by}), now));
    }
    *lead = next;
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::LeadSource;
    use crate::{PatientId, TenantId};

    fn lead() -> Lead {
        let at: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        Lead::new(TenantId::new(), PatientId::new(), LeadSource::Organic, at)
    }

    fn now() -> Timestamp {
        "2026-06-02T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn lost_needs_a_reason_and_leaves_the_lead_untouched_without_one() {
        let mut l = lead();
        let before = l.clone();
        let edit =
            LeadEdit { stage: Some(LeadStage::Lost), lost_reason: Some("  ".into()), ..Default::default() };
        assert_eq!(apply_edit(&mut l, edit, "api_key:abc", now()), Err(LeadEditError::LostReasonRequired));
        assert_eq!(l, before);
        let edit = LeadEdit {
            stage: Some(LeadStage::Lost),
            lost_reason: Some("price".into()),
            ..Default::default()
        };
        let events = apply_edit(&mut l, edit, "api_key:abc", now()).unwrap();
        assert_eq!(l.stage, LeadStage::Lost);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "stage_changed");
        assert_eq!(events[0].detail["by"], "api_key:abc");
    }

    #[test]
    fn fields_are_edited_and_cleared_on_one_timeline_entry() {
        let mut l = lead();
        let edit = LeadEdit {
            owner: Some(" Ana ".into()),
            notes: Some("ligar à tarde".into()),
            ..Default::default()
        };
        let events = apply_edit(&mut l, edit, "user:ana", now()).unwrap();
        assert_eq!(l.owner.as_deref(), Some("Ana"));
        assert_eq!(l.notes.as_deref(), Some("ligar à tarde"));
        assert_eq!(l.updated_at, now());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].detail["fields"], json!(["owner", "notes"]));
        apply_edit(&mut l, LeadEdit { owner: Some(String::new()), ..Default::default() }, "user:ana", now())
            .unwrap();
        assert_eq!(l.owner, None);
    }

    #[test]
    fn a_backward_move_is_refused() {
        let mut l = lead();
        apply_edit(&mut l, LeadEdit { stage: Some(LeadStage::Qualified), ..Default::default() }, "x", now())
            .unwrap();
        let back =
            apply_edit(&mut l, LeadEdit { stage: Some(LeadStage::New), ..Default::default() }, "x", now());
        assert_eq!(back, Err(LeadEditError::InvalidStageChange { from: "qualified", to: "new" }));
        assert!(apply_edit(&mut l, LeadEdit::default(), "x", now()).unwrap().is_empty());
    }
}
