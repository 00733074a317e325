//! Scenarios: simulated exporters, scraped by a simulated Prometheus.
//!
//! A [`Scenario`] is a set of targets (job, instance) exposing metric families, with a
//! behaviour per series and incidents on a daily timeline. [`Scenario::generate`] produces
//! the samples a Prometheus scraping those targets would store for a window: one sample per
//! series per scrape, scrapes every interval plus a few ms of jitter, `up` and the `scrape_*`
//! series for every target, stale markers where a series disappears or a target goes down.
//!
//! **Every sample is a pure function of (scenario, seed, time).** Behaviours never keep
//! state from one sample to the next: randomness is a hash of (seed, series, index)
//! ([`noise`]), counters are integrals computed in O(1) ([`rate`], [`counter`]), and the
//! incident timeline recurs daily ([`timeline`]). So a window generated in one piece equals
//! the same window generated in two, `simulator serve` can report values at any wall-clock
//! time, and the browser (wasm32) gets the same bits as a native build: only integer and
//! exactly rounded float operations are used, and the `libm` crate for cos, log and erf.
//!
//! Time is always an argument: the library never reads the clock. A scenario's default
//! window is placed relative to an anchor the caller passes ([`Scenario::default_window`]);
//! the CLI and the app use [`DEFAULT_ANCHOR`] unless told otherwise.
//!
//! Scenarios are declared with a [`ScenarioBuilder`] and listed in [`catalog`].

mod builder;
pub mod catalog;
mod counter;
pub mod demo;
pub mod ebanking;
pub mod ecommerce_api;
pub mod ecompulse;
mod family;
mod gauge;
mod generate;
mod histogram;
pub mod inventory;
pub mod ml_platform;
mod node_exporter;
pub mod noise;
mod process;
pub mod rate;
mod target;
mod timeline;

pub use builder::{Model, Presence, ScenarioBuilder};
pub use catalog::{by_name, names};
pub use counter::Counter;
pub use family::{Family, FamilyId, MetricType, Source};
pub use gauge::{Gauge, GaugeFn};
pub use generate::{SampleSink, ScrapeValues};
pub use histogram::{
    DEFAULT_BUCKETS, Histogram, Regime, Summary, exponential_buckets, linear_buckets,
};
pub use process::SeriesContext;
pub use rate::{Cycle, Intensity, MICRO, Origin, Rate, Table};
pub use target::{SCENARIO_EPOCH, Scrape, Target};
pub use timeline::{
    DAY, HOUR, Incident, IncidentId, IncidentKind, MINUTE, SECOND, Schedule, TargetId, WEEK,
    WEEK_ORIGIN,
};

use crate::tsdb::labels::Labels;
use builder::CompiledModel;
use process::Process;
use serde::Serialize;
use std::fmt;

/// 2026-01-01T12:00:00Z: the anchor the CLI and the app use when the user names none. The
/// default window of every built-in scenario is the 6 hours before it (06:00 to 12:00 UTC).
pub const DEFAULT_ANCHOR: i64 = 1_767_268_800_000;

/// The seed used when the user names none.
pub const DEFAULT_SEED: u64 = 1;

/// A closed time range `[start, end]` in Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First instant, inclusive.
    pub start: i64,
    /// Last instant, inclusive.
    pub end: i64,
}

impl Window {
    /// The window `[start, end]`.
    pub fn new(start: i64, end: i64) -> Window {
        Window { start, end }
    }
}

/// Refers to one series of a scenario: its position in [`Scenario::series`].
pub type SeriesId = usize;

/// One series of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesInfo {
    /// The full label set, `__name__`, `job` and `instance` included.
    pub labels: Labels,
    /// Its family.
    pub family: FamilyId,
    /// The target exposing it (or, for `up` and `scrape_*`, the target it reports on).
    pub target: TargetId,
}

/// An incident's occurrence within a window, for listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    /// Position in [`Scenario::incidents`].
    pub incident: usize,
    /// Start, Unix ms.
    pub start: i64,
    /// End, Unix ms (exclusive).
    pub end: i64,
}

