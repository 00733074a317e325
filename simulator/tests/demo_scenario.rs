//! The `demo` scenario against its specification (shared/scenarios/demo-service.md): the
//! same families, labels, types and buckets, and the statistical shape of every behaviour,
//! read back through the TSDB with PromQL selectors.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use simulator::promql::{self, ExprKind};
use simulator::scenario::{
    self, DEFAULT_ANCHOR, HOUR, MINUTE, MetricType, SECOND, Scenario, Window,
};
use simulator::tsdb::{Tsdb, is_stale_marker};
use std::sync::OnceLock;

struct Demo {
    s: Scenario,
    w: Window,
    db: Tsdb,
}

/// The default window, seed 1, loaded once for all tests.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let s = scenario::by_name("demo").unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        let db = Tsdb::from_scenario(&s, 1, w);
        Demo { s, w, db }
    })
}

/// Samples (stale markers dropped) of every series a selector matches, with its labels.
fn select(sel: &str) -> Vec<(String, Vec<(i64, f64)>)> {
    let d = demo();
    let expr = promql::parse(sel).unwrap_or_else(|e| panic!("{sel}: {e:?}"));
    let ExprKind::VectorSelector(vs) = expr.kind else {
        panic!("{sel} is not a selector");
    };
    d.db.select(&vs.matchers)
        .into_iter()
        .map(|r| {
            let samples =
                d.db.samples(r, d.w.start, d.w.end)
                    .filter(|(_, v)| !is_stale_marker(*v))
                    .collect();
            (d.db.labels(r).unwrap().to_string(), samples)
        })
        .collect()
}

fn one(sel: &str) -> Vec<(i64, f64)> {
    let mut all = select(sel);
    assert_eq!(all.len(), 1, "{sel} selects {} series", all.len());
    all.pop().unwrap().1
}

/// Average per-second increase of a counter over `[from, to]` (no reset in between).
fn rate(samples: &[(i64, f64)], from: i64, to: i64) -> f64 {
    let inside: Vec<&(i64, f64)> = samples
        .iter()
        .filter(|(t, _)| *t >= from && *t <= to)
        .collect();
    let (first, last) = (inside[0], inside[inside.len() - 1]);
    assert!(last.1 >= first.1, "a reset between {from} and {to}");
    (last.1 - first.1) / ((last.0 - first.0) as f64 / 1000.0)
}

const I0: &str = "instance=\"demo.promlabs.com:10000\"";

#[test]
fn families_types_and_units() {
    let d = demo();
    let want = [
        ("demo_api_request_duration_seconds", MetricType::Histogram),
        ("demo_api_http_requests_in_progress", MetricType::Gauge),
        (
            "demo_batch_last_success_timestamp_seconds",
            MetricType::Gauge,
        ),
        ("demo_batch_last_run_timestamp_seconds", MetricType::Gauge),
        ("demo_batch_last_run_duration_seconds", MetricType::Gauge),
        ("demo_batch_last_run_processed_bytes", MetricType::Gauge),
        ("demo_cpu_usage_seconds_total", MetricType::Counter),
        ("demo_num_cpus", MetricType::Gauge),
        ("demo_disk_usage_bytes", MetricType::Gauge),
        ("demo_disk_total_bytes", MetricType::Gauge),
        ("demo_memory_usage_bytes", MetricType::Gauge),
        ("demo_is_holiday", MetricType::Gauge),
        ("demo_items_shipped_total", MetricType::Counter),
        ("demo_intermittent_metric", MetricType::Gauge),
        ("go_gc_duration_seconds", MetricType::Summary),
        ("process_start_time_seconds", MetricType::Gauge),
        ("up", MetricType::Gauge),
    ];
    for (name, kind) in want {
        let m =
            d.db.metadata()
                .get(name)
                .unwrap_or_else(|| panic!("no family {name}"));
        assert_eq!(m.kind, kind, "{name}");
        assert!(!m.help.is_empty());
    }
    assert_eq!(
        d.db.metadata_for("demo_api_request_duration_seconds_bucket")
            .unwrap()
            .1
            .unit,
        "seconds"
    );
    let targets: Vec<(&str, &str)> =
        d.s.targets()
            .iter()
            .map(|t| (t.job.as_str(), t.instance.as_str()))
            .collect();
    assert_eq!(
        targets,
        [
            ("demo", "demo.promlabs.com:10000"),
            ("demo", "demo.promlabs.com:10001"),
            ("demo", "demo.promlabs.com:10002")
        ]
    );
}

