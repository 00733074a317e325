//! The simulator crate: deterministic metric scenarios, an in-memory TSDB and a PromQL engine.
//!
//! It builds natively (for the `simulator` command-line tool, benchmarks and conformance tests)
//! and for `wasm32-unknown-unknown` (inside the browser workbench). To keep both builds
//! identical it does no I/O and never reads the clock: time is always an argument, and every
//! sample is a pure function of scenario, seed and timestamp. Everything native-only lives
//! behind the `cli` feature, which the browser app turns off.

/// The version of this crate, shown by the CLI and the app's footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod exposition;
pub mod promql;
pub mod promqltest;
pub mod scenario;
pub mod timestamp;
pub mod tsdb;
