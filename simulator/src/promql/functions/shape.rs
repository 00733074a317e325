//! Changing a result's shape: scalar to vector and back, absence, and ordering.

use super::{Function, VectorCall, whole_call};
use crate::promql::annotations::Annotation;
use crate::promql::ast::ExprKind;
use crate::promql::error::EvalError;
use crate::promql::matcher::{MatchOp, Matcher};
use crate::promql::types::ValueType::{Scalar, String as Str, Vector};
use crate::promql::value::{StepSeries, StepValue, StepVector};
use crate::tsdb::Labels;
use crate::tsdb::labels::METRIC_NAME;
use std::cmp::Ordering;

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "vector",
        args: &[Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Turns a scalar into a vector with one series and no labels.",
        example: "vector(1)",
        experimental: false,
        implementation: whole_call(vector),
    },
    Function {
        name: "scalar",
        args: &[Vector],
        variadic: 0,
        returns: Scalar,
        doc: "The value of a one-series vector as a scalar, or NaN if the vector has zero or several series.",
        example: "scalar(sum(up))",
        experimental: false,
        implementation: whole_call(scalar_call),
    },
    Function {
        name: "absent",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "A one-series vector with value 1 if the argument has no series, otherwise nothing: for alerting on missing metrics.",
        example: "absent(up{job=\"api\"})",
        experimental: false,
        implementation: whole_call(absent),
    },
    Function {
        name: "sort",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Orders the series by value, smallest first (in instant queries).",
        example: "sort(node_load1)",
        experimental: false,
        implementation: whole_call(|call| sort_by_value(call, cmp_ascending)),
    },
    Function {
        name: "sort_desc",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "Orders the series by value, largest first (in instant queries).",
        example: "sort_desc(rate(http_requests_total[5m]))",
        experimental: false,
        implementation: whole_call(|call| sort_by_value(call, cmp_descending)),
    },
    Function {
        name: "sort_by_label",
        args: &[Vector, Str],
        variadic: -1,
        returns: Vector,
        doc: "Orders the series by the values of the given labels, in natural sort order.",
        example: "sort_by_label(up, \"job\", \"instance\")",
        experimental: true,
        implementation: whole_call(|call| sort_by_label(call, false)),
    },
    Function {
        name: "sort_by_label_desc",
        args: &[Vector, Str],
        variadic: -1,
        returns: Vector,
        doc: "Orders the series by the values of the given labels, in reverse natural sort order.",
        example: "sort_by_label_desc(up, \"instance\")",
        experimental: true,
        implementation: whole_call(|call| sort_by_label(call, true)),
    },
];

/// `vector(s)`: one series without labels holding the scalar.
fn vector(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let values = call.scalar_arg(0)?;
    let mut s = StepSeries::new(crate::tsdb::Labels::empty(), values.len());
    for (i, &v) in values.iter().enumerate() {
        s.set(i, v);
    }
    Ok(StepValue::Vector(StepVector::new(vec![s])))
}

/// `scalar(v)` at every step: the value of the only series present then, or NaN.
fn scalar_call(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let v = call.take_vector_arg(0)?;
    let n = call.steps.len();
    let mut out = Vec::with_capacity(n);
    let mut present = Vec::with_capacity(v.series.len());
    for i in 0..n {
        present.clear();
        present.extend(v.series.iter().filter_map(|s| s.get(i)));
        out.push(scalar(&present));
    }
    Ok(StepValue::Scalar(out))
}

/// Which steps of a vector have no value in any series.
fn empty_steps(v: &StepVector, n: usize) -> Vec<bool> {
    let mut empty = vec![true; n];
    for s in &v.series {
        for (i, _) in s.present() {
            if let Some(e) = empty.get_mut(i) {
                *e = false;
            }
        }
    }
    empty
}

/// `absent(v)`, and the second half of `absent_over_time` (whose first half is
/// `present_over_time`): 1 at every step where the argument has no series, labelled with
/// what its selector pins (see [`absent_labels`]). Nothing when it always has one.
pub(super) fn absent(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let v = call.take_vector_arg(0)?;
    let n = call.steps.len();
    let empty = empty_steps(&v, n);
    if !empty.contains(&true) {
        return Ok(StepValue::Vector(StepVector::default()));
    }
    // A subquery's result has no matchers, so it gives no labels, as in Prometheus.
    let labels = match call.arg_expr(0).map(|e| &e.kind) {
        Some(ExprKind::VectorSelector(vs)) => absent_labels(&vs.matchers),
        Some(ExprKind::MatrixSelector(m)) => absent_labels(&m.selector.matchers),
        _ => crate::tsdb::Labels::empty(),
    };
    let mut s = StepSeries::new(labels, n);
    for (i, _) in empty.iter().enumerate().filter(|(_, e)| **e) {
        s.set(i, 1.0);
    }
    Ok(StepValue::Vector(StepVector::new(vec![s])))
}

