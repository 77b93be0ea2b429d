//! Reads the public Vitória (Brazil) no-show data set (110,527 appointments, 2016; the
//! Kaggle "Medical Appointment No Shows" file) into examples whose features are known
//! before each appointment's day. Pure: the caller opens the file.
//!
//! Cleaning, counted in [`Cleaning`]: a patient id that is not a whole number (a handful
//! are stored as `9377952927E-5`) drops the row, because such an id cannot be matched to
//! the patient's other appointments; an appointment day before the day it was booked drops
//! the row; a negative age drops the row; a row that cannot be read (wrong number of
//! fields, a bad date) drops the row. Rows may come in any order.

use super::{AppointmentFeatures, Example, PatientHistory};
use jiff::civil::Date;
use std::collections::HashMap;
use std::io::Read;

const COLUMNS: [&str; 14] = [
    "PatientId",
    "AppointmentID",
    "Gender",
    "ScheduledDay",
    "AppointmentDay",
    "Age",
    "Neighbourhood",
    "Scholarship",
    "Hipertension",
    "Diabetes",
    "Alcoholism",
    "Handcap",
    "SMS_received",
    "No-show",
];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReadError {
    #[error("the file has no header row")]
    Empty,
    #[error("missing columns: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("the file cannot be read as CSV: {0}")]
    Unreadable(String),
}

/// What was kept and what was dropped, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaning {
    pub rows: usize,
    pub kept: usize,
    pub patient_id_not_whole: usize,
    pub day_before_booking: usize,
    pub negative_age: usize,
    pub unreadable: usize,
}

struct Row {
    patient: u64,
    id: u64,
    booked: Date,
    /// Minute of the booking's day (the file's own clock), when the time is given.
    booked_minute: Option<u16>,
    day: Date,
    age: u16,
    male: bool,
    neighbourhood: String,
    flags: [bool; 6],
    no_show: bool,
}

const FLAGS: [&str; 6] =
    ["scholarship", "hypertension", "diabetes", "alcoholism", "handicap", "sms_received"];

/// Reads the CSV and derives each appointment's features from the patient's other rows.
pub fn read(input: impl Read) -> Result<(Vec<Example>, Cleaning), ReadError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let header = reader.headers().map_err(|e| ReadError::Unreadable(e.to_string()))?.clone();
    if header.is_empty() || header.iter().all(str::is_empty) {
        return Err(ReadError::Empty);
    }
    let position = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing: Vec<String> =
        COLUMNS.iter().filter(|c| position(c).is_none()).map(|c| (*c).to_owned()).collect();
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns(missing));
    }
    let at: Vec<usize> = COLUMNS.iter().filter_map(|c| position(c)).collect();
    let mut cleaning = Cleaning::default();
    let mut rows = Vec::new();
    for record in reader.records() {
        cleaning.rows += 1;
        let Ok(record) = record else {
            cleaning.unreadable += 1;
            continue;
        };
        let field = |i: usize| record.get(at[i]).map(str::trim).unwrap_or("");
        let Some(patient) = whole_number(field(0)) else {
            cleaning.patient_id_not_whole += 1;
            continue;
        };
        let (Some(id), Some(booked), Some(day), Ok(age)) =
            (whole_number(field(1)), date_of(field(3)), date_of(field(4)), field(5).parse::<i32>())
        else {
            cleaning.unreadable += 1;
            continue;
        };
        if day < booked {
            cleaning.day_before_booking += 1;
            continue;
        }
        let Ok(age) = u16::try_from(age) else {
            cleaning.negative_age += 1;
            continue;
        };
        let flag = |i: usize| field(i).parse::<u32>().is_ok_and(|v| v > 0);
        rows.push(Row {
            patient,
            id,
            booked,
            booked_minute: minute_of(field(3)),
            day,
            age,
            male: field(2).eq_ignore_ascii_case("M"),
            neighbourhood: field(6).to_owned(),
            flags: [flag(7), flag(8), flag(9), flag(10), flag(11), flag(12)],
            no_show: field(13).eq_ignore_ascii_case("yes"),
        });
    }
    cleaning.kept = rows.len();
    Ok((examples(rows), cleaning))
}

/// Ids written as `29872499824296`, `29872499824296.0` or `2.98724998e13` when that is a
/// whole number; anything else is not an id.
fn whole_number(text: &str) -> Option<u64> {
    if let Ok(n) = text.parse::<u64>() {
        return Some(n);
    }
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 9.0e15).then_some(value as u64)
}

/// The minute of the day of `2016-04-29T18:38:08Z` (18 × 60 + 38).
fn minute_of(text: &str) -> Option<u16> {
    let hour: u16 = text.get(11..13)?.parse().ok()?;
    let minute: u16 = text.get(14..16)?.parse().ok()?;
    (hour < 24 && minute < 60).then_some(hour * 60 + minute)
}

