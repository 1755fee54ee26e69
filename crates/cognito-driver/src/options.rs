//! Behaviour options of a pool handle, the store and clock types, and transport timeouts and
//! size limits.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use cognito_proto::retry::RetryPolicy;
use cognito_proto::session::{DEFAULT_REFRESH_MARGIN, RefreshMethod, SessionStore};

/// A session store shared by the pool handle and its users.
pub type SharedStore = Arc<dyn SessionStore + Send + Sync>;

/// A source of the current wall-clock time. The default reads the system clock.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Behaviour options of a `UserPool`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// Tokens are refreshed this long before they expire. Default 60 s.
    pub refresh_margin: Duration,
    /// Whether remembered devices are stored and used: the device confirmed during sign-in is
    /// kept in the store (and marked remembered when the pool waits for the user's prompt),
    /// and later sign-ins of the user authenticate it. With `false`, no device is stored or
    /// used; the core still confirms a device the pool asks to track. Default `true`.
    pub remember_devices: bool,
    /// Which call refreshes tokens. Default `InitiateAuth(REFRESH_TOKEN_AUTH)`; app clients
    /// with refresh-token rotation need [`RefreshMethod::GetTokensFromRefreshToken`].
    pub refresh_method: RefreshMethod,
    /// Identity-pool credentials are renewed this long before they expire. Default 5 minutes
    /// ([`DEFAULT_CREDENTIALS_MARGIN`](crate::credentials::DEFAULT_CREDENTIALS_MARGIN)).
    pub credentials_margin: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retry: RetryPolicy::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            remember_devices: true,
            refresh_method: RefreshMethod::default(),
            credentials_margin: crate::credentials::DEFAULT_CREDENTIALS_MARGIN,
        }
    }
}

/// Timeouts of a driver's default HTTP transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Connection setup, including name resolution and TLS. Default 10 s.
    pub connect: Duration,
    /// Sending the request and receiving the whole response. Default 30 s.
    pub response: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            response: Duration::from_secs(30),
        }
    }
}

/// Size limits of a driver's default HTTP transport: a response over a limit fails with a
/// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge) or
/// [`TransportErrorKind::HeadersTooLarge`](crate::TransportErrorKind::HeadersTooLarge) error
/// after reading at most about the limit, so a hostile or broken server cannot make a call
/// buffer an endless body.
///
/// The defaults are far above what Cognito sends (its largest answers, token sets and user
/// listings, are a few kilobytes; a page of 60 users with all attributes stays well under
/// 200 KiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest response body read, in bytes (after any decompression). Default 1 MiB.
    pub max_response_body: usize,
    /// The largest response head (status line and headers), in bytes. Default 64 KiB.
    pub max_response_headers: usize,
}

impl Limits {
    /// The default response body limit: 1 MiB.
    pub const DEFAULT_MAX_RESPONSE_BODY: usize = 1 << 20;
    /// The default response head limit: 64 KiB.
    pub const DEFAULT_MAX_RESPONSE_HEADERS: usize = 64 << 10;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_response_body: Self::DEFAULT_MAX_RESPONSE_BODY,
            max_response_headers: Self::DEFAULT_MAX_RESPONSE_HEADERS,
        }
    }
}
