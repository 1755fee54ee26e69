//! Configuration files (`--config`): a good file creates what it describes, and each kind of
//! mistake is an error naming the file, the field's path and what was expected.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use cognito_emulator::{ConfigError, Emulator};
use serde_json::{Value, json};

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cognito-emulator-config-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const GOOD: &str = r#"
lambda_timeout_seconds = 7

[[pools]]
id = "us-east-1_Config001"
name = "demo"
config = { MfaConfiguration = "OFF", UsernameAttributes = ["email"] }
triggers = { PostConfirmation = "arn:aws:lambda:us-east-1:123456789012:function:post-confirm" }

[[pools.clients]]
id = "configclient0000000000001"
name = "web"
config = { ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }

[[pools.clients]]
id = "configclient0000000000002"
name = "server"
secret = "fixed-secret-for-tests"
config = { ExplicitAuthFlows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }

[[pools.groups]]
name = "admins"
precedence = 1
description = "Administrators"

[[pools.users]]
username = "alice@example.com"
password = "Passw0rd!"
attributes = { name = "Alice" }
groups = ["admins"]

[[pools.users]]
username = "bob@example.com"
status = "UNCONFIRMED"
"#;

fn claims(token: &str) -> Value {
    use base64::Engine;
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn good_toml_file_creates_pools_clients_groups_users_and_triggers() {
    let path = write("good.toml", GOOD);
    let emu = Emulator::builder()
        .config_file(&path)
        .expect("valid file")
        .build_service()
        .expect("start");
    let pool = emu
        .call(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_Config001"}),
        )
        .expect("pool with the fixed id");
    assert_eq!(pool["UserPool"]["Name"], "demo");
    assert_eq!(
        pool["UserPool"]["LambdaConfig"]["PostConfirmation"],
        "arn:aws:lambda:us-east-1:123456789012:function:post-confirm"
    );
    let out = emu
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "configclient0000000000001",
                   "AuthParameters": {"USERNAME": "alice@example.com", "PASSWORD": "Passw0rd!"}}),
        )
        .expect("configured user signs in");
    let id = claims(out["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(id["name"], "Alice");
    assert_eq!(id["email_verified"], true);
    let bob = emu
        .call(
            "AdminGetUser",
            json!({"UserPoolId": "us-east-1_Config001", "Username": "bob@example.com"}),
        )
        .unwrap();
    assert_eq!(bob["UserStatus"], "UNCONFIRMED");
    let secret = emu
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": "us-east-1_Config001", "ClientId": "configclient0000000000002"}),
        )
        .unwrap();
    assert_eq!(
        secret["UserPoolClient"]["ClientSecret"],
        "fixed-secret-for-tests"
    );
}

/// The binary takes the same file; `--help` documents every option it accepts.
#[test]
fn binary_takes_config_and_documents_every_option() {
    let path = write("good.toml", GOOD);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--config"])
        .arg(&path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = r#"{"UserPoolId":"us-east-1_Config001"}"#;
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: \
         AWSCognitoIdentityProviderService.ListGroups\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(out.contains("\"GroupName\":\"admins\""), "{out}");

    let help = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    // Every flag the argument parser matches on, read from its source.
    let source = include_str!("../src/bin/cognito-emulator.rs");
    let parser = source.split("fn main()").nth(1).unwrap();
    let mut flags: Vec<&str> = parser
        .split('"')
        .filter(|s| s.starts_with("--") && s.len() > 2)
        .collect();
    flags.sort();
    flags.dedup();
    assert!(flags.len() >= 15, "{flags:?}");
    for flag in flags {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(flag)
                || l.trim_start().starts_with(&format!("-h, {flag}"))),
            "--help does not document {flag}"
        );
    }
}

fn config_error(name: &str, text: &str) -> ConfigError {
    let path = write(name, text);
    match Emulator::builder().config_file(&path) {
        Ok(_) => panic!("accepted {text}"),
        Err(e) => {
            assert_eq!(e.file, path);
            e
        }
    }
}

