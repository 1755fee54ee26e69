//! Sign-in as a [`Task`] around the core's state machine: which remembered device to present,
//! the requests the machine asks for, what to store when it completes, and marking a new
//! device remembered when the pool waits for the user's confirmation.

use cognito_proto::ops;
use cognito_proto::signin::{self, Answer, Event, NextStep, Start};

use crate::error::Error;
use crate::pool::Ctx;
use crate::task::{Call, Input, Step, Task, call};

/// Where a sign-in stands after a call, with the driver's pending sign-in `P` and user
/// handle `U` (each driver names it `SignInOutcome`).
#[derive(Debug)]
#[must_use]
pub enum SignInOutcome<P, U> {
    /// The user must do something: see the pending sign-in's `next_step`, then `answer` it.
    Pending(P),
    /// Signed in; the tokens (and a remembered device) are stored.
    SignedIn(U),
}

impl<P, U> SignInOutcome<P, U> {
    /// The signed-in user, if the sign-in is complete.
    pub fn signed_in(self) -> Option<U> {
        match self {
            SignInOutcome::SignedIn(user) => Some(user),
            SignInOutcome::Pending(_) => None,
        }
    }

    /// The pending sign-in, if the user must do something.
    pub fn pending(self) -> Option<P> {
        match self {
            SignInOutcome::Pending(pending) => Some(pending),
            SignInOutcome::SignedIn(_) => None,
        }
    }
}

/// A sign-in in progress: the core's flow and the name the user typed (which may be an alias
/// of Cognito's internal username).
pub struct OpenSignIn {
    flow: Box<signin::SignInFlow>,
    typed: String,
}

impl std::fmt::Debug for OpenSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSignIn").finish_non_exhaustive()
    }
}

impl OpenSignIn {
    /// The core's flow.
    pub fn core(&self) -> &signin::SignInFlow {
        &self.flow
    }

    /// The name the user typed.
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// A flow resumed from `flow`, started as `typed`.
    pub fn from_parts(flow: signin::SignInFlow, typed: String) -> Self {
        OpenSignIn {
            flow: Box::new(flow),
            typed,
        }
    }
}

/// How far a sign-in call got.
#[derive(Debug)]
pub enum Progress {
    /// The user must complete this step; the flow waits for the answer.
    Step(NextStep),
    /// Signed in as this internal username; tokens stored.
    SignedIn(String),
}

/// What a sign-in task returns: the flow (kept while it can still be answered, also after an
/// error such as a mistyped code) and how far it got.
pub type Attempt = (Option<OpenSignIn>, Result<Progress, Error>);

enum State {
    Start(Start),
    Answer(OpenSignIn, Answer),
    Sent(OpenSignIn),
    Remembering(String, Call<ops::UpdateDeviceStatus, MakeStatus>),
    Over,
}

type MakeStatus = Box<dyn FnOnce(&Ctx<'_>) -> ops::UpdateDeviceStatus + Send>;

/// The sign-in task: started with [`start`] or continued with [`answer`].
pub struct SignInTask(State);

impl std::fmt::Debug for SignInTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInTask").finish_non_exhaustive()
    }
}

/// Start a sign-in: present the remembered device of the user (see
/// [`SessionBook::device_for_sign_in`](crate::SessionBook::device_for_sign_in)) and, without
/// device tracking, ask the core not to confirm a new device nobody would keep.
pub fn start(start: Start) -> SignInTask {
    SignInTask(State::Start(start))
}

/// Answer the step `flow` waits on.
pub fn answer(flow: OpenSignIn, answer: Answer) -> SignInTask {
    SignInTask(State::Answer(flow, answer))
}

