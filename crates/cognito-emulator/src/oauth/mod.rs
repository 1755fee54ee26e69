//! The OAuth 2.0 / OpenID Connect endpoints of user-pool domains and the hosted sign-in
//! pages: `/oauth2/authorize`, `/login`, `/oauth2/token`, `/oauth2/userInfo`,
//! `/oauth2/revoke`, `/logout` and `/error`.
//!
//! A pool has them once it has a domain (`CreateUserPoolDomain`). They are reached either by
//! the Host header (`http://<domain>.localhost:<port>/...`, which browsers and curl resolve to
//! loopback; also `<domain>.auth.<region>.amazoncognito.com` and custom domain names) or under
//! the path prefix `/_hosted/<domain>/` of the emulator's own address.
//!
//! The sign-in itself runs through the API operations (`InitiateAuth` with the password,
//! `RespondToAuthChallenge` for the next steps), so the hosted pages check passwords, lock
//! accounts, run triggers and ask for MFA exactly as the API does.

mod authorize;
pub(crate) mod discovery;
mod html;
mod login;
mod logout;
mod revoke;
mod token;
mod userinfo;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{Method, Request, Response};
use serde_json::Value;

use crate::state::changes::SecretKeyed;
use crate::state::{Client, State};
use crate::{FaultKind, Shared};

/// How long an authorization code stays valid.
const CODE_LIFETIME_SECS: u64 = 300;
/// How long the hosted session cookie keeps a browser signed in (AWS: one hour).
const HOSTED_SESSION_SECS: u64 = 3600;
/// How long a sign-in page stays usable.
const LOGIN_SESSION_SECS: u64 = 3600;
/// Bound on each table of pending entries: past it, expired entries are swept and, if still
/// full, the oldest goes.
const MAX_ENTRIES: usize = 10_000;
/// Bound on the bytes each of those tables holds, enforced the same way. An entry keeps parts
/// of the request it came from (a sign-in page its whole authorization request, a code its
/// `nonce`), which may be as long as the request head (64 KiB by default): counted alone,
/// 10,000 such entries, which anyone can open without an account, would hold over a
/// gigabyte. Ordinary entries take well under a kilobyte, so only such requests reach it.
const MAX_TABLE_BYTES: usize = 32 << 20;

/// The cookie of a sign-in in progress (binds the CSRF token of its forms).
const LOGIN_COOKIE: &str = "cognito-login";
/// The cookie of a signed-in browser.
const SESSION_COOKIE: &str = "cognito";

/// Inserts into a bounded table of expiring entries, each costing `size` bytes.
fn insert_bounded<T>(
    map: &mut SecretKeyed<T>,
    secret: &str,
    value: T,
    now: u64,
    expires: impl Fn(&T) -> u64,
    size: impl Fn(&T) -> usize,
) {
    let records = map.by_digest_mut();
    let incoming = size(&value);
    let total = |r: &BTreeMap<String, T>| r.values().map(&size).sum::<usize>();
    let full = |len: usize, bytes: usize| {
        len >= MAX_ENTRIES || bytes.saturating_add(incoming) > MAX_TABLE_BYTES
    };
    if full(records.len(), total(records)) {
        records.retain(|_, v| expires(v) > now);
    }
    let mut bytes = total(records);
    while full(records.len(), bytes) {
        let Some(oldest) = records
            .iter()
            .min_by_key(|(_, v)| expires(v))
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        match records.remove(&oldest) {
            Some(gone) => bytes = bytes.saturating_sub(size(&gone)),
            None => break,
        }
    }
    map.insert(secret, value);
}

/// A request addressed to a pool's domain.
pub(crate) struct Hosted<'a> {
    pub pool_id: String,
    /// The path prefix of the hosted pages on this address: `""` (Host-based) or
    /// `/_hosted/<domain>`.
    pub base: String,
    pub req: &'a Request<Vec<u8>>,
}

