//! The IO loop: send a prepared request, sleep and send again while the shared retry decision
//! says so, decode the answer.

use std::sync::Arc;

use cognito_driver::send::Attempts;
use cognito_proto::envelope::{self, Operation, PreparedRequest};
use cognito_proto::retry::RetryPolicy;
use tracing::Instrument as _;

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
    pub(crate) async fn send(
        &self,
        prepared: PreparedRequest,
    ) -> Result<http::Response<Vec<u8>>, Error> {
        let mut attempts = Attempts::new(&prepared, self.retry);
        loop {
            let span = attempts.span().clone();
            let result = self
                .transport
                .send(&prepared.request)
                .instrument(span)
                .await;
            match attempts.retry_after(&result) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return attempts.finish(result),
            }
        }
    }

    /// Encode, send and decode one typed operation.
    pub(crate) async fn call<O: Operation>(
        &self,
        endpoint: &envelope::Endpoint,
        op: &O,
    ) -> Result<O::Output, Error> {
        let response = self.send(envelope::encode(endpoint, op)).await?;
        Ok(envelope::decode::<O>(&response)?)
    }
}
