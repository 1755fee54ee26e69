//! The emulator's in-memory state: pools, clients, users, sessions, tokens and hooks.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::api::{ApiResult, not_found};
use crate::tokens::LazyKeys;
use crate::{Fault, Message};
use changes::{Kind, Tracked};

pub(crate) mod changes;
mod client;
mod identity;
mod oauth;
mod pool;
mod refresh;
mod run;
mod session;
mod settings;
mod users;

pub(crate) use client::{Client, STANDARD_SCOPES, client_list, oauth_enabled};
pub(crate) use identity::{Identity, IdentityPool};
pub(crate) use oauth::{
    AuthCode, AuthzRequest, HostedSession, LoginSession, LoginStep, OAuthState, SealedStep,
};
pub(crate) use pool::{
    DomainRecord, Group, Pool, PoolRecord, PoolRecordRef, PoolResources, Stored, pool_name,
    verify_contacts,
};
pub(crate) use refresh::{RefreshRecord, RefreshTokens};
pub(crate) use run::{Deferred, Handlers, Invocation, LambdaSettings, Run, Target, TokenJob};
pub(crate) use session::{
    AuthSession, FlowCtx, Handshake, RoundResult, Sessions, SignupSession, Step,
};
pub(crate) use settings::{MFA_CONFIGURED, MFA_METHOD_KEYS, Mfa, PoolSettings};
pub(crate) use users::{Device, PasswordRecord, PendingCode, User, Users};

/// An injected fault rule.
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub fault: Fault,
    pub remaining: u64,
}

/// Takes one use of the first injected fault that matches `op` (or `*`, or the sign-in flow
/// `flow_key`); a rule used up is removed.
pub(crate) fn take_fault(
    faults: &mut Vec<FaultRule>,
    op: &str,
    flow_key: Option<&str>,
) -> Option<Fault> {
    let idx = faults.iter().position(|r| {
        let o = r.fault.operation.as_str();
        r.remaining > 0 && (o == "*" || o == op || Some(o) == flow_key)
    })?;
    let rule = faults.get_mut(idx)?;
    rule.remaining -= 1;
    let f = rule.fault.clone();
    if rule.remaining == 0 {
        faults.remove(idx);
    }
    Some(f)
}

/// Upper bound of the clock offset (about 1000 years), so time arithmetic cannot overflow.
pub(crate) const MAX_CLOCK_OFFSET: u64 = 1000 * 365 * 86_400;

/// What the running operation keeps besides the stored state: the tokens it minted (signed
/// once the lock is released), its trigger bookkeeping, and the SRP claim computed for it
/// outside the lock. [`State::begin_operation`] fills it and [`State::end_operation`] empties
/// it, so it is always empty between operations.
#[derive(Clone, Default)]
struct Scratch {
    unsigned: Vec<crate::tokens::Unsigned>,
    run: Run,
    precomputed_claim: Option<crate::srp_server::PrecomputedClaim>,
    /// Keys generated outside the lock for the pool the operation creates (see
    /// [`State::new_pool_keys`]).
    new_pool_keys: Option<LazyKeys>,
}

/// Everything the emulator knows. The fields are private: operations, the OAuth endpoints,
/// the hooks and the durable store go through the methods below, which keep the indexes and
/// the store's change log right.
#[derive(Clone)]
pub(crate) struct State {
    region: String,
    clock_offset: u64,
    /// A fixed clock start (epoch seconds) instead of the wall clock: the clock then moves
    /// only by `clock_offset`.
    fixed_clock: Option<u64>,
    /// The seeded generator of a deterministic emulator (taken out while the lock is held,
    /// see `crate::StateGuard`).
    rng: Option<crate::util::SeededRng>,
    /// Keys every new pool signs with (injected or seeded); `None`: each pool its own.
    fixed_keys: Option<LazyKeys>,
    pools: Tracked<Pool>,
    clients: Tracked<Client>,
    sessions: Sessions,
    refresh: RefreshTokens,
    /// The refresh-token families revoked (by `origin_jti`).
    revoked_origins: Tracked<()>,
    messages: Vec<Message>,
    faults: Vec<FaultRule>,
    counts: HashMap<String, u64>,
    /// Rust trigger handlers by pool.
    handlers: Handlers,
    /// Where Lambda triggers are invoked.
    lambda: LambdaSettings,
    identity_pools: Tracked<IdentityPool>,
    identities: Tracked<Identity>,
    /// User-pool domains by domain name.
    domains: Tracked<DomainRecord>,
    /// Authorization codes and hosted sign-in sessions.
    oauth: OAuthState,
    /// The key that authenticates pagination tokens (forged tokens are refused).
    page_key: [u8; 32],
    scratch: Scratch,
}

