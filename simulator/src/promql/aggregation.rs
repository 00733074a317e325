//! Aggregation operators: `sum`, `avg`, `count`, `min`, `max`, `group`, `stddev`,
//! `stdvar`, `quantile`, `count_values`, `topk`, `bottomk`, `limitk` and `limit_ratio`.
//!
//! Grouping is label work, so it happens once per input series: each series is mapped to
//! its group (the labels `by` keeps or `without` leaves) before any value is read. The
//! numeric pass then walks steps in blocks: for a block of steps, every series adds its
//! values into its group's accumulators for those steps. Accumulators therefore exist for
//! one block only (groups × block, not groups × steps), and each series' values are read
//! sequentially.
//!
//! The arithmetic is Prometheus' to the bit: `sum` and `avg` use Kahan–Neumaier summation
//! (`avg` switches to an incremental mean only when the running sum would overflow),
//! `stddev`/`stdvar` use Welford's running mean, and every operator visits series in input
//! order at each step, as Prometheus does.

use super::annotations::Annotation;
use super::ast::{Aggregate, GroupingKind};
use super::error::EvalError;
use super::eval::{Evaluator, unwrap_parens};
use super::span::Span;
use super::value::{StepSeries, StepValue, StepVector, Steps};
use crate::tsdb::Labels;
use std::collections::HashMap;

/// Steps per block of the numeric pass.
const BLOCK: usize = 128;

/// Evaluates an aggregation over the grid.
pub(crate) fn eval(
    ev: &mut Evaluator<'_>,
    a: &Aggregate,
    span: Span,
    steps: Steps,
) -> Result<StepValue, EvalError> {
    let op = Op::from_name(a.op.name).ok_or_else(|| {
        EvalError::internal(format!("unknown aggregation {}", a.op.name), a.op_span)
    })?;
    let param = match (&a.param, op.scalar_param()) {
        (Some(p), true) => match ev.eval(unwrap_parens(p), steps)? {
            StepValue::Scalar(v) => Some(v),
            other => {
                ev.release_value(&other);
                return Err(EvalError::internal(
                    "an aggregation parameter did not evaluate to a scalar",
                    p.span,
                ));
            }
        },
        _ => None,
    };
    if let (Op::Quantile, Some(q)) = (op, &param) {
        check_quantiles(ev, q, a.param.as_ref().map_or(span, |p| p.span));
    }
    let input = match ev.eval(&a.expr, steps)? {
        StepValue::Vector(v) => v,
        other => {
            ev.release_value(&other);
            return Err(EvalError::internal(
                "an aggregation over something other than an instant vector",
                a.expr.span,
            ));
        }
    };
    let result = grouped(ev, a, op, param.as_deref(), &input, span, steps);
    ev.release_value(&StepValue::Vector(input));
    if let Some(p) = &param {
        ev.release(p.len());
    }
    result.map(StepValue::Vector)
}

/// Prometheus warns once per evaluation about quantile parameters outside [0, 1].
fn check_quantiles(ev: &mut Evaluator<'_>, q: &[f64], span: Span) {
    if q.iter().any(|v| v.is_nan()) {
        ev.annotations
            .add(Annotation::invalid_quantile(f64::NAN, span));
    }
    let max = q
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let min = q
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, f64::min);
    if max > 1.0 {
        ev.annotations.add(Annotation::invalid_quantile(max, span));
    }
    if min < 0.0 {
        ev.annotations.add(Annotation::invalid_quantile(min, span));
    }
}

/// The operators that produce one series per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Sum,
    Avg,
    Count,
    Min,
    Max,
    Group,
    Stddev,
    Stdvar,
    Quantile,
}

impl Op {
    fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "sum" => Op::Sum,
            "avg" => Op::Avg,
            "count" => Op::Count,
            "min" => Op::Min,
            "max" => Op::Max,
            "group" => Op::Group,
            "stddev" => Op::Stddev,
            "stdvar" => Op::Stdvar,
            "quantile" => Op::Quantile,
            _ => return None,
        })
    }

    fn scalar_param(self) -> bool {
        self == Op::Quantile
    }
}

/// The labels of the group a series belongs to.
pub(crate) fn group_labels(labels: &Labels, kind: GroupingKind, names: &[&str]) -> Labels {
    match kind {
        GroupingKind::By if names.is_empty() => Labels::empty(),
        GroupingKind::By => labels.keep_only(names),
        GroupingKind::Without => {
            let mut drop: Vec<&str> = Vec::with_capacity(names.len() + 1);
            drop.extend_from_slice(names);
            drop.push("__name__");
            labels.without(&drop)
        }
    }
}

/// Maps every input series to a group; returns each series' group index and the groups'
/// labels in order of first appearance.
pub(crate) fn assign_groups(a: &Aggregate, input: &StepVector) -> (Vec<usize>, Vec<Labels>) {
    let (kind, names): (GroupingKind, Vec<&str>) = match &a.grouping {
        Some(g) => (g.kind, g.labels.iter().map(|n| n.name.as_str()).collect()),
        None => (GroupingKind::By, Vec::new()),
    };
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut groups = Vec::new();
    let mut of_series = Vec::with_capacity(input.series.len());
    for s in &input.series {
        let labels = group_labels(&s.labels, kind, &names);
        let next = groups.len();
        let g = *index.entry(labels.clone()).or_insert_with(|| {
            groups.push(labels);
            next
        });
        of_series.push(g);
    }
    (of_series, groups)
}

/// One group's running state at one step.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    seen: bool,
    value: f64,
    kahan: f64,
    mean: f64,
    count: f64,
    incremental: bool,
}

