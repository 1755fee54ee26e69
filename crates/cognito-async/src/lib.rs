//! Async client for Amazon Cognito user pools, over [`reqwest`] (rustls) on tokio.
//!
//! This crate is a thin driver: the protocol (SRP, challenges, token decoding, refresh
//! decisions, request and response shapes) lives in the sans-IO core [`cognito_proto`], and
//! what both drivers decide and store without IO (errors, options, retry decisions, sign-in,
//! refresh and sign-out bookkeeping) in [`cognito_driver`], shared with `cognito-blocking`. Here
//! are the HTTP loop (timeouts, retries with jittered backoff, `tracing` spans), the waiting
//! of concurrent callers on one refresh, the session stores of [`cognito_store`], and the
//! user-facing API.
//!
//! ```no_run
//! use cognito_async::{Answer, NextStep, SignInOutcome, UserPool};
//! use cognito_store::FileStore;
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = UserPool::builder("eu-west-1_AbC123xyz", "4l2k0example0client0id00ab")
//!     .store(FileStore::new("/home/alice/.config/myapp/session.json"))
//!     .build()?;
//! let user = match pool.sign_in("alice", "correct horse battery staple").await? {
//!     SignInOutcome::SignedIn(user) => user,
//!     SignInOutcome::NextStep(mut sign_in) => match sign_in.next_step() {
//!         NextStep::ConfirmWithTotpCode => sign_in
//!             .answer(Answer::code("123456"))
//!             .await?
//!             .signed_in()
//!             .ok_or("more steps")?,
//!         other => return Err(format!("unexpected step {other:?}").into()),
//!     },
//! };
//! let tokens = user.session().await?; // refreshed when about to expire
//! println!("{:?}", user.get_user().await?.user_attributes);
//! # let _ = tokens;
//! user.sign_out().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Same API as `cognito-blocking`
//!
//! `cognito-blocking` exposes the same types and methods; every method here that talks to
//! Cognito is `async`. Moving from one to the other is a matter of adding or removing
//! `.await`. The session store is synchronous in both (the file store writes small files).
//!
//! | `cognito-blocking` | `cognito-async` |
//! |---|---|
//! | `UserPool::builder(pool, client)` … `.build()` | same |
//! | `UserPoolBuilder::{client_secret, endpoint, endpoint_url, store, shared_store, transport, options, retry_policy, refresh_margin, refresh_method, remember_devices, clock}` | same |
//! | `UserPool::config()` / `endpoint()` / `options()` | same |
//! | `UserPool::sign_up(u, p, attrs)` | `UserPool::sign_up(u, p, attrs).await` |
//! | `UserPool::confirm_sign_up(u, code)` | `….await` |
//! | `UserPool::resend_confirmation_code(u)` | `….await` |
//! | `UserPool::forgot_password(u)` | `….await` |
//! | `UserPool::confirm_forgot_password(u, code, p)` | `….await` |
//! | `UserPool::sign_in(u, p)` / `sign_in_with(Start)` | `….await` |
//! | `SignInOutcome::signed_in()` / `SignIn::next_step()` | same |
//! | `SignIn::answer(Answer)` | `….await` |
//! | `UserPool::current_user()` / `user(name)` / `call(&op)` | `current_user()`, `user(name)`, `call(&op).await` |
//! | `User::session()` | `….await` |
//! | `User::username()` / `pool()` | same |
//! | `User::is_signed_in()` / `remembered_device()` | same (store reads are synchronous) |
//! | `User::get_user()` / `update_attributes` / `delete_attributes` | `….await` |
//! | `User::get_attribute_verification_code` / `verify_attribute` | `….await` |
//! | `User::change_password(old, new)` | `….await` |
//! | `User::set_mfa_preference` / `associate_software_token` / `verify_software_token` | `….await` |
//! | `User::remember_device` / `do_not_remember_device` / `forget_device` / `forget_device_key` | `….await` |
//! | `User::list_devices` / `get_device` | `….await` |
//! | `User::delete_user` / `sign_out` / `global_sign_out` | `….await` |
//! | `User::aws_credentials(identity_pool_id)` | `….await` |
//! | `Transport::send(&req) -> Result<Response, TransportError>` | `Transport::send(&req) -> SendFuture` |
//! | `UreqTransport` | `ReqwestTransport` |
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
//! * Refresh is single-flight across tasks, and a refresh whose task is cancelled hands the
//!   job to the next caller instead of stranding the waiters.
#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod pool;
mod send;
mod signin;
mod transport;
mod user;
mod verifier;

pub use cognito_driver::{
    AwsCredentials, Clock, Error, LimitExceeded, Limits, MfaPreference, Options, SharedStore,
    Timeouts, TransportError, TransportErrorKind,
};
pub use pool::{UserPool, UserPoolBuilder};
pub use signin::{SignIn, SignInOutcome};
pub use transport::{ReqwestTransport, SendFuture, Transport, USER_AGENT};
pub use user::User;
pub use verifier::Verifier;

pub use cognito_jwt;
pub use cognito_jwt::{Claims, TokenUse, VerifyError};

pub use cognito_proto;
pub use cognito_proto::envelope::Endpoint;
pub use cognito_proto::error::{ServiceError, ServiceErrorKind};
pub use cognito_proto::ops;
pub use cognito_proto::retry::RetryPolicy;
pub use cognito_proto::secret::{Secret, SecretString};
pub use cognito_proto::session::{RefreshMethod, SessionStore, TokenSet};
pub use cognito_proto::signin::{Answer, FirstFactor, MfaType, NextStep, Start, TotpSecret};
pub use cognito_store;
