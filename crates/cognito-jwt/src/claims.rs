//! The typed header and claims of a verified token.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::error::{Malformed, VerifyError};

/// Which of Cognito's two JWTs a token is (`token_use`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An ID token (`token_use: "id"`): the user's attributes, `aud` = the client id.
    Id,
    /// An access token (`token_use: "access"`): scopes and groups, `client_id`.
    Access,
}

impl TokenUse {
    /// `"id"` or `"access"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Id => "id",
            TokenUse::Access => "access",
        }
    }

    /// Parses `"id"` or `"access"`.
    pub fn from_name(name: &str) -> Option<TokenUse> {
        match name {
            "id" => Some(TokenUse::Id),
            "access" => Some(TokenUse::Access),
            _ => None,
        }
    }
}

impl std::fmt::Display for TokenUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JOSE header fields the verifier reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// `alg`.
    pub alg: Option<String>,
    /// `kid`.
    pub kid: Option<String>,
}

/// The claims of a verified token: the standard and Cognito ones as fields, every other
/// claim (user attributes such as `email`, custom claims) in [`Claims::other`].
///
/// Serializes back to the token's JSON payload (the claim names as Cognito writes them).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Claims {
    /// `iss`: the pool's issuer URL.
    pub iss: String,
    /// `sub`: the user's immutable id (an M2M access token's may be the client id).
    pub sub: Option<String>,
    /// `token_use`.
    pub token_use: TokenUse,
    /// The app client: `aud` of an ID token, `client_id` of an access token.
    pub client_id: Option<String>,
    /// `aud`, as a list (an access token may carry one for resource binding).
    pub aud: Vec<String>,
    /// `cognito:username` (ID token) or `username` (access token); `None` in an M2M token.
    pub username: Option<String>,
    /// `cognito:groups`.
    pub groups: Vec<String>,
    /// `scope`, split on spaces.
    pub scopes: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: Option<i64>,
    /// `iat`.
    pub iat: Option<i64>,
    /// `nbf`.
    pub nbf: Option<i64>,
    /// `auth_time`.
    pub auth_time: Option<i64>,
    /// `jti`.
    pub jti: Option<String>,
    /// Every other claim.
    pub other: Map<String, Value>,
    /// The payload's numeric dates as read (they may be fractional), for the time checks.
    pub(crate) times: Times,
    /// How `aud` was written, and the raw `scope`: serialization gives back the payload.
    aud_form: AudForm,
    scope: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AudForm {
    Absent,
    String,
    List,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Times {
    pub exp: Option<f64>,
    pub nbf: Option<f64>,
    pub iat: Option<f64>,
}

fn malformed(claim: &str) -> VerifyError {
    VerifyError::Malformed(Malformed::ClaimType {
        claim: claim.to_owned(),
    })
}

fn take_string(m: &mut Map<String, Value>, name: &str) -> Result<Option<String>, VerifyError> {
    match m.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(malformed(name)),
    }
}

fn take_time(m: &mut Map<String, Value>, name: &str) -> Result<Option<f64>, VerifyError> {
    match m.remove(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| malformed(name)),
        Some(_) => Err(malformed(name)),
    }
}

fn whole(t: Option<f64>) -> Option<i64> {
    // Saturating float-to-int conversion; the exact value is kept in `Times` for the checks.
    t.map(|f| f.floor() as i64)
}

