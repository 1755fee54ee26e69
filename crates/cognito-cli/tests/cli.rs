//! End-to-end tests of the `cognito` binary against the emulator: the non-interactive paths
//! (answers from stdin, flags and `COGNITO_PASSWORD`), the session file, and the exit codes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cognito_emulator::{
    ClientConfig, Emulator, EmulatorHandle, MessageKind, MfaConfiguration, PoolConfig,
};
use serde_json::json;

const PASSWORD: &str = "Correct-Horse-1";

struct Setup {
    emu: EmulatorHandle,
    pool_id: String,
    client_id: String,
    dir: PathBuf,
}

impl Setup {
    fn new(name: &str) -> Setup {
        Setup::with(name, PoolConfig::default())
    }

    fn with(name: &str, pool: PoolConfig) -> Setup {
        Setup::with_client(name, pool, ClientConfig::default()).0
    }

    /// Also returns the client secret, when the client has one.
    fn with_client(name: &str, pool: PoolConfig, client: ClientConfig) -> (Setup, Option<String>) {
        let emu = Emulator::start_blocking().expect("emulator starts");
        let pool = emu.create_pool(pool).expect("pool");
        let client = emu.create_client(&pool.pool_id, client).expect("client");
        let secret = client.client_secret.clone();
        let dir = std::env::temp_dir().join(format!("cognito-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let setup = Setup {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
            dir,
        };
        (setup, secret)
    }

    fn session_file(&self) -> PathBuf {
        self.dir.join("session.json")
    }

    /// The binary with the pool settings in `COGNITO_*` variables and an explicit session file.
    fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_with_session(args, &self.session_file())
    }

    /// The same, with the session in `session_file`.
    fn cmd_with_session(&self, args: &[&str], session_file: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito"));
        cmd.args(args)
            .env_remove("COGNITO_PASSWORD")
            .env_remove("COGNITO_CLIENT_SECRET")
            .env_remove("COGNITO_SESSION_FILE")
            .env("COGNITO_USER_POOL_ID", &self.pool_id)
            .env("COGNITO_CLIENT_ID", &self.client_id)
            .env("COGNITO_ENDPOINT", self.emu.url())
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .arg("--session-file")
            .arg(session_file);
        cmd
    }

    fn user(&self, name: &str) {
        self.emu
            .create_user(
                &self.pool_id,
                name,
                PASSWORD,
                &[("email", &format!("{name}@example.com"))],
            )
            .expect("user");
    }

    fn sign_in(&self, name: &str) {
        let out = run(self.cmd(&["sign-in", name]), &format!("{PASSWORD}\n"));
        assert_success(&out);
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs with `stdin` piped in (never a terminal).
fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
}

/// The username the emulator reads from an access token.
fn token_owner(emu: &EmulatorHandle, access_token: &str) -> String {
    let profile = emu
        .call("GetUser", json!({ "AccessToken": access_token }))
        .expect("the token is accepted");
    profile["Username"].as_str().expect("username").to_owned()
}

#[test]
fn sign_up_confirm_sign_in_token_whoami_sign_out_without_a_terminal() {
    let s = Setup::new("journey");
    let out = run(
        s.cmd(&["sign-up", "alice", "--email", "alice@example.com"]),
        &format!("{PASSWORD}\n"),
    );
    assert_success(&out);
    assert!(
        stderr(&out).contains("confirmation code sent to"),
        "{}",
        stderr(&out)
    );

    // Before confirming, sign-in says what to do, with its own exit code.
    let out = run(s.cmd(&["sign-in", "alice"]), &format!("{PASSWORD}\n"));
    assert_code(&out, 6);
    assert!(stderr(&out).contains("cognito confirm"), "{}", stderr(&out));

    let code = s.emu.last_code("alice", MessageKind::SignUp).expect("code");
    assert_success(&run(s.cmd(&["confirm", "alice", &code]), ""));

    s.sign_in("alice");
    let out = run(s.cmd(&["token", "--access"]), "");
    assert_success(&out);
    let access = stdout(&out).trim().to_owned();
    assert_eq!(access.split('.').count(), 3, "a JWT: {access}");
    assert_eq!(token_owner(&s.emu, &access), "alice");

    let out = run(s.cmd(&["token", "--id"]), "");
    assert_success(&out);
    assert_ne!(stdout(&out).trim(), access, "the ID token differs");

    let out = run(s.cmd(&["whoami"]), "");
    assert_success(&out);
    assert_eq!(stdout(&out), "alice\n");

    assert_success(&run(s.cmd(&["sign-out"]), ""));
    assert_eq!(s.emu.request_count("RevokeToken"), 1);
    let out = run(s.cmd(&["token", "--access"]), "");
    assert_code(&out, 3);
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("not signed in"), "{}", stderr(&out));
}

