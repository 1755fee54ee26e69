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
    pub step: LoginStep,
    pub expires: u64,
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
