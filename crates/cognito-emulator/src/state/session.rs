//! Sign-in sessions: what each expects next and what the sign-in has established.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use cognito_proto::srp::SecretUint;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};

use super::changes::{Kind, Tracked, digest};
use crate::challenge::ChallengeName;

/// An SRP handshake waiting for its `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` answer.
/// It lives in memory only (see [`Sessions`]): the server's secret exponent `b` never reaches
/// the data directory.
#[derive(Clone, Debug)]
pub(crate) struct Handshake {
    pub a: BigUint,
    pub b: Arc<SecretUint>,
    pub big_b: BigUint,
    pub v: BigUint,
    pub realm: String,
    pub user: String,
    pub secret_block: Vec<u8>,
    pub secret_block_b64: String,
}

impl Handshake {
    /// The `PASSWORD_CLAIM_SIGNATURE` this handshake expects for `timestamp` (`None` when
    /// `u = 0`).
    pub fn expected_signature(&self, timestamp: &str) -> Option<String> {
        crate::srp_server::expected_signature(
            &self.a,
            self.b.expose_secret(),
            &self.big_b,
            &self.v,
            &self.realm,
            &self.user,
            &self.secret_block,
            timestamp,
        )
    }
}

/// What a sign-in session expects next.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Step {
    /// Never stored (see [`Sessions`]), so never serialised or read back.
    #[serde(skip)]
    PasswordVerifier(Box<Handshake>),
    DeviceSrpAuth,
    #[serde(skip)]
    DevicePasswordVerifier(Box<Handshake>, String),
    NewPasswordRequired,
    MfaSetup {
        totp_verified: bool,
    },
    MfaSetupEmail {
        email: String,
        code: String,
    },
    /// An MFA code: `SMS_MFA` and `EMAIL_OTP` carry the code sent, `SOFTWARE_TOKEN_MFA` none.
    Mfa {
        kind: ChallengeName,
        code: Option<String>,
    },
    SelectMfaType {
        options: Vec<ChallengeName>,
    },
    Custom {
        private: BTreeMap<String, String>,
        code: Option<String>,
    },
    SelectChallenge {
        available: Vec<ChallengeName>,
    },
    /// A `USER_AUTH` one-time code: `SMS_OTP` or `EMAIL_OTP`.
    Otp {
        kind: ChallengeName,
        code: String,
    },
    WebAuthn {
        challenge: String,
    },
}

impl Step {
    /// Whether this step waits for the answer to an SRP handshake (and holds its `b`).
    pub fn is_handshake(&self) -> bool {
        matches!(
            self,
            Step::PasswordVerifier(_) | Step::DevicePasswordVerifier(..)
        )
    }

    /// The challenge this step answers to.
    pub fn name(&self) -> ChallengeName {
        match self {
            Step::PasswordVerifier(_) => ChallengeName::PasswordVerifier,
            Step::DeviceSrpAuth => ChallengeName::DeviceSrpAuth,
            Step::DevicePasswordVerifier(..) => ChallengeName::DevicePasswordVerifier,
            Step::NewPasswordRequired => ChallengeName::NewPasswordRequired,
            Step::MfaSetup { .. } => ChallengeName::MfaSetup,
            Step::MfaSetupEmail { .. } => ChallengeName::EmailOtp,
            Step::Mfa { kind, .. } | Step::Otp { kind, .. } => *kind,
            Step::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            Step::Custom { .. } => ChallengeName::CustomChallenge,
            Step::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            Step::WebAuthn { .. } => ChallengeName::WebAuthn,
        }
    }
}

/// One result of a custom-auth round, as a DefineAuthChallenge trigger sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RoundResult {
    pub challenge_name: String,
    pub result: bool,
    pub metadata: Option<String>,
}

/// What the sign-in has established so far.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct FlowCtx {
    pub device_key: Option<String>,
    pub new_password_done: bool,
    pub mfa_done: bool,
    pub device_done: bool,
    pub custom: bool,
    pub custom_history: Vec<RoundResult>,
}

/// A sign-in session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AuthSession {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub expires: u64,
    pub step: Step,
    pub attempts: u32,
    pub ctx: FlowCtx,
}

/// A `SignUp`/`ConfirmSignUp` session feeding auto sign-in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SignupSession {
    pub client_id: String,
    pub username: String,
    pub confirmed: bool,
    pub expires: u64,
}

