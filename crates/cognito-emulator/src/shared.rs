//! The state every request and handle shares, and the one path every operation takes:
//! validated once, run under the lock (again after each trigger it reaches, which runs
//! without the lock), its tokens signed after the lock is released, its changes stored.

use std::cell::RefCell;
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::state::{FaultRule, State, Step};
use crate::{
    ApiError, Fault, Message, ServerLimits, api, model, ops, persist, srp_server, state, tokens,
    triggers, util,
};

/// What an operation run by [`Shared::run_passes`] tells the triggers it reaches.
pub(crate) struct Pass<'a> {
    /// The operation's name (for events and message sources).
    pub op: &'a str,
    pub client_id: Option<&'a str>,
    pub client_metadata: Option<Value>,
    /// Run by the hosted sign-in pages (see [`Shared::dispatch_hosted`]).
    pub hosted: bool,
    /// The pre token generation source of the tokens it mints, when the operation does not
    /// choose one itself.
    pub token_source: Option<&'static str>,
}

/// Trigger invocations one operation may make before it is considered stuck.
const MAX_TRIGGER_PASSES: usize = 32;

thread_local! {
    /// Why a lock taken on this thread found a state that cannot be trusted (see
    /// [`Shared::distrusting`]); set only then.
    static DISTRUSTED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// State shared by the server tasks and the handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// The data directory, when the state is durable.
    pub(crate) store: Option<persist::Store>,
    /// The HTTP server's bounds (the body limit applies to [`Service::handle`] too).
    pub(crate) limits: ServerLimits,
    /// Origins (`scheme://host[:port]`, lowercase) whose web pages may call every operation
    /// and the hooks, besides the pages of this machine.
    pub(crate) trusted_origins: Vec<String>,
    /// Whether the state has a seeded generator. It is set when the emulator is built and
    /// kept by every reset, so work that draws random values before taking the lock (request
    /// ids, the server's SRP ephemeral) can ask here instead of taking the lock to find out.
    seeded: bool,
    /// Whether every pool signs with the emulator's fixed keys (set when it is built).
    fixed_keys: bool,
}

/// The locked state. While it is held, the emulator's seeded generator (if any) is the source
/// of every random value drawn on this thread, so a seeded emulator is reproducible.
pub(crate) struct StateGuard<'a> {
    guard: MutexGuard<'a, State>,
    /// Why the state could not be reloaded from the data directory after a failed write
    /// (it then still holds the refused changes): an operation answers it instead of running.
    unreadable: Option<String>,
    /// Dropped after `guard` (fields drop in order): waits, without the lock, until the
    /// changes made under it are durable.
    settle: Settle<'a>,
}

/// The wait of a [`StateGuard`] for the data directory.
struct Settle<'a> {
    store: Option<&'a persist::Store>,
    pending: Option<persist::Pending>,
    /// Where the wait is handed over instead of waiting when the lock is released.
    later: Option<&'a Deferred<'a>>,
}

impl Drop for Settle<'_> {
    fn drop(&mut self) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        if let Some(later) = self.later {
            later.add(pending);
        } else if let Some(store) = self.store {
            // On the HTTP server this only notes the batches, and the server's wait for them
            // answers a refusal; set-up asks `Shared::check_store`.
            let _ = store.settle(pending);
        }
    }
}

/// The changes of the locks an operation released, waited for once its answer is ready: the
/// commit's fsync then overlaps the signing of the operation's tokens. Dropping it waits, so
/// no answer (an error included) leaves before the changes made for it are durable.
pub(crate) struct Deferred<'a> {
    store: Option<&'a persist::Store>,
    pending: RefCell<Option<persist::Pending>>,
    /// Why a change handed over was refused by the data directory.
    refused: RefCell<Option<String>>,
}

