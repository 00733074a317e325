//! Every seed query, evaluated by a real Prometheus over its scenario's default window.
//!
//! Until our evaluator exists (issue 5), the `expect` of `tests/data/seed_queries.toml` is
//! checked against Debian's Prometheus (2.42): each seed scenario's default window is
//! exported as OpenMetrics, backfilled with `promtool tsdb create-blocks-from openmetrics`,
//! and every query runs as a range query over its evaluation plan
//! ([`seeds::evaluation_plan`]), one step a minute. "data" queries must give a result at
//! every step, incident queries (the seeds' alert expressions) at some step while their
//! incident runs and at no more than a fifth of the minutes outside it. The evaluator's own
//! test will run the same plans.
//!
//! One Prometheus per scenario, since several scenarios share metric names. Prometheus runs
//! on 127.0.0.1 with a temporary data directory; the test skips loudly without it. The
//! OpenMetrics export carries no stale markers, so a query reading a target while it is
//! down still finds the samples before; the plans already leave those minutes out.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]

mod support;

use simulator::scenario::{self, DEFAULT_ANCHOR};
use simulator::timestamp::format_time;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use support::prometheus::{Sandbox, binaries, query_range, start_prometheus};
use support::seeds::{self, Evaluation};

/// The plan's times as contiguous runs `(first, last)` one step apart.
fn runs(plan: &Evaluation) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &t in &plan.times {
        match out.last_mut() {
            Some((_, last)) if t == *last + seeds::PLAN_STEP => *last = t,
            _ => out.push((t, t)),
        }
    }
    out
}

#[test]
fn seed_queries_return_data_in_a_real_prometheus() {
    let Some((prometheus, promtool)) = binaries() else {
        return;
    };
    let data = seeds::queries();
    let names: BTreeSet<&str> = data.query.iter().map(|q| q.scenario.as_str()).collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in names {
        let s = scenario::by_name(name).unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        let mut sb = Sandbox::new(&format!("seeds-{name}"));
        let om = sb.dir.join(format!("{name}.om"));
        let status = Command::new(env!("CARGO_BIN_EXE_simulator"))
            .args(["export", "--scenario", name, "--format", "openmetrics"])
            .stdout(std::fs::File::create(&om).unwrap())
            .status()
            .unwrap();
        assert!(status.success(), "export of {name} failed");
        let blocks = sb.dir.join("data");
        let out = Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&om)
            .arg(&blocks)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "promtool failed on {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The export is large; Prometheus has it now.
        let _ = std::fs::remove_file(&om);
        let port = start_prometheus(
            &mut sb,
            &prometheus,
            "global:\n  scrape_interval: 15s\n",
            &blocks,
        );
        let rules: Vec<_> = data
            .recording_rule
            .iter()
            .filter(|r| r.scenario == name)
            .collect();
        for q in data.query.iter().filter(|q| q.scenario == name) {
            let plan = seeds::evaluation_plan(q, &rules, &s, w).unwrap();
            let mut answered = BTreeSet::new();
            let mut series = 0;
            for (start, end) in runs(&plan) {
                for (_, samples) in query_range(port, &plan.query, start, end, seeds::PLAN_STEP) {
                    series += 1;
                    answered.extend(samples.iter().map(|(t, _)| *t));
                }
            }
            let missing: Vec<i64> = plan
                .times
                .iter()
                .copied()
                .filter(|t| !answered.contains(t))
                .collect();
            let ok = if plan.every {
                missing.is_empty()
            } else {
                missing.len() < plan.times.len()
            };
            if !ok {
                let shown: BTreeMap<usize, String> = missing
                    .iter()
                    .take(5)
                    .enumerate()
                    .map(|(i, t)| (i, format_time(*t)))
                    .collect();
                failures.push(format!(
                    "{}: {} of {} evaluation times without a result (first: {:?}), {series} \
                     series in all",
                    q.label(),
                    missing.len(),
                    plan.times.len(),
                    shown.values().collect::<Vec<_>>()
                ));
            }
            // An alert expression is a signal: outside its incident it stays quiet most of
            // the time (the effects of one incident may spill into the next minutes).
            if !plan.every {
                let from = w.start + 5 * scenario::MINUTE;
                let during: BTreeSet<i64> = plan.times.iter().copied().collect();
                let mut firing = BTreeSet::new();
                for (_, samples) in query_range(port, &plan.query, from, w.end, seeds::PLAN_STEP) {
                    firing.extend(
                        samples
                            .iter()
                            .map(|(t, _)| *t)
                            .filter(|t| !during.contains(t)),
                    );
                }
                let outside = (0..)
                    .map(|i| from + i * seeds::PLAN_STEP)
                    .take_while(|&t| t <= w.end)
                    .filter(|t| !during.contains(t))
                    .count();
                if firing.len() * 5 > outside {
                    failures.push(format!(
                        "{}: fires at {} of the {outside} minutes outside its incident",
                        q.label(),
                        firing.len()
                    ));
                }
            }
            checked += 1;
        }
        // The queries each incident of the window names as showing it return data while
        // it runs.
        for o in s.occurrences(w) {
            let incident = &s.incidents()[o.incident];
            let (start, end) = (o.start.max(w.start), o.end.min(w.end));
            for q in &incident.shows {
                let results = query_range(port, q, start, end, seeds::PLAN_STEP);
                if results.iter().all(|(_, samples)| samples.is_empty()) {
                    failures.push(format!(
                        "{name}: incident {:?}: {q:?} returns nothing while it runs",
                        incident.title
                    ));
                }
            }
        }
    }
    assert_eq!(checked, data.query.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
