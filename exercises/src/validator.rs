//! Checking a pack before learners see it: what `exercises check` runs.
//!
//! The loader already knows the pack is well formed. The validator knows it works: for
//! every exercise, the reference runs without error and returns data on every seed, raises
//! no engine warning it does not declare, reads no data from before the window, passes its
//! own grading (constraints included), and does not give the same result on every seed and
//! time (else an answer with the numbers written in would pass); every listed wrong answer
//! is rejected; every prompt, hint and feedback renders as Markdown with nothing
//! neutralised. Each problem is a sentence that says what to change.

use crate::grader::{Expected, Grader};
use crate::markdown;
use crate::pack::{self, Data, Evaluation, Exercise, LoadError};
use simulator::promql::literals::format_float;
use simulator::promql::{self, QueryTimes, Value};
use std::fmt::Write as _;

/// The check of one exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseReport {
    /// 1-based position in the file.
    pub index: usize,
    /// Its id (`#3` when the id could not be read).
    pub id: String,
    /// What was checked, when the exercise loaded: `2 seeds × 3 times, 2 wrong answers`.
    pub summary: String,
    /// Every problem; empty when the exercise is sound.
    pub problems: Vec<String>,
}

impl ExerciseReport {
    /// Whether the exercise passed every check.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The check of one pack file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackReport {
    /// The file name given.
    pub file: String,
    /// The pack id (empty if unreadable).
    pub pack_id: String,
    /// Problems not tied to one exercise (metadata, syntax, top-level keys).
    pub problems: Vec<String>,
    /// One report per `[[exercise]]` table, in file order.
    pub exercises: Vec<ExerciseReport>,
}

/// Loads and checks the pack in `text`, named `file`.
pub fn check_pack(file: &str, text: &str, grader: &mut Grader) -> PackReport {
    let loaded = pack::load(file, text);
    let mut report = PackReport {
        file: file.to_string(),
        pack_id: loaded.pack.meta.id.clone(),
        problems: Vec::new(),
        exercises: Vec::new(),
    };
    for e in loaded.errors.iter().filter(|e| e.exercise.is_none()) {
        report.problems.push(e.to_string());
    }
    for note in markdown::render(&loaded.pack.meta.description).notes {
        report
            .problems
            .push(format!("{file}: pack.description: {note}"));
    }
    let mut loaded_exercises = loaded.pack.exercises.iter();
    for index in 1..=loaded.exercise_tables {
        let errors: Vec<&LoadError> = loaded
            .errors
            .iter()
            .filter(|e| e.exercise.as_ref().is_some_and(|x| x.index == index))
            .collect();
        if errors.is_empty() {
            let Some(ex) = loaded_exercises.next() else {
                break;
            };
            report.exercises.push(check_exercise(index, ex, grader));
        } else {
            let id = errors
                .iter()
                .find_map(|e| e.exercise.as_ref().and_then(|x| x.id.clone()))
                .unwrap_or_else(|| format!("#{index}"));
            report.exercises.push(ExerciseReport {
                index,
                id,
                summary: String::new(),
                problems: errors.iter().map(|e| e.to_string()).collect(),
            });
        }
    }
    report
}

/// Checks one loaded exercise.
pub fn check_exercise(index: usize, ex: &Exercise, grader: &mut Grader) -> ExerciseReport {
    let mut problems = Vec::new();
    let field = |name: &str| format!("exercise[{index}].{name}");
    // Markdown.
    let mut texts: Vec<(String, &str)> = vec![(field("prompt"), ex.prompt.as_str())];
    for (i, h) in ex.hints.iter().enumerate() {
        texts.push((field(&format!("hints[{}]", i + 1)), h));
    }
    for (i, w) in ex.wrong.iter().enumerate() {
        texts.push((field(&format!("wrong[{}].feedback", i + 1)), &w.feedback));
    }
    for (name, text) in texts {
        let r = markdown::render(text);
        if r.html.trim().is_empty() {
            problems.push(format!("{name}: renders to nothing"));
        }
        for note in r.notes {
            problems.push(format!("{name}: {note}"));
        }
    }
    // Enough data sets and times to catch numbers written into an answer.
    match &ex.data {
        Data::Scenario(s) if s.seeds.len() < 2 => problems.push(format!(
            "{}: grade on at least two seeds, so that an answer with numbers read from one data set fails",
            field("data.seeds")
        )),
        Data::Custom(_) if ex.eval.points() < 2 => problems.push(format!(
            "{}: a custom data set is the same every time; evaluate at two times or more (or over a range) so that an answer with numbers read from it fails",
            field("eval")
        )),
        _ => {}
    }
    let summary = summary(ex);
    let expected = match grader.expected(ex) {
        Ok(x) => x,
        Err(e) => {
            problems.push(format!("{}: {}", field("reference"), e.message));
            return ExerciseReport {
                index,
                id: ex.id.clone(),
                summary,
                problems,
            };
        }
    };
    reference_checks(ex, &expected, &field, grader, &mut problems);
    let own = grader.grade(ex, &ex.reference);
    if !own.pass {
        let why: Vec<String> = own
            .feedback
            .iter()
            .filter(|f| f.fails())
            .map(|f| f.message())
            .collect();
        problems.push(format!(
            "{}: the reference does not pass its own grading: {}",
            field("reference"),
            why.join(" ")
        ));
    }
    for (i, w) in ex.wrong.iter().enumerate() {
        let v = grader.grade(ex, &w.query);
        if v.pass {
            problems.push(format!(
                "{} (line {}): the wrong answer `{}` is accepted; it must be rejected (remove it, or change the exercise's times, seeds or comparison so the difference shows)",
                field(&format!("wrong[{}].query", i + 1)),
                w.line,
                w.query.trim()
            ));
        }
    }
    ExerciseReport {
        index,
        id: ex.id.clone(),
        summary,
        problems,
    }
}

