//! User-pool Lambda triggers: AWS's event shapes, response rules and failure semantics.
//!
//! A trigger runs either as a function behind the AWS Lambda Invoke API
//! (`POST {endpoint}/2015-03-31/functions/{name}/invocations`, the name taken from the ARN in
//! the pool's `LambdaConfig`) or as a Rust closure registered with
//! [`Service::set_trigger`](crate::Service::set_trigger). Both receive the same JSON event
//! and return it (with `response` filled in), so a closure is a Lambda handler written in
//! Rust.
//!
//! Triggers never run under the state lock. An operation that reaches a trigger whose answer
//! steers it (pre sign-up, pre authentication, user migration, the custom-auth trio) records
//! the invocation and stops; the dispatcher releases the lock, invokes, and runs the operation
//! again from the start with the answers so far (the operations reach those triggers before
//! they change anything). Triggers whose answer only decorates the result (post confirmation,
//! post authentication, custom messages, pre token generation) are collected while the
//! operation runs and invoked after it, before its tokens are signed; their failure still
//! fails the operation, as on AWS.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult};
use crate::state::{Deferred, Invocation, State, Target, TokenJob, User};
pub use crate::values::{DEFAULT_TIMEOUT, Trigger, TriggerFn};

/// The pre token generation trigger sources the emulator sends for user tokens:
/// `TokenGeneration_HostedAuth` from the OAuth token endpoint (codes of the hosted sign-in),
/// the other four from the API operations.
pub const TOKEN_GENERATION_SOURCES: [&str; 5] = [
    "TokenGeneration_Authentication",
    "TokenGeneration_NewPasswordChallenge",
    "TokenGeneration_AuthenticateDevice",
    "TokenGeneration_RefreshTokens",
    "TokenGeneration_HostedAuth",
];

/// The pre token generation source of client-credentials tokens (version 3 events only).
pub const CLIENT_CREDENTIALS_SOURCE: &str = "TokenGeneration_ClientCredentials";

/// The function name in `LambdaConfig` that [`crate::PoolConfig::custom_auth_trigger`] uses:
/// it always means the built-in custom-auth scenario, even with a Lambda endpoint.
pub(crate) const BUILTIN_FUNCTION: &str = "emulator-builtin";

/// The error an operation returns when it stops at a trigger (never sent: the dispatcher
/// invokes the trigger and runs the operation again).
fn pending_error() -> ApiError {
    ApiError::new("InternalErrorException", "trigger pending")
}

/// The function name (and qualifier) of a Lambda ARN; anything else is taken as a name.
fn function_of(arn: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() >= 7 && parts[0] == "arn" && parts[5] == "function" {
        let qualifier = parts.get(7).map(|q| q.to_string());
        (parts[6].to_string(), qualifier)
    } else {
        (arn.to_string(), None)
    }
}

/// The ARN `LambdaConfig` names for `trigger`, and the pre token generation event version.
fn configured(st: &State, pool_id: &str, trigger: Trigger) -> Option<(String, u8)> {
    let lc = st.pools().get(pool_id)?.config.get("LambdaConfig")?;
    if trigger == Trigger::PreTokenGeneration
        && let Some(cfg) = lc.get("PreTokenGenerationConfig")
        && let Some(arn) = cfg.get("LambdaArn").and_then(Value::as_str)
    {
        let version = match cfg.get("LambdaVersion").and_then(Value::as_str) {
            Some("V2_0") => 2,
            Some("V3_0") => 3,
            _ => 1,
        };
        return Some((arn.to_string(), version));
    }
    let arn = lc.get(trigger.as_str())?.as_str()?;
    Some((arn.to_string(), 1))
}

