//! Refresh and sign-out requests and responses (known client bug docs/protocol.md#pitfall-17, docs/protocol.md#pitfall-20, docs/protocol.md#pitfall-21, docs/protocol.md#pitfall-23, docs/protocol.md#pitfall-24), with responses
//! shaped as Cognito sends them (docs/protocol.md#13-successful-responses, docs/protocol.md#14-error-responses, docs/protocol.md#54-authenticationresult).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_proto::config::{ClientConfig, RememberedDevice};
use cognito_proto::envelope::{Endpoint, PreparedRequest};
use cognito_proto::error::{CoreError as Error, ResponseProblem, ServiceErrorKind};
use cognito_proto::secret::SecretString;
use cognito_proto::session::{
    Refresh, RefreshErrorAction, RefreshMethod, SessionRecord, TokenSet, global_sign_out,
    handle_global_sign_out_response, handle_revoke_response, sign_out,
};
use cognito_proto::srp;
use serde_json::{Value, json};

const POOL: &str = "eu-west-1_AbCdEfGhI";
const CLIENT: &str = "4l2k0example0client0id00ab";
const SECRET: &str = "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t";
const USER_ID: &str = "7d3f-uuid-internal";

fn jwt(payload: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"k1","alg":"RS256"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{body}.c2ln")
}

struct Opts {
    device_claim: Option<&'static str>,
    origin_jti: bool,
    sub: &'static str,
    username: &'static str,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            device_claim: None,
            origin_jti: true,
            sub: "sub-1",
            username: USER_ID,
        }
    }
}

fn token_pair(iat: i64, o: &Opts) -> (String, String) {
    let mut id = json!({"token_use": "id", "sub": o.sub, "cognito:username": o.username,
        "email": "alice@example.com", "iat": iat, "exp": iat + 3600, "aud": CLIENT});
    let mut access = json!({"token_use": "access", "sub": o.sub, "username": o.username,
        "iat": iat, "exp": iat + 3600, "client_id": CLIENT});
    if o.origin_jti {
        id["origin_jti"] = json!("ojti-1");
        access["origin_jti"] = json!("ojti-1");
    }
    if let Some(d) = o.device_claim {
        access["device_key"] = json!(d);
    }
    (jwt(&id), jwt(&access))
}

fn tokens(o: &Opts) -> TokenSet {
    let (id, access) = token_pair(1000, o);
    TokenSet::new(id, access, Some(SecretString::from("refresh-old")), 1000).unwrap()
}

fn endpoint() -> Endpoint {
    Endpoint::for_user_pool(POOL).unwrap()
}

fn public_client() -> ClientConfig {
    ClientConfig::new(POOL, CLIENT).unwrap()
}

fn secret_client() -> ClientConfig {
    public_client().with_secret(SECRET)
}

fn device(key: &str) -> RememberedDevice {
    RememberedDevice {
        device_key: key.to_owned(),
        device_group_key: "-v7w9UcY6".into(),
        device_password: SecretString::from("pw"),
    }
}

fn target(req: &PreparedRequest) -> &str {
    req.request.headers()["x-amz-target"].to_str().unwrap()
}

fn body(req: &PreparedRequest) -> Value {
    serde_json::from_slice(req.request.body()).unwrap()
}

fn ok(body: Value) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "b69e68b4-3e60-491d-aea4-c54a9a911add")
        .body(body.to_string().into_bytes())
        .unwrap()
}

fn service_error(status: u16, kind: &str, message: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-errortype", format!("{kind}:"))
        .body(
            json!({"__type": kind, "message": message})
                .to_string()
                .into_bytes(),
        )
        .unwrap()
}

fn auth_result(iat: i64, refresh: Option<&str>, o: &Opts) -> Value {
    let (id, access) = token_pair(iat, o);
    let mut r = json!({"AccessToken": access, "ExpiresIn": 3600, "TokenType": "Bearer",
        "IdToken": id});
    if let Some(rt) = refresh {
        r["RefreshToken"] = json!(rt);
    }
    r
}

#[test]
fn refresh_token_auth_request_public_client() {
    let t = tokens(&Opts::default());
    let (refresh, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    assert_eq!(refresh.method(), RefreshMethod::RefreshTokenAuth);
    assert_eq!(
        target(&req),
        "AWSCognitoIdentityProviderService.InitiateAuth"
    );
    assert_eq!(
        req.request.uri().to_string(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        body(&req),
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT,
            "AuthParameters": {"REFRESH_TOKEN": "refresh-old"}})
    );
    // No single-use session, no rotation: safe to retry on throttling.
    assert!(req.idempotent);
}

