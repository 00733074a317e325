//! Simulator speed inside a browser: each built-in scenario's default window generated (and
//! loaded into the TSDB) in headless Chromium, timed with `performance.now()`.
//!
//! Not part of `make test`; run it by hand, in release mode, and copy the printed figures
//! into BENCHMARKS.md:
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=300 \
//!   WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/app/webdriver.json \
//!   cargo test --release --target wasm32-unknown-unknown -p simulator --no-default-features \
//!   --test wasm_speed -- --nocapture
//! ```
//!
//! Natively this file compiles to nothing; `benches/scenario.rs` measures the same there.

#![cfg(target_arch = "wasm32")]
// Test code: a panic is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use simulator::scenario::{self, DEFAULT_ANCHOR, DEFAULT_SEED, SampleSink, Scenario, SeriesId};
use simulator::tsdb::Tsdb;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

struct Count(u64, f64);

impl SampleSink for Count {
    fn series(&mut self, _: &Scenario, _: SeriesId, ts: &[i64], vs: &[f64]) {
        self.0 += ts.len() as u64;
        // Touch the values so the optimiser cannot skip computing them.
        self.1 += vs.first().copied().unwrap_or(0.0);
    }
}

/// The median of `runs` timings of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let perf = web_sys::window().unwrap().performance().unwrap();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = perf.now();
            f();
            perf.now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

#[wasm_bindgen_test]
fn generation_speed_in_the_browser() {
    for name in scenario::names() {
        let s = scenario::by_name(name).unwrap();
        let window = s.default_window(DEFAULT_ANCHOR);
        let samples = s.count_samples(DEFAULT_SEED, window);
        let build = median_ms(5, || assert!(scenario::by_name(name).is_ok()));
        let generate = median_ms(7, || {
            let mut c = Count(0, 0.0);
            s.generate(DEFAULT_SEED, window, &mut c);
            assert_eq!(c.0, samples);
        });
        let mut stats = None;
        let load = median_ms(5, || {
            stats = Some(Tsdb::from_scenario(&s, DEFAULT_SEED, window).stats());
        });
        let stats = stats.unwrap();
        console_log!(
            "{name}: build {build:.1} ms; {samples} samples generated in {generate:.1} ms = {:.1} M samples/s; \
             loaded into the TSDB in {load:.1} ms = {:.1} M samples/s; {:.3} bytes/sample",
            samples as f64 / generate / 1e3,
            samples as f64 / load / 1e3,
            stats.bytes_per_sample()
        );
    }
}
