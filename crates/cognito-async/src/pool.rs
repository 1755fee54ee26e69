//! [`UserPool`]: the handle everything starts from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::{Endpoint, Operation};
use cognito_proto::ops;
use cognito_proto::retry::RetryPolicy;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{DEFAULT_REFRESH_MARGIN, RefreshGate, RefreshMethod, SessionStore};
use cognito_store::MemoryStore;

use crate::error::Error;
use crate::send::Sender;
use crate::transport::{ReqwestTransport, Transport};
use crate::user::User;

/// A session store shared by the pool handle and its users.
pub type SharedStore = Arc<dyn SessionStore + Send + Sync>;

/// A source of the current wall-clock time. The default reads the system clock.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Behaviour options of a [`UserPool`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How failed calls are retried.
    pub retry: RetryPolicy,
    /// Tokens are refreshed this long before they expire. Default 60 s.
    pub refresh_margin: Duration,
    /// Whether remembered devices are stored and used: the device confirmed during sign-in is
    /// kept in the store (and marked remembered when the pool waits for the user's prompt),
    /// and later sign-ins of the user authenticate it. With `false`, no device is stored or
    /// used; the core still confirms a device the pool asks to track. Default `true`.
    pub remember_devices: bool,
    /// Which call refreshes tokens. Default `InitiateAuth(REFRESH_TOKEN_AUTH)`; app clients
    /// with refresh-token rotation need [`RefreshMethod::GetTokensFromRefreshToken`].
    pub refresh_method: RefreshMethod,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            retry: RetryPolicy::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            remember_devices: true,
            refresh_method: RefreshMethod::default(),
        }
    }
}

/// A handle on one app client of one user pool. Cheap to clone; clones share the store, the
/// transport and the refresh coordination.
///
/// ```no_run
/// use cognito_async::UserPool;
///
/// # async fn example() -> Result<(), cognito_async::Error> {
/// let pool = UserPool::builder("eu-west-1_AbC123xyz", "4l2k0example0client0id00ab").build()?;
/// let outcome = pool.sign_in("alice", "correct horse battery staple").await?;
/// # let _ = outcome;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct UserPool {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) endpoint: Endpoint,
    pub(crate) sender: Sender,
    pub(crate) store: SharedStore,
    pub(crate) options: Options,
    pub(crate) clock: Clock,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

/// Per-user refresh coordination: the core's gate under a lock (never held across an
/// `.await`), and a notification the waiting tasks sleep on.
pub(crate) struct Slot {
    pub(crate) state: Mutex<SlotState>,
    pub(crate) changed: tokio::sync::Notify,
}

pub(crate) struct SlotState {
    pub(crate) gate: RefreshGate,
    /// The error of the last failed refresh attempt, for the callers that waited on it.
    pub(crate) last_error: Option<Arc<Error>>,
}

impl std::fmt::Debug for UserPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPool")
            .field("user_pool_id", &self.inner.config.user_pool_id())
            .field("client_id", &self.inner.config.client_id())
            .field("endpoint", &self.inner.endpoint)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl UserPool {
    /// Start building a handle for `user_pool_id` (`<region>_<name>`) and `client_id`.
    pub fn builder(
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
    ) -> UserPoolBuilder {
        UserPoolBuilder {
            user_pool_id: user_pool_id.into(),
            client_id: client_id.into(),
            client_secret: None,
            endpoint: None,
            store: None,
            transport: None,
            options: Options::default(),
            clock: None,
        }
    }

    /// The app client this handle speaks for.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// A handle on `username` (Cognito's internal username, as in the store). It need not be
    /// signed in; calls that need a session fail with [`Error::NotSignedIn`] if it is not.
    pub fn user(&self, username: impl Into<String>) -> User {
        User::new(self.clone(), username.into())
    }

    /// The user who signed in last with this app client and has not signed out, read from
    /// the store (the JavaScript client's `getCurrentUser`).
    pub fn current_user(&self) -> Result<Option<User>, Error> {
        let last = self
            .inner
            .store
            .last_user(self.inner.config.client_id())
            .map_err(Error::Session)?;
        Ok(last.map(|name| self.user(name)))
    }

    /// Send any typed operation and decode its answer, with this handle's transport, endpoint
    /// and retry policy. An escape hatch for operations the handle has no method for.
    pub async fn call<O: Operation>(&self, op: &O) -> Result<O::Output, Error> {
        self.inner.sender.call(&self.inner.endpoint, op).await
    }

    pub(crate) fn now(&self) -> u64 {
        (self.inner.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    pub(crate) fn slot(&self, username: &str) -> Arc<Slot> {
        let mut slots = match self.inner.slots.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots
            .entry(username.to_owned())
            .or_insert_with(|| {
                Arc::new(Slot {
                    state: Mutex::new(SlotState {
                        gate: RefreshGate::new(),
                        last_error: None,
                    }),
                    changed: tokio::sync::Notify::new(),
                })
            })
            .clone()
    }

    pub(crate) fn secret_hash(&self, username: &str) -> Option<SecretString> {
        self.inner
            .config
            .secret_hash(username)
            .map(SecretString::new)
    }

    // ----- sign-up -------------------------------------------------------------------------

    /// Register a new user (`SignUp`). `attributes` are `(name, value)` pairs such as
    /// `("email", "alice@example.com")`.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), cognito_async::Error> {
    /// # let pool = cognito_async::UserPool::builder("eu-west-1_AbC", "client").build()?;
    /// let result = pool
    ///     .sign_up("alice", "Passw0rd!", &[("email", "alice@example.com")])
    ///     .await?;
    /// if !result.user_confirmed {
    ///     // A code went to `result.code_delivery_details`; pass it to `confirm_sign_up`.
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<ops::SignUpResponse, Error> {
        self.call(&ops::SignUp {
            client_id: self.inner.config.client_id().to_owned(),
            secret_hash: self.secret_hash(username),
            username: username.to_owned(),
            password: Some(SecretString::from(password)),
            user_attributes: attributes
                .iter()
                .map(|(n, v)| ops::AttributeType::new(*n, *v))
                .collect(),
            validation_data: Vec::new(),
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: Default::default(),
        })
        .await
    }

    /// Confirm a sign-up with the code the user received (`ConfirmSignUp`).
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), Error> {
        self.call(&ops::ConfirmSignUp {
            client_id: self.inner.config.client_id().to_owned(),
            secret_hash: self.secret_hash(username),
            username: username.to_owned(),
            confirmation_code: SecretString::from(code),
            force_alias_creation: None,
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: Default::default(),
            session: None,
        })
        .await
        .map(drop)
    }

    /// Send the sign-up confirmation code again (`ResendConfirmationCode`).
    pub async fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.call(&ops::ResendConfirmationCode {
            client_id: self.inner.config.client_id().to_owned(),
            secret_hash: self.secret_hash(username),
            user_context_data: None,
            username: username.to_owned(),
            analytics_metadata: None,
            client_metadata: Default::default(),
        })
        .await
        .map(|r| r.code_delivery_details)
    }

    // ----- forgotten password --------------------------------------------------------------

    /// Start a password reset: Cognito sends a code to the user (`ForgotPassword`).
    pub async fn forgot_password(
        &self,
        username: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.call(&ops::ForgotPassword {
            client_id: self.inner.config.client_id().to_owned(),
            secret_hash: self.secret_hash(username),
            user_context_data: None,
            username: username.to_owned(),
            analytics_metadata: None,
            client_metadata: Default::default(),
        })
        .await
        .map(|r| r.code_delivery_details)
    }

    /// Finish a password reset with the code and the new password (`ConfirmForgotPassword`).
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), Error> {
        self.call(&ops::ConfirmForgotPassword {
            client_id: self.inner.config.client_id().to_owned(),
            secret_hash: self.secret_hash(username),
            username: username.to_owned(),
            confirmation_code: SecretString::from(code),
            password: SecretString::from(new_password),
            analytics_metadata: None,
            user_context_data: None,
            client_metadata: Default::default(),
        })
        .await
        .map(drop)
    }
}

