//! Errors of the core: service errors decoded from Cognito's error responses, protocol errors
//! (a response that is not what the protocol promises), invalid input and API misuse.
//!
//! Service errors follow the awsJson 1.1 rule (docs/protocol.md#14-error-responses): the error type is the first
//! present value of the `x-amzn-ErrorType` header, the body's `code` or the body's `__type`, cut
//! at the first `:` and, when it contains `#`, reduced to the part after the first `#`.

use std::borrow::Cow;
use std::fmt;

use zeroize::Zeroize;

use crate::srp::SrpError;

/// The one error type of the core.
///
/// Transport errors (connection refused, timeouts) belong to the driver crates. `Clone`, so
/// that one failed refresh can be handed to every caller that waited on it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Cognito (or an emulator) answered with a well-formed error response.
    Service(ServiceError),
    /// The response does not follow the protocol: a non-JSON error body (an HTML page from a
    /// gateway, an empty or truncated body), an error without any type, or a success body that
    /// does not parse as the operation's output. A server value the flow needs is missing or
    /// malformed (for example a challenge parameter) is reported the same way.
    Protocol {
        /// Name of the operation whose response this was (`InitiateAuth`), or the step that
        /// found the problem.
        operation: &'static str,
        /// HTTP status of the response (0 when no response was involved).
        status: u16,
        /// `x-amzn-RequestId` of the response, when present.
        request_id: Option<String>,
        /// What was wrong, without any secret value.
        reason: String,
        /// The raw response body, kept for diagnosis. It may contain tokens, so its `Debug`
        /// output shows only its length and it is wiped on drop.
        body: RawBody,
    },
    /// A server SRP value was refused (bad hex or base64, `B mod N = 0`, `u = 0`, ...).
    Srp(SrpError),
    /// The caller passed invalid input (an endpoint URL that is not HTTP, a user pool id
    /// without a region, ...).
    InvalidInput(Cow<'static, str>),
    /// The API was used in a way its contract does not allow (for example a response fed to a
    /// flow that is not waiting for one).
    Misuse(Cow<'static, str>),
}

impl Error {
    /// A protocol error found outside HTTP decoding (for example a missing challenge
    /// parameter), with no status and no body.
    pub fn protocol(operation: &'static str, reason: impl Into<String>) -> Self {
        Error::Protocol {
            operation,
            status: 0,
            request_id: None,
            reason: reason.into(),
            body: RawBody::default(),
        }
    }

    /// An API misuse error.
    pub fn misuse(what: impl Into<Cow<'static, str>>) -> Self {
        Error::Misuse(what.into())
    }

    /// An invalid-input error.
    pub fn invalid_input(what: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidInput(what.into())
    }

    /// Whether sending the same request again later may succeed (docs/protocol.md#16-retries):
    /// `TooManyRequestsException`, `InternalErrorException` and HTTP 429, 500, 502, 503 and
    /// 504. `LimitExceededException` is a per-user quota lasting minutes and is **not**
    /// retryable. Whether a retry is *safe* also depends on the operation
    /// ([`crate::envelope::PreparedRequest::idempotent`]); that decision belongs to the driver.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.is_retryable(),
            Error::Protocol { status, .. } => is_retryable_status(*status),
            Error::Srp(_) | Error::InvalidInput(_) | Error::Misuse(_) => false,
        }
    }

    /// The service error, if this is one.
    pub fn as_service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The service error kind, if this is a service error.
    pub fn service_kind(&self) -> Option<&ServiceErrorKind> {
        self.as_service().map(|e| &e.kind)
    }

    /// The `x-amzn-RequestId` of the response that caused this error, when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id.as_deref(),
            Error::Protocol { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Service(e) => fmt::Display::fmt(e, f),
            Error::Protocol {
                operation,
                status,
                reason,
                ..
            } => {
                if *status == 0 {
                    write!(f, "protocol error in {operation}: {reason}")
                } else {
                    write!(f, "protocol error in {operation} (HTTP {status}): {reason}")
                }
            }
            Error::Srp(e) => write!(f, "SRP error: {e}"),
            Error::InvalidInput(what) => write!(f, "invalid input: {what}"),
            Error::Misuse(what) => write!(f, "API misuse: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Service(e) => Some(e),
            Error::Srp(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SrpError> for Error {
    fn from(e: SrpError) -> Self {
        Error::Srp(e)
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(e)
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

    /// See [`Error::is_retryable`].
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
