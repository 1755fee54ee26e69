//! Durable state: `--data-dir` keeps pools, clients, users, groups, domains, identity pools,
//! refresh tokens, revocations, signing keys and the clock offset in a `redb` database.
//!
//! The state stays in memory, as without a data directory. The maps that hold durable records
//! (`Tracked`, `Users`, `RefreshTokens`) note the key of every record a caller changes in a
//! per-thread log, which is active only while a store-backed state lock is held. When the lock
//! is released, the guard writes the current value of each noted record (or its deletion)
//! into a batch, under the lock, so batches are queued in the order the changes were made. A
//! writer thread commits every queued batch in one fsynced transaction (group commit), and the
//! thread that released the lock waits for that commit before its request is answered: every
//! acknowledged write is durable, and a batch is one request's changes, so a crash never
//! leaves half of a request applied. A request that changed nothing does not wait: it may
//! show a change whose own request is still waiting for the disk (and is not yet answered),
//! which a crash at that moment would undo.
//!
//! A failed commit (a full disk) refuses its batches and every batch queued after them before
//! the state is reloaded, since those were made on the refused changes: their requests are
//! answered 500. The next holder of the state lock (before it reads anything) opens the file
//! again and reloads the state from it, so memory is exactly the last committed transaction
//! plus what is kept in memory only (see [`Store::recover`]); later batches are committed as
//! usual, and a disk that has room again is used without a restart. A request is told its
//! changes are stored only when none of its batches falls in a refused range. A concurrent
//! reader sees refused changes only as it sees a change still waiting for its commit: while
//! it held the lock before the commit failed. Reloading costs a read of the whole file, once
//! per failure and at most once per interval while writes keep failing (the requests in
//! between are answered the failure's error), and nothing on the success path but an atomic
//! load. A pool created by `CreateUserPool` and its signing keys are one batch: the keys are
//! generated before the state lock is taken (pools of a configuration file applied at start
//! get theirs in a second batch, which the start waits for).
//!
//! Records that expire on their own are kept too, so that a flow in progress survives a
//! restart: sign-in sessions (the `Session` of a challenge), the sign-up sessions of auto
//! sign-in, OAuth authorization codes, the hosted pages' signed-in browsers and sign-ins in
//! progress. Expired ones are dropped when the store is opened. SRP handshakes waiting for
//! their verifier answer are not kept (they hold the server's secret exponent and live a
//! second; see `state::Sessions`), nor are the messages hook, injected faults, request counts
//! and Rust trigger handlers.
//!
//! Format versions: 1 had no tables for the expiring records (and kept the scopes of OAuth
//! refresh tokens in memory only); 2 had no table for sign-up sessions and stored SRP
//! handshakes; 3 kept refresh tokens, authorization codes and the hosted pages' cookies under
//! their own value, so a copy of the file held working credentials (4 keeps them under their
//! SHA-256 digest); 4 still kept the ids of sign-in and sign-up sessions, which answer the next
//! challenge, as they were (5 keeps their digest too); 5 kept the steps of hosted sign-ins in
//! progress, with their `Session`, in the clear (6 seals them under the browser's cookie, and
//! drops the older ones when it opens a store). An older store is migrated when opened: it is
//! copied into a new file with the tables it lacks, without its stored handshakes, hosted
//! sign-ins of format 5 and expired records, with its secrets replaced by their digests and
//! the current version record, and the copy is renamed over it (see `migrate`).

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use redb::{ReadableTable, TableDefinition, TableHandle};
use serde::{Deserialize, Serialize};

use crate::state::changes::{self, Kind};
use crate::state::{Pool, PoolRecord, PoolRecordRef, Restored, State};
use crate::tokens::LazyKeys;

/// The version of the records' layout. A store written by a newer layout is refused (never
/// rewritten), as is one whose version record is missing or unreadable.
pub(crate) const FORMAT_VERSION: u64 = 6;

/// The least time between two reloads of the state after failed writes ([`Store::recover`]).
const RELOAD_INTERVAL: std::time::Duration = std::time::Duration::from_millis(250);

/// Reloads after failed writes take at most one part in this many of the time (when the
/// reload takes longer than a quarter of [`RELOAD_INTERVAL`]).
const RELOAD_BACKOFF: u32 = 4;

/// The database file inside the data directory.
const FILE_NAME: &str = "cognito-emulator.redb";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const POOLS: TableDefinition<&str, &[u8]> = TableDefinition::new("pools");
const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("pool_keys");
const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
const GROUPS: TableDefinition<&str, &[u8]> = TableDefinition::new("groups");
const CLIENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("clients");
const REFRESH: TableDefinition<&str, &[u8]> = TableDefinition::new("refresh_tokens");
const REVOKED: TableDefinition<&str, &[u8]> = TableDefinition::new("revoked_families");
const ID_POOLS: TableDefinition<&str, &[u8]> = TableDefinition::new("identity_pools");
const IDENTITIES: TableDefinition<&str, &[u8]> = TableDefinition::new("identities");
const DOMAINS: TableDefinition<&str, &[u8]> = TableDefinition::new("domains");
const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("auth_sessions");
const CODES: TableDefinition<&str, &[u8]> = TableDefinition::new("oauth_codes");
const HOSTED: TableDefinition<&str, &[u8]> = TableDefinition::new("hosted_sessions");
const LOGINS: TableDefinition<&str, &[u8]> = TableDefinition::new("hosted_logins");
const SIGNUPS: TableDefinition<&str, &[u8]> = TableDefinition::new("signup_sessions");

/// Every table of records (all but `meta`).
const RECORD_TABLES: [TableDefinition<&str, &[u8]>; 15] = [
    POOLS, KEYS, USERS, GROUPS, CLIENTS, REFRESH, REVOKED, ID_POOLS, IDENTITIES, DOMAINS, SESSIONS,
    CODES, HOSTED, LOGINS, SIGNUPS,
];

/// The first format version whose hosted sign-ins in progress hold their step sealed under
/// the browser's cookie (see `SealedStep`).
const SEALED_LOGINS: u64 = 6;

/// The tables whose keys are secrets, with the first format version that stores them as
/// their digest.
const DIGESTED: [(TableDefinition<&str, &[u8]>, u64); 6] = [
    (REFRESH, 4),
    (CODES, 4),
    (HOSTED, 4),
    (LOGINS, 4),
    (SESSIONS, 5),
    (SIGNUPS, 5),
];

/// The tables later format versions added, with the version that added each.
const ADDED: [(TableDefinition<&str, &[u8]>, u64); 5] = [
    (SESSIONS, 2),
    (CODES, 2),
    (HOSTED, 2),
    (LOGINS, 2),
    (SIGNUPS, 3),
];

impl Kind {
    fn table(self) -> TableDefinition<'static, &'static str, &'static [u8]> {
        match self {
            Kind::Pool => POOLS,
            Kind::User => USERS,
            Kind::Group => GROUPS,
            Kind::Client => CLIENTS,
            Kind::Refresh => REFRESH,
            Kind::Revoked => REVOKED,
            Kind::IdentityPool => ID_POOLS,
            Kind::Identity => IDENTITIES,
            Kind::Domain => DOMAINS,
            Kind::Session => SESSIONS,
            Kind::OAuthCode => CODES,
            Kind::HostedSession => HOSTED,
            Kind::HostedLogin => LOGINS,
            Kind::Signup => SIGNUPS,
        }
    }
}

/// The batches a request queued: sequence numbers `first..=last` hold them all (among other
/// requests' batches). `last == 0`: none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Batches {
    first: u64,
    last: u64,
}

impl Batches {
    fn one(seq: u64) -> Batches {
        Batches {
            first: seq,
            last: seq,
        }
    }

