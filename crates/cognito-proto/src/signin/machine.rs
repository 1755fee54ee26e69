//! The sign-in state machine. See the module documentation of [`crate::signin`] for the
//! list of states and the driver loop.

use std::collections::BTreeMap;

use rand_core::CryptoRng;

use super::params::{
    Params, USER_ATTRIBUTES_PREFIX, access_token_username, is_read_only_attribute,
};
use super::types::{
    Answer, Event, FirstFactor, FirstFactorType, Method, MfaType, NextStep, SignedIn, Start,
    Tokens, TotpSecret,
};
use crate::config::{ClientConfig, RememberedDevice};
use crate::envelope::{Endpoint, PreparedRequest, decode, encode};
use crate::error::{CoreError, ParameterProblem, ServiceError, ServiceErrorKind};
use crate::ops::{
    AssociateSoftwareToken, AuthFlow, AuthenticationResult, ChallengeName, ConfirmDevice,
    DeviceSecretVerifierConfig, InitiateAuth, InitiateAuthResponse, RespondToAuthChallenge,
    VerifySoftwareToken, VerifySoftwareTokenStatus,
};
use crate::secret::SecretString;
use crate::srp::{self, Ephemeral, ServerChallenge};

const INITIATE_AUTH: &str = "InitiateAuth";
const RESPOND: &str = "RespondToAuthChallenge";

/// One sign-in attempt: an explicit state machine driven by [`SignInFlow::handle_response`] and
/// [`SignInFlow::answer`].
///
/// It holds the flow's secrets (password, SRP private value, session) until it finishes; drop
/// it to abandon the sign-in.
#[derive(Debug)]
pub struct SignInFlow {
    config: ClientConfig,
    endpoint: Endpoint,
    /// How the sign-in started; kept to restart without a forgotten device (known client bug docs/protocol.md#pitfall-15).
    start: Start,
    /// The username for `USERNAME` and `SECRET_HASH`: what the caller typed until a challenge
    /// names Cognito's internal username (`USER_ID_FOR_SRP`, `USERNAME`), then that.
    username: String,
    /// The remembered device, while the server still knows it.
    device: Option<RememberedDevice>,
    /// The device passed to `start` turned out unknown and was dropped.
    device_forgotten: bool,
    /// Whether the request now out carries `DEVICE_KEY`.
    device_key_sent: bool,
    /// The sign-in was already restarted once without the device.
    restarted: bool,
    /// The first `InitiateAuth` succeeded (an auto-sign-in session is then consumed).
    initiated: bool,
    /// The latest `Session` (known client bug docs/protocol.md#pitfall-12): replaced by every response that carries one.
    session: Option<SecretString>,
    /// SRP started (`SRP_A` sent) and waiting for `PASSWORD_VERIFIER`.
    srp: Option<SrpContext>,
    state: State,
}

/// `a` and the password between sending `SRP_A` and answering `PASSWORD_VERIFIER`.
#[derive(Debug)]
struct SrpContext {
    ephemeral: Ephemeral,
    password: SecretString,
}

/// Where the sign-in is. Each "…Sent" state has exactly one request out and accepts only
/// [`SignInFlow::handle_response`]; `WaitingForAnswer` accepts only [`SignInFlow::answer`].
#[derive(Debug)]
enum State {
    /// `InitiateAuth` is out.
    InitiateAuthSent,
    /// `RespondToAuthChallenge(PASSWORD_VERIFIER)` is out: the SRP password proof.
    PasswordVerifierSent,
    /// `RespondToAuthChallenge(DEVICE_SRP_AUTH)` is out with `SRP_A` of this `a`.
    DeviceSrpAuthSent { ephemeral: Ephemeral },
    /// `RespondToAuthChallenge(DEVICE_PASSWORD_VERIFIER)` is out: the device proof.
    DevicePasswordVerifierSent,
    /// A `RespondToAuthChallenge` carrying the user's answer to `asked` is out.
    AnswerSent { asked: Asked, step: NextStep },
    /// `AssociateSoftwareToken(Session)` is out (`MFA_SETUP` with TOTP).
    AssociateSoftwareTokenSent,
    /// `VerifySoftwareToken(Session, code)` is out.
    VerifySoftwareTokenSent { step: NextStep },
    /// `RespondToAuthChallenge(MFA_SETUP)` is out after a verified TOTP setup.
    MfaSetupSent,
    /// `ConfirmDevice` is out; the tokens wait for its answer.
    ConfirmDeviceSent {
        signed_in: Box<SignedIn>,
        device: RememberedDevice,
    },
    /// The internal username became known and no device was presented: waiting for
    /// [`SignInFlow::device_found`] to answer `PASSWORD_VERIFIER` with these responses.
    DeviceLookup { responses: BTreeMap<String, String> },
    /// `step` was handed to the caller; waiting for [`SignInFlow::answer`].
    WaitingForAnswer { asked: Asked, step: NextStep },
    /// Over: tokens delivered, a terminal step returned, or an error ended the flow.
    Finished,
}

/// The question behind a [`NextStep`]: what the answer turns into on the wire.
#[derive(Clone, Debug)]
enum Asked {
    /// A code for `challenge`, sent as `response_key`.
    Code {
        challenge: ChallengeName,
        response_key: &'static str,
    },
    /// `SELECT_MFA_TYPE`.
    MfaType,
    /// `MFA_SETUP` offering TOTP and email.
    MfaSetupType,
    /// `MFA_SETUP` with TOTP, secret shown: waiting for the first code.
    TotpSetup,
    /// `MFA_SETUP` with email: waiting for the address.
    EmailSetup,
    /// `NEW_PASSWORD_REQUIRED`, with the current attributes.
    NewPassword { current: BTreeMap<String, String> },
    /// `CUSTOM_CHALLENGE`.
    Custom,
    /// `SELECT_CHALLENGE`.
    FirstFactor,
    /// `PASSWORD` (`srp == false`) or `PASSWORD_SRP` challenge.
    Password { srp: bool },
    /// `WEB_AUTHN`.
    WebAuthn,
    /// A challenge this version does not handle.
    Unsupported { name: ChallengeName },
}

