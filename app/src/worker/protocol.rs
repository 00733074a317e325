//! The messages between the page and the worker.
//!
//! Every request carries an id chosen by the page; the worker answers it with exactly one
//! [`WorkerMessage::Reply`] carrying the same id, possibly after some
//! [`WorkerMessage::Progress`] messages. The worker announces itself with
//! [`WorkerMessage::Ready`] once its wasm has started: messages posted before a worker
//! registers its handler are lost, so the page holds requests until then.
//!
//! Messages travel as JSON strings. The two sides are separate wasm modules, so nothing
//! richer than what both deserialize is shared anyway; JSON is readable in the browser's
//! devtools, and the largest payload, a query result, is already defined as the Prometheus
//! API's JSON ([`crate::result::QueryResult`]).

use crate::course::feedback::GradeReport;
use crate::course::pack::{ExerciseDetail, PackSummary};
use crate::editor::functions::FunctionDocs;
use crate::editor::metadata::MetadataSnapshot;
use crate::explain::ExplainReport;
use crate::result::{QueryError, QueryResult};
use crate::state::catalog::ScenarioSummary;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A request with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Chosen by the page, unique per worker instance.
    pub id: u64,
    /// What is asked.
    pub request: Request,
}

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Parse a query and report its errors (for the editor's underlines).
    Parse {
        /// The query text.
        query: String,
    },
    /// Print a query in canonical form.
    Format {
        /// The query text.
        query: String,
    },
    /// The query's tree for the Explain tab, with a sentence per node and learner hints.
    Explain {
        /// The query text.
        query: String,
        /// What is known about the data source's metrics, for the hints.
        metadata: MetadataSnapshot,
        /// The data to evaluate each node on, for per-node statistics and the hints that
        /// need results; `None` explains the text alone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<ExplainData>,
    },
    /// The scenario catalog.
    Scenarios,
    /// Metric names, types, help, labels and values of one scenario.
    Metadata {
        /// The scenario's name.
        scenario: String,
        /// The seed.
        seed: u64,
    },
    /// Run a query on a scenario.
    Evaluate(EvalRequest),
    /// The engine's function table (names, signatures, docs, examples) for completion, so
    /// the page need not link the table and the implementations its entries hold.
    Functions,
    /// The built-in course's packs (loaded again, so they replace any pack with their id).
    Course,
    /// Load a pack from its text (fetched from a URL or read from a file by the page).
    LoadPack {
        /// The name load errors cite: the URL or the file name.
        file: String,
        /// The TOML text.
        text: String,
    },
    /// One exercise of a loaded pack, for the exercise view.
    Exercise {
        /// The pack's id.
        pack: String,
        /// The exercise's id.
        exercise: String,
    },
    /// Grade an answer; progress messages come while it runs.
    Grade {
        /// The pack's id.
        pack: String,
        /// The exercise's id.
        exercise: String,
        /// The learner's query.
        query: String,
    },
    /// Server grading, step 1: a verdict from the text alone, or the paths to send.
    ServerPlan {
        /// The pack's id.
        pack: String,
        /// The exercise's id.
        exercise: String,
        /// The learner's query.
        query: String,
        /// The page's clock: the exercise's window is moved to end before it.
        now_ms: i64,
    },
    /// Server grading, step 2: the verdict from the server's answers.
    ServerGrade {
        /// The pack's id.
        pack: String,
        /// The exercise's id.
        exercise: String,
        /// The learner's query.
        query: String,
        /// The same clock as the plan's.
        now_ms: i64,
        /// The bodies answering the reference's paths.
        reference: Vec<String>,
        /// The bodies answering the learner's paths.
        learner: Vec<String>,
    },
    /// Run a query, or the reference, on an exercise's data, for display. Answered with
    /// [`Reply::Evaluated`].
    ExerciseResult {
        /// The pack's id.
        pack: String,
        /// The exercise's id.
        exercise: String,
        /// The learner's query; `None` runs the reference (the expected result).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
        /// For an instant exercise, which of its times; `None` for its last.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_ms: Option<i64>,
    },
}

/// A query to run on a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalRequest {
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// The query text.
    pub query: String,
    /// When to evaluate it.
    pub range: EvalRange,
}

/// Where the Explain tab evaluates a query's nodes: instant queries at one time, as the
/// Prometheus UI's tree view does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainData {
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// The evaluation time, Unix milliseconds (the Table's time).
    pub time_ms: i64,
}

/// An instant or a range query's times, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvalRange {
    /// One evaluation time (the Table tab).
    Instant {
        /// The time.
        time_ms: i64,
    },
    /// Evaluation at every step from start to end (the Graph tab).
    Range {
        /// First step.
        start_ms: i64,
        /// Last step (inclusive when it falls on a step).
        end_ms: i64,
        /// Resolution.
        step_ms: i64,
    },
}

/// What the worker sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerMessage {
    /// The worker has started and handles requests from now on.
    Ready {
        /// The simulator crate's version.
        version: String,
        /// Whether this build has the PromQL evaluator.
        engine: bool,
    },
    /// A long request is under way.
    Progress {
        /// The request's id.
        id: u64,
        /// How far it is.
        progress: Progress,
    },
    /// The one answer to a request.
    Reply {
        /// The request's id.
        id: u64,
        /// The answer or the reason there is none.
        outcome: Result<Reply, WorkerError>,
    },
}

