//! The request handling of the emulator, without sockets: routing by `X-Amz-Target`, the AWS
//! JSON 1.1 envelope, every operation, the error shapes, the `/_emulator/` hooks, the
//! `.well-known` documents and fault injection. The HTTP server (`server.rs`) and
//! [`Service::handle`] both run requests through [`prepare`] and [`run`].

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::api::{ApiError, serialization};
use crate::model::{Service as Api, unknown_operation};
use crate::state::take_fault;
use crate::{Fault, FaultKind, Shared};

/// What [`Service::handle`] did with a request.
#[derive(Debug)]
pub enum Outcome {
    /// The response the server sends (for a `truncate` fault, only the first half of the
    /// body).
    Response(Response<Vec<u8>>),
    /// The server closes the connection without a response (a `reset` fault).
    Reset,
}

impl Outcome {
    /// The response, or `None` for [`Outcome::Reset`].
    pub fn response(self) -> Option<Response<Vec<u8>>> {
        match self {
            Outcome::Response(r) => Some(r),
            Outcome::Reset => None,
        }
    }
}

/// The emulator's request handling without a socket: what the HTTP server runs for each
/// request, callable synchronously (for fuzzing and in-process tests).
///
/// Get one with [`EmulatorBuilder::build_service`](crate::EmulatorBuilder::build_service)
/// (no server) or [`EmulatorHandle::service`](crate::EmulatorHandle::service) (the same state
/// as a running server). Clones share the state; [`Service::fork`] copies it.
#[derive(Clone)]
pub struct Service {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").finish_non_exhaustive()
    }
}

impl Service {
    /// Handles one HTTP request exactly as the server does (counted, faults applied). A
    /// `delay` fault sleeps on this thread, unless the emulator runs on a fixed clock
    /// ([`EmulatorBuilder::fixed_clock`](crate::EmulatorBuilder::fixed_clock)), where time
    /// only moves when told and the delay is skipped.
    pub fn handle(&self, request: &Request<Vec<u8>>) -> Outcome {
        match prepare(&self.shared, request) {
            Prepared::Respond(r) => Outcome::Response(r),
            Prepared::Reset => Outcome::Reset,
            Prepared::Run(call) => {
                if let Some(delay) = call.delay {
                    let virtual_time = self.shared.lock().clock_is_fixed();
                    if !virtual_time {
                        std::thread::sleep(delay);
                    }
                }
                Outcome::Response(run(&self.shared, call))
            }
        }
    }

    /// A new emulator with a deep copy of this one's state (pools, users, sessions, tokens,
    /// messages, faults, counts, clock and the seeded generator's position); signing keys
    /// are shared. Forking a prepared emulator is how a fuzz target starts every input from
    /// the same state.
    pub fn fork(&self) -> Service {
        let copy = self.shared.lock().clone_state();
        let mut shared = Shared::new(copy);
        shared.limits = self.shared.limits.clone();
        Service {
            shared: Arc::new(shared),
        }
    }

    /// The number of users in every pool, by pool id.
    pub fn user_counts(&self) -> std::collections::BTreeMap<String, usize> {
        self.shared
            .lock()
            .pools()
            .iter()
            .map(|(id, p)| (id.clone(), p.users.len()))
            .collect()
    }
}

pub(crate) fn json_response(status: u16, body: Vec<u8>, request_id: &str) -> Response<Vec<u8>> {
    with_common_headers(Response::builder(), request_id)
        .status(status)
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body)
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

fn with_common_headers(b: http::response::Builder, request_id: &str) -> http::response::Builder {
    b.header("x-amzn-RequestId", request_id)
        .header("Access-Control-Allow-Origin", "*")
        .header(
            "Access-Control-Expose-Headers",
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
        )
}

/// The AWS JSON 1.1 error shape: `{"__type", "message"}` plus `x-amzn-ErrorType`.
pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Response<Vec<u8>> {
    let body = json!({"__type": e.kind, "message": e.message}).to_string();
    with_common_headers(Response::builder(), request_id)
        .status(e.status)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("x-amzn-ErrorType", format!("{}:", e.kind))
        .header(
            "x-amzn-ErrorMessage",
            e.message
                .replace(|c: char| !c.is_ascii() || c.is_control(), " "),
        )
        .body(body.into_bytes())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

fn plain(status: StatusCode, body: Value) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .header("Access-Control-Allow-Origin", "*")
        .body(body.to_string().into_bytes())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}

