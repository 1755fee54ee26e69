//! The key-value layout of the JavaScript client (`amazon-cognito-identity-js`), so that a
//! key-value store (browser-like storage, a shared file) can be read and written by both.
//!
//! Keys, with `<prefix>` = `CognitoIdentityServiceProvider.<clientId>` and `<username>` the
//! internal username (`USER_ID_FOR_SRP`):
//!
//! | Key | Value |
//! |---|---|
//! | `<prefix>.<username>.idToken` | the ID token |
//! | `<prefix>.<username>.accessToken` | the access token |
//! | `<prefix>.<username>.refreshToken` | the refresh token |
//! | `<prefix>.<username>.clockDrift` | decimal integer, `now - iat` in seconds |
//! | `<prefix>.<username>.deviceKey` | remembered device key |
//! | `<prefix>.<username>.deviceGroupKey` | its group key |
//! | `<prefix>.<username>.randomPasswordKey` | its device password |
//! | `<prefix>.LastAuthUser` | the username last signed in |
//!
//! Amplify v6 reads the same keys as "legacy" keys, but writes its own clock drift in
//! milliseconds with the opposite sign; that format is not produced here.

use std::fmt;

use super::record::{RecordError, SessionRecord};
use super::tokens::TokenSet;
use crate::config::RememberedDevice;
use crate::secret::SecretString;

/// The prefix of every key: `CognitoIdentityServiceProvider`.
pub const KEY_PREFIX: &str = "CognitoIdentityServiceProvider";

/// The per-user fields of the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsField {
    /// `idToken`.
    IdToken,
    /// `accessToken`.
    AccessToken,
    /// `refreshToken`.
    RefreshToken,
    /// `clockDrift`.
    ClockDrift,
    /// `deviceKey`.
    DeviceKey,
    /// `deviceGroupKey`.
    DeviceGroupKey,
    /// `randomPasswordKey`.
    RandomPasswordKey,
}

impl JsField {
    /// Every field, tokens first.
    pub const ALL: [JsField; 7] = [
        JsField::IdToken,
        JsField::AccessToken,
        JsField::RefreshToken,
        JsField::ClockDrift,
        JsField::DeviceKey,
        JsField::DeviceGroupKey,
        JsField::RandomPasswordKey,
    ];

    /// The session fields, removed on sign-out.
    pub const TOKENS: [JsField; 4] = [
        JsField::IdToken,
        JsField::AccessToken,
        JsField::RefreshToken,
        JsField::ClockDrift,
    ];

    /// The remembered-device fields, kept on sign-out.
    pub const DEVICE: [JsField; 3] = [
        JsField::DeviceKey,
        JsField::DeviceGroupKey,
        JsField::RandomPasswordKey,
    ];