#[test]
fn refresh_token_auth_secret_hash_uses_internal_username() {
    // The user signed in with an email alias; the access token's `username` is the UUID.
    let t = tokens(&Opts::default());
    let (_, req) = Refresh::start(
        &secret_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    let b = body(&req);
    assert_eq!(
        b["AuthParameters"]["SECRET_HASH"],
        json!(srp::secret_hash(USER_ID, CLIENT, SECRET))
    );
    assert_ne!(
        b["AuthParameters"]["SECRET_HASH"],
        json!(srp::secret_hash("alice@example.com", CLIENT, SECRET))
    );
    assert!(b.get("ClientSecret").is_none());
    // Tokens without any username claim cannot carry a SECRET_HASH: typed error.
    let bare = TokenSet::new(
        jwt(&json!({"token_use": "id", "exp": 9})),
        jwt(&json!({"token_use": "access", "exp": 9})),
        Some(SecretString::from("r")),
        1,
    )
    .unwrap();
    assert!(matches!(
        Refresh::start(
            &secret_client(),
            &endpoint(),
            &bare,
            None,
            RefreshMethod::RefreshTokenAuth
        ),
        Err(Error::InvalidInput {
            parameter: "tokens",
            ..
        })
    ));
}

#[test]
fn get_tokens_from_refresh_token_sends_client_secret() {
    let t = tokens(&Opts::default());
    let (_, req) = Refresh::start(
        &secret_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    assert_eq!(
        target(&req),
        "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken"
    );
    assert_eq!(
        body(&req),
        json!({"RefreshToken": "refresh-old", "ClientId": CLIENT, "ClientSecret": SECRET})
    );
    // A rotating refresh must not be sent twice once it reached the server.
    assert!(!req.idempotent);
    let (_, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    assert_eq!(
        body(&req),
        json!({"RefreshToken": "refresh-old", "ClientId": CLIENT})
    );
}

#[test]
fn refresh_without_refresh_token_is_misuse() {
    let (id, access) = token_pair(1000, &Opts::default());
    let t = TokenSet::new(id, access, None, 1000).unwrap();
    assert!(matches!(
        Refresh::start(
            &public_client(),
            &endpoint(),
            &t,
            None,
            RefreshMethod::RefreshTokenAuth
        ),
        Err(Error::Misuse(_))
    ));
}

#[test]
fn pitfall_17_refresh_sends_the_device_the_tokens_were_issued_for() {
    // The access token names its device: that key is sent, even if the store remembers
    // another one.
    let t = tokens(&Opts {
        device_claim: Some("eu-west-1_issued-for"),
        ..Opts::default()
    });
    let stored = device("eu-west-1_stored");
    let (_, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        Some(&stored),
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    assert_eq!(
        body(&req)["AuthParameters"]["DEVICE_KEY"],
        "eu-west-1_issued-for"
    );
    let (_, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        Some(&stored),
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    assert_eq!(body(&req)["DeviceKey"], "eu-west-1_issued-for");
    // No claim: the user's remembered device.
    let t = tokens(&Opts::default());
    let (_, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        Some(&stored),
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    assert_eq!(
        body(&req)["AuthParameters"]["DEVICE_KEY"],
        "eu-west-1_stored"
    );
    // Neither: no DEVICE_KEY at all.
    let (_, req) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    assert!(body(&req).get("DeviceKey").is_none());
}

#[test]
fn pitfall_21_refresh_token_auth_keeps_the_old_refresh_token() {
    let t = tokens(&Opts::default());
    let (refresh, _) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    let resp = ok(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": auth_result(4000, None, &Opts::default())
    }));
    let new = refresh.handle_response(&resp, 4005).unwrap();
    assert_eq!(new.refresh_token().unwrap().expose_secret(), "refresh-old");
    assert_eq!(new.access_token().issued_at(), Some(4000));
    assert_eq!(new.clock_drift(), 5);
    assert_eq!(new.username(), Some(USER_ID));
}

#[test]
fn pitfall_21_rotated_refresh_token_is_stored() {
    let t = tokens(&Opts::default());
    let (refresh, _) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    let resp = ok(json!({
        "AuthenticationResult": auth_result(4000, Some("refresh-new"), &Opts::default())
    }));
    let new = refresh.handle_response(&resp, 3990).unwrap();
    assert_eq!(new.refresh_token().unwrap().expose_secret(), "refresh-new");
    assert_eq!(new.clock_drift(), -10);
    // And without rotation the same call keeps the old one.
    let resp = ok(json!({"AuthenticationResult": auth_result(4000, None, &Opts::default())}));
    let new = refresh.handle_response(&resp, 4000).unwrap();
    assert_eq!(new.refresh_token().unwrap().expose_secret(), "refresh-old");
    // The record stores the rotated token.
    let mut record = SessionRecord::new(CLIENT, USER_ID);
    record.set_tokens(t).unwrap();
    let resp = ok(json!({
        "AuthenticationResult": auth_result(4000, Some("refresh-new"), &Opts::default())
    }));
    record
        .set_tokens(refresh.handle_response(&resp, 4000).unwrap())
        .unwrap();
    let back = SessionRecord::from_json(&record.to_json()).unwrap();
    assert_eq!(
        back.tokens()
            .unwrap()
            .refresh_token()
            .unwrap()
            .expose_secret(),
        "refresh-new"
    );
}

#[test]
fn malformed_refresh_responses_are_typed_errors() {
    let t = tokens(&Opts::default());
    let (refresh, _) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    let mut bad_token = auth_result(4000, None, &Opts::default());
    bad_token["AccessToken"] = json!("not-a-jwt");
    let cases = [
        ok(json!({})),
        ok(json!({"AuthenticationResult": null})),
        ok(
            json!({"ChallengeName": "SMS_MFA", "Session": "AYABeexample0session000",
            "ChallengeParameters": {}}),
        ),
        ok(json!({"AuthenticationResult": {"ExpiresIn": 3600}})),
        ok(json!({"AuthenticationResult": bad_token})),
        http::Response::builder()
            .status(200)
            .body(b"{\"AuthenticationResult\":{".to_vec())
            .unwrap(),
        http::Response::builder()
            .status(502)
            .body(b"<html>Bad Gateway</html>".to_vec())
            .unwrap(),
    ];
    for resp in &cases {
        let err = refresh.handle_response(resp, 4000).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidResponse { .. }
                    | Error::InvalidToken { .. }
                    | Error::UnexpectedChallenge { .. }
            ),
            "{err:?}"
        );
        // Keep the tokens: a broken response says nothing about the session.
        assert_eq!(
            RefreshErrorAction::for_error(&err),
            RefreshErrorAction::KeepTokens
        );
    }
}

#[test]
fn pitfall_23_refresh_refuses_tokens_of_another_user() {
    let t = tokens(&Opts::default());
    let (refresh, _) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::RefreshTokenAuth,
    )
    .unwrap();
    let other = Opts {
        sub: "sub-2",
        username: "someone-else",
        ..Opts::default()
    };
    let resp = ok(json!({"AuthenticationResult": auth_result(4000, None, &other)}));
    assert!(matches!(
        refresh.handle_response(&resp, 4000),
        Err(Error::InvalidResponse {
            problem: ResponseProblem::InvalidMember {
                member: "AuthenticationResult",
                ..
            },
            ..
        })
    ));
}

#[test]
fn pitfall_20_only_dead_session_errors_clear_tokens() {
    let t = tokens(&Opts::default());
    let (refresh, _) = Refresh::start(
        &public_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    let clear = [
        ("NotAuthorizedException", "Refresh Token has been revoked"),
        ("NotAuthorizedException", "Refresh Token has expired"),
        ("NotAuthorizedException", "Invalid Refresh Token"),
        ("NotAuthorizedException", "User is disabled."),
        ("UserNotFoundException", "User does not exist."),
        ("UserNotConfirmedException", "User is not confirmed."),
        (
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
        ("RefreshTokenReuseException", "Refresh token reused"),
    ];
    for (kind, message) in clear {
        let err = refresh
            .handle_response(&service_error(400, kind, message), 4000)
            .unwrap_err();
        assert_eq!(
            RefreshErrorAction::for_error(&err),
            RefreshErrorAction::ClearTokens,
            "{kind}"
        );
        assert!(RefreshErrorAction::for_error(&err).clears_tokens());
    }
    let keep = [
        (400, "TooManyRequestsException", "Rate exceeded"),
        (400, "LimitExceededException", "Attempt limit exceeded"),
        (500, "InternalErrorException", ""),
        (400, "ResourceNotFoundException", "Device does not exist."),
        (400, "InvalidParameterException", "bad"),
        (400, "UnauthorizedException", "wrong client secret"),
        (400, "ForbiddenException", "WAF"),
        (400, "SomethingNewException", "future"),
    ];
    for (status, kind, message) in keep {
        let err = refresh
            .handle_response(&service_error(status, kind, message), 4000)
            .unwrap_err();
        assert_eq!(
            RefreshErrorAction::for_error(&err),
            RefreshErrorAction::KeepTokens,
            "{kind}"
        );
    }
    // Gateway errors and non-service errors keep them too.
    for status in [502, 503, 504] {
        let resp = http::Response::builder()
            .status(status)
            .body(b"<html/>".to_vec())
            .unwrap();
        let err = refresh.handle_response(&resp, 4000).unwrap_err();
        assert_eq!(
            RefreshErrorAction::for_error(&err),
            RefreshErrorAction::KeepTokens
        );
    }
    assert_eq!(
        RefreshErrorAction::for_error(&Error::misuse("x")),
        RefreshErrorAction::KeepTokens
    );
    assert_eq!(
        RefreshErrorAction::for_kind(&ServiceErrorKind::Unknown("X".into())),
        RefreshErrorAction::KeepTokens
    );
}

#[test]
fn pitfall_24_sign_out_revokes_only_revocable_tokens() {
    // Revocable (origin_jti present): RevokeToken with the refresh token.
    let t = tokens(&Opts::default());
    let req = sign_out(&public_client(), &endpoint(), &t).expect("revocable");
    assert_eq!(
        target(&req),
        "AWSCognitoIdentityProviderService.RevokeToken"
    );
    assert_eq!(
        body(&req),
        json!({"Token": "refresh-old", "ClientId": CLIENT})
    );
    // With a client secret, ClientSecret itself (not a SECRET_HASH).
    let req = sign_out(&secret_client(), &endpoint(), &t).unwrap();
    assert_eq!(
        body(&req),
        json!({"Token": "refresh-old", "ClientId": CLIENT, "ClientSecret": SECRET})
    );
    // Not revocable (no origin_jti): nothing to send.
    let t = tokens(&Opts {
        origin_jti: false,
        ..Opts::default()
    });
    assert!(sign_out(&public_client(), &endpoint(), &t).is_none());
    // No refresh token: nothing to revoke.
    let (id, access) = token_pair(1000, &Opts::default());
    let t = TokenSet::new(id, access, None, 1000).unwrap();
    assert!(sign_out(&public_client(), &endpoint(), &t).is_none());
}

#[test]
fn pitfall_24_global_sign_out_and_local_state() {
    let t = tokens(&Opts::default());
    let req = global_sign_out(&endpoint(), &t);
    assert_eq!(
        target(&req),
        "AWSCognitoIdentityProviderService.GlobalSignOut"
    );
    assert_eq!(
        body(&req),
        json!({"AccessToken": t.access_token().token().expose_secret()})
    );
    assert!(handle_global_sign_out_response(&ok(json!({}))).is_ok());
    assert!(handle_revoke_response(&ok(json!({}))).is_ok());
    let err = handle_global_sign_out_response(&service_error(
        400,
        "NotAuthorizedException",
        "Access Token has been revoked",
    ))
    .unwrap_err();
    assert_eq!(err.service_kind(), Some(&ServiceErrorKind::NotAuthorized));
    let err = handle_revoke_response(&service_error(
        400,
        "UnsupportedOperationException",
        "revocation disabled",
    ))
    .unwrap_err();
    assert_eq!(
        err.service_kind(),
        Some(&ServiceErrorKind::UnsupportedOperation)
    );
    // Whatever the answer, local sign-out clears the tokens and keeps the device.
    let mut record = SessionRecord::new(CLIENT, USER_ID);
    record.set_tokens(t).unwrap();
    record.set_device(device("eu-west-1_dev"));
    record.clear_tokens();
    assert!(record.tokens().is_none());
    assert_eq!(record.device().unwrap().device_key, "eu-west-1_dev");
}

#[test]
fn requests_do_not_leak_secrets_in_debug() {
    let t = tokens(&Opts::default());
    let (refresh, req) = Refresh::start(
        &secret_client(),
        &endpoint(),
        &t,
        None,
        RefreshMethod::GetTokensFromRefreshToken,
    )
    .unwrap();
    for dbg in [format!("{req:?}"), format!("{refresh:?}")] {
        assert!(!dbg.contains("refresh-old"), "{dbg}");
        assert!(!dbg.contains(SECRET), "{dbg}");
    }
}
