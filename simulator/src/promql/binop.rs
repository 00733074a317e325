//! Binary operators: arithmetic, comparisons (filtering or `bool`), `atan2`, and the set
//! operators `and`, `or`, `unless`, with `on`/`ignoring` and `group_left`/`group_right`.
//!
//! Vector matching is label work, done once per series: each series gets the ordinal of
//! its join signature (the labels `on` keeps, or all but `ignoring`'s and the name), each
//! output series' labels are computed once per matched pair, and only then do the per-step
//! loops run, over numbers. The errors Prometheus raises per step (duplicate series on the
//! "one" side, several matches in one-to-one matching, grouping labels that do not make
//! results unique) are checked per step too, but only for the signatures where they can
//! happen: those with more than one series on a side.

use super::annotations::Annotation;
use super::ast::{Binary, Cardinality, MatchingKind};
use super::error::{EvalError, EvalErrorKind};
use super::eval::{Evaluator, drop_metric_name};
use super::span::Span;
use super::value::{StepSeries, StepValue, StepVector, Steps};
use crate::tsdb::Labels;
use std::collections::HashMap;

/// The operation, resolved from the operator table once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    And,
    Or,
    Unless,
    /// `</`: trims a native histogram; between floats it drops the sample with an info.
    TrimUpper,
    /// `>/`: likewise.
    TrimLower,
}

impl Op {
    fn from_symbol(symbol: &str) -> Option<Op> {
        Some(match symbol {
            "+" => Op::Add,
            "-" => Op::Sub,
            "*" => Op::Mul,
            "/" => Op::Div,
            "%" => Op::Mod,
            "^" => Op::Pow,
            "atan2" => Op::Atan2,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            ">" => Op::Gt,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            "<=" => Op::Le,
            "and" => Op::And,
            "or" => Op::Or,
            "unless" => Op::Unless,
            "</" => Op::TrimUpper,
            ">/" => Op::TrimLower,
            _ => return None,
        })
    }

    fn is_comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Gt | Op::Lt | Op::Ge | Op::Le)
    }

    /// Whether the result means something else than the input, so the name goes
    /// (Prometheus' `changesMetricSchema`).
    fn changes_schema(self) -> bool {
        matches!(
            self,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Mod | Op::Pow | Op::Atan2
        )
    }

    /// The value for `l op r`, and whether a comparison holds. Arithmetic always "holds".
    #[inline]
    fn apply(self, l: f64, r: f64) -> (f64, bool) {
        match self {
            Op::Add => (l + r, true),
            Op::Sub => (l - r, true),
            Op::Mul => (l * r, true),
            Op::Div => (l / r, true),
            Op::Mod => (l % r, true),
            Op::Pow => (l.powf(r), true),
            Op::Atan2 => (l.atan2(r), true),
            Op::Eq => (l, l == r),
            Op::Ne => (l, l != r),
            Op::Gt => (l, l > r),
            Op::Lt => (l, l < r),
            Op::Ge => (l, l >= r),
            Op::Le => (l, l <= r),
            Op::And | Op::Or | Op::Unless => (l, true),
            Op::TrimUpper | Op::TrimLower => (l, false),
        }
    }

    fn is_trim(self) -> bool {
        matches!(self, Op::TrimUpper | Op::TrimLower)
    }
}

