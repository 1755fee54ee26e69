//! The values a caller exchanges with a [`SignInFlow`](super::SignInFlow): how to start, the steps it
//! asks for, the answers it takes, and the result.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::RememberedDevice;
use crate::envelope::PreparedRequest;
use crate::error::CoreError;
use crate::ops::{AnalyticsMetadata, ChallengeName, UserContextData};
use crate::secret::SecretString;

/// How a sign-in starts: the username, the flow, and optional pass-through data.
///
/// Build one with [`Start::srp`] (the default, `USER_SRP_AUTH`), [`Start::password`],
/// [`Start::custom`], [`Start::custom_with_srp`], [`Start::user_auth`] or
/// [`Start::auto_sign_in`], then add options with the `with_*` methods.
#[derive(Clone, Debug)]
pub struct Start {
    pub(crate) username: String,
    pub(crate) method: Method,
    pub(crate) client_metadata: BTreeMap<String, String>,
    pub(crate) analytics_metadata: Option<AnalyticsMetadata>,
    pub(crate) user_context_data: Option<UserContextData>,
    pub(crate) device_name: Option<String>,
    /// Whether a `NewDeviceMetadata` in the tokens is confirmed with `ConfirmDevice`.
    pub(crate) confirm_device: bool,
    /// Whether the flow asks for the device of the internal username ([`Event::LookUpDevice`]).
    pub(crate) device_lookup: bool,
}

/// The first request's flow and credentials.
#[derive(Clone)]
pub(crate) enum Method {
    /// `USER_SRP_AUTH`.
    Srp { password: SecretString },
    /// `USER_PASSWORD_AUTH`.
    Password { password: SecretString },
    /// `CUSTOM_AUTH` starting with SRP (`CHALLENGE_NAME=SRP_A`).
    CustomWithSrp { password: SecretString },
    /// `CUSTOM_AUTH` with the caller's own `AuthParameters`.
    Custom {
        auth_parameters: BTreeMap<String, String>,
    },
    /// `USER_AUTH`, optionally with a preferred first factor.
    UserAuth { preferred: Option<FirstFactor> },
    /// `USER_AUTH` with the `Session` returned by `ConfirmSignUp`.
    AutoSignIn { session: SecretString },
}

impl Method {
    /// Drops the credentials (they are zeroized on drop) once no restart can need them.
    pub(crate) fn scrub(&mut self) {
        match self {
            Method::Srp { password }
            | Method::Password { password }
            | Method::CustomWithSrp { password } => *password = SecretString::default(),
            Method::Custom { auth_parameters } => auth_parameters.clear(),
            Method::UserAuth { preferred } => {
                if let Some(FirstFactor::Password(password) | FirstFactor::PasswordSrp(password)) =
                    preferred
                {
                    *password = SecretString::default();
                }
            }
            Method::AutoSignIn { session } => *session = SecretString::default(),
        }
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Srp { .. } => f.write_str("Srp"),
            Method::Password { .. } => f.write_str("Password"),
            Method::CustomWithSrp { .. } => f.write_str("CustomWithSrp"),
            // Custom parameters may carry secrets: keys only.
            Method::Custom { auth_parameters } => f
                .debug_struct("Custom")
                .field("auth_parameters", &KeysOnly(auth_parameters))
                .finish(),
            Method::UserAuth { preferred } => f
                .debug_struct("UserAuth")
                .field("preferred", &preferred.as_ref().map(FirstFactor::kind))
                .finish(),
            Method::AutoSignIn { .. } => f.write_str("AutoSignIn"),
        }
    }
}

/// Prints the keys of a map, not its values.
struct KeysOnly<'a>(&'a BTreeMap<String, String>);

impl fmt::Debug for KeysOnly<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "[redacted]")))
            .finish()
    }
}

impl Start {
    fn new(username: impl Into<String>, method: Method) -> Self {
        Start {
            username: username.into(),
            method,
            client_metadata: BTreeMap::new(),
            analytics_metadata: None,
            user_context_data: None,
            device_name: None,
            confirm_device: true,
            device_lookup: false,
        }
    }

