//! Exercise packs in the worker: the built-in course, packs the page loads from a URL or a
//! file, grading, and the results the exercise view shows.
//!
//! The page sends pack text and gets back summaries ([`crate::course::pack`]); it never
//! loads a pack, runs a reference or grades, so every verdict comes from the same
//! `exercises::Grader` the CLI uses. The grader keeps data sets and reference results
//! between checks: the first Check of a module generates its scenario's data for every
//! seed, later ones evaluate the learner's query only.
//!
//! The course's packs are compiled into the worker (`include_str!`), so the course works
//! offline and from any static host with no index file to keep in step; each is about
//! 10 KB of TOML.

use super::protocol::{Evaluation, Progress, WorkerError};
use super::query::{self, Clock};
use crate::course::feedback::{FeedbackDetail, FeedbackItem, GradeReport, LabelPair, ValueRow};
use crate::course::pack::{
    ExerciseDetail, ExerciseEval, ExerciseSummary, ModuleSummary, PackProblem, PackSummary,
};
use exercises::api::ApiResponse;
use exercises::grader::Verdict;
use exercises::grader::server::{self, Placement, ServerRequest};
use exercises::grader::{At, Feedback, LabelDiff, ValueDiff};
use exercises::pack::{Data, Evaluation as EvalSpec, Exercise, Loaded, Pack};
use exercises::{Grader, markdown};
use simulator::promql::literals::format_float;
use simulator::promql::{self, Cancelled, EngineOptions, Limits, QueryTimes};
use std::collections::BTreeMap;

/// The course: the packs in exercises/packs/, in order, with the name errors cite.
pub const COURSE: &[(&str, &str)] = &[
    (
        "exercises/packs/01-selectors.toml",
        include_str!("../../../exercises/packs/01-selectors.toml"),
    ),
    (
        "exercises/packs/02-counters.toml",
        include_str!("../../../exercises/packs/02-counters.toml"),
    ),
    (
        "exercises/packs/03-aggregation.toml",
        include_str!("../../../exercises/packs/03-aggregation.toml"),
    ),
    (
        "exercises/packs/04-ratios.toml",
        include_str!("../../../exercises/packs/04-ratios.toml"),
    ),
    (
        "exercises/packs/05-histograms.toml",
        include_str!("../../../exercises/packs/05-histograms.toml"),
    ),
    (
        "exercises/packs/06-time.toml",
        include_str!("../../../exercises/packs/06-time.toml"),
    ),
    (
        "exercises/packs/07-slo.toml",
        include_str!("../../../exercises/packs/07-slo.toml"),
    ),
    (
        "exercises/packs/08-alerts.toml",
        include_str!("../../../exercises/packs/08-alerts.toml"),
    ),
];

/// The most bytes of pack text the worker reads. The course's largest pack is 13 KB; a
/// megabyte is far beyond any real pack and keeps a wrong URL (a video, a disk image) from
/// being parsed as TOML.
pub const MAX_PACK_BYTES: usize = 1024 * 1024;

/// How many databases the grader keeps: a module's scenario on three seeds, twice over.
const DATA_SETS: usize = 6;

/// The loaded packs and the grader.
#[derive(Debug)]
pub struct Course {
    packs: BTreeMap<String, Pack>,
    grader: Grader,
}

impl Default for Course {
    fn default() -> Course {
        Course::new()
    }
}

impl Course {
    /// No pack loaded yet; the grader holds the worker's sample limit.
    pub fn new() -> Course {
        Course {
            packs: BTreeMap::new(),
            grader: Grader::with_options(
                EngineOptions {
                    limits: Limits {
                        max_samples: 20_000_000,
                        ..Limits::default()
                    },
                    ..EngineOptions::default()
                },
                DATA_SETS,
            ),
        }
    }

    /// Loads the built-in course (again: a pack loaded from elsewhere with a course pack's
    /// id is replaced by the course's own).
    pub fn course(&mut self) -> Vec<PackSummary> {
        COURSE
            .iter()
            .map(|(file, text)| self.load(file, text))
            .collect()
    }

