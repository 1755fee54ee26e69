//! SRP-6a exactly as Amazon Cognito implements it, byte for byte.
//!
//! Both sides hash byte strings made from integers with [`pad`] (Cognito's `padHex`: the
//! minimal big-endian two's-complement encoding), never the hex text received on the wire.
//! Everything here is pure: randomness comes in as a [`rand_core::CryptoRng`], time as Unix
//! seconds. Server input is parsed strictly: hex that is not hex, an empty field, base64 that
//! is not standard padded base64, `B mod N = 0` or `u = 0` are [`SrpError`]s, never a panic and
//! never a silently wrong signature.
//!
//! The server side of the arithmetic (`B`, and `S` from `A` and the verifier) is in
//! `srp::server`, behind the `server` feature: a server (the emulator) needs it, a client does
//! not. It shares the client's Montgomery arithmetic and comb tables.

mod modexp;
mod timestamp;

#[cfg(feature = "server")]
pub use modexp::server;
pub use modexp::{pow_g, pow_mod_n};
pub use timestamp::{format_timestamp, parse_timestamp};

use crate::secret::{Secret, SecretString};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use num_bigint::BigUint;
use num_traits::Zero;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::OnceLock;

/// The 3072-bit prime of RFC 5054 Appendix A, in hex.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// HKDF `info` of Cognito's key derivation.
const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// Bytes of the client's private value `a` (Amplify uses 128).
const PRIVATE_BYTES: usize = 128;

/// Longest hex integer accepted from the server (twice the size of N, plus slack): bounds
/// the work an attacker can cause before any check.
const MAX_HEX_DIGITS: usize = 1024;

/// The group modulus N.
pub fn modulus() -> &'static BigUint {
    static N: OnceLock<BigUint> = OnceLock::new();
    N.get_or_init(|| BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default())
}

/// The generator g = 2.
pub fn generator() -> &'static BigUint {
    static G: OnceLock<BigUint> = OnceLock::new();
    G.get_or_init(|| BigUint::from(2u8))
}

/// The SRP-6a multiplier k = H(PAD(N) ‖ PAD(g)).
pub fn multiplier() -> &'static BigUint {
    static K: OnceLock<BigUint> = OnceLock::new();
    K.get_or_init(|| hash_to_int(&[&pad(modulus()), &pad(generator())]))
}

/// Cognito's `padHex` as bytes: the minimal big-endian two's-complement encoding of a
/// non-negative integer (a leading `00` when the top bit is set; zero is one `00` byte).
pub fn pad(n: &BigUint) -> Vec<u8> {
    let bytes = n.to_bytes_be();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        let mut out = Vec::with_capacity(bytes.len() + 1);
        out.push(0);
        out.extend_from_slice(&bytes);
        out
    } else {
        bytes
    }
}

/// Plain lowercase hex without leading zeros, as `SRP_A` goes on the wire.
pub fn to_hex(n: &BigUint) -> String {
    n.to_str_radix(16)
}

/// Parses a hex integer from the server (`SALT`, `SRP_B`, `SRP_A` on the server side).
/// Leading zeros are allowed (the value is re-encoded with [`pad`] before hashing); anything
/// that is not a non-empty run of hex digits is an error.
pub fn parse_hex(field: &'static str, text: &str) -> Result<BigUint, SrpError> {
    if text.is_empty() {
        return Err(SrpError::Empty { field });
    }
    if text.len() > MAX_HEX_DIGITS {
        return Err(SrpError::TooLong { field });
    }
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex { field });
    }
    BigUint::parse_bytes(text.as_bytes(), 16).ok_or(SrpError::InvalidHex { field })
}

/// Decodes standard, padded base64 (`SECRET_BLOCK`). URL-safe or unpadded input is an error.
pub fn parse_base64(field: &'static str, text: &str) -> Result<Vec<u8>, SrpError> {
    if text.is_empty() {
        return Err(SrpError::Empty { field });
    }
    BASE64
        .decode(text)
        .map_err(|_| SrpError::InvalidBase64 { field })
}

/// The pool name used in SRP: the part of `region_name` after the first `_`.
pub fn pool_name(user_pool_id: &str) -> Result<&str, SrpError> {
    match user_pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() => Ok(name),
        _ => Err(SrpError::InvalidPoolId),
    }
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&sha256(parts))
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The scrambling parameter u = H(PAD(A) ‖ PAD(B)).
pub fn hash_u(a: &BigUint, b: &BigUint) -> BigUint {
    hash_to_int(&[&pad(a), &pad(b)])
}

