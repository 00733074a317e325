//! Time: units, the recurring schedule of incidents, and the incidents themselves.
//!
//! All times are Unix milliseconds (`i64`), as in Prometheus. Incidents recur: a schedule
//! has a period that divides one week (usually a day), so every day of a scenario looks
//! alike and any default window, wherever its anchor falls, holds the same incidents. Daily
//! schedules are in UTC.

use serde::Serialize;

/// One second in milliseconds.
pub const SECOND: i64 = 1_000;
/// One minute in milliseconds.
pub const MINUTE: i64 = 60 * SECOND;
/// One hour in milliseconds.
pub const HOUR: i64 = 60 * MINUTE;
/// One day in milliseconds.
pub const DAY: i64 = 24 * HOUR;
/// One week in milliseconds.
pub const WEEK: i64 = 7 * DAY;
/// Monday 1970-01-05T00:00:00Z: the origin of every recurring schedule and absolute cycle,
/// so daily schedules fall on UTC times of day and weekly ones start on Mondays.
pub const WEEK_ORIGIN: i64 = 4 * DAY;

/// When something recurs: every `period` ms, starting `offset` ms after the period's start
/// (counted from [`WEEK_ORIGIN`]), lasting `duration` ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// The recurrence period in ms; divides [`WEEK`].
    pub period: i64,
    /// Start within the period, in ms: for a daily schedule, the UTC time of day.
    pub offset: i64,
    /// How long each occurrence lasts, in ms; shorter than the period.
    pub duration: i64,
}

impl Schedule {
    /// Every day at `at` ms after 00:00 UTC, for `duration` ms.
    pub const fn daily(at: i64, duration: i64) -> Schedule {
        Schedule {
            period: DAY,
            offset: at,
            duration,
        }
    }

    /// Every `period` ms at `offset` into the period, for `duration` ms.
    pub const fn every(period: i64, offset: i64, duration: i64) -> Schedule {
        Schedule {
            period,
            offset,
            duration,
        }
    }

    /// Why the schedule cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.period <= 0 || WEEK % self.period != 0 {
            return Err(format!(
                "the period {} ms does not divide one week",
                self.period
            ));
        }
        if !(0..self.period).contains(&self.offset) {
            return Err(format!(
                "the offset {} ms is outside the period of {} ms",
                self.offset, self.period
            ));
        }
        if self.duration <= 0 || self.duration >= self.period {
            return Err(format!(
                "the duration {} ms must be positive and shorter than the period of {} ms",
                self.duration, self.period
            ));
        }
        Ok(())
    }

    /// The start of the latest occurrence that starts at or before `t`.
    #[inline]
    pub fn last_start(&self, t: i64) -> i64 {
        let base = WEEK_ORIGIN + self.offset;
        // Saturating, so that absurd times (i64::MIN from a bad argument) cannot overflow.
        let period = self.period.max(1);
        base.saturating_add(
            t.saturating_sub(base)
                .div_euclid(period)
                .saturating_mul(period),
        )
    }

    /// Whether `t` falls inside an occurrence (start inclusive, end exclusive).
    #[inline]
    pub fn active(&self, t: i64) -> bool {
        t.saturating_sub(self.last_start(t)) < self.duration
    }

    /// The end of the latest occurrence that ended at or before `t`.
    #[inline]
    pub fn last_end(&self, t: i64) -> i64 {
        let s = self.last_start(t);
        if t >= s.saturating_add(self.duration) {
            s.saturating_add(self.duration)
        } else {
            s.saturating_sub(self.period).saturating_add(self.duration)
        }
    }

    /// The occurrences overlapping `[start, end]`, as `(start, end)` pairs in time order.
    pub fn occurrences(&self, start: i64, end: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        if end < start {
            return out;
        }
        let mut s = self.last_start(start);
        if s + self.duration <= start {
            s += self.period;
        }
        while s <= end {
            out.push((s, s + self.duration));
            s += self.period;
        }
        out
    }
}

/// What kind of event an incident is. `Restart` and `TargetDown` change how the affected
/// targets are scraped; the others are labels for learners and exercise authors, and act on
/// the series whose behaviour refers to the incident (a rate multiplied `during` it, a
/// histogram regime active only during it, a gauge ramping through it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// More errors than usual.
    ErrorBurst,
    /// Slower responses: histogram observations move to higher buckets.
    LatencySpike,
    /// More traffic than usual.
    TrafficSurge,
    /// The affected targets' processes stop at the start and start again at the end: they
    /// are down in between (`up` 0, stale markers), counters reset to zero and
    /// `process_start_time_seconds` changes.
    Restart,
    /// The affected targets cannot be scraped: `up` is 0, their series get stale markers at
    /// the first failed scrape, and the processes keep running (counters do not reset).
    TargetDown,
    /// A slow change such as a disk filling up or consumer lag growing.
    Drift,
    /// Anything else a scenario wants to point out.
    Other,
}

