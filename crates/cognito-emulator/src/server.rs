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
    let e = crate::api::ApiError {
        kind: "InternalErrorException".into(),
        message: "handler failed".into(),
        status: 500,
    };
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
    // Hooks, `.well-known` (RSA key generation) and the state lock: off the reactor.
    let sh = shared.clone();
    let Ok(prepared) = tokio::task::spawn_blocking(move || prepare(&sh, &req)).await else {
        return Ok(internal_error());
    };
    let call = match prepared {
        Prepared::Respond(r) => return Ok(to_hyper(r)),
        Prepared::Reset => return Err(ResetConnection),
        Prepared::Run(call) => call,
    };
    if let Some(delay) = call.delay {
        tokio::time::sleep(delay).await;
    }
    match tokio::task::spawn_blocking(move || run(&shared, call)).await {
        Ok(r) => Ok(to_hyper(r)),
        Err(_) => Ok(internal_error()),
    }
}
