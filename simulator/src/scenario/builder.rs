//! Building a scenario: declare targets, incidents, families and series, then `build()`
//! checks everything at once and compiles the behaviours.

use super::counter::{CompiledCounter, Counter};
use super::family::{Family, FamilyId, MetricType};
use super::gauge::{self, Compiled as CompiledGauge, Gauge};
use super::histogram::{CompiledHistogram, CompiledSummary, Histogram, Summary};
use super::noise;
use super::process::Process;
use super::rate::{CompiledRate, Rate, RateCompiler};
use super::target::{Scrape, Target};
use super::timeline::{HOUR, Incident, IncidentId, IncidentKind, Schedule, TargetId, WEEK_ORIGIN};
use super::{Group, Scenario, ScenarioError, SeriesInfo};
use crate::exposition::float::go_float;
use crate::tsdb::labels::{Labels, METRIC_NAME, is_legacy_name};

/// A series' behaviour: what the values of one series, or of the several series of one
/// histogram or summary, are.
#[derive(Debug, Clone)]
pub enum Model {
    /// A counter.
    Counter(Counter),
    /// A gauge.
    Gauge(Gauge),
    /// A classic histogram (its `_bucket`, `_count` and `_sum` series).
    Histogram(Histogram),
    /// A summary (its quantile, `_count` and `_sum` series).
    Summary(Summary),
}

impl From<Counter> for Model {
    fn from(c: Counter) -> Model {
        Model::Counter(c)
    }
}
impl From<Gauge> for Model {
    fn from(g: Gauge) -> Model {
        Model::Gauge(g)
    }
}
impl From<Histogram> for Model {
    fn from(h: Histogram) -> Model {
        Model::Histogram(h)
    }
}
impl From<Summary> for Model {
    fn from(s: Summary) -> Model {
        Model::Summary(s)
    }
}

/// When a series is exposed. Prometheus writes a stale marker at the first scrape that
/// lacks a series it saw in the previous scrape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presence {
    /// Whenever the target is up.
    Always,
    /// From `delay` ms after each process start (series created lazily, such as a status
    /// code's first error).
    AfterStart(i64),
    /// For the first `present_for` ms of every `period` (counted from `offset` ms after
    /// [`WEEK_ORIGIN`]); e.g. even minutes only.
    Periodic {
        /// Cycle length in ms.
        period: i64,
        /// Start of the first cycle after the week origin, in ms.
        offset: i64,
        /// How long the series is present in each cycle, in ms.
        present_for: i64,
    },
    /// Only while the incident is active.
    During(IncidentId),
    /// Except while the incident is active.
    Except(IncidentId),
}

impl Presence {
    /// Whether the series is exposed at `t` by a process started at `ps`.
    #[inline]
    pub(crate) fn at(&self, t: i64, ps: i64, incidents: &[Incident]) -> bool {
        match *self {
            Presence::Always => true,
            Presence::AfterStart(d) => t >= ps + d,
            Presence::Periodic {
                period,
                offset,
                present_for,
            } => (t - WEEK_ORIGIN - offset).rem_euclid(period.max(1)) < present_for,
            Presence::During(i) => incidents.get(i.0).is_some_and(|x| x.schedule.active(t)),
            Presence::Except(i) => !incidents.get(i.0).is_some_and(|x| x.schedule.active(t)),
        }
    }
}

struct SeriesSpec {
    family: FamilyId,
    target: TargetId,
    labels: Vec<(String, String)>,
    model: Model,
    presence: Presence,
}

/// Declares a scenario.
///
/// ```
/// use simulator::scenario::*;
/// let mut b = ScenarioBuilder::new("shop", "A small shop");
/// b.describe("One API server.");
/// let api = b.target(Target::new("shop", "shop-api:8080"));
/// let burst = b.incident(
///     Incident::new(IncidentKind::ErrorBurst, "Checkout errors")
///         .at(10, 30)
///         .lasting(15 * MINUTE)
///         .describe("The payment provider fails; 500s on /checkout go up tenfold.")
///         .shows("rate(http_requests_total{status=\"500\"}[5m])"),
/// );
/// let requests = b.family(Family::counter("http_requests_total", "HTTP requests."));
/// let traffic = Rate::per_second(20.0).daily(0.3, 14 * HOUR);
/// b.series(requests, api, &[("status", "200")], Counter::events(traffic.clone().times(0.99)));
/// b.series(requests, api, &[("status", "500")], Counter::events(traffic.times(0.01).during(burst, 10.0)));
/// let shop = b.build().unwrap();
/// assert_eq!(shop.series().len(), 2 + 5); // plus `up` and four scrape_* series
/// ```
pub struct ScenarioBuilder {
    name: String,
    title: String,
    description: String,
    scrape: Scrape,
    window_end: i64,
    window_length: i64,
    targets: Vec<Target>,
    families: Vec<Family>,
    incidents: Vec<Incident>,
    series: Vec<SeriesSpec>,
}

