//! Values of the user-facing API that are not operations: MFA preferences, identity-pool
//! logins and AWS credentials, the TOTP secret of an authenticator-app setup.

use std::collections::BTreeMap;

use cognito_proto::ops;
use cognito_proto::secret::SecretString;
use cognito_proto::session::TokenSet;
use cognito_proto::signin::TotpSecret;

use crate::error::Error;

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
        Error::Cognito(cognito_proto::error::CoreError::missing_member(
            "AssociateSoftwareToken",
            "SecretCode",
        ))
    })
}

/// The identity-pool logins of a user of the pool `config` signed in with `tokens`.
pub fn identity_logins(
    config: &cognito_proto::config::ClientConfig,
    tokens: &TokenSet,
) -> Result<IdentityLogins, Error> {
    let key = ops::user_pool_login_key(config.user_pool_id()).ok_or_else(|| {
        Error::Cognito(cognito_proto::error::CoreError::invalid_input(
            "user_pool_id",
            "user pool id must look like <region>_<name>",
        ))
    })?;
    Ok(IdentityLogins(
        [(key, tokens.id_token().token().clone())].into(),
    ))
}
