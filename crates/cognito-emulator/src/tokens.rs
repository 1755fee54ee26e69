//! RS256 JWTs signed with a per-pool RSA key pair (one for ID tokens, one for access tokens).
//!
//! Keys are generated with the `rsa` crate (which can draw from a seeded generator, so a
//! seeded emulator has the same keys every run) and handed to `aws-lc-rs` as PKCS#8 for
//! signing and verifying: its RSA-2048 signature takes ~0.5 ms against ~3 ms for `rsa`'s,
//! and two signatures are most of a sign-in's CPU. Operations do not sign under the state
//! lock: [`Unsigned`] tokens are signed by [`sign_all`] once the lock is released.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs8::EncodePrivateKey;
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value, json};

/// One signing key with its `kid`.
pub(crate) struct SigningKey {
    pub kid: String,
    /// The private key as PKCS#8 DER, kept for the data directory.
    pkcs8: cognito_proto::secret::Secret<Vec<u8>>,
    signer: RsaKeyPair,
    verifier: UnparsedPublicKey<Vec<u8>>,
    /// Modulus and exponent, big-endian (for the JWKS).
    n: Vec<u8>,
    e: Vec<u8>,
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
    let key = rsa::PrivateKey::new(rng, 2048).map_err(|e| e.to_string())?;
    // The DER document zeroizes itself when dropped, as do both keys.
    let pkcs8 = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    from_key(&key, pkcs8.as_bytes())
}

/// A signing key from its private key and that key's PKCS#8 document.
fn from_key(key: &rsa::PrivateKey, pkcs8: &[u8]) -> Result<SigningKey, String> {
    let signer = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| e.to_string())?;
    let verifier = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        signer.public_key().as_ref().to_vec(),
    );
    let public = key.to_public_key();
    let (n, e) = (public.n_bytes().to_vec(), public.e_bytes().to_vec());
    let kid = STANDARD.encode(Sha256::digest(&n));
    Ok(SigningKey {
        kid,
        pkcs8: cognito_proto::secret::Secret::new(pkcs8.to_vec()),
        signer,
        verifier,
        n,
        e,
    })
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

/// Whether the keys exist already (generated or loaded).
pub(crate) fn generated(lazy: &LazyKeys) -> bool {
    lazy.keys.get().is_some_and(Result::is_ok)
}

/// The PKCS#8 documents of the ID-token and access-token keys, generating them if needed.
pub(crate) fn pkcs8_pair(lazy: &LazyKeys) -> Option<(Vec<u8>, Vec<u8>)> {
    let k = keys(lazy).ok()?;
    Some((
        k.id.pkcs8.expose_secret().clone(),
        k.access.pkcs8.expose_secret().clone(),
    ))
}

/// Keys read back from their PKCS#8 documents.
pub(crate) fn keys_from_pkcs8(id: &[u8], access: &[u8]) -> Result<LazyKeys, String> {
    use rsa::pkcs8::DecodePrivateKey;
    let one = |der: &[u8]| {
        let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| e.to_string())?;
        from_key(&key, der)
    };
    let pair = PoolKeys {
        id: one(id)?,
        access: one(access)?,
    };
    let lazy = lazy_keys(None);
    let _ = lazy.keys.set(Ok(pair));
    Ok(lazy)
}

pub(crate) fn keys(lazy: &LazyKeys) -> Result<&PoolKeys, String> {
    let keys = match lazy.keys.get() {
        Some(keys) => keys,
        // Two 2048-bit RSA keys take a moment: step off the async worker for it.
        None => crate::util::blocking(|| lazy.keys.get_or_init(|| generate_pair(lazy.seed))),
    };
    keys.as_ref().map_err(Clone::clone)
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

/// Which of a pool's two keys signs a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyUse {
    Id,
    Access,
}

impl PoolKeys {
    pub fn get(&self, key_use: KeyUse) -> &SigningKey {
        match key_use {
            KeyUse::Id => &self.id,
            KeyUse::Access => &self.access,
        }
    }
}

/// A token whose header and claims are final, to be signed after the state lock is released.
/// Until then the response carries the signing input (`header.payload`) where the token goes;
/// [`sign_all`] puts the signed token in its place.
#[derive(Clone)]
pub(crate) struct Unsigned {
    keys: LazyKeys,
    key_use: KeyUse,
    input: String,
    placeholder: String,
    /// The placeholder of the access token whose `at_hash` this ID token carries.
    at_hash_of: Option<String>,
}