    /// Whether no batch was queued.
    pub(crate) fn is_empty(self) -> bool {
        self.last == 0
    }

    /// The batches of both.
    fn merge(self, other: Batches) -> Batches {
        match (self.is_empty(), other.is_empty()) {
            (true, _) => other,
            (_, true) => self,
            _ => Batches {
                first: self.first.min(other.first),
                last: self.last.max(other.last),
            },
        }
    }
}

thread_local! {
    /// While `Some`, a wait for durability on this thread is noted here (the batches owed)
    /// instead of blocking the thread: see [`collecting_waits`].
    static OWED: Cell<Option<Batches>> = const { Cell::new(None) };
}

/// Runs `f` and returns, with its result, the batches that its changes wait for (none if it
/// changed nothing), instead of blocking this thread until they are durable. The HTTP server
/// runs operations on its async workers and awaits the batches ([`Store::durable`]) before it
/// answers, so a write holds no thread while the writer syncs.
pub(crate) fn collecting_waits<R>(f: impl FnOnce() -> R) -> (R, Batches) {
    /// Restores the outer state even if `f` panics.
    struct Restore(Option<Batches>);
    impl Drop for Restore {
        fn drop(&mut self) {
            OWED.with(|o| o.set(self.0));
        }
    }
    let _restore = Restore(OWED.with(|o| o.replace(Some(Batches::default()))));
    let result = f();
    (result, OWED.with(Cell::get).unwrap_or_default())
}

/// A pool's keys as stored: the PKCS#8 documents of its ID-token and access-token keys.
#[derive(Serialize, Deserialize)]
struct KeyRecord {
    id: Vec<u8>,
    access: Vec<u8>,
}

impl Drop for KeyRecord {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.id.zeroize();
        self.access.zeroize();
    }
}

/// One change of a batch.
enum Op {
    Put(Kind, String, Vec<u8>),
    Del(Kind, String),
    /// Deletes a pool's users and groups.
    DelScope(String),
    PutKeys(String, Vec<u8>),
    DelKeys(String),
    PutMeta(&'static str, Vec<u8>),
    ClearAll,
}

struct Queue {
    batches: Vec<Vec<Op>>,
    /// Sequence number of the newest queued batch.
    queued: u64,
    /// The failed commit that no reload has answered yet: every batch after its `after` is
    /// refused (and dropped unwritten), since it was made on a state that holds the failed
    /// changes, until [`Store::recover`] makes the state in memory what the file holds.
    failed: Option<Refusal>,
    /// The batches refused by earlier failures, oldest first.
    refused: Vec<Refusal>,
    /// Why the file could not be opened again after a failed commit: until it can, every
    /// operation fails (see [`Store::recover`]).
    unreadable: Option<String>,
    /// No reload is tried before this instant (see [`Store::recover`]).
    next_reload: Option<std::time::Instant>,
    shutdown: bool,
}

/// Batches `after + 1 ..= upto` were refused, for `message`.
struct Refusal {
    after: u64,
    /// `u64::MAX` while the failure is [`Queue::failed`].
    upto: u64,
    message: String,
}

impl Queue {
    /// Why one of `batches` was refused, if one was.
    fn refusal(&self, batches: Batches) -> Option<&str> {
        if batches.is_empty() {
            return None;
        }
        self.failed
            .iter()
            .chain(self.refused.iter().rev())
            .find(|r| batches.last > r.after && batches.first <= r.upto)
            .map(|r| r.message.as_str())
    }
}

/// What the lock holders know of what is stored (read and written under the state lock).
#[derive(Default)]
struct Known {
    /// The keys stored (or being stored) for each pool.
    keys: HashMap<String, LazyKeys>,
    /// The serialised settings record last stored for each pool.
    pools: HashMap<String, Vec<u8>>,
    /// The pools read from the file without their keys (see [`store_missing_keys`]).
    keyless: Vec<String>,
    /// A hash of the record last stored for each user (by scoped key): sign-ins look users up
    /// for writing, and most leave them as they were.
    users: HashMap<String, u64>,
    clock_offset: u64,
}

struct Inner {
    /// The open file (`None` only while a failed commit's reload cannot open it again). The
    /// writer holds this lock while it commits.
    db: Mutex<Option<redb::Database>>,
    queue: Mutex<Queue>,
    work: Condvar,
    done: Condvar,
    /// Notified with `done`, for waiters that hold no thread ([`Store::durable`]).
    progress: tokio::sync::Notify,
    /// Sequence number of the newest durable batch.
    durable: AtomicU64,
    /// Sequence number of the newest queued batch (mirrors `Queue::queued`).
    queued: AtomicU64,
    /// No batch after this one was ever refused (`u64::MAX` while a failure is open): waits for
    /// later batches need not look at the refusals.
    refused_upto: AtomicU64,
    /// A commit failed and the state in memory has not been reloaded from the file yet.
    needs_recovery: AtomicBool,
    /// How many times the file was opened again to reload the state (see [`Store::recover`]).
    reloads: AtomicU64,
    known: Mutex<Known>,
}

/// An open data directory with its writer thread.
pub(crate) struct Store {
    inner: Arc<Inner>,
    writer: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Why a data directory cannot be used.
fn store_error(path: &Path, what: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("data directory store {}: {what}", path.display()))
}

/// Turns a record that cannot be read into the error that names it.
fn bad_record(path: &Path, table: &str, key: &str, e: impl std::fmt::Display) -> std::io::Error {
    store_error(
        path,
        format!(
            "damaged record {table}/{key:?} ({e}); the file was left as it is: restore a \
             backup or point --data-dir at an empty directory"
        ),
    )
}

/// The records loaded at start, before they are put into a [`State`].
pub(crate) struct Loaded {
    pub fresh: bool,
}

impl Store {
    /// Opens (or creates) the store in `dir` and loads it into `st`. A store of a newer
    /// format, or one that cannot be read, is an error and the file is left untouched.
    pub fn open(dir: &Path, st: &mut State) -> std::io::Result<(Store, Loaded)> {
        create_private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        // redb panics on some damaged files (and on pages a failed write left half written):
        // that is a store that cannot be opened, not a crash of the emulator's start.
        guarded(|| Store::open_file(path.clone(), st))
            .map_err(|e| store_error(&path, format!("{e}; the file was left as it is")))?
    }

