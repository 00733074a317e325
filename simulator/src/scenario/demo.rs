//! `demo`: the PromLabs demo service every PromQL tutorial uses.
//!
//! Three instances of one binary (`demo.promlabs.com:10000` to `:10002`, job `demo`), with
//! the families, labels, types, buckets and behaviour of `juliusv/prometheus_demo_service`
//! as described in `shared/scenarios/demo-service.md`: an API whose traffic oscillates over
//! an hour since process start with periodic per-endpoint outages, a batch job completing
//! once a minute (with its duration quirk), CPU counters, a disk filling in a 71-hour
//! sawtooth, memory random walks that snap back, 5-minute holiday "days" driving an items
//! counter, and a metric present only in even minutes. The service's cycles count from its
//! process start, so they are [`Origin::ProcessStart`] intensities and hand-written gauges
//! here; requests are aggregated per scrape from the rates and bucket shares, never simulated
//! one by one.
//!
//! Teaching incidents on top of the service's own behaviour: instance `:10002` restarts every
//! day at 08:00 UTC (down 45 s; counters reset, the disk returns to 10 %, the 500 series are
//! re-created at their first error) and instance `:10001` cannot be scraped from 10:15 to
//! 10:20 UTC (`up` 0, stale markers).

use super::noise::{Bernoulli, Stream};
use super::process::SeriesContext;
use super::rate::{Intensity, MICRO, Origin, Table};
use super::{
    Counter, Family, Gauge, GaugeFn, HOUR, Histogram, Incident, IncidentKind, MINUTE, Presence,
    Rate, Regime, SCENARIO_EPOCH, SECOND, Scenario, ScenarioBuilder, ScenarioError, Summary,
    Target, exponential_buckets,
};
use std::f64::consts::TAU;
use std::sync::Arc;

/// The instances and the small offsets at which their processes first started.
const INSTANCES: [(&str, i64); 3] = [
    ("demo.promlabs.com:10000", 0),
    ("demo.promlabs.com:10001", 7 * SECOND + 311),
    ("demo.promlabs.com:10002", 13 * SECOND + 877),
];

/// One API endpoint's loop: method, path, pause base `b` (ms), base latency `L` (ms), error
/// ratio, outage length `D` (s), and the bands (bucket indices) its observations fall in,
/// normally and in an outage, with their shares.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    pause: f64,
    latency: f64,
    errors: f64,
    outage: i64,
    normal: [(usize, f64); 2],
    outage_bands: [(usize, f64); 2],
}

const ENDPOINTS: [Endpoint; 4] = [
    Endpoint {
        method: "GET",
        path: "/api/foo",
        pause: 10.0,
        latency: 10.0,
        errors: 0.005,
        outage: 23,
        normal: [(11, 0.09), (12, 0.91)],
        outage_bands: [(14, 0.39), (15, 0.61)],
    },
    Endpoint {
        method: "POST",
        path: "/api/foo",
        pause: 150.0,
        latency: 20.0,
        errors: 0.02,
        outage: 60,
        normal: [(13, 0.39), (14, 0.61)],
        outage_bands: [(16, 0.83), (17, 0.17)],
    },
    Endpoint {
        method: "GET",
        path: "/api/bar",
        pause: 20.0,
        latency: 15.0,
        errors: 0.0025,
        outage: 13,
        normal: [(12, 0.09), (13, 0.91)],
        outage_bands: [(15, 0.39), (16, 0.61)],
    },
    Endpoint {
        method: "POST",
        path: "/api/bar",
        pause: 100.0,
        latency: 50.0,
        errors: 0.01,
        outage: 47,
        normal: [(15, 0.11), (16, 0.89)],
        outage_bands: [(18, 0.44), (19, 0.56)],
    },
];

/// The 404 loop's pause base in ms.
const NONEXISTENT_PAUSE: f64 = 500.0;

/// `f(t) = 2 + sin(sin(2π t / 3600 s))`, the traffic oscillation (t in ms since start).
fn oscillation(tau: i64) -> f64 {
    let phase = (tau.rem_euclid(HOUR)) as f64 / HOUR as f64;
    2.0 + libm::sin(libm::sin(TAU * phase))
}

