//! Configuration files (`--config FILE`, [`crate::EmulatorBuilder::config_file`]): the pools,
//! app clients, users, groups and Lambda triggers to create at start, in TOML or JSON.
//!
//! ```toml
//! lambda_endpoint = "http://127.0.0.1:3001"   # optional: where triggers are invoked
//! lambda_timeout_seconds = 5                    # optional
//!
//! [[pools]]
//! id = "us-east-1_Example01"                    # optional fixed id
//! name = "demo"
//! config = { MfaConfiguration = "OFF" }         # optional CreateUserPool members
//! triggers = { PreSignUp = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up" }
//!
//! [[pools.clients]]
//! id = "democlient0000000000000001"             # optional fixed id
//! name = "web"
//! secret = "a fixed secret"                     # optional; generate_secret = true draws one
//! config = { ExplicitAuthFlows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }
//!
//! [[pools.groups]]
//! name = "admins"
//! precedence = 1
//!
//! [[pools.users]]
//! username = "alice"
//! password = "Passw0rd!"
//! attributes = { email = "alice@example.com" }
//! status = "CONFIRMED"                           # default; or FORCE_CHANGE_PASSWORD, ...
//! groups = ["admins"]
//! ```
//!
//! Unknown keys, wrong types and values AWS would refuse are errors that name the file, the
//! path to the field (`pools[0].users[1].status`) and what was expected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::ApiError;
use crate::model::Service;
use crate::ops::dispatch;
use crate::state::State;

/// A configuration file that cannot be used: the file, the path to the offending field and
/// what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (empty for a document given in memory).
    pub file: PathBuf,
    /// The path to the field, e.g. `pools[0].users[1].status` (empty for the whole document).
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.display();
        match self.path.is_empty() {
            true => write!(f, "{file}: {}", self.message),
            false => write!(f, "{file}: {}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The document.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    #[serde(default)]
    pub lambda_endpoint: Option<String>,
    #[serde(default)]
    pub lambda_timeout_seconds: Option<f64>,
    #[serde(default)]
    pools: Vec<PoolSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolSpec {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    config: Map<String, Value>,
    #[serde(default)]
    triggers: BTreeMap<String, String>,
    #[serde(default)]
    clients: Vec<ClientSpec>,
    #[serde(default)]
    groups: Vec<GroupSpec>,
    #[serde(default)]
    users: Vec<UserSpec>,
}

/// The `LambdaConfig` members that name a function by ARN.
const TRIGGERS: [&str; 10] = [
    "PreSignUp",
    "CustomMessage",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PreTokenGeneration",
    "UserMigration",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientSpec {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    generate_secret: bool,
    #[serde(default)]
    config: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    precedence: Option<u32>,
    #[serde(default)]
    role_arn: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserSpec {
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    #[default]
    Confirmed,
    Unconfirmed,
    ForceChangePassword,
    ResetRequired,
}

/// Reads a configuration file: TOML when its name ends in `.toml`, otherwise JSON.
pub(crate) fn read(path: &Path) -> Result<Config, ConfigError> {
    let err = |path_in: String, message: String| ConfigError {
        file: path.to_path_buf(),
        path: path_in,
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(String::new(), format!("cannot read: {e}")))?;
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let doc: Value = if is_toml {
        toml::from_str(&text).map_err(|e| {
            err(
                String::new(),
                format!("not valid TOML: {}", e.to_string().trim_end()),
            )
        })?
    } else {
        serde_json::from_str(&text)
            .map_err(|e| err(String::new(), format!("not valid JSON: {e}")))?
    };
    parse(doc).map_err(|(p, m)| err(p, m))
}

/// Checks a document's shape and values; an error is (path, message).
pub(crate) fn parse(doc: Value) -> Result<Config, (String, String)> {
    let config: Config = serde_path_to_error::deserialize(doc).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        (path, e.into_inner().to_string())
    })?;
    if let Some(url) = &config.lambda_endpoint
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err((
            "lambda_endpoint".into(),
            format!("expected an http:// or https:// URL, got {url:?}"),
        ));
    }
    if let Some(t) = config.lambda_timeout_seconds
        && !(t.is_finite() && t > 0.0 && t < 1e6)
    {
        return Err((
            "lambda_timeout_seconds".into(),
            format!("expected a number of seconds > 0, got {t}"),
        ));
    }
    let mut pool_ids = std::collections::HashSet::new();
    for (i, p) in config.pools.iter().enumerate() {
        let at = format!("pools[{i}]");
        if let Some(id) = &p.id {
            let valid = id
                .split_once('_')
                .is_some_and(|(r, n)| !r.is_empty() && !n.is_empty() && !n.contains('_'));
            if !valid {
                return Err((
                    format!("{at}.id"),
                    format!("expected a pool id like us-east-1_Example01, got {id:?}"),
                ));
            }
            if !pool_ids.insert(id.clone()) {
                return Err((format!("{at}.id"), format!("pool id {id} given twice")));
            }
        }
        if p.config.contains_key("PoolName") {
            return Err((
                format!("{at}.config.PoolName"),
                "the pool's name goes in `name`".into(),
            ));
        }
        for (name, arn) in &p.triggers {
            if !TRIGGERS.contains(&name.as_str()) {
                return Err((
                    format!("{at}.triggers.{name}"),
                    format!(
                        "unknown trigger `{name}`, expected one of {}",
                        TRIGGERS.join(", ")
                    ),
                ));
            }
            if !is_lambda_arn(arn) {
                return Err((
                    format!("{at}.triggers.{name}"),
                    format!(
                        "expected a Lambda function ARN \
                         (arn:aws:lambda:REGION:ACCOUNT:function:NAME), got {arn:?}"
                    ),
                ));
            }
        }
        let groups: Vec<&str> = p.groups.iter().map(|g| g.name.as_str()).collect();
        for (j, u) in p.users.iter().enumerate() {
            for (k, g) in u.groups.iter().enumerate() {
                if !groups.contains(&g.as_str()) {
                    return Err((
                        format!("{at}.users[{j}].groups[{k}]"),
                        format!("no group {g:?} in this pool's `groups`"),
                    ));
                }
            }
            if u.password.is_none() && u.status != Status::Unconfirmed {
                return Err((
                    format!("{at}.users[{j}].password"),
                    "expected a password (only an UNCONFIRMED user may go without)".into(),
                ));
            }
        }
        for (j, c) in p.clients.iter().enumerate() {
            if c.secret.is_some() && c.generate_secret {
                return Err((
                    format!("{at}.clients[{j}].generate_secret"),
                    "give either `secret` or `generate_secret = true`, not both".into(),
                ));
            }
        }
    }
    Ok(config)
}

fn is_lambda_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "lambda", region, account, "function", name]
            if partition.starts_with("aws")
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty()
    )
}

