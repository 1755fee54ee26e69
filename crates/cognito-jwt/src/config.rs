//! What a verifier accepts: one or more user pools, each with its issuer(s), JWKS URI,
//! token use, allowed clients and optional group, scope and custom checks.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::claims::{Claims, Header, TokenUse};
use crate::error::ConfigError;

/// A custom check, run after the signature, time and scope checks and before the Cognito
/// ones (group, token use, client), as aws-jwt-verify does. `Err(message)` rejects the token
/// with [`VerifyError::Custom`](crate::VerifyError::Custom).
pub type CustomCheck = Arc<dyn Fn(&Header, &Claims) -> Result<(), String> + Send + Sync>;

/// One user pool's accepted tokens. Built with [`Builder`].
#[derive(Clone)]
pub struct PoolConfig {
    pub(crate) pool_id: String,
    /// (issuer, JWKS URI) pairs; a token's `iss` picks one.
    pub(crate) issuers: Vec<(String, String)>,
    pub(crate) token_use: Option<TokenUse>,
    pub(crate) clients: Option<Vec<String>>,
    pub(crate) groups: Vec<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) grace: f64,
    pub(crate) check_iat: bool,
    pub(crate) custom: Option<CustomCheck>,
}

impl PoolConfig {
    /// The user pool id.
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }

    /// The accepted issuers with the JWKS URI of each.
    pub fn issuers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.issuers.iter().map(|(i, j)| (i.as_str(), j.as_str()))
    }
}

impl std::fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolConfig")
            .field("pool_id", &self.pool_id)
            .field("issuers", &self.issuers)
            .field("token_use", &self.token_use)
            .field("clients", &self.clients)
            .field("groups", &self.groups)
            .field("scopes", &self.scopes)
            .field("grace", &self.grace)
            .field("check_iat", &self.check_iat)
            .field("custom", &self.custom.is_some())
            .finish()
    }
}

/// Every pool a verifier accepts, looked up by the token's `iss`.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) pools: Vec<PoolConfig>,
}

impl Config {
    /// A builder for a verifier of `pool_id`'s tokens (see [`Builder`]).
    pub fn builder(pool_id: impl Into<String>) -> Builder<Config> {
        Builder::new(pool_id)
    }

    /// The pool whose issuer is `iss`, with that issuer's JWKS URI.
    pub(crate) fn pool_for(&self, iss: &str) -> Option<(&PoolConfig, &str)> {
        self.pools.iter().find_map(|p| {
            p.issuers
                .iter()
                .find(|(i, _)| i == iss)
                .map(|(_, jwks)| (p, jwks.as_str()))
        })
    }

    /// Every distinct JWKS URI, in configuration order.
    pub fn jwks_uris(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for (_, j) in self.pools.iter().flat_map(|p| p.issuers.iter()) {
            if !out.contains(&j.as_str()) {
                out.push(j);
            }
        }
        out
    }

    /// The configured pools.
    pub fn pools(&self) -> &[PoolConfig] {
        &self.pools
    }
}

/// How a verifier fetches and caches JWKS documents (the drivers perform the fetches).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CacheOptions {
    /// After a refetch that still lacks a token's `kid` (or that failed while keys were
    /// cached), no other refetch of that JWKS happens for this long: a stream of tokens with
    /// random `kid`s costs one fetch per cool-down. Default 10 s, as aws-jwt-verify.
    pub cooldown: Duration,
    /// Largest accepted JWKS response. Default 64 KiB (Cognito's is about 1 KiB).
    pub max_jwks_bytes: usize,
    /// Time limit for one JWKS fetch, connection included. Default 3 s.
    pub fetch_timeout: Duration,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            cooldown: Duration::from_secs(10),
            max_jwks_bytes: 64 * 1024,
            fetch_timeout: Duration::from_secs(3),
        }
    }
}

/// Creates a verifier from a checked configuration: implemented by [`Config`], the sans-IO
/// [`Verifier`](crate::Verifier) and the drivers' verifiers, so that one builder serves all.
pub trait FromConfig: Sized {
    /// Builds the verifier.
    fn from_config(config: Config, options: CacheOptions) -> Result<Self, ConfigError>;
}

impl FromConfig for Config {
    fn from_config(config: Config, _options: CacheOptions) -> Result<Self, ConfigError> {
        Ok(config)
    }
}

struct PoolDraft {
    pool_id: String,
    token_use: Option<Option<TokenUse>>,
    clients: Option<Option<Vec<String>>>,
    groups: Vec<String>,
    scopes: Vec<String>,
    grace: Duration,
    check_iat: bool,
    custom: Option<CustomCheck>,
    endpoint: Option<String>,
    issuer: Option<String>,
    jwks_uri: Option<String>,
}

