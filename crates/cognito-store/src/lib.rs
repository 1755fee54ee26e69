//! Session stores shared by the `cognito-blocking` and `cognito-async` drivers.
//!
//! A store is a small key-value map of strings, the shape of the browser's `localStorage` that
//! the JavaScript client writes to: the core decides the keys (the JS layout
//! `CognitoIdentityServiceProvider.<clientId>.<user>.*`) and what goes in them; a store only
//! keeps them.
//!
//! * [`MemoryStore`]: a map in memory, for tests and short-lived programs.
//! * [`FileStore`]: a JSON file. Every change is written atomically (a temporary file in the
//!   same directory, `fsync`, `rename`, `fsync` of the directory), the file is created with
//!   permissions `0600` on Unix, changes from several threads of one process are serialized,
//!   and a file that does not parse is reported as [`StoreError::Corrupt`] and never replaced.
//!
//! Values are kept in [`SecretString`]s: they are tokens and device passwords.
//!
//! Both stores implement the core's [`SessionStore`](cognito_proto::session::SessionStore)
//! in the JavaScript client's key layout (see [`session`]); any other [`KeyValueStore`] gets
//! the same through the functions of [`session`].
//!
//! ```
//! use cognito_store::{FileStore, KeyValueStore};
//!
//! # fn main() -> Result<(), cognito_store::StoreError> {
//! let dir = std::env::temp_dir().join(format!("cognito-store-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).map_err(|e| cognito_store::StoreError::io(&dir, "create", e))?;
//! let store = FileStore::new(dir.join("session.json"));
//! store.set("CognitoIdentityServiceProvider.client.LastAuthUser", "alice".into())?;
//! assert_eq!(
//!     store.get("CognitoIdentityServiceProvider.client.LastAuthUser")?.map(|v| v.expose_secret().clone()),
//!     Some("alice".to_owned())
//! );
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod file;
mod memory;
pub mod session;

pub use cognito_proto::secret::SecretString;
pub use file::FileStore;
pub use memory::MemoryStore;

use std::fmt;
use std::path::{Path, PathBuf};

/// A synchronous string key-value store: what both drivers persist sessions and device keys in.
///
/// Implementations must be safe to share between threads; each call is atomic on its own.
/// [`KeyValueStore::update`] applies several changes as one atomic write.
pub trait KeyValueStore: Send + Sync {
    /// The value stored under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError>;

    /// Store `value` under `key`, replacing any previous value.
    fn set(&self, key: &str, value: SecretString) -> Result<(), StoreError> {
        self.update(&[Change::Set(key.to_owned(), value)])
    }

    /// Remove `key`; removing a missing key is not an error.
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.update(&[Change::Remove(key.to_owned())])
    }

    /// Apply several changes at once: either all of them are stored or none.
    fn update(&self, changes: &[Change]) -> Result<(), StoreError>;

    /// Every key currently stored that starts with `prefix`, in sorted order.
    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
}

/// One change applied by [`KeyValueStore::update`].
#[derive(Clone, Debug)]
pub enum Change {
    /// Store the value under the key.
    Set(String, SecretString),
    /// Remove the key.
    Remove(String),
}

/// Why a store could not be read or written.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// An IO operation on the store's file failed.
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What was being done (`read`, `write`, `rename`, ...).
        op: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The store's file exists but is not a store written by this crate (not a JSON object of
    /// strings). It is left untouched: fix or remove it by hand.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, without quoting the file's content.
        reason: String,
    },
    /// A lock protecting the store was poisoned by a thread that panicked while holding it.
    Poisoned,
    /// The store's path is not a regular file (a FIFO, a device, a directory, a socket, or a
    /// symbolic link, which is not followed). It is neither read nor replaced.
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What was found there, such as `"a FIFO"` or `"a directory"`.
        found: &'static str,
    },
    /// The store's file is larger than the store reads
    /// ([`FileStore::max_size`](crate::FileStore::max_size)). It is left untouched.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl StoreError {
    /// An IO error on `path` while doing `op`.
    pub fn io(path: &Path, op: &'static str, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.to_owned(),
            op,
            source,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Io { path, op, source } => {
                write!(
                    f,
                    "session store: {op} of {} failed: {source}",
                    path.display()
                )
            }
            StoreError::Corrupt { path, reason } => write!(
                f,
                "session store file {} is corrupt ({reason}); it was left untouched",
                path.display()
            ),
            StoreError::Poisoned => {
                f.write_str("session store lock poisoned by a panicking thread")
            }
            StoreError::NotAFile { path, found } => write!(
                f,
                "session store path {} is {found}, not a regular file; it was left untouched",
                path.display()
            ),
            StoreError::TooLarge { path, limit } => write!(
                f,
                "session store file {} is larger than {limit} bytes; it was left untouched",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl<S: KeyValueStore + ?Sized> KeyValueStore for std::sync::Arc<S> {
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: SecretString) -> Result<(), StoreError> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) -> Result<(), StoreError> {
        (**self).remove(key)
    }
    fn update(&self, changes: &[Change]) -> Result<(), StoreError> {
        (**self).update(changes)
    }
    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        (**self).keys_with_prefix(prefix)
    }
}

pub(crate) fn apply(
    map: &mut std::collections::BTreeMap<String, SecretString>,
    changes: &[Change],
) {
    for change in changes {
        match change {
            Change::Set(k, v) => {
                map.insert(k.clone(), v.clone());
            }
            Change::Remove(k) => {
                map.remove(k);
            }
        }
    }
}

pub(crate) fn keys_with_prefix(
    map: &std::collections::BTreeMap<String, SecretString>,
    prefix: &str,
) -> Vec<String> {
    map.range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect()
}