/// Evaluates a binary operation over the grid.
pub(crate) fn eval(
    ev: &mut Evaluator<'_>,
    b: &Binary,
    span: Span,
    steps: Steps,
) -> Result<StepValue, EvalError> {
    let op = Op::from_symbol(b.op.symbol).ok_or_else(|| {
        EvalError::internal(
            format!("unknown binary operator {}", b.op.symbol),
            b.op_span,
        )
    })?;
    let lhs = ev.eval(&b.lhs, steps)?;
    let rhs = match ev.eval(&b.rhs, steps) {
        Ok(v) => v,
        Err(e) => {
            ev.release_value(&lhs);
            return Err(e);
        }
    };
    let return_bool = b.returns_bool();
    match (lhs, rhs) {
        (StepValue::Scalar(mut l), StepValue::Scalar(r)) => {
            for (x, y) in l.iter_mut().zip(&r) {
                let (v, keep) = op.apply(*x, *y);
                *x = if op.is_comparison() {
                    if keep { 1.0 } else { 0.0 }
                } else {
                    v
                };
            }
            ev.release(r.len());
            Ok(StepValue::Scalar(l))
        }
        (StepValue::Vector(v), StepValue::Scalar(s)) => {
            let out = vector_scalar(ev, op, v, &s, false, return_bool, span, steps);
            ev.release(s.len());
            out.map(StepValue::Vector)
        }
        (StepValue::Scalar(s), StepValue::Vector(v)) => {
            let out = vector_scalar(ev, op, v, &s, true, return_bool, span, steps);
            ev.release(s.len());
            out.map(StepValue::Vector)
        }
        (StepValue::Vector(l), StepValue::Vector(r)) => {
            let out = match op {
                Op::And | Op::Or | Op::Unless => set_op(ev, op, b, l, r, span),
                _ => vector_vector(ev, op, b, l, r, return_bool, span, steps),
            };
            out.map(StepValue::Vector)
        }
        (l, r) => {
            ev.release_value(&l);
            ev.release_value(&r);
            Err(EvalError::internal("a binary operation on a string", span))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn vector_scalar(
    ev: &mut Evaluator<'_>,
    op: Op,
    mut v: StepVector,
    scalar: &[f64],
    swap: bool,
    return_bool: bool,
    span: Span,
    steps: Steps,
) -> Result<StepVector, EvalError> {
    // Reported to the budget per series, so the progress hook runs during long operations.
    let mut touched = 0u64;
    let mut any = false;
    for s in &mut v.series {
        s.map_present(|i, x| {
            touched += 1;
            let y = scalar.get(i).copied().unwrap_or(f64::NAN);
            let (l, r) = if swap { (y, x) } else { (x, y) };
            let (mut value, keep) = op.apply(l, r);
            // A comparison keeps the vector's value, whichever side it is on.
            if op.is_comparison() && swap {
                value = r;
            }
            if return_bool {
                Some(if keep { 1.0 } else { 0.0 })
            } else if keep {
                Some(value)
            } else {
                None
            }
        });
        if op.changes_schema() || return_bool {
            s.drop_name = true;
        }
        any |= touched > 0;
        ev.touch(std::mem::take(&mut touched), span)?;
    }
    if op.is_trim() && any {
        ev.annotations.add(trim_info(op, span));
    }
    v.ordered = false;
    let before = v.series.len();
    v.series.retain(StepSeries::any_present);
    ev.release((before - v.series.len()) * steps.len());
    Ok(v)
}

/// Prometheus' info for a histogram trim between floats, which drops the samples.
fn trim_info(op: Op, span: Span) -> Annotation {
    let symbol = if op == Op::TrimUpper { "</" } else { ">/" };
    Annotation::info(
        format!(
            "incompatible sample types encountered for binary operator \"{symbol}\": float {symbol} float"
        ),
        span,
    )
}

/// The join signature of a series: the labels that must be equal for two series to match.
fn signature(labels: &Labels, kind: MatchingKind, names: &[&str]) -> Labels {
    match kind {
        MatchingKind::On => labels.keep_only(names),
        MatchingKind::Ignoring => {
            let mut drop: Vec<&str> = Vec::with_capacity(names.len() + 1);
            drop.extend_from_slice(names);
            drop.push("__name__");
            labels.without(&drop)
        }
    }
}

/// Signature ordinals for both sides, numbered in order of first appearance.
fn signatures(b: &Binary, l: &StepVector, r: &StepVector) -> (Vec<usize>, Vec<usize>, usize) {
    let (kind, names): (MatchingKind, Vec<&str>) = match &b.matching {
        Some(m) => (m.kind, m.labels.iter().map(|n| n.name.as_str()).collect()),
        None => (MatchingKind::Ignoring, Vec::new()),
    };
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut ordinal = |labels: &Labels| {
        let sig = signature(labels, kind, &names);
        let next = index.len();
        *index.entry(sig).or_insert(next)
    };
    let ls: Vec<usize> = l.series.iter().map(|s| ordinal(&s.labels)).collect();
    let rs: Vec<usize> = r.series.iter().map(|s| ordinal(&s.labels)).collect();
    let count = index.len();
    (ls, rs, count)
}

/// For each signature, whether some series with it is present, per step.
fn presence(v: &StepVector, sigs: &[usize], count: usize, n: usize) -> Vec<Vec<bool>> {
    let mut p = vec![Vec::new(); count];
    for (s, &g) in v.series.iter().zip(sigs) {
        if p[g].is_empty() {
            p[g] = vec![false; n];
        }
        for (i, _) in s.present() {
            p[g][i] = true;
        }
    }
    p
}

fn set_op(
    ev: &mut Evaluator<'_>,
    op: Op,
    b: &Binary,
    mut l: StepVector,
    mut r: StepVector,
    span: Span,
) -> Result<StepVector, EvalError> {
    let n = l
        .series
        .first()
        .or(r.series.first())
        .map_or(0, StepSeries::len);
    let (lsig, rsig, count) = signatures(b, &l, &r);
    let mut out = Vec::with_capacity(l.series.len() + r.series.len());
    match op {
        Op::And | Op::Unless => {
            let right = presence(&r, &rsig, count, n);
            for (mut s, g) in l.series.drain(..).zip(&lsig) {
                let p = &right[*g];
                s.map_present(|i, v| {
                    let matched = p.get(i).copied().unwrap_or(false);
                    (matched == (op == Op::And)).then_some(v)
                });
                if s.any_present() {
                    out.push(s);
                } else {
                    ev.release(n);
                }
            }
            ev.release_value(&StepValue::Vector(r));
        }
        _ => {
            let left = presence(&l, &lsig, count, n);
            out.append(&mut l.series);
            for (mut s, g) in r.series.drain(..).zip(&rsig) {
                let p = &left[*g];
                s.map_present(|i, v| (!p.get(i).copied().unwrap_or(false)).then_some(v));
                if s.any_present() {
                    out.push(s);
                } else {
                    ev.release(n);
                }
            }
        }
    }
    let mut v = StepVector::new(out);
    if n > 1 {
        ev.merge_same_labels(&mut v, span)?;
    }
    Ok(v)
}

/// The labels of a result series, as Prometheus' `resultMetric` builds them.
fn result_labels(lhs: &Labels, rhs: &Labels, op: Op, b: &Binary, card: Cardinality) -> Labels {
    let mut labels = if op.changes_schema() {
        drop_metric_name(lhs)
    } else {
        lhs.clone()
    };
    if card == Cardinality::OneToOne
        && let Some(m) = &b.matching
    {
        let names: Vec<&str> = m.labels.iter().map(|n| n.name.as_str()).collect();
        labels = match m.kind {
            MatchingKind::On => labels.keep_only(&names),
            MatchingKind::Ignoring => labels.without(&names),
        };
    }
    if let Some(g) = &b.group {
        for name in &g.include {
            labels = labels.with(&name.name, rhs.get(&name.name).unwrap_or(""));
        }
    }
    labels
}

/// Prometheus' labels of a match group for the duplicate-series message.
fn match_group(labels: &Labels, b: &Binary) -> Labels {
    match &b.matching {
        Some(m) if m.kind == MatchingKind::On => {
            let names: Vec<&str> = m.labels.iter().map(|n| n.name.as_str()).collect();
            labels.keep_only(&names)
        }
        Some(m) => {
            let mut names: Vec<&str> = m.labels.iter().map(|n| n.name.as_str()).collect();
            names.push("__name__");
            labels.without(&names)
        }
        None => labels.without(&["__name__"]),
    }
}

/// Prometheus prints series in this message with every label quoted, name included.
fn full_string(labels: &Labels) -> String {
    let mut out = String::from("{");
    for (i, (n, v)) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(n);
        out.push('=');
        let _ = crate::tsdb::labels::write_quoted(&mut out, v);
    }
    out.push('}');
    out
}

/// Where the samples of one output pair come from, for [`Joiner::pair`].
struct Joiner<'a> {
    op: Op,
    card: Cardinality,
    swapped: bool,
    return_bool: bool,
    span: Span,
    steps: usize,
    /// Per signature: whether it matched at each step (only where that can matter).
    sig_used: Vec<Option<Vec<bool>>>,
    /// Several "many" series share the signature: one-to-one matching must check.
    crowded: &'a [bool],
    /// Many-to-one: which (signature, output) pairs were produced at each step.
    claimed: HashMap<(usize, usize), Vec<bool>>,
}

impl Joiner<'_> {
    /// Combines a "many" value and a "one" value at step `i` into output `slot`, with
    /// Prometheus' per-step checks.
    fn pair(
        &mut self,
        out: &mut [StepSeries],
        g: usize,
        slot: usize,
        i: usize,
        many: f64,
        one: f64,
    ) -> Result<(), EvalError> {
        if let Some(used) = self.sig_used[g].as_mut() {
            if self.card == Cardinality::OneToOne && used[i] && self.crowded[g] {
                return Err(EvalError::new(EvalErrorKind::OneToOneMultipleMatches, self.span)
                    .with_hint("several series on the left match one on the right: use group_left (or group_right) to say which side has many"));
            }
            used[i] = true;
        }
        if self.card != Cardinality::OneToOne && self.crowded[g] {
            // A filtered-out match still claims its result series at this step, as
            // Prometheus records it before filtering.
            let n = self.steps;
            let seen = self
                .claimed
                .entry((g, slot))
                .or_insert_with(|| vec![false; n]);
            if seen[i] {
                return Err(EvalError::new(EvalErrorKind::GroupingNotUnique, self.span));
            }
            seen[i] = true;
        }
        let (lv, rv) = if self.swapped {
            (one, many)
        } else {
            (many, one)
        };
        let (value, keep) = self.op.apply(lv, rv);
        if !(self.return_bool || keep) {
            return Ok(());
        }
        let Some(target) = out.get_mut(slot) else {
            return Err(EvalError::internal("a join output out of range", self.span));
        };
        if target.get(i).is_some() {
            // Another signature produced the same labels at this step.
            return Err(EvalError::new(EvalErrorKind::DuplicateLabelset, self.span));
        }
        let v = match (self.return_bool, keep) {
            (true, true) => 1.0,
            (true, false) => 0.0,
            _ => value,
        };
        target.set(i, v);
        Ok(())
    }
}

