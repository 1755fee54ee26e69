//! Scaffolding of the shared suites: an emulator with one pool and one app client, and a small
//! deterministic generator. Each suite adds its own helpers to [`Setup`] in an `impl` of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::driver;
use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig};
use driver::{RetryPolicy, UserPool};

/// An emulator with one pool and one app client, and a client clock the test moves together
/// with the emulator's.
pub(crate) struct Setup {
    pub(crate) emu: EmulatorHandle,
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
    /// Seconds added to the client's clock.
    skew: Arc<AtomicU64>,
}

impl Setup {
    /// A default pool and a default app client.
    pub(crate) fn new() -> Self {
        Self::with(PoolConfig::default(), ClientConfig::default())
    }

    pub(crate) fn with(pool: PoolConfig, client: ClientConfig) -> Self {
        let emu = Emulator::start_blocking().expect("emulator starts");
        let pool = emu.create_pool(pool).expect("create pool");
        let client = emu
            .create_client(&pool.pool_id, client)
            .expect("create app client");
        Setup {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
            client_secret: client.client_secret,
            skew: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A builder for the pool: the emulator's URL, the client secret if any, quick retries and
    /// the skewed clock.
    pub(crate) fn builder(&self) -> driver::UserPoolBuilder {
        let skew = Arc::clone(&self.skew);
        let mut b = UserPool::builder(&self.pool_id, &self.client_id)
            .endpoint_url(&self.emu.url())
            .expect("emulator url")
            .retry_policy(RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            })
            .clock(move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst)));
        if let Some(secret) = &self.client_secret {
            b = b.client_secret(secret.as_str());
        }
        b
    }

    pub(crate) fn pool(&self) -> UserPool {
        self.builder().build().expect("pool handle")
    }

    /// The client clock that [`Setup::advance`] moves.
    pub(crate) fn clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let skew = Arc::clone(&self.skew);
        move || SystemTime::now() + Duration::from_secs(skew.load(Ordering::SeqCst))
    }

    /// Moves both clocks forward.
    pub(crate) fn advance(&self, secs: u64) {
        self.emu.advance_clock(secs);
        self.skew.fetch_add(secs, Ordering::SeqCst);
    }
}

/// A small deterministic generator (SplitMix64): failing runs print their seed.
pub(crate) struct Rng(u64);

impl Rng {
    /// Seeded from the environment variable `var`, or from the clock.
    pub(crate) fn from_env(var: &str) -> (Self, u64) {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(7, |d| d.as_nanos() as u64)
            });
        (Rng(seed), seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One element of `set` (not empty).
    pub(crate) fn pick<T: Copy>(&mut self, set: &[T]) -> T {
        set[self.below(set.len())]
    }
}
