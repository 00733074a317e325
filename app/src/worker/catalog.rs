//! The scenario catalog as the worker serves it: picker summaries and editor metadata,
//! derived from the simulator's built-in scenarios.
//!
//! Both come from a scenario's declarations (targets, families, series, incidents) and
//! need no generated samples, so listing the catalog or opening a scenario is instant.
//! Built scenarios are kept: building is cheap, but every request would otherwise repeat it.

use super::protocol::WorkerError;
use crate::editor::functions::{FunctionDoc, FunctionDocs};
use crate::editor::metadata::{LabelInfo, MetadataSnapshot, MetricInfo, MetricKind};
use crate::state::catalog::{Incident, ScenarioSummary, TargetSummary};
use simulator::scenario::{self, DAY, DEFAULT_ANCHOR, MetricType, Scenario, ScenarioError, Window};
use std::collections::{BTreeMap, BTreeSet};

/// How far around the default window incident occurrences are listed: a week before and a
/// day after, so moving the end time by a few days still shows what happens.
const INCIDENTS_BEFORE: i64 = 7 * DAY;
const INCIDENTS_AFTER: i64 = DAY;

/// The built scenarios, by name.
#[derive(Debug, Default)]
pub struct Catalog {
    built: BTreeMap<String, Scenario>,
}

impl Catalog {
    /// The scenario called `name`, built on first use.
    pub fn scenario(&mut self, name: &str) -> Result<&Scenario, WorkerError> {
        if !self.built.contains_key(name) {
            let s = scenario::by_name(name).map_err(|e| match e {
                ScenarioError::Unknown { name, .. } => WorkerError::UnknownScenario(name),
                e @ ScenarioError::Invalid { .. } => WorkerError::Scenario(e.to_string()),
            })?;
            self.built.insert(name.to_string(), s);
        }
        self.built
            .get(name)
            .ok_or_else(|| WorkerError::UnknownScenario(name.to_string()))
    }

    /// Summaries of every built-in scenario, in the catalog's order.
    pub fn summaries(&mut self) -> Result<Vec<ScenarioSummary>, WorkerError> {
        scenario::names()
            .into_iter()
            .map(|name| self.scenario(name).map(summary))
            .collect()
    }
}

/// The picker's view of a scenario.
pub fn summary(s: &Scenario) -> ScenarioSummary {
    let window = s.default_window(DEFAULT_ANCHOR);
    let around = Window::new(
        window.start - INCIDENTS_BEFORE,
        window.end + INCIDENTS_AFTER,
    );
    let incidents = s
        .occurrences(around)
        .into_iter()
        .filter_map(|o| {
            let i = s.incidents().get(o.incident)?;
            Some(Incident {
                start_ms: o.start,
                end_ms: o.end,
                title: i.title.clone(),
                description: i.description.clone(),
            })
        })
        .collect();
    ScenarioSummary {
        name: s.name().to_string(),
        title: s.title().to_string(),
        description: s.description().to_string(),
        targets: s
            .targets()
            .iter()
            .map(|t| TargetSummary {
                job: t.job.clone(),
                instance: t.instance.clone(),
            })
            .collect(),
        series_count: s.series().len() as u64,
        scrape_interval_ms: s.scrape().interval,
        default_start_ms: window.start,
        default_end_ms: window.end,
        incidents,
    }
}

/// The engine's function table as the page's completion reads it, sorted by name. Only the
/// worker calls this, so only the worker's wasm links the table's implementations.
pub fn function_docs() -> FunctionDocs {
    let mut docs: Vec<FunctionDoc> = simulator::promql::functions::all()
        .map(|f| FunctionDoc {
            name: f.name.to_string(),
            args: f.args.iter().map(|t| t.name().to_string()).collect(),
            variadic: f.variadic,
            returns: f.returns.name().to_string(),
            signature: f.signature(),
            doc: f.doc.to_string(),
            example: f.example.to_string(),
            experimental: f.experimental,
        })
        .collect();
    docs.sort_by(|a, b| a.name.cmp(&b.name));
    FunctionDocs(docs)
}

