//! PKCE (RFC 7636) with the `S256` method, the only one Cognito accepts, and the random
//! `state` and `nonce` values of an authorization.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::OAuthError;
use crate::secret::SecretString;

/// A PKCE code verifier: kept secret until the code exchange, which proves that the client
/// exchanging the code is the one that started the authorization.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PkceVerifier(SecretString);

impl std::fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

impl PkceVerifier {
    /// A fresh verifier: 32 bytes from `rng` as base64url, 43 characters (256 bits, the
    /// strength RFC 7636 recommends).
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        PkceVerifier(SecretString::new(random_text(rng, 32)))
    }

    /// A verifier chosen elsewhere: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
    pub fn new(verifier: impl Into<SecretString>) -> Result<Self, OAuthError> {
        let verifier = verifier.into();
        let text = verifier.expose_secret();
        let valid = (43..=128).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !valid {
            return Err(OAuthError::InvalidInput(
                "a PKCE verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into(),
            ));
        }
        Ok(PkceVerifier(verifier))
    }

    /// The `S256` challenge: base64url(SHA-256(verifier)) without padding.
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.expose_secret().as_bytes()))
    }

    /// The verifier, sent as `code_verifier` in the code exchange.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

/// `bytes` random bytes from `rng` as base64url text.
pub(crate) fn random_text<R: CryptoRng + ?Sized>(rng: &mut R, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
    let text = URL_SAFE_NO_PAD.encode(&buf);
    buf.zeroize();
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(format!("{v:?}"), "PkceVerifier([redacted])");
    }

    #[test]
    fn bad_verifiers_are_refused() {
        assert!(PkceVerifier::new("short").is_err());
        assert!(PkceVerifier::new("a".repeat(129)).is_err());
        assert!(PkceVerifier::new(format!("{}+", "a".repeat(43))).is_err());
        assert!(PkceVerifier::new("a".repeat(128)).is_ok());
    }
}
