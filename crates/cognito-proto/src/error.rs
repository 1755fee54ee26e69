//! Errors of the core: service errors decoded from Cognito's error responses, protocol errors
//! (a response that is not what the protocol promises), invalid input and API misuse, all in
//! [`CoreError`].
//!
//! Service errors follow the awsJson 1.1 rule (docs/protocol.md#14-error-responses): the error type is the first
//! present value of the `x-amzn-ErrorType` header, the body's `code` or the body's `__type`, cut
//! at the first `:` and, when it contains `#`, reduced to the part after the first `#`.

use std::borrow::Cow;
use std::fmt;

use zeroize::Zeroize;

use crate::ops::ChallengeName;
use crate::session::TokenError;
use crate::srp::SrpError;

/// The one error type of the core.
///
/// Transport errors (connection refused, timeouts) belong to the driver crates. `Clone`, so
/// that one failed refresh can be handed to every caller that waited on it. Every variant
/// names what failed (the operation, the challenge, the parameter, the HTTP status) in fields,
/// so that callers match on values, never on message text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoreError {
    /// Cognito (or an emulator) answered with a well-formed error response.
    Service(ServiceError),
    /// The response does not follow the protocol: an error without a type (an HTML page from
    /// a gateway, an empty body), a body that is not JSON, a success body that does not parse
    /// as the operation's output, or a member the flow needs missing or invalid.
    InvalidResponse {
        /// Name of the operation whose response this was (`InitiateAuth`).
        operation: &'static str,
        /// HTTP status of the response (0 when the problem was found after decoding).
        status: u16,
        /// `x-amzn-RequestId` of the response, when present.
        request_id: Option<String>,
        /// What is wrong with it.
        problem: ResponseProblem,
        /// The raw response body, kept for diagnosis. It may contain tokens, so its `Debug`
        /// output shows only its length and it is wiped on drop.
        body: RawBody,
    },
    /// A challenge arrived with a parameter the flow needs missing, empty or malformed.
    ChallengeParameter {
        /// The operation that returned the challenge.
        operation: &'static str,
        /// The challenge (`PASSWORD_VERIFIER`, `SELECT_MFA_TYPE`, ...).
        challenge: ChallengeName,
        /// The parameter (`SRP_B`, `MFAS_CAN_CHOOSE`, ...).
        parameter: String,
        /// What is wrong with it.
        problem: ParameterProblem,
    },
    /// The server sent a challenge the flow cannot answer at this point (for example
    /// `PASSWORD_VERIFIER` to a flow that sent no `SRP_A`, or any challenge to a refresh).
    UnexpectedChallenge {
        /// The operation that returned the challenge.
        operation: &'static str,
        /// The challenge.
        challenge: ChallengeName,
        /// Why it does not fit (no secret values).
        reason: &'static str,
    },
    /// A token in a response could not be decoded.
    InvalidToken {
        /// The operation whose response carried it.
        operation: &'static str,
        /// Why it could not be decoded.
        error: TokenError,
    },
    /// A server SRP value was refused (bad hex or base64, `B mod N = 0`, `u = 0`, ...).
    Srp(SrpError),
    /// The caller passed an invalid value.
    InvalidInput {
        /// Which argument (`username`, `endpoint`, `user_pool_id`, `paused`, ...).
        parameter: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A sign-in step got an answer of another kind (a code where a new password is asked
    /// for, say). The flow is unchanged: answer again with the right kind.
    AnswerMismatch {
        /// The step waiting (`ConfirmWithTotpCode`, `NewPasswordRequired`, ...).
        step: &'static str,
        /// The answer given (`Code`, `NewPassword`, ...).
        answer: &'static str,
    },
    /// The API was used in a way its contract does not allow (for example a response fed to a
    /// flow that is not waiting for one).
    Misuse(Cow<'static, str>),
}

/// What is wrong with a response ([`CoreError::InvalidResponse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// An error status whose body names no error type: not JSON (an HTML page from a
    /// gateway or proxy), empty, or JSON without `__type` or `code`.
    UntypedError {
        /// What the body was, without quoting it.
        detail: String,
    },
    /// A success body that is not JSON or does not match the operation's output.
    MalformedBody {
        /// Where parsing stopped and why (member names only, never values).
        detail: String,
    },
    /// A member the flow needs is absent (`AuthenticationResult`, `SecretCode`, ...).
    MissingMember {
        /// The member's wire name.
        member: &'static str,
    },
    /// A member is present but unusable (an empty token, a negative `ExpiresIn`, tokens of
    /// another user).
    InvalidMember {
        /// The member's wire name.
        member: &'static str,
        /// Why it is unusable.
        reason: &'static str,
    },
}

impl fmt::Display for ResponseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseProblem::UntypedError { detail }
            | ResponseProblem::MalformedBody { detail } => f.write_str(detail),
            ResponseProblem::MissingMember { member } => write!(f, "{member} is missing"),
            ResponseProblem::InvalidMember { member, reason } => {
                write!(f, "{member} is invalid: {reason}")
            }
        }
    }
}

