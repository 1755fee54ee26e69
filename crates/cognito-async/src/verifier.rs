//! [`Verifier`]: verifies Cognito JWTs in a backend, fetching the pool's JWKS with `reqwest`.
//!
//! The checks and the cache decisions are `cognito_jwt`'s; this file only performs the GET
//! (size cap, time limit) and makes concurrent tasks wait for one fetch.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_jwt::{Builder, CacheOptions, Claims, Config, ConfigError, FromConfig, JwksError};
use cognito_jwt::{Step, VerifyError};

/// Verifies Cognito ID and access tokens against their pool's JWKS, fetched on first use (or
/// by [`hydrate`](Verifier::hydrate)) and again only for an unknown `kid`, at most once per
/// cool-down. Cloning is cheap and shares the keys; `verify` takes `&self`.
///
/// ```no_run
/// use cognito_async::{TokenUse, Verifier};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::builder("eu-west-1_AbC123")
///     .token_use(TokenUse::Access)
///     .client_id("4l2k0example0client0id00ab")
///     .scopes(["orders/read"])
///     .build()?;
/// # let token = "";
/// let claims = verifier.verify(token).await?;
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
    client: reqwest::Client,
    /// Held while fetching, so that concurrent tasks share one fetch.
    fetching: tokio::sync::Mutex<()>,
}

impl FromConfig for Verifier {
    fn from_config(config: Config, options: CacheOptions) -> Result<Self, ConfigError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(crate::USER_AGENT)
            .timeout(options.fetch_timeout)
            .build()
            .map_err(|e| ConfigError::Transport(e.to_string()))?;
        let inner = Inner {
            core: cognito_jwt::Verifier::new(config, options),
            client,
            fetching: tokio::sync::Mutex::new(()),
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
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        self.verify_at(token, now()).await
    }

    /// Verifies `token` at `now` (time since the Unix epoch).
    pub async fn verify_at(&self, token: &str, now: Duration) -> Result<Claims, VerifyError> {
        // Each round either decides or completes a fetch; a fetch by another task can send
        // us round again, so the bound only guards against a livelock.
        for _ in 0..4 {
            match self.inner.core.verify(token, now) {
                Step::Done(result) => return result,
                Step::Fetch(fetch) => {
                    let _turn = self.inner.fetching.lock().await;
                    if self.inner.core.is_needed(&fetch) {
                        let body = self.get(fetch.uri()).await;
                        self.inner.core.complete(&fetch, body, now)?;
                    }
                }
            }
        }
        self.inner.core.verify_cached(token, now)
    }

    /// Fetches every configured JWKS not cached yet; fails only if every fetch fails.
    pub async fn hydrate(&self) -> Result<(), VerifyError> {
        let _turn = self.inner.fetching.lock().await;
        let mut first_error = None;
        let mut any_ok = false;
        for fetch in self.inner.core.hydrate() {
            let body = self.get(fetch.uri()).await;
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

    async fn get(&self, uri: &str) -> Result<Vec<u8>, JwksError> {
        let limit = self.inner.core.options().max_jwks_bytes;
        let transport = |e: reqwest::Error| JwksError::Transport(e.to_string());
        let mut response = self
            .inner
            .client
            .get(uri)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(transport)?;
        if response.status() != 200 {
            return Err(JwksError::Status(response.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > limit {
                return Err(JwksError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
