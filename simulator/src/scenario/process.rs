//! A target's process (when it started, when it restarts) and the context a series'
//! behaviour is evaluated in.

use super::noise::Stream;
use super::timeline::{Incident, IncidentId, Schedule};

/// When a target's process runs: it first starts at `first_start` and starts again at the
/// end of every occurrence of each restart schedule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Process {
    pub first_start: i64,
    pub restarts: Vec<Schedule>,
}

impl Process {
    /// The start time of the process running at `t` (the latest start at or before `t`).
    #[inline]
    pub fn start_at(&self, t: i64) -> i64 {
        self.restarts
            .iter()
            .map(|s| s.last_end(t))
            .fold(self.first_start, i64::max)
    }
}

/// What a series' behaviour may depend on besides time: the seed, the series' stable key,
/// its target's process and the incident timeline. Hand-written behaviours
/// ([`super::GaugeFn`], [`super::Intensity`]) receive one.
#[derive(Debug, Clone, Copy)]
pub struct SeriesContext<'a> {
    pub(crate) seed: u64,
    pub(crate) key: u64,
    pub(crate) target_key: u64,
    pub(crate) process: &'a Process,
    pub(crate) incidents: &'a [Incident],
}

impl SeriesContext<'_> {
    /// The scenario seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A key identifying the series (or the histogram or summary it belongs to), derived
    /// from its labels: stable when the scenario's other series change.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The start time (Unix ms) of the target's process running at `t`.
    pub fn process_start(&self, t: i64) -> i64 {
        self.process.start_at(t)
    }

    /// A random stream for this seed and series; `salt` names the purpose so two uses in one
    /// behaviour do not share numbers.
    pub fn stream(&self, salt: u64) -> Stream {
        Stream::new(self.seed, self.key, salt)
    }

    /// A random stream for this seed and the series' target, shared by all of the target's
    /// series: for what several series of one process have in common (the demo's holidays
    /// drive both `demo_is_holiday` and `demo_items_shipped_total`).
    pub fn target_stream(&self, salt: u64) -> Stream {
        Stream::new(self.seed, self.target_key, salt)
    }

    /// Whether `incident` is active at `t`.
    pub fn active(&self, incident: IncidentId, t: i64) -> bool {
        self.incidents
            .get(incident.0)
            .is_some_and(|i| i.schedule.active(t))
    }

    /// The schedule of `incident`, if it exists.
    pub fn schedule(&self, incident: IncidentId) -> Option<Schedule> {
        self.incidents.get(incident.0).map(|i| i.schedule)
    }
}
