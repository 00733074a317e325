//! Rates: how fast a counter grows, as a function of time, with its integral at hand.
//!
//! A counter's value at any time must be computable in O(1), without generating its
//! history (for `simulator serve`, which reports values at the wall-clock now, and so that
//! generating a window in two pieces gives the same samples as in one). So every rate comes
//! with its integral. The integral is kept as an **integer** number of micro-events
//! ([`MICRO`] per event at level 1) in a table over one period: integers make the cumulative
//! count exactly non-decreasing, where float rounding could make a counter step back by one
//! unit in the last place, which `rate()` would read as a counter reset.
//!
//! A [`Rate`] is a description (a level, cycles, incident factors and gates); the scenario
//! builder compiles it into a [`Table`] shared by every series with the same shape. Shapes
//! the description cannot express implement [`Intensity`] themselves (the demo scenario's
//! traffic, whose period is an hour since process start, does).

use super::noise::Stream;
use super::process::SeriesContext;
use super::timeline::{DAY, IncidentId, MINUTE, SECOND, Schedule, WEEK, WEEK_ORIGIN};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Micro-events per event: the resolution of cumulative counts.
pub const MICRO: f64 = 1e6;

/// What a rate's time argument `tau` counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `tau = t − WEEK_ORIGIN`: cycles follow the clock (UTC days, weeks starting Monday).
    Absolute,
    /// `tau = t − process start`: cycles restart with the process, as in the demo service.
    ProcessStart,
}

/// A non-negative rate with its integral, in the units of [`MICRO`].
///
/// Contract: `cumulative` is non-decreasing in `tau`, is 0 at `tau = 0`, depends only on
/// its arguments (and on `cx` only through its seed, keys and timeline), and is exact integer
/// arithmetic or otherwise bit-identical on every platform (use the `libm` crate, never
/// `f64::sin` and friends, when building tables). `tau` is never negative. `ps` is the start
/// of the process the counter belongs to, for intensities whose shape is random per process
/// run (draw from `cx.target_stream(..).child(ps as u64)`).
pub trait Intensity: Send + Sync + fmt::Debug {
    /// What `tau` counts from.
    fn origin(&self) -> Origin;
    /// The expected number of events in `[0, tau]` (tau in ms), in micro-events.
    fn cumulative(&self, cx: &SeriesContext<'_>, ps: i64, tau: i64) -> u64;
    /// The expected rate at `tau`, in events per second.
    fn rate(&self, cx: &SeriesContext<'_>, ps: i64, tau: i64) -> f64;
}

/// The integral of a periodic rate, tabulated every `step` ms over one `period`.
///
/// Between table points the rate is taken as constant (the integral is interpolated
/// linearly, in integers), so a shape is resolved to `step`: a minute for the clock-driven
/// shapes of [`Rate`], a second for the demo's.
#[derive(Clone)]
pub struct Table {
    origin: Origin,
    step: i64,
    period: i64,
    /// `cum[i]` = micro-events in `[0, i·step)`; `cum.len() == period / step + 1`.
    cum: Vec<u64>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("origin", &self.origin)
            .field("step", &self.step)
            .field("period", &self.period)
            .field("per_period", &self.cum.last())
            .finish()
    }
}

impl Table {
    /// Tabulates `rate(tau)` (events per second, tau in ms) over one `period` with the given
    /// `step` (which must divide the period). Each step is integrated with the two-point
    /// Gauss–Legendre rule, which samples inside the step and never on its edges, so a
    /// shape that changes exactly on a step boundary (an incident starting on the minute) is
    /// integrated exactly. Negative and non-finite rates count as 0.
    pub fn from_fn(origin: Origin, period: i64, step: i64, rate: impl Fn(i64) -> f64) -> Table {
        let step = step.max(1);
        let n = (period / step).max(1) as usize;
        let period = n as i64 * step;
        let mut cum = Vec::with_capacity(n + 1);
        let mut total: u64 = 0;
        cum.push(0);
        // Gauss–Legendre nodes at 0.5 ± 0.5/√3 of the step, each with weight 1/2.
        let lo = ((0.5 - 0.288_675_134_594_812_9) * step as f64) as i64;
        let hi = ((0.5 + 0.288_675_134_594_812_9) * step as f64) as i64;
        let step_s = step as f64 / SECOND as f64;
        for i in 0..n as i64 {
            let a = i * step;
            let r = 0.5 * (clean(rate(a + lo)) + clean(rate(a + hi)));
            let micro = r * step_s * MICRO;
            total = total.saturating_add(micro.round() as u64);
            cum.push(total);
        }
        Table {
            origin,
            step,
            period,
            cum,
        }
    }

