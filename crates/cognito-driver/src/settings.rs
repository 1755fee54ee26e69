//! [`Settings`]: the configuration of a pool handle (app client, endpoint, options, clock),
//! and [`PoolBuilder`], the transport-free part of a driver's builder.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_proto::config::ClientConfig;
use cognito_proto::envelope::Endpoint;
use cognito_proto::oauth::{OAuthClient, OAuthEndpoints, OAuthError};
use cognito_proto::retry::RetryPolicy;
use cognito_proto::secret::SecretString;
use cognito_proto::session::RefreshMethod;
use cognito_store::MemoryStore;

use crate::error::Error;
use crate::options::{Clock, Options, SharedStore};
use crate::pool::PoolCore;
use crate::refresh::Signal;

/// What a pool handle is configured with: the app client, the endpoint, the options and the
/// clock. Read-only once built.
pub struct Settings {
    config: ClientConfig,
    endpoint: Endpoint,
    options: Options,
    clock: Clock,
    oauth: Option<OAuthClient>,
}

impl std::fmt::Debug for Settings {
    /// Prints as `UserPool { .. }`: this is what a driver's `UserPool` shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPool")
            .field("user_pool_id", &self.config.user_pool_id())
            .field("client_id", &self.config.client_id())
            .field("endpoint", &self.endpoint)
            .field(
                "domain",
                &self.oauth.as_ref().map(|o| o.endpoints().base_url()),
            )
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The app client on the pool's domain (OAuth endpoints), when a domain is configured.
    pub fn oauth(&self) -> Result<&OAuthClient, Error> {
        self.oauth
            .as_ref()
            .ok_or(Error::OAuth(OAuthError::InvalidInput(
                "no user pool domain is configured (UserPoolBuilder::domain)".into(),
            )))
    }

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

    /// The clock's time in seconds since the Unix epoch (0 before 1970).
    pub fn now(&self) -> u64 {
        (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
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
    domain: Option<OAuthEndpoints>,
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
            domain: None,
        }
    }

    /// The pool's domain, for the OAuth endpoints and the hosted sign-in
    /// (`https://<prefix>.auth.<region>.amazoncognito.com`, a custom domain, or an
    /// emulator's `http://<prefix>.localhost:<port>`).
    pub fn domain(mut self, base_url: &str) -> Result<Self, Error> {
        self.domain = Some(OAuthEndpoints::new(base_url)?);
        Ok(self)
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

    /// Renew identity-pool credentials this long before they expire.
    pub fn credentials_margin(self, margin: Duration) -> Self {
        self.with_options(|o| o.credentials_margin = margin)
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
                Error::Cognito(cognito_proto::error::CoreError::invalid_input(
                    "user_pool_id",
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
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let oauth = self.domain.map(|domain| {
            let client = OAuthClient::new(domain, config.client_id());
            match config.client_secret() {
                Some(secret) => client.with_secret(secret.clone()),
                None => client,
            }
        });
        Ok(PoolCore::new(
            Settings {
                config,
                endpoint,
                options: self.options,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                oauth,
            },
            store,
        ))
    }
}
