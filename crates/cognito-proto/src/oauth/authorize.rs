//! The authorization request (the URL the browser opens) and its redirect back.

use http::Response;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq as _;

use super::pkce::{PkceVerifier, random_text};
use super::tokens::{OAuthTokens, parse_token_response};
use super::{ErrorCode, ErrorResponse, OAuthClient, OAuthError, form, join_scopes};
use crate::secret::SecretString;

/// Builds an authorization request; see [`OAuthClient::authorize`].
#[derive(Debug)]
#[must_use]
pub struct AuthorizeBuilder<'a> {
    client: &'a OAuthClient,
    redirect_uri: String,
    scopes: Vec<String>,
    identity_provider: Option<String>,
    login_hint: Option<String>,
    lang: Option<String>,
    nonce: bool,
}

impl<'a> AuthorizeBuilder<'a> {
    pub(crate) fn new(client: &'a OAuthClient, redirect_uri: String) -> Self {
        AuthorizeBuilder {
            client,
            redirect_uri,
            scopes: Vec::new(),
            identity_provider: None,
            login_hint: None,
            lang: None,
            nonce: true,
        }
    }

    /// Ask for these scopes (`openid`, `email`, `profile`, `phone`,
    /// `aws.cognito.signin.user.admin`, `resource/scope`). None: every scope the client is
    /// allowed. Without `openid` no ID token comes back.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Skip the sign-in page's choice and go to this identity provider (`COGNITO` for the
    /// pool's own users).
    pub fn identity_provider(mut self, provider: impl Into<String>) -> Self {
        self.identity_provider = Some(provider.into());
        self
    }

    /// Pre-fill the username (forwarded to OpenID Connect providers).
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// The language of the hosted pages (`en`, `fr`, ...).
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// Whether to send a `nonce` (default: yes). The ID token must then carry it back, which
    /// stops a token of another sign-in being slipped in.
    pub fn nonce(mut self, send: bool) -> Self {
        self.nonce = send;
        self
    }

    /// The URL to open and the state to keep until the redirect comes back. The PKCE
    /// verifier (256 bits), `state` and `nonce` (192 bits each) come from `rng`. A scope
    /// with a space in it is dropped from the URL's `scope` parameter; check scopes with
    /// [`AuthorizeBuilder::try_build`] to have it refused instead.
    pub fn build<R: CryptoRng + ?Sized>(self, rng: &mut R) -> AuthorizationRequest {
        let scopes: Vec<String> = self
            .scopes
            .iter()
            .filter(|s| join_scopes(&[s.as_str()]).is_ok())
            .cloned()
            .collect();
        self.assemble(scopes, rng)
    }

    /// Like [`AuthorizeBuilder::build`], but refuses an empty scope or one holding a space.
    pub fn try_build<R: CryptoRng + ?Sized>(
        self,
        rng: &mut R,
    ) -> Result<AuthorizationRequest, OAuthError> {
        join_scopes(&self.scopes)?;
        let scopes = self.scopes.clone();
        Ok(self.assemble(scopes, rng))
    }

    fn assemble<R: CryptoRng + ?Sized>(
        self,
        scopes: Vec<String>,
        rng: &mut R,
    ) -> AuthorizationRequest {
        let verifier = PkceVerifier::generate(rng);
        let state = random_text(rng, 24);
        let nonce = self.nonce.then(|| random_text(rng, 24));
        let challenge = verifier.challenge();
        let scope = scopes.join(" ");
        let mut pairs: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", self.client.client_id()),
            ("redirect_uri", &self.redirect_uri),
            ("state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        if !scope.is_empty() {
            pairs.push(("scope", &scope));
        }
        if let Some(nonce) = &nonce {
            pairs.push(("nonce", nonce));
        }
        if let Some(idp) = &self.identity_provider {
            pairs.push(("identity_provider", idp));
        }
        if let Some(hint) = &self.login_hint {
            pairs.push(("login_hint", hint));
        }
        if let Some(lang) = &self.lang {
            pairs.push(("lang", lang));
        }
        let url = format!(
            "{}?{}",
            self.client.endpoints().authorize_url(),
            form(&pairs)
        );
        AuthorizationRequest {
            url,
            pending: PendingAuthorization {
                client_id: self.client.client_id().to_owned(),
                redirect_uri: self.redirect_uri,
                state,
                nonce,
                verifier,
                scopes,
            },
        }
    }
}

/// An authorization to start: open [`AuthorizationRequest::url`] in the user's browser and
/// keep [`AuthorizationRequest::pending`] for the redirect.
#[derive(Debug)]
#[must_use]
pub struct AuthorizationRequest {
    /// The `/oauth2/authorize` URL with every parameter.
    pub url: String,
    /// What the redirect is checked against and the code exchange needs.
    pub pending: PendingAuthorization,
}

/// An authorization waiting for its redirect: the redirect URI, `state`, `nonce` and PKCE
/// verifier. Serde, so that a web backend can keep it server-side between the request that
/// sent the user away and the one that brings them back; it holds the verifier, so keep it
/// where the user cannot read it (not in a plain cookie).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingAuthorization {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: Option<String>,
    verifier: PkceVerifier,
    scopes: Vec<String>,
}

