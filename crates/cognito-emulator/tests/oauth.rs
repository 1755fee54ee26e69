//! The OAuth 2.0 endpoints and the hosted sign-in pages of a pool's domain, over raw HTTP
//! with a client that does not follow redirects: every endpoint and every refusal.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognito_emulator::{ClientConfig, MfaConfiguration, PoolConfig, Trigger, totp};
use rsa::sha2::{Digest, Sha256};
use serde_json::{Value, json};

use crate::common::{self, PASSWORD, Setup, claims, err, ok, setup_with, verify_with_jwks};

const DOMAIN: &str = "myapp";
const CALLBACK: &str = "http://localhost:3000/callback";
const LOGOUT: &str = "http://localhost:3000/bye";
const API: &str = "https://api.example.com";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9uSJ3oNjUc8L5sTo5RbqQ9Xk0-correct-horse";

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn location(&self) -> String {
        self.header("location")
            .expect("a Location header")
            .to_string()
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    /// The value of a cookie this response sets.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

/// One HTTP/1.1 request; redirects are not followed.
fn http(
    s: &Setup,
    method: &str,
    path: &str,
    host: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Resp {
    let mut all: Vec<(&str, &str)> = Vec::new();
    if let Some(host) = host {
        all.push(("Host", host));
    }
    if method == "POST" {
        all.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    all.extend_from_slice(headers);
    let r = crate::common::raw(&s.emu, method, path, &all, body.as_bytes()).expect("request");
    Resp {
        status: r.status,
        headers: r.headers,
        body: String::from_utf8_lossy(&r.body).into_owned(),
    }
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The query parameter `name` of a URL.
fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| {
            let mut out = Vec::new();
            let b = v.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' && i + 2 < b.len() {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(if b[i] == b'+' { b' ' } else { b[i] });
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        })
    })
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A pool with a domain, a resource server and a user `alice`.
fn pool_with(mfa: MfaConfiguration) -> Setup {
    let s = setup_with(
        PoolConfig {
            mfa,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    prepare(s)
}

/// [`pool_with`] on an emulator whose clock moves only when told (for lockout windows).
fn pool_on_fixed_clock() -> Setup {
    let emu = cognito_emulator::Emulator::builder()
        .fixed_clock(1_800_000_000)
        .start_blocking()
        .unwrap();
    let p = emu.create_pool(PoolConfig::default()).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    prepare(Setup {
        emu,
        pool_id: p.pool_id,
        client_id: c.client_id,
        secret: c.client_secret,
    })
}

fn prepare(s: Setup) -> Setup {
    ok(
        &s.emu,
        "CreateUserPoolDomain",
        json!({"UserPoolId": s.pool_id, "Domain": DOMAIN}),
    );
    ok(
        &s.emu,
        "CreateResourceServer",
        json!({"UserPoolId": s.pool_id, "Identifier": API, "Name": "api",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"},
                          {"ScopeName": "write", "ScopeDescription": "write"}]}),
    );
    s.emu
        .create_user(
            &s.pool_id,
            "alice",
            PASSWORD,
            &[("email", "alice@example.com"), ("name", "Alice")],
        )
        .unwrap();
    s
}

/// An OAuth app client of the pool: `(client id, secret)`.
fn oauth_client(s: &Setup, extra: Value) -> (String, Option<String>) {
    let mut body = json!({
        "UserPoolId": s.pool_id,
        "ClientName": "web",
        "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin", format!("{API}/read")],
        "CallbackURLs": [CALLBACK],
        "LogoutURLs": [LOGOUT],
        "SupportedIdentityProviders": ["COGNITO"],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let c = ok(&s.emu, "CreateUserPoolClient", body);
    (
        c["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string(),
        c["UserPoolClient"]["ClientSecret"]
            .as_str()
            .map(str::to_string),
    )
}

fn base() -> String {
    format!("/_hosted/{DOMAIN}")
}

fn authorize_query(client_id: &str, extra: &[(&str, &str)]) -> String {
    let ch = challenge(VERIFIER);
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("state", "st-123"),
        ("scope", "openid email"),
        ("code_challenge", ch.as_str()),
        ("code_challenge_method", "S256"),
        ("nonce", "n-456"),
    ];
    for (k, v) in extra {
        p.retain(|(x, _)| x != k);
        if !v.is_empty() {
            p.push((k, v));
        }
    }
    form(&p)
}

/// The value of a hidden or text input in a page.
fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A sign-in page: its login cookie and CSRF token.
struct LoginPage {
    cookie: String,
    csrf: String,
    path: String,
}

fn open_login(s: &Setup, query: &str) -> LoginPage {
    let r = http(
        s,
        "GET",
        &format!("{}/oauth2/authorize?{query}", base()),
        None,
        &[],
        "",
    );
    assert_eq!(r.status, 302, "{}", r.body);
    let login = r.location();
    assert!(login.starts_with(&format!("{}/login?", base())), "{login}");
    let page = http(s, "GET", &login, None, &[], "");
    assert_eq!(page.status, 200, "{}", page.body);
    LoginPage {
        cookie: page.cookie("cognito-login").expect("login cookie"),
        csrf: input_value(&page.body, "_csrf").expect("csrf field"),
        path: login,
    }
}

fn submit(s: &Setup, p: &LoginPage, fields: &[(&str, &str)]) -> Resp {
    let mut f = vec![("_csrf", p.csrf.as_str())];
    f.extend_from_slice(fields);
    http(
        s,
        "POST",
        &p.path,
        None,
        &[("Cookie", &format!("cognito-login={}", p.cookie))],
        &form(&f),
    )
}

/// Signs alice in through the hosted page; returns the redirect to the callback.
fn sign_in(s: &Setup, client_id: &str, extra: &[(&str, &str)]) -> Resp {
    let p = open_login(s, &authorize_query(client_id, extra));
    let r = submit(s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert_eq!(r.status, 302, "{}", r.body);
    r
}

fn token(s: &Setup, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
    http(
        s,
        "POST",
        &format!("{}/oauth2/token", base()),
        None,
        headers,
        &form(fields),
    )
}

fn exchange(s: &Setup, client_id: &str, code: &str) -> Resp {
    token(
        s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        &[],
    )
}

#[test]
fn code_flow_with_pkce_issues_tokens_that_verify() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let sources = Arc::new(Mutex::new(Vec::new()));
    let seen = sources.clone();
    s.emu
        .set_trigger(&s.pool_id, Trigger::PreTokenGeneration, move |e| {
            seen.lock().unwrap().push(e["triggerSource"].clone());
            Ok(e.clone())
        })
        .unwrap();

    // The sign-in page: language, title, labelled fields, a CSRF token, no scripts.
    let r = http(
        &s,
        "GET",
        &format!("{}/login?{}", base(), authorize_query(&client_id, &[])),
        None,
        &[],
        "",
    );
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains("<title>Sign in</title>"));
    for id in ["username", "password"] {
        assert!(r.body.contains(&format!("<label for=\"{id}\">")), "{id}");
        assert!(
            r.body.contains(&format!("id=\"{id}\" name=\"{id}\"")),
            "{id}"
        );
    }
    assert!(input_value(&r.body, "_csrf").is_some_and(|c| c.len() >= 32));
    assert!(!r.body.contains("<script"));
    assert!(!r.body.contains("src=\"http"));

    let r = sign_in(&s, &client_id, &[]);
    let loc = r.location();
    assert!(loc.starts_with(&format!("{CALLBACK}?code=")), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
    let code = query_param(&loc, "code").unwrap();

    let r = exchange(&s, &client_id, &code);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    let (id, access) = (
        t["id_token"].as_str().unwrap(),
        t["access_token"].as_str().unwrap(),
    );
    assert!(t["refresh_token"].as_str().is_some_and(|r| r.len() > 100));
    assert!(verify_with_jwks(&s, id) && verify_with_jwks(&s, access));
    let idc = claims(id);
    assert_eq!(idc["nonce"], "n-456");
    assert_eq!(idc["aud"], client_id.as_str());
    assert_eq!(idc["token_use"], "id");
    assert_eq!(idc["email"], "alice@example.com");
    assert_eq!(idc["email_verified"], true);
    // `openid email`: the profile claims stay out.
    assert!(idc.get("name").is_none(), "{idc}");
    let half = &Sha256::digest(access.as_bytes())[..16];
    assert_eq!(idc["at_hash"], URL_SAFE_NO_PAD.encode(half));
    let ac = claims(access);
    assert_eq!(ac["scope"], "openid email");
    assert_eq!(ac["client_id"], client_id.as_str());
    assert_eq!(ac["username"], "alice");
    assert_eq!(ac["version"], 2);
    assert_eq!(
        *sources.lock().unwrap(),
        vec![json!("TokenGeneration_HostedAuth")]
    );
    // The API refuses an access token without `aws.cognito.signin.user.admin`.
    let (ty, m) = err(&s.emu, "GetUser", json!({"AccessToken": access}));
    assert_eq!(
        (ty.as_str(), m.as_str()),
        (
            "NotAuthorizedException",
            "Access Token does not have required scopes"
        )
    );
}

#[test]
fn hosted_pages_answer_on_the_domain_host() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let host = format!("{DOMAIN}.localhost:{}", s.emu.addr().port());
    let q = authorize_query(&client_id, &[]);
    let r = http(
        &s,
        "GET",
        &format!("/oauth2/authorize?{q}"),
        Some(&host),
        &[],
        "",
    );
    assert_eq!(r.status, 302);
    assert_eq!(r.location(), format!("/login?{q}"));
    let page = http(&s, "GET", &r.location(), Some(&host), &[], "");
    assert_eq!(page.status, 200);
    assert!(page.header("set-cookie").unwrap().contains("Path=/;"));
    assert!(page.body.contains("action=\"/login?"));
    // An unknown domain on the Host is not served by the OAuth endpoints.
    let r = http(
        &s,
        "GET",
        &format!("/oauth2/authorize?{q}"),
        Some("nope.localhost"),
        &[],
        "",
    );
    assert_eq!(r.status, 404);
}

#[test]
fn a_redirect_uri_that_is_not_registered_goes_to_the_error_page() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    // The registered URL matches only itself: no prefix, other case, extra query, fragment,
    // user information, dot segment or percent-encoded spelling of it.
    for bad in [
        "https://evil.example/callback",
        "http://localhost:3000/callback/",
        "http://localhost:3001/callback",
        "http://localhost:3000/Callback",
        "http://localhost:3000/callback?next=https://evil.example",
        "http://localhost:3000/callback#x",
        "http://localhost:3000@evil.example/callback",
        "http://localhost:3000\\@evil.example/callback",
        "//evil.example/callback",
        "http://localhost:3000/callback/../callback",
        "http://localhost:3000/%63allback",
    ] {
        let q = authorize_query(&client_id, &[("redirect_uri", bad)]);
        let r = http(
            &s,
            "GET",
            &format!("{}/oauth2/authorize?{q}", base()),
            None,
            &[],
            "",
        );
        assert_eq!(r.status, 302);
        let loc = r.location();
        assert!(
            loc.starts_with(&format!("{}/error?error=redirect_mismatch", base())),
            "{loc}"
        );
        let page = http(&s, "GET", &loc, None, &[], "");
        assert_eq!(page.status, 400);
        assert!(
            page.body
                .contains("An error was encountered with the requested page.")
        );
    }
    // An unknown client also stays on the error page.
    let q = authorize_query("nosuchclient1234567890abcd", &[]);
    let r = http(
        &s,
        "GET",
        &format!("{}/oauth2/authorize?{q}", base()),
        None,
        &[],
        "",
    );
    assert!(r.location().starts_with(&format!("{}/error?", base())));
}

#[test]
fn a_code_is_single_use_short_lived_and_bound_to_its_verifier_and_redirect() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(
        &s,
        json!({"CallbackURLs": [CALLBACK, "http://localhost:3000/other"]}),
    );
    let code_of = |r: Resp| query_param(&r.location(), "code").unwrap();

    // Reused code.
    let code = code_of(sign_in(&s, &client_id, &[]));
    assert_eq!(exchange(&s, &client_id, &code).status, 200);
    let r = exchange(&s, &client_id, &code);
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );

    // Wrong verifier, then the right one: the code is gone after the first try.
    let code = code_of(sign_in(&s, &client_id, &[]));
    let wrong = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            (
                "code_verifier",
                "not-the-verifier-not-the-verifier-not-the-verifier",
            ),
        ],
        &[],
    );
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(
        exchange(&s, &client_id, &code).json()["error"],
        "invalid_grant"
    );

    // No verifier for a code with a challenge.
    let code = code_of(sign_in(&s, &client_id, &[]));
    let r = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_request");

    // Another registered redirect URI than the authorization request's.
    let code = code_of(sign_in(&s, &client_id, &[]));
    let r = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", "http://localhost:3000/other"),
            ("code_verifier", VERIFIER),
        ],
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_grant");

    // Expired: codes live five minutes.
    let code = code_of(sign_in(&s, &client_id, &[]));
    s.emu.advance_clock(301);
    assert_eq!(
        exchange(&s, &client_id, &code).json()["error"],
        "invalid_grant"
    );
}

