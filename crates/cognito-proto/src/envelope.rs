//! The request envelope (docs/protocol.md#11-request-format) and response decoding (docs/protocol.md#13-successful-responses, docs/protocol.md#14-error-responses).
//!
//! [`encode`] turns a typed operation into an [`http::Request`] that any HTTP client can send:
//! `POST` to the endpoint, `Content-Type: application/x-amz-json-1.1`,
//! `X-Amz-Target: <service prefix>.<Operation>`, and the JSON body. [`decode`] turns the
//! [`http::Response`] back into the operation's output or a typed [`CoreError`].
//!
//! ```
//! use cognito_proto::envelope::{Endpoint, decode, encode};
//! use cognito_proto::ops::GetUser;
//! use cognito_proto::secret::SecretString;
//!
//! let endpoint = Endpoint::for_user_pool("eu-west-1_AbC123xyz")?;
//! let prepared = encode(&endpoint, &GetUser { access_token: SecretString::new("eyJ…".into()) });
//! assert_eq!(prepared.request.uri(), "https://cognito-idp.eu-west-1.amazonaws.com/");
//! assert_eq!(prepared.request.headers()["x-amz-target"], "AWSCognitoIdentityProviderService.GetUser");
//! assert!(prepared.idempotent);
//!
//! // Send `prepared.request` with any HTTP client, then hand the response back:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(br#"{"Username":"alice","UserAttributes":[{"Name":"sub","Value":"5f0c"}]}"#.to_vec())?;
//! let user = decode::<GetUser>(&response)?;
//! assert_eq!(user.attribute("sub"), Some("5f0c"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, Uri};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{
    CoreError, RawBody, ResponseProblem, ServiceError, ServiceErrorKind, sanitize_error_code,
};

/// The content type of every request and response.
pub const CONTENT_TYPE_AMZ_JSON: &str = "application/x-amz-json-1.1";
/// Name of the header that selects the operation.
pub const X_AMZ_TARGET: &str = "x-amz-target";
/// Name of the response header carrying the request id.
pub const X_AMZN_REQUEST_ID: &str = "x-amzn-requestid";
/// Name of the response header carrying the error type.
pub const X_AMZN_ERROR_TYPE: &str = "x-amzn-errortype";
/// Name of the response header carrying the error message.
pub const X_AMZN_ERROR_MESSAGE: &str = "x-amzn-errormessage";

/// The service an operation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    /// Cognito user pools (`cognito-idp`), target prefix `AWSCognitoIdentityProviderService`.
    UserPool,
    /// Cognito identity pools (`cognito-identity`), target prefix `AWSCognitoIdentityService`.
    Identity,
}

impl Service {
    /// The `X-Amz-Target` prefix of the service.
    pub const fn target_prefix(self) -> &'static str {
        match self {
            Service::UserPool => "AWSCognitoIdentityProviderService",
            Service::Identity => "AWSCognitoIdentityService",
        }
    }
}

/// Where requests go: one URL for user-pool operations and one for identity-pool operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    user_pool: Uri,
    identity: Uri,
}

impl Endpoint {
    /// The AWS endpoints of a region: `https://cognito-idp.{region}.amazonaws.com/` and
    /// `https://cognito-identity.{region}.amazonaws.com/`.
    pub fn for_region(region: &str) -> Result<Self, CoreError> {
        if !is_valid_region(region) {
            return Err(CoreError::invalid_input(
                "region",
                "region must be non-empty lowercase letters, digits and '-'",
            ));
        }
        let user_pool = parse_uri(&format!("https://cognito-idp.{region}.amazonaws.com/"))?;
        let identity = parse_uri(&format!("https://cognito-identity.{region}.amazonaws.com/"))?;
        Ok(Endpoint {
            user_pool,
            identity,
        })
    }

    /// The AWS endpoints for a user pool id: the region is the part before the first `_`
    /// (`eu-west-1_AbC` → `eu-west-1`).
    pub fn for_user_pool(user_pool_id: &str) -> Result<Self, CoreError> {
        match user_pool_id.split_once('_') {
            Some((region, name)) if !name.is_empty() => Self::for_region(region),
            _ => Err(CoreError::invalid_input(
                "user_pool_id",
                "user pool id must look like <region>_<name>",
            )),
        }
    }

