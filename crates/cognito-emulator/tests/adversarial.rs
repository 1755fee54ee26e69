//! The emulator's HTTP API attacked over sockets: idle sockets beyond the connection cap,
//! slowloris headers and bodies, oversized bodies, malformed HTTP; and regression tests for
//! the protocol attacks that already held (SRP with A ≡ 0 mod N, forged tokens, MFA code
//! guessing) where no other suite covers them.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_emulator::{
    ClientConfig, Emulator, EmulatorHandle, MessageKind, MfaConfiguration, PoolConfig, ServerLimits,
};
use cognito_proto::srp;
use common::*;
use serde_json::json;

fn emulator(limits: ServerLimits) -> EmulatorHandle {
    Emulator::builder()
        .limits(limits)
        .start_blocking()
        .expect("start emulator")
}

fn connect(emu: &EmulatorHandle) -> TcpStream {
    let s = TcpStream::connect(emu.addr()).expect("connect");
    s.set_nodelay(true).unwrap();
    s
}

const COUNTS: &[u8] = b"GET /_emulator/counts HTTP/1.1\r\nHost: emu\r\n\r\n";

/// Reads one response (head and a `Content-Length` body) within `wait`; `None` when nothing
/// or only part of one arrived, or the server closed the connection first.
fn read_response(s: &mut TcpStream, wait: Duration) -> Option<(u16, String, Vec<u8>)> {
    let deadline = Instant::now() + wait;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                let status = head.split(' ').nth(1)?.parse().ok()?;
                return Some((status, head, buf[end + 4..end + 4 + len].to_vec()));
            }
        }
        let left = deadline.checked_duration_since(Instant::now())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match s.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None;
            }
            Err(_) => return None,
        }
    }
}

/// Waits up to `wait` for the server to close the connection (EOF or reset), discarding
/// anything it sends first. Returns how long that took, or `None` if it stayed open.
fn closed_within(s: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut chunk = [0u8; 4096];
    loop {
        let left = (start + wait).checked_duration_since(Instant::now())?;
        s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match s.read(&mut chunk) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None;
            }
            Err(_) => return Some(start.elapsed()),
        }
    }
}

/// At the connection cap, idle sockets hold every slot: a new client is not refused but
/// waits (the server stops accepting), and is served as soon as a slot frees.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let emu = emulator(ServerLimits {
        max_connections: 3,
        ..ServerLimits::default()
    });
    let idle: Vec<TcpStream> = (0..3).map(|_| connect(&emu)).collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut waiting = connect(&emu); // completes in the kernel's listen queue
    waiting.write_all(COUNTS).unwrap();
    assert!(
        read_response(&mut waiting, Duration::from_millis(700)).is_none(),
        "a connection beyond the cap was served"
    );
    drop(idle);
    let (status, _, _) =
        read_response(&mut waiting, Duration::from_secs(10)).expect("served once a slot freed");
    assert_eq!(status, 200);
}

/// Thousands of idle sockets cannot pin the server: with the default cap it keeps serving
/// (new clients queue) and the idle ones are closed after the idle timeout.
#[test]
fn idle_sockets_are_closed_after_the_idle_timeout() {
    let emu = emulator(ServerLimits {
        max_connections: 64,
        idle_timeout: Duration::from_millis(400),
        header_read_timeout: Duration::from_secs(20),
        ..ServerLimits::default()
    });
    // A socket that never sends anything.
    let mut silent = connect(&emu);
    let took = closed_within(&mut silent, Duration::from_secs(10)).expect("idle socket closed");
    assert!(
        took >= Duration::from_millis(300),
        "closed too early: {took:?}"
    );
    // A keep-alive connection after its response.
    let mut kept = connect(&emu);
    kept.write_all(COUNTS).unwrap();
    assert_eq!(
        read_response(&mut kept, Duration::from_secs(10)).unwrap().0,
        200
    );
    assert!(closed_within(&mut kept, Duration::from_secs(10)).is_some());
    // More idle sockets than the cap: they are closed in turn and a real client still gets
    // an answer.
    let many: Vec<TcpStream> = (0..150).map(|_| connect(&emu)).collect();
    let mut client = connect(&emu);
    client.write_all(COUNTS).unwrap();
    let r = read_response(&mut client, Duration::from_secs(15));
    assert_eq!(r.map(|r| r.0), Some(200));
    drop(many);
}

