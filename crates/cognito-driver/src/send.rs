//! The decision half of a driver's send loop: which attempt this is, whether its result is
//! retried and after how long, and the `tracing` span of the exchange. The driver sends and
//! sleeps.

use std::time::Duration;

use cognito_proto::envelope::{self, PreparedRequest};
use cognito_proto::retry::{Failure, Outcome, Retry, RetryPolicy};
use rand::Rng as _;

use crate::error::{Error, TransportError, TransportErrorKind};

/// The result of one attempt: an HTTP response (any status) or no response at all.
pub type AttemptResult = Result<http::Response<Vec<u8>>, TransportError>;

/// The attempts of one request. A driver's loop:
///
/// ```
/// # use cognito_driver::send::Attempts;
/// # use cognito_proto::retry::RetryPolicy;
/// # fn send(p: &cognito_proto::envelope::PreparedRequest) -> cognito_driver::send::AttemptResult {
/// #     Ok(http::Response::new(b"{}".to_vec()))
/// # }
/// # let endpoint = cognito_proto::envelope::Endpoint::for_region("eu-west-1").unwrap();
/// # let op = cognito_proto::ops::GetUser { access_token: "t".into() };
/// # let prepared = cognito_proto::envelope::encode(&endpoint, &op);
/// let mut attempts = Attempts::new(&prepared, RetryPolicy::default());
/// let response = loop {
///     let result = send(&prepared);
///     match attempts.retry_after(&result) {
///         Some(delay) => std::thread::sleep(delay),
///         None => break attempts.finish(result),
///     }
/// };
/// assert!(response.is_ok());
/// ```
#[derive(Debug)]
pub struct Attempts<'a> {
    prepared: &'a PreparedRequest,
    retry: RetryPolicy,
    attempt: u32,
    span: tracing::Span,
}

impl<'a> Attempts<'a> {
    /// The first attempt of `prepared` under `retry`; opens the span `cognito` with the
    /// operation name (and later the attempts, the status and the request id, never a
    /// secret).
    pub fn new(prepared: &'a PreparedRequest, retry: RetryPolicy) -> Self {
        let span = tracing::info_span!(
            "cognito",
            operation = prepared.operation,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        Attempts {
            prepared,
            retry,
            attempt: 1,
            span,
        }
    }

    /// The span of the exchange: enter it (blocking) or instrument the send with it (async).
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// After an attempt: `Some(delay)` to sleep and send the same request again, `None` to
    /// stop and [`Attempts::finish`].
    pub fn retry_after(&mut self, result: &AttemptResult) -> Option<Duration> {
        let failure_error;
        let failure = match result {
            Ok(response) => {
                self.span.record("status", response.status().as_u16());
                if let Some(id) = envelope::request_id(response.headers()) {
                    self.span.record("request_id", id.as_str());
                }
                if response.status().is_success() {
                    return self.stop();
                }
                failure_error = envelope::decode_error(self.prepared.operation, response);
                Failure::Response(&failure_error)
            }
            Err(e) if !e.is_retryable() => return self.stop(),
            Err(e) => match e.kind() {
                TransportErrorKind::Connect => Failure::ConnectFailed,
                _ => Failure::TransportFailed,
            },
        };
        let outcome = Outcome::new(self.prepared, failure);
        match self
            .retry
            .decide(self.attempt, &outcome, rand::rng().next_u64())
        {
            Retry::After(delay) => {
                tracing::debug!(
                    parent: &self.span,
                    attempt = self.attempt,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "retrying"
                );
                self.attempt += 1;
                Some(delay)
            }
            Retry::No => self.stop(),
        }
    }

    fn stop(&mut self) -> Option<Duration> {
        self.span.record("attempts", self.attempt);
        None
    }

    /// The last attempt's result as the driver returns it.
    pub fn finish(self, result: AttemptResult) -> Result<http::Response<Vec<u8>>, Error> {
        result.map_err(Error::Transport)
    }
}
