//! Custom-auth triggers as Rust closures (the Define/Create/VerifyAuthChallenge Lambdas).
//!
//! Plug them into a pool with [`crate::EmulatorHandle::set_custom_auth`]. The closures run
//! while the emulator holds its state lock: they must not call back into the handle.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// One earlier round of the current custom-auth sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeResult {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub challenge_name: String,
    /// Whether the round was answered correctly.
    pub challenge_result: bool,
    /// The metadata CreateAuthChallenge attached to the round.
    pub challenge_metadata: Option<String>,
}

/// What DefineAuthChallenge sees.
#[derive(Clone, Debug)]
pub struct DefineInput {
    /// The internal username.
    pub username: String,
    /// The user's attributes (including `sub`).
    pub user_attributes: BTreeMap<String, String>,
    /// Earlier rounds, oldest first.
    pub session: Vec<ChallengeResult>,
    /// The request's `ClientMetadata`.
    pub client_metadata: BTreeMap<String, String>,
}

/// What DefineAuthChallenge decides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefineOutput {
    /// Issue tokens now.
    pub issue_tokens: bool,
    /// Fail the sign-in with `NotAuthorizedException`.
    pub fail_authentication: bool,
    /// The next challenge: `CUSTOM_CHALLENGE` or `PASSWORD_VERIFIER`.
    pub challenge_name: Option<String>,
}

/// What CreateAuthChallenge sees.
#[derive(Clone, Debug)]
pub struct CreateInput {
    /// The internal username.
    pub username: String,
    /// The user's attributes.
    pub user_attributes: BTreeMap<String, String>,
    /// The challenge being created (`CUSTOM_CHALLENGE`).
    pub challenge_name: String,
    /// Earlier rounds.
    pub session: Vec<ChallengeResult>,
    /// The request's `ClientMetadata`.
    pub client_metadata: BTreeMap<String, String>,
}

/// What CreateAuthChallenge returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOutput {
    /// Sent to the client as `ChallengeParameters` (plus `USERNAME`).
    pub public_challenge_parameters: BTreeMap<String, String>,
    /// Kept on the server and handed to VerifyAuthChallengeResponse.
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// Recorded in the round's [`ChallengeResult`].
    pub challenge_metadata: Option<String>,
}

/// What VerifyAuthChallengeResponse sees.
#[derive(Clone, Debug)]
pub struct VerifyInput {
    /// The internal username.
    pub username: String,
    /// The user's attributes.
    pub user_attributes: BTreeMap<String, String>,
    /// CreateAuthChallenge's private parameters.
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// The client's `ANSWER`.
    pub challenge_answer: String,
    /// The request's `ClientMetadata`.
    pub client_metadata: BTreeMap<String, String>,
}

type DefineFn = dyn Fn(&DefineInput) -> DefineOutput + Send + Sync;
type CreateFn = dyn Fn(&CreateInput) -> CreateOutput + Send + Sync;
type VerifyFn = dyn Fn(&VerifyInput) -> bool + Send + Sync;

/// The three custom-auth triggers of a pool.
#[derive(Clone)]
pub struct CustomAuth {
    pub(crate) define: Arc<DefineFn>,
    pub(crate) create: Arc<CreateFn>,
    pub(crate) verify: Arc<VerifyFn>,
}

impl CustomAuth {
    /// Builds the triggers from three closures.
    pub fn new(
        define: impl Fn(&DefineInput) -> DefineOutput + Send + Sync + 'static,
        create: impl Fn(&CreateInput) -> CreateOutput + Send + Sync + 'static,
        verify: impl Fn(&VerifyInput) -> bool + Send + Sync + 'static,
    ) -> Self {
        CustomAuth {
            define: Arc::new(define),
            create: Arc::new(create),
            verify: Arc::new(verify),
        }
    }
}

impl fmt::Debug for CustomAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomAuth { .. }")
    }
}
