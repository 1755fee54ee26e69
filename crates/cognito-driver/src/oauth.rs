//! OAuth operations of the user-facing API as [`Task`]s (hosted sign-in, code exchange,
//! refresh through the token endpoint, client credentials, revocation, userInfo), and
//! [`ClientTokens`], the cache of client-credentials access tokens that renews a token
//! before it expires with one request however many callers ask at once.
//!
//! The requests and their parsing are the core's ([`cognito_proto::oauth`]); here they are
//! sent through the driver and their results stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cognito_proto::envelope::PreparedRequest;
use cognito_proto::oauth::{
    AuthorizationRequest, OAuthClient, OAuthError, OAuthTokens, PendingAuthorization, UserInfo,
    parse_revoke_response, parse_token_response, parse_user_info_response,
};
use cognito_proto::secret::SecretString;

use crate::error::Error;
use crate::pool::Ctx;
use crate::refresh::Signal;
use crate::settings::Settings;
use crate::task::{Response, Task, exchange, session};

/// Send the request `make` builds from the pool's OAuth client and parse its answer.
fn oauth_call<T, M, P>(make: M, parse: P) -> impl Task<Output = T>
where
    T: Send + 'static,
    M: FnOnce(&OAuthClient) -> Result<PreparedRequest, OAuthError> + Send + 'static,
    P: FnOnce(&Ctx<'_>, &http::Response<Vec<u8>>) -> Result<T, Error> + Send + 'static,
{
    exchange(
        move |ctx| Ok(Some(make(ctx.settings.oauth()?)?)),
        move |ctx, response: Option<Response>| match response {
            Some(response) => parse(ctx, &response?),
            None => Err(misuse()),
        },
    )
}

fn misuse() -> Error {
    Error::Cognito(cognito_proto::error::CoreError::misuse(
        "an OAuth call ended without a response",
    ))
}

/// The authorization URL and the state to keep (PKCE verifier, `state` and `nonce` from the
/// operating system's CSPRNG).
pub fn authorize(
    settings: &Settings,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<AuthorizationRequest, Error> {
    Ok(settings
        .oauth()?
        .authorize(redirect_uri)
        .scopes(scopes.iter().copied())
        .try_build(&mut rand::rng())?)
}

/// The code exchange of the redirect `callback` of `pending`; tokens checked (`aud`,
/// `nonce`), not stored.
pub fn exchange_code(
    pending: &PendingAuthorization,
    callback: &str,
) -> impl Task<Output = OAuthTokens> + use<> {
    let pending = pending.clone();
    let callback = SecretString::from(callback.to_owned());
    let checked = pending.clone();
    oauth_call(
        move |client| {
            let code = pending.callback(callback.expose_secret())?;
            client.exchange_code(&pending, &code)
        },
        move |ctx, response| Ok(checked.finish(response, ctx.settings.now())?),
    )
}

/// [`exchange_code`], then store the tokens as the user's session (the user's internal
/// username is the output). Needs the `openid` scope: the session keeps the ID token.
pub fn finish_hosted_sign_in(
    pending: &PendingAuthorization,
    callback: &str,
) -> impl Task<Output = String> + use<> {
    exchange_code(pending, callback).then(|_, tokens| {
        Ok(crate::task::local(move |ctx: &Ctx<'_>| {
            let set = tokens.to_token_set()?;
            let username = set
                .username()
                .ok_or(Error::OAuth(OAuthError::MissingIdToken))?
                .to_owned();
            ctx.book.save_tokens(&username, set)?;
            // A refresh in flight must not overwrite the new tokens.
            ctx.reset(&username);
            Ok(username)
        }))
    })
}

/// New tokens from `refresh_token` through `/oauth2/token`. The refresh token is kept in the
/// result when the server sends no new one (no rotation).
pub fn refresh(refresh_token: &SecretString) -> impl Task<Output = OAuthTokens> + use<> {
    let (token, kept) = (refresh_token.clone(), refresh_token.clone());
    oauth_call(
        move |client| client.refresh(&token),
        move |ctx, response| {
            Ok(parse_token_response(response, ctx.settings.now())?.keep_refresh_token(&kept))
        },
    )
}

/// One client-credentials token (no cache; see [`ClientTokens`] for the cached source).
pub fn client_credentials(scopes: &[String]) -> impl Task<Output = OAuthTokens> + use<> {
    let scopes = scopes.to_vec();
    oauth_call(
        move |client| client.client_credentials(&scopes),
        |ctx, response| Ok(parse_token_response(response, ctx.settings.now())?),
    )
}

/// Revoke `refresh_token` through `/oauth2/revoke`.
pub fn revoke(refresh_token: &SecretString) -> impl Task<Output = ()> + use<> {
    let token = refresh_token.clone();
    oauth_call(
        move |client| client.revoke(&token),
        |_, response| Ok(parse_revoke_response(response)?),
    )
}

/// The claims `/oauth2/userInfo` returns for `access_token`.
pub fn user_info_for(access_token: &SecretString) -> impl Task<Output = UserInfo> + use<> {
    let token = access_token.clone();
    oauth_call(
        move |client| client.user_info(&token),
        |_, response| Ok(parse_user_info_response(response)?),
    )
}

/// The claims `/oauth2/userInfo` returns for the stored (refreshed when due) session of
/// `username`.
pub fn user_info(username: &str) -> impl Task<Output = UserInfo> + use<> {
    session(username).then(|_, tokens| Ok(user_info_for(tokens.access_token().token())))
}

// ----- the client-credentials token cache --------------------------------------------------

/// The cached client-credentials tokens of a pool handle, one slot per set of scopes.
#[derive(Debug)]
pub struct ClientTokens<W> {
    slots: Mutex<HashMap<String, Arc<TokenSlot<W>>>>,
}

impl<W> Default for ClientTokens<W> {
    fn default() -> Self {
        ClientTokens {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<W: Signal> ClientTokens<W> {
    /// The slot of `scopes` (in any order; duplicates ignored).
    pub fn slot(&self, scopes: &[String]) -> Arc<TokenSlot<W>> {
        let mut key: Vec<&str> = scopes.iter().map(String::as_str).collect();
        key.sort_unstable();
        key.dedup();
        lock(&self.slots)
            .entry(key.join(" "))
            .or_insert_with(|| {
                Arc::new(TokenSlot {
                    state: Mutex::new(SlotState::default()),
                    signal: W::new(),
                })
            })
            .clone()
    }
}

/// The cached token of one set of scopes, and the signal its waiting callers sleep on.
#[derive(Debug)]
pub struct TokenSlot<W> {
    state: Mutex<SlotState>,
    /// What callers waiting for a renewal sleep on.
    pub signal: W,
}

/// The locked part of a [`TokenSlot`].
#[derive(Debug, Default)]
pub struct SlotState {
    token: Option<OAuthTokens>,
    in_flight: bool,
    /// Counts finished renewals, so a waiter can tell that the one it waited for ended.
    finished: u64,
    last_error: Option<Arc<Error>>,
}

impl<W> TokenSlot<W> {
    /// Lock the state (never across IO or an `.await`).
    pub fn lock(&self) -> MutexGuard<'_, SlotState> {
        lock(&self.state)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// What [`TokenQuery::poll`] found.
// Returned once per look and moved straight into a match: the size is not worth a box.
#[allow(clippy::large_enum_variant)]
#[must_use]
pub enum TokenPoll<W: Signal> {
    /// The cached token is good for at least the margin: use it.
    Ready(OAuthTokens),
    /// Another caller is renewing it: wait on the slot's signal, then poll again.
    Wait,
    /// This caller renews it: send [`TokenLead::request`], then [`TokenQuery::finish`].
    Lead(TokenLead<W>),
}

/// One caller's request for a client-credentials token. A driver's loop:
///
/// ```text
/// let mut query = TokenQuery::new(settings, slot, scopes);
/// loop {
///     let mut lead = { lock the slot; poll until Ready (return) or Lead, waiting on Wait };
///     let response = lead.request().and_then(send);
///     return query.finish(lead, response);
/// }
/// ```
pub struct TokenQuery<W: Signal> {
    settings: Arc<Settings>,
    slot: Arc<TokenSlot<W>>,
    scopes: Vec<String>,
    /// The renewal count when this caller started waiting.
    waited_since: Option<u64>,
}

impl<W: Signal> TokenQuery<W> {
    /// A query of `scopes` through `slot`.
    pub fn new(settings: Arc<Settings>, slot: Arc<TokenSlot<W>>, scopes: &[String]) -> Self {
        TokenQuery {
            settings,
            slot,
            scopes: scopes.to_vec(),
            waited_since: None,
        }
    }

    /// The slot: lock it for [`TokenQuery::poll`], wait on its signal.
    pub fn slot(&self) -> Arc<TokenSlot<W>> {
        Arc::clone(&self.slot)
    }

    /// Decide under the slot lock. A renewal this caller waited for and that failed ends the
    /// call with its error (shared by every waiter): one failure is one request, not one per
    /// caller.
    pub fn poll(&mut self, state: &mut SlotState) -> Result<TokenPoll<W>, Error> {
        let now = self.settings.now();
        if let Some(token) = &state.token
            && token.is_valid(now, margin(self.settings.options().refresh_margin, token))
        {
            return Ok(TokenPoll::Ready(token.clone()));
        }
        if let Some(since) = self.waited_since
            && state.finished != since
            && let Some(error) = &state.last_error
        {
            return Err(Error::Refresh(Arc::clone(error)));
        }
        if state.in_flight {
            self.waited_since.get_or_insert(state.finished);
            return Ok(TokenPoll::Wait);
        }
        state.in_flight = true;
        let request = self
            .settings
            .oauth()
            .and_then(|client| Ok(client.client_credentials(&self.scopes)?));
        Ok(TokenPoll::Lead(TokenLead {
            slot: Arc::clone(&self.slot),
            request: Some(request),
            leading: true,
        }))
    }

    /// Complete the renewal this caller led with the result of sending its request; every
    /// waiting caller is woken to share the result.
    pub fn finish(
        &mut self,
        mut lead: TokenLead<W>,
        response: Result<http::Response<Vec<u8>>, Error>,
    ) -> Result<OAuthTokens, Error> {
        let result = response.and_then(|r| Ok(parse_token_response(&r, self.settings.now())?));
        lead.leading = false;
        {
            let mut state = self.slot.lock();
            state.in_flight = false;
            state.finished = state.finished.wrapping_add(1);
            match &result {
                Ok(tokens) => {
                    state.token = Some(tokens.clone());
                    state.last_error = None;
                }
                Err(e) => state.last_error = Some(Arc::new(clone_error(e))),
            }
        }
        self.slot.signal.notify_all();
        result
    }
}

/// The renewal margin for `token`: the configured one, but at most half the token's lifetime,
/// so that a short-lived token is not renewed on every call.
fn margin(configured: Duration, token: &OAuthTokens) -> Duration {
    configured.min(Duration::from_secs(token.expires_in() / 2))
}

/// The error kept for the waiters: the driver's error is not `Clone` (transport errors hold
/// their source), so a transport error is re-described with its kind kept.
fn clone_error(error: &Error) -> Error {
    match error {
        Error::OAuth(e) => Error::OAuth(e.clone()),
        Error::Cognito(e) => Error::Cognito(e.clone()),
        Error::Transport(e) => {
            Error::Transport(crate::error::TransportError::new(e.kind(), e.to_string()))
        }
        other => Error::OAuth(OAuthError::Protocol {
            endpoint: "oauth2/token",
            status: 0,
            reason: other.to_string(),
            body: cognito_proto::error::RawBody::default(),
        }),
    }
}

/// The right and the duty to renew a slot's token. Dropped without [`TokenQuery::finish`]
/// (the leader panicked or its task was cancelled), it ends the attempt so waiting callers
/// look again instead of waiting forever.
#[must_use]
pub struct TokenLead<W: Signal> {
    slot: Arc<TokenSlot<W>>,
    request: Option<Result<PreparedRequest, Error>>,
    leading: bool,
}

impl<W: Signal> TokenLead<W> {
    /// The token request to send (once), or why none could be built (no domain or no
    /// client secret configured).
    pub fn request(&mut self) -> Result<PreparedRequest, Error> {
        self.request.take().unwrap_or_else(|| {
            Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
                "the token request was already taken",
            )))
        })
    }
}

impl<W: Signal> Drop for TokenLead<W> {
    fn drop(&mut self) {
        if self.leading {
            self.slot.lock().in_flight = false;
            self.slot.signal.notify_all();
        }
    }
}
