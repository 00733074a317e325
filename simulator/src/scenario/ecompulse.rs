//! `ecompulse`: the E-ComPulse insights platform of seed 003, an e-commerce event pipeline
//! (ingestion API → Kafka → Spark Structured Streaming) on Kubernetes.
//!
//! The seed prints its metric tables and alert rules but no scrape configuration (the stack
//! is a Helm chart), so the targets are ours, named as a Kubernetes deployment of it would
//! be: two ingestion API pods (job `ecompulse-ingestion`), the Spark driver (job
//! `spark-streaming`), a Kafka exporter (job `kafka`) and the seed's custom infrastructure
//! exporter on three nodes (job `node-metrics`, target label `node`), scraped every 30 s as
//! kube-prometheus does. Families, types and labels are the seed's tables, with two
//! departures the seed forces: `ecompulse_processing_duration_seconds` has a label named
//! `job`, which Prometheus renames `exported_job` when it scrapes (the target's `job` wins),
//! and `spark_streaming_batch_duration`, a "Histogram" in the table, is a summary, because
//! the seed's alert `spark_streaming_batch_duration > 300` reads the bare name, which only a
//! summary (its quantiles) exposes.
//!
//! The default window (06:00 to 12:00 UTC) tells one story and has a second thread: the
//! `clickstream-aggregator` Spark job stalls from 07:30 (batches take over 300 s, its
//! consumer lag on `clickstream` builds to about 20,000 messages a partition), catches up
//! from 08:15 to 08:45 (its node's CPU above 90 %, memory above 85 %), and the ingestion
//! API's Kafka producer times out from 10:50 to 11:10. Meanwhile the Kafka node's disk
//! fills, crossing 10 % free at about 10:30, until retention frees it at 12:10.

use super::noise;
use super::{
    Counter, Family, FamilyId, Gauge, HOUR, Histogram, Incident, IncidentId, IncidentKind, MINUTE,
    Rate, Regime, SECOND, Scenario, ScenarioBuilder, ScenarioError, Schedule, Scrape, Summary,
    Target, TargetId, WEEK,
};

/// Events per second across the platform at the daily mean; evening shopping peaks at
/// 19:00 UTC.
const EVENTS_PER_SECOND: f64 = 850.0;
const PEAK: i64 = 19 * HOUR;
const SWING: f64 = 0.5;

/// Event types and their share of events.
const EVENT_TYPES: [(&str, f64); 6] = [
    ("page_view", 0.48),
    ("product_view", 0.22),
    ("search", 0.14),
    ("add_to_cart", 0.10),
    ("checkout", 0.04),
    ("purchase", 0.02),
];
const SOURCES: [(&str, f64); 3] = [("web", 0.52), ("mobile_app", 0.41), ("partner_api", 0.07)];

/// The Python client's default histogram buckets.
const PYTHON_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Kafka topics and their partitions.
const TOPICS: [(&str, usize); 4] = [
    ("clickstream", 12),
    ("orders", 6),
    ("payments", 6),
    ("inventory-updates", 3),
];
/// Consumer groups (the Spark jobs) and the topics they read.
const GROUPS: [(&str, &[&str]); 3] = [
    ("clickstream-aggregator", &["clickstream"]),
    ("recommendation-features", &["clickstream"]),
    ("sales-analytics", &["orders", "payments"]),
];
/// The Spark jobs: name, share of events they read, and the stages their events go through.
const JOBS: [(&str, f64, &[&str]); 3] = [
    (
        "clickstream-aggregator",
        0.94,
        &["parse", "enrich", "aggregate", "write"],
    ),
    (
        "recommendation-features",
        0.46,
        &["parse", "enrich", "write"],
    ),
    ("sales-analytics", 0.06, &["parse", "aggregate", "write"]),
];
/// The stalled job.
const STALLED: &str = "clickstream-aggregator";
/// Spark's micro-batch interval.
const BATCH_INTERVAL: f64 = 30.0;

