//! The integration tests of `cognito-async`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite.

mod emulator;
mod faults;
mod polish;
mod scenarios;
mod secrets;
mod send_bounds;
mod trace_secrets;
mod transport;