/// Requests per second of a loop with pause base `b` ms and latency `l` ms at `tau`.
fn loop_rate(b: f64, l: f64, tau: i64) -> f64 {
    1000.0 / (b * oscillation(tau) + l)
}

/// A rate that holds only inside (or only outside) a periodic on-window: the demo's
/// outages, `on` ms at the start of every `period` ms since process start. `base` is the
/// rate the loop has in that regime; its table's period (an hour) and the outage period need
/// not divide each other: per-cycle integrals repeat after their least common multiple and
/// are kept as prefix sums, so the integral stays O(1) and exact in integers.
#[derive(Debug)]
struct Gated {
    base: Table,
    period: i64,
    on: i64,
    inside: bool,
    /// `prefix[i]` = micro-events inside the on-windows of cycles `0..i`; `i ≤ cycles`.
    prefix: Vec<u64>,
    cycles: i64,
}

impl Gated {
    fn new(base: Table, period: i64, on: i64, inside: bool) -> Gated {
        let g = gcd(base.period(), period);
        let cycles = (base.period() / g).max(1);
        let mut prefix = Vec::with_capacity(cycles as usize + 1);
        let mut acc = 0u64;
        prefix.push(0);
        for c in 0..cycles {
            acc += base.at(c * period + on) - base.at(c * period);
            prefix.push(acc);
        }
        Gated {
            base,
            period,
            on,
            inside,
            prefix,
            cycles,
        }
    }

    /// Micro-events inside on-windows in `[0, tau]`.
    fn on_part(&self, tau: i64) -> u64 {
        let c = tau / self.period;
        let r = tau % self.period;
        let (rounds, i) = (c / self.cycles, (c % self.cycles) as usize);
        let full = (rounds as u64)
            .saturating_mul(self.prefix.last().copied().unwrap_or(0))
            .saturating_add(self.prefix.get(i).copied().unwrap_or(0));
        let start = c * self.period;
        full + (self.base.at(start + r.min(self.on)) - self.base.at(start))
    }

    fn in_outage(&self, tau: i64) -> bool {
        tau % self.period < self.on
    }
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

impl Intensity for Gated {
    fn origin(&self) -> Origin {
        Origin::ProcessStart
    }

    fn cumulative(&self, _: &SeriesContext<'_>, _: i64, tau: i64) -> u64 {
        let tau = tau.max(0);
        let on = self.on_part(tau);
        if self.inside {
            on
        } else {
            self.base.at(tau).saturating_sub(on)
        }
    }

    fn rate(&self, _: &SeriesContext<'_>, _: i64, tau: i64) -> f64 {
        if self.in_outage(tau.max(0)) == self.inside {
            self.base.rate_at(tau)
        } else {
            0.0
        }
    }
}

/// One endpoint's request rate, split by regime.
fn endpoint_rates(e: &Endpoint) -> (Rate, Rate) {
    let (b, l) = (e.pause, e.latency);
    let normal = Table::from_fn(Origin::ProcessStart, HOUR, SECOND, |tau| {
        loop_rate(b, l, tau)
    });
    let outage = Table::from_fn(Origin::ProcessStart, HOUR, SECOND, |tau| {
        loop_rate(b, 3.0 * l, tau)
    });
    let d = e.outage * SECOND;
    (
        Rate::custom(Arc::new(Gated::new(normal, 10 * d, d, false)), 1.0),
        Rate::custom(Arc::new(Gated::new(outage, 10 * d, d, true)), 1.0),
    )
}

/// Salts of the target-level streams (shared by the series of one process).
const SALT_HOLIDAY: u64 = 0x401d;
const SALT_BATCH: u64 = 0xba7c;
const SALT_CPU: u64 = 0x0c9a;
const SALT_DISK: u64 = 0xd15c;
const SALT_MEMORY: u64 = 0x3e30;

/// A holiday "day" lasts 5 minutes.
const HOLIDAY_DAY: i64 = 5 * MINUTE;

fn holidays(cx: &SeriesContext<'_>, ps: i64) -> Bernoulli {
    Bernoulli::new(cx.target_stream(SALT_HOLIDAY).child(ps as u64), 0.2)
}

/// `demo_items_shipped_total`: one item per loop pass, pausing `100 · (2 + sin(1 + 2π t /
/// 300 s))` ms, 1.8 times longer on holidays. Days are drawn per process run.
#[derive(Debug)]
struct Shipping {
    normal: Table,
    holiday: Table,
}

impl Shipping {
    fn new() -> Shipping {
        let rate = |tau: i64| {
            let phase = tau.rem_euclid(HOLIDAY_DAY) as f64 / HOLIDAY_DAY as f64;
            1000.0 / (100.0 * (2.0 + libm::sin(1.0 + TAU * phase)))
        };
        Shipping {
            normal: Table::from_fn(Origin::ProcessStart, HOLIDAY_DAY, SECOND, rate),
            holiday: Table::from_fn(Origin::ProcessStart, HOLIDAY_DAY, SECOND, |tau| {
                rate(tau) / 1.8
            }),
        }
    }
}

impl Intensity for Shipping {
    fn origin(&self) -> Origin {
        Origin::ProcessStart
    }

