//! OAuth with the pool's domain, against the emulator's hosted endpoints: the hosted sign-in
//! (authorization code + PKCE) driven by a scripted user who submits the emulator's sign-in
//! form over HTTP, userInfo, refresh and revocation through the token endpoint, the logout
//! URL, and client credentials with the cached token source. Shared by both drivers' test
//! binaries (see `crates/driver-tests/README.md`).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use crate::driver;
use crate::support::Setup;
use driver::cognito_proto::oauth::ErrorCode;
use driver::{Error, OAuthError, SecretString, UserPool};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-1";
const REDIRECT: &str = "http://127.0.0.1:8400/callback";
const SIGNED_OUT: &str = "http://127.0.0.1:8400/signed-out";

/// A pool with a domain, a resource server `orders` (`read`, `write`), a web client (code
/// flow, public) and a machine client (client credentials, with a secret).
pub(crate) struct OAuth {
    pub(crate) setup: Setup,
    domain: String,
    web: String,
    machine: String,
    machine_secret: String,
}

impl OAuth {
    pub(crate) fn new() -> Self {
        let setup = Setup::new();
        let call = |op: &str, body: Value| {
            setup
                .emu
                .call(op, body)
                .unwrap_or_else(|e| panic!("{op}: {e:?}"))
        };
        let pool = setup.pool_id.clone();
        call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": pool, "Domain": "oauth-suite"}),
        );
        call(
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "orders", "Name": "orders",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"},
                              {"ScopeName": "write", "ScopeDescription": "write"}]}),
        );
        let web = call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web",
                   "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                   "AllowedOAuthScopes": ["openid", "email", "profile"],
                   "CallbackURLs": [REDIRECT], "LogoutURLs": [SIGNED_OUT],
                   "SupportedIdentityProviders": ["COGNITO"],
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        );
        let machine = call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "machine", "GenerateSecret": true,
                   "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthFlows": ["client_credentials"],
                   "AllowedOAuthScopes": ["orders/read"]}),
        );
        let domain = format!("{}/_hosted/oauth-suite", setup.emu.url());
        OAuth {
            domain,
            web: web["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap()
                .to_owned(),
            machine: machine["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap()
                .to_owned(),
            machine_secret: machine["UserPoolClient"]["ClientSecret"]
                .as_str()
                .unwrap()
                .to_owned(),
            setup,
        }
    }

    fn web_pool(&self) -> UserPool {
        UserPool::builder(&self.setup.pool_id, &self.web)
            .endpoint_url(&self.setup.emu.url())
            .unwrap()
            .clock(self.setup.clock())
            .domain(&self.domain)
            .unwrap()
            .build()
            .unwrap()
    }

    /// The machine client, on the clock the test moves with [`Setup::advance`].
    pub(crate) fn machine_pool(&self) -> UserPool {
        UserPool::builder(&self.setup.pool_id, &self.machine)
            .endpoint_url(&self.setup.emu.url())
            .unwrap()
            .clock(self.setup.clock())
            .client_secret(self.machine_secret.as_str())
            .domain(&self.domain)
            .unwrap()
            .build()
            .unwrap()
    }

    fn user(&self, name: &str) {
        let email = format!("{name}@example.com");
        self.setup
            .emu
            .create_user(&self.setup.pool_id, name, PASSWORD, &[("email", &email)])
            .expect("create user");
    }
}

// ----- a scripted user: the browser's part, over plain HTTP ---------------------------------

