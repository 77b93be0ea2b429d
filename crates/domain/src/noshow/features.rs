//! The features of one appointment, as known before the appointment's local day.

use serde::{Deserialize, Serialize};

/// The patient's record before this appointment: only appointments on strictly earlier
/// local days count, so that nothing from the day itself leaks into a prediction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientHistory {
    pub prior_shows: u32,
    pub prior_no_shows: u32,
    pub prior_cancellations: u32,
    /// Days since the last earlier appointment kept or missed, if any.
    pub days_since_last: Option<u32>,
    /// Whether that last appointment was missed.
    pub last_was_no_show: Option<bool>,
    /// How many days ahead that last appointment had been booked (a patient who books
    /// far ahead tends to do it again).
    #[serde(default)]
    pub last_lead_time_days: Option<u32>,
}

impl PatientHistory {
    /// A first visit: no earlier appointment kept or missed.
    pub fn is_first_visit(&self) -> bool {
        self.prior_shows == 0 && self.prior_no_shows == 0
    }
}

/// Where the reminders stand when the prediction is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderState {
    /// Not known (historical data, or too early to tell).
    #[default]
    Unknown,
    /// No reminder was sent.
    NotSent,
    /// A reminder went out and the patient has not confirmed.
    Sent,
    /// The patient confirmed.
    Confirmed,
}

/// Everything a scorer may use. Categorical values are the clinic's own ids or names;
/// `None` is "not known".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppointmentFeatures {
    /// Whole days between booking and the appointment's local day (0 = booked that day).
    pub lead_time_days: u32,
    /// The appointment's local weekday, Monday = 0.
    pub weekday: u8,
    /// The local hour it starts, when known (the Vitória data has only the day).
    pub hour: Option<u8>,
    pub service: Option<String>,
    pub practitioner: Option<String>,
    pub unit: Option<String>,
    pub age_years: Option<u16>,
    pub history: PatientHistory,
    pub reminder: ReminderState,
    /// How it was booked: `dialogue`, `voice`, `staff`, `api`, `public_page`, ...
    pub booking_channel: Option<String>,
    pub neighbourhood: Option<String>,
    /// The patient's other appointments on the same day, booked before the day.
    pub same_day_appointments: u32,
    /// The patient's other appointments booked on the same day as this one.
    pub booked_together: u32,
    /// The local hour and weekday (Monday = 0) the appointment was booked, when known.
    #[serde(default)]
    pub booked_hour: Option<u8>,
    #[serde(default)]
    pub booked_weekday: Option<u8>,
    /// Days between the patient's previous booking and this one's, if they booked before.
    #[serde(default)]
    pub days_since_previous_booking: Option<u32>,
    /// The patient's appointments on later days that were booked before this one's day
    /// (a course of sessions, a follow-up already set).
    #[serde(default)]
    pub later_appointments: u32,
    /// Of those, how many fall within the seven days after this one.
    #[serde(default)]
    pub later_within_week: u32,
    /// Days from this appointment to the nearest of those, if any.
    #[serde(default)]
    pub days_to_next: Option<u32>,
    /// Appointments of the clinic (every patient) on the same day booked before the day,
    /// when the caller counts them.
    #[serde(default)]
    pub day_load: Option<u32>,
    /// The same, in the appointment's own neighbourhood (or unit).
    #[serde(default)]
    pub area_day_load: Option<u32>,
    /// Other patients booked in the same minute at the same place (a family booked
    /// together), when the caller knows.
    #[serde(default)]
    pub booked_alongside: Option<u32>,
    /// Yes/no facts a data set carries about the patient (Vitória: `scholarship`,
    /// `hypertension`, `diabetes`, `alcoholism`, `handicap`, `sms_received`), by name.
    pub flags: Vec<(String, bool)>,
}

/// A labelled appointment from the past, for training and evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub features: AppointmentFeatures,
    /// The appointment's local day; temporal splits cut on it.
    pub day: jiff::civil::Date,
    pub no_show: bool,
}

/// One reason behind a risk, strongest first in [`Risk::reasons`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReason {
    /// A stable code a page translates: `prior_no_shows`, `long_lead_time`, `first_visit`,
    /// `not_confirmed`, `weekday`, `young_adult`, ...
    pub code: String,
    /// How much it moved the risk, in log-odds (positive raises it).
    pub weight: f64,
}

/// The probability of a no-show, in `[0, 1]`, and the reasons that raised it most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    pub probability: f64,
    pub reasons: Vec<RiskReason>,
}

/// How a page or an API shows a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl Risk {
    /// At or above this, an appointment is high risk.
    pub const HIGH: f64 = 0.3;
    /// At or above this (and below [`Risk::HIGH`]), medium.
    pub const MEDIUM: f64 = 0.15;

    pub fn level(&self) -> RiskLevel {
        if self.probability >= Self::HIGH {
            RiskLevel::High
        } else if self.probability >= Self::MEDIUM {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}