#[test]
fn refused_authorization_requests_go_back_with_an_error() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let refused = |client: &str, extra: &[(&str, &str)]| {
        let q = authorize_query(client, extra);
        let r = http(
            &s,
            "GET",
            &format!("{}/oauth2/authorize?{q}", base()),
            None,
            &[],
            "",
        );
        assert_eq!(r.status, 302);
        let loc = r.location();
        assert!(loc.starts_with(CALLBACK), "{loc}");
        assert_eq!(query_param(&loc, "state").as_deref(), Some("st-123"));
        query_param(&loc, "error").unwrap()
    };
    assert_eq!(
        refused(&client_id, &[("scope", "openid phone")]),
        "invalid_scope"
    );
    assert_eq!(
        refused(&client_id, &[("response_type", "")]),
        "invalid_request"
    );
    assert_eq!(
        refused(&client_id, &[("code_challenge_method", "plain")]),
        "invalid_request"
    );
    assert_eq!(
        refused(&client_id, &[("code_challenge_method", "")]),
        "invalid_request"
    );
    assert_eq!(
        refused(&client_id, &[("response_type", "token")]),
        "unauthorized_client"
    );
    // prompt=none without a hosted session.
    assert_eq!(refused(&client_id, &[("prompt", "none")]), "login_required");
    // A client whose OAuth switch is off, and one without the COGNITO provider.
    let (off, _) = oauth_client(&s, json!({"AllowedOAuthFlowsUserPoolClient": false}));
    assert_eq!(refused(&off, &[]), "unauthorized_client");
    let (no_idp, _) = oauth_client(&s, json!({"SupportedIdentityProviders": []}));
    assert_eq!(refused(&no_idp, &[]), "unauthorized_client");
}