/// The date part of `2016-04-29T18:38:08Z` (the file's own calendar day).
fn date_of(text: &str) -> Option<Date> {
    text.get(..10)?.parse().ok()
}

fn examples(mut rows: Vec<Row>) -> Vec<Example> {
    rows.sort_by_key(|r| (r.day, r.id));
    let mut by_patient: HashMap<u64, Vec<usize>> = HashMap::new();
    // The clinic's load on a day, overall and per neighbourhood: appointments booked
    // before the day (those booked on the day itself are walk-ins not known beforehand).
    let mut day_load: HashMap<Date, u32> = HashMap::new();
    let mut area_load: HashMap<(Date, &str), u32> = HashMap::new();
    // Patients booked in the same minute in the same neighbourhood (a family booked at
    // the desk together); the booking itself is known from then on.
    let mut alongside: HashMap<(Date, u16, &str), Vec<u64>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        by_patient.entry(row.patient).or_default().push(i);
        if row.booked < row.day {
            *day_load.entry(row.day).or_default() += 1;
            *area_load.entry((row.day, row.neighbourhood.as_str())).or_default() += 1;
        }
        if let Some(minute) = row.booked_minute {
            alongside.entry((row.booked, minute, row.neighbourhood.as_str())).or_default().push(row.patient);
        }
    }
    for patients in alongside.values_mut() {
        patients.sort_unstable();
        patients.dedup();
    }
    rows.iter()
        .map(|row| {
            let mine = &by_patient[&row.patient];
            let mut history = PatientHistory::default();
            // The last earlier day: whether any appointment on it was missed, and the
            // longest lead time among them.
            let mut last: Option<(Date, bool, Date)> = None;
            let (mut same_day, mut booked_together) = (0u32, 0u32);
            let (mut later, mut later_within_week, mut next) = (0u32, 0u32, None::<Date>);
            let mut previous_booking: Option<Date> = None;
            for other in mine.iter().map(|i| &rows[*i]).filter(|o| o.id != row.id) {
                if other.day < row.day {
                    // Only days strictly before this one: their outcomes are known.
                    if other.no_show {
                        history.prior_no_shows += 1;
                    } else {
                        history.prior_shows += 1;
                    }
                    last = match last {
                        Some((day, missed, booked)) if day == other.day => {
                            Some((day, missed || other.no_show, booked.min(other.booked)))
                        }
                        Some((day, ..)) if day > other.day => last,
                        _ => Some((other.day, other.no_show, other.booked)),
                    };
                } else if other.day == row.day && other.booked < row.day {
                    same_day += 1;
                } else if other.day > row.day && other.booked < row.day {
                    // Booked before this day for a later one: known on the day, whatever
                    // happens to it later.
                    later += 1;
                    if (other.day - row.day).get_days() <= 7 {
                        later_within_week += 1;
                    }
                    next = Some(next.map_or(other.day, |n| n.min(other.day)));
                }
                if other.booked == row.booked {
                    booked_together += 1;
                }
                // An earlier booking (by day, then by minute on the same day).
                let earlier_booking = other.booked < row.booked
                    || (other.booked == row.booked && other.booked_minute < row.booked_minute);
                if earlier_booking && previous_booking.is_none_or(|p| other.booked > p) {
                    previous_booking = Some(other.booked);
                }
            }
            if let Some((day, missed, booked)) = last {
                history.days_since_last = u32::try_from((row.day - day).get_days()).ok();
                history.last_was_no_show = Some(missed);
                history.last_lead_time_days = u32::try_from((day - booked).get_days()).ok();
            }
            let mut flags: Vec<(String, bool)> =
                FLAGS.iter().zip(row.flags).map(|(name, value)| ((*name).to_owned(), value)).collect();
            flags.push(("male".to_owned(), row.male));
            let days = |from: Date, to: Date| u32::try_from((to - from).get_days()).ok();
            Example {
                features: AppointmentFeatures {
                    lead_time_days: days(row.booked, row.day).unwrap_or(0),
                    weekday: row.day.weekday().to_monday_zero_offset() as u8,
                    age_years: Some(row.age),
                    history,
                    neighbourhood: Some(row.neighbourhood.clone()),
                    same_day_appointments: same_day,
                    booked_together,
                    booked_hour: row.booked_minute.map(|m| (m / 60) as u8),
                    booked_weekday: Some(row.booked.weekday().to_monday_zero_offset() as u8),
                    days_since_previous_booking: previous_booking.and_then(|p| days(p, row.booked)),
                    later_appointments: later,
                    later_within_week,
                    days_to_next: next.and_then(|n| days(row.day, n)),
                    day_load: Some(day_load.get(&row.day).copied().unwrap_or(0)),
                    area_day_load: Some(
                        area_load.get(&(row.day, row.neighbourhood.as_str())).copied().unwrap_or(0),
                    ),
                    booked_alongside: row.booked_minute.map(|minute| {
                        let others = &alongside[&(row.booked, minute, row.neighbourhood.as_str())];
                        u32::try_from(others.len().saturating_sub(1)).unwrap_or(u32::MAX)
                    }),
                    flags,
                    ..Default::default()
                },
                day: row.day,
                no_show: row.no_show,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "PatientId,AppointmentID,Gender,ScheduledDay,AppointmentDay,Age,Neighbourhood,Scholarship,Hipertension,Diabetes,Alcoholism,Handcap,SMS_received,No-show\n";

    #[test]
    fn missing_columns_are_named() {
        let err = read("PatientId,Gender,Age\n1,F,3\n".as_bytes()).unwrap_err();
        let ReadError::MissingColumns(missing) = err else { panic!("{err:?}") };
        assert!(missing.contains(&"No-show".to_owned()) && missing.contains(&"AppointmentDay".to_owned()));
        assert!(!missing.contains(&"Age".to_owned()));
        assert_eq!(read("".as_bytes()).unwrap_err(), ReadError::Empty);
    }

    #[test]
    fn bad_rows_are_dropped_and_counted_and_history_uses_earlier_days_only() {
        let csv = format!(
            "{HEADER}\
             9377952927E-5,1,F,2016-04-01T10:00:00Z,2016-04-05T00:00:00Z,30,CENTRO,0,0,0,0,0,0,No\n\
             2.98725e+13,2,F,2016-04-01T10:00:00Z,2016-04-05T00:00:00Z,30,CENTRO,0,0,0,0,0,0,No\n\
             7,3,M,2016-04-10T10:00:00Z,2016-04-05T00:00:00Z,30,CENTRO,0,0,0,0,0,0,No\n\
             7,4,M,2016-04-01T10:00:00Z,2016-04-05T00:00:00Z,-1,CENTRO,0,0,0,0,0,0,No\n\
             7,5,M,not a date,2016-04-05T00:00:00Z,30,CENTRO,0,0,0,0,0,0,No\n\
             7,6,M,2016-04-01T10:00:00Z\n\
             7,9,M,2016-04-01T09:00:00Z,2016-04-20T00:00:00Z,30,CENTRO,0,1,0,0,0,1,No\n\
             7,8,M,2016-04-01T09:00:00Z,2016-04-12T00:00:00Z,30,CENTRO,0,1,0,0,0,1,Yes\n\
             7,10,M,2016-04-01T09:00:00Z,2016-04-12T00:00:00Z,30,CENTRO,0,1,0,0,0,1,No\n"
        );
        let (examples, cleaning) = read(csv.as_bytes()).unwrap();
        assert_eq!(
            cleaning,
            Cleaning {
                rows: 9,
                kept: 4,
                patient_id_not_whole: 1,
                day_before_booking: 1,
                negative_age: 1,
                unreadable: 2
            }
        );
        // Sorted by day: the two appointments on the 12th know nothing of each other's
        // outcome; the one on the 20th knows both.
        let days: Vec<String> = examples.iter().map(|e| e.day.to_string()).collect();
        assert_eq!(days, ["2016-04-05", "2016-04-12", "2016-04-12", "2016-04-20"]);
        let on_12th = &examples[1].features;
        assert_eq!(on_12th.history.prior_no_shows + on_12th.history.prior_shows, 0);
        assert_eq!(on_12th.same_day_appointments, 1);
        let on_20th = &examples[3].features;
        assert_eq!((on_20th.history.prior_shows, on_20th.history.prior_no_shows), (1, 1));
        assert_eq!(on_20th.history.last_was_no_show, Some(true));
        assert_eq!(on_20th.history.days_since_last, Some(8));
        assert_eq!(on_20th.lead_time_days, 19);
        assert_eq!(on_20th.booked_together, 2);
        assert!(on_20th.flags.contains(&("hypertension".to_owned(), true)));
        // What was booked before the day: the 20th, booked on the 1st, is ahead of the
        // 12th (8 days on, so not within the week); the 12th's lead time is the 20th's
        // last lead time; the two on the 12th make that day's load.
        assert_eq!(
            (on_12th.later_appointments, on_12th.later_within_week, on_12th.days_to_next),
            (1, 0, Some(8))
        );
        assert_eq!((on_20th.later_appointments, on_20th.days_to_next), (0, None));
        assert_eq!(on_20th.history.last_lead_time_days, Some(11));
        assert_eq!((on_12th.day_load, on_12th.area_day_load), (Some(2), Some(2)));
        assert_eq!(on_12th.booked_hour, Some(9));
        // Booked in the same minute as the patient's others: none is a previous booking,
        // and no other patient was booked alongside.
        assert_eq!(on_12th.days_since_previous_booking, None);
        assert_eq!(on_12th.booked_alongside, Some(0));
    }
}
