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

/// Lazily generated keys, shared so generation can happen outside the state lock.
pub(crate) type LazyKeys = Arc<OnceLock<Result<PoolKeys, String>>>;

fn generate_one() -> Result<SigningKey, String> {
    let key = PrivateKey::new(&mut rand::rng(), 2048).map_err(|e| e.to_string())?;
    let public = key.to_public_key();
    let digest = Sha256::digest(public.n_bytes());
    let kid = STANDARD.encode(digest);
    Ok(SigningKey { kid, key, public })
}

pub(crate) fn keys(lazy: &LazyKeys) -> Result<&PoolKeys, String> {
    lazy.get_or_init(|| {
        Ok(PoolKeys {
            id: generate_one()?,
            access: generate_one()?,
        })
    })
    .as_ref()
    .map_err(Clone::clone)
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
