//! The trigger side of the state: the Rust handlers and the Lambda endpoint that a pool's
//! triggers run on, and the bookkeeping of the operation being dispatched (the answers it got,
//! the invocation it stopped at, the work left for after the lock is released). The runner
//! in `crate::triggers` fills and reads these; they live here because the state keeps them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::values::{DEFAULT_TIMEOUT, Trigger, TriggerFn};

/// Where the emulator sends trigger events and how long it waits.
#[derive(Clone, Debug)]
pub(crate) struct LambdaSettings {
    /// Base URL of a Lambda-Invoke-compatible server (`sam local start-lambda`, ...).
    pub endpoint: Option<String>,
    pub timeout: Duration,
}

impl Default for LambdaSettings {
    fn default() -> Self {
        LambdaSettings {
            endpoint: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Rust triggers of every pool, by pool id.
pub(crate) type Handlers = HashMap<String, BTreeMap<Trigger, Arc<TriggerFn>>>;

/// How one trigger of a pool runs.
#[derive(Clone)]
pub(crate) enum Target {
    Closure(Arc<TriggerFn>),
    Lambda {
        endpoint: String,
        function: String,
        qualifier: Option<String>,
        timeout: Duration,
    },
    /// Configured in `LambdaConfig`, but the emulator has no Lambda endpoint.
    Unreachable {
        function: String,
    },
}

/// One invocation to make outside the lock.
#[derive(Clone)]
pub(crate) struct Invocation {
    pub trigger: Trigger,
    pub target: Target,
    pub event: Value,
}

/// Work collected while an operation runs, done once the lock is released.
pub(crate) enum Deferred {
    /// A trigger whose answer does not matter, only its failure.
    Notify(Invocation),
    /// A custom message: patches the delivered message at `index` of the messages hook.
    Message {
        inv: Invocation,
        index: usize,
        code: String,
        username: String,
        medium: String,
    },
    /// Pre token generation for a pair of minted tokens.
    Tokens(Box<TokenJob>),
}

/// A pair of tokens waiting for the pre token generation trigger.
pub(crate) struct TokenJob {
    pub inv: Invocation,
    pub version: u8,
    pub keys: crate::tokens::LazyKeys,
    pub id_claims: Map<String, Value>,
    pub access_claims: Map<String, Value>,
    pub id_placeholder: String,
    pub access_placeholder: String,
}

/// The trigger bookkeeping of the operation being dispatched.
#[derive(Default)]
pub(crate) struct Run {
    /// The operation's name, `ClientId` and `ClientMetadata` (for events and message sources).
    pub op: String,
    pub client_id: Option<String>,
    pub client_metadata: Option<Value>,
    /// Answers of earlier passes, in the order the operation asked for them.
    pub answers: Vec<(Trigger, Map<String, Value>)>,
    pub cursor: usize,
    /// The invocation the operation stopped at.
    pub pending: Option<Invocation>,
    pub deferred: Vec<Deferred>,
    /// Sign-in sessions the operation consumed: put back when it stops at a trigger, so the
    /// next pass finds them.
    pub restore: Vec<(String, super::AuthSession)>,
    /// The pre token generation source of the tokens the operation mints.
    pub token_source: Option<&'static str>,
    /// Run by the hosted sign-in pages: a successful sign-in ends without tokens.
    pub hosted: bool,
    /// (ID token, access token) placeholders of pairs whose ID token gets the `at_hash` of
    /// its access token once that is signed.
    pub at_hash: Vec<(String, String)>,
}

impl Clone for Run {
    /// A copy of the state between operations has no run in progress.
    fn clone(&self) -> Self {
        Run::default()
    }
}
