//! AWS's published service models, vendored from botocore (`model/` in this crate, Apache-2.0,
//! see `model/NOTICE`), as the data the emulator runs on.
//!
//! Each model is parsed once, on first use, into shapes with precompiled checks. Every request
//! is validated against its operation's input shape before the operation runs
//! ([`validate_request`]): a wrong JSON type is a `SerializationException`, a broken constraint
//! (required, length, pattern, enum, range, list and map sizes) an `InvalidParameterException`
//! worded as AWS words it. [`check_response`] checks a response body against the operation's
//! output shape; the emulator's tests run it over every body they receive.

pub(crate) mod emulated;
mod input;
mod output;
mod pattern;

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use serde::Deserialize;
use serde_json::Value;

use crate::api::ApiError;

pub(crate) use emulated::{IDENTITY_OPERATIONS, Service, USER_POOL_OPERATIONS, unknown_operation};
pub(crate) use input::top_level_type_error as input_type_error;
use output::check_output;

/// The Amazon Cognito user pools model (`cognito-idp`, API version 2016-04-18) as botocore
/// ships it.
pub const COGNITO_IDP_MODEL: &str = include_str!("../../model/cognito-idp-2016-04-18.json");

/// The Amazon Cognito identity pools model (`cognito-identity`, API version 2014-06-30) as
/// botocore ships it.
pub const COGNITO_IDENTITY_MODEL: &str =
    include_str!("../../model/cognito-identity-2014-06-30.json");

/// The botocore release the models come from (`model/VERSION`).
pub const MODEL_SOURCE: &str = include_str!("../../model/VERSION");

pub(crate) type ShapeId = u32;

/// One service's model, compiled.
pub(crate) struct ServiceModel {
    /// `X-Amz-Target` prefix, e.g. `AWSCognitoIdentityProviderService`.
    pub target_prefix: String,
    /// e.g. `Amazon Cognito Identity Provider`.
    pub full_name: String,
    /// e.g. `2016-04-18`.
    pub api_version: String,
    operations: HashMap<String, Operation>,
    shapes: Vec<Shape>,
}

/// An operation of a model.
pub(crate) struct Operation {
    pub input: Option<ShapeId>,
    pub output: Option<ShapeId>,
    /// `authtype: none`: AWS serves the operation without a SigV4 signature (what a browser
    /// application calls with a user's password or tokens).
    pub unsigned: bool,
}

pub(crate) struct Shape {
    pub name: String,
    /// `sensitive: true`: the value is left out of validation messages.
    pub sensitive: bool,
    pub kind: Kind,
}

pub(crate) enum Kind {
    Structure(Structure),
    /// A `document: true` structure: any JSON value.
    Document,
    List {
        member: ShapeId,
        len: Range<u64>,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        len: Range<u64>,
    },
    String(StringShape),
    /// `integer` (32-bit) or `long`.
    Integer {
        long: bool,
        range: Range<i64>,
    },
    Float,
    Boolean,
    Blob {
        len: Range<u64>,
    },
    Timestamp,
}

/// Optional inclusive bounds.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Range<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

