//! Identity-pool credentials: AWS credentials cached per identity (an identity pool and a
//! signed-in user, or the pool's guest), renewed before they expire, single-flight. However
//! many callers ask at once, one caller (the leader) sends `GetId` (first time only) and
//! `GetCredentialsForIdentity`; the others wait for its result ([`Step::Wait`]) and share its
//! credentials or its error.
//!
//! The identity id is kept with the credentials, so a renewal is one
//! `GetCredentialsForIdentity`. A signed-in user's renewal sends its current ID token, refreshed
//! first when due. Signing out forgets the user's credentials.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cognito_proto::envelope::{self, PreparedRequest};
use cognito_proto::ops;
use cognito_proto::session::TokenSet;

use crate::error::Error;
use crate::identity::{AwsCredentials, IdentityLogins, identity_logins};
use crate::pool::Ctx;
use crate::refresh::Signal;
use crate::task::{Input, Step, Task};

/// Credentials are renewed when they expire within this margin: 5 minutes, as the AWS SDKs
/// do, so that a request signed with them does not arrive after they expired.
pub const DEFAULT_CREDENTIALS_MARGIN: Duration = Duration::from_secs(300);

/// Whose credentials: an identity pool, and the user signed in to it (`None` for a guest).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    /// The identity pool (`<region>:<uuid>`).
    pub identity_pool_id: String,
    /// Cognito's internal username of the signed-in user; `None` for the pool's guest.
    pub username: Option<String>,
}

/// What is known of one identity.
#[derive(Debug, Default)]
struct Entry {
    identity_id: Option<String>,
    credentials: Option<AwsCredentials>,
    /// A caller is getting new credentials.
    leading: bool,
    /// The identity was forgotten (sign-out) while a caller was getting credentials: what it
    /// gets is handed to it and its waiters, but not kept.
    discard: bool,
    /// Counts the ends of getting credentials (success, failure or abandon), so that a waiting
    /// caller knows when to look again.
    generation: u64,
    /// The error of the last attempt, shared with the callers that waited for it.
    last_error: Option<Arc<Error>>,
}

/// The cached identities of a pool handle, under one lock (never held across IO).
#[derive(Debug, Default)]
pub struct CredentialState {
    entries: HashMap<IdentityKey, Entry>,
}

impl CredentialState {
    fn entry(&mut self, key: &IdentityKey) -> &mut Entry {
        self.entries.entry(key.clone()).or_default()
    }
}

/// The identity cache of a pool handle and the driver's [`Signal`] that wakes the callers
/// waiting for a leader.
#[derive(Debug)]
pub struct Credentials<W> {
    state: Mutex<CredentialState>,
    /// What waiting callers sleep on; notified whenever getting credentials ends.
    pub signal: W,
}

impl<W: Signal> Default for Credentials<W> {
    fn default() -> Self {
        Credentials {
            state: Mutex::new(CredentialState::default()),
            signal: W::new(),
        }
    }
}

impl<W> Credentials<W> {
    /// Lock the state (for [`Wait::is_over`]). A lock poisoned by a panicking holder is taken
    /// over: every change leaves the state consistent.
    pub fn lock(&self) -> MutexGuard<'_, CredentialState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// The cache as an operation sees it, without the driver's [`Signal`] type.
pub trait CredentialCache: Send + Sync {
    /// Lock the state.
    fn state(&self) -> MutexGuard<'_, CredentialState>;
    /// Wake every waiting caller.
    fn notify(&self);
}

impl<W: Signal> CredentialCache for Credentials<W> {
    fn state(&self) -> MutexGuard<'_, CredentialState> {
        self.lock()
    }

    fn notify(&self) {
        self.signal.notify_all();
    }
}

/// Forget the cached credentials of `username` in every identity pool (after sign-out).
pub(crate) fn forget_user(cache: &dyn CredentialCache, username: &str) {
    let mut state = cache.state();
    state.entries.retain(|key, entry| {
        if key.username.as_deref() != Some(username) {
            return true;
        }
        if entry.leading {
            entry.discard = true;
            entry.credentials = None;
            entry.identity_id = None;
        }
        entry.leading
    });
}

