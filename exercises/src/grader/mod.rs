//! The grader: a learner's query against an exercise, a [`Verdict`] with feedback out.
//!
//! Grading runs the learner's query and the reference on every data set of the exercise
//! (each declared seed of its scenario, or its custom data) at every evaluation time (or
//! over its range), and compares the results as Prometheus' test tool does
//! ([`comparison`]). An answer passes when every result matches, no constraint is broken,
//! and it reads data at all. Before any evaluation, a query that does not parse, has the
//! wrong type or reads no series is answered from its syntax tree alone.
//!
//! **Speed.** This runs in the browser's worker on every "Check". Data sets come from a
//! [`Datasets`] cache, so each (scenario, seed, window) is generated once and shared by the
//! learner's query, the reference and later attempts; the reference's results are cached
//! too. A check then costs the learner's evaluations only.
//!
//! **Feedback** ([`Feedback`]) describes the first evaluation that differs, in detail —
//! which series are missing or extra, whose labels differ and how, which values are off and
//! by what factor, or, for an empty result, which part of the query removed everything
//! ([`emptiness`]) — then how many other evaluations differ, with a word on hard-coded
//! numbers when the answer is right on one seed and wrong on another.

mod comparison;
pub mod emptiness;
mod feedback;
pub mod server;

pub use feedback::{At, Feedback, LabelDiff, Rule, ValueDiff};

use crate::constraint;
use crate::dataset::{DataSet, Datasets};
use crate::pack::{Evaluation, Exercise};
use comparison::Differences;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use simulator::promql::ast::ExprKind;
use simulator::promql::{
    self, Annotation, Engine, EngineOptions, Expr, NoProgress, Progress, QueryTimes, Value,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The outcome of grading one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Whether the answer is accepted.
    pub pass: bool,
    /// What to tell the learner, most important first. A passing answer may still get
    /// notes (engine annotations).
    pub feedback: Vec<Feedback>,
}

/// `{"pass": true, "feedback": [{"kind": "...", "message": "...", ...}]}`.
impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithMessage<'a> {
            #[serde(flatten)]
            feedback: &'a Feedback,
            message: String,
        }
        let items: Vec<WithMessage<'_>> = self
            .feedback
            .iter()
            .map(|f| WithMessage {
                feedback: f,
                message: f.message(),
            })
            .collect();
        let mut st = s.serialize_struct("Verdict", 2)?;
        st.serialize_field("pass", &self.pass)?;
        st.serialize_field("feedback", &items)?;
        st.end()
    }
}

impl Verdict {
    fn from_feedback(feedback: Vec<Feedback>) -> Verdict {
        Verdict {
            pass: !feedback.iter().any(Feedback::fails),
            feedback,
        }
    }
}

/// The reference's results on every data set: what a learner's results must equal.
#[derive(Debug, Clone)]
pub struct Expected {
    /// One entry per data set, in the exercise's seed order.
    pub sets: Vec<ExpectedSet>,
}

/// The reference's results on one data set.
#[derive(Debug, Clone)]
pub struct ExpectedSet {
    /// The seed, for a scenario.
    pub seed: Option<u64>,
    /// One result per evaluation time (a single one, at the range's start, for a range).
    pub points: Vec<ExpectedPoint>,
}

/// The reference's result at one evaluation time.
#[derive(Debug, Clone)]
pub struct ExpectedPoint {
    /// The evaluation time (a range's start).
    pub time: i64,
    /// The result.
    pub value: Value,
    /// Warnings and infos it raised.
    pub annotations: Vec<Annotation>,
}

/// The reference failed: the exercise is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceError {
    /// What failed, with the seed and time.
    pub message: String,
}

/// The most reference results kept; an app session rarely touches more exercises.
const REFERENCE_CACHE: usize = 256;

/// Grades answers. Keeps data sets and reference results between calls.
#[derive(Debug, Default)]
pub struct Grader {
    engine: Engine,
    datasets: Datasets,
    references: BTreeMap<String, Arc<Expected>>,
}

impl Grader {
    /// A grader with the engine's default options (Prometheus' lookback and limits).
    pub fn new() -> Grader {
        Grader::default()
    }

