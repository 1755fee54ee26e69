//! `--data-dir`: the state survives a restart, including a SIGKILL in the middle of writes,
//! and a store the emulator cannot read is refused and left untouched.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cognito_emulator::{ClientConfig, Emulator, PoolConfig};
use cognito_proto::srp;
use serde_json::{Value, json};

const PASSWORD: &str = "Passw0rd!";

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cognito-emulator-{name}-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The emulator binary on a free port with `--data-dir dir`.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"));
        command.args(["--port", "0", "--data-dir"]).arg(dir);
        Server::spawn(command)
    }

    /// The emulator on `dir` in a process that cannot grow a file beyond `bytes`
    /// (`RLIMIT_FSIZE`, as a full disk or a quota would stop it), with `SIGXFSZ` ignored so
    /// that a write past the limit fails with `EFBIG` instead of killing the process.
    #[cfg(unix)]
    fn start_with_file_limit(dir: &Path, bytes: u64) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f {} && exec \"$0\" --port 0 --data-dir \"$1\"",
                bytes.div_ceil(512)
            ))
            .arg(env!("CARGO_BIN_EXE_cognito-emulator"))
            .arg(dir);
        Server::spawn(command)
    }

    /// The emulator on `dir` in a process whose file-size limit the test changes while it
    /// runs ([`Server::limit_file_size`]), with `SIGXFSZ` ignored so that a write past the
    /// limit fails with `EFBIG` instead of killing the process.
    #[cfg(target_os = "linux")]
    fn start_resizable(dir: &Path) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("trap '' XFSZ; exec \"$0\" --port 0 --data-dir \"$1\"")
            .arg(env!("CARGO_BIN_EXE_cognito-emulator"))
            .arg(dir);
        Server::spawn(command)
    }

    /// Sets how large the process may grow a file (`None`: as large as the hard limit), as a
    /// disk that fills up or has room again. Only the soft limit moves, which an unprivileged
    /// process may raise again.
    #[cfg(target_os = "linux")]
    fn limit_file_size(&self, bytes: Option<u64>) {
        use rustix::process::{Pid, Resource, Rlimit, getrlimit, prlimit};
        let pid = i32::try_from(self.child.id())
            .ok()
            .and_then(Pid::from_raw)
            .expect("pid");
        let hard = getrlimit(Resource::Fsize).maximum;
        let limit = Rlimit {
            current: bytes.or(hard),
            maximum: hard,
        };
        prlimit(Some(pid), Resource::Fsize, limit).expect("prlimit");
    }

    fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("listening line");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let mut err = String::new();
                let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
                panic!("no listening line: {line:?} {err}")
            });
        Server { child, port }
    }

    /// Stops the process and returns what it wrote to stderr.
    fn stop_for_stderr(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut err).expect("stderr");
        }
        err
    }

    /// SIGKILL: no chance to flush or close anything.
    fn kill(mut self) {
        self.child.kill().expect("kill");
        let _ = self.child.wait();
    }

    fn call(&self, op: &str, body: &Value) -> std::io::Result<(u16, Value)> {
        call(self.port, "AWSCognitoIdentityProviderService", op, body)
    }

    fn ok(&self, op: &str, body: Value) -> Value {
        match self.call(op, &body) {
            Ok((200, v)) => v,
            other => panic!("{op} {body}: {other:?}"),
        }
    }

    /// The error type of a request answered with a 400.
    fn refusal(&self, op: &str, body: &Value) -> String {
        match self.call(op, body) {
            Ok((400, v)) => v["__type"].as_str().unwrap_or_default().to_string(),
            other => panic!("{op} {body}: expected a 400, got {other:?}"),
        }
    }

    /// [`Server::call`] once the data directory's back-off has passed: after a failed write,
    /// the emulator answers the failure's 500 for a short interval before it reloads the
    /// state again (see `persist::Store::recover`), so a 500 is retried for a few seconds.
    fn call_settled(&self, op: &str, body: &Value) -> (u16, Value) {
        let mut last = None;
        for _ in 0..100 {
            match self.call(op, body).expect("an answer") {
                (500, v) => last = Some(v),
                answer => return answer,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{op} {body}: still 500 after the back-off: {last:?}")
    }

    /// [`Server::ok`] after the back-off ([`Server::call_settled`]).
    fn ok_settled(&self, op: &str, body: Value) -> Value {
        match self.call_settled(op, &body) {
            (200, v) => v,
            other => panic!("{op} {body}: {other:?}"),
        }
    }

    /// [`Server::refusal`] after the back-off ([`Server::call_settled`]).
    fn refusal_settled(&self, op: &str, body: &Value) -> String {
        match self.call_settled(op, body) {
            (400, v) => v["__type"].as_str().unwrap_or_default().to_string(),
            other => panic!("{op} {body}: expected a 400, got {other:?}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut out = Vec::new();
        s.read_to_end(&mut out).expect("read");
        let text = String::from_utf8_lossy(&out);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        serde_json::from_str(body).expect("json body")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(port: u16, service: &str, op: &str, body: &Value) -> std::io::Result<(u16, Value)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.to_string();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Amz-Target: {service}.{op}\r\n\
         Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out);
    let status = text
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line: {text:?}")))?;
    let (_, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no body"))?;
    let v = serde_json::from_str(body).map_err(std::io::Error::other)?;
    Ok((status, v))
}

fn attr<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)?["Value"]
        .as_str()
}

/// A write some client thread got a 200 for.
#[derive(Clone, Debug)]
enum Acked {
    SignUp(String),
    AdminCreate(String),
    /// The user's `given_name` was set to this counter.
    Update(String, u64),
}

/// A new pool named `name`: its id.
fn new_pool(s: &Server, name: &str) -> String {
    s.ok("CreateUserPool", json!({ "PoolName": name }))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new pool and an app client with password, SRP and refresh sign-ins: the pool's id and
/// the client's id.
fn pool_and_client(s: &Server, pool: &str) -> (String, String) {
    let pool_id = new_pool(s, pool);
    let client_id = s.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "c",
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                     "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    (pool_id, client_id)
}

/// [`pool_and_client`] with `user`, whose password is [`PASSWORD`], set permanently.
fn pool_with_user(s: &Server, pool: &str, user: &str) -> (String, String) {
    let (pool_id, client_id) = pool_and_client(s, pool);
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": user, "MessageAction": "SUPPRESS"}),
    );
    s.ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": user, "Password": PASSWORD,
               "Permanent": true}),
    );
    (pool_id, client_id)
}

fn password_sign_in(s: &Server, client_id: &str, user: &str) -> Value {
    s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
    )["AuthenticationResult"]
        .clone()
}

fn srp_sign_in(s: &Server, pool_id: &str, client_id: &str, user: &str) -> Value {
    let (eph, ch) = srp_start(s, client_id, user);
    srp_finish(s, pool_id, client_id, &eph, &ch)
}

/// The first half of an SRP sign-in: the client's ephemeral and the server's challenge.
fn srp_start(s: &Server, client_id: &str, user: &str) -> (srp::Ephemeral, Value) {
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let ch = s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": user, "SRP_A": eph.public_hex()}}),
    );
    (eph, ch)
}

/// The second half of an SRP sign-in: answers the challenge `ch` with [`PASSWORD`].
fn srp_finish(
    s: &Server,
    pool_id: &str,
    client_id: &str,
    eph: &srp::Ephemeral,
    ch: &Value,
) -> Value {
    let p = &ch["ChallengeParameters"];
    let server = srp::ServerChallenge::parse(
        p["SALT"].as_str().unwrap(),
        p["SRP_B"].as_str().unwrap(),
        p["SECRET_BLOCK"].as_str().unwrap(),
    )
    .expect("server challenge");
    let uid = p["USER_ID_FOR_SRP"].as_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claim = srp::password_claim_at(
        eph,
        pool_id,
        uid,
        PASSWORD,
        &server,
        &srp::format_timestamp(now),
    )
    .expect("claim");
    s.ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
        "Session": ch["Session"],
        "ChallengeResponses": {
            "USERNAME": uid,
            "PASSWORD_CLAIM_SECRET_BLOCK": claim.secret_block,
            "PASSWORD_CLAIM_SIGNATURE": claim.signature,
            "TIMESTAMP": claim.timestamp,
        }}),
    )["AuthenticationResult"]
        .clone()
}

