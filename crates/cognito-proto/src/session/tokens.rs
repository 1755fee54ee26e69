//! The tokens of one signed-in user, with the clock drift measured when they arrived, and the
//! "still valid" / "refresh now" decisions (known client bug docs/protocol.md#pitfall-19).

use std::time::Duration;

use super::token::{Jwt, TokenError, TokenUseClaim};
use crate::secret::SecretString;

/// Default early-refresh margin: refresh when the tokens expire within 60 seconds.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The ID, access and (optional) refresh token of one user, and the clock drift.
///
/// The clock drift is measured as the JavaScript client does: `drift = now - iat`, in whole
/// seconds, where `now` is the local time the tokens were received and `iat` the smaller of the
/// two tokens' issue times (server clock). A local time `t` then corresponds to the server time
/// `t - drift`, so expiry decisions hold even when the local clock is off by minutes.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenSet {
    id_token: Jwt,
    access_token: Jwt,
    refresh_token: Option<SecretString>,
    clock_drift: i64,
}

impl TokenSet {
    /// Tokens received at local time `now` (seconds since the Unix epoch); the clock drift is
    /// measured from their `iat` (0 when neither token has one).
    ///
    /// Fails when a token is malformed, or when the ID token is an access token or the reverse.
    pub fn new(
        id_token: impl Into<SecretString>,
        access_token: impl Into<SecretString>,
        refresh_token: Option<SecretString>,
        now: u64,
    ) -> Result<Self, TokenError> {
        let id_token = Jwt::decode_as(id_token, TokenUseClaim::Id)?;
        let access_token = Jwt::decode_as(access_token, TokenUseClaim::Access)?;
        let clock_drift = measure_drift(&id_token, &access_token, now);
        Ok(TokenSet {
            id_token,
            access_token,
            refresh_token,
            clock_drift,
        })
    }

    /// The tokens of a sign-in's `AuthenticationResult`, received at local time `now`.
    /// (`NewDeviceMetadata` is the sign-in flow's business and is not read here.)
    pub fn from_authentication_result(
        result: &crate::ops::AuthenticationResult,
        now: u64,
    ) -> Result<Self, TokenError> {
        TokenSet::new(
            super::from_ops(&result.id_token),
            super::from_ops(&result.access_token),
            result.refresh_token.as_ref().map(super::from_ops),
            now,
        )
    }

    /// Tokens loaded from storage with the clock drift measured when they were received.
    pub fn with_clock_drift(
        id_token: impl Into<SecretString>,
        access_token: impl Into<SecretString>,
        refresh_token: Option<SecretString>,
        clock_drift: i64,
    ) -> Result<Self, TokenError> {
        Ok(TokenSet {
            id_token: Jwt::decode_as(id_token, TokenUseClaim::Id)?,
            access_token: Jwt::decode_as(access_token, TokenUseClaim::Access)?,
            refresh_token,
            clock_drift,
        })
    }

    /// The ID token.
    pub fn id_token(&self) -> &Jwt {
        &self.id_token
    }

    /// The access token.
    pub fn access_token(&self) -> &Jwt {
        &self.access_token
    }

    /// The refresh token (opaque), when there is one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// `local clock - server clock` in seconds, measured when the tokens were received.
    pub fn clock_drift(&self) -> i64 {
        self.clock_drift
    }

    /// Cognito's internal username: the access token's `username` claim, else the ID token's
    /// `cognito:username`. This is the username for `SECRET_HASH` on refresh (protocol docs/protocol.md#48-secret_hash)
    /// and the key under which the session is stored.
    pub fn username(&self) -> Option<&str> {
        self.access_token.claims().username.as_deref().or(self
            .id_token
            .claims()
            .cognito_username
            .as_deref())
    }

    /// The user's `sub` (UUID), from the ID token, else the access token.
    pub fn sub(&self) -> Option<&str> {
        self.id_token
            .claims()
            .sub
            .as_deref()
            .or(self.access_token.claims().sub.as_deref())
    }

    /// The access token's `device_key` claim: the tracked device these tokens were issued for.
    pub fn device_key(&self) -> Option<&str> {
        self.access_token.claims().device_key.as_deref()
    }

    /// The earlier of the two tokens' `exp`, on the server's clock.
    pub fn expiration(&self) -> i64 {
        self.id_token
            .expiration()
            .min(self.access_token.expiration())
    }

    /// The local time (seconds since the Unix epoch) at which the tokens expire:
    /// `min(exp) + drift`.
    pub fn expires_at_local(&self) -> i64 {
        self.expiration().saturating_add(self.clock_drift)
    }

    /// The local time from which [`TokenSet::needs_refresh`] is true for this `margin`.
    pub fn refresh_due_at(&self, margin: Duration) -> i64 {
        self.expires_at_local().saturating_sub(secs(margin))
    }

    /// Whether both tokens are still valid `margin` after `now`, correcting for the clock
    /// drift: `now - drift + margin < exp` for the ID and the access token. With a zero margin
    /// this is the JavaScript client's `isValid()`.
    pub fn is_valid(&self, now: u64, margin: Duration) -> bool {
        let server_now = i64::try_from(now)
            .unwrap_or(i64::MAX)
            .saturating_sub(self.clock_drift);
        server_now.saturating_add(secs(margin)) < self.expiration()
    }

    /// Whether to refresh now: the tokens expire within `margin` of `now` (or have expired).
    /// Use [`DEFAULT_REFRESH_MARGIN`] unless you have a reason not to. Whether a refresh is
    /// *possible* is a separate question: see [`TokenSet::refresh_token`].
    pub fn needs_refresh(&self, now: u64, margin: Duration) -> bool {
        !self.is_valid(now, margin)
    }

    /// The tokens after a successful refresh received at `now`: new ID and access tokens, the
    /// new refresh token when the server rotated it, else the old one (known client bug docs/protocol.md#pitfall-21), and the
    /// clock drift measured again.
    pub fn refreshed(
        &self,
        id_token: impl Into<SecretString>,
        access_token: impl Into<SecretString>,
        new_refresh_token: Option<SecretString>,
        now: u64,
    ) -> Result<Self, TokenError> {
        let refresh_token = new_refresh_token.or_else(|| self.refresh_token.clone());
        TokenSet::new(id_token, access_token, refresh_token, now)
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

fn measure_drift(id: &Jwt, access: &Jwt, now: u64) -> i64 {
    let iat = match (id.issued_at(), access.issued_at()) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return 0,
    };
    i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(iat)
}
