//! Prometheus' PromQL test scripts (`promqltest`), run against our engine.
//!
//! Prometheus pins its engine's behaviour in a small script language (`load`, `clear`,
//! `eval`, `expect` lines; `promql/promqltest/README.md`). The scripts from Prometheus 3.14
//! are our conformance suite. This module reads them exactly as Prometheus' `test.go` does
//! ([`script`], with the series notation in [`series`]).

pub mod script;
pub mod series;
