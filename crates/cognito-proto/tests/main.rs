//! The integration tests of `cognito-proto`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite.

mod oauth;
mod proptest_srp;
mod session_gate;
mod session_refresh;
mod session_retry;
mod session_store;
mod session_tokens;
mod signin_challenges;
mod signin_device;
mod signin_errors;
mod signin_srp;
mod signin_support;
mod signin_user_auth;
mod vectors;
mod wire_envelope;
mod wire_errors;
mod wire_ops;
