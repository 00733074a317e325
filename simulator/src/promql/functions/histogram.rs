//! Reading histograms: quantiles, fractions, counts, sums and spreads of observations.

use super::{Function, VectorCall, whole_call};
use crate::exposition::float::go_float;
use crate::promql::annotations::{Annotation, Annotations, go_quote};
use crate::promql::error::{EvalError, EvalErrorKind};
use crate::promql::span::Span;
use crate::promql::types::ValueType::{Scalar, String as Str, Vector};
use crate::promql::value::{StepSeries, StepValue, StepVector};
use crate::tsdb::Labels;
use std::collections::{BTreeMap, HashMap};

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "histogram_quantile",
        args: &[Scalar, Vector],
        variadic: 0,
        returns: Vector,
        doc: "Estimates the φ-quantile (0 ≤ φ ≤ 1) of observations from histogram buckets (classic buckets need their le label).",
        example: "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        experimental: false,
        implementation: whole_call(histogram_quantile),
    },
    Function {
        name: "histogram_quantiles",
        args: &[Vector, Str, Scalar, Scalar],
        variadic: 9,
        returns: Vector,
        doc: "Estimates several quantiles at once (1 to 10), telling them apart by the label named in the second argument.",
        example: "histogram_quantiles(sum by (le) (rate(http_request_duration_seconds_bucket[5m])), \"quantile\", 0.5, 0.99)",
        experimental: true,
        implementation: whole_call(histogram_quantiles),
    },
    Function {
        name: "histogram_fraction",
        args: &[Scalar, Scalar, Vector],
        variadic: 0,
        returns: Vector,
        doc: "Estimates the fraction of observations between a lower and an upper bound.",
        example: "histogram_fraction(0, 0.2, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        experimental: false,
        implementation: whole_call(histogram_fraction),
    },
    Function {
        name: "histogram_count",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The number of observations in each native histogram sample.",
        example: "histogram_count(rate(http_request_duration_seconds[5m]))",
        experimental: false,
        implementation: whole_call(native_only),
    },
    Function {
        name: "histogram_sum",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The sum of observations in each native histogram sample.",
        example: "histogram_sum(rate(http_request_duration_seconds[5m]))",
        experimental: false,
        implementation: whole_call(native_only),
    },
    Function {
        name: "histogram_avg",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The average observation in each native histogram sample (sum divided by count).",
        example: "histogram_avg(rate(http_request_duration_seconds[5m]))",
        experimental: false,
        implementation: whole_call(native_only),
    },
    Function {
        name: "histogram_stddev",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The estimated standard deviation of observations in each native histogram sample.",
        example: "histogram_stddev(rate(http_request_duration_seconds[5m]))",
        experimental: false,
        implementation: whole_call(native_only),
    },
    Function {
        name: "histogram_stdvar",
        args: &[Vector],
        variadic: 0,
        returns: Vector,
        doc: "The estimated variance of observations in each native histogram sample.",
        example: "histogram_stdvar(rate(http_request_duration_seconds[5m]))",
        experimental: false,
        implementation: whole_call(native_only),
    },
];

/// The label that holds a classic histogram bucket's upper bound.
const BUCKET_LABEL: &str = "le";

/// The classic histograms in an instant vector: its series grouped by their labels without
/// `le`, each with its parsed bound. Built once per call, so labels are read and `le`
/// parsed once per series rather than once per step.
struct ClassicHistograms {
    /// The input series.
    series: Vec<StepSeries>,
    /// Each histogram: its labels (without `le`) and its buckets as (series index, bound).
    groups: Vec<(Labels, Vec<(usize, f64)>)>,
}

impl ClassicHistograms {
    /// Groups the series of `input`. A series whose `le` is missing or malformed is left
    /// out with Prometheus' warning, pointing at `span` (the vector argument); like
    /// Prometheus, only series with samples are reported.
    fn new(input: StepVector, annotations: &mut Annotations, span: Span) -> ClassicHistograms {
        let mut groups: Vec<(Labels, Vec<(usize, f64)>)> = Vec::new();
        let mut index: HashMap<Labels, usize> = HashMap::new();
        for (i, s) in input.series.iter().enumerate() {
            let le = s.labels.value_or_empty(BUCKET_LABEL);
            let Some(bound) = parse_le(le) else {
                if s.any_present() {
                    annotations.add(bad_bucket_label(&s.labels, le, span));
                }
                continue;
            };
            let key = s.labels.without(&[BUCKET_LABEL]);
            match index.get(&key) {
                Some(&g) => groups[g].1.push((i, bound)),
                None => {
                    index.insert(key.clone(), groups.len());
                    groups.push((key, vec![(i, bound)]));
                }
            }
        }
        ClassicHistograms {
            series: input.series,
            groups,
        }
    }

