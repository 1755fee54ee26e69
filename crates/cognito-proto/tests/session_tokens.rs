//! Token decoding, clock drift and the validity / refresh decisions.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use cognito_proto::secret::SecretString;
use cognito_proto::session::{
    DEFAULT_REFRESH_MARGIN, Jwt, Segment, TokenError, TokenSet, TokenUseClaim,
};
use serde_json::{Value, json};

fn jwt(payload: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"k1","alg":"RS256"}"#);
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{header}.{body}.c2ln")
}

fn id_token(iat: i64, exp: i64) -> String {
    jwt(&json!({
        "sub": "0f6c4b1e-1111-2222-3333-444455556666",
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
        "aud": "client123",
        "token_use": "id",
        "auth_time": iat,
        "iat": iat,
        "exp": exp,
        "jti": "j-id",
        "origin_jti": "o-1",
        "event_id": "e-1",
        "cognito:username": "0f6c4b1e-1111-2222-3333-444455556666",
        "email": "alice@example.com",
        "email_verified": true,
        "cognito:groups": ["admins", "users"],
        "custom:team": "blue"
    }))
}

fn access_token(iat: i64, exp: i64) -> String {
    jwt(&json!({
        "sub": "0f6c4b1e-1111-2222-3333-444455556666",
        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC",
        "client_id": "client123",
        "token_use": "access",
        "scope": "openid aws.cognito.signin.user.admin",
        "auth_time": iat,
        "iat": iat,
        "exp": exp,
        "jti": "j-acc",
        "origin_jti": "o-1",
        "username": "0f6c4b1e-1111-2222-3333-444455556666",
        "device_key": "eu-west-1_d3v1ce"
    }))
}

#[test]
fn decodes_id_token_claims() {
    let t = Jwt::decode(id_token(1000, 4600)).unwrap();
    let c = t.claims();
    assert_eq!(t.header().kid.as_deref(), Some("k1"));
    assert_eq!(t.header().alg.as_deref(), Some("RS256"));
    assert_eq!(
        c.sub.as_deref(),
        Some("0f6c4b1e-1111-2222-3333-444455556666")
    );
    assert_eq!(c.aud, vec!["client123".to_owned()]);
    assert_eq!(c.token_use, Some(TokenUseClaim::Id));
    assert_eq!((c.iat, c.exp, c.auth_time), (Some(1000), 4600, Some(1000)));
    assert_eq!(c.origin_jti.as_deref(), Some("o-1"));
    assert_eq!(c.event_id.as_deref(), Some("e-1"));
    assert_eq!(c.jti.as_deref(), Some("j-id"));
    assert_eq!(c.email(), Some("alice@example.com"));
    assert_eq!(c.get("email_verified"), Some(&Value::Bool(true)));
    assert_eq!(c.get_str("custom:team"), Some("blue"));
    assert_eq!(c.groups(), vec!["admins", "users"]);
    assert_eq!(
        c.internal_username(),
        Some("0f6c4b1e-1111-2222-3333-444455556666")
    );
    assert_eq!(c.username, None);
}

#[test]
fn decodes_access_token_claims() {
    let t = Jwt::decode(access_token(1000, 4600)).unwrap();
    let c = t.claims();
    assert_eq!(c.token_use, Some(TokenUseClaim::Access));
    assert_eq!(c.client_id.as_deref(), Some("client123"));
    assert!(c.aud.is_empty());
    assert_eq!(c.device_key.as_deref(), Some("eu-west-1_d3v1ce"));
    assert_eq!(
        c.scopes().collect::<Vec<_>>(),
        vec!["openid", "aws.cognito.signin.user.admin"]
    );
    assert_eq!(c.cognito_username, None);
    assert!(c.username.is_some());
}

