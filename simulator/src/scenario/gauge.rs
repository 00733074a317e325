//! Gauges: values that go up and down, described as small expressions.
//!
//! A [`Gauge`] is built from parts (a level, cycles, noise, a wandering walk, a trend since
//! process start, the expected rate of a counter it follows, switches and ramps tied to
//! incidents) and evaluated for a batch of timestamps at once. Every part is a pure function
//! of (seed, series, time): none keeps state from one sample to the next, so a value does
//! not depend on the window it was generated in.

use super::process::SeriesContext;
use super::rate::{CompiledRate, Cycle, Rate};
use super::timeline::{DAY, HOUR, IncidentId, MINUTE, SECOND, WEEK, WEEK_ORIGIN};
use std::fmt;
use std::sync::Arc;

/// A hand-written gauge behaviour, for shapes the expression parts cannot describe.
///
/// Contract: `out[i]` is a pure function of `cx.seed()`, `cx.key()` and `ts[i]`; the batch
/// (sorted ascending) may be used to share work between timestamps, never to change a
/// value. Use the `libm` crate for transcendental functions so values are bit-identical on
/// every platform.
pub trait GaugeFn: Send + Sync + fmt::Debug {
    /// Writes the value at each timestamp of `ts` into `out` (same length).
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]);
}

/// A gauge's behaviour.
///
/// ```
/// use simulator::scenario::{Gauge, HOUR, MINUTE};
/// // Around 40 % CPU, ±15 points over the day (peak 14:00 UTC), wandering ±5, noisy ±1.
/// let cpu = Gauge::level(40.0)
///     .plus(Gauge::daily(15.0, 14 * HOUR))
///     .plus(Gauge::walk(5.0, HOUR))
///     .plus(Gauge::noise(1.0))
///     .clamp(0.0, 100.0);
/// ```
#[derive(Debug, Clone)]
pub enum Gauge {
    /// A constant.
    Const(f64),
    /// A cosine cycle on the clock with absolute amplitude.
    Cycle(Cycle),
    /// Normal noise with standard deviation `sd`, redrawn every `every` ms.
    Noise {
        /// Standard deviation.
        sd: f64,
        /// How long a drawn value holds, in ms.
        every: i64,
    },
    /// A bounded random wander within ±`amplitude`: value noise at four time scales, the
    /// slowest `timescale` ms, each a quarter of the previous, with weights growing as the
    /// square root of the scale, as a random walk's excursions do.
    Walk {
        /// The largest excursion from zero.
        amplitude: f64,
        /// The slowest time scale in ms.
        timescale: i64,
    },
    /// `per_hour · hours since the process started`.
    Trend {
        /// Growth per hour.
        per_hour: f64,
    },
    /// The expected rate (events per second) of a counter's [`Rate`]: for gauges that
    /// follow traffic, such as requests in flight or CPU use.
    RateOf(Rate),
    /// Seconds since the process started.
    Uptime,
    /// The process start time in Unix seconds (`process_start_time_seconds`).
    ProcessStart,
    /// The sum of the parts.
    Sum(Vec<Gauge>),
    /// The product of the parts.
    Product(Vec<Gauge>),
    /// `inside` while the incident is active, `outside` otherwise.
    During {
        /// The incident.
        incident: IncidentId,
        /// The value while it is active.
        inside: Box<Gauge>,
        /// The value otherwise.
        outside: Box<Gauge>,
    },
    /// While the incident is active, a linear ramp from `from` to `to` over its duration;
    /// 0 otherwise. Add it to a level for a disk that fills up or a lag that grows.
    Ramp {
        /// The incident.
        incident: IncidentId,
        /// Value at the start of the incident.
        from: f64,
        /// Value at its end.
        to: f64,
    },
    /// The inner value limited to `[min, max]`.
    Clamp {
        /// The value to limit.
        inner: Box<Gauge>,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// The inner value rounded to the nearest integer.
    Round(Box<Gauge>),
    /// A hand-written behaviour.
    Custom(Arc<dyn GaugeFn>),
}

impl Gauge {
    /// A constant value.
    pub fn level(v: f64) -> Gauge {
        Gauge::Const(v)
    }

    /// A daily cosine of absolute `amplitude` peaking at `peak` ms after 00:00 UTC.
    pub fn daily(amplitude: f64, peak: i64) -> Gauge {
        Gauge::Cycle(Cycle {
            period: DAY,
            amplitude,
            peak,
        })
    }

    /// A weekly cosine of absolute `amplitude` peaking at `peak` ms after Monday 00:00 UTC.
    pub fn weekly(amplitude: f64, peak: i64) -> Gauge {
        Gauge::Cycle(Cycle {
            period: WEEK,
            amplitude,
            peak,
        })
    }

    /// A cosine with any period dividing a week.
    pub fn cycle(period: i64, amplitude: f64, peak: i64) -> Gauge {
        Gauge::Cycle(Cycle {
            period,
            amplitude,
            peak,
        })
    }

