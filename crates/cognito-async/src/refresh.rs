//! Refresh and revocation: the core builds the requests and classifies the answers; this
//! module only sends them.

use cognito_proto::envelope;
use cognito_proto::session::{SessionRecord, TokenSet};

use crate::error::Error;
use crate::pool::UserPool;

/// Refresh `tokens` of `record`'s user. On failure, the flag says whether the session is dead
/// (its tokens must be cleared).
pub(crate) async fn refresh(
    pool: &UserPool,
    record: &SessionRecord,
    tokens: &TokenSet,
) -> Result<TokenSet, (Error, bool)> {
    let request = cognito_proto::session::refresh_request(
        &pool.inner.config,
        &pool.inner.endpoint,
        record,
    )
    .map_err(|e| (Error::Cognito(e), false))?;
    let response = pool
        .inner
        .sender
        .send(request)
        .await
        .map_err(|e| (e, false))?;
    let now = pool.now();
    cognito_proto::session::handle_refresh_response(tokens, &response, now).map_err(|e| {
        let dead = cognito_proto::session::is_dead_session(&e);
        (Error::Cognito(e), dead)
    })
}

/// Revoke the refresh token of `tokens` when it is revocable.
pub(crate) async fn revoke(pool: &UserPool, tokens: &TokenSet) -> Result<(), Error> {
    let Some(request) =
        cognito_proto::session::revoke_request(&pool.inner.config, &pool.inner.endpoint, tokens)
    else {
        return Ok(());
    };
    let operation = request.operation;
    let response = pool.inner.sender.send(request).await?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(Error::Cognito(envelope::decode_error(operation, &response)))
    }
}
