//! The records behind the OAuth endpoints and the hosted sign-in pages: authorization codes
//! waiting for their exchange, sign-ins in progress and signed-in browsers. They live here,
//! with the rest of the stored state, so that the durable store and the state need nothing of
//! the endpoints that create and consume them.

use serde::{Deserialize, Serialize};

use super::changes::{Kind, SecretKeyed};

/// A checked authorization request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AuthzRequest {
    /// `code`, or `token` (implicit grant).
    pub response_type: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Option<String>,
    /// A username to pre-fill on the sign-in page.
    pub login_hint: Option<String>,
    /// The query string it came with (the sign-in page keeps it in its form action).
    pub query: String,
}

/// An authorization code waiting for its exchange.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct AuthCode {
    pub pool_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub username: String,
    pub sub: String,
    pub auth_time: u64,
    pub expires: u64,
}

/// Where a sign-in in progress stands.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) enum LoginStep {
    Password,
    NewPassword {
        session: String,
        username: String,
        required: Vec<String>,
    },
    Mfa {
        session: String,
        username: String,
        kind: String,
        destination: Option<String>,
    },
    SelectMfa {
        session: String,
        username: String,
        options: Vec<String>,
    },
    /// MFA is required and the user has no factor yet: an authenticator app is set up.
    MfaSetup {
        session: String,
        username: String,
        secret: cognito_proto::secret::SecretString,
    },
}

/// A sign-in in progress, bound to the browser by the login cookie.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct LoginSession {
    pub csrf: String,
    pub request: AuthzRequest,
    pub step: SealedStep,
    pub expires: u64,
}

/// A [`LoginStep`] encrypted (AES-256-GCM) under a key derived from the browser's login
/// cookie. A step past the password holds the sign-in's `Session` (which sets a new password
/// or an MFA device) and may hold a TOTP secret; the record is kept under the cookie's digest,
/// so without the cookie, which only the browser has, a copy of the data directory yields
/// neither.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SealedStep {
    nonce: Vec<u8>,
    sealed: Vec<u8>,
}

impl SealedStep {
    /// The key of the steps of the sign-in whose cookie is `cookie`: an HMAC of a fixed label,
    /// so that it is unrelated to the digest the record is found by.
    fn key(cookie: &str) -> Option<aws_lc_rs::aead::LessSafeKey> {
        use aws_lc_rs::{aead, hmac};
        let mac = hmac::Key::new(hmac::HMAC_SHA256, cookie.as_bytes());
        let key = hmac::sign(&mac, b"cognito-emulator hosted sign-in step");
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, key.as_ref()).ok()?;
        Some(aead::LessSafeKey::new(key))
    }

    /// Seals `step` for the sign-in whose cookie is `cookie` (`None`: the cipher failed).
    pub fn seal(cookie: &str, step: &LoginStep) -> Option<SealedStep> {
        use aws_lc_rs::aead;
        let key = SealedStep::key(cookie)?;
        let nonce = crate::util::random_bytes(aead::NONCE_LEN);
        let mut sealed = serde_json::to_vec(step).ok()?;
        let n = aead::Nonce::try_assume_unique_for_key(&nonce).ok()?;
        key.seal_in_place_append_tag(n, aead::Aad::empty(), &mut sealed)
            .ok()?;
        Some(SealedStep { nonce, sealed })
    }

    /// The step, given the cookie it was sealed for (`None` for another cookie or a damaged
    /// record).
    pub fn open(&self, cookie: &str) -> Option<LoginStep> {
        use aws_lc_rs::aead;
        let key = SealedStep::key(cookie)?;
        let n = aead::Nonce::try_assume_unique_for_key(&self.nonce).ok()?;
        let mut buf = self.sealed.clone();
        let plain = key.open_in_place(n, aead::Aad::empty(), &mut buf).ok()?;
        serde_json::from_slice(plain).ok()
    }
}

/// A browser signed in to a pool's hosted pages (the session cookie).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct HostedSession {
    pub pool_id: String,
    pub username: String,
    pub sub: String,
    pub auth_time: u64,
    pub expires: u64,
}

/// The OAuth part of the emulator state. Codes, cookies and sign-in sessions are credentials:
/// none of these types implements `Debug`, and each map holds the digests of its secrets, not
/// the secrets.
#[derive(Clone)]
pub(crate) struct OAuthState {
    pub codes: SecretKeyed<AuthCode>,
    pub logins: SecretKeyed<LoginSession>,
    pub sessions: SecretKeyed<HostedSession>,
}

impl Default for OAuthState {
    fn default() -> OAuthState {
        OAuthState {
            codes: SecretKeyed::new(Kind::OAuthCode),
            logins: SecretKeyed::new(Kind::HostedLogin),
            sessions: SecretKeyed::new(Kind::HostedSession),
        }
    }
}

/// Roughly the bytes an entry of the OAuth tables holds (its strings), for the byte bound on
/// each table.
impl AuthzRequest {
    fn footprint(&self) -> usize {
        [
            &self.response_type,
            &self.client_id,
            &self.redirect_uri,
            &self.query,
        ]
        .iter()
        .map(|s| s.len())
        .chain(
            [
                &self.state,
                &self.code_challenge,
                &self.nonce,
                &self.prompt,
                &self.login_hint,
            ]
            .iter()
            .map(|s| s.as_ref().map_or(0, String::len)),
        )
        .chain(self.scopes.iter().map(String::len))
        .sum()
    }
}

impl LoginSession {
    pub fn footprint(&self) -> usize {
        self.csrf.len() + self.request.footprint() + self.step.nonce.len() + self.step.sealed.len()
    }
}

impl AuthCode {
    pub fn footprint(&self) -> usize {
        [
            &self.pool_id,
            &self.client_id,
            &self.redirect_uri,
            &self.username,
            &self.sub,
        ]
        .iter()
        .map(|s| s.len())
        .chain(self.scopes.iter().map(String::len))
        .sum::<usize>()
            + self.code_challenge.as_ref().map_or(0, String::len)
            + self.nonce.as_ref().map_or(0, String::len)
    }
}

impl HostedSession {
    pub fn footprint(&self) -> usize {
        self.pool_id.len() + self.username.len() + self.sub.len()
    }
}