/// Why a scenario cannot be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// No scenario has this name.
    Unknown {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<&'static str>,
    },
    /// The declarations are inconsistent; every problem found is listed.
    Invalid {
        /// The scenario's name.
        scenario: String,
        /// One sentence per problem.
        problems: Vec<String>,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Unknown { name, known } => write!(
                f,
                "there is no scenario named {name:?}; the scenarios are: {}",
                known.join(", ")
            ),
            ScenarioError::Invalid { scenario, problems } => {
                write!(f, "scenario {scenario:?} is inconsistent:")?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The series of one histogram, summary, counter or gauge declaration, with its behaviour.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub target: usize,
    pub family: usize,
    pub key: u64,
    pub presence: Presence,
    pub model: CompiledModel,
    pub first_series: usize,
    pub members: usize,
}

/// A compiled scenario. Cheap to share; generating data never changes it.
#[derive(Debug, Clone)]
pub struct Scenario {
    name: String,
    title: String,
    description: String,
    scrape: Scrape,
    window_end: i64,
    window_length: i64,
    targets: Vec<Target>,
    families: Vec<Family>,
    incidents: Vec<Incident>,
    groups: Vec<Group>,
    series: Vec<SeriesInfo>,
    processes: Vec<Process>,
    /// Per target: the schedules during which it cannot be scraped.
    downs: Vec<Vec<Schedule>>,
    /// Per target: series ids of `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
    /// `scrape_samples_post_metric_relabeling`, `scrape_series_added`.
    report: Vec<[SeriesId; 5]>,
    /// Position of `up` in `families`; the four `scrape_*` families follow it.
    first_report_family: usize,
    target_groups: Vec<Vec<usize>>,
    family_groups: Vec<Vec<usize>>,
    offsets: Vec<i64>,
    target_keys: Vec<u64>,
}

impl Scenario {
    /// The short name (`demo`, `ebanking`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The human title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// What the scenario simulates, for learners.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Scrape interval and jitter.
    pub fn scrape(&self) -> Scrape {
        self.scrape
    }

    /// The targets.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The metric families: the exporters' first, then Prometheus' own (`up`, `scrape_*`).
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// The incidents on the daily timeline.
    pub fn incidents(&self) -> &[Incident] {
        &self.incidents
    }

    /// Every series the scenario can produce (a series may be absent at times).
    pub fn series(&self) -> &[SeriesInfo] {
        &self.series
    }

    /// The default window for `anchor`: [`Self::window_length`] long, ending at the latest
    /// instant at or before `anchor` whose UTC time of day is the scenario's window end
    /// (12:00 unless the scenario says otherwise). With [`DEFAULT_ANCHOR`] it ends at the
    /// anchor.
    pub fn default_window(&self, anchor: i64) -> Window {
        let end = Schedule::daily(self.window_end, 1).last_start(anchor);
        Window::new(end - self.window_length, end)
    }

    /// The default window's length in ms.
    pub fn window_length(&self) -> i64 {
        self.window_length
    }

    /// The incident occurrences overlapping `window`, in time order.
    pub fn occurrences(&self, window: Window) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = self
            .incidents
            .iter()
            .enumerate()
            .flat_map(|(i, inc)| {
                inc.schedule
                    .occurrences(window.start, window.end)
                    .into_iter()
                    .map(move |(start, end)| Occurrence {
                        incident: i,
                        start,
                        end,
                    })
            })
            .collect();
        out.sort_by_key(|o| (o.start, o.incident));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_window_ends_at_noon_utc() {
        let s = demo::build().unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        assert_eq!(w.end, DEFAULT_ANCHOR);
        assert_eq!(w.end - w.start, 6 * HOUR);
        // Any anchor later the same day gives the same window; before noon, the day before.
        assert_eq!(s.default_window(DEFAULT_ANCHOR + 5 * HOUR), w);
        assert_eq!(
            s.default_window(DEFAULT_ANCHOR - 1).end,
            DEFAULT_ANCHOR - DAY
        );
    }
}