impl ScenarioBuilder {
    /// A scenario named `name` (lowercase, used on the command line and in exercise packs)
    /// with a human `title`. Defaults: 15 s scrapes with up to 3 ms jitter; a default window
    /// of 6 hours ending at 12:00 UTC.
    pub fn new(name: &str, title: &str) -> ScenarioBuilder {
        ScenarioBuilder {
            name: name.to_string(),
            title: title.to_string(),
            description: String::new(),
            scrape: Scrape::default(),
            window_end: 12 * HOUR,
            window_length: 6 * HOUR,
            targets: Vec::new(),
            families: Vec::new(),
            incidents: Vec::new(),
            series: Vec::new(),
        }
    }

    /// Sets the description shown to learners.
    pub fn describe(&mut self, text: &str) -> &mut Self {
        self.description = text.to_string();
        self
    }

    /// Sets the scrape interval and jitter.
    pub fn scrape(&mut self, scrape: Scrape) -> &mut Self {
        self.scrape = scrape;
        self
    }

    /// Sets the default window: `length` ms ending at `hour:minute` UTC.
    pub fn default_window(&mut self, hour: i64, minute: i64, length: i64) -> &mut Self {
        self.window_end = hour * HOUR + minute * 60_000;
        self.window_length = length;
        self
    }

    /// Adds a target.
    pub fn target(&mut self, target: Target) -> TargetId {
        self.targets.push(target);
        TargetId(self.targets.len() - 1)
    }

    /// Adds an incident.
    pub fn incident(&mut self, incident: Incident) -> IncidentId {
        self.incidents.push(incident);
        IncidentId(self.incidents.len() - 1)
    }

    /// Adds a metric family.
    pub fn family(&mut self, family: Family) -> FamilyId {
        self.families.push(family);
        FamilyId(self.families.len() - 1)
    }

    /// Adds a series (or a histogram's or summary's series) of `family` on `target`, with
    /// extra `labels`, always present while the target is up.
    pub fn series(
        &mut self,
        family: FamilyId,
        target: TargetId,
        labels: &[(&str, &str)],
        model: impl Into<Model>,
    ) -> &mut Self {
        self.series_with(family, target, labels, model, Presence::Always)
    }

    /// Like [`Self::series`], present only as `presence` says.
    pub fn series_with(
        &mut self,
        family: FamilyId,
        target: TargetId,
        labels: &[(&str, &str)],
        model: impl Into<Model>,
        presence: Presence,
    ) -> &mut Self {
        self.series.push(SeriesSpec {
            family,
            target,
            labels: labels
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            model: model.into(),
            presence,
        });
        self
    }