/// How far a long request is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// What is being done ("generating samples", "evaluating").
    pub stage: String,
    /// Units done.
    pub done: u64,
    /// Units in all, when known.
    pub total: Option<u64>,
}

/// The answers, one variant per request type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Reply {
    /// For [`Request::Parse`].
    Parsed(ParseOutcome),
    /// For [`Request::Format`]: the canonical text.
    Formatted(String),
    /// For [`Request::Explain`].
    Explained(ExplainReport),
    /// For [`Request::Scenarios`].
    Scenarios(Vec<ScenarioSummary>),
    /// For [`Request::Metadata`].
    Metadata(MetadataSnapshot),
    /// For [`Request::Evaluate`]: exactly what Prometheus' API returns, plus the spans of
    /// its annotations.
    Evaluated(Evaluation),
    /// For [`Request::Functions`].
    Functions(FunctionDocs),
    /// For [`Request::Course`].
    Course(Vec<PackSummary>),
    /// For [`Request::LoadPack`].
    PackLoaded(PackSummary),
    /// For [`Request::Exercise`].
    Exercise(Box<ExerciseDetail>),
    /// For [`Request::Grade`] and [`Request::ServerGrade`].
    Graded(GradeReport),
    /// For [`Request::ServerPlan`].
    ServerPlanned(crate::worker::course::ServerStep),
}

/// A query's result with what the API's JSON cannot carry.
///
/// On the wire it is the API response body itself (`status`, `data`, `warnings`, ...), with
/// one more key, `annotationSpans`, when there are annotations: a reader of the API body
/// ignores it, and the page underlines from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The result, as Prometheus' API returns it.
    #[serde(flatten)]
    pub result: QueryResult,
    /// Where in the query each warning and info is, in the order of the result's lists
    /// (warnings first).
    #[serde(
        default,
        rename = "annotationSpans",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub annotations: Vec<AnnotationSpan>,
}

impl Evaluation {
    /// A result without annotation spans.
    pub fn new(result: QueryResult) -> Evaluation {
        Evaluation {
            result,
            annotations: Vec::new(),
        }
    }
}

/// The node a warning or info is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotationSpan {
    /// First byte of the node in the query.
    pub start: u32,
    /// One past its last byte.
    pub end: u32,
    /// A warning (`true`) or an info.
    pub warning: bool,
    /// The annotation's text, without the position.
    pub message: String,
}

/// The parser's verdict on a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOutcome {
    /// Problems, empty when the query parses.
    pub diagnostics: Vec<Diagnostic>,
    /// The result type ("instant vector", ...) when it parses.
    pub result_type: Option<String>,
}

/// A parse error as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// First byte of the span.
    pub start: u32,
    /// One past the last byte; equal to `start` when something is missing there.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column (in characters) of `start`.
    pub col: u32,
    /// What is wrong.
    pub message: String,
    /// What was probably meant.
    pub hint: Option<String>,
}

/// Why a request has no answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum WorkerError {
    /// This build has no PromQL evaluator (it arrives with issue 5).
    EngineUnavailable,
    /// No scenario has that name.
    UnknownScenario(String),
    /// The scenario exists but cannot be built (a bug in its declarations).
    Scenario(String),
    /// The query does not parse.
    InvalidQuery(Vec<Diagnostic>),
    /// No pack with that id is loaded in this worker (it was restarted since).
    UnknownPack(String),
    /// The pack has no exercise with that id (`pack/exercise`).
    UnknownExercise(String),
    /// The engine refused or failed, with the API's category and text.
    Query(QueryError),
    /// The request was cancelled; the worker was restarted.
    Cancelled,
    /// The worker stopped (a panic, out of memory); it is restarted on the next request.
    Crashed(String),
    /// The worker could not be started at all.
    Unavailable(String),
    /// A message did not follow the protocol (a bug, or two builds mixed up by a cache).
    Protocol(String),
    /// A Prometheus-compatible server (the data source) gave no result: what happened and
    /// what to do (`datasource::SourceError` and its hint). Never sent by the worker.
    Source {
        /// What happened.
        message: String,
        /// What the user can do.
        hint: String,
    },
}