    /// A grader with these engine options and a data-set cache of `capacity` databases.
    pub fn with_options(options: EngineOptions, capacity: usize) -> Grader {
        Grader {
            engine: Engine::new(options),
            datasets: Datasets::new(capacity),
            references: BTreeMap::new(),
        }
    }

    /// The engine grading uses.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The data sets `exercise` grades on, from the cache: for the app, to show the
    /// learner's result beside the expected one on the same data.
    pub fn data_sets(&mut self, exercise: &Exercise) -> Result<Vec<DataSet>, ReferenceError> {
        self.datasets
            .for_data(&exercise.data)
            .map_err(|e| ReferenceError { message: e.message })
    }

    /// Grades `query` as an answer to `exercise`.
    pub fn grade(&mut self, exercise: &Exercise, query: &str) -> Verdict {
        self.grade_with_progress(exercise, query, &mut NoProgress)
    }

    /// Grades `query`, calling `progress` during evaluations; cancelling through it gives
    /// a failing verdict with the engine's "canceled" error.
    pub fn grade_with_progress(
        &mut self,
        exercise: &Exercise,
        query: &str,
        progress: &mut dyn Progress,
    ) -> Verdict {
        let Prepared {
            learner,
            reference,
            mut feedback,
        } = match prepare(exercise, query) {
            Ok(p) => p,
            Err(verdict) => return verdict,
        };
        let sets = match self.data_sets(exercise) {
            Ok(s) => s,
            Err(e) => {
                feedback.push(Feedback::Internal { message: e.message });
                return Verdict::from_feedback(feedback);
            }
        };
        let expected = match self.expected_on(exercise, &reference, &sets, progress) {
            Ok(x) => x,
            Err(e) => {
                feedback.push(Feedback::Internal { message: e.message });
                return Verdict::from_feedback(feedback);
            }
        };
        let reference_notes: BTreeSet<String> = expected
            .sets
            .iter()
            .flat_map(|s| s.points.iter())
            .flat_map(|p| p.annotations.iter().map(|a| a.text.clone()))
            .collect();
        let mut tally = Tally::default();
        for (index, (set, exp)) in sets.iter().zip(&expected.sets).enumerate() {
            for point in &exp.points {
                let times = times_of(&exercise.eval, point.time);
                let result = match self.engine.query(&set.db, &learner, times, progress) {
                    Ok(r) => r,
                    Err(e) => {
                        feedback.push(Feedback::EvalError {
                            message: e.kind.to_string(),
                            hint: e.hint,
                            span: e.span,
                            at: at_time(exercise, set.seed, point.time),
                        });
                        return Verdict::from_feedback(feedback);
                    }
                };
                for a in result.annotations.iter() {
                    tally.note(a.clone());
                }
                tally.record(
                    exercise,
                    index,
                    set.seed,
                    point.time,
                    &point.value,
                    result.value,
                );
            }
        }
        let engine = &self.engine;
        let explain = |index: usize, t: i64| match sets.get(index) {
            Some(set) => emptiness::explain(engine, &set.db, &learner, query, t),
            None => emptiness::Reason {
                message: String::new(),
                span: None,
            },
        };
        finish(
            exercise,
            Judged {
                learner: &learner,
                reference: &reference,
                feedback,
                tally,
                reference_notes: &reference_notes,
            },
            &explain,
        )
    }

    /// The reference's results on every data set of `exercise`, computed once and cached.
    pub fn expected(&mut self, exercise: &Exercise) -> Result<Arc<Expected>, ReferenceError> {
        let reference = promql::parse(&exercise.reference).map_err(|_| ReferenceError {
            message: "the reference query does not parse".into(),
        })?;
        let sets = self.data_sets(exercise)?;
        self.expected_on(exercise, &reference, &sets, &mut NoProgress)
    }