    /// Checks the declarations and compiles the scenario. Every problem found is reported.
    ///
    /// A target with a `Restart` incident that does not expose `process_start_time_seconds`
    /// gets it added (as every Go, Java or Python client exposes it), so a restart always
    /// shows as a change of the process start time as well as counter resets.
    pub fn build(mut self) -> Result<Scenario, ScenarioError> {
        self.add_process_start();
        let mut problems = Vec::new();
        self.check(&mut problems);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid {
                scenario: self.name,
                problems,
            });
        }
        let ScenarioBuilder {
            name,
            title,
            description,
            scrape,
            window_end,
            window_length,
            targets,
            mut families,
            incidents,
            series: specs,
        } = self;

        for (fi, f) in families.iter_mut().enumerate() {
            if !f.declared {
                let mut d: Vec<String> = specs
                    .iter()
                    .filter(|s| s.family.0 == fi)
                    .flat_map(|s| s.labels.iter().map(|(n, _)| n.clone()))
                    .collect();
                d.sort();
                d.dedup();
                f.dimensions = d;
            }
        }
        let schedules: Vec<Schedule> = incidents.iter().map(|i| i.schedule).collect();
        let schedule_of = |i: IncidentId| schedules[i.0];
        let mut rates = RateCompiler::default();
        let mut compile_rate = |r: &Rate| -> CompiledRate { rates.compile(r, &schedule_of) };

        let processes: Vec<Process> = targets
            .iter()
            .enumerate()
            .map(|(j, t)| Process {
                first_start: t.first_start,
                restarts: incidents
                    .iter()
                    .filter(|i| i.kind == IncidentKind::Restart && i.affects(TargetId(j)))
                    .map(|i| i.schedule)
                    .collect(),
            })
            .collect();
        let downs: Vec<Vec<Schedule>> = (0..targets.len())
            .map(|j| {
                incidents
                    .iter()
                    .filter(|i| {
                        matches!(i.kind, IncidentKind::Restart | IncidentKind::TargetDown)
                            && i.affects(TargetId(j))
                    })
                    .map(|i| i.schedule)
                    .collect()
            })
            .collect();
        let target_labels: Vec<Vec<(String, String)>> = targets
            .iter()
            .map(|t| {
                let mut v = vec![
                    ("job".to_string(), t.job.clone()),
                    ("instance".to_string(), t.instance.clone()),
                ];
                v.extend(t.labels.iter().cloned());
                v
            })
            .collect();

        let mut groups = Vec::new();
        let mut series = Vec::new();
        let mut problems = Vec::new();
        for spec in &specs {
            let family = &families[spec.family.0];
            let mut base = target_labels[spec.target.0].clone();
            base.extend(spec.labels.iter().cloned());
            // The key names the series by what identifies it, so it stays the same when
            // other series are added or reordered.
            let mut ident: Vec<String> = base.iter().map(|(n, v)| format!("{n}\u{1}{v}")).collect();
            ident.sort();
            let key = noise::hash_str(&format!("{}\u{2}{}", family.name, ident.join("\u{2}")));
            let mut salt = 0u64;
            let mut member_labels: Vec<Vec<(String, String)>> = Vec::new();
            let with = |name: String, extra: Option<(&str, String)>| {
                let mut v = base.clone();
                v.push((METRIC_NAME.to_string(), name));
                if let Some((n, val)) = extra {
                    v.push((n.to_string(), val));
                }
                v
            };
            let model = match &spec.model {
                Model::Counter(c) => {
                    member_labels.push(with(family.name.clone(), None));
                    CompiledModel::Counter(compile_counter(c, &mut compile_rate, &mut salt))
                }
                Model::Gauge(g) => {
                    member_labels.push(with(family.name.clone(), None));
                    CompiledModel::Gauge(CompiledGauge::new(g, &mut compile_rate, &mut salt))
                }
                Model::Histogram(h) => {
                    for b in &h.bounds {
                        member_labels.push(with(
                            format!("{}_bucket", family.name),
                            Some(("le", go_float(*b))),
                        ));
                    }
                    member_labels.push(with(
                        format!("{}_bucket", family.name),
                        Some(("le", "+Inf".into())),
                    ));
                    member_labels.push(with(format!("{}_count", family.name), None));
                    member_labels.push(with(format!("{}_sum", family.name), None));
                    let buckets = h.bounds.len() + 1;
                    let regimes = h
                        .regimes
                        .iter()
                        .map(|r| {
                            let count = compile_counter(
                                &Counter::events(r.rate.clone()).noise(h.noise),
                                &mut compile_rate,
                                &mut salt,
                            );
                            let sum = compile_counter(
                                &Counter::amount(r.rate.clone()).noise(h.noise),
                                &mut compile_rate,
                                &mut salt,
                            );
                            (
                                count,
                                sum,
                                CompiledHistogram::cumulative(&r.shares, buckets),
                                r.mean,
                            )
                        })
                        .collect();
                    CompiledModel::Histogram(CompiledHistogram { regimes, buckets })
                }
                Model::Summary(s) => {
                    let mut qs = s.quantiles.clone();
                    qs.sort_by(|a, b| a.0.total_cmp(&b.0));
                    for (q, _) in &qs {
                        member_labels
                            .push(with(family.name.clone(), Some(("quantile", go_float(*q)))));
                    }
                    member_labels.push(with(format!("{}_count", family.name), None));
                    member_labels.push(with(format!("{}_sum", family.name), None));
                    let count = compile_counter(
                        &Counter::events(s.rate.clone()).noise(s.noise),
                        &mut compile_rate,
                        &mut salt,
                    );
                    let sum = compile_counter(
                        &Counter::amount(s.rate.clone()).noise(s.noise),
                        &mut compile_rate,
                        &mut salt,
                    );
                    let quantiles = qs
                        .iter()
                        .map(|(_, g)| CompiledGauge::new(g, &mut compile_rate, &mut salt))
                        .collect();
                    CompiledModel::Summary(CompiledSummary {
                        count,
                        sum,
                        mean: s.mean,
                        quantiles,
                    })
                }
            };
            let first_series = series.len();
            for pairs in &member_labels {
                match Labels::new(pairs.iter().map(|(a, b)| (a.as_str(), b.as_str()))) {
                    Ok(labels) => series.push(SeriesInfo {
                        labels,
                        family: spec.family,
                        target: spec.target,
                    }),
                    Err(e) => problems.push(format!("series of {}: {e}", family.name)),
                }
            }
            groups.push(Group {
                target: spec.target.0,
                family: spec.family.0,
                key,
                presence: spec.presence,
                model,
                first_series,
                members: series.len() - first_series,
            });
        }

        // Prometheus' own series for every target.
        let report_families = [
            Family::prometheus(
                "up",
                "1 if the target's last scrape succeeded, 0 if it failed.",
                "",
            ),
            Family::prometheus(
                "scrape_duration_seconds",
                "How long the target's last scrape took, in seconds.",
                "seconds",
            ),
            Family::prometheus(
                "scrape_samples_scraped",
                "Samples the target exposed in its last scrape.",
                "",
            ),
            Family::prometheus(
                "scrape_samples_post_metric_relabeling",
                "Samples left after metric relabeling in the target's last scrape.",
                "",
            ),
            Family::prometheus(
                "scrape_series_added",
                "Series in the target's last scrape that were not in the previous one.",
                "",
            ),
        ];
        let first_report_family = families.len();
        families.extend(report_families);
        let mut report = Vec::with_capacity(targets.len());
        for (j, tl) in target_labels.iter().enumerate() {
            let mut ids = [0usize; 5];
            for (r, id) in ids.iter_mut().enumerate() {
                let mut pairs = tl.clone();
                pairs.push((
                    METRIC_NAME.to_string(),
                    families[first_report_family + r].name.clone(),
                ));
                match Labels::new(pairs.iter().map(|(a, b)| (a.as_str(), b.as_str()))) {
                    Ok(labels) => {
                        *id = series.len();
                        series.push(SeriesInfo {
                            labels,
                            family: FamilyId(first_report_family + r),
                            target: TargetId(j),
                        });
                    }
                    Err(e) => problems.push(format!("target {}: {e}", targets[j].instance)),
                }
            }
            report.push(ids);
        }

        let mut seen = std::collections::HashMap::new();
        for (i, s) in series.iter().enumerate() {
            if let Some(prev) = seen.insert(s.labels.clone(), i) {
                problems.push(format!(
                    "series {} is declared twice (entries {prev} and {i})",
                    s.labels
                ));
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid {
                scenario: name,
                problems,
            });
        }

        let mut target_groups = vec![Vec::new(); targets.len()];
        let mut family_groups = vec![Vec::new(); families.len()];
        for (g, group) in groups.iter().enumerate() {
            target_groups[group.target].push(g);
            family_groups[group.family].push(g);
        }
        let offsets = targets
            .iter()
            .map(|t| {
                t.scrape_offset.unwrap_or_else(|| {
                    (noise::hash_str(&format!("{}/{}", t.job, t.instance)) % scrape.interval as u64)
                        as i64
                })
            })
            .collect();
        let target_keys = targets
            .iter()
            .map(|t| noise::hash_str(&format!("target\u{1}{}\u{1}{}", t.job, t.instance)))
            .collect();
        Ok(Scenario {
            name,
            title,
            description,
            scrape,
            window_end,
            window_length,
            targets,
            families,
            incidents,
            groups,
            series,
            processes,
            downs,
            report,
            first_report_family,
            target_groups,
            family_groups,
            offsets,
            target_keys,
        })
    }

    fn add_process_start(&mut self) {
        const NAME: &str = "process_start_time_seconds";
        for j in 0..self.targets.len() {
            let restarts = self
                .incidents
                .iter()
                .any(|i| i.kind == IncidentKind::Restart && i.affects(TargetId(j)));
            let exposed = self.series.iter().any(|s| {
                s.target.0 == j
                    && self
                        .families
                        .get(s.family.0)
                        .is_some_and(|f| f.name == NAME)
            });
            if !restarts || exposed {
                continue;
            }
            let family = match self.families.iter().position(|f| f.name == NAME) {
                Some(i) => FamilyId(i),
                None => self.family(
                    Family::gauge(
                        NAME,
                        "Start time of the process since unix epoch in seconds.",
                    )
                    .unit("seconds"),
                ),
            };
            self.series(family, TargetId(j), &[], Gauge::process_start());
        }
    }

    fn check(&self, problems: &mut Vec<String>) {
        let mut p = |s: String| problems.push(s);
        if !is_legacy_name(&self.name.replace('-', "_"), false) {
            p(format!(
                "scenario name {:?} is not a simple lowercase name",
                self.name
            ));
        }
        if self.scrape.interval <= 0 {
            p("the scrape interval must be positive".into());
        }
        if self.scrape.jitter < 0 || self.scrape.jitter >= self.scrape.interval.max(1) {
            p("the scrape jitter must be at least 0 and shorter than the interval".into());
        }
        if self.window_length <= 0 {
            p("the default window must have a positive length".into());
        }
        if self.targets.is_empty() {
            p("a scenario needs at least one target".into());
        }
        let mut seen_targets = std::collections::HashSet::new();
        for t in &self.targets {
            if !seen_targets.insert((&t.job, &t.instance)) {
                p(format!("target {}/{} is declared twice", t.job, t.instance));
            }
            for (n, _) in &t.labels {
                if matches!(n.as_str(), "job" | "instance" | METRIC_NAME)
                    || !is_legacy_name(n, false)
                {
                    p(format!(
                        "target label {n:?} of {} is reserved or invalid",
                        t.instance
                    ));
                }
            }
            if let Some(o) = t.scrape_offset
                && !(0..self.scrape.interval).contains(&o)
            {
                p(format!(
                    "scrape offset of {} is outside the interval",
                    t.instance
                ));
            }
        }
        let n_incidents = self.incidents.len();
        for (i, inc) in self.incidents.iter().enumerate() {
            if let Err(e) = inc.schedule.check() {
                p(format!("incident {:?}: {e}", inc.title));
            }
            if inc.targets.iter().any(|t| t.0 >= self.targets.len()) {
                p(format!(
                    "incident {i} ({:?}) names a target that does not exist",
                    inc.title
                ));
            }
            if inc.description.is_empty() {
                p(format!(
                    "incident {:?} has no description for learners",
                    inc.title
                ));
            }
        }
        let mut names = std::collections::HashSet::new();
        for f in &self.families {
            if !is_legacy_name(&f.name, true) {
                p(format!(
                    "family name {:?} is not a valid metric name",
                    f.name
                ));
            }
            if !names.insert(&f.name) {
                p(format!("family {} is declared twice", f.name));
            }
            if f.kind == MetricType::Counter && !f.name.ends_with("_total") {
                p(format!(
                    "counter {} must end in _total (OpenMetrics requires it)",
                    f.name
                ));
            }
            if !f.unit.is_empty() && !f.openmetrics_name().ends_with(&format!("_{}", f.unit)) {
                p(format!(
                    "family {}: the unit {:?} must end its name",
                    f.name, f.unit
                ));
            }
        }
        for (i, s) in self.series.iter().enumerate() {
            let Some(f) = self.families.get(s.family.0) else {
                p(format!(
                    "series entry {i} names a family that does not exist"
                ));
                continue;
            };
            if s.target.0 >= self.targets.len() {
                p(format!(
                    "series entry {i} ({}) names a target that does not exist",
                    f.name
                ));
            }
            for (n, v) in &s.labels {
                let reserved = matches!(n.as_str(), "job" | "instance" | METRIC_NAME)
                    || (n == "le" && f.kind == MetricType::Histogram)
                    || (n == "quantile" && f.kind == MetricType::Summary);
                if reserved || !is_legacy_name(n, false) {
                    p(format!(
                        "series of {}: label {n:?} is reserved or invalid",
                        f.name
                    ));
                }
                if v.is_empty() {
                    p(format!(
                        "series of {}: label {n:?} has an empty value",
                        f.name
                    ));
                }
            }
            if f.declared {
                let mut names: Vec<&str> = s.labels.iter().map(|(n, _)| n.as_str()).collect();
                names.sort_unstable();
                if names != f.dimensions.iter().map(String::as_str).collect::<Vec<_>>() {
                    p(format!(
                        "series of {} has labels {names:?}, the family declares {:?}",
                        f.name, f.dimensions
                    ));
                }
            }
            let kind_ok = matches!(
                (&s.model, f.kind),
                (Model::Counter(_), MetricType::Counter)
                    | (Model::Gauge(_), MetricType::Gauge | MetricType::Unknown)
                    | (Model::Histogram(_), MetricType::Histogram)
                    | (Model::Summary(_), MetricType::Summary)
            );
            if !kind_ok {
                p(format!(
                    "series of {}: the behaviour does not match the family's type",
                    f.name
                ));
            }
            let check_rate = |r: &Rate, p: &mut dyn FnMut(String)| {
                for inc in r.incidents() {
                    if inc.0 >= n_incidents {
                        p(format!(
                            "series of {}: a rate refers to a missing incident",
                            f.name
                        ));
                    }
                }
                for period in r.periods() {
                    if !gauge::period_ok(period) {
                        p(format!(
                            "series of {}: a cycle period must be whole minutes dividing a week",
                            f.name
                        ));
                    }
                }
                if !(r.level().is_finite() && r.level() >= 0.0) {
                    p(format!(
                        "series of {}: a rate level must be finite and not negative",
                        f.name
                    ));
                }
            };
            let check_gauge = |g: &Gauge, p: &mut dyn FnMut(String)| {
                g.visit(&mut |rate, inc, period| {
                    if let Some(r) = rate {
                        check_rate(r, p);
                    }
                    if inc.is_some_and(|i| i.0 >= n_incidents) {
                        p(format!(
                            "series of {}: a gauge refers to a missing incident",
                            f.name
                        ));
                    }
                    if period.is_some_and(|x| !gauge::period_ok(x)) {
                        p(format!(
                            "series of {}: a cycle period must be whole minutes dividing a week",
                            f.name
                        ));
                    }
                });
            };
            match &s.model {
                Model::Counter(c) => check_rate(&c.rate, &mut p),
                Model::Gauge(g) => check_gauge(g, &mut p),
                Model::Histogram(h) => {
                    if h.bounds.is_empty() {
                        p(format!("histogram {} has no buckets", f.name));
                    }
                    if h.bounds.iter().any(|b| !b.is_finite())
                        || h.bounds.windows(2).any(|w| w[0] >= w[1])
                    {
                        p(format!(
                            "histogram {}: bucket bounds must be finite and ascending",
                            f.name
                        ));
                    }
                    if h.regimes.is_empty() {
                        p(format!("histogram {} has no regimes", f.name));
                    }
                    for r in &h.regimes {
                        if r.shares.len() != h.bounds.len() + 1 {
                            p(format!(
                                "histogram {}: a regime has {} shares for {} buckets (+Inf included)",
                                f.name,
                                r.shares.len(),
                                h.bounds.len() + 1
                            ));
                        }
                        check_rate(&r.rate, &mut p);
                    }
                }
                Model::Summary(sm) => {
                    check_rate(&sm.rate, &mut p);
                    for (q, g) in &sm.quantiles {
                        if !(0.0..=1.0).contains(q) {
                            p(format!(
                                "summary {}: quantile {q} is outside [0, 1]",
                                f.name
                            ));
                        }
                        check_gauge(g, &mut p);
                    }
                }
            }
            if let Presence::During(x) | Presence::Except(x) = s.presence
                && x.0 >= n_incidents
            {
                p(format!(
                    "series of {}: presence refers to a missing incident",
                    f.name
                ));
            }
        }
    }
}