impl Hosted<'_> {
    /// The query parameters of the request.
    pub fn query(&self) -> Vec<(String, String)> {
        parse_form(self.req.uri().query().unwrap_or("").as_bytes())
    }

    /// A cookie of the request.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.req
            .headers()
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// A `Set-Cookie` value for this address (`None`: delete the cookie).
    pub fn set_cookie(&self, name: &str, value: Option<&str>) -> String {
        let path = if self.base.is_empty() {
            "/"
        } else {
            &self.base
        };
        match value {
            Some(v) => format!("{name}={v}; Path={path}; HttpOnly; SameSite=Lax"),
            None => format!("{name}=; Path={path}; HttpOnly; SameSite=Lax; Max-Age=0"),
        }
    }
}

/// What the OAuth endpoints made of a request of theirs.
pub(crate) enum Routed {
    /// The answer.
    Respond(Response<Vec<u8>>),
    /// Drop the connection (the `reset` fault).
    Reset,
}

/// The OAuth endpoints' answer to a request for a pool's domain; `None` when the request is
/// not addressed to a known domain (the API and the hooks serve it).
pub(crate) fn route(shared: &Shared, req: &Request<Vec<u8>>) -> Option<Routed> {
    let path = req.uri().path();
    let (domain, base, rest) = if let Some(after) = path.strip_prefix("/_hosted/") {
        let (domain, rest) = after.split_once('/').unwrap_or((after, ""));
        (
            domain.to_string(),
            format!("/_hosted/{domain}"),
            format!("/{rest}"),
        )
    } else {
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())?;
        let name = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        let name = name.to_ascii_lowercase();
        let domain = if let Some(d) = name.strip_suffix(".localhost") {
            d.to_string()
        } else if let Some((d, rest)) = name.split_once(".auth.")
            && rest.ends_with(".amazoncognito.com")
        {
            d.to_string()
        } else {
            name
        };
        (domain, String::new(), path.to_string())
    };
    let pool_id = {
        let st = shared.lock();
        st.domains()
            .get(&domain)
            .filter(|d| st.pools().contains_key(&d.pool_id))
            .map(|d| d.pool_id.clone())
    };
    let Some(pool_id) = pool_id else {
        if base.is_empty() {
            return None;
        }
        return Some(Routed::Respond(html::page(
            404,
            "Not found",
            "This domain does not exist.",
        )));
    };
    // Counted and faulted like operations, under the endpoint's path (`oauth2/token`,
    // `login`, ...).
    let (fault, virtual_time) = {
        let mut st = shared.lock();
        let key = rest.trim_start_matches('/').to_string();
        st.count(&key);
        let fault = crate::state::take_fault(st.faults_mut(), &key, None);
        (fault, st.clock_is_fixed())
    };
    let mut truncate = false;
    if let Some(f) = fault {
        match f.kind {
            FaultKind::Http500 => {
                return Some(Routed::Respond(oauth_error(500, "server_error", None)));
            }
            FaultKind::Throttle => {
                return Some(Routed::Respond(oauth_error(
                    429,
                    "too_many_requests",
                    Some("Rate exceeded"),
                )));
            }
            FaultKind::Reset => return Some(Routed::Reset),
            FaultKind::Delay if !virtual_time => {
                let delay = std::time::Duration::from_millis(f.delay_ms);
                crate::util::blocking(|| std::thread::sleep(delay));
            }
            FaultKind::Delay => {}
            FaultKind::Truncate => truncate = true,
        }
    }
    let h = Hosted { pool_id, base, req };
    let method = req.method();
    let mut resp = match (method, rest.as_str()) {
        (&Method::GET, "/oauth2/authorize") => authorize::get(shared, &h),
        (&Method::GET, "/login") => login::get(shared, &h),
        (&Method::POST, "/login") => login::post(shared, &h),
        (&Method::POST, "/oauth2/token") => token::post(shared, &h),
        (&Method::GET | &Method::POST, "/oauth2/userInfo") => userinfo::handle(shared, &h),
        (&Method::POST, "/oauth2/revoke") => revoke::post(shared, &h),
        (&Method::GET, "/logout") => logout::get(shared, &h),
        (&Method::GET, "/error") => html::error_page(&h),
        (_, "/oauth2/token" | "/oauth2/revoke") => {
            oauth_error(405, "invalid_request", Some("Use POST."))
        }
        _ => html::page(404, "Not found", "This page does not exist."),
    };
    if truncate {
        let half = resp.body().len() / 2;
        resp.body_mut().truncate(half);
    }
    Some(Routed::Respond(resp))
}

