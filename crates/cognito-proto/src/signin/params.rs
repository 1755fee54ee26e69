//! Reading server values: challenge parameters (all strings, some holding JSON text) and the
//! `username` claim of an access token. Every malformed value is a [`CoreError::ChallengeParameter`].

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{CoreError, ParameterProblem};
use crate::ops::ChallengeName;

/// Parameters of one challenge, with the challenge's name for error messages.
pub(crate) struct Params<'a> {
    pub(crate) operation: &'static str,
    pub(crate) challenge: &'a ChallengeName,
    pub(crate) map: &'a BTreeMap<String, String>,
}

impl<'a> Params<'a> {
    /// A parameter that must be present and non-empty.
    pub(crate) fn required(&self, key: &str) -> Result<&'a str, CoreError> {
        match self.map.get(key).map(String::as_str) {
            Some(value) if !value.is_empty() => Ok(value),
            Some(_) => Err(self.error(key, ParameterProblem::Empty)),
            None => Err(self.error(key, ParameterProblem::Missing)),
        }
    }

    /// A parameter that may be absent (an empty value counts as absent).
    pub(crate) fn optional(&self, key: &str) -> Option<&'a str> {
        self.map
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A JSON array of strings held in a string parameter (`MFAS_CAN_CHOOSE`,
    /// `requiredAttributes`). Absent means empty when `required` is false.
    pub(crate) fn string_list(&self, key: &str, required: bool) -> Result<Vec<String>, CoreError> {
        let text = if required {
            self.required(key)?
        } else {
            match self.optional(key) {
                Some(text) => text,
                None => return Ok(Vec::new()),
            }
        };
        serde_json::from_str::<Vec<String>>(text)
            .map_err(|_| self.error(key, ParameterProblem::Malformed))
    }

    /// A JSON object held in a string parameter (`userAttributes`), its values as strings
    /// (booleans and numbers are written as JSON text, `null` is dropped). Absent means empty.
    pub(crate) fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, CoreError> {
        let Some(text) = self.optional(key) else {
            return Ok(BTreeMap::new());
        };
        let object = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            .map_err(|_| self.error(key, ParameterProblem::Malformed))?;
        Ok(object
            .into_iter()
            .filter_map(|(name, value)| match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some((name, s)),
                other => Some((name, other.to_string())),
            })
            .collect())
    }

    /// The parameter `key` of this challenge is unusable.
    pub(crate) fn error(&self, key: &str, problem: ParameterProblem) -> CoreError {
        CoreError::ChallengeParameter {
            operation: self.operation,
            challenge: self.challenge.clone(),
            parameter: key.to_owned(),
            problem,
        }
    }

    /// This challenge does not fit the flow's state.
    pub(crate) fn unexpected(&self, reason: &'static str) -> CoreError {
        CoreError::UnexpectedChallenge {
            operation: self.operation,
            challenge: self.challenge.clone(),
            reason,
        }
    }
}

/// The `username` claim of an access token (no signature check: only used to learn the
/// internal username when no challenge told it). `None` for anything that is not a JWT with a
/// string `username` claim.
pub(crate) fn access_token_username(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims =
        serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).ok()?;
    claims
        .get("username")
        .and_then(serde_json::Value::as_str)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
}

/// Attributes Cognito does not let a user write in `NEW_PASSWORD_REQUIRED`: never sent back.
pub(crate) fn is_read_only_attribute(name: &str) -> bool {
    matches!(
        name,
        "sub" | "email_verified" | "phone_number_verified" | "identities"
    ) || name.starts_with("cognito:")
}

/// The prefix of attribute names in `requiredAttributes` and in the `NEW_PASSWORD_REQUIRED`
/// answer.
pub(crate) const USER_ATTRIBUTES_PREFIX: &str = "userAttributes.";