/// How `trigger` runs for `pool_id`, or `None` when it does not (not configured, or the
/// custom-auth trio falling back to the built-in scenario).
pub(crate) fn target(st: &State, pool_id: &str, trigger: Trigger) -> Option<Target> {
    if let Some(f) = st.handlers().get(pool_id).and_then(|h| h.get(&trigger)) {
        return Some(Target::Closure(f.clone()));
    }
    let (arn, _) = configured(st, pool_id, trigger)?;
    let (function, qualifier) = function_of(&arn);
    if function == BUILTIN_FUNCTION {
        return None;
    }
    match &st.lambda().endpoint {
        Some(endpoint) => Some(Target::Lambda {
            endpoint: endpoint.clone(),
            function,
            qualifier,
            timeout: st.lambda().timeout,
        }),
        // Without an endpoint the custom-auth trio keeps the built-in scenario (existing
        // setups rely on it); any other configured trigger fails the operation.
        None if trigger.is_custom_auth() => None,
        None => Some(Target::Unreachable { function }),
    }
}

/// The pre token generation event version of a pool (1 unless `PreTokenGenerationConfig`
/// says otherwise).
pub(crate) fn token_version(st: &State, pool_id: &str) -> u8 {
    configured(st, pool_id, Trigger::PreTokenGeneration).map_or(1, |(_, v)| v)
}

/// Whether the custom-auth trio of a pool runs as real triggers (closures or Lambda).
pub(crate) fn custom_auth_plugged(st: &State, pool_id: &str) -> bool {
    target(st, pool_id, Trigger::DefineAuthChallenge).is_some()
}

/// Whether any trigger of the pool runs (the operations skip event building otherwise).
pub(crate) fn any(st: &State, pool_id: &str) -> bool {
    st.handlers().get(pool_id).is_some_and(|h| !h.is_empty())
        || st
            .pools()
            .get(pool_id)
            .and_then(|p| p.config.get("LambdaConfig"))
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
}

/// A trigger whose answer steers the operation: the answer of an earlier pass, or the
/// invocation recorded for the dispatcher (the operation then stops with an error nobody
/// sees). `None` when the trigger does not run. Returns the event's `response` member.
pub(crate) fn call(
    st: &mut State,
    pool_id: &str,
    trigger: Trigger,
    event: Value,
) -> ApiResult<Option<Map<String, Value>>> {
    let Some(target) = target(st, pool_id, trigger) else {
        return Ok(None);
    };
    if let Target::Unreachable { function } = &target {
        return Err(unreachable_error(trigger, function));
    }
    let run = st.run_mut();
    if let Some((t, answer)) = run.answers.get(run.cursor) {
        if *t == trigger {
            run.cursor += 1;
            return Ok(Some(answer.clone()));
        }
        // The state changed between passes and the operation took another path: the
        // remaining answers belong to that other path.
        run.answers.truncate(run.cursor);
    }
    run.pending = Some(Invocation {
        trigger,
        target,
        event,
    });
    Err(pending_error())
}

/// Queues a trigger whose answer does not matter (post confirmation, post authentication).
pub(crate) fn notify(
    st: &mut State,
    pool_id: &str,
    trigger: Trigger,
    event: Value,
) -> ApiResult<()> {
    match target(st, pool_id, trigger) {
        None => Ok(()),
        Some(Target::Unreachable { function }) => Err(unreachable_error(trigger, &function)),
        Some(target) => {
            st.run_mut().deferred.push(Deferred::Notify(Invocation {
                trigger,
                target,
                event,
            }));
            Ok(())
        }
    }
}

fn unreachable_error(trigger: Trigger, function: &str) -> ApiError {
    ApiError::new(
        "UnexpectedLambdaException",
        format!(
            "{trigger} invocation failed due to error No Lambda endpoint is configured for function {function}: \
             start the emulator with --lambda-endpoint URL (EmulatorBuilder::lambda_endpoint) or register \
             a Rust handler with set_trigger."
        ),
    )
}

/// The region of a pool id.
fn region_of(pool_id: &str) -> &str {
    pool_id.split('_').next().unwrap_or("us-east-1")
}

