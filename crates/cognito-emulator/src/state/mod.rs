//! The emulator's in-memory state: pools, clients, users, sessions, tokens and hooks.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::api::{ApiResult, not_found};
use crate::persist::{Kind, Tracked};
use crate::tokens::LazyKeys;
use crate::{Fault, Message};

mod client;
mod pool;
mod refresh;
mod session;
mod settings;
mod users;

pub(crate) use client::Client;
pub(crate) use pool::{
    DomainRecord, Group, Pool, PoolResources, Stored, pool_name, verify_contacts,
};
pub(crate) use refresh::{RefreshRecord, RefreshTokens};
pub(crate) use session::{AuthSession, FlowCtx, Handshake, RoundResult, SignupSession, Step};
pub(crate) use settings::{MFA_CONFIGURED, MFA_METHOD_KEYS, Mfa, PoolSettings};
pub(crate) use users::{Device, PasswordRecord, PendingCode, User, Users};

/// An injected fault rule.
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub fault: Fault,
    pub remaining: u64,
}

/// Upper bound of the clock offset (about 1000 years), so time arithmetic cannot overflow.
pub(crate) const MAX_CLOCK_OFFSET: u64 = 1000 * 365 * 86_400;

/// Everything the emulator knows.
#[derive(Clone)]
pub(crate) struct State {
    pub region: String,
    pub clock_offset: u64,
    /// A fixed clock start (epoch seconds) instead of the wall clock: the clock then moves
    /// only by `clock_offset`.
    pub fixed_clock: Option<u64>,
    /// The seeded generator of a deterministic emulator (taken out while the lock is held,
    /// see `crate::StateGuard`).
    pub rng: Option<crate::util::SeededRng>,
    /// Keys every new pool signs with (injected or seeded); `None`: each pool its own.
    pub fixed_keys: Option<LazyKeys>,
    pub pools: Tracked<Pool>,
    pub clients: Tracked<Client>,
    pub sessions: HashMap<String, AuthSession>,
    /// Size of `sessions` at which the next sweep of expired sessions runs.
    pub sweep_sessions_at: usize,
    pub secret_blocks: HashMap<String, String>,
    pub refresh: RefreshTokens,
    /// The refresh-token families revoked (by `origin_jti`).
    pub revoked_origins: Tracked<()>,
    pub signups: HashMap<String, SignupSession>,
    pub messages: Vec<Message>,
    pub faults: Vec<FaultRule>,
    pub counts: HashMap<String, u64>,
    /// Rust trigger handlers by pool.
    pub handlers: crate::triggers::Handlers,
    /// Where Lambda triggers are invoked.
    pub lambda: crate::triggers::LambdaSettings,
    /// The trigger bookkeeping of the running operation (empty between operations).
    pub trigger_run: crate::triggers::Run,
    pub identity_pools: Tracked<crate::ops::identity::IdentityPool>,
    pub identities: Tracked<crate::ops::identity::Identity>,
    /// User-pool domains by domain name.
    pub domains: Tracked<DomainRecord>,
    /// Authorization codes, hosted sign-in sessions and OAuth grants.
    pub oauth: crate::oauth::OAuthState,
    /// The key that authenticates pagination tokens (forged tokens are refused).
    pub page_key: [u8; 32],
    /// Tokens the running operation minted, signed once the lock is released
    /// (`Shared::dispatch`); always empty between operations.
    pub unsigned: Vec<crate::tokens::Unsigned>,
    /// The SRP claim `Shared::dispatch` computed outside the lock for the running operation;
    /// always empty between operations.
    pub precomputed_claim: Option<crate::srp_server::PrecomputedClaim>,
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
            sessions: HashMap::new(),
            sweep_sessions_at: 0,
            secret_blocks: HashMap::new(),
            refresh: RefreshTokens::default(),
            revoked_origins: Tracked::new(Kind::Revoked, ""),
            signups: HashMap::new(),
            messages: Vec::new(),
            faults: Vec::new(),
            counts: HashMap::new(),
            handlers: HashMap::new(),
            lambda: crate::triggers::LambdaSettings::default(),
            trigger_run: crate::triggers::Run::default(),
            identity_pools: Tracked::new(Kind::IdentityPool, ""),
            identities: Tracked::new(Kind::Identity, ""),
            domains: Tracked::new(Kind::Domain, ""),
            oauth: crate::oauth::OAuthState::default(),
            page_key: {
                let mut k = [0u8; 32];
                crate::util::fill_random(&mut k);
                k
            },
            unsigned: Vec::new(),
            precomputed_claim: None,
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
        crate::persist::mark_all();
    }

    /// The keys of a new pool: the emulator's fixed keys, or keys of its own.
    pub fn pool_keys(&self) -> LazyKeys {
        self.fixed_keys
            .clone()
            .unwrap_or_else(|| crate::tokens::lazy_keys(None))
    }

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

    pub fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools
            .get(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools
            .get_mut(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    pub fn client(&self, id: &str) -> ApiResult<Client> {
        crate::api::check_client_id(id)?;
        self.clients
            .get(id)
            .cloned()
            .ok_or_else(|| not_found(format!("User pool client {id} does not exist.")))
    }

    /// Records a delivered code on the messages hook.
    pub fn deliver(
        &mut self,
        pool_id: &str,
        username: &str,
        destination: &str,
        medium: &str,
        kind: &str,
        code: &str,
    ) {
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
        let index = self.messages.len() - 1;
        crate::triggers::on_delivery(self, index);
    }

    /// Revokes every refresh-token family of a user (GlobalSignOut and friends).
    pub fn revoke_user_tokens(&mut self, pool_id: &str, username: &str) {
        for origin in self.refresh.revoke_user(pool_id, username) {
            self.revoked_origins.insert(origin, ());
        }
    }

    /// Drops a user's pending sign-in sessions.
    pub fn drop_sessions_of(&mut self, pool_id: &str, username: &str) {
        self.sessions
            .retain(|_, s| !(s.pool_id == pool_id && s.username == username));
    }
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

    fn pool(n: usize, config: Map<String, Value>) -> Pool {
        let s = PoolSettings::from_config(&config);
        let mut users = Users::new("us-east-1_Test00001");
        users.set_alias_attrs(Pool::alias_attrs_of(&s));
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
        }
    }

    /// GlobalSignOut and RevokeToken revoke exactly the user's or the family's tokens, found
    /// through the indices, and deleting a pool forgets its tokens.
    #[test]
    fn refresh_index_revokes_by_user_and_family() {
        let mut r = RefreshTokens::default();
        for i in 0..1000 {
            r.insert(
                format!("t{i}"),
                refresh_record("p1", &format!("u{}", i % 100), &format!("f{}", i % 300)),
            );
        }
        r.insert("other-pool".into(), refresh_record("p2", "u1", "g1"));
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