/// Clients write while the emulator is SIGKILLed; after a restart on the same directory every
/// write that was answered 200 is there, complete, and sign-in, refresh and revocation work
/// with the keys, verifiers and tokens from before.
#[test]
fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = temp_dir("kill");
    let s = Server::start(&dir);
    let (pool_id, client_id) = pool_and_client(&s, "durable");
    for user in ["alice", "bob"] {
        s.ok(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": user, "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("{user}@example.com")}]}),
        );
        s.ok(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": user, "Password": PASSWORD,
                   "Permanent": true}),
        );
    }
    s.ok(
        "CreateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins", "Precedence": 1}),
    );
    s.ok(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool_id, "Username": "alice", "GroupName": "admins"}),
    );
    let kept = password_sign_in(&s, &client_id, "alice")["RefreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = password_sign_in(&s, &client_id, "bob")["RefreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    s.ok(
        "RevokeToken",
        json!({"ClientId": client_id, "Token": revoked}),
    );
    let jwks = s.get(&format!("/{pool_id}/.well-known/jwks.json"));

    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let port = s.port;
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let (acked, pool_id, client_id) = (acked.clone(), pool_id.clone(), client_id.clone());
            std::thread::spawn(move || {
                let own = format!("t{t}-owner");
                let mut j = 0u64;
                loop {
                    j += 1;
                    let (op, body, record) = match j % 3 {
                        0 => {
                            let u = format!("s{t}-{j}");
                            (
                                "SignUp",
                                json!({"ClientId": client_id, "Username": u, "Password": PASSWORD,
                                       "UserAttributes": [
                                           {"Name": "email", "Value": format!("{u}@example.com")},
                                           {"Name": "family_name", "Value": u}]}),
                                Acked::SignUp(u),
                            )
                        }
                        1 => {
                            let u = format!("a{t}-{j}");
                            (
                                "AdminCreateUser",
                                json!({"UserPoolId": pool_id, "Username": u,
                                       "MessageAction": "SUPPRESS",
                                       "UserAttributes": [
                                           {"Name": "given_name", "Value": u},
                                           {"Name": "family_name", "Value": u}]}),
                                Acked::AdminCreate(u),
                            )
                        }
                        _ if j == 2 => (
                            "AdminCreateUser",
                            json!({"UserPoolId": pool_id, "Username": own,
                                   "MessageAction": "SUPPRESS"}),
                            Acked::AdminCreate(own.clone()),
                        ),
                        _ => (
                            "AdminUpdateUserAttributes",
                            json!({"UserPoolId": pool_id, "Username": own,
                                   "UserAttributes": [
                                       {"Name": "given_name", "Value": j.to_string()},
                                       {"Name": "family_name", "Value": j.to_string()}]}),
                            Acked::Update(own.clone(), j),
                        ),
                    };
                    match call(port, "AWSCognitoIdentityProviderService", op, &body) {
                        Ok((200, _)) => acked.lock().unwrap().push(record),
                        Ok((status, v)) => panic!("{op}: {status} {v}"),
                        // The server is gone.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    // Kill once a good number of writes went through (and at most after a few seconds).
    while acked.lock().unwrap().len() < 150 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    s.kill();
    for w in writers {
        w.join().expect("writer");
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 30,
        "only {} writes before the kill",
        acked.len()
    );

    let s = Server::start(&dir);
    let get = |u: &str| {
        s.call(
            "AdminGetUser",
            &json!({"UserPoolId": pool_id, "Username": u}),
        )
        .expect("AdminGetUser")
    };
    let mut last_update: std::collections::HashMap<String, u64> = Default::default();
    for a in &acked {
        match a {
            Acked::SignUp(u) => {
                let (status, user) = get(u);
                assert_eq!(status, 200, "acknowledged SignUp of {u} lost: {user}");
                assert_eq!(user["UserStatus"], "UNCONFIRMED");
                assert_eq!(
                    attr(&user, "email"),
                    Some(format!("{u}@example.com").as_str())
                );
                assert_eq!(attr(&user, "family_name"), Some(u.as_str()));
            }
            Acked::AdminCreate(u) => {
                let (status, user) = get(u);
                assert_eq!(
                    status, 200,
                    "acknowledged AdminCreateUser of {u} lost: {user}"
                );
                assert_eq!(user["UserStatus"], "FORCE_CHANGE_PASSWORD");
                if u.starts_with('a') {
                    assert_eq!(attr(&user, "given_name"), Some(u.as_str()));
                    assert_eq!(attr(&user, "family_name"), Some(u.as_str()));
                }
            }
            Acked::Update(u, j) => {
                let e = last_update.entry(u.clone()).or_default();
                *e = (*e).max(*j);
            }
        }
    }
    for (u, j) in last_update {
        let (_, user) = get(&u);
        let given: u64 = attr(&user, "given_name").unwrap().parse().unwrap();
        // The write in flight at the kill may or may not have landed, but never half of it.
        assert!(
            given >= j,
            "{u}: given_name {given} older than acknowledged {j}"
        );
        assert_eq!(attr(&user, "family_name"), attr(&user, "given_name"));
    }
    // Every user on disk is a whole one: the in-flight SignUps and creates, if they landed,
    // landed with all their attributes.
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({"UserPoolId": pool_id});
        if let Some(t) = &token {
            req["PaginationToken"] = json!(t);
        }
        let page = s.ok("ListUsers", req);
        for user in page["Users"].as_array().unwrap() {
            let name = user["Username"].as_str().unwrap();
            let attrs = &json!({"UserAttributes": user["Attributes"]});
            let generated = name.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
            if generated && name.starts_with('s') {
                assert!(attr(attrs, "email").is_some() && attr(attrs, "family_name").is_some());
            } else if generated && name.starts_with('a') {
                assert!(
                    attr(attrs, "given_name").is_some() && attr(attrs, "family_name").is_some()
                );
            }
        }
        match page["PaginationToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }

    // Same keys, same verifiers, same tokens.
    assert_eq!(s.get(&format!("/{pool_id}/.well-known/jwks.json")), jwks);
    let fresh = srp_sign_in(&s, &pool_id, &client_id, "alice");
    let id_token = fresh["IdToken"].as_str().unwrap();
    let payload = id_token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["cognito:groups"], json!(["admins"]));
    password_sign_in(&s, &client_id, "bob");
    let refreshed = s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
               "AuthParameters": {"REFRESH_TOKEN": kept}}),
    );
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    let (status, v) = s
        .call(
            "InitiateAuth",
            &json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
                    "AuthParameters": {"REFRESH_TOKEN": revoked}}),
        )
        .unwrap();
    assert_eq!(
        (status, v["__type"].as_str()),
        (400, Some("NotAuthorizedException"))
    );
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The library option: a service built on a directory sees what the previous one stored,
/// including the emulator clock, and a seed document is applied only the first time.
#[test]
fn library_data_dir_restores_state_and_seeds_once() {
    let dir = temp_dir("lib");
    let seed = json!({"pools": [{"id": "us-east-1_Seeded001", "name": "seeded",
        "clients": [{"id": "seededclient0000000000001", "name": "web",
                     "config": {"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH",
                                                      "ALLOW_REFRESH_TOKEN_AUTH"]}}],
        "users": [{"username": "carol", "password": PASSWORD,
                   "attributes": {"email": "carol@example.com"}}]}]});
    let (pool_id, client_id) = {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .seed(seed.clone())
            .build_service()
            .expect("service");
        let pool = emu.create_pool(PoolConfig::default()).expect("pool");
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .expect("client");
        emu.create_user(
            &pool.pool_id,
            "dave",
            PASSWORD,
            &[("email", "d@example.com")],
        )
        .expect("user");
        emu.advance_clock(3600);
        (pool.pool_id, client.client_id)
    };
    let emu = Emulator::builder()
        .data_dir(&dir)
        .seed(seed)
        .build_service()
        .expect("service again");
    let counts = emu.user_counts();
    assert_eq!(counts.get(&pool_id), Some(&1));
    assert_eq!(counts.get("us-east-1_Seeded001"), Some(&1), "{counts:?}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(emu.now() >= now + 3590, "clock offset lost");
    let out = emu
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "d@example.com", "PASSWORD": PASSWORD}}),
        )
        .map(|_| ())
        .or_else(|_| {
            emu.call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                       "AuthParameters": {"USERNAME": "dave", "PASSWORD": PASSWORD}}),
            )
            .map(|_| ())
        });
    out.expect("sign-in after restart");
    emu.call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "seededclient0000000000001",
               "AuthParameters": {"USERNAME": "carol", "PASSWORD": PASSWORD}}),
    )
    .expect("seeded user signs in after restart");
    // Deleting a pool deletes its users on disk too.
    emu.call("DeleteUserPool", json!({"UserPoolId": pool_id}))
        .expect("delete");
    drop(emu);
    let emu = Emulator::builder()
        .data_dir(&dir)
        .build_service()
        .expect("third start");
    assert_eq!(emu.user_counts().get(&pool_id), None);
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes the store's format version record, as an older or newer emulator would have.
fn write_format(w: &redb::WriteTransaction, format: &str) {
    w.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
        .unwrap()
        .insert("format", format.as_bytes())
        .unwrap();
}