impl SignInFlow {
    /// Starts a sign-in: returns the flow and its first event (the `InitiateAuth` request).
    ///
    /// `device` is the remembered device of this user, if any: its key goes into
    /// `InitiateAuth` so the server can accept device SRP instead of MFA.
    pub fn start<R: CryptoRng + ?Sized>(
        config: &ClientConfig,
        endpoint: &Endpoint,
        start: Start,
        device: Option<RememberedDevice>,
        now_unix: u64,
        rng: &mut R,
    ) -> Result<(SignInFlow, Event), CoreError> {
        let _ = now_unix; // The first request carries no timestamp.
        if start.username.is_empty() {
            return Err(CoreError::invalid_input("username", "username is empty"));
        }
        let mut flow = SignInFlow {
            config: config.clone(),
            endpoint: endpoint.clone(),
            username: start.username.clone(),
            start,
            device,
            device_forgotten: false,
            device_key_sent: false,
            restarted: false,
            initiated: false,
            session: None,
            srp: None,
            state: State::Finished,
        };
        let first = flow.initiate(rng);
        Ok((flow, first))
    }

    /// Feeds the HTTP response to the request of the last [`Event::Send`].
    ///
    /// Errors: [`CoreError::Misuse`] when no request is out; the service's error (or a protocol
    /// error) otherwise. After a wrong code, password or attribute answer
    /// (`CodeMismatchException`, `InvalidPasswordException`, ...) the flow goes back to the
    /// same step, so the caller may [`answer`](SignInFlow::answer) again; after any other error
    /// the sign-in is over.
    pub fn handle_response<R: CryptoRng + ?Sized>(
        &mut self,
        response: http::Response<Vec<u8>>,
        now_unix: u64,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        match state {
            State::WaitingForAnswer { .. } | State::DeviceLookup { .. } | State::Finished => {
                self.state = state;
                Err(CoreError::misuse(
                    "handle_response called while no request is outstanding",
                ))
            }
            State::InitiateAuthSent => match decode::<InitiateAuth>(&response) {
                Ok(reply) => {
                    self.initiated = true;
                    self.on_auth_reply(INITIATE_AUTH, reply, None, now_unix, rng)
                }
                Err(error) => self.on_auth_error(error, None, rng),
            },
            State::PasswordVerifierSent | State::DevicePasswordVerifierSent => {
                match decode::<RespondToAuthChallenge>(&response) {
                    Ok(reply) => self.on_auth_reply(RESPOND, reply, None, now_unix, rng),
                    Err(error) => self.on_auth_error(error, None, rng),
                }
            }
            State::DeviceSrpAuthSent { ephemeral } => {
                match decode::<RespondToAuthChallenge>(&response) {
                    Ok(reply) => self.on_auth_reply(RESPOND, reply, Some(ephemeral), now_unix, rng),
                    Err(error) => self.on_auth_error(error, None, rng),
                }
            }
            State::AnswerSent { asked, step } => {
                match decode::<RespondToAuthChallenge>(&response) {
                    Ok(reply) => self.on_auth_reply(RESPOND, reply, None, now_unix, rng),
                    Err(error) => self.on_auth_error(error, Some((asked, step)), rng),
                }
            }
            State::MfaSetupSent => match decode::<RespondToAuthChallenge>(&response) {
                Ok(reply) => self.on_auth_reply(RESPOND, reply, None, now_unix, rng),
                Err(error) => self.on_auth_error(error, None, rng),
            },
            State::AssociateSoftwareTokenSent => {
                let reply = match decode::<AssociateSoftwareToken>(&response) {
                    Ok(reply) => reply,
                    Err(error) => return self.fail(error),
                };
                if let Some(session) = reply.session {
                    self.session = Some(session);
                }
                let Some(secret) = reply
                    .secret_code
                    .filter(|code| !code.expose_secret().is_empty())
                else {
                    let error = CoreError::missing_member("AssociateSoftwareToken", "SecretCode");
                    return self.fail(error);
                };
                Ok(self.ask(
                    Asked::TotpSetup,
                    NextStep::SetUpTotp {
                        shared_secret: TotpSecret(secret),
                    },
                ))
            }
            State::VerifySoftwareTokenSent { step } => {
                let reply = match decode::<VerifySoftwareToken>(&response) {
                    Ok(reply) => reply,
                    Err(error) => {
                        return Err(self.answer_failed(error, Asked::TotpSetup, step));
                    }
                };
                if let Some(session) = reply.session {
                    self.session = Some(session);
                }
                if reply.status == Some(VerifySoftwareTokenStatus::Error) {
                    let error = ServiceError {
                        kind: ServiceErrorKind::CodeMismatch,
                        message: Some("VerifySoftwareToken answered Status ERROR".to_owned()),
                        reason_code: None,
                        request_id: crate::envelope::request_id(response.headers()),
                        status: response.status().as_u16(),
                    };
                    return Err(self.answer_failed(
                        CoreError::Service(error),
                        Asked::TotpSetup,
                        step,
                    ));
                }
                // The authenticator is verified: finish MFA_SETUP with the newest session.
                let request = self.respond(ChallengeName::MfaSetup, BTreeMap::new());
                self.state = State::MfaSetupSent;
                Ok(Event::Send(request))
            }
            State::ConfirmDeviceSent {
                mut signed_in,
                device,
            } => {
                match decode::<ConfirmDevice>(&response) {
                    Ok(reply) => {
                        signed_in.device = Some(device);
                        signed_in.new_device = true;
                        signed_in.user_confirmation_necessary =
                            reply.user_confirmation_necessary.unwrap_or(false);
                    }
                    // The tokens are good; only the device is not remembered.
                    Err(error) => signed_in.device_error = Some(error),
                }
                Ok(Event::Done(*signed_in))
            }
        }
    }

