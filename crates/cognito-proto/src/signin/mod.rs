//! Sign-in: one explicit state machine for every way into a Cognito user pool.
//!
//! A [`SignInFlow`] never performs IO. It hands out requests ([`Event::Send`]), questions for the
//! user ([`Event::Step`]) and finally the tokens ([`Event::Done`]); the driver sends, asks and
//! feeds the answers back:
//!
//! ```text
//! let (mut flow, mut event) = SignInFlow::start(&config, &endpoint, start, device, now, &mut rng)?;
//! loop {
//!     event = match event {
//!         Event::Send(request) => flow.handle_response(send(request)?, now, &mut rng)?,
//!         Event::Step(step) => flow.answer(ask_user(step), now, &mut rng)?,
//!         Event::Done(signed_in) => break signed_in,
//!     };
//! }
//! ```
//!
//! # Starts
//! [`Start::srp`] (`USER_SRP_AUTH`, the default), [`Start::password`] (`USER_PASSWORD_AUTH`),
//! [`Start::custom_with_srp`] and [`Start::custom`] (`CUSTOM_AUTH` with or without SRP),
//! [`Start::user_auth`] (`USER_AUTH`, with or without a preferred [`FirstFactor`]) and
//! [`Start::auto_sign_in`] (`USER_AUTH` with the `ConfirmSignUp` session).
//!
//! # States
//! Waiting for a response (only [`SignInFlow::handle_response`] is allowed):
//! - `InitiateAuthSent`: the first request (or the restart without a forgotten device).
//! - `PasswordVerifierSent`: the SRP proof of the password (`PASSWORD_VERIFIER`).
//! - `DeviceSrpAuthSent`: `SRP_A` of the remembered device (`DEVICE_SRP_AUTH`).
//! - `DevicePasswordVerifierSent`: the device's proof (`DEVICE_PASSWORD_VERIFIER`).
//! - `AnswerSent`: a `RespondToAuthChallenge` carrying the user's answer to a step.
//! - `AssociateSoftwareTokenSent`, `VerifySoftwareTokenSent`, `MfaSetupSent`: TOTP
//!   enrolment during `MFA_SETUP`.
//! - `ConfirmDeviceSent`: tokens received with `NewDeviceMetadata`; the new device is being
//!   confirmed with its SRP verifier.
//!
//! Waiting for the user (only [`SignInFlow::answer`] is allowed):
//! - `WaitingForAnswer`: a [`NextStep`] was returned.
//!
//! Over: `Finished` (tokens delivered, [`NextStep::ConfirmSignUp`] /
//! [`NextStep::ResetPassword`] returned, or an error ended the flow).
//!
//! Every reply to `InitiateAuth` / `RespondToAuthChallenge` is dispatched on the
//! `ChallengeName` the server returned, whatever came before: `PASSWORD_VERIFIER`,
//! `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` are answered inside the flow; every other
//! challenge becomes a [`NextStep`]; tokens end the flow. A challenge that follows MFA or MFA
//! setup is handled like any other.
//!
//! # Details that hold on every step
//! - The latest `Session` is sent (each reply replaces it).
//! - `USERNAME` is Cognito's internal username once a challenge named it (`USER_ID_FOR_SRP`,
//!   or `USERNAME` in the challenge parameters), and `SECRET_HASH` (clients with a secret) is
//!   computed over the `USERNAME` of the same request.
//! - `DEVICE_KEY` goes into `InitiateAuth`, the `PASSWORD_VERIFIER` answer and the device
//!   steps. A `ResourceNotFoundException` about the device forgets it
//!   ([`SignedIn::device_forgotten`], [`SignInFlow::device_forgotten`]) and restarts the sign-in
//!   once from `InitiateAuth` without it; no step whose session may have been consumed is
//!   ever sent again.
//! - After a wrong code or a refused new password the flow returns to the same step.

mod machine;
mod params;
mod types;

pub use machine::{PausedSignIn, SignInFlow};
pub use types::{
    Answer, Event, FirstFactor, FirstFactorType, MfaType, NextStep, SignedIn, Start, Tokens,
    TotpSecret,
};