impl Unsigned {
    /// The token `key_use`'s key of `keys` will sign with `claims`.
    pub fn new(
        keys: &LazyKeys,
        key_use: KeyUse,
        claims: &Map<String, Value>,
    ) -> Result<Unsigned, String> {
        let kid = &self::keys(keys)?.get(key_use).kid;
        let header = json!({"kid": kid, "alg": "RS256"});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
        let input = format!("{h}.{p}");
        Ok(Unsigned {
            keys: keys.clone(),
            key_use,
            placeholder: input.clone(),
            input,
            at_hash_of: None,
        })
    }

    /// The same token standing in the response as `placeholder` (for tokens whose claims a
    /// pre token generation trigger settled after the response was built).
    pub fn with_placeholder(mut self, placeholder: String) -> Unsigned {
        self.placeholder = placeholder;
        self
    }

    /// What stands in the response until the token is signed.
    pub fn placeholder(&self) -> &str {
        &self.placeholder
    }

    fn sign(&self) -> Result<String, String> {
        let sig = keys(&self.keys)?
            .get(self.key_use)
            .sign(self.input.as_bytes())?;
        Ok(format!("{}.{}", self.input, URL_SAFE_NO_PAD.encode(sig)))
    }

    /// Adds the OpenID Connect `at_hash` of `access_token` to the claims: the left half of
    /// its SHA-256, base64url without padding.
    fn add_at_hash(&mut self, access_token: &str) -> Result<(), String> {
        let (h, p) = self
            .input
            .split_once('.')
            .ok_or("malformed signing input")?;
        let bytes = URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string())?;
        let mut claims: Map<String, Value> =
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        claims.insert("at_hash".into(), json!(at_hash(access_token)));
        let p = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
        self.input = format!("{h}.{p}");
        Ok(())
    }
}

/// The `at_hash` of an access token (RS256 pairs it with SHA-256).
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Marks the ID tokens of `links` (ID placeholder, access placeholder) to carry the `at_hash`
/// of their access token.
pub(crate) fn link_at_hash(unsigned: &mut [Unsigned], links: &[(String, String)]) {
    for (id, access) in links {
        if let Some(t) = unsigned.iter_mut().find(|t| t.placeholder == *id) {
            t.at_hash_of = Some(access.clone());
        }
    }
}

/// A token with the given claims, signed by `key_use`'s key of `keys`: the header is
/// `{"kid", "alg": "RS256"}` with `header_overrides` applied (a `null` removes a field). For
/// the `/_emulator/sign` hook, which lets a test build tokens Cognito would not issue
/// (expired, another issuer, a foreign `kid`) that still carry a valid signature.
pub(crate) fn sign_custom(
    keys: &LazyKeys,
    key_use: KeyUse,
    header_overrides: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, String> {
    let key = self::keys(keys)?.get(key_use);
    let mut header = Map::new();
    header.insert("kid".into(), json!(key.kid));
    header.insert("alg".into(), json!("RS256"));
    for (k, v) in header_overrides {
        if v.is_null() {
            header.remove(k);
        } else {
            header.insert(k.clone(), v.clone());
        }
    }
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
    );
    let sig = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// Signs every token in `unsigned` and puts it in place of its placeholder in `response`. A
/// placeholder missing from the response is an error (a token minted and then lost is an
/// emulator bug).
pub(crate) fn sign_all(response: &mut Value, unsigned: Vec<Unsigned>) -> Result<(), String> {
    // Access tokens first: an ID token may carry the hash of its signed access token.
    let (dependent, first): (Vec<Unsigned>, Vec<Unsigned>) =
        unsigned.into_iter().partition(|t| t.at_hash_of.is_some());
    let mut signed_by_placeholder = Vec::new();
    for token in first {
        let signed = token.sign()?;
        let slot = find_string(response, token.placeholder())
            .ok_or("a minted token is missing from the response")?;
        *slot = signed.clone();
        signed_by_placeholder.push((token.placeholder, signed));
    }
    for mut token in dependent {
        let access = token.at_hash_of.as_deref().unwrap_or_default();
        let access = signed_by_placeholder
            .iter()
            .find(|(p, _)| p == access)
            .map(|(_, s)| s.clone())
            .ok_or("the access token of an at_hash is missing")?;
        token.add_at_hash(&access)?;
        let signed = token.sign()?;
        let slot = find_string(response, token.placeholder())
            .ok_or("a minted token is missing from the response")?;
        *slot = signed;
    }
    Ok(())
}

fn find_string<'a>(value: &'a mut Value, wanted: &str) -> Option<&'a mut String> {
    match value {
        Value::String(s) => (*s == wanted).then_some(s),
        Value::Object(m) => m.values_mut().find_map(|v| find_string(v, wanted)),
        Value::Array(a) => a.iter_mut().find_map(|v| find_string(v, wanted)),
        _ => None,
    }
}

