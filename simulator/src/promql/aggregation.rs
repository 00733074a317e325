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
use super::ast::{Aggregate, ExprKind, GroupingKind};
use super::error::EvalError;
use super::eval::{Evaluator, unwrap_parens};
use super::limits::PROGRESS_EVERY;
use super::literals::{format_float, format_float_short, quote};
use super::span::Span;
use super::value::{StepSeries, StepValue, StepVector, Steps};
use super::xxhash::prometheus_labels_hash;
use super::{kahan, quantile::quantile};
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
    match a.op.name {
        "topk" | "bottomk" | "limitk" | "limit_ratio" => return k_family(ev, a, span, steps),
        "count_values" => return count_values(ev, a, span, steps),
        _ => {}
    }
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

/// The smallest and largest parameter value and whether any is NaN, as Prometheus'
/// `fParams` computes them with Go's `math.Min`/`math.Max`, where NaN wins.
fn param_range(p: &[f64]) -> (f64, f64, bool) {
    if p.iter().any(|v| v.is_nan()) {
        return (f64::NAN, f64::NAN, true);
    }
    let max = p.iter().copied().fold(-f64::MAX, f64::max);
    let min = p.iter().copied().fold(f64::MAX, f64::min);
    (min, max, false)
}

/// Prometheus warns once per evaluation about quantile parameters outside [0, 1].
fn check_quantiles(ev: &mut Evaluator<'_>, q: &[f64], span: Span) {
    let (min, max, any_nan) = param_range(q);
    if any_nan {
        ev.annotations
            .add(Annotation::invalid_quantile(f64::NAN, span));
    }
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
                    Op::Sum => (acc.value, acc.kahan) = kahan::inc(f, acc.value, acc.kahan),
                    Op::Avg => {
                        acc.count += 1.0;
                        if !acc.incremental {
                            let (v, c) = kahan::inc(f, acc.value, acc.kahan);
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
                            kahan::inc(f / acc.count, q * acc.mean, q * acc.kahan);
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
            if touched >= PROGRESS_EVERY {
                ev.touch(std::mem::take(&mut touched), span)?;
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
        ev.touch(std::mem::take(&mut touched), span)?;
        start += len;
    }
    // A group's output carries the name only if an input kept one (`by (__name__)`); it
    // is dropped later if any input of the group was flagged.
    for (s, &g) in input.series.iter().zip(&of_series) {
        if s.drop_name {
            out[g].drop_name = true;
        }
    }
    let before = out.len();
    out.retain(StepSeries::any_present);
    ev.release((before - out.len()) * n);
    Ok(StepVector::new(out))
}

/// Which of the series-selecting aggregations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KOp {
    Topk,
    Bottomk,
    Limitk,
    LimitRatio,
}

/// Go's `container/heap` over input indices with a `less` on values, so that ties and NaNs
/// end up where Prometheus puts them.
struct GoHeap<'a> {
    items: Vec<usize>,
    value: &'a dyn Fn(usize) -> f64,
    reverse: bool,
}

impl GoHeap<'_> {
    /// `vectorByValueHeap.Less` (or `vectorByReverseValueHeap.Less` when reversed).
    fn less(&self, i: usize, j: usize) -> bool {
        let (vi, vj) = ((self.value)(self.items[i]), (self.value)(self.items[j]));
        if vi.is_nan() {
            return true;
        }
        if self.reverse { vi > vj } else { vi < vj }
    }

    fn up(&mut self, mut j: usize) {
        while j > 0 {
            let i = (j - 1) / 2;
            if !self.less(j, i) {
                break;
            }
            self.items.swap(i, j);
            j = i;
        }
    }

    fn down(&mut self, i0: usize) -> bool {
        let n = self.items.len();
        let mut i = i0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            let j2 = j1 + 1;
            if j2 < n && self.less(j2, j1) {
                j = j2;
            }
            if !self.less(j, i) {
                break;
            }
            self.items.swap(i, j);
            i = j;
        }
        i > i0
    }

    fn push(&mut self, x: usize) {
        self.items.push(x);
        self.up(self.items.len() - 1);
    }

    fn fix(&mut self, i: usize) {
        if !self.down(i) {
            self.up(i);
        }
    }

    /// `sort.Sort(sort.Reverse(heap))` for the small heaps topk keeps: Go's insertion
    /// sort, which its sort uses up to 12 elements (stable for ties).
    fn sort_reversed(&mut self) {
        for i in 1..self.items.len() {
            let mut j = i;
            // Reverse(h).Less(j, j-1) is h.Less(j-1, j).
            while j > 0 && self.less(j - 1, j) {
                self.items.swap(j, j - 1);
                j -= 1;
            }
        }
    }
}

