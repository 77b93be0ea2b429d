//! What the browser tests share: chromedriver on a free port, a Chromium session, screenshots
//! at desktop and phone width, axe-core, signing in and waiting for a page to show something.

pub use fantoccini::{Client, ClientBuilder, Locator};
pub use frontdesk_domain::contact::Email;
pub use frontdesk_domain::staff::{NewUser, Role};
pub use frontdesk_engine::staff;
pub use frontdesk_test_support::{Backend, CalendarSpec, TestApp, setup_calendar};
pub use serde_json::{Value, json};
pub use std::path::PathBuf;
pub use std::process::{Child, Command, Stdio};
pub use std::time::Duration;

pub const PASSWORD: &str = "uma senha bem longa";
pub const AXE_VERSION: &str = "4.14.1";

pub fn required() -> bool {
    std::env::var("FRONTDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

pub fn axe_source() -> Option<String> {
    std::fs::read_to_string(target_dir().join(format!("test-assets/axe-{AXE_VERSION}.min.js"))).ok()
}

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_driver() -> Option<Driver> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(Driver { child, url });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

pub async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    // The flags a root sandbox needs, and none of Chromium's calls home (the network is closed).
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=pt-BR",
        "--window-size=1280,900",
    ];
    // The clinic is Brazilian and so is its reception's browser.
    let prefs = json!({"intl.accept_languages": "pt-BR,pt"});
    caps.insert("goog:chromeOptions".into(), json!({"args": args, "prefs": prefs}));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("chromedriver starts a Chromium session")
}

/// Saves the page at desktop and phone width.
pub async fn screenshots(c: &Client, name: &str) {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (label, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        c.set_window_size(w, h).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{label}.png")), png).unwrap();
    }
    c.set_window_size(1280, 900).await.unwrap();
}

/// Runs axe-core in the page: no serious or critical violation allowed.
pub async fn accessible(c: &Client, axe: Option<&str>, page: &str) {
    let Some(axe) = axe else { return };
    c.execute(axe, vec![]).await.unwrap();
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))));";
    let violations = c.execute_async(script, vec![]).await.unwrap();
    let serious: Vec<&Value> = violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    assert!(serious.is_empty(), "{page}: accessibility violations {serious:?}");
}

pub async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Css("#email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_url(&url::Url::parse(&app.url("/app")).unwrap()).await.unwrap();
}

pub async fn add_user(app: &TestApp, tenant: frontdesk_domain::TenantId, email: &str, role: Role) {
    let new = NewUser {
        tenant_id: tenant,
        email: Email::parse(email).unwrap(),
        name: format!("Pessoa {}", role.as_str()),
        role,
    };
    staff::add_user(&app.ctx, new, Some(PASSWORD)).await.unwrap();
}

/// Waits (polling, as a person looking at the screen) until the page shows `text`: up to
/// 60 s, as CI machines under load can be slow (the browser tests share 2 cores with the
/// rest of the suite, 6 tests at a time); a page that shows it sooner returns sooner.
pub async fn until_page_shows(c: &Client, text: &str) -> bool {
    for _ in 0..240 {
        if c.source().await.unwrap().contains(text) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// The page's visible text, shortened, for a failure message that says where the browser was.
pub async fn visible_text(c: &Client) -> String {
    let text = match c.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(e) => format!("(no body: {e})"),
    };
    text.chars().take(600).collect()
}

/// A session cookie of a browser, to replay requests outside it.
pub async fn session_cookie(c: &Client) -> String {
    let cookie = c.get_named_cookie("fd_session").await.unwrap();
    format!("fd_session={}", cookie.value())
}

/// chromedriver and axe-core, or `None` when the machine has no browser (a skip, said so,
/// unless `FRONTDESK_REQUIRE_BROWSER=1` makes it a failure).
pub async fn browser_or_skip() -> Option<(Driver, Option<String>)> {
    let Some(driver) = start_driver().await else {
        assert!(
            !required(),
            "chromedriver is required (FRONTDESK_REQUIRE_BROWSER=1) but could not be started"
        );
        eprintln!(
            "SKIPPED: chromedriver not found; install chromium and chromium-driver to run the browser tests"
        );
        return None;
    };
    let axe = axe_source();
    assert!(axe.is_some() || !required(), "axe-core missing: run scripts/fetch-test-assets.sh");
    Some((driver, axe))
}

/// Clicks a form's button and waits for the page it leads to: a message from the page
/// before (the same "saved" notice, a value kept after a refusal) must not count as the
/// answer. The old page carries a mark the new one does not.
pub async fn submit(c: &Client, css: &str) {
    c.execute("window.__fd_before_submit = true;", vec![]).await.unwrap();
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    for _ in 0..120 {
        let gone = c.execute("return window.__fd_before_submit === undefined;", vec![]).await;
        if gone.is_ok_and(|v| v == serde_json::Value::Bool(true)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the form at {css} led to no new page");
}
