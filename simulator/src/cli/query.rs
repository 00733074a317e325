//! `simulator query`: evaluates a query over a scenario and prints what Prometheus' HTTP API
//! (`/api/v1/query`, `/api/v1/query_range`) would return, byte for byte in shape.
//!
//! The scenario is generated for exactly the window the query reads (lookback, ranges,
//! offsets, `@` and subqueries included, as the engine computes it), so a query costs what
//! its data costs.

use serde::Serialize;
use simulator::promql::{self, Engine, QueryTimes, Value};
use simulator::scenario::{self, DAY, Window};
use simulator::tsdb::Tsdb;
use std::process::ExitCode;

/// The longest window of data one query may load, so a typo in an offset does not generate
/// years of samples.
const MAX_DATA_WINDOW: i64 = 92 * DAY;

/// When to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// An instant query at a time (Unix milliseconds).
    Instant(i64),
    /// A range query: start, end, step (milliseconds).
    Range(i64, i64, i64),
}

#[derive(Serialize)]
struct Success<'a> {
    status: &'static str,
    data: Data<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    infos: Vec<String>,
}

#[derive(Serialize)]
struct Data<'a> {
    #[serde(rename = "resultType")]
    result_type: &'static str,
    result: &'a Value,
}

#[derive(Serialize)]
struct Failure {
    status: &'static str,
    #[serde(rename = "errorType")]
    error_type: &'static str,
    error: String,
}

/// Prints the API's error JSON and returns failure.
fn fail(error_type: &'static str, error: String) -> ExitCode {
    let f = Failure {
        status: "error",
        error_type,
        error,
    };
    match serde_json::to_string(&f) {
        Ok(json) => println!("{json}"),
        Err(e) => eprintln!("error: cannot serialize the error: {e}"),
    }
    ExitCode::FAILURE
}

/// Runs the query and prints the JSON response.
pub fn run(name: &str, seed: u64, when: When, query: &str) -> ExitCode {
    let s = match scenario::by_name(name) {
        Ok(s) => s,
        Err(e) => return fail("bad_data", format!("invalid parameter \"scenario\": {e}")),
    };
    let expr = match promql::parse(query) {
        Ok(e) => e,
        Err(errors) => {
            let Some(first) = errors.first() else {
                return fail(
                    "bad_data",
                    "invalid parameter \"query\": parse error".into(),
                );
            };
            let at = first.line_col(query);
            return fail(
                "bad_data",
                format!(
                    "invalid parameter \"query\": {}:{}: parse error: {}",
                    at.line, at.col, first.message
                ),
            );
        }
    };
    let times = match when {
        When::Instant(t) => QueryTimes {
            start: t,
            end: t,
            step: 0,
        },
        When::Range(start, end, step) => QueryTimes { start, end, step },
    };
    let engine = Engine::default();
    let db = match engine.data_range(&expr, times) {
        Some((lo, hi)) if hi.saturating_sub(lo) > MAX_DATA_WINDOW => {
            return fail(
                "bad_data",
                "the query reads more than 92 days of data; shorten its range, offsets or @ times"
                    .into(),
            );
        }
        Some((lo, hi)) if hi >= lo => Tsdb::from_scenario(&s, seed, Window::new(lo, hi)),
        _ => Tsdb::new(),
    };
    match engine.query(&db, &expr, times, &mut promql::NoProgress) {
        Ok(r) => {
            let out = Success {
                status: "success",
                data: Data {
                    result_type: r.value.result_type(),
                    result: &r.value,
                },
                warnings: r.annotations.warnings(query),
                infos: r.annotations.infos(query),
            };
            match serde_json::to_string(&out) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail("internal", format!("cannot serialize the result: {e}")),
            }
        }
        Err(e) => fail(
            if e.is_bad_data() {
                "bad_data"
            } else {
                "execution"
            },
            e.to_string(),
        ),
    }
}
