//! Comparing a learner's result with the expected one, as Prometheus' test tool does.
//!
//! The rules are `promqltest`'s (`promql/promqltest/test.go`, and our copy in
//! `simulator::promqltest::compare`): values are equal within a relative tolerance
//! ([`almost_equal`], 1e-6 by default), any NaN equals any NaN, label sets must be exactly
//! equal (`__name__` included), and an instant vector's order matters only when the
//! exercise says so. Unlike the test tool, which stops at "not equal", every difference is
//! collected and classified so the learner can be told what is wrong: missing series,
//! extra series, series whose labels differ (paired with the closest expected series),
//! values off, wrong order.

use super::feedback::{At, LabelDiff, ValueDiff};
use crate::pack::Comparison;
use simulator::promql::{Point, Sample, Series, Value, ValueType};
use simulator::promqltest::compare::almost_equal;
use simulator::tsdb::Labels;
use std::collections::{BTreeMap, BTreeSet};

/// Everything that differs between two results of one evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Differences {
    /// The two types, when they differ (nothing else is compared then).
    pub wrong_type: Option<(ValueType, ValueType)>,
    /// Expected series absent from the learner's result (after pairing).
    pub missing: Vec<Labels>,
    /// Learner's series absent from the expected result (after pairing).
    pub extra: Vec<Labels>,
    /// Expected series paired with a learner series of different labels.
    pub wrong_labels: Vec<LabelDiff>,
    /// The first differing value of each series whose values differ.
    pub values: Vec<ValueDiff>,
    /// How many values differ in all.
    pub value_count: usize,
    /// `got / expected` of every differing pair of finite, non-zero values.
    pub ratios: Vec<f64>,
    /// The first position where an ordered result differs.
    pub order: Option<(usize, Labels, Labels)>,
    /// Expected and got, for string results that differ.
    pub string: Option<(String, String)>,
    /// When the learner's series are the expected ones split or merged by labels: the
    /// label names only the learner's have, and those only the expected ones have.
    pub granularity: Option<(Vec<String>, Vec<String>)>,
}

impl Differences {
    /// Whether the results are equal.
    pub fn is_empty(&self) -> bool {
        self.wrong_type.is_none()
            && self.missing.is_empty()
            && self.extra.is_empty()
            && self.wrong_labels.is_empty()
            && self.value_count == 0
            && self.order.is_none()
            && self.string.is_none()
            && self.granularity.is_none()
    }
}

/// Compares `got` with `expected`. `at` turns a time into the place a difference is
/// reported at; `eval_time` is the evaluation time of an instant query.
pub(crate) fn compare(
    expected: &Value,
    got: &Value,
    opts: &Comparison,
    at: &dyn Fn(i64) -> At,
    eval_time: i64,
) -> Differences {
    let mut d = Differences::default();
    match (expected, got) {
        (Value::Scalar { v: e, .. }, Value::Scalar { v: g, .. }) => {
            value(
                &mut d,
                opts,
                Labels::empty(),
                at(eval_time),
                Some(*e),
                Some(*g),
            );
        }
        (Value::String { v: e, .. }, Value::String { v: g, .. }) => {
            if e != g {
                d.string = Some((e.clone(), g.clone()));
            }
        }
        (Value::Vector(e), Value::Vector(g)) => vectors(&mut d, e, g, opts, at(eval_time)),
        (Value::Matrix(e), Value::Matrix(g)) => matrices(&mut d, e, g, opts, at),
        _ => d.wrong_type = Some((expected.value_type(), got.value_type())),
    }
    d
}

/// Records one pair of values if they differ.
fn value(
    d: &mut Differences,
    opts: &Comparison,
    series: Labels,
    at: At,
    e: Option<f64>,
    g: Option<f64>,
) -> bool {
    let same = match (e, g) {
        (Some(e), Some(g)) => almost_equal(e, g, opts.tolerance),
        (None, None) => true,
        _ => false,
    };
    if same {
        return false;
    }
    if let (Some(e), Some(g)) = (e, g)
        && e.is_finite()
        && g.is_finite()
        && e != 0.0
    {
        d.ratios.push(g / e);
    }
    d.value_count += 1;
    d.values.push(ValueDiff {
        series,
        at,
        expected: e,
        got: g,
    });
    true
}

