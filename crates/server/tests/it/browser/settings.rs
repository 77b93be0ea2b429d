//! The settings pages, as an admin sets up a clinic: the clinic's details (and a stale form
//! that saves nothing), a unit, a practitioner with hours and a service, a template with
//! its live preview, a Twilio secret that the page never shows again, an API key issued
//! and revoked. A `staff` member sees no settings and is refused them.

use super::support::*;

const SECRET: &str = "twilio-auth-token-never-shown-9f3";

/// The value of a hidden or visible `<input name=...>` in a page's HTML.
fn input_value(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("no input {name}"));
    let rest = &html[at..];
    rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

async fn fill(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Waits until the page shows `text`; else fails with what the page shows instead.
async fn shows(c: &Client, text: &str) {
    if !until_page_shows(c, text).await {
        let html = c.source().await.unwrap();
        let main = html.split("<main").nth(1).unwrap_or(&html);
        panic!("the page does not show {text:?}; it shows: {main}");
    }
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

async fn check_page(c: &Client, axe: Option<&str>, name: &str) {
    accessible(c, axe, name).await;
    screenshots(c, name).await;
}

async fn api(app: &TestApp, key: &str, path: &str) -> Value {
    let r = app.get(path, key).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn admin_sets_up_the_clinic(backend: Backend) {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let Some(app) = TestApp::spawn(backend).await else { return };
    let axe = axe.as_deref();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "dora@sorriso.com.br", Role::Admin).await;
    add_user(&app, clinic.id, "sam@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "dora@sorriso.com.br").await;
    let raw = frontdesk_test_support::without_redirects();

    // The menu's Settings opens the clinic page, with the section's sub-navigation.
    click(&c, "header a[href='/app/settings']").await;
    shows(&c, "Dados da clínica").await;
    for page in [
        "/app/settings/calendar",
        "/app/settings/hours",
        "/app/settings/templates",
        "/app/settings/providers",
        "/app/settings/api-keys",
        "/app/settings/users",
    ] {
        c.find(Locator::Css(&format!("nav.subnav a[href='{page}']"))).await.unwrap();
    }
    check_page(&c, axe, "settings-clinic").await;

    // A stale form: someone changes the clinic through the API meanwhile; saving shows
    // theirs and overwrites nothing.
    let r = app
        .http
        .patch(app.url("/api/v1/tenant"))
        .bearer_auth(&key)
        .json(&json!({"name": "Nome pela API"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    fill(&c, "#horizon_days", "45").await;
    submit(&c, "form[action='/app/settings/clinic'] button[type=submit]").await;
    shows(&c, "Outra pessoa alterou isto").await;
    assert!(c.source().await.unwrap().contains("value=\"Nome pela API\""), "the current values are shown");
    assert_eq!(api(&app, &key, "/api/v1/settings").await["booking"]["horizon_days"], 60, "nothing saved");
    // The same for the settings document (its version moved on).
    c.goto(&app.url("/app/settings/clinic")).await.unwrap();
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .bearer_auth(&key)
        .json(&json!({"booking": {"buffer_minutes": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    fill(&c, "#name", "Não deve ficar").await;
    submit(&c, "form[action='/app/settings/clinic'] button[type=submit]").await;
    shows(&c, "Outra pessoa alterou isto").await;
    assert_eq!(api(&app, &key, "/api/v1/tenant").await["name"], "Nome pela API");

    // Bad values are named next to their field, in Portuguese; then the edit is saved.
    fill(&c, "#name", "Clínica Sorriso Centro").await;
    fill(&c, "#timezone", "Marte/Base").await;
    fill(&c, "#horizon_days", "quarenta").await;
    submit(&c, "form[action='/app/settings/clinic'] button[type=submit]").await;
    shows(&c, "Fuso horário desconhecido").await;
    let html = c.source().await.unwrap();
    assert!(html.contains("id=\"timezone-error\"") && html.contains("Informe um número inteiro"));
    check_page(&c, axe, "settings-clinic-errors").await;
    fill(&c, "#timezone", "America/Recife").await;
    fill(&c, "#horizon_days", "45").await;
    submit(&c, "form[action='/app/settings/clinic'] button[type=submit]").await;
    shows(&c, "Alterações salvas").await;
    let tenant = api(&app, &key, "/api/v1/tenant").await;
    assert_eq!(
        (tenant["name"].as_str(), tenant["timezone"].as_str()),
        (Some("Clínica Sorriso Centro"), Some("America/Recife"))
    );
    let doc = api(&app, &key, "/api/v1/settings").await;
    assert_eq!(
        (doc["booking"]["horizon_days"].as_u64(), doc["booking"]["buffer_minutes"].as_u64()),
        (Some(45), Some(5))
    );

    // A unit, a practitioner and a service.
    c.goto(&app.url("/app/settings/calendar")).await.unwrap();
    fill(&c, "#unit-name", "Unidade Pinheiros").await;
    fill(&c, "#unit-address", "Rua dos Pinheiros, 100").await;
    submit(&c, "form[action='/app/settings/calendar/units'] button").await;
    shows(&c, "Unidade Pinheiros").await;
    // The same form sent twice (a double click, a retry) creates one unit.
    let cookie = session_cookie(&c).await;
    let html = raw
        .get(app.url("/app/settings/calendar"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (csrf, unit_id) = (input_value(&html, "csrf"), input_value(&html, "id"));
    for _ in 0..2 {
        let r = raw
            .post(app.url("/app/settings/calendar/units"))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("id", unit_id.as_str()),
                ("name", "Unidade Moema"),
                ("timezone", "America/Sao_Paulo"),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
    }
    assert_eq!(api(&app, &key, "/api/v1/locations").await["items"].as_array().unwrap().len(), 2);
    c.refresh().await.unwrap();
    fill(&c, "#practitioner-name", "Dra. Ana Souza").await;
    fill(&c, "#practitioner-department", "Odontologia").await;
    submit(&c, "form[action='/app/settings/calendar/practitioners'] button").await;
    shows(&c, "Dra. Ana Souza").await;
    fill(&c, "#service-name", "Limpeza").await;
    fill(&c, "#service-duration", "trinta").await;
    submit(&c, "form[action='/app/settings/calendar/services'] button").await;
    shows(&c, "Informe um número inteiro").await;
    fill(&c, "#service-name", "Limpeza").await;
    fill(&c, "#service-department", "Odontologia").await;
    fill(&c, "#service-duration", "30").await;
    fill(&c, "#service-price", "150,00").await;
    submit(&c, "form[action='/app/settings/calendar/services'] button").await;
    shows(&c, "Limpeza").await;
    let services = api(&app, &key, "/api/v1/services").await;
    assert_eq!(
        (services["items"][0]["duration_minutes"].as_u64(), services["items"][0]["price_cents"].as_i64()),
        (Some(30), Some(15000))
    );
    // A price and a unit's name change in place.
    let service_id = services["items"][0]["id"].as_str().unwrap().to_owned();
    click(&c, &format!("#service-{service_id} summary")).await;
    fill(&c, &format!("#v-price-{service_id}"), "180,50").await;
    fill(&c, &format!("#v-duration-{service_id}"), "45").await;
    submit(&c, &format!("form[action='/app/settings/calendar/services/{service_id}'] button")).await;
    shows(&c, "180,50").await;
    let services = api(&app, &key, "/api/v1/services").await;
    assert_eq!(
        (services["items"][0]["duration_minutes"].as_u64(), services["items"][0]["price_cents"].as_i64()),
        (Some(45), Some(18050))
    );
    let units = api(&app, &key, "/api/v1/locations").await;
    let unit_id = units["items"][0]["id"].as_str().unwrap().to_owned();
    click(&c, &format!("#unit-{unit_id} summary")).await;
    fill(&c, &format!("#u-name-{unit_id}"), "Unidade Pinheiros (térreo)").await;
    submit(&c, &format!("form[action='/app/settings/calendar/units/{unit_id}'] button")).await;
    shows(&c, "Unidade Pinheiros (térreo)").await;
    check_page(&c, axe, "settings-calendar").await;

    // Her week, with a lunch break, and a holiday.
    c.goto(&app.url("/app/settings/hours")).await.unwrap();
    fill(&c, "#day-monday", "08:00-12:00, 13:00-18:00").await;
    fill(&c, "#day-tuesday", "8h às 12h").await;
    submit(&c, "form[action='/app/settings/hours/week'] button").await;
    shows(&c, "Use faixas como").await;
    fill(&c, "#day-tuesday", "09:00-13:00").await;
    submit(&c, "form[action='/app/settings/hours/week'] button").await;
    // The refused page already showed Monday as typed, so wait for the saved week itself.
    let mut saved = 0;
    for _ in 0..120 {
        let hours = api(&app, &key, "/api/v1/hours").await;
        saved = hours["items"][0]["intervals"].as_array().map_or(0, Vec::len);
        if saved == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(saved, 3, "Monday's two intervals and Tuesday's one were saved");
    shows(&c, "09:00-13:00").await;
    c.execute("document.getElementById('first').value = '2026-12-25';", vec![]).await.unwrap();
    fill(&c, "#x-note", "Natal").await;
    submit(&c, "form[action='/app/settings/hours/exceptions'] button").await;
    shows(&c, "2026-12-25").await;
    assert_eq!(api(&app, &key, "/api/v1/exceptions").await["items"].as_array().unwrap().len(), 1);
    check_page(&c, axe, "settings-hours").await;

    // A template: the preview follows the typing, then it is saved.
    c.goto(&app.url("/app/settings/templates?key=appointment_reminder")).await.unwrap();
    let text = "Oi {{ patient_first_name }}! Consulta {{ date }} às {{ time }} com {{ practitioner }}. Responda 1 para confirmar.";
    fill(&c, "#pt", text).await;
    assert!(
        until_page_shows(&c, "Oi Maria! Consulta terça, 14/10 às 09:30 com Dra. Ana Souza.").await,
        "live preview"
    );
    check_page(&c, axe, "settings-templates").await;
    fill(&c, "#pt", "Oi {{ paciente }}").await;
    assert!(
        until_page_shows(&c, "O texto não pôde ser montado").await,
        "a broken template is said so in the preview"
    );
    fill(&c, "#pt", text).await;
    submit(&c, "#template-form button[type=submit]").await;
    shows(&c, "Alterações salvas").await;
    let doc = api(&app, &key, "/api/v1/settings").await;
    assert_eq!(doc["messaging"]["templates"]["appointment_reminder"]["pt-BR"], text);

    // Twilio: the secret is written, never shown back; empty keeps it; a bad URL is named.
    c.goto(&app.url("/app/settings/providers")).await.unwrap();
    fill(&c, "#twilio-account_sid", "AC0123456789").await;
    fill(&c, "#twilio-auth_token", SECRET).await;
    fill(&c, "#twilio-base_url", "api.twilio.com").await;
    submit(&c, "form[action='/app/settings/providers/twilio'] button").await;
    shows(&c, "Informe um endereço completo").await;
    assert!(!c.source().await.unwrap().contains(SECRET), "a refused form does not echo the secret");
    fill(&c, "#twilio-auth_token", SECRET).await;
    fill(&c, "#twilio-base_url", "https://api.twilio.com").await;
    submit(&c, "form[action='/app/settings/providers/twilio'] button").await;
    shows(&c, "Alterações salvas").await;
    let html = c.source().await.unwrap();
    assert!(!html.contains(SECRET) && !html.contains("********"), "the secret is never in the page");
    assert!(html.contains("Definido."));
    fill(&c, "#twilio-whatsapp_from", "whatsapp:+5511900000000").await;
    submit(&c, "form[action='/app/settings/providers/twilio'] button").await;
    shows(&c, "Alterações salvas").await;
    let stored = app.ctx.store.tenant_settings(clinic.id).await.unwrap();
    let twilio = stored.messaging.twilio.unwrap();
    assert_eq!(
        (twilio.auth_token.as_str(), twilio.whatsapp_from.as_deref()),
        (SECRET, Some("whatsapp:+5511900000000"))
    );
    // WhatsApp goes through Twilio now; SMS cannot (Twilio has no SMS sender): said so.
    c.find(Locator::Css("#channel-whatsapp_provider"))
        .await
        .unwrap()
        .select_by_value("twilio")
        .await
        .unwrap();
    submit(&c, "form[action='/app/settings/providers/channels'] button").await;
    shows(&c, "Alterações salvas").await;
    assert_eq!(api(&app, &key, "/api/v1/settings").await["messaging"]["whatsapp_provider"], "twilio");
    c.find(Locator::Css("#channel-sms_provider")).await.unwrap().select_by_value("twilio").await.unwrap();
    submit(&c, "form[action='/app/settings/providers/channels'] button").await;
    shows(&c, "As configurações não foram aceitas").await;
    assert_eq!(api(&app, &key, "/api/v1/settings").await["messaging"]["sms_provider"], "sandbox");
    check_page(&c, axe, "settings-providers").await;

    // An API key: shown once, works, then revoked it gets 401.
    c.goto(&app.url("/app/settings/api-keys")).await.unwrap();
    fill(&c, "#key-name", "Integração n8n").await;
    submit(&c, "form[action='/app/settings/api-keys'] button").await;
    shows(&c, "Ela aparece só esta vez").await;
    let issued = c.find(Locator::Css("#issued-key")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(issued.starts_with("fdk_"));
    check_page(&c, axe, "settings-api-keys").await;
    assert_eq!(app.get("/api/v1/tenant", &issued).send().await.unwrap().status(), 200);
    c.goto(&app.url("/app/settings/api-keys")).await.unwrap();
    assert!(!c.source().await.unwrap().contains(&issued), "the whole key is shown only once");
    // The same name again (a second click) issues no second key.
    fill(&c, "#key-name", "Integração n8n").await;
    submit(&c, "form[action='/app/settings/api-keys'] button").await;
    shows(&c, "Já existe uma chave ativa").await;
    let prefix = issued.split('_').nth(1).unwrap().to_owned();
    submit(&c, &format!("form[action='/app/settings/api-keys/{prefix}/revoke'] button")).await;
    shows(&c, "revogada em").await;
    assert_eq!(app.get("/api/v1/tenant", &issued).send().await.unwrap().status(), 401);

    // The audit log names the person for the changes.
    let audit = api(&app, &key, "/api/v1/audit").await;
    let person = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"].as_str().is_some_and(|a| a.starts_with("user:")))
        .count();
    assert!(person >= 8, "settings changes are audited with the person: {audit}");

    // A staff member: no settings link, and every settings page and form refused.
    c.delete_all_cookies().await.unwrap();
    sign_in(&c, &app, "sam@sorriso.com.br").await;
    assert!(!c.source().await.unwrap().contains("href=\"/app/settings\""), "no settings link for staff");
    let cookie = session_cookie(&c).await;
    for page in [
        "/app/settings",
        "/app/settings/clinic",
        "/app/settings/calendar",
        "/app/settings/hours",
        "/app/settings/templates",
        "/app/settings/providers",
        "/app/settings/api-keys",
    ] {
        let r = raw.get(app.url(page)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 403, "{page}");
    }
    let r = raw
        .post(app.url("/app/settings/api-keys"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("name", "não devia")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    c.goto(&app.url("/app/settings/providers")).await.unwrap();
    shows(&c, "<h1").await;
    check_page(&c, axe, "settings-forbidden").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_up_the_clinic_in_a_real_browser_sqlite() {
    admin_sets_up_the_clinic(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_up_the_clinic_in_a_real_browser_postgres() {
    admin_sets_up_the_clinic(Backend::Postgres).await;
}