#[test]
fn syntax_errors_name_the_file_and_the_format() {
    let e = config_error("bad.toml", "[[pools]\nname = 'x'\n");
    assert!(e.message.starts_with("not valid TOML"), "{e}");
    assert!(e.to_string().contains("bad.toml"), "{e}");
    let e = config_error("bad.json", r#"{"pools": [}"#);
    assert!(e.message.starts_with("not valid JSON"), "{e}");
    let missing = std::env::temp_dir().join("cognito-emulator-no-such-config.toml");
    let e = Emulator::builder().config_file(&missing).unwrap_err();
    assert!(e.message.starts_with("cannot read"), "{e}");
}

#[test]
fn unknown_keys_wrong_types_and_bad_values_name_the_field() {
    let cases: [(&str, &str, &str, &str); 8] = [
        (
            "unknown.toml",
            "[[pools]]\nname = 'p'\n[[pools.clients]]\nnmae = 'web'\n",
            "pools[0].clients[0].nmae",
            "unknown field `nmae`",
        ),
        (
            "type.toml",
            "[[pools]]\nname = 'p'\n[[pools.users]]\nusername = 'u'\npassword = 'Passw0rd!'\nattributes = { email = 5 }\n",
            "pools[0].users[0].attributes.email",
            "invalid type: integer `5`, expected a string",
        ),
        (
            "status.json",
            r#"{"pools": [{"name": "p", "users": [{"username": "u", "password": "Passw0rd!", "status": "ACTIVE"}]}]}"#,
            "pools[0].users[0].status",
            "unknown variant `ACTIVE`, expected one of",
        ),
        (
            "missing.toml",
            "[[pools]]\nid = 'us-east-1_X'\n",
            "pools[0]",
            "missing field `name`",
        ),
        (
            "arn.toml",
            "[[pools]]\nname = 'p'\ntriggers = { PreSignUp = 'pre-sign-up' }\n",
            "pools[0].triggers.PreSignUp",
            "expected a Lambda function ARN",
        ),
        (
            "trigger.toml",
            "[[pools]]\nname = 'p'\ntriggers = { PreSignIn = 'arn:aws:lambda:us-east-1:123456789012:function:f' }\n",
            "pools[0].triggers.PreSignIn",
            "unknown trigger `PreSignIn`",
        ),
        (
            "group.toml",
            "[[pools]]\nname = 'p'\n[[pools.users]]\nusername = 'u'\npassword = 'Passw0rd!'\ngroups = ['staff']\n",
            "pools[0].users[0].groups[0]",
            "no group \"staff\"",
        ),
        (
            "id.toml",
            "[[pools]]\nid = 'nounderscore'\nname = 'p'\n",
            "pools[0].id",
            "expected a pool id",
        ),
    ];
    for (name, text, path, message) in cases {
        let e = config_error(name, text);
        assert_eq!(e.path, path, "{name}: {e}");
        assert!(e.message.contains(message), "{name}: {e}");
        assert!(e.to_string().contains(&format!("{name}: {path}: ")), "{e}");
    }
}

/// Values only the emulator's validation can judge (AWS's constraints on the requests the file
/// turns into) fail at start, at the field's path, with AWS's message.
#[test]
fn values_aws_refuses_fail_at_start_with_their_path() {
    let path = write(
        "aws.toml",
        "[[pools]]\nname = 'p'\nconfig = { MfaConfiguration = 'SOMETIMES' }\n",
    );
    let e = Emulator::builder()
        .config_file(&path)
        .unwrap()
        .build_service()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("aws.toml: pools[0].config: InvalidParameterException"),
        "{e}"
    );
    assert!(e.contains("mfaConfiguration"), "{e}");
    let path = write(
        "password.toml",
        "[[pools]]\nname = 'p'\n[[pools.users]]\nusername = 'u'\npassword = 'short'\n",
    );
    let e = Emulator::builder()
        .config_file(&path)
        .unwrap()
        .build_service()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("pools[0].users[0].password: InvalidPasswordException"),
        "{e}"
    );
    // The binary exits with status 2 and says the same.
    let path = write("bin.toml", "[[pools]]\nnam = 'p'\n");
    let out = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bin.toml: pools[0].nam: unknown field `nam`"),
        "{err}"
    );
}