/// The store's format version record.
fn read_format(r: &redb::ReadTransaction) -> String {
    let meta = r
        .open_table(redb::TableDefinition::<&str, &[u8]>::new("meta"))
        .unwrap();
    let format = meta.get("format").unwrap().expect("a format record");
    String::from_utf8(format.value().to_vec()).expect("utf-8")
}

fn store_file(dir: &Path) -> PathBuf {
    dir.join("cognito-emulator.redb")
}

fn start_error(dir: &Path) -> String {
    match Emulator::builder().data_dir(dir).build_service() {
        Ok(_) => panic!("started on a store it should refuse"),
        Err(e) => e.to_string(),
    }
}

/// A store written by a newer format version is refused with a clear error, and the file is
/// left byte for byte as it was.
#[test]
fn newer_store_format_is_refused_and_not_overwritten() {
    let dir = temp_dir("newer");
    drop(
        Emulator::builder()
            .data_dir(&dir)
            .build_service()
            .expect("create store"),
    );
    {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        write_format(&w, "99");
        w.commit().unwrap();
    }
    let before = std::fs::read(store_file(&dir)).unwrap();
    let e = start_error(&dir);
    assert!(
        e.contains("format version 99") && e.contains("newer"),
        "{e}"
    );
    assert!(e.contains("left as it is"), "{e}");
    assert_eq!(std::fs::read(store_file(&dir)).unwrap(), before);
    // The binary says the same and exits non-zero.
    let out = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer"));
    assert_eq!(std::fs::read(store_file(&dir)).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A damaged store (a file that is not a database, or a record that does not decode) is
/// refused with an error that says where, and never overwritten.
#[test]
fn damaged_store_is_refused_and_not_overwritten() {
    let dir = temp_dir("damaged");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(store_file(&dir), &garbage).unwrap();
    let e = start_error(&dir);
    assert!(
        e.contains("cannot open") && e.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(store_file(&dir)).unwrap(), garbage);

    let dir2 = temp_dir("damaged-record");
    {
        let emu = Emulator::builder()
            .data_dir(&dir2)
            .build_service()
            .expect("create store");
        let pool = emu.create_pool(PoolConfig::default()).unwrap();
        emu.create_user(&pool.pool_id, "erin", PASSWORD, &[])
            .unwrap();
    }
    {
        let db = redb::Database::open(store_file(&dir2)).expect("open");
        let w = db.begin_write().unwrap();
        {
            let def = redb::TableDefinition::<&str, &[u8]>::new("users");
            let mut users = w.open_table(def).unwrap();
            let key = {
                use redb::ReadableTable;
                let first = users.first().unwrap().unwrap();
                first.0.value().to_string()
            };
            users.insert(key.as_str(), b"{not json".as_slice()).unwrap();
        }
        w.commit().unwrap();
    }
    let before = std::fs::read(store_file(&dir2)).unwrap();
    let e = start_error(&dir2);
    assert!(
        e.contains("damaged record users/") && e.contains("erin"),
        "{e}"
    );
    assert_eq!(std::fs::read(store_file(&dir2)).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir2);
}

/// A raw HTTP/1.1 exchange with the binary: `(status, headers, body)`.
fn http(
    s: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let mut conn = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    conn.write_all(req.as_bytes()).expect("send");
    let mut out = Vec::new();
    conn.read_to_end(&mut out).expect("read");
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The value of a cookie a response sets.
fn set_cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn token_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64"),
    )
    .expect("claims")
}

const CALLBACK: &str = "http://localhost:3000/callback";

/// A pool with the hosted domain `durable` and an authorization-code client for
/// [`CALLBACK`] with `scopes` (and `extra` client settings): `(pool id, client id)`.
fn hosted_pool(s: &Server, name: &str, scopes: &[&str], extra: Value) -> (String, String) {
    let pool_id = new_pool(s, name);
    s.ok(
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool_id, "Domain": "durable"}),
    );
    let mut client = json!({"UserPoolId": pool_id, "ClientName": "web",
                            "AllowedOAuthFlowsUserPoolClient": true,
                            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": scopes,
                            "CallbackURLs": [CALLBACK],
                            "SupportedIdentityProviders": ["COGNITO"]});
    if let (Some(c), Value::Object(e)) = (client.as_object_mut(), extra) {
        c.extend(e);
    }
    let client_id = s.ok("CreateUserPoolClient", client)["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    (pool_id, client_id)
}

