//! Running a query in the worker: the engine's result turned into the Prometheus API's
//! shape ([`crate::result::QueryResult`]), with statistics, annotations and their spans.
//!
//! The views read only the API shape, so a result from our engine and one from a real
//! Prometheus look the same to them. What the API cannot carry, the byte spans of the
//! annotations (Prometheus appends only `(line:col)` to the text), travels beside it in
//! [`Evaluation::annotations`], so the editor can underline the node a warning is about.

use super::protocol::{AnnotationSpan, Evaluation, Progress, WorkerError};
use crate::result::{
    ErrorType, InstantSeries, Labels, QueryError, QueryResult, RangeSeries, ResultData, Sample,
    SampleStats, Stats, StringSample, Timings,
};
use simulator::promql::{
    self, Cancelled, Engine, EngineOptions, EvalError, Expr, Limits, QueryTimes, Value,
};
use simulator::tsdb::{self, Tsdb};

/// The engine the worker runs: Prometheus' defaults, except fewer samples held at once.
/// Prometheus' 50 million (400 MB of slots) would take a browser tab down before the limit
/// said anything; 20 million is still far beyond any course query over a day of data.
pub fn engine() -> Engine {
    Engine::new(EngineOptions {
        limits: Limits {
            max_samples: 20_000_000,
            ..Limits::default()
        },
        ..EngineOptions::default()
    })
}

/// How many samples the engine touches between two progress messages to the page. The
/// engine calls its hook every few thousand samples; a message per call would flood the
/// page, one per quarter million is a few per second for a heavy query.
pub const PROGRESS_STRIDE: u64 = 250_000;

/// A clock in milliseconds, for evaluation times. `std::time::Instant` does not exist on
/// `wasm32-unknown-unknown`, so the worker passes the browser's `performance.now()`.
pub type Clock = fn() -> f64;

/// Evaluates `expr` (the text `query`) over `times` on `db`, posting progress through
/// `progress`, and shapes the answer for the page.
pub fn run(
    engine: &Engine,
    db: &Tsdb,
    expr: &Expr,
    query: &str,
    times: QueryTimes,
    clock: Clock,
    progress: &mut dyn FnMut(Progress),
) -> Result<Evaluation, WorkerError> {
    let mut next = PROGRESS_STRIDE;
    let mut hook = |samples: u64| -> Result<(), Cancelled> {
        if samples >= next {
            next = samples.saturating_add(PROGRESS_STRIDE);
            progress(Progress {
                stage: "evaluating".into(),
                done: samples,
                total: None,
            });
        }
        Ok(())
    };
    let started = clock();
    let out = engine
        .query(db, expr, times, &mut hook)
        .map_err(|e| query_error(&e))?;
    let elapsed_ms = (clock() - started).max(0.0);
    let mut result = QueryResult::new(result_data(&out.value));
    result.stats = Some(Stats {
        timings: Timings {
            eval_total_time: elapsed_ms / 1000.0,
        },
        samples: Some(SampleStats {
            total_queryable_samples: out.stats.samples_touched,
            peak_samples: out.stats.peak_samples,
        }),
    });
    result.warnings = out.annotations.warnings(query);
    result.infos = out.annotations.infos(query);
    let annotations = out
        .annotations
        .iter()
        .map(|a| AnnotationSpan {
            start: a.span.start,
            end: a.span.end,
            warning: a.severity == promql::Severity::Warning,
            message: a.text.clone(),
        })
        .collect();
    Ok(Evaluation {
        result,
        annotations,
    })
}

/// An engine error as the page shows it: the engine's own message (Prometheus' words), its
/// hint when it has one, and the API's category.
pub fn query_error(e: &EvalError) -> WorkerError {
    let mut message = e.kind.to_string();
    if let Some(h) = &e.hint {
        message.push_str(" (hint: ");
        message.push_str(h);
        message.push(')');
    }
    WorkerError::Query(QueryError {
        error_type: if e.is_bad_data() {
            ErrorType::BadData
        } else if matches!(e.kind, promql::EvalErrorKind::Cancelled) {
            ErrorType::Canceled
        } else {
            ErrorType::Execution
        },
        message,
    })
}

/// A series' labels in the API's shape.
pub fn labels(l: &tsdb::Labels) -> Labels {
    Labels(
        l.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The engine's value in the API's shape. Order is kept: the engine sorts series by labels
/// unless the query orders them (`sort`, `topk`).
pub fn result_data(v: &Value) -> ResultData {
    match v {
        Value::Scalar { t, v } => ResultData::Scalar(Sample { t_ms: *t, v: *v }),
        Value::String { t, v } => ResultData::String(StringSample {
            t_ms: *t,
            value: v.clone(),
        }),
        Value::Vector(samples) => ResultData::Vector(
            samples
                .iter()
                .map(|s| InstantSeries {
                    metric: labels(&s.labels),
                    value: Sample { t_ms: s.t, v: s.v },
                })
                .collect(),
        ),
        Value::Matrix(series) => ResultData::Matrix(
            series
                .iter()
                .map(|s| RangeSeries {
                    metric: labels(&s.labels),
                    values: s
                        .points
                        .iter()
                        .map(|p| Sample { t_ms: p.t, v: p.v })
                        .collect(),
                })
                .collect(),
        ),
    }
}
