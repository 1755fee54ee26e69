//! Refresh and sign-out: the core builds the requests and classifies the answers; this module
//! only sends them.

use cognito_proto::session::{self, Refresh, RefreshErrorAction, SessionRecord, TokenSet};

use crate::error::Error;
use crate::pool::UserPool;

/// Refresh `tokens` of `record`'s user. On failure, the flag says whether the session is dead
/// (its tokens must be cleared).
pub(crate) fn refresh(
    pool: &UserPool,
    record: &SessionRecord,
    tokens: &TokenSet,
) -> Result<TokenSet, (Error, bool)> {
    let inner = &pool.inner;
    let (exchange, request) = Refresh::start(
        &inner.config,
        &inner.endpoint,
        tokens,
        record.device(),
        inner.options.refresh_method,
    )
    .map_err(|e| (Error::Cognito(e), false))?;
    let response = inner.sender.send(request).map_err(|e| (e, false))?;
    exchange
        .handle_response(&response, pool.now())
        .map_err(|e| {
            let dead = RefreshErrorAction::for_error(&e).clears_tokens();
            (Error::Cognito(e), dead)
        })
}

/// Revoke the refresh token of `tokens` when it is revocable.
pub(crate) fn revoke(pool: &UserPool, tokens: &TokenSet) -> Result<(), Error> {
    let inner = &pool.inner;
    let Some(request) = session::sign_out(&inner.config, &inner.endpoint, tokens) else {
        return Ok(());
    };
    let response = inner.sender.send(request)?;
    Ok(session::handle_revoke_response(&response)?)
}

/// Sign out everywhere with valid `tokens`.
pub(crate) fn global_sign_out(pool: &UserPool, tokens: &TokenSet) -> Result<(), Error> {
    let request = session::global_sign_out(&pool.inner.endpoint, tokens);
    let response = pool.inner.sender.send(request)?;
    Ok(session::handle_global_sign_out_response(&response)?)
}
