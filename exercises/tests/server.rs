//! Grading on a real Prometheus (issue 8, item 3): the `inventory` scenario's default
//! window, exported as OpenMetrics, backfilled with `promtool tsdb create-blocks-from
//! openmetrics` into Debian's Prometheus (127.0.0.1, a temporary data directory, a free
//! port), and exercises of the course's packs graded there through `exercises grade
//! --prometheus`: right answers pass, the listed wrong answers fail, and every verdict has
//! the same pass and the same feedback kinds as local grading on the same data (the
//! exercise restricted to the seed the server holds).
//!
//! Prometheus 2.42 and our engine may differ in the last digits (or, next to a counter's
//! start, in extrapolation), but grading on a server compares the server with itself, so
//! the verdicts agree. Skipped with a loud message when prometheus or promtool is missing.
//!
//! The same tool against the servers people really have: a Prometheus serving HTTPS with a
//! certificate from a private CA and basic authentication (`--web.config.file`), and, as
//! Prometheus has no bearer-token check, a small listener of our own that records what
//! arrives. The certificates come from `rcgen` and the password hash from `bcrypt`, both
//! dev-dependencies, rather than the `openssl` and `htpasswd` tools: a fresh Debian may lack
//! both, and the test should need nothing beyond Prometheus itself.

// Processes, sockets and a real Prometheus: native only. The wasm32 clippy run compiles
// tests too, and the certificate and hash dev-dependencies are native only.
#![cfg(not(target_arch = "wasm32"))]
// Test helpers: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The real-Prometheus harness the simulator's tests use (binaries, sandbox, backfill,
// start and wait), shared by path as the app's client test does.
#[allow(dead_code)]
#[path = "../../simulator/tests/support/prometheus.rs"]
mod prometheus;

use exercises::grader::Grader;
use exercises::pack::{self, Data, Exercise};
use prometheus::{Sandbox, backfill, binaries, free_port, start_prometheus, wait_for};
use simulator::exposition::OpenMetricsWriter;
use simulator::scenario;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// prometheus and promtool, or `None` after saying loudly why the test is skipped.
/// Backfills `exercise`'s scenario window (its first seed) and starts Prometheus on it.
fn prometheus_with(exercise: &Exercise) -> Option<(Sandbox, String)> {
    let (prometheus, _) = binaries()?;
    let (mut sb, blocks) = backfilled(exercise)?;
    let port = start_prometheus(
        &mut sb,
        &prometheus,
        "global:\n  scrape_interval: 1h\n",
        &blocks,
    );
    Some((sb, format!("http://127.0.0.1:{port}")))
}

/// A sandbox holding `exercise`'s scenario window (its first seed) as TSDB blocks, and the
/// blocks' directory.
fn backfilled(exercise: &Exercise) -> Option<(Sandbox, PathBuf)> {
    let (_, promtool) = binaries()?;
    let Data::Scenario(data) = &exercise.data else {
        panic!("{} has no scenario", exercise.id)
    };
    let sb = Sandbox::new("exercises-server");
    let om = sb.dir.join("data.om");
    let s = scenario::by_name(&data.scenario).unwrap();
    let mut w =
        OpenMetricsWriter::new(std::io::BufWriter::new(std::fs::File::create(&om).unwrap()));
    s.generate(data.seeds[0], data.window, &mut w);
    w.finish().unwrap().0.flush().unwrap();
    let blocks = sb.dir.join("data");
    backfill(&promtool, &om, &blocks);
    std::fs::remove_file(&om).unwrap();
    Some((sb, blocks))
}

fn pack_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("packs")
        .join(name)
}

fn exercise(file: &Path, id: &str) -> Exercise {
    let text = std::fs::read_to_string(file).unwrap();
    let loaded = pack::load(&file.display().to_string(), &text);
    loaded.pack.exercise(id).unwrap().clone()
}

/// `exercises grade --prometheus URL FILE ID QUERY`: the exit code and the verdict JSON.
fn grade_on_server(url: &str, file: &Path, id: &str, query: &str) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_exercises"))
        .args(["grade", "--prometheus", url])
        .arg(file)
        .args([id, query])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        (0..=2).contains(&code),
        "exit {code} for {query:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_str(&stdout).unwrap())
}

