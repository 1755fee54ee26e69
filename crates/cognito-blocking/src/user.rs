//! [`User`]: one user's session and the calls made with its access token.

use std::sync::Condvar;

use cognito_driver::session::{self, Poll, SessionQuery};
use cognito_driver::user::totp_secret;
use cognito_driver::{AwsCredentials, MfaPreference};
use cognito_proto::envelope::Operation;
use cognito_proto::ops;
use cognito_proto::secret::SecretString;
use cognito_proto::session::TokenSet;

use crate::Error;
use crate::pool::UserPool;

/// One user of a [`UserPool`]: its stored session (refreshed when needed) and everything a
/// signed-in user can do. Cheap to clone.
///
/// Every method acts on this user, never on "the last user" (pitfall 23).
///
/// ```no_run
/// # fn main() -> Result<(), cognito_blocking::Error> {
/// # let pool = cognito_blocking::UserPool::builder("eu-west-1_AbC", "client").build()?;
/// if let Some(user) = pool.current_user()? {
///     let tokens = user.session()?; // refreshed first if about to expire
///     let profile = user.get_user()?;
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

    /// Whether tokens are stored for this user (they may be expired).
    pub fn is_signed_in(&self) -> Result<bool, Error> {
        self.pool.core().is_signed_in(&self.username)
    }

    /// The remembered device of this user, if any (read from the store).
    pub fn remembered_device(
        &self,
    ) -> Result<Option<cognito_proto::config::RememberedDevice>, Error> {
        self.pool.core().remembered_device(&self.username)
    }

    /// The user's tokens, refreshed first when they expire within the refresh margin.
    ///
    /// Refresh is single-flight: however many threads ask at once, one refresh request is
    /// sent and every caller gets its result. Tokens are cleared only when Cognito says the
    /// session is dead (revoked or expired refresh token, deleted or disabled user); a network
    /// error or throttling keeps them.
    pub fn session(&self) -> Result<TokenSet, Error> {
        let mut query = SessionQuery::new(self.pool.core(), &self.username);
        let slot = query.slot();
        loop {
            let mut lead = {
                let mut state = slot.lock();
                loop {
                    match query.poll(&mut state)? {
                        Poll::Ready(tokens) => return Ok(tokens),
                        Poll::Lead(lead) => break lead,
                        Poll::Wait => state = wait(&slot.signal, state),
                    }
                }
            };
            // This thread leads: send the refresh outside the lock. Dropping `lead` on a
            // panic ends the attempt, so waiting threads are never stranded.
            let response = lead.request().and_then(|r| self.pool.sender().send(r));
            if let Some(tokens) = query.finish(lead, response)? {
                return Ok(tokens);
            }
        }
    }

    /// Run an operation that needs this user's access token.
    fn authed<O: Operation>(
        &self,
        make: impl FnOnce(SecretString) -> O,
    ) -> Result<O::Output, Error> {
        let tokens = self.session()?;
        self.pool.call(&make(tokens.access_token().token().clone()))
    }

    fn device_key(&self) -> Result<String, Error> {
        self.pool.core().current_device_key(&self.username)
    }

    // ----- profile -------------------------------------------------------------------------

    /// The user's profile: username, attributes and MFA settings (`GetUser`).
    pub fn get_user(&self) -> Result<ops::GetUserResponse, Error> {
        self.authed(|access_token| ops::GetUser { access_token })
    }

    /// Set attributes (`UpdateUserAttributes`); changing `email` or `phone_number` sends a
    /// verification code, described in the result.
    pub fn update_attributes(
        &self,
        attributes: &[(&str, &str)],
    ) -> Result<Vec<ops::CodeDeliveryDetails>, Error> {
        self.authed(|t| ops::UpdateUserAttributes::from_pairs(t, attributes))
            .map(|r| r.code_delivery_details_list)
    }

    /// Remove attributes (`DeleteUserAttributes`).
    pub fn delete_attributes(&self, names: &[&str]) -> Result<(), Error> {
        self.authed(|t| ops::DeleteUserAttributes::new(t, names))
            .map(drop)
    }

    /// Send a code to verify an attribute such as `email` (`GetUserAttributeVerificationCode`).
    pub fn get_attribute_verification_code(
        &self,
        attribute: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.authed(|t| ops::GetUserAttributeVerificationCode::new(t, attribute))
            .map(|r| r.code_delivery_details)
    }

    /// Verify an attribute with the code the user received (`VerifyUserAttribute`).
    pub fn verify_attribute(&self, attribute: &str, code: &str) -> Result<(), Error> {
        self.authed(|t| ops::VerifyUserAttribute::new(t, attribute, code))
            .map(drop)
    }

    /// Change the password (`ChangePassword`).
    pub fn change_password(&self, old_password: &str, new_password: &str) -> Result<(), Error> {
        self.authed(|t| ops::ChangePassword::new(t, old_password, new_password))
            .map(drop)
    }

    // ----- MFA -----------------------------------------------------------------------------

    /// Enable, disable or prefer second factors (`SetUserMFAPreference`).
    pub fn set_mfa_preference(&self, preference: MfaPreference) -> Result<(), Error> {
        self.authed(|t| preference.request(t)).map(drop)
    }

    /// Start adding an authenticator app (`AssociateSoftwareToken`): returns the shared secret
    /// (base32) to enter into the app, or to show as a QR code via
    /// [`TotpSecret::otpauth_uri`](cognito_proto::signin::TotpSecret::otpauth_uri), as during
    /// sign-in's MFA setup. Finish with [`User::verify_software_token`].
    pub fn associate_software_token(&self) -> Result<cognito_proto::signin::TotpSecret, Error> {
        totp_secret(self.authed(ops::AssociateSoftwareToken::with_access_token)?)
    }

    /// Finish adding an authenticator app with its current code (`VerifySoftwareToken`).
    /// Then enable it with [`User::set_mfa_preference`].
    pub fn verify_software_token(
        &self,
        code: &str,
        friendly_device_name: Option<&str>,
    ) -> Result<Option<ops::VerifySoftwareTokenStatus>, Error> {
        self.authed(|t| ops::VerifySoftwareToken::signed_in(t, code, friendly_device_name))
            .map(|r| r.status)
    }

    // ----- devices -------------------------------------------------------------------------

    /// Mark this user's current device as remembered (`UpdateDeviceStatus`).
    pub fn remember_device(&self) -> Result<(), Error> {
        self.set_device_status(ops::DeviceRememberedStatus::Remembered)
    }

    /// Mark this user's current device as not remembered (`UpdateDeviceStatus`); it stays
    /// tracked.
    pub fn do_not_remember_device(&self) -> Result<(), Error> {
        self.set_device_status(ops::DeviceRememberedStatus::NotRemembered)
    }

    fn set_device_status(&self, status: ops::DeviceRememberedStatus) -> Result<(), Error> {
        let key = self.device_key()?;
        self.authed(|t| ops::UpdateDeviceStatus::new(t, &key, status))
            .map(drop)
    }

    /// Forget this user's current device on the server (`ForgetDevice`) and locally.
    pub fn forget_device(&self) -> Result<(), Error> {
        self.forget_device_key(&self.device_key()?)
    }

    /// Forget any of this user's devices (`ForgetDevice`); when it is the remembered one, it is
    /// removed from the store too.
    pub fn forget_device_key(&self, device_key: &str) -> Result<(), Error> {
        self.authed(|t| ops::ForgetDevice::new(t, device_key))?;
        self.pool
            .core()
            .device_forgotten(&self.username, device_key)
    }

    /// List the user's tracked devices (`ListDevices`), one page of at most `limit` (the
    /// server's maximum is 60); pass the returned pagination token to get the next page.
    pub fn list_devices(
        &self,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<ops::ListDevicesResponse, Error> {
        self.authed(|access_token| ops::ListDevices {
            limit,
            pagination_token,
            ..ops::ListDevices::new(access_token)
        })
    }

    /// One device of the user (`GetDevice`); `None` means the current device.
    pub fn get_device(&self, device_key: Option<&str>) -> Result<ops::Device, Error> {
        let key = device_key.map_or_else(|| self.device_key(), |k| Ok(k.to_owned()))?;
        self.authed(|t| ops::GetDevice::new(t, &key))
            .map(|r| r.device)
    }

    // ----- leaving -------------------------------------------------------------------------

    /// Delete the user (`DeleteUser`) and everything stored for it.
    pub fn delete_user(&self) -> Result<(), Error> {
        self.authed(|access_token| ops::DeleteUser { access_token })?;
        self.pool.core().forget_user_locally(&self.username)
    }

    /// Sign out on this device: revoke the refresh token (`RevokeToken`, when the token is
    /// revocable) and clear the stored tokens. The remembered device is kept. The tokens are
    /// cleared even when the revocation fails; its error is returned.
    pub fn sign_out(&self) -> Result<(), Error> {
        let revoke = match self.pool.core().revoke_request(&self.username)? {
            Some(request) => session::revoked(self.pool.sender().send(request)),
            None => Ok(()),
        };
        self.pool.core().sign_out_locally(&self.username)?;
        revoke
    }

    /// Sign out everywhere (`GlobalSignOut`): every refresh token of the user is revoked. The
    /// stored tokens are cleared; the remembered device is kept.
    pub fn global_sign_out(&self) -> Result<(), Error> {
        let request = self.pool.core().global_sign_out_request(&self.session()?);
        session::globally_signed_out(self.pool.sender().send(request))?;
        self.pool.core().sign_out_locally(&self.username)
    }

    // ----- identity pools ------------------------------------------------------------------

    /// AWS credentials from the identity pool `identity_pool_id` (`GetId`, then
    /// `GetCredentialsForIdentity`), with this user's ID token as login.
    pub fn aws_credentials(&self, identity_pool_id: &str) -> Result<AwsCredentials, Error> {
        let logins = self.pool.core().identity_logins(&self.session()?)?;
        let id = self.pool.call(&logins.get_id(identity_pool_id))?;
        Ok(self.pool.call(&logins.get_credentials(id))?.into())
    }
}

/// Sleep on the slot's condition variable until a refresh ends or the session is reset.
fn wait<'a, T>(
    signal: &Condvar,
    guard: std::sync::MutexGuard<'a, T>,
) -> std::sync::MutexGuard<'a, T> {
    match signal.wait(guard) {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}