/// An RFC 6749 error answer (`{"error"[, "error_description"]}`).
pub(crate) fn oauth_error(
    status: u16,
    error: &str,
    description: Option<&str>,
) -> Response<Vec<u8>> {
    let mut body = serde_json::Map::new();
    body.insert("error".into(), Value::from(error));
    if let Some(d) = description {
        body.insert("error_description".into(), Value::from(d));
    }
    let mut b = Response::builder()
        .status(status)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
        .header("Access-Control-Allow-Origin", "*");
    if status == 401 {
        b = b.header("WWW-Authenticate", "Basic realm=\"oauth2\"");
    }
    b.body(Value::Object(body).to_string().into_bytes())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// A JSON answer that must not be cached (tokens, user info). Browser applications call the
/// token, userInfo and revocation endpoints from their own origin, hence the CORS header.
pub(crate) fn json_no_store(status: u16, body: &Value) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
        .header("Access-Control-Allow-Origin", "*")
        .body(body.to_string().into_bytes())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// A `302 Found` to `location`, setting `cookies`.
pub(crate) fn redirect(location: &str, cookies: &[String]) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(302)
        .header("Location", location)
        .header("Cache-Control", "no-store");
    for c in cookies {
        b = b.header("Set-Cookie", c);
    }
    b.body(Vec::new())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// `uri` with `params` appended to its query.
pub(crate) fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = uri.to_string();
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
        sep = '&';
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` data (also a query string).
pub(crate) fn parse_form(data: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(data).into_owned().collect()
}

/// One form-urlencoded value on its own (HTTP Basic credentials are form-encoded before
/// base64, so a secret may hold `%` escapes and `+`).
fn form_value(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// The single value of `name` (`None` when absent or empty; repeated parameters count as
/// absent, as RFC 6749 forbids them).
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut found = params.iter().filter(|(k, _)| k == name);
    let first = found.next()?;
    if found.next().is_some() || first.1.is_empty() {
        return None;
    }
    Some(first.1.as_str())
}

/// Whether `name` appears more than once.
pub(crate) fn repeated(params: &[(String, String)], name: &str) -> bool {
    params.iter().filter(|(k, _)| k == name).count() > 1
}

/// The client a token or revocation request authenticates as: HTTP Basic
/// (`client_secret_basic`) or `client_id` + `client_secret` in the form
/// (`client_secret_post`); a public client sends its `client_id` alone.
pub(crate) fn authenticate_client(
    st: &State,
    h: &Hosted<'_>,
    form: &[(String, String)],
) -> Result<Client, Box<Response<Vec<u8>>>> {
    let invalid = || Box::new(oauth_error(401, "invalid_client", None));
    let basic = h
        .req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        });
    let (client_id, secret) = match basic {
        Some(b) => {
            let decoded = STANDARD.decode(b).map_err(|_| invalid())?;
            let text = String::from_utf8(decoded).map_err(|_| invalid())?;
            let (id, secret) = text.split_once(':').ok_or_else(invalid)?;
            // The form may repeat the id, but not name another client.
            if param(form, "client_id").is_some_and(|f| f != id) {
                return Err(invalid());
            }
            (form_value(id), Some(form_value(secret)))
        }
        None => {
            let id = param(form, "client_id").ok_or_else(invalid)?;
            (
                id.to_string(),
                param(form, "client_secret").map(str::to_string),
            )
        }
    };
    let client = st.client(&client_id).map_err(|_| invalid())?;
    if client.pool_id != h.pool_id {
        return Err(invalid());
    }
    if client.secret.is_some() && !crate::ops::check_client_secret(&client, secret.as_deref()) {
        return Err(invalid());
    }
    Ok(client)
}

/// A fresh random token for codes, cookies and CSRF tokens (URL- and cookie-safe).
pub(crate) fn random_token() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    URL_SAFE_NO_PAD.encode(crate::util::random_bytes(32))
}
