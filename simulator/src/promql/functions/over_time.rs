//! `<aggregation>_over_time`: aggregating each series' samples across a range.

use super::{Function, Implementation, RangeFunction, Window, over_range};
use crate::promql::annotations::{Annotation, Annotations};
use crate::promql::error::EvalError;
use crate::promql::kahan::{self, KahanSum};
use crate::promql::quantile::quantile;
use crate::promql::types::ValueType::{Matrix, Scalar, Vector};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "avg_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The average of each series' samples in the range.",
        example: "avg_over_time(node_load1[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(avg_over_time(w.vs))),
    },
    Function {
        name: "min_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The smallest of each series' samples in the range.",
        example: "min_over_time(node_load1[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(min_over_time(w.vs))),
    },
    Function {
        name: "max_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The largest of each series' samples in the range.",
        example: "max_over_time(node_load1[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(max_over_time(w.vs))),
    },
    Function {
        name: "sum_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The sum of each series' samples in the range.",
        example: "sum_over_time(up[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(sum_over_time(w.vs))),
    },
    Function {
        name: "count_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "How many samples each series has in the range.",
        example: "count_over_time(up[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(count_over_time(w.vs))),
    },
    Function {
        name: "quantile_over_time",
        args: &[Scalar, Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The φ-quantile (0 ≤ φ ≤ 1) of each series' samples in the range.",
        example: "quantile_over_time(0.95, node_load1[1h])",
        experimental: false,
        implementation: over_range(quantile_call),
    },
    Function {
        name: "stddev_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The population standard deviation of each series' samples in the range.",
        example: "stddev_over_time(node_load1[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(stddev_over_time(w.vs))),
    },
    Function {
        name: "stdvar_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The population variance of each series' samples in the range.",
        example: "stdvar_over_time(node_load1[1h])",
        experimental: false,
        implementation: over_range(|w, _| Ok(stdvar_over_time(w.vs))),
    },
    Function {
        name: "mad_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The median absolute deviation of each series' samples in the range.",
        example: "mad_over_time(node_load1[1h])",
        experimental: true,
        implementation: over_range(|w, _| {
            Ok(mad_over_time(w.vs, &mut Vec::with_capacity(w.vs.len())))
        }),
    },
    Function {
        name: "last_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The most recent sample of each series in the range.",
        example: "last_over_time(up[10m])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(last_over_time(w.vs)),
            keeps_metric_name: true,
            counter_info: false,
            then: None,
            modifiers: &[],
            drops: false,
        }),
    },
    Function {
        name: "first_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The oldest sample of each series in the range.",
        example: "first_over_time(up[10m])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(first_over_time(w.vs)),
            keeps_metric_name: true,
            counter_info: false,
            then: None,
            modifiers: &[],
            drops: false,
        }),
    },
    Function {
        name: "present_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "1 for every series that has any sample in the range.",
        example: "present_over_time(up[10m])",
        experimental: false,
        implementation: over_range(|w, _| Ok(present_over_time(w.vs))),
    },
    Function {
        name: "absent_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "A one-series vector with value 1 if the selector has no samples in the range, otherwise nothing: for alerting on missing data.",
        example: "absent_over_time(up{job=\"api\"}[10m])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(present_over_time(w.vs)),
            keeps_metric_name: false,
            counter_info: false,
            then: Some(super::shape::absent),
            modifiers: &[],
            drops: false,
        }),
    },
    Function {
        name: "ts_of_min_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The timestamp of the last sample having each series' minimum value in the range.",
        example: "ts_of_min_over_time(node_load1[1h])",
        experimental: true,
        implementation: over_range(|w, _| Ok(ts_of_min_over_time(w.ts, w.vs))),
    },
    Function {
        name: "ts_of_max_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The timestamp of the last sample having each series' maximum value in the range.",
        example: "ts_of_max_over_time(node_load1[1h])",
        experimental: true,
        implementation: over_range(|w, _| Ok(ts_of_max_over_time(w.ts, w.vs))),
    },
    Function {
        name: "ts_of_first_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The timestamp of each series' oldest sample in the range.",
        example: "ts_of_first_over_time(up[1h])",
        experimental: true,
        implementation: over_range(|w, _| Ok(ts_of_first_over_time(w.ts))),
    },
    Function {
        name: "ts_of_last_over_time",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The timestamp of each series' most recent sample in the range.",
        example: "ts_of_last_over_time(up[1h])",
        experimental: true,
        implementation: over_range(|w, _| Ok(ts_of_last_over_time(w.ts))),
    },
];