    fn cumulative(&self, cx: &SeriesContext<'_>, ps: i64, tau: i64) -> u64 {
        let tau = tau.max(0);
        let day = tau / HOLIDAY_DAY;
        let h = holidays(cx, ps);
        let before = h.count(day);
        let full = (before as u64)
            .saturating_mul(self.holiday.per_period())
            .saturating_add(((day - before) as u64).saturating_mul(self.normal.per_period()));
        let within = tau % HOLIDAY_DAY;
        let today = if h.get(day) {
            self.holiday.at(within)
        } else {
            self.normal.at(within)
        };
        full + today
    }

    fn rate(&self, cx: &SeriesContext<'_>, ps: i64, tau: i64) -> f64 {
        if holidays(cx, ps).get(tau.max(0) / HOLIDAY_DAY) {
            self.holiday.rate_at(tau)
        } else {
            self.normal.rate_at(tau)
        }
    }
}

/// `demo_cpu_usage_seconds_total{mode}`: 4 CPUs, user ≈ 1.2/s and system ≈ 0.8/s with a small
/// wobble, idle the rest, so the three always add up to 4 CPU-seconds per second.
#[derive(Debug)]
struct Cpu {
    mode: usize,
}

impl Cpu {
    /// CPU-seconds of user (0) or system (1) since start, in micro-units: the mean rate plus
    /// value noise of ±0.05 s over 10 s knots (slope at most 0.01 per second, so it never
    /// goes backwards).
    fn used(cx: &SeriesContext<'_>, ps: i64, tau: i64, mode: usize) -> u64 {
        let rate = [1.2, 0.8][mode];
        let s = cx
            .target_stream(SALT_CPU)
            .child(ps as u64)
            .child(mode as u64);
        let wobble = 0.05 * (s.smooth(tau, 10 * SECOND) - s.smooth(0, 10 * SECOND));
        let secs = rate * tau as f64 / 1000.0 + wobble;
        (secs * MICRO).round().max(0.0) as u64
    }
}

impl Intensity for Cpu {
    fn origin(&self) -> Origin {
        Origin::ProcessStart
    }

    fn cumulative(&self, cx: &SeriesContext<'_>, ps: i64, tau: i64) -> u64 {
        let tau = tau.max(0);
        match self.mode {
            0 | 1 => Cpu::used(cx, ps, tau, self.mode),
            // 4 CPU-seconds per second of uptime; user and system grow by at most 2.02 of them.
            _ => (4 * tau as u64 * 1000)
                .saturating_sub(Cpu::used(cx, ps, tau, 0))
                .saturating_sub(Cpu::used(cx, ps, tau, 1)),
        }
    }

