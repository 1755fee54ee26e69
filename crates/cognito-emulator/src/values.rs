//! The values of the handle's API: pool and client settings and what creating them returns,
//! delivered messages, injected faults, and the triggers a Rust closure can stand in for.

use serde::Serialize;
use serde_json::{Map, Value, json};

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
    /// `UsernameConfiguration.CaseSensitive` (default false: usernames, e-mail and
    /// `preferred_username` aliases match in any letter case, the setting AWS recommends and
    /// the console picks). A `CreateUserPool` request without `UsernameConfiguration`, as
    /// from a seed or configuration file, makes a case-sensitive pool, as in AWS.
    pub case_sensitive: bool,
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
            case_sensitive: false,
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
            "UsernameConfiguration": {"CaseSensitive": self.case_sensitive},
        });
        if !self.required_attributes.is_empty() {
            // No AttributeDataType: a standard attribute keeps its own (updated_at is a Number).
            let schema: Vec<Value> = self
                .required_attributes
                .iter()
                .map(|n| json!({"Name": n, "Required": true, "Mutable": true}))
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
    /// `ExplicitAuthFlows` (`ALLOW_*` names). Empty = every flow. A list must include
    /// `ALLOW_REFRESH_TOKEN_AUTH`, as AWS requires.
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors = ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// `RefreshTokenRotation.Feature = ENABLED`.
    pub refresh_token_rotation: bool,
    /// `RefreshTokenRotation.RetryGracePeriodSeconds`.
    pub retry_grace_period_seconds: u32,
    /// Access-token lifetime in seconds (default 3600; AWS accepts 300 to 86400).
    pub access_token_validity_secs: u64,
    /// ID-token lifetime in seconds (default 3600; AWS accepts 300 to 86400).
    pub id_token_validity_secs: u64,
    /// Refresh-token lifetime in seconds (default 30 days; AWS accepts 60 minutes to 10
    /// years).
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

/// AWS's limit on a trigger's answer.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A user-pool trigger, named as its `LambdaConfig` member (and as AWS's error messages name
/// it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trigger {
    /// `PreSignUp`.
    PreSignUp,
    /// `CustomMessage`.
    CustomMessage,
    /// `PostConfirmation`.
    PostConfirmation,
    /// `PreAuthentication`.
    PreAuthentication,
    /// `PostAuthentication`.
    PostAuthentication,
    /// `DefineAuthChallenge`.
    DefineAuthChallenge,
    /// `CreateAuthChallenge`.
    CreateAuthChallenge,
    /// `VerifyAuthChallengeResponse`.
    VerifyAuthChallengeResponse,
    /// `PreTokenGeneration` (or `PreTokenGenerationConfig`).
    PreTokenGeneration,
    /// `UserMigration`.
    UserMigration,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: [Trigger; 10] = [
        Trigger::PreSignUp,
        Trigger::CustomMessage,
        Trigger::PostConfirmation,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::DefineAuthChallenge,
        Trigger::CreateAuthChallenge,
        Trigger::VerifyAuthChallengeResponse,
        Trigger::PreTokenGeneration,
        Trigger::UserMigration,
    ];

    /// The `LambdaConfig` member name.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::UserMigration => "UserMigration",
        }
    }

    /// Parses a `LambdaConfig` member name.
    pub fn from_name(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub(crate) fn is_custom_auth(self) -> bool {
        matches!(
            self,
            Trigger::DefineAuthChallenge
                | Trigger::CreateAuthChallenge
                | Trigger::VerifyAuthChallengeResponse
        )
    }
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trigger written in Rust: receives the event AWS would send to the Lambda function and
/// returns it with `response` filled in, or `Err(message)` as a function that threw
/// (`UserLambdaValidationException: <Trigger> failed with error <message>.`).
pub type TriggerFn = dyn Fn(&serde_json::Value) -> Result<Value, String> + Send + Sync;
