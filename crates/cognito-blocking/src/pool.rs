//! [`UserPool`]: the handle everything starts from.

use std::sync::{Arc, Condvar};
use std::time::{Duration, SystemTime};

use cognito_driver::{PoolBuilder, PoolCore};
use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::{Endpoint, Operation};
use cognito_proto::ops;
use cognito_proto::retry::RetryPolicy;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{RefreshMethod, SessionStore};

use crate::send::Sender;
use crate::transport::{Transport, UreqTransport};
use crate::user::User;
use crate::{Error, Options, SharedStore};

/// A handle on one app client of one user pool. Cheap to clone; clones share the store, the
/// transport and the refresh coordination.
///
/// ```no_run
/// use cognito_blocking::UserPool;
///
/// # fn main() -> Result<(), cognito_blocking::Error> {
/// let pool = UserPool::builder("eu-west-1_AbC123xyz", "4l2k0example0client0id00ab").build()?;
/// let outcome = pool.sign_in("alice", "correct horse battery staple")?;
/// # let _ = outcome;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct UserPool {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) core: PoolCore<Condvar>,
    pub(crate) sender: Sender,
}

impl std::fmt::Debug for UserPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.core.fmt(f)
    }
}

impl UserPool {
    /// Start building a handle for `user_pool_id` (`<region>_<name>`) and `client_id`.
    pub fn builder(
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> UserPoolBuilder {
        UserPoolBuilder {
            core: PoolBuilder::new(user_pool_id.into(), client_id.into()),
            transport: None,
        }
    }

    pub(crate) fn core(&self) -> &PoolCore<Condvar> {
        &self.inner.core
    }

    pub(crate) fn sender(&self) -> &Sender {
        &self.inner.sender
    }

    /// The app client this handle speaks for.
    pub fn config(&self) -> &ClientConfig {
        self.core().config()
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        self.core().endpoint()
    }

    /// The options.
    pub fn options(&self) -> &Options {
        self.core().options()
    }

    /// A handle on `username` (Cognito's internal username, as in the store). It need not be
    /// signed in; calls that need a session fail with [`Error::NotSignedIn`] if it is not.
    pub fn user(&self, username: impl Into<String>) -> User {
        User::new(self.clone(), username.into())
    }

    /// The user who signed in last with this app client and has not signed out, read from
    /// the store (the JavaScript client's `getCurrentUser`).
    pub fn current_user(&self) -> Result<Option<User>, Error> {
        Ok(self.core().last_user()?.map(|name| self.user(name)))
    }

    /// Send any typed operation and decode its answer, with this handle's transport, endpoint
    /// and retry policy. An escape hatch for operations the handle has no method for.
    pub fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.sender().call(self.endpoint(), op)
    }

    // ----- sign-up -------------------------------------------------------------------------

    /// Register a new user (`SignUp`). `attributes` are `(name, value)` pairs such as
    /// `("email", "alice@example.com")`.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), cognito_blocking::Error> {
    /// # let pool = cognito_blocking::UserPool::builder("eu-west-1_AbC", "client").build()?;
    /// let result = pool.sign_up("alice", "Passw0rd!", &[("email", "alice@example.com")])?;
    /// if !result.user_confirmed {
    ///     // A code went to `result.code_delivery_details`; pass it to `confirm_sign_up`.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<ops::SignUpResponse, Error> {
        self.call(&ops::SignUp::for_client(
            self.config(),
            username,
            password,
            attributes,
        ))
    }

    /// Confirm a sign-up with the code the user received (`ConfirmSignUp`).
    pub fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), Error> {
        self.call(&ops::ConfirmSignUp::for_client(
            self.config(),
            username,
            code,
        ))
        .map(drop)
    }

    /// Send the sign-up confirmation code again (`ResendConfirmationCode`).
    pub fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.call(&ops::ResendConfirmationCode::for_client(
            self.config(),
            username,
        ))
        .map(|r| r.code_delivery_details)
    }

    // ----- forgotten password --------------------------------------------------------------

    /// Start a password reset: Cognito sends a code to the user (`ForgotPassword`).
    pub fn forgot_password(
        &self,
        username: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.call(&ops::ForgotPassword::for_client(self.config(), username))
            .map(|r| r.code_delivery_details)
    }

    /// Finish a password reset with the code and the new password (`ConfirmForgotPassword`).
    pub fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), Error> {
        self.call(&ops::ConfirmForgotPassword::for_client(
            self.config(),
            username,
            code,
            new_password,
        ))
        .map(drop)
    }
}

/// Builds a [`UserPool`]; see [`UserPool::builder`].
pub struct UserPoolBuilder {
    core: PoolBuilder,
    transport: Option<Arc<dyn Transport>>,
}

impl std::fmt::Debug for UserPoolBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}

impl UserPoolBuilder {
    fn map(mut self, change: impl FnOnce(PoolBuilder) -> PoolBuilder) -> Self {
        self.core = change(self.core);
        self
    }

    /// The app client's secret, for clients that have one.
    pub fn client_secret(self, secret: impl Into<SecretString>) -> Self {
        self.map(|b| b.client_secret(secret.into()))
    }

    /// Send requests to `endpoint` instead of the AWS endpoint of the pool's region.
    pub fn endpoint(self, endpoint: Endpoint) -> Self {
        self.map(|b| b.endpoint(endpoint))
    }

    /// Send every request to `url` (for example a local emulator).
    pub fn endpoint_url(mut self, url: &str) -> Result<Self, Error> {
        self.core = self.core.endpoint_url(url)?;
        Ok(self)
    }

    /// Where sessions and remembered devices are kept. Default: a fresh
    /// [`MemoryStore`](cognito_store::MemoryStore).
    pub fn store(self, store: impl SessionStore + Send + Sync + 'static) -> Self {
        self.shared_store(Arc::new(store))
    }

    /// Share a store with other handles.
    pub fn shared_store(self, store: SharedStore) -> Self {
        self.map(|b| b.shared_store(store))
    }

    /// Send requests through `transport` instead of the default [`UreqTransport`].
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Replace all options.
    pub fn options(self, options: Options) -> Self {
        self.map(|b| b.options(options))
    }

    /// How failed calls are retried.
    pub fn retry_policy(self, retry: RetryPolicy) -> Self {
        self.map(|b| b.retry_policy(retry))
    }

    /// Refresh tokens this long before they expire.
    pub fn refresh_margin(self, margin: Duration) -> Self {
        self.map(|b| b.refresh_margin(margin))
    }

    /// Which call refreshes tokens (see [`Options::refresh_method`]).
    pub fn refresh_method(self, method: RefreshMethod) -> Self {
        self.map(|b| b.refresh_method(method))
    }

    /// Whether devices are remembered during sign-in when the pool offers it. With `false`, a
    /// device the server issues at sign-in is not confirmed (no `ConfirmDevice`) and no stored
    /// device is used.
    pub fn remember_devices(self, remember: bool) -> Self {
        self.map(|b| b.remember_devices(remember))
    }

    /// Read the time from `clock` instead of the system clock (for tests with a simulated
    /// clock).
    pub fn clock(self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.map(|b| b.clock(Arc::new(clock)))
    }

    /// Build the handle. Fails when the pool id is not `<region>_<name>` or the default
    /// endpoint cannot be derived from it.
    pub fn build(self) -> Result<UserPool, Error> {
        let retry = self.core.current_options().retry;
        let transport = self
            .transport
            .unwrap_or_else(|| Arc::new(UreqTransport::new()));
        Ok(UserPool {
            inner: Arc::new(Inner {
                core: self.core.build()?,
                sender: Sender { transport, retry },
            }),
        })
    }
}
