//! Identity pools (docs/protocol.md#6-identity-pools): `GetId`, `GetCredentialsForIdentity`, `GetOpenIdToken`.
//! These go to the identity-pool URL of the [`Endpoint`](crate::envelope::Endpoint) with the
//! target prefix `AWSCognitoIdentityService`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{SecretString, null_default, operation};

/// The `Logins` key of a user pool: `cognito-idp.{region}.amazonaws.com/{userPoolId}`.
/// Returns `None` when the pool id has no region prefix.
pub fn user_pool_login_key(user_pool_id: &str) -> Option<String> {
    let (region, name) = user_pool_id.split_once('_')?;
    if region.is_empty() || name.is_empty() {
        return None;
    }
    Some(format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}"))
}

/// `GetId`: the identity id of a user (or of a guest, without `Logins`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetId {
    /// The identity pool id, `{region}:{uuid}`.
    pub identity_pool_id: String,
    /// The AWS account id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Provider → token; for a user pool the key is [`user_pool_login_key`] and the value the
    /// **ID token**. Omitted when empty (guest identity).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub logins: BTreeMap<String, SecretString>,
}

impl GetId {
    /// A guest request; add `logins` for an authenticated identity.
    pub fn new(identity_pool_id: impl Into<String>) -> Self {
        GetId {
            identity_pool_id: identity_pool_id.into(),
            account_id: None,
            logins: BTreeMap::new(),
        }
    }
}

/// The answer to `GetId`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetIdResponse {
    /// The identity id, `{region}:{uuid}`.
    pub identity_id: String,
}

operation!(GetId => GetIdResponse, Identity, idempotent = true);

/// `GetCredentialsForIdentity`: temporary AWS credentials for an identity.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsForIdentity {
    /// The identity id from `GetId`.
    pub identity_id: String,
    /// Same map as [`GetId::logins`]; required for authenticated identities.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub logins: BTreeMap<String, SecretString>,
    /// Role to assume when the token allows several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_role_arn: Option<String>,
}

impl GetCredentialsForIdentity {
    /// A guest request; add `logins` for an authenticated identity.
    pub fn new(identity_id: impl Into<String>) -> Self {
        GetCredentialsForIdentity {
            identity_id: identity_id.into(),
            logins: BTreeMap::new(),
            custom_role_arn: None,
        }
    }
}

/// Temporary AWS credentials (`Credentials`). Note `SecretKey`, not `SecretAccessKey`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Credentials {
    /// The access key id (`ASIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_key: SecretString,
    /// The session token.
    pub session_token: SecretString,
    /// Expiry, epoch seconds.
    pub expiration: f64,
}

/// The answer to `GetCredentialsForIdentity`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCredentialsForIdentityResponse {
    /// The identity id.
    pub identity_id: String,
    /// The credentials.
    pub credentials: Credentials,
}

operation!(GetCredentialsForIdentity => GetCredentialsForIdentityResponse, Identity, idempotent = true);

/// `GetOpenIdToken`: a Cognito OIDC token for `AssumeRoleWithWebIdentity`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetOpenIdToken {
    /// The identity id.
    pub identity_id: String,
    /// Provider → token, as for [`GetId`].
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub logins: BTreeMap<String, SecretString>,
}

/// The answer to `GetOpenIdToken`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetOpenIdTokenResponse {
    /// The identity id.
    pub identity_id: String,
    /// The OIDC token.
    pub token: SecretString,
}

operation!(GetOpenIdToken => GetOpenIdTokenResponse, Identity, idempotent = true);