/// The `_csrf` field of a hosted page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// The OAuth records live minutes to days and flows span them: an authorization code, a
/// refresh token's scopes, the hosted pages' signed-in browser and a sign-in page in
/// progress each survive a SIGKILL and restart, and the flow completes on the new process.
#[test]
fn oauth_codes_scopes_and_hosted_sessions_survive_a_restart() {
    let dir = temp_dir("oauth");
    let s = Server::start(&dir);
    let (pool_id, client_id) = hosted_pool(
        &s,
        "oauth",
        &[
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin",
        ],
        json!({"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "alice", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    );
    s.ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "alice", "Password": PASSWORD,
               "Permanent": true}),
    );
    let authorize = format!(
        "/_hosted/durable/oauth2/authorize?{}",
        form(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email"),
            ("state", "st"),
        ])
    );
    // A sign-in page opened before the restart, submitted after it.
    let (status, h, _) = http(&s, "GET", &authorize, &[], "");
    assert_eq!(status, 302);
    let login = header(&h, "location").unwrap().to_string();
    let (status, h, page) = http(&s, "GET", &login, &[], "");
    assert_eq!(status, 200, "{page}");
    let login_cookie = set_cookie(&h, "cognito-login").expect("login cookie");
    let csrf = csrf_of(&page);
    s.kill();

    let s = Server::start(&dir);
    let (status, h, body) = http(
        &s,
        "POST",
        &login,
        &[("Cookie", &format!("cognito-login={login_cookie}"))],
        &form(&[
            ("_csrf", &csrf),
            ("username", "alice"),
            ("password", PASSWORD),
        ]),
    );
    assert_eq!(status, 302, "the sign-in page did not survive: {body}");
    let callback = header(&h, "location").unwrap().to_string();
    assert!(callback.starts_with(CALLBACK), "{callback}");
    let code = query_param(&callback, "code").expect("a code");
    let session = set_cookie(&h, "cognito").expect("the hosted session cookie");
    s.kill();

    // The code is exchanged on the next process.
    let s = Server::start(&dir);
    let t = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    );
    assert_eq!(
        token_claims(t["access_token"].as_str().unwrap())["scope"],
        "openid email"
    );
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    s.kill();

    // The refresh token keeps its scopes, at the token endpoint and through the API.
    let s = Server::start(&dir);
    let t = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
        ],
    );
    assert_eq!(
        token_claims(t["access_token"].as_str().unwrap())["scope"],
        "openid email"
    );
    assert!(t["id_token"].is_string(), "{t}");
    let api = s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
               "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    );
    let access = api["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    assert_eq!(token_claims(access)["scope"], "openid email");
    // The browser is still signed in: the authorization answers with a code at once.
    let (status, h, body) = http(
        &s,
        "GET",
        &authorize,
        &[("Cookie", &format!("cognito={session}"))],
        "",
    );
    assert_eq!(status, 302, "{body}");
    let again = header(&h, "location").unwrap();
    assert!(
        again.starts_with(CALLBACK) && query_param(again, "code").is_some(),
        "the hosted session did not survive: {again}"
    );
    let unexchanged = query_param(again, "code").unwrap();
    s.kill();
    // The store holds none of the secrets the flow handed out (only their digests), so a
    // copy of the file yields no working credential.
    let file = std::fs::read(store_file(&dir)).unwrap();
    for (what, secret) in [
        ("authorization code", &unexchanged),
        ("hosted session cookie", &session),
        ("sign-in page cookie", &login_cookie),
        ("refresh token", &refresh),
    ] {
        assert!(
            !contains(&file, secret.as_bytes()),
            "the store file holds a {what}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The key a secret is stored under since format version 4: its SHA-256 in base64url.
fn digest(secret: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(secret))
}

/// Format version 3 stored refresh tokens under their own value. A refresh token handed out
/// before the upgrade still works after it: opening such a store rewrites it with the digest
/// as the key (into a new file that replaces the old, so no freed page keeps the token), and
/// a new store never holds a token's bytes.
#[test]
fn version_3_store_keeps_its_refresh_tokens_working_under_digests() {
    use redb::ReadableTable;
    let dir = temp_dir("v3");
    let refresh_def = redb::TableDefinition::<&str, &[u8]>::new("refresh_tokens");
    let sign_in = |emu: &cognito_emulator::Service, client_id: &str| -> String {
        emu.call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "ivy", "PASSWORD": PASSWORD}}),
        )
        .expect("sign-in")["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .expect("a refresh token")
            .to_string()
    };
    let refresh_auth = |emu: &cognito_emulator::Service, client_id: &str, token: &str| {
        emu.call(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
                   "AuthParameters": {"REFRESH_TOKEN": token}}),
        )
        .map(|out| out["AuthenticationResult"]["AccessToken"].is_string())
    };
    let (client_id, token) = {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .build_service()
            .expect("create store");
        let pool = emu.create_pool(PoolConfig::default()).unwrap();
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .unwrap();
        emu.create_user(&pool.pool_id, "ivy", PASSWORD, &[])
            .unwrap();
        let token = sign_in(&emu, &client.client_id);
        (client.client_id, token)
    };
    assert!(
        !contains(&std::fs::read(store_file(&dir)).unwrap(), token.as_bytes()),
        "a new store holds the refresh token's bytes"
    );
    {
        // What version 3 wrote: the token itself as the key.
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(refresh_def).unwrap();
            let (key, value) = {
                let first = t.first().unwrap().expect("a stored refresh token");
                (first.0.value().to_string(), first.1.value().to_vec())
            };
            assert_eq!(key, digest(&token));
            t.remove(key.as_str()).unwrap();
            t.insert(token.as_str(), value.as_slice()).unwrap();
        }
        write_format(&w, "3");
        w.commit().unwrap();
    }
    // What a crash in the middle of an earlier migration left beside the store.
    let leftover = dir.join("cognito-emulator.redb.migrating");
    std::fs::write(&leftover, b"half a copy").unwrap();
    {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .build_service()
            .expect("a version-3 store opens");
        assert_eq!(refresh_auth(&emu, &client_id, &token).ok(), Some(true));
    }
    {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let r = db.begin_read().unwrap();
        assert_eq!(read_format(&r), "6");
        let keys: Vec<String> = r
            .open_table(refresh_def)
            .unwrap()
            .iter()
            .unwrap()
            .map(|e| e.unwrap().0.value().to_string())
            .collect();
        assert_eq!(keys, [digest(&token)]);
    }
    // The migration rewrote the file: the old key is not left in a freed page either, and
    // the copy a crash had left half done is gone.
    assert!(
        !contains(&std::fs::read(store_file(&dir)).unwrap(), token.as_bytes()),
        "the migrated store file still holds the refresh token's bytes"
    );
    assert!(!leftover.exists());
    // The migrated store keeps working, and a token stored since is a digest too.
    let emu = Emulator::builder()
        .data_dir(&dir)
        .build_service()
        .expect("the migrated store opens");
    assert_eq!(refresh_auth(&emu, &client_id, &token).ok(), Some(true));
    let second = sign_in(&emu, &client_id);
    assert_eq!(refresh_auth(&emu, &client_id, &second).ok(), Some(true));
    drop(emu);
    let file = std::fs::read(store_file(&dir)).unwrap();
    assert!(!contains(&file, second.as_bytes()));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A hosted sign-in at its new-password step holds the sign-in's `Session`, which sets the