fn strip(labels: &Labels, opts: &Comparison) -> Labels {
    if opts.ignore_labels.is_empty() {
        labels.clone()
    } else {
        let names: Vec<&str> = opts.ignore_labels.iter().map(String::as_str).collect();
        labels.without(&names)
    }
}

fn vectors(d: &mut Differences, e: &[Sample], g: &[Sample], opts: &Comparison, at: At) {
    // Ignoring labels can make two series alike; keep every value per label set.
    let mut want: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
    for s in e {
        want.entry(strip(&s.labels, opts)).or_default().push(s.v);
    }
    let mut have: BTreeMap<Labels, Vec<f64>> = BTreeMap::new();
    for s in g {
        have.entry(strip(&s.labels, opts)).or_default().push(s.v);
    }
    let (missing, extra) = unmatched(&want, &have);
    pair(d, missing, extra);
    for (labels, ev) in &want {
        let Some(gv) = have.get(labels) else { continue };
        let mut ev = ev.clone();
        let mut gv = gv.clone();
        ev.sort_by(f64::total_cmp);
        gv.sort_by(f64::total_cmp);
        for i in 0..ev.len().max(gv.len()) {
            if value(
                d,
                opts,
                labels.clone(),
                at.clone(),
                ev.get(i).copied(),
                gv.get(i).copied(),
            ) {
                break;
            }
        }
        // Count the remaining differences of this series without listing them.
        let off = ev
            .iter()
            .zip(&gv)
            .filter(|(a, b)| !almost_equal(**a, **b, opts.tolerance))
            .count()
            + ev.len().abs_diff(gv.len());
        d.value_count += off.saturating_sub(1).min(off);
    }
    if opts.ordered && d.is_empty() {
        d.order = order(e, g, opts);
    }
}

/// The first position where `got`'s order differs from `expected`'s. Series with equal
/// expected values may come in any order among themselves, as a sort leaves ties to the
/// implementation.
fn order(e: &[Sample], g: &[Sample], opts: &Comparison) -> Option<(usize, Labels, Labels)> {
    let mut i = 0;
    while i < e.len() {
        // The run of expected series with the same value as e[i].
        let mut j = i + 1;
        while j < e.len() && almost_equal(e[j].v, e[i].v, opts.tolerance) {
            j += 1;
        }
        let mut want: Vec<Labels> = e[i..j].iter().map(|s| strip(&s.labels, opts)).collect();
        let mut have: Vec<Labels> = g
            .get(i..j)
            .unwrap_or(&[])
            .iter()
            .map(|s| strip(&s.labels, opts))
            .collect();
        want.sort();
        have.sort();
        if want != have {
            // Report the first position inside the run that differs.
            for (k, sample) in e.iter().enumerate().take(j).skip(i) {
                let el = strip(&sample.labels, opts);
                let gl = g
                    .get(k)
                    .map_or_else(Labels::empty, |s| strip(&s.labels, opts));
                if el != gl {
                    return Some((k + 1, el, gl));
                }
            }
        }
        i = j;
    }
    None
}

