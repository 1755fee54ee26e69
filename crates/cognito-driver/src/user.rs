//! What a user handle needs besides sending: its current device, local device bookkeeping,
//! MFA preferences, identity-pool logins and credentials.

use std::collections::BTreeMap;

use cognito_proto::ops;
use cognito_proto::secret::SecretString;
use cognito_proto::session::{SessionRecord, TokenSet};
use cognito_proto::signin::TotpSecret;

use crate::error::Error;
use crate::pool::{PoolCore, Signal};

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

impl MfaPreference {
    /// The `SetUserMFAPreference` request applying this preference.
    pub fn request(self, access_token: SecretString) -> ops::SetUserMfaPreference {
        ops::SetUserMfaPreference {
            sms_mfa_settings: self.sms,
            software_token_mfa_settings: self.software_token,
            email_mfa_settings: self.email,
            ..ops::SetUserMfaPreference::new(access_token)
        }
    }
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

impl From<ops::GetCredentialsForIdentityResponse> for AwsCredentials {
    fn from(r: ops::GetCredentialsForIdentityResponse) -> Self {
        AwsCredentials {
            identity_id: r.identity_id,
            access_key_id: r.credentials.access_key_id,
            secret_access_key: r.credentials.secret_key,
            session_token: r.credentials.session_token,
            expiration: r.credentials.expiration,
        }
    }
}

/// The identity-pool `Logins` of a signed-in user: its ID token under the user pool's
/// provider name.
#[derive(Clone, Debug)]
pub struct IdentityLogins(BTreeMap<String, SecretString>);

impl IdentityLogins {
    /// `GetId` in `identity_pool_id` with these logins.
    pub fn get_id(&self, identity_pool_id: &str) -> ops::GetId {
        ops::GetId {
            logins: self.0.clone(),
            ..ops::GetId::new(identity_pool_id)
        }
    }

    /// `GetCredentialsForIdentity` of the identity `GetId` returned, with these logins.
    pub fn get_credentials(self, id: ops::GetIdResponse) -> ops::GetCredentialsForIdentity {
        ops::GetCredentialsForIdentity {
            logins: self.0,
            ..ops::GetCredentialsForIdentity::new(id.identity_id)
        }
    }
}

/// The TOTP secret of an `AssociateSoftwareToken` answer.
pub fn totp_secret(response: ops::AssociateSoftwareTokenResponse) -> Result<TotpSecret, Error> {
    response.secret_code.map(TotpSecret::new).ok_or_else(|| {
        Error::Cognito(cognito_proto::error::Error::protocol(
            "AssociateSoftwareToken",
            "the response has no secret code",
        ))
    })
}

impl<W: Signal> PoolCore<W> {
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
            self.store()
                .remove_device(self.client_id(), username)
                .map_err(Error::Session)?;
        }
        Ok(())
    }

    /// The identity-pool logins of a user signed in with `tokens`.
    pub fn identity_logins(&self, tokens: &TokenSet) -> Result<IdentityLogins, Error> {
        let key = ops::user_pool_login_key(self.config().user_pool_id()).ok_or_else(|| {
            Error::Cognito(cognito_proto::error::Error::invalid_input(
                "user pool id must look like <region>_<name>",
            ))
        })?;
        Ok(IdentityLogins(
            [(key, tokens.id_token().token().clone())].into(),
        ))
    }
}