/// The Kubernetes nodes: name, address, CPU % and memory % at the daily mean.
const NODES: [(&str, &str, f64, f64); 3] = [
    (
        "ip-10-0-1-23.eu-west-1.compute.internal",
        "10.0.1.23:9100",
        52.0,
        68.0,
    ),
    (
        "ip-10-0-2-47.eu-west-1.compute.internal",
        "10.0.2.47:9100",
        34.0,
        57.0,
    ),
    (
        "ip-10-0-3-12.eu-west-1.compute.internal",
        "10.0.3.12:9100",
        41.0,
        64.0,
    ),
];
/// Which node runs Spark (CPU and memory during catch-up) and which runs Kafka (its disk).
const SPARK_NODE: usize = 0;
const KAFKA_NODE: usize = 2;

const BROKERS: [&str; 3] = ["kafka-0", "kafka-1", "kafka-2"];

fn traffic(level: f64) -> Rate {
    Rate::per_second(level).daily(SWING, PEAK)
}

struct Incidents {
    lag: IncidentId,
    catch_up: IncidentId,
    errors: IncidentId,
    disk: IncidentId,
}

/// Builds the `ecompulse` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("ecompulse", "E-ComPulse event pipeline");
    b.scrape(Scrape {
        interval: 30 * SECOND,
        jitter: 4,
    });
    b.describe(
        "The E-ComPulse insights platform of seed 003: an e-commerce event pipeline on \
         Kubernetes. Two ingestion API pods (job \"ecompulse-ingestion\") count events by \
         type and source, errors by type and component, active users and processing latency; \
         Kafka (job \"kafka\") reports partitions per topic, consumer lag per group, topic \
         and partition, and broker throughput; the Spark driver (job \"spark-streaming\") \
         reports batch durations, records per batch, scheduling delay and executor memory; \
         a custom exporter on three nodes (job \"node-metrics\") reports CPU, memory and free \
         disk in percent. Scraped every 30 s. The clickstream-aggregator Spark job stalls at \
         07:30 UTC and its Kafka consumer lag builds up until it catches up from 08:15 to \
         08:45 UTC; Kafka producer timeouts hit ingestion from 10:50 to 11:10 UTC; the Kafka \
         node's disk fills all morning.",
    );
    let ingestion: Vec<TargetId> = ["ingestion-api-0:8000", "ingestion-api-1:8000"]
        .iter()
        .map(|i| b.target(Target::new("ecompulse-ingestion", i)))
        .collect();
    let spark = b.target(Target::new("spark-streaming", "spark-driver:4040"));
    let kafka = b.target(Target::new("kafka", "kafka-exporter:9308"));
    let nodes: Vec<TargetId> = NODES
        .iter()
        .map(|(node, address, _, _)| {
            b.target(Target::new("node-metrics", address).label("node", node))
        })
        .collect();

    let mut deployed = ingestion.clone();
    deployed.push(spark);
    b.incident(
        Incident::new(IncidentKind::Restart, "Weekly deploy")
            .schedule(Schedule::every(WEEK, 3 * HOUR, MINUTE))
            .targets(&deployed)
            .describe(
                "Every Monday at 03:00 UTC the ingestion API and the Spark jobs are redeployed: \
                 their pods cannot be scraped for a minute and their counters start again from \
                 zero.",
            )
            .shows("resets(ecompulse_events_total[1w])"),
    );
    let lag = b.incident(
        Incident::new(IncidentKind::Drift, "Kafka consumer lag")
            .at(7, 30)
            .lasting(45 * MINUTE)
            .describe(
                "The clickstream-aggregator Spark job stalls: its executors spend their time \
                 in garbage collection, batches take longer and longer (past the 300 s of the \
                 seed's SparkJobFailure alert), scheduling delay grows, and its consumer lag \
                 on the clickstream topic builds from a few dozen to about 20,000 messages per \
                 partition (the seed's KafkaConsumerLag alert fires at 1,000). The other \
                 consumer groups keep up.",
            )
            .shows("kafka_consumer_lag > 1000")
            .shows("sum by (group, topic) (kafka_consumer_lag)")
            .shows("spark_streaming_batch_duration{quantile=\"0.99\"}")
            .shows("spark_streaming_scheduling_delay"),
    );
    let catch_up = b.incident(
        Incident::new(IncidentKind::Other, "Spark catch-up")
            .at(8, 15)
            .lasting(30 * MINUTE)
            .describe(
                "Executors restarted with more memory, the job works through its backlog: \
                 records per batch hit the rate limit, the lag drains to normal in 30 minutes, \
                 and the Spark node runs hot (CPU above 90 %, memory above 85 %: the seed's \
                 HighCPUUsage and HighMemoryUsage alerts).",
            )
            .shows("spark_streaming_records_per_batch")
            .shows("cpu_usage_percent > 80")
            .shows("memory_usage_percent > 85")
            .shows("spark_executor_memory_used"),
    );
    let errors = b.incident(
        Incident::new(IncidentKind::ErrorBurst, "Ingestion error burst")
            .at(10, 50)
            .lasting(20 * MINUTE)
            .describe(
                "A Kafka broker is slow to acknowledge writes: the ingestion API's producer \
                 times out on about one event in a thousand: each pod logs a kafka_timeout \
                 error every three seconds or so (the seed's HighErrorRate alert fires above \
                 0.1 a second), and those events are lost.",
            )
            .shows("rate(ecompulse_errors_total[5m]) > 0.1")
            .shows("sum by (component, error_type) (rate(ecompulse_errors_total[5m]))"),
    );
    let disk = b.incident(
        Incident::new(IncidentKind::Drift, "Kafka disk filling")
            .at(4, 0)
            .lasting(8 * HOUR + 10 * MINUTE)
            .describe(
                "Kafka's log segments grow on the third node faster than retention deletes \
                 them: free disk falls from 20 % at 04:00 UTC to under 10 % at about 10:30 \
                 UTC (the seed's DiskSpaceLow alert) until a retention run frees the space at \
                 12:10 UTC.",
            )
            .shows("disk_free_percent < 10")
            .shows("predict_linear(disk_free_percent[1h], 4 * 3600)"),
    );
    let inc = Incidents {
        lag,
        catch_up,
        errors,
        disk,
    };
    // The ingestion API and the Spark jobs share the platform's families.
    let app = app_families(&mut b);
    ingestion_series(&mut b, &app, &ingestion, &inc);
    spark_series(&mut b, &app, spark, &inc);
    kafka_series(&mut b, kafka, &inc);
    node_series(&mut b, &nodes, &inc);
    b.build()
}

