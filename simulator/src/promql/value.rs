//! What a query evaluates to: the results callers see, and the step-grid values the engine
//! passes between nodes.
//!
//! **Results** ([`Value`]) have Prometheus' shapes: a scalar or string with a timestamp, an
//! instant vector of [`Sample`]s, or a matrix of [`Series`] with points in time order.
//!
//! **Step-grid values** ([`StepValue`]) are the engine's working form. The evaluator runs
//! every node once for the whole grid of evaluation times ([`Steps`]: an instant query is a
//! grid of one step), so a vector is a list of [`StepSeries`], each with its labels and one
//! slot per step. Label work (matching signatures, grouping keys, dropping the name) then
//! happens once per series instead of once per series per step, which is where Prometheus
//! spends its time. A slot is either a value or *absent*; absence is distinct from every NaN,
//! including the stale marker, so `NaN` results survive and missing data stays missing.

use crate::tsdb::Labels;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::literals::format_float;
use super::types::ValueType;

// ---------------------------------------------------------------------------------------
// Results.

/// One sample of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels.
    pub labels: Labels,
    /// When, in Unix milliseconds: the evaluation time.
    pub t: i64,
    /// The value.
    pub v: f64,
}

/// One point of a matrix series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// When, in Unix milliseconds.
    pub t: i64,
    /// The value.
    pub v: f64,
}

/// One series of a matrix: labels and points in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: Labels,
    /// Points in ascending time order, at most one per timestamp.
    pub points: Vec<Point>,
}

/// The result of a query.
///
/// Contract: vectors and matrices are sorted by labels, except an instant vector whose
/// query orders it (`sort`, `sort_desc`, `sort_by_label`, `topk`, ... at the top), which
/// keeps the order the query gave it. No two series share a label set.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number at a time.
    Scalar {
        /// The evaluation time, Unix milliseconds.
        t: i64,
        /// The value.
        v: f64,
    },
    /// A string at a time.
    String {
        /// The evaluation time, Unix milliseconds.
        t: i64,
        /// The string.
        v: String,
    },
    /// An instant vector.
    Vector(Vec<Sample>),
    /// A range vector, or the result of a range query.
    Matrix(Vec<Series>),
}

impl Value {
    /// The type, with Prometheus' names.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Scalar { .. } => ValueType::Scalar,
            Value::String { .. } => ValueType::String,
            Value::Vector(_) => ValueType::Vector,
            Value::Matrix(_) => ValueType::Matrix,
        }
    }

    /// The name the HTTP API gives the type in `resultType`.
    pub fn result_type(&self) -> &'static str {
        match self {
            Value::Scalar { .. } => "scalar",
            Value::String { .. } => "string",
            Value::Vector(_) => "vector",
            Value::Matrix(_) => "matrix",
        }
    }

    /// How many series (vector samples or matrix series); 1 for a scalar or string.
    pub fn series_count(&self) -> usize {
        match self {
            Value::Scalar { .. } | Value::String { .. } => 1,
            Value::Vector(v) => v.len(),
            Value::Matrix(m) => m.len(),
        }
    }
}

/// A value as the JSON Prometheus' HTTP API puts in `data.result`: `[seconds, "value"]` for a
/// scalar, `[{"metric": {...}, "value": [seconds, "value"]}, ...]` for a vector and
/// `[{"metric": {...}, "values": [[seconds, "value"], ...]}, ...]` for a matrix. Timestamps
/// are seconds as a JSON number with millisecond precision; values are strings formatted as
/// Go's `strconv.FormatFloat(v, 'f', -1, 64)` (`"NaN"`, `"+Inf"`, `"-Inf"`).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Scalar { t, v } => ApiPoint(*t, &format_float(*v)).serialize(s),
            Value::String { t, v } => ApiPoint(*t, v).serialize(s),
            Value::Vector(samples) => {
                let mut seq = s.serialize_seq(Some(samples.len()))?;
                for sample in samples {
                    seq.serialize_element(&ApiSample(sample))?;
                }
                seq.end()
            }
            Value::Matrix(series) => {
                let mut seq = s.serialize_seq(Some(series.len()))?;
                for one in series {
                    seq.serialize_element(&ApiSeries(one))?;
                }
                seq.end()
            }
        }
    }
}

/// `[1700000000.123, "42"]`.
struct ApiPoint<'a>(i64, &'a str);

