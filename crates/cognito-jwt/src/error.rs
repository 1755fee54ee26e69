//! The errors: why a token was rejected ([`VerifyError`]), why a JWKS could not be used
//! ([`JwksError`]) and why a configuration was refused ([`ConfigError`]).
//!
//! No error carries the raw token. Values taken from the token (issuer, client id, `kid`) are
//! shown with `{:?}` so control characters in them cannot reach a terminal or a log line as-is.

use std::fmt;

use crate::TokenUse;

/// Which part of a token a structural error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// The first segment, the JOSE header.
    Header,
    /// The second segment, the claims.
    Payload,
    /// The third segment, the signature.
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        })
    }
}

/// Why a token is not a well-formed JWT.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The token is empty.
    Empty,
    /// The token is longer than the verifier accepts.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Not exactly three non-empty segments separated by dots.
    Segments,
    /// A segment is not unpadded, canonical base64url.
    Base64(Segment),
    /// The header or payload is not a JSON object.
    NotAnObject(Segment),
    /// A claim or header field has the wrong JSON type (e.g. `exp` not a number).
    ClaimType {
        /// The claim's name.
        claim: String,
    },
    /// A claim every Cognito token has is missing (`exp`).
    MissingClaim {
        /// The claim's name.
        claim: String,
    },
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Empty => f.write_str("empty token"),
            Malformed::TooLarge { limit } => write!(f, "token longer than {limit} bytes"),
            Malformed::Segments => f.write_str(
                "not exactly 3 non-empty dot-separated parts (header, payload, signature)",
            ),
            Malformed::Base64(s) => write!(f, "{s} is not unpadded canonical base64url"),
            Malformed::NotAnObject(s) => write!(f, "{s} is not a JSON object"),
            Malformed::ClaimType { claim } => write!(f, "claim {claim:?} has the wrong type"),
            Malformed::MissingClaim { claim } => write!(f, "claim {claim:?} is missing"),
        }
    }
}

/// Why a JWKS could not be fetched or used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksError {
    /// The server answered with another status than 200.
    Status(u16),
    /// The response was larger than the configured cap.
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// No response (connection, timeout, TLS): the transport's message.
    Transport(String),
    /// The response is not a valid JWKS document.
    Invalid(String),
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwksError::Status(s) => write!(f, "status code {s}, expected 200"),
            JwksError::TooLarge { limit } => write!(f, "response larger than {limit} bytes"),
            JwksError::Transport(m) => write!(f, "no response: {m}"),
            JwksError::Invalid(m) => write!(f, "invalid JWKS: {m}"),
        }
    }
}

impl std::error::Error for JwksError {}

/// Why a token was rejected: one variant per check, in the order the checks run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is not a well-formed JWT.
    Malformed(Malformed),
    /// The token's `iss` is missing or not one of the configured pools' issuers.
    Issuer {
        /// The `iss` claim, if it has one.
        found: Option<String>,
    },
    /// The header has no string `kid`.
    MissingKid,
    /// The pool's JWKS has no key with this `kid`, even after a refetch (or a refetch is not
    /// allowed yet: at most one per cool-down).
    UnknownKid {
        /// The header's `kid`.
        kid: String,
    },
    /// The pool's JWKS could not be fetched or parsed.
    JwksUnavailable {
        /// The JWKS URI.
        jwks_uri: String,
        /// What went wrong.
        reason: JwksError,
    },
    /// The matching JWK cannot verify this token (type, `use`, missing or invalid modulus).
    Jwk {
        /// What is wrong with the key.
        reason: String,
    },
    /// The header's `alg` is missing, not allowed (`none`, HMAC, ...) or not the JWK's.
    Algorithm {
        /// The header's `alg`, if any.
        found: Option<String>,
    },
    /// The signature does not verify.
    Signature,
    /// `exp` (plus the grace period) is in the past.
    Expired {
        /// The `exp` claim, seconds since the epoch.
        exp: i64,
    },
    /// `nbf` (or `iat`, when checked) minus the grace period is in the future.
    NotYetValid {
        /// The `nbf` (or `iat`) claim, seconds since the epoch.
        not_before: i64,
    },
    /// None of the required scopes is in the token's `scope`.
    Scope {
        /// The required scopes (any of them would do).
        expected: Vec<String>,
    },
    /// The custom check refused the token.
    Custom {
        /// The check's message.
        message: String,
    },
    /// None of the required groups is in `cognito:groups`.
    Group {
        /// The required groups (any of them would do).
        expected: Vec<String>,
    },
    /// `token_use` is missing, not `id`/`access`, or not the configured one.
    TokenUse {
        /// The `token_use` claim, if it is a string.
        found: Option<String>,
        /// The configured token use (`None`: either).
        expected: Option<TokenUse>,
    },
    /// The client id (`aud` of an ID token, `client_id` of an access token) is not allowed.
    Client {
        /// The client id, if the token has one of the right type.
        found: Option<String>,
    },
}

