//! The HTTP front: routing, the AWS JSON 1.1 envelope, test hooks and fault injection.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::api::{ApiError, serialization};
use crate::ops::{Service, dispatch, unknown_operation};
use crate::{Fault, FaultKind, Shared};

/// Largest request body accepted (AWS rejects far smaller bodies for these operations).
const MAX_BODY: usize = 1 << 20;

type Resp = Response<Full<Bytes>>;

/// Error returned to hyper to drop the connection (the `reset` fault).
#[derive(Debug)]
pub(crate) struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for ResetConnection {}

fn with_common_headers(
    mut b: hyper::http::response::Builder,
    request_id: &str,
) -> hyper::http::response::Builder {
    b = b
        .header("x-amzn-RequestId", request_id)
        .header("Access-Control-Allow-Origin", "*")
        .header(
            "Access-Control-Expose-Headers",
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
        );
    b
}

fn json_response(status: u16, body: Vec<u8>, request_id: &str) -> Resp {
    let b = with_common_headers(Response::builder(), request_id)
        .status(status)
        .header("Content-Type", "application/x-amz-json-1.1");
    b.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

pub(crate) fn error_response(e: &ApiError, request_id: &str) -> Resp {
    let body = json!({"__type": e.kind, "message": e.message}).to_string();
    let b = with_common_headers(Response::builder(), request_id)
        .status(e.status)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("x-amzn-ErrorType", format!("{}:", e.kind))
        .header(
            "x-amzn-ErrorMessage",
            e.message
                .replace(|c: char| !c.is_ascii() || c.is_control(), " "),
        );
    b.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn plain(status: StatusCode, body: Value) -> Resp {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .header("Access-Control-Allow-Origin", "*")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// Serves one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Resp, ResetConnection> {
    let request_id = crate::util::uuid();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if method == Method::OPTIONS {
        return Ok(Response::builder()
            .status(200)
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .header("Access-Control-Allow-Headers", "*")
            .header("Access-Control-Max-Age", "86400")
            .body(Full::new(Bytes::new()))
            .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))));
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(error_response(
                &serialization("Request body is too large or could not be read"),
                &request_id,
            ));
        }
    };

    if let Some(hook) = path.strip_prefix("/_emulator/") {
        return Ok(hooks(&shared, &method, hook, &query, &body));
    }
    if method == Method::GET {
        let shared = shared.clone();
        return Ok(
            tokio::task::spawn_blocking(move || well_known(&shared, &path))
                .await
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, json!({}))),
        );
    }
    if method != Method::POST || path != "/" {
        return Ok(plain(
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found"}),
        ));
    }

    let (service, op) = match target.as_deref().and_then(|t| t.split_once('.')) {
        Some(("AWSCognitoIdentityProviderService", op)) => (Service::UserPools, op.to_string()),
        Some(("AWSCognitoIdentityService", op)) => (Service::Identity, op.to_string()),
        _ => {
            let e = unknown_operation(target.as_deref().unwrap_or(""));
            return Ok(error_response(&e, &request_id));
        }
    };

    let parsed: Result<Map<String, Value>, ApiError> = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(Map::new())
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(serialization(
                "Start of structure or map found where not expected.",
            )),
            Err(_) => Err(serialization("Malformed JSON in the request body.")),
        }
    };

    // Count the call, then look for a fault.
    let fault = {
        let mut st = shared.lock();
        *st.counts.entry(op.clone()).or_default() += 1;
        let mut flow_key = None;
        if op == "InitiateAuth"
            && let Ok(m) = &parsed
            && let Some(flow) = m.get("AuthFlow").and_then(Value::as_str)
        {
            let key = format!("InitiateAuth:{flow}");
            *st.counts.entry(key.clone()).or_default() += 1;
            flow_key = Some(key);
        }
        take_fault(&mut st.faults, &op, flow_key.as_deref())
    };
    if let Some(f) = &fault {
        match f.kind {
            FaultKind::Http500 => {
                let e = ApiError {
                    kind: "InternalErrorException".into(),
                    message: "Injected internal error".into(),
                    status: 500,
                };
                return Ok(error_response(&e, &request_id));
            }
            FaultKind::Throttle => {
                let e = ApiError::new("TooManyRequestsException", "Rate exceeded");
                return Ok(error_response(&e, &request_id));
            }
            FaultKind::Reset => return Err(ResetConnection),
            FaultKind::Delay => tokio::time::sleep(Duration::from_millis(f.delay_ms)).await,
            FaultKind::Truncate => {}
        }
    }

    let result = match parsed {
        Err(e) => Err(e),
        Ok(m) => {
            let shared = shared.clone();
            let op = op.clone();
            // RSA key generation and modpow can take a while: keep them off the reactor.
            tokio::task::spawn_blocking(move || {
                warm_keys(&shared, &m);
                let mut st = shared.lock();
                dispatch(&mut st, service, &op, &m)
            })
            .await
            .unwrap_or_else(|_| {
                Err(ApiError {
                    kind: "InternalErrorException".into(),
                    message: "handler failed".into(),
                    status: 500,
                })
            })
        }
    };
    let mut resp = match result {
        Ok(v) => json_response(200, v.to_string().into_bytes(), &request_id),
        Err(e) => error_response(&e, &request_id),
    };
    if fault.is_some_and(|f| f.kind == FaultKind::Truncate) {
        let (parts, body) = resp.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let half = bytes.slice(..bytes.len() / 2);
        resp = Response::from_parts(parts, Full::new(half));
    }
    Ok(resp)
}

/// Generates the RSA keys of the pool a request concerns before taking the state lock, so a
/// first sign-in does not block every other request while keys are generated. Keys are
/// created lazily, once per pool (a `OnceLock`).
fn warm_keys(shared: &Shared, body: &Map<String, Value>) {
    let lazy = {
        let st = shared.lock();
        let str_of = |k: &str| body.get(k).and_then(Value::as_str);
        let pool_id = str_of("ClientId")
            .and_then(|c| st.clients.get(c))
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
        pool_id.and_then(|id| st.pools.get(&id).map(|p| p.keys.clone()))
    };
    if let Some(lazy) = lazy {
        let _ = crate::tokens::keys(&lazy);
    }
}

fn take_fault(
    faults: &mut Vec<crate::state::FaultRule>,
    op: &str,
    flow_key: Option<&str>,
) -> Option<Fault> {
    let idx = faults.iter().position(|r| {
        let o = r.fault.operation.as_str();
        r.remaining > 0 && (o == "*" || o == op || Some(o) == flow_key)
    })?;
    let rule = faults.get_mut(idx)?;
    rule.remaining -= 1;
    let f = rule.fault.clone();
    if rule.remaining == 0 {
        faults.remove(idx);
    }
    Some(f)
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hooks(shared: &Shared, method: &Method, hook: &str, query: &str, body: &[u8]) -> Resp {
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
            plain(StatusCode::OK, json!(st.counts))
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
            st.clock_offset = st
                .clock_offset
                .saturating_add(secs)
                .min(crate::state::MAX_CLOCK_OFFSET);
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

fn well_known(shared: &Shared, path: &str) -> Resp {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let pool_id = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let keys = {
        let st = shared.lock();
        st.pools.get(pool_id).map(|p| (p.keys.clone(), p.issuer()))
    };
    let Some((lazy, issuer)) = keys else {
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
            json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["code", "token"],
            }),
        ),
        _ => plain(StatusCode::NOT_FOUND, json!({"message": "Not Found"})),
    }
}