    fn rate(&self, _: &SeriesContext<'_>, _: i64, _: i64) -> f64 {
        [1.2, 0.8, 2.0][self.mode.min(2)]
    }
}

/// Which batch gauge.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BatchField {
    LastSuccess,
    LastRun,
    Duration,
    ProcessedBytes,
}

/// The batch job: completes at `start + 11 s + 60 s · k`, minus 0–2 ms; succeeds 75 % of the
/// time; the duration gauge holds the time since the previous completion (the quirk).
#[derive(Debug)]
struct Batch {
    field: BatchField,
}

impl Batch {
    fn completion(s: Stream, ps: i64, k: i64) -> i64 {
        ps + 11 * SECOND + k * MINUTE - (s.bits(k) % 3) as i64
    }

    fn success(s: Stream, k: i64) -> bool {
        s.child(1).unit(k) < 0.75
    }

    fn value(&self, cx: &SeriesContext<'_>, t: i64) -> f64 {
        let ps = cx.process_start(t);
        let s = cx.target_stream(SALT_BATCH).child(ps as u64);
        let mut k = (t - ps - 11 * SECOND).div_euclid(MINUTE);
        if Batch::completion(s, ps, k + 1) <= t {
            k += 1;
        }
        if k < 0 || Batch::completion(s, ps, k) > t {
            k -= 1;
        }
        if k < 0 {
            return 0.0;
        }
        let at = |k: i64| Batch::completion(s, ps, k) as f64 / 1000.0;
        match self.field {
            BatchField::LastRun => at(k),
            BatchField::Duration => {
                if k == 0 {
                    (Batch::completion(s, ps, 0) - ps) as f64 / 1000.0
                } else {
                    (Batch::completion(s, ps, k) - Batch::completion(s, ps, k - 1)) as f64 / 1000.0
                }
            }
            BatchField::LastSuccess | BatchField::ProcessedBytes => {
                // The latest success at or before run k; runs of failures are short
                // (k in a row with probability 0.25^k) and the search stops at run 0.
                let mut j = k;
                while j >= 0 && !Batch::success(s, j) {
                    j -= 1;
                }
                if j < 0 {
                    0.0
                } else if self.field == BatchField::LastSuccess {
                    at(j)
                } else {
                    (1_000_001 + s.child(2).bits(j) % 100_000) as f64
                }
            }
        }
    }
}

impl GaugeFn for Batch {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        for (o, &t) in out.iter_mut().zip(ts) {
            *o = self.value(cx, t);
        }
    }
}

/// `demo_disk_usage_bytes`: from 10 % of 160 GB, growing about 500 kB/s, back to 10 % on
/// passing 90 %: a sawtooth of about 71 hours, restarting with the process.
#[derive(Debug)]
struct Disk;

impl GaugeFn for Disk {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        for (o, &t) in out.iter_mut().zip(ts) {
            let ps = cx.process_start(t);
            let tau = t - ps;
            let s = cx.target_stream(SALT_DISK).child(ps as u64);
            // Growth per second varies between 250 and 750 kB: a time warp of ±3 s keeps it
            // in that band at scrape scale and never makes it shrink.
            let warp = 3000.0 * (s.smooth(tau, 10 * SECOND) - s.smooth(0, 10 * SECOND));
            let grown = (500_000.0 * (tau as f64 + warp) / 1000.0).max(0.0).floor();
            *o = 16e9 + grown % 128e9;
        }
    }
}

/// Memory kinds: used, cached, buffers (random walks) and free (what is left of 8 GiB).
#[derive(Debug)]
struct Memory {
    kind: usize,
}

const MIB: f64 = 1_048_576.0;
const MEMORY_BASES: [f64; 3] = [1200.0 * MIB, 2500.0 * MIB, 165.0 * MIB];
const MEMORY_TOTAL: f64 = 8.0 * 1024.0 * MIB;
const MEMORY_STEP: i64 = 100;

