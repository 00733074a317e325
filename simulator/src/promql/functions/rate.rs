//! How fast a series changes over a range: rates, deltas, derivatives and counts of changes.

use super::{Function, Implementation, RangeFunction, Window, over_range};
use crate::promql::ast::ExtendedKind::{Anchored, Smoothed};
use crate::promql::error::EvalError;
use crate::promql::kahan::KahanSum;
use crate::promql::types::ValueType::{Matrix, Scalar, Vector};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "rate",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The per-second average rate of increase of a counter over the range, allowing for counter resets.",
        example: "rate(http_requests_total[5m])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(rate_of(w, true, true)),
            keeps_metric_name: false,
            counter_info: true,
            then: None,
            modifiers: &[Anchored, Smoothed],
            drops: true,
        }),
    },
    Function {
        name: "irate",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The per-second rate of a counter from the last two samples in the range: fast-moving, for volatile graphs.",
        example: "irate(http_requests_total[5m])",
        experimental: false,
        implementation: over_range(|w, _| Ok(instant_value(w.ts, w.vs, true))),
    },
    Function {
        name: "increase",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "How much a counter grew over the range, allowing for counter resets (rate times the range).",
        example: "increase(http_requests_total[1h])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(rate_of(w, true, false)),
            keeps_metric_name: false,
            counter_info: true,
            then: None,
            modifiers: &[Anchored, Smoothed],
            drops: true,
        }),
    },
    Function {
        name: "delta",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The difference between a gauge's first and last value in the range, extrapolated to the whole range.",
        example: "delta(node_temperature_celsius[2h])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(rate_of(w, false, false)),
            keeps_metric_name: false,
            counter_info: false,
            then: None,
            modifiers: &[Anchored, Smoothed],
            drops: false,
        }),
    },
    Function {
        name: "idelta",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The difference between the last two samples of a gauge in the range.",
        example: "idelta(node_temperature_celsius[5m])",
        experimental: false,
        implementation: over_range(|w, _| Ok(instant_value(w.ts, w.vs, false))),
    },
    Function {
        name: "deriv",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "The per-second derivative of a gauge over the range, by simple linear regression.",
        example: "deriv(node_memory_Active_bytes[15m])",
        experimental: false,
        implementation: over_range(|w, _| Ok(deriv(w.ts, w.vs))),
    },
    Function {
        name: "predict_linear",
        args: &[Matrix, Scalar],
        variadic: 0,
        returns: Vector,
        doc: "Predicts a gauge's value the given number of seconds from now, by linear regression over the range.",
        example: "predict_linear(node_filesystem_avail_bytes[1h], 4 * 3600)",
        experimental: false,
        implementation: over_range(|w, _| {
            Ok(predict_linear(
                w.ts,
                w.vs,
                w.eval_time,
                w.args.first().copied().unwrap_or(f64::NAN),
            ))
        }),
    },
    Function {
        name: "changes",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "How many times the value changed within the range.",
        example: "changes(process_start_time_seconds[1h])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| Ok(changes(w.vs)),
            keeps_metric_name: false,
            counter_info: false,
            then: None,
            modifiers: &[Anchored],
            drops: false,
        }),
    },
    Function {
        name: "resets",
        args: &[Matrix],
        variadic: 0,
        returns: Vector,
        doc: "How many times a counter reset (went down) within the range.",
        example: "resets(http_requests_total[1h])",
        experimental: false,
        implementation: Implementation::Range(RangeFunction {
            eval: |w, _| {
                Ok(match w.drops {
                    Some(d) if !w.vs.is_empty() => Some(d.len() as f64),
                    _ => resets(w.vs),
                })
            },
            keeps_metric_name: false,
            counter_info: false,
            then: None,
            modifiers: &[Anchored],
            drops: true,
        }),
    },
    Function {
        name: "double_exponential_smoothing",
        args: &[Matrix, Scalar, Scalar],
        variadic: 0,
        returns: Vector,
        doc: "A smoothed value of a gauge over the range, with a smoothing and a trend factor between 0 and 1.",
        example: "double_exponential_smoothing(node_load1[10m], 0.5, 0.5)",
        experimental: true,
        implementation: over_range(smoothing_call),
    },
];

