//! Request validation against an input shape, worded as AWS's JSON protocol words it.
//!
//! A first pass answers "valid?" without allocating (the path every well-formed request
//! takes). Only when it fails does a second pass build the error: a `SerializationException`
//! if any value has the wrong JSON type (AWS fails while deserialising, before any
//! constraint), else one `InvalidParameterException` listing every broken constraint in model
//! member order:
//!
//! `2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint:
//! Member must not be null; Value at 'password' failed to satisfy constraint: Member must
//! have length greater than or equal to 6`
//!
//! Members are named with their first letter lower-cased; a structure inside a structure is
//! `a.b`, inside a list `a.1.member.b` (1-based); the constraints of the elements of a list of
//! scalars are reported once, at the list (`Member must satisfy constraint: [...]`), those of
//! a map's keys and values at the map (`Map key/value must satisfy constraint: [...]`). The
//! value of a `sensitive` shape is left out (`Value at 'password' ...`). JSON `null` is an
//! absent member, and members the model does not declare are ignored, as AWS ignores them.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use super::{Kind, Range, ServiceModel, ShapeId, StringShape, Structure, char_len};
use crate::api::{ApiError, invalid_param, serialization};

pub(super) fn validate(
    m: &ServiceModel,
    input: ShapeId,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let Kind::Structure(s) = &m.shape(input).kind else {
        return Ok(());
    };
    if struct_ok(m, s, body) {
        return Ok(());
    }
    if let Some(msg) = struct_type_error(m, s, body) {
        return Err(serialization(msg));
    }
    let mut items = Vec::new();
    collect_struct(m, s, body, "", &mut items);
    if items.is_empty() {
        return Ok(());
    }
    let n = items.len();
    Err(invalid_param(format!(
        "{n} validation error{} detected: {}",
        if n == 1 { "" } else { "s" },
        items.join("; ")
    )))
}

/// The error for a request body that is JSON but not an object.
pub(crate) fn top_level_type_error(v: &Value) -> ApiError {
    serialization(mismatch(v, "a Structure"))
}

// ---- the fast pass -------------------------------------------------------------------------

fn struct_ok(m: &ServiceModel, s: &Structure, body: &Map<String, Value>) -> bool {
    s.required.iter().all(|&i| {
        s.members
            .get(usize::from(i))
            .is_some_and(|mem| body.get(&mem.name).is_some_and(|v| !v.is_null()))
    }) && body.iter().all(|(k, v)| match s.member(k) {
        Some(mem) => value_ok(m, mem.shape, v),
        None => true,
    })
}

fn value_ok(m: &ServiceModel, id: ShapeId, v: &Value) -> bool {
    if v.is_null() {
        return true;
    }
    match (&m.shape(id).kind, v) {
        (Kind::Structure(s), Value::Object(o)) => struct_ok(m, s, o),
        (Kind::Document, _) => true,
        (Kind::String(c), Value::String(s)) => c.accepts(s),
        (Kind::Integer { long, range }, Value::Number(n)) => {
            integer(n, *long).is_some_and(|i| range.contains(i))
        }
        (Kind::Float, Value::Number(_)) => true,
        (Kind::Boolean, Value::Bool(_)) => true,
        (Kind::Timestamp, Value::Number(_)) => true,
        (Kind::Blob { len }, Value::String(s)) => len.contains(blob_len(s)),
        (Kind::List { member, len }, Value::Array(a)) => {
            len.contains(a.len() as u64) && a.iter().all(|e| value_ok(m, *member, e))
        }
        (Kind::Map { key, value, len }, Value::Object(o)) => {
            len.contains(o.len() as u64)
                && o.iter()
                    .all(|(k, v)| key_ok(m, *key, k) && value_ok(m, *value, v))
        }
        _ => false,
    }
}

fn key_ok(m: &ServiceModel, id: ShapeId, k: &str) -> bool {
    match &m.shape(id).kind {
        Kind::String(c) => c.accepts(k),
        _ => true,
    }
}

/// A JSON number as the model's integer type, `None` if it is fractional or out of range.
fn integer(n: &Number, long: bool) -> Option<i64> {
    let i = n.as_i64()?;
    if long || i32::try_from(i).is_ok() {
        Some(i)
    } else {
        None
    }
}

/// The decoded length of a base64 blob, from its encoded length.
fn blob_len(s: &str) -> u64 {
    let padding = s.bytes().rev().take_while(|&b| b == b'=').count();
    ((s.len() / 4 * 3).saturating_sub(padding)) as u64
}