impl Task for SignInTask {
    type Output = Attempt;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<Attempt>, Error> {
        let now = ctx.settings.now();
        let rng = &mut rand::rng();
        match (std::mem::replace(&mut self.0, State::Over), input) {
            (State::Start(start), Input::Start) => {
                let typed = start.username().to_owned();
                let remember = ctx.settings.options().remember_devices;
                let (device, start) = if remember {
                    (
                        ctx.book.device_for_sign_in(&typed)?,
                        start.with_device_lookup(),
                    )
                } else {
                    (None, start.without_device_confirmation())
                };
                let (flow, event) = signin::SignInFlow::start(
                    ctx.settings.config(),
                    ctx.settings.endpoint(),
                    start,
                    device,
                    now,
                    rng,
                )?;
                self.on_event(ctx, OpenSignIn::from_parts(flow, typed), Ok(event))
            }
            (State::Answer(mut flow, answer), Input::Start) => {
                let event = flow.flow.answer(answer, now, rng).map_err(Error::from);
                self.on_event(ctx, flow, event)
            }
            (State::Sent(mut flow), Input::Response(response)) => {
                let event = response.and_then(|r| Ok(flow.flow.handle_response(r, now, rng)?));
                self.on_event(ctx, flow, event)
            }
            (State::Remembering(username, mut call), input) => {
                let result = match call.step(ctx, input).map(Step::forward) {
                    Ok(Ok(step)) => {
                        self.0 = State::Remembering(username, call);
                        return Ok(step);
                    }
                    Ok(Err(_)) => Ok(()),
                    Err(e) => Err(e),
                };
                if let Err(error) = result {
                    // The user is signed in either way; the device is tracked but not
                    // remembered.
                    tracing::warn!(error = %error, "the new device could not be marked as remembered");
                }
                Ok(Step::Done((None, Ok(Progress::SignedIn(username)))))
            }
            _ => Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
                "the sign-in task got an unexpected input",
            ))),
        }
    }
}

impl SignInTask {
    fn on_event(
        &mut self,
        ctx: &Ctx<'_>,
        flow: OpenSignIn,
        event: Result<Event, Error>,
    ) -> Result<Step<Attempt>, Error> {
        let keep = |flow: OpenSignIn| (!flow.flow.is_finished()).then_some(flow);
        match event {
            Err(error) => Ok(Step::Done((keep(flow), Err(error)))),
            Ok(Event::Send(request)) => {
                self.0 = State::Sent(flow);
                Ok(Step::Send(request))
            }
            Ok(Event::Step(step)) => Ok(Step::Done((keep(flow), Ok(Progress::Step(step))))),
            Ok(Event::LookUpDevice { username }) => {
                let mut flow = flow;
                let event = ctx
                    .book
                    .remembered_device(&username)
                    .and_then(|device| Ok(flow.flow.device_found(device)?));
                self.on_event(ctx, flow, event)
            }
            Ok(Event::Done(done)) => {
                let remember = ctx.settings.options().remember_devices;
                let access_token = done.tokens.access_token.clone();
                let stored =
                    match ctx
                        .book
                        .store_sign_in(&flow.typed, done, remember, ctx.settings.now())
                    {
                        Ok(stored) => stored,
                        Err(error) => return Ok(Step::Done((None, Err(error)))),
                    };
                // A refresh in flight must not overwrite the new tokens.
                ctx.reset(&stored.username);
                if !stored.mark_remembered {
                    return Ok(Step::Done((None, Ok(Progress::SignedIn(stored.username)))));
                }
                let device_key = match ctx.book.current_device_key(&stored.username) {
                    Ok(key) => key,
                    Err(error) => {
                        tracing::warn!(error = %error, "the new device could not be marked as remembered");
                        return Ok(Step::Done((None, Ok(Progress::SignedIn(stored.username)))));
                    }
                };
                let make: MakeStatus = Box::new(move |_| {
                    ops::UpdateDeviceStatus::new(
                        access_token,
                        &device_key,
                        ops::DeviceRememberedStatus::Remembered,
                    )
                });
                self.0 = State::Remembering(stored.username, call(make));
                self.step(ctx, Input::Start)
            }
            Ok(_) => Ok(Step::Done((
                None,
                Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
                    "the sign-in flow asked for something this driver does not know",
                ))),
            ))),
        }
    }
}

/// A sign-in paused with [`signin::SignInFlow::pause`], resumed for this pool: the remembered
/// device it presented is looked up again in the store (its password never leaves it).
pub fn resume(paused: signin::PausedSignIn) -> impl Task<Output = (OpenSignIn, NextStep)> + use<> {
    crate::task::local(move |ctx| {
        let device = match paused.device_key() {
            Some(key) => [paused.username(), paused.typed_username()]
                .into_iter()
                .map(|name| ctx.book.remembered_device(name))
                .collect::<Result<Vec<_>, Error>>()?
                .into_iter()
                .flatten()
                .find(|device| device.device_key == key),
            None => None,
        };
        let typed = paused.typed_username().to_owned();
        let step = paused.next_step().clone();
        let flow = signin::SignInFlow::resume(
            ctx.settings.config(),
            ctx.settings.endpoint(),
            paused,
            device,
        )?;
        Ok((OpenSignIn::from_parts(flow, typed), step))
    })
}
