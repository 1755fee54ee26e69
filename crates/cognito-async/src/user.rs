//! [`User`]: one user's session and the calls made with its access token.

use std::sync::Arc;

use cognito_proto::envelope::Operation;
use cognito_proto::ops;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{RefreshResult, RefreshStart, SessionRecord, TokenSet};

use crate::error::Error;
use crate::pool::{Slot, UserPool};

/// One user of a [`UserPool`]: its stored session (refreshed when needed) and everything a
/// signed-in user can do. Cheap to clone.
///
/// Every method acts on this user, never on "the last user" (pitfall 23).
///
/// ```no_run
/// # async fn example() -> Result<(), cognito_async::Error> {
/// # let pool = cognito_async::UserPool::builder("eu-west-1_AbC", "client").build()?;
/// if let Some(user) = pool.current_user()? {
///     let tokens = user.session().await?; // refreshed first if about to expire
///     let profile = user.get_user().await?;
///     println!("{} {:?}", profile.username, tokens.expiration());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct User {
    pool: UserPool,
    username: String,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Which second factors a user has enabled and prefers; `None` leaves a factor unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MfaPreference {
    /// SMS codes.
    pub sms: Option<ops::MfaSettings>,
    /// Authenticator app (TOTP) codes.
    pub software_token: Option<ops::MfaSettings>,
    /// Email codes.
    pub email: Option<ops::MfaSettings>,
}

/// AWS credentials from an identity pool.
#[derive(Clone, Debug)]
pub struct AwsCredentials {
    /// The identity the credentials belong to (`<region>:<uuid>`).
    pub identity_id: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: SecretString,
    /// The session token.
    pub session_token: SecretString,
    /// When the credentials expire, in seconds since the Unix epoch.
    pub expiration: f64,
}

impl User {
    pub(crate) fn new(pool: UserPool, username: String) -> Self {
        User { pool, username }
    }

    /// Cognito's internal username of this user (the key of its stored state).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The pool handle this user belongs to.
    pub fn pool(&self) -> &UserPool {
        &self.pool
    }

    fn client_id(&self) -> &str {
        self.pool.inner.config.client_id()
    }

    fn load(&self) -> Result<Option<SessionRecord>, Error> {
        self.pool
            .inner
            .store
            .load(self.client_id(), &self.username)
            .map_err(Error::Session)
    }

    /// Whether tokens are stored for this user (they may be expired).
    pub fn is_signed_in(&self) -> Result<bool, Error> {
        Ok(self.load()?.is_some_and(|r| r.tokens().is_some()))
    }

    /// The remembered device of this user, if any (read from the store).
    pub fn remembered_device(
        &self,
    ) -> Result<Option<cognito_proto::config::RememberedDevice>, Error> {
        Ok(self.load()?.and_then(|r| r.device().cloned()))
    }

