//! Constructors that fill a request from the app client's [`ClientConfig`] (`ClientId`, and
//! `SECRET_HASH` over the username for clients with a secret) or from an access token, so that
//! a driver builds each call in one expression and never fills members by hand.
//!
//! ```
//! use cognito_proto::config::ClientConfig;
//! use cognito_proto::ops::SignUp;
//!
//! let config = ClientConfig::new("eu-west-1_AbC", "client").unwrap().with_secret("s3cret");
//! let request = SignUp::for_client(&config, "alice", "Passw0rd!", &[("email", "a@example.com")]);
//! assert_eq!(request.client_id, "client");
//! assert!(request.secret_hash.is_some());
//! assert_eq!(request.user_attributes.len(), 1);
//! ```

use crate::config::ClientConfig;

use super::{
    AttributeType, ChangePassword, ConfirmForgotPassword, ConfirmSignUp, DeleteUserAttributes,
    DeviceRememberedStatus, ForgetDevice, ForgotPassword, GetDevice, ResendConfirmationCode,
    SecretString, SignUp, UpdateDeviceStatus, UpdateUserAttributes, VerifySoftwareToken,
    VerifyUserAttribute,
};

/// `SECRET_HASH` of `username` for `config`, when the client has a secret.
fn secret_hash(config: &ClientConfig, username: &str) -> Option<SecretString> {
    config.secret_hash(username).map(SecretString::new)
}

impl AttributeType {
    /// Attributes from `(name, value)` pairs such as `("email", "alice@example.com")`.
    pub fn list(pairs: &[(&str, &str)]) -> Vec<AttributeType> {
        pairs
            .iter()
            .map(|(name, value)| AttributeType::new(*name, *value))
            .collect()
    }
}

impl SignUp {
    /// `SignUp` of `username` with `password` and initial `attributes`, for `config`'s client.
    pub fn for_client(
        config: &ClientConfig,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Self {
        SignUp {
            secret_hash: secret_hash(config, username),
            password: Some(SecretString::from(password)),
            user_attributes: AttributeType::list(attributes),
            ..SignUp::new(config.client_id(), username)
        }
    }
}

impl ConfirmSignUp {
    /// `ConfirmSignUp` of `username` with the code it received, for `config`'s client.
    pub fn for_client(config: &ClientConfig, username: &str, code: &str) -> Self {
        ConfirmSignUp {
            secret_hash: secret_hash(config, username),
            ..ConfirmSignUp::new(config.client_id(), username, SecretString::from(code))
        }
    }
}

impl ResendConfirmationCode {
    /// `ResendConfirmationCode` for `username`, for `config`'s client.
    pub fn for_client(config: &ClientConfig, username: &str) -> Self {
        ResendConfirmationCode {
            secret_hash: secret_hash(config, username),
            ..ResendConfirmationCode::new(config.client_id(), username)
        }
    }
}

impl ForgotPassword {
    /// `ForgotPassword` for `username`, for `config`'s client.
    pub fn for_client(config: &ClientConfig, username: &str) -> Self {
        ForgotPassword {
            secret_hash: secret_hash(config, username),
            ..ForgotPassword::new(config.client_id(), username)
        }
    }
}

impl ConfirmForgotPassword {
    /// `ConfirmForgotPassword` of `username` with the code and the new password, for
    /// `config`'s client.
    pub fn for_client(
        config: &ClientConfig,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Self {
        ConfirmForgotPassword {
            secret_hash: secret_hash(config, username),
            ..ConfirmForgotPassword::new(
                config.client_id(),
                username,
                SecretString::from(code),
                SecretString::from(new_password),
            )
        }
    }
}

impl UpdateUserAttributes {
    /// `UpdateUserAttributes` setting `(name, value)` pairs.
    pub fn from_pairs(access_token: SecretString, attributes: &[(&str, &str)]) -> Self {
        UpdateUserAttributes::new(access_token, AttributeType::list(attributes))
    }
}

impl DeleteUserAttributes {
    /// `DeleteUserAttributes` removing the attributes `names`.
    pub fn new(access_token: SecretString, names: &[&str]) -> Self {
        DeleteUserAttributes {
            user_attribute_names: names.iter().map(|n| (*n).to_owned()).collect(),
            access_token,
        }
    }
}

impl VerifyUserAttribute {
    /// `VerifyUserAttribute` of `attribute_name` with the code the user received.
    pub fn new(access_token: SecretString, attribute_name: &str, code: &str) -> Self {
        VerifyUserAttribute {
            access_token,
            attribute_name: attribute_name.to_owned(),
            code: SecretString::from(code),
        }
    }
}

impl ChangePassword {
    /// `ChangePassword` from `previous` to `proposed`.
    pub fn new(access_token: SecretString, previous: &str, proposed: &str) -> Self {
        ChangePassword {
            previous_password: Some(SecretString::from(previous)),
            proposed_password: SecretString::from(proposed),
            access_token,
        }
    }
}

impl VerifySoftwareToken {
    /// `VerifySoftwareToken` of a signed-in user with the app's current `code` and an optional
    /// name for the authenticator.
    pub fn signed_in(access_token: SecretString, code: &str, friendly_name: Option<&str>) -> Self {
        VerifySoftwareToken {
            friendly_device_name: friendly_name.map(str::to_owned),
            ..VerifySoftwareToken::with_access_token(access_token, SecretString::from(code))
        }
    }
}

impl UpdateDeviceStatus {
    /// `UpdateDeviceStatus` of `device_key` to `status`.
    pub fn new(
        access_token: SecretString,
        device_key: &str,
        status: DeviceRememberedStatus,
    ) -> Self {
        UpdateDeviceStatus {
            access_token,
            device_key: device_key.to_owned(),
            device_remembered_status: Some(status),
        }
    }
}

impl ForgetDevice {
    /// `ForgetDevice` of `device_key` with the user's access token.
    pub fn new(access_token: SecretString, device_key: &str) -> Self {
        ForgetDevice {
            access_token: Some(access_token),
            device_key: device_key.to_owned(),
        }
    }
}

impl GetDevice {
    /// `GetDevice` of `device_key` with the user's access token.
    pub fn new(access_token: SecretString, device_key: &str) -> Self {
        GetDevice {
            device_key: device_key.to_owned(),
            access_token: Some(access_token),
        }
    }
}
