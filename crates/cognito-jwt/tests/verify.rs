//! The checks of the sans-IO verifier, with tokens signed by a key generated here.

use std::sync::OnceLock;
use std::time::Duration;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cognito_jwt::{
    ConfigError, JwksError, Malformed, Segment, Step, TokenUse, Verifier, VerifyError,
};
use serde_json::{Value, json};

const POOL: &str = "eu-west-1_Pool1";
const ISS: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1";
const JWKS: &str =
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1/.well-known/jwks.json";
const NOW: u64 = 1_700_000_000;

fn now() -> Duration {
    Duration::from_secs(NOW)
}

fn key() -> &'static RsaKeyPair {
    static KEY: OnceLock<RsaKeyPair> = OnceLock::new();
    KEY.get_or_init(|| RsaKeyPair::generate(KeySize::Rsa2048).expect("key"))
}

/// `n` and `e` of a DER `RSAPublicKey` (SEQUENCE of two INTEGERs), leading zeros dropped.
fn n_and_e(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn item(b: &[u8]) -> (&[u8], &[u8]) {
        let (len, start) = match b[1] {
            l if l < 0x80 => (usize::from(l), 2),
            l => {
                let k = usize::from(l & 0x7f);
                (
                    b[2..2 + k].iter().fold(0, |a, &x| a << 8 | usize::from(x)),
                    2 + k,
                )
            }
        };
        (&b[start..start + len], &b[start + len..])
    }
    let (seq, _) = item(der);
    let (n, rest) = item(seq);
    let (e, _) = item(rest);
    let strip = |v: &[u8]| v[v.iter().position(|&x| x != 0).unwrap_or(0)..].to_vec();
    (strip(n), strip(e))
}

fn jwk(kid: &str, extra: Value) -> Value {
    let (n, e) = n_and_e(key().public_key().as_ref());
    let mut jwk = json!({
        "kty": "RSA",
        "kid": kid,
        "n": B64.encode(n),
        "e": B64.encode(e),
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            jwk.as_object_mut().expect("object").remove(&k);
        } else {
            jwk[k] = v;
        }
    }
    jwk
}

fn cognito_jwks() -> Vec<u8> {
    json!({"keys": [jwk("other", json!({"alg": "RS256", "use": "sig"})), jwk("k1", json!({"alg": "RS256", "use": "sig"}))]})
        .to_string()
        .into_bytes()
}

fn sign_with(
    header: &Value,
    payload: &Value,
    alg: &'static dyn aws_lc_rs::signature::RsaEncoding,
) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(payload.to_string())
    );
    let mut sig = vec![0; key().public_modulus_len()];
    key()
        .sign(alg, &SystemRandom::new(), input.as_bytes(), &mut sig)
        .expect("sign");
    format!("{input}.{}", B64.encode(sig))
}

fn sign(header: &Value, payload: &Value) -> String {
    sign_with(header, payload, &RSA_PKCS1_SHA256)
}

fn header() -> Value {
    json!({"kid": "k1", "alg": "RS256"})
}

fn access_claims() -> Value {
    json!({
        "sub": "5f3c1d2e", "cognito:groups": ["admin", "staff"], "iss": ISS,
        "client_id": "client1", "origin_jti": "o1", "event_id": "e1", "token_use": "access",
        "scope": "aws.cognito.signin.user.admin orders/read", "auth_time": NOW - 100,
        "exp": NOW + 3600, "iat": NOW - 100, "jti": "j1", "username": "alice",
    })
}

fn id_claims() -> Value {
    json!({
        "sub": "5f3c1d2e", "email_verified": true, "iss": ISS, "cognito:username": "alice",
        "origin_jti": "o1", "aud": "client1", "event_id": "e1", "token_use": "id",
        "auth_time": NOW - 100, "exp": NOW + 3600, "iat": NOW - 100, "jti": "j2",
        "email": "alice@example.com",
    })
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            claims.as_object_mut().expect("object").remove(&k);
        } else {
            claims[k] = v;
        }
    }
    claims
}

fn verifier(token_use: TokenUse) -> Verifier {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(token_use)
        .client_id("client1")
        .client_id("client2")
        .build()
        .expect("config");
    v.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    v
}

