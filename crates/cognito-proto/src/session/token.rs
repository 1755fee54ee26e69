//! Decoding of Cognito's ID and access tokens (JWS compact JWTs, docs/protocol.md#51-format-and-keys-docs/protocol.md#53-access-token).
//!
//! Only the claims are read; the signature is **not** checked here (checking it needs the
//! pool's JWKS, which is the caller's business). Nothing in this module panics on outside
//! input: every malformed token is a [`TokenError`].

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
use serde_json::{Map, Value};

use crate::secret::SecretString;

/// Which of a token's segments a decoding error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    /// The first segment (`{"kid":…,"alg":"RS256"}`).
    Header,
    /// The second segment (the claims).
    Payload,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
        })
    }
}

/// Why a token could not be decoded. Messages never contain the token or a claim value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is not three `.`-separated segments (a refresh token, for example, has five).
    NotThreeSegments {
        /// How many segments were found.
        found: usize,
    },
    /// A segment is not base64url (the standard alphabet's `+` and `/` are refused).
    InvalidBase64(Segment),
    /// A segment decodes, but not to a JSON object.
    InvalidJson(Segment),
    /// A required claim is missing (`exp`).
    MissingClaim(&'static str),
    /// A well-known claim has the wrong JSON type (for example `"exp":"soon"` or `"sub":5`).
    InvalidClaim(&'static str),
    /// The token's `token_use` is not the one expected where it was used (an access token in
    /// the ID token's place, say).
    WrongTokenUse {
        /// The `token_use` expected here.
        expected: TokenUseClaim,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::NotThreeSegments { found } => {
                write!(f, "a JWT has 3 segments, this token has {found}")
            }
            TokenError::InvalidBase64(s) => write!(f, "token {s} is not base64url"),
            TokenError::InvalidJson(s) => write!(f, "token {s} is not a JSON object"),
            TokenError::MissingClaim(c) => write!(f, "token has no `{c}` claim"),
            TokenError::InvalidClaim(c) => write!(f, "token claim `{c}` has the wrong type"),
            TokenError::WrongTokenUse { expected } => {
                write!(f, "expected a token with token_use `{}`", expected.as_str())
            }
        }
    }
}

impl std::error::Error for TokenError {}

/// The `token_use` claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenUseClaim {
    /// `"id"`: an ID token.
    Id,
    /// `"access"`: an access token.
    Access,
    /// Anything else, kept as sent.
    Unknown(String),
}

impl TokenUseClaim {
    /// The claim's value.
    pub fn as_str(&self) -> &str {
        match self {
            TokenUseClaim::Id => "id",
            TokenUseClaim::Access => "access",
            TokenUseClaim::Unknown(s) => s,
        }
    }

    fn from_claim(s: &str) -> Self {
        match s {
            "id" => TokenUseClaim::Id,
            "access" => TokenUseClaim::Access,
            other => TokenUseClaim::Unknown(other.to_owned()),
        }
    }
}

/// The header of a token: the key id and algorithm (for a later signature check).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// `kid`: which JWKS key signed the token.
    pub kid: Option<String>,
    /// `alg`: `RS256` for Cognito.
    pub alg: Option<String>,
}

/// The claims of an ID or access token.
///
/// The well-known claims are typed fields; every claim (including those, user attributes
/// such as `email`, `custom:*`, `cognito:groups`) is also in [`UnverifiedClaims::get`] / [`UnverifiedClaims::all`].
/// `Debug` prints the claim names and times only: values such as `email` or `username` are
/// personal data and stay out of logs.
#[derive(Clone, PartialEq)]
pub struct UnverifiedClaims {
    /// `sub`: the user's UUID.
    pub sub: Option<String>,
    /// `iss`: `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`.
    pub iss: Option<String>,
    /// `aud` (ID tokens): the app client id. A JSON array of audiences is kept whole.
    pub aud: Vec<String>,
    /// `client_id` (access tokens): the app client id.
    pub client_id: Option<String>,
    /// `token_use`: `id` or `access`.
    pub token_use: Option<TokenUseClaim>,
    /// `exp`: expiry, seconds since the Unix epoch (server clock). Required.
    pub exp: i64,
    /// `iat`: issue time, seconds since the Unix epoch (server clock).
    pub iat: Option<i64>,
    /// `auth_time`: time of the original authentication (kept across refreshes).
    pub auth_time: Option<i64>,
    /// `jti`: unique id of this token.
    pub jti: Option<String>,
    /// `origin_jti`: id of the sign-in session; present when token revocation is enabled,
    /// and what `RevokeToken` matches.
    pub origin_jti: Option<String>,
    /// `event_id`: id of the authentication event.
    pub event_id: Option<String>,
    /// `username` (access tokens): Cognito's internal username.
    pub username: Option<String>,
    /// `cognito:username` (ID tokens): Cognito's internal username.
    pub cognito_username: Option<String>,
    /// `device_key` (access tokens): the tracked device the tokens were issued for.
    pub device_key: Option<String>,
    /// `scope` (access tokens): space-separated scopes.
    pub scope: Option<String>,
    all: Map<String, Value>,
}

