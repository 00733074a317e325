//! `inventory`: the Inventory Manager of seed 001 (a Flask API with MongoDB and a Redis
//! cache), its node exporter and Prometheus itself, as the seed's `prometheus.yml` scrapes
//! them.
//!
//! Targets: `inventory-app:3000` (job `inventory-app`), `node-exporter:9100` (job
//! `node-exporter`) and `localhost:9090` (job `prometheus`, the self-scrape the seed's target
//! list shows), every 15 s. The app has the six families of the seed's table with the labels
//! of its `MONITORING.md`: `inventory_requests_total{method,endpoint,status}`, the latency
//! histogram `{method,endpoint}` with the Python client's default buckets, the item count,
//! cache hits and misses, and database errors. Flask labels requests with `request.path`,
//! so each item's URL is its own `endpoint` value (a cardinality lesson), and Prometheus'
//! scrapes of `/metrics` are counted like any request.
//!
//! The default window (06:00 to 12:00 UTC) holds a short load test at 07:20, a cache-miss
//! storm at 09:00 (Redis restarted empty: hit ratio from 93 % to under 20 %, latency p95
//! above a second, the host waiting on disk) and, inside it, database connection errors at
//! 09:15 (45 % of item requests answer 500).

use super::node_exporter::{self, Filesystem, Host, Surge};
use super::{
    Counter, Family, FamilyId, Gauge, HOUR, Histogram, Incident, IncidentId, IncidentKind, MINUTE,
    Rate, Regime, SECOND, Scenario, ScenarioBuilder, ScenarioError, Schedule, Target, TargetId,
    WEEK,
};

/// Requests per second to the item API at the daily mean.
const REQUESTS_PER_SECOND: f64 = 26.0;
/// Busiest at 13:00 UTC, ±40 % over the day: an office application.
const PEAK: i64 = 13 * HOUR;
const SWING: f64 = 0.4;

/// The Python client's default histogram buckets.
const PYTHON_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Items by MongoDB ObjectId, as they appear in `request.path`.
const ITEM_1: &str = "/api/items/6581a2f4c3e9b1d2a7f0c311";
const ITEM_2: &str = "/api/items/6581a2f4c3e9b1d2a7f0c312";
const ITEM_3: &str = "/api/items/6581a31bc3e9b1d2a7f0c3a0";
const ITEM_4: &str = "/api/items/6581a3c7c3e9b1d2a7f0c3f5";

/// One route of the API: method, path, share of the traffic, response codes with their
/// shares, normal latency and latency during the cache-miss storm (median and p99, s).
struct Route {
    method: &'static str,
    endpoint: &'static str,
    share: f64,
    codes: &'static [(&'static str, f64)],
    normal: (f64, f64),
    storm: (f64, f64),
    /// Whether it reads through the cache (GET on items).
    cached: bool,
}

const ROUTES: [Route; 8] = [
    Route {
        method: "GET",
        endpoint: "/api/items",
        share: 0.50,
        codes: &[("200", 1.0)],
        normal: (0.028, 0.19),
        storm: (0.42, 2.6),
        cached: true,
    },
    Route {
        method: "GET",
        endpoint: ITEM_1,
        share: 0.12,
        codes: &[("200", 0.97), ("404", 0.03)],
        normal: (0.012, 0.09),
        storm: (0.3, 1.9),
        cached: true,
    },
    Route {
        method: "GET",
        endpoint: ITEM_2,
        share: 0.08,
        codes: &[("200", 0.97), ("404", 0.03)],
        normal: (0.012, 0.09),
        storm: (0.3, 1.9),
        cached: true,
    },
    Route {
        method: "GET",
        endpoint: ITEM_3,
        share: 0.06,
        codes: &[("200", 0.97), ("404", 0.03)],
        normal: (0.012, 0.09),
        storm: (0.3, 1.9),
        cached: true,
    },
    Route {
        method: "GET",
        endpoint: ITEM_4,
        share: 0.04,
        codes: &[("200", 0.97), ("404", 0.03)],
        normal: (0.012, 0.09),
        storm: (0.3, 1.9),
        cached: true,
    },
    Route {
        method: "POST",
        endpoint: "/api/items",
        share: 0.08,
        codes: &[("201", 0.94), ("400", 0.06)],
        normal: (0.045, 0.3),
        storm: (0.5, 2.8),
        cached: false,
    },
    Route {
        method: "PUT",
        endpoint: ITEM_1,
        share: 0.04,
        codes: &[("200", 0.96), ("400", 0.03), ("404", 0.01)],
        normal: (0.04, 0.28),
        storm: (0.45, 2.5),
        cached: false,
    },
    Route {
        method: "DELETE",
        endpoint: ITEM_4,
        share: 0.02,
        codes: &[("200", 0.9), ("404", 0.1)],
        normal: (0.03, 0.2),
        storm: (0.4, 2.2),
        cached: false,
    },
];

