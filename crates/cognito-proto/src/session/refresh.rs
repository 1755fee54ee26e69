//! Refresh requests and responses (docs/protocol.md#22-authentication, docs/protocol.md#31-auth-flows, docs/protocol.md#48-secret_hash, docs/protocol.md#55-refresh-rotation-revocation; known client bug docs/protocol.md#pitfall-17, docs/protocol.md#pitfall-20, docs/protocol.md#pitfall-21).

use std::collections::BTreeMap;

use http::Response;

use super::tokens::TokenSet;
use super::{from_ops, to_ops};
use crate::config::{ClientConfig, RememberedDevice};
use crate::envelope::{self, Endpoint, PreparedRequest};
use crate::error::{CoreError, ServiceErrorKind};
use crate::ops::{AuthFlow, AuthenticationResult, GetTokensFromRefreshToken, InitiateAuth};

/// Which call refreshes the tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RefreshMethod {
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`: works unless the app client rotates refresh
    /// tokens; `SECRET_HASH` over the internal username. Never returns a new refresh token.
    #[default]
    RefreshTokenAuth,
    /// `GetTokensFromRefreshToken`: the only call when the app client rotates refresh tokens;
    /// sends `ClientSecret` itself. Returns a new refresh token under rotation.
    GetTokensFromRefreshToken,
}

impl RefreshMethod {
    /// The operation name, as in `X-Amz-Target`.
    pub fn operation(self) -> &'static str {
        match self {
            RefreshMethod::RefreshTokenAuth => "InitiateAuth",
            RefreshMethod::GetTokensFromRefreshToken => "GetTokensFromRefreshToken",
        }
    }
}

/// What to do with the stored tokens after a failed refresh (known client bug docs/protocol.md#pitfall-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshErrorAction {
    /// The session is dead (refresh token expired or revoked, user gone, disabled, not
    /// confirmed, password reset required, rotated token reused): clear the tokens, keep the
    /// remembered device, and ask the user to sign in again.
    ClearTokens,
    /// Anything else (network failure, throttling, server error, misconfiguration, an
    /// unexpected response): keep the tokens; a later refresh may succeed.
    KeepTokens,
}

impl RefreshErrorAction {
    /// The action for an error of the core. Transport errors (which the core never sees)
    /// always mean [`RefreshErrorAction::KeepTokens`].
    pub fn for_error(error: &CoreError) -> Self {
        error
            .service_kind()
            .map_or(RefreshErrorAction::KeepTokens, RefreshErrorAction::for_kind)
    }

    /// The action for a service error kind.
    pub fn for_kind(kind: &ServiceErrorKind) -> Self {
        match kind {
            ServiceErrorKind::NotAuthorized
            | ServiceErrorKind::UserNotFound
            | ServiceErrorKind::UserNotConfirmed
            | ServiceErrorKind::PasswordResetRequired
            | ServiceErrorKind::RefreshTokenReuse => RefreshErrorAction::ClearTokens,
            _ => RefreshErrorAction::KeepTokens,
        }
    }

    /// Whether the tokens must be cleared.
    pub fn clears_tokens(self) -> bool {
        self == RefreshErrorAction::ClearTokens
    }
}

/// One refresh exchange: [`Refresh::start`] gives the request, [`Refresh::handle_response`]
/// turns the answer into new tokens.
#[derive(Clone, Debug)]
#[must_use]
pub struct Refresh {
    method: RefreshMethod,
    old: TokenSet,
}

impl Refresh {
    /// The refresh request for `tokens`, which must hold a refresh token.
    ///
    /// * `DEVICE_KEY` / `DeviceKey` is the device the tokens were issued for (known client bug docs/protocol.md#pitfall-17): the
    ///   access token's `device_key` claim, else the user's remembered device.
    /// * `REFRESH_TOKEN_AUTH` carries `SECRET_HASH` over the internal username (the access
    ///   token's `username`, docs/protocol.md#48-secret_hash) when the client has a secret; `GetTokensFromRefreshToken`
    ///   carries `ClientSecret` instead.
    /// * The `REFRESH_TOKEN_AUTH` request is marked idempotent (no single-use session, no
    ///   rotation), so a driver may retry it on throttling; `GetTokensFromRefreshToken` is not
    ///   (a rotated refresh token must not be spent twice, docs/protocol.md#16-retries).
    pub fn start(
        config: &ClientConfig,
        endpoint: &Endpoint,
        tokens: &TokenSet,
        remembered_device: Option<&RememberedDevice>,
        method: RefreshMethod,
    ) -> Result<(Refresh, PreparedRequest), CoreError> {
        let refresh_token = tokens
            .refresh_token()
            .ok_or_else(|| CoreError::misuse("these tokens have no refresh token"))?;
        let device_key = tokens
            .device_key()
            .or(remembered_device.map(|d| d.device_key.as_str()))
            .map(str::to_owned);
        let request = match method {
            RefreshMethod::RefreshTokenAuth => {
                let mut params = BTreeMap::new();
                params.insert(
                    "REFRESH_TOKEN".to_owned(),
                    refresh_token.expose_secret().clone(),
                );
                if config.client_secret().is_some() {
                    let username = tokens.username().ok_or_else(|| {
                        CoreError::invalid_input(
                            "tokens",
                            "the access token has no `username` claim to compute SECRET_HASH",
                        )
                    })?;
                    if let Some(hash) = config.secret_hash(username) {
                        params.insert("SECRET_HASH".to_owned(), hash);
                    }
                }
                if let Some(key) = device_key {
                    params.insert("DEVICE_KEY".to_owned(), key);
                }
                let op = InitiateAuth::new(AuthFlow::RefreshTokenAuth, config.client_id(), params);
                let mut request = envelope::encode(endpoint, &op);
                request.idempotent = true;
                request
            }
            RefreshMethod::GetTokensFromRefreshToken => {
                let op = GetTokensFromRefreshToken {
                    refresh_token: to_ops(refresh_token),
                    client_id: config.client_id().to_owned(),
                    client_secret: config.client_secret().map(to_ops),
                    device_key,
                    client_metadata: BTreeMap::new(),
                };
                envelope::encode(endpoint, &op)
            }
        };
        Ok((
            Refresh {
                method,
                old: tokens.clone(),
            },
            request,
        ))
    }

    /// The call this exchange uses.
    pub fn method(&self) -> RefreshMethod {
        self.method
    }

    /// Decodes the response received at local time `now` into the new tokens: a new refresh
    /// token when the server rotated it, else the old one (known client bug docs/protocol.md#pitfall-21); the clock drift
    /// measured again.
    ///
    /// On `Err`, ask [`RefreshErrorAction::for_error`] whether to clear the stored tokens.
    /// Tokens of another user than the old ones (different `sub` or username) are refused.
    pub fn handle_response(
        &self,
        response: &Response<Vec<u8>>,
        now: u64,
    ) -> Result<TokenSet, CoreError> {
        let op = self.method.operation();
        let result = match self.method {
            RefreshMethod::RefreshTokenAuth => {
                let out = envelope::decode::<InitiateAuth>(response)?;
                if let Some(challenge) = out.challenge_name {
                    return Err(CoreError::UnexpectedChallenge {
                        operation: op,
                        challenge,
                        reason: "a refresh is never challenged",
                    });
                }
                out.authentication_result
            }
            RefreshMethod::GetTokensFromRefreshToken => {
                envelope::decode::<GetTokensFromRefreshToken>(response)?.authentication_result
            }
        };
        let result = result.ok_or_else(|| CoreError::missing_member(op, "AuthenticationResult"))?;
        self.apply(op, result, now)
    }

    fn apply(
        &self,
        op: &'static str,
        result: AuthenticationResult,
        now: u64,
    ) -> Result<TokenSet, CoreError> {
        let AuthenticationResult {
            access_token,
            id_token,
            refresh_token,
            ..
        } = result;
        let new = self
            .old
            .refreshed(
                from_ops(&id_token),
                from_ops(&access_token),
                refresh_token.as_ref().map(from_ops),
                now,
            )
            .map_err(|error| CoreError::InvalidToken {
                operation: op,
                error,
            })?;
        let differs =
            |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(x), Some(y)) if x != y);
        if differs(self.old.sub(), new.sub()) || differs(self.old.username(), new.username()) {
            return Err(CoreError::invalid_member(
                op,
                "AuthenticationResult",
                "the tokens belong to another user",
            ));
        }
        Ok(new)
    }
}
