//! What the editor and the learner hints know about the metrics of the data source: names,
//! TYPE and HELP, label names and values, the scrape interval.
//!
//! Two sources fill it. In simulator mode the worker answers one `Metadata` request with the
//! whole scenario (its families and the label values of its series). Against a real
//! Prometheus, issue 8's client fills a [`MetadataSnapshot`] from `/api/v1/metadata`,
//! `/api/v1/labels` and `/api/v1/label/<name>/values`, fetching label values lazily when a
//! completion context asks for them ([`crate::editor::complete::Context::wants`]). Consumers
//! read through the [`MetadataSource`] trait so neither cares which source it was.

use serde::{Deserialize, Serialize};

/// The metric types of the exposition formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// Only goes up, except when the process restarts.
    Counter,
    /// Goes up and down.
    Gauge,
    /// Classic histogram: `_bucket{le}`, `_sum` and `_count` series.
    Histogram,
    /// Summary: quantile series, `_sum` and `_count`.
    Summary,
    /// Info metric: constant 1 with informative labels.
    Info,
    /// State set: one series per state, 1 for the current one.
    Stateset,
    /// Gauge histogram.
    Gaugehistogram,
    /// No TYPE line.
    #[default]
    Unknown,
}

impl MetricKind {
    /// The TYPE keyword.
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
            MetricKind::Summary => "summary",
            MetricKind::Info => "info",
            MetricKind::Stateset => "stateset",
            MetricKind::Gaugehistogram => "gaugehistogram",
            MetricKind::Unknown => "unknown",
        }
    }
}

/// One metric name as it appears in series (`http_request_duration_seconds_bucket`), with its
/// family's metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// The series name.
    pub name: String,
    /// The family it belongs to (`http_request_duration_seconds`); equals `name` for counters
    /// and gauges written without a suffix.
    pub family: String,
    /// The family's TYPE.
    pub kind: MetricKind,
    /// The family's HELP text.
    #[serde(default)]
    pub help: String,
    /// The family's UNIT, if declared.
    #[serde(default)]
    pub unit: String,
    /// The label names of the series with this name and the values each takes, sorted.
    #[serde(default)]
    pub labels: Vec<LabelInfo>,
}

impl MetricInfo {
    /// Whether the series only go up between resets, so `rate()` is what to graph: counters,
    /// and the `_bucket`, `_sum` and `_count` series of histograms and summaries.
    pub fn is_counter_like(&self) -> bool {
        match self.kind {
            MetricKind::Counter => true,
            MetricKind::Histogram => ["_bucket", "_sum", "_count"]
                .iter()
                .any(|s| self.name.ends_with(s)),
            MetricKind::Summary => ["_sum", "_count"].iter().any(|s| self.name.ends_with(s)),
            _ => false,
        }
    }

    /// Whether the series are gauges, on which `rate()` is meaningless.
    pub fn is_gauge_like(&self) -> bool {
        match self.kind {
            MetricKind::Gauge | MetricKind::Info | MetricKind::Stateset => true,
            // A summary's own name carries its quantiles, which go up and down.
            MetricKind::Summary => self.name == self.family,
            _ => false,
        }
    }

    /// The values of one label.
    pub fn values(&self, label: &str) -> Option<&[String]> {
        self.labels
            .iter()
            .find(|l| l.name == label)
            .map(|l| l.values.as_slice())
    }
}

/// A label name and the values it takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelInfo {
    /// The label name.
    pub name: String,
    /// Its values, sorted and without duplicates.
    pub values: Vec<String>,
}

/// Everything known about a data source's metrics at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataSnapshot {
    /// Metric names, sorted by name.
    pub metrics: Vec<MetricInfo>,
    /// The scrape interval in milliseconds, when known (the simulator knows it; a real
    /// Prometheus does not say).
    #[serde(default)]
    pub scrape_interval_ms: Option<i64>,
}