#[test]
fn histogram_buckets_and_label_sets() {
    let want = "0.0001, 0.00015000000000000001, 0.00022500000000000002, 0.0003375, 0.00050625, \
                0.000759375, 0.0011390624999999999, 0.0017085937499999998, 0.0025628906249999996, \
                0.0038443359374999994, 0.00576650390625, 0.008649755859375, 0.0129746337890625, \
                0.01946195068359375, 0.029192926025390625, 0.043789389038085935, 0.0656840835571289, \
                0.09852612533569335, 0.14778918800354002, 0.22168378200531003, 0.33252567300796504, \
                0.49878850951194753, 0.7481827642679213, 1.122274146401882, 1.683411219602823, +Inf";
    let want: Vec<&str> = want.split(", ").collect();
    let d = demo();
    let sel = format!(
        "demo_api_request_duration_seconds_bucket{{{I0},method=\"GET\",path=\"/api/foo\",status=\"200\"}}"
    );
    let expr = promql::parse(&sel).unwrap();
    let ExprKind::VectorSelector(vs) = expr.kind else {
        panic!()
    };
    let mut les: Vec<String> =
        d.db.select(&vs.matchers)
            .iter()
            .map(|r| d.db.labels(*r).unwrap().get("le").unwrap().to_string())
            .collect();
    les.sort_by(|a, b| {
        a.parse::<f64>()
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.parse::<f64>().unwrap_or(f64::INFINITY))
    });
    assert_eq!(les, want);
    let counts = select(&format!("demo_api_request_duration_seconds_count{{{I0}}}"));
    let sets: Vec<String> = counts.iter().map(|(l, _)| l.clone()).collect();
    assert_eq!(sets.len(), 9, "{sets:?}");
    for (method, path, status) in [
        ("GET", "/api/foo", "200"),
        ("GET", "/api/foo", "500"),
        ("POST", "/api/foo", "200"),
        ("POST", "/api/foo", "500"),
        ("GET", "/api/bar", "200"),
        ("GET", "/api/bar", "500"),
        ("POST", "/api/bar", "200"),
        ("POST", "/api/bar", "500"),
        ("GET", "/api/nonexistent", "404"),
    ] {
        let needle = format!("method=\"{method}\", path=\"{path}\", status=\"{status}\"");
        assert!(sets.iter().any(|s| s.contains(&needle)), "missing {needle}");
    }
    // Per instance: 9 label sets × 28 series and 18 other demo_* series.
    let per_instance = |prefix: &str| {
        d.s.series()
            .iter()
            .filter(|x| {
                x.target.index() == 0
                    && x.labels
                        .metric_name()
                        .is_some_and(|n| n.starts_with(prefix))
            })
            .count()
    };
    assert_eq!(per_instance("demo_api_request_duration_seconds"), 252);
    assert_eq!(per_instance("demo_") - 252, 18);
}

