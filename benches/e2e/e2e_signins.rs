//! End-to-end sign-ins with the async driver (`cognito_async::UserPool`) against the emulator
//! (`cognito_emulator::Emulator`) over loopback.
//!
//! ```text
//! e2e-signins burst [--flows 10000] [--flow srp|password] [--no-gate] [--prewarm] [--in-process]
//!                   [--session-minutes 15] [--response-timeout 600] [--connect-timeout 60]
//! e2e-signins rate  [--flow srp|password] [--concurrency 32] [--users 200]
//!                   [--warmup 3] [--seconds 10] [--in-process] [--session-minutes 3]
//!                   [--data-dir DIR]
//! ```
//!
//! `burst` creates N users, then runs N concurrent sign-ins, all in flight at once: every
//! flow is a spawned task; with the gate (the default) each flow's `InitiateAuth` waits until
//! all N flows have started (drawn `a`, computed `A`), so the N requests reach the server
//! together. It reports completed/failed, wall time, sign-ins/s, latencies, the peak number of
//! flows and HTTP requests in flight, the peak open file descriptors of both processes, and
//! the server's count of `InitiateAuth`/`RespondToAuthChallenge` calls (retries would show
//! there). The exit status is 1 when any sign-in failed.
//!
//! With `--prewarm`, N + 10% keep-alive connections are opened before the flows start (each
//! held open at the server by the emulator's `delay` fault while the others connect, opened
//! 500 at a time), so the burst measures the flows rather than N simultaneous connects.
//!
//! `rate` keeps K sign-ins in flight for a fixed time after a warm-up and reports sign-ins per
//! second and the CPU time per sign-in of the client and of the server process. With
//! `--data-dir DIR` (an empty directory) the emulator keeps its state there, as
//! `cognito-emulator --data-dir` does.
//!
//! The emulator runs in a child process (this binary, `serve`), so that each side of N
//! loopback connections has its own file-descriptor table: one process holding both ends of
//! 10,000 connections needs more than 20,000 descriptors. `--in-process` runs it on a runtime
//! thread of this process instead (`Emulator::start_blocking`).
//!
//! The last line of output is `RESULT {json}`.
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// The allocator the `cognito-emulator` binary ships with, so that the `serve` child process
/// measures the emulator as it runs there (with glibc's malloc, ~5% of an SRP sign-in's
/// server CPU went to allocation).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cognito_async::{
    ReqwestTransport, SendFuture, SignInOutcome, Start, Timeouts, Transport, UserPool,
};
use cognito_benches::load::{
    HttpConn, cpu_time, listen_overflows, nofile_limits, open_fds, quantile, socket_addr,
};
use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig, ServerLimits};
use serde_json::{Value, json};

const PASSWORD: &str = "Bench-Passw0rd!";

const USAGE: &str = "usage:
  e2e-signins burst [--flows N] [--flow srp|password] [--no-gate] [--prewarm] [--in-process]
                    [--session-minutes M] [--response-timeout S] [--connect-timeout S]
  e2e-signins rate  [--flow srp|password] [--concurrency K] [--users U]
                    [--warmup S] [--seconds S] [--in-process] [--session-minutes M]
                    [--data-dir DIR]";

