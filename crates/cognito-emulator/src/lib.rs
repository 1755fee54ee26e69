//! A faithful local Amazon Cognito user-pool server for offline tests.
//!
//! It speaks the real wire protocol (`POST /` with `X-Amz-Target`, AWS JSON 1.1, real error
//! shapes), verifies SRP for users and devices, SECRET_HASH, TOTP and codes, signs RS256
//! tokens with a per-pool key published at `/<poolId>/.well-known/jwks.json`, and offers test
//! hooks under `/_emulator/` (delivered messages, clock, faults, reset).
//!
//! ```no_run
//! use cognito_emulator::{ClientConfig, Emulator, PoolConfig};
//!
//! let emu = Emulator::start_blocking()?;
//! let pool = emu.create_pool(PoolConfig::default())?;
//! let client = emu.create_client(&pool.pool_id, ClientConfig::default())?;
//! emu.create_user(&pool.pool_id, "alice", "Passw0rd!", &[("email", "a@example.com")])?;
//! println!("endpoint {} client {}", emu.url(), client.client_id);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Handle methods need no `.await`: they lock the state directly, so they work from sync and
//! async code alike. The emulator stops when its handle is dropped.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod cert;
mod challenge;
pub mod custom;
mod limits;
pub mod model;
mod oauth;
mod ops;
mod schema;
mod seed;
mod server;
mod service;
mod srp_server;
mod state;
mod tokens;
pub mod totp;
pub mod triggers;
mod util;
mod webauthn;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use serde_json::{Map, Value, json};

pub use api::ApiError;
pub use custom::CustomAuth;
pub use limits::ServerLimits;
pub use ops::{IDENTITY_OPERATIONS, USER_POOL_OPERATIONS};
pub use service::{Outcome, Service};
pub use tokens::SigningKeys;
pub use triggers::{Trigger, TriggerFn};

use state::{FaultRule, State};

/// A code the emulator "sent" (the messages hook).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The pool the user belongs to.
    pub user_pool_id: String,
    /// Cognito's internal username.
    pub username: String,
    /// The unmasked email address or phone number.
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, `VERIFY_ATTRIBUTE`, `MFA`, `OTP`, `CUSTOM`, `INVITE` or
    /// `WELCOME`.
    pub kind: String,
    /// The code (for `INVITE`, the temporary password).
    pub code: String,
    /// When it was sent, in epoch seconds of the emulator clock.
    pub sent_at: f64,
    /// The text a `CustomMessage` trigger made of it, the code (and, for invitations, the
    /// username) filled in; `None` when the pool has no such trigger (or it kept the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The email subject a `CustomMessage` trigger chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The kinds of delivered messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Sign-up confirmation code.
    SignUp,
    /// Forgot-password code.
    ForgotPassword,
    /// Attribute verification code.
    VerifyAttribute,
    /// SMS or email MFA code.
    Mfa,
    /// Passwordless (USER_AUTH) one-time code.
    Otp,
    /// Built-in custom-auth challenge code.
    Custom,
    /// AdminCreateUser invitation (the code is the temporary password).
    Invite,
    /// The welcome message of a user created by the user migration trigger (no code).
    Welcome,
}

impl MessageKind {
    /// The wire name used by the messages hook.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::SignUp => "SIGN_UP",
            MessageKind::ForgotPassword => "FORGOT_PASSWORD",
            MessageKind::VerifyAttribute => "VERIFY_ATTRIBUTE",
            MessageKind::Mfa => "MFA",
            MessageKind::Otp => "OTP",
            MessageKind::Custom => "CUSTOM",
            MessageKind::Invite => "INVITE",
            MessageKind::Welcome => "WELCOME",
        }
    }
}

/// How an injected fault fails a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// HTTP 500 `InternalErrorException`; the operation does not run.
    Http500,
    /// HTTP 400 `TooManyRequestsException`; the operation does not run.
    Throttle,
    /// The operation runs, but only the first half of the response body is sent.
    Truncate,
    /// The connection is closed without a response; the operation does not run.
    Reset,
    /// The operation runs after `delay_ms` milliseconds.
    Delay,
}

impl FaultKind {
    /// Parses the hook's names (`http500`, `throttle`, `truncate`, `reset`, `delay`).
    pub fn from_name(s: &str) -> Option<FaultKind> {
        Some(match s {
            "http500" => FaultKind::Http500,
            "throttle" => FaultKind::Throttle,
            "truncate" => FaultKind::Truncate,
            "reset" => FaultKind::Reset,
            "delay" => FaultKind::Delay,
            _ => return None,
        })
    }
}

