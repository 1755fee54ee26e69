//! Remembered devices (docs/protocol.md#26-remembered-devices): `ConfirmDevice`, `ListDevices`, `GetDevice`,
//! `UpdateDeviceStatus`, `ForgetDevice`.

use serde::{Deserialize, Serialize};

use super::{Device, DeviceRememberedStatus, SecretString, null_default, operation};

/// The device's SRP verifier and salt (`DeviceSecretVerifierConfigType`), each standard base64
/// of the padHex bytes (docs/protocol.md#47-device-srp).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceSecretVerifierConfig {
    /// base64(PAD(v)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_verifier: Option<String>,
    /// base64(PAD(salt)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// `ConfirmDevice`: register the device from `NewDeviceMetadata` with its verifier.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDevice {
    /// The access token from the sign-in that returned the device.
    pub access_token: SecretString,
    /// The new device key.
    pub device_key: String,
    /// The device's SRP verifier and salt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_secret_verifier_config: Option<DeviceSecretVerifierConfig>,
    /// Free-text device name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// The answer to `ConfirmDevice`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    /// `true`: the device is tracked but not remembered until `UpdateDeviceStatus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_confirmation_necessary: Option<bool>,
}

operation!(ConfirmDevice => ConfirmDeviceResponse, UserPool, idempotent = false);

/// `ListDevices`: the user's devices, paginated.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevices {
    /// The access token.
    pub access_token: SecretString,
    /// Page size (0–60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Token of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

impl ListDevices {
    /// The first page with the server's default size.
    pub fn new(access_token: SecretString) -> Self {
        ListDevices {
            access_token,
            limit: None,
            pagination_token: None,
        }
    }
}

/// The answer to `ListDevices`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesResponse {
    /// The devices of this page.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub devices: Vec<Device>,
    /// Token of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

operation!(ListDevices => ListDevicesResponse, UserPool, idempotent = true);

/// `GetDevice`: one device.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDevice {
    /// The device key.
    pub device_key: String,
    /// The access token (optional in the model, required for public clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
}

/// The answer to `GetDevice`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceResponse {
    /// The device.
    pub device: Device,
}

operation!(GetDevice => GetDeviceResponse, UserPool, idempotent = true);

/// `UpdateDeviceStatus`: remember or forget-to-remember a device.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDeviceStatus {
    /// The access token.
    pub access_token: SecretString,
    /// The device key.
    pub device_key: String,
    /// `remembered` or `not_remembered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_remembered_status: Option<DeviceRememberedStatus>,
}

/// The answer to `UpdateDeviceStatus` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateDeviceStatusResponse {}

operation!(UpdateDeviceStatus => UpdateDeviceStatusResponse, UserPool, idempotent = true);

/// `ForgetDevice`: delete a device.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForgetDevice {
    /// The access token (optional in the model, required for public clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The device key.
    pub device_key: String,
}

/// The answer to `ForgetDevice` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForgetDeviceResponse {}

// A repeat fails with "Device does not exist.", so it is not retried blindly.
operation!(ForgetDevice => ForgetDeviceResponse, UserPool, idempotent = false);
