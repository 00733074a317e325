//! `ecommerce-api`: the e-commerce API of seed 004 (a FastAPI teaching app with structured
//! logging and Prometheus metrics) and the chaos scripts students run against it.
//!
//! Two targets in job `ecommerce-api`, as the seed's Prometheus box lists them:
//! `localhost:8000` (`starter_code.py`) and `localhost:8001` (`server.py`), scraped every
//! 15 s. Both expose the five families of the seed: `http_requests_total{method,endpoint,
//! status}`, `http_request_duration_seconds{method,endpoint}` with the Python client's
//! default buckets, `system_cpu_usage_percent` and `system_memory_usage_percent` (psutil's
//! view of the laptop both run on, so the two instances report nearly the same values) and
//! `products_low_stock_total` (1 once `/products` has been called: the Laptop has 5 in stock,
//! under the threshold of 10).
//!
//! Nobody browses this API. Its traffic is Prometheus' own scrapes of `/metrics` (the
//! middleware counts them) and the chaos scripts: `chaos_test_server.py` fires 100 requests
//! at `:8001` in about a minute, three times an hour, and `chaos_test.py` does the same to
//! `:8000` twice an hour. The chaos mix is 70 % good requests over the eight endpoints
//! (`/users` answers 403 to one in ten, `/ready` 503 to one in ten, `/error` always 500) and
//! 30 % bad ones: unknown paths (404, each its own `endpoint` value, since the middleware
//! labels the raw path), wrong methods (405), SQL injection in a query string (a 200 on
//! `/products`), an XSS probe and an overlong path. From 09:30 to 10:00 UTC a student runs
//! the chaos script in a loop: the chaos window. `starter_code.py` is restarted at 08:05 UTC
//! and stopped from 11:00 to 11:37 UTC.

use super::noise::Stream;
use super::process::SeriesContext;
use super::rate::{Intensity, Origin, Table};
use super::{
    Counter, DAY, Family, FamilyId, Gauge, GaugeFn, HOUR, Histogram, Incident, IncidentId,
    IncidentKind, MINUTE, Presence, Rate, Regime, SECOND, Scenario, ScenarioBuilder, ScenarioError,
    Schedule, Target, TargetId, WEEK_ORIGIN,
};
use std::sync::Arc;

/// The Python client's default histogram buckets.
const PYTHON_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// A path of 100 `A`s: the chaos script's "buffer overflow" probe.
const OVERFLOW: &str = "/products/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// One kind of chaos request: method, path, share of the chaos mix, the status codes it
/// gets with their shares, and its latency (median and p99, seconds).
struct Request {
    method: &'static str,
    endpoint: &'static str,
    share: f64,
    codes: &'static [(&'static str, f64)],
    latency: (f64, f64),
}