/// The private key x = H(PAD(salt) ‖ H(realm ‖ user ‖ ":" ‖ password)).
///
/// For a user, `realm` is the pool name and `user` is `USER_ID_FOR_SRP`; for a device, `realm`
/// is the device group key, `user` the device key and `password` the device password.
pub fn compute_x(salt: &BigUint, realm: &str, user: &str, password: &str) -> SecretUint {
    let inner = Secret::new(sha256(&[
        realm.as_bytes(),
        user.as_bytes(),
        b":",
        password.as_bytes(),
    ]));
    SecretUint(hash_to_int(&[&pad(salt), inner.expose_secret()]))
}

/// The verifier v = g^x that a server stores instead of the password.
pub fn verifier(salt: &BigUint, realm: &str, user: &str, password: &str) -> BigUint {
    pow_g(compute_x(salt, realm, user, password).expose_secret())
}

/// The 16-byte session key: HKDF-SHA256 with salt PAD(u), key material PAD(S) and info
/// `Caldera Derived Key`.
pub fn derive_key(s: &BigUint, u: &BigUint) -> Secret<[u8; 16]> {
    let ikm = Secret::new(pad(s));
    let prk = Secret::new(hmac_sha256(&pad(u), &[ikm.expose_secret()]));
    let okm = Secret::new(hmac_sha256(prk.expose_secret(), &[HKDF_INFO, &[1]]));
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm.expose_secret()[..16]);
    Secret::new(key)
}

/// `PASSWORD_CLAIM_SIGNATURE`: base64(HMAC-SHA256(K, realm ‖ user ‖ secret block ‖ timestamp)).
pub fn claim_signature(
    key: &[u8; 16],
    realm: &str,
    user: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    BASE64.encode(hmac_sha256(
        key,
        &[
            realm.as_bytes(),
            user.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    ))
}

/// `SECRET_HASH` = base64(HMAC-SHA256(client secret, username ‖ client id)).
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    BASE64.encode(hmac_sha256(
        client_secret.as_bytes(),
        &[username.as_bytes(), client_id.as_bytes()],
    ))
}

/// A big integer that must not outlive its use: redacted in `Debug` and overwritten on drop.
///
/// num-bigint offers no zeroizing type; on drop the digits are overwritten in place through
/// `assign_from_slice` with zeros covering the value's length, which reuses the existing
/// allocation (best effort: copies made by arithmetic along the way are not reachable).
pub struct SecretUint(BigUint);

impl SecretUint {
    /// Wraps a value.
    pub fn new(value: BigUint) -> Self {
        SecretUint(value)
    }

    /// Reads the value.
    pub fn expose_secret(&self) -> &BigUint {
        &self.0
    }
}

impl Drop for SecretUint {
    fn drop(&mut self) {
        let words = self.0.bits().div_ceil(32) as usize;
        self.0.assign_from_slice(&vec![0u32; words]);
    }
}

impl fmt::Debug for SecretUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The client's ephemeral key pair: private `a` and public `A = g^a mod N`.
///
/// `A` does not depend on the password, so it can be computed before the user types it.
#[derive(Debug)]
pub struct Ephemeral {
    a: SecretUint,
    public: BigUint,
}

impl Ephemeral {
    /// Draws `a` (128 bytes) from `rng`, retrying in the (astronomically unlikely) case that
    /// `A mod N = 0`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        loop {
            let mut bytes = Secret::new([0u8; PRIVATE_BYTES]);
            rng.fill_bytes(bytes.expose_secret_mut());
            if let Ok(eph) = Self::from_private(BigUint::from_bytes_be(bytes.expose_secret())) {
                return eph;
            }
        }
    }

    /// Uses a given private value (test vectors). Fails when `A mod N = 0`.
    pub fn from_private(a: BigUint) -> Result<Self, SrpError> {
        let public = pow_g(&a);
        if public.is_zero() {
            return Err(SrpError::PublicKeyZero);
        }
        Ok(Ephemeral {
            a: SecretUint(a),
            public,
        })
    }

    /// `A`.
    pub fn public(&self) -> &BigUint {
        &self.public
    }

    /// `SRP_A` as sent on the wire: minimal lowercase hex.
    pub fn public_hex(&self) -> String {
        to_hex(&self.public)
    }
}

