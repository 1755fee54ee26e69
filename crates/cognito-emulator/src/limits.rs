//! Bounds on what one client can make the server hold: connections, time spent waiting for
//! headers, bodies or the next request, and bytes buffered per request.

use std::time::Duration;

/// How much the HTTP server lets clients hold. Every field has a default that a test suite
/// never notices; set them with [`EmulatorBuilder::limits`](crate::EmulatorBuilder::limits)
/// or the binary's options.
///
/// ```
/// use std::time::Duration;
/// use cognito_emulator::{Emulator, ServerLimits};
///
/// let builder = Emulator::builder().limits(ServerLimits {
///     max_connections: 64,
///     idle_timeout: Duration::from_secs(5),
///     ..ServerLimits::default()
/// });
/// # let _ = builder;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections served at once. At the cap the server stops accepting: further
    /// connections wait in the kernel's listen queue until one closes (back-pressure, not
    /// refusal). Default 1024.
    pub max_connections: usize,
    /// Time a client has to send a request's start line and headers, from the moment the
    /// server starts reading them; then the connection is closed. Default 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body once its headers arrived; then the
    /// request is answered with an error and the connection closed. Default 30 s.
    pub body_read_timeout: Duration,
    /// A keep-alive connection with no request in progress and no bytes moving for this
    /// long is closed. Default 60 s.
    pub idle_timeout: Duration,
    /// Largest request body; a larger one is answered with a `SerializationException`
    /// (AWS's JSON error shape) without reading it. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Largest request head (start line and headers); a larger one gets
    /// `431 Request Header Fields Too Large`. Default 64 KiB, at least 8 KiB.
    pub max_header_bytes: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_body_bytes: 1 << 20,
            max_header_bytes: 64 << 10,
        }
    }
}

impl ServerLimits {
    /// The limits with every value brought into the range the server can use (at least one
    /// connection and at most 2^20, nonzero timeouts, a header buffer of at least 8 KiB as hyper
    /// requires).
    pub(crate) fn sanitized(&self) -> ServerLimits {
        let min = Duration::from_millis(1);
        ServerLimits {
            max_connections: self.max_connections.clamp(1, 1 << 20),
            header_read_timeout: self.header_read_timeout.max(min),
            body_read_timeout: self.body_read_timeout.max(min),
            idle_timeout: self.idle_timeout.max(min),
            max_body_bytes: self.max_body_bytes,
            max_header_bytes: self.max_header_bytes.max(8 << 10),
        }
    }
}
