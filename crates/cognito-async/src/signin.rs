//! Sign-in: drive the core's state machine, ask the caller at each step, store the result.

use cognito_proto::session::{SessionRecord, TokenSet};
use cognito_proto::signin::{self, Answer, Event, NextStep, Start};

use crate::error::Error;
use crate::pool::UserPool;
use crate::user::User;

/// Where a sign-in stands after a call.
#[derive(Debug)]
#[must_use]
pub enum SignInOutcome {
    /// The user must do something: see [`SignIn::next_step`], then [`SignIn::answer`].
    NextStep(SignIn),
    /// Signed in; the tokens (and a remembered device) are stored.
    SignedIn(User),
}

impl SignInOutcome {
    /// The signed-in user, if the sign-in is complete.
    pub fn signed_in(self) -> Option<User> {
        match self {
            SignInOutcome::SignedIn(user) => Some(user),
            SignInOutcome::NextStep(_) => None,
        }
    }
}

/// A sign-in waiting for the user: the step to complete and the means to answer it.
///
/// ```no_run
/// use cognito_async::{Answer, NextStep, SignInOutcome};
///
/// # async fn example() -> Result<(), cognito_async::Error> {
/// # let pool = cognito_async::UserPool::builder("eu-west-1_AbC", "client").build()?;
/// let mut outcome = pool.sign_in("alice", "Passw0rd!").await?;
/// let user = loop {
///     match outcome {
///         SignInOutcome::SignedIn(user) => break user,
///         SignInOutcome::NextStep(mut sign_in) => {
///             let answer = match sign_in.next_step() {
///                 NextStep::ConfirmWithTotpCode => Answer::code("123456"),
///                 other => panic!("not handled here: {other:?}"),
///             };
///             outcome = sign_in.answer(answer).await?;
///         }
///     }
/// };
/// # let _ = user;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct SignIn {
    pool: UserPool,
    /// `None` once the sign-in moved on to a later [`SignIn`] or completed.
    flow: Option<Box<signin::SignIn>>,
    step: NextStep,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("step", &self.step)
            .finish_non_exhaustive()
    }
}

impl SignIn {
    /// What the user must do next.
    pub fn next_step(&self) -> &NextStep {
        &self.step
    }

    /// Answer the current step. On an error the sign-in is still here: when the server allows
    /// it (a mistyped code, `CodeMismatch`), answer again; otherwise start over.
    pub async fn answer(&mut self, answer: Answer) -> Result<SignInOutcome, Error> {
        let Some(flow) = self.flow.as_mut() else {
            return Err(Error::Cognito(cognito_proto::error::Error::misuse(
                "this sign-in step was already answered",
            )));
        };
        let now = self.pool.now();
        let event = flow.answer(answer, now, &mut rand::rng())?;
        match drive(&self.pool, flow, event).await? {
            Driven::Step(step) => Ok(SignInOutcome::NextStep(SignIn {
                pool: self.pool.clone(),
                flow: self.flow.take(),
                step,
            })),
            Driven::Done(user) => {
                self.flow = None;
                Ok(SignInOutcome::SignedIn(user))
            }
        }
    }
}

enum Driven {
    Step(NextStep),
    Done(User),
}

async fn drive(
    pool: &UserPool,
    flow: &mut signin::SignIn,
    mut event: Event,
) -> Result<Driven, Error> {
    loop {
        event = match event {
            Event::Send(request) => {
                let response = pool.inner.sender.send(request).await?;
                flow.handle_response(response, pool.now(), &mut rand::rng())?
            }
            Event::Step(step) => return Ok(Driven::Step(step)),
            Event::Done(done) => return finish(pool, done).await.map(Driven::Done),
        }
    }
}

async fn finish(pool: &UserPool, done: signin::SignedIn) -> Result<User, Error> {
    let inner = &pool.inner;
    let client_id = inner.config.client_id();
    let mut record = inner
        .store
        .load(client_id, &done.username)
        .map_err(Error::Session)?
        .unwrap_or_else(|| SessionRecord::new(client_id, &done.username));
    if done.device_forgotten {
        record.remove_device();
    }
    if let Some(device) = done.device
        && inner.options.remember_devices
    {
        record.set_device(device);
    }
    let tokens = TokenSet::new(
        done.tokens.id_token,
        done.tokens.access_token,
        done.tokens.refresh_token,
        pool.now(),
    )
    .map_err(|e| Error::Session(cognito_proto::session::RecordError::from(e).into()))?;
    record
        .set_tokens(tokens)
        .map_err(|e| Error::Session(e.into()))?;
    inner.store.save(&record).map_err(Error::Session)?;
    let user = pool.user(done.username);
    // Tokens replaced from outside a refresh: a refresh in flight must not overwrite them.
    let slot = pool.slot(user.username());
    match slot.state.lock() {
        Ok(mut s) => {
            s.gate.reset();
        }
        Err(p) => {
            p.into_inner().gate.reset();
        }
    }
    slot.changed.notify_waiters();
    if let Some(error) = done.device_error {
        tracing::warn!(error = %error, "the new device could not be confirmed");
    }
    if done.user_confirmation_necessary
        && inner.options.remember_devices
        && let Err(error) = user.remember_device().await
    {
        // The user is signed in either way; the device is tracked but not remembered.
        tracing::warn!(error = %error, "the new device could not be marked as remembered");
    }
    Ok(user)
}

impl UserPool {
    /// Sign in with a username and password through the core's SRP flow ([`Start::srp`]: the
    /// password never leaves this process). A remembered device of the user is used
    /// automatically.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignInOutcome, Error> {
        self.sign_in_with(Start::srp(username, password)).await
    }

    /// Start any sign-in the core supports: SRP, plain password, custom auth, choice-based
    /// (`USER_AUTH`), or automatic sign-in after sign-up. See [`Start`].
    pub async fn sign_in_with(&self, start: Start) -> Result<SignInOutcome, Error> {
        let device = if self.inner.options.remember_devices {
            self.inner
                .store
                .load(self.inner.config.client_id(), start.username())
                .map_err(Error::Session)?
                .and_then(|r| r.device().cloned())
        } else {
            None
        };
        // Without device tracking, a device the server issues is not confirmed: nobody would
        // keep it.
        let start = if self.inner.options.remember_devices {
            start
        } else {
            start.without_device_confirmation()
        };
        let (mut flow, event) = signin::SignIn::start(
            &self.inner.config,
            &self.inner.endpoint,
            start,
            device,
            self.now(),
            &mut rand::rng(),
        )?;
        match drive(self, &mut flow, event).await? {
            Driven::Step(step) => Ok(SignInOutcome::NextStep(SignIn {
                pool: self.clone(),
                flow: Some(Box::new(flow)),
                step,
            })),
            Driven::Done(user) => Ok(SignInOutcome::SignedIn(user)),
        }
    }
}
