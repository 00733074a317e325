//! The data-source client (`app::datasource`) natively, over a blocking transport that
//! behaves like the browser's fetch (it withholds a response CORS does not allow):
//!
//! * against a real Prometheus (Debian's package) scraping `simulator serve`, every endpoint
//!   the app uses gives what Prometheus returns directly;
//! * each error the page explains is produced for real and its message checked: CORS, an
//!   unreachable port, a server that never answers, an HTML page, JSON without `status`, a
//!   bad query's 400 with the server's text, a response over the caps.
#![cfg(not(target_arch = "wasm32"))]
// Test code: a failed step should stop the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../../simulator/tests/support/prometheus.rs"]
mod prometheus;

use app::datasource::{
    Auth, Caps, Client, HttpRequest, HttpResponse, SourceError, Transport, TransportFailure,
};
use prometheus::{Sandbox, binaries, free_port, get, wait_for};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A blocking transport. With `origin` set it sends an Origin header and, like a browser,
/// turns a response without a matching Access-Control-Allow-Origin into a network error.
struct Native {
    origin: Option<String>,
}

impl Transport for Native {
    async fn get(&self, req: &HttpRequest) -> Result<HttpResponse, TransportFailure> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_millis(u64::from(req.timeout_ms))))
            .build()
            .into();
        let mut r = agent.get(&req.url);
        for (k, v) in &req.headers {
            r = r.header(k, v);
        }
        if let Some(o) = &self.origin {
            r = r.header("Origin", o);
        }
        let mut resp = r.call().map_err(|e| match e {
            ureq::Error::Timeout(_) => TransportFailure::Timeout,
            e => TransportFailure::Network(format!("Failed to fetch ({e})")),
        })?;
        if let Some(o) = &self.origin {
            let allowed = resp
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == "*" || v == o);
            if !allowed {
                return Err(TransportFailure::Network("Failed to fetch".into()));
            }
        }
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| TransportFailure::Network(e.to_string()))?;
        Ok(HttpResponse {
            status,
            content_type,
            body,
        })
    }

    async fn reachable(&self, url: &str) -> bool {
        let hostport = url
            .split_once("://")
            .map(|(_, r)| r.split('/').next().unwrap_or(r))
            .unwrap_or(url);
        TcpStream::connect(hostport).is_ok()
    }

    fn origin(&self) -> Option<String> {
        self.origin.clone()
    }
}

/// Drives a future whose I/O is blocking: it is ready on its first poll.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn client(base: &str, caps: Caps) -> Client<Native> {
    Client::new(base, Auth::None, caps, Native { origin: None }).unwrap()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A one-thread server answering every request with `reply` (raw HTTP) or, when `reply`
/// is None, reading the request and never answering.
fn tiny_server(reply: Option<&'static str>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            match reply {
                Some(r) => {
                    let _ = s.write_all(r.as_bytes());
                }
                None => held.push(s),
            }
        }
    });
    port
}

#[test]
fn each_error_a_user_can_act_on() {
    let caps = Caps {
        timeout_ms: 700,
        ..Caps::default()
    };
    // Unreachable: a port nothing listens on.
    let closed = free_port();
    let e =
        block_on(client(&format!("http://127.0.0.1:{closed}"), caps).query("up", 0)).unwrap_err();
    assert!(matches!(e, SourceError::Unreachable { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("Unreachable: nothing answered at http://127.0.0.1:")
    );

    // Timeout: a server that reads the request and never answers.
    let silent = tiny_server(None);
    let e =
        block_on(client(&format!("http://127.0.0.1:{silent}"), caps).query("up", 0)).unwrap_err();
    assert_eq!(e, SourceError::Timeout { after_ms: 700 });
    assert_eq!(
        e.to_string(),
        "Timed out: the server did not answer within 0.7 s."
    );

    // Not Prometheus: a static HTML page, and JSON without a status.
    let html = tiny_server(Some(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 27\r\nConnection: close\r\n\r\n<html><p>Welcome</p></html>",
    ));
    let e = block_on(client(&format!("http://127.0.0.1:{html}"), caps).query("up", 0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Not a Prometheus API: the address answered HTTP 200 with an HTML page."
    );
    let json = tiny_server(Some(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}",
    ));
    let e = block_on(client(&format!("http://127.0.0.1:{json}"), caps).labels()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Not a Prometheus API: the address answered HTTP 200 with JSON without the API's \"status\" field."
    );
    // A gateway's plain-text 502.
    let gw = tiny_server(Some(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Gateway",
    ));
    let e = block_on(client(&format!("http://127.0.0.1:{gw}"), caps).buildinfo()).unwrap_err();
    assert_eq!(e.to_string(), "The server answered HTTP 502: Bad Gateway");
    assert!(e.hint().contains("proxy"));
}

/// The simulator binary, built when this test run has not built it yet.
fn simulator_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let bin = dir.join("simulator");
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let ok = Command::new(cargo)
            .args(["build", "-q", "-p", "simulator", "--bin", "simulator"])
            .status()
            .unwrap();
        assert!(ok.success(), "building the simulator binary failed");
    }
    bin
}