fn username(i: usize) -> String {
    format!("user{i:05}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Srp,
    Password,
}

impl Flow {
    fn start(self, user: &str) -> Start {
        match self {
            Flow::Srp => Start::srp(user, PASSWORD),
            Flow::Password => Start::password(user, PASSWORD),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Flow::Srp => "USER_SRP_AUTH",
            Flow::Password => "USER_PASSWORD_AUTH",
        }
    }
}

#[derive(Debug)]
struct Args {
    mode: String,
    flows: usize,
    flow: Flow,
    gate: bool,
    prewarm: bool,
    in_process: bool,
    session_minutes: u32,
    data_dir: Option<std::path::PathBuf>,
    response_timeout: u64,
    connect_timeout: u64,
    concurrency: usize,
    users: usize,
    warmup: f64,
    seconds: f64,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mode = it.next().ok_or("missing mode")?;
    let mut a = Args {
        mode,
        flows: 10_000,
        flow: Flow::Srp,
        gate: true,
        prewarm: false,
        in_process: false,
        session_minutes: 0,
        data_dir: None,
        response_timeout: 600,
        connect_timeout: 60,
        concurrency: 32,
        users: 200,
        warmup: 3.0,
        seconds: 10.0,
    };
    fn num<T: std::str::FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        let v = v.ok_or_else(|| format!("missing value for {flag}"))?;
        v.parse().map_err(|_| format!("bad value for {flag}: {v}"))
    }
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--flows" => a.flows = num(&flag, it.next())?,
            "--flow" => {
                a.flow = match it.next().as_deref() {
                    Some("srp") => Flow::Srp,
                    Some("password") => Flow::Password,
                    other => return Err(format!("--flow srp|password, got {other:?}")),
                }
            }
            "--no-gate" => a.gate = false,
            "--prewarm" => a.prewarm = true,
            "--in-process" => a.in_process = true,
            "--session-minutes" => a.session_minutes = num(&flag, it.next())?,
            "--data-dir" => {
                a.data_dir = Some(it.next().ok_or("missing value for --data-dir")?.into())
            }
            "--response-timeout" => a.response_timeout = num(&flag, it.next())?,
            "--connect-timeout" => a.connect_timeout = num(&flag, it.next())?,
            "--concurrency" => a.concurrency = num(&flag, it.next())?,
            "--users" => a.users = num(&flag, it.next())?,
            "--warmup" => a.warmup = num(&flag, it.next())?,
            "--seconds" => a.seconds = num(&flag, it.next())?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.session_minutes == 0 {
        // Cognito's AuthSessionValidity: default 3 minutes, at most 15. A burst of thousands of
        // sign-ins queues longer than 3 minutes at a two-core emulator (see the README).
        a.session_minutes = if a.mode == "burst" { 15 } else { 3 };
    }
    if a.flows == 0 || a.concurrency == 0 || a.users == 0 {
        return Err("--flows, --concurrency and --users must be at least 1".into());
    }
    Ok(a)
}

// ----- the emulator ------------------------------------------------------------------------

/// Where the emulator listens and what was created in it.
#[derive(Debug)]
struct Setup {
    url: String,
    pool_id: String,
    client_id: String,
    setup_ms: u128,
}

/// Starts the emulator on a runtime of its own (two worker threads, like
/// `Emulator::start_blocking`) and creates a pool, an app client (every flow allowed) and
/// `users` confirmed users `user00000`, `user00001`, ... with [`PASSWORD`].
///
/// The emulator is started with `Emulator::start` inside that runtime rather than with
/// `Emulator::start_blocking`: the latter binds a `std` listener, whose accept queue holds
/// 128 connections, and a burst of thousands of connects overflows it (the kernel drops the
/// connections it cannot queue; see `benches/README.md`). Tokio's listener queues 1024.
fn start_emulator(
    users: usize,
    session_minutes: u32,
    data_dir: Option<&std::path::Path>,
) -> Result<RunningEmulator, String> {
    let t = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emulator")
        .enable_all()
        .build()
        .map_err(|e| format!("emulator runtime: {e}"))?;
    // The burst holds one connection per flow (10,000): above the emulator's default cap
    // (1024) they would wait in the listen queue and, past its 4096 places, time out.
    let limits = ServerLimits {
        max_connections: 65_536,
        ..ServerLimits::default()
    };
    let mut builder = Emulator::builder().limits(limits);
    if let Some(dir) = data_dir {
        builder = builder.data_dir(dir);
    }
    let emu = runtime
        .block_on(builder.start())
        .map_err(|e| format!("emulator: {e}"))?;
    let pool = emu
        .create_pool(PoolConfig {
            name: "bench".into(),
            ..PoolConfig::default()
        })
        .map_err(|e| e.to_string())?;
    let client = emu
        .create_client(
            &pool.pool_id,
            ClientConfig {
                auth_session_validity_minutes: session_minutes,
                ..ClientConfig::default()
            },
        )
        .map_err(|e| e.to_string())?;
    for i in 0..users {
        emu.create_user(&pool.pool_id, &username(i), PASSWORD, &[])
            .map_err(|e| format!("create user {i}: {e}"))?;
    }
    let setup = Setup {
        url: emu.url(),
        pool_id: pool.pool_id,
        client_id: client.client_id,
        setup_ms: t.elapsed().as_millis(),
    };
    Ok(RunningEmulator {
        handle: emu,
        runtime,
        setup,
    })
}

