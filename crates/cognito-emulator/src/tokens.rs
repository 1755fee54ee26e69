//! RS256 JWTs signed with a per-pool RSA key pair (one for ID tokens, one for access tokens).

use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use serde_json::{Map, Value, json};

/// One signing key with its `kid`.
pub(crate) struct SigningKey {
    pub kid: String,
    key: PrivateKey,
    public: PublicKey,
}

/// The two keys of a pool.
pub(crate) struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

/// A pool's keys, generated on first use (outside the state lock), from a seed if it has one.
pub(crate) struct KeyCell {
    seed: Option<u64>,
    keys: OnceLock<Result<PoolKeys, String>>,
}

/// Lazily generated keys, shared so generation can happen outside the state lock.
pub(crate) type LazyKeys = Arc<KeyCell>;

/// Keys generated on first use from the OS generator, or from `seed`.
pub(crate) fn lazy_keys(seed: Option<u64>) -> LazyKeys {
    Arc::new(KeyCell {
        seed,
        keys: OnceLock::new(),
    })
}

fn generate_one<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Result<SigningKey, String> {
    let key = PrivateKey::new(rng, 2048).map_err(|e| e.to_string())?;
    let public = key.to_public_key();
    let digest = Sha256::digest(public.n_bytes());
    let kid = STANDARD.encode(digest);
    Ok(SigningKey { kid, key, public })
}

fn generate_pair(seed: Option<u64>) -> Result<PoolKeys, String> {
    match seed {
        Some(seed) => {
            let mut rng = <chacha20::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(seed);
            Ok(PoolKeys {
                id: generate_one(&mut rng)?,
                access: generate_one(&mut rng)?,
            })
        }
        None => {
            let mut rng = rand::rng();
            Ok(PoolKeys {
                id: generate_one(&mut rng)?,
                access: generate_one(&mut rng)?,
            })
        }
    }
}

pub(crate) fn keys(lazy: &LazyKeys) -> Result<&PoolKeys, String> {
    lazy.keys
        .get_or_init(|| generate_pair(lazy.seed))
        .as_ref()
        .map_err(Clone::clone)
}

/// The RSA key pair (ID tokens, access tokens) every pool of an emulator signs with, given to
/// [`EmulatorBuilder::signing_keys`](crate::EmulatorBuilder::signing_keys) so that a test or a
/// fuzz target generates 2048-bit keys once instead of once per pool. Cloning shares the keys.
#[derive(Clone)]
pub struct SigningKeys(pub(crate) LazyKeys);

impl SigningKeys {
    /// Generates a key pair from the OS generator (takes a moment: two 2048-bit RSA keys).
    pub fn generate() -> std::io::Result<SigningKeys> {
        Self::ready(None)
    }

    /// Generates the key pair determined by `seed` (the same keys and `kid`s for the same
    /// seed; takes as long as [`SigningKeys::generate`]).
    pub fn from_seed(seed: u64) -> std::io::Result<SigningKeys> {
        Self::ready(Some(seed))
    }

    fn ready(seed: Option<u64>) -> std::io::Result<SigningKeys> {
        let lazy = lazy_keys(seed);
        keys(&lazy).map_err(std::io::Error::other)?;
        Ok(SigningKeys(lazy))
    }

    /// The `kid`s of the ID-token key and the access-token key.
    pub fn kids(&self) -> (String, String) {
        match keys(&self.0) {
            Ok(k) => (k.id.kid.clone(), k.access.kid.clone()),
            Err(_) => (String::new(), String::new()),
        }
    }
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kids", &self.kids())
            .finish()
    }
}

impl SigningKey {
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, String> {
        let header = json!({"kid": self.kid, "alg": "RS256"});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
        let input = format!("{h}.{p}");
        let sig = self
            .key
            .pkcs1v15_sign::<Sha256>(input.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        self.public.pkcs1v15_verify::<Sha256>(input, sig).is_ok()
    }

    pub fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(self.public.e_bytes()),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(self.public.n_bytes()),
            "use": "sig",
        })
    }
}

/// Decodes a JWT's header and payload without verifying it.
pub(crate) fn decode_unverified(token: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = token.split('.');
    let (h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    match (header, payload) {
        (Value::Object(h), Value::Object(p)) => Some((h, p)),
        _ => None,
    }
}

/// Verifies the signature of `token` with `key` (matching `kid`); returns the claims.
pub(crate) fn verify(token: &str, key: &SigningKey) -> Option<Map<String, Value>> {
    let (header, payload) = decode_unverified(token)?;
    if header.get("kid").and_then(Value::as_str) != Some(key.kid.as_str())
        || header.get("alg").and_then(Value::as_str) != Some("RS256")
    {
        return None;
    }
    let (input, sig) = token.rsplit_once('.')?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    key.verify(input.as_bytes(), &sig).then_some(payload)
}
