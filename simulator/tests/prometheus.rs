//! Against a real Prometheus (Debian's `prometheus` package: prometheus and promtool):
//!
//! * `simulator export` output backfilled with `promtool tsdb create-blocks-from
//!   openmetrics` and queried with `/api/v1/query?time=` gives exactly our values;
//! * a Prometheus scraping `simulator serve`, configured from the serve help page, sees the
//!   targets up and the demo series.
//!
//! Both run Prometheus on 127.0.0.1 with a temporary data directory and free ports, and skip
//! with a loud message when the binaries are missing.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]

mod support;

use simulator::scenario::{self, DEFAULT_ANCHOR, MINUTE, SampleSink, Scenario, SeriesId, Window};
use simulator::timestamp::format_time;
use simulator::tsdb::is_stale_marker;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;
use support::prometheus::{Sandbox, binaries, free_port, get, query, start_prometheus, wait_for};

#[derive(Default)]
struct Collect(Vec<Vec<(i64, f64)>>);

impl SampleSink for Collect {
    fn series(&mut self, s: &Scenario, id: SeriesId, ts: &[i64], vs: &[f64]) {
        if self.0.is_empty() {
            self.0 = vec![Vec::new(); s.series().len()];
        }
        self.0[id].extend(ts.iter().copied().zip(vs.iter().copied()));
    }
}