    /// `USER_SRP_AUTH`: the password never leaves the device (the default flow).
    pub fn srp(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self::new(
            username,
            Method::Srp {
                password: password.into(),
            },
        )
    }

    /// `USER_PASSWORD_AUTH`: the password is sent over TLS (the app client must allow it).
    pub fn password(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self::new(
            username,
            Method::Password {
                password: password.into(),
            },
        )
    }

    /// `CUSTOM_AUTH` without SRP: `auth_parameters` go into `AuthParameters` as given (the flow
    /// adds `USERNAME`, `SECRET_HASH` and `DEVICE_KEY`).
    pub fn custom(username: impl Into<String>, auth_parameters: BTreeMap<String, String>) -> Self {
        Self::new(username, Method::Custom { auth_parameters })
    }

    /// `CUSTOM_AUTH` that proves the password with SRP first (`CHALLENGE_NAME=SRP_A`), then
    /// continues with the Lambda-defined challenges.
    pub fn custom_with_srp(username: impl Into<String>, password: impl Into<SecretString>) -> Self {
        Self::new(
            username,
            Method::CustomWithSrp {
                password: password.into(),
            },
        )
    }

    /// `USER_AUTH` (choice-based sign-in). With `None` the server offers the available first
    /// factors ([`NextStep::SelectFirstFactor`]); with a preference it starts with that factor
    /// when the user can use it.
    pub fn user_auth(username: impl Into<String>, preferred: Option<FirstFactor>) -> Self {
        Self::new(username, Method::UserAuth { preferred })
    }

    /// Automatic sign-in after sign-up: `USER_AUTH` with the `Session` that `ConfirmSignUp`
    /// returned (the confirmation code counts as the first factor).
    pub fn auto_sign_in(username: impl Into<String>, session: impl Into<SecretString>) -> Self {
        Self::new(
            username,
            Method::AutoSignIn {
                session: session.into(),
            },
        )
    }

    /// `ClientMetadata` for the Lambda triggers, sent with every `InitiateAuth` and
    /// `RespondToAuthChallenge` of this sign-in.
    pub fn with_client_metadata(mut self, client_metadata: BTreeMap<String, String>) -> Self {
        self.client_metadata = client_metadata;
        self
    }

    /// `AnalyticsMetadata`, sent with every `InitiateAuth` and `RespondToAuthChallenge`.
    pub fn with_analytics_metadata(mut self, analytics_metadata: AnalyticsMetadata) -> Self {
        self.analytics_metadata = Some(analytics_metadata);
        self
    }

    /// `UserContextData` (threat protection), sent with every `InitiateAuth` and
    /// `RespondToAuthChallenge`.
    pub fn with_user_context_data(mut self, user_context_data: UserContextData) -> Self {
        self.user_context_data = Some(user_context_data);
        self
    }

    /// `DeviceName` for the `ConfirmDevice` call that follows a sign-in on a new device.
    pub fn with_device_name(mut self, device_name: impl Into<String>) -> Self {
        self.device_name = Some(device_name.into());
        self
    }

    /// Skips `ConfirmDevice` when the tokens come with `NewDeviceMetadata`, for callers that do
    /// not remember devices: no device is left on the server that nobody keeps, and
    /// [`SignedIn::device`] stays `None` (unless a remembered device was passed to
    /// [`SignInFlow::start`](super::SignInFlow::start)).
    pub fn without_device_confirmation(mut self) -> Self {
        self.confirm_device = false;
        self
    }

    /// Ask for the remembered device of the internal username ([`Event::LookUpDevice`]) when
    /// the server names it and no device was given to
    /// [`SignInFlow::start`](super::SignInFlow::start): a device stored under the internal
    /// username is then used also when the user typed an alias, or the name in another letter
    /// case (in pools whose usernames are case-insensitive).
    pub fn with_device_lookup(mut self) -> Self {
        self.device_lookup = true;
        self
    }

    /// The username as the caller typed it (username, email or phone alias).
    pub fn username(&self) -> &str {
        &self.username
    }
}

