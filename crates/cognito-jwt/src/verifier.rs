//! The checks, the JWKS cache state machine and the sans-IO [`Verifier`] combining them.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::claims::{AudForm, Claims, Header, Payload, TokenUse};
use crate::config::{Builder, CacheOptions, Config, FromConfig, PoolConfig};
use crate::error::{ConfigError, JwksError, Malformed, Segment, VerifyError};
use crate::jwks::{KeyProblem, KeySet};

/// Longest accepted token, in bytes. Cognito's tokens are 1–4 KiB, more with many groups or
/// attributes; the cap bounds the work an unauthenticated caller can cause.
pub const MAX_TOKEN_BYTES: usize = 32 * 1024;

/// What [`Verifier::verify`] answers.
#[derive(Debug)]
#[must_use]
// The verdict is the common case; boxing it would cost an allocation per verification.
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// The verdict.
    Done(Result<Claims, VerifyError>),
    /// The key is not cached: fetch this JWKS, hand the response to
    /// [`Verifier::complete`], then call [`Verifier::verify`] again.
    Fetch(JwksFetch),
}

/// A JWKS fetch the verifier asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwksFetch {
    uri: String,
    kid: Option<String>,
    generation: u64,
}

impl JwksFetch {
    /// The URI to `GET`.
    pub fn uri(&self) -> &str {
        &self.uri
    }
}

#[derive(Default)]
struct Entry {
    keys: Option<Arc<KeySet>>,
    /// Completed fetches of this URI; a waiting caller compares it with its own
    /// [`JwksFetch`] to see whether someone else fetched meanwhile.
    generation: u64,
    /// No refetch before this time (seconds since the epoch).
    blocked_until: f64,
}

enum Lookup {
    Keys(Arc<KeySet>),
    Fetch(JwksFetch),
    Blocked,
}

/// JWKS documents by URI, without IO: lookups say when to fetch, and fetched documents are
/// handed in. No TTL (a cached `kid` never causes a fetch); a `kid` missing from the cached
/// set causes one refetch, and if the set still lacks it no refetch happens for
/// [`CacheOptions::cooldown`].
#[derive(Default)]
pub struct JwksCache {
    entries: HashMap<String, Entry>,
    options: CacheOptions,
}

impl JwksCache {
    /// An empty cache.
    pub fn new(options: CacheOptions) -> Self {
        JwksCache {
            entries: HashMap::new(),
            options,
        }
    }

    fn lookup(&self, uri: &str, kid: &str, now: f64) -> Lookup {
        let entry = self.entries.get(uri);
        if let Some(Entry {
            keys: Some(set),
            blocked_until,
            ..
        }) = entry
        {
            if set.get(kid).is_some() {
                return Lookup::Keys(set.clone());
            }
            if now < *blocked_until {
                return Lookup::Blocked;
            }
        }
        Lookup::Fetch(JwksFetch {
            uri: uri.to_owned(),
            kid: Some(kid.to_owned()),
            generation: entry.map_or(0, |e| e.generation),
        })
    }

    /// Whether `fetch` is still to be done (nobody completed a fetch of its URI since).
    pub fn is_needed(&self, fetch: &JwksFetch) -> bool {
        self.entries.get(&fetch.uri).map_or(0, |e| e.generation) == fetch.generation
    }

    /// Records the outcome of `fetch`: the response body, or why there is none.
    pub fn complete<B: AsRef<[u8]>>(
        &mut self,
        fetch: &JwksFetch,
        body: Result<B, JwksError>,
        now: f64,
    ) -> Result<(), JwksError> {
        let max = self.options.max_jwks_bytes;
        let cooldown = self.options.cooldown.as_secs_f64();
        let entry = self.entries.entry(fetch.uri.clone()).or_default();
        entry.generation += 1;
        let parsed = body.and_then(|b| {
            let b = b.as_ref();
            if b.len() > max {
                return Err(JwksError::TooLarge { limit: max });
            }
            KeySet::parse(b)
        });
        match parsed {
            Ok(set) => {
                let missing = fetch.kid.as_deref().is_some_and(|k| set.get(k).is_none());
                if missing {
                    entry.blocked_until = now + cooldown;
                }
                entry.keys = Some(Arc::new(set));
                Ok(())
            }
            Err(e) => {
                // With keys cached, a failed refetch blocks the next one like a fruitless
                // one, so that an unreachable JWKS and random `kid`s do not mean a fetch per
                // request. Without keys, every request may try again (one at a time).
                if entry.keys.is_some() && fetch.kid.is_some() {
                    entry.blocked_until = now + cooldown;
                }
                Err(e)
            }
        }
    }

