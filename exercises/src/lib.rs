//! The exercises crate: PromQL exercise packs, their loader, the grader and the validator.
//!
//! A pack is a TOML file written by an instructor. The grader runs a learner's query and the
//! pack's reference query through the `simulator` engine on the same data and explains any
//! difference. It depends on `simulator` and never on the browser app, so packs can be checked
//! from the command line and in CI exactly as the app grades them.

/// The version of this crate, shown by the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
