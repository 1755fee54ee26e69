//! The IO loop: send a prepared request, retry what is safe to retry, decode the answer.

use std::sync::Arc;

use cognito_proto::envelope::{self, Operation, PreparedRequest};
use rand::Rng as _;

use cognito_proto::retry::{Failure, Outcome, Retry, RetryPolicy};

use crate::error::Error;
use crate::transport::{Transport, TransportErrorKind};

/// Sends requests through a transport with the retry policy. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Sender {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryPolicy,
}

impl Sender {
    /// Send one prepared request and return the HTTP response (any status).
    pub(crate) fn send(&self, prepared: PreparedRequest) -> Result<http::Response<Vec<u8>>, Error> {
        let span = tracing::info_span!(
            "cognito",
            operation = prepared.operation,
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let _entered = span.enter();
        let mut attempt = 1u32;
        loop {
            let result = self.transport.send(&prepared.request);
            let decision = match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    if let Some(id) = envelope::request_id(response.headers()) {
                        span.record("request_id", id.as_str());
                    }
                    if response.status().is_success() {
                        Retry::No
                    } else {
                        let error = envelope::decode_error(prepared.operation, response);
                        self.decide(&prepared, attempt, Failure::Response(&error))
                    }
                }
                Err(e) => match e.kind() {
                    TransportErrorKind::Connect => {
                        self.decide(&prepared, attempt, Failure::ConnectFailed)
                    }
                    TransportErrorKind::Other => Retry::No,
                    _ => self.decide(&prepared, attempt, Failure::TransportFailed),
                },
            };
            match decision {
                Retry::After(delay) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                Retry::No => {
                    span.record("attempts", attempt);
                    return result.map_err(Error::Transport);
                }
            }
        }
    }

    fn decide(&self, prepared: &PreparedRequest, attempt: u32, failure: Failure<'_>) -> Retry {
        let outcome = Outcome::new(prepared, failure);
        self.retry.decide(attempt, &outcome, rand::rng().next_u64())
    }

    /// Encode, send and decode one typed operation.
    pub(crate) fn call<O: Operation>(
        &self,
        endpoint: &envelope::Endpoint,
        op: &O,
    ) -> Result<O::Output, Error> {
        let response = self.send(envelope::encode(endpoint, op))?;
        Ok(envelope::decode::<O>(&response)?)
    }
}
