//! Sign-in around the core's state machine: which remembered device to present, and what to
//! store when the sign-in completes.

use cognito_proto::config::RememberedDevice;
use cognito_proto::session::{RecordError, SessionRecord, TokenSet};
use cognito_proto::signin::{self, Answer, Event, Start};

use crate::error::Error;
use crate::pool::{PoolCore, Signal};

/// Where a sign-in stands after a call, with the driver's pending sign-in `S` and user
/// handle `U` (each driver names it `SignInOutcome`).
#[derive(Debug)]
#[must_use]
pub enum SignInOutcome<S, U> {
    /// The user must do something: see the pending sign-in's `next_step`, then `answer` it.
    NextStep(S),
    /// Signed in; the tokens (and a remembered device) are stored.
    SignedIn(U),
}

impl<S, U> SignInOutcome<S, U> {
    /// The signed-in user, if the sign-in is complete.
    pub fn signed_in(self) -> Option<U> {
        match self {
            SignInOutcome::SignedIn(user) => Some(user),
            SignInOutcome::NextStep(_) => None,
        }
    }
}

/// A sign-in in progress: the core's flow and the name the user typed (which may be an alias
/// of Cognito's internal username).
pub struct SignInFlow {
    flow: Box<signin::SignIn>,
    typed: String,
}

impl std::fmt::Debug for SignInFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInFlow").finish_non_exhaustive()
    }
}

impl SignInFlow {
    /// Feed the response to the flow's last request.
    pub fn handle_response<W: Signal>(
        &mut self,
        core: &PoolCore<W>,
        response: http::Response<Vec<u8>>,
    ) -> Result<Event, Error> {
        Ok(self
            .flow
            .handle_response(response, core.now(), &mut rand::rng())?)
    }

    /// Answer the step the flow is waiting on.
    pub fn answer<W: Signal>(
        &mut self,
        core: &PoolCore<W>,
        answer: Answer,
    ) -> Result<Event, Error> {
        Ok(self.flow.answer(answer, core.now(), &mut rand::rng())?)
    }
}

/// What a completed sign-in left for the driver to do.
#[derive(Debug)]
#[must_use]
pub struct Completed {
    /// Cognito's internal username of the signed-in user (the key of its stored state).
    pub username: String,
    /// The new device waits for the user's confirmation (`UserConfirmationNecessary`) and the
    /// pool remembers devices: call the user's `remember_device`, then [`Completed::report`]
    /// its result.
    pub mark_remembered: bool,
}

impl Completed {
    /// Log a failure to mark the new device remembered: the user is signed in either way; the
    /// device is tracked but not remembered.
    pub fn report(result: Result<(), Error>) {
        if let Err(error) = result {
            tracing::warn!(error = %error, "the new device could not be marked as remembered");
        }
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

impl<W: Signal> PoolCore<W> {
    /// Start a sign-in: present the remembered device of the user (see
    /// [`PoolCore::device_for_sign_in`]) and, without device tracking, ask the core not to
    /// confirm a new device nobody would keep.
    pub fn start_sign_in(&self, start: Start) -> Result<(SignInFlow, Event), Error> {
        let typed = start.username().to_owned();
        let (device, start) = if self.options().remember_devices {
            (self.device_for_sign_in(&typed)?, start)
        } else {
            (None, start.without_device_confirmation())
        };
        let (flow, event) = signin::SignIn::start(
            self.config(),
            self.endpoint(),
            start,
            device,
            self.now(),
            &mut rand::rng(),
        )?;
        let flow = SignInFlow {
            flow: Box::new(flow),
            typed,
        };
        Ok((flow, event))
    }

    /// The remembered device for a sign-in as `typed`. Devices are stored under Cognito's
    /// internal username, which differs from what the user types in pools whose usernames are
    /// email addresses or phone numbers (the internal one is the `sub`) and for sign-ins with
    /// an alias. So: the record stored under `typed` (the user's own, or the alias record a
    /// previous sign-in left, see [`PoolCore::finish_sign_in`]); else the record of the
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
    /// device kept (when the pool remembers devices) or removed (when the server no longer
    /// knew it), and, when the user typed another name, the device under that name too so the
    /// next sign-in with it finds the device. Resets the user's refresh slot: a refresh in
    /// flight must not overwrite the new tokens.
    pub fn finish_sign_in(
        &self,
        flow: &SignInFlow,
        done: signin::SignedIn,
    ) -> Result<Completed, Error> {
        let remember = self.options().remember_devices;
        let mut record = self
            .load(&done.username)?
            .unwrap_or_else(|| SessionRecord::new(self.client_id(), &done.username));
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
            self.now(),
        )
        .map_err(|e| Error::Session(RecordError::from(e).into()))?;
        record
            .set_tokens(tokens)
            .map_err(|e| Error::Session(e.into()))?;
        self.store().save(&record).map_err(Error::Session)?;
        self.slot(&done.username).reset();
        if flow.typed != done.username {
            self.keep_alias_device(&flow.typed, &record, done.device_forgotten)?;
        }
        if let Some(error) = done.device_error {
            tracing::warn!(error = %error, "the new device could not be confirmed");
        }
        Ok(Completed {
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
        let mut alias = alias.unwrap_or_else(|| SessionRecord::new(self.client_id(), typed));
        match record.device() {
            Some(device) => alias.set_device(device.clone()),
            None if forgotten || alias.device().is_some() => {
                alias.remove_device();
            }
            None => return Ok(()),
        }
        self.store().save(&alias).map_err(Error::Session)
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use cognito_proto::config::RememberedDevice;
    use cognito_proto::session::{SessionRecord, TokenSet};
    use serde_json::{Value, json};

    use super::tokens_name_user;
    use crate::PoolBuilder;
    use crate::pool::PoolCore;

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

    fn core() -> PoolCore<std::sync::Condvar> {
        PoolBuilder::new("eu-west-1_AbC".into(), "client".into())
            .build()
            .unwrap()
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
        let core = core();
        let mut record = SessionRecord::new("client", SUB);
        record.set_tokens(tokens(SUB, "xena@example.com")).unwrap();
        record.set_device(device());
        core.store().save(&record).unwrap();
        // Typed as the email: found through the last user's ID token.
        assert_eq!(
            core.device_for_sign_in("xena@example.com").unwrap(),
            Some(device())
        );
        // Another name is not this user's.
        assert_eq!(core.device_for_sign_in("yves@example.com").unwrap(), None);
        // Without tokens (signed out) the last user is gone, and so is this way to the device.
        core.store().clear_tokens("client", SUB).unwrap();
        assert_eq!(core.device_for_sign_in("xena@example.com").unwrap(), None);
        // The internal name still finds it.
        assert_eq!(core.device_for_sign_in(SUB).unwrap(), Some(device()));
    }
}
