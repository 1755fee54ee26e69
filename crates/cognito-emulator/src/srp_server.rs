//! The server side of Cognito's SRP-6a (docs/protocol.md#46-server-side, docs/protocol.md#47-device-srp).
//!
//! The shared primitives (N, g, k, PAD, H, x, the HKDF and the claim signature) and the
//! server-side arithmetic (B from v and b, S from A, v, u and b: `cognito_proto::srp::server`)
//! come from the core, wrapped in [`prim`]. What lives here is the handshake glue and the
//! cache of the verifiers' fixed-base tables ([`verifier_table`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cognito_proto::srp::server::VerifierTable;
use num_bigint::BigUint;
use num_traits::Zero;
use sha2::{Digest, Sha256};

/// The core's SRP primitives (`cognito_proto::srp`).
pub(crate) mod prim {
    pub use cognito_proto::srp::{
        SecretUint, claim_signature, compute_x, derive_key, hash_u, modulus, parse_timestamp,
        pow_g, secret_hash, to_hex,
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

thread_local! {
    /// A server ephemeral `(b, g^b)` computed on this thread before it took the state lock
    /// ([`prepare_ephemeral`]), for the operation that runs next on it.
    static PREPARED: std::cell::RefCell<Option<(cognito_proto::srp::SecretUint, BigUint)>> =
        const { std::cell::RefCell::new(None) };
}

/// Discards a prepared ephemeral that the operation did not use (it failed before, or took
/// another path), so that it never serves a later operation on the same thread.
pub(crate) struct PreparedEphemeral(());

impl Drop for PreparedEphemeral {
    fn drop(&mut self) {
        PREPARED.with(|p| p.borrow_mut().take());
    }
}

/// For an `InitiateAuth`/`AdminInitiateAuth` with `USER_SRP_AUTH`: draws `b` and computes
/// `g^b` (most of the work of `B`) before the operation takes the state lock, so that
/// handshakes start in parallel. A seeded emulator draws `b` from its own generator under the
/// lock instead, as before, so that its runs stay reproducible.
pub(crate) fn prepare_ephemeral(
    seeded: bool,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Option<PreparedEphemeral> {
    if body.get("AuthFlow").and_then(serde_json::Value::as_str) != Some("USER_SRP_AUTH") {
        return None;
    }
    if seeded {
        return None;
    }
    let b = loop {
        let b = BigUint::from_bytes_be(&crate::util::random_bytes(32));
        if !b.is_zero() {
            break cognito_proto::srp::SecretUint::new(b);
        }
    };
    let g_b = cognito_proto::srp::server::pow_g_secret(b.expose_secret());
    PREPARED.with(|p| *p.borrow_mut() = Some((b, g_b)));
    Some(PreparedEphemeral(()))
}

/// The server's ephemeral: `b` and `B = (k·v + g^b) mod N` (from the prepared `g^b` when
/// there is one).
pub(crate) fn server_ephemeral(v: &BigUint) -> (cognito_proto::srp::SecretUint, BigUint) {
    if let Some((b, g_b)) = PREPARED.with(|p| p.borrow_mut().take()) {
        let big_b = cognito_proto::srp::server::public_key_from(v, &g_b);
        if !big_b.is_zero() {
            return (b, big_b);
        }
    }
    loop {
        let b = BigUint::from_bytes_be(&crate::util::random_bytes(32));
        if b.is_zero() {
            continue;
        }
        let big_b = cognito_proto::srp::server::public_key(v, &b);
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
    let s = cognito_proto::srp::server::premaster(a, &verifier_table(v), &u, b);
    let s = cognito_proto::srp::SecretUint::new(s);
    let key = prim::derive_key(s.expose_secret(), &u);
    Some(prim::claim_signature(
        key.expose_secret(),
        realm,
        user,
        secret_block,
        timestamp,
    ))
}

/// Verifiers' fixed-base tables, kept for the users who sign in.
///
/// A table makes `v^u` about five times cheaper and costs a little more to build than one
/// plain `v^u`, so a verifier gets one on its first handshake; it takes 52 KiB, so at most
/// [`TABLES_PER_SHARD`] × [`SHARDS`] tables are kept (52 MiB), the least recently used going
/// first. Sharded so that handshakes of different users do not wait for each other.
struct TableCache {
    shards: Vec<Mutex<Shard>>,
}

/// The process's table cache (tables are pure functions of `v`, so one cache serves every
/// emulator of the process).
static CACHE: OnceLock<TableCache> = OnceLock::new();

/// Number of independently locked parts of the cache.
const SHARDS: usize = 16;
/// Tables kept per shard: 1024 tables in all.
const TABLES_PER_SHARD: usize = 64;

#[derive(Default)]
struct Shard {
    /// Verifier digest → its table and when it was last used.
    tables: HashMap<[u8; 32], (Arc<VerifierTable>, u64)>,
    /// Use counter (the clock of the least-recently-used choice).
    tick: u64,
}

/// The fixed-base table of `v`, from the cache or built (outside the cache's locks) and kept.
pub(crate) fn verifier_table(v: &BigUint) -> Arc<VerifierTable> {
    let cache = CACHE.get_or_init(|| TableCache {
        shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
    });
    // The table is a pure function of v, so a digest of v is a safe key across pools and
    // emulator instances.
    let key: [u8; 32] = Sha256::digest(v.to_bytes_be()).into();
    let shard = &cache.shards[usize::from(key[0]) % SHARDS];
    {
        let mut sh = shard.lock().unwrap_or_else(|p| p.into_inner());
        sh.tick += 1;
        let tick = sh.tick;
        if let Some((table, used)) = sh.tables.get_mut(&key) {
            *used = tick;
            return table.clone();
        }
    }
    // Built without the shard's lock: other verifiers of the shard go on meanwhile.
    let table = Arc::new(VerifierTable::new(v));
    let mut sh = shard.lock().unwrap_or_else(|p| p.into_inner());
    if sh.tables.len() >= TABLES_PER_SHARD
        && let Some(oldest) = sh
            .tables
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(k, _)| *k)
    {
        sh.tables.remove(&oldest);
    }
    let tick = sh.tick;
    sh.tables.insert(key, (table.clone(), tick));
    table
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

/// Constant-time string comparison.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_keeps_its_table() {
        let v = prim::pow_g(&BigUint::from(0x5eed_7ab1e_u64));
        let first = verifier_table(&v);
        let second = verifier_table(&v);
        assert!(Arc::ptr_eq(&first, &second));
        let u = BigUint::from(0xfeed_u32) << 200;
        assert_eq!(second.pow(&u), cognito_proto::srp::pow_mod_n(&v, &u));
    }

    #[test]
    fn the_cache_stays_bounded() {
        // Verifiers whose digests land in one shard: that shard never holds more than its
        // share of tables, and keeps the most recently used.
        let mut in_shard = Vec::new();
        let mut e = 1u64;
        while in_shard.len() < TABLES_PER_SHARD + 8 {
            let v = prim::pow_g(&BigUint::from(e << 20));
            let key: [u8; 32] = Sha256::digest(v.to_bytes_be()).into();
            if usize::from(key[0]) % SHARDS == 3 {
                in_shard.push(v);
            }
            e += 1;
        }
        for v in &in_shard {
            verifier_table(v);
        }
        let cache = CACHE.get().expect("cache built");
        let shard = cache.shards[3].lock().expect("shard");
        assert!(shard.tables.len() <= TABLES_PER_SHARD);
        let last: [u8; 32] = Sha256::digest(in_shard[in_shard.len() - 1].to_bytes_be()).into();
        assert!(shard.tables.contains_key(&last));
    }
}