/// A running emulator and the runtime its server tasks run on.
struct RunningEmulator {
    handle: EmulatorHandle,
    runtime: tokio::runtime::Runtime,
    setup: Setup,
}

impl RunningEmulator {
    fn stop(self) {
        drop(self.handle);
        self.runtime.shutdown_background();
    }
}

/// `serve`: the child process. Prints `READY {json}`, serves until stdin closes.
fn serve(args: &Args) -> Result<(), String> {
    let emu = start_emulator(args.users, args.session_minutes, args.data_dir.as_deref())?;
    let setup = &emu.setup;
    let mut out = std::io::stdout();
    let line = json!({"url": setup.url, "pool_id": setup.pool_id,
                      "client_id": setup.client_id, "setup_ms": setup.setup_ms});
    writeln!(out, "READY {line}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    emu.stop();
    Ok(())
}

/// The emulator under test, in a child process or in this one.
struct Target {
    setup: Setup,
    /// The server's process id, when it is a child.
    pid: Option<u32>,
    _guard: Guard,
}

enum Guard {
    Child(Child, Option<ChildStdin>),
    InProcess(Option<Box<RunningEmulator>>),
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Child(child, stdin) => {
                drop(stdin.take()); // EOF: the child stops
                let _ = child.wait();
            }
            Guard::InProcess(emu) => {
                if let Some(emu) = emu.take() {
                    emu.stop();
                }
            }
        }
    }
}

impl Target {
    fn start(
        users: usize,
        session_minutes: u32,
        in_process: bool,
        data_dir: Option<&std::path::Path>,
    ) -> Result<Target, String> {
        if in_process {
            let emu = start_emulator(users, session_minutes, data_dir)?;
            return Ok(Target {
                setup: Setup {
                    url: emu.setup.url.clone(),
                    pool_id: emu.setup.pool_id.clone(),
                    client_id: emu.setup.client_id.clone(),
                    setup_ms: emu.setup.setup_ms,
                },
                pid: None,
                _guard: Guard::InProcess(Some(Box::new(emu))),
            });
        }
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut command = Command::new(exe);
        command
            .args(["serve", "--users", &users.to_string()])
            .args(["--session-minutes", &session_minutes.to_string()]);
        if let Some(dir) = data_dir {
            command.arg("--data-dir").arg(dir);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("spawn the emulator process: {e}"))?;
        let pid = child.id();
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut guard = Guard::Child(child, stdin);
        let mut lines = BufReader::new(stdout).lines();
        let ready = loop {
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some(rest) = l.strip_prefix("READY ") {
                        break rest.to_owned();
                    }
                }
                _ => {
                    if let Guard::Child(c, _) = &mut guard {
                        let _ = c.kill();
                    }
                    return Err("the emulator process ended before it was ready".into());
                }
            }
        };
        let v: Value = serde_json::from_str(&ready).map_err(|e| e.to_string())?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(Target {
            setup: Setup {
                url: s("url"),
                pool_id: s("pool_id"),
                client_id: s("client_id"),
                setup_ms: v["setup_ms"].as_u64().unwrap_or(0).into(),
            },
            pid: Some(pid),
            _guard: guard,
        })
    }

    fn user_pool(&self, transport: impl Transport + 'static) -> Result<UserPool, String> {
        UserPool::builder(&self.setup.pool_id, &self.setup.client_id)
            .endpoint_url(&self.setup.url)
            .map_err(|e| e.to_string())?
            .transport(transport)
            .build()
            .map_err(|e| e.to_string())
    }

    /// The emulator's per-operation call counts (`GET /_emulator/counts`).
    async fn counts(&self) -> Result<Value, String> {
        let mut conn = HttpConn::new(socket_addr(&self.setup.url)?);
        let reply = conn
            .send(http::Method::GET, "/_emulator/counts", &[], Vec::new())
            .await?;
        serde_json::from_slice(&reply.body).map_err(|e| e.to_string())
    }
}

