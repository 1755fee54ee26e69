//! A faithful local Amazon Cognito user-pool server for offline tests.
//!
//! It speaks the real wire protocol (`POST /` with `X-Amz-Target`, AWS JSON 1.1, real error
//! shapes), verifies SRP for users and devices, SECRET_HASH, TOTP and codes, signs RS256
//! tokens with a per-pool key published at `/<poolId>/.well-known/jwks.json`, and offers test
//! hooks under `/_emulator/` (delivered messages, clock, faults, reset).
//!
//! ```no_run
//! use cognito_emulator::{ClientConfig, Emulator, PoolConfig};
//!
//! let emu = Emulator::start_blocking()?;
//! let pool = emu.create_pool(PoolConfig::default())?;
//! let client = emu.create_client(&pool.pool_id, ClientConfig::default())?;
//! emu.create_user(&pool.pool_id, "alice", "Passw0rd!", &[("email", "a@example.com")])?;
//! println!("endpoint {} client {}", emu.url(), client.client_id);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Handle methods need no `.await`: they lock the state directly, so they work from sync and
//! async code alike. The emulator stops when its handle is dropped.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod builder;
mod cert;
mod challenge;
mod config;
pub mod custom;
mod handle;
mod hooks;
mod limits;
pub mod model;
mod oauth;
mod ops;
mod persist;
mod schema;
mod seed;
mod server;
mod service;
mod shared;
mod srp_server;
mod state;
mod tokens;
pub mod totp;
pub mod triggers;
mod util;
mod values;
mod webauthn;

pub use api::ApiError;
pub use config::ConfigError;
pub use custom::CustomAuth;
pub use limits::ServerLimits;
pub use model::emulated::{IDENTITY_OPERATIONS, USER_POOL_OPERATIONS};
pub use service::{Outcome, Service};
pub use tokens::SigningKeys;
pub use triggers::{Trigger, TriggerFn};

pub use builder::{Emulator, EmulatorBuilder, EmulatorHandle};
pub(crate) use shared::{Pass, Shared};
pub use values::{
    ClientConfig, ClientInfo, Fault, FaultKind, Message, MessageKind, MfaConfiguration, PoolConfig,
    PoolInfo,
};