// The kernels below aggregate the values of one series' window at one step (timestamps in
// milliseconds where they matter). The engine calls them only for non-empty windows, but
// each still answers `None` for an empty one rather than trusting that.

/// `quantile_over_time` as the engine calls it: φ is the first argument, and a φ outside
/// [0, 1] earns Prometheus' warning, pointing at φ.
fn quantile_call(w: &Window<'_>, annotations: &mut Annotations) -> Result<Option<f64>, EvalError> {
    let q = w.args.first().copied().unwrap_or(f64::NAN);
    if quantile_out_of_range(q) {
        annotations.add(Annotation::invalid_quantile(q, w.spans.arg(0)));
    }
    Ok(quantile_over_time(
        q,
        w.vs,
        &mut Vec::with_capacity(w.vs.len()),
    ))
}

/// `avg_over_time`: the mean, computed as Prometheus does. The sum is accumulated with
/// compensation while it stays finite, which is usually the most accurate; if it would
/// overflow, the computation switches to an incremental mean, which cannot.
pub fn avg_over_time(v: &[f64]) -> Option<f64> {
    let (&first, rest) = v.split_first()?;
    let (mut sum, mut c) = (first, 0.0);
    let mut mean = 0.0;
    let mut incremental = false;
    let mut count = 1.0;
    for (i, &x) in rest.iter().enumerate() {
        count = (i + 2) as f64;
        if !incremental {
            let (new_sum, new_c) = kahan::inc(x, sum, c);
            if !new_sum.is_infinite() {
                (sum, c) = (new_sum, new_c);
                continue;
            }
            incremental = true;
            mean = sum / (count - 1.0);
            c /= count - 1.0;
        }
        let q = (count - 1.0) / count;
        (mean, c) = kahan::inc(x / count, q * mean, q * c);
    }
    Some(if incremental {
        mean + c
    } else {
        sum / count + c / count
    })
}

/// `sum_over_time`, with compensated summation.
pub fn sum_over_time(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut sum = KahanSum::default();
    for &x in v {
        sum.add(x);
    }
    Some(sum.value())
}

/// `count_over_time`.
pub fn count_over_time(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then_some(v.len() as f64)
}

/// The index of the sample `min_over_time` (`replaces` is `<`) or `max_over_time` (`>`)
/// picks, and with `<=`/`>=` the one `ts_of_min_over_time`/`ts_of_max_over_time` picks (the
/// last of equal extremes). NaN is only kept while nothing else has been seen: any number
/// replaces it.
fn extreme(v: &[f64], replaces: impl Fn(f64, f64) -> bool) -> Option<usize> {
    let mut best = 0;
    let mut best_value = *v.first()?;
    for (i, &x) in v.iter().enumerate() {
        if replaces(x, best_value) || best_value.is_nan() {
            best = i;
            best_value = x;
        }
    }
    Some(best)
}

/// `min_over_time`: the smallest value, ignoring NaN unless every value is NaN.
pub fn min_over_time(v: &[f64]) -> Option<f64> {
    extreme(v, |x, m| x < m).map(|i| v[i])
}

/// `max_over_time`: the largest value, ignoring NaN unless every value is NaN.
pub fn max_over_time(v: &[f64]) -> Option<f64> {
    extreme(v, |x, m| x > m).map(|i| v[i])
}

/// `ts_of_min_over_time`: the time in seconds of the last sample holding the minimum.
pub fn ts_of_min_over_time(t: &[i64], v: &[f64]) -> Option<f64> {
    let i = extreme(v, |x, m| x <= m)?;
    t.get(i).map(|&ts| ts as f64 / 1000.0)
}

/// `ts_of_max_over_time`: the time in seconds of the last sample holding the maximum.
pub fn ts_of_max_over_time(t: &[i64], v: &[f64]) -> Option<f64> {
    let i = extreme(v, |x, m| x >= m)?;
    t.get(i).map(|&ts| ts as f64 / 1000.0)
}

/// `first_over_time`: the oldest value.
pub fn first_over_time(v: &[f64]) -> Option<f64> {
    v.first().copied()
}

/// `last_over_time`: the newest value.
pub fn last_over_time(v: &[f64]) -> Option<f64> {
    v.last().copied()
}

/// `ts_of_first_over_time`: the oldest sample's time in seconds.
pub fn ts_of_first_over_time(t: &[i64]) -> Option<f64> {
    t.first().map(|&ts| ts as f64 / 1000.0)
}

/// `ts_of_last_over_time`: the newest sample's time in seconds.
pub fn ts_of_last_over_time(t: &[i64]) -> Option<f64> {
    t.last().map(|&ts| ts as f64 / 1000.0)
}

