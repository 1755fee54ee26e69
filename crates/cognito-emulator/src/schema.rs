//! A pool's attribute schema: the standard attributes as AWS defines them, the custom ones a
//! pool declares (`Schema` at creation, `AddCustomAttributes` later), and the checks every
//! attribute write goes through (unknown names, reserved names, the client's write list,
//! immutability, type and length constraints, AWS's parsing of booleans).

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Body, invalid_param, not_authorized};

/// At most this many custom attributes (developer-only ones included) per pool.
pub(crate) const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// `AttributeDataType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum DataType {
    String,
    Number,
    DateTime,
    Boolean,
}

impl DataType {
    fn parse(s: &str) -> Option<DataType> {
        Some(match s {
            "String" => DataType::String,
            "Number" => DataType::Number,
            "DateTime" => DataType::DateTime,
            "Boolean" => DataType::Boolean,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            DataType::String => "String",
            DataType::Number => "Number",
            DataType::DateTime => "DateTime",
            DataType::Boolean => "Boolean",
        }
    }
}

/// One attribute of a pool's schema.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct AttrDef {
    /// The name requests use: `email`, `custom:team`, `dev:custom:flag`.
    pub name: String,
    pub kind: DataType,
    pub developer_only: bool,
    pub mutable: bool,
    pub required: bool,
    /// `StringAttributeConstraints` as given (AWS answers with the strings it was given).
    pub string: Option<(Option<String>, Option<String>)>,
    /// `NumberAttributeConstraints` as given.
    pub number: Option<(Option<String>, Option<String>)>,
}

impl AttrDef {
    fn standard(name: &str, kind: DataType, mutable: bool, required: bool) -> AttrDef {
        let string = match (kind, name) {
            (DataType::String, "sub") => Some((Some("1".into()), Some("2048".into()))),
            (DataType::String, "birthdate") => Some((Some("10".into()), Some("10".into()))),
            (DataType::String, _) => Some((Some("0".into()), Some("2048".into()))),
            _ => None,
        };
        let number = (kind == DataType::Number).then(|| (Some("0".into()), None));
        AttrDef {
            name: name.to_string(),
            kind,
            developer_only: false,
            mutable,
            required,
            string,
            number,
        }
    }

    /// The `SchemaAttributeType` AWS's `DescribeUserPool` answers with.
    pub fn describe(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), json!(self.name));
        m.insert("AttributeDataType".into(), json!(self.kind.name()));
        m.insert("DeveloperOnlyAttribute".into(), json!(self.developer_only));
        m.insert("Mutable".into(), json!(self.mutable));
        m.insert("Required".into(), json!(self.required));
        let constraints = |(min, max): &(Option<String>, Option<String>), lo: &str, hi: &str| {
            let mut c = Map::new();
            if let Some(v) = min {
                c.insert(lo.into(), json!(v));
            }
            if let Some(v) = max {
                c.insert(hi.into(), json!(v));
            }
            Value::Object(c)
        };
        if let Some(s) = &self.string {
            m.insert(
                "StringAttributeConstraints".into(),
                constraints(s, "MinLength", "MaxLength"),
            );
        }
        if let Some(n) = &self.number {
            m.insert(
                "NumberAttributeConstraints".into(),
                constraints(n, "MinValue", "MaxValue"),
            );
        }
        Value::Object(m)
    }

    /// Checks `value` against the type and constraints; returns the value as stored (booleans
    /// are accepted in any case and stored in lower case, as AWS does).
    fn check_value(&self, value: &str) -> Result<String, String> {
        match self.kind {
            DataType::Boolean => match value.to_ascii_lowercase().as_str() {
                v @ ("true" | "false") => Ok(v.to_string()),
                _ => Err("Attribute value must be a boolean (true or false)".into()),
            },
            DataType::Number => {
                let n: f64 = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| "Number is not valid".to_string())?;
                if let Some((min, max)) = &self.number {
                    if let Some(m) = min.as_deref().and_then(|m| m.parse::<f64>().ok())
                        && n < m
                    {
                        return Err(format!("Number must be no less than {}", fmt_num(m)));
                    }
                    if let Some(m) = max.as_deref().and_then(|m| m.parse::<f64>().ok())
                        && n > m
                    {
                        return Err(format!("Number must be no greater than {}", fmt_num(m)));
                    }
                }
                Ok(value.to_string())
            }
            DataType::String | DataType::DateTime => {
                let len = value.chars().count() as u64;
                if let Some((min, max)) = &self.string {
                    if let Some(m) = min.as_deref().and_then(|m| m.parse::<u64>().ok())
                        && len < m
                        && !value.is_empty()
                    {
                        return Err(format!("String must be no shorter than {m} characters"));
                    }
                    if let Some(m) = max.as_deref().and_then(|m| m.parse::<u64>().ok())
                        && len > m
                    {
                        return Err(format!("String must be no longer than {m} characters"));
                    }
                }
                Ok(value.to_string())
            }
        }
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The standard attributes of every pool, in the order AWS's `DescribeUserPool` lists them
/// for a new pool.
const STANDARD: &[(&str, DataType)] = &[
    ("sub", DataType::String),
    ("name", DataType::String),
    ("given_name", DataType::String),
    ("family_name", DataType::String),
    ("middle_name", DataType::String),
    ("nickname", DataType::String),
    ("preferred_username", DataType::String),
    ("profile", DataType::String),
    ("picture", DataType::String),
    ("website", DataType::String),
    ("email", DataType::String),
    ("email_verified", DataType::Boolean),
    ("gender", DataType::String),
    ("birthdate", DataType::String),
    ("zoneinfo", DataType::String),
    ("locale", DataType::String),
    ("phone_number", DataType::String),
    ("phone_number_verified", DataType::Boolean),
    ("address", DataType::String),
    ("updated_at", DataType::Number),
];

