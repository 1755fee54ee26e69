//! The integration tests of `cognito-store`, built as one test binary (one link instead of
//! one per file keeps CI's build time and disk use down). Each module is one suite.

mod stores;