/// The answer to a body over the limit (or one the server could not read).
pub(crate) fn body_too_large(request_id: &str, limit: usize) -> Response<Vec<u8>> {
    error_response(
        &serialization(format!(
            "Request body is larger than {limit} bytes or could not be read"
        )),
        request_id,
    )
}

/// The answer to a body that did not arrive within the body read timeout.
pub(crate) fn body_too_slow(request_id: &str) -> Response<Vec<u8>> {
    error_response(
        &serialization("Request body was not received in time"),
        request_id,
    )
}

/// A fresh request id (from the emulator's generator, so seeded emulators are reproducible).
pub(crate) fn request_id(shared: &Shared) -> String {
    if !shared.seeded() {
        // Without a seed the id comes from the OS generator: no need to wait for the lock.
        return crate::util::uuid();
    }
    let _guard = shared.lock();
    crate::util::uuid()
}

/// An operation call that passed routing, parsing and fault selection.
pub(crate) struct Call {
    service: Api,
    op: String,
    body: Result<Map<String, Value>, ApiError>,
    request_id: String,
    truncate: bool,
    /// A `delay` fault: wait this long before running.
    pub delay: Option<Duration>,
}

/// The first half of handling a request.
pub(crate) enum Prepared {
    /// Answered already (hooks, `.well-known`, routing errors, injected errors).
    Respond(Response<Vec<u8>>),
    /// Drop the connection.
    Reset,
    /// Run an operation (after the delay, if any).
    Run(Call),
}

/// Whether a browser sent the request from a page that is not on this machine.
///
/// - With an `Origin`: one other than `http(s)://` `localhost`, `*.localhost`, `127.0.0.1` or
///   `[::1]` (any port). `null` (sandboxed frames, `file:` pages) counts as foreign, since any
///   site can produce it.
/// - Without one (a page's own GETs, an address typed in the browser): a `Sec-Fetch-Site`
///   header, which only browsers send and pages cannot set, with a `Host` that names the
///   emulator by a domain name other than `localhost` or `*.localhost`. That is what a page of
///   another site sends after its host name was made to resolve to this machine (DNS
///   rebinding): it is then same-origin with the emulator and sends no `Origin` on GET. IP
///   addresses and single-label names (Docker's service names) pass: no other site can be
///   served under them.
///
/// Programs other than browsers send neither header. Origins named with
/// [`EmulatorBuilder::trusted_origin`](crate::EmulatorBuilder::trusted_origin), and hosts
/// of those origins, are not foreign.
fn foreign_origin(shared: &Shared, req: &Request<Vec<u8>>) -> bool {
    let Some(origin) = req.headers().get(http::header::ORIGIN) else {
        return rebound_page(shared, req);
    };
    if let Ok(o) = origin.to_str()
        && shared
            .trusted_origins
            .iter()
            .any(|t| t.eq_ignore_ascii_case(o.trim_end_matches('/')))
    {
        return false;
    }
    let Some(rest) = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("http://")
            .or_else(|| o.strip_prefix("https://"))
    }) else {
        return true;
    };
    let host = if let Some(v6) = rest.strip_prefix('[') {
        match v6.split_once(']') {
            Some((addr, _)) => return addr != "::1",
            None => return true,
        }
    } else {
        rest.split(':').next().unwrap_or_default()
    };
    let host = host.to_ascii_lowercase();
    !(host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1")
}

