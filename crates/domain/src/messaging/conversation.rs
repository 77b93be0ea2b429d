//! A conversation: everything said with one patient on one channel, and the WhatsApp
//! customer-care window that decides whether free-form text may be sent.

use super::channel::Channel;
use crate::{ConversationId, PatientId, TenantId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// WhatsApp allows free-form messages for 24 hours after the patient's last inbound
/// message; after that only approved templates may be sent (Twilio error 63016).
pub const WHATSAPP_WINDOW: SignedDuration = SignedDuration::from_hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Someone (staff or the dialogue) should look at it.
    Open,
    /// Waiting on the patient, or on the automated dialogue.
    Pending,
    /// Put aside by staff until later; a patient message brings it back.
    Snoozed,
    /// Done; a patient message reopens it.
    Closed,
}

wire_names!(ConversationStatus {
    Open => "open",
    Pending => "pending",
    Snoozed => "snoozed",
    Closed => "closed",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub tenant_id: TenantId,
    pub patient_id: PatientId,
    pub channel: Channel,
    pub status: ConversationStatus,
    /// Who on the staff handles it (a user name or id), if anyone.
    pub assignee: Option<String>,
    /// The automated dialogue gave up or the patient asked for a person.
    pub needs_staff: bool,
    /// A red flag (an emergency) was seen: staff should look first. Cleared when the
    /// conversation is handed back to the assistant.
    #[serde(default)]
    pub urgent: bool,
    pub last_message_at: Option<Timestamp>,
    pub last_inbound_at: Option<Timestamp>,
    /// Since when the patient has been waiting for a person: set when the conversation is
    /// handed to staff (or, while it is with staff, by the patient's first unanswered
    /// message), cleared by a staff reply or by handing it back. A staff reply's wait is
    /// the staff response time in the figures.
    #[serde(default)]
    pub waiting_for_staff_since: Option<Timestamp>,
    /// The tone of the patient's latest message with words (`nlu::sentiment`).
    #[serde(default)]
    pub sentiment: Option<crate::nlu::sentiment::Sentiment>,
    /// When the patient's tone last turned negative from a calmer message: the
    /// conversations someone should look at.
    #[serde(default)]
    pub turned_negative_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl Conversation {
    pub fn new(tenant_id: TenantId, patient_id: PatientId, channel: Channel, now: Timestamp) -> Self {
        Self {
            id: ConversationId::new(),
            tenant_id,
            patient_id,
            channel,
            status: ConversationStatus::Open,
            assignee: None,
            needs_staff: false,
            urgent: false,
            last_message_at: None,
            last_inbound_at: None,
            waiting_for_staff_since: None,
            sentiment: None,
            turned_negative_at: None,
            created_at: now,
        }
    }

    /// When the WhatsApp customer-care window closes: 24 hours after the last inbound
    /// message. `None` when there is no window to speak of: on SMS (which has none), or
    /// on WhatsApp before the patient ever wrote (the window has never been open).
    pub fn window_expires_at(&self) -> Option<Timestamp> {
        if !self.channel.has_customer_care_window() {
            return None;
        }
        // Only a timestamp within 24 hours of the end of time can overflow; such a window
        // simply never closes.
        self.last_inbound_at.map(|t| t.checked_add(WHATSAPP_WINDOW).unwrap_or(Timestamp::MAX))
    }

    /// Whether a free-form (non-template) message may be sent at `now`. Always true on
    /// SMS. On WhatsApp the window is open up to, not including, its expiry instant; a
    /// conversation the patient never wrote in has no open window.
    pub fn window_open(&self, now: Timestamp) -> bool {
        if !self.channel.has_customer_care_window() {
            return true;
        }
        self.window_expires_at().is_some_and(|expiry| now < expiry)
    }

    /// Records an inbound message at `at`. A closed or snoozed conversation reopens,
    /// because the patient wrote and somebody must look; a pending one stays pending,
    /// since whoever it is waiting on (usually the dialogue) is about to answer.
    /// Times only move forward, so a webhook delivered late cannot shrink the window.
    /// Returns whether the conversation was reopened.
    pub fn reopen_on_inbound(&mut self, at: Timestamp) -> bool {
        self.last_inbound_at = Some(later(self.last_inbound_at, at));
        self.last_message_at = Some(later(self.last_message_at, at));
        let reopen = matches!(self.status, ConversationStatus::Closed | ConversationStatus::Snoozed);
        if reopen {
            self.status = ConversationStatus::Open;
        }
        if self.needs_staff && self.waiting_for_staff_since.is_none() {
            self.waiting_for_staff_since = Some(at);
        }
        reopen
    }

    /// Records the tone of the patient's message received at `at`; returns whether the
    /// conversation turned negative with it. Recording the same message again (a retried
    /// job) says so again: the turn is known by its time.
    pub fn record_tone(&mut self, tone: crate::nlu::sentiment::Sentiment, at: Timestamp) -> bool {
        if self.turned_negative_at == Some(at) {
            return true;
        }
        let turned = tone.turned_negative(self.sentiment);
        if turned {
            self.turned_negative_at = Some(at);
        }
        self.sentiment = Some(tone);
        turned
    }

    /// Gives the conversation to staff (`true`) or back to the assistant (`false`) at `at`.
    /// The patient starts waiting for a person when it is given to staff (a wait already
    /// running keeps its start); handing it back ends the wait.
    pub fn set_needs_staff(&mut self, needs_staff: bool, at: Timestamp) {
        self.needs_staff = needs_staff;
        if needs_staff {
            self.waiting_for_staff_since.get_or_insert(at);
        } else {
            self.waiting_for_staff_since = None;
        }
    }

    /// A person on the staff wrote at `at`: the wait ends, and how long it lasted (whole
    /// seconds, never negative) is returned; `None` when nobody was waiting.
    pub fn staff_replied(&mut self, at: Timestamp) -> Option<i64> {
        let since = self.waiting_for_staff_since.take()?;
        Some(at.duration_since(since).as_secs().max(0))
    }

    /// Records an outbound message at `at`. It does not touch the window: only the
    /// patient's messages open it.
    pub fn record_outbound(&mut self, at: Timestamp) {
        self.last_message_at = Some(later(self.last_message_at, at));
    }
}

fn later(current: Option<Timestamp>, at: Timestamp) -> Timestamp {
    current.map_or(at, |c| c.max(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn whatsapp() -> Conversation {
        Conversation::new(TenantId::new(), PatientId::new(), Channel::Whatsapp, ts("2026-03-01T10:00:00Z"))
    }

    #[test]
    fn window_is_24_hours_from_the_last_inbound_message() {
        let mut c = whatsapp();
        assert!(!c.window_open(ts("2026-03-01T10:00:00Z")), "never written: no window");
        assert_eq!(c.window_expires_at(), None);
        c.reopen_on_inbound(ts("2026-03-01T12:00:00Z"));
        assert_eq!(c.window_expires_at(), Some(ts("2026-03-02T12:00:00Z")));
        assert!(c.window_open(ts("2026-03-02T11:59:59Z")));
        assert!(!c.window_open(ts("2026-03-02T12:00:00Z")));
        // Our own messages do not extend it.
        c.record_outbound(ts("2026-03-02T11:00:00Z"));
        assert_eq!(c.window_expires_at(), Some(ts("2026-03-02T12:00:00Z")));
        assert_eq!(c.last_message_at, Some(ts("2026-03-02T11:00:00Z")));
    }

    #[test]
    fn a_late_webhook_does_not_shrink_the_window() {
        let mut c = whatsapp();
        c.reopen_on_inbound(ts("2026-03-01T12:00:00Z"));
        c.reopen_on_inbound(ts("2026-03-01T11:00:00Z"));
        assert_eq!(c.last_inbound_at, Some(ts("2026-03-01T12:00:00Z")));
    }

    #[test]
    fn sms_has_no_window() {
        let mut c = whatsapp();
        c.channel = Channel::Sms;
        assert!(c.window_open(ts("2030-01-01T00:00:00Z")));
        assert_eq!(c.window_expires_at(), None);
    }

    #[test]
    fn inbound_reopens_closed_and_snoozed_but_not_pending() {
        let at = ts("2026-03-01T12:00:00Z");
        for (from, reopened, to) in [
            (ConversationStatus::Closed, true, ConversationStatus::Open),
            (ConversationStatus::Snoozed, true, ConversationStatus::Open),
            (ConversationStatus::Pending, false, ConversationStatus::Pending),
            (ConversationStatus::Open, false, ConversationStatus::Open),
        ] {
            let mut c = whatsapp();
            c.status = from;
            assert_eq!(c.reopen_on_inbound(at), reopened, "{from}");
            assert_eq!(c.status, to);
        }
    }

    #[test]
    fn the_end_of_time_does_not_overflow() {
        let mut c = whatsapp();
        c.reopen_on_inbound(Timestamp::MAX);
        assert_eq!(c.window_expires_at(), Some(Timestamp::MAX));
    }

    #[test]
    fn a_staff_reply_ends_the_wait_that_the_hand_off_started() {
        let mut c = whatsapp();
        c.reopen_on_inbound(ts("2026-03-01T12:00:00Z"));
        assert_eq!(c.waiting_for_staff_since, None, "with the assistant: nobody waits for a person");
        c.set_needs_staff(true, ts("2026-03-01T12:00:05Z"));
        c.reopen_on_inbound(ts("2026-03-01T12:01:00Z"));
        assert_eq!(c.waiting_for_staff_since, Some(ts("2026-03-01T12:00:05Z")), "the first wait counts");
        assert_eq!(c.staff_replied(ts("2026-03-01T12:05:05Z")), Some(300));
        assert_eq!(c.staff_replied(ts("2026-03-01T12:06:00Z")), None, "a second reply answers no one");
        c.reopen_on_inbound(ts("2026-03-01T13:00:00Z"));
        assert_eq!(c.staff_replied(ts("2026-03-01T13:00:30Z")), Some(30), "the patient wrote again");
        c.reopen_on_inbound(ts("2026-03-01T14:00:00Z"));
        c.set_needs_staff(false, ts("2026-03-01T14:00:10Z"));
        assert_eq!(c.waiting_for_staff_since, None, "handed back: the assistant answers");
    }

    #[test]
    fn wire_names_match_serde() {
        for s in ConversationStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<ConversationStatus>().unwrap(), *s);
        }
        let c = whatsapp();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["channel"], "whatsapp");
        assert_eq!(serde_json::from_value::<Conversation>(json).unwrap(), c);
    }
}