/// Warns that ordering is lost in a range query (also inside a subquery, whose grid has
/// several steps), as Prometheus does for every sort function. True when there is
/// nothing to order: the result of a multi-step grid is ordered by labels anyway.
fn sort_is_ineffective(call: &mut VectorCall<'_>) -> bool {
    if call.steps.start != call.steps.end {
        call.annotations
            .add(Annotation::sort_in_range_query(call.spans.call));
        return true;
    }
    false
}

/// `sort` and `sort_desc`: orders an instant vector by value. Ties keep label order (Go's
/// unstable sort leaves them in an unspecified order), so results are deterministic.
fn sort_by_value(
    call: &mut VectorCall<'_>,
    cmp: fn(f64, f64) -> Ordering,
) -> Result<StepValue, EvalError> {
    let mut v = call.take_vector_arg(0)?;
    if sort_is_ineffective(call) {
        return Ok(StepValue::Vector(v));
    }
    v.series.sort_by(|a, b| a.labels.cmp(&b.labels));
    v.series.sort_by(|a, b| match (a.get(0), b.get(0)) {
        (Some(x), Some(y)) => cmp(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    v.ordered = true;
    Ok(StepValue::Vector(v))
}

/// `sort_by_label` and `sort_by_label_desc`: orders an instant vector by the labels named
/// in the string arguments.
fn sort_by_label(call: &mut VectorCall<'_>, descending: bool) -> Result<StepValue, EvalError> {
    let mut v = call.take_vector_arg(0)?;
    if sort_is_ineffective(call) {
        return Ok(StepValue::Vector(v));
    }
    let mut names = Vec::with_capacity(call.exprs.len().saturating_sub(1));
    for i in 1..call.exprs.len() {
        names.push(String::from_utf8_lossy(&call.string_arg(i)?).into_owned());
    }
    v.series
        .sort_by(|a, b| cmp_by_labels(&a.labels, &b.labels, &names, descending));
    v.ordered = true;
    Ok(StepValue::Vector(v))
}

/// `sort`'s order: ascending by value, NaN last.
pub fn cmp_ascending(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// `sort_desc`'s order: descending by value, NaN still last.
pub fn cmp_descending(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
    }
}

/// `sort_by_label`'s order (`descending` for `sort_by_label_desc`): by the values of
/// `names` in turn, compared naturally ([`natural_cmp`], absent labels read as ""), then by
/// the whole label set so that the order is always the same.
pub fn cmp_by_labels(a: &Labels, b: &Labels, names: &[String], descending: bool) -> Ordering {
    for name in names {
        let (va, vb) = (a.value_or_empty(name), b.value_or_empty(name));
        if va == vb {
            continue;
        }
        let o = natural_cmp(va, vb);
        return if descending { o.reverse() } else { o };
    }
    let o = a.cmp(b);
    if descending { o.reverse() } else { o }
}

/// Natural ("version") order, as Prometheus' `sort_by_label` compares label values with the
/// natsort package: strings split into runs of ASCII digits and runs of other characters,
/// digit runs compared as numbers, other runs byte by byte, so `cpu2` < `cpu10` and
/// `1.2.3` < `1.11.3`.
///
/// Prometheus' comparison is not a consistent order in a few corner cases (an empty
/// string, `01` against `1`, numbers too long for an int64, which it compares as text),
/// so there its result depends on its sorting algorithm. This one is a total order, as
/// Rust's sorts require (they may panic otherwise), and agrees with it wherever it is
/// consistent: a string that runs out of runs first sorts first, digit runs of any length
/// compare by value, and equal numbers written differently are told apart by their text.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut ca, mut cb) = (chunks(a), chunks(b));
    loop {
        match (ca.next(), cb.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                if x == y {
                    continue;
                }
                let digits = |s: &str| s.as_bytes().first().is_some_and(u8::is_ascii_digit);
                if digits(x) && digits(y) {
                    match numeric_cmp(x, y) {
                        // Equal numbers written differently (`01`, `1`): the text decides
                        // only if nothing later does.
                        Ordering::Equal => continue,
                        o => return o,
                    }
                }
                // A digit run against another run: the first bytes differ (a digit and a
                // non-digit), so byte order is consistent with the numeric order above.
                return x.cmp(y);
            }
        }
    }
}

/// Compares two runs of ASCII digits by value, whatever their length.
fn numeric_cmp(x: &str, y: &str) -> Ordering {
    let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// The runs of ASCII digits and of other characters in `s`, in order.
fn chunks(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let digits = bytes[start].is_ascii_digit();
        let len = bytes[start..]
            .iter()
            .position(|b| b.is_ascii_digit() != digits)
            .unwrap_or(bytes.len() - start);
        // Runs split only at ASCII bytes, so both ends are character boundaries.
        let chunk = s.get(start..start + len);
        start += len;
        chunk
    })
}

