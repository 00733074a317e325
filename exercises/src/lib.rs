//! The exercises crate: PromQL exercise packs, their loader, the grader and the validator.
//!
//! A pack is a TOML file written by an instructor ([`pack`]). The [`grader`] runs a
//! learner's query and the pack's reference query through the `simulator` engine on the
//! same data — every declared seed of a scenario, every evaluation time — and explains any
//! difference as structured [`grader::Feedback`]. The [`validator`] checks a pack the way
//! `exercises check` does: every reference returns data, every listed wrong answer is
//! rejected, every prompt and hint renders. [`markdown`] is the one sanitising renderer
//! for the Markdown in packs, shared with the app.
//!
//! **What it does not do.** No I/O: the CLI reads files and the app fetches URLs, then hand
//! the text to [`pack::load`]. No clock: times come from the pack. No knowledge of the app:
//! the dependency runs `app` → `exercises` → `simulator`, and everything here builds for
//! `wasm32-unknown-unknown` so the browser grades exactly as the CLI does.
//!
//! **Key decision: grade by results on several data sets, not by query text.** Comparing
//! query text (or syntax trees) would fail right answers written differently — `by` before
//! or after, operands swapped, an extra parenthesis, `without` instead of `by` — and there
//! are endlessly many of those. Comparing results at one time on one data set would pass
//! answers that hard-code numbers. So both queries run at several times on several seeds
//! and must agree everywhere, as Prometheus' own test tool compares results; the few
//! exercises about a construct say so with constraints ([`constraint`]).

pub mod api;
pub mod constraint;
pub mod dataset;
pub mod grader;
pub mod markdown;
pub mod pack;
pub mod validator;

pub use grader::{Feedback, Grader, Verdict};
pub use pack::{Exercise, Loaded, Pack, load};

/// The version of this crate, shown by the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
