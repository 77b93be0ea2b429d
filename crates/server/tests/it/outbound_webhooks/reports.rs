//! Scheduled reports: when a week ends, a `report.ready` event reaches the subscribed
//! receiver signed like every delivery; its address downloads the report; the download
//! list offers it; a retried run sends nothing twice; a clinic that turns scheduled reports
//! off gets no more; bad schedules are refused by name.

use super::{HOOK, received, receiver, subscribe, verifies};
use frontdesk_domain::Clock as _;
use frontdesk_test_support::{CalendarSpec, TestApp, get, patch, post, setup_calendar};
use serde_json::{Value, json};

pub(super) async fn a_weekly_report_reaches_the_webhook_and_the_download_list(app: TestApp) {
    let (tenant, key) = app.tenant_with_key("sorriso").await;
    let cal = setup_calendar(&app, &key, CalendarSpec::default()).await;
    let server = receiver(200).await;
    let (_, secret) = subscribe(&app, &key, &server, &["report.ready"]).await;
    // Wednesday 10 June 2026, noon in São Paulo: the runs are filed (as at start-up).
    app.clock.set("2026-06-10T15:00:00Z".parse().unwrap());
    frontdesk_engine::reports::schedule::schedule_reports(&app.ctx, tenant.id, app.clock.now())
        .await
        .unwrap();
    let body = json!({
        "patient": {"name": "Maria Souza", "phone": "+5511987650001"},
        "practitioner_id": cal.practitioners[0], "location_id": cal.location, "service_id": cal.service,
        "start": "2026-06-17T10:00:00-03:00",
    });
    let (s, a) = post(&app, &key, "/api/v1/appointments", body).await;
    assert_eq!(s, 201, "{a}");
    app.run_pending_jobs().await;
    assert!(received(&server).await.is_empty(), "nothing before the week ends");

    // Monday 15 June, 07:01 local: last week's overview is ready.
    app.clock.set("2026-06-15T10:01:00Z".parse().unwrap());
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    let got = received(&server).await;
    assert_eq!(got.len(), 1, "one weekly report (the monthly one is due on 1 July)");
    assert!(verifies(&app, &got[0], &secret), "signed like every delivery");
    let event: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(event["type"], "report.ready");
    let data = &event["data"];
    assert_eq!(
        (&data["cadence"], &data["report"], &data["format"], &data["from"], &data["to"]),
        (&json!("weekly"), &json!("overview"), &json!("pdf"), &json!("2026-06-08"), &json!("2026-06-14")),
        "{event}"
    );
    let path = data["download_path"].as_str().unwrap();
    assert_eq!(path, "/api/v1/reports/overview?from=2026-06-08&to=2026-06-14&format=pdf");
    let r = app.get(path, &key).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()),
        (200, "application/pdf")
    );
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    // The download list: that week first, then the earlier weeks and months.
    let list = get(&app, &key, "/api/v1/reports/scheduled").await;
    assert_eq!(list["scheduled"].as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list["ready"][0]["download_path"], path, "{list}");
    let monthly = list["ready"].as_array().unwrap().iter().find(|r| r["cadence"] == "monthly").unwrap();
    assert_eq!((&monthly["from"], &monthly["to"]), (&json!("2026-05-01"), &json!("2026-05-31")));

    // Running again sends nothing new.
    for _ in 0..2 {
        app.run_pending_jobs().await;
    }
    assert_eq!(received(&server).await.len(), 1);

    // Turned off: the next Monday brings nothing; the chain still runs for when it is on.
    let (s, v) = patch(&app, &key, "/api/v1/settings", json!({"reports": {"scheduled": []}})).await;
    assert_eq!(s, 200, "{v}");
    app.clock.set("2026-06-22T10:01:00Z".parse().unwrap());
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    assert_eq!(received(&server).await.len(), 1, "no report when none is scheduled");
    assert_eq!(get(&app, &key, "/api/v1/reports/scheduled").await["ready"], json!([]));
    let (s, v) = patch(
        &app,
        &key,
        "/api/v1/settings",
        json!({"reports": {"scheduled": [{"cadence": "weekly", "report": "leads", "format": "csv"}]}}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    app.clock.set("2026-06-29T10:01:00Z".parse().unwrap());
    for _ in 0..3 {
        app.run_pending_jobs().await;
    }
    let got = received(&server).await;
    assert_eq!(got.len(), 2, "on again: the leads of 22-28 June");
    let event: Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!((&event["data"]["report"], &event["data"]["from"]), (&json!("leads"), &json!("2026-06-22")));
    assert!(got.iter().all(|r| r.url.path() == HOOK));

    for (bad, named) in [
        (json!({"cadence": "daily", "report": "overview", "format": "pdf"}), "daily"),
        (json!({"cadence": "weekly", "report": "patients", "format": "pdf"}), "patients"),
        (json!({"cadence": "weekly", "report": "overview", "format": "docx"}), "docx"),
    ] {
        let (s, v) = patch(&app, &key, "/api/v1/settings", json!({"reports": {"scheduled": [bad]}})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (422, Some("invalid_settings")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(named), "{v}");
    }
}