impl VerifyError {
    /// A short, stable name for the failed check (`"expired"`, `"signature"`, ...), e.g. for
    /// metrics or a JSON error body.
    pub fn check(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::Issuer { .. } => "issuer",
            VerifyError::MissingKid => "kid",
            VerifyError::UnknownKid { .. } => "unknown_kid",
            VerifyError::JwksUnavailable { .. } => "jwks_unavailable",
            VerifyError::Jwk { .. } => "jwk",
            VerifyError::Algorithm { .. } => "algorithm",
            VerifyError::Signature => "signature",
            VerifyError::Expired { .. } => "expired",
            VerifyError::NotYetValid { .. } => "not_yet_valid",
            VerifyError::Scope { .. } => "scope",
            VerifyError::Custom { .. } => "custom",
            VerifyError::Group { .. } => "group",
            VerifyError::TokenUse { .. } => "token_use",
            VerifyError::Client { .. } => "client",
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Malformed(m) => write!(f, "malformed token: {m}"),
            VerifyError::Issuer { found: Some(i) } => write!(f, "issuer not configured: {i:?}"),
            VerifyError::Issuer { found: None } => f.write_str("token has no issuer"),
            VerifyError::MissingKid => f.write_str("token header has no valid kid"),
            VerifyError::UnknownKid { kid } => write!(f, "no JWK with kid {kid:?} in the JWKS"),
            VerifyError::JwksUnavailable { jwks_uri, reason } => {
                write!(f, "JWKS {jwks_uri:?} unavailable: {reason}")
            }
            VerifyError::Jwk { reason } => write!(f, "JWK not usable: {reason}"),
            VerifyError::Algorithm { found: Some(a) } => {
                write!(f, "signature algorithm not allowed: {a:?}")
            }
            VerifyError::Algorithm { found: None } => f.write_str("missing signature algorithm"),
            VerifyError::Signature => f.write_str("invalid signature"),
            VerifyError::Expired { exp } => write!(f, "token expired at {exp}"),
            VerifyError::NotYetValid { not_before } => {
                write!(f, "token not valid before {not_before}")
            }
            VerifyError::Scope { expected } => {
                write!(f, "missing scope, expected one of {expected:?}")
            }
            VerifyError::Custom { message } => write!(f, "custom check failed: {message:?}"),
            VerifyError::Group { expected } => {
                write!(f, "missing group, expected one of {expected:?}")
            }
            VerifyError::TokenUse { found, expected } => {
                let expected = expected.map_or("id or access", TokenUse::as_str);
                match found {
                    Some(u) => write!(f, "token use not allowed: {u:?}, expected {expected}"),
                    None => write!(f, "token has no token_use, expected {expected}"),
                }
            }
            VerifyError::Client { found: Some(c) } => write!(f, "client id not allowed: {c:?}"),
            VerifyError::Client { found: None } => f.write_str("token has no client id"),
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::JwksUnavailable { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// Why a verifier configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The user pool id is not `<region>_<id>`.
    InvalidPoolId(String),
    /// Neither `token_use(..)` nor `any_token_use()` was called for this pool.
    TokenUseNotSet(String),
    /// Neither a client id nor `no_client_check()` was given for this pool.
    ClientIdNotSet(String),
    /// Two pools share an issuer.
    DuplicateIssuer(String),
    /// No pool was configured.
    NoPool,
    /// The driver could not create its HTTP client.
    Transport(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::InvalidPoolId(p) => write!(f, "invalid Cognito user pool id: {p:?}"),
            ConfigError::TokenUseNotSet(p) => write!(
                f,
                "pool {p}: set token_use(..) or call any_token_use() explicitly"
            ),
            ConfigError::ClientIdNotSet(p) => write!(
                f,
                "pool {p}: give a client id or call no_client_check() explicitly"
            ),
            ConfigError::DuplicateIssuer(i) => write!(f, "issuer {i} configured twice"),
            ConfigError::NoPool => f.write_str("no user pool configured"),
            ConfigError::Transport(m) => write!(f, "HTTP client: {m}"),
        }
    }
}

impl std::error::Error for ConfigError {}
