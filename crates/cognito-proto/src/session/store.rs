//! The storage trait for session records. Implementations (memory, file, key-value stores in
//! the JavaScript layout) live in the `cognito-store` crate; this crate does no IO.

use std::fmt;

use super::record::{RecordError, SessionRecord};

/// Why a store operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionStoreError {
    /// The stored data exists but cannot be read as a record. It is left in place: the caller
    /// decides whether to report it or to overwrite it by signing in again.
    Corrupt(RecordError),
    /// The storage itself failed (file system, permissions, a remote store).
    Backend(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl SessionStoreError {
    /// Wraps a backend error.
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        SessionStoreError::Backend(e.into())
    }
}

impl fmt::Display for SessionStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionStoreError::Corrupt(e) => fmt::Display::fmt(e, f),
            SessionStoreError::Backend(e) => write!(f, "session store failed: {e}"),
        }
    }
}

impl std::error::Error for SessionStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionStoreError::Corrupt(e) => Some(e),
            SessionStoreError::Backend(e) => Some(e.as_ref()),
        }
    }
}

impl From<RecordError> for SessionStoreError {
    fn from(e: RecordError) -> Self {
        SessionStoreError::Corrupt(e)
    }
}

/// Where session records live, keyed by app client id and Cognito's internal username.
///
/// Every method names the user it acts on: there is no implicit "current user"
/// (known client bug docs/protocol.md#pitfall-23). `last_user` only answers "who signed in last" for a caller that starts without
/// a username. Methods take `&self` so one store can be shared between threads; implementations
/// use interior mutability.
pub trait SessionStore {
    /// The record of `username` for `client_id`, `None` when nothing is stored. A stored record
    /// that cannot be read is [`SessionStoreError::Corrupt`], never `None`.
    fn load(
        &self,
        client_id: &str,
        username: &str,
    ) -> Result<Option<SessionRecord>, SessionStoreError>;

    /// Stores `record` under its client id and username, replacing what was there. When the
    /// record holds tokens, its user becomes the client's last user.
    fn save(&self, record: &SessionRecord) -> Result<(), SessionStoreError>;

    /// Removes the user's tokens and keeps the remembered device (sign-out, dead session).
    /// Clears the client's last user when it is this user. Nothing stored is not an error.
    fn clear_tokens(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError>;

    /// Forgets the user's remembered device and keeps the tokens. Nothing stored is not an
    /// error.
    fn remove_device(&self, client_id: &str, username: &str) -> Result<(), SessionStoreError>;

    /// The username that last stored tokens for `client_id` and has not signed out since.
    fn last_user(&self, client_id: &str) -> Result<Option<String>, SessionStoreError>;
}
