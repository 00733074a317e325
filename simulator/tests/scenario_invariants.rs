//! Invariants every built-in scenario keeps, checked on its default window for two seeds:
//! counters only go down at restarts, histograms are consistent, `up` and stale markers
//! follow the target-down incidents, the `scrape_*` series count what was scraped, and the
//! default window holds an incident described for learners.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use simulator::scenario::{
    self, DEFAULT_ANCHOR, IncidentKind, MetricType, SampleSink, Scenario, SeriesId, Source,
    TargetId, Window,
};
use simulator::tsdb::is_stale_marker;
use std::collections::BTreeMap;

#[derive(Default)]
struct Collect {
    series: Vec<Vec<(i64, f64)>>,
}

impl SampleSink for Collect {
    fn series(&mut self, scenario: &Scenario, id: SeriesId, ts: &[i64], vs: &[f64]) {
        if self.series.is_empty() {
            self.series = vec![Vec::new(); scenario.series().len()];
        }
        self.series[id].extend(ts.iter().copied().zip(vs.iter().copied()));
    }
}

struct Data {
    s: Scenario,
    w: Window,
    series: Vec<Vec<(i64, f64)>>,
}

fn load(name: &str, seed: u64) -> Data {
    let s = scenario::by_name(name).unwrap_or_else(|e| panic!("{e}"));
    let w = s.default_window(DEFAULT_ANCHOR);
    let mut c = Collect::default();
    s.generate(seed, w, &mut c);
    Data {
        s,
        w,
        series: c.series,
    }
}

fn each(f: impl Fn(&Data)) {
    for name in scenario::names() {
        for seed in [1, 2] {
            f(&load(name, seed));
        }
    }
}

impl Data {
    fn family(&self, id: SeriesId) -> &simulator::scenario::Family {
        &self.s.families()[self.s.series()[id].family.index()]
    }

    fn name(&self, id: SeriesId) -> String {
        format!("{} {}", self.s.name(), self.s.series()[id].labels)
    }

    /// The report series `name` of `target`.
    fn report(&self, target: TargetId, name: &str) -> &[(i64, f64)] {
        let id = self
            .s
            .series()
            .iter()
            .position(|x| x.target == target && x.labels.metric_name() == Some(name))
            .unwrap();
        &self.series[id]
    }

    /// Restart occurrences of `target` as (down from, process starts at).
    fn restarts(&self, target: TargetId) -> Vec<(i64, i64)> {
        self.s
            .incidents()
            .iter()
            .filter(|i| i.kind == IncidentKind::Restart && i.affects(target))
            .flat_map(|i| {
                i.schedule
                    .occurrences(self.w.start - 86_400_000, self.w.end)
            })
            .collect()
    }

    fn down(&self, target: TargetId, t: i64) -> bool {
        self.s.incidents().iter().any(|i| {
            matches!(i.kind, IncidentKind::Restart | IncidentKind::TargetDown)
                && i.affects(target)
                && i.schedule.active(t)
        })
    }
}

fn is_counter_like(d: &Data, id: SeriesId) -> bool {
    let f = d.family(id);
    let name = d.s.series()[id].labels.metric_name().unwrap_or("");
    match f.kind {
        MetricType::Counter => true,
        MetricType::Histogram => true,
        MetricType::Summary => name.ends_with("_count") || name.ends_with("_sum"),
        _ => false,
    }
}

#[test]
fn default_windows_hold_described_incidents() {
    for name in scenario::names() {
        let s = scenario::by_name(name).unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        assert_eq!(
            w.end - w.start,
            6 * 3_600_000,
            "{name}: the default window lasts 6 hours"
        );
        let occ = s.occurrences(w);
        assert!(!occ.is_empty(), "{name}: no incident in the default window");
        for o in occ {
            let i = &s.incidents()[o.incident];
            assert!(
                i.description.len() > 40,
                "{name}: incident {:?} needs a description",
                i.title
            );
            assert!(
                !i.shows.is_empty(),
                "{name}: incident {:?} should name a query that shows it",
                i.title
            );
            for q in &i.shows {
                assert!(
                    simulator::promql::parse(q).is_ok(),
                    "{name}: {q:?} does not parse"
                );
            }
        }
        assert!(!s.description().is_empty(), "{name}: no description");
        for f in s.families() {
            assert!(!f.help.is_empty(), "{name}: {} has no help", f.name);
        }
    }
}

