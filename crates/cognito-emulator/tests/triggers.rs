//! User-pool Lambda triggers: every trigger source against a Lambda-Invoke-compatible server
//! run by the test (Rust handlers per function name), the response fields that change
//! behaviour, the failure modes, and the same triggers as Rust closures.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig, Trigger};
use serde_json::{Value, json};

use crate::common::{PASSWORD, claims, err, ok, op};

/// What a test handler answers.
enum Reply {
    /// The returned event (status 200).
    Event(Value),
    /// A function error: `X-Amz-Function-Error: Unhandled` and Lambda's error body.
    Error(&'static str),
    /// A raw HTTP answer.
    Raw(u16, Vec<(&'static str, &'static str)>, &'static str),
    /// Answers after a delay.
    Slow(Duration, Value),
}

type Handler = Arc<dyn Fn(&Value) -> Reply + Send + Sync>;

/// A tiny server speaking the Lambda Invoke API: `POST
/// /2015-03-31/functions/{name}/invocations` runs the handler registered for `name`.
struct LambdaServer {
    url: String,
    functions: Arc<Mutex<HashMap<String, Handler>>>,
    events: Arc<Mutex<Vec<(String, Value)>>>,
}

impl LambdaServer {
    fn start() -> LambdaServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let functions: Arc<Mutex<HashMap<String, Handler>>> = Arc::default();
        let events: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
        let (f, e) = (functions.clone(), events.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (f, e) = (f.clone(), e.clone());
                std::thread::spawn(move || serve(stream, &f, &e));
            }
        });
        LambdaServer {
            url,
            functions,
            events,
        }
    }

    fn on(&self, name: &str, handler: impl Fn(&Value) -> Reply + Send + Sync + 'static) {
        self.functions
            .lock()
            .unwrap()
            .insert(name.to_string(), Arc::new(handler));
    }

    /// The events `name` received, oldest first.
    fn events(&self, name: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

fn serve(
    stream: TcpStream,
    functions: &Mutex<HashMap<String, Handler>>,
    events: &Mutex<Vec<(String, Value)>>,
) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let path = request_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let name = path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|p| p.split('/').next())
        .unwrap_or_default()
        .to_string();
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let handler = functions.lock().unwrap().get(&name).cloned();
    let reply = match handler {
        Some(h) => {
            events.lock().unwrap().push((name.clone(), event.clone()));
            h(&event)
        }
        None => Reply::Raw(
            404,
            vec![("x-amzn-ErrorType", "ResourceNotFoundException")],
            r#"{"Type":"User","message":"Function not found"}"#,
        ),
    };
    let (status, headers, body) = match reply {
        Reply::Event(v) => (200, vec![], v.to_string()),
        Reply::Error(m) => (
            200,
            vec![("X-Amz-Function-Error", "Unhandled")],
            json!({"errorType": "Error", "errorMessage": m, "trace": []}).to_string(),
        ),
        Reply::Raw(s, h, b) => (s, h, b.to_string()),
        Reply::Slow(d, v) => {
            std::thread::sleep(d);
            (200, vec![], v.to_string())
        }
    };
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let mut stream = reader.into_inner();
    let _ = stream.write_all(out.as_bytes());
}

/// Returns the event with `response` replaced.
fn respond(event: &Value, response: Value) -> Reply {
    let mut e = event.clone();
    e["response"] = response;
    Reply::Event(e)
}

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

struct Env {
    emu: EmulatorHandle,
    lambda: LambdaServer,
    pool_id: String,
    client_id: String,
}

/// An emulator invoking `lambda`, with one pool whose `LambdaConfig` is `config`.
fn env_with(config: Value, pool: PoolConfig, timeout: Option<Duration>) -> Env {
    let lambda = LambdaServer::start();
    let mut builder = Emulator::builder().lambda_endpoint(&lambda.url);
    if let Some(t) = timeout {
        builder = builder.lambda_timeout(t);
    }
    let emu = builder.start_blocking().expect("emulator");
    let mut pool = pool;
    pool.extra.insert("LambdaConfig".into(), config);
    let p = emu.create_pool(pool).expect("pool");
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .expect("client");
    Env {
        emu,
        lambda,
        pool_id: p.pool_id,
        client_id: c.client_id,
    }
}

fn env(config: Value) -> Env {
    env_with(config, PoolConfig::default(), None)
}

impl Env {
    fn sign_up(&self, username: &str, email: &str) -> Result<Value, (String, String)> {
        op(
            &self.emu,
            "SignUp",
            json!({"ClientId": self.client_id, "Username": username, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": email}],
                   "ValidationData": [{"Name": "invite", "Value": "abc"}],
                   "ClientMetadata": {"app": "web"}}),
        )
    }

    fn user(&self, username: &str) -> Value {
        ok(
            &self.emu,
            "AdminGetUser",
            json!({"UserPoolId": self.pool_id, "Username": username}),
        )
    }

    fn attr(&self, username: &str, name: &str) -> Option<String> {
        self.user(username)["UserAttributes"]
            .as_array()?
            .iter()
            .find(|a| a["Name"] == name)
            .and_then(|a| a["Value"].as_str().map(str::to_string))
    }

    fn password_auth(&self, username: &str, password: &str) -> Result<Value, (String, String)> {
        op(
            &self.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id,
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password},
                   "ClientMetadata": {"source": "tests"}}),
        )
    }

    fn confirmed_user(&self, username: &str, email: &str) {
        self.emu
            .create_user(&self.pool_id, username, PASSWORD, &[("email", email)])
            .expect("user");
    }
}

// ---------------------------------------------------------------------------------------
// Pre sign-up.

#[test]
fn pre_sign_up_event_has_aws_shape_and_auto_confirms_and_verifies() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |ev| {
        respond(
            ev,
            json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}),
        )
    });
    let out = e.sign_up("ann", "ann@example.com").expect("sign-up");
    assert_eq!(out["UserConfirmed"], true);
    assert!(out.get("CodeDeliveryDetails").is_none());
    let user = e.user("ann");
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert_eq!(e.attr("ann", "email_verified").as_deref(), Some("true"));
    assert!(
        e.emu.messages(Some("ann")).is_empty(),
        "no code for an auto-confirmed user"
    );

    let events = e.lambda.events("pre-signup");
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev["version"], "1");
    assert_eq!(ev["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(ev["region"], "us-east-1");
    assert_eq!(ev["userPoolId"], e.pool_id.as_str());
    assert_eq!(ev["userName"], "ann");
    assert_eq!(ev["callerContext"]["clientId"], e.client_id.as_str());
    assert!(ev["callerContext"]["awsSdkVersion"].is_string());
    assert_eq!(ev["request"]["userAttributes"]["email"], "ann@example.com");
    assert_eq!(ev["request"]["validationData"], json!({"invite": "abc"}));
    assert_eq!(ev["request"]["clientMetadata"], json!({"app": "web"}));
    assert_eq!(
        ev["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );
    // The password never reaches the trigger.
    assert!(!ev.to_string().contains(PASSWORD));
}

#[test]
fn pre_sign_up_returning_the_event_unchanged_keeps_the_default_flow() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |ev| Reply::Event(ev.clone()));
    let out = e.sign_up("ben", "ben@example.com").expect("sign-up");
    assert_eq!(out["UserConfirmed"], false);
    assert_eq!(e.user("ben")["UserStatus"], "UNCONFIRMED");
    assert!(
        e.emu
            .last_code("ben", cognito_emulator::MessageKind::SignUp)
            .is_some()
    );
}

#[test]
fn pre_sign_up_auto_verify_without_the_attribute_fails_the_sign_up() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoVerifyPhone": true}))
    });
    let (ty, _) = e.sign_up("cy", "cy@example.com").unwrap_err();
    assert_eq!(ty, "InvalidParameterException");
    let (ty, _) = op(
        &e.emu,
        "AdminGetUser",
        json!({"UserPoolId": e.pool_id, "Username": "cy"}),
    )
    .unwrap_err();
    assert_eq!(ty, "UserNotFoundException");
}