#[test]
fn request_rates_errors_and_latency_buckets() {
    let d = demo();
    let (a, b) = (d.w.start, d.w.end);
    let total = |method: &str, path: &str| {
        select(&format!(
            "demo_api_request_duration_seconds_count{{{I0},method=\"{method}\",path=\"{path}\"}}"
        ))
        .iter()
        .map(|(_, s)| rate(s, a, b))
        .sum::<f64>()
    };
    // Spec means (req/s) without outages, and the outage share of time (1/10) at lower rates.
    for (method, path, lo, hi) in [
        ("GET", "/api/foo", 29.0, 38.0),
        ("POST", "/api/foo", 2.9, 3.9),
        ("GET", "/api/bar", 16.0, 21.0),
        ("POST", "/api/bar", 3.6, 4.7),
        ("GET", "/api/nonexistent", 0.9, 1.3),
    ] {
        let r = total(method, path);
        assert!((lo..hi).contains(&r), "{method} {path}: {r} req/s");
    }
    let errors = rate(
        &one(&format!(
            "demo_api_request_duration_seconds_count{{{I0},method=\"GET\",path=\"/api/foo\",status=\"500\"}}"
        )),
        a,
        b,
    );
    assert!(
        (0.18..0.34).contains(&errors),
        "GET /api/foo 500s: {errors}/s (spec 0.26)"
    );
    // GET /api/foo: 91 % of normal requests at most 12.97 ms; in outages none.
    let bucket = |le: &str| {
        rate(
            &one(&format!(
                "demo_api_request_duration_seconds_bucket{{{I0},method=\"GET\",path=\"/api/foo\",status=\"200\",le=\"{le}\"}}"
            )),
            a,
            b,
        )
    };
    let all = bucket("+Inf");
    let fast = bucket("0.0129746337890625") / all;
    let faster = bucket("0.008649755859375") / all;
    assert!((0.75..0.95).contains(&fast), "share at most 13 ms: {fast}");
    assert!(
        (0.05..0.12).contains(&faster),
        "share at most 8.6 ms: {faster}"
    );
    assert_eq!(bucket("0.0001"), 0.0);
    // 404s all fall in the first bucket.
    let nf = |le: &str| {
        one(&format!(
            "demo_api_request_duration_seconds_bucket{{{I0},path=\"/api/nonexistent\",le=\"{le}\"}}"
        ))
    };
    assert_eq!(nf("0.0001"), nf("+Inf"));
    // Average latency of POST /api/bar: 50 ms normally, 150 ms in outages.
    let sum = one(&format!(
        "demo_api_request_duration_seconds_sum{{{I0},method=\"POST\",path=\"/api/bar\",status=\"200\"}}"
    ));
    let count = one(&format!(
        "demo_api_request_duration_seconds_count{{{I0},method=\"POST\",path=\"/api/bar\",status=\"200\"}}"
    ));
    let avg = rate(&sum, a, b) / rate(&count, a, b);
    assert!(
        (0.05..0.08).contains(&avg),
        "POST /api/bar mean latency {avg}"
    );
}

#[test]
fn outages_follow_their_cycles() {
    // POST /api/foo is in outage for the first 60 s of every 600 s since process start: its
    // observations move to the 65.7 ms bucket and above only then.
    let d = demo();
    let start = d.s.targets()[0].first_start;
    let slow = one(&format!(
        "demo_api_request_duration_seconds_bucket{{{I0},method=\"POST\",path=\"/api/foo\",status=\"200\",le=\"0.029192926025390625\"}}"
    ));
    let all = one(&format!(
        "demo_api_request_duration_seconds_bucket{{{I0},method=\"POST\",path=\"/api/foo\",status=\"200\",le=\"+Inf\"}}"
    ));
    let mut in_outage = 0;
    for k in 1..all.len() {
        let (t0, t1) = (all[k - 1].0, all[k].0);
        let inc_all = all[k].1 - all[k - 1].1;
        let inc_fast = slow[k].1 - slow[k - 1].1;
        let phase0 = (t0 - start).rem_euclid(600 * SECOND);
        let phase1 = (t1 - start).rem_euclid(600 * SECOND);
        // Counter noise moves events by up to 1.65 s, so keep 2 s away from the edges.
        let margin = 2 * SECOND;
        if phase0 >= margin && phase1 < 60 * SECOND - margin && phase1 > phase0 {
            in_outage += 1;
            assert_eq!(inc_fast, 0.0, "fast requests during an outage at {t1}");
        } else if phase0 >= 60 * SECOND + margin && phase1 > phase0 && inc_all > 20.0 {
            assert_eq!(inc_fast, inc_all, "slow requests outside an outage at {t1}");
        }
    }
    assert!(
        in_outage > 50,
        "{in_outage} scrape intervals inside outages"
    );
}

#[test]
fn in_progress_is_a_small_integer_averaging_about_one() {
    let s = one(&format!("demo_api_http_requests_in_progress{{{I0}}}"));
    assert!(
        s.iter()
            .all(|(_, v)| v.fract() == 0.0 && (0.0..=5.0).contains(v))
    );
    let mean = s.iter().map(|(_, v)| v).sum::<f64>() / s.len() as f64;
    assert!((0.6..1.3).contains(&mean), "mean {mean}");
}