impl From<crate::datasource::SourceError> for WorkerError {
    fn from(e: crate::datasource::SourceError) -> WorkerError {
        match e {
            crate::datasource::SourceError::Cancelled => WorkerError::Cancelled,
            e => WorkerError::Source {
                message: e.to_string(),
                hint: e.hint(),
            },
        }
    }
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::EngineUnavailable => f.write_str(
                "The PromQL engine is not available in this build yet: queries cannot run. \
                 Parsing, formatting and the Explain tree work.",
            ),
            WorkerError::UnknownScenario(s) => write!(f, "There is no scenario named {s:?}."),
            WorkerError::Scenario(m) => write!(f, "The scenario cannot be built: {m}"),
            WorkerError::InvalidQuery(d) => match d.first() {
                Some(d) => write!(f, "{}:{}: {}", d.line, d.col, d.message),
                None => f.write_str("The query does not parse."),
            },
            WorkerError::UnknownPack(p) => write!(f, "No pack with the id {p:?} is loaded."),
            WorkerError::UnknownExercise(e) => write!(f, "There is no exercise {e:?}."),
            WorkerError::Query(e) => write!(f, "{e}"),
            WorkerError::Cancelled => f.write_str("Cancelled."),
            WorkerError::Crashed(m) => write!(
                f,
                "The query engine stopped: {m}. It restarts on the next request."
            ),
            WorkerError::Unavailable(m) => write!(f, "The query engine could not start: {m}"),
            WorkerError::Protocol(m) => write!(f, "Unexpected message from the query engine: {m}"),
            WorkerError::Source { message, .. } => f.write_str(message),
        }
    }
}

/// Serializes a message for `postMessage`.
pub fn encode<T: Serialize>(msg: &T) -> Result<String, WorkerError> {
    serde_json::to_string(msg).map_err(|e| WorkerError::Protocol(e.to_string()))
}

/// Reads a message received from `postMessage`.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, WorkerError> {
    serde_json::from_str(text).map_err(|e| WorkerError::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{ResultData, Sample};

    #[test]
    fn requests_and_messages_round_trip_as_json() {
        let requests = vec![
            Request::Parse { query: "up".into() },
            Request::Format {
                query: "sum(x)by(a)".into(),
            },
            Request::Explain {
                query: "up".into(),
                metadata: MetadataSnapshot::default(),
                data: None,
            },
            Request::Explain {
                query: "up".into(),
                metadata: MetadataSnapshot::default(),
                data: Some(ExplainData {
                    scenario: "demo".into(),
                    seed: 2,
                    time_ms: 1_000,
                }),
            },
            Request::Scenarios,
            Request::Functions,
            Request::Course,
            Request::LoadPack {
                file: "mine.toml".into(),
                text: "[pack]".into(),
            },
            Request::Exercise {
                pack: "p".into(),
                exercise: "e".into(),
            },
            Request::Grade {
                pack: "p".into(),
                exercise: "e".into(),
                query: "up".into(),
            },
            Request::ExerciseResult {
                pack: "p".into(),
                exercise: "e".into(),
                query: None,
                time_ms: Some(5),
            },
            Request::Metadata {
                scenario: "demo".into(),
                seed: 7,
            },
            Request::Evaluate(EvalRequest {
                scenario: "demo".into(),
                seed: 1,
                query: "up".into(),
                range: EvalRange::Range {
                    start_ms: 0,
                    end_ms: 3_600_000,
                    step_ms: 14_000,
                },
            }),
        ];
        for (id, request) in requests.into_iter().enumerate() {
            let env = Envelope {
                id: id as u64,
                request,
            };
            let back: Envelope = decode(&encode(&env).unwrap()).unwrap();
            assert_eq!(back, env);
        }
        let messages = vec![
            WorkerMessage::Ready {
                version: "0.1.0".into(),
                engine: false,
            },
            WorkerMessage::Progress {
                id: 3,
                progress: Progress {
                    stage: "evaluating".into(),
                    done: 10,
                    total: Some(240),
                },
            },
            WorkerMessage::Reply {
                id: 4,
                outcome: Ok(Reply::Evaluated(Evaluation::new(QueryResult::new(
                    ResultData::Scalar(Sample { t_ms: 1000, v: 1.0 }),
                )))),
            },
            WorkerMessage::Reply {
                id: 6,
                outcome: Ok(Reply::Evaluated(Evaluation {
                    result: QueryResult::new(ResultData::Vector(vec![])),
                    annotations: vec![AnnotationSpan {
                        start: 5,
                        end: 9,
                        warning: false,
                        message: "PromQL info: metric might not be a counter".into(),
                    }],
                })),
            },
            WorkerMessage::Reply {
                id: 5,
                outcome: Err(WorkerError::EngineUnavailable),
            },
        ];
        for m in messages {
            let back: WorkerMessage = decode(&encode(&m).unwrap()).unwrap();
            assert_eq!(back, m);
        }
    }

    #[test]
    fn the_evaluated_reply_carries_the_api_body_verbatim() {
        let m = WorkerMessage::Reply {
            id: 1,
            outcome: Ok(Reply::Evaluated(Evaluation::new(QueryResult::new(
                ResultData::Vector(vec![]),
            )))),
        };
        assert_eq!(
            encode(&m).unwrap(),
            r#"{"type":"reply","id":1,"outcome":{"Ok":{"type":"evaluated","value":{"status":"success","data":{"resultType":"vector","result":[]}}}}}"#
        );
    }

    #[test]
    fn garbage_is_a_protocol_error_not_a_panic() {
        assert!(matches!(
            decode::<WorkerMessage>("{"),
            Err(WorkerError::Protocol(_))
        ));
        assert!(matches!(
            decode::<Envelope>(r#"{"id":1,"request":{"type":"nope"}}"#),
            Err(WorkerError::Protocol(_))
        ));
    }
}
