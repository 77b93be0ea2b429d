//! A clinic's calendar set up through the API, as staff would: one location, practitioners
//! with weekday hours, one service.

use crate::TestApp;
use crate::http::{post, put};
use serde_json::{Value, json};

pub struct CalendarSpec<'a> {
    pub department: &'a str,
    pub practitioners: &'a [&'a str],
    /// Working intervals every weekday, `("08:00", "12:00")`.
    pub hours: &'a [(&'a str, &'a str)],
    /// The services, as posted to `/api/v1/services`.
    pub services: Vec<Value>,
}

impl Default for CalendarSpec<'_> {
    /// Two dentists working weekdays 08:00-12:00 and 14:00-18:00, one 30-minute cleaning.
    fn default() -> Self {
        Self {
            department: "Odontologia",
            practitioners: &["Dra. Ana Lima", "Dr. Bruno Reis"],
            hours: &[("08:00", "12:00"), ("14:00", "18:00")],
            services: vec![json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30})],
        }
    }
}

/// The ids of what [`setup_calendar`] made.
pub struct Calendar {
    pub location: String,
    pub practitioners: Vec<String>,
    /// The first service's id.
    pub service: String,
    pub services: Vec<String>,
}

pub async fn setup_calendar(app: &TestApp, key: &str, spec: CalendarSpec<'_>) -> Calendar {
    let place = json!({"name": "Centro", "address": "Rua A, 1", "timezone": "America/Sao_Paulo"});
    let (s, loc) = post(app, key, "/api/v1/locations", place).await;
    assert_eq!(s, 201, "{loc}");
    let location = loc["id"].as_str().unwrap().to_owned();
    let mut practitioners = Vec::new();
    for name in spec.practitioners {
        let body = json!({"name": name, "department": spec.department, "location_ids": [location]});
        let (s, d) = post(app, key, "/api/v1/practitioners", body).await;
        assert_eq!(s, 201, "{d}");
        let id = d["id"].as_str().unwrap().to_owned();
        let intervals: Vec<Value> = ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .iter()
            .flat_map(|day| {
                spec.hours.iter().map(move |(start, end)| json!({"weekday": day, "start": start, "end": end}))
            })
            .collect();
        let hours = json!({"location_id": location, "intervals": intervals});
        let (s, h) = put(app, key, &format!("/api/v1/practitioners/{id}/hours"), hours).await;
        assert_eq!(s, 200, "{h}");
        practitioners.push(id);
    }
    let mut services = Vec::new();
    for service in spec.services {
        let (s, svc) = post(app, key, "/api/v1/services", service).await;
        assert_eq!(s, 201, "{svc}");
        services.push(svc["id"].as_str().unwrap().to_owned());
    }
    Calendar { location, practitioners, service: services[0].clone(), services }
}
