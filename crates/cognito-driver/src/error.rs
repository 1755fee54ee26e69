//! The drivers' error type, and the transport error it wraps.

use std::fmt;
use std::sync::Arc;

use cognito_proto::error::{CoreError, ServiceError, ServiceErrorKind};
use cognito_proto::oauth::OAuthError;
use cognito_proto::ops::ChallengeName;
use cognito_proto::session::SessionStoreError;

/// Everything that can go wrong in a call. Match on the variants, or ask the accessors:
/// [`Error::service_kind`] and [`Error::service_code`] for Cognito's answer,
/// [`Error::status`], [`Error::challenge`], [`Error::is_retryable`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Cognito answered with an error, the response broke the protocol, or the core refused
    /// the input (see [`cognito_proto::error::CoreError`]).
    Cognito(CoreError),
    /// No HTTP response was received.
    Transport(TransportError),
    /// The session store could not be read or written, or holds a record it cannot read.
    Session(SessionStoreError),
    /// The call needs a signed-in user, and no session is stored for this user.
    NotSignedIn,
    /// The call needs the user's current device, and none is tracked for this user.
    NoDevice,
    /// Getting AWS credentials from an identity pool failed. Concurrent callers waiting on
    /// the same request share this one error.
    Credentials(Arc<Error>),
    /// Refreshing the session failed. Concurrent callers waiting on the same refresh share
    /// this one error.
    Refresh(Arc<Error>),
    /// An OAuth endpoint of the pool's domain refused (a typed RFC 6749 error), or its redirect
    /// or response failed a check (state, nonce, audience), or no domain is configured.
    OAuth(OAuthError),
}

impl Error {
    /// The Cognito service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        self.as_core().and_then(CoreError::as_service)
    }

    /// The Cognito service error kind (`NotAuthorized`, `CodeMismatch`, ...), if any.
    pub fn service_kind(&self) -> Option<&ServiceErrorKind> {
        self.as_service().map(|e| &e.kind)
    }

    /// The service's error code as sent (`NotAuthorizedException`), if Cognito answered with
    /// an error; also for codes this version has no [`ServiceErrorKind`] for.
    pub fn service_code(&self) -> Option<&str> {
        self.service_kind().map(ServiceErrorKind::as_str)
    }

    /// The core error inside, looking through shared refresh and credential errors.
    pub fn as_core(&self) -> Option<&CoreError> {
        match self {
            Error::Cognito(e) => Some(e),
            Error::Refresh(e) | Error::Credentials(e) => e.as_core(),
            _ => None,
        }
    }

    /// The challenge this error is about (an unexpected challenge, or one with a missing or
    /// malformed parameter), if any.
    pub fn challenge(&self) -> Option<&ChallengeName> {
        self.as_core().and_then(CoreError::challenge)
    }

    /// The `x-amzn-RequestId` of the response that failed, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.as_core().and_then(CoreError::request_id)
    }

    /// The HTTP status of the response that failed, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::OAuth(e) => e.status(),
            _ => self.as_core().and_then(CoreError::status),
        }
    }

    /// Whether trying the same call again later may succeed (throttling, server faults,
    /// network failures). The driver has already retried what was safe to retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Cognito(e) => e.is_retryable(),
            Error::Transport(e) => e.is_retryable(),
            Error::Refresh(e) | Error::Credentials(e) => e.is_retryable(),
            Error::OAuth(e) => e.is_retryable(),
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
            Error::OAuth(e) => fmt::Display::fmt(e, f),
            Error::Credentials(e) => write!(f, "getting identity-pool credentials failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Cognito(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Session(e) => Some(e),
            Error::Refresh(e) | Error::Credentials(e) => Some(&**e),
            Error::OAuth(e) => Some(e),
            Error::NotSignedIn | Error::NoDevice => None,
        }
    }
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Error::Cognito(e)
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::OAuth(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Transport(e)
    }
}

impl From<SessionStoreError> for Error {
    fn from(e: SessionStoreError) -> Self {
        Error::Session(e)
    }
}

/// What kind of failure a [`TransportError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made (name resolution, refused, connect timeout). The request
    /// never left, so repeating it is always safe.
    Connect,
    /// A timeout after the connection was made: the server may have received the request.
    Timeout,
    /// The connection broke during the exchange: the server may have received the request.
    Io,
    /// Anything else (invalid URL, TLS failure, malformed HTTP): repeating will not help.
    Other,
    /// The response body was larger than the transport's limit
    /// ([`Limits::max_response_body`](crate::Limits::max_response_body)); reading stopped
    /// there. The server may have acted on the request.
    BodyTooLarge,
    /// The response's status line and headers were larger than the transport's limit
    /// ([`Limits::max_response_headers`](crate::Limits::max_response_headers)); reading
    /// stopped there. The server may have acted on the request.
    HeadersTooLarge,
}

/// A failure to get an HTTP response at all.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl TransportError {
    /// A transport error of `kind` caused by `source`.
    pub fn new(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the server may have received the request (so a non-idempotent request must not
    /// be sent again).
    pub fn may_have_reached_server(&self) -> bool {
        !matches!(self.kind, TransportErrorKind::Connect)
    }

    /// A [`TransportErrorKind::BodyTooLarge`] or [`TransportErrorKind::HeadersTooLarge`]
    /// error: the response exceeded `limit` bytes.
    pub fn limit_exceeded(kind: TransportErrorKind, limit: usize) -> Self {
        TransportError::new(kind, LimitExceeded { limit })
    }

    /// The limit in bytes that the response exceeded, for the `*TooLarge` kinds.
    pub fn exceeded_limit(&self) -> Option<usize> {
        self.source.downcast_ref::<LimitExceeded>().map(|e| e.limit)
    }

    /// Whether trying again later may succeed. A response over a size limit is not retried:
    /// the same server would send it again.
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self.kind,
            TransportErrorKind::Other
                | TransportErrorKind::BodyTooLarge
                | TransportErrorKind::HeadersTooLarge
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection failed",
            TransportErrorKind::Other => "HTTP request failed",
            TransportErrorKind::BodyTooLarge => "response body too large",
            TransportErrorKind::HeadersTooLarge => "response headers too large",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// Why a response was refused for its size: the limit it exceeded. The source of a
/// [`TransportError`] of kind [`TransportErrorKind::BodyTooLarge`] or
/// [`TransportErrorKind::HeadersTooLarge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitExceeded {
    /// The limit, in bytes.
    pub limit: usize,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than the limit of {} bytes", self.limit)
    }
}

impl std::error::Error for LimitExceeded {}

/// A copy of `request`'s method, URI, version and headers with `body`: what a default
/// transport hands its HTTP client.
pub fn outgoing<B>(
    request: &http::Request<Vec<u8>>,
    body: B,
) -> Result<http::Request<B>, TransportError> {
    let mut builder = http::Request::builder()
        .method(request.method().clone())
        .uri(request.uri().clone())
        .version(request.version());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    builder
        .body(body)
        .map_err(|e| TransportError::new(TransportErrorKind::Other, e))
}