    /// Micro-events in one full period.
    pub fn per_period(&self) -> u64 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// The table's period in ms.
    pub fn period(&self) -> i64 {
        self.period
    }
}

fn clean(r: f64) -> f64 {
    if r.is_finite() && r > 0.0 { r } else { 0.0 }
}

impl Table {
    /// Micro-events in `[0, tau]`.
    #[inline]
    pub fn at(&self, tau: i64) -> u64 {
        let tau = tau.max(0);
        let periods = (tau / self.period) as u64;
        let rem = tau % self.period;
        let i = (rem / self.step) as usize;
        let within = (rem % self.step) as u128;
        let (a, b) = match (self.cum.get(i), self.cum.get(i + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (self.per_period(), self.per_period()),
        };
        let part = ((b - a) as u128 * within / self.step as u128) as u64;
        periods
            .saturating_mul(self.per_period())
            .saturating_add(a)
            .saturating_add(part)
    }

    /// The rate in events per second at `tau` (constant within a step).
    pub fn rate_at(&self, tau: i64) -> f64 {
        let rem = tau.max(0) % self.period;
        let i = (rem / self.step) as usize;
        match (self.cum.get(i), self.cum.get(i + 1)) {
            (Some(&a), Some(&b)) => (b - a) as f64 / MICRO / (self.step as f64 / SECOND as f64),
            _ => 0.0,
        }
    }
}

impl Intensity for Table {
    fn origin(&self) -> Origin {
        self.origin
    }

    #[inline]
    fn cumulative(&self, _: &SeriesContext<'_>, _: i64, tau: i64) -> u64 {
        self.at(tau)
    }

    fn rate(&self, _: &SeriesContext<'_>, _: i64, tau: i64) -> f64 {
        self.rate_at(tau)
    }
}

/// A cosine cycle: `amplitude · cos(2π (t − peak) / period)`, peaking at `peak` ms into
/// each period (counted from [`WEEK_ORIGIN`], so a daily peak is a UTC time of day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cycle {
    /// Period in ms; must divide one week.
    pub period: i64,
    /// Relative amplitude in a [`Rate`] (0.3 = ±30 %), absolute in a gauge.
    pub amplitude: f64,
    /// Time of the maximum within the period, in ms.
    pub peak: i64,
}

impl Cycle {
    /// The cycle's value at `tau` (ms since its origin).
    #[inline]
    pub fn at(&self, tau: i64) -> f64 {
        let phase = (tau - self.peak).rem_euclid(self.period.max(1)) as f64 / self.period as f64;
        self.amplitude * libm::cos(std::f64::consts::TAU * phase)
    }
}

/// A counter's rate, described: a level in events per second, shaped by cycles, multiplied
/// by factors while incidents are active, and optionally gated to the time inside (or
/// outside) an incident.
///
/// ```
/// use simulator::scenario::{Rate, HOUR};
/// // 40 requests per second on average, ±30 % over the day with the peak at 14:00 UTC.
/// let traffic = Rate::per_second(40.0).daily(0.3, 14 * HOUR);
/// ```
#[derive(Debug, Clone)]
pub struct Rate {
    level: f64,
    shape: Shape,
    custom: Option<Arc<dyn Intensity>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Shape {
    cycles: Vec<Cycle>,
    factors: Vec<(IncidentId, f64)>,
    /// `(incident, true)`: only while the incident is active; `false`: only outside it.
    gates: Vec<(IncidentId, bool)>,
}

impl Shape {
    fn key(&self) -> Vec<u64> {
        let mut k = Vec::new();
        for c in &self.cycles {
            k.extend([1, c.period as u64, c.amplitude.to_bits(), c.peak as u64]);
        }
        for (i, f) in &self.factors {
            k.extend([2, i.0 as u64, f.to_bits()]);
        }
        for (i, inside) in &self.gates {
            k.extend([3, i.0 as u64, u64::from(*inside)]);
        }
        k
    }
}

impl Rate {
    /// A constant `level` events per second.
    pub fn per_second(level: f64) -> Rate {
        Rate {
            level,
            shape: Shape::default(),
            custom: None,
        }
    }

    /// A rate given by a hand-written [`Intensity`], scaled by `level`.
    pub fn custom(intensity: Arc<dyn Intensity>, level: f64) -> Rate {
        Rate {
            level,
            shape: Shape::default(),
            custom: Some(intensity),
        }
    }

