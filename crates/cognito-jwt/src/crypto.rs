//! RSA PKCS#1 v1.5 signature verification, behind one small interface with two backends:
//! `aws-lc-rs` on native targets (fastest measured; a C library), the pure-Rust `rsa` crate on
//! wasm32 (where aws-lc-rs does not build) or with the `rust-crypto` feature.

/// A JWS algorithm this verifier can check. `none` and the HMAC algorithms are not
/// representable: a token that names them is rejected before any key is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alg {
    Rs256,
    Rs384,
    Rs512,
}

impl Alg {
    pub(crate) fn from_name(name: &str) -> Option<Alg> {
        match name {
            "RS256" => Some(Alg::Rs256),
            "RS384" => Some(Alg::Rs384),
            "RS512" => Some(Alg::Rs512),
            _ => None,
        }
    }
}

/// Smallest and largest accepted moduli, in bits (aws-lc-rs's range for verification;
/// Cognito's keys are 2048-bit).
const MIN_BITS: usize = 2048;
const MAX_BITS: usize = 8192;

/// Strips leading zero bytes (a JWK's big-endian integers should have none, but a lenient
/// reading costs nothing) and checks the modulus size.
fn trim<'a>(n: &'a [u8], e: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), String> {
    let strip = |b: &'a [u8]| {
        let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        &b[start..]
    };
    let (n, e) = (strip(n), strip(e));
    let bits = n.first().map_or(0, |&top| {
        n.len() * 8 - usize::try_from(top.leading_zeros()).unwrap_or(0)
    });
    if !(MIN_BITS..=MAX_BITS).contains(&bits) {
        return Err(format!(
            "RSA modulus of {bits} bits, expected {MIN_BITS} to {MAX_BITS}"
        ));
    }
    if e.is_empty() || e.len() > 8 {
        return Err("RSA exponent out of range".to_owned());
    }
    Ok((n, e))
}

#[cfg(not(any(target_arch = "wasm32", feature = "rust-crypto")))]
mod backend {
    use aws_lc_rs::signature::{
        ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384,
        RSA_PKCS1_2048_8192_SHA512,
    };

    use super::Alg;

    /// An RSA public key parsed once (aws-lc keeps the Montgomery context with it), bound
    /// to one algorithm.
    pub(crate) struct PublicKey(ParsedPublicKey);

    /// `n` and `e` as a DER `RSAPublicKey` (PKCS#1), the form aws-lc-rs parses.
    fn der(n: &[u8], e: &[u8]) -> Vec<u8> {
        fn integer(out: &mut Vec<u8>, v: &[u8]) {
            let pad = v.first().is_some_and(|&b| b & 0x80 != 0);
            out.push(0x02);
            length(out, v.len() + usize::from(pad));
            if pad {
                out.push(0);
            }
            out.extend_from_slice(v);
        }
        fn length(out: &mut Vec<u8>, len: usize) {
            if len < 0x80 {
                out.push(len as u8);
            } else {
                let bytes = len.to_be_bytes();
                let skip = bytes.iter().take_while(|&&b| b == 0).count();
                out.push(0x80 | (bytes.len() - skip) as u8);
                out.extend_from_slice(&bytes[skip..]);
            }
        }
        let mut body = Vec::with_capacity(n.len() + e.len() + 16);
        integer(&mut body, n);
        integer(&mut body, e);
        let mut out = Vec::with_capacity(body.len() + 4);
        out.push(0x30);
        length(&mut out, body.len());
        out.extend_from_slice(&body);
        out
    }

    impl PublicKey {
        pub(crate) fn rsa(n: &[u8], e: &[u8], alg: Alg) -> Result<PublicKey, String> {
            let (n, e) = super::trim(n, e)?;
            let algorithm = match alg {
                Alg::Rs256 => &RSA_PKCS1_2048_8192_SHA256,
                Alg::Rs384 => &RSA_PKCS1_2048_8192_SHA384,
                Alg::Rs512 => &RSA_PKCS1_2048_8192_SHA512,
            };
            ParsedPublicKey::new(algorithm, der(n, e))
                .map(PublicKey)
                .map_err(|e| format!("RSA key rejected: {e}"))
        }

        pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            self.0.verify_sig(message, signature).is_ok()
        }
    }
}

#[cfg(any(target_arch = "wasm32", feature = "rust-crypto"))]
mod backend {
    use rsa::BoxedUint;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::sha2::{Sha256, Sha384, Sha512};
    use rsa::signature::Verifier;

    use super::{Alg, MAX_BITS, MIN_BITS};

    /// An RSA public key with its Montgomery parameters, bound to one algorithm.
    pub(crate) enum PublicKey {
        Rs256(VerifyingKey<Sha256>),
        Rs384(VerifyingKey<Sha384>),
        Rs512(VerifyingKey<Sha512>),
    }

    impl PublicKey {
        pub(crate) fn rsa(n: &[u8], e: &[u8], alg: Alg) -> Result<PublicKey, String> {
            let (n, e) = super::trim(n, e)?;
            let key = rsa::PublicKey::new_with_size_limits(
                BoxedUint::from_be_slice_vartime(n),
                BoxedUint::from_be_slice_vartime(e),
                MIN_BITS..=MAX_BITS,
            )
            .map_err(|e| format!("RSA key rejected: {e}"))?;
            Ok(match alg {
                Alg::Rs256 => PublicKey::Rs256(VerifyingKey::new(key)),
                Alg::Rs384 => PublicKey::Rs384(VerifyingKey::new(key)),
                Alg::Rs512 => PublicKey::Rs512(VerifyingKey::new(key)),
            })
        }

        pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
            let Ok(signature) = Signature::try_from(signature) else {
                return false;
            };
            match self {
                PublicKey::Rs256(k) => k.verify(message, &signature).is_ok(),
                PublicKey::Rs384(k) => k.verify(message, &signature).is_ok(),
                PublicKey::Rs512(k) => k.verify(message, &signature).is_ok(),
            }
        }
    }
}

pub(crate) use backend::PublicKey;

/// The name of the signature backend compiled in (`"aws-lc-rs"` or `"rsa"`).
pub const BACKEND: &str = if cfg!(any(target_arch = "wasm32", feature = "rust-crypto")) {
    "rsa"
} else {
    "aws-lc-rs"
};
