//! Parse time of a realistic query of about 200 characters.
//!
//! Run with `cargo bench -p simulator --bench parse`. On wasm32 this file compiles to an
//! empty program, because criterion does not build there.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use criterion::{Criterion, criterion_group};
    use std::hint::black_box;

    /// An SLO-style error ratio per service: a regex matcher, rates over a range, vector
    /// matching and a comparison, as in the exercises.
    pub const QUERY: &str = r#"sum by (service) (rate(http_requests_total{job="api", code=~"5.."}[5m])) / ignoring(code) group_left sum by (service) (rate(http_requests_total{job="api"}[5m])) > bool 0.01 * on() vector(1)"#;

    /// The same query with an equality matcher instead of the regex, to show how much of
    /// the time goes into compiling the regular expression.
    pub const QUERY_WITHOUT_REGEX: &str = r#"sum by (service) (rate(http_requests_total{job="api", code="500"}[5m])) / ignoring(code) group_left sum by (service) (rate(http_requests_total{job="api"}[5m])) > bool 0.01 * on() vector(1)"#;

    fn parse(c: &mut Criterion) {
        let Ok(expr) = simulator::promql::parse(QUERY) else {
            panic!("the benchmark query must parse");
        };
        c.bench_function("parse 200-char query", |b| {
            b.iter(|| simulator::promql::parse(black_box(QUERY)))
        });
        c.bench_function("parse 200-char query without regex", |b| {
            b.iter(|| simulator::promql::parse(black_box(QUERY_WITHOUT_REGEX)))
        });
        c.bench_function("format 200-char query", |b| {
            b.iter(|| simulator::promql::format(black_box(&expr)))
        });
    }

    criterion_group!(benches, parse);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(bench::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
