//! The adapter between the runner and our evaluator: query text in, [`Answer`] out.

use super::{Answer, QueryEngine};
use crate::promql::eval::{Engine, EngineOptions};
use crate::promql::{self, Expr};
use crate::tsdb::Tsdb;

/// Our engine with the options Prometheus' test engine uses where they matter (lookback
/// delta 5 minutes, subqueries without a step at 1 minute): the engine's defaults.
#[derive(Debug, Clone, Default)]
pub struct PromqlEngine {
    engine: Engine,
}

impl PromqlEngine {
    /// An adapter for an engine with these options.
    pub fn new(options: EngineOptions) -> PromqlEngine {
        PromqlEngine {
            engine: Engine::new(options),
        }
    }
}

fn parse(query: &str) -> Result<Expr, String> {
    promql::parse(query).map_err(|errors| {
        let first = errors
            .first()
            .map_or("invalid query", |e| e.message.as_str());
        format!("parse error: {first}")
    })
}

impl QueryEngine for PromqlEngine {
    fn instant(&mut self, db: &Tsdb, query: &str, t: i64) -> Result<Answer, String> {
        let expr = parse(query)?;
        let r = self
            .engine
            .instant(db, &expr, t)
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            value: r.value,
            warnings: r.annotations.warnings(query),
            infos: r.annotations.infos(query),
        })
    }

    fn range(
        &mut self,
        db: &Tsdb,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<Answer, String> {
        let expr = parse(query)?;
        let r = self
            .engine
            .range(db, &expr, start, end, step)
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            value: r.value,
            warnings: r.annotations.warnings(query),
            infos: r.annotations.infos(query),
        })
    }
}
