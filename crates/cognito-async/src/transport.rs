//! The HTTP transport: [`Transport`] and its `reqwest` implementation [`ReqwestTransport`].

use std::future::Future;
use std::pin::Pin;

use crate::{Timeouts, TransportError, TransportErrorKind};

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

/// The default [`Transport`]: a `reqwest` client with rustls (or native-tls, see the crate's
/// features), redirects off, timeouts and the
/// user agent [`USER_AGENT`].
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
}

impl ReqwestTransport {
    /// A transport with the default [`Timeouts`].
    pub fn new() -> Result<Self, TransportError> {
        Self::with_timeouts(Timeouts::default())
    }

    /// A transport with the given timeouts.
    pub fn with_timeouts(timeouts: Timeouts) -> Result<Self, TransportError> {
        let builder = reqwest::Client::builder();
        // With only the `native-tls` feature, TLS goes through the platform's library.
        #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
        let builder = builder.tls_backend_native();
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.response)
            .build()
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
        Ok(ReqwestTransport { client })
    }

    /// A transport over a client configured by the caller (proxy, TLS roots, ...). Turn
    /// redirects off on it.
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: &'a http::Request<Vec<u8>>) -> SendFuture<'a> {
        Box::pin(async move {
            let outgoing = cognito_driver::outgoing(request, request.body().clone())?;
            let outgoing = reqwest::Request::try_from(outgoing)
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
            let response = self.client.execute(outgoing).await.map_err(classify)?;
            let mut builder = http::Response::builder()
                .status(response.status())
                .version(response.version());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await.map_err(classify)?;
            builder
                .body(body.to_vec())
                .map_err(|e| TransportError::new(TransportErrorKind::Other, e))
        })
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    let kind = if error.is_connect() {
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
