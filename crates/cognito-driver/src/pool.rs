//! [`PoolCore`]: what a driver's `UserPool` holds besides its transport, and
//! [`PoolBuilder`], the transport-free part of its builder.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_proto::config::{ClientConfig, RememberedDevice};
use cognito_proto::envelope::Endpoint;
use cognito_proto::retry::RetryPolicy;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{RefreshGate, RefreshMethod, SessionRecord, SessionStore};
use cognito_store::MemoryStore;

use crate::error::Error;
use crate::options::{Clock, Options, SharedStore};

/// How a driver wakes the callers waiting for a refresh: a `Condvar` for threads, a tokio
/// `Notify` for tasks. The shared code calls [`Signal::notify_all`] whenever a slot's state
/// changes (a refresh ended, the session was reset).
pub trait Signal: Send + Sync {
    /// A signal nobody waits on yet.
    fn new() -> Self;
    /// Wake every caller waiting on this signal.
    fn notify_all(&self);
}

impl Signal for std::sync::Condvar {
    fn new() -> Self {
        std::sync::Condvar::new()
    }

    fn notify_all(&self) {
        std::sync::Condvar::notify_all(self);
    }
}

/// Per-user refresh coordination: the core's [`RefreshGate`] and the last refresh error under
/// a lock (never held across IO or an `.await`), and the driver's [`Signal`].
#[derive(Debug)]
pub struct Slot<W> {
    state: Mutex<SlotState>,
    /// What waiting callers sleep on.
    pub signal: W,
}

/// The locked part of a [`Slot`].
#[derive(Debug, Default)]
pub struct SlotState {
    pub(crate) gate: RefreshGate,
    /// The error of the last failed refresh attempt, for the callers that waited on it.
    pub(crate) last_error: Option<Arc<Error>>,
}

impl<W: Signal> Slot<W> {
    fn new() -> Self {
        Slot {
            state: Mutex::new(SlotState::default()),
            signal: W::new(),
        }
    }

    /// Lock the state. A lock poisoned by a panicking holder is taken over: the gate is
    /// consistent after every step.
    pub fn lock(&self) -> MutexGuard<'_, SlotState> {
        lock(&self.state)
    }

    /// The session's tokens were replaced or cleared from outside a refresh: a refresh in
    /// flight must not store its result, and waiting callers look again.
    pub fn reset(&self) {
        self.lock().gate.reset();
        self.signal.notify_all();
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Everything a pool handle holds but its transport: the app client, the endpoint, the
/// store, the options, the clock and the per-user refresh slots (woken through `W`).
pub struct PoolCore<W> {
    config: ClientConfig,
    endpoint: Endpoint,
    store: SharedStore,
    options: Options,
    clock: Clock,
    slots: Mutex<HashMap<String, Arc<Slot<W>>>>,
}

impl<W> std::fmt::Debug for PoolCore<W> {
    /// Prints as `UserPool { .. }`: this is what a driver's `UserPool` shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPool")
            .field("user_pool_id", &self.config.user_pool_id())
            .field("client_id", &self.config.client_id())
            .field("endpoint", &self.endpoint)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<W: Signal> PoolCore<W> {
    /// The app client.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        self.config.client_id()
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The session store.
    pub fn store(&self) -> &(dyn SessionStore + Send + Sync) {
        &*self.store
    }

    /// The clock's time in seconds since the Unix epoch (0 before 1970).
    pub fn now(&self) -> u64 {
        (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// The refresh slot of `username`, created on first use.
    pub fn slot(&self, username: &str) -> Arc<Slot<W>> {
        lock(&self.slots)
            .entry(username.to_owned())
            .or_insert_with(|| Arc::new(Slot::new()))
            .clone()
    }

    /// The stored record of `username`.
    pub fn load(&self, username: &str) -> Result<Option<SessionRecord>, Error> {
        self.store
            .load(self.client_id(), username)
            .map_err(Error::Session)
    }

    /// The user who signed in last and has not signed out (the store's last user).
    pub fn last_user(&self) -> Result<Option<String>, Error> {
        self.store
            .last_user(self.client_id())
            .map_err(Error::Session)
    }

    /// Whether tokens are stored for `username` (they may be expired).
    pub fn is_signed_in(&self, username: &str) -> Result<bool, Error> {
        Ok(self.load(username)?.is_some_and(|r| r.tokens().is_some()))
    }

    /// The remembered device stored for `username`.
    pub fn remembered_device(&self, username: &str) -> Result<Option<RememberedDevice>, Error> {
        Ok(self.load(username)?.and_then(|r| r.device().cloned()))
    }
}

/// The transport-free part of a driver's `UserPoolBuilder`.
pub struct PoolBuilder {
    user_pool_id: String,
    client_id: String,
    client_secret: Option<SecretString>,
    endpoint: Option<Endpoint>,
    store: Option<SharedStore>,
    options: Options,
    clock: Option<Clock>,
}

impl std::fmt::Debug for PoolBuilder {
    /// Prints as `UserPoolBuilder { .. }`, the client secret redacted.
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

impl PoolBuilder {
    /// A builder for `user_pool_id` and `client_id` with the default options.
    pub fn new(user_pool_id: String, client_id: String) -> Self {
        PoolBuilder {
            user_pool_id,
            client_id,
            client_secret: None,
            endpoint: None,
            store: None,
            options: Options::default(),
            clock: None,
        }
    }

    /// The app client's secret.
    pub fn client_secret(mut self, secret: SecretString) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// Send requests to `endpoint`.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Send every request to `url`.
    pub fn endpoint_url(self, url: &str) -> Result<Self, Error> {
        Ok(self.endpoint(Endpoint::from_url(url)?))
    }

    /// Keep sessions in `store`.
    pub fn shared_store(mut self, store: SharedStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Apply `change` to the options.
    pub fn with_options(mut self, change: impl FnOnce(&mut Options)) -> Self {
        change(&mut self.options);
        self
    }

    /// Replace all options.
    pub fn options(self, options: Options) -> Self {
        self.with_options(|o| *o = options)
    }

    /// How failed calls are retried.
    pub fn retry_policy(self, retry: RetryPolicy) -> Self {
        self.with_options(|o| o.retry = retry)
    }

    /// Refresh tokens this long before they expire.
    pub fn refresh_margin(self, margin: Duration) -> Self {
        self.with_options(|o| o.refresh_margin = margin)
    }

    /// Which call refreshes tokens.
    pub fn refresh_method(self, method: RefreshMethod) -> Self {
        self.with_options(|o| o.refresh_method = method)
    }

    /// Whether devices are remembered.
    pub fn remember_devices(self, remember: bool) -> Self {
        self.with_options(|o| o.remember_devices = remember)
    }

    /// Read the time from `clock`.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The options set so far (the retry policy is the driver's to apply).
    pub fn current_options(&self) -> &Options {
        &self.options
    }

    /// Build the core. Fails when the pool id is not `<region>_<name>` or the default
    /// endpoint cannot be derived from it.
    pub fn build<W: Signal>(self) -> Result<PoolCore<W>, Error> {
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
        Ok(PoolCore {
            config,
            endpoint,
            store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
            options: self.options,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
            slots: Mutex::new(HashMap::new()),
        })
    }
}