/// One HTTP/1.0 exchange (so the body is never chunked): status, headers, body.
fn http(method: &str, url: &str, cookie: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut stream = TcpStream::connect(host).expect("connect");
    let mut head = format!("{method} {target} HTTP/1.0\r\nHost: {host}\r\n");
    if !cookie.is_empty() {
        head += &format!("Cookie: {cookie}\r\n");
    }
    if method == "POST" {
        head += &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    head += "\r\n";
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The value of `attr="…"` in the first tag of `html` that contains `marker`.
fn attr(html: &str, marker: &str, attr: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind('<')?;
    let tag = &html[start..start + html[start..].find('>')?];
    let key = format!("{attr}=\"");
    let value = &tag[tag.find(&key)? + key.len()..];
    Some(unescape(&value[..value.find('"')?]))
}

/// Sign in on the hosted pages as `username` from `authorize_url`, answering an MFA step with
/// `mfa_code()`: the URL the browser is finally redirected to (the app's callback).
fn hosted_user(authorize_url: &str, username: &str, mfa_code: &dyn Fn() -> String) -> String {
    let origin = {
        let rest = authorize_url.strip_prefix("http://").unwrap();
        format!("http://{}", &rest[..rest.find('/').unwrap()])
    };
    let absolute = |l: &str| {
        if l.starts_with('/') {
            format!("{origin}{l}")
        } else {
            l.to_owned()
        }
    };
    let (status, headers, _) = http("GET", authorize_url, "", "");
    assert_eq!(status, 302, "authorize redirects to the sign-in page");
    let mut url = absolute(header(&headers, "location").unwrap());
    let (status, headers, mut page) = http("GET", &url, "", "");
    assert_eq!(status, 200, "the sign-in page");
    let mut cookie = header(&headers, "set-cookie")
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_default();
    for _ in 0..5 {
        let step = attr(&page, "name=\"step\"", "value").expect("a step");
        let csrf = attr(&page, "name=\"_csrf\"", "value").expect("a CSRF token");
        url = absolute(&attr(&page, "id=\"signin-form\"", "action").unwrap_or(url));
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("_csrf", &csrf).append_pair("step", &step);
        match step.as_str() {
            "password" => {
                form.append_pair("username", username)
                    .append_pair("password", PASSWORD);
            }
            "mfa" => {
                form.append_pair("code", &mfa_code());
            }
            other => panic!("unexpected step {other}"),
        }
        let (status, headers, body) = http("POST", &url, &cookie, &form.finish());
        if let Some(c) = header(&headers, "set-cookie") {
            cookie = c.split(';').next().unwrap().to_owned();
        }
        if status == 302 {
            return absolute(header(&headers, "location").unwrap());
        }
        assert_eq!(status, 200, "a next step: {body}");
        page = body;
    }
    panic!("no redirect after five steps")
}

fn no_mfa() -> String {
    panic!("no MFA step expected")
}

fn oauth_code(e: &Error) -> Option<&ErrorCode> {
    match e {
        Error::OAuth(e) => e.code(),
        _ => None,
    }
}

// ----- the suite -------------------------------------------------------------------------------

driver_test! {
    async fn hosted_sign_in_stores_a_session_that_user_info_reads() {
        let o = OAuth::new();
        o.user("hana");
        let pool = o.web_pool();
        let request = pool.hosted_sign_in(REDIRECT, &["openid", "email"]).unwrap();
        let callback = hosted_user(&request.url, "hana", &no_mfa);
        assert!(callback.starts_with(REDIRECT), "{callback}");
        let user = aw!(pool.finish_hosted_sign_in(&request.pending, &callback)).unwrap();
        assert_eq!(user.username(), "hana");
        let current = aw!(pool.current_user()).unwrap().expect("a current user");
        assert_eq!(current.username(), "hana");
        let tokens = aw!(user.session()).unwrap();
        let id = tokens.id_token().claims();
        assert_eq!(id.get_str("nonce"), request.pending.nonce());
        assert_eq!(id.aud, vec![o.web.clone()]);
        let scopes: Vec<&str> = tokens.access_token().claims().scopes().collect();
        assert!(scopes.contains(&"openid") && scopes.contains(&"email"), "{scopes:?}");
        let info = aw!(user.user_info()).unwrap();
        assert_eq!(info.email(), Some("hana@example.com"));
        assert_eq!(info.sub(), id.sub.as_deref());
        // The same claims for the bearer token, as a backend would ask.
        let info = aw!(pool.user_info_for(tokens.access_token().token().expose_secret())).unwrap();
        assert_eq!(info.username(), Some("hana"));
        // The stored session refreshes like a session of the API's sign-in.
        o.setup.advance(7200);
        let refreshed = aw!(user.session()).unwrap();
        assert_ne!(refreshed.access_token().token(), tokens.access_token().token());
        assert_eq!(refreshed.username(), Some("hana"));
    }
}

driver_test! {
    async fn a_forged_redirect_is_refused_and_a_code_is_single_use() {
        let o = OAuth::new();
        o.user("ines");
        let pool = o.web_pool();
        let request = pool.hosted_sign_in(REDIRECT, &["openid"]).unwrap();
        let callback = hosted_user(&request.url, "ines", &no_mfa);
        let forged = callback.replace(request.pending.state(), "someone-elses-state");
        let err = aw!(pool.finish_hosted_sign_in(&request.pending, &forged)).unwrap_err();
        assert!(matches!(err, Error::OAuth(OAuthError::StateMismatch)), "{err:?}");
        // The right one works once; the second exchange of the same code is refused.
        aw!(pool.exchange_authorization_code(&request.pending, &callback)).unwrap();
        let err = aw!(pool.exchange_authorization_code(&request.pending, &callback)).unwrap_err();
        assert_eq!(oauth_code(&err), Some(&ErrorCode::InvalidGrant), "{err:?}");
        assert_eq!(err.status(), Some(400));
        // Another sign-in's PKCE verifier cannot exchange a code.
        let first = pool.hosted_sign_in(REDIRECT, &["openid"]).unwrap();
        let callback = hosted_user(&first.url, "ines", &no_mfa);
        let other = pool.hosted_sign_in(REDIRECT, &["openid"]).unwrap();
        let moved = callback.replace(first.pending.state(), other.pending.state());
        let err = aw!(pool.exchange_authorization_code(&other.pending, &moved)).unwrap_err();
        assert_eq!(oauth_code(&err), Some(&ErrorCode::InvalidGrant), "{err:?}");
    }
}

driver_test! {
    async fn refresh_and_revoke_through_the_domain_and_the_logout_url() {
        let o = OAuth::new();
        o.user("jun");
        let pool = o.web_pool();
        let request = pool.hosted_sign_in(REDIRECT, &["openid", "profile"]).unwrap();
        let callback = hosted_user(&request.url, "jun", &no_mfa);
        let tokens = aw!(pool.exchange_authorization_code(&request.pending, &callback)).unwrap();
        let refresh = tokens.refresh_token().expect("a refresh token").clone();
        let renewed = aw!(pool.refresh_with_token_endpoint(&refresh)).unwrap();
        assert_eq!(renewed.refresh_token(), Some(&refresh), "no rotation: the same refresh token");
        assert!(renewed.id_token().is_some());
        aw!(pool.revoke_refresh_token(&refresh)).unwrap();
        let err = aw!(pool.refresh_with_token_endpoint(&refresh)).unwrap_err();
        assert_eq!(oauth_code(&err), Some(&ErrorCode::InvalidGrant), "{err:?}");
        // Revoking again is not an error (RFC 7009).
        aw!(pool.revoke_refresh_token(&refresh)).unwrap();
        let bogus = SecretString::from("not-a-refresh-token");
        assert!(aw!(pool.refresh_with_token_endpoint(&bogus)).is_err());

        let logout = pool.logout_url(SIGNED_OUT).unwrap();
        let (status, headers, _) = http("GET", &logout, "", "");
        assert_eq!((status, header(&headers, "location")), (302, Some(SIGNED_OUT)));
    }
}

driver_test! {
    async fn client_credentials_are_cached_renewed_and_refused_when_not_allowed() {
        let o = OAuth::new();
        let pool = o.machine_pool();
        let source = pool.client_credentials(&["orders/read"]);
        let first = aw!(source.token()).unwrap();
        let claims = first.access_token().claims();
        assert_eq!(claims.sub.as_deref(), Some(o.machine.as_str()));
        assert_eq!(claims.username, None);
        assert_eq!(first.scopes(), ["orders/read"]);
        // Cached: the same token again.
        let again = aw!(source.token()).unwrap();
        assert_eq!(again.access_token().token(), first.access_token().token());
        // Within the refresh margin of its expiry, a new token.
        o.setup.advance(first.expires_in() - 30);
        let renewed = aw!(source.token()).unwrap();
        assert_ne!(renewed.access_token().token(), first.access_token().token());
        assert_eq!(aw!(source.token()).unwrap().access_token().token(), renewed.access_token().token());
        // A scope the client may not use, and a public client, are refused.
        let err = aw!(pool.client_credentials_token(&["orders/write"])).unwrap_err();
        assert_eq!(oauth_code(&err), Some(&ErrorCode::InvalidScope), "{err:?}");
        let err = aw!(o.web_pool().client_credentials_token(&["orders/read"])).unwrap_err();
        assert!(matches!(err, Error::OAuth(OAuthError::MissingClientSecret)), "{err:?}");
        // A wrong secret is invalid_client.
        let wrong = UserPool::builder(&o.setup.pool_id, &o.machine)
            .endpoint_url(&o.setup.emu.url())
            .unwrap()
            .client_secret("wrong-secret-000000000000000000")
            .domain(&o.domain)
            .unwrap()
            .build()
            .unwrap();
        let err = aw!(wrong.client_credentials_token(&["orders/read"])).unwrap_err();
        assert_eq!(oauth_code(&err), Some(&ErrorCode::InvalidClient), "{err:?}");
        // No domain configured: a typed error, no request.
        let err = aw!(o.setup.pool().client_credentials_token(&["orders/read"])).unwrap_err();
        assert!(matches!(err, Error::OAuth(OAuthError::InvalidInput(_))), "{err:?}");
    }
}
