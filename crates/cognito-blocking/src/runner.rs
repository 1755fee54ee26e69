//! The blocking run loop: every operation's task is run here, sending its requests with
//! retries (sleeping between attempts) and waiting on a condition variable while another
//! thread refreshes the same user's tokens.

use std::sync::{Arc, Condvar};

use cognito_driver::oauth::TokenPoll;
use cognito_driver::refresh::Poll;
use cognito_driver::send::Attempts;
use cognito_driver::task::{self, Task};
use cognito_driver::{Error, PoolCore};
use cognito_proto::envelope::PreparedRequest;
use cognito_proto::oauth::OAuthTokens;
use cognito_proto::retry::RetryPolicy;
use cognito_proto::session::TokenSet;

use crate::transport::{Transport, UreqTransport};

/// A pool's core with its transport and retry policy.
pub(crate) struct Runner {
    core: PoolCore<Condvar>,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
}

impl Runner {
    /// A runner of `core` sending through `transport` (default: a new [`UreqTransport`]).
    pub(crate) fn new(
        core: PoolCore<Condvar>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<Self, Error> {
        Ok(Runner {
            retry: core.settings().options().retry,
            transport: transport.unwrap_or_else(|| Arc::new(UreqTransport::new())),
            core,
        })
    }

    pub(crate) fn core(&self) -> &PoolCore<Condvar> {
        &self.core
    }

    /// Run `task` to its end.
    pub(crate) fn run<T: Task>(&self, task: T) -> Result<T::Output, Error> {
        task::run_blocking(
            &self.core.ctx(),
            task,
            |request| self.send(request),
            |username| self.session(username),
            |until| self.wait(&until),
        )
    }

    /// Sleep until another thread has finished getting the credentials this one waits for.
    fn wait(&self, until: &cognito_driver::credentials::Wait) {
        let credentials = self.core.credentials();
        let mut state = credentials.lock();
        while !until.is_over(&state) {
            state = wait(&credentials.signal, state);
        }
    }

    /// Send one prepared request and return the HTTP response (any status).
    fn send(&self, prepared: PreparedRequest) -> Result<http::Response<Vec<u8>>, Error> {
        let mut attempts = Attempts::new(&prepared, self.retry);
        let span = attempts.span().clone();
        let _entered = span.enter();
        loop {
            let result = self.transport.send(&prepared.request);
            match attempts.retry_after(&result) {
                Some(delay) => std::thread::sleep(delay),
                None => return attempts.finish(result),
            }
        }
    }

    /// The tokens of `username`, refreshed first when due; one thread refreshes while the
    /// others wait for its result.
    pub(crate) fn session(&self, username: &str) -> Result<TokenSet, Error> {
        let mut query = self.core.session_query(username);
        let slot = query.slot();
        loop {
            let mut lead = {
                let mut state = slot.lock();
                loop {
                    match query.poll(&mut state)? {
                        Poll::Ready(tokens) => return Ok(tokens),
                        Poll::Lead(lead) => break lead,
                        Poll::Wait => state = wait(&slot.signal, state),
                    }
                }
            };
            // This thread leads: send the refresh outside the lock. Dropping `lead` on a
            // panic ends the attempt, so waiting threads are never stranded.
            let response = lead.request().and_then(|r| self.send(r));
            if let Some(tokens) = query.finish(lead, response)? {
                return Ok(tokens);
            }
        }
    }
}

impl Runner {
    /// A client-credentials token of `scopes`, from the cache or renewed when due; one thread
    /// renews while the others wait for its result.
    pub(crate) fn client_token(&self, scopes: &[String]) -> Result<OAuthTokens, Error> {
        let mut query = self.core.client_token_query(scopes);
        let slot = query.slot();
        let mut lead = {
            let mut state = slot.lock();
            loop {
                match query.poll(&mut state)? {
                    TokenPoll::Ready(tokens) => return Ok(tokens),
                    TokenPoll::Lead(lead) => break lead,
                    TokenPoll::Wait => state = wait(&slot.signal, state),
                }
            }
        };
        // Outside the lock; dropping `lead` on a panic wakes the waiting threads.
        let response = lead.request().and_then(|r| self.send(r));
        query.finish(lead, response)
    }
}

/// The transport of the token verifier's JWKS fetches.
pub(crate) fn verifier_transport(
    timeouts: cognito_driver::Timeouts,
    limits: cognito_driver::Limits,
) -> Result<Arc<dyn Transport>, cognito_driver::TransportError> {
    Ok(Arc::new(UreqTransport::with_limits(timeouts, limits)))
}

/// What the token verifier holds while it fetches keys, so that concurrent threads share
/// one fetch.
#[derive(Debug, Default)]
pub(crate) struct FetchLock(std::sync::Mutex<()>);

impl FetchLock {
    /// Wait for the turn. A poisoned lock is taken over: it guards no data.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Sleep on the slot's condition variable until a refresh ends or the session is reset.
fn wait<'a, T>(
    signal: &Condvar,
    guard: std::sync::MutexGuard<'a, T>,
) -> std::sync::MutexGuard<'a, T> {
    match signal.wait(guard) {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