#[test]
fn counters_only_decrease_at_restarts() {
    each(|d| {
        for (id, samples) in d.series.iter().enumerate() {
            if !is_counter_like(d, id) {
                continue;
            }
            let target = d.s.series()[id].target;
            let restarts = d.restarts(target);
            let live: Vec<&(i64, f64)> = samples
                .iter()
                .filter(|(_, v)| !is_stale_marker(*v))
                .collect();
            for pair in live.windows(2) {
                let ((t1, v1), (t2, v2)) = (*pair[0], *pair[1]);
                assert!(v1.is_finite() && v1 >= 0.0, "{}: {v1} at {t1}", d.name(id));
                if v2 < v1 {
                    assert!(
                        restarts.iter().any(|&(_, start)| t1 < start && start <= t2),
                        "{}: went from {v1} at {t1} to {v2} at {t2} without a restart",
                        d.name(id)
                    );
                }
            }
        }
    });
}

/// A histogram's bucket series by bound, and its `_count` series.
type HistogramSeries = (Vec<(f64, SeriesId)>, Option<SeriesId>);

#[test]
fn histograms_are_cumulative_and_count_matches_inf() {
    each(|d| {
        // (target, labels without __name__ and le) -> (le -> series, count series)
        let mut groups: BTreeMap<String, HistogramSeries> = BTreeMap::new();
        for (id, info) in d.s.series().iter().enumerate() {
            if d.family(id).kind != MetricType::Histogram {
                continue;
            }
            let key = info.labels.without(&["__name__", "le"]).to_string();
            let name = info.labels.metric_name().unwrap_or("");
            let entry = groups
                .entry(format!("{}{key}", d.family(id).name))
                .or_default();
            if name.ends_with("_bucket") {
                let le = info.labels.get("le").unwrap();
                let bound: f64 = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap()
                };
                assert_eq!(
                    simulator::exposition::float::go_float(bound),
                    le,
                    "{}: le is not written as Go writes it",
                    d.name(id)
                );
                entry.0.push((bound, id));
            } else if name.ends_with("_count") {
                entry.1 = Some(id);
            }
        }
        for (key, (mut buckets, count)) in groups {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert_eq!(
                buckets.last().map(|b| b.0),
                Some(f64::INFINITY),
                "{key}: no +Inf bucket"
            );
            let count = count.unwrap_or_else(|| panic!("{key}: no _count"));
            let columns: Vec<BTreeMap<i64, f64>> = buckets
                .iter()
                .map(|(_, id)| d.series[*id].iter().copied().collect())
                .collect();
            for &(t, c) in &d.series[count] {
                if is_stale_marker(c) {
                    continue;
                }
                let mut prev = 0.0;
                for (i, col) in columns.iter().enumerate() {
                    let v = col[&t];
                    assert!(
                        v >= prev,
                        "{key}: bucket le={} at {t} is {v}, below {prev}",
                        buckets[i].0
                    );
                    prev = v;
                }
                assert_eq!(prev, c, "{key}: +Inf bucket differs from _count at {t}");
            }
        }
    });
}

#[test]
fn summary_quantiles_are_ordered() {
    each(|d| {
        let mut groups: BTreeMap<String, Vec<(f64, SeriesId)>> = BTreeMap::new();
        for (id, info) in d.s.series().iter().enumerate() {
            if let Some(q) = info.labels.get("quantile")
                && d.family(id).kind == MetricType::Summary
            {
                let key = info.labels.without(&["quantile"]).to_string();
                groups
                    .entry(key)
                    .or_default()
                    .push((q.parse().unwrap(), id));
            }
        }
        for (key, mut qs) in groups {
            qs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let n = d.series[qs[0].1].len();
            for k in 0..n {
                let vals: Vec<f64> = qs.iter().map(|(_, id)| d.series[*id][k].1).collect();
                if vals.iter().any(|v| is_stale_marker(*v)) {
                    continue;
                }
                assert!(vals.windows(2).all(|w| w[0] <= w[1]), "{key}: {vals:?}");
            }
        }
    });
}

