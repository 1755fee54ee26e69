//! A user's session: single-flight refresh bookkeeping (pitfall 18), what is cleared when a
//! session is dead (pitfall 20) and on sign-out (pitfall 24). The driver sends the requests
//! and waits on its [`Signal`].

use std::sync::Arc;
use std::time::Duration;

use cognito_proto::envelope::PreparedRequest;
use cognito_proto::session::{
    self, Refresh, RefreshErrorAction, RefreshResult, RefreshStart, RefreshTicket, SessionRecord,
    TokenSet,
};

use crate::error::Error;
use crate::pool::{PoolCore, Signal, Slot, SlotState};

/// What [`SessionQuery::poll`] found.
// Returned once per look and moved straight into a match: the size is not worth a box.
#[allow(clippy::large_enum_variant)]
#[must_use]
pub enum Poll<W: Signal> {
    /// The tokens are good: return them.
    Ready(TokenSet),
    /// Another caller is refreshing: wait on the slot's signal, then poll again with the same
    /// query.
    Wait,
    /// This caller refreshes: send [`Lead::request`], then [`SessionQuery::finish`].
    Lead(Lead<W>),
}

/// One caller's request for a user's tokens. A blocking driver's loop:
///
/// ```text
/// let mut query = SessionQuery::new(core, username);
/// loop {
///     let mut lead = { lock the slot; poll until Ready (return) or Lead, waiting on Wait };
///     let response = lead.request().and_then(send);
///     if let Some(tokens) = query.finish(lead, response)? { return Ok(tokens) }
/// }
/// ```
pub struct SessionQuery<'a, W: Signal> {
    core: &'a PoolCore<W>,
    username: &'a str,
    slot: Arc<Slot<W>>,
    /// The tokens found due for refresh, and the gate generation when they were read.
    due: Option<(u64, SessionRecord, TokenSet)>,
}

impl<'a, W: Signal> SessionQuery<'a, W> {
    /// A query for the tokens of `username`.
    pub fn new(core: &'a PoolCore<W>, username: &'a str) -> Self {
        SessionQuery {
            core,
            username,
            slot: core.slot(username),
            due: None,
        }
    }

    /// The user's refresh slot: lock it for [`SessionQuery::poll`], wait on its signal.
    pub fn slot(&self) -> Arc<Slot<W>> {
        Arc::clone(&self.slot)
    }

    /// Look at the stored tokens under the slot lock (`state`) and decide. Errors: not signed
    /// in, a store failure, or the failure of the refresh this caller waited for.
    pub fn poll(&mut self, state: &mut SlotState) -> Result<Poll<W>, Error> {
        loop {
            let (observed, record, tokens) = match self.due.take() {
                Some(due) => due,
                None => {
                    let observed = state.gate.generation();
                    let record = self.core.load(self.username)?.ok_or(Error::NotSignedIn)?;
                    let tokens = record.tokens().cloned().ok_or(Error::NotSignedIn)?;
                    let margin = self.core.options().refresh_margin;
                    if !tokens.needs_refresh(self.core.now(), margin) {
                        return Ok(Poll::Ready(tokens));
                    }
                    (observed, record, tokens)
                }
            };
            match state.gate.begin(observed) {
                RefreshStart::Lead(ticket) => {
                    return Ok(Poll::Lead(self.lead(ticket, &record, tokens)));
                }
                RefreshStart::Join => {
                    self.due = Some((observed, record, tokens));
                    return Ok(Poll::Wait);
                }
                RefreshStart::Finished(RefreshResult::Refreshed | RefreshResult::Reset) => {}
                RefreshStart::Finished(RefreshResult::FailedKeptTokens) => {
                    return self
                        .after_failed_refresh(tokens, state.last_error.clone())
                        .map(Poll::Ready);
                }
                RefreshStart::Finished(RefreshResult::SessionEnded) => {
                    return Err(shared_error(state.last_error.clone()));
                }
            }
        }
    }