/// password: the store keeps that step sealed under the browser's login cookie (no readable
/// step, no session in the record), and after a restart the browser's cookie opens it and the
/// sign-in completes.
#[test]
fn a_hosted_sign_in_step_is_stored_sealed_and_survives_a_restart() {
    use redb::ReadableTable;
    let dir = temp_dir("sealed");
    let s = Server::start(&dir);
    let (pool_id, client_id) = hosted_pool(&s, "sealed", &["openid"], json!({}));
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "bob", "MessageAction": "SUPPRESS",
               "TemporaryPassword": "Temp-Passw0rd!"}),
    );
    let authorize = format!(
        "/_hosted/durable/oauth2/authorize?{}",
        form(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("scope", "openid"),
        ])
    );
    let (_, h, _) = http(&s, "GET", &authorize, &[], "");
    let login = header(&h, "location").unwrap().to_string();
    let (_, h, page) = http(&s, "GET", &login, &[], "");
    let cookie = set_cookie(&h, "cognito-login").expect("login cookie");
    let csrf = csrf_of(&page);
    let with_cookie = [("Cookie", format!("cognito-login={cookie}"))];
    let with_cookie: Vec<(&str, &str)> =
        with_cookie.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = http(
        &s,
        "POST",
        &login,
        &with_cookie,
        &form(&[
            ("_csrf", &csrf),
            ("username", "bob"),
            ("password", "Temp-Passw0rd!"),
        ]),
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("new_password"),
        "the new-password step: {page}"
    );
    s.kill();

    {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let r = db.begin_read().unwrap();
        let logins = r
            .open_table(redb::TableDefinition::<&str, &[u8]>::new("hosted_logins"))
            .unwrap();
        let records: Vec<Value> = logins
            .iter()
            .unwrap()
            .map(|e| serde_json::from_slice(e.unwrap().1.value()).unwrap())
            .collect();
        assert_eq!(records.len(), 1);
        let step = &records[0]["step"];
        assert!(
            step["sealed"].is_array() && step["nonce"].is_array(),
            "{step}"
        );
        let text = records[0].to_string();
        assert!(
            !text.contains("NewPassword") && !text.contains("session"),
            "{text}"
        );
    }

    let s = Server::start(&dir);
    let (status, h, body) = http(
        &s,
        "POST",
        &login,
        &with_cookie,
        &form(&[
            ("_csrf", &csrf),
            ("new_password", PASSWORD),
            ("confirm_password", PASSWORD),
        ]),
    );
    assert_eq!(status, 302, "the sealed step did not survive: {body}");
    let callback = header(&h, "location").unwrap();
    assert!(query_param(callback, "code").is_some(), "{callback}");

    // Format 5 stored the steps in the clear; they cannot be sealed without the cookie, so
    // opening such a store drops them and the browser starts again.
    let (_, h, page) = http(&s, "GET", &login, &[], "");
    let cookie = set_cookie(&h, "cognito-login").expect("login cookie");
    let csrf = csrf_of(&page);
    s.kill();
    let logins_def = redb::TableDefinition::<&str, &[u8]>::new("hosted_logins");
    {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(logins_def).unwrap();
            let (key, mut record) = {
                let first = t.first().unwrap().expect("the sign-in page's record");
                let record: Value = serde_json::from_slice(first.1.value()).unwrap();
                (first.0.value().to_string(), record)
            };
            record["step"] = json!("Password");
            t.insert(key.as_str(), record.to_string().as_bytes())
                .unwrap();
        }
        write_format(&w, "5");
        w.commit().unwrap();
    }
    let s = Server::start(&dir);
    let (status, _, _) = http(
        &s,
        "POST",
        &login,
        &[("Cookie", &format!("cognito-login={cookie}"))],
        &form(&[
            ("_csrf", &csrf),
            ("username", "bob"),
            ("password", PASSWORD),
        ]),
    );
    assert_eq!(status, 403, "a format-5 sign-in page was kept");
    s.kill();
    let db = redb::Database::open(store_file(&dir)).expect("open");
    let r = db.begin_read().unwrap();
    assert_eq!(read_format(&r), "6");
    assert!(r.open_table(logins_def).unwrap().first().unwrap().is_none());
    drop(r);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A sign-in in the middle of its challenges survives a restart (a new-password challenge),
/// except an SRP handshake waiting for its verifier answer: that is kept in memory only, so its
/// answer to the next process is refused as an expired session, and the retry signs in.
#[test]
fn sign_in_sessions_in_flight_survive_a_restart() {
    let dir = temp_dir("sessions");
    let s = Server::start(&dir);
    let (pool_id, client_id) = pool_with_user(&s, "sessions", "alice");
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "bob", "MessageAction": "SUPPRESS",
               "TemporaryPassword": "Temp-Passw0rd!"}),
    );
    let eph = srp::Ephemeral::generate(&mut rand::rng());
    let ch = s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": "alice", "SRP_A": eph.public_hex()}}),
    );
    let new_pw = s.ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp-Passw0rd!"}}),
    );
    assert_eq!(new_pw["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    s.kill();
    // The session id answers the challenge (it sets the password): the store keeps its
    // digest only.
    let id = new_pw["Session"].as_str().expect("session");
    assert!(!contains(
        &std::fs::read(store_file(&dir)).unwrap(),
        id.as_bytes()
    ));

    let s = Server::start(&dir);
    let p = &ch["ChallengeParameters"];
    let server = srp::ServerChallenge::parse(
        p["SALT"].as_str().unwrap(),
        p["SRP_B"].as_str().unwrap(),
        p["SECRET_BLOCK"].as_str().unwrap(),
    )
    .expect("server challenge");
    let uid = p["USER_ID_FOR_SRP"].as_str().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claim = srp::password_claim_at(
        &eph,
        &pool_id,
        uid,
        PASSWORD,
        &server,
        &srp::format_timestamp(now),
    )
    .expect("claim");
    let (status, v) = s
        .call(
            "RespondToAuthChallenge",
            &json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                   "Session": ch["Session"],
                   "ChallengeResponses": {
                       "USERNAME": uid,
                       "PASSWORD_CLAIM_SECRET_BLOCK": claim.secret_block,
                       "PASSWORD_CLAIM_SIGNATURE": claim.signature,
                       "TIMESTAMP": claim.timestamp}}),
        )
        .unwrap();
    assert_eq!(
        (status, v["__type"].as_str(), v["message"].as_str()),
        (
            400,
            Some("NotAuthorizedException"),
            Some("Invalid session for the user, session is expired.")
        ),
        "{v}"
    );
    let done = srp_sign_in(&s, &pool_id, &client_id, "alice");
    assert!(done["AccessToken"].is_string(), "{done}");
    let done = s.ok(
        "RespondToAuthChallenge",
        json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
               "Session": new_pw["Session"],
               "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": PASSWORD}}),
    );
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done}"
    );
    // A used session is gone from the store as well.
    s.kill();
    let s = Server::start(&dir);
    let answer = json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                        "Session": new_pw["Session"],
                        "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": PASSWORD}});
    assert_eq!(
        s.refusal("RespondToAuthChallenge", &answer),
        "NotAuthorizedException"
    );
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store of format version 1 (no tables for sign-in sessions and OAuth records) opens,
/// keeps its records and is migrated; sessions that expired while the emulator was stopped
/// are deleted when it opens.
#[test]
fn version_1_store_is_migrated_and_expired_sessions_are_dropped() {
    use redb::{ReadableTable, ReadableTableMetadata};
    let dir = temp_dir("v1");
    let start = 1_800_000_000;
    let (pool_id, client_id) = {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .fixed_clock(start)
            .build_service()
            .expect("create store");
        let pool = emu.create_pool(PoolConfig::default()).unwrap();
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .unwrap();
        emu.create_user(&pool.pool_id, "erin", PASSWORD, &[])
            .unwrap();
        emu.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool.pool_id, "Username": "fred",
                   "MessageAction": "SUPPRESS", "TemporaryPassword": "Temp-Passw0rd!"}),
        )
        .unwrap();
        (pool.pool_id, client.client_id)
    };
    let added = [
        "auth_sessions",
        "oauth_codes",
        "hosted_sessions",
        "hosted_logins",
        "signup_sessions",
    ];
    {
        // What version 1 wrote: no tables for the expiring records.
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        for t in added {
            assert!(
                w.delete_table(redb::TableDefinition::<&str, &[u8]>::new(t))
                    .unwrap()
            );
        }
        write_format(&w, "1");
        w.commit().unwrap();
    }
    {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .fixed_clock(start)
            .build_service()
            .expect("a version-1 store opens");
        assert_eq!(emu.user_counts().get(&pool_id), Some(&2));
        // A session is stored in the migrated store.
        let ch = emu
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                       "AuthParameters": {"USERNAME": "fred", "PASSWORD": "Temp-Passw0rd!"}}),
            )
            .expect("new-password challenge");
        assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    }
    let sessions = redb::TableDefinition::<&str, &[u8]>::new("auth_sessions");
    {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let r = db.begin_read().unwrap();
        assert_eq!(read_format(&r), "6");
        assert_eq!(r.open_table(sessions).unwrap().len().unwrap(), 1);
    }
    // An hour later the session has expired: it is not loaded and is deleted.
    drop(
        Emulator::builder()
            .data_dir(&dir)
            .fixed_clock(start + 3600)
            .build_service()
            .expect("reopen"),
    );
    let db = redb::Database::open(store_file(&dir)).expect("open");
    let r = db.begin_read().unwrap();
    assert_eq!(r.open_table(sessions).unwrap().len().unwrap(), 0);
    assert!(r.open_table(sessions).unwrap().first().unwrap().is_none());
    drop(r);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sign-up with auto sign-in as Amplify v6 does it survives restarts at each step: `SignUp`,
