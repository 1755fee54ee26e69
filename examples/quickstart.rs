//! Quickstart (placeholder until the drivers land).
fn main() {}