/// The server's side of a `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER` challenge, parsed
/// and validated.
#[derive(Clone, Debug)]
pub struct ServerChallenge {
    salt: BigUint,
    b: BigUint,
    secret_block: Vec<u8>,
    secret_block_b64: String,
}

impl ServerChallenge {
    /// Parses `SALT` and `SRP_B` (hex) and `SECRET_BLOCK` (standard base64). Rejects
    /// `B mod N = 0`.
    pub fn parse(
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
    ) -> Result<Self, SrpError> {
        let salt = parse_hex("SALT", salt_hex)?;
        let b = parse_hex("SRP_B", srp_b_hex)?;
        if (&b % modulus()).is_zero() {
            return Err(SrpError::ServerKeyZero);
        }
        let secret_block = parse_base64("SECRET_BLOCK", secret_block_b64)?;
        Ok(ServerChallenge {
            salt,
            b,
            secret_block,
            secret_block_b64: secret_block_b64.to_owned(),
        })
    }

    /// The salt.
    pub fn salt(&self) -> &BigUint {
        &self.salt
    }

    /// `B`.
    pub fn server_public(&self) -> &BigUint {
        &self.b
    }

    /// `SECRET_BLOCK` exactly as received, to echo as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub fn secret_block_b64(&self) -> &str {
        &self.secret_block_b64
    }
}

/// The answer to a verifier challenge.
#[derive(Debug)]
pub struct Claim {
    /// `TIMESTAMP` as signed.
    pub timestamp: String,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub signature: String,
    /// `PASSWORD_CLAIM_SECRET_BLOCK` (the challenge's `SECRET_BLOCK`, verbatim).
    pub secret_block: String,
    key: Secret<[u8; 16]>,
}

impl Claim {
    /// The HKDF-derived session key (exposed for tests and vectors).
    pub fn key(&self) -> &Secret<[u8; 16]> {
        &self.key
    }
}

/// Answers `PASSWORD_VERIFIER` for `user_id_for_srp` at `now_unix`.
pub fn password_claim(
    eph: &Ephemeral,
    user_pool_id: &str,
    user_id_for_srp: &str,
    password: &str,
    challenge: &ServerChallenge,
    now_unix: u64,
) -> Result<Claim, SrpError> {
    let timestamp = format_timestamp(now_unix);
    password_claim_at(
        eph,
        user_pool_id,
        user_id_for_srp,
        password,
        challenge,
        &timestamp,
    )
}

/// [`password_claim`] with an exact `TIMESTAMP` string.
pub fn password_claim_at(
    eph: &Ephemeral,
    user_pool_id: &str,
    user_id_for_srp: &str,
    password: &str,
    challenge: &ServerChallenge,
    timestamp: &str,
) -> Result<Claim, SrpError> {
    let realm = pool_name(user_pool_id)?;
    claim(eph, realm, user_id_for_srp, password, challenge, timestamp)
}

/// Answers `DEVICE_PASSWORD_VERIFIER` for a remembered device at `now_unix`.
pub fn device_claim(
    eph: &Ephemeral,
    device_group_key: &str,
    device_key: &str,
    device_password: &str,
    challenge: &ServerChallenge,
    now_unix: u64,
) -> Result<Claim, SrpError> {
    let timestamp = format_timestamp(now_unix);
    device_claim_at(
        eph,
        device_group_key,
        device_key,
        device_password,
        challenge,
        &timestamp,
    )
}

/// [`device_claim`] with an exact `TIMESTAMP` string.
pub fn device_claim_at(
    eph: &Ephemeral,
    device_group_key: &str,
    device_key: &str,
    device_password: &str,
    challenge: &ServerChallenge,
    timestamp: &str,
) -> Result<Claim, SrpError> {
    claim(
        eph,
        device_group_key,
        device_key,
        device_password,
        challenge,
        timestamp,
    )
}

