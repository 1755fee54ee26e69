//! OAuth 2.0 and OpenID Connect with a user pool's domain: the hosted sign-in (authorization
//! code with PKCE), refresh through the token endpoint, client credentials, revocation,
//! userInfo and the logout URL. Sans-IO like the rest of the core: every call returns a URL
//! or a [`PreparedRequest`] to send, and parses the response the caller hands back. The
//! random PKCE verifier, `state` and `nonce` come from the caller's RNG, and times are passed
//! in.
//!
//! ```
//! use cognito_proto::oauth::{OAuthClient, OAuthEndpoints};
//! # use rand_core::SeedableRng;
//! # let mut rng = chacha20::ChaCha20Rng::seed_from_u64(7);
//!
//! let endpoints = OAuthEndpoints::new("https://example.auth.eu-west-1.amazoncognito.com")?;
//! let client = OAuthClient::new(endpoints, "4l2k0example0client0id00ab");
//! let request = client
//!     .authorize("http://127.0.0.1:8400/callback")
//!     .scopes(["openid", "email"])
//!     .build(&mut rng);
//! assert!(request.url.starts_with("https://example.auth.eu-west-1.amazoncognito.com/oauth2/authorize?"));
//! assert!(request.url.contains("code_challenge_method=S256"));
//!
//! // The browser comes back to the redirect URI with `code` and `state`:
//! let pending = request.pending;
//! let callback = format!("http://127.0.0.1:8400/callback?code=abc&state={}", pending.state());
//! let code = pending.callback(&callback)?;
//! let exchange = client.exchange_code(&pending, &code)?;
//! assert_eq!(exchange.request.uri(), "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token");
//! // ... send `exchange.request`, then `pending.finish(&response, now)` checks the nonce.
//!
//! // A forged redirect (another state) is refused:
//! assert!(pending.callback("http://127.0.0.1:8400/callback?code=abc&state=forged").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Token calls are written here rather than on the `oauth2` crate: that crate draws its PKCE
//! verifiers and CSRF tokens from the OS (which the core never does), runs the HTTP exchange
//! through a callback instead of handing out request values, and knows none of Cognito's
//! particulars (string-valued `*_verified` claims in userInfo, the `logout` endpoint, client
//! authentication on revocation).

mod authorize;
mod error;
mod pkce;
mod tokens;
mod userinfo;

pub use authorize::{
    AuthorizationCode, AuthorizationRequest, AuthorizeBuilder, PendingAuthorization,
};
pub use error::{ErrorCode, ErrorResponse, OAuthError};
pub use pkce::PkceVerifier;
pub use tokens::{OAuthTokens, parse_revoke_response, parse_token_response};
pub use userinfo::{UserInfo, parse_user_info_response};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Uri};

use crate::envelope::PreparedRequest;
use crate::secret::SecretString;

/// The content type of every request body sent to the token and revocation endpoints.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The endpoints of a user pool's domain: `https://<prefix>.auth.<region>.amazoncognito.com`,
/// a custom domain, or an emulator's hosted pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthEndpoints {
    base: String,
}

