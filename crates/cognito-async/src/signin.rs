//! Sign-in: carry the core's requests until it asks the caller something or is done; the
//! shared crate picks the remembered device and stores the result.

use cognito_driver::signin::{Completed, SignInFlow};
use cognito_proto::signin::{Answer, Event, NextStep, Start};

use crate::Error;
use crate::pool::UserPool;
use crate::user::User;

/// Where a sign-in stands after a call: [`SignInOutcome::NextStep`] with a [`SignIn`] to see
/// ([`SignIn::next_step`]) and answer ([`SignIn::answer`]), or [`SignInOutcome::SignedIn`]
/// with the [`User`] whose tokens (and remembered device) are stored;
/// [`signed_in`](cognito_driver::signin::SignInOutcome::signed_in) picks the user.
pub type SignInOutcome = cognito_driver::signin::SignInOutcome<SignIn, User>;

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
    flow: Option<SignInFlow>,
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
        let event = flow.answer(self.pool.core(), answer)?;
        let done = drive(&self.pool, flow, event).await?;
        Ok(outcome(&self.pool, self.flow.take(), done))
    }
}

/// The outcome of driving `flow` to `done`: a later step keeps the flow.
fn outcome(pool: &UserPool, flow: Option<SignInFlow>, done: Driven) -> SignInOutcome {
    match done {
        Driven::Step(step) => SignInOutcome::NextStep(SignIn {
            pool: pool.clone(),
            flow,
            step,
        }),
        Driven::Done(user) => SignInOutcome::SignedIn(user),
    }
}

enum Driven {
    Step(NextStep),
    Done(User),
}

async fn drive(pool: &UserPool, flow: &mut SignInFlow, mut event: Event) -> Result<Driven, Error> {
    loop {
        event = match event {
            Event::Send(request) => {
                let response = pool.sender().send(request).await?;
                flow.handle_response(pool.core(), response)?
            }
            Event::Step(step) => return Ok(Driven::Step(step)),
            Event::Done(done) => {
                let completed = pool.core().finish_sign_in(flow, done)?;
                let user = pool.user(completed.username);
                if completed.mark_remembered {
                    Completed::report(user.remember_device().await);
                }
                return Ok(Driven::Done(user));
            }
        }
    }
}

impl UserPool {
    /// Sign in with a username and password through the core's SRP flow ([`Start::srp`]: the
    /// password never leaves this process). A remembered device of the user is used
    /// automatically, also when `username` is an alias such as the email address.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<SignInOutcome, Error> {
        self.sign_in_with(Start::srp(username, password)).await
    }

    /// Start any sign-in the core supports: SRP, plain password, custom auth, choice-based
    /// (`USER_AUTH`), or automatic sign-in after sign-up. See [`Start`].
    pub async fn sign_in_with(&self, start: Start) -> Result<SignInOutcome, Error> {
        let (mut flow, event) = self.core().start_sign_in(start)?;
        let done = drive(self, &mut flow, event).await?;
        Ok(outcome(self, Some(flow), done))
    }
}
