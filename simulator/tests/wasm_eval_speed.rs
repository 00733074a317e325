//! Query evaluation speed inside wasm32: the workbench's typical queries on the demo
//! scenario's 6 h graph (`benches/support/workbench.rs`, the workload `benches/workbench.rs`
//! times natively), run in node, timed with `performance.now()`.
//!
//! Not part of `make test`; run it by hand. With the browser build's profile (opt-level "z",
//! fat LTO; not followed by wasm-opt here):
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test --profile wasm-release --target wasm32-unknown-unknown -p simulator \
//!   --no-default-features --test wasm_eval_speed -- --nocapture
//! ```
//!
//! Natively this file compiles to nothing.

#![cfg(target_arch = "wasm32")]
// Test code: a panic is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/support/workbench.rs"]
mod workload;

use simulator::promql::eval::Engine;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};
use web_sys::js_sys::{Function, Reflect, global};
use web_sys::wasm_bindgen::JsCast;

/// Milliseconds from node's `performance.now()`.
fn now_ms() -> f64 {
    let perf = Reflect::get(&global(), &"performance".into()).unwrap();
    let now: Function = Reflect::get(&perf, &"now".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    now.call0(&perf).unwrap().as_f64().unwrap()
}

#[wasm_bindgen_test]
fn evaluation_speed_in_wasm() {
    const RUNS: usize = 21;
    let (db, start, end) = workload::demo_db();
    let engine = Engine::default();
    for (i, q) in workload::QUERIES.iter().enumerate() {
        let expr = workload::parse(q);
        let first = engine
            .range(&db, &expr, start, end, workload::STEP)
            .unwrap();
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t0 = now_ms();
                let r = engine
                    .range(&db, &expr, start, end, workload::STEP)
                    .unwrap();
                let dt = now_ms() - t0;
                assert_eq!(r.value, first.value);
                dt
            })
            .collect();
        times.sort_by(f64::total_cmp);
        console_log!(
            "q{i} {q}: median {:.2} ms, p95 {:.2} ms, {} samples touched",
            times[RUNS / 2],
            times[(RUNS * 95).div_ceil(100) - 1],
            first.stats.samples_touched
        );
    }
}
