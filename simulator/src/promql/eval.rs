//! The evaluator: a parsed query, a database and a time grid in; a [`Value`] with
//! annotations and statistics out, with Prometheus 3's semantics.
//!
//! **One pass per node.** An instant query is a range query with one step, as in
//! Prometheus. Unlike Prometheus, which re-runs the node's callback at every step and hashes
//! label sets each time, every node here is evaluated once for the whole grid into a
//! [`StepValue`]: a vector is a list of series with one slot per step. Label work (join
//! signatures, grouping keys, dropping the name) happens once per series; the per-step
//! loops only touch numbers. Range vectors never materialise per step: a function over
//! `x[5m]` slides a window over each series' samples, seeking through the database's
//! chunks when the step is longer than the range.
//!
//! **One `match`.** [`Evaluator::eval`] dispatches on the node kind; binary operators live
//! in `binop.rs`, aggregations in `aggregation.rs`, functions in the function table.
//!
//! **Step invariance.** A subtree whose every selector is pinned with `@` (and that calls
//! no function reading the evaluation time) gives the same answer at every step, so it is
//! evaluated at the first step only and repeated, as Prometheus' `StepInvariantExpr` does.
//!
//! **Names.** Prometheus 3's delayed name removal (what its test suite runs with): an
//! operation that changes a series' meaning flags it (`StepSeries::drop_name`) and keeps
//! `__name__` until the result is built, so `label_replace` and matching still see it.
//!
//! **Limits.** Every slot held counts against [`Limits::max_samples`]; the progress hook is
//! called every few thousand samples touched; errors are values ([`EvalError`]).

use super::annotations::{Annotation, Annotations};
use super::ast::{
    Aggregate, AtTime, Binary, Call, Expr, ExprKind, ExtendedKind, MatrixSelector, Subquery,
    UnaryOp, VectorSelector,
};
use super::error::{EvalError, EvalErrorKind};
use super::extended::{self, extend_points, smoothed_value};
use super::functions::{
    CallSpans, ElementwiseFunction, Implementation, QueryTimes, RangeFunction, VectorCall,
    VectorFunction, Window,
};
use super::limits::{Budget, BudgetError, Limits, NoProgress, Progress};
use super::span::Span;
use super::types::ValueType;
use super::value::{Point, Sample, Series, StepSeries, StepValue, StepVector, Steps, Value};
use crate::tsdb::{Labels, SampleIter, SeriesRef, Tsdb, is_stale_marker};
use std::collections::HashMap;

/// Per series, per step: the timestamp of the sample a selector chose.
pub(crate) type SampleTimes = Vec<Vec<i64>>;

/// How the engine evaluates queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineOptions {
    /// How far back a vector selector looks for a sample, in milliseconds (Prometheus'
    /// `--query.lookback-delta`, default 5 minutes).
    pub lookback_delta_ms: i64,
    /// The step of a subquery written without one (`x[1h:]`), in milliseconds. Prometheus
    /// uses its global evaluation interval, 1 minute by default.
    pub default_subquery_step_ms: i64,
    /// Bounds on samples and steps.
    pub limits: Limits,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            lookback_delta_ms: 5 * 60 * 1000,
            default_subquery_step_ms: 60 * 1000,
            limits: Limits::default(),
        }
    }
}

/// Evaluates queries. Holds only options; every evaluation is independent.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    options: EngineOptions,
}

/// What an evaluation cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalStats {
    /// Samples read from the database plus samples produced by nodes.
    pub samples_touched: u64,
    /// The most samples (step slots and buffered raw samples) held at once.
    pub peak_samples: u64,
}

/// A successful evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The result.
    pub value: Value,
    /// Warnings and infos raised along the way.
    pub annotations: Annotations,
    /// What it cost.
    pub stats: EvalStats,
}

impl Engine {
    /// An engine with these options.
    pub fn new(options: EngineOptions) -> Engine {
        Engine { options }
    }

    /// The options in force.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Evaluates `expr` at time `t` (Unix milliseconds).
    pub fn instant(&self, db: &Tsdb, expr: &Expr, t: i64) -> Result<QueryResult, EvalError> {
        self.query(
            db,
            expr,
            QueryTimes {
                start: t,
                end: t,
                step: 0,
            },
            &mut NoProgress,
        )
    }

    /// Evaluates `expr` at every `step` milliseconds from `start` to `end`.
    pub fn range(
        &self,
        db: &Tsdb,
        expr: &Expr,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, EvalError> {
        self.query(db, expr, QueryTimes { start, end, step }, &mut NoProgress)
    }

    /// Evaluates `expr` over `times` (an instant query when `times.step` is 0), calling
    /// `progress` as it goes.
    ///
    /// Errors: a range query must have `step > 0`, `end >= start`, no more than
    /// `max_steps` steps, and a scalar or instant-vector expression.
    pub fn query(
        &self,
        db: &Tsdb,
        expr: &Expr,
        times: QueryTimes,
        progress: &mut dyn Progress,
    ) -> Result<QueryResult, EvalError> {
        let instant = times.step == 0 && times.start == times.end;
        let steps = if instant {
            Steps::instant(times.start)
        } else {
            if times.step <= 0 {
                return Err(EvalError::new(
                    EvalErrorKind::InvalidQuery(
                        "zero or negative query resolution step widths are not accepted. Try a positive integer".into(),
                    ),
                    expr.span,
                ));
            }
            if times.end < times.start {
                return Err(EvalError::new(
                    EvalErrorKind::InvalidQuery(
                        "end timestamp must not be before start time".into(),
                    ),
                    expr.span,
                ));
            }
            let steps = Steps::new(times.start, times.end, times.step);
            let n = (i128::from(times.end) - i128::from(times.start)) / i128::from(times.step);
            if n >= self.options.limits.max_steps as i128 {
                return Err(EvalError::new(
                    EvalErrorKind::TooManySteps {
                        steps: u64::try_from(n + 1).unwrap_or(u64::MAX),
                        limit: self.options.limits.max_steps,
                    },
                    expr.span,
                ));
            }
            match expr.value_type() {
                ValueType::Scalar | ValueType::Vector => {}
                other => {
                    return Err(EvalError::new(
                        EvalErrorKind::InvalidQuery(format!(
                            "invalid expression type \"{other}\" for range query, must be Scalar or instant Vector"
                        )),
                        expr.span,
                    ));
                }
            }
            steps
        };
        let mut ev = Evaluator::new(db, &self.options, times, progress);
        let value = ev.top(expr, steps, instant)?;
        let stats = EvalStats {
            samples_touched: ev.budget.touched(),
            peak_samples: ev.budget.peak(),
        };
        Ok(QueryResult {
            value,
            annotations: ev.annotations,
            stats,
        })
    }

    /// The earliest and latest sample times evaluating `expr` over `times` can read, as
    /// Prometheus' `FindMinMaxTime` computes them (lookback, ranges, offsets, `@` and
    /// subqueries included), so a caller can load just that window of data. `None` when the
    /// expression selects no series. Durations that do not evaluate count as zero; the
    /// evaluation itself reports them.
    pub fn data_range(&self, expr: &Expr, times: QueryTimes) -> Option<(i64, i64)> {
        let probe = Evaluator::span_probe(&self.options, times);
        let mut acc: Option<(i64, i64)> = None;
        probe.walk_range(expr, (0, 0, None), &mut acc);
        acc
    }

    /// Evaluates the subtree of `root` at `path` (child indices, following
    /// [`Expr::children`]) with the same times, for the explain view. A range-vector subtree
    /// inside a range query is evaluated as an instant query at `times.end`, the only way a
    /// range vector has a value. `None` when the path leads nowhere.
    pub fn subtree(
        &self,
        db: &Tsdb,
        root: &Expr,
        path: &[usize],
        times: QueryTimes,
        progress: &mut dyn Progress,
    ) -> Option<Result<QueryResult, EvalError>> {
        let mut node = root;
        for &i in path {
            node = *node.children().get(i)?;
        }
        let times = match node.value_type() {
            ValueType::Matrix | ValueType::String if times.step != 0 => QueryTimes {
                start: times.end,
                end: times.end,
                step: 0,
            },
            _ => times,
        };
        Some(self.query(db, node, times, progress))
    }
}

/// The state of one evaluation.
pub(crate) struct Evaluator<'a> {
    pub(crate) db: &'a Tsdb,
    pub(crate) opts: &'a EngineOptions,
    pub(crate) query: QueryTimes,
    pub(crate) budget: Budget<'a>,
    pub(crate) annotations: Annotations,
    /// Reused buffer for the samples of one series inside a range.
    window: WindowBuffer,
}