fn run(v: &Verifier, token: &str) -> Result<cognito_jwt::Claims, VerifyError> {
    match v.verify(token, now()) {
        Step::Done(r) => r,
        Step::Fetch(f) => panic!("unexpected fetch of {}", f.uri()),
    }
}

fn err(v: &Verifier, token: &str) -> VerifyError {
    let e = run(v, token).expect_err("token must be rejected");
    // No error message ever contains the token or its signature.
    let text = format!("{e} {e:?}");
    assert!(token.len() < 8 || !text.contains(token), "{text}");
    if let Some((_, sig)) = token.rsplit_once('.')
        && sig.len() > 8
    {
        assert!(!text.contains(sig), "{text}");
    }
    e
}

#[test]
fn a_valid_access_token_verifies_and_its_claims_are_typed() {
    let claims = run(
        &verifier(TokenUse::Access),
        &sign(&header(), &access_claims()),
    )
    .expect("valid");
    assert_eq!(claims.iss, ISS);
    assert_eq!(claims.token_use, TokenUse::Access);
    assert_eq!(claims.client_id.as_deref(), Some("client1"));
    assert_eq!(claims.username.as_deref(), Some("alice"));
    assert_eq!(claims.groups, ["admin", "staff"]);
    assert_eq!(
        claims.scopes,
        ["aws.cognito.signin.user.admin", "orders/read"]
    );
    assert_eq!(claims.exp, Some(NOW as i64 + 3600));
    assert_eq!(claims.auth_time, Some(NOW as i64 - 100));
    assert_eq!(claims.other["origin_jti"], "o1");
    assert!(claims.in_group("staff") && claims.has_scope("orders/read"));
    // The claims serialize back to the payload.
    assert_eq!(claims.to_json(), access_claims());
}

#[test]
fn a_valid_id_token_verifies_and_its_client_is_its_audience() {
    let claims = run(&verifier(TokenUse::Id), &sign(&header(), &id_claims())).expect("valid");
    assert_eq!(claims.client_id.as_deref(), Some("client1"));
    assert_eq!(claims.username.as_deref(), Some("alice"));
    assert_eq!(claims.other["email"], "alice@example.com");
    assert_eq!(claims.to_json(), id_claims());
}

#[test]
fn expiry_and_not_before_respect_the_grace() {
    let v = verifier(TokenUse::Access);
    let expired = sign(&header(), &with(access_claims(), json!({"exp": NOW - 1})));
    assert_eq!(
        err(&v, &expired),
        VerifyError::Expired {
            exp: NOW as i64 - 1
        }
    );
    // exp == now is still valid, as in aws-jwt-verify (expired once exp < now).
    run(
        &v,
        &sign(&header(), &with(access_claims(), json!({"exp": NOW}))),
    )
    .expect("exp == now");
    let early = sign(&header(), &with(access_claims(), json!({"nbf": NOW + 5})));
    assert_eq!(
        err(&v, &early),
        VerifyError::NotYetValid {
            not_before: NOW as i64 + 5
        }
    );
    let graced: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .no_client_check()
        .grace(Duration::from_secs(5))
        .build()
        .expect("config");
    graced.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    run(&graced, &expired).expect("within grace");
    run(&graced, &early).expect("within grace");
    let late = sign(&header(), &with(access_claims(), json!({"exp": NOW - 6})));
    assert!(matches!(err(&graced, &late), VerifyError::Expired { .. }));
    // A fractional `now` counts: exp = NOW is expired half a second later.
    let at_now = sign(&header(), &with(access_claims(), json!({"exp": NOW})));
    assert!(matches!(
        v.verify(&at_now, now() + Duration::from_millis(500)),
        Step::Done(Err(VerifyError::Expired { .. }))
    ));
}

#[test]
fn iat_in_the_future_is_accepted_unless_asked_for() {
    let future_iat = sign(&header(), &with(access_claims(), json!({"iat": NOW + 60})));
    run(&verifier(TokenUse::Access), &future_iat).expect("iat is not checked by default");
    let strict: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .no_client_check()
        .check_iat(true)
        .build()
        .expect("config");
    strict.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    assert_eq!(
        err(&strict, &future_iat),
        VerifyError::NotYetValid {
            not_before: NOW as i64 + 60
        }
    );
}

