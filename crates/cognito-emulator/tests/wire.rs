//! Wire surface: envelope, error shapes, bad input, hooks, faults, binary.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cognito_emulator::{Emulator, Fault, FaultKind, MessageKind};
use common::*;
use serde_json::json;

const IDP: &str = "AWSCognitoIdentityProviderService";

#[test]
fn unknown_target_gives_unknown_operation_exception() {
    let emu = Emulator::start_blocking().unwrap();
    let r = post(&emu, &format!("{IDP}.NoSuchOperation"), b"{}");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    let r = post(&emu, "SomethingElse.GetUser", b"{}");
    assert_eq!(r.json()["__type"], "UnknownOperationException");
}

#[test]
fn malformed_json_gives_serialization_exception() {
    let emu = Emulator::start_blocking().unwrap();
    let r = post(&emu, &format!("{IDP}.SignUp"), b"{\"ClientId\": ");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "SerializationException");
    let r = post(&emu, &format!("{IDP}.SignUp"), b"[1,2]");
    assert_eq!(r.json()["__type"], "SerializationException");
}

#[test]
fn wrong_json_type_gives_serialization_exception() {
    let emu = Emulator::start_blocking().unwrap();
    let (t, _) = err(&emu, "SignUp", json!({"ClientId": 5, "Username": "a"}));
    assert_eq!(t, "SerializationException");
    let (t, _) = err(
        &emu,
        "InitiateAuth",
        json!({"ClientId": "abc", "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {"USERNAME": 1}}),
    );
    assert_eq!(t, "SerializationException");
}

#[test]
fn error_shape_has_type_header_and_request_id() {
    let s = setup();
    let r = post(
        &s.emu,
        &format!("{IDP}.InitiateAuth"),
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
               "AuthParameters": {"USERNAME": "nobody", "PASSWORD": "x"}})
        .to_string()
        .as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.header("x-amzn-ErrorType"), Some("UserNotFoundException:"));
    assert!(r.header("x-amzn-RequestId").is_some_and(|v| v.len() == 36));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    let body = r.json();
    assert_eq!(body["__type"], "UserNotFoundException");
    assert_eq!(body["message"], "User does not exist.");
}

#[test]
fn unknown_client_is_resource_not_found() {
    let emu = Emulator::start_blocking().unwrap();
    let (t, m) = err(
        &emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "nosuchclient",
               "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}),
    );
    assert_eq!(t, "ResourceNotFoundException");
    assert_eq!(m, "User pool client nosuchclient does not exist.");
}

#[test]
fn oversize_and_missing_fields_are_invalid_parameter() {
    let s = setup();
    let long = "a".repeat(129);
    let (t, m) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": long, "Password": PASSWORD}),
    );
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("length less than or equal to 128"), "{m}");
    let (t, m) = err(&s.emu, "SignUp", json!({"ClientId": s.client_id}));
    assert_eq!(t, "InvalidParameterException");
    assert!(m.contains("'username'"), "{m}");
    let (t, _) = err(
        &s.emu,
        "SignUp",
        json!({"ClientId": s.client_id, "Username": "has space", "Password": PASSWORD}),
    );
    assert_eq!(t, "InvalidParameterException");
}

#[test]
fn authorization_header_is_ignored() {
    let s = setup();
    let r = raw(
        &s.emu,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "X-Amz-Target",
                "AWSCognitoIdentityProviderService.DescribeUserPool",
            ),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=garbage"),
        ],
        json!({"UserPoolId": s.pool_id}).to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["UserPool"]["Id"], s.pool_id.as_str());
}

#[test]
fn messages_hook_lists_codes_oldest_first_and_filters_by_username() {
    let s = setup();
    for name in ["m1", "m2"] {
        ok(
            &s.emu,
            "SignUp",
            json!({"ClientId": s.client_id, "Username": name, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]}),
        );
    }
    let r = raw(&s.emu, "GET", "/_emulator/messages", &[], b"").unwrap();
    let all = r.json();
    let arr = all.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[0]["username"], "m1");
    assert_eq!(arr[0]["kind"], "SIGN_UP");
    assert_eq!(arr[0]["deliveryMedium"], "EMAIL");
    assert_eq!(arr[0]["destination"], "m1@example.com");
    assert_eq!(arr[0]["userPoolId"], s.pool_id.as_str());
    assert!(arr[0]["sentAt"].is_number());
    assert_eq!(arr[0]["code"].as_str().unwrap().len(), 6);
    let r = raw(&s.emu, "GET", "/_emulator/messages?username=m2", &[], b"").unwrap();
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(
        s.emu.last_code("m2", MessageKind::SignUp).as_deref(),
        r.json()[0]["code"].as_str()
    );
}

#[test]
fn clock_hook_moves_time_forward() {
    let emu = Emulator::start_blocking().unwrap();
    let before = emu.now();
    let r = raw(
        &emu,
        "POST",
        "/_emulator/clock",
        &[],
        br#"{"advanceSeconds": 3600}"#,
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(emu.now() >= before + 3600);
    let r = raw(
        &emu,
        "POST",
        "/_emulator/clock",
        &[],
        br#"{"advanceSeconds": -1}"#,
    )
    .unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn reset_hook_empties_state() {
    let s = setup();
    let r = raw(&s.emu, "POST", "/_emulator/reset", &[], b"").unwrap();
    assert_eq!(r.status, 200);
    let (t, _) = err(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id}));
    assert_eq!(t, "ResourceNotFoundException");
}