fn matrices(
    d: &mut Differences,
    e: &[Series],
    g: &[Series],
    opts: &Comparison,
    at: &dyn Fn(i64) -> At,
) {
    let mut want: BTreeMap<Labels, Vec<&[Point]>> = BTreeMap::new();
    for s in e {
        want.entry(strip(&s.labels, opts))
            .or_default()
            .push(&s.points);
    }
    let mut have: BTreeMap<Labels, Vec<&[Point]>> = BTreeMap::new();
    for s in g {
        have.entry(strip(&s.labels, opts))
            .or_default()
            .push(&s.points);
    }
    let (missing, extra) = unmatched(&want, &have);
    pair(d, missing, extra);
    for (labels, eps) in &want {
        let Some(gps) = have.get(labels) else {
            continue;
        };
        for (k, ep) in eps.iter().enumerate() {
            let gp: &[Point] = gps.get(k).copied().unwrap_or(&[]);
            let mut first = true;
            let (mut a, mut b) = (0, 0);
            // Walk both point lists in time order; a point on one side only is a
            // difference (the answer has a value there and the learner's has none, or the
            // reverse).
            while a < ep.len() || b < gp.len() {
                let (t, ev, gv) = match (ep.get(a), gp.get(b)) {
                    (Some(x), Some(y)) if x.t == y.t => {
                        a += 1;
                        b += 1;
                        (x.t, Some(x.v), Some(y.v))
                    }
                    (Some(x), Some(y)) if x.t < y.t => {
                        a += 1;
                        (x.t, Some(x.v), None)
                    }
                    (Some(_), Some(y)) => {
                        b += 1;
                        (y.t, None, Some(y.v))
                    }
                    (Some(x), None) => {
                        a += 1;
                        (x.t, Some(x.v), None)
                    }
                    (None, Some(y)) => {
                        b += 1;
                        (y.t, None, Some(y.v))
                    }
                    (None, None) => break,
                };
                let same = match (ev, gv) {
                    (Some(x), Some(y)) => almost_equal(x, y, opts.tolerance),
                    _ => false,
                };
                if same {
                    continue;
                }
                if first {
                    value(d, opts, labels.clone(), at(t), ev, gv);
                    first = false;
                } else {
                    d.value_count += 1;
                    if let (Some(x), Some(y)) = (ev, gv)
                        && x.is_finite()
                        && y.is_finite()
                        && x != 0.0
                    {
                        d.ratios.push(y / x);
                    }
                }
            }
        }
    }
}

/// Label sets on one side only: (expected not in got, got not in expected), each with
/// multiplicity.
fn unmatched<T>(
    want: &BTreeMap<Labels, Vec<T>>,
    have: &BTreeMap<Labels, Vec<T>>,
) -> (Vec<Labels>, Vec<Labels>) {
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    for (l, v) in want {
        let n = have.get(l).map_or(0, Vec::len);
        for _ in n..v.len() {
            missing.push(l.clone());
        }
    }
    for (l, v) in have {
        let n = want.get(l).map_or(0, Vec::len);
        for _ in n..v.len() {
            extra.push(l.clone());
        }
    }
    (missing, extra)
}

/// When every missing and extra series differ only in which label names they carry, and
/// always the same names (the answer's series split or merged by a label): the names only
/// the learner's series have, and those only the expected ones have.
fn granularity(missing: &[Labels], extra: &[Labels]) -> Option<(Vec<String>, Vec<String>)> {
    if missing.is_empty() || extra.is_empty() {
        return None;
    }
    // The metric name is not a grouping label; a difference in it alone is a label
    // difference, reported by pairing.
    let names = |l: &Labels| -> BTreeSet<String> {
        l.iter()
            .filter(|(n, _)| *n != "__name__")
            .map(|(n, _)| n.to_string())
            .collect()
    };
    let want = names(&missing[0]);
    let have = names(&extra[0]);
    if missing.iter().any(|l| names(l) != want) || extra.iter().any(|l| names(l) != have) {
        return None;
    }
    let shared: Vec<&str> = want.intersection(&have).map(String::as_str).collect();
    // Every missing series must agree with some extra series on the shared labels.
    let project = |l: &Labels| l.keep_only(&shared);
    let extra_keys: BTreeSet<Labels> = extra.iter().map(project).collect();
    if !missing.iter().all(|m| extra_keys.contains(&project(m))) {
        return None;
    }
    let extra_names: Vec<String> = have.difference(&want).cloned().collect();
    let missing_names: Vec<String> = want.difference(&have).cloned().collect();
    if extra_names.is_empty() && missing_names.is_empty() {
        return None;
    }
    Some((extra_names, missing_names))
}