#[test]
fn the_sign_in_form_needs_its_csrf_token_and_cookie() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let creds = form(&[("username", "alice"), ("password", PASSWORD)]);
    let cookie = format!("cognito-login={}", p.cookie);
    // No CSRF token.
    let r = http(&s, "POST", &p.path, None, &[("Cookie", &cookie)], &creds);
    assert_eq!(r.status, 403);
    // A token of another sign-in.
    let other = open_login(&s, &authorize_query(&client_id, &[]));
    let f = format!("_csrf={}&{creds}", other.csrf);
    assert_eq!(
        http(&s, "POST", &p.path, None, &[("Cookie", &cookie)], &f).status,
        403
    );
    // The right token without the cookie it is bound to.
    let f = format!("_csrf={}&{creds}", p.csrf);
    assert_eq!(http(&s, "POST", &p.path, None, &[], &f).status, 403);
    // Both: signed in.
    assert_eq!(
        submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]).status,
        302
    );
}

#[test]
fn wrong_passwords_lock_the_account_as_the_api_does() {
    let s = pool_on_fixed_clock();
    let (client_id, _) = oauth_client(&s, json!({}));
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    for _ in 0..5 {
        let r = submit(&s, &p, &[("username", "alice"), ("password", "Wrong0ne!")]);
        assert_eq!(r.status, 400);
        assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    }
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Password attempts exceeded"), "{}", r.body);
    // The API sees the same lockout.
    let (ty, m) = s.password_auth("alice", PASSWORD).unwrap_err();
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("NotAuthorizedException", "Password attempts exceeded")
    );
    let r = submit(&s, &p, &[("username", "alice"), ("password", "Wrong0ne!")]);
    assert!(r.body.contains("Password attempts exceeded"));
    // Once the lock has passed, the right password signs in.
    s.emu.advance_clock(2);
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert_eq!(r.status, 302, "{}", r.body);
}

