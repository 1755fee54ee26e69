//! The request envelope (docs/protocol.md#11-request-format) and success decoding (docs/protocol.md#13-successful-responses).

use std::collections::BTreeMap;

use cognito_proto::envelope::{Endpoint, Operation, Service, decode, encode, try_encode};
use cognito_proto::error::{CoreError as Error, ResponseProblem};
use cognito_proto::ops::{self, AuthFlow};
use cognito_proto::secret::SecretString;
use http::{Method, Response};

fn secret(s: &str) -> SecretString {
    SecretString::new(s.to_owned())
}

fn response(status: u16, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("x-amzn-RequestId", "b69e68b4-3e60-491d-aea4-c54a9a911add")
        .body(body.as_bytes().to_vec())
        .expect("valid test response")
}

#[test]
fn endpoint_for_user_pool_uses_region_prefix() {
    let e = Endpoint::for_user_pool("eu-west-1_AbC").expect("valid pool id");
    assert_eq!(
        e.user_pool_url().to_string(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        e.identity_url().to_string(),
        "https://cognito-identity.eu-west-1.amazonaws.com/"
    );
}

#[test]
fn endpoint_for_region() {
    let e = Endpoint::for_region("us-east-1").expect("valid region");
    assert_eq!(
        e.url(Service::UserPool).to_string(),
        "https://cognito-idp.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        e.url(Service::Identity).to_string(),
        "https://cognito-identity.us-east-1.amazonaws.com/"
    );
}

#[test]
fn endpoint_rejects_bad_pool_ids_and_regions() {
    for bad in [
        "",
        "nounderscore",
        "_AbC",
        "eu-west-1_",
        "EU WEST_AbC",
        "eu/west_x",
        "a.b_c",
    ] {
        assert!(
            matches!(
                Endpoint::for_user_pool(bad),
                Err(Error::InvalidInput { .. })
            ),
            "{bad:?} accepted"
        );
    }
    for bad in ["", "-eu", "eu-", "eu_west", "eu west", "evil.com/x"] {
        assert!(
            matches!(Endpoint::for_region(bad), Err(Error::InvalidInput { .. })),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn endpoint_from_url_accepts_local_emulator() {
    let e = Endpoint::from_url("http://127.0.0.1:9229").expect("valid url");
    assert_eq!(e.user_pool_url().to_string(), "http://127.0.0.1:9229/");
    assert_eq!(e.identity_url().to_string(), "http://127.0.0.1:9229/");

    let e = Endpoint::from_url("https://proxy.example/cognito/").expect("valid url");
    assert_eq!(e.user_pool_url().path(), "/cognito/");

    let e = Endpoint::from_url("http://localhost:9229/")
        .and_then(|e| e.with_identity_url("http://localhost:9230"))
        .expect("valid urls");
    assert_eq!(e.user_pool_url().to_string(), "http://localhost:9229/");
    assert_eq!(e.identity_url().to_string(), "http://localhost:9230/");
}

#[test]
fn endpoint_from_url_rejects_non_http() {
    for bad in [
        "",
        "localhost:9229",
        "ftp://x/",
        "/relative",
        "http://",
        "http://h/?q=1",
        "not a url",
    ] {
        assert!(
            matches!(Endpoint::from_url(bad), Err(Error::InvalidInput { .. })),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn encode_sets_method_url_headers_and_body() {
    let endpoint = Endpoint::for_user_pool("eu-west-1_AbC123xyz").expect("valid pool id");
    let mut params = BTreeMap::new();
    params.insert("USERNAME".to_owned(), "alice".to_owned());
    params.insert("SRP_A".to_owned(), "7f3c".to_owned());
    let op = ops::InitiateAuth::new(AuthFlow::UserSrpAuth, "4l2k0example0client0id00ab", params);
    let prepared = encode(&endpoint, &op);
    assert_eq!(prepared.operation, "InitiateAuth");
    assert!(!prepared.idempotent);
    let req = &prepared.request;
    assert_eq!(req.method(), Method::POST);
    assert_eq!(
        req.uri().to_string(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );
    assert_eq!(req.headers()["content-type"], "application/x-amz-json-1.1");
    assert_eq!(
        req.headers()["x-amz-target"],
        "AWSCognitoIdentityProviderService.InitiateAuth"
    );
    let body: serde_json::Value = serde_json::from_slice(req.body()).expect("json body");
    assert_eq!(
        body,
        serde_json::json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": "4l2k0example0client0id00ab",
            "AuthParameters": {"USERNAME": "alice", "SRP_A": "7f3c"}
        })
    );
}

#[test]
fn encode_identity_operation_uses_identity_url_and_prefix() {
    let endpoint = Endpoint::for_user_pool("eu-west-1_AbC").expect("valid pool id");
    let op = ops::GetId {
        identity_pool_id: "eu-west-1:0a1b2c3d-0000-1111-2222-333344445555".to_owned(),
        account_id: None,
        logins: BTreeMap::new(),
    };
    let prepared = encode(&endpoint, &op);
    assert!(prepared.idempotent);
    assert_eq!(
        prepared.request.uri().to_string(),
        "https://cognito-identity.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        prepared.request.headers()["x-amz-target"],
        "AWSCognitoIdentityService.GetId"
    );
    assert_eq!(
        prepared.request.body().as_slice(),
        br#"{"IdentityPoolId":"eu-west-1:0a1b2c3d-0000-1111-2222-333344445555"}"#
    );
}

#[test]
fn encode_empty_input_is_an_empty_object() {
    let endpoint = Endpoint::from_url("http://127.0.0.1:9229").expect("valid url");
    let op = ops::AssociateSoftwareToken::default();
    let prepared = encode(&endpoint, &op);
    assert_eq!(prepared.request.body().as_slice(), b"{}");
    assert_eq!(prepared.request.uri().to_string(), "http://127.0.0.1:9229/");
}

#[test]
fn operation_names_and_idempotency() {
    fn meta<O: Operation>() -> (&'static str, Service, bool) {
        (O::NAME, O::SERVICE, O::IDEMPOTENT)
    }
    use Service::*;
    let table = [
        (meta::<ops::SignUp>(), ("SignUp", UserPool, false)),
        (
            meta::<ops::ConfirmSignUp>(),
            ("ConfirmSignUp", UserPool, false),
        ),
        (
            meta::<ops::ResendConfirmationCode>(),
            ("ResendConfirmationCode", UserPool, false),
        ),
        (
            meta::<ops::InitiateAuth>(),
            ("InitiateAuth", UserPool, false),
        ),
        (
            meta::<ops::RespondToAuthChallenge>(),
            ("RespondToAuthChallenge", UserPool, false),
        ),
        (
            meta::<ops::GetTokensFromRefreshToken>(),
            ("GetTokensFromRefreshToken", UserPool, false),
        ),
        (meta::<ops::RevokeToken>(), ("RevokeToken", UserPool, true)),
        (
            meta::<ops::GlobalSignOut>(),
            ("GlobalSignOut", UserPool, false),
        ),
        (
            meta::<ops::ForgotPassword>(),
            ("ForgotPassword", UserPool, false),
        ),
        (
            meta::<ops::ConfirmForgotPassword>(),
            ("ConfirmForgotPassword", UserPool, false),
        ),
        (
            meta::<ops::ChangePassword>(),
            ("ChangePassword", UserPool, false),
        ),
        (meta::<ops::GetUser>(), ("GetUser", UserPool, true)),
        (
            meta::<ops::UpdateUserAttributes>(),
            ("UpdateUserAttributes", UserPool, false),
        ),
        (
            meta::<ops::DeleteUserAttributes>(),
            ("DeleteUserAttributes", UserPool, true),
        ),
        (
            meta::<ops::GetUserAttributeVerificationCode>(),
            ("GetUserAttributeVerificationCode", UserPool, false),
        ),
        (
            meta::<ops::VerifyUserAttribute>(),
            ("VerifyUserAttribute", UserPool, false),
        ),
        (meta::<ops::DeleteUser>(), ("DeleteUser", UserPool, false)),
        (
            meta::<ops::GetUserAuthFactors>(),
            ("GetUserAuthFactors", UserPool, true),
        ),
        (
            meta::<ops::SetUserMfaPreference>(),
            ("SetUserMFAPreference", UserPool, true),
        ),
        (
            meta::<ops::SetUserSettings>(),
            ("SetUserSettings", UserPool, true),
        ),
        (
            meta::<ops::AssociateSoftwareToken>(),
            ("AssociateSoftwareToken", UserPool, false),
        ),
        (
            meta::<ops::VerifySoftwareToken>(),
            ("VerifySoftwareToken", UserPool, false),
        ),
        (
            meta::<ops::ConfirmDevice>(),
            ("ConfirmDevice", UserPool, false),
        ),
        (meta::<ops::ListDevices>(), ("ListDevices", UserPool, true)),
        (meta::<ops::GetDevice>(), ("GetDevice", UserPool, true)),
        (
            meta::<ops::UpdateDeviceStatus>(),
            ("UpdateDeviceStatus", UserPool, true),
        ),
        (
            meta::<ops::ForgetDevice>(),
            ("ForgetDevice", UserPool, false),
        ),
        (
            meta::<ops::StartWebAuthnRegistration>(),
            ("StartWebAuthnRegistration", UserPool, false),
        ),
        (
            meta::<ops::CompleteWebAuthnRegistration>(),
            ("CompleteWebAuthnRegistration", UserPool, false),
        ),
        (
            meta::<ops::ListWebAuthnCredentials>(),
            ("ListWebAuthnCredentials", UserPool, true),
        ),
        (
            meta::<ops::DeleteWebAuthnCredential>(),
            ("DeleteWebAuthnCredential", UserPool, false),
        ),
        (meta::<ops::GetId>(), ("GetId", Identity, true)),
        (
            meta::<ops::GetCredentialsForIdentity>(),
            ("GetCredentialsForIdentity", Identity, true),
        ),
        (
            meta::<ops::GetOpenIdToken>(),
            ("GetOpenIdToken", Identity, true),
        ),
    ];
    for (got, want) in table {
        assert_eq!(got, want);
    }
}

#[test]
fn decode_success_body() {
    let resp = response(
        200,
        r#"{"Username":"alice","UserAttributes":[{"Name":"sub","Value":"u-1"},{"Name":"email_verified","Value":"true"}]}"#,
    );
    let out = decode::<ops::GetUser>(&resp).expect("decodes");
    assert_eq!(out.username, "alice");
    assert_eq!(out.attribute("sub"), Some("u-1"));
    assert_eq!(out.attribute("email_verified"), Some("true"));
    assert!(out.user_mfa_setting_list.is_empty());
}

#[test]
fn decode_empty_object_and_empty_body_for_empty_outputs() {
    decode::<ops::GlobalSignOut>(&response(200, "{}")).expect("{} decodes");
    decode::<ops::RevokeToken>(&response(200, "")).expect("empty body decodes as {}");
    decode::<ops::RevokeToken>(&response(200, r#"{"Unexpected":1}"#))
        .expect("unknown members ignored");
}

#[test]
fn decode_200_that_does_not_match_output_is_protocol_error() {
    // Missing required member.
    let err =
        decode::<ops::GetUser>(&response(200, r#"{"UserAttributes":[]}"#)).expect_err("must fail");
    match &err {
        Error::InvalidResponse {
            operation,
            status,
            request_id,
            problem: ResponseProblem::MalformedBody { detail: reason },
            body,
        } => {
            assert_eq!(*operation, "GetUser");
            assert_eq!(*status, 200);
            assert_eq!(
                request_id.as_deref(),
                Some("b69e68b4-3e60-491d-aea4-c54a9a911add")
            );
            assert!(reason.contains("Username"), "{reason}");
            assert_eq!(body.as_bytes(), br#"{"UserAttributes":[]}"#);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.is_retryable());

    // Not JSON at all.
    let err = decode::<ops::GetUser>(&response(200, "<html>ok</html>")).expect_err("must fail");
    assert!(matches!(err, Error::InvalidResponse { status: 200, .. }));

    // Wrong type: the reason must not quote the value (it may be a token).
    let err = decode::<ops::InitiateAuth>(&response(
        200,
        r#"{"AuthenticationResult":{"AccessToken":"eyJsecret","IdToken":"eyJid","ExpiresIn":"soon"}}"#,
    ))
    .expect_err("must fail");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("eyJsecret") && !text.contains("soon"),
        "{text}"
    );
    assert!(matches!(err, Error::InvalidResponse { .. }));
}

#[test]
fn decode_tolerates_null_members() {
    let resp = response(
        200,
        r#"{"ChallengeName":null,"Session":null,"ChallengeParameters":null,"AuthenticationResult":null,"AvailableChallenges":null}"#,
    );
    let out = decode::<ops::InitiateAuth>(&resp).expect("nulls tolerated");
    assert!(out.challenge_name.is_none());
    assert!(out.session.is_none());
    assert!(out.challenge_parameters.is_empty());
    assert!(out.authentication_result.is_none());
    assert!(out.available_challenges.is_empty());
}

#[test]
fn prepared_request_debug_does_not_show_secrets() {
    let endpoint = Endpoint::from_url("http://127.0.0.1:9229").expect("valid url");
    let mut params = BTreeMap::new();
    params.insert("USERNAME".to_owned(), "alice".to_owned());
    params.insert("PASSWORD".to_owned(), "hunter2-password".to_owned());
    let mut op = ops::InitiateAuth::new(AuthFlow::UserPasswordAuth, "client", params);
    op.session = Some(secret("session-secret-value"));
    let text = format!("{op:?}");
    assert!(!text.contains("hunter2-password"), "{text}");
    assert!(!text.contains("session-secret-value"), "{text}");
    assert!(text.contains("PASSWORD"), "{text}");
    let prepared = encode(&endpoint, &op);
    let text = format!("{prepared:?}");
    assert!(
        text.contains("InitiateAuth") && text.contains("body_len"),
        "{text}"
    );
    // Neither as text nor as a byte list ("hun" = 104, 117, 110).
    assert!(
        !text.contains("hunter2") && !text.contains("104, 117, 110"),
        "{text}"
    );
}

/// The server-side helpers (`server` feature) against the client-side decoding.
#[cfg(feature = "server")]
mod server {
    use super::*;
    use cognito_proto::envelope::{error_response, parse_target, success_response};
    use cognito_proto::error::ServiceErrorKind;

    #[test]
    fn parse_target_splits_service_and_name() {
        assert_eq!(
            parse_target("AWSCognitoIdentityProviderService.InitiateAuth"),
            Some((Service::UserPool, "InitiateAuth"))
        );
        assert_eq!(
            parse_target("AWSCognitoIdentityService.GetId"),
            Some((Service::Identity, "GetId"))
        );
        assert_eq!(parse_target("AWSCognitoIdentityProviderService."), None);
        assert_eq!(parse_target("Other.InitiateAuth"), None);
        assert_eq!(parse_target("InitiateAuth"), None);
        // What encode writes, parse_target reads.
        let endpoint = Endpoint::from_url("http://127.0.0.1:9229").expect("valid url");
        let prepared = encode(
            &endpoint,
            &ops::GetUser {
                access_token: secret("at"),
            },
        );
        let target = prepared.request.headers()["x-amz-target"]
            .to_str()
            .expect("ascii");
        assert_eq!(parse_target(target), Some((Service::UserPool, "GetUser")));
    }

    #[test]
    fn server_side_responses_decode_on_the_client_side() {
        let out = ops::GetIdResponse {
            identity_id: "eu-west-1:abc".to_owned(),
        };
        let resp = success_response(&out, "req-1");
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["x-amzn-requestid"], "req-1");
        assert_eq!(
            decode::<ops::GetId>(&resp).expect("decodes").identity_id,
            "eu-west-1:abc"
        );

        let resp = error_response(
            &ServiceErrorKind::NotAuthorized,
            "Incorrect username or password.",
            "req-2",
        );
        assert_eq!(resp.status(), 400);
        assert_eq!(
            resp.headers()["x-amzn-errortype"],
            "NotAuthorizedException:"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(resp.body()).expect("json"),
            serde_json::json!({"__type":"NotAuthorizedException","message":"Incorrect username or password."})
        );
        match decode::<ops::InitiateAuth>(&resp) {
            Err(Error::Service(e)) => {
                assert_eq!(e.kind, ServiceErrorKind::NotAuthorized);
                assert_eq!(e.message(), "Incorrect username or password.");
                assert_eq!(e.request_id.as_deref(), Some("req-2"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let resp = error_response(&ServiceErrorKind::InternalError, "boom", "req-3");
        assert_eq!(resp.status(), 500);
        assert!(
            decode::<ops::GetUser>(&resp)
                .expect_err("error")
                .is_retryable()
        );
    }
}

#[test]
fn decode_accepts_other_body_containers() {
    let resp = Response::builder()
        .status(200)
        .body(&b"{\"IdentityId\":\"eu-west-1:x\"}"[..])
        .expect("response");
    assert_eq!(
        decode::<ops::GetId>(&resp).expect("decodes").identity_id,
        "eu-west-1:x"
    );
}

/// An operation defined outside the crate whose body cannot be serialized.
struct Broken;

impl serde::Serialize for Broken {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("cannot serialize"))
    }
}

impl Operation for Broken {
    const NAME: &'static str = "Broken";
    const SERVICE: Service = Service::UserPool;
    const IDEMPOTENT: bool = false;
    type Output = ops::GetIdResponse;
}

/// An operation whose name cannot be a header value.
#[derive(serde::Serialize)]
struct BadName {}

impl Operation for BadName {
    const NAME: &'static str = "Bad\nName";
    const SERVICE: Service = Service::UserPool;
    const IDEMPOTENT: bool = false;
    type Output = ops::GetIdResponse;
}

#[test]
fn custom_operations_that_cannot_be_encoded_are_misuse_not_panics() {
    let endpoint = Endpoint::from_url("http://127.0.0.1:9229").expect("valid url");
    assert!(matches!(
        try_encode(&endpoint, &Broken),
        Err(Error::Misuse(_))
    ));
    // The infallible form sends an empty body, which any server rejects.
    assert!(encode(&endpoint, &Broken).request.body().is_empty());
    assert!(matches!(
        try_encode(&endpoint, &BadName {}),
        Err(Error::Misuse(_))
    ));
    let prepared = try_encode(
        &endpoint,
        &ops::GetUser {
            access_token: secret("at"),
        },
    )
    .expect("built-in operations encode");
    assert_eq!(
        prepared.request.body().as_slice(),
        br#"{"AccessToken":"at"}"#
    );
}
