//! Password management (docs/protocol.md#23-passwords): `ForgotPassword`, `ConfirmForgotPassword`,
//! `ChangePassword`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AnalyticsMetadata, CodeDeliveryDetails, SecretString, UserContextData, null_default, operation,
};

/// `ForgotPassword`: send a password-reset code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPassword {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` over the username, for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// Threat-protection context data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_context_data: Option<UserContextData>,
    /// The username.
    pub username: String,
    /// Pinpoint analytics metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_metadata: Option<AnalyticsMetadata>,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
}

impl ForgotPassword {
    /// A request with the client id and username; set the other members as needed.
    pub fn new(client_id: impl Into<String>, username: impl Into<String>) -> Self {
        ForgotPassword {
            client_id: client_id.into(),
            secret_hash: None,
            user_context_data: None,
            username: username.into(),
            analytics_metadata: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `ForgotPassword`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgotPasswordResponse {
    /// Where the code went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

operation!(ForgotPassword => ForgotPasswordResponse, UserPool, idempotent = false);

/// `ConfirmForgotPassword`: set a new password with the reset code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmForgotPassword {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` over the username, for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The username.
    pub username: String,
    /// The reset code.
    pub confirmation_code: SecretString,
    /// The new password.
    pub password: SecretString,
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

impl ConfirmForgotPassword {
    /// A request with the client id, username, code and new password; set the other members
    /// as needed.
    pub fn new(
        client_id: impl Into<String>,
        username: impl Into<String>,
        confirmation_code: SecretString,
        password: SecretString,
    ) -> Self {
        ConfirmForgotPassword {
            client_id: client_id.into(),
            secret_hash: None,
            username: username.into(),
            confirmation_code,
            password,
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `ConfirmForgotPassword` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmForgotPasswordResponse {}

operation!(ConfirmForgotPassword => ConfirmForgotPasswordResponse, UserPool, idempotent = false);

/// `ChangePassword`: change the signed-in user's password.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangePassword {
    /// The current password (absent only for passwordless users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_password: Option<SecretString>,
    /// The new password.
    pub proposed_password: SecretString,
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `ChangePassword` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordResponse {}

operation!(ChangePassword => ChangePasswordResponse, UserPool, idempotent = false);
