//! Metric families: a name, a type, help text and a unit, as an exporter declares them.

use serde::Serialize;

/// A metric family's type, as in `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    /// Monotone between resets; the series name ends in `_total`.
    Counter,
    /// Any value.
    Gauge,
    /// A classic histogram: `_bucket{le}`, `_sum`, `_count`.
    Histogram,
    /// A summary: `{quantile}`, `_sum`, `_count`.
    Summary,
    /// Type not declared.
    Unknown,
}

impl MetricType {
    /// The type as written after `# TYPE`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Unknown => "unknown",
        }
    }
}

/// Who writes a family's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The target exposes it on `/metrics`.
    Exporter,
    /// Prometheus writes it for every target (`up`, `scrape_*`).
    Prometheus,
}

/// Refers to a family of the scenario under construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FamilyId(pub(crate) usize);

impl FamilyId {
    /// The family's position in [`super::Scenario::families`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// A metric family.
///
/// `name` is the name learners type in PromQL: with `_total` for counters
/// (`http_requests_total`), the base name for histograms and summaries
/// (`http_request_duration_seconds`, whose series add `_bucket`, `_sum`, `_count`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Family {
    /// The metric name (see above).
    pub name: String,
    /// The type.
    #[serde(rename = "type")]
    pub kind: MetricType,
    /// The help text.
    pub help: String,
    /// The unit (`seconds`, `bytes`), or empty. It must end the name (before `_total`).
    pub unit: String,
    /// Who writes the series.
    pub source: Source,
    /// The label names the family's series carry besides `job`, `instance` and target
    /// labels (and `le` or `quantile`), sorted. Declared with [`Family::labels`] (then every
    /// series must carry exactly these) or, if not declared, taken from the series.
    pub dimensions: Vec<String>,
    /// Whether `dimensions` were declared.
    #[serde(skip)]
    pub(crate) declared: bool,
}

impl Family {
    fn new(name: &str, kind: MetricType, help: &str) -> Family {
        Family {
            name: name.to_string(),
            kind,
            help: help.to_string(),
            unit: String::new(),
            source: Source::Exporter,
            dimensions: Vec::new(),
            declared: false,
        }
    }

    /// A counter family; `name` ends in `_total`.
    pub fn counter(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Counter, help)
    }

    /// A gauge family.
    pub fn gauge(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Gauge, help)
    }

    /// A classic histogram family.
    pub fn histogram(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Histogram, help)
    }

    /// A summary family.
    pub fn summary(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Summary, help)
    }

    /// Sets the unit.
    pub fn unit(mut self, unit: &str) -> Family {
        self.unit = unit.to_string();
        self
    }

    /// Declares the label names every series of the family carries (besides the target's
    /// labels and `le`/`quantile`); the builder rejects series with other labels.
    pub fn labels(mut self, names: &[&str]) -> Family {
        let mut d: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        d.sort();
        d.dedup();
        self.dimensions = d;
        self.declared = true;
        self
    }

    pub(crate) fn prometheus(name: &str, help: &str, unit: &str) -> Family {
        Family {
            source: Source::Prometheus,
            ..Family::new(name, MetricType::Gauge, help).unit(unit)
        }
    }

    /// The family name as OpenMetrics writes it: without `_total` for counters.
    pub fn openmetrics_name(&self) -> &str {
        match self.kind {
            MetricType::Counter => self.name.strip_suffix("_total").unwrap_or(&self.name),
            _ => &self.name,
        }
    }

    /// The series names the family's series use, e.g. `["x_bucket", "x_count", "x_sum"]`.
    pub fn series_names(&self) -> Vec<String> {
        match self.kind {
            MetricType::Histogram => ["_bucket", "_count", "_sum"]
                .iter()
                .map(|s| format!("{}{s}", self.name))
                .collect(),
            MetricType::Summary => ["", "_count", "_sum"]
                .iter()
                .map(|s| format!("{}{s}", self.name))
                .collect(),
            _ => vec![self.name.clone()],
        }
    }
}
