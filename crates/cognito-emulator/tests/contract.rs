//! The contract test: AWS's published service models (vendored from botocore) against the
//! emulator, read here from the raw JSON, independently of the emulator's own interpreter.
//!
//! - For every operation of both models, a request holding every member (optional ones too,
//!   with values built to satisfy the model) must pass the emulator's validation, and each
//!   request that breaks exactly one constraint of the input shape (a required member left
//!   out, a wrong JSON type, a string, list, map or number outside its bounds, a pattern or
//!   an enum not satisfied) must get the model's error: `SerializationException`, or
//!   `InvalidParameterException` with AWS's message (`1 validation error detected: Value 'x'
//!   at 'a.1.member.b' failed to satisfy constraint: ...`). Every request goes through
//!   `Service::handle`, the path the HTTP server runs.
//! - For every emulated operation, a valid request (`contract_fixtures.json`, or one built
//!   from the model when the fixtures have none) must succeed or fail with a non-validation
//!   error the fixture names, and every response body must conform to the output shape.
//! - `COVERAGE.md` must list exactly the model's operations and which are emulated
//!   (`UPDATE_COVERAGE=1` rewrites it).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cognito_emulator::model::{self, COGNITO_IDENTITY_MODEL, COGNITO_IDP_MODEL};
use cognito_emulator::{ClientConfig, Emulator, PoolConfig, Service, SigningKeys};
use serde_json::{Map, Value, json};

const IDP: &str = "AWSCognitoIdentityProviderService";
const IDENTITY: &str = "AWSCognitoIdentityService";
/// Bodies the emulator accepts (1 MiB); larger mutations are not tried.
const MAX_BODY: usize = 1 << 20;

// ---- the raw model ---------------------------------------------------------------------------

struct RawModel {
    prefix: &'static str,
    doc: Value,
}

impl RawModel {
    fn load(prefix: &'static str, json: &str) -> RawModel {
        RawModel {
            prefix,
            doc: serde_json::from_str(json).expect("model JSON"),
        }
    }
    fn shape(&self, name: &str) -> &Value {
        &self.doc["shapes"][name]
    }
    fn operations(&self) -> Vec<(&str, Option<&str>, Option<&str>)> {
        let ops = self.doc["operations"].as_object().expect("operations");
        ops.iter()
            .map(|(n, o)| {
                (
                    n.as_str(),
                    o["input"]["shape"].as_str(),
                    o["output"]["shape"].as_str(),
                )
            })
            .collect()
    }
}

fn ty(s: &Value) -> &str {
    if s["document"] == json!(true) {
        return "document";
    }
    s["type"].as_str().unwrap_or("")
}
fn num(s: &Value, k: &str) -> Option<i64> {
    s[k].as_f64().map(|f| f as i64)
}
fn reference<'a>(s: &'a Value, k: &str) -> &'a str {
    s[k]["shape"].as_str().expect("shape reference")
}
fn camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
fn sensitive(m: &RawModel, name: &str) -> bool {
    m.shape(name)["sensitive"] == json!(true)
}
/// Whether messages leave a value out: a sensitive shape, or a container of sensitive ones.
fn redacted(m: &RawModel, name: &str) -> bool {
    let s = m.shape(name);
    sensitive(m, name)
        || match ty(s) {
            "list" => sensitive(m, reference(s, "member")),
            "map" => sensitive(m, reference(s, "key")) || sensitive(m, reference(s, "value")),
            _ => false,
        }
}
fn is_container(m: &RawModel, name: &str) -> bool {
    matches!(ty(m.shape(name)), "structure" | "list" | "map")
}

