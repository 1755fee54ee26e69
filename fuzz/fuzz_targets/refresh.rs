//! The refresh response handling (`session::Refresh::handle_response`) for both refresh calls,
//! on responses in the text form of `cognito_fuzz::TextResponse` whose first line is
//! `InitiateAuth <status>` (REFRESH_TOKEN_AUTH) or `GetTokensFromRefreshToken <status>`.
//! Token values given as JSON objects are turned into JWTs with those claims.
//!
//! Invariants:
//! * success only for a 2xx answer without a challenge, with an `AuthenticationResult` whose
//!   tokens decode, are of the right use and belong to the same user (`sub`, username);
//! * the new set holds exactly the returned ID and access tokens, the returned refresh token
//!   when rotated, else the old one (known client bug docs/protocol.md#pitfall-21), and the drift measured again;
//! * an error keeps the status and request id; the stored tokens are cleared only for a
//!   service error that means the session is dead, never for throttling, server errors or a
//!   malformed answer (known client bug docs/protocol.md#pitfall-20).
#![no_main]

use cognito_fuzz::{jwt, parse_text_response, templated_body};
use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::{self, Endpoint};
use cognito_proto::error::{CoreError as Error, ServiceErrorKind};
use cognito_proto::ops::{GetTokensFromRefreshToken, InitiateAuth};
use cognito_proto::secret::SecretString;
use cognito_proto::session::{Refresh, RefreshErrorAction, RefreshMethod, TokenSet};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

const SUB: &str = "0f6c4b1e-1111-2222-3333-444455556666";
const IAT: i64 = 1_700_000_000;
const NOW: u64 = 1_700_003_300;
const OLD_REFRESH: &str =
    "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.old.refresh.token.x";

fn old_tokens() -> TokenSet {
    let claims = |token_use: &str| {
        let v = json!({
            "sub": SUB, "token_use": token_use, "iat": IAT, "exp": IAT + 3600,
            "auth_time": IAT, "origin_jti": "o-1",
            "cognito:username": SUB, "username": SUB,
            "device_key": "us-east-1_d3v1ce00-0000-0000-0000-000000000000",
        });
        v.as_object().cloned().unwrap_or_default()
    };
    TokenSet::new(
        jwt(&claims("id")),
        jwt(&claims("access")),
        Some(SecretString::from(OLD_REFRESH)),
        (IAT + 5) as u64,
    )
    .expect("valid old tokens")
}

fuzz_target!(|data: &[u8]| {
    let Some(parsed) = parse_text_response(data) else {
        return;
    };
    let method = match parsed.label.as_str() {
        "InitiateAuth" => RefreshMethod::RefreshTokenAuth,
        "GetTokensFromRefreshToken" => RefreshMethod::GetTokensFromRefreshToken,
        _ => return,
    };
    let mut response = parsed.response;
    *response.body_mut() = templated_body(response.body());

    let config = ClientConfig::new("us-east-1_AbCdEfGhI", "4l2k0abcdexample0client0id")
        .expect("valid config")
        .with_secret(SecretString::from("s3cr3t"));
    let endpoint = Endpoint::for_region("us-east-1").expect("valid region");
    let old = old_tokens();
    let (refresh, _request) = Refresh::start(&config, &endpoint, &old, None, method)
        .expect("tokens with a refresh token");
    let result = refresh.handle_response(&response, NOW);

    let status = response.status();
    // What the answer holds, decoded independently of the refresh logic.
    let answer = if status.is_success() {
        match method {
            RefreshMethod::RefreshTokenAuth => envelope::decode::<InitiateAuth>(&response)
                .ok()
                .map(|o| (o.challenge_name.is_some(), o.authentication_result)),
            RefreshMethod::GetTokensFromRefreshToken => {
                envelope::decode::<GetTokensFromRefreshToken>(&response)
                    .ok()
                    .map(|o| (false, o.authentication_result))
            }
        }
    } else {
        None
    };
    let expected = match &answer {
        Some((false, Some(r))) => TokenSet::new(
            r.id_token.expose_secret().as_str(),
            r.access_token.expose_secret().as_str(),
            Some(SecretString::from(
                r.refresh_token
                    .as_ref()
                    .map_or(OLD_REFRESH, |t| t.expose_secret().as_str()),
            )),
            NOW,
        )
        .ok()
        .filter(|new| {
            let same = |a: Option<&str>, b: Option<&str>| a.zip(b).is_none_or(|(x, y)| x == y);
            same(old.sub(), new.sub()) && same(old.username(), new.username())
        }),
        _ => None,
    };

    match (result, expected) {
        (Ok(new), Some(expected)) => {
            assert_eq!(new, expected);
            assert_eq!(new.clock_drift(), expected.clock_drift());
            assert_eq!(
                new.refresh_token().map(|t| t.expose_secret().clone()),
                expected.refresh_token().map(|t| t.expose_secret().clone())
            );
        }
        (Err(err), None) => check_error(&err, &response),
        (Ok(_), None) => panic!("refresh accepted an answer it should refuse"),
        (Err(err), Some(_)) => panic!("refresh refused good tokens: {err}"),
    }
});

fn check_error(err: &Error, response: &http::Response<Vec<u8>>) {
    let action = RefreshErrorAction::for_error(err);
    let status = response.status();
    if !status.is_success() {
        let direct = envelope::decode_error("Fuzz", response);
        assert_eq!(err.service_kind(), direct.service_kind());
        assert_eq!(err.request_id(), direct.request_id());
        if let Some(se) = err.as_service() {
            assert_eq!(se.status, status.as_u16());
        }
    }
    let dead = matches!(
        err.service_kind(),
        Some(
            ServiceErrorKind::NotAuthorized
                | ServiceErrorKind::UserNotFound
                | ServiceErrorKind::UserNotConfirmed
                | ServiceErrorKind::PasswordResetRequired
                | ServiceErrorKind::RefreshTokenReuse
        )
    );
    assert_eq!(action.clears_tokens(), dead, "wrong action for {err:?}");
    if err.is_retryable() {
        assert!(
            !action.clears_tokens(),
            "a retryable error cleared the tokens"
        );
    }
    if matches!(
        err,
        Error::InvalidResponse { .. } | Error::InvalidToken { .. } | Error::UnexpectedChallenge { .. }
    ) {
        assert_eq!(action, RefreshErrorAction::KeepTokens);
    }
}
