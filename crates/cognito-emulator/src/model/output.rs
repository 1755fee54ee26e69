//! Response conformance: a body checked against the operation's output shape.

use serde_json::Value;

use super::{Kind, ServiceModel, ShapeId};

/// Appends one line per deviation of `body` from `output` (an operation without an output
/// shape answers `{}`).
pub(super) fn check_output(
    m: &ServiceModel,
    output: Option<ShapeId>,
    body: &Value,
    out: &mut Vec<String>,
) {
    match output {
        Some(id) => check(m, id, body, "", out),
        None => {
            if body.as_object().is_none_or(|o| !o.is_empty()) {
                out.push(format!(
                    "the operation has no output shape, yet the body is {body}"
                ));
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn check(m: &ServiceModel, id: ShapeId, v: &Value, path: &str, out: &mut Vec<String>) {
    let shape = m.shape(id);
    let at = if path.is_empty() { "the body" } else { path };
    let wrong = |out: &mut Vec<String>, expected: &str| {
        out.push(format!(
            "{at}: expected {expected} ({}), got {}",
            shape.name,
            kind_of(v)
        ));
    };
    match (&shape.kind, v) {
        (_, Value::Null) => out.push(format!("{at}: null (members without a value are left out)")),
        (Kind::Structure(s), Value::Object(o)) => {
            for (k, e) in o {
                match s.member(k) {
                    Some(mem) => check(m, mem.shape, e, &join(path, k), out),
                    None => out.push(format!("{}: not a member of {}", join(path, k), shape.name)),
                }
            }
            for mem in s.members.iter().filter(|mem| mem.required) {
                if !o.contains_key(&mem.name) {
                    out.push(format!(
                        "{}: required member of {} missing",
                        join(path, &mem.name),
                        shape.name
                    ));
                }
            }
        }
        (Kind::Structure(_), _) => wrong(out, "an object"),
        (Kind::Document, _) => {}
        (Kind::String(c), Value::String(s)) => {
            if let Some(e) = &c.enumeration
                && !e.iter().any(|x| x == s)
            {
                out.push(format!(
                    "{at}: '{s}' is not a value of the enum {} [{}]",
                    shape.name,
                    e.join(", ")
                ));
            }
        }
        (Kind::String(_), _) => wrong(out, "a string"),
        (Kind::Integer { long, .. }, Value::Number(n)) => {
            let fits = n
                .as_i64()
                .is_some_and(|i| *long || i32::try_from(i).is_ok());
            if !fits {
                wrong(
                    out,
                    if *long {
                        "a 64-bit integer"
                    } else {
                        "a 32-bit integer"
                    },
                );
            }
        }
        (Kind::Integer { .. }, _) => wrong(out, "an integer"),
        (Kind::Float, Value::Number(_)) => {}
        (Kind::Float, _) => wrong(out, "a number"),
        (Kind::Boolean, Value::Bool(_)) => {}
        (Kind::Boolean, _) => wrong(out, "a boolean"),
        (Kind::Timestamp, Value::Number(_)) => {}
        (Kind::Timestamp, _) => wrong(out, "epoch seconds as a number"),
        (Kind::Blob { .. }, Value::String(_)) => {}
        (Kind::Blob { .. }, _) => wrong(out, "a base64 string"),
        (Kind::List { member, .. }, Value::Array(a)) => {
            for (i, e) in a.iter().enumerate() {
                check(m, *member, e, &format!("{path}[{i}]"), out);
            }
        }
        (Kind::List { .. }, _) => wrong(out, "a list"),
        (Kind::Map { value, .. }, Value::Object(o)) => {
            for (k, e) in o {
                check(m, *value, e, &format!("{path}[{k:?}]"), out);
            }
        }
        (Kind::Map { .. }, _) => wrong(out, "a map"),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::check_response;

    #[test]
    fn deviations_are_listed() {
        let target = "AWSCognitoIdentityProviderService.InitiateAuth";
        assert!(check_response(target, &json!({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {"SALT": "ab"}})).is_ok());
        let errs = check_response(
            target,
            &json!({"ChallengeName": "NO_SUCH", "Session": 5, "Extra": 1, "AuthenticationResult": {"ExpiresIn": "3600"}}),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert!(
            errs.iter()
                .any(|e| e.contains("Extra: not a member of InitiateAuthResponse"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("'NO_SUCH' is not a value of the enum"))
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("AuthenticationResult.ExpiresIn: expected an integer"))
        );
        let errs = check_response(
            "AWSCognitoIdentityProviderService.AdminGetUser",
            &json!({"Username": "a", "UserCreateDate": "2024-01-01"}),
        )
        .unwrap_err();
        assert_eq!(
            errs,
            vec![
                "AdminGetUser: UserCreateDate: expected epoch seconds as a number (DateType), got a string"
            ]
        );
        assert!(check_response("AWSCognitoIdentityProviderService.DeleteUser", &json!({})).is_ok());
    }
}