fn kinds(verdict: &serde_json::Value) -> Vec<String> {
    verdict["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn answers_graded_on_prometheus_get_the_local_verdicts() {
    let counters = pack_file("02-counters.toml");
    let alerts = pack_file("08-alerts.toml");
    let last_hour = exercise(&counters, "requests-last-hour");
    let error_rate = exercise(&alerts, "inventory-high-error-rate");
    assert_eq!(last_hour.data_scenario(), error_rate.data_scenario());
    let Some((_sandbox, url)) = prometheus_with(&last_hour) else {
        return;
    };
    let mut grader = Grader::new();
    let mut graded = 0;
    // (file, exercise, query, whether it must pass).
    let mut cases: Vec<(&Path, &Exercise, String, bool)> = vec![
        (&counters, &last_hour, last_hour.reference.clone(), true),
        // Written differently, same results.
        (
            &counters,
            &last_hour,
            "sum without () (sum(increase(inventory_requests_total[60m])))".into(),
            true,
        ),
        (&alerts, &error_rate, error_rate.reference.clone(), true),
        (
            &alerts,
            &error_rate,
            "10 < sum(rate(inventory_requests_total{status=~\"5..\"}[5m]))".into(),
            true,
        ),
        // A misspelt metric: an empty result.
        (
            &counters,
            &last_hour,
            "sum(increase(inventory_request_total[1h]))".into(),
            false,
        ),
        // Decided by the text alone: nothing is sent.
        (&counters, &last_hour, "sum(increase(".into(), false),
    ];
    for e in [&last_hour, &error_rate] {
        let file: &Path = if e.id == last_hour.id {
            &counters
        } else {
            &alerts
        };
        for w in &e.wrong {
            cases.push((file, e, w.query.clone(), false));
        }
    }
    for (file, e, query, pass) in &cases {
        let (code, verdict) = grade_on_server(&url, file, &e.id, query);
        assert_eq!(
            verdict["pass"].as_bool(),
            Some(*pass),
            "{} {query:?} on Prometheus: {verdict:#}",
            e.id
        );
        assert_eq!(code, if *pass { 0 } else { 1 });
        // Local grading on the data the server holds: the first seed only.
        let mut local = (*e).clone();
        if let Data::Scenario(d) = &mut local.data {
            d.seeds.truncate(1);
        }
        let local = serde_json::to_value(grader.grade(&local, query)).unwrap();
        assert_eq!(
            kinds(&verdict),
            kinds(&local),
            "{} {query:?}: Prometheus {verdict:#}\nlocal {local:#}",
            e.id
        );
        graded += 1;
    }
    assert!(graded >= 10, "{graded}");

    // An exercise whose scenario the server does not hold: its reference finds nothing, which
    // is the exercise's or the server's problem, not the learner's (exit 2, `internal`).
    let ratios = pack_file("04-ratios.toml");
    let elsewhere = exercise(&ratios, "transaction-success-rate");
    assert_ne!(elsewhere.data_scenario(), last_hour.data_scenario());
    let (code, verdict) = grade_on_server(&url, &ratios, &elsewhere.id, &elsewhere.reference);
    assert_eq!(code, 2, "{verdict:#}");
    assert_eq!(verdict["pass"].as_bool(), Some(false), "{verdict:#}");
    assert_eq!(kinds(&verdict), ["internal"], "{verdict:#}");
    assert!(
        verdict["feedback"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no data")),
        "{verdict:#}"
    );

    // https:// to a server that speaks plain HTTP: the message says to use http://.
    let plain = url.replace("http://", "https://");
    assert_refused(
        grade_with(
            &["--prometheus", &plain],
            &counters,
            &last_hour.id,
            &last_hour.reference,
        ),
        &["did not answer in TLS", "use an http:// URL"],
    );
}

/// `exercises grade` with `args` before the pack, exercise and query: exit code, stdout,
/// stderr.
fn grade_with(args: &[&str], file: &Path, id: &str, query: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_exercises"))
        .arg("grade")
        .args(args)
        .arg(file)
        .args([id, query])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts a run failed with exit 2 (the server could not be used) and a message holding
/// every one of `says`.
fn assert_refused(run: (i32, String, String), says: &[&str]) {
    let (code, stdout, stderr) = run;
    // Shown with --nocapture: the messages are the feature, worth reading whole.
    eprint!("{stderr}");
    assert_eq!(code, 2, "stdout {stdout}\nstderr {stderr}");
    for s in says {
        assert!(stderr.contains(s), "{s:?} not in: {stderr}");
    }
}

/// A private certificate authority: its certificate (PEM) and what signs with it.
fn certificate_authority(name: &str) -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), rcgen::Issuer::new(params, key))
}

