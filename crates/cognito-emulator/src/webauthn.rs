//! The relying party's side of WebAuthn (passkeys): what Cognito checks when a passkey is
//! registered (`CompleteWebAuthnRegistration`) and when it answers a `WEB_AUTHN` challenge.
//!
//! Registration parses the attestation object (CBOR), checks the client data (type,
//! challenge, origin), the authenticator data (RP ID hash, user-present and, when required,
//! user-verified flags, the attested credential) and the attestation statement (`none`, or
//! `packed` self-attestation), and keeps the credential's COSE public key. Sign-in checks the
//! same client and authenticator data, the signature over
//! `authenticatorData ‖ SHA-256(clientDataJSON)` with that key, and that the signature counter
//! moved forward. ES256 (P-256) and RS256 keys are supported; signatures are verified with
//! aws-lc-rs, which the emulator already uses to sign tokens.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value as Cbor;
use serde_json::Value;

/// COSE algorithm identifiers (RFC 9053) the emulator offers in `pubKeyCredParams`.
const ES256: i64 = -7;
const RS256: i64 = -257;

/// Bits of the authenticator data's flags byte: user present (UP) and user verified (UV).
const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;

/// Largest encoded field accepted (client data, attestation object, authenticator data,
/// signature); real ones are a few hundred bytes.
const MAX_FIELD: usize = 16 << 10;

/// A registered credential's public key.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum PublicKey {
    /// P-256, as the uncompressed SEC1 point `04 ‖ x ‖ y`.
    Es256(Vec<u8>),
    /// RSA, modulus and exponent big-endian.
    Rs256 { n: Vec<u8>, e: Vec<u8> },
}

impl PublicKey {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Es256(point) => UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
                .verify(message, signature)
                .is_ok(),
            PublicKey::Rs256 { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
        }
    }

    fn alg(&self) -> i64 {
        match self {
            PublicKey::Es256(_) => ES256,
            PublicKey::Rs256 { .. } => RS256,
        }
    }
}

/// What the emulator keeps of a registered passkey besides its description.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Passkey {
    pub key: PublicKey,
    /// The last signature counter the authenticator reported.
    pub sign_count: u32,
}

/// Why a WebAuthn response was refused; the caller maps it to the operation's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The client data's challenge is not the pending one.
    Challenge,
    /// The client data's origin is not the relying party's.
    Origin(String),
    /// The authenticator data is for another relying party.
    RelyingParty,
    /// An algorithm, key type or attestation format the emulator does not verify.
    NotSupported(String),
    /// Malformed or inconsistent data, missing flags, a bad signature or counter.
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> Refusal {
    Refusal::Invalid(msg.into())
}

/// What a response must match.
pub(crate) struct Expected<'a> {
    pub challenge: &'a str,
    pub rp_id: &'a str,
    pub require_user_verification: bool,
}

/// Decodes a base64url field (padding tolerated, as some clients send it).
fn b64url(field: &str, v: Option<&Value>) -> Result<Vec<u8>, Refusal> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{field} is required")))?;
    if s.len() > MAX_FIELD * 4 / 3 + 4 {
        return Err(invalid(format!("{field} is too long")));
    }
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| invalid(format!("{field} is not base64url")))
}

/// Is `origin` a web origin of `rp_id`: `https://rp_id` or a subdomain of it (any port), or
/// `http://` for `localhost`, as browsers allow for a relying party ID.
fn origin_allowed(origin: &str, rp_id: &str) -> bool {
    let (scheme, rest) = match origin.split_once("://") {
        Some(p) => p,
        None => return false,
    };
    if rest.contains(['/', '?', '#', '@']) {
        return false;
    }
    let host = match rest.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return false,
        None => rest,
    };
    let host = host.to_ascii_lowercase();
    let rp = rp_id.to_ascii_lowercase();
    let same_site = host == rp || host.ends_with(&format!(".{rp}"));
    let local = rp == "localhost";
    same_site && (scheme == "https" || (scheme == "http" && local))
}

/// Checks `clientDataJSON` and returns its raw bytes (which the signature covers).
fn client_data(response: &Value, kind: &str, expected: &Expected<'_>) -> Result<Vec<u8>, Refusal> {
    let raw = b64url("clientDataJSON", response.get("clientDataJSON"))?;
    let data: Value =
        serde_json::from_slice(&raw).map_err(|_| invalid("clientDataJSON is not JSON"))?;
    if data.get("type").and_then(Value::as_str) != Some(kind) {
        return Err(invalid(format!("clientDataJSON.type must be {kind}")));
    }
    let challenge = data.get("challenge").and_then(Value::as_str).unwrap_or("");
    if !crate::srp_server::ct_eq(challenge.trim_end_matches('='), expected.challenge) {
        return Err(Refusal::Challenge);
    }
    let origin = data.get("origin").and_then(Value::as_str).unwrap_or("");
    if !origin_allowed(origin, expected.rp_id) {
        return Err(Refusal::Origin(origin.chars().take(200).collect()));
    }
    if data.get("crossOrigin").and_then(Value::as_bool) == Some(true) {
        return Err(Refusal::Origin("a cross-origin frame".into()));
    }
    Ok(raw)
}

