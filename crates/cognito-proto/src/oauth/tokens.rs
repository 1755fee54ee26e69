//! Responses of the token and revocation endpoints.

use std::time::Duration;

use http::Response;
use serde::Deserialize;

use super::{ErrorCode, ErrorResponse, OAuthError};
use crate::secret::SecretString;
use crate::session::{Jwt, TokenSet, TokenUseClaim as TokenUse};

/// What the token endpoint returned: an access token, an ID token when `openid` was granted,
/// a refresh token for the authorization-code grant (and for refresh under rotation), and the
/// lifetime. `Debug` redacts every token.
#[derive(Clone, Debug)]
pub struct OAuthTokens {
    access_token: Jwt,
    id_token: Option<Jwt>,
    refresh_token: Option<SecretString>,
    token_type: String,
    expires_in: u64,
    received_at: u64,
}

#[derive(Deserialize)]
struct RawTokens {
    access_token: SecretString,
    #[serde(default)]
    id_token: Option<SecretString>,
    #[serde(default)]
    refresh_token: Option<SecretString>,
    token_type: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl OAuthTokens {
    /// The access token (`token_use: access`, with the granted `scope`).
    pub fn access_token(&self) -> &Jwt {
        &self.access_token
    }

    /// The ID token, when `openid` was granted.
    pub fn id_token(&self) -> Option<&Jwt> {
        self.id_token.as_ref()
    }

    /// The refresh token, when one came back.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// `token_type` (`Bearer`).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// `expires_in`: the access token's lifetime in seconds.
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// Local time (seconds since the Unix epoch) at which the access token expires, measured
    /// from when the response arrived, so a skewed local clock does not matter.
    pub fn expires_at(&self) -> u64 {
        self.received_at.saturating_add(self.expires_in)
    }

    /// Whether the access token is still good at local time `now` for at least `margin`.
    pub fn is_valid(&self, now: u64, margin: Duration) -> bool {
        now.saturating_add(margin.as_secs()) < self.expires_at()
    }

    /// The granted scopes (the access token's `scope` claim).
    pub fn scopes(&self) -> Vec<&str> {
        self.access_token.claims().scopes().collect()
    }

    /// The tokens as a session (ID, access, refresh) for the session store, the clock drift
    /// measured from the local time they arrived. Needs the ID token (`openid`).
    pub fn to_token_set(&self) -> Result<TokenSet, OAuthError> {
        let id = self.id_token.as_ref().ok_or(OAuthError::MissingIdToken)?;
        Ok(TokenSet::new(
            id.token().clone(),
            self.access_token.token().clone(),
            self.refresh_token.clone(),
            self.received_at,
        )?)
    }

    /// The same tokens with the refresh token that was used to get them, for a refresh
    /// response without one (no rotation).
    pub fn keep_refresh_token(mut self, refresh_token: &SecretString) -> Self {
        if self.refresh_token.is_none() {
            self.refresh_token = Some(refresh_token.clone());
        }
        self
    }
}

/// Parse the token endpoint's answer, received at local time `now`: the tokens on 2xx, the
/// typed RFC 6749 error otherwise.
pub fn parse_token_response(
    response: &Response<impl AsRef<[u8]>>,
    now: u64,
) -> Result<OAuthTokens, OAuthError> {
    const ENDPOINT: &str = "oauth2/token";
    let status = response.status().as_u16();
    let body = response.body().as_ref();
    if !response.status().is_success() {
        return Err(error_of(ENDPOINT, response));
    }
    let raw: RawTokens = serde_json::from_slice(body).map_err(|e| {
        let reason = if e.is_data() {
            "the body is JSON but not a token response (a member is missing or has the wrong type)"
        } else {
            "the body is not JSON"
        };
        OAuthError::protocol(ENDPOINT, status, reason, body)
    })?;
    if !raw.token_type.eq_ignore_ascii_case("bearer") {
        return Err(OAuthError::protocol(
            ENDPOINT,
            status,
            "the token type is not Bearer",
            body,
        ));
    }
    let access_token = Jwt::decode_as(raw.access_token, TokenUse::Access)?;
    let id_token = raw
        .id_token
        .map(|t| Jwt::decode_as(t, TokenUse::Id))
        .transpose()?;
    // Without `expires_in`, the access token's own lifetime.
    let expires_in = raw.expires_in.unwrap_or_else(|| {
        let lifetime = access_token.expiration() - access_token.issued_at().unwrap_or(0);
        u64::try_from(lifetime).unwrap_or(0)
    });
    Ok(OAuthTokens {
        access_token,
        id_token,
        refresh_token: raw.refresh_token,
        token_type: raw.token_type,
        expires_in,
        received_at: now,
    })
}

/// Parse the revocation endpoint's answer: `Ok` on 2xx (also for a token that was already
/// revoked or unknown, as RFC 7009 wants), the typed error otherwise.
pub fn parse_revoke_response(response: &Response<impl AsRef<[u8]>>) -> Result<(), OAuthError> {
    if response.status().is_success() {
        Ok(())
    } else {
        Err(error_of("oauth2/revoke", response))
    }
}

/// The error of a non-2xx answer: the JSON body's `error`, else the `WWW-Authenticate`
/// header's, else a protocol error with the raw body.
pub(crate) fn error_of(
    endpoint: &'static str,
    response: &Response<impl AsRef<[u8]>>,
) -> OAuthError {
    let status = response.status().as_u16();
    let body = response.body().as_ref();
    if let Ok(raw) = serde_json::from_slice::<RawError>(body)
        && !raw.error.is_empty()
    {
        return OAuthError::Server(ErrorResponse {
            code: ErrorCode::from_code(&raw.error),
            description: raw.error_description,
            status,
        });
    }
    let challenge = response
        .headers()
        .get_all(http::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| auth_param(v, "error").map(|e| (e, auth_param(v, "error_description"))));
    if let Some((error, description)) = challenge {
        return OAuthError::Server(ErrorResponse {
            code: ErrorCode::from_code(&error),
            description,
            status,
        });
    }
    OAuthError::protocol(
        endpoint,
        status,
        "an error response without an OAuth error",
        body,
    )
}

/// The value of `name="value"` (or `name=value`) in a `WWW-Authenticate` challenge.
fn auth_param(header: &str, name: &str) -> Option<String> {
    let mut rest = header;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || matches!(rest.as_bytes()[i - 1], b' ' | b',');
        let after = &rest[i + name.len()..];
        if before_ok && let Some(value) = after.trim_start().strip_prefix('=') {
            let value = value.trim_start();
            return Some(match value.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default().to_owned(),
                None => value
                    .split([',', ' '])
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::auth_param;

    #[test]
    fn www_authenticate_params() {
        let h = r#"Bearer error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has globally signed out.""#;
        assert_eq!(auth_param(h, "error").as_deref(), Some("invalid_token"));
        assert_eq!(
            auth_param(h, "error_description").as_deref(),
            Some(
                "Access token is expired, disabled, or deleted, or the user has globally signed out."
            )
        );
        assert_eq!(
            auth_param("Bearer error=invalid_request", "error").as_deref(),
            Some("invalid_request")
        );
        assert_eq!(auth_param("Bearer realm=x", "error"), None);
    }
}