    fn expected_on(
        &mut self,
        exercise: &Exercise,
        reference: &Expr,
        sets: &[DataSet],
        progress: &mut dyn Progress,
    ) -> Result<Arc<Expected>, ReferenceError> {
        // The data description, the times and the query identify the results.
        let key = format!(
            "{}|{}|{}",
            serde_json::to_string(&exercise.data).unwrap_or_default(),
            serde_json::to_string(&exercise.eval).unwrap_or_default(),
            exercise.reference
        );
        if let Some(x) = self.references.get(&key) {
            return Ok(Arc::clone(x));
        }
        let mut out = Expected { sets: Vec::new() };
        let starts: Vec<i64> = match &exercise.eval {
            Evaluation::Instant(times) => times.clone(),
            Evaluation::Range { start, .. } => vec![*start],
        };
        for set in sets {
            let mut points = Vec::new();
            for &t in &starts {
                let times = times_of(&exercise.eval, t);
                let r = self
                    .engine
                    .query(&set.db, reference, times, progress)
                    .map_err(|e| ReferenceError {
                        message: format!(
                            "the reference fails{} at {}: {e}",
                            set.seed
                                .map(|s| format!(" on seed {s}"))
                                .unwrap_or_default(),
                            exercise.data.show_time(t)
                        ),
                    })?;
                points.push(ExpectedPoint {
                    time: t,
                    value: r.value,
                    annotations: r.annotations.iter().cloned().collect(),
                });
            }
            out.sets.push(ExpectedSet {
                seed: set.seed,
                points,
            });
        }
        if self.references.len() >= REFERENCE_CACHE {
            self.references.clear();
        }
        let out = Arc::new(out);
        self.references.insert(key, Arc::clone(&out));
        Ok(out)
    }
}

/// What the query texts alone decide, before any evaluation.
pub(crate) struct Prepared {
    /// The learner's query.
    pub learner: Expr,
    /// The reference.
    pub reference: Expr,
    /// Feedback so far (a known mistake, broken constraints).
    pub feedback: Vec<Feedback>,
}

/// Parses both queries and applies every check that needs no data: parse errors (with the
/// parser's span and hint), a listed wrong answer's feedback, the result type, the
/// constraints, and whether the answer reads data at all. `Err` is the final verdict when
/// one of them already decides it.
pub(crate) fn prepare(exercise: &Exercise, query: &str) -> Result<Prepared, Verdict> {
    let learner = match promql::parse(query) {
        Ok(e) => e,
        Err(errors) => {
            return Err(Verdict::from_feedback(
                errors
                    .into_iter()
                    .map(|e| {
                        let lc = e.line_col(query);
                        Feedback::ParseError {
                            message: e.message,
                            hint: e.hint,
                            span: e.span,
                            line: lc.line,
                            column: lc.col,
                        }
                    })
                    .collect(),
            ));
        }
    };
    let Ok(reference) = promql::parse(&exercise.reference) else {
        return Err(Verdict::from_feedback(vec![Feedback::Internal {
            message: "the reference query does not parse".into(),
        }]));
    };
    // A listed wrong answer gets the instructor's words first, whatever else is found.
    let mut feedback: Vec<Feedback> = exercise
        .wrong
        .iter()
        .find(|w| promql::parse(&w.query).is_ok_and(|e| e.same_query(&learner)))
        .map(|w| Feedback::KnownMistake {
            feedback: w.feedback.clone(),
        })
        .into_iter()
        .collect();
    let (want, got) = (reference.value_type(), learner.value_type());
    if want != got {
        feedback.push(Feedback::WrongType {
            expected: want.name().to_string(),
            got: got.name().to_string(),
        });
        return Err(Verdict::from_feedback(feedback));
    }
    for f in &exercise.constraints.must_use {
        if !f.is_used_in(&learner) {
            feedback.push(Feedback::Constraint {
                rule: Rule::MustUse,
                feature: f.name().to_string(),
                display: f.to_string(),
                span: None,
            });
        }
    }
    for f in &exercise.constraints.must_not_use {
        if let Some(span) = f.occurrences(&learner).first() {
            feedback.push(Feedback::Constraint {
                rule: Rule::MustNotUse,
                feature: f.name().to_string(),
                display: f.to_string(),
                span: Some(*span),
            });
        }
    }
    if reads_data(&reference) && !reads_data(&learner) {
        feedback.push(Feedback::ReadsNoData);
        return Err(Verdict::from_feedback(feedback));
    }
    Ok(Prepared {
        learner,
        reference,
        feedback,
    })
}

/// Where an evaluation happened, as feedback names it.
fn at_time(exercise: &Exercise, seed: Option<u64>, t: i64) -> At {
    At {
        seed,
        time: t,
        time_text: exercise.data.show_time(t),
    }
}