    /// The user's tokens, refreshed first when they expire within the refresh margin.
    ///
    /// Refresh is single-flight: however many tasks ask at once, one refresh request is
    /// sent and every caller gets its result. Tokens are cleared only when Cognito says the
    /// session is dead (revoked or expired refresh token, deleted or disabled user); a network
    /// error or throttling keeps them.
    pub async fn session(&self) -> Result<TokenSet, Error> {
        let slot = self.pool.slot(&self.username);
        loop {
            let observed = lock(&slot.state).gate.generation();
            let record = self.load()?.ok_or(Error::NotSignedIn)?;
            let tokens = record.tokens().cloned().ok_or(Error::NotSignedIn)?;
            if !tokens.needs_refresh(self.pool.now(), self.pool.inner.options.refresh_margin) {
                return Ok(tokens);
            }
            let ticket = loop {
                // Register for the wake-up before looking, so that a refresh ending between the
                // look and the wait is not missed. The lock is never held across an `.await`.
                let notified = slot.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                {
                    let mut state = lock(&slot.state);
                    match state.gate.begin(observed) {
                        RefreshStart::Lead(ticket) => break Some(ticket),
                        RefreshStart::Join => {}
                        RefreshStart::Finished(RefreshResult::Refreshed | RefreshResult::Reset) => {
                            break None;
                        }
                        RefreshStart::Finished(RefreshResult::FailedKeptTokens) => {
                            let error = state.last_error.clone();
                            drop(state);
                            return self.after_failed_refresh(tokens, error);
                        }
                        RefreshStart::Finished(RefreshResult::SessionEnded) => {
                            return Err(shared_error(state.last_error.clone()));
                        }
                    }
                }
                notified.await;
            };
            let Some(ticket) = ticket else { continue };
            // This caller leads: send the refresh outside the lock. The guard ends the attempt
            // if this task is cancelled or panics, so waiting callers are never stranded.
            let mut guard = LeadGuard {
                slot: Arc::clone(&slot),
                ticket: Some(ticket),
            };
            let outcome = crate::refresh::refresh(&self.pool, &record, &tokens).await;
            let Some(ticket) = guard.ticket.take() else {
                continue;
            };
            let result = self.complete_refresh(&slot, ticket, outcome);
            slot.changed.notify_waiters();
            return match result {
                Err(RefreshFailure::Stale) => continue,
                Err(RefreshFailure::KeptTokens(e)) => self.after_failed_refresh(tokens, Some(e)),
                Err(RefreshFailure::Other(e)) => Err(e),
                Ok(tokens) => Ok(tokens),
            };
        }
    }

    /// A refresh failed but the tokens were kept: they are still good for this call when they
    /// have not actually expired yet (the refresh was only early).
    fn after_failed_refresh(
        &self,
        tokens: TokenSet,
        error: Option<Arc<Error>>,
    ) -> Result<TokenSet, Error> {
        if tokens.is_valid(self.pool.now(), std::time::Duration::ZERO) {
            Ok(tokens)
        } else {
            Err(shared_error(error))
        }
    }

    /// Record the leader's refresh outcome under the slot lock: end the attempt in the gate,
    /// then store the new tokens or clear a dead session, unless the attempt went stale.
    fn complete_refresh(
        &self,
        slot: &Slot,
        ticket: cognito_proto::session::RefreshTicket,
        outcome: Result<TokenSet, (Error, bool)>,
    ) -> Result<TokenSet, RefreshFailure> {
        let mut state = lock(&slot.state);
        let result = match &outcome {
            Ok(_) => RefreshResult::Refreshed,
            Err((_, true)) => RefreshResult::SessionEnded,
            Err((_, false)) => RefreshResult::FailedKeptTokens,
        };
        if state.gate.finish(ticket, result).is_err() {
            // Signed out (or signed in again) meanwhile: this result must not be stored.
            return Err(RefreshFailure::Stale);
        }
        let store = &self.pool.inner.store;
        let stored = match outcome {
            Ok(new_tokens) => {
                let saved = store
                    .load(self.client_id(), &self.username)
                    .map_err(Error::Session)
                    .and_then(|current| {
                        let mut record = current.unwrap_or_else(|| {
                            SessionRecord::new(self.client_id(), &self.username)
                        });
                        record
                            .set_tokens(new_tokens.clone())
                            .map_err(|e| Error::Session(e.into()))?;
                        store.save(&record).map_err(Error::Session)
                    });
                match saved {
                    Ok(()) => {
                        state.last_error = None;
                        return Ok(new_tokens);
                    }
                    Err(e) => e,
                }
            }
            Err((e, dead)) => {
                if dead && let Err(clear) = store.clear_tokens(self.client_id(), &self.username) {
                    tracing::warn!(error = %clear, "could not clear the tokens of a dead session");
                }
                let shared = Arc::new(e);
                state.last_error = Some(Arc::clone(&shared));
                return Err(if dead {
                    RefreshFailure::Other(Error::Refresh(shared))
                } else {
                    RefreshFailure::KeptTokens(shared)
                });
            }
        };
        let shared = Arc::new(stored);
        state.last_error = Some(Arc::clone(&shared));
        Err(RefreshFailure::Other(Error::Refresh(shared)))
    }