/// A first factor of choice-based sign-in (`USER_AUTH`), with the password when it needs one.
/// Used as the preference in [`Start::user_auth`] and as the answer to
/// [`NextStep::SelectFirstFactor`] ([`Answer::FirstFactor`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirstFactor {
    /// `PASSWORD`: the password, sent over TLS.
    Password(SecretString),
    /// `PASSWORD_SRP`: the password, proven with SRP.
    PasswordSrp(SecretString),
    /// `EMAIL_OTP`: a one-time code by email.
    EmailOtp,
    /// `SMS_OTP`: a one-time code by SMS.
    SmsOtp,
    /// `WEB_AUTHN`: a passkey.
    WebAuthn,
}

impl FirstFactor {
    /// The factor's kind (its wire name without the password).
    pub fn kind(&self) -> FirstFactorType {
        match self {
            FirstFactor::Password(_) => FirstFactorType::Password,
            FirstFactor::PasswordSrp(_) => FirstFactorType::PasswordSrp,
            FirstFactor::EmailOtp => FirstFactorType::EmailOtp,
            FirstFactor::SmsOtp => FirstFactorType::SmsOtp,
            FirstFactor::WebAuthn => FirstFactorType::WebAuthn,
        }
    }
}

/// A first factor the server offers in `AvailableChallenges`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum FirstFactorType {
    /// `PASSWORD`.
    Password,
    /// `PASSWORD_SRP`.
    PasswordSrp,
    /// `EMAIL_OTP`.
    EmailOtp,
    /// `SMS_OTP`.
    SmsOtp,
    /// `WEB_AUTHN`.
    WebAuthn,
    /// A name this version does not know, as sent.
    Other(String),
}

impl FirstFactorType {
    /// The wire name (`PASSWORD_SRP`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            FirstFactorType::Password => "PASSWORD",
            FirstFactorType::PasswordSrp => "PASSWORD_SRP",
            FirstFactorType::EmailOtp => "EMAIL_OTP",
            FirstFactorType::SmsOtp => "SMS_OTP",
            FirstFactorType::WebAuthn => "WEB_AUTHN",
            FirstFactorType::Other(name) => name,
        }
    }

    pub(crate) fn from_challenge(name: &ChallengeName) -> Self {
        match name {
            ChallengeName::Password => FirstFactorType::Password,
            ChallengeName::PasswordSrp => FirstFactorType::PasswordSrp,
            ChallengeName::EmailOtp => FirstFactorType::EmailOtp,
            ChallengeName::SmsOtp => FirstFactorType::SmsOtp,
            ChallengeName::WebAuthn => FirstFactorType::WebAuthn,
            other => FirstFactorType::Other(other.as_str().to_owned()),
        }
    }
}

/// A second factor (`MFAS_CAN_CHOOSE`, `MFAS_CAN_SETUP`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum MfaType {
    /// `SMS_MFA`.
    Sms,
    /// `SOFTWARE_TOKEN_MFA` (TOTP authenticator app).
    Totp,
    /// `EMAIL_OTP`.
    Email,
    /// A name this version does not know, as sent.
    Other(String),
}

impl MfaType {
    /// The wire name (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            MfaType::Sms => "SMS_MFA",
            MfaType::Totp => "SOFTWARE_TOKEN_MFA",
            MfaType::Email => "EMAIL_OTP",
            MfaType::Other(name) => name,
        }
    }

    pub(crate) fn from_wire(name: &str) -> Self {
        match name {
            "SMS_MFA" => MfaType::Sms,
            "SOFTWARE_TOKEN_MFA" => MfaType::Totp,
            "EMAIL_OTP" => MfaType::Email,
            other => MfaType::Other(other.to_owned()),
        }
    }
}

/// The shared secret of a TOTP authenticator being set up (`SecretCode`, base32).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TotpSecret(pub(crate) SecretString);

impl TotpSecret {
    /// Wraps a base32 shared secret, e.g. the `SecretCode` of an `AssociateSoftwareToken`
    /// answer outside sign-in.
    pub fn new(secret: SecretString) -> Self {
        TotpSecret(secret)
    }