#[test]
fn new_password_and_totp_steps_lead_to_a_code() {
    let s = pool_with(MfaConfiguration::Optional);
    let (client_id, _) = oauth_client(&s, json!({}));
    // Bob has a temporary password and a TOTP authenticator (set up through the API).
    ok(
        &s.emu,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool_id, "Username": "bob", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "bob"), ("password", "Temp0rary!")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("data-step=\"new_password\""));
    assert!(r.body.contains("<label for=\"new_password\">"));
    let r = submit(
        &s,
        &p,
        &[
            ("new_password", "N3wPassw0rd!"),
            ("confirm_password", "other"),
        ],
    );
    assert!(r.body.contains("The passwords do not match."));
    let r = submit(
        &s,
        &p,
        &[
            ("new_password", "N3wPassw0rd!"),
            ("confirm_password", "N3wPassw0rd!"),
        ],
    );
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(r.location().starts_with(&format!("{CALLBACK}?code=")));

    let t = s.password_auth("bob", "N3wPassw0rd!").unwrap();
    let at = t["AuthenticationResult"]["AccessToken"].clone();
    let secret = ok(&s.emu, "AssociateSoftwareToken", json!({"AccessToken": at}))["SecretCode"]
        .as_str()
        .unwrap()
        .to_string();
    let code = totp::code(&secret, s.emu.now()).unwrap();
    ok(
        &s.emu,
        "VerifySoftwareToken",
        json!({"AccessToken": at, "UserCode": code}),
    );
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    s.emu.advance_clock(30);
    let p = open_login(&s, &authorize_query(&client_id, &[("prompt", "login")]));
    let r = submit(&s, &p, &[("username", "bob"), ("password", "N3wPassw0rd!")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("data-kind=\"SOFTWARE_TOKEN_MFA\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("<label for=\"code\">"));
    // A wrong code keeps the step; the right one finishes.
    let good = totp::code(&secret, s.emu.now()).unwrap();
    let bad = format!("{:06}", (good.parse::<u32>().unwrap() + 1) % 1_000_000);
    let r = submit(&s, &p, &[("code", &bad)]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("data-step=\"mfa\""));
    let r = submit(&s, &p, &[("code", &good)]);
    assert_eq!(r.status, 302, "{}", r.body);
    let code = query_param(&r.location(), "code").unwrap();
    assert_eq!(exchange(&s, &client_id, &code).status, 200);
}