fn claim(
    eph: &Ephemeral,
    realm: &str,
    user: &str,
    password: &str,
    challenge: &ServerChallenge,
    timestamp: &str,
) -> Result<Claim, SrpError> {
    let n = modulus();
    let u = hash_u(&eph.public, &challenge.b);
    if u.is_zero() {
        return Err(SrpError::ScramblerZero);
    }
    let x = compute_x(&challenge.salt, realm, user, password);
    let kgx = (multiplier() * pow_g(x.expose_secret())) % n;
    // B - k·g^x, brought into [0, N) before exponentiating.
    let base = ((&challenge.b % n) + n - kgx) % n;
    let exponent = SecretUint(eph.a.expose_secret() + &u * x.expose_secret());
    let s = SecretUint(pow_mod_n(&base, exponent.expose_secret()));
    let key = derive_key(s.expose_secret(), &u);
    let signature = claim_signature(
        key.expose_secret(),
        realm,
        user,
        &challenge.secret_block,
        timestamp,
    );
    Ok(Claim {
        timestamp: timestamp.to_owned(),
        signature,
        secret_block: challenge.secret_block_b64.clone(),
        key,
    })
}

/// What `ConfirmDevice` needs, and the device password to keep for later device sign-ins.
#[derive(Debug)]
pub struct DeviceRegistration {
    /// The random device password: base64 of 40 random bytes. Store it with the device key.
    pub device_password: SecretString,
    /// `DeviceSecretVerifierConfig.Salt`: base64(PAD(salt)).
    pub salt_b64: String,
    /// `DeviceSecretVerifierConfig.PasswordVerifier`: base64(PAD(g^x)).
    pub verifier_b64: String,
}

/// Creates a device password, salt and verifier for `ConfirmDevice` from `rng`.
pub fn register_device<R: CryptoRng + ?Sized>(
    rng: &mut R,
    device_group_key: &str,
    device_key: &str,
) -> DeviceRegistration {
    let mut password = Secret::new([0u8; 40]);
    let mut salt = [0u8; 16];
    rng.fill_bytes(password.expose_secret_mut());
    rng.fill_bytes(&mut salt);
    register_device_with(
        password.expose_secret(),
        &salt,
        device_group_key,
        device_key,
    )
}

/// [`register_device`] from given random bytes (test vectors).
pub fn register_device_with(
    password_bytes: &[u8; 40],
    salt_bytes: &[u8; 16],
    device_group_key: &str,
    device_key: &str,
) -> DeviceRegistration {
    let device_password = SecretString::new(BASE64.encode(password_bytes));
    let salt = BigUint::from_bytes_be(salt_bytes);
    let v = verifier(
        &salt,
        device_group_key,
        device_key,
        device_password.expose_secret(),
    );
    DeviceRegistration {
        device_password,
        salt_b64: BASE64.encode(pad(&salt)),
        verifier_b64: BASE64.encode(pad(&v)),
    }
}

/// Why an SRP value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SrpError {
    /// A required field was empty.
    Empty {
        /// The challenge parameter.
        field: &'static str,
    },
    /// A field is not hex.
    InvalidHex {
        /// The challenge parameter.
        field: &'static str,
    },
    /// A hex field is longer than any legitimate value.
    TooLong {
        /// The challenge parameter.
        field: &'static str,
    },
    /// A field is not standard padded base64.
    InvalidBase64 {
        /// The challenge parameter.
        field: &'static str,
    },
    /// The server's `B` is 0 mod N: answering would leak a usable signature.
    ServerKeyZero,
    /// `u = H(A ‖ B)` is zero.
    ScramblerZero,
    /// `A mod N = 0` (only possible with a chosen private value).
    PublicKeyZero,
    /// The user pool id is not of the form `<region>_<name>`.
    InvalidPoolId,
}

impl fmt::Display for SrpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SrpError::Empty { field } => write!(f, "SRP parameter {field} is empty"),
            SrpError::InvalidHex { field } => write!(f, "SRP parameter {field} is not hex"),
            SrpError::TooLong { field } => write!(f, "SRP parameter {field} is too long"),
            SrpError::InvalidBase64 { field } => {
                write!(f, "SRP parameter {field} is not standard base64")
            }
            SrpError::ServerKeyZero => f.write_str("server sent SRP_B = 0 mod N"),
            SrpError::ScramblerZero => f.write_str("SRP scrambling parameter u is zero"),
            SrpError::PublicKeyZero => f.write_str("SRP public value A = 0 mod N"),
            SrpError::InvalidPoolId => f.write_str("user pool id is not <region>_<name>"),
        }
    }
}

impl std::error::Error for SrpError {}

#[cfg(test)]
mod tests;
