//! Engine tests that need no function implementations: literals, selectors with lookback
//! and staleness, offset and `@`, aggregation, binary operators, limits and cancellation.
//! Prometheus' own scripts (run by `simulator promqltest`) cover the semantics in depth;
//! these pin the engine's contract and its edge cases.

use super::*;
use crate::promql::functions::{Implementation, RangeFunction, Window};
use crate::promql::limits::Cancelled;
use crate::promql::parse;
use crate::tsdb::stale_marker;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::new(pairs.iter().copied()).unwrap()
}

/// A database from `(labels, [(seconds, value)])`.
type SeriesSpec<'a> = (&'a [(&'a str, &'a str)], &'a [(i64, f64)]);

fn db(series: &[SeriesSpec<'_>]) -> Tsdb {
    let mut db = Tsdb::new();
    for (l, samples) in series {
        let l = labels(l);
        for &(t, v) in *samples {
            db.append(&l, t * 1000, v).unwrap();
        }
    }
    db
}

fn instant(db: &Tsdb, q: &str, t_seconds: i64) -> Value {
    Engine::default()
        .instant(db, &parse(q).unwrap(), t_seconds * 1000)
        .unwrap()
        .value
}

fn range(db: &Tsdb, q: &str, start: i64, end: i64, step: i64) -> Value {
    Engine::default()
        .range(
            db,
            &parse(q).unwrap(),
            start * 1000,
            end * 1000,
            step * 1000,
        )
        .unwrap()
        .value
}

/// `(labels as text, value)` per sample of an instant vector.
fn vector(v: &Value) -> Vec<(String, f64)> {
    match v {
        Value::Vector(samples) => samples
            .iter()
            .map(|s| (s.labels.to_string(), s.v))
            .collect(),
        other => panic!("not a vector: {other:?}"),
    }
}

/// `(labels as text, [(seconds, value)])` per series of a matrix.
fn matrix(v: &Value) -> Vec<(String, Vec<(i64, f64)>)> {
    match v {
        Value::Matrix(series) => series
            .iter()
            .map(|s| {
                (
                    s.labels.to_string(),
                    s.points.iter().map(|p| (p.t / 1000, p.v)).collect(),
                )
            })
            .collect(),
        other => panic!("not a matrix: {other:?}"),
    }
}

fn two_series() -> Tsdb {
    db(&[
        (
            &[("__name__", "up"), ("job", "a")],
            &[(0, 1.0), (60, 2.0), (120, 3.0)],
        ),
        (
            &[("__name__", "up"), ("job", "b")],
            &[(0, 10.0), (60, 20.0)],
        ),
    ])
}

#[test]
fn number_and_string_literals() {
    let d = Tsdb::new();
    assert_eq!(instant(&d, "1.5", 10), Value::Scalar { t: 10_000, v: 1.5 });
    assert_eq!(
        instant(&d, "\"hi\"", 10),
        Value::String {
            t: 10_000,
            v: "hi".into()
        }
    );
    assert_eq!(
        matrix(&range(&d, "-2", 0, 20, 10)),
        vec![("{}".to_string(), vec![(0, -2.0), (10, -2.0), (20, -2.0)])]
    );
}

#[test]
fn selectors_look_back_five_minutes_and_stop_at_stale_markers() {
    let d = two_series();
    assert_eq!(
        vector(&instant(&d, "up", 90)),
        vec![
            ("up{job=\"a\"}".into(), 2.0),
            ("up{job=\"b\"}".into(), 20.0)
        ]
    );
    // 60 s + 300 s is outside the lookback for job b at 360 s (the window is left-open).
    assert_eq!(
        vector(&instant(&d, "up", 360)),
        vec![("up{job=\"a\"}".into(), 3.0)]
    );
    assert_eq!(
        matrix(&range(&d, "up{job=\"b\"}", 0, 420, 60)),
        vec![(
            "up{job=\"b\"}".into(),
            vec![
                (0, 10.0),
                (60, 20.0),
                (120, 20.0),
                (180, 20.0),
                (240, 20.0),
                (300, 20.0)
            ]
        )]
    );
    let stale = db(&[(
        &[("__name__", "x")],
        &[(0, 1.0), (30, stale_marker()), (60, 2.0)],
    )]);
    assert_eq!(
        matrix(&range(&stale, "x", 0, 90, 15)),
        vec![(
            "x".into(),
            vec![(0, 1.0), (15, 1.0), (60, 2.0), (75, 2.0), (90, 2.0)]
        )]
    );
}

#[test]
fn offset_and_at_shift_the_lookup() {
    let d = two_series();
    assert_eq!(
        vector(&instant(&d, "up{job=\"a\"} offset 1m", 120)),
        vec![("up{job=\"a\"}".into(), 2.0)]
    );
    assert_eq!(
        matrix(&range(&d, "up{job=\"a\"} @ 60", 0, 120, 60)),
        vec![(
            "up{job=\"a\"}".into(),
            vec![(0, 2.0), (60, 2.0), (120, 2.0)]
        )]
    );
    assert_eq!(
        matrix(&range(&d, "up{job=\"a\"} @ end()", 0, 120, 60)),
        vec![(
            "up{job=\"a\"}".into(),
            vec![(0, 3.0), (60, 3.0), (120, 3.0)]
        )]
    );
}

#[test]
fn a_range_selector_is_left_open() {
    let d = two_series();
    assert_eq!(
        matrix(&instant(&d, "up{job=\"a\"}[1m]", 120)),
        vec![("up{job=\"a\"}".into(), vec![(120, 3.0)])]
    );
    assert_eq!(
        matrix(&instant(&d, "up[2m]", 120)),
        vec![
            ("up{job=\"a\"}".into(), vec![(60, 2.0), (120, 3.0)]),
            ("up{job=\"b\"}".into(), vec![(60, 20.0)])
        ]
    );
}

#[test]
fn sum_and_friends_group_series() {
    let d = two_series();
    assert_eq!(
        vector(&instant(&d, "sum(up)", 60)),
        vec![("{}".into(), 22.0)]
    );
    assert_eq!(
        vector(&instant(&d, "sum by (job) (up)", 60)),
        vec![("{job=\"a\"}".into(), 2.0), ("{job=\"b\"}".into(), 20.0)]
    );
    assert_eq!(
        vector(&instant(&d, "count without (job) (up)", 60)),
        vec![("{}".into(), 2.0)]
    );
    assert_eq!(
        vector(&instant(&d, "avg(up)", 60)),
        vec![("{}".into(), 11.0)]
    );
    assert_eq!(
        vector(&instant(&d, "max(up)", 60)),
        vec![("{}".into(), 20.0)]
    );
    assert_eq!(
        vector(&instant(&d, "quantile(0.5, up)", 60)),
        vec![("{}".into(), 11.0)]
    );
    // Steps where only one series is present still aggregate.
    assert_eq!(
        matrix(&range(&d, "sum(up)", 0, 480, 120)),
        vec![(
            "{}".into(),
            vec![(0, 11.0), (120, 23.0), (240, 23.0), (360, 3.0)]
        )]
    );
}

#[test]
fn binary_operators_match_and_drop_names() {
    let d = db(&[
        (&[("__name__", "a"), ("job", "x")], &[(0, 6.0)]),
        (&[("__name__", "b"), ("job", "x")], &[(0, 3.0)]),
        (&[("__name__", "b"), ("job", "y")], &[(0, 1.0)]),
    ]);
    assert_eq!(
        vector(&instant(&d, "a / b", 0)),
        vec![("{job=\"x\"}".into(), 2.0)]
    );
    assert_eq!(
        vector(&instant(&d, "b > 2", 0)),
        vec![("b{job=\"x\"}".into(), 3.0)]
    );
    assert_eq!(
        vector(&instant(&d, "b > bool 2", 0)),
        vec![("{job=\"x\"}".into(), 1.0), ("{job=\"y\"}".into(), 0.0)]
    );
    assert_eq!(
        vector(&instant(&d, "b or a", 0)),
        vec![("b{job=\"x\"}".into(), 3.0), ("b{job=\"y\"}".into(), 1.0)]
    );
    assert_eq!(
        vector(&instant(&d, "b unless a", 0)),
        vec![("b{job=\"y\"}".into(), 1.0)]
    );
    assert_eq!(
        instant(&d, "2 ^ 3 > bool 7", 0),
        Value::Scalar { t: 0, v: 1.0 }
    );
    // Many-to-many: two `b` series match `a` with on().
    let err = Engine::default()
        .instant(&d, &parse("a + on() b").unwrap(), 0)
        .unwrap_err();
    assert!(
        matches!(err.kind, EvalErrorKind::ManyToMany { .. }),
        "{err}"
    );
    assert_eq!(
        vector(&instant(&d, "b * on() group_left a", 0)),
        vec![("{job=\"x\"}".into(), 18.0), ("{job=\"y\"}".into(), 6.0)]
    );
}

#[test]
fn names_dropped_late_can_collide() {
    let d = db(&[
        (&[("__name__", "a"), ("job", "x")], &[(0, 1.0)]),
        (&[("__name__", "b"), ("job", "x")], &[(0, 2.0)]),
    ]);
    let err = Engine::default()
        .instant(&d, &parse("-{job=\"x\"}").unwrap(), 0)
        .unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::DuplicateLabelset);
}

