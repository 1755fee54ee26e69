//! Operations as values. A [`Task`] is one user-facing operation (sign-up, change password,
//! sign-out, ...) written once, without IO: it asks its driver to send a request or to get a
//! user's valid tokens, and ends with its result. Each driver runs every task through one
//! loop (`run` with `.await` or without):
//!
//! ```text
//! let mut input = Input::Start;
//! loop {
//!     input = match task.step(&core.ctx(), input)? {
//!         Step::Send(request) => Input::Response(send(request)),
//!         Step::Session(username) => Input::Tokens(session(&username)?),
//!         Step::Done(output) => return Ok(output),
//!     };
//! }
//! ```
//!
//! Tasks own what they carry (`'static`), so an async driver can run a step that touches the
//! session store on a blocking thread.

use std::marker::PhantomData;

use cognito_proto::envelope::{self, Operation, PreparedRequest};
use cognito_proto::session::TokenSet;

pub use crate::credentials::Wait;
use crate::error::Error;
use crate::pool::Ctx;

/// The result of sending a request: the HTTP response (any status) or why none came.
pub type Response = Result<http::Response<Vec<u8>>, Error>;

/// What a driver hands a task.
#[derive(Debug)]
pub enum Input {
    /// The first step.
    Start,
    /// The result of the request of the last [`Step::Send`].
    Response(Response),
    /// The valid tokens asked for by the last [`Step::Session`] (boxed: a token set is large
    /// and inputs move through every step).
    Tokens(Box<TokenSet>),
    /// The wait of the last [`Step::Wait`] is over.
    Woken,
}

/// What a task asks its driver for.
// A step is returned once and matched at once: boxing the request is not worth it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request (with the driver's retries) and hand back [`Input::Response`].
    Send(PreparedRequest),
    /// Get this user's valid tokens (refreshed when due, single-flight) and hand back
    /// [`Input::Tokens`]. A failure ends the task with that error.
    Session(String),
    /// Sleep on the pool's credential signal until [`Wait::is_over`] (another caller is
    /// getting the credentials this task needs), then hand back [`Input::Woken`].
    Wait(Wait),
    /// The task is over.
    Done(T),
}

impl<T> Step<T> {
    /// The same request, for a task with another output; `None` for [`Step::Done`].
    pub(crate) fn forward<U>(self) -> Result<Step<U>, T> {
        match self {
            Step::Send(request) => Ok(Step::Send(request)),
            Step::Session(username) => Ok(Step::Session(username)),
            Step::Wait(wait) => Ok(Step::Wait(wait)),
            Step::Done(output) => Err(output),
        }
    }
}

/// One operation, driven by [`Task::step`] until it returns [`Step::Done`].
pub trait Task: Send + 'static {
    /// What the operation returns.
    type Output: Send + 'static;

    /// The next step, given what the driver did with the last one.
    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<Self::Output>, Error>;

    /// Then run the task `next` makes of this one's output.
    fn then<B, F>(self, next: F) -> Then<Self, F, B>
    where
        Self: Sized,
        B: Task,
        F: FnOnce(&Ctx<'_>, Self::Output) -> Result<B, Error> + Send + 'static,
    {
        Then::First(self, Some(next))
    }

    /// Then turn the output into something else.
    fn map<T, F>(self, f: F) -> Map<Self, F>
    where
        Self: Sized,
        T: Send + 'static,
        F: FnOnce(Self::Output) -> T + Send + 'static,
    {
        Map(self, Some(f))
    }
}

fn misuse(what: &'static str) -> Error {
    Error::Cognito(cognito_proto::error::CoreError::misuse(what))
}

/// See [`Task::then`].
#[derive(Debug)]
pub enum Then<A, F, B> {
    /// Running the first task.
    First(A, Option<F>),
    /// Running the second.
    Second(B),
}