#[test]
fn email_mfa_step_uses_the_delivered_code() {
    // E-mail MFA needs a pool that sends its e-mail through SES.
    let s = prepare(setup_with(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            extra: crate::common::ses_email(),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    ));
    let (client_id, _) = oauth_client(&s, json!({}));
    let t = s.password_auth("alice", PASSWORD).unwrap();
    let at = t["AuthenticationResult"]["AccessToken"].clone();
    ok(
        &s.emu,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool_id, "MfaConfiguration": "OPTIONAL",
               "EmailMfaConfiguration": {"Message": "code {####}", "Subject": "code"},
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    );
    ok(
        &s.emu,
        "SetUserMFAPreference",
        json!({"AccessToken": at, "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert!(r.body.contains("data-kind=\"EMAIL_OTP\""), "{}", r.body);
    let code = s
        .emu
        .last_code("alice", cognito_emulator::MessageKind::Mfa)
        .expect("an e-mail code");
    let r = submit(&s, &p, &[("code", &code)]);
    assert_eq!(r.status, 302, "{}", r.body);
}

#[test]
fn wrong_client_secrets_and_flows_are_refused_at_the_token_endpoint() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, secret) = oauth_client(&s, json!({"GenerateSecret": true}));
    let secret = secret.unwrap();
    let code = query_param(&sign_in(&s, &client_id, &[]).location(), "code").unwrap();
    let fields = |extra: &[(&'static str, String)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.clone()),
            ("redirect_uri", CALLBACK.into()),
            ("code_verifier", VERIFIER.into()),
        ];
        f.extend_from_slice(extra);
        f
    };
    let send = |f: Vec<(&str, String)>, headers: &[(&str, &str)]| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        token(&s, &pairs, headers)
    };
    // Secret missing, wrong in the form, wrong in the Basic header, unknown client.
    let r = send(fields(&[("client_id", client_id.clone())]), &[]);
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("invalid_client"))
    );
    let r = send(
        fields(&[
            ("client_id", client_id.clone()),
            ("client_secret", "x".repeat(51)),
        ]),
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_client");
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:wrong")));
    let r = send(fields(&[]), &[("Authorization", &basic)]);
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, json!("invalid_client"))
    );
    let r = send(
        fields(&[("client_id", "nosuchclient1234567890abcd".into())]),
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_client");
    // Grant types: unknown, missing, and client_credentials on a code client.
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
    let r = token(
        &s,
        &[("grant_type", "password")],
        &[("Authorization", &basic)],
    );
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    let r = token(&s, &[], &[("Authorization", &basic)]);
    assert_eq!(r.json()["error"], "invalid_request");
    let r = token(
        &s,
        &[("grant_type", "client_credentials")],
        &[("Authorization", &basic)],
    );
    assert_eq!(r.json()["error"], "unauthorized_client");
    // The right secret by Basic works (the code was not spent by the refused attempts).
    let r = send(fields(&[]), &[("Authorization", &basic)]);
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn client_credentials_tokens_carry_the_resource_server_scopes() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, secret) = oauth_client(
        &s,
        json!({"GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"],
               "AllowedOAuthScopes": [format!("{API}/read"), format!("{API}/write")],
               "CallbackURLs": null, "LogoutURLs": null}),
    );
    let secret = secret.unwrap();
    // client_secret_post, one scope.
    let r = token(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
            ("scope", &format!("{API}/read")),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.json();
    assert!(t.get("refresh_token").is_none() && t.get("id_token").is_none());
    let access = t["access_token"].as_str().unwrap();
    assert!(verify_with_jwks(&s, access));
    let c = claims(access);
    assert_eq!(c["sub"], client_id.as_str());
    assert_eq!(c["client_id"], client_id.as_str());
    assert_eq!(c["scope"], format!("{API}/read"));
    assert_eq!(c["token_use"], "access");
    assert!(c.get("username").is_none());
    // client_secret_basic, every allowed scope.
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:{secret}")));
    let r = token(
        &s,
        &[("grant_type", "client_credentials")],
        &[("Authorization", &basic)],
    );
    assert_eq!(
        claims(r.json()["access_token"].as_str().unwrap())["scope"],
        format!("{API}/read {API}/write")
    );
    // A scope the client is not allowed, and a standard scope.
    for scope in [format!("{API}/admin"), "openid".to_string()] {
        let r = token(
            &s,
            &[("grant_type", "client_credentials"), ("scope", &scope)],
            &[("Authorization", &basic)],
        );
        assert_eq!(
            (r.status, r.json()["error"].clone()),
            (400, json!("invalid_scope"))
        );
    }
    // A client with the OAuth switch off.
    let off = ok(
        &s.emu,
        "CreateUserPoolClient",
        json!({"UserPoolId": s.pool_id, "ClientName": "off", "GenerateSecret": true,
               "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [format!("{API}/read")]}),
    );
    let (oid, osec) = (
        off["UserPoolClient"]["ClientId"].as_str().unwrap(),
        off["UserPoolClient"]["ClientSecret"].as_str().unwrap(),
    );
    let r = token(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", oid),
            ("client_secret", osec),
        ],
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[test]
fn client_credentials_run_the_version_3_trigger() {
    let s = pool_with(MfaConfiguration::Off);
    ok(
        &s.emu,
        "UpdateUserPool",
        json!({"UserPoolId": s.pool_id, "LambdaConfig": {"PreTokenGenerationConfig": {
            "LambdaVersion": "V3_0", "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:pre"}}}),
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    s.emu
        .set_trigger(&s.pool_id, Trigger::PreTokenGeneration, move |e| {
            seen.lock().unwrap().push(e.clone());
            let mut e = e.clone();
            e["response"]["claimsAndScopeOverrideDetails"] =
                json!({"accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "t1"}}});
            Ok(e)
        })
        .unwrap();
    let (client_id, secret) = oauth_client(
        &s,
        json!({"GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"],
               "AllowedOAuthScopes": [format!("{API}/read")], "CallbackURLs": null, "LogoutURLs": null}),
    );
    let r = token(
        &s,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret.unwrap()),
            ("aws_client_metadata", r#"{"k":"v"}"#),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        claims(r.json()["access_token"].as_str().unwrap())["tenant"],
        "t1"
    );
    let e = events.lock().unwrap()[0].clone();
    assert_eq!(e["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(e["userName"], "ClientCredentials");
    assert_eq!(e["version"], "3");
    assert_eq!(e["request"]["userAttributes"], json!({}));
    assert_eq!(e["request"]["groupConfiguration"], Value::Null);
    assert_eq!(e["request"]["clientMetadata"], json!({"k": "v"}));
}

#[test]
fn refresh_revoke_and_user_info() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let code = query_param(
        &sign_in(&s, &client_id, &[("scope", "openid profile")]).location(),
        "code",
    )
    .unwrap();
    let t = exchange(&s, &client_id, &code).json();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let access = t["access_token"].as_str().unwrap().to_string();

    let info = |token: &str, method: &str| {
        http(
            &s,
            method,
            &format!("{}/oauth2/userInfo", base()),
            None,
            &[("Authorization", &format!("Bearer {token}"))],
            "",
        )
    };
    let r = info(&access, "GET");
    assert_eq!(r.status, 200, "{}", r.body);
    let u = r.json();
    assert_eq!(u["username"], "alice");
    assert_eq!(u["name"], "Alice");
    // `openid profile`: no e-mail.
    assert!(u.get("email").is_none(), "{u}");
    assert_eq!(info(&access, "POST").status, 200);
    // userInfo with `openid email`: `email_verified` is a string there.
    let code = query_param(&sign_in(&s, &client_id, &[]).location(), "code").unwrap();
    let other = exchange(&s, &client_id, &code).json();
    let u = info(other["access_token"].as_str().unwrap(), "GET").json();
    assert_eq!(u["email_verified"], "true");
    assert_eq!(u["email"], "alice@example.com");
    // No token, a garbage token, and a token without `openid`.
    let r = http(
        &s,
        "GET",
        &format!("{}/oauth2/userInfo", base()),
        None,
        &[],
        "",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("invalid_request")
    );
    let r = info("not.a.token", "GET");
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
    let code = query_param(
        &sign_in(&s, &client_id, &[("scope", "email")]).location(),
        "code",
    )
    .unwrap();
    let no_openid = exchange(&s, &client_id, &code).json();
    assert!(no_openid.get("id_token").is_none(), "{no_openid}");
    assert_eq!(
        info(no_openid["access_token"].as_str().unwrap(), "GET").status,
        401
    );
    // API tokens have no `openid` either.
    let api = s.password_auth("alice", PASSWORD).unwrap();
    assert_eq!(
        info(
            api["AuthenticationResult"]["AccessToken"].as_str().unwrap(),
            "GET"
        )
        .status,
        401
    );

    // Refresh keeps the scopes.
    let r = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let t2 = r.json();
    assert!(t2.get("refresh_token").is_none());
    assert_eq!(
        claims(t2["access_token"].as_str().unwrap())["scope"],
        "openid profile"
    );
    assert!(
        claims(t2["id_token"].as_str().unwrap())
            .get("nonce")
            .is_none()
    );

    // Revocation: JWTs are not revocable; refresh tokens are, with their access tokens.
    let revoke = |tok: &str| {
        http(
            &s,
            "POST",
            &format!("{}/oauth2/revoke", base()),
            None,
            &[],
            &form(&[("token", tok), ("client_id", &client_id)]),
        )
    };
    let r = revoke(&access);
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("unsupported_token_type"))
    );
    assert_eq!(revoke(&refresh).status, 200);
    assert_eq!(revoke(&refresh).status, 200);
    assert_eq!(revoke("unknown-token").status, 200);
    let r = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
        ],
        &[],
    );
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );
    assert_eq!(info(&access, "GET").status, 401);
    let r = http(
        &s,
        "POST",
        &format!("{}/oauth2/revoke", base()),
        None,
        &[],
        &form(&[("client_id", &client_id)]),
    );
    assert_eq!(r.json()["error"], "invalid_request");
}

#[test]
fn the_hosted_session_signs_in_again_until_logout() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let r = sign_in(&s, &client_id, &[]);
    let session = r.cookie("cognito").expect("hosted session cookie");
    let cookie = format!("cognito={session}");
    let q = authorize_query(&client_id, &[]);
    let authorize = |q: &str| {
        http(
            &s,
            "GET",
            &format!("{}/oauth2/authorize?{q}", base()),
            None,
            &[("Cookie", &cookie)],
            "",
        )
    };
    // Signed in: straight back with a code (also for prompt=none).
    let r = authorize(&q);
    assert!(
        r.location().starts_with(&format!("{CALLBACK}?code=")),
        "{}",
        r.location()
    );
    let r = authorize(&authorize_query(&client_id, &[("prompt", "none")]));
    assert!(r.location().starts_with(&format!("{CALLBACK}?code=")));
    // prompt=login asks again.
    let r = authorize(&authorize_query(&client_id, &[("prompt", "login")]));
    assert!(r.location().starts_with(&format!("{}/login?", base())));

    // Logout: an unregistered logout_uri is refused; a registered one ends the session.
    let logout = |q: String| {
        http(
            &s,
            "GET",
            &format!("{}/logout?{q}", base()),
            None,
            &[("Cookie", &cookie)],
            "",
        )
    };
    for bad in [
        "https://evil.example/",
        "http://localhost:3000/bye/",
        "http://localhost:3000/BYE",
        "http://localhost:3000/bye?next=https://evil.example",
        "http://localhost:3000@evil.example/bye",
        "//evil.example/bye",
    ] {
        let r = logout(form(&[("client_id", &client_id), ("logout_uri", bad)]));
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.header("location").is_none(), "{bad}");
    }
    assert_eq!(logout(form(&[("logout_uri", LOGOUT)])).status, 400);
    let r = logout(form(&[("client_id", &client_id), ("logout_uri", LOGOUT)]));
    assert_eq!((r.status, r.location()), (302, LOGOUT.to_string()));
    assert!(r.header("set-cookie").unwrap().starts_with("cognito=;"));
    let r = authorize(&q);
    assert!(r.location().starts_with(&format!("{}/login?", base())));
    // The redirect_uri form goes back to the sign-in page.
    let r = logout(form(&[
        ("client_id", &client_id),
        ("redirect_uri", CALLBACK),
        ("response_type", "code"),
    ]));
    assert!(
        r.location()
            .starts_with(&format!("{}/login?client_id=", base())),
        "{}",
        r.location()
    );
}

