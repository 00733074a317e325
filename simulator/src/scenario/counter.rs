//! Counters: monotone values computed at any time in O(1).
//!
//! A counter's value at `t` is the number of events since its process started. The expected
//! number comes from its [`Rate`]'s integral; two kinds of noise make it look measured:
//!
//! * a **time warp** ([`Warp`]): the counter reads the integral at a slightly shifted time
//!   (at most 1.65 s at the default noise), so the rate wobbles by several percent over
//!   seconds and much less over minutes, and
//! * **stratified rounding** for event counters: event `n` happens at a uniformly random
//!   moment while the expected count goes from `n` to `n + 1`, so the counter is an integer
//!   and sparse events (an error every few minutes) arrive irregularly.
//!
//! Both depend only on (seed, series, process start, time), and both keep the counter
//! monotone between restarts whatever the rate, including zero.

use super::noise::Stream;
use super::process::SeriesContext;
use super::rate::{CompiledRate, MICRO, Origin, Rate, Warp};
use super::timeline::WEEK_ORIGIN;

/// A counter's behaviour.
///
/// ```
/// use simulator::scenario::{Counter, Rate, HOUR};
/// let requests = Counter::events(Rate::per_second(40.0).daily(0.3, 14 * HOUR));
/// let cpu_seconds = Counter::amount(Rate::per_second(0.35)).noise(0.05);
/// ```
#[derive(Debug, Clone)]
pub struct Counter {
    pub(crate) rate: Rate,
    pub(crate) noise: f64,
    pub(crate) integer: bool,
}

impl Counter {
    /// Counts events (requests, errors, bytes): integer values. Rate noise ±10 %.
    pub fn events(rate: Rate) -> Counter {
        Counter {
            rate,
            noise: 0.1,
            integer: true,
        }
    }

    /// Accumulates an amount (CPU seconds, joules): float values. Rate noise ±10 %.
    pub fn amount(rate: Rate) -> Counter {
        Counter {
            rate,
            noise: 0.1,
            integer: false,
        }
    }

    /// Sets the rate noise (0 to 0.9; 0.1 = the rate wobbles by up to ±10 %).
    pub fn noise(mut self, noise: f64) -> Counter {
        self.noise = noise;
        self
    }

    /// The rate description.
    pub fn rate(&self) -> &Rate {
        &self.rate
    }
}

/// A counter ready to evaluate.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCounter {
    pub rate: CompiledRate,
    pub noise: f64,
    pub integer: bool,
    pub salt: u64,
}

/// Evaluates one counter over a batch of timestamps, caching what depends only on the
/// process start (which changes only at restarts).
pub(crate) struct CounterEval<'a> {
    c: &'a CompiledCounter,
    cx: SeriesContext<'a>,
    warp_stream: Stream,
    events: Stream,
    last_ps: i64,
    warp: Warp,
    base: u64,
    step: f64,
    event_stream: Stream,
}

impl<'a> CounterEval<'a> {
    pub fn new(c: &'a CompiledCounter, cx: &SeriesContext<'a>) -> CounterEval<'a> {
        let warp_stream = cx.stream(c.salt);
        CounterEval {
            c,
            cx: *cx,
            warp_stream,
            events: cx.stream(c.salt ^ 0x5eed),
            last_ps: i64::MIN,
            warp: Warp::new(warp_stream, c.noise),
            base: 0,
            step: c.rate.scale / MICRO,
            event_stream: warp_stream,
        }
    }

    #[inline]
    fn tau(&self, t: i64, ps: i64) -> i64 {
        match self.c.rate.intensity.origin() {
            Origin::Absolute => t - WEEK_ORIGIN,
            Origin::ProcessStart => t - ps,
        }
    }

    /// The expected count since process start, warped, in events (float).
    #[inline]
    pub fn expected(&mut self, t: i64, ps: i64) -> f64 {
        if ps != self.last_ps {
            self.last_ps = ps;
            if self.c.rate.intensity.origin() == Origin::ProcessStart {
                // Each run of the process has its own noise, as it has its own cycles.
                self.warp = Warp::new(self.warp_stream.child(ps as u64), self.c.noise);
            }
            let w = self.warp.apply(self.tau(ps, ps));
            self.base = self.c.rate.intensity.cumulative(&self.cx, ps, w);
            self.event_stream = self.events.child(ps as u64);
        }
        let w = self.warp.apply(self.tau(t, ps));
        let d = self
            .c
            .rate
            .intensity
            .cumulative(&self.cx, ps, w)
            .saturating_sub(self.base);
        d as f64 * self.step
    }

    /// The counter's value at `t` for the process started at `ps`.
    #[inline]
    pub fn value(&mut self, t: i64, ps: i64) -> f64 {
        let x = self.expected(t, ps);
        if self.c.integer {
            stratified(x, self.event_stream)
        } else {
            x
        }
    }
}

/// Event `n` occurs at a uniformly random point while the expected count `x` goes from `n`
/// to `n + 1`; returns how many have occurred by `x`. Monotone in `x`.
#[inline]
pub(crate) fn stratified(x: f64, events: Stream) -> f64 {
    // Also catches NaN, which compares false with everything.
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    let n = x.floor();
    let u = events.unit(n as i64);
    if u < x - n { n + 1.0 } else { n }
}

impl CompiledCounter {
    pub fn fill<'a>(&'a self, cx: &SeriesContext<'a>, ts: &[i64], out: &mut [f64]) {
        let mut e = CounterEval::new(self, cx);
        for (o, &t) in out.iter_mut().zip(ts) {
            *o = e.value(t, cx.process_start(t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_counts_are_monotone_integers() {
        let s = Stream::new(1, 1, 1);
        let mut last = 0.0;
        for i in 0..100_000 {
            let x = i as f64 * 0.0137;
            let c = stratified(x, s);
            assert_eq!(c, c.floor());
            assert!(c >= last);
            assert!(c >= x.floor() && c <= x.floor() + 1.0);
            last = c;
        }
        assert_eq!(stratified(0.0, s), 0.0);
        assert_eq!(stratified(f64::NAN, s), 0.0);
    }
}
