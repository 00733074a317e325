//! Our engine against a real Prometheus on the same data (issue 8, item 4): a scenario
//! window exported with `simulator export`, backfilled with `promtool tsdb
//! create-blocks-from openmetrics` into Debian's Prometheus, and every query of
//! `bench/queries.txt` (selection, rates, aggregations, `topk`, `histogram_quantile`, binary
//! operations with `on`/`group_left`, set operators, functions, subqueries, `*_over_time`)
//! run by both as instant queries and as a range query: the same series, the same
//! timestamps, values within a relative 1e-6 (NaN equal to NaN).
//!
//! **Version differences the data and times avoid.** Debian ships Prometheus 2.42; we follow
//! Prometheus 3, and two of its changes make correct answers differ (BENCHMARKS.md, "PromQL
//! functions side by side"):
//!
//! * 3.x selects ranges and subquery steps left-open, `(t - range, t]`, where 2.42 includes
//!   a sample at `t - range`. Every evaluation time here is 7 s off the whole minute, and
//!   scraped samples carry milliseconds, so no sample and no subquery step lies on a range's
//!   left edge.
//! * 3.x extrapolates `rate`/`increase` next to a counter's first sample differently (the
//!   zero cutoff after the half-interval rule). The data window, 03:00–06:00 UTC of the
//!   demo scenario's default day, holds no restart and no scrape outage (its incidents come
//!   later), and every evaluation time is more than the longest range the queries read
//!   (1 h, plus 5 min for the inner range of a subquery) after the data's start, so no
//!   series starts inside a window.
//!
//! The OpenMetrics export cannot carry stale markers, so our database is loaded without
//! them too; the window has none to lose. One Prometheus answers all queries; it runs on
//! 127.0.0.1 with a temporary data directory and a free port, and the test skips loudly
//! when the binaries are missing.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]

mod support;

use simulator::promql::{self, Engine, Value};
use simulator::promqltest::compare::{EPSILON, almost_equal, show};
use simulator::scenario::{
    self, DEFAULT_ANCHOR, DEFAULT_SEED, HOUR, MINUTE, SampleSink, Scenario, SeriesId, Window,
};
use simulator::timestamp::format_time;
use simulator::tsdb::{Tsdb, is_stale_marker};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use support::prometheus::{
    Canonical, Sandbox, api_result, backfill, binaries, instant_path, range_path, start_prometheus,
};

/// Appends every sample except stale markers, as the OpenMetrics export does.
struct Load<'a>(&'a mut Tsdb);

impl SampleSink for Load<'_> {
    fn series(&mut self, s: &Scenario, id: SeriesId, ts: &[i64], vs: &[f64]) {
        let labels = &s.series()[id].labels;
        for (&t, &v) in ts.iter().zip(vs) {
            if !is_stale_marker(v) {
                self.0.append(labels, t, v).unwrap();
            }
        }
    }
}

/// `bench/queries.txt` without comments and blank lines.
fn queries() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/queries.txt");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn canonical(v: &Value) -> Canonical {
    let labels = |l: &simulator::tsdb::Labels| {
        l.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    let mut out = Canonical::new();
    match v {
        Value::Scalar { t, v } => {
            out.insert(BTreeMap::new(), vec![(*t, *v)]);
        }
        Value::String { .. } => {}
        Value::Vector(samples) => {
            for s in samples {
                out.insert(labels(&s.labels), vec![(s.t, s.v)]);
            }
        }
        Value::Matrix(series) => {
            for s in series {
                out.insert(
                    labels(&s.labels),
                    s.points.iter().map(|p| (p.t, p.v)).collect(),
                );
            }
        }
    }
    out
}

/// One comparison: what it is, our result, Prometheus' result.
type Run = (String, Result<Value, String>, Result<Canonical, String>);

