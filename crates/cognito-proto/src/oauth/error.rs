//! Errors of the OAuth endpoints: the RFC 6749 error responses the server sends, and what the
//! client finds wrong with a redirect or a response.

use std::borrow::Cow;
use std::fmt;

use crate::error::RawBody;
use crate::session::TokenError;

/// An RFC 6749 (and RFC 6750, RFC 7009, OpenID Connect) error code. An unknown code is kept as
/// [`ErrorCode::Other`], never a parse failure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest,
    /// `invalid_client`: unknown client, or the client secret is wrong or missing.
    InvalidClient,
    /// `invalid_grant`: the code or refresh token is unknown, used, expired or revoked, the
    /// redirect URI differs, or the PKCE verifier does not match.
    InvalidGrant,
    /// `unauthorized_client`: the app client may not use this flow.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `invalid_scope`: a scope is unknown or not allowed for the client.
    InvalidScope,
    /// `access_denied`: the user or the server refused the authorization.
    AccessDenied,
    /// `unsupported_response_type`.
    UnsupportedResponseType,
    /// `server_error`: the authorization server failed.
    ServerError,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// `login_required` (`prompt=none` without a signed-in session).
    LoginRequired,
    /// `unsupported_token_type` (revocation of something that is not a refresh token).
    UnsupportedTokenType,
    /// `invalid_token` (userInfo with an expired or revoked access token).
    InvalidToken,
    /// `redirect_mismatch`: the redirect URI is not registered for the client (Cognito's error
    /// page, never a redirect).
    RedirectMismatch,
    /// Any other code, as sent.
    Other(String),
}

impl ErrorCode {
    /// The code for a wire value.
    pub fn from_code(code: &str) -> Self {
        match code {
            "invalid_request" => ErrorCode::InvalidRequest,
            "invalid_client" => ErrorCode::InvalidClient,
            "invalid_grant" => ErrorCode::InvalidGrant,
            "unauthorized_client" => ErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => ErrorCode::UnsupportedGrantType,
            "invalid_scope" => ErrorCode::InvalidScope,
            "access_denied" => ErrorCode::AccessDenied,
            "unsupported_response_type" => ErrorCode::UnsupportedResponseType,
            "server_error" => ErrorCode::ServerError,
            "temporarily_unavailable" => ErrorCode::TemporarilyUnavailable,
            "login_required" => ErrorCode::LoginRequired,
            "unsupported_token_type" => ErrorCode::UnsupportedTokenType,
            "invalid_token" => ErrorCode::InvalidToken,
            "redirect_mismatch" => ErrorCode::RedirectMismatch,
            other => ErrorCode::Other(other.to_owned()),
        }
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::RedirectMismatch => "redirect_mismatch",
            ErrorCode::Other(code) => code,
        }
    }
}

/// An error the authorization server sent: in a JSON body (token, revocation, userInfo), in a
/// `WWW-Authenticate` header (userInfo), or in the query of a redirect (authorization).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// `error`.
    pub code: ErrorCode,
    /// `error_description`, when sent.
    pub description: Option<String>,
    /// The HTTP status; 0 for an error that arrived in a redirect.
    pub status: u16,
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())?;
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            write!(f, ": {d}")?;
        }
        if self.status != 0 {
            write!(f, " (HTTP {})", self.status)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in an OAuth step of the core.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    /// The server refused with an RFC 6749 error.
    Server(ErrorResponse),
    /// The redirect's `state` is missing or is not the one this authorization sent: the
    /// redirect belongs to another sign-in, or was forged.
    StateMismatch,
    /// The redirect carries neither `code` nor `error`.
    MissingCode,
    /// The redirect is not a URL at the registered redirect URI, or repeats a parameter.
    BadCallback(&'static str),
    /// The ID token's `nonce` is missing or is not the one this authorization sent (a token
    /// replayed from another sign-in).
    NonceMismatch,
    /// The ID token was issued for another app client (`aud`).
    WrongAudience,
    /// The flow asked for `openid` but the response has no ID token.
    MissingIdToken,
    /// A token in the response cannot be decoded.
    Token(TokenError),
    /// The response does not follow the protocol (not JSON, a required member missing, an
    /// HTML page from a proxy).
    Protocol {
        /// The endpoint (`oauth2/token`).
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
        /// What was wrong, without any secret.
        reason: String,
        /// The raw body (its `Debug` shows the length only; wiped on drop).
        body: RawBody,
    },
    /// The grant needs the app client's secret (client credentials) and none is configured.
    MissingClientSecret,
    /// The caller passed invalid input (a domain URL that is not http or https, ...).
    InvalidInput(Cow<'static, str>),
}

impl OAuthError {
    /// The server's error code, when the server refused.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            OAuthError::Server(e) => Some(&e.code),
            _ => None,
        }
    }

    /// The HTTP status of the response, when a response caused the error.
    pub fn status(&self) -> Option<u16> {
        match self {
            OAuthError::Server(e) if e.status != 0 => Some(e.status),
            OAuthError::Protocol { status, .. } if *status != 0 => Some(*status),
            _ => None,
        }
    }

    /// Whether the same request may succeed later: `server_error`, `temporarily_unavailable`
    /// and HTTP 429, 500, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        let transient = |status: u16| matches!(status, 429 | 500 | 502 | 503 | 504);
        match self {
            OAuthError::Server(e) => {
                matches!(
                    e.code,
                    ErrorCode::ServerError | ErrorCode::TemporarilyUnavailable
                ) || transient(e.status)
            }
            OAuthError::Protocol { status, .. } => transient(*status),
            _ => false,
        }
    }

    pub(crate) fn protocol(endpoint: &'static str, status: u16, reason: &str, body: &[u8]) -> Self {
        OAuthError::Protocol {
            endpoint,
            status,
            reason: reason.to_owned(),
            body: RawBody::new(body.to_vec()),
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::Server(e) => write!(f, "the authorization server refused: {e}"),
            OAuthError::StateMismatch => f.write_str(
                "the redirect's state is not the one this sign-in sent (another sign-in's redirect, or a forged one)",
            ),
            OAuthError::MissingCode => f.write_str("the redirect has neither a code nor an error"),
            OAuthError::BadCallback(why) => write!(f, "not a redirect of this sign-in: {why}"),
            OAuthError::NonceMismatch => {
                f.write_str("the ID token's nonce is not the one this sign-in sent")
            }
            OAuthError::WrongAudience => f.write_str("the ID token is for another app client"),
            OAuthError::MissingIdToken => {
                f.write_str("the openid scope was granted but no ID token came back")
            }
            OAuthError::Token(e) => write!(f, "a token in the response is malformed: {e}"),
            OAuthError::Protocol {
                endpoint,
                status,
                reason,
                ..
            } => write!(f, "unexpected response from {endpoint} (HTTP {status}): {reason}"),
            OAuthError::MissingClientSecret => {
                f.write_str("this grant needs the app client's secret, and none is configured")
            }
            OAuthError::InvalidInput(what) => write!(f, "invalid input: {what}"),
        }
    }
}

impl std::error::Error for OAuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OAuthError::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TokenError> for OAuthError {
    fn from(e: TokenError) -> Self {
        OAuthError::Token(e)
    }
}