/// The `Sec-Fetch-Site` half of [`foreign_origin`]: a browser request whose `Host` is a
/// domain name (not an IP address, not a single label) other than `localhost`,
/// `*.localhost` or the host of a trusted origin.
fn rebound_page(shared: &Shared, req: &Request<Vec<u8>>) -> bool {
    if !req.headers().contains_key("sec-fetch-site") {
        return false;
    }
    let Some(authority) = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    let authority = authority.to_ascii_lowercase();
    if authority.starts_with('[') {
        return false; // an IPv6 address
    }
    let host = authority.split(':').next().unwrap_or_default();
    let local = !host.contains('.')
        || host.parse::<std::net::Ipv4Addr>().is_ok()
        || host == "localhost"
        || host.ends_with(".localhost");
    // A trusted origin's host name, whatever the port: the page and the emulator it opens
    // are served on different ports of the same name.
    let trusted = shared.trusted_origins.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        let t = t
            .strip_prefix("http://")
            .or_else(|| t.strip_prefix("https://"))
            .unwrap_or(&t);
        t.split([':', '/']).next() == Some(host)
    });
    !local && !trusted
}

/// Routing, body parsing, counting and fault selection; hooks and `.well-known` documents are
/// answered here. May generate RSA keys (`.well-known/jwks.json`): call it off the reactor.
pub(crate) fn prepare(shared: &Shared, req: &Request<Vec<u8>>) -> Prepared {
    let request_id = request_id(shared);
    let method = req.method();
    let path = req.uri().path();
    let query = req.uri().query().unwrap_or("");
    if method == Method::OPTIONS {
        return Prepared::Respond(
            Response::builder()
                .status(200)
                .header("Access-Control-Allow-Origin", "*")
                .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .header("Access-Control-Allow-Headers", "*")
                .header("Access-Control-Max-Age", "86400")
                .body(Vec::new())
                .unwrap_or_else(|_| Response::new(Vec::new())),
        );
    }
    let body = req.body().as_slice();
    if body.len() > shared.limits.max_body_bytes {
        return Prepared::Respond(body_too_large(&request_id, shared.limits.max_body_bytes));
    }
    if let Some(hook) = path.strip_prefix("/_emulator/") {
        if foreign_origin(shared, req) {
            return Prepared::Respond(plain(
                StatusCode::FORBIDDEN,
                json!({"message": "The emulator's hooks are not served to web pages of other sites."}),
            ));
        }
        return Prepared::Respond(
            shared
                .distrusting(|| hooks(shared, method, hook, query, body))
                .unwrap_or_else(|e| error_response(&e, &request_id)),
        );
    }
    // The OAuth endpoints and hosted pages of a pool's domain (by Host or `/_hosted/`).
    match shared.distrusting(|| crate::oauth::route(shared, req)) {
        Ok(Some(crate::oauth::Routed::Respond(r))) => return Prepared::Respond(r),
        Ok(Some(crate::oauth::Routed::Reset)) => return Prepared::Reset,
        Ok(None) => {}
        Err(e) => return Prepared::Respond(error_response(&e, &request_id)),
    }
    if method == Method::GET {
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        return Prepared::Respond(
            shared
                .distrusting(|| well_known(shared, path, host))
                .unwrap_or_else(|e| error_response(&e, &request_id)),
        );
    }
    if method != Method::POST || path != "/" {
        return Prepared::Respond(plain(
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found"}),
        ));
    }

    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    let (service, op) = match target.and_then(|t| t.split_once('.')) {
        Some(("AWSCognitoIdentityProviderService", op)) => (Api::UserPools, op.to_string()),
        Some(("AWSCognitoIdentityService", op)) => (Api::Identity, op.to_string()),
        _ => {
            let e = unknown_operation(target.unwrap_or(""));
            return Prepared::Respond(error_response(&e, &request_id));
        }
    };

    // AWS serves only the `authtype: none` operations without a signature; the emulator serves
    // every operation unsigned, so a web page of any site open in the developer's browser
    // could otherwise create users, set passwords or read pools through CORS.
    if foreign_origin(shared, req) && !crate::model::unsigned(service, &op) {
        let e = ApiError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
        return Prepared::Respond(error_response(&e, &request_id));
    }

    let parsed: Result<Map<String, Value>, ApiError> = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Map::new())
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(other) => Err(crate::model::input_type_error(&other)),
            Err(_) => Err(serialization("Malformed JSON in the request body.")),
        }
    };

    // Count the call, then look for a fault.
    let fault = {
        let mut st = shared.lock();
        st.count(&op);
        let mut flow_key = None;
        if op == "InitiateAuth"
            && let Ok(m) = &parsed
            && let Some(flow) = m.get("AuthFlow").and_then(Value::as_str)
        {
            let key = format!("InitiateAuth:{flow}");
            st.count(&key);
            flow_key = Some(key);
        }
        take_fault(st.faults_mut(), &op, flow_key.as_deref())
    };
    let mut delay = None;
    if let Some(f) = &fault {
        match f.kind {
            FaultKind::Http500 => {
                let e = crate::api::internal("Injected internal error");
                return Prepared::Respond(error_response(&e, &request_id));
            }
            FaultKind::Throttle => {
                let e = ApiError::new("TooManyRequestsException", "Rate exceeded");
                return Prepared::Respond(error_response(&e, &request_id));
            }
            FaultKind::Reset => return Prepared::Reset,
            FaultKind::Delay => delay = Some(Duration::from_millis(f.delay_ms)),
            FaultKind::Truncate => {}
        }
    }
    Prepared::Run(Call {
        service,
        op,
        body: parsed,
        request_id,
        truncate: fault.is_some_and(|f| f.kind == FaultKind::Truncate),
        delay,
    })
}