impl Serialize for ApiPoint<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&ApiTime(self.0))?;
        seq.serialize_element(self.1)?;
        seq.end()
    }
}

/// Milliseconds written as seconds with up to three decimals, as Prometheus' JSON encoder
/// does (`1.5`, `100`, `-0.001`), without float rounding noise.
struct ApiTime(i64);

impl Serialize for ApiTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            return s.serialize_i64(self.0 / 1000);
        }
        // serde_json prints the shortest decimal that reads back as the same f64; for a
        // value parsed from at most three decimals that is exactly the text we parsed.
        let text = format_api_time(self.0);
        let number: f64 = text.parse().unwrap_or(self.0 as f64 / 1000.0);
        s.serialize_f64(number)
    }
}

/// Milliseconds as Prometheus' API prints a timestamp: seconds, then up to three decimals
/// with trailing zeros dropped.
pub fn format_api_time(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    let (secs, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{secs}")
    } else {
        let digits = format!("{frac:03}");
        format!("{sign}{secs}.{}", digits.trim_end_matches('0'))
    }
}

struct ApiSample<'a>(&'a Sample);

impl Serialize for ApiSample<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Sample", 2)?;
        st.serialize_field("metric", &self.0.labels)?;
        st.serialize_field("value", &ApiPoint(self.0.t, &format_float(self.0.v)))?;
        st.end()
    }
}

struct ApiSeries<'a>(&'a Series);

impl Serialize for ApiSeries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Points<'a>(&'a [Point]);
        impl Serialize for Points<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for p in self.0 {
                    seq.serialize_element(&ApiPoint(p.t, &format_float(p.v)))?;
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("Series", 2)?;
        st.serialize_field("metric", &self.0.labels)?;
        st.serialize_field("values", &Points(&self.0.points))?;
        st.end()
    }
}

// ---------------------------------------------------------------------------------------
// The step grid.

/// The evaluation times of a node: `start`, `start + interval`, ... up to `end` inclusive.
///
/// Contract: `interval > 0`. An instant query at `t` is `Steps::instant(t)`, one step with
/// interval 1 ms, as Prometheus runs it. `end < start` is an empty grid (a subquery whose
/// range holds no aligned step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    /// The first evaluation time, Unix milliseconds.
    pub start: i64,
    /// The last evaluation time is the largest `start + k * interval <= end`.
    pub end: i64,
    /// Milliseconds between steps, greater than zero.
    pub interval: i64,
}

impl Steps {
    /// A grid; an interval below 1 ms is taken as 1 ms so the grid is always finite.
    pub fn new(start: i64, end: i64, interval: i64) -> Steps {
        Steps {
            start,
            end,
            interval: interval.max(1),
        }
    }

    /// One step at `t`.
    pub fn instant(t: i64) -> Steps {
        Steps::new(t, t, 1)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        if self.end < self.start {
            0
        } else {
            // Widened so a huge span cannot overflow; callers bound the count with limits.
            let n = (i128::from(self.end) - i128::from(self.start)) / i128::from(self.interval) + 1;
            usize::try_from(n).unwrap_or(usize::MAX)
        }
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }

    /// The time of step `i`.
    pub fn time(&self, i: usize) -> i64 {
        self.start
            .saturating_add((i as i64).saturating_mul(self.interval))
    }

    /// The time of the last step (`start` for an empty grid).
    pub fn last(&self) -> i64 {
        match self.len() {
            0 => self.start,
            n => self.time(n - 1),
        }
    }

    /// Every step's time, in order.
    pub fn times(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.time(i))
    }
}

// ---------------------------------------------------------------------------------------
// Step-grid values.

/// The bit pattern of an absent slot in a dense series: a signalling NaN with a payload no
/// arithmetic produces (arithmetic only ever returns quiet NaNs) and different from the
/// stale marker `0x7ff0000000000002`. It never leaves [`StepSeries`]: `set` refuses to store
/// it and `get` turns it into `None`.
const ABSENT_BITS: u64 = 0x7ff0_0ab5_e000_0001;

/// A series stays sparse while at most one slot in this many holds a value; past that a
/// dense array is smaller than the (step, value) pairs, and faster.
const SPARSE_RATIO: usize = 8;

/// Grids this short start dense: the array is tiny either way.
const ALWAYS_DENSE: usize = 64;

