//! `cognito verify-token` against the emulator's JWKS: claims as JSON on success, the failed
//! check (JSON on stdout, exit code 7) otherwise.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig};
use serde_json::{Map, Value, json};

const PASSWORD: &str = "Correct-Horse-1";

struct Setup {
    emu: EmulatorHandle,
    pool_id: String,
    client_id: String,
    dir: std::path::PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let emu = Emulator::start_blocking().expect("emulator starts");
        let pool = emu.create_pool(PoolConfig::default()).expect("pool");
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .expect("client");
        let dir = std::env::temp_dir().join(format!("cognito-verify-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Setup {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
            dir,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cognito"));
        cmd.env_remove("COGNITO_CLIENT_ID")
            .env_remove("COGNITO_PASSWORD")
            .env("COGNITO_USER_POOL_ID", &self.pool_id)
            .env("COGNITO_ENDPOINT", self.emu.url())
            .env("COGNITO_SESSION_FILE", self.dir.join("session.json"))
            .args(args);
        cmd
    }

    /// Signs `name` in through the CLI; returns (ID token, access token).
    fn tokens(&self, name: &str) -> (String, String) {
        self.emu
            .create_user(&self.pool_id, name, PASSWORD, &[("email", "v@example.com")])
            .expect("user");
        let client = ["--client-id", self.client_id.as_str()];
        let out = run(
            self.cmd(&client).args(["sign-in", name]),
            &format!("{PASSWORD}\n"),
        );
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let token = |kind: &str| {
            let out = run(self.cmd(&client).args(["token", kind]), "");
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        (token("--id"), token("--access"))
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(mut cmd: impl std::borrow::BorrowMut<Command>, stdin: &str) -> Output {
    let mut child = cmd
        .borrow_mut()
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

fn json_out(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

#[test]
fn verify_token_prints_claims_or_the_failed_check() {
    let s = Setup::new();
    let (id, access) = s.tokens("vito");
    let other_clients = format!("someone,{}", s.client_id);

    // Access token, client among a comma-separated list, from an argument.
    let out = run(
        s.cmd(&[
            "--client-id",
            &other_clients,
            "verify-token",
            "--token-use",
            "access",
            &access,
        ]),
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let claims = json_out(&out);
    assert_eq!(claims["username"], "vito");
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["client_id"], s.client_id.as_str());

    // ID token from stdin, repeated --client-id.
    let out = run(
        s.cmd(&[
            "--client-id",
            "someone",
            "--client-id",
            &s.client_id,
            "verify-token",
            "--token-use",
            "id",
            "-",
        ]),
        &format!("{id}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json_out(&out)["email"], "v@example.com");

    // Failed checks: exit 7 and the check as JSON; the token is never echoed.
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &[
                "--client-id",
                "someone",
                "verify-token",
                "--token-use",
                "access",
            ],
            &access,
            "client",
        ),
        (
            &[
                "--client-id",
                &s.client_id,
                "verify-token",
                "--token-use",
                "id",
            ],
            &access,
            "token_use",
        ),
        (
            &[
                "verify-token",
                "--no-client-check",
                "--token-use",
                "access",
                "--group",
                "admins",
            ],
            &access,
            "group",
        ),
        (
            &[
                "verify-token",
                "--no-client-check",
                "--token-use",
                "access",
                "--scope",
                "orders/read",
            ],
            &access,
            "scope",
        ),
    ];
    for (args, token, check) in cases {
        let out = run(s.cmd(args).arg(token), "");
        assert_eq!(out.status.code(), Some(7), "{check}: {out:?}");
        assert_eq!(json_out(&out)["check"], check);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(token));
    }
    let (head, _) = access.rsplit_once('.').expect("three parts");
    let out = run(
        s.cmd(&[
            "verify-token",
            "--no-client-check",
            "--token-use",
            "access",
            &format!("{head}.AAAA"),
        ]),
        "",
    );
    assert_eq!(
        (out.status.code(), json_out(&out)["check"].clone()),
        (Some(7), json!("signature"))
    );

    // An expired token signed by the pool's key.
    let mut expired: Map<String, Value> = json_out(&run(
        s.cmd(&[
            "verify-token",
            "--no-client-check",
            "--token-use",
            "access",
            &access,
        ]),
        "",
    ))
    .as_object()
    .cloned()
    .expect("claims");
    expired.insert("exp".into(), json!(s.emu.now() - 5));
    let forged = s
        .emu
        .sign_token(&s.pool_id, true, &Map::new(), &expired)
        .expect("signed");
    let args = ["verify-token", "--no-client-check", "--token-use", "access"];
    let out = run(s.cmd(&args).arg(&forged), "");
    assert_eq!(json_out(&out)["check"], "expired");
    // ... which a grace period lets through.
    let out = run(s.cmd(&args).args(["--grace", "60", &forged]), "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // Usage errors: no client decision; keys unreachable is a network error (5).
    let out = run(
        s.cmd(&["verify-token", "--token-use", "access", &access]),
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(
        s.cmd(&[
            "verify-token",
            "--no-client-check",
            "--token-use",
            "access",
            "--jwks-uri",
            "http://127.0.0.1:9/jwks.json",
            &access,
        ]),
        "",
    );
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    // Several client ids are for verify-token only.
    let out = run(s.cmd(&["--client-id", "a,b", "whoami"]), "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