    /// The key suffix, e.g. `idToken`.
    pub fn as_str(self) -> &'static str {
        match self {
            JsField::IdToken => "idToken",
            JsField::AccessToken => "accessToken",
            JsField::RefreshToken => "refreshToken",
            JsField::ClockDrift => "clockDrift",
            JsField::DeviceKey => "deviceKey",
            JsField::DeviceGroupKey => "deviceGroupKey",
            JsField::RandomPasswordKey => "randomPasswordKey",
        }
    }

    fn from_suffix(s: &str) -> Option<Self> {
        JsField::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for JsField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CognitoIdentityServiceProvider.<clientId>.<username>.<field>`.
pub fn user_key(client_id: &str, username: &str, field: JsField) -> String {
    format!("{KEY_PREFIX}.{client_id}.{username}.{field}")
}

/// `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`.
pub fn last_user_key(client_id: &str) -> String {
    format!("{KEY_PREFIX}.{client_id}.LastAuthUser")
}

/// What a key of the layout names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsKey {
    /// A per-user field.
    User {
        /// The app client id.
        client_id: String,
        /// The username (may contain dots).
        username: String,
        /// The field.
        field: JsField,
    },
    /// `LastAuthUser` of a client.
    LastAuthUser {
        /// The app client id.
        client_id: String,
    },
}

/// Parses a key of the layout; `None` for any other key. Client ids contain no `.` (model
/// pattern `[\w+]+`) and the field is the last segment, so usernames with dots (emails) parse
/// unambiguously.
pub fn parse_key(key: &str) -> Option<JsKey> {
    let rest = key.strip_prefix(KEY_PREFIX)?.strip_prefix('.')?;
    let (client_id, rest) = rest.split_once('.')?;
    if client_id.is_empty() {
        return None;
    }
    if rest == "LastAuthUser" {
        return Some(JsKey::LastAuthUser {
            client_id: client_id.to_owned(),
        });
    }
    let (username, suffix) = rest.rsplit_once('.')?;
    if username.is_empty() {
        return None;
    }
    Some(JsKey::User {
        client_id: client_id.to_owned(),
        username: username.to_owned(),
        field: JsField::from_suffix(suffix)?,
    })
}

/// One key and its value. The value is held as a secret (tokens, device password).
#[derive(Clone, Debug, PartialEq)]
pub struct JsEntry {
    /// The full key.
    pub key: String,
    /// The value.
    pub value: SecretString,
}

impl SessionRecord {
    /// The entries the JavaScript client would hold for this record: the token fields when
    /// signed in, the device fields when a device is remembered, and `LastAuthUser` (set to this
    /// user) when `with_last_user` is true and the record holds tokens.
    ///
    /// A store writing these should also remove the record's other keys
    /// ([`SessionRecord::js_keys`]) that are absent here, e.g. a refresh token no longer held.
    pub fn to_js_entries(&self, with_last_user: bool) -> Vec<JsEntry> {
        let (client_id, username) = (self.client_id(), self.username());
        let entry = |field, value: SecretString| JsEntry {
            key: user_key(client_id, username, field),
            value,
        };
        let mut out = Vec::new();
        if let Some(tokens) = self.tokens() {
            out.push(entry(JsField::IdToken, tokens.id_token().token().clone()));
            out.push(entry(
                JsField::AccessToken,
                tokens.access_token().token().clone(),
            ));
            if let Some(refresh) = tokens.refresh_token() {
                out.push(entry(JsField::RefreshToken, refresh.clone()));
            }
            out.push(entry(
                JsField::ClockDrift,
                SecretString::new(tokens.clock_drift().to_string()),
            ));
            if with_last_user {
                out.push(JsEntry {
                    key: last_user_key(client_id),
                    value: SecretString::new(username.to_owned()),
                });
            }
        }
        if let Some(device) = self.device() {
            out.push(entry(
                JsField::DeviceKey,
                SecretString::new(device.device_key.clone()),
            ));
            out.push(entry(
                JsField::DeviceGroupKey,
                SecretString::new(device.device_group_key.clone()),
            ));
            out.push(entry(
                JsField::RandomPasswordKey,
                device.device_password.clone(),
            ));
        }
        out
    }

    /// Every per-user key of this record's client and user (not `LastAuthUser`).
    pub fn js_keys(&self) -> Vec<String> {
        JsField::ALL
            .iter()
            .map(|f| user_key(self.client_id(), self.username(), *f))
            .collect()
    }

    /// Reads a user's record from a key-value store in the JavaScript layout; `get` returns the
    /// value of a key. `Ok(None)` when the store holds neither tokens nor a device for the user.
    ///
    /// Errors: only part of the tokens present (ID without access token or the reverse), only
    /// part of the device present, a `clockDrift` that is not an integer, or a token that does
    /// not decode. A missing `clockDrift` counts as 0 and a missing refresh token as none, as
    /// in the JavaScript client.
    pub fn from_js_entries<F>(
        client_id: &str,
        username: &str,
        mut get: F,
    ) -> Result<Option<SessionRecord>, RecordError>
    where
        F: FnMut(&str) -> Option<String>,
    {
        let mut field = |f| get(&user_key(client_id, username, f)).filter(|v| !v.is_empty());
        let id = field(JsField::IdToken).map(SecretString::new);
        let access = field(JsField::AccessToken).map(SecretString::new);
        let refresh = field(JsField::RefreshToken).map(SecretString::new);
        let drift = field(JsField::ClockDrift).map(SecretString::new);
        let device_key = field(JsField::DeviceKey);
        let group_key = field(JsField::DeviceGroupKey);
        let password = field(JsField::RandomPasswordKey).map(SecretString::new);

        let tokens = match (id, access) {
            (None, None) => None,
            (Some(id), Some(access)) => {
                let drift = match drift {
                    None => 0,
                    Some(text) => text.expose_secret().trim().parse::<i64>().map_err(|_| {
                        RecordError::Corrupt("`clockDrift` is not an integer".into())
                    })?,
                };
                Some(TokenSet::with_clock_drift(id, access, refresh, drift)?)
            }
            _ => {
                return Err(RecordError::Corrupt(
                    "only one of `idToken` and `accessToken` is stored".into(),
                ));
            }
        };
        let device = match (device_key, group_key, password) {
            (None, None, None) => None,
            (Some(device_key), Some(device_group_key), Some(device_password)) => {
                Some(RememberedDevice {
                    device_key,
                    device_group_key,
                    device_password,
                })
            }
            _ => {
                return Err(RecordError::Corrupt(
                    "the remembered device is stored only in part".into(),
                ));
            }
        };
        if tokens.is_none() && device.is_none() {
            return Ok(None);
        }
        let mut record = SessionRecord::new(client_id, username);
        if let Some(device) = device {
            record.set_device(device);
        }
        if let Some(tokens) = tokens {
            // The JavaScript client keys a USER_PASSWORD_AUTH sign-in by the name as typed
            // (possibly an alias), so the key's username need not match the token's.
            record.put_tokens(tokens);
        }
        Ok(Some(record))
    }
}