/// Share of item requests answered 500 while the database refuses connections.
const DB_FAILURE: f64 = 0.45;
/// Share of cached reads served from Redis, normally and during the storm.
const HIT_RATIO: f64 = 0.93;
const STORM_HIT_RATIO: f64 = 0.17;
/// Extra GET /api/items per second during the load test: 1000 requests in a minute.
const LOAD_TEST: f64 = 1000.0 / 60.0;

struct Incidents {
    load_test: IncidentId,
    storm: IncidentId,
    db: IncidentId,
}

/// Builds the `inventory` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("inventory", "Inventory Manager with node exporter");
    b.describe(
        "The Inventory Manager of seed 001: a Flask API over MongoDB with a Redis cache \
         (job \"inventory-app\"), the node exporter of its host (job \"node-exporter\") and \
         Prometheus scraping itself (job \"prometheus\"), every 15 s. Requests by method, \
         endpoint (Flask's request path, so every item URL is its own value) and status, a \
         latency histogram, the item count, cache hits and misses, database errors; CPU by \
         core and mode, memory, filesystems, network and disk. Traffic peaks at 13:00 UTC. A \
         load test runs at 07:20 UTC; at 09:00 UTC Redis comes back empty and a cache-miss \
         storm overloads MongoDB, which refuses connections from 09:15 to 09:35 UTC.",
    );
    let app = b.target(Target::new("inventory-app", "inventory-app:3000"));
    let node = b.target(Target::new("node-exporter", "node-exporter:9100"));
    let prometheus = b.target(Target::new("prometheus", "localhost:9090"));

    b.incident(
        Incident::new(IncidentKind::Restart, "Weekly redeploy of the app")
            .schedule(Schedule::every(WEEK, 4 * HOUR, 20 * SECOND))
            .targets(&[app])
            .describe(
                "Every Monday at 04:00 UTC the app is redeployed: it cannot be scraped for 20 \
                 seconds and its counters start again from zero.",
            )
            .shows("resets(inventory_requests_total[1w])"),
    );
    let load_test = Incident::new(IncidentKind::TrafficSurge, "Load test")
        .at(7, 20)
        .lasting(MINUTE)
        .describe(
            "Someone runs the seed's `ab -n 1000 -c 10 http://localhost:3000/api/items`: a \
             thousand extra list requests in one minute. Barely a bump in a 5-minute rate, \
             plain in increase() over the minute.",
        )
        .shows("increase(inventory_requests_total{method=\"GET\",endpoint=\"/api/items\"}[1m])")
        .shows("sum(rate(inventory_requests_total[1m]))");
    let storm = Incident::new(IncidentKind::LatencySpike, "Cache-miss storm")
        .at(9, 0)
        .lasting(40 * MINUTE)
        .describe(
            "Redis restarts with an empty cache. For 40 minutes most reads miss (hit ratio \
             from 93 % to about 17 %) and go to MongoDB: latency p95 climbs above a second, \
             the host's CPUs wait on the disk (iowait) and the disk is busy. The seed's \
             LowCacheHitRate and HighLatency alerts fire.",
        )
        .shows("rate(inventory_cache_hits_total[5m]) / (rate(inventory_cache_hits_total[5m]) + rate(inventory_cache_misses_total[5m]))")
        .shows("histogram_quantile(0.95, sum by (le) (rate(inventory_request_duration_seconds_bucket[5m])))")
        .shows("avg by (mode) (rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))");
    let db = Incident::new(IncidentKind::ErrorBurst, "Database connection errors")
        .at(9, 15)
        .lasting(20 * MINUTE)
        .describe(
            "Under the storm's load MongoDB runs out of connections: from 09:15 to 09:35 UTC \
             45 % of item requests fail with 500 and inventory_db_errors_total climbs by \
             more than ten a second. The seed's HighErrorRate alert (5xx above 10 per \
             second) fires.",
        )
        .shows("sum(rate(inventory_requests_total{status=~\"5..\"}[5m]))")
        .shows("rate(inventory_db_errors_total[5m])");
    let surges = [
        (load_test.schedule, 1.6, 0.05, 1.5),
        (storm.schedule, 2.4, 0.32, 18.0),
    ];
    let load_test = b.incident(load_test);
    let storm = b.incident(storm);
    let db = b.incident(db);
    let incidents = Incidents {
        load_test,
        storm,
        db,
    };

    app_series(&mut b, app, &incidents);
    let host = Host {
        nodename: "inventory-host",
        cores: 4,
        memory: 8_233_627_648.0,
        busy: 0.16,
        swing: SWING,
        peak: PEAK,
        surges: [incidents.load_test, incidents.storm]
            .iter()
            .zip(surges)
            .map(|(&incident, (schedule, busy, iowait, disk))| Surge {
                incident,
                schedule,
                busy,
                iowait,
                disk,
            })
            .collect(),
        filesystems: vec![
            Filesystem {
                device: "/dev/sda1",
                fstype: "ext4",
                mountpoint: "/",
                size: 105_089_261_568.0,
                used: 0.41,
                reserved: 0.05,
            },
            Filesystem {
                device: "/dev/sda15",
                fstype: "vfat",
                mountpoint: "/boot/efi",
                size: 129_886_208.0,
                used: 0.05,
                reserved: 0.0,
            },
            Filesystem {
                device: "tmpfs",
                fstype: "tmpfs",
                mountpoint: "/run",
                size: 823_361_536.0,
                used: 0.002,
                reserved: 0.0,
            },
        ],
        // About 900 bytes in and 6 kB out per API request.
        receive: REQUESTS_PER_SECOND * 900.0,
        transmit: REQUESTS_PER_SECOND * 6_000.0,
        disk_busy: 0.02,
        disk_read: 180_000.0,
        disk_written: 420_000.0,
    };
    node_exporter::add(&mut b, node, &host);
    prometheus_series(&mut b, prometheus);
    b.build()
}