/// Starts Prometheus on `blocks` behind `web_config` (TLS, basic auth); its port. Readiness
/// is read from the log: `/-/ready` itself now wants TLS and credentials.
fn start_behind_web_config(
    sb: &mut Sandbox,
    prometheus: &Path,
    blocks: &Path,
    web_config: &Path,
) -> u16 {
    let port = free_port();
    let cfg = sb.dir.join("prometheus.yml");
    std::fs::write(&cfg, "global:\n  scrape_interval: 1h\n").unwrap();
    sb.spawn(
        Command::new(prometheus)
            .arg(format!("--config.file={}", cfg.display()))
            .arg(format!("--storage.tsdb.path={}", blocks.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--web.config.file={}", web_config.display()))
            .arg("--storage.tsdb.retention.time=100y"),
        "prometheus.log",
    );
    wait_for("Prometheus to be ready", Duration::from_secs(60), || {
        sb.log("prometheus.log")
            .contains("Server is ready to receive web requests")
    });
    port
}

#[test]
fn grading_over_https_with_a_private_ca_and_basic_auth() {
    let counters = pack_file("02-counters.toml");
    let e = exercise(&counters, "requests-last-hour");
    let Some((prometheus, _)) = binaries() else {
        return;
    };
    let Some((mut sb, blocks)) = backfilled(&e) else {
        return;
    };
    let (ca_pem, ca) = certificate_authority("Workbench test CA");
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let (other_ca_pem, _) = certificate_authority("Some other CA");
    let file = |name: &str, text: &str| {
        let path = sb.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let ca_file = file("ca.pem", &ca_pem);
    let other_ca_file = file("other-ca.pem", &other_ca_pem);
    let cert_file = file("server.pem", &server_cert.pem());
    let key_file = file("server.key", &server_key.serialize_pem());
    // Cost 4, the least bcrypt allows: the hash is checked on every request. A fixed salt
    // keeps the test deterministic.
    let hash = bcrypt::hash_with_salt("correct horse", 4, *b"workbench-salt16")
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    let web_config = file(
        "web.yml",
        &format!(
            "tls_server_config:\n  cert_file: {}\n  key_file: {}\nbasic_auth_users:\n  learner: '{hash}'\n",
            cert_file.display(),
            key_file.display()
        ),
    );
    let right = file("right.auth", "learner:correct horse\n");
    let wrong = file("wrong.auth", "learner:battery staple\n");
    let port = start_behind_web_config(&mut sb, &prometheus, &blocks, &web_config);
    let url = format!("https://127.0.0.1:{port}");
    let ca = ca_file.to_str().unwrap();
    let auth = right.to_str().unwrap();

    // The right answer passes and a wrong one is rejected, both graded on the server.
    let (code, stdout, stderr) = grade_with(
        &[
            "--prometheus",
            &url,
            "--ca-file",
            ca,
            "--basic-auth-file",
            auth,
        ],
        &counters,
        &e.id,
        &e.reference,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(verdict["pass"].as_bool(), Some(true), "{verdict:#}");
    let wrong_answer = &e.wrong[0].query;
    let (code, stdout, stderr) = grade_with(
        &[
            "--prometheus",
            &url,
            "--ca-file",
            ca,
            "--basic-auth-file",
            auth,
        ],
        &counters,
        &e.id,
        wrong_answer,
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let verdict: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(verdict["pass"].as_bool(), Some(false), "{verdict:#}");
    assert!(
        !kinds(&verdict).is_empty() && !kinds(&verdict).contains(&"internal".to_string()),
        "{verdict:#}"
    );

    // The private CA is not trusted without --ca-file, nor with another CA's file.
    assert_refused(
        grade_with(
            &["--prometheus", &url, "--basic-auth-file", auth],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["unknown certificate authority", "--ca-file PEM"],
    );
    assert_refused(
        grade_with(
            &[
                "--prometheus",
                &url,
                "--ca-file",
                other_ca_file.to_str().unwrap(),
                "--basic-auth-file",
                auth,
            ],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["unknown certificate authority", "other-ca.pem"],
    );
    // A wrong password, and none at all: HTTP 401, naming the flags.
    assert_refused(
        grade_with(
            &[
                "--prometheus",
                &url,
                "--ca-file",
                ca,
                "--basic-auth-file",
                wrong.to_str().unwrap(),
            ],
            &counters,
            &e.id,
            &e.reference,
        ),
        &[
            "HTTP 401",
            "refused the credentials from --basic-auth-file",
            "wrong.auth",
        ],
    );
    let (code, stdout, stderr) = grade_with(
        &["--prometheus", &url, "--ca-file", ca],
        &counters,
        &e.id,
        &e.reference,
    );
    assert!(!stderr.contains("battery"), "{stderr}");
    assert_refused(
        (code, stdout, stderr),
        &[
            "HTTP 401",
            "wants credentials",
            "--basic-auth-file",
            "--bearer-token-file",
        ],
    );
    // Plain HTTP to the TLS port: Go's server says so, and so do we.
    assert_refused(
        grade_with(
            &[
                "--prometheus",
                &format!("http://127.0.0.1:{port}"),
                "--basic-auth-file",
                auth,
            ],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["use an https:// URL"],
    );
    // The certificate names 127.0.0.1 only: `localhost` reaches the same server under a
    // name the certificate does not list.
    assert_refused(
        grade_with(
            &[
                "--prometheus",
                &format!("https://localhost:{port}"),
                "--ca-file",
                ca,
                "--basic-auth-file",
                auth,
            ],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["not valid for this host", "--prometheus"],
    );
    // A CA file that holds no certificate (here, the server's key) is refused by name.
    assert_refused(
        grade_with(
            &[
                "--prometheus",
                &url,
                "--ca-file",
                key_file.to_str().unwrap(),
                "--basic-auth-file",
                auth,
            ],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["--ca-file", "server.key", "no certificate"],
    );
}

/// Every request's head the listener received, and its address. It answers each request
/// that carries `Authorization: Bearer <token>` with one sample and every other with 401,
/// closing the connection after each answer.
fn bearer_listener(token: &'static str) -> (Arc<Mutex<Vec<String>>>, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    // The thread ends with the test process; it holds nothing that needs cleaning up.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let authorized = head
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("authorization: Bearer {token}")));
            seen.lock().unwrap().push(head);
            let (status, body) = if authorized {
                (
                    "200 OK",
                    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1767261000,"42"]}]}}"#,
                )
            } else {
                ("401 Unauthorized", "Unauthorized\n")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (heads, url)
}

#[test]
fn a_bearer_token_is_sent_with_every_request() {
    let counters = pack_file("02-counters.toml");
    let e = exercise(&counters, "requests-last-hour");
    let (heads, url) = bearer_listener("tok3n.of-the_learner");
    let dir = Sandbox::new("exercises-bearer");
    let token = dir.dir.join("token");
    // A trailing newline, as `echo TOKEN > file` leaves, is not part of the token.
    std::fs::write(&token, "tok3n.of-the_learner\n").unwrap();

    let (code, stdout, stderr) = grade_with(
        &[
            "--prometheus",
            &url,
            "--bearer-token-file",
            token.to_str().unwrap(),
        ],
        &counters,
        &e.id,
        &e.reference,
    );
    // The listener answers every query alike, so the answer equals the reference.
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Credentials over plain HTTP earn a warning.
    assert!(stderr.contains("plain HTTP"), "{stderr}");
    let sent = heads.lock().unwrap().clone();
    // Both queries at each of the exercise's three times.
    assert_eq!(sent.len(), 6, "{sent:#?}");
    for head in &sent {
        assert!(head.starts_with("GET /api/v1/query?"), "{head}");
        assert!(
            head.contains("\r\nauthorization: Bearer tok3n.of-the_learner\r\n")
                || head.contains("\r\nAuthorization: Bearer tok3n.of-the_learner\r\n"),
            "{head}"
        );
    }

    // Without the token the listener says 401, and the message names both flags.
    heads.lock().unwrap().clear();
    assert_refused(
        grade_with(&["--prometheus", &url], &counters, &e.id, &e.reference),
        &[
            "HTTP 401",
            "wants credentials",
            "--bearer-token-file",
            "--basic-auth-file",
        ],
    );
    assert!(
        heads
            .lock()
            .unwrap()
            .iter()
            .all(|h| !h.to_ascii_lowercase().contains("authorization")),
        "{:#?}",
        heads.lock().unwrap()
    );
}

#[test]
fn credentials_flags_are_checked_before_anything_is_sent() {
    let counters = pack_file("02-counters.toml");
    let e = exercise(&counters, "requests-last-hour");
    let dir = Sandbox::new("exercises-flags");
    let token = dir.dir.join("token");
    std::fs::write(&token, "t\n").unwrap();
    let token = token.to_str().unwrap();
    // Both kinds of credentials at once: clap refuses, naming both flags.
    let (code, _, stderr) = grade_with(
        &[
            "--prometheus",
            "https://127.0.0.1:1",
            "--bearer-token-file",
            token,
            "--basic-auth-file",
            token,
        ],
        &counters,
        &e.id,
        &e.reference,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--bearer-token-file")
            && stderr.contains("--basic-auth-file")
            && stderr.contains("cannot be used with"),
        "{stderr}"
    );
    // Without --prometheus the flags mean nothing.
    let (code, _, stderr) = grade_with(
        &["--bearer-token-file", token],
        &counters,
        &e.id,
        &e.reference,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--prometheus"), "{stderr}");
    // A scheme the tool does not speak, and a host that does not exist.
    let (code, _, stderr) = grade_with(
        &["--prometheus", "ftp://127.0.0.1:9090"],
        &counters,
        &e.id,
        &e.reference,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("ftp://") && stderr.contains("https://"),
        "{stderr}"
    );
    assert_refused(
        grade_with(
            &["--prometheus", "http://no-such-host.invalid:9090"],
            &counters,
            &e.id,
            &e.reference,
        ),
        &["host not found", "--prometheus"],
    );
    // A port nothing listens on (the listener is dropped before the run).
    let closed = free_port();
    assert_refused(
        grade_with(
            &["--prometheus", &format!("http://127.0.0.1:{closed}")],
            &counters,
            &e.id,
            &e.reference,
        ),
        &[
            "connection refused",
            "nothing listens there",
            "--prometheus",
        ],
    );
    // The basic-auth file's format, checked without repeating its content.
    let bad = dir.dir.join("bad.auth");
    std::fs::write(&bad, "only-a-secret-without-colon\n").unwrap();
    let (code, _, stderr) = grade_with(
        &[
            "--prometheus",
            "http://127.0.0.1:1",
            "--basic-auth-file",
            bad.to_str().unwrap(),
        ],
        &counters,
        &e.id,
        &e.reference,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("user:password") && !stderr.contains("only-a-secret"),
        "{stderr}"
    );
}

trait ScenarioName {
    fn data_scenario(&self) -> &str;
}

impl ScenarioName for Exercise {
    fn data_scenario(&self) -> &str {
        match &self.data {
            Data::Scenario(s) => &s.scenario,
            Data::Custom(_) => "",
        }
    }
}