/// Whether `name` is one of AWS's standard attributes.
pub(crate) fn is_standard(name: &str) -> bool {
    STANDARD.iter().any(|(n, _)| *n == name)
}

/// Claims Cognito itself puts in its tokens: no stored attribute may ever become one of them.
/// (`sub` is written by the token code from the user record, never from the attributes.)
pub(crate) fn is_reserved_claim(name: &str) -> bool {
    name.starts_with("cognito:")
        || matches!(
            name,
            "sub"
                | "iss"
                | "aud"
                | "azp"
                | "token_use"
                | "auth_time"
                | "iat"
                | "exp"
                | "nbf"
                | "nonce"
                | "event_id"
                | "origin_jti"
                | "jti"
                | "username"
                | "client_id"
                | "scope"
                | "device_key"
                | "at_hash"
                | "c_hash"
                | "acr"
                | "amr"
                | "identities"
                | "version"
        )
}

/// The `<attr>_verified` flags: only verification flows and admins may set them.
pub(crate) fn is_verification_flag(name: &str) -> bool {
    name == "email_verified" || name == "phone_number_verified"
}

/// Who writes attributes, which decides what may be written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Writer<'a> {
    /// A public operation on behalf of a user (SignUp, UpdateUserAttributes,
    /// NEW_PASSWORD_REQUIRED): limited by the app client's `WriteAttributes` (`None`: every
    /// attribute a client may write).
    Client(Option<&'a [String]>),
    /// An admin operation (AdminCreateUser, AdminUpdateUserAttributes, ...).
    Admin,
}

/// Whether the request creates the user or updates one (AWS words its errors differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteKind {
    Create,
    Update,
}

fn unauthorized_attr() -> ApiError {
    not_authorized("A client attempted to write unauthorized attribute")
}

fn schema_errors(kind: WriteKind, errors: &[String]) -> ApiError {
    let prefix = match kind {
        WriteKind::Create => "Attributes did not conform to the schema: ",
        WriteKind::Update => "Invalid user attributes: ",
    };
    invalid_param(format!("{prefix}{}", errors.join("\n")))
}

/// The error AWS gives for required attributes a user lacks.
pub(crate) fn required_error(missing: &[&str]) -> ApiError {
    let lines: Vec<String> = missing
        .iter()
        .map(|n| format!("{n}: The attribute is required"))
        .collect();
    invalid_param(format!(
        "Attributes did not conform to the schema: {}",
        lines.join("\n")
    ))
}

/// A pool's attributes: the standard ones, then the custom ones in the order they were added.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Schema {
    attrs: Vec<AttrDef>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::standard()
    }
}