fn traffic(level: f64) -> Rate {
    Rate::per_second(level).daily(SWING, PEAK)
}

struct AppFamilies {
    requests: FamilyId,
    duration: FamilyId,
    items: FamilyId,
    hits: FamilyId,
    misses: FamilyId,
    db_errors: FamilyId,
}

fn app_series(b: &mut ScenarioBuilder, t: TargetId, inc: &Incidents) {
    let f = AppFamilies {
        requests: b.family(Family::counter(
            "inventory_requests_total",
            "Total requests",
        )),
        duration: b.family(
            Family::histogram("inventory_request_duration_seconds", "Request latency")
                .unit("seconds"),
        ),
        items: b.family(Family::gauge(
            "inventory_items_total",
            "Total inventory items",
        )),
        hits: b.family(Family::counter("inventory_cache_hits_total", "Cache hits")),
        misses: b.family(Family::counter(
            "inventory_cache_misses_total",
            "Cache misses",
        )),
        db_errors: b.family(Family::counter(
            "inventory_db_errors_total",
            "Database errors",
        )),
    };
    for route in &ROUTES {
        let mut flow = traffic(REQUESTS_PER_SECOND * route.share);
        if route.method == "GET" && route.endpoint == "/api/items" {
            // The load test doubles the list requests of a 07:20 minute, more or less.
            flow = flow.during(inc.load_test, 1.0 + LOAD_TEST / (REQUESTS_PER_SECOND * 0.5));
        }
        for (code, share) in route.codes {
            b.series(
                f.requests,
                t,
                &[
                    ("method", route.method),
                    ("endpoint", route.endpoint),
                    ("status", code),
                ],
                Counter::events(flow.clone().times(*share).during(inc.db, 1.0 - DB_FAILURE)),
            );
        }
        // The 500 series exist from earlier incidents; between them they stand still.
        b.series(
            f.requests,
            t,
            &[
                ("method", route.method),
                ("endpoint", route.endpoint),
                ("status", "500"),
            ],
            Counter::events(flow.clone().times(DB_FAILURE).only_during(inc.db)),
        );
        b.series(
            f.duration,
            t,
            &[("method", route.method), ("endpoint", route.endpoint)],
            Histogram::new(&PYTHON_BUCKETS)
                .regime(Regime::lognormal(
                    flow.clone().except_during(inc.storm),
                    &PYTHON_BUCKETS,
                    route.normal.0,
                    route.normal.1,
                ))
                .regime(Regime::lognormal(
                    flow.only_during(inc.storm),
                    &PYTHON_BUCKETS,
                    route.storm.0,
                    route.storm.1,
                )),
        );
    }
    // Kubernetes-style health checks and Prometheus' own scrapes pass through the same
    // middleware, so they are counted too.
    for (endpoint, rate, median) in [("/health", 0.1, 0.0015), ("/metrics", 1.0 / 15.0, 0.004)] {
        let flow = Rate::per_second(rate);
        b.series(
            f.requests,
            t,
            &[("method", "GET"), ("endpoint", endpoint), ("status", "200")],
            Counter::events(flow.clone()).noise(0.0),
        );
        b.series(
            f.duration,
            t,
            &[("method", "GET"), ("endpoint", endpoint)],
            Histogram::new(&PYTHON_BUCKETS).regime(Regime::lognormal(
                flow,
                &PYTHON_BUCKETS,
                median,
                median * 4.0,
            )),
        );
    }

    let reads: f64 = ROUTES.iter().filter(|r| r.cached).map(|r| r.share).sum();
    let reads = traffic(REQUESTS_PER_SECOND * reads).during(
        inc.load_test,
        1.0 + LOAD_TEST / (REQUESTS_PER_SECOND * reads),
    );
    b.series(
        f.hits,
        t,
        &[],
        Counter::events(
            reads
                .clone()
                .times(HIT_RATIO)
                .during(inc.storm, STORM_HIT_RATIO / HIT_RATIO),
        ),
    );
    b.series(
        f.misses,
        t,
        &[],
        Counter::events(
            reads
                .times(1.0 - HIT_RATIO)
                .during(inc.storm, (1.0 - STORM_HIT_RATIO) / (1.0 - HIT_RATIO)),
        ),
    );
    // A stray error every few minutes; during the outage every failed request logs one,
    // and the driver's retries log a few more.
    let base_errors = 0.004;
    let item_requests: f64 = ROUTES.iter().map(|r| r.share).sum::<f64>() * REQUESTS_PER_SECOND;
    b.series(
        f.db_errors,
        t,
        &[],
        Counter::events(
            traffic(base_errors).during(inc.db, item_requests * DB_FAILURE * 1.3 / base_errors),
        ),
    );
    b.series(
        f.items,
        t,
        &[],
        Gauge::level(1240.0)
            .plus(Gauge::walk(30.0, 4 * HOUR))
            .round(),
    );
}