#[test]
fn batch_job_gauges() {
    let run = one(&format!("demo_batch_last_run_timestamp_seconds{{{I0}}}"));
    let success = one(&format!(
        "demo_batch_last_success_timestamp_seconds{{{I0}}}"
    ));
    let duration = one(&format!("demo_batch_last_run_duration_seconds{{{I0}}}"));
    let bytes = one(&format!("demo_batch_last_run_processed_bytes{{{I0}}}"));
    let changes = |s: &[(i64, f64)]| s.windows(2).filter(|w| w[0].1 != w[1].1).count();
    let runs = changes(&run);
    assert!((355..=361).contains(&runs), "{runs} runs in 6 h");
    let successes = changes(&success) as f64 / runs as f64;
    assert!(
        (0.65..0.85).contains(&successes),
        "success share {successes}"
    );
    for k in 0..run.len() {
        let t = run[k].0 as f64 / 1000.0;
        assert!(success[k].1 <= run[k].1);
        assert!(
            t - run[k].1 >= 0.0 && t - run[k].1 < 60.0,
            "last run {} s ago",
            t - run[k].1
        );
        assert!(t - success[k].1 < 900.0);
        assert!(
            (59.998..=60.002).contains(&duration[k].1),
            "duration {}",
            duration[k].1
        );
        assert!((1_000_001.0..=1_100_000.0).contains(&bytes[k].1));
        // Completions land 11 s after the minute of process start, minus up to 2 ms.
        let start = demo().s.targets()[0].first_start as f64 / 1000.0;
        let phase = (run[k].1 - start).rem_euclid(60.0);
        assert!(
            (10.997..=11.0001).contains(&phase),
            "completion phase {phase}"
        );
    }
}

#[test]
fn cpu_counters_add_up_to_four_cpus() {
    let d = demo();
    let (a, b) = (d.w.start, d.w.end);
    let mode = |m: &str| {
        rate(
            &one(&format!(
                "demo_cpu_usage_seconds_total{{{I0},mode=\"{m}\"}}"
            )),
            a,
            b,
        )
    };
    let (user, system, idle) = (mode("user"), mode("system"), mode("idle"));
    assert!((user - 1.2).abs() < 0.01, "user {user}");
    assert!((system - 0.8).abs() < 0.01, "system {system}");
    assert!((idle - 2.0).abs() < 0.02, "idle {idle}");
    assert!((user + system + idle - 4.0).abs() < 1e-6);
    // Over one minute the rate wobbles only slightly.
    let u = one(&format!(
        "demo_cpu_usage_seconds_total{{{I0},mode=\"user\"}}"
    ));
    let r = rate(&u, a + HOUR, a + HOUR + MINUTE);
    assert!((r - 1.2).abs() < 0.03, "1m user rate {r}");
    assert!(
        one(&format!("demo_num_cpus{{{I0}}}"))
            .iter()
            .all(|(_, v)| *v == 4.0)
    );
}

#[test]
fn disk_sawtooth_and_memory_walks() {
    let d = demo();
    let usage = one(&format!("demo_disk_usage_bytes{{{I0}}}"));
    assert!(
        usage
            .iter()
            .all(|(_, v)| (16e9..=144.001e9).contains(v) && v.fract() == 0.0)
    );
    let deriv = rate(&usage, d.w.start + HOUR, d.w.start + HOUR + 10 * MINUTE);
    assert!((4e5..6e5).contains(&deriv), "disk grows {deriv} B/s");
    assert!(
        one(&format!("demo_disk_total_bytes{{{I0}}}"))
            .iter()
            .all(|(_, v)| *v == 160e9)
    );
    let mib = 1_048_576.0;
    let kind = |k: &str| one(&format!("demo_memory_usage_bytes{{{I0},type=\"{k}\"}}"));
    let (used, cached, buffers, free) =
        (kind("used"), kind("cached"), kind("buffers"), kind("free"));
    for k in 0..used.len() {
        assert!((600.0 * mib..=1800.0 * mib).contains(&used[k].1));
        assert!((1250.0 * mib..=3750.0 * mib).contains(&cached[k].1));
        assert!((82.5 * mib..=247.5 * mib).contains(&buffers[k].1));
        assert_eq!(
            free[k].1,
            8192.0 * mib - used[k].1 - cached[k].1 - buffers[k].1
        );
    }
    // The walks move, reach the edges of their band and snap back towards their base.
    let snaps = used
        .windows(2)
        .filter(|w| {
            (w[0].1 - 1200.0 * mib).abs() > 450.0 * mib
                && (w[1].1 - 1200.0 * mib).abs() < 250.0 * mib
        })
        .count();
    assert!(snaps > 10, "{snaps} snap-backs of the used-memory walk");
    assert!(used.windows(2).filter(|w| w[0].1 != w[1].1).count() > used.len() / 2);
}

