//! The change log of the durable records. The maps that hold them ([`Tracked`], and the users
//! and refresh tokens, which call [`mark`]) note the key of every record a caller changes in
//! a per-thread log, active only while a store-backed state lock is held; the durable store
//! (`crate::persist`) takes the log when the lock is released and writes what it names.

use std::cell::RefCell;
use std::collections::BTreeMap;

/// The kinds of durable records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// A pool's settings, schema and resources (users, groups and keys are records of their
    /// own); deleting one deletes its users and groups.
    Pool,
    /// A user, scoped by pool.
    User,
    /// A group, scoped by pool.
    Group,
    Client,
    Refresh,
    Revoked,
    IdentityPool,
    Identity,
    Domain,
    /// A sign-in session (`Session` of a challenge).
    Session,
    OAuthCode,
    /// A browser signed in to the hosted pages.
    HostedSession,
    /// A sign-in in progress on the hosted pages.
    HostedLogin,
    /// A `SignUp`/`ConfirmSignUp` session feeding auto sign-in.
    Signup,
}

/// What changed under the current lock.
#[derive(Default)]
pub(crate) struct Log {
    pub records: Vec<(Kind, String, String)>,
    /// `State::reset` ran: everything is rewritten.
    pub all: bool,
}

thread_local! {
    /// The change log of the store-backed lock this thread holds (`None`: no such lock, and
    /// changes are not noted).
    static LOG: RefCell<Option<Log>> = const { RefCell::new(None) };
}

/// Notes that the record `key` of `kind` (in `scope`, the pool id for users and groups)
/// changed.
pub(crate) fn mark(kind: Kind, scope: &str, key: &str) {
    LOG.with(|l| {
        if let Some(log) = l.borrow_mut().as_mut() {
            log.records.push((kind, scope.to_string(), key.to_string()));
        }
    });
}

/// Notes that the whole state was replaced.
pub(crate) fn mark_all() {
    LOG.with(|l| {
        if let Some(log) = l.borrow_mut().as_mut() {
            log.all = true;
        }
    });
}

/// Starts noting changes (the state lock was just taken by this thread).
pub(crate) fn begin() {
    LOG.with(|l| *l.borrow_mut() = Some(Log::default()));
}

/// Ends the change log [`begin`] started and returns it (`None`: none was started).
pub(crate) fn take() -> Option<Log> {
    LOG.with(|l| l.borrow_mut().take())
}

/// Ends the change log [`begin`] started and returns the records it noted.
#[cfg(test)]
pub(crate) fn end_for_test() -> Vec<(Kind, String, String)> {
    take().map(|l| l.records).unwrap_or_default()
}

/// A map of durable records by name that notes every key a caller changes. Reads go through
/// `Deref`; there is no `DerefMut`, so every change goes through a method that notes it.
#[derive(Clone, Debug)]
pub(crate) struct Tracked<V> {
    map: BTreeMap<String, V>,
    kind: Kind,
    scope: String,
}

impl<V> std::ops::Deref for Tracked<V> {
    type Target = BTreeMap<String, V>;
    fn deref(&self) -> &BTreeMap<String, V> {
        &self.map
    }
}

impl<V> Tracked<V> {
    pub fn new(kind: Kind, scope: &str) -> Tracked<V> {
        Tracked {
            map: BTreeMap::new(),
            kind,
            scope: scope.to_string(),
        }
    }

    fn note(&self, key: &str) {
        mark(self.kind, &self.scope, key);
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let v = self.map.get_mut(key)?;
        mark(self.kind, &self.scope, key);
        Some(v)
    }

    /// A value to change without marking its record: a record being filled in while the
    /// store loads, or parts of a value that are records of their own and mark themselves (a
    /// pool's users), so that reaching them does not rewrite the value's record too.
    pub fn get_mut_unmarked(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.note(&key);
        self.map.insert(key, value)
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        let v = self.map.remove(key)?;
        self.note(key);
        Some(v)
    }

    /// Every value, each noted as changed.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        for k in self.map.keys() {
            mark(self.kind, &self.scope, k);
        }
        self.map.values_mut()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        let (kind, scope) = (self.kind, self.scope.clone());
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                mark(kind, &scope, k);
            }
            kept
        });
    }

    /// Moves the map to another scope (a pool renamed by a seed document): every record is
    /// noted under the new scope.
    pub fn rescope(&mut self, scope: &str) {
        self.scope = scope.to_string();
        for k in self.map.keys() {
            mark(self.kind, scope, k);
        }
    }

    /// Inserts a loaded record without noting it.
    pub(crate) fn load(&mut self, key: String, value: V) {
        self.map.insert(key, value);
    }
}

/// The key a record named by a secret (a refresh token, an authorization code, a browser's
/// session cookie) is kept under: the secret's SHA-256, in base64url. The secrets are long
/// random strings, so the digest identifies them as well as the value does, and a copy of the
/// data directory (or of the memory dump of one) yields no working credential.
pub(crate) fn digest(secret: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret))
}

/// A [`Tracked`] map whose records are named by secrets: every method that takes a secret
/// looks it up by its [`digest`], and the map (and so the durable store) holds digests only.
/// The methods that take a digest say so in their name.
#[derive(Clone, Debug)]
pub(crate) struct SecretKeyed<V> {
    map: Tracked<V>,
}

impl<V> SecretKeyed<V> {
    pub fn new(kind: Kind) -> SecretKeyed<V> {
        SecretKeyed {
            map: Tracked::new(kind, ""),
        }
    }

    pub fn get(&self, secret: &str) -> Option<&V> {
        self.map.get(&digest(secret))
    }

    pub fn get_mut(&mut self, secret: &str) -> Option<&mut V> {
        self.map.get_mut(&digest(secret))
    }

    pub fn insert(&mut self, secret: &str, value: V) -> Option<V> {
        self.map.insert(digest(secret), value)
    }

    pub fn remove(&mut self, secret: &str) -> Option<V> {
        self.map.remove(&digest(secret))
    }

    /// The records by digest, for reading.
    pub fn by_digest(&self) -> &BTreeMap<String, V> {
        &self.map
    }

    /// The records by digest, for dropping some (expired or evicted ones).
    pub fn by_digest_mut(&mut self) -> &mut Tracked<V> {
        &mut self.map
    }

    /// Inserts a record loaded from the data directory (stored under its digest) without
    /// noting it.
    pub(crate) fn load_digest(&mut self, digest: String, value: V) {
        self.map.load(digest, value);
    }
}