/// The number of series the scenario has, as `prometheus_tsdb_head_series` reports it.
const HEAD_SERIES: f64 = 288.0;

/// Prometheus' self-scrape: a handful of its own families.
fn prometheus_series(b: &mut ScenarioBuilder, t: TargetId) {
    let build_info = b.family(Family::gauge(
        "prometheus_build_info",
        "A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.",
    ));
    let head_series = b.family(Family::gauge(
        "prometheus_tsdb_head_series",
        "Total number of series in the head block.",
    ));
    let appended = b.family(Family::counter(
        "prometheus_tsdb_head_samples_appended_total",
        "Total number of appended samples.",
    ));
    let http = b.family(Family::counter(
        "prometheus_http_requests_total",
        "Counter of HTTP requests.",
    ));
    let resident = b.family(
        Family::gauge(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
        )
        .unit("bytes"),
    );
    let cpu = b.family(
        Family::counter(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
        )
        .unit("seconds"),
    );
    b.series(
        build_info,
        t,
        &[
            ("branch", "HEAD"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("goversion", "go1.21.4"),
            ("version", "2.48.0"),
        ],
        Gauge::level(1.0),
    );
    // Every series of the scenario, appended every 15 s (a test keeps the count true).
    b.series(head_series, t, &[], Gauge::level(HEAD_SERIES));
    b.series(
        appended,
        t,
        &[("type", "float")],
        Counter::events(Rate::per_second(HEAD_SERIES / 15.0)).noise(0.02),
    );
    // Grafana's dashboard refreshes its 8 panels every 10 s while someone watches it.
    for (handler, rate) in [
        ("/api/v1/query_range", 0.8),
        ("/api/v1/query", 0.1),
        ("/api/v1/label/:name/values", 0.02),
        ("/metrics", 1.0 / 15.0),
        ("/-/healthy", 0.1),
    ] {
        let r = if handler == "/api/v1/query_range" {
            Rate::per_second(rate).daily(0.9, PEAK)
        } else {
            Rate::per_second(rate)
        };
        b.series(
            http,
            t,
            &[("code", "200"), ("handler", handler)],
            Counter::events(r),
        );
    }
    b.series(
        resident,
        t,
        &[],
        Gauge::level(2.1e8).plus(Gauge::walk(1.5e7, HOUR)).round(),
    );
    b.series(
        cpu,
        t,
        &[],
        Counter::amount(Rate::per_second(0.035)).noise(0.3),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_reports_the_scenarios_series_count() {
        let s = build().unwrap();
        assert_eq!(s.series().len() as f64, HEAD_SERIES);
    }
}