/// A fault rule: the next `count` calls of `operation` (or `"*"`) fail as `kind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Operation name (`InitiateAuth`, `GetTokensFromRefreshToken`, ...), an InitiateAuth
    /// flow as `InitiateAuth:<AuthFlow>` (e.g. `InitiateAuth:REFRESH_TOKEN_AUTH`), or `"*"`.
    pub operation: String,
    /// How the call fails.
    pub kind: FaultKind,
    /// How many matching calls fail.
    pub count: u64,
    /// Delay for [`FaultKind::Delay`].
    pub delay_ms: u64,
}

impl Fault {
    /// One failure of `operation` as `kind`.
    pub fn new(operation: &str, kind: FaultKind) -> Fault {
        Fault {
            operation: operation.to_string(),
            kind,
            count: 1,
            delay_ms: 0,
        }
    }

    /// Fails the next `n` matching calls.
    pub fn times(mut self, n: u64) -> Fault {
        self.count = n;
        self
    }

    /// Sets the delay of a [`FaultKind::Delay`] fault.
    pub fn delay_ms(mut self, ms: u64) -> Fault {
        self.delay_ms = ms;
        self
    }
}

/// Pool-level MFA setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MfaConfiguration {
    /// No MFA.
    #[default]
    Off,
    /// MFA for users who enabled a factor.
    Optional,
    /// MFA for everyone (`MFA_SETUP` for users without a factor).
    On,
}

