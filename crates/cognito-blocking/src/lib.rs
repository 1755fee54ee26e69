//! Blocking client for Amazon Cognito user pools, over [`ureq`] (rustls or native-tls).
//!
//! This crate is a thin driver: the protocol (SRP, challenges, token decoding, refresh
//! decisions, request and response shapes) lives in the sans-IO core [`cognito_proto`], and
//! what both drivers decide and store without IO (errors, options, retry decisions, sign-in,
//! refresh and sign-out bookkeeping) in [`cognito_driver`], shared with `cognito-async`. Here
//! are the HTTP loop (timeouts, retries with jittered backoff, `tracing` spans), the waiting
//! of concurrent callers on one refresh, the session stores of [`cognito_store`], and the
//! user-facing API.
//!
//! ```no_run
//! use cognito_blocking::{Answer, NextStep, SignInOutcome, UserPool};
//! use cognito_store::FileStore;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = UserPool::builder("eu-west-1_AbC123xyz", "4l2k0example0client0id00ab")
//!     .store(FileStore::new("/home/alice/.config/myapp/session.json"))
//!     .build()?;
//! let user = match pool.sign_in("alice", "correct horse battery staple")? {
//!     SignInOutcome::SignedIn(user) => user,
//!     SignInOutcome::Pending(mut sign_in) => match sign_in.next_step() {
//!         NextStep::ConfirmWithTotpCode => sign_in
//!             .answer(Answer::code("123456"))?
//!             .signed_in()
//!             .ok_or("more steps")?,
//!         other => return Err(format!("unexpected step {other:?}").into()),
//!     },
//! };
//! let tokens = user.session()?; // refreshed when about to expire
//! println!("{:?}", user.get_user()?.user_attributes);
//! # let _ = tokens;
//! user.sign_out()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Same API as `cognito-async`
//!
//! Both drivers expand one definition of the API (`cognito_driver::define_api!`): the same
//! types ([`UserPool`], [`UserPoolBuilder`], [`User`], [`PendingSignIn`], [`SignInOutcome`])
//! with the same methods, each running one operation defined in `cognito_driver`. Every
//! method that talks to Cognito or reads the store is `async` in `cognito-async`; moving from
//! one to the other is a matter of adding or removing `.await`. What differs is the
//! transport ([`UreqTransport`] here, `ReqwestTransport` there), the sleep and the lock.
//!
//! # Cargo features
//!
//! * `rustls` (default): TLS through rustls.
//! * `native-tls`: TLS through the platform's library (OpenSSL on Linux, Security.framework on
//!   macOS, SChannel on Windows). With both on, rustls is used.
//!
//! With neither, [`UreqTransport`] speaks only plain HTTP (an emulator on localhost); bring
//! your own [`Transport`] for HTTPS.
//!
//! # Behaviour under faults
//!
//! * Retries ([`RetryPolicy`]): only throttling, HTTP 429/5xx, `InternalErrorException` and
//!   connection failures, and only when repeating is safe (the operation is idempotent, or
//!   the request never reached the server). Never `NotAuthorized` or other client errors;
//!   never a sign-in step whose single-use session may have been consumed.
//! * Errors ([`Error`]) are typed: the service error kind, message, request id and HTTP
//!   status, whether it is retryable, transport failures, store failures.
//! * Stored tokens survive network errors and throttling; they are cleared only when the core
//!   says the session is dead, and on sign-out. Remembered devices survive sign-out.
//! * Each HTTP exchange runs in a `tracing` span `cognito` with the operation name, the
//!   attempts, the status and the request id. No password, code, token or device secret is
//!   ever logged.
//!
//! # Logging and the `no-log-trace` feature
//!
//! ureq's protocol crate (`ureq_proto`) writes every request and response, headers and body,
//! as a hex dump to the `log` facade at TRACE level: the password or SRP values, session
//! strings and, on success, the tokens. ureq has no switch for it, so the default feature
//! `no-log-trace` sets `log`'s compile-time maximum level to DEBUG (`log/max_level_debug` and
//! `log/release_max_level_debug`). This applies to every crate of the program that logs
//! through `log`, not only to ureq: `log::trace!` records are compiled out. `tracing` is not
//! affected. A program that needs `log` TRACE records can turn default features off
//! (`default-features = false`) and must then filter the `ureq_proto` target out of its
//! logger itself.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod runner;
mod transport;

pub use cognito_driver::{
    AwsCredentials, Clock, Error, LimitExceeded, Limits, MfaPreference, Options, SharedStore,
    Timeouts, TransportError, TransportErrorKind,
};
pub use transport::{Transport, USER_AGENT, UreqTransport};

pub use cognito_jwt;
pub use cognito_jwt::{Claims, TokenUse, VerifyError};

use runner::{FetchLock, Runner, verifier_transport};

cognito_driver::define_api!(blocking);

pub use cognito_proto;
pub use cognito_proto::envelope::Endpoint;
pub use cognito_proto::error::{ServiceError, ServiceErrorKind};
pub use cognito_proto::oauth::{
    AuthorizationRequest, OAuthError, OAuthTokens, PendingAuthorization, UserInfo,
};
pub use cognito_proto::ops;
pub use cognito_proto::retry::RetryPolicy;
pub use cognito_proto::secret::{Secret, SecretString};
pub use cognito_proto::session::{RefreshMethod, SessionStore, TokenSet};
pub use cognito_proto::signin::{
    Answer, FirstFactor, MfaType, NextStep, PausedSignIn, Start, TotpSecret,
};
pub use cognito_store;