#[test]
fn fault_hook_http500_and_throttle_then_recovers() {
    let s = setup();
    let body = json!({"operation": "DescribeUserPool", "kind": "http500", "count": 2});
    let r = raw(
        &s.emu,
        "POST",
        "/_emulator/faults",
        &[],
        body.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let d = json!({"UserPoolId": s.pool_id});
    for _ in 0..2 {
        let r = post(
            &s.emu,
            &format!("{IDP}.DescribeUserPool"),
            d.to_string().as_bytes(),
        );
        assert_eq!(r.status, 500);
        assert_eq!(r.json()["__type"], "InternalErrorException");
    }
    assert!(op(&s.emu, "DescribeUserPool", d.clone()).is_ok());
    s.emu.inject_fault(Fault::new("*", FaultKind::Throttle));
    assert_eq!(
        err(&s.emu, "DescribeUserPool", d.clone()).0,
        "TooManyRequestsException"
    );
    assert!(op(&s.emu, "DescribeUserPool", d).is_ok());
}

#[test]
fn fault_reset_closes_connection_and_truncate_cuts_body() {
    let s = setup();
    let d = json!({"UserPoolId": s.pool_id}).to_string();
    s.emu
        .inject_fault(Fault::new("DescribeUserPool", FaultKind::Reset));
    let r = raw(
        &s.emu,
        "POST",
        "/",
        &[(
            "X-Amz-Target",
            "AWSCognitoIdentityProviderService.DescribeUserPool",
        )],
        d.as_bytes(),
    );
    assert!(
        r.is_err() || r.as_ref().is_ok_and(|r| r.status == 0),
        "connection should drop"
    );
    s.emu
        .inject_fault(Fault::new("DescribeUserPool", FaultKind::Truncate));
    let r = post(&s.emu, &format!("{IDP}.DescribeUserPool"), d.as_bytes());
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    s.emu
        .inject_fault(Fault::new("DescribeUserPool", FaultKind::Delay).delay_ms(50));
    assert!(op(&s.emu, "DescribeUserPool", json!({"UserPoolId": s.pool_id})).is_ok());
}

#[test]
fn request_count_counts_operations_and_flows() {
    let s = setup();
    s.user("alice", &[]);
    let t = s.tokens("alice");
    for _ in 0..3 {
        ok(
            &s.emu,
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}}),
        );
    }
    assert_eq!(s.emu.request_count("InitiateAuth"), 4);
    assert_eq!(s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH"), 3);
    assert_eq!(s.emu.request_count("GetUser"), 0);
}

#[test]
fn concurrent_clients_are_safe() {
    let s = setup();
    std::thread::scope(|scope| {
        for i in 0..8 {
            let s = &s;
            scope.spawn(move || {
                ok(
                    &s.emu,
                    "SignUp",
                    json!({"ClientId": s.client_id, "Username": format!("u{i}"), "Password": PASSWORD}),
                );
            });
        }
    });
    let users = ok(&s.emu, "ListUsers", json!({"UserPoolId": s.pool_id}));
    assert_eq!(users["Users"].as_array().unwrap().len(), 8);
}

#[test]
fn binary_prints_listening_line_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--region", "eu-west-1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .map(str::to_string);
    let port: u16 = url.and_then(|p| p.parse().ok()).expect("listening line");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    use std::io::{Read, Write};
    let body = r#"{"PoolName":"p"}"#;
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: AWSCognitoIdentityProviderService.CreateUserPool\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("\"Id\":\"eu-west-1_"), "{out}");
}

#[test]
fn jwks_route_serves_two_distinct_rs256_keys() {
    let s = setup();
    let r = raw(
        &s.emu,
        "GET",
        &format!("/{}/.well-known/jwks.json", s.pool_id),
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let keys = r.json()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0]["kid"], keys[1]["kid"]);
    for k in &keys {
        assert_eq!(k["alg"], "RS256");
        assert_eq!(k["kty"], "RSA");
        assert_eq!(k["e"], "AQAB");
        assert_eq!(k["kid"].as_str().unwrap().len(), 44);
    }
    let r = raw(
        &s.emu,
        "GET",
        "/us-east-1_nope/.well-known/jwks.json",
        &[],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 404);
}

#[test]
fn seed_creates_pools_clients_and_users() {
    let seed = json!({"pools": [{
        "id": "us-east-1_Seeded001", "name": "demo",
        "clients": [{"id": "democlient0000000000000001", "name": "web",
                     "config": {"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH",
                                                      "ALLOW_REFRESH_TOKEN_AUTH"]}}],
        "users": [{"username": "alice", "password": "Passw0rd!",
                   "attributes": {"email": "alice@example.com"}}]
    }]});
    let emu = Emulator::builder().seed(seed).start_blocking().unwrap();
    let r = ok(
        &emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "democlient0000000000000001",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    );
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(
        id["iss"],
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Seeded001"
    );
    assert_eq!(id["email_verified"], true);
}

#[test]
fn faults_can_target_one_initiate_auth_flow() {
    let s = setup();
    s.user("flow", &[]);
    let t = s.tokens("flow");
    s.emu.inject_fault(Fault::new(
        "InitiateAuth:REFRESH_TOKEN_AUTH",
        FaultKind::Throttle,
    ));
    // Other flows are unaffected.
    assert!(s.password_auth("flow", PASSWORD).is_ok());
    let refresh = json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": s.client_id,
                         "AuthParameters": {"REFRESH_TOKEN": t["RefreshToken"]}});
    assert_eq!(
        err(&s.emu, "InitiateAuth", refresh.clone()).0,
        "TooManyRequestsException"
    );
    assert!(op(&s.emu, "InitiateAuth", refresh).is_ok());
    assert_eq!(s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH"), 2);
}