struct AppFamilies {
    events: FamilyId,
    per_second: FamilyId,
    duration: FamilyId,
    errors: FamilyId,
    users: FamilyId,
}

fn app_families(b: &mut ScenarioBuilder) -> AppFamilies {
    AppFamilies {
        events: b.family(Family::counter(
            "ecompulse_events_total",
            "Total events processed",
        )),
        per_second: b.family(Family::gauge(
            "ecompulse_events_per_second",
            "Event processing rate",
        )),
        duration: b.family(
            Family::histogram(
                "ecompulse_processing_duration_seconds",
                "Event processing duration",
            )
            .unit("seconds"),
        ),
        errors: b.family(Family::counter(
            "ecompulse_errors_total",
            "Total errors encountered",
        )),
        users: b.family(Family::gauge(
            "ecompulse_active_users",
            "Number of active users",
        )),
    }
}

fn ingestion_series(b: &mut ScenarioBuilder, f: &AppFamilies, pods: &[TargetId], inc: &Incidents) {
    let per_pod = EVENTS_PER_SECOND / pods.len() as f64;
    for &t in pods {
        for (event_type, type_share) in EVENT_TYPES {
            // Events the producer loses to timeouts are not counted.
            let by_type = traffic(per_pod * type_share).during(inc.errors, 0.999);
            for (source, source_share) in SOURCES {
                b.series(
                    f.events,
                    t,
                    &[("event_type", event_type), ("source", source)],
                    Counter::events(by_type.clone().times(source_share)),
                );
            }
            b.series(
                f.per_second,
                t,
                &[("event_type", event_type)],
                Gauge::follows(by_type, 1.0)
                    .plus(Gauge::noise(per_pod * type_share * 0.04))
                    .clamp(0.0, f64::INFINITY),
            );
        }
        // The API's own stages. Prometheus renames the exporter's `job` label.
        for (stage, median, p99) in [("ingest", 0.004, 0.03), ("validate", 0.0015, 0.012)] {
            let flow = traffic(per_pod);
            b.series(
                f.duration,
                t,
                &[("stage", stage), ("exported_job", "event-ingestion")],
                Histogram::new(&PYTHON_BUCKETS)
                    .regime(Regime::lognormal(
                        flow.clone().except_during(inc.errors),
                        &PYTHON_BUCKETS,
                        median,
                        p99,
                    ))
                    .regime(Regime::lognormal(
                        flow.only_during(inc.errors),
                        &PYTHON_BUCKETS,
                        if stage == "ingest" { 0.9 } else { median },
                        if stage == "ingest" { 5.5 } else { p99 },
                    )),
            );
        }
        for (error_type, component, rate, burst) in [
            ("validation", "ingestion-api", 0.035, 1.0),
            ("schema_mismatch", "ingestion-api", 0.008, 1.0),
            ("kafka_timeout", "kafka-producer", 0.002, 220.0),
        ] {
            b.series(
                f.errors,
                t,
                &[("error_type", error_type), ("component", component)],
                Counter::events(traffic(rate).during(inc.errors, burst)),
            );
        }
        b.series(
            f.users,
            t,
            &[],
            Gauge::level(2_100.0)
                .plus(Gauge::daily(1_050.0, PEAK))
                .plus(Gauge::walk(90.0, HOUR))
                .plus(Gauge::noise(15.0))
                .round(),
        );
    }
}