    /// The buckets of histogram `group` that have a value at `step`, into `out`.
    fn buckets_at(&self, group: usize, step: usize, out: &mut Vec<Bucket>) {
        out.clear();
        if let Some((_, members)) = self.groups.get(group) {
            for &(i, upper_bound) in members {
                if let Some(count) = self.series.get(i).and_then(|s| s.get(step)) {
                    out.push(Bucket { upper_bound, count });
                }
            }
        }
    }
}

/// Prometheus' warning for a bucket series without a usable `le`.
fn bad_bucket_label(labels: &Labels, le: &str, span: Span) -> Annotation {
    let mut message = format!(
        "bucket label {} is missing or has a malformed value of {}",
        go_quote(BUCKET_LABEL),
        go_quote(le)
    );
    if let Some(name) = labels.metric_name() {
        message.push_str(&format!(" for metric name {}", go_quote(name)));
    }
    Annotation::warning(message, span)
}

/// Where and how much `histogram_quantile` had to fix bucket counts over a whole call, for
/// Prometheus' info, which it merges across steps into one line per metric name.
#[derive(Default)]
struct MonotonicityReport {
    /// Per metric name ("" when the histogram has none).
    by_name: BTreeMap<String, MonotonicitySpan>,
}

/// The merged details of one metric's fixes.
struct MonotonicitySpan {
    min_time: i64,
    max_time: i64,
    fix: ForcedMonotonicity,
    samples: u64,
}

impl MonotonicityReport {
    /// Records a fix of histogram `labels` at `time`.
    fn record(&mut self, labels: &Labels, time: i64, fix: ForcedMonotonicity) {
        let name = labels.metric_name().unwrap_or("").to_string();
        let entry = self.by_name.entry(name).or_insert(MonotonicitySpan {
            min_time: time,
            max_time: time,
            fix,
            samples: 0,
        });
        entry.min_time = entry.min_time.min(time);
        entry.max_time = entry.max_time.max(time);
        entry.fix.min_bucket = entry.fix.min_bucket.min(fix.min_bucket);
        entry.fix.max_bucket = entry.fix.max_bucket.max(fix.max_bucket);
        entry.fix.max_diff = entry.fix.max_diff.max(fix.max_diff);
        entry.samples += 1;
    }

    /// Adds one info per metric name, with the details Prometheus prints.
    fn annotate(self, annotations: &mut Annotations, span: Span) {
        for (name, m) in self.by_name {
            let mut message = "input to histogram_quantile needed to be fixed for monotonicity \
                 (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                .to_string();
            if !name.is_empty() {
                message.push_str(&format!(" for metric name {}", go_quote(&name)));
            }
            // Times are printed to the second, truncated as Go's integer division does.
            let at = |ms: i64| crate::timestamp::format_time(ms / 1000 * 1000);
            message.push_str(&format!(
                ", from buckets {} to {}, with a max diff of {}, over {} samples from {} to {}",
                go_float(m.fix.min_bucket),
                go_float(m.fix.max_bucket),
                go_float_2g(m.fix.max_diff),
                m.samples,
                at(m.min_time),
                at(m.max_time)
            ));
            annotations.add(Annotation::info(message, span));
        }
    }
}

/// A float as Go's `%.2g`: two significant digits, exponent notation below 1e-4 or from
/// 100 up, trailing zeros dropped.
fn go_float_2g(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return go_float(v);
    }
    let sci = format!("{v:.1e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return go_float(v);
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    if !(-4..2).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    // Rounded to two significant digits, then printed plainly.
    let rounded: f64 = format!("{mantissa}e{exp}").parse().unwrap_or(v);
    go_float(rounded)
}

/// Raises the "quantile value should be between 0 and 1" warning for every φ out of range.
fn check_quantiles(qs: &[f64], annotations: &mut Annotations, span: Span) {
    for &q in qs {
        if super::over_time::quantile_out_of_range(q) {
            annotations.add(Annotation::invalid_quantile(q, span));
        }
    }
}

