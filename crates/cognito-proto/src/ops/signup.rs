//! Sign-up (docs/protocol.md#21-sign-up): `SignUp`, `ConfirmSignUp`, `ResendConfirmationCode`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AnalyticsMetadata, AttributeType, CodeDeliveryDetails, SecretString, UserContextData,
    null_default, operation,
};

/// `SignUp`: create an unconfirmed user.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUp {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` over the username, for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The username (or email/phone for alias-as-username pools).
    pub username: String,
    /// The password; absent for passwordless sign-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretString>,
    /// Initial attributes.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub user_attributes: Vec<AttributeType>,
    /// Data for the pre-sign-up Lambda.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub validation_data: Vec<AttributeType>,
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

impl SignUp {
    /// A request with the client id and username; set the other members as needed.
    pub fn new(client_id: impl Into<String>, username: impl Into<String>) -> Self {
        SignUp {
            client_id: client_id.into(),
            secret_hash: None,
            username: username.into(),
            password: None,
            user_attributes: Vec::new(),
            validation_data: Vec::new(),
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `SignUp`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    /// `true` only when a Lambda auto-confirmed the user.
    pub user_confirmed: bool,
    /// Where the confirmation code went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    /// The new user's `sub`.
    pub user_sub: String,
    /// A session for `ConfirmSignUp` (automatic sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

operation!(SignUp => SignUpResponse, UserPool, idempotent = false);

/// `ConfirmSignUp`: confirm a user with the emailed or texted code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUp {
    /// The app client id.
    pub client_id: String,
    /// `SECRET_HASH` over the username, for clients with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretString>,
    /// The username.
    pub username: String,
    /// The confirmation code.
    pub confirmation_code: SecretString,
    /// Move a verified alias from another user to this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_alias_creation: Option<bool>,
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
    /// The session from `SignUp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

impl ConfirmSignUp {
    /// A request with the client id, username and code; set the other members as needed.
    pub fn new(
        client_id: impl Into<String>,
        username: impl Into<String>,
        confirmation_code: SecretString,
    ) -> Self {
        ConfirmSignUp {
            client_id: client_id.into(),
            secret_hash: None,
            username: username.into(),
            confirmation_code,
            force_alias_creation: None,
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: BTreeMap::new(),
            session: None,
        }
    }
}

/// The answer to `ConfirmSignUp`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpResponse {
    /// A session for `InitiateAuth(USER_AUTH)` (automatic sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

operation!(ConfirmSignUp => ConfirmSignUpResponse, UserPool, idempotent = false);

/// `ResendConfirmationCode`: send a fresh sign-up code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCode {
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

impl ResendConfirmationCode {
    /// A request with the client id and username; set the other members as needed.
    pub fn new(client_id: impl Into<String>, username: impl Into<String>) -> Self {
        ResendConfirmationCode {
            client_id: client_id.into(),
            secret_hash: None,
            user_context_data: None,
            username: username.into(),
            analytics_metadata: None,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `ResendConfirmationCode`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeResponse {
    /// Where the code went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

operation!(ResendConfirmationCode => ResendConfirmationCodeResponse, UserPool, idempotent = false);