#[test]
fn range_queries_check_their_grid() {
    let d = two_series();
    let e = Engine::default();
    let q = parse("up").unwrap();
    let too_many = e.range(&d, &q, 0, 11_000_000, 1000).unwrap_err();
    assert!(matches!(too_many.kind, EvalErrorKind::TooManySteps { .. }));
    assert!(too_many.is_bad_data());
    let m = parse("up[5m]").unwrap();
    let err = e.range(&d, &m, 0, 60_000, 1000).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"
    );
}

#[test]
fn the_sample_limit_and_the_hook_stop_evaluation() {
    let mut series = Vec::new();
    for i in 0..50 {
        let mut db_series = Vec::new();
        for t in 0..100 {
            db_series.push((t * 15, f64::from(i)));
        }
        series.push((format!("{i}"), db_series));
    }
    let mut d = Tsdb::new();
    for (i, samples) in &series {
        let l = labels(&[("__name__", "m"), ("i", i)]);
        for &(t, v) in samples {
            d.append(&l, t * 1000, v).unwrap();
        }
    }
    let q = parse("sum(m)").unwrap();
    let small = Engine::new(EngineOptions {
        limits: Limits {
            max_samples: 100,
            max_steps: 11_000,
        },
        ..EngineOptions::default()
    });
    let err = small.range(&d, &q, 0, 1_500_000, 15_000).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::TooManySamples);

    let mut calls = 0;
    let mut hook = |_n: u64| {
        calls += 1;
        if calls > 1 { Err(Cancelled) } else { Ok(()) }
    };
    let err = Engine::default()
        .query(
            &d,
            &q,
            QueryTimes {
                start: 0,
                end: 1_500_000,
                step: 1000,
            },
            &mut hook,
        )
        .unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Cancelled);
}

