//! People: an owner turns on the TOTP second factor and signs in with it; a new team member
//! follows a one-time invitation link, chooses a password and is signed in.

use super::support::*;
use frontdesk_domain::Clock as _;
use frontdesk_domain::staff::totp;
use jiff::SignedDuration;

/// The code the person's authenticator app would show now (the app's clock is the test's).
fn code_now(app: &TestApp, secret_shown: &str) -> String {
    let secret = totp::base32_decode(secret_shown).expect("the page shows base32");
    totp::code_at(&secret, app.clock.now())
}

async fn submit(c: &Client, form: &str) {
    c.find(Locator::Css(&format!("form[action='{form}'] button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let field = c.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Signs out and waits for the sign-in form, so the next navigation does not race the post.
async fn sign_out(c: &Client, app: &TestApp) {
    submit(c, "/logout").await;
    c.wait().for_url(&url::Url::parse(&app.url("/login")).unwrap()).await.unwrap();
}

async fn password_step(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    type_into(c, "#email", email).await;
    type_into(c, "#password", PASSWORD).await;
    submit(c, "/login").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_turns_on_the_second_factor_and_signs_in_with_it() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, _) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "olga@sorriso.com.br", Role::Owner).await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let c = browser(&driver).await;

    // Staff sign in with a password only: no second factor is offered to them.
    sign_in(&c, &app, "ana@sorriso.com.br").await;
    c.goto(&app.url("/app/me")).await.unwrap();
    assert!(!c.source().await.unwrap().contains("/app/me/totp/start"));
    sign_out(&c, &app).await;

    sign_in(&c, &app, "olga@sorriso.com.br").await;
    c.goto(&app.url("/app/me")).await.unwrap();
    assert!(until_page_shows(&c, "Verificação em duas etapas").await);
    submit(&c, "/app/me/totp/start").await;
    assert!(until_page_shows(&c, "totp-secret").await);
    accessible(&c, axe.as_deref(), "totp-enrol").await;
    screenshots(&c, "totp-enrol").await;
    let secret = c.find(Locator::Css("#totp-secret")).await.unwrap().text().await.unwrap();
    assert!(secret.replace(' ', "").len() >= 32, "a 160-bit secret in base32: {secret}");

    // A wrong code does not switch it on, and says so next to the field.
    let right = code_now(&app, &secret);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    type_into(&c, "#totp-code", &wrong).await;
    submit(&c, "/app/me/totp/enable").await;
    assert!(until_page_shows(&c, "Código incorreto ou expirado").await);
    assert!(c.find(Locator::Css("#totp-code[aria-invalid=true]")).await.is_ok());
    accessible(&c, axe.as_deref(), "totp-enrol-wrong").await;
    type_into(&c, "#totp-code", &right).await;
    submit(&c, "/app/me/totp/enable").await;
    assert!(until_page_shows(&c, "Ativada").await);
    sign_out(&c, &app).await;

    // The password alone is half a sign-in: the code is asked, and no page opens before it.
    password_step(&c, &app, "olga@sorriso.com.br").await;
    assert!(until_page_shows(&c, "Digite o código de 6 dígitos").await);
    assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
    accessible(&c, axe.as_deref(), "totp-prompt").await;
    screenshots(&c, "totp-prompt").await;
    c.goto(&app.url("/app/inbox")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/login", "a half-signed-in session opens no page");

    password_step(&c, &app, "olga@sorriso.com.br").await;
    assert!(until_page_shows(&c, "Digite o código de 6 dígitos").await);
    // The code that switched the factor on was spent: seen over a shoulder, it is useless.
    type_into(&c, "#code", &right).await;
    submit(&c, "/login/code").await;
    assert!(until_page_shows(&c, "Este código já foi usado").await);
    type_into(&c, "#code", "000000").await;
    submit(&c, "/login/code").await;
    assert!(until_page_shows(&c, "Código incorreto ou expirado").await);
    assert_eq!(c.current_url().await.unwrap().path(), "/login/code");
    app.clock.advance(SignedDuration::from_secs(30));
    type_into(&c, "#code", &code_now(&app, &secret)).await;
    submit(&c, "/login/code").await;
    c.wait().for_url(&url::Url::parse(&app.url("/app")).unwrap()).await.unwrap();

    // Switching it off takes a current code too.
    c.goto(&app.url("/app/me")).await.unwrap();
    type_into(&c, "#totp-off-code", "123").await;
    submit(&c, "/app/me/totp/disable").await;
    assert!(until_page_shows(&c, "O código tem 6 dígitos").await);
    app.clock.advance(SignedDuration::from_secs(30));
    type_into(&c, "#totp-off-code", &code_now(&app, &secret)).await;
    submit(&c, "/app/me/totp/disable").await;
    assert!(until_page_shows(&c, "/app/me/totp/start").await, "off again");
    sign_out(&c, &app).await;
    sign_in(&c, &app, "olga@sorriso.com.br").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_link_sets_a_password_and_signs_in() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, _) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "olga@sorriso.com.br", Role::Owner).await;
    let c = browser(&driver).await;

    // The owner adds a colleague without typing a password: the page hands over a link.
    sign_in(&c, &app, "olga@sorriso.com.br").await;
    c.goto(&app.url("/app/settings/users")).await.unwrap();
    type_into(&c, "#new-name", "Bia Souza").await;
    type_into(&c, "#new-email", "bia@sorriso.com.br").await;
    submit(&c, "/app/settings/users").await;
    assert!(until_page_shows(&c, "invite-link").await);
    accessible(&c, axe.as_deref(), "users-invite").await;
    let link = c.find(Locator::Css("#invite-link")).await.unwrap().text().await.unwrap();
    // `{public_url}/invite/{token}`; the test server's public URL is the configured default.
    let path = link.find("/invite/").map(|at| link[at..].to_owned()).unwrap_or_else(|| panic!("{link}"));
    assert!(link.starts_with("http") && path.len() == "/invite/".len() + 64, "{link}");
    sign_out(&c, &app).await;

    c.goto(&app.url(&path)).await.unwrap();
    assert!(until_page_shows(&c, "Crie sua senha").await);
    assert!(c.source().await.unwrap().contains("Bia"));
    accessible(&c, axe.as_deref(), "invite").await;
    screenshots(&c, "invite").await;
    // Too short: said next to the field, the link still good.
    let form = path.clone();
    type_into(&c, "#password", "curta").await;
    // Bypass the browser's own minlength check to see the server's answer.
    c.execute("document.querySelector('#password').removeAttribute('minlength')", vec![]).await.unwrap();
    submit(&c, &form).await;
    assert!(until_page_shows(&c, "pelo menos 8 caracteres").await);
    accessible(&c, axe.as_deref(), "invite-short").await;
    type_into(&c, "#password", PASSWORD).await;
    submit(&c, &form).await;
    c.wait().for_url(&url::Url::parse(&app.url("/app")).unwrap()).await.unwrap();
    assert!(until_page_shows(&c, "Bia").await);

    // Used once: the link no longer works, and the new password does.
    sign_out(&c, &app).await;
    c.goto(&app.url(&path)).await.unwrap();
    assert!(until_page_shows(&c, "não é mais válido").await);
    sign_in(&c, &app, "bia@sorriso.com.br").await;
    // A lapsed link (72 hours) is closed too.
    let bia = app.ctx.store.user_by_email("bia@sorriso.com.br").await.unwrap().unwrap();
    let token = staff::invite(&app.ctx, &bia).await.unwrap();
    app.clock.advance(SignedDuration::from_hours(72));
    c.goto(&app.url(&format!("/invite/{token}"))).await.unwrap();
    assert!(until_page_shows(&c, "não é mais válido").await);
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_now_from_a_lead_places_a_sandbox_call_and_every_read_is_audited_with_the_person() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, key) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let ana = app.ctx.store.user_by_email("ana@sorriso.com.br").await.unwrap().unwrap();
    let r = app
        .post("/api/v1/leads", &key)
        .json(&json!({"phone": "+5511955554444", "name": "Lia Lead", "source": "paid_ads", "service_interest": "implante"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let lead_id = created["lead"]["id"].as_str().unwrap().to_owned();
    let patient_id = created["lead"]["patient_id"].as_str().unwrap().to_owned();
    app.run_pending_jobs().await;
    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;

    // The pipeline card: temperature, source, speed-to-lead and the next step.
    c.goto(&app.url("/app/leads")).await.unwrap();
    assert!(until_page_shows(&c, "Lia Lead").await);
    let card =
        c.find(Locator::Css(&format!("a[href='/app/leads/{lead_id}']"))).await.unwrap().text().await.unwrap();
    assert!(card.contains("paid_ads") && card.contains("Próximo passo:"), "{card}");
    c.goto(&app.url(&format!("/app/leads/{lead_id}"))).await.unwrap();
    assert!(until_page_shows(&c, "Lia Lead").await);
    accessible(&c, axe.as_deref(), "lead-actions").await;
    screenshots(&c, "lead-actions").await;

    // WhatsApp: free text (the sandbox, playing the patient, keeps no 24-hour window), then
    // the follow-up template; an empty text is refused next to the form.
    c.find(Locator::Css("#send-whatsapp")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Escreva uma mensagem antes de enviar").await);
    type_into(&c, "#lead-body", "Oi Lia, podemos ajudar?").await;
    c.find(Locator::Css("#send-whatsapp")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "Mensagem enviada").await, "{}", c.source().await.unwrap());
    c.find(Locator::Css("#send-template")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(until_page_shows(&c, "Mensagem enviada").await, "{}", c.source().await.unwrap());
    accessible(&c, axe.as_deref(), "lead-message-sent").await;
    c.find(Locator::Css("#call-now")).await.unwrap().click().await.unwrap();
    for _ in 0..120 {
        if c.current_url().await.unwrap().path().starts_with("/app/calls/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let call_path = c.current_url().await.unwrap().path().to_owned();
    let call_id = call_path.strip_prefix("/app/calls/").unwrap_or_else(|| panic!("{call_path}")).to_owned();
    app.run_pending_jobs().await;
    let r = app.get(&format!("/api/v1/calls/{call_id}"), &key).send().await.unwrap();
    let call: Value = r.json().await.unwrap();
    assert_eq!(call["provider"], "sandbox", "{call}");
    assert_eq!(call["lead_id"], lead_id.as_str(), "{call}");
    assert_eq!(call["patient_id"], patient_id.as_str(), "{call}");
    assert_ne!(call["status"], "queued", "the sandbox placed it: {call}");
    c.refresh().await.unwrap();
    c.goto(&app.url(&format!("/app/patients/{patient_id}"))).await.unwrap();
    assert!(until_page_shows(&c, "Lia Lead").await);

    // The audit log names the person for each read and change of this patient's data.
    let entries = app.ctx.store.list_audit(clinic.id, Default::default()).await.unwrap().items;
    let by_ana: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.actor == format!("user:{}", ana.id))
        .filter(|e| e.patient_id.map(|p| p.to_string()) == Some(patient_id.clone()))
        .map(|e| (e.action.clone(), e.resource_type.clone()))
        .collect();
    let sends = by_ana.iter().filter(|(a, r)| a == "send" && r == "lead").count();
    assert_eq!(sends, 2, "the text and the template: {by_ana:?}");
    for expected in [("read", "lead"), ("create", "call"), ("read", "call"), ("read", "patient")] {
        assert!(
            by_ana.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {by_ana:?}"
        );
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_import_shows_progress_then_the_per_row_report() {
    let Some((driver, axe)) = browser_or_skip().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (clinic, _) = app.tenant_with_key("sorriso").await;
    add_user(&app, clinic.id, "ana@sorriso.com.br", Role::Staff).await;
    let dir = tempfile::tempdir().unwrap();
    // 12 good rows, one repeat of the first (a duplicate), a bad phone (line 15) and a row
    // without one (line 16).
    let mut csv = String::from("nome;telefone;origem\n");
    for i in 0..12 {
        csv.push_str(&format!("Pessoa {i};(11) 98765-43{i:02};paid_ads\n"));
    }
    csv.push_str("Pessoa 0 de novo;(11) 98765-4300;paid_ads\n");
    csv.push_str("Sem número;12;site\n");
    csv.push_str("Sem telefone;;site\n");
    let file = dir.path().join("leads.csv");
    std::fs::write(&file, &csv).unwrap();
    let big = dir.path().join("big.csv");
    std::fs::write(&big, format!("nome,telefone\n{}", "Ana,11987654321\n".repeat(80_000))).unwrap();

    let c = browser(&driver).await;
    sign_in(&c, &app, "ana@sorriso.com.br").await;
    c.goto(&app.url("/app/leads")).await.unwrap();
    c.find(Locator::Css("a[href='/app/leads/import']")).await.unwrap().click().await.unwrap();
    assert!(until_page_shows(&c, "import-file").await);
    accessible(&c, axe.as_deref(), "import-form").await;

    // Too large: a message on the page, not an error page.
    c.find(Locator::Css("#import-file")).await.unwrap().send_keys(&big.display().to_string()).await.unwrap();
    submit(&c, "/app/leads/import").await;
    assert!(until_page_shows(&c, "grande demais").await, "{}", c.source().await.unwrap());

    c.find(Locator::Css("#import-file")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    submit(&c, "/app/leads/import").await;
    assert!(until_page_shows(&c, "import-bar").await);
    assert!(c.current_url().await.unwrap().path().starts_with("/app/leads/import/"));
    // Queued: nothing done yet, and the page says it is importing.
    assert!(c.source().await.unwrap().contains("0 / 15"));
    accessible(&c, axe.as_deref(), "import-progress").await;

    // The durable job runs; the open page follows it without a reload.
    app.run_pending_jobs().await;
    assert!(until_page_shows(&c, "import-report").await, "the report appears without a reload");
    let text = |css: &'static str| {
        let c = c.clone();
        async move { c.find(Locator::Css(css)).await.unwrap().text().await.unwrap() }
    };
    assert_eq!(text("#import-imported").await, "12");
    assert_eq!(text("#import-duplicates").await, "1");
    assert_eq!(text("#import-invalid").await, "2");
    let report = text("table.import-report").await;
    assert!(report.contains("15") && report.contains("16"), "{report}");
    assert!(report.contains("phone"), "the reason names the column: {report}");
    assert!(!report.contains("Sem número"), "a reason never quotes a cell: {report}");
    assert!(c.source().await.unwrap().contains("15 / 15"));
    accessible(&c, axe.as_deref(), "import-report").await;
    screenshots(&c, "import-report").await;
    let leads = app.ctx.store.list_leads(clinic.id, &Default::default(), Default::default()).await.unwrap();
    assert_eq!(leads.items.len(), 12);
    c.close().await.unwrap();
}
