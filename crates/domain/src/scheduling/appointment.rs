//! An appointment's lifecycle and the instants its reminders and no-show check run at.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Confirmed,
    CheckedIn,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] =
        [Self::Booked, Self::Confirmed, Self::CheckedIn, Self::Completed, Self::Cancelled, Self::NoShow];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::CheckedIn => "checked_in",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    /// Whether the appointment holds its time in the practitioner's calendar. Cancelled
    /// time is free again; a no-show is only recorded after the time has passed.
    pub fn occupies_calendar(&self) -> bool {
        matches!(self, Self::Booked | Self::Confirmed | Self::CheckedIn | Self::Completed)
    }

    /// Still ahead of the patient: reminders and the no-show check apply.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Booked | Self::Confirmed)
    }
}

impl fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppointmentStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown appointment status {s:?}"))
    }
}

/// What staff, the patient or a job can do to an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentAction {
    Confirm,
    CheckIn,
    Complete,
    Cancel,
    MarkNoShow,
    /// Moving to a new time; the new time needs the patient's confirmation again.
    Reschedule,
}

impl AppointmentAction {
    pub const ALL: [AppointmentAction; 6] =
        [Self::Confirm, Self::CheckIn, Self::Complete, Self::Cancel, Self::MarkNoShow, Self::Reschedule];

    /// The verb as used in URLs and history (`/appointments/{id}/check-in` -> `check_in`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::CheckIn => "check_in",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
            Self::MarkNoShow => "no_show",
            Self::Reschedule => "reschedule",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("cannot {action:?} an appointment that is {current}")]
pub struct InvalidTransition {
    pub current: AppointmentStatus,
    pub action: AppointmentAction,
}

/// The lifecycle: booked -> confirmed -> checked_in -> completed, and booked/confirmed
/// -> cancelled or no_show. A patient who never answered the reminders still walks in:
/// booked -> checked_in is allowed (the confirmation is a courtesy, not a gate).
/// Everything else is refused, including repeating an action (confirming twice), so a
/// duplicate request is visible instead of silently applied. When an action may happen
/// is a separate rule: [`not_yet`].
pub fn transition(
    from: AppointmentStatus,
    action: AppointmentAction,
) -> Result<AppointmentStatus, InvalidTransition> {
    use AppointmentAction as A;
    use AppointmentStatus as S;
    match (from, action) {
        (S::Booked, A::Confirm) => Ok(S::Confirmed),
        (S::Booked | S::Confirmed, A::CheckIn) => Ok(S::CheckedIn),
        (S::CheckedIn, A::Complete) => Ok(S::Completed),
        (S::Booked | S::Confirmed, A::Cancel) => Ok(S::Cancelled),
        (S::Booked | S::Confirmed, A::MarkNoShow) => Ok(S::NoShow),
        (S::Booked | S::Confirmed, A::Reschedule) => Ok(S::Booked),
        (current, action) => Err(InvalidTransition { current, action }),
    }
}

/// Why `action` cannot happen yet at `now` for an appointment starting at `start`: nobody
/// can have missed an appointment that has not begun, so a no-show is refused before the
/// start (a slip of the staff's finger on tomorrow's row would otherwise start a
/// reactivation sequence for a patient who is still coming).
pub fn not_yet(action: AppointmentAction, start: Timestamp, now: Timestamp) -> Option<&'static str> {
    (action == AppointmentAction::MarkNoShow && now < start)
        .then_some("an appointment cannot be marked as a no-show before it starts")
}

/// Per-tenant reminder and no-show settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderPolicy {
    /// How long before the start each reminder goes out.
    pub offsets_minutes: Vec<u32>,
    /// How long after the end an unattended appointment becomes a no-show; `None`
    /// disables the automatic check (staff can still mark it).
    pub no_show_grace_minutes: Option<u32>,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self { offsets_minutes: vec![24 * 60, 3 * 60], no_show_grace_minutes: Some(30) }
    }
}

impl ReminderPolicy {
    pub fn reminder_instants(&self, start: Timestamp, now: Timestamp) -> Vec<Timestamp> {
        let offsets: Vec<SignedDuration> =
            self.offsets_minutes.iter().map(|m| SignedDuration::from_mins(i64::from(*m))).collect();
        reminder_instants(start, &offsets, now)
    }

    pub fn no_show_check_at(&self, end: Timestamp) -> Option<Timestamp> {
        let grace = self.no_show_grace_minutes.map(|m| SignedDuration::from_mins(i64::from(m)));
        no_show_check_at(end, grace)
    }
}