/// Converts a budget stop into the error Prometheus reports, at the node being evaluated.
pub(crate) fn budget_error(e: BudgetError, span: Span) -> EvalError {
    match e {
        BudgetError::TooManySamples => EvalError::new(EvalErrorKind::TooManySamples, span),
        BudgetError::Cancelled => EvalError::new(EvalErrorKind::Cancelled, span),
    }
}

/// Strips parentheses, as Prometheus does around function and aggregation arguments.
pub(crate) fn unwrap_parens(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(p) = &e.kind {
        e = &p.expr;
    }
    e
}

/// The labels that describe what a series measures, removed when its name is dropped.
const METADATA_LABELS: &[&str] = &["__name__", "__type__", "__unit__"];

/// A series' labels without the name and the metadata labels.
pub(crate) fn drop_metric_name(labels: &Labels) -> Labels {
    if labels.iter().any(|(n, _)| METADATA_LABELS.contains(&n)) {
        labels.without(METADATA_LABELS)
    } else {
        labels.clone()
    }
}

/// A step series as the result's series: its present points at their times, the name
/// dropped where an operation asked for it; `None` when no step has a value.
fn finished_series(s: StepSeries, steps: &Steps) -> Option<Series> {
    let points: Vec<Point> = s
        .present()
        .map(|(i, v)| Point {
            t: steps.time(i),
            v,
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let labels = if s.drop_name {
        drop_metric_name(&s.labels)
    } else {
        s.labels
    };
    Some(Series { labels, points })
}

/// Functions whose result depends on the evaluation time even when their arguments do not:
/// Prometheus' `AtModifierUnsafeFunctions`.
fn reads_eval_time(name: &str) -> bool {
    matches!(
        name,
        "days_in_month"
            | "day_of_month"
            | "day_of_week"
            | "day_of_year"
            | "end"
            | "hour"
            | "minute"
            | "month"
            | "year"
            | "predict_linear"
            | "range"
            | "start"
            | "step"
            | "time"
            | "timestamp"
    )
}

/// Whether `e` gives the same answer at every step (Prometheus' `preprocessExprHelper`):
/// every selector below it has `@`, and it calls no function that reads the evaluation
/// time (`timestamp` of an `@` selector excepted).
fn step_invariant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number(_) | ExprKind::String(_) => true,
        ExprKind::VectorSelector(vs) => vs.at.is_some(),
        ExprKind::MatrixSelector(m) => m.selector.at.is_some(),
        ExprKind::Subquery(s) => s.at.is_some(),
        ExprKind::Paren(p) => step_invariant(&p.expr),
        ExprKind::Unary(u) => step_invariant(&u.expr),
        ExprKind::Aggregate(a) => step_invariant(&a.expr),
        ExprKind::Binary(b) => step_invariant(&b.lhs) && step_invariant(&b.rhs),
        ExprKind::Call(c) => {
            let args_invariant = c.args.iter().all(step_invariant);
            if c.function.name == "timestamp" {
                // timestamp(x @ t) is invariant; timestamp(abs(x @ t)) is not.
                return args_invariant
                    && c.args
                        .iter()
                        .all(|a| matches!(unwrap_parens(a).kind, ExprKind::VectorSelector(_)));
            }
            !reads_eval_time(c.function.name) && args_invariant
        }
    }
}

/// Whether evaluating `e` once and repeating it is worthwhile and correct: the node kinds
/// Prometheus wraps in `StepInvariantExpr` (never literals, matrix selectors or subqueries,
/// whose own evaluation already handles `@`).
fn worth_hoisting(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::VectorSelector(_)
            | ExprKind::Aggregate(_)
            | ExprKind::Binary(_)
            | ExprKind::Call(_)
            | ExprKind::Unary(_)
    ) && step_invariant(e)
}

/// Durations for [`Engine::data_range`], which needs no database.
struct SpanProbe<'a> {
    opts: &'a EngineOptions,
    query: QueryTimes,
}

impl Evaluator<'_> {
    fn span_probe(opts: &EngineOptions, query: QueryTimes) -> SpanProbe<'_> {
        SpanProbe { opts, query }
    }
}

impl SpanProbe<'_> {
    fn ms(&self, d: &super::duration::DurationExpr) -> i64 {
        let range = self.query.end.saturating_sub(self.query.start);
        d.eval_ms(self.query.step, range).unwrap_or(0)
    }

    fn at(&self, at: Option<&super::ast::At>) -> Option<i64> {
        at.map(|a| match a.time {
            AtTime::Timestamp(t) => t,
            AtTime::Start => self.query.start,
            AtTime::End => self.query.end,
        })
    }

    /// `sub` is the enclosing subqueries' summed (offset, range) and their innermost `@`.
    fn walk_range(&self, e: &Expr, sub: (i64, i64, Option<i64>), acc: &mut Option<(i64, i64)>) {
        match &e.kind {
            ExprKind::VectorSelector(vs) => self.selector(vs, sub, 0, acc),
            ExprKind::MatrixSelector(m) => self.selector(&m.selector, sub, self.ms(&m.range), acc),
            ExprKind::Subquery(sq) => {
                let offset = sq.offset.as_ref().map_or(0, |o| self.ms(&o.duration));
                let r = self.ms(&sq.range);
                let inner = match self.at(sq.at.as_ref()) {
                    Some(t) => (offset, r, Some(t)),
                    None => (sub.0.saturating_add(offset), sub.1.saturating_add(r), sub.2),
                };
                self.walk_range(&sq.expr, inner, acc);
            }
            _ => {
                for c in e.children() {
                    self.walk_range(c, sub, acc);
                }
            }
        }
    }

    /// Widens `acc` by what one selector reads; `range` is 0 for an instant selector.
    fn selector(
        &self,
        vs: &VectorSelector,
        sub: (i64, i64, Option<i64>),
        range: i64,
        acc: &mut Option<(i64, i64)>,
    ) {
        let (mut start, mut end) = match sub.2 {
            Some(t) => (t, t),
            None => (self.query.start, self.query.end),
        };
        if let Some(t) = self.at(vs.at.as_ref()) {
            (start, end) = (t, t);
        } else {
            start = start.saturating_sub(sub.0).saturating_sub(sub.1);
            end = end.saturating_sub(sub.0);
        }
        // The lower bound is exclusive: the first millisecond read is one after it.
        // `anchored` and `smoothed` ranges reach a lookback delta further back, and
        // `smoothed` also a lookback delta past the end.
        let lookback = self.opts.lookback_delta_ms;
        let extended = vs.extended.map(|e| e.kind);
        let reach = match (range <= 0, extended) {
            (true, _) => lookback,
            (false, None) => range,
            (false, Some(_)) => range.saturating_add(lookback),
        };
        start = start.saturating_sub(reach - 1);
        if extended == Some(ExtendedKind::Smoothed) {
            end = end.saturating_add(lookback);
        }
        let offset = vs.offset.as_ref().map_or(0, |o| self.ms(&o.duration));
        start = start.saturating_sub(offset);
        end = end.saturating_sub(offset);
        *acc = Some(match *acc {
            Some((lo, hi)) => (lo.min(start), hi.max(end)),
            None => (start, end),
        });
    }
}

