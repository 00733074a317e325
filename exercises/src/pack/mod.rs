//! Exercise packs: what an instructor writes, as the grader and the app read it.
//!
//! A pack is a TOML file (the format is documented for instructors in
//! `exercises/README.md`): a `[pack]` table of metadata and one `[[exercise]]` table per
//! exercise. [`load`] reads one from text — the library does no I/O, so the CLI reads files
//! and the app fetches URLs — and returns a [`Loaded`]: the exercises that are sound plus a
//! [`LoadError`] for every problem, each naming the file, line and field. Exercises are read
//! one by one, so one broken exercise never hides the others.
//!
//! The types here are the checked form: times are parsed ([`Moment`]), the reference query
//! is known to parse, constraint names are known to the engine, custom data sets are known
//! to be valid `load` notation. What can only be known by running queries (the reference
//! returns data, the wrong answers are rejected) is the validator's job.

mod error;
mod loader;
mod raw;
mod time;

pub use error::{ExerciseRef, LoadError};
pub use loader::load;
pub use time::Moment;

use crate::constraint::Feature;
use serde::Serialize;
use simulator::promqltest::series::SeriesDesc;
use simulator::scenario::Window;

/// The result of loading a pack: everything that loaded, and every problem found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The pack, with only the exercises that loaded without error. When the metadata is
    /// broken its fields are empty; `errors` says why.
    pub pack: Pack,
    /// Every problem, in file order. Empty when the whole pack is sound.
    pub errors: Vec<LoadError>,
    /// How many `[[exercise]]` tables the file has, broken ones included.
    pub exercise_tables: usize,
}

/// An exercise pack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pack {
    /// The `[pack]` table.
    pub meta: PackMeta,
    /// The exercises, in file order.
    pub exercises: Vec<Exercise>,
}

impl Pack {
    /// The exercise with this id.
    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// The modules in the order their first exercise appears, each with its exercises.
    pub fn modules(&self) -> Vec<(&str, Vec<&Exercise>)> {
        let mut out: Vec<(&str, Vec<&Exercise>)> = Vec::new();
        for e in &self.exercises {
            match out.iter_mut().find(|(m, _)| *m == e.module) {
                Some((_, list)) => list.push(e),
                None => out.push((&e.module, vec![e])),
            }
        }
        out
    }
}

/// Who wrote a pack and what it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackMeta {
    /// A short stable name (`promql-basics`): letters, digits, `-` and `_`. The app keys a
    /// learner's progress by pack id and exercise id.
    pub id: String,
    /// The title shown to learners.
    pub title: String,
    /// The pack's own version, free text (`1.0.0`).
    pub version: String,
    /// Who wrote it.
    pub author: String,
    /// Under what licence it may be used (`CC-BY-4.0`).
    pub licence: String,
    /// What the pack teaches, Markdown; may be empty.
    pub description: String,
}

/// How hard an exercise is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// A first contact with the idea.
    Beginner,
    /// Combines ideas.
    Intermediate,
    /// Needs care: edge cases, several steps.
    Advanced,
}

/// One exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Exercise {
    /// Unique within the pack: letters, digits, `-` and `_`.
    pub id: String,
    /// The module it belongs to, by title; the app groups exercises by it.
    pub module: String,
    /// The title.
    pub title: String,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The task, Markdown. It names the expected result's shape (labels, unit).
    pub prompt: String,
    /// The data both queries run on.
    pub data: Data,
    /// When the queries are evaluated.
    pub eval: Evaluation,
    /// The reference answer. It parses; the validator checks it returns data.
    pub reference: String,
    /// How results are compared.
    pub compare: Comparison,
    /// Hints, revealed one at a time, Markdown.
    pub hints: Vec<String>,
    /// Answers that must be rejected, each with what to tell a learner who gives it.
    pub wrong: Vec<WrongAnswer>,
    /// Constructs the answer must or must not use.
    pub constraints: Constraints,
    /// Annotations the reference is expected to raise: each annotation the reference
    /// raises must contain one of these texts.
    pub warnings: Vec<String>,
    /// The 1-based line of the exercise's `[[exercise]]` header.
    pub line: usize,
}