    /// Answers the step of the last [`Event::Step`].
    ///
    /// An answer of the wrong kind for the step, or an answer while no step is waiting, is
    /// [`CoreError::Misuse`] and leaves the flow unchanged.
    pub fn answer<R: CryptoRng + ?Sized>(
        &mut self,
        answer: Answer,
        now_unix: u64,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        let _ = now_unix; // No user answer carries a timestamp.
        let State::WaitingForAnswer { asked, step } = &self.state else {
            return Err(CoreError::misuse("answer called while no step is waiting"));
        };
        let (asked, step) = (asked.clone(), step.clone());
        let mut responses = BTreeMap::new();
        let challenge = match (&asked, answer) {
            (
                Asked::Code {
                    challenge,
                    response_key,
                },
                Answer::Code(code),
            ) => {
                responses.insert((*response_key).to_owned(), code.expose_secret().clone());
                challenge.clone()
            }
            (Asked::MfaType, Answer::MfaType(mfa)) => {
                // The next challenge is whatever the server returns, not what was chosen.
                responses.insert("ANSWER".to_owned(), mfa.as_str().to_owned());
                ChallengeName::SelectMfaType
            }
            (Asked::MfaSetupType, Answer::MfaType(MfaType::Totp)) => {
                return Ok(self.associate_software_token());
            }
            (Asked::MfaSetupType, Answer::MfaType(MfaType::Email)) => {
                return Ok(self.ask(Asked::EmailSetup, NextStep::SetUpEmail));
            }
            (Asked::MfaSetupType | Asked::EmailSetup, Answer::Email(email)) => {
                responses.insert("EMAIL".to_owned(), email);
                ChallengeName::MfaSetup
            }
            (Asked::TotpSetup, Answer::Code(code)) => {
                return Ok(self.verify_software_token(code, None, step));
            }
            (
                Asked::TotpSetup,
                Answer::TotpSetup {
                    code,
                    friendly_device_name,
                },
            ) => {
                return Ok(self.verify_software_token(code, friendly_device_name, step));
            }
            (
                Asked::NewPassword { current },
                Answer::NewPassword {
                    password,
                    attributes,
                },
            ) => {
                responses.insert("NEW_PASSWORD".to_owned(), password.expose_secret().clone());
                for (name, value) in attributes {
                    let name = name
                        .strip_prefix(USER_ATTRIBUTES_PREFIX)
                        .unwrap_or(&name)
                        .to_owned();
                    if is_read_only_attribute(&name) || current.get(&name) == Some(&value) {
                        continue;
                    }
                    responses.insert(format!("{USER_ATTRIBUTES_PREFIX}{name}"), value);
                }
                ChallengeName::NewPasswordRequired
            }
            (Asked::Custom, Answer::Custom { answer, extra }) => {
                responses.extend(extra);
                responses.insert("ANSWER".to_owned(), answer.expose_secret().clone());
                ChallengeName::CustomChallenge
            }
            (Asked::FirstFactor, Answer::FirstFactor(factor)) => {
                responses.insert("ANSWER".to_owned(), factor.kind().as_str().to_owned());
                match factor {
                    FirstFactor::Password(password) => {
                        responses.insert("PASSWORD".to_owned(), password.expose_secret().clone());
                    }
                    FirstFactor::PasswordSrp(password) => {
                        let srp_a = self.begin_srp(password, rng);
                        responses.insert("SRP_A".to_owned(), srp_a);
                    }
                    FirstFactor::EmailOtp | FirstFactor::SmsOtp | FirstFactor::WebAuthn => {}
                }
                ChallengeName::SelectChallenge
            }
            (Asked::Password { srp: false }, Answer::Password(password)) => {
                responses.insert("PASSWORD".to_owned(), password.expose_secret().clone());
                ChallengeName::Password
            }
            (Asked::Password { srp: true }, Answer::Password(password)) => {
                let srp_a = self.begin_srp(password, rng);
                responses.insert("SRP_A".to_owned(), srp_a);
                ChallengeName::PasswordSrp
            }
            (Asked::WebAuthn, Answer::WebAuthnCredential(credential)) => {
                responses.insert("CREDENTIAL".to_owned(), credential);
                ChallengeName::WebAuthn
            }
            (Asked::Unsupported { name }, Answer::Raw(raw)) => {
                responses.extend(raw);
                name.clone()
            }
            (_, answer) => {
                return Err(CoreError::AnswerMismatch {
                    step: step_name(&step),
                    answer: answer_name(&answer),
                });
            }
        };
        let request = self.respond(challenge, responses);
        self.state = State::AnswerSent { asked, step };
        Ok(Event::Send(request))
    }

    /// The step waiting for an answer, if any.
    pub fn waiting_for(&self) -> Option<&NextStep> {
        match &self.state {
            State::WaitingForAnswer { step, .. } => Some(step),
            _ => None,
        }
    }