/// The samples of one series in a sequence of windows that move forward in time.
struct WindowCursor<'a> {
    source: WindowSource<'a>,
    /// Buffered samples; the live window is `ts[head..]` of the [`WindowBuffer`].
    head: usize,
}

/// The buffered samples of one series as its window slides, reused from series to series.
#[derive(Default)]
struct WindowBuffer {
    ts: Vec<i64>,
    vs: Vec<f64>,
    /// The drops among the buffered samples, kept only when `track_drops` is set.
    drops: Drops,
    /// Whether the range function reads [`Window::drops`] (`rate`, `increase`, `resets`).
    track_drops: bool,
}

impl WindowBuffer {
    fn clear(&mut self) {
        self.ts.clear();
        self.vs.clear();
        self.drops.clear();
    }

    /// Appends a sample, noting a drop when it is lower than the buffered sample before it.
    #[inline]
    fn push(&mut self, t: i64, v: f64) {
        if self.track_drops
            && let Some(&prev) = self.vs.last()
            && v < prev
        {
            self.drops.at.push(self.vs.len());
            self.drops.before.push(prev);
        }
        self.ts.push(t);
        self.vs.push(v);
    }

    /// Appends samples in time order (none of them a stale marker), noting drops as `push`
    /// does.
    ///
    /// Why besides `push`: a window takes its samples in runs, and copying a run whole and
    /// then looking for drops in one loop avoids two vector pushes per sample, which the
    /// size-optimised browser build does not inline.
    fn extend(&mut self, ts: &[i64], vs: &[f64]) {
        let start = self.vs.len();
        self.ts.extend_from_slice(ts);
        self.vs.extend_from_slice(vs);
        if self.track_drops {
            // Compare each new sample with the one before it, the first with the last
            // buffered one.
            let from = start.saturating_sub(1);
            for (k, pair) in self.vs[from..].windows(2).enumerate() {
                if pair[1] < pair[0] {
                    self.drops.at.push(from + k + 1);
                    self.drops.before.push(pair[0]);
                }
            }
        }
    }

    /// Forgets the first `n` samples, which no later window holds.
    fn drain(&mut self, n: usize) {
        self.ts.drain(..n);
        self.vs.drain(..n);
        self.drops.drain(n);
    }
}

/// Where the buffered samples drop (a sample lower than the one before it), noted as the
/// samples arrive.
///
/// Why: `rate` and `increase` add back the value before every drop inside the window
/// (counter-reset correction), and `resets` counts the drops. Rescanning the window at each
/// step costs O(samples in range) per step, which dominates `rate(x[1h])` and longer ranges
/// in range queries. With the drops listed once per series, a window's drops are a binary
/// search away and a step costs O(log drops + drops in the window), usually O(1).
///
/// Why a list of the values rather than a prefix sum of corrections: a difference of two
/// prefix sums rounds differently from Prometheus' in-order sum, `last - first` plus each
/// correction in turn, and Kahan summation would not reproduce Prometheus' plain sum either.
/// The list lets the kernel perform exactly Prometheus' additions in Prometheus' order, so
/// results stay bit-identical; and counters rarely reset, so the list is short. (A gauge
/// drops at every other sample, which is why only functions that ask get a list.)
#[derive(Default)]
struct Drops {
    /// The buffer index of each drop's lower sample, ascending.
    at: Vec<usize>,
    /// The value before each drop (what a counter reset lost), aligned with `at`.
    before: Vec<f64>,
}

impl Drops {
    fn clear(&mut self) {
        self.at.clear();
        self.before.clear();
    }

    /// Follows the buffer losing its first `n` samples. A drop at index `n` loses the sample
    /// before it, so it can never be inside a window again and goes too.
    fn drain(&mut self, n: usize) {
        let gone = self.at.partition_point(|&i| i <= n);
        self.at.drain(..gone);
        self.before.drain(..gone);
        for i in &mut self.at {
            *i -= n;
        }
    }

    /// The values before the drops inside the window `from..to` of the buffer: those whose
    /// lower sample and the sample before it are both in the window, in order.
    fn within(&self, from: usize, to: usize) -> &[f64] {
        let a = self.at.partition_point(|&i| i <= from);
        let b = self.at.partition_point(|&i| i < to);
        self.before.get(a..b.max(a)).unwrap_or(&[])
    }
}

enum WindowSource<'a> {
    /// Reading the database, a run of samples at a time.
    Db { it: SampleIter<'a> },
    /// Points already in memory (a subquery's output), and the next one to take.
    Points { points: &'a [Point], next: usize },
}

impl WindowCursor<'_> {
    /// Moves the window to `(lo, hi]` of `buf`. Bounds never move back. Returns how many
    /// samples were read.
    fn advance(&mut self, lo: i64, hi: i64, buf: &mut WindowBuffer) -> u64 {
        while self.head < buf.ts.len() && buf.ts[self.head] <= lo {
            self.head += 1;
        }
        if self.head == buf.ts.len() {
            buf.clear();
            self.head = 0;
        } else if self.head > 1024 && self.head * 2 > buf.ts.len() {
            buf.drain(self.head);
            self.head = 0;
        }
        let mut read = 0;
        match &mut self.source {
            WindowSource::Db { it } => {
                // Everything up to `lo` is outside every later window: when the window
                // jumps past unread samples, skip whole chunks instead of decoding them.
                it.seek(lo.saturating_add(1));
                loop {
                    let (ts, vs) = it.next_run(hi);
                    if ts.is_empty() {
                        break;
                    }
                    read += ts.len() as u64;
                    if vs.iter().any(|&v| is_stale_marker(v)) {
                        for (&t, &v) in ts.iter().zip(vs) {
                            if !is_stale_marker(v) {
                                buf.push(t, v);
                            }
                        }
                    } else {
                        buf.extend(ts, vs);
                    }
                }
            }
            WindowSource::Points { points, next } => {
                while let Some(p) = points.get(*next) {
                    if p.t > hi {
                        break;
                    }
                    if p.t > lo {
                        buf.push(p.t, p.v);
                        read += 1;
                    }
                    *next += 1;
                }
            }
        }
        read
    }
}

