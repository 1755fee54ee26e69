//! The user's sessions (docs/protocol.md#28-other-operations, newer model members): `ListUserSessions`,
//! `RevokeUserSession`. The doc does not detail these shapes; the known members are typed and
//! any other member of a session description is kept in [`SessionDescription::other`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{RevokeAssociatedSessions, SecretString, null_default, operation};

/// `ListUserSessions`: the signed-in user's token and SSO sessions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserSessions {
    /// The access token.
    pub access_token: SecretString,
    /// Token of the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One session (`SessionDescriptionType`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionDescription {
    /// Session id, `tkn…` or `sso…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The app client of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Creation time, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<f64>,
    /// Last activity, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_date: Option<f64>,
    /// Device description from the user agent (may be `unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    /// Whether this is the session of the calling access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_current_session: Option<bool>,
    /// Members this version does not type, kept as sent.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// The answer to `ListUserSessions`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUserSessionsResponse {
    /// The sessions of this page.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub sessions: Vec<SessionDescription>,
    /// Token of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

operation!(ListUserSessions => ListUserSessionsResponse, UserPool, idempotent = true);

/// `RevokeUserSession`: revoke one of the user's other sessions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevokeUserSession {
    /// The access token.
    pub access_token: SecretString,
    /// The session to revoke.
    pub session_id: String,
    /// `LINKED` also revokes linked sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_associated_sessions: Option<RevokeAssociatedSessions>,
}

/// The answer to `RevokeUserSession` (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeUserSessionResponse {}

operation!(RevokeUserSession => RevokeUserSessionResponse, UserPool, idempotent = false);