impl<T: PartialOrd + Copy> Range<T> {
    fn contains(&self, v: T) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

pub(crate) struct Structure {
    /// In model order (the order violations are reported in).
    pub members: Vec<Member>,
    /// Member names sorted, for lookup by binary search.
    by_name: Vec<(String, u16)>,
    /// Indexes of the required members.
    pub required: Vec<u16>,
}

impl Structure {
    fn member(&self, name: &str) -> Option<&Member> {
        let i = self
            .by_name
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        self.members.get(usize::from(self.by_name.get(i)?.1))
    }
}

pub(crate) struct Member {
    /// As in the JSON body, e.g. `UserPoolId`.
    pub name: String,
    /// As in validation messages: the first letter lower-cased, e.g. `userPoolId`.
    pub path: String,
    pub shape: ShapeId,
    pub required: bool,
}

pub(crate) struct StringShape {
    pub len: Range<u64>,
    pub pattern: Option<Pattern>,
    pub enumeration: Option<Vec<String>>,
}

/// A `pattern` trait, compiled on first use.
pub(crate) struct Pattern {
    /// The model's pattern, quoted by validation messages.
    pub source: String,
    /// The pattern AWS actually enforces, where it accepts more than the model says.
    enforced: Option<&'static str>,
    compiled: OnceLock<Option<fancy_regex::Regex>>,
}

/// Patterns of the models that AWS does not enforce as written, by shape name. `DomainType`
/// allows one DNS label only, yet `CreateUserPoolDomain` takes a custom domain as a fully
/// qualified name (`auth.example.com`, the model's own documentation of the member), so
/// dotted names pass here and the operation refuses them for prefix domains.
const ENFORCED_PATTERNS: &[(&str, &str)] = &[(
    "DomainType",
    r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*$",
)];

impl Pattern {
    /// Whether `value` matches; a pattern that does not compile matches everything (a unit
    /// test asserts that every pattern of the vendored models compiles).
    fn matches(&self, value: &str) -> bool {
        let source = self.enforced.unwrap_or(&self.source);
        match self.compiled.get_or_init(|| pattern::compile(source)) {
            Some(re) => pattern::matches(re, value),
            None => true,
        }
    }
}

impl StringShape {
    /// Whether `s` satisfies every constraint (the fast path: no allocation).
    fn accepts(&self, s: &str) -> bool {
        if (self.len.min.is_some() || self.len.max.is_some()) && !self.len.contains(char_len(s)) {
            return false;
        }
        if let Some(e) = &self.enumeration
            && !e.iter().any(|v| v == s)
        {
            return false;
        }
        self.pattern.as_ref().is_none_or(|p| p.matches(s))
    }
}

/// String length as AWS's constraint counts it: Unicode code points (a character outside the
/// Basic Multilingual Plane counts once).
fn char_len(s: &str) -> u64 {
    s.chars().count() as u64
}

/// Lower-cases the first letter, as AWS names members in validation messages.
fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The parts of a botocore `service-2.json` the emulator runs on.
#[derive(Deserialize)]
struct RawDoc {
    metadata: RawMeta,
    operations: Ordered<RawOperation>,
    shapes: Ordered<RawShape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    target_prefix: String,
    service_full_name: String,
    api_version: String,
}

#[derive(Deserialize)]
struct RawOperation {
    input: Option<RawRef>,
    output: Option<RawRef>,
    authtype: Option<String>,
}

#[derive(Deserialize)]
struct RawRef {
    shape: String,
}

#[derive(Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    members: Ordered<RawRef>,
    #[serde(default)]
    required: Vec<String>,
    member: Option<RawRef>,
    key: Option<RawRef>,
    value: Option<RawRef>,
    min: Option<f64>,
    max: Option<f64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    enumeration: Option<Vec<String>>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    document: bool,
}

/// A JSON object read in document order (a structure's members are reported in that order).
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = a.next_entry::<String, T>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

fn bounds_u64(s: &RawShape) -> Range<u64> {
    Range {
        min: s.min.map(|f| f.max(0.0) as u64),
        max: s.max.map(|f| f.max(0.0) as u64),
    }
}

fn bounds_i64(s: &RawShape) -> Range<i64> {
    Range {
        min: s.min.map(|f| f as i64),
        max: s.max.map(|f| f as i64),
    }
}