/// What is wrong with a challenge parameter ([`CoreError::ChallengeParameter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterProblem {
    /// Absent.
    Missing,
    /// Present but empty.
    Empty,
    /// Present but not of the expected form (not a JSON array of strings, say).
    Malformed,
}

impl fmt::Display for ParameterProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParameterProblem::Missing => "missing",
            ParameterProblem::Empty => "empty",
            ParameterProblem::Malformed => "malformed",
        })
    }
}

/// The core's error under its former name, so that code written against it keeps building.
#[doc(hidden)]
pub type Error = CoreError;

impl CoreError {
    /// A response member the flow needs is absent (found after decoding: no status, no body).
    pub fn missing_member(operation: &'static str, member: &'static str) -> Self {
        CoreError::InvalidResponse {
            operation,
            status: 0,
            request_id: None,
            problem: ResponseProblem::MissingMember { member },
            body: RawBody::default(),
        }
    }

    /// A response member is present but unusable (found after decoding).
    pub fn invalid_member(
        operation: &'static str,
        member: &'static str,
        reason: &'static str,
    ) -> Self {
        CoreError::InvalidResponse {
            operation,
            status: 0,
            request_id: None,
            problem: ResponseProblem::InvalidMember { member, reason },
            body: RawBody::default(),
        }
    }

    /// An API misuse error.
    pub fn misuse(what: impl Into<Cow<'static, str>>) -> Self {
        CoreError::Misuse(what.into())
    }

    /// An invalid-input error about the argument `parameter`.
    pub fn invalid_input(parameter: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        CoreError::InvalidInput {
            parameter,
            reason: reason.into(),
        }
    }

