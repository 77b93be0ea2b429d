//! A clinic's own no-show model, on both backends: refused on too little history (the
//! fallback stays), trained and stored from enough, shown at `GET /api/v1/noshow/model`,
//! used to score the clinic's appointments, retrained weekly by a job that files the next
//! week's; and the clinic's own threshold for asking a patient to confirm.

use frontdesk_domain::Clock;
use frontdesk_domain::noshow::{ScoresNoShow, TrainedModel};
use frontdesk_domain::page::PageRequest;
use frontdesk_engine::scheduling::{self, TrainingError};
use frontdesk_store::AppointmentFilter;
use frontdesk_test_support::{
    CalendarSpec, TestApp, backend_tests, error_of, get, patch, post, seed_noshow_history, setup_calendar,
};
use serde_json::{Value, json};

backend_tests!(
    a_clinic_with_enough_history_gets_a_model_that_scores_its_appointments,
    the_weekly_retraining_trains_and_files_the_next_week,
    the_clinics_threshold_decides_who_is_asked_to_confirm,
    staff_see_the_model_and_set_the_threshold_in_settings,
);

async fn a_clinic_with_enough_history_gets_a_model_that_scores_its_appointments(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    let (status, code, _) = error_of(app.get("/api/v1/noshow/model", &key).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (404, "no_model"));

    // Three weeks of eight a day: too little before the held-out days. Refused, typed.
    let now = app.clock.now();
    let few = seed_noshow_history(&app.ctx.store, tenant.id, 21, 8, 40, now).await;
    match scheduling::train_noshow_model(&app.ctx, tenant.id, |_, _| {}).await {
        Err(TrainingError::NotEnoughHistory(why)) => {
            assert!(why.to_string().contains(&format!("{} finished appointments", few.appointments)), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.get("/api/v1/noshow/model", &key).send().await.unwrap().status(), 404);

    // Another ten weeks before them: enough.
    let earlier = now - jiff::SignedDuration::from_hours(24 * 22);
    let more = seed_noshow_history(&app.ctx.store, tenant.id, 70, 8, 60, earlier).await;
    let mut steps = Vec::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let info = scheduling::train_noshow_model(&app.ctx, tenant.id, move |done, of| {
        let _ = tx.send((done, of));
    })
    .await
    .unwrap();
    while let Ok(step) = rx.try_recv() {
        steps.push(step);
    }
    assert_eq!(steps.last(), Some(&(11, 11)), "{steps:?}");
    assert_eq!(info.examples as usize, few.appointments + more.appointments);
    assert_eq!(info.no_shows as usize, few.no_shows + more.no_shows);
    assert!(info.metrics.count > 0 && info.metrics.count < info.examples as usize / 3, "{info:?}");
    // Flaky patients are there to be found.
    assert!(info.metrics.auc > 0.6, "{info:?}");

    let shown = get(&app, &key, "/api/v1/noshow/model").await;
    assert_eq!(shown["trained_at"], json!(now.to_string()), "{shown}");
    assert_eq!(shown["examples"], json!(info.examples));
    assert_eq!(shown["no_shows"], json!(info.no_shows));
    assert_eq!(shown["kind"], json!(info.kind));
    assert_eq!(shown["metrics"]["auc"].as_f64(), Some(info.metrics.auc));
    assert_eq!(shown["metrics"]["pr_auc"].as_f64(), Some(info.metrics.average_precision));
    assert_eq!(shown["metrics"]["brier"].as_f64(), Some(info.metrics.brier));
    assert_eq!(shown["metrics"]["base_rate"].as_f64(), Some(info.metrics.base_rate));
    assert!(shown.get("model").is_none(), "the body stays in the store");

    // An appointment ahead is scored by the stored model: the same probability and reasons
    // as the model read back from the store gives its features.
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let body = json!({
        "patient": {"name": "Maria Souza", "phone": "(11) 98765-4321"},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": "2026-06-15T10:00:00-03:00",
    });
    let (s, booked) = post(&app, &key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{booked}");
    let id = booked["id"].as_str().unwrap();
    let risk = get(&app, &key, &format!("/api/v1/appointments/{id}")).await["no_show_risk"].clone();
    let stored = app.ctx.store.noshow_model_body(tenant.id, info.id).await.unwrap().unwrap();
    let model: TrainedModel = serde_json::from_str(&stored).unwrap();
    let appointment = app.ctx.store.get_appointment(tenant.id, id.parse().unwrap()).await.unwrap().unwrap();
    let filter = AppointmentFilter { patient_id: Some(appointment.patient_id), ..Default::default() };
    let theirs =
        app.ctx.store.list_appointments(tenant.id, &filter, PageRequest::default()).await.unwrap().items;
    let zone = tenant.timezone.time_zone();
    let expected = model.score(&scheduling::no_show_features(&appointment, &theirs, &zone));
    // The API shows three decimals.
    let shown = risk["probability"].as_f64().unwrap();
    assert!((shown - expected.probability).abs() <= 0.0005, "{risk} vs {expected:?}");
    let codes: Vec<Value> = expected.reasons.iter().map(|r| json!(r.code)).collect();
    let shown_codes: Vec<Value> =
        risk["reasons"].as_array().unwrap().iter().map(|r| r["code"].clone()).collect();
    assert_eq!(shown_codes, codes);
}

async fn the_weekly_retraining_trains_and_files_the_next_week(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    seed_noshow_history(&app.ctx.store, tenant.id, 90, 8, 60, app.clock.now()).await;
    // Monday 2026-06-01 12:00 UTC: the next run is Monday 2026-06-08 02:00 in São Paulo.
    let now = app.clock.now();
    scheduling::schedule_noshow_retrain(&app.ctx, tenant.id, now).await.unwrap();
    scheduling::schedule_noshow_retrain(&app.ctx, tenant.id, now).await.unwrap();
    assert_eq!(queued(&app, &key).await, ["2026-06-08T05:00:00Z"], "filed once");
    assert_eq!(app.run_pending_jobs().await, 0, "not due yet");
    assert!(app.ctx.store.latest_noshow_model(tenant.id).await.unwrap().is_none());

    let run_at: jiff::Timestamp = "2026-06-08T05:00:00Z".parse().unwrap();
    app.clock.set(run_at + jiff::SignedDuration::from_secs(30));
    app.run_pending_jobs().await;
    let model = app.ctx.store.latest_noshow_model(tenant.id).await.unwrap().expect("trained by the job");
    assert_eq!(model.trained_at, run_at + jiff::SignedDuration::from_secs(30));
    assert_eq!(queued(&app, &key).await, ["2026-06-15T05:00:00Z"], "the next week's run is filed");
    let done = get(&app, &key, "/api/v1/jobs?kind=scheduling.noshow_retrain&status=succeeded").await;
    assert_eq!(done["items"].as_array().unwrap().len(), 1, "{done}");
}

/// When the queued retraining jobs are due.
async fn queued(app: &TestApp, key: &str) -> Vec<String> {
    let jobs = get(app, key, "/api/v1/jobs?kind=scheduling.noshow_retrain&status=queued").await;
    jobs["items"].as_array().unwrap().iter().map(|j| j["run_at"].as_str().unwrap().to_owned()).collect()
}

async fn book(
    app: &TestApp,
    key: &str,
    cal: &frontdesk_test_support::Calendar,
    doctor: usize,
    start: &str,
    phone: &str,
) -> Value {
    let body = json!({
        "patient": {"name": "Maria Souza", "phone": phone},
        "practitioner_id": cal.practitioners[doctor], "location_id": cal.location, "service_id": cal.service,
        "start": start,
    });
    let (s, a) = post(app, key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    a
}

async fn the_clinics_threshold_decides_who_is_asked_to_confirm(app: TestApp) {
    let (_, key) = app.tenant_with_key("alpha").await;
    for bad in [json!(1.5), json!(0), json!(1), json!(-0.1), json!("high")] {
        let (s, e) =
            patch(&app, &key, "/api/v1/settings", json!({"no_show": {"high_risk_threshold": bad}})).await;
        assert_eq!(s, 422, "{bad}: {e}");
        assert_eq!(e["error"]["code"], "invalid_settings", "{e}");
    }
    let settings = get(&app, &key, "/api/v1/settings").await;
    assert_eq!(settings["no_show"]["high_risk_threshold"], json!(0.3), "the default: {settings}");

    // One patient misses twice, another once; both book again for Monday 2026-06-15.
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let (twice, once) = ("(11) 98765-4321", "(11) 91234-5678");
    book(&app, &key, &cal, 0, "2026-06-03T10:00:00-03:00", twice).await;
    book(&app, &key, &cal, 0, "2026-06-05T10:00:00-03:00", twice).await;
    book(&app, &key, &cal, 1, "2026-06-03T10:00:00-03:00", once).await;
    app.clock.set("2026-06-05T14:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let a = book(&app, &key, &cal, 0, "2026-06-15T10:00:00-03:00", twice).await;
    let b = book(&app, &key, &cal, 1, "2026-06-15T10:00:00-03:00", once).await;
    let p = |a: Value| a["no_show_risk"]["probability"].as_f64().unwrap();
    let p_twice = p(get(&app, &key, &format!("/api/v1/appointments/{}", a["id"].as_str().unwrap())).await);
    let p_once = p(get(&app, &key, &format!("/api/v1/appointments/{}", b["id"].as_str().unwrap())).await);
    // Both are above the default 0.3, so by default both would be asked.
    assert!(p_twice > p_once && p_once > 0.3, "{p_twice} {p_once}");
    let threshold = (p_twice + p_once) / 2.0;
    let (s, e) =
        patch(&app, &key, "/api/v1/settings", json!({"no_show": {"high_risk_threshold": threshold}})).await;
    assert_eq!(s, 200, "{e}");

    app.clock.set("2026-06-13T13:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    let asked: Vec<Value> = get(&app, &key, "/api/v1/sandbox/notifications").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["template"] == "appointment_confirm_request")
        .map(|n| n["patient_id"].clone())
        .collect();
    assert_eq!(asked, [a["patient_id"].clone()], "only the one above the clinic's threshold");
}

/// The value of the form field `name` in `html` (the first `value="..."` after its name).
fn field(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no field {name}"));
    let from = at + html[at..].find("value=\"").unwrap() + "value=\"".len();
    html[from..from + html[from..].find('"').unwrap()].to_owned()
}

async fn staff_see_the_model_and_set_the_threshold_in_settings(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("alpha").await;
    let cookie = app.staff_cookie(tenant.id, "ana@alpha.example", frontdesk_domain::staff::Role::Owner).await;
    let page = |cookie: String| {
        let http = app.http.clone();
        let url = app.url("/app/settings/clinic");
        async move { http.get(url).header("cookie", cookie).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(cookie.clone()).await;
    assert!(html.contains("Ainda sem modelo próprio"), "no model yet");
    assert_eq!(field(&html, "high_risk_percent"), "30");

    seed_noshow_history(&app.ctx.store, tenant.id, 90, 8, 60, app.clock.now()).await;
    let info = scheduling::train_noshow_model(&app.ctx, tenant.id, |_, _| {}).await.unwrap();
    let html = page(cookie.clone()).await;
    let line =
        format!("Modelo próprio da clínica treinado em 2026-06-01 · {} atendimentos · AUC 0,", info.examples);
    assert!(html.contains(&line), "{line}");

    let names = [
        "csrf",
        "version",
        "seen",
        "name",
        "timezone",
        "default_region",
        "slot_granularity_minutes",
        "buffer_minutes",
        "min_notice_minutes",
        "horizon_days",
    ];
    let mut form: Vec<(String, String)> = names.iter().map(|n| (n.to_string(), field(&html, n))).collect();
    form.push(("locale".into(), "pt-BR".into()));
    let post = |percent: &str| {
        let mut form = form.clone();
        form.push(("high_risk_percent".into(), percent.to_owned()));
        app.http.post(app.url("/app/settings/clinic")).header("cookie", cookie.clone()).form(&form).send()
    };
    let refused = post("150").await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Informe uma porcentagem maior que 0 e menor que 100."));
    assert_eq!(get(&app, &key, "/api/v1/settings").await["no_show"]["high_risk_threshold"], json!(0.3));
    let saved = post("42,5").await.unwrap();
    assert_eq!(saved.status(), 200);
    assert!(saved.text().await.unwrap().contains("Alterações salvas"));
    assert_eq!(get(&app, &key, "/api/v1/settings").await["no_show"]["high_risk_threshold"], json!(0.425));
}