#[test]
fn confirm_reads_the_code_from_stdin_and_resend_sends_a_new_one() {
    let s = Setup::new("confirm");
    assert_success(&run(
        s.cmd(&["sign-up", "bea", "--email", "bea@example.com"]),
        &format!("{PASSWORD}\n"),
    ));
    assert_success(&run(s.cmd(&["confirm", "bea", "--resend"]), ""));
    assert_eq!(s.emu.request_count("ResendConfirmationCode"), 1);
    let code = s.emu.last_code("bea", MessageKind::SignUp).expect("code");
    let out = run(s.cmd(&["confirm", "bea"]), "000000\n");
    assert_code(&out, 4);
    assert_success(&run(s.cmd(&["confirm", "bea"]), &format!("{code}\n")));
    s.sign_in("bea");
}

#[test]
fn password_from_the_environment() {
    let s = Setup::new("envpass");
    s.user("cleo");
    let mut cmd = s.cmd(&["sign-in", "cleo"]);
    cmd.env("COGNITO_PASSWORD", PASSWORD);
    assert_success(&run(cmd, ""));
    assert_eq!(stdout(&run(s.cmd(&["whoami"]), "")), "cleo\n");
}

#[test]
fn wrong_password_exits_4() {
    let s = Setup::new("wrongpass");
    s.user("dora");
    let out = run(s.cmd(&["sign-in", "dora"]), "Wrong-Password-9\n");
    assert_code(&out, 4);
    assert!(stderr(&out).contains("NotAuthorized"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("Wrong-Password-9"),
        "no password in messages"
    );
}

#[test]
fn missing_answer_and_missing_settings_are_usage_errors() {
    let s = Setup::new("usage");
    s.user("ella");
    // No password on stdin and no terminal.
    let out = run(s.cmd(&["sign-in", "ella"]), "");
    assert_code(&out, 2);
    assert!(stderr(&out).contains("password needed"), "{}", stderr(&out));
    // No pool configured.
    let mut cmd = s.cmd(&["whoami"]);
    cmd.env_remove("COGNITO_USER_POOL_ID");
    assert_code(&run(cmd, ""), 2);
    // Bad arguments (clap).
    assert_code(&run(s.cmd(&["token"]), ""), 2);
    assert_code(&run(s.cmd(&["attributes", "--set", "novalue"]), ""), 2);
}

#[test]
fn network_failure_exits_5() {
    let s = Setup::new("network");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut cmd = s.cmd(&["sign-in", "fay"]);
    cmd.env("COGNITO_ENDPOINT", format!("http://127.0.0.1:{port}"));
    let out = run(cmd, &format!("{PASSWORD}\n"));
    assert_code(&out, 5);
}

#[test]
fn session_file_defaults_to_the_config_directory_with_mode_0600() {
    let s = Setup::new("xdg");
    s.user("gail");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito"));
    cmd.args(["sign-in", "gail"])
        .env_remove("COGNITO_SESSION_FILE")
        .env_remove("COGNITO_PASSWORD")
        .env("COGNITO_USER_POOL_ID", &s.pool_id)
        .env("COGNITO_CLIENT_ID", &s.client_id)
        .env("COGNITO_ENDPOINT", s.emu.url())
        .env("XDG_CONFIG_HOME", s.dir.join("xdg"));
    assert_success(&run(cmd, &format!("{PASSWORD}\n")));
    let file = s.dir.join("xdg").join("cognito").join("session.json");
    assert!(file.is_file(), "session stored under XDG_CONFIG_HOME");
    assert_private(&file, 0o600);
    assert_private(&s.dir.join("xdg").join("cognito"), 0o700);

    // Without XDG_CONFIG_HOME, HOME/.config is used.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito"));
    cmd.args(["sign-in", "gail"])
        .env_remove("COGNITO_SESSION_FILE")
        .env_remove("COGNITO_PASSWORD")
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", s.dir.join("home"))
        .env("COGNITO_USER_POOL_ID", &s.pool_id)
        .env("COGNITO_CLIENT_ID", &s.client_id)
        .env("COGNITO_ENDPOINT", s.emu.url());
    assert_success(&run(cmd, &format!("{PASSWORD}\n")));
    let file = s.dir.join("home/.config/cognito/session.json");
    assert!(file.is_file(), "session stored under HOME/.config");
    assert_private(&file, 0o600);
}

#[cfg(unix)]
fn assert_private(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let actual = std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(actual, mode, "{}", path.display());
}

#[cfg(not(unix))]
fn assert_private(_: &Path, _: u32) {}

#[test]
fn token_refreshes_when_asked_for_more_validity_than_left() {
    let s = Setup::new("refresh");
    s.user("hope");
    s.sign_in("hope");
    let first = stdout(&run(s.cmd(&["token", "--access"]), ""));
    let refreshes = || {
        s.emu.request_count("GetTokensFromRefreshToken")
            + s.emu.request_count("InitiateAuth:REFRESH_TOKEN_AUTH")
    };
    assert_eq!(refreshes(), 0);
    // The access token lives one hour: asking for two hours forces a refresh.
    let out = run(s.cmd(&["token", "--access", "--min-validity", "7200"]), "");
    assert_success(&out);
    let second = stdout(&out);
    assert_eq!(refreshes(), 1);
    assert_ne!(first, second);
    assert_eq!(token_owner(&s.emu, second.trim()), "hope");
    // The refreshed session was stored: the next call prints it without a request.
    assert_eq!(stdout(&run(s.cmd(&["token", "--access"]), "")), second);
    assert_eq!(refreshes(), 1);
}

#[test]
fn totp_code_from_a_flag() {
    let s = Setup::with(
        "totp",
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
    );
    s.user("iris");
    s.sign_in("iris");
    // Set up TOTP with the user's own access token, as an app would.
    let access = stdout(&run(s.cmd(&["token", "--access"]), ""));
    let access = access.trim();
    let secret = s
        .emu
        .call("AssociateSoftwareToken", json!({ "AccessToken": access }))
        .expect("associate")["SecretCode"]
        .as_str()
        .expect("secret")
        .to_owned();
    let code = cognito_emulator::totp::code(&secret, s.emu.now()).expect("code");
    s.emu
        .call(
            "VerifySoftwareToken",
            json!({ "AccessToken": access, "UserCode": code }),
        )
        .expect("verify");
    s.emu
        .call(
            "SetUserMFAPreference",
            json!({
                "AccessToken": access,
                "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
            }),
        )
        .expect("preference");
    assert_success(&run(s.cmd(&["sign-out"]), ""));

    // Without the code and with nothing more on stdin, the step cannot be answered.
    let out = run(s.cmd(&["sign-in", "iris"]), &format!("{PASSWORD}\n"));
    assert_code(&out, 2);

    s.emu.advance_clock(30); // a TOTP code is single-use: the next window
    let code = cognito_emulator::totp::code(&secret, s.emu.now()).expect("code");
    // The clocks differ now by 30 s, well inside the SRP timestamp window.
    let out = run(
        s.cmd(&["sign-in", "iris", "--code", &code]),
        &format!("{PASSWORD}\n"),
    );
    assert_success(&out);
    let mut errors = stderr(&out);
    assert_eq!(stdout(&run(s.cmd(&["whoami"]), "")), "iris\n");

    // No secret of the run on stderr, even with the usual logging variables set: the CLI
    // installs no logger, and its messages name no secret. The token is printed on stdout
    // only, by `token`, which exists for that.
    let logged = |args: &[&str]| {
        let mut cmd = s.cmd(args);
        cmd.env("RUST_LOG", "trace").env("RUST_BACKTRACE", "1");
        run(cmd, "")
    };
    let out = logged(&["token", "--access"]);
    errors.push_str(&stderr(&out));
    let first = stdout(&out).trim().to_owned();
    // More validity than a fresh token has: a refresh.
    let out = logged(&["token", "--access", "--min-validity", "4000"]);
    errors.push_str(&stderr(&out));
    let refreshed = stdout(&out).trim().to_owned();
    assert_ne!(first, refreshed, "refreshed");
    let out = logged(&["sign-out"]);
    assert_success(&out);
    errors.push_str(&stderr(&out));
    for secret in [
        PASSWORD,
        secret.as_str(),
        code.as_str(),
        access,
        &first,
        &refreshed,
    ] {
        assert!(!errors.contains(secret), "stderr shows a secret: {errors}");
    }
}

#[test]
fn sms_code_from_stdin_after_the_password() {
    let s = Setup::with(
        "sms",
        PoolConfig {
            mfa: MfaConfiguration::Optional,
            ..PoolConfig::default()
        },
    );
    s.emu
        .create_user(
            &s.pool_id,
            "jade",
            PASSWORD,
            &[
                ("email", "jade@example.com"),
                ("phone_number", "+15555550123"),
            ],
        )
        .expect("user");
    s.emu
        .call(
            "AdminSetUserMFAPreference",
            json!({
                "UserPoolId": s.pool_id,
                "Username": "jade",
                "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
            }),
        )
        .expect("preference");
    // The code is only known once sent: answer interactively through the pipe.
    let mut child = s
        .cmd(&["sign-in", "jade"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    stdin.flush().expect("flush");
    let code = wait_for_code(&s.emu, "jade");
    stdin
        .write_all(format!("{code}\n").as_bytes())
        .expect("code");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert_success(&out);
}

fn wait_for_code(emu: &EmulatorHandle, username: &str) -> String {
    for _ in 0..500 {
        if let Some(code) = emu.last_code(username, MessageKind::Mfa) {
            return code;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("no MFA code was sent to {username}");
}

#[test]
fn attributes_set_delete_and_list() {
    let s = Setup::new("attributes");
    s.user("kira");
    s.sign_in("kira");
    let out = run(
        s.cmd(&["attributes", "--set", "name=Kira K", "--set", "nickname=kk"]),
        "",
    );
    assert_success(&out);
    let listed = stdout(&out);
    assert!(listed.lines().any(|l| l == "name=Kira K"), "{listed}");
    assert!(listed.lines().any(|l| l == "nickname=kk"), "{listed}");
    assert!(
        listed.lines().any(|l| l == "email=kira@example.com"),
        "{listed}"
    );
    let out = run(s.cmd(&["attributes", "--delete", "nickname"]), "");
    assert_success(&out);
    assert!(!stdout(&out).contains("nickname="), "{}", stdout(&out));
}

#[test]
fn pitfall_24_devices_listed_and_kept_across_sign_out() {
    let s = Setup::with(
        "devices",
        PoolConfig {
            device_tracking: Some((true, false)),
            ..PoolConfig::default()
        },
    );
    s.user("lola");
    s.sign_in("lola");
    let out = run(s.cmd(&["devices"]), "");
    assert_success(&out);
    let listed = stdout(&out);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 1, "{listed}");
    assert!(lines[0].starts_with("* "), "{listed}");
    assert!(lines[0].contains("remembered"), "{listed}");
    // Signing out keeps the device; signing in again authenticates it (no new device).
    assert_success(&run(s.cmd(&["sign-out"]), ""));
    s.sign_in("lola");
    assert_eq!(s.emu.request_count("ConfirmDevice"), 1);
}

#[test]
fn global_sign_out_ends_every_session() {
    let s = Setup::new("global");
    s.user("mila");
    s.sign_in("mila");
    let access = stdout(&run(s.cmd(&["token", "--access"]), ""));
    assert_success(&run(s.cmd(&["sign-out", "--global"]), ""));
    assert!(
        s.emu
            .call("GetUser", json!({ "AccessToken": access.trim() }))
            .is_err(),
        "the old access token is revoked"
    );
    assert_code(&run(s.cmd(&["whoami"]), ""), 3);
    assert_code(&run(s.cmd(&["sign-out"]), ""), 3);
}

#[test]
fn emulator_subcommand_serves_a_pool_that_the_cli_can_use() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito"))
        .args(["emulator", "--port", "0", "--setup"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || lines.next().expect("a line").expect("utf-8");
    let listening = next();
    let url = listening
        .strip_prefix("listening on ")
        .expect("first line")
        .to_owned();
    let mut vars = Vec::new();
    for _ in 0..3 {
        let line = next();
        let (name, value) = line.split_once('=').expect("NAME=VALUE");
        vars.push((name.to_owned(), value.to_owned()));
    }
    assert_eq!(vars[2], ("COGNITO_ENDPOINT".to_owned(), url));
    let dir = std::env::temp_dir().join(format!("cognito-cli-emu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito"));
    cmd.args([
        "sign-up",
        "nora",
        "--email",
        "nora@example.com",
        "--session-file",
    ])
    .arg(dir.join("s.json"))
    .env_remove("COGNITO_PASSWORD");
    for (name, value) in &vars {
        cmd.env(name, value);
    }
    let out = run(cmd, &format!("{PASSWORD}\n"));
    let _ = child.kill();
    let _ = child.wait();
    std::fs::remove_dir_all(&dir).ok();
    assert_success(&out);
}

#[test]
fn pitfall_25_client_secret_from_a_flag_signs_in_and_refreshes() {
    let (s, secret) = Setup::with_client(
        "secret",
        PoolConfig::default(),
        ClientConfig {
            generate_secret: true,
            ..ClientConfig::default()
        },
    );
    let secret = secret.expect("the client has a secret");
    s.user("nell");
    // Without the secret the pool refuses the client.
    let out = run(s.cmd(&["sign-in", "nell"]), &format!("{PASSWORD}\n"));
    assert_code(&out, 4);
    let with_secret = |args: &[&str]| {
        let mut cmd = s.cmd(args);
        cmd.arg("--client-secret").arg(&secret);
        cmd
    };
    assert_success(&run(
        with_secret(&["sign-in", "nell"]),
        &format!("{PASSWORD}\n"),
    ));
    // The refresh sends the secret too.
    let out = run(
        with_secret(&["token", "--access", "--min-validity", "7200"]),
        "",
    );
    assert_success(&out);
    assert_eq!(token_owner(&s.emu, stdout(&out).trim()), "nell");
    assert!(
        !stderr(&out).contains(&secret) && !stdout(&out).contains(&secret),
        "the secret is never printed"
    );
}

/// A hostile endpoint: answers every request with `response` (a complete HTTP response) and
/// closes the connection. Returns its URL.
fn hostile_server(response: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let response = response.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut content_length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        content_length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; content_length.min(1 << 20)];
                let _ = std::io::Read::read_exact(&mut reader, &mut body);
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    url
}

fn json_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// What a terminal would act on: ESC, BEL, CSI and the other C0/C1 controls but newline.
fn assert_no_terminal_controls(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in {text:?}");
}

#[test]
fn escape_sequences_in_a_server_error_are_escaped_and_the_message_capped() {
    let s = Setup::new("hostile-error");
    // A title change, a screen clear, a hyperlink, a C1 CSI, a bell, a forged second line,
    // and 100 KB of text.
    let message = format!(
        "\\u001b]0;owned\\u0007\\u001b[2J\\u001b]8;;http://evil.example/\\u0007click\\u001b]8;;\\u0007\\u009b31m\\ncognito: signed in as root{}",
        "A".repeat(100_000)
    );
    let body = format!(r#"{{"__type":"NotAuthorizedException","message":"{message}"}}"#);
    let url = hostile_server(json_response("400 Bad Request", &body));
    let mut cmd = s.cmd(&["sign-in", "gus"]);
    cmd.env("COGNITO_ENDPOINT", &url);
    let out = run(cmd, &format!("{PASSWORD}\n"));
    assert_code(&out, 4);
    let err = stderr(&out);
    assert_no_terminal_controls(&err);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("\\u{1b}]0;owned\\u{7}"),
        "escaped, visible: {err}"
    );
    assert!(err.contains("more characters]"), "capped: {}", err.len());
    assert!(err.len() < 2000, "capped: {} bytes", err.len());
}

#[test]
fn escape_sequences_in_attributes_and_username_are_escaped() {
    let s = Setup::new("hostile-attrs");
    s.user("hana");
    s.sign_in("hana");
    // The session is real; the endpoint now answers GetUser with hostile values.
    let body = json!({
        "Username": "\u{1b}[31mroot\u{1b}[0m",
        "UserAttributes": [
            {"Name": "email", "Value": "\u{1b}]8;;http://evil.example/\u{7}me@example.com\u{1b}]8;;\u{7}"},
            {"Name": "nickname", "Value": "x\nadmin=true"},
            {"Name": "name\u{9b}2J", "Value": "\u{202e}evil"},
            {"Name": "address", "Value": "B".repeat(50_000)},
        ]
    })
    .to_string();
    let url = hostile_server(json_response("200 OK", &body));
    for args in [["whoami"], ["attributes"]] {
        let mut cmd = s.cmd(&args);
        cmd.env("COGNITO_ENDPOINT", &url);
        let out = run(cmd, "");
        assert_success(&out);
        let shown = stdout(&out);
        assert_no_terminal_controls(&shown);
        assert!(!shown.contains('\u{202e}'), "{shown:?}");
        if args == ["attributes"] {
            // One line per attribute: the newline in a value did not forge an `admin=true` line.
            assert_eq!(shown.lines().count(), 4, "{shown}");
            assert!(!shown.lines().any(|l| l.starts_with("admin=")), "{shown}");
            assert!(shown.contains("nickname=x\\nadmin=true"), "{shown}");
            assert!(shown.len() < 10_000, "capped: {} bytes", shown.len());
        } else {
            assert_eq!(shown, "\\u{1b}[31mroot\\u{1b}[0m\n");
        }
    }
}

#[test]
fn endless_response_fails_fast_with_a_bounded_read() {
    let s = Setup::new("hostile-endless");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                );
                let chunk = format!("10000\r\n{}\r\n", "\u{1b}".repeat(0x10000));
                // At most 256 MiB, so that a failure cannot exhaust the machine.
                for _ in 0..4096 {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut cmd = s.cmd(&["sign-in", "ivy"]);
    cmd.env("COGNITO_ENDPOINT", &url);
    let started = std::time::Instant::now();
    let out = run(cmd, &format!("{PASSWORD}\n"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("too large"), "{err}");
    assert_no_terminal_controls(&err);
}

/// Runs `whoami` with the session file in `dir`; returns the output.
fn whoami_with_session_in(s: &Setup, dir: &Path) -> Output {
    run(
        s.cmd_with_session(&["whoami"], &dir.join("session.json")),
        "",
    )
}

#[cfg(unix)]
#[test]
fn session_directory_writable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new("unsafe-dir");
    s.user("jon");
    let dir = s.dir.join("shared");
    std::fs::create_dir(&dir).unwrap();
    let set_mode =
        |mode: u32| std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
    for (mode, what) in [
        (0o777, "writable by its group and every user (mode 0777)"),
        (0o1777, "writable by its group and every user (mode 1777)"),
        (0o757, "writable by every user (mode 0757)"),
        (0o770, "writable by its group (mode 0770)"),
    ] {
        set_mode(mode);
        let out = whoami_with_session_in(&s, &dir);
        assert_code(&out, 1);
        let err = stderr(&out);
        let real = std::fs::canonicalize(&dir).unwrap();
        assert!(
            err.contains(&format!("the session directory {}", real.display())),
            "{err}"
        );
        assert!(err.contains(what), "{mode:o}: {err}");
        assert!(err.contains("chmod go-w"), "{err}");
        assert!(!dir.join("session.json").exists());
    }
    // A directory above the session directory that others may write to without the sticky
    // bit lets them rename ours away: refused too, naming it.
    set_mode(0o777);
    let inner = dir.join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o700)).unwrap();
    let err = stderr(&whoami_with_session_in(&s, &inner));
    assert!(err.contains("above the session directory"), "{err}");
    // With the sticky bit (as /tmp has), the directory above is fine.
    set_mode(0o1777);
    let out = whoami_with_session_in(&s, &inner);
    assert_code(&out, 3);
    // And a private directory is used.
    set_mode(0o700);
    assert_code(&whoami_with_session_in(&s, &dir), 3);
}

#[cfg(unix)]
#[test]
fn session_directory_owned_by_another_user_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let s = Setup::new("foreign-dir");
    let dir = s.dir.join("theirs");
    std::fs::create_dir(&dir).unwrap();
    // Giving a directory away takes root; elsewhere the check is shown by the mode test.
    let given = std::process::Command::new("chown")
        .arg("54321")
        .arg(&dir)
        .status()
        .map(|st| st.success())
        .unwrap_or(false);
    if !given || std::fs::metadata(&dir).unwrap().uid() != 54321 {
        eprintln!("skipped: cannot chown as this user");
        return;
    }
    let out = whoami_with_session_in(&s, &dir);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("is owned by uid 54321, not by you"), "{err}");
}