    fn open_file(path: PathBuf, st: &mut State) -> std::io::Result<(Store, Loaded)> {
        // An empty file is what a crash right after creating it leaves: not a store yet.
        let existed = std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
        if existed {
            warn_if_shared(&path);
        }
        let db = if existed {
            redb::Database::open(&path)
        } else {
            create_private(&path)?;
            redb::Database::create(&path)
        }
        .map_err(|e| {
            store_error(
                &path,
                format!("cannot open ({e}); the file was left as it is"),
            )
        })?;
        let mut known = Known::default();
        let mut expired = Vec::new();
        let version = {
            let read = db.begin_read().map_err(|e| store_error(&path, e))?;
            match read.open_table(META) {
                Ok(meta) => {
                    let version = meta
                        .get("format")
                        .map_err(|e| store_error(&path, e))?
                        .map(|v| v.value().to_vec());
                    let version = version
                        .as_deref()
                        .and_then(|v| std::str::from_utf8(v).ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .ok_or_else(|| {
                            store_error(
                                &path,
                                "no readable format version; the file was left as it is",
                            )
                        })?;
                    if version > FORMAT_VERSION {
                        return Err(store_error(
                            &path,
                            format!(
                                "written in format version {version}, newer than the version \
                                 {FORMAT_VERSION} this emulator reads; the file was left as it \
                                 is (use a newer cognito-emulator)"
                            ),
                        ));
                    }
                    expired = load(&path, &read, st, &mut known, version)?;
                    Some(version)
                }
                Err(redb::TableError::TableDoesNotExist(_)) if !existed => None,
                Err(redb::TableError::TableDoesNotExist(_)) => {
                    return Err(store_error(
                        &path,
                        "not an emulator store (no format version); the file was left as it is",
                    ));
                }
                Err(e) => return Err(store_error(&path, e)),
            }
        };
        let fresh = version.is_none();
        let db = match version {
            // Loading succeeded: the store can be migrated (which drops the records that
            // expired while the emulator was stopped).
            Some(version) if version < FORMAT_VERSION => migrate(&path, db, version, &expired)?,
            Some(_) if !expired.is_empty() => {
                let w = db.begin_write().map_err(|e| store_error(&path, e))?;
                for (kind, key) in expired {
                    w.open_table(kind.table())
                        .and_then(|mut t| t.remove(key.as_str()).map(|_| ()).map_err(Into::into))
                        .map_err(|e| store_error(&path, e))?;
                }
                w.commit().map_err(|e| store_error(&path, e))?;
                db
            }
            _ => db,
        };
        if fresh {
            let w = db.begin_write().map_err(|e| store_error(&path, e))?;
            {
                let mut meta = w.open_table(META).map_err(|e| store_error(&path, e))?;
                let v = FORMAT_VERSION.to_string();
                meta.insert("format", v.as_bytes())
                    .map_err(|e| store_error(&path, e))?;
                meta.insert("page_key", st.page_key().as_slice())
                    .map_err(|e| store_error(&path, e))?;
                for t in RECORD_TABLES {
                    w.open_table(t).map_err(|e| store_error(&path, e))?;
                }
            }
            w.commit().map_err(|e| store_error(&path, e))?;
        }
        store_missing_keys(&path, &db, st, &mut known)?;
        known.clock_offset = st.clock_offset();
        let inner = Arc::new(Inner {
            db: Mutex::new(Some(db)),
            queue: Mutex::new(Queue {
                batches: Vec::new(),
                queued: 0,
                failed: None,
                refused: Vec::new(),
                unreadable: None,
                next_reload: None,
                shutdown: false,
            }),
            work: Condvar::new(),
            done: Condvar::new(),
            progress: tokio::sync::Notify::new(),
            durable: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            refused_upto: AtomicU64::new(0),
            needs_recovery: AtomicBool::new(false),
            reloads: AtomicU64::new(0),
            known: Mutex::new(known),
        });
        let writer = {
            let inner = inner.clone();
            std::thread::Builder::new()
                .name("cognito-emulator-store".into())
                .spawn(move || write_loop(&inner))?
        };
        Ok((
            Store {
                inner,
                writer: Some(writer),
                path,
            },
            Loaded { fresh },
        ))
    }

    /// Why the store cannot take writes now: a failed commit that no reload has answered
    /// yet, or a file that cannot be opened again after one.
    pub fn failure(&self) -> Option<String> {
        let q = lock(&self.inner.queue);
        q.failed
            .as_ref()
            .map(|r| r.message.clone())
            .or_else(|| q.unreadable.clone())
    }

    /// Whether a commit failed and the state in memory still holds its changes: the next
    /// holder of the state lock calls [`Store::recover`] before anything else.
    pub fn needs_recovery(&self) -> bool {
        self.inner.needs_recovery.load(Ordering::Acquire)
    }

    /// Called under the state lock after a failed commit, before the state is used: makes
    /// `st` exactly what the file holds (the last committed transaction), keeping what the
    /// state holds in memory only, and lets the writer take batches again. The batches queued
    /// since the failure were made on the failed changes: they stay refused, so the requests
    /// that wait for them fail. If the file cannot be opened, the failure stays, every
    /// operation answers the returned error, and a holder of the lock tries again once the
    /// back-off below has passed.
    ///
    /// Until this runs, what a holder of the lock reads may include the failed changes: only
    /// a holder that took the lock before the commit failed (or a caller of the Rust handle
    /// while this fails: operations, hooks and the OAuth endpoints answer the error, see
    /// `Shared::distrusting`) can see them, as a read that does not wait may see a change
    /// whose commit is still under way. A request that waits for a refused batch is never
    /// answered with success.
    ///
    /// While the disk stays full, each write fails and the next holder of the lock would
    /// reload the whole file: so after a reload (or an attempt) of `d`, none is tried for
    /// [`RELOAD_BACKOFF`] times `d` (at least [`RELOAD_INTERVAL`]), and the holders of the lock
    /// meanwhile get the failure's error at once. The first failure after a time without one
    /// is recovered from right away, and room that comes back is used within that interval.
    pub fn recover(&self, st: &mut State) -> Result<(), String> {
        let now = std::time::Instant::now();
        {
            let q = lock(&self.inner.queue);
            if q.next_reload.is_some_and(|at| now < at) {
                // What the last attempt found: the file that cannot be opened, or the failure
                // since the last reload.
                let failure = q
                    .unreadable
                    .as_ref()
                    .or(q.failed.as_ref().map(|r| &r.message));
                return Err(failure.cloned().unwrap_or_else(|| {
                    "cannot write the data directory; the state is reloaded shortly".to_string()
                }));
            }
        }
        self.inner.reloads.fetch_add(1, Ordering::Relaxed);
        let reloaded = self.reload(st);
        let took = now.elapsed();
        let mut q = lock(&self.inner.queue);
        q.next_reload =
            Some(std::time::Instant::now() + RELOAD_INTERVAL.max(took * RELOAD_BACKOFF));
        match reloaded {
            Ok(known) => {
                *lock(&self.inner.known) = known;
                if let Some(mut r) = q.failed.take() {
                    r.upto = q.queued;
                    match q.refused.last_mut() {
                        // Nothing was committed since the last failure (a disk that stays
                        // full): one range holds both, so the list grows only when writes
                        // succeed in between.
                        Some(last) if r.after <= last.upto => {
                            last.upto = r.upto;
                            last.message = r.message;
                        }
                        _ => q.refused.push(r),
                    }
                }
                q.unreadable = None;
                self.inner.refused_upto.store(q.queued, Ordering::Release);
                self.inner.needs_recovery.store(false, Ordering::Release);
                report(
                    "the state was reloaded from the data directory after a failed write; writes \
                     are tried again",
                );
                Ok(())
            }
            Err(e) => {
                let message = format!("cannot read the data directory after a failed write: {e}");
                if q.unreadable.as_ref() != Some(&message) {
                    report(&message);
                }
                q.unreadable = Some(message.clone());
                Err(message)
            }
        }
    }

    /// Opens the file again and loads it into a new state that takes over what `st` holds in
    /// memory only; returns what is stored, for [`Known`].
    fn reload(&self, st: &mut State) -> std::io::Result<Known> {
        let mut slot = lock(&self.inner.db);
        // redb answers every call on a handle that met an I/O error with `PreviousIo`: only a
        // new handle reads the file, and opening it repairs what the failed commit left. The
        // old handle goes first, as it holds the file's lock; its drop tries a last write,
        // which may fail or panic on a damaged handle (the file is closed either way).
        let old = slot.take();
        let _ = guarded(move || drop(old));
        let opened = guarded(|| -> std::io::Result<_> {
            let db = redb::Database::open(&self.path).map_err(|e| store_error(&self.path, e))?;
            let mut loaded = st.empty_like();
            let mut known = Known::default();
            {
                let read = db.begin_read().map_err(|e| store_error(&self.path, e))?;
                // Records that expired are left in the file (the next start drops them).
                load(&self.path, &read, &mut loaded, &mut known, FORMAT_VERSION)?;
            }
            Ok((db, loaded, known))
        });
        let (db, mut loaded, mut known) = opened.map_err(|e| store_error(&self.path, e))??;
        known.clock_offset = loaded.clock_offset();
        *slot = Some(db);
        loaded.keep_memory_only(st);
        *st = loaded;
        Ok(known)
    }

    /// Why one of the batches of `pending` was refused, if that is known yet.
    pub(crate) fn refusal(&self, pending: &Pending) -> Option<String> {
        self.outcome(pending.batches).err()
    }

    /// Whether `batches` are durable (`Ok(true)`), still being written (`Ok(false)`) or
    /// refused.
    fn outcome(&self, batches: Batches) -> Result<bool, String> {
        let durable = self.inner.durable.load(Ordering::Acquire);
        // Read after `durable`: a refusal is recorded before any later commit moves
        // `durable` past the refused batches.
        if batches.first > self.inner.refused_upto.load(Ordering::Acquire) {
            return Ok(durable >= batches.last);
        }
        self.outcome_locked(&lock(&self.inner.queue), batches)
    }

    fn outcome_locked(&self, q: &Queue, batches: Batches) -> Result<bool, String> {
        match q.refusal(batches) {
            Some(message) => Err(message.to_string()),
            None => Ok(self.inner.durable.load(Ordering::Acquire) >= batches.last),
        }
    }

    /// Queues a batch; returns its sequence number. While a failure is open, the batch is
    /// numbered but dropped: it was made on a state that holds refused changes, so its
    /// request fails, and the queue does not grow.
    fn enqueue(&self, ops: Vec<Op>) -> u64 {
        let mut q = lock(&self.inner.queue);
        q.queued += 1;
        if q.failed.is_none() {
            q.batches.push(ops);
        }
        self.inner.queued.store(q.queued, Ordering::Release);
        self.inner.work.notify_one();
        q.queued
    }

    /// Called under the state lock when it is released: turns the changes noted since the lock
    /// was taken into a queued batch. Returns what the releasing thread waits for.
    pub fn capture(&self, st: &State) -> Pending {
        let log = changes::take().unwrap_or_default();
        let mut known = lock(&self.inner.known);
        let mut ops = Vec::new();
        let mut keygen = Vec::new();
        if log.all {
            ops.push(Op::ClearAll);
            known.pools.clear();
            known.users.clear();
            known.keys.clear();
            let mut records = Vec::new();
            for (id, pool) in st.pools().iter() {
                records.push((Kind::Pool, String::new(), id.clone()));
                for u in pool.users.names() {
                    records.push((Kind::User, id.clone(), u.clone()));
                }
                for g in pool.res.groups.keys() {
                    records.push((Kind::Group, id.clone(), g.clone()));
                }
            }
            let kinds: [(Kind, Vec<String>); 11] = [
                (Kind::Client, st.clients().keys().cloned().collect()),
                (Kind::Refresh, st.refresh().digests().cloned().collect()),
                (
                    Kind::Revoked,
                    st.revoked_families().keys().cloned().collect(),
                ),
                (
                    Kind::IdentityPool,
                    st.identity_pools().keys().cloned().collect(),
                ),
                (Kind::Identity, st.identities().keys().cloned().collect()),
                (Kind::Domain, st.domains().keys().cloned().collect()),
                (Kind::Session, st.sessions().ids().cloned().collect()),
                (Kind::Signup, st.sessions().signup_ids().cloned().collect()),
                (
                    Kind::OAuthCode,
                    st.oauth().codes.by_digest().keys().cloned().collect(),
                ),
                (
                    Kind::HostedSession,
                    st.oauth().sessions.by_digest().keys().cloned().collect(),
                ),
                (
                    Kind::HostedLogin,
                    st.oauth().logins.by_digest().keys().cloned().collect(),
                ),
            ];
            for (kind, keys) in kinds {
                records.extend(keys.into_iter().map(|k| (kind, String::new(), k)));
            }
            capture_records(st, records, &mut known, &mut ops, &mut keygen);
        } else {
            capture_records(st, log.records, &mut known, &mut ops, &mut keygen);
        }
        if log.all {
            ops.push(Op::PutMeta("page_key", st.page_key().to_vec()));
        }
        if st.clock_offset() != known.clock_offset || log.all {
            known.clock_offset = st.clock_offset();
            ops.push(Op::PutMeta(
                "clock_offset",
                st.clock_offset().to_string().into_bytes(),
            ));
        }
        drop(known);
        // A request that changed nothing does not wait: what it read may belong to a request
        // that is still waiting for its commit (and is not answered before it).
        let batches = if ops.is_empty() {
            Batches::default()
        } else {
            Batches::one(self.enqueue(ops))
        };
        Pending { batches, keygen }
    }

    /// Waits (with the state lock released) until `pending` is durable, generating and
    /// storing the keys of new pools first. Returns the writer's error, if it failed. Inside
    /// [`collecting_waits`] it only notes the batch to wait for.
    pub fn settle(&self, pending: Pending) -> Result<(), String> {
        let batches = if pending.keygen.is_empty() {
            pending.batches
        } else {
            // Generating two RSA keys takes a moment: never under the state lock.
            crate::util::blocking(|| self.store_new_keys(pending))?
        };
        if batches.is_empty() || self.outcome(batches)? {
            return Ok(());
        }
        let noted = OWED.with(|o| {
            let owed = o.get()?;
            o.set(Some(owed.merge(batches)));
            Some(())
        });
        if noted.is_some() {
            return Ok(());
        }
        crate::util::blocking(|| {
            let mut q = lock(&self.inner.queue);
            loop {
                if self.outcome_locked(&q, batches)? {
                    return Ok(());
                }
                q = self.inner.done.wait(q).unwrap_or_else(|p| p.into_inner());
            }
        })
    }

    /// Queues the keys of the pools `pending` created; returns the batches to wait for.
    fn store_new_keys(&self, pending: Pending) -> Result<Batches, String> {
        let mut batches = pending.batches;
        for (pool_id, keys) in pending.keygen {
            let Some(record) = key_record(&keys) else {
                return Err("cannot generate the pool's signing keys".into());
            };
            let known = lock(&self.inner.known);
            // A rotation or deletion since the lock was released has the newer say (and so
            // does a reload after a failed write, which forgets keys it did not read).
            if known
                .keys
                .get(&pool_id)
                .is_some_and(|k| Arc::ptr_eq(k, &keys))
            {
                let seq = self.enqueue(vec![Op::PutKeys(pool_id, record)]);
                batches = batches.merge(Batches::one(seq));
            }
        }
        Ok(batches)
    }

    /// Waits, holding no thread, until `batches` are durable (what [`collecting_waits`]
    /// returned). Returns the writer's error if one of them was refused.
    pub(crate) async fn durable(&self, batches: Batches) -> Result<(), String> {
        loop {
            let progress = self.inner.progress.notified();
            tokio::pin!(progress);
            // Registered before the checks, so a commit between them still wakes this wait.
            progress.as_mut().enable();
            if self.outcome(batches)? {
                return Ok(());
            }
            progress.await;
        }
    }
}

/// What a releasing thread waits for: its batch (none if it changed nothing), and the keys of pools it created, which are generated without the lock.
pub(crate) struct Pending {
    batches: Batches,
    keygen: Vec<(String, LazyKeys)>,
}

impl Pending {
    /// What waiting for both `self` and `later` (captured after it) takes.
    pub(crate) fn merge(mut self, later: Pending) -> Pending {
        self.batches = self.batches.merge(later.batches);
        self.keygen.extend(later.keygen);
        self
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        lock(&self.inner.queue).shutdown = true;
        self.inner.work.notify_all();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
        // Closing tries a last write, which may panic on a handle that met damaged pages.
        let db = lock(&self.inner.db).take();
        let _ = guarded(move || drop(db));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn to_bytes<T: Serialize>(v: &T) -> Vec<u8> {
    // The records are plain data (strings, numbers, maps with string keys): serialising them
    // to JSON cannot fail.
    serde_json::to_vec(v).unwrap_or_default()
}

fn key_record(keys: &LazyKeys) -> Option<Vec<u8>> {
    let (id, access) = crate::tokens::pkcs8_pair(keys)?;
    Some(to_bytes(&KeyRecord { id, access }))
}

fn scoped(scope: &str, key: &str) -> String {
    format!("{scope}\u{0}{key}")
}

fn capture_records(
    st: &State,
    mut records: Vec<(Kind, String, String)>,
    known: &mut Known,
    ops: &mut Vec<Op>,
    keygen: &mut Vec<(String, LazyKeys)>,
) {
    let mut seen = HashSet::with_capacity(records.len());
    records.retain(|r| seen.insert(r.clone()));
    for (kind, scope, key) in records {
        match kind {
            Kind::Pool => match st.pools().get(&key) {
                Some(pool) => {
                    let bytes = to_bytes(&PoolRecordRef::of(pool));
                    if known.pools.get(&key) != Some(&bytes) {
                        known.pools.insert(key.clone(), bytes.clone());
                        ops.push(Op::Put(Kind::Pool, key.clone(), bytes));
                    }
                    let stored = known
                        .keys
                        .get(&key)
                        .is_some_and(|k| Arc::ptr_eq(k, &pool.keys));
                    if !stored {
                        known.keys.insert(key.clone(), pool.keys.clone());
                        // Keys not generated yet are generated once the lock is released.
                        match crate::tokens::generated(&pool.keys)
                            .then(|| key_record(&pool.keys))
                            .flatten()
                        {
                            Some(record) => ops.push(Op::PutKeys(key.clone(), record)),
                            None => keygen.push((key.clone(), pool.keys.clone())),
                        }
                    }
                }
                None => {
                    known.pools.remove(&key);
                    known.keys.remove(&key);
                    let prefix = scoped(&key, "");
                    known.users.retain(|k, _| !k.starts_with(&prefix));
                    ops.push(Op::Del(Kind::Pool, key.clone()));
                    ops.push(Op::DelKeys(key.clone()));
                    ops.push(Op::DelScope(key));
                }
            },
            Kind::User => {
                let user = st.pools().get(&scope).and_then(|p| p.users.get(&key));
                let key = scoped(&scope, &key);
                match user {
                    Some(user) => {
                        let bytes = to_bytes(user);
                        let hash = {
                            use std::hash::{Hash, Hasher};
                            let mut h = std::collections::hash_map::DefaultHasher::new();
                            bytes.hash(&mut h);
                            h.finish()
                        };
                        if known.users.insert(key.clone(), hash) != Some(hash) {
                            ops.push(Op::Put(kind, key, bytes));
                        }
                    }
                    None => {
                        known.users.remove(&key);
                        ops.push(Op::Del(kind, key));
                    }
                }
            }
            Kind::Group => {
                let group = st.pools().get(&scope).and_then(|p| p.res.groups.get(&key));
                put_or_del(ops, kind, scoped(&scope, &key), group);
            }
            Kind::Client => put_or_del(ops, kind, key.clone(), st.clients().get(&key)),
            Kind::Refresh => {
                put_or_del(ops, kind, key.clone(), st.refresh().get_by_digest(&key));
            }
            Kind::Revoked => put_or_del(ops, kind, key.clone(), st.revoked_families().get(&key)),
            Kind::IdentityPool => {
                put_or_del(ops, kind, key.clone(), st.identity_pools().get(&key));
            }
            Kind::Identity => put_or_del(ops, kind, key.clone(), st.identities().get(&key)),
            Kind::Domain => put_or_del(ops, kind, key.clone(), st.domains().get(&key)),
            Kind::Session => {
                put_or_del(ops, kind, key.clone(), st.sessions().get_by_digest(&key));
            }
            Kind::OAuthCode => {
                let code = st.oauth().codes.by_digest().get(&key);
                put_or_del(ops, kind, key.clone(), code);
            }
            Kind::HostedSession => {
                let session = st.oauth().sessions.by_digest().get(&key);
                put_or_del(ops, kind, key.clone(), session);
            }
            Kind::HostedLogin => {
                let login = st.oauth().logins.by_digest().get(&key);
                put_or_del(ops, kind, key.clone(), login);
            }
            Kind::Signup => {
                put_or_del(ops, kind, key.clone(), st.sessions().signup_by_digest(&key));
            }
        }
    }
}

fn put_or_del<T: Serialize>(ops: &mut Vec<Op>, kind: Kind, key: String, value: Option<&T>) {
    match value {
        Some(v) => ops.push(Op::Put(kind, key, to_bytes(v))),
        None => ops.push(Op::Del(kind, key)),
    }
}

fn write_loop(inner: &Inner) {
    loop {
        let (batches, upto) = {
            let mut q = lock(&inner.queue);
            while q.batches.is_empty() && !q.shutdown {
                q = inner.work.wait(q).unwrap_or_else(|p| p.into_inner());
            }
            if q.batches.is_empty() {
                return;
            }
            (std::mem::take(&mut q.batches), q.queued)
        };
        // A panic in the database (it has met damaged pages) fails the commit like an I/O
        // error: the writer must outlive it, or every later request would wait forever.
        let result = match lock(&inner.db).as_ref() {
            Some(db) => guarded(|| commit(db, batches).map_err(|e| e.to_string())).and_then(|r| r),
            None => Err("the store is not open".to_string()),
        };
        let mut q = lock(&inner.queue);
        match result {
            Ok(()) => inner.durable.store(upto, Ordering::Release),
            Err(e) => {
                report(&format!("cannot write the data directory: {e}"));
                // The batches queued meanwhile were made on the failed changes: refused too.
                q.batches.clear();
                q.failed = Some(Refusal {
                    after: inner.durable.load(Ordering::Acquire),
                    upto: u64::MAX,
                    message: format!("cannot write the data directory: {e}"),
                });
                inner.refused_upto.store(u64::MAX, Ordering::Release);
                inner.needs_recovery.store(true, Ordering::Release);
            }
        }
        inner.done.notify_all();
        inner.progress.notify_waiters();
    }
}

/// Generates and stores keys for the pools read without them ([`Known::keyless`]), before
/// any token is signed with them: keys that were never stored would change at each start.
fn store_missing_keys(
    path: &Path,
    db: &redb::Database,
    st: &State,
    known: &mut Known,
) -> std::io::Result<()> {
    let keyless = std::mem::take(&mut known.keyless);
    if keyless.is_empty() {
        return Ok(());
    }
    let w = db.begin_write().map_err(|e| store_error(path, e))?;
    {
        let mut table = w.open_table(KEYS).map_err(|e| store_error(path, e))?;
        for id in keyless {
            let Some(pool) = st.pools().get(&id) else {
                continue;
            };
            let record = key_record(&pool.keys).ok_or_else(|| {
                store_error(path, format!("cannot generate the keys of pool {id}"))
            })?;
            table
                .insert(id.as_str(), record.as_slice())
                .map_err(|e| store_error(path, e))?;
            known.keys.insert(id, pool.keys.clone());
        }
    }
    w.commit().map_err(|e| store_error(path, e))
}

/// Runs `f`, turning a panic into an error with its message.
fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let message = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the database failed: {message}")
    })
}

/// Writes a line about the store to stderr. Never panics, as `eprintln!` does when stderr is
/// a file on the disk that just filled up.
fn report(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "cognito-emulator: {message}");
}