#[test]
fn pre_sign_up_error_refuses_the_sign_up_with_aws_wording() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |_| {
        Reply::Error("Registration from this domain is not allowed.")
    });
    let (ty, msg) = e.sign_up("dee", "dee@blocked.example").unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(
        msg,
        "PreSignUp failed with error Registration from this domain is not allowed.."
    );
    let (ty, _) = op(
        &e.emu,
        "AdminGetUser",
        json!({"UserPoolId": e.pool_id, "Username": "dee"}),
    )
    .unwrap_err();
    assert_eq!(ty, "UserNotFoundException");
}

#[test]
fn pre_sign_up_admin_create_user_source_ignores_the_response_fields() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoConfirmUser": true}))
    });
    ok(
        &e.emu,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool_id, "Username": "eve",
               "UserAttributes": [{"Name": "email", "Value": "eve@example.com"}],
               "ValidationData": [{"Name": "k", "Value": "v"}]}),
    );
    assert_eq!(e.user("eve")["UserStatus"], "FORCE_CHANGE_PASSWORD");
    let ev = &e.lambda.events("pre-signup")[0];
    assert_eq!(ev["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(ev["callerContext"]["clientId"], "CLIENT_ID_NOT_APPLICABLE");
    assert_eq!(ev["request"]["validationData"], json!({"k": "v"}));

    e.lambda
        .on("pre-signup", |_| Reply::Error("no admins today"));
    let (ty, msg) = err(
        &e.emu,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool_id, "Username": "fay"}),
    );
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(msg, "PreSignUp failed with error no admins today.");
}

// ---------------------------------------------------------------------------------------
// Failure modes.

#[test]
fn an_answer_that_is_not_json_is_an_invalid_lambda_response() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    e.lambda.on("pre-signup", |_| {
        Reply::Raw(200, vec![], "this is not json")
    });
    let (ty, msg) = e.sign_up("gil", "gil@example.com").unwrap_err();
    assert_eq!(
        (ty.as_str(), msg.as_str()),
        (
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output"
        )
    );
    // A documented field of the wrong type is refused the same way.
    e.lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoConfirmUser": "yes"}))
    });
    let (ty, _) = e.sign_up("gil", "gil@example.com").unwrap_err();
    assert_eq!(ty, "InvalidLambdaResponseException");
    // Unknown members are ignored.
    e.lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoConfirmUser": true, "somethingNew": [1, 2]}))
    });
    assert_eq!(
        e.sign_up("gil", "gil@example.com").unwrap()["UserConfirmed"],
        true
    );
}

#[test]
fn a_slow_trigger_times_out_with_unexpected_lambda_exception() {
    let e = env_with(
        json!({"PreSignUp": arn("pre-signup")}),
        PoolConfig::default(),
        Some(Duration::from_millis(300)),
    );
    e.lambda.on("pre-signup", |ev| {
        Reply::Slow(Duration::from_secs(6), ev.clone())
    });
    let started = std::time::Instant::now();
    let (ty, msg) = e.sign_up("hal", "hal@example.com").unwrap_err();
    // Cut at the configured limit, long before the handler answers (a loose bound: CI
    // machines are busy).
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(ty, "UnexpectedLambdaException");
    assert_eq!(
        msg,
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
    );
}

#[test]
fn the_default_timeout_is_five_seconds() {
    assert_eq!(
        cognito_emulator::triggers::DEFAULT_TIMEOUT,
        Duration::from_secs(5)
    );
}

#[test]
fn an_unreachable_endpoint_fails_with_unexpected_lambda_exception() {
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let emu = Emulator::builder()
        .lambda_endpoint(&format!("http://127.0.0.1:{port}"))
        .start_blocking()
        .unwrap();
    let mut pool = PoolConfig::default();
    pool.extra.insert(
        "LambdaConfig".into(),
        json!({"PreSignUp": arn("pre-signup")}),
    );
    let p = emu.create_pool(pool).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let (ty, msg) = err(
        &emu,
        "SignUp",
        json!({"ClientId": c.client_id, "Username": "ivy", "Password": PASSWORD}),
    );
    assert_eq!(ty, "UnexpectedLambdaException");
    assert!(
        msg.starts_with("PreSignUp invocation failed due to error "),
        "{msg}"
    );
}

#[test]
fn an_unknown_function_fails_with_the_lambda_error_type() {
    let e = env(json!({"PreSignUp": arn("nobody-deployed-this")}));
    let (ty, msg) = e.sign_up("jo", "jo@example.com").unwrap_err();
    assert_eq!(ty, "UnexpectedLambdaException");
    assert_eq!(
        msg,
        "PreSignUp invocation failed due to error ResourceNotFoundException."
    );
}

#[test]
fn a_configured_trigger_without_endpoint_fails_naming_the_missing_endpoint() {
    let emu = Emulator::start_blocking().unwrap();
    let mut pool = PoolConfig::default();
    pool.extra.insert(
        "LambdaConfig".into(),
        json!({"PreSignUp": arn("pre-signup")}),
    );
    let p = emu.create_pool(pool).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let (ty, msg) = err(
        &emu,
        "SignUp",
        json!({"ClientId": c.client_id, "Username": "kim", "Password": PASSWORD}),
    );
    assert_eq!(ty, "UnexpectedLambdaException");
    assert!(msg.contains("--lambda-endpoint"), "{msg}");
    assert!(msg.contains("pre-signup"), "{msg}");
    assert_eq!(emu.user_counts()[&p.pool_id], 0, "never silently skipped");
}

// ---------------------------------------------------------------------------------------
// Pre token generation.

fn pre_token_env(version: &str) -> Env {
    let e = env(json!({
        "PreTokenGeneration": arn("pre-token"),
        "PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": arn("pre-token")},
    }));
    e.confirmed_user("tom", "tom@example.com");
    e
}