/// Slowloris: headers sent a line at a time, forever. The header read timeout closes the
/// connection even though bytes keep arriving.
#[test]
fn slowloris_headers_are_cut_off() {
    let emu = emulator(ServerLimits {
        header_read_timeout: Duration::from_millis(500),
        idle_timeout: Duration::from_secs(30),
        ..ServerLimits::default()
    });
    let mut s = connect(&emu);
    s.write_all(b"POST / HTTP/1.1\r\nHost: emu\r\n").unwrap();
    let start = Instant::now();
    let mut closed = false;
    while start.elapsed() < Duration::from_secs(8) {
        if s.write_all(b"X-Slow: 1\r\n").is_err() {
            closed = true;
            break;
        }
        if closed_within(&mut s, Duration::from_millis(100)).is_some() {
            closed = true;
            break;
        }
    }
    assert!(closed, "a slowloris client kept its connection for 8 s");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
}

/// A body trickled after complete headers: answered with an AWS-shaped error once the body
/// timeout passes.
#[test]
fn slow_bodies_time_out_with_an_aws_error() {
    let emu = emulator(ServerLimits {
        body_read_timeout: Duration::from_millis(500),
        ..ServerLimits::default()
    });
    let mut s = connect(&emu);
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: emu\r\nX-Amz-Target: AWSCognitoIdentityProviderService.GetUser\r\nContent-Length: 100\r\n\r\n{\"Acc",
    )
    .unwrap();
    let (status, head, body) =
        read_response(&mut s, Duration::from_secs(10)).expect("an answer to the slow body");
    assert_eq!(status, 400);
    assert!(head.contains("SerializationException"), "{head}");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["__type"], "SerializationException");
}

