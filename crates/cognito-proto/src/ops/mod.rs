//! Typed request and response bodies of every user-facing Cognito operation (docs/protocol.md#2-operations)
//! and of the identity-pool calls `GetId` and `GetCredentialsForIdentity` (docs/protocol.md#6-identity-pools).
//!
//! Wire rules (docs/protocol.md#11-request-format, docs/protocol.md#13-successful-responses): member names are PascalCase exactly as in the AWS model, absent
//! optional members are left out (never sent as `null`), `null` is accepted on input wherever a
//! member is optional, unknown members are ignored, timestamps are `f64` epoch seconds, and
//! enums keep values they do not know in an `Unknown(String)` variant.
//!
//! Each request type implements [`Operation`](crate::envelope::Operation), which names its
//! response type; pass it to [`encode`](crate::envelope::encode) and the response to
//! [`decode`](crate::envelope::decode).
//!
//! Passwords, codes, tokens, sessions, secret hashes and client secrets are
//! [`SecretString`]s. The string maps `AuthParameters` and `ChallengeResponses` are plain
//! `BTreeMap`s for convenience; the request types that carry them print only their keys in
//! `Debug`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

mod auth;
mod devices;
mod enums;
mod for_client;
mod identity;
mod mfa;
mod password;
mod sessions;
mod signup;
mod user;
mod webauthn;

/// Re-exported for convenience: the secret types of [`crate::secret`].
pub use crate::secret::{Secret, SecretString};
pub use auth::*;
pub use devices::*;
pub use enums::*;
pub use identity::*;
pub use mfa::*;
pub use password::*;
pub use sessions::*;
pub use signup::*;
pub use user::*;
pub use webauthn::*;

/// Deserialize a member that may be `null` or absent into its default value.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// Implements [`Operation`](crate::envelope::Operation) for a request type.
macro_rules! operation {
    ($req:ident => $resp:ident, $service:ident, idempotent = $idem:literal) => {
        $crate::ops::operation!($req as stringify!($req) => $resp, $service, idempotent = $idem);
    };
    ($req:ident as $name:expr => $resp:ident, $service:ident, idempotent = $idem:literal) => {
        impl $crate::envelope::Operation for $req {
            const NAME: &'static str = $name;
            const SERVICE: $crate::envelope::Service = $crate::envelope::Service::$service;
            const IDEMPOTENT: bool = $idem;
            type Output = $resp;
        }
    };
}
pub(crate) use operation;

/// Prints the keys of a string map but not its values.
pub(crate) struct KeysOnly<'a>(pub(crate) &'a BTreeMap<String, String>);

impl std::fmt::Debug for KeysOnly<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "[redacted]")))
            .finish()
    }
}

/// A user or device attribute (`AttributeType`): `{"Name": .., "Value": ..}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// Attribute name, for example `email` or `custom:team`.
    pub name: String,
    /// Attribute value; always a string (`"true"` for booleans). An empty value deletes the
    /// attribute in `UpdateUserAttributes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AttributeType {
    /// An attribute with a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        AttributeType {
            name: name.into(),
            value: Some(value.into()),
        }
    }
}

/// Find an attribute's value by name in a list of attributes.
pub fn attribute<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.value.as_deref())
}

/// Where a code was sent (`CodeDeliveryDetailsType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// Masked destination, for example `a***@e***.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// `SMS` or `EMAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMedium>,
    /// The attribute the code was sent to, for example `email`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// Pinpoint analytics metadata (`AnalyticsMetadataType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AnalyticsMetadata {
    /// The Pinpoint endpoint id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_endpoint_id: Option<String>,
}

/// Threat-protection context data (`UserContextDataType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserContextData {
    /// Source IP address of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The encoded fingerprint from the Cognito advanced-security SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_data: Option<String>,
}

/// Legacy SMS MFA option (`MFAOptionType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaOption {
    /// `SMS` (or `EMAIL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_medium: Option<DeliveryMedium>,
    /// The attribute, for example `phone_number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// Tokens returned by a successful sign-in or refresh (`AuthenticationResultType`, docs/protocol.md#54-authenticationresult).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    /// The access token (a JWT).
    pub access_token: SecretString,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    /// Token type, `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The refresh token (opaque). Absent from refreshes unless rotation is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// The ID token (a JWT).
    pub id_token: SecretString,
    /// Present when the pool tracks devices and the sign-in presented no known device: the
    /// client should call `ConfirmDevice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

/// A new device to confirm (`NewDeviceMetadataType`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    /// The device key, `{region}_{uuid}`.
    pub device_key: String,
    /// The device group key, used as the SRP realm of device authentication.
    pub device_group_key: String,
}

/// A remembered device (`DeviceType`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Device {
    /// The device key.
    pub device_key: String,
    /// Device attributes (`device_name`, `dev:device_remembered_status`, `last_ip_used`, ...).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub device_attributes: Vec<AttributeType>,
    /// Creation time, epoch seconds (may be fractional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_create_date: Option<f64>,
    /// Last modification time, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_last_modified_date: Option<f64>,
    /// Last authentication time, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_last_authenticated_date: Option<f64>,
}

impl Device {
    /// The value of a device attribute.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        attribute(&self.device_attributes, name)
    }

    /// The device name (`device_name` attribute).
    pub fn name(&self) -> Option<&str> {
        self.attribute("device_name")
    }

    /// The remembered status (`dev:device_remembered_status` attribute).
    pub fn remembered_status(&self) -> Option<DeviceRememberedStatus> {
        self.attribute("dev:device_remembered_status")
            .map(DeviceRememberedStatus::from)
    }
}
