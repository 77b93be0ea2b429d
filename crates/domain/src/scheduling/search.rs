//! What a patient asked for, and which practitioners and locations can answer it.

use super::model::{Practitioner, Service, same_department, weekday_serde};
use crate::{LocationId, PractitionerId, ServiceId};
use jiff::civil::{Date, Time, Weekday};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const DEFAULT_LIMIT: usize = 5;
/// A chat or a phone call can present a handful of options, never a calendar.
pub const MAX_LIMIT: usize = 50;

/// Coarse times of day as patients say them ("de manhã", "after work").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPeriod {
    Morning,
    Afternoon,
    Evening,
}

impl DayPeriod {
    /// `[start, end)` in local minutes of the day.
    pub fn window(self) -> (u32, u32) {
        match self {
            Self::Morning => (6 * 60, 12 * 60),
            Self::Afternoon => (12 * 60, 18 * 60),
            Self::Evening => (18 * 60, 23 * 60),
        }
    }
}

/// Everything is optional: a patient who says nothing still gets sensible slots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchPreferences {
    /// Wins over `department` when both are given.
    pub service_id: Option<ServiceId>,
    pub department: Option<String>,
    pub location_id: Option<LocationId>,
    pub practitioner_id: Option<PractitionerId>,
    #[serde(with = "weekday_serde::list")]
    pub weekdays: Vec<Weekday>,
    pub time_of_day: Option<DayPeriod>,
    /// Wins over `time_of_day` when both are given.
    pub exact_time: Option<Time>,
    /// A hard limit, unlike the others: nothing before this local date is offered.
    pub earliest_date: Option<Date>,
    pub limit: usize,
}

impl Default for SearchPreferences {
    fn default() -> Self {
        Self {
            service_id: None,
            department: None,
            location_id: None,
            practitioner_id: None,
            weekdays: Vec::new(),
            time_of_day: None,
            exact_time: None,
            earliest_date: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl SearchPreferences {
    pub fn effective_limit(&self) -> usize {
        self.limit.clamp(1, MAX_LIMIT)
    }

    /// Loose preferences say nothing about when; then variety serves the patient better
    /// than five neighbouring starts.
    pub fn is_loose(&self) -> bool {
        self.weekdays.is_empty() && self.time_of_day.is_none() && self.exact_time.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SearchError {
    #[error("give a service_id or a department")]
    NothingToSearch,
    #[error("unknown service")]
    UnknownService,
    #[error("no service is offered in department {0:?}")]
    NoServiceInDepartment(String),
}

/// The service to book and every (practitioner, location) pair whose availability the
/// caller should compute before ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPlan<'a> {
    pub service: &'a Service,
    /// Active practitioners of the service's department at each of their locations.
    /// Deliberately not narrowed to the preferred location: ranking falls back to the
    /// whole department when that location has nothing free.
    pub targets: Vec<(PractitionerId, LocationId)>,
}

/// Resolves the service and the practitioners who can provide it.
///
/// A department-only request books the department's shortest service (ties: name, then
/// id): that is the first consultation in every clinic we know, and a longer procedure
/// is only booked once someone has asked for it by name.
pub fn plan_search<'a>(
    prefs: &SearchPreferences,
    services: &'a [Service],
    practitioners: &[Practitioner],
) -> Result<SearchPlan<'a>, SearchError> {
    let service = match (prefs.service_id, prefs.department.as_deref()) {
        (Some(id), _) => services.iter().find(|s| s.id == id).ok_or(SearchError::UnknownService)?,
        (None, Some(department)) => services
            .iter()
            .filter(|s| same_department(&s.department, department))
            .min_by(|a, b| (a.duration_minutes, &a.name, a.id).cmp(&(b.duration_minutes, &b.name, b.id)))
            .ok_or_else(|| SearchError::NoServiceInDepartment(department.to_owned()))?,
        (None, None) => return Err(SearchError::NothingToSearch),
    };
    let mut targets: Vec<(PractitionerId, LocationId)> = practitioners
        .iter()
        .filter(|p| p.active && same_department(&p.department, &service.department))
        .flat_map(|p| p.location_ids.iter().map(move |l| (p.id, *l)))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    Ok(SearchPlan { service, targets })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TenantId;

    fn service(name: &str, department: &str, minutes: u32) -> Service {
        Service {
            id: ServiceId::new(),
            tenant_id: TenantId::new(),
            name: name.into(),
            department: department.into(),
            duration_minutes: minutes,
            price_cents: None,
        }
    }

    fn practitioner(department: &str, locations: &[LocationId], active: bool) -> Practitioner {
        Practitioner {
            id: PractitionerId::new(),
            tenant_id: TenantId::new(),
            name: "Dr. Test".into(),
            department: department.into(),
            location_ids: locations.to_vec(),
            active,
        }
    }

    #[test]
    fn department_only_picks_the_shortest_service_and_active_practitioners() {
        let services = vec![
            service("Echo", "Cardiology", 60),
            service("Consulta", "cardiology", 30),
            service("Limpeza", "Dentistry", 30),
        ];
        let (a, b) = (LocationId::new(), LocationId::new());
        let cardio = practitioner("Cardiology ", &[a, b, a], true);
        let retired = practitioner("Cardiology", &[a], false);
        let dentist = practitioner("Dentistry", &[a], true);
        let prefs = SearchPreferences { department: Some("CARDIOLOGY".into()), ..Default::default() };
        let plan = plan_search(&prefs, &services, &[cardio.clone(), retired, dentist]).unwrap();
        assert_eq!(plan.service.name, "Consulta");
        let mut expected = vec![(cardio.id, a), (cardio.id, b)];
        expected.sort_unstable();
        assert_eq!(plan.targets, expected);
    }

    #[test]
    fn errors_name_what_is_missing() {
        let services = vec![service("Consulta", "Cardiology", 30)];
        let none = SearchPreferences::default();
        assert_eq!(plan_search(&none, &services, &[]), Err(SearchError::NothingToSearch));
        let unknown = SearchPreferences { service_id: Some(ServiceId::new()), ..Default::default() };
        assert_eq!(plan_search(&unknown, &services, &[]), Err(SearchError::UnknownService));
        let dept = SearchPreferences { department: Some("Oncology".into()), ..Default::default() };
        assert!(matches!(plan_search(&dept, &services, &[]), Err(SearchError::NoServiceInDepartment(_))));
    }

    #[test]
    fn preferences_parse_with_defaults() {
        let prefs: SearchPreferences = serde_json::from_str(
            r#"{"department":"Cardiology","weekdays":["mon","friday"],"time_of_day":"morning"}"#,
        )
        .unwrap();
        assert_eq!(prefs.limit, DEFAULT_LIMIT);
        assert_eq!(prefs.weekdays, vec![Weekday::Monday, Weekday::Friday]);
        assert!(!prefs.is_loose());
        assert!(SearchPreferences::default().is_loose());
        let zero = SearchPreferences { limit: 0, ..Default::default() };
        assert_eq!(zero.effective_limit(), 1);
    }
}