/// Builds a verifier (`V`: the sans-IO [`Verifier`](crate::Verifier), a driver's verifier,
/// or a bare [`Config`]).
///
/// Like aws-jwt-verify, the token use and the client check have no default: call
/// [`token_use`](Builder::token_use) or [`any_token_use`](Builder::any_token_use), and
/// [`client_id`](Builder::client_id) or [`no_client_check`](Builder::no_client_check).
///
/// ```
/// use cognito_jwt::{TokenUse, Verifier};
///
/// let verifier: Verifier = Verifier::builder("eu-west-1_AbC123")
///     .token_use(TokenUse::Access)
///     .client_id("4l2k0example0client0id00ab")
///     .groups(["admin"])
///     .build()
///     .unwrap();
/// # drop(verifier);
/// ```
pub struct Builder<V> {
    done: Vec<PoolDraft>,
    current: PoolDraft,
    options: CacheOptions,
    target: PhantomData<fn() -> V>,
}

impl<V: FromConfig> Builder<V> {
    /// A builder whose first pool is `pool_id`.
    pub fn new(pool_id: impl Into<String>) -> Self {
        Builder {
            done: Vec::new(),
            current: PoolDraft::new(pool_id.into()),
            options: CacheOptions::default(),
            target: PhantomData,
        }
    }

    /// Accept only this token use (`id` or `access`).
    pub fn token_use(mut self, token_use: TokenUse) -> Self {
        self.current.token_use = Some(Some(token_use));
        self
    }

    /// Accept ID and access tokens alike (`tokenUse: null` in aws-jwt-verify).
    pub fn any_token_use(mut self) -> Self {
        self.current.token_use = Some(None);
        self
    }

    /// Allow this app client id (`aud` of ID tokens, `client_id` of access tokens); call
    /// again to allow several.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        match &mut self.current.clients {
            Some(Some(list)) => list.push(client_id.into()),
            _ => self.current.clients = Some(Some(vec![client_id.into()])),
        }
        self
    }

    /// Allow each of these app client ids.
    pub fn client_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        for id in ids {
            self = self.client_id(id);
        }
        self
    }

    /// Accept tokens of any client of the pool (`clientId: null` in aws-jwt-verify).
    pub fn no_client_check(mut self) -> Self {
        self.current.clients = Some(None);
        self
    }

    /// Require membership of at least one of these groups (`cognito:groups`).
    pub fn groups<I: IntoIterator<Item = S>, S: Into<String>>(mut self, groups: I) -> Self {
        self.current
            .groups
            .extend(groups.into_iter().map(Into::into));
        self
    }

    /// Require at least one of these scopes (`scope`).
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.current
            .scopes
            .extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Tolerate this much clock skew on `exp` and `nbf` (default 0).
    pub fn grace(mut self, grace: Duration) -> Self {
        self.current.grace = grace;
        self
    }

    /// Also reject tokens whose `iat` is in the future (beyond the grace). Off by default,
    /// as in aws-jwt-verify.
    pub fn check_iat(mut self, check: bool) -> Self {
        self.current.check_iat = check;
        self
    }

    /// Run `check` on every token that passed the signature, time and scope checks.
    pub fn custom_check<F>(mut self, check: F) -> Self
    where
        F: Fn(&Header, &Claims) -> Result<(), String> + Send + Sync + 'static,
    {
        self.current.custom = Some(Arc::new(check));
        self
    }

    /// Verify tokens of an emulator at `endpoint` (e.g. `http://127.0.0.1:9229`): its
    /// issuer is the pool's usual one, and its JWKS is `<endpoint>/<poolId>/.well-known/jwks.json`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.current.endpoint = Some(endpoint.into());
        self
    }

    /// Accept this issuer instead of the pool's AWS issuers (its JWKS is
    /// `<issuer>/.well-known/jwks.json` unless [`jwks_uri`](Builder::jwks_uri) says otherwise).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.current.issuer = Some(issuer.into());
        self
    }

    /// Fetch this pool's keys from `uri`.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.current.jwks_uri = Some(uri.into());
        self
    }

    /// Configure another pool: the following settings apply to it. A token is checked
    /// against the pool whose issuer is its `iss`.
    pub fn and_pool(mut self, pool_id: impl Into<String>) -> Self {
        let next = PoolDraft::new(pool_id.into());
        self.done.push(std::mem::replace(&mut self.current, next));
        self
    }

    /// JWKS refetch cool-down (see [`CacheOptions::cooldown`]).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.options.cooldown = cooldown;
        self
    }

    /// JWKS response cap (see [`CacheOptions::max_jwks_bytes`]).
    pub fn max_jwks_bytes(mut self, bytes: usize) -> Self {
        self.options.max_jwks_bytes = bytes;
        self
    }

    /// JWKS fetch time limit (see [`CacheOptions::fetch_timeout`]).
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.options.fetch_timeout = timeout;
        self
    }

    /// Checks the configuration and builds the verifier.
    pub fn build(mut self) -> Result<V, ConfigError> {
        self.done.push(self.current);
        let mut pools = Vec::with_capacity(self.done.len());
        for draft in self.done {
            pools.push(draft.finish()?);
        }
        let mut seen: Vec<&str> = Vec::new();
        for (iss, _) in pools.iter().flat_map(|p| p.issuers.iter()) {
            if seen.contains(&iss.as_str()) {
                return Err(ConfigError::DuplicateIssuer(iss.clone()));
            }
            seen.push(iss);
        }
        V::from_config(Config { pools }, self.options)
    }
}

