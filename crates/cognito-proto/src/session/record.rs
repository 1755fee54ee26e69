//! The stored state of one user of one app client: tokens and remembered device (known client bug docs/protocol.md#pitfall-16
//! and 23: everything is keyed per user, never a global "current user").
//!
//! The serde format is versioned JSON:
//!
//! ```json
//! {"version":1,"client_id":"…","username":"…","sub":"…",
//!  "tokens":{"id_token":"…","access_token":"…","refresh_token":"…","clock_drift":0},
//!  "device":{"device_key":"…","device_group_key":"…","device_password":"…"}}
//! ```
//!
//! `sub`, `tokens` and `device` may be absent. Reading a record that is not this format is a
//! [`RecordError`], never a silent reset.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::token::TokenError;
use super::tokens::TokenSet;
use crate::config::RememberedDevice;
use crate::secret::SecretString;

/// The record format version this code writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// Why a stored record could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// Not JSON, or JSON of the wrong shape (missing or mistyped fields). The reason names the
    /// problem without quoting the stored data.
    Corrupt(String),
    /// A `version` this code does not know.
    UnsupportedVersion(u64),
    /// A stored ID or access token does not decode.
    InvalidToken(TokenError),
    /// The record is for another client or user than the one asked for.
    WrongUser,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Corrupt(why) => write!(f, "stored session record is corrupt: {why}"),
            RecordError::UnsupportedVersion(v) => {
                write!(f, "stored session record has unsupported version {v}")
            }
            RecordError::InvalidToken(e) => write!(f, "stored session token is invalid: {e}"),
            RecordError::WrongUser => {
                f.write_str("stored session record belongs to another client or user")
            }
        }
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordError::InvalidToken(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TokenError> for RecordError {
    fn from(e: TokenError) -> Self {
        RecordError::InvalidToken(e)
    }
}

/// One user's session and remembered-device state, for one app client.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    client_id: String,
    username: String,
    sub: Option<String>,
    tokens: Option<TokenSet>,
    device: Option<RememberedDevice>,
}

impl SessionRecord {
    /// An empty record for `username` (Cognito's internal username) of `client_id`.
    pub fn new(client_id: impl Into<String>, username: impl Into<String>) -> Self {
        SessionRecord {
            client_id: client_id.into(),
            username: username.into(),
            sub: None,
            tokens: None,
            device: None,
        }
    }

    /// The app client id (first half of the key).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Cognito's internal username (second half of the key).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The user's `sub`, as last seen in tokens.
    pub fn sub(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// The tokens, when signed in.
    pub fn tokens(&self) -> Option<&TokenSet> {
        self.tokens.as_ref()
    }

    /// The remembered device, when there is one.
    pub fn device(&self) -> Option<&RememberedDevice> {
        self.device.as_ref()
    }

    /// Stores new tokens (sign-in or refresh).
    ///
    /// When the tokens carry a `sub` different from the one stored, the user was deleted and
    /// re-created under the same username: the remembered device belonged to the old user and
    /// is dropped (known client bug docs/protocol.md#pitfall-16). Returns the dropped device, if any. Tokens of another user
    /// (different internal username) are refused with [`RecordError::WrongUser`].
    pub fn set_tokens(
        &mut self,
        tokens: TokenSet,
    ) -> Result<Option<RememberedDevice>, RecordError> {
        if tokens.username().is_some_and(|name| name != self.username) {
            return Err(RecordError::WrongUser);
        }
        Ok(self.put_tokens(tokens))
    }

    /// [`SessionRecord::set_tokens`] without the username check.
    pub(crate) fn put_tokens(&mut self, tokens: TokenSet) -> Option<RememberedDevice> {
        let mut dropped = None;
        if let Some(new_sub) = tokens.sub() {
            if self.sub.as_deref().is_some_and(|old| old != new_sub) {
                dropped = self.device.take();
            }
            self.sub = Some(new_sub.to_owned());
        }
        self.tokens = Some(tokens);
        dropped
    }

    /// Clears the tokens (sign-out, dead session) and keeps the remembered device
    /// (known client bug docs/protocol.md#pitfall-24). Returns the tokens that were removed.
    pub fn clear_tokens(&mut self) -> Option<TokenSet> {
        self.tokens.take()
    }

    /// Remembers a device for this user (after `ConfirmDevice`).
    pub fn set_device(&mut self, device: RememberedDevice) {
        self.device = Some(device);
    }

    /// Forgets the remembered device (`ForgetDevice`, or a device the server no longer
    /// knows). Returns it.
    pub fn remove_device(&mut self) -> Option<RememberedDevice> {
        self.device.take()
    }

    /// Whether the record holds nothing worth storing.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_none() && self.device.is_none()
    }

