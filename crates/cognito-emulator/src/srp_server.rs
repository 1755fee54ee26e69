//! The server side of Cognito's SRP-6a (docs/protocol.md#46-server-side, docs/protocol.md#47-device-srp).
//!
//! The shared primitives (N, g, k, PAD, H, x, the HKDF and the claim signature) come from the
//! core (`cognito_proto::srp`, wrapped in [`prim`]); the server-side arithmetic (B from v and
//! b, S from A, v, u and b) lives here.

use num_bigint::BigUint;
use num_traits::Zero;

/// The core's SRP primitives (`cognito_proto::srp`).
pub(crate) mod prim {
    pub use cognito_proto::srp::{
        SecretUint, claim_signature, compute_x, derive_key, hash_u, modulus, multiplier,
        parse_timestamp, pow_g, pow_mod_n, secret_hash, to_hex,
    };
}

/// Upper bound on the hex digits of `SRP_A` (768 for N, plus slack for leading zeros).
pub(crate) const MAX_SRP_A_HEX: usize = 1024;

/// Parses and checks a client's `SRP_A`: hex, bounded length, `A mod N != 0`.
pub(crate) fn parse_srp_a(hex: &str) -> Option<BigUint> {
    if hex.is_empty() || hex.len() > MAX_SRP_A_HEX || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let a = BigUint::parse_bytes(hex.as_bytes(), 16)?;
    if (&a % prim::modulus()).is_zero() {
        return None;
    }
    Some(a)
}

/// The server's ephemeral: `b` and `B = (k·v + g^b) mod N`.
pub(crate) fn server_ephemeral(v: &BigUint) -> (cognito_proto::srp::SecretUint, BigUint) {
    loop {
        let b = BigUint::from_bytes_be(&crate::util::random_bytes(32));
        if b.is_zero() {
            continue;
        }
        let n = prim::modulus();
        let big_b = (prim::multiplier() * v + prim::pow_g(&b)) % n;
        if !big_b.is_zero() {
            return (cognito_proto::srp::SecretUint::new(b), big_b);
        }
    }
}

/// The expected claim signature for a handshake, or `None` when `u = 0`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expected_signature(
    a: &BigUint,
    b: &BigUint,
    big_b: &BigUint,
    v: &BigUint,
    realm: &str,
    user: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Option<String> {
    let u = prim::hash_u(a, big_b);
    if u.is_zero() {
        return None;
    }
    let n = prim::modulus();
    let base = (a * prim::pow_mod_n(v, &u)) % n;
    let s = cognito_proto::srp::SecretUint::new(prim::pow_mod_n(&base, b));
    let key = prim::derive_key(s.expose_secret(), &u);
    Some(prim::claim_signature(
        key.expose_secret(),
        realm,
        user,
        secret_block,
        timestamp,
    ))
}

/// A claim signature computed before the operation took the state lock: the SRP arithmetic of
/// a `*_PASSWORD_VERIFIER` answer (two 3072-bit powers) is most of its CPU, and done outside
/// the lock, handshakes of different sessions verify in parallel.
#[derive(Clone, Debug)]
pub(crate) struct PrecomputedClaim {
    /// Identifies the handshake: its secret block is 128 random bytes, unique per handshake,
    /// and a handshake never changes once created.
    pub secret_block_b64: String,
    pub timestamp: String,
    /// `None` when `u = 0`.
    pub expected: Option<String>,
}

/// The first phase of a `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` answer: find the
/// handshake under a short lock, then compute the expected signature without it. The
/// operation itself runs later under the lock as always, checks everything again, and uses
/// this result only for the same handshake (see `verify_claim`).
pub(crate) fn precompute_claim(
    shared: &crate::Shared,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Option<PrecomputedClaim> {
    use serde_json::Value;
    let name = body.get("ChallengeName")?.as_str()?;
    if name != "PASSWORD_VERIFIER" && name != "DEVICE_PASSWORD_VERIFIER" {
        return None;
    }
    let answers = body.get("ChallengeResponses")?.as_object()?;
    let text = |k: &str| answers.get(k).and_then(Value::as_str);
    let timestamp = text("TIMESTAMP")?;
    let block = text("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let hs = {
        let st = shared.lock();
        let sid = match body.get("Session").and_then(Value::as_str) {
            Some(s) => s.to_string(),
            None => st.secret_blocks.get(block)?.clone(),
        };
        match &st.sessions.get(&sid)?.step {
            crate::state::Step::PasswordVerifier(hs)
            | crate::state::Step::DevicePasswordVerifier(hs, _) => hs.clone(),
            _ => return None,
        }
    };
    if !ct_eq(block, &hs.secret_block_b64) || prim::parse_timestamp(timestamp).is_none() {
        return None;
    }
    let expected = expected_signature(
        &hs.a,
        hs.b.expose_secret(),
        &hs.big_b,
        &hs.v,
        &hs.realm,
        &hs.user,
        &hs.secret_block,
        timestamp,
    );
    Some(PrecomputedClaim {
        secret_block_b64: hs.secret_block_b64.clone(),
        timestamp: timestamp.to_string(),
        expected,
    })
}

/// Constant-time string comparison.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}
