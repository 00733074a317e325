//! The workbench's typical queries, as the browser's worker runs them (issue 6's "Run → drawn
//! graph" aim of 50 ms at p95).
//!
//! Run with `cargo bench -p simulator --bench workbench`. The data is what the app's worker
//! generates for the `demo` scenario's default 6 h graph: the default window widened to whole
//! hours and at least 7 h (05:00–12:00 UTC on 2026-01-01, seed 1). Each query runs as a range
//! query from 06:00 to 12:00 at a step of 86 s, the step the Prometheus UI (and ours) derives
//! for 6 h: 252 steps. Besides the five queries `scripts/query-speed.mjs` times in the
//! browser, the histogram quantile is also timed in its parts (the `rate` alone, then with
//! the `sum`), so a profile can be read against them.
//!
//! Before the timings the benchmark prints each query's samples touched and series count,
//! the figures the app shows beside its evaluation time. The same workload runs in wasm32
//! under node in `tests/wasm_eval_speed.rs`.

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/workbench.rs"]
mod workload;

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use super::workload::{QUERIES, STEP, demo_db, parse};
    use criterion::{BenchmarkId, Criterion, criterion_group};
    use simulator::promql::eval::Engine;
    use std::hint::black_box;
    use std::time::Duration;

    fn workbench(c: &mut Criterion) {
        let (db, start, end) = demo_db();
        let engine = Engine::default();
        let mut g = c.benchmark_group("workbench");
        g.sample_size(20);
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(3));
        for (i, q) in QUERIES.iter().enumerate() {
            let expr = parse(q);
            match engine.range(&db, &expr, start, end, STEP) {
                Ok(r) => println!(
                    "q{i} {q}: {} series, {} samples touched",
                    r.value.series_count(),
                    r.stats.samples_touched
                ),
                Err(e) => panic!("{q}: {e}"),
            }
            g.bench_function(BenchmarkId::new(format!("q{i}"), q), |b| {
                b.iter(|| {
                    let r = engine.range(&db, black_box(&expr), start, end, STEP);
                    black_box(r.map(|r| r.value.series_count()).unwrap_or(0))
                })
            });
        }
        g.finish();
    }

    criterion_group!(benches, workbench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(bench::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