/// The output series for `labels`, created on first use.
fn output_slot(
    ev: &mut Evaluator<'_>,
    out: &mut Vec<StepSeries>,
    index: &mut HashMap<Labels, usize>,
    labels: Labels,
    n: usize,
    span: Span,
) -> Result<usize, EvalError> {
    if let Some(&k) = index.get(&labels) {
        return Ok(k);
    }
    out.push(ev.new_series(labels.clone(), n, span)?);
    index.insert(labels, out.len() - 1);
    Ok(out.len() - 1)
}

#[allow(clippy::too_many_arguments)]
fn vector_vector(
    ev: &mut Evaluator<'_>,
    op: Op,
    b: &Binary,
    l: StepVector,
    r: StepVector,
    return_bool: bool,
    span: Span,
    steps: Steps,
) -> Result<StepVector, EvalError> {
    let mut out: Vec<StepSeries> = Vec::new();
    let result = join(ev, op, b, &l, &r, return_bool, span, steps, &mut out);
    ev.release_value(&StepValue::Vector(l));
    ev.release_value(&StepValue::Vector(r));
    let n = steps.len();
    if let Err(e) = result {
        ev.release(out.len() * n);
        return Err(e);
    }
    let touched = result.unwrap_or(0);
    if op.is_trim() && touched > 0 {
        ev.annotations.add(trim_info(op, span));
    }
    for s in &mut out {
        s.drop_name = return_bool;
    }
    let before = out.len();
    out.retain(StepSeries::any_present);
    ev.release((before - out.len()) * n);
    // Outputs are keyed by their labels, so they are distinct.
    Ok(StepVector::new(out))
}