    /// Loads a pack from its text; `file` names it in errors. The summary lists every
    /// problem; the exercises without one can be opened. A pack with the id of one loaded
    /// before replaces it (an instructor reloading an edited file).
    pub fn load(&mut self, file: &str, text: &str) -> PackSummary {
        if text.len() > MAX_PACK_BYTES {
            return PackSummary {
                id: file.to_string(),
                source: file.to_string(),
                title: file.to_string(),
                byline: String::new(),
                description_html: String::new(),
                modules: Vec::new(),
                errors: vec![PackProblem {
                    text: format!(
                        "{file}: the file is {} bytes; a pack may be at most {MAX_PACK_BYTES}",
                        text.len()
                    ),
                    line: 1,
                }],
            };
        }
        let Loaded { pack, errors, .. } = exercises::load(file, text);
        let id = if pack.meta.id.is_empty() {
            file.to_string()
        } else {
            pack.meta.id.clone()
        };
        let summary = summary(&id, file, &pack, &errors);
        self.packs.insert(id, pack);
        summary
    }

    fn exercise(&self, pack: &str, id: &str) -> Result<&Exercise, WorkerError> {
        self.packs
            .get(pack)
            .ok_or_else(|| WorkerError::UnknownPack(pack.to_string()))?
            .exercise(id)
            .ok_or_else(|| WorkerError::UnknownExercise(format!("{pack}/{id}")))
    }

    /// What the exercise view shows before the learner types.
    pub fn detail(&self, pack: &str, id: &str) -> Result<ExerciseDetail, WorkerError> {
        let ex = self.exercise(pack, id)?;
        Ok(detail(pack, ex))
    }