    /// One URL for both services, for example a local emulator at `http://127.0.0.1:9229`.
    /// The URL must be absolute `http` or `https`; a missing path means `/`.
    pub fn from_url(url: &str) -> Result<Self, CoreError> {
        let uri = parse_endpoint_url(url)?;
        Ok(Endpoint {
            user_pool: uri.clone(),
            identity: uri,
        })
    }

    /// Replace the identity-pool URL (same rules as [`Endpoint::from_url`]).
    pub fn with_identity_url(mut self, url: &str) -> Result<Self, CoreError> {
        self.identity = parse_endpoint_url(url)?;
        Ok(self)
    }

    /// Replace the user-pool URL (same rules as [`Endpoint::from_url`]).
    pub fn with_user_pool_url(mut self, url: &str) -> Result<Self, CoreError> {
        self.user_pool = parse_endpoint_url(url)?;
        Ok(self)
    }

    /// The URL requests of a service are sent to.
    pub fn url(&self, service: Service) -> &Uri {
        match service {
            Service::UserPool => &self.user_pool,
            Service::Identity => &self.identity,
        }
    }

    /// The user-pool URL.
    pub fn user_pool_url(&self) -> &Uri {
        &self.user_pool
    }

    /// The identity-pool URL.
    pub fn identity_url(&self) -> &Uri {
        &self.identity
    }
}

fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn parse_uri(s: &str) -> Result<Uri, CoreError> {
    s.parse::<Uri>()
        .map_err(|_| CoreError::invalid_input("endpoint", "endpoint is not a valid URL"))
}

fn parse_endpoint_url(url: &str) -> Result<Uri, CoreError> {
    let uri = parse_uri(url.trim())?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => {
            return Err(CoreError::invalid_input(
                "endpoint",
                "endpoint URL must start with http:// or https://",
            ));
        }
    }
    if uri.authority().is_none_or(|a| a.host().is_empty()) {
        return Err(CoreError::invalid_input(
            "endpoint",
            "endpoint URL has no host",
        ));
    }
    if uri.query().is_some() {
        return Err(CoreError::invalid_input(
            "endpoint",
            "endpoint URL must not have a query",
        ));
    }
    if uri.path().is_empty() || uri.path_and_query().is_none() {
        // `http://127.0.0.1:9229` → `http://127.0.0.1:9229/`
        let mut parts = uri.into_parts();
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        return Uri::from_parts(parts)
            .map_err(|_| CoreError::invalid_input("endpoint", "endpoint is not a valid URL"));
    }
    Ok(uri)
}

/// A typed Cognito operation: the request body type, its name and service, and its output.
pub trait Operation: Serialize {
    /// The operation name as in `X-Amz-Target` (`InitiateAuth`).
    const NAME: &'static str;
    /// The service the operation belongs to.
    const SERVICE: Service;
    /// Whether sending the request twice is harmless (read-only or naturally idempotent), so a
    /// driver may retry it after a transport failure or a retryable error.
    const IDEMPOTENT: bool;
    /// The response body type.
    type Output: DeserializeOwned;
}

/// A request ready to send, with what a driver needs to know about it.
///
/// `Debug` shows the method, URL, headers and the body's length, never the body (it holds
/// passwords, codes and tokens).
#[must_use]
pub struct PreparedRequest {
    /// The operation name, for logs and tracing spans.
    pub operation: &'static str,
    /// Whether the request may be retried (see [`Operation::IDEMPOTENT`]).
    pub idempotent: bool,
    /// The HTTP request.
    pub request: Request<Vec<u8>>,
}

