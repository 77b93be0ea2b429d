//! The calendar: a day (a column per practitioner) or a week (a column per day), filtered
//! by practitioner and unit, in the clinic's time zone; booking with a patient search and
//! ranked slot suggestions; the actions each appointment allows, through the engine's
//! lifecycle - the same path as the API (reminders moved, the patient told).

mod actions;
mod scope;
mod suggest;
mod view;

pub use actions::{act, book};
pub use suggest::{patients, slots};
pub use view::page;