#[test]
fn subtrees_evaluate_with_the_same_times() {
    let d = two_series();
    let root = parse("sum(up) * 2").unwrap();
    let e = Engine::default();
    let times = QueryTimes {
        start: 60_000,
        end: 60_000,
        step: 0,
    };
    let lhs = e
        .subtree(&d, &root, &[0], times, &mut NoProgress)
        .unwrap()
        .unwrap();
    assert_eq!(vector(&lhs.value), vec![("{}".into(), 22.0)]);
    let leaf = e
        .subtree(&d, &root, &[0, 0], times, &mut NoProgress)
        .unwrap()
        .unwrap();
    assert_eq!(leaf.value.series_count(), 2);
    assert!(leaf.stats.samples_touched >= 2);
    assert!(e.subtree(&d, &root, &[5], times, &mut NoProgress).is_none());
}

#[test]
fn topk_orders_instant_results_and_count_values_labels_values() {
    let d = db(&[
        (&[("__name__", "m"), ("i", "1")], &[(0, 5.0)]),
        (&[("__name__", "m"), ("i", "2")], &[(0, 7.0)]),
        (&[("__name__", "m"), ("i", "3")], &[(0, 5.0)]),
    ]);
    assert_eq!(
        vector(&instant(&d, "topk(2, m)", 0)),
        vec![("m{i=\"2\"}".into(), 7.0), ("m{i=\"1\"}".into(), 5.0)]
    );
    assert_eq!(
        vector(&instant(&d, "bottomk(1, m)", 0)),
        vec![("m{i=\"1\"}".into(), 5.0)]
    );
    assert_eq!(
        vector(&instant(&d, "count_values(\"v\", m)", 0)),
        vec![("{v=\"5\"}".into(), 2.0), ("{v=\"7\"}".into(), 1.0)]
    );
    assert_eq!(
        vector(&instant(&d, "count(limitk(2, m))", 0)),
        vec![("{}".into(), 2.0)]
    );
    let err = Engine::default()
        .instant(&d, &parse("topk(NaN, m)").unwrap(), 0)
        .unwrap_err();
    assert_eq!(err.to_string(), "Parameter value is NaN");
}