/// `present_over_time`: 1 for any sample.
pub fn present_over_time(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then_some(1.0)
}

/// `quantile_over_time`: the φ-quantile of the values. `scratch` is reused between calls to
/// avoid an allocation per step. A φ outside [0, 1] gives ±Inf and, from the caller, a
/// warning (see [`quantile_out_of_range`]).
pub fn quantile_over_time(q: f64, v: &[f64], scratch: &mut Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    scratch.clear();
    scratch.extend_from_slice(v);
    Some(quantile(q, scratch))
}

/// Whether φ earns Prometheus' warning "quantile value should be between 0 and 1".
pub fn quantile_out_of_range(q: f64) -> bool {
    q.is_nan() || !(0.0..=1.0).contains(&q)
}

/// The population variance by Welford's online algorithm with compensated sums, exactly as
/// Prometheus computes it (a two-pass formula would round differently).
fn variance(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut count = 0.0;
    let (mut mean, mut c_mean) = (0.0, 0.0);
    let (mut aux, mut c_aux) = (0.0, 0.0);
    for &x in v {
        count += 1.0;
        let delta = x - (mean + c_mean);
        (mean, c_mean) = kahan::inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan::inc(delta * (x - (mean + c_mean)), aux, c_aux);
    }
    Some((aux + c_aux) / count)
}

/// `stdvar_over_time`: the population variance.
pub fn stdvar_over_time(v: &[f64]) -> Option<f64> {
    variance(v)
}

/// `stddev_over_time`: the population standard deviation.
pub fn stddev_over_time(v: &[f64]) -> Option<f64> {
    variance(v).map(f64::sqrt)
}

