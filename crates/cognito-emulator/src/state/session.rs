//! Sign-in sessions: what each expects next and what the sign-in has established.

use std::collections::BTreeMap;
use std::sync::Arc;

use cognito_proto::srp::SecretUint;
use num_bigint::BigUint;

use crate::challenge::ChallengeName;

/// An SRP handshake waiting for its `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` answer.
#[derive(Clone, Debug)]
pub(crate) struct Handshake {
    pub a: BigUint,
    pub b: Arc<SecretUint>,
    pub big_b: BigUint,
    pub v: BigUint,
    pub realm: String,
    pub user: String,
    pub secret_block: Vec<u8>,
    pub secret_block_b64: String,
}

/// What a sign-in session expects next.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    PasswordVerifier(Box<Handshake>),
    DeviceSrpAuth,
    DevicePasswordVerifier(Box<Handshake>, String),
    NewPasswordRequired,
    MfaSetup {
        totp_verified: bool,
    },
    MfaSetupEmail {
        email: String,
        code: String,
    },
    /// An MFA code: `SMS_MFA` and `EMAIL_OTP` carry the code sent, `SOFTWARE_TOKEN_MFA` none.
    Mfa {
        kind: ChallengeName,
        code: Option<String>,
    },
    SelectMfaType {
        options: Vec<ChallengeName>,
    },
    Custom {
        private: BTreeMap<String, String>,
        code: Option<String>,
    },
    SelectChallenge {
        available: Vec<ChallengeName>,
    },
    /// A `USER_AUTH` one-time code: `SMS_OTP` or `EMAIL_OTP`.
    Otp {
        kind: ChallengeName,
        code: String,
    },
    WebAuthn {
        challenge: String,
    },
}

impl Step {
    /// The challenge this step answers to.
    pub fn name(&self) -> ChallengeName {
        match self {
            Step::PasswordVerifier(_) => ChallengeName::PasswordVerifier,
            Step::DeviceSrpAuth => ChallengeName::DeviceSrpAuth,
            Step::DevicePasswordVerifier(..) => ChallengeName::DevicePasswordVerifier,
            Step::NewPasswordRequired => ChallengeName::NewPasswordRequired,
            Step::MfaSetup { .. } => ChallengeName::MfaSetup,
            Step::MfaSetupEmail { .. } => ChallengeName::EmailOtp,
            Step::Mfa { kind, .. } | Step::Otp { kind, .. } => *kind,
            Step::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            Step::Custom { .. } => ChallengeName::CustomChallenge,
            Step::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            Step::WebAuthn { .. } => ChallengeName::WebAuthn,
        }
    }
}

/// One result of a custom-auth round, as a DefineAuthChallenge trigger sees it.
#[derive(Clone, Debug)]
pub(crate) struct RoundResult {
    pub challenge_name: String,
    pub result: bool,
    pub metadata: Option<String>,
}

/// What the sign-in has established so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct FlowCtx {
    pub device_key: Option<String>,
    pub new_password_done: bool,
    pub mfa_done: bool,
    pub device_done: bool,
    pub custom: bool,
    pub custom_history: Vec<RoundResult>,
}

/// A sign-in session.
#[derive(Clone, Debug)]
pub(crate) struct AuthSession {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub expires: u64,
    pub step: Step,
    pub attempts: u32,
    pub ctx: FlowCtx,
}

/// A `SignUp`/`ConfirmSignUp` session feeding auto sign-in.
#[derive(Clone, Debug)]
pub(crate) struct SignupSession {
    pub client_id: String,
    pub username: String,
    pub confirmed: bool,
    pub expires: u64,
}
