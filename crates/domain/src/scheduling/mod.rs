//! The clinic's calendar as pure rules: who works where and when, which slots are free,
//! how they rank against a patient's wishes, an appointment's lifecycle, its reminder
//! instants and its calendar file. Stores persist these types; the engine and the web
//! layer call these functions. Nothing here reads a clock: "now" is always a parameter.

mod appointment;
mod hours;
mod ics;
mod model;
mod opening;
mod ranking;
mod record;
mod search;
mod slots;

#[cfg(test)]
mod ranking_tests;
#[cfg(test)]
mod slot_props;
#[cfg(test)]
mod slot_tests;

pub use appointment::{
    AppointmentAction, AppointmentStatus, InvalidTransition, ReminderPolicy, no_show_check_at, not_yet,
    reminder_instants, transition,
};
pub use hours::{Exception, ExceptionKind, LocalInterval, WeeklyHours, WeeklyInterval, wall_clock_instant};
pub use ics::{CalendarEvent, appointment_ics, escape_text};
pub use model::{
    BookingRules, Location, MAX_HORIZON_DAYS, MAX_SERVICE_MINUTES, Practitioner, SchedulingError, Service,
    Slot, TimeRange, same_department, weekday_serde,
};
pub use opening::{OPENING_HORIZON_DAYS, next_opening, open_at};
pub use ranking::{RankedSlot, RankingContext, ReasonCode, ScoreReason, SearchResult, rank_slots};
pub use record::{Appointment, AppointmentEvent};
pub use search::{
    DEFAULT_LIMIT, DayPeriod, MAX_LIMIT, SearchError, SearchPlan, SearchPreferences, plan_search,
};
pub use slots::{AvailabilityRequest, DaySlots, SlotRejection, check_start, free_slots, group_by_local_day};

/// Points per reason, public so that API docs and tests quote the same numbers.
pub mod points {
    pub use super::ranking::{
        EXACT_DAY, NEAR_TIME_OF_DAY, PREFERRED_LOCATION, PREFERRED_PRACTITIONER, SOONER_MAX, TIME_OF_DAY,
        WITHIN_1H, WITHIN_2H,
    };
}
