//! Library lifecycle (async and blocking start, shutdown) and robustness pitfalls.

use crate::common;

use cognito_emulator::custom::DefineOutput;
use cognito_emulator::{ClientConfig, CustomAuth, Emulator, PoolConfig};
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_start_serves_and_handle_methods_need_no_await() {
    let emu = Emulator::start().await.unwrap();
    let pool = emu.create_pool(PoolConfig::default()).unwrap();
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    let addr = emu.addr();
    let body = json!({"UserPoolId": pool.pool_id}).to_string();
    let resp = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: AWSCognitoIdentityProviderService.DescribeUserPool\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    })
    .await
    .unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(emu.request_count("DescribeUserPool"), 1);
}

#[test]
fn dropping_the_handle_stops_the_server() {
    let emu = Emulator::start_blocking().unwrap();
    let addr = emu.addr();
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(emu);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn builder_sets_region_and_port() {
    let emu = Emulator::builder()
        .region("eu-west-1")
        .start_blocking()
        .unwrap();
    let pool = emu.create_pool(PoolConfig::default()).unwrap();
    assert!(pool.pool_id.starts_with("eu-west-1_"));
    assert_eq!(
        pool.issuer,
        format!(
            "https://cognito-idp.eu-west-1.amazonaws.com/{}",
            pool.pool_id
        )
    );
    assert_eq!(emu.url(), format!("http://127.0.0.1:{}", emu.addr().port()));
}

#[test]
fn pitfall_1_srp_verifies_across_many_handshakes() {
    // Each handshake draws fresh a, b and B; padding bugs fail about half of them.
    let s = setup();
    s.user("pad", &[]);
    for _ in 0..12 {
        let r = s.srp_sign_in("pad", PASSWORD, json!({})).unwrap();
        assert!(r["AuthenticationResult"].is_object());
    }
}

#[test]
fn pitfall_8_secret_block_is_padded_standard_base64() {
    let s = setup();
    s.user("blk", &[]);
    let (_, ch) = s.srp_start("blk", json!({}));
    let block = ch["ChallengeParameters"]["SECRET_BLOCK"].as_str().unwrap();
    assert!(block.len() % 4 == 0);
    assert!(
        block
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    );
}

#[test]
fn pitfall_16_stale_device_key_after_user_recreation() {
    let s = setup_with(
        PoolConfig {
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("re", &[]);
    let t = s.tokens("re");
    let key = t["NewDeviceMetadata"]["DeviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &s.emu,
        "AdminDeleteUser",
        json!({"UserPoolId": s.pool_id, "Username": "re"}),
    );
    s.user("re", &[]);
    let (ty, m) = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": "re", "PASSWORD": PASSWORD, "DEVICE_KEY": key}}),
    )
    .unwrap_err();
    assert_eq!(
        (ty.as_str(), m.as_str()),
        ("ResourceNotFoundException", "Device does not exist.")
    );
    // Retrying without the key works and yields a new device.
    let t = s.tokens("re");
    assert_ne!(t["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap(), key);
}

#[test]
fn pitfall_27_a_panicking_hook_fails_the_call_once_and_the_emulator_survives() {
    let s = setup();
    s.user("pan", &[]);
    let hooks = CustomAuth::new(
        |_| DefineOutput {
            challenge_name: Some("CUSTOM_CHALLENGE".into()),
            ..Default::default()
        },
        |_| Default::default(),
        |_| panic!("verify hook exploded"),
    );
    s.emu.set_custom_auth(&s.pool_id, hooks).unwrap();
    let ch = ok(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": s.client_id,
        "AuthParameters": {"USERNAME": "pan"}}),
    );
    let (ty, _) = s
        .respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "pan", "ANSWER": "x"}),
        )
        .unwrap_err();
    // A panicking hook is reported like a Lambda function that crashed.
    assert_eq!(ty, "UserLambdaValidationException");
    // The step is not run again: the session was consumed.
    let (ty, _) = s
        .respond(
            "CUSTOM_CHALLENGE",
            &ch["Session"],
            json!({"USERNAME": "pan", "ANSWER": "x"}),
        )
        .unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
    // Other calls keep working.
    assert!(s.password_auth("pan", PASSWORD).is_ok());
}

#[test]
fn handle_is_send_and_sync_and_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<cognito_emulator::EmulatorHandle>();
    let emu = std::sync::Arc::new(Emulator::start_blocking().unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let emu = emu.clone();
            std::thread::spawn(move || emu.create_pool(PoolConfig::default()).unwrap().pool_id)
        })
        .collect();
    let ids: std::collections::BTreeSet<String> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(ids.len(), 4);
}