// One call per group commit, whose error is rare: the error's size costs nothing.
#[allow(clippy::result_large_err)]
fn commit(db: &redb::Database, batches: Vec<Vec<Op>>) -> Result<(), redb::Error> {
    let mut w = db.begin_write()?;
    w.set_durability(redb::Durability::Immediate);
    {
        let mut tables: HashMap<String, redb::Table<'_, &'static str, &'static [u8]>> =
            HashMap::new();
        macro_rules! table {
            ($def:expr) => {{
                let def = $def;
                let name = def.name().to_string();
                if !tables.contains_key(&name) {
                    let t = w.open_table(def)?;
                    tables.insert(name.clone(), t);
                }
                tables
                    .get_mut(&name)
                    .ok_or_else(|| redb::Error::Corrupted(name.clone()))?
            }};
        }
        for op in batches.into_iter().flatten() {
            match op {
                Op::Put(kind, key, bytes) => {
                    table!(kind.table()).insert(key.as_str(), bytes.as_slice())?;
                }
                Op::Del(kind, key) => {
                    table!(kind.table()).remove(key.as_str())?;
                }
                Op::DelScope(pool) => {
                    let (from, to) = (format!("{pool}\u{0}"), format!("{pool}\u{1}"));
                    for def in [USERS, GROUPS] {
                        table!(def).retain_in(from.as_str()..to.as_str(), |_, _| false)?;
                    }
                }
                Op::PutKeys(pool, bytes) => {
                    table!(KEYS).insert(pool.as_str(), bytes.as_slice())?;
                }
                Op::DelKeys(pool) => {
                    table!(KEYS).remove(pool.as_str())?;
                }
                Op::PutMeta(key, bytes) => {
                    table!(META).insert(key, bytes.as_slice())?;
                }
                Op::ClearAll => {
                    for def in RECORD_TABLES {
                        table!(def).retain(|_, _| false)?;
                    }
                }
            }
        }
    }
    w.commit()?;
    Ok(())
}