/// The chaos mix: 70 % good requests spread over the API's eight endpoints, 30 % bad.
const CHAOS_MIX: [Request; 17] = [
    Request {
        method: "GET",
        endpoint: "/",
        share: 0.0875,
        codes: &[("200", 1.0)],
        latency: (0.0011, 0.004),
    },
    // The good /products requests and the SQL-injection probes (`/products?id=1' OR '1'='1`:
    // the query string is not part of the path) land on the same series.
    Request {
        method: "GET",
        endpoint: "/products",
        share: 0.0875 + 0.03,
        codes: &[("200", 1.0)],
        latency: (0.052, 0.058),
    },
    Request {
        method: "GET",
        endpoint: "/users",
        share: 0.0875,
        codes: &[("200", 0.9), ("403", 0.1)],
        latency: (0.102, 0.11),
    },
    Request {
        method: "GET",
        endpoint: "/health",
        share: 0.0875,
        codes: &[("200", 1.0)],
        latency: (0.0009, 0.003),
    },
    Request {
        method: "GET",
        endpoint: "/ready",
        share: 0.0875,
        codes: &[("200", 0.9), ("503", 0.1)],
        latency: (0.0010, 0.003),
    },
    Request {
        method: "GET",
        endpoint: "/startup",
        share: 0.0875,
        codes: &[("200", 1.0)],
        latency: (0.0009, 0.003),
    },
    Request {
        method: "GET",
        endpoint: "/error",
        share: 0.0875,
        codes: &[("500", 1.0)],
        latency: (0.0031, 0.009),
    },
    Request {
        method: "GET",
        endpoint: "/metrics",
        share: 0.0875,
        codes: &[("200", 1.0)],
        latency: (0.0042, 0.01),
    },
    Request {
        method: "GET",
        endpoint: "/admin",
        share: 0.04,
        codes: &[("404", 1.0)],
        latency: (0.0007, 0.002),
    },
    Request {
        method: "GET",
        endpoint: "/api/v2/products",
        share: 0.04,
        codes: &[("404", 1.0)],
        latency: (0.0007, 0.002),
    },
    Request {
        method: "GET",
        endpoint: "/nonexistent",
        share: 0.04,
        codes: &[("404", 1.0)],
        latency: (0.0007, 0.002),
    },
    Request {
        method: "GET",
        endpoint: "/products/999",
        share: 0.03,
        codes: &[("404", 1.0)],
        latency: (0.0007, 0.002),
    },
    Request {
        method: "GET",
        endpoint: "/search",
        share: 0.02,
        codes: &[("404", 1.0)],
        latency: (0.0007, 0.002),
    },
    Request {
        method: "GET",
        endpoint: OVERFLOW,
        share: 0.02,
        codes: &[("404", 1.0)],
        latency: (0.0008, 0.002),
    },
    Request {
        method: "POST",
        endpoint: "/products",
        share: 0.03,
        codes: &[("405", 1.0)],
        latency: (0.0006, 0.002),
    },
    Request {
        method: "DELETE",
        endpoint: "/users",
        share: 0.03,
        codes: &[("405", 1.0)],
        latency: (0.0006, 0.002),
    },
    Request {
        method: "PUT",
        endpoint: "/health",
        share: 0.02,
        codes: &[("405", 1.0)],
        latency: (0.0006, 0.002),
    },
];

/// A chaos script's schedule against one instance: a run of `requests` requests lasting
/// `length` ms every `period` ms, `offset` ms into the period; and, during `window`, a
/// continuous loop at `window_rate` requests per second.
#[derive(Debug, Clone, Copy)]
struct Chaos {
    period: i64,
    offset: i64,
    length: i64,
    requests: f64,
    window: Option<(Schedule, f64)>,
}

impl Chaos {
    /// Chaos requests per second at `t`.
    fn rate_at(&self, t: i64) -> f64 {
        if let Some((window, rate)) = self.window
            && window.active(t)
        {
            return rate;
        }
        let into = (t - WEEK_ORIGIN - self.offset).rem_euclid(self.period);
        if into < self.length {
            self.requests / (self.length as f64 / SECOND as f64)
        } else {
            0.0
        }
    }

    /// The chaos requests per second over a day, every 5 seconds: runs start and stop on
    /// whole minutes, so the table integrates them exactly.
    fn table(&self) -> Table {
        Table::from_fn(Origin::Absolute, DAY, 5 * SECOND, |tau| {
            self.rate_at(tau + WEEK_ORIGIN)
        })
    }

    /// The first chaos request at or after `t`: a few seconds into the next run.
    fn next_request(&self, t: i64) -> i64 {
        if self.rate_at(t) > 0.0 {
            return t + 2 * SECOND;
        }
        let into = (t - WEEK_ORIGIN - self.offset).rem_euclid(self.period);
        let mut next = t - into + self.period + 2 * SECOND;
        if let Some((window, _)) = self.window {
            let w = window.last_start(t) + window.period;
            next = next.min(w + SECOND);
        }
        next
    }
}

/// `products_low_stock_total`: the gauge is 0 when the process starts and 1 from the first
/// `/products` request on (the Laptop, 5 in stock, is under the threshold of 10).
#[derive(Debug)]
struct LowStock {
    chaos: Chaos,
}

impl GaugeFn for LowStock {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        for (o, &t) in out.iter_mut().zip(ts) {
            let started = cx.process_start(t);
            *o = if t >= self.chaos.next_request(started) {
                1.0
            } else {
                0.0
            };
        }
    }
}

/// The laptop both servers run on, as psutil reports it: CPU and memory in percent. Both
/// instances read the same machine, so the slow part of the signal comes from a stream
/// shared by the host; each reading adds its own sampling noise.
#[derive(Debug)]
struct Laptop {
    memory: bool,
}

/// The host's random stream: the same for both instances.
const LAPTOP_KEY: u64 = 0x1a97_0b00;

