//! ID and access token decoding (`session::Jwt`) and the decisions of `session::TokenSet`.
//!
//! The input is a token's claims as JSON text (what a JWT payload decodes to), so the fuzzer
//! works on JSON rather than on base64; the same bytes are also decoded as a whole compact
//! token.
//!
//! Invariants:
//! * a token decodes iff its payload is a JSON object with an `exp` that is a numeric date,
//!   and string claims that are strings; a token that decodes has the `exp` (and `iat`) it
//!   claims, rounded down, and keeps every claim;
//! * padded base64url decodes the same; the standard alphabet (`+`, `/`) is refused;
//! * a token set's expiry is the earlier `exp`, its drift `now - iat`, `needs_refresh` is
//!   `!is_valid`, and `needs_refresh` switches on exactly at `refresh_due_at`, once for all;
//! * a token set stored in a session record reads back equal.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use cognito_fuzz::expected_numeric_date;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{Jwt, SessionRecord, TokenError, TokenSet, TokenUseClaim};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use std::time::Duration;

const HEADER: &str = r#"{"kid":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM=","alg":"RS256"}"#;
const STRING_CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "client_id",
    "token_use",
    "jti",
    "origin_jti",
    "event_id",
    "username",
    "cognito:username",
    "device_key",
    "scope",
];

fuzz_target!(|data: &[u8]| {
    // The raw bytes as a whole token: only the typed-error promise.
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(jwt) = Jwt::decode(text)
    {
        assert_eq!(jwt.token().expose_secret(), text);
    }

    let payload = URL_SAFE_NO_PAD.encode(data);
    let token = format!("{}.{payload}.c2ln", URL_SAFE_NO_PAD.encode(HEADER));
    let decoded = Jwt::decode(token.as_str());
    let expected = expected_claims(data);
    match (&decoded, &expected) {
        (Ok(jwt), Ok(claims)) => {
            assert_eq!(jwt.claims().all(), claims);
            assert_eq!(
                Some(jwt.expiration()),
                claims.get("exp").and_then(expected_numeric_date)
            );
            assert_eq!(
                jwt.issued_at(),
                claims.get("iat").and_then(expected_numeric_date)
            );
            assert_eq!(jwt.header().alg.as_deref(), Some("RS256"));
            for name in STRING_CLAIMS {
                assert_eq!(
                    jwt.claims().get_str(name),
                    claims.get(*name).and_then(Value::as_str)
                );
            }
        }
        (Err(got), Err(want)) => {
            assert!(want.contains(got), "got {got:?}, expected one of {want:?}")
        }
        _ => panic!("decode gave {decoded:?}, expected {expected:?}"),
    }

    // Padding is tolerated; the standard alphabet is not.
    let padded = format!("{}.{}.c2ln", URL_SAFE.encode(HEADER), URL_SAFE.encode(data));
    assert_eq!(
        Jwt::decode(padded.as_str()).map(|j| j.claims().clone()),
        decoded
            .as_ref()
            .map(|j| j.claims().clone())
            .map_err(Clone::clone)
    );
    if payload.contains(['-', '_']) {
        let standard = token.replace('-', "+").replace('_', "/");
        assert!(matches!(
            Jwt::decode(standard.as_str()),
            Err(TokenError::InvalidBase64(_))
        ));
    }

    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    check_token_set(claims);
});

/// What decoding must give, from the JSON alone: the claims, or the claims that make the
/// token invalid (`exp` missing or not a numeric date; a well-known string claim that is not
/// a string; `iat`/`auth_time` that are not numeric dates; `aud` that is neither a string nor
/// an array of strings). `null` counts as absent.
fn expected_claims(payload: &[u8]) -> Result<Map<String, Value>, Vec<TokenError>> {
    use cognito_proto::session::Segment;
    let Ok(Value::Object(claims)) = serde_json::from_slice::<Value>(payload) else {
        return Err(vec![TokenError::InvalidJson(Segment::Payload)]);
    };
    let mut invalid = Vec::new();
    match claims.get("exp") {
        None | Some(Value::Null) => invalid.push(TokenError::MissingClaim("exp")),
        Some(v) if expected_numeric_date(v).is_none() => {
            invalid.push(TokenError::InvalidClaim("exp"))
        }
        _ => {}
    }
    for name in STRING_CLAIMS {
        if !matches!(
            claims.get(*name),
            None | Some(Value::Null) | Some(Value::String(_))
        ) {
            invalid.push(TokenError::InvalidClaim(name));
        }
    }
    for name in ["iat", "auth_time"] {
        match claims.get(name) {
            None | Some(Value::Null) => {}
            Some(v) if expected_numeric_date(v).is_some() => {}
            Some(_) => invalid.push(TokenError::InvalidClaim(name)),
        }
    }
    match claims.get("aud") {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
        Some(_) => invalid.push(TokenError::InvalidClaim("aud")),
    }
    if invalid.is_empty() {
        Ok(claims)
    } else {
        Err(invalid)
    }
}

