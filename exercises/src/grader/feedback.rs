//! What the grader tells a learner: structured, so the app can underline a span or list
//! series, and with a sentence ([`Feedback::message`]) for everything else.
//!
//! Values are serialised as Prometheus' API writes them (strings, `"NaN"`, `"+Inf"`), since
//! JSON has no NaN; label sets as objects.

use serde::{Serialize, Serializer};
use simulator::promql::Span;
use simulator::promql::literals::format_float;
use simulator::tsdb::Labels;

/// Where in the grading a difference was seen: which data set and which time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At {
    /// The scenario seed; `None` for a custom data set.
    pub seed: Option<u64>,
    /// The time: Unix ms for a scenario, ms from the first point for a custom data set.
    pub time: i64,
    /// The time as a learner reads it (`2026-01-01T09:20:00Z`, `5m`).
    pub time_text: String,
}

impl At {
    fn describe(&self) -> String {
        match self.seed {
            Some(seed) => format!("at {} (seed {seed})", self.time_text),
            None => format!("at {}", self.time_text),
        }
    }
}

/// How one expected label set differs from the learner's closest one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelDiff {
    /// The expected labels.
    pub expected: Labels,
    /// The learner's labels.
    pub got: Labels,
    /// Labels the expected series has and the learner's lacks: `(name, value)`.
    pub missing: Vec<(String, String)>,
    /// Labels the learner's series has and the expected lacks.
    pub unexpected: Vec<(String, String)>,
    /// Labels on both with different values: `(name, expected, got)`.
    pub changed: Vec<(String, String, String)>,
}

/// One value that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueDiff {
    /// The series (empty for a scalar).
    pub series: Labels,
    /// Where.
    pub at: At,
    /// The expected value; `None` when the answer has no point there.
    #[serde(serialize_with = "opt_float")]
    pub expected: Option<f64>,
    /// The learner's value; `None` when the learner's result has no point there.
    #[serde(serialize_with = "opt_float")]
    pub got: Option<f64>,
}

fn opt_float<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&format_float(*v)),
        None => s.serialize_none(),
    }
}

/// Which way a constraint goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The answer must use the construct.
    MustUse,
    /// The answer must not use it.
    MustNotUse,
}

