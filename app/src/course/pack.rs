//! Packs and exercises as the page sees them: what the worker sends after loading a pack,
//! with every Markdown text already rendered by `exercises::markdown::render`.
//!
//! The page never holds an `exercises::Pack`: loading, the reference queries and grading
//! stay in the worker, and these types carry only what the module list and the exercise
//! view show. Built only by `crate::worker::course`.

use serde::{Deserialize, Serialize};

/// A loaded pack: its metadata, its modules in file order, and every load problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackSummary {
    /// The pack's id (the progress key); the file name when the metadata is broken.
    pub id: String,
    /// Where it came from: `exercises/packs/NAME` for the course, the URL, the file name.
    pub source: String,
    /// The title (the id when it has none).
    pub title: String,
    /// Its version, author and licence, one line.
    pub byline: String,
    /// What the pack teaches, rendered.
    pub description_html: String,
    /// The modules, in the order their first exercise appears.
    pub modules: Vec<ModuleSummary>,
    /// Problems found while loading, each naming the file and line. Exercises with a
    /// problem are left out of `modules`; the others load.
    pub errors: Vec<PackProblem>,
}

impl PackSummary {
    /// The exercise with this id.
    pub fn exercise(&self, id: &str) -> Option<&ExerciseSummary> {
        self.exercises().find(|e| e.id == id)
    }

    /// Every exercise, in order.
    pub fn exercises(&self) -> impl Iterator<Item = &ExerciseSummary> {
        self.modules.iter().flat_map(|m| m.exercises.iter())
    }

    /// Whether the module list should title the modules: not when the pack is one module
    /// named as the pack is (the course's packs are "1. Selectors and matchers" holding the
    /// module "Selectors and matchers"), where a second heading would only repeat the first.
    /// A leading number ("1. ", "2) ") and case are ignored in the comparison.
    pub fn titles_modules(&self) -> bool {
        match self.modules.as_slice() {
            [only] => !same_title(&self.title, &only.title),
            _ => true,
        }
    }

    /// The exercises before and after `id`, across modules.
    pub fn neighbours(&self, id: &str) -> (Option<&ExerciseSummary>, Option<&ExerciseSummary>) {
        let all: Vec<&ExerciseSummary> = self.exercises().collect();
        let Some(i) = all.iter().position(|e| e.id == id) else {
            return (None, None);
        };
        (
            i.checked_sub(1).and_then(|j| all.get(j).copied()),
            all.get(i + 1).copied(),
        )
    }
}

/// Whether two titles read the same once a leading number ("1.", "2)", "3 -") is removed.
fn same_title(a: &str, b: &str) -> bool {
    fn bare(t: &str) -> String {
        t.trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(['.', ')', ':', '-', ' '])
            .trim()
            .to_lowercase()
    }
    let (a, b) = (bare(a), bare(b));
    !a.is_empty() && a == b
}

/// One module of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSummary {
    /// The module's title.
    pub title: String,
    /// Its exercises, in file order.
    pub exercises: Vec<ExerciseSummary>,
}

/// An exercise in the module list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseSummary {
    /// Unique in the pack.
    pub id: String,
    /// The title.
    pub title: String,
    /// `beginner`, `intermediate` or `advanced`.
    pub difficulty: String,
}

/// A problem in a pack file, as `exercises::pack::LoadError` states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackProblem {
    /// `file:line: field: message`, the form editors jump to.
    pub text: String,
    /// The 1-based line.
    pub line: usize,
}

/// Everything the exercise view shows before the learner types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExerciseDetail {
    /// The pack's id.
    pub pack: String,
    /// The exercise's id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The module's title.
    pub module: String,
    /// `beginner`, `intermediate` or `advanced`.
    pub difficulty: String,
    /// The task, rendered.
    pub prompt_html: String,
    /// The hints, rendered, in the order they are revealed.
    pub hints_html: Vec<String>,
    /// The reference answer, shown when the learner asks for it.
    pub reference: String,
    /// The scenario the data comes from, for completion; `None` for a custom data set.
    pub scenario: Option<String>,
    /// The seeds graded on (empty for a custom data set); results are shown on the first.
    pub seeds: Vec<u64>,
    /// When the queries are evaluated.
    pub eval: ExerciseEval,
    /// One sentence on the data and the times, for the learner.
    pub data_text: String,
}

/// When an exercise's queries run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExerciseEval {
    /// Instant queries at these times (Unix ms for a scenario, ms from the first point of
    /// a custom data set), with each time as a learner reads it.
    Instant {
        /// The times.
        times: Vec<i64>,
        /// `09:20 UTC`, `5m`, ...
        labels: Vec<String>,
    },
    /// One range query.
    Range {
        /// First step.
        start: i64,
        /// Last step.
        end: i64,
        /// Milliseconds between steps.
        step: i64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(id: &str) -> ExerciseSummary {
        ExerciseSummary {
            id: id.into(),
            title: id.to_uppercase(),
            difficulty: "beginner".into(),
        }
    }

    #[test]
    fn neighbours_cross_module_boundaries() {
        let pack = PackSummary {
            id: "p".into(),
            source: "p.toml".into(),
            title: "P".into(),
            byline: String::new(),
            description_html: String::new(),
            modules: vec![
                ModuleSummary {
                    title: "One".into(),
                    exercises: vec![ex("a"), ex("b")],
                },
                ModuleSummary {
                    title: "Two".into(),
                    exercises: vec![ex("c")],
                },
            ],
            errors: vec![],
        };
        let ids = |(p, n): (Option<&ExerciseSummary>, Option<&ExerciseSummary>)| {
            (p.map(|e| e.id.clone()), n.map(|e| e.id.clone()))
        };
        assert_eq!(ids(pack.neighbours("a")), (None, Some("b".into())));
        assert_eq!(
            ids(pack.neighbours("b")),
            (Some("a".into()), Some("c".into()))
        );
        assert_eq!(ids(pack.neighbours("c")), (Some("b".into()), None));
        assert_eq!(ids(pack.neighbours("zz")), (None, None));
        assert_eq!(pack.exercise("c").map(|e| e.title.as_str()), Some("C"));
    }

    #[test]
    fn a_pack_of_one_module_named_as_the_pack_does_not_title_it_again() {
        let pack = |title: &str, modules: &[&str]| PackSummary {
            id: "p".into(),
            source: "p.toml".into(),
            title: title.into(),
            byline: String::new(),
            description_html: String::new(),
            modules: modules
                .iter()
                .map(|m| ModuleSummary {
                    title: (*m).into(),
                    exercises: vec![ex("a")],
                })
                .collect(),
            errors: vec![],
        };
        assert!(!pack("1. Selectors and matchers", &["Selectors and matchers"]).titles_modules());
        assert!(!pack("Histograms", &["histograms"]).titles_modules());
        assert!(!pack("12) Alerts", &["Alerts"]).titles_modules());
        assert!(pack("My pack", &["Selectors"]).titles_modules());
        assert!(pack("Basics", &["Basics", "More"]).titles_modules());
        // A title that is only a number says nothing; keep the module's.
        assert!(pack("1", &["1."]).titles_modules());
    }
}