/// The common envelope of every trigger event.
pub(crate) fn event(
    st: &State,
    pool_id: &str,
    version: u8,
    source: &str,
    username: &str,
    request: Value,
    response: Value,
) -> Value {
    let client_id = st
        .run()
        .client_id
        .clone()
        .unwrap_or_else(|| "CLIENT_ID_NOT_APPLICABLE".to_string());
    json!({
        "version": version.to_string(),
        "triggerSource": source,
        "region": region_of(pool_id),
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id,
        },
        "request": request,
        "response": response,
    })
}

/// `request.userAttributes` of a user: every attribute as a string, `sub` and
/// `cognito:user_status` included.
pub(crate) fn user_attributes(user: &User) -> Value {
    let mut m = Map::new();
    m.insert("sub".into(), json!(user.sub));
    for (k, v) in user.attrs() {
        m.insert(k.clone(), json!(v));
    }
    m.insert("cognito:user_status".into(), json!(user.status));
    Value::Object(m)
}

/// `request.clientMetadata` of the running operation (`null` when the request had none).
/// `InitiateAuth`'s metadata goes to pre authentication and user migration only, as
/// `validationData`.
pub(crate) fn client_metadata(st: &State) -> Value {
    if matches!(st.run().op.as_str(), "InitiateAuth" | "AdminInitiateAuth") {
        return Value::Null;
    }
    st.run().client_metadata.clone().unwrap_or(Value::Null)
}

/// `request.validationData`: the `ValidationData` of SignUp/AdminCreateUser as a map, or
/// the `ClientMetadata` of InitiateAuth.
pub(crate) fn validation_data(list: Option<Vec<(String, String)>>) -> Value {
    match list {
        Some(l) => Value::Object(l.into_iter().map(|(k, v)| (k, json!(v))).collect()),
        None => Value::Null,
    }
}

// ---------------------------------------------------------------------------------------
// Response parsing: the returned event is read leniently (unknown members are ignored, a
// missing or null `response` means "default behaviour"); a documented member of the wrong
// type is an invalid response, as AWS fails to deserialize it.

fn bad_output() -> ApiError {
    ApiError::new(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

/// A boolean response member (`false` when absent or null).
pub(crate) fn flag(resp: &Map<String, Value>, key: &str) -> ApiResult<bool> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad_output()),
    }
}

/// A string response member.
pub(crate) fn string(resp: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_output()),
    }
}

/// A string-to-string map response member.
pub(crate) fn string_map(
    resp: &Map<String, Value>,
    key: &str,
) -> ApiResult<Option<BTreeMap<String, String>>> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(bad_output()),
            })
            .collect::<ApiResult<_>>()
            .map(Some),
        Some(_) => Err(bad_output()),
    }
}

/// A list-of-strings response member.
pub(crate) fn string_list(resp: &Map<String, Value>, key: &str) -> ApiResult<Option<Vec<String>>> {
    match resp.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(bad_output))
            .collect::<ApiResult<_>>()
            .map(Some),
        Some(_) => Err(bad_output()),
    }
}

/// The `response` member of a returned event.
fn response_of(returned: Value) -> ApiResult<Map<String, Value>> {
    match returned {
        Value::Object(mut m) => match m.remove("response") {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(r)) => Ok(r),
            Some(_) => Err(bad_output()),
        },
        _ => Err(bad_output()),
    }
}

// ---------------------------------------------------------------------------------------
// Invocation (outside the state lock).

/// Runs one invocation and returns the `response` member of what the function returned.
pub(crate) fn invoke(inv: &Invocation) -> ApiResult<Map<String, Value>> {
    let trigger = inv.trigger;
    let returned = match &inv.target {
        Target::Closure(f) => {
            // A closure is user code: it may block, or call the emulator back over HTTP.
            let outcome = crate::util::blocking(|| {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&inv.event)))
            });
            match outcome {
                Ok(Ok(v)) => v,
                Ok(Err(message)) => return Err(function_error(trigger, &message)),
                Err(_) => {
                    return Err(function_error(
                        trigger,
                        "Runtime exited with error: the handler panicked",
                    ));
                }
            }
        }
        Target::Lambda {
            endpoint,
            function,
            qualifier,
            timeout,
        } => crate::util::blocking(|| {
            invoke_http(
                trigger,
                endpoint,
                function,
                qualifier.as_deref(),
                *timeout,
                &inv.event,
            )
        })?,
        Target::Unreachable { function } => return Err(unreachable_error(trigger, function)),
    };
    response_of(returned)
}

