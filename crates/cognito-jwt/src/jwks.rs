//! JWKS documents: parsed and checked once when fetched, with each RSA key's public key
//! prepared for verification.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::crypto::{Alg, PublicKey};
use crate::error::JwksError;

/// One key of a JWKS.
pub struct Jwk {
    kid: Option<String>,
    kty: String,
    key_use: Option<String>,
    alg: Option<String>,
    /// The prepared RSA key, or why this entry cannot verify anything.
    key: Result<PublicKey, String>,
}

impl Jwk {
    /// The key id.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key type (`"RSA"` for Cognito).
    pub fn kty(&self) -> &str {
        &self.kty
    }

    /// The `use` parameter (`"sig"` for Cognito), if present.
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The `alg` parameter (`"RS256"` for Cognito), if present.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// Checks that this key may verify a token whose header names `alg`, and returns the
    /// prepared key. A JWK without `alg` verifies RS256 only; `kty` must be `RSA` and `use`,
    /// if present, `sig`.
    pub(crate) fn key_for(&self, alg: Option<&str>) -> Result<&PublicKey, KeyProblem> {
        if self.kty != "RSA" {
            return Err(KeyProblem::Jwk(format!(
                "key type {:?} not supported, expected RSA",
                self.kty
            )));
        }
        if let Some(u) = &self.key_use
            && u != "sig"
        {
            return Err(KeyProblem::Jwk(format!(
                "use {u:?} not allowed, expected sig"
            )));
        }
        let alg = alg.ok_or(KeyProblem::Algorithm)?;
        if Alg::from_name(alg).is_none() || alg != self.alg.as_deref().unwrap_or("RS256") {
            return Err(KeyProblem::Algorithm);
        }
        self.key.as_ref().map_err(|e| KeyProblem::Jwk(e.clone()))
    }
}

impl std::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("kty", &self.kty)
            .field("use", &self.key_use)
            .field("alg", &self.alg)
            .field("usable", &self.key.is_ok())
            .finish()
    }
}

/// Why a JWK cannot verify a given token.
pub(crate) enum KeyProblem {
    /// The header's algorithm is missing or does not fit the key.
    Algorithm,
    /// The key itself is unusable.
    Jwk(String),
}

/// A parsed JWKS: its keys in document order (the first key with a `kid` wins).
#[derive(Debug)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

fn string_field(key: &Map<String, Value>, name: &str) -> Result<Option<String>, JwksError> {
    match key.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JwksError::Invalid(format!("JWK {name} should be a string"))),
    }
}

impl KeySet {
    /// Parses a JWKS document. As in aws-jwt-verify, one malformed entry (missing `kty`, a
    /// non-string parameter) rejects the whole set; an entry that is well-formed but not an
    /// RSA signing key is kept and fails only when a token names its `kid`.
    pub fn parse(document: &[u8]) -> Result<KeySet, JwksError> {
        let value: Value = serde_json::from_slice(document)
            .map_err(|e| JwksError::Invalid(format!("not JSON: {e}")))?;
        let Value::Object(mut doc) = value else {
            return Err(JwksError::Invalid("not a JSON object".to_owned()));
        };
        let Some(Value::Array(entries)) = doc.remove("keys") else {
            return Err(JwksError::Invalid("no keys array".to_owned()));
        };
        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let Value::Object(entry) = entry else {
                return Err(JwksError::Invalid("a key is not an object".to_owned()));
            };
            let kty = string_field(&entry, "kty")?
                .ok_or_else(|| JwksError::Invalid("JWK kty should be a string".to_owned()))?;
            for name in ["x", "y", "crv"] {
                string_field(&entry, name)?;
            }
            let (n, e) = (string_field(&entry, "n")?, string_field(&entry, "e")?);
            let alg = string_field(&entry, "alg")?;
            let key = match (kty.as_str(), n, e) {
                ("RSA", Some(n), Some(e)) => prepare(&n, &e, alg.as_deref()),
                ("RSA", None, _) => Err("missing modulus (n)".to_owned()),
                ("RSA", _, None) => Err("missing exponent (e)".to_owned()),
                _ => Err("not an RSA key".to_owned()),
            };
            keys.push(Jwk {
                kid: string_field(&entry, "kid")?,
                kty,
                key_use: string_field(&entry, "use")?,
                alg,
                key,
            });
        }
        Ok(KeySet { keys })
    }

    /// The first key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// Every key, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }
}

fn prepare(n: &str, e: &str, alg: Option<&str>) -> Result<PublicKey, String> {
    let alg = match alg {
        None => Alg::Rs256,
        Some(a) => Alg::from_name(a).ok_or_else(|| format!("algorithm {a:?} not supported"))?,
    };
    let n = URL_SAFE_NO_PAD
        .decode(n)
        .map_err(|_| "modulus (n) is not base64url".to_owned())?;
    let e = URL_SAFE_NO_PAD
        .decode(e)
        .map_err(|_| "exponent (e) is not base64url".to_owned())?;
    PublicKey::rsa(&n, &e, alg)
}
