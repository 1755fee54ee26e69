//! The token verifier of `cognito-jwt`: parser, checks and JWKS parsing.
//!
//! The first input byte picks a mode:
//! * `0`: the rest is a token, verified against a JWKS with the emulator's key: it is never
//!   accepted (nobody can forge a signature), never panics, and the error never contains it;
//!   the same bytes parsed as a JWKS document never panic;
//! * `1`: the rest is a payload as JSON text, signed by the emulator's access key: the verdict
//!   must match an oracle written from the rules (issuer, token use, client, `exp`/`nbf`
//!   times, claim types), and accepted claims keep every claim given;
//! * `2`: the rest edits a valid token (position, xor byte pairs): the result verifies iff
//!   the edit changed nothing.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use cognito_emulator::{Emulator, PoolConfig, Service, SigningKeys};
use cognito_jwt::{Step, TokenUse, Verifier, VerifyError};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const NOW: u64 = 1_800_000_000;

/// More than the longest text a `VerifyError` shows (Display, then Debug) without any value
/// taken from the token: "malformed token: not exactly 3 non-empty dot-separated parts
/// (header, payload, signature) Malformed(Segments)" is 109 bytes.
const LONGEST_FIXED_WORDING: usize = 160;

struct Fixture {
    service: Service,
    pool_id: String,
    iss: String,
    client: &'static str,
    verifier: Verifier,
    valid: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let service = Emulator::builder()
            .signing_keys(SigningKeys::from_seed(7).expect("keys"))
            .build_service()
            .expect("service");
        let pool = service.create_pool(PoolConfig::default()).expect("pool");
        let client = "fuzzclient";
        let verifier: Verifier = Verifier::builder(&pool.pool_id)
            .token_use(TokenUse::Access)
            .client_id(client)
            .build()
            .expect("verifier");
        // The JWKS the emulator serves, through its HTTP handler.
        let request = http::Request::get(format!("/{}/.well-known/jwks.json", pool.pool_id))
            .body(Vec::new())
            .expect("request");
        let jwks = service.handle(&request).response().expect("jwks response");
        let uri = format!("{}/.well-known/jwks.json", pool.issuer);
        verifier.cache_jwks(&uri, jwks.body()).expect("jwks parses");
        let claims = json!({"iss": pool.issuer, "token_use": "access", "client_id": client,
            "exp": NOW + 60, "username": "u"});
        let valid = sign(&service, &pool.pool_id, claims.as_object().expect("object"));
        Fixture {
            service,
            pool_id: pool.pool_id,
            iss: pool.issuer,
            client,
            verifier,
            valid,
        }
    })
}

fn sign(service: &Service, pool_id: &str, claims: &Map<String, Value>) -> String {
    service
        .sign_token(pool_id, true, &Map::new(), claims)
        .expect("signed")
}

fn verify(token: &str) -> Result<cognito_jwt::Claims, VerifyError> {
    match fixture().verifier.verify(token, Duration::from_secs(NOW)) {
        Step::Done(r) => r,
        // The only key is cached; an unknown kid asks for a refetch.
        Step::Fetch(_) => Err(VerifyError::UnknownKid { kid: String::new() }),
    }
}

fn string_or_absent(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).is_none_or(Value::is_string)
}

fn number(m: &Map<String, Value>, k: &str) -> Option<f64> {
    m.get(k).and_then(Value::as_f64)
}

/// Whether the verifier must accept a correctly signed token with these claims.
fn expected(m: &Map<String, Value>, f: &Fixture) -> bool {
    let now = NOW as f64;
    let times_typed = ["exp", "nbf", "iat"].iter().all(|k| {
        m.get(*k)
            .is_none_or(|v| v.as_f64().is_some_and(f64::is_finite))
    });
    let aud_typed = match m.get("aud") {
        None | Some(Value::String(_)) => true,
        Some(Value::Array(a)) => a.iter().all(Value::is_string),
        _ => false,
    };
    times_typed
        && aud_typed
        && ["iss", "sub", "jti", "scope"]
            .iter()
            .all(|k| string_or_absent(m, k))
        && m.get("iss").and_then(Value::as_str) == Some(f.iss.as_str())
        && m.get("token_use").and_then(Value::as_str) == Some("access")
        && m.get("client_id").and_then(Value::as_str) == Some(f.client)
        && number(m, "exp").is_some_and(|e| e >= now)
        && number(m, "nbf").is_none_or(|n| n <= now)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    match mode % 3 {
        0 => {
            let token = String::from_utf8_lossy(rest);
            match verify(&token) {
                Ok(_) => panic!("an unsigned input was accepted"),
                Err(e) => {
                    // An error's text is fixed wording plus values read from the token. A
                    // token no longer than the fixed wording can be a piece of that wording
                    // (the fuzzer learns it from the comparison below), so only longer ones
                    // prove an echo.
                    if token.len() > LONGEST_FIXED_WORDING {
                        assert!(!format!("{e} {e:?}").contains(&*token));
                    }
                }
            }
            let _ = cognito_jwt::KeySet::parse(rest);
        }
        1 => {
            // `$ISS` stands for the pool's issuer, which seeds cannot know.
            let text = String::from_utf8_lossy(rest).replace("$ISS", &f.iss);
            let Ok(Value::Object(claims)) = serde_json::from_str::<Value>(&text) else {
                return;
            };
            let token = sign(&f.service, &f.pool_id, &claims);
            let verdict = verify(&token);
            let fits = token.len() <= cognito_jwt::MAX_TOKEN_BYTES;
            assert_eq!(
                verdict.is_ok(),
                fits && expected(&claims, f),
                "{verdict:?} for {claims:?}"
            );
            if let Ok(c) = verdict {
                let back = c.to_json();
                for (k, v) in &claims {
                    let same = match (v, &back[k]) {
                        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                        (a, b) => a == b,
                    };
                    assert!(same, "claim {k} changed: {v} -> {}", back[k]);
                }
            }
        }
        _ => {
            let mut bytes = f.valid.clone().into_bytes();
            for pair in rest.chunks_exact(3) {
                let pos = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % bytes.len();
                bytes[pos] ^= pair[2];
            }
            let Ok(token) = String::from_utf8(bytes) else {
                return;
            };
            let verdict = verify(&token);
            if token == f.valid {
                assert!(verdict.is_ok(), "{verdict:?}");
            } else {
                assert!(verdict.is_err(), "an edited token was accepted");
            }
        }
    }
});
