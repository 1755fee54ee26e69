//! [`FileStore`]: a JSON file written atomically.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use zeroize::Zeroizing;

use crate::{Change, KeyValueStore, SecretString, StoreError};

/// A store kept in one JSON file: an object mapping keys to string values.
///
/// * Reads parse the whole file each time, so a change written by another process is seen.
///   A missing file is an empty store.
/// * Every change rewrites the file atomically: the new content goes to a temporary file in
///   the same directory, which is flushed to disk (`fsync`), renamed over the old file, and the
///   directory is flushed too, so a crash leaves either the old or the new file, never half of
///   one.
/// * On Unix the file is created with permissions `0600` (it holds tokens).
/// * Changes from several threads of this process, through any number of `FileStore` values
///   for the same path, are serialized. Processes are not locked against each other: two
///   processes writing the same file at once may lose one's change (never corrupt the file).
/// * A file that is not a JSON object of strings is [`StoreError::Corrupt`]; it is never
///   replaced, so nothing the user had is silently lost.
/// * Only a regular file is read: a symbolic link (not followed, on Unix), a FIFO, a device
///   such as `/dev/zero`, a socket or a directory at the path is [`StoreError::NotAFile`]
///   (the type is checked on the opened handle, so the path cannot be swapped in between),
///   and a file over [`FileStore::max_size`] (default [`FileStore::DEFAULT_MAX_SIZE`]) is
///   [`StoreError::TooLarge`]. Neither blocks nor reads without bound.
///
/// The parent directory must exist.
///
/// ```
/// use cognito_store::{Change, FileStore, KeyValueStore};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir().join(format!("cognito-filestore-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let store = FileStore::new(dir.join("tokens.json"));
/// store.update(&[
///     Change::Set("a".into(), "1".into()),
///     Change::Set("b".into(), "2".into()),
/// ])?;
/// assert_eq!(store.keys_with_prefix("")?, vec!["a".to_owned(), "b".to_owned()]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    max_size: u64,
}

impl FileStore {
    /// The default largest file read: 4 MiB, room for hundreds of users' sessions and
    /// devices (one user takes a few kilobytes).
    pub const DEFAULT_MAX_SIZE: u64 = 4 << 20;

    /// A store in the file at `path` (created on the first write).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            path: path.into(),
            max_size: Self::DEFAULT_MAX_SIZE,
        }
    }

    /// The same store, reading files of at most `bytes` bytes.
    pub fn with_max_size(mut self, bytes: u64) -> Self {
        self.max_size = bytes;
        self
    }

    /// The largest file read, in bytes.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_map(&self) -> Result<BTreeMap<String, SecretString>, StoreError> {
        let Some(file) = self.open_regular()? else {
            return Ok(BTreeMap::new());
        };
        let too_large = || StoreError::TooLarge {
            path: self.path.clone(),
            limit: self.max_size,
        };
        let len = file
            .metadata()
            .map_err(|e| StoreError::io(&self.path, "stat", e))?
            .len();
        if len > self.max_size {
            return Err(too_large());
        }
        let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or(0)));
        // One byte over the limit tells a file that grew since the check.
        file.take(self.max_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| StoreError::io(&self.path, "read", e))?;
        if bytes.len() as u64 > self.max_size {
            return Err(too_large());
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                reason: "the file is empty".to_owned(),
            });
        }
        serde_json::from_slice::<BTreeMap<String, SecretString>>(&bytes).map_err(|e| {
            use serde_json::error::Category;
            let what = match e.classify() {
                Category::Io | Category::Syntax => "not valid JSON",
                Category::Eof => "truncated JSON",
                Category::Data => "not a JSON object of string values",
            };
            StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("{what} at line {}, column {}", e.line(), e.column()),
            }
        })
    }

    /// The file opened for reading, `None` when there is none; an error for anything but a
    /// regular file. On Unix the last path component is not followed if it is a symbolic
    /// link, and the open does not wait (a FIFO would block until a writer came); the type is
    /// then read from the open handle (`fstat`).
    fn open_regular(&self) -> Result<Option<File>, StoreError> {
        let mut options = OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use rustix::fs::OFlags;
            use std::os::unix::fs::OpenOptionsExt;
            let flags = (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits();
            options.custom_flags(i32::try_from(flags).unwrap_or(0));
        }
        let file = match options.open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
                return Err(StoreError::NotAFile {
                    path: self.path.clone(),
                    found: "a symbolic link",
                });
            }
            Err(e) => return Err(StoreError::io(&self.path, "open", e)),
        };
        let file_type = file
            .metadata()
            .map_err(|e| StoreError::io(&self.path, "stat", e))?
            .file_type();
        if file_type.is_file() {
            return Ok(Some(file));
        }
        Err(StoreError::NotAFile {
            path: self.path.clone(),
            found: describe(file_type),
        })
    }

    fn write_map(&self, map: &BTreeMap<String, SecretString>) -> Result<(), StoreError> {
        let bytes = Zeroizing::new(
            serde_json::to_vec_pretty(map)
                .map_err(|e| StoreError::io(&self.path, "serialize", std::io::Error::other(e)))?,
        );
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                StoreError::io(
                    &self.path,
                    "name",
                    std::io::Error::new(ErrorKind::InvalidInput, "the path has no file name"),
                )
            })?;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = dir.join(format!(
            ".{file_name}.{}.{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = write_new_file(&tmp, &bytes)
            .and_then(|()| {
                fs::rename(&tmp, &self.path).map_err(|e| StoreError::io(&self.path, "rename", e))
            })
            .and_then(|()| sync_dir(&dir));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

/// What a non-regular file is, for the error message.
fn describe(file_type: fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| StoreError::io(path, "create", e))?;
    file.write_all(bytes)
        .map_err(|e| StoreError::io(path, "write", e))?;
    file.sync_all()
        .map_err(|e| StoreError::io(path, "fsync", e))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io(dir, "fsync directory", e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// One lock per file in this process, whichever `FileStore` value is used to reach it.
fn lock_for(path: &Path) -> Arc<Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>> = OnceLock::new();
    let key = canonical(path);
    let locks = LOCKS.get_or_init(Default::default);
    let mut locks = match locks.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    locks.entry(key).or_default().clone()
}

/// The path with its directory resolved, so `a/../a/x.json` and `a/x.json` share a lock even
/// before the file exists.
fn canonical(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}

impl KeyValueStore for FileStore {
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self.read_map()?.remove(key))
    }

    fn update(&self, changes: &[Change]) -> Result<(), StoreError> {
        let lock = lock_for(&self.path);
        let _guard = lock.lock().map_err(|_| StoreError::Poisoned)?;
        let mut map = self.read_map()?;
        crate::apply(&mut map, changes);
        self.write_map(&map)
    }

    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        Ok(crate::keys_with_prefix(&self.read_map()?, prefix))
    }
}