    /// The base32 secret, for manual entry into an authenticator app.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// `otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}`, for a QR code.
    /// `issuer` and `account` are percent-encoded.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}",
            account = percent_encode(account),
            secret = percent_encode(self.expose_secret()),
        )
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What the sign-in needs from the user next, in the spirit of Amplify's `nextStep`.
///
/// Answer it with [`SignInFlow::answer`](super::SignInFlow::answer); the variant's documentation names
/// the [`Answer`] it takes. [`NextStep::ConfirmSignUp`] and [`NextStep::ResetPassword`] end
/// the sign-in: run that operation, then start a new sign-in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[must_use]
#[non_exhaustive]
pub enum NextStep {
    /// Enter the code sent by SMS (`SMS_MFA`, or `SMS_OTP` as first factor):
    /// [`Answer::Code`].
    ConfirmWithSmsCode {
        /// Masked phone number, e.g. `+*******3210`.
        destination: Option<String>,
    },
    /// Enter the code of the authenticator app (`SOFTWARE_TOKEN_MFA`): [`Answer::Code`].
    ConfirmWithTotpCode,
    /// Enter the code sent by email (`EMAIL_OTP`, as MFA or as first factor):
    /// [`Answer::Code`].
    ConfirmWithEmailCode {
        /// Masked address, e.g. `u***@e***.com`.
        destination: Option<String>,
    },
    /// Choose the second factor to use now (`SELECT_MFA_TYPE`): [`Answer::MfaType`].
    SelectMfaType {
        /// The factors offered (`MFAS_CAN_CHOOSE`).
        allowed: Vec<MfaType>,
    },
    /// MFA is required and none is set up; choose which to set up (`MFA_SETUP` offering TOTP
    /// and email): [`Answer::MfaType`] with [`MfaType::Totp`] or [`MfaType::Email`].
    SelectMfaSetupType {
        /// The factors that can be set up here.
        allowed: Vec<MfaType>,
    },
    /// Add the shared secret to an authenticator app, then enter its current code
    /// (`MFA_SETUP` with TOTP): [`Answer::Code`] or [`Answer::TotpSetup`].
    SetUpTotp {
        /// The shared secret; [`TotpSecret::otpauth_uri`] builds the QR-code URI.
        shared_secret: TotpSecret,
    },
    /// Give the email address to use for email MFA (`MFA_SETUP` with email):
    /// [`Answer::Email`]. A code is then sent to it ([`NextStep::ConfirmWithEmailCode`]).
    SetUpEmail,
    /// The user must choose a new password (`NEW_PASSWORD_REQUIRED`):
    /// [`Answer::NewPassword`].
    NewPasswordRequired {
        /// Attributes that must be given with the new password (names without the
        /// `userAttributes.` prefix).
        required_attributes: Vec<String>,
        /// The user's current attributes.
        user_attributes: BTreeMap<String, String>,
    },
    /// A Lambda-defined challenge (`CUSTOM_CHALLENGE`, any number of rounds):
    /// [`Answer::Custom`].
    CustomChallenge {
        /// The challenge's public parameters.
        parameters: BTreeMap<String, String>,
    },
    /// Choose a first factor (`SELECT_CHALLENGE`): [`Answer::FirstFactor`].
    SelectFirstFactor {
        /// The factors offered (`AvailableChallenges`).
        available: Vec<FirstFactorType>,
    },
    /// Enter the password (`PASSWORD` or `PASSWORD_SRP` challenge): [`Answer::Password`].
    EnterPassword,
    /// Sign in with a passkey (`WEB_AUTHN`): pass the options to the platform's WebAuthn API
    /// (`navigator.credentials.get`) and answer with its result: [`Answer::WebAuthnCredential`].
    WebAuthn {
        /// `PublicKeyCredentialRequestOptionsJSON`, as JSON text.
        request_options_json: String,
    },
    /// The user has not confirmed sign-up (`UserNotConfirmedException`): run
    /// `ConfirmSignUp` (or `ResendConfirmationCode`), then sign in again. Ends the sign-in.
    ConfirmSignUp {
        /// The username the sign-in started with.
        username: String,
    },
    /// The user must reset the password (`PasswordResetRequiredException`): run
    /// `ForgotPassword` and `ConfirmForgotPassword`, then sign in again. Ends the sign-in.
    ResetPassword {
        /// The username the sign-in started with.
        username: String,
    },
    /// A challenge this version cannot handle (an unknown name, `ADMIN_NO_SRP_AUTH`, or
    /// `MFA_SETUP` offering only SMS). [`Answer::Raw`] answers it with hand-made
    /// `ChallengeResponses`.
    Unsupported {
        /// The challenge name as sent.
        name: String,
        /// Its `ChallengeParameters`.
        parameters: BTreeMap<String, String>,
    },
}

