//! The HTTP front: reads a request, runs it through the socket-free handling of
//! [`crate::service`] (the same path [`crate::Service::handle`] takes) and writes the answer.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};

use crate::Shared;
use crate::service::{MAX_BODY, Prepared, body_too_large, prepare, request_id, run};

type Resp = Response<Full<Bytes>>;

/// Error returned to hyper to drop the connection (the `reset` fault).
#[derive(Debug)]
pub(crate) struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by fault injection")
    }
}

impl std::error::Error for ResetConnection {}

fn to_hyper(resp: Response<Vec<u8>>) -> Resp {
    resp.map(|b| Full::new(Bytes::from(b)))
}

fn internal_error() -> Resp {
    let e = crate::api::internal("handler failed");
    to_hyper(crate::service::error_response(&e, ""))
}

/// Serves one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Resp, ResetConnection> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Ok(to_hyper(body_too_large(&request_id(&shared)))),
    };
    let req = Request::from_parts(parts, body);
    // Hooks, `.well-known` (RSA key generation), the state lock and the operation: off the
    // reactor, in one trip; only a call with a `delay` fault comes back to wait on the timer.
    let sh = shared.clone();
    let first = tokio::task::spawn_blocking(move || match prepare(&sh, &req) {
        Prepared::Run(call) if call.delay.is_none() => Prepared::Respond(run(&sh, call)),
        other => other,
    })
    .await;
    let call = match first {
        Err(_) => return Ok(internal_error()),
        Ok(Prepared::Respond(r)) => return Ok(to_hyper(r)),
        Ok(Prepared::Reset) => return Err(ResetConnection),
        Ok(Prepared::Run(call)) => call,
    };
    if let Some(delay) = call.delay {
        tokio::time::sleep(delay).await;
    }
    match tokio::task::spawn_blocking(move || run(&shared, call)).await {
        Ok(r) => Ok(to_hyper(r)),
        Err(_) => Ok(internal_error()),
    }
}