/// a SIGKILL, `ConfirmSignUp` on the next process (with the sign-up `Session`, which is
/// spent), another SIGKILL, then `InitiateAuth(USER_AUTH)` with the session `ConfirmSignUp`
/// answered signs in, once.
#[test]
fn sign_up_sessions_for_auto_sign_in_survive_a_restart() {
    let dir = temp_dir("signup");
    let s = Server::start(&dir);
    let pool_id = s.ok(
        "CreateUserPool",
        json!({"PoolName": "signup", "AutoVerifiedAttributes": ["email"]}),
    )["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client_id = s.ok(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "c",
               "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH",
                                     "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let up = s.ok(
        "SignUp",
        json!({"ClientId": client_id, "Username": "hal", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "hal@example.com"}]}),
    );
    assert_eq!(up["UserConfirmed"], false);
    let messages = s.get("/_emulator/messages?username=hal");
    let code = messages[0]["code"].as_str().expect("code").to_string();
    s.kill();
    let id = up["Session"].as_str().expect("session");
    assert!(!contains(
        &std::fs::read(store_file(&dir)).unwrap(),
        id.as_bytes()
    ));

    let s = Server::start(&dir);
    let confirmed = s.ok(
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": "hal", "ConfirmationCode": code,
               "Session": up["Session"]}),
    );
    let session = confirmed["Session"].as_str().expect("session").to_string();
    s.kill();
    assert!(!contains(
        &std::fs::read(store_file(&dir)).unwrap(),
        session.as_bytes()
    ));

    let s = Server::start(&dir);
    let auto = json!({"AuthFlow": "USER_AUTH", "ClientId": client_id,
                      "AuthParameters": {"USERNAME": "hal"}, "Session": session});
    let out = s.ok("InitiateAuth", auto.clone());
    assert!(
        out["AuthenticationResult"]["AccessToken"].is_string(),
        "{out}"
    );
    // The spent sessions stay spent across a restart: the sign-up one (taken by
    // ConfirmSignUp) and the one auto sign-in used.
    s.kill();
    let s = Server::start(&dir);
    assert_eq!(s.refusal("InitiateAuth", &auto), "NotAuthorizedException");
    let mut spent = auto.clone();
    spent["Session"] = up["Session"].clone();
    assert_eq!(s.refusal("InitiateAuth", &spent), "NotAuthorizedException");
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store of format version 2 kept SRP handshakes (with the server's secret exponent) in its
/// sessions table: opening it deletes them and keeps every other session, under the digest of
/// its id from then on (the id still answers its challenge).
#[test]
fn version_2_store_loses_its_stored_srp_handshakes() {
    use redb::{ReadableTable, ReadableTableMetadata};
    let dir = temp_dir("v2");
    let start = 1_800_000_000;
    let (client_id, session) = {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .fixed_clock(start)
            .build_service()
            .expect("create store");
        let pool = emu.create_pool(PoolConfig::default()).unwrap();
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .unwrap();
        emu.call(
            "AdminCreateUser",
            json!({"UserPoolId": pool.pool_id, "Username": "gus",
                   "MessageAction": "SUPPRESS", "TemporaryPassword": "Temp-Passw0rd!"}),
        )
        .unwrap();
        let ch = emu
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client.client_id,
                       "AuthParameters": {"USERNAME": "gus", "PASSWORD": "Temp-Passw0rd!"}}),
            )
            .expect("new-password challenge");
        assert_eq!(ch["ChallengeName"], "NEW_PASSWORD_REQUIRED");
        // An SRP handshake is not stored at all.
        let eph = srp::Ephemeral::generate(&mut rand::rng());
        emu.call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client.client_id,
                   "AuthParameters": {"USERNAME": "gus", "SRP_A": eph.public_hex()}}),
        )
        .expect("SRP challenge");
        let session = ch["Session"].as_str().expect("session").to_string();
        (client.client_id, session)
    };
    let sessions = redb::TableDefinition::<&str, &[u8]>::new("auth_sessions");
    let kept = {
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        let kept: Vec<String> = {
            let t = w.open_table(sessions).unwrap();
            t.iter()
                .unwrap()
                .map(|e| e.unwrap().0.value().to_string())
                .collect()
        };
        assert_eq!(
            kept,
            [digest(&session)],
            "only the new-password session is stored, under its digest"
        );
        // What version 2 wrote: sessions under their id, handshakes in the sessions table,
        // no sign-up sessions table.
        {
            let mut t = w.open_table(sessions).unwrap();
            let record = t
                .remove(kept[0].as_str())
                .unwrap()
                .unwrap()
                .value()
                .to_vec();
            t.insert(session.as_str(), record.as_slice()).unwrap();
            for (key, step) in [
                ("hs-user", json!({"PasswordVerifier": {"b": "1f"}})),
                (
                    "hs-device",
                    json!({"DevicePasswordVerifier": [{"b": "2f"}, "dk"]}),
                ),
            ] {
                let record = json!({"pool_id": "p", "client_id": client_id,
                    "username": "gus", "expires": start + 600, "step": step,
                    "attempts": 0, "ctx": {}});
                t.insert(key, record.to_string().as_bytes()).unwrap();
            }
        }
        assert!(
            w.delete_table(redb::TableDefinition::<&str, &[u8]>::new("signup_sessions"))
                .unwrap()
        );
        write_format(&w, "2");
        w.commit().unwrap();
        kept
    };
    drop(
        Emulator::builder()
            .data_dir(&dir)
            .fixed_clock(start)
            .build_service()
            .expect("a version-2 store opens"),
    );
    let db = redb::Database::open(store_file(&dir)).expect("open");
    let r = db.begin_read().unwrap();
    let left: Vec<String> = r
        .open_table(sessions)
        .unwrap()
        .iter()
        .unwrap()
        .map(|e| e.unwrap().0.value().to_string())
        .collect();
    assert_eq!(left, kept);
    assert_eq!(read_format(&r), "6");
    let signups = redb::TableDefinition::<&str, &[u8]>::new("signup_sessions");
    assert_eq!(r.open_table(signups).unwrap().len().unwrap(), 0);
    drop(r);
    drop(db);
    // The session stored under its id by version 2 answers its challenge after the migration.
    let emu = Emulator::builder()
        .data_dir(&dir)
        .fixed_clock(start)
        .build_service()
        .expect("the migrated store opens");
    let out = emu
        .call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                   "Session": session,
                   "ChallengeResponses": {"USERNAME": "gus", "NEW_PASSWORD": PASSWORD}}),
        )
        .expect("the new password is set");
    assert!(
        out["AuthenticationResult"]["AccessToken"].is_string(),
        "{out}"
    );
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The store holds signing keys, client secrets and verifiers: a new store file is readable
/// and writable by its owner only, whatever the process's umask allows.
#[cfg(unix)]
#[test]
fn new_store_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("mode");
    let emu = Emulator::builder()
        .data_dir(&dir)
        .build_service()
        .expect("create store");
    emu.create_pool(PoolConfig::default()).unwrap();
    drop(emu);
    let mode = std::fs::metadata(store_file(&dir))
        .expect("store file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A data directory the emulator creates is private to its owner too; an existing store file
/// that others can read keeps its mode (it is the user's file) and the start warns about it.
#[cfg(unix)]
#[test]
fn a_new_data_directory_is_private_and_a_shared_store_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let parent = temp_dir("dirmode");
    let dir = parent.join("new").join("data");
    let s = Server::start(&dir);
    s.ok("CreateUserPool", json!({"PoolName": "p"}));
    let err = s.stop_for_stderr();
    assert!(!err.contains("warning"), "{err}");
    for d in [&dir, &parent.join("new")] {
        let mode = std::fs::metadata(d).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}: {mode:o}", d.display());
    }
    std::fs::set_permissions(store_file(&dir), std::fs::Permissions::from_mode(0o644)).unwrap();
    let s = Server::start(&dir);
    let err = s.stop_for_stderr();
    assert!(
        err.contains("warning") && err.contains("mode 644") && err.contains("chmod 600"),
        "{err}"
    );
    let mode = std::fs::metadata(store_file(&dir))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "the store file's mode was changed");
    let _ = std::fs::remove_dir_all(&parent);
}

