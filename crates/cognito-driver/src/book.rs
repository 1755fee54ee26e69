//! [`SessionBook`]: the session store of one app client, and the device memory kept in it
//! (which remembered device a sign-in presents, what a completed sign-in stores, the device of
//! a signed-in user).

use cognito_proto::config::RememberedDevice;
use cognito_proto::session::{RecordError, SessionRecord, SessionStore, TokenSet};
use cognito_proto::signin::SignedIn;

use crate::error::Error;
use crate::options::SharedStore;

/// The session records of one app client: tokens and remembered devices, keyed by Cognito's
/// internal username. Every call reads or writes the store; nothing is cached.
pub struct SessionBook {
    store: SharedStore,
    client_id: String,
}

impl std::fmt::Debug for SessionBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBook")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// What storing a completed sign-in left for the driver to do.
#[derive(Debug)]
#[must_use]
pub struct Stored {
    /// Cognito's internal username of the signed-in user (the key of its stored state).
    pub username: String,
    /// The new device waits for the user's confirmation (`UserConfirmationNecessary`) and the
    /// pool remembers devices: mark it remembered (`UpdateDeviceStatus`).
    pub mark_remembered: bool,
}

impl SessionBook {
    /// The records of `client_id` in `store`.
    pub fn new(store: SharedStore, client_id: impl Into<String>) -> Self {
        SessionBook {
            store,
            client_id: client_id.into(),
        }
    }

    /// The session store.
    pub fn store(&self) -> &(dyn SessionStore + Send + Sync) {
        &*self.store
    }

    /// The stored record of `username`.
    pub fn load(&self, username: &str) -> Result<Option<SessionRecord>, Error> {
        self.store
            .load(&self.client_id, username)
            .map_err(Error::Session)
    }

    /// The user who signed in last and has not signed out (the store's last user).
    pub fn last_user(&self) -> Result<Option<String>, Error> {
        self.store
            .last_user(&self.client_id)
            .map_err(Error::Session)
    }

    /// Whether tokens are stored for `username` (they may be expired).
    pub fn is_signed_in(&self, username: &str) -> Result<bool, Error> {
        Ok(self.load(username)?.is_some_and(|r| r.tokens().is_some()))
    }

    /// The remembered device stored for `username`.
    pub fn remembered_device(&self, username: &str) -> Result<Option<RememberedDevice>, Error> {
        Ok(self.load(username)?.and_then(|r| r.device().cloned()))
    }

    /// Replace the tokens of `username`, keeping its device.
    pub fn save_tokens(&self, username: &str, tokens: TokenSet) -> Result<(), Error> {
        let mut record = self
            .load(username)?
            .unwrap_or_else(|| SessionRecord::new(&self.client_id, username));
        record
            .set_tokens(tokens)
            .map_err(|e| Error::Session(e.into()))?;
        self.store.save(&record).map_err(Error::Session)
    }

    /// Remove the tokens of `username`, keeping its device.
    pub fn clear_tokens(&self, username: &str) -> Result<(), Error> {
        self.store
            .clear_tokens(&self.client_id, username)
            .map_err(Error::Session)
    }

    /// Remove the remembered device of `username`, keeping its tokens.
    pub fn remove_device(&self, username: &str) -> Result<(), Error> {
        self.store
            .remove_device(&self.client_id, username)
            .map_err(Error::Session)
    }

    /// The key of the current device of `username`: the remembered one, else the one its
    /// tokens were issued to.
    pub fn current_device_key(&self, username: &str) -> Result<String, Error> {
        let record = self.load(username)?.ok_or(Error::NotSignedIn)?;
        if let Some(device) = record.device() {
            return Ok(device.device_key.clone());
        }
        record
            .tokens()
            .and_then(|t| t.device_key().map(str::to_owned))
            .ok_or(Error::NoDevice)
    }