    /// Whether the sign-in is over (tokens delivered, a terminal step, or an error).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    /// The name of the current state, for logs and tracing spans.
    pub fn state_name(&self) -> &'static str {
        match self.state {
            State::InitiateAuthSent => "InitiateAuthSent",
            State::PasswordVerifierSent => "PasswordVerifierSent",
            State::DeviceSrpAuthSent { .. } => "DeviceSrpAuthSent",
            State::DevicePasswordVerifierSent => "DevicePasswordVerifierSent",
            State::AnswerSent { .. } => "AnswerSent",
            State::AssociateSoftwareTokenSent => "AssociateSoftwareTokenSent",
            State::VerifySoftwareTokenSent { .. } => "VerifySoftwareTokenSent",
            State::MfaSetupSent => "MfaSetupSent",
            State::ConfirmDeviceSent { .. } => "ConfirmDeviceSent",
            State::WaitingForAnswer { .. } => "WaitingForAnswer",
            State::DeviceLookup { .. } => "DeviceLookup",
            State::Finished => "Finished",
        }
    }

    /// The username the flow sends now: Cognito's internal one once a challenge named it,
    /// otherwise the one the sign-in started with.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the remembered device given to [`SignInFlow::start`] was unknown to the server and
    /// dropped (also after an error): the driver removes it from storage.
    pub fn device_forgotten(&self) -> bool {
        self.device_forgotten
    }

    // ---- requests -------------------------------------------------------------------------

    /// Builds `InitiateAuth` from the start parameters (first time, or the restart without a
    /// forgotten device).
    fn initiate<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> Event {
        self.username = self.start.username.clone();
        self.session = None;
        self.srp = None;
        let mut parameters = BTreeMap::new();
        let mut session = None;
        let flow = match self.start.method.clone() {
            Method::Srp { password } => {
                parameters.insert("SRP_A".to_owned(), self.begin_srp(password, rng));
                AuthFlow::UserSrpAuth
            }
            Method::Password { password } => {
                parameters.insert("PASSWORD".to_owned(), password.expose_secret().clone());
                AuthFlow::UserPasswordAuth
            }
            Method::CustomWithSrp { password } => {
                parameters.insert("SRP_A".to_owned(), self.begin_srp(password, rng));
                parameters.insert("CHALLENGE_NAME".to_owned(), "SRP_A".to_owned());
                AuthFlow::CustomAuth
            }
            Method::Custom { auth_parameters } => {
                parameters.extend(auth_parameters);
                AuthFlow::CustomAuth
            }
            Method::UserAuth { preferred } => {
                if let Some(factor) = preferred {
                    parameters.insert(
                        "PREFERRED_CHALLENGE".to_owned(),
                        factor.kind().as_str().to_owned(),
                    );
                    match factor {
                        FirstFactor::Password(password) => {
                            parameters
                                .insert("PASSWORD".to_owned(), password.expose_secret().clone());
                        }
                        FirstFactor::PasswordSrp(password) => {
                            parameters.insert("SRP_A".to_owned(), self.begin_srp(password, rng));
                        }
                        FirstFactor::EmailOtp | FirstFactor::SmsOtp | FirstFactor::WebAuthn => {}
                    }
                }
                AuthFlow::UserAuth
            }
            Method::AutoSignIn { session: signup } => {
                session = Some(signup);
                AuthFlow::UserAuth
            }
        };
        parameters.insert("USERNAME".to_owned(), self.username.clone());
        if let Some(hash) = self.config.secret_hash(&self.username) {
            parameters.insert("SECRET_HASH".to_owned(), hash);
        }
        self.device_key_sent = self.insert_device_key(&mut parameters);
        let mut request = InitiateAuth::new(flow, self.config.client_id(), parameters);
        request.session = session;
        request.client_metadata = self.start.client_metadata.clone();
        request.analytics_metadata = self.start.analytics_metadata.clone();
        request.user_context_data = self.start.user_context_data.clone();
        self.state = State::InitiateAuthSent;
        if self.device.is_none() {
            // Only a forgotten device restarts the sign-in: without one, the start
            // credentials are no longer needed.
            self.start.method.scrub();
        }
        Event::Send(encode(&self.endpoint, &request))
    }

    /// Draws `a` for a password SRP exchange and returns `SRP_A`.
    fn begin_srp<R: CryptoRng + ?Sized>(&mut self, password: SecretString, rng: &mut R) -> String {
        let ephemeral = Ephemeral::generate(rng);
        let srp_a = ephemeral.public_hex();
        self.srp = Some(SrpContext {
            ephemeral,
            password,
        });
        srp_a
    }

    /// Adds `DEVICE_KEY` when a device is remembered; returns whether it did.
    fn insert_device_key(&self, parameters: &mut BTreeMap<String, String>) -> bool {
        match &self.device {
            Some(device) => {
                parameters.insert("DEVICE_KEY".to_owned(), device.device_key.clone());
                true
            }
            None => false,
        }
    }

    /// `RespondToAuthChallenge` with `USERNAME` (the internal username), `SECRET_HASH` over it,
    /// the latest session and the pass-through metadata. Does not add `DEVICE_KEY`.
    fn respond(
        &mut self,
        challenge: ChallengeName,
        mut responses: BTreeMap<String, String>,
    ) -> PreparedRequest {
        responses.insert("USERNAME".to_owned(), self.username.clone());
        match self.config.secret_hash(&self.username) {
            Some(hash) => responses.insert("SECRET_HASH".to_owned(), hash),
            None => responses.remove("SECRET_HASH"),
        };
        self.device_key_sent = responses.contains_key("DEVICE_KEY");
        let mut request = RespondToAuthChallenge::new(
            self.config.client_id(),
            challenge,
            self.session.clone(),
            responses,
        );
        request.client_metadata = self.start.client_metadata.clone();
        request.analytics_metadata = self.start.analytics_metadata.clone();
        request.user_context_data = self.start.user_context_data.clone();
        encode(&self.endpoint, &request)
    }

    /// `AssociateSoftwareToken` with the `MFA_SETUP` session.
    fn associate_software_token(&mut self) -> Event {
        let request = AssociateSoftwareToken {
            access_token: None,
            session: self.session.clone(),
        };
        self.device_key_sent = false;
        self.state = State::AssociateSoftwareTokenSent;
        Event::Send(encode(&self.endpoint, &request))
    }

    /// `VerifySoftwareToken` with the session from `AssociateSoftwareToken`.
    fn verify_software_token(
        &mut self,
        code: SecretString,
        friendly_device_name: Option<String>,
        step: NextStep,
    ) -> Event {
        let request = VerifySoftwareToken {
            access_token: None,
            session: self.session.clone(),
            user_code: code,
            friendly_device_name,
        };
        self.device_key_sent = false;
        self.state = State::VerifySoftwareTokenSent { step };
        Event::Send(encode(&self.endpoint, &request))
    }

    /// Hands a step to the caller.
    fn ask(&mut self, asked: Asked, step: NextStep) -> Event {
        self.state = State::WaitingForAnswer {
            asked,
            step: step.clone(),
        };
        Event::Step(step)
    }

    /// Ends the flow with an error.
    fn fail(&mut self, error: CoreError) -> Result<Event, CoreError> {
        self.finish();
        Err(error)
    }

    /// Enters `Finished` and drops every credential the flow still holds.
    fn finish(&mut self) {
        self.state = State::Finished;
        self.srp = None;
        self.session = None;
        self.start.method.scrub();
    }

    // ---- responses ------------------------------------------------------------------------

    /// An `InitiateAuth` / `RespondToAuthChallenge` reply: a challenge or tokens.
    fn on_auth_reply<R: CryptoRng + ?Sized>(
        &mut self,
        operation: &'static str,
        reply: InitiateAuthResponse,
        device_ephemeral: Option<Ephemeral>,
        now_unix: u64,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        // Known client bug docs/protocol.md#pitfall-10: the challenge name decides what to read; never assume tokens.
        if let Some(challenge) = reply.challenge_name {
            // Known client bug docs/protocol.md#pitfall-12: the reply's session replaces the previous one (which the successful
            // step consumed), even when the reply carries none.
            self.session = reply.session;
            let parameters = reply.challenge_parameters;
            // Cognito names the internal username in USER_ID_FOR_SRP or USERNAME. The device
            // challenges' echo of USERNAME is not documented, so they never rename the user.
            let device_challenge = matches!(
                challenge,
                ChallengeName::DeviceSrpAuth | ChallengeName::DevicePasswordVerifier
            );
            if let Some(internal) = parameters
                .get("USER_ID_FOR_SRP")
                .or_else(|| parameters.get("USERNAME"))
                .filter(|name| !name.is_empty() && !device_challenge)
            {
                self.username = internal.clone();
            }
            let params = Params {
                operation,
                challenge: &challenge,
                map: &parameters,
            };
            let result = self.on_challenge(
                &challenge,
                &params,
                reply.available_challenges,
                device_ephemeral,
                now_unix,
                rng,
            );
            return match result {
                Ok(event) => Ok(event),
                Err(error) => self.fail(error),
            };
        }
        match reply.authentication_result {
            Some(result) => match self.on_tokens(operation, result, rng) {
                Ok(event) => Ok(event),
                Err(error) => self.fail(error),
            },
            None => self.fail(CoreError::missing_member(operation, "AuthenticationResult")),
        }
    }

    /// Dispatches on the challenge the server returned.
    fn on_challenge<R: CryptoRng + ?Sized>(
        &mut self,
        challenge: &ChallengeName,
        params: &Params<'_>,
        available: Vec<ChallengeName>,
        device_ephemeral: Option<Ephemeral>,
        now_unix: u64,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        match challenge {
            ChallengeName::PasswordVerifier => self.password_verifier(params, now_unix),
            ChallengeName::DeviceSrpAuth => self.device_srp_auth(params, rng),
            ChallengeName::DevicePasswordVerifier => {
                self.device_password_verifier(params, device_ephemeral, now_unix)
            }
            ChallengeName::SmsMfa | ChallengeName::SmsOtp => {
                let response_key = if *challenge == ChallengeName::SmsMfa {
                    "SMS_MFA_CODE"
                } else {
                    "SMS_OTP_CODE"
                };
                let destination = params
                    .optional("CODE_DELIVERY_DESTINATION")
                    .map(str::to_owned);
                Ok(self.ask(
                    Asked::Code {
                        challenge: challenge.clone(),
                        response_key,
                    },
                    NextStep::ConfirmWithSmsCode { destination },
                ))
            }
            ChallengeName::EmailOtp => {
                let destination = params
                    .optional("CODE_DELIVERY_DESTINATION")
                    .map(str::to_owned);
                Ok(self.ask(
                    Asked::Code {
                        challenge: ChallengeName::EmailOtp,
                        response_key: "EMAIL_OTP_CODE",
                    },
                    NextStep::ConfirmWithEmailCode { destination },
                ))
            }
            ChallengeName::SoftwareTokenMfa => Ok(self.ask(
                Asked::Code {
                    challenge: ChallengeName::SoftwareTokenMfa,
                    response_key: "SOFTWARE_TOKEN_MFA_CODE",
                },
                NextStep::ConfirmWithTotpCode,
            )),
            ChallengeName::SelectMfaType => {
                let allowed = params
                    .string_list("MFAS_CAN_CHOOSE", true)?
                    .iter()
                    .map(|name| MfaType::from_wire(name))
                    .collect();
                Ok(self.ask(Asked::MfaType, NextStep::SelectMfaType { allowed }))
            }
            ChallengeName::MfaSetup => {
                let can_set_up: Vec<MfaType> = params
                    .string_list("MFAS_CAN_SETUP", true)?
                    .iter()
                    .map(|name| MfaType::from_wire(name))
                    .collect();
                let totp = can_set_up.contains(&MfaType::Totp);
                let email = can_set_up.contains(&MfaType::Email);
                Ok(match (totp, email) {
                    (true, true) => self.ask(
                        Asked::MfaSetupType,
                        NextStep::SelectMfaSetupType {
                            allowed: vec![MfaType::Totp, MfaType::Email],
                        },
                    ),
                    (true, false) => self.associate_software_token(),
                    (false, true) => self.ask(Asked::EmailSetup, NextStep::SetUpEmail),
                    // SMS can only be set up outside the sign-in (set phone_number, restart).
                    (false, false) => self.unsupported(challenge, params),
                })
            }
            ChallengeName::NewPasswordRequired => {
                let required_attributes = params
                    .string_list("requiredAttributes", false)?
                    .into_iter()
                    .map(|name| match name.strip_prefix(USER_ATTRIBUTES_PREFIX) {
                        Some(stripped) => stripped.to_owned(),
                        None => name,
                    })
                    .collect();
                let user_attributes = params.string_map("userAttributes")?;
                Ok(self.ask(
                    Asked::NewPassword {
                        current: user_attributes.clone(),
                    },
                    NextStep::NewPasswordRequired {
                        required_attributes,
                        user_attributes,
                    },
                ))
            }
            ChallengeName::CustomChallenge => Ok(self.ask(
                Asked::Custom,
                NextStep::CustomChallenge {
                    parameters: params.map.clone(),
                },
            )),
            ChallengeName::SelectChallenge => {
                if available.is_empty() {
                    return Err(params.error("AvailableChallenges", ParameterProblem::Missing));
                }
                let available = available
                    .iter()
                    .map(FirstFactorType::from_challenge)
                    .collect();
                Ok(self.ask(
                    Asked::FirstFactor,
                    NextStep::SelectFirstFactor { available },
                ))
            }
            ChallengeName::Password | ChallengeName::PasswordSrp => Ok(self.ask(
                Asked::Password {
                    srp: *challenge == ChallengeName::PasswordSrp,
                },
                NextStep::EnterPassword,
            )),
            ChallengeName::WebAuthn => {
                let request_options_json =
                    params.required("CREDENTIAL_REQUEST_OPTIONS")?.to_owned();
                Ok(self.ask(
                    Asked::WebAuthn,
                    NextStep::WebAuthn {
                        request_options_json,
                    },
                ))
            }
            _ => Ok(self.unsupported(challenge, params)),
        }
    }

    fn unsupported(&mut self, challenge: &ChallengeName, params: &Params<'_>) -> Event {
        self.ask(
            Asked::Unsupported {
                name: challenge.clone(),
            },
            NextStep::Unsupported {
                name: challenge.as_str().to_owned(),
                parameters: params.map.clone(),
            },
        )
    }

    /// `PASSWORD_VERIFIER`: sign with the password (known client bug docs/protocol.md#pitfall-7: as `USER_ID_FOR_SRP`).
    fn password_verifier(
        &mut self,
        params: &Params<'_>,
        now_unix: u64,
    ) -> Result<Event, CoreError> {
        let Some(srp) = self.srp.take() else {
            return Err(params.unexpected("the flow sent no SRP_A"));
        };
        let user_id = params.required("USER_ID_FOR_SRP")?.to_owned();
        let challenge = ServerChallenge::parse(
            params.required("SALT")?,
            params.required("SRP_B")?,
            params.required("SECRET_BLOCK")?,
        )?;
        let claim = srp::password_claim(
            &srp.ephemeral,
            self.config.user_pool_id(),
            &user_id,
            srp.password.expose_secret(),
            &challenge,
            now_unix,
        )?;
        let renamed = user_id != self.start.username;
        self.username = user_id;
        let mut responses = BTreeMap::new();
        responses.insert("PASSWORD_CLAIM_SECRET_BLOCK".to_owned(), claim.secret_block);
        responses.insert("PASSWORD_CLAIM_SIGNATURE".to_owned(), claim.signature);
        responses.insert("TIMESTAMP".to_owned(), claim.timestamp);
        if self.device.is_none() && renamed && self.start.device_lookup {
            // The device the caller found for the typed name (none) may be stored under the
            // internal name the server just gave: the typed name can be an alias, or differ
            // in letter case from the name the device was stored under.
            self.state = State::DeviceLookup { responses };
            return Ok(Event::LookUpDevice {
                username: self.username.clone(),
            });
        }
        Ok(self.send_password_verifier(responses))
    }

    /// Sends the `PASSWORD_VERIFIER` answer, with `DEVICE_KEY` when a device is remembered.
    fn send_password_verifier(&mut self, mut responses: BTreeMap<String, String>) -> Event {
        self.insert_device_key(&mut responses);
        let request = self.respond(ChallengeName::PasswordVerifier, responses);
        self.state = State::PasswordVerifierSent;
        Event::Send(request)
    }

    /// The answer to [`Event::LookUpDevice`]: the remembered device stored for the internal
    /// username, or `None`. The flow goes on with the `PASSWORD_VERIFIER` answer.
    ///
    /// Errors: [`CoreError::Misuse`] when the flow did not ask for a device (and it stays as it
    /// was).
    pub fn device_found(&mut self, device: Option<RememberedDevice>) -> Result<Event, CoreError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        let State::DeviceLookup { responses } = state else {
            self.state = state;
            return Err(CoreError::misuse(
                "device_found called while no device was asked for",
            ));
        };
        self.device = device;
        Ok(self.send_password_verifier(responses))
    }

    /// `DEVICE_SRP_AUTH`: start device SRP with a fresh `a`.
    fn device_srp_auth<R: CryptoRng + ?Sized>(
        &mut self,
        params: &Params<'_>,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        let Some(device) = &self.device else {
            return Err(params.unexpected("the flow sent no DEVICE_KEY"));
        };
        let ephemeral = Ephemeral::generate(rng);
        let mut responses = BTreeMap::new();
        responses.insert("DEVICE_KEY".to_owned(), device.device_key.clone());
        responses.insert("SRP_A".to_owned(), ephemeral.public_hex());
        let request = self.respond(ChallengeName::DeviceSrpAuth, responses);
        self.state = State::DeviceSrpAuthSent { ephemeral };
        Ok(Event::Send(request))
    }

    /// `DEVICE_PASSWORD_VERIFIER`: sign with the device password (known client bug docs/protocol.md#pitfall-14: realm = device
    /// group key, user = device key).
    fn device_password_verifier(
        &mut self,
        params: &Params<'_>,
        ephemeral: Option<Ephemeral>,
        now_unix: u64,
    ) -> Result<Event, CoreError> {
        let (Some(ephemeral), Some(device)) = (ephemeral, &self.device) else {
            return Err(params.unexpected("DEVICE_SRP_AUTH was not answered before"));
        };
        let challenge = ServerChallenge::parse(
            params.required("SALT")?,
            params.required("SRP_B")?,
            params.required("SECRET_BLOCK")?,
        )?;
        let claim = srp::device_claim(
            &ephemeral,
            &device.device_group_key,
            &device.device_key,
            device.device_password.expose_secret(),
            &challenge,
            now_unix,
        )?;
        let mut responses = BTreeMap::new();
        responses.insert("DEVICE_KEY".to_owned(), device.device_key.clone());
        responses.insert("PASSWORD_CLAIM_SECRET_BLOCK".to_owned(), claim.secret_block);
        responses.insert("PASSWORD_CLAIM_SIGNATURE".to_owned(), claim.signature);
        responses.insert("TIMESTAMP".to_owned(), claim.timestamp);
        let request = self.respond(ChallengeName::DevicePasswordVerifier, responses);
        self.state = State::DevicePasswordVerifierSent;
        Ok(Event::Send(request))
    }

    /// Tokens: done, or first `ConfirmDevice` when the server issued a new device.
    fn on_tokens<R: CryptoRng + ?Sized>(
        &mut self,
        operation: &'static str,
        result: AuthenticationResult,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        if result.access_token.expose_secret().is_empty()
            || result.id_token.expose_secret().is_empty()
        {
            return Err(CoreError::invalid_member(
                operation,
                "AuthenticationResult",
                "a token is empty",
            ));
        }
        let expires_in = u64::try_from(result.expires_in)
            .map_err(|_| CoreError::invalid_member(operation, "ExpiresIn", "it is negative"))?;
        if let Some(internal) = access_token_username(result.access_token.expose_secret()) {
            self.username = internal;
        }
        self.srp = None;
        self.session = None;
        self.start.method.scrub();
        let mut signed_in = SignedIn {
            tokens: Tokens {
                id_token: result.id_token,
                access_token: result.access_token,
                refresh_token: result.refresh_token,
                expires_in,
                token_type: result.token_type,
            },
            username: self.username.clone(),
            device: self.device.clone(),
            new_device: false,
            user_confirmation_necessary: false,
            device_forgotten: self.device_forgotten,
            device_error: None,
        };
        let Some(metadata) = result
            .new_device_metadata
            .filter(|_| self.start.confirm_device)
        else {
            self.finish();
            return Ok(Event::Done(signed_in));
        };
        if metadata.device_key.is_empty() || metadata.device_group_key.is_empty() {
            signed_in.device = None;
            signed_in.device_error = Some(CoreError::invalid_member(
                operation,
                "NewDeviceMetadata",
                "DeviceKey or DeviceGroupKey is empty",
            ));
            self.finish();
            return Ok(Event::Done(signed_in));
        }
        let registration =
            srp::register_device(rng, &metadata.device_group_key, &metadata.device_key);
        let request = ConfirmDevice {
            access_token: signed_in.tokens.access_token.clone(),
            device_key: metadata.device_key.clone(),
            device_secret_verifier_config: Some(DeviceSecretVerifierConfig {
                password_verifier: Some(registration.verifier_b64),
                salt: Some(registration.salt_b64),
            }),
            device_name: self.start.device_name.clone(),
        };
        // Until ConfirmDevice answers, no device is remembered.
        signed_in.device = None;
        let device = RememberedDevice {
            device_key: metadata.device_key,
            device_group_key: metadata.device_group_key,
            device_password: registration.device_password,
        };
        self.device_key_sent = false;
        self.state = State::ConfirmDeviceSent {
            signed_in: Box::new(signed_in),
            device,
        };
        Ok(Event::Send(encode(&self.endpoint, &request)))
    }

    /// An error reply to `InitiateAuth` / `RespondToAuthChallenge`.
    ///
    /// `answered` is the step whose answer was out, if the request carried a user answer.
    fn on_auth_error<R: CryptoRng + ?Sized>(
        &mut self,
        error: CoreError,
        answered: Option<(Asked, NextStep)>,
        rng: &mut R,
    ) -> Result<Event, CoreError> {
        // Known client bug docs/protocol.md#pitfall-13: two service errors are steps, not failures.
        match error.service_kind() {
            Some(ServiceErrorKind::UserNotConfirmed) => {
                self.finish();
                return Ok(Event::Step(NextStep::ConfirmSignUp {
                    username: self.start.username.clone(),
                }));
            }
            Some(ServiceErrorKind::PasswordResetRequired) => {
                self.finish();
                return Ok(Event::Step(NextStep::ResetPassword {
                    username: self.start.username.clone(),
                }));
            }
            _ => {}
        }
        // Known client bug docs/protocol.md#pitfall-15: a device the server does not know is forgotten, and the sign-in starts
        // over once without it. Only `InitiateAuth` is re-sent: it holds no session that an
        // earlier step may have consumed (an auto-sign-in session is only re-sent when the
        // first `InitiateAuth` itself failed).
        if self.device_key_sent && is_unknown_device(&error) {
            self.device = None;
            self.device_forgotten = true;
            self.device_key_sent = false;
            let session_consumed =
                matches!(self.start.method, Method::AutoSignIn { .. }) && self.initiated;
            if !self.restarted && !session_consumed {
                self.restarted = true;
                self.initiated = false;
                return Ok(self.initiate(rng));
            }
            return self.fail(error);
        }
        if let Some((asked, step)) = answered {
            return Err(self.answer_failed(error, asked, step));
        }
        self.fail(error)
    }

    /// A user answer was refused. When the same session may be answered again (wrong code,
    /// password refused by the policy, bad attribute), go back to the step; else finish.
    fn answer_failed(&mut self, error: CoreError, asked: Asked, step: NextStep) -> CoreError {
        let may_retry = matches!(
            error.service_kind(),
            Some(
                ServiceErrorKind::CodeMismatch
                    | ServiceErrorKind::InvalidPassword
                    | ServiceErrorKind::PasswordHistoryPolicyViolation
                    | ServiceErrorKind::InvalidParameter
            )
        );
        if may_retry {
            self.state = State::WaitingForAnswer { asked, step };
        } else {
            self.finish();
        }
        error
    }
}