/// The first few differences between the two results; empty when they agree.
fn differences(ours: &Canonical, theirs: &Canonical) -> Vec<String> {
    let mut out = Vec::new();
    for (labels, ps) in ours {
        let Some(qs) = theirs.get(labels) else {
            out.push(format!("only ours: {labels:?}"));
            continue;
        };
        let times = |x: &[(i64, f64)]| x.iter().map(|p| p.0).collect::<Vec<_>>();
        if times(ps) != times(qs) {
            out.push(format!(
                "{labels:?}: timestamps differ ({} points ours, {} Prometheus')",
                ps.len(),
                qs.len()
            ));
            continue;
        }
        if let Some(((t, a), (_, b))) = ps
            .iter()
            .zip(qs)
            .find(|((_, a), (_, b))| !almost_equal(*a, *b, EPSILON))
        {
            out.push(format!(
                "{labels:?} at {}: ours {}, Prometheus {}",
                format_time(*t),
                show(*a),
                show(*b)
            ));
        }
    }
    for labels in theirs.keys().filter(|l| !ours.contains_key(*l)) {
        out.push(format!("only Prometheus: {labels:?}"));
    }
    out.truncate(4);
    out
}

#[test]
fn range_and_instant_queries_match_prometheus() {
    let Some((prometheus, promtool)) = binaries() else {
        return;
    };
    let s = scenario::by_name("demo").unwrap();
    let day = s.default_window(DEFAULT_ANCHOR);
    // 03:00 to 06:00 UTC: before the demo's daily incidents (restart, target down).
    let w = Window::new(day.start - 3 * HOUR, day.start);
    let mut sb = Sandbox::new("engine-vs-prometheus");
    let om = sb.dir.join("demo.om");
    let status = Command::new(env!("CARGO_BIN_EXE_simulator"))
        .args(["export", "--scenario", "demo", "--format", "openmetrics"])
        .arg(format!("--seed={DEFAULT_SEED}"))
        .arg(format!("--start={}", format_time(w.start)))
        .arg(format!("--end={}", format_time(w.end)))
        .stdout(std::fs::File::create(&om).unwrap())
        .status()
        .unwrap();
    assert!(status.success(), "simulator export failed");
    let data = sb.dir.join("data");
    backfill(&promtool, &om, &data);
    let port = start_prometheus(
        &mut sb,
        &prometheus,
        "global:\n  scrape_interval: 1h\n",
        &data,
    );

    let mut db = Tsdb::new();
    s.generate(DEFAULT_SEED, w, &mut Load(&mut db));
    db.compact();
    let engine = Engine::default();

    // 7 s off the minute (left edges), more than 1 h 5 min after the data's start (series
    // starts); the range query every minute from 04:10:07 to 05:59:53.
    let instants = [w.start + HOUR + 20 * MINUTE + 7_000, w.end - 7_000];
    let (range_start, range_end, step) =
        (w.start + HOUR + 10 * MINUTE + 7_000, w.end - 7_000, MINUTE);

    let queries = queries();
    assert!(
        queries.len() >= 40,
        "bench/queries.txt has {} queries",
        queries.len()
    );
    let mut failures = Vec::new();
    let mut points = 0usize;
    for q in &queries {
        let expr = promql::parse(q).unwrap_or_else(|e| panic!("{q}: {}", e[0].message));
        let mut runs: Vec<Run> = instants
            .iter()
            .map(|&t| {
                (
                    format!("instant at {}", format_time(t)),
                    engine
                        .instant(&db, &expr, t)
                        .map(|r| r.value)
                        .map_err(|e| e.to_string()),
                    api_result(port, &instant_path(q, t)),
                )
            })
            .collect();
        runs.push((
            "range".into(),
            engine
                .range(&db, &expr, range_start, range_end, step)
                .map(|r| r.value)
                .map_err(|e| e.to_string()),
            api_result(port, &range_path(q, range_start, range_end, step)),
        ));
        for (kind, ours, theirs) in runs {
            match (ours, theirs) {
                (Ok(ours), Ok(theirs)) => {
                    let ours = canonical(&ours);
                    let diffs = differences(&ours, &theirs);
                    if diffs.is_empty() {
                        points += theirs.values().map(Vec::len).sum::<usize>();
                    } else {
                        failures.push(format!("{q} ({kind}):\n    {}", diffs.join("\n    ")));
                    }
                }
                (ours, theirs) => failures.push(format!(
                    "{q} ({kind}): ours {:?}, Prometheus {:?}",
                    ours.err(),
                    theirs.err()
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} comparisons differ:\n{}",
        failures.len(),
        queries.len() * 3,
        failures.join("\n")
    );
    // Most queries return data: an empty pair of results agrees too easily.
    assert!(points > 100_000, "only {points} points compared");
}
