//! The `cognito-emulator` binary (placeholder).
fn main() {}