impl State {
    pub fn new(region: String) -> State {
        State {
            region,
            clock_offset: 0,
            fixed_clock: None,
            rng: None,
            fixed_keys: None,
            pools: Tracked::new(Kind::Pool, ""),
            clients: Tracked::new(Kind::Client, ""),
            sessions: Sessions::default(),
            refresh: RefreshTokens::default(),
            revoked_origins: Tracked::new(Kind::Revoked, ""),
            messages: Vec::new(),
            faults: Vec::new(),
            counts: HashMap::new(),
            handlers: HashMap::new(),
            lambda: LambdaSettings::default(),
            identity_pools: Tracked::new(Kind::IdentityPool, ""),
            identities: Tracked::new(Kind::Identity, ""),
            domains: Tracked::new(Kind::Domain, ""),
            oauth: OAuthState::default(),
            page_key: {
                let mut k = [0u8; 32];
                crate::util::fill_random(&mut k);
                k
            },
            scratch: Scratch::default(),
        }
    }

    /// Empties everything but the clock, the generator, the injected keys and the Lambda
    /// settings.
    pub fn reset(&mut self) {
        let mut fresh = State::new(std::mem::take(&mut self.region));
        fresh.clock_offset = self.clock_offset;
        fresh.fixed_clock = self.fixed_clock;
        fresh.rng = self.rng.take();
        fresh.fixed_keys = self.fixed_keys.take();
        fresh.lambda = self.lambda.clone();
        *self = fresh;
        changes::mark_all();
    }

    // ---- set-up (the builder) ------------------------------------------------------------

    /// Starts the clock at `unix_secs` instead of the wall clock.
    pub fn set_fixed_clock(&mut self, unix_secs: Option<u64>) {
        self.fixed_clock = unix_secs;
    }

    pub fn set_rng(&mut self, rng: Option<crate::util::SeededRng>) {
        self.rng = rng;
    }

    /// The generator slot of a deterministic emulator (`crate::StateGuard` takes it out
    /// while the lock is held and puts it back).
    pub fn rng_slot(&mut self) -> &mut Option<crate::util::SeededRng> {
        &mut self.rng
    }

    /// Whether the emulator is deterministic (seeded).
    pub fn is_seeded(&self) -> bool {
        self.rng.is_some()
    }

    /// Whether every new pool signs with the emulator's fixed keys.
    pub fn has_fixed_keys(&self) -> bool {
        self.fixed_keys.is_some()
    }

    pub fn set_fixed_keys(&mut self, keys: Option<LazyKeys>) {
        self.fixed_keys = keys;
    }

    pub fn set_lambda(&mut self, lambda: LambdaSettings) {
        self.lambda = lambda;
    }