/// An operation's error, placed at `path`.
fn at(path: String) -> impl Fn(ApiError) -> (String, String) {
    move |e| (path.clone(), format!("{}: {}", e.kind, e.message))
}

/// Creates what the document describes; an error is (path, message). Requests go through the
/// same validation as over HTTP, so a value AWS would refuse is refused here, at its path.
pub(crate) fn apply(st: &mut State, config: &Config) -> Result<(), (String, String)> {
    for (i, p) in config.pools.iter().enumerate() {
        let here = format!("pools[{i}]");
        let mut req = p.config.clone();
        req.insert("PoolName".into(), json!(p.name));
        if !p.triggers.is_empty() {
            let lambda = req
                .entry("LambdaConfig")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .ok_or_else(|| {
                    (
                        format!("{here}.config.LambdaConfig"),
                        "expected a table".to_string(),
                    )
                })?;
            for (name, arn) in &p.triggers {
                lambda.insert(name.clone(), json!(arn));
            }
        }
        // The triggers are checked with the pool but installed once its users exist: the users
        // of a configuration file are created as given, not through PreSignUp and friends.
        crate::model::validate(Service::UserPools, "CreateUserPool", &req)
            .map_err(at(format!("{here}.config")))?;
        let lambda_config = req.remove("LambdaConfig");
        let out = run(st, "CreateUserPool", req).map_err(at(format!("{here}.config")))?;
        let mut pool_id = out["UserPool"]["Id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(fixed) = &p.id {
            if st.pools().contains_key(fixed) {
                return Err((format!("{here}.id"), format!("pool {fixed} already exists")));
            }
            if let Some(mut pool) = st.take_pool(&pool_id) {
                pool.set_id(fixed);
                st.insert_pool(pool);
            }
            pool_id = fixed.clone();
        }
        for (j, c) in p.clients.iter().enumerate() {
            let here = format!("{here}.clients[{j}]");
            let mut req = c.config.clone();
            req.insert("UserPoolId".into(), json!(pool_id));
            req.insert("ClientName".into(), json!(c.name));
            if c.secret.is_some() || c.generate_secret {
                req.insert("GenerateSecret".into(), json!(true));
            }
            let out = run(st, "CreateUserPoolClient", req).map_err(at(format!("{here}.config")))?;
            let id = out["UserPoolClient"]["ClientId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(mut client) = st.take_client(&id) {
                if let Some(fixed) = &c.id {
                    crate::api::check_client_id(fixed).map_err(at(format!("{here}.id")))?;
                    if st.clients().contains_key(fixed) {
                        return Err((format!("{here}.id"), format!("client {fixed} given twice")));
                    }
                    client.id = fixed.clone();
                }
                if let Some(secret) = &c.secret {
                    client.secret = Some(secret.as_str().into());
                }
                st.insert_client(client);
            }
        }
        for (j, g) in p.groups.iter().enumerate() {
            let mut req = json!({"UserPoolId": pool_id, "GroupName": g.name});
            if let Some(d) = &g.description {
                req["Description"] = json!(d);
            }
            if let Some(n) = g.precedence {
                req["Precedence"] = json!(n);
            }
            if let Some(r) = &g.role_arn {
                req["RoleArn"] = json!(r);
            }
            run_value(st, "CreateGroup", req).map_err(at(format!("{here}.groups[{j}]")))?;
        }
        for (j, u) in p.users.iter().enumerate() {
            let here = format!("{here}.users[{j}]");
            let attrs: Vec<Value> = u
                .attributes
                .iter()
                .map(|(k, v)| json!({"Name": k, "Value": v}))
                .collect();
            let out = run_value(
                st,
                "AdminCreateUser",
                json!({"UserPoolId": pool_id, "Username": u.username,
                       "UserAttributes": attrs, "MessageAction": "SUPPRESS"}),
            )
            .map_err(at(here.clone()))?;
            let internal = out["User"]["Username"]
                .as_str()
                .unwrap_or(&u.username)
                .to_string();
            if let Some(pw) = &u.password {
                run_value(
                    st,
                    "AdminSetUserPassword",
                    json!({"UserPoolId": pool_id, "Username": internal, "Password": pw,
                           "Permanent": u.status != Status::ForceChangePassword}),
                )
                .map_err(at(format!("{here}.password")))?;
            }
            let pool = st.pool_mut(&pool_id).map_err(at(here.clone()))?;
            if u.status == Status::Confirmed {
                crate::state::verify_contacts(pool, &internal).map_err(at(here.clone()))?;
            }
            let user = pool.user_mut(&internal).map_err(at(here.clone()))?;
            user.status = match u.status {
                Status::Confirmed => "CONFIRMED",
                Status::Unconfirmed => "UNCONFIRMED",
                Status::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
                Status::ResetRequired => "RESET_REQUIRED",
            };
            for (k, g) in u.groups.iter().enumerate() {
                run_value(
                    st,
                    "AdminAddUserToGroup",
                    json!({"UserPoolId": pool_id, "Username": internal, "GroupName": g}),
                )
                .map_err(at(format!("{here}.groups[{k}]")))?;
            }
        }
        if let Some(lambda) = lambda_config {
            let pool = st.pool_mut(&pool_id).map_err(at(here.clone()))?;
            pool.config.insert("LambdaConfig".into(), lambda);
            pool.s = crate::state::PoolSettings::from_config(&pool.config);
        }
    }
    Ok(())
}

fn run(st: &mut State, op: &str, body: Map<String, Value>) -> Result<Value, ApiError> {
    dispatch(st, Service::UserPools, op, &body)
}

fn run_value(st: &mut State, op: &str, body: Value) -> Result<Value, ApiError> {
    run(st, op, body.as_object().cloned().unwrap_or_default())
}