/// One series across the step grid: labels and a slot per step, each a value or absent.
///
/// Contract: `len()` equals the grid's step count. `drop_name` is Prometheus 3's delayed
/// name removal: an operation that changes what a series measures (a function such as
/// `rate`, arithmetic, a `bool` comparison) keeps `__name__` in `labels` so later matching
/// and `label_replace` still see it, but sets `drop_name`; the engine removes the name (and
/// the `__type__`/`__unit__` metadata labels) from flagged series when it builds the result.
///
/// Storage adapts to density: a series present at few steps (a short-lived pod in a day-long
/// range, one `count_values` bucket, a series `topk` picked now and then) keeps only its
/// (step, value) pairs, so memory follows the samples held, as in Prometheus, instead of
/// series × steps; once more than one slot in [`SPARSE_RATIO`] is set it switches to a dense
/// array. The representation is invisible through the methods.
#[derive(Debug, Clone)]
pub struct StepSeries {
    /// The labels, `__name__` included while it is still present.
    pub labels: Labels,
    /// Whether the name is to be removed from the final result.
    pub drop_name: bool,
    len: usize,
    slots: Slots,
}

#[derive(Debug, Clone)]
enum Slots {
    /// One value per step, [`ABSENT_BITS`] where absent.
    Dense(Vec<f64>),
    /// The present slots as (step, value), ascending by step.
    Sparse(Vec<(u32, f64)>),
}

/// `v`, or an ordinary NaN in place of the absent sentinel.
#[inline]
fn storable(v: f64) -> f64 {
    if v.to_bits() == ABSENT_BITS {
        f64::NAN
    } else {
        v
    }
}

impl StepSeries {
    /// A series with every slot absent.
    pub fn new(labels: Labels, steps: usize) -> StepSeries {
        let slots = if steps <= ALWAYS_DENSE || u32::try_from(steps).is_err() {
            Slots::Dense(vec![f64::from_bits(ABSENT_BITS); steps])
        } else {
            Slots::Sparse(Vec::new())
        };
        StepSeries {
            labels,
            drop_name: false,
            len: steps,
            slots,
        }
    }

    /// A series with the same value at every step.
    pub fn constant(labels: Labels, steps: usize, v: f64) -> StepSeries {
        let mut s = StepSeries::new(labels, steps);
        s.fill(v);
        s
    }

    /// The number of slots (the grid's step count).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the series has no slots at all (an empty grid).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The memory the slots take, in 8-byte units: what the engine counts against its
    /// sample limit.
    pub fn cells(&self) -> usize {
        match &self.slots {
            Slots::Dense(v) => v.len(),
            Slots::Sparse(p) => 2 * p.len(),
        }
    }

    /// The value at `step`, or `None` when absent or past the end.
    #[inline]
    pub fn get(&self, step: usize) -> Option<f64> {
        match &self.slots {
            Slots::Dense(values) => match values.get(step) {
                Some(v) if v.to_bits() != ABSENT_BITS => Some(*v),
                _ => None,
            },
            Slots::Sparse(pairs) => {
                let step = u32::try_from(step).ok()?;
                // Reads mostly go forward: try the last pair before searching.
                match pairs.last() {
                    Some(&(s, v)) if s == step => Some(v),
                    Some(&(s, _)) if s < step => None,
                    _ => pairs
                        .binary_search_by_key(&step, |p| p.0)
                        .ok()
                        .map(|i| pairs[i].1),
                }
            }
        }
    }

    /// Sets the value at `step` (ignored past the end).
    #[inline]
    pub fn set(&mut self, step: usize, v: f64) {
        if step >= self.len {
            return;
        }
        let v = storable(v);
        match &mut self.slots {
            Slots::Dense(values) => values[step] = v,
            Slots::Sparse(pairs) => {
                // `len` fits u32 for sparse series (see `new`).
                let step32 = step as u32;
                match pairs.last() {
                    Some(&(s, _)) if s >= step32 => {
                        match pairs.binary_search_by_key(&step32, |p| p.0) {
                            Ok(i) => pairs[i].1 = v,
                            Err(i) => pairs.insert(i, (step32, v)),
                        }
                    }
                    _ => pairs.push((step32, v)),
                }
                if pairs.len() * SPARSE_RATIO > self.len {
                    self.densify();
                }
            }
        }
    }