#[test]
fn a_token_without_exp_is_rejected() {
    let token = sign(&header(), &with(access_claims(), json!({"exp": null})));
    assert_eq!(
        err(&verifier(TokenUse::Access), &token),
        VerifyError::Malformed(Malformed::MissingClaim {
            claim: "exp".into()
        })
    );
}

#[test]
fn the_issuer_must_be_a_configured_pool() {
    let v = verifier(TokenUse::Access);
    let other = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other";
    let token = sign(&header(), &with(access_claims(), json!({"iss": other})));
    assert_eq!(
        err(&v, &token),
        VerifyError::Issuer {
            found: Some(other.into())
        }
    );
    let token = sign(&header(), &with(access_claims(), json!({"iss": null})));
    assert_eq!(err(&v, &token), VerifyError::Issuer { found: None });
    // The multi-region issuer form of the same pool is accepted, with its own JWKS URI.
    let updated = "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1";
    let token = sign(&header(), &with(access_claims(), json!({"iss": updated})));
    match v.verify(&token, now()) {
        Step::Fetch(f) => assert_eq!(f.uri(), format!("{updated}/.well-known/jwks.json")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn token_use_must_match() {
    let v = verifier(TokenUse::Access);
    assert_eq!(
        err(&v, &sign(&header(), &id_claims())),
        VerifyError::TokenUse {
            found: Some("id".into()),
            expected: Some(TokenUse::Access)
        }
    );
    let any: Verifier = Verifier::builder(POOL)
        .any_token_use()
        .client_id("client1")
        .build()
        .expect("config");
    any.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    run(&any, &sign(&header(), &id_claims())).expect("id");
    run(&any, &sign(&header(), &access_claims())).expect("access");
    let refresh = sign(
        &header(),
        &with(access_claims(), json!({"token_use": "refresh"})),
    );
    assert_eq!(
        err(&any, &refresh),
        VerifyError::TokenUse {
            found: Some("refresh".into()),
            expected: None
        }
    );
    let number = sign(&header(), &with(access_claims(), json!({"token_use": 1})));
    assert_eq!(
        err(&any, &number),
        VerifyError::TokenUse {
            found: None,
            expected: None
        }
    );
}

#[test]
fn the_client_must_be_allowed_unless_explicitly_unchecked() {
    let v = verifier(TokenUse::Access);
    run(
        &v,
        &sign(
            &header(),
            &with(access_claims(), json!({"client_id": "client2"})),
        ),
    )
    .expect("second client");
    let other = sign(
        &header(),
        &with(access_claims(), json!({"client_id": "client3"})),
    );
    assert_eq!(
        err(&v, &other),
        VerifyError::Client {
            found: Some("client3".into())
        }
    );
    let none = sign(
        &header(),
        &with(access_claims(), json!({"client_id": null})),
    );
    assert_eq!(err(&v, &none), VerifyError::Client { found: None });
    // An ID token's client is its string `aud`; a list does not count.
    let id = verifier(TokenUse::Id);
    let listed = sign(&header(), &with(id_claims(), json!({"aud": ["client1"]})));
    assert_eq!(err(&id, &listed), VerifyError::Client { found: None });
    let unchecked: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .no_client_check()
        .build()
        .expect("config");
    unchecked.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    run(&unchecked, &other).expect("no client check");
}

#[test]
fn groups_and_scopes_need_one_match() {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .groups(["admin", "ops"])
        .scopes(["orders/read", "orders/write"])
        .build()
        .expect("config");
    v.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    run(&v, &sign(&header(), &access_claims())).expect("admin with orders/read");
    let no_group = sign(
        &header(),
        &with(access_claims(), json!({"cognito:groups": ["staff"]})),
    );
    assert!(matches!(err(&v, &no_group), VerifyError::Group { .. }));
    let no_groups = sign(
        &header(),
        &with(access_claims(), json!({"cognito:groups": null})),
    );
    assert!(matches!(err(&v, &no_groups), VerifyError::Group { .. }));
    let no_scope = sign(
        &header(),
        &with(access_claims(), json!({"scope": "profile"})),
    );
    assert_eq!(
        err(&v, &no_scope),
        VerifyError::Scope {
            expected: vec!["orders/read".into(), "orders/write".into()]
        }
    );
    // A machine-to-machine token: no username, no groups, a custom scope.
    let m2m: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .scopes(["orders/write"])
        .build()
        .expect("config");
    m2m.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    let token = json!({"sub": "client1", "token_use": "access", "scope": "orders/write",
        "auth_time": NOW, "iss": ISS, "exp": NOW + 3600, "iat": NOW, "version": 2,
        "jti": "j3", "client_id": "client1"});
    let claims = run(&m2m, &sign(&header(), &token)).expect("m2m");
    assert_eq!(claims.username, None);
    assert!(claims.groups.is_empty());
}

#[test]
fn a_custom_check_sees_the_claims() {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .custom_check(|header, claims| {
            if header.kid.as_deref() == Some("k1") && claims.username.as_deref() == Some("alice") {
                Ok(())
            } else {
                Err("only alice".to_owned())
            }
        })
        .build()
        .expect("config");
    v.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    run(&v, &sign(&header(), &access_claims())).expect("alice");
    let bob = sign(
        &header(),
        &with(access_claims(), json!({"username": "bob"})),
    );
    assert_eq!(
        err(&v, &bob),
        VerifyError::Custom {
            message: "only alice".into()
        }
    );
}

#[test]
fn signatures_and_algorithms() {
    let v = verifier(TokenUse::Access);
    let token = sign(&header(), &access_claims());
    // Every flipped signature byte is caught.
    let (input, sig) = token.rsplit_once('.').expect("3 parts");
    let mut raw = B64.decode(sig).expect("b64");
    for i in [0, 100, raw.len() - 1] {
        raw[i] ^= 1;
        let flipped = format!("{input}.{}", B64.encode(&raw));
        assert_eq!(err(&v, &flipped), VerifyError::Signature);
        raw[i] ^= 1;
    }
    // Another token's payload under this signature.
    let other = sign(
        &header(),
        &with(access_claims(), json!({"username": "mallory"})),
    );
    let (other_input, _) = other.rsplit_once('.').expect("3 parts");
    assert_eq!(
        err(&v, &format!("{other_input}.{sig}")),
        VerifyError::Signature
    );
    // alg none, with an empty or a junk signature.
    let none_header = B64.encode(json!({"kid": "k1", "alg": "none"}).to_string());
    let payload = B64.encode(access_claims().to_string());
    assert!(matches!(
        err(&v, &format!("{none_header}.{payload}.")),
        VerifyError::Malformed(Malformed::Segments)
    ));
    assert_eq!(
        err(&v, &format!("{none_header}.{payload}.{sig}")),
        VerifyError::Algorithm {
            found: Some("none".into())
        }
    );
    // HS256 keyed with the public key (the classic algorithm confusion).
    let hs_header = B64.encode(json!({"kid": "k1", "alg": "HS256"}).to_string());
    let hs_input = format!("{hs_header}.{payload}");
    let secret = serde_json::to_vec(&jwk("k1", json!({}))).expect("json");
    let mac = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &secret),
        hs_input.as_bytes(),
    );
    assert_eq!(
        err(&v, &format!("{hs_input}.{}", B64.encode(mac.as_ref()))),
        VerifyError::Algorithm {
            found: Some("HS256".into())
        }
    );
    // No alg at all.
    let bare = sign(&json!({"kid": "k1"}), &access_claims());
    assert_eq!(err(&v, &bare), VerifyError::Algorithm { found: None });
    // RS384 with a JWK that declares RS256 is refused; with one that declares RS384 it works.
    let rs384 = sign_with(
        &json!({"kid": "k1", "alg": "RS384"}),
        &access_claims(),
        &RSA_PKCS1_SHA384,
    );
    assert_eq!(
        err(&v, &rs384),
        VerifyError::Algorithm {
            found: Some("RS384".into())
        }
    );
    let v384 = verifier(TokenUse::Access);
    v384.cache_jwks(
        JWKS,
        json!({"keys": [jwk("k1", json!({"alg": "RS384"}))]})
            .to_string()
            .as_bytes(),
    )
    .expect("jwks");
    run(&v384, &rs384).expect("RS384 declared by the JWK");
    // A JWK without alg verifies RS256 only.
    let bare_jwk = verifier(TokenUse::Access);
    bare_jwk
        .cache_jwks(
            JWKS,
            json!({"keys": [jwk("k1", json!({}))]})
                .to_string()
                .as_bytes(),
        )
        .expect("jwks");
    run(&bare_jwk, &token).expect("RS256");
    assert!(matches!(
        err(&bare_jwk, &rs384),
        VerifyError::Algorithm { .. }
    ));
}

#[test]
fn the_jwk_must_be_an_rsa_signing_key() {
    let token = sign(&header(), &access_claims());
    for (jwk, reason) in [
        (jwk("k1", json!({"use": "enc"})), "use"),
        (
            jwk(
                "k1",
                json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
            ),
            "key type",
        ),
        (jwk("k1", json!({"n": null})), "modulus"),
        (jwk("k1", json!({"n": "AQAB"})), "RSA modulus of 17 bits"),
    ] {
        let v = verifier(TokenUse::Access);
        v.cache_jwks(JWKS, json!({"keys": [jwk]}).to_string().as_bytes())
            .expect("jwks");
        match err(&v, &token) {
            VerifyError::Jwk { reason: r } => assert!(r.contains(reason), "{r}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn malformed_tokens_are_typed_errors() {
    let v = verifier(TokenUse::Access);
    let token = sign(&header(), &access_claims());
    let (h, rest) = token.split_once('.').expect("parts");
    let (p, s) = rest.split_once('.').expect("parts");
    let m = |x| VerifyError::Malformed(x);
    assert_eq!(err(&v, ""), m(Malformed::Empty));
    assert_eq!(err(&v, &format!("{h}.{p}")), m(Malformed::Segments));
    assert_eq!(err(&v, &format!("{token}.{s}")), m(Malformed::Segments));
    assert_eq!(err(&v, &format!("{h}..{s}")), m(Malformed::Segments));
    assert_eq!(
        err(&v, &format!("{h}.{p}.{s}==")),
        m(Malformed::Base64(Segment::Signature))
    );
    assert_eq!(
        err(&v, &format!("{h}=.{p}.{s}")),
        m(Malformed::Base64(Segment::Header))
    );
    assert_eq!(
        err(&v, &format!("{h}.{p}.{}", &s[..s.len() - 1])),
        m(Malformed::Base64(Segment::Signature))
    );
    assert_eq!(
        err(&v, &format!("{h}.{p}+.{s}")),
        m(Malformed::Base64(Segment::Payload))
    );
    // Non-canonical trailing bits: a 256-byte signature leaves 4 unused bits in its last
    // character; setting one gives another string for the same bytes, which is refused.
    let last = s.as_bytes()[s.len() - 1];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let pos = alphabet.iter().position(|&c| c == last).expect("b64 char");
    let twin = alphabet[pos | 1] as char;
    assert_ne!(
        twin as u8, last,
        "canonical last character has its low bits clear"
    );
    let noncanonical = format!("{h}.{p}.{}{twin}", &s[..s.len() - 1]);
    assert_eq!(
        err(&v, &noncanonical),
        m(Malformed::Base64(Segment::Signature))
    );
    // Header and payload must be JSON objects; claims must have their types.
    let arr = B64.encode("[1]");
    assert_eq!(
        err(&v, &format!("{arr}.{p}.{s}")),
        m(Malformed::NotAnObject(Segment::Header))
    );
    assert_eq!(
        err(&v, &format!("{h}.{arr}.{s}")),
        m(Malformed::NotAnObject(Segment::Payload))
    );
    let text = sign(
        &header(),
        &with(access_claims(), json!({"exp": "tomorrow"})),
    );
    assert_eq!(
        err(&v, &text),
        m(Malformed::ClaimType {
            claim: "exp".into()
        })
    );
    let kid = sign(&json!({"kid": 1, "alg": "RS256"}), &access_claims());
    assert_eq!(
        err(&v, &kid),
        m(Malformed::ClaimType {
            claim: "kid".into()
        })
    );
    assert_eq!(
        err(&v, &sign(&json!({"alg": "RS256"}), &access_claims())),
        VerifyError::MissingKid
    );
    let huge = sign(
        &header(),
        &with(access_claims(), json!({"pad": "x".repeat(40_000)})),
    );
    assert_eq!(
        err(&v, &huge),
        m(Malformed::TooLarge {
            limit: cognito_jwt::MAX_TOKEN_BYTES
        })
    );
}

#[test]
fn an_unknown_kid_refetches_once_per_cooldown() {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .cooldown(Duration::from_secs(10))
        .build()
        .expect("config");
    let token = sign(&header(), &access_claims());
    // Nothing cached: fetch.
    let Step::Fetch(first) = v.verify(&token, now()) else {
        panic!("expected a fetch")
    };
    assert_eq!(first.uri(), JWKS);
    assert!(v.is_needed(&first));
    v.complete(&first, Ok(&cognito_jwks()), now())
        .expect("jwks");
    // A concurrent caller holding the same fetch sees it was done.
    assert!(!v.is_needed(&first));
    run(&v, &token).expect("cached now");
    // A random kid: one refetch; the set still lacks it, so the next random kids fail
    // without a fetch until the cool-down is over.
    let random = sign(
        &json!({"kid": "random-1", "alg": "RS256"}),
        &access_claims(),
    );
    let Step::Fetch(refetch) = v.verify(&random, now()) else {
        panic!("expected a refetch")
    };
    v.complete(&refetch, Ok(&cognito_jwks()), now())
        .expect("jwks");
    assert_eq!(
        err(&v, &random),
        VerifyError::UnknownKid {
            kid: "random-1".into()
        }
    );
    let random2 = sign(
        &json!({"kid": "random-2", "alg": "RS256"}),
        &access_claims(),
    );
    let later = now() + Duration::from_secs(9);
    assert!(matches!(
        v.verify(&random2, later),
        Step::Done(Err(VerifyError::UnknownKid { .. }))
    ));
    // Known kids keep working meanwhile.
    assert!(matches!(v.verify(&token, later), Step::Done(Ok(_))));
    let after = now() + Duration::from_secs(11);
    assert!(matches!(v.verify(&random2, after), Step::Fetch(_)));
    assert_eq!(v.jwks_fetches(), 2);
}

#[test]
fn a_rotated_key_is_fetched() {
    let v = verifier(TokenUse::Access);
    let rotated = sign(&json!({"kid": "k2", "alg": "RS256"}), &access_claims());
    let Step::Fetch(fetch) = v.verify(&rotated, now()) else {
        panic!("expected a fetch")
    };
    let jwks = json!({"keys": [jwk("k2", json!({"alg": "RS256", "use": "sig"}))]}).to_string();
    v.complete(&fetch, Ok(jwks.as_bytes()), now())
        .expect("jwks");
    run(&v, &rotated).expect("new key");
}

#[test]
fn jwks_failures_are_reported_and_capped() {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .max_jwks_bytes(100)
        .build()
        .expect("config");
    let token = sign(&header(), &access_claims());
    let Step::Fetch(fetch) = v.verify(&token, now()) else {
        panic!("expected a fetch")
    };
    let unavailable = |reason| VerifyError::JwksUnavailable {
        jwks_uri: JWKS.into(),
        reason,
    };
    assert_eq!(
        v.complete(&fetch, Ok(&cognito_jwks()), now()),
        Err(unavailable(JwksError::TooLarge { limit: 100 }))
    );
    // Without keys a failed fetch may be retried at once.
    let Step::Fetch(fetch) = v.verify(&token, now()) else {
        panic!("expected a fetch")
    };
    assert_eq!(
        v.complete(&fetch, Err::<&[u8], _>(JwksError::Status(404)), now()),
        Err(unavailable(JwksError::Status(404)))
    );
    for bad in [
        &b"[]"[..],
        b"{}",
        b"{\"keys\": {}}",
        b"{\"keys\": [{\"kid\": \"k\"}]}",
        b"{\"keys\": [{\"kty\": \"RSA\", \"n\": 1}]}",
        b"\xff",
    ] {
        assert!(
            matches!(v.cache_jwks(JWKS, bad), Err(JwksError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert_eq!(
        v.verify_cached(&token, now()),
        Err(unavailable(JwksError::Transport("not fetched yet".into())))
    );
}

#[test]
fn several_pools_are_chosen_by_issuer() {
    let v: Verifier = Verifier::builder(POOL)
        .token_use(TokenUse::Access)
        .client_id("client1")
        .and_pool("us-east-1_Pool2")
        .token_use(TokenUse::Id)
        .no_client_check()
        .endpoint("http://127.0.0.1:9229/")
        .build()
        .expect("config");
    let iss2 = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool2";
    let jwks2 = "http://127.0.0.1:9229/us-east-1_Pool2/.well-known/jwks.json";
    assert_eq!(
        v.config().jwks_uris(),
        [
            JWKS,
            &JWKS.replace("cognito-idp", "issuer-cognito-idp"),
            jwks2
        ]
    );
    assert_eq!(
        v.hydrate().iter().map(|f| f.uri()).collect::<Vec<_>>(),
        v.config().jwks_uris()
    );
    v.cache_jwks(JWKS, &cognito_jwks()).expect("jwks");
    v.cache_jwks(jwks2, &cognito_jwks()).expect("jwks");
    assert_eq!(v.hydrate().len(), 1);
    run(&v, &sign(&header(), &access_claims())).expect("pool 1 access");
    let id2 = with(id_claims(), json!({"iss": iss2, "aud": "anyone"}));
    run(&v, &sign(&header(), &id2)).expect("pool 2 id, any client");
    let access2 = with(access_claims(), json!({"iss": iss2}));
    assert!(matches!(
        err(&v, &sign(&header(), &access2)),
        VerifyError::TokenUse { .. }
    ));
}

#[test]
fn configurations_must_be_explicit() {
    let build = |b: cognito_jwt::Builder<Verifier>| b.build().map(|_| ()).expect_err("refused");
    assert_eq!(
        build(Verifier::builder("nope").any_token_use().no_client_check()),
        ConfigError::InvalidPoolId("nope".into())
    );
    assert_eq!(
        build(Verifier::builder(POOL).no_client_check()),
        ConfigError::TokenUseNotSet(POOL.into())
    );
    assert_eq!(
        build(Verifier::builder(POOL).any_token_use()),
        ConfigError::ClientIdNotSet(POOL.into())
    );
    assert!(matches!(
        build(
            Verifier::builder(POOL)
                .any_token_use()
                .no_client_check()
                .and_pool(POOL)
                .any_token_use()
                .no_client_check()
        ),
        ConfigError::DuplicateIssuer(_)
    ));
}

/// Duplicate names in the header or payload: the last one wins, everywhere the verifier reads
/// them (JWS lets a parser either refuse duplicates or take the last one, and aws-jwt-verify's
/// `JSON.parse` takes the last), so the checks and the claims handed back never disagree about
/// which value was meant.
#[test]
fn duplicate_json_names_resolve_to_the_last_one_for_checks_and_claims() {
    let signed = |header: &str, payload: &str| {
        let input = format!("{}.{}", B64.encode(header), B64.encode(payload));
        let mut sig = vec![0; key().public_modulus_len()];
        key()
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .expect("sign");
        format!("{input}.{}", B64.encode(sig))
    };
    let body = access_claims().to_string();
    let body = body.trim_end_matches('}');
    let access = verifier(TokenUse::Access);
    // The checks see the last `client_id` and `token_use`, as the claims do.
    let last_wins = signed(
        r#"{"kid":"k1","alg":"RS256"}"#,
        &format!(r#"{body},"client_id":"client9","username":"mallory","client_id":"client2"}}"#),
    );
    let claims = run(&access, &last_wins).expect("verifies");
    assert_eq!(claims.client_id.as_deref(), Some("client2"));
    assert_eq!(claims.username.as_deref(), Some("mallory"));
    let not_listed = signed(
        r#"{"kid":"k1","alg":"RS256"}"#,
        &format!(r#"{body},"client_id":"client2","client_id":"client9"}}"#),
    );
    assert_eq!(
        err(&access, &not_listed),
        VerifyError::Client {
            found: Some("client9".into())
        }
    );
    let id_last = signed(
        r#"{"kid":"k1","alg":"RS256"}"#,
        &format!(r#"{body},"token_use":"id"}}"#),
    );
    assert!(matches!(
        err(&access, &id_last),
        VerifyError::TokenUse { .. }
    ));
    // In the header too: an `alg` of none after RS256 is refused, RS256 after none verifies.
    let alg_none_last = signed(
        r#"{"kid":"k1","alg":"RS256","alg":"none"}"#,
        &access_claims().to_string(),
    );
    assert_eq!(
        err(&access, &alg_none_last),
        VerifyError::Algorithm {
            found: Some("none".into())
        }
    );
    let alg_rs256_last = signed(
        r#"{"kid":"k1","alg":"none","alg":"RS256"}"#,
        &access_claims().to_string(),
    );
    run(&access, &alg_rs256_last).expect("verifies");
}