#[test]
fn pre_token_v1_adds_overrides_and_suppresses_id_token_claims_but_never_protected_ones() {
    let e = pre_token_env("V1_0");
    e.lambda.on("pre-token", |ev| {
        respond(
            ev,
            json!({"claimsOverrideDetails": {
                "claimsToAddOrOverride": {
                    "tenant": "acme", "email": "other@example.com",
                    "sub": "forged", "cognito:username": "forged", "iss": "https://evil",
                    "aud": "forged", "exp": "1", "token_use": "access", "email_verified": "false",
                },
                "claimsToSuppress": ["email", "tenant-never-added", "sub", "auth_time"],
                "groupOverrideDetails": {"groupsToOverride": ["admins", "staff"],
                                         "iamRolesToOverride": ["arn:aws:iam::1:role/r"],
                                         "preferredRole": "arn:aws:iam::1:role/r"},
            }}),
        )
    });
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    let access = claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(id["tenant"], "acme");
    assert!(id.get("email").is_none(), "suppress beats add");
    assert_eq!(
        id["email_verified"], "false",
        "standard attributes can be overridden"
    );
    assert_ne!(id["sub"], "forged");
    assert_eq!(id["cognito:username"], "tom");
    assert!(id["iss"].as_str().unwrap().ends_with(&e.pool_id));
    assert_eq!(id["aud"], e.client_id.as_str());
    assert_eq!(id["token_use"], "id");
    assert!(id["exp"].is_u64() && id["auth_time"].is_u64());
    assert_eq!(id["cognito:groups"], json!(["admins", "staff"]));
    assert_eq!(id["cognito:roles"], json!(["arn:aws:iam::1:role/r"]));
    assert_eq!(id["cognito:preferred_role"], "arn:aws:iam::1:role/r");
    // V1 changes only the ID token, except the groups.
    assert!(access.get("tenant").is_none());
    assert_eq!(access["cognito:groups"], json!(["admins", "staff"]));
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");

    let ev = &e.lambda.events("pre-token")[0];
    assert_eq!(ev["version"], "1");
    assert_eq!(ev["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(ev["userName"], "tom");
    assert_eq!(ev["request"]["userAttributes"]["email"], "tom@example.com");
    assert_eq!(
        ev["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert!(ev["request"]["groupConfiguration"]["groupsToOverride"].is_array());
    assert!(ev["request"].get("scopes").is_none());
    // InitiateAuth's ClientMetadata reaches only pre authentication and migration.
    assert_eq!(ev["request"]["clientMetadata"], Value::Null);
    assert_eq!(ev["response"], json!({"claimsOverrideDetails": null}));
}

#[test]
fn pre_token_v1_claim_values_must_be_strings() {
    let e = pre_token_env("V1_0");
    e.lambda.on("pre-token", |ev| {
        respond(
            ev,
            json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"n": 1}}}),
        )
    });
    let (ty, _) = e.password_auth("tom", PASSWORD).unwrap_err();
    assert_eq!(ty, "InvalidLambdaResponseException");
}

fn v2_response() -> Value {
    json!({"claimsAndScopeOverrideDetails": {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"plan": "gold", "limits": {"seats": 5}, "n": 7,
                                      "username": "forged"},
            "claimsToSuppress": ["email"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": "acme", "client_id": "forged",
                                      "scope": "everything", "aud": "forged"},
            "claimsToSuppress": ["username"],
            "scopesToAdd": ["orders/read", "orders/write"],
            "scopesToSuppress": ["orders/write"],
        },
        "groupOverrideDetails": null,
    }})
}

fn check_v2_tokens(e: &Env, r: &Value, version: &str) {
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    let access = claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(id["plan"], "gold");
    assert_eq!(id["limits"], json!({"seats": 5}));
    assert_eq!(id["n"], 7);
    assert!(id.get("email").is_none());
    assert!(id.get("username").is_none(), "username is protected");
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["client_id"], e.client_id.as_str());
    assert!(
        access.get("aud").is_none(),
        "aud other than the client id is not added"
    );
    assert_eq!(
        access["username"], "tom",
        "protected claims cannot be suppressed"
    );
    assert_eq!(
        access["scope"], "aws.cognito.signin.user.admin orders/read",
        "scope changes only through the scope lists; suppress beats add"
    );
    let ev = e.lambda.events("pre-token").pop().unwrap();
    assert_eq!(ev["version"], version);
    assert_eq!(
        ev["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert_eq!(
        ev["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );
}

#[test]
fn pre_token_v2_customizes_both_tokens_and_scopes() {
    let e = pre_token_env("V2_0");
    e.lambda.on("pre-token", |ev| respond(ev, v2_response()));
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    check_v2_tokens(&e, &r, "2");
}

#[test]
fn pre_token_v3_customizes_both_tokens_and_scopes() {
    let e = pre_token_env("V3_0");
    e.lambda.on("pre-token", |ev| respond(ev, v2_response()));
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    check_v2_tokens(&e, &r, "3");
}

#[test]
fn pre_token_v2_may_add_an_access_token_aud_equal_to_the_client_id_and_rejects_blank_scopes() {
    let e = pre_token_env("V2_0");
    let client_id = e.client_id.clone();
    e.lambda.on("pre-token", move |ev| {
        respond(
            ev,
            json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
                "claimsToAddOrOverride": {"aud": client_id}}}}),
        )
    });
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    let access = claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(access["aud"], e.client_id.as_str());

    e.lambda.on("pre-token", |ev| {
        respond(
            ev,
            json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {
                "scopesToAdd": ["two words"]}}}),
        )
    });
    let (ty, _) = e.password_auth("tom", PASSWORD).unwrap_err();
    assert_eq!(ty, "InvalidLambdaResponseException");
}

#[test]
fn pre_token_v2_group_override_replaces_groups_in_both_tokens_and_empty_removes_them() {
    let e = pre_token_env("V2_0");
    e.lambda.on("pre-token", |ev| {
        respond(
            ev,
            json!({"claimsAndScopeOverrideDetails": {
                "groupOverrideDetails": {"groupsToOverride": ["g1"]}}}),
        )
    });
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    let access = claims(r["AuthenticationResult"]["AccessToken"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!(["g1"]));
    assert_eq!(access["cognito:groups"], json!(["g1"]));
    e.lambda.on("pre-token", |ev| {
        respond(
            ev,
            json!({"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {}}}),
        )
    });
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert!(id.get("cognito:groups").is_none());
}

#[test]
fn pre_token_sources_follow_the_flow() {
    let e = pre_token_env("V1_0");
    e.lambda.on("pre-token", |ev| Reply::Event(ev.clone()));
    let r = e.password_auth("tom", PASSWORD).expect("sign-in");
    let refresh = r["AuthenticationResult"]["RefreshToken"].clone();
    ok(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    );
    ok(
        &e.emu,
        "GetTokensFromRefreshToken",
        json!({"ClientId": e.client_id, "RefreshToken": refresh}),
    );
    // An invited user's first sign-in goes through NEW_PASSWORD_REQUIRED.
    ok(
        &e.emu,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool_id, "Username": "uma", "TemporaryPassword": "Temp0rary!",
               "MessageAction": "SUPPRESS"}),
    );
    let ch = e.password_auth("uma", "Temp0rary!").expect("challenge");
    assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    ok(
        &e.emu,
        "RespondToAuthChallenge",
        json!({"ClientId": e.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": ch["Session"],
               "ChallengeResponses": {"USERNAME": "uma", "NEW_PASSWORD": PASSWORD}}),
    );
    let sources: Vec<String> = e
        .lambda
        .events("pre-token")
        .iter()
        .map(|ev| ev["triggerSource"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "TokenGeneration_Authentication",
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_NewPasswordChallenge"
        ]
    );
    assert_eq!(
        cognito_emulator::triggers::TOKEN_GENERATION_SOURCES,
        [
            "TokenGeneration_Authentication",
            "TokenGeneration_NewPasswordChallenge",
            "TokenGeneration_AuthenticateDevice",
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_HostedAuth",
        ]
    );
}

#[test]
fn pre_token_error_fails_the_sign_in() {
    let e = pre_token_env("V2_0");
    e.lambda
        .on("pre-token", |_| Reply::Error("no tokens for you"));
    let (ty, msg) = e.password_auth("tom", PASSWORD).unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(
        msg,
        "PreTokenGeneration failed with error no tokens for you."
    );
}

// ---------------------------------------------------------------------------------------
// Pre and post authentication.

#[test]
fn pre_authentication_gets_client_metadata_as_validation_data_and_can_deny() {
    let e = env(json!({"PreAuthentication": arn("pre-auth")}));
    e.confirmed_user("val", "val@example.com");
    e.lambda.on("pre-auth", |ev| Reply::Event(ev.clone()));
    e.password_auth("val", PASSWORD).expect("sign-in");
    let ev = &e.lambda.events("pre-auth")[0];
    assert_eq!(ev["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(ev["request"]["validationData"], json!({"source": "tests"}));
    assert_eq!(ev["request"]["userNotFound"], false);
    assert_eq!(ev["request"]["userAttributes"]["email"], "val@example.com");

    e.lambda
        .on("pre-auth", |_| Reply::Error("account locked by policy"));
    let (ty, msg) = e.password_auth("val", PASSWORD).unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(
        msg,
        "PreAuthentication failed with error account locked by policy."
    );
    // SRP sign-ins run it too, before the handshake.
    let (ty, _) = err(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"USERNAME": "val", "SRP_A": "abcdef"}}),
    );
    assert_eq!(ty, "UserLambdaValidationException");
}