/// The parts of authenticator data the relying party checks.
struct AuthData {
    sign_count: u32,
    /// Credential id and public key, when the AT flag is set (registration).
    attested: Option<(Vec<u8>, PublicKey)>,
}

fn auth_data(bytes: &[u8], expected: &Expected<'_>) -> Result<AuthData, Refusal> {
    if bytes.len() < 37 {
        return Err(invalid("authenticatorData is too short"));
    }
    let (rp_hash, rest) = bytes.split_at(32);
    if rp_hash != digest(&SHA256, expected.rp_id.as_bytes()).as_ref() {
        return Err(Refusal::RelyingParty);
    }
    let flags = rest[0];
    let sign_count = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]);
    if flags & FLAG_UP == 0 {
        return Err(invalid("the authenticator did not report user presence"));
    }
    if expected.require_user_verification && flags & FLAG_UV == 0 {
        return Err(invalid("the authenticator did not verify the user"));
    }
    let mut attested = None;
    if flags & FLAG_AT != 0 {
        let mut rest = &rest[5..];
        if rest.len() < 18 {
            return Err(invalid("attested credential data is too short"));
        }
        let id_len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
        rest = &rest[18..];
        if id_len == 0 || id_len > 1023 || rest.len() < id_len {
            return Err(invalid("bad credential id length"));
        }
        let (id, mut key_bytes) = rest.split_at(id_len);
        // The COSE key is followed by extensions (if the ED flag is set); the reader stops
        // at the end of the key.
        let key: Cbor = ciborium::de::from_reader(&mut key_bytes)
            .map_err(|_| invalid("the credential public key is not CBOR"))?;
        attested = Some((id.to_vec(), cose_key(&key)?));
    }
    Ok(AuthData {
        sign_count,
        attested,
    })
}

/// A map member by integer label.
fn member(map: &[(Cbor, Cbor)], label: i64) -> Option<&Cbor> {
    map.iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(label))
        .map(|(_, v)| v)
}

fn int_member(map: &[(Cbor, Cbor)], label: i64) -> Option<i64> {
    member(map, label)?
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
}

fn bytes_member(map: &[(Cbor, Cbor)], label: i64) -> Option<&[u8]> {
    member(map, label)?.as_bytes().map(Vec::as_slice)
}

/// Parses a COSE_Key (the CBOR map of key type, algorithm and key parameters that
/// authenticators register) of the two supported kinds: EC2 P-256 and RSA.
fn cose_key(key: &Cbor) -> Result<PublicKey, Refusal> {
    let map = key
        .as_map()
        .ok_or_else(|| invalid("the credential public key is not a COSE key"))?;
    let kty = int_member(map, 1);
    let alg = int_member(map, 3);
    match (kty, alg) {
        // EC2, ES256, crv P-256, x and y of 32 bytes.
        (Some(2), Some(ES256)) => {
            let (Some(1), Some(x), Some(y)) = (
                int_member(map, -1),
                bytes_member(map, -2),
                bytes_member(map, -3),
            ) else {
                return Err(Refusal::NotSupported(
                    "only P-256 keys are supported for ES256".into(),
                ));
            };
            if x.len() != 32 || y.len() != 32 {
                return Err(invalid("bad P-256 coordinates"));
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            Ok(PublicKey::Es256(point))
        }
        // RSA, RS256.
        (Some(3), Some(RS256)) => {
            let (Some(n), Some(e)) = (bytes_member(map, -1), bytes_member(map, -2)) else {
                return Err(invalid("RSA key without modulus or exponent"));
            };
            if n.len() < 256 || n.len() > 1024 || e.is_empty() || e.len() > 8 {
                return Err(Refusal::NotSupported(
                    "RSA keys of 2048 to 8192 bits".into(),
                ));
            }
            Ok(PublicKey::Rs256 {
                n: n.to_vec(),
                e: e.to_vec(),
            })
        }
        _ => Err(Refusal::NotSupported(
            "the credential algorithm is not ES256 or RS256".into(),
        )),
    }
}

fn text_member<'a>(map: &'a [(Cbor, Cbor)], name: &str) -> Option<&'a Cbor> {
    map.iter()
        .find(|(k, _)| k.as_text() == Some(name))
        .map(|(_, v)| v)
}