    /// Adds a daily cycle of relative `amplitude` (0.3 = ±30 %) peaking at `peak` ms after
    /// 00:00 UTC.
    pub fn daily(self, amplitude: f64, peak: i64) -> Rate {
        self.cycle(DAY, amplitude, peak)
    }

    /// Adds a weekly cycle of relative `amplitude` peaking at `peak` ms after Monday 00:00
    /// UTC.
    pub fn weekly(self, amplitude: f64, peak: i64) -> Rate {
        self.cycle(WEEK, amplitude, peak)
    }

    /// Adds a cycle of relative `amplitude` with any `period` that divides one week.
    pub fn cycle(mut self, period: i64, amplitude: f64, peak: i64) -> Rate {
        self.shape.cycles.push(Cycle {
            period,
            amplitude,
            peak,
        });
        self
    }

    /// Multiplies the rate by `factor` while `incident` is active.
    pub fn during(mut self, incident: IncidentId, factor: f64) -> Rate {
        self.shape.factors.push((incident, factor));
        self
    }

    /// Keeps only the part of the rate inside `incident` (zero outside it).
    pub fn only_during(mut self, incident: IncidentId) -> Rate {
        self.shape.gates.push((incident, true));
        self
    }

    /// Keeps only the part of the rate outside `incident` (zero inside it).
    pub fn except_during(mut self, incident: IncidentId) -> Rate {
        self.shape.gates.push((incident, false));
        self
    }

    /// Multiplies the level by `k`, e.g. the share of requests answered with a 500.
    pub fn times(mut self, k: f64) -> Rate {
        self.level *= k;
        self
    }

    /// The level in events per second (before cycles and factors).
    pub fn level(&self) -> f64 {
        self.level
    }

    /// The incidents the description refers to.
    pub(crate) fn incidents(&self) -> impl Iterator<Item = IncidentId> + '_ {
        self.shape
            .factors
            .iter()
            .map(|(i, _)| *i)
            .chain(self.shape.gates.iter().map(|(i, _)| *i))
    }

    /// The cycles' periods and the incidents' schedules must divide one week; checked by the
    /// builder before compiling.
    pub(crate) fn periods(&self) -> impl Iterator<Item = i64> + '_ {
        self.shape.cycles.iter().map(|c| c.period)
    }
}

/// A compiled rate: an intensity and a scale (the level).
#[derive(Debug, Clone)]
pub struct CompiledRate {
    pub(crate) intensity: Arc<dyn Intensity>,
    pub(crate) scale: f64,
}

impl CompiledRate {
    /// Expected events per second at `t` for a process started at `ps`.
    pub fn rate_at(&self, cx: &SeriesContext<'_>, t: i64, ps: i64) -> f64 {
        let tau = match self.intensity.origin() {
            Origin::Absolute => t - WEEK_ORIGIN,
            Origin::ProcessStart => t - ps,
        };
        self.scale * self.intensity.rate(cx, ps, tau.max(0))
    }
}

/// Compiles rate descriptions, sharing one table among all rates with the same shape.
#[derive(Default)]
pub(crate) struct RateCompiler {
    cache: HashMap<Vec<u64>, Arc<dyn Intensity>>,
}

impl RateCompiler {
    /// Compiles `rate`; `schedule` gives each incident's schedule. Incident ids and periods
    /// have been checked by the caller.
    pub fn compile(
        &mut self,
        rate: &Rate,
        schedule: &dyn Fn(IncidentId) -> Schedule,
    ) -> CompiledRate {
        if let Some(custom) = &rate.custom {
            return CompiledRate {
                intensity: custom.clone(),
                scale: rate.level,
            };
        }
        let key = rate.shape.key();
        let shape = rate.shape.clone();
        let intensity = self
            .cache
            .entry(key)
            .or_insert_with(|| {
                let weekly = shape.cycles.iter().any(|c| DAY % c.period.max(1) != 0)
                    || shape
                        .factors
                        .iter()
                        .map(|(i, _)| schedule(*i))
                        .chain(shape.gates.iter().map(|(i, _)| schedule(*i)))
                        .any(|s| DAY % s.period != 0);
                let period = if weekly { WEEK } else { DAY };
                let factors: Vec<(Schedule, f64)> = shape
                    .factors
                    .iter()
                    .map(|(i, f)| (schedule(*i), *f))
                    .collect();
                let gates: Vec<(Schedule, bool)> = shape
                    .gates
                    .iter()
                    .map(|(i, g)| (schedule(*i), *g))
                    .collect();
                let table = Table::from_fn(Origin::Absolute, period, MINUTE, |tau| {
                    let t = tau + WEEK_ORIGIN;
                    let mut r = 1.0 + shape.cycles.iter().map(|c| c.at(tau)).sum::<f64>();
                    for (s, f) in &factors {
                        if s.active(t) {
                            r *= f;
                        }
                    }
                    for (s, inside) in &gates {
                        if s.active(t) != *inside {
                            r = 0.0;
                        }
                    }
                    r
                });
                Arc::new(table)
            })
            .clone();
        CompiledRate {
            intensity,
            scale: rate.level,
        }
    }
}

