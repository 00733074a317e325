//! The worker side: answers the page's requests.
//!
//! [`Host::handle`] is a plain function of the request and the host's state (the scenarios
//! built so far, the data generated so far); [`run`] is the message loop around it in the
//! browser. The scenario catalog and its metadata come from the simulator
//! ([`super::catalog`]); queries run on data generated when first needed and cached
//! ([`super::data`]), through the engine ([`super::query`]).

use super::catalog::{self, Catalog};
use super::course::Course;
use super::data::DataCache;
use super::protocol::{
    Diagnostic, Envelope, EvalRange, ExplainData, ParseOutcome, Progress, Reply, Request,
    WorkerError, WorkerMessage,
};
use super::query::{self, Clock};
use crate::explain;
use simulator::promql::{self, Engine, Expr, ParseError, QueryTimes};
use simulator::tsdb::Tsdb;
use std::sync::Arc;

/// Whether this build contains the PromQL evaluator (the page says so in its header).
pub const ENGINE_AVAILABLE: bool = true;

/// The worker's state across requests.
#[derive(Debug)]
pub struct Host {
    catalog: Catalog,
    data: DataCache,
    engine: Engine,
    clock: Clock,
    course: Course,
}

impl Default for Host {
    fn default() -> Host {
        Host::new()
    }
}