/// `histogram_quantile(φ, buckets)`: per classic histogram in the argument, per step.
fn histogram_quantile(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let qs = call.scalar_arg(0)?.to_vec();
    check_quantiles(&qs, call.annotations, call.spans.arg(0));
    let input = call.take_vector_arg(1)?;
    let span = call.spans.arg(1);
    let histograms = ClassicHistograms::new(input, call.annotations, span);
    let mut report = MonotonicityReport::default();
    let mut buckets = Vec::new();
    let mut out = Vec::with_capacity(histograms.groups.len());
    for (g, (labels, _)) in histograms.groups.iter().enumerate() {
        let mut s = StepSeries::new(labels.clone(), qs.len());
        s.drop_name = true;
        for (i, &q) in qs.iter().enumerate() {
            histograms.buckets_at(g, i, &mut buckets);
            if buckets.is_empty() {
                continue;
            }
            let (v, fixed) = bucket_quantile(q, &mut buckets);
            if let Some(fix) = fixed {
                report.record(labels, call.steps.time(i), fix);
            }
            s.set(i, v);
        }
        if s.any_present() {
            out.push(s);
        }
    }
    report.annotate(call.annotations, span);
    Ok(StepValue::Vector(StepVector::new(out)))
}

/// `histogram_quantiles(buckets, "label", φ1, ...)`: several quantiles, each series labelled
/// with its φ (written as OpenMetrics writes floats, `0.5`, `1.0`). Two outputs with the
/// same labels at one step (the label already tells histograms apart) are an error, as in
/// Prometheus.
fn histogram_quantiles(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let label = String::from_utf8_lossy(&call.string_arg(1)?).into_owned();
    let mut phis = Vec::new();
    for i in 2..call.exprs.len() {
        let qs = call.scalar_arg(i)?.to_vec();
        check_quantiles(&qs, call.annotations, call.spans.arg(i));
        phis.push(qs);
    }
    let input = call.take_vector_arg(0)?;
    let span = call.spans.arg(0);
    let histograms = ClassicHistograms::new(input, call.annotations, span);
    let n = call.steps.len();
    let mut report = MonotonicityReport::default();
    let mut buckets = Vec::new();
    let mut out: Vec<StepSeries> = Vec::new();
    let mut index: HashMap<Labels, usize> = HashMap::new();
    for qs in &phis {
        for (g, (labels, _)) in histograms.groups.iter().enumerate() {
            for (i, &q) in qs.iter().enumerate() {
                histograms.buckets_at(g, i, &mut buckets);
                if buckets.is_empty() {
                    continue;
                }
                let (v, fixed) = bucket_quantile(q, &mut buckets);
                if let Some(fix) = fixed {
                    report.record(labels, call.steps.time(i), fix);
                }
                let key = labels.with(&label, &open_metrics_float(q));
                let k = match index.get(&key) {
                    Some(&k) => k,
                    None => {
                        let mut s = StepSeries::new(key.clone(), n);
                        s.drop_name = true;
                        index.insert(key, out.len());
                        out.push(s);
                        out.len() - 1
                    }
                };
                let Some(s) = out.get_mut(k) else { continue };
                if s.get(i).is_some() {
                    return Err(EvalError::new(
                        EvalErrorKind::DuplicateLabelset,
                        call.spans.call,
                    ));
                }
                s.set(i, v);
            }
        }
    }
    report.annotate(call.annotations, span);
    Ok(StepValue::Vector(StepVector::new(out)))
}

/// A float as Prometheus' `FormatOpenMetricsFloat`: Go's shortest `%g`, with `.0` added to
/// whole numbers (`1.0`, `0.0`) and `+Inf`, `-Inf`, `NaN`.
fn open_metrics_float(v: f64) -> String {
    let s = go_float(v);
    if v.is_finite() && !s.contains(['.', 'e']) {
        return format!("{s}.0");
    }
    s
}