/// Where a range function's samples come from, with the window geometry.
struct RangeInput {
    /// The range in milliseconds.
    range: i64,
    /// The offset in milliseconds.
    offset: i64,
    /// The `@` time, if pinned.
    at: Option<i64>,
    /// The `anchored` or `smoothed` modifier, if any.
    extended: Option<ExtendedKind>,
    /// The lookback delta, how far an extended window reaches past the range.
    lookback: i64,
}

impl RangeInput {
    /// The window `(lo, hi]` for the step at `t`.
    fn bounds(&self, t: i64) -> (i64, i64) {
        let hi = self.at.unwrap_or(t).saturating_sub(self.offset);
        (hi.saturating_sub(self.range), hi)
    }

    /// The samples to read for the step at `t`: the window, widened by the lookback delta
    /// before it for `anchored` and `smoothed`, and after it for `smoothed`.
    fn fetch_bounds(&self, t: i64) -> (i64, i64) {
        let (lo, hi) = self.bounds(t);
        match self.extended {
            None => (lo, hi),
            Some(ExtendedKind::Anchored) => (lo.saturating_sub(self.lookback), hi),
            Some(ExtendedKind::Smoothed) => (
                lo.saturating_sub(self.lookback),
                hi.saturating_add(self.lookback),
            ),
        }
    }
}