/// Milliseconds from some origin: the browser's high-resolution clock in the worker,
/// `Instant` natively.
#[cfg(target_arch = "wasm32")]
fn default_clock() -> f64 {
    use wasm_bindgen::JsCast;
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
fn default_clock() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

impl Host {
    /// A host with nothing built yet.
    pub fn new() -> Host {
        Host {
            catalog: Catalog::default(),
            data: DataCache::new(),
            engine: query::engine(),
            clock: default_clock,
            course: Course::new(),
        }
    }

    /// How many data windows were generated so far.
    pub fn windows_generated(&self) -> u64 {
        self.data.generated()
    }

    /// Answers one request. `progress` receives updates during long requests.
    pub fn handle(
        &mut self,
        request: Request,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Reply, WorkerError> {
        match request {
            Request::Parse { query } => Ok(Reply::Parsed(match promql::parse(&query) {
                Ok(expr) => ParseOutcome {
                    diagnostics: Vec::new(),
                    result_type: Some(expr.value_type().name().to_string()),
                },
                Err(errors) => ParseOutcome {
                    diagnostics: diagnostics(&query, &errors),
                    result_type: None,
                },
            })),
            Request::Format { query } => promql::parse(&query)
                .map(|expr| Reply::Formatted(promql::format(&expr)))
                .map_err(|errors| WorkerError::InvalidQuery(diagnostics(&query, &errors))),
            Request::Explain {
                query,
                metadata,
                data,
            } => {
                let expr = parse(&query)?;
                let mut report = explain::report(&expr, &query, &metadata);
                if let Some(ExplainData {
                    scenario,
                    seed,
                    time_ms,
                }) = data
                {
                    let times = QueryTimes {
                        start: time_ms,
                        end: time_ms,
                        step: 0,
                    };
                    let db = self.data_for(&scenario, seed, &expr, times, progress)?;
                    explain::evaluation::evaluate(
                        &mut report,
                        &self.engine,
                        &db,
                        &expr,
                        &query,
                        time_ms,
                        self.clock,
                    );
                }
                Ok(Reply::Explained(report))
            }
            Request::Scenarios => self.catalog.summaries().map(Reply::Scenarios),
            Request::Functions => Ok(Reply::Functions(catalog::function_docs())),
            Request::Course => Ok(Reply::Course(self.course.course())),
            Request::LoadPack { file, text } => {
                Ok(Reply::PackLoaded(self.course.load(&file, &text)))
            }
            Request::Exercise { pack, exercise } => self
                .course
                .detail(&pack, &exercise)
                .map(|d| Reply::Exercise(Box::new(d))),
            Request::Grade {
                pack,
                exercise,
                query,
            } => self
                .course
                .grade(&pack, &exercise, &query, self.clock, progress)
                .map(Reply::Graded),
            Request::ServerPlan {
                pack,
                exercise,
                query,
                now_ms,
            } => self
                .course
                .server_plan(&pack, &exercise, &query, now_ms)
                .map(Reply::ServerPlanned),
            Request::ServerGrade {
                pack,
                exercise,
                query,
                now_ms,
                reference,
                learner,
            } => self
                .course
                .server_grade(&pack, &exercise, &query, now_ms, &reference, &learner)
                .map(Reply::Graded),
            Request::ExerciseResult {
                pack,
                exercise,
                query,
                time_ms,
            } => self
                .course
                .result(
                    &pack,
                    &exercise,
                    query.as_deref(),
                    time_ms,
                    self.clock,
                    progress,
                )
                .map(Reply::Evaluated),
            // The seed changes values, not which series exist, so metadata ignores it.
            Request::Metadata { scenario, .. } => self
                .catalog
                .scenario(&scenario)
                .map(|s| Reply::Metadata(catalog::metadata(s))),
            Request::Evaluate(req) => {
                let expr = parse(&req.query)?;
                let times = match req.range {
                    EvalRange::Instant { time_ms } => QueryTimes {
                        start: time_ms,
                        end: time_ms,
                        step: 0,
                    },
                    EvalRange::Range {
                        start_ms,
                        end_ms,
                        step_ms,
                    } => QueryTimes {
                        start: start_ms,
                        end: end_ms,
                        step: step_ms,
                    },
                };
                let db = self.data_for(&req.scenario, req.seed, &expr, times, progress)?;
                query::run(
                    &self.engine,
                    &db,
                    &expr,
                    &req.query,
                    times,
                    self.clock,
                    progress,
                )
                .map(Reply::Evaluated)
            }
        }
    }

    /// The data `expr` reads over `times`, generated if no cached window holds it.
    fn data_for(
        &mut self,
        scenario: &str,
        seed: u64,
        expr: &Expr,
        times: QueryTimes,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Arc<Tsdb>, WorkerError> {
        // A query that selects nothing (`vector(1)`) still needs a database: the one for
        // its times, which later queries can use.
        let need = self
            .engine
            .data_range(expr, times)
            .unwrap_or((times.start, times.end));
        self.data.get(
            &mut self.catalog,
            scenario,
            seed,
            need,
            &mut |done, total| {
                progress(Progress {
                    stage: "generating samples".into(),
                    done,
                    total: Some(total),
                })
            },
        )
    }
}

fn parse(query: &str) -> Result<Expr, WorkerError> {
    promql::parse(query).map_err(|errors| WorkerError::InvalidQuery(diagnostics(query, &errors)))
}

/// The parser's errors as the editor shows them.
pub fn diagnostics(query: &str, errors: &[ParseError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| {
            let at = e.line_col(query);
            Diagnostic {
                start: e.span.start,
                end: e.span.end,
                line: u32::try_from(at.line).unwrap_or(u32::MAX),
                col: u32::try_from(at.col).unwrap_or(u32::MAX),
                message: e.message.clone(),
                hint: e.hint.clone(),
            }
        })
        .collect()
}

/// Answers one message text: the reply to post, and the progress messages posted before it
/// through `post`. A message that is not an envelope gets a protocol error if its id can be
/// read, and nothing otherwise.
pub fn answer(host: &mut Host, text: &str, post: &mut dyn FnMut(&WorkerMessage)) {
    let envelope: Envelope = match super::protocol::decode(text) {
        Ok(e) => e,
        Err(e) => {
            let id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("id").and_then(serde_json::Value::as_u64));
            if let Some(id) = id {
                post(&WorkerMessage::Reply {
                    id,
                    outcome: Err(e),
                });
            }
            return;
        }
    };
    let id = envelope.id;
    let mut on_progress = |progress: Progress| post(&WorkerMessage::Progress { id, progress });
    let outcome = host.handle(envelope.request, &mut on_progress);
    post(&WorkerMessage::Reply { id, outcome });
}

/// The message loop: registers the handler on the worker's global scope, then announces
/// `Ready`. Runs once, from the worker binary's `main`.
pub fn run() {
    #[cfg(target_arch = "wasm32")]
    browser::run();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("the worker runs in a browser only; build it with Trunk (see index.html)");
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::*;
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn post(scope: &DedicatedWorkerGlobalScope, msg: &WorkerMessage) {
        match super::super::protocol::encode(msg) {
            Ok(text) => {
                // Posting a string to our own page cannot fail short of the page going away.
                let _ = scope.post_message(&JsValue::from_str(&text));
            }
            Err(e) => web_sys::console::error_1(&JsValue::from_str(&e.to_string())),
        }
    }

    pub(super) fn run() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let host = RefCell::new(Host::new());
        let reply_scope = scope.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let mut send = |m: &WorkerMessage| post(&reply_scope, m);
            // Messages are handled one at a time, so the host is never borrowed twice.
            if let Ok(mut host) = host.try_borrow_mut() {
                answer(&mut host, &text, &mut send);
            }
        });
        scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        // The handler lives as long as the worker does.
        onmessage.forget();
        post(
            &scope,
            &WorkerMessage::Ready {
                version: simulator::VERSION.to_string(),
                engine: ENGINE_AVAILABLE,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::MetadataSnapshot;
    use crate::result::{ErrorType, ResultData};
    use crate::worker::protocol::{EvalRequest, Evaluation, encode};

    fn handle(request: Request) -> Result<Reply, WorkerError> {
        Host::new().handle(request, &mut |_| {})
    }

    #[test]
    fn parse_reports_errors_with_position_and_hint() {
        let Ok(Reply::Parsed(out)) = handle(Request::Parse {
            query: "rate(http_requests_total)".into(),
        }) else {
            panic!("not a parse reply")
        };
        assert_eq!(out.result_type, None);
        let d = &out.diagnostics[0];
        assert_eq!((d.start, d.end, d.line, d.col), (5, 24, 1, 6));
        assert_eq!(
            d.hint.as_deref(),
            Some("add a range such as [5m]: rate(http_requests_total[5m])")
        );
        assert_eq!(
            handle(Request::Parse { query: "up".into() }),
            Ok(Reply::Parsed(ParseOutcome {
                diagnostics: vec![],
                result_type: Some("instant vector".into())
            }))
        );
    }

    #[test]
    fn format_and_explain_answer_from_the_parser() {
        assert_eq!(
            handle(Request::Format {
                query: "sum(rate(x[5m]))by(job)".into()
            }),
            Ok(Reply::Formatted("sum by (job) (rate(x[5m]))".into()))
        );
        assert!(matches!(
            handle(Request::Format { query: "sum(".into() }),
            Err(WorkerError::InvalidQuery(d)) if !d.is_empty()
        ));
        let Ok(Reply::Explained(report)) = handle(Request::Explain {
            query: "histogram_quantile(0.9, sum(rate(x_bucket[5m])))".into(),
            metadata: MetadataSnapshot::default(),
            data: None,
        }) else {
            panic!("not an explain reply")
        };
        assert_eq!(report.nodes.len(), 5);
        assert_eq!(report.hints[0].rule, "quantile_without_le");
        assert!(!report.evaluated);
    }

    const END: i64 = simulator::scenario::DEFAULT_ANCHOR;

    fn evaluate(host: &mut Host, query: &str, range: EvalRange) -> Result<Reply, WorkerError> {
        host.handle(
            Request::Evaluate(EvalRequest {
                scenario: "demo".into(),
                seed: 1,
                query: query.into(),
                range,
            }),
            &mut |_| {},
        )
    }

    fn evaluated(reply: Result<Reply, WorkerError>) -> Evaluation {
        match reply {
            Ok(Reply::Evaluated(e)) => e,
            other => panic!("not a result: {other:?}"),
        }
    }

    #[test]
    fn queries_run_on_generated_data_that_is_kept() {
        let mut host = Host::new();
        let mut stages = Vec::new();
        let reply = host.handle(
            Request::Evaluate(EvalRequest {
                scenario: "demo".into(),
                seed: 1,
                query: "sum by (job) (rate(demo_api_request_duration_seconds_count[5m]))".into(),
                range: EvalRange::Range {
                    start_ms: END - 6 * 3_600_000,
                    end_ms: END,
                    step_ms: 60_000,
                },
            }),
            &mut |p| stages.push(p.stage),
        );
        let e = evaluated(reply);
        let ResultData::Matrix(m) = &e.result.data else {
            panic!("a range query gives a matrix")
        };
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].metric.get("job"), Some("demo"));
        assert_eq!(m[0].values.len(), 361);
        assert!(e.result.samples_touched().unwrap() > 0);
        assert!(e.result.eval_seconds().unwrap() >= 0.0);
        assert!(stages.iter().any(|s| s == "generating samples"));
        assert_eq!(host.windows_generated(), 1);
        // The Table's instant query and the same range reuse the data.
        let e = evaluated(evaluate(
            &mut host,
            "up",
            EvalRange::Instant { time_ms: END },
        ));
        let ResultData::Vector(v) = &e.result.data else {
            panic!("an instant query gives a vector")
        };
        assert!(!v.is_empty());
        assert!(v.windows(2).all(|w| w[0].metric < w[1].metric), "sorted");
        assert_eq!(host.windows_generated(), 1);
        // Same answer as the simulator's own engine on the same data.
        let sc = simulator::scenario::by_name("demo").unwrap();
        let db = simulator::tsdb::Tsdb::from_scenario(
            &sc,
            1,
            simulator::scenario::Window::new(END - 7 * 3_600_000, END),
        );
        let expr = promql::parse("up").unwrap();
        let direct = Engine::default().instant(&db, &expr, END).unwrap();
        assert_eq!(e.result.data, query::result_data(&direct.value));
    }

    #[test]
    fn annotations_come_with_their_spans_and_errors_with_the_engines_words() {
        let mut host = Host::new();
        let q = "rate(demo_memory_usage_bytes[5m])";
        let e = evaluated(evaluate(&mut host, q, EvalRange::Instant { time_ms: END }));
        assert_eq!(e.result.infos.len(), 1, "{:?}", e.result);
        assert!(e.result.infos[0].contains("might not be a counter"));
        let a = &e.annotations[0];
        assert!(!a.warning);
        assert_eq!(
            &q[a.start as usize..a.end as usize],
            "demo_memory_usage_bytes[5m]"
        );
        let err = evaluate(
            &mut host,
            "demo_num_cpus + on (instance) demo_cpu_usage_seconds_total",
            EvalRange::Instant { time_ms: END },
        );
        assert!(
            matches!(&err, Err(WorkerError::Query(e)) if e.message.starts_with("found duplicate series") && e.error_type == ErrorType::Execution),
            "{err:?}"
        );
        let err = evaluate(
            &mut host,
            "up",
            EvalRange::Range {
                start_ms: END - 86_400_000,
                end_ms: END,
                step_ms: 1_000,
            },
        );
        assert!(
            matches!(&err, Err(WorkerError::Query(e)) if e.message.contains("maximum resolution")),
            "{err:?}"
        );
        assert!(matches!(
            evaluate(&mut host, "up +", EvalRange::Instant { time_ms: END }),
            Err(WorkerError::InvalidQuery(_))
        ));
        let unknown = host.handle(
            Request::Evaluate(EvalRequest {
                scenario: "atlantis".into(),
                seed: 1,
                query: "up".into(),
                range: EvalRange::Instant { time_ms: 0 },
            }),
            &mut |_| {},
        );
        assert_eq!(
            unknown,
            Err(WorkerError::UnknownScenario("atlantis".into()))
        );
    }

    #[test]
    fn explain_with_data_fills_node_stats() {
        let mut host = Host::new();
        let reply = host.handle(
            Request::Explain {
                query: "demo_api_request_duration_seconds_count".into(),
                metadata: MetadataSnapshot::default(),
                data: Some(ExplainData {
                    scenario: "demo".into(),
                    seed: 1,
                    time_ms: END,
                }),
            },
            &mut |_| {},
        );
        let Ok(Reply::Explained(report)) = reply else {
            panic!("not an explain reply: {reply:?}")
        };
        assert!(report.evaluated);
        assert!(report.nodes[0].stats.as_ref().unwrap().series > 0);
    }

    #[test]
    fn the_catalog_and_metadata_come_from_the_simulator() {
        let Ok(Reply::Scenarios(list)) = handle(Request::Scenarios) else {
            panic!("not a catalog")
        };
        assert_eq!(list.len(), simulator::scenario::names().len());
        let Ok(Reply::Metadata(m)) = handle(Request::Metadata {
            scenario: "demo".into(),
            seed: 1,
        }) else {
            panic!("no metadata")
        };
        assert!(m.metrics.iter().any(|i| i.name == "up"));
        assert_eq!(
            handle(Request::Metadata {
                scenario: "atlantis".into(),
                seed: 1
            }),
            Err(WorkerError::UnknownScenario("atlantis".into()))
        );
    }

    #[test]
    fn the_message_loop_replies_with_the_request_id() {
        let mut host = Host::new();
        let mut sent = Vec::new();
        let text = encode(&Envelope {
            id: 42,
            request: Request::Format { query: "up".into() },
        })
        .unwrap();
        answer(&mut host, &text, &mut |m| sent.push(m.clone()));
        assert_eq!(
            sent,
            vec![WorkerMessage::Reply {
                id: 42,
                outcome: Ok(Reply::Formatted("up".into()))
            }]
        );
        sent.clear();
        answer(
            &mut host,
            r#"{"id":7,"request":{"type":"teleport"}}"#,
            &mut |m| sent.push(m.clone()),
        );
        assert!(matches!(
            &sent[..],
            [WorkerMessage::Reply {
                id: 7,
                outcome: Err(WorkerError::Protocol(_))
            }]
        ));
        sent.clear();
        answer(&mut host, "not json", &mut |m| sent.push(m.clone()));
        assert!(sent.is_empty());
    }
}
