//! Error decoding (docs/protocol.md#14-error-responses) and retry classification (docs/protocol.md#16-retries).

use cognito_proto::envelope::decode;
use cognito_proto::error::{
    CoreError as Error, ResponseProblem, ServiceError, ServiceErrorKind, sanitize_error_code,
};
use cognito_proto::ops;
use http::Response;

const REQUEST_ID: &str = "b69e68b4-3e60-491d-aea4-c54a9a911add";

fn resp(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(status)
        .header("x-amzn-RequestId", REQUEST_ID);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.to_vec()).expect("valid test response")
}

fn service_error(r: &Response<Vec<u8>>) -> ServiceError {
    match decode::<ops::InitiateAuth>(r) {
        Err(Error::Service(e)) => e,
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn protocol_error(r: &Response<Vec<u8>>) -> (u16, String, Vec<u8>) {
    match decode::<ops::GetUser>(r) {
        Err(Error::InvalidResponse {
            status,
            problem: ResponseProblem::UntypedError { detail: reason },
            body,
            operation,
            request_id,
        }) => {
            assert_eq!(operation, "GetUser");
            assert_eq!(request_id.as_deref(), Some(REQUEST_ID));
            (status, reason, body.as_bytes().to_vec())
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn doc_example_with_header_and_body() {
    let r = resp(
        400,
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", "NotAuthorizedException:"),
            ("x-amzn-ErrorMessage", "Incorrect username or password."),
        ],
        br#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#,
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::NotAuthorized);
    assert_eq!(e.message(), "Incorrect username or password.");
    assert_eq!(e.request_id.as_deref(), Some(REQUEST_ID));
    assert_eq!(e.status, 400);
    assert!(!e.is_retryable());
    assert_eq!(
        e.to_string(),
        "NotAuthorizedException: Incorrect username or password."
    );
}

#[test]
fn bare_type_in_body() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"UserNotFoundException","message":"User does not exist."}"#,
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::UserNotFound);
    assert_eq!(e.message(), "User does not exist.");
}

#[test]
fn namespace_prefix_in_body() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"com.amazonaws.cognito.identity.idp.model#CodeMismatchException","message":"Invalid code"}"#,
    );
    assert_eq!(service_error(&r).kind, ServiceErrorKind::CodeMismatch);
}

#[test]
fn colon_suffix_in_body() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"ExpiredCodeException:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"x"}"#,
    );
    assert_eq!(service_error(&r).kind, ServiceErrorKind::ExpiredCode);
}

#[test]
fn prefix_and_suffix_together() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"aws.protocoltests#TooManyRequestsException:http://x/y","message":"Rate exceeded"}"#,
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::TooManyRequests);
    assert!(e.is_retryable());
}

#[test]
fn header_only_with_non_json_body() {
    let r = resp(
        400,
        &[
            ("x-amzn-ErrorType", "LimitExceededException:"),
            (
                "x-amzn-ErrorMessage",
                "Attempt limit exceeded, please try after some time.",
            ),
        ],
        b"",
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::LimitExceeded);
    assert_eq!(
        e.message(),
        "Attempt limit exceeded, please try after some time."
    );
    assert!(!e.is_retryable(), "LimitExceeded is not auto-retryable");
}

#[test]
fn header_wins_over_body() {
    let r = resp(
        400,
        &[("x-amzn-ErrorType", "UserNotConfirmedException:http://x")],
        br#"{"code":"NotAuthorizedException","__type":"UserNotFoundException","message":"m"}"#,
    );
    assert_eq!(service_error(&r).kind, ServiceErrorKind::UserNotConfirmed);
}

#[test]
fn code_wins_over_type() {
    let r = resp(
        400,
        &[],
        br#"{"code":"PasswordResetRequiredException","__type":"UserNotFoundException","message":"m"}"#,
    );
    assert_eq!(
        service_error(&r).kind,
        ServiceErrorKind::PasswordResetRequired
    );
}

#[test]
fn capitalised_message_and_reason_code() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"InvalidParameterException","Message":"1 validation error detected","reasonCode":"INVALID_PARAMETER"}"#,
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::InvalidParameter);
    assert_eq!(e.message(), "1 validation error detected");
    assert_eq!(e.reason_code.as_deref(), Some("INVALID_PARAMETER"));
}

