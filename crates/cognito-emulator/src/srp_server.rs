//! The server side of Cognito's SRP-6a (§4.6, §4.7 of the protocol doc).
//!
//! The shared primitives (N, g, k, PAD, H, x, the HKDF and the claim signature) come from the
//! core (`cognito_proto::srp`, wrapped in [`prim`]); the server-side arithmetic (B from v and
//! b, S from A, v, u and b) lives here.

use num_bigint::BigUint;
use num_traits::Zero;

/// Thin wrappers over the core's SRP primitives.
pub(crate) mod prim {
    pub use super::local::*;
}

#[allow(dead_code)]
mod local {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use hmac::{Hmac, KeyInit, Mac};
    use num_bigint::BigUint;
    use sha2::{Digest, Sha256};
    use std::sync::OnceLock;

    const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

    pub fn modulus() -> &'static BigUint {
        static N: OnceLock<BigUint> = OnceLock::new();
        N.get_or_init(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default())
    }
    pub fn multiplier() -> &'static BigUint {
        static K: OnceLock<BigUint> = OnceLock::new();
        K.get_or_init(|| {
            let mut h = Sha256::new();
            h.update(pad(modulus()));
            h.update(pad(&BigUint::from(2u32)));
            BigUint::from_bytes_be(&h.finalize())
        })
    }
    pub fn pow_g(e: &BigUint) -> BigUint {
        BigUint::from(2u32).modpow(e, modulus())
    }
    pub fn pow_mod_n(b: &BigUint, e: &BigUint) -> BigUint {
        b.modpow(e, modulus())
    }
    pub fn pad(x: &BigUint) -> Vec<u8> {
        let b = x.to_bytes_be();
        if b.first().is_some_and(|f| f & 0x80 != 0) {
            let mut v = vec![0u8];
            v.extend(b);
            v
        } else {
            b
        }
    }
    pub fn to_hex(x: &BigUint) -> String {
        x.to_str_radix(16)
    }
    pub fn hash_u(a: &BigUint, b: &BigUint) -> BigUint {
        let mut h = Sha256::new();
        h.update(pad(a));
        h.update(pad(b));
        BigUint::from_bytes_be(&h.finalize())
    }
    pub fn compute_x(salt: &BigUint, realm: &str, user: &str, password: &str) -> BigUint {
        let inner = Sha256::digest(format!("{realm}{user}:{password}").as_bytes());
        let mut h = Sha256::new();
        h.update(pad(salt));
        h.update(inner);
        BigUint::from_bytes_be(&h.finalize())
    }
    pub fn verifier(salt: &BigUint, realm: &str, user: &str, password: &str) -> BigUint {
        pow_g(&compute_x(salt, realm, user, password))
    }
    pub fn derive_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&pad(u)).expect("hmac");
        m.update(&pad(s));
        let prk = m.finalize().into_bytes();
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&prk).expect("hmac");
        m.update(b"Caldera Derived Key\x01");
        let okm = m.finalize().into_bytes();
        let mut k = [0u8; 16];
        k.copy_from_slice(&okm[..16]);
        k
    }
    pub fn claim_signature(
        key: &[u8; 16],
        realm: &str,
        user: &str,
        block: &[u8],
        ts: &str,
    ) -> String {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("hmac");
        m.update(realm.as_bytes());
        m.update(user.as_bytes());
        m.update(block);
        m.update(ts.as_bytes());
        STANDARD.encode(m.finalize().into_bytes())
    }
    pub fn secret_hash(username: &str, client_id: &str, secret: &str) -> String {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("hmac");
        m.update(username.as_bytes());
        m.update(client_id.as_bytes());
        STANDARD.encode(m.finalize().into_bytes())
    }

    const WD: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }
    fn civil_from_days(z: i64) -> (i64, i64, i64) {
        let z = z + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (if m <= 2 { y + 1 } else { y }, m, d)
    }
    pub fn format_timestamp(t: u64) -> String {
        let days = (t / 86400) as i64;
        let rem = t % 86400;
        let (y, m, d) = civil_from_days(days);
        let wd = WD[((days + 4).rem_euclid(7)) as usize];
        format!(
            "{wd} {} {d} {:02}:{:02}:{:02} UTC {y}",
            MO[(m - 1) as usize],
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
    pub fn parse_timestamp(s: &str) -> Option<u64> {
        let p: Vec<&str> = s.split(' ').collect();
        if p.len() != 6 || p[4] != "UTC" {
            return None;
        }
        let wd = WD.iter().position(|w| *w == p[0])?;
        let m = MO.iter().position(|w| *w == p[1])? as i64 + 1;
        if p[2].is_empty() || p[2].starts_with('0') || p[2].len() > 2 {
            return None;
        }
        let d: i64 = p[2].parse().ok()?;
        let hms: Vec<&str> = p[3].split(':').collect();
        if hms.len() != 3 || hms.iter().any(|x| x.len() != 2) {
            return None;
        }
        let h: u64 = hms[0].parse().ok()?;
        let mi: u64 = hms[1].parse().ok()?;
        let se: u64 = hms[2].parse().ok()?;
        if p[5].len() != 4 || !p[5].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let y: i64 = p[5].parse().ok()?;
        if h > 23 || mi > 59 || se > 59 || !(1..=31).contains(&d) {
            return None;
        }
        let days = days_from_civil(y, m, d);
        if civil_from_days(days) != (y, m, d) || ((days + 4).rem_euclid(7)) as usize != wd {
            return None;
        }
        u64::try_from(days)
            .ok()
            .map(|d| d * 86400 + h * 3600 + mi * 60 + se)
    }
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
pub(crate) fn server_ephemeral(v: &BigUint) -> (BigUint, BigUint) {
    loop {
        let b = BigUint::from_bytes_be(&crate::util::random_bytes(32));
        if b.is_zero() {
            continue;
        }
        let n = prim::modulus();
        let big_b = (prim::multiplier() * v + prim::pow_g(&b)) % n;
        if !big_b.is_zero() {
            return (b, big_b);
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
    let s = prim::pow_mod_n(&base, b);
    let key = prim::derive_key(&s, &u);
    Some(prim::claim_signature(
        &key,
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