/// The data an exercise runs on.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Data {
    /// A built-in scenario, generated once per seed.
    Scenario(ScenarioData),
    /// A data set written inline in Prometheus' `load` notation.
    Custom(CustomData),
}

/// A scenario and the seeds an answer is graded on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioData {
    /// The scenario's catalog name (`ebanking`).
    pub scenario: String,
    /// The seeds; an answer must be right on every one. At least one, no duplicates.
    pub seeds: Vec<u64>,
    /// The window of data generated (Unix ms, both ends included): the scenario's default
    /// window unless the pack names another.
    pub window: Window,
}

/// A custom data set: `load <interval>` blocks as in Prometheus' test scripts, whose
/// first point is at time 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomData {
    /// The text as written; it identifies the data set in the grader's cache.
    pub text: String,
    /// The parsed blocks.
    #[serde(skip)]
    pub blocks: Vec<LoadBlock>,
}

/// One `load` block.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadBlock {
    /// Milliseconds between a series' points.
    pub interval_ms: i64,
    /// The series.
    pub series: Vec<SeriesDesc>,
}

/// When the queries are evaluated, in Unix ms for scenario data and in ms from the first
/// point for custom data (the times the pack wrote, resolved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluation {
    /// Instant queries at each of these times.
    Instant(Vec<i64>),
    /// One range query.
    Range {
        /// First step.
        start: i64,
        /// Last step (included when on the grid).
        end: i64,
        /// Milliseconds between steps, positive.
        step: i64,
    },
}

impl Evaluation {
    /// How many evaluation times one data set is graded at.
    pub fn points(&self) -> usize {
        match self {
            Evaluation::Instant(times) => times.len(),
            Evaluation::Range { start, end, step } => {
                usize::try_from((end - start) / (*step).max(1) + 1).unwrap_or(usize::MAX)
            }
        }
    }
}

impl Data {
    /// A time as learners should read it: UTC clock time for a scenario, an offset from
    /// the first point for a custom data set.
    pub fn show_time(&self, t: i64) -> String {
        match self {
            Data::Scenario(_) => simulator::timestamp::format_time(t),
            Data::Custom(_) => simulator::promql::duration::format_ms(t),
        }
    }

    /// The seeds graded on; a custom data set has none.
    pub fn seeds(&self) -> &[u64] {
        match self {
            Data::Scenario(s) => &s.seeds,
            Data::Custom(_) => &[],
        }
    }
}

/// How a learner's result is compared with the reference's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Relative tolerance, as Prometheus' test tool uses it (default 1e-6).
    pub tolerance: f64,
    /// Whether the order of an instant vector matters (`sort`, `topk`).
    pub ordered: bool,
    /// Labels removed from both results before comparing.
    pub ignore_labels: Vec<String>,
}

impl Default for Comparison {
    fn default() -> Comparison {
        Comparison {
            tolerance: DEFAULT_TOLERANCE,
            ordered: false,
            ignore_labels: Vec::new(),
        }
    }
}

/// The relative tolerance of Prometheus' test scripts.
pub const DEFAULT_TOLERANCE: f64 = 1e-6;

/// A wrong answer the grader must reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrongAnswer {
    /// The query.
    pub query: String,
    /// What to tell a learner whose answer this is, Markdown.
    pub feedback: String,
    /// The 1-based line of its `query` field.
    pub line: usize,
}

/// Constructs the answer must or must not use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// Each must appear in the answer.
    pub must_use: Vec<Feature>,
    /// None may appear in the answer.
    pub must_not_use: Vec<Feature>,
}

impl Constraints {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.must_use.is_empty() && self.must_not_use.is_empty()
    }
}
