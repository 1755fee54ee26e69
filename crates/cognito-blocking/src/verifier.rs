//! [`Verifier`]: verifies Cognito JWTs in a backend, fetching the pool's JWKS with `ureq`.
//!
//! The checks and the cache decisions are `cognito_jwt`'s; this file only performs the GET
//! (size cap, time limit) and makes concurrent callers wait for one fetch.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_jwt::{Builder, CacheOptions, Claims, Config, ConfigError, FromConfig, JwksError};
use cognito_jwt::{Step, VerifyError};

/// Verifies Cognito ID and access tokens against their pool's JWKS, fetched on first use (or
/// by [`hydrate`](Verifier::hydrate)) and again only for an unknown `kid`, at most once per
/// cool-down. Cloning is cheap and shares the keys; `verify` takes `&self`.
///
/// ```no_run
/// use cognito_blocking::{TokenUse, Verifier};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::builder("eu-west-1_AbC123")
///     .token_use(TokenUse::Access)
///     .client_id("4l2k0example0client0id00ab")
///     .scopes(["orders/read"])
///     .build()?;
/// # let token = "";
/// let claims = verifier.verify(token)?;
/// println!("{:?} may read orders", claims.username);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    core: cognito_jwt::Verifier,
    agent: ureq::Agent,
    /// Held while fetching, so that concurrent callers share one fetch.
    fetching: Mutex<()>,
}

impl FromConfig for Verifier {
    fn from_config(config: Config, options: CacheOptions) -> Result<Self, ConfigError> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(crate::USER_AGENT)
            .timeout_global(Some(options.fetch_timeout))
            .build()
            .into();
        let inner = Inner {
            core: cognito_jwt::Verifier::new(config, options),
            agent,
            fetching: Mutex::new(()),
        };
        Ok(Verifier {
            inner: Arc::new(inner),
        })
    }
}

fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

impl Verifier {
    /// A builder for a verifier of `pool_id`'s tokens (see [`cognito_jwt::Builder`]).
    pub fn builder(pool_id: impl Into<String>) -> Builder<Verifier> {
        Builder::new(pool_id)
    }

    /// The sans-IO verifier inside (configuration, cache, counters).
    pub fn core(&self) -> &cognito_jwt::Verifier {
        &self.inner.core
    }

    /// Verifies `token` now, fetching its pool's JWKS if needed.
    pub fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        self.verify_at(token, now())
    }

    /// Verifies `token` at `now` (time since the Unix epoch).
    pub fn verify_at(&self, token: &str, now: Duration) -> Result<Claims, VerifyError> {
        // Each round either decides or completes a fetch; a fetch by another caller can
        // send us round again, so the bound only guards against a livelock.
        for _ in 0..4 {
            match self.inner.core.verify(token, now) {
                Step::Done(result) => return result,
                Step::Fetch(fetch) => {
                    let _turn = self
                        .inner
                        .fetching
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    if self.inner.core.is_needed(&fetch) {
                        let body = self.get(fetch.uri());
                        self.inner.core.complete(&fetch, body, now)?;
                    }
                }
            }
        }
        self.inner.core.verify_cached(token, now)
    }

    /// Fetches every configured JWKS not cached yet; fails only if every fetch fails.
    pub fn hydrate(&self) -> Result<(), VerifyError> {
        let _turn = self
            .inner
            .fetching
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut first_error = None;
        let mut any_ok = false;
        for fetch in self.inner.core.hydrate() {
            let body = self.get(fetch.uri());
            match self.inner.core.complete(&fetch, body, now()) {
                Ok(()) => any_ok = true,
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        match first_error {
            Some(e) if !any_ok => Err(e),
            _ => Ok(()),
        }
    }

    fn get(&self, uri: &str) -> Result<Vec<u8>, JwksError> {
        let limit = self.inner.core.options().max_jwks_bytes;
        let response = self
            .inner
            .agent
            .get(uri)
            .header("Accept", "application/json")
            .call()
            .map_err(|e| JwksError::Transport(e.to_string()))?;
        if response.status() != 200 {
            return Err(JwksError::Status(response.status().as_u16()));
        }
        response
            .into_body()
            .with_config()
            .limit(limit as u64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => JwksError::TooLarge { limit },
                e => JwksError::Transport(e.to_string()),
            })
    }
}
