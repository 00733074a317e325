//! `ml-platform`: the ML inference platform of seed 002 (an image-classification inference
//! gateway with SLOs, and cAdvisor's view of the stack's containers), as the course's
//! Prometheus (exercise 02) scrapes it and its Grafana dashboards (exercise 03, the seed)
//! read it.
//!
//! Targets: `inference-gateway:8000` in job `inference-gateway` with the target labels
//! `service`, `component`, `team` and `tier` (the SLO recording rules select
//! `service="inference-gateway"`), and `cadvisor:8080` in job `cadvisor`. The course scrapes
//! the gateway every 10 s and the rest every 15 s; scenarios have one interval, so both are
//! scraped every 15 s here.
//!
//! The gateway exposes the four golden signals as the dashboards query them:
//! `http_requests_total{method,endpoint,status}`, `http_request_duration_seconds` with the
//! course's buckets and the same labels, `http_requests_in_progress{endpoint}`; plus the
//! model's inference latency, predictions by class, errors, queue and memory. cAdvisor gives
//! CPU, memory (usage, working set, limit) and network for the eight containers of the
//! stack, labelled as Docker Compose names them.
//!
//! The availability SLO is 99.5 % (error budget 0.5 %) and the latency SLO p99 < 300 ms on
//! `/predict`. Normally 0.2 % of predictions fail with a 5xx and p99 is about 250 ms. In the default
//! window (06:00 to 12:00 UTC) the model server runs out of GPU memory from 08:40 to 09:10
//! (22 % of predictions fail: a fast burn of the error budget, 1-hour burn rate above 14.4),
//! and a model reload makes predictions slow from 10:15 to 10:45 (p99 around 2.5 s); the
//! gateway is then rolled back and restarts at 10:45.

use super::noise;
use super::{
    Counter, Family, FamilyId, Gauge, HOUR, Histogram, Incident, IncidentId, IncidentKind, MINUTE,
    Rate, Regime, Scenario, ScenarioBuilder, ScenarioError, Target, TargetId,
};

/// Predictions per second at the daily mean, busiest at 15:00 UTC (Europe and America).
const PREDICTIONS_PER_SECOND: f64 = 35.0;
const PEAK: i64 = 15 * HOUR;
const SWING: f64 = 0.35;

/// The gateway's request-duration buckets (exercise 01's instrumentation).
const REQUEST_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// The model-inference buckets.
const INFERENCE_BUCKETS: [f64; 11] = [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0];

const MODEL: &str = "resnet50";

/// A response of `POST /predict`: status code, share of requests, and latency (median and
/// p99, seconds) normally and during the latency spike.
struct Outcome {
    code: &'static str,
    share: f64,
    normal: (f64, f64),
    slow: (f64, f64),
}

const PREDICT_CODES: [Outcome; 4] = [
    Outcome {
        code: "200",
        share: 0.988,
        normal: (0.08, 0.21),
        slow: (0.62, 2.6),
    },
    Outcome {
        code: "400",
        share: 0.010,
        normal: (0.004, 0.02),
        slow: (0.004, 0.02),
    },
    Outcome {
        code: "500",
        share: 0.0015,
        normal: (0.12, 0.45),
        slow: (0.4, 2.2),
    },
    Outcome {
        code: "503",
        share: 0.0005,
        normal: (0.002, 0.01),
        slow: (0.002, 0.01),
    },
];
/// Share of predictions failing with 500 while the GPU is out of memory.
const OOM_FAILURE: f64 = 0.22;
/// How many times more requests the full queue refuses (503) during the latency spike.
const SPIKE_REFUSALS: f64 = 20.0;

const CLASSES: [(&str, f64); 5] = [
    ("cat", 0.22),
    ("dog", 0.26),
    ("bird", 0.12),
    ("car", 0.18),
    ("person", 0.22),
];

/// A container of the stack: Compose service, image, CPU cores used at the daily mean,
/// working-set memory, memory limit, bytes per second received and sent.
struct Container {
    service: &'static str,
    image: &'static str,
    cpu: f64,
    memory: f64,
    limit: f64,
    receive: f64,
    transmit: f64,
}

const MIB: f64 = 1_048_576.0;

