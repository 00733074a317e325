//! How a function is evaluated: the contract between the engine and each entry of the
//! function table.
//!
//! The engine owns iteration: it evaluates the arguments once for the whole step grid,
//! walks series and steps, applies the uniform rules (dropping the metric name, the
//! "might not be a counter" info, sample limits, cancellation) and builds the result. An
//! implementation only computes, and sees only what it needs. There are three kinds:
//!
//! * [`RangeFunction`] (`rate`, `*_over_time`, `deriv`, ...): one number from the samples of
//!   one series inside one step's range, given as a [`Window`]. The engine slides the window
//!   over the data (from the database or a subquery), so no per-step matrix is built.
//! * [`ElementwiseFunction`] (`abs`, `clamp`, `round`, trigonometry, date parts of an
//!   explicit argument, ...): one number from one number and the scalar arguments at that
//!   step. Called with no vector argument (`hour()`), the engine feeds it `time()` as one
//!   series without labels, which is how Prometheus defines the date functions' default.
//! * [`VectorFunction`] (`sort`, `label_replace`, `histogram_quantile`, `absent`,
//!   `scalar`, `vector`, `time`, `timestamp`, ...): the whole call at once, through a
//!   [`VectorCall`] holding the evaluated arguments for every step.
//!
//! Implementations return [`EvalError`]s, never panic: an impossible case is
//! [`EvalError::internal`].

use crate::promql::annotations::Annotations;
use crate::promql::ast::{Expr, ExtendedKind};
use crate::promql::error::EvalError;
use crate::promql::span::Span;
use crate::promql::value::{StepValue, Steps};
use crate::tsdb::{Labels, Tsdb};

/// How the engine evaluates a function.
#[derive(Debug, Clone, Copy)]
pub enum Implementation {
    /// Computes from the samples in a range, per series and step.
    Range(RangeFunction),
    /// Computes each output value from one input value.
    Elementwise(ElementwiseFunction),
    /// Computes from the whole evaluated call.
    Vector(VectorFunction),
}