/// `topk`, `bottomk`, `limitk` and `limit_ratio`: keep some input series per group and
/// step, with their own labels.
fn k_family(
    ev: &mut Evaluator<'_>,
    a: &Aggregate,
    span: Span,
    steps: Steps,
) -> Result<StepValue, EvalError> {
    let op = match a.op.name {
        "topk" => KOp::Topk,
        "bottomk" => KOp::Bottomk,
        "limitk" => KOp::Limitk,
        _ => KOp::LimitRatio,
    };
    let n = steps.len();
    let Some(param_expr) = &a.param else {
        return Err(EvalError::internal(
            "a k aggregation without its parameter",
            span,
        ));
    };
    let param_span = param_expr.span;
    let param = match ev.eval(unwrap_parens(param_expr), steps)? {
        StepValue::Scalar(v) => v,
        other => {
            ev.release_value(&other);
            return Err(EvalError::internal(
                "an aggregation parameter did not evaluate to a scalar",
                param_span,
            ));
        }
    };
    let (min, max, any_nan) = param_range(&param);
    let nothing = || Ok(StepValue::Vector(StepVector::new(Vec::new())));
    match op {
        KOp::LimitRatio => {
            if max == 0.0 && min == 0.0 {
                ev.release(param.len());
                return nothing();
            }
            if any_nan {
                ev.release(param.len());
                return Err(EvalError::invalid_argument(
                    "Ratio value is NaN",
                    param_span,
                ));
            }
            if max > 1.0 {
                ev.annotations
                    .add(Annotation::invalid_ratio(max, 1.0, param_span));
            }
            if min < -1.0 {
                ev.annotations
                    .add(Annotation::invalid_ratio(min, -1.0, param_span));
            }
        }
        _ => {
            if max < 1.0 {
                ev.release(param.len());
                return nothing();
            }
            if any_nan {
                ev.release(param.len());
                return Err(EvalError::invalid_argument(
                    "Parameter value is NaN",
                    param_span,
                ));
            }
            if min <= i64::MIN as f64 {
                ev.release(param.len());
                return Err(EvalError::invalid_argument(
                    format!("Scalar value {} underflows int64", format_float_short(min)),
                    param_span,
                ));
            }
            if max >= i64::MAX as f64 {
                ev.release(param.len());
                return Err(EvalError::invalid_argument(
                    format!("Scalar value {} overflows int64", format_float_short(max)),
                    param_span,
                ));
            }
        }
    }
    let input = match ev.eval(&a.expr, steps)? {
        StepValue::Vector(v) => v,
        other => {
            ev.release_value(&other);
            ev.release(param.len());
            return Err(EvalError::internal(
                "an aggregation over something other than an instant vector",
                a.expr.span,
            ));
        }
    };
    let (of_series, groups) = assign_groups(a, &input);
    let offsets: Vec<f64> = if op == KOp::LimitRatio {
        input
            .series
            .iter()
            .map(|s| prometheus_labels_hash(&s.labels) as f64 / u64::MAX as f64)
            .collect()
    } else {
        Vec::new()
    };
    // Output series by input index, created when first chosen; `order` is the emission
    // order of the single step of an instant query.
    let mut out_of: Vec<Option<usize>> = vec![None; input.series.len()];
    let mut out: Vec<StepSeries> = Vec::new();
    let mut heaps: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    let mut touched = 0u64;
    let mut failure = None;
    'steps: for (i, &p) in param.iter().enumerate().take(n) {
        let (k, r) = match op {
            KOp::LimitRatio => {
                if p == 0.0 {
                    continue;
                }
                (0usize, p.clamp(-1.0, 1.0))
            }
            _ => {
                // Go converts with int64(f): truncation toward zero.
                let k = (p as i64).min(input.series.len() as i64);
                if k < 1 {
                    continue;
                }
                (k as usize, 0.0)
            }
        };
        heaps.iter_mut().for_each(Vec::clear);
        let value_at = |idx: usize| input.series[idx].get(i).unwrap_or(f64::NAN);
        let mut complete = 0usize;
        for (si, s) in input.series.iter().enumerate() {
            let Some(v) = s.get(i) else {
                continue;
            };
            touched += 1;
            let g = of_series[si];
            let mut heap = GoHeap {
                items: std::mem::take(&mut heaps[g]),
                value: &value_at,
                reverse: op == KOp::Bottomk,
            };
            match op {
                KOp::Topk | KOp::Bottomk => {
                    if heap.items.len() < k {
                        heap.push(si);
                    } else {
                        let top = value_at(heap.items[0]);
                        let better = if op == KOp::Topk { top < v } else { top > v };
                        if better || (top.is_nan() && !v.is_nan()) {
                            heap.items[0] = si;
                            if k > 1 {
                                heap.fix(0);
                            }
                        }
                    }
                }
                KOp::Limitk => {
                    if heap.items.len() < k {
                        heap.push(si);
                        if heap.items.len() == k {
                            complete += 1;
                        }
                    }
                }
                KOp::LimitRatio => {
                    let o = offsets[si];
                    if (r >= 0.0 && o < r) || (r < 0.0 && o >= 1.0 + r) {
                        heap.push(si);
                    }
                }
            }
            heaps[g] = heap.items;
            if op == KOp::Limitk && complete == groups.len() {
                break;
            }
        }
        if let Err(e) = ev.touch(touched, span) {
            failure = Some(e);
            break 'steps;
        }
        touched = 0;
        for slot_items in heaps.iter_mut() {
            let mut heap = GoHeap {
                items: std::mem::take(slot_items),
                value: &value_at,
                reverse: op == KOp::Bottomk,
            };
            if matches!(op, KOp::Topk | KOp::Bottomk) && heap.items.len() > 1 {
                heap.sort_reversed();
            }
            for &si in &heap.items {
                let slot = match out_of[si] {
                    Some(o) => o,
                    None => {
                        let src = &input.series[si];
                        let mut s = match ev.new_series(src.labels.clone(), n, span) {
                            Ok(s) => s,
                            Err(e) => {
                                failure = Some(e);
                                break 'steps;
                            }
                        };
                        s.drop_name = src.drop_name;
                        out.push(s);
                        out_of[si] = Some(out.len() - 1);
                        out.len() - 1
                    }
                };
                out[slot].set(i, value_at(si));
            }
            *slot_items = heap.items;
        }
    }
    ev.release_value(&StepValue::Vector(input));
    ev.release(param.len());
    if let Some(e) = failure {
        ev.release(out.len() * n);
        return Err(e);
    }
    ev.touch(touched, span)?;
    Ok(StepValue::Vector(StepVector {
        series: out,
        ordered: matches!(op, KOp::Topk | KOp::Bottomk),
    }))
}

