//! Helpers shared by the fuzz targets: a readable text form of an HTTP response (so that seed
//! files are real exchanges a person can read), JWT templating (so that the fuzzer can mutate
//! token claims as JSON instead of as base64), and small independent oracles.
#![forbid(unsafe_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use serde_json::{Map, Value};

/// A response read from the seed text format:
///
/// ```text
/// <label> <status>
/// <header-name>: <value>
/// ...
///
/// <body bytes>
/// ```
///
/// The first line names what the response answers (an operation, a refresh method, ...).
/// Header lines that are not valid HTTP are skipped; a missing blank line means "no body".
pub struct TextResponse {
    /// The first word of the first line.
    pub label: String,
    /// The response.
    pub response: Response<Vec<u8>>,
}

/// Parses the text format of [`TextResponse`]. `None` when the first line is not
/// `<label> <status>` with a status in 100..=999.
pub fn parse_text_response(data: &[u8]) -> Option<TextResponse> {
    let (head, body) = match find(data, b"\n\n") {
        Some(i) => (&data[..i], data[i + 2..].to_vec()),
        None => (data, Vec::new()),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let first = std::str::from_utf8(lines.next()?).ok()?;
    let (label, status) = first.trim_end_matches('\r').split_once(' ')?;
    let status = StatusCode::from_u16(status.trim().parse().ok()?).ok()?;
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        response.headers_mut().append(name, value);
    }
    Some(TextResponse {
        label: label.to_owned(),
        response,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Keys whose value, when it is a JSON object instead of a string, is turned into a JWT with
/// that object as its claims.
pub const TOKEN_KEYS: &[&str] = &[
    "IdToken",
    "AccessToken",
    "id_token",
    "access_token",
    "idToken",
    "accessToken",
];

/// A compact JWT with a fixed RS256 header, the given claims and a dummy signature.
pub fn jwt(claims: &Map<String, Value>) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"fuzz-key","alg":"RS256"}"#);
    let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

/// Replaces, anywhere in `value`, an object under one of [`TOKEN_KEYS`] by a JWT carrying
/// it as claims. Returns whether anything was replaced.
pub fn template_tokens(value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if TOKEN_KEYS.contains(&key.as_str())
                    && let Value::Object(claims) = v
                {
                    *v = Value::String(jwt(claims));
                    changed = true;
                } else {
                    changed |= template_tokens(v);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                changed |= template_tokens(v);
            }
        }
        _ => {}
    }
    changed
}

/// The body with its token objects templated into JWTs (see [`template_tokens`]); the raw
/// bytes when the body is not JSON or holds no such object.
pub fn templated_body(body: &[u8]) -> Vec<u8> {
    if let Ok(mut v) = serde_json::from_slice::<Value>(body)
        && template_tokens(&mut v)
    {
        return v.to_string().into_bytes();
    }
    body.to_vec()
}

/// Every string value (not key) inside a JSON value.
pub fn string_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| string_values(v, out)),
        Value::Object(map) => map.values().for_each(|v| string_values(v, out)),
        _ => {}
    }
}

/// The string values of a body that look like tokens (`eyJ…`, at least 16 characters): what
/// an error message or `Debug` output must never repeat.
pub fn token_like_values(body: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    string_values(&v, &mut all);
    all.retain(|s| s.starts_with("eyJ") && s.len() >= 16);
    all
}

/// A JSON number as whole seconds, as a JWT numeric date is specified (RFC 7519 docs/protocol.md#2-operations): an
/// integer as is, a fraction rounded down, anything outside `i64` refused. Written
/// independently of the core to serve as an oracle.
pub fn expected_numeric_date(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None; // above i64::MAX
    }
    let f = n.as_f64()?;
    let floored = f.floor();
    // i64 range: [-2^63, 2^63).
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&floored) {
        Some(floored as i64)
    } else {
        None
    }
}
