//! The core's [`SessionStore`] over any [`KeyValueStore`], in the JavaScript client's key
//! layout (`CognitoIdentityServiceProvider.<clientId>.<username>.idToken`, ...), so a store
//! written here can be read by code that speaks that layout and the reverse.

use cognito_proto::session::js::{self, JsField};
use cognito_proto::session::{SessionRecord, SessionStore, SessionStoreError as CoreStoreError};

use crate::{Change, FileStore, KeyValueStore, MemoryStore, StoreError};

impl From<StoreError> for CoreStoreError {
    fn from(e: StoreError) -> Self {
        CoreStoreError::backend(e)
    }
}

/// Read the record of `username` for `client_id` from `kv`.
pub fn load<S: KeyValueStore + ?Sized>(
    kv: &S,
    client_id: &str,
    username: &str,
) -> Result<Option<SessionRecord>, CoreStoreError> {
    let mut failure = None;
    let record = SessionRecord::from_js_entries(client_id, username, |key| match kv.get(key) {
        Ok(v) => v.map(|v| v.expose_secret().clone()),
        Err(e) => {
            failure.get_or_insert(e);
            None
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(record?)
}

/// Store `record` in `kv`, as one atomic update.
pub fn save<S: KeyValueStore + ?Sized>(
    kv: &S,
    record: &SessionRecord,
) -> Result<(), CoreStoreError> {
    let entries = record.to_js_entries(true);
    let mut changes: Vec<Change> = record
        .js_keys()
        .into_iter()
        .filter(|k| !entries.iter().any(|e| &e.key == k))
        .map(Change::Remove)
        .collect();
    if record.tokens().is_none() {
        clear_last_user_if(kv, record.client_id(), record.username(), &mut changes)?;
    }
    changes.extend(entries.into_iter().map(|e| Change::Set(e.key, e.value)));
    Ok(kv.update(&changes)?)
}

fn clear_last_user_if<S: KeyValueStore + ?Sized>(
    kv: &S,
    client_id: &str,
    username: &str,
    changes: &mut Vec<Change>,
) -> Result<(), CoreStoreError> {
    let key = js::last_user_key(client_id);
    if kv.get(&key)?.is_some_and(|v| v.expose_secret() == username) {
        changes.push(Change::Remove(key));
    }
    Ok(())
}

/// Remove the tokens of `username`, keeping the remembered device.
pub fn clear_tokens<S: KeyValueStore + ?Sized>(
    kv: &S,
    client_id: &str,
    username: &str,
) -> Result<(), CoreStoreError> {
    let mut changes: Vec<Change> = [
        JsField::IdToken,
        JsField::AccessToken,
        JsField::RefreshToken,
        JsField::ClockDrift,
    ]
    .into_iter()
    .map(|f| Change::Remove(js::user_key(client_id, username, f)))
    .collect();
    clear_last_user_if(kv, client_id, username, &mut changes)?;
    Ok(kv.update(&changes)?)
}

/// Forget the remembered device of `username`, keeping the tokens.
pub fn remove_device<S: KeyValueStore + ?Sized>(
    kv: &S,
    client_id: &str,
    username: &str,
) -> Result<(), CoreStoreError> {
    let changes: Vec<Change> = [
        JsField::DeviceKey,
        JsField::DeviceGroupKey,
        JsField::RandomPasswordKey,
    ]
    .into_iter()
    .map(|f| Change::Remove(js::user_key(client_id, username, f)))
    .collect();
    Ok(kv.update(&changes)?)
}

/// The user who signed in last for `client_id` and has not signed out.
pub fn last_user<S: KeyValueStore + ?Sized>(
    kv: &S,
    client_id: &str,
) -> Result<Option<String>, CoreStoreError> {
    Ok(kv
        .get(&js::last_user_key(client_id))?
        .map(|v| v.expose_secret().clone())
        .filter(|v| !v.is_empty()))
}

macro_rules! session_store {
    ($ty:ty) => {
        impl SessionStore for $ty {
            fn load(
                &self,
                client_id: &str,
                username: &str,
            ) -> Result<Option<SessionRecord>, CoreStoreError> {
                load(self, client_id, username)
            }
            fn save(&self, record: &SessionRecord) -> Result<(), CoreStoreError> {
                save(self, record)
            }
            fn clear_tokens(&self, client_id: &str, username: &str) -> Result<(), CoreStoreError> {
                clear_tokens(self, client_id, username)
            }
            fn remove_device(&self, client_id: &str, username: &str) -> Result<(), CoreStoreError> {
                remove_device(self, client_id, username)
            }
            fn last_user(&self, client_id: &str) -> Result<Option<String>, CoreStoreError> {
                last_user(self, client_id)
            }
        }
    };
}

session_store!(MemoryStore);
session_store!(FileStore);
