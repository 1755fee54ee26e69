//! The HTTP transport: [`Transport`] and its `ureq` implementation [`UreqTransport`].

use crate::{Limits, Timeouts, TransportError, TransportErrorKind};

/// Sends one HTTP request and returns the response, whatever its status.
///
/// HTTP error statuses (400, 500, ...) are responses, not errors: the core decodes Cognito's
/// error bodies from them. A transport error means no response was received. Implement this
/// trait to plug another HTTP client in (or a test double).
///
/// ```
/// use cognito_blocking::{Transport, TransportError};
///
/// /// A transport that answers every request with `{}`.
/// struct Empty;
///
/// impl Transport for Empty {
///     fn send(
///         &self,
///         _request: &http::Request<Vec<u8>>,
///     ) -> Result<http::Response<Vec<u8>>, TransportError> {
///         Ok(http::Response::new(b"{}".to_vec()))
///     }
/// }
/// ```
pub trait Transport: Send + Sync {
    /// Send `request` and return the response.
    fn send(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        (**self).send(request)
    }
}

/// The user agent sent by [`UreqTransport`]: `cognito-blocking/<version>`.
pub const USER_AGENT: &str = concat!("cognito-blocking/", env!("CARGO_PKG_VERSION"));

/// The default [`Transport`]: a `ureq` agent with rustls, redirects off, timeouts, response
/// size [`Limits`] and the user agent [`USER_AGENT`].
///
/// A response whose head or body is over a limit fails with a [`TransportError`] of kind
/// [`TransportErrorKind::HeadersTooLarge`] or [`TransportErrorKind::BodyTooLarge`]; the body
/// is read up to the limit, never further.
///
/// ```
/// use cognito_blocking::{Timeouts, UreqTransport};
/// use std::time::Duration;
///
/// let transport = UreqTransport::with_timeouts(Timeouts {
///     connect: Duration::from_secs(3),
///     response: Duration::from_secs(10),
/// });
/// # drop(transport);
/// ```
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
    limits: Limits,
}

impl UreqTransport {
    /// A transport with the default [`Timeouts`].
    pub fn new() -> Self {
        Self::with_timeouts(Timeouts::default())
    }

    /// A transport with the given timeouts and the default [`Limits`].
    pub fn with_timeouts(timeouts: Timeouts) -> Self {
        Self::with_limits(timeouts, Limits::default())
    }

    /// A transport with the given timeouts and response size limits.
    ///
    /// ```
    /// use cognito_blocking::{Limits, Timeouts, UreqTransport};
    ///
    /// let limits = Limits {
    ///     max_response_body: 256 * 1024,
    ///     ..Limits::default()
    /// };
    /// let transport = UreqTransport::with_limits(Timeouts::default(), limits);
    /// # drop(transport);
    /// ```
    pub fn with_limits(timeouts: Timeouts, limits: Limits) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .save_redirect_history(false)
            .user_agent(USER_AGENT)
            .timeout_connect(Some(timeouts.connect))
            .timeout_per_call(Some(timeouts.response))
            .max_response_header_size(limits.max_response_headers)
            .build();
        UreqTransport {
            agent: ureq::Agent::new_with_config(config),
            limits,
        }
    }

    /// A transport over an agent configured by the caller (proxy, TLS roots, ...). Keep
    /// `http_status_as_error(false)` and redirects off, or error responses cannot be decoded.
    /// Bodies are read up to the default [`Limits::max_response_body`]; the agent's own
    /// `max_response_header_size` limits the head.
    pub fn from_agent(agent: ureq::Agent) -> Self {
        UreqTransport {
            agent,
            limits: Limits::default(),
        }
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for UreqTransport {
    fn send(
        &self,
        request: &http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let outgoing = cognito_driver::outgoing(request, request.body().as_slice())?;
        let response = self.agent.run(outgoing).map_err(classify)?;
        let (parts, mut body) = response.into_parts();
        let bytes = body
            .with_config()
            .limit(u64::try_from(self.limits.max_response_body).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(classify)?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

fn classify(error: ureq::Error) -> TransportError {
    use std::io::ErrorKind as Io;
    use ureq::Error as E;
    use ureq::Timeout as T;
    let kind = match &error {
        E::BodyExceedsLimit(limit) => {
            let limit = usize::try_from(*limit).unwrap_or(usize::MAX);
            return TransportError::limit_exceeded(TransportErrorKind::BodyTooLarge, limit);
        }
        E::LargeResponseHeader(_, limit) => {
            return TransportError::limit_exceeded(TransportErrorKind::HeadersTooLarge, *limit);
        }
        // More header lines than the HTTP parser holds: a head too large in another way.
        E::Protocol(ureq_proto::Error::HttpParseTooManyHeaders) => {
            TransportErrorKind::HeadersTooLarge
        }
        E::HostNotFound | E::ConnectionFailed => TransportErrorKind::Connect,
        E::Timeout(T::Resolve | T::Connect) => TransportErrorKind::Connect,
        E::Timeout(_) => TransportErrorKind::Timeout,
        E::Io(e) => match e.kind() {
            Io::ConnectionRefused | Io::AddrNotAvailable | Io::NotFound => {
                TransportErrorKind::Connect
            }
            Io::TimedOut | Io::WouldBlock => TransportErrorKind::Timeout,
            _ => TransportErrorKind::Io,
        },
        _ => TransportErrorKind::Other,
    };
    TransportError::new(kind, error)
}