// ---- the second pass: JSON types -----------------------------------------------------------

fn struct_type_error(m: &ServiceModel, s: &Structure, body: &Map<String, Value>) -> Option<String> {
    body.iter().find_map(|(k, v)| {
        let mem = s.member(k)?;
        type_error(m, mem.shape, v)
    })
}

fn type_error(m: &ServiceModel, id: ShapeId, v: &Value) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let kind = &m.shape(id).kind;
    match (kind, v) {
        (Kind::Structure(s), Value::Object(o)) => struct_type_error(m, s, o),
        (Kind::Document, _) => None,
        (Kind::String(_), Value::String(_)) | (Kind::Blob { .. }, Value::String(_)) => None,
        (Kind::Integer { long, .. }, Value::Number(n)) => match integer(n, *long) {
            Some(_) => None,
            None => Some(format!(
                "NUMBER_VALUE can not be converted to {}",
                expected_name(kind)
            )),
        },
        (Kind::Float | Kind::Timestamp, Value::Number(_)) => None,
        (Kind::Boolean, Value::Bool(_)) => None,
        (Kind::List { member, .. }, Value::Array(a)) => {
            a.iter().find_map(|e| type_error(m, *member, e))
        }
        (Kind::Map { value, .. }, Value::Object(o)) => {
            o.values().find_map(|e| type_error(m, *value, e))
        }
        _ => Some(mismatch(v, expected_name(kind))),
    }
}

/// The deserialiser's complaint about `got` where `expected` was due. The texts for an object
/// and a list are the ones AWS answers; the `<TOKEN> can not be converted to <Type>` form for
/// scalars follows the same deserialiser's answers to numbers given for strings.
fn mismatch(got: &Value, expected: &str) -> String {
    let token = match got {
        Value::Object(_) => return "Start of structure or map found where not expected.".into(),
        Value::Array(_) => return "Start of list found where not expected".into(),
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Null => "NULL_VALUE",
    };
    format!("{token} can not be converted to {expected}")
}

fn expected_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Structure(_) | Kind::Document => "a Structure",
        Kind::List { .. } => "a List",
        Kind::Map { .. } => "a Map",
        Kind::String(_) => "a String",
        Kind::Integer { long: false, .. } => "an Integer",
        Kind::Integer { long: true, .. } => "a Long",
        Kind::Float => "a Double",
        Kind::Boolean => "a Boolean",
        Kind::Blob { .. } => "a ByteBuffer",
        Kind::Timestamp => "a Date",
    }
}

// ---- the second pass: constraints ----------------------------------------------------------

fn collect_struct(
    m: &ServiceModel,
    s: &Structure,
    body: &Map<String, Value>,
    prefix: &str,
    items: &mut Vec<String>,
) {
    for mem in &s.members {
        let path = if prefix.is_empty() {
            mem.path.clone()
        } else {
            format!("{prefix}.{}", mem.path)
        };
        match body.get(&mem.name) {
            None | Some(Value::Null) => {
                if mem.required {
                    items.push(item(None, &path, "Member must not be null"));
                }
            }
            Some(v) => collect_value(m, mem.shape, v, &path, items),
        }
    }
}

fn collect_value(m: &ServiceModel, id: ShapeId, v: &Value, path: &str, items: &mut Vec<String>) {
    let shown = |v: &Value| (!redacted(m, id)).then(|| render(v));
    let mut push = |text: String| items.push(item(Some(shown(v)), path, &text));
    match (&m.shape(id).kind, v) {
        (Kind::Structure(s), Value::Object(o)) => collect_struct(m, s, o, path, items),
        (Kind::String(c), Value::String(s)) => {
            for text in string_violations(c, s) {
                push(text);
            }
        }
        (Kind::Integer { range, .. }, Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                for text in range_violations(range, i, "value") {
                    push(text);
                }
            }
        }
        (Kind::Blob { len }, Value::String(s)) => {
            for text in range_violations(len, blob_len(s), "length") {
                push(text);
            }
        }
        (Kind::List { member, len }, Value::Array(a)) => {
            for text in range_violations(len, a.len() as u64, "length") {
                push(text);
            }
            if is_container(m, *member) {
                for (i, e) in a.iter().enumerate() {
                    collect_value(m, *member, e, &format!("{path}.{}.member", i + 1), items);
                }
            } else if a.iter().any(|e| !value_ok(m, *member, e)) {
                let all = constraint_list(m, *member);
                items.push(item(
                    Some(shown(v)),
                    path,
                    &format!("Member must satisfy constraint: [{all}]"),
                ));
            }
        }
        (Kind::Map { key, value, len }, Value::Object(o)) => {
            for text in range_violations(len, o.len() as u64, "length") {
                push(text);
            }
            if o.keys().any(|k| !key_ok(m, *key, k)) {
                let all = constraint_list(m, *key);
                items.push(item(
                    Some(shown(v)),
                    path,
                    &format!("Map key must satisfy constraint: [{all}]"),
                ));
            }
            if is_container(m, *value) {
                for (k, e) in o {
                    collect_value(m, *value, e, &format!("{path}.{k}.member"), items);
                }
            } else if o.values().any(|e| !value_ok(m, *value, e)) {
                let all = constraint_list(m, *value);
                items.push(item(
                    Some(shown(v)),
                    path,
                    &format!("Map value must satisfy constraint: [{all}]"),
                ));
            }
        }
        _ => {}
    }
}

