//! Verify Amazon Cognito user-pool JWTs (ID and access tokens), with the checks and defaults
//! of AWS's `aws-jwt-verify`, without IO.
//!
//! * [`Verifier`] holds the configuration ([`Builder`]: pools, token use, allowed clients,
//!   groups, scopes, grace, custom check) and a [`JwksCache`]; it takes the time as an
//!   argument and, when it lacks a key, answers [`Step::Fetch`] with the JWKS URI to fetch.
//!   `cognito-blocking` and `cognito-async` wrap it with an HTTP GET (their `Verifier`), and
//!   it builds for `wasm32-unknown-unknown`, where you bring the fetch.
//! * The checks, in order: structure (three unpadded, canonical base64url segments, JSON
//!   objects, at most [`MAX_TOKEN_BYTES`]); claim types; `iss` picks the pool; `kid`; the
//!   JWK must be `kty: RSA`, `use: sig` if present, and its `alg` (RS256 if absent) must be
//!   the header's — never `none` or HMAC; the RSA signature; `exp` (required) and `nbf`
//!   with the grace; required scopes (any of); required groups (any of); `token_use`; the
//!   client (`aud` of ID tokens, `client_id` of access tokens); the custom check.
//! * Every failure is a [`VerifyError`] variant naming the check; errors never contain the
//!   token.
//!
//! ```
//! use std::time::Duration;
//! use cognito_jwt::{Step, TokenUse, Verifier, VerifyError};
//!
//! let verifier: Verifier = Verifier::builder("eu-west-1_AbC123")
//!     .token_use(TokenUse::Access)
//!     .client_id("4l2k0example0client0id00ab")
//!     .scopes(["orders/read"])
//!     .build()?;
//! let now = Duration::from_secs(1_700_000_000);
//! match verifier.verify("not.a.token", now) {
//!     Step::Done(Err(VerifyError::Malformed(_))) => {}
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), cognito_jwt::ConfigError>(())
//! ```
#![forbid(unsafe_code)]

mod claims;
mod config;
mod crypto;
mod error;
mod jwks;
mod verifier;

pub use claims::{Claims, Header, TokenUse};
pub use config::{Builder, CacheOptions, Config, CustomCheck, FromConfig, PoolConfig};
pub use crypto::BACKEND;
pub use error::{ConfigError, JwksError, Malformed, Segment, VerifyError};
pub use jwks::{Jwk, KeySet};
pub use verifier::{JwksCache, JwksFetch, MAX_TOKEN_BYTES, Step, Verifier};
