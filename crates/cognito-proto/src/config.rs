//! Values shared by every flow: the app client's identity and a remembered device.

use crate::secret::SecretString;
use crate::srp::{self, SrpError};

/// The app client a flow speaks for: user pool id, client id and optional client secret.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    user_pool_id: String,
    client_id: String,
    client_secret: Option<SecretString>,
}

impl ClientConfig {
    /// A public app client (no secret). Fails when the pool id is not `<region>_<name>`.
    pub fn new(
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Result<Self, SrpError> {
        let user_pool_id = user_pool_id.into();
        srp::pool_name(&user_pool_id)?;
        Ok(ClientConfig {
            user_pool_id,
            client_id: client_id.into(),
            client_secret: None,
        })
    }

    /// The same client with a client secret: every call then carries `SECRET_HASH`
    /// (or `ClientSecret` for `GetTokensFromRefreshToken` and `RevokeToken`).
    pub fn with_secret(mut self, client_secret: impl Into<SecretString>) -> Self {
        self.client_secret = Some(client_secret.into());
        self
    }

    /// The user pool id, e.g. `us-east-1_AbCdEfGhI`.
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret, if the app client has one.
    pub fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// The region: the part of the pool id before the first `_`.
    pub fn region(&self) -> &str {
        self.user_pool_id
            .split_once('_')
            .map_or("", |(region, _)| region)
    }

    /// The pool name used in SRP: the part of the pool id after the first `_`.
    pub fn pool_name(&self) -> &str {
        self.user_pool_id
            .split_once('_')
            .map_or("", |(_, name)| name)
    }

    /// `SECRET_HASH` for `username` when the client has a secret, `None` otherwise.
    /// After SRP, custom auth and for refresh, `username` must be Cognito's internal username.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret
            .as_ref()
            .map(|secret| srp::secret_hash(username, &self.client_id, secret.expose_secret()))
    }
}

/// A device remembered for one user: what device SRP needs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RememberedDevice {
    /// `DeviceKey`, e.g. `us-east-1_0f6c…`.
    pub device_key: String,
    /// `DeviceGroupKey`, e.g. `-v7w9UcY6`.
    pub device_group_key: String,
    /// The random device password (base64 of 40 bytes) whose verifier the server holds.
    pub device_password: SecretString,
}