    /// Normal noise with standard deviation `sd`, redrawn every second.
    pub fn noise(sd: f64) -> Gauge {
        Gauge::Noise { sd, every: SECOND }
    }

    /// A bounded wander within ±`amplitude` whose slowest moves take `timescale` ms.
    pub fn walk(amplitude: f64, timescale: i64) -> Gauge {
        Gauge::Walk {
            amplitude,
            timescale,
        }
    }

    /// Linear growth since process start (a leak that a restart clears).
    pub fn trend(per_hour: f64) -> Gauge {
        Gauge::Trend { per_hour }
    }

    /// `factor` times the expected rate of `rate`.
    pub fn follows(rate: Rate, factor: f64) -> Gauge {
        Gauge::Product(vec![Gauge::RateOf(rate), Gauge::Const(factor)])
    }

    /// `inside` while `incident` is active, `outside` otherwise.
    pub fn during(incident: IncidentId, inside: Gauge, outside: Gauge) -> Gauge {
        Gauge::During {
            incident,
            inside: Box::new(inside),
            outside: Box::new(outside),
        }
    }

    /// A ramp from `from` to `to` across `incident`, 0 outside it.
    pub fn ramp(incident: IncidentId, from: f64, to: f64) -> Gauge {
        Gauge::Ramp { incident, from, to }
    }

    /// Seconds since the process started.
    pub fn uptime() -> Gauge {
        Gauge::Uptime
    }

    /// The process start time in Unix seconds, as `process_start_time_seconds` reports it.
    pub fn process_start() -> Gauge {
        Gauge::ProcessStart
    }

    /// A hand-written behaviour.
    pub fn custom(f: Arc<dyn GaugeFn>) -> Gauge {
        Gauge::Custom(f)
    }

    /// `self + other`.
    pub fn plus(self, other: Gauge) -> Gauge {
        match self {
            Gauge::Sum(mut v) => {
                v.push(other);
                Gauge::Sum(v)
            }
            g => Gauge::Sum(vec![g, other]),
        }
    }

    /// `self · other`.
    pub fn times(self, other: Gauge) -> Gauge {
        match self {
            Gauge::Product(mut v) => {
                v.push(other);
                Gauge::Product(v)
            }
            g => Gauge::Product(vec![g, other]),
        }
    }

    /// `self · k`.
    pub fn scaled(self, k: f64) -> Gauge {
        self.times(Gauge::Const(k))
    }

    /// Limits the value to `[min, max]`.
    pub fn clamp(self, min: f64, max: f64) -> Gauge {
        Gauge::Clamp {
            inner: Box::new(self),
            min,
            max,
        }
    }

    /// Rounds to whole numbers.
    pub fn round(self) -> Gauge {
        Gauge::Round(Box::new(self))
    }

    /// Visits every rate and incident the expression refers to (for the builder's checks).
    pub(crate) fn visit(&self, f: &mut Visitor<'_>) {
        match self {
            Gauge::Cycle(c) => f(None, None, Some(c.period)),
            Gauge::RateOf(r) => f(Some(r), None, None),
            Gauge::Sum(v) | Gauge::Product(v) => v.iter().for_each(|g| g.visit(f)),
            Gauge::During {
                incident,
                inside,
                outside,
            } => {
                f(None, Some(*incident), None);
                inside.visit(f);
                outside.visit(f);
            }
            Gauge::Ramp { incident, .. } => f(None, Some(*incident), None),
            Gauge::Clamp { inner, .. } | Gauge::Round(inner) => inner.visit(f),
            _ => {}
        }
    }
}

/// Receives each rate, incident and cycle period a gauge expression refers to.
pub(crate) type Visitor<'a> = dyn FnMut(Option<&Rate>, Option<IncidentId>, Option<i64>) + 'a;

/// A gauge with its rates compiled and its random parts given their streams.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    Const(f64),
    Cycle(Cycle),
    Noise {
        sd: f64,
        every: i64,
        salt: u64,
    },
    Walk {
        amps: [f64; 4],
        knots: [i64; 4],
        salt: u64,
    },
    Trend {
        per_ms: f64,
    },
    RateOf(CompiledRate),
    Uptime,
    ProcessStart,
    Sum(Vec<Compiled>),
    Product(Vec<Compiled>),
    During(IncidentId, Box<Compiled>, Box<Compiled>),
    Ramp(IncidentId, f64, f64),
    Clamp(Box<Compiled>, f64, f64),
    Round(Box<Compiled>),
    Custom(Arc<dyn GaugeFn>),
}

