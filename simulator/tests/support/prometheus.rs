//! Running a real Prometheus for the integration tests (Debian's `prometheus` package:
//! prometheus and promtool): finding the binaries, a sandbox directory whose processes die
//! with it, HTTP queries. Prometheus always listens on 127.0.0.1 with a temporary data
//! directory and a free port.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binaries, or `None` after saying loudly why the test is skipped.
pub fn binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |name: &str| -> Option<PathBuf> {
        let candidates = [PathBuf::from("/usr/bin").join(name)];
        let from_path = std::env::var_os("PATH")
            .map(|p| {
                std::env::split_paths(&p)
                    .map(|d| d.join(name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        candidates
            .into_iter()
            .chain(from_path)
            .find(|p| p.is_file())
    };
    match (find("prometheus"), find("promtool")) {
        (Some(p), Some(t)) => Some((p, t)),
        _ => {
            eprintln!(
                "\n!!! SKIPPING: prometheus and promtool were not found in /usr/bin or on PATH. \
                 Install Debian's `prometheus` package (apt-get install -y --no-install-recommends \
                 prometheus) to run the integration tests against a real Prometheus.\n"
            );
            None
        }
    }
}

/// Kills the processes it started and removes its directory when dropped.
pub struct Sandbox {
    pub dir: PathBuf,
    children: Vec<Child>,
}

impl Sandbox {
    pub fn new(tag: &str) -> Sandbox {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("simulator-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox {
            dir,
            children: Vec::new(),
        }
    }

    pub fn spawn(&mut self, cmd: &mut Command, log: &str) -> u32 {
        let out = std::fs::File::create(self.dir.join(log)).unwrap();
        let err = out.try_clone().unwrap();
        let child = cmd
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap();
        let pid = child.id();
        self.children.push(child);
        pid
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET: (status, body), or None when nothing listens yet.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Instant query at `t` (ms): each result's labels and value.
pub fn query(port: u16, q: &str, t: i64) -> Vec<(BTreeMap<String, String>, f64)> {
    let path = format!(
        "/api/v1/query?query={}&time={}.{:03}",
        encode(q),
        t / 1000,
        t % 1000
    );
    let (status, body) = get(port, &path).unwrap_or_else(|| panic!("no answer to {q}"));
    assert_eq!(status, 200, "{q}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let labels = r["metric"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            (labels, r["value"][1].as_str().unwrap().parse().unwrap())
        })
        .collect()
}

pub fn start_prometheus(sb: &mut Sandbox, prometheus: &Path, config: &str, data: &Path) -> u16 {
    let port = free_port();
    let cfg = sb.dir.join("prometheus.yml");
    std::fs::write(&cfg, config).unwrap();
    sb.spawn(
        Command::new(prometheus)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=100y"),
        "prometheus.log",
    );
    wait_for("Prometheus to be ready", Duration::from_secs(60), || {
        get(port, "/-/ready").is_some_and(|(s, _)| s == 200)
    });
    port
}

/// One series of a range query's result: its labels and samples (timestamps in ms).
pub type RangeSeries = (BTreeMap<String, String>, Vec<(i64, f64)>);

/// Range query from `start` to `end` (ms) every `step` ms.
pub fn query_range(port: u16, q: &str, start: i64, end: i64, step: i64) -> Vec<RangeSeries> {
    let path = format!(
        "/api/v1/query_range?query={}&start={}.{:03}&end={}.{:03}&step={}.{:03}",
        encode(q),
        start / 1000,
        start % 1000,
        end / 1000,
        end % 1000,
        step / 1000,
        step % 1000
    );
    let (status, body) = get(port, &path).unwrap_or_else(|| panic!("no answer to {q}"));
    assert_eq!(status, 200, "{q}: {body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let labels = r["metric"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                .collect();
            let values = r["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let t = (p[0].as_f64().unwrap() * 1000.0).round() as i64;
                    let v: f64 = p[1].as_str().unwrap().parse().unwrap();
                    (t, v)
                })
                .collect();
            (labels, values)
        })
        .collect()
}

/// Any query result in one shape: series by label set, each with its points in time order
/// (a scalar is the series with no labels; an instant vector's series have one point).
pub type Canonical = BTreeMap<BTreeMap<String, String>, Vec<(i64, f64)>>;

/// One `[seconds, "value"]` pair of the HTTP API.
fn api_point(p: &serde_json::Value) -> Option<(i64, f64)> {
    let t = (p[0].as_f64()? * 1000.0).round() as i64;
    let v = match p[1].as_str()? {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        s => s.parse().ok()?,
    };
    Some((t, v))
}

/// GETs `path` (`/api/v1/query?...` or `/api/v1/query_range?...`) and reads the result of
/// any type; `Err` with Prometheus' own message when it answers with an error.
pub fn api_result(port: u16, path: &str) -> Result<Canonical, String> {
    let (status, body) = get(port, path).ok_or_else(|| format!("no answer to {path}"))?;
    let json: serde_json::Value = serde_json::from_str(&body)
        .map_err(|e| format!("HTTP {status}, not JSON ({e}): {body}"))?;
    if json["status"] != "success" {
        return Err(format!(
            "HTTP {status}: {}",
            json["error"].as_str().unwrap_or(&body)
        ));
    }
    let data = &json["data"];
    let bad = || format!("unexpected result shape: {body}");
    let mut out = Canonical::new();
    match data["resultType"].as_str() {
        Some("scalar") => {
            out.insert(
                BTreeMap::new(),
                vec![api_point(&data["result"]).ok_or_else(bad)?],
            );
        }
        Some("vector" | "matrix") => {
            for r in data["result"].as_array().ok_or_else(bad)? {
                let labels = r["metric"]
                    .as_object()
                    .ok_or_else(bad)?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                let points = match r.get("values") {
                    Some(vs) => vs
                        .as_array()
                        .ok_or_else(bad)?
                        .iter()
                        .map(api_point)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad)?,
                    None => vec![api_point(&r["value"]).ok_or_else(bad)?],
                };
                if out.insert(labels, points).is_some() {
                    return Err(format!("two series with the same labels: {body}"));
                }
            }
        }
        _ => return Err(bad()),
    }
    Ok(out)
}

/// `/api/v1/query` at `t` (ms).
pub fn instant_path(q: &str, t: i64) -> String {
    format!(
        "/api/v1/query?query={}&time={}.{:03}",
        encode(q),
        t.div_euclid(1000),
        t.rem_euclid(1000)
    )
}

/// `/api/v1/query_range` from `start` to `end` every `step` (ms).
pub fn range_path(q: &str, start: i64, end: i64, step: i64) -> String {
    format!(
        "/api/v1/query_range?query={}&start={}.{:03}&end={}.{:03}&step={}.{:03}",
        encode(q),
        start.div_euclid(1000),
        start.rem_euclid(1000),
        end.div_euclid(1000),
        end.rem_euclid(1000),
        step / 1000,
        step % 1000
    )
}

/// Backfills `om` (an OpenMetrics file) into `data` with promtool, panicking with
/// promtool's output when it fails.
pub fn backfill(promtool: &Path, om: &Path, data: &Path) {
    let out = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(om)
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool failed on {}: {}{}",
        om.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