#[test]
fn lowercase_message_preferred_over_capitalised() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"InvalidParameterException","message":"lower","Message":"upper"}"#,
    );
    assert_eq!(service_error(&r).message(), "lower");
}

#[test]
fn unknown_error_type_is_a_value() {
    let r = resp(
        400,
        &[],
        br#"{"__type":"com.example#BrandNewException","message":"new"}"#,
    );
    let e = service_error(&r);
    assert_eq!(
        e.kind,
        ServiceErrorKind::Unknown("BrandNewException".to_owned())
    );
    assert_eq!(e.kind.as_str(), "BrandNewException");
    assert!(!e.is_retryable());
}

#[test]
fn internal_error_is_retryable() {
    let r = resp(
        500,
        &[],
        br#"{"__type":"InternalErrorException","message":"Internal error"}"#,
    );
    let e = service_error(&r);
    assert_eq!(e.kind, ServiceErrorKind::InternalError);
    assert!(e.is_retryable());
    assert!(Error::Service(e).is_retryable());
}

#[test]
fn gateway_502_html_is_protocol_error_keeping_body_and_status() {
    let html = b"<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>";
    let r = resp(502, &[("Content-Type", "text/html")], html);
    let (status, reason, body) = protocol_error(&r);
    assert_eq!(status, 502);
    assert_eq!(body, html.to_vec());
    assert!(reason.contains("not JSON"), "{reason}");
    let err = decode::<ops::GetUser>(&r).expect_err("error");
    assert!(err.is_retryable(), "502 is retryable");
}

#[test]
fn empty_body_without_type_is_protocol_error() {
    for status in [400u16, 503, 504] {
        let r = resp(status, &[], b"");
        let (s, reason, body) = protocol_error(&r);
        assert_eq!(s, status);
        assert!(body.is_empty());
        assert!(reason.contains("empty"), "{reason}");
    }
    assert!(
        !decode::<ops::GetUser>(&resp(400, &[], b""))
            .expect_err("e")
            .is_retryable()
    );
    assert!(
        decode::<ops::GetUser>(&resp(503, &[], b""))
            .expect_err("e")
            .is_retryable()
    );
}

#[test]
fn truncated_json_is_protocol_error() {
    let body = br#"{"__type":"NotAuthorizedExce"#;
    let r = resp(400, &[], body);
    let (status, reason, kept) = protocol_error(&r);
    assert_eq!(status, 400);
    assert_eq!(kept, body.to_vec());
    assert!(reason.contains("truncated"), "{reason}");
}

