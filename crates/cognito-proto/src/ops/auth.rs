//! Authentication (docs/protocol.md#22-authentication): `InitiateAuth`, `RespondToAuthChallenge`,
//! `GetTokensFromRefreshToken`, `RevokeToken`, `GlobalSignOut`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{
    AnalyticsMetadata, AuthFlow, AuthenticationResult, ChallengeName, KeysOnly,
    RevokeAssociatedSessions, SecretString, UserContextData, null_default, operation,
};

/// `InitiateAuth`: start a sign-in or a legacy refresh.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuth {
    /// The flow (`USER_SRP_AUTH`, `USER_AUTH`, `REFRESH_TOKEN_AUTH`, ...).
    pub auth_flow: AuthFlow,
    /// The app client id.
    pub client_id: String,
    /// Flow parameters (`USERNAME`, `SRP_A`, `PASSWORD`, `SECRET_HASH`, `DEVICE_KEY`, ...).
    /// May hold a password or refresh token: `Debug` prints only the keys.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub auth_parameters: BTreeMap<String, String>,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
    /// Pinpoint analytics metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Threat-protection context data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
    /// A session from `ConfirmSignUp` for automatic sign-in with `USER_AUTH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

impl InitiateAuth {
    /// A request with a flow, a client id and parameters, and nothing else.
    pub fn new(
        auth_flow: AuthFlow,
        client_id: impl Into<String>,
        auth_parameters: BTreeMap<String, String>,
    ) -> Self {
        InitiateAuth {
            auth_flow,
            client_id: client_id.into(),
            auth_parameters,
            client_metadata: BTreeMap::new(),
            analytics_metadata: None,
            user_context_data: None,
            session: None,
        }
    }
}

impl fmt::Debug for InitiateAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InitiateAuth")
            .field("auth_flow", &self.auth_flow)
            .field("client_id", &self.client_id)
            .field("auth_parameters", &KeysOnly(&self.auth_parameters))
            .field("client_metadata", &KeysOnly(&self.client_metadata))
            .field("analytics_metadata", &self.analytics_metadata)
            .field("user_context_data", &self.user_context_data)
            .field("session", &self.session)
            .finish()
    }
}

/// The answer to `InitiateAuth` and `RespondToAuthChallenge`: **either** tokens **or** a
/// challenge with its parameters and session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthResponse {
    /// The next challenge, if any. Unknown names are kept as values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeName>,
    /// The session to send with the next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// Challenge parameters (all values are strings; nested values are JSON strings).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub challenge_parameters: BTreeMap<String, String>,
    /// Tokens, when sign-in is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
    /// First factors to choose from (`USER_AUTH`, with `SELECT_CHALLENGE`).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub available_challenges: Vec<ChallengeName>,
}

operation!(InitiateAuth => InitiateAuthResponse, UserPool, idempotent = false);

/// `RespondToAuthChallenge`: answer a challenge. Never retried once it reached the server.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallenge {
    /// The app client id.
    pub client_id: String,
    /// The challenge being answered.
    pub challenge_name: ChallengeName,
    /// The latest session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// The answers (`USERNAME`, `SECRET_HASH`, codes, signatures, ...): `Debug` prints only
    /// the keys.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub challenge_responses: BTreeMap<String, String>,
    /// Pinpoint analytics metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Threat-protection context data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
}

impl RespondToAuthChallenge {
    /// A request answering `challenge_name` with `challenge_responses` in `session`.
    pub fn new(
        client_id: impl Into<String>,
        challenge_name: ChallengeName,
        session: Option<SecretString>,
        challenge_responses: BTreeMap<String, String>,
    ) -> Self {
        RespondToAuthChallenge {
            client_id: client_id.into(),
            challenge_name,
            session,
            challenge_responses,
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

impl fmt::Debug for RespondToAuthChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RespondToAuthChallenge")
            .field("client_id", &self.client_id)
            .field("challenge_name", &self.challenge_name)
            .field("session", &self.session)
            .field("challenge_responses", &KeysOnly(&self.challenge_responses))
            .field("analytics_metadata", &self.analytics_metadata)
            .field("user_context_data", &self.user_context_data)
            .field("client_metadata", &KeysOnly(&self.client_metadata))
            .finish()
    }
}

/// The answer to `RespondToAuthChallenge` (same shape as [`InitiateAuthResponse`]).
pub type RespondToAuthChallengeResponse = InitiateAuthResponse;

operation!(RespondToAuthChallenge => RespondToAuthChallengeResponse, UserPool, idempotent = false);

/// `GetTokensFromRefreshToken`: the newer refresh call (needed with refresh-token rotation).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshToken {
    /// The refresh token.
    pub refresh_token: SecretString,
    /// The app client id.
    pub client_id: String,
    /// The app client secret itself (not a `SECRET_HASH`), for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretString>,
    /// The device key the refresh token was issued for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
}

impl GetTokensFromRefreshToken {
    /// A request with the client id and refresh token; set the other members as needed.
    pub fn new(client_id: impl Into<String>, refresh_token: SecretString) -> Self {
        GetTokensFromRefreshToken {
            refresh_token,
            client_id: client_id.into(),
            client_secret: None,
            device_key: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `GetTokensFromRefreshToken`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTokensFromRefreshTokenResponse {
    /// New tokens; `RefreshToken` is present when rotation is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
}

operation!(GetTokensFromRefreshToken => GetTokensFromRefreshTokenResponse, UserPool, idempotent = false);

/// `RevokeToken`: revoke a refresh token and the tokens issued from it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeToken {
    /// The refresh token to revoke.
    pub token: SecretString,
    /// The app client id.
    pub client_id: String,
    /// The app client secret, for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretString>,
    /// `LINKED` also revokes the linked managed-login session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_associated_sessions: Option<RevokeAssociatedSessions>,
}

impl RevokeToken {
    /// A request with the client id and the refresh token to revoke.
    pub fn new(client_id: impl Into<String>, token: SecretString) -> Self {
        RevokeToken {
            token,
            client_id: client_id.into(),
            client_secret: None,
            revoke_associated_sessions: None,
        }
    }
}

/// The answer to `RevokeToken` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeTokenResponse {}

// Revoking an already revoked token leaves the same state, so a retry is harmless.
operation!(RevokeToken => RevokeTokenResponse, UserPool, idempotent = true);

/// `GlobalSignOut`: revoke all of the user's refresh tokens.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSignOut {
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `GlobalSignOut` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalSignOutResponse {}

// A second call fails with "Access Token has been revoked", so it is not retried blindly.
operation!(GlobalSignOut => GlobalSignOutResponse, UserPool, idempotent = false);