/// The reminder instants `start - offset` that are still ahead of `now`, earliest first
/// and without duplicates. A reminder whose moment has passed (a booking made two hours
/// ahead gets no 24 h reminder) is dropped rather than sent late.
pub fn reminder_instants(start: Timestamp, offsets: &[SignedDuration], now: Timestamp) -> Vec<Timestamp> {
    let mut out: Vec<Timestamp> = offsets
        .iter()
        .filter_map(|offset| start.checked_sub(*offset).ok())
        .filter(|at| *at > now && *at <= start)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// When to check whether the patient came: `end + grace`, or never when disabled.
pub fn no_show_check_at(end: Timestamp, grace: Option<SignedDuration>) -> Option<Timestamp> {
    end.checked_add(grace?.abs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppointmentAction as A;
    use AppointmentStatus as S;

    #[test]
    fn the_happy_path() {
        let s = transition(S::Booked, A::Confirm).unwrap();
        let s = transition(s, A::CheckIn).unwrap();
        assert_eq!(transition(s, A::Complete), Ok(S::Completed));
    }

    #[test]
    fn every_transition_is_allowed_or_names_the_current_status() {
        let allowed = [
            (S::Booked, A::Confirm, S::Confirmed),
            (S::Booked, A::CheckIn, S::CheckedIn),
            (S::Confirmed, A::CheckIn, S::CheckedIn),
            (S::CheckedIn, A::Complete, S::Completed),
            (S::Booked, A::Cancel, S::Cancelled),
            (S::Confirmed, A::Cancel, S::Cancelled),
            (S::Booked, A::MarkNoShow, S::NoShow),
            (S::Confirmed, A::MarkNoShow, S::NoShow),
            (S::Booked, A::Reschedule, S::Booked),
            (S::Confirmed, A::Reschedule, S::Booked),
        ];
        let mut refused = 0;
        for from in S::ALL {
            for action in A::ALL {
                let expected =
                    allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                match (transition(from, action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want),
                    (Err(e), None) => {
                        assert_eq!(e, InvalidTransition { current: from, action });
                        refused += 1;
                    }
                    (got, want) => panic!("{from} + {action:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!(refused, 6 * 6 - allowed.len());
    }

    #[test]
    fn a_patient_who_never_confirmed_can_still_be_checked_in() {
        assert_eq!(transition(S::Booked, A::CheckIn), Ok(S::CheckedIn));
    }

    #[test]
    fn a_no_show_waits_for_the_start_and_nothing_else_does() {
        let start = ts("2026-06-10T14:00:00Z");
        let before = ts("2026-06-10T13:59:59Z");
        assert!(not_yet(A::MarkNoShow, start, before).is_some());
        assert_eq!(not_yet(A::MarkNoShow, start, start), None);
        assert_eq!(not_yet(A::MarkNoShow, start, ts("2026-06-10T15:00:00Z")), None);
        for action in A::ALL.into_iter().filter(|a| *a != A::MarkNoShow) {
            assert_eq!(not_yet(action, start, before), None, "{action:?}");
        }
    }

    #[test]
    fn terminal_statuses_refuse_everything() {
        for from in [S::Completed, S::Cancelled, S::NoShow] {
            assert!(A::ALL.into_iter().all(|a| transition(from, a).is_err()));
            assert!(!from.is_pending());
        }
        assert!(!S::Cancelled.occupies_calendar());
        assert!(S::CheckedIn.occupies_calendar());
    }

    #[test]
    fn statuses_round_trip_as_strings_and_json() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert!("lost".parse::<S>().is_err());
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_keep_only_future_instants() {
        let policy = ReminderPolicy::default();
        let start = ts("2025-06-10T14:00:00Z");
        assert_eq!(
            policy.reminder_instants(start, ts("2025-06-01T00:00:00Z")),
            vec![ts("2025-06-09T14:00:00Z"), ts("2025-06-10T11:00:00Z")]
        );
        // Booked 5 hours ahead: the 24 h reminder's moment is gone.
        assert_eq!(
            policy.reminder_instants(start, ts("2025-06-10T09:00:00Z")),
            vec![ts("2025-06-10T11:00:00Z")]
        );
        assert!(policy.reminder_instants(start, ts("2025-06-10T12:00:00Z")).is_empty());
    }

    #[test]
    fn reminders_ignore_duplicates_and_offsets_after_the_start() {
        let h = SignedDuration::from_hours;
        let start = ts("2025-06-10T14:00:00Z");
        let got = reminder_instants(start, &[h(3), h(24), h(3), h(-1)], Timestamp::UNIX_EPOCH);
        assert_eq!(got, vec![ts("2025-06-09T14:00:00Z"), ts("2025-06-10T11:00:00Z")]);
        assert!(reminder_instants(Timestamp::MIN, &[h(1)], Timestamp::MIN).is_empty());
    }

    #[test]
    fn no_show_check_runs_after_grace_or_never() {
        let end = ts("2025-06-10T14:30:00Z");
        assert_eq!(ReminderPolicy::default().no_show_check_at(end), Some(ts("2025-06-10T15:00:00Z")));
        let off = ReminderPolicy { no_show_grace_minutes: None, ..Default::default() };
        assert_eq!(off.no_show_check_at(end), None);
        assert_eq!(no_show_check_at(Timestamp::MAX, Some(SignedDuration::from_mins(1))), None);
    }
}