const CONTAINERS: [Container; 8] = [
    Container {
        service: "inference-gateway",
        image: "ml-platform/inference-gateway:1.0.0",
        cpu: 1.6,
        memory: 1450.0 * MIB,
        limit: 4096.0 * MIB,
        // 35 images of ~180 kB a second in, small JSON answers out.
        receive: PREDICTIONS_PER_SECOND * 180_000.0,
        transmit: PREDICTIONS_PER_SECOND * 1_100.0,
    },
    Container {
        service: "prometheus",
        image: "prom/prometheus:v2.48.0",
        cpu: 0.06,
        memory: 310.0 * MIB,
        limit: 2048.0 * MIB,
        receive: 62_000.0,
        transmit: 21_000.0,
    },
    Container {
        service: "alertmanager",
        image: "prom/alertmanager:v0.26.0",
        cpu: 0.004,
        memory: 28.0 * MIB,
        limit: 256.0 * MIB,
        receive: 900.0,
        transmit: 700.0,
    },
    Container {
        service: "grafana",
        image: "grafana/grafana:10.2.3",
        cpu: 0.02,
        memory: 96.0 * MIB,
        limit: 512.0 * MIB,
        receive: 14_000.0,
        transmit: 9_000.0,
    },
    Container {
        service: "loki",
        image: "grafana/loki:2.9.3",
        cpu: 0.05,
        memory: 182.0 * MIB,
        limit: 1024.0 * MIB,
        receive: 38_000.0,
        transmit: 6_000.0,
    },
    Container {
        service: "jaeger",
        image: "jaegertracing/all-in-one:1.52",
        cpu: 0.03,
        memory: 121.0 * MIB,
        limit: 512.0 * MIB,
        receive: 24_000.0,
        transmit: 3_000.0,
    },
    Container {
        service: "node-exporter",
        image: "prom/node-exporter:v1.7.0",
        cpu: 0.01,
        memory: 18.0 * MIB,
        limit: 128.0 * MIB,
        receive: 600.0,
        transmit: 11_000.0,
    },
    Container {
        service: "cadvisor",
        image: "gcr.io/cadvisor/cadvisor:v0.47.2",
        cpu: 0.08,
        memory: 61.0 * MIB,
        limit: 256.0 * MIB,
        receive: 700.0,
        transmit: 16_000.0,
    },
];

/// The container's cgroup path as cAdvisor reports it under systemd's cgroup driver: a 64
/// hex digit id, derived from the service name so it is the same everywhere.
fn container_id(service: &str) -> String {
    let mut id = String::with_capacity(64);
    for i in 0..4u64 {
        let h = noise::hash2(noise::hash_str(service), i);
        id.push_str(&format!("{h:016x}"));
    }
    format!("/system.slice/docker-{id}.scope")
}

fn traffic(level: f64) -> Rate {
    Rate::per_second(level).daily(SWING, PEAK)
}

struct Incidents {
    oom: IncidentId,
    spike: IncidentId,
}