    fn lead(&self, ticket: RefreshTicket, record: &SessionRecord, tokens: TokenSet) -> Lead<W> {
        let core = self.core;
        let start = Refresh::start(
            core.config(),
            core.endpoint(),
            &tokens,
            record.device(),
            core.options().refresh_method,
        )
        .map_err(Error::Cognito);
        let (exchange, request) = match start {
            Ok((exchange, request)) => (Some(exchange), Ok(request)),
            Err(e) => (None, Err(e)),
        };
        Lead {
            slot: Arc::clone(&self.slot),
            ticket: Some(ticket),
            tokens,
            exchange,
            request: Some(request),
        }
    }

    /// Complete the refresh this caller led with the result of sending its request. Returns
    /// the tokens, or `None` when the session was reset meanwhile (poll again).
    pub fn finish(
        &mut self,
        mut lead: Lead<W>,
        response: Result<http::Response<Vec<u8>>, Error>,
    ) -> Result<Option<TokenSet>, Error> {
        let outcome = match (lead.exchange.take(), response) {
            (Some(exchange), Ok(response)) => exchange
                .handle_response(&response, self.core.now())
                .map_err(|e| {
                    let dead = RefreshErrorAction::for_error(&e).clears_tokens();
                    (Error::Cognito(e), dead)
                }),
            (_, Err(e)) => Err((e, false)),
            (None, Ok(_)) => Err((
                Error::Cognito(cognito_proto::error::Error::misuse(
                    "a refresh response without a refresh request",
                )),
                false,
            )),
        };
        let Some(ticket) = lead.ticket.take() else {
            return Ok(None);
        };
        let result = self.complete(ticket, outcome);
        self.slot.signal.notify_all();
        match result {
            Err(Failure::Stale) => Ok(None),
            Err(Failure::KeptTokens(e)) => self
                .after_failed_refresh(lead.tokens.clone(), Some(e))
                .map(Some),
            Err(Failure::Other(e)) => Err(e),
            Ok(tokens) => Ok(Some(tokens)),
        }
    }

    /// Record the leader's outcome under the slot lock: end the attempt in the gate, then
    /// store the new tokens or clear a dead session, unless the attempt went stale.
    fn complete(
        &self,
        ticket: RefreshTicket,
        outcome: Result<TokenSet, (Error, bool)>,
    ) -> Result<TokenSet, Failure> {
        let mut state = self.slot.lock();
        let result = match &outcome {
            Ok(_) => RefreshResult::Refreshed,
            Err((_, true)) => RefreshResult::SessionEnded,
            Err((_, false)) => RefreshResult::FailedKeptTokens,
        };
        if state.gate.finish(ticket, result).is_err() {
            // Signed out (or signed in again) meanwhile: this result must not be stored.
            return Err(Failure::Stale);
        }
        let (client_id, username) = (self.core.client_id(), self.username);
        let error = match outcome {
            Ok(new_tokens) => {
                let saved = self.core.load(username).and_then(|current| {
                    let mut record =
                        current.unwrap_or_else(|| SessionRecord::new(client_id, username));
                    record
                        .set_tokens(new_tokens.clone())
                        .map_err(|e| Error::Session(e.into()))?;
                    self.core.store().save(&record).map_err(Error::Session)
                });
                match saved {
                    Ok(()) => {
                        state.last_error = None;
                        return Ok(new_tokens);
                    }
                    Err(e) => e,
                }
            }
            Err((e, dead)) => {
                if dead && let Err(clear) = self.core.store().clear_tokens(client_id, username) {
                    tracing::warn!(error = %clear, "could not clear the tokens of a dead session");
                }
                let shared = Arc::new(e);
                state.last_error = Some(Arc::clone(&shared));
                return Err(if dead {
                    Failure::Other(Error::Refresh(shared))
                } else {
                    Failure::KeptTokens(shared)
                });
            }
        };
        let shared = Arc::new(error);
        state.last_error = Some(Arc::clone(&shared));
        Err(Failure::Other(Error::Refresh(shared)))
    }

