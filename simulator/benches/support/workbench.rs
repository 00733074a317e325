//! The workload of `benches/workbench.rs` (natively) and `tests/wasm_eval_speed.rs` (wasm32
//! in node), kept in one place so both time the same thing.

use simulator::promql::{self, Expr};
use simulator::scenario::{self, DEFAULT_ANCHOR, DEFAULT_SEED, Window};
use simulator::tsdb::Tsdb;

/// The step the UI derives for a 6 h graph: 252 steps.
pub const STEP: i64 = 86_000;

const HOUR: i64 = 3_600_000;

/// The five queries of `scripts/query-speed.mjs`, then the histogram quantile's parts.
pub const QUERIES: &[&str] = &[
    "up",
    "sum by (job) (rate(demo_api_request_duration_seconds_count[5m]))",
    "histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))",
    "sum by (mode) (rate(demo_cpu_usage_seconds_total[5m]))",
    "sum by (path) (rate(demo_api_request_duration_seconds_count{status=\"500\"}[5m])) / sum by (path) (rate(demo_api_request_duration_seconds_count[5m]))",
    "rate(demo_api_request_duration_seconds_bucket[5m])",
    "sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m]))",
];

/// `q` parsed; the queries above always parse.
pub fn parse(q: &str) -> Expr {
    match promql::parse(q) {
        Ok(e) => e,
        Err(errors) => panic!("{}", promql::error::render(q, &errors)),
    }
}

/// The demo scenario's database as the app's worker holds it for the default 6 h graph (the
/// default window widened to whole hours and at least 7 h: 05:00–12:00 UTC, seed 1), and
/// the graph's start and end.
pub fn demo_db() -> (Tsdb, i64, i64) {
    let Ok(s) = scenario::by_name("demo") else {
        panic!("the demo scenario must build");
    };
    let w = s.default_window(DEFAULT_ANCHOR);
    let db = Tsdb::from_scenario(&s, DEFAULT_SEED, Window::new(w.end - 7 * HOUR, w.end));
    (db, w.start, w.end)
}