/// `ResourceNotFoundException` about the device (`Device does not exist.`), not the client or
/// the pool.
fn is_unknown_device(error: &CoreError) -> bool {
    match error.as_service() {
        Some(e) => {
            e.kind == ServiceErrorKind::ResourceNotFound
                && e.message().to_ascii_lowercase().contains("device")
        }
        None => false,
    }
}

fn answer_name(answer: &Answer) -> &'static str {
    match answer {
        Answer::Code(_) => "Code",
        Answer::TotpSetup { .. } => "TotpSetup",
        Answer::NewPassword { .. } => "NewPassword",
        Answer::Custom { .. } => "Custom",
        Answer::MfaType(_) => "MfaType",
        Answer::Email(_) => "Email",
        Answer::FirstFactor(_) => "FirstFactor",
        Answer::Password(_) => "Password",
        Answer::WebAuthnCredential(_) => "WebAuthnCredential",
        Answer::Raw(_) => "Raw",
    }
}

fn step_name(step: &NextStep) -> &'static str {
    match step {
        NextStep::ConfirmWithSmsCode { .. } => "ConfirmWithSmsCode",
        NextStep::ConfirmWithTotpCode => "ConfirmWithTotpCode",
        NextStep::ConfirmWithEmailCode { .. } => "ConfirmWithEmailCode",
        NextStep::SelectMfaType { .. } => "SelectMfaType",
        NextStep::SelectMfaSetupType { .. } => "SelectMfaSetupType",
        NextStep::SetUpTotp { .. } => "SetUpTotp",
        NextStep::SetUpEmail => "SetUpEmail",
        NextStep::NewPasswordRequired { .. } => "NewPasswordRequired",
        NextStep::CustomChallenge { .. } => "CustomChallenge",
        NextStep::SelectFirstFactor { .. } => "SelectFirstFactor",
        NextStep::EnterPassword => "EnterPassword",
        NextStep::WebAuthn { .. } => "WebAuthn",
        NextStep::ConfirmSignUp { .. } => "ConfirmSignUp",
        NextStep::ResetPassword { .. } => "ResetPassword",
        NextStep::Unsupported { .. } => "Unsupported",
    }
}