    /// Whether sending the same request again later may succeed (docs/protocol.md#16-retries):
    /// `TooManyRequestsException`, `InternalErrorException` and HTTP 429, 500, 502, 503 and
    /// 504. `LimitExceededException` is a per-user quota lasting minutes and is **not**
    /// retryable. Whether a retry is *safe* also depends on the operation
    /// ([`crate::envelope::PreparedRequest::idempotent`]); that decision belongs to the driver.
    pub fn is_retryable(&self) -> bool {
        match self {
            CoreError::Service(e) => e.is_retryable(),
            CoreError::InvalidResponse { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    /// The service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            CoreError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The service error kind, if this is a service error.
    pub fn service_kind(&self) -> Option<&ServiceErrorKind> {
        self.as_service().map(|e| &e.kind)
    }

    /// The service's error code as sent (`NotAuthorizedException`), if this is a service
    /// error. Also set for codes this version has no [`ServiceErrorKind`] for.
    pub fn service_code(&self) -> Option<&str> {
        self.service_kind().map(ServiceErrorKind::as_str)
    }

    /// The HTTP status of the response that caused this error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            CoreError::Service(e) => Some(e.status),
            CoreError::InvalidResponse { status, .. } if *status != 0 => Some(*status),
            _ => None,
        }
    }

    /// The challenge this error is about, when it is about one.
    pub fn challenge(&self) -> Option<&ChallengeName> {
        match self {
            CoreError::ChallengeParameter { challenge, .. }
            | CoreError::UnexpectedChallenge { challenge, .. } => Some(challenge),
            _ => None,
        }
    }

    /// The `x-amzn-RequestId` of the response that caused this error, when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            CoreError::Service(e) => e.request_id.as_deref(),
            CoreError::InvalidResponse { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Service(e) => fmt::Display::fmt(e, f),
            CoreError::InvalidResponse {
                operation,
                status,
                problem,
                ..
            } => {
                if *status == 0 {
                    write!(f, "invalid {operation} response: {problem}")
                } else {
                    write!(f, "invalid {operation} response (HTTP {status}): {problem}")
                }
            }
            CoreError::ChallengeParameter {
                operation,
                challenge,
                parameter,
                problem,
            } => write!(
                f,
                "invalid {operation} response: challenge {challenge}: parameter {parameter} is {problem}"
            ),
            CoreError::UnexpectedChallenge {
                operation,
                challenge,
                reason,
            } => write!(
                f,
                "unexpected challenge {challenge} in the {operation} response: {reason}"
            ),
            CoreError::InvalidToken { operation, error } => {
                write!(f, "invalid token in the {operation} response: {error}")
            }
            CoreError::Srp(e) => write!(f, "SRP error: {e}"),
            CoreError::InvalidInput { parameter, reason } => {
                write!(f, "invalid input: {parameter}: {reason}")
            }
            CoreError::AnswerMismatch { step, answer } => {
                write!(f, "answer {answer} does not fit the step {step}")
            }
            CoreError::Misuse(what) => write!(f, "API misuse: {what}"),
        }
    }
}

impl std::error::Error for CoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CoreError::Service(e) => Some(e),
            CoreError::Srp(e) => Some(e),
            CoreError::InvalidToken { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<SrpError> for CoreError {
    fn from(e: SrpError) -> Self {
        CoreError::Srp(e)
    }
}

impl From<ServiceError> for CoreError {
    fn from(e: ServiceError) -> Self {
        CoreError::Service(e)
    }
}

/// A raw response body kept inside a protocol error. `Debug` prints only its length; the bytes
/// are wiped when it is dropped, because a body that failed to parse may still hold tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(Vec<u8>);

impl RawBody {
    /// Wrap the bytes of a body.
    pub fn new(bytes: Vec<u8>) -> Self {
        RawBody(bytes)
    }

    /// The bytes of the body.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length of the body in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({} bytes)", self.0.len())
    }
}

impl Drop for RawBody {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// An error response from the service, decoded per docs/protocol.md#14-error-responses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// The error type (`NotAuthorizedException` → [`ServiceErrorKind::NotAuthorized`]).
    pub kind: ServiceErrorKind,
    /// The message: body `message`, else body `Message`, else the `x-amzn-ErrorMessage` header.
    pub message: Option<String>,
    /// The body's `reasonCode` (sent with some `InvalidParameterException`s).
    pub reason_code: Option<String>,
    /// The `x-amzn-RequestId` response header.
    pub request_id: Option<String>,
    /// The HTTP status code.
    pub status: u16,
}

impl ServiceError {
    /// A service error with a kind and message, status 400 and no request id (handy in tests
    /// and in code that reasons about errors).
    pub fn new(kind: ServiceErrorKind, message: impl Into<String>) -> Self {
        ServiceError {
            kind,
            message: Some(message.into()),
            reason_code: None,
            request_id: None,
            status: 400,
        }
    }