    /// A refresh failed but the tokens were kept: they are still good for this call when they
    /// have not actually expired yet (the refresh was only early).
    fn after_failed_refresh(
        &self,
        tokens: TokenSet,
        error: Option<Arc<Error>>,
    ) -> Result<TokenSet, Error> {
        if tokens.is_valid(self.core.now(), Duration::ZERO) {
            Ok(tokens)
        } else {
            Err(shared_error(error))
        }
    }
}

enum Failure {
    /// The session was reset while refreshing; look at the store again.
    Stale,
    /// The refresh failed and the tokens were kept.
    KeptTokens(Arc<Error>),
    /// Anything else.
    Other(Error),
}

fn shared_error(error: Option<Arc<Error>>) -> Error {
    match error {
        Some(e) => Error::Refresh(e),
        None => Error::NotSignedIn,
    }
}

/// The right and the duty to refresh a user's tokens. Dropped without
/// [`SessionQuery::finish`] (the leader panicked, or its task was cancelled), it ends the
/// attempt so that waiting callers look again instead of waiting forever.
#[must_use]
pub struct Lead<W: Signal> {
    slot: Arc<Slot<W>>,
    ticket: Option<RefreshTicket>,
    tokens: TokenSet,
    exchange: Option<Refresh>,
    request: Option<Result<PreparedRequest, Error>>,
}

impl<W: Signal> Lead<W> {
    /// The refresh request to send (once), or why none could be built (no refresh token).
    pub fn request(&mut self) -> Result<PreparedRequest, Error> {
        self.request.take().unwrap_or_else(|| {
            Err(Error::Cognito(cognito_proto::error::Error::misuse(
                "the refresh request was already taken",
            )))
        })
    }
}

impl<W: Signal> Drop for Lead<W> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            let _ = self.slot.lock().gate.finish(ticket, RefreshResult::Reset);
            self.slot.signal.notify_all();
        }
    }
}

/// The answer to a revocation (`RevokeToken`), as the driver returns it.
pub fn revoked(response: Result<http::Response<Vec<u8>>, Error>) -> Result<(), Error> {
    Ok(session::handle_revoke_response(&response?)?)
}

/// The answer to `GlobalSignOut`, as the driver returns it.
pub fn globally_signed_out(response: Result<http::Response<Vec<u8>>, Error>) -> Result<(), Error> {
    Ok(session::handle_global_sign_out_response(&response?)?)
}

impl<W: Signal> PoolCore<W> {
    /// The request revoking the stored refresh token of `username`, when there is one and it
    /// is revocable.
    pub fn revoke_request(&self, username: &str) -> Result<Option<PreparedRequest>, Error> {
        let record = self.load(username)?;
        Ok(record
            .as_ref()
            .and_then(SessionRecord::tokens)
            .and_then(|tokens| session::sign_out(self.config(), self.endpoint(), tokens)))
    }

    /// The `GlobalSignOut` request with valid `tokens`.
    pub fn global_sign_out_request(&self, tokens: &TokenSet) -> PreparedRequest {
        session::global_sign_out(self.endpoint(), tokens)
    }

    /// Sign-out's local part: a refresh in flight is discarded, the tokens are cleared, the
    /// remembered device is kept.
    pub fn sign_out_locally(&self, username: &str) -> Result<(), Error> {
        self.slot(username).reset();
        self.store()
            .clear_tokens(self.client_id(), username)
            .map_err(Error::Session)
    }

    /// After `DeleteUser`: everything stored for `username` goes.
    pub fn forget_user_locally(&self, username: &str) -> Result<(), Error> {
        self.sign_out_locally(username)?;
        self.store()
            .remove_device(self.client_id(), username)
            .map_err(Error::Session)
    }
}