/// Bodies over the limit get AWS's JSON error shape, without the server reading them: a
/// declared length is refused up front (no `100 Continue`), a chunked body once it passes the
/// limit.
#[test]
fn oversized_bodies_get_an_aws_error_without_being_read() {
    let emu = emulator(ServerLimits {
        max_body_bytes: 1024,
        ..ServerLimits::default()
    });
    let target = "X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\n";
    let check = |s: &mut TcpStream, what: &str| {
        let (status, head, body) = read_response(s, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("{what}: no answer"));
        assert_eq!(status, 400, "{what}: {head}");
        assert!(
            head.contains("x-amzn-errortype: SerializationException:")
                || head.contains("x-amzn-ErrorType: SerializationException:"),
            "{what}: {head}"
        );
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["__type"], "SerializationException", "{what}");
    };
    // A declared 1 GB body, never sent.
    let mut s = connect(&emu);
    s.write_all(
        format!("POST / HTTP/1.1\r\nHost: emu\r\n{target}Content-Length: 1000000000\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    check(&mut s, "declared length");
    // The same with `Expect: 100-continue`: the answer is the error, not `100 Continue`.
    let mut s = connect(&emu);
    s.write_all(format!("POST / HTTP/1.1\r\nHost: emu\r\n{target}Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n").as_bytes())
        .unwrap();
    check(&mut s, "100-continue");
    // A chunked body that grows past the limit.
    let mut s = connect(&emu);
    s.write_all(
        format!("POST / HTTP/1.1\r\nHost: emu\r\n{target}Transfer-Encoding: chunked\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    for _ in 0..4 {
        if s.write_all(b"200\r\n").is_err()
            || s.write_all(&[b' '; 0x200]).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    check(&mut s, "chunked");
    // Under the limit all is well.
    let r = post(
        &emu,
        "AWSCognitoIdentityProviderService.ListUserPools",
        br#"{"MaxResults": 5}"#,
    );
    assert_eq!(r.status, 200);
}

/// Malformed requests get an error or a closed connection, never a crash or a hang, and the
/// server keeps serving.
#[test]
fn malformed_http_is_refused_and_the_server_keeps_serving() {
    let emu = emulator(ServerLimits {
        max_header_bytes: 16 << 10,
        header_read_timeout: Duration::from_secs(2),
        ..ServerLimits::default()
    });
    let huge_header = format!(
        "POST / HTTP/1.1\r\nHost: emu\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 << 10)
    );
    let many_headers = format!(
        "POST / HTTP/1.1\r\nHost: emu\r\n{}\r\n",
        "X-H: v\r\n".repeat(500)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"GARBAGE\r\n\r\n".to_vec()),
        ("binary", vec![0u8, 1, 2, 0xff, 0xfe, b'\r', b'\n', b'\r', b'\n']),
        ("bad version", b"POST / HTTP/9.9\r\nHost: emu\r\n\r\n".to_vec()),
        ("header without colon", b"POST / HTTP/1.1\r\nHost emu\r\n\r\n".to_vec()),
        ("bad content-length", b"POST / HTTP/1.1\r\nHost: emu\r\nContent-Length: abc\r\n\r\n".to_vec()),
        ("two content-lengths", b"POST / HTTP/1.1\r\nHost: emu\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_vec()),
        ("smuggling", b"POST / HTTP/1.1\r\nHost: emu\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec()),
        ("bad chunk size", b"POST / HTTP/1.1\r\nHost: emu\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec()),
        ("huge header", huge_header.into_bytes()),
        ("many headers", many_headers.into_bytes()),
    ];
    for (what, bytes) in &cases {
        let mut s = connect(&emu);
        let _ = s.write_all(bytes);
        let start = Instant::now();
        match read_response(&mut s, Duration::from_secs(5)) {
            Some((status, head, _)) => {
                assert!((400..500).contains(&status), "{what}: {head}");
            }
            None => assert!(
                start.elapsed() < Duration::from_secs(5),
                "{what}: neither an answer nor a close"
            ),
        }
    }
    let r = post(
        &emu,
        "AWSCognitoIdentityProviderService.ListUserPools",
        br#"{"MaxResults": 5}"#,
    );
    assert_eq!(r.status, 200);
}

/// `SRP_A` ≡ 0 (mod N) in any spelling would make the server's secret `(A·v^u)^b` zero; it is
/// refused for user SRP and for device SRP.
#[test]
fn srp_a_congruent_to_zero_is_refused_for_users_and_devices() {
    let s = setup_with(
        PoolConfig {
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("walt", &[]);
    let n = srp::modulus();
    let zeros = [
        format!("000{}", srp::to_hex(n)),
        srp::to_hex(&(n * 2u8)),
        srp::to_hex(&(n * 7u8)),
        "0000".to_string(),
    ];
    for a in &zeros {
        let (t, _) = err(
            &s.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"USERNAME": "walt", "SRP_A": a}}),
        );
        assert_eq!(t, "InvalidParameterException", "SRP_A = {a:.24}");
    }
    // A remembered device, then DEVICE_SRP_AUTH with A ≡ 0.
    let first = s.tokens("walt");
    let meta = &first["NewDeviceMetadata"];
    let key = meta["DeviceKey"].as_str().unwrap();
    let group = meta["DeviceGroupKey"].as_str().unwrap();
    let reg = srp::register_device(&mut rand::rng(), group, key);
    ok(
        &s.emu,
        "ConfirmDevice",
        json!({"AccessToken": first["AccessToken"], "DeviceKey": key,
        "DeviceSecretVerifierConfig": {"PasswordVerifier": reg.verifier_b64, "Salt": reg.salt_b64}}),
    );
    for a in &zeros {
        let ch = op(
            &s.emu,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
            "AuthParameters": {"USERNAME": "walt", "PASSWORD": PASSWORD, "DEVICE_KEY": key}}),
        )
        .unwrap();
        assert_eq!(ch["ChallengeName"], "DEVICE_SRP_AUTH");
        let (t, _) = s
            .respond(
                "DEVICE_SRP_AUTH",
                &ch["Session"],
                json!({"USERNAME": "walt", "DEVICE_KEY": key, "SRP_A": a}),
            )
            .unwrap_err();
        assert_eq!(t, "InvalidParameterException", "device SRP_A = {a:.24}");
    }
}

/// Tokens the emulator did not sign for this pool are refused: `alg: none`, HS256 keyed with
/// the public key, and a genuine token of another pool with its issuer rewritten.
#[test]
fn forged_tokens_are_refused() {
    let s = setup();
    s.user("joy", &[]);
    let good = s.tokens("joy")["AccessToken"].as_str().unwrap().to_string();
    let parts: Vec<&str> = good.split('.').collect();
    let header = |h: serde_json::Value| URL_SAFE_NO_PAD.encode(h.to_string());
    let good_header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let kid = good_header["kid"].clone();
    let unsigned = format!(
        "{}.{}.",
        header(json!({"alg": "none", "kid": kid})),
        parts[1]
    );
    let hs = format!(
        "{}.{}.{}",
        header(json!({"alg": "HS256", "kid": kid})),
        parts[1],
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    // Another pool's genuine token.
    let other = s.emu.create_pool(PoolConfig::default()).unwrap();
    let oc = s
        .emu
        .create_client(&other.pool_id, ClientConfig::default())
        .unwrap();
    s.emu
        .create_user(&other.pool_id, "joy", PASSWORD, &[])
        .unwrap();
    let r = op(
        &s.emu,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": oc.client_id,
               "AuthParameters": {"USERNAME": "joy", "PASSWORD": PASSWORD}}),
    )
    .unwrap();
    let theirs = r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let tp: Vec<&str> = theirs.split('.').collect();
    let mut their_claims = claims(&theirs);
    their_claims["iss"] = claims(&good)["iss"].clone();
    let reissued = format!(
        "{}.{}.{}",
        tp[0],
        URL_SAFE_NO_PAD.encode(their_claims.to_string()),
        tp[2]
    );
    for (what, token) in [
        ("alg none", unsigned),
        ("HS256", hs),
        ("other pool, iss rewritten", reissued),
    ] {
        let (ty, m) = err(&s.emu, "GetUser", json!({"AccessToken": token}));
        assert_eq!(
            (ty.as_str(), m.as_str()),
            ("NotAuthorizedException", "Invalid Access Token"),
            "{what}"
        );
    }
    // The other pool's token as it is works for that pool only: GetUser answers its user.
    assert_eq!(
        ok(&s.emu, "GetUser", json!({"AccessToken": theirs}))["Username"],
        "joy"
    );
}

/// Guessing an MFA code: a session takes three wrong answers, then it is gone and even the
/// right code needs a new sign-in (whose password attempts count towards the lockout).
#[test]
fn mfa_code_guessing_ends_the_session() {
    let s = setup_with(
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    );
    s.user("max", &[("phone_number", "+15550003333")]);
    ok(
        &s.emu,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool_id, "Username": "max",
        "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    let ch = s.password_auth("max", PASSWORD).unwrap();
    assert_eq!(ch["ChallengeName"], "SMS_MFA");
    let code = s.emu.last_code("max", MessageKind::Mfa).unwrap();
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let answer = |c: &str| {
        s.respond(
            "SMS_MFA",
            &ch["Session"],
            json!({"USERNAME": "max", "SMS_MFA_CODE": c}),
        )
    };
    for _ in 0..3 {
        assert_eq!(answer(&wrong).unwrap_err().0, "CodeMismatchException");
    }
    let (ty, _) = answer(&code).unwrap_err();
    assert_eq!(ty, "NotAuthorizedException");
}

/// The emulator serves every operation without a signature and answers CORS for any origin,
/// so a web page of any site open in the developer's browser could call it. Pages of other
/// sites may still call what AWS serves unsigned (sign-in, sign-up, a user's own profile);
/// the admin and management operations and the `/_emulator/` hooks are refused to them, and
/// stay open to local pages and to programs (which send no `Origin`).
#[test]
fn web_pages_of_other_sites_cannot_drive_the_admin_api_or_the_hooks() {
    let s = setup();
    s.user("victim", &[]);
    let call = |origin: Option<&str>, op: &str, body: serde_json::Value| {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        let mut headers = vec![
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target.as_str()),
        ];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        raw(&s.emu, "POST", "/", &headers, body.to_string().as_bytes()).expect("http")
    };
    let set_password = json!({"UserPoolId": s.pool_id, "Username": "victim",
                              "Password": "Attacker-0wned!", "Permanent": true});
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example:9229",
        "null",
    ] {
        let r = call(Some(origin), "AdminSetUserPassword", set_password.clone());
        assert_eq!(r.status, 400, "{origin}");
        assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
        let r = call(Some(origin), "ListUsers", json!({"UserPoolId": s.pool_id}));
        assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
        for (method, hook, body) in [
            ("GET", "/_emulator/messages", ""),
            ("POST", "/_emulator/reset", ""),
            ("POST", "/_emulator/sign", "{}"),
        ] {
            let r =
                raw(&s.emu, method, hook, &[("Origin", origin)], body.as_bytes()).expect("http");
            assert_eq!(r.status, 403, "{origin} {hook}");
        }
        // What a browser application calls with the user's own password works from anywhere.
        let r = call(
            Some(origin),
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": s.client_id,
                   "AuthParameters": {"USERNAME": "victim", "PASSWORD": PASSWORD}}),
        );
        assert_eq!(r.status, 200, "{origin}: {:?}", r.json());
    }
    // The password was never changed and the pool not reset.
    s.password_auth("victim", PASSWORD)
        .expect("victim signs in");
    // Local pages and programs keep the whole API and the hooks.
    for origin in [
        Some("http://localhost:3000"),
        Some("http://127.0.0.1:5173"),
        Some("http://[::1]:8080"),
        Some("http://app.localhost"),
        None,
    ] {
        let r = call(origin, "ListUsers", json!({"UserPoolId": s.pool_id}));
        assert_eq!(r.status, 200, "{origin:?}");
        let mut headers = vec![];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        let r = raw(&s.emu, "GET", "/_emulator/messages", &headers, b"").expect("http");
        assert_eq!(r.status, 200, "{origin:?}");
    }
}

