//! A real browser through the hosted sign-in: headless Chromium driven over WebDriver
//! (chromedriver) opens the SDK's authorize URL on the emulator's `*.localhost` domain, signs
//! in on the hosted page, answers the TOTP page, and is redirected to the app's loopback
//! listener; the SDK exchanges the code and the tokens verify against the emulator's JWKS.
//! The page's HTML is checked on the way: `lang`, a title, a label for every field, no script
//! and nothing loaded from elsewhere.
//!
//! Ignored by a plain `cargo test`: it needs Debian's `chromium` and `chromium-driver`.
//! `scripts/test-all` installs them (in CI) and runs it with `--ignored`. With
//! `COGNITO_SCREENSHOT=<file>` it saves the sign-in page as a PNG (the README's
//! `docs/hosted-sign-in.png`).
//!
//! The WebDriver client is the dozen W3C commands below over `ureq`, which this crate already
//! builds: a WebDriver crate would add its HTTP stack to CI's build for the same few calls.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use cognito_blocking::{MfaPreference, TokenUse, UserPool, Verifier, ops::MfaSettings};
use cognito_emulator::{ClientConfig, MfaConfiguration, PoolConfig};
use serde_json::{Value, json};

use crate::emulator::{PASSWORD, signed_in};
use crate::support::Setup;

/// The W3C name of an element reference in a WebDriver answer.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver with one headless Chromium session; both end when this is dropped.
struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
}