impl<'a> Evaluator<'a> {
    fn new(
        db: &'a Tsdb,
        opts: &'a EngineOptions,
        query: QueryTimes,
        progress: &'a mut dyn Progress,
    ) -> Evaluator<'a> {
        Evaluator {
            db,
            opts,
            query,
            budget: Budget::new(opts.limits, progress),
            annotations: Annotations::new(),
            window: WindowBuffer::default(),
        }
    }

    /// Holds `n` samples for the node at `span`.
    #[inline]
    pub(crate) fn hold(&mut self, n: usize, span: Span) -> Result<(), EvalError> {
        self.budget
            .hold(n as u64)
            .map_err(|e| budget_error(e, span))
    }

    /// Lets go of `n` samples.
    #[inline]
    pub(crate) fn release(&mut self, n: usize) {
        self.budget.release(n as u64);
    }

    /// Records `n` samples touched for the node at `span`, calling the progress hook when due.
    #[inline]
    pub(crate) fn touch(&mut self, n: u64, span: Span) -> Result<(), EvalError> {
        self.budget.touch(n).map_err(|e| budget_error(e, span))
    }

    /// The memory a step value takes in 8-byte units: what it counts against the sample
    /// limit.
    pub(crate) fn cells(v: &StepValue) -> usize {
        match v {
            StepValue::Scalar(s) => s.len(),
            StepValue::String(_) => 0,
            StepValue::Vector(v) => v.cells(),
        }
    }

    /// Lets go of what `v` holds.
    pub(crate) fn release_value(&mut self, v: &StepValue) {
        self.release(Self::cells(v));
    }

    /// A new series of `steps` absent slots. It costs nothing until it holds values;
    /// producers of many series count them with [`Evaluator::hold`] as they finish each
    /// one, and the node's result is counted exactly when it settles.
    pub(crate) fn new_series(
        &mut self,
        labels: Labels,
        steps: usize,
        _span: Span,
    ) -> Result<StepSeries, EvalError> {
        Ok(StepSeries::new(labels, steps))
    }

    /// Evaluates a duration expression with the query's step and range.
    pub(crate) fn duration_ms(
        &self,
        d: &super::duration::DurationExpr,
        positive: bool,
    ) -> Result<i64, EvalError> {
        let range = self.query.end.saturating_sub(self.query.start);
        let r = if positive {
            d.eval_positive_ms(self.query.step, range)
        } else {
            d.eval_ms(self.query.step, range)
        };
        r.map_err(|e| EvalError::new(EvalErrorKind::Duration(e), e.span()))
    }

    /// The time an `@` modifier pins to.
    fn at_time(&self, at: Option<&super::ast::At>) -> Option<i64> {
        at.map(|a| match a.time {
            AtTime::Timestamp(t) => t,
            AtTime::Start => self.query.start,
            AtTime::End => self.query.end,
        })
    }

    /// Evaluates the top-level expression and builds the result.
    fn top(&mut self, expr: &Expr, steps: Steps, instant: bool) -> Result<Value, EvalError> {
        self.budget
            .report()
            .map_err(|e| budget_error(e, expr.span))?;
        if expr.value_type() == ValueType::Matrix {
            return self.matrix_value(expr, steps.start);
        }
        let v = self.eval(expr, steps)?;
        self.finish(v, steps, instant, expr.span)
    }

    /// Evaluates `expr` for every step of `steps`, and settles the sample account: the
    /// result counts from now until the parent is done with it, and whatever the node held
    /// on the way (its children's results, scratch space) is let go.
    pub(crate) fn eval(&mut self, expr: &Expr, steps: Steps) -> Result<StepValue, EvalError> {
        self.budget
            .report()
            .map_err(|e| budget_error(e, expr.span))?;
        let base = self.budget.held();
        let v = if steps.len() > 1 && worth_hoisting(expr) {
            self.eval_once(expr, steps)?
        } else {
            self.eval_node(expr, steps)?
        };
        self.budget
            .settle(base.saturating_add(Self::cells(&v) as u64))
            .map_err(|e| budget_error(e, expr.span))?;
        Ok(v)
    }

    /// The one dispatch over node kinds.
    fn eval_node(&mut self, expr: &Expr, steps: Steps) -> Result<StepValue, EvalError> {
        match &expr.kind {
            ExprKind::Number(n) => Ok(StepValue::Scalar(vec![n.value; steps.len()])),
            ExprKind::String(s) => Ok(StepValue::String(s.value.clone())),
            ExprKind::Paren(p) => self.eval(&p.expr, steps),
            ExprKind::Unary(u) => {
                let mut v = self.eval(&u.expr, steps)?;
                if u.op == UnaryOp::Neg {
                    match &mut v {
                        StepValue::Scalar(values) => values.iter_mut().for_each(|x| *x = -*x),
                        StepValue::Vector(vector) => {
                            // Labels are unchanged, so no two series can collide here; the
                            // name goes when the result is built.
                            for s in &mut vector.series {
                                s.map_present(|_, x| Some(-x));
                                s.drop_name = true;
                            }
                        }
                        StepValue::String(_) => {}
                    }
                }
                Ok(v)
            }
            ExprKind::VectorSelector(vs) => {
                let (v, _) = self.select(vs, steps, false, expr.span)?;
                Ok(StepValue::Vector(v))
            }
            ExprKind::MatrixSelector(_) | ExprKind::Subquery(_) => Err(EvalError::internal(
                "a range vector where an instant vector or scalar is needed",
                expr.span,
            )),
            ExprKind::Call(c) => self.call(c, expr.span, steps),
            ExprKind::Aggregate(a) => self.aggregate(a, expr.span, steps),
            ExprKind::Binary(b) => self.binary(b, expr.span, steps),
        }
    }

    /// Evaluates a step-invariant node at the first step and repeats it.
    fn eval_once(&mut self, expr: &Expr, steps: Steps) -> Result<StepValue, EvalError> {
        let once = self.eval(expr, Steps::instant(steps.start))?;
        let n = steps.len();
        self.release_value(&once);
        Ok(match once {
            StepValue::Scalar(v) => {
                self.hold(n, expr.span)?;
                StepValue::Scalar(vec![v.first().copied().unwrap_or(f64::NAN); n])
            }
            StepValue::String(s) => StepValue::String(s),
            StepValue::Vector(vector) => {
                let mut out = Vec::with_capacity(vector.series.len());
                for s in vector.series {
                    if let Some(v) = s.get(0) {
                        let mut series = self.new_series(s.labels, n, expr.span)?;
                        series.fill(v);
                        series.drop_name = s.drop_name;
                        self.hold(series.cells(), expr.span)?;
                        out.push(series);
                    }
                }
                StepValue::Vector(StepVector {
                    series: out,
                    ordered: vector.ordered,
                })
            }
        })
    }

    fn aggregate(
        &mut self,
        a: &Aggregate,
        span: Span,
        steps: Steps,
    ) -> Result<StepValue, EvalError> {
        super::aggregation::eval(self, a, span, steps)
    }

    fn binary(&mut self, b: &Binary, span: Span, steps: Steps) -> Result<StepValue, EvalError> {
        super::binop::eval(self, b, span, steps)
    }

    /// Selects the series of a vector selector and evaluates them at every step with
    /// lookback and staleness: at step time `t` a series has the value of its last sample
    /// at or before `t - offset` (or the `@` time) and after `t - offset - lookback`, unless
    /// that sample is a stale marker. With `want_times`, also returns each slot's sample
    /// timestamp.
    pub(crate) fn select(
        &mut self,
        vs: &VectorSelector,
        steps: Steps,
        want_times: bool,
        span: Span,
    ) -> Result<(StepVector, Option<SampleTimes>), EvalError> {
        let offset = match &vs.offset {
            Some(o) => self.duration_ms(&o.duration, false)?,
            None => 0,
        };
        let at = self.at_time(vs.at.as_ref());
        let refs = self.db.select(&vs.matchers);
        // `anchored` changes nothing for an instant selector, as in Prometheus.
        if vs.extended.map(|e| e.kind) == Some(ExtendedKind::Smoothed) {
            let v = self.select_smoothed(&refs, offset, at, steps, span)?;
            return Ok((v, None));
        }
        self.select_refs(&refs, offset, at, steps, want_times, span)
    }

    /// A `smoothed` instant selector: at each step the value interpolated between the
    /// samples around the step's time (within a lookback delta on either side), Prometheus'
    /// `smoothSeries`.
    fn select_smoothed(
        &mut self,
        refs: &[SeriesRef],
        offset: i64,
        at: Option<i64>,
        steps: Steps,
        span: Span,
    ) -> Result<StepVector, EvalError> {
        let n = steps.len();
        let lookback = self.opts.lookback_delta_ms;
        let db = self.db;
        let data_time = |i: usize| at.unwrap_or(steps.time(i)).saturating_sub(offset);
        let (first, last) = (data_time(0), data_time(n.saturating_sub(1)));
        let mut buf = std::mem::take(&mut self.window);
        buf.track_drops = false;
        let mut out = Vec::with_capacity(refs.len());
        let mut spare: Option<SampleIter<'a>> = None;
        for &r in refs {
            let Some(labels) = db.labels(r) else {
                continue;
            };
            let (mint, maxt) = (
                first.saturating_sub(lookback).saturating_add(1),
                last.saturating_add(lookback),
            );
            let it = match spare.take() {
                Some(it) => db.samples_reusing(r, mint, maxt, it),
                None => db.samples(r, mint, maxt),
            };
            let mut cursor = WindowCursor {
                source: WindowSource::Db { it },
                head: 0,
            };
            buf.clear();
            let mut series = self.new_series(labels.clone(), n, span)?;
            let mut read = 0;
            for i in 0..n {
                let d = data_time(i);
                read += cursor.advance(
                    d.saturating_sub(lookback),
                    d.saturating_add(lookback),
                    &mut buf,
                );
                if let Some(v) = smoothed_value(&buf.ts[cursor.head..], &buf.vs[cursor.head..], d) {
                    series.set(i, v);
                }
            }
            if let WindowSource::Db { it, .. } = cursor.source {
                spare = Some(it);
            }
            self.touch(read, span)?;
            if series.any_present() {
                self.hold(series.cells(), span)?;
                out.push(series);
            }
        }
        buf.clear();
        self.window = buf;
        Ok(StepVector::new(out))
    }

    /// [`Evaluator::select`] for series already chosen.
    pub(crate) fn select_refs(
        &mut self,
        refs: &[SeriesRef],
        offset: i64,
        at: Option<i64>,
        steps: Steps,
        want_times: bool,
        span: Span,
    ) -> Result<(StepVector, Option<SampleTimes>), EvalError> {
        let n = steps.len();
        let lookback = self.opts.lookback_delta_ms;
        let db = self.db;
        let mut out = Vec::with_capacity(refs.len());
        let mut times_out = want_times.then(Vec::new);
        // One iterator for all series: buffers and shared timestamp columns are reused.
        let mut spare: Option<SampleIter<'a>> = None;
        let samples =
            |r: SeriesRef, mint: i64, maxt: i64, spare: &mut Option<SampleIter<'a>>| match spare
                .take()
            {
                Some(it) => db.samples_reusing(r, mint, maxt, it),
                None => db.samples(r, mint, maxt),
            };
        for &r in refs {
            let Some(labels) = db.labels(r) else {
                continue;
            };
            let mut series = self.new_series(labels.clone(), n, span)?;
            let mut times = if want_times {
                vec![0i64; n]
            } else {
                Vec::new()
            };
            let mut read = 0u64;
            if let Some(at) = at {
                let rt = at.saturating_sub(offset);
                let mut last = None;
                let mut it = samples(r, rt.saturating_sub(lookback) + 1, rt, &mut spare);
                for (t, v) in it.by_ref() {
                    read += 1;
                    last = Some((t, v));
                }
                spare = Some(it);
                if let Some((t, v)) = last
                    && !is_stale_marker(v)
                {
                    series.fill(v);
                    times.fill(t);
                }
            } else if n > 0 {
                let first = steps.start.saturating_sub(offset);
                let last = steps.last().saturating_sub(offset);
                let mut it = samples(r, first.saturating_sub(lookback) + 1, last, &mut spare);
                let mut pending = it.next();
                let mut prev: Option<(i64, f64)> = None;
                #[allow(clippy::needless_range_loop)] // `i` indexes the grid, not `times` alone.
                for i in 0..n {
                    let rt = steps.time(i).saturating_sub(offset);
                    let lo = rt.saturating_sub(lookback);
                    if let Some((t, _)) = pending
                        && t <= lo
                    {
                        it.seek(lo.saturating_add(1));
                        pending = it.next();
                    }
                    while let Some((t, v)) = pending {
                        if t > rt {
                            break;
                        }
                        read += 1;
                        prev = Some((t, v));
                        pending = it.next();
                    }
                    if let Some((t, v)) = prev
                        && t > lo
                        && !is_stale_marker(v)
                    {
                        series.set(i, v);
                        if want_times {
                            times[i] = t;
                        }
                    }
                    if read >= 1024 {
                        self.touch(std::mem::take(&mut read), span)?;
                    }
                }
                spare = Some(it);
            }
            self.touch(read, span)?;
            if series.any_present() {
                self.hold(series.cells(), span)?;
                out.push(series);
                if let Some(t) = times_out.as_mut() {
                    t.push(times);
                }
            }
        }
        Ok((StepVector::new(out), times_out))
    }

    /// The subquery's own grid for an outer grid: steps aligned to multiples of the
    /// subquery's step, from just after `start - offset - range` to `end - offset` (or
    /// around the `@` time), as Prometheus' `subqueryTimeRange` computes it.
    fn subquery_steps(
        &self,
        sq: &Subquery,
        outer: Steps,
    ) -> Result<(Steps, RangeInput), EvalError> {
        let range = self.duration_ms(&sq.range, true)?;
        let step = match &sq.step {
            Some(d) => self.duration_ms(d, true)?,
            None => self.opts.default_subquery_step_ms,
        }
        .max(1);
        let offset = match &sq.offset {
            Some(o) => self.duration_ms(&o.duration, false)?,
            None => 0,
        };
        let at = self.at_time(sq.at.as_ref());
        let (first, last) = match at {
            Some(t) => (t, t),
            None => (outer.start, outer.last()),
        };
        let end = last.saturating_sub(offset);
        let low = first.saturating_sub(offset).saturating_sub(range);
        let mut start = step.saturating_mul(low.div_euclid(step));
        if start <= low {
            start = start.saturating_add(step);
        }
        Ok((
            Steps::new(start, end, step),
            RangeInput {
                range,
                offset,
                at,
                extended: None,
                lookback: self.opts.lookback_delta_ms,
            },
        ))
    }

    /// Evaluates a subquery's expression on its own grid.
    fn subquery(
        &mut self,
        sq: &Subquery,
        outer: Steps,
    ) -> Result<(StepVector, Steps, RangeInput), EvalError> {
        let (inner_steps, input) = self.subquery_steps(sq, outer)?;
        let v = self.eval(&sq.expr, inner_steps)?;
        match v {
            StepValue::Vector(v) => Ok((v, inner_steps, input)),
            StepValue::Scalar(values) => {
                // A scalar subquery (`time()[5m:1m]`) is a one-series range vector.
                self.release(values.len());
                let mut s = self.new_series(Labels::empty(), values.len(), sq.expr.span)?;
                for (i, v) in values.into_iter().enumerate() {
                    s.set(i, v);
                }
                Ok((StepVector::new(vec![s]), inner_steps, input))
            }
            StepValue::String(_) => Err(EvalError::internal(
                "a subquery over a string",
                sq.expr.span,
            )),
        }
    }

    /// The value of a range-vector expression at time `t`, for an instant query whose
    /// result is a matrix.
    fn matrix_value(&mut self, expr: &Expr, t: i64) -> Result<Value, EvalError> {
        let expr = unwrap_parens(expr);
        let mut out = Vec::new();
        match &expr.kind {
            ExprKind::MatrixSelector(m) => {
                let input = self.matrix_input(m)?;
                let (lo, hi) = input.bounds(t);
                let (fetch_lo, fetch_hi) = input.fetch_bounds(t);
                for r in self.db.select(&m.selector.matchers) {
                    let Some(labels) = self.db.labels(r) else {
                        continue;
                    };
                    let mut points = Vec::new();
                    let mut read = 0;
                    for (t, v) in self.db.samples(r, fetch_lo.saturating_add(1), fetch_hi) {
                        read += 1;
                        if !is_stale_marker(v) {
                            points.push(Point { t, v });
                        }
                    }
                    if let Some(kind) = input.extended {
                        points = extend_points(&points, lo, hi, kind == ExtendedKind::Smoothed);
                    }
                    self.touch(read, expr.span)?;
                    self.hold(points.len(), expr.span)?;
                    if !points.is_empty() {
                        out.push(Series {
                            labels: labels.clone(),
                            points,
                        });
                    }
                }
            }
            ExprKind::Subquery(sq) => {
                let (inner, inner_steps, _) = self.subquery(sq, Steps::instant(t))?;
                out.extend(
                    inner
                        .series
                        .into_iter()
                        .filter_map(|s| finished_series(s, &inner_steps)),
                );
                out = merge_matrix(out, expr.span)?;
            }
            _ => {
                return Err(EvalError::internal(
                    "a range-vector result that is neither a range selector nor a subquery",
                    expr.span,
                ));
            }
        }
        out.sort_by(|a, b| a.labels.cmp(&b.labels));
        Ok(Value::Matrix(out))
    }

    /// The geometry of a range selector.
    fn matrix_input(&self, m: &MatrixSelector) -> Result<RangeInput, EvalError> {
        let range = self.duration_ms(&m.range, true)?;
        let offset = match &m.selector.offset {
            Some(o) => self.duration_ms(&o.duration, false)?,
            None => 0,
        };
        Ok(RangeInput {
            range,
            offset,
            at: self.at_time(m.selector.at.as_ref()),
            extended: m.selector.extended.map(|e| e.kind),
            lookback: self.opts.lookback_delta_ms,
        })
    }

    /// Builds the result from the top node's value: removes names flagged for removal,
    /// checks and merges duplicate label sets, orders the series.
    fn finish(
        &mut self,
        v: StepValue,
        steps: Steps,
        instant: bool,
        span: Span,
    ) -> Result<Value, EvalError> {
        match v {
            StepValue::Scalar(values) => {
                if instant {
                    Ok(Value::Scalar {
                        t: steps.start,
                        v: values.first().copied().unwrap_or(f64::NAN),
                    })
                } else {
                    let points = values
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| Point {
                            t: steps.time(i),
                            v,
                        })
                        .collect();
                    Ok(Value::Matrix(vec![Series {
                        labels: Labels::empty(),
                        points,
                    }]))
                }
            }
            StepValue::String(s) => Ok(Value::String {
                t: steps.start,
                v: s,
            }),
            StepValue::Vector(vector) => {
                if instant {
                    let mut samples: Vec<Sample> = Vec::with_capacity(vector.series.len());
                    for s in vector.series {
                        if let Some(v) = s.get(0) {
                            let labels = if s.drop_name {
                                drop_metric_name(&s.labels)
                            } else {
                                s.labels
                            };
                            samples.push(Sample {
                                labels,
                                t: steps.start,
                                v,
                            });
                        }
                    }
                    let mut sorted: Vec<&Labels> = samples.iter().map(|s| &s.labels).collect();
                    sorted.sort();
                    if sorted.windows(2).any(|w| w[0] == w[1]) {
                        return Err(EvalError::new(EvalErrorKind::DuplicateLabelset, span));
                    }
                    if !vector.ordered {
                        samples.sort_by(|a, b| a.labels.cmp(&b.labels));
                    }
                    Ok(Value::Vector(samples))
                } else {
                    let series: Vec<Series> = vector
                        .series
                        .into_iter()
                        .filter_map(|s| finished_series(s, &steps))
                        .collect();
                    let mut series = merge_matrix(series, span)?;
                    series.sort_by(|a, b| a.labels.cmp(&b.labels));
                    Ok(Value::Matrix(series))
                }
            }
        }
    }

    /// Merges series of a step vector that have the same labels, as Prometheus' range
    /// evaluation does when it collects each step's output by label set: their slots must
    /// not overlap, or the vector has the same label set twice at one step. Needed only
    /// after operations that rewrite or union label sets (`or`, label functions): every
    /// other node keeps its input's distinct labels or builds outputs keyed by labels.
    pub(crate) fn merge_same_labels(
        &mut self,
        vector: &mut StepVector,
        span: Span,
    ) -> Result<(), EvalError> {
        if vector.series.len() < 2 {
            return Ok(());
        }
        let mut first: HashMap<&Labels, usize> = HashMap::with_capacity(vector.series.len());
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        for (i, s) in vector.series.iter().enumerate() {
            match first.get(&s.labels) {
                Some(&j) => duplicates.push((j, i)),
                None => {
                    first.insert(&s.labels, i);
                }
            }
        }
        if duplicates.is_empty() {
            return Ok(());
        }
        let mut removed = vec![false; vector.series.len()];
        for (keep, dup) in duplicates {
            let (a, b) = vector.series.split_at_mut(dup);
            let target = &mut a[keep];
            let source = &b[0];
            for (i, v) in source.present() {
                if target.get(i).is_some() {
                    return Err(EvalError::new(EvalErrorKind::DuplicateLabelset, span));
                }
                target.set(i, v);
            }
            target.drop_name |= source.drop_name;
            removed[dup] = true;
        }
        let mut i = 0;
        vector.series.retain(|_| {
            let keep = !removed[i];
            i += 1;
            keep
        });
        Ok(())
    }

    /// Evaluates a function call.
    fn call(&mut self, c: &Call, span: Span, steps: Steps) -> Result<StepValue, EvalError> {
        let spans = CallSpans {
            call: span,
            name: c.name_span,
            args: c.args.iter().map(|a| a.span).collect(),
        };
        match c.function.implementation {
            Implementation::Range(f) => self.call_range(c, f, &spans, steps),
            Implementation::Elementwise(f) => self.call_elementwise(c, f, &spans, steps),
            Implementation::Vector(f) => self.call_vector(c, f, &spans, steps),
        }
    }

    /// Evaluates the scalar arguments of a call (all but `skip`), one value per step each.
    fn scalar_args(
        &mut self,
        c: &Call,
        skip: Option<usize>,
        steps: Steps,
    ) -> Result<Vec<Vec<f64>>, EvalError> {
        let mut out = Vec::new();
        for (i, a) in c.args.iter().enumerate() {
            if Some(i) == skip || a.value_type() != ValueType::Scalar {
                continue;
            }
            match self.eval(a, steps)? {
                StepValue::Scalar(v) => out.push(v),
                other => {
                    self.release_value(&other);
                    return Err(EvalError::internal(
                        "a scalar argument did not evaluate to a scalar",
                        a.span,
                    ));
                }
            }
        }
        Ok(out)
    }

    fn call_elementwise(
        &mut self,
        c: &Call,
        f: ElementwiseFunction,
        spans: &CallSpans,
        steps: Steps,
    ) -> Result<StepValue, EvalError> {
        let n = steps.len();
        let vector_arg = c
            .args
            .iter()
            .position(|a| a.value_type() == ValueType::Vector);
        let mut input = match vector_arg {
            Some(i) => match self.eval(&c.args[i], steps)? {
                StepValue::Vector(v) => v,
                other => {
                    self.release_value(&other);
                    return Err(EvalError::internal(
                        "an instant-vector argument did not evaluate to a vector",
                        spans.arg(i),
                    ));
                }
            },
            None => {
                // `hour()` means `hour(vector(time()))`.
                let mut s = self.new_series(Labels::empty(), n, spans.call)?;
                for i in 0..n {
                    s.set(i, steps.time(i) as f64 / 1000.0);
                }
                StepVector::new(vec![s])
            }
        };
        let scalars = self.scalar_args(c, vector_arg, steps)?;
        let mut args = [0.0f64; 4];
        let k = scalars.len().min(args.len());
        let mut touched = 0u64;
        for s in &mut input.series {
            s.map_present(|i, v| {
                for (j, a) in scalars.iter().take(k).enumerate() {
                    args[j] = a[i];
                }
                touched += 1;
                (f.eval)(v, &args[..k])
            });
            s.drop_name = true;
            self.touch(std::mem::take(&mut touched), spans.call)?;
        }
        for a in &scalars {
            self.release(a.len());
        }
        // Labels are unchanged (the name is only flagged), so series stay distinct.
        input.ordered = false;
        Ok(StepValue::Vector(input))
    }

    fn call_vector(
        &mut self,
        c: &Call,
        f: VectorFunction,
        spans: &CallSpans,
        steps: Steps,
    ) -> Result<StepValue, EvalError> {
        let mut args = Vec::with_capacity(c.args.len());
        let mut sample_times = None;
        for (i, a) in c.args.iter().enumerate() {
            let inner = unwrap_parens(a);
            if i == 0
                && f.sample_times
                && let ExprKind::VectorSelector(vs) = &inner.kind
            {
                let (v, times) = self.select(vs, steps, true, inner.span)?;
                sample_times = times;
                args.push(StepValue::Vector(v));
                continue;
            }
            args.push(self.eval(a, steps)?);
        }
        let held: usize = args.iter().map(Self::cells).sum();
        let mut call = VectorCall {
            steps,
            query: self.query,
            args,
            exprs: &c.args,
            spans,
            annotations: &mut self.annotations,
            db: self.db,
            lookback_ms: self.opts.lookback_delta_ms,
            sample_times,
        };
        let out = (f.eval)(&mut call)?;
        self.release(held);
        self.hold(Self::cells(&out), spans.call)?;
        self.touch(out.sample_count() as u64, spans.call)?;
        let mut out = out;
        if let StepValue::Vector(v) = &mut out
            && steps.start != steps.end
        {
            self.merge_same_labels(v, spans.call)?;
        }
        Ok(out)
    }

    fn call_range(
        &mut self,
        c: &Call,
        f: RangeFunction,
        spans: &CallSpans,
        steps: Steps,
    ) -> Result<StepValue, EvalError> {
        let Some(m_index) = c
            .args
            .iter()
            .position(|a| a.value_type() == ValueType::Matrix)
        else {
            return Err(EvalError::internal(
                "a range function called without a range argument",
                spans.call,
            ));
        };
        let range_arg = unwrap_parens(&c.args[m_index]);
        let scalars = self.scalar_args(c, Some(m_index), steps)?;
        let n = steps.len();
        let mut out: Vec<StepSeries> = Vec::new();
        let mut buf = std::mem::take(&mut self.window);
        buf.track_drops = f.drops;
        let result = match &range_arg.kind {
            ExprKind::MatrixSelector(m) => {
                let input = self.matrix_input(m)?;
                if let Some(kind) = input.extended
                    && !f.modifiers.contains(&kind)
                {
                    return Err(modifier_not_allowed(kind, c.function.name, spans.call));
                }
                let refs = self.db.select(&m.selector.matchers);
                let (first_lo, _) = input.fetch_bounds(steps.start);
                let (_, last_hi) = input.fetch_bounds(steps.last());
                let mut r = Ok(());
                let db = self.db;
                // One iterator for all series: buffers and shared timestamp columns are reused.
                let mut spare: Option<SampleIter<'a>> = None;
                for sref in refs {
                    let Some(labels) = db.labels(sref) else {
                        continue;
                    };
                    let (mint, maxt) = (first_lo.saturating_add(1), last_hi);
                    let it = match spare.take() {
                        Some(it) => db.samples_reusing(sref, mint, maxt, it),
                        None => db.samples(sref, mint, maxt),
                    };
                    let mut cursor = WindowCursor {
                        source: WindowSource::Db { it },
                        head: 0,
                    };
                    r = self.range_series(
                        f,
                        labels,
                        false,
                        &mut cursor,
                        &input,
                        &scalars,
                        spans,
                        steps,
                        &mut buf,
                        &mut out,
                    );
                    if let WindowSource::Db { it, .. } = cursor.source {
                        spare = Some(it);
                    }
                    if r.is_err() {
                        break;
                    }
                }
                r
            }
            ExprKind::Subquery(sq) => {
                let (inner, inner_steps, input) = self.subquery(sq, steps)?;
                let mut r = Ok(());
                let mut points = Vec::new();
                for s in &inner.series {
                    points.clear();
                    points.extend(s.present().map(|(i, v)| Point {
                        t: inner_steps.time(i),
                        v,
                    }));
                    let mut cursor = WindowCursor {
                        source: WindowSource::Points {
                            points: &points,
                            next: 0,
                        },
                        head: 0,
                    };
                    r = self.range_series(
                        f,
                        &s.labels,
                        s.drop_name,
                        &mut cursor,
                        &input,
                        &scalars,
                        spans,
                        steps,
                        &mut buf,
                        &mut out,
                    );
                    if r.is_err() {
                        break;
                    }
                }
                self.release_value(&StepValue::Vector(inner));
                r
            }
            _ => Err(EvalError::internal(
                "a range argument that is neither a range selector nor a subquery",
                range_arg.span,
            )),
        };
        buf.clear();
        self.window = buf;
        for a in &scalars {
            self.release(a.len());
        }
        result?;
        let vector = StepVector::new(out);
        match f.then {
            None => Ok(StepValue::Vector(vector)),
            Some(then) => {
                let held = vector.series.len() * n;
                let mut call = VectorCall {
                    steps,
                    query: self.query,
                    args: vec![StepValue::Vector(vector)],
                    exprs: &c.args,
                    spans,
                    annotations: &mut self.annotations,
                    db: self.db,
                    lookback_ms: self.opts.lookback_delta_ms,
                    sample_times: None,
                };
                let out = (then)(&mut call)?;
                self.release(held);
                self.hold(Self::cells(&out), spans.call)?;
                Ok(out)
            }
        }
    }

    /// Runs a range function over one series at every step.
    #[allow(clippy::too_many_arguments)]
    fn range_series(
        &mut self,
        f: RangeFunction,
        labels: &Labels,
        input_drops_name: bool,
        cursor: &mut WindowCursor<'_>,
        input: &RangeInput,
        scalars: &[Vec<f64>],
        spans: &CallSpans,
        steps: Steps,
        buf: &mut WindowBuffer,
        out: &mut Vec<StepSeries>,
    ) -> Result<(), EvalError> {
        let n = steps.len();
        buf.clear();
        let mut series = self.new_series(labels.clone(), n, spans.call)?;
        let mut args = [0.0f64; 4];
        let k = scalars.len().min(args.len());
        let mut buffered = 0usize;
        let mut result = Ok(());
        for i in 0..n {
            let t = steps.time(i);
            let (lo, hi) = input.bounds(t);
            let (fetch_lo, fetch_hi) = input.fetch_bounds(t);
            let read = cursor.advance(fetch_lo, fetch_hi, buf);
            if let Err(e) = self.touch(read, spans.call) {
                result = Err(e);
                break;
            }
            let live = buf.ts.len() - cursor.head;
            if live > buffered {
                if let Err(e) = self.hold(live - buffered, spans.call) {
                    result = Err(e);
                    break;
                }
            } else {
                self.release(buffered - live);
            }
            buffered = live;
            if live == 0 {
                continue;
            }
            // An extended window keeps the samples its modifier needs around the range.
            let (from, to) = match input.extended {
                None => (cursor.head, buf.ts.len()),
                Some(kind) => match extended::trim(&buf.ts[cursor.head..], kind, lo, hi) {
                    Some((a, b)) => (cursor.head + a, cursor.head + b),
                    None => continue,
                },
            };
            for (j, a) in scalars.iter().take(k).enumerate() {
                args[j] = a[i];
            }
            let w = Window {
                ts: &buf.ts[from..to],
                vs: &buf.vs[from..to],
                drops: buf.track_drops.then(|| buf.drops.within(from, to)),
                range_start: lo,
                range_end: hi,
                eval_time: t,
                args: &args[..k],
                labels,
                spans,
                extended: input.extended,
            };
            match (f.eval)(&w, &mut self.annotations) {
                Ok(Some(v)) => series.set(i, v),
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.release(buffered);
        result?;
        if series.any_present() {
            if f.counter_info
                && let Some(name) = labels.metric_name()
                && !["_total", "_sum", "_count", "_bucket"]
                    .iter()
                    .any(|s| name.ends_with(s))
            {
                self.annotations
                    .add(Annotation::possible_non_counter(name, spans.arg(0)));
            }
            series.drop_name = !f.keeps_metric_name || input_drops_name;
            self.hold(series.cells(), spans.call)?;
            out.push(series);
        }
        Ok(())
    }
}

/// Prometheus' error for a modifier on a function that cannot use it, listing those that can.
fn modifier_not_allowed(kind: ExtendedKind, function: &str, span: Span) -> EvalError {
    let mut allowed: Vec<&str> = super::functions::all()
        .filter(
            |f| matches!(f.implementation, Implementation::Range(r) if r.modifiers.contains(&kind)),
        )
        .map(|f| f.name)
        .collect();
    allowed.sort_unstable();
    EvalError::invalid_argument(
        format!(
            "{} modifier can only be used with: {} - not with {function}",
            kind.keyword(),
            allowed.join(", ")
        ),
        span,
    )
}

/// Merges matrix series with equal labels whose points do not share a timestamp, as
/// Prometheus does after dropping names; shared timestamps are a duplicate label set.
fn merge_matrix(mut series: Vec<Series>, span: Span) -> Result<Vec<Series>, EvalError> {
    if series.len() < 2 {
        return Ok(series);
    }
    series.sort_by(|a, b| a.labels.cmp(&b.labels));
    let mut out: Vec<Series> = Vec::with_capacity(series.len());
    for s in series {
        match out.last_mut() {
            Some(last) if last.labels == s.labels => {
                last.points.extend(s.points);
                last.points.sort_by_key(|p| p.t);
                if last.points.windows(2).any(|w| w[0].t == w[1].t) {
                    return Err(EvalError::new(EvalErrorKind::DuplicateLabelset, span));
                }
            }
            _ => out.push(s),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
