//! Every seed query, evaluated by our own engine over its scenario's default window (issue 4,
//! item 2): the example queries the course seeds print return sensible data on the scenario
//! that stands in for the seed's stack.
//!
//! The plans are the ones `seed_queries_prometheus.rs` runs in a real Prometheus
//! ([`seeds::evaluation_plan`]): for `expect = "data"`, every minute from the window's fifth
//! minute on must give a non-empty result, and at each of those minutes at least one value
//! must be a number (a query whose every value is NaN, say a ratio of two zero rates, shows
//! nothing a learner can read); for an alert expression (`expect = "incident"`), some minute
//! of its incident must give a result, and it stays quiet at four fifths of the minutes
//! outside it. The queries an incident names as showing it return data while it runs.
//!
//! Unlike the OpenMetrics export Prometheus is fed from, our database holds the stale
//! markers the simulator writes when a target goes down, exactly as a scraping Prometheus
//! would; the plans already leave those minutes out (`except_during`).

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use simulator::promql::{self, Engine, Value};
use simulator::scenario::{self, DEFAULT_ANCHOR, DEFAULT_SEED, MINUTE};
use simulator::timestamp::format_time;
use simulator::tsdb::Tsdb;
use std::collections::{BTreeMap, BTreeSet};
use support::seeds::{self, Evaluation};

/// The plan's times as contiguous runs `(first, last)` one step apart.
fn runs(times: &[i64]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &t in times {
        match out.last_mut() {
            Some((_, last)) if t == *last + seeds::PLAN_STEP => *last = t,
            _ => out.push((t, t)),
        }
    }
    out
}

/// Per evaluation time of `times`, whether the result had any series and whether any of
/// its values was a number; or the engine's error.
fn evaluate(
    engine: &Engine,
    db: &Tsdb,
    query: &str,
    times: &[i64],
) -> Result<BTreeMap<i64, bool>, String> {
    let expr = promql::parse(query).map_err(|e| format!("does not parse: {}", e[0].message))?;
    let mut out = BTreeMap::new();
    for (start, end) in runs(times) {
        let r = engine
            .range(db, &expr, start, end, seeds::PLAN_STEP)
            .map_err(|e| format!("fails from {}: {e}", format_time(start)))?;
        let Value::Matrix(series) = r.value else {
            return Err(format!("a range query gave a {}", r.value.result_type()));
        };
        for s in &series {
            for p in &s.points {
                let numeric = out.entry(p.t).or_insert(false);
                *numeric |= !p.v.is_nan();
            }
        }
    }
    Ok(out)
}

#[test]
fn seed_queries_return_data_in_our_engine() {
    let data = seeds::queries();
    let names: BTreeSet<&str> = data.query.iter().map(|q| q.scenario.as_str()).collect();
    let engine = Engine::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in names {
        let s = scenario::by_name(name).unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        let db = Tsdb::from_scenario(&s, DEFAULT_SEED, w);
        let rules: Vec<_> = data
            .recording_rule
            .iter()
            .filter(|r| r.scenario == name)
            .collect();
        for q in data.query.iter().filter(|q| q.scenario == name) {
            checked += 1;
            let plan: Evaluation = match seeds::evaluation_plan(q, &rules, &s, w) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{}: no plan: {e}", q.label()));
                    continue;
                }
            };
            let answered = match evaluate(&engine, &db, &plan.query, &plan.times) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{}: {e}", q.label()));
                    continue;
                }
            };
            let empty: Vec<i64> = plan
                .times
                .iter()
                .copied()
                .filter(|t| !answered.contains_key(t))
                .collect();
            let all_nan: Vec<i64> = plan
                .times
                .iter()
                .copied()
                .filter(|t| answered.get(t) == Some(&false))
                .collect();
            let first = |ts: &[i64]| -> Vec<String> {
                ts.iter().take(3).map(|t| format_time(*t)).collect()
            };
            if plan.every {
                if !empty.is_empty() {
                    failures.push(format!(
                        "{}: empty at {} of {} evaluation times (first: {:?})",
                        q.label(),
                        empty.len(),
                        plan.times.len(),
                        first(&empty)
                    ));
                }
                if !all_nan.is_empty() {
                    failures.push(format!(
                        "{}: only NaN at {} of {} evaluation times (first: {:?})",
                        q.label(),
                        all_nan.len(),
                        plan.times.len(),
                        first(&all_nan)
                    ));
                }
            } else {
                if empty.len() == plan.times.len() {
                    failures.push(format!(
                        "{}: no result at any of the {} minutes of its incident ({:?} ...)",
                        q.label(),
                        plan.times.len(),
                        first(&plan.times)
                    ));
                }
                // An alert expression is a signal: outside its incident it stays quiet most
                // of the time (the effects of one incident may spill into the next minutes).
                let during: BTreeSet<i64> = plan.times.iter().copied().collect();
                let outside: Vec<i64> = (0..)
                    .map(|i| w.start + 5 * MINUTE + i * seeds::PLAN_STEP)
                    .take_while(|&t| t <= w.end)
                    .filter(|t| !during.contains(t))
                    .collect();
                match evaluate(&engine, &db, &plan.query, &outside) {
                    Ok(firing) if firing.len() * 5 > outside.len() => failures.push(format!(
                        "{}: fires at {} of the {} minutes outside its incident",
                        q.label(),
                        firing.len(),
                        outside.len()
                    )),
                    Ok(_) => {}
                    Err(e) => failures.push(format!("{}: {e}", q.label())),
                }
            }
        }
        // The queries each incident of the window names as showing it return data while it
        // runs.
        for o in s.occurrences(w) {
            let incident = &s.incidents()[o.incident];
            let (start, end) = (o.start.max(w.start), o.end.min(w.end));
            let times: Vec<i64> = (0..)
                .map(|i| start + i * seeds::PLAN_STEP)
                .take_while(|&t| t <= end)
                .collect();
            for shows in &incident.shows {
                match evaluate(&engine, &db, shows, &times) {
                    Ok(a) if a.is_empty() => failures.push(format!(
                        "{name}: incident {:?}: {shows:?} returns nothing while it runs",
                        incident.title
                    )),
                    Ok(_) => {}
                    Err(e) => failures.push(format!(
                        "{name}: incident {:?}: {shows:?}: {e}",
                        incident.title
                    )),
                }
            }
        }
    }
    assert_eq!(checked, data.query.len());
    assert!(
        failures.is_empty(),
        "{} of {checked} seed queries or incident queries fail in our engine:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
