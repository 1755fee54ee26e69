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

/// Constant-time string comparison.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}