impl Deferred<'_> {
    fn add(&self, pending: persist::Pending) {
        let mut slot = self.pending.borrow_mut();
        *slot = Some(match slot.take() {
            Some(earlier) => earlier.merge(pending),
            None => pending,
        });
    }

    /// Fails if a change handed over so far is already known to be refused (without waiting).
    fn check(&self) -> Result<(), ApiError> {
        let pending = self.pending.borrow();
        match (self.store, pending.as_ref()) {
            (Some(store), Some(pending)) => match store.refusal(pending) {
                Some(e) => Err(api::internal(e)),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Waits until every change handed over so far is durable; fails if one was refused.
    fn wait(&self) -> Result<(), ApiError> {
        let pending = self.pending.borrow_mut().take();
        if let (Some(store), Some(pending)) = (self.store, pending)
            && let Err(e) = store.settle(pending)
        {
            *self.refused.borrow_mut() = Some(e);
        }
        match self.refused.borrow().as_ref() {
            Some(e) => Err(api::internal(e)),
            None => Ok(()),
        }
    }
}

impl Drop for Deferred<'_> {
    fn drop(&mut self) {
        let _ = self.wait();
    }
}

impl std::ops::Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard
    }
}

impl std::ops::DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        debug_assert!(
            std::thread::panicking() || !self.guard.has_unsigned(),
            "tokens minted under the lock must be signed by `Shared::dispatch`"
        );
        if let Some(rng) = util::take_rng() {
            *self.guard.rng_slot() = Some(rng);
        }
        if let Some(store) = self.settle.store {
            self.settle.pending = Some(store.capture(&self.guard));
        }
    }
}

impl StateGuard<'_> {
    /// A copy of the state with the generator at its current position.
    pub(crate) fn clone_state(&self) -> State {
        let mut copy = (*self.guard).clone();
        if let Some(rng) = util::take_rng() {
            copy.set_rng(Some(rng.clone()));
            util::install_rng(rng);
        }
        copy
    }
}

impl Shared {
    pub(crate) fn new(state: State) -> Shared {
        Shared {
            seeded: state.is_seeded(),
            fixed_keys: state.has_fixed_keys(),
            state: Mutex::new(state),
            store: None,
            limits: ServerLimits::default(),
            trusted_origins: Vec::new(),
        }
    }

    /// Whether random values must come from the state's seeded generator (under the lock).
    pub(crate) fn seeded(&self) -> bool {
        self.seeded
    }

