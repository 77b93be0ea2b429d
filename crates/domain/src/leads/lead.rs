//! One lead, its funnel stage and the rule for moving it, and its timeline events.

use crate::{LeadId, PatientId, TenantId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    /// A paid ad's form (Meta lead ads, Google lead forms, a landing page with UTM tags).
    PaidAds,
    Organic,
    Social,
    /// Recommended by a patient or a professional.
    Referral,
    /// A first WhatsApp message from an unknown number.
    Whatsapp,
    /// A first call from an unknown number.
    Phone,
    /// A card created in the clinic's CRM.
    Crm,
    /// A bulk import (a spreadsheet of old contacts).
    Import,
}

wire_names!(LeadSource {
    PaidAds => "paid_ads",
    Organic => "organic",
    Social => "social",
    Referral => "referral",
    Whatsapp => "whatsapp",
    Phone => "phone",
    Crm => "crm",
    Import => "import",
});

/// Where a lead is in the funnel.
///
/// The path forward is `new → contacted → qualified → booked → showed`, and a lead may skip
/// stages along it (a form whose patient books straight away goes `new → booked`; a walk-in
/// goes `new → showed`), but never moves back along it. Off the path:
///
/// - `lost` can be reached from every stage but `showed` (the patient said no, stopped
///   answering, booked elsewhere...);
/// - `no_show` only from `booked` (the appointment passed without the patient);
/// - from `lost` or `no_show` the only move is a new booking (`booked`), which reopens the
///   lead; from there the path continues as usual;
/// - `showed` is final: the lead became a patient who came, nothing moves it again.
///
/// The order of the variants (used by `Ord`, e.g. in [`Lead::stage_times`]) is the path
/// followed by the two off-path stages; it is not the transition rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStage {
    New,
    Contacted,
    Qualified,
    Booked,
    Showed,
    Lost,
    NoShow,
}

wire_names!(LeadStage {
    New => "new",
    Contacted => "contacted",
    Qualified => "qualified",
    Booked => "booked",
    Showed => "showed",
    Lost => "lost",
    NoShow => "no_show",
});

impl LeadStage {
    /// Position on the forward path; `None` for the off-path stages.
    fn rank(self) -> Option<u8> {
        match self {
            Self::New => Some(0),
            Self::Contacted => Some(1),
            Self::Qualified => Some(2),
            Self::Booked => Some(3),
            Self::Showed => Some(4),
            Self::Lost | Self::NoShow => None,
        }
    }

    /// Nothing moves a lead out of a final stage.
    pub fn is_final(self) -> bool {
        self == Self::Showed
    }

    /// The stage after asking to move to `target`, or `None` when the rule (see the type's
    /// documentation) forbids it or the lead is already there.
    pub fn reach(self, target: LeadStage) -> Option<LeadStage> {
        use LeadStage::*;
        if self == target || self.is_final() {
            return None;
        }
        let allowed = match (self, target) {
            (_, Lost) => true,
            (from, NoShow) => from == Booked,
            (Lost | NoShow, to) => to == Booked,
            (from, to) => to.rank() > from.rank(),
        };
        allowed.then_some(target)
    }
}

/// How likely the lead is to book soon, from its score (see `super::score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    Hot,
    Warm,
    Cold,
}

wire_names!(Temperature { Hot => "hot", Warm => "warm", Cold => "cold" });