/// `mad_over_time`: the median of the absolute deviations from the median. A NaN value
/// makes the median undefined, so the result is NaN rather than silently skipping it.
pub fn mad_over_time(v: &[f64], scratch: &mut Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    if v.iter().any(|x| x.is_nan()) {
        return Some(f64::NAN);
    }
    scratch.clear();
    scratch.extend_from_slice(v);
    let median = quantile(0.5, scratch);
    for x in scratch.iter_mut() {
        *x = (*x - median).abs();
    }
    Some(quantile(0.5, scratch))
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || ((a - b) / b).abs() < 1e-9
    }

    #[test]
    fn avg_over_time_matches_prometheus_on_extreme_values() {
        // functions.test "Tests for avg_over_time".
        let inf = f64::INFINITY;
        let cases: &[(&[f64], f64)] = &[
            (&[1.0, 2.0, 3.0, 4.0, 5.0], 3.0),
            (&[1.0, 2.0, 3.0, 4.0, inf], inf),
            (&[1.0, 2.0, 3.0, inf, -inf], f64::NAN),
            (&[inf, 0.0, inf], inf),
            (&[-inf, 0.0, -inf], -inf),
            (
                &[9.988465674311579e307, 9.988465674311579e307],
                9.988465674311579e307,
            ),
            (&[-9.988465674311579e307; 3], -9.988465674311579e307),
            (&[-9.988465674311579e307, 9.988465674311579e307], 0.0),
            (&[1.0, 1e100, 1.0, -1e100], 0.5),
            (&[1e10, 1e-6, 1e-6, 1e-6, 1e-6, 1e-6], 1.6666666666666675e9),
            (
                &[1.78264e50, 0.76342771, 1.9592258, 7.69805412, 458.90154],
                3.56528e49,
            ),
            (
                &[
                    1.78264e50, 0.76342771, 1.9592258, 2.258e220, 7.69805412, 458.90154,
                ],
                3.76333333333333e219,
            ),
            (
                &[
                    -1.78264e219,
                    0.76342771,
                    1.9592258,
                    2.3757689e217,
                    -2.3757689e217,
                    2.258e220,
                    7.69805412,
                    1.78264e219,
                    -458.90154,
                ],
                2.5088888888888888e219,
            ),
            (
                &[
                    -2.258e220,
                    -1.78264e219,
                    0.76342771,
                    1.9592258,
                    2.3757689e217,
                    -2.3757689e217,
                    2.258e220,
                    7.69805412,
                    1.78264e219,
                    -458.90154,
                ],
                0.0,
            ),
        ];
        for (values, want) in cases {
            let got = avg_over_time(values).unwrap();
            assert!(
                close(got, *want) || (got - want).abs() < 1e-6,
                "{values:?}: {got} != {want}"
            );
        }
        // Exactly 52, not 52 plus rounding error, for any count.
        for n in [10, 11, 12, 13] {
            assert_eq!(avg_over_time(&vec![52.0; n]), Some(52.0));
        }
        assert_eq!(avg_over_time(&[]), None);
    }

    #[test]
    fn sum_over_time_is_compensated() {
        assert_eq!(sum_over_time(&[1.0, 1e100, 1.0, -1e100]), Some(2.0));
        assert_eq!(
            sum_over_time(&[9.988465674311579e307; 2]),
            Some(f64::INFINITY)
        );
        assert_eq!(sum_over_time(&vec![1.0; 1003]), Some(1003.0));
        assert_eq!(count_over_time(&[1.0, f64::NAN]), Some(2.0));
    }

    #[test]
    fn min_and_max_skip_nan_unless_all_are_nan() {
        let nan = f64::NAN;
        assert_eq!(min_over_time(&[2.0, 0.0, 3.0]), Some(0.0));
        assert_eq!(min_over_time(&[2.0, 0.0, nan]), Some(0.0));
        assert_eq!(min_over_time(&[2.0, nan, 1.0]), Some(1.0));
        assert_eq!(min_over_time(&[nan, 0.0, 1.0]), Some(0.0));
        assert!(min_over_time(&[nan, nan]).unwrap().is_nan());
        assert_eq!(max_over_time(&[2.0, 0.0, nan]), Some(2.0));
        assert_eq!(max_over_time(&[nan, 0.0, 1.0]), Some(1.0));
        assert_eq!(max_over_time(&[]), None);
    }

    #[test]
    fn timestamps_of_extremes_take_the_last_equal_sample() {
        // load 10s53ms: metric 1 2 3 0 5 6 2 1 4, at 90s over 90s.
        let v = [2.0, 3.0, 0.0, 5.0, 6.0, 2.0, 1.0, 4.0];
        let t: Vec<i64> = (1..=8).map(|i| i * 10_053).collect();
        assert_eq!(ts_of_min_over_time(&t, &v), Some(30.159));
        assert_eq!(ts_of_max_over_time(&t, &v), Some(50.265));
        assert_eq!(ts_of_max_over_time(&[1000, 2000], &[1.0, 1.0]), Some(2.0));
        assert_eq!(ts_of_first_over_time(&t), Some(10.053));
        assert_eq!(ts_of_last_over_time(&t), Some(80.424));
        assert_eq!(first_over_time(&v), Some(2.0));
        assert_eq!(last_over_time(&v), Some(4.0));
    }

    #[test]
    fn variance_and_deviations() {
        assert!(close(
            stdvar_over_time(&[0.0, 8.0, 8.0, 2.0, 3.0]).unwrap(),
            10.56
        ));
        assert!(close(
            stddev_over_time(&[0.0, 8.0, 8.0, 2.0, 3.0]).unwrap(),
            3.2496153618543846
        ));
        assert_eq!(stdvar_over_time(&[1.5990505637277868; 3]), Some(0.0));
        let mut scratch = Vec::new();
        assert_eq!(
            mad_over_time(&[4.0, 6.0, 2.0, 1.0, 999.0, 1.0, 2.0], &mut scratch),
            Some(1.0)
        );
        assert_eq!(
            mad_over_time(&[1.0, 2.0, 3.0, 4.0, 5.0], &mut scratch),
            Some(1.0)
        );
        assert_eq!(mad_over_time(&[7.0; 5], &mut scratch), Some(0.0));
        assert_eq!(mad_over_time(&[5.0], &mut scratch), Some(0.0));
        assert!(
            mad_over_time(&[1.0, 2.0, f64::NAN, 4.0], &mut scratch)
                .unwrap()
                .is_nan()
        );
    }

    #[test]
    fn quantiles_over_time() {
        let mut scratch = Vec::new();
        let mut q = |q: f64, v: &[f64]| quantile_over_time(q, v, &mut scratch).unwrap();
        assert_eq!(q(0.5, &[0.0, 1.0]), 0.5);
        assert_eq!(q(0.75, &[0.0, 1.0, 2.0]), 1.5);
        assert!(close(q(0.8, &[0.0, 1.0, 4.0]), 2.8));
        assert_eq!(q(-1.0, &[0.0, 1.0]), f64::NEG_INFINITY);
        assert_eq!(q(2.0, &[0.0, 1.0]), f64::INFINITY);
        assert!(quantile_out_of_range(2.0) && quantile_out_of_range(f64::NAN));
        assert!(!quantile_out_of_range(0.0) && !quantile_out_of_range(1.0));
        assert_eq!(present_over_time(&[f64::NAN]), Some(1.0));
    }
}