/// Forget the cached credentials of `key` (its identity id too); an attempt in progress
/// still ends normally.
pub(crate) fn forget(cache: &dyn CredentialCache, key: &IdentityKey) {
    let mut state = cache.state();
    let entry = state.entry(key);
    entry.credentials = None;
    entry.identity_id = None;
    entry.last_error = None;
    entry.discard = entry.leading;
}

/// What a caller waits for: the end of the attempt in progress on an identity. The driver
/// sleeps on the pool's credential signal until [`Wait::is_over`], then hands back
/// [`Input::Woken`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    key: IdentityKey,
    generation: u64,
}

impl Wait {
    /// Whether the attempt this caller waits for has ended.
    pub fn is_over(&self, state: &CredentialState) -> bool {
        state
            .entries
            .get(&self.key)
            .is_none_or(|e| e.generation != self.generation || !e.leading)
    }
}

/// The right and the duty to get an identity's credentials. Dropped before the attempt ended
/// (the task failed elsewhere, was cancelled or panicked), it ends the attempt so that waiting
/// callers look again instead of waiting forever.
struct Lead {
    cache: Arc<dyn CredentialCache>,
    key: IdentityKey,
    over: bool,
}

impl Lead {
    /// End the attempt with `result`, wake the waiting callers, and return the result as the
    /// leader's own.
    fn finish(&mut self, result: Result<AwsCredentials, Error>) -> Result<AwsCredentials, Error> {
        self.over = true;
        let out = {
            let mut state = self.cache.state();
            let entry = state.entry(&self.key);
            entry.leading = false;
            entry.generation += 1;
            let keep = !std::mem::take(&mut entry.discard);
            match result {
                Ok(credentials) => {
                    if keep {
                        entry.identity_id = Some(credentials.identity_id.clone());
                        entry.credentials = Some(credentials.clone());
                    }
                    entry.last_error = None;
                    Ok(credentials)
                }
                Err(error) => {
                    // An identity the pool no longer knows (deleted, or unlinked) is looked
                    // up again next time.
                    if error.service_kind()
                        == Some(&cognito_proto::error::ServiceErrorKind::ResourceNotFound)
                    {
                        entry.identity_id = None;
                    }
                    let shared = Arc::new(error);
                    entry.last_error = Some(Arc::clone(&shared));
                    Err(Error::Credentials(shared))
                }
            }
        };
        self.cache.notify();
        out
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        if !self.over {
            {
                let mut state = self.cache.state();
                let entry = state.entry(&self.key);
                entry.leading = false;
                entry.generation += 1;
                entry.last_error = None;
                entry.discard = false;
            }
            self.cache.notify();
        }
    }
}

impl std::fmt::Debug for Lead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lead").field("key", &self.key).finish()
    }
}

/// The AWS credentials of `key`: the cached ones while they are good beyond `margin`, else new
/// ones (single-flight).
pub fn aws_credentials(key: IdentityKey, margin: Duration) -> GetCredentials {
    GetCredentials {
        key,
        margin,
        state: State::Look { waited: None },
    }
}

/// See [`aws_credentials`].
#[derive(Debug)]
pub struct GetCredentials {
    key: IdentityKey,
    margin: Duration,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Look at the cache; `waited` is the generation this caller waited on, if it did.
    Look {
        waited: Option<u64>,
    },
    /// Waiting for the leader.
    Waiting {
        generation: u64,
    },
    /// Leading: waiting for the user's tokens.
    Tokens(Lead),
    /// Leading: `GetId` sent.
    GetId(Lead, Option<IdentityLogins>),
    /// Leading: `GetCredentialsForIdentity` sent.
    GetCredentials(Lead),
    Done,
}

fn fresh(credentials: &AwsCredentials, now: u64, margin: Duration) -> bool {
    credentials.expiration > now as f64 + margin.as_secs_f64()
}