// ----- the measured client -----------------------------------------------------------------

/// Counters shared by the flows, the transport and the sampler.
#[derive(Default)]
struct Stats {
    flows_in_flight: AtomicUsize,
    peak_flows: AtomicUsize,
    http_in_flight: AtomicUsize,
    peak_http: AtomicUsize,
    http_sent: AtomicU64,
    /// Flows that reached their first `InitiateAuth` (the gate opens at N).
    arrived: AtomicUsize,
}

/// The driver's own [`ReqwestTransport`], counting requests in flight; with a gate, every
/// `InitiateAuth` waits until `gate_at` of them are waiting, so the burst reaches the server
/// at once.
struct CountingTransport {
    inner: ReqwestTransport,
    stats: Arc<Stats>,
    gate: Option<(usize, tokio::sync::watch::Sender<bool>)>,
}

fn is_initiate_auth(request: &http::Request<Vec<u8>>) -> bool {
    request
        .headers()
        .get("x-amz-target")
        .is_some_and(|v| v.as_bytes().ends_with(b".InitiateAuth"))
}

impl Transport for CountingTransport {
    fn send<'a>(&'a self, request: &'a http::Request<Vec<u8>>) -> SendFuture<'a> {
        Box::pin(async move {
            if let Some((at, open)) = &self.gate
                && is_initiate_auth(request)
            {
                let mut rx = open.subscribe();
                if self.stats.arrived.fetch_add(1, Ordering::SeqCst) + 1 >= *at {
                    open.send_replace(true);
                }
                let _ = rx.wait_for(|o| *o).await;
            }
            let now = self.stats.http_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.stats.peak_http.fetch_max(now, Ordering::SeqCst);
            self.stats.http_sent.fetch_add(1, Ordering::Relaxed);
            let result = self.inner.send(request).await;
            self.stats.http_in_flight.fetch_sub(1, Ordering::SeqCst);
            result
        })
    }
}

async fn sign_in(pool: &UserPool, flow: Flow, user: &str) -> Result<(), String> {
    match pool.sign_in_with(flow.start(user)).await {
        Ok(SignInOutcome::SignedIn(_)) => Ok(()),
        Ok(SignInOutcome::Pending(s)) => Err(format!("unexpected step {:?}", s.next_step())),
        Err(e) => {
            // The whole chain of causes: which timeout, which I/O error.
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                msg.push_str(&format!(" <- {cause}"));
                source = cause.source();
            }
            Err(msg)
        }
    }
}

