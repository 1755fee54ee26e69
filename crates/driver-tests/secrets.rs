//! No `Debug`, `tracing` or `log` output contains the password, a token or the device
//! password.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::driver;
use cognito_emulator::{ClientConfig, Emulator, PoolConfig};
use driver::{SignInOutcome, UserPool};

/// A tracing subscriber that writes every span (with its fields and later records) and every
/// event, at every level, to a string. It is the test binary's global subscriber
/// ([`trace_capture`]): a per-thread one misses the spans of callsites whose interest another
/// test's thread cached while it was being installed, which made these tests flaky on a busy
/// machine.
struct Capture {
    out: &'static Mutex<String>,
    next_id: AtomicU64,
}

/// Every `tracing` span and event of this test binary, once [`trace_capture`] was called.
static TRACE: Mutex<String> = Mutex::new(String::new());

/// Installs [`Capture`] as the process's `tracing` subscriber (once per test binary) and
/// returns where the caller's output starts. Other tests' output lands in the same text: none
/// may contain a secret either.
pub(crate) fn trace_capture() -> usize {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let capture = Capture {
            out: &TRACE,
            next_id: AtomicU64::new(0),
        };
        tracing::subscriber::set_global_default(capture)
            .expect("no other tracing subscriber in this test binary");
    });
    TRACE.lock().unwrap_or_else(|p| p.into_inner()).len()
}

