//! The outbound webhooks settings page of the staff app: an owner creates a subscription
//! (its secret shown once), sees it and its deliveries listed, and replays a dead delivery
//! with the page's button; a forged form changes nothing; staff may not open the page.

use super::{HOOK, book, clinic, deliveries, received};
use frontdesk_domain::staff::Role;
use frontdesk_test_support::{TestApp, get};
use jiff::SignedDuration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A signed-in person of the clinic with `role`: the session cookie.
async fn signed_in(app: &TestApp, tenant: frontdesk_domain::TenantId, email: &str, role: Role) -> String {
    app.staff_cookie(tenant, email, role).await
}

/// The notice the page shows after a replay (the clinic's locale is pt-BR).
fn staff_texts_replayed() -> &'static str {
    "Envio reenviado."
}

fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a form with its token") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

pub(super) async fn the_settings_page_creates_lists_and_replays(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap().id;
    let owner = signed_in(&app, tenant, "owner@sorriso.example", Role::Owner).await;
    let page_url = app.url("/app/settings/webhooks");
    let page = app.http.get(&page_url).header("cookie", &owner).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let csrf = csrf_of(&html);

    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let url = format!("{}{HOOK}", server.uri());
    let form = [
        ("csrf", csrf.as_str()),
        ("url", url.as_str()),
        ("appointment.booked", "on"),
        ("description", "ERP"),
    ];
    let created = app.http.post(&page_url).header("cookie", &owner).form(&form).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let html = created.text().await.unwrap();
    assert!(html.contains("whsec_"), "the secret is shown once");
    let no_events = [("csrf", csrf.as_str()), ("url", url.as_str())];
    let refused = app.http.post(&page_url).header("cookie", &owner).form(&no_events).send().await.unwrap();
    assert_eq!(refused.status(), 422);

    book(&app, &c, 10, "+5511987650010").await;
    app.run_pending_jobs().await;
    let html = app.http.get(&page_url).header("cookie", &owner).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&url) && html.contains("appointment.booked"), "the subscription is listed");
    assert!(html.contains("delivery-failed"), "the failed delivery is listed");
    assert!(!html.contains("whsec_"), "the secret is not shown again");

    // Dead after its attempts; the replay button sends it again.
    for _ in 0..12 {
        app.clock.advance(SignedDuration::from_hours(11));
        app.run_pending_jobs().await;
    }
    let id = deliveries(&app, &c.key, "?state=dead").await[0]["id"].as_str().unwrap().to_owned();
    server.reset().await;
    Mock::given(method("POST")).and(path(HOOK)).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    // Days went by: the session ended; sign in again.
    let owner = signed_in(&app, tenant, "admin@sorriso.example", Role::Admin).await;
    let html = app.http.get(&page_url).header("cookie", &owner).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("/app/settings/webhooks/deliveries/{id}/replay")), "a replay button");
    let csrf = csrf_of(&html);
    let replay = app.url(&format!("/app/settings/webhooks/deliveries/{id}/replay"));
    app.http.post(&replay).header("cookie", &owner).form(&[("csrf", "forged")]).send().await.unwrap();
    let still = get(&app, &c.key, &format!("/api/v1/webhook-deliveries/{id}")).await;
    assert_eq!(still["state"], "dead", "a forged form changes nothing");
    let r = app
        .http
        .post(&replay)
        .header("cookie", &owner)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(text.contains(staff_texts_replayed()), "{status}: {}", &text[..text.len().min(3000)]);
    app.run_pending_jobs().await;
    assert_eq!(received(&server).await.len(), 1);
    let one = get(&app, &c.key, &format!("/api/v1/webhook-deliveries/{id}")).await;
    assert_eq!(one["state"], "delivered");

    // Staff (not owners or admins) may not see or change it.
    let staff_cookie = signed_in(&app, tenant, "staff@sorriso.example", Role::Staff).await;
    let r = app.http.get(&page_url).header("cookie", &staff_cookie).send().await.unwrap();
    assert_eq!(r.status(), 403);
}
