//! [`MemoryStore`]: a map in memory.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::{Change, KeyValueStore, SecretString, StoreError};

/// A store that keeps everything in memory and forgets it when dropped.
///
/// ```
/// use cognito_store::{KeyValueStore, MemoryStore};
///
/// let store = MemoryStore::new();
/// store.set("k", "v".into()).unwrap();
/// assert!(store.get("k").unwrap().is_some());
/// store.remove("k").unwrap();
/// assert!(store.get("k").unwrap().is_none());
/// ```
#[derive(Default)]
pub struct MemoryStore {
    map: Mutex<BTreeMap<String, SecretString>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys stored.
    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("keys", &self.len())
            .finish()
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let map = self.map.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(map.get(key).cloned())
    }

    fn update(&self, changes: &[Change]) -> Result<(), StoreError> {
        let mut map = self.map.lock().map_err(|_| StoreError::Poisoned)?;
        crate::apply(&mut map, changes);
        Ok(())
    }

    fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let map = self.map.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(crate::keys_with_prefix(&map, prefix))
    }
}