#[test]
fn discovery_points_at_the_endpoints_and_the_jwks() {
    let s = pool_with(MfaConfiguration::Off);
    let r = http(
        &s,
        "GET",
        &format!("/{}/.well-known/openid-configuration", s.pool_id),
        None,
        &[],
        "",
    );
    let d = r.json();
    let origin = format!("http://{}", s.emu.addr());
    assert_eq!(
        d["issuer"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{}", s.pool_id)
    );
    assert_eq!(
        d["jwks_uri"],
        format!("{origin}/{}/.well-known/jwks.json", s.pool_id)
    );
    let b = format!("{origin}/_hosted/{DOMAIN}");
    assert_eq!(d["authorization_endpoint"], format!("{b}/oauth2/authorize"));
    assert_eq!(d["token_endpoint"], format!("{b}/oauth2/token"));
    assert_eq!(d["userinfo_endpoint"], format!("{b}/oauth2/userInfo"));
    assert_eq!(d["revocation_endpoint"], format!("{b}/oauth2/revoke"));
    assert_eq!(d["end_session_endpoint"], format!("{b}/logout"));
    // The advertised JWKS is served.
    let jwks_path = d["jwks_uri"]
        .as_str()
        .unwrap()
        .trim_start_matches(&origin)
        .to_string();
    assert_eq!(
        http(&s, "GET", &jwks_path, None, &[], "").json()["keys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn create_user_pool_client_checks_oauth_settings_as_aws_does() {
    let s = pool_with(MfaConfiguration::Off);
    let create = |extra: Value| {
        let mut body = json!({"UserPoolId": s.pool_id, "ClientName": "c",
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        common::op(&s.emu, "CreateUserPoolClient", body)
    };
    let refused = |extra: Value| create(extra).expect_err("refused");
    assert!(create(json!({})).is_ok());
    assert!(create(json!({"CallbackURLs": ["http://127.0.0.1:9000/cb", "myapp://cb", "https://x.example/cb"]})).is_ok());
    assert_eq!(
        refused(json!({"CallbackURLs": ["http://app.example.com/cb"]})),
        (
            "InvalidParameterException".into(),
            "http://app.example.com/cb cannot use the HTTP protocol.".into()
        )
    );
    // The host is what follows the user information: these go to app.example.com in plain
    // HTTP, whatever loopback name comes before the `@`.
    for url in [
        "http://localhost:1@app.example.com/cb",
        "http://127.0.0.1:80@app.example.com/cb",
        "http://[::1]@app.example.com/cb",
    ] {
        assert_eq!(
            refused(json!({"CallbackURLs": [url]})),
            (
                "InvalidParameterException".into(),
                format!("{url} cannot use the HTTP protocol.")
            ),
        );
    }
    assert_eq!(
        refused(json!({"LogoutURLs": ["https://x.example/#frag"]})).0,
        "InvalidParameterException"
    );
    assert_eq!(
        refused(json!({"CallbackURLs": null})),
        (
            "InvalidOAuthFlowException".into(),
            "CallbackUrls can not be empty when code flow or implicit flow is selected".into()
        )
    );
    assert_eq!(
        refused(
            json!({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [format!("{API}/read")]})
        ),
        (
            "InvalidOAuthFlowException".into(),
            "client_credentials flow can not be selected if client does not have a client secret."
                .into()
        )
    );
    assert_eq!(
        refused(json!({"GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"]})),
        (
            "InvalidOAuthFlowException".into(),
            "openid is not supported with client_credentials flow".into()
        )
    );
    assert_eq!(
        refused(
            json!({"GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials", "code"],
                       "AllowedOAuthScopes": [format!("{API}/read")]})
        )
        .0,
        "InvalidOAuthFlowException"
    );
    assert_eq!(
        refused(json!({"AllowedOAuthScopes": ["openid", "nosuch/scope"]})),
        (
            "ScopeDoesNotExistException".into(),
            "Invalid scope requested: nosuch/scope".into()
        )
    );
    assert_eq!(
        refused(json!({"AllowedOAuthFlows": null})).1,
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."
    );
    assert_eq!(
        refused(json!({"SupportedIdentityProviders": ["COGNITO", "Google"]})),
        (
            "InvalidParameterException".into(),
            format!(
                "The provider Google does not exist for User Pool {}",
                s.pool_id
            )
        )
    );
    assert_eq!(
        refused(json!({"DefaultRedirectURI": "https://other.example/cb"})).0,
        "InvalidParameterException"
    );
}

#[test]
fn select_mfa_type_then_an_sms_code() {
    let s = pool_with(MfaConfiguration::Optional);
    let (client_id, _) = oauth_client(&s, json!({}));
    s.emu
        .create_user(
            &s.pool_id,
            "hil",
            PASSWORD,
            &[
                ("phone_number", "+15550009999"),
                ("email", "hil@example.com"),
            ],
        )
        .unwrap();
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "hil",
               "SMSMfaSettings": {"Enabled": true}, "EmailMfaSettings": {"Enabled": true}}),
    );
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "hil"), ("password", PASSWORD)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("data-step=\"select_mfa\""));
    for id in ["mfa_type_SMS_MFA", "mfa_type_EMAIL_OTP"] {
        assert!(r.body.contains(&format!("<label for=\"{id}\">")), "{id}");
    }
    // A choice that was not offered is asked again.
    let r = submit(&s, &p, &[("mfa_type", "SOFTWARE_TOKEN_MFA")]);
    assert_eq!(r.status, 400);
    let r = submit(&s, &p, &[("mfa_type", "SMS_MFA")]);
    assert!(r.body.contains("data-kind=\"SMS_MFA\""), "{}", r.body);
    let code = s
        .emu
        .last_code("+15550009999", cognito_emulator::MessageKind::Mfa)
        .expect("an SMS code");
    let r = submit(&s, &p, &[("code", &code)]);
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(r.location().starts_with(&format!("{CALLBACK}?code=")));
}

