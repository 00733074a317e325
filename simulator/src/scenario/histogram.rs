//! Classic histograms and summaries.
//!
//! Observations are not simulated one by one. A histogram has one or more **regimes**
//! (normal, latency spike, outage, ...), each with its own rate of observations and its own
//! share of observations per bucket. Each regime counts its observations with an event
//! counter; bucket `le=b` is the sum over regimes of `floor(share(≤ b) · count)`. That makes
//! the buckets consistent by construction: each is monotone in time (counts only grow),
//! cumulative across `le` (shares only grow), and `le="+Inf"` equals `_count` (its share is
//! exactly 1). `_sum` accumulates each regime's mean observation per observation, with its
//! own small noise, so `_sum / _count` wobbles the way a measured average does.

use super::counter::{CompiledCounter, CounterEval};
use super::gauge::{Compiled as CompiledGauge, Gauge};
use super::process::SeriesContext;
use super::rate::Rate;

/// The share of observations per bucket and the mean observation while a regime holds.
#[derive(Debug, Clone)]
pub struct Regime {
    pub(crate) rate: Rate,
    pub(crate) shares: Vec<f64>,
    pub(crate) mean: f64,
}

impl Regime {
    /// Observations arrive at `rate`; `shares[i]` is the relative share of observations
    /// falling in band `i` (above the previous bound, at most bound `i`; the last band is
    /// above the highest bound). Shares are normalised; `mean` is the average observed value.
    pub fn new(rate: Rate, shares: &[f64], mean: f64) -> Regime {
        Regime {
            rate,
            shares: shares.to_vec(),
            mean,
        }
    }

    /// Observations log-normally distributed with the given median and 99th percentile,
    /// spread over `bounds` (the histogram's bucket bounds without +Inf).
    pub fn lognormal(rate: Rate, bounds: &[f64], median: f64, p99: f64) -> Regime {
        let sigma = if p99 > median && median > 0.0 {
            libm::log(p99 / median) / 2.326_347_874_040_841
        } else {
            0.1
        };
        let mu = libm::log(median.max(f64::MIN_POSITIVE));
        let cdf = |x: f64| {
            if x <= 0.0 {
                0.0
            } else {
                0.5 * libm::erfc(-(libm::log(x) - mu) / (sigma * std::f64::consts::SQRT_2))
            }
        };
        let mut shares = Vec::with_capacity(bounds.len() + 1);
        let mut prev = 0.0;
        for &b in bounds {
            let c = cdf(b);
            shares.push((c - prev).max(0.0));
            prev = c;
        }
        shares.push((1.0 - prev).max(0.0));
        let mean = libm::exp(mu + sigma * sigma / 2.0);
        Regime { rate, shares, mean }
    }
}

/// A classic histogram: bucket upper bounds (without `+Inf`) and the regimes whose
/// observations it counts. Regimes usually partition time with [`Rate::only_during`] and
/// [`Rate::except_during`]; they may also overlap (two kinds of requests in one histogram).
#[derive(Debug, Clone)]
pub struct Histogram {
    pub(crate) bounds: Vec<f64>,
    pub(crate) regimes: Vec<Regime>,
    pub(crate) noise: f64,
}

impl Histogram {
    /// A histogram with these bucket upper bounds (ascending, without `+Inf`).
    pub fn new(bounds: &[f64]) -> Histogram {
        Histogram {
            bounds: bounds.to_vec(),
            regimes: Vec::new(),
            noise: 0.1,
        }
    }

    /// Adds a regime.
    pub fn regime(mut self, regime: Regime) -> Histogram {
        self.regimes.push(regime);
        self
    }

    /// Sets the rate noise of the regimes' counters (see [`super::Counter::noise`]).
    pub fn noise(mut self, noise: f64) -> Histogram {
        self.noise = noise;
        self
    }

    /// The bucket bounds, without `+Inf`.
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }
}

/// `count` bounds starting at `start`, each `factor` times the previous, computed by
/// repeated multiplication as Prometheus' Go client does (so the label strings match).
pub fn exponential_buckets(start: f64, factor: f64, count: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(count);
    let mut b = start;
    for _ in 0..count {
        out.push(b);
        b *= factor;
    }
    out
}

/// `count` bounds starting at `start`, `width` apart, as the Go client computes them.
pub fn linear_buckets(start: f64, width: f64, count: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(count);
    let mut b = start;
    for _ in 0..count {
        out.push(b);
        b += width;
    }
    out
}

/// The Go client's default buckets, `.005` to `10` seconds.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A summary: observations at `rate` with average `mean`, and the quantiles it reports,
/// each a gauge (the summary's sliding-window estimate). Quantile values are forced into
/// ascending order at every sample.
#[derive(Debug, Clone)]
pub struct Summary {
    pub(crate) rate: Rate,
    pub(crate) mean: f64,
    pub(crate) quantiles: Vec<(f64, Gauge)>,
    pub(crate) noise: f64,
}

impl Summary {
    /// A summary of observations at `rate` averaging `mean`.
    pub fn new(rate: Rate, mean: f64) -> Summary {
        Summary {
            rate,
            mean,
            quantiles: Vec::new(),
            noise: 0.1,
        }
    }