/// `UserLambdaValidationException`, with the dot AWS appends even after one.
fn function_error(trigger: Trigger, message: &str) -> ApiError {
    ApiError::new(
        "UserLambdaValidationException",
        format!("{trigger} failed with error {message}."),
    )
}

fn invocation_failed(trigger: Trigger, why: &str) -> ApiError {
    ApiError::new(
        "UnexpectedLambdaException",
        format!("{trigger} invocation failed due to error {why}."),
    )
}

/// Percent-encodes a path segment or query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Largest function answer read (Lambda's synchronous payload limit is 6 MB).
const MAX_PAYLOAD: u64 = 6 * 1024 * 1024;

fn invoke_http(
    trigger: Trigger,
    endpoint: &str,
    function: &str,
    qualifier: Option<&str>,
    timeout: Duration,
    event: &Value,
) -> ApiResult<Value> {
    let mut url = format!(
        "{}/2015-03-31/functions/{}/invocations",
        endpoint.trim_end_matches('/'),
        encode(function)
    );
    if let Some(q) = qualifier {
        url.push_str(&format!("?Qualifier={}", encode(q)));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let sent = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .header("X-Amz-Invocation-Type", "RequestResponse")
        .header("X-Amz-Log-Type", "None")
        .send(event.to_string().as_bytes());
    let mut resp = match sent {
        Ok(r) => r,
        Err(ureq::Error::Timeout(_)) => {
            return Err(invocation_failed(
                trigger,
                "Socket timeout while invoking Lambda function",
            ));
        }
        Err(e) => {
            return Err(invocation_failed(
                trigger,
                &format!("Unable to reach the Lambda endpoint {endpoint}: {e}"),
            ));
        }
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let function_error_header = header("x-amz-function-error");
    let error_type = header("x-amzn-errortype");
    let body = match resp
        .body_mut()
        .with_config()
        .limit(MAX_PAYLOAD)
        .read_to_vec()
    {
        Ok(b) => b,
        Err(ureq::Error::Timeout(_)) => {
            return Err(invocation_failed(
                trigger,
                "Socket timeout while invoking Lambda function",
            ));
        }
        Err(e) => return Err(invocation_failed(trigger, &e.to_string())),
    };
    if !(200..300).contains(&status) {
        // A Lambda service error (no such function, throttling, ...): AWS names its type.
        let parsed: Option<Value> = serde_json::from_slice(&body).ok();
        let kind = error_type
            .map(|t| t.split(':').next().unwrap_or_default().to_string())
            .filter(|t| !t.is_empty())
            .or_else(|| {
                let p = parsed.as_ref()?;
                p.get("__type")
                    .or_else(|| p.get("Type"))
                    .and_then(Value::as_str)
                    .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
            })
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(invocation_failed(trigger, &kind));
    }
    if function_error_header.is_some() {
        let parsed: Option<Value> = serde_json::from_slice(&body).ok();
        let message = parsed
            .as_ref()
            .and_then(|p| p.get("errorMessage"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        return Err(function_error(trigger, &message));
    }
    serde_json::from_slice(&body).map_err(|_| bad_output())
}

// ---------------------------------------------------------------------------------------
// Deferred work.

/// Runs the deferred invocations of an operation (outside the lock): custom messages are
/// patched into the messages hook, pre token generation rewrites the claims of the tokens
/// to sign. The first failure is the operation's error.
///
/// `patch_message(index, code, message, subject)` puts a custom message's text into the
/// delivered message at `index` (under the state lock, which the caller takes) when it still
/// carries `code`.
pub(crate) fn run_deferred(
    deferred: Vec<Deferred>,
    unsigned: &mut Vec<crate::tokens::Unsigned>,
    mut patch_message: impl FnMut(usize, &str, Option<String>, Option<String>),
) -> ApiResult<()> {
    for d in deferred {
        match d {
            Deferred::Notify(inv) => {
                invoke(&inv)?;
            }
            Deferred::Message {
                inv,
                index,
                code,
                username,
                medium,
            } => {
                let resp = invoke(&inv)?;
                let (message, subject) =
                    custom_message_text(&inv, &resp, &code, &username, &medium)?;
                patch_message(index, &code, message, subject);
            }
            Deferred::Tokens(job) => {
                let resp = invoke(&job.inv)?;
                let job = *job;
                // An access token minted alone (client credentials, or an OAuth grant without
                // `openid`) has no ID token to sign.
                let access_only = job.id_claims.is_empty();
                let (id, access) = apply_token_response(&job, &resp)?;
                if !access_only {
                    let id_token =
                        crate::tokens::Unsigned::new(&job.keys, crate::tokens::KeyUse::Id, &id)
                            .map_err(crate::api::internal)?
                            .with_placeholder(job.id_placeholder);
                    unsigned.push(id_token);
                }
                let access_token =
                    crate::tokens::Unsigned::new(&job.keys, crate::tokens::KeyUse::Access, &access)
                        .map_err(crate::api::internal)?
                        .with_placeholder(job.access_placeholder);
                unsigned.push(access_token);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Custom messages.

/// The placeholder of the code in custom messages.
const CODE_PARAMETER: &str = "{####}";
/// The placeholder of the username in AdminCreateUser invitations.
const USERNAME_PARAMETER: &str = "{username}";

/// The custom message source of a delivery, from the operation and the message kind.
fn message_source(op: &str, kind: &str) -> Option<&'static str> {
    Some(match (op, kind) {
        ("SignUp", "SIGN_UP") => "CustomMessage_SignUp",
        ("ResendConfirmationCode", "SIGN_UP") => "CustomMessage_ResendCode",
        (_, "FORGOT_PASSWORD") => "CustomMessage_ForgotPassword",
        ("AdminCreateUser", "INVITE") => "CustomMessage_AdminCreateUser",
        ("GetUserAttributeVerificationCode", "VERIFY_ATTRIBUTE") => {
            "CustomMessage_VerifyUserAttribute"
        }
        (_, "VERIFY_ATTRIBUTE") => "CustomMessage_UpdateUserAttribute",
        (_, "MFA" | "OTP") => "CustomMessage_Authentication",
        _ => return None,
    })
}

/// Records a delivered code on the messages hook and queues the custom message trigger when
/// the pool has one (an unreachable one fails the operation once it ends).
pub(crate) fn deliver(
    st: &mut State,
    pool_id: &str,
    username: &str,
    destination: &str,
    medium: &str,
    kind: &str,
    code: &str,
) {
    let index = st.record_message(pool_id, username, destination, medium, kind, code);
    on_delivery(st, index);
}

/// Queues the custom message trigger for the message just recorded at `index`.
fn on_delivery(st: &mut State, index: usize) {
    let Some(m) = st.messages().get(index).cloned() else {
        return;
    };
    let Some(source) = message_source(&st.run().op, &m.kind) else {
        return;
    };
    let Some(target) = target(st, &m.user_pool_id, Trigger::CustomMessage) else {
        return;
    };
    let attrs = st
        .pools()
        .get(&m.user_pool_id)
        .and_then(|p| p.users.get(&m.username))
        .map(user_attributes)
        .unwrap_or_else(|| json!({}));
    let invite = source == "CustomMessage_AdminCreateUser";
    let request = json!({
        "userAttributes": attrs,
        "codeParameter": CODE_PARAMETER,
        "linkParameter": "{##Click Here##}",
        "usernameParameter": if invite { json!(USERNAME_PARAMETER) } else { Value::Null },
        "clientMetadata": client_metadata(st),
    });
    let response = json!({"smsMessage": null, "emailMessage": null, "emailSubject": null});
    let event = event(
        st,
        &m.user_pool_id,
        1,
        source,
        &m.username,
        request,
        response,
    );
    st.run_mut().deferred.push(Deferred::Message {
        inv: Invocation {
            trigger: Trigger::CustomMessage,
            target,
            event,
        },
        index,
        code: m.code.clone(),
        username: m.username.clone(),
        medium: m.delivery_medium.clone(),
    });
}

/// The text and subject a custom message trigger asked for, with the code (and username)
/// put in. A message without the code placeholder is ignored (AWS then sends its default
/// message), so the user is never sent a message that lacks the code.
fn custom_message_text(
    inv: &Invocation,
    resp: &Map<String, Value>,
    code: &str,
    username: &str,
    medium: &str,
) -> ApiResult<(Option<String>, Option<String>)> {
    let sms = string(resp, "smsMessage")?;
    let email = string(resp, "emailMessage")?;
    let subject = string(resp, "emailSubject")?;
    let invite = inv.event["triggerSource"] == "CustomMessage_AdminCreateUser";
    let text = if medium == "SMS" { sms } else { email };
    let text =
        text.filter(|t| t.contains(CODE_PARAMETER) && (!invite || t.contains(USERNAME_PARAMETER)));
    let text = text.map(|t| {
        t.replace(CODE_PARAMETER, code)
            .replace(USERNAME_PARAMETER, username)
    });
    let subject = if medium == "SMS" { None } else { subject };
    Ok((text, subject))
}

// ---------------------------------------------------------------------------------------
// Pre token generation.

/// Claims a pre token generation trigger can never add, change or suppress.
const PROTECTED: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "auth_time",
    "azp",
    "client_id",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "username",
    "version",
    "aud",
    "scope",
];

/// Whether a pre token generation response may touch `claim` (groups and roles change only
/// through `groupOverrideDetails`, `scope` only through the scope lists).
fn protected(claim: &str) -> bool {
    PROTECTED.contains(&claim) || claim.starts_with("cognito:")
}

/// The pre token generation source of tokens minted by the running operation.
pub(crate) fn token_source(st: &State) -> &'static str {
    st.run()
        .token_source
        .unwrap_or("TokenGeneration_RefreshTokens")
}

/// Queues pre token generation for a freshly minted pair of tokens when the pool has the
/// trigger; returns the placeholders the response carries until they are signed.
pub(crate) fn defer_tokens(
    st: &mut State,
    pool_id: &str,
    username: &str,
    keys: &crate::tokens::LazyKeys,
    id_claims: &Map<String, Value>,
    access_claims: &Map<String, Value>,
) -> ApiResult<Option<(String, String)>> {
    let Some(target) = target(st, pool_id, Trigger::PreTokenGeneration) else {
        return Ok(None);
    };
    let version = token_version(st, pool_id);
    let machine = token_source(st) == CLIENT_CREDENTIALS_SOURCE;
    if machine && version < 3 {
        // Only version 3 events are sent for client-credentials tokens.
        return Ok(None);
    }
    if let Target::Unreachable { function } = &target {
        return Err(unreachable_error(Trigger::PreTokenGeneration, function));
    }
    let attrs = st
        .pools()
        .get(pool_id)
        .and_then(|p| p.users.get(username))
        .map(user_attributes)
        .unwrap_or_else(|| json!({}));
    let groups = id_claims
        .get("cognito:groups")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let roles = id_claims
        .get("cognito:roles")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let preferred = id_claims
        .get("cognito:preferred_role")
        .cloned()
        .unwrap_or(Value::Null);
    let mut request = json!({
        "userAttributes": attrs,
        "groupConfiguration": {
            "groupsToOverride": groups,
            "iamRolesToOverride": roles,
            "preferredRole": preferred,
        },
        "clientMetadata": client_metadata(st),
    });
    if machine {
        request["userAttributes"] = json!({});
        request["groupConfiguration"] = Value::Null;
    }
    let response = if version == 1 {
        json!({"claimsOverrideDetails": null})
    } else {
        let scopes: Vec<&str> = access_claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect();
        request["scopes"] = json!(scopes);
        json!({"claimsAndScopeOverrideDetails": null})
    };
    let source = token_source(st);
    let event = event(st, pool_id, version, source, username, request, response);
    let n = st.run().deferred.len();
    let id_placeholder = format!("pending-id-token-{n}-{}", crate::util::uuid());
    let access_placeholder = format!("pending-access-token-{n}-{}", crate::util::uuid());
    st.run_mut()
        .deferred
        .push(Deferred::Tokens(Box::new(TokenJob {
            inv: Invocation {
                trigger: Trigger::PreTokenGeneration,
                target,
                event,
            },
            version,
            keys: keys.clone(),
            id_claims: id_claims.clone(),
            access_claims: access_claims.clone(),
            id_placeholder: id_placeholder.clone(),
            access_placeholder: access_placeholder.clone(),
        })));
    Ok(Some((id_placeholder, access_placeholder)))
}

/// Claims of the ID token that must keep a scalar value (AWS rejects objects for them).
const SCALAR_ID_CLAIMS: &[&str] = &[
    "email_verified",
    "phone_number_verified",
    "updated_at",
    "address",
];

/// Applies one token's `claimsToAddOrOverride` and `claimsToSuppress`: suppress beats add,
/// and protected claims are left alone (dropped from the response, as AWS does not let a
/// trigger overwrite them).
fn apply_claims(
    claims: &mut Map<String, Value>,
    section: &Map<String, Value>,
    strings_only: bool,
    id_token: bool,
) -> ApiResult<()> {
    match section.get("claimsToAddOrOverride") {
        None | Some(Value::Null) => {}
        Some(Value::Object(add)) => {
            for (k, v) in add {
                if strings_only && !v.is_string() {
                    return Err(bad_output());
                }
                if id_token && v.is_object() && SCALAR_ID_CLAIMS.contains(&k.as_str()) {
                    return Err(bad_output());
                }
                if protected(k) || k.starts_with("dev:") || v.is_null() {
                    continue;
                }
                claims.insert(k.clone(), v.clone());
            }
        }
        Some(_) => return Err(bad_output()),
    }
    if let Some(suppress) = string_list(section, "claimsToSuppress")? {
        for k in suppress {
            if !protected(&k) {
                claims.remove(&k);
            }
        }
    }
    Ok(())
}

/// Applies `groupOverrideDetails` to both tokens: present (even empty or null members)
/// replaces `cognito:groups`, `cognito:roles` and `cognito:preferred_role`.
fn apply_groups(
    id: &mut Map<String, Value>,
    access: &mut Map<String, Value>,
    details: &Map<String, Value>,
) -> ApiResult<()> {
    let Some(g) = details.get("groupOverrideDetails") else {
        return Ok(());
    };
    let g = match g {
        Value::Null => Map::new(),
        Value::Object(m) => m.clone(),
        _ => return Err(bad_output()),
    };
    let groups = string_list(&g, "groupsToOverride")?.unwrap_or_default();
    let roles = string_list(&g, "iamRolesToOverride")?.unwrap_or_default();
    let preferred = string(&g, "preferredRole")?;
    for claims in [&mut *id, &mut *access] {
        claims.remove("cognito:groups");
        if !groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(groups));
        }
    }
    id.remove("cognito:roles");
    id.remove("cognito:preferred_role");
    if !roles.is_empty() {
        id.insert("cognito:roles".into(), json!(roles));
    }
    if let Some(p) = preferred {
        id.insert("cognito:preferred_role".into(), json!(p));
    }
    Ok(())
}

/// The claims of both tokens after a pre token generation answer.
fn apply_token_response(
    job: &TokenJob,
    resp: &Map<String, Value>,
) -> ApiResult<(Map<String, Value>, Map<String, Value>)> {
    let mut id = job.id_claims.clone();
    let mut access = job.access_claims.clone();
    if job.version == 1 {
        match resp.get("claimsOverrideDetails") {
            None | Some(Value::Null) => {}
            Some(Value::Object(d)) => {
                apply_claims(&mut id, d, true, true)?;
                apply_groups(&mut id, &mut access, d)?;
            }
            Some(_) => return Err(bad_output()),
        }
        return Ok((id, access));
    }
    let d = match resp.get("claimsAndScopeOverrideDetails") {
        None | Some(Value::Null) => return Ok((id, access)),
        Some(Value::Object(d)) => d,
        Some(_) => return Err(bad_output()),
    };
    match d.get("idTokenGeneration") {
        None | Some(Value::Null) => {}
        Some(Value::Object(s)) => apply_claims(&mut id, s, false, true)?,
        Some(_) => return Err(bad_output()),
    }
    match d.get("accessTokenGeneration") {
        None | Some(Value::Null) => {}
        Some(Value::Object(s)) => {
            // An access-token `aud` equal to the client id may be added.
            let client_id = access.get("client_id").cloned();
            let aud_ok = s
                .get("claimsToAddOrOverride")
                .and_then(|a| a.get("aud"))
                .is_some_and(|a| Some(a) == client_id.as_ref());
            apply_claims(&mut access, s, false, false)?;
            if aud_ok && let Some(c) = client_id {
                access.insert("aud".into(), c);
            }
            apply_scopes(&mut access, s)?;
        }
        Some(_) => return Err(bad_output()),
    }
    apply_groups(&mut id, &mut access, d)?;
    Ok((id, access))
}

/// `scopesToAdd` and `scopesToSuppress` (suppress beats add; a scope with blanks is
/// invalid).
fn apply_scopes(access: &mut Map<String, Value>, s: &Map<String, Value>) -> ApiResult<()> {
    let add = string_list(s, "scopesToAdd")?.unwrap_or_default();
    let suppress = string_list(s, "scopesToSuppress")?.unwrap_or_default();
    if add
        .iter()
        .any(|a| a.is_empty() || a.chars().any(char::is_whitespace))
    {
        return Err(bad_output());
    }
    let mut scopes: Vec<String> = access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    for a in add {
        if !scopes.contains(&a) {
            scopes.push(a);
        }
    }
    scopes.retain(|x| !suppress.contains(x));
    if scopes.is_empty() {
        access.remove("scope");
    } else {
        access.insert("scope".into(), json!(scopes.join(" ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_come_from_the_arn() {
        assert_eq!(
            function_of("arn:aws:lambda:us-east-1:123456789012:function:my-fn"),
            ("my-fn".to_string(), None)
        );
        assert_eq!(
            function_of("arn:aws:lambda:us-east-1:123456789012:function:my-fn:live"),
            ("my-fn".to_string(), Some("live".to_string()))
        );
        assert_eq!(function_of("plain-name"), ("plain-name".to_string(), None));
    }

    #[test]
    fn protected_claims_cover_cognito_prefix_and_registered_claims() {
        for c in [
            "sub",
            "cognito:username",
            "cognito:groups",
            "iss",
            "exp",
            "aud",
            "scope",
        ] {
            assert!(protected(c), "{c}");
        }
        for c in ["email", "custom:tier", "tenant"] {
            assert!(!protected(c), "{c}");
        }
    }

    #[test]
    fn a_returned_event_without_response_means_defaults() {
        assert_eq!(response_of(json!({"version": "1"})), Ok(Map::new()));
        assert_eq!(response_of(json!({"response": null})), Ok(Map::new()));
        assert!(response_of(json!("text")).is_err());
        assert!(response_of(json!({"response": 3})).is_err());
    }
}