impl ServiceModel {
    /// Parses a botocore `service-2.json`.
    pub(crate) fn parse(json: &str) -> Result<ServiceModel, String> {
        let doc: RawDoc = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let ids: HashMap<&str, ShapeId> = doc
            .shapes
            .0
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_str(), i as ShapeId))
            .collect();
        let shape_ref = |r: Option<&RawRef>, ctx: &str| -> Result<ShapeId, String> {
            let name = r
                .map(|r| r.shape.as_str())
                .ok_or(format!("{ctx}: no shape reference"))?;
            ids.get(name)
                .copied()
                .ok_or(format!("{ctx}: unknown shape {name}"))
        };
        let mut shapes = Vec::with_capacity(doc.shapes.0.len());
        for (name, s) in &doc.shapes.0 {
            let kind = match s.ty.as_str() {
                "structure" if s.document => Kind::Document,
                "structure" => {
                    let mut members = Vec::new();
                    for (mname, mref) in &s.members.0 {
                        members.push(Member {
                            name: mname.clone(),
                            path: camel(mname),
                            shape: shape_ref(Some(mref), &format!("{name}.{mname}"))?,
                            required: s.required.contains(mname),
                        });
                    }
                    let mut by_name: Vec<(String, u16)> = members
                        .iter()
                        .enumerate()
                        .map(|(i, m)| (m.name.clone(), i as u16))
                        .collect();
                    by_name.sort();
                    let required = members
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| m.required)
                        .map(|(i, _)| i as u16)
                        .collect();
                    Kind::Structure(Structure {
                        members,
                        by_name,
                        required,
                    })
                }
                "list" => Kind::List {
                    member: shape_ref(s.member.as_ref(), name)?,
                    len: bounds_u64(s),
                },
                "map" => Kind::Map {
                    key: shape_ref(s.key.as_ref(), name)?,
                    value: shape_ref(s.value.as_ref(), name)?,
                    len: bounds_u64(s),
                },
                "string" => Kind::String(StringShape {
                    len: bounds_u64(s),
                    pattern: s.pattern.as_ref().map(|p| Pattern {
                        source: p.clone(),
                        enforced: ENFORCED_PATTERNS
                            .iter()
                            .find(|(shape, _)| *shape == name)
                            .map(|(_, p)| *p),
                        compiled: OnceLock::new(),
                    }),
                    enumeration: s.enumeration.clone(),
                }),
                "integer" | "long" => Kind::Integer {
                    long: s.ty == "long",
                    range: bounds_i64(s),
                },
                "float" | "double" => Kind::Float,
                "boolean" => Kind::Boolean,
                "blob" => Kind::Blob { len: bounds_u64(s) },
                "timestamp" => Kind::Timestamp,
                other => return Err(format!("shape {name}: unsupported type {other:?}")),
            };
            shapes.push(Shape {
                name: name.clone(),
                sensitive: s.sensitive,
                kind,
            });
        }
        let mut operations = HashMap::new();
        for (name, o) in &doc.operations.0 {
            let input = match &o.input {
                Some(r) => Some(shape_ref(Some(r), name)?),
                None => None,
            };
            let output = match &o.output {
                Some(r) => Some(shape_ref(Some(r), name)?),
                None => None,
            };
            let unsigned = o.authtype.as_deref() == Some("none");
            operations.insert(
                name.clone(),
                Operation {
                    input,
                    output,
                    unsigned,
                },
            );
        }
        Ok(ServiceModel {
            target_prefix: doc.metadata.target_prefix,
            full_name: doc.metadata.service_full_name,
            api_version: doc.metadata.api_version,
            operations,
            shapes,
        })
    }

    pub(crate) fn shape(&self, id: ShapeId) -> &Shape {
        // Ids come from this model's own index, so the lookup cannot miss.
        &self.shapes[id as usize]
    }

    pub(crate) fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// Every operation name, sorted.
    pub(crate) fn operation_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.operations.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    #[cfg(test)]
    fn shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.iter()
    }
}

static USER_POOLS: LazyLock<ServiceModel> = LazyLock::new(|| {
    ServiceModel::parse(COGNITO_IDP_MODEL).expect("the vendored cognito-idp model parses")
});
static IDENTITY: LazyLock<ServiceModel> = LazyLock::new(|| {
    ServiceModel::parse(COGNITO_IDENTITY_MODEL).expect("the vendored cognito-identity model parses")
});

/// The compiled model of a service.
pub(crate) fn model(service: Service) -> &'static ServiceModel {
    match service {
        Service::UserPools => &USER_POOLS,
        Service::Identity => &IDENTITY,
    }
}

/// Which service an `X-Amz-Target` prefix names.
pub(crate) fn service_of_prefix(prefix: &str) -> Option<Service> {
    match prefix {
        "AWSCognitoIdentityProviderService" => Some(Service::UserPools),
        "AWSCognitoIdentityService" => Some(Service::Identity),
        _ => None,
    }
}

fn split_target(target: &str) -> Option<(Service, &str)> {
    let (prefix, op) = target.split_once('.')?;
    Some((service_of_prefix(prefix)?, op))
}

/// Whether AWS serves `op` without a SigV4 signature (the model's `authtype: none`).
pub(crate) fn unsigned(service: Service, op: &str) -> bool {
    model(service).operation(op).is_some_and(|o| o.unsigned)
}

/// Whether the emulator serves an operation.
pub(crate) fn emulated(service: Service, op: &str) -> bool {
    match service {
        Service::UserPools => USER_POOL_OPERATIONS.contains(&op),
        Service::Identity => IDENTITY_OPERATIONS.contains(&op),
    }
}

/// The answer to an operation of the model that the emulator does not serve: HTTP 501
/// `NotImplementedException` naming it (a 5xx status that AWS SDKs do not retry: they retry
/// 500, 502, 503 and 504 only).
pub(crate) fn not_emulated(service: Service, op: &str) -> ApiError {
    let m = model(service);
    ApiError {
        kind: "NotImplementedException".to_string(),
        message: format!(
            "{op} is an operation of {} (API {}) that cognito-emulator does not emulate; \
             COVERAGE.md in the cognito-emulator crate lists the emulated operations",
            m.full_name, m.api_version
        ),
        status: 501,
    }
}

/// Whether `member` is a member of the user-pool operation `op`'s input shape. AWS ignores
/// members its model does not declare, so an operation that stores its request as given
/// keeps only these.
pub(crate) fn declares_input_member(op: &str, member: &str) -> bool {
    let m = model(Service::UserPools);
    m.operation(op)
        .and_then(|o| o.input)
        .is_some_and(|input| match &m.shape(input).kind {
            Kind::Structure(s) => s.member(member).is_some(),
            _ => false,
        })
}