#[test]
fn pre_authentication_sees_user_not_found_under_prevent_user_existence_errors() {
    let e = env(json!({"PreAuthentication": arn("pre-auth")}));
    e.lambda.on("pre-auth", |ev| Reply::Event(ev.clone()));
    let client = e
        .emu
        .create_client(
            &e.pool_id,
            ClientConfig {
                prevent_user_existence_errors: true,
                ..ClientConfig::default()
            },
        )
        .unwrap();
    let eph = cognito_proto::srp::Ephemeral::generate(&mut rand::rng());
    let ch = ok(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client.client_id,
               "AuthParameters": {"USERNAME": "ghost", "SRP_A": eph.public_hex()}}),
    );
    assert_eq!(ch["ChallengeName"], "PASSWORD_VERIFIER");
    let ev = &e.lambda.events("pre-auth")[0];
    assert_eq!(ev["userName"], "ghost");
    assert_eq!(ev["request"]["userNotFound"], true);
    assert_eq!(ev["request"]["userAttributes"], json!({}));
}

#[test]
fn post_authentication_runs_after_sign_in_and_its_error_fails_it() {
    let e = env(json!({"PostAuthentication": arn("post-auth")}));
    e.confirmed_user("wes", "wes@example.com");
    e.lambda.on("post-auth", |ev| Reply::Event(ev.clone()));
    e.password_auth("wes", PASSWORD).expect("sign-in");
    let ev = &e.lambda.events("post-auth")[0];
    assert_eq!(ev["triggerSource"], "PostAuthentication_Authentication");
    assert_eq!(ev["request"]["newDeviceUsed"], false);
    // InitiateAuth's metadata goes to pre authentication and migration only.
    assert_eq!(ev["request"]["clientMetadata"], Value::Null);

    e.lambda.on("post-auth", |_| Reply::Error("audit log down"));
    let (ty, msg) = e.password_auth("wes", PASSWORD).unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(msg, "PostAuthentication failed with error audit log down.");
}

// ---------------------------------------------------------------------------------------
// Post confirmation.

#[test]
fn post_confirmation_runs_for_confirm_sign_up_and_confirm_forgot_password() {
    let e = env(json!({"PostConfirmation": arn("post-confirm")}));
    e.lambda.on("post-confirm", |ev| Reply::Event(ev.clone()));
    e.sign_up("xia", "xia@example.com").expect("sign-up");
    let code = e
        .emu
        .last_code("xia", cognito_emulator::MessageKind::SignUp)
        .unwrap();
    ok(
        &e.emu,
        "ConfirmSignUp",
        json!({"ClientId": e.client_id, "Username": "xia", "ConfirmationCode": code,
               "ClientMetadata": {"from": "confirm"}}),
    );
    ok(
        &e.emu,
        "ForgotPassword",
        json!({"ClientId": e.client_id, "Username": "xia"}),
    );
    let code = e
        .emu
        .last_code("xia", cognito_emulator::MessageKind::ForgotPassword)
        .unwrap();
    ok(
        &e.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": e.client_id, "Username": "xia", "ConfirmationCode": code,
               "Password": "N3w-Passw0rd!"}),
    );
    let events = e.lambda.events("post-confirm");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"from": "confirm"})
    );
    assert_eq!(
        events[0]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        events[0]["request"]["userAttributes"]["email_verified"],
        "true"
    );
    assert_eq!(
        events[1]["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
}

#[test]
fn post_confirmation_error_fails_the_call_but_the_user_stays_confirmed() {
    let e = env(json!({"PostConfirmation": arn("post-confirm")}));
    e.lambda.on("post-confirm", |_| Reply::Error("db down"));
    e.sign_up("yan", "yan@example.com").expect("sign-up");
    let code = e
        .emu
        .last_code("yan", cognito_emulator::MessageKind::SignUp)
        .unwrap();
    let (ty, msg) = err(
        &e.emu,
        "ConfirmSignUp",
        json!({"ClientId": e.client_id, "Username": "yan", "ConfirmationCode": code}),
    );
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(msg, "PostConfirmation failed with error db down.");
    assert_eq!(e.user("yan")["UserStatus"], "CONFIRMED");
    // AdminConfirmSignUp fires the same source.
    e.lambda.on("post-confirm", |ev| Reply::Event(ev.clone()));
    e.sign_up("zed", "zed@example.com").expect("sign-up");
    ok(
        &e.emu,
        "AdminConfirmSignUp",
        json!({"UserPoolId": e.pool_id, "Username": "zed"}),
    );
    let ev = e.lambda.events("post-confirm").pop().unwrap();
    assert_eq!(ev["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(ev["userName"], "zed");
}

// ---------------------------------------------------------------------------------------
// User migration.

fn migration_env() -> Env {
    let e = env(json!({"UserMigration": arn("migrate")}));
    e.lambda.on("migrate", |ev| {
        let user = ev["userName"].as_str().unwrap_or_default();
        if user != "legacy" {
            return Reply::Error("Bad password");
        }
        let source = ev["triggerSource"].as_str().unwrap_or_default();
        if source == "UserMigration_Authentication" && ev["request"]["password"] != "0ld-Passw0rd" {
            return Reply::Error("Bad password");
        }
        respond(
            ev,
            json!({"userAttributes": {"email": "legacy@example.com", "email_verified": "true",
                                      "custom:plan": "pro"},
                   "finalUserStatus": "CONFIRMED", "messageAction": "SUPPRESS"}),
        )
    });
    e
}

#[test]
fn user_migration_creates_the_user_on_password_sign_in_and_continues() {
    let e = migration_env();
    let r = e
        .password_auth("legacy", "0ld-Passw0rd")
        .expect("migrated sign-in");
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], "legacy@example.com");
    assert_eq!(id["custom:plan"], "pro");
    assert_eq!(e.user("legacy")["UserStatus"], "CONFIRMED");
    assert!(
        e.emu.messages(Some("legacy")).is_empty(),
        "SUPPRESS: no welcome message"
    );
    let ev = &e.lambda.events("migrate")[0];
    assert_eq!(ev["triggerSource"], "UserMigration_Authentication");
    assert_eq!(ev["request"]["password"], "0ld-Passw0rd");
    assert_eq!(ev["request"]["validationData"], json!({"source": "tests"}));
    // The password is now the pool's: no second migration, and SRP works.
    e.password_auth("legacy", "0ld-Passw0rd")
        .expect("second sign-in");
    assert_eq!(e.lambda.events("migrate").len(), 1);
    // A wrong password for an unknown user is the function's error.
    let (ty, msg) = e.password_auth("stranger", "whatever").unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(msg, "UserMigration failed with error Bad password.");
}

#[test]
fn user_migration_never_runs_for_srp_sign_in() {
    let e = migration_env();
    let (ty, _) = err(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"USERNAME": "legacy", "SRP_A": "abcdef"}}),
    );
    assert_eq!(ty, "UserNotFoundException");
    assert!(e.lambda.events("migrate").is_empty());
}