/// The sign-in sessions in flight, by session id, with two indexes: SRP `SECRET_BLOCK`s (an
/// SRP answer may name its session by the block instead of `Session`) and users (deleting a
/// user drops its sessions without a scan). Also the sign-up sessions that feed auto sign-in.
/// Every change goes through a method that keeps the indexes right.
///
/// A session id is a credential (it answers the next challenge: a new password, an MFA
/// device to set up): the maps, the indexes and the data directory hold the digest of each
/// id, never the id. The methods take the id and digest it; those that take a digest say so.
/// Only the secret-block index keeps ids, of handshakes, which are never stored.
///
/// With a data directory, sessions are kept there until they expire, except SRP handshakes
/// waiting for their verifier answer: those stay in memory only. A handshake lives for the
/// second or so a client takes to compute its claim, storing it would cost a sign-in a
/// second fsynced commit (the handshake's start, then its end), and it holds the server's
/// secret exponent `b`, which has no business in a file. A restart in the middle of one costs
/// the client a retry of `InitiateAuth`, as an expired session does.
#[derive(Clone, Debug)]
pub(crate) struct Sessions {
    by_id: Tracked<AuthSession>,
    /// The sessions whose step is an SRP handshake (never stored), by session id.
    handshakes: HashMap<String, AuthSession>,
    /// Handshake session ids, oldest first (ids of handshakes already gone are skipped when
    /// met), so that the oldest is dropped when [`MAX_PENDING_HANDSHAKES`] is reached.
    handshake_order: VecDeque<String>,
    /// The same for the stored sessions of `by_id` ([`MAX_STORED_SESSIONS`]).
    stored_order: VecDeque<String>,
    /// `SECRET_BLOCK` (base64) → the session id of its `PASSWORD_VERIFIER` step.
    secret_blocks: HashMap<String, String>,
    /// (pool id, username) → the user's session ids.
    by_user: HashMap<(String, String), BTreeSet<String>>,
    /// Size of `by_id` at which the next sweep of expired sessions runs.
    sweep_at: usize,
    signups: Tracked<SignupSession>,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions {
            by_id: Tracked::new(Kind::Session, ""),
            handshakes: HashMap::new(),
            handshake_order: VecDeque::new(),
            stored_order: VecDeque::new(),
            secret_blocks: HashMap::new(),
            by_user: HashMap::new(),
            sweep_at: 0,
            signups: Tracked::new(Kind::Signup, ""),
        }
    }
}

/// Sign-up sessions kept before expired ones are swept.
const SIGNUP_SWEEP_AT: usize = 4096;

/// SRP handshakes awaiting their verifier, all pools together. Each holds about 3.5 KB (four
/// 3072-bit numbers, the secret block, ids and index entries) for as long as the client's
/// session validity (3 to 15 minutes), and anyone can open them without a password: at about
/// 1,400 handshakes/s from one client, 15 minutes would hold some 4 GB. Beyond this many the
/// oldest is dropped (its verifier answer then meets an expired session), so a flood costs
/// at most about 35 MB and ordinary clients, who answer within a second, still sign in.
pub(crate) const MAX_PENDING_HANDSHAKES: usize = 10_000;

/// Other sign-in sessions, all pools together. Some start without a password too
/// (`USER_AUTH`'s choice of challenge or one-time code, `CUSTOM_AUTH`); each holds well under
/// 1 KB, so this bounds a flood to some 100 MB, far above what real clients keep open.
pub(crate) const MAX_STORED_SESSIONS: usize = 100_000;

fn user_key(s: &AuthSession) -> (String, String) {
    (s.pool_id.clone(), s.username.clone())
}

impl Sessions {
    pub fn get(&self, sid: &str) -> Option<&AuthSession> {
        let key = digest(sid);
        self.by_id.get(&key).or_else(|| self.handshakes.get(&key))
    }

    /// The stored session whose id has the digest `key` (the data directory's bookkeeping).
    pub fn get_by_digest(&self, key: &str) -> Option<&AuthSession> {
        self.by_id.get(key)
    }