impl Memory {
    /// Walks of the three kinds, replayed from the latest hourly checkpoint (where each
    /// walk is at its base, as after leaving its band) up to each timestamp. The batch is
    /// sorted, so one replay serves a whole window.
    fn walk(cx: &SeriesContext<'_>, kind: usize, ts: &[i64], out: &mut [f64]) {
        let base = MEMORY_BASES[kind];
        let (lo, hi) = (base * 0.5, base * 1.5);
        let mut state: Option<(i64, i64, i64, f64, Stream)> = None; // (ps, checkpoint, step, value, stream)
        for (o, &t) in out.iter_mut().zip(ts) {
            let ps = cx.process_start(t);
            let checkpoint = ps + (t - ps).div_euclid(HOUR) * HOUR;
            let last_step = (t - checkpoint) / MEMORY_STEP;
            let fresh = match &state {
                Some((p, c, n, _, _)) => *p != ps || *c != checkpoint || *n > last_step,
                None => true,
            };
            if fresh {
                let s = cx
                    .target_stream(SALT_MEMORY)
                    .child(ps as u64)
                    .child(kind as u64)
                    .child(checkpoint as u64);
                state = Some((ps, checkpoint, 0, base, s));
            }
            if let Some((_, _, n, v, s)) = state.as_mut() {
                while *n < last_step {
                    *n += 1;
                    *v += ((s.unit(*n) - 0.5) * 60.0 * MIB).trunc();
                    if *v < lo || *v > hi {
                        *v = base;
                    }
                }
                *o = *v;
            }
        }
    }
}

impl GaugeFn for Memory {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        if self.kind < 3 {
            Memory::walk(cx, self.kind, ts, out);
            return;
        }
        out.fill(MEMORY_TOTAL);
        let mut part = vec![0.0; ts.len()];
        for kind in 0..3 {
            Memory::walk(cx, kind, ts, &mut part);
            for (o, p) in out.iter_mut().zip(&part) {
                *o -= p;
            }
        }
    }
}

/// `demo_is_holiday`: 1 during a holiday day of the running process.
#[derive(Debug)]
struct Holiday;

impl GaugeFn for Holiday {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        for (o, &t) in out.iter_mut().zip(ts) {
            let ps = cx.process_start(t);
            let day = (t - ps) / HOLIDAY_DAY;
            *o = f64::from(u8::from(holidays(cx, ps).get(day)));
        }
    }
}

/// `demo_api_http_requests_in_progress`: each endpoint's loop is in flight with
/// probability latency / (pause + latency); a sample is the sum of four such draws.
#[derive(Debug)]
struct InProgress;

impl GaugeFn for InProgress {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        let s = cx.stream(1);
        for (o, &t) in out.iter_mut().zip(ts) {
            let tau = t - cx.process_start(t);
            let f = oscillation(tau);
            let mut n = 0.0;
            for (i, e) in ENDPOINTS.iter().enumerate() {
                let d = e.outage * SECOND;
                let k = if tau.rem_euclid(10 * d) < d { 3.0 } else { 1.0 };
                let l = e.latency * k;
                let p = l / (e.pause * f + l);
                if s.child(i as u64).unit(t) < p {
                    n += 1.0;
                }
            }
            *o = n;
        }
    }
}

