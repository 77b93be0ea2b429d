//! A message's delivery status and the rule that keeps it from moving backwards.
//!
//! Providers report status changes through callbacks that can arrive late, twice or out of
//! order (Twilio says so explicitly, and Meta says the order of WhatsApp notifications
//! "may not reflect the actual timing"). The stored status is therefore never simply
//! overwritten: `advance` accepts a reported status only if it says more than what is
//! already known.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Created by us and waiting to be handed to the provider (Twilio's `queued`,
    /// `accepted` and `scheduled` all mean this).
    Queued,
    /// The provider is handing it to the carrier or to WhatsApp.
    Sending,
    /// The carrier or WhatsApp accepted it; not yet on the patient's phone.
    Sent,
    /// It reached the patient's phone.
    Delivered,
    /// The patient opened it (WhatsApp read receipts; SMS never gets here).
    Read,
    /// The provider could not send it (bad number, opted out, outside the window...).
    Failed,
    /// Sent, but the carrier or WhatsApp reported that it could not be delivered.
    Undelivered,
    /// An inbound message, as received from the patient. Inbound messages start and
    /// stay here.
    Received,
}

wire_names!(MessageStatus {
    Queued => "queued",
    Sending => "sending",
    Sent => "sent",
    Delivered => "delivered",
    Read => "read",
    Failed => "failed",
    Undelivered => "undelivered",
    Received => "received",
});

impl MessageStatus {
    /// How much a status tells about an outbound message. The order follows Twilio's
    /// lifecycle (queued -> sending -> sent -> delivered -> read) with one deliberate
    /// choice about failures:
    ///
    /// * `failed` and `undelivered` outrank every in-flight status, so a late `sent` or
    ///   `queued` never resurrects a failed message, and they share a rank, so whichever
    ///   failure arrives first is kept together with its error code.
    /// * `delivered` and `read` outrank the failures. They are receipts from the patient's
    ///   own device, which no stale or premature failure report can contradict: if WhatsApp
    ///   says the patient read it, they did, whatever an earlier callback claimed. The
    ///   opposite order (a failure after `delivered`) is therefore ignored.
    ///
    /// `Received` belongs to inbound messages and has no place on this scale; `advance`
    /// keeps the two directions apart.
    pub fn rank(&self) -> u8 {
        match self {
            Self::Queued | Self::Received => 0,
            Self::Sending => 1,
            Self::Sent => 2,
            Self::Failed | Self::Undelivered => 3,
            Self::Delivered => 4,
            Self::Read => 5,
        }
    }

    /// No further change is expected: the message failed, or was read, or was received.
    /// (`delivered` can still become `read`, and a failure can still be contradicted by a
    /// receipt, see `rank`.)
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Read | Self::Received)
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed | Self::Undelivered)
    }

    fn is_inbound(&self) -> bool {
        matches!(self, Self::Received)
    }
}

/// The status a message should move to when a provider reports `incoming`, or `None` when
/// the report must be ignored: it is a duplicate, it arrived after a later status, or it
/// mixes an inbound status with an outbound one. The result, when there is one, always
/// ranks strictly higher than `current`, so applying any sequence of reports ends on the
/// highest-ranked status among them, whatever order they arrived in.
pub fn advance(current: MessageStatus, incoming: MessageStatus) -> Option<MessageStatus> {
    if current.is_inbound() || incoming.is_inbound() {
        return None;
    }
    (incoming.rank() > current.rank()).then_some(incoming)
}

#[cfg(test)]
mod tests {
    use super::MessageStatus::*;
    use super::*;

    #[test]
    fn moves_forward_through_the_lifecycle() {
        assert_eq!(advance(Queued, Sending), Some(Sending));
        assert_eq!(advance(Sending, Sent), Some(Sent));
        assert_eq!(advance(Queued, Delivered), Some(Delivered));
        assert_eq!(advance(Delivered, Read), Some(Read));
        assert_eq!(advance(Sent, Failed), Some(Failed));
        assert_eq!(advance(Sent, Undelivered), Some(Undelivered));
    }

    #[test]
    fn late_reports_never_overwrite_later_ones() {
        assert_eq!(advance(Delivered, Sent), None);
        assert_eq!(advance(Read, Sent), None);
        assert_eq!(advance(Read, Delivered), None);
        assert_eq!(advance(Failed, Sent), None);
        assert_eq!(advance(Undelivered, Queued), None);
        assert_eq!(advance(Sent, Sent), None);
    }

    #[test]
    fn failures_are_terminal_except_against_a_receipt() {
        assert_eq!(advance(Failed, Undelivered), None);
        assert_eq!(advance(Undelivered, Failed), None);
        assert_eq!(advance(Delivered, Failed), None);
        assert_eq!(advance(Read, Undelivered), None);
        assert_eq!(advance(Undelivered, Delivered), Some(Delivered));
        assert_eq!(advance(Failed, Read), Some(Read));
    }

    #[test]
    fn inbound_and_outbound_never_mix() {
        for s in MessageStatus::ALL {
            assert_eq!(advance(Received, *s), None);
            assert_eq!(advance(*s, Received), None);
        }
    }

    #[test]
    fn out_of_order_callbacks_end_on_the_right_status() {
        let reports = [Delivered, Sent, Read, Sending, Delivered];
        let end = reports.iter().fold(Queued, |s, r| advance(s, *r).unwrap_or(s));
        assert_eq!(end, Read);
    }

    #[test]
    fn wire_names_match_serde() {
        for s in MessageStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(s.as_str().parse::<MessageStatus>().unwrap(), *s);
        }
        assert!(Read.is_final() && !Delivered.is_final() && Failed.is_failure());
    }
}