impl GaugeFn for Laptop {
    fn fill(&self, cx: &SeriesContext<'_>, ts: &[i64], out: &mut [f64]) {
        let host = Stream::new(cx.seed(), LAPTOP_KEY, u64::from(self.memory));
        let own = cx.stream(0x5a3e);
        for (o, &t) in out.iter_mut().zip(ts) {
            let slow =
                0.6 * host.smooth(t, 40 * MINUTE) + 0.4 * host.child(1).smooth(t, 7 * MINUTE);
            *o = if self.memory {
                61.0 + 4.0 * slow + 0.15 * own.normal(t / SECOND)
            } else {
                (9.0 + 4.0 * slow + 1.5 * own.normal(t / SECOND)).max(0.5)
            };
        }
    }
}

/// `chaos_test.py` against starter_code.py: a run at :12 and :42 past each hour.
const STARTER_CHAOS: Chaos = Chaos {
    period: 30 * MINUTE,
    offset: 12 * MINUTE,
    length: MINUTE,
    requests: 100.0,
    window: None,
};
/// `chaos_test_server.py` against server.py: a run at :07, :27 and :47.
const SERVER_CHAOS: Chaos = Chaos {
    period: 20 * MINUTE,
    offset: 7 * MINUTE,
    length: MINUTE,
    requests: 100.0,
    window: None,
};
/// When the restarted processes come back (ms after 00:00 UTC). Both of starter_code.py's
/// restarts end five minutes before a chaos run, so its series reappear after the same
/// delay each time (a series' presence after a start is one fixed delay).
const STARTER_RESTART_ENDS: [i64; 2] = [8 * HOUR + 7 * MINUTE, 11 * HOUR + 37 * MINUTE];
const SERVER_RESTART_END: i64 = 5 * HOUR + 31 * MINUTE;

struct Families {
    requests: FamilyId,
    duration: FamilyId,
    cpu: FamilyId,
    memory: FamilyId,
    low_stock: FamilyId,
}

/// Builds the `ecommerce-api` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("ecommerce-api", "E-commerce API with chaos tests");
    b.describe(
        "The e-commerce API of seed 004, a FastAPI teaching app: starter_code.py on \
         localhost:8000 and server.py on localhost:8001 (job \"ecommerce-api\"), scraped every \
         15 s. HTTP requests by method, endpoint (the raw path) and status, a request-duration \
         histogram, the laptop's CPU and memory in percent, and the number of products low on \
         stock. Its traffic is Prometheus' scrapes and the chaos scripts: 100 requests in a \
         minute, 70 % good and 30 % bad (404s, 405s, probes), at :07, :27 and :47 past each \
         hour against :8001 and at :12 and :42 against :8000. From 09:30 to 10:00 UTC the \
         chaos script runs in a loop against :8001. starter_code.py restarts at 08:05 UTC and \
         is stopped from 11:00 to 11:37 UTC.",
    );
    let starter = b.target(Target::new("ecommerce-api", "localhost:8000"));
    let server = b.target(Target::new("ecommerce-api", "localhost:8001"));
    let window = Incident::new(IncidentKind::TrafficSurge, "Chaos window")
        .at(9, 30)
        .lasting(30 * MINUTE)
        .targets(&[server])
        .describe(
            "A student runs chaos_test_server.py in a loop against server.py for half an hour: \
             five requests a second, 30 % of them bad. 404s and 405s pile up on made-up paths, \
             /error answers 500, /users 403 and /ready 503 now and then; the laptop's CPU \
             climbs and requests get slower.",
        )
        .shows("sum by (status) (rate(http_requests_total[1m]))")
        .shows("sum(rate(http_requests_total{status=~\"4..|5..\"}[5m])) / sum(rate(http_requests_total[5m]))")
        .shows("topk(5, sum by (endpoint) (increase(http_requests_total{status=\"404\"}[30m])))");
    let chaos_8001 = Chaos {
        window: Some((window.schedule, 5.0)),
        ..SERVER_CHAOS
    };
    let window = b.incident(window);
    b.incident(
        Incident::new(IncidentKind::Restart, "server.py started")
            .at(5, 30)
            .lasting(MINUTE)
            .targets(&[server])
            .describe(
                "The student starts server.py for the day at 05:31 UTC (it was stopped the \
                 evening before): its counters start from zero each morning.",
            )
            .shows("resets(http_requests_total{instance=\"localhost:8001\"}[1d])"),
    );
    b.incident(
        Incident::new(IncidentKind::Restart, "starter_code.py restarted")
            .at(8, 5)
            .lasting(2 * MINUTE)
            .targets(&[starter])
            .describe(
                "The student stops starter_code.py to edit it and starts it again two minutes \
                 later: localhost:8000 cannot be scraped, its counters start again from zero, \
                 its labelled series come back only as the next chaos run's requests create \
                 them, and products_low_stock_total reads 0 until the next /products request.",
            )
            .shows("resets(http_requests_total{instance=\"localhost:8000\"}[1h])")
            .shows("products_low_stock_total"),
    );
    b.incident(
        Incident::new(IncidentKind::Restart, "starter_code.py stopped")
            .at(11, 0)
            .lasting(37 * MINUTE)
            .targets(&[starter])
            .describe(
                "starter_code.py is stopped from 11:00 to 11:37 UTC: up is 0 for \
                 localhost:8000, all its series go stale (queries at that time return nothing \
                 for it), and it starts from zero when it comes back.",
            )
            .shows("up{job=\"ecommerce-api\"} == 0")
            .shows("count by (instance) (http_requests_total)"),
    );

    let f = Families {
        requests: b.family(Family::counter(
            "http_requests_total",
            "Total HTTP requests",
        )),
        duration: b.family(
            Family::histogram(
                "http_request_duration_seconds",
                "HTTP request duration in seconds",
            )
            .unit("seconds"),
        ),
        cpu: b.family(
            Family::gauge("system_cpu_usage_percent", "System CPU usage percentage")
                .unit("percent"),
        ),
        memory: b.family(
            Family::gauge(
                "system_memory_usage_percent",
                "System memory usage percentage",
            )
            .unit("percent"),
        ),
        low_stock: b.family(Family::gauge(
            "products_low_stock_total",
            "Number of products with low stock",
        )),
    };
    instance_series(
        &mut b,
        &f,
        starter,
        STARTER_CHAOS,
        window,
        STARTER_RESTART_ENDS[0],
    );
    instance_series(&mut b, &f, server, chaos_8001, window, SERVER_RESTART_END);
    b.build()
}