fn is_container(m: &ServiceModel, id: ShapeId) -> bool {
    matches!(
        m.shape(id).kind,
        Kind::Structure(_) | Kind::List { .. } | Kind::Map { .. }
    )
}

/// Whether the value at a shape is left out of messages: a sensitive shape, or a list or map
/// whose elements are sensitive.
fn redacted(m: &ServiceModel, id: ShapeId) -> bool {
    let shape = m.shape(id);
    shape.sensitive
        || match shape.kind {
            Kind::List { member, .. } => m.shape(member).sensitive,
            Kind::Map { key, value, .. } => m.shape(key).sensitive || m.shape(value).sensitive,
            _ => false,
        }
}

/// The broken constraints of a string, in AWS's order: length, pattern, enum.
fn string_violations(c: &StringShape, s: &str) -> Vec<String> {
    let mut out = range_violations(&c.len, char_len(s), "length");
    if let Some(p) = &c.pattern
        && !p.matches(s)
    {
        out.push(format!(
            "Member must satisfy regular expression pattern: {}",
            p.source
        ));
    }
    if let Some(e) = &c.enumeration
        && !e.iter().any(|v| v == s)
    {
        out.push(format!(
            "Member must satisfy enum value set: [{}]",
            e.join(", ")
        ));
    }
    out
}

fn range_violations<T: PartialOrd + Copy + std::fmt::Display>(
    r: &Range<T>,
    v: T,
    what: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(min) = r.min
        && v < min
    {
        out.push(format!(
            "Member must have {what} greater than or equal to {min}"
        ));
    }
    if let Some(max) = r.max
        && v > max
    {
        out.push(format!(
            "Member must have {what} less than or equal to {max}"
        ));
    }
    out
}

/// Every constraint of an element shape, as AWS lists them in the bracketed form (maximum
/// before minimum, then pattern and enum).
fn constraint_list(m: &ServiceModel, id: ShapeId) -> String {
    let mut parts = Vec::new();
    let bounds = |parts: &mut Vec<String>, what: &str, min: Option<String>, max: Option<String>| {
        if let Some(max) = max {
            parts.push(format!(
                "Member must have {what} less than or equal to {max}"
            ));
        }
        if let Some(min) = min {
            parts.push(format!(
                "Member must have {what} greater than or equal to {min}"
            ));
        }
    };
    match &m.shape(id).kind {
        Kind::String(c) => {
            bounds(
                &mut parts,
                "length",
                c.len.min.map(|v| v.to_string()),
                c.len.max.map(|v| v.to_string()),
            );
            if let Some(p) = &c.pattern {
                parts.push(format!(
                    "Member must satisfy regular expression pattern: {}",
                    p.source
                ));
            }
            if let Some(e) = &c.enumeration {
                parts.push(format!(
                    "Member must satisfy enum value set: [{}]",
                    e.join(", ")
                ));
            }
        }
        Kind::Integer { range, .. } => bounds(
            &mut parts,
            "value",
            range.min.map(|v| v.to_string()),
            range.max.map(|v| v.to_string()),
        ),
        Kind::Blob { len } => bounds(
            &mut parts,
            "length",
            len.min.map(|v| v.to_string()),
            len.max.map(|v| v.to_string()),
        ),
        _ => {}
    }
    parts.join(", ")
}

/// One message item; `value` is `None` for a missing member, `Some(None)` for a redacted one.
fn item(value: Option<Option<String>>, path: &str, constraint: &str) -> String {
    match value {
        None => format!("Value null at '{path}' failed to satisfy constraint: {constraint}"),
        Some(None) => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
        Some(Some(v)) => {
            format!("Value '{v}' at '{path}' failed to satisfy constraint: {constraint}")
        }
    }
}

