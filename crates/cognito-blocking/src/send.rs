//! The IO loop: send a prepared request, retry what is safe to retry, decode the answer.

use std::sync::Arc;

use cognito_proto::envelope::{self, Operation, PreparedRequest};
use rand::Rng as _;

use crate::error::Error;
use crate::retry::{Attempt, RetryPolicy};
use crate::transport::Transport;

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
            let verdict = match &result {
                Ok(response) => {
                    span.record("status", response.status().as_u16());
                    if let Some(id) = envelope::request_id(response.headers()) {
                        span.record("request_id", id.as_str());
                    }
                    if response.status().is_success() {
                        Attempt::Success
                    } else {
                        let error = envelope::decode_error(prepared.operation, response);
                        Attempt::ErrorResponse {
                            retryable: error.is_retryable(),
                        }
                    }
                }
                Err(e) => Attempt::TransportError {
                    retryable: e.is_retryable(),
                    may_have_reached_server: e.may_have_reached_server(),
                },
            };
            let random = rand::rng().next_u64();
            match self
                .retry
                .next_delay(prepared.idempotent, attempt, verdict, random)
            {
                Some(delay) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                None => {
                    span.record("attempts", attempt);
                    return result.map_err(Error::Transport);
                }
            }
        }
    }

    /// Encode, send and decode one typed operation.
    pub(crate) fn call<O: Operation>(&self, endpoint: &envelope::Endpoint, op: &O) -> Result<O::Output, Error> {
        let response = self.send(envelope::encode(endpoint, op))?;
        Ok(envelope::decode::<O>(&response)?)
    }
}