/// The signature of a range function: the value for one series at one step, or `None` for
/// no output at that step (an empty window, too few samples).
pub type RangeFn = fn(&Window<'_>, &mut Annotations) -> Result<Option<f64>, EvalError>;

/// The signature of an element-wise function: the output for one input value given the
/// scalar arguments at that step (in argument order, the vector argument left out), or
/// `None` to drop the sample at that step (`clamp` with min > max).
pub type ElementwiseFn = fn(f64, &[f64]) -> Option<f64>;

/// The signature of a whole-vector function.
pub type VectorFn = fn(&mut VectorCall<'_>) -> Result<StepValue, EvalError>;

/// A function over a range vector.
///
/// Contract: `eval` is pure and called once per series per step with a non-empty window
/// (the engine skips steps whose window has no samples, as Prometheus does). Scalar
/// arguments before or after the range argument arrive in `Window::args`, evaluated at
/// that step. Strings are not passed (no range function takes one).
#[derive(Debug, Clone, Copy)]
pub struct RangeFunction {
    /// Computes one step of one series.
    pub eval: RangeFn,
    /// Whether the output keeps the input's metric name (`last_over_time`,
    /// `first_over_time`, which act like `offset`). Otherwise the name is dropped.
    pub keeps_metric_name: bool,
    /// Whether to raise Prometheus' info "metric might not be a counter" when the input's
    /// name does not end in `_total`, `_sum`, `_count` or `_bucket` (`rate`, `increase`).
    pub counter_info: bool,
    /// A whole-vector step applied to the per-series output, for functions whose result
    /// is about the set of series rather than each one: `absent_over_time` is
    /// `present_over_time` followed by `absent`'s implementation. The [`VectorCall`] it gets
    /// has the range function's output as its only argument and the original call's
    /// argument expressions in `exprs`.
    pub then: Option<VectorFn>,
    /// The experimental range modifiers (`anchored`, `smoothed`) it understands; the
    /// engine rejects the others with Prometheus' message. Such a window holds samples from
    /// outside the range (see [`Window::extended`]).
    pub modifiers: &'static [ExtendedKind],
    /// Whether the function reads [`Window::drops`]; the engine lists them only when asked,
    /// since a gauge drops at every other sample.
    pub drops: bool,
}

/// A function applied to each value of an instant vector.
///
/// Contract: `eval` is pure. The engine applies it to every present value, drops the metric
/// name of every output series, and copies labels unchanged otherwise.
#[derive(Debug, Clone, Copy)]
pub struct ElementwiseFunction {
    /// Computes one output value.
    pub eval: ElementwiseFn,
}

/// A function that sees the whole evaluated call.
///
/// Contract: `eval` returns a value of the function's declared return type for the call's
/// grid (`call.steps`): a scalar has one value per step; a vector's series each have one
/// slot per step. It sets `drop_name` on output series whose meaning changed (see
/// [`crate::promql::value::StepSeries`]) and `ordered` on a vector whose order is the
/// answer. It may take the arguments out of `call.args` (they are not used afterwards).
#[derive(Debug, Clone, Copy)]
pub struct VectorFunction {
    /// Computes the call.
    pub eval: VectorFn,
    /// Whether the engine should record, for a first argument that is a plain vector
    /// selector, the timestamp of each sample it selected (`timestamp()`); read them with
    /// [`VectorCall::sample_time`].
    pub sample_times: bool,
}

/// The spans of a call, for annotations and errors.
#[derive(Debug, Clone, Default)]
pub struct CallSpans {
    /// The whole call.
    pub call: Span,
    /// The function's name.
    pub name: Span,
    /// Each argument, in order.
    pub args: Vec<Span>,
}

impl CallSpans {
    /// The span of argument `i`, or the call's when there is no such argument.
    pub fn arg(&self, i: usize) -> Span {
        self.args.get(i).copied().unwrap_or(self.call)
    }
}

/// The samples of one series inside one step's range.
///
/// Contract: `ts` and `vs` have equal length, at least 1; timestamps ascend strictly and lie
/// in the left-open range `(range_start, range_end]` (Prometheus 3 semantics); stale
/// markers are already removed. With `offset` and `@` the range is already shifted, so
/// `range_end` is the time the window ends at, not the step's time. With an `anchored` or
/// `smoothed` selector (`extended`), the window also holds the last sample at or before
/// `range_start` (within the lookback delta), and for `smoothed` the first sample at or
/// after `range_end` (within the lookback delta after it); an `anchored` window always has
/// a sample inside the range.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Sample timestamps, Unix milliseconds, ascending.
    pub ts: &'a [i64],
    /// Sample values, aligned with `ts`.
    pub vs: &'a [f64],
    /// When the function asked for them ([`RangeFunction::drops`]): the value before each
    /// drop in `vs`, in order, that is `vs[i - 1]` for every `i` in `1..vs.len()` with
    /// `vs[i] < vs[i - 1]` (what a counter reset lost). The engine keeps them as it slides
    /// the window, so a long range need not be rescanned at every step. `None` otherwise.
    pub drops: Option<&'a [f64]>,
    /// The range's exclusive lower bound, Unix milliseconds.
    pub range_start: i64,
    /// The range's inclusive upper bound, Unix milliseconds.
    pub range_end: i64,
    /// The step's evaluation time (Prometheus' `enh.Ts`), before offset and `@`.
    pub eval_time: i64,
    /// The call's scalar arguments at this step, in argument order, range argument left out.
    pub args: &'a [f64],
    /// The series' labels.
    pub labels: &'a Labels,
    /// Where the call and its arguments are, for annotations.
    pub spans: &'a CallSpans,
    /// The selector's `anchored` or `smoothed` modifier, if any.
    pub extended: Option<ExtendedKind>,
}

/// What a query was asked for: the outer grid that `start()`, `end()`, `range()` and
/// `step()` describe, which stays the same inside subqueries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryTimes {
    /// The query's start, Unix milliseconds (the time of an instant query).
    pub start: i64,
    /// The query's end, Unix milliseconds.
    pub end: i64,
    /// The query's step in milliseconds; 0 for an instant query.
    pub step: i64,
}

/// A whole call, evaluated: what a [`VectorFunction`] sees.
pub struct VectorCall<'a> {
    /// The grid the call is evaluated on (a subquery's, inside a subquery).
    pub steps: Steps,
    /// The query as asked, for `start()`, `end()`, `range()` and `step()`.
    pub query: QueryTimes,
    /// The evaluated arguments, in order (strings as `StepValue::String`).
    pub args: Vec<StepValue>,
    /// The argument expressions as written (`absent()` reads the selector's matchers).
    pub exprs: &'a [Expr],
    /// Where the call and its arguments are.
    pub spans: &'a CallSpans,
    /// Where to add warnings and infos.
    pub annotations: &'a mut Annotations,
    /// The database, for functions that select series themselves (`info`).
    pub db: &'a Tsdb,
    /// The lookback delta in milliseconds, for functions that select series themselves.
    pub lookback_ms: i64,
    /// When the function asked for sample times and the first argument is a plain
    /// selector: per series of `args[0]`, per step, the selected sample's timestamp.
    pub(crate) sample_times: Option<Vec<Vec<i64>>>,
}

impl VectorCall<'_> {
    /// The timestamp of the sample behind slot `step` of series `series` of the first
    /// argument: the selected sample's own time when the argument is a plain vector
    /// selector and the function set `sample_times`, otherwise the step's time (as for any
    /// computed sample, whose timestamp is its evaluation time).
    pub fn sample_time(&self, series: usize, step: usize) -> i64 {
        self.sample_times
            .as_ref()
            .and_then(|t| t.get(series))
            .and_then(|s| s.get(step))
            .copied()
            .unwrap_or_else(|| self.steps.time(step))
    }

    /// Takes argument `i` out of the call, leaving an empty string in its place.
    pub fn take_arg(&mut self, i: usize) -> Option<StepValue> {
        self.args
            .get_mut(i)
            .map(|a| std::mem::replace(a, StepValue::String(String::new())))
    }
}
