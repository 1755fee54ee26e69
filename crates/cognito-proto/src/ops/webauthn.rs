//! Passkeys (docs/protocol.md#27-passkeys): `StartWebAuthnRegistration`, `CompleteWebAuthnRegistration`,
//! `ListWebAuthnCredentials`, `DeleteWebAuthnCredential`.

use serde::{Deserialize, Serialize};

use super::{SecretString, null_default, operation};

/// `StartWebAuthnRegistration`: get passkey creation options.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebAuthnRegistration {
    /// The access token.
    pub access_token: SecretString,
}

/// The answer to `StartWebAuthnRegistration`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartWebAuthnRegistrationResponse {
    /// W3C `PublicKeyCredentialCreationOptionsJSON`, as a JSON object.
    pub credential_creation_options: serde_json::Value,
}

// Each call issues a new registration challenge.
operation!(StartWebAuthnRegistration => StartWebAuthnRegistrationResponse, UserPool, idempotent = false);

/// `CompleteWebAuthnRegistration`: register the created passkey.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteWebAuthnRegistration {
    /// The access token.
    pub access_token: SecretString,
    /// W3C `RegistrationResponseJSON`, as a JSON object.
    pub credential: serde_json::Value,
}

/// The answer to `CompleteWebAuthnRegistration` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteWebAuthnRegistrationResponse {}

operation!(CompleteWebAuthnRegistration => CompleteWebAuthnRegistrationResponse, UserPool, idempotent = false);

/// `ListWebAuthnCredentials`: the user's passkeys, paginated.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentials {
    /// The access token.
    pub access_token: SecretString,
    /// Token of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size (0–20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
}

impl ListWebAuthnCredentials {
    /// The first page with the server's default size.
    pub fn new(access_token: SecretString) -> Self {
        ListWebAuthnCredentials {
            access_token,
            next_token: None,
            max_results: None,
        }
    }
}

/// A registered passkey (`WebAuthnCredentialDescription`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebAuthnCredentialDescription {
    /// The credential id.
    pub credential_id: String,
    /// A display name.
    #[serde(default)]
    pub friendly_credential_name: String,
    /// The relying party id.
    #[serde(default)]
    pub relying_party_id: String,
    /// `platform` or `cross-platform`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    /// Transports (`internal`, `usb`, `hybrid`, ...).
    #[serde(default, deserialize_with = "null_default")]
    pub authenticator_transports: Vec<String>,
    /// Registration time, epoch seconds (may be fractional).
    pub created_at: f64,
}

/// The answer to `ListWebAuthnCredentials`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListWebAuthnCredentialsResponse {
    /// The passkeys of this page.
    #[serde(default, deserialize_with = "null_default")]
    pub credentials: Vec<WebAuthnCredentialDescription>,
    /// Token of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

operation!(ListWebAuthnCredentials => ListWebAuthnCredentialsResponse, UserPool, idempotent = true);

/// `DeleteWebAuthnCredential`: delete a passkey.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteWebAuthnCredential {
    /// The access token.
    pub access_token: SecretString,
    /// The credential id.
    pub credential_id: String,
}

/// The answer to `DeleteWebAuthnCredential` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteWebAuthnCredentialResponse {}

operation!(DeleteWebAuthnCredential => DeleteWebAuthnCredentialResponse, UserPool, idempotent = false);