/// Builds the `ml-platform` scenario.
pub fn build() -> Result<Scenario, ScenarioError> {
    let mut b = ScenarioBuilder::new("ml-platform", "ML platform with SLOs");
    b.describe(
        "The ML inference platform of seed 002: an image-classification inference gateway \
         (job \"inference-gateway\", target labels service, component, team and tier) with an \
         availability SLO of 99.5 % and a latency SLO of p99 < 300 ms on /predict, and \
         cAdvisor (job \"cadvisor\") reporting CPU, memory and network of the stack's eight \
         containers, scraped every 15 s. HTTP requests by method, endpoint and status, a \
         request-duration histogram, requests in progress, model inference latency, \
         predictions by class and errors. The GPU runs out of memory from 08:40 to 09:10 UTC \
         (a fast burn of the error budget); a model reload slows predictions from 10:15 to \
         10:45 UTC, and the gateway restarts after a rollback at 10:45 UTC.",
    );
    let gateway = b.target(
        Target::new("inference-gateway", "inference-gateway:8000")
            .label("service", "inference-gateway")
            .label("component", "application")
            .label("team", "ml-platform")
            .label("tier", "production"),
    );
    let cadvisor = b.target(
        Target::new("cadvisor", "cadvisor:8080")
            .label("service", "cadvisor")
            .label("component", "infrastructure"),
    );
    let oom = b.incident(
        Incident::new(IncidentKind::ErrorBurst, "GPU out of memory")
            .at(8, 40)
            .lasting(30 * MINUTE)
            .describe(
                "A batch of large images exhausts the GPU's memory: for 30 minutes 22 % of \
                 predictions fail with 500 (CUDA out of memory) instead of 0.2 %. With an \
                 error budget of 0.5 % that is a burn rate above 40; the 1-hour burn rate \
                 passes 14.4 (the fast-burn page) within a quarter of an hour, peaks above \
                 20, and the 5-minute availability falls to about 78 %.",
            )
            .shows("sum(rate(http_requests_total{service=\"inference-gateway\",status=~\"5..\"}[5m])) / sum(rate(http_requests_total{service=\"inference-gateway\"}[5m]))")
            .shows("(1 - sum(rate(http_requests_total{service=\"inference-gateway\",status!~\"5..\"}[1h])) / sum(rate(http_requests_total{service=\"inference-gateway\"}[1h]))) / (1 - 0.995)")
            .shows("sum by (error_type) (rate(model_inference_errors_total[5m]))"),
    );
    let spike = b.incident(
        Incident::new(IncidentKind::LatencySpike, "Model reload latency spike")
            .at(10, 15)
            .lasting(30 * MINUTE)
            .describe(
                "A new model version is loaded next to the old one and the two fight for the \
                 GPU: predictions take seven times longer (p99 about 2.5 s against the 300 ms \
                 SLO), requests pile up in progress and in the inference queue, 1 % of requests \
                 are refused with 503, and the gateway container uses twice the CPU. It ends \
                 with a rollback.",
            )
            .shows("histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"inference-gateway\",endpoint=\"/predict\"}[5m])))")
            .shows("http_requests_in_progress{service=\"inference-gateway\"}")
            .shows("sum by (container_label_com_docker_compose_service) (rate(container_cpu_usage_seconds_total[5m]))"),
    );
    b.incident(
        Incident::new(IncidentKind::Restart, "Gateway rollback restart")
            .at(10, 45)
            .lasting(MINUTE)
            .targets(&[gateway])
            .describe(
                "The rollback restarts the gateway: it cannot be scraped for a minute and its \
                 counters start again from zero. rate() and increase() handle the reset; the \
                 recording rules' long windows barely notice it.",
            )
            .shows("resets(http_requests_total{service=\"inference-gateway\"}[1h])")
            .shows("up{job=\"inference-gateway\"}"),
    );
    let inc = Incidents { oom, spike };
    gateway_series(&mut b, gateway, &inc);
    cadvisor_series(&mut b, cadvisor, &inc);
    b.build()
}

struct GatewayFamilies {
    requests: FamilyId,
    duration: FamilyId,
    in_progress: FamilyId,
    inference: FamilyId,
    predictions: FamilyId,
    errors: FamilyId,
    queue: FamilyId,
    memory: FamilyId,
    loaded: FamilyId,
    info: FamilyId,
}