// The kernels below compute one series' result at one step from the samples of its window:
// `t` holds timestamps in milliseconds, ascending, and `v` the values at the same indices.
// Stale markers never reach them (the engine drops them when it builds a window). `None`
// means "no output at this step", which differs from a NaN output.

/// The length of a window's range in seconds: what `rate` divides by.
fn range_seconds(w: &Window<'_>) -> f64 {
    w.range_end.saturating_sub(w.range_start) as f64 / 1000.0
}

/// `double_exponential_smoothing` as the engine calls it: the factors are the scalar
/// arguments, and refusing them is an error about the whole call, as in Prometheus.
fn smoothing_call(
    w: &Window<'_>,
    _: &mut crate::promql::annotations::Annotations,
) -> Result<Option<f64>, EvalError> {
    let (sf, tf) = match w.args {
        [sf, tf, ..] => (*sf, *tf),
        _ => {
            return Err(EvalError::internal(
                "double_exponential_smoothing without its two factors",
                w.spans.call,
            ));
        }
    };
    double_exponential_smoothing(w.vs, sf, tf)
        .map_err(|e| EvalError::invalid_argument(e.to_string(), w.spans.call))
}

/// Prometheus' `extrapolatedRate`: the increase (`is_counter`) or difference of a series over
/// the left-open range `(range_start, range_end]`, extrapolated towards the range's ends, as a
/// total or per second of `range_seconds` (`is_rate`).
///
/// The samples cover only part of the range, so the change between the first and the last
/// is stretched towards each boundary: all the way when the boundary is within 110% of the
/// average sample interval, otherwise by half an interval (the series probably starts or ends
/// inside the range). A counter is never extrapolated below zero: if the line through its
/// samples reaches zero before the left boundary, extrapolation stops there. Every decrease
/// of a counter is read as a reset to zero, so the value before the drop is added back.
/// Fewer than two samples give no result.
///
/// `drops`, when given, must be what [`Window::drops`] holds for `v`: the value before each
/// drop, in order. The correction then adds exactly those values in that order, which is
/// what scanning `v` would add, so the result is the same to the last bit; it only saves
/// rescanning a long window at every step.
#[allow(clippy::too_many_arguments)]
pub fn extrapolated_rate(
    t: &[i64],
    v: &[f64],
    drops: Option<&[f64]>,
    range_start: i64,
    range_end: i64,
    range_seconds: f64,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    let n = t.len().min(v.len());
    if n < 2 {
        return None;
    }
    let (first_t, last_t) = (t[0], t[n - 1]);
    let mut result = v[n - 1] - v[0];
    if is_counter {
        // Prometheus adds the value before each drop to the difference, one by one in sample
        // order; both branches do the same additions in the same order.
        match drops {
            Some(before) => {
                for &x in before {
                    result += x;
                }
            }
            None => {
                for w in v[..n].windows(2) {
                    if w[1] < w[0] {
                        result += w[0];
                    }
                }
            }
        }
    }
    let mut duration_to_start = (first_t - range_start) as f64 / 1000.0;
    let mut duration_to_end = (range_end - last_t) as f64 / 1000.0;
    let sampled_interval = (last_t - first_t) as f64 / 1000.0;
    let average_interval = sampled_interval / (n - 1) as f64;
    let threshold = average_interval * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_interval / 2.0;
    }
    if is_counter {
        let mut duration_to_zero = duration_to_start;
        if result > 0.0 && v[0] >= 0.0 {
            duration_to_zero = sampled_interval * (v[0] / result);
        }
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_interval / 2.0;
    }
    let mut factor = 1.0;
    if sampled_interval != 0.0 {
        factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
    }
    if is_rate {
        factor /= range_seconds;
    }
    Some(result * factor)
}

/// `rate`, `increase` and `delta` of a window: Prometheus' extrapolated rate, or its
/// extended rate over an `anchored` or `smoothed` selector's window.
fn rate_of(w: &Window<'_>, is_counter: bool, is_rate: bool) -> Option<f64> {
    match w.extended {
        Some(kind) => extended_rate(
            w.ts,
            w.vs,
            w.range_start,
            w.range_end,
            range_seconds(w),
            kind == Smoothed,
            is_counter,
            is_rate,
        ),
        None => extrapolated_rate(
            w.ts,
            w.vs,
            w.drops,
            w.range_start,
            w.range_end,
            range_seconds(w),
            is_counter,
            is_rate,
        ),
    }
}

