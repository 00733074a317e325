//! How long "Check" takes: grading one answer against an exercise on a scenario.
//!
//! `cold` builds a fresh grader each time, so it generates the two seeds' data sets and
//! evaluates the reference before the answer: the first check of an exercise. `warm` reuses
//! one grader, as the app's worker does: every later check, and the first check of another
//! exercise on the same scenario, seeds and window.

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use exercises::grader::Grader;
use std::hint::black_box;

const PACK: &str = r#"
[pack]
id = "bench"
title = "Bench"
version = "1"
author = "bench"
licence = "CC0-1.0"

[[exercise]]
id = "success-rate"
module = "Ratios"
title = "Transaction success rate"
difficulty = "intermediate"
prompt = "The share of transactions that succeed, over 5 minutes."
reference = '''
sum(rate(ebanking_transactions_processed_total{status="success"}[5m]))
/ sum(rate(ebanking_transactions_processed_total[5m]))'''
data = { scenario = "ebanking", seeds = [1, 2] }
eval = { at = ["08:00", "09:30", "10:45", "11:30"] }
"#;

fn grade(c: &mut Criterion) {
    let loaded = exercises::load("bench.toml", PACK);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let exercise = loaded.pack.exercises[0].clone();
    let answer = "sum(rate(ebanking_transactions_processed_total{status=\"success\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))";
    let wrong = "sum by (status) (rate(ebanking_transactions_processed_total[5m]))";
    let mut g = c.benchmark_group("grade");
    g.sample_size(10);
    g.bench_function("cold: generate 2 seeds, reference, answer", |b| {
        b.iter(|| {
            let mut grader = Grader::new();
            black_box(grader.grade(&exercise, answer))
        })
    });
    let mut grader = Grader::new();
    let _ = grader.grade(&exercise, answer);
    g.sample_size(50);
    g.bench_function("warm: right answer", |b| {
        b.iter(|| black_box(grader.grade(&exercise, answer)))
    });
    g.bench_function("warm: wrong answer with feedback", |b| {
        b.iter(|| black_box(grader.grade(&exercise, wrong)))
    });
    g.finish();
}

criterion_group!(benches, grade);
criterion_main!(benches);