/// Read access to metric metadata, whatever filled it.
pub trait MetadataSource {
    /// Every known metric name, sorted.
    fn metric_names(&self) -> Vec<&str>;
    /// What is known about one metric name.
    fn metric(&self, name: &str) -> Option<&MetricInfo>;
    /// Label names of the series with `metric`, or of all series; sorted, `__name__` excluded.
    fn label_names(&self, metric: Option<&str>) -> Vec<&str>;
    /// Values of `label` on the series with `metric`, or on all series; sorted.
    fn label_values(&self, metric: Option<&str>, label: &str) -> Vec<&str>;
    /// The scrape interval in milliseconds, when known.
    fn scrape_interval_ms(&self) -> Option<i64>;
}

impl MetadataSource for MetadataSnapshot {
    fn metric_names(&self) -> Vec<&str> {
        self.metrics.iter().map(|m| m.name.as_str()).collect()
    }

    fn metric(&self, name: &str) -> Option<&MetricInfo> {
        self.metrics
            .binary_search_by(|m| m.name.as_str().cmp(name))
            .ok()
            .and_then(|i| self.metrics.get(i))
            // A snapshot someone forgot to sort still answers, only slower.
            .or_else(|| self.metrics.iter().find(|m| m.name == name))
    }

    fn label_names(&self, metric: Option<&str>) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .selected(metric)
            .flat_map(|m| m.labels.iter().map(|l| l.name.as_str()))
            .filter(|n| *n != "__name__")
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    fn label_values(&self, metric: Option<&str>, label: &str) -> Vec<&str> {
        if label == "__name__" {
            return self.metric_names();
        }
        let mut values: Vec<&str> = self
            .selected(metric)
            .filter_map(|m| m.values(label))
            .flat_map(|v| v.iter().map(String::as_str))
            .collect();
        values.sort_unstable();
        values.dedup();
        values
    }

    fn scrape_interval_ms(&self) -> Option<i64> {
        self.scrape_interval_ms
    }
}

/// The editor's placeholder when the data source's metrics are not known yet, or it has
/// none: no metric name, since none is sure to exist.
pub const NEUTRAL_PLACEHOLDER: &str = "Type a PromQL query (Ctrl+Space suggests)";

impl MetadataSnapshot {
    /// The editor's placeholder: an example built from a metric this data source has, so
    /// that a learner who copies it gets data. A counter's rate when there is a counter
    /// (the query most tutorials start with), else the first metric's name, else
    /// [`NEUTRAL_PLACEHOLDER`]. The first by name, so the same scenario always shows the
    /// same example.
    pub fn placeholder(&self) -> String {
        let counter = self
            .metrics
            .iter()
            .filter(|m| m.kind == MetricKind::Counter)
            .min_by(|a, b| a.name.cmp(&b.name));
        if let Some(m) = counter {
            return format!("e.g. rate({}[5m])", m.name);
        }
        match self.metrics.iter().min_by(|a, b| a.name.cmp(&b.name)) {
            Some(m) => format!("e.g. {}", m.name),
            None => NEUTRAL_PLACEHOLDER.to_string(),
        }
    }