    /// The message, or `""` when the response had none.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// See [`CoreError::is_retryable`].
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ServiceErrorKind::TooManyRequests | ServiceErrorKind::InternalError => true,
            // An error type this version does not know: judge by the status.
            ServiceErrorKind::Unknown(_) => is_retryable_status(self.status),
            // Every other named error (NotAuthorized, LimitExceeded, CodeMismatch, ...) is the
            // service's answer, not a transient failure, whatever status carried it
            // (known client bug docs/protocol.md#pitfall-22): a NotAuthorized behind a 500 must not be retried.
            _ => false,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(m) if !m.is_empty() => write!(f, "{}: {}", self.kind.as_str(), m),
            _ => f.write_str(self.kind.as_str()),
        }
    }
}

impl std::error::Error for ServiceError {}

macro_rules! service_error_kinds {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// The type of a service error, from the `__type` / `x-amzn-ErrorType` name.
        ///
        /// Forward compatible: a name this version does not know is kept in
        /// [`ServiceErrorKind::Unknown`].
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ServiceErrorKind {
            $($(#[$doc])* $variant,)*
            /// An error type this version does not know (the sanitised name, as sent).
            Unknown(String),
        }

        impl ServiceErrorKind {
            /// The wire name, for example `NotAuthorizedException`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ServiceErrorKind::$variant => $wire,)*
                    ServiceErrorKind::Unknown(s) => s,
                }
            }

            /// The kind for a sanitised wire name (see [`sanitize_error_code`]).
            pub fn from_code(code: &str) -> Self {
                match code {
                    $($wire => ServiceErrorKind::$variant,)*
                    other => ServiceErrorKind::Unknown(other.to_owned()),
                }
            }
        }
    };
}