/// The region of a user pool id, if it has the form aws-jwt-verify accepts:
/// `(eusc-xx|xx)-(gov-)?name-N_alphanumeric`.
fn pool_region(pool_id: &str) -> Option<&str> {
    let (region, id) = pool_id.split_once('_')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let lower = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    let rest = match region.strip_prefix("eusc-") {
        Some(r) => r,
        None => region,
    };
    let (prefix, rest) = rest.split_once('-')?;
    let rest = rest.strip_prefix("gov-").unwrap_or(rest);
    let (name, digit) = rest.split_once('-')?;
    let ok = prefix.len() == 2
        && lower(prefix)
        && lower(name)
        && digit.len() == 1
        && digit.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(region)
}

impl PoolDraft {
    fn new(pool_id: String) -> Self {
        PoolDraft {
            pool_id,
            token_use: None,
            clients: None,
            groups: Vec::new(),
            scopes: Vec::new(),
            grace: Duration::ZERO,
            check_iat: false,
            custom: None,
            endpoint: None,
            issuer: None,
            jwks_uri: None,
        }
    }

    fn finish(self) -> Result<PoolConfig, ConfigError> {
        let region = pool_region(&self.pool_id)
            .ok_or_else(|| ConfigError::InvalidPoolId(self.pool_id.clone()))?;
        let token_use = self
            .token_use
            .ok_or_else(|| ConfigError::TokenUseNotSet(self.pool_id.clone()))?;
        let clients = self
            .clients
            .ok_or_else(|| ConfigError::ClientIdNotSet(self.pool_id.clone()))?;
        let id = &self.pool_id;
        let jwks_of = |iss: &str| format!("{iss}/.well-known/jwks.json");
        let mut issuers: Vec<(String, String)> = match (&self.issuer, &self.endpoint) {
            (Some(iss), _) => vec![(iss.clone(), jwks_of(iss))],
            (None, Some(endpoint)) => {
                // The emulator issues tokens with the AWS issuer and serves the JWKS itself.
                let iss = format!("https://cognito-idp.{region}.amazonaws.com/{id}");
                let endpoint = endpoint.trim_end_matches('/');
                vec![(iss, format!("{endpoint}/{id}/.well-known/jwks.json"))]
            }
            // Both of the pool's issuer forms, as aws-jwt-verify 5.2 registers them: the
            // original one and the opt-in multi-region `issuer-cognito-idp` one.
            (None, None) => ["cognito-idp", "issuer-cognito-idp"]
                .iter()
                .map(|host| {
                    let iss = format!("https://{host}.{region}.amazonaws.com/{id}");
                    let jwks = jwks_of(&iss);
                    (iss, jwks)
                })
                .collect(),
        };
        if let Some(uri) = &self.jwks_uri {
            for (_, jwks) in &mut issuers {
                jwks.clone_from(uri);
            }
        }
        Ok(PoolConfig {
            pool_id: self.pool_id,
            issuers,
            token_use,
            clients,
            groups: self.groups,
            scopes: self.scopes,
            grace: self.grace.as_secs_f64(),
            check_iat: self.check_iat,
            custom: self.custom,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::pool_region;

    #[test]
    fn pool_ids_are_checked_like_aws_jwt_verify() {
        for ok in [
            "us-east-1_AbC123",
            "eu-west-2_x",
            "us-gov-west-1_A1",
            "eusc-de-east-1_Z",
        ] {
            assert!(pool_region(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "us-east-1",
            "us-east-1_",
            "us-east-1_a-b",
            "US-east-1_a",
            "us-east-12_a",
            "useast1_a",
            "u-east-1_a",
        ] {
            assert!(pool_region(bad).is_none(), "{bad}");
        }
    }
}