/// A pool whose e-mail address replaces the username has no aliases: AWS refuses
/// `AliasAttributes` beside `UsernameAttributes`, and a pool stored with both (by an emulator
/// that accepted them) ignores its aliases. Otherwise a user could set `preferred_username`
/// to someone else's address, and that person's sign-up with it failed as taken.
#[test]
fn a_stored_pool_with_username_attributes_ignores_its_aliases() {
    use redb::ReadableTable;
    let dir = temp_dir("both");
    let (pool_id, client_id) = {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .build_service()
            .expect("create store");
        let pool = emu
            .create_pool(PoolConfig {
                username_attributes: vec!["email".into()],
                ..PoolConfig::default()
            })
            .unwrap();
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .unwrap();
        (pool.pool_id, client.client_id)
    };
    {
        // What an emulator that accepted both wrote.
        let db = redb::Database::open(store_file(&dir)).expect("open");
        let w = db.begin_write().unwrap();
        {
            let def = redb::TableDefinition::<&str, &[u8]>::new("pools");
            let mut pools = w.open_table(def).unwrap();
            let mut record: Value = {
                let stored = pools.get(pool_id.as_str()).unwrap().expect("the pool");
                serde_json::from_slice(stored.value()).unwrap()
            };
            record["config"]["AliasAttributes"] = json!(["preferred_username"]);
            pools
                .insert(pool_id.as_str(), record.to_string().as_bytes())
                .unwrap();
        }
        w.commit().unwrap();
    }
    let emu = Emulator::builder()
        .data_dir(&dir)
        .build_service()
        .expect("reopen");
    emu.create_user(&pool_id, "mallory@example.com", PASSWORD, &[])
        .unwrap();
    emu.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool_id, "Username": "mallory@example.com",
               "UserAttributes": [{"Name": "preferred_username", "Value": "victim@example.com"}]}),
    )
    .unwrap();
    emu.call(
        "SignUp",
        json!({"ClientId": client_id, "Username": "victim@example.com", "Password": PASSWORD}),
    )
    .expect("the address is the victim's to sign up with");
    emu.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool_id, "Username": "victim@example.com"}),
    )
    .unwrap();
    let signed_in = emu
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "victim@example.com", "PASSWORD": PASSWORD}}),
        )
        .expect("sign-in");
    let id = token_claims(
        signed_in["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(id["email"], "victim@example.com");
    drop(emu);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A write the data directory cannot take (here the file may not grow: a full disk) is
/// answered 500 `InternalErrorException` with the store's message; reads are still served,
/// later writes are tried again, and nothing acknowledged is lost: a restart finds every user
/// created with a 200, and not the ones refused.
#[cfg(unix)]
#[test]
fn a_failed_durable_write_answers_500_and_loses_nothing_stored() {
    let dir = temp_dir("full");
    let s = Server::start(&dir);
    let pool_id = new_pool(&s, "full");
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "first", "MessageAction": "SUPPRESS"}),
    );
    s.kill();
    let size = std::fs::metadata(store_file(&dir)).unwrap().len();

    let s = Server::start_with_file_limit(&dir, size);
    let big = "x".repeat(2048);
    let mut acknowledged = vec!["first".to_string()];
    let mut refused = None;
    for i in 0..5000 {
        let name = format!("user{i}");
        let body = json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
                          "UserAttributes": [{"Name": "name", "Value": big}]});
        match s.call("AdminCreateUser", &body).expect("an answer") {
            (200, _) => acknowledged.push(name),
            (status, v) => {
                refused = Some((name, status, v));
                break;
            }
        }
    }
    let (name, status, answer) = refused.expect("the store file reached its size limit");
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["__type"], "InternalErrorException", "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cannot write the data directory"),
        "{message}"
    );
    // The process is still there and answers. A later write is tried again: it is
    // acknowledged if it fits in the space left, refused the same way otherwise, and never
    // acknowledged without being stored.
    let mut refused = vec![name];
    for user in ["later", "again"] {
        let body = json!({"UserPoolId": pool_id, "Username": user, "MessageAction": "SUPPRESS"});
        match s.call("AdminCreateUser", &body).expect("an answer") {
            (200, _) => acknowledged.push(user.to_string()),
            (status, answer) => {
                assert_eq!(status, 500, "{answer}");
                refused.push(user.to_string());
            }
        }
        // Reads are still served (once the back-off after the failure has passed).
        s.ok_settled(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "first"}),
        );
        s.ok("DescribeUserPool", json!({"UserPoolId": pool_id}));
    }
    let jwks = s.get(&format!("/{pool_id}/.well-known/jwks.json"));
    assert!(jwks["keys"].is_array(), "{jwks}");
    s.kill();

    let s = Server::start(&dir);
    for user in &acknowledged {
        s.ok(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": user}),
        );
    }
    for user in &refused {
        assert_eq!(
            s.refusal(
                "AdminGetUser",
                &json!({"UserPoolId": pool_id, "Username": user})
            ),
            "UserNotFoundException"
        );
    }
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A write refused for want of space leaves no trace in memory: the user of the refused
/// `AdminCreateUser` is not found, and a retry is refused the same way while the disk is
/// full (not answered `UsernameExistsException`). Once there is room again the same retry is
/// acknowledged, and a restart finds it with every user acknowledged before.
#[cfg(target_os = "linux")]
#[test]
fn a_refused_create_leaves_no_trace_and_succeeds_once_there_is_room() {
    let dir = temp_dir("refused-create");
    let s = Server::start_resizable(&dir);
    let pool_id = new_pool(&s, "refused");
    s.ok(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "first", "MessageAction": "SUPPRESS"}),
    );
    s.limit_file_size(Some(std::fs::metadata(store_file(&dir)).unwrap().len()));
    let big = "x".repeat(2048);
    let create = |name: &str| {
        json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "name", "Value": big}]})
    };
    let mut acknowledged = vec!["first".to_string()];
    let mut refused = None;
    for i in 0..5000 {
        let name = format!("user{i}");
        match s
            .call("AdminCreateUser", &create(&name))
            .expect("an answer")
        {
            (200, _) => acknowledged.push(name),
            (status, v) => {
                refused = Some((name, status, v));
                break;
            }
        }
    }
    let (name, status, answer) = refused.expect("the store file reached its size limit");
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["__type"], "InternalErrorException", "{answer}");
    let get = json!({"UserPoolId": pool_id, "Username": name});
    assert_eq!(s.refusal("AdminGetUser", &get), "UserNotFoundException");
    // The disk is still full: the retry fails the same way, and leaves no trace either.
    let (status, answer) = s
        .call("AdminCreateUser", &create(&name))
        .expect("an answer");
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["__type"], "InternalErrorException", "{answer}");
    assert_eq!(
        s.refusal_settled("AdminGetUser", &get),
        "UserNotFoundException"
    );
    for user in &acknowledged {
        s.ok(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": user}),
        );
    }

    s.limit_file_size(None);
    s.ok("AdminCreateUser", create(&name));
    let user = s.ok("AdminGetUser", get.clone());
    assert_eq!(attr(&user, "name"), Some(big.as_str()));
    s.kill();

    let s = Server::start(&dir);
    acknowledged.push(name);
    for user in &acknowledged {
        s.ok(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": user}),
        );
    }
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A refused password change does not take effect: while nothing can be written the new
/// password never signs in, and once there is room again it is refused and the old one signs
/// in, before and after a restart. What the emulator keeps in memory only survives the reload
/// of the state: an SRP sign-in started before the failure completes after it.
#[cfg(target_os = "linux")]
#[test]
fn a_refused_password_change_keeps_the_old_password() {
    const NEW: &str = "N3w-Passw0rd!";
    let dir = temp_dir("refused-password");
    let s = Server::start_resizable(&dir);
    let (pool_id, client_id) = pool_with_user(&s, "refused", "ann");
    let access = password_sign_in(&s, &client_id, "ann")["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let sign_in = |password: &str| {
        s.call(
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                    "AuthParameters": {"USERNAME": "ann", "PASSWORD": password}}),
        )
        .expect("an answer")
    };

    let (eph, challenge) = srp_start(&s, &client_id, "ann");

    // No byte can be written to the file.
    s.limit_file_size(Some(0));
    let change = json!({"AccessToken": access, "PreviousPassword": PASSWORD,
                        "ProposedPassword": NEW});
    let (status, answer) = s.call("ChangePassword", &change).expect("an answer");
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["__type"], "InternalErrorException", "{answer}");
    let (status, answer) = sign_in(NEW);
    assert_ne!(status, 200, "the refused password signs in: {answer}");

    s.limit_file_size(None);
    let (status, answer) = s.call_settled(
        "InitiateAuth",
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                "AuthParameters": {"USERNAME": "ann", "PASSWORD": NEW}}),
    );
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["__type"], "NotAuthorizedException", "{answer}");
    password_sign_in(&s, &client_id, "ann");
    let tokens = srp_finish(&s, &pool_id, &client_id, &eph, &challenge);
    assert!(tokens["AccessToken"].is_string(), "{tokens}");
    s.kill();

    let s = Server::start(&dir);
    let (status, answer) = s
        .call(
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                    "AuthParameters": {"USERNAME": "ann", "PASSWORD": NEW}}),
        )
        .expect("an answer");
    assert_eq!(status, 400, "{answer}");
    password_sign_in(&s, &client_id, "ann");
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A successful request to the hosted `durable` domain's token endpoint: its JSON answer.
fn token(s: &Server, fields: &[(&str, &str)]) -> Value {
    let (status, _, body) = http(
        s,
        "POST",
        "/_hosted/durable/oauth2/token",
        &[],
        &form(fields),
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()
}

/// The `kid` of `pool_id`'s ID-token key, from its JWKS.
fn id_kid(s: &Server, pool_id: &str) -> String {
    let jwks = s.get(&format!("/{pool_id}/.well-known/jwks.json"));
    jwks["keys"][0]["kid"]
        .as_str()
        .unwrap_or_else(|| panic!("{jwks}"))
        .to_string()
}

/// A pool stored without its signing keys (what a crash between a pool's record and its
/// keys left in stores of earlier versions) gets keys when the store is opened, and keeps
/// them: tokens it signs still verify after another restart.
#[test]
fn a_stored_pool_without_keys_keeps_the_keys_it_gets() {
    let dir = temp_dir("keyless");
    let s = Server::start(&dir);
    let pool_id = new_pool(&s, "keyless");
    s.kill();
    {
        let db = redb::Database::open(store_file(&dir)).unwrap();
        let w = db.begin_write().unwrap();
        w.open_table(redb::TableDefinition::<&str, &[u8]>::new("pool_keys"))
            .unwrap()
            .remove(pool_id.as_str())
            .unwrap()
            .expect("the pool's keys were stored");
        w.commit().unwrap();
    }
    let s = Server::start(&dir);
    let kid = id_kid(&s, &pool_id);
    s.kill();
    let s = Server::start(&dir);
    assert_eq!(
        id_kid(&s, &pool_id),
        kid,
        "the pool's keys changed at a restart"
    );
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// While the state holds a refused change (the file cannot be opened again after a failed
/// write, here because opening it would write to it), the hosted pages and hooks answer an
/// error instead of serving it: a domain whose creation was refused is never served, and once
/// there is room again the state is reloaded and the domain does not exist.
#[cfg(target_os = "linux")]
#[test]
fn endpoints_never_serve_a_refused_change() {
    let dir = temp_dir("refused-domain");
    let s = Server::start_resizable(&dir);
    let pool_id = new_pool(&s, "refused");
    s.limit_file_size(Some(0));
    let domain = json!({"UserPoolId": pool_id, "Domain": "refused-domain"});
    let (status, answer) = s.call("CreateUserPoolDomain", &domain).expect("an answer");
    assert_eq!(status, 500, "{answer}");
    // The domain's pages are not served (without parameters its sign-in page answers 400):
    // an error while the state holds the refused change, 404 once it is reloaded.
    for path in [
        "/_hosted/refused-domain/login",
        "/_hosted/refused-domain/oauth2/userInfo",
    ] {
        let (status, _, page) = http(&s, "GET", path, &[], "");
        assert!(
            status == 500 || status == 404,
            "a refused domain was served: {status} {page}"
        );
    }
    // Nor do the hooks read that state.
    let (status, _, body) = http(&s, "GET", "/_emulator/counts", &[], "");
    assert_eq!(status, 500, "{body}");

    s.limit_file_size(None);
    let (status, answer) = s.call_settled(
        "DescribeUserPoolDomain",
        &json!({"Domain": "refused-domain"}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["DomainDescription"], json!({}), "{answer}");
    let (status, _, page) = http(&s, "GET", "/_hosted/refused-domain/login", &[], "");
    assert_eq!(status, 404, "{page}");
    s.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

/// While the disk stays full, a refused write does not make the next request reload the
/// whole state: the state is reloaded at most once per back-off interval (at least 250 ms;
/// reloads counted from the emulator's stderr), and the requests in between are answered
/// the failure's 500 without reading the file.
#[cfg(target_os = "linux")]
#[test]
fn a_disk_that_stays_full_is_not_reloaded_at_every_request() {
    let dir = temp_dir("backoff");
    let s = Server::start_resizable(&dir);
    let pool_id = new_pool(&s, "backoff");
    s.limit_file_size(Some(std::fs::metadata(store_file(&dir)).unwrap().len()));
    let big = "x".repeat(2048);
    let create = |name: &str| {
        json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "name", "Value": big}]})
    };
    let filled = (0..5000).any(|i| {
        let (status, _) = s
            .call("AdminCreateUser", &create(&format!("user{i}")))
            .expect("an answer");
        status == 500
    });
    assert!(filled, "the store file never reached its size limit");
    let start = Instant::now();
    const WRITES: usize = 40;
    for i in 0..WRITES {
        let (status, answer) = s
            .call("AdminCreateUser", &create(&format!("more{i}")))
            .expect("an answer");
        assert_eq!(status, 500, "{answer}");
    }
    let allowed = 1 + start.elapsed().as_millis() / 250;
    let err = s.stop_for_stderr();
    let reloads = err.matches("the state was reloaded").count() as u128;
    assert!(
        reloads <= allowed,
        "{reloads} reloads for {WRITES} refused writes, {allowed} allowed:\n{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store file cut short (a copy that stopped midway, or writes that never landed) makes
/// redb panic when it opens the file: the start fails with the store's error instead of
/// crashing, and the file is left as it was.
#[test]
fn truncated_store_is_refused_and_not_overwritten() {
    let dir = temp_dir("truncated");
    {
        let emu = Emulator::builder()
            .data_dir(&dir)
            .build_service()
            .expect("create store");
        let pool = emu.create_pool(PoolConfig::default()).unwrap();
        emu.create_user(&pool.pool_id, "erin", PASSWORD, &[])
            .unwrap();
    }
    let whole = std::fs::read(store_file(&dir)).unwrap();
    let cut = &whole[..4096.min(whole.len() / 2)];
    std::fs::write(store_file(&dir), cut).unwrap();
    let e = start_error(&dir);
    assert!(
        e.contains("the database failed") && e.contains("left as it is"),
        "{e}"
    );
    assert_eq!(std::fs::read(store_file(&dir)).unwrap(), cut);
    let _ = std::fs::remove_dir_all(&dir);
}
