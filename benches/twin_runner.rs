//! Benchmark of the twin runner against local mock environments (see issue notes).
fn main() {}