impl Schema {
    /// The schema of a pool created without `Schema`.
    pub fn standard() -> Schema {
        Schema {
            attrs: STANDARD
                .iter()
                .map(|(n, k)| AttrDef::standard(n, *k, *n != "sub", *n == "sub"))
                .collect(),
        }
    }

    /// The schema of `CreateUserPool`'s `Schema` member (`None`: absent).
    pub fn from_request(list: Option<&Value>) -> ApiResult<Schema> {
        let mut schema = Schema::standard();
        let Some(list) = list else {
            return Ok(schema);
        };
        let Some(items) = list.as_array() else {
            return Err(crate::api::serialization(
                "Unexpected value type for member Schema: expected a list",
            ));
        };
        let mut custom = Vec::new();
        for item in items {
            let (def, typed) = parse_def(item)?;
            if let Some(std) = schema.attrs.iter_mut().find(|a| a.name == def.name) {
                // A standard attribute keeps its data type and cannot be developer-only.
                if def.developer_only || (typed && def.kind != std.kind) {
                    return Err(invalid_param(format!(
                        "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
                        def.name
                    )));
                }
                if def.name == "sub" {
                    return Err(invalid_param("sub: The attribute sub cannot be modified."));
                }
                if is_verification_flag(&def.name) {
                    return Err(invalid_param(format!(
                        "{}: This attribute cannot be part of the schema.",
                        def.name
                    )));
                }
                std.required = def.required;
                std.mutable = def.mutable;
                if def.kind == DataType::String
                    && let Some(s) = def.string
                {
                    std.string = Some(s);
                }
            } else {
                custom.push(typed_custom(def, typed)?);
            }
        }
        schema.add_custom(custom)?;
        Ok(schema)
    }

    /// `AddCustomAttributes`' `CustomAttributes` member.
    pub fn parse_custom(list: &Value) -> ApiResult<Vec<AttrDef>> {
        let Some(items) = list.as_array() else {
            return Err(crate::api::serialization(
                "Unexpected value type for member CustomAttributes: expected a list",
            ));
        };
        items
            .iter()
            .map(|item| parse_def(item).and_then(|(def, typed)| typed_custom(def, typed)))
            .collect()
    }

    /// Adds custom attributes (names without their prefix), all or none.
    pub fn add_custom(&mut self, defs: Vec<AttrDef>) -> ApiResult<()> {
        let mut added = Vec::new();
        for mut def in defs {
            if def.required {
                return Err(invalid_param(
                    "Required custom attributes are not supported currently.",
                ));
            }
            def.name = if def.developer_only {
                format!("dev:custom:{}", def.name)
            } else {
                format!("custom:{}", def.name)
            };
            if def.kind == DataType::String && def.string.is_none() {
                def.string = Some((None, None));
            }
            if def.kind == DataType::Number && def.number.is_none() {
                def.number = Some((None, None));
            }
            let clash = |n: &str| {
                let bare = |x: &str| x.trim_start_matches("dev:").to_string();
                bare(n) == bare(&def.name)
            };
            if self.attrs.iter().any(|a| clash(&a.name))
                || added.iter().any(|a: &AttrDef| clash(&a.name))
            {
                return Err(invalid_param(format!(
                    "{0}: Existing attribute already has name {0}.",
                    def.name
                )));
            }
            added.push(def);
        }
        if self.custom_count() + added.len() > MAX_CUSTOM_ATTRIBUTES {
            return Err(invalid_param(format!(
                "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
            )));
        }
        self.attrs.extend(added);
        Ok(())
    }

    fn custom_count(&self) -> usize {
        self.attrs.iter().filter(|a| !is_standard(&a.name)).count()
    }

    /// `SchemaAttributes` as `DescribeUserPool` answers it.
    pub fn describe(&self) -> Value {
        Value::Array(self.attrs.iter().map(AttrDef::describe).collect())
    }

