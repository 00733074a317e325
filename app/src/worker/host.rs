//! The worker side: answers the page's requests.
//!
//! [`Host::handle`] is a plain function of the request and the host's state (the scenarios
//! built so far); [`run`] is the message loop around it in the browser. The scenario
//! catalog and its metadata come from the simulator ([`super::catalog`]). Until the
//! evaluator (issue 5) is in this build, `Evaluate` answers
//! [`WorkerError::EngineUnavailable`]: the page says so instead of showing invented data.

use super::catalog::{self, Catalog};
use super::protocol::{
    Diagnostic, Envelope, ParseOutcome, Progress, Reply, Request, WorkerError, WorkerMessage,
};
use crate::explain;
use simulator::promql::{self, ParseError};

/// Whether this build contains the PromQL evaluator. Issue 5 sets it when it wires
/// `Request::Evaluate` to the engine.
pub const ENGINE_AVAILABLE: bool = false;

/// The worker's state across requests.
#[derive(Debug, Default)]
pub struct Host {
    catalog: Catalog,
}

impl Host {
    /// A host with nothing built yet.
    pub fn new() -> Host {
        Host::default()
    }

    /// Answers one request. `progress` receives updates during long requests.
    pub fn handle(
        &mut self,
        request: Request,
        _progress: &mut dyn FnMut(Progress),
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
            Request::Explain { query, metadata } => promql::parse(&query)
                .map(|expr| Reply::Explained(explain::report(&expr, &query, &metadata)))
                .map_err(|errors| WorkerError::InvalidQuery(diagnostics(&query, &errors))),
            Request::Scenarios => self.catalog.summaries().map(Reply::Scenarios),
            // The seed changes values, not which series exist, so metadata ignores it.
            Request::Metadata { scenario, .. } => self
                .catalog
                .scenario(&scenario)
                .map(|s| Reply::Metadata(catalog::metadata(s))),
            // Where the evaluator plugs in (issue 5): generate the scenario's TSDB for the
            // request's window (reporting "generating samples" through `progress`, which the
            // page shows with a Cancel button), evaluate `req.range`, and answer
            // `Reply::Evaluated` with the result in the Prometheus API's shape, stats
            // (eval time, samples touched) and annotations included; then set
            // ENGINE_AVAILABLE. Per-node results for Explain fill `ExplainNode::stats`.
            Request::Evaluate(req) => {
                if let Err(errors) = promql::parse(&req.query) {
                    return Err(WorkerError::InvalidQuery(diagnostics(&req.query, &errors)));
                }
                self.catalog.scenario(&req.scenario)?;
                Err(WorkerError::EngineUnavailable)
            }
        }
    }
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
    use crate::worker::protocol::{EvalRange, EvalRequest, encode};

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
        }) else {
            panic!("not an explain reply")
        };
        assert_eq!(report.nodes.len(), 5);
        assert_eq!(report.hints[0].rule, "quantile_without_le");
        assert!(!report.evaluated);
    }

    #[test]
    fn without_the_engine_the_worker_says_so_after_checking_the_request() {
        let eval = |query: &str| {
            handle(Request::Evaluate(EvalRequest {
                scenario: "demo".into(),
                seed: 1,
                query: query.into(),
                range: EvalRange::Instant { time_ms: 0 },
            }))
        };
        assert_eq!(eval("up"), Err(WorkerError::EngineUnavailable));
        assert!(matches!(eval("up +"), Err(WorkerError::InvalidQuery(_))));
        let mut host = Host::new();
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