impl fmt::Debug for UnverifiedClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedClaims")
            .field("token_use", &self.token_use)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("names", &self.all.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl UnverifiedClaims {
    /// Reads claims from a decoded payload object.
    pub fn from_map(all: Map<String, Value>) -> Result<Self, TokenError> {
        let exp = match all.get("exp") {
            None | Some(Value::Null) => return Err(TokenError::MissingClaim("exp")),
            Some(v) => numeric_date(v).ok_or(TokenError::InvalidClaim("exp"))?,
        };
        let aud = match all.get("aud") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(TokenError::InvalidClaim("aud"))?,
            Some(_) => return Err(TokenError::InvalidClaim("aud")),
        };
        Ok(UnverifiedClaims {
            sub: string_claim(&all, "sub")?,
            iss: string_claim(&all, "iss")?,
            aud,
            client_id: string_claim(&all, "client_id")?,
            token_use: string_claim(&all, "token_use")?.map(|s| TokenUseClaim::from_claim(&s)),
            exp,
            iat: time_claim(&all, "iat")?,
            auth_time: time_claim(&all, "auth_time")?,
            jti: string_claim(&all, "jti")?,
            origin_jti: string_claim(&all, "origin_jti")?,
            event_id: string_claim(&all, "event_id")?,
            username: string_claim(&all, "username")?,
            cognito_username: string_claim(&all, "cognito:username")?,
            device_key: string_claim(&all, "device_key")?,
            scope: string_claim(&all, "scope")?,
            all,
        })
    }

    /// Any claim by name, as JSON (`email`, `email_verified`, `custom:team`, …).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.all.get(name)
    }

    /// A claim that is a JSON string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.all.get(name).and_then(Value::as_str)
    }

    /// Every claim of the token.
    pub fn all(&self) -> &Map<String, Value> {
        &self.all
    }

    /// The `email` claim (ID tokens).
    pub fn email(&self) -> Option<&str> {
        self.get_str("email")
    }

    /// The `cognito:groups` claim (empty when absent or not an array of strings).
    pub fn groups(&self) -> Vec<&str> {
        match self.all.get("cognito:groups") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The scopes of the `scope` claim.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.as_deref().unwrap_or("").split_whitespace()
    }

    /// Cognito's internal username: `username` (access token), else `cognito:username`
    /// (ID token).
    pub fn internal_username(&self) -> Option<&str> {
        self.username
            .as_deref()
            .or(self.cognito_username.as_deref())
    }
}

/// A JSON number as whole seconds. Fractions are truncated towards minus infinity; values
/// outside `i64` and non-numbers are refused.
fn numeric_date(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    // `as` saturates and maps NaN to 0, so check the range first.
    if f.is_finite() && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Some(f.floor() as i64)
    } else {
        None
    }
}

fn time_claim(all: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, TokenError> {
    match all.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => numeric_date(v)
            .map(Some)
            .ok_or(TokenError::InvalidClaim(name)),
    }
}

fn string_claim(
    all: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, TokenError> {
    match all.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

/// A decoded ID or access token: the compact string (kept secret) with its header and claims.
///
/// `Debug` redacts the token.
#[derive(Clone, Debug)]
pub struct Jwt {
    raw: SecretString,
    header: Header,
    claims: UnverifiedClaims,
}

impl PartialEq for Jwt {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Jwt {
    /// Decodes a compact JWT: three base64url segments (padding tolerated), the first two JSON
    /// objects, the payload with an `exp`. The signature is not checked.
    pub fn decode(token: impl Into<SecretString>) -> Result<Self, TokenError> {
        let raw: SecretString = token.into();
        let (header, claims) = {
            let text = raw.expose_secret();
            let segments: Vec<&str> = text.split('.').collect();
            let [header, payload, _signature] = segments.as_slice() else {
                return Err(TokenError::NotThreeSegments {
                    found: segments.len(),
                });
            };
            let header = decode_object(header, Segment::Header)?;
            let payload = decode_object(payload, Segment::Payload)?;
            let header = Header {
                kid: header.get("kid").and_then(Value::as_str).map(str::to_owned),
                alg: header.get("alg").and_then(Value::as_str).map(str::to_owned),
            };
            (header, UnverifiedClaims::from_map(payload)?)
        };
        Ok(Jwt {
            raw,
            header,
            claims,
        })
    }

    /// Like [`Jwt::decode`], and checks that `token_use` is `expected` when the claim is present.
    pub fn decode_as(
        token: impl Into<SecretString>,
        expected: TokenUseClaim,
    ) -> Result<Self, TokenError> {
        let jwt = Jwt::decode(token)?;
        match &jwt.claims.token_use {
            Some(use_) if *use_ != expected => Err(TokenError::WrongTokenUse { expected }),
            _ => Ok(jwt),
        }
    }

    /// The compact token, as sent to Cognito.
    pub fn token(&self) -> &SecretString {
        &self.raw
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The claims.
    pub fn claims(&self) -> &UnverifiedClaims {
        &self.claims
    }

    /// `exp`, seconds since the Unix epoch on the server's clock.
    pub fn expiration(&self) -> i64 {
        self.claims.exp
    }

    /// `iat`, seconds since the Unix epoch on the server's clock.
    pub fn issued_at(&self) -> Option<i64> {
        self.claims.iat
    }
}

fn decode_object(segment: &str, which: Segment) -> Result<Map<String, Value>, TokenError> {
    let bytes = zeroize::Zeroizing::new(
        URL_SAFE_NO_PAD_INDIFFERENT
            .decode(segment)
            .map_err(|_| TokenError::InvalidBase64(which))?,
    );
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::InvalidJson(which)),
    }
}