/// An origin the emulator was told to trust gets what local pages get; others still do not.
#[test]
fn a_trusted_origin_may_drive_the_admin_api_and_the_hooks() {
    let emu = cognito_emulator::Emulator::builder()
        .trusted_origin("http://App.Internal:3000/")
        .start_blocking()
        .unwrap();
    let pool = emu
        .create_pool(cognito_emulator::PoolConfig::default())
        .unwrap();
    let list = |origin: &str| {
        let body = json!({"UserPoolId": pool.pool_id, "Username": "amy"}).to_string();
        raw(
            &emu,
            "POST",
            "/",
            &[
                (
                    "X-Amz-Target",
                    "AWSCognitoIdentityProviderService.AdminCreateUser",
                ),
                ("Origin", origin),
            ],
            body.as_bytes(),
        )
        .expect("http")
    };
    assert_eq!(list("http://app.internal:3000").status, 200);
    let r = list("http://app.internal:3001");
    assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
    let r = raw(
        &emu,
        "GET",
        "/_emulator/messages",
        &[("Origin", "http://app.internal:3000")],
        b"",
    )
    .expect("http");
    assert_eq!(r.status, 200);
}

#[test]
fn a_page_under_a_host_name_rebound_to_this_machine_cannot_read_the_hooks() {
    // DNS rebinding: a page of attacker.example whose name now resolves to 127.0.0.1 is
    // same-origin with the emulator, so its GETs carry no Origin. Browsers still send
    // Sec-Fetch-Site (pages cannot remove it) and the page's own host name as Host.
    let emu = cognito_emulator::Emulator::builder()
        .trusted_origin("http://cognito.test:3000")
        .start_blocking()
        .unwrap();
    let pool = emu
        .create_pool(cognito_emulator::PoolConfig::default())
        .unwrap();
    emu.create_user(&pool.pool_id, "victim", PASSWORD, &[])
        .unwrap();
    let port = emu.addr().port();
    let browser = |host: &str, path: &str, body: Option<&str>| {
        let authority = format!("{host}:{port}");
        let mut headers = vec![
            ("Host", authority.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
            ("Sec-Fetch-Mode", "cors"),
        ];
        let method = if body.is_some() {
            headers.push((
                "X-Amz-Target",
                "AWSCognitoIdentityProviderService.ListUsers",
            ));
            "POST"
        } else {
            "GET"
        };
        raw(&emu, method, path, &headers, body.unwrap_or("").as_bytes()).expect("http")
    };
    let list = json!({"UserPoolId": pool.pool_id}).to_string();
    for host in [
        "attacker.example",
        "127.0.0.1.attacker.example",
        "LOCALHOST.evil.example",
    ] {
        assert_eq!(
            browser(host, "/_emulator/messages", None).status,
            403,
            "{host}"
        );
        let r = browser(host, "/", Some(&list));
        assert_eq!(
            r.json()["__type"],
            "MissingAuthenticationTokenException",
            "{host}"
        );
    }
    // The machine's own names, addresses, single-label (Docker service) names and the hosts of
    // trusted origins keep the hooks and the whole API, in a browser too.
    for host in [
        "localhost",
        "app.localhost",
        "127.0.0.1",
        "192.168.1.20",
        "[::1]",
        "cognito",
        "cognito.test",
    ] {
        assert_eq!(
            browser(host, "/_emulator/messages", None).status,
            200,
            "{host}"
        );
        assert_eq!(browser(host, "/", Some(&list)).status, 200, "{host}");
    }
    // Programs send no Sec-Fetch-Site: any Host works for them (containers reach the
    // emulator as host.docker.internal).
    let authority = format!("host.docker.internal:{port}");
    let r = raw(
        &emu,
        "GET",
        "/_emulator/messages",
        &[("Host", authority.as_str())],
        b"",
    )
    .expect("http");
    assert_eq!(r.status, 200);
}

/// The binary's resident memory in bytes (Linux's `/proc/<pid>/status`).
#[cfg(target_os = "linux")]
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS line");
    kib * 1024
}