/// Arithmetic and comparisons between two vectors: matches series by signature and fills
/// `out`; returns the samples touched.
#[allow(clippy::too_many_arguments)]
fn join(
    ev: &mut Evaluator<'_>,
    op: Op,
    b: &Binary,
    l: &StepVector,
    r: &StepVector,
    return_bool: bool,
    span: Span,
    steps: Steps,
    out: &mut Vec<StepSeries>,
) -> Result<u64, EvalError> {
    let n = steps.len();
    let card = b.cardinality();
    let (lsig, rsig, count) = signatures(b, l, r);
    // The "one" side is the right, after swapping for group_right. Fill values are not
    // swapped, as in Prometheus: `fill_right` fills the side that is right after the swap.
    let swapped = card == Cardinality::OneToMany;
    let (many, one, many_sig, one_sig) = if swapped {
        (r, l, &rsig, &lsig)
    } else {
        (l, r, &lsig, &rsig)
    };
    let fill_one = b.fill.as_ref().and_then(|f| f.rhs).map(|v| v.value);
    let fill_many = b.fill.as_ref().and_then(|f| f.lhs).map(|v| v.value);
    let filling = fill_one.is_some() || fill_many.is_some();
    let mut many_count = vec![0usize; count];
    for &g in many_sig {
        many_count[g] += 1;
    }
    let mut one_by_sig: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &g) in one_sig.iter().enumerate() {
        one_by_sig[g].push(i);
    }
    // Duplicate series on the "one" side at one step: many-to-many. Prometheus looks only
    // at steps it does not short-circuit (both sides present, or a fill given).
    let mut many_any: Option<Vec<bool>> = None;
    for members in one_by_sig.iter().filter(|m| m.len() > 1) {
        let any = many_any.get_or_insert_with(|| {
            let mut any = vec![filling; n];
            for s in &many.series {
                for (i, _) in s.present() {
                    any[i] = true;
                }
            }
            any
        });
        for i in (0..n).filter(|&i| any[i]) {
            let present: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&m| one.series[m].get(i).is_some())
                .collect();
            if present.len() > 1 {
                let a = &one.series[present[0]].labels;
                let c = &one.series[present[1]].labels;
                let (mut s1, mut s2) = (full_string(a), full_string(c));
                if s1 > s2 {
                    std::mem::swap(&mut s1, &mut s2);
                }
                return Err(EvalError::new(
                    EvalErrorKind::ManyToMany {
                        group: full_string(&match_group(a, b)),
                        side: if swapped { "left" } else { "right" },
                        series: [s1, s2],
                    },
                    span,
                )
                .with_hint(
                    "each series on one side must match at most one series on the other: add labels to on(...) or use group_left/group_right",
                ));
            }
        }
    }
    let crowded: Vec<bool> = many_count.iter().map(|&c| c > 1).collect();
    let sig_used: Vec<Option<Vec<bool>>> = (0..count)
        .map(|g| {
            (fill_many.is_some() || (card == Cardinality::OneToOne && crowded[g]))
                .then(|| vec![false; n])
        })
        .collect();
    let mut joiner = Joiner {
        op,
        card,
        swapped,
        return_bool,
        span,
        steps: n,
        sig_used,
        crowded: &crowded,
        claimed: HashMap::new(),
    };
    let mut index: HashMap<Labels, usize> = HashMap::new();
    // Reported to the budget per series, so the progress hook runs during long joins.
    let mut touched = 0u64;
    let mut touched_before = 0u64;
    for (mi, ms) in many.series.iter().enumerate() {
        let g = many_sig[mi];
        let candidates = &one_by_sig[g];
        // Output slots for this series with each candidate, and with the fill value.
        let mut slots: Vec<Option<usize>> = vec![None; candidates.len()];
        let mut fill_slot: Option<usize> = None;
        for (i, mv) in ms.present() {
            let found = candidates
                .iter()
                .position(|&oi| one.series[oi].get(i).is_some());
            let (ov, slot) = match (found, fill_one) {
                (Some(k), _) => {
                    let os = &one.series[candidates[k]];
                    let slot = match slots[k] {
                        Some(s) => s,
                        None => {
                            let labels = result_labels(&ms.labels, &os.labels, op, b, card);
                            let s = output_slot(ev, out, &mut index, labels, n, span)?;
                            slots[k] = Some(s);
                            s
                        }
                    };
                    (os.get(i).unwrap_or(f64::NAN), slot)
                }
                (None, Some(fill)) => {
                    let slot = match fill_slot {
                        Some(s) => s,
                        None => {
                            let one_labels = match_group(&ms.labels, b);
                            let labels = result_labels(&ms.labels, &one_labels, op, b, card);
                            let s = output_slot(ev, out, &mut index, labels, n, span)?;
                            fill_slot = Some(s);
                            s
                        }
                    };
                    (fill, slot)
                }
                (None, None) => continue,
            };
            touched += 1;
            joiner.pair(out, g, slot, i, mv, ov)?;
        }
        ev.touch(touched - touched_before, span)?;
        touched_before = touched;
    }
    if let Some(fill) = fill_many {
        // "One" series that nothing matched at a step meet the fill value.
        for (oi, os) in one.series.iter().enumerate() {
            let g = one_sig[oi];
            let mut slot = None;
            for (i, ov) in os.present() {
                if joiner.sig_used[g].as_ref().is_some_and(|u| u[i]) {
                    continue;
                }
                let s = match slot {
                    Some(s) => s,
                    None => {
                        let many_labels = match_group(&os.labels, b);
                        let labels = result_labels(&many_labels, &os.labels, op, b, card);
                        let s = output_slot(ev, out, &mut index, labels, n, span)?;
                        slot = Some(s);
                        s
                    }
                };
                touched += 1;
                joiner.pair(out, g, s, i, fill, ov)?;
            }
            ev.touch(touched - touched_before, span)?;
            touched_before = touched;
        }
    }
    Ok(touched)
}