#[test]
fn up_and_stale_markers_follow_the_incidents() {
    each(|d| {
        let scrape = d.s.scrape();
        for (j, _) in d.s.targets().iter().enumerate() {
            let target = TargetId::from_index(j);
            let up = d.report(target, "up");
            assert!(
                !up.is_empty(),
                "{}: target {j} has no up samples",
                d.s.name()
            );
            let offset = d.s.scrape_offset(target);
            for &(t, v) in up {
                assert_eq!(
                    v,
                    if d.down(target, t) { 0.0 } else { 1.0 },
                    "{}: up of target {j} at {t}",
                    d.s.name()
                );
                let jitter = (t - offset).rem_euclid(scrape.interval);
                assert!(
                    jitter <= scrape.jitter,
                    "{}: scrape at {t} is {jitter} ms late",
                    d.s.name()
                );
            }
            let exporter: Vec<SeriesId> = (0..d.s.series().len())
                .filter(|&id| {
                    d.s.series()[id].target == target && d.family(id).source == Source::Exporter
                })
                .collect();
            for pair in up.windows(2) {
                let ((t1, u1), (t2, u2)) = (pair[0], pair[1]);
                for &id in &exporter {
                    let at = |t| {
                        d.series[id]
                            .iter()
                            .find(|(ts, _)| *ts == t)
                            .map(|(_, v)| *v)
                    };
                    if u2 == 0.0 {
                        // Down: nothing but a stale marker for what the previous scrape had.
                        match at(t2) {
                            None => assert!(
                                at(t1).is_none_or(is_stale_marker),
                                "{}: no stale marker at {t2} after a live sample",
                                d.name(id)
                            ),
                            Some(v) => {
                                assert!(
                                    is_stale_marker(v),
                                    "{}: value while down at {t2}",
                                    d.name(id)
                                );
                                assert_eq!(u1, 1.0, "{}: two stale markers in a row", d.name(id));
                                assert!(at(t1).is_some_and(|x| !is_stale_marker(x)));
                            }
                        }
                    }
                }
            }
        }
    });
}

#[test]
fn scrape_series_count_what_was_scraped() {
    each(|d| {
        for (j, _) in d.s.targets().iter().enumerate() {
            let target = TargetId::from_index(j);
            let exporter: Vec<BTreeMap<i64, f64>> = (0..d.s.series().len())
                .filter(|&id| {
                    d.s.series()[id].target == target && d.family(id).source == Source::Exporter
                })
                .map(|id| d.series[id].iter().copied().collect())
                .collect();
            let scraped = d.report(target, "scrape_samples_scraped");
            let post = d.report(target, "scrape_samples_post_metric_relabeling");
            let added = d.report(target, "scrape_series_added");
            let duration = d.report(target, "scrape_duration_seconds");
            let up = d.report(target, "up");
            for (k, &(t, n)) in scraped.iter().enumerate() {
                let live = exporter
                    .iter()
                    .filter(|m| m.get(&t).is_some_and(|v| !is_stale_marker(*v)))
                    .count();
                assert_eq!(
                    n,
                    live as f64,
                    "{}: scrape_samples_scraped of target {j} at {t}",
                    d.s.name()
                );
                assert_eq!(post[k], (t, n));
                assert!(added[k].1 >= 0.0 && added[k].1 <= n);
                if up[k].1 == 0.0 {
                    assert_eq!(n, 0.0);
                }
                assert!(duration[k].1 > 0.0 && duration[k].1 < 1.0);
            }
        }
    });
}

#[test]
fn values_are_finite_and_timestamps_ascend() {
    each(|d| {
        for (id, samples) in d.series.iter().enumerate() {
            assert!(
                samples.windows(2).all(|w| w[0].0 < w[1].0),
                "{}: timestamps",
                d.name(id)
            );
            for &(t, v) in samples {
                assert!(t >= d.w.start && t <= d.w.end);
                assert!(
                    is_stale_marker(v) || v.is_finite(),
                    "{}: {v} at {t}",
                    d.name(id)
                );
            }
        }
    });
}