/// One piece of feedback. Serialised with a `kind` tag (`"missing_series"`, ...) and, in a
/// [`super::Verdict`], a `message`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feedback {
    /// The query does not parse.
    ParseError {
        /// The parser's message.
        message: String,
        /// What the learner probably meant.
        hint: Option<String>,
        /// Where in the query.
        span: Span,
        /// 1-based line of the span's start.
        line: usize,
        /// 1-based column (characters) of the span's start.
        column: usize,
    },
    /// The query parses but fails when evaluated.
    EvalError {
        /// The engine's message.
        message: String,
        /// What to try, when the engine can tell.
        hint: Option<String>,
        /// The node that failed.
        span: Span,
        /// Where it failed.
        at: At,
    },
    /// The result has the wrong type (a scalar where a vector is expected, ...).
    WrongType {
        /// The expected type (`instant vector`, `scalar`, `range vector`, `string`).
        expected: String,
        /// The learner's type.
        got: String,
    },
    /// A constraint of the exercise is not met.
    Constraint {
        /// Must use or must not use.
        rule: Rule,
        /// The construct, as the pack names it.
        feature: String,
        /// How a sentence names it (`` `rate()` ``).
        display: String,
        /// Where the forbidden construct is; `None` for a missing one.
        span: Option<Span>,
    },
    /// The query selects no series at all, so its answer cannot depend on the data.
    ReadsNoData,
    /// Series the answer has that the learner's result lacks.
    MissingSeries {
        /// Where.
        at: At,
        /// Some of them (at most five).
        series: Vec<Labels>,
        /// How many in all.
        count: usize,
    },
    /// Series the learner's result has that the answer lacks.
    ExtraSeries {
        /// Where.
        at: At,
        /// Some of them (at most five).
        series: Vec<Labels>,
        /// How many in all.
        count: usize,
    },
    /// The learner's series are the expected ones split by more labels, or merged over
    /// fewer: an aggregation that keeps the wrong labels.
    Granularity {
        /// Where.
        at: At,
        /// Labels the learner keeps that the answer aggregates away.
        extra_labels: Vec<String>,
        /// Labels the answer keeps that the learner aggregated away.
        missing_labels: Vec<String>,
        /// How many series the answer has.
        expected_series: usize,
        /// How many the learner's result has.
        got_series: usize,
    },
    /// Series that look like the expected ones but have different labels.
    WrongLabels {
        /// Where.
        at: At,
        /// Some pairs (at most five).
        diffs: Vec<LabelDiff>,
        /// How many in all.
        count: usize,
    },
    /// The right series with different values.
    ValuesOff {
        /// Some of the differing values (at most five, one per series).
        examples: Vec<ValueDiff>,
        /// How many values differ at this evaluation.
        count: usize,
        /// When every differing value is the expected one times the same factor, that
        /// factor (100 for a percentage where a ratio is expected, 60 for per minute, ...).
        scale: Option<f64>,
    },
    /// The right series in the wrong order, where order matters.
    WrongOrder {
        /// Where.
        at: At,
        /// 1-based position of the first difference.
        position: usize,
        /// The series expected there.
        expected: Labels,
        /// The learner's series there.
        got: Labels,
    },
    /// The learner's result is empty where the answer is not.
    EmptyResult {
        /// Where.
        at: At,
        /// How many series the answer has there.
        expected_series: usize,
        /// Why, found by evaluating the query's parts: which selector or matcher removed
        /// everything, which operation found nothing to pair.
        reason: String,
        /// The part of the query the reason is about.
        span: Option<Span>,
    },
    /// The answer is right on some data sets or times and wrong on others.
    PartlyRight {
        /// Evaluations that matched.
        matched: usize,
        /// Evaluations in all.
        total: usize,
        /// Seeds on which every evaluation matched.
        seeds_right: Vec<u64>,
        /// Seeds with at least one difference.
        seeds_wrong: Vec<u64>,
    },
    /// Metrics the learner's query reads that the exercise does not need.
    UnneededMetrics {
        /// Their names.
        metrics: Vec<String>,
    },
    /// The learner's query is one of the exercise's listed wrong answers (the same query,
    /// however it is spaced): the instructor's feedback for it.
    KnownMistake {
        /// The instructor's feedback, Markdown.
        feedback: String,
    },
    /// A warning or info the engine raised for the learner's query (and not for the
    /// reference). It does not decide the verdict.
    Annotation {
        /// `warning` or `info`.
        severity: simulator::promql::Severity,
        /// Prometheus' text.
        text: String,
        /// The node it is about.
        span: Span,
    },
    /// The exercise itself is broken (its reference fails); not the learner's fault.
    Internal {
        /// What failed. Serialised as `detail`: the verdict's JSON adds every item's
        /// sentence as `message`, and one object must not carry that key twice.
        #[serde(rename = "detail")]
        message: String,
    },
}

const SHOWN: usize = 5;

impl Feedback {
    /// Whether this feedback, on its own, fails the answer. Annotations, unneeded metrics
    /// and partial matches only explain.
    pub fn fails(&self) -> bool {
        !matches!(
            self,
            Feedback::Annotation { .. }
                | Feedback::UnneededMetrics { .. }
                | Feedback::PartlyRight { .. }
                | Feedback::KnownMistake { .. }
        )
    }