impl Compiled {
    /// Compiles `g`; `rate` compiles the rates inside; `salt` numbers the random parts in
    /// order so each has its own stream.
    pub fn new(g: &Gauge, rate: &mut dyn FnMut(&Rate) -> CompiledRate, salt: &mut u64) -> Compiled {
        let mut next = || {
            *salt += 1;
            *salt
        };
        match g {
            Gauge::Const(v) => Compiled::Const(*v),
            Gauge::Cycle(c) => Compiled::Cycle(*c),
            Gauge::Noise { sd, every } => Compiled::Noise {
                sd: *sd,
                every: (*every).max(1),
                salt: next(),
            },
            Gauge::Walk {
                amplitude,
                timescale,
            } => {
                let t = (*timescale).max(4 * 64);
                let knots = [t, t / 4, t / 16, t / 64];
                let w = knots.map(|k| (k as f64).sqrt());
                let total: f64 = w.iter().sum();
                Compiled::Walk {
                    amps: w.map(|x| amplitude * x / total),
                    knots,
                    salt: next(),
                }
            }
            Gauge::Trend { per_hour } => Compiled::Trend {
                per_ms: per_hour / HOUR as f64,
            },
            Gauge::RateOf(r) => Compiled::RateOf(rate(r)),
            Gauge::Uptime => Compiled::Uptime,
            Gauge::ProcessStart => Compiled::ProcessStart,
            Gauge::Sum(v) => {
                Compiled::Sum(v.iter().map(|g| Compiled::new(g, rate, salt)).collect())
            }
            Gauge::Product(v) => {
                Compiled::Product(v.iter().map(|g| Compiled::new(g, rate, salt)).collect())
            }
            Gauge::During {
                incident,
                inside,
                outside,
            } => Compiled::During(
                *incident,
                Box::new(Compiled::new(inside, rate, salt)),
                Box::new(Compiled::new(outside, rate, salt)),
            ),
            Gauge::Ramp { incident, from, to } => Compiled::Ramp(*incident, *from, *to),
            Gauge::Clamp { inner, min, max } => {
                Compiled::Clamp(Box::new(Compiled::new(inner, rate, salt)), *min, *max)
            }
            Gauge::Round(inner) => Compiled::Round(Box::new(Compiled::new(inner, rate, salt))),
            Gauge::Custom(f) => Compiled::Custom(f.clone()),
        }
    }

    /// Writes the value at each of `ts` into `out`.
    pub fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        match self {
            Compiled::Const(v) => out.fill(*v),
            Compiled::Cycle(c) => {
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = c.at(t - WEEK_ORIGIN);
                }
            }
            Compiled::Noise { sd, every, salt } => {
                let s = cx.stream(*salt);
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = sd * s.normal(t.div_euclid(*every));
                }
            }
            Compiled::Walk { amps, knots, salt } => {
                let s = cx.stream(*salt);
                for (o, &t) in out.iter_mut().zip(ts) {
                    let mut v = 0.0;
                    for i in 0..4 {
                        v += amps[i] * s.child(i as u64).smooth(t, knots[i]);
                    }
                    *o = v;
                }
            }
            Compiled::Trend { per_ms } => {
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = per_ms * (t - cx.process_start(t)) as f64;
                }
            }
            Compiled::RateOf(r) => {
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = r.rate_at(cx, t, cx.process_start(t));
                }
            }
            Compiled::Uptime => {
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = (t - cx.process_start(t)) as f64 / SECOND as f64;
                }
            }
            Compiled::ProcessStart => {
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = cx.process_start(t) as f64 / SECOND as f64;
                }
            }
            Compiled::Sum(parts) | Compiled::Product(parts) => {
                let product = matches!(self, Compiled::Product(_));
                out.fill(if product { 1.0 } else { 0.0 });
                let mut tmp = vec![0.0; ts.len()];
                for p in parts {
                    p.fill(cx, ts, &mut tmp);
                    for (o, x) in out.iter_mut().zip(&tmp) {
                        if product {
                            *o *= x;
                        } else {
                            *o += x;
                        }
                    }
                }
            }
            Compiled::During(incident, inside, outside) => {
                let mut a = vec![0.0; ts.len()];
                inside.fill(cx, ts, &mut a);
                outside.fill(cx, ts, out);
                for (i, &t) in ts.iter().enumerate() {
                    if cx.active(*incident, t) {
                        out[i] = a[i];
                    }
                }
            }
            Compiled::Ramp(incident, from, to) => {
                let sched = cx.schedule(*incident);
                for (o, &t) in out.iter_mut().zip(ts) {
                    *o = match sched {
                        Some(s) if s.active(t) => {
                            let f = (t - s.last_start(t)) as f64 / s.duration as f64;
                            from + (to - from) * f
                        }
                        _ => 0.0,
                    };
                }
            }
            Compiled::Clamp(inner, min, max) => {
                inner.fill(cx, ts, out);
                for o in out.iter_mut() {
                    *o = o.max(*min).min(*max);
                }
            }
            Compiled::Round(inner) => {
                inner.fill(cx, ts, out);
                for o in out.iter_mut() {
                    *o = o.round();
                }
            }
            Compiled::Custom(f) => f.fill(cx, ts, out),
        }
    }
}

/// A cycle's time scale must be a whole number of minutes dividing a week; used by checks.
pub(crate) fn period_ok(period: i64) -> bool {
    period >= MINUTE && WEEK % period == 0
}
