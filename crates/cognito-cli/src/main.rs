//! The `cognito` command-line tool (placeholder).
fn main() {}
