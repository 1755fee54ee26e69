//! The userInfo endpoint's answer.

use http::Response;
use serde_json::{Map, Value};

use super::OAuthError;
use super::tokens::error_of;

/// The user's claims from `/oauth2/userInfo`, narrowed by the access token's scopes.
/// Cognito sends `email_verified` and `phone_number_verified` as the strings `"true"` and
/// `"false"`; [`UserInfo::email_verified`] reads either form. `Debug` prints the claim names
/// only: the values are personal data.
#[derive(Clone, PartialEq)]
pub struct UserInfo {
    claims: Map<String, Value>,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo")
            .field("names", &self.claims.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl UserInfo {
    /// `sub`.
    pub fn sub(&self) -> Option<&str> {
        self.get_str("sub")
    }

    /// `username`: Cognito's internal username.
    pub fn username(&self) -> Option<&str> {
        self.get_str("username")
    }

    /// `email`.
    pub fn email(&self) -> Option<&str> {
        self.get_str("email")
    }

    /// `email_verified`, from a JSON boolean or Cognito's string.
    pub fn email_verified(&self) -> Option<bool> {
        self.get_bool("email_verified")
    }

    /// `phone_number_verified`, from a JSON boolean or Cognito's string.
    pub fn phone_number_verified(&self) -> Option<bool> {
        self.get_bool("phone_number_verified")
    }

    /// A claim as a string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A claim that is a boolean or the string `"true"`/`"false"`.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.claims.get(name)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Every claim.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}

/// Parse the userInfo endpoint's answer: the claims on 2xx; on an error, the typed error from
/// the JSON body or the `WWW-Authenticate` header (`invalid_token` for an expired or revoked
/// access token).
pub fn parse_user_info_response(
    response: &Response<impl AsRef<[u8]>>,
) -> Result<UserInfo, OAuthError> {
    const ENDPOINT: &str = "oauth2/userInfo";
    if !response.status().is_success() {
        return Err(error_of(ENDPOINT, response));
    }
    let body = response.body().as_ref();
    let claims: Map<String, Value> = serde_json::from_slice(body).map_err(|_| {
        OAuthError::protocol(
            ENDPOINT,
            response.status().as_u16(),
            "the body is not a JSON object",
            body,
        )
    })?;
    if !claims.get("sub").is_some_and(Value::is_string) {
        return Err(OAuthError::protocol(
            ENDPOINT,
            response.status().as_u16(),
            "the claims have no sub",
            body,
        ));
    }
    Ok(UserInfo { claims })
}