    pub(crate) fn lock(&self) -> StateGuard<'_> {
        self.lock_with(None)
    }

    /// [`Shared::lock`] whose release hands its wait for the data directory to `later`.
    fn lock_deferring<'a>(&'a self, later: &'a Deferred<'a>) -> StateGuard<'a> {
        self.lock_with(Some(later))
    }

    fn lock_with<'a>(&'a self, later: Option<&'a Deferred<'a>>) -> StateGuard<'a> {
        // A panic while holding the lock must not wedge the emulator for other tests.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // After a failed write, the first holder of the lock makes the state what the data
        // directory holds before anything reads it (one atomic load otherwise).
        let unreadable = match &self.store {
            Some(store) if store.needs_recovery() => store.recover(&mut guard).err(),
            _ => None,
        };
        if let Some(e) = &unreadable {
            DISTRUSTED.with(|d| *d.borrow_mut() = Some(e.clone()));
        }
        if let Some(rng) = guard.rng_slot().take() {
            util::install_rng(rng);
        }
        if self.store.is_some() {
            state::changes::begin();
        }
        StateGuard {
            guard,
            unreadable,
            settle: Settle {
                store: self.store.as_ref(),
                pending: None,
                later,
            },
        }
    }

    /// Runs `f`, which takes the state lock through [`Shared::lock`] (the hooks, the OAuth
    /// endpoints and hosted pages, `.well-known`), and fails instead if one of its locks found
    /// a state that holds refused changes (the data directory could not be read again after a
    /// failed write): what `f` read may be such a change. Operations check this themselves
    /// (`run_passes`).
    pub(crate) fn distrusting<R>(&self, f: impl FnOnce() -> R) -> Result<R, ApiError> {
        if self.store.is_none() {
            return Ok(f());
        }
        DISTRUSTED.with(|d| d.borrow_mut().take());
        let result = f();
        match DISTRUSTED.with(|d| d.borrow_mut().take()) {
            Some(e) => Err(api::internal(e)),
            None => Ok(result),
        }
    }

    /// Fails when the data directory could not be written and the state was not reloaded
    /// from it since (set-up checks this after applying a seed or configuration).
    pub(crate) fn check_store(&self) -> Result<(), ApiError> {
        match self.store.as_ref().and_then(persist::Store::failure) {
            Some(e) => Err(api::internal(e)),
            None => Ok(()),
        }
    }

    /// Runs one operation under the state lock, then signs the tokens it minted once the lock
    /// is released: RSA signing is most of a sign-in's CPU, and outside the lock requests are
    /// signed in parallel while others use the state. For the same reason the SRP arithmetic of
    /// a password-verifier answer runs before the lock is taken (`precompute_claim`), and so
    /// does `g^b` of an SRP sign-in's `B` (`prepare_ephemeral`).
    pub(crate) fn dispatch(
        &self,
        service: model::Service,
        op: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        model::validate(service, op, body)?;
        self.dispatch_valid(service, op, body)
    }

    /// [`Shared::dispatch`] for a body that [`model::validate`] accepted.
    pub(crate) fn dispatch_valid(
        &self,
        service: model::Service,
        op: &str,
        body: &serde_json::Map<String, Value>,
    ) -> Result<Value, ApiError> {
        self.dispatch_as(service, op, body, false)
    }

    /// An operation run by the hosted sign-in pages on the user's behalf (`hosted`): the
    /// operation skips the app client's `ExplicitAuthFlows` check and ends a successful
    /// sign-in without minting tokens (the OAuth layer issues an authorization code).
    pub(crate) fn dispatch_hosted(
        &self,
        op: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        model::validate(model::Service::UserPools, op, body)?;
        self.dispatch_as(model::Service::UserPools, op, body, true)
    }

    fn dispatch_as(
        &self,
        service: model::Service,
        op: &str,
        body: &Map<String, Value>,
        hosted: bool,
    ) -> Result<Value, ApiError> {
        let precomputed = match (service, op) {
            (
                model::Service::UserPools,
                "RespondToAuthChallenge" | "AdminRespondToAuthChallenge",
            ) => precompute_claim(self, body),
            _ => None,
        };
        // Likewise `g^b` of an SRP sign-in's `B`.
        let _prepared = match (service, op) {
            (model::Service::UserPools, "InitiateAuth" | "AdminInitiateAuth") => {
                srp_server::prepare_ephemeral(self.seeded, body)
            }
            _ => None,
        };
        // With a data directory, a new pool's keys are generated before the lock is taken, so
        // that the pool and its keys are stored in the same batch: a refused or interrupted
        // write then leaves neither, never a pool without keys (see `persist::Store::capture`).
        let new_pool_keys = match (service, op) {
            (model::Service::UserPools, "CreateUserPool")
                if self.store.is_some() && !self.fixed_keys =>
            {
                let keys = tokens::lazy_keys(None);
                tokens::keys(&keys).map_err(api::internal)?;
                Some(keys)
            }
            _ => None,
        };
        let pass = Pass {
            op,
            client_id: body.get("ClientId").and_then(Value::as_str),
            client_metadata: body.get("ClientMetadata").cloned(),
            hosted,
            token_source: None,
        };
        self.run_passes(&pass, |st| {
            st.set_precomputed_claim(precomputed.clone());
            st.set_new_pool_keys(new_pool_keys.clone());
            ops::dispatch_valid(st, service, op, body)
        })
    }

    /// Runs `f` under the state lock until it no longer stops at a trigger whose answer it
    /// needs (the trigger runs without the lock, then `f` runs again with every answer so
    /// far), then runs the deferred triggers and signs the minted tokens outside the lock.
    pub(crate) fn run_passes(
        &self,
        pass: &Pass<'_>,
        mut f: impl FnMut(&mut State) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        // An operation that reaches a trigger whose answer it needs stops there; the trigger
        // runs without the lock and the operation runs again with every answer so far.
        let mut answers = Vec::new();
        let mut restore: Vec<(String, state::AuthSession)> = Vec::new();
        let mut passes = 0;
        let later = Deferred {
            store: self.store.as_ref(),
            pending: RefCell::new(None),
            refused: RefCell::new(None),
        };
        let (result, mut unsigned, deferred, at_hash) = loop {
            passes += 1;
            let mut st = self.lock_deferring(&later);
            if let Some(e) = st.unreadable.take() {
                return Err(api::internal(e));
            }
            // Sign-in sessions the previous pass consumed before it stopped at a trigger.
            for (sid, sess) in std::mem::take(&mut restore) {
                st.sessions_mut().insert(sid, sess);
            }
            let run = state::Run {
                op: pass.op.to_string(),
                client_id: pass.client_id.map(str::to_string),
                client_metadata: pass.client_metadata.clone(),
                answers: std::mem::take(&mut answers),
                hosted: pass.hosted,
                token_source: pass.token_source,
                ..state::Run::default()
            };
            st.begin_operation(run);
            let result = f(&mut st);
            let (mut run, unsigned) = st.end_operation();
            match run.pending.take() {
                Some(inv) if passes < MAX_TRIGGER_PASSES => {
                    drop(st);
                    // A failed trigger leaves the consumed session consumed, as any failed
                    // answer to a challenge does.
                    let answer = triggers::invoke(&inv)?;
                    restore = run.restore;
                    answers = run.answers;
                    answers.push((inv.trigger, answer));
                }
                Some(_) => {
                    return Err(api::internal(
                        "too many trigger invocations in one operation",
                    ));
                }
                None => break (result, unsigned, run.deferred, run.at_hash),
            }
        };
        if result.is_err() {
            // An error answer waits here, so that a failed write turns it into an internal
            // error; a success waits after signing its tokens.
            later.wait()?;
        }
        let mut response = result?;
        // A write already refused (the store failed before it was queued) runs no deferred
        // trigger.
        later.check()?;
        triggers::run_deferred(deferred, &mut unsigned, |index, code, message, subject| {
            let mut st = self.lock();
            if let Some(m) = st.message_mut(index)
                && m.code == code
            {
                m.message = message;
                m.subject = subject;
            }
        })?;
        tokens::link_at_hash(&mut unsigned, &at_hash);
        tokens::sign_all(&mut response, unsigned).map_err(api::internal)?;
        later.wait()?;
        Ok(response)
    }

    pub(crate) fn messages(&self, username: Option<&str>) -> Vec<Message> {
        let st = self.lock();
        st.messages()
            .iter()
            .filter(|m| username.is_none_or(|u| m.username == u || m.destination == u))
            .cloned()
            .collect()
    }

    pub(crate) fn inject_fault(&self, fault: Fault) {
        let remaining = fault.count;
        if remaining > 0 {
            self.lock().add_fault(FaultRule { fault, remaining });
        }
    }
}

