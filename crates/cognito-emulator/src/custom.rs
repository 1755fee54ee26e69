//! Custom-auth triggers as Rust closures (the Define/Create/VerifyAuthChallenge Lambdas).
//!
//! Plug them into a pool with [`crate::Service::set_custom_auth`]. They are typed views of
//! the JSON trigger handlers of [`crate::Service::set_trigger`] (the same events a Lambda
//! function receives), and run without the emulator's lock.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::triggers::Trigger;

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

fn str_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let s = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn session(v: &Value) -> Vec<ChallengeResult> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| ChallengeResult {
                    challenge_name: r["challengeName"].as_str().unwrap_or_default().to_string(),
                    challenge_result: r["challengeResult"].as_bool().unwrap_or(false),
                    challenge_metadata: r["challengeMetadata"].as_str().map(str::to_string),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn with_response(event: &Value, response: Value) -> Value {
    let mut e = event.clone();
    e["response"] = response;
    e
}

fn string_obj(m: BTreeMap<String, String>) -> Value {
    Value::Object(
        m.into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect::<Map<_, _>>(),
    )
}

type Handler = Arc<crate::triggers::TriggerFn>;

impl CustomAuth {
    /// The three closures as JSON trigger handlers.
    pub(crate) fn handlers(&self) -> [(Trigger, Handler); 3] {
        let define = self.define.clone();
        let create = self.create.clone();
        let verify = self.verify.clone();
        let username = |e: &Value| e["userName"].as_str().unwrap_or_default().to_string();
        [
            (
                Trigger::DefineAuthChallenge,
                Arc::new(move |e: &Value| -> Result<Value, String> {
                    let r = &e["request"];
                    let out = define(&DefineInput {
                        username: username(e),
                        user_attributes: str_map(&r["userAttributes"]),
                        session: session(&r["session"]),
                        client_metadata: str_map(&r["clientMetadata"]),
                    });
                    Ok(with_response(
                        e,
                        json!({"challengeName": out.challenge_name,
                               "issueTokens": out.issue_tokens,
                               "failAuthentication": out.fail_authentication}),
                    ))
                }),
            ),
            (
                Trigger::CreateAuthChallenge,
                Arc::new(move |e: &Value| -> Result<Value, String> {
                    let r = &e["request"];
                    let out = create(&CreateInput {
                        username: username(e),
                        user_attributes: str_map(&r["userAttributes"]),
                        challenge_name: r["challengeName"].as_str().unwrap_or_default().to_string(),
                        session: session(&r["session"]),
                        client_metadata: str_map(&r["clientMetadata"]),
                    });
                    Ok(with_response(
                        e,
                        json!({"publicChallengeParameters": string_obj(out.public_challenge_parameters),
                               "privateChallengeParameters": string_obj(out.private_challenge_parameters),
                               "challengeMetadata": out.challenge_metadata}),
                    ))
                }),
            ),
            (
                Trigger::VerifyAuthChallengeResponse,
                Arc::new(move |e: &Value| -> Result<Value, String> {
                    let r = &e["request"];
                    let correct = verify(&VerifyInput {
                        username: username(e),
                        user_attributes: str_map(&r["userAttributes"]),
                        private_challenge_parameters: str_map(&r["privateChallengeParameters"]),
                        challenge_answer: r["challengeAnswer"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        client_metadata: str_map(&r["clientMetadata"]),
                    });
                    Ok(with_response(e, json!({"answerCorrect": correct})))
                }),
            ),
        ]
    }
}

impl fmt::Debug for CustomAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomAuth { .. }")
    }
}