service_error_kinds! {
    /// `NotAuthorizedException`: wrong credentials, expired session or token, revoked token.
    NotAuthorized = "NotAuthorizedException",
    /// `UserNotFoundException`.
    UserNotFound = "UserNotFoundException",
    /// `UserNotConfirmedException`: run `ConfirmSignUp`.
    UserNotConfirmed = "UserNotConfirmedException",
    /// `PasswordResetRequiredException`: run `ForgotPassword`.
    PasswordResetRequired = "PasswordResetRequiredException",
    /// `UsernameExistsException`.
    UsernameExists = "UsernameExistsException",
    /// `AliasExistsException`.
    AliasExists = "AliasExistsException",
    /// `CodeMismatchException`: wrong code.
    CodeMismatch = "CodeMismatchException",
    /// `ExpiredCodeException`.
    ExpiredCode = "ExpiredCodeException",
    /// `InvalidPasswordException`: password policy.
    InvalidPassword = "InvalidPasswordException",
    /// `PasswordHistoryPolicyViolationException`.
    PasswordHistoryPolicyViolation = "PasswordHistoryPolicyViolationException",
    /// `InvalidParameterException`.
    InvalidParameter = "InvalidParameterException",
    /// `ResourceNotFoundException` (unknown client, pool or device).
    ResourceNotFound = "ResourceNotFoundException",
    /// `LimitExceededException`: a per-user quota; not retryable automatically.
    LimitExceeded = "LimitExceededException",
    /// `TooManyRequestsException`: request-rate throttling; retryable.
    TooManyRequests = "TooManyRequestsException",
    /// `TooManyFailedAttemptsException`.
    TooManyFailedAttempts = "TooManyFailedAttemptsException",
    /// `InternalErrorException`: server fault; retryable.
    InternalError = "InternalErrorException",
    /// `InvalidUserPoolConfigurationException`.
    InvalidUserPoolConfiguration = "InvalidUserPoolConfigurationException",
    /// `MFAMethodNotFoundException`.
    MfaMethodNotFound = "MFAMethodNotFoundException",
    /// `SoftwareTokenMFANotFoundException`.
    SoftwareTokenMfaNotFound = "SoftwareTokenMFANotFoundException",
    /// `EnableSoftwareTokenMFAException`.
    EnableSoftwareTokenMfa = "EnableSoftwareTokenMFAException",
    /// `UserLambdaValidationException`.
    UserLambdaValidation = "UserLambdaValidationException",
    /// `UnexpectedLambdaException`.
    UnexpectedLambda = "UnexpectedLambdaException",
    /// `InvalidLambdaResponseException`.
    InvalidLambdaResponse = "InvalidLambdaResponseException",
    /// `CodeDeliveryFailureException`.
    CodeDeliveryFailure = "CodeDeliveryFailureException",
    /// `InvalidSmsRoleAccessPolicyException`.
    InvalidSmsRoleAccessPolicy = "InvalidSmsRoleAccessPolicyException",
    /// `InvalidSmsRoleTrustRelationshipException`.
    InvalidSmsRoleTrustRelationship = "InvalidSmsRoleTrustRelationshipException",
    /// `InvalidEmailRoleAccessPolicyException`.
    InvalidEmailRoleAccessPolicy = "InvalidEmailRoleAccessPolicyException",
    /// `ForbiddenException`: blocked by AWS WAF.
    Forbidden = "ForbiddenException",
    /// `OperationNotEnabledException`.
    OperationNotEnabled = "OperationNotEnabledException",
    /// `FeatureUnavailableInTierException`.
    FeatureUnavailableInTier = "FeatureUnavailableInTierException",
    /// `UnsupportedOperationException`.
    UnsupportedOperation = "UnsupportedOperationException",
    /// `UnsupportedTokenTypeException` (`RevokeToken` with a non-refresh token).
    UnsupportedTokenType = "UnsupportedTokenTypeException",
    /// `UnauthorizedException` (`RevokeToken` with a wrong client secret).
    Unauthorized = "UnauthorizedException",
    /// `RefreshTokenReuseException` (rotated refresh token reused).
    RefreshTokenReuse = "RefreshTokenReuseException",
    /// `ConcurrentModificationException`.
    ConcurrentModification = "ConcurrentModificationException",
    /// `DeviceKeyExistsException`.
    DeviceKeyExists = "DeviceKeyExistsException",
    /// `WebAuthnNotEnabledException`.
    WebAuthnNotEnabled = "WebAuthnNotEnabledException",
    /// `WebAuthnConfigurationMissingException`.
    WebAuthnConfigurationMissing = "WebAuthnConfigurationMissingException",
    /// `WebAuthnChallengeNotFoundException`.
    WebAuthnChallengeNotFound = "WebAuthnChallengeNotFoundException",
    /// `WebAuthnRelyingPartyMismatchException`.
    WebAuthnRelyingPartyMismatch = "WebAuthnRelyingPartyMismatchException",
    /// `WebAuthnClientMismatchException`.
    WebAuthnClientMismatch = "WebAuthnClientMismatchException",
    /// `WebAuthnOriginNotAllowedException`.
    WebAuthnOriginNotAllowed = "WebAuthnOriginNotAllowedException",
    /// `WebAuthnCredentialNotSupportedException`.
    WebAuthnCredentialNotSupported = "WebAuthnCredentialNotSupportedException",
    /// `ResourceConflictException` (identity pools).
    ResourceConflict = "ResourceConflictException",
    /// `ExternalServiceException` (identity pools).
    ExternalService = "ExternalServiceException",
    /// `InvalidIdentityPoolConfigurationException` (identity pools).
    InvalidIdentityPoolConfiguration = "InvalidIdentityPoolConfigurationException",
    /// `SerializationException`: malformed JSON or a wrong JSON type in the request.
    Serialization = "SerializationException",
    /// `UnknownOperationException`: unknown `X-Amz-Target`.
    UnknownOperation = "UnknownOperationException",
}

impl fmt::Display for ServiceErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sanitise a raw error type per the awsJson 1.1 rule: keep the part before the first `,`
/// (several header values joined) and before the first `:`, then, if it contains `#`, the part
/// after the first `#`. Surrounding whitespace is trimmed.
pub fn sanitize_error_code(raw: &str) -> &str {
    let mut code = raw;
    if let Some((first, _)) = code.split_once(',') {
        code = first;
    }
    if let Some((before, _)) = code.split_once(':') {
        code = before;
    }
    if let Some((_, after)) = code.split_once('#') {
        code = after;
    }
    code.trim()
}