    /// The metrics a selector's name picks: that one, or all of them when there is no name.
    fn selected<'a>(
        &'a self,
        metric: Option<&str>,
    ) -> Box<dyn Iterator<Item = &'a MetricInfo> + 'a> {
        match metric {
            Some(name) => Box::new(self.metric(name).into_iter()),
            None => Box::new(self.metrics.iter()),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small snapshot shaped like the demo scenario, shared by the editor and hint tests.
    use super::*;

    fn metric(
        name: &str,
        family: &str,
        kind: MetricKind,
        help: &str,
        labels: &[(&str, &[&str])],
    ) -> MetricInfo {
        MetricInfo {
            name: name.into(),
            family: family.into(),
            kind,
            help: help.into(),
            unit: String::new(),
            labels: labels
                .iter()
                .map(|(n, v)| LabelInfo {
                    name: (*n).into(),
                    values: v.iter().map(|s| (*s).into()).collect(),
                })
                .collect(),
        }
    }

    /// Counters, a gauge, a histogram and `up`, with demo-like labels.
    pub(crate) fn demo() -> MetadataSnapshot {
        let inst: &[&str] = &["demo:10000", "demo:10001", "demo:10002"];
        let mut metrics = vec![
            metric(
                "demo_api_request_duration_seconds_bucket",
                "demo_api_request_duration_seconds",
                MetricKind::Histogram,
                "A histogram of the API HTTP request durations in seconds.",
                &[
                    ("instance", inst),
                    ("job", &["demo"]),
                    ("le", &["0.005", "0.01", "0.1", "1", "+Inf"]),
                    ("method", &["GET", "POST"]),
                    ("path", &["/api/bar", "/api/foo"]),
                    ("status", &["200", "500"]),
                ],
            ),
            metric(
                "demo_api_request_duration_seconds_count",
                "demo_api_request_duration_seconds",
                MetricKind::Histogram,
                "A histogram of the API HTTP request durations in seconds.",
                &[("instance", inst), ("job", &["demo"])],
            ),
            metric(
                "demo_cpu_usage_seconds_total",
                "demo_cpu_usage_seconds_total",
                MetricKind::Counter,
                "Total CPU usage in seconds.",
                &[
                    ("instance", inst),
                    ("job", &["demo"]),
                    ("mode", &["idle", "system", "user"]),
                ],
            ),
            metric(
                "demo_memory_usage_bytes",
                "demo_memory_usage_bytes",
                MetricKind::Gauge,
                "Memory usage in bytes.",
                &[
                    ("instance", inst),
                    ("job", &["demo"]),
                    ("type", &["buffers", "cached", "free", "used"]),
                ],
            ),
            metric(
                "http_requests_total",
                "http_requests_total",
                MetricKind::Counter,
                "Total HTTP requests.",
                &[
                    ("instance", inst),
                    ("job", &["demo"]),
                    ("status", &["200", "404", "500"]),
                ],
            ),
            metric(
                "up",
                "up",
                MetricKind::Gauge,
                "1 if the target was scraped successfully, else 0.",
                &[("instance", inst), ("job", &["demo"])],
            ),
        ];
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        MetadataSnapshot {
            metrics,
            scrape_interval_ms: Some(15_000),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::demo;
    use super::*;

    #[test]
    fn lookups_answer_per_metric_and_overall() {
        let m = demo();
        assert_eq!(m.metric("up").map(|i| i.kind), Some(MetricKind::Gauge));
        assert_eq!(m.metric("nope"), None);
        assert_eq!(m.label_names(Some("up")), vec!["instance", "job"]);
        assert!(m.label_names(None).contains(&"le"));
        assert_eq!(
            m.label_values(Some("http_requests_total"), "status"),
            vec!["200", "404", "500"]
        );
        assert_eq!(m.label_values(None, "status"), vec!["200", "404", "500"]);
        assert_eq!(m.label_values(None, "__name__").len(), m.metrics.len());
        assert!(m.label_values(Some("up"), "zone").is_empty());
    }

    #[test]
    fn counter_and_gauge_behaviour_follows_type_and_suffix() {
        let m = demo();
        let kind = |n: &str| {
            let i = m.metric(n).unwrap();
            (i.is_counter_like(), i.is_gauge_like())
        };
        assert_eq!(kind("http_requests_total"), (true, false));
        assert_eq!(
            kind("demo_api_request_duration_seconds_bucket"),
            (true, false)
        );
        assert_eq!(kind("demo_memory_usage_bytes"), (false, true));
        let summary = MetricInfo {
            name: "rpc_seconds".into(),
            family: "rpc_seconds".into(),
            kind: MetricKind::Summary,
            ..MetricInfo::default()
        };
        assert!(summary.is_gauge_like() && !summary.is_counter_like());
    }

    #[test]
    fn the_placeholder_names_only_a_metric_the_source_has() {
        let mut m = demo();
        // The first counter by name, though a histogram and a gauge sort before it.
        assert_eq!(
            m.placeholder(),
            "e.g. rate(demo_cpu_usage_seconds_total[5m])"
        );
        m.metrics.retain(|i| i.kind != MetricKind::Counter);
        m.metrics.reverse();
        assert_eq!(
            m.placeholder(),
            "e.g. demo_api_request_duration_seconds_bucket"
        );
        assert_eq!(
            MetadataSnapshot::default().placeholder(),
            NEUTRAL_PLACEHOLDER
        );
    }
}
