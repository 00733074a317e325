//! The function table: every PromQL function, defined once.
//!
//! Each family file (`math.rs`, `rate.rs`, `over_time.rs`, ...) holds a static slice of
//! [`Function`] entries; [`all`] chains them and [`lookup`] finds one by name. The parser
//! type-checks calls against this table, autocomplete lists it, the reference page is
//! generated from it, and the evaluator runs each entry's [`Implementation`] (the contract
//! is in `implementation.rs`). There is deliberately no second list anywhere: a new
//! function is one new entry.

mod arguments;
pub mod histogram;
mod implementation;
pub mod label;
pub mod math;
pub mod over_time;
pub mod rate;
pub mod shape;
pub mod time;
pub mod trig;

pub use implementation::{
    CallSpans, ElementwiseFn, ElementwiseFunction, Implementation, QueryTimes, RangeFn,
    RangeFunction, VectorCall, VectorFn, VectorFunction, Window,
};
pub(crate) use rate::interpolate;

use super::types::ValueType;

/// A table entry's implementation computed per value (see [`ElementwiseFunction`]).
const fn elementwise(eval: ElementwiseFn) -> Implementation {
    Implementation::Elementwise(ElementwiseFunction { eval })
}

/// A table entry's implementation over the whole call (see [`VectorFunction`]), for
/// functions that do not need the selected samples' own timestamps.
const fn whole_call(eval: VectorFn) -> Implementation {
    Implementation::Vector(VectorFunction {
        eval,
        sample_times: false,
    })
}

/// A table entry's implementation over each series' range (see [`RangeFunction`]), with
/// the defaults most range functions take: the metric name is dropped, no counter info,
/// nothing applied afterwards.
const fn over_range(eval: RangeFn) -> Implementation {
    Implementation::Range(RangeFunction {
        eval,
        keeps_metric_name: false,
        counter_info: false,
        then: None,
        modifiers: &[],
        drops: false,
    })
}

/// One PromQL function.
///
/// Contract: `args` lists the parameter types in order. `variadic` follows Prometheus' rule
/// (`checkAST` in its `parse.go`): `0` means exactly `args.len()` arguments; `n > 0` means the
/// last parameter is optional and up to `n` more arguments of the last parameter's type may
/// follow, so `args.len() - 1` to `args.len() - 1 + n` arguments; `-1` means at least
/// `args.len() - 1` and no upper limit, extra arguments again taking the last type. `doc` is
/// one sentence for a learner and `example` a real query that calls the function.
/// `implementation` says how the engine evaluates it (see [`Implementation`]); entries stay
/// plain static data.
#[derive(Debug)]
pub struct Function {
    /// The name as written in a query (function names are case-sensitive).
    pub name: &'static str,
    /// Parameter types, in order.
    pub args: &'static [ValueType],
    /// Prometheus' variadic rule; see the type's documentation.
    pub variadic: i32,
    /// The type of the result.
    pub returns: ValueType,
    /// One sentence for a learner.
    pub doc: &'static str,
    /// A real query calling the function.
    pub example: &'static str,
    /// Prometheus gates it behind `--enable-feature=promql-experimental-functions`. The
    /// workbench accepts it, as Prometheus' own test suite does, and says so in its docs.
    pub experimental: bool,
    /// How the engine evaluates it.
    pub implementation: Implementation,
}

impl Function {
    /// The fewest arguments a call may pass.
    pub fn min_args(&self) -> usize {
        if self.variadic == 0 {
            self.args.len()
        } else {
            self.args.len().saturating_sub(1)
        }
    }

    /// The most arguments a call may pass, or `None` for no limit.
    pub fn max_args(&self) -> Option<usize> {
        match self.variadic {
            0 => Some(self.args.len()),
            n if n > 0 => Some(self.min_args() + n as usize),
            _ => None,
        }
    }

    /// The type argument `index` must have: extra arguments of a variadic function take the
    /// last parameter's type. `None` past the end of a fixed-arity function.
    pub fn arg_type(&self, index: usize) -> Option<ValueType> {
        match self.args.get(index) {
            Some(t) => Some(*t),
            None if self.variadic != 0 => self.args.last().copied(),
            None => None,
        }
    }

    /// A signature for messages and docs, such as `rate(range vector)` or
    /// `round(instant vector, [scalar])`.
    pub fn signature(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (i, t) in self.args.iter().enumerate() {
            let optional = self.variadic != 0 && i + 1 == self.args.len();
            parts.push(if optional {
                format!("[{t}]")
            } else {
                t.name().to_string()
            });
        }
        if self.variadic != 0
            && self.variadic != 1
            && let Some(last) = self.args.last()
        {
            parts.push(format!("[{last}, ...]"));
        }
        format!("{}({})", self.name, parts.join(", "))
    }
}