/// Settings of a new user pool (converted to a `CreateUserPool` request).
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// `PoolName`.
    pub name: String,
    /// `MfaConfiguration`.
    pub mfa: MfaConfiguration,
    /// Minimum password length (policy requires upper, lower, digit and symbol unless
    /// `relaxed_password_policy`).
    pub password_min_length: u32,
    /// Only the minimum length is enforced.
    pub relaxed_password_policy: bool,
    /// `DeviceConfiguration`: `Some((ChallengeRequiredOnNewDevice,
    /// DeviceOnlyRememberedOnUserPrompt))` turns device tracking on.
    pub device_tracking: Option<(bool, bool)>,
    /// `UsernameAttributes` (e.g. `["email"]` for email-as-username pools).
    pub username_attributes: Vec<String>,
    /// `AliasAttributes`.
    pub alias_attributes: Vec<String>,
    /// `AutoVerifiedAttributes` (default `["email"]`).
    pub auto_verified_attributes: Vec<String>,
    /// Declares a DefineAuthChallenge trigger, which enables CUSTOM_AUTH (the built-in
    /// scenario runs unless closures are plugged with `set_custom_auth`).
    pub custom_auth_trigger: bool,
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors` (default `["PASSWORD"]`).
    pub allowed_first_auth_factors: Vec<String>,
    /// Attributes the pool's `Schema` marks `Required` (enforced by SignUp and asked for in
    /// `NEW_PASSWORD_REQUIRED`'s `requiredAttributes`).
    pub required_attributes: Vec<String>,
    /// Extra `CreateUserPool` members merged into the request as given.
    pub extra: Map<String, Value>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            name: "test-pool".to_string(),
            mfa: MfaConfiguration::Off,
            password_min_length: 8,
            relaxed_password_policy: false,
            device_tracking: None,
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            auto_verified_attributes: vec!["email".to_string()],
            custom_auth_trigger: false,
            allowed_first_auth_factors: Vec::new(),
            required_attributes: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl PoolConfig {
    /// The `CreateUserPool` request body.
    pub fn to_request(&self) -> Value {
        let strict = !self.relaxed_password_policy;
        let mut policies = json!({"PasswordPolicy": {
            "MinimumLength": self.password_min_length,
            "RequireUppercase": strict, "RequireLowercase": strict,
            "RequireNumbers": strict, "RequireSymbols": strict,
            "TemporaryPasswordValidityDays": 7,
        }});
        if !self.allowed_first_auth_factors.is_empty() {
            policies["SignInPolicy"] =
                json!({"AllowedFirstAuthFactors": self.allowed_first_auth_factors});
        }
        let mut m = json!({
            "PoolName": self.name,
            "Policies": policies,
            "MfaConfiguration": match self.mfa {
                MfaConfiguration::Off => "OFF",
                MfaConfiguration::Optional => "OPTIONAL",
                MfaConfiguration::On => "ON",
            },
            "AutoVerifiedAttributes": self.auto_verified_attributes,
        });
        if !self.required_attributes.is_empty() {
            let schema: Vec<Value> = self
                .required_attributes
                .iter()
                .map(|n| json!({"Name": n, "AttributeDataType": "String", "Required": true, "Mutable": true}))
                .collect();
            m["Schema"] = json!(schema);
        }
        if let Some((challenge, prompt)) = self.device_tracking {
            m["DeviceConfiguration"] = json!({
                "ChallengeRequiredOnNewDevice": challenge,
                "DeviceOnlyRememberedOnUserPrompt": prompt,
            });
        }
        if !self.username_attributes.is_empty() {
            m["UsernameAttributes"] = json!(self.username_attributes);
        }
        if !self.alias_attributes.is_empty() {
            m["AliasAttributes"] = json!(self.alias_attributes);
        }
        if self.custom_auth_trigger {
            let arn = "arn:aws:lambda:us-east-1:000000000000:function:emulator-builtin";
            m["LambdaConfig"] = json!({
                "DefineAuthChallenge": arn, "CreateAuthChallenge": arn,
                "VerifyAuthChallengeResponse": arn,
            });
        }
        if let Some(o) = m.as_object_mut() {
            for (k, v) in &self.extra {
                o.insert(k.clone(), v.clone());
            }
        }
        m
    }
}

/// A created pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolInfo {
    /// `{region}_{9 alphanumerics}`.
    pub pool_id: String,
    /// The pool's name.
    pub name: String,
    /// The issuer of its tokens.
    pub issuer: String,
}

/// Settings of a new app client (converted to a `CreateUserPoolClient` request).
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `ClientName`.
    pub name: String,
    /// `GenerateSecret`.
    pub generate_secret: bool,
    /// `ExplicitAuthFlows` (`ALLOW_*` names). Empty = every flow.
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors = ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// `RefreshTokenRotation.Feature = ENABLED`.
    pub refresh_token_rotation: bool,
    /// `RefreshTokenRotation.RetryGracePeriodSeconds`.
    pub retry_grace_period_seconds: u32,
    /// Access-token lifetime in seconds (default 3600).
    pub access_token_validity_secs: u64,
    /// ID-token lifetime in seconds (default 3600).
    pub id_token_validity_secs: u64,
    /// Refresh-token lifetime in seconds (default 30 days).
    pub refresh_token_validity_secs: u64,
    /// `AuthSessionValidity` in minutes (3–15, default 3).
    pub auth_session_validity_minutes: u32,
    /// `EnableTokenRevocation` (default true).
    pub enable_token_revocation: bool,
    /// Extra `CreateUserPoolClient` members merged into the request as given.
    pub extra: Map<String, Value>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            name: "test-client".to_string(),
            generate_secret: false,
            explicit_auth_flows: Vec::new(),
            prevent_user_existence_errors: false,
            refresh_token_rotation: false,
            retry_grace_period_seconds: 0,
            access_token_validity_secs: 3600,
            id_token_validity_secs: 3600,
            refresh_token_validity_secs: 30 * 86400,
            auth_session_validity_minutes: 3,
            enable_token_revocation: true,
            extra: Map::new(),
        }
    }
}

impl ClientConfig {
    /// The `CreateUserPoolClient` request body (without `UserPoolId`).
    pub fn to_request(&self) -> Value {
        let flows: Vec<String> = if self.explicit_auth_flows.is_empty() {
            [
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_CUSTOM_AUTH",
                "ALLOW_USER_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        } else {
            self.explicit_auth_flows.clone()
        };
        let mut m = json!({
            "ClientName": self.name,
            "GenerateSecret": self.generate_secret,
            "ExplicitAuthFlows": flows,
            "PreventUserExistenceErrors":
                if self.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
            "AccessTokenValidity": self.access_token_validity_secs,
            "IdTokenValidity": self.id_token_validity_secs,
            "RefreshTokenValidity": self.refresh_token_validity_secs,
            "TokenValidityUnits": {"AccessToken": "seconds", "IdToken": "seconds", "RefreshToken": "seconds"},
            "AuthSessionValidity": self.auth_session_validity_minutes,
            "EnableTokenRevocation": self.enable_token_revocation,
            "RefreshTokenRotation": {
                "Feature": if self.refresh_token_rotation { "ENABLED" } else { "DISABLED" },
                "RetryGracePeriodSeconds": self.retry_grace_period_seconds,
            },
        });
        if let Some(o) = m.as_object_mut() {
            for (k, v) in &self.extra {
                o.insert(k.clone(), v.clone());
            }
        }
        m
    }
}

/// A created app client.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client id.
    pub client_id: String,
    /// The client secret, when one was generated.
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for ClientInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientInfo")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// What an operation run by [`Shared::run_passes`] tells the triggers it reaches.
pub(crate) struct Pass<'a> {
    /// The operation's name (for events and message sources).
    pub op: &'a str,
    pub client_id: Option<&'a str>,
    pub client_metadata: Option<Value>,
    /// Run by the hosted sign-in pages (see [`Shared::dispatch_hosted`]).
    pub hosted: bool,
    /// The pre token generation source of the tokens it mints, when the operation does not
    /// choose one itself.
    pub token_source: Option<&'static str>,
}

/// Trigger invocations one operation may make before it is considered stuck.
const MAX_TRIGGER_PASSES: usize = 32;

/// State shared by the server tasks and the handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// The HTTP server's bounds (the body limit applies to [`Service::handle`] too).
    pub(crate) limits: ServerLimits,
}

/// The locked state. While it is held, the emulator's seeded generator (if any) is the source
/// of every random value drawn on this thread, so a seeded emulator is reproducible.
pub(crate) struct StateGuard<'a> {
    guard: MutexGuard<'a, State>,
}

impl std::ops::Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.guard
    }
}

impl std::ops::DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.guard
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        debug_assert!(
            std::thread::panicking() || self.guard.unsigned.is_empty(),
            "tokens minted under the lock must be signed by `Shared::dispatch`"
        );
        if let Some(rng) = util::take_rng() {
            self.guard.rng = Some(rng);
        }
    }
}

impl StateGuard<'_> {
    /// A copy of the state with the generator at its current position.
    pub(crate) fn clone_state(&self) -> State {
        let mut copy = (*self.guard).clone();
        if let Some(rng) = util::take_rng() {
            copy.rng = Some(rng.clone());
            util::install_rng(rng);
        }
        copy
    }
}

impl Shared {
    pub(crate) fn new(state: State) -> Shared {
        Shared {
            state: Mutex::new(state),
            limits: ServerLimits::default(),
        }
    }

    pub(crate) fn lock(&self) -> StateGuard<'_> {
        // A panic while holding the lock must not wedge the emulator for other tests.
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rng) = guard.rng.take() {
            util::install_rng(rng);
        }
        StateGuard { guard }
    }

    /// Runs one operation under the state lock, then signs the tokens it minted once the lock
    /// is released: RSA signing is most of a sign-in's CPU, and outside the lock requests are
    /// signed in parallel while others use the state. For the same reason the SRP arithmetic of
    /// a password-verifier answer runs before the lock is taken (`precompute_claim`).
    pub(crate) fn dispatch(
        &self,
        service: ops::Service,
        op: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        model::validate(service, op, body)?;
        self.dispatch_valid(service, op, body)
    }

    /// [`Shared::dispatch`] for a body that [`model::validate`] accepted.
    pub(crate) fn dispatch_valid(
        &self,
        service: ops::Service,
        op: &str,
        body: &serde_json::Map<String, Value>,
    ) -> Result<Value, ApiError> {
        self.dispatch_as(service, op, body, false)
    }

    /// An operation run by the hosted sign-in pages on the user's behalf (`hosted`): the
    /// operation skips the app client's `ExplicitAuthFlows` check and ends a successful
    /// sign-in without minting tokens (the OAuth layer issues an authorization code).
    pub(crate) fn dispatch_hosted(
        &self,
        op: &str,
        body: &Map<String, Value>,
    ) -> Result<Value, ApiError> {
        model::validate(ops::Service::UserPools, op, body)?;
        self.dispatch_as(ops::Service::UserPools, op, body, true)
    }

    fn dispatch_as(
        &self,
        service: ops::Service,
        op: &str,
        body: &Map<String, Value>,
        hosted: bool,
    ) -> Result<Value, ApiError> {
        let precomputed = match (service, op) {
            (ops::Service::UserPools, "RespondToAuthChallenge" | "AdminRespondToAuthChallenge") => {
                srp_server::precompute_claim(self, body)
            }
            _ => None,
        };
        let pass = Pass {
            op,
            client_id: body.get("ClientId").and_then(Value::as_str),
            client_metadata: body.get("ClientMetadata").cloned(),
            hosted,
            token_source: None,
        };
        self.run_passes(&pass, |st| {
            st.precomputed_claim = precomputed.clone();
            let result = ops::dispatch_valid(st, service, op, body);
            st.precomputed_claim = None;
            result
        })
    }

    /// Runs `f` under the state lock until it no longer stops at a trigger whose answer it
    /// needs (the trigger runs without the lock, then `f` runs again with every answer so
    /// far), then runs the deferred triggers and signs the minted tokens outside the lock.
    pub(crate) fn run_passes(
        &self,
        pass: &Pass<'_>,
        mut f: impl FnMut(&mut State) -> Result<Value, ApiError>,
    ) -> Result<Value, ApiError> {
        // An operation that reaches a trigger whose answer it needs stops there; the trigger
        // runs without the lock and the operation runs again with every answer so far.
        let mut answers = Vec::new();
        let mut restore: Vec<(String, state::AuthSession)> = Vec::new();
        let mut passes = 0;
        let (result, mut unsigned, deferred, at_hash) = loop {
            passes += 1;
            let mut st = self.lock();
            // Sign-in sessions the previous pass consumed before it stopped at a trigger.
            for (sid, sess) in std::mem::take(&mut restore) {
                if let state::Step::PasswordVerifier(hs) = &sess.step {
                    st.secret_blocks
                        .insert(hs.secret_block_b64.clone(), sid.clone());
                }
                st.sessions.insert(sid, sess);
            }
            st.trigger_run = triggers::Run {
                op: pass.op.to_string(),
                client_id: pass.client_id.map(str::to_string),
                client_metadata: pass.client_metadata.clone(),
                answers: std::mem::take(&mut answers),
                hosted: pass.hosted,
                token_source: pass.token_source,
                ..triggers::Run::default()
            };
            let result = f(&mut st);
            let mut run = std::mem::take(&mut st.trigger_run);
            let unsigned = std::mem::take(&mut st.unsigned);
            match run.pending.take() {
                Some(inv) if passes < MAX_TRIGGER_PASSES => {
                    drop(st);
                    // A failed trigger leaves the consumed session consumed, as any failed
                    // answer to a challenge does.
                    let answer = triggers::invoke(&inv)?;
                    restore = run.restore;
                    answers = run.answers;
                    answers.push((inv.trigger, answer));
                }
                Some(_) => {
                    return Err(api::internal(
                        "too many trigger invocations in one operation",
                    ));
                }
                None => break (result, unsigned, run.deferred, run.at_hash),
            }
        };
        let mut response = result?;
        triggers::run_deferred(self, deferred, &mut unsigned)?;
        tokens::link_at_hash(&mut unsigned, &at_hash);
        tokens::sign_all(&mut response, unsigned).map_err(api::internal)?;
        Ok(response)
    }

    pub(crate) fn messages(&self, username: Option<&str>) -> Vec<Message> {
        let st = self.lock();
        st.messages
            .iter()
            .filter(|m| username.is_none_or(|u| m.username == u || m.destination == u))
            .cloned()
            .collect()
    }

    pub(crate) fn inject_fault(&self, fault: Fault) {
        let remaining = fault.count;
        if remaining > 0 {
            self.lock().faults.push(FaultRule { fault, remaining });
        }
    }
}

/// Entry point: `Emulator::start().await`, `Emulator::start_blocking()` or
/// `Emulator::builder()`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder for host, port, region and seed.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts on 127.0.0.1 with a free port, on the current tokio runtime.
    ///
    /// The server runs as tasks of that runtime: talk to it with an async client, or use a
    /// multi-thread runtime when a blocking client runs on a runtime thread (a blocking call on
    /// a current-thread runtime would starve the server). [`Emulator::start_blocking`] has no
    /// such constraint.
    pub async fn start() -> io::Result<EmulatorHandle> {
        EmulatorBuilder::default().start().await
    }

    /// Starts on 127.0.0.1 with a free port, on a runtime thread of its own.
    pub fn start_blocking() -> io::Result<EmulatorHandle> {
        EmulatorBuilder::default().start_blocking()
    }
}

/// Configures an emulator before it starts.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    host: String,
    port: u16,
    region: String,
    seed: Option<Value>,
    rng_seed: Option<u64>,
    fixed_clock: Option<u64>,
    signing_keys: Option<SigningKeys>,
    limits: ServerLimits,
    lambda: triggers::LambdaSettings,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            host: "127.0.0.1".to_string(),
            port: 0,
            region: "us-east-1".to_string(),
            seed: None,
            rng_seed: None,
            fixed_clock: None,
            signing_keys: None,
            limits: ServerLimits::default(),
            lambda: triggers::LambdaSettings::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The address to bind (default `127.0.0.1`).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        self
    }

    /// The port (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The region used in new pool ids (default `us-east-1`).
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// A seed document (see the README) applied at start.
    pub fn seed(mut self, seed: Value) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Reads a seed document from a JSON file.
    pub fn seed_file(self, path: impl AsRef<std::path::Path>) -> io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(self.seed(v))
    }

    /// Draws every random value (pool and client ids, secrets, subs, codes, salts, SRP
    /// ephemerals, sessions, token ids, request ids) from a generator seeded with `seed`, and,
    /// unless [`EmulatorBuilder::signing_keys`] gives keys, signs every pool's tokens with the
    /// key pair of [`SigningKeys::from_seed`]`(seed)` (generated on first use). With a
    /// [`EmulatorBuilder::fixed_clock`], the same requests then get the same answers.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Starts the emulator clock at `unix_secs` instead of the wall clock; it then moves only
    /// through [`Service::advance_clock`] or the clock hook.
    pub fn fixed_clock(mut self, unix_secs: u64) -> Self {
        self.fixed_clock = Some(unix_secs.min(state::MAX_CLOCK_OFFSET));
        self
    }

    /// Signs every pool's tokens with `keys` instead of generating keys per pool.
    pub fn signing_keys(mut self, keys: SigningKeys) -> Self {
        self.signing_keys = Some(keys);
        self
    }

    /// Bounds on connections, timeouts and request sizes (see [`ServerLimits`] for the
    /// defaults). Values out of range are brought into it (at least one connection, nonzero
    /// timeouts, at least 8 KiB of headers).
    pub fn limits(mut self, limits: ServerLimits) -> Self {
        self.limits = limits.sanitized();
        self
    }

    /// Sends the events of the triggers named in pools' `LambdaConfig` to a server speaking
    /// the AWS Lambda Invoke API (`sam local start-lambda`, LocalStack, ...), e.g.
    /// `http://127.0.0.1:3001`: `POST {url}/2015-03-31/functions/{FunctionName}/invocations`,
    /// the function name taken from the ARN. Without it, a configured trigger (other than the
    /// custom-auth trio, which falls back to the built-in scenario) fails the operation with
    /// `UnexpectedLambdaException`, unless a Rust handler is registered with
    /// [`Service::set_trigger`].
    pub fn lambda_endpoint(mut self, url: &str) -> Self {
        self.lambda.endpoint = Some(url.trim_end_matches('/').to_string());
        self
    }

    /// How long a trigger may take (default 5 s, AWS's fixed limit; raise it to step through a
    /// handler in a debugger). A slower answer fails the operation with
    /// `UnexpectedLambdaException`.
    pub fn lambda_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.lambda.timeout = timeout;
        self
    }

    /// The emulator without a server: requests go to [`Service::handle`].
    pub fn build_service(self) -> io::Result<Service> {
        Ok(Service {
            shared: self.shared()?,
        })
    }

    fn shared(&self) -> io::Result<Arc<Shared>> {
        let mut state = State::new(self.region.clone());
        state.fixed_clock = self.fixed_clock;
        state.lambda = self.lambda.clone();
        state.rng = self.rng_seed.map(util::SeededRng::new);
        state.fixed_keys = match (&self.signing_keys, self.rng_seed) {
            (Some(k), _) => Some(k.0.clone()),
            (None, Some(seed)) => Some(tokens::lazy_keys(Some(seed))),
            (None, None) => None,
        };
        let mut shared = Shared::new(state);
        shared.limits = self.limits.clone();
        let shared = Arc::new(shared);
        if let Some(seed) = &self.seed {
            let mut st = shared.lock();
            seed::apply(&mut st, seed)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        }
        Ok(shared)
    }

    /// Starts on the current tokio runtime.
    pub async fn start(self) -> io::Result<EmulatorHandle> {
        let shared = self.shared()?;
        let listener = listen(&self.host, self.port)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(serve(listener, shared.clone(), rx));
        Ok(EmulatorHandle {
            service: Service { shared },
            addr,
            host: self.host,
            stop: Some(tx),
            thread: None,
        })
    }

    /// Starts on a runtime thread of its own (for blocking tests and the binary).
    pub fn start_blocking(self) -> io::Result<EmulatorHandle> {
        let shared = self.shared()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = {
            let _in_runtime = runtime.enter();
            listen(&self.host, self.port)?
        };
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let srv_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("cognito-emulator".into())
            .spawn(move || {
                runtime.block_on(serve(listener, srv_shared, rx));
                runtime.shutdown_background();
            })?;
        Ok(EmulatorHandle {
            service: Service { shared },
            addr,
            host: self.host,
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

/// Length of the queue of connections the kernel completed and the server has not accepted
/// yet (capped by `net.core.somaxconn`). The standard library and tokio ask for 128, which a
/// burst of clients connecting at once overflows: the kernel then drops their handshakes and
/// they see resets and timeouts.
const LISTEN_BACKLOG: u32 = 4096;

/// Binds `host:port` (the first address it resolves to that binds), with [`LISTEN_BACKLOG`].
/// Needs a tokio runtime context.
fn listen(host: &str, port: u16) -> io::Result<tokio::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to bind");
    for addr in (host, port).to_socket_addrs()? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As `TcpListener::bind` does on Unix: a restarted emulator can take its port back at
        // once (on Windows the option would let another socket share the port).
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(addr) {
            Ok(()) => return socket.listen(LISTEN_BACKLOG),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // One permit per connection, taken before `accept`: at the cap the server stops
    // accepting and new connections wait in the listen queue until one closes.
    let slots = Arc::new(tokio::sync::Semaphore::new(shared.limits.max_connections));
    loop {
        let permit = tokio::select! {
            _ = stop.changed() => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                tokio::spawn(server::serve_connection(
                    stream,
                    shared.clone(),
                    permit,
                    stop.clone(),
                ));
            }
        }
    }
}

/// A running emulator. Dropping it stops the server.
///
/// Everything of [`Service`] (creating pools and users, messages, clock, faults, in-process
/// calls) is available on the handle through `Deref`.
pub struct EmulatorHandle {
    service: Service,
    addr: SocketAddr,
    host: String,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish()
    }
}

impl EmulatorHandle {
    /// The endpoint, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("http://{host}:{}", self.addr.port())
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The socket-free request handling of this emulator (the same state as its server).
    pub fn service(&self) -> Service {
        self.service.clone()
    }

    /// Stops the server now (dropping the handle does the same).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::ops::Deref for EmulatorHandle {
    type Target = Service;
    fn deref(&self) -> &Service {
        &self.service
    }
}

impl Service {
    /// Runs one operation in process, exactly as `POST /` would (no HTTP, no faults, not
    /// counted).
    pub fn call(&self, operation: &str, body: Value) -> Result<Value, ApiError> {
        let Value::Object(m) = body else {
            return Err(ApiError::new(
                "SerializationException",
                "request body must be a JSON object",
            ));
        };
        self.shared.dispatch(ops::Service::UserPools, operation, &m)
    }

    /// Creates a user pool.
    pub fn create_pool(&self, config: PoolConfig) -> Result<PoolInfo, ApiError> {
        let out = self.call("CreateUserPool", config.to_request())?;
        let id = out["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let st = self.shared.lock();
        let pool = st.pool(&id)?;
        Ok(PoolInfo {
            pool_id: id.clone(),
            name: pool.name.clone(),
            issuer: pool.issuer(),
        })
    }

    /// Creates an identity pool that trusts the app client `client_id` of the user pool
    /// `user_pool_id`, admits guests when `allow_guests`, and has an authenticated and an
    /// unauthenticated role (`arn:aws:iam::123456789012:role/emulator-{authenticated,
    /// unauthenticated}`); returns its id.
    pub fn create_identity_pool(
        &self,
        user_pool_id: &str,
        client_id: &str,
        allow_guests: bool,
    ) -> Result<String, ApiError> {
        let region = user_pool_id.split('_').next().unwrap_or("us-east-1");
        let call = |op: &str, body: Value| {
            let m = body.as_object().cloned().unwrap_or_default();
            self.shared.dispatch(ops::Service::Identity, op, &m)
        };
        let out = call(
            "CreateIdentityPool",
            json!({
                "IdentityPoolName": "emulator_identities",
                "AllowUnauthenticatedIdentities": allow_guests,
                "CognitoIdentityProviders": [{
                    "ProviderName": format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
                    "ClientId": client_id,
                }],
            }),
        )?;
        let id = out["IdentityPoolId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        call(
            "SetIdentityPoolRoles",
            json!({
                "IdentityPoolId": id,
                "Roles": {
                    "authenticated": "arn:aws:iam::123456789012:role/emulator-authenticated",
                    "unauthenticated": "arn:aws:iam::123456789012:role/emulator-unauthenticated",
                },
            }),
        )?;
        Ok(id)
    }

    /// Creates an app client in a pool.
    pub fn create_client(
        &self,
        pool_id: &str,
        config: ClientConfig,
    ) -> Result<ClientInfo, ApiError> {
        let mut req = config.to_request();
        req["UserPoolId"] = json!(pool_id);
        let out = self.call("CreateUserPoolClient", req)?;
        let c = &out["UserPoolClient"];
        Ok(ClientInfo {
            client_id: c["ClientId"].as_str().unwrap_or_default().to_string(),
            client_secret: c["ClientSecret"].as_str().map(str::to_string),
        })
    }

    /// Creates a CONFIRMED user with a permanent password; returns its `sub`. Its e-mail and
    /// phone number are marked verified, except one that is already another user's verified
    /// sign-in alias (an alias belongs to one user), which stays unverified.
    pub fn create_user(
        &self,
        pool_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let attrs: Vec<Value> = attributes
            .iter()
            .map(|(n, v)| json!({"Name": n, "Value": v}))
            .collect();
        let out = self.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "UserAttributes": attrs,
                   "MessageAction": "SUPPRESS"}),
        )?;
        let internal = out["User"]["Username"]
            .as_str()
            .unwrap_or(username)
            .to_string();
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": internal, "Password": password,
                   "Permanent": true}),
        )?;
        let mut st = self.shared.lock();
        let pool = st.pool_mut(pool_id)?;
        state::verify_contacts(pool, &internal)?;
        Ok(pool.user(&internal)?.sub.clone())
    }

    /// Every delivered message, oldest first; with `Some(u)`, only those whose internal
    /// username or destination is `u`.
    pub fn messages(&self, username: Option<&str>) -> Vec<Message> {
        self.shared.messages(username)
    }

    /// The newest code of `kind` sent to `username` (internal username or destination).
    pub fn last_code(&self, username: &str, kind: MessageKind) -> Option<String> {
        self.messages(Some(username))
            .into_iter()
            .rev()
            .find(|m| m.kind == kind.as_str())
            .map(|m| m.code)
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&self, secs: u64) {
        let mut st = self.shared.lock();
        st.clock_offset = st
            .clock_offset
            .saturating_add(secs)
            .min(crate::state::MAX_CLOCK_OFFSET);
    }

    /// The emulator clock in epoch seconds (use it for TIMESTAMP and TOTP in tests).
    pub fn now(&self) -> u64 {
        self.shared.lock().now()
    }

    /// Queues a fault for upcoming calls.
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.inject_fault(fault);
    }

    /// Forgets every pool, client, user, session, token, message, fault and count (the
    /// clock keeps its offset).
    pub fn reset(&self) {
        self.shared.lock().reset();
    }

    /// How many HTTP calls of `operation` arrived (faulted ones included). InitiateAuth is
    /// also counted per flow as `InitiateAuth:<AuthFlow>`.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.shared
            .lock()
            .counts
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// Plugs custom-auth closures into a pool (and enables CUSTOM_AUTH on it): the
    /// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse handlers of
    /// [`Service::set_trigger`], with typed inputs and outputs.
    pub fn set_custom_auth(&self, pool_id: &str, hooks: CustomAuth) -> Result<(), ApiError> {
        for (trigger, handler) in hooks.handlers() {
            self.set_handler(pool_id, trigger, handler)?;
        }
        Ok(())
    }

    /// Runs `handler` as the pool's `trigger`, whatever its `LambdaConfig` says: it receives
    /// the event AWS sends to the Lambda function (`version`, `triggerSource`, `region`,
    /// `userPoolId`, `userName`, `callerContext`, `request`, `response`) and returns it with
    /// `response` filled in, or `Err(message)` as a function that threw. Handlers run without
    /// the emulator's lock: they may call the emulator.
    ///
    /// ```no_run
    /// use cognito_emulator::{Emulator, PoolConfig, Trigger};
    /// let emu = Emulator::start_blocking()?;
    /// let pool = emu.create_pool(PoolConfig::default())?;
    /// emu.set_trigger(&pool.pool_id, Trigger::PreSignUp, |event| {
    ///     let mut event = event.clone();
    ///     event["response"]["autoConfirmUser"] = true.into();
    ///     Ok(event)
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_trigger(
        &self,
        pool_id: &str,
        trigger: Trigger,
        handler: impl Fn(&Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Result<(), ApiError> {
        self.set_handler(pool_id, trigger, Arc::new(handler))
    }

    fn set_handler(
        &self,
        pool_id: &str,
        trigger: Trigger,
        handler: Arc<TriggerFn>,
    ) -> Result<(), ApiError> {
        let mut st = self.shared.lock();
        st.pool(pool_id)?;
        st.handlers
            .entry(pool_id.to_string())
            .or_default()
            .insert(trigger, handler);
        Ok(())
    }

    /// Removes the Rust handler of a pool's trigger (its `LambdaConfig`, if any, applies
    /// again).
    pub fn clear_trigger(&self, pool_id: &str, trigger: Trigger) {
        let mut st = self.shared.lock();
        if let Some(h) = st.handlers.get_mut(pool_id) {
            h.remove(&trigger);
        }
    }
}

/// Gives `pool_id` a new key pair (generated outside the state lock); returns the new
/// `kid`s (ID key, access key).
pub(crate) fn rotate_keys(shared: &Shared, pool_id: &str) -> Result<(String, String), ApiError> {
    let lazy = tokens::lazy_keys(None);
    let keys = tokens::keys(&lazy).map_err(api::internal)?;
    let kids = (keys.id.kid.clone(), keys.access.kid.clone());
    shared.lock().pool_mut(pool_id)?.keys = lazy;
    Ok(kids)
}

/// A token with `claims`, signed by `pool_id`'s ID or access key (header overrides applied).
pub(crate) fn sign_token(
    shared: &Shared,
    pool_id: &str,
    access: bool,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Result<String, ApiError> {
    let lazy = shared.lock().pool(pool_id)?.keys.clone();
    let key_use = if access {
        tokens::KeyUse::Access
    } else {
        tokens::KeyUse::Id
    };
    tokens::sign_custom(&lazy, key_use, header, claims).map_err(api::internal)
}

impl Service {
    /// Gives the pool a new signing key pair, as `POST /_emulator/rotate-keys` does: its JWKS
    /// then lists only the new keys, and tokens signed before no longer verify. Returns the
    /// new `kid`s (ID key, access key).
    pub fn rotate_keys(&self, pool_id: &str) -> Result<(String, String), ApiError> {
        rotate_keys(&self.shared, pool_id)
    }

    /// A token with `claims` signed by the pool's ID key (or access key when `access`), as
    /// `POST /_emulator/sign` does: the header is `{"kid", "alg": "RS256"}` with `header`'s
    /// fields applied (`null` removes one). For testing token verifiers.
    pub fn sign_token(
        &self,
        pool_id: &str,
        access: bool,
        header: &Map<String, Value>,
        claims: &Map<String, Value>,
    ) -> Result<String, ApiError> {
        sign_token(&self.shared, pool_id, access, header, claims)
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