    /// Stores a JWKS document for `uri` as if it had been fetched.
    pub fn insert(&mut self, uri: &str, document: &[u8]) -> Result<(), JwksError> {
        let set = KeySet::parse(document)?;
        let entry = self.entries.entry(uri.to_owned()).or_default();
        entry.generation += 1;
        entry.keys = Some(Arc::new(set));
        Ok(())
    }

    /// Whether keys are cached for `uri`.
    pub fn has_keys(&self, uri: &str) -> bool {
        self.entries.get(uri).is_some_and(|e| e.keys.is_some())
    }

    /// Completed fetches, all URIs together.
    pub fn fetches(&self) -> u64 {
        self.entries.values().map(|e| e.generation).sum()
    }
}

/// A token split and decoded, before any check that needs a key.
struct Parsed<'t> {
    header: Header,
    payload: Map<String, Value>,
    input: &'t str,
    signature: Vec<u8>,
}

fn decode(segment: &str, which: Segment) -> Result<Vec<u8>, VerifyError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| VerifyError::Malformed(Malformed::Base64(which)))
}

fn parse(token: &str) -> Result<Parsed<'_>, VerifyError> {
    let bad = |m| Err(VerifyError::Malformed(m));
    if token.is_empty() {
        return bad(Malformed::Empty);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return bad(Malformed::TooLarge {
            limit: MAX_TOKEN_BYTES,
        });
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return bad(Malformed::Segments);
    };
    if h.is_empty() || p.is_empty() || s.is_empty() {
        return bad(Malformed::Segments);
    }
    let header = match serde_json::from_slice::<Value>(&decode(h, Segment::Header)?) {
        Ok(Value::Object(m)) => m,
        _ => return bad(Malformed::NotAnObject(Segment::Header)),
    };
    let field = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(VerifyError::Malformed(Malformed::ClaimType {
            claim: name.to_owned(),
        })),
    };
    let header = Header {
        alg: field("alg")?,
        kid: field("kid")?,
    };
    let payload = match serde_json::from_slice::<Map<String, Value>>(&decode(p, Segment::Payload)?)
    {
        Ok(m) => m,
        Err(_) => return bad(Malformed::NotAnObject(Segment::Payload)),
    };
    let signature = decode(s, Segment::Signature)?;
    Ok(Parsed {
        header,
        payload,
        input: &token[..h.len() + 1 + p.len()],
        signature,
    })
}

fn any_of<'a>(have: impl IntoIterator<Item = &'a str>, wanted: &[String]) -> bool {
    have.into_iter().any(|h| wanted.iter().any(|w| w == h))
}

/// Every check, in aws-jwt-verify's order: structure, JSON types, issuer, `kid`, JWK and
/// algorithm, signature, `exp`/`nbf`(/`iat`), scope, group, token use, client; then the
/// custom check, which sees the typed claims.
fn check(config: &Config, cache: &RwLock<JwksCache>, token: &str, now: f64) -> Step {
    let parsed = match parse(token) {
        Ok(p) => p,
        Err(e) => return Step::Done(Err(e)),
    };
    let Parsed {
        header,
        payload,
        input,
        signature,
    } = parsed;
    let payload = match Payload::new(payload) {
        Ok(p) => p,
        Err(e) => return Step::Done(Err(e)),
    };
    let Some(iss) = payload.iss.as_deref() else {
        return Step::Done(Err(VerifyError::Issuer { found: None }));
    };
    let Some((pool, jwks_uri)) = config.pool_for(iss) else {
        return Step::Done(Err(VerifyError::Issuer {
            found: Some(iss.to_owned()),
        }));
    };
    let Some(kid) = header.kid.as_deref() else {
        return Step::Done(Err(VerifyError::MissingKid));
    };
    let lookup = cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .lookup(jwks_uri, kid, now);
    let set = match lookup {
        Lookup::Keys(set) => set,
        Lookup::Fetch(fetch) => return Step::Fetch(fetch),
        Lookup::Blocked => {
            return Step::Done(Err(VerifyError::UnknownKid {
                kid: kid.to_owned(),
            }));
        }
    };
    let result = set
        .get(kid)
        .ok_or_else(|| VerifyError::UnknownKid {
            kid: kid.to_owned(),
        })
        .and_then(|jwk| {
            jwk.key_for(header.alg.as_deref()).map_err(|p| match p {
                KeyProblem::Algorithm => VerifyError::Algorithm {
                    found: header.alg.clone(),
                },
                KeyProblem::Jwk(reason) => VerifyError::Jwk { reason },
            })
        })
        .and_then(|key| {
            if key.verify(input.as_bytes(), &signature) {
                Ok(())
            } else {
                Err(VerifyError::Signature)
            }
        })
        .and_then(|()| claims_checks(pool, &header, payload, now));
    Step::Done(result)
}