impl IncidentKind {
    /// The kind as written in metadata, e.g. `error-burst`.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::ErrorBurst => "error-burst",
            IncidentKind::LatencySpike => "latency-spike",
            IncidentKind::TrafficSurge => "traffic-surge",
            IncidentKind::Restart => "restart",
            IncidentKind::TargetDown => "target-down",
            IncidentKind::Drift => "drift",
            IncidentKind::Other => "other",
        }
    }
}

/// Refers to an incident of the scenario under construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IncidentId(pub(crate) usize);

/// Refers to a target of the scenario under construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TargetId(pub(crate) usize);

impl TargetId {
    /// The target's position in [`super::Scenario::targets`].
    pub fn index(self) -> usize {
        self.0
    }

    /// The target at position `i` of [`super::Scenario::targets`].
    pub fn from_index(i: usize) -> TargetId {
        TargetId(i)
    }
}

impl IncidentId {
    /// The incident's position in [`super::Scenario::incidents`].
    pub fn index(self) -> usize {
        self.0
    }
}

/// Something that happens on a scenario's timeline, described for learners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// What kind of event it is.
    pub kind: IncidentKind,
    /// A short title, e.g. "Payment gateway errors".
    pub title: String,
    /// What happened and why, for a learner.
    pub description: String,
    /// Series selectors or queries that show the incident, e.g.
    /// `rate(http_requests_total{status="500"}[5m])`.
    pub shows: Vec<String>,
    /// When it happens.
    pub schedule: Schedule,
    /// The targets it affects (for `Restart` and `TargetDown`, the targets that restart or
    /// go down); empty means all targets.
    pub targets: Vec<TargetId>,
}

impl Incident {
    /// A daily incident of `kind` starting at 00:00 UTC; set the time with [`Self::at`] and
    /// the length with [`Self::lasting`].
    pub fn new(kind: IncidentKind, title: &str) -> Incident {
        Incident {
            kind,
            title: title.to_string(),
            description: String::new(),
            shows: Vec::new(),
            schedule: Schedule::daily(0, 10 * MINUTE),
            targets: Vec::new(),
        }
    }

    /// Starts every day at `hour:minute` UTC.
    pub fn at(mut self, hour: i64, minute: i64) -> Incident {
        self.schedule.period = DAY;
        self.schedule.offset = hour * HOUR + minute * MINUTE;
        self
    }

    /// Lasts `ms` milliseconds.
    pub fn lasting(mut self, ms: i64) -> Incident {
        self.schedule.duration = ms;
        self
    }

    /// Uses an explicit schedule.
    pub fn schedule(mut self, schedule: Schedule) -> Incident {
        self.schedule = schedule;
        self
    }

    /// Sets the learner-facing description.
    pub fn describe(mut self, text: &str) -> Incident {
        self.description = text.to_string();
        self
    }

    /// Adds a selector or query that shows the incident.
    pub fn shows(mut self, query: &str) -> Incident {
        self.shows.push(query.to_string());
        self
    }

    /// Restricts the incident to these targets.
    pub fn targets(mut self, targets: &[TargetId]) -> Incident {
        self.targets = targets.to_vec();
        self
    }

    /// Whether the incident affects `target`.
    pub fn affects(&self, target: TargetId) -> bool {
        self.targets.is_empty() || self.targets.contains(&target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_schedule_in_utc() {
        // 2026-01-01T09:30:00Z is 1767259800 s.
        let s = Schedule::daily(9 * HOUR + 30 * MINUTE, 10 * MINUTE);
        let t = 1_767_259_800_000;
        assert!(s.check().is_ok());
        assert_eq!(s.last_start(t), t);
        assert!(s.active(t));
        assert!(s.active(t + 10 * MINUTE - 1));
        assert!(!s.active(t + 10 * MINUTE));
        assert!(!s.active(t - 1));
        assert_eq!(s.last_start(t - 1), t - DAY);
        assert_eq!(s.last_end(t + 10 * MINUTE), t + 10 * MINUTE);
        assert_eq!(s.last_end(t + 5 * MINUTE), t - DAY + 10 * MINUTE);
        assert_eq!(
            s.occurrences(t - 5 * MINUTE, t + DAY),
            vec![(t, t + 10 * MINUTE), (t + DAY, t + DAY + 10 * MINUTE)]
        );
        assert_eq!(s.occurrences(t + 5 * MINUTE, t + 6 * MINUTE).len(), 1);
    }

    #[test]
    fn bad_schedules_are_rejected() {
        assert!(Schedule::every(11 * MINUTE, 0, MINUTE).check().is_err());
        assert!(Schedule::daily(DAY, MINUTE).check().is_err());
        assert!(Schedule::daily(0, DAY).check().is_err());
        assert!(Schedule::daily(0, 0).check().is_err());
        assert!(Schedule::every(WEEK, 3 * DAY, HOUR).check().is_ok());
    }
}
