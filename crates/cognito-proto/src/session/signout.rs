//! Sign-out requests (docs/protocol.md#22-authentication; known client bug docs/protocol.md#pitfall-24).
//!
//! Local state after any sign-out: the user's tokens are cleared
//! ([`super::SessionRecord::clear_tokens`], [`super::SessionStore::clear_tokens`]) and the
//! refresh gate reset ([`super::RefreshGate::reset`]), **whatever the request's outcome**: a
//! revocation that fails (network, throttling) must not leave the user signed in locally. The
//! remembered device is kept, so the next sign-in can skip MFA.

use http::Response;

use super::to_ops;
use super::tokens::TokenSet;
use crate::config::ClientConfig;
use crate::envelope::{self, Endpoint, PreparedRequest};
use crate::error::CoreError;
use crate::ops::{GlobalSignOut, RevokeToken};

/// Local sign-out: the `RevokeToken` request for the refresh token when the tokens are
/// revocable (the access token has `origin_jti`, i.e. the app client has token revocation
/// enabled) and a refresh token is held; `None` otherwise, in which case there is nothing to
/// send and only local state is cleared. `ClientSecret` goes with it when the client has one.
pub fn sign_out(
    config: &ClientConfig,
    endpoint: &Endpoint,
    tokens: &TokenSet,
) -> Option<PreparedRequest> {
    tokens.access_token().claims().origin_jti.as_ref()?;
    let refresh_token = tokens.refresh_token()?;
    let op = RevokeToken {
        token: to_ops(refresh_token),
        client_id: config.client_id().to_owned(),
        client_secret: config.client_secret().map(to_ops),
        revoke_associated_sessions: None,
    };
    Some(envelope::encode(endpoint, &op))
}

/// Global sign-out: `GlobalSignOut` with the access token, which revokes every refresh token
/// of the user (all devices and browsers). Refresh the tokens first if the access token has
/// expired: the call needs a valid one.
pub fn global_sign_out(endpoint: &Endpoint, tokens: &TokenSet) -> PreparedRequest {
    let op = GlobalSignOut {
        access_token: to_ops(tokens.access_token().token()),
    };
    envelope::encode(endpoint, &op)
}

/// Decodes the answer to [`sign_out`]'s request.
pub fn handle_revoke_response(response: &Response<Vec<u8>>) -> Result<(), CoreError> {
    envelope::decode::<RevokeToken>(response).map(|_| ())
}

/// Decodes the answer to [`global_sign_out`]'s request.
pub fn handle_global_sign_out_response(response: &Response<Vec<u8>>) -> Result<(), CoreError> {
    envelope::decode::<GlobalSignOut>(response).map(|_| ())
}