#[test]
fn aud_array_and_fractional_times_are_accepted() {
    let t = Jwt::decode(jwt(
        &json!({"aud": ["a", "b"], "exp": 1700.9, "iat": 1000.2}),
    ))
    .unwrap();
    assert_eq!(t.claims().aud, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(t.expiration(), 1700);
    assert_eq!(t.issued_at(), Some(1000));
}

#[test]
fn padded_base64url_is_tolerated() {
    // Payload whose base64 needs padding.
    let payload = json!({"exp": 12}).to_string();
    let padded = URL_SAFE.encode(&payload);
    assert!(padded.ends_with('='), "test payload must need padding");
    let token = format!("{}.{padded}.sig", URL_SAFE.encode("{}"));
    assert_eq!(Jwt::decode(token).unwrap().expiration(), 12);
}

#[test]
fn malformed_tokens_are_typed_errors() {
    let good_header = URL_SAFE_NO_PAD.encode("{}");
    let good_payload = URL_SAFE_NO_PAD.encode(r#"{"exp":5}"#);
    let cases: Vec<(String, TokenError)> = vec![
        (String::new(), TokenError::NotThreeSegments { found: 1 }),
        ("abc".into(), TokenError::NotThreeSegments { found: 1 }),
        ("a.b".into(), TokenError::NotThreeSegments { found: 2 }),
        // A refresh token (JWE) has five segments.
        (
            "a.b.c.d.e".into(),
            TokenError::NotThreeSegments { found: 5 },
        ),
        (
            format!("!!.{good_payload}.s"),
            TokenError::InvalidBase64(Segment::Header),
        ),
        (
            format!("{good_header}.%%%.s"),
            TokenError::InvalidBase64(Segment::Payload),
        ),
        // Standard-alphabet characters are not base64url.
        (
            format!("{good_header}.{}.s", STANDARD.encode([0xfb, 0xff, 0xfe])),
            TokenError::InvalidBase64(Segment::Payload),
        ),
        (
            format!("{good_header}.{}.s", URL_SAFE_NO_PAD.encode("not json")),
            TokenError::InvalidJson(Segment::Payload),
        ),
        (
            format!("{}.{good_payload}.s", URL_SAFE_NO_PAD.encode("[1,2]")),
            TokenError::InvalidJson(Segment::Header),
        ),
        (
            format!("{good_header}.{}.s", URL_SAFE_NO_PAD.encode("\"str\"")),
            TokenError::InvalidJson(Segment::Payload),
        ),
        (
            format!("{good_header}.{}.s", URL_SAFE_NO_PAD.encode(r#"{"exp":1"#)),
            TokenError::InvalidJson(Segment::Payload),
        ),
        (
            format!("{good_header}.{}.s", URL_SAFE_NO_PAD.encode(r#"{"iat":1}"#)),
            TokenError::MissingClaim("exp"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":null}"#)
            ),
            TokenError::MissingClaim("exp"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":"soon"}"#)
            ),
            TokenError::InvalidClaim("exp"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":1e300}"#)
            ),
            TokenError::InvalidClaim("exp"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":1,"sub":5}"#)
            ),
            TokenError::InvalidClaim("sub"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":1,"iat":"x"}"#)
            ),
            TokenError::InvalidClaim("iat"),
        ),
        (
            format!(
                "{good_header}.{}.s",
                URL_SAFE_NO_PAD.encode(r#"{"exp":1,"aud":[1]}"#)
            ),
            TokenError::InvalidClaim("aud"),
        ),
    ];
    for (token, expected) in cases {
        assert_eq!(Jwt::decode(token.clone()).unwrap_err(), expected, "{token}");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic sweep over short inputs built from JWT-ish characters.
    let alphabet = b"eyJ.A-_=+/{}\"\xc3";
    let mut n = 0u32;
    for len in 0..6u32 {
        for mut k in 0..alphabet.len().pow(len) {
            let mut s = Vec::new();
            for _ in 0..len {
                s.push(alphabet[k % alphabet.len()]);
                k /= alphabet.len();
            }
            let text = String::from_utf8_lossy(&s).into_owned();
            assert!(Jwt::decode(text).is_err());
            n += 1;
        }
    }
    assert!(n > 1000);
}

#[test]
fn error_messages_do_not_leak_token_contents() {
    let token = format!(
        "{}.{}.s",
        URL_SAFE_NO_PAD.encode("{}"),
        URL_SAFE_NO_PAD.encode(r#"{"exp":"secret-value-123"}"#)
    );
    let err = Jwt::decode(token).unwrap_err();
    assert!(!err.to_string().contains("secret-value-123"));
    let ok = Jwt::decode(id_token(1, 2)).unwrap();
    let debug = format!("{ok:?}");
    assert!(!debug.contains("alice@example.com"), "{debug}");
    assert!(!debug.contains("eyJ"), "{debug}");
}

#[test]
fn token_set_rejects_swapped_tokens() {
    let err = TokenSet::new(access_token(1, 2), id_token(1, 2), None, 1).unwrap_err();
    assert_eq!(
        err,
        TokenError::WrongTokenUse {
            expected: TokenUseClaim::Id
        }
    );
}

#[test]
fn token_set_reads_username_sub_and_device_key() {
    let t = TokenSet::new(id_token(1000, 4600), access_token(1000, 4600), None, 1000).unwrap();
    assert_eq!(t.username(), Some("0f6c4b1e-1111-2222-3333-444455556666"));
    assert_eq!(t.sub(), Some("0f6c4b1e-1111-2222-3333-444455556666"));
    assert_eq!(t.device_key(), Some("eu-west-1_d3v1ce"));
    assert!(t.refresh_token().is_none());
    let dbg = format!("{t:?}");
    assert!(!dbg.contains("eyJ"), "{dbg}");
}

#[test]
fn clock_drift_is_now_minus_smallest_iat() {
    // Local clock 300 s ahead of the server; the ID token issued a second before the access one.
    let t = TokenSet::new(id_token(999, 4600), access_token(1000, 4600), None, 1300).unwrap();
    assert_eq!(t.clock_drift(), 301);
    // Local clock behind: negative drift.
    let t = TokenSet::new(id_token(1000, 4600), access_token(1000, 4600), None, 900).unwrap();
    assert_eq!(t.clock_drift(), -100);
    // No iat at all: no correction.
    let bare = |use_: &str| jwt(&json!({"token_use": use_, "exp": 4600}));
    let t = TokenSet::new(bare("id"), bare("access"), None, 900).unwrap();
    assert_eq!(t.clock_drift(), 0);
}

#[test]
fn is_valid_matches_the_js_client_with_zero_margin() {
    // JS: adjusted = now - drift; valid iff adjusted < exp of both tokens.
    let t = TokenSet::new(id_token(1000, 4600), access_token(1000, 4000), None, 1000).unwrap();
    assert!(t.is_valid(3999, Duration::ZERO));
    assert!(!t.is_valid(4000, Duration::ZERO));
    assert_eq!(t.expiration(), 4000);
    assert_eq!(t.expires_at_local(), 4000);
}

#[test]
fn pitfall_19_refresh_early_with_margin_and_drift() {
    // Server clock: issued 1000, expires 4600. Local clock is 600 s fast: tokens arrive at
    // local 1600, so they expire at local 5200.
    let t = TokenSet::new(id_token(1000, 4600), access_token(1000, 4600), None, 1600).unwrap();
    assert_eq!(t.clock_drift(), 600);
    assert_eq!(t.expires_at_local(), 5200);
    let margin = DEFAULT_REFRESH_MARGIN;
    assert_eq!(margin, Duration::from_secs(60));
    // Without drift correction the tokens would look expired at local 4600.
    assert!(t.is_valid(4600, margin));
    assert!(!t.needs_refresh(5139, margin));
    // Within the margin before expiry: refresh now, although the tokens still work.
    assert!(t.needs_refresh(5140, margin));
    assert!(t.is_valid(5140, Duration::ZERO));
    assert_eq!(t.refresh_due_at(margin), 5140);
    // Expired.
    assert!(t.needs_refresh(5200, Duration::ZERO));
    // A slow local clock works the same way.
    let slow = TokenSet::new(id_token(1000, 4600), access_token(1000, 4600), None, 400).unwrap();
    assert!(slow.needs_refresh(3940, margin));
    assert!(!slow.needs_refresh(3939, margin));
}

#[test]
fn extreme_times_do_not_overflow() {
    let t = TokenSet::with_clock_drift(
        jwt(&json!({"token_use": "id", "exp": i64::MAX})),
        jwt(&json!({"token_use": "access", "exp": i64::MIN})),
        None,
        i64::MIN,
    )
    .unwrap();
    assert!(!t.is_valid(u64::MAX, Duration::MAX));
    assert!(t.needs_refresh(0, Duration::MAX));
    let _ = t.refresh_due_at(Duration::MAX);
    let t = TokenSet::new(
        jwt(&json!({"token_use": "id", "exp": 5, "iat": i64::MIN})),
        jwt(&json!({"token_use": "access", "exp": 5})),
        None,
        u64::MAX,
    )
    .unwrap();
    assert_eq!(t.clock_drift(), i64::MAX);
}

#[test]
fn pitfall_21_refreshed_keeps_or_rotates_refresh_token() {
    let t = TokenSet::new(
        id_token(1000, 4600),
        access_token(1000, 4600),
        Some(SecretString::from("refresh-1")),
        1000,
    )
    .unwrap();
    // REFRESH_TOKEN_AUTH: no refresh token in the response, the old one stays.
    let kept = t
        .refreshed(id_token(4000, 7600), access_token(4000, 7600), None, 4010)
        .unwrap();
    assert_eq!(kept.refresh_token().unwrap().expose_secret(), "refresh-1");
    assert_eq!(kept.clock_drift(), 10);
    assert_eq!(kept.expiration(), 7600);
    // GetTokensFromRefreshToken with rotation: the new one replaces it.
    let rotated = kept
        .refreshed(
            id_token(7000, 10600),
            access_token(7000, 10600),
            Some(SecretString::from("refresh-2")),
            7000,
        )
        .unwrap();
    assert_eq!(
        rotated.refresh_token().unwrap().expose_secret(),
        "refresh-2"
    );
}

#[test]
fn from_authentication_result_of_a_sign_in() {
    let body = json!({
        "AccessToken": access_token(1000, 4600),
        "ExpiresIn": 3600,
        "TokenType": "Bearer",
        "RefreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d",
        "IdToken": id_token(1000, 4600),
        "NewDeviceMetadata": {"DeviceKey": "eu-west-1_new", "DeviceGroupKey": "-v7w9UcY6"}
    });
    let result: cognito_proto::ops::AuthenticationResult = serde_json::from_value(body).unwrap();
    let t = TokenSet::from_authentication_result(&result, 1002).unwrap();
    assert_eq!(t.clock_drift(), 2);
    assert!(
        t.refresh_token()
            .unwrap()
            .expose_secret()
            .starts_with("eyJjdHki")
    );
    assert_eq!(t.access_token().expiration(), 4600);
    // Empty tokens (known client bug docs/protocol.md#pitfall-10 "never store empty tokens") are refused.
    let empty: cognito_proto::ops::AuthenticationResult =
        serde_json::from_value(json!({"AccessToken": "", "ExpiresIn": 3600, "IdToken": ""}))
            .unwrap();
    assert_eq!(
        TokenSet::from_authentication_result(&empty, 1).unwrap_err(),
        TokenError::NotThreeSegments { found: 1 }
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decode_never_panics_on_any_text(s in ".{0,200}") {
            let _ = Jwt::decode(s);
        }

        #[test]
        fn decode_never_panics_on_any_payload(
            header in proptest::collection::vec(any::<u8>(), 0..64),
            payload in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let token = format!(
                "{}.{}.sig",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(payload)
            );
            let _ = Jwt::decode(token);
        }

        #[test]
        fn exp_round_trips(exp in any::<i64>(), iat in any::<i64>(), now in any::<u64>()) {
            let t = TokenSet::new(
                jwt(&json!({"token_use": "id", "exp": exp, "iat": iat})),
                jwt(&json!({"token_use": "access", "exp": exp, "iat": iat})),
                None,
                now,
            ).unwrap();
            prop_assert_eq!(t.expiration(), exp);
            // is_valid and needs_refresh are complements.
            prop_assert_eq!(t.is_valid(now, DEFAULT_REFRESH_MARGIN), !t.needs_refresh(now, DEFAULT_REFRESH_MARGIN));
        }
    }
}