impl SigningKey {
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        let mut sig = vec![0; self.signer.public_modulus_len()];
        // PKCS #1 v1.5 signatures are deterministic; the generator only blinds the private
        // operation.
        self.signer
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), input, &mut sig)
            .map_err(|e| e.to_string())?;
        Ok(sig)
    }

    fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        self.verifier.verify(input, sig).is_ok()
    }

    /// A self-signed X.509 certificate (DER) of this key for `common_name`, valid for ten
    /// years from `not_before` (epoch seconds): what `GetSigningCertificate` hands out.
    pub fn certificate(&self, common_name: &str, not_before: u64) -> Result<Vec<u8>, String> {
        crate::cert::self_signed(&self.n, &self.e, common_name, not_before, |tbs: &[u8]| {
            self.sign(tbs)
        })
    }

    pub fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(&self.n),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(jti: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("jti".into(), json!(jti));
        m
    }

    #[test]
    fn sign_all_puts_each_signed_token_where_its_placeholder_was() {
        let keys = SigningKeys::from_seed(7).expect("keys").0;
        let id = Unsigned::new(&keys, KeyUse::Id, &claims("a")).expect("id");
        let access = Unsigned::new(&keys, KeyUse::Access, &claims("b")).expect("access");
        let mut response = json!({
            "AuthenticationResult": {"IdToken": id.placeholder(), "AccessToken": access.placeholder()},
            "Other": ["x", 1],
        });
        sign_all(&mut response, vec![id, access]).expect("signed");

        let pair = self::keys(&keys).expect("keys");
        let token = |k: &str| {
            response["AuthenticationResult"][k]
                .as_str()
                .unwrap_or_default()
        };
        let id_claims = verify(token("IdToken"), &pair.id).expect("ID token verifies");
        let access_claims = verify(token("AccessToken"), &pair.access).expect("access verifies");
        assert_eq!(
            (id_claims["jti"].as_str(), access_claims["jti"].as_str()),
            (Some("a"), Some("b"))
        );
        // Each token is signed by its own key only.
        assert!(verify(token("IdToken"), &pair.access).is_none());
        assert_eq!(response["Other"], json!(["x", 1]));
    }

    #[test]
    fn a_minted_token_missing_from_the_response_is_an_error() {
        let keys = SigningKeys::from_seed(7).expect("keys").0;
        let id = Unsigned::new(&keys, KeyUse::Id, &claims("a")).expect("id");
        let mut response = json!({"AuthenticationResult": {}});
        assert!(sign_all(&mut response, vec![id]).is_err());
    }

    #[test]
    fn a_token_with_another_tokens_signature_does_not_verify() {
        let keys = SigningKeys::from_seed(7).expect("keys").0;
        let a = Unsigned::new(&keys, KeyUse::Id, &claims("a")).expect("a");
        let b = Unsigned::new(&keys, KeyUse::Id, &claims("b")).expect("b");
        let mut response = json!([a.placeholder(), b.placeholder()]);
        sign_all(&mut response, vec![a, b]).expect("signed");
        let token = |i: usize| response[i].as_str().unwrap_or_default();
        let (input_a, _) = token(0).rsplit_once('.').expect("three parts");
        let (_, sig_b) = token(1).rsplit_once('.').expect("three parts");
        let pair = self::keys(&keys).expect("keys");
        assert!(verify(token(0), &pair.id).is_some());
        assert!(verify(&format!("{input_a}.{sig_b}"), &pair.id).is_none());
    }
}
