//! The graph's per-frame work for a large result: 300 series over 6 hours at a 15 s step
//! (432,000 samples), shaped, decimated to a 1200-pixel plot and hovered. This is what the
//! page does on every redraw and pointer move, so it bounds "a few hundred series without
//! lag". Run with `cargo bench -p app --bench chart`. On wasm32 this file compiles to an
//! empty program, because criterion does not build there.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use app::chart::frame::frame;
    use app::chart::hover::hover;
    use app::chart::series::{decimate, from_result, stack};
    use app::result::{Labels, RangeSeries, ResultData, Sample};
    use criterion::{Criterion, criterion_group};
    use std::hint::black_box;

    const STEP_MS: i64 = 15_000;
    const POINTS: i64 = 6 * 3600 * 1000 / STEP_MS;

    fn result() -> ResultData {
        ResultData::Matrix(
            (0..300)
                .map(|s| RangeSeries {
                    metric: Labels(
                        [
                            ("__name__".to_string(), "x".to_string()),
                            ("instance".to_string(), format!("host-{s}")),
                        ]
                        .into_iter()
                        .collect(),
                    ),
                    values: (0..POINTS)
                        .map(|i| Sample {
                            t_ms: i * STEP_MS,
                            v: ((i * (s + 1)) % 97) as f64,
                        })
                        .collect(),
                })
                .collect(),
        )
    }

    fn bench(c: &mut Criterion) {
        let data = result();
        let window = (0, (POINTS - 1) * STEP_MS);
        c.bench_function("shape 300 series x 1440 samples (from_result)", |b| {
            b.iter(|| from_result(black_box(&data)))
        });
        let series = from_result(&data);
        let visible = vec![true; series.len()];
        c.bench_function("frame: extents, ticks, layout (lines)", |b| {
            b.iter(|| {
                frame(
                    black_box(&series),
                    visible.clone(),
                    false,
                    window,
                    STEP_MS,
                    (1200.0, 320.0),
                    1.0,
                )
            })
        });
        c.bench_function("frame: stacked bands", |b| {
            b.iter(|| {
                frame(
                    black_box(&series),
                    visible.clone(),
                    true,
                    window,
                    STEP_MS,
                    (1200.0, 320.0),
                    1.0,
                )
            })
        });
        c.bench_function("stack bands alone", |b| {
            b.iter(|| stack(black_box(&series), &visible))
        });
        let f = frame(
            &series,
            visible.clone(),
            false,
            window,
            STEP_MS,
            (1200.0, 320.0),
            1.0,
        );
        let layout = f.layout;
        c.bench_function("decimate every series to the plot width", |b| {
            b.iter(|| {
                for s in &series {
                    black_box(decimate(&s.points, layout.plot_width(), &|t| {
                        layout.x(t) as i64
                    }));
                }
            })
        });
        c.bench_function("hover: nearest time and series", |b| {
            b.iter(|| {
                hover(
                    &layout,
                    black_box(&series),
                    &visible,
                    None,
                    600.0,
                    150.0,
                    24.0,
                )
            })
        });
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(bench::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
