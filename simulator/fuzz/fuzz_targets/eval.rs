//! Fuzzes the evaluator: every query that parses is evaluated over a small fixed data set.
//!
//! For any query: evaluation never panics and returns (a hang shows as a libFuzzer timeout);
//! an instant and a range query, every subtree (the explain view evaluates each node) and
//! `data_range` all run; a vector or matrix result never holds two series with the same
//! labels (Prometheus refuses such results, so the engine must report an error instead);
//! points of a matrix are in ascending time order. The limits are lowered so a query that
//! asks for too much fails fast rather than timing out.

#![no_main]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use simulator::promql::{self, Engine, EngineOptions, Limits, NoProgress, QueryTimes, Value};
use simulator::tsdb::{Labels, Tsdb, stale_marker};

const MINUTE: i64 = 60_000;
const INTERVAL: i64 = 15_000;
const END: i64 = 60 * MINUTE;

/// A small data set with the shapes queries meet: counters with a reset, classic-histogram
/// buckets, a gauge with a NaN, a target that goes down (stale markers), a UTF-8 name.
static DB: LazyLock<Tsdb> = LazyLock::new(|| {
    let mut db = Tsdb::new();
    let mut add = |pairs: &[(&str, &str)], f: &dyn Fn(i64) -> f64| {
        let Ok(labels) = Labels::new(pairs.iter().copied()) else {
            return;
        };
        let mut t = 0;
        while t <= END {
            let _ = db.append(&labels, t, f(t));
            t += INTERVAL;
        }
    };
    for (instance, scale) in [("a:9100", 1.0), ("b:9100", 2.5)] {
        for (method, code, rate) in [("get", "200", 10.0), ("get", "500", 0.5), ("post", "200", 3.0)]
        {
            add(
                &[
                    ("__name__", "http_requests_total"),
                    ("job", "api"),
                    ("instance", instance),
                    ("method", method),
                    ("code", code),
                ],
                &|t| {
                    // A restart at minute 30 resets the counter.
                    let since = if t >= 30 * MINUTE { t - 30 * MINUTE } else { t };
                    (since / 1000) as f64 * rate * scale / 15.0
                },
            );
        }
        let mut cumulative = 0.0;
        for (le, share) in [("0.1", 0.5), ("0.5", 0.3), ("1", 0.15), ("+Inf", 0.05)] {
            cumulative += share;
            let c = cumulative;
            add(
                &[
                    ("__name__", "http_request_duration_seconds_bucket"),
                    ("job", "api"),
                    ("instance", instance),
                    ("le", le),
                ],
                &|t| (t / 1000) as f64 * c * scale,
            );
        }
        add(
            &[
                ("__name__", "http_request_duration_seconds_count"),
                ("job", "api"),
                ("instance", instance),
            ],
            &|t| (t / 1000) as f64 * scale,
        );
        add(
            &[
                ("__name__", "http_request_duration_seconds_sum"),
                ("job", "api"),
                ("instance", instance),
            ],
            &|t| (t / 1000) as f64 * scale * 0.2,
        );
        add(
            &[
                ("__name__", "node_memory_free_bytes"),
                ("job", "node"),
                ("instance", instance),
            ],
            &|t| {
                if t == 20 * MINUTE {
                    f64::NAN
                } else {
                    1e9 * scale - (t as f64) * 3.0
                }
            },
        );
    }
    // Target b goes down from minute 40 to 50: `up` is 0 and its gauge goes stale.
    add(
        &[("__name__", "up"), ("job", "node"), ("instance", "a:9100")],
        &|_| 1.0,
    );
    add(
        &[("__name__", "up"), ("job", "node"), ("instance", "b:9100")],
        &|t| if (40 * MINUTE..50 * MINUTE).contains(&t) { 0.0 } else { 1.0 },
    );
    add(
        &[("__name__", "node_load1"), ("job", "node"), ("instance", "b:9100")],
        &|t| {
            if t == 40 * MINUTE {
                stale_marker()
            } else {
                1.0 + ((t / INTERVAL) % 7) as f64 / 10.0
            }
        },
    );
    add(&[("__name__", "my.metric"), ("a.b", "c")], &|t| -((t / MINUTE) as f64));
    db.compact();
    db
});

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(EngineOptions {
        limits: Limits {
            max_samples: 200_000,
            max_steps: 11_000,
        },
        ..EngineOptions::default()
    })
});

fn check(query: &str, value: &Value) {
    match value {
        Value::Vector(samples) => {
            let mut seen = BTreeSet::new();
            for s in samples {
                assert!(
                    seen.insert(s.labels.to_string()),
                    "{query:?} returned two samples labelled {}",
                    s.labels
                );
            }
        }
        Value::Matrix(series) => {
            let mut seen = BTreeSet::new();
            for s in series {
                assert!(
                    seen.insert(s.labels.to_string()),
                    "{query:?} returned two series labelled {}",
                    s.labels
                );
                assert!(
                    s.points.windows(2).all(|w| w[0].t < w[1].t),
                    "{query:?}: the points of {} are not in ascending time order",
                    s.labels
                );
            }
        }
        Value::Scalar { .. } | Value::String { .. } => {}
    }
}

/// Child-index paths of every node, depth first, at most `cap` of them.
fn paths(expr: &promql::Expr, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>, cap: usize) {
    if out.len() >= cap {
        return;
    }
    out.push(prefix.clone());
    for (i, child) in expr.children().into_iter().enumerate() {
        prefix.push(i);
        paths(child, prefix, out, cap);
        prefix.pop();
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if query.len() > 400 {
        return;
    }
    let Ok(expr) = promql::parse(query) else {
        return;
    };
    let db = &*DB;
    let engine = &*ENGINE;
    let range = QueryTimes {
        start: 10 * MINUTE,
        end: END,
        step: MINUTE,
    };
    let instant = QueryTimes {
        start: 45 * MINUTE,
        end: 45 * MINUTE,
        step: 0,
    };
    for times in [instant, range] {
        let _ = engine.data_range(&expr, times);
        if let Ok(result) = engine.query(db, &expr, times, &mut NoProgress) {
            check(query, &result.value);
        }
    }
    let mut all = Vec::new();
    paths(&expr, &mut Vec::new(), &mut all, 16);
    for path in all.iter().skip(1) {
        if let Some(Ok(result)) = engine.subtree(db, &expr, path, range, &mut NoProgress) {
            check(query, &result.value);
        }
    }
});
