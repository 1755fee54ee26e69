//! Token lifecycle: [`Refreshes`] coordinates single-flight refresh per user (however many
//! callers find the tokens due, one refresh request is sent and all share its result), and
//! [`SessionQuery`] is one caller's request for valid tokens. A session the server declared
//! dead is cleared; a network error or throttling keeps the tokens. The driver sends the
//! requests and waits on its [`Signal`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cognito_proto::envelope::PreparedRequest;
use cognito_proto::session::{
    Refresh, RefreshErrorAction, RefreshGate, RefreshResult, RefreshStart, RefreshTicket,
    SessionRecord, TokenSet,
};

use crate::book::SessionBook;
use crate::error::Error;
use crate::settings::Settings;

/// How a driver wakes the callers waiting for a refresh: a `Condvar` for threads, a tokio
/// `Notify` for tasks. The shared code calls [`Signal::notify_all`] whenever a slot's state
/// changes (a refresh ended, the session was reset).
pub trait Signal: Send + Sync + 'static {
    /// A signal nobody waits on yet.
    fn new() -> Self;
    /// Wake every caller waiting on this signal.
    fn notify_all(&self);
}

impl Signal for std::sync::Condvar {
    fn new() -> Self {
        std::sync::Condvar::new()
    }

    fn notify_all(&self) {
        std::sync::Condvar::notify_all(self);
    }
}

/// Per-user refresh coordination: the core's [`RefreshGate`] and the last refresh error under
/// a lock (never held across IO or an `.await`), and the driver's [`Signal`].
#[derive(Debug)]
pub struct Slot<W> {
    state: Mutex<SlotState>,
    /// What waiting callers sleep on.
    pub signal: W,
}

/// The locked part of a [`Slot`].
#[derive(Debug, Default)]
pub struct SlotState {
    gate: RefreshGate,
    /// The error of the last failed refresh attempt, for the callers that waited on it.
    last_error: Option<Arc<Error>>,
}

impl<W: Signal> Slot<W> {
    fn new() -> Self {
        Slot {
            state: Mutex::new(SlotState::default()),
            signal: W::new(),
        }
    }

    /// Lock the state. A lock poisoned by a panicking holder is taken over: the gate is
    /// consistent after every step.
    pub fn lock(&self) -> MutexGuard<'_, SlotState> {
        lock(&self.state)
    }

    /// The session's tokens were replaced or cleared from outside a refresh: a refresh in
    /// flight must not store its result, and waiting callers look again.
    pub fn reset(&self) {
        self.lock().gate.reset();
        self.signal.notify_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// The refresh slots of a pool handle's users, created on first use.
#[derive(Debug)]
pub struct Refreshes<W> {
    slots: Mutex<HashMap<String, Arc<Slot<W>>>>,
}

impl<W: Signal> Default for Refreshes<W> {
    fn default() -> Self {
        Refreshes {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<W: Signal> Refreshes<W> {
    /// The refresh slot of `username`.
    pub fn slot(&self, username: &str) -> Arc<Slot<W>> {
        lock(&self.slots)
            .entry(username.to_owned())
            .or_insert_with(|| Arc::new(Slot::new()))
            .clone()
    }
}

/// Resetting a user's refresh slot, without knowing the driver's [`Signal`]: what an
/// operation needs after it replaced or cleared the user's tokens.
pub trait Resets: Send + Sync {
    /// A refresh of `username` in flight must not store its result; waiting callers look
    /// again.
    fn reset(&self, username: &str);
}

impl<W: Signal> Resets for Refreshes<W> {
    fn reset(&self, username: &str) {
        self.slot(username).reset();
    }
}

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
/// let mut query = core.session_query(username);
/// loop {
///     let mut lead = { lock the slot; poll until Ready (return) or Lead, waiting on Wait };
///     let response = lead.request().and_then(send);
///     if let Some(tokens) = query.finish(lead, response)? { return Ok(tokens) }
/// }
/// ```
pub struct SessionQuery<W: Signal> {
    settings: Arc<Settings>,
    book: Arc<SessionBook>,
    username: String,
    slot: Arc<Slot<W>>,
    /// The tokens found due for refresh, and the gate generation when they were read.
    due: Option<(u64, SessionRecord, TokenSet)>,
}

impl<W: Signal> SessionQuery<W> {
    /// A query for the tokens of `username`, refreshed through `slot`.
    pub fn new(
        settings: Arc<Settings>,
        book: Arc<SessionBook>,
        slot: Arc<Slot<W>>,
        username: &str,
    ) -> Self {
        SessionQuery {
            settings,
            book,
            username: username.to_owned(),
            slot,
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
                    let record = self.book.load(&self.username)?.ok_or(Error::NotSignedIn)?;
                    let tokens = record.tokens().cloned().ok_or(Error::NotSignedIn)?;
                    let margin = self.settings.options().refresh_margin;
                    if !tokens.needs_refresh(self.settings.now(), margin) {
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
        let settings = &self.settings;
        let start = Refresh::start(
            settings.config(),
            settings.endpoint(),
            &tokens,
            record.device(),
            settings.options().refresh_method,
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
                .handle_response(&response, self.settings.now())
                .map_err(|e| {
                    let dead = RefreshErrorAction::for_error(&e).clears_tokens();
                    (Error::Cognito(e), dead)
                }),
            (_, Err(e)) => Err((e, false)),
            (None, Ok(_)) => Err((
                Error::Cognito(cognito_proto::error::CoreError::misuse(
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
        let username = self.username.as_str();
        let error = match outcome {
            Ok(new_tokens) => match self.book.save_tokens(username, new_tokens.clone()) {
                Ok(()) => {
                    state.last_error = None;
                    return Ok(new_tokens);
                }
                Err(e) => e,
            },
            Err((e, dead)) => {
                if dead && let Err(clear) = self.book.clear_tokens(username) {
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
        if tokens.is_valid(self.settings.now(), Duration::ZERO) {
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
            Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
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