/// How a counter's expected count is perturbed: a time warp. The counter reads the
/// expected count at a slightly shifted time `φ(τ) = τ + h(τ)`, where `h` is value noise at
/// three time scales (10 s, 1 min, 15 min). The octaves' slopes are at most `noise/2`,
/// `noise/6` and `noise/50`, so `φ` is increasing (the counter stays monotone whatever the
/// rate, and a zero rate stays exactly zero), rates over 15 s wobble by several percent
/// while rates over 5 minutes stay within about 1 %, as Poisson noise on busy counters
/// does, and no event moves by more than `16.5 · noise` seconds (1.65 s at the default 0.1),
/// which keeps incident edges sharp.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Warp {
    stream: Stream,
    /// Amplitude in ms of each octave.
    amp: [f64; 3],
}

const WARP_KNOTS: [i64; 3] = [10 * SECOND, MINUTE, 15 * MINUTE];
/// Each octave's largest slope, as a fraction of `noise` (slope = amplitude · 2 / knot).
const WARP_SLOPES: [f64; 3] = [0.5, 1.0 / 6.0, 0.02];

impl Warp {
    pub fn new(stream: Stream, noise: f64) -> Warp {
        let n = if noise.is_finite() {
            noise.clamp(0.0, 0.9)
        } else {
            0.0
        };
        let mut amp = [0.0; 3];
        for o in 0..3 {
            amp[o] = n * WARP_SLOPES[o] * WARP_KNOTS[o] as f64 / 2.0;
        }
        Warp { stream, amp }
    }

    /// The warped time, in ms, for `tau` ms since the origin.
    #[inline]
    pub fn apply(&self, tau: i64) -> i64 {
        if self.amp[0] == 0.0 {
            return tau;
        }
        let mut h = 0.0;
        for (o, knot) in WARP_KNOTS.iter().enumerate() {
            h += self.amp[o] * self.stream.child(o as u64).smooth(tau, *knot);
        }
        (tau + h.round() as i64).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_integrates_a_constant_and_a_cycle() {
        let t = Table::from_fn(Origin::Absolute, DAY, MINUTE, |_| 2.0);
        assert_eq!(t.at(0), 0);
        assert_eq!(t.at(SECOND), 2 * MICRO as u64);
        assert_eq!(t.at(DAY), 2 * 86_400 * MICRO as u64);
        assert_eq!(
            t.at(3 * DAY + 500),
            2 * (3 * 86_400) * MICRO as u64 + MICRO as u64
        );
        assert!((t.rate_at(123_456) - 2.0).abs() < 1e-12);

        let c = Cycle {
            period: DAY,
            amplitude: 0.5,
            peak: 6 * 3_600_000,
        };
        let t = Table::from_fn(Origin::Absolute, DAY, MINUTE, |tau| 1.0 + c.at(tau));
        // Over a whole day the cycle averages out.
        let day = t.at(DAY) as f64 / MICRO;
        assert!((day - 86_400.0).abs() < 1.0, "{day}");
        // Around the peak the rate is 1.5.
        assert!((t.rate_at(6 * 3_600_000) - 1.5).abs() < 1e-3);
    }

    #[test]
    fn cumulative_is_monotone() {
        let t = Table::from_fn(Origin::ProcessStart, 3_600_000, SECOND, |tau| {
            1.0 / (0.01 * (2.0 + libm::sin(libm::sin(tau as f64 / 3.6e6 * std::f64::consts::TAU)))
                + 0.01)
        });
        let mut last = 0;
        for tau in (0..10_000_000).step_by(997) {
            let c = t.at(tau);
            assert!(c >= last);
            last = c;
        }
    }

    #[test]
    fn warp_is_monotone() {
        let w = Warp::new(Stream::new(1, 2, 3), 0.9);
        let mut last = w.apply(0);
        for tau in 1..200_000 {
            let x = w.apply(tau * 7);
            assert!(x >= last, "warp went back at {tau}");
            last = x;
        }
    }
}
