//! The integration tests of `cognito-async`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite; the suites
//! under `crates/driver-tests/` are shared with `cognito-blocking` (see its README).

/// The driver the shared suites run against.
use cognito_async as driver;

/// In a shared suite, `aw!(call)` is `call.await` here (the call itself in `cognito-blocking`).
macro_rules! aw {
    ($e:expr) => {
        $e.await
    };
}

/// A shared suite's `async fn` test, as a `#[tokio::test]` here.
macro_rules! driver_test {
    ($(#[$m:meta])* async fn $name:ident() $body:block) => {
        $(#[$m])*
        #[tokio::test]
        async fn $name() $body
    };
}

/// A shared suite's `async fn` helper, as an `async fn` here.
macro_rules! driver_fn {
    ($(#[$m:meta])* async fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        async fn $name($($arg: $ty),*) -> $ret $body
    };
}

/// The default transport with `timeouts`, for the shared suites.
fn default_transport(timeouts: driver::Timeouts) -> driver::ReqwestTransport {
    driver::ReqwestTransport::with_timeouts(timeouts).expect("transport")
}

/// The default transport with `timeouts` and response size `limits`, for the shared suites.
fn transport_with_limits(
    timeouts: driver::Timeouts,
    limits: driver::Limits,
) -> driver::ReqwestTransport {
    driver::ReqwestTransport::with_limits(timeouts, limits).expect("transport")
}

mod concurrency;
#[path = "../../driver-tests/credentials.rs"]
mod credentials;
#[path = "../../driver-tests/emulator.rs"]
mod emulator;
#[path = "../../driver-tests/errors.rs"]
mod errors;
#[path = "../../driver-tests/faults.rs"]
mod faults;
#[path = "../../driver-tests/hostile.rs"]
mod hostile;
#[path = "../../driver-tests/oauth.rs"]
mod oauth;
#[path = "../../driver-tests/polish.rs"]
mod polish;
#[path = "../../driver-tests/scenarios.rs"]
mod scenarios;
#[path = "../../driver-tests/secrets.rs"]
mod secrets;
mod send_bounds;
mod slow_store;
#[path = "../../driver-tests/support.rs"]
mod support;
#[path = "../../driver-tests/trace_secrets.rs"]
mod trace_secrets;
#[path = "../../driver-tests/transport.rs"]
mod transport;
#[path = "../../driver-tests/verifier.rs"]
mod verifier;