/// Build the HTTP request for an operation.
///
/// The built-in operations of [`crate::ops`] always serialize. For an operation type whose
/// `Serialize` implementation fails, the body is left empty (which the service rejects with
/// `SerializationException`); use [`try_encode`] to see that error instead.
pub fn encode<O: Operation>(endpoint: &Endpoint, op: &O) -> PreparedRequest {
    let body = serde_json::to_vec(op).unwrap_or_default();
    build(endpoint, O::SERVICE, O::NAME, O::IDEMPOTENT, body)
}

/// Like [`encode`], but reports a failing `Serialize` implementation, or an operation name that
/// cannot be a header value, as [`CoreError::Misuse`].
pub fn try_encode<O: Operation>(endpoint: &Endpoint, op: &O) -> Result<PreparedRequest, CoreError> {
    let body = serde_json::to_vec(op)
        .map_err(|_| CoreError::misuse("the operation's request body could not be serialized"))?;
    let prepared = build(endpoint, O::SERVICE, O::NAME, O::IDEMPOTENT, body);
    if !prepared.request.headers().contains_key(X_AMZ_TARGET) {
        return Err(CoreError::misuse(
            "the operation name is not a valid X-Amz-Target header value",
        ));
    }
    Ok(prepared)
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("operation", &self.operation)
            .field("idempotent", &self.idempotent)
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .field("headers", self.request.headers())
            .field("body_len", &self.request.body().len())
            .finish()
    }
}

fn build(
    endpoint: &Endpoint,
    service: Service,
    name: &'static str,
    idempotent: bool,
    body: Vec<u8>,
) -> PreparedRequest {
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    *request.uri_mut() = endpoint.url(service).clone();
    let headers = request.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE_AMZ_JSON),
    );
    let target = format!("{}.{}", service.target_prefix(), name);
    if let Ok(value) = HeaderValue::from_str(&target) {
        headers.insert(HeaderName::from_static(X_AMZ_TARGET), value);
    }
    PreparedRequest {
        operation: name,
        idempotent,
        request,
    }
}

/// The `x-amzn-RequestId` header of a response, when present and valid text.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(X_AMZN_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Decode the response to operation `O`: its output on a 2xx status, otherwise the error.
///
/// The body may be any byte container (`Vec<u8>`, `bytes::Bytes`, ...).
pub fn decode<O: Operation>(response: &Response<impl AsRef<[u8]>>) -> Result<O::Output, CoreError> {
    decode_as::<O::Output>(O::NAME, response)
}

/// Decode a response into any output type (what [`decode`] does, without an [`Operation`]).
pub fn decode_as<T: DeserializeOwned>(
    operation: &'static str,
    response: &Response<impl AsRef<[u8]>>,
) -> Result<T, CoreError> {
    let status = response.status().as_u16();
    let request_id = request_id(response.headers());
    let body = response.body().as_ref();
    if !response.status().is_success() {
        return Err(decode_error(operation, response));
    }
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice::<T>(text).map_err(|e| CoreError::InvalidResponse {
        operation,
        status,
        request_id,
        problem: ResponseProblem::MalformedBody {
            detail: describe_json_error(&e),
        },
        body: RawBody::new(body.to_vec()),
    })
}

/// Describe a JSON error without quoting values from the body (which may be tokens).
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "could not read the body".to_owned(),
        Category::Syntax => "the body is not valid JSON".to_owned(),
        Category::Eof => "the body is truncated JSON".to_owned(),
        Category::Data => {
            let msg = e.to_string();
            if msg.starts_with("missing field") || msg.starts_with("duplicate field") {
                // `missing field `UserSub` at line 1 column 2`: names only, no values.
                return format!("the body does not match the operation's output: {msg}");
            }
            "the body does not match the operation's output (a member has the wrong type)"
                .to_owned()
        }
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