impl NextStep {
    /// Whether this step ends the sign-in ([`NextStep::ConfirmSignUp`],
    /// [`NextStep::ResetPassword`]): the caller runs that operation and starts a new sign-in
    /// instead of answering.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            NextStep::ConfirmSignUp { .. } | NextStep::ResetPassword { .. }
        )
    }

    /// For [`NextStep::SetUpTotp`]: the `otpauth://` URI for a QR code (see
    /// [`TotpSecret::otpauth_uri`]); `None` for every other step.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> Option<String> {
        match self {
            NextStep::SetUpTotp { shared_secret } => {
                Some(shared_secret.otpauth_uri(issuer, account))
            }
            _ => None,
        }
    }
}

/// The caller's answer to a [`NextStep`]. Its `Debug` output shows no codes, passwords,
/// addresses, credentials or values of extra keys.
#[derive(Clone)]
#[non_exhaustive]
pub enum Answer {
    /// A one-time code: SMS, TOTP or email, MFA or first factor; also verifies a TOTP setup.
    Code(SecretString),
    /// The code that verifies a TOTP setup, with a name for the authenticator.
    TotpSetup {
        /// The authenticator's current 6-digit code.
        code: SecretString,
        /// `FriendlyDeviceName` recorded with the authenticator.
        friendly_device_name: Option<String>,
    },
    /// The new password and attributes for [`NextStep::NewPasswordRequired`]. Attribute names
    /// are plain (`name`, not `userAttributes.name`); read-only attributes (`email_verified`,
    /// `phone_number_verified`, `sub`, ...) and values equal to the current ones are not sent.
    NewPassword {
        /// The new password.
        password: SecretString,
        /// Required (and other writable) attributes.
        attributes: BTreeMap<String, String>,
    },
    /// The answer to a [`NextStep::CustomChallenge`] (`ANSWER`), with optional extra
    /// `ChallengeResponses` keys.
    Custom {
        /// `ANSWER`.
        answer: SecretString,
        /// Extra keys for the Lambda triggers.
        extra: BTreeMap<String, String>,
    },
    /// The second factor chosen for [`NextStep::SelectMfaType`] or
    /// [`NextStep::SelectMfaSetupType`].
    MfaType(MfaType),
    /// The email address for [`NextStep::SetUpEmail`].
    Email(String),
    /// The first factor chosen for [`NextStep::SelectFirstFactor`].
    FirstFactor(FirstFactor),
    /// The password for [`NextStep::EnterPassword`].
    Password(SecretString),
    /// `AuthenticationResponseJSON` from the platform's WebAuthn API, as JSON text.
    WebAuthnCredential(String),
    /// Hand-made `ChallengeResponses` for [`NextStep::Unsupported`] (the flow adds `USERNAME`
    /// and `SECRET_HASH`).
    Raw(BTreeMap<String, String>),
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Code(_) => f.write_str("Code([redacted])"),
            Answer::TotpSetup {
                friendly_device_name,
                ..
            } => f
                .debug_struct("TotpSetup")
                .field("code", &"[redacted]")
                .field("friendly_device_name", friendly_device_name)
                .finish(),
            Answer::NewPassword { attributes, .. } => f
                .debug_struct("NewPassword")
                .field("password", &"[redacted]")
                .field("attributes", &KeysOnly(attributes))
                .finish(),
            Answer::Custom { extra, .. } => f
                .debug_struct("Custom")
                .field("answer", &"[redacted]")
                .field("extra", &KeysOnly(extra))
                .finish(),
            Answer::MfaType(mfa) => f.debug_tuple("MfaType").field(mfa).finish(),
            Answer::Email(_) => f.write_str("Email([redacted])"),
            Answer::FirstFactor(factor) => f.debug_tuple("FirstFactor").field(factor).finish(),
            Answer::Password(_) => f.write_str("Password([redacted])"),
            Answer::WebAuthnCredential(_) => f.write_str("WebAuthnCredential([redacted])"),
            Answer::Raw(raw) => f.debug_tuple("Raw").field(&KeysOnly(raw)).finish(),
        }
    }
}

