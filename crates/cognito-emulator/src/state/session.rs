//! Sign-in sessions: what each expects next and what the sign-in has established.

use std::collections::{BTreeMap, HashMap};
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

/// The sign-in sessions in flight, by session id, with the index of SRP `SECRET_BLOCK`s (an
/// SRP answer may name its session by the block instead of `Session`), and the sign-up
/// sessions that feed auto sign-in. Every change goes through a method that keeps the index
/// right.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sessions {
    by_id: HashMap<String, AuthSession>,
    /// `SECRET_BLOCK` (base64) → the session id of its `PASSWORD_VERIFIER` step.
    secret_blocks: HashMap<String, String>,
    /// Size of `by_id` at which the next sweep of expired sessions runs.
    sweep_at: usize,
    signups: HashMap<String, SignupSession>,
}

/// Sign-up sessions kept before expired ones are swept.
const SIGNUP_SWEEP_AT: usize = 4096;

impl Sessions {
    pub fn get(&self, sid: &str) -> Option<&AuthSession> {
        self.by_id.get(sid)
    }

    /// The session a `PASSWORD_VERIFIER` step's `SECRET_BLOCK` belongs to.
    pub fn by_secret_block(&self, block: &str) -> Option<&str> {
        self.secret_blocks.get(block).map(String::as_str)
    }

    /// Starts (or restores) a session; a `PASSWORD_VERIFIER` step is also found by its block.
    pub fn insert(&mut self, sid: String, sess: AuthSession) {
        if let Step::PasswordVerifier(hs) = &sess.step {
            self.secret_blocks
                .insert(hs.secret_block_b64.clone(), sid.clone());
        }
        self.by_id.insert(sid, sess);
    }

    /// Puts back a session taken for an answer that may be retried (its block stays
    /// forgotten: the retry names the session).
    pub fn put_back(&mut self, sid: String, sess: AuthSession) {
        self.by_id.insert(sid, sess);
    }

    /// Takes a session out (sessions are single-use), with its block.
    pub fn take(&mut self, sid: &str) -> Option<AuthSession> {
        let sess = self.by_id.remove(sid)?;
        if let Step::PasswordVerifier(hs) = &sess.step {
            self.secret_blocks.remove(&hs.secret_block_b64);
        }
        Some(sess)
    }

    /// Gives a session a new id (the old one is spent), as a step that answers with a
    /// `Session` does.
    pub fn renew(&mut self, old: &str, new: String, sess: AuthSession) {
        self.by_id.remove(old);
        self.by_id.insert(new, sess);
    }

    /// Drops expired sessions (and their blocks) once the table has doubled since the last
    /// sweep (at least 1024 entries), so that sweeping stays amortized O(1) per session even
    /// when many sessions are alive at once.
    pub fn sweep(&mut self, now: u64) {
        if self.by_id.len() < self.sweep_at.max(1024) {
            return;
        }
        self.by_id.retain(|_, s| s.expires > now);
        let live = &self.by_id;
        self.secret_blocks.retain(|_, sid| live.contains_key(sid));
        self.sweep_at = self.by_id.len().saturating_mul(2);
    }

    /// Drops the sessions `keep` refuses.
    pub fn retain(&mut self, mut keep: impl FnMut(&AuthSession) -> bool) {
        self.by_id.retain(|_, s| keep(s));
        let live = &self.by_id;
        self.secret_blocks.retain(|_, sid| live.contains_key(sid));
    }

    /// How many sign-in and sign-up sessions are in flight.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_id.len() + self.signups.len()
    }

    pub fn signup(&self, sid: &str) -> Option<&SignupSession> {
        self.signups.get(sid)
    }

    /// Starts a sign-up session, sweeping expired ones once there are many.
    pub fn insert_signup(&mut self, sid: String, s: SignupSession, now: u64) {
        if self.signups.len() >= SIGNUP_SWEEP_AT {
            self.signups.retain(|_, s| s.expires > now);
        }
        self.signups.insert(sid, s);
    }

    pub fn take_signup(&mut self, sid: &str) -> Option<SignupSession> {
        self.signups.remove(sid)
    }
}
