//! The integration tests of `cognito-blocking`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite; the suites
//! under `crates/driver-tests/` are shared with `cognito-async` (see its README).

/// The driver the shared suites run against.
use cognito_blocking as driver;

/// In a shared suite, `aw!(call)` is the call itself here (`call.await` in `cognito-async`).
macro_rules! aw {
    ($e:expr) => {
        $e
    };
}

/// A shared suite's `async fn` test, as a plain `#[test]` here.
macro_rules! driver_test {
    ($(#[$m:meta])* async fn $name:ident() $body:block) => {
        $(#[$m])*
        #[test]
        fn $name() $body
    };
}

/// A shared suite's `async fn` helper, as a plain function here.
macro_rules! driver_fn {
    ($(#[$m:meta])* async fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$m])*
        fn $name($($arg: $ty),*) -> $ret $body
    };
}

/// The default transport with `timeouts`, for the shared suites.
fn default_transport(timeouts: driver::Timeouts) -> driver::UreqTransport {
    driver::UreqTransport::with_timeouts(timeouts)
}

/// The default transport with `timeouts` and response size `limits`, for the shared suites.
fn transport_with_limits(
    timeouts: driver::Timeouts,
    limits: driver::Limits,
) -> driver::UreqTransport {
    driver::UreqTransport::with_limits(timeouts, limits)
}

mod browser;
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
mod moto;
#[path = "../../driver-tests/oauth.rs"]
mod oauth;
#[path = "../../driver-tests/polish.rs"]
mod polish;
#[path = "../../driver-tests/scenarios.rs"]
mod scenarios;
#[path = "../../driver-tests/secrets.rs"]
mod secrets;
#[path = "../../driver-tests/support.rs"]
mod support;
#[path = "../../driver-tests/trace_secrets.rs"]
mod trace_secrets;
#[path = "../../driver-tests/transport.rs"]
mod transport;
#[path = "../../driver-tests/verifier.rs"]
mod verifier;