/// Samples open descriptors of both processes every 100 ms until `done`.
fn sampler(
    server_pid: Option<u32>,
    done: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(usize, usize)> {
    tokio::spawn(async move {
        let (mut peak_self, mut peak_server) = (0, 0);
        while !done.load(Ordering::Relaxed) {
            peak_self = peak_self.max(open_fds(None).unwrap_or(0));
            if server_pid.is_some() {
                peak_server = peak_server.max(open_fds(server_pid).unwrap_or(0));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (peak_self, peak_server)
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Opens `n` keep-alive connections in `client`'s pool: `n` cheap calls (`ListUserPools`) that
/// the emulator holds for a few seconds (its `delay` fault), started 500 at a time, so that
/// all are open at once and each leaves an idle connection behind.
async fn prewarm(client: &reqwest::Client, target: &Target, n: usize) -> Result<usize, String> {
    let hold_ms = 4000 + n as u64 / 5;
    let mut hook = HttpConn::new(socket_addr(&target.setup.url)?);
    let fault = json!({"operation": "ListUserPools", "kind": "delay", "count": n,
                       "delayMs": hold_ms});
    let reply = hook
        .send(
            http::Method::POST,
            "/_emulator/faults",
            &[("content-type", "application/json")],
            fault.to_string().into_bytes(),
        )
        .await?;
    if reply.status != 200 {
        return Err(format!("delay fault: HTTP {}", reply.status));
    }
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..n {
        if i > 0 && i % 500 == 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let request = client
            .post(&target.setup.url)
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(r#"{"MaxResults": 1}"#);
        calls.spawn(async move {
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let _ = response.bytes().await;
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("HTTP {status}"))
            }
        });
    }
    let mut opened = 0;
    let mut first_error = None;
    while let Some(r) = calls.join_next().await {
        match r.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(()) => opened += 1,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(format!("prewarm: {} of {n} calls failed: {e}", n - opened)),
        None => Ok(opened),
    }
}

async fn burst(args: &Args, target: &Target) -> Result<Value, String> {
    let n = args.flows;
    // Warm-up with an extra user: the server generates the pool's RSA keys on the first
    // sign-in, the client builds its fixed-base tables.
    let warm = target.user_pool(ReqwestTransport::new().map_err(|e| e.to_string())?)?;
    sign_in(&warm, args.flow, &username(n))
        .await
        .map_err(|e| format!("warm-up sign-in: {e}"))?;

    let stats = Arc::new(Stats::default());
    let timeouts = Timeouts {
        connect: Duration::from_secs(args.connect_timeout),
        response: Duration::from_secs(args.response_timeout),
    };
    // The driver's default client (as `ReqwestTransport::with_timeouts` builds it), with idle
    // connections kept for as long as the run lasts, and without reqwest 0.13's default TCP
    // keepalive (15 s, 3 probes 15 s apart) and `TCP_USER_TIMEOUT` (30 s): with them, a
    // connection whose server has sent nothing for 30-60 s was aborted on this machine
    // (ETIMEDOUT, "os error 110"), whatever the response timeout, and a burst of 10,000
    // queues longer than that at the emulator (see the README).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(cognito_async::USER_AGENT)
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.response)
        .tcp_user_timeout(None)
        .tcp_keepalive(None)
        .pool_idle_timeout(None)
        .build()
        .map_err(|e| e.to_string())?;
    let prewarmed = if args.prewarm {
        // A tenth more than the flows: a request that finds no idle connection at once makes
        // hyper start a new connect, which is what the prewarm avoids.
        let opened = prewarm(&client, target, n + n / 10).await?;
        println!(
            "prewarm: {opened} connections opened and idle in the pool (open fds: client {}, server {})",
            open_fds(None).unwrap_or(0),
            open_fds(target.pid).map_or("-".into(), |f| f.to_string())
        );
        opened
    } else {
        0
    };
    let transport = CountingTransport {
        inner: ReqwestTransport::from_client(client),
        stats: stats.clone(),
        gate: args
            .gate
            .then(|| (n, tokio::sync::watch::Sender::new(false))),
    };
    let pool = target.user_pool(transport)?;
    let done = Arc::new(AtomicBool::new(false));
    let sampling = sampler(target.pid, done.clone());
    let cpu_self0 = cpu_time(None);
    let cpu_server0 = cpu_time(target.pid);
    let overflows0 = listen_overflows();

    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let pool = pool.clone();
        let stats = stats.clone();
        let (flow, user) = (args.flow, username(i));
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let now = stats.flows_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            stats.peak_flows.fetch_max(now, Ordering::SeqCst);
            let result = sign_in(&pool, flow, &user).await;
            stats.flows_in_flight.fetch_sub(1, Ordering::SeqCst);
            (result, t.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(n);
    let mut failed_after = Vec::new();
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        match task.await {
            Ok((Ok(()), d)) => latencies.push(ms(d)),
            Ok((Err(e), d)) => {
                failed_after.push(ms(d));
                *failures.entry(e).or_default() += 1
            }
            Err(e) => *failures.entry(format!("task: {e}")).or_default() += 1,
        }
    }
    let wall = start.elapsed();
    let overflows = listen_overflows()
        .zip(overflows0)
        .map(|(b, a)| b.saturating_sub(a));
    done.store(true, Ordering::Relaxed);
    let (peak_fds_client, peak_fds_server) = sampling.await.map_err(|e| e.to_string())?;
    let cpu_client = cpu_time(None)
        .zip(cpu_self0)
        .map(|(b, a)| ms(b.saturating_sub(a)));
    let cpu_server = cpu_time(target.pid)
        .zip(cpu_server0)
        .map(|(b, a)| ms(b.saturating_sub(a)));
    latencies.sort_by(f64::total_cmp);
    let completed = latencies.len();
    let failed: usize = failures.values().sum();
    let counts = target.counts().await.unwrap_or(Value::Null);
    let count = |k: &str| counts[k].as_u64().unwrap_or(0);

    let wall_s = wall.as_secs_f64();
    println!(
        "burst: {n} concurrent {} sign-ins (gate {}, {}), emulator {}",
        args.flow.name(),
        if args.gate { "on" } else { "off" },
        if args.prewarm {
            "connections opened beforehand"
        } else {
            "cold connections"
        },
        if target.pid.is_some() {
            "in a child process"
        } else {
            "in process"
        },
    );
    println!("  completed {completed}, failed {failed}");
    for (e, c) in failures.iter().take(10) {
        println!("  failure x{c}: {e}");
    }
    failed_after.sort_by(f64::total_cmp);
    if !failed_after.is_empty() {
        println!(
            "  failures came {:.1} - {:.1} s after their flow started",
            quantile(&failed_after, 0.0) / 1000.0,
            quantile(&failed_after, 1.0) / 1000.0
        );
    }
    println!(
        "  wall {wall_s:.2} s, {:.1} sign-ins/s",
        completed as f64 / wall_s
    );
    println!(
        "  latency ms: p50 {:.0}, p90 {:.0}, p99 {:.0}, max {:.0}",
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.9),
        quantile(&latencies, 0.99),
        quantile(&latencies, 1.0)
    );
    println!(
        "  peak in flight: {} flows, {} HTTP requests; peak open fds: client {peak_fds_client}, server {}",
        stats.peak_flows.load(Ordering::SeqCst),
        stats.peak_http.load(Ordering::SeqCst),
        if target.pid.is_some() {
            peak_fds_server.to_string()
        } else {
            "(same process)".into()
        }
    );
    println!(
        "  HTTP requests sent {}; server counted InitiateAuth {}, RespondToAuthChallenge {} (warm-up included: 1 each{})",
        stats.http_sent.load(Ordering::Relaxed),
        count("InitiateAuth"),
        count("RespondToAuthChallenge"),
        if args.flow == Flow::Password {
            ", none for USER_PASSWORD_AUTH"
        } else {
            ""
        }
    );
    if let Some(o) = overflows {
        println!("  connections dropped on a full accept queue (system-wide ListenOverflows): {o}");
    }
    if let (Some(c), Some(s)) = (cpu_client, cpu_server) {
        println!(
            "  CPU: client {:.2} ms/sign-in, server {:.2} ms/sign-in",
            c / n as f64,
            s / n as f64
        );
    }
    Ok(json!({
        "mode": "burst", "flow": args.flow.name(), "flows": n, "gate": args.gate,
        "completed": completed, "failed": failed,
        "failures": failures, "wall_s": wall_s,
        "sign_ins_per_s": completed as f64 / wall_s,
        "p50_ms": quantile(&latencies, 0.5), "p99_ms": quantile(&latencies, 0.99),
        "max_ms": quantile(&latencies, 1.0),
        "peak_flows_in_flight": stats.peak_flows.load(Ordering::SeqCst),
        "peak_http_in_flight": stats.peak_http.load(Ordering::SeqCst),
        "peak_fds_client": peak_fds_client, "peak_fds_server": peak_fds_server,
        "http_sent": stats.http_sent.load(Ordering::Relaxed),
        "server_initiate_auth": count("InitiateAuth"),
        "server_respond_to_auth_challenge": count("RespondToAuthChallenge"),
        "client_cpu_ms": cpu_client, "server_cpu_ms": cpu_server,
        "listen_overflows": overflows, "prewarmed_connections": prewarmed,
        "setup_ms": target.setup.setup_ms as u64,
    }))
}

async fn rate(args: &Args, target: &Target) -> Result<Value, String> {
    let pool = target.user_pool(ReqwestTransport::new().map_err(|e| e.to_string())?)?;
    sign_in(&pool, args.flow, &username(0))
        .await
        .map_err(|e| format!("warm-up sign-in: {e}"))?;
    let next = Arc::new(AtomicUsize::new(0));
    let completed = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (pool, next, completed, failed, stop, first_error) = (
            pool.clone(),
            next.clone(),
            completed.clone(),
            failed.clone(),
            stop.clone(),
            first_error.clone(),
        );
        let (flow, users) = (args.flow, args.users);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let user = username(next.fetch_add(1, Ordering::Relaxed) % users);
                let t = Instant::now();
                match sign_in(&pool, flow, &user).await {
                    Ok(()) => {
                        completed.fetch_add(1, Ordering::Relaxed);
                        samples.push((Instant::now(), t.elapsed()));
                    }
                    Err(e) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut f) = first_error.lock() {
                            f.get_or_insert(e);
                        }
                    }
                }
            }
            samples
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(args.warmup)).await;
    let (c0, f0, t0) = (
        completed.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        Instant::now(),
    );
    let (cpu_c0, cpu_s0) = (cpu_time(None), cpu_time(target.pid));
    tokio::time::sleep(Duration::from_secs_f64(args.seconds)).await;
    let (c1, f1, t1) = (
        completed.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        Instant::now(),
    );
    let (cpu_c1, cpu_s1) = (cpu_time(None), cpu_time(target.pid));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        let samples = task.await.map_err(|e| e.to_string())?;
        latencies.extend(
            samples
                .into_iter()
                .filter(|(end, _)| *end >= t0 && *end <= t1)
                .map(|(_, d)| ms(d)),
        );
    }
    latencies.sort_by(f64::total_cmp);
    let secs = (t1 - t0).as_secs_f64();
    let n = c1 - c0;
    let per = |a: Option<Duration>, b: Option<Duration>| {
        a.zip(b)
            .map(|(a, b)| ms(b.saturating_sub(a)) / n.max(1) as f64)
    };
    let (client_ms, server_ms) = (per(cpu_c0, cpu_c1), per(cpu_s0, cpu_s1));
    let rate = n as f64 / secs;
    println!(
        "rate: {} sign-ins, {} concurrent, {} users, {secs:.1} s after {:.0} s warm-up",
        args.flow.name(),
        args.concurrency,
        args.users,
        args.warmup
    );
    println!(
        "  {rate:.1} sign-ins/s ({n} completed, {} failed in the window)",
        f1 - f0
    );
    println!(
        "  latency ms: p50 {:.1}, p99 {:.1}",
        quantile(&latencies, 0.5),
        quantile(&latencies, 0.99)
    );
    if let (Some(c), Some(s)) = (client_ms, server_ms) {
        println!("  CPU per sign-in: client {c:.2} ms, server {s:.2} ms");
    }
    if let Ok(f) = first_error.lock()
        && let Some(e) = f.as_ref()
    {
        println!("  first failure: {e}");
    }
    Ok(json!({
        "mode": "rate", "flow": args.flow.name(), "concurrency": args.concurrency,
        "users": args.users, "seconds": secs, "completed": n, "failed": f1 - f0,
        "sign_ins_per_s": rate,
        "p50_ms": quantile(&latencies, 0.5), "p99_ms": quantile(&latencies, 0.99),
        "client_cpu_ms_per_sign_in": client_ms, "server_cpu_ms_per_sign_in": server_ms,
    }))
}