/// A sign-in waiting for the user ([`SignInFlow::pause`]), as a value that can be stored
/// (serde) and resumed later, in another process, with [`SignInFlow::resume`].
///
/// It holds what Cognito's own `Session` string already gives away and nothing more secret:
/// the session, the usernames, the step and its question, the pass-through metadata and the
/// *key* of the remembered device (never its password: the device is looked up again when
/// resuming). No password and no SRP private value is in it. The session expires on the
/// server after a few minutes (three by default), like the step it answers; keep the value
/// where the user's browser cannot change it (a server-side session, or encrypted and
/// authenticated if it travels through the client).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PausedSignIn {
    /// The format of this value; [`SignInFlow::resume`] refuses another one.
    version: u32,
    /// The app client the sign-in belongs to.
    client_id: String,
    /// The username the sign-in started with.
    typed_username: String,
    /// The username the flow sends now (Cognito's internal one once a challenge named it).
    username: String,
    session: Option<SecretString>,
    device_key: Option<String>,
    device_key_sent: bool,
    device_forgotten: bool,
    initiated: bool,
    client_metadata: BTreeMap<String, String>,
    analytics_metadata: Option<crate::ops::AnalyticsMetadata>,
    user_context_data: Option<crate::ops::UserContextData>,
    device_name: Option<String>,
    confirm_device: bool,
    asked: PausedAsk,
    step: NextStep,
}