/// Runs a prepared operation (RSA key generation and SRP arithmetic: keep it off the reactor).
pub(crate) fn run(shared: &Shared, call: Call) -> Response<Vec<u8>> {
    let result = call.body.and_then(|m| {
        // The model's checks come before anything looks at the state.
        crate::model::validate(call.service, &call.op, &m)?;
        warm_keys(shared, &m);
        shared.dispatch_valid(call.service, &call.op, &m)
    });
    let mut resp = match result {
        Ok(v) => json_response(200, v.to_string().into_bytes(), &call.request_id),
        Err(e) => error_response(&e, &call.request_id),
    };
    if call.truncate {
        let half = resp.body().len() / 2;
        resp.body_mut().truncate(half);
    }
    resp
}

/// Generates the RSA keys of the pool a request concerns before taking the state lock, so a
/// first sign-in does not block every other request while keys are generated. Keys are
/// created lazily, once per pool (a `OnceLock`).
fn warm_keys(shared: &Shared, body: &Map<String, Value>) {
    let lazy = {
        let st = shared.lock();
        let str_of = |k: &str| body.get(k).and_then(Value::as_str);
        let pool_id = str_of("ClientId")
            .and_then(|c| st.clients().get(c))
            .map(|c| c.pool_id.clone())
            .or_else(|| {
                let token = str_of("AccessToken")?;
                let (_, claims) = crate::tokens::decode_unverified(token)?;
                let iss = claims.get("iss")?.as_str()?;
                Some(iss.rsplit('/').next()?.to_string())
            })
            .or_else(|| {
                let logins = body.get("Logins")?.as_object()?;
                let provider = logins.keys().next()?;
                Some(provider.rsplit('/').next()?.to_string())
            });
        pool_id.and_then(|id| st.pools().get(&id).map(|p| p.keys.clone()))
    };
    if let Some(lazy) = lazy {
        let _ = crate::tokens::keys(&lazy);
    }
}

fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn hooks(
    shared: &Shared,
    method: &Method,
    hook: &str,
    query: &str,
    body: &[u8],
) -> Response<Vec<u8>> {
    let parsed: Option<Map<String, Value>> = if body.iter().all(u8::is_ascii_whitespace) {
        Some(Map::new())
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        }
    };
    let bad = |m: &str| plain(StatusCode::BAD_REQUEST, json!({"message": m}));
    match (method, hook) {
        (&Method::GET, "messages") => {
            let user = query_param(query, "username");
            let msgs = shared.messages(user.as_deref());
            plain(
                StatusCode::OK,
                serde_json::to_value(msgs).unwrap_or(json!([])),
            )
        }
        (&Method::GET, "counts") => {
            let st = shared.lock();
            plain(StatusCode::OK, json!(st.counts()))
        }
        (&Method::POST, "clock") => {
            let Some(secs) = parsed
                .as_ref()
                .and_then(|m| m.get("advanceSeconds"))
                .and_then(Value::as_u64)
            else {
                return bad("expected {\"advanceSeconds\": N} with N >= 0");
            };
            let mut st = shared.lock();
            st.advance_clock(secs);
            plain(StatusCode::OK, json!({"now": st.now_f()}))
        }
        (&Method::POST, "faults") => {
            let Some(m) = parsed else {
                return bad("expected a JSON object");
            };
            let operation = m.get("operation").and_then(Value::as_str);
            let kind = m
                .get("kind")
                .and_then(Value::as_str)
                .and_then(FaultKind::from_name);
            let (Some(operation), Some(kind)) = (operation, kind) else {
                return bad(
                    "expected {\"operation\": \"<Op>\"|\"*\", \"kind\": \"http500\"|\"throttle\"|\"truncate\"|\"reset\"|\"delay\", \"count\": N, \"delayMs\": M}",
                );
            };
            let fault = Fault {
                operation: operation.to_string(),
                kind,
                count: m.get("count").and_then(Value::as_u64).unwrap_or(1),
                delay_ms: m.get("delayMs").and_then(Value::as_u64).unwrap_or(0),
            };
            shared.inject_fault(fault);
            plain(StatusCode::OK, json!({}))
        }
        (&Method::POST, "rotate-keys") => {
            let Some(pool_id) = parsed
                .as_ref()
                .and_then(|m| m.get("userPoolId"))
                .and_then(Value::as_str)
            else {
                return bad("expected {\"userPoolId\": \"...\"}");
            };
            match crate::hooks::rotate_keys(shared, pool_id) {
                Ok((id, access)) => {
                    plain(StatusCode::OK, json!({"idKid": id, "accessKid": access}))
                }
                Err(e) => error_response(&e, "rotate-keys"),
            }
        }
        (&Method::POST, "sign") => {
            let m = parsed.unwrap_or_default();
            let str_of = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
            let empty = Map::new();
            let obj_of = |k: &str| m.get(k).and_then(Value::as_object).unwrap_or(&empty);
            let access = match str_of("tokenUse") {
                "id" => false,
                "access" => true,
                _ => {
                    return bad(
                        "expected {\"userPoolId\", \"tokenUse\": \"id\"|\"access\", \"claims\": {..}, \"header\": {..}}",
                    );
                }
            };
            match crate::hooks::sign_token(
                shared,
                str_of("userPoolId"),
                access,
                obj_of("header"),
                obj_of("claims"),
            ) {
                Ok(token) => plain(StatusCode::OK, json!({"token": token})),
                Err(e) => error_response(&e, "sign"),
            }
        }
        (&Method::POST, "reset") => {
            shared.lock().reset();
            plain(StatusCode::OK, json!({}))
        }
        _ => plain(
            StatusCode::NOT_FOUND,
            json!({"message": "unknown emulator hook"}),
        ),
    }
}

fn well_known(shared: &Shared, path: &str, host: &str) -> Response<Vec<u8>> {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let pool_id = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let keys = {
        let mut st = shared.lock();
        if rest == ".well-known/jwks.json" {
            // Counted like operations, so that tests can see how often verifiers fetch keys.
            st.count("jwks.json");
        }
        st.pools().get(pool_id).map(|p| {
            let domain = p.res.domain.clone().or_else(|| p.res.custom_domain.clone());
            (p.keys.clone(), p.issuer(), domain)
        })
    };
    let Some((lazy, issuer, domain)) = keys else {
        return plain(
            StatusCode::NOT_FOUND,
            json!({"message": "User pool does not exist."}),
        );
    };
    match rest {
        ".well-known/jwks.json" => match crate::tokens::keys(&lazy) {
            Ok(k) => plain(
                StatusCode::OK,
                json!({"keys": [k.id.jwk(), k.access.jwk()]}),
            ),
            Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, json!({"message": e})),
        },
        ".well-known/openid-configuration" => plain(
            StatusCode::OK,
            crate::oauth::discovery::document(&issuer, pool_id, domain.as_deref(), host),
        ),
        _ => plain(StatusCode::NOT_FOUND, json!({"message": "Not Found"})),
    }
}
