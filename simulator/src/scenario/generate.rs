//! Scraping a scenario: the samples a Prometheus would store for a window.
//!
//! Each target is scraped at `k · interval + offset + jitter(k)` for every integer `k`
//! (jitter is 0..=`jitter` ms, hashed from the seed, the target and `k`), from its first
//! process start on. At a scrape:
//!
//! * if the target is down (a `TargetDown` or `Restart` incident is active), `up` is 0,
//!   `scrape_samples_*` and `scrape_series_added` are 0, and every series present at the
//!   previous scrape gets a stale marker, as Prometheus appends an empty scrape;
//! * otherwise every present series gets its value, a series present at the previous scrape
//!   but not now gets a stale marker, `up` is 1, `scrape_samples_scraped` and
//!   `scrape_samples_post_metric_relabeling` count the samples exposed, and
//!   `scrape_series_added` counts the series that were not in the last successful scrape (as
//!   Prometheus' scrape cache does).
//!
//! All of it depends only on the scrapes at and just before each timestamp, so the output for
//! `[a, c]` is the output for `[a, b]` followed by the output for `(b, c]`.

use super::builder::CompiledModel;
use super::noise::Stream;
use super::process::SeriesContext;
use super::{FamilyId, Group, Scenario, SeriesId, Source, TargetId, WEEK, Window};
use crate::tsdb::stale_marker;

/// Receives generated samples, one series at a time.
pub trait SampleSink {
    /// A family begins; the series that follow until the next call belong to it.
    fn family(&mut self, _scenario: &Scenario, _family: FamilyId) {}
    /// One series' samples in the window, in time order, stale markers included. Series with
    /// no sample in the window are not reported.
    fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]);
}

/// The values a target exposes at one instant (for `simulator serve`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeValues {
    /// Present series and their values, in series order (families contiguous).
    pub samples: Vec<(SeriesId, f64)>,
}

const SALT_JITTER: u64 = 0x6a17;

/// Times the arithmetic below handles without overflow: ±2^53 ms.
fn clamp_time(t: i64) -> i64 {
    t.clamp(-(1 << 53), 1 << 53)
}
const SALT_DURATION: u64 = 0xd0a7;

/// One target's scrapes in a window.
struct Frame {
    ts: Vec<i64>,
    ks: Vec<i64>,
    up: Vec<bool>,
    ps: Vec<i64>,
    /// The scrape just before the window, if the target existed then: (t, up, ps).
    prev: Option<(i64, bool, i64)>,
    /// The last successful scrape before the window: (t, ps).
    prev_success: Option<(i64, i64)>,
    /// Per scrape: samples exposed, and series added.
    scraped: Vec<u32>,
    added: Vec<u32>,
}

