//! Load generator for the server-throughput comparison (`benches/compare/throughput.sh`):
//! the same `InitiateAuth(USER_PASSWORD_AUTH)` + `GetUser` mix against any Cognito-compatible
//! server (our emulator, moto_server).
//!
//! ```text
//! loadgen --url http://127.0.0.1:PORT [--connections 16] [--users 100] [--warmup 3]
//!         [--seconds 10] [--server-pid PID] [--label NAME]
//! ```
//!
//! It creates a pool, an app client that allows `USER_PASSWORD_AUTH` and `--users` confirmed
//! users over the wire (`CreateUserPool`, `CreateUserPoolClient`, `AdminCreateUser`,
//! `AdminSetUserPassword`), signs in once, then keeps `--connections` keep-alive HTTP/1.1
//! connections busy, each in a loop: `InitiateAuth(USER_PASSWORD_AUTH)` for the next user,
//! then `GetUser` with the access token it returned. After `--warmup` seconds it counts the
//! answers that complete during `--seconds`. The client is hyper's connection-level HTTP/1.1
//! on a single-threaded runtime (at most one core, a few tens of microseconds per request);
//! with `--server-pid` it also reports the server process's CPU time per request, which other
//! load on the machine disturbs less than the rate.
//!
//! The last line of output is `RESULT {json}`.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use cognito_benches::load::{HttpConn, cpu_time, quantile, socket_addr};
use serde_json::{Value, json};

const PASSWORD: &str = "Bench-Passw0rd!";
const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

const USAGE: &str = "usage: loadgen --url http://HOST:PORT [--connections K] [--users U] \
                     [--warmup S] [--seconds S] [--server-pid PID] [--label NAME]";

struct Args {
    url: String,
    connections: usize,
    users: usize,
    warmup: f64,
    seconds: f64,
    server_pid: Option<u32>,
    label: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        connections: 16,
        users: 100,
        warmup: 3.0,
        seconds: 10.0,
        server_pid: None,
        label: "server".into(),
    };
    let mut it = std::env::args().skip(1);
    fn num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        let v = v.ok_or_else(|| format!("missing value for {flag}"))?;
        v.parse().map_err(|_| format!("bad value for {flag}: {v}"))
    }
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--url" => a.url = it.next().ok_or("missing value for --url")?,
            "--connections" => a.connections = num(&flag, it.next())?,
            "--users" => a.users = num(&flag, it.next())?,
            "--warmup" => a.warmup = num(&flag, it.next())?,
            "--seconds" => a.seconds = num(&flag, it.next())?,
            "--server-pid" => a.server_pid = Some(num(&flag, it.next())?),
            "--label" => a.label = it.next().ok_or("missing value for --label")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.url.is_empty() || a.connections == 0 || a.users == 0 {
        return Err("--url is required; --connections and --users must be at least 1".into());
    }
    Ok(a)
}

/// The pool, client and users every connection signs in with.
struct Fixture {
    client_id: String,
    users: Vec<String>,
}