#[test]
fn user_migration_admin_password_flow_and_reset_required_status() {
    let e = env(json!({"UserMigration": arn("migrate")}));
    e.lambda.on("migrate", |ev| {
        respond(
            ev,
            json!({"userAttributes": {"email": "old@example.com"},
                   "finalUserStatus": "RESET_REQUIRED", "messageAction": "SUPPRESS"}),
        )
    });
    let (ty, _) = err(
        &e.emu,
        "AdminInitiateAuth",
        json!({"UserPoolId": e.pool_id, "ClientId": e.client_id,
               "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "old", "PASSWORD": "anything"}}),
    );
    assert_eq!(ty, "PasswordResetRequiredException");
    assert_eq!(e.user("old")["UserStatus"], "RESET_REQUIRED");
}

#[test]
fn user_migration_on_forgot_password_creates_the_user_and_sends_the_code() {
    let e = migration_env();
    let out = ok(
        &e.emu,
        "ForgotPassword",
        json!({"ClientId": e.client_id, "Username": "legacy", "ClientMetadata": {"k": "v"}}),
    );
    assert_eq!(out["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(e.user("legacy")["UserStatus"], "RESET_REQUIRED");
    let ev = &e.lambda.events("migrate")[0];
    assert_eq!(ev["triggerSource"], "UserMigration_ForgotPassword");
    assert!(ev["request"].get("password").is_none());
    assert_eq!(ev["request"]["clientMetadata"], json!({"k": "v"}));
    let code = e
        .emu
        .last_code("legacy", cognito_emulator::MessageKind::ForgotPassword)
        .unwrap();
    ok(
        &e.emu,
        "ConfirmForgotPassword",
        json!({"ClientId": e.client_id, "Username": "legacy", "ConfirmationCode": code,
               "Password": "N3w-Passw0rd!"}),
    );
    e.password_auth("legacy", "N3w-Passw0rd!").expect("sign-in");
}

#[test]
fn user_migration_sends_a_welcome_message_unless_suppressed() {
    let e = env(json!({"UserMigration": arn("migrate")}));
    e.lambda.on("migrate", |ev| {
        respond(
            ev,
            json!({"userAttributes": {"email": "w@example.com", "email_verified": "true"},
                   "desiredDeliveryMediums": ["EMAIL"]}),
        )
    });
    e.password_auth("welcomed", "anything").expect("sign-in");
    let msgs = e.emu.messages(Some("welcomed"));
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind, "WELCOME");
    assert_eq!(msgs[0].delivery_medium, "EMAIL");
}

// ---------------------------------------------------------------------------------------
// Custom messages.

fn custom_message_env() -> Env {
    let e = env_with(
        json!({"CustomMessage": arn("messages")}),
        PoolConfig {
            allowed_first_auth_factors: vec!["PASSWORD".into(), "EMAIL_OTP".into()],
            ..PoolConfig::default()
        },
        None,
    );
    e.lambda.on("messages", |ev| {
        let source = ev["triggerSource"].as_str().unwrap_or_default();
        let code = ev["request"]["codeParameter"].as_str().unwrap_or_default();
        let mut body = format!("[{source}] your code is {code}");
        if source == "CustomMessage_AdminCreateUser" {
            let user = ev["request"]["usernameParameter"]
                .as_str()
                .unwrap_or_default();
            body.push_str(&format!(" for {user}"));
        }
        respond(
            ev,
            json!({"smsMessage": body, "emailMessage": body,
                   "emailSubject": format!("subject {source}")}),
        )
    });
    e
}

fn last_message(e: &Env, user: &str) -> cognito_emulator::Message {
    e.emu.messages(Some(user)).pop().expect("a message")
}

#[test]
fn custom_message_text_is_stored_with_the_code_for_every_source() {
    let e = custom_message_env();
    // SignUp.
    e.sign_up("mia", "mia@example.com").expect("sign-up");
    let m = last_message(&e, "mia");
    assert_eq!(
        m.message.as_deref(),
        Some(format!("[CustomMessage_SignUp] your code is {}", m.code).as_str())
    );
    assert_eq!(m.subject.as_deref(), Some("subject CustomMessage_SignUp"));
    let ev = &e.lambda.events("messages")[0];
    assert_eq!(ev["request"]["codeParameter"], "{####}");
    assert_eq!(ev["request"]["userAttributes"]["email"], "mia@example.com");
    assert_eq!(
        ev["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );
    // ResendConfirmationCode.
    ok(
        &e.emu,
        "ResendConfirmationCode",
        json!({"ClientId": e.client_id, "Username": "mia"}),
    );
    let m = last_message(&e, "mia");
    assert!(
        m.message
            .as_deref()
            .unwrap()
            .starts_with("[CustomMessage_ResendCode]")
    );
    // AdminCreateUser (with the username placeholder).
    ok(
        &e.emu,
        "AdminCreateUser",
        json!({"UserPoolId": e.pool_id, "Username": "ned",
               "UserAttributes": [{"Name": "email", "Value": "ned@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    );
    let m = last_message(&e, "ned");
    assert_eq!(m.kind, "INVITE");
    assert_eq!(
        m.message.as_deref(),
        Some(
            format!(
                "[CustomMessage_AdminCreateUser] your code is {} for ned",
                m.code
            )
            .as_str()
        )
    );
    // ForgotPassword (of a user with a password of their own: ned's is still temporary).
    e.confirmed_user("pia", "pia@example.com");
    ok(
        &e.emu,
        "ForgotPassword",
        json!({"ClientId": e.client_id, "Username": "pia"}),
    );
    let m = last_message(&e, "pia");
    assert!(
        m.message
            .unwrap()
            .starts_with("[CustomMessage_ForgotPassword]")
    );
    // UpdateUserAttributes and GetUserAttributeVerificationCode.
    e.confirmed_user("ola", "ola@example.com");
    let tokens = e.password_auth("ola", PASSWORD).expect("sign-in");
    let at = tokens["AuthenticationResult"]["AccessToken"].clone();
    ok(
        &e.emu,
        "UpdateUserAttributes",
        json!({"AccessToken": at, "UserAttributes": [{"Name": "email", "Value": "ola2@example.com"}]}),
    );
    let m = last_message(&e, "ola");
    assert!(
        m.message
            .unwrap()
            .starts_with("[CustomMessage_UpdateUserAttribute]")
    );
    ok(
        &e.emu,
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": at, "AttributeName": "email"}),
    );
    let m = last_message(&e, "ola");
    assert!(
        m.message
            .unwrap()
            .starts_with("[CustomMessage_VerifyUserAttribute]")
    );
    // A sign-in code (passwordless EMAIL_OTP).
    let ch = ok(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"USERNAME": "ned", "PREFERRED_CHALLENGE": "EMAIL_OTP"}}),
    );
    assert_eq!(ch["ChallengeName"], "EMAIL_OTP");
    let m = last_message(&e, "ned");
    assert!(
        m.message
            .unwrap()
            .starts_with("[CustomMessage_Authentication]")
    );

    // The hook shows the text too.
    let hook = crate::common::raw(&e.emu, "GET", "/_emulator/messages?username=mia", &[], b"")
        .unwrap()
        .json();
    let last = hook.as_array().unwrap().last().unwrap().clone();
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains(last["code"].as_str().unwrap())
    );
    assert!(last["subject"].is_string());
}

#[test]
fn custom_message_without_the_code_placeholder_keeps_the_default_message() {
    let e = env(json!({"CustomMessage": arn("messages")}));
    e.lambda.on("messages", |ev| {
        respond(
            ev,
            json!({"emailMessage": "no code here", "emailSubject": "hi"}),
        )
    });
    e.sign_up("pia", "pia@example.com").expect("sign-up");
    let m = last_message(&e, "pia");
    assert_eq!(m.message, None);
    assert_eq!(m.subject.as_deref(), Some("hi"));
    e.lambda
        .on("messages", |_| Reply::Error("template missing"));
    let (ty, msg) = e.sign_up("qin", "qin@example.com").unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(msg, "CustomMessage failed with error template missing.");
}

// ---------------------------------------------------------------------------------------
// Custom authentication.

#[test]
fn custom_auth_trio_runs_through_the_lambda_api() {
    let e = env(json!({
        "DefineAuthChallenge": arn("define"),
        "CreateAuthChallenge": arn("create"),
        "VerifyAuthChallengeResponse": arn("verify"),
    }));
    e.confirmed_user("ray", "ray@example.com");
    e.lambda.on("define", |ev| {
        let session = ev["request"]["session"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let response = match session.last() {
            Some(r) if r["challengeResult"] == true => {
                json!({"issueTokens": true, "failAuthentication": false})
            }
            Some(_) if session.len() >= 2 => {
                json!({"issueTokens": false, "failAuthentication": true})
            }
            _ => json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false,
                        "failAuthentication": false}),
        };
        respond(ev, response)
    });
    e.lambda.on("create", |ev| {
        respond(
            ev,
            json!({"publicChallengeParameters": {"question": "2+2?"},
                   "privateChallengeParameters": {"answer": "4"},
                   "challengeMetadata": "MATH"}),
        )
    });
    e.lambda.on("verify", |ev| {
        let right = ev["request"]["challengeAnswer"]
            == ev["request"]["privateChallengeParameters"]["answer"];
        respond(ev, json!({"answerCorrect": right}))
    });
    let ch = ok(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"USERNAME": "ray"}}),
    );
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(ch["ChallengeParameters"]["question"], "2+2?");
    let wrong = ok(
        &e.emu,
        "RespondToAuthChallenge",
        json!({"ClientId": e.client_id, "ChallengeName": "CUSTOM_CHALLENGE",
               "Session": ch["Session"], "ChallengeResponses": {"USERNAME": "ray", "ANSWER": "5"},
               "ClientMetadata": {"round": "2"}}),
    );
    assert_eq!(wrong["ChallengeName"], "CUSTOM_CHALLENGE");
    let done = ok(
        &e.emu,
        "RespondToAuthChallenge",
        json!({"ClientId": e.client_id, "ChallengeName": "CUSTOM_CHALLENGE",
               "Session": wrong["Session"], "ChallengeResponses": {"USERNAME": "ray", "ANSWER": "4"}}),
    );
    assert!(done["AuthenticationResult"]["IdToken"].is_string());

    let defines = e.lambda.events("define");
    assert_eq!(defines.len(), 3);
    assert_eq!(
        defines[0]["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(defines[0]["request"]["session"], json!([]));
    assert_eq!(
        defines[1]["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false,
                "challengeMetadata": "MATH"}])
    );
    assert_eq!(
        defines[1]["request"]["clientMetadata"],
        json!({"round": "2"})
    );
    let verifies = e.lambda.events("verify");
    assert_eq!(
        verifies[0]["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verifies[0]["request"]["privateChallengeParameters"],
        json!({"answer": "4"})
    );
    assert_eq!(verifies[0]["request"]["challengeAnswer"], "5");
    let creates = e.lambda.events("create");
    assert_eq!(
        creates[0]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(creates[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");
}

#[test]
fn custom_auth_define_error_and_the_builtin_scenario_with_an_endpoint() {
    let e = env(json!({
        "DefineAuthChallenge": arn("define"),
        "CreateAuthChallenge": arn("create"),
        "VerifyAuthChallengeResponse": arn("verify"),
    }));
    e.confirmed_user("sam", "sam@example.com");
    e.lambda.on("define", |_| {
        Reply::Error("Runtime exited with error: exit status 129")
    });
    let (ty, msg) = err(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": e.client_id,
               "AuthParameters": {"USERNAME": "sam"}}),
    );
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(
        msg,
        "DefineAuthChallenge failed with error Runtime exited with error: exit status 129."
    );

    // PoolConfig::custom_auth_trigger keeps the built-in scenario even with an endpoint.
    let pool = e
        .emu
        .create_pool(PoolConfig {
            custom_auth_trigger: true,
            ..PoolConfig::default()
        })
        .unwrap();
    let client = e
        .emu
        .create_client(&pool.pool_id, ClientConfig::default())
        .unwrap();
    e.emu
        .create_user(
            &pool.pool_id,
            "tia",
            PASSWORD,
            &[("email", "tia@example.com")],
        )
        .unwrap();
    let ch = ok(
        &e.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": client.client_id,
               "AuthParameters": {"USERNAME": "tia"}}),
    );
    assert_eq!(ch["ChallengeName"], "CUSTOM_CHALLENGE");
    assert!(
        e.emu
            .last_code("tia", cognito_emulator::MessageKind::Custom)
            .is_some()
    );
}

// ---------------------------------------------------------------------------------------
// LambdaConfig storage.

#[test]
fn lambda_config_is_described_and_replaced_by_update_user_pool() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    let d = ok(&e.emu, "DescribeUserPool", json!({"UserPoolId": e.pool_id}));
    assert_eq!(
        d["UserPool"]["LambdaConfig"],
        json!({"PreSignUp": arn("pre-signup")})
    );
    ok(
        &e.emu,
        "UpdateUserPool",
        json!({"UserPoolId": e.pool_id, "LambdaConfig": {"PostConfirmation": arn("post")}}),
    );
    let d = ok(&e.emu, "DescribeUserPool", json!({"UserPoolId": e.pool_id}));
    assert_eq!(
        d["UserPool"]["LambdaConfig"],
        json!({"PostConfirmation": arn("post")})
    );
    // The old PreSignUp trigger no longer runs.
    e.sign_up("uli", "uli@example.com")
        .expect("sign-up without PreSignUp");
    assert!(e.lambda.events("pre-signup").is_empty());
    ok(&e.emu, "UpdateUserPool", json!({"UserPoolId": e.pool_id}));
    let d = ok(&e.emu, "DescribeUserPool", json!({"UserPoolId": e.pool_id}));
    let lc = &d["UserPool"]["LambdaConfig"];
    assert!(lc.is_null() || lc == &json!({}), "{lc}");
}

// ---------------------------------------------------------------------------------------
// Rust closures.

/// The server runs requests on its runtime's worker threads. A closure that blocks (here it
/// calls the emulator back over HTTP) must step aside so the runtime keeps serving, even a
/// runtime with a single worker, where anything else would wait for the closure forever.
#[test]
fn a_closure_may_call_the_emulator_back_on_a_single_worker_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emu = runtime.block_on(Emulator::start()).unwrap();
    let p = emu.create_pool(PoolConfig::default()).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let (addr, pool_id) = (emu.addr(), p.pool_id.clone());
    emu.set_trigger(&p.pool_id, Trigger::PreSignUp, move |ev| {
        let body = json!({"UserPoolId": pool_id}).to_string();
        let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             X-Amz-Target: AWSCognitoIdentityProviderService.DescribeUserPool\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        s.read_to_string(&mut answer)
            .map_err(|e| format!("no answer from the emulator: {e}"))?;
        if !answer.starts_with("HTTP/1.1 200") {
            return Err(answer);
        }
        let mut ev = ev.clone();
        ev["response"]["autoConfirmUser"] = true.into();
        Ok(ev)
    })
    .unwrap();
    let signed_up = ok(
        &emu,
        "SignUp",
        json!({"ClientId": c.client_id, "Username": "amy", "Password": PASSWORD}),
    );
    assert_eq!(signed_up["UserConfirmed"], true);
}

