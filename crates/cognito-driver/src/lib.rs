//! What the two Amazon Cognito drivers, `cognito-blocking` (ureq) and `cognito-async`
//! (reqwest on tokio), share. No network IO happens here: the drivers send requests, sleep
//! between retries and wait for each other's refreshes; this crate decides and keeps the
//! books.
//!
//! * [`Error`], [`TransportError`], [`TransportErrorKind`]: the drivers' error types (both
//!   re-export them, so `cognito_blocking::Error` and `cognito_async::Error` are this type),
//!   and [`outgoing`], the request copy a default transport sends;
//! * [`Options`], [`Timeouts`], [`Limits`], [`SharedStore`], [`Clock`];
//! * [`PoolCore`] and [`PoolBuilder`]: a pool handle without its transport, with the per-user
//!   refresh [`Slot`]s woken through the driver's [`Signal`] (`Condvar` or tokio `Notify`);
//! * [`send::Attempts`]: which attempt of a request this is and whether to retry it;
//! * [`signin`]: the remembered device to present, and what a completed sign-in stores;
//! * [`session`]: single-flight refresh bookkeeping, sign-out's local part;
//! * [`user`]: device, MFA and identity-pool helpers of a user handle.
//!
//! Application code uses a driver crate, not this one.
//!
//! ```
//! use cognito_driver::{Options, PoolBuilder, PoolCore};
//!
//! let core: PoolCore<std::sync::Condvar> =
//!     PoolBuilder::new("eu-west-1_AbC".into(), "client".into()).build().unwrap();
//! assert_eq!(core.client_id(), "client");
//! assert_eq!(core.options(), &Options::default());
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod error;
mod options;
mod pool;
pub mod send;
pub mod session;
pub mod signin;
pub mod user;

pub use error::{Error, LimitExceeded, TransportError, TransportErrorKind, outgoing};
pub use options::{Clock, Limits, Options, SharedStore, Timeouts};
pub use pool::{PoolBuilder, PoolCore, Signal, Slot, SlotState};
pub use user::{AwsCredentials, MfaPreference};