async fn setup(conn: &mut HttpConn, users: usize) -> Result<Fixture, String> {
    let pool = conn
        .call_ok("CreateUserPool", &json!({"PoolName": "loadgen"}))
        .await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .ok_or("CreateUserPool: no Id")?
        .to_owned();
    let client = conn
        .call_ok(
            "CreateUserPoolClient",
            &json!({"UserPoolId": pool_id, "ClientName": "loadgen",
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .ok_or("CreateUserPoolClient: no ClientId")?
        .to_owned();
    let mut names = Vec::with_capacity(users);
    for i in 0..users {
        let name = format!("user{i:05}");
        conn.call_ok(
            "AdminCreateUser",
            &json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"}),
        )
        .await?;
        conn.call_ok(
            "AdminSetUserPassword",
            &json!({"UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                    "Permanent": true}),
        )
        .await?;
        names.push(name);
    }
    Ok(Fixture {
        client_id,
        users: names,
    })
}

/// One `InitiateAuth(USER_PASSWORD_AUTH)` + `GetUser` pair; `Err` names what went wrong.
async fn pair(
    conn: &mut HttpConn,
    client_id: &str,
    user: &str,
    on_reply: &mut impl FnMut(Op, Duration, bool),
) -> Result<(), String> {
    let t = Instant::now();
    let auth = conn
        .call(
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                    "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
        )
        .await;
    let token = match &auth {
        Ok(r) if r.status == 200 => serde_json::from_slice::<Value>(&r.body).ok().and_then(|v| {
            v["AuthenticationResult"]["AccessToken"]
                .as_str()
                .map(str::to_owned)
        }),
        _ => None,
    };
    on_reply(Op::InitiateAuth, t.elapsed(), token.is_some());
    let token = match (auth, token) {
        (_, Some(t)) => t,
        (Err(e), _) => return Err(format!("InitiateAuth: {e}")),
        (Ok(r), None) => {
            return Err(format!(
                "InitiateAuth: HTTP {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            ));
        }
    };
    let t = Instant::now();
    let got = conn
        .call("GetUser", &json!({"AccessToken": token}))
        .await
        .and_then(|r| {
            let ok = r.status == 200
                && serde_json::from_slice::<Value>(&r.body)
                    .is_ok_and(|v| v["Username"].as_str() == Some(user));
            ok.then_some(()).ok_or_else(|| {
                format!(
                    "HTTP {}: {}",
                    r.status,
                    String::from_utf8_lossy(&r.body[..r.body.len().min(300)])
                )
            })
        });
    on_reply(Op::GetUser, t.elapsed(), got.is_ok());
    got.map_err(|e| format!("GetUser: {e}"))
}

#[derive(Clone, Copy)]
enum Op {
    InitiateAuth,
    GetUser,
}

/// What one connection saw during the measured window.
#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    auth_ms: Vec<f64>,
    get_ms: Vec<f64>,
    first_error: Option<String>,
    connects: u64,
}

async fn run(args: &Args) -> Result<Value, String> {
    let addr = socket_addr(&args.url)?;
    let mut conn = HttpConn::new(addr);
    let t = Instant::now();
    let fixture = Rc::new(setup(&mut conn, args.users).await?);
    let setup_s = t.elapsed().as_secs_f64();
    // The first sign-in may generate signing keys; keep it out of the warm-up too.
    let first = fixture.users.first().ok_or("no users")?;
    pair(&mut conn, &fixture.client_id, first, &mut |_, _, _| {}).await?;
    drop(conn);

    let phase = Rc::new(AtomicU8::new(WARMUP));
    let mut tasks = Vec::with_capacity(args.connections);
    for c in 0..args.connections {
        let (fixture, phase) = (fixture.clone(), phase.clone());
        let k = args.connections;
        tasks.push(tokio::task::spawn_local(async move {
            let mut conn = HttpConn::new(addr);
            let mut tally = Tally::default();
            let mut i = c;
            while phase.load(Ordering::Relaxed) != STOP {
                let user = &fixture.users[i % fixture.users.len()];
                i += k;
                let mut on_reply = |op: Op, d: Duration, ok: bool| {
                    if phase.load(Ordering::Relaxed) != MEASURE {
                        return;
                    }
                    if ok {
                        tally.ok += 1;
                        let ms = d.as_secs_f64() * 1000.0;
                        match op {
                            Op::InitiateAuth => tally.auth_ms.push(ms),
                            Op::GetUser => tally.get_ms.push(ms),
                        }
                    } else {
                        tally.errors += 1;
                    }
                };
                if let Err(e) = pair(&mut conn, &fixture.client_id, user, &mut on_reply).await
                    && phase.load(Ordering::Relaxed) == MEASURE
                {
                    tally.first_error.get_or_insert(e);
                }
            }
            tally.connects = conn.connects;
            tally
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    phase.store(MEASURE, Ordering::Relaxed);
    let (t0, cpu_s0, cpu_c0) = (Instant::now(), cpu_time(args.server_pid), cpu_time(None));
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    phase.store(STOP, Ordering::Relaxed);
    let (secs, cpu_s1, cpu_c1) = (
        t0.elapsed().as_secs_f64(),
        cpu_time(args.server_pid),
        cpu_time(None),
    );
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.map_err(|e| e.to_string())?;
        all.ok += t.ok;
        all.errors += t.errors;
        all.auth_ms.extend(t.auth_ms);
        all.get_ms.extend(t.get_ms);
        all.connects += t.connects;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    all.auth_ms.sort_by(f64::total_cmp);
    all.get_ms.sort_by(f64::total_cmp);
    let per_req = |a: Option<Duration>, b: Option<Duration>| {
        a.zip(b).map(|(a, b)| {
            b.saturating_sub(a).as_secs_f64() * 1000.0 / (all.ok + all.errors).max(1) as f64
        })
    };
    let server_cpu = per_req(cpu_s0, cpu_s1);
    let client_cpu = per_req(cpu_c0, cpu_c1);
    let req_per_s = all.ok as f64 / secs;
    println!(
        "{}: {} connections, {} users (setup {setup_s:.1} s), {secs:.1} s after {:.0} s warm-up",
        args.label, args.connections, args.users, args.warmup
    );
    println!(
        "  {req_per_s:.1} requests/s ({:.1} InitiateAuth+GetUser pairs/s), {} errors, {} connections opened",
        all.get_ms.len() as f64 / secs,
        all.errors,
        all.connects
    );
    println!(
        "  latency ms: InitiateAuth p50 {:.2} p99 {:.2}; GetUser p50 {:.2} p99 {:.2}",
        quantile(&all.auth_ms, 0.5),
        quantile(&all.auth_ms, 0.99),
        quantile(&all.get_ms, 0.5),
        quantile(&all.get_ms, 0.99)
    );
    if let Some(s) = server_cpu {
        println!(
            "  server CPU {s:.3} ms/request; client CPU {:.3} ms/request",
            client_cpu.unwrap_or(f64::NAN)
        );
    }
    if let Some(e) = &all.first_error {
        println!("  first error: {e}");
    }
    Ok(json!({
        "label": args.label, "connections": args.connections, "users": args.users,
        "seconds": secs, "requests": all.ok, "errors": all.errors,
        "req_per_s": req_per_s, "pairs_per_s": all.get_ms.len() as f64 / secs,
        "initiate_auth_p50_ms": quantile(&all.auth_ms, 0.5),
        "get_user_p50_ms": quantile(&all.get_ms, 0.5),
        "server_cpu_ms_per_req": server_cpu, "client_cpu_ms_per_req": client_cpu,
        "connects": all.connects, "first_error": all.first_error,
    }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = tokio::task::LocalSet::new();
    match local.block_on(&runtime, run(&args)) {
        Ok(result) => {
            println!("RESULT {result}");
            if result["errors"].as_u64() == Some(0) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_runs_against_the_emulator_and_rejects_unknown_users() {
        let emu = cognito_emulator::Emulator::start_blocking().expect("emulator");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut conn = HttpConn::new(socket_addr(&emu.url()).expect("addr"));
        let fixture = runtime.block_on(setup(&mut conn, 2)).expect("setup");
        assert_eq!(fixture.users, ["user00000", "user00001"]);
        let mut seen = Vec::new();
        runtime
            .block_on(pair(
                &mut conn,
                &fixture.client_id,
                "user00001",
                &mut |op, _, ok| seen.push((matches!(op, Op::InitiateAuth), ok)),
            ))
            .expect("InitiateAuth + GetUser");
        assert_eq!(seen, [(true, true), (false, true)]);
        let err = runtime
            .block_on(pair(
                &mut conn,
                &fixture.client_id,
                "nobody",
                &mut |_, _, _| {},
            ))
            .expect_err("unknown user");
        assert!(err.starts_with("InitiateAuth: HTTP 400"), "{err}");
    }

    #[test]
    fn a_short_run_counts_answers_and_no_errors() {
        let emu = cognito_emulator::Emulator::start_blocking().expect("emulator");
        let args = Args {
            url: emu.url(),
            connections: 2,
            users: 2,
            warmup: 0.1,
            seconds: 0.5,
            server_pid: None,
            label: "test".into(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let result = tokio::task::LocalSet::new()
            .block_on(&runtime, run(&args))
            .expect("run");
        assert_eq!(result["errors"], 0, "{result}");
        assert!(
            result["requests"].as_u64().is_some_and(|n| n > 0),
            "{result}"
        );
        assert_eq!(
            result["connects"], 2,
            "keep-alive: one connection each: {result}"
        );
    }
}