    /// Run an operation that needs this user's access token.
    async fn authed<O: Operation>(
        &self,
        make: impl FnOnce(SecretString) -> O,
    ) -> Result<O::Output, Error> {
        let tokens = self.session().await?;
        let op = make(tokens.access_token().token().clone());
        self.pool.call(&op).await
    }

    // ----- profile -------------------------------------------------------------------------

    /// The user's profile: username, attributes and MFA settings (`GetUser`).
    pub async fn get_user(&self) -> Result<ops::GetUserResponse, Error> {
        self.authed(|access_token| ops::GetUser { access_token })
            .await
    }

    /// Set attributes (`UpdateUserAttributes`); changing `email` or `phone_number` sends a
    /// verification code, described in the result.
    pub async fn update_attributes(
        &self,
        attributes: &[(&str, &str)],
    ) -> Result<Vec<ops::CodeDeliveryDetails>, Error> {
        self.authed(|access_token| ops::UpdateUserAttributes {
            user_attributes: attributes
                .iter()
                .map(|(n, v)| ops::AttributeType::new(*n, *v))
                .collect(),
            access_token,
            client_metadata: Default::default(),
        })
        .await
        .map(|r| r.code_delivery_details_list)
    }

    /// Remove attributes (`DeleteUserAttributes`).
    pub async fn delete_attributes(&self, names: &[&str]) -> Result<(), Error> {
        self.authed(|access_token| ops::DeleteUserAttributes {
            user_attribute_names: names.iter().map(|n| (*n).to_owned()).collect(),
            access_token,
        })
        .await
        .map(drop)
    }

    /// Send a code to verify an attribute such as `email` (`GetUserAttributeVerificationCode`).
    pub async fn get_attribute_verification_code(
        &self,
        attribute: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.authed(|access_token| ops::GetUserAttributeVerificationCode {
            access_token,
            attribute_name: attribute.to_owned(),
            client_metadata: Default::default(),
        })
        .await
        .map(|r| r.code_delivery_details)
    }

    /// Verify an attribute with the code the user received (`VerifyUserAttribute`).
    pub async fn verify_attribute(&self, attribute: &str, code: &str) -> Result<(), Error> {
        self.authed(|access_token| ops::VerifyUserAttribute {
            access_token,
            attribute_name: attribute.to_owned(),
            code: SecretString::from(code),
        })
        .await
        .map(drop)
    }

    /// Change the password (`ChangePassword`).
    pub async fn change_password(
        &self,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), Error> {
        self.authed(|access_token| ops::ChangePassword {
            previous_password: Some(SecretString::from(old_password)),
            proposed_password: SecretString::from(new_password),
            access_token,
        })
        .await
        .map(drop)
    }

    // ----- MFA -----------------------------------------------------------------------------

    /// Enable, disable or prefer second factors (`SetUserMFAPreference`).
    pub async fn set_mfa_preference(&self, preference: MfaPreference) -> Result<(), Error> {
        self.authed(|access_token| ops::SetUserMfaPreference {
            sms_mfa_settings: preference.sms,
            software_token_mfa_settings: preference.software_token,
            email_mfa_settings: preference.email,
            web_authn_mfa_settings: None,
            access_token,
        })
        .await
        .map(drop)
    }

    /// Start adding an authenticator app (`AssociateSoftwareToken`): returns the shared secret
    /// (base32) to enter into the app. Finish with [`User::verify_software_token`].
    pub async fn associate_software_token(&self) -> Result<SecretString, Error> {
        let response = self
            .authed(|access_token| ops::AssociateSoftwareToken {
                access_token: Some(access_token),
                session: None,
            })
            .await?;
        response.secret_code.ok_or_else(|| {
            Error::Cognito(cognito_proto::error::Error::protocol(
                "AssociateSoftwareToken",
                "the response has no secret code",
            ))
        })
    }