impl Browser {
    fn start() -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (Debian: apt-get install chromium chromium-driver)");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let ready = |b: &Browser| {
            let mut r = b.agent.get(format!("{}/status", b.base)).call().ok()?;
            let body: Value = serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()?;
            body["value"]["ready"].as_bool()
        };
        while ready(&browser) != Some(true) {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let binary = std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into());
        let session = browser.post(
            "/session",
            json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
                "goog:chromeOptions": {"binary": binary, "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--disable-gpu", "--window-size=900,900", "--lang=en-US"]}}}}),
        );
        let id = session["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        browser.base = format!("{}/session/{id}", browser.base);
        browser
    }

    fn answer(response: Result<http::Response<ureq::Body>, ureq::Error>) -> Value {
        let mut response = response.expect("chromedriver answers");
        let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap())
            .expect("a JSON answer");
        body["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        Self::answer(self.agent.get(format!("{}{path}", self.base)).call())
    }

    fn post(&self, path: &str, body: Value) -> Value {
        Self::answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .send(body.to_string()),
        )
    }

    fn go(&self, url: &str) {
        self.post("/url", json!({"url": url}));
    }

    fn script(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

    /// The element matching `css`, waiting up to 10 s for it to appear.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self.post("/element", json!({"using": "css selector", "value": css}));
            if let Some(id) = found[ELEMENT].as_str() {
                return id.to_owned();
            }
            if Instant::now() > deadline {
                let page = self.get("/source");
                let page: String = page
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(2000)
                    .collect();
                panic!("no element {css} ({found}) on {}: {page}", self.get("/url"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.post(&format!("/element/{id}/value"), json!({"text": text}));
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    /// The page's basic accessibility: `lang`, a title, a `<label for>` naming every
    /// visible field, no script and nothing loaded from another origin.
    fn check_page(&self, title: &str) {
        assert_eq!(
            self.script("return document.documentElement.lang"),
            json!("en")
        );
        assert_eq!(self.get("/title"), json!(title));
        let unlabelled = self.script(
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(f => !f.id || !document.querySelector('label[for=\"' + f.id + '\"]'))
                .map(f => f.name)",
        );
        assert_eq!(unlabelled, json!([]), "fields without a label");
        assert_eq!(self.script("return document.scripts.length"), json!(0));
        let foreign = self.script(
            "return [...document.querySelectorAll('[src],[href]')]
                .map(e => e.src || e.href).filter(u => !u.startsWith(location.origin))",
        );
        assert_eq!(foreign, json!([]), "resources from elsewhere");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The app's loopback listener: answers the browser's redirect and hands its request target
/// over.
fn loopback() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!("http://{}/callback", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            let page =
                "<!doctype html><html lang=\"en\"><title>Signed in</title><p>Signed in.</p></html>";
            let _ = write!(
                &stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            if let Some(target) = line.split_whitespace().nth(1)
                && target.starts_with("/callback")
            {
                let _ = tx.send(target.to_owned());
            }
        }
    });
    (redirect, rx)
}

#[test]
#[ignore = "needs Debian's chromium and chromium-driver; scripts/test-all runs it"]
fn chromium_signs_in_on_the_hosted_page_with_totp() {
    let s = Setup::with(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    // A user with an authenticator app.
    s.user("lena");
    let user = signed_in(s.pool().sign_in("lena", PASSWORD).unwrap());
    let secret = user.associate_software_token().unwrap();
    let totp =
        |s: &Setup| cognito_emulator::totp::code(secret.expose_secret(), s.emu.now()).unwrap();
    user.verify_software_token(&totp(&s), Some("phone"))
        .unwrap();
    user.set_mfa_preference(MfaPreference {
        software_token: Some(MfaSettings {
            enabled: Some(true),
            preferred_mfa: Some(true),
        }),
        ..MfaPreference::default()
    })
    .unwrap();

    // The app: a domain, a client for the code flow, its loopback redirect.
    let (redirect, redirected) = loopback();
    s.emu
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": s.pool_id, "Domain": "browser-test"}),
        )
        .unwrap();
    let client = s
        .emu
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": s.pool_id, "ClientName": "desktop",
                   "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                   "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [redirect],
                   "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .unwrap();
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    // The browser opens the host-based domain (it resolves `*.localhost` itself); the SDK
    // exchanges the code on the path-prefixed one, since the system resolver need not know
    // `*.localhost` (glibc without nss-myhostname does not).
    let host_domain = format!("http://browser-test.localhost:{}", s.emu.addr().port());
    let path_domain = format!("{}/_hosted/browser-test", s.emu.url());
    let pool_on = |domain: &str| {
        UserPool::builder(&s.pool_id, client_id)
            .endpoint_url(&s.emu.url())
            .unwrap()
            .domain(domain)
            .unwrap()
            .clock(s.clock())
            .build()
            .unwrap()
    };
    let request = pool_on(&host_domain)
        .hosted_sign_in(&redirect, &["openid", "email"])
        .unwrap();
    assert!(request.url.starts_with(&host_domain));
    let pool = pool_on(&path_domain);

    let browser = Browser::start();
    browser.go(&request.url);
    browser.find("#username");
    browser.check_page("Sign in");
    if let Some(path) = std::env::var_os("COGNITO_SCREENSHOT") {
        let png = browser.get("/screenshot");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("a screenshot"))
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    browser.type_into("#username", "lena");
    browser.type_into("#password", PASSWORD);
    browser.click("#submit");

    // The TOTP page; a fresh window, since the code used to verify the app is spent.
    browser.find("#code");
    browser.check_page("Multi-factor authentication");
    assert_eq!(
        browser.script("return document.getElementById('mfa-kind').dataset.kind"),
        json!("SOFTWARE_TOKEN_MFA")
    );
    s.advance(30);
    browser.type_into("#code", &totp(&s));
    browser.click("#submit");

    let target = redirected
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("no redirect; the browser is at {}", browser.get("/url")));
    let signed_in = pool
        .finish_hosted_sign_in(&request.pending, &target)
        .unwrap();
    assert_eq!(signed_in.username(), "lena");

    // The tokens verify against the emulator's JWKS, with this sign-in's nonce.
    let tokens = signed_in.session().unwrap();
    let now = Duration::from_secs(s.emu.now());
    let id = Verifier::builder(&s.pool_id)
        .token_use(TokenUse::Id)
        .client_id(client_id)
        .endpoint(s.emu.url())
        .build()
        .unwrap()
        .verify_at(tokens.id_token().token().expose_secret(), now)
        .unwrap();
    assert_eq!(id.to_json()["nonce"], json!(request.pending.nonce()));
    let access = Verifier::builder(&s.pool_id)
        .token_use(TokenUse::Access)
        .client_id(client_id)
        .endpoint(s.emu.url())
        .build()
        .unwrap()
        .verify_at(tokens.access_token().token().expose_secret(), now)
        .unwrap();
    assert!(access.has_scope("openid") && access.has_scope("email"));
}