/// A range function for these tests: how many samples the window holds, or with a
/// scalar argument, that argument (to check arguments arrive per step).
fn test_count(w: &Window<'_>, _: &mut Annotations) -> Result<Option<f64>, EvalError> {
    assert_eq!(w.ts.len(), w.vs.len());
    assert!(w.ts.iter().all(|&t| t > w.range_start && t <= w.range_end));
    assert!(w.ts.windows(2).all(|p| p[0] < p[1]));
    Ok(Some(w.args.first().copied().unwrap_or(w.ts.len() as f64)))
}

static TEST_COUNT: crate::promql::Function = crate::promql::Function {
    name: "count_over_time",
    args: &[ValueType::Matrix],
    variadic: 0,
    returns: ValueType::Vector,
    doc: "Test double.",
    example: "count_over_time(x[1m])",
    experimental: false,
    implementation: Implementation::Range(RangeFunction {
        eval: test_count,
        keeps_metric_name: false,
        counter_info: true,
        then: None,
        modifiers: &[],
        drops: false,
    }),
};

/// Parses `q` and points every call at [`TEST_COUNT`].
fn with_test_count(q: &str) -> Expr {
    with_double(q, &TEST_COUNT)
}

/// Parses `q` and points every call at the test double `f`.
fn with_double(q: &str, f: &'static crate::promql::Function) -> Expr {
    fn patch(e: &mut Expr, f: &'static crate::promql::Function) {
        if let ExprKind::Call(c) = &mut e.kind {
            c.function = f;
        }
        match &mut e.kind {
            ExprKind::Call(c) => c.args.iter_mut().for_each(|a| patch(a, f)),
            ExprKind::Aggregate(a) => patch(&mut a.expr, f),
            ExprKind::Binary(b) => {
                patch(&mut b.lhs, f);
                patch(&mut b.rhs, f);
            }
            ExprKind::Paren(p) => patch(&mut p.expr, f),
            ExprKind::Unary(u) => patch(&mut u.expr, f),
            ExprKind::Subquery(s) => patch(&mut s.expr, f),
            _ => {}
        }
    }
    let mut e = parse(q).unwrap();
    patch(&mut e, f);
    e
}

/// A range function for these tests: 1 when the window's listed drops are exactly those a
/// scan of its values finds, 0 otherwise.
fn test_drops(w: &Window<'_>, _: &mut Annotations) -> Result<Option<f64>, EvalError> {
    let scanned: Vec<u64> =
        w.vs.windows(2)
            .filter(|p| p[1] < p[0])
            .map(|p| p[0].to_bits())
            .collect();
    let listed: Option<Vec<u64>> = w.drops.map(|d| d.iter().map(|x| x.to_bits()).collect());
    Ok(Some(if listed == Some(scanned) { 1.0 } else { 0.0 }))
}

