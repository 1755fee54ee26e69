//! Behaviour of the memory and file stores.

use std::path::PathBuf;
use std::sync::Arc;

use cognito_store::{Change, FileStore, KeyValueStore, MemoryStore, StoreError};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cognito-store-test-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn value(store: &dyn KeyValueStore, key: &str) -> Option<String> {
    store.get(key).unwrap().map(|v| v.expose_secret().clone())
}

fn exercise(store: &dyn KeyValueStore) {
    assert_eq!(value(store, "a"), None);
    store.set("a", "1".into()).unwrap();
    store.set("p.x", "2".into()).unwrap();
    store.set("p.y", "3".into()).unwrap();
    store.set("q", "4".into()).unwrap();
    assert_eq!(value(store, "a").as_deref(), Some("1"));
    store.set("a", "5".into()).unwrap();
    assert_eq!(value(store, "a").as_deref(), Some("5"));
    assert_eq!(store.keys_with_prefix("p.").unwrap(), vec!["p.x", "p.y"]);
    store.remove("p.x").unwrap();
    store.remove("missing").unwrap();
    assert_eq!(store.keys_with_prefix("p.").unwrap(), vec!["p.y"]);
    store
        .update(&[
            Change::Remove("a".into()),
            Change::Set("b".into(), "6".into()),
        ])
        .unwrap();
    assert_eq!(value(store, "a"), None);
    assert_eq!(value(store, "b").as_deref(), Some("6"));
}

#[test]
fn memory_store_get_set_remove() {
    exercise(&MemoryStore::new());
}

#[test]
fn file_store_get_set_remove() {
    let dir = TempDir::new("basic");
    exercise(&FileStore::new(dir.0.join("s.json")));
}

#[test]
fn file_store_persists_across_instances() {
    let dir = TempDir::new("persist");
    let path = dir.0.join("s.json");
    FileStore::new(&path).set("k", "v".into()).unwrap();
    assert_eq!(value(&FileStore::new(&path), "k").as_deref(), Some("v"));
    // The file is a plain JSON object of strings.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json, serde_json::json!({"k": "v"}));
}

#[test]
fn file_store_missing_file_is_empty() {
    let dir = TempDir::new("missing");
    let store = FileStore::new(dir.0.join("none.json"));
    assert_eq!(value(&store, "k"), None);
    assert!(store.keys_with_prefix("").unwrap().is_empty());
    assert!(
        !dir.0.join("none.json").exists(),
        "reading must not create the file"
    );
}

#[cfg(unix)]
#[test]
fn file_store_creates_file_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("perm");
    let path = dir.0.join("s.json");
    FileStore::new(&path).set("k", "v".into()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A later rewrite keeps it private too.
    FileStore::new(&path).set("k2", "v".into()).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn file_store_corrupt_file_is_an_error_and_untouched() {
    let dir = TempDir::new("corrupt");
    let path = dir.0.join("s.json");
    for content in [
        &b"{\"k\": \"secret-token-value\""[..],
        b"not json at all",
        b"[1,2]",
        b"{\"k\": 5}",
        b"",
    ] {
        std::fs::write(&path, content).unwrap();
        let store = FileStore::new(&path);
        let err = store.get("k").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("corrupt"), "{text}");
        assert!(!text.contains("secret-token-value"), "{text}");
        let err = store.set("k", "new".into()).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(store.remove("k").is_err());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            content,
            "corrupt file replaced"
        );
    }
}

#[test]
fn file_store_leaves_no_temporary_files() {
    let dir = TempDir::new("tmpfiles");
    let store = FileStore::new(dir.0.join("s.json"));
    for i in 0..10 {
        store.set(&format!("k{i}"), "v".into()).unwrap();
    }
    let names: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["s.json".to_owned()]);
}

#[test]
fn file_store_missing_directory_is_an_io_error() {
    let dir = TempDir::new("nodir");
    let store = FileStore::new(dir.0.join("no/such/dir/s.json"));
    let err = store.set("k", "v".into()).unwrap_err();
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
}