/// Validates a request body against the operation's input shape. Called before anything
/// else looks at the request, so an invalid request never reaches a lookup or changes state.
/// An operation the model does not know is `UnknownOperationException`.
pub(crate) fn validate(
    service: Service,
    op: &str,
    body: &serde_json::Map<String, Value>,
) -> Result<(), ApiError> {
    let m = model(service);
    let Some(operation) = m.operation(op) else {
        return Err(unknown_operation(op));
    };
    match operation.input {
        Some(input) => input::validate(m, input, body),
        None => Ok(()),
    }
}

/// Validates a request body (any JSON value) for `target` (`<X-Amz-Target prefix>.<Operation>`)
/// exactly as the emulator does before running an operation: `Ok` when the model accepts it,
/// else the `SerializationException`, `InvalidParameterException` or
/// `UnknownOperationException` the emulator answers with.
pub fn validate_request(target: &str, body: &Value) -> Result<(), ApiError> {
    let Some((service, op)) = split_target(target) else {
        return Err(unknown_operation(target));
    };
    match body {
        Value::Object(map) => validate(service, op, map),
        other => Err(input::top_level_type_error(other)),
    }
}

/// Whether `value` matches the model pattern `java_pattern` as AWS matches it (Java syntax,
/// the whole value); `None` when the pattern uses syntax the emulator cannot compile.
pub fn pattern_matches(java_pattern: &str, value: &str) -> Option<bool> {
    pattern::compile(java_pattern).map(|re| pattern::matches(&re, value))
}

/// Checks a successful response body for `target` (`<X-Amz-Target prefix>.<Operation>`)
/// against the operation's output shape: only declared members, required members present,
/// the model's JSON types (timestamps as epoch-second numbers), enum values from the model and
/// no `null`s. Returns one line per deviation.
pub fn check_response(target: &str, body: &Value) -> Result<(), Vec<String>> {
    let Some((service, op)) = split_target(target) else {
        return Err(vec![format!(
            "{target}: not an operation of the vendored models"
        )]);
    };
    let m = model(service);
    let Some(operation) = m.operation(op) else {
        return Err(vec![format!(
            "{target}: not an operation of the vendored models"
        )]);
    };
    let mut out = Vec::new();
    check_output(m, operation.output, body, &mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(out.into_iter().map(|d| format!("{op}: {d}")).collect())
    }
}

/// One operation of the vendored models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelOperation {
    /// `X-Amz-Target` prefix, e.g. `AWSCognitoIdentityProviderService`.
    pub target_prefix: &'static str,
    /// e.g. `InitiateAuth`.
    pub name: &'static str,
    /// Whether the emulator serves it (the others answer `NotImplementedException`).
    pub emulated: bool,
}

/// Every operation of both models, user pools first, each sorted by name.
pub fn operations() -> Vec<ModelOperation> {
    let mut out = Vec::new();
    for service in [Service::UserPools, Service::Identity] {
        let m = model(service);
        for name in m.operation_names() {
            out.push(ModelOperation {
                target_prefix: m.target_prefix.as_str(),
                name,
                emulated: emulated(service, name),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_parse_and_every_pattern_compiles() {
        for service in [Service::UserPools, Service::Identity] {
            let m = model(service);
            assert!(m.operation_names().len() > 20);
            for shape in m.shapes() {
                if let Kind::String(StringShape {
                    pattern: Some(p), ..
                }) = &shape.kind
                {
                    assert!(
                        pattern::compile(&p.source).is_some(),
                        "{}: pattern {} does not compile (translated: {})",
                        shape.name,
                        p.source,
                        pattern::translate(&p.source)
                    );
                }
            }
        }
        for (shape, p) in ENFORCED_PATTERNS {
            assert!(
                pattern::compile(p).is_some(),
                "{shape}: {p} does not compile"
            );
        }
        assert_eq!(
            USER_POOLS.target_prefix,
            "AWSCognitoIdentityProviderService"
        );
        assert_eq!(IDENTITY.target_prefix, "AWSCognitoIdentityService");
    }

    #[test]
    fn every_emulated_operation_is_in_its_model() {
        for op in USER_POOL_OPERATIONS {
            assert!(
                USER_POOLS.operation(op).is_some(),
                "{op} is not in cognito-idp"
            );
        }
        for op in IDENTITY_OPERATIONS {
            assert!(
                IDENTITY.operation(op).is_some(),
                "{op} is not in cognito-identity"
            );
        }
    }
}