/// The first phase of a `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` answer: find the
/// handshake under a short lock, then compute the expected signature without it. The
/// operation itself runs later under the lock as always, checks everything again, and uses
/// this result only for the same handshake (see `verify_claim`).
fn precompute_claim(
    shared: &crate::Shared,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Option<srp_server::PrecomputedClaim> {
    let name = body.get("ChallengeName")?.as_str()?;
    if name != "PASSWORD_VERIFIER" && name != "DEVICE_PASSWORD_VERIFIER" {
        return None;
    }
    let answers = body.get("ChallengeResponses")?.as_object()?;
    let text = |k: &str| answers.get(k).and_then(Value::as_str);
    let timestamp = text("TIMESTAMP")?;
    let block = text("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let hs = {
        let st = shared.lock();
        let sid = match body.get("Session").and_then(Value::as_str) {
            Some(s) => s.to_string(),
            None => st.sessions().by_secret_block(block)?.to_string(),
        };
        match &st.sessions().get(&sid)?.step {
            Step::PasswordVerifier(hs) | Step::DevicePasswordVerifier(hs, _) => hs.clone(),
            _ => return None,
        }
    };
    if !srp_server::ct_eq(block, &hs.secret_block_b64)
        || srp_server::prim::parse_timestamp(timestamp).is_none()
    {
        return None;
    }
    let expected = hs.expected_signature(timestamp);
    Some(srp_server::PrecomputedClaim {
        secret_block_b64: hs.secret_block_b64.clone(),
        timestamp: timestamp.to_string(),
        expected,
    })
}
