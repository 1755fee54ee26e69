//! The HTTP transport: [`Transport`] and its `reqwest` implementation [`ReqwestTransport`].

use std::future::Future;
use std::pin::Pin;

use crate::{Limits, Timeouts, TransportError, TransportErrorKind};

/// The future returned by [`Transport::send`].
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send + 'a>>;

/// Sends one HTTP request and returns the response, whatever its status.
///
/// HTTP error statuses (400, 500, ...) are responses, not errors: the core decodes Cognito's
/// error bodies from them. A transport error means no response was received. Implement this
/// trait to plug another HTTP client in (or a test double).
///
/// ```
/// use cognito_async::{SendFuture, Transport};
///
/// /// A transport that answers every request with `{}`.
/// struct Empty;
///
/// impl Transport for Empty {
///     fn send<'a>(&'a self, _request: &'a http::Request<Vec<u8>>) -> SendFuture<'a> {
///         Box::pin(async { Ok(http::Response::new(b"{}".to_vec())) })
///     }
/// }
/// ```
pub trait Transport: Send + Sync {
    /// Send `request` and return the response.
    fn send<'a>(&'a self, request: &'a http::Request<Vec<u8>>) -> SendFuture<'a>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send<'a>(&'a self, request: &'a http::Request<Vec<u8>>) -> SendFuture<'a> {
        (**self).send(request)
    }
}

/// The user agent sent by [`ReqwestTransport`]: `cognito-async/<version>`.
pub const USER_AGENT: &str = concat!("cognito-async/", env!("CARGO_PKG_VERSION"));

/// The default [`Transport`]: a `reqwest` client with rustls, redirects off, timeouts,
/// response size [`Limits`] and the user agent [`USER_AGENT`].
///
/// A response whose head or body is over a limit fails with a [`TransportError`] of kind
/// [`TransportErrorKind::HeadersTooLarge`] or [`TransportErrorKind::BodyTooLarge`]. The body
/// is read chunk by chunk and reading stops at the limit, so an endless body costs at most
/// the limit and one chunk of memory.
///
/// ```
/// use cognito_async::{ReqwestTransport, Timeouts};
/// use std::time::Duration;
///
/// let transport = ReqwestTransport::with_timeouts(Timeouts {
///     connect: Duration::from_secs(3),
///     response: Duration::from_secs(10),
/// })
/// .unwrap();
/// # drop(transport);
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    limits: Limits,
}

impl ReqwestTransport {
    /// A transport with the default [`Timeouts`].
    pub fn new() -> Result<Self, TransportError> {
        Self::with_timeouts(Timeouts::default())
    }

    /// A transport with the given timeouts and the default [`Limits`].
    pub fn with_timeouts(timeouts: Timeouts) -> Result<Self, TransportError> {
        Self::with_limits(timeouts, Limits::default())
    }

    /// A transport with the given timeouts and response size limits.
    ///
    /// ```
    /// use cognito_async::{Limits, ReqwestTransport, Timeouts};
    ///
    /// let limits = Limits {
    ///     max_response_body: 256 * 1024,
    ///     ..Limits::default()
    /// };
    /// let transport = ReqwestTransport::with_limits(Timeouts::default(), limits).unwrap();
    /// # drop(transport);
    /// ```
    pub fn with_limits(timeouts: Timeouts, limits: Limits) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.response)
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
        Ok(ReqwestTransport { client, limits })
    }

    /// A transport over a client configured by the caller (proxy, TLS roots, ...). Turn
    /// redirects off on it. Responses are held to the default [`Limits`].
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            limits: Limits::default(),
        }
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: &'a http::Request<Vec<u8>>) -> SendFuture<'a> {
        Box::pin(async move {
            let outgoing = cognito_driver::outgoing(request, request.body().clone())?;
            let outgoing = reqwest::Request::try_from(outgoing)
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
            let mut response = self.client.execute(outgoing).await.map_err(classify)?;
            let limits = self.limits;
            // hyper already refuses a head over its own buffer limit (about 400 KiB); this
            // holds the parsed head to ours. The status line counts as its fixed part.
            let head_size = response
                .headers()
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len() + 4)
                .fold(17usize, usize::saturating_add);
            if head_size > limits.max_response_headers {
                return Err(TransportError::limit_exceeded(
                    TransportErrorKind::HeadersTooLarge,
                    limits.max_response_headers,
                ));
            }
            let too_large = || {
                TransportError::limit_exceeded(
                    TransportErrorKind::BodyTooLarge,
                    limits.max_response_body,
                )
            };
            if response
                .content_length()
                .is_some_and(|n| n > u64::try_from(limits.max_response_body).unwrap_or(u64::MAX))
            {
                return Err(too_large());
            }
            let mut builder = http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                if chunk.len() > limits.max_response_body - body.len() {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            builder
                .body(body)
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))
        })
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    let kind = if head_too_large(&error) {
        TransportErrorKind::HeadersTooLarge
    } else if error.is_connect() {
        TransportErrorKind::Connect
    } else if error.is_timeout() {
        TransportErrorKind::Timeout
    } else if error.is_request() || error.is_body() || error.is_decode() {
        TransportErrorKind::Io
    } else {
        TransportErrorKind::Other
    };
    TransportError::new(kind, error)
}

/// Whether hyper refused the response head for its size (over its buffer, or too many header
/// lines).
fn head_too_large(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(e) = e.downcast_ref::<hyper::Error>() {
            return e.is_parse_too_large();
        }
        source = e.source();
    }
    false
}