impl Scenario {
    fn context(&self, seed: u64, group: &Group) -> SeriesContext<'_> {
        SeriesContext {
            seed,
            key: group.key,
            target_key: self.target_keys[group.target],
            process: &self.processes[group.target],
            incidents: &self.incidents,
        }
    }

    /// The timestamp of scrape `k` of `target`.
    fn scrape_time(&self, seed: u64, target: usize, k: i64) -> i64 {
        let j = self.scrape.jitter;
        let jitter = if j > 0 {
            (Stream::new(seed, self.target_keys[target], SALT_JITTER).bits(k) % (j as u64 + 1))
                as i64
        } else {
            0
        };
        k * self.scrape.interval + self.offsets[target] + jitter
    }

    /// Where in each scrape interval `target` is scraped (ms, before jitter).
    pub fn scrape_offset(&self, target: TargetId) -> i64 {
        self.offsets.get(target.0).copied().unwrap_or(0)
    }

    /// Whether `target` exists and can be scraped at `t`.
    pub fn is_up(&self, target: TargetId, t: i64) -> bool {
        let j = target.0;
        j < self.targets.len()
            && t >= self.processes[j].first_start
            && !self.downs[j].iter().any(|s| s.active(t))
    }

    fn frame(&self, seed: u64, target: usize, w: Window) -> Frame {
        let interval = self.scrape.interval;
        let first = self.processes[target].first_start;
        let off = self.offsets[target];
        let k_lo = (w.start - off - self.scrape.jitter).div_euclid(interval);
        let k_hi = (w.end - off).div_euclid(interval);
        let mut f = Frame {
            ts: Vec::new(),
            ks: Vec::new(),
            up: Vec::new(),
            ps: Vec::new(),
            prev: None,
            prev_success: None,
            scraped: Vec::new(),
            added: Vec::new(),
        };
        let mut k_first = None;
        for k in k_lo..=k_hi {
            let t = self.scrape_time(seed, target, k);
            if t < w.start || t > w.end || t < first {
                continue;
            }
            k_first.get_or_insert(k);
            f.ts.push(t);
            f.ks.push(k);
            f.up.push(self.is_up(TargetId(target), t));
            f.ps.push(self.processes[target].start_at(t));
        }
        let Some(k_first) = k_first else {
            return f;
        };
        let tid = TargetId(target);
        let t_prev = self.scrape_time(seed, target, k_first - 1);
        if t_prev >= first {
            f.prev = Some((
                t_prev,
                self.is_up(tid, t_prev),
                self.processes[target].start_at(t_prev),
            ));
        }
        // Down periods last less than a week, so a successful scrape is at most that far back.
        let limit = WEEK / interval + 2;
        for back in 1..=limit {
            let t = self.scrape_time(seed, target, k_first - back);
            if t < first {
                break;
            }
            if self.is_up(tid, t) {
                f.prev_success = Some((t, self.processes[target].start_at(t)));
                break;
            }
        }
        f.scraped = vec![0; f.ts.len()];
        f.added = vec![0; f.ts.len()];
        f
    }

    /// Whether `group` is exposed at each scrape of `frame`, and at the scrape before it.
    fn presence(&self, group: &Group, f: &Frame) -> (Vec<bool>, bool) {
        let p = &group.presence;
        let now = (0..f.ts.len())
            .map(|i| f.up[i] && p.at(f.ts[i], f.ps[i], &self.incidents))
            .collect();
        let before = f
            .prev
            .is_some_and(|(t, up, ps)| up && p.at(t, ps, &self.incidents));
        (now, before)
    }

    /// Generates every sample of `window` for `seed` into `sink`, family by family (in
    /// [`Self::families`] order), series in declaration order within a family.
    ///
    /// Work and memory grow with the window: about 16 bytes per sample of the largest series
    /// batch, for the caller to bound (the CLI refuses windows over 92 days). Times beyond
    /// ±2^53 ms (285,000 years) are clamped.
    pub fn generate(&self, seed: u64, window: Window, sink: &mut dyn SampleSink) {
        let window = Window::new(clamp_time(window.start), clamp_time(window.end));
        let mut frames: Vec<Frame> = (0..self.targets.len())
            .map(|j| self.frame(seed, j, window))
            .collect();
        // Count what each scrape exposed and added, for the scrape_* series.
        for group in &self.groups {
            let f = &mut frames[group.target];
            let (now, _) = self.presence(group, f);
            let mut last = f
                .prev_success
                .is_some_and(|(t, ps)| group.presence.at(t, ps, &self.incidents));
            let counts =
                f.up.iter()
                    .zip(&now)
                    .zip(f.scraped.iter_mut().zip(f.added.iter_mut()));
            for ((&up, &present), (scraped, added)) in counts {
                if !up {
                    continue;
                }
                if present {
                    *scraped += group.members as u32;
                    if !last {
                        *added += group.members as u32;
                    }
                }
                last = present;
            }
        }
        let mut ts_buf = Vec::new();
        let mut vs_buf = Vec::new();
        for (fi, family) in self.families.iter().enumerate() {
            sink.family(self, FamilyId(fi));
            match family.source {
                Source::Exporter => {
                    for &g in &self.family_groups[fi] {
                        self.emit_group(
                            seed,
                            &self.groups[g],
                            &frames[self.groups[g].target],
                            sink,
                        );
                    }
                }
                Source::Prometheus => {
                    let r = fi.saturating_sub(self.first_report_family).min(4);
                    for (j, f) in frames.iter().enumerate() {
                        if f.ts.is_empty() {
                            continue;
                        }
                        ts_buf.clear();
                        vs_buf.clear();
                        let dur = Stream::new(seed, self.target_keys[j], SALT_DURATION);
                        for i in 0..f.ts.len() {
                            let up = f.up[i];
                            let v = match r {
                                0 => f64::from(u8::from(up)),
                                1 if up => {
                                    (0.0007 + 2.5e-6 * f64::from(f.scraped[i]))
                                        * (1.0 + 0.3 * dur.unit(f.ks[i]))
                                }
                                1 => 0.0002 + 0.0003 * dur.unit(f.ks[i]),
                                2 | 3 => f64::from(f.scraped[i]),
                                _ => f64::from(f.added[i]),
                            };
                            ts_buf.push(f.ts[i]);
                            vs_buf.push(v);
                        }
                        sink.series(self, self.report[j][r], &ts_buf, &vs_buf);
                    }
                }
            }
        }
    }

    fn emit_group(&self, seed: u64, group: &Group, f: &Frame, sink: &mut dyn SampleSink) {
        if f.ts.is_empty() {
            return;
        }
        let (now, before) = self.presence(group, f);
        let present_ts: Vec<i64> = (0..f.ts.len())
            .filter(|&i| now[i])
            .map(|i| f.ts[i])
            .collect();
        let mut cols = vec![vec![0.0; present_ts.len()]; group.members];
        if !present_ts.is_empty() {
            self.fill(seed, group, &present_ts, &mut cols);
        }
        let mut ts = Vec::with_capacity(f.ts.len());
        let mut vs = Vec::with_capacity(f.ts.len());
        for (m, col) in cols.iter().enumerate() {
            ts.clear();
            vs.clear();
            let mut j = 0;
            for i in 0..f.ts.len() {
                let was = if i == 0 { before } else { now[i - 1] };
                if now[i] {
                    ts.push(f.ts[i]);
                    vs.push(col[j]);
                    j += 1;
                } else if was {
                    ts.push(f.ts[i]);
                    vs.push(stale_marker());
                }
            }
            if !ts.is_empty() {
                sink.series(self, group.first_series + m, &ts, &vs);
            }
        }
    }

    /// Fills one column per member with the group's values at `ts`.
    fn fill(&self, seed: u64, group: &Group, ts: &[i64], cols: &mut [Vec<f64>]) {
        let cx = self.context(seed, group);
        match &group.model {
            CompiledModel::Counter(c) => c.fill(&cx, ts, &mut cols[0]),
            CompiledModel::Gauge(g) => g.fill(&cx, ts, &mut cols[0]),
            CompiledModel::Histogram(h) => h.fill(&cx, ts, cols),
            CompiledModel::Summary(s) => s.fill(&cx, ts, cols),
        }
    }

    /// What `target` exposes at `t` (Unix ms), as `simulator serve` reports it: `None` when
    /// the target does not exist yet or is down.
    pub fn scrape_at(&self, seed: u64, target: TargetId, t: i64) -> Option<ScrapeValues> {
        let t = clamp_time(t);
        if !self.is_up(target, t) {
            return None;
        }
        let j = target.0;
        let ps = self.processes[j].start_at(t);
        let mut samples = Vec::new();
        let mut order: Vec<usize> = self.target_groups[j].clone();
        order.sort_by_key(|&g| (self.groups[g].family, g));
        for g in order {
            let group = &self.groups[g];
            if !group.presence.at(t, ps, &self.incidents) {
                continue;
            }
            let mut cols = vec![vec![0.0; 1]; group.members];
            self.fill(seed, group, &[t], &mut cols);
            for (m, col) in cols.iter().enumerate() {
                samples.push((group.first_series + m, col[0]));
            }
        }
        Some(ScrapeValues { samples })
    }

    /// The number of samples `window` holds for `seed`, stale markers included.
    pub fn count_samples(&self, seed: u64, window: Window) -> u64 {
        struct Count(u64);
        impl SampleSink for Count {
            fn series(&mut self, _: &Scenario, _: SeriesId, ts: &[i64], _: &[f64]) {
                self.0 += ts.len() as u64;
            }
        }
        let mut c = Count(0);
        self.generate(seed, window, &mut c);
        c.0
    }
}
