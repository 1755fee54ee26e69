//! MFA (docs/protocol.md#25-mfa): `AssociateSoftwareToken`, `VerifySoftwareToken`,
//! `SetUserMFAPreference`, `SetUserSettings`.

use serde::{Deserialize, Serialize};

use super::{MfaOption, SecretString, VerifySoftwareTokenStatus, null_default, operation};

/// `AssociateSoftwareToken`: get a TOTP secret. Send **either** an access token **or** the
/// `MFA_SETUP` session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareToken {
    /// The access token of a signed-in user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The `MFA_SETUP` challenge session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

impl AssociateSoftwareToken {
    /// For a signed-in user.
    pub fn with_access_token(access_token: SecretString) -> Self {
        AssociateSoftwareToken {
            access_token: Some(access_token),
            session: None,
        }
    }

    /// During the `MFA_SETUP` challenge.
    pub fn with_session(session: SecretString) -> Self {
        AssociateSoftwareToken {
            access_token: None,
            session: Some(session),
        }
    }
}

/// The answer to `AssociateSoftwareToken`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The base32 TOTP shared secret (RFC 6238: HMAC-SHA1, 6 digits, 30 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_code: Option<SecretString>,
    /// A new session for `VerifySoftwareToken` (when called with a session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

operation!(AssociateSoftwareToken => AssociateSoftwareTokenResponse, UserPool, idempotent = false);

/// `VerifySoftwareToken`: prove the authenticator works.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareToken {
    /// The access token of a signed-in user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<SecretString>,
    /// The session returned by `AssociateSoftwareToken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
    /// The 6-digit TOTP code.
    pub user_code: SecretString,
    /// A name for the authenticator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_device_name: Option<String>,
}

impl VerifySoftwareToken {
    /// For a signed-in user.
    pub fn with_access_token(access_token: SecretString, user_code: SecretString) -> Self {
        VerifySoftwareToken {
            access_token: Some(access_token),
            session: None,
            user_code,
            friendly_device_name: None,
        }
    }

    /// During the `MFA_SETUP` challenge, with the session from `AssociateSoftwareToken`.
    pub fn with_session(session: SecretString, user_code: SecretString) -> Self {
        VerifySoftwareToken {
            access_token: None,
            session: Some(session),
            user_code,
            friendly_device_name: None,
        }
    }
}

/// The answer to `VerifySoftwareToken`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS` or `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VerifySoftwareTokenStatus>,
    /// The session for `RespondToAuthChallenge(MFA_SETUP)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SecretString>,
}

operation!(VerifySoftwareToken => VerifySoftwareTokenResponse, UserPool, idempotent = false);

/// Settings of one MFA factor (`SMSMfaSettingsType`, `SoftwareTokenMfaSettingsType`,
/// `EmailMfaSettingsType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaSettings {
    /// Turn the factor on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Make it the preferred factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_mfa: Option<bool>,
}

/// Passkey-as-MFA setting (`WebAuthnMfaSettingsType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnMfaSettings {
    /// Turn it on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `SetUserMFAPreference`: enable, disable and prefer MFA factors.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserMfaPreference {
    /// SMS MFA.
    #[serde(
        rename = "SMSMfaSettings",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sms_mfa_settings: Option<MfaSettings>,
    /// TOTP MFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_token_mfa_settings: Option<MfaSettings>,
    /// Email MFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_mfa_settings: Option<MfaSettings>,
    /// Passkey as MFA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_authn_mfa_settings: Option<WebAuthnMfaSettings>,
    /// The access token.
    pub access_token: SecretString,
}

impl SetUserMfaPreference {
    /// A request that changes nothing yet; set the factors to change.
    pub fn new(access_token: SecretString) -> Self {
        SetUserMfaPreference {
            sms_mfa_settings: None,
            software_token_mfa_settings: None,
            email_mfa_settings: None,
            web_authn_mfa_settings: None,
            access_token,
        }
    }
}

/// The answer to `SetUserMFAPreference` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUserMfaPreferenceResponse {}

operation!(SetUserMfaPreference as "SetUserMFAPreference" => SetUserMfaPreferenceResponse, UserPool, idempotent = true);

/// `SetUserSettings` (legacy SMS MFA).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUserSettings {
    /// The access token.
    pub access_token: SecretString,
    /// The MFA options; an empty list turns SMS MFA off. Always sent, even when empty.
    #[serde(rename = "MFAOptions", default, deserialize_with = "null_default")]
    pub mfa_options: Vec<MfaOption>,
}

/// The answer to `SetUserSettings` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUserSettingsResponse {}

operation!(SetUserSettings => SetUserSettingsResponse, UserPool, idempotent = true);