/// `histogram_fraction(lower, upper, buckets)`: per classic histogram, per step.
fn histogram_fraction(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let lower = call.scalar_arg(0)?.to_vec();
    let upper = call.scalar_arg(1)?.to_vec();
    let input = call.take_vector_arg(2)?;
    let histograms = ClassicHistograms::new(input, call.annotations, call.spans.arg(2));
    let mut buckets = Vec::new();
    let mut out = Vec::with_capacity(histograms.groups.len());
    for (g, (labels, _)) in histograms.groups.iter().enumerate() {
        let mut s = StepSeries::new(labels.clone(), lower.len());
        s.drop_name = true;
        for (i, (&lo, &hi)) in lower.iter().zip(&upper).enumerate() {
            histograms.buckets_at(g, i, &mut buckets);
            if !buckets.is_empty() {
                s.set(i, bucket_fraction(lo, hi, &mut buckets));
            }
        }
        if s.any_present() {
            out.push(s);
        }
    }
    Ok(StepValue::Vector(StepVector::new(out)))
}

/// `histogram_count`, `histogram_sum`, `histogram_avg`, `histogram_stddev` and
/// `histogram_stdvar` read native histogram samples only, and skip every float sample, so
/// over the workbench's data (floats only) they return nothing, as Prometheus would.
fn native_only(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    call.take_vector_arg(0)?;
    Ok(StepValue::Vector(StepVector::default()))
}

/// One bucket of a classic histogram: the `le` bound and the cumulative count of
/// observations at or below it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// The bucket's upper bound, from its `le` label.
    pub upper_bound: f64,
    /// Observations less than or equal to the bound.
    pub count: f64,
}

/// Where `histogram_quantile` had to raise bucket counts to make them grow with `le`, for
/// Prometheus' info annotation "input to histogram_quantile needed to be fixed for
/// monotonicity".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForcedMonotonicity {
    /// The lowest bound whose count was raised.
    pub min_bucket: f64,
    /// The highest bound whose count was raised.
    pub max_bucket: f64,
    /// The largest amount a count was raised by.
    pub max_diff: f64,
}

/// Relative differences between neighbouring buckets below this are floating-point noise
/// (from summing rates, say) and are silently evened out; Prometheus' `smallDeltaTolerance`.
const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// `histogram_quantile` over one classic histogram: the φ-quantile of the observations,
/// assuming they spread evenly inside each bucket.
///
/// The buckets may come in any order; they are sorted by bound, buckets with the same bound
/// merged, and counts that fall as `le` grows raised to the count before them (reported in
/// the second value, for the info annotation). The lowest bucket starts at 0 when its bound
/// is positive; a quantile in the `+Inf` bucket is the highest finite bound. NaN when there
/// is no `+Inf` bucket, fewer than two buckets, or no observations; -Inf for φ < 0 and +Inf
/// for φ > 1.
pub fn bucket_quantile(q: f64, buckets: &mut Vec<Bucket>) -> (f64, Option<ForcedMonotonicity>) {
    if q.is_nan() {
        return (f64::NAN, None);
    }
    if q < 0.0 {
        return (f64::NEG_INFINITY, None);
    }
    if q > 1.0 {
        return (f64::INFINITY, None);
    }
    if !sort_and_coalesce(buckets) {
        return (f64::NAN, None);
    }
    let forced = ensure_monotonic(buckets, SMALL_DELTA_TOLERANCE);
    let n = buckets.len();
    if n < 2 {
        return (f64::NAN, forced);
    }
    let observations = buckets[n - 1].count;
    if observations == 0.0 {
        return (f64::NAN, forced);
    }
    let mut rank = q * observations;
    let b = go_search(n - 1, |i| buckets[i].count >= rank);
    let value = if b == n - 1 {
        buckets[n - 2].upper_bound
    } else if b == 0 && buckets[0].upper_bound <= 0.0 {
        buckets[0].upper_bound
    } else {
        let mut start = 0.0;
        let end = buckets[b].upper_bound;
        let mut count = buckets[b].count;
        if b > 0 {
            start = buckets[b - 1].upper_bound;
            count -= buckets[b - 1].count;
            rank -= buckets[b - 1].count;
        }
        start + (end - start) * (rank / count)
    };
    (value, forced)
}