struct SparkFamilies {
    batch: FamilyId,
    records: FamilyId,
    executor_memory: FamilyId,
    delay: FamilyId,
}

fn spark_series(b: &mut ScenarioBuilder, app: &AppFamilies, t: TargetId, inc: &Incidents) {
    let f = SparkFamilies {
        batch: b.family(Family::summary(
            "spark_streaming_batch_duration",
            "Batch processing duration in seconds",
        )),
        records: b.family(Family::gauge(
            "spark_streaming_records_per_batch",
            "Records processed per batch",
        )),
        executor_memory: b.family(Family::gauge(
            "spark_executor_memory_used",
            "Executor memory usage in bytes",
        )),
        delay: b.family(Family::gauge(
            "spark_streaming_scheduling_delay",
            "Streaming scheduling delay in seconds",
        )),
    };
    for (job, share, stages) in JOBS {
        let stalled = job == STALLED;
        let labels = [("job_name", job)];
        // A batch every 30 s; while stalled, one every few minutes.
        let mut batches = Rate::per_second(1.0 / BATCH_INTERVAL);
        if stalled {
            batches = batches.during(inc.lag, 0.2);
        }
        // Typical batch duration in seconds: the bigger the job, the longer.
        let typical = 4.0 + 14.0 * share;
        let quantile = |k: f64, stall: f64, catch_up: f64| {
            let mut g = Gauge::level(typical * k).plus(Gauge::noise(typical * k * 0.08));
            if stalled {
                g = g
                    .plus(Gauge::ramp(inc.lag, typical * k, stall))
                    .plus(Gauge::ramp(inc.catch_up, catch_up, 0.0));
            }
            g.clamp(0.5, f64::INFINITY)
        };
        b.series(
            f.batch,
            t,
            &labels,
            Summary::new(batches, typical)
                .quantile(0.5, quantile(1.0, 250.0, 70.0))
                .quantile(0.9, quantile(1.35, 320.0, 90.0))
                .quantile(0.99, quantile(1.7, 400.0, 110.0)),
        );
        let events = traffic(EVENTS_PER_SECOND * share);
        let mut records = Gauge::follows(events.clone(), BATCH_INTERVAL)
            .plus(Gauge::noise(EVENTS_PER_SECOND * share * 1.5))
            .clamp(0.0, f64::INFINITY)
            .round();
        if stalled {
            // The backlog is read at the rate limit: 60,000 records per batch.
            records = Gauge::during(
                inc.catch_up,
                Gauge::level(60_000.0)
                    .plus(Gauge::noise(300.0))
                    .clamp(0.0, 60_000.0)
                    .round(),
                records,
            );
        }
        b.series(f.records, t, &labels, records);
        let mut delay = Gauge::level(0.6).plus(Gauge::noise(0.25));
        if stalled {
            delay = delay
                .plus(Gauge::ramp(inc.lag, 0.0, 2_400.0))
                .plus(Gauge::ramp(inc.catch_up, 2_400.0, 0.0));
        }
        b.series(f.delay, t, &labels, delay.clamp(0.0, f64::INFINITY));

        // Per-event latency of each stage; while stalled, aggregation and writes crawl and
        // few events get through, then the backlog goes through at twice the usual pace.
        for &stage in stages {
            let (median, p99) = match stage {
                "parse" => (0.002, 0.012),
                "enrich" => (0.012, 0.08),
                "aggregate" => (0.008, 0.05),
                _ => (0.02, 0.15),
            };
            let flow = if stalled {
                events
                    .clone()
                    .during(inc.lag, 0.2)
                    .during(inc.catch_up, 2.5)
            } else {
                events.clone()
            };
            let mut h = Histogram::new(&PYTHON_BUCKETS).regime(Regime::lognormal(
                if stalled {
                    flow.clone().except_during(inc.lag)
                } else {
                    flow.clone()
                },
                &PYTHON_BUCKETS,
                median,
                p99,
            ));
            if stalled {
                let slow = matches!(stage, "aggregate" | "write");
                h = h.regime(Regime::lognormal(
                    flow.only_during(inc.lag),
                    &PYTHON_BUCKETS,
                    if slow { median * 40.0 } else { median },
                    if slow { (p99 * 40.0).min(9.0) } else { p99 },
                ));
            }
            b.series(
                app.duration,
                t,
                &[("stage", stage), ("exported_job", job)],
                h,
            );
        }
        let (timeouts, checkpoint) = if stalled { (150.0, 20.0) } else { (1.0, 1.0) };
        for (error_type, rate, factor) in [
            ("batch_timeout", 0.0005, timeouts),
            ("checkpoint_failure", 0.0002, checkpoint),
        ] {
            b.series(
                app.errors,
                t,
                &[("error_type", error_type), ("component", job)],
                Counter::events(Rate::per_second(rate).during(inc.lag, factor)),
            );
        }
    }
    const GIB: f64 = 1_073_741_824.0;
    for executor in ["driver", "1", "2", "3", "4"] {
        let (level, stall, catch_up) = if executor == "driver" {
            (1.2 * GIB, 0.2 * GIB, 0.3 * GIB)
        } else {
            (2.6 * GIB, 1.0 * GIB, 1.1 * GIB)
        };
        b.series(
            f.executor_memory,
            t,
            &[("executor_id", executor)],
            Gauge::level(level)
                .plus(Gauge::walk(level * 0.05, HOUR))
                .plus(Gauge::ramp(inc.lag, 0.0, stall))
                .plus(Gauge::during(
                    inc.catch_up,
                    Gauge::level(catch_up),
                    Gauge::level(0.0),
                ))
                .round(),
        );
    }
}