impl PausedSignIn {
    /// The step the user must complete.
    pub fn next_step(&self) -> &NextStep {
        &self.step
    }

    /// The username the sign-in started with.
    pub fn typed_username(&self) -> &str {
        &self.typed_username
    }

    /// The internal username, once the server named it (otherwise the typed one).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The key of the remembered device the sign-in presented, if any: pass that device to
    /// [`SignInFlow::resume`].
    pub fn device_key(&self) -> Option<&str> {
        self.device_key.as_deref()
    }
}

const PAUSED_VERSION: u32 = 1;

/// [`Asked`] as stored in a [`PausedSignIn`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum PausedAsk {
    Code { challenge: ChallengeName },
    MfaType,
    MfaSetupType,
    TotpSetup,
    EmailSetup,
    NewPassword { current: BTreeMap<String, String> },
    Custom,
    FirstFactor,
    Password { srp: bool },
    WebAuthn,
    Unsupported { name: ChallengeName },
}

impl From<&Asked> for PausedAsk {
    fn from(asked: &Asked) -> Self {
        match asked {
            Asked::Code { challenge, .. } => PausedAsk::Code {
                challenge: challenge.clone(),
            },
            Asked::MfaType => PausedAsk::MfaType,
            Asked::MfaSetupType => PausedAsk::MfaSetupType,
            Asked::TotpSetup => PausedAsk::TotpSetup,
            Asked::EmailSetup => PausedAsk::EmailSetup,
            Asked::NewPassword { current } => PausedAsk::NewPassword {
                current: current.clone(),
            },
            Asked::Custom => PausedAsk::Custom,
            Asked::FirstFactor => PausedAsk::FirstFactor,
            Asked::Password { srp } => PausedAsk::Password { srp: *srp },
            Asked::WebAuthn => PausedAsk::WebAuthn,
            Asked::Unsupported { name } => PausedAsk::Unsupported { name: name.clone() },
        }
    }
}