/// `count_values("label", v)`: per group and step, how many series have each value, the
/// value (formatted as Go's `strconv.FormatFloat(v, 'f', -1, 64)`) stored in `label`.
fn count_values(
    ev: &mut Evaluator<'_>,
    a: &Aggregate,
    span: Span,
    steps: Steps,
) -> Result<StepValue, EvalError> {
    let Some(param) = &a.param else {
        return Err(EvalError::internal("count_values without its label", span));
    };
    let ExprKind::String(label) = &unwrap_parens(param).kind else {
        return Err(EvalError::internal(
            "count_values with a label that is not a string literal",
            param.span,
        ));
    };
    let name = match std::str::from_utf8(label.bytes()) {
        Ok(n) if !n.is_empty() => n.to_string(),
        _ => {
            return Err(EvalError::invalid_argument(
                format!("invalid label name {}", quote(label.bytes())),
                param.span,
            ));
        }
    };
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
    let n = steps.len();
    let (kind, mut names): (GroupingKind, Vec<&str>) = match &a.grouping {
        Some(g) => (g.kind, g.labels.iter().map(|l| l.name.as_str()).collect()),
        None => (GroupingKind::By, Vec::new()),
    };
    if kind == GroupingKind::By {
        names.push(&name);
    }
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<StepSeries> = Vec::new();
    let mut touched = 0u64;
    let mut failure = None;
    'series: for s in &input.series {
        // Values usually repeat from step to step: reuse the last output slot.
        let mut last: Option<(u64, usize)> = None;
        for (i, v) in s.present() {
            touched += 1;
            let slot = match last {
                Some((bits, slot)) if bits == v.to_bits() => slot,
                _ => {
                    let with_value = s.labels.with(&name, &format_float(v));
                    let group = group_labels(&with_value, kind, &names);
                    let slot = match index.get(&group) {
                        Some(&slot) => slot,
                        None => match ev.new_series(group.clone(), n, span) {
                            Ok(series) => {
                                out.push(series);
                                index.insert(group, out.len() - 1);
                                out.len() - 1
                            }
                            Err(e) => {
                                failure = Some(e);
                                break 'series;
                            }
                        },
                    };
                    last = Some((v.to_bits(), slot));
                    slot
                }
            };
            let count = out[slot].get(i).unwrap_or(0.0);
            out[slot].set(i, count + 1.0);
        }
        if let Err(e) = ev.touch(touched, span) {
            failure = Some(e);
            break 'series;
        }
        touched = 0;
    }
    ev.release_value(&StepValue::Vector(input));
    if let Some(e) = failure {
        ev.release(out.len() * n);
        return Err(e);
    }
    ev.touch(touched, span)?;
    // Outputs are keyed by their labels above, so they are distinct.
    Ok(StepValue::Vector(StepVector::new(out)))
}
