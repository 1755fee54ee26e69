//! Every operation's response decoding (`envelope::decode`) and service error decoding
//! (`envelope::decode_error`), on responses in the text form of `cognito_fuzz::TextResponse`
//! (first line `<Operation> <status>`, headers, blank line, body).
//!
//! Invariants:
//! * a non-2xx response is always an error that keeps the status and `x-amzn-RequestId` it was
//!   given; a service error's type follows the awsJson 1.1 rule (header, then `code`, then
//!   `__type`; cut at `:`, after `#`), its message is the body's `message`/`Message` or the
//!   header, its kind round-trips through its name, and a namespaced or `:`-suffixed
//!   `__type` gives the same kind; without any type it is a protocol error keeping the raw body;
//! * a 2xx response either decodes to a value that re-serializes (without `null`s) and decodes
//!   to the same value, and still decodes the same with an unknown member added, or fails as a
//!   protocol error keeping status, request id and body;
//! * no error's `Display` or `Debug` repeats a token-like value of the body;
//! * retryability follows docs/protocol.md#16-retries.
#![no_main]

use cognito_fuzz::{parse_text_response, templated_body, token_like_values};
use cognito_proto::envelope::{self, Operation, X_AMZN_ERROR_MESSAGE, X_AMZN_ERROR_TYPE};
use cognito_proto::error::{CoreError as Error, ServiceErrorKind};
use cognito_proto::ops::*;
use http::Response;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Some(parsed) = parse_text_response(data) else {
        return;
    };
    let mut response = parsed.response;
    *response.body_mut() = templated_body(response.body());
    macro_rules! dispatch {
        ($($op:ty),* $(,)?) => {
            $(if parsed.label == <$op as Operation>::NAME {
                check_operation::<$op>(&response);
                return;
            })*
        };
    }
    dispatch!(
        InitiateAuth,
        RespondToAuthChallenge,
        GetTokensFromRefreshToken,
        RevokeToken,
        GlobalSignOut,
        SignUp,
        ConfirmSignUp,
        ResendConfirmationCode,
        ForgotPassword,
        ConfirmForgotPassword,
        ChangePassword,
        GetUser,
        UpdateUserAttributes,
        DeleteUserAttributes,
        GetUserAttributeVerificationCode,
        VerifyUserAttribute,
        DeleteUser,
        GetUserAuthFactors,
        SetUserMfaPreference,
        SetUserSettings,
        AssociateSoftwareToken,
        VerifySoftwareToken,
        ConfirmDevice,
        ListDevices,
        GetDevice,
        UpdateDeviceStatus,
        ForgetDevice,
        StartWebAuthnRegistration,
        CompleteWebAuthnRegistration,
        ListWebAuthnCredentials,
        DeleteWebAuthnCredential,
        GetId,
        GetCredentialsForIdentity,
        GetOpenIdToken,
    );
    // Any other label: the error decoding alone.
    let err = envelope::decode_error("Fuzz", &response);
    check_error(&err, &response);
});

fn check_operation<O: Operation>(response: &Response<Vec<u8>>)
where
    O::Output: Serialize,
{
    let result = envelope::decode::<O>(response);
    if !response.status().is_success() {
        let err = match result {
            Ok(_) => panic!(
                "{} decoded a {} response as success",
                O::NAME,
                response.status()
            ),
            Err(e) => e,
        };
        check_error(&err, response);
        return;
    }
    match result {
        Ok(out) => check_output::<O>(&out, response),
        Err(err) => {
            let Error::InvalidResponse {
                status,
                request_id,
                body,
                problem,
                ..
            } = &err
            else {
                panic!("a 2xx response failed with a non-protocol error: {err:?}");
            };
            assert_eq!(*status, response.status().as_u16());
            assert_eq!(
                request_id.as_deref(),
                expected_request_id(response).as_deref()
            );
            assert_eq!(body.as_bytes(), response.body().as_slice());
            assert!(!problem.to_string().is_empty());
            assert_no_token_leak(&err, response.body());
        }
    }
}

fn check_output<O: Operation>(out: &O::Output, response: &Response<Vec<u8>>)
where
    O::Output: Serialize,
{
    let first = serde_json::to_value(out).expect("an output serializes");
    assert!(
        !has_null(&first),
        "{}: serialized output contains null",
        O::NAME
    );
    let again: O::Output = serde_json::from_value(first.clone())
        .unwrap_or_else(|e| panic!("{}: re-serialized output does not decode: {e}", O::NAME));
    let second = serde_json::to_value(&again).expect("an output serializes");
    assert_eq!(first, second, "{}: output changed on a round trip", O::NAME);

    // Forward compatibility: an unknown member changes nothing.
    let body = response.body();
    let mut object: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => m,
            _ => return,
        }
    };
    if object.contains_key("FuzzFutureMember") {
        return;
    }
    object.insert(
        "FuzzFutureMember".to_owned(),
        serde_json::json!({"Nested": [1, "two", null]}),
    );
    let mut extended = Response::new(Value::Object(object).to_string().into_bytes());
    *extended.status_mut() = response.status();
    *extended.headers_mut() = response.headers().clone();
    match envelope::decode::<O>(&extended) {
        Ok(out2) => assert_eq!(
            serde_json::to_value(&out2).expect("an output serializes"),
            first,
            "{}: an unknown member changed the output",
            O::NAME
        ),
        // Re-serializing resolved duplicate keys (last wins) where the raw body failed on
        // them, so only a body without duplicates must still decode.
        Err(e) => panic!("{}: an unknown member broke decoding: {e}", O::NAME),
    }
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