/// The labels `absent` and `absent_over_time` give their one-series result: those an
/// argument selector pins with `=`. A label matched more than once, or by any other
/// operator, is left out, as in Prometheus (`{job="a", job="b"}` gives no `job`).
pub fn absent_labels(matchers: &[Matcher]) -> Labels {
    let mut set: Vec<(&str, &str)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        set.retain(|(n, _)| *n != m.name);
        if m.op == MatchOp::Equal && !seen.contains(&m.name.as_str()) {
            set.push((&m.name, &m.value));
            seen.push(&m.name);
        }
    }
    // Names are unique and non-empty (`__name__` aside, a matcher's name is a label name),
    // and empty values are dropped by `Labels::new`; fall back to no labels rather than
    // failing if that ever changes.
    Labels::new(set).unwrap_or_else(|_| Labels::empty())
}

/// `scalar`: the value of a one-element vector, NaN for any other size.
pub fn scalar(values: &[f64]) -> f64 {
    match values {
        [v] => *v,
        _ => f64::NAN,
    }
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use crate::promql::ExprKind;
    use crate::promql::parse;

    #[test]
    fn natural_order() {
        let mut v = vec!["10", "2", "100", "1", "21", "3", "0", "11", "12", "20"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"]);
        let mut v = vec!["4m600", "4m5", "4m1000"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["4m5", "4m600", "4m1000"]);
        let mut v = vec!["1.2.3", "1.11.3", "1.111.3"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["1.2.3", "1.11.3", "1.111.3"]);
        assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("1", "01"), Ordering::Greater);
        assert_eq!(natural_cmp("01", "1"), Ordering::Less);
        assert_eq!(natural_cmp("01a", "1b"), Ordering::Less);
        assert_eq!(natural_cmp("b", "a"), Ordering::Greater);
        // Longer than an int64 holds: still by value (Go's natsort falls back to text there,
        // which is not a consistent order).
        assert_eq!(
            natural_cmp("99999999999999999999", "100000000000000000000"),
            Ordering::Less
        );
        assert_eq!(natural_cmp("a007", "a7"), Ordering::Less);
    }

    #[test]
    fn value_orders_put_nan_last() {
        let mut v = [3.0, f64::NAN, 1.0, 2.0];
        v.sort_by(|a, b| cmp_ascending(*a, *b));
        assert_eq!(v[..3], [1.0, 2.0, 3.0]);
        assert!(v[3].is_nan());
        v.sort_by(|a, b| cmp_descending(*a, *b));
        assert_eq!(v[..3], [3.0, 2.0, 1.0]);
        assert!(v[3].is_nan());
    }

    #[test]
    fn sort_by_label_falls_back_to_all_labels() {
        let l = |pairs: &[(&str, &str)]| Labels::new(pairs.iter().copied()).unwrap();
        let a = l(&[("group", "canary"), ("instance", "0")]);
        let b = l(&[("group", "production"), ("instance", "0")]);
        let names = vec!["instance".to_string()];
        assert_eq!(cmp_by_labels(&a, &b, &names, false), Ordering::Less);
        assert_eq!(cmp_by_labels(&a, &b, &names, true), Ordering::Greater);
        let c = l(&[("group", "canary"), ("instance", "10")]);
        assert_eq!(cmp_by_labels(&c, &b, &names, false), Ordering::Greater);
    }

    fn matchers(query: &str) -> Vec<Matcher> {
        match parse(query).unwrap().kind {
            ExprKind::VectorSelector(vs) => vs.matchers,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn absent_keeps_labels_pinned_once_by_equality() {
        let show = |q: &str| absent_labels(&matchers(q)).to_string();
        assert_eq!(show("nonexistent"), "{}");
        assert_eq!(
            show(r#"nonexistent{job="testjob", instance="testinstance", method=~".x"}"#),
            r#"{instance="testinstance", job="testjob"}"#
        );
        assert_eq!(
            show(r#"nonexistent{job="testjob",job="testjob2",foo="bar"}"#),
            r#"{foo="bar"}"#
        );
        assert_eq!(
            show(r#"nonexistent{job="testjob",job="testjob2",job="three",foo="bar"}"#),
            r#"{foo="bar"}"#
        );
        assert_eq!(
            show(r#"nonexistent{job="testjob",job=~"testjob2",foo="bar"}"#),
            r#"{foo="bar"}"#
        );
        assert_eq!(show(r#"x{handler!="/foo"}"#), "{}");
        assert_eq!(show(r#"{__name__="x", a=""}"#), "{}");
    }

    #[test]
    fn scalar_needs_exactly_one_value() {
        assert_eq!(scalar(&[1.0]), 1.0);
        assert!(scalar(&[1.0, 2.0]).is_nan());
        assert!(scalar(&[]).is_nan());
    }
}
