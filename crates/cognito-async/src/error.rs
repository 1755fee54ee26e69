//! The driver's error type.

use std::fmt;
use std::sync::Arc;

use cognito_proto::error::{Error as CoreError, ServiceError, ServiceErrorKind};
use cognito_proto::session::StoreError;

use crate::transport::TransportError;

/// Everything that can go wrong in a call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Cognito answered with an error, the response broke the protocol, or the core refused
    /// the input (see [`cognito_proto::error::Error`]).
    Cognito(CoreError),
    /// No HTTP response was received.
    Transport(TransportError),
    /// The session store could not be read or written, or holds a record it cannot read.
    Session(StoreError),
    /// The call needs a signed-in user, and no session is stored for this user.
    NotSignedIn,
    /// The call needs the user's current device, and none is tracked for this user.
    NoDevice,
    /// Refreshing the session failed. Concurrent callers waiting on the same refresh share
    /// this one error.
    Refresh(Arc<Error>),
}

impl Error {
    /// The Cognito service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Error::Cognito(e) => e.as_service(),
            Error::Refresh(e) => e.as_service(),
            _ => None,
        }
    }

    /// The Cognito service error kind (`NotAuthorized`, `CodeMismatch`, ...), if any.
    pub fn service_kind(&self) -> Option<&ServiceErrorKind> {
        self.as_service().map(|e| &e.kind)
    }

    /// The `x-amzn-RequestId` of the response that failed, when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Cognito(e) => e.request_id(),
            Error::Refresh(e) => e.request_id(),
            _ => None,
        }
    }

    /// The HTTP status of the response that failed, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Cognito(CoreError::Service(e)) => Some(e.status),
            Error::Cognito(CoreError::Protocol { status, .. }) if *status != 0 => Some(*status),
            Error::Refresh(e) => e.status(),
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed (throttling, server faults,
    /// network failures). The driver has already retried what was safe to retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Cognito(e) => e.is_retryable(),
            Error::Transport(e) => e.is_retryable(),
            Error::Refresh(e) => e.is_retryable(),
            Error::Session(_) | Error::NotSignedIn | Error::NoDevice => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cognito(e) => fmt::Display::fmt(e, f),
            Error::Transport(e) => fmt::Display::fmt(e, f),
            Error::Session(e) => fmt::Display::fmt(e, f),
            Error::NotSignedIn => f.write_str("no signed-in session is stored for this user"),
            Error::NoDevice => f.write_str("no device is tracked for this user"),
            Error::Refresh(e) => write!(f, "refreshing the session failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Cognito(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Session(e) => Some(e),
            Error::Refresh(e) => Some(&**e),
            Error::NotSignedIn | Error::NoDevice => None,
        }
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Error::Cognito(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Session(e)
    }
}
