//! Service errors and request-body accessors shared by every operation.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

/// An error the emulator answers with, in the AWS JSON 1.1 error shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The bare error type, e.g. `NotAuthorizedException`.
    pub kind: String,
    /// The message sent in the `message` member.
    pub message: String,
    /// The HTTP status (400 for client faults, 500 for internal errors).
    pub status: u16,
}

impl ApiError {
    /// A client fault (HTTP 400) of the given type.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        ApiError {
            kind: kind.to_string(),
            message: message.into(),
            status: 400,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

/// Shorthand result type of the operation handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// A server fault (HTTP 500 `InternalErrorException`).
pub(crate) fn internal(msg: impl Into<String>) -> ApiError {
    ApiError {
        kind: "InternalErrorException".to_string(),
        message: msg.into(),
        status: 500,
    }
}
/// A value the model's validator admitted that the operation does not handle: the vendored
/// model and the emulator disagree (a newer model added an enum value), a bug of the emulator.
pub(crate) fn beyond_model(member: &str, value: &str) -> ApiError {
    internal(format!(
        "{member} {value} passed the model's checks but is not handled"
    ))
}

pub(crate) fn not_authorized(msg: impl Into<String>) -> ApiError {
    ApiError::new("NotAuthorizedException", msg)
}
pub(crate) fn invalid_param(msg: impl Into<String>) -> ApiError {
    ApiError::new("InvalidParameterException", msg)
}
pub(crate) fn not_found(msg: impl Into<String>) -> ApiError {
    ApiError::new("ResourceNotFoundException", msg)
}
pub(crate) fn incorrect_credentials() -> ApiError {
    not_authorized("Incorrect username or password.")
}
pub(crate) fn user_not_found() -> ApiError {
    ApiError::new("UserNotFoundException", "User does not exist.")
}
pub(crate) fn code_mismatch() -> ApiError {
    ApiError::new(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
}
pub(crate) fn expired_code() -> ApiError {
    ApiError::new(
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )
}
pub(crate) fn serialization(msg: impl Into<String>) -> ApiError {
    ApiError::new("SerializationException", msg)
}
pub(crate) fn session_expired() -> ApiError {
    not_authorized("Invalid session for the user, session is expired.")
}

fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn validation(name: &str, constraint: &str) -> ApiError {
    invalid_param(format!(
        "1 validation error detected: Value at '{}' failed to satisfy constraint: {}",
        camel(name),
        constraint
    ))
}

/// Read-only view of a JSON request body with typed accessors.
pub(crate) struct Body<'a>(pub &'a Map<String, Value>);

impl<'a> Body<'a> {
    pub fn opt_str(&self, name: &str) -> ApiResult<Option<&'a str>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected a string"
            ))),
        }
    }

    pub fn str(&self, name: &str) -> ApiResult<&'a str> {
        self.opt_str(name)?.ok_or_else(|| {
            invalid_param(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                camel(name)
            ))
        })
    }

    /// A required string with a length range.
    pub fn str_len(&self, name: &str, min: usize, max: usize) -> ApiResult<&'a str> {
        let s = self.str(name)?;
        check_len(name, s, min, max)?;
        Ok(s)
    }

    pub fn opt_bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected a boolean"
            ))),
        }
    }

    pub fn opt_i64(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                serialization(format!(
                    "Unexpected value type for member {name}: expected an integer"
                ))
            }),
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected an integer"
            ))),
        }
    }

    pub fn opt_obj(&self, name: &str) -> ApiResult<Option<Body<'a>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Body(m))),
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected an object"
            ))),
        }
    }

    /// A string→string map (AuthParameters, ChallengeResponses, ...); absent = empty.
    pub fn str_map(&self, name: &str) -> ApiResult<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        match self.0.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    match v {
                        Value::String(s) => {
                            out.insert(k.clone(), s.clone());
                        }
                        Value::Null => {}
                        _ => {
                            return Err(serialization(format!(
                                "Unexpected value type in map {name}: expected a string"
                            )));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(serialization(format!(
                    "Unexpected value type for member {name}: expected a map"
                )));
            }
        }
        Ok(out)
    }

    /// A list of strings; absent = None.
    pub fn opt_str_list(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(serialization(format!(
                        "Unexpected value type in list {name}: expected a string"
                    ))),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected a list"
            ))),
        }
    }

    /// A list of `{Name, Value}` attributes; absent = None.
    pub fn opt_attrs(&self, name: &str) -> ApiResult<Option<Vec<(String, String)>>> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    let Value::Object(m) = v else {
                        return Err(serialization(format!(
                            "Unexpected value type in list {name}: expected an object"
                        )));
                    };
                    let b = Body(m);
                    // The model bounds `Name` (1–32) and `Value` (up to 2048).
                    let n = b.str("Name")?;
                    let val = b.opt_str("Value")?.unwrap_or("");
                    out.push((n.to_string(), val.to_string()));
                }
                Ok(Some(out))
            }
            Some(_) => Err(serialization(format!(
                "Unexpected value type for member {name}: expected a list"
            ))),
        }
    }
}

pub(crate) fn check_len(name: &str, s: &str, min: usize, max: usize) -> ApiResult<()> {
    let n = s.chars().count();
    if n < min {
        return Err(validation(
            name,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(validation(
            name,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// Username: 1–128, no whitespace.
pub(crate) fn check_username(name: &str, s: &str) -> ApiResult<()> {
    check_len(name, s, 1, 128)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(validation(
            name,
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

/// ClientId: 1–128, `[\w+]+`.
pub(crate) fn check_client_id(s: &str) -> ApiResult<()> {
    check_len("ClientId", s, 1, 128)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        return Err(validation(
            "ClientId",
            "Member must satisfy regular expression pattern: [\\w+]+",
        ));
    }
    Ok(())
}

/// Token: `[A-Za-z0-9-_=.]+`.
pub(crate) fn check_token(name: &str, s: &str) -> ApiResult<()> {
    check_len(name, s, 1, 131_072)?;
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '.'))
    {
        return Err(validation(
            name,
            "Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+",
        ));
    }
    Ok(())
}
