//! Grading on a real server: the same comparison and feedback as local grading, on results
//! a Prometheus-compatible server computed.
//!
//! The library still does no I/O. Grading is split around the requests the caller sends:
//!
//! 1. [`precheck`]: what the query text alone decides (parse errors with the parser's span
//!    and hint, the result type, constraints, a query that reads no data). When it gives a
//!    verdict, nothing needs to be sent.
//! 2. [`plan`]: the requests both queries need ([`ServerRequest`], each with the path of
//!    `/api/v1/query` or `/api/v1/query_range` for a query text).
//! 3. The caller sends each request for the reference and for the learner's query (the app
//!    with gloo-net, `exercises grade --prometheus` with a blocking client) and reads each
//!    body with [`ApiResponse::from_json`].
//! 4. [`grade_results`]: the verdict, from the two lists of responses in plan order.
//!
//! **Which data.** A server holds what it holds: one data set, not the exercise's seeds, so
//! an exercise is graded on one data set there (a hard-coded number is caught by the
//! several evaluation times only). **Which times**, by [`Placement`]: the exercise's own
//! times ([`Placement::AsWritten`], for a server holding a backfilled `simulator export`
//! of the exercise's window, which is what the export writes by default), or the exercise's
//! window moved so that it ends at a time the caller names ([`Placement::EndingAt`]), every
//! evaluation time keeping its distance from the window's end. For a server scraping
//! `simulator serve`, whose incidents recur daily in UTC, a time of day equal to the
//! window's end's (12:00 UTC for the default windows) lands on the same incidents; the
//! server must have scraped for the window's length before it.
//!
//! Custom data sets (`load` notation) exist only in our engine, so such exercises cannot be
//! graded on a server ([`PlanError::CustomData`]). When the reference finds no data at any
//! time, the server does not hold the exercise's data there, and the verdict says so
//! rather than passing an empty answer.

use super::{Judged, Tally, emptiness, finish, prepare, reads_data};
use crate::api::{ApiError, ApiResponse};
use crate::grader::{At, Feedback, Verdict};
use crate::pack::{Data, Evaluation, Exercise};
use simulator::promql::value::format_api_time;
use simulator::promql::{Annotation, Severity, Value};
use std::collections::BTreeSet;
use std::fmt;

/// Where an exercise's evaluation times land on the server's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// At the exercise's own times: the server holds the exercise's window (backfilled
    /// from `simulator export` of the same scenario and window).
    AsWritten,
    /// The exercise's window moved to end at this time (Unix ms); each evaluation time
    /// keeps its distance from the window's end.
    EndingAt(i64),
}

/// One request the server must answer, once for the reference and once for the learner's
/// query. Times are Unix ms on the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerRequest {
    /// `/api/v1/query` at `time`.
    Instant {
        /// The evaluation time.
        time: i64,
    },
    /// `/api/v1/query_range`.
    Range {
        /// First step.
        start: i64,
        /// Last step.
        end: i64,
        /// Milliseconds between steps.
        step: i64,
    },
}

impl ServerRequest {
    /// The path and query string asking the server to evaluate `query`, to append to the
    /// server's base URL (`http://127.0.0.1:9090` + path): `/api/v1/query?query=...&time=...`
    /// or `/api/v1/query_range?query=...&start=...&end=...&step=...`, times in seconds as the
    /// API writes them.
    pub fn path(&self, query: &str) -> String {
        let q = crate::api::encode_query_value(query);
        match *self {
            ServerRequest::Instant { time } => {
                format!("/api/v1/query?query={q}&time={}", format_api_time(time))
            }
            ServerRequest::Range { start, end, step } => format!(
                "/api/v1/query_range?query={q}&start={}&end={}&step={}",
                format_api_time(start),
                format_api_time(end),
                format_api_time(step)
            ),
        }
    }

    /// The time the grader reports a difference at: the instant, or the range's start.
    fn time(&self) -> i64 {
        match *self {
            ServerRequest::Instant { time } => time,
            ServerRequest::Range { start, .. } => start,
        }
    }
}