#[test]
fn oauth_endpoints_are_counted_and_take_injected_faults() {
    use cognito_emulator::{Fault, FaultKind};
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, secret) = oauth_client(
        &s,
        json!({"GenerateSecret": true, "AllowedOAuthFlows": ["client_credentials"],
               "AllowedOAuthScopes": [format!("{API}/read")], "CallbackURLs": null, "LogoutURLs": null}),
    );
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{client_id}:{}", secret.unwrap()))
    );
    let call = || {
        token(
            &s,
            &[("grant_type", "client_credentials")],
            &[("Authorization", &basic)],
        )
    };
    s.emu
        .inject_fault(Fault::new("oauth2/token", FaultKind::Http500));
    s.emu
        .inject_fault(Fault::new("oauth2/token", FaultKind::Throttle));
    let r = call();
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (500, json!("server_error"))
    );
    assert_eq!(call().status, 429);
    assert_eq!(call().status, 200);
    assert_eq!(s.emu.request_count("oauth2/token"), 3);
}

#[test]
fn a_required_authenticator_is_set_up_on_the_hosted_page() {
    let s = pool_with(MfaConfiguration::On);
    let (client_id, _) = oauth_client(&s, json!({}));
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("data-step=\"mfa_setup\""), "{}", r.body);
    let at = r.body.find("id=\"totp_secret\">").unwrap() + 17;
    let secret = r.body[at..at + r.body[at..].find('<').unwrap()].to_string();
    let good = totp::code(&secret, s.emu.now()).unwrap();
    let bad = format!("{:06}", (good.parse::<u32>().unwrap() + 1) % 1_000_000);
    let r = submit(&s, &p, &[("code", &bad)]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("data-step=\"mfa_setup\""));
    let r = submit(&s, &p, &[("code", &good)]);
    assert_eq!(r.status, 302, "{}", r.body);
    assert!(r.location().starts_with(&format!("{CALLBACK}?code=")));
    // The next sign-in asks for the authenticator's code.
    s.emu.advance_clock(30);
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert!(
        r.body.contains("data-kind=\"SOFTWARE_TOKEN_MFA\""),
        "{}",
        r.body
    );
}