    /// Finish adding an authenticator app with its current code (`VerifySoftwareToken`).
    /// Then enable it with [`User::set_mfa_preference`].
    pub async fn verify_software_token(
        &self,
        code: &str,
        friendly_device_name: Option<&str>,
    ) -> Result<Option<ops::VerifySoftwareTokenStatus>, Error> {
        self.authed(|access_token| ops::VerifySoftwareToken {
            access_token: Some(access_token),
            session: None,
            user_code: SecretString::from(code),
            friendly_device_name: friendly_device_name.map(str::to_owned),
        })
        .await
        .map(|r| r.status)
    }

    // ----- devices -------------------------------------------------------------------------

    fn current_device_key(&self) -> Result<String, Error> {
        let record = self.load()?.ok_or(Error::NotSignedIn)?;
        if let Some(device) = record.device() {
            return Ok(device.device_key.clone());
        }
        record
            .tokens()
            .and_then(|t| t.device_key().map(str::to_owned))
            .ok_or(Error::NoDevice)
    }

    /// Mark this user's current device as remembered (`UpdateDeviceStatus`).
    pub async fn remember_device(&self) -> Result<(), Error> {
        let device_key = self.current_device_key()?;
        self.set_device_status(device_key, ops::DeviceRememberedStatus::Remembered)
            .await
    }

    /// Mark this user's current device as not remembered (`UpdateDeviceStatus`); it stays
    /// tracked.
    pub async fn do_not_remember_device(&self) -> Result<(), Error> {
        let device_key = self.current_device_key()?;
        self.set_device_status(device_key, ops::DeviceRememberedStatus::NotRemembered)
            .await
    }

    async fn set_device_status(
        &self,
        device_key: String,
        status: ops::DeviceRememberedStatus,
    ) -> Result<(), Error> {
        self.authed(|access_token| ops::UpdateDeviceStatus {
            access_token,
            device_key,
            device_remembered_status: Some(status),
        })
        .await
        .map(drop)
    }

    /// Forget this user's current device on the server (`ForgetDevice`) and locally.
    pub async fn forget_device(&self) -> Result<(), Error> {
        let device_key = self.current_device_key()?;
        self.forget_device_key(&device_key).await
    }

    /// Forget any of this user's devices (`ForgetDevice`); when it is the remembered one, it is
    /// removed from the store too.
    pub async fn forget_device_key(&self, device_key: &str) -> Result<(), Error> {
        self.authed(|access_token| ops::ForgetDevice {
            access_token: Some(access_token),
            device_key: device_key.to_owned(),
        })
        .await?;
        let record = self.load()?;
        if record
            .as_ref()
            .and_then(SessionRecord::device)
            .is_some_and(|d| d.device_key == device_key)
        {
            self.pool
                .inner
                .store
                .remove_device(self.client_id(), &self.username)
                .map_err(Error::Session)?;
        }
        Ok(())
    }