impl TryFrom<PausedAsk> for Asked {
    type Error = CoreError;

    fn try_from(paused: PausedAsk) -> Result<Self, CoreError> {
        Ok(match paused {
            PausedAsk::Code { challenge } => {
                let response_key = match challenge {
                    ChallengeName::SmsMfa => "SMS_MFA_CODE",
                    ChallengeName::SmsOtp => "SMS_OTP_CODE",
                    ChallengeName::EmailOtp => "EMAIL_OTP_CODE",
                    ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA_CODE",
                    _ => {
                        return Err(CoreError::invalid_input(
                            "paused",
                            "the paused sign-in asks for a code of an unknown challenge",
                        ));
                    }
                };
                Asked::Code {
                    challenge,
                    response_key,
                }
            }
            PausedAsk::MfaType => Asked::MfaType,
            PausedAsk::MfaSetupType => Asked::MfaSetupType,
            PausedAsk::TotpSetup => Asked::TotpSetup,
            PausedAsk::EmailSetup => Asked::EmailSetup,
            PausedAsk::NewPassword { current } => Asked::NewPassword { current },
            PausedAsk::Custom => Asked::Custom,
            PausedAsk::FirstFactor => Asked::FirstFactor,
            PausedAsk::Password { srp } => Asked::Password { srp },
            PausedAsk::WebAuthn => Asked::WebAuthn,
            PausedAsk::Unsupported { name } => Asked::Unsupported { name },
        })
    }
}

impl SignInFlow {
    /// The sign-in as a [`PausedSignIn`] to store and resume later, when it waits for the
    /// user (after a [`Event::Step`] that is not terminal). The flow itself is unchanged.
    pub fn pause(&self) -> Result<PausedSignIn, CoreError> {
        let State::WaitingForAnswer { asked, step } = &self.state else {
            return Err(CoreError::misuse(
                "only a sign-in waiting for an answer can be paused",
            ));
        };
        Ok(PausedSignIn {
            version: PAUSED_VERSION,
            client_id: self.config.client_id().to_owned(),
            typed_username: self.start.username.clone(),
            username: self.username.clone(),
            session: self.session.clone(),
            device_key: self.device.as_ref().map(|d| d.device_key.clone()),
            device_key_sent: self.device_key_sent,
            device_forgotten: self.device_forgotten,
            initiated: self.initiated,
            client_metadata: self.start.client_metadata.clone(),
            analytics_metadata: self.start.analytics_metadata.clone(),
            user_context_data: self.start.user_context_data.clone(),
            device_name: self.start.device_name.clone(),
            confirm_device: self.start.confirm_device,
            asked: PausedAsk::from(asked),
            step: step.clone(),
        })
    }

    /// A flow waiting for the answer `paused` asks for, for the app client `config` (the same
    /// client it was paused with, with its secret if it has one). `device` is the remembered
    /// device whose key [`PausedSignIn::device_key`] names, looked up again from storage;
    /// another device is ignored.
    ///
    /// A resumed flow holds no password, so it never restarts from `InitiateAuth` (which a
    /// flow does once when the server forgot its remembered device).
    pub fn resume(
        config: &ClientConfig,
        endpoint: &Endpoint,
        paused: PausedSignIn,
        device: Option<RememberedDevice>,
    ) -> Result<SignInFlow, CoreError> {
        if paused.version != PAUSED_VERSION {
            return Err(CoreError::invalid_input(
                "paused",
                "the paused sign-in was written by an incompatible version",
            ));
        }
        if paused.client_id != config.client_id() {
            return Err(CoreError::invalid_input(
                "paused",
                "the paused sign-in belongs to another app client",
            ));
        }
        let device = device.filter(|d| paused.device_key.as_deref() == Some(&d.device_key));
        let start = Start {
            username: paused.typed_username,
            method: Method::Custom {
                auth_parameters: BTreeMap::new(),
            },
            client_metadata: paused.client_metadata,
            analytics_metadata: paused.analytics_metadata,
            user_context_data: paused.user_context_data,
            device_name: paused.device_name,
            confirm_device: paused.confirm_device,
            device_lookup: false,
        };
        Ok(SignInFlow {
            config: config.clone(),
            endpoint: endpoint.clone(),
            start,
            username: paused.username,
            device,
            device_forgotten: paused.device_forgotten,
            device_key_sent: paused.device_key_sent,
            restarted: true,
            initiated: paused.initiated,
            session: paused.session,
            srp: None,
            state: State::WaitingForAnswer {
                asked: Asked::try_from(paused.asked)?,
                step: paused.step,
            },
        })
    }
}