/// Pairs each missing series with the most similar extra one, when they share labels (or
/// when there is exactly one of each): such a pair is one series with the wrong labels,
/// which teaches more than "one missing, one extra".
fn pair(d: &mut Differences, missing: Vec<Labels>, mut extra: Vec<Labels>) {
    if let Some(g) = granularity(&missing, &extra) {
        d.granularity = Some(g);
        d.missing = missing;
        d.extra = extra;
        return;
    }
    let single = missing.len() == 1 && extra.len() == 1;
    for m in missing {
        let best = extra
            .iter()
            .enumerate()
            .map(|(i, x)| (shared(&m, x), i))
            .max_by_key(|&(s, i)| (s, std::cmp::Reverse(i)));
        match best {
            Some((s, i)) if s > 0 || single => {
                let got = extra.remove(i);
                d.wrong_labels.push(diff(&m, &got));
            }
            _ => d.missing.push(m),
        }
    }
    d.extra = extra;
}

fn shared(a: &Labels, b: &Labels) -> usize {
    a.iter().filter(|(n, v)| b.get(n) == Some(*v)).count()
}

fn diff(expected: &Labels, got: &Labels) -> LabelDiff {
    let mut missing = Vec::new();
    let mut changed = Vec::new();
    for (n, v) in expected.iter() {
        match got.get(n) {
            None => missing.push((n.to_string(), v.to_string())),
            Some(g) if g != v => changed.push((n.to_string(), v.to_string(), g.to_string())),
            _ => {}
        }
    }
    let unexpected = got
        .iter()
        .filter(|(n, _)| expected.get(n).is_none())
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    LabelDiff {
        expected: expected.clone(),
        got: got.clone(),
        missing,
        unexpected,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(s: &str) -> Labels {
        // `a=1,b=2`
        Labels::new(
            s.split(',')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap()),
        )
        .unwrap()
    }

    fn vector(items: &[(&str, f64)]) -> Value {
        Value::Vector(
            items
                .iter()
                .map(|(s, v)| Sample {
                    labels: l(s),
                    t: 0,
                    v: *v,
                })
                .collect(),
        )
    }

    fn at(t: i64) -> At {
        At {
            seed: None,
            time: t,
            time_text: t.to_string(),
        }
    }

    fn cmp(e: &Value, g: &Value, opts: &Comparison) -> Differences {
        compare(e, g, opts, &at, 0)
    }

    /// One row per case: expected, got, what must be found.
    #[test]
    fn vector_cases() {
        let def = Comparison::default();
        let ordered = Comparison {
            ordered: true,
            ..Comparison::default()
        };
        let ignore = Comparison {
            ignore_labels: vec!["instance".into()],
            ..Comparison::default()
        };
        type Check = fn(&Differences) -> bool;
        type Items = &'static [(&'static str, f64)];
        let cases: &[(Items, Items, &Comparison, Check)] = &[
            (&[("a=1", 1.0)], &[("a=1", 1.0)], &def, |d| d.is_empty()),
            (&[("a=1", 1.0)], &[("a=1", 1.0 + 1e-9)], &def, |d| {
                d.is_empty()
            }),
            (&[("a=1", f64::NAN)], &[("a=1", f64::NAN)], &def, |d| {
                d.is_empty()
            }),
            (&[("a=1", 1.0)], &[("a=1", 1.001)], &def, |d| {
                d.value_count == 1
            }),
            (&[("a=1", 1.0), ("a=2", 2.0)], &[("a=1", 1.0)], &def, |d| {
                d.missing == [l("a=2")] && d.extra.is_empty()
            }),
            (&[("a=1", 1.0)], &[("a=1", 1.0), ("a=2", 2.0)], &def, |d| {
                d.extra == [l("a=2")]
            }),
            // The name kept: paired as a label difference.
            (&[("job=x", 1.0)], &[("__name__=m,job=x", 1.0)], &def, |d| {
                d.wrong_labels.len() == 1
                    && d.wrong_labels[0].unexpected == [("__name__".into(), "m".into())]
            }),
            // Different label names: grouped by the wrong label.
            (&[("a=1", 1.0)], &[("b=2", 1.0)], &def, |d| {
                d.granularity == Some((vec!["b".into()], vec!["a".into()]))
            }),
            // Same names, nothing shared, one on each side: a label difference.
            (&[("a=1", 1.0)], &[("a=2", 1.0)], &def, |d| {
                d.wrong_labels.len() == 1
            }),
            // Same names, nothing shared, two on each side: missing and extra.
            (
                &[("a=1", 1.0), ("a=2", 1.0)],
                &[("a=3", 1.0), ("a=4", 1.0)],
                &def,
                |d| d.missing.len() == 2 && d.extra.len() == 2,
            ),
            // Order ignored unless asked for.
            (
                &[("a=1", 2.0), ("a=2", 1.0)],
                &[("a=2", 1.0), ("a=1", 2.0)],
                &def,
                |d| d.is_empty(),
            ),
            (
                &[("a=1", 2.0), ("a=2", 1.0)],
                &[("a=2", 1.0), ("a=1", 2.0)],
                &ordered,
                |d| d.order.as_ref().is_some_and(|(p, _, _)| *p == 1),
            ),
            // Ties may come in any order.
            (
                &[("a=1", 2.0), ("a=2", 2.0), ("a=3", 1.0)],
                &[("a=2", 2.0), ("a=1", 2.0), ("a=3", 1.0)],
                &ordered,
                |d| d.is_empty(),
            ),
            // Ignored labels.
            (
                &[("a=1,instance=x", 1.0)],
                &[("a=1,instance=y", 1.0)],
                &ignore,
                |d| d.is_empty(),
            ),
            (
                &[("a=1,instance=x", 1.0)],
                &[("a=1,instance=y", 1.0)],
                &def,
                |d| d.wrong_labels.len() == 1 && d.wrong_labels[0].changed.len() == 1,
            ),
        ];
        for (i, (e, g, opts, check)) in cases.iter().enumerate() {
            let d = cmp(&vector(e), &vector(g), opts);
            assert!(check(&d), "case {i}: {d:?}");
        }
    }

    #[test]
    fn types_scalars_and_ratios() {
        let def = Comparison::default();
        let d = cmp(
            &vector(&[("a=1", 1.0)]),
            &Value::Scalar { t: 0, v: 1.0 },
            &def,
        );
        assert_eq!(d.wrong_type, Some((ValueType::Vector, ValueType::Scalar)));
        let d = cmp(
            &Value::Scalar { t: 0, v: 0.5 },
            &Value::Scalar { t: 0, v: 50.0 },
            &def,
        );
        assert_eq!(d.ratios, [100.0]);
        let d = cmp(
            &vector(&[("a=1", 0.5), ("a=2", 0.25)]),
            &vector(&[("a=1", 50.0), ("a=2", 25.0)]),
            &def,
        );
        assert_eq!(d.value_count, 2);
        assert_eq!(d.ratios, [100.0, 100.0]);
    }

    #[test]
    fn matrices_compare_point_by_point() {
        let def = Comparison::default();
        let m = |pts: &[(i64, f64)]| {
            Value::Matrix(vec![Series {
                labels: l("a=1"),
                points: pts.iter().map(|&(t, v)| Point { t, v }).collect(),
            }])
        };
        assert!(cmp(&m(&[(1, 1.0), (2, 2.0)]), &m(&[(1, 1.0), (2, 2.0)]), &def).is_empty());
        let d = cmp(
            &m(&[(1, 1.0), (3, 3.0)]),
            &m(&[(1, 1.0), (2, 2.0), (3, 3.0)]),
            &def,
        );
        assert_eq!(d.value_count, 1);
        assert_eq!(d.values[0].at.time, 2);
        assert_eq!(d.values[0].expected, None);
        assert_eq!(d.values[0].got, Some(2.0));
        let d = cmp(&m(&[(1, 1.0), (2, 2.0)]), &m(&[(1, 2.0), (2, 4.0)]), &def);
        assert_eq!(d.value_count, 2);
        assert_eq!(d.values.len(), 1);
        assert_eq!(d.ratios, [2.0, 2.0]);
    }
}