    /// Switches to the dense array.
    fn densify(&mut self) {
        if let Slots::Sparse(pairs) = &self.slots {
            let mut values = vec![f64::from_bits(ABSENT_BITS); self.len];
            for &(s, v) in pairs {
                if let Some(slot) = values.get_mut(s as usize) {
                    *slot = v;
                }
            }
            self.slots = Slots::Dense(values);
        }
    }

    /// Makes the slot at `step` absent.
    #[inline]
    pub fn clear(&mut self, step: usize) {
        match &mut self.slots {
            Slots::Dense(values) => {
                if let Some(slot) = values.get_mut(step) {
                    *slot = f64::from_bits(ABSENT_BITS);
                }
            }
            Slots::Sparse(pairs) => {
                if let Ok(step) = u32::try_from(step)
                    && let Ok(i) = pairs.binary_search_by_key(&step, |p| p.0)
                {
                    pairs.remove(i);
                }
            }
        }
    }

    /// Sets every slot to `v`.
    pub fn fill(&mut self, v: f64) {
        self.slots = Slots::Dense(vec![storable(v); self.len]);
    }

    /// Whether any slot holds a value.
    pub fn any_present(&self) -> bool {
        match &self.slots {
            Slots::Dense(values) => values.iter().any(|v| v.to_bits() != ABSENT_BITS),
            Slots::Sparse(pairs) => !pairs.is_empty(),
        }
    }

    /// How many slots hold a value.
    pub fn present_count(&self) -> usize {
        match &self.slots {
            Slots::Dense(values) => values.iter().filter(|v| v.to_bits() != ABSENT_BITS).count(),
            Slots::Sparse(pairs) => pairs.len(),
        }
    }

    /// `(step, value)` for every slot holding a value, in step order.
    pub fn present(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (dense, sparse) = match &self.slots {
            Slots::Dense(values) => (values.as_slice(), &[][..]),
            Slots::Sparse(pairs) => (&[][..], pairs.as_slice()),
        };
        dense
            .iter()
            .enumerate()
            .filter(|(_, v)| v.to_bits() != ABSENT_BITS)
            .map(|(i, v)| (i, *v))
            .chain(sparse.iter().map(|&(s, v)| (s as usize, v)))
    }

    /// Applies `f` to every present value in place; `None` makes the slot absent.
    pub fn map_present(&mut self, mut f: impl FnMut(usize, f64) -> Option<f64>) {
        match &mut self.slots {
            Slots::Dense(values) => {
                for (i, slot) in values.iter_mut().enumerate() {
                    if slot.to_bits() == ABSENT_BITS {
                        continue;
                    }
                    *slot = match f(i, *slot) {
                        Some(v) => storable(v),
                        None => f64::from_bits(ABSENT_BITS),
                    };
                }
            }
            Slots::Sparse(pairs) => pairs.retain_mut(|(s, v)| match f(*s as usize, *v) {
                Some(x) => {
                    *v = storable(x);
                    true
                }
                None => false,
            }),
        }
    }
}

/// An instant vector across the step grid.
///
/// Contract: no two series have equal labels *and* overlapping present steps once names
/// flagged `drop_name` are removed (the engine checks this where Prometheus does).
/// `ordered` says the series order is meaningful (set by `sort`, `topk`, ...); it only
/// matters for an instant query's top-level result.
#[derive(Debug, Clone, Default)]
pub struct StepVector {
    /// The series, in evaluation order.
    pub series: Vec<StepSeries>,
    /// Whether the order of `series` is the query's answer (instant queries only).
    pub ordered: bool,
}

impl StepVector {
    /// A vector of these series, unordered.
    pub fn new(series: Vec<StepSeries>) -> StepVector {
        StepVector {
            series,
            ordered: false,
        }
    }

    /// The number of present slots over all series: the samples it holds.
    pub fn sample_count(&self) -> usize {
        self.series.iter().map(StepSeries::present_count).sum()
    }

    /// The memory its series' slots take, in 8-byte units (see [`StepSeries::cells`]).
    pub fn cells(&self) -> usize {
        self.series.iter().map(StepSeries::cells).sum()
    }
}