    /// The feedback as one or two sentences for a learner (Markdown: code in backticks).
    pub fn message(&self) -> String {
        match self {
            Feedback::ParseError {
                message,
                hint,
                line,
                column,
                ..
            } => {
                let mut m = format!(
                    "Your query does not parse (line {line}, column {column}): {}.",
                    sentence(message)
                );
                if let Some(h) = hint {
                    m.push_str(&format!(" Hint: {}.", sentence(h)));
                }
                m
            }
            Feedback::EvalError {
                message, hint, at, ..
            } => {
                let mut m = format!(
                    "Your query fails when it runs {}: {}.",
                    at.describe(),
                    sentence(message)
                );
                if let Some(h) = hint {
                    m.push_str(&format!(" Hint: {}.", sentence(h)));
                }
                m
            }
            Feedback::WrongType { expected, got } => {
                let mut m = format!(
                    "The answer is {} {expected}, but your query returns {} {got}.",
                    article(expected),
                    article(got)
                );
                match (expected.as_str(), got.as_str()) {
                    ("instant vector", "scalar") => m.push_str(
                        " A scalar is a bare number without labels; the answer is a set of series with labels. Numbers, `scalar()` and `time()` give scalars.",
                    ),
                    ("scalar", "instant vector") => m.push_str(
                        " The answer is a bare number without labels; `scalar()` turns a single-series vector into one.",
                    ),
                    ("instant vector", "range vector") => m.push_str(
                        " A range selector such as `x[5m]` gives every sample in the window; apply a function such as `rate()` or `avg_over_time()` to get one value per series.",
                    ),
                    _ => {}
                }
                m
            }
            Feedback::Constraint {
                rule, display, ..
            } => match rule {
                Rule::MustUse => format!("This exercise is about {display}: your answer must use it."),
                Rule::MustNotUse => format!("Your answer uses {display}, which this exercise asks you to do without."),
            },
            Feedback::ReadsNoData => "Your query reads no series, so its answer would be the same on any data. Compute the answer from the metrics the task names rather than writing the numbers in.".to_string(),
            Feedback::MissingSeries { at, series, count } => format!(
                "Your result lacks {} the answer has {}, {}.",
                plural(*count, "series", "series"),
                at.describe(),
                examples(series, *count)
            ),
            Feedback::ExtraSeries { at, series, count } => format!(
                "Your result has {} the answer does not have {}, {}.",
                plural(*count, "series", "series"),
                at.describe(),
                examples(series, *count)
            ),
            Feedback::Granularity {
                at,
                extra_labels,
                missing_labels,
                expected_series,
                got_series,
            } => {
                let names = |l: &[String]| {
                    l.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let counts = if got_series == expected_series {
                    String::new()
                } else {
                    format!(" ({got_series} series where the answer has {expected_series})")
                };
                if missing_labels.is_empty() {
                    format!(
                        "Your series carry labels the answer aggregates away: {} {}{counts}. Keep only the labels the task asks for (`sum by (...)`), or drop these with `without (...)`.",
                        names(extra_labels),
                        at.describe()
                    )
                } else if extra_labels.is_empty() {
                    format!(
                        "Your series lack labels the answer keeps: {} {}{counts}. Keep them, for example in `by (...)`.",
                        names(missing_labels),
                        at.describe()
                    )
                } else {
                    format!(
                        "Your result is grouped by different labels {}: yours has {} that the answer does not, and lacks {}{counts}.",
                        at.describe(),
                        names(extra_labels),
                        names(missing_labels)
                    )
                }
            }
            Feedback::WrongLabels { at, diffs, count } => {
                let mut m = format!(
                    "Your series have different labels from the expected ones {}.",
                    at.describe()
                );
                if let Some(d) = diffs.first() {
                    m.push_str(&format!(" Expected `{}`, yours is `{}`: {}", show_labels(&d.expected), show_labels(&d.got), describe_diff(d)));
                }
                if *count > 1 {
                    m.push_str(&format!(" ({count} series differ like this.)"));
                }
                m
            }
            Feedback::ValuesOff {
                examples,
                count,
                scale,
            } => {
                let mut m = String::from("Your result has the right series, but ");
                m.push_str(&if *count == 1 {
                    "one value differs".to_string()
                } else {
                    format!("{count} values differ")
                });
                if let Some(e) = examples.first() {
                    let show = |v: Option<f64>| v.map_or("no value".to_string(), format_float);
                    m.push_str(&format!(
                        ": {} {}, expected {}, got {}.",
                        if e.series.is_empty() { "the value".to_string() } else { format!("`{}`", show_labels(&e.series)) },
                        e.at.describe(),
                        show(e.expected),
                        show(e.got)
                    ));
                } else {
                    m.push('.');
                }
                if let Some(s) = scale {
                    m.push(' ');
                    m.push_str(&scale_hint(*s));
                }
                m
            }
            Feedback::WrongOrder {
                at,
                position,
                expected,
                got,
            } => format!(
                "The order matters here, and yours differs {}: position {position} should be `{}`, yours is `{}`.",
                at.describe(),
                show_labels(expected),
                show_labels(got)
            ),
            Feedback::EmptyResult {
                at,
                expected_series,
                reason,
                ..
            } => format!(
                "Your query returns nothing {}, where the answer has {}. {reason}",
                at.describe(),
                plural(*expected_series, "series", "series")
            ),
            Feedback::PartlyRight {
                matched,
                total,
                seeds_right,
                seeds_wrong,
            } => {
                if !seeds_right.is_empty() && !seeds_wrong.is_empty() {
                    format!(
                        "Your answer is right on the data of seed {} but not on seed {}. Every answer is checked on several data sets: it must compute the result from the data, not contain numbers read from one of them.",
                        join(seeds_right),
                        join(seeds_wrong)
                    )
                } else {
                    format!("Your answer matches at {matched} of {total} evaluation times; look at the times where it differs.")
                }
            }
            Feedback::UnneededMetrics { metrics } => format!(
                "Your query reads {}, which this exercise does not need.",
                metrics.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
            Feedback::KnownMistake { feedback } => feedback.trim().to_string(),
            Feedback::Annotation { text, .. } => format!("The engine says: {text}"),
            Feedback::Internal { message } => format!(
                "This exercise cannot be graded right now ({message}); it is a problem with the exercise, not with your answer."
            ),
        }
    }
}

/// A message without its own final full stop, so it can end one of ours.
fn sentence(m: &str) -> &str {
    m.trim_end().trim_end_matches('.')
}

fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("one {one}")
    } else {
        format!("{n} {many}")
    }
}

