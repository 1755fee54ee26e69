//! The drivers' token verifier, written once: [`define_verifier!`](crate::define_verifier)
//! expands to a `Verifier` in each driver (through [`define_api!`](crate::define_api)). The
//! checks and the cache decisions are `cognito_jwt`'s; the expanded code performs the JWKS GET
//! with the driver's own transport (size cap, time limit) and makes concurrent callers wait
//! for one fetch. The helpers here are what both expansions share without IO.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cognito_jwt::{CacheOptions, JwksError};

use crate::error::{TransportError, TransportErrorKind};
use crate::options::{Limits, Timeouts};

/// The time since the Unix epoch, by the system clock.
pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The timeouts of a JWKS fetch: the whole exchange within `fetch_timeout`.
pub fn timeouts(options: &CacheOptions) -> Timeouts {
    Timeouts {
        connect: options.fetch_timeout,
        response: options.fetch_timeout,
    }
}

/// The response limits of a JWKS fetch: the body within `max_jwks_bytes`.
pub fn limits(options: &CacheOptions) -> Limits {
    Limits {
        max_response_body: options.max_jwks_bytes,
        ..Limits::default()
    }
}

/// The GET of a JWKS document at `uri`.
pub fn request(uri: &str) -> Result<http::Request<Vec<u8>>, JwksError> {
    http::Request::get(uri)
        .header(http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|e| JwksError::Transport(e.to_string()))
}

/// The JWKS document in `response`, or why there is none.
pub fn body(
    response: Result<http::Response<Vec<u8>>, TransportError>,
) -> Result<Vec<u8>, JwksError> {
    match response {
        Ok(response) if response.status() == http::StatusCode::OK => Ok(response.into_body()),
        Ok(response) => Err(JwksError::Status(response.status().as_u16())),
        Err(e) if e.kind() == TransportErrorKind::BodyTooLarge => Err(JwksError::TooLarge {
            limit: e.exceeded_limit().unwrap_or_default(),
        }),
        Err(e) => Err(JwksError::Transport(e.to_string())),
    }
}

/// The token verifier of a driver, written once (see the [module](crate::verifier)). Invoked
/// by [`define_api!`](crate::define_api); the invoking crate provides, at its root, its
/// `Transport` trait, `fn verifier_transport(Timeouts, Limits) -> Result<Arc<dyn Transport>,
/// TransportError>` and `FetchLock`, a lock with `[async] fn lock(&self) -> impl Drop` that may
/// be held across the fetch.
#[doc(hidden)]
#[macro_export]
macro_rules! define_verifier {
    ([$($async:tt)*] [$($aw:tt)*]) => {
        /// Verifies Cognito ID and access tokens against their pool's JWKS, fetched on first
        /// use (or by [`hydrate`](Verifier::hydrate)) and again only for an unknown `kid`, at
        /// most once per cool-down. The fetch goes through this crate's default transport,
        /// held to the configured size cap and time limit. Cloning is cheap and shares the
        /// keys; `verify` takes `&self`, so one verifier serves every thread or task.
        ///
        /// Build one with [`Verifier::builder`] (see
        /// [`cognito_jwt::Builder`](crate::cognito_jwt::Builder)): the pool id, the token
        /// use, the app clients, the scopes or groups to require.
        #[derive(Clone, Debug)]
        pub struct Verifier {
            inner: ::std::sync::Arc<VerifierInner>,
        }

        struct VerifierInner {
            core: $crate::cognito_jwt::Verifier,
            transport: ::std::sync::Arc<dyn Transport>,
            /// Held while fetching, so that concurrent callers share one fetch.
            fetching: FetchLock,
        }

        impl ::std::fmt::Debug for VerifierInner {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Verifier")
                    .field("core", &self.core)
                    .finish_non_exhaustive()
            }
        }

        impl $crate::cognito_jwt::FromConfig for Verifier {
            fn from_config(
                config: $crate::cognito_jwt::Config,
                options: $crate::cognito_jwt::CacheOptions,
            ) -> Result<Self, $crate::cognito_jwt::ConfigError> {
                let transport = verifier_transport(
                    $crate::verifier::timeouts(&options),
                    $crate::verifier::limits(&options),
                )
                .map_err(|e| $crate::cognito_jwt::ConfigError::Transport(e.to_string()))?;
                Ok(Verifier {
                    inner: ::std::sync::Arc::new(VerifierInner {
                        core: $crate::cognito_jwt::Verifier::new(config, options),
                        transport,
                        fetching: FetchLock::default(),
                    }),
                })
            }
        }

        impl Verifier {
            /// A builder for a verifier of `pool_id`'s tokens (see
            /// [`cognito_jwt::Builder`](crate::cognito_jwt::Builder)).
            pub fn builder(pool_id: impl Into<String>) -> $crate::cognito_jwt::Builder<Verifier> {
                $crate::cognito_jwt::Builder::new(pool_id)
            }

            /// The sans-IO verifier inside (configuration, cache, counters).
            pub fn core(&self) -> &$crate::cognito_jwt::Verifier {
                &self.inner.core
            }

            /// Verifies `token` now, fetching its pool's JWKS if needed.
            pub $($async)* fn verify(
                &self,
                token: &str,
            ) -> Result<$crate::cognito_jwt::Claims, $crate::cognito_jwt::VerifyError> {
                self.verify_at(token, $crate::verifier::now()) $($aw)*
            }

            /// Verifies `token` at `now` (time since the Unix epoch).
            pub $($async)* fn verify_at(
                &self,
                token: &str,
                now: ::std::time::Duration,
            ) -> Result<$crate::cognito_jwt::Claims, $crate::cognito_jwt::VerifyError> {
                // Each round either decides or completes a fetch; a fetch by another caller
                // can send us round again, so the bound only guards against a livelock.
                for _ in 0..4 {
                    match self.inner.core.verify(token, now) {
                        $crate::cognito_jwt::Step::Done(result) => return result,
                        $crate::cognito_jwt::Step::Fetch(fetch) => {
                            let _turn = self.inner.fetching.lock() $($aw)*;
                            if self.inner.core.is_needed(&fetch) {
                                let body = self.fetch(fetch.uri()) $($aw)*;
                                self.inner.core.complete(&fetch, body, now)?;
                            }
                        }
                    }
                }
                self.inner.core.verify_cached(token, now)
            }

            /// Fetches every configured JWKS not cached yet; fails only if every fetch fails.
            pub $($async)* fn hydrate(&self) -> Result<(), $crate::cognito_jwt::VerifyError> {
                let _turn = self.inner.fetching.lock() $($aw)*;
                let mut first_error = None;
                let mut any_ok = false;
                for fetch in self.inner.core.hydrate() {
                    let body = self.fetch(fetch.uri()) $($aw)*;
                    match self.inner.core.complete(&fetch, body, $crate::verifier::now()) {
                        Ok(()) => any_ok = true,
                        Err(e) => first_error = first_error.or(Some(e)),
                    }
                }
                match first_error {
                    Some(e) if !any_ok => Err(e),
                    _ => Ok(()),
                }
            }

            $($async)* fn fetch(&self, uri: &str) -> Result<Vec<u8>, $crate::cognito_jwt::JwksError> {
                let request = $crate::verifier::request(uri)?;
                $crate::verifier::body(self.inner.transport.send(&request) $($aw)*)
            }
        }
    };
}
