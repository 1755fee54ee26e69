//! Helpers shared by the examples: an in-process emulator with one pool and one app client, a
//! client clock kept in step with the emulator's simulated clock, one-line step reports, and
//! checks that make an example exit non-zero when it sees a wrong result.
//!
//! Nothing here is needed to use the SDK against real Cognito: it only sets up the offline
//! playground the examples run in.
#![forbid(unsafe_code)]
// Printing the steps is what the examples are for.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

pub use cognito_emulator::{
    ClientConfig, Emulator, EmulatorHandle, MessageKind, MfaConfiguration, PoolConfig,
};

/// The error type of the examples' `main`: any error, printed by the standard library before
/// the process exits with status 1.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The password every example user gets (it satisfies the default password policy).
pub const PASSWORD: &str = "Correct-Horse-1";

/// Prints one step of an example: `[ok] <what happened>`.
pub fn step(what: impl std::fmt::Display) {
    println!("[ok] {what}");
}

/// A time in seconds since the Unix epoch as people read it: RFC 3339 in UTC,
/// `2026-12-06T21:45:00Z`.
pub fn rfc3339(unix_seconds: i64) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, proleptic
    // Gregorian calendar).
    let (days, secs) = (
        unix_seconds.div_euclid(86_400),
        unix_seconds.rem_euclid(86_400),
    );
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// Fails the example with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl Into<String>) -> Result<(), BoxError> {
    if condition {
        Ok(())
    } else {
        Err(format!("check failed: {}", message.into()).into())
    }
}

/// Fails the example unless `actual == expected`.
pub fn ensure_eq<T: PartialEq + std::fmt::Debug>(
    actual: T,
    expected: T,
    what: &str,
) -> Result<(), BoxError> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("check failed: {what}: expected {expected:?}, got {actual:?}").into())
    }
}

/// An emulator running in this process with one pool and one app client.
pub struct Demo {
    /// The running emulator (stops when dropped).
    pub emu: EmulatorHandle,
    /// The pool's id, `us-east-1_...`.
    pub pool_id: String,
    /// The app client's id.
    pub client_id: String,
    /// The app client's secret, when it has one.
    pub client_secret: Option<String>,
    /// Seconds the example moved the clocks forward.
    skew: Arc<AtomicU64>,
}

impl Demo {
    /// Starts an emulator and creates a pool and a client with these settings.
    pub fn start(pool: PoolConfig, client: ClientConfig) -> Result<Demo, BoxError> {
        let emu = Emulator::start_blocking()?;
        let pool = emu.create_pool(pool)?;
        let client = emu.create_client(&pool.pool_id, client)?;
        Ok(Demo {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
            client_secret: client.client_secret,
            skew: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Starts with the default pool (no MFA, no device tracking) and client.
    pub fn start_default() -> Result<Demo, BoxError> {
        Demo::start(PoolConfig::default(), ClientConfig::default())
    }

    /// The emulator's URL, to pass to `UserPoolBuilder::endpoint_url`.
    pub fn url(&self) -> String {
        self.emu.url()
    }

    /// A clock for `UserPoolBuilder::clock` that moves with [`Demo::advance`], so the SDK and
    /// the emulator agree on the time (SRP timestamps, token expiry).
    pub fn clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let skew = Arc::clone(&self.skew);
        move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst))
    }

    /// Moves the emulator's clock and the SDK's clock forward by `secs`.
    pub fn advance(&self, secs: u64) {
        self.emu.advance_clock(secs);
        self.skew.fetch_add(secs, Ordering::SeqCst);
    }

    /// A blocking pool handle builder pointed at the emulator, with the shared clock (and the
    /// client secret, if any).
    pub fn blocking(&self) -> Result<cognito_blocking::UserPoolBuilder, BoxError> {
        let mut builder = cognito_blocking::UserPool::builder(&self.pool_id, &self.client_id)
            .endpoint_url(&self.url())?
            .clock(self.clock());
        if let Some(secret) = &self.client_secret {
            builder = builder.client_secret(secret.as_str());
        }
        Ok(builder)
    }

    /// An async pool handle builder pointed at the emulator, with the shared clock (and the
    /// client secret, if any).
    pub fn asynchronous(&self) -> Result<cognito_async::UserPoolBuilder, BoxError> {
        let mut builder = cognito_async::UserPool::builder(&self.pool_id, &self.client_id)
            .endpoint_url(&self.url())?
            .clock(self.clock());
        if let Some(secret) = &self.client_secret {
            builder = builder.client_secret(secret.as_str());
        }
        Ok(builder)
    }

    /// Creates a confirmed user with [`PASSWORD`] and the address `<username>@example.com`
    /// (as an administrator would, with `AdminCreateUser` and `AdminSetUserPassword`).
    pub fn create_user(&self, username: &str) -> Result<(), BoxError> {
        let email = format!("{username}@example.com");
        self.emu
            .create_user(&self.pool_id, username, PASSWORD, &[("email", &email)])?;
        Ok(())
    }

    /// The last code of `kind` the emulator "sent" to `username` (its messages hook: the
    /// stand-in for reading an email or SMS).
    pub fn code(&self, username: &str, kind: MessageKind) -> Result<String, BoxError> {
        self.emu
            .last_code(username, kind)
            .ok_or_else(|| format!("no {} code was sent to {username}", kind.as_str()).into())
    }

    /// The code an authenticator app holding `secret` (base32) shows now, by the emulator's
    /// clock.
    pub fn totp(&self, secret: &str) -> Result<String, BoxError> {
        cognito_emulator::totp::code(secret, self.emu.now())
            .ok_or_else(|| "the TOTP secret is not valid base32".into())
    }

    /// HTTP calls the emulator received for `operation` (e.g. `RespondToAuthChallenge`).
    pub fn count(&self, operation: &str) -> u64 {
        self.emu.request_count(operation)
    }
}

/// The README's Rust snippets, compiled by `cargo test --doc -p cognito-examples` so that they
/// cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
