//! Passkeys (WebAuthn): registration and the WEB_AUTHN challenge against a software
//! authenticator written here (a P-256 or RSA key, authenticator data and client data built
//! and signed as a browser and authenticator would). The emulator must verify what a relying
//! party verifies: challenge, origin, RP ID hash, flags, the signature with the registered
//! key and the signature counter.

use crate::common;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::value::Value as Cbor;
use cognito_emulator::{ClientConfig, PoolConfig};
use common::*;
use serde_json::{Value, json};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

enum Key {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A software authenticator with one credential.
pub(crate) struct Authenticator {
    key: Key,
    id: Vec<u8>,
    counter: u32,
    rp_id: String,
    origin: String,
}

/// Reads one DER length at `der[*i]`.
fn der_len(der: &[u8], i: &mut usize) -> usize {
    let first = der[*i];
    *i += 1;
    if first < 0x80 {
        return usize::from(first);
    }
    let n = usize::from(first & 0x7f);
    let mut len = 0;
    for _ in 0..n {
        len = (len << 8) | usize::from(der[*i]);
        *i += 1;
    }
    len
}

/// Modulus and exponent of a PKCS#1 `RSAPublicKey` (DER).
fn rsa_components(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut i = 1; // SEQUENCE
    der_len(der, &mut i);
    let mut int = || {
        assert_eq!(der[i], 0x02);
        i += 1;
        let len = der_len(der, &mut i);
        let mut v = der[i..i + len].to_vec();
        i += len;
        while v.len() > 1 && v[0] == 0 {
            v.remove(0);
        }
        v
    };
    let n = int();
    let e = int();
    (n, e)
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

fn int(i: i64) -> Cbor {
    Cbor::Integer(i.into())
}

impl Authenticator {
    pub(crate) fn es256(rp_id: &str, origin: &str) -> Authenticator {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        Authenticator::with(Key::Ec(key), rp_id, origin)
    }

    fn rs256(rp_id: &str, origin: &str) -> Authenticator {
        let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        Authenticator::with(Key::Rsa(key), rp_id, origin)
    }

    fn with(key: Key, rp_id: &str, origin: &str) -> Authenticator {
        Authenticator {
            key,
            id: (0..16).map(|_| rand::random::<u8>()).collect(),
            counter: 0,
            rp_id: rp_id.into(),
            origin: origin.into(),
        }
    }

    fn id_b64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.id)
    }

    fn alg(&self) -> i64 {
        match self.key {
            Key::Ec(_) => -7,
            Key::Rsa(_) => -257,
        }
    }