/// Verifies a `RegistrationResponseJSON` against the pending registration; returns the
/// credential id (base64url, as the client names it) and what to keep of the passkey.
pub(crate) fn register(
    credential: &Value,
    expected: &Expected<'_>,
) -> Result<(String, Passkey), Refusal> {
    let response = credential
        .get("response")
        .filter(|r| r.is_object())
        .ok_or_else(|| invalid("Credential response is required"))?;
    let client = client_data(response, "webauthn.create", expected)?;
    let att_bytes = b64url("attestationObject", response.get("attestationObject"))?;
    if att_bytes.len() > MAX_FIELD {
        return Err(invalid("attestationObject is too long"));
    }
    let att: Cbor = ciborium::de::from_reader(att_bytes.as_slice())
        .map_err(|_| invalid("attestationObject is not CBOR"))?;
    let att = att
        .as_map()
        .ok_or_else(|| invalid("attestationObject is not a map"))?;
    let fmt = text_member(att, "fmt")
        .and_then(Cbor::as_text)
        .unwrap_or("");
    let stmt = text_member(att, "attStmt")
        .and_then(Cbor::as_map)
        .ok_or_else(|| invalid("attestationObject has no attStmt"))?;
    let auth_bytes = text_member(att, "authData")
        .and_then(Cbor::as_bytes)
        .ok_or_else(|| invalid("attestationObject has no authData"))?;
    let data = auth_data(auth_bytes, expected)?;
    let Some((raw_id, key)) = data.attested else {
        return Err(invalid("authenticatorData carries no attested credential"));
    };
    let id = URL_SAFE_NO_PAD.encode(&raw_id);
    let named = credential
        .get("rawId")
        .or_else(|| credential.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if named.trim_end_matches('=') != id {
        return Err(invalid(
            "the credential id does not match the authenticator data",
        ));
    }
    match fmt {
        "none" if stmt.is_empty() => {}
        "none" => return Err(invalid("attestation format none with a statement")),
        "packed" => {
            // Self-attestation: signed with the credential's own key. Attestation with a
            // certificate chain (x5c) is not verified against any trust anchor here, as
            // Cognito asks for no attestation; refuse it rather than half-check it.
            if text_member(stmt, "x5c").is_some() {
                return Err(Refusal::NotSupported(
                    "packed attestation with a certificate chain".into(),
                ));
            }
            let alg = text_member(stmt, "alg")
                .and_then(Cbor::as_integer)
                .and_then(|i| i64::try_from(i).ok());
            if alg != Some(key.alg()) {
                return Err(invalid(
                    "packed self-attestation algorithm differs from the credential's",
                ));
            }
            let sig = text_member(stmt, "sig")
                .and_then(Cbor::as_bytes)
                .ok_or_else(|| invalid("packed attestation without sig"))?;
            let mut signed = auth_bytes.to_vec();
            signed.extend_from_slice(digest(&SHA256, &client).as_ref());
            if !key.verify(&signed, sig) {
                return Err(invalid("the attestation signature does not verify"));
            }
        }
        other => {
            return Err(Refusal::NotSupported(format!(
                "attestation format {:.40}",
                other
            )));
        }
    }
    Ok((
        id,
        Passkey {
            key,
            sign_count: data.sign_count,
        },
    ))
}

/// The credential id an `AuthenticationResponseJSON` names (`rawId`, else `id`).
pub(crate) fn assertion_credential_id(credential: &Value) -> Option<String> {
    credential
        .get("rawId")
        .or_else(|| credential.get("id"))
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('=').to_string())
}

/// Verifies an `AuthenticationResponseJSON` with a registered passkey; returns the new
/// signature counter to store.
pub(crate) fn authenticate(
    credential: &Value,
    expected: &Expected<'_>,
    passkey: &Passkey,
    user_handle: &str,
) -> Result<u32, Refusal> {
    let response = credential
        .get("response")
        .filter(|r| r.is_object())
        .ok_or_else(|| invalid("CREDENTIAL.response is required"))?;
    let client = client_data(response, "webauthn.get", expected)?;
    let auth_bytes = b64url("authenticatorData", response.get("authenticatorData"))?;
    let signature = b64url("signature", response.get("signature"))?;
    if auth_bytes.len() > MAX_FIELD || signature.len() > MAX_FIELD {
        return Err(invalid("authenticatorData or signature is too long"));
    }
    let data = auth_data(&auth_bytes, expected)?;
    if let Some(handle) = response.get("userHandle").and_then(Value::as_str)
        && !handle.is_empty()
        && handle.trim_end_matches('=') != user_handle
    {
        return Err(invalid("userHandle is another user's"));
    }
    let mut signed = auth_bytes.clone();
    signed.extend_from_slice(digest(&SHA256, &client).as_ref());
    if !passkey.key.verify(&signed, &signature) {
        return Err(invalid("the assertion signature does not verify"));
    }
    // A counter that does not move forward (when the authenticator keeps one) means a cloned
    // authenticator or a replayed assertion.
    if (data.sign_count != 0 || passkey.sign_count != 0) && data.sign_count <= passkey.sign_count {
        return Err(invalid("the signature counter did not increase"));
    }
    Ok(data.sign_count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_the_relying_party() {
        assert!(origin_allowed("https://example.com", "example.com"));
        assert!(origin_allowed(
            "https://login.example.com:8443",
            "example.com"
        ));
        assert!(origin_allowed("http://localhost:5173", "localhost"));
        assert!(!origin_allowed("http://example.com", "example.com"));
        assert!(!origin_allowed("https://evil-example.com", "example.com"));
        assert!(!origin_allowed(
            "https://example.com.evil.net",
            "example.com"
        ));
        assert!(!origin_allowed("https://example.com/path", "example.com"));
        assert!(!origin_allowed("https://user@example.com", "example.com"));
        assert!(!origin_allowed("android:apk-key-hash:abc", "example.com"));
        assert!(!origin_allowed("", "localhost"));
    }
}