impl<A, B, F> Task for Then<A, F, B>
where
    A: Task,
    B: Task,
    F: FnOnce(&Ctx<'_>, A::Output) -> Result<B, Error> + Send + 'static,
{
    type Output = B::Output;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<B::Output>, Error> {
        match self {
            Then::Second(b) => b.step(ctx, input),
            Then::First(a, next) => match a.step(ctx, input)?.forward() {
                Ok(step) => Ok(step),
                Err(output) => {
                    let next = next
                        .take()
                        .ok_or_else(|| misuse("a finished task resumed"))?;
                    let mut b = next(ctx, output)?;
                    let step = b.step(ctx, Input::Start);
                    *self = Then::Second(b);
                    step
                }
            },
        }
    }
}

/// See [`Task::map`].
#[derive(Debug)]
pub struct Map<A, F>(A, Option<F>);

impl<A, T, F> Task for Map<A, F>
where
    A: Task,
    T: Send + 'static,
    F: FnOnce(A::Output) -> T + Send + 'static,
{
    type Output = T;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<T>, Error> {
        match self.0.step(ctx, input)?.forward() {
            Ok(step) => Ok(step),
            Err(output) => {
                let f = self
                    .1
                    .take()
                    .ok_or_else(|| misuse("a finished task resumed"))?;
                Ok(Step::Done(f(output)))
            }
        }
    }
}

/// A task without IO: `f` runs on the first step (it may read or write the store).
pub fn local<T, F>(f: F) -> Local<F>
where
    T: Send + 'static,
    F: FnOnce(&Ctx<'_>) -> Result<T, Error> + Send + 'static,
{
    Local(Some(f))
}

/// See [`local`].
#[derive(Debug)]
pub struct Local<F>(Option<F>);

impl<T, F> Task for Local<F>
where
    T: Send + 'static,
    F: FnOnce(&Ctx<'_>) -> Result<T, Error> + Send + 'static,
{
    type Output = T;

    fn step(&mut self, ctx: &Ctx<'_>, _input: Input) -> Result<Step<T>, Error> {
        let f = self
            .0
            .take()
            .ok_or_else(|| misuse("a finished task resumed"))?;
        Ok(Step::Done(f(ctx)?))
    }
}

/// The valid tokens of `username`.
pub fn session(username: impl Into<String>) -> Session {
    Session(Some(username.into()))
}

/// See [`session`].
#[derive(Debug)]
pub struct Session(Option<String>);

impl Task for Session {
    type Output = TokenSet;

    fn step(&mut self, _ctx: &Ctx<'_>, input: Input) -> Result<Step<TokenSet>, Error> {
        match (input, self.0.take()) {
            (Input::Start, Some(username)) => Ok(Step::Session(username)),
            (Input::Tokens(tokens), None) => Ok(Step::Done(*tokens)),
            _ => Err(misuse("the session task got an unexpected input")),
        }
    }
}

/// Send the operation `make` builds (from the pool's configuration) and decode its answer.
pub fn call<O, F>(make: F) -> Call<O, F>
where
    O: Operation + 'static,
    O::Output: Send + 'static,
    F: FnOnce(&Ctx<'_>) -> O + Send + 'static,
{
    Call(Some(make), PhantomData)
}

/// See [`call`].
pub struct Call<O, F>(Option<F>, PhantomData<fn() -> O>);

impl<O, F> std::fmt::Debug for Call<O, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Call").finish_non_exhaustive()
    }
}

impl<O, F> Task for Call<O, F>
where
    O: Operation + 'static,
    O::Output: Send + 'static,
    F: FnOnce(&Ctx<'_>) -> O + Send + 'static,
{
    type Output = O::Output;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<O::Output>, Error> {
        match input {
            Input::Start => {
                let make = self
                    .0
                    .take()
                    .ok_or_else(|| misuse("a finished task resumed"))?;
                Ok(Step::Send(envelope::encode(
                    ctx.settings.endpoint(),
                    &make(ctx),
                )))
            }
            Input::Response(response) => Ok(Step::Done(envelope::decode::<O>(&response?)?)),
            Input::Tokens(_) | Input::Woken => Err(misuse("a call got tokens or a wake-up")),
        }
    }
}

/// Send the request `make` builds, when it builds one, and hand its result to `handle`.
pub fn exchange<T, M, H>(make: M, handle: H) -> Exchange<M, H>
where
    T: Send + 'static,
    M: FnOnce(&Ctx<'_>) -> Result<Option<PreparedRequest>, Error> + Send + 'static,
    H: FnOnce(&Ctx<'_>, Option<Response>) -> Result<T, Error> + Send + 'static,
{
    Exchange(Some(make), Some(handle))
}

/// See [`exchange`].
#[derive(Debug)]
pub struct Exchange<M, H>(Option<M>, Option<H>);

impl<T, M, H> Task for Exchange<M, H>
where
    T: Send + 'static,
    M: FnOnce(&Ctx<'_>) -> Result<Option<PreparedRequest>, Error> + Send + 'static,
    H: FnOnce(&Ctx<'_>, Option<Response>) -> Result<T, Error> + Send + 'static,
{
    type Output = T;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<T>, Error> {
        let response = match input {
            Input::Start => {
                let make = self
                    .0
                    .take()
                    .ok_or_else(|| misuse("a finished task resumed"))?;
                match make(ctx)? {
                    Some(request) => return Ok(Step::Send(request)),
                    None => None,
                }
            }
            Input::Response(response) => Some(response),
            Input::Tokens(_) | Input::Woken => {
                return Err(misuse("an exchange got tokens or a wake-up"));
            }
        };
        let handle = self
            .1
            .take()
            .ok_or_else(|| misuse("a finished task resumed"))?;
        Ok(Step::Done(handle(ctx, response)?))
    }
}

/// Run `task` to its end with `send`, `session` and `wait` as the driver's IO, synchronously.
/// The blocking driver's loop; also what tests drive tasks with.
pub fn run_blocking<T: Task>(
    ctx: &Ctx<'_>,
    mut task: T,
    mut send: impl FnMut(PreparedRequest) -> Response,
    mut session: impl FnMut(&str) -> Result<TokenSet, Error>,
    mut wait: impl FnMut(Wait),
) -> Result<T::Output, Error> {
    let mut input = Input::Start;
    loop {
        input = match task.step(ctx, input)? {
            Step::Send(request) => Input::Response(send(request)),
            Step::Session(username) => Input::Tokens(Box::new(session(&username)?)),
            Step::Wait(w) => {
                wait(w);
                Input::Woken
            }
            Step::Done(output) => return Ok(output),
        };
    }
}