fn run(args: &Args) -> Result<bool, String> {
    if args.mode == "serve" {
        serve(args)?;
        return Ok(true);
    }
    let users = match args.mode.as_str() {
        "burst" => args.flows + 1,
        "rate" => args.users,
        other => return Err(format!("unknown mode {other}")),
    };
    if let Some((soft, hard)) = nofile_limits() {
        println!("open-file limit of this process: soft {soft}, hard {hard}");
        let need = if args.in_process { 2 * users } else { users } + 64;
        if args.mode == "burst" && soft.parse::<usize>().is_ok_and(|s| s < need) {
            println!(
                "  warning: {need} descriptors needed for {} connections; raise `ulimit -n`",
                args.flows
            );
        }
    }
    let target = Target::start(
        users,
        args.session_minutes,
        args.in_process,
        args.data_dir.as_deref(),
    )?;
    println!(
        "emulator at {} ({}), {users} users created in {} ms",
        target.setup.url,
        match target.pid {
            Some(p) => format!("child process {p}"),
            None => "this process".into(),
        },
        target.setup.setup_ms
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = runtime.block_on(async {
        match args.mode.as_str() {
            "burst" => burst(args, &target).await,
            _ => rate(args, &target).await,
        }
    })?;
    println!("RESULT {result}");
    Ok(result["failed"].as_u64() == Some(0))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("e2e-signins: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments_have_per_mode_session_defaults_and_reject_nonsense() {
        let burst = args(&["burst"]).expect("burst");
        assert_eq!(
            (burst.flows, burst.session_minutes, burst.gate),
            (10_000, 15, true)
        );
        let rate = args(&["rate", "--flow", "password", "--no-gate"]).expect("rate");
        assert_eq!(
            (rate.session_minutes, rate.flow, rate.gate),
            (3, Flow::Password, false)
        );
        assert_eq!(rate.data_dir, None);
        let durable = args(&["rate", "--data-dir", "/tmp/x"]).expect("rate --data-dir");
        assert_eq!(durable.data_dir, Some("/tmp/x".into()));
        assert!(args(&["rate", "--data-dir"]).is_err());
        assert!(args(&["burst", "--flow", "plain"]).is_err());
        assert!(args(&["burst", "--flows", "0"]).is_err());
        assert!(args(&["burst", "--bogus"]).is_err());
        assert!(args(&[]).is_err());
    }

    #[test]
    fn a_gated_burst_keeps_every_flow_in_flight_and_completes_them() {
        let a = args(&["burst", "--flows", "12", "--in-process"]).expect("args");
        let target = Target::start(a.flows + 1, a.session_minutes, true, None).expect("emulator");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let r = runtime.block_on(burst(&a, &target)).expect("burst");
        assert_eq!(r["completed"], 12, "{r}");
        assert_eq!(r["failed"], 0, "{r}");
        // The gate holds every InitiateAuth until all 12 flows have started.
        assert_eq!(r["peak_flows_in_flight"], 12, "{r}");
        assert_eq!(r["http_sent"], 24, "{r}");
        // The warm-up sign-in, then one of each per flow: nothing was retried.
        assert_eq!(r["server_initiate_auth"], 13, "{r}");
        assert_eq!(r["server_respond_to_auth_challenge"], 13, "{r}");
    }
}