fn claims_checks(
    pool: &PoolConfig,
    header: &Header,
    payload: Payload,
    now: f64,
) -> Result<Claims, VerifyError> {
    let times = payload.times;
    let Some(exp) = times.exp else {
        return Err(VerifyError::Malformed(Malformed::MissingClaim {
            claim: "exp".to_owned(),
        }));
    };
    if exp + pool.grace < now {
        return Err(VerifyError::Expired {
            exp: exp.floor() as i64,
        });
    }
    for t in [times.nbf, times.iat.filter(|_| pool.check_iat)]
        .into_iter()
        .flatten()
    {
        if t - pool.grace > now {
            return Err(VerifyError::NotYetValid {
                not_before: t.floor() as i64,
            });
        }
    }
    if !pool.scopes.is_empty() && !any_of(payload.scopes(), &pool.scopes) {
        return Err(VerifyError::Scope {
            expected: pool.scopes.clone(),
        });
    }
    if !pool.groups.is_empty() && !payload.groups().is_some_and(|g| any_of(g, &pool.groups)) {
        return Err(VerifyError::Group {
            expected: pool.groups.clone(),
        });
    }
    let found_use = payload.map.get("token_use").and_then(Value::as_str);
    let token_use = match found_use.and_then(TokenUse::from_name) {
        Some(u) if pool.token_use.is_none_or(|want| want == u) => u,
        _ => {
            return Err(VerifyError::TokenUse {
                found: found_use.map(str::to_owned),
                expected: pool.token_use,
            });
        }
    };
    if let Some(allowed) = &pool.clients {
        let found = match token_use {
            TokenUse::Id if payload.aud_form == AudForm::String => {
                payload.aud.first().map(String::as_str)
            }
            TokenUse::Id => None,
            TokenUse::Access => payload.map.get("client_id").and_then(Value::as_str),
        };
        if !found.is_some_and(|c| allowed.iter().any(|a| a == c)) {
            return Err(VerifyError::Client {
                found: found.map(str::to_owned),
            });
        }
    }
    let iss = payload.iss.clone().unwrap_or_default();
    let claims = payload.into_claims(iss, token_use);
    if let Some(custom) = &pool.custom {
        custom(header, &claims).map_err(|message| VerifyError::Custom { message })?;
    }
    Ok(claims)
}

fn seconds(now: Duration) -> f64 {
    now.as_secs_f64()
}

/// A Cognito JWT verifier without IO: it holds the configuration and a [`JwksCache`], takes
/// the time as an argument, and answers [`Step::Fetch`] when it needs a JWKS it has not got.
/// The drivers (`cognito-blocking`, `cognito-async`) wrap it with an HTTP GET; on wasm32 or
/// any other runtime, wrap it with yours:
///
/// ```
/// use std::time::Duration;
/// use cognito_jwt::{Step, TokenUse, Verifier};
///
/// let verifier: Verifier = Verifier::builder("eu-west-1_AbC123")
///     .token_use(TokenUse::Id)
///     .client_id("client")
///     .build()
///     .unwrap();
/// let now = Duration::from_secs(1_700_000_000);
/// let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tL2V1LXdlc3QtMV9BYkMxMjMifQ.c2ln";
/// match verifier.verify(token, now) {
///     Step::Fetch(fetch) => {
///         assert_eq!(
///             fetch.uri(),
///             "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
///         );
///         // GET fetch.uri() with a size cap and a timeout, then:
///         // verifier.complete(&fetch, Ok(&body), now)?; and verify again.
///     }
///     Step::Done(verdict) => panic!("{verdict:?}"),
/// }
/// ```
pub struct Verifier {
    config: Config,
    options: CacheOptions,
    cache: RwLock<JwksCache>,
}

