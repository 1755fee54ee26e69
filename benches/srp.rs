//! SRP benches (placeholder).
fn main() {}