#[test]
fn file_store_concurrent_writers_in_one_process_lose_nothing() {
    let dir = TempDir::new("concurrent");
    let path = Arc::new(dir.0.join("s.json"));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                // A separate FileStore value per thread: the lock is per file, not per value.
                let store = FileStore::new(path.as_ref());
                for i in 0..20 {
                    store.set(&format!("t{t}.k{i}"), "v".into()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let store = FileStore::new(path.as_ref());
    assert_eq!(store.keys_with_prefix("t").unwrap().len(), 8 * 20);
}

#[test]
fn memory_store_concurrent_writers() {
    let store = Arc::new(MemoryStore::new());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for i in 0..50 {
                    store.set(&format!("t{t}.k{i}"), "v".into()).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.len(), 400);
}

#[test]
fn debug_output_holds_no_values() {
    let store = MemoryStore::new();
    store.set("k", "token-abc".into()).unwrap();
    assert!(!format!("{store:?}").contains("token-abc"));
    let change = Change::Set("k".into(), "token-abc".into());
    assert!(!format!("{change:?}").contains("token-abc"));
}

/// Runs `f` on another thread and fails the test if it has not returned within 10 s (a FIFO
/// opened for reading blocks until a writer comes; `/dev/zero` never ends).
fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the store call returned in time")
}

fn assert_not_a_file(result: Result<Option<cognito_store::SecretString>, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotAFile { found, .. }) => assert_eq!(found, what),
        other => panic!("expected NotAFile({what}), got {other:?}"),
    }
}

#[cfg(unix)]
#[test]
fn fifo_is_refused_without_blocking_and_kept() {
    let dir = TempDir::new("fifo");
    let path = dir.0.join("session.json");
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let store = FileStore::new(&path);
    let reader = store.clone();
    assert_not_a_file(within_10s(move || reader.get("a")), "a FIFO");
    let writer = store.clone();
    let e = within_10s(move || writer.set("a", "1".into())).unwrap_err();
    assert!(matches!(e, StoreError::NotAFile { .. }), "{e:?}");
    assert!(e.to_string().contains("FIFO"), "{e}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was left in place"
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_without_reading_it() {
    let store = FileStore::new("/dev/zero");
    assert_not_a_file(within_10s(move || store.get("a")), "a character device");
}

#[test]
fn directory_is_refused() {
    let dir = TempDir::new("isdir");
    let path = dir.0.join("session.json");
    std::fs::create_dir(&path).unwrap();
    assert_not_a_file(FileStore::new(&path).get("a"), "a directory");
    assert!(FileStore::new(&path).set("a", "1".into()).is_err());
    assert!(path.is_dir());
}

#[cfg(unix)]
#[test]
fn symbolic_link_is_not_followed() {
    let dir = TempDir::new("symlink");
    let target = dir.0.join("elsewhere.json");
    std::fs::write(&target, r#"{"a": "planted"}"#).unwrap();
    let path = dir.0.join("session.json");
    std::os::unix::fs::symlink(&target, &path).unwrap();
    assert_not_a_file(FileStore::new(&path).get("a"), "a symbolic link");
    // A link to a FIFO is refused the same way, without opening the FIFO.
    let fifo = dir.0.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let link = dir.0.join("fifo-link.json");
    std::os::unix::fs::symlink(&fifo, &link).unwrap();
    let store = FileStore::new(&link);
    assert_not_a_file(within_10s(move || store.get("a")), "a symbolic link");
}

#[test]
fn file_over_the_size_limit_is_refused_and_kept() {
    let dir = TempDir::new("toolarge");
    let path = dir.0.join("session.json");
    let content = format!(r#"{{"a": "{}"}}"#, "x".repeat(100));
    std::fs::write(&path, &content).unwrap();
    let len = content.len() as u64;
    let at_limit = FileStore::new(&path).with_max_size(len);
    assert_eq!(at_limit.max_size(), len);
    assert_eq!(value(&at_limit, "a").map(|v| v.len()), Some(100));
    let store = FileStore::new(&path).with_max_size(len - 1);
    match store.get("a") {
        Err(StoreError::TooLarge { limit, .. }) => assert_eq!(limit, len - 1),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(store.set("b", "1".into()).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    assert_eq!(
        FileStore::new(&path).max_size(),
        FileStore::DEFAULT_MAX_SIZE
    );
}