#[test]
fn holidays_slow_down_shipping() {
    let d = demo();
    let holiday = one(&format!("demo_is_holiday{{{I0}}}"));
    let shipped = one(&format!("demo_items_shipped_total{{{I0}}}"));
    assert!(holiday.iter().all(|(_, v)| *v == 0.0 || *v == 1.0));
    let share = holiday.iter().map(|(_, v)| v).sum::<f64>() / holiday.len() as f64;
    assert!((0.05..0.4).contains(&share), "holiday share {share}");
    let overall = rate(&shipped, d.w.start, d.w.end);
    assert!((4.7..5.7).contains(&overall), "items/s {overall}");
    let (mut on, mut off) = ((0.0, 0.0), (0.0, 0.0));
    for k in 1..shipped.len() {
        let inc = shipped[k].1 - shipped[k - 1].1;
        let dt = (shipped[k].0 - shipped[k - 1].0) as f64 / 1000.0;
        if holiday[k].1 == 1.0 && holiday[k - 1].1 == 1.0 {
            on = (on.0 + inc, on.1 + dt);
        } else if holiday[k].1 == 0.0 && holiday[k - 1].1 == 0.0 {
            off = (off.0 + inc, off.1 + dt);
        }
    }
    let (h, n) = (on.0 / on.1, off.0 / off.1);
    assert!((5.2..6.3).contains(&n), "normal days {n}/s (spec 5.77)");
    assert!((2.8..3.7).contains(&h), "holidays {h}/s (spec 3.21)");
}

#[test]
fn intermittent_metric_exists_in_even_minutes_only() {
    let d = demo();
    let expr = promql::parse(&format!("demo_intermittent_metric{{{I0}}}")).unwrap();
    let ExprKind::VectorSelector(vs) = expr.kind else {
        panic!()
    };
    let r = d.db.select(&vs.matchers)[0];
    let samples: Vec<(i64, f64)> = d.db.samples(r, d.w.start, d.w.end).collect();
    let mut stale = 0;
    for (t, v) in &samples {
        let even = (t / MINUTE) % 2 == 0;
        if is_stale_marker(*v) {
            stale += 1;
            assert!(!even, "stale marker in an even minute at {t}");
        } else {
            assert!(even && *v == 1.0, "value in an odd minute at {t}");
        }
    }
    assert_eq!(stale, 180, "one stale marker per odd minute in 6 h");
}

#[test]
fn restart_resets_counters_and_process_start() {
    let d = demo();
    let i2 = "instance=\"demo.promlabs.com:10002\"";
    let restart = d.w.start + 2 * HOUR; // 08:00 UTC
    let up = one(&format!("up{{{i2}}}"));
    for (t, v) in &up {
        let down = *t >= restart && *t < restart + 45 * SECOND;
        assert_eq!(*v, if down { 0.0 } else { 1.0 }, "up at {t}");
    }
    let start = one(&format!("process_start_time_seconds{{{i2}}}"));
    let after: Vec<f64> = start
        .iter()
        .filter(|(t, _)| *t > restart)
        .map(|(_, v)| *v)
        .collect();
    assert!(
        after
            .iter()
            .all(|v| *v == (restart + 45 * SECOND) as f64 / 1000.0)
    );
    let cpu = one(&format!(
        "demo_cpu_usage_seconds_total{{{i2},mode=\"idle\"}}"
    ));
    let resets = cpu.windows(2).filter(|w| w[1].1 < w[0].1).count();
    assert_eq!(resets, 1);
    let first_after = cpu.iter().find(|(t, _)| *t > restart).unwrap();
    assert!(
        first_after.1 < 2.0 * 30.0,
        "idle CPU seconds right after the restart: {}",
        first_after.1
    );
    // The disk starts again at 10 %.
    let disk = one(&format!("demo_disk_usage_bytes{{{i2}}}"));
    let d_after = disk.iter().find(|(t, _)| *t > restart).unwrap().1;
    assert!(d_after < 16.1e9, "disk after restart {d_after}");
}