/// What was traced since `start` (by every thread of the test binary).
pub(crate) fn traced_since(start: usize) -> String {
    TRACE.lock().unwrap_or_else(|p| p.into_inner())[start..].to_owned()
}

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let m = span.metadata();
        let _ = write!(out, "\nspan {} {} {}", m.level(), m.target(), m.name());
        span.record(&mut Visitor(&mut out));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        out.push_str("\nrecord");
        values.record(&mut Visitor(&mut out));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let m = event.metadata();
        let _ = write!(out, "\nevent {} {}", m.level(), m.target());
        event.record(&mut Visitor(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Every `log` record of this test binary, at every level, once [`log_capture`] was called.
static LOG: Mutex<String> = Mutex::new(String::new());

/// A `log` logger that keeps every record: the HTTP stacks (ureq, reqwest, hyper, rustls) log
/// through `log`, not `tracing`.
struct LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let mut out = LOG.lock().unwrap_or_else(|p| p.into_inner());
        let _ = write!(
            out,
            "\nlog {} {} {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

/// Installs [`LogCapture`] as the process's logger at TRACE level (once per test binary) and
/// returns where the caller's records start; it logs "log capture works" at DEBUG level, the
/// lowest level a program built with `cognito-blocking`'s default features keeps.
pub(crate) fn log_capture() -> usize {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&LogCapture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
    let start = LOG.lock().unwrap_or_else(|p| p.into_inner()).len();
    log::debug!("log capture works");
    start
}

/// What was logged since `start` (by every thread of the test binary), followed by the bytes
/// of every hex dump in it put back together: an HTTP stack that dumps the exchange 16 bytes
/// a line (as ureq's protocol crate does at TRACE) cuts every secret into pieces that a plain
/// search would miss.
pub(crate) fn logged_since(start: usize) -> String {
    let logged = LOG.lock().unwrap_or_else(|p| p.into_inner())[start..].to_owned();
    let mut dumped = Vec::new();
    for line in logged.lines() {
        // A dump line: `log TRACE <target> ` then eight groups of four hex digits (`--` for no
        // byte), then the same bytes as text.
        let Some(message) = line.splitn(4, ' ').nth(3) else {
            continue;
        };
        let groups: Vec<&str> = message.split(' ').take(8).collect();
        if groups.len() != 8 || groups.iter().any(|g| g.len() != 4) {
            continue;
        }
        let pairs: Option<Vec<Option<u8>>> = groups
            .iter()
            .flat_map(|g| [&g[..2], &g[2..]])
            .map(|pair| match pair {
                "--" => Some(None),
                hex => u8::from_str_radix(hex, 16).ok().map(Some),
            })
            .collect();
        if let Some(pairs) = pairs {
            dumped.extend(pairs.into_iter().flatten());
        }
    }
    format!(
        "{logged}\n[hex dumps decoded]\n{}",
        String::from_utf8_lossy(&dumped)
    )
}

driver_test! {
    async fn no_secret_in_debug_or_tracing_output() {
        let log_start = log_capture();
        const PASSWORD: &str = "Very-Secret-Password-1";
        let emu = Emulator::start_blocking().unwrap();
        let pool_info = emu
            .create_pool(PoolConfig {
                device_tracking: Some((true, false)),
                ..PoolConfig::default()
            })
            .unwrap();
        let client = emu
            .create_client(
                &pool_info.pool_id,
                ClientConfig {
                    generate_secret: true,
                    ..ClientConfig::default()
                },
            )
            .unwrap();
        let client_secret = client.client_secret.clone().unwrap();
        emu.create_user(
            &pool_info.pool_id,
            "alice",
            PASSWORD,
            &[("email", "a@example.com")],
        )
        .unwrap();
        let skew = Arc::new(AtomicU64::new(0));
        let clock_skew = Arc::clone(&skew);

        let trace_start = trace_capture();
        let mut debug = String::new();
        let (tokens, device) = {
            let pool = UserPool::builder(&pool_info.pool_id, &client.client_id)
                .client_secret(client_secret.as_str())
                .endpoint_url(&emu.url())
                .unwrap()
                .clock(move || {
                    SystemTime::now() + Duration::from_secs(clock_skew.load(Ordering::SeqCst))
                })
                .build()
                .unwrap();
            let _ = writeln!(debug, "{pool:?}");
            let e = aw!(pool.sign_in("alice", "Wrong-Password-2")).unwrap_err();
            let _ = writeln!(debug, "{e:?} {e}");
            let outcome = aw!(pool.sign_in("alice", PASSWORD)).unwrap();
            let _ = writeln!(debug, "{outcome:?}");
            let SignInOutcome::SignedIn(user) = outcome else {
                panic!("expected tokens");
            };
            let tokens = aw!(user.session()).unwrap();
            emu.advance_clock(7200);
            skew.store(7200, Ordering::SeqCst);
            let refreshed = aw!(user.session()).unwrap();
            let device = aw!(user.remembered_device()).unwrap().unwrap();
            let _ = writeln!(debug, "{user:?} {tokens:?} {refreshed:?} {device:?}");
            aw!(user.change_password(PASSWORD, "Other-Secret-Password-3"))
                .unwrap();
            aw!(user.sign_out()).unwrap();
            (vec![tokens, refreshed], device)
        };
        let traced = traced_since(trace_start);
        let logged = logged_since(log_start);
        assert!(logged.contains("log capture works"));
        assert!(traced.contains("ForgotPassword") || traced.contains("InitiateAuth"));
        assert!(traced.contains("request_id"));
        let mut secrets = vec![
            PASSWORD.to_owned(),
            "Other-Secret-Password-3".to_owned(),
            client_secret,
            device.device_password.expose_secret().clone(),
        ];
        for t in &tokens {
            secrets.push(t.access_token().token().expose_secret().clone());
            secrets.push(t.id_token().token().expose_secret().clone());
            if let Some(r) = t.refresh_token() {
                secrets.push(r.expose_secret().clone());
            }
        }
        for secret in &secrets {
            assert!(!secret.is_empty());
            assert!(
                !traced.contains(secret.as_str()),
                "tracing output leaks a secret"
            );
            assert!(
                !debug.contains(secret.as_str()),
                "Debug output leaks a secret"
            );
            assert!(
                !logged.contains(secret.as_str()),
                "`log` output at TRACE leaks a secret"
            );
        }
    }
}