/// Decode an error response (any status) per docs/protocol.md#14-error-responses. Always returns an error:
/// [`CoreError::Service`] when a type could be found, otherwise [`CoreError::InvalidResponse`] with the raw
/// body and status.
pub fn decode_error(operation: &'static str, response: &Response<impl AsRef<[u8]>>) -> CoreError {
    let status = response.status().as_u16();
    let headers = response.headers();
    let request_id = request_id(headers);
    let body = response.body().as_ref();
    let json: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(body).ok();

    let header_type = headers
        .get_all(X_AMZN_ERROR_TYPE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(sanitize_error_code)
        .find(|s| !s.is_empty());
    let body_str = |key: &str| -> Option<&str> {
        json.as_ref()
            .and_then(|m| m.get(key))
            .and_then(serde_json::Value::as_str)
    };
    let code = header_type
        .or_else(|| {
            body_str("code")
                .map(sanitize_error_code)
                .filter(|s| !s.is_empty())
        })
        .or_else(|| {
            body_str("__type")
                .map(sanitize_error_code)
                .filter(|s| !s.is_empty())
        });

    let Some(code) = code else {
        let reason = if json.is_some() {
            "error response without an error type".to_owned()
        } else if body.is_empty() {
            "error response with an empty body and no error type".to_owned()
        } else {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(_) => "error response body is not a JSON object".to_owned(),
                Err(e) => format!("error response is not JSON: {}", describe_json_error(&e)),
            }
        };
        return CoreError::InvalidResponse {
            operation,
            status,
            request_id,
            problem: ResponseProblem::UntypedError { detail: reason },
            body: RawBody::new(body.to_vec()),
        };
    };

    let message = body_str("message")
        .or_else(|| body_str("Message"))
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(X_AMZN_ERROR_MESSAGE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    CoreError::Service(ServiceError {
        kind: ServiceErrorKind::from_code(code),
        message,
        reason_code: body_str("reasonCode").map(str::to_owned),
        request_id,
        status,
    })
}

#[cfg(feature = "server")]
/// Split an `X-Amz-Target` value into its service and operation name
/// (`AWSCognitoIdentityProviderService.InitiateAuth` → `(UserPool, "InitiateAuth")`).
/// For servers and emulators that dispatch on the header.
pub fn parse_target(target: &str) -> Option<(Service, &str)> {
    let (prefix, name) = target.trim().split_once('.')?;
    let service = [Service::UserPool, Service::Identity]
        .into_iter()
        .find(|s| s.target_prefix() == prefix)?;
    if name.is_empty() {
        return None;
    }
    Some((service, name))
}

#[cfg(feature = "server")]
/// A success response as Cognito sends it: status 200, `Content-Type:
/// application/x-amz-json-1.1`, `x-amzn-RequestId`, and `body` as JSON. For emulators and for
/// tests that script a server.
pub fn success_response<T: Serialize>(body: &T, request_id: &str) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    raw_response(200, request_id, None, bytes)
}

#[cfg(feature = "server")]
/// An error response as docs/protocol.md#14-error-responses tells an emulator to send it: status 400 (500 for
/// `InternalErrorException`), `x-amzn-ErrorType: <Type>:`, `x-amzn-ErrorMessage`,
/// `x-amzn-RequestId` and the body `{"__type": "<Type>", "message": "<text>"}`.
pub fn error_response(
    kind: &ServiceErrorKind,
    message: &str,
    request_id: &str,
) -> Response<Vec<u8>> {
    let status = if *kind == ServiceErrorKind::InternalError {
        500
    } else {
        400
    };
    let body = serde_json::json!({ "__type": kind.as_str(), "message": message });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = raw_response(status, request_id, Some(kind.as_str()), bytes);
    if let Ok(value) = HeaderValue::from_str(message) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(X_AMZN_ERROR_MESSAGE), value);
    }
    response
}

#[cfg(feature = "server")]
fn raw_response(
    status: u16,
    request_id: &str,
    error_type: Option<&str>,
    body: Vec<u8>,
) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    if let Ok(code) = http::StatusCode::from_u16(status) {
        *response.status_mut() = code;
    }
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(CONTENT_TYPE_AMZ_JSON),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(X_AMZN_REQUEST_ID), value);
    }
    if let Some(kind) = error_type
        && let Ok(value) = HeaderValue::from_str(&format!("{kind}:"))
    {
        headers.insert(HeaderName::from_static(X_AMZN_ERROR_TYPE), value);
    }
    response
}