/// Kahan–Neumaier summation step, as Prometheus' `kahansum.Inc`.
#[inline]
pub(crate) fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Prometheus' `quantile`: linear interpolation between the closest ranks; NaNs sort first.
pub(crate) fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.total_cmp(b),
    });
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

fn grouped(
    ev: &mut Evaluator<'_>,
    a: &Aggregate,
    op: Op,
    param: Option<&[f64]>,
    input: &StepVector,
    span: Span,
    steps: Steps,
) -> Result<StepVector, EvalError> {
    let n = steps.len();
    let (of_series, group_names) = assign_groups(a, input);
    let groups = group_names.len();
    let mut out: Vec<StepSeries> = Vec::with_capacity(groups);
    for labels in group_names {
        out.push(ev.new_series(labels, n, span)?);
    }
    let block = BLOCK.min(n.max(1));
    let mut accs = vec![Acc::default(); groups * block];
    let mut lists: Vec<Vec<f64>> = if op == Op::Quantile {
        vec![Vec::new(); groups * block]
    } else {
        Vec::new()
    };
    let mut touched = 0u64;
    let mut start = 0;
    while start < n {
        let len = block.min(n - start);
        accs.iter_mut().for_each(|a| *a = Acc::default());
        lists.iter_mut().for_each(Vec::clear);
        for (s, &g) in input.series.iter().zip(&of_series) {
            let base = g * block;
            for j in 0..len {
                let Some(f) = s.get(start + j) else {
                    continue;
                };
                touched += 1;
                let acc = &mut accs[base + j];
                if !acc.seen {
                    *acc = Acc {
                        seen: true,
                        value: f,
                        kahan: 0.0,
                        mean: f,
                        count: 1.0,
                        incremental: false,
                    };
                    match op {
                        Op::Stddev | Op::Stdvar => {
                            acc.value = if f.is_nan() || f.is_infinite() {
                                f64::NAN
                            } else {
                                0.0
                            };
                        }
                        Op::Group => acc.value = 1.0,
                        Op::Quantile => lists[base + j].push(f),
                        _ => {}
                    }
                    continue;
                }
                match op {
                    Op::Sum => (acc.value, acc.kahan) = kahan_inc(f, acc.value, acc.kahan),
                    Op::Avg => {
                        acc.count += 1.0;
                        if !acc.incremental {
                            let (v, c) = kahan_inc(f, acc.value, acc.kahan);
                            if !v.is_infinite() {
                                acc.value = v;
                                acc.kahan = c;
                                continue;
                            }
                            // The sum would overflow: continue with an incremental mean.
                            acc.incremental = true;
                            acc.mean = acc.value / (acc.count - 1.0);
                            acc.kahan /= acc.count - 1.0;
                        }
                        let q = (acc.count - 1.0) / acc.count;
                        (acc.mean, acc.kahan) =
                            kahan_inc(f / acc.count, q * acc.mean, q * acc.kahan);
                    }
                    Op::Count => acc.count += 1.0,
                    Op::Group => {}
                    Op::Max => {
                        if acc.value < f || acc.value.is_nan() {
                            acc.value = f;
                        }
                    }
                    Op::Min => {
                        if acc.value > f || acc.value.is_nan() {
                            acc.value = f;
                        }
                    }
                    Op::Stddev | Op::Stdvar => {
                        acc.count += 1.0;
                        let delta = f - acc.mean;
                        acc.mean += delta / acc.count;
                        acc.value += delta * (f - acc.mean);
                    }
                    Op::Quantile => lists[base + j].push(f),
                }
            }
        }
        for (g, series) in out.iter_mut().enumerate() {
            for j in 0..len {
                let acc = &accs[g * block + j];
                if !acc.seen {
                    continue;
                }
                let v = match op {
                    Op::Sum => acc.value + acc.kahan,
                    Op::Avg if acc.incremental => acc.mean + acc.kahan,
                    Op::Avg => acc.value / acc.count + acc.kahan / acc.count,
                    Op::Count => acc.count,
                    Op::Stdvar => acc.value / acc.count,
                    Op::Stddev => (acc.value / acc.count).sqrt(),
                    Op::Quantile => {
                        let q = param
                            .and_then(|p| p.get(start + j))
                            .copied()
                            .unwrap_or(f64::NAN);
                        quantile(q, &mut lists[g * block + j])
                    }
                    Op::Min | Op::Max | Op::Group => acc.value,
                };
                series.set(start + j, v);
            }
        }
        start += len;
    }
    // A group's output carries the name only if an input kept one (`by (__name__)`); it
    // is dropped later if any input of the group was flagged.
    for (s, &g) in input.series.iter().zip(&of_series) {
        if s.drop_name {
            out[g].drop_name = true;
        }
    }
    ev.touch(touched, span)?;
    let before = out.len();
    out.retain(StepSeries::any_present);
    ev.release((before - out.len()) * n);
    Ok(StepVector::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kahan_keeps_small_terms() {
        let (mut s, mut c) = (0.0, 0.0);
        for v in [1e100, 1.0, -1e100] {
            (s, c) = kahan_inc(v, s, c);
        }
        assert_eq!(s + c, 1.0);
    }

    #[test]
    fn quantile_interpolates_and_handles_bounds() {
        assert_eq!(quantile(0.5, &mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(quantile(0.25, &mut [1.0, 2.0, 3.0]), 1.5);
        assert_eq!(quantile(-1.0, &mut [1.0]), f64::NEG_INFINITY);
        assert_eq!(quantile(2.0, &mut [1.0]), f64::INFINITY);
        assert!(quantile(f64::NAN, &mut [1.0]).is_nan());
        assert!(quantile(0.5, &mut []).is_nan());
        // NaN sorts first.
        assert_eq!(quantile(1.0, &mut [f64::NAN, 5.0]), 5.0);
    }
}