impl OAuthEndpoints {
    /// The domain at `base_url` (`https://auth.example.com`, or a path prefix such as
    /// `http://127.0.0.1:9229/_hosted/example`): absolute http or https, no query or fragment.
    /// A trailing `/` is dropped.
    pub fn new(base_url: &str) -> Result<Self, OAuthError> {
        let base = base_url.trim().trim_end_matches('/');
        let uri: Uri = base
            .parse()
            .map_err(|_| OAuthError::InvalidInput("the domain is not a valid URL".into()))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(OAuthError::InvalidInput(
                "the domain URL must start with http:// or https://".into(),
            ));
        }
        if uri.authority().is_none_or(|a| a.host().is_empty())
            || uri.query().is_some()
            || base.contains('#')
        {
            return Err(OAuthError::InvalidInput(
                "the domain URL needs a host and no query or fragment".into(),
            ));
        }
        Ok(OAuthEndpoints {
            base: base.to_owned(),
        })
    }

    /// The prefix domain `https://<prefix>.auth.<region>.amazoncognito.com`.
    pub fn for_prefix_domain(prefix: &str, region: &str) -> Result<Self, OAuthError> {
        let ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !ok(prefix) || !ok(region) {
            return Err(OAuthError::InvalidInput(
                "a domain prefix and a region are lowercase letters, digits and '-'".into(),
            ));
        }
        Self::new(&format!("https://{prefix}.auth.{region}.amazoncognito.com"))
    }

    /// The domain's URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `/oauth2/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.base)
    }

    /// `/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base)
    }

    /// `/oauth2/userInfo`.
    pub fn user_info_url(&self) -> String {
        format!("{}/oauth2/userInfo", self.base)
    }

    /// `/oauth2/revoke`.
    pub fn revoke_url(&self) -> String {
        format!("{}/oauth2/revoke", self.base)
    }

    /// `/logout`.
    pub fn logout_url(&self) -> String {
        format!("{}/logout", self.base)
    }
}

/// An app client speaking to a domain's OAuth endpoints. A client with a secret
/// authenticates with HTTP Basic (`client_secret_basic`) on every token and revocation
/// request; a public client sends its `client_id` in the body.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    endpoints: OAuthEndpoints,
    client_id: String,
    client_secret: Option<SecretString>,
}

impl OAuthClient {
    /// A public client (no secret).
    pub fn new(endpoints: OAuthEndpoints, client_id: impl Into<String>) -> Self {
        OAuthClient {
            endpoints,
            client_id: client_id.into(),
            client_secret: None,
        }
    }

    /// The same client with its secret.
    pub fn with_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &OAuthEndpoints {
        &self.endpoints
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether a secret is configured.
    pub fn has_secret(&self) -> bool {
        self.client_secret.is_some()
    }

    /// Start an authorization-code sign-in with PKCE, redirecting back to `redirect_uri`
    /// (registered among the client's callback URLs).
    pub fn authorize(&self, redirect_uri: impl Into<String>) -> AuthorizeBuilder<'_> {
        AuthorizeBuilder::new(self, redirect_uri.into())
    }

