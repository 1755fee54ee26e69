//! What the two Amazon Cognito drivers, `cognito-blocking` (ureq) and `cognito-async`
//! (reqwest on tokio), share. No network IO happens here: the drivers send requests, sleep
//! between retries and wait for each other's refreshes; this crate defines every operation
//! and keeps the books.
//!
//! * [`define_api!`]: the user-facing API (`UserPool`, `UserPoolBuilder`, `User`,
//!   `PendingSignIn`, `SignInOutcome`), written once and expanded in each driver;
//! * [`task`]: operations as values ([`Task`]): a request to send, a user's tokens to get,
//!   or a result; [`operations`] and [`signin`]: every operation of the API as a task;
//! * [`PoolCore`], made of [`Settings`] (configuration), [`SessionBook`] (the store and the
//!   device memory in it) and [`Refreshes`] (single-flight refresh, woken through the
//!   driver's [`Signal`]), and [`credentials`] (identity-pool credentials cached per identity,
//!   renewed before expiry, single-flight);
//! * [`define_verifier!`](crate::define_verifier): the drivers' token `Verifier`, expanded by
//!   `define_api!`, with the IO-free pieces in [`verifier`];
//! * [`Error`], [`TransportError`], [`TransportErrorKind`]: the drivers' error types (both
//!   re-export them, so `cognito_blocking::Error` and `cognito_async::Error` are this type),
//!   and [`outgoing`], the request copy a default transport sends;
//! * [`Options`], [`Timeouts`], [`Limits`], [`SharedStore`], [`Clock`];
//! * [`send::Attempts`]: which attempt of a request this is and whether to retry it.
//!
//! Application code uses a driver crate, not this one.
//!
//! ```
//! use cognito_driver::{Options, PoolBuilder, PoolCore};
//!
//! let core: PoolCore<std::sync::Condvar> =
//!     PoolBuilder::new("eu-west-1_AbC".into(), "client".into()).build().unwrap();
//! assert_eq!(core.settings().client_id(), "client");
//! assert_eq!(core.settings().options(), &Options::default());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod api;
mod book;
pub mod credentials;
mod error;
mod identity;
pub mod oauth;
pub mod operations;
mod options;
mod pool;
pub mod refresh;
pub mod send;
mod settings;
pub mod signin;
pub mod task;
pub mod verifier;

pub use book::{SessionBook, Stored, tokens_name_user};
pub use cognito_jwt;
pub use cognito_proto;
pub use error::{Error, LimitExceeded, TransportError, TransportErrorKind, outgoing};
pub use identity::{AwsCredentials, IdentityLogins, MfaPreference, identity_logins, totp_secret};
pub use options::{Clock, Limits, Options, SharedStore, Timeouts};
pub use pool::{Ctx, PoolCore};
pub use refresh::{Refreshes, Signal, Slot, SlotState};
pub use settings::{PoolBuilder, Settings};
pub use task::Task;