    /// Grades `query`; progress reaches the page while the learner's query runs.
    pub fn grade(
        &mut self,
        pack: &str,
        id: &str,
        query: &str,
        clock: Clock,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<GradeReport, WorkerError> {
        let ex = self.exercise(pack, id)?.clone();
        progress(Progress {
            stage: "grading".into(),
            done: 0,
            total: None,
        });
        let started = clock();
        let mut hook = |samples: u64| -> Result<(), Cancelled> {
            progress(Progress {
                stage: "grading".into(),
                done: samples,
                total: None,
            });
            Ok(())
        };
        let verdict = self.grader.grade_with_progress(&ex, query, &mut hook);
        Ok(report(query, &verdict, (clock() - started).max(0.0)))
    }

    /// Server grading, step 1: a verdict from the query text alone, or the API paths to
    /// send for the reference and for `query`, with the exercise's window moved to end at
    /// the latest time before `now_ms` with the window end's time of day (the incidents of
    /// `simulator serve` recur daily in UTC, so this lands on the same ones).
    pub fn server_plan(
        &mut self,
        pack: &str,
        id: &str,
        query: &str,
        now_ms: i64,
    ) -> Result<ServerStep, WorkerError> {
        let ex = self.exercise(pack, id)?.clone();
        if let Some(v) = server::precheck(&ex, query) {
            return Ok(ServerStep::Verdict(report(query, &v, 0.0)));
        }
        let plan = server_plan_for(&ex, now_ms)?;
        Ok(ServerStep::Requests {
            reference: plan
                .requests
                .iter()
                .map(|r| r.path(&ex.reference))
                .collect(),
            learner: plan.requests.iter().map(|r| r.path(query)).collect(),
        })
    }

    /// Server grading, step 2: the verdict from the server's answers (the bodies, in the
    /// order of [`Course::server_plan`]'s paths) for the same `now_ms`.
    pub fn server_grade(
        &mut self,
        pack: &str,
        id: &str,
        query: &str,
        now_ms: i64,
        reference: &[String],
        learner: &[String],
    ) -> Result<GradeReport, WorkerError> {
        let ex = self.exercise(pack, id)?.clone();
        let plan = server_plan_for(&ex, now_ms)?;
        let parse = |bodies: &[String]| -> Result<Vec<ApiResponse>, WorkerError> {
            bodies
                .iter()
                .map(|b| {
                    ApiResponse::from_json(b).map_err(|e| WorkerError::Source {
                        message: format!("The server's answer is not the Prometheus API: {e}"),
                        hint: String::new(),
                    })
                })
                .collect()
        };
        let verdict =
            server::grade_results(&ex, &plan, query, &parse(reference)?, &parse(learner)?);
        Ok(report(query, &verdict, 0.0))
    }

    /// Runs `query` (the reference when `None`) on the exercise's first data set, at
    /// `time` for an instant exercise (its last time when `None`) or over its range: what
    /// the exercise view shows side by side.
    pub fn result(
        &mut self,
        pack: &str,
        id: &str,
        query: Option<&str>,
        time: Option<i64>,
        clock: Clock,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Evaluation, WorkerError> {
        let ex = self.exercise(pack, id)?.clone();
        let text = query.unwrap_or(&ex.reference);
        let expr = promql::parse(text)
            .map_err(|errors| WorkerError::InvalidQuery(super::host::diagnostics(text, &errors)))?;
        let times = match &ex.eval {
            EvalSpec::Instant(times) => {
                let t = time
                    .filter(|t| times.contains(t))
                    .or_else(|| times.last().copied())
                    .unwrap_or(0);
                QueryTimes {
                    start: t,
                    end: t,
                    step: 0,
                }
            }
            EvalSpec::Range { start, end, step } => QueryTimes {
                start: *start,
                end: *end,
                step: *step,
            },
        };
        progress(Progress {
            stage: "generating samples".into(),
            done: 0,
            total: None,
        });
        let sets = self
            .grader
            .data_sets(&ex)
            .map_err(|e| WorkerError::Scenario(e.message))?;
        let Some(set) = sets.first() else {
            return Err(WorkerError::Scenario("the exercise has no data".into()));
        };
        query::run(
            self.grader.engine(),
            &set.db,
            &expr,
            text,
            times,
            clock,
            progress,
        )
    }
}

fn summary(
    id: &str,
    file: &str,
    pack: &Pack,
    errors: &[exercises::pack::LoadError],
) -> PackSummary {
    let meta = &pack.meta;
    let byline = [
        (!meta.version.is_empty()).then(|| format!("version {}", meta.version)),
        (!meta.author.is_empty()).then(|| format!("by {}", meta.author)),
        (!meta.licence.is_empty()).then(|| format!("licence {}", meta.licence)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    PackSummary {
        id: id.to_string(),
        source: file.to_string(),
        title: if meta.title.is_empty() {
            id.to_string()
        } else {
            meta.title.clone()
        },
        byline,
        description_html: markdown::render(&meta.description).html,
        modules: pack
            .modules()
            .into_iter()
            .map(|(title, list)| ModuleSummary {
                title: title.to_string(),
                exercises: list
                    .into_iter()
                    .map(|e| ExerciseSummary {
                        id: e.id.clone(),
                        title: e.title.clone(),
                        difficulty: difficulty(e),
                    })
                    .collect(),
            })
            .collect(),
        errors: errors
            .iter()
            .map(|e| PackProblem {
                text: e.to_string(),
                line: e.line,
            })
            .collect(),
    }
}

fn difficulty(e: &Exercise) -> String {
    serde_json::to_value(e.difficulty)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn detail(pack: &str, ex: &Exercise) -> ExerciseDetail {
    let (scenario, seeds) = match &ex.data {
        Data::Scenario(s) => (Some(s.scenario.clone()), s.seeds.clone()),
        Data::Custom(_) => (None, Vec::new()),
    };
    let eval = match &ex.eval {
        EvalSpec::Instant(times) => ExerciseEval::Instant {
            times: times.clone(),
            labels: times.iter().map(|&t| clock_time(&ex.data, t)).collect(),
        },
        EvalSpec::Range { start, end, step } => ExerciseEval::Range {
            start: *start,
            end: *end,
            step: *step,
        },
    };
    let data_text = data_text(ex);
    ExerciseDetail {
        pack: pack.to_string(),
        id: ex.id.clone(),
        title: ex.title.clone(),
        module: ex.module.clone(),
        difficulty: difficulty(ex),
        prompt_html: markdown::render(&ex.prompt).html,
        hints_html: ex.hints.iter().map(|h| markdown::render(h).html).collect(),
        reference: ex.reference.clone(),
        scenario,
        seeds,
        eval,
        data_text,
    }
}

/// `09:20 UTC` for a time on the course's day, the full time otherwise; `5m` for custom
/// data.
fn clock_time(data: &Data, t: i64) -> String {
    let full = data.show_time(t);
    match data {
        // 2026-01-01T09:20:00Z -> 09:20 UTC (seconds kept when not zero).
        Data::Scenario(_) => match full.split_once('T') {
            Some((_, time)) => {
                let time = time.trim_end_matches('Z');
                let time = time.strip_suffix(":00").unwrap_or(time);
                format!("{time} UTC")
            }
            None => full,
        },
        Data::Custom(_) => full,
    }
}

fn data_text(ex: &Exercise) -> String {
    let when = match &ex.eval {
        EvalSpec::Instant(times) => format!(
            "evaluated at {}",
            times
                .iter()
                .map(|&t| clock_time(&ex.data, t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        EvalSpec::Range { start, end, step } => format!(
            "evaluated as a range query from {} to {} every {}",
            clock_time(&ex.data, *start),
            clock_time(&ex.data, *end),
            promql::duration::format_ms(*step)
        ),
    };
    match &ex.data {
        Data::Scenario(s) => format!(
            "Data: the {} scenario on {} ({}), {when}.",
            s.scenario,
            if s.seeds.len() == 1 {
                "one seed".to_string()
            } else {
                format!("{} seeds", s.seeds.len())
            },
            s.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Data::Custom(_) => format!("Data: a data set written in the pack, {when}."),
    }
}

fn at_text(at: &At) -> String {
    match at.seed {
        Some(seed) => format!("{} (seed {seed})", at.time_text),
        None => at.time_text.clone(),
    }
}

fn show(l: &simulator::tsdb::Labels) -> String {
    let s = l.to_string();
    if s.is_empty() { "{}".to_string() } else { s }
}

fn value(v: Option<f64>) -> String {
    v.map_or_else(|| "no value".to_string(), format_float)
}

fn span(s: simulator::promql::Span) -> (u32, u32) {
    (s.start, s.end)
}

/// One feedback item for the page: the sentence rendered, the structure kept.
pub fn item(f: &Feedback) -> FeedbackItem {
    let kind = serde_json::to_value(f)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str().map(str::to_string)))
        .unwrap_or_default();
    let detail = match f {
        Feedback::ParseError { span: s, hint, .. } | Feedback::EvalError { span: s, hint, .. } => {
            FeedbackDetail::Span {
                start: s.start,
                end: s.end,
                hint: hint.clone(),
            }
        }
        Feedback::Constraint { span: Some(s), .. } | Feedback::Annotation { span: s, .. } => {
            FeedbackDetail::Span {
                start: s.start,
                end: s.end,
                hint: None,
            }
        }
        Feedback::MissingSeries { at, series, count }
        | Feedback::ExtraSeries { at, series, count } => FeedbackDetail::Series {
            missing: matches!(f, Feedback::MissingSeries { .. }),
            at: at_text(at),
            series: series.iter().map(show).collect(),
            count: *count,
        },
        Feedback::WrongLabels { at, diffs, count } => FeedbackDetail::Labels {
            at: at_text(at),
            diffs: diffs.iter().map(label_pair).collect(),
            count: *count,
        },
        Feedback::ValuesOff {
            examples, count, ..
        } => FeedbackDetail::Values {
            rows: examples.iter().map(value_row).collect(),
            count: *count,
        },
        Feedback::EmptyResult {
            at,
            expected_series,
            reason,
            span: s,
        } => FeedbackDetail::Empty {
            at: at_text(at),
            expected_series: *expected_series,
            reason: reason.clone(),
            span: s.map(span),
        },
        _ => FeedbackDetail::Plain,
    };
    // The grader's sentence for missing or extra series lists them inline; the page lists
    // them below it, so it gets the sentence without the list.
    let message = match f {
        Feedback::MissingSeries { at, count, .. } => format!(
            "Your result lacks {count} series the answer has at {}:",
            at_text(at)
        ),
        Feedback::ExtraSeries { at, count, .. } => format!(
            "Your result has {count} series the answer does not have at {}:",
            at_text(at)
        ),
        _ => f.message(),
    };
    FeedbackItem {
        kind,
        fails: f.fails(),
        message_html: markdown::render(&message).html,
        detail,
    }
}

fn label_pair(d: &LabelDiff) -> LabelPair {
    LabelPair {
        expected: show(&d.expected),
        got: show(&d.got),
        missing: d
            .missing
            .iter()
            .map(|(n, v)| format!("{n}=\"{v}\""))
            .collect(),
        unexpected: d
            .unexpected
            .iter()
            .map(|(n, v)| format!("{n}=\"{v}\""))
            .collect(),
        changed: d
            .changed
            .iter()
            .map(|(n, e, g)| format!("{n}: \"{e}\" → \"{g}\""))
            .collect(),
    }
}

fn value_row(v: &ValueDiff) -> ValueRow {
    ValueRow {
        series: if v.series.is_empty() {
            String::new()
        } else {
            show(&v.series)
        },
        at: at_text(&v.at),
        expected: value(v.expected),
        got: value(v.got),
    }
}

/// What server grading needs next (see [`Course::server_plan`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ServerStep {
    /// The query text alone decided; nothing needs to be sent.
    Verdict(GradeReport),
    /// The API paths to send, the reference's and the learner's, in the same order.
    Requests {
        /// For the exercise's reference query.
        reference: Vec<String>,
        /// For the learner's query.
        learner: Vec<String>,
    },
}

const DAY_MS: i64 = 86_400_000;

/// The exercise's plan with its window ending at the latest time not after `now_ms` that has
/// the window end's UTC time of day.
fn server_plan_for(ex: &Exercise, now_ms: i64) -> Result<server::ServerPlan, WorkerError> {
    let unplanned = |e: server::PlanError| WorkerError::Source {
        message: format!("This exercise cannot be graded on a server: {e}."),
        hint: "Switch the data source to Simulator to check it.".into(),
    };
    let as_written = server::plan(ex, Placement::AsWritten).map_err(unplanned)?;
    let end = as_written
        .requests
        .iter()
        .map(|r| match *r {
            ServerRequest::Instant { time } => time,
            ServerRequest::Range { end, .. } => end,
        })
        .max()
        .unwrap_or(now_ms);
    let at = end + (now_ms - end).div_euclid(DAY_MS) * DAY_MS;
    server::plan(ex, Placement::EndingAt(at)).map_err(unplanned)
}

fn report(query: &str, verdict: &Verdict, grade_ms: f64) -> GradeReport {
    GradeReport {
        query: query.to_string(),
        pass: verdict.pass,
        feedback: verdict.feedback.iter().map(item).collect(),
        grade_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> f64 {
        0.0
    }

    fn grade(c: &mut Course, pack: &str, id: &str, q: &str) -> GradeReport {
        c.grade(pack, id, q, clock, &mut |_| {}).unwrap()
    }

    #[test]
    fn the_course_loads_whole_with_every_module() {
        let mut c = Course::new();
        let packs = c.course();
        assert_eq!(packs.len(), 8);
        let exercises: usize = packs.iter().map(|p| p.exercises().count()).sum();
        assert!(exercises >= 48, "{exercises} exercises");
        for p in &packs {
            assert!(p.errors.is_empty(), "{}: {:?}", p.id, p.errors);
            assert!(!p.modules.is_empty() && !p.title.is_empty());
            assert!(p.byline.contains("version"));
        }
        let first = &packs[0];
        let ex = first.modules[0].exercises[0].clone();
        let d = c.detail(&first.id, &ex.id).unwrap();
        assert!(d.prompt_html.starts_with("<p>"));
        assert!(d.hints_html.len() >= 2);
        assert_eq!(d.scenario.as_deref(), Some("ebanking"));
        assert!(d.data_text.contains("ebanking"), "{}", d.data_text);
        let ExerciseEval::Instant { labels, .. } = &d.eval else {
            panic!("an instant exercise")
        };
        assert_eq!(labels[0], "07:00 UTC");
    }

    #[test]
    fn grading_passes_the_reference_and_explains_a_wrong_answer() {
        let mut c = Course::new();
        c.course();
        let pass = grade(
            &mut c,
            "course-01-selectors",
            "active-sessions",
            "ebanking_active_sessions",
        );
        assert!(pass.pass, "{pass:?}");
        let wrong = grade(
            &mut c,
            "course-01-selectors",
            "critical-fraud-alerts",
            r#"ebanking_fraud_alerts_total{severity="high"}"#,
        );
        assert!(!wrong.pass);
        assert!(
            wrong
                .feedback
                .iter()
                .any(|f| f.fails && !f.message_html.is_empty()),
            "{wrong:?}"
        );
        let parse = grade(
            &mut c,
            "course-01-selectors",
            "active-sessions",
            "rate(ebanking_active_sessions",
        );
        let first = &parse.feedback[0];
        assert_eq!(first.kind, "parse_error");
        assert!(matches!(first.detail, FeedbackDetail::Span { .. }));
        assert!(matches!(
            c.grade("nope", "x", "up", clock, &mut |_| {}),
            Err(WorkerError::UnknownPack(_))
        ));
        assert!(matches!(
            c.detail("course-01-selectors", "nope"),
            Err(WorkerError::UnknownExercise(_))
        ));
    }

    #[test]
    fn server_grading_plans_paths_and_grades_the_servers_answers() {
        let mut c = Course::new();
        c.course();
        let (pack, id) = ("course-01-selectors", "active-sessions");
        // The text alone decides a parse error: nothing to send.
        let step = c
            .server_plan(pack, id, "rate(x", 1_795_000_000_000)
            .unwrap();
        let ServerStep::Verdict(r) = step else {
            panic!("a verdict: {step:?}")
        };
        assert_eq!(r.feedback[0].kind, "parse_error");
        let now = 1_795_247_882_634;
        let step = c
            .server_plan(pack, id, "ebanking_active_sessions", now)
            .unwrap();
        let ServerStep::Requests { reference, learner } = step else {
            panic!("requests: {step:?}")
        };
        assert_eq!(reference.len(), learner.len());
        assert!(!reference.is_empty());
        assert!(learner[0].starts_with("/api/v1/query"), "{learner:?}");
        assert!(
            learner[0].contains("ebanking_active_sessions"),
            "{learner:?}"
        );
        // Each evaluation time is before now, on the window's time of day.
        for p in &learner {
            let t: f64 = p
                .split("time=")
                .nth(1)
                .and_then(|t| t.split('&').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("{p}"));
            assert!(t * 1000.0 <= now as f64, "{p}");
            assert!(now as f64 - t * 1000.0 < 86_400_000.0 * 2.0, "{p}");
        }
        let body = |v: &str| {
            format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"__name__":"ebanking_active_sessions","instance":"a"}},"value":[1795200000,"{v}"]}}]}}}}"#
            )
        };
        let same: Vec<String> = reference.iter().map(|_| body("5")).collect();
        let q = "ebanking_active_sessions";
        let pass = c.server_grade(pack, id, q, now, &same, &same).unwrap();
        assert!(pass.pass, "{pass:?}");
        let other: Vec<String> = reference.iter().map(|_| body("6")).collect();
        let fail = c.server_grade(pack, id, q, now, &same, &other).unwrap();
        assert!(!fail.pass, "{fail:?}");
        let error: Vec<String> = reference
            .iter()
            .map(|_| {
                r#"{"status":"error","errorType":"execution","error":"server says no"}"#.into()
            })
            .collect();
        let failed = c.server_grade(pack, id, q, now, &same, &error).unwrap();
        assert!(!failed.pass);
        assert!(
            failed
                .feedback
                .iter()
                .any(|f| f.message_html.contains("server says no")),
            "{failed:?}"
        );
        assert!(matches!(
            c.server_grade(pack, id, q, now, &same, &["<html>".to_string()]),
            Err(WorkerError::Source { .. })
        ));
    }

    #[test]
    fn structured_feedback_keeps_series_and_values() {
        let mut c = Course::new();
        c.course();
        // A wrong matcher value selects other series: a label-level difference.
        let r = grade(
            &mut c,
            "course-01-selectors",
            "critical-fraud-alerts",
            r#"ebanking_fraud_alerts_total"#,
        );
        assert!(!r.pass);
        assert!(
            r.feedback.iter().any(|f| matches!(
                &f.detail,
                FeedbackDetail::Series { missing: false, series, .. } if !series.is_empty()
            )),
            "{r:?}"
        );
        // The right series with wrong numbers.
        let r = grade(
            &mut c,
            "course-01-selectors",
            "active-sessions",
            "ebanking_active_sessions * 2",
        );
        assert!(!r.pass);
        assert!(
            r.feedback.iter().any(
                |f| matches!(&f.detail, FeedbackDetail::Values { rows, .. } if !rows.is_empty())
                    || matches!(&f.detail, FeedbackDetail::Labels { .. })
            ),
            "{r:?}"
        );
        // Nothing selected: the reason and the matcher responsible.
        let r = grade(
            &mut c,
            "course-01-selectors",
            "critical-fraud-alerts",
            r#"ebanking_fraud_alerts_total{severity="Critical"}"#,
        );
        assert!(
            r.feedback.iter().any(|f| matches!(&f.detail, FeedbackDetail::Empty { reason, span: Some(_), .. } if !reason.is_empty())),
            "{r:?}"
        );
    }

    #[test]
    fn results_run_on_the_first_seed_at_a_chosen_time() {
        let mut c = Course::new();
        c.course();
        let d = c.detail("course-01-selectors", "active-sessions").unwrap();
        let ExerciseEval::Instant { times, .. } = d.eval else {
            panic!("instant")
        };
        let expected = c
            .result(
                "course-01-selectors",
                "active-sessions",
                None,
                Some(times[0]),
                clock,
                &mut |_| {},
            )
            .unwrap();
        let mine = c
            .result(
                "course-01-selectors",
                "active-sessions",
                Some("ebanking_active_sessions"),
                Some(times[0]),
                clock,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(expected.result.data, mine.result.data);
        assert!(expected.result.data.series_count() > 0);
        assert!(matches!(
            c.result(
                "course-01-selectors",
                "active-sessions",
                Some("sum("),
                None,
                clock,
                &mut |_| {}
            ),
            Err(WorkerError::InvalidQuery(_))
        ));
    }

    #[test]
    fn a_broken_pack_reports_file_and_line_and_keeps_the_sound_exercises() {
        let mut c = Course::new();
        let text = r#"[pack]
id = "mine"
title = "Mine"
version = "1"
author = "me"
licence = "CC0-1.0"

[[exercise]]
id = "ok"
module = "M"
title = "Up"
difficulty = "beginner"
prompt = "Select `up`. <script>alert(1)</script>"
reference = "up"
hints = ["a", "b"]
data = { scenario = "demo" }
eval = { at = ["10:00"] }

[[exercise]]
id = "broken"
module = "M"
title = "Broken"
difficulty = "expert"
prompt = "x"
reference = "up"
hints = ["a", "b"]
data = { scenario = "demo" }
eval = { at = ["10:00"] }
"#;
        let s = c.load("mine.toml", text);
        assert_eq!(s.id, "mine");
        assert_eq!(s.exercises().count(), 1);
        assert_eq!(s.errors.len(), 1);
        assert!(s.errors[0].text.starts_with("mine.toml:"), "{:?}", s.errors);
        let d = c.detail("mine", "ok").unwrap();
        assert!(!d.prompt_html.contains("<script>"), "{}", d.prompt_html);
        assert!(d.prompt_html.contains("&lt;script&gt;"));
        let huge = "#".repeat(MAX_PACK_BYTES + 1);
        let s = c.load("huge.toml", &huge);
        assert!(s.modules.is_empty() && s.errors.len() == 1);
    }
}
