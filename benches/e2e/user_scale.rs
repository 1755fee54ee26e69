//! Does an operation's cost grow with the number of users? Times sign-in by username and by
//! e-mail alias, `GlobalSignOut` and `AdminDeleteUser` in a pool of 100 users and in one of
//! 100,000 (each user signed in once, so the pool holds as many refresh tokens), in process
//! (`Service::call`: the operation as `POST /` runs it, without HTTP).
//!
//! ```text
//! user-scale [--sizes 100,100000] [--iterations 300] [--threads 2]
//! ```
//!
//! Each operation runs `--iterations` times (`AdminDeleteUser` at most for half the users).
//!
//! ```text
//! ```
//!
//! Every size gets a fresh emulator. Prints one table (median and p90 per operation and size,
//! and the ratio of the largest size's median to the smallest's); the last line is
//! `RESULT {json}`. A scan over the users or the refresh tokens shows as a ratio far above 1.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use cognito_benches::load::quantile;
use cognito_emulator::{ClientConfig, Emulator, PoolConfig, Service};
use serde_json::{Value, json};

const PASSWORD: &str = "Scale-Passw0rd!";

fn username(i: usize) -> String {
    format!("user{i:06}")
}

fn email(i: usize) -> String {
    format!("person{i:06}@example.com")
}

struct Args {
    sizes: Vec<usize>,
    iterations: usize,
    threads: usize,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![100, 100_000],
        iterations: 300,
        threads: 2,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("missing value for {flag}"));
        match flag.as_str() {
            "--sizes" => {
                a.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().parse().map_err(|_| format!("bad size {s}")))
                    .collect::<Result<_, _>>()?;
            }
            "--iterations" => {
                a.iterations = value()?.parse().map_err(|_| "bad --iterations")?;
            }
            "--threads" => a.threads = value()?.parse().map_err(|_| "bad --threads")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.sizes.is_empty() || a.iterations == 0 || a.threads == 0 {
        return Err("--sizes, --iterations and --threads must not be empty or 0".into());
    }
    if a.sizes.iter().any(|&n| n < 2) {
        return Err("every size must be at least 2".into());
    }
    Ok(a)
}

fn call(svc: &Service, op: &str, body: Value) -> Result<Value, String> {
    svc.call(op, body).map_err(|e| format!("{op}: {e}"))
}

fn sign_in(svc: &Service, client_id: &str, name: &str) -> Result<Value, String> {
    call(
        svc,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}}),
    )
}

/// Microseconds of `f`, which must succeed.
fn timed(f: impl FnOnce() -> Result<Value, String>) -> Result<f64, String> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64() * 1e6)
}