fn reference_checks(
    ex: &Exercise,
    expected: &Expected,
    field: &dyn Fn(&str) -> String,
    grader: &Grader,
    problems: &mut Vec<String>,
) {
    let mut raised: Vec<&str> = Vec::new();
    let mut fingerprints: Vec<String> = Vec::new();
    let mut any_data = false;
    for set in &expected.sets {
        let seed = set
            .seed
            .map(|s| format!(" on seed {s}"))
            .unwrap_or_default();
        let series: usize = set.points.iter().map(|p| count(&p.value)).sum();
        any_data |= series > 0;
        if series == 0 {
            problems.push(format!(
                "{}: the reference returns no data{seed} at any evaluation time",
                field("reference")
            ));
        }
        for p in &set.points {
            fingerprints.push(fingerprint(&p.value));
            for a in &p.annotations {
                let first = !raised.contains(&a.text.as_str());
                raised.push(&a.text);
                if first && !ex.warnings.iter().any(|w| a.text.contains(w.as_str())) {
                    problems.push(format!(
                        "{}: the reference raises \"{}\"{seed} at {}; fix the reference, or declare the annotation in `warnings` if learners should see it",
                        field("reference"),
                        a.text,
                        ex.data.show_time(p.time)
                    ));
                }
            }
        }
    }
    for w in &ex.warnings {
        if !raised.iter().any(|r| r.contains(w.as_str())) {
            problems.push(format!(
                "{}: the declared warning \"{w}\" is never raised by the reference",
                field("warnings")
            ));
        }
    }
    // A range result whose series come and go or change value over the range already
    // depends on the data at each step (an alert that fires during an incident), even if
    // every seed has the same incident.
    let varies_in_time = |v: &Value| match v {
        Value::Matrix(series) => series.iter().any(|s| {
            s.points.len() < ex.eval.points()
                || s.points
                    .iter()
                    .any(|p| p.v.to_bits() != s.points[0].v.to_bits())
        }),
        _ => false,
    };
    let any_varies = expected
        .sets
        .iter()
        .flat_map(|s| s.points.iter())
        .any(|p| varies_in_time(&p.value));
    if any_data
        && fingerprints.len() > 1
        && !any_varies
        && fingerprints.iter().all(|f| *f == fingerprints[0])
    {
        problems.push(format!(
            "{}: the reference gives the same result on every seed and at every time, so an answer with those numbers written in would pass; choose times or seeds where the result changes",
            field("eval")
        ));
    }
    // The data the reference reads must be inside the generated window.
    if let Data::Scenario(s) = &ex.data
        && let Ok(expr) = promql::parse(&ex.reference)
    {
        let starts: Vec<QueryTimes> = match &ex.eval {
            Evaluation::Instant(ts) => ts
                .iter()
                .map(|&t| QueryTimes {
                    start: t,
                    end: t,
                    step: 0,
                })
                .collect(),
            Evaluation::Range { start, end, step } => vec![QueryTimes {
                start: *start,
                end: *end,
                step: *step,
            }],
        };
        for times in starts {
            if let Some((from, _)) = grader.engine().data_range(&expr, times)
                && from < s.window.start
            {
                problems.push(format!(
                    "{}: evaluated at {}, the reference reads data from {}, before the data window starts ({}); move the time later or start the window earlier",
                    field("eval"),
                    ex.data.show_time(times.start),
                    ex.data.show_time(from),
                    ex.data.show_time(s.window.start)
                ));
                break;
            }
        }
    }
}

fn count(v: &Value) -> usize {
    match v {
        Value::Vector(s) => s.len(),
        Value::Matrix(m) => m.len(),
        Value::Scalar { .. } | Value::String { .. } => 1,
    }
}

/// A result without its evaluation time, to compare results across seeds and times.
fn fingerprint(v: &Value) -> String {
    let mut s = String::new();
    match v {
        Value::Scalar { v, .. } => s.push_str(&format_float(*v)),
        Value::String { v, .. } => s.push_str(v),
        Value::Vector(samples) => {
            for x in samples {
                let _ = write!(s, "{} {};", x.labels, format_float(x.v));
            }
        }
        Value::Matrix(series) => {
            for x in series {
                let _ = write!(s, "{}:", x.labels);
                for p in &x.points {
                    let _ = write!(s, " {}", format_float(p.v));
                }
                s.push(';');
            }
        }
    }
    s
}

fn summary(ex: &Exercise) -> String {
    let data = match &ex.data {
        Data::Scenario(s) => format!("{} {}", s.scenario, plural(s.seeds.len(), "seed", "seeds")),
        Data::Custom(_) => "custom data".to_string(),
    };
    let times = match &ex.eval {
        Evaluation::Instant(t) => plural(t.len(), "time", "times"),
        Evaluation::Range { .. } => format!("range of {} steps", ex.eval.points()),
    };
    format!(
        "{data} × {times}, {}, {} rejected",
        plural(ex.hints.len(), "hint", "hints"),
        plural(ex.wrong.len(), "wrong answer", "wrong answers")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
