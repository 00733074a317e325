//! Targets: the endpoints Prometheus scrapes, and how often.

use super::timeline::SECOND;
use serde::Serialize;

/// 2025-01-01T00:00:00Z: when a target's process first starts unless it says otherwise.
/// Before it a scenario has no data.
pub const SCENARIO_EPOCH: i64 = 1_735_689_600_000;

/// A scrape target: the labels Prometheus attaches (`job`, `instance` and any extra target
/// labels from the scrape configuration) and when its process first started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The `job` label.
    pub job: String,
    /// The `instance` label, `host:port`.
    pub instance: String,
    /// Extra target labels, as a scrape configuration's `labels:` adds them.
    pub labels: Vec<(String, String)>,
    /// When the process first started (Unix ms). Restart incidents start it again.
    pub first_start: i64,
    /// Where in each scrape interval this target is scraped (ms). Prometheus spreads
    /// targets over the interval by a hash of the target; `None` does the same here.
    pub scrape_offset: Option<i64>,
}

impl Target {
    /// A target with `job` and `instance`, started at [`SCENARIO_EPOCH`].
    pub fn new(job: &str, instance: &str) -> Target {
        Target {
            job: job.to_string(),
            instance: instance.to_string(),
            labels: Vec::new(),
            first_start: SCENARIO_EPOCH,
            scrape_offset: None,
        }
    }

    /// Adds a target label.
    pub fn label(mut self, name: &str, value: &str) -> Target {
        self.labels.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets when the process first started (Unix ms).
    pub fn started_at(mut self, t: i64) -> Target {
        self.first_start = t;
        self
    }

    /// Sets the offset within the scrape interval (ms).
    pub fn scrape_offset(mut self, ms: i64) -> Target {
        self.scrape_offset = Some(ms);
        self
    }
}

/// How targets are scraped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scrape {
    /// The scrape interval in ms.
    pub interval: i64,
    /// The largest delay in ms a scrape may start late by: each scrape's timestamp is its
    /// slot plus a deterministic 0..=jitter ms, as a real scrape loop is a little late.
    pub jitter: i64,
}

impl Default for Scrape {
    fn default() -> Scrape {
        Scrape {
            interval: 15 * SECOND,
            jitter: 3,
        }
    }
}
