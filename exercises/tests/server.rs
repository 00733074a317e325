//! Grading on a real Prometheus (issue 8, item 3): the `inventory` scenario's default
//! window, exported as OpenMetrics, backfilled with `promtool tsdb create-blocks-from
//! openmetrics` into Debian's Prometheus (127.0.0.1, a temporary data directory, a free
//! port), and exercises of the course's packs graded there through `exercises grade
//! --prometheus`: right answers pass, the listed wrong answers fail, and every verdict has
//! the same pass and the same feedback kinds as local grading on the same data (the
//! exercise restricted to the seed the server holds).
//!
//! Prometheus 2.42 and our engine may differ in the last digits (or, next to a counter's
//! start, in extrapolation), but grading on a server compares the server with itself, so
//! the verdicts agree. Skipped with a loud message when prometheus or promtool is missing.

// Test helpers: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The real-Prometheus harness the simulator's tests use (binaries, sandbox, backfill,
// start and wait), shared by path as the app's client test does.
#[allow(dead_code)]
#[path = "../../simulator/tests/support/prometheus.rs"]
mod prometheus;

use exercises::grader::Grader;
use exercises::pack::{self, Data, Exercise};
use prometheus::{Sandbox, backfill, binaries, start_prometheus};
use simulator::exposition::OpenMetricsWriter;
use simulator::scenario;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// prometheus and promtool, or `None` after saying loudly why the test is skipped.
/// Backfills `exercise`'s scenario window (its first seed) and starts Prometheus on it.
fn prometheus_with(exercise: &Exercise) -> Option<(Sandbox, String)> {
    let (prometheus, promtool) = binaries()?;
    let Data::Scenario(data) = &exercise.data else {
        panic!("{} has no scenario", exercise.id)
    };
    let mut sb = Sandbox::new("exercises-server");
    let om = sb.dir.join("data.om");
    let s = scenario::by_name(&data.scenario).unwrap();
    let mut w =
        OpenMetricsWriter::new(std::io::BufWriter::new(std::fs::File::create(&om).unwrap()));
    s.generate(data.seeds[0], data.window, &mut w);
    w.finish().unwrap().0.flush().unwrap();
    let blocks = sb.dir.join("data");
    backfill(&promtool, &om, &blocks);
    std::fs::remove_file(&om).unwrap();
    let port = start_prometheus(
        &mut sb,
        &prometheus,
        "global:\n  scrape_interval: 1h\n",
        &blocks,
    );
    Some((sb, format!("http://127.0.0.1:{port}")))
}

fn pack_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("packs")
        .join(name)
}

fn exercise(file: &Path, id: &str) -> Exercise {
    let text = std::fs::read_to_string(file).unwrap();
    let loaded = pack::load(&file.display().to_string(), &text);
    loaded.pack.exercise(id).unwrap().clone()
}

/// `exercises grade --prometheus URL FILE ID QUERY`: the exit code and the verdict JSON.
fn grade_on_server(url: &str, file: &Path, id: &str, query: &str) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_exercises"))
        .args(["grade", "--prometheus", url])
        .arg(file)
        .args([id, query])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        (0..=2).contains(&code),
        "exit {code} for {query:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_str(&stdout).unwrap())
}

fn kinds(verdict: &serde_json::Value) -> Vec<String> {
    verdict["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn answers_graded_on_prometheus_get_the_local_verdicts() {
    let counters = pack_file("02-counters.toml");
    let alerts = pack_file("08-alerts.toml");
    let last_hour = exercise(&counters, "requests-last-hour");
    let error_rate = exercise(&alerts, "inventory-high-error-rate");
    assert_eq!(last_hour.data_scenario(), error_rate.data_scenario());
    let Some((_sandbox, url)) = prometheus_with(&last_hour) else {
        return;
    };
    let mut grader = Grader::new();
    let mut graded = 0;
    // (file, exercise, query, whether it must pass).
    let mut cases: Vec<(&Path, &Exercise, String, bool)> = vec![
        (&counters, &last_hour, last_hour.reference.clone(), true),
        // Written differently, same results.
        (
            &counters,
            &last_hour,
            "sum without () (sum(increase(inventory_requests_total[60m])))".into(),
            true,
        ),
        (&alerts, &error_rate, error_rate.reference.clone(), true),
        (
            &alerts,
            &error_rate,
            "10 < sum(rate(inventory_requests_total{status=~\"5..\"}[5m]))".into(),
            true,
        ),
        // A misspelt metric: an empty result.
        (
            &counters,
            &last_hour,
            "sum(increase(inventory_request_total[1h]))".into(),
            false,
        ),
        // Decided by the text alone: nothing is sent.
        (&counters, &last_hour, "sum(increase(".into(), false),
    ];
    for e in [&last_hour, &error_rate] {
        let file: &Path = if e.id == last_hour.id {
            &counters
        } else {
            &alerts
        };
        for w in &e.wrong {
            cases.push((file, e, w.query.clone(), false));
        }
    }
    for (file, e, query, pass) in &cases {
        let (code, verdict) = grade_on_server(&url, file, &e.id, query);
        assert_eq!(
            verdict["pass"].as_bool(),
            Some(*pass),
            "{} {query:?} on Prometheus: {verdict:#}",
            e.id
        );
        assert_eq!(code, if *pass { 0 } else { 1 });
        // Local grading on the data the server holds: the first seed only.
        let mut local = (*e).clone();
        if let Data::Scenario(d) = &mut local.data {
            d.seeds.truncate(1);
        }
        let local = serde_json::to_value(grader.grade(&local, query)).unwrap();
        assert_eq!(
            kinds(&verdict),
            kinds(&local),
            "{} {query:?}: Prometheus {verdict:#}\nlocal {local:#}",
            e.id
        );
        graded += 1;
    }
    assert!(graded >= 10, "{graded}");

    // An exercise whose scenario the server does not hold: its reference finds nothing, which
    // is the exercise's or the server's problem, not the learner's (exit 2, `internal`).
    let ratios = pack_file("04-ratios.toml");
    let elsewhere = exercise(&ratios, "transaction-success-rate");
    assert_ne!(elsewhere.data_scenario(), last_hour.data_scenario());
    let (code, verdict) = grade_on_server(&url, &ratios, &elsewhere.id, &elsewhere.reference);
    assert_eq!(code, 2, "{verdict:#}");
    assert_eq!(verdict["pass"].as_bool(), Some(false), "{verdict:#}");
    assert_eq!(kinds(&verdict), ["internal"], "{verdict:#}");
    assert!(
        verdict["feedback"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no data")),
        "{verdict:#}"
    );
}

trait ScenarioName {
    fn data_scenario(&self) -> &str;
}

impl ScenarioName for Exercise {
    fn data_scenario(&self) -> &str {
        match &self.data {
            Data::Scenario(s) => &s.scenario,
            Data::Custom(_) => "",
        }
    }
}