static TEST_DROPS: crate::promql::Function = crate::promql::Function {
    name: "resets",
    args: &[ValueType::Matrix],
    variadic: 0,
    returns: ValueType::Vector,
    doc: "Test double.",
    example: "resets(x[1m])",
    experimental: false,
    implementation: Implementation::Range(RangeFunction {
        eval: test_drops,
        keeps_metric_name: false,
        counter_info: false,
        then: None,
        modifiers: &[ExtendedKind::Anchored],
        drops: true,
    }),
};

#[test]
fn windows_list_their_drops_as_a_scan_finds_them() {
    // Values that drop often (a gauge, counter resets), NaNs (never a drop on either side)
    // and stale markers (skipped, so the samples around one are compared), every second for
    // long enough that the sliding buffer drops its old samples several times.
    let l = labels(&[("__name__", "x")]);
    let mut d = Tsdb::new();
    for i in 0..4000i64 {
        let v = match i % 97 {
            13 => f64::NAN,
            41 => stale_marker(),
            _ => ((i * 7919) % 23) as f64 + if i % 500 < 250 { 0.0 } else { 1e6 },
        };
        d.append(&l, i * 1000, v).unwrap();
    }
    let e = Engine::default();
    let queries = [
        ("resets(x[5m])", 7_000),
        ("resets(x[5m] anchored)", 7_000),
        ("resets(x[20s])", 60_000),
        ("resets(x[1h])", 1_000),
        ("resets(x[5m:3s])", 11_000),
    ];
    for (q, step) in queries {
        let r = e
            .range(&d, &with_double(q, &TEST_DROPS), 0, 4_000_000, step)
            .unwrap();
        let m = matrix(&r.value);
        assert_eq!(m.len(), 1, "{q}");
        assert!(m[0].1.len() > 50, "{q}: {} steps", m[0].1.len());
        let wrong: Vec<i64> = m[0].1.iter().filter(|p| p.1 != 1.0).map(|p| p.0).collect();
        assert!(wrong.is_empty(), "{q}: drops listed wrongly at {wrong:?}");
    }
}

fn every_15s() -> Tsdb {
    let samples: Vec<(i64, f64)> = (0..=40).map(|i| (i * 15, i as f64)).collect();
    let mut d = Tsdb::new();
    let l = labels(&[("__name__", "x"), ("job", "a")]);
    for (t, v) in samples {
        d.append(&l, t * 1000, v).unwrap();
    }
    d
}

#[test]
fn range_windows_are_left_open_and_slide_with_offset_and_at() {
    let d = every_15s();
    let e = Engine::default();
    // At 60 s, (0, 60] holds 15, 30, 45, 60.
    let r = e
        .instant(&d, &with_test_count("count_over_time(x[1m])"), 60_000)
        .unwrap();
    assert_eq!(vector(&r.value), vec![("{job=\"a\"}".into(), 4.0)]);
    // The counter info is raised for a name without a counter suffix.
    assert!(r.annotations.infos("count_over_time(x[1m])")[0].contains("might not be a counter"));
    let r = e
        .range(
            &d,
            &with_test_count("count_over_time(x[1m] offset 1m)"),
            0,
            180_000,
            60_000,
        )
        .unwrap();
    assert_eq!(
        matrix(&r.value),
        vec![(
            "{job=\"a\"}".into(),
            vec![(60, 1.0), (120, 4.0), (180, 4.0)]
        )]
    );
    let r = e
        .range(
            &d,
            &with_test_count("count_over_time(x[2m] @ 120)"),
            0,
            120_000,
            60_000,
        )
        .unwrap();
    assert_eq!(
        matrix(&r.value),
        vec![("{job=\"a\"}".into(), vec![(0, 8.0), (60, 8.0), (120, 8.0)])]
    );
    // A step much longer than the range seeks past the samples in between.
    let r = e
        .range(
            &d,
            &with_test_count("count_over_time(x[20s])"),
            0,
            600_000,
            300_000,
        )
        .unwrap();
    assert_eq!(
        matrix(&r.value),
        vec![("{job=\"a\"}".into(), vec![(0, 1.0), (300, 2.0), (600, 2.0)])]
    );
}