impl GetCredentials {
    fn look(&mut self, ctx: &Ctx<'_>, waited: Option<u64>) -> Result<Step<AwsCredentials>, Error> {
        let cache = ctx.credentials();
        let lead = {
            let mut state = cache.state();
            let entry = state.entry(&self.key);
            if let Some(credentials) = &entry.credentials
                && fresh(credentials, ctx.settings.now(), self.margin)
            {
                return Ok(Step::Done(credentials.clone()));
            }
            if let (Some(waited), Some(error)) = (waited, &entry.last_error)
                && entry.generation != waited
            {
                // The attempt this caller waited for failed: share its error.
                return Err(Error::Credentials(Arc::clone(error)));
            }
            if entry.leading {
                self.state = State::Waiting {
                    generation: entry.generation,
                };
                return Ok(Step::Wait(Wait {
                    key: self.key.clone(),
                    generation: entry.generation,
                }));
            }
            entry.leading = true;
            Lead {
                cache: Arc::clone(&cache),
                key: self.key.clone(),
                over: false,
            }
        };
        match self.key.username.clone() {
            Some(username) => {
                self.state = State::Tokens(lead);
                Ok(Step::Session(username))
            }
            None => self.request(ctx, lead, None),
        }
    }

    /// `GetId` when the identity is not known yet, else `GetCredentialsForIdentity`.
    fn request(
        &mut self,
        ctx: &Ctx<'_>,
        lead: Lead,
        logins: Option<IdentityLogins>,
    ) -> Result<Step<AwsCredentials>, Error> {
        let known = lead.cache.state().entry(&self.key).identity_id.clone();
        let endpoint = ctx.settings.endpoint();
        match known {
            Some(identity_id) => {
                let request = get_credentials(endpoint, identity_id, logins);
                self.state = State::GetCredentials(lead);
                Ok(Step::Send(request))
            }
            None => {
                let op = match &logins {
                    Some(logins) => logins.get_id(&self.key.identity_pool_id),
                    None => ops::GetId::new(&self.key.identity_pool_id),
                };
                self.state = State::GetId(lead, logins);
                Ok(Step::Send(envelope::encode(endpoint, &op)))
            }
        }
    }
}

fn get_credentials(
    endpoint: &envelope::Endpoint,
    identity_id: String,
    logins: Option<IdentityLogins>,
) -> PreparedRequest {
    let op = match logins {
        Some(logins) => logins.get_credentials(ops::GetIdResponse { identity_id }),
        None => ops::GetCredentialsForIdentity::new(identity_id),
    };
    envelope::encode(endpoint, &op)
}

impl Task for GetCredentials {
    type Output = AwsCredentials;

    fn step(&mut self, ctx: &Ctx<'_>, input: Input) -> Result<Step<AwsCredentials>, Error> {
        let state = std::mem::replace(&mut self.state, State::Done);
        match (state, input) {
            (State::Look { waited }, Input::Start) => self.look(ctx, waited),
            (State::Waiting { generation }, Input::Woken) => self.look(ctx, Some(generation)),
            (State::Tokens(mut lead), Input::Tokens(tokens)) => {
                let tokens: TokenSet = *tokens;
                match identity_logins(ctx.settings.config(), &tokens) {
                    Ok(logins) => self.request(ctx, lead, Some(logins)),
                    Err(e) => lead.finish(Err(e)).map(Step::Done),
                }
            }
            (State::GetId(mut lead, logins), Input::Response(response)) => {
                let id = response.and_then(|r| Ok(envelope::decode::<ops::GetId>(&r)?));
                match id {
                    Ok(id) => {
                        let mut state = lead.cache.state();
                        let entry = state.entry(&self.key);
                        if !entry.discard {
                            entry.identity_id = Some(id.identity_id.clone());
                        }
                        drop(state);
                        let request =
                            get_credentials(ctx.settings.endpoint(), id.identity_id, logins);
                        self.state = State::GetCredentials(lead);
                        Ok(Step::Send(request))
                    }
                    Err(e) => lead.finish(Err(e)).map(Step::Done),
                }
            }
            (State::GetCredentials(mut lead), Input::Response(response)) => {
                let credentials = response
                    .and_then(|r| Ok(envelope::decode::<ops::GetCredentialsForIdentity>(&r)?))
                    .map(AwsCredentials::from);
                lead.finish(credentials).map(Step::Done)
            }
            (_, _) => Err(Error::Cognito(cognito_proto::error::CoreError::misuse(
                "the credentials task got an unexpected input",
            ))),
        }
    }
}