    /// The digest of every stored session's id (the data directory's bookkeeping).
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.by_id.keys()
    }

    /// The digest of every sign-up session's id (the data directory's bookkeeping).
    pub fn signup_ids(&self) -> impl Iterator<Item = &String> {
        self.signups.keys()
    }

    /// Removes the session whose id has the digest `key` from whichever map holds it.
    fn remove(&mut self, key: &str) -> Option<AuthSession> {
        self.handshakes
            .remove(key)
            .or_else(|| self.by_id.remove(key))
    }

    /// The session a `PASSWORD_VERIFIER` step's `SECRET_BLOCK` belongs to.
    pub fn by_secret_block(&self, block: &str) -> Option<&str> {
        self.secret_blocks.get(block).map(String::as_str)
    }

    /// Indexes the session whose id has the digest `key`; a `PASSWORD_VERIFIER` step's block
    /// leads to its id `sid` (a handshake lives in memory only, so the id may be kept).
    fn index(&mut self, key: &str, sid: Option<&str>, sess: &AuthSession, with_block: bool) {
        if with_block && let (Step::PasswordVerifier(hs), Some(sid)) = (&sess.step, sid) {
            self.secret_blocks
                .insert(hs.secret_block_b64.clone(), sid.to_string());
        }
        self.by_user
            .entry(user_key(sess))
            .or_default()
            .insert(key.to_string());
    }

    fn unindex(&mut self, key: &str, sess: &AuthSession) {
        if let Step::PasswordVerifier(hs) = &sess.step
            && self
                .secret_blocks
                .get(&hs.secret_block_b64)
                .is_some_and(|sid| digest(sid) == key)
        {
            self.secret_blocks.remove(&hs.secret_block_b64);
        }
        let user = user_key(sess);
        if let Some(set) = self.by_user.get_mut(&user) {
            set.remove(key);
            if set.is_empty() {
                self.by_user.remove(&user);
            }
        }
    }

    /// Starts a session; a `PASSWORD_VERIFIER` step is also found by its block.
    pub fn insert(&mut self, sid: String, sess: AuthSession) {
        self.put(&sid, sess, true);
    }

    /// A session read back from the data directory, stored under the digest `key` of its
    /// id (not noted as a change).
    pub(crate) fn load(&mut self, key: String, sess: AuthSession) {
        self.index(&key, None, &sess, true);
        self.stored_order.push_back(key.clone());
        self.by_id.load(key, sess);
    }

    /// A sign-up session read back from the data directory, stored under the digest `key`
    /// of its id (not noted as a change).
    pub(crate) fn load_signup(&mut self, key: String, s: SignupSession) {
        self.signups.load(key, s);
    }

    /// Takes the SRP handshakes of `old` (kept in memory only, so a reload of the data
    /// directory does not bring them back), with their secret blocks, oldest first.
    pub(crate) fn adopt_handshakes(&mut self, old: &mut Sessions) {
        let mut blocks: HashMap<String, (String, String)> = std::mem::take(&mut old.secret_blocks)
            .into_iter()
            .map(|(block, sid)| (digest(&sid), (block, sid)))
            .collect();
        for key in std::mem::take(&mut old.handshake_order) {
            let Some(sess) = old.handshakes.remove(&key) else {
                continue;
            };
            if let Some((block, sid)) = blocks.remove(&key) {
                self.secret_blocks.insert(block, sid);
            }
            self.index(&key, None, &sess, false);
            self.handshake_order.push_back(key.clone());
            self.handshakes.insert(key, sess);
        }
    }

    /// Puts back a session taken for an answer that may be retried (its block stays
    /// forgotten: the retry names the session).
    pub fn put_back(&mut self, sid: String, sess: AuthSession) {
        self.put(&sid, sess, false);
    }

    /// Stores a session under the digest of `sid`, replacing (and unindexing) one already
    /// there.
    fn put(&mut self, sid: &str, sess: AuthSession, with_block: bool) {
        let key = digest(sid);
        if let Some(old) = self.remove(&key) {
            self.unindex(&key, &old);
        }
        self.index(&key, Some(sid), &sess, with_block);
        if sess.step.is_handshake() {
            self.handshake_order.push_back(key.clone());
            self.handshakes.insert(key, sess);
            self.bound_handshakes();
        } else {
            self.stored_order.push_back(key.clone());
            self.by_id.insert(key, sess);
            self.bound_stored();
        }
    }

    /// Drops the oldest handshakes beyond [`MAX_PENDING_HANDSHAKES`], and forgets the ids of
    /// handshakes that are gone once they outnumber the live ones.
    fn bound_handshakes(&mut self) {
        while self.handshakes.len() > MAX_PENDING_HANDSHAKES {
            let Some(oldest) = self.handshake_order.pop_front() else {
                break;
            };
            if let Some(sess) = self.handshakes.remove(&oldest) {
                self.unindex(&oldest, &sess);
            }
        }
        if self.handshake_order.len() > 2 * self.handshakes.len().max(1024) {
            let live = &self.handshakes;
            self.handshake_order.retain(|sid| live.contains_key(sid));
        }
    }

    /// [`Sessions::bound_handshakes`] for the stored sessions and [`MAX_STORED_SESSIONS`].
    fn bound_stored(&mut self) {
        while self.by_id.len() > MAX_STORED_SESSIONS {
            let Some(oldest) = self.stored_order.pop_front() else {
                break;
            };
            if let Some(sess) = self.by_id.remove(&oldest) {
                self.unindex(&oldest, &sess);
            }
        }
        if self.stored_order.len() > 2 * self.by_id.len().max(1024) {
            let live = &self.by_id;
            self.stored_order.retain(|sid| live.contains_key(sid));
        }
    }

    /// Takes a session out (sessions are single-use), with its block.
    pub fn take(&mut self, sid: &str) -> Option<AuthSession> {
        let key = digest(sid);
        let sess = self.remove(&key)?;
        self.unindex(&key, &sess);
        Some(sess)
    }

    /// Gives a session a new id (the old one is spent), as a step that answers with a
    /// `Session` does.
    pub fn renew(&mut self, old: &str, new: String, sess: AuthSession) {
        self.take(old);
        self.put_back(new, sess);
    }

    /// Drops expired sessions (and their index entries) once the table has doubled since the
    /// last sweep (at least 1024 entries), so that sweeping stays amortized O(1) per session
    /// even when many sessions are alive at once.
    pub fn sweep(&mut self, now: u64) {
        if self.by_id.len() + self.handshakes.len() < self.sweep_at.max(1024) {
            return;
        }
        self.retain(|s| s.expires > now);
        self.sweep_at = (self.by_id.len() + self.handshakes.len()).saturating_mul(2);
    }

    /// Drops the sessions `keep` refuses.
    pub fn retain(&mut self, mut keep: impl FnMut(&AuthSession) -> bool) {
        let mut dropped = Vec::new();
        self.by_id.retain(|sid, s| {
            let kept = keep(s);
            if !kept {
                dropped.push((sid.clone(), s.clone()));
            }
            kept
        });
        self.handshakes.retain(|sid, s| {
            let kept = keep(s);
            if !kept {
                dropped.push((sid.clone(), s.clone()));
            }
            kept
        });
        for (sid, s) in dropped {
            self.unindex(&sid, &s);
        }
    }

    /// Drops every sign-in session of a user, found through the index.
    pub fn remove_user(&mut self, pool_id: &str, username: &str) {
        let key = (pool_id.to_string(), username.to_string());
        for sid in self.by_user.remove(&key).unwrap_or_default() {
            if let Some(sess) = self.remove(&sid) {
                self.unindex(&sid, &sess);
            }
        }
    }

    /// How many sign-in and sign-up sessions are in flight.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len() + self.handshakes.len() + self.signups.len()
    }

    pub fn signup(&self, sid: &str) -> Option<&SignupSession> {
        self.signups.get(&digest(sid))
    }

    /// The sign-up session whose id has the digest `key` (the data directory's bookkeeping).
    pub fn signup_by_digest(&self, key: &str) -> Option<&SignupSession> {
        self.signups.get(key)
    }

    /// Starts a sign-up session, sweeping expired ones once there are many.
    pub fn insert_signup(&mut self, sid: String, s: SignupSession, now: u64) {
        if self.signups.len() >= SIGNUP_SWEEP_AT {
            self.signups.retain(|_, s| s.expires > now);
        }
        self.signups.insert(digest(&sid), s);
    }

    pub fn take_signup(&mut self, sid: &str) -> Option<SignupSession> {
        self.signups.remove(&digest(sid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(pool: &str, user: &str, expires: u64) -> AuthSession {
        AuthSession {
            pool_id: pool.into(),
            client_id: "c".into(),
            username: user.into(),
            expires,
            step: Step::NewPasswordRequired,
            attempts: 0,
            ctx: FlowCtx::default(),
        }
    }

    fn handshake(user: &str, block: &str) -> AuthSession {
        let one = BigUint::from(1u8);
        AuthSession {
            step: Step::PasswordVerifier(Box::new(Handshake {
                a: one.clone(),
                b: Arc::new(SecretUint::new(one.clone())),
                big_b: one.clone(),
                v: one,
                realm: "r".into(),
                user: user.into(),
                secret_block: Vec::new(),
                secret_block_b64: block.into(),
            })),
            ..session("p1", user, 100)
        }
    }

    /// Handshakes cost memory and need no password: past the cap the oldest go (with their
    /// secret-block and user index entries), the newest and every other session stay.
    #[test]
    fn pending_handshakes_are_bounded_oldest_first() {
        let mut s = Sessions::default();
        s.insert("mfa".into(), session("p1", "victim", 100));
        let total = 2 * MAX_PENDING_HANDSHAKES;
        for i in 0..total {
            s.insert(
                format!("h{i}"),
                handshake(&format!("u{}", i % 7), &format!("b{i}")),
            );
            if i % 10 == 0 {
                // Answered handshakes leave the queue early.
                s.take(&format!("h{}", i / 2));
            }
        }
        assert_eq!(s.handshakes.len(), MAX_PENDING_HANDSHAKES);
        // `h1` was never answered: the oldest, it went first.
        assert!(s.get("h1").is_none() && s.by_secret_block("b1").is_none());
        let newest = format!("h{}", total - 1);
        assert!(s.get(&newest).is_some());
        assert_eq!(
            s.by_secret_block(&format!("b{}", total - 1)),
            Some(newest.as_str())
        );
        assert!(s.get("mfa").is_some());
        assert_eq!(s.secret_blocks.len(), s.handshakes.len());
        let indexed: usize = s.by_user.values().map(BTreeSet::len).sum();
        assert_eq!(indexed, s.handshakes.len() + 1);
        assert!(s.handshake_order.len() <= 2 * MAX_PENDING_HANDSHAKES + 1);
    }

    /// The same bound for the sessions that are stored (no handshake).
    #[test]
    fn stored_sessions_are_bounded_oldest_first() {
        let mut s = Sessions::default();
        let total = MAX_STORED_SESSIONS + 500;
        for i in 0..total {
            s.insert(format!("s{i}"), session("p1", &format!("u{}", i % 5), 100));
        }
        assert_eq!(s.by_id.len(), MAX_STORED_SESSIONS);
        assert!(s.get("s0").is_none() && s.get("s499").is_none());
        assert!(s.get("s500").is_some() && s.get(&format!("s{}", total - 1)).is_some());
        assert_index_right(&s);
    }

    /// Every indexed id is a live session and every live session is indexed once.
    fn assert_index_right(s: &Sessions) {
        let indexed: Vec<&String> = s.by_user.values().flatten().collect();
        assert!(indexed.iter().all(|sid| s.by_id.contains_key(*sid)));
        assert_eq!(indexed.len(), s.by_id.len());
    }

    /// Deleting a user drops exactly its sign-in sessions, found through the index, which
    /// follows replacements, takes, renewals and sweeps.
    #[test]
    fn sessions_index_drops_exactly_a_users_sessions() {
        let mut s = Sessions::default();
        for i in 0..1000 {
            let user = format!("u{}", i % 10);
            s.insert(format!("s{i}"), session("p1", &user, i as u64));
        }
        s.insert("other-pool".into(), session("p2", "u1", 5));
        // A session replaced under the same id by another user's moves in the index.
        s.insert("s1".into(), session("p1", "u2", 1));
        s.remove_user("p1", "u1");
        assert!(s.get("s11").is_none() && s.get("s991").is_none());
        assert!(s.get("s1").is_some() && s.get("other-pool").is_some());
        assert_eq!(s.by_id.len(), 1000 - 99 + 1);
        assert_index_right(&s);
        // Removals by a sweep, a take and a renewal leave the index right.
        s.retain(|x| x.expires >= 500);
        s.take("s502");
        let renewed = s.take("s512").unwrap();
        s.renew("s512", "s512b".into(), renewed);
        assert_index_right(&s);
        s.remove_user("p1", "u2");
        assert!(
            s.by_id
                .values()
                .all(|x| x.username != "u2" || x.pool_id == "p2")
        );
        assert_index_right(&s);
    }
}