    /// Adds quantile `q` (0 to 1) whose estimate behaves like `value`.
    pub fn quantile(mut self, q: f64, value: Gauge) -> Summary {
        self.quantiles.push((q, value));
        self
    }
}

/// A histogram ready to evaluate. Members, in order: one bucket per bound, `+Inf`,
/// `_count`, `_sum`.
#[derive(Debug, Clone)]
pub(crate) struct CompiledHistogram {
    /// Per regime: the observation counter, the float counter behind `_sum`, cumulative
    /// shares per bucket (the last exactly 1), and the mean.
    pub regimes: Vec<(CompiledCounter, CompiledCounter, Vec<f64>, f64)>,
    pub buckets: usize,
}

impl CompiledHistogram {
    /// Cumulative shares from relative band shares: ascending, the last exactly 1.
    pub fn cumulative(shares: &[f64], buckets: usize) -> Vec<f64> {
        let clean: Vec<f64> = (0..buckets)
            .map(|i| {
                let s = shares.get(i).copied().unwrap_or(0.0);
                if s.is_finite() && s > 0.0 { s } else { 0.0 }
            })
            .collect();
        let total: f64 = clean.iter().sum();
        let mut acc = 0.0;
        let mut out: Vec<f64> = clean
            .iter()
            .map(|s| {
                acc += s;
                if total > 0.0 { acc / total } else { 0.0 }
            })
            .collect();
        if let Some(last) = out.last_mut() {
            *last = 1.0;
        }
        out
    }

    pub fn fill<'a>(&'a self, cx: &SeriesContext<'a>, ts: &[i64], out: &mut [Vec<f64>]) {
        let n = self.buckets;
        let mut evals: Vec<(CounterEval<'_>, CounterEval<'_>)> = self
            .regimes
            .iter()
            .map(|(c, s, _, _)| (CounterEval::new(c, cx), CounterEval::new(s, cx)))
            .collect();
        for (k, &t) in ts.iter().enumerate() {
            let ps = cx.process_start(t);
            for m in out.iter_mut().take(n + 2) {
                m[k] = 0.0;
            }
            let mut sum = 0.0;
            for (r, (count_eval, sum_eval)) in evals.iter_mut().enumerate() {
                let (_, _, shares, mean) = &self.regimes[r];
                let c = count_eval.value(t, ps);
                for (i, share) in shares.iter().enumerate() {
                    out[i][k] += (share * c).floor();
                }
                out[n][k] += c;
                sum += mean * sum_eval.value(t, ps);
            }
            out[n + 1][k] = sum;
        }
    }
}

/// A summary ready to evaluate. Members: one per quantile (ascending), `_count`, `_sum`.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSummary {
    pub count: CompiledCounter,
    pub sum: CompiledCounter,
    pub mean: f64,
    pub quantiles: Vec<CompiledGauge>,
}

impl CompiledSummary {
    pub fn fill<'a>(&'a self, cx: &SeriesContext<'a>, ts: &[i64], out: &mut [Vec<f64>]) {
        let q = self.quantiles.len();
        for (i, g) in self.quantiles.iter().enumerate() {
            g.fill(cx, ts, &mut out[i]);
        }
        // Estimates of higher quantiles are never below those of lower ones.
        for i in 1..q {
            let (lower, higher) = out.split_at_mut(i);
            for (h, l) in higher[0].iter_mut().zip(&lower[i - 1]) {
                if *h < *l {
                    *h = *l;
                }
            }
        }
        let mut c = CounterEval::new(&self.count, cx);
        let mut s = CounterEval::new(&self.sum, cx);
        for (k, &t) in ts.iter().enumerate() {
            let ps = cx.process_start(t);
            out[q][k] = c.value(t, ps);
            out[q + 1][k] = self.mean * s.value(t, ps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_buckets_match_the_go_client() {
        let b = exponential_buckets(0.0001, 1.5, 25);
        assert_eq!(b.len(), 25);
        assert_eq!(b[1], 0.00015000000000000001);
        assert_eq!(b[24], 1.683411219602823);
    }

    #[test]
    fn cumulative_shares_end_at_one() {
        let c = CompiledHistogram::cumulative(&[0.0, 0.3, 0.3, 0.4], 4);
        assert_eq!(c, vec![0.0, 0.3 / 1.0, 0.6, 1.0]);
        let c = CompiledHistogram::cumulative(&[f64::NAN, -1.0], 3);
        assert_eq!(c, vec![0.0, 0.0, 1.0]);
    }

    #[test]
    fn lognormal_shares_put_the_median_in_the_middle() {
        let bounds = [0.01, 0.05, 0.1, 0.5, 1.0];
        let r = Regime::lognormal(Rate::per_second(1.0), &bounds, 0.05, 0.5);
        let below: f64 = r.shares[..2].iter().sum();
        assert!((below - 0.5).abs() < 1e-9, "{below}");
        let above_p99: f64 = r.shares[4..].iter().sum();
        assert!((above_p99 - 0.01).abs() < 0.01);
    }
}