    /// After `ForgetDevice` of `device_key`: when it is the remembered device of `username`,
    /// remove it from the store.
    pub fn device_forgotten(&self, username: &str, device_key: &str) -> Result<(), Error> {
        let record = self.load(username)?;
        if record
            .as_ref()
            .and_then(SessionRecord::device)
            .is_some_and(|d| d.device_key == device_key)
        {
            self.remove_device(username)?;
        }
        Ok(())
    }

    /// The remembered device for a sign-in as `typed`. Devices are stored under Cognito's
    /// internal username, which differs from what the user types in pools whose usernames are
    /// email addresses or phone numbers (the internal one is the `sub`) and for sign-ins with
    /// an alias. So: the record stored under `typed` (the user's own, or the alias record a
    /// previous sign-in left, see [`SessionBook::store_sign_in`]); else the record of the
    /// store's last user when its ID token names `typed`.
    pub fn device_for_sign_in(&self, typed: &str) -> Result<Option<RememberedDevice>, Error> {
        if let Some(device) = self.remembered_device(typed)? {
            return Ok(Some(device));
        }
        let Some(last) = self.last_user()?.filter(|last| last != typed) else {
            return Ok(None);
        };
        Ok(self.load(&last)?.and_then(|record| {
            record
                .tokens()
                .is_some_and(|t| tokens_name_user(t, typed))
                .then(|| record.device().cloned())
                .flatten()
        }))
    }

    /// Store what a completed sign-in produced: the tokens under the internal username, the
    /// device kept (when `remember` devices) or removed (when the server no longer knew it),
    /// and, when the user typed another name, the device under that name too so the next
    /// sign-in with it finds the device. `now` is the local time the tokens arrived.
    pub fn store_sign_in(
        &self,
        typed: &str,
        done: SignedIn,
        remember: bool,
        now: u64,
    ) -> Result<Stored, Error> {
        let mut record = self
            .load(&done.username)?
            .unwrap_or_else(|| SessionRecord::new(&self.client_id, &done.username));
        if done.device_forgotten {
            record.remove_device();
        }
        if let Some(device) = done.device
            && remember
        {
            record.set_device(device);
        }
        let tokens = TokenSet::new(
            done.tokens.id_token,
            done.tokens.access_token,
            done.tokens.refresh_token,
            now,
        )
        .map_err(|e| Error::Session(RecordError::from(e).into()))?;
        record
            .set_tokens(tokens)
            .map_err(|e| Error::Session(e.into()))?;
        self.store.save(&record).map_err(Error::Session)?;
        if typed != done.username {
            self.keep_alias_device(typed, &record, done.device_forgotten)?;
        }
        if let Some(error) = done.device_error {
            tracing::warn!(error = %error, "the new device could not be confirmed");
        }
        Ok(Stored {
            username: done.username,
            mark_remembered: done.user_confirmation_necessary && remember,
        })
    }

    /// Mirror the device of `record` under the alias `typed` (device only, never tokens).
    fn keep_alias_device(
        &self,
        typed: &str,
        record: &SessionRecord,
        forgotten: bool,
    ) -> Result<(), Error> {
        let alias = self.load(typed)?;
        if alias.as_ref().is_some_and(|a| a.tokens().is_some()) {
            // `typed` is itself a user with a session: not an alias record to manage.
            return Ok(());
        }
        let mut alias = alias.unwrap_or_else(|| SessionRecord::new(&self.client_id, typed));
        match record.device() {
            Some(device) => alias.set_device(device.clone()),
            None if forgotten || alias.device().is_some() => {
                alias.remove_device();
            }
            None => return Ok(()),
        }
        self.store.save(&alias).map_err(Error::Session)
    }
}