    pub fn get(&self, name: &str) -> Option<&AttrDef> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The attributes a user must have (`sub` aside: the emulator always keeps it).
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.attrs
            .iter()
            .filter(|a| a.required && a.name != "sub")
            .map(|a| a.name.as_str())
    }

    /// Whether an app client may read `name` given its `ReadAttributes` (`None`: every
    /// attribute).
    pub fn readable(&self, read: Option<&[String]>, name: &str) -> bool {
        if is_reserved_claim(name) {
            return false;
        }
        match read {
            Some(r) => r.iter().any(|x| x == name),
            None => true,
        }
    }

    /// Checks a list of attributes a caller wants to write and returns them as they are
    /// stored (an empty value deletes). `current` is the user's value of an attribute, or
    /// `None` when the user is being created.
    pub fn check_writes(
        &self,
        attrs: &[(String, String)],
        writer: Writer<'_>,
        kind: WriteKind,
        current: &dyn Fn(&str) -> Option<String>,
    ) -> ApiResult<Vec<(String, String)>> {
        // The client's permissions first: AWS answers NotAuthorized before looking at values.
        if let Writer::Client(write) = writer {
            for (name, _) in attrs {
                let listed = write.is_none_or(|w| w.iter().any(|x| x == name));
                let dev_only = self.get(name).is_some_and(|d| d.developer_only);
                if !listed || is_verification_flag(name) || dev_only {
                    return Err(unauthorized_attr());
                }
            }
        }
        let mut unknown = Vec::new();
        for (name, _) in attrs {
            if self.get(name).is_none() || name.starts_with("cognito:") {
                unknown.push(format!("{name}: Attribute does not exist in the schema."));
            }
        }
        if !unknown.is_empty() {
            return Err(schema_errors(kind, &unknown));
        }
        let mut out = Vec::with_capacity(attrs.len());
        let mut bad = Vec::new();
        for (name, value) in attrs {
            let Some(def) = self.get(name) else {
                continue;
            };
            if name == "sub" {
                return Err(invalid_param("Cannot modify the non-mutable attribute sub"));
            }
            if !def.mutable
                && kind == WriteKind::Update
                && current(name).is_some_and(|v| !v.is_empty())
            {
                return Err(invalid_param(format!(
                    "Cannot modify the non-mutable attribute {name}"
                )));
            }
            if value.is_empty() {
                out.push((name.clone(), String::new()));
                continue;
            }
            match def.check_value(value) {
                Ok(v) => out.push((name.clone(), v)),
                Err(e) => bad.push(format!("{name}: {e}")),
            }
        }
        if !bad.is_empty() {
            return Err(schema_errors(kind, &bad));
        }
        // A later duplicate wins, as it would when applied in order; keep only the last.
        let mut dedup: Vec<(String, String)> = Vec::with_capacity(out.len());
        for (k, v) in out {
            dedup.retain(|(x, _)| *x != k);
            dedup.push((k, v));
        }
        Ok(dedup)
    }

    /// Checks the names of attributes a caller wants to delete.
    pub fn check_deletes(&self, names: &[String], writer: Writer<'_>) -> ApiResult<()> {
        if let Writer::Client(write) = writer {
            for name in names {
                let listed = write.is_none_or(|w| w.iter().any(|x| x == name));
                let dev_only = self.get(name).is_some_and(|d| d.developer_only);
                if !listed || is_verification_flag(name) || dev_only {
                    return Err(unauthorized_attr());
                }
            }
        }
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| self.get(n).is_none())
            .map(|n| format!("{n}: Attribute does not exist in the schema."))
            .collect();
        if !unknown.is_empty() {
            return Err(schema_errors(WriteKind::Update, &unknown));
        }
        for name in names {
            let def = self.get(name).expect("checked above");
            if name == "sub" || !def.mutable {
                return Err(invalid_param(format!(
                    "Cannot modify the non-mutable attribute {name}"
                )));
            }
            if def.required {
                return Err(required_error(&[name]));
            }
        }
        Ok(())
    }
}

/// A custom attribute must name its data type (AWS has no default for it).
fn typed_custom(def: AttrDef, typed: bool) -> ApiResult<AttrDef> {
    if typed {
        Ok(def)
    } else {
        Err(invalid_param(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ))
    }
}