#[test]
fn closures_run_as_triggers_with_the_same_events() {
    let emu = Emulator::start_blocking().unwrap();
    let p = emu.create_pool(PoolConfig::default()).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let service = emu.service();
    emu.set_trigger(&p.pool_id, Trigger::PreSignUp, |ev| {
        if ev["request"]["userAttributes"]["email"]
            .as_str()
            .is_some_and(|m| m.ends_with("@blocked.example"))
        {
            return Err("Registration from this domain is not allowed.".into());
        }
        let mut ev = ev.clone();
        ev["response"]["autoConfirmUser"] = true.into();
        Ok(ev)
    })
    .unwrap();
    // A closure runs without the emulator's lock: it may call the emulator.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    emu.set_trigger(&p.pool_id, Trigger::PreTokenGeneration, move |ev| {
        let users = service.user_counts();
        seen2.lock().unwrap().push(users.values().sum::<usize>());
        let mut ev = ev.clone();
        ev["response"]["claimsOverrideDetails"] =
            json!({"claimsToAddOrOverride": {"tier": "gold"}});
        Ok(ev)
    })
    .unwrap();
    emu.set_trigger(&p.pool_id, Trigger::PostAuthentication, |_| {
        panic!("handler bug")
    })
    .unwrap();

    let sign_up = |user: &str, email: &str| {
        op(
            &emu,
            "SignUp",
            json!({"ClientId": c.client_id, "Username": user, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
    };
    let (ty, msg) = sign_up("amy", "amy@blocked.example").unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert_eq!(
        msg,
        "PreSignUp failed with error Registration from this domain is not allowed.."
    );
    assert_eq!(
        sign_up("amy", "amy@example.com").unwrap()["UserConfirmed"],
        true
    );

    let sign_in = || {
        op(
            &emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": c.client_id,
                   "AuthParameters": {"USERNAME": "amy", "PASSWORD": PASSWORD}}),
        )
    };
    // A panicking handler is a function error, and the emulator keeps serving.
    let (ty, msg) = sign_in().unwrap_err();
    assert_eq!(ty, "UserLambdaValidationException");
    assert!(
        msg.starts_with("PostAuthentication failed with error Runtime exited"),
        "{msg}"
    );
    emu.clear_trigger(&p.pool_id, Trigger::PostAuthentication);
    let r = sign_in().unwrap();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["tier"], "gold");
    assert_eq!(*seen.lock().unwrap(), vec![1]);
}

