//! The scenario catalog as the page sees it: what the picker lists.
//!
//! The worker builds these summaries from the simulator's scenarios (issue 4) and sends them
//! over the protocol; until that lands the catalog is empty and the picker says so.

use serde::{Deserialize, Serialize};

/// One scenario, summarised for the picker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    /// The identifier used in URLs and requests (`ebanking`).
    pub name: String,
    /// The human title (`eBanking exporter`).
    pub title: String,
    /// One or two sentences.
    pub description: String,
    /// The scraped targets.
    pub targets: Vec<TargetSummary>,
    /// How many series the scenario holds.
    pub series_count: u64,
    /// The scrape interval in milliseconds.
    pub scrape_interval_ms: i64,
    /// The default window's start, Unix milliseconds.
    pub default_start_ms: i64,
    /// The default window's end, Unix milliseconds.
    pub default_end_ms: i64,
    /// Incidents on the scenario's timeline.
    pub incidents: Vec<Incident>,
}

/// A scraped target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// The `job` label.
    pub job: String,
    /// The `instance` label.
    pub instance: String,
}

/// Something that happens in a scenario and that exercises ask about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// Start, Unix milliseconds.
    pub start_ms: i64,
    /// End, Unix milliseconds.
    pub end_ms: i64,
    /// A short title (`Error burst on /api/transfer`).
    pub title: String,
    /// What happens, for the learner.
    pub description: String,
}

impl ScenarioSummary {
    /// The incidents that overlap `[start_ms, end_ms]`, in time order.
    pub fn incidents_in(&self, start_ms: i64, end_ms: i64) -> Vec<&Incident> {
        let mut v: Vec<&Incident> = self
            .incidents
            .iter()
            .filter(|i| i.start_ms <= end_ms && i.end_ms >= start_ms)
            .collect();
        v.sort_by_key(|i| (i.start_ms, i.end_ms));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incidents_overlapping_the_window_are_listed_in_order() {
        let incident = |s, e, t: &str| Incident {
            start_ms: s,
            end_ms: e,
            title: t.into(),
            description: String::new(),
        };
        let s = ScenarioSummary {
            name: "x".into(),
            title: "X".into(),
            description: String::new(),
            targets: vec![],
            series_count: 0,
            scrape_interval_ms: 15_000,
            default_start_ms: 0,
            default_end_ms: 100,
            incidents: vec![
                incident(50, 60, "b"),
                incident(0, 10, "a"),
                incident(200, 300, "c"),
            ],
        };
        let titles: Vec<&str> = s
            .incidents_in(5, 55)
            .iter()
            .map(|i| i.title.as_str())
            .collect();
        assert_eq!(titles, ["a", "b"]);
        assert!(s.incidents_in(101, 199).is_empty());
    }
}