    /// Serializes to the versioned JSON format. The output contains secrets (tokens, device
    /// password): it is for a store, never for a log.
    pub fn to_json(&self) -> Vec<u8> {
        let raw = RawRecord {
            version: u64::from(RECORD_VERSION),
            client_id: self.client_id.clone(),
            username: self.username.clone(),
            sub: self.sub.clone(),
            tokens: self.tokens.as_ref().map(|t| RawTokens {
                id_token: t.id_token().token().clone(),
                access_token: t.access_token().token().clone(),
                refresh_token: t.refresh_token().cloned(),
                clock_drift: t.clock_drift(),
            }),
            device: self.device.clone(),
        };
        // Serializing plain strings and integers into a Vec cannot fail.
        serde_json::to_vec(&raw).unwrap_or_default()
    }

    /// Reads the versioned JSON format.
    pub fn from_json(bytes: &[u8]) -> Result<Self, RecordError> {
        // First only the version (other fields ignored), so that a record of another version
        // is reported as such rather than as a shape error.
        let probe: VersionProbe = serde_json::from_slice(bytes)
            .map_err(|e| RecordError::Corrupt(format!("not a JSON object ({})", category(&e))))?;
        match probe.version {
            Some(serde_json::Value::Number(n)) => match n.as_u64() {
                Some(v) if v == u64::from(RECORD_VERSION) => {}
                Some(v) => return Err(RecordError::UnsupportedVersion(v)),
                None => {
                    return Err(RecordError::Corrupt(
                        "`version` is not a whole number".into(),
                    ));
                }
            },
            Some(_) => return Err(RecordError::Corrupt("`version` is not a number".into())),
            None => return Err(RecordError::Corrupt("no `version`".into())),
        }
        let raw: RawRecord = serde_json::from_slice(bytes)
            .map_err(|e| RecordError::Corrupt(redacted_serde_reason(&e)))?;
        let tokens = match raw.tokens {
            None => None,
            Some(t) => Some(TokenSet::with_clock_drift(
                t.id_token,
                t.access_token,
                t.refresh_token,
                t.clock_drift,
            )?),
        };
        Ok(SessionRecord {
            client_id: raw.client_id,
            username: raw.username,
            sub: raw.sub,
            tokens,
            device: raw.device,
        })
    }

    /// Reads a record and checks it is the one stored for `client_id` and `username`.
    pub fn from_json_for(
        bytes: &[u8],
        client_id: &str,
        username: &str,
    ) -> Result<Self, RecordError> {
        let record = SessionRecord::from_json(bytes)?;
        if record.client_id != client_id || record.username != username {
            return Err(RecordError::WrongUser);
        }
        Ok(record)
    }
}

fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong shape",
        serde_json::error::Category::Eof => "truncated",
    }
}

/// serde's messages can quote the offending value (`invalid type: string "eyJ…"`), which may be
/// a token: keep only the category and position.
fn redacted_serde_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // "missing field `x`" and "unknown variant" messages quote only field names; keep those.
    if msg.starts_with("missing field") || msg.starts_with("duplicate field") {
        msg
    } else {
        format!("{} in the record", category(e))
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    version: Option<serde_json::Value>,
}

/// Unknown fields are ignored, so a later writer may add optional fields without a new
/// version; anything incompatible bumps `version`.
#[derive(Serialize, Deserialize)]
struct RawRecord {
    version: u64,
    client_id: String,
    username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tokens: Option<RawTokens>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<RememberedDevice>,
}

#[derive(Serialize, Deserialize)]
struct RawTokens {
    id_token: SecretString,
    access_token: SecretString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<SecretString>,
    clock_drift: i64,
}