fn kind(t: MetricType) -> MetricKind {
    match t {
        MetricType::Counter => MetricKind::Counter,
        MetricType::Gauge => MetricKind::Gauge,
        MetricType::Histogram => MetricKind::Histogram,
        MetricType::Summary => MetricKind::Summary,
        MetricType::Unknown => MetricKind::Unknown,
    }
}

/// What the editor and the hints know about a scenario: every series name with its
/// family's TYPE, HELP and UNIT, and the values each label takes.
pub fn metadata(s: &Scenario) -> MetadataSnapshot {
    // series name -> (family index, label name -> values)
    type Labels = BTreeMap<String, BTreeSet<String>>;
    let mut names: BTreeMap<String, (usize, Labels)> = BTreeMap::new();
    for series in s.series() {
        let Some(name) = series.labels.get("__name__") else {
            continue;
        };
        let entry = names
            .entry(name.to_string())
            .or_insert_with(|| (series.family.index(), BTreeMap::new()));
        for (label, value) in series.labels.iter() {
            if label != "__name__" {
                entry
                    .1
                    .entry(label.to_string())
                    .or_default()
                    .insert(value.to_string());
            }
        }
    }
    let metrics = names
        .into_iter()
        .filter_map(|(name, (family, labels))| {
            let f = s.families().get(family)?;
            Some(MetricInfo {
                name,
                family: f.name.clone(),
                kind: kind(f.kind),
                help: f.help.clone(),
                unit: f.unit.clone(),
                labels: labels
                    .into_iter()
                    .map(|(name, values)| LabelInfo {
                        name,
                        values: values.into_iter().collect(),
                    })
                    .collect(),
            })
        })
        .collect();
    MetadataSnapshot {
        metrics,
        scrape_interval_ms: Some(s.scrape().interval),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::MetadataSource;

    #[test]
    fn every_built_in_scenario_is_summarised() {
        let mut c = Catalog::default();
        let list = c.summaries().unwrap();
        let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, scenario::names());
        for s in &list {
            assert!(
                !s.title.is_empty() && !s.description.is_empty(),
                "{}",
                s.name
            );
            assert!(!s.targets.is_empty() && s.series_count > 0, "{}", s.name);
            assert_eq!(s.default_end_ms, DEFAULT_ANCHOR, "{}", s.name);
            // Every default window holds an incident an exercise can ask about.
            assert!(
                !s.incidents_in(s.default_start_ms, s.default_end_ms)
                    .is_empty(),
                "{}",
                s.name
            );
        }
        assert!(matches!(c.scenario("nope"), Err(WorkerError::UnknownScenario(n)) if n == "nope"));
    }

    #[test]
    fn metadata_lists_series_names_with_their_family_and_label_values() {
        let mut c = Catalog::default();
        let m = metadata(c.scenario("demo").unwrap());
        assert_eq!(m.scrape_interval_ms, Some(15_000));
        let up = m.metric("up").unwrap();
        assert_eq!(up.kind, MetricKind::Gauge);
        assert!(
            up.values("job")
                .is_some_and(|v| v.contains(&"demo".to_string()))
        );
        // A histogram's bucket series carries `le` and points at its family.
        let bucket = m
            .metrics
            .iter()
            .find(|i| i.name.ends_with("_bucket"))
            .expect("the demo has a histogram");
        assert_eq!(bucket.kind, MetricKind::Histogram);
        assert!(bucket.values("le").is_some());
        assert_eq!(format!("{}_bucket", bucket.family), bucket.name);
        assert!(bucket.is_counter_like());
        // Sorted by name, as MetadataSource lookups expect.
        let names: Vec<&str> = m.metrics.iter().map(|i| i.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }
}