    /// List the user's tracked devices (`ListDevices`), one page of at most `limit` (the
    /// server's maximum is 60); pass the returned pagination token to get the next page.
    pub async fn list_devices(
        &self,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<ops::ListDevicesResponse, Error> {
        self.authed(|access_token| ops::ListDevices {
            access_token,
            limit,
            pagination_token,
        })
        .await
    }

    /// One device of the user (`GetDevice`); `None` means the current device.
    pub async fn get_device(&self, device_key: Option<&str>) -> Result<ops::Device, Error> {
        let device_key = match device_key {
            Some(k) => k.to_owned(),
            None => self.current_device_key()?,
        };
        self.authed(|access_token| ops::GetDevice {
            device_key,
            access_token: Some(access_token),
        })
        .await
        .map(|r| r.device)
    }

    // ----- leaving -------------------------------------------------------------------------

    /// Delete the user (`DeleteUser`) and everything stored for it.
    pub async fn delete_user(&self) -> Result<(), Error> {
        self.authed(|access_token| ops::DeleteUser { access_token })
            .await?;
        self.reset_slot();
        let store = &self.pool.inner.store;
        store
            .clear_tokens(self.client_id(), &self.username)
            .and_then(|()| store.remove_device(self.client_id(), &self.username))
            .map_err(Error::Session)
    }

    /// Sign out on this device: revoke the refresh token (`RevokeToken`, when the token is
    /// revocable) and clear the stored tokens. The remembered device is kept. The tokens are
    /// cleared even when the revocation fails; its error is returned.
    pub async fn sign_out(&self) -> Result<(), Error> {
        let record = self.load()?;
        let revoke = match record.as_ref().and_then(SessionRecord::tokens) {
            Some(tokens) => crate::refresh::revoke(&self.pool, tokens).await,
            None => Ok(()),
        };
        self.clear_local()?;
        revoke
    }

    /// Sign out everywhere (`GlobalSignOut`): every refresh token of the user is revoked. The
    /// stored tokens are cleared; the remembered device is kept.
    pub async fn global_sign_out(&self) -> Result<(), Error> {
        let tokens = self.session().await?;
        crate::refresh::global_sign_out(&self.pool, &tokens).await?;
        self.clear_local()
    }

    fn reset_slot(&self) {
        let slot = self.pool.slot(&self.username);
        lock(&slot.state).gate.reset();
        slot.changed.notify_waiters();
    }

    fn clear_local(&self) -> Result<(), Error> {
        self.reset_slot();
        self.pool
            .inner
            .store
            .clear_tokens(self.client_id(), &self.username)
            .map_err(Error::Session)
    }

    // ----- identity pools ------------------------------------------------------------------

    /// AWS credentials from the identity pool `identity_pool_id` (`GetId`, then
    /// `GetCredentialsForIdentity`), with this user's ID token as login.
    pub async fn aws_credentials(&self, identity_pool_id: &str) -> Result<AwsCredentials, Error> {
        let tokens = self.session().await?;
        let key =
            ops::user_pool_login_key(self.pool.inner.config.user_pool_id()).ok_or_else(|| {
                Error::Cognito(cognito_proto::error::Error::invalid_input(
                    "user pool id must look like <region>_<name>",
                ))
            })?;
        let logins: std::collections::BTreeMap<String, SecretString> =
            [(key, tokens.id_token().token().clone())].into();
        let id = self
            .pool
            .call(&ops::GetId {
                identity_pool_id: identity_pool_id.to_owned(),
                account_id: None,
                logins: logins.clone(),
            })
            .await?;
        let creds = self
            .pool
            .call(&ops::GetCredentialsForIdentity {
                identity_id: id.identity_id,
                logins,
                custom_role_arn: None,
            })
            .await?;
        Ok(AwsCredentials {
            identity_id: creds.identity_id,
            access_key_id: creds.credentials.access_key_id,
            secret_access_key: creds.credentials.secret_key,
            session_token: creds.credentials.session_token,
            expiration: creds.credentials.expiration,
        })
    }
}

enum RefreshFailure {
    /// The session was reset while refreshing; look at the store again.
    Stale,
    /// The refresh failed and the tokens were kept.
    KeptTokens(Arc<Error>),
    /// Anything else.
    Other(Error),
}

fn shared_error(error: Option<Arc<Error>>) -> Error {
    match error {
        Some(e) => Error::Refresh(e),
        None => Error::NotSignedIn,
    }
}

/// Ends a refresh attempt that did not complete (its leader was cancelled or panicked), so that waiting
/// callers look again instead of waiting forever.
struct LeadGuard {
    slot: Arc<Slot>,
    ticket: Option<cognito_proto::session::RefreshTicket>,
}

impl Drop for LeadGuard {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            let _ = lock(&self.slot.state)
                .gate
                .finish(ticket, RefreshResult::Reset);
            self.slot.changed.notify_waiters();
        }
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