/// A value as AWS prints it in messages (Java's `toString`): strings verbatim, lists
/// `[a, b]`, maps and structures `{k=v, k2=v2}`.
pub(super) fn render(v: &Value) -> String {
    let mut out = String::new();
    render_into(v, &mut out);
    out
}

fn render_into(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(e, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, e)) in o.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render_into(e, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Service, validate as validate_op};

    fn check(op: &str, body: serde_json::Value) -> Result<(), (String, String)> {
        let serde_json::Value::Object(m) = body else {
            panic!("not an object")
        };
        validate_op(Service::UserPools, op, &m).map_err(|e| (e.kind, e.message))
    }

    #[test]
    fn a_missing_required_member_is_named() {
        let (kind, msg) = check("InitiateAuth", json!({"AuthFlow": "USER_SRP_AUTH"})).unwrap_err();
        assert_eq!(kind, "InvalidParameterException");
        assert_eq!(
            msg,
            "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn several_violations_are_counted_and_sensitive_values_redacted() {
        let (_, msg) = check(
            "SignUp",
            json!({"ClientId": "abc", "Username": "a b", "Password": "x y", "UserAttributes": [{"Name": ""}]}),
        )
        .unwrap_err();
        assert_eq!(
            msg,
            "4 validation errors detected: \
             Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+; \
             Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+; \
             Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value '' at 'userAttributes.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"
        );
    }

    #[test]
    fn enums_ranges_and_string_lists() {
        let (_, msg) = check(
            "AdminCreateUser",
            json!({"UserPoolId": "us-east-1_abc", "Username": "bob", "MessageAction": "SURPRESS",
                   "DesiredDeliveryMediums": ["EMAIL", "FAX"]}),
        )
        .unwrap_err();
        assert_eq!(
            msg,
            "2 validation errors detected: \
             Value 'SURPRESS' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]; \
             Value '[EMAIL, FAX]' at 'desiredDeliveryMediums' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [SMS, EMAIL]]"
        );
        let (_, msg) = check(
            "ListUsers",
            json!({"UserPoolId": "us-east-1_abc", "Limit": -1}),
        )
        .unwrap_err();
        assert_eq!(
            msg,
            "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"
        );
    }

    #[test]
    fn wrong_types_are_serialization_errors_and_unknown_members_are_ignored() {
        let (kind, msg) = check(
            "ConfirmForgotPassword",
            json!({"ClientId": "abc", "Username": "u", "Password": "p", "ConfirmationCode": {"c": "1"}}),
        )
        .unwrap_err();
        assert_eq!(kind, "SerializationException");
        assert_eq!(msg, "Start of structure or map found where not expected.");
        let (kind, msg) = check(
            "ListUsers",
            json!({"UserPoolId": "us-east-1_abc", "Limit": "5"}),
        )
        .unwrap_err();
        assert_eq!(
            (kind.as_str(), msg.as_str()),
            (
                "SerializationException",
                "STRING_VALUE can not be converted to an Integer"
            )
        );
        // A type error wins over a constraint violation elsewhere.
        let (kind, _) = check("ListUsers", json!({"Limit": true})).unwrap_err();
        assert_eq!(kind, "SerializationException");
        assert!(
            check(
                "ListUsers",
                json!({"UserPoolId": "us-east-1_abc", "NoSuchMember": [1, 2]})
            )
            .is_ok()
        );
        assert!(
            check(
                "ListUsers",
                json!({"UserPoolId": "us-east-1_abc", "Limit": null})
            )
            .is_ok()
        );
    }

    #[test]
    fn maps_report_their_values_at_the_map() {
        let (_, msg) = check(
            "AdminCreateUser",
            json!({"UserPoolId": "us-east-1_abc", "Username": "bob", "ClientMetadata": {"k": "x".repeat(131_073)}}),
        )
        .unwrap_err();
        assert!(
            msg.starts_with("1 validation error detected: Value '{k=xxx")
                && msg.ends_with("at 'clientMetadata' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 131072, Member must have length greater than or equal to 0]"),
            "{msg}"
        );
        let err = check(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "abc", "AuthParameters": {"": "v"}}),
        );
        assert!(
            err.is_ok()
                || err
                    .unwrap_err()
                    .1
                    .starts_with("1 validation error detected: Value at 'authParameters'")
        );
    }

    #[test]
    fn unknown_operations_are_refused() {
        let (kind, _) = check("NoSuchOperation", json!({})).unwrap_err();
        assert_eq!(kind, "UnknownOperationException");
    }
}
