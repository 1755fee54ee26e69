//! A `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` challenge from a server, as the
//! `ChallengeParameters` JSON object Cognito sends (`SALT`, `SRP_B`, `SECRET_BLOCK`,
//! `USER_ID_FOR_SRP`, `USERNAME`; optional `PASSWORD`, `TIMESTAMP`, `DEVICE_GROUP_KEY`,
//! `DEVICE_KEY` choose the client's side).
//!
//! * With `SRP_B` (a hostile server): a challenge that is refused is refused for a reason the
//!   protocol gives (empty, not hex, too long, not standard base64, `B mod N = 0`), and then no
//!   signature can be made; an accepted one always yields a well-formed claim that echoes
//!   `SECRET_BLOCK` verbatim and does not depend on how the hex was written (case, leading
//!   zeros; known client bug docs/protocol.md#pitfall-3).
//! * Without `SRP_B` (an honest server): the target plays the server with the given salt,
//!   user and password, computes `B` from the verifier, and the client's signature must be
//!   exactly the one the server expects.
#![no_main]

use base64::Engine as _;
use cognito_proto::srp::{self, Ephemeral, ServerChallenge, SrpError};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use num_traits::Zero;
use serde_json::{Map, Value};

const POOL_ID: &str = "us-east-1_AbCdEfGhI";
const DEFAULT_TIMESTAMP: &str = "Tue Nov 3 07:05:22 UTC 2026";

fn param<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or("")
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Object(params)) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let user = match param(&params, "USER_ID_FOR_SRP") {
        "" => param(&params, "USERNAME"),
        id => id,
    };
    let password = match param(&params, "PASSWORD") {
        "" => "Passw0rd!",
        p => p,
    };
    let timestamp = match param(&params, "TIMESTAMP") {
        t if srp::parse_timestamp(t).is_some() => t,
        _ => DEFAULT_TIMESTAMP,
    };
    // Device SRP: realm = device group key, user = device key, password = device password.
    let device = match (
        param(&params, "DEVICE_GROUP_KEY"),
        param(&params, "DEVICE_KEY"),
    ) {
        ("", _) | (_, "") => None,
        (group, key) => Some((group, key)),
    };
    let (realm, user) = match device {
        Some((group, key)) => (group, key),
        None => (srp::pool_name(POOL_ID).expect("valid pool id"), user),
    };
    let eph = Ephemeral::from_private(BigUint::from_bytes_be(b"fuzz client private value a, 32B"))
        .expect("fixed a");
    let claim = |challenge: &ServerChallenge| match device {
        Some((group, key)) => {
            srp::device_claim_at(&eph, group, key, password, challenge, timestamp)
        }
        None => srp::password_claim_at(&eph, POOL_ID, user, password, challenge, timestamp),
    };

    let salt_hex = param(&params, "SALT");
    let block = param(&params, "SECRET_BLOCK");
    if params.contains_key("SRP_B") {
        hostile(salt_hex, param(&params, "SRP_B"), block, &claim);
    } else {
        honest(
            salt_hex, block, realm, user, password, timestamp, &eph, &claim,
        );
    }
});

fn expected_rejection(salt: &str, b: &str, block: &str) -> Option<SrpError> {
    let hex = |field, t: &str| {
        if t.is_empty() {
            Some(SrpError::Empty { field })
        } else if t.len() > 1024 {
            Some(SrpError::TooLong { field })
        } else if !t.bytes().all(|c| c.is_ascii_hexdigit()) {
            Some(SrpError::InvalidHex { field })
        } else {
            None
        }
    };
    if let Some(e) = hex("SALT", salt) {
        return Some(e);
    }
    if let Some(e) = hex("SRP_B", b) {
        return Some(e);
    }
    let b = BigUint::parse_bytes(b.as_bytes(), 16).expect("checked hex");
    if (b % srp::modulus()).is_zero() {
        return Some(SrpError::ServerKeyZero);
    }
    if block.is_empty() {
        return Some(SrpError::Empty {
            field: "SECRET_BLOCK",
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(block)
        .err()
        .map(|_| SrpError::InvalidBase64 {
            field: "SECRET_BLOCK",
        })
}

fn hostile(
    salt: &str,
    b: &str,
    block: &str,
    claim: &dyn Fn(&ServerChallenge) -> Result<srp::Claim, SrpError>,
) {
    let parsed = ServerChallenge::parse(salt, b, block);
    let challenge = match (parsed, expected_rejection(salt, b, block)) {
        (Err(got), Some(want)) => {
            assert_eq!(got, want);
            return;
        }
        (Ok(c), None) => c,
        (got, want) => panic!("parse gave {got:?}, the protocol says {want:?}"),
    };
    let claim1 = match claim(&challenge) {
        Ok(c) => c,
        Err(SrpError::ScramblerZero) => return,
        Err(other) => panic!("accepted challenge failed later: {other:?}"),
    };
    assert_eq!(claim1.signature.len(), 44);
    assert!(
        base64::engine::general_purpose::STANDARD
            .decode(&claim1.signature)
            .is_ok()
    );
    assert_eq!(claim1.secret_block, block);
    // The same integers written differently sign identically (known client bug docs/protocol.md#pitfall-3).
    let respelled = ServerChallenge::parse(
        &format!("0{}", salt.to_ascii_uppercase()),
        &format!("00{}", b.to_ascii_lowercase()),
        block,
    );
    if let Ok(respelled) = respelled {
        let again = claim(&respelled).expect("same values");
        assert_eq!(again.signature, claim1.signature);
        assert_eq!(again.key().expose_secret(), claim1.key().expose_secret());
    }
}

#[allow(clippy::too_many_arguments)]
fn honest(
    salt_hex: &str,
    block: &str,
    realm: &str,
    user: &str,
    password: &str,
    timestamp: &str,
    eph: &Ephemeral,
    claim: &dyn Fn(&ServerChallenge) -> Result<srp::Claim, SrpError>,
) {
    let Ok(salt) = srp::parse_hex("SALT", salt_hex) else {
        return;
    };
    // The server: verifier from the password, a fixed private b, B = k·v + g^b.
    let n = srp::modulus();
    let v = srp::verifier(&salt, realm, user, password);
    let b_private = BigUint::from_bytes_be(b"fuzz server private value b, 32B");
    let b_public = (srp::multiplier() * &v + srp::pow_g(&b_private)) % n;
    let challenge = match ServerChallenge::parse(salt_hex, &srp::to_hex(&b_public), block) {
        Ok(c) => c,
        Err(e) => {
            assert!(matches!(
                e,
                SrpError::Empty { .. } | SrpError::InvalidBase64 { .. }
            ));
            return;
        }
    };
    let client = match claim(&challenge) {
        Ok(c) => c,
        Err(SrpError::ScramblerZero) => return,
        Err(other) => panic!("honest challenge failed: {other:?}"),
    };
    // S = (A · v^u)^b, the key and the signature the server checks.
    let u = srp::hash_u(eph.public(), &b_public);
    let s = srp::pow_mod_n(&(eph.public() * srp::pow_mod_n(&v, &u) % n), &b_private);
    let key = srp::derive_key(&s, &u);
    let block_bytes = base64::engine::general_purpose::STANDARD
        .decode(block)
        .expect("accepted block");
    let expected = srp::claim_signature(key.expose_secret(), realm, user, &block_bytes, timestamp);
    assert_eq!(
        client.key().expose_secret(),
        key.expose_secret(),
        "keys differ"
    );
    assert_eq!(
        client.signature, expected,
        "the server would refuse this signature"
    );
    assert_eq!(client.timestamp, timestamp);
}