/// Whether `tokens` belong to the user who signs in as `name`: their internal username, or
/// one of the sign-in aliases in the ID token (`email`, `phone_number`,
/// `preferred_username`).
pub fn tokens_name_user(tokens: &TokenSet, name: &str) -> bool {
    if tokens.username() == Some(name) {
        return true;
    }
    let claims = tokens.id_token().claims();
    [
        "cognito:username",
        "email",
        "phone_number",
        "preferred_username",
    ]
    .iter()
    .any(|claim| claims.get_str(claim) == Some(name))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cognito_proto::config::RememberedDevice;
    use cognito_proto::session::{SessionRecord, TokenSet};
    use cognito_store::MemoryStore;
    use serde_json::{Value, json};

    use super::{SessionBook, tokens_name_user};

    fn jwt(payload: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"kid":"k1","alg":"RS256"}"#);
        let body = URL_SAFE_NO_PAD.encode(payload.to_string());
        format!("{header}.{body}.c2ln")
    }

    /// Tokens of the internal user `sub` whose email is `email`.
    fn tokens(sub: &str, email: &str) -> TokenSet {
        let now = 1_700_000_000_i64;
        let id = jwt(
            &json!({"token_use": "id", "sub": sub, "cognito:username": sub,
            "email": email, "iat": now, "exp": now + 3600}),
        );
        let access = jwt(&json!({"token_use": "access", "sub": sub, "username": sub,
            "iat": now, "exp": now + 3600}));
        TokenSet::new(id, access, None, 1_700_000_000).unwrap()
    }

    fn device() -> RememberedDevice {
        RememberedDevice {
            device_key: "eu-west-1_d1".into(),
            device_group_key: "-g1".into(),
            device_password: "cGFzc3dvcmQ=".into(),
        }
    }

    fn book() -> SessionBook {
        SessionBook::new(Arc::new(MemoryStore::new()), "client")
    }

    const SUB: &str = "7d8f0a3c-0000-4000-8000-000000000001";

    #[test]
    fn tokens_name_their_user_by_internal_name_and_aliases() {
        let t = tokens(SUB, "xena@example.com");
        assert!(tokens_name_user(&t, SUB));
        assert!(tokens_name_user(&t, "xena@example.com"));
        assert!(!tokens_name_user(&t, "yves@example.com"));
        assert!(!tokens_name_user(&t, "xena"));
    }

    #[test]
    fn alias_signin_uses_remembered_device_of_the_last_user() {
        let book = book();
        let mut record = SessionRecord::new("client", SUB);
        record.set_tokens(tokens(SUB, "xena@example.com")).unwrap();
        record.set_device(device());
        book.store().save(&record).unwrap();
        // Typed as the email: found through the last user's ID token.
        assert_eq!(
            book.device_for_sign_in("xena@example.com").unwrap(),
            Some(device())
        );
        // Another name is not this user's.
        assert_eq!(book.device_for_sign_in("yves@example.com").unwrap(), None);
        // Without tokens (signed out) the last user is gone, and so is this way to the device.
        book.clear_tokens(SUB).unwrap();
        assert_eq!(book.device_for_sign_in("xena@example.com").unwrap(), None);
        // The internal name still finds it.
        assert_eq!(book.device_for_sign_in(SUB).unwrap(), Some(device()));
    }

    #[test]
    fn current_device_and_forgetting_it() {
        let book = book();
        assert!(matches!(
            book.current_device_key(SUB),
            Err(crate::Error::NotSignedIn)
        ));
        let mut record = SessionRecord::new("client", SUB);
        record.set_tokens(tokens(SUB, "xena@example.com")).unwrap();
        book.store().save(&record).unwrap();
        assert!(matches!(
            book.current_device_key(SUB),
            Err(crate::Error::NoDevice)
        ));
        record.set_device(device());
        book.store().save(&record).unwrap();
        assert_eq!(book.current_device_key(SUB).unwrap(), "eu-west-1_d1");
        // Another key leaves the remembered device alone; its own key removes it.
        book.device_forgotten(SUB, "eu-west-1_other").unwrap();
        assert!(book.remembered_device(SUB).unwrap().is_some());
        book.device_forgotten(SUB, "eu-west-1_d1").unwrap();
        assert!(book.remembered_device(SUB).unwrap().is_none());
        assert!(book.is_signed_in(SUB).unwrap());
    }
}