#[test]
fn refresh_token_rotation_and_login_hint() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(
        &s,
        json!({"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}}),
    );
    // The hint pre-fills the username (escaped).
    let q = authorize_query(&client_id, &[("login_hint", "al\"ice")]);
    let r = http(&s, "GET", &format!("{}/login?{q}", base()), None, &[], "");
    assert!(r.body.contains("value=\"al&quot;ice\""), "{}", r.body);

    let code = query_param(&sign_in(&s, &client_id, &[]).location(), "code").unwrap();
    let first = exchange(&s, &client_id, &code).json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let refresh = |tok: &str| {
        token(
            &s,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client_id),
                ("refresh_token", tok),
            ],
            &[],
        )
    };
    let r = refresh(&first);
    assert_eq!(r.status, 200, "{}", r.body);
    let second = r.json()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_string();
    assert_ne!(second, first);
    s.emu.advance_clock(1);
    assert_eq!(refresh(&first).json()["error"], "invalid_grant");
    assert_eq!(refresh(&second).status, 200);
    // Without the OAuth switch the token endpoint does not refresh.
    let (off, _) = oauth_client(&s, json!({"AllowedOAuthFlowsUserPoolClient": false}));
    let r = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &off),
            ("refresh_token", &second),
        ],
        &[],
    );
    assert_eq!(r.json()["error"], "unauthorized_client");
}

#[test]
fn an_access_token_with_the_admin_scope_calls_the_user_api() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    let r = sign_in(
        &s,
        &client_id,
        &[("scope", "openid aws.cognito.signin.user.admin")],
    );
    let code = query_param(&r.location(), "code").unwrap();
    let t = exchange(&s, &client_id, &code).json();
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(
        claims(access)["scope"],
        "openid aws.cognito.signin.user.admin"
    );
    let u = ok(&s.emu, "GetUser", json!({"AccessToken": access}));
    assert_eq!(u["Username"], "alice");
    // `openid` alone: the ID token carries every readable attribute.
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(
        (id["email"].clone(), id["name"].clone()),
        (json!("alice@example.com"), json!("Alice"))
    );
    // GlobalSignOut through that token ends its refresh token too.
    ok(&s.emu, "GlobalSignOut", json!({"AccessToken": access}));
    let r = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
        &[],
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[test]
fn the_implicit_grant_returns_tokens_in_the_fragment() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({"AllowedOAuthFlows": ["code", "implicit"]}));
    let r = sign_in(&s, &client_id, &[("response_type", "token")]);
    let loc = r.location();
    let (target, fragment) = loc.split_once('#').expect("a fragment");
    assert_eq!(target, CALLBACK);
    let get = |k: &str| query_param(&format!("x?{fragment}"), k);
    assert_eq!(get("token_type").as_deref(), Some("bearer"));
    assert_eq!(get("expires_in").as_deref(), Some("3600"));
    assert_eq!(get("state").as_deref(), Some("st-123"));
    assert!(get("refresh_token").is_none() && get("code").is_none());
    let (id, access) = (get("id_token").unwrap(), get("access_token").unwrap());
    assert!(verify_with_jwks(&s, &id) && verify_with_jwks(&s, &access));
    assert_eq!(claims(&id)["nonce"], "n-456");
    let half = &Sha256::digest(access.as_bytes())[..16];
    assert_eq!(claims(&id)["at_hash"], URL_SAFE_NO_PAD.encode(half));
    assert_eq!(claims(&access)["scope"], "openid email");
}

#[test]
fn stale_sign_in_pages_sessions_and_codes_of_disabled_users_are_refused() {
    let s = pool_with(MfaConfiguration::Off);
    let (client_id, _) = oauth_client(&s, json!({}));
    // A sign-in page older than an hour.
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    s.emu.advance_clock(3601);
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert_eq!(r.status, 403);
    // The hosted session lasts an hour too.
    let r = sign_in(&s, &client_id, &[]);
    let cookie = format!("cognito={}", r.cookie("cognito").unwrap());
    s.emu.advance_clock(3601);
    let q = authorize_query(&client_id, &[]);
    let r = http(
        &s,
        "GET",
        &format!("{}/oauth2/authorize?{q}", base()),
        None,
        &[("Cookie", &cookie)],
        "",
    );
    assert!(r.location().starts_with(&format!("{}/login?", base())));
    // A user disabled between sign-in and code exchange gets no tokens.
    let code = query_param(&sign_in(&s, &client_id, &[]).location(), "code").unwrap();
    ok(
        &s.emu,
        "AdminDisableUser",
        json!({"UserPoolId": s.pool_id, "Username": "alice"}),
    );
    assert_eq!(
        exchange(&s, &client_id, &code).json()["error"],
        "invalid_grant"
    );
    // And cannot sign in on the page.
    let p = open_login(&s, &authorize_query(&client_id, &[]));
    let r = submit(&s, &p, &[("username", "alice"), ("password", PASSWORD)]);
    assert!(r.body.contains("User is disabled."), "{}", r.body);
}