    fn cose_key(&self) -> Vec<u8> {
        let map = match &self.key {
            Key::Ec(k) => {
                let point = k.public_key().as_ref();
                vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), Cbor::Bytes(point[1..33].to_vec())),
                    (int(-3), Cbor::Bytes(point[33..65].to_vec())),
                ]
            }
            Key::Rsa(k) => {
                let (n, e) = rsa_components(k.public_key().as_ref());
                vec![
                    (int(1), int(3)),
                    (int(3), int(-257)),
                    (int(-1), Cbor::Bytes(n)),
                    (int(-2), Cbor::Bytes(e)),
                ]
            }
        };
        cbor(&Cbor::Map(map))
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.key {
            Key::Ec(k) => k.sign(&rng, message).unwrap().as_ref().to_vec(),
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, message, &mut sig).unwrap();
                sig
            }
        }
    }

    fn auth_data(&self, rp_id: &str, flags: u8, counter: u32, attested: bool) -> Vec<u8> {
        let mut d = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        d.push(flags | if attested { AT } else { 0 });
        d.extend_from_slice(&counter.to_be_bytes());
        if attested {
            d.extend_from_slice(&[0u8; 16]); // AAGUID
            d.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
            d.extend_from_slice(&self.id);
            d.extend_from_slice(&self.cose_key());
        }
        d
    }

    fn client_data(&self, kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    /// A `RegistrationResponseJSON` for `challenge` with attestation `fmt` (`none` or
    /// `packed` self-attestation).
    pub(crate) fn register(&self, challenge: &str, fmt: &str) -> Value {
        let client = self.client_data("webauthn.create", challenge, &self.origin);
        let auth = self.auth_data(&self.rp_id, UP | UV, self.counter, true);
        let stmt = if fmt == "packed" {
            let mut signed = auth.clone();
            signed.extend_from_slice(digest(&SHA256, &client).as_ref());
            vec![
                (Cbor::Text("alg".into()), int(self.alg())),
                (Cbor::Text("sig".into()), Cbor::Bytes(self.sign(&signed))),
            ]
        } else {
            vec![]
        };
        let att = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text(fmt.into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(stmt)),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth)),
        ]);
        json!({"id": self.id_b64(), "rawId": self.id_b64(), "type": "public-key",
               "authenticatorAttachment": "platform", "clientExtensionResults": {},
               "response": {"clientDataJSON": URL_SAFE_NO_PAD.encode(&client),
                            "attestationObject": URL_SAFE_NO_PAD.encode(cbor(&att)),
                            "transports": ["internal"]}})
    }

    /// An `AuthenticationResponseJSON`, with every part adjustable by `tamper`.
    fn assert_with(&mut self, challenge: &str, tamper: Tamper) -> Value {
        if !tamper.keep_counter {
            self.counter += 1;
        }
        let origin = tamper.origin.unwrap_or(&self.origin).to_string();
        let rp_id = tamper.rp_id.unwrap_or(&self.rp_id).to_string();
        let client = self.client_data("webauthn.get", challenge, &origin);
        let auth = self.auth_data(&rp_id, tamper.flags.unwrap_or(UP | UV), self.counter, false);
        let mut signed = auth.clone();
        signed.extend_from_slice(digest(&SHA256, &client).as_ref());
        let mut sig = self.sign(&signed);
        if tamper.bad_signature {
            let last = sig.len() - 1;
            sig[last] ^= 1;
        }
        json!({"id": self.id_b64(), "rawId": self.id_b64(), "type": "public-key",
               "clientExtensionResults": {},
               "response": {"clientDataJSON": URL_SAFE_NO_PAD.encode(&client),
                            "authenticatorData": URL_SAFE_NO_PAD.encode(&auth),
                            "signature": URL_SAFE_NO_PAD.encode(&sig)}})
    }

    fn assert(&mut self, challenge: &str) -> Value {
        self.assert_with(challenge, Tamper::default())
    }
}

#[derive(Default)]
struct Tamper<'a> {
    origin: Option<&'a str>,
    rp_id: Option<&'a str>,
    flags: Option<u8>,
    bad_signature: bool,
    keep_counter: bool,
}

fn passkey_pool(webauthn: Option<Value>) -> Setup {
    let s = setup_with(
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "WEB_AUTHN".into()],
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    if let Some(w) = webauthn {
        s.emu
            .call(
                "SetUserPoolMfaConfig",
                json!({"UserPoolId": s.pool_id, "WebAuthnConfiguration": w}),
            )
            .expect("SetUserPoolMfaConfig");
    }
    s
}

fn start_registration(s: &Setup, at: &Value) -> String {
    let start = ok(
        &s.emu,
        "StartWebAuthnRegistration",
        json!({"AccessToken": at}),
    );
    start["CredentialCreationOptions"]["challenge"]
        .as_str()
        .unwrap()
        .to_string()
}

fn complete(s: &Setup, at: &Value, cred: &Value) -> Result<Value, (String, String)> {
    op(
        &s.emu,
        "CompleteWebAuthnRegistration",
        json!({"AccessToken": at, "Credential": cred}),
    )
}

/// A pool and a user with a registered passkey, and its authenticator.
fn registered(
    user: &str,
    auth: fn(&str, &str) -> Authenticator,
    fmt: &str,
) -> (Setup, Authenticator) {
    let s = passkey_pool(None);
    s.user(user, &[("email", "p@example.com")]);
    let at = s.tokens(user)["AccessToken"].clone();
    let challenge = start_registration(&s, &at);
    let a = auth("localhost", "http://localhost:3000");
    complete(&s, &at, &a.register(&challenge, fmt)).unwrap();
    (s, a)
}

/// Starts a USER_AUTH passkey sign-in: (session, challenge).
fn passkey_challenge(s: &Setup, user: &str) -> (Value, String) {
    let ch = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": user, "PREFERRED_CHALLENGE": "WEB_AUTHN"}}),
    );
    assert_eq!(ch["ChallengeName"], "WEB_AUTHN");
    let opts: Value = serde_json::from_str(
        ch["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    (
        ch["Session"].clone(),
        opts["challenge"].as_str().unwrap().to_string(),
    )
}