/// `x-amzn-RequestId`: the first such header, as text, trimmed, when not empty.
fn expected_request_id(response: &Response<Vec<u8>>) -> Option<String> {
    let v = response.headers().get("x-amzn-requestid")?.to_str().ok()?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// Protocol doc docs/protocol.md#14-error-responses, written from the document: cut at the first `:` (and at a `,` joining
/// several header values), keep what follows the first `#`, trim.
fn doc_sanitize(raw: &str) -> &str {
    let s = raw.split(',').next().unwrap_or("");
    let s = s.split(':').next().unwrap_or("");
    let s = match s.find('#') {
        Some(i) => &s[i + 1..],
        None => s,
    };
    s.trim()
}

fn body_object(body: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn expected_code(response: &Response<Vec<u8>>) -> Option<String> {
    for v in response.headers().get_all(X_AMZN_ERROR_TYPE) {
        if let Ok(s) = v.to_str() {
            let code = doc_sanitize(s);
            if !code.is_empty() {
                return Some(code.to_owned());
            }
        }
    }
    let body = body_object(response.body())?;
    for key in ["code", "__type"] {
        if let Some(Value::String(s)) = body.get(key) {
            let code = doc_sanitize(s);
            if !code.is_empty() {
                return Some(code.to_owned());
            }
        }
    }
    None
}

fn expected_message(response: &Response<Vec<u8>>) -> Option<String> {
    if let Some(body) = body_object(response.body()) {
        for key in ["message", "Message"] {
            if let Some(Value::String(s)) = body.get(key) {
                return Some(s.clone());
            }
        }
    }
    response
        .headers()
        .get(X_AMZN_ERROR_MESSAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn check_error(err: &Error, response: &Response<Vec<u8>>) {
    let status = response.status().as_u16();
    let request_id = expected_request_id(response);
    assert_eq!(err.request_id(), request_id.as_deref(), "request id lost");
    let _ = err.to_string();
    match err {
        Error::Service(se) => {
            assert_eq!(se.status, status, "status lost");
            let code = se.kind.as_str();
            assert_eq!(Some(code.to_owned()), expected_code(response));
            assert!(!code.is_empty() && !code.contains(':') && !code.contains(','));
            assert_eq!(code, code.trim());
            assert_eq!(ServiceErrorKind::from_code(code), se.kind);
            assert_eq!(se.message, expected_message(response));
            // Named errors are the service's answer whatever the status (known client bug docs/protocol.md#pitfall-22); only
            // throttling, internal errors and unknown types behind a retryable status retry.
            let retryable = match se.kind {
                ServiceErrorKind::TooManyRequests | ServiceErrorKind::InternalError => true,
                ServiceErrorKind::Unknown(_) => matches!(status, 429 | 500 | 502 | 503 | 504),
                _ => false,
            };
            assert_eq!(err.is_retryable(), retryable);
            check_type_spellings(response, &se.kind);
        }
        Error::InvalidResponse {
            status: s,
            body,
            problem,
            ..
        } => {
            assert_eq!(*s, status, "status lost");
            assert_eq!(expected_code(response), None, "an error type was ignored");
            assert_eq!(body.as_bytes(), response.body().as_slice(), "raw body lost");
            assert!(!problem.to_string().is_empty());
            assert_eq!(
                err.is_retryable(),
                matches!(status, 429 | 500 | 502 | 503 | 504)
            );
            assert_no_token_leak(err, response.body());
        }
        other => panic!("error decoding gave {other:?}"),
    }
}

/// The same error type spelled with the protocol's namespace prefix and `:` suffix, or found
/// only in the header, decodes to the same kind.
fn check_type_spellings(response: &Response<Vec<u8>>, kind: &ServiceErrorKind) {
    let name = kind.as_str();
    if name.contains('#') {
        return; // `a#b` already had its prefix cut once; a second prefix would cut again
    }
    let with_type = |type_value: String, header: bool| {
        let mut body = body_object(response.body()).unwrap_or_default();
        body.remove("code");
        body.remove("__type");
        let mut headers = response.headers().clone();
        headers.remove(X_AMZN_ERROR_TYPE);
        if header {
            headers.insert(
                X_AMZN_ERROR_TYPE,
                http::HeaderValue::from_str(&type_value).expect("a sanitized name is a header"),
            );
        } else {
            body.insert("__type".to_owned(), Value::String(type_value));
        }
        let mut r = Response::new(Value::Object(body).to_string().into_bytes());
        *r.status_mut() = response.status();
        *r.headers_mut() = headers;
        envelope::decode_error("Fuzz", &r)
    };
    let namespaced = format!(
        "com.amazonaws.cognito.identity.idp.model#{name}:http://internal.amazon.com/coral/"
    );
    assert_eq!(with_type(namespaced, false).service_kind(), Some(kind));
    // A header value is read as text only when it is visible ASCII (`HeaderValue::to_str`).
    if name.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        assert_eq!(
            with_type(format!("{name}:"), true).service_kind(),
            Some(kind)
        );
    }
}

fn assert_no_token_leak(err: &Error, body: &[u8]) {
    let shown = format!("{err} {err:?}");
    // The request id header is shown as given; a token copied into it is not a leak of the body.
    let request_id = err.request_id().unwrap_or("");
    for token in token_like_values(body) {
        if request_id.contains(token.as_str()) {
            continue;
        }
        assert!(
            !shown.contains(&token),
            "error output repeats a token from the body"
        );
    }
}
