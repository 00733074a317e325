//! `simulator serve`: the scenario's targets as live `/metrics` endpoints.
//!
//! The only place the simulator reads the clock: each scrape reports the values at the
//! wall-clock time it arrives. One listener serves every target of the scenario, each under
//! `/metrics/<instance>`; `/metrics` alone is the first target. A target that is down at that
//! moment answers 503, so the scraping Prometheus records `up` 0 and stale markers as it
//! would for a real outage.

use simulator::exposition::write_text;
use simulator::scenario::{self, Scenario, TargetId};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Response, Server};

/// Threads answering requests: scrapes of several targets arrive together.
const WORKERS: usize = 4;

/// Serves until the process is stopped.
pub fn run(name: &str, seed: u64, listen: &str) -> std::process::ExitCode {
    let s = match scenario::by_name(name) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let server = match Server::http(listen) {
        Ok(server) => Arc::new(server),
        Err(e) => {
            eprintln!("error: cannot listen on {listen}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    eprintln!(
        "serving scenario {} (seed {seed}) on http://{listen}/ — {} targets; stop with Ctrl-C",
        s.name(),
        s.targets().len()
    );
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let server = server.clone();
            let s = s.clone();
            let listen = listen.to_string();
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = answer(&s, seed, &listen, request.method(), request.url());
                    // A client that hung up is no reason to stop serving.
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    std::process::ExitCode::SUCCESS
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn text(status: u16, content_type: &str, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut r = Response::from_string(body).with_status_code(status);
    if let Some(h) = header("Content-Type", content_type) {
        r = r.with_header(h);
    }
    r
}

fn answer(
    s: &Scenario,
    seed: u64,
    listen: &str,
    method: &Method,
    url: &str,
) -> Response<std::io::Cursor<Vec<u8>>> {
    if !matches!(method, Method::Get | Method::Head) {
        return text(
            405,
            "text/plain; charset=utf-8",
            "only GET is supported\n".into(),
        );
    }
    let path = url.split('?').next().unwrap_or("");
    let target = match path {
        "/" => return text(200, "text/plain; charset=utf-8", help(s, seed, listen)),
        "/metrics" => Some(0),
        p => p
            .strip_prefix("/metrics/")
            .and_then(|inst| s.targets().iter().position(|t| t.instance == inst)),
    };
    let Some(j) = target else {
        return text(
            404,
            "text/plain; charset=utf-8",
            format!("not found: {path}\nsee http://{listen}/ for the endpoints\n"),
        );
    };
    match s.scrape_at(seed, TargetId::from_index(j), now_ms()) {
        Some(values) => {
            let mut body = String::with_capacity(64 * 1024);
            write_text(s, &values, &mut body);
            text(200, "text/plain; version=0.0.4; charset=utf-8", body)
        }
        None => text(
            503,
            "text/plain; charset=utf-8",
            format!(
                "{} is down right now (a scenario incident)\n",
                s.targets()[j].instance
            ),
        ),
    }
}

/// The page at `/`: the endpoints and a scrape configuration to paste into prometheus.yml.
fn help(s: &Scenario, seed: u64, listen: &str) -> String {
    let mut out = format!(
        "simulator serve — scenario {} ({}), seed {seed}\n\n{}\n\nEndpoints (Prometheus text format, values at the time of the request):\n",
        s.name(),
        s.title(),
        s.description()
    );
    for (j, t) in s.targets().iter().enumerate() {
        out.push_str(&format!(
            "  http://{listen}/metrics/{}   job=\"{}\"{}\n",
            t.instance,
            t.job,
            if j == 0 { "   (also /metrics)" } else { "" }
        ));
    }
    out.push_str("\nA prometheus.yml scrape configuration that gives each target its own job and instance labels:\n\nscrape_configs:\n");
    let mut jobs: Vec<&str> = s.targets().iter().map(|t| t.job.as_str()).collect();
    jobs.dedup();
    for job in jobs {
        out.push_str(&format!(
            "  - job_name: {job}\n    scrape_interval: {}s\n    static_configs:\n",
            s.scrape().interval / 1000
        ));
        for t in s.targets().iter().filter(|t| t.job == job) {
            out.push_str(&format!(
                "      - targets: ['{listen}']\n        labels:\n          instance: '{}'\n          __metrics_path__: '/metrics/{}'\n",
                t.instance, t.instance
            ));
            for (n, v) in &t.labels {
                out.push_str(&format!("          {n}: '{v}'\n"));
            }
        }
    }
    out
}
