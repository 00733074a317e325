//! Simulator speed and storage size, for every built-in scenario's default window.
//!
//! Run with `cargo bench -p simulator --bench scenario`. Three figures per scenario:
//!
//! * `generate/<name>`: samples generated per second (values, stale markers and the scrape_*
//!   series, into a sink that only counts them);
//! * `load/<name>`: generated and appended into the TSDB, compressed and indexed;
//! * bytes per sample held by the TSDB, printed once before the timings.
//!
//! On wasm32 this file compiles to an empty program, because criterion does not build
//! there; the wasm figures come from `tests/wasm_speed.rs`.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use criterion::{Criterion, Throughput, criterion_group};
    use simulator::scenario::{self, DEFAULT_ANCHOR, DEFAULT_SEED, SampleSink, Scenario, SeriesId};
    use simulator::tsdb::Tsdb;
    use std::hint::black_box;

    struct Count(u64);

    impl SampleSink for Count {
        fn series(&mut self, _: &Scenario, _: SeriesId, ts: &[i64], vs: &[f64]) {
            self.0 += ts.len() as u64;
            black_box(vs);
        }
    }

    fn scenarios(c: &mut Criterion) {
        for name in scenario::names() {
            let Ok(s) = scenario::by_name(name) else {
                panic!("built-in scenario {name} must build");
            };
            let window = s.default_window(DEFAULT_ANCHOR);
            let samples = s.count_samples(DEFAULT_SEED, window);
            let db = Tsdb::from_scenario(&s, DEFAULT_SEED, window);
            let st = db.stats();
            println!(
                "{name}: {} series, {} samples in the default window; TSDB {:.3} bytes/sample \
                 ({} value bytes, {} resume-mark bytes, {} timestamp bytes, {} chunk bytes, \
                 {} chunks)",
                st.series,
                st.samples,
                st.bytes_per_sample(),
                st.value_bytes,
                st.value_index_bytes,
                st.timestamp_bytes,
                st.chunk_overhead_bytes,
                st.chunks
            );
            let mut g = c.benchmark_group(name);
            g.throughput(Throughput::Elements(samples));
            g.sample_size(10);
            g.bench_function("generate", |b| {
                b.iter(|| {
                    let mut sink = Count(0);
                    s.generate(DEFAULT_SEED, window, &mut sink);
                    sink.0
                })
            });
            g.bench_function("load into tsdb", |b| {
                b.iter(|| {
                    Tsdb::from_scenario(&s, DEFAULT_SEED, window)
                        .stats()
                        .samples
                })
            });
            g.finish();
        }
        let demo = match scenario::by_name("demo") {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        c.bench_function("build demo scenario", |b| {
            b.iter(|| scenario::by_name(black_box("demo")).is_ok())
        });
        black_box(demo);
    }

    criterion_group!(benches, scenarios);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(bench::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