/// One size: a fresh emulator with `n` users (each with an e-mail alias and one refresh
/// token), then the timed operations.
fn run_size(n: usize, args: &Args) -> Result<Value, String> {
    let svc = Emulator::builder()
        .build_service()
        .map_err(|e| e.to_string())?;
    let pool = svc
        .create_pool(PoolConfig {
            name: "scale".into(),
            alias_attributes: vec!["email".into()],
            ..PoolConfig::default()
        })
        .map_err(|e| e.to_string())?;
    let client = svc
        .create_client(&pool.pool_id, ClientConfig::default())
        .map_err(|e| e.to_string())?;
    let (pool_id, client_id) = (pool.pool_id.as_str(), client.client_id.as_str());
    let t = Instant::now();
    std::thread::scope(|s| -> Result<(), String> {
        let workers: Vec<_> = (0..args.threads)
            .map(|w| {
                let svc = &svc;
                s.spawn(move || -> Result<(), String> {
                    for i in (w..n).step_by(args.threads) {
                        if w == 0 && i > 0 && i % 20_000 == 0 {
                            eprintln!("  {i} of {n} users ...");
                        }
                        svc.create_user(pool_id, &username(i), PASSWORD, &[("email", &email(i))])
                            .map_err(|e| format!("create user {i}: {e}"))?;
                        sign_in(svc, client_id, &username(i))?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "a setup thread panicked")??;
        }
        Ok(())
    })?;
    let setup_s = t.elapsed().as_secs_f64();
    eprintln!("{n} users created and signed in once in {setup_s:.1} s");

    // Users spread over the pool; the last `deletes` are the ones deleted.
    let deletes = args.iterations.min(n / 2);
    let pick = |k: usize| (k * 7919) % (n - deletes);
    let mut times: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut by_name = Vec::new();
    let mut by_alias = Vec::new();
    let mut sign_out = Vec::new();
    let mut delete = Vec::new();
    for k in 0..args.iterations {
        let i = pick(k);
        by_name.push(timed(|| sign_in(&svc, client_id, &username(i)))?);
        let mut tokens = Value::Null;
        by_alias.push(timed(|| {
            tokens = sign_in(&svc, client_id, &email(i))?;
            Ok(Value::Null)
        })?);
        let access = tokens["AuthenticationResult"]["AccessToken"]
            .as_str()
            .ok_or("no access token")?
            .to_owned();
        sign_out.push(timed(|| {
            call(&svc, "GlobalSignOut", json!({"AccessToken": access}))
        })?);
        if k < deletes {
            let victim = username(n - 1 - k);
            delete.push(timed(|| {
                call(
                    &svc,
                    "AdminDeleteUser",
                    json!({"UserPoolId": pool_id, "Username": victim}),
                )
            })?);
        }
    }
    times.push(("InitiateAuth USER_PASSWORD_AUTH by username", by_name));
    times.push(("InitiateAuth USER_PASSWORD_AUTH by e-mail alias", by_alias));
    times.push(("GlobalSignOut", sign_out));
    times.push(("AdminDeleteUser", delete));
    let mut out = serde_json::Map::new();
    out.insert("users".into(), json!(n));
    out.insert("setup_s".into(), json!(setup_s));
    for (name, mut xs) in times {
        xs.sort_by(f64::total_cmp);
        out.insert(
            name.into(),
            json!({"p50_us": quantile(&xs, 0.5), "p90_us": quantile(&xs, 0.9)}),
        );
    }
    Ok(Value::Object(out))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "user-scale: {e}\nusage: user-scale [--sizes 100,100000] [--iterations N] [--threads T]"
            );
            return ExitCode::FAILURE;
        }
    };
    let mut results = Vec::new();
    for &n in &args.sizes {
        match run_size(n, &args) {
            Ok(r) => results.push(r),
            Err(e) => {
                eprintln!("user-scale: {n} users: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let ops = [
        "InitiateAuth USER_PASSWORD_AUTH by username",
        "InitiateAuth USER_PASSWORD_AUTH by e-mail alias",
        "GlobalSignOut",
        "AdminDeleteUser",
    ];
    let (first, last) = (&results[0], &results[results.len() - 1]);
    let mut header = String::from("| operation |");
    let mut rule = String::from("|---|");
    for r in &results {
        header.push_str(&format!(" {} users: p50 µs | p90 µs |", r["users"]));
        rule.push_str("---:|---:|");
    }
    header.push_str(&format!(
        " p50 ratio, {} / {} users |",
        last["users"], first["users"]
    ));
    rule.push_str("---:|");
    println!("\n{header}\n{rule}");
    for op in ops {
        let mut line = format!("| {op} |");
        for r in &results {
            line.push_str(&format!(
                " {:.0} | {:.0} |",
                r[op]["p50_us"].as_f64().unwrap_or(f64::NAN),
                r[op]["p90_us"].as_f64().unwrap_or(f64::NAN)
            ));
        }
        let ratio = last[op]["p50_us"].as_f64().unwrap_or(f64::NAN)
            / first[op]["p50_us"].as_f64().unwrap_or(f64::NAN);
        line.push_str(&format!(" {ratio:.2} |"));
        println!("{line}");
    }
    println!("RESULT {}", Value::Array(results));
    ExitCode::SUCCESS
}