/// `histogram_fraction` over one classic histogram: the estimated fraction of observations
/// between `lower` and `upper`, interpolating linearly inside buckets.
///
/// Buckets are sorted and merged as for [`bucket_quantile`] but not made monotonic. NaN when
/// there is no `+Inf` bucket, no observations, or a NaN bound; 0 when `lower >= upper`.
/// Nothing is interpolated inside the `+Inf` bucket, nor inside a first bucket that reaches
/// down to -Inf (a first bucket with a positive bound starts at 0).
pub fn bucket_fraction(lower: f64, upper: f64, buckets: &mut Vec<Bucket>) -> f64 {
    if !sort_and_coalesce(buckets) {
        return f64::NAN;
    }
    let count = buckets[buckets.len() - 1].count;
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let mut rank = 0.0;
    let mut lower_rank = 0.0;
    let mut upper_rank = 0.0;
    let (mut lower_set, mut upper_set) = (false, false);
    let mut lower_bound = if buckets[0].upper_bound <= 0.0 {
        f64::NEG_INFINITY
    } else {
        0.0
    };
    for (i, b) in buckets.iter().enumerate() {
        if i > 0 {
            lower_bound = buckets[i - 1].upper_bound;
        }
        let upper_bound = b.upper_bound;
        let interpolate = |v: f64| {
            if lower_bound == f64::NEG_INFINITY {
                b.count
            } else {
                rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound)
            }
        };
        if !lower_set && lower_bound >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lower_bound >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lower_bound < lower && upper_bound > lower {
            lower_rank = interpolate(lower);
            lower_set = true;
        }
        if !upper_set && lower_bound < upper && upper_bound > upper {
            upper_rank = interpolate(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = b.count;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

/// Sorts buckets by bound and merges those with equal bounds, adding their counts. False
/// (and nothing to compute) when there are no buckets or the highest bound is not `+Inf`.
fn sort_and_coalesce(buckets: &mut Vec<Bucket>) -> bool {
    // `total_cmp` is a total order, as Rust's sort requires; it differs from comparing
    // with `<` only for NaN bounds (whose place Prometheus leaves unspecified) and for -0,
    // which is merged with 0 below anyway.
    buckets.sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
    match buckets.last() {
        Some(last) if last.upper_bound == f64::INFINITY => {}
        _ => return false,
    }
    let mut merged = 0;
    for i in 1..buckets.len() {
        if buckets[i].upper_bound == buckets[merged].upper_bound {
            buckets[merged].count += buckets[i].count;
        } else {
            merged += 1;
            buckets[merged] = buckets[i];
        }
    }
    buckets.truncate(merged + 1);
    true
}

/// Makes cumulative counts non-decreasing, as `histogram_quantile`'s search requires:
/// counts within `tolerance` (relative) of the previous one are set to it silently, and
/// counts below it are raised to it and reported.
fn ensure_monotonic(buckets: &mut [Bucket], tolerance: f64) -> Option<ForcedMonotonicity> {
    let mut forced: Option<ForcedMonotonicity> = None;
    let mut prev = buckets.first()?.count;
    for b in buckets.iter_mut().skip(1) {
        let curr = b.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, tolerance) {
            b.count = prev;
            continue;
        }
        if curr < prev {
            b.count = prev;
            let diff = prev - curr;
            let f = forced.get_or_insert(ForcedMonotonicity {
                min_bucket: f64::INFINITY,
                max_bucket: f64::NEG_INFINITY,
                max_diff: 0.0,
            });
            if b.upper_bound < f.min_bucket {
                f.min_bucket = b.upper_bound;
            }
            if b.upper_bound > f.max_bucket {
                f.max_bucket = b.upper_bound;
            }
            if diff > f.max_diff {
                f.max_diff = diff;
            }
            continue;
        }
        prev = curr;
    }
    forced
}

/// Prometheus' `almost.Equal`: equal, both NaN, or differing by less than `epsilon` relative
/// to their magnitude (absolutely, near zero).
pub fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if crate::tsdb::is_stale_marker(a) || crate::tsdb::is_stale_marker(b) {
        return crate::tsdb::is_stale_marker(a) && crate::tsdb::is_stale_marker(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// Go's `sort.Search`: the smallest index in `0..n` for which `pred` holds, or `n`, by the
/// same bisection, so that even a predicate that is not monotonic (NaN counts) lands on
/// the index Prometheus lands on.
fn go_search(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut i, mut j) = (0, n);
    while i < j {
        let h = i + (j - i) / 2;
        if pred(h) {
            j = h;
        } else {
            i = h + 1;
        }
    }
    i
}

/// Reads an `le` label value as Go's `strconv.ParseFloat` does, which is how Prometheus
/// reads it: decimal or hexadecimal (`0x1p-3`) notation, `_` between digits, `Inf`,
/// `+Infinity`, `NaN` in any case. `None` where Prometheus raises its "bucket label "le" is
/// missing or has a malformed value" warning: an empty or malformed value, or one too large
/// for a float.
pub fn parse_le(s: &str) -> Option<f64> {
    if let Some(v) = parse_special(s) {
        return Some(v);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let negative = matches!(bytes.first(), Some(b'-'));
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let hex = i + 2 < bytes.len() && bytes[i] == b'0' && (bytes[i + 1] | 0x20) == b'x';
    let value = if hex {
        parse_hex(&bytes[i + 2..])?
    } else {
        parse_decimal(&bytes[i..])?
    };
    if bytes.contains(&b'_') && !underscores_ok(bytes) {
        return None;
    }
    if value.is_infinite() {
        // Go reports overflow as an out-of-range error.
        return None;
    }
    Some(if negative { -value } else { value })
}

/// `Inf`, `Infinity` (optionally signed) and `NaN` (unsigned), in any case.
fn parse_special(s: &str) -> Option<f64> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1.0, &s[1..]),
        Some(b'-') => (-1.0, &s[1..]),
        _ => (0.0, s),
    };
    if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        return Some(if sign < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if sign == 0.0 && rest.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    None
}

/// A decimal float without sign: digits with at most one point, then an optional exponent;
/// underscores are skipped here and checked by [`underscores_ok`].
fn parse_decimal(s: &[u8]) -> Option<f64> {
    let mut clean = String::with_capacity(s.len());
    let mut i = 0;
    let (mut digits, mut dot) = (false, false);
    while i < s.len() {
        match s[i] {
            b'_' => {}
            b'.' if !dot => {
                dot = true;
                clean.push('.');
            }
            c @ b'0'..=b'9' => {
                digits = true;
                clean.push(c as char);
            }
            _ => break,
        }
        i += 1;
    }
    if !digits {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'e' {
        clean.push('e');
        i += 1;
        if let Some(&c @ (b'+' | b'-')) = s.get(i) {
            clean.push(c as char);
            i += 1;
        }
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while let Some(&c) = s.get(i) {
            match c {
                b'_' => {}
                b'0'..=b'9' => clean.push(c as char),
                _ => break,
            }
            i += 1;
        }
    }
    if i != s.len() {
        return None;
    }
    clean.parse().ok()
}

/// A hexadecimal float after its `0x`: hex digits with at most one point, then a binary
/// exponent `p`, which Go requires.
fn parse_hex(s: &[u8]) -> Option<f64> {
    let mut mantissa: u64 = 0;
    let mut significant = 0;
    let mut exponent: i64 = 0;
    let (mut digits, mut dot) = (false, false);
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let d = match c {
            b'_' => {
                i += 1;
                continue;
            }
            b'.' if !dot => {
                dot = true;
                i += 1;
                continue;
            }
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'f' | b'A'..=b'F' => u64::from((c | 0x20) - b'a' + 10),
            _ => break,
        };
        digits = true;
        if mantissa == 0 && d == 0 {
            // Leading zeros only move the point.
            if dot {
                exponent -= 4;
            }
        } else if significant < 15 {
            mantissa = mantissa * 16 + d;
            significant += 1;
            if dot {
                exponent -= 4;
            }
        } else if !dot {
            // Digits beyond what a float can hold only scale the value.
            exponent += 4;
        }
        i += 1;
    }
    if !digits || i >= s.len() || (s[i] | 0x20) != b'p' {
        return None;
    }
    i += 1;
    let mut sign = 1;
    if let Some(&c @ (b'+' | b'-')) = s.get(i) {
        if c == b'-' {
            sign = -1;
        }
        i += 1;
    }
    if !s.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut e: i64 = 0;
    while let Some(&c) = s.get(i) {
        match c {
            b'_' => {}
            b'0'..=b'9' => e = (e * 10 + i64::from(c - b'0')).min(100_000),
            _ => break,
        }
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    let exp = (exponent + sign * e).clamp(-4000, 4000) as i32;
    // At most 15 hex digits (60 bits) are kept, so the conversion to a float rounds once;
    // `scalbn` then scales without a second rounding, except into subnormals.
    Some(libm::scalbn(mantissa as f64, exp))
}

/// Go's `underscoreOK`: every `_` sits between two digits, or between a base prefix and a
/// digit.
fn underscores_ok(s: &[u8]) -> bool {
    let s = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = (s[1] | 0x20) == b'x';
    }
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() || (hex && (b'a'..=b'f').contains(&(c | 0x20))) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs
            .iter()
            .map(|&(upper_bound, count)| Bucket { upper_bound, count })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || ((a - b) / b).abs() < 1e-12
    }

    const INF: f64 = f64::INFINITY;

    #[test]
    fn quantiles_interpolate_inside_buckets() {
        // histograms.test, testhistogram3 at 50m (counts times 10), in shuffled order.
        let positive = [
            (1.0, 110.0),
            (0.0, 0.0),
            (INF, 110.0),
            (0.1, 50.0),
            (0.2, 70.0),
        ];
        let negative = [
            (-0.25, 0.0),
            (-0.2, 10.0),
            (-0.1, 20.0),
            (0.3, 20.0),
            (INF, 20.0),
        ];
        let q = |q: f64, b: &[(f64, f64)]| bucket_quantile(q, &mut buckets(b)).0;
        for (phi, pos, neg) in [
            (0.0, 0.0, -0.25),
            (0.25, 0.055, -0.225),
            (0.5, 0.125, -0.2),
            (0.75, 0.45, -0.15),
            (1.0, 1.0, -0.1),
        ] {
            assert!(
                close(q(phi, &positive), pos),
                "{phi}: {}",
                q(phi, &positive)
            );
            assert!(
                close(q(phi, &negative), neg),
                "{phi}: {}",
                q(phi, &negative)
            );
        }
        // testhistogram2: q(1/6), q(1/2), q(5/6) in the middle of buckets.
        let h2 = [(0.0, 0.0), (2.0, 1.0), (4.0, 2.0), (6.0, 3.0), (INF, 3.0)];
        assert!(close(q(1.0 / 6.0, &h2), 1.0));
        assert!(close(q(0.5, &h2), 3.0));
        assert!(close(q(5.0 / 6.0, &h2), 5.0));
        // In the +Inf bucket: the highest finite bound.
        assert_eq!(
            q(0.99, &[(0.1, 5.0), (0.2, 7.0), (1.0, 11.0), (INF, 12.0)]),
            1.0
        );
        // The lowest bucket has a negative bound: its bound is the answer.
        assert_eq!(
            q(0.1, &[(-0.2, 1.0), (-0.1, 2.0), (0.3, 2.0), (INF, 3.0)]),
            -0.2
        );
    }

    #[test]
    fn quantile_special_cases() {
        let q = |q: f64, b: &[(f64, f64)]| bucket_quantile(q, &mut buckets(b)).0;
        let h = [(0.1, 1.0), (INF, 2.0)];
        assert_eq!(q(-0.1, &h), f64::NEG_INFINITY);
        assert_eq!(q(1.01, &h), INF);
        assert!(q(f64::NAN, &h).is_nan());
        assert!(q(0.5, &[(0.1, 1.0), (1.0, 2.0)]).is_nan(), "no +Inf bucket");
        assert!(q(0.5, &[(INF, 2.0)]).is_nan(), "one bucket");
        assert!(
            q(0.5, &[(0.1, 0.0), (INF, 0.0)]).is_nan(),
            "no observations"
        );
        assert!(q(0.5, &[]).is_nan());
        // Equal bounds written differently are merged (after rate: 0.1 rises 1, 0.2 three
        // times 1, +Inf 4).
        let mixed = [(0.1, 1.0), (0.2, 1.0), (0.2, 1.0), (0.2, 1.0), (INF, 4.0)];
        assert!(close(q(0.5, &mixed), 0.15));
        assert!(close(q(0.75, &mixed), 0.2));
        assert!(q(0.5, &[(INF, 0.0), (INF, 0.0)]).is_nan());
    }

    #[test]
    fn non_monotonic_counts_are_fixed_and_reported() {
        // histograms.test nonmonotonic_bucket at 50m.
        let h = [
            (0.1, 20.0),
            (1.0, 10.0),
            (10.0, 50.0),
            (100.0, 40.0),
            (1000.0, 90.0),
            (INF, 80.0),
        ];
        let (v, forced) = bucket_quantile(0.01, &mut buckets(&h));
        assert!(close(v, 0.0045), "{v}");
        assert_eq!(
            forced,
            Some(ForcedMonotonicity {
                min_bucket: 1.0,
                max_bucket: INF,
                max_diff: 10.0
            })
        );
        assert!(close(bucket_quantile(0.5, &mut buckets(&h)).0, 8.5));
        assert!(close(bucket_quantile(0.99, &mut buckets(&h)).0, 979.75));
        // Tiny differences are floating-point noise, fixed silently.
        let noisy = [(1.0, 10.0), (2.0, 10.0 - 1e-13), (INF, 10.0)];
        assert_eq!(bucket_quantile(0.5, &mut buckets(&noisy)).1, None);
    }

    #[test]
    fn fractions_between_bounds() {
        let f = |lo: f64, hi: f64, b: &[(f64, f64)]| bucket_fraction(lo, hi, &mut buckets(b));
        let h2 = [(0.0, 0.0), (2.0, 1.0), (4.0, 2.0), (6.0, 3.0), (INF, 3.0)];
        assert!(close(f(0.0, 4.0, &h2), 2.0 / 3.0));
        assert!(close(f(0.0, 6.0, &h2), 1.0));
        assert!(close(f(0.0, 3.5, &h2), 1.75 / 3.0));
        let positive = [
            (0.0, 0.0),
            (0.1, 50.0),
            (0.2, 70.0),
            (1.0, 110.0),
            (INF, 110.0),
        ];
        assert!(close(f(0.0, 0.2, &positive), 7.0 / 11.0));
        assert_eq!(f(2.0, 2.0, &h2), 0.0);
        assert_eq!(f(3.0, 2.0, &h2), 0.0);
        assert!(f(f64::NAN, 1.0, &h2).is_nan());
        assert!(f(0.0, 1.0, &[(1.0, 0.0), (INF, 0.0)]).is_nan());
        assert!(f(0.0, 1.0, &[(1.0, 3.0)]).is_nan());
        // Nothing is interpolated in the +Inf bucket: all of it counts as above any finite
        // lower bound (histograms.test "Upper is +Inf").
        assert_eq!(f(-INF, INF, &[(1.0, 2.0), (INF, 4.0)]), 1.0);
        assert_eq!(f(400.0, INF, &[(1.0, 2.0), (INF, 4.0)]), 0.5);
        assert!(close(
            f(
                400.0,
                INF,
                &[(1.0, 1.0), (2.0, 3.0), (3.0, 6.0), (INF, 100.0)]
            ),
            0.94
        ));
        let negative = [(-3.0, 1.0), (-1.0, 3.0), (INF, 4.0)];
        // The first bucket reaches down to -Inf, so nothing is interpolated in it: -4 ranks
        // at its whole count (1); -2 is halfway through (-3, -1], rank 2.
        assert_eq!(f(-4.0, -2.0, &negative), 0.25);
    }

    #[test]
    fn le_values_parse_as_go_parses_floats() {
        for (s, v) in [
            ("0.1", 0.1),
            (".2", 0.2),
            ("1e0", 1.0),
            ("-.2", -0.2),
            ("2.0e-1", 0.2),
            ("+Inf", INF),
            ("+inf", INF),
            ("-Infinity", -INF),
            ("1_000", 1000.0),
            ("0x1p-2", 0.25),
            ("0X1.8P1", 3.0),
            ("1.", 1.0),
            ("1e-400", 0.0),
        ] {
            assert_eq!(parse_le(s), Some(v), "{s}");
        }
        assert!(parse_le("NaN").unwrap().is_nan());
        for s in [
            "",
            "Hello World",
            "+NaN",
            "1e400",
            "1e",
            ".",
            "0x1",
            "1__0",
            "_1",
            "1_",
            "1.5.",
            " 1",
            "1 ",
        ] {
            assert_eq!(parse_le(s), None, "{s:?}");
        }
    }

    #[test]
    fn almost_equal_is_relative() {
        assert!(almost_equal(1.0, 1.0 + 1e-13, 1e-12));
        assert!(!almost_equal(1.0, 1.0 + 1e-11, 1e-12));
        assert!(almost_equal(f64::NAN, f64::NAN, 1e-12));
        assert!(!almost_equal(0.0, 1e-300, 1e-12));
        assert!(!almost_equal(crate::tsdb::stale_marker(), f64::NAN, 1e-12));
    }
}
