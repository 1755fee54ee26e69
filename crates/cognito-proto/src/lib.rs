//! Sans-IO core of an Amazon Cognito user-pool client.
//!
//! **Contract:** this crate performs no IO, never reads the clock and never draws from an OS
//! random number generator. Callers pass the current time (seconds since the Unix epoch) and a
//! cryptographically secure RNG (`rand_core::CryptoRng`) into every step that needs them, so
//! every step is deterministic under test. Requests come out as [`http::Request`] values that
//! any HTTP client can send; responses go back in as [`http::Response`] values.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
pub mod envelope;
pub mod error;
pub mod oauth;
pub mod ops;
pub mod retry;
pub mod secret;
pub mod session;
pub mod signin;
pub mod srp;