/// Prometheus' `extendedRate`, for rate, increase and delta over an `anchored` or `smoothed`
/// range. The window holds, besides the samples inside `(range_start, range_end]`, the
/// samples the modifier needs from outside it: for `anchored`, those up to a lookback delta
/// before `range_start`; for `smoothed`, also those up to a lookback delta after
/// `range_end`.
///
/// `anchored` takes the last sample at or before the range's start as the starting value and
/// the last sample in the range as the end value; `smoothed` interpolates linearly to both
/// boundaries from the samples around them. There is no extrapolation. Counter resets inside
/// the range are corrected as `extrapolated_rate` does.
#[allow(clippy::too_many_arguments)]
pub fn extended_rate(
    t: &[i64],
    v: &[f64],
    range_start: i64,
    range_end: i64,
    range_seconds: f64,
    smoothed: bool,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    let n = t.len().min(v.len());
    if n == 0 {
        return None;
    }
    let mut last = n - 1;
    // The last sample at or before the range's start, looked for among all but the last.
    let mut first = t[..last]
        .partition_point(|&ts| ts <= range_start)
        .saturating_sub(1);
    if smoothed {
        // The first sample at or after the range's end (or the last sample).
        last = t[..last].partition_point(|&ts| ts < range_end);
    }
    if t[last] <= range_start {
        return None;
    }
    if smoothed && t[first] > range_end {
        return None;
    }
    let left = if smoothed && t[first] < range_start {
        interpolate(
            (t[first], v[first]),
            (t[first + 1], v[first + 1]),
            range_start,
            is_counter,
        )
    } else {
        v[first]
    };
    let right = if smoothed && last > 0 && t[last] > range_end {
        interpolate(
            (t[last - 1], v[last - 1]),
            (t[last], v[last]),
            range_end,
            is_counter,
        )
    } else {
        v[last]
    };
    let mut result = right - left;
    if is_counter {
        // The boundary values already account for resets next to the boundaries, so only
        // the samples strictly inside the range are checked.
        if t[first] <= range_start {
            first += 1;
        }
        let end = if t[last] >= range_end { last } else { last + 1 };
        let inside = v.get(first..end).unwrap_or(&[]);
        result += counter_reset_correction(left, right, inside);
    }
    if is_rate {
        result /= range_seconds;
    }
    Some(result)
}

/// The value at `t` on the line through two samples. For a counter that dropped between
/// them, the line starts from zero: the counter reset, then grew to the second value.
pub(crate) fn interpolate(p1: (i64, f64), p2: (i64, f64), t: i64, is_counter: bool) -> f64 {
    let (t1, mut y1) = p1;
    let (t2, y2) = p2;
    if is_counter && y2 < y1 {
        y1 = 0.0;
    }
    y1 + (y2 - y1) * (t - t1) as f64 / (t2 - t1) as f64
}

/// What a counter lost to resets between `left`, the samples in between, and `right`: the
/// value before each drop.
fn counter_reset_correction(left: f64, right: f64, inside: &[f64]) -> f64 {
    let mut correction = 0.0;
    let mut prev = left;
    for &x in inside {
        if x < prev {
            correction += prev;
        }
        prev = x;
    }
    if right < prev {
        correction += prev;
    }
    correction
}