/// A username shaped like an e-mail address or phone number would take the sign-ins meant for
/// whoever verifies that alias later, so SignUp and AdminCreateUser refuse one in a pool with
/// the alias. A migration trigger that vouches for such a name must not create it either: the
/// trigger runs, and the sign-in (or ForgotPassword) is refused with AWS's wording, leaving the
/// pool without the user; the alias stays free for its owner.
#[test]
fn user_migration_cannot_create_a_username_shaped_like_an_alias() {
    let emu = Emulator::start_blocking().unwrap();
    let p = emu
        .create_pool(PoolConfig {
            alias_attributes: vec!["email".into(), "phone_number".into()],
            ..PoolConfig::default()
        })
        .unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let calls = Arc::new(Mutex::new(0));
    let calls2 = calls.clone();
    emu.set_trigger(&p.pool_id, Trigger::UserMigration, move |ev| {
        *calls2.lock().unwrap() += 1;
        let mut ev = ev.clone();
        ev["response"]["userAttributes"] = json!({"email": "legacy@example.com"});
        ev["response"]["finalUserStatus"] = json!("CONFIRMED");
        ev["response"]["messageAction"] = json!("SUPPRESS");
        Ok(ev)
    })
    .unwrap();
    let sign_in = |user: &str| {
        op(
            &emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": c.client_id,
                   "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
        )
    };
    let email =
        "Username cannot be of email format, since user pool is configured for email alias.";
    let phone = "Username cannot be of phone number format, since user pool is configured for phone number alias.";
    for (name, message) in [("victim@example.com", email), ("+15550100", phone)] {
        let before = *calls.lock().unwrap();
        let (ty, msg) = sign_in(name).unwrap_err();
        assert_eq!(
            (ty.as_str(), msg.as_str()),
            ("InvalidParameterException", message)
        );
        let (ty, msg) = op(
            &emu,
            "ForgotPassword",
            json!({"ClientId": c.client_id, "Username": name}),
        )
        .unwrap_err();
        assert_eq!(
            (ty.as_str(), msg.as_str()),
            ("InvalidParameterException", message)
        );
        assert_eq!(*calls.lock().unwrap(), before + 2, "the trigger ran");
        let (ty, _) = op(
            &emu,
            "AdminGetUser",
            json!({"UserPoolId": p.pool_id, "Username": name}),
        )
        .unwrap_err();
        assert_eq!(ty, "UserNotFoundException", "{name} was created");
    }
    assert_eq!(emu.user_counts().get(&p.pool_id), Some(&0));
    // The owner of the address signs up and signs in with it, into their own account.
    ok(
        &emu,
        "AdminCreateUser",
        json!({"UserPoolId": p.pool_id, "Username": "vic", "MessageAction": "SUPPRESS",
               "TemporaryPassword": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "victim@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    );
    let r = sign_in("victim@example.com").unwrap();
    assert_eq!(r["ChallengeParameters"]["USER_ID_FOR_SRP"], "vic", "{r}");
    // A plain username still migrates in the same pool.
    let r = sign_in("legacy").expect("migrated");
    assert!(r["AuthenticationResult"]["IdToken"].is_string(), "{r}");
}

#[test]
fn closures_take_precedence_over_lambda_config_and_need_no_endpoint() {
    let emu = Emulator::start_blocking().unwrap();
    let mut pool = PoolConfig::default();
    pool.extra.insert(
        "LambdaConfig".into(),
        json!({"PostConfirmation": arn("post")}),
    );
    let p = emu.create_pool(pool).unwrap();
    let c = emu
        .create_client(&p.pool_id, ClientConfig::default())
        .unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let calls2 = calls.clone();
    emu.set_trigger(&p.pool_id, Trigger::PostConfirmation, move |ev| {
        calls2
            .lock()
            .unwrap()
            .push(ev["triggerSource"].as_str().unwrap_or_default().to_string());
        Ok(ev.clone())
    })
    .unwrap();
    ok(
        &emu,
        "SignUp",
        json!({"ClientId": c.client_id, "Username": "bo", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "bo@example.com"}]}),
    );
    ok(
        &emu,
        "AdminConfirmSignUp",
        json!({"UserPoolId": p.pool_id, "Username": "bo"}),
    );
    assert_eq!(*calls.lock().unwrap(), ["PostConfirmation_ConfirmSignUp"]);
}

// ---------------------------------------------------------------------------------------
// The binary's flags.

/// One JSON call to a server on `port` (status, body).
fn call_port(port: u16, op: &str, body: Value) -> (u16, Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let body = body.to_string();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         X-Amz-Target: AWSCognitoIdentityProviderService.{op}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let json = out
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

#[test]
fn the_binary_invokes_triggers_at_its_lambda_endpoint() {
    use std::process::{Command, Stdio};
    let lambda = LambdaServer::start();
    lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoConfirmUser": true}))
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args([
            "--port",
            "0",
            "--lambda-endpoint",
            &lambda.url,
            "--lambda-timeout",
            "2.5",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let (_, pool) = call_port(
        port,
        "CreateUserPool",
        json!({"PoolName": "p", "LambdaConfig": {"PreSignUp": arn("pre-signup")}}),
    );
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, client) = call_port(
        port,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "c"}),
    );
    let client_id = client["UserPoolClient"]["ClientId"].clone();
    let (status, out) = call_port(
        port,
        "SignUp",
        json!({"ClientId": client_id, "Username": "bin", "Password": PASSWORD}),
    );
    child.kill().expect("kill");
    let _ = child.wait();
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["UserConfirmed"], true);
    assert_eq!(lambda.events("pre-signup").len(), 1);

    let bad = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--lambda-timeout", "soon"])
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(bad.code(), Some(2));
}