fn answer(s: &Setup, user: &str, session: &Value, cred: &Value) -> Result<Value, (String, String)> {
    s.respond(
        "WEB_AUTHN",
        session,
        json!({"USERNAME": user, "CREDENTIAL": cred.to_string()}),
    )
}

#[test]
fn es256_passkey_registers_and_signs_in() {
    let (s, mut a) = registered("ivy", Authenticator::es256, "none");
    let at = s.tokens("ivy")["AccessToken"].clone();
    let list = ok(
        &s.emu,
        "ListWebAuthnCredentials",
        json!({"AccessToken": at}),
    );
    assert_eq!(list["Credentials"][0]["CredentialId"], a.id_b64());
    assert_eq!(list["Credentials"][0]["RelyingPartyId"], "localhost");
    for _ in 0..2 {
        let (session, challenge) = passkey_challenge(&s, "ivy");
        let r = answer(&s, "ivy", &session, &a.assert(&challenge)).unwrap();
        let t = &r["AuthenticationResult"];
        assert_eq!(
            claims(t["AccessToken"].as_str().unwrap())["username"],
            "ivy"
        );
    }
    // Deleting the passkey deletes its key: it no longer signs in.
    ok(
        &s.emu,
        "DeleteWebAuthnCredential",
        json!({"AccessToken": at, "CredentialId": a.id_b64()}),
    );
    let list = ok(
        &s.emu,
        "ListWebAuthnCredentials",
        json!({"AccessToken": at}),
    );
    assert_eq!(list["Credentials"], json!([]));
}

#[test]
fn rs256_passkey_with_packed_self_attestation_signs_in() {
    let (s, mut a) = registered("raj", Authenticator::rs256, "packed");
    let (session, challenge) = passkey_challenge(&s, "raj");
    assert!(
        answer(&s, "raj", &session, &a.assert(&challenge)).unwrap()["AuthenticationResult"]
            .is_object()
    );
}