/// The comparisons of one grading, evaluation by evaluation.
#[derive(Default)]
pub(crate) struct Tally {
    matched: usize,
    total: usize,
    seeds_wrong: BTreeSet<u64>,
    first: Option<First>,
    notes: BTreeMap<String, Annotation>,
}

impl Tally {
    /// Compares the learner's result `got` on data set `set` (seed `seed`) at `time` with
    /// the reference's `expected`.
    pub(crate) fn record(
        &mut self,
        exercise: &Exercise,
        set: usize,
        seed: Option<u64>,
        time: i64,
        expected: &Value,
        got: Value,
    ) {
        let at = |t: i64| at_time(exercise, seed, t);
        let d = comparison::compare(expected, &got, &exercise.compare, &at, time);
        self.total += 1;
        if d.is_empty() {
            self.matched += 1;
            return;
        }
        if let Some(seed) = seed {
            self.seeds_wrong.insert(seed);
        }
        if self.first.is_none() {
            self.first = Some(First {
                set,
                seed,
                time,
                expected: expected.clone(),
                got,
                differences: d,
            });
        }
    }

    /// An annotation the learner's query raised; each text is kept once.
    pub(crate) fn note(&mut self, a: Annotation) {
        self.notes.entry(a.text.clone()).or_insert(a);
    }
}

/// A grading after every evaluation, ready for the verdict.
pub(crate) struct Judged<'a> {
    pub learner: &'a Expr,
    pub reference: &'a Expr,
    pub feedback: Vec<Feedback>,
    pub tally: Tally,
    /// The texts of the annotations the reference raised: the learner is not told about
    /// those.
    pub reference_notes: &'a BTreeSet<String>,
}

/// The verdict: the first difference described in detail (`explain(set, t)` says why the
/// learner's result is empty on data set `set` at `t`), how many evaluations matched, the
/// metrics read for nothing, and the learner's own annotations.
pub(crate) fn finish(
    exercise: &Exercise,
    j: Judged<'_>,
    explain: &dyn Fn(usize, i64) -> emptiness::Reason,
) -> Verdict {
    let Judged {
        learner,
        reference,
        mut feedback,
        tally,
        reference_notes,
    } = j;
    let failed = tally.first.is_some();
    if let Some(f) = tally.first {
        feedback.extend(describe(exercise, f, explain));
        if tally.matched > 0 {
            let seeds_right = exercise
                .data
                .seeds()
                .iter()
                .copied()
                .filter(|s| !tally.seeds_wrong.contains(s))
                .collect();
            feedback.push(Feedback::PartlyRight {
                matched: tally.matched,
                total: tally.total,
                seeds_right,
                seeds_wrong: tally.seeds_wrong.into_iter().collect(),
            });
        }
    }
    if failed || feedback.iter().any(Feedback::fails) {
        let wanted = metrics(reference);
        let unneeded: Vec<String> = metrics(learner)
            .into_iter()
            .filter(|m| !wanted.contains(m))
            .collect();
        if !unneeded.is_empty() {
            feedback.push(Feedback::UnneededMetrics { metrics: unneeded });
        }
    }
    for (text, a) in tally.notes {
        if !reference_notes.contains(&text) {
            feedback.push(Feedback::Annotation {
                severity: a.severity,
                text,
                span: a.span,
            });
        }
    }
    Verdict::from_feedback(feedback)
}