// ---------------------------------------------------------------------------------------
// More response fields, and the lock.

fn alias_env(config: Value) -> Env {
    env_with(
        config,
        PoolConfig {
            alias_attributes: vec!["email".into(), "phone_number".into()],
            auto_verified_attributes: vec!["email".into(), "phone_number".into()],
            ..PoolConfig::default()
        },
        None,
    )
}

#[test]
fn user_migration_force_alias_creation_and_enable_sms_mfa() {
    let e = alias_env(json!({"UserMigration": arn("migrate")}));
    e.confirmed_user("holder", "shared@example.com");
    e.lambda.on("migrate", |ev| {
        let force = ev["userName"] == "forced";
        respond(
            ev,
            json!({"userAttributes": {"email": "shared@example.com", "email_verified": "true",
                                      "phone_number": "+15550100", "phone_number_verified": "true"},
                   "forceAliasCreation": force, "enableSMSMFA": true, "messageAction": "SUPPRESS"}),
        )
    });
    // Without forceAliasCreation the verified email another user holds refuses the migration.
    let (ty, _) = e.password_auth("plain", "0ld-Passw0rd").unwrap_err();
    assert_eq!(ty, "AliasExistsException");
    let r = e.password_auth("forced", "0ld-Passw0rd").expect("migrated");
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    // SMS MFA is on for the migrated user (the pool's MFA is off: no challenge yet).
    let user = e.user("forced");
    assert_eq!(user["UserMFASettingList"], json!(["SMS_MFA"]));
    assert_eq!(e.attr("holder", "email_verified").as_deref(), Some("false"));
}

#[test]
fn pre_sign_up_auto_verify_phone_and_custom_sms_message() {
    let e = alias_env(json!({"PreSignUp": arn("pre-signup"), "CustomMessage": arn("messages")}));
    e.lambda.on("pre-signup", |ev| {
        respond(ev, json!({"autoVerifyPhone": true}))
    });
    e.lambda.on("messages", |ev| {
        respond(
            ev,
            json!({"smsMessage": "SMS code {####}", "emailMessage": "mail code {####}"}),
        )
    });
    ok(
        &e.emu,
        "SignUp",
        json!({"ClientId": e.client_id, "Username": "phil", "Password": PASSWORD,
               "UserAttributes": [{"Name": "phone_number", "Value": "+15550111"}]}),
    );
    assert_eq!(e.user("phil")["UserStatus"], "UNCONFIRMED");
    assert_eq!(
        e.attr("phil", "phone_number_verified").as_deref(),
        Some("true")
    );
    let m = last_message(&e, "phil");
    assert_eq!(m.delivery_medium, "SMS");
    assert_eq!(m.message, Some(format!("SMS code {}", m.code)));
    assert_eq!(m.subject, None, "no subject for an SMS");
}

#[test]
fn a_trigger_runs_without_the_emulator_lock() {
    let e = env(json!({"PreSignUp": arn("pre-signup")}));
    let service = e.emu.service();
    let pool_id = e.pool_id.clone();
    let (entered_tx, entered_rx) = std::sync::mpsc::channel::<()>();
    let entered_tx = Mutex::new(entered_tx);
    e.lambda.on("pre-signup", move |ev| {
        // The handler calls back into the emulator, as a real function calling the Cognito API
        // would: it must not deadlock.
        let described = service.call("DescribeUserPool", json!({"UserPoolId": pool_id}));
        assert!(described.is_ok());
        let _ = entered_tx.lock().unwrap().send(());
        Reply::Slow(Duration::from_secs(3), ev.clone())
    });
    std::thread::scope(|scope| {
        let sign_up = scope.spawn(|| e.sign_up("lou", "lou@example.com"));
        entered_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("handler entered");
        // While the trigger runs (3 s), other requests are served (a loose bound: CI machines
        // are busy).
        let started = std::time::Instant::now();
        ok(&e.emu, "DescribeUserPool", json!({"UserPoolId": e.pool_id}));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(sign_up.join().unwrap().is_ok());
    });
}