/// A claim that is kept with its raw value because its type is not what Cognito writes
/// (`token_use` not a string, `cognito:groups` not a list of strings, ...): the checks that
/// need it then fail, and the others ignore it, as in aws-jwt-verify.
fn take_strings(m: &mut Map<String, Value>, name: &str) -> Option<Vec<String>> {
    // An empty list stays among the other claims, so that it serializes back as it was.
    let ok = match m.get(name)? {
        Value::Array(a) => !a.is_empty() && a.iter().all(Value::is_string),
        _ => false,
    };
    if !ok {
        return None;
    }
    match m.remove(name) {
        Some(Value::Array(a)) => Some(
            a.into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

/// The payload after the generic type checks, before the Cognito-specific ones.
pub(crate) struct Payload {
    pub map: Map<String, Value>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub jti: Option<String>,
    pub scope: Option<String>,
    pub aud: Vec<String>,
    pub aud_form: AudForm,
    pub times: Times,
}

impl Payload {
    /// Applies aws-jwt-verify's type rules: `exp`/`nbf`/`iat` finite numbers, `iss`/`sub`/
    /// `jti`/`scope` strings, `aud` a string or a list of strings.
    pub(crate) fn new(mut map: Map<String, Value>) -> Result<Payload, VerifyError> {
        let times = Times {
            exp: take_time(&mut map, "exp")?,
            nbf: take_time(&mut map, "nbf")?,
            iat: take_time(&mut map, "iat")?,
        };
        let iss = take_string(&mut map, "iss")?;
        let sub = take_string(&mut map, "sub")?;
        let jti = take_string(&mut map, "jti")?;
        let scope = take_string(&mut map, "scope")?;
        let (aud, aud_form) = match map.remove("aud") {
            None => (Vec::new(), AudForm::Absent),
            Some(Value::String(s)) => (vec![s], AudForm::String),
            Some(Value::Array(a)) => {
                let mut out = Vec::with_capacity(a.len());
                for v in a {
                    match v {
                        Value::String(s) => out.push(s),
                        _ => return Err(malformed("aud")),
                    }
                }
                (out, AudForm::List)
            }
            Some(_) => return Err(malformed("aud")),
        };
        Ok(Payload {
            map,
            iss,
            sub,
            jti,
            scope,
            aud,
            aud_form,
            times,
        })
    }

    /// The scopes of `scope`, split on spaces.
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope
            .as_deref()
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// `cognito:groups` if it is a list of strings.
    pub(crate) fn groups(&self) -> Option<impl Iterator<Item = &str>> {
        match self.map.get("cognito:groups")? {
            Value::Array(a) if a.iter().all(Value::is_string) => {
                Some(a.iter().filter_map(Value::as_str))
            }
            _ => None,
        }
    }

    /// The typed claims, once `token_use` is known to be `id` or `access`.
    pub(crate) fn into_claims(mut self, iss: String, token_use: TokenUse) -> Claims {
        self.map.remove("token_use");
        let client_id = match token_use {
            TokenUse::Id => match (self.aud_form, self.aud.first()) {
                (AudForm::String, Some(a)) => Some(a.clone()),
                _ => None,
            },
            TokenUse::Access => match self.map.get("client_id") {
                Some(Value::String(_)) => take_string(&mut self.map, "client_id").ok().flatten(),
                _ => None,
            },
        };
        let username_claim = match token_use {
            TokenUse::Id => "cognito:username",
            TokenUse::Access => "username",
        };
        let username = match self.map.get(username_claim) {
            Some(Value::String(_)) => take_string(&mut self.map, username_claim).ok().flatten(),
            _ => None,
        };
        let groups = take_strings(&mut self.map, "cognito:groups").unwrap_or_default();
        // Only a whole number is typed; anything else stays among the other claims as it was.
        let auth_time = match self.map.get("auth_time").and_then(Value::as_i64) {
            Some(t) => {
                self.map.remove("auth_time");
                Some(t)
            }
            None => None,
        };
        let scopes = self.scopes().map(str::to_owned).collect();
        Claims {
            iss,
            sub: self.sub,
            token_use,
            client_id,
            aud: self.aud,
            username,
            groups,
            scopes,
            exp: whole(self.times.exp),
            iat: whole(self.times.iat),
            nbf: whole(self.times.nbf),
            auth_time,
            jti: self.jti,
            other: self.map,
            times: self.times,
            aud_form: self.aud_form,
            scope: self.scope,
        }
    }
}

impl Claims {
    /// Whether `cognito:groups` contains `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Whether `scope` contains `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The token's payload as a JSON object (the claims under their JWT names).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

fn time_value(exact: Option<f64>, whole: Option<i64>) -> Option<Value> {
    match (exact, whole) {
        (Some(f), Some(w)) if f == w as f64 => Some(Value::from(w)),
        (Some(f), _) => serde_json::Number::from_f64(f).map(Value::Number),
        (None, Some(w)) => Some(Value::from(w)),
        (None, None) => None,
    }
}

impl Serialize for Claims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        if let Some(sub) = &self.sub {
            m.serialize_entry("sub", sub)?;
        }
        if !self.groups.is_empty() {
            m.serialize_entry("cognito:groups", &self.groups)?;
        }
        m.serialize_entry("iss", &self.iss)?;
        match self.token_use {
            TokenUse::Id => {
                if let Some(u) = &self.username {
                    m.serialize_entry("cognito:username", u)?;
                }
            }
            TokenUse::Access => {
                if let Some(c) = &self.client_id {
                    m.serialize_entry("client_id", c)?;
                }
                if let Some(u) = &self.username {
                    m.serialize_entry("username", u)?;
                }
            }
        }
        match (self.aud_form, self.aud.as_slice()) {
            (AudForm::Absent, _) => {}
            (AudForm::String, [one]) => m.serialize_entry("aud", one)?,
            (_, all) => m.serialize_entry("aud", all)?,
        }
        m.serialize_entry("token_use", self.token_use.as_str())?;
        if let Some(scope) = &self.scope {
            m.serialize_entry("scope", scope)?;
        }
        for (name, exact, whole) in [
            ("auth_time", None, self.auth_time),
            ("exp", self.times.exp, self.exp),
            ("iat", self.times.iat, self.iat),
            ("nbf", self.times.nbf, self.nbf),
        ] {
            if let Some(v) = time_value(exact, whole) {
                m.serialize_entry(name, &v)?;
            }
        }
        if let Some(jti) = &self.jti {
            m.serialize_entry("jti", jti)?;
        }
        for (k, v) in &self.other {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}