/// Feedback for the first evaluation that differs.
fn describe(
    exercise: &Exercise,
    f: First,
    explain: &dyn Fn(usize, i64) -> emptiness::Reason,
) -> Vec<Feedback> {
    let d = f.differences;
    let at = at_time(exercise, f.seed, f.time);
    if let Some((want, got)) = d.wrong_type {
        return vec![Feedback::WrongType {
            expected: want.name().to_string(),
            got: got.name().to_string(),
        }];
    }
    let expected_series = series_count(&f.expected);
    if expected_series > 0 && series_count(&f.got) == 0 {
        // Diagnose at the first time the answer has data.
        let t = first_time(&f.expected).unwrap_or(f.time);
        let reason = explain(f.set, t);
        return vec![Feedback::EmptyResult {
            at: at_time(exercise, f.seed, t),
            expected_series,
            reason: reason.message,
            span: reason.span,
        }];
    }
    let mut out = Vec::new();
    if let Some(g) = d.granularity {
        out.push(Feedback::Granularity {
            at,
            extra_labels: g.0,
            missing_labels: g.1,
            expected_series: series_count(&f.expected),
            got_series: series_count(&f.got),
        });
        return out;
    }
    if !d.missing.is_empty() {
        out.push(Feedback::MissingSeries {
            at: at.clone(),
            count: d.missing.len(),
            series: d.missing.into_iter().take(5).collect(),
        });
    }
    if !d.extra.is_empty() {
        out.push(Feedback::ExtraSeries {
            at: at.clone(),
            count: d.extra.len(),
            series: d.extra.into_iter().take(5).collect(),
        });
    }
    if !d.wrong_labels.is_empty() {
        out.push(Feedback::WrongLabels {
            at: at.clone(),
            count: d.wrong_labels.len(),
            diffs: d.wrong_labels.into_iter().take(5).collect(),
        });
    }
    if d.value_count > 0 || d.string.is_some() {
        out.push(Feedback::ValuesOff {
            scale: scale(&d.ratios),
            count: d.value_count.max(1),
            examples: d.values.into_iter().take(5).collect(),
        });
    }
    if let Some((position, expected, got)) = d.order {
        out.push(Feedback::WrongOrder {
            at,
            position,
            expected,
            got,
        });
    }
    out
}

/// The first evaluation that differs.
pub(crate) struct First {
    /// The index of its data set.
    set: usize,
    seed: Option<u64>,
    time: i64,
    expected: Value,
    got: Value,
    differences: Differences,
}

/// The query times of one evaluation starting at `t`.
fn times_of(eval: &Evaluation, t: i64) -> QueryTimes {
    match eval {
        Evaluation::Instant(_) => QueryTimes {
            start: t,
            end: t,
            step: 0,
        },
        Evaluation::Range { end, step, .. } => QueryTimes {
            start: t,
            end: *end,
            step: *step,
        },
    }
}

fn series_count(v: &Value) -> usize {
    match v {
        Value::Vector(s) => s.len(),
        Value::Matrix(m) => m.len(),
        Value::Scalar { .. } | Value::String { .. } => 1,
    }
}

/// The earliest point of a matrix, the time of anything else.
fn first_time(v: &Value) -> Option<i64> {
    match v {
        Value::Matrix(m) => m.iter().filter_map(|s| s.points.first()).map(|p| p.t).min(),
        Value::Vector(s) => s.first().map(|s| s.t),
        Value::Scalar { t, .. } | Value::String { t, .. } => Some(*t),
    }
}

/// The common factor of all ratios, when there is one worth reporting: a single pair
/// only for the factors that mean something (100, 60, ...), otherwise two or more.
fn scale(ratios: &[f64]) -> Option<f64> {
    let first = *ratios.first()?;
    // A factor of 0 is a missing rate, not a scale; a factor near 1 is a small
    // difference.
    if first == 0.0 || !first.is_finite() || (first - 1.0).abs() < 0.01 {
        return None;
    }
    if ratios.iter().any(|r| ((r - first) / first).abs() > 1e-6) {
        return None;
    }
    let known = [
        100.0,
        0.01,
        60.0,
        1.0 / 60.0,
        3600.0,
        1.0 / 3600.0,
        1000.0,
        0.001,
        300.0,
        1.0 / 300.0,
        -1.0,
    ];
    let is_known = known.iter().any(|k| ((first - k) / k).abs() < 1e-6);
    (is_known || ratios.len() >= 2).then_some(first)
}

/// The metric names a query's selectors name, sorted.
fn metrics(e: &Expr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    constraint::visit(e, &mut |n| match &n.kind {
        ExprKind::VectorSelector(vs) => {
            if let Some(m) = vs.metric_name() {
                out.insert(m.to_string());
            }
        }
        ExprKind::MatrixSelector(ms) => {
            if let Some(m) = ms.selector.metric_name() {
                out.insert(m.to_string());
            }
        }
        _ => {}
    });
    out
}

/// Whether a query selects any series.
fn reads_data(e: &Expr) -> bool {
    let mut found = false;
    constraint::visit(e, &mut |n| {
        if matches!(
            n.kind,
            ExprKind::VectorSelector(_) | ExprKind::MatrixSelector(_)
        ) {
            found = true;
        }
    });
    found
}