/// A fixed skew per partition, so partitions of one topic differ as real ones do.
fn skew(topic: &str, partition: usize) -> f64 {
    0.7 + 0.6 * noise::unit(noise::hash2(noise::hash_str(topic), partition as u64))
}

fn kafka_series(b: &mut ScenarioBuilder, t: TargetId, inc: &Incidents) {
    let partitions = b.family(Family::gauge(
        "kafka_topic_partitions",
        "Number of partitions for this Topic",
    ));
    let lag = b.family(Family::gauge(
        "kafka_consumer_lag",
        "Current approximate lag of a consumer group at topic/partition",
    ));
    let bytes_in = b.family(Family::gauge(
        "kafka_broker_bytes_in_per_sec",
        "Bytes received per second by the broker, replication excluded",
    ));
    let bytes_out = b.family(Family::gauge(
        "kafka_broker_bytes_out_per_sec",
        "Bytes sent per second by the broker, replication excluded",
    ));
    for (topic, count) in TOPICS {
        b.series(
            partitions,
            t,
            &[("topic", topic)],
            Gauge::level(count as f64),
        );
    }
    for (group, topics) in GROUPS {
        for &topic in topics {
            let count = TOPICS
                .iter()
                .find(|(name, _)| *name == topic)
                .map_or(1, |(_, c)| *c);
            for p in 0..count {
                let k = skew(topic, p);
                let partition = p.to_string();
                // Healthy consumers trail by a few dozen to a couple of hundred messages.
                let mut g = Gauge::level(90.0 * k).plus(Gauge::noise(45.0 * k));
                if group == STALLED {
                    g = g
                        .plus(Gauge::ramp(inc.lag, 0.0, 20_000.0 * k))
                        .plus(Gauge::ramp(inc.catch_up, 20_000.0 * k, 0.0));
                }
                b.series(
                    lag,
                    t,
                    &[
                        ("group", group),
                        ("topic", topic),
                        ("partition", &partition),
                    ],
                    g.clamp(0.0, f64::INFINITY).round(),
                );
            }
        }
    }
    // About 1.1 kB per event, leaders spread evenly over three brokers; two consumer
    // groups read the clickstream, so brokers send about twice what they receive.
    let per_broker = EVENTS_PER_SECOND * 1_100.0 / BROKERS.len() as f64;
    for (i, broker) in BROKERS.iter().enumerate() {
        let k = 0.9 + 0.1 * i as f64;
        let events = traffic(per_broker * k);
        b.series(
            bytes_in,
            t,
            &[("broker", broker)],
            Gauge::follows(events.clone(), 1.0)
                .plus(Gauge::noise(per_broker * 0.03))
                .clamp(0.0, f64::INFINITY)
                .round(),
        );
        b.series(
            bytes_out,
            t,
            &[("broker", broker)],
            Gauge::follows(events.during(inc.lag, 0.6).during(inc.catch_up, 2.5), 1.95)
                .plus(Gauge::noise(per_broker * 0.05))
                .clamp(0.0, f64::INFINITY)
                .round(),
        );
    }
}