/// Rewrites a store of an older format `version` into a new file of the current format that
/// replaces the old one, and opens it. The copy adds the tables later versions added, stores
/// the keys of [`DIGESTED`] tables as digests and leaves out the `dropped` records (expired
/// ones, and the SRP handshakes version 2 stored). Migrating in place would leave the old
/// keys, working credentials, in the file's freed pages; the rename makes the change atomic:
/// a crash leaves the old store (and a partial copy that the next start deletes) or the new.
fn migrate(
    path: &Path,
    old: redb::Database,
    version: u64,
    dropped: &[(Kind, String)],
) -> std::io::Result<redb::Database> {
    let tmp = path.with_extension("redb.migrating");
    let failed = |e: &dyn std::fmt::Display| {
        store_error(
            path,
            format!(
                "cannot migrate from format version {version} ({e}); the file was left as it is"
            ),
        )
    };
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(&e)),
        _ => {}
    }
    create_private(&tmp).map_err(|e| failed(&e))?;
    let new = redb::Database::create(&tmp).map_err(|e| failed(&e))?;
    copy_migrated(&old, &new, version, dropped).map_err(|e| failed(&e))?;
    drop(new);
    drop(old);
    // The new file keeps the permissions the user gave the old one.
    if let Ok(m) = std::fs::metadata(path) {
        std::fs::set_permissions(&tmp, m.permissions()).map_err(|e| failed(&e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| failed(&e))?;
    sync_parent(path);
    redb::Database::open(path).map_err(|e| store_error(path, e))
}

/// [`migrate`]'s copy, in one transaction of the new store.
// Called once when an old store is opened: the error's size costs nothing.
#[allow(clippy::result_large_err)]
fn copy_migrated(
    old: &redb::Database,
    new: &redb::Database,
    version: u64,
    dropped: &[(Kind, String)],
) -> Result<(), redb::Error> {
    let dropped: HashSet<(String, &str)> = dropped
        .iter()
        .map(|(kind, key)| (kind.table().name().to_string(), key.as_str()))
        .collect();
    let read = old.begin_read()?;
    let w = new.begin_write()?;
    for def in std::iter::once(META).chain(RECORD_TABLES) {
        let mut to = w.open_table(def)?;
        let digested = DIGESTED
            .iter()
            .any(|(d, since)| d.name() == def.name() && version < *since);
        match read.open_table(def) {
            Ok(from) => {
                for entry in from.iter()? {
                    let (k, v) = entry?;
                    let key = if digested {
                        changes::digest(k.value())
                    } else {
                        k.value().to_string()
                    };
                    if !dropped.contains(&(def.name().to_string(), key.as_str())) {
                        to.insert(key.as_str(), v.value())?;
                    }
                }
            }
            // A table a later version added.
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(e.into()),
        }
        if def.name() == META.name() {
            to.insert("format", FORMAT_VERSION.to_string().as_bytes())?;
        }
    }
    w.commit()?;
    Ok(())
}

/// Creates an empty file readable and writable by its owner only: the store holds signing
/// keys, client secrets and password verifiers.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Creates the data directory, and any parent missing, accessible to their owner only; an
/// existing directory is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Warns when an existing store file can be read or written by other users. The file is the
/// user's: its mode is theirs to change, so it is not changed behind their back.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path) {
            let mode = m.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                eprintln!(
                    "cognito-emulator: warning: {} is accessible to other users (mode {mode:03o}); \
                     it holds signing keys, client secrets and password verifiers: \
                     `chmod 600` it",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Makes a rename in the data directory durable (on Unix; elsewhere the rename is left to
/// the file system).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent()
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The key a record of the [`DIGESTED`] table `def` is kept under in memory: the stored key,
/// or its digest in a store of a format that stored the secret itself.
fn secret_key(def: TableDefinition<&str, &[u8]>, key: String, version: u64) -> String {
    let since = DIGESTED
        .iter()
        .find(|(d, _)| d.name() == def.name())
        .map_or(0, |(_, since)| *since);
    if version < since {
        changes::digest(&key)
    } else {
        key
    }
}

/// Every record of `def`, decoded.
fn read_all<T: for<'de> Deserialize<'de>>(
    path: &Path,
    read: &redb::ReadTransaction,
    def: TableDefinition<&str, &[u8]>,
) -> std::io::Result<Vec<(String, T)>> {
    let table = read.open_table(def).map_err(|e| store_error(path, e))?;
    let mut out = Vec::new();
    for entry in table.iter().map_err(|e| store_error(path, e))? {
        let (k, v) = entry.map_err(|e| store_error(path, e))?;
        let key = k.value().to_string();
        let value =
            serde_json::from_slice(v.value()).map_err(|e| bad_record(path, def.name(), &key, e))?;
        out.push((key, value));
    }
    Ok(out)
}

/// [`read_all`] for a table a later format version added: none in an older store.
fn read_added<T: for<'de> Deserialize<'de>>(
    path: &Path,
    read: &redb::ReadTransaction,
    def: TableDefinition<&str, &[u8]>,
    version: u64,
) -> std::io::Result<Vec<(String, T)>> {
    let added = ADDED
        .iter()
        .find(|(t, _)| t.name() == def.name())
        .map_or(1, |(_, v)| *v);
    if version < added {
        return Ok(Vec::new());
    }
    read_all(path, read, def)
}

fn load(
    path: &Path,
    read: &redb::ReadTransaction,
    st: &mut State,
    known: &mut Known,
    version: u64,
) -> std::io::Result<Vec<(Kind, String)>> {
    let meta = read.open_table(META).map_err(|e| store_error(path, e))?;
    let number = |key: &str| -> std::io::Result<Option<u64>> {
        let Some(v) = meta.get(key).map_err(|e| store_error(path, e))? else {
            return Ok(None);
        };
        std::str::from_utf8(v.value())
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(|| bad_record(path, "meta", key, "not a number"))
    };
    let clock_offset = number("clock_offset")?;
    let page_key = match meta.get("page_key").map_err(|e| store_error(path, e))? {
        Some(k) => Some(
            <[u8; 32]>::try_from(k.value())
                .map_err(|_| bad_record(path, "meta", "page_key", "not 32 bytes"))?,
        ),
        None => None,
    };
    st.restore_meta(clock_offset, page_key);
    let mut keys: HashMap<String, KeyRecord> = read_all(path, read, KEYS)?.into_iter().collect();
    for (id, rec) in read_all::<PoolRecord>(path, read, POOLS)? {
        let lazy = match keys.remove(&id) {
            Some(k) => crate::tokens::keys_from_pkcs8(&k.id, &k.access)
                .map_err(|e| bad_record(path, "pool_keys", &id, e))?,
            // Stores written before a new pool and its keys went into one batch may hold a
            // pool without keys (a crash between the two): it gets keys of its own, which
            // opening the store stores (see `store_missing_keys`).
            None => {
                known.keyless.push(id.clone());
                st.pool_keys()
            }
        };
        let bytes = to_bytes(&rec);
        let pool = Pool::restore(rec, lazy.clone());
        known.pools.insert(id.clone(), bytes);
        if crate::tokens::generated(&lazy) {
            known.keys.insert(id.clone(), lazy);
        }
        st.load(Restored::Pool(id, Box::new(pool)));
    }
    for (key, user) in read_all::<crate::state::User>(path, read, USERS)? {
        let (pool_id, _) = key.split_once('\u{0}').unwrap_or_default();
        st.load(Restored::User(pool_id.to_string(), Box::new(user)));
    }
    for (key, group) in read_all::<crate::state::Group>(path, read, GROUPS)? {
        let (pool_id, name) = key.split_once('\u{0}').unwrap_or_default();
        st.load(Restored::Group(
            pool_id.to_string(),
            name.to_string(),
            group,
        ));
    }
    for (k, v) in read_all(path, read, CLIENTS)? {
        st.load(Restored::Client(k, Box::new(v)));
    }
    for (k, v) in read_all(path, read, REFRESH)? {
        st.load(Restored::Refresh(secret_key(REFRESH, k, version), v));
    }
    for (k, ()) in read_all(path, read, REVOKED)? {
        st.load(Restored::Revoked(k));
    }
    for (k, v) in read_all(path, read, ID_POOLS)? {
        st.load(Restored::IdentityPool(k, v));
    }
    for (k, v) in read_all(path, read, IDENTITIES)? {
        st.load(Restored::Identity(k, v));
    }
    for (k, v) in read_all(path, read, DOMAINS)? {
        st.load(Restored::Domain(k, v));
    }
    // Expiring records: the expired ones are not loaded, and are deleted by the caller.
    let now = st.now();
    let mut expired = Vec::new();
    for (k, v) in read_added::<serde_json::Value>(path, read, SESSIONS, version)? {
        let k = secret_key(SESSIONS, k, version);
        // Format version 2 stored SRP handshakes, which later versions keep in memory only
        // (they hold the server's secret exponent): they are deleted like expired records.
        let step = &v["step"];
        if step.get("PasswordVerifier").is_some() || step.get("DevicePasswordVerifier").is_some() {
            expired.push((Kind::Session, k));
            continue;
        }
        let v: crate::state::AuthSession =
            serde_json::from_value(v).map_err(|e| bad_record(path, SESSIONS.name(), &k, e))?;
        if v.expires <= now {
            expired.push((Kind::Session, k));
            continue;
        }
        st.load(Restored::Session(k, v));
    }
    for (k, v) in read_added::<crate::state::AuthCode>(path, read, CODES, version)? {
        let k = secret_key(CODES, k, version);
        if v.expires <= now {
            expired.push((Kind::OAuthCode, k));
        } else {
            st.load(Restored::OAuthCode(k, v));
        }
    }
    for (k, v) in read_added::<crate::state::HostedSession>(path, read, HOSTED, version)? {
        let k = secret_key(HOSTED, k, version);
        if v.expires <= now {
            expired.push((Kind::HostedSession, k));
        } else {
            st.load(Restored::HostedSession(k, v));
        }
    }
    if version < SEALED_LOGINS {
        // Their steps are in the clear, and sealing them takes the browser's cookie, which
        // the store never had: they are dropped (the browser starts its sign-in again).
        for (k, _) in read_added::<serde_json::Value>(path, read, LOGINS, version)? {
            expired.push((Kind::HostedLogin, secret_key(LOGINS, k, version)));
        }
    }
    let logins = if version < SEALED_LOGINS {
        Vec::new()
    } else {
        read_added::<crate::state::LoginSession>(path, read, LOGINS, version)?
    };
    for (k, v) in logins {
        let k = secret_key(LOGINS, k, version);
        if v.expires <= now {
            expired.push((Kind::HostedLogin, k));
        } else {
            st.load(Restored::HostedLogin(k, v));
        }
    }
    for (k, v) in read_added::<crate::state::SignupSession>(path, read, SIGNUPS, version)? {
        let k = secret_key(SIGNUPS, k, version);
        if v.expires <= now {
            expired.push((Kind::Signup, k));
        } else {
            st.load(Restored::Signup(k, v));
        }
    }
    Ok(expired)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::model::Service;
    use crate::ops::dispatch;

    /// Runs `op` as a request does under a store-backed lock: its changes are captured into a
    /// batch (and waited for). Returns the answer and the batch's sequence number (0: nothing
    /// to write).
    fn request(store: &Store, st: &mut State, op: &str, body: Value) -> (Value, u64) {
        changes::begin();
        let body = body.as_object().expect("object").clone();
        let out =
            dispatch(st, Service::UserPools, op, &body).unwrap_or_else(|e| panic!("{op}: {e}"));
        let pending = store.capture(st);
        let seq = pending.batches.last;
        store.settle(pending).expect("durable");
        (out, seq)
    }

    /// A fresh directory under the system's temporary directory, unique to this run.
    fn temp_dir(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "cognito-emulator-{name}-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ))
    }

    fn has_user(st: &State, pool: &str, name: &str) -> bool {
        st.pools()
            .get(pool)
            .is_some_and(|p| p.users.get(name).is_some())
    }

    /// After a failed commit, [`Store::recover`] makes the state what the file holds: the
    /// change whose batch was refused is gone, what was committed before stays, a request
    /// whose batches meet the refused range fails, and later batches are written again.
    #[test]
    fn recover_drops_refused_changes_and_writes_again() {
        let dir = temp_dir("recover");
        let mut st = State::new("us-east-1".to_owned());
        let (store, _) = Store::open(&dir, &mut st).expect("open");
        let (p, first) = request(&store, &mut st, "CreateUserPool", json!({"PoolName": "p"}));
        let pool = p["UserPool"]["Id"].as_str().expect("id").to_string();
        let create =
            |name: &str| json!({"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS"});
        request(&store, &mut st, "AdminCreateUser", create("kept"));
        fail(&store);
        changes::begin();
        let body = create("gone").as_object().expect("object").clone();
        dispatch(&mut st, Service::UserPools, "AdminCreateUser", &body).expect("created");
        let pending = store.capture(&st);
        let refused = pending.batches;
        assert_eq!(store.settle(pending), Err("disk full".to_string()));
        assert!(has_user(&st, &pool, "gone"));
        assert!(store.needs_recovery());

        store.recover(&mut st).expect("reloaded");
        // A second failure with no commit since: one range holds both.
        fail(&store);
        lock(&store.inner.queue).next_reload = None;
        store.recover(&mut st).expect("reloaded again");
        assert_eq!(lock(&store.inner.queue).refused.len(), 1);
        assert!(!store.needs_recovery());
        assert!(store.failure().is_none());
        assert!(has_user(&st, &pool, "kept"));
        assert!(!has_user(&st, &pool, "gone"));
        let (_, again) = request(&store, &mut st, "AdminCreateUser", create("gone"));
        assert!(again > refused.last);
        // A request whose batches span the refused one is not acknowledged.
        let span = Batches { first, last: again };
        assert_eq!(store.outcome(span), Err("disk full".to_string()));
        assert_eq!(store.outcome(Batches::one(again)), Ok(true));
        drop(store);

        let mut st = State::new("us-east-1".to_owned());
        let (_store, _) = Store::open(&dir, &mut st).expect("open again");
        assert!(has_user(&st, &pool, "kept"));
        assert!(has_user(&st, &pool, "gone"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A failed commit as the writer records it (a disk cannot be made to fail here).
    fn fail(store: &Store) {
        let mut q = lock(&store.inner.queue);
        q.failed = Some(Refusal {
            after: store.inner.durable.load(Ordering::Acquire),
            upto: u64::MAX,
            message: "disk full".into(),
        });
        store.inner.refused_upto.store(u64::MAX, Ordering::Release);
        store.inner.needs_recovery.store(true, Ordering::Release);
    }

    /// While writes keep failing (a disk that stays full), the state is reloaded at most once
    /// per interval, whether the file can be opened again or not: the holders of the lock in
    /// between get the failure's error without reading the file. Once the interval has
    /// passed, the next holder reloads.
    #[test]
    fn repeated_failures_reload_at_most_once_per_interval() {
        let dir = temp_dir("backoff");
        let mut st = State::new("us-east-1".to_owned());
        let (store, _) = Store::open(&dir, &mut st).expect("open");
        request(&store, &mut st, "CreateUserPool", json!({"PoolName": "p"}));
        let reloads = || store.inner.reloads.load(Ordering::Relaxed);
        let start = std::time::Instant::now();
        // Each write fails and the next holder of the lock recovers, as under a full disk.
        for _ in 0..50 {
            fail(&store);
            let _ = store.recover(&mut st);
        }
        let allowed = 1 + (start.elapsed().as_millis() / RELOAD_INTERVAL.as_millis()) as u64;
        assert!(
            reloads() <= allowed,
            "{} reloads, {allowed} allowed",
            reloads()
        );
        assert_eq!(store.recover(&mut st), Err("disk full".to_string()));
        assert!(store.needs_recovery());

        // A file that cannot be opened again (another handle holds its lock).
        let held = lock(&store.inner.db).take();
        lock(&store.inner.queue).next_reload = None;
        let before = reloads();
        let start = std::time::Instant::now();
        let first = store.recover(&mut st).expect_err("the file is held");
        for _ in 0..50 {
            assert_eq!(store.recover(&mut st), Err(first.clone()));
        }
        let allowed = 1 + (start.elapsed().as_millis() / RELOAD_INTERVAL.as_millis()) as u64;
        assert!(
            reloads() - before <= allowed,
            "{} reloads",
            reloads() - before
        );

        // Room again: the first holder after the interval reloads.
        drop(held);
        std::thread::sleep(RELOAD_INTERVAL);
        store.recover(&mut st).expect("reloaded");
        assert!(!store.needs_recovery());
        request(&store, &mut st, "CreateUserPool", json!({"PoolName": "q"}));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The emulator's shared state with a store opened on `dir`, as `--data-dir` builds it.
    fn durable_shared(dir: &Path) -> crate::Shared {
        let mut st = State::new("us-east-1".to_owned());
        let (store, _) = Store::open(dir, &mut st).expect("open");
        let mut shared = crate::Shared::new(st);
        shared.store = Some(store);
        shared
    }

    fn new_pool_request() -> Map<String, Value> {
        json!({"PoolName": "p"})
            .as_object()
            .expect("object")
            .clone()
    }

    /// `CreateUserPool` on a durable emulator stores the pool and its signing keys in one
    /// batch, so a refused or interrupted write cannot leave a pool without its keys; the
    /// keys read back after a restart are the ones the pool signed with.
    #[test]
    fn a_new_pool_and_its_keys_are_one_batch() {
        let dir = temp_dir("pool-keys");
        let shared = durable_shared(&dir);
        let body = new_pool_request();
        let (out, owed) =
            collecting_waits(|| shared.dispatch(Service::UserPools, "CreateUserPool", &body));
        let pool = out.expect("created")["UserPool"]["Id"]
            .as_str()
            .expect("id")
            .to_string();
        assert!(!owed.is_empty());
        assert_eq!(
            owed.first, owed.last,
            "the pool and its keys in separate batches"
        );
        let store = shared.store.as_ref().expect("store");
        store
            .settle(Pending {
                batches: owed,
                keygen: Vec::new(),
            })
            .expect("durable");
        let kid = |keys: &LazyKeys| crate::tokens::keys(keys).expect("keys").id.kid.clone();
        let signed_with = kid(&shared.lock().pools().get(&pool).expect("pool").keys);
        drop(shared);

        let mut st = State::new("us-east-1".to_owned());
        let (_store, _) = Store::open(&dir, &mut st).expect("open again");
        let keys = st.pools().get(&pool).expect("pool").keys.clone();
        assert!(
            crate::tokens::generated(&keys),
            "the pool's keys were not stored"
        );
        assert_eq!(kid(&keys), signed_with);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A refused `CreateUserPool` (a commit failed while it held the lock) is answered with
    /// an error and leaves no pool once the state is reloaded, nor after a restart.
    #[test]
    fn a_refused_new_pool_leaves_nothing() {
        let dir = temp_dir("pool-refused");
        let shared = durable_shared(&dir);
        let store = shared.store.as_ref().expect("store");
        // The writer's failure, before the lock holder that will reload has come.
        fail(store);
        store.inner.needs_recovery.store(false, Ordering::Release);
        let body = new_pool_request();
        let created = shared.dispatch(Service::UserPools, "CreateUserPool", &body);
        assert!(created.is_err(), "{created:?}");
        store.inner.needs_recovery.store(true, Ordering::Release);
        assert_eq!(shared.lock().pools().len(), 0);
        assert!(!store.needs_recovery());
        drop(shared);
        let mut st = State::new("us-east-1".to_owned());
        let (_store, _) = Store::open(&dir, &mut st).expect("open again");
        assert_eq!(st.pools().len(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Starting an SRP handshake writes nothing to the store (the handshake, with its secret
    /// `b`, stays in memory), so an SRP sign-in costs one commit, as a password sign-in does.
    #[test]
    fn srp_handshake_start_writes_nothing() {
        let dir = temp_dir("persist");
        let mut st = State::new("us-east-1".to_owned());
        let (store, _) = Store::open(&dir, &mut st).expect("open");
        let (p, seq) = request(&store, &mut st, "CreateUserPool", json!({"PoolName": "p"}));
        assert!(seq > 0);
        let pool = p["UserPool"]["Id"].as_str().expect("id").to_string();
        let (c, _) = request(
            &store,
            &mut st,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "c",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        );
        let client = c["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("id")
            .to_string();
        request(
            &store,
            &mut st,
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "ann", "MessageAction": "SUPPRESS"}),
        );
        request(
            &store,
            &mut st,
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": "ann", "Password": "Passw0rd!",
                   "Permanent": true}),
        );
        for _ in 0..3 {
            let eph = cognito_proto::srp::Ephemeral::generate(&mut rand::rng());
            let (ch, seq) = request(
                &store,
                &mut st,
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client,
                       "AuthParameters": {"USERNAME": "ann", "SRP_A": eph.public_hex()}}),
            );
            assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
            assert_eq!(seq, 0, "an SRP handshake's start queued a write");
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