/// Builds a [`UserPool`]; see [`UserPool::builder`].
pub struct UserPoolBuilder {
    user_pool_id: String,
    client_id: String,
    client_secret: Option<SecretString>,
    endpoint: Option<Endpoint>,
    store: Option<SharedStore>,
    transport: Option<Arc<dyn Transport>>,
    options: Options,
    clock: Option<Clock>,
}

impl std::fmt::Debug for UserPoolBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPoolBuilder")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("endpoint", &self.endpoint)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl UserPoolBuilder {
    /// The app client's secret, for clients that have one.
    pub fn client_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Send requests to `endpoint` instead of the AWS endpoint of the pool's region.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Send every request to `url` (for example a local emulator).
    pub fn endpoint_url(mut self, url: &str) -> Result<Self, Error> {
        self.endpoint = Some(Endpoint::from_url(url)?);
        Ok(self)
    }

    /// Where sessions and remembered devices are kept. Default: a fresh
    /// [`MemoryStore`](cognito_store::MemoryStore).
    pub fn store(mut self, store: impl SessionStore + Send + Sync + 'static) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Share a store with other handles.
    pub fn shared_store(mut self, store: SharedStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Send requests through `transport` instead of the default [`ReqwestTransport`].
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Replace all options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// How failed calls are retried.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.options.retry = retry;
        self
    }

    /// Refresh tokens this long before they expire.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.options.refresh_margin = margin;
        self
    }

    /// Which call refreshes tokens (see [`Options::refresh_method`]).
    pub fn refresh_method(mut self, method: RefreshMethod) -> Self {
        self.options.refresh_method = method;
        self
    }

    /// Whether devices are remembered during sign-in when the pool offers it.
    pub fn remember_devices(mut self, remember: bool) -> Self {
        self.options.remember_devices = remember;
        self
    }

    /// Read the time from `clock` instead of the system clock (for tests with a simulated
    /// clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Build the handle. Fails when the pool id is not `<region>_<name>` or the default
    /// endpoint cannot be derived from it.
    pub fn build(self) -> Result<UserPool, Error> {
        let mut config =
            ClientConfig::new(self.user_pool_id.clone(), self.client_id).map_err(|_| {
                Error::Cognito(cognito_proto::error::Error::invalid_input(
                    "user pool id must look like <region>_<name>",
                ))
            })?;
        if let Some(secret) = self.client_secret {
            config = config.with_secret(secret);
        }
        let endpoint = match self.endpoint {
            Some(e) => e,
            None => Endpoint::for_user_pool(&self.user_pool_id)?,
        };
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::new()?),
        };
        Ok(UserPool {
            inner: Arc::new(Inner {
                config,
                endpoint,
                sender: Sender {
                    transport,
                    retry: self.options.retry,
                },
                store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                options: self.options,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                slots: Mutex::new(HashMap::new()),
            }),
        })
    }
}