fn join(seeds: &[u64]) -> String {
    seeds
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Labels as PromQL writes them; `{}` for the empty set.
pub(crate) fn show_labels(l: &Labels) -> String {
    let s = l.to_string();
    if s.is_empty() { "{}".to_string() } else { s }
}

fn examples(series: &[Labels], count: usize) -> String {
    let shown: Vec<String> = series
        .iter()
        .take(SHOWN)
        .map(|l| format!("`{}`", show_labels(l)))
        .collect();
    let word = if count == 1 { "namely" } else { "for example" };
    format!("{word} {}", shown.join(", "))
}

fn describe_diff(d: &LabelDiff) -> String {
    let mut parts = Vec::new();
    let name_only_unexpected = d.unexpected.len() == 1
        && d.unexpected[0].0 == "__name__"
        && d.missing.is_empty()
        && d.changed.is_empty();
    if name_only_unexpected {
        return format!(
            "your series still carry the metric name `{}`. The expected series have none: functions such as `rate()`, arithmetic and aggregations drop the name because the result no longer measures the same thing.",
            d.unexpected[0].1
        );
    }
    let name_only_missing = d.missing.len() == 1
        && d.missing[0].0 == "__name__"
        && d.unexpected.is_empty()
        && d.changed.is_empty();
    if name_only_missing {
        return format!(
            "the expected series keep the metric name `{}` and yours lost it. Filters such as `> 10` and functions such as `sort()` keep the name; arithmetic and `bool` comparisons drop it.",
            d.missing[0].1
        );
    }
    if !d.missing.is_empty() {
        parts.push(format!(
            "yours lack {}",
            d.missing
                .iter()
                .map(|(n, v)| format!("`{n}=\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !d.unexpected.is_empty() {
        parts.push(format!(
            "yours have {} in addition",
            d.unexpected
                .iter()
                .map(|(n, v)| format!("`{n}=\"{v}\"`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (n, e, g) in &d.changed {
        parts.push(format!("`{n}` should be \"{e}\", yours is \"{g}\""));
    }
    let mut s = parts.join("; ");
    s.push('.');
    if d.missing.iter().any(|(n, _)| n != "__name__") {
        s.push_str(" Keep a label through an aggregation by listing it in `by (...)`.");
    } else if d.unexpected.iter().any(|(n, _)| n != "__name__") {
        s.push_str(" Aggregate away the labels the answer does not need.");
    }
    s
}

/// Known factors between a learner's values and the expected ones, and what they usually
/// mean.
const SCALES: &[(f64, &str)] = &[
    (
        100.0,
        "Your values are 100 times the expected ones: the answer is a ratio between 0 and 1, not a percentage.",
    ),
    (
        0.01,
        "Your values are 1/100 of the expected ones: the answer is a percentage (multiply by 100).",
    ),
    (
        60.0,
        "Your values are 60 times the expected ones: the answer is per second, not per minute.",
    ),
    (
        1.0 / 60.0,
        "Your values are 1/60 of the expected ones: the answer is per minute, not per second.",
    ),
    (
        3600.0,
        "Your values are 3600 times the expected ones: the answer is per second, not per hour.",
    ),
    (
        1.0 / 3600.0,
        "Your values are 1/3600 of the expected ones: the answer is per hour, not per second.",
    ),
    (
        1000.0,
        "Your values are 1000 times the expected ones: check the unit (seconds, not milliseconds?).",
    ),
    (
        0.001,
        "Your values are 1/1000 of the expected ones: check the unit (milliseconds, not seconds?).",
    ),
    (
        300.0,
        "Your values are 300 times the expected ones, the number of seconds in 5 minutes: an `increase()` over `[5m]` where a per-second `rate()` is expected?",
    ),
    (
        1.0 / 300.0,
        "Your values are 1/300 of the expected ones, one over the seconds in 5 minutes: a per-second `rate()` where the `increase()` over `[5m]` is expected?",
    ),
    (
        -1.0,
        "Your values have the opposite sign of the expected ones.",
    ),
];

fn scale_hint(s: f64) -> String {
    for (factor, text) in SCALES {
        if ((s - factor) / factor).abs() < 1e-6 {
            return (*text).to_string();
        }
    }
    // 0.000555... reads better as 1/1800.
    let inverse = 1.0 / s;
    let factor = if s.abs() < 1.0 && (inverse - inverse.round()).abs() < 1e-6 * inverse.abs() {
        format!("1/{}", inverse.round())
    } else {
        simulator::promql::literals::format_float(s)
    };
    format!("Every value is {factor} times the expected one: the shape is right, the scale is not.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> At {
        At {
            seed: Some(2),
            time: 0,
            time_text: "2026-01-01T09:20:00Z".into(),
        }
    }

    #[test]
    fn messages_read_well() {
        let l = |pairs: &[(&str, &str)]| Labels::new(pairs.iter().copied()).unwrap();
        let f = Feedback::WrongLabels {
            at: at(),
            diffs: vec![LabelDiff {
                expected: l(&[("job", "api")]),
                got: l(&[("__name__", "x"), ("job", "api")]),
                missing: vec![],
                unexpected: vec![("__name__".into(), "x".into())],
                changed: vec![],
            }],
            count: 1,
        };
        let m = f.message();
        assert!(m.contains("still carry the metric name `x`"), "{m}");
        assert!(m.contains("at 2026-01-01T09:20:00Z (seed 2)"), "{m}");
        let f = Feedback::ValuesOff {
            examples: vec![ValueDiff {
                series: Labels::empty(),
                at: at(),
                expected: Some(0.5),
                got: Some(50.0),
            }],
            count: 3,
            scale: Some(100.0),
        };
        let m = f.message();
        assert!(m.contains("3 values differ: the value at"), "{m}");
        assert!(m.contains("expected 0.5, got 50"), "{m}");
        assert!(m.contains("not a percentage"), "{m}");
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["kind"], "values_off");
        assert_eq!(json["examples"][0]["expected"], "0.5");
        assert_eq!(json["examples"][0]["at"]["seed"], 2);
    }

    #[test]
    fn a_verdict_item_names_each_key_once() {
        let verdict = crate::grader::Verdict {
            pass: false,
            feedback: vec![Feedback::Internal {
                message: "the reference query failed".into(),
            }],
        };
        let text = serde_json::to_string(&verdict).unwrap();
        assert_eq!(text.matches("\"message\"").count(), 1, "{text}");
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["feedback"][0]["kind"], "internal");
        assert_eq!(json["feedback"][0]["detail"], "the reference query failed");
    }
}
