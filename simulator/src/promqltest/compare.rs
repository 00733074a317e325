//! Comparing a query's result with what a script expects, as Prometheus' `compareResult`
//! does, reporting every difference rather than only the first.
//!
//! The rules (`promql/promqltest/test.go`, `util/almost`): values are equal within a relative
//! error of 1e-6 ([`almost_equal`]), any NaN equals any NaN but a stale marker only equals a
//! stale marker; label sets must be exactly equal, `__name__` included; an instant vector's
//! order matters only when the eval says `expect ordered`; a matrix must be sorted by labels
//! and is compared point by point, timestamps included, with `_` meaning "no point here".

use super::script::{Eval, Expected, ExpectedSeries};
use super::series::SeqValue;
use crate::promql::literals::format_float;
use crate::promql::value::{Point, Value};
use crate::tsdb::{Labels, STALE_NAN_BITS};

/// The relative error Prometheus' test scripts allow.
pub const EPSILON: f64 = 1e-6;

/// The most difference lines one failure lists; the rest are counted.
const MAX_LINES: usize = 8;

/// Prometheus' `almost.Equal`: true if `a` and `b` differ by less than `epsilon` times the
/// sum of their magnitudes (an absolute test near zero), if both are stale markers, or if
/// both are other NaNs.
pub fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    let stale = |v: f64| v.to_bits() == STALE_NAN_BITS;
    if stale(a) || stale(b) {
        return stale(a) && stale(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    // The smallest positive normal f64.
    let min_normal = f64::from_bits(0x0010_0000_0000_0000);
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < min_normal {
        return diff < epsilon * min_normal;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// A value as the scripts write it: `stale` for a stale marker, Go's float format otherwise.
pub fn show(v: f64) -> String {
    if v.to_bits() == STALE_NAN_BITS {
        "stale".into()
    } else {
        format_float(v)
    }
}

/// The differences found, as short lines; empty when the result is as expected.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Diff {
    lines: Vec<String>,
    more: usize,
}

impl Diff {
    fn push(&mut self, line: String) {
        if self.lines.len() < MAX_LINES {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The lines, with a count of those left out.
    pub fn render(&self) -> String {
        let mut out = self.lines.join("\n");
        if self.more > 0 {
            out.push_str(&format!("\n... and {} more differences", self.more));
        }
        out
    }
}

/// Compares `value` with what `eval` expects. `eval`'s `start`, `end` and `step` place the
/// expected points of a matrix.
pub fn compare(eval: &Eval, value: &Value) -> Diff {
    let mut d = Diff::default();
    match (value, &eval.expected) {
        (Value::Matrix(series), Expected::Series(expected)) => {
            if eval.is_ordered() {
                d.push("expected ordered result, but query returned a matrix".into());
                return d;
            }
            compare_matrix(eval, series, expected, &mut d);
        }
        (Value::Matrix(m), Expected::Scalar(_)) => {
            d.push(format!(
                "expected a scalar, got a matrix of {} series",
                m.len()
            ));
        }
        (Value::Vector(samples), Expected::Series(expected)) => {
            let got: Vec<(&Labels, f64)> = samples.iter().map(|s| (&s.labels, s.v)).collect();
            compare_vector(eval.is_ordered(), &got, expected, &mut d);
        }
        (Value::Vector(v), Expected::Scalar(_)) => {
            d.push(format!(
                "expected a scalar, got a vector of {} series",
                v.len()
            ));
        }
        (Value::Scalar { v, .. }, Expected::Scalar(want)) => {
            if !almost_equal(*want, *v, EPSILON) {
                d.push(format!("expected scalar {}, got {}", show(*want), show(*v)));
            }
        }
        (Value::Scalar { v, .. }, Expected::Series(_)) => {
            d.push(format!(
                "expected a vector or matrix, got scalar {}",
                show(*v)
            ));
        }
        (Value::String { v, .. }, _) => {
            let want = eval.expected_string.as_deref().unwrap_or("");
            if want != v {
                d.push(format!("expected string {want:?}, got {v:?}"));
            }
        }
    }
    d
}

/// Compares an instant vector; `got` is in result order.
pub fn compare_vector(
    ordered: bool,
    got: &[(&Labels, f64)],
    expected: &[ExpectedSeries],
    d: &mut Diff,
) {
    for (pos, (labels, v)) in got.iter().enumerate() {
        let Some(exp) = expected.iter().find(|e| e.labels == **labels) else {
            d.push(format!("+ {labels} {}   (unexpected series)", show(*v)));
            continue;
        };
        if ordered && exp.pos != pos + 1 {
            d.push(format!(
                "~ {labels} at position {}, expected at {}",
                pos + 1,
                exp.pos
            ));
        }
        match exp.values.first() {
            Some(SeqValue::Histogram) => {
                d.push(format!(
                    "~ {labels}: expected a native histogram, got {}",
                    show(*v)
                ));
            }
            // `_` as an instant expectation reads as 0 in Prometheus (an omitted
            // SequenceValue has Value 0).
            first => {
                let want = match first {
                    Some(SeqValue::Float(f)) => *f,
                    _ => 0.0,
                };
                if !almost_equal(want, *v, EPSILON) {
                    d.push(format!(
                        "~ {labels}: expected {}, got {}",
                        show(want),
                        show(*v)
                    ));
                }
            }
        }
    }
    for exp in expected {
        if !got.iter().any(|(l, _)| **l == exp.labels) {
            let want = match exp.values.first() {
                Some(SeqValue::Float(f)) => show(*f),
                Some(SeqValue::Histogram) => "{{histogram}}".into(),
                _ => "_".into(),
            };
            d.push(format!("- {} {want}   (missing)", exp.labels));
        }
    }
}

fn compare_matrix(
    eval: &Eval,
    got: &[crate::promql::value::Series],
    expected: &[ExpectedSeries],
    d: &mut Diff,
) {
    for pair in got.windows(2) {
        if pair[0].labels > pair[1].labels {
            d.push(format!(
                "matrix results should always be sorted by labels, but {} comes before {}",
                pair[0].labels, pair[1].labels
            ));
            break;
        }
    }
    for s in got {
        let Some(exp) = expected.iter().find(|e| e.labels == s.labels) else {
            d.push(format!(
                "+ {} {}   (unexpected series)",
                s.labels,
                points(&s.points)
            ));
            continue;
        };
        let mut want: Vec<Point> = Vec::new();
        let mut too_many = false;
        let mut histograms = 0;
        for (i, v) in exp.values.iter().enumerate() {
            let t = eval
                .start
                .saturating_add((i as i64).saturating_mul(eval.step));
            if t > eval.end {
                too_many = true;
                break;
            }
            match v {
                SeqValue::Float(f) => want.push(Point { t, v: *f }),
                SeqValue::Histogram => histograms += 1,
                SeqValue::Omitted => {}
            }
        }
        if too_many {
            d.push(format!(
                "~ {}: expected {} points, but the query's time range cannot return this many",
                s.labels,
                exp.values.len()
            ));
            continue;
        }
        if histograms > 0 {
            d.push(format!(
                "~ {}: expected {histograms} native histogram points",
                s.labels
            ));
            continue;
        }
        let same = want.len() == s.points.len()
            && want
                .iter()
                .zip(&s.points)
                .all(|(w, g)| w.t == g.t && almost_equal(w.v, g.v, EPSILON));
        if !same {
            d.push(format!(
                "~ {}\n    expected {}\n    got      {}",
                s.labels,
                points(&want),
                points(&s.points)
            ));
        }
    }
    for exp in expected {
        if !got.iter().any(|s| s.labels == exp.labels) {
            d.push(format!("- {}   (missing)", exp.labels));
        }
    }
}

/// `1@60 2@120 ...`, shortened in the middle when long.
fn points(ps: &[Point]) -> String {
    let one = |p: &Point| format!("{}@{}", show(p.v), crate::promql::duration::format_ms(p.t));
    if ps.is_empty() {
        return "(no points)".into();
    }
    if ps.len() <= 12 {
        return ps.iter().map(one).collect::<Vec<_>>().join(" ");
    }
    let head: Vec<String> = ps[..6].iter().map(one).collect();
    let tail: Vec<String> = ps[ps.len() - 4..].iter().map(one).collect();
    format!(
        "{} ... ({} more) ... {}",
        head.join(" "),
        ps.len() - 10,
        tail.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::value::{Sample, Series};
    use crate::promqltest::script;

    fn eval(text: &str) -> Eval {
        match script::parse(text).unwrap().commands.remove(0) {
            script::Command::Eval(e) => *e,
            c => panic!("{c:?}"),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(pairs.iter().copied()).unwrap()
    }

    #[test]
    fn almost_equal_is_prometheus() {
        assert!(almost_equal(1.0, 1.0 + 1e-9, EPSILON));
        assert!(!almost_equal(1.0, 1.0001, EPSILON));
        assert!(almost_equal(f64::NAN, -f64::NAN, EPSILON));
        let stale = f64::from_bits(STALE_NAN_BITS);
        assert!(almost_equal(stale, stale, EPSILON));
        assert!(!almost_equal(stale, f64::NAN, EPSILON));
        assert!(!almost_equal(f64::NAN, stale, EPSILON));
        assert!(almost_equal(f64::INFINITY, f64::INFINITY, EPSILON));
        assert!(!almost_equal(f64::INFINITY, f64::NEG_INFINITY, EPSILON));
        // Near zero the test is absolute, scaled by the smallest normal.
        assert!(!almost_equal(0.0, 1e-300, EPSILON));
        assert!(almost_equal(0.0, -0.0, EPSILON));
        assert!(almost_equal(1e300, 1e300 * (1.0 + 1e-8), EPSILON));
    }

    #[test]
    fn vectors_ignore_order_unless_ordered() {
        let e = eval("eval instant at 0 m\n  m{a=\"1\"} 1\n  m{a=\"2\"} 2\n");
        let v = Value::Vector(vec![
            Sample {
                labels: labels(&[("__name__", "m"), ("a", "2")]),
                t: 0,
                v: 2.0,
            },
            Sample {
                labels: labels(&[("__name__", "m"), ("a", "1")]),
                t: 0,
                v: 1.0 + 1e-9,
            },
        ]);
        assert!(compare(&e, &v).is_empty());
        let ordered =
            eval("eval instant at 0 m\n  expect ordered\n  m{a=\"1\"} 1\n  m{a=\"2\"} 2\n");
        let d = compare(&ordered, &v);
        assert!(
            d.render().contains("at position 1, expected at 2"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn vector_differences_are_all_listed() {
        let e = eval("eval instant at 0 m\n  m{a=\"1\"} 1\n  m{a=\"2\"} 2\n");
        let v = Value::Vector(vec![
            Sample {
                labels: labels(&[("__name__", "m"), ("a", "1")]),
                t: 0,
                v: 5.0,
            },
            Sample {
                labels: labels(&[("a", "3")]),
                t: 0,
                v: 3.0,
            },
        ]);
        let text = compare(&e, &v).render();
        assert!(text.contains("~ m{a=\"1\"}: expected 1, got 5"), "{text}");
        assert!(text.contains("+ {a=\"3\"} 3"), "{text}");
        assert!(text.contains("- m{a=\"2\"} 2"), "{text}");
    }

    #[test]
    fn names_are_part_of_the_labels() {
        let e = eval("eval instant at 0 m\n  {a=\"1\"} 1\n");
        let v = Value::Vector(vec![Sample {
            labels: labels(&[("__name__", "m"), ("a", "1")]),
            t: 0,
            v: 1.0,
        }]);
        assert!(!compare(&e, &v).is_empty());
    }

    #[test]
    fn matrices_compare_points_and_timestamps() {
        let e = eval("eval range from 0 to 2m step 1m m\n  m 1 _ 3\n");
        let series = |pts: &[(i64, f64)]| {
            Value::Matrix(vec![Series {
                labels: labels(&[("__name__", "m")]),
                points: pts.iter().map(|&(t, v)| Point { t, v }).collect(),
            }])
        };
        assert!(compare(&e, &series(&[(0, 1.0), (120_000, 3.0)])).is_empty());
        assert!(!compare(&e, &series(&[(0, 1.0), (60_000, 3.0)])).is_empty());
        assert!(!compare(&e, &series(&[(0, 1.0), (60_000, 2.0), (120_000, 3.0)])).is_empty());
        assert!(!compare(&e, &series(&[(0, 1.0)])).is_empty());
        let too_long = eval("eval range from 0 to 1m step 1m m\n  m 1 2 3\n");
        assert!(!compare(&too_long, &series(&[(0, 1.0), (60_000, 2.0)])).is_empty());
    }

    #[test]
    fn matrices_must_be_sorted() {
        let e = eval("eval range from 0 to 0 step 1m m\n  m{a=\"1\"} 1\n  m{a=\"2\"} 1\n");
        let s = |a: &str| Series {
            labels: labels(&[("__name__", "m"), ("a", a)]),
            points: vec![Point { t: 0, v: 1.0 }],
        };
        assert!(compare(&e, &Value::Matrix(vec![s("1"), s("2")])).is_empty());
        assert!(!compare(&e, &Value::Matrix(vec![s("2"), s("1")])).is_empty());
    }

    #[test]
    fn scalars_and_strings() {
        let e = eval("eval instant at 0 1\n  NaN\n");
        assert!(compare(&e, &Value::Scalar { t: 0, v: f64::NAN }).is_empty());
        assert!(!compare(&e, &Value::Scalar { t: 0, v: 1.0 }).is_empty());
        assert!(!compare(&e, &Value::Vector(Vec::new())).is_empty());
        let s = eval("eval instant at 0 \"a\"\n  expect string \"a\"\n");
        assert!(
            compare(
                &s,
                &Value::String {
                    t: 0,
                    v: "a".into()
                }
            )
            .is_empty()
        );
        assert!(
            !compare(
                &s,
                &Value::String {
                    t: 0,
                    v: "b".into()
                }
            )
            .is_empty()
        );
    }

    #[test]
    fn stale_markers_only_equal_stale_markers() {
        let e = eval("eval instant at 0 m\n  m stale\n");
        let v = |x: f64| {
            Value::Vector(vec![Sample {
                labels: labels(&[("__name__", "m")]),
                t: 0,
                v: x,
            }])
        };
        assert!(compare(&e, &v(f64::from_bits(STALE_NAN_BITS))).is_empty());
        assert!(!compare(&e, &v(f64::NAN)).is_empty());
    }
}