/// The requests of one exercise on a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPlan {
    /// Milliseconds added to the exercise's times (0 for [`Placement::AsWritten`]).
    pub shift: i64,
    /// In the order [`grade_results`] expects the responses.
    pub requests: Vec<ServerRequest>,
}

/// Why an exercise cannot be graded on a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// Its data is a custom data set that only our engine holds.
    CustomData,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::CustomData => f.write_str(
                "this exercise uses its own data set (`load` notation), which a server does not hold; grade it with the simulator",
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// The requests grading `exercise` on a server needs, with its times placed by `placement`.
pub fn plan(exercise: &Exercise, placement: Placement) -> Result<ServerPlan, PlanError> {
    let Data::Scenario(data) = &exercise.data else {
        return Err(PlanError::CustomData);
    };
    let shift = match placement {
        Placement::AsWritten => 0,
        Placement::EndingAt(t) => t.saturating_sub(data.window.end),
    };
    let requests = match &exercise.eval {
        Evaluation::Instant(times) => times
            .iter()
            .map(|t| ServerRequest::Instant {
                time: t.saturating_add(shift),
            })
            .collect(),
        Evaluation::Range { start, end, step } => vec![ServerRequest::Range {
            start: start.saturating_add(shift),
            end: end.saturating_add(shift),
            step: *step,
        }],
    };
    Ok(ServerPlan { shift, requests })
}

/// The verdict the query text alone gives (it does not parse, has the wrong type, breaks a
/// constraint, reads no data), before anything is sent; `None` when the server's results
/// are needed.
pub fn precheck(exercise: &Exercise, query: &str) -> Option<Verdict> {
    prepare(exercise, query).err()
}

/// Grades `query` from the server's responses: `reference[i]` and `learner[i]` answer
/// `plan.requests[i]` for the exercise's reference and for `query`. Comparison rules and
/// feedback are local grading's; a server error on the learner's query is an evaluation
/// error with the server's message, on the reference an internal error.
pub fn grade_results(
    exercise: &Exercise,
    plan: &ServerPlan,
    query: &str,
    reference: &[ApiResponse],
    learner: &[ApiResponse],
) -> Verdict {
    let prepared = match prepare(exercise, query) {
        Ok(p) => p,
        Err(verdict) => return verdict,
    };
    let mut feedback = prepared.feedback;
    let n = plan.requests.len();
    if reference.len() != n || learner.len() != n {
        feedback.push(Feedback::Internal {
            message: format!(
                "grading needs {n} answers from the server for each query; it got {} for the reference and {} for the answer",
                reference.len(),
                learner.len()
            ),
        });
        return Verdict::from_feedback(feedback);
    }
    let at = |t: i64| At {
        seed: None,
        time: t,
        time_text: exercise.data.show_time(t),
    };
    let keep_order = exercise.compare.ordered;
    let whole = prepared.learner.span;
    let mut tally = Tally::default();
    let mut reference_notes = BTreeSet::new();
    let mut reference_has_data = false;
    for ((request, want), got) in plan.requests.iter().zip(reference).zip(learner) {
        let time = request.time();
        let expected = match want.value(keep_order) {
            Ok(v) => v,
            Err(e) => {
                feedback.push(Feedback::Internal {
                    message: format!(
                        "the reference fails on the server at {}: {e}",
                        exercise.data.show_time(time)
                    ),
                });
                return Verdict::from_feedback(feedback);
            }
        };
        reference_has_data |= !matches!(&expected, Value::Vector(v) if v.is_empty())
            && !matches!(&expected, Value::Matrix(m) if m.is_empty());
        reference_notes.extend(want.annotations().map(String::from));
        let result = match got.value(keep_order) {
            Ok(v) => v,
            Err(ApiError::Server { message, .. }) => {
                feedback.push(Feedback::EvalError {
                    message,
                    hint: None,
                    span: whole,
                    at: at(time),
                });
                return Verdict::from_feedback(feedback);
            }
            Err(e) => {
                feedback.push(Feedback::Internal {
                    message: format!(
                        "the server's answer to your query at {} cannot be read: {e}",
                        exercise.data.show_time(time)
                    ),
                });
                return Verdict::from_feedback(feedback);
            }
        };
        for (severity, texts) in [
            (Severity::Warning, &got.warnings),
            (Severity::Info, &got.infos),
        ] {
            for text in texts {
                tally.note(Annotation {
                    severity,
                    text: text.clone(),
                    span: whole,
                });
            }
        }
        tally.record(exercise, 0, None, time, &expected, result);
    }
    if reads_data(&prepared.reference) && !reference_has_data {
        let scenario = match &exercise.data {
            Data::Scenario(s) => s.scenario.as_str(),
            Data::Custom(_) => "",
        };
        let first = plan.requests.first().map(ServerRequest::time).unwrap_or(0);
        feedback.push(Feedback::Internal {
            message: format!(
                "the reference finds no data on the server at any of the {n} evaluation times (from {}): the server does not hold the `{scenario}` scenario's data there; backfill the exercise's window from `simulator export`, or place the exercise where the server has scraped `simulator serve` long enough",
                exercise.data.show_time(first)
            ),
        });
        return Verdict::from_feedback(feedback);
    }
    // The emptiness walk needs the data; on a server, the learner runs the parts instead.
    let explain = |_: usize, _: i64| {
        emptiness::Reason {
        message: "Run each selector and each part of your query on its own against the server to see which one finds nothing.".into(),
        span: None,
    }
    };
    finish(
        exercise,
        Judged {
            learner: &prepared.learner,
            reference: &prepared.reference,
            feedback,
            tally,
            reference_notes: &reference_notes,
        },
        &explain,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiResponse;

    const PACK: &str = r#"[pack]
id = "p"
title = "P"
version = "1"
author = "tests"
licence = "CC0-1.0"

[[exercise]]
id = "instant"
module = "M"
title = "Instant"
difficulty = "beginner"
prompt = "Up."
reference = 'sum(up)'
hints = ["a", "b"]
data = { scenario = "demo" }
eval = { at = ["08:00", "11:00"] }

[[exercise]]
id = "range"
module = "M"
title = "Range"
difficulty = "beginner"
prompt = "Up."
reference = 'sum(up)'
hints = ["a", "b"]
data = { scenario = "demo" }
eval = { range = { start = "10:00", end = "10:30", step = "30s" } }

[[exercise]]
id = "custom"
module = "M"
title = "Custom"
difficulty = "beginner"
prompt = "Up."
reference = 'sum(x)'
hints = ["a", "b"]
data = { load = """
load 1m
  x 1+1x10
""" }
eval = { at = ["5m"] }
"#;

    fn exercise(id: &str) -> Exercise {
        let loaded = crate::pack::load("p.toml", PACK);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        loaded.pack.exercise(id).unwrap().clone()
    }

    const H: i64 = 3_600_000;
    /// 2026-01-01T08:00:00Z.
    const EIGHT: i64 = 1_767_254_400_000;

    #[test]
    fn plans_place_the_exercise_times() {
        let e = exercise("instant");
        let p = plan(&e, Placement::AsWritten).unwrap();
        assert_eq!(p.shift, 0);
        assert_eq!(
            p.requests,
            [
                ServerRequest::Instant { time: EIGHT },
                ServerRequest::Instant {
                    time: EIGHT + 3 * H
                }
            ]
        );
        // The default window ends at 12:00; ending it a day and an hour later moves every
        // time by as much.
        let p = plan(&e, Placement::EndingAt(EIGHT + 4 * H + 25 * H)).unwrap();
        assert_eq!(p.shift, 25 * H);
        assert_eq!(
            p.requests[0],
            ServerRequest::Instant {
                time: EIGHT + 25 * H
            }
        );
        let p = plan(&exercise("range"), Placement::AsWritten).unwrap();
        assert_eq!(
            p.requests,
            [ServerRequest::Range {
                start: EIGHT + 2 * H,
                end: EIGHT + 2 * H + H / 2,
                step: 30_000
            }]
        );
        assert_eq!(
            plan(&exercise("custom"), Placement::AsWritten),
            Err(PlanError::CustomData)
        );
    }

    #[test]
    fn paths_encode_the_query_and_write_seconds() {
        assert_eq!(
            ServerRequest::Instant { time: 1_500 }.path("sum(rate(x{a=~\"b|c\"}[5m])) > 0.5"),
            "/api/v1/query?query=sum%28rate%28x%7Ba%3D~%22b%7Cc%22%7D%5B5m%5D%29%29%20%3E%200.5&time=1.5"
        );
        assert_eq!(
            ServerRequest::Range {
                start: 60_000,
                end: 120_000,
                step: 15_000
            }
            .path("up"),
            "/api/v1/query_range?query=up&start=60&end=120&step=15"
        );
    }

    fn vector(value: &str) -> ApiResponse {
        ApiResponse::from_json(&format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1,"{value}"]}}]}}}}"#
        ))
        .unwrap()
    }

    fn kinds(v: &Verdict) -> Vec<String> {
        v.feedback
            .iter()
            .map(|f| {
                serde_json::to_value(f).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// One row per situation: reference answers, learner answers, pass, feedback kinds.
    #[test]
    fn verdicts_from_server_answers() {
        let e = exercise("instant");
        let p = plan(&e, Placement::AsWritten).unwrap();
        let empty = ApiResponse::from_json(
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        )
        .unwrap();
        let error = ApiResponse::from_json(
            r#"{"status":"error","errorType":"bad_data","error":"unknown function"}"#,
        )
        .unwrap();
        let warned = ApiResponse {
            warnings: vec!["PromQL warning: something".into()],
            ..vector("3")
        };
        type Row = (
            Vec<ApiResponse>,
            Vec<ApiResponse>,
            bool,
            &'static [&'static str],
        );
        let rows: Vec<Row> = vec![
            (
                vec![vector("3"), vector("2")],
                vec![vector("3"), vector("2")],
                true,
                &[],
            ),
            (
                vec![vector("3"), vector("2")],
                vec![vector("300"), vector("200")],
                false,
                &["values_off"],
            ),
            (
                vec![vector("3"), vector("2")],
                vec![vector("3"), vector("5")],
                false,
                &["values_off", "partly_right"],
            ),
            (
                vec![vector("3"), vector("2")],
                vec![empty.clone(), empty.clone()],
                false,
                &["empty_result"],
            ),
            (
                vec![vector("3"), vector("2")],
                vec![error.clone(), vector("2")],
                false,
                &["eval_error"],
            ),
            (
                vec![error.clone(), vector("2")],
                vec![vector("3"), vector("2")],
                false,
                &["internal"],
            ),
            // The server holds nothing there: not a pass for an empty answer.
            (
                vec![empty.clone(), empty.clone()],
                vec![empty.clone(), empty.clone()],
                false,
                &["internal"],
            ),
            // Too few answers.
            (vec![vector("3")], vec![vector("3")], false, &["internal"]),
            // The learner's own warning is passed on; it does not fail the answer.
            (
                vec![vector("3"), vector("2")],
                vec![warned, vector("2")],
                true,
                &["annotation"],
            ),
        ];
        for (i, (reference, learner, pass, want)) in rows.iter().enumerate() {
            let v = grade_results(&e, &p, "sum(up)", reference, learner);
            assert_eq!(
                (v.pass, kinds(&v)),
                (*pass, want.iter().map(|s| s.to_string()).collect()),
                "row {i}: {v:?}"
            );
        }
        // The text alone decides these, with nothing sent.
        assert!(precheck(&e, "sum(up").is_some_and(|v| kinds(&v) == ["parse_error"]));
        assert!(precheck(&e, "42").is_some_and(|v| !v.pass));
        assert!(precheck(&e, "sum(up{job=\"demo\"})").is_none());
    }
}
