//! The integration tests of `cognito-blocking`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite.

mod api_parity;
mod emulator;
mod faults;
mod moto;
mod polish;
mod scenarios;
mod secrets;
mod transport;