fn labels_of(v: &serde_json::Value) -> BTreeMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_client_against_prometheus_scraping_simulator_serve() {
    let Some((prometheus, _)) = binaries() else {
        return;
    };
    let mut sb = Sandbox::new("app-client");
    let serve_port = free_port();
    sb.spawn(
        Command::new(simulator_binary()).args([
            "serve",
            "--scenario",
            "demo",
            "--listen",
            &format!("127.0.0.1:{serve_port}"),
        ]),
        "serve.log",
    );
    wait_for("simulator serve", Duration::from_secs(60), || {
        get(serve_port, "/").is_some()
    });
    let (_, help) = get(serve_port, "/").unwrap();
    let config = help
        .split_once("scrape_configs:")
        .map(|(_, rest)| format!("scrape_configs:{rest}"))
        .unwrap()
        .replace("scrape_interval: 15s", "scrape_interval: 1s");
    let port = free_port();
    std::fs::write(sb.dir.join("prometheus.yml"), config).unwrap();
    // CORS is allowed for one origin only, so the same server shows the refusal too.
    sb.spawn(
        Command::new(&prometheus)
            .arg(format!(
                "--config.file={}",
                sb.dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                sb.dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(r"--web.cors.origin=http://allowed\.example"),
        "prometheus.log",
    );
    wait_for("Prometheus to be ready", Duration::from_secs(60), || {
        get(port, "/-/ready").is_some_and(|(s, _)| s == 200)
    });
    let base = format!("http://127.0.0.1:{port}/");
    let c = client(&base, Caps::default());
    wait_for("a few scrapes", Duration::from_secs(60), || {
        block_on(c.query("count_over_time(up{job=\"demo\"}[1m])", now_ms())).is_ok_and(|r| match r
            .data
        {
            app::result::ResultData::Vector(v) => {
                v.len() == 3 && v.iter().all(|s| s.value.v >= 4.0)
            }
            _ => false,
        })
    });
    let t = now_ms() - 1_000;

    // Instant and range queries equal Prometheus' own answers, sample for sample.
    for q in [
        "up",
        "rate(demo_cpu_usage_seconds_total[5s])",
        "sum by (instance) (demo_num_cpus)",
        "scalar(sum(up))",
    ] {
        let ours = block_on(c.query(q, t)).unwrap();
        let (status, body) = get(port, &prometheus::instant_path(q, t)).unwrap();
        assert_eq!(status, 200);
        let direct = app::result::QueryResult::from_api_json(&body).unwrap();
        // Compared as the API's JSON: NaN (a legal value) is not equal to itself as f64.
        assert_eq!(ours.to_api_json(), direct.to_api_json(), "{q}");
        assert!(ours.data.series_count() > 0, "{q}");
        let (start, end, step) = (t - 5_000, t, 1_000);
        let ours = block_on(c.query_range(q, start, end, step)).unwrap();
        let (_, body) = get(port, &prometheus::range_path(q, start, end, step)).unwrap();
        let direct = app::result::QueryResult::from_api_json(&body).unwrap();
        assert_eq!(ours.to_api_json(), direct.to_api_json(), "{q}");
    }

    // Autocomplete endpoints and buildinfo.
    let (_, body) = get(port, "/api/v1/labels").unwrap();
    let direct: serde_json::Value = serde_json::from_str(&body).unwrap();
    let labels = block_on(c.labels()).unwrap();
    assert!(labels.contains(&"instance".to_string()));
    assert_eq!(serde_json::to_value(&labels).unwrap(), direct["data"]);
    let values = block_on(c.label_values("instance")).unwrap();
    assert!(
        values.contains(&"demo.promlabs.com:10000".to_string()),
        "{values:?}"
    );
    let series = block_on(c.series("up", t - 60_000, t)).unwrap();
    let (_, body) = get(
        port,
        &format!(
            "/api/v1/series?match[]=up&start={}&end={}",
            app::datasource::request::seconds(t - 60_000),
            app::datasource::request::seconds(t)
        ),
    )
    .unwrap();
    let direct: serde_json::Value = serde_json::from_str(&body).unwrap();
    let direct: Vec<_> = direct["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(labels_of)
        .collect();
    let ours: Vec<_> = series.iter().map(|l| l.0.clone()).collect();
    assert_eq!(ours, direct);
    let meta = block_on(c.metadata()).unwrap();
    assert_eq!(
        meta.get("demo_num_cpus").map(|m| m.kind),
        Some(app::editor::metadata::MetricKind::Gauge),
        "{meta:?}"
    );
    // The editor's snapshot of the server: names, families' types, label values.
    let snap = block_on(app::datasource::snapshot::fetch(&c, t)).unwrap();
    use app::editor::metadata::MetadataSource;
    assert_eq!(
        snap.metric("demo_num_cpus").map(|m| m.kind),
        Some(app::editor::metadata::MetricKind::Gauge)
    );
    let bucket = snap
        .metric("demo_api_request_duration_seconds_bucket")
        .unwrap();
    assert_eq!(bucket.family, "demo_api_request_duration_seconds");
    assert_eq!(snap.label_values(Some("up"), "instance").len(), 3);
    let build = block_on(c.buildinfo()).unwrap();
    assert!(build.version.starts_with("2.42"), "{build:?}");

    // A bad query: HTTP 400 with the server's own text.
    let e = block_on(c.query("sum(", t)).unwrap_err();
    let (status, body) = get(port, &prometheus::instant_path("sum(", t)).unwrap();
    assert_eq!(status, 400);
    let direct: serde_json::Value = serde_json::from_str(&body).unwrap();
    match &e {
        SourceError::Api {
            status,
            error_type,
            message,
        } => {
            assert_eq!(*status, 400);
            assert_eq!(error_type, "bad_data");
            assert_eq!(message, direct["error"].as_str().unwrap());
        }
        other => panic!("{other:?}"),
    }
    // An execution error (422).
    let e =
        block_on(c.query("{__name__=~\"demo_.+\"} + on() {__name__=~\"demo_.+\"}", t)).unwrap_err();
    assert!(matches!(e, SourceError::Api { status: 422, .. }), "{e:?}");

    // Too large: low caps on series and on points.
    let small = client(
        &base,
        Caps {
            max_series: 2,
            ..Caps::default()
        },
    );
    let e = block_on(small.query("up", t)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Response too large: the answer holds 3 series; the workbench shows at most 2 series."
    );
    let all = block_on(c.query_range("up", t - 5_000, t, 1_000)).unwrap();
    let n = all.data.sample_count();
    assert!(n > 3, "{all:?}");
    let few = client(
        &base,
        Caps {
            max_points: n - 1,
            ..Caps::default()
        },
    );
    let e = block_on(few.query_range("up", t - 5_000, t, 1_000)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "Response too large: the answer holds {n} points; the workbench shows at most {} points.",
            n - 1
        )
    );

    // CORS: the server answers, but not for this page's origin.
    let refused = Client::new(
        &base,
        Auth::None,
        Caps::default(),
        Native {
            origin: Some("http://127.0.0.1:8080".into()),
        },
    )
    .unwrap();
    let e = block_on(refused.query("up", t)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Blocked by CORS: http://127.0.0.1:"),
        "{e}"
    );
    assert!(
        e.hint()
            .contains(r"--web.cors.origin='http://127\.0\.0\.1:8080'"),
        "{}",
        e.hint()
    );
    let allowed = Client::new(
        &base,
        Auth::Bearer("ignored-by-prometheus".into()),
        Caps::default(),
        Native {
            origin: Some("http://allowed.example".into()),
        },
    )
    .unwrap();
    assert!(block_on(allowed.query("up", t)).is_ok());
}