/// Java's `toString` of a value, as AWS prints it.
fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(render).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{{}}}",
            o.iter()
                .map(|(k, v)| format!("{k}={}", render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

// ---- valid values ----------------------------------------------------------------------------

struct Gen<'a> {
    m: &'a RawModel,
    candidates: Vec<String>,
}

fn fit(candidate: &str, min: usize, max: usize) -> String {
    let chars: Vec<char> = candidate.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let len = chars.len().clamp(min, max.max(min));
    chars.iter().cycle().take(len).collect()
}

impl Gen<'_> {
    fn string(&self, name: &str) -> String {
        let s = self.m.shape(name);
        if let Some(e) = s["enum"].as_array() {
            return e[0].as_str().expect("enum value").to_string();
        }
        let min = num(s, "min").unwrap_or(0) as usize;
        let max = num(s, "max").map_or(usize::MAX, |v| v as usize);
        let pattern = s["pattern"].as_str();
        for c in &self.candidates {
            let v = fit(c, min, max);
            let len = v.chars().count();
            if len < min || len > max {
                continue;
            }
            if pattern.is_none_or(|p| model::pattern_matches(p, &v) == Some(true)) {
                return v;
            }
        }
        panic!(
            "no candidate of contract_fixtures.json satisfies shape {name} ({s}); add one to \"candidates\""
        );
    }

    fn value(&self, name: &str, depth: usize) -> Value {
        let s = self.m.shape(name);
        match ty(s) {
            "structure" => {
                let mut o = Map::new();
                let required: Vec<&str> = s["required"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (mname, mref) in s["members"].as_object().into_iter().flatten() {
                    if depth > 6 && !required.contains(&mname.as_str()) {
                        continue;
                    }
                    let target = mref["shape"].as_str().expect("member shape");
                    o.insert(mname.clone(), self.value(target, depth + 1));
                }
                Value::Object(o)
            }
            "document" => json!({}),
            "list" => {
                let n = num(s, "min").unwrap_or(1).max(1) as usize;
                let e = self.value(reference(s, "member"), depth + 1);
                Value::Array(vec![e; n])
            }
            "map" => {
                let n = num(s, "min").unwrap_or(1).max(1) as usize;
                let keys = self
                    .distinct_keys(reference(s, "key"), n)
                    .expect("map keys");
                let v = self.value(reference(s, "value"), depth + 1);
                Value::Object(keys.into_iter().map(|k| (k, v.clone())).collect())
            }
            "string" => Value::String(self.string(name)),
            "integer" | "long" => {
                let v = num(s, "min").unwrap_or(1);
                json!(v.min(num(s, "max").unwrap_or(i64::MAX)))
            }
            "float" | "double" => json!(1.5),
            "boolean" => json!(true),
            "timestamp" => json!(1_700_000_000),
            "blob" => json!("YWJj"),
            other => panic!("shape {name}: type {other}"),
        }
    }

    /// `n` distinct valid keys for a map, if the key shape allows that many.
    fn distinct_keys(&self, key: &str, n: usize) -> Option<Vec<String>> {
        let base = self.string(key);
        let s = self.m.shape(key);
        if s["enum"].is_array() {
            let e: Vec<String> = s["enum"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            return (e.len() >= n).then(|| e.into_iter().take(n).collect());
        }
        let max = num(s, "max").map_or(usize::MAX, |v| v as usize);
        let pattern = s["pattern"].as_str();
        let mut out = vec![base.clone()];
        let mut i = 0usize;
        while out.len() < n && i < n * 4 {
            i += 1;
            let mut k: String = base.chars().take(max.saturating_sub(4)).collect();
            let mut x = i;
            loop {
                k.push(char::from(b'a' + (x % 26) as u8));
                x /= 26;
                if x == 0 {
                    break;
                }
            }
            if k.chars().count() <= max
                && pattern.is_none_or(|p| model::pattern_matches(p, &k) == Some(true))
                && !out.contains(&k)
            {
                out.push(k);
            }
        }
        out.truncate(n);
        (out.len() == n).then_some(out)
    }
}

// ---- mutations -------------------------------------------------------------------------------

enum Expect {
    Serialization,
    Validation(Vec<String>),
}

struct Case {
    what: String,
    body: Value,
    expect: Expect,
}

fn item(value: Option<&Value>, redact: bool, path: &str, text: &str) -> String {
    match value {
        None => format!("Value null at '{path}' failed to satisfy constraint: {text}"),
        Some(_) if redact => format!("Value at '{path}' failed to satisfy constraint: {text}"),
        Some(v) => format!(
            "Value '{}' at '{path}' failed to satisfy constraint: {text}",
            render(v)
        ),
    }
}

fn escape_pointer(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn with(root: &Value, ptr: &str, v: Option<Value>) -> Value {
    let mut out = root.clone();
    let (parent, last) = ptr.rsplit_once('/').expect("pointer");
    let key = last.replace("~1", "/").replace("~0", "~");
    match out.pointer_mut(parent).expect("parent exists") {
        Value::Object(o) => match v {
            Some(v) => {
                o.insert(key, v);
            }
            None => {
                o.remove(&key);
            }
        },
        Value::Array(a) => {
            let i: usize = key.parse().expect("index");
            if let Some(v) = v {
                a[i] = v;
            }
        }
        _ => panic!("not a container at {parent}"),
    }
    out
}

/// The constraint texts of a scalar shape that `v` breaks, in the order AWS reports them.
fn broken(m: &RawModel, name: &str, v: &Value) -> Vec<String> {
    let s = m.shape(name);
    let mut out = Vec::new();
    let bounds = |out: &mut Vec<String>, what: &str, n: i64| {
        if let Some(min) = num(s, "min")
            && n < min
        {
            out.push(format!(
                "Member must have {what} greater than or equal to {min}"
            ));
        }
        if let Some(max) = num(s, "max")
            && n > max
        {
            out.push(format!(
                "Member must have {what} less than or equal to {max}"
            ));
        }
    };
    match (ty(s), v) {
        ("string", Value::String(x)) => {
            bounds(&mut out, "length", x.chars().count() as i64);
            if let Some(p) = s["pattern"].as_str()
                && model::pattern_matches(p, x) != Some(true)
            {
                out.push(format!(
                    "Member must satisfy regular expression pattern: {p}"
                ));
            }
            if let Some(e) = s["enum"].as_array()
                && !e.contains(v)
            {
                let names: Vec<&str> = e.iter().filter_map(Value::as_str).collect();
                out.push(format!(
                    "Member must satisfy enum value set: [{}]",
                    names.join(", ")
                ));
            }
        }
        ("integer" | "long", Value::Number(n)) => {
            bounds(&mut out, "value", n.as_i64().expect("int"))
        }
        _ => {}
    }
    out
}

/// Every constraint of an element shape, as the bracketed form lists them.
fn all_constraints(m: &RawModel, name: &str) -> String {
    let s = m.shape(name);
    let mut parts = Vec::new();
    let what = if ty(s) == "string" || ty(s) == "blob" {
        "length"
    } else {
        "value"
    };
    if let Some(max) = num(s, "max") {
        parts.push(format!(
            "Member must have {what} less than or equal to {max}"
        ));
    }
    if let Some(min) = num(s, "min") {
        parts.push(format!(
            "Member must have {what} greater than or equal to {min}"
        ));
    }
    if let Some(p) = s["pattern"].as_str() {
        parts.push(format!(
            "Member must satisfy regular expression pattern: {p}"
        ));
    }
    if let Some(e) = s["enum"].as_array() {
        let names: Vec<&str> = e.iter().filter_map(Value::as_str).collect();
        parts.push(format!(
            "Member must satisfy enum value set: [{}]",
            names.join(", ")
        ));
    }
    parts.join(", ")
}

/// Values of a scalar shape that break at least one of its constraints.
fn invalid_scalars(g: &Gen, name: &str, valid: &Value) -> Vec<(String, Value)> {
    let s = g.m.shape(name);
    let mut out = Vec::new();
    match ty(s) {
        "string" => {
            let v = valid.as_str().expect("string").to_string();
            let min = num(s, "min").unwrap_or(0) as usize;
            if min > 0 {
                out.push((
                    format!("length {}", min - 1),
                    json!(v.chars().take(min - 1).collect::<String>()),
                ));
            }
            if let Some(max) = num(s, "max").map(|m| m as usize)
                && max < MAX_BODY / 2
            {
                out.push((
                    format!("length {}", max + 1),
                    json!(fit(&v, max + 1, max + 1)),
                ));
            }
            if let Some(p) = s["pattern"].as_str() {
                let len = v.chars().count().max(1);
                let bad = [
                    " ", "\t", "\u{1}", "#", "~", "é", ".", "/", ":", "_", "-", "A", "0", "a", "{",
                    "\u{2028}",
                ]
                .iter()
                .flat_map(|c| {
                    let mut first: String = c.to_string();
                    first.extend(v.chars().skip(1));
                    [fit(c, len, len), first, format!("{v}{c}")]
                })
                .find(|x| {
                    let n = x.chars().count();
                    n >= min
                        && num(s, "max").is_none_or(|m| n as i64 <= m)
                        && model::pattern_matches(p, x) == Some(false)
                });
                if let Some(bad) = bad {
                    out.push(("pattern".into(), json!(bad)));
                }
            }
            if s["enum"].is_array() {
                out.push(("enum".into(), json!("NOT_A_VALUE_OF_THE_ENUM")));
            }
        }
        "integer" | "long" => {
            let (lo, hi) = if ty(s) == "integer" {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            if let Some(min) = num(s, "min").filter(|&m| m > lo) {
                out.push((format!("value {}", min - 1), json!(min - 1)));
            }
            if let Some(max) = num(s, "max").filter(|&m| m < hi) {
                out.push((format!("value {}", max + 1), json!(max + 1)));
            }
        }
        _ => {}
    }
    out
}

fn wrong_type(m: &RawModel, name: &str) -> Value {
    match ty(m.shape(name)) {
        "string" | "blob" => json!(12345),
        "integer" | "long" | "float" | "double" | "timestamp" | "boolean" => json!("12"),
        "list" => json!({"a": 1}),
        _ => json!(["x"]),
    }
}

fn join_path(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

/// Every single-constraint mutation of `root` at the value of shape `name` found at `ptr`
/// (`path` is AWS's name for it).
fn walk(g: &Gen, root: &Value, name: &str, ptr: &str, path: &str, out: &mut Vec<Case>) {
    let m = g.m;
    let s = m.shape(name);
    let v = root.pointer(ptr).expect("value at pointer").clone();
    let t = ty(s);
    if !ptr.is_empty() && t != "document" {
        out.push(Case {
            what: format!("{path}: wrong JSON type"),
            body: with(root, ptr, Some(wrong_type(m, name))),
            expect: Expect::Serialization,
        });
    }
    let one = |what: String, body: Value, items: Vec<String>| Case {
        what,
        body,
        expect: Expect::Validation(items),
    };
    match t {
        "structure" => {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (mname, mref) in s["members"].as_object().into_iter().flatten() {
                let mptr = format!("{ptr}/{}", escape_pointer(mname));
                let mpath = join_path(path, &camel(mname));
                if required.contains(&mname.as_str()) {
                    out.push(one(
                        format!("{mpath}: required"),
                        with(root, &mptr, None),
                        vec![item(None, false, &mpath, "Member must not be null")],
                    ));
                }
                if root.pointer(&mptr).is_some() {
                    walk(
                        g,
                        root,
                        mref["shape"].as_str().expect("shape"),
                        &mptr,
                        &mpath,
                        out,
                    );
                }
            }
        }
        "list" => {
            let elem = reference(s, "member");
            let a = v.as_array().expect("list");
            let redact = redacted(m, name);
            for (what, n) in [
                ("min", num(s, "min").map(|x| x - 1)),
                ("max", num(s, "max").map(|x| x + 1)),
            ] {
                let Some(n) = n.filter(|n| (0..=2000).contains(n)) else {
                    continue;
                };
                let list = Value::Array(vec![a[0].clone(); n as usize]);
                let text = if what == "min" {
                    format!("Member must have length greater than or equal to {}", n + 1)
                } else {
                    format!("Member must have length less than or equal to {}", n - 1)
                };
                let body = with(root, ptr, Some(list.clone()));
                if body.to_string().len() < MAX_BODY {
                    out.push(one(
                        format!("{path}: {n} elements"),
                        body,
                        vec![item(Some(&list), redact, path, &text)],
                    ));
                }
            }
            if is_container(m, elem) {
                walk(
                    g,
                    root,
                    elem,
                    &format!("{ptr}/0"),
                    &format!("{path}.1.member"),
                    out,
                );
            } else {
                for (what, bad) in invalid_scalars(g, elem, &a[0]) {
                    let mut list = a.clone();
                    list[0] = bad;
                    let list = Value::Array(list);
                    let text = format!(
                        "Member must satisfy constraint: [{}]",
                        all_constraints(m, elem)
                    );
                    out.push(one(
                        format!("{path}: element {what}"),
                        with(root, ptr, Some(list.clone())),
                        vec![item(Some(&list), redact, path, &text)],
                    ));
                }
                if !matches!(ty(m.shape(elem)), "document") {
                    let mut list = a.clone();
                    list[0] = wrong_type(m, elem);
                    out.push(Case {
                        what: format!("{path}: element of a wrong JSON type"),
                        body: with(root, ptr, Some(Value::Array(list))),
                        expect: Expect::Serialization,
                    });
                }
            }
        }
        "map" => {
            let (key, val) = (reference(s, "key"), reference(s, "value"));
            let o = v.as_object().expect("map");
            let (k0, v0) = o.iter().next().expect("one entry");
            let redact = redacted(m, name);
            for (what, n) in [
                ("min", num(s, "min").map(|x| x - 1)),
                ("max", num(s, "max").map(|x| x + 1)),
            ] {
                let Some(n) = n.filter(|n| (0..=2000).contains(n)) else {
                    continue;
                };
                let Some(keys) = g.distinct_keys(key, n as usize) else {
                    continue;
                };
                let map: Map<String, Value> = keys.into_iter().map(|k| (k, v0.clone())).collect();
                let map = Value::Object(map);
                let text = if what == "min" {
                    format!("Member must have length greater than or equal to {}", n + 1)
                } else {
                    format!("Member must have length less than or equal to {}", n - 1)
                };
                out.push(one(
                    format!("{path}: {n} entries"),
                    with(root, ptr, Some(map.clone())),
                    vec![item(Some(&map), redact, path, &text)],
                ));
            }
            for (what, bad) in invalid_scalars(g, key, &json!(k0)) {
                let Some(bad) = bad.as_str() else { continue };
                let mut map = o.clone();
                let v = map.remove(k0).expect("entry");
                map.insert(bad.to_string(), v);
                let map = Value::Object(map);
                let text = format!(
                    "Map key must satisfy constraint: [{}]",
                    all_constraints(m, key)
                );
                out.push(one(
                    format!("{path}: key {what}"),
                    with(root, ptr, Some(map.clone())),
                    vec![item(Some(&map), redact, path, &text)],
                ));
            }
            if is_container(m, val) {
                let vptr = format!("{ptr}/{}", escape_pointer(k0));
                walk(g, root, val, &vptr, &format!("{path}.{k0}.member"), out);
            } else {
                for (what, bad) in invalid_scalars(g, val, v0) {
                    let mut map = o.clone();
                    map.insert(k0.clone(), bad);
                    let map = Value::Object(map);
                    let text = format!(
                        "Map value must satisfy constraint: [{}]",
                        all_constraints(m, val)
                    );
                    out.push(one(
                        format!("{path}: value {what}"),
                        with(root, ptr, Some(map.clone())),
                        vec![item(Some(&map), redact, path, &text)],
                    ));
                }
            }
        }
        "string" | "integer" | "long" => {
            for (what, bad) in invalid_scalars(g, name, &v) {
                let texts = broken(m, name, &bad);
                assert!(!texts.is_empty(), "{path}: {bad} breaks nothing");
                let items = texts
                    .iter()
                    .map(|t| item(Some(&bad), redacted(m, name), path, t))
                    .collect();
                let body = with(root, ptr, Some(bad));
                if body.to_string().len() < MAX_BODY {
                    out.push(one(format!("{path}: {what}"), body, items));
                }
            }
        }
        _ => {}
    }
}

// ---- talking to the emulator -----------------------------------------------------------------

fn send(svc: &Service, target: &str, body: &Value) -> (u16, Value) {
    let req = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string().into_bytes())
        .expect("request");
    let resp = svc.handle(&req).response().expect("a response");
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(resp.body()).unwrap_or(Value::Null),
    )
}

fn is_validation_error(status: u16, body: &Value) -> bool {
    let kind = body["__type"].as_str().unwrap_or("");
    let msg = body["message"].as_str().unwrap_or("");
    status == 400
        && (kind == "SerializationException"
            || (kind == "InvalidParameterException" && msg.contains("validation error")))
}

fn fixtures() -> Value {
    serde_json::from_str(include_str!("contract_fixtures.json")).expect("contract_fixtures.json")
}

fn models() -> [RawModel; 2] {
    [
        RawModel::load(IDP, COGNITO_IDP_MODEL),
        RawModel::load(IDENTITY, COGNITO_IDENTITY_MODEL),
    ]
}

fn generator<'a>(m: &'a RawModel, fx: &Value) -> Gen<'a> {
    Gen {
        m,
        candidates: fx["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    }
}

#[test]
fn every_constraint_of_every_input_shape_gets_the_models_error() {
    let fx = fixtures();
    let svc = Emulator::builder().build_service().expect("service");
    let (mut ops, mut tried, mut unbreakable) = (0, 0, 0);
    let mut failures = Vec::new();
    for m in &models() {
        let g = generator(m, &fx);
        for (op, input, _) in m.operations() {
            ops += 1;
            let target = format!("{}.{op}", m.prefix);
            let Some(input) = input else { continue };
            let full = g.value(input, 0);
            if let Err(e) = model::validate_request(&target, &full) {
                failures.push(format!(
                    "{target}: the generated valid request is refused: {e}\n  {full}"
                ));
                continue;
            }
            let mut cases = Vec::new();
            walk(&g, &full, input, "", "", &mut cases);
            if cases.is_empty() {
                unbreakable += 1;
            }
            for case in cases {
                tried += 1;
                let (status, body) = send(&svc, &target, &case.body);
                let kind = body["__type"].as_str().unwrap_or("");
                let msg = body["message"].as_str().unwrap_or("");
                match &case.expect {
                    Expect::Serialization => {
                        if status != 400 || kind != "SerializationException" {
                            failures.push(format!(
                                "{target} {}: expected SerializationException, got {status} {body}",
                                case.what
                            ));
                        }
                    }
                    Expect::Validation(items) => {
                        let n = items.len();
                        let expected = format!(
                            "{n} validation error{} detected: {}",
                            if n == 1 { "" } else { "s" },
                            items.join("; ")
                        );
                        if status != 400 || kind != "InvalidParameterException" || msg != expected {
                            failures.push(format!(
                                "{target} {}:\n  expected {expected}\n  got      {status} {kind}: {msg}",
                                case.what
                            ));
                        }
                    }
                }
            }
        }
    }
    println!(
        "contract: {ops} operations, {tried} single-constraint requests tried, {unbreakable} operations without a breakable constraint"
    );
    let shown: Vec<&String> = failures.iter().take(40).collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Substitutes `$Name` (a whole string) and `${Name}` (inside a string) from `vars`, in
/// values and map keys.
/// Marks a variable whose value is a JSON document, substituted as that document (a
/// WebAuthn credential) rather than as a string.
const JSON_VAR: char = '\u{1}';

fn substitute_str(s: &str, vars: &BTreeMap<String, String>) -> String {
    if let Some(val) = s.strip_prefix('$').and_then(|name| vars.get(name)) {
        return val.clone();
    }
    let mut out = s.to_string();
    for (k, val) in vars {
        out = out.replace(&format!("${{{k}}}"), val);
    }
    out
}

fn substitute(v: &Value, vars: &BTreeMap<String, String>) -> Value {
    match v {
        Value::String(s) => {
            let doc = s
                .strip_prefix('$')
                .and_then(|name| vars.get(name))
                .and_then(|v| v.strip_prefix(JSON_VAR));
            match doc {
                Some(doc) => serde_json::from_str(doc).expect("JSON variable"),
                None => json!(substitute_str(s, vars)),
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|e| substitute(e, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, e)| (substitute_str(k, vars), substitute(e, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

struct World {
    svc: Service,
    vars: BTreeMap<String, String>,
}

fn world(keys: &SigningKeys) -> World {
    let svc = Emulator::builder()
        .signing_keys(keys.clone())
        .build_service()
        .expect("service");
    let pool = svc
        .create_pool(PoolConfig {
            device_tracking: Some((false, false)),
            ..PoolConfig::default()
        })
        .expect("pool");
    let client = svc
        .create_client(&pool.pool_id, ClientConfig::default())
        .expect("client");
    let sub = svc
        .create_user(
            &pool.pool_id,
            "alice",
            "Passw0rd!",
            &[("email", "alice@example.com")],
        )
        .expect("user");
    let auth = svc
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client.client_id,
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
        )
        .expect("sign-in");
    let r = &auth["AuthenticationResult"];
    let mut vars = BTreeMap::new();
    for (k, v) in [
        ("PoolId", pool.pool_id.clone()),
        ("ClientId", client.client_id.clone()),
        ("Username", "alice".to_string()),
        ("Password", "Passw0rd!".to_string()),
        ("Sub", sub),
        (
            "AccessToken",
            r["AccessToken"].as_str().unwrap_or_default().to_string(),
        ),
        (
            "IdToken",
            r["IdToken"].as_str().unwrap_or_default().to_string(),
        ),
        (
            "RefreshToken",
            r["RefreshToken"].as_str().unwrap_or_default().to_string(),
        ),
        (
            "DeviceKey",
            r["NewDeviceMetadata"]["DeviceKey"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        (
            "DeviceGroupKey",
            r["NewDeviceMetadata"]["DeviceGroupKey"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        (
            "Provider",
            format!("cognito-idp.us-east-1.amazonaws.com/{}", pool.pool_id),
        ),
    ] {
        vars.insert(k.to_string(), v);
    }
    World { svc, vars }
}

/// Runs the `before` steps of a fixture: operations whose answers are saved into variables
/// (`"save": {"Var": "/json/pointer"}`), the last code sent to a user (`"code_for"`), and the
/// TOTP code of a secret (`"totp_of"`), and a software authenticator's passkey registration
/// for a WebAuthn challenge (`"passkey_for"`, a JSON variable).
fn prepare(w: &mut World, steps: &Value, label: &str) {
    for step in steps.as_array().into_iter().flatten() {
        if let Some(var) = step["passkey_for"].as_str() {
            let challenge = w.vars.get(var).cloned().unwrap_or_default();
            let authenticator =
                crate::passkeys::Authenticator::es256("localhost", "http://localhost:3000");
            let credential = authenticator.register(&challenge, "none");
            w.vars.insert(
                step["as"].as_str().expect("as").to_string(),
                format!("{JSON_VAR}{credential}"),
            );
            continue;
        }
        if let Some(user) = step["code_for"].as_str() {
            let code = w
                .svc
                .messages(Some(user))
                .last()
                .map(|m| m.code.clone())
                .unwrap_or_else(|| panic!("{label}: no code sent to {user}"));
            w.vars
                .insert(step["as"].as_str().expect("as").to_string(), code);
            continue;
        }
        if let Some(var) = step["totp_of"].as_str() {
            let secret = w.vars.get(var).cloned().unwrap_or_default();
            let code = cognito_emulator::totp::code(&secret, w.svc.now()).expect("totp");
            w.vars
                .insert(step["as"].as_str().expect("as").to_string(), code);
            continue;
        }
        let op = step["op"].as_str().expect("op");
        let prefix = if step["service"] == "identity" {
            IDENTITY
        } else {
            IDP
        };
        let body = substitute(&step["request"], &w.vars);
        let (status, out) = send(&w.svc, &format!("{prefix}.{op}"), &body);
        assert_eq!(status, 200, "{label}: step {op} failed: {out}");
        for (var, ptr) in step["save"].as_object().into_iter().flatten() {
            let v = out
                .pointer(ptr.as_str().expect("pointer"))
                .unwrap_or_else(|| panic!("{label}: {op} answered {out} without {ptr}"));
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            w.vars.insert(var.clone(), v);
        }
    }
}

/// The requests the contract tests send to an emulated operation: its fixtures, or (when it has
/// none, and then `true`) one built from the model: the required members only, with the
/// world's resources where the member names one.
fn requests(
    m: &RawModel,
    g: &Gen,
    entries: &[Value],
    op: &str,
    input: Option<&str>,
) -> (Vec<Value>, bool) {
    let service = if m.prefix == IDENTITY {
        "identity"
    } else {
        "user-pools"
    };
    let mine: Vec<Value> = entries
        .iter()
        .filter(|e| e["op"] == op && e["service"].as_str().unwrap_or("user-pools") == service)
        .cloned()
        .collect();
    if !mine.is_empty() {
        return (mine, false);
    }
    let mut body = Map::new();
    if let Some(input) = input {
        let s = m.shape(input);
        for r in s["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let shape = s["members"][r]["shape"].as_str().expect("shape");
            let v = match r {
                "UserPoolId" => json!("$PoolId"),
                "ClientId" => json!("$ClientId"),
                "Username" => json!("$Username"),
                "AccessToken" => json!("$AccessToken"),
                _ => g.value(shape, 0),
            };
            body.insert(r.to_string(), v);
        }
    }
    (
        vec![json!({"op": op, "request": body, "expect": "any"})],
        true,
    )
}

#[test]
fn every_emulated_operation_answers_a_valid_request_with_a_conforming_body() {
    let fx = fixtures();
    let keys = SigningKeys::from_seed(14).expect("keys");
    let entries = fx["operations"].as_array().expect("operations");
    let [idp, identity] = models();
    let (mut operations, mut responses, mut generated) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    for m in [&idp, &identity] {
        let g = generator(m, &fx);
        for (op, input, _) in m.operations() {
            let target = format!("{}.{op}", m.prefix);
            let emulated = model::operations()
                .iter()
                .any(|o| o.target_prefix == m.prefix && o.name == op && o.emulated);
            if !emulated {
                continue;
            }
            operations += 1;
            let (mine, built) = requests(m, &g, entries, op, input);
            if built {
                generated.push(op.to_string());
            }
            for entry in &mine {
                let label = entry["name"].as_str().unwrap_or(op).to_string();
                let mut w = world(&keys);
                prepare(&mut w, &entry["before"], &label);
                let body = substitute(&entry["request"], &w.vars);
                let (status, out) = send(&w.svc, &target, &body);
                let expect = entry["expect"].as_str().unwrap_or("ok");
                if status == 200 {
                    responses += 1;
                    if let Err(devs) = model::check_response(&target, &out) {
                        let unknown: Vec<String> =
                            devs.into_iter().filter(|d| !known_deviation(d)).collect();
                        if !unknown.is_empty() {
                            failures.push(format!(
                                "{label}: response does not conform:\n  {}",
                                unknown.join("\n  ")
                            ));
                        }
                    }
                    if expect != "ok" && expect != "any" {
                        failures.push(format!("{label}: expected {expect}, got 200 {out}"));
                    }
                } else if is_validation_error(status, &out) {
                    failures.push(format!(
                        "{label}: the valid request was refused: {status} {out}\n  {body}"
                    ));
                } else if expect != "any" && out["__type"].as_str() != Some(expect) {
                    failures.push(format!("{label}: expected {expect}, got {status} {out}"));
                }
            }
        }
    }
    println!(
        "contract: {operations} emulated operations, {responses} responses checked against their output shapes, {} operations without a fixture (a request built from the model): {generated:?}",
        generated.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Deviations of the emulator's responses from the output shapes that are known and owned by
/// work in progress (`known_output_deviations.txt`: one `Operation: text` prefix per line).
pub fn known_deviation(line: &str) -> bool {
    include_str!("known_output_deviations.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|prefix| line.starts_with(prefix))
}

/// The coverage table, generated from the vendored models.
fn coverage_table() -> String {
    let ops = model::operations();
    let mut out = String::new();
    out.push_str("# Operation coverage\n\n");
    out.push_str("Generated from the AWS service models the emulator vendors (");
    out.push_str(model::MODEL_SOURCE.lines().next().unwrap_or("botocore"));
    out.push_str(") by the contract test\n(`tests/contract.rs`); regenerate with\n");
    out.push_str(
        "`UPDATE_COVERAGE=1 cargo test -p cognito-emulator --test integration coverage`.\n",
    );
    out.push_str(
        "Every request is validated against its operation's input shape, emulated or not. An\n",
    );
    out.push_str(
        "operation that is not emulated then answers HTTP 501 `NotImplementedException`\n",
    );
    out.push_str(
        "(\"<Operation> is an operation of ... that cognito-emulator does not emulate\").\n",
    );
    for (prefix, title) in [
        (
            IDP,
            "User pools (`cognito-idp`, `AWSCognitoIdentityProviderService`)",
        ),
        (
            IDENTITY,
            "Identity pools (`cognito-identity`, `AWSCognitoIdentityService`)",
        ),
    ] {
        let mine: Vec<_> = ops.iter().filter(|o| o.target_prefix == prefix).collect();
        let n = mine.iter().filter(|o| o.emulated).count();
        let _ = write!(
            out,
            "\n## {title}\n\n{n} of {} operations emulated.\n\n| Operation | Emulated |\n|---|---|\n",
            mine.len()
        );
        for o in mine {
            let _ = writeln!(
                out,
                "| {} | {} |",
                o.name,
                if o.emulated { "yes" } else { "no" }
            );
        }
    }
    out
}

#[test]
fn coverage_md_lists_the_models_operations() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/COVERAGE.md");
    let expected = coverage_table();
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(path, &expected).expect("write COVERAGE.md");
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "COVERAGE.md is out of date; run `UPDATE_COVERAGE=1 cargo test -p cognito-emulator --test integration coverage` or write:\n{expected}"
    );
}

/// Errors AWS answers for any operation of its JSON services besides the ones a model
/// declares per operation: the "Common Errors" of each API reference, and the protocol's own
/// (a body that is not JSON, an operation that does not exist).
pub const COMMON_ERRORS: &[&str] = &[
    "AccessDeniedException",
    "IncompleteSignature",
    "InternalFailure",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "NotAuthorized",
    "RequestExpired",
    "SerializationException",
    "ServiceUnavailable",
    "ThrottlingException",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "ValidationError",
];

/// Errors AWS's documentation names for an operation whose model does not declare them, and
/// where the documentation says so.
const DOCUMENTED_ERRORS: &[(&str, &str, &str)] = &[
    (
        "AdminCreateUser",
        "AliasExistsException",
        "ForceAliasCreation: \"If this parameter is set to False, the API throws an \
         AliasExistsException error if the alias already exists.\"",
    ),
    (
        "InitiateAuth",
        "AliasExistsException",
        "the user migration trigger's forceAliasCreation: when it is false and the alias \
         exists, \"the user will not be migrated, and an error is returned to the client \
         app\"; AWS names no type, and this one names the cause",
    ),
    (
        "AdminInitiateAuth",
        "AliasExistsException",
        "as for InitiateAuth",
    ),
];

/// Whether `kind` is an error the model declares for `op` of the service with `prefix`, one
/// of [`COMMON_ERRORS`], or one of [`DOCUMENTED_ERRORS`].
pub fn declared_error(prefix: &str, op: &str, kind: &str) -> bool {
    if DOCUMENTED_ERRORS
        .iter()
        .any(|(o, k, _)| *o == op && *k == kind)
    {
        return true;
    }
    static MODELS: std::sync::OnceLock<[RawModel; 2]> = std::sync::OnceLock::new();
    let models = MODELS.get_or_init(models);
    let Some(m) = models.iter().find(|m| m.prefix == prefix) else {
        return false;
    };
    COMMON_ERRORS.contains(&kind)
        || m.doc["operations"][op]["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["shape"] == kind))
}

/// The same value naming nothing that exists: its last letter or digit moved on by one (a
/// pool, client, user, device or identity that does not exist, a token whose signature no
/// longer verifies, a code or session that was never issued), so that it keeps its pattern.
fn naming_nothing(v: &str) -> String {
    let mut chars: Vec<char> = v.chars().collect();
    if let Some(c) = chars.iter_mut().rev().find(|c| c.is_ascii_alphanumeric()) {
        *c = match *c {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c => char::from(c as u8 + 1),
        };
    }
    chars.into_iter().collect()
}

/// The variables a request refers to (`$Name` or `${Name}`).
fn variables(request: &Value) -> Vec<String> {
    let text = request.to_string();
    let mut out: Vec<String> = text
        .split('$')
        .skip(1)
        .map(|rest| {
            rest.trim_start_matches('{')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What can have happened to the world between a request's preparation and the request:
/// its user disabled, deleted, signed out everywhere or sent to a password reset, its app
/// client or pool deleted, or two days gone by (tokens, sessions and codes expired).
const SITUATIONS: &[&str] = &[
    "user disabled",
    "user deleted",
    "user signed out",
    "password reset",
    "client deleted",
    "pool deleted",
    "two days later",
];

fn befall(w: &World, situation: &str) {
    let pool = w.vars["PoolId"].clone();
    let user = json!({"UserPoolId": pool, "Username": w.vars["Username"]});
    let (op, body) = match situation {
        "user disabled" => ("AdminDisableUser", user),
        "user deleted" => ("AdminDeleteUser", user),
        "user signed out" => ("AdminUserGlobalSignOut", user),
        "password reset" => ("AdminResetUserPassword", user),
        "client deleted" => (
            "DeleteUserPoolClient",
            json!({"UserPoolId": pool, "ClientId": w.vars["ClientId"]}),
        ),
        "pool deleted" => ("DeleteUserPool", json!({"UserPoolId": pool})),
        _ => {
            w.svc.advance_clock(2 * 24 * 3600);
            return;
        }
    };
    // A step the request's preparation already made moot (the user it deleted) may fail.
    let _ = w.svc.call(op, body);
}

#[test]
fn every_error_an_operation_answers_is_one_its_model_declares() {
    // Typed AWS SDKs (Java, Rust, Go v2, JS v3) map an error to the operation's declared
    // exception types; an undeclared one reaches the user as an unknown error. Each emulated
    // operation's contract requests run as they are, once more with each resource they name
    // replaced by one that does not exist, and once after each of the [`SITUATIONS`].
    let fx = fixtures();
    let keys = SigningKeys::from_seed(14).expect("keys");
    let entries = fx["operations"].as_array().expect("operations");
    let [idp, identity] = models();
    let (mut errors, mut failures) = (0, Vec::new());
    for m in [&idp, &identity] {
        let g = generator(m, &fx);
        for (op, input, _) in m.operations() {
            let emulated = model::operations()
                .iter()
                .any(|o| o.target_prefix == m.prefix && o.name == op && o.emulated);
            if !emulated {
                continue;
            }
            let target = format!("{}.{op}", m.prefix);
            let (mine, _) = requests(m, &g, entries, op, input);
            for entry in &mine {
                let label = entry["name"].as_str().unwrap_or(op).to_string();
                let names = variables(&entry["request"]);
                let variants = std::iter::once(None)
                    .chain(names.iter().map(|n| Some((n.as_str(), None))))
                    .chain(SITUATIONS.iter().map(|s| Some(("", Some(*s)))));
                for variant in variants {
                    let mut w = world(&keys);
                    prepare(&mut w, &entry["before"], &label);
                    let changed = match variant {
                        None => "as it is".to_string(),
                        Some((_, Some(situation))) => {
                            befall(&w, situation);
                            situation.to_string()
                        }
                        Some((name, None)) => {
                            let Some(v) = w.vars.get(name) else {
                                continue;
                            };
                            if v.starts_with(JSON_VAR) {
                                continue;
                            }
                            let other = naming_nothing(v);
                            w.vars.insert(name.to_string(), other);
                            format!("${name} naming nothing")
                        }
                    };
                    let body = substitute(&entry["request"], &w.vars);
                    let (status, out) = send(&w.svc, &target, &body);
                    if status == 200 {
                        continue;
                    }
                    errors += 1;
                    let kind = out["__type"].as_str().unwrap_or("?");
                    if !declared_error(m.prefix, op, kind) {
                        failures.push(format!(
                            "{label} ({changed}): {kind}: {}",
                            out["message"].as_str().unwrap_or("")
                        ));
                    }
                }
            }
        }
    }
    println!("declared errors: {errors} error answers checked");
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} answers with an error the operation does not declare:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