/// Pending hosted sign-ins are bounded in bytes, not only in number: each keeps the
/// authorization request it came from, whose query may be as long as the header limit, so
/// the 10,000 sign-ins the table keeps could hold over a gigabyte of requests that anyone
/// can send without an account. Measured on the binary's resident memory.
#[cfg(target_os = "linux")]
#[test]
fn long_authorization_requests_cannot_fill_the_memory() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("listening line");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let call = |op: &str, body: serde_json::Value| -> serde_json::Value {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        let r = raw_at(
            addr,
            "POST",
            "/",
            &[
                ("X-Amz-Target", &target),
                ("Content-Type", "application/x-amz-json-1.1"),
            ],
            body.to_string().as_bytes(),
        )
        .expect("http");
        assert_eq!(r.status, 200, "{op}: {}", String::from_utf8_lossy(&r.body));
        r.json()
    };
    let pool = call("CreateUserPool", json!({"PoolName": "p"}));
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool_id, "Domain": "big"}),
    );
    let client = call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "web",
               "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
               "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["http://localhost:3000/cb"],
               "SupportedIdentityProviders": ["COGNITO"]}),
    );
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    // A request line of 56 KiB, under the default 64 KiB header limit.
    let query = format!(
        "response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&state={}",
        "s".repeat(56 << 10)
    );
    let page = |n: usize| {
        for _ in 0..n {
            let r = raw_at(
                addr,
                "GET",
                &format!("/_hosted/big/login?{query}"),
                &[],
                b"",
            )
            .expect("http");
            assert_eq!(r.status, 200);
        }
    };
    // The allocator's first growth is not the table's.
    page(50);
    let before = resident_bytes(child.id());
    page(3000);
    let after = resident_bytes(child.id());
    child.kill().unwrap();
    let _ = child.wait();
    let grown = after.saturating_sub(before) >> 20;
    eprintln!("resident memory grew by {grown} MiB");
    assert!(
        grown < 128,
        "3,000 sign-in pages of 56 KiB requests grew the emulator by {grown} MiB"
    );
}