/// The value of a node across the step grid.
///
/// Range vectors have no step-grid form: the engine hands a function the window of each
/// series at each step ([`super::functions::Window`]) instead of building one matrix per
/// step, and builds a [`Value::Matrix`] only for an instant query whose result is one.
#[derive(Debug, Clone)]
pub enum StepValue {
    /// A scalar: one value per step, always present (possibly NaN).
    Scalar(Vec<f64>),
    /// A string, the same at every step.
    String(String),
    /// An instant vector.
    Vector(StepVector),
}

impl StepValue {
    /// The type, with Prometheus' names.
    pub fn value_type(&self) -> ValueType {
        match self {
            StepValue::Scalar(_) => ValueType::Scalar,
            StepValue::String(_) => ValueType::String,
            StepValue::Vector(_) => ValueType::Vector,
        }
    }

    /// The samples held: the step count for a scalar, present slots for a vector.
    pub fn sample_count(&self) -> usize {
        match self {
            StepValue::Scalar(v) => v.len(),
            StepValue::String(_) => 0,
            StepValue::Vector(v) => v.sample_count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absence_is_not_nan_nor_stale() {
        let mut s = StepSeries::new(Labels::empty(), 4);
        assert_eq!(s.get(0), None);
        s.set(0, f64::NAN);
        s.set(1, crate::tsdb::stale_marker());
        s.set(2, f64::from_bits(ABSENT_BITS));
        assert!(s.get(0).unwrap().is_nan());
        assert!(crate::tsdb::is_stale_marker(s.get(1).unwrap()));
        assert!(s.get(2).unwrap().is_nan(), "the sentinel is stored as NaN");
        assert_eq!(s.get(3), None);
        assert_eq!(s.present_count(), 3);
        s.map_present(|i, _| (i != 1).then_some(1.0));
        assert_eq!(s.present().collect::<Vec<_>>(), vec![(0, 1.0), (2, 1.0)]);
        // Arithmetic on NaNs never produces the sentinel.
        let q = f64::from_bits(ABSENT_BITS) + 1.0;
        assert_ne!(q.to_bits(), ABSENT_BITS);
    }

    #[test]
    fn sparse_series_behave_like_dense_ones_and_densify() {
        let n = 1000;
        let mut s = StepSeries::new(Labels::empty(), n);
        assert_eq!(s.cells(), 0);
        for i in [500, 10, 999, 10, 700] {
            s.set(i, i as f64);
        }
        s.set(n, 1.0);
        assert_eq!(
            s.present().collect::<Vec<_>>(),
            vec![(10, 10.0), (500, 500.0), (700, 700.0), (999, 999.0)]
        );
        assert_eq!(s.get(500), Some(500.0));
        assert_eq!(s.get(501), None);
        s.clear(500);
        assert_eq!(s.present_count(), 3);
        assert_eq!(s.cells(), 6);
        s.map_present(|i, v| (i != 700).then_some(-v));
        assert_eq!(
            s.present().collect::<Vec<_>>(),
            vec![(10, -10.0), (999, -999.0)]
        );
        for i in 0..n / 4 {
            s.set(i, 1.0);
        }
        assert_eq!(
            s.cells(),
            n,
            "dense once more than one slot in eight is set"
        );
        assert_eq!(s.get(999), Some(-999.0));
        assert_eq!(s.present_count(), n / 4 + 1);
        let mut t = StepSeries::new(Labels::empty(), n);
        t.set(3, f64::from_bits(ABSENT_BITS));
        assert!(t.get(3).unwrap().is_nan());
    }

    #[test]
    fn steps_count_and_times() {
        let s = Steps::new(0, 10, 3);
        assert_eq!(s.len(), 4);
        assert_eq!(s.times().collect::<Vec<_>>(), vec![0, 3, 6, 9]);
        assert_eq!(s.last(), 9);
        assert_eq!(Steps::instant(5).len(), 1);
        assert_eq!(Steps::new(10, 0, 1).len(), 0);
    }

    #[test]
    fn api_times_and_values() {
        assert_eq!(format_api_time(1_500), "1.5");
        assert_eq!(format_api_time(100_000), "100");
        assert_eq!(format_api_time(-1), "-0.001");
        assert_eq!(format_api_time(1_700_000_000_123), "1700000000.123");
        let v = Value::Scalar {
            t: 1_500,
            v: f64::INFINITY,
        };
        assert_eq!(serde_json::to_string(&v).unwrap(), "[1.5,\"+Inf\"]");
    }
}
