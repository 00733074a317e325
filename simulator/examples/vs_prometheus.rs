//! Our engine side by side with a real Prometheus on the same data: the measuring half of
//! `bench/vs-prometheus.sh`, which exports the scenario, backfills and starts Prometheus and
//! then runs this program.
//!
//! For each query of the queries file, as an instant query near the window's end and as a
//! range query over most of the window: evaluates it `--runs` times in-process with our engine (timing only
//! the evaluation: no process start, no parsing, no scenario generation) and as many times
//! through Prometheus' HTTP API with `stats=all` (reading `evalTotalTime`, which likewise
//! excludes parsing and HTTP), keeps each side's fastest run, checks that the results agree
//! (same series, same timestamps, values within a relative 1e-6, NaN equal to NaN), and prints
//! the times, their ratio and the geometric mean of the ratios. Exits 1 on any disagreement.
//!
//! Our database holds the scenario's samples without stale markers, because the OpenMetrics
//! export Prometheus was filled from cannot carry them.
//!
//! The comparison is with Prometheus 2.42, and three changes since then make correct answers
//! differ; the defaults keep the queries clear of them. (1) Prometheus 3 selects ranges and
//! subquery steps left-open, `(t - range, t]`: evaluation times default to 7 s off the whole
//! minute (`--time` = end − 7 s, range queries from start + 1 h 10 min 7 s to end − 7 s), so no
//! subquery step and no scraped sample (scenario timestamps carry milliseconds) falls on a
//! range's left edge. (2) Prometheus 3 extrapolates a counter's rate towards zero only after
//! capping the gap at the range's start, so the two disagree on windows where a series starts
//! (after a restart, or at the start of the data): range queries start after the longest range
//! used (1 h, plus 5 min for the subquery's inner range), and the window should hold no restart
//! or scrape outage (`bench/vs-prometheus.sh` uses 00:00 to 06:00 UTC of the demo scenario,
//! before its daily incidents). (3) Prometheus 3 has no `holt_winters`; the queries avoid it.
//!
//! ```text
//! cargo run --release -p simulator --example vs_prometheus -- --scenario demo \
//!     --start 2026-01-01T00:00:00Z --end 2026-01-01T06:00:00Z --step 15s \
//!     --queries bench/queries.txt --prometheus 127.0.0.1:9090 --runs 5
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod compare_engines {
    /// `println!` that ignores a closed pipe instead of panicking.
    macro_rules! say {
        ($($arg:tt)*) => {{
            use std::io::Write as _;
            let _ = writeln!(std::io::stdout(), $($arg)*);
        }};
    }

    use simulator::promql::eval::Engine;
    use simulator::promql::value::Value;
    use simulator::promql::{self, Expr};
    use simulator::promqltest::compare::{EPSILON, almost_equal, show};
    use simulator::promqltest::script::parse_duration_ms;
    use simulator::scenario::{self, SampleSink, Scenario, SeriesId, Window};
    use simulator::timestamp::{format_time, parse_time};
    use simulator::tsdb::{Tsdb, is_stale_marker};
    use std::collections::BTreeMap;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    /// A result in a form both sides convert to: series by label set, points in time order.
    type Canonical = BTreeMap<Vec<(String, String)>, Vec<(i64, f64)>>;

    struct Args {
        scenario: String,
        seed: u64,
        /// The data window.
        start: i64,
        end: i64,
        /// When instant queries run.
        time: i64,
        /// The range queries' grid.
        range_start: i64,
        range_end: i64,
        step: i64,
        queries: String,
        prometheus: String,
        runs: usize,
    }

    fn parse_args() -> Result<Args, String> {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let key = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {flag}"))?;
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            map.insert(key.to_string(), value);
        }
        let get = |k: &str| {
            map.get(k)
                .cloned()
                .ok_or_else(|| format!("--{k} is required"))
        };
        let time = |k: &str| -> Result<i64, String> {
            parse_time(&get(k)?).map_err(|e| format!("--{k}: {e}"))
        };
        let start = time("start")?;
        let end = time("end")?;
        let optional = |k: &str, default: i64| -> Result<i64, String> {
            if map.contains_key(k) {
                time(k)
            } else {
                Ok(default)
            }
        };
        Ok(Args {
            scenario: get("scenario")?,
            seed: match map.get("seed") {
                Some(s) => s.parse().map_err(|e| format!("--seed: {e}"))?,
                None => scenario::DEFAULT_SEED,
            },
            start,
            end,
            // See the module documentation for why these avoid the window's edges and
            // whole minutes.
            time: optional("time", end - 7_000)?,
            range_start: optional("range-start", start + 70 * 60_000 + 7_000)?,
            range_end: optional("range-end", end - 7_000)?,
            step: parse_duration_ms(&get("step")?)?,
            queries: get("queries")?,
            prometheus: get("prometheus")?,
            runs: match map.get("runs") {
                Some(s) => s.parse().map_err(|e| format!("--runs: {e}"))?,
                None => 5,
            },
        })
    }

    /// Appends every sample except stale markers.
    struct Load<'a> {
        db: &'a mut Tsdb,
        error: Option<String>,
    }

    impl SampleSink for Load<'_> {
        fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]) {
            let Some(info) = scenario.series().get(series) else {
                return;
            };
            for (&t, &v) in ts.iter().zip(vs) {
                if is_stale_marker(v) {
                    continue;
                }
                if let Err(e) = self.db.append(&info.labels, t, v) {
                    self.error.get_or_insert(e.to_string());
                }
            }
        }
    }

    fn load(args: &Args) -> Result<Tsdb, String> {
        let s = scenario::by_name(&args.scenario).map_err(|e| e.to_string())?;
        let mut db = Tsdb::new();
        let mut sink = Load {
            db: &mut db,
            error: None,
        };
        s.generate(args.seed, Window::new(args.start, args.end), &mut sink);
        if let Some(e) = sink.error {
            return Err(e);
        }
        db.compact();
        Ok(db)
    }

    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// A plain HTTP/1.0 GET returning the body.
    fn get(host: &str, path: &str) -> Result<String, String> {
        let mut s = TcpStream::connect(host).map_err(|e| format!("connect {host}: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(120)))
            .map_err(|e| e.to_string())?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (_, body) = text
            .split_once("\r\n\r\n")
            .ok_or("malformed HTTP response")?;
        Ok(body.to_string())
    }

    fn seconds(ms: i64) -> String {
        format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
    }

    /// A Prometheus answer: its result in canonical form (or its error) and evalTotalTime.
    fn prometheus(host: &str, path: &str) -> Result<(Result<Canonical, String>, f64), String> {
        let body = get(host, path)?;
        let json: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("bad JSON from Prometheus: {e}"))?;
        if json["status"] != "success" {
            return Ok((
                Err(json["error"].as_str().unwrap_or("error").to_string()),
                0.0,
            ));
        }
        let eval = json["data"]["stats"]["timings"]["evalTotalTime"]
            .as_f64()
            .ok_or("no evalTotalTime in the answer (is stats=all supported?)")?;
        Ok((
            canonical_json(&json["data"]).map_err(|e| e.to_string()),
            eval,
        ))
    }

    fn point(p: &serde_json::Value) -> Option<(i64, f64)> {
        let t = (p[0].as_f64()? * 1000.0).round() as i64;
        let v = match p[1].as_str()? {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            s => s.parse().ok()?,
        };
        Some((t, v))
    }

    fn canonical_json(data: &serde_json::Value) -> Result<Canonical, &'static str> {
        let mut out = Canonical::new();
        let bad = "unexpected result shape from Prometheus";
        match data["resultType"].as_str() {
            Some("scalar") => {
                out.insert(Vec::new(), vec![point(&data["result"]).ok_or(bad)?]);
            }
            Some("vector") | Some("matrix") => {
                for r in data["result"].as_array().ok_or(bad)? {
                    let labels: Vec<(String, String)> = r["metric"]
                        .as_object()
                        .ok_or(bad)?
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect();
                    let points = match r.get("values") {
                        Some(vs) => vs
                            .as_array()
                            .ok_or(bad)?
                            .iter()
                            .map(point)
                            .collect::<Option<Vec<_>>>()
                            .ok_or(bad)?,
                        None => vec![point(&r["value"]).ok_or(bad)?],
                    };
                    out.insert(labels, points);
                }
            }
            _ => return Err(bad),
        }
        Ok(out)
    }

    fn canonical(v: &Value) -> Canonical {
        let labels = |l: &simulator::tsdb::Labels| {
            l.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let mut out = Canonical::new();
        match v {
            Value::Scalar { t, v } => {
                out.insert(Vec::new(), vec![(*t, *v)]);
            }
            Value::String { .. } => {}
            Value::Vector(samples) => {
                for s in samples {
                    out.insert(labels(&s.labels), vec![(s.t, s.v)]);
                }
            }
            Value::Matrix(series) => {
                for s in series {
                    out.insert(
                        labels(&s.labels),
                        s.points.iter().map(|p| (p.t, p.v)).collect(),
                    );
                }
            }
        }
        out
    }

    fn label_text(l: &[(String, String)]) -> String {
        let inner: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        format!("{{{}}}", inner.join(", "))
    }

    /// Differences between the two results, at most a few.
    fn differences(ours: &Canonical, theirs: &Canonical) -> Vec<String> {
        let mut out = Vec::new();
        for (l, ps) in ours {
            match theirs.get(l) {
                None => out.push(format!(
                    "only ours: {} ({} points)",
                    label_text(l),
                    ps.len()
                )),
                Some(qs) => {
                    if ps.len() != qs.len() {
                        out.push(format!(
                            "{}: {} points ours, {} Prometheus'",
                            label_text(l),
                            ps.len(),
                            qs.len()
                        ));
                        continue;
                    }
                    if let Some(((t, a), (u, b))) = ps
                        .iter()
                        .zip(qs)
                        .find(|((t, a), (u, b))| t != u || !almost_equal(*a, *b, EPSILON))
                    {
                        out.push(format!(
                            "{}: ours {}@{t}, Prometheus {}@{u}",
                            label_text(l),
                            show(*a),
                            show(*b)
                        ));
                    }
                }
            }
        }
        for (l, qs) in theirs {
            if !ours.contains_key(l) {
                out.push(format!(
                    "only Prometheus: {} ({} points)",
                    label_text(l),
                    qs.len()
                ));
            }
        }
        out.truncate(5);
        out
    }

    /// One query of one kind, both sides: (our best seconds, Prometheus' best seconds).
    fn measure(
        args: &Args,
        db: &Tsdb,
        engine: &Engine,
        expr: &Expr,
        query: &str,
        range: bool,
    ) -> Result<(f64, f64), String> {
        let mut ours_best = f64::INFINITY;
        let mut ours = None;
        for _ in 0..args.runs.max(1) {
            let started = Instant::now();
            let r = if range {
                engine.range(db, expr, args.range_start, args.range_end, args.step)
            } else {
                engine.instant(db, expr, args.time)
            };
            ours_best = ours_best.min(started.elapsed().as_secs_f64());
            ours.get_or_insert(r);
        }
        let path = if range {
            format!(
                "/api/v1/query_range?query={}&start={}&end={}&step={}&stats=all",
                encode(query),
                seconds(args.range_start),
                seconds(args.range_end),
                seconds(args.step)
            )
        } else {
            format!(
                "/api/v1/query?query={}&time={}&stats=all",
                encode(query),
                seconds(args.time)
            )
        };
        let mut theirs_best = f64::INFINITY;
        let mut theirs = None;
        for _ in 0..args.runs.max(1) {
            let (result, eval) = prometheus(&args.prometheus, &path)?;
            theirs_best = theirs_best.min(eval);
            theirs.get_or_insert(result);
        }
        match (ours, theirs) {
            (Some(Ok(o)), Some(Ok(t))) => {
                let diff = differences(&canonical(&o.value), &t);
                if !diff.is_empty() {
                    return Err(format!("results differ:\n  {}", diff.join("\n  ")));
                }
            }
            (Some(Err(o)), Some(Err(t))) => {
                return Err(format!("both fail: ours {o}; Prometheus {t}"));
            }
            (Some(Err(o)), _) => return Err(format!("ours fails: {o}")),
            (_, Some(Err(t))) => return Err(format!("Prometheus fails: {t}")),
            _ => return Err("no runs".into()),
        }
        Ok((ours_best, theirs_best))
    }

    pub fn main() -> std::process::ExitCode {
        let args = match parse_args() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let text = match std::fs::read_to_string(&args.queries) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.queries);
                return std::process::ExitCode::FAILURE;
            }
        };
        let db = match load(&args) {
            Ok(db) => db,
            Err(e) => {
                eprintln!("error: cannot load the scenario: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let st = db.stats();
        say!(
            "{} seed {}: {} series, {} samples; instant queries at {}, range queries from {} to \
             {} every {} ({} steps); best of {} runs each\n",
            args.scenario,
            args.seed,
            st.series,
            st.samples,
            format_time(args.time),
            format_time(args.range_start),
            format_time(args.range_end),
            promql::duration::format_ms(args.step),
            (args.range_end - args.range_start) / args.step.max(1) + 1,
            args.runs
        );
        say!(
            "{:<8} {:>11} {:>11} {:>7}  query",
            "kind",
            "ours ms",
            "prom ms",
            "ratio"
        );
        let engine = Engine::default();
        let mut log_sum = 0.0;
        let mut n = 0usize;
        let mut disagreements = 0usize;
        let mut slower = Vec::new();
        for query in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let expr = match promql::parse(query) {
                Ok(e) => e,
                Err(errors) => {
                    say!(
                        "FAIL {query}: we do not parse it: {}",
                        errors.first().map_or("", |e| e.message.as_str())
                    );
                    disagreements += 1;
                    continue;
                }
            };
            for range in [false, true] {
                let kind = if range { "range" } else { "instant" };
                match measure(&args, &db, &engine, &expr, query, range) {
                    Ok((ours, theirs)) => {
                        let ratio = ours / theirs;
                        say!(
                            "{kind:<8} {:>11.3} {:>11.3} {:>7.2}  {query}",
                            ours * 1e3,
                            theirs * 1e3,
                            ratio
                        );
                        if ratio.is_finite() && ratio > 0.0 {
                            log_sum += ratio.ln();
                            n += 1;
                        }
                        if ratio > 1.0 {
                            slower.push(format!("{kind} {query}"));
                        }
                    }
                    Err(e) => {
                        say!("FAIL {kind} {query}: {e}");
                        disagreements += 1;
                    }
                }
            }
        }
        say!("");
        if n > 0 {
            say!(
                "geometric mean of ours / Prometheus over {n} measurements: {:.3}",
                (log_sum / n as f64).exp()
            );
        }
        say!("slower than Prometheus: {}", slower.len());
        for s in &slower {
            say!("  {s}");
        }
        if disagreements > 0 {
            say!("{disagreements} queries disagree or fail");
            return std::process::ExitCode::FAILURE;
        }
        std::process::ExitCode::SUCCESS
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    compare_engines::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