impl Answer {
    /// `Answer::Code` from anything string-like.
    pub fn code(code: impl Into<SecretString>) -> Self {
        Answer::Code(code.into())
    }
}

/// The tokens of a successful sign-in (`AuthenticationResult`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tokens {
    /// The ID token (JWT).
    pub id_token: SecretString,
    /// The access token (JWT).
    pub access_token: SecretString,
    /// The refresh token (opaque).
    pub refresh_token: Option<SecretString>,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// `TokenType`, normally `Bearer`.
    pub token_type: Option<String>,
}

impl Tokens {
    /// The session module's [`TokenSet`](crate::session::TokenSet) for these tokens, received
    /// at local time `now_unix` (its clock drift is measured from the tokens' `iat`). Fails when
    /// a token is not a well-formed Cognito JWT of the right use.
    pub fn to_token_set(
        &self,
        now_unix: u64,
    ) -> Result<crate::session::TokenSet, crate::session::TokenError> {
        crate::session::TokenSet::new(
            self.id_token.clone(),
            self.access_token.clone(),
            self.refresh_token.clone(),
            now_unix,
        )
    }
}

/// The outcome of a completed sign-in.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SignedIn {
    /// The tokens.
    pub tokens: Tokens,
    /// Cognito's internal username (the access token's `username`, `USER_ID_FOR_SRP`): use it
    /// for `SECRET_HASH` in refreshes and as the key of stored state.
    pub username: String,
    /// The device to remember for this user: the newly confirmed one, or the one that signed in.
    /// `None` when no device is tracked (or confirming the new one failed, see
    /// [`SignedIn::device_error`]).
    pub device: Option<RememberedDevice>,
    /// `true` when [`SignedIn::device`] was created and confirmed by this sign-in (store it).
    pub new_device: bool,
    /// `ConfirmDevice` answered `UserConfirmationNecessary=true`: the device is tracked but not
    /// remembered until the app calls `UpdateDeviceStatus(remembered)` (ask the user).
    pub user_confirmation_necessary: bool,
    /// The remembered device passed to [`SignInFlow::start`](super::SignInFlow::start) was unknown to
    /// the server and has been dropped: remove it from storage.
    pub device_forgotten: bool,
    /// `ConfirmDevice` failed; the tokens are still valid, the device is not remembered.
    pub device_error: Option<CoreError>,
}

/// What the driver does next.
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Event {
    /// Send this request and pass the response to
    /// [`SignInFlow::handle_response`](super::SignInFlow::handle_response).
    Send(PreparedRequest),
    /// Ask the user, then call [`SignInFlow::answer`](super::SignInFlow::answer).
    Step(NextStep),
    /// The sign-in is complete.
    Done(SignedIn),
    /// The server named the user's internal username and no remembered device was given to
    /// [`SignInFlow::start`](super::SignInFlow::start): look up the device stored for
    /// `username` and pass it (or `None`) to
    /// [`SignInFlow::device_found`](super::SignInFlow::device_found). Only asked when the
    /// start was made [`with_device_lookup`](Start::with_device_lookup).
    LookUpDevice {
        /// Cognito's internal username (`USER_ID_FOR_SRP`).
        username: String,
    },
}