#[test]
fn subqueries_run_on_their_own_aligned_grid() {
    let d = every_15s();
    let e = Engine::default();
    // x[1m:20s] at 70 s: steps at multiples of 20 s in (10, 70]: 20, 40, 60.
    let r = e
        .instant(&d, &with_test_count("count_over_time(x[1m:20s])"), 70_000)
        .unwrap();
    assert_eq!(vector(&r.value), vec![("{job=\"a\"}".into(), 3.0)]);
    let m = e.instant(&d, &parse("x[1m:20s]").unwrap(), 70_000).unwrap();
    assert_eq!(
        matrix(&m.value),
        vec![("x{job=\"a\"}".into(), vec![(20, 1.0), (40, 2.0), (60, 4.0)])]
    );
    // With offset and @ the grid moves with them.
    let m = e
        .instant(&d, &parse("x[1m:20s] offset 10s").unwrap(), 70_000)
        .unwrap();
    assert_eq!(
        matrix(&m.value),
        vec![("x{job=\"a\"}".into(), vec![(20, 1.0), (40, 2.0), (60, 4.0)])]
    );
    let m = e
        .instant(&d, &parse("x[40s:20s] @ 300").unwrap(), 0)
        .unwrap();
    assert_eq!(
        matrix(&m.value),
        vec![("x{job=\"a\"}".into(), vec![(280, 18.0), (300, 20.0)])]
    );
    // Nested subqueries.
    let r = e
        .instant(
            &d,
            &with_test_count("count_over_time(count_over_time(x[1m])[2m:1m])"),
            180_000,
        )
        .unwrap();
    assert_eq!(vector(&r.value), vec![("{job=\"a\"}".into(), 2.0)]);
}

#[test]
fn data_range_covers_lookback_ranges_offsets_and_subqueries() {
    let e = Engine::default();
    let t = QueryTimes {
        start: 1_000_000,
        end: 2_000_000,
        step: 60_000,
    };
    let q = |s: &str| e.data_range(&parse(s).unwrap(), t);
    assert_eq!(q("up"), Some((1_000_000 - 299_999, 2_000_000)));
    assert_eq!(
        q("up[1m] offset 1m"),
        Some((1_000_000 - 119_999, 1_940_000))
    );
    assert_eq!(q("up @ 50"), Some((50_000 - 299_999, 50_000)));
    assert_eq!(
        q("max_over_time(up[1m])[10m:1m]"),
        Some((1_000_000 - 600_000 - 59_999, 2_000_000))
    );
    assert_eq!(q("1 + 1"), None);
}

#[test]
fn sparse_results_cost_what_they_hold() {
    // 20 series whose values never repeat: count_values makes a series per value, each
    // present at one step of 300. Dense storage would take 6,000 x 300 slots.
    let mut d = Tsdb::new();
    for i in 0..20 {
        let l = labels(&[("__name__", "m"), ("i", &i.to_string())]);
        for t in 0..300 {
            d.append(&l, t * 15_000, (i * 1000 + t) as f64).unwrap();
        }
    }
    let small = Engine::new(EngineOptions {
        limits: Limits {
            max_samples: 40_000,
            max_steps: 11_000,
        },
        ..EngineOptions::default()
    });
    let q = parse("count_values(\"v\", m)").unwrap();
    let r = small.range(&d, &q, 0, 299 * 15_000, 15_000).unwrap();
    assert_eq!(r.value.series_count(), 6_000);
    assert!(r.stats.peak_samples <= 40_000, "{}", r.stats.peak_samples);
    // The account balances: evaluating twice as deep holds no more than the inputs and
    // results alive at once.
    let q = parse("sum(m) + sum(m) + sum(m)").unwrap();
    let r = small.range(&d, &q, 0, 299 * 15_000, 15_000).unwrap();
    assert!(
        r.stats.peak_samples < 3 * 20 * 300,
        "{}",
        r.stats.peak_samples
    );
}
