//! The HTTP front: reads a request, runs it through the socket-free handling of
//! [`crate::service`] (the same path [`crate::Service::handle`] takes) and writes the answer.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use crate::Shared;
use crate::service::{Prepared, body_too_large, body_too_slow, prepare, request_id, run};

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

fn internal_error(message: &str) -> Resp {
    let e = crate::api::internal(message);
    to_hyper(crate::service::error_response(&e, ""))
}

/// An answer after which the connection is closed (the rest of the request was not read).
fn closing(resp: Response<Vec<u8>>) -> Resp {
    let mut resp = to_hyper(resp);
    resp.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    resp
}

/// Serves one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Resp, ResetConnection> {
    let (parts, body) = req.into_parts();
    let max = shared.limits.max_body_bytes;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        // Answered before reading a byte of it (nor sending `100 Continue`).
        return Ok(closing(body_too_large(&request_id(&shared), max)));
    }
    let read = tokio::time::timeout(
        shared.limits.body_read_timeout,
        Limited::new(body, max).collect(),
    );
    let body = match read.await {
        Ok(Ok(b)) => b.to_bytes().to_vec(),
        Ok(Err(_)) => return Ok(closing(body_too_large(&request_id(&shared), max))),
        Err(_) => return Ok(closing(body_too_slow(&request_id(&shared)))),
    };
    let req = Request::from_parts(parts, body);
    // Hooks, `.well-known`, the state lock and the operation in one trip; only a call with a
    // `delay` fault comes back to wait on the timer.
    let sh = shared.clone();
    let first = work(&shared, move || match prepare(&sh, &req) {
        Prepared::Run(call) if call.delay.is_none() => Prepared::Respond(run(&sh, call)),
        other => other,
    })
    .await;
    let call = match first {
        Err(e) => return Ok(internal_error(&e)),
        Ok(Prepared::Respond(r)) => return Ok(to_hyper(r)),
        Ok(Prepared::Reset) => return Err(ResetConnection),
        Ok(Prepared::Run(call)) => call,
    };
    if let Some(delay) = call.delay {
        tokio::time::sleep(delay).await;
    }
    let sh = shared.clone();
    match work(&shared, move || run(&sh, call)).await {
        Ok(r) => Ok(to_hyper(r)),
        Err(e) => Ok(internal_error(&e)),
    }
}

/// Runs the handling of a request and waits until the changes it made are durable. `Err`
/// (an internal error's message) if it panicked or the data directory could not be written.
///
/// On a multi-thread runtime it runs right here on the worker thread: handing each request to
/// the blocking pool cost about 0.06 ms of CPU per request (measured in `benches/README.md`).
/// The wait for the data directory's commit holds no thread (it is awaited), and the few
/// steps that do block (a Lambda trigger's call, RSA key generation) step aside themselves
/// through `util::blocking`, so other connections and a trigger served by the same runtime
/// keep running. A current-thread runtime has no worker to step aside to, so there the whole
/// request goes to the blocking pool.
async fn work<R: Send + 'static>(
    shared: &Shared,
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, String> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    const PANICKED: &str = "handler failed";
    if Handle::current().runtime_flavor() != RuntimeFlavor::MultiThread {
        return tokio::task::spawn_blocking(f)
            .await
            .map_err(|_| PANICKED.to_string());
    }
    let run = std::panic::AssertUnwindSafe(|| crate::persist::collecting_waits(f));
    let (result, owed) = std::panic::catch_unwind(run).map_err(|_| PANICKED.to_string())?;
    if !owed.is_empty()
        && let Some(store) = &shared.store
    {
        store.durable(owed).await?;
    }
    Ok(result)
}

/// When a connection last moved bytes and how many of its requests are being handled, for
/// the idle timeout.
struct Activity {
    start: Instant,
    /// Milliseconds from `start` to the last read or write.
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// When the connection becomes idle if nothing happens before (a request in progress
    /// is never idle: check again one timeout later).
    fn idle_at(&self, idle: std::time::Duration) -> Instant {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return Instant::now() + idle;
        }
        self.start + std::time::Duration::from_millis(self.last_ms.load(Ordering::Relaxed)) + idle
    }
}

/// Counts a request as in progress while it lives.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: &Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that records its activity.
struct Tracked<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves one accepted connection until the client closes it, it stays idle past the idle
/// timeout, a header read times out, or the server stops. `permit` is the connection's slot
/// under the connection cap, given back when this returns.
pub(crate) async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    permit: tokio::sync::OwnedSemaphorePermit,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let limits = shared.limits.clone();
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let stopped = stop.clone();
    let svc = service_fn(move |req| {
        let in_flight = InFlight::new(&requests);
        let shared = shared.clone();
        // hyper may read and answer the next request of a keep-alive connection within the
        // poll that wrote the previous answer, before the loop below sees the stop: a
        // request that comes after the stop resets the connection instead.
        let stopped = *stopped.borrow();
        async move {
            if stopped {
                return Err(ResetConnection);
            }
            let r = handle(shared, req).await;
            drop(in_flight);
            r
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes)
        .max_header_size(limits.max_header_bytes);
    let conn = builder.serve_connection(io, svc);
    tokio::pin!(conn);
    loop {
        let idle_at = activity.idle_at(limits.idle_timeout);
        // Stop first: a request that arrives after the server was told to stop is not
        // answered, and `wait_for` sees a stop sent before this connection was accepted.
        tokio::select! {
            biased;
            _ = stop.wait_for(|&s| s) => break,
            _ = conn.as_mut() => break,
            _ = tokio::time::sleep_until(idle_at) => {
                if activity.idle_at(limits.idle_timeout) <= Instant::now() {
                    // Dropping the connection closes the socket.
                    break;
                }
            }
        }
    }
    drop(permit);
}
