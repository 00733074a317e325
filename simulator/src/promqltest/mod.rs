//! Prometheus' PromQL test scripts (`promqltest`), run against our engine.
//!
//! Prometheus pins its engine's behaviour in a small script language (`load`, `clear`,
//! `eval`, `expect` lines; `promql/promqltest/README.md`), and the scripts shipped with
//! Prometheus 3.14 are our conformance suite. This module reads them exactly as Prometheus'
//! `test.go` does ([`script`], with the series notation in [`series`]), runs them
//! ([`runner`]) and compares results as Prometheus does ([`compare`]): relative error 1e-6,
//! NaN equals NaN, stale markers only equal stale markers, exact label sets, order only
//! where the eval asks for it.
//!
//! The runner talks to an engine through [`QueryEngine`], which takes query text, so it can
//! be tested with a scripted fake and the real engine's adapter stays a few lines.
//!
//! Deliberate differences from Prometheus' runner, each visible in the report:
//!
//! * A query our parser rejects fails that eval instead of the whole file.
//! * Native histograms are not modelled: their points are not loaded, and an eval that
//!   selects such a series or expects such points is skipped if the skip list ([`skips`])
//!   names it, and fails otherwise.
//! * Start timestamps (`@st` lines) are checked and dropped; our database has no start times.
//! * The engine runs with its own sample limit (50 million) rather than the 10,000 of
//!   Prometheus' test engine, which no script depends on.

pub mod baseline;
pub mod compare;
pub mod engine;
pub mod runner;
pub mod script;
pub mod series;
pub mod skips;
pub mod step_invariance;

pub use engine::PromqlEngine;
pub use runner::run_script;

use crate::promql::value::Value;
use crate::tsdb::Tsdb;
use std::fmt::Write as _;

/// A successful query, as the runner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The result.
    pub value: Value,
    /// Warnings, each as the HTTP API renders it: text, then ` (line:col)` of the node.
    pub warnings: Vec<String>,
    /// Infos, rendered likewise.
    pub infos: Vec<String>,
}

/// An engine the runner can drive. Errors are the engine's message, as Prometheus' API
/// would return it (what `expect fail msg:` lines match).
pub trait QueryEngine {
    /// Evaluates `query` at `t` (Unix milliseconds).
    fn instant(&mut self, db: &Tsdb, query: &str, t: i64) -> Result<Answer, String>;
    /// Evaluates `query` from `start` to `end` every `step` milliseconds.
    fn range(
        &mut self,
        db: &Tsdb,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Answer, String>;
}

/// An eval that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The 1-based line of its `eval` command.
    pub line: usize,
    /// The query.
    pub query: String,
    /// What went wrong; may span lines.
    pub message: String,
    /// Set when the eval failed only because it needs native histograms and the skip list
    /// does not name it: why it needs them (for `--print-skips`).
    pub unlisted_native: Option<String>,
}

/// An eval that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The 1-based line of its `eval` command.
    pub line: usize,
    /// The query.
    pub query: String,
    /// The skip list's reason.
    pub reason: String,
}

/// The outcome of one script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// The script's file name.
    pub file: String,
    /// Evals that passed.
    pub passed: usize,
    /// Evals that failed (a script that does not parse counts as one).
    pub failed: usize,
    /// Evals skipped through the skip list.
    pub skipped: usize,
    /// Each failure.
    pub failures: Vec<Failure>,
    /// Each skip.
    pub skips: Vec<Skipped>,
    /// Why the script stopped early, if it did.
    pub error: Option<String>,
}

impl FileReport {
    /// The report as printed: every failure with file, line, query and difference, then
    /// one line of counts.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(e) = &self.error {
            let _ = writeln!(out, "ERROR {}: {e}", self.file);
        }
        for f in &self.failures {
            let _ = writeln!(out, "FAIL {}:{}: {}", self.file, f.line, f.query);
            for line in f.message.lines() {
                let _ = writeln!(out, "     {line}");
            }
        }
        let _ = writeln!(
            out,
            "{:<28} {:>5} passed {:>5} failed {:>5} skipped",
            self.file, self.passed, self.failed, self.skipped
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_name_file_line_and_query() {
        let r = FileReport {
            file: "a.test".into(),
            passed: 3,
            failed: 1,
            skipped: 2,
            failures: vec![Failure {
                line: 7,
                query: "sum(x)".into(),
                message: "- {} 1   (missing)".into(),
                unlisted_native: None,
            }],
            ..FileReport::default()
        };
        let text = r.render();
        assert!(
            text.starts_with("FAIL a.test:7: sum(x)\n     - {} 1   (missing)\n"),
            "{text}"
        );
        assert!(
            text.trim_end()
                .ends_with("3 passed     1 failed     2 skipped"),
            "{text}"
        );
    }
}