/// Functions are identified by name, which the table keeps unique; comparing names keeps
/// equality meaningful once entries also hold an implementation.
impl PartialEq for Function {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Function {}

static FAMILIES: &[&[Function]] = &[
    math::FUNCTIONS,
    trig::FUNCTIONS,
    rate::FUNCTIONS,
    over_time::FUNCTIONS,
    histogram::FUNCTIONS,
    label::FUNCTIONS,
    time::FUNCTIONS,
    shape::FUNCTIONS,
];

/// Every function, family by family.
pub fn all() -> impl Iterator<Item = &'static Function> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

/// The function called exactly `name`.
pub fn lookup(name: &str) -> Option<&'static Function> {
    all().find(|f| f.name == name)
}

/// A test series as Prometheus' `load <step>` writes one: `values[i]` at `i * step_seconds`
/// (None is a gap, `_`), cut to the left-open window `(start, end]` in seconds. Returns
/// timestamps in milliseconds and values, as the kernels take them.
#[cfg(test)]
fn loaded(step_seconds: f64, values: &[Option<f64>], start: f64, end: f64) -> (Vec<i64>, Vec<f64>) {
    let (mut t, mut v) = (Vec::new(), Vec::new());
    for (i, x) in values.iter().enumerate() {
        let ts = (i as f64 * step_seconds * 1000.0).round() as i64;
        if let Some(x) = x
            && ts > (start * 1000.0).round() as i64
            && ts <= (end * 1000.0).round() as i64
        {
            t.push(ts);
            v.push(*x);
        }
    }
    (t, v)
}

/// `a+bxn` from Prometheus' load notation: `a, a+b, ..., a+n·b` (n + 1 values).
#[cfg(test)]
fn series(a: f64, b: f64, n: usize) -> Vec<Option<f64>> {
    (0..=n).map(|i| Some(a + b * i as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The functions Prometheus defines in `promql/parser/functions.go` at d15adb9. This list
    /// checks completeness against Prometheus; the table above stays the only definition.
    const PROMETHEUS_FUNCTIONS: &[&str] = &[
        "abs",
        "absent",
        "absent_over_time",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atanh",
        "avg_over_time",
        "ceil",
        "changes",
        "clamp",
        "clamp_max",
        "clamp_min",
        "cos",
        "cosh",
        "count_over_time",
        "days_in_month",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "deg",
        "end",
        "delta",
        "deriv",
        "exp",
        "first_over_time",
        "floor",
        "histogram_avg",
        "histogram_count",
        "histogram_sum",
        "histogram_stddev",
        "histogram_stdvar",
        "histogram_fraction",
        "histogram_quantile",
        "histogram_quantiles",
        "double_exponential_smoothing",
        "hour",
        "idelta",
        "increase",
        "info",
        "irate",
        "label_replace",
        "label_join",
        "max_of",
        "last_over_time",
        "min_of",
        "ln",
        "log10",
        "log2",
        "mad_over_time",
        "max_over_time",
        "min_over_time",
        "ts_of_first_over_time",
        "ts_of_max_over_time",
        "ts_of_min_over_time",
        "ts_of_last_over_time",
        "minute",
        "month",
        "pi",
        "predict_linear",
        "present_over_time",
        "quantile_over_time",
        "rad",
        "range",
        "rate",
        "resets",
        "round",
        "scalar",
        "sgn",
        "sin",
        "sinh",
        "sort",
        "sort_desc",
        "sort_by_label",
        "sort_by_label_desc",
        "sqrt",
        "start",
        "start_timestamp",
        "step",
        "stddev_over_time",
        "stdvar_over_time",
        "sum_over_time",
        "tan",
        "tanh",
        "time",
        "timestamp",
        "vector",
        "year",
    ];

    #[test]
    fn the_table_has_every_prometheus_function_once() {
        let mut names: Vec<&str> = all().map(|f| f.name).collect();
        names.sort_unstable();
        let mut expected = PROMETHEUS_FUNCTIONS.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
    }

    #[test]
    fn every_entry_has_a_doc_sentence_and_an_example_calling_it() {
        for f in all() {
            assert!(
                f.doc.ends_with('.') && !f.doc.contains('\n'),
                "{}: {}",
                f.name,
                f.doc
            );
            assert!(
                f.example.contains(&format!("{}(", f.name)),
                "{}: {}",
                f.name,
                f.example
            );
        }
    }

    #[test]
    fn arity_follows_prometheus_variadic_rule() {
        let f = |name| lookup(name).unwrap();
        assert_eq!((f("rate").min_args(), f("rate").max_args()), (1, Some(1)));
        assert_eq!((f("round").min_args(), f("round").max_args()), (1, Some(2)));
        assert_eq!((f("hour").min_args(), f("hour").max_args()), (0, Some(1)));
        assert_eq!(
            (f("label_join").min_args(), f("label_join").max_args()),
            (3, None)
        );
        let hq = f("histogram_quantiles");
        assert_eq!((hq.min_args(), hq.max_args()), (3, Some(12)));
        assert_eq!(hq.arg_type(11), Some(ValueType::Scalar));
        assert_eq!(f("rate").arg_type(1), None);
        assert_eq!(f("round").signature(), "round(instant vector, [scalar])");
        assert_eq!(
            f("label_join").signature(),
            "label_join(instant vector, string, string, [string], [string, ...])"
        );
    }
}
