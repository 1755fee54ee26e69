//! The async run loop: every operation's task is run here, sending its requests with
//! retries (sleeping between attempts on tokio's timer) and waiting on a `Notify` while
//! another task refreshes the same user's tokens.
//!
//! The session store is synchronous (a file store reads, writes and fsyncs files), and so is
//! the SRP arithmetic of a sign-in: every step of a task, and every look at the store during
//! a refresh, runs on tokio's blocking pool (`spawn_blocking`), never on a runtime thread.

use std::sync::Arc;

use cognito_driver::oauth::TokenPoll;
use cognito_driver::refresh::{Poll, SessionQuery};
use cognito_driver::send::Attempts;
use cognito_driver::task::{Input, Step, Task};
use cognito_driver::{Error, PoolCore};
use cognito_proto::envelope::PreparedRequest;
use cognito_proto::oauth::OAuthTokens;
use cognito_proto::retry::RetryPolicy;
use cognito_proto::session::TokenSet;
use tracing::Instrument as _;

use crate::transport::{ReqwestTransport, Transport};

/// Wakes the tasks waiting for a refresh.
pub(crate) struct Wake(tokio::sync::Notify);

impl cognito_driver::Signal for Wake {
    fn new() -> Self {
        Wake(tokio::sync::Notify::new())
    }

    fn notify_all(&self) {
        self.0.notify_waiters();
    }
}

/// A pool's core with its transport and retry policy.
pub(crate) struct Runner {
    core: Arc<PoolCore<Wake>>,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
}

/// Run `f` on tokio's blocking pool. A panic in `f` resumes here.
async fn off_runtime<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Result<R, Error> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => Ok(r),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
            "the tokio runtime shut down during the call",
        ))),
    }
}

impl Runner {
    /// A runner of `core` sending through `transport` (default: a new [`ReqwestTransport`]).
    pub(crate) fn new(
        core: PoolCore<Wake>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<Self, Error> {
        let transport = match transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::new()?),
        };
        Ok(Runner {
            retry: core.settings().options().retry,
            transport,
            core: Arc::new(core),
        })
    }

    pub(crate) fn core(&self) -> &PoolCore<Wake> {
        &self.core
    }

    /// Run `task` to its end; each step runs on the blocking pool.
    pub(crate) async fn run<T: Task>(&self, mut task: T) -> Result<T::Output, Error> {
        let mut input = Input::Start;
        loop {
            let core = Arc::clone(&self.core);
            let (back, step) = off_runtime(move || {
                let step = task.step(&core.ctx(), input);
                (task, step)
            })
            .await?;
            task = back;
            input = match step? {
                Step::Send(request) => Input::Response(self.send(request).await),
                Step::Session(username) => Input::Tokens(Box::new(self.session(&username).await?)),
                Step::Wait(until) => {
                    self.wait(&until).await;
                    Input::Woken
                }
                Step::Done(output) => return Ok(output),
            };
        }
    }

    /// Sleep until another task has finished getting the credentials this one waits for.
    /// The lock is taken only for a look, never across an `.await`.
    async fn wait(&self, until: &cognito_driver::credentials::Wait) {
        let credentials = self.core.credentials();
        loop {
            // Register for the wake-up before looking, so that an end between the look and
            // the wait is not missed.
            let notified = credentials.signal.0.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if until.is_over(&credentials.lock()) {
                return;
            }
            notified.await;
        }
    }

    /// Send one prepared request and return the HTTP response (any status).
    async fn send(&self, prepared: PreparedRequest) -> Result<http::Response<Vec<u8>>, Error> {
        let mut attempts = Attempts::new(&prepared, self.retry);
        loop {
            let span = attempts.span().clone();
            let result = self
                .transport
                .send(&prepared.request)
                .instrument(span)
                .await;
            match attempts.retry_after(&result) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return attempts.finish(result),
            }
        }
    }

    /// The tokens of `username`, refreshed first when due; one task refreshes while the
    /// others wait for its result. A refresh whose task is cancelled hands the job to the
    /// next caller.
    pub(crate) async fn session(&self, username: &str) -> Result<TokenSet, Error> {
        let mut query = self.core.session_query(username);
        let slot = query.slot();
        loop {
            // Register for the wake-up before looking, so that a refresh ending between the
            // look and the wait is not missed. The lock is never held across an `.await`.
            let notified = slot.signal.0.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (back, poll) = off_runtime(move || {
                let slot = query.slot();
                let poll = query.poll(&mut slot.lock());
                (query, poll)
            })
            .await?;
            query = back;
            let mut lead = match poll? {
                Poll::Ready(tokens) => return Ok(tokens),
                Poll::Wait => {
                    notified.await;
                    continue;
                }
                Poll::Lead(lead) => lead,
            };
            // This task leads. Dropping `lead` (the task is cancelled or panics) ends the
            // attempt, so waiting tasks are never stranded.
            let response = match lead.request() {
                Ok(request) => self.send(request).await,
                Err(e) => Err(e),
            };
            let (back, finished) = off_runtime(move || {
                let finished = query.finish(lead, response);
                (query, finished)
            })
            .await?;
            query = back;
            if let Some(tokens) = finished? {
                return Ok(tokens);
            }
        }
    }
}

impl Runner {
    /// A client-credentials token of `scopes`, from the cache or renewed when due; one task
    /// renews while the others wait for its result. A renewal whose task is cancelled wakes
    /// the waiters, and the next one leads.
    pub(crate) async fn client_token(&self, scopes: &[String]) -> Result<OAuthTokens, Error> {
        let mut query = self.core.client_token_query(scopes);
        let slot = query.slot();
        let mut lead = loop {
            // Register for the wake-up before looking, so that a renewal ending between the
            // look and the wait is not missed. The lock is never held across an `.await`.
            let notified = slot.signal.0.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let poll = query.poll(&mut slot.lock())?;
            match poll {
                TokenPoll::Ready(tokens) => return Ok(tokens),
                TokenPoll::Wait => notified.await,
                TokenPoll::Lead(lead) => break lead,
            }
        };
        let response = match lead.request() {
            Ok(request) => self.send(request).await,
            Err(e) => Err(e),
        };
        query.finish(lead, response)
    }
}

/// The transport of the token verifier's JWKS fetches.
pub(crate) fn verifier_transport(
    timeouts: cognito_driver::Timeouts,
    limits: cognito_driver::Limits,
) -> Result<Arc<dyn Transport>, cognito_driver::TransportError> {
    Ok(Arc::new(ReqwestTransport::with_limits(timeouts, limits)?))
}

/// What the token verifier holds while it fetches keys, so that concurrent tasks share one
/// fetch (a tokio lock: it is held across the fetch's `.await`).
#[derive(Debug, Default)]
pub(crate) struct FetchLock(tokio::sync::Mutex<()>);

impl FetchLock {
    /// Wait for the turn.
    pub(crate) async fn lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.0.lock().await
    }
}

/// Keep the query type in the signature checks: it must be `Send` to move to the pool.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<SessionQuery<Wake>>();
};