fn compile_counter(
    c: &Counter,
    rate: &mut dyn FnMut(&Rate) -> CompiledRate,
    salt: &mut u64,
) -> CompiledCounter {
    *salt += 1;
    CompiledCounter {
        rate: rate(&c.rate),
        noise: c.noise,
        integer: c.integer,
        salt: *salt,
    }
}

/// A group's compiled behaviour.
#[derive(Debug, Clone)]
pub(crate) enum CompiledModel {
    Counter(CompiledCounter),
    Gauge(CompiledGauge),
    Histogram(CompiledHistogram),
    Summary(CompiledSummary),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Counter, Gauge, Histogram, MINUTE, Rate, Regime};

    #[test]
    fn every_problem_is_reported() {
        let mut b = ScenarioBuilder::new("broken", "Broken");
        let t = b.target(Target::new("api", "a:1"));
        b.target(Target::new("api", "a:1"));
        b.incident(
            Incident::new(IncidentKind::Restart, "restart")
                .at(3, 0)
                .lasting(MINUTE)
                .describe("The API restarts every night at three."),
        );
        b.incident(
            Incident::new(IncidentKind::Other, "bad")
                .at(25, 0)
                .describe("A schedule outside the day."),
        );
        let c = b.family(Family::counter("requests", "Requests."));
        let g = b.family(Family::gauge("temp_celsius", "Temperature.").unit("kelvin"));
        let h = b.family(Family::histogram("lat_seconds", "Latency.").labels(&["path"]));
        b.series(c, t, &[], Counter::events(Rate::per_second(1.0)));
        b.series(g, t, &[("job", "x")], Gauge::level(1.0));
        b.series(g, t, &[("job", "x")], Gauge::level(1.0));
        b.series(g, t, &[], Counter::events(Rate::per_second(1.0)));
        b.series(
            h,
            t,
            &[("code", "200")],
            Histogram::new(&[0.1, 0.2]).regime(Regime::new(Rate::per_second(1.0), &[1.0], 0.1)),
        );
        let Err(ScenarioError::Invalid { problems, .. }) = b.build() else {
            panic!("the scenario should be rejected");
        };
        let all = problems.join("\n");
        for expected in [
            "declared twice",
            "must end in _total",
            "the unit \"kelvin\" must end its name",
            "\"job\" is reserved",
            "does not match the family's type",
            "the family declares [\"path\"]",
            "1 shares for 3 buckets",
            "outside the period",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
        }
    }

    #[test]
    fn restarting_targets_get_a_process_start_time() {
        let mut b = ScenarioBuilder::new("ok", "OK");
        let t = b.target(Target::new("api", "a:1"));
        b.target(Target::new("api", "a:2"));
        b.incident(
            Incident::new(IncidentKind::Restart, "restart")
                .at(3, 0)
                .lasting(MINUTE)
                .targets(&[t])
                .describe("The first API server restarts every night at three."),
        );
        let s = b.build().unwrap();
        let starts: Vec<String> = s
            .series()
            .iter()
            .filter(|x| x.labels.metric_name() == Some("process_start_time_seconds"))
            .map(|x| x.labels.to_string())
            .collect();
        assert_eq!(
            starts,
            ["process_start_time_seconds{instance=\"a:1\", job=\"api\"}"]
        );
    }

    #[test]
    fn dimensions_are_inferred_when_not_declared() {
        let mut b = ScenarioBuilder::new("ok", "OK");
        let t = b.target(Target::new("api", "a:1"));
        b.incident(
            Incident::new(IncidentKind::Other, "nothing")
                .describe("Nothing happens at all, really."),
        );
        let g = b.family(Family::gauge("temp_celsius", "Temperature.").unit("celsius"));
        b.series(g, t, &[("room", "a")], Gauge::level(20.0));
        b.series(g, t, &[("room", "b"), ("floor", "1")], Gauge::level(21.0));
        let s = b.build().unwrap();
        assert_eq!(s.families()[0].dimensions, ["floor", "room"]);
        assert_eq!(s.series().len(), 2 + 5);
    }
}