/// Builds the `demo` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("demo", "PromLabs demo service");
    b.describe(
        "The PromLabs demo service used by most PromQL tutorials: three instances of one \
         program (job \"demo\") exposing an HTTP API histogram with an hourly traffic \
         oscillation and periodic outages, CPU, memory and disk usage, a batch job that runs \
         every minute, 5-minute \"holidays\" that slow down shipping, and a metric that is only \
         there in even minutes. Instance :10002 restarts every day at 08:00 UTC; instance :10001 \
         cannot be scraped from 10:15 to 10:20 UTC.",
    );
    let targets: Vec<_> = INSTANCES
        .iter()
        .map(|(instance, offset)| {
            b.target(Target::new("demo", instance).started_at(SCENARIO_EPOCH + offset))
        })
        .collect();
    let restart = b.incident(
        Incident::new(IncidentKind::Restart, "demo.promlabs.com:10002 restarts")
            .at(8, 0)
            .lasting(45 * SECOND)
            .targets(&[targets[2]])
            .describe(
                "The process on demo.promlabs.com:10002 is redeployed: it cannot be scraped for \
                 45 seconds, then starts from scratch. Its counters reset to zero (rate() and \
                 increase() handle it; resets() counts it), process_start_time_seconds jumps, \
                 the disk is back at 10 %, the batch gauges read 0 until the first run, the \
                 traffic oscillation and outages start again from the beginning, and the \
                 status=\"500\" series disappear until the first error.",
            )
            .shows("resets(demo_api_request_duration_seconds_count[1h])")
            .shows("process_start_time_seconds{job=\"demo\"}")
            .shows("up{instance=\"demo.promlabs.com:10002\"}"),
    );
    let _ = restart;
    b.incident(
        Incident::new(
            IncidentKind::TargetDown,
            "demo.promlabs.com:10001 unreachable",
        )
        .at(10, 15)
        .lasting(5 * MINUTE)
        .targets(&[targets[1]])
        .describe(
            "A network problem: Prometheus cannot reach demo.promlabs.com:10001 for five \
                 minutes. up is 0, every demo_* series of the instance goes stale at the first \
                 failed scrape (a query at that time returns nothing for it), and the process \
                 keeps running, so its counters continue where they were.",
        )
        .shows("up{job=\"demo\"} == 0")
        .shows("absent(up{instance=\"demo.promlabs.com:10001\"} == 1)")
        .shows("count by (instance) (demo_cpu_usage_seconds_total)"),
    );

    let bounds = exponential_buckets(0.0001, 1.5, 25);
    let duration = b.family(
        Family::histogram(
            "demo_api_request_duration_seconds",
            "A histogram of the API HTTP request durations in seconds.",
        )
        .unit("seconds"),
    );
    let in_progress = b.family(Family::gauge(
        "demo_api_http_requests_in_progress",
        "The current number of API HTTP requests in progress.",
    ));
    let batch_success = b.family(Family::gauge(
        "demo_batch_last_success_timestamp_seconds",
        "The Unix timestamp in seconds since the last successful completion of the batch job.",
    ));
    let batch_run = b.family(Family::gauge(
        "demo_batch_last_run_timestamp_seconds",
        "The Unix timestamp in seconds since the last completion of the batch job.",
    ));
    let batch_duration = b.family(
        Family::gauge(
            "demo_batch_last_run_duration_seconds",
            "The duration of the last batch job run in seconds.",
        )
        .unit("seconds"),
    );
    let batch_bytes = b.family(
        Family::gauge(
            "demo_batch_last_run_processed_bytes",
            "The number of bytes processed in the last batch job run.",
        )
        .unit("bytes"),
    );
    let cpu = b.family(
        Family::counter(
            "demo_cpu_usage_seconds_total",
            "The total amount of CPU time used by the demo service, by mode.",
        )
        .unit("seconds"),
    );
    let num_cpus = b.family(Family::gauge(
        "demo_num_cpus",
        "The number of CPUs the demo service has.",
    ));
    let disk_usage =
        b.family(Family::gauge("demo_disk_usage_bytes", "The disk usage in bytes.").unit("bytes"));
    let disk_total = b.family(
        Family::gauge("demo_disk_total_bytes", "The total disk space in bytes.").unit("bytes"),
    );
    let memory = b.family(
        Family::gauge(
            "demo_memory_usage_bytes",
            "The memory usage in bytes, by type.",
        )
        .unit("bytes"),
    );
    let is_holiday = b.family(Family::gauge(
        "demo_is_holiday",
        "Whether it is currently a holiday (1) or not (0).",
    ));
    let shipped = b.family(Family::counter(
        "demo_items_shipped_total",
        "The total number of items shipped.",
    ));
    let intermittent = b.family(Family::gauge(
        "demo_intermittent_metric",
        "A metric that is only exposed in even minutes, for testing staleness.",
    ));
    let gc = b.family(
        Family::summary(
            "go_gc_duration_seconds",
            "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.",
        )
        .unit("seconds"),
    );
    let goroutines = b.family(Family::gauge(
        "go_goroutines",
        "Number of goroutines that currently exist.",
    ));
    let threads = b.family(Family::gauge("go_threads", "Number of OS threads created."));
    let go_info = b.family(Family::gauge(
        "go_info",
        "Information about the Go environment.",
    ));
    let heap = b.family(
        Family::gauge(
            "go_memstats_heap_alloc_bytes",
            "Number of heap bytes allocated and still in use.",
        )
        .unit("bytes"),
    );
    let alloc_total = b.family(
        Family::counter(
            "go_memstats_alloc_bytes_total",
            "Total number of bytes allocated, even if freed.",
        )
        .unit("bytes"),
    );
    let proc_cpu = b.family(
        Family::counter(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
        )
        .unit("seconds"),
    );
    let open_fds = b.family(Family::gauge(
        "process_open_fds",
        "Number of open file descriptors.",
    ));
    let max_fds = b.family(Family::gauge(
        "process_max_fds",
        "Maximum number of open file descriptors.",
    ));
    let resident = b.family(
        Family::gauge(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
        )
        .unit("bytes"),
    );
    let virtual_mem = b.family(
        Family::gauge(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
        )
        .unit("bytes"),
    );
    let start_time = b.family(
        Family::gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
        )
        .unit("seconds"),
    );
    let handler = b.family(Family::counter(
        "promhttp_metric_handler_requests_total",
        "Total number of scrapes by HTTP status code.",
    ));
    let handler_in_flight = b.family(Family::gauge(
        "promhttp_metric_handler_requests_in_flight",
        "Current number of scrapes being served.",
    ));

    let endpoint_rates: Vec<(Rate, Rate)> = ENDPOINTS.iter().map(endpoint_rates).collect();
    let nonexistent = Rate::custom(
        Arc::new(Table::from_fn(Origin::ProcessStart, HOUR, SECOND, |tau| {
            loop_rate(NONEXISTENT_PAUSE, 0.0, tau)
        })),
        1.0,
    );
    let shipping = Rate::custom(Arc::new(Shipping::new()), 1.0);
    let bands = |set: &[(usize, f64); 2]| {
        let mut shares = vec![0.0; bounds.len() + 1];
        for (i, s) in set {
            shares[*i] = *s;
        }
        shares
    };
    for &t in &targets {
        for (e, (normal, outage)) in ENDPOINTS.iter().zip(&endpoint_rates) {
            let mean_normal = e.latency / 1000.0 + 0.0002;
            let mean_outage = 3.0 * e.latency / 1000.0 + 0.0002;
            let ok = Histogram::new(&bounds)
                .regime(Regime::new(
                    normal.clone().times(1.0 - e.errors),
                    &bands(&e.normal),
                    mean_normal,
                ))
                .regime(Regime::new(
                    outage.clone().times(1.0 - 10.0 * e.errors),
                    &bands(&e.outage_bands),
                    mean_outage,
                ));
            b.series(
                duration,
                t,
                &[("method", e.method), ("path", e.path), ("status", "200")],
                ok,
            );
            let failed = Histogram::new(&bounds)
                .regime(Regime::new(
                    normal.clone().times(e.errors),
                    &bands(&e.normal),
                    mean_normal,
                ))
                .regime(Regime::new(
                    outage.clone().times(10.0 * e.errors),
                    &bands(&e.outage_bands),
                    mean_outage,
                ));
            // A status's series appears at its first observation; the first 500 comes
            // within seconds, during the opening outage.
            b.series_with(
                duration,
                t,
                &[("method", e.method), ("path", e.path), ("status", "500")],
                failed,
                Presence::AfterStart(2 * SECOND + e.latency as i64 * 40),
            );
        }
        let mut first_bucket = vec![0.0; bounds.len() + 1];
        first_bucket[0] = 1.0;
        b.series(
            duration,
            t,
            &[
                ("method", "GET"),
                ("path", "/api/nonexistent"),
                ("status", "404"),
            ],
            Histogram::new(&bounds).regime(Regime::new(
                nonexistent.clone(),
                &first_bucket,
                0.00004,
            )),
        );
        b.series(in_progress, t, &[], Gauge::custom(Arc::new(InProgress)));
        for (family, field) in [
            (batch_success, BatchField::LastSuccess),
            (batch_run, BatchField::LastRun),
            (batch_duration, BatchField::Duration),
            (batch_bytes, BatchField::ProcessedBytes),
        ] {
            b.series(family, t, &[], Gauge::custom(Arc::new(Batch { field })));
        }
        for (mode, name) in ["user", "system", "idle"].iter().enumerate() {
            b.series(
                cpu,
                t,
                &[("mode", name)],
                Counter::amount(Rate::custom(Arc::new(Cpu { mode }), 1.0)).noise(0.0),
            );
        }
        b.series(num_cpus, t, &[], Gauge::level(4.0));
        b.series(disk_usage, t, &[], Gauge::custom(Arc::new(Disk)));
        b.series(disk_total, t, &[], Gauge::level(160e9));
        for (kind, name) in ["used", "cached", "buffers", "free"].iter().enumerate() {
            b.series(
                memory,
                t,
                &[("type", name)],
                Gauge::custom(Arc::new(Memory { kind })),
            );
        }
        b.series(is_holiday, t, &[], Gauge::custom(Arc::new(Holiday)));
        b.series(
            shipped,
            t,
            &[],
            Counter::events(shipping.clone()).noise(0.05),
        );
        b.series_with(
            intermittent,
            t,
            &[],
            Gauge::level(1.0),
            Presence::Periodic {
                period: 2 * MINUTE,
                offset: 0,
                present_for: MINUTE,
            },
        );

        // The Go client's default collectors.
        let gc_quantile = |level: f64| {
            Gauge::level(level)
                .plus(Gauge::walk(level * 0.3, HOUR))
                .clamp(level * 0.2, level * 3.0)
        };
        b.series(
            gc,
            t,
            &[],
            Summary::new(Rate::per_second(0.05), 0.000_06)
                .quantile(0.0, gc_quantile(0.000_025))
                .quantile(0.25, gc_quantile(0.000_04))
                .quantile(0.5, gc_quantile(0.000_05))
                .quantile(0.75, gc_quantile(0.000_07))
                .quantile(1.0, gc_quantile(0.000_2)),
        );
        b.series(
            goroutines,
            t,
            &[],
            Gauge::level(12.0)
                .plus(Gauge::noise(1.5))
                .clamp(8.0, 20.0)
                .round(),
        );
        b.series(threads, t, &[], Gauge::level(9.0));
        b.series(go_info, t, &[("version", "go1.22.12")], Gauge::level(1.0));
        b.series(
            heap,
            t,
            &[],
            Gauge::level(3.2e6)
                .plus(Gauge::walk(8e5, 10 * MINUTE))
                .plus(Gauge::noise(1e5))
                .round(),
        );
        b.series(
            alloc_total,
            t,
            &[],
            Counter::events(Rate::per_second(180_000.0)),
        );
        b.series(
            proc_cpu,
            t,
            &[],
            Counter::amount(Rate::per_second(0.021)).noise(0.3),
        );
        b.series(
            open_fds,
            t,
            &[],
            Gauge::level(10.0)
                .plus(Gauge::noise(0.8))
                .clamp(9.0, 14.0)
                .round(),
        );
        b.series(max_fds, t, &[], Gauge::level(1_048_576.0));
        b.series(
            resident,
            t,
            &[],
            Gauge::level(2.2e7).plus(Gauge::walk(2e6, HOUR)).round(),
        );
        b.series(virtual_mem, t, &[], Gauge::level(1_262_133_248.0));
        b.series(start_time, t, &[], Gauge::process_start());
        b.series(
            handler,
            t,
            &[("code", "200")],
            Counter::events(Rate::per_second(1.0 / 15.0)).noise(0.0),
        );
        for code in ["500", "503"] {
            b.series(
                handler,
                t,
                &[("code", code)],
                Counter::events(Rate::per_second(0.0)),
            );
        }
        b.series(handler_in_flight, t, &[], Gauge::level(1.0));
    }
    b.build()
}
