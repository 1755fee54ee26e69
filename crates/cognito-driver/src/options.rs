//! Behaviour options of a pool handle, the store and clock types, and transport timeouts.

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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retry: RetryPolicy::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            remember_devices: true,
            refresh_method: RefreshMethod::default(),
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
