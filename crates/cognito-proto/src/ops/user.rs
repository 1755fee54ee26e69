//! The user's own profile (docs/protocol.md#24-the-users-own-profile): `GetUser`, `UpdateUserAttributes`,
//! `DeleteUserAttributes`, `GetUserAttributeVerificationCode`, `VerifyUserAttribute`,
//! `DeleteUser`, `GetUserAuthFactors`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AttributeType, AuthFactorType, CodeDeliveryDetails, MfaOption, MfaSetting, SecretString,
    attribute, null_default, operation,
};

/// `GetUser`: the signed-in user's attributes and MFA settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUser {
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `GetUser`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    /// The internal username (a UUID for email-as-username pools).
    pub username: String,
    /// The attributes, values as strings.
    #[serde(default, deserialize_with = "null_default")]
    pub user_attributes: Vec<AttributeType>,
    /// Legacy SMS MFA options.
    #[serde(
        rename = "MFAOptions",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub mfa_options: Vec<MfaOption>,
    /// The preferred MFA factor, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<MfaSetting>,
    /// The enabled MFA factors (omitted when none).
    #[serde(
        rename = "UserMFASettingList",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub user_mfa_setting_list: Vec<MfaSetting>,
}

impl GetUserResponse {
    /// The value of an attribute (`sub`, `email`, `custom:team`, ...).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        attribute(&self.user_attributes, name)
    }
}

operation!(GetUser => GetUserResponse, UserPool, idempotent = true);

/// `UpdateUserAttributes`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributes {
    /// The attributes to set (an empty value deletes one).
    #[serde(default, deserialize_with = "null_default")]
    pub user_attributes: Vec<AttributeType>,
    /// The access token.
    pub access_token: SecretString,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
}

impl UpdateUserAttributes {
    /// A request setting `user_attributes`.
    pub fn new(access_token: SecretString, user_attributes: Vec<AttributeType>) -> Self {
        UpdateUserAttributes {
            user_attributes,
            access_token,
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `UpdateUserAttributes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserAttributesResponse {
    /// Where verification codes for changed `email`/`phone_number` went.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub code_delivery_details_list: Vec<CodeDeliveryDetails>,
}

// May send verification codes, so not retried blindly.
operation!(UpdateUserAttributes => UpdateUserAttributesResponse, UserPool, idempotent = false);

/// `DeleteUserAttributes`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserAttributes {
    /// Names of the attributes to delete.
    #[serde(default, deserialize_with = "null_default")]
    pub user_attribute_names: Vec<String>,
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `DeleteUserAttributes` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserAttributesResponse {}

operation!(DeleteUserAttributes => DeleteUserAttributesResponse, UserPool, idempotent = true);

/// `GetUserAttributeVerificationCode`: send a code to verify an attribute.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCode {
    /// The access token.
    pub access_token: SecretString,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// Lambda trigger metadata.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub client_metadata: BTreeMap<String, String>,
}

impl GetUserAttributeVerificationCode {
    /// A request for `attribute_name` (`email`, `phone_number`).
    pub fn new(access_token: SecretString, attribute_name: impl Into<String>) -> Self {
        GetUserAttributeVerificationCode {
            access_token,
            attribute_name: attribute_name.into(),
            client_metadata: BTreeMap::new(),
        }
    }
}

/// The answer to `GetUserAttributeVerificationCode`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAttributeVerificationCodeResponse {
    /// Where the code went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

operation!(GetUserAttributeVerificationCode => GetUserAttributeVerificationCodeResponse, UserPool, idempotent = false);

/// `VerifyUserAttribute`: confirm an attribute with the code.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyUserAttribute {
    /// The access token.
    pub access_token: SecretString,
    /// `email` or `phone_number`.
    pub attribute_name: String,
    /// The code.
    pub code: SecretString,
}

/// The answer to `VerifyUserAttribute` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyUserAttributeResponse {}

operation!(VerifyUserAttribute => VerifyUserAttributeResponse, UserPool, idempotent = false);

/// `DeleteUser`: delete the signed-in user.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUser {
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `DeleteUser` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteUserResponse {}

operation!(DeleteUser => DeleteUserResponse, UserPool, idempotent = false);

/// `GetUserAuthFactors`: what the user can sign in with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAuthFactors {
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `GetUserAuthFactors`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserAuthFactorsResponse {
    /// The internal username.
    pub username: String,
    /// The preferred MFA factor, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa_setting: Option<MfaSetting>,
    /// The enabled MFA factors.
    #[serde(
        rename = "UserMFASettingList",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub user_mfa_setting_list: Vec<MfaSetting>,
    /// The factors usable with `USER_AUTH`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub configured_user_auth_factors: Vec<AuthFactorType>,
}

operation!(GetUserAuthFactors => GetUserAuthFactorsResponse, UserPool, idempotent = true);