/// How long after `restart_end` (ms after 00:00 UTC, when a restarted process comes back)
/// the first request of a kind with this share of the chaos mix arrives: the wait for the
/// next chaos run, plus the time into the run its first request of that kind takes.
fn first_request(chaos: &Chaos, restart_end: i64, share: f64) -> i64 {
    let back = WEEK_ORIGIN + restart_end;
    let per_second = chaos.requests / (chaos.length as f64 / SECOND as f64) * share;
    let within = if per_second > 0.0 {
        ((SECOND as f64 / per_second) as i64).min(chaos.length)
    } else {
        chaos.length
    };
    chaos.next_request(back) - back + within
}

fn instance_series(
    b: &mut ScenarioBuilder,
    f: &Families,
    t: TargetId,
    chaos: Chaos,
    window: IncidentId,
    restart_end: i64,
) {
    let activity: Arc<dyn Intensity> = Arc::new(chaos.table());
    for r in &CHAOS_MIX {
        let flow = Rate::custom(activity.clone(), r.share);
        let metrics = r.endpoint == "/metrics";
        for (code, share) in r.codes {
            let (rate, first) = if metrics {
                // Prometheus scrapes /metrics every 15 s and the middleware counts it, on
                // top of the chaos script's calls; the first scrape comes right away.
                let scraped = Table::from_fn(Origin::Absolute, DAY, 5 * SECOND, |tau| {
                    chaos.rate_at(tau + WEEK_ORIGIN) * r.share + 1.0 / 15.0
                });
                let scraped: Arc<dyn Intensity> = Arc::new(scraped);
                (Rate::custom(scraped, 1.0), 15 * SECOND)
            } else {
                (
                    flow.clone().times(*share),
                    first_request(&chaos, restart_end, r.share * share),
                )
            };
            // After a restart a labelled series exists only once a request has created it.
            b.series_with(
                f.requests,
                t,
                &[
                    ("method", r.method),
                    ("endpoint", r.endpoint),
                    ("status", code),
                ],
                Counter::events(rate).noise(0.05),
                Presence::AfterStart(first),
            );
        }
        // The laptop slows down while the chaos loop runs: every request takes longer.
        let regimes = |flow: Rate, (median, p99): (f64, f64)| {
            [
                Regime::lognormal(
                    flow.clone().except_during(window),
                    &PYTHON_BUCKETS,
                    median,
                    p99,
                ),
                Regime::lognormal(
                    flow.only_during(window),
                    &PYTHON_BUCKETS,
                    median * 1.8,
                    p99 * 3.0,
                ),
            ]
        };
        let mut h = Histogram::new(&PYTHON_BUCKETS).noise(0.05);
        let observed = if metrics {
            let scraped = Table::from_fn(Origin::Absolute, DAY, 5 * SECOND, |tau| {
                chaos.rate_at(tau + WEEK_ORIGIN) * r.share + 1.0 / 15.0
            });
            let scraped: Arc<dyn Intensity> = Arc::new(scraped);
            Rate::custom(scraped, 1.0)
        } else {
            flow.clone()
        };
        if r.endpoint == "/users" && r.method == "GET" {
            // Refused requests (403) return before the 0.1 s database query.
            for regime in regimes(observed.clone().times(0.9), r.latency) {
                h = h.regime(regime);
            }
            for regime in regimes(observed.times(0.1), (0.0012, 0.004)) {
                h = h.regime(regime);
            }
        } else {
            for regime in regimes(observed, r.latency) {
                h = h.regime(regime);
            }
        }
        let first = if metrics {
            15 * SECOND
        } else {
            first_request(&chaos, restart_end, r.share)
        };
        b.series_with(
            f.duration,
            t,
            &[("method", r.method), ("endpoint", r.endpoint)],
            h,
            Presence::AfterStart(first),
        );
    }
    // psutil's readings, with the work the chaos requests add on top.
    b.series(
        f.cpu,
        t,
        &[],
        Gauge::custom(Arc::new(Laptop { memory: false }))
            .plus(Gauge::follows(Rate::custom(activity.clone(), 1.0), 4.5))
            .clamp(0.0, 100.0),
    );
    b.series(
        f.memory,
        t,
        &[],
        Gauge::custom(Arc::new(Laptop { memory: true }))
            .plus(Gauge::follows(Rate::custom(activity, 1.0), 0.5))
            .clamp(0.0, 100.0),
    );
    b.series(
        f.low_stock,
        t,
        &[],
        Gauge::custom(Arc::new(LowStock { chaos })),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chaos_mix_is_seventy_percent_good() {
        let total: f64 = CHAOS_MIX.iter().map(|r| r.share).sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        let bad: f64 = CHAOS_MIX
            .iter()
            .map(|r| {
                r.share
                    * r.codes
                        .iter()
                        .filter(|(c, _)| matches!(*c, "404" | "405"))
                        .map(|(_, s)| s)
                        .sum::<f64>()
            })
            .sum();
        // 404s and 405s are the bad requests, minus the SQL-injection probes that get 200s.
        assert!((bad - 0.27).abs() < 1e-12, "{bad}");
        for r in &CHAOS_MIX {
            let codes: f64 = r.codes.iter().map(|(_, s)| s).sum();
            assert!((codes - 1.0).abs() < 1e-12, "{}", r.endpoint);
        }
    }

    #[test]
    fn restarts_come_back_the_same_time_before_a_chaos_run() {
        // Both restarts of starter_code.py end five minutes before a run of chaos_test.py,
        // so one first-request delay fits both.
        let chaos = STARTER_CHAOS;
        for end in STARTER_RESTART_ENDS {
            assert_eq!(
                first_request(&chaos, end, 1.0),
                5 * MINUTE + 2 * SECOND + 600
            );
        }
        // A request during a run comes right away.
        let in_run = WEEK_ORIGIN + 12 * MINUTE + 30 * SECOND;
        assert_eq!(chaos.next_request(in_run), in_run + 2 * SECOND);
    }

    #[test]
    fn chaos_runs_send_a_hundred_requests() {
        let table = STARTER_CHAOS.table();
        let run = 12 * MINUTE;
        let requests = (table.at(run + MINUTE) - table.at(run)) as f64 / crate::scenario::MICRO;
        assert!((requests - 100.0).abs() < 1e-4, "{requests}");
        let quiet = (table.at(run + 10 * MINUTE) - table.at(run + MINUTE)) as f64;
        assert_eq!(quiet, 0.0);
    }
}