/// One acquisition attempt for a patient: an ad form, a CRM card, a first message. A patient
/// who comes back through another form within the tenant's dedupe window is merged into
/// the same lead (a `merged` event) rather than given a second one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: LeadId,
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub source: LeadSource,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    /// The ad platform's campaign name or id, when it is not in the UTM tags.
    pub campaign: Option<String>,
    /// The service the patient asked about, as written on the form.
    pub service_interest: Option<String>,
    /// Free text from the form or the staff.
    pub notes: Option<String>,
    pub stage: LeadStage,
    /// Why the lead was lost; cleared when a new booking reopens it.
    pub lost_reason: Option<String>,
    pub temperature: Temperature,
    pub score: i32,
    /// The scoring rules that applied, for staff ("paid ads +30").
    pub score_reasons: Vec<String>,
    /// Who on the staff works the lead, if anyone.
    pub owner: Option<String>,
    /// Every stage the lead reached and when it last reached it (a stage reached again
    /// after a reopening keeps its latest time). Skipped stages are absent.
    pub stage_times: BTreeMap<LeadStage, Timestamp>,
    /// When the clinic first reached out (call placed or message sent): speed-to-lead.
    pub first_outbound_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Lead {
    /// A new lead: stage `new`, cold, unscored.
    pub fn new(tenant_id: TenantId, patient_id: PatientId, source: LeadSource, now: Timestamp) -> Self {
        Self {
            id: LeadId::new(),
            tenant_id,
            patient_id,
            source,
            utm_source: None,
            utm_medium: None,
            utm_campaign: None,
            utm_term: None,
            utm_content: None,
            campaign: None,
            service_interest: None,
            notes: None,
            stage: LeadStage::New,
            lost_reason: None,
            temperature: Temperature::Cold,
            score: 0,
            score_reasons: Vec::new(),
            owner: None,
            stage_times: BTreeMap::from([(LeadStage::New, now)]),
            first_outbound_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Moves the lead to `target` at `at` if [`LeadStage::reach`] allows it, recording the
    /// time; `false` (and nothing changed) otherwise. Leaving `lost` clears `lost_reason`.
    pub fn move_to(&mut self, target: LeadStage, at: Timestamp) -> bool {
        let Some(next) = self.stage.reach(target) else { return false };
        if self.stage == LeadStage::Lost {
            self.lost_reason = None;
        }
        self.stage = next;
        self.stage_times.insert(next, at);
        self.updated_at = self.updated_at.max(at);
        true
    }

    /// Moves the lead to `lost` with its reason; `false` when it cannot be lost (showed,
    /// or already lost).
    pub fn mark_lost(&mut self, reason: impl Into<String>, at: Timestamp) -> bool {
        if !self.move_to(LeadStage::Lost, at) {
            return false;
        }
        self.lost_reason = Some(reason.into());
        true
    }

    /// Records the first outreach; later ones leave the first time in place.
    pub fn note_outbound(&mut self, at: Timestamp) {
        if self.first_outbound_at.is_none() {
            self.first_outbound_at = Some(at);
            self.updated_at = self.updated_at.max(at);
        }
    }
}

/// One entry of a lead's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadEvent {
    /// A UUIDv7.
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub lead_id: LeadId,
    pub at: Timestamp,
    /// `created`, `merged`, `stage_changed`, `scored`, `call_requested`, `message_queued`,
    /// `note`...
    pub kind: String,
    /// What happened, by kind (`{"from": "new", "to": "booked"}`); `Null` when nothing more.
    pub detail: Value,
}

impl LeadEvent {
    pub fn new(lead: &Lead, kind: impl Into<String>, detail: Value, at: Timestamp) -> Self {
        Self {
            id: Uuid::now_v7(),
            tenant_id: lead.tenant_id,
            lead_id: lead.id,
            at,
            kind: kind.into(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadStage::*;

    fn t(mins: i64) -> Timestamp {
        let base: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        base + jiff::SignedDuration::from_mins(mins)
    }

    #[test]
    fn wire_names_match_serde() {
        for s in LeadStage::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<LeadStage>().unwrap(), *s);
        }
        for s in LeadSource::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<LeadSource>().unwrap(), *s);
        }
        for s in Temperature::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<Temperature>().unwrap(), *s);
        }
        assert!("paid-ads".parse::<LeadSource>().is_err());
    }

    #[test]
    fn forward_path_with_skips_never_back() {
        let path = [New, Contacted, Qualified, Booked, Showed];
        for (i, from) in path.iter().enumerate() {
            for (j, to) in path.iter().enumerate() {
                let want = (j > i && *from != Showed).then_some(*to);
                assert_eq!(from.reach(*to), want, "{from} -> {to}");
            }
        }
        assert_eq!(New.reach(Booked), Some(Booked));
        assert_eq!(New.reach(Showed), Some(Showed));
        assert_eq!(Booked.reach(Contacted), None);
    }

    #[test]
    fn lost_from_every_non_final_stage() {
        for from in [New, Contacted, Qualified, Booked, NoShow] {
            assert_eq!(from.reach(Lost), Some(Lost), "{from}");
        }
        assert_eq!(Showed.reach(Lost), None);
        assert_eq!(Lost.reach(Lost), None);
    }

    #[test]
    fn no_show_only_from_booked() {
        assert_eq!(Booked.reach(NoShow), Some(NoShow));
        for from in [New, Contacted, Qualified, Showed, Lost, NoShow] {
            assert_eq!(from.reach(NoShow), None, "{from}");
        }
    }

    #[test]
    fn lost_and_no_show_reopen_only_by_booking() {
        for from in [Lost, NoShow] {
            assert_eq!(from.reach(Booked), Some(Booked), "{from}");
            for to in [New, Contacted, Qualified, Showed] {
                assert_eq!(from.reach(to), None, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn showed_is_final() {
        assert!(Showed.is_final());
        for to in LeadStage::ALL {
            assert_eq!(Showed.reach(*to), None, "showed -> {to}");
        }
    }

    #[test]
    fn new_lead_and_moves_record_times() {
        let mut lead = Lead::new(TenantId::new(), PatientId::new(), LeadSource::PaidAds, t(0));
        assert_eq!((lead.stage, lead.temperature, lead.score), (New, Temperature::Cold, 0));
        assert_eq!(lead.stage_times, BTreeMap::from([(New, t(0))]));
        assert!(lead.move_to(Booked, t(5)));
        assert!(!lead.move_to(Contacted, t(6)), "never back");
        assert!(!lead.move_to(Booked, t(6)), "already there");
        assert!(lead.move_to(NoShow, t(60)));
        assert!(lead.mark_lost("stopped answering", t(90)));
        assert_eq!(lead.lost_reason.as_deref(), Some("stopped answering"));
        assert!(lead.move_to(Booked, t(120)), "a new booking reopens the lead");
        assert_eq!(lead.lost_reason, None);
        assert!(lead.move_to(Showed, t(200)));
        assert!(!lead.mark_lost("late", t(210)));
        assert_eq!(lead.stage, Showed);
        assert_eq!(lead.updated_at, t(200));
        assert_eq!(
            lead.stage_times,
            BTreeMap::from([(New, t(0)), (Booked, t(120)), (Showed, t(200)), (Lost, t(90)), (NoShow, t(60))])
        );
    }

    #[test]
    fn first_outbound_is_kept() {
        let mut lead = Lead::new(TenantId::new(), PatientId::new(), LeadSource::Whatsapp, t(0));
        lead.note_outbound(t(1));
        lead.note_outbound(t(2));
        assert_eq!(lead.first_outbound_at, Some(t(1)));
    }

    #[test]
    fn lead_serde_round_trip_with_stage_keys() {
        let mut lead = Lead::new(TenantId::new(), PatientId::new(), LeadSource::Referral, t(0));
        assert!(lead.move_to(Booked, t(1)));
        assert!(lead.move_to(NoShow, t(2)));
        let value = serde_json::to_value(&lead).unwrap();
        assert!(value["stage_times"]["no_show"].is_string(), "{value}");
        let back: Lead = serde_json::from_value(value).unwrap();
        assert_eq!(back, lead);
    }

    #[test]
    fn events_belong_to_their_lead() {
        let lead = Lead::new(TenantId::new(), PatientId::new(), LeadSource::Crm, t(0));
        let e = LeadEvent::new(&lead, "created", serde_json::json!({"source": "crm"}), t(0));
        assert_eq!((e.tenant_id, e.lead_id, e.kind.as_str()), (lead.tenant_id, lead.id, "created"));
        assert_eq!(e.id.get_version_num(), 7);
    }
}