/// `irate` (`is_rate`) and `idelta`: the change between the last two samples, per second for
/// `irate`. For `irate` a drop is a counter reset, so the change is the last value itself.
/// Fewer than two samples give no result.
pub fn instant_value(t: &[i64], v: &[f64], is_rate: bool) -> Option<f64> {
    let n = t.len().min(v.len());
    if n < 2 {
        return None;
    }
    let (t0, v0, t1, v1) = (t[n - 2], v[n - 2], t[n - 1], v[n - 1]);
    let interval = t1 - t0;
    if interval == 0 {
        return None;
    }
    // A reset leaves the result at the last value; NaN compares false and so propagates.
    let mut result = if is_rate && v1 < v0 { v1 } else { v1 - v0 };
    if is_rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

/// Least-squares linear regression of the samples against time, with x measured in seconds
/// from `intercept_time`: the slope (per second) and the value at `intercept_time`.
///
/// Sums use compensated addition, as Prometheus' do. A constant series has slope 0, unless
/// it is constantly infinite, which gives NaN for both.
pub fn linear_regression(t: &[i64], v: &[f64], intercept_time: i64) -> (f64, f64) {
    let n_samples = t.len().min(v.len());
    let Some(&init_y) = v.first() else {
        return (f64::NAN, f64::NAN);
    };
    let mut n = 0.0;
    let (mut sum_x, mut sum_y) = (KahanSum::default(), KahanSum::default());
    let (mut sum_xy, mut sum_x2) = (KahanSum::default(), KahanSum::default());
    let mut const_y = true;
    for i in 0..n_samples {
        let y = v[i];
        if const_y && i > 0 && y != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = (t[i] - intercept_time) as f64 / 1e3;
        sum_x.add(x);
        sum_y.add(y);
        sum_xy.add(x * y);
        sum_x2.add(x * x);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    // Prometheus adds the compensation unconditionally here (not as `KahanSum::value`).
    let sum_x = sum_x.sum + sum_x.c;
    let sum_y = sum_y.sum + sum_y.c;
    let sum_xy = sum_xy.sum + sum_xy.c;
    let sum_x2 = sum_x2.sum + sum_x2.c;
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// `deriv`: the slope of the regression line, per second. Fewer than two samples give no
/// result.
pub fn deriv(t: &[i64], v: &[f64]) -> Option<f64> {
    if t.len().min(v.len()) < 2 {
        return None;
    }
    // Measuring x from the first sample keeps x small, which avoids losing precision
    // (Prometheus issue 2674).
    Some(linear_regression(t, v, t[0]).0)
}

/// `predict_linear`: the regression line's value `seconds` after the evaluation time `at`.
/// Fewer than two samples give no result.
pub fn predict_linear(t: &[i64], v: &[f64], at: i64, seconds: f64) -> Option<f64> {
    if t.len().min(v.len()) < 2 {
        return None;
    }
    let (slope, intercept) = linear_regression(t, v, at);
    Some(slope * seconds + intercept)
}

/// The index of the first sample an `anchored` range starts from: the last sample at or
/// before `range_start`, or the first sample when none is that early. `None` when no sample
/// lies after `range_start`, leaving nothing to measure.
pub fn anchored_start(t: &[i64], range_start: i64) -> Option<usize> {
    let after = t.partition_point(|&ts| ts <= range_start);
    if after >= t.len() {
        return None;
    }
    Some(after.saturating_sub(1))
}

/// `changes`: how many times the value differs from the previous sample's. NaN followed by
/// NaN is no change. Empty windows give no result.
pub fn changes(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let n = v
        .windows(2)
        .filter(|w| w[1] != w[0] && !(w[1].is_nan() && w[0].is_nan()))
        .count();
    Some(n as f64)
}

/// `resets`: how many times the value drops below the previous sample's. Empty windows give
/// no result.
pub fn resets(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    Some(v.windows(2).filter(|w| w[1] < w[0]).count() as f64)
}

/// Why `double_exponential_smoothing` refuses its factors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SmoothingError {
    /// The smoothing factor is not strictly between 0 and 1.
    SmoothingFactor(f64),
    /// The trend factor is not strictly between 0 and 1.
    TrendFactor(f64),
}

impl std::fmt::Display for SmoothingError {
    /// Prometheus' messages, with the factor printed as Go's `%f` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, short, x) = match *self {
            SmoothingError::SmoothingFactor(x) => ("smoothing", "sf", x),
            SmoothingError::TrendFactor(x) => ("trend", "tf", x),
        };
        write!(
            f,
            "invalid {what} factor. Expected: 0 < {short} < 1, got: {}",
            go_fixed6(x)
        )
    }
}

/// A float as Go's `%f` prints it: six decimals, `NaN`, `+Inf`, `-Inf`.
fn go_fixed6(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{x:.6}")
    }
}