/// The `code` of a successful redirect, for [`OAuthClient::exchange_code`]. Single-use and
/// short-lived; redacted in `Debug`.
#[derive(Clone, Debug)]
pub struct AuthorizationCode(SecretString);

impl AuthorizationCode {
    /// A code received some other way.
    pub fn new(code: impl Into<SecretString>) -> Self {
        AuthorizationCode(code.into())
    }

    /// The code.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PendingAuthorization {
    /// The app client that started the authorization.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI sent to `/oauth2/authorize` (sent again in the code exchange).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The `state` sent.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` sent, if any.
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// The PKCE verifier.
    pub fn verifier(&self) -> &PkceVerifier {
        &self.verifier
    }

    /// The scopes asked for (empty: all the client's).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Read the redirect back: `callback` is the full URL the browser was sent to, or only
    /// its path and query (`/callback?code=…&state=…`, what a loopback listener receives). It
    /// must be at the redirect URI and carry this authorization's `state`.
    ///
    /// Returns the code, [`OAuthError::Server`] when the server redirected with `error=`
    /// (the user cancelled, the scope was refused, ...), [`OAuthError::StateMismatch`] for
    /// another sign-in's redirect.
    pub fn callback(&self, callback: &str) -> Result<AuthorizationCode, OAuthError> {
        let callback = callback.split('#').next().unwrap_or_default();
        let (location, query) = callback.split_once('?').unwrap_or((callback, ""));
        let expected = self
            .redirect_uri
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        let at_redirect = if location.starts_with('/') {
            path_of(expected) == location
        } else {
            location == expected || same_origin_and_path(location, expected)
        };
        if !at_redirect {
            return Err(OAuthError::BadCallback("it is not at the redirect URI"));
        }
        self.callback_query(query)
    }

    /// Like [`PendingAuthorization::callback`], given only the redirect's query string.
    pub fn callback_query(&self, query: &str) -> Result<AuthorizationCode, OAuthError> {
        let (mut code, mut state, mut error, mut description) = (None, None, None, None);
        for (name, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut code,
                "state" => &mut state,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(OAuthError::BadCallback("a parameter appears twice"));
            }
        }
        let state_matches = state
            .as_deref()
            .is_some_and(|s| bool::from(s.as_bytes().ct_eq(self.state.as_bytes())));
        if let Some(error) = error {
            // An error without any state is still the server's answer; one with another
            // sign-in's state is not ours to report.
            if state.is_some() && !state_matches {
                return Err(OAuthError::StateMismatch);
            }
            return Err(OAuthError::Server(ErrorResponse {
                code: ErrorCode::from_code(&error),
                description,
                status: 0,
            }));
        }
        if !state_matches {
            return Err(OAuthError::StateMismatch);
        }
        match code {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode(SecretString::new(code))),
            _ => Err(OAuthError::MissingCode),
        }
    }

    /// Read the code exchange's response (received at local time `now`) and check it
    /// against this authorization: the ID token (present whenever `openid` was asked for, or
    /// no scope at all and one came back) must be for this app client and carry this
    /// authorization's `nonce`.
    ///
    /// The ID token's signature is not checked here: it came straight from the token endpoint
    /// over the TLS connection the client opened, which OpenID Connect accepts in place of the
    /// signature for the code flow. A service that passes the token on verifies it with
    /// `cognito-jwt`.
    pub fn finish(
        &self,
        response: &Response<impl AsRef<[u8]>>,
        now: u64,
    ) -> Result<OAuthTokens, OAuthError> {
        let tokens = parse_token_response(response, now)?;
        self.check(&tokens)?;
        Ok(tokens)
    }

    /// The checks of [`PendingAuthorization::finish`] on tokens already parsed.
    pub fn check(&self, tokens: &OAuthTokens) -> Result<(), OAuthError> {
        let Some(id_token) = tokens.id_token() else {
            if self.scopes.iter().any(|s| s == "openid") {
                return Err(OAuthError::MissingIdToken);
            }
            return Ok(());
        };
        let claims = id_token.claims();
        if !claims.aud.iter().any(|a| a == &self.client_id) {
            return Err(OAuthError::WrongAudience);
        }
        if let Some(sent) = &self.nonce {
            let back = claims.get_str("nonce").unwrap_or_default();
            if !bool::from(back.as_bytes().ct_eq(sent.as_bytes())) {
                return Err(OAuthError::NonceMismatch);
            }
        }
        Ok(())
    }
}

/// The path of an absolute URL (`/` when it has none).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    match rest.find('/') {
        Some(i) => &rest[i..],
        None => "/",
    }
}

/// Scheme and host compared without case (they are case-insensitive), the rest exactly.
fn same_origin_and_path(a: &str, b: &str) -> bool {
    let split = |u: &str| -> Option<(String, String)> {
        let (scheme, rest) = u.split_once("://")?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        Some((
            format!("{}://{}", scheme, authority).to_ascii_lowercase(),
            path.to_owned(),
        ))
    };
    match (split(a), split(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
