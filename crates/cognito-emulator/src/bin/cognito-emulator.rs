//! `cognito-emulator [--host 127.0.0.1] [--port 9229] [--region us-east-1] [--seed FILE]
//! [--config FILE] [--data-dir DIR] [--lambda-endpoint URL] [--lambda-timeout SECONDS]
//! [--trusted-origin ORIGIN]... [--max-connections N]
//! [--header-timeout SECS] [--body-timeout SECS] [--idle-timeout SECS] [--max-body-bytes N]
//! [--max-header-bytes N]`
//!
//! Prints `listening on http://HOST:PORT` as its first stdout line, then serves until killed.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use std::time::Duration;

use cognito_emulator::{Emulator, ServerLimits};

/// mimalloc instead of the system allocator: with requests served on several threads at once,
/// glibc's malloc cost the emulator ~10% of its CPU per request (measured with `loadgen`:
/// 2,893 -> 3,217 requests/s, 0.60 -> 0.55 ms of CPU per request, medians of 5 runs).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: cognito-emulator [options]

  --host ADDR              address to bind (default 127.0.0.1)
  --port N                 port (default 9229; 0 picks a free one)
  --region NAME            region in new pool ids (default us-east-1)
  --seed FILE              seed document (JSON) applied at start (with --data-dir: only
                           when the directory holds no store yet)
  --config FILE            pools, app clients, groups, users and Lambda triggers to create at
                           start, and the Lambda endpoint, in TOML (FILE ending in .toml) or
                           JSON; an alternative to --seed with validation that names the
                           bad field (format in the README). With --data-dir: only when the
                           directory holds no store yet
  --data-dir DIR           keep pools, clients, users, groups, domains, identity pools,
                           refresh tokens and revocations, signing keys and the clock offset
                           in DIR (created if missing), so they survive a restart; every
                           change is on disk before it is answered. Without it the state
                           lives in memory only. Sign-in and sign-up sessions, OAuth codes
                           and hosted sessions are kept until they expire; SRP handshakes
                           awaiting their verifier (a restart costs the client a retry),
                           delivered messages, faults and request counts are not kept
  --lambda-endpoint URL    a Lambda Invoke API server (e.g. `sam local start-lambda`,
                           http://127.0.0.1:3001) that runs the triggers named in the pools'
                           LambdaConfig
  --lambda-timeout SECS    how long a trigger may take (default 5, as on AWS)
  --trusted-origin ORIGIN  web pages of ORIGIN (scheme://host[:port], e.g.
                           http://app.internal:3000) may call every operation and the
                           /_emulator/ hooks, as pages of this machine (localhost,
                           127.0.0.1, [::1]) and programs always may; other sites' pages
                           may call only what AWS serves unsigned (sign-up, sign-in, a
                           user's own profile). A browser opening the emulator under
                           ORIGIN's host name is trusted too (other domain names are
                           refused to browsers). Repeat it for more origins
  --max-connections N      connections served at once; more wait to be accepted (default 1024)
  --header-timeout SECS    time to send a request's headers (default 30)
  --body-timeout SECS      time to send a request's body (default 30)
  --idle-timeout SECS      close keep-alive connections idle this long (default 60)
  --max-body-bytes N       largest request body (default 1048576)
  --max-header-bytes N     largest request head, at least 8192 (default 65536)
  -h, --help               print this text

Every option also takes the form --option=VALUE. The first line on stdout is
`listening on http://HOST:PORT`; the emulator then serves until it is killed.";

/// Parses a positive number of seconds (fractions allowed).
fn seconds(value: &str) -> Option<Duration> {
    let s: f64 = value.parse().ok()?;
    (s.is_finite() && s > 0.0 && s < 1e9).then(|| Duration::from_secs_f64(s))
}

fn main() -> ExitCode {
    let mut builder = Emulator::builder().port(9229);
    let mut host = "127.0.0.1".to_string();
    let mut limits = ServerLimits::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        let Some(value) = inline.or_else(|| args.next()) else {
            eprintln!("missing value for {flag}\n{USAGE}");
            return ExitCode::from(2);
        };
        builder = match flag.as_str() {
            "--host" => {
                host = value.clone();
                builder.host(&value)
            }
            "--port" => match value.parse::<u16>() {
                Ok(p) => builder.port(p),
                Err(_) => {
                    eprintln!("invalid port {value}");
                    return ExitCode::from(2);
                }
            },
            "--region" => builder.region(&value),
            "--data-dir" => builder.data_dir(&value),
            "--config" => match builder.config_file(&value) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("invalid configuration: {e}");
                    return ExitCode::from(2);
                }
            },
            "--lambda-endpoint" => builder.lambda_endpoint(&value),
            "--trusted-origin" => builder.trusted_origin(&value),
            "--lambda-timeout" => match value.parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => {
                    builder.lambda_timeout(std::time::Duration::from_secs_f64(secs))
                }
                _ => {
                    eprintln!("invalid --lambda-timeout {value} (seconds, > 0)");
                    return ExitCode::from(2);
                }
            },
            "--seed" => match builder.seed_file(&value) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("cannot read seed file {value}: {e}");
                    return ExitCode::from(2);
                }
            },
            "--max-connections" | "--max-body-bytes" | "--max-header-bytes" => {
                let Some(n) = value.parse::<usize>().ok().filter(|n| *n > 0) else {
                    eprintln!("invalid value for {flag}: {value} (expected a positive integer)");
                    return ExitCode::from(2);
                };
                match flag.as_str() {
                    "--max-connections" => limits.max_connections = n,
                    "--max-body-bytes" => limits.max_body_bytes = n,
                    _ => limits.max_header_bytes = n,
                }
                builder
            }
            "--header-timeout" | "--body-timeout" | "--idle-timeout" => {
                let Some(d) = seconds(&value) else {
                    eprintln!("invalid value for {flag}: {value} (expected seconds > 0)");
                    return ExitCode::from(2);
                };
                match flag.as_str() {
                    "--header-timeout" => limits.header_read_timeout = d,
                    "--body-timeout" => limits.body_read_timeout = d,
                    _ => limits.idle_timeout = d,
                }
                builder
            }
            other => {
                eprintln!("unknown argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
    }
    let builder = builder.limits(limits);
    let handle = match builder.start_blocking() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on http://{host}:{}", handle.addr().port());
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