/// `double_exponential_smoothing` (Holt's linear method) with smoothing factor `sf` and trend
/// factor `tf`, both strictly between 0 and 1: the smoothed value at the last sample. The
/// factors are checked first, so a bad factor is an error even for a short window. Fewer
/// than two samples give no result.
pub fn double_exponential_smoothing(
    v: &[f64],
    sf: f64,
    tf: f64,
) -> Result<Option<f64>, SmoothingError> {
    // As in Prometheus, a NaN factor passes these checks (and makes the result NaN).
    if sf <= 0.0 || sf >= 1.0 {
        return Err(SmoothingError::SmoothingFactor(sf));
    }
    if tf <= 0.0 || tf >= 1.0 {
        return Err(SmoothingError::TrendFactor(tf));
    }
    if v.len() < 2 {
        return Ok(None);
    }
    let mut s0 = 0.0;
    let mut s1 = v[0];
    let mut b = v[1] - v[0];
    for (i, &x) in v.iter().enumerate().skip(1) {
        // The trend at the previous point; the first trend is the first difference.
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let smoothed = sf * x + (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = smoothed;
    }
    Ok(Some(s1))
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::super::{loaded, series};
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || ((a - b) / b).abs() < 1e-12
    }

    /// rate/increase/delta at `at` seconds over `range` seconds.
    fn rate_of(
        values: &[Option<f64>],
        step: f64,
        at: f64,
        range: f64,
        counter: bool,
        rate: bool,
    ) -> Option<f64> {
        let (t, v) = loaded(step, values, at - range, at);
        let end = (at * 1000.0) as i64;
        extrapolated_rate(
            &t,
            &v,
            None,
            end - (range * 1000.0) as i64,
            end,
            range,
            counter,
            rate,
        )
    }

    #[test]
    fn increase_extrapolates_to_the_range_but_not_below_zero() {
        // functions.test "Tests for increase()".
        let inc =
            |values: &[Option<f64>], range: f64| rate_of(values, 300.0, 3000.0, range, true, false);
        let foo = series(0.0, 10.0, 10);
        let mut bar = series(0.0, 18.0, 5);
        bar.extend(series(0.0, 18.0, 5));
        let dings = series(10.0, 10.0, 10);
        let bumms = series(1.0, 10.0, 10);
        assert_eq!(inc(&foo, 3000.0), Some(100.0));
        assert_eq!(inc(&bar, 3000.0), Some(160.0));
        assert_eq!(inc(&dings, 3000.0), Some(100.0));
        assert_eq!(inc(&bumms, 3000.0), Some(100.0));
        assert_eq!(inc(&foo, 6000.0), Some(100.0));
        assert_eq!(inc(&bar, 6000.0), Some(162.0));
        assert_eq!(inc(&dings, 6000.0), Some(105.0));
        assert_eq!(inc(&bumms, 6000.0), Some(101.0));
    }

    #[test]
    fn a_drop_is_a_counter_reset() {
        let v: Vec<Option<f64>> = [0.0, 1.0, 2.0, 3.0, 2.0, 3.0, 4.0]
            .iter()
            .map(|&x| Some(x))
            .collect();
        assert_eq!(rate_of(&v, 300.0, 1800.0, 1800.0, true, false), Some(7.0));
        // Resets in the middle of the range; a reset at the very end is ignored by rate.
        let mut middle = series(0.0, 27.0, 4);
        middle.extend(series(0.0, 27.0, 5));
        let r = rate_of(&middle, 300.0, 3000.0, 3000.0, true, true).unwrap();
        assert!(close(r, 0.08), "{r}");
        let mut end = series(0.0, 10.0, 9);
        end.extend([Some(0.0), Some(10.0)]);
        assert_eq!(rate_of(&end, 300.0, 3000.0, 300.0, true, true), None);
        assert_eq!(rate_of(&end, 300.0, 3000.0, 360.0, true, true), Some(0.0));
    }

    #[test]
    fn rate_is_per_second_of_the_range() {
        let r = rate_of(&series(0.0, 80.0, 10), 300.0, 3000.0, 3000.0, true, true).unwrap();
        assert!(close(r, 0.26666666666666666), "{r}");
        // With `offset 5m`: the window ends at 45m.
        let (t, v) = loaded(300.0, &series(0.0, 10.0, 10), 2100.0, 2700.0);
        let r = extrapolated_rate(&t, &v, None, 2_100_000, 2_700_000, 600.0, true, true).unwrap();
        assert!(close(r, 0.03333333333333333), "{r}");
    }

    #[test]
    fn zero_cutoff_stops_left_extrapolation_within_half_an_interval() {
        // functions.test, testcounter_zero_cutoff_total, load 4m.
        let expected_at_10m = [0.5, 0.55, 0.6, 0.6, 0.6, 0.6];
        for (k, want) in expected_at_10m.iter().enumerate() {
            let s = series(60.0 * k as f64, 240.0, 10);
            let r = rate_of(&s, 240.0, 600.0, 1200.0, true, true).unwrap();
            assert!(close(r, *want), "start {k}m: {r}");
            let r = rate_of(&s, 240.0, 3000.0, 1200.0, true, true).unwrap();
            assert!(close(r, 0.6), "start {k}m at 50m: {r}");
        }
    }

    #[test]
    fn delta_is_not_corrected_for_resets() {
        let foo: Vec<Option<f64>> = [0.0, 50.0, 100.0, 150.0, 200.0]
            .iter()
            .map(|&x| Some(x))
            .collect();
        let bar: Vec<Option<f64>> = foo.iter().rev().copied().collect();
        assert_eq!(
            rate_of(&foo, 300.0, 1200.0, 1200.0, false, false),
            Some(200.0)
        );
        assert_eq!(
            rate_of(&bar, 300.0, 1200.0, 1200.0, false, false),
            Some(-200.0)
        );
        assert_eq!(rate_of(&foo, 300.0, 1200.0, 1.0, false, false), None);
    }

    #[test]
    fn irate_and_idelta_use_the_last_two_samples() {
        let foo = series(0.0, 10.0, 10);
        let mut bar = series(0.0, 10.0, 5);
        bar.extend(series(0.0, 10.0, 5));
        let (t, v) = loaded(300.0, &foo, 0.0, 3000.0);
        assert!(close(
            instant_value(&t, &v, true).unwrap(),
            0.03333333333333333
        ));
        let (t, v) = loaded(300.0, &bar, -1200.0, 1800.0);
        assert_eq!(instant_value(&t, &v, true), Some(0.0));
        let nan = [
            Some(1.0),
            Some(f64::NAN),
            Some(f64::NAN),
            Some(5.0),
            Some(11.0),
        ];
        let at = |s: f64, rate: bool| {
            let (t, v) = loaded(300.0, &nan, s - 901.0, s);
            instant_value(&t, &v, rate)
        };
        assert_eq!(at(0.0, true), None);
        assert!(at(300.0, true).unwrap().is_nan());
        assert!(at(900.0, true).unwrap().is_nan());
        assert!(close(at(1200.0, true).unwrap(), 0.02));
        assert!(close(at(1200.0, false).unwrap(), 6.0));
        let gauge: Vec<Option<f64>> = [0.0, 50.0, 100.0, 50.0].iter().map(|&x| Some(x)).collect();
        let (t, v) = loaded(300.0, &gauge, -1.0, 1200.0);
        assert_eq!(instant_value(&t, &v, false), Some(-50.0));
    }

    #[test]
    fn deriv_and_predict_linear_by_regression() {
        let mut s = series(0.0, 10.0, 4);
        s.extend(series(0.0, 10.0, 5));
        let (t, v) = loaded(300.0, &s, -3000.0, 3000.0);
        assert!(close(deriv(&t, &v).unwrap(), 0.010606060606060607));
        let (t, v) = loaded(300.0, &s, 0.0, 3000.0);
        assert!(close(
            predict_linear(&t, &v, 3_000_000, 3600.0).unwrap(),
            70.0
        ));
        // `[55m] @ 3000` evaluated at 10m: the window ends at 3000 s, the line at 600 + 3600.
        let (t, v) = loaded(300.0, &s, -300.0, 3000.0);
        let p = predict_linear(&t, &v, 600_000, 3600.0).unwrap();
        assert!(close(p, 51.36363636363637), "{p}");
        let (t, v) = loaded(300.0, &series(0.0, 80.0, 10), 0.0, 3000.0);
        assert!(close(deriv(&t, &v).unwrap(), 0.26666666666666666));
        let mut inf = vec![Some(f64::NEG_INFINITY)];
        inf.extend(series(0.0, 80.0, 10));
        inf.push(Some(f64::INFINITY));
        let (t, v) = loaded(300.0, &inf, 0.0, 6000.0);
        assert!(deriv(&t, &v).unwrap().is_nan());
        assert_eq!(deriv(&t[..1], &v[..1]), None);
        assert_eq!(linear_regression(&[0, 1000], &[5.0, 5.0], 0), (0.0, 5.0));
    }

    #[test]
    fn changes_and_resets_count_steps() {
        let foo: Vec<f64> = vec![1.0, 2.0, 3.0, 0.0, 1.0, 0.0, 0.0, 1.0, 2.0, 0.0];
        assert_eq!(resets(&foo[6..]), Some(1.0));
        assert_eq!(resets(&foo), Some(3.0));
        assert_eq!(changes(&foo[1..]), Some(7.0));
        assert_eq!(changes(&[f64::NAN, f64::NAN, f64::NAN]), Some(0.0));
        assert_eq!(changes(&[0.0, f64::NAN, 0.0]), Some(2.0));
        assert_eq!(changes(&[]), None);
        assert_eq!(resets(&[4.0]), Some(0.0));
    }

    #[test]
    fn anchored_start_is_the_last_sample_not_after_the_range_start() {
        let t = [0, 10, 20, 30];
        assert_eq!(anchored_start(&t, 15), Some(1));
        assert_eq!(anchored_start(&t, 20), Some(2));
        assert_eq!(anchored_start(&t, -5), Some(0));
        assert_eq!(anchored_start(&t, 30), None);
    }

    #[test]
    fn extended_rate_anchors_or_interpolates_at_the_boundaries() {
        let t = [0, 10_000, 20_000, 30_000];
        let v = [0.0, 10.0, 20.0, 30.0];
        // Anchored over (5s, 25s]: from the sample at 0 to the one at 20 s. An anchored
        // window ends at the range's end; a smoothed one reaches past it.
        assert_eq!(
            extended_rate(&t[..3], &v[..3], 5_000, 25_000, 20.0, false, true, false),
            Some(20.0)
        );
        // Smoothed: the line at 5 s and 25 s.
        assert_eq!(
            extended_rate(&t, &v, 5_000, 25_000, 20.0, true, true, false),
            Some(20.0)
        );
        assert_eq!(
            extended_rate(&t, &v, 5_000, 25_000, 20.0, true, true, true),
            Some(1.0)
        );
        // A reset inside the range is corrected.
        let v = [0.0, 10.0, 2.0, 12.0];
        assert_eq!(
            extended_rate(&t[..3], &v[..3], 5_000, 25_000, 20.0, false, true, false),
            Some(12.0)
        );
        assert_eq!(
            extended_rate(&t[..3], &v[..3], 5_000, 25_000, 20.0, false, false, false),
            Some(2.0)
        );
        // Smoothed: 5 at 5 s, up to 10, reset, 2 at 20 s and 7 at 25 s: 5 + 2 + 5.
        assert_eq!(
            extended_rate(&t, &v, 5_000, 25_000, 20.0, true, true, false),
            Some(12.0)
        );
        assert_eq!(
            extended_rate(&t, &v, 30_000, 40_000, 10.0, false, true, false),
            None
        );
    }

    #[test]
    fn double_exponential_smoothing_follows_trends_and_checks_factors() {
        let (t, v) = loaded(10.0, &series(0.0, 10.0, 1000), 7940.0, 8000.0);
        assert_eq!(t.len(), 6);
        let s = double_exponential_smoothing(&v, 0.01, 0.1)
            .unwrap()
            .unwrap();
        assert!(close(s, 8000.0), "{s}");
        assert_eq!(double_exponential_smoothing(&v[..1], 0.5, 0.5), Ok(None));
        let e = double_exponential_smoothing(&v, 1.0, 0.5).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000"
        );
        let e = double_exponential_smoothing(&v, 0.5, 0.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000"
        );
        assert!(
            double_exponential_smoothing(&v, f64::NAN, 0.5)
                .unwrap()
                .unwrap()
                .is_nan()
        );
    }
}