#[test]
fn json_without_any_type_is_protocol_error() {
    let r = resp(400, &[], br#"{"message":"something"}"#);
    let (_, reason, _) = protocol_error(&r);
    assert!(reason.contains("without an error type"), "{reason}");
    let r = resp(400, &[], b"[1,2,3]");
    let (_, reason, _) = protocol_error(&r);
    assert!(reason.contains("not a JSON object"), "{reason}");
}

#[test]
fn status_429_is_retryable_even_for_unknown_kinds() {
    let r = resp(429, &[], br#"{"__type":"SlowDown","message":"x"}"#);
    let e = service_error(&r);
    assert!(e.is_retryable());
    let r = resp(429, &[], b"Too Many Requests");
    assert!(decode::<ops::GetUser>(&r).expect_err("e").is_retryable());
}

#[test]
fn non_retryable_kinds() {
    for kind in [
        ServiceErrorKind::NotAuthorized,
        ServiceErrorKind::CodeMismatch,
        ServiceErrorKind::LimitExceeded,
        ServiceErrorKind::UserNotFound,
    ] {
        assert!(
            !ServiceError::new(kind.clone(), "m").is_retryable(),
            "{kind}"
        );
    }
    // LimitExceeded stays non-retryable even with a retryable status.
    let mut e = ServiceError::new(ServiceErrorKind::LimitExceeded, "m");
    e.status = 503;
    assert!(!e.is_retryable());
    for kind in [
        ServiceErrorKind::TooManyRequests,
        ServiceErrorKind::InternalError,
    ] {
        assert!(
            ServiceError::new(kind.clone(), "m").is_retryable(),
            "{kind}"
        );
    }
    assert!(!Error::misuse("x").is_retryable());
    assert!(!Error::missing_member("InitiateAuth", "AuthenticationResult").is_retryable());
}

#[test]
fn sanitize_rules() {
    assert_eq!(
        sanitize_error_code("NotAuthorizedException:"),
        "NotAuthorizedException"
    );
    assert_eq!(
        sanitize_error_code("NotAuthorizedException:http://internal.amazon.com/x"),
        "NotAuthorizedException"
    );
    assert_eq!(
        sanitize_error_code("com.amazonaws.cognito.identity.idp.model#NotAuthorizedException"),
        "NotAuthorizedException"
    );
    assert_eq!(
        sanitize_error_code("a#b#NotAuthorizedException"),
        "b#NotAuthorizedException"
    );
    assert_eq!(
        sanitize_error_code("FooException,BarException"),
        "FooException"
    );
    assert_eq!(sanitize_error_code(""), "");
}

#[test]
fn every_known_kind_round_trips_through_its_name() {
    let kinds = [
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
        "UsernameExistsException",
        "AliasExistsException",
        "CodeMismatchException",
        "ExpiredCodeException",
        "InvalidPasswordException",
        "PasswordHistoryPolicyViolationException",
        "InvalidParameterException",
        "ResourceNotFoundException",
        "LimitExceededException",
        "TooManyRequestsException",
        "TooManyFailedAttemptsException",
        "InternalErrorException",
        "InvalidUserPoolConfigurationException",
        "MFAMethodNotFoundException",
        "SoftwareTokenMFANotFoundException",
        "EnableSoftwareTokenMFAException",
        "UserLambdaValidationException",
        "UnexpectedLambdaException",
        "InvalidLambdaResponseException",
        "CodeDeliveryFailureException",
        "InvalidSmsRoleAccessPolicyException",
        "InvalidSmsRoleTrustRelationshipException",
        "InvalidEmailRoleAccessPolicyException",
        "ForbiddenException",
        "OperationNotEnabledException",
        "FeatureUnavailableInTierException",
        "UnsupportedOperationException",
        "UnsupportedTokenTypeException",
        "UnauthorizedException",
        "RefreshTokenReuseException",
        "ConcurrentModificationException",
        "DeviceKeyExistsException",
        "WebAuthnNotEnabledException",
        "WebAuthnConfigurationMissingException",
        "WebAuthnChallengeNotFoundException",
        "WebAuthnRelyingPartyMismatchException",
        "WebAuthnClientMismatchException",
        "WebAuthnOriginNotAllowedException",
        "WebAuthnCredentialNotSupportedException",
        "ResourceConflictException",
        "ExternalServiceException",
        "InvalidIdentityPoolConfigurationException",
        "SerializationException",
        "UnknownOperationException",
    ];
    for name in kinds {
        let kind = ServiceErrorKind::from_code(name);
        assert!(
            !matches!(kind, ServiceErrorKind::Unknown(_)),
            "{name} not known"
        );
        assert_eq!(kind.as_str(), name);
    }
}

#[test]
fn identity_pool_error() {
    let r = resp(
        400,
        &[("x-amzn-ErrorType", "NotAuthorizedException:")],
        br#"{"__type":"NotAuthorizedException","message":"Invalid login token. Token expired: 1667365798 >= 1667235770"}"#,
    );
    match decode::<ops::GetCredentialsForIdentity>(&r) {
        Err(Error::Service(e)) => {
            assert_eq!(e.kind, ServiceErrorKind::NotAuthorized);
            assert!(e.message().starts_with("Invalid login token"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn invalid_utf8_and_binary_bodies_never_panic() {
    let bodies: [&[u8]; 5] = [
        b"\xff\xfe\x00garbage",
        b"{\"__type\":\"\xff\"}",
        b"{\"__type\":42,\"message\":[1]}",
        b"null",
        b"\"NotAuthorizedException\"",
    ];
    for body in bodies {
        let r = resp(400, &[], body);
        let err = decode::<ops::GetUser>(&r).expect_err("error status");
        assert!(
            matches!(err, Error::InvalidResponse { status: 400, .. }),
            "{err:?}"
        );
    }
}

#[test]
fn pitfall_22_never_retry_not_authorized_or_wrong_codes() {
    // Whatever the status, a credentials or code problem is never retryable.
    for (kind, status) in [
        ("NotAuthorizedException", 400u16),
        ("CodeMismatchException", 400),
        ("ExpiredCodeException", 400),
        ("UserNotFoundException", 400),
        ("PasswordResetRequiredException", 400),
        ("LimitExceededException", 400),
    ] {
        let body = format!(r#"{{"__type":"{kind}","message":"m"}}"#);
        let r = resp(
            status,
            &[("x-amzn-ErrorType", &format!("{kind}:"))],
            body.as_bytes(),
        );
        let err = decode::<ops::InitiateAuth>(&r).expect_err("error");
        assert!(!err.is_retryable(), "{kind} must not be retried");
    }
    // Throttling and server faults are.
    for (kind, status) in [
        ("TooManyRequestsException", 400u16),
        ("InternalErrorException", 500),
    ] {
        let body = format!(r#"{{"__type":"{kind}","message":"m"}}"#);
        let r = resp(status, &[], body.as_bytes());
        assert!(
            decode::<ops::InitiateAuth>(&r)
                .expect_err("error")
                .is_retryable(),
            "{kind}"
        );
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn decode_any_status_headers_and_body(
            status in 100u16..600,
            error_type in proptest::option::of("[ -~]{0,40}"),
            body in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let mut b = Response::builder().status(status);
            if let Some(t) = &error_type {
                b = b.header("x-amzn-ErrorType", t.as_str());
            }
            let Ok(r) = b.body(body) else { return Ok(()); };
            let result = decode::<ops::InitiateAuth>(&r);
            if !(200..300).contains(&status) {
                prop_assert!(result.is_err());
            }
        }

        #[test]
        fn decode_json_shaped_error_bodies(
            type_field in prop_oneof![Just("__type"), Just("code"), Just("Message"), Just("x")],
            value in "[ -~]{0,60}",
        ) {
            let body = serde_json::json!({ type_field: value, "message": "m" });
            let r = resp(400, &[], &serde_json::to_vec(&body).expect("json"));
            match decode::<ops::GetUser>(&r) {
                Err(Error::Service(e)) => {
                    prop_assert!(!e.kind.as_str().contains(':'));
                    prop_assert!(!e.kind.as_str().is_empty());
                }
                Err(Error::InvalidResponse { status, .. }) => prop_assert_eq!(status, 400),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}

#[test]
fn srp_errors_convert_and_are_not_retryable() {
    use cognito_proto::srp::SrpError;
    let err: Error = SrpError::ServerKeyZero.into();
    assert!(matches!(err, Error::Srp(SrpError::ServerKeyZero)));
    assert!(!err.is_retryable());
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("SRP"));
}

#[test]
fn pitfall_22_named_errors_are_not_retryable_whatever_the_status() {
    // Found by the `refresh` fuzz target: NotAuthorized carried by an HTTP 500 was both
    // "retryable" and "session dead".
    let decode = |status: u16, body: &str| {
        let response = http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap();
        cognito_proto::envelope::decode_error("GetUser", &response)
    };
    for (kind, status) in [
        ("NotAuthorizedException", 500),
        ("CodeMismatchException", 503),
        ("LimitExceededException", 429),
    ] {
        let err = decode(status, &format!(r#"{{"__type":"{kind}","message":"m"}}"#));
        assert!(!err.is_retryable(), "{kind} with HTTP {status}");
    }
    let unknown = decode(503, r#"{"__type":"SomethingNewException"}"#);
    assert!(
        unknown.is_retryable(),
        "an unknown type behind a 503 is judged by the status"
    );
    assert!(decode(400, r#"{"__type":"TooManyRequestsException"}"#).is_retryable());
}
