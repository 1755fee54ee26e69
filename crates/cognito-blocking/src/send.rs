//! The IO loop: send a prepared request, sleep and send again while the shared retry decision
//! says so, decode the answer.

use std::sync::Arc;

use cognito_driver::send::Attempts;
use cognito_proto::envelope::{self, Operation, PreparedRequest};
use cognito_proto::retry::RetryPolicy;

use crate::Error;
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
        let mut attempts = Attempts::new(&prepared, self.retry);
        let span = attempts.span().clone();
        let _entered = span.enter();
        loop {
            let result = self.transport.send(&prepared.request);
            match attempts.retry_after(&result) {
                Some(delay) => std::thread::sleep(delay),
                None => return attempts.finish(result),
            }
        }
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