/// One `SchemaAttributeType`, and whether it named its `AttributeDataType`.
fn parse_def(item: &Value) -> ApiResult<(AttrDef, bool)> {
    let Some(m) = item.as_object() else {
        return Err(crate::api::serialization(
            "Unexpected value type in list: expected an object",
        ));
    };
    let b = Body(m);
    let name = b.str("Name")?.to_string();
    let typed = b.opt_str("AttributeDataType")?.is_some();
    let kind = match b.opt_str("AttributeDataType")? {
        None => DataType::String,
        Some(k) => {
            DataType::parse(k).ok_or_else(|| crate::api::beyond_model("AttributeDataType", k))?
        }
    };
    let pair =
        |key: &str, lo: &str, hi: &str| -> ApiResult<Option<(Option<String>, Option<String>)>> {
            let Some(c) = b.opt_obj(key)? else {
                return Ok(None);
            };
            Ok(Some((
                c.opt_str(lo)?.map(str::to_string),
                c.opt_str(hi)?.map(str::to_string),
            )))
        };
    let string = pair("StringAttributeConstraints", "MinLength", "MaxLength")?;
    if let Some((min, max)) = &string {
        let parse = |v: &Option<String>| -> ApiResult<Option<u64>> {
            v.as_deref()
                .map(|s| {
                    s.parse::<u64>().map_err(|_| {
                        invalid_param(format!("{name}: Invalid string length constraint {s}"))
                    })
                })
                .transpose()
        };
        let (lo, hi) = (parse(min)?, parse(max)?);
        if hi.is_some_and(|h| h > 2048) || lo.zip(hi).is_some_and(|(l, h)| l > h) {
            return Err(invalid_param(format!(
                "{name}: StringAttributeConstraints are not valid (lengths are 0 to 2048, MinLength no more than MaxLength)."
            )));
        }
    }
    let number = pair("NumberAttributeConstraints", "MinValue", "MaxValue")?;
    if let Some((min, max)) = &number {
        let parse = |v: &Option<String>| -> ApiResult<Option<f64>> {
            v.as_deref()
                .map(|s| {
                    s.parse::<f64>().map_err(|_| {
                        invalid_param(format!("{name}: Invalid number constraint {s}"))
                    })
                })
                .transpose()
        };
        if let (Some(lo), Some(hi)) = (parse(min)?, parse(max)?)
            && lo > hi
        {
            return Err(invalid_param(format!(
                "{name}: NumberAttributeConstraints MinValue must not exceed MaxValue."
            )));
        }
    }
    Ok((
        AttrDef {
            name,
            kind,
            developer_only: b.opt_bool("DeveloperOnlyAttribute")?.unwrap_or(false),
            mutable: b.opt_bool("Mutable")?.unwrap_or(true),
            required: b.opt_bool("Required")?.unwrap_or(false),
            string: if kind == DataType::String {
                string
            } else {
                None
            },
            number: if kind == DataType::Number {
                number
            } else {
                None
            },
        },
        typed,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_new_pool_describes_the_twenty_standard_attributes() {
        let d = Schema::standard().describe();
        let list = d.as_array().expect("list");
        assert_eq!(list.len(), 20);
        assert_eq!(
            list[0],
            json!({"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
                   "Mutable": false, "Required": true,
                   "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}})
        );
        assert_eq!(
            list[11],
            json!({"Name": "email_verified", "AttributeDataType": "Boolean",
                   "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false})
        );
        assert_eq!(
            list[19],
            json!({"Name": "updated_at", "AttributeDataType": "Number",
                   "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false,
                   "NumberAttributeConstraints": {"MinValue": "0"}})
        );
        assert_eq!(
            list[13]["StringAttributeConstraints"],
            json!({"MinLength": "10", "MaxLength": "10"})
        );
    }

    #[test]
    fn booleans_are_parsed_case_insensitively() {
        let s = Schema::standard();
        let out = s
            .check_writes(
                &[("email_verified".into(), "True".into())],
                Writer::Admin,
                WriteKind::Update,
                &none,
            )
            .expect("accepted");
        assert_eq!(
            out,
            vec![("email_verified".to_string(), "true".to_string())]
        );
        let e = s
            .check_writes(
                &[("email_verified".into(), "yes".into())],
                Writer::Admin,
                WriteKind::Update,
                &none,
            )
            .expect_err("refused");
        assert_eq!(e.kind, "InvalidParameterException");
    }

    #[test]
    fn every_cognito_name_is_reserved() {
        for n in [
            "cognito:groups",
            "cognito:roles",
            "sub",
            "iss",
            "token_use",
            "origin_jti",
        ] {
            assert!(is_reserved_claim(n), "{n}");
        }
        for n in ["email", "custom:team", "email_verified", "name"] {
            assert!(!is_reserved_claim(n), "{n}");
        }
    }
}
