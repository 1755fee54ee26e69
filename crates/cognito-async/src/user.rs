//! [`User`]: one user's session and the calls made with its access token.

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
    /// Refresh is single-flight: however many tasks ask at once, one refresh request is
    /// sent and every caller gets its result. Tokens are cleared only when Cognito says the
    /// session is dead (revoked or expired refresh token, deleted or disabled user); a network
    /// error or throttling keeps them.
    pub async fn session(&self) -> Result<TokenSet, Error> {
        let mut query = SessionQuery::new(self.pool.core(), &self.username);
        let slot = query.slot();
        loop {
            // Register for the wake-up before looking, so that a refresh ending between the
            // look and the wait is not missed. The lock is never held across an `.await`.
            let notified = slot.signal.0.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let poll = query.poll(&mut slot.lock())?;
            let mut lead = match poll {
                Poll::Ready(tokens) => return Ok(tokens),
                Poll::Wait => {
                    notified.await;
                    continue;
                }
                Poll::Lead(lead) => lead,
            };
            // This task leads. Dropping `lead` (the task is cancelled or panics) ends the
            // attempt, so waiting tasks are never stranded.
            let response = match lead.request() {
                Ok(request) => self.pool.sender().send(request).await,
                Err(e) => Err(e),
            };
            if let Some(tokens) = query.finish(lead, response)? {
                return Ok(tokens);
            }
        }
    }

    /// Run an operation that needs this user's access token.
    async fn authed<O: Operation>(
        &self,
        make: impl FnOnce(SecretString) -> O,
    ) -> Result<O::Output, Error> {
        let tokens = self.session().await?;
        self.pool
            .call(&make(tokens.access_token().token().clone()))
            .await
    }

    fn device_key(&self) -> Result<String, Error> {
        self.pool.core().current_device_key(&self.username)
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
        self.authed(|t| ops::UpdateUserAttributes::from_pairs(t, attributes))
            .await
            .map(|r| r.code_delivery_details_list)
    }

    /// Remove attributes (`DeleteUserAttributes`).
    pub async fn delete_attributes(&self, names: &[&str]) -> Result<(), Error> {
        self.authed(|t| ops::DeleteUserAttributes::new(t, names))
            .await
            .map(drop)
    }

    /// Send a code to verify an attribute such as `email` (`GetUserAttributeVerificationCode`).
    pub async fn get_attribute_verification_code(
        &self,
        attribute: &str,
    ) -> Result<Option<ops::CodeDeliveryDetails>, Error> {
        self.authed(|t| ops::GetUserAttributeVerificationCode::new(t, attribute))
            .await
            .map(|r| r.code_delivery_details)
    }

    /// Verify an attribute with the code the user received (`VerifyUserAttribute`).
    pub async fn verify_attribute(&self, attribute: &str, code: &str) -> Result<(), Error> {
        self.authed(|t| ops::VerifyUserAttribute::new(t, attribute, code))
            .await
            .map(drop)
    }

    /// Change the password (`ChangePassword`).
    pub async fn change_password(
        &self,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), Error> {
        self.authed(|t| ops::ChangePassword::new(t, old_password, new_password))
            .await
            .map(drop)
    }

    // ----- MFA -----------------------------------------------------------------------------

    /// Enable, disable or prefer second factors (`SetUserMFAPreference`).
    pub async fn set_mfa_preference(&self, preference: MfaPreference) -> Result<(), Error> {
        self.authed(|t| preference.request(t)).await.map(drop)
    }

    /// Start adding an authenticator app (`AssociateSoftwareToken`): returns the shared secret
    /// (base32) to enter into the app, or to show as a QR code via
    /// [`TotpSecret::otpauth_uri`](cognito_proto::signin::TotpSecret::otpauth_uri), as during
    /// sign-in's MFA setup. Finish with [`User::verify_software_token`].
    pub async fn associate_software_token(
        &self,
    ) -> Result<cognito_proto::signin::TotpSecret, Error> {
        totp_secret(
            self.authed(ops::AssociateSoftwareToken::with_access_token)
                .await?,
        )
    }

    /// Finish adding an authenticator app with its current code (`VerifySoftwareToken`).
    /// Then enable it with [`User::set_mfa_preference`].
    pub async fn verify_software_token(
        &self,
        code: &str,
        friendly_device_name: Option<&str>,
    ) -> Result<Option<ops::VerifySoftwareTokenStatus>, Error> {
        self.authed(|t| ops::VerifySoftwareToken::signed_in(t, code, friendly_device_name))
            .await
            .map(|r| r.status)
    }

    // ----- devices -------------------------------------------------------------------------

    /// Mark this user's current device as remembered (`UpdateDeviceStatus`).
    pub async fn remember_device(&self) -> Result<(), Error> {
        self.set_device_status(ops::DeviceRememberedStatus::Remembered)
            .await
    }

    /// Mark this user's current device as not remembered (`UpdateDeviceStatus`); it stays
    /// tracked.
    pub async fn do_not_remember_device(&self) -> Result<(), Error> {
        self.set_device_status(ops::DeviceRememberedStatus::NotRemembered)
            .await
    }

    async fn set_device_status(&self, status: ops::DeviceRememberedStatus) -> Result<(), Error> {
        let key = self.device_key()?;
        self.authed(|t| ops::UpdateDeviceStatus::new(t, &key, status))
            .await
            .map(drop)
    }

    /// Forget this user's current device on the server (`ForgetDevice`) and locally.
    pub async fn forget_device(&self) -> Result<(), Error> {
        self.forget_device_key(&self.device_key()?).await
    }

    /// Forget any of this user's devices (`ForgetDevice`); when it is the remembered one, it is
    /// removed from the store too.
    pub async fn forget_device_key(&self, device_key: &str) -> Result<(), Error> {
        self.authed(|t| ops::ForgetDevice::new(t, device_key))
            .await?;
        self.pool
            .core()
            .device_forgotten(&self.username, device_key)
    }

    /// List the user's tracked devices (`ListDevices`), one page of at most `limit` (the
    /// server's maximum is 60); pass the returned pagination token to get the next page.
    pub async fn list_devices(
        &self,
        limit: Option<u32>,
        pagination_token: Option<String>,
    ) -> Result<ops::ListDevicesResponse, Error> {
        self.authed(|access_token| ops::ListDevices {
            limit,
            pagination_token,
            ..ops::ListDevices::new(access_token)
        })
        .await
    }

    /// One device of the user (`GetDevice`); `None` means the current device.
    pub async fn get_device(&self, device_key: Option<&str>) -> Result<ops::Device, Error> {
        let key = device_key.map_or_else(|| self.device_key(), |k| Ok(k.to_owned()))?;
        self.authed(|t| ops::GetDevice::new(t, &key))
            .await
            .map(|r| r.device)
    }

    // ----- leaving -------------------------------------------------------------------------

    /// Delete the user (`DeleteUser`) and everything stored for it.
    pub async fn delete_user(&self) -> Result<(), Error> {
        self.authed(|access_token| ops::DeleteUser { access_token })
            .await?;
        self.pool.core().forget_user_locally(&self.username)
    }

    /// Sign out on this device: revoke the refresh token (`RevokeToken`, when the token is
    /// revocable) and clear the stored tokens. The remembered device is kept. The tokens are
    /// cleared even when the revocation fails; its error is returned.
    pub async fn sign_out(&self) -> Result<(), Error> {
        let revoke = match self.pool.core().revoke_request(&self.username)? {
            Some(request) => session::revoked(self.pool.sender().send(request).await),
            None => Ok(()),
        };
        self.pool.core().sign_out_locally(&self.username)?;
        revoke
    }

    /// Sign out everywhere (`GlobalSignOut`): every refresh token of the user is revoked. The
    /// stored tokens are cleared; the remembered device is kept.
    pub async fn global_sign_out(&self) -> Result<(), Error> {
        let request = self
            .pool
            .core()
            .global_sign_out_request(&self.session().await?);
        session::globally_signed_out(self.pool.sender().send(request).await)?;
        self.pool.core().sign_out_locally(&self.username)
    }

    // ----- identity pools ------------------------------------------------------------------

    /// AWS credentials from the identity pool `identity_pool_id` (`GetId`, then
    /// `GetCredentialsForIdentity`), with this user's ID token as login.
    pub async fn aws_credentials(&self, identity_pool_id: &str) -> Result<AwsCredentials, Error> {
        let logins = self.pool.core().identity_logins(&self.session().await?)?;
        let id = self.pool.call(&logins.get_id(identity_pool_id)).await?;
        Ok(self.pool.call(&logins.get_credentials(id)).await?.into())
    }
}