#[test]
fn es256_packed_self_attestation_is_verified() {
    let s = passkey_pool(None);
    s.user("pam", &[]);
    let at = s.tokens("pam")["AccessToken"].clone();
    let challenge = start_registration(&s, &at);
    let a = Authenticator::es256("localhost", "https://localhost");
    // A self-attestation signed by another key is refused.
    let other = Authenticator::es256("localhost", "https://localhost");
    let mut forged = a.register(&challenge, "packed");
    let theirs = other.register(&challenge, "packed");
    let ours_att = forged["response"]["attestationObject"]
        .as_str()
        .unwrap()
        .to_string();
    let att: Cbor =
        ciborium::de::from_reader(URL_SAFE_NO_PAD.decode(&ours_att).unwrap().as_slice()).unwrap();
    let their_att: Cbor = ciborium::de::from_reader(
        URL_SAFE_NO_PAD
            .decode(theirs["response"]["attestationObject"].as_str().unwrap())
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    let pick = |m: &Cbor, k: &str| {
        m.as_map()
            .unwrap()
            .iter()
            .find(|(key, _)| key.as_text() == Some(k))
            .unwrap()
            .1
            .clone()
    };
    let mixed = Cbor::Map(vec![
        (Cbor::Text("fmt".into()), Cbor::Text("packed".into())),
        (Cbor::Text("attStmt".into()), pick(&their_att, "attStmt")),
        (Cbor::Text("authData".into()), pick(&att, "authData")),
    ]);
    forged["response"]["attestationObject"] = json!(URL_SAFE_NO_PAD.encode(cbor(&mixed)));
    let (ty, _) = complete(&s, &at, &forged).unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    complete(&s, &at, &a.register(&challenge, "packed")).unwrap();
}

#[test]
fn registration_checks_challenge_origin_rp_and_format() {
    let s = passkey_pool(Some(json!({"RelyingPartyId": "example.com"})));
    s.user("reg", &[]);
    let at = s.tokens("reg")["AccessToken"].clone();
    let challenge = start_registration(&s, &at);
    let a = Authenticator::es256("example.com", "https://app.example.com");
    let cases = [
        (
            a.register("another-challenge", "none"),
            "WebAuthnChallengeNotFoundException",
        ),
        (
            Authenticator::es256("example.com", "https://example.net").register(&challenge, "none"),
            "WebAuthnOriginNotAllowedException",
        ),
        (
            Authenticator::es256("example.com", "http://example.com").register(&challenge, "none"),
            "WebAuthnOriginNotAllowedException",
        ),
        (
            Authenticator::es256("other.com", "https://example.com").register(&challenge, "none"),
            "WebAuthnRelyingPartyMismatchException",
        ),
        (
            a.register(&challenge, "fido-u2f"),
            "WebAuthnCredentialNotSupportedException",
        ),
    ];
    for (cred, want) in &cases {
        let (ty, m) = complete(&s, &at, cred).unwrap_err();
        assert_eq!(ty, *want, "{m}");
    }
    // Garbage attestation objects are refused with a typed error.
    for att in ["o2NmbXRkbm9uZQ", "", "____", "oA"] {
        let mut cred = a.register(&challenge, "none");
        cred["response"]["attestationObject"] = json!(att);
        let (ty, _) = complete(&s, &at, &cred).unwrap_err();
        assert_eq!(ty, "InvalidParameterException", "attestationObject {att:?}");
    }
    // The id must be the attested credential's.
    let mut cred = a.register(&challenge, "none");
    cred["rawId"] = json!("b3RoZXI");
    cred["id"] = json!("b3RoZXI");
    assert_eq!(
        complete(&s, &at, &cred).unwrap_err().0,
        "InvalidParameterException"
    );
    // None of the refused attempts spent the challenge.
    complete(&s, &at, &a.register(&challenge, "none")).unwrap();
}

#[test]
fn sign_in_refuses_forged_or_replayed_assertions() {
    let (s, mut a) = registered("zed", Authenticator::es256, "none");
    let refused = |a: &mut Authenticator, tamper: Tamper, what: &str| {
        let (session, challenge) = passkey_challenge(&s, "zed");
        let cred = a.assert_with(&challenge, tamper);
        let r = answer(&s, "zed", &session, &cred);
        assert!(r.is_err(), "{what} signed in: {r:?}");
        r.unwrap_err().0
    };
    let t = refused(
        &mut a,
        Tamper {
            bad_signature: true,
            ..Tamper::default()
        },
        "wrong signature",
    );
    assert_eq!(t, "NotAuthorizedException");
    refused(
        &mut a,
        Tamper {
            origin: Some("https://evil.example"),
            ..Tamper::default()
        },
        "wrong origin",
    );
    refused(
        &mut a,
        Tamper {
            rp_id: Some("evil.example"),
            ..Tamper::default()
        },
        "wrong RP ID",
    );
    refused(
        &mut a,
        Tamper {
            flags: Some(UV),
            ..Tamper::default()
        },
        "no user presence",
    );
    // Wrong challenge: an assertion made for another sign-in.
    let (session, _) = passkey_challenge(&s, "zed");
    let (_, other_challenge) = passkey_challenge(&s, "zed");
    let cred = a.assert(&other_challenge);
    let (ty, _) = answer(&s, "zed", &session, &cred).unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    // A good assertion signs in; its counter cannot be used again.
    let (session, challenge) = passkey_challenge(&s, "zed");
    assert!(answer(&s, "zed", &session, &a.assert(&challenge)).is_ok());
    refused(
        &mut a,
        Tamper {
            keep_counter: true,
            ..Tamper::default()
        },
        "replayed counter",
    );
    // A passkey of another user (same key, unknown id) does not sign in.
    let stranger = Authenticator::es256("localhost", "http://localhost:3000");
    let mut stranger = stranger;
    let (session, challenge) = passkey_challenge(&s, "zed");
    assert!(answer(&s, "zed", &session, &stranger.assert(&challenge)).is_err());
}

#[test]
fn user_verification_required_by_the_pool() {
    let s = passkey_pool(Some(
        json!({"RelyingPartyId": "localhost", "UserVerification": "required"}),
    ));
    s.user("uma", &[]);
    let at = s.tokens("uma")["AccessToken"].clone();
    let challenge = start_registration(&s, &at);
    let mut a = Authenticator::es256("localhost", "http://localhost:8080");
    complete(&s, &at, &a.register(&challenge, "none")).unwrap();
    let (session, challenge) = passkey_challenge(&s, "uma");
    let cred = a.assert_with(
        &challenge,
        Tamper {
            flags: Some(UP),
            ..Tamper::default()
        },
    );
    assert!(
        answer(&s, "uma", &session, &cred).is_err(),
        "signed in without user verification"
    );
    let (session, challenge) = passkey_challenge(&s, "uma");
    assert!(answer(&s, "uma", &session, &a.assert(&challenge)).is_ok());
}