fn check_token_set(mut claims: Map<String, Value>) {
    let with_use = |claims: &Map<String, Value>, token_use: &str| {
        let mut c = claims.clone();
        c.insert("token_use".into(), Value::String(token_use.into()));
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(c).to_string());
        format!("{}.{payload}.c2ln", URL_SAFE_NO_PAD.encode(HEADER))
    };
    // The access token expires 10 minutes after the ID token claims (when that is a number),
    // so that the earlier expiry is not always the same token's.
    let id = with_use(&claims, "id");
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64) {
        claims.insert("exp".into(), Value::from(exp.saturating_add(600)));
    }
    let access = with_use(&claims, "access");
    let (Ok(id_jwt), Ok(access_jwt)) = (Jwt::decode(id.as_str()), Jwt::decode(access.as_str()))
    else {
        return;
    };
    // Swapped tokens are refused.
    assert!(TokenSet::new(access.as_str(), id.as_str(), None, 0).is_err());

    for now in [0, 1_700_000_000, u64::MAX] {
        let set = TokenSet::new(
            id.as_str(),
            access.as_str(),
            Some(SecretString::from("opaque")),
            now,
        )
        .expect("two decodable tokens of the right use make a set");
        assert_eq!(
            set.expiration(),
            id_jwt.expiration().min(access_jwt.expiration())
        );
        let iat = match (id_jwt.issued_at(), access_jwt.issued_at()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let drift = iat.map_or(0, |iat| {
            i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(iat)
        });
        assert_eq!(set.clock_drift(), drift);
        assert_eq!(set.id_token().claims().token_use, Some(TokenUseClaim::Id));

        for margin in [
            Duration::ZERO,
            Duration::from_secs(60),
            Duration::from_secs(u64::MAX),
        ] {
            let due = set.refresh_due_at(margin);
            let mut previous = false;
            let mut probes: Vec<u64> = vec![0, 1, now, u64::MAX];
            for d in [-1i64, 0, 1] {
                if let Ok(t) = u64::try_from(due.saturating_add(d)) {
                    probes.push(t);
                }
            }
            probes.sort_unstable();
            for t in probes {
                let needs = set.needs_refresh(t, margin);
                assert_eq!(needs, !set.is_valid(t, margin));
                // Once due, always due: time only makes tokens older.
                assert!(needs || !previous, "needs_refresh switched back off at {t}");
                previous = needs;
                // Where nothing saturates, refresh is due exactly when
                // `t - drift + margin >= exp`, that is from `due` on.
                let fits = |x: i128| x >= i128::from(i64::MIN) && x <= i128::from(i64::MAX);
                let server_now = i128::from(t) - i128::from(drift);
                let m = i128::from(margin.as_secs());
                let exp = i128::from(set.expiration());
                if t <= i64::MAX as u64
                    && fits(server_now)
                    && fits(server_now + m)
                    && fits(exp + i128::from(drift))
                    && fits(exp + i128::from(drift) - m)
                {
                    assert_eq!(needs, server_now + m >= exp, "t={t}");
                    assert_eq!(needs, i128::from(t) >= i128::from(due), "t={t} due={due}");
                }
            }
        }

        // Stored and read back, the set is the same.
        let username = set.username().unwrap_or("user").to_owned();
        let mut record = SessionRecord::new("client", username.as_str());
        if record.set_tokens(set.clone()).is_ok() {
            let back =
                SessionRecord::from_json(&record.to_json()).expect("a stored record reads back");
            assert_eq!(back.tokens(), Some(&set));
            assert_eq!(back, record);
        }
    }
}