impl FromConfig for Verifier {
    fn from_config(config: Config, options: CacheOptions) -> Result<Self, ConfigError> {
        Ok(Verifier::new(config, options))
    }
}

impl Verifier {
    /// A builder for a verifier of `pool_id`'s tokens.
    pub fn builder(pool_id: impl Into<String>) -> Builder<Verifier> {
        Builder::new(pool_id)
    }

    /// A verifier with an empty JWKS cache.
    pub fn new(config: Config, options: CacheOptions) -> Self {
        Verifier {
            cache: RwLock::new(JwksCache::new(options.clone())),
            config,
            options,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The cache options (the drivers read the fetch time limit and size cap here).
    pub fn options(&self) -> &CacheOptions {
        &self.options
    }

    /// Verifies `token` at `now` (time since the Unix epoch) with the cached keys, or asks for
    /// a JWKS fetch.
    pub fn verify(&self, token: &str, now: Duration) -> Step {
        check(&self.config, &self.cache, token, seconds(now))
    }

    /// Verifies with the cached keys only: a needed fetch is an error
    /// ([`VerifyError::JwksUnavailable`] without keys, [`VerifyError::UnknownKid`] with).
    pub fn verify_cached(&self, token: &str, now: Duration) -> Result<Claims, VerifyError> {
        match self.verify(token, now) {
            Step::Done(result) => result,
            Step::Fetch(fetch) => Err(self.not_cached(fetch)),
        }
    }

    fn not_cached(&self, fetch: JwksFetch) -> VerifyError {
        let cached = self.read().has_keys(&fetch.uri);
        match fetch.kid {
            Some(kid) if cached => VerifyError::UnknownKid { kid },
            _ => VerifyError::JwksUnavailable {
                jwks_uri: fetch.uri,
                reason: JwksError::Transport("not fetched yet".to_owned()),
            },
        }
    }

    /// Whether `fetch` still has to be done: `false` once another caller completed a fetch of
    /// the same URI (a driver checks this after waiting its turn, so concurrent callers share
    /// one fetch).
    pub fn is_needed(&self, fetch: &JwksFetch) -> bool {
        self.read().is_needed(fetch)
    }

    /// Hands in the outcome of `fetch`: the body of a 200 response, or why there is none.
    pub fn complete<B: AsRef<[u8]>>(
        &self,
        fetch: &JwksFetch,
        body: Result<B, JwksError>,
        now: Duration,
    ) -> Result<(), VerifyError> {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .complete(fetch, body, seconds(now))
            .map_err(|reason| VerifyError::JwksUnavailable {
                jwks_uri: fetch.uri.clone(),
                reason,
            })
    }

    /// The fetches that load every configured JWKS not cached yet (to hydrate a verifier
    /// before it serves requests).
    pub fn hydrate(&self) -> Vec<JwksFetch> {
        let cache = self.read();
        self.config
            .jwks_uris()
            .into_iter()
            .filter(|uri| !cache.has_keys(uri))
            .map(|uri| JwksFetch {
                uri: uri.to_owned(),
                kid: None,
                generation: cache.entries.get(uri).map_or(0, |e| e.generation),
            })
            .collect()
    }

    /// Stores a JWKS document for `jwks_uri` (e.g. one bundled with an edge worker), as
    /// aws-jwt-verify's `cacheJwks`.
    pub fn cache_jwks(&self, jwks_uri: &str, document: &[u8]) -> Result<(), JwksError> {
        self.cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(jwks_uri, document)
    }

    /// How many JWKS fetches have completed (successfully or not).
    pub fn jwks_fetches(&self) -> u64 {
        self.read().fetches()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, JwksCache> {
        self.cache.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