    pub fn lambda(&self) -> &LambdaSettings {
        &self.lambda
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The keys of the pool an operation creates: the emulator's fixed keys, the keys
    /// generated for it before the lock was taken ([`State::set_new_pool_keys`]; used once),
    /// or keys of its own, generated on first use.
    pub fn new_pool_keys(&mut self) -> LazyKeys {
        match (&self.fixed_keys, self.scratch.new_pool_keys.take()) {
            (None, Some(keys)) => keys,
            _ => self.pool_keys(),
        }
    }

    /// The keys of a new pool: the emulator's fixed keys, or keys of its own.
    pub fn pool_keys(&self) -> LazyKeys {
        self.fixed_keys
            .clone()
            .unwrap_or_else(|| crate::tokens::lazy_keys(None))
    }

    // ---- the clock -----------------------------------------------------------------------

    /// The emulated clock, fractional seconds since the epoch.
    pub fn now_f(&self) -> f64 {
        let base = match self.fixed_clock {
            Some(t) => t as f64,
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        };
        ((base + self.clock_offset as f64) * 1000.0).round() / 1000.0
    }

    /// The emulated clock, whole seconds since the epoch.
    pub fn now(&self) -> u64 {
        self.now_f() as u64
    }

    /// Whether the clock is fixed (moves only when advanced).
    pub fn clock_is_fixed(&self) -> bool {
        self.fixed_clock.is_some()
    }

    /// How far the clock has been advanced, in seconds.
    pub fn clock_offset(&self) -> u64 {
        self.clock_offset
    }

    /// Sets how far the clock has been advanced (at most [`MAX_CLOCK_OFFSET`]).
    pub fn set_clock_offset(&mut self, secs: u64) {
        self.clock_offset = secs.min(MAX_CLOCK_OFFSET);
    }

    /// Moves the clock forward by `secs` (the total stays at most [`MAX_CLOCK_OFFSET`]).
    pub fn advance_clock(&mut self, secs: u64) {
        self.set_clock_offset(self.clock_offset.saturating_add(secs));
    }

    // ---- pools -----------------------------------------------------------------------------

    /// A pool, or AWS's `ResourceNotFoundException`.
    pub fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools
            .get(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    /// A pool to change, or AWS's `ResourceNotFoundException`.
    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools
            .get_mut(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    /// A pool's users to change, or AWS's `ResourceNotFoundException` for the pool. Unlike
    /// [`State::pool_mut`] it leaves the pool's own record (settings, schema, resources)
    /// unchanged for the durable store: each user changed marks itself.
    pub fn users_mut(&mut self, id: &str) -> ApiResult<&mut Users> {
        self.pools
            .get_mut_unmarked(id)
            .map(|p| &mut p.users)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    /// A pool to change, if it exists.
    pub fn find_pool_mut(&mut self, id: &str) -> Option<&mut Pool> {
        self.pools.get_mut(id)
    }

    /// The pools by id, to read.
    pub fn pools(&self) -> &Tracked<Pool> {
        &self.pools
    }

    /// Adds a pool under its id.
    pub fn insert_pool(&mut self, pool: Pool) {
        self.pools.insert(pool.id.clone(), pool);
    }

    /// Takes a pool out, leaving what refers to it (a pool about to get another id).
    pub fn take_pool(&mut self, id: &str) -> Option<Pool> {
        self.pools.remove(id)
    }

    /// Deletes a pool with its clients, sign-in sessions, refresh tokens and trigger handlers.
    pub fn delete_pool(&mut self, id: &str) {
        self.pools.remove(id);
        self.clients.retain(|_, c| c.pool_id != id);
        self.sessions.retain(|s| s.pool_id != id);
        self.refresh.remove_pool(id);
        self.handlers.remove(id);
    }

    // ---- clients ---------------------------------------------------------------------------

    /// A client (a copy: operations hold it while they change the state), or AWS's
    /// `ResourceNotFoundException`.
    pub fn client(&self, id: &str) -> ApiResult<Client> {
        crate::api::check_client_id(id)?;
        self.clients
            .get(id)
            .cloned()
            .ok_or_else(|| not_found(format!("User pool client {id} does not exist.")))
    }

    /// The clients by id, to read.
    pub fn clients(&self) -> &Tracked<Client> {
        &self.clients
    }

    /// Adds (or replaces) a client under its id.
    pub fn insert_client(&mut self, client: Client) {
        self.clients.insert(client.id.clone(), client);
    }

    /// Takes a client out, leaving what refers to it (a client about to get another id).
    pub fn take_client(&mut self, id: &str) -> Option<Client> {
        self.clients.remove(id)
    }

    /// Deletes a client and its sign-in sessions.
    pub fn delete_client(&mut self, id: &str) {
        self.clients.remove(id);
        self.sessions.retain(|s| s.client_id != id);
    }

    // ---- sessions ------------------------------------------------------------------------

    /// The sign-in and sign-up sessions in flight.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    pub fn sessions_mut(&mut self) -> &mut Sessions {
        &mut self.sessions
    }

    /// Drops a user's pending sign-in sessions.
    pub fn drop_sessions_of(&mut self, pool_id: &str, username: &str) {
        self.sessions.remove_user(pool_id, username);
    }

    /// Authorization codes and hosted sign-in sessions.
    pub fn oauth(&self) -> &OAuthState {
        &self.oauth
    }

    pub fn oauth_mut(&mut self) -> &mut OAuthState {
        &mut self.oauth
    }

    // ---- refresh tokens --------------------------------------------------------------------

    /// The refresh tokens issued.
    pub fn refresh(&self) -> &RefreshTokens {
        &self.refresh
    }

    pub fn refresh_mut(&mut self) -> &mut RefreshTokens {
        &mut self.refresh
    }

    /// Revokes a refresh-token family: its tokens, and the access and ID tokens it issued.
    pub fn revoke_family(&mut self, origin_jti: &str) {
        self.refresh.revoke_family(origin_jti);
        self.revoked_origins.insert(origin_jti.to_string(), ());
    }

    /// Whether a refresh-token family was revoked.
    pub fn family_revoked(&self, origin_jti: &str) -> bool {
        self.revoked_origins.contains_key(origin_jti)
    }

    /// The revoked families, to read.
    pub fn revoked_families(&self) -> &Tracked<()> {
        &self.revoked_origins
    }

    /// Revokes every refresh-token family of a user (GlobalSignOut and friends).
    pub fn revoke_user_tokens(&mut self, pool_id: &str, username: &str) {
        for origin in self.refresh.revoke_user(pool_id, username) {
            self.revoked_origins.insert(origin, ());
        }
    }

    // ---- identity pools and domains --------------------------------------------------------

    pub fn identity_pools(&self) -> &Tracked<IdentityPool> {
        &self.identity_pools
    }

    pub fn identity_pools_mut(&mut self) -> &mut Tracked<IdentityPool> {
        &mut self.identity_pools
    }

    /// Deletes an identity pool and its identities.
    pub fn delete_identity_pool(&mut self, id: &str) {
        self.identity_pools.remove(id);
        self.identities.retain(|_, i| i.pool_id != id);
    }

    pub fn identities(&self) -> &Tracked<Identity> {
        &self.identities
    }

    pub fn identities_mut(&mut self) -> &mut Tracked<Identity> {
        &mut self.identities
    }

    /// User-pool domains by domain name.
    pub fn domains(&self) -> &Tracked<DomainRecord> {
        &self.domains
    }

    pub fn domains_mut(&mut self) -> &mut Tracked<DomainRecord> {
        &mut self.domains
    }

    /// The key that authenticates pagination tokens.
    pub fn page_key(&self) -> &[u8; 32] {
        &self.page_key
    }

    // ---- the outbox and the test hooks -------------------------------------------------------

    /// Records a delivered code on the messages hook and returns its index there (the
    /// custom message trigger is queued by `crate::triggers::deliver`, which calls this).
    pub fn record_message(
        &mut self,
        pool_id: &str,
        username: &str,
        destination: &str,
        medium: &str,
        kind: &str,
        code: &str,
    ) -> usize {
        let sent_at = self.now_f();
        self.messages.push(Message {
            user_pool_id: pool_id.to_string(),
            username: username.to_string(),
            destination: destination.to_string(),
            delivery_medium: medium.to_string(),
            kind: kind.to_string(),
            code: code.to_string(),
            sent_at,
            message: None,
            subject: None,
        });
        self.messages.len() - 1
    }

    /// The messages delivered, oldest first.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// A delivered message, to fill in its text (a custom-message trigger's answer).
    pub fn message_mut(&mut self, index: usize) -> Option<&mut Message> {
        self.messages.get_mut(index)
    }

    pub fn add_fault(&mut self, rule: FaultRule) {
        self.faults.push(rule);
    }

    /// The injected fault rules.
    pub fn faults_mut(&mut self) -> &mut Vec<FaultRule> {
        &mut self.faults
    }

    /// Counts a call of `key` (an operation or an endpoint).
    pub fn count(&mut self, key: &str) {
        *self.counts.entry(key.to_string()).or_default() += 1;
    }

    /// The calls counted, by key.
    pub fn counts(&self) -> &HashMap<String, u64> {
        &self.counts
    }

    /// Rust trigger handlers by pool.
    pub fn handlers(&self) -> &Handlers {
        &self.handlers
    }

    pub fn handlers_mut(&mut self) -> &mut Handlers {
        &mut self.handlers
    }

    // ---- the running operation ---------------------------------------------------------------

    /// Starts a pass of an operation with its trigger bookkeeping.
    pub fn begin_operation(&mut self, run: Run) {
        self.scratch = Scratch {
            run,
            ..Scratch::default()
        };
    }

    /// Ends an operation's pass: its trigger bookkeeping and the tokens it minted, to sign
    /// outside the lock. The scratch is empty afterwards.
    pub fn end_operation(&mut self) -> (Run, Vec<crate::tokens::Unsigned>) {
        let s = std::mem::take(&mut self.scratch);
        (s.run, s.unsigned)
    }

    /// Sets the SRP claim computed outside the lock for this pass of the operation.
    pub fn set_precomputed_claim(&mut self, claim: Option<crate::srp_server::PrecomputedClaim>) {
        self.scratch.precomputed_claim = claim;
    }

    /// Sets the keys generated outside the lock for the pool this pass of the operation
    /// creates.
    pub fn set_new_pool_keys(&mut self, keys: Option<LazyKeys>) {
        self.scratch.new_pool_keys = keys;
    }

    /// Whether an operation left minted tokens unsigned (it must not).
    pub fn has_unsigned(&self) -> bool {
        !self.scratch.unsigned.is_empty()
    }

    /// Keeps a token the running operation minted, to be signed once the lock is released.
    pub fn mint_later(&mut self, token: crate::tokens::Unsigned) {
        self.scratch.unsigned.push(token);
    }

    /// The trigger bookkeeping of the running operation.
    pub fn run(&self) -> &Run {
        &self.scratch.run
    }

    pub fn run_mut(&mut self) -> &mut Run {
        &mut self.scratch.run
    }

    /// The SRP claim computed outside the lock for the running operation.
    pub fn precomputed_claim(&self) -> Option<&crate::srp_server::PrecomputedClaim> {
        self.scratch.precomputed_claim.as_ref()
    }

    // ---- the durable store's loading -------------------------------------------------------

    /// Restores the clock offset and the pagination key from the data directory.
    pub(crate) fn restore_meta(&mut self, clock_offset: Option<u64>, page_key: Option<[u8; 32]>) {
        if let Some(o) = clock_offset {
            self.set_clock_offset(o);
        }
        if let Some(k) = page_key {
            self.page_key = k;
        }
    }

    /// An empty state to load the data directory into again (after a failed write): with this
    /// state's region, clock and injected keys, which loading needs.
    pub(crate) fn empty_like(&self) -> State {
        let mut empty = State::new(self.region.clone());
        empty.fixed_clock = self.fixed_clock;
        empty.fixed_keys = self.fixed_keys.clone();
        empty
    }

    /// Takes from `old` into this state, just loaded from the data directory, what `old`
    /// kept in memory only and a reload must not lose: the generator, the Lambda settings,
    /// the messages sent (their indexes stay valid), injected faults, request counts, Rust
    /// trigger handlers, the running operation's scratch and the SRP handshakes in flight.
    pub(crate) fn keep_memory_only(&mut self, old: &mut State) {
        self.rng = old.rng.take();
        self.lambda = old.lambda.clone();
        self.messages = std::mem::take(&mut old.messages);
        self.faults = std::mem::take(&mut old.faults);
        self.counts = std::mem::take(&mut old.counts);
        self.handlers = std::mem::take(&mut old.handlers);
        self.scratch = std::mem::take(&mut old.scratch);
        self.sessions.adopt_handshakes(&mut old.sessions);
    }

    /// Loads the records read back from the data directory without noting them as changed.
    pub(crate) fn load(&mut self, rec: Restored) {
        match rec {
            Restored::Pool(id, pool) => self.pools.load(id, *pool),
            Restored::User(pool_id, user) => {
                if let Some(pool) = self.pools.get_mut_unmarked(&pool_id) {
                    pool.users.insert_quiet(*user);
                }
            }
            Restored::Group(pool_id, name, group) => {
                if let Some(pool) = self.pools.get_mut_unmarked(&pool_id) {
                    pool.res.groups.load(name, group);
                }
            }
            Restored::Client(k, v) => self.clients.load(k, *v),
            Restored::Refresh(k, v) => self.refresh.load_digest(k, v),
            Restored::Revoked(k) => self.revoked_origins.load(k, ()),
            Restored::IdentityPool(k, v) => self.identity_pools.load(k, v),
            Restored::Identity(k, v) => self.identities.load(k, v),
            Restored::Domain(k, v) => self.domains.load(k, v),
            Restored::Session(k, v) => self.sessions.load(k, v),
            Restored::OAuthCode(k, v) => self.oauth.codes.load_digest(k, v),
            Restored::HostedSession(k, v) => self.oauth.sessions.load_digest(k, v),
            Restored::HostedLogin(k, v) => self.oauth.logins.load_digest(k, v),
            Restored::Signup(k, v) => self.sessions.load_signup(k, v),
        }
    }
}

/// A record read back from the data directory, for [`State::load`].
pub(crate) enum Restored {
    Pool(String, Box<Pool>),
    /// A user of the pool named first.
    User(String, Box<User>),
    /// A group (pool id, name) of a pool.
    Group(String, String, Group),
    Client(String, Box<Client>),
    /// A refresh token's record, by the token's digest.
    Refresh(String, RefreshRecord),
    Revoked(String),
    IdentityPool(String, IdentityPool),
    Identity(String, Identity),
    Domain(String, DomainRecord),
    Session(String, AuthSession),
    /// The records named by secrets, by the secret's digest: an authorization code, a
    /// signed-in browser's cookie, a hosted sign-in's cookie.
    OAuthCode(String, AuthCode),
    HostedSession(String, HostedSession),
    HostedLogin(String, LoginSession),
    Signup(String, SignupSession),
}

/// Masked `CodeDeliveryDetails` for an attribute.
pub(crate) fn delivery_details(attr: &str, value: &str) -> Value {
    let (medium, dest) = if attr == "phone_number" {
        ("SMS", crate::util::mask_phone(value))
    } else {
        ("EMAIL", crate::util::mask_email(value))
    };
    serde_json::json!({"Destination": dest, "DeliveryMedium": medium, "AttributeName": attr})
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeMap;

    use serde_json::Map;

    use super::*;

    thread_local! {
        /// Scans of a pool's users (`Users::values`) on this thread.
        pub(super) static SCANNED: Cell<usize> = const { Cell::new(0) };
    }

    /// A pool of `n` users; case insensitive unless `config` says otherwise, since these
    /// tests are about the indexes that fold case.
    fn pool(n: usize, mut config: Map<String, Value>) -> Pool {
        config
            .entry("UsernameConfiguration")
            .or_insert_with(|| serde_json::json!({"CaseSensitive": false}));
        let s = PoolSettings::from_config(&config);
        let mut users = Users::new("us-east-1_Test00001");
        users.set_alias_attrs(Pool::alias_attrs_of(&s), !s.case_sensitive);
        let mut pool = Pool {
            id: "us-east-1_Test00001".into(),
            name: "t".into(),
            created: 0.0,
            modified: 0.0,
            s,
            config,
            users,
            keys: crate::tokens::lazy_keys(None),
            schema: crate::schema::Schema::standard(),
            res: PoolResources::new("us-east-1_Test00001"),
        };
        for i in 0..n {
            pool.users
                .insert(User::new(format!("User{i}Ä"), format!("sub-{i}"), 0.0));
        }
        pool
    }

    /// The random sign-in run slowed down with the user count because every AdminCreateUser
    /// (and every sign-in by a differently cased name) lowercased every username of the pool.
    /// A username lookup, found or not, in any case, must not examine the pool's users.
    #[test]
    fn username_lookup_does_not_scan_the_users() {
        let pool = pool(2000, Map::new());
        SCANNED.with(|c| c.set(0));
        assert_eq!(pool.resolve("User1999Ä").as_deref(), Some("User1999Ä"));
        assert_eq!(pool.resolve("user1999ä").as_deref(), Some("User1999Ä"));
        assert_eq!(pool.resolve("USER7Ä").as_deref(), Some("User7Ä"));
        assert_eq!(pool.resolve("nobody"), None);
        assert_eq!(SCANNED.with(Cell::get), 0);
    }

    #[test]
    fn case_index_follows_inserts_and_removals() {
        let mut pool = pool(3, Map::new());
        assert_eq!(pool.users.len(), 3);
        assert!(pool.users.remove("User1Ä").is_some());
        assert_eq!(pool.resolve("user1ä"), None);
        assert!(pool.users.remove("User1Ä").is_none());
        // Two spellings (possible from a seed document): the smallest wins, as before.
        pool.users.insert(User::new("bob".into(), "s1".into(), 0.0));
        pool.users.insert(User::new("BOB".into(), "s2".into(), 0.0));
        assert_eq!(pool.resolve("Bob").as_deref(), Some("BOB"));
        pool.users.remove("BOB");
        assert_eq!(pool.resolve("Bob").as_deref(), Some("bob"));
        assert_eq!(pool.users.len(), 3);
    }

    fn refresh_record(pool: &str, user: &str, family: &str) -> RefreshRecord {
        RefreshRecord {
            pool_id: pool.into(),
            client_id: "c".into(),
            username: user.into(),
            sub: format!("sub-{user}"),
            origin_jti: family.into(),
            auth_time: 0,
            device_key: None,
            expires: 10,
            revoked: false,
            rotated_until: None,
            scopes: None,
        }
    }

    /// GlobalSignOut and RevokeToken revoke exactly the user's or the family's tokens, found
    /// through the indices, and deleting a pool forgets its tokens.
    #[test]
    fn refresh_index_revokes_by_user_and_family() {
        let mut r = RefreshTokens::default();
        for i in 0..1000 {
            r.insert(
                &format!("t{i}"),
                refresh_record("p1", &format!("u{}", i % 100), &format!("f{}", i % 300)),
            );
        }
        r.insert("other-pool", refresh_record("p2", "u1", "g1"));
        let mut origins = r.revoke_user("p1", "u1");
        origins.sort();
        origins.dedup();
        assert_eq!(origins, vec!["f1", "f101", "f201"]);
        for i in 0..1000 {
            let rec = r.get(&format!("t{i}")).unwrap();
            assert_eq!(rec.revoked, i % 100 == 1, "t{i}");
        }
        assert!(!r.get("other-pool").unwrap().revoked);
        r.revoke_family("f2");
        assert!(r.get("t2").unwrap().revoked && r.get("t302").unwrap().revoked);
        assert!(!r.get("t3").unwrap().revoked);
        r.set_rotated_until("t3", 50);
        r.set_rotated_until("t3", 70);
        assert_eq!(r.get("t3").unwrap().rotated_until, Some(50));
        r.remove_pool("p1");
        assert!(r.get("t3").is_none());
        assert!(r.revoke_user("p1", "u2").is_empty());
        assert_eq!(r.revoke_user("p2", "u1"), vec!["g1"]);
    }

    fn set(pool: &mut Pool, user: &str, pairs: &[(&str, &str)]) {
        pool.users
            .update_attrs(user, |a| {
                for (k, v) in pairs {
                    a.insert((*k).to_string(), (*v).to_string());
                }
            })
            .expect("user");
    }

    /// ForceAliasCreation moves verified aliases only when every clash may move: a refused
    /// claim (here a `preferred_username` another user holds) leaves the movable ones alone.
    #[test]
    fn a_refused_alias_claim_moves_nothing() {
        let mut config = Map::new();
        config.insert(
            "AliasAttributes".into(),
            serde_json::json!(["email", "preferred_username"]),
        );
        let mut pool = pool(3, config);
        set(
            &mut pool,
            "User0Ä",
            &[("email", "x@example.com"), ("email_verified", "true")],
        );
        set(&mut pool, "User1Ä", &[("preferred_username", "y")]);
        let mut attrs = BTreeMap::new();
        attrs.insert("email".to_string(), "x@example.com".to_string());
        attrs.insert("email_verified".to_string(), "true".to_string());
        attrs.insert("preferred_username".to_string(), "y".to_string());
        let e = pool
            .users
            .claim_aliases("User2Ä", &attrs, true)
            .expect_err("preferred_username cannot move");
        assert_eq!(e.kind, "AliasExistsException");
        assert!(pool.users.get("User0Ä").expect("user").verified("email"));
        attrs.remove("preferred_username");
        pool.users
            .claim_aliases("User2Ä", &attrs, true)
            .expect("the e-mail moves");
        assert!(!pool.users.get("User0Ä").expect("user").verified("email"));
    }

    /// Sign-in by a verified alias is an index lookup among many users, and the index follows
    /// verification, changes of value and deletion.
    #[test]
    fn alias_index_follows_every_change() {
        let mut config = Map::new();
        config.insert("AliasAttributes".into(), serde_json::json!(["email"]));
        let mut pool = pool(5000, config);
        for i in 0..5000 {
            let e = format!("u{i}@example.com");
            set(&mut pool, &format!("User{i}Ä"), &[("email", &e)]);
        }
        // Unverified: not an alias.
        SCANNED.with(|c| c.set(0));
        assert_eq!(pool.resolve("u4321@example.com"), None);
        set(&mut pool, "User4321Ä", &[("email_verified", "true")]);
        assert_eq!(
            pool.resolve("U4321@Example.com").as_deref(),
            Some("User4321Ä")
        );
        assert_eq!(
            SCANNED.with(Cell::get),
            0,
            "an alias lookup scanned the users"
        );
        // A new value drops the old alias and is unverified again.
        set(
            &mut pool,
            "User4321Ä",
            &[("email", "new@example.com"), ("email_verified", "false")],
        );
        assert_eq!(pool.resolve("u4321@example.com"), None);
        assert_eq!(pool.resolve("new@example.com"), None);
        set(&mut pool, "User4321Ä", &[("email_verified", "true")]);
        assert_eq!(
            pool.resolve("new@example.com").as_deref(),
            Some("User4321Ä")
        );
        // A second user cannot take it; with force the verified alias moves.
        let mut attrs = BTreeMap::new();
        attrs.insert("email".to_string(), "NEW@example.com".to_string());
        attrs.insert("email_verified".to_string(), "true".to_string());
        let clash = pool.users.alias_clash("User7Ä", &attrs).expect("clash");
        assert_eq!(clash.holder, "User4321Ä");
        assert!(pool.users.claim_aliases("User7Ä", &attrs, false).is_err());
        pool.users
            .claim_aliases("User7Ä", &attrs, true)
            .expect("moved");
        set(
            &mut pool,
            "User7Ä",
            &[("email", "NEW@example.com"), ("email_verified", "true")],
        );
        assert_eq!(pool.resolve("new@example.com").as_deref(), Some("User7Ä"));
        assert!(!pool.users.get("User4321Ä").expect("user").verified("email"));
        pool.users.remove("User7Ä");
        assert_eq!(pool.resolve("new@example.com"), None);
    }
}