#[test]
fn promtool_backfill_returns_our_values() {
    let Some((prometheus, promtool)) = binaries() else {
        return;
    };
    let mut sb = Sandbox::new("backfill");
    let s = scenario::by_name("demo").unwrap();
    // 07:30 to 08:30 UTC of the default day, across the :10002 restart; long before now,
    // as backfilled blocks must be.
    let day = s.default_window(DEFAULT_ANCHOR);
    let w = Window::new(day.start + 90 * MINUTE, day.start + 150 * MINUTE);
    let om = sb.dir.join("demo.om");
    let status = Command::new(env!("CARGO_BIN_EXE_simulator"))
        .args(["export", "--scenario", "demo", "--format", "openmetrics"])
        .arg(format!("--start={}", format_time(w.start)))
        .arg(format!("--end={}", w.end / 1000))
        .stdout(std::fs::File::create(&om).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let data = sb.dir.join("data");
    let out = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let port = start_prometheus(
        &mut sb,
        &prometheus,
        "global:\n  scrape_interval: 15s\n",
        &data,
    );

    let mut ours = Collect::default();
    s.generate(1, w, &mut ours);
    // Our value at `t`: the latest sample at or before `t`, within the 5 minute lookback
    // (the export has no stale markers, so neither does this lookup).
    let ours_at = |labels: &BTreeMap<String, String>, t: i64| -> Option<f64> {
        let id = s.series().iter().position(|x| {
            x.labels.len() == labels.len()
                && x.labels
                    .iter()
                    .all(|(n, v)| labels.get(n).is_some_and(|w| w == v))
        })?;
        ours.0[id]
            .iter()
            .rev()
            .filter(|(_, v)| !is_stale_marker(*v))
            .find(|(ts, _)| *ts <= t)
            .filter(|(ts, _)| t - ts < 5 * MINUTE)
            .map(|(_, v)| *v)
    };
    let times = [w.start + 15 * MINUTE + 7, w.start + 40 * MINUTE + 1, w.end];
    let selectors = [
        "demo_cpu_usage_seconds_total",
        "demo_api_request_duration_seconds_bucket{method=\"GET\",path=\"/api/foo\"}",
        "demo_api_request_duration_seconds_sum",
        "demo_memory_usage_bytes",
        "demo_batch_last_run_timestamp_seconds",
        "demo_items_shipped_total",
        "process_start_time_seconds",
        "go_gc_duration_seconds",
        "up",
        "scrape_samples_scraped",
        "scrape_duration_seconds",
    ];
    let mut compared = 0;
    for &t in &times {
        for sel in selectors {
            let result = query(port, sel, t);
            assert!(!result.is_empty(), "{sel} at {}: no result", format_time(t));
            for (labels, value) in result {
                let want = ours_at(&labels, t)
                    .unwrap_or_else(|| panic!("{sel}: unknown series {labels:?}"));
                assert_eq!(
                    value.to_bits(),
                    want.to_bits(),
                    "{labels:?} at {}: Prometheus {value}, ours {want}",
                    format_time(t)
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 500, "only {compared} values compared");
    // The restart is visible to PromQL: one counter reset on :10002, none elsewhere.
    let resets = query(
        port,
        "resets(demo_cpu_usage_seconds_total{mode=\"user\"}[40m])",
        w.start + 40 * MINUTE,
    );
    for (labels, v) in resets {
        let want = if labels["instance"].ends_with(":10002") {
            1.0
        } else {
            0.0
        };
        assert_eq!(v, want, "{labels:?}");
    }
    assert!(sb.log("prometheus.log").contains("Server is ready"));
}

#[test]
fn prometheus_scrapes_simulator_serve() {
    let Some((prometheus, _)) = binaries() else {
        return;
    };
    let mut sb = Sandbox::new("serve");
    let serve_port = free_port();
    sb.spawn(
        Command::new(env!("CARGO_BIN_EXE_simulator")).args([
            "serve",
            "--scenario",
            "demo",
            "--listen",
            &format!("127.0.0.1:{serve_port}"),
        ]),
        "serve.log",
    );
    wait_for("simulator serve", Duration::from_secs(30), || {
        get(serve_port, "/").is_some()
    });
    let (status, help) = get(serve_port, "/").unwrap();
    assert_eq!(status, 200);
    let (status, metrics) = get(serve_port, "/metrics/demo.promlabs.com:10000").unwrap();
    assert_eq!(status, 200, "{metrics}");
    assert!(metrics.contains("# TYPE demo_api_request_duration_seconds histogram"));
    assert!(metrics.contains("demo_num_cpus 4\n"));
    assert!(
        !metrics.contains("instance="),
        "target labels are Prometheus' to add"
    );
    assert_eq!(get(serve_port, "/nope").unwrap().0, 404);
    // Several scrapes at once are all answered.
    let handles: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(move || get(serve_port, "/metrics").map(|(s, _)| s)))
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(200));
    }

    // The scrape configuration the help page offers, scraping every second.
    let config = help
        .split_once("scrape_configs:")
        .map(|(_, rest)| format!("scrape_configs:{rest}"))
        .unwrap()
        .replace("scrape_interval: 15s", "scrape_interval: 1s");
    let data = sb.dir.join("data");
    let port = start_prometheus(&mut sb, &prometheus, &config, &data);
    wait_for(
        "the demo targets to be scraped",
        Duration::from_secs(60),
        || {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
            let up = query(port, "up{job=\"demo\"}", now);
            let cpus = query(
                port,
                "demo_num_cpus{instance=\"demo.promlabs.com:10000\"}",
                now,
            );
            up.len() == 3
                && up.iter().any(|(_, v)| *v == 1.0)
                && cpus.first().is_some_and(|(_, v)| *v == 4.0)
        },
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let s = scenario::by_name("demo").unwrap();
    for (labels, v) in query(port, "up{job=\"demo\"}", now) {
        let j = s
            .targets()
            .iter()
            .position(|t| t.instance == labels["instance"])
            .unwrap();
        let target = simulator::scenario::TargetId::from_index(j);
        // Within a few seconds of an incident's edge either answer is right.
        let settled = (-3..=3).all(|k| s.is_up(target, now + k * 1000) == s.is_up(target, now));
        if settled {
            assert_eq!(
                v,
                if s.is_up(target, now) { 1.0 } else { 0.0 },
                "{labels:?}"
            );
        }
    }
    let buckets = query(
        port,
        "count(demo_api_request_duration_seconds_bucket{instance=\"demo.promlabs.com:10000\"})",
        now,
    );
    assert!(
        buckets.first().is_some_and(|(_, v)| *v >= 26.0 * 5.0),
        "{buckets:?}"
    );
}