fn node_series(b: &mut ScenarioBuilder, nodes: &[TargetId], inc: &Incidents) {
    let cpu = b.family(Family::gauge("cpu_usage_percent", "CPU usage in percent").unit("percent"));
    let memory =
        b.family(Family::gauge("memory_usage_percent", "Memory usage in percent").unit("percent"));
    let disk =
        b.family(Family::gauge("disk_free_percent", "Free disk space in percent").unit("percent"));
    for (i, (&t, (_, _, cpu_level, memory_level))) in nodes.iter().zip(NODES).enumerate() {
        let mut c = Gauge::level(cpu_level)
            .plus(Gauge::daily(8.0, PEAK))
            .plus(Gauge::walk(5.0, 30 * MINUTE))
            .plus(Gauge::noise(1.5));
        let mut m = Gauge::level(memory_level)
            .plus(Gauge::walk(3.0, 2 * HOUR))
            .plus(Gauge::noise(0.3));
        if i == SPARK_NODE {
            c = Gauge::during(
                inc.catch_up,
                Gauge::level(93.0).plus(Gauge::noise(2.0)),
                c.plus(Gauge::ramp(inc.lag, 0.0, 12.0)),
            );
            m = Gauge::during(
                inc.catch_up,
                Gauge::level(90.5).plus(Gauge::noise(1.0)),
                m.plus(Gauge::ramp(inc.lag, 0.0, 11.0)),
            );
        }
        b.series(cpu, t, &[], c.clamp(0.0, 100.0));
        b.series(memory, t, &[], m.clamp(0.0, 100.0));
        let free = if i == KAFKA_NODE {
            Gauge::level(20.0)
                .plus(Gauge::ramp(inc.disk, 0.0, -12.5))
                .plus(Gauge::walk(0.3, HOUR))
        } else {
            Gauge::level(58.0 - 12.0 * i as f64).plus(Gauge::walk(1.0, 3 * HOUR))
        };
        b.series(disk, t, &[], free.clamp(0.0, 100.0));
    }
}