fn gateway_series(b: &mut ScenarioBuilder, t: TargetId, inc: &Incidents) {
    let f = GatewayFamilies {
        requests: b.family(Family::counter(
            "http_requests_total",
            "Total HTTP requests",
        )),
        duration: b.family(
            Family::histogram(
                "http_request_duration_seconds",
                "HTTP request latency in seconds",
            )
            .unit("seconds"),
        ),
        in_progress: b.family(Family::gauge(
            "http_requests_in_progress",
            "Number of HTTP requests in progress",
        )),
        inference: b.family(
            Family::histogram(
                "model_inference_duration_seconds",
                "Model inference latency in seconds",
            )
            .unit("seconds"),
        ),
        predictions: b.family(Family::counter(
            "model_predictions_total",
            "Total model predictions",
        )),
        errors: b.family(Family::counter(
            "model_inference_errors_total",
            "Total model inference errors",
        )),
        queue: b.family(Family::gauge(
            "inference_queue_size",
            "Current size of the inference queue",
        )),
        memory: b.family(
            Family::gauge("model_memory_usage_bytes", "Model memory usage in bytes").unit("bytes"),
        ),
        loaded: b.family(Family::gauge(
            "model_loaded",
            "Whether the model is currently loaded (1) or not (0)",
        )),
        info: b.family(Family::gauge("app_info", "Application information")),
    };

    let predict = traffic(PREDICTIONS_PER_SECOND);
    // During the OOM burst 500s take their share from the successes; during the spike the
    // full queue refuses twenty times as many requests (1 %). Totals stay what the traffic
    // says.
    let oom_success =
        (PREDICT_CODES[0].share - (OOM_FAILURE - PREDICT_CODES[2].share)) / PREDICT_CODES[0].share;
    let spike_success = (PREDICT_CODES[0].share - (SPIKE_REFUSALS - 1.0) * PREDICT_CODES[3].share)
        / PREDICT_CODES[0].share;
    for Outcome {
        code,
        share,
        normal,
        slow,
    } in PREDICT_CODES
    {
        let (oom, spike) = match code {
            "200" => (oom_success, spike_success),
            "500" => (OOM_FAILURE / share, 1.0),
            "503" => (1.0, SPIKE_REFUSALS),
            _ => (1.0, 1.0),
        };
        let flow = predict
            .clone()
            .times(share)
            .during(inc.oom, oom)
            .during(inc.spike, spike);
        let labels = [
            ("method", "POST"),
            ("endpoint", "/predict"),
            ("status", code),
        ];
        b.series(f.requests, t, &labels, Counter::events(flow.clone()));
        b.series(
            f.duration,
            t,
            &labels,
            Histogram::new(&REQUEST_BUCKETS)
                .regime(Regime::lognormal(
                    flow.clone().except_during(inc.spike),
                    &REQUEST_BUCKETS,
                    normal.0,
                    normal.1,
                ))
                .regime(Regime::lognormal(
                    flow.only_during(inc.spike),
                    &REQUEST_BUCKETS,
                    slow.0,
                    slow.1,
                )),
        );
    }
    // Docker's health check every 30 s, a readiness probe every 10 s, Prometheus' scrapes.
    for (endpoint, rate, median) in [
        ("/health", 1.0 / 30.0, 0.0012),
        ("/ready", 0.1, 0.0018),
        ("/metrics", 1.0 / 15.0, 0.006),
    ] {
        let labels = [("method", "GET"), ("endpoint", endpoint), ("status", "200")];
        let flow = Rate::per_second(rate);
        b.series(
            f.requests,
            t,
            &labels,
            Counter::events(flow.clone()).noise(0.0),
        );
        b.series(
            f.duration,
            t,
            &labels,
            Histogram::new(&REQUEST_BUCKETS).regime(Regime::lognormal(
                flow,
                &REQUEST_BUCKETS,
                median,
                median * 5.0,
            )),
        );
    }
    // Little's law: requests in progress = arrival rate × time in the system.
    b.series(
        f.in_progress,
        t,
        &[("endpoint", "/predict")],
        Gauge::during(
            inc.spike,
            Gauge::follows(predict.clone(), 0.8),
            Gauge::follows(predict.clone(), 0.1),
        )
        .plus(Gauge::noise(1.2))
        .clamp(0.0, f64::INFINITY)
        .round(),
    );

    let served = predict
        .clone()
        .times(PREDICT_CODES[0].share)
        .during(inc.oom, oom_success)
        .during(inc.spike, spike_success);
    b.series(
        f.inference,
        t,
        &[("model_name", MODEL)],
        Histogram::new(&INFERENCE_BUCKETS)
            .regime(Regime::lognormal(
                served.clone().except_during(inc.spike),
                &INFERENCE_BUCKETS,
                0.06,
                0.2,
            ))
            .regime(Regime::lognormal(
                served.clone().only_during(inc.spike),
                &INFERENCE_BUCKETS,
                0.5,
                2.2,
            )),
    );
    for (class, share) in CLASSES {
        b.series(
            f.predictions,
            t,
            &[("model_name", MODEL), ("prediction_class", class)],
            Counter::events(served.clone().times(share)),
        );
    }
    for (error_type, share, oom) in [
        ("invalid_input", 0.010, 1.0),
        ("cuda_oom", 0.0008, OOM_FAILURE / 0.0008),
        ("timeout", 0.0012, 1.0),
    ] {
        b.series(
            f.errors,
            t,
            &[("model_name", MODEL), ("error_type", error_type)],
            Counter::events(predict.clone().times(share).during(inc.oom, oom)),
        );
    }
    b.series(
        f.queue,
        t,
        &[],
        Gauge::level(1.5)
            .plus(Gauge::noise(1.0))
            .plus(Gauge::ramp(inc.spike, 8.0, 46.0))
            .clamp(0.0, 64.0)
            .round(),
    );
    b.series(
        f.memory,
        t,
        &[("model_name", MODEL)],
        Gauge::level(1.12e9)
            .plus(Gauge::walk(2.0e7, HOUR))
            .plus(Gauge::ramp(inc.spike, 9.6e8, 1.0e9))
            .round(),
    );
    b.series(f.loaded, t, &[("model_name", MODEL)], Gauge::level(1.0));
    b.series(
        f.info,
        t,
        &[
            ("app_name", "inference-gateway"),
            ("environment", "production"),
            ("version", "1.0.0"),
        ],
        Gauge::level(1.0),
    );
}