// ----- OAuth: login --hosted and token --client-credentials ---------------------------------

impl Setup {
    /// A domain `name` and an app client made by `CreateUserPoolClient` with `settings`: the
    /// domain's path-prefixed URL, the client id and its secret (if any).
    fn oauth_client(
        &self,
        name: &str,
        settings: serde_json::Value,
    ) -> (String, String, Option<String>) {
        let _ = self.emu.call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": self.pool_id, "Domain": name}),
        );
        let mut body = settings;
        body["UserPoolId"] = json!(self.pool_id);
        body["ClientName"] = json!(name);
        let client = self.emu.call("CreateUserPoolClient", body).expect("client");
        let client = &client["UserPoolClient"];
        (
            format!("{}/_hosted/{name}", self.emu.url()),
            client["ClientId"].as_str().expect("id").to_owned(),
            client["ClientSecret"].as_str().map(str::to_owned),
        )
    }
}

/// The user's part in the browser: follow the redirect to the sign-in page, submit the
/// username and password, follow the redirect to the app. Returns the app's answer.
fn scripted_browser(authorize_url: &str, username: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let origin = &authorize_url[..authorize_url.find("/_hosted/").expect("emulator URL")];
    let location = |r: &http::Response<ureq::Body>| {
        let l = r.headers()["location"].to_str().unwrap();
        if l.starts_with('/') {
            format!("{origin}{l}")
        } else {
            l.to_owned()
        }
    };
    let login = location(&agent.get(authorize_url).call().unwrap());
    let mut page = agent.get(&login).call().unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.body_mut().read_to_string().unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let response = agent
        .post(&login)
        .header("cookie", &cookie)
        .send_form([
            ("_csrf", csrf),
            ("step", "password"),
            ("username", username),
            ("password", PASSWORD),
        ])
        .unwrap();
    let mut app = agent.get(&location(&response)).call().unwrap();
    (
        app.status().as_u16(),
        app.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn login_hosted_through_a_loopback_redirect_stores_the_session() {
    let s = Setup::new("hosted");
    s.user("nora");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (domain, web, _) = s.oauth_client(
        "cli-hosted",
        json!({"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
               "AllowedOAuthScopes": ["openid", "email", "aws.cognito.signin.user.admin"],
               "CallbackURLs": [redirect],
               "SupportedIdentityProviders": ["COGNITO"],
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    let port = port.to_string();
    let mut cmd = s.cmd(&[
        "--client-id",
        &web,
        "--domain",
        &domain,
        "login",
        "--hosted",
        "--port",
        &port,
        "--scope",
        "openid",
        "--scope",
        "aws.cognito.signin.user.admin",
        "--timeout",
        "30",
    ]);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr_lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = stderr_lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("http"))
        .expect("the URL to open");
    assert!(
        url.starts_with(&format!("{domain}/oauth2/authorize?")),
        "{url}"
    );
    // Another page's request to the port is answered 400 and the CLI keeps waiting.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let forged = agent
        .get(format!(
            "http://127.0.0.1:{port}/callback?code=stolen&state=forged"
        ))
        .call()
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    let (status, page) = scripted_browser(&url, "nora");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Signed in"), "{page}");
    let rest: Vec<String> = stderr_lines.map(Result::unwrap).collect();
    assert!(child.wait().unwrap().success(), "{rest:?}");
    assert!(rest.iter().any(|l| l == "signed in as nora"), "{rest:?}");
    // The stored session serves the other commands (GetUser needs the
    // aws.cognito.signin.user.admin scope, as on AWS).
    let out = run(s.cmd(&["--client-id", &web, "whoami"]), "");
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "nora");
    let out = run(s.cmd(&["--client-id", &web, "token", "--access"]), "");
    assert_success(&out);
    assert_eq!(token_owner(&s.emu, stdout(&out).trim()), "nora");
}

#[test]
fn token_client_credentials_prints_a_scoped_access_token() {
    let s = Setup::new("m2m");
    s.emu
        .call(
            "CreateResourceServer",
            json!({"UserPoolId": s.pool_id, "Identifier": "orders", "Name": "orders",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"},
                              {"ScopeName": "write", "ScopeDescription": "write"}]}),
        )
        .unwrap();
    let (domain, machine, secret) = s.oauth_client(
        "cli-m2m",
        json!({"GenerateSecret": true, "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"]}),
    );
    let secret = secret.expect("a secret");
    let args = |scope: &'static str, secret: &str| {
        let mut cmd = s.cmd(&[
            "--client-id",
            &machine,
            "--domain",
            &domain,
            "token",
            "--client-credentials",
            "--scope",
            scope,
        ]);
        cmd.env("COGNITO_CLIENT_SECRET", secret);
        cmd
    };
    let out = run(args("orders/read", &secret), "");
    assert_success(&out);
    let token = stdout(&out).trim().to_owned();
    let out = run(
        s.cmd(&[
            "--client-id",
            &machine,
            "verify-token",
            "--token-use",
            "access",
            "--scope",
            "orders/read",
            &token,
        ]),
        "",
    );
    assert_success(&out);
    let claims: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(claims["sub"], json!(machine));
    assert_eq!(claims["scope"], json!("orders/read"));
    // A scope the client may not use: the server's invalid_scope.
    let out = run(args("orders/write", &secret), "");
    assert_code(&out, 1);
    assert!(stderr(&out).contains("invalid_scope"), "{}", stderr(&out));
    // A wrong secret: wrong credentials.
    let out = run(args("orders/read", "not-the-secret-000000000000"), "");
    assert_code(&out, 4);
    // No secret at all: a usage error before any request.
    let mut cmd = s.cmd(&[
        "--client-id",
        &machine,
        "--domain",
        &domain,
        "token",
        "--client-credentials",
    ]);
    cmd.env_remove("COGNITO_CLIENT_SECRET");
    assert_code(&run(cmd, ""), 2);
}