    /// The code exchange (`grant_type=authorization_code`) for `code`, with the redirect URI
    /// and PKCE verifier of `pending`. Not idempotent: a code is single-use, so the request
    /// is never retried after it may have reached the server.
    pub fn exchange_code(
        &self,
        pending: &PendingAuthorization,
        code: &AuthorizationCode,
    ) -> Result<PreparedRequest, OAuthError> {
        if pending.client_id() != self.client_id {
            return Err(OAuthError::InvalidInput(
                "this authorization was started by another app client".into(),
            ));
        }
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &self.client_id),
            ("code", code.expose_secret()),
            ("redirect_uri", pending.redirect_uri()),
            ("code_verifier", pending.verifier().expose_secret()),
        ]);
        self.token_request("oauth2/token", self.endpoints.token_url(), body, false)
    }

    /// New tokens for a refresh token (`grant_type=refresh_token`). Not idempotent: an app
    /// client that rotates refresh tokens invalidates the old one.
    pub fn refresh(&self, refresh_token: &SecretString) -> Result<PreparedRequest, OAuthError> {
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &self.client_id),
            ("refresh_token", refresh_token.expose_secret()),
        ]);
        self.token_request("oauth2/token", self.endpoints.token_url(), body, false)
    }

    /// An access token for the client itself (`grant_type=client_credentials`), with custom
    /// `scopes` of the pool's resource servers (`orders/read`); none means every scope the
    /// client is allowed. Needs the client secret. Idempotent: asking twice only mints two
    /// tokens.
    pub fn client_credentials<S: AsRef<str>>(
        &self,
        scopes: &[S],
    ) -> Result<PreparedRequest, OAuthError> {
        if self.client_secret.is_none() {
            return Err(OAuthError::MissingClientSecret);
        }
        let scope = join_scopes(scopes)?;
        let mut pairs = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
        ];
        if !scope.is_empty() {
            pairs.push(("scope", &scope));
        }
        self.token_request(
            "oauth2/token",
            self.endpoints.token_url(),
            form(&pairs),
            true,
        )
    }

    /// Revoke a refresh token and the tokens issued from it (`/oauth2/revoke`). Idempotent:
    /// revoking twice is harmless.
    pub fn revoke(&self, refresh_token: &SecretString) -> Result<PreparedRequest, OAuthError> {
        let body = form(&[
            ("token", refresh_token.expose_secret()),
            ("client_id", &self.client_id),
        ]);
        self.token_request("oauth2/revoke", self.endpoints.revoke_url(), body, true)
    }

    /// The user's claims for an access token with the `openid` scope (`GET /oauth2/userInfo`).
    pub fn user_info(&self, access_token: &SecretString) -> Result<PreparedRequest, OAuthError> {
        let request = Request::builder()
            .method(Method::GET)
            .uri(self.endpoints.user_info_url())
            .header(ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|_| OAuthError::InvalidInput("the userInfo URL is not valid".into()))?;
        let mut prepared = PreparedRequest {
            operation: "oauth2/userInfo",
            idempotent: true,
            request,
        };
        let bearer = sensitive(&format!("Bearer {}", access_token.expose_secret()))?;
        prepared.request.headers_mut().insert(AUTHORIZATION, bearer);
        Ok(prepared)
    }

    /// The URL that signs the user out of the hosted pages (their session cookie) and then
    /// redirects to `logout_uri`, one of the client's sign-out URLs. The tokens the app holds
    /// stay valid until they expire or are revoked ([`OAuthClient::revoke`]).
    pub fn logout_url(&self, logout_uri: &str) -> String {
        format!(
            "{}?{}",
            self.endpoints.logout_url(),
            form(&[("client_id", &self.client_id), ("logout_uri", logout_uri)])
        )
    }

    fn token_request(
        &self,
        operation: &'static str,
        url: String,
        body: String,
        idempotent: bool,
    ) -> Result<PreparedRequest, OAuthError> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(CONTENT_TYPE, FORM_CONTENT_TYPE)
            .header(ACCEPT, "application/json")
            .body(body.into_bytes())
            .map_err(|_| OAuthError::InvalidInput("the endpoint URL is not valid".into()))?;
        let mut prepared = PreparedRequest {
            operation,
            idempotent,
            request,
        };
        if let Some(secret) = &self.client_secret {
            // Cognito reads `client_id:client_secret` as sent (its ids and secrets are
            // alphanumeric), the way its own SDKs and the AWS examples build the header.
            let mut pair = format!("{}:{}", self.client_id, secret.expose_secret());
            let basic = format!("Basic {}", BASE64.encode(pair.as_bytes()));
            zeroize::Zeroize::zeroize(&mut pair);
            let value = sensitive(&basic)?;
            prepared.request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(prepared)
    }
}

/// A header value that `http`'s `Debug` prints as `Sensitive`, so a logged request never
/// shows the credential.
fn sensitive(text: &str) -> Result<HeaderValue, OAuthError> {
    let mut value = HeaderValue::from_str(text)
        .map_err(|_| OAuthError::InvalidInput("a credential is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// `application/x-www-form-urlencoded` text of `pairs`.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// Scopes joined by spaces; a scope holding a space or a control character is refused, since
/// it would read as two.
pub(crate) fn join_scopes<S: AsRef<str>>(scopes: &[S]) -> Result<String, OAuthError> {
    let mut joined = String::new();
    for scope in scopes {
        let scope = scope.as_ref();
        if scope.is_empty() || scope.chars().any(|c| c == ' ' || c.is_control()) {
            return Err(OAuthError::InvalidInput(
                "a scope is non-empty and holds no space or control character".into(),
            ));
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(scope);
    }
    Ok(joined)
}