fn cadvisor_series(b: &mut ScenarioBuilder, t: TargetId, inc: &Incidents) {
    let cpu = b.family(
        Family::counter(
            "container_cpu_usage_seconds_total",
            "Cumulative cpu time consumed in seconds.",
        )
        .unit("seconds"),
    );
    let usage = b.family(
        Family::gauge(
            "container_memory_usage_bytes",
            "Current memory usage in bytes, including all memory regardless of when it was accessed",
        )
        .unit("bytes"),
    );
    let working_set = b.family(
        Family::gauge(
            "container_memory_working_set_bytes",
            "Current working set in bytes.",
        )
        .unit("bytes"),
    );
    let limit = b.family(
        Family::gauge(
            "container_spec_memory_limit_bytes",
            "Memory limit for the container.",
        )
        .unit("bytes"),
    );
    let rx = b.family(
        Family::counter(
            "container_network_receive_bytes_total",
            "Cumulative count of bytes received",
        )
        .unit("bytes"),
    );
    let tx = b.family(
        Family::counter(
            "container_network_transmit_bytes_total",
            "Cumulative count of bytes transmitted",
        )
        .unit("bytes"),
    );
    for c in &CONTAINERS {
        let id = container_id(c.service);
        let name = format!("ml-platform-{}-1", c.service);
        let labels = [
            ("container_label_com_docker_compose_service", c.service),
            ("id", id.as_str()),
            ("image", c.image),
            ("name", name.as_str()),
        ];
        // The gateway's work follows its traffic and doubles while the models fight over
        // the GPU; the monitoring containers tick along.
        let gateway = c.service == "inference-gateway";
        let shaped = |level: f64| {
            if gateway {
                traffic(level).during(inc.spike, 2.2)
            } else {
                Rate::per_second(level).daily(0.1, PEAK)
            }
        };
        b.series(cpu, t, &labels, Counter::amount(shaped(c.cpu)).noise(0.15));
        let mut ws = Gauge::level(c.memory)
            .plus(Gauge::walk(c.memory * 0.04, HOUR))
            .plus(Gauge::noise(c.memory * 0.002));
        if gateway {
            ws = ws.plus(Gauge::ramp(inc.spike, 0.0, 1_300.0 * MIB));
        }
        b.series(working_set, t, &labels, ws.clone().round());
        // Usage adds the page cache the kernel can reclaim.
        b.series(
            usage,
            t,
            &labels,
            ws.plus(Gauge::level(c.memory * 0.12)).round(),
        );
        b.series(limit, t, &labels, Gauge::level(c.limit));
        let net = [("interface", "eth0")];
        let labels_net: Vec<(&str, &str)> = labels.iter().copied().chain(net).collect();
        let network = |level: f64| {
            if gateway {
                // Slower answers mean slightly fewer images in flight.
                traffic(level).during(inc.spike, 0.9)
            } else {
                Rate::per_second(level).daily(0.1, PEAK)
            }
        };
        b.series(rx, t, &labels_net, Counter::events(network(c.receive)));
        b.series(tx, t, &labels_net, Counter::events(network(c.transmit)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_look_like_docker_cgroups() {
        let id = container_id("grafana");
        assert!(id.starts_with("/system.slice/docker-") && id.ends_with(".scope"));
        let hex = &id["/system.slice/docker-".len()..id.len() - ".scope".len()];
        assert_eq!(hex.len(), 64);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(container_id("grafana"), container_id("loki"));
    }

    #[test]
    fn predict_status_shares_add_up_during_incidents() {
        let total: f64 = PREDICT_CODES.iter().map(|c| c.share).sum();
        assert!((total - 1.0).abs() < 1e-12);
        let oom_success = (PREDICT_CODES[0].share - (OOM_FAILURE - PREDICT_CODES[2].share))
            / PREDICT_CODES[0].share;
        let during = PREDICT_CODES[0].share * oom_success + OOM_FAILURE + 0.010 + 0.0005;
        assert!((during - 1.0).abs() < 1e-12, "{during}");
    }
}
