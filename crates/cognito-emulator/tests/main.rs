//! The integration tests of `cognito-emulator`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite.

mod adversarial;
mod attributes;
mod behaviour;
mod common;
mod config;
mod contract;
mod core_interop;
mod devices;
mod durable;
mod flows;
mod identity_pools;
mod lifecycle;
mod mfa;
mod oauth;
mod passkeys;
mod passwords;
mod random_signins;
mod resources;
mod robustness;
mod service;
mod signin;
mod tokens;
mod triggers;
mod wire;
