//! The course seeds against their scenarios.
//!
//! `tests/data/seed_queries.toml` lists every example query the seeds print and
//! `tests/data/seed_exporters.toml` the targets and families their exporters have. Here each
//! query must parse (or the file must say why it is not PromQL), name only metrics its
//! scenario has, and select series in the scenario's default window; each target and family
//! must exist as the seed describes it; each incident a query is tied to must happen in the
//! default window. Whether the queries return data is the evaluator's to show (issue 5):
//! [`seeds::evaluation_plan`] already says what it must run, and a test here checks the plan.

mod support;

use simulator::promql;
use simulator::scenario::{self, DEFAULT_ANCHOR, DEFAULT_SEED, MetricType, Scenario, Source};
use simulator::tsdb::Tsdb;
use std::collections::{BTreeMap, BTreeSet};
use support::seeds::{self, Expect, RecordingRule, SeedQuery};

/// The seed scenarios, built once per test.
fn scenarios(names: impl IntoIterator<Item = String>) -> BTreeMap<String, Scenario> {
    names
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|name| {
            let s = scenario::by_name(&name).unwrap_or_else(|e| panic!("{e}"));
            (name, s)
        })
        .collect()
}

fn rules_for<'a>(rules: &'a [RecordingRule], scenario: &str) -> Vec<&'a RecordingRule> {
    rules.iter().filter(|r| r.scenario == scenario).collect()
}

/// The family of `scenario` a series name belongs to: `x_bucket` and friends belong to
/// histogram `x`.
fn family_of<'a>(scenario: &'a Scenario, series_name: &str) -> Option<&'a scenario::Family> {
    scenario
        .families()
        .iter()
        .find(|f| f.series_names().iter().any(|n| n == series_name))
}

#[test]
fn every_seed_query_parses_or_says_why_not() {
    let data = seeds::queries();
    assert!(
        data.query.len() >= 60,
        "the seeds print more queries than that"
    );
    let mut failures = Vec::new();
    for q in &data.query {
        let parsed = promql::parse(&q.query);
        match (&q.not_promql, &q.completion) {
            (None, None) => {
                if let Err(e) = parsed {
                    failures.push(format!("{}: {}", q.label(), e[0].message));
                }
            }
            (Some(reason), Some(completion)) => {
                assert!(!reason.is_empty());
                if parsed.is_ok() {
                    failures.push(format!(
                        "{}: marked as not PromQL ({reason}) but it parses",
                        q.label()
                    ));
                }
                if let Err(e) = promql::parse(completion) {
                    failures.push(format!("{}: completion: {}", q.label(), e[0].message));
                }
            }
            _ => failures.push(format!(
                "{}: `not_promql` and `completion` go together",
                q.label()
            )),
        }
    }
    for r in &data.recording_rule {
        if let Err(e) = promql::parse(&r.expr) {
            failures.push(format!("rule {}: {}", r.record, e[0].message));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_metric_a_seed_query_names_is_a_family_of_its_scenario() {
    let data = seeds::queries();
    let scenarios = scenarios(data.query.iter().map(|q| q.scenario.clone()));
    let mut failures = Vec::new();
    let mut used_rules = BTreeSet::new();
    for q in &data.query {
        let rules = rules_for(&data.recording_rule, &q.scenario);
        let expanded = match seeds::expand_rules(q.checked_text(), &rules) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{}: {e}", q.label()));
                continue;
            }
        };
        if expanded != q.checked_text() {
            for r in &rules {
                if q.checked_text().contains(&r.record) {
                    used_rules.insert(r.record.clone());
                }
            }
        }
        let expr = promql::parse(&expanded).unwrap();
        let s = &scenarios[&q.scenario];
        for vs in seeds::selectors(&expr) {
            match vs.metric_name() {
                Some(name) if family_of(s, name).is_some() => {}
                Some(name) => failures.push(format!(
                    "{}: {name} is not a series of any family of scenario {}",
                    q.label(),
                    q.scenario
                )),
                None => failures.push(format!("{}: a selector without a metric name", q.label())),
            }
        }
    }
    for r in &data.recording_rule {
        if !used_rules.contains(&r.record) {
            failures.push(format!(
                "recording rule {} ({}) is read by no seed query",
                r.record, r.place
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_query_matchers_select_series_in_the_default_window() {
    let data = seeds::queries();
    let scenarios = scenarios(data.query.iter().map(|q| q.scenario.clone()));
    let mut failures = Vec::new();
    for (name, s) in &scenarios {
        let db = Tsdb::from_scenario(s, DEFAULT_SEED, s.default_window(DEFAULT_ANCHOR));
        let rules = rules_for(&data.recording_rule, name);
        for q in data.query.iter().filter(|q| &q.scenario == name) {
            let Ok(expanded) = seeds::expand_rules(q.checked_text(), &rules) else {
                continue; // Reported by the test above.
            };
            let expr = promql::parse(&expanded).unwrap();
            for vs in seeds::selectors(&expr) {
                if db.select(&vs.matchers).is_empty() {
                    let text = &expanded[vs.span.start as usize..vs.span.end as usize];
                    failures.push(format!("{}: {text} selects no series", q.label()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The queries each incident names as showing it ("see: ..." in `simulator scenarios`)
/// read families the scenario has and select series in its default window.
#[test]
fn incident_queries_name_the_scenarios_series() {
    let data = seeds::queries();
    let scenarios = scenarios(data.query.iter().map(|q| q.scenario.clone()));
    let mut failures = Vec::new();
    for (name, s) in &scenarios {
        let db = Tsdb::from_scenario(s, DEFAULT_SEED, s.default_window(DEFAULT_ANCHOR));
        for incident in s.incidents() {
            for q in &incident.shows {
                let Ok(expr) = promql::parse(q) else {
                    failures.push(format!("{name}: {q:?} does not parse"));
                    continue;
                };
                for vs in seeds::selectors(&expr) {
                    let known = vs.metric_name().is_some_and(|m| family_of(s, m).is_some());
                    if !known || db.select(&vs.matchers).is_empty() {
                        failures.push(format!(
                            "{name}: incident {:?}: {q:?} selects nothing with {:?}",
                            incident.title,
                            vs.metric_name()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_targets_are_scraped_as_the_seeds_configure_them() {
    let data = seeds::exporters();
    let scenarios = scenarios(data.target.iter().map(|t| t.scenario.clone()));
    let mut failures = Vec::new();
    for want in &data.target {
        let s = &scenarios[&want.scenario];
        let Some(t) = s
            .targets()
            .iter()
            .find(|t| t.job == want.job && t.instance == want.instance)
        else {
            failures.push(format!(
                "{}: no target job={:?} instance={:?} ({})",
                want.scenario, want.job, want.instance, want.place
            ));
            continue;
        };
        let labels: BTreeMap<String, String> = t.labels.iter().cloned().collect();
        if labels != want.labels {
            failures.push(format!(
                "{} {}: target labels {labels:?}, the seed says {:?}",
                want.scenario, want.instance, want.labels
            ));
        }
        if want.simulated_interval.is_some() && want.note.is_none() {
            failures.push(format!(
                "{} {}: a simulated interval needs a note saying why",
                want.scenario, want.instance
            ));
        }
        let interval = want.simulated_interval.unwrap_or(want.interval) * 1000;
        if s.scrape().interval != interval {
            failures.push(format!(
                "{} {}: scraped every {} ms, expected {interval} ms",
                want.scenario,
                want.instance,
                s.scrape().interval
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_families_exist_with_their_type_and_labels() {
    let data = seeds::exporters();
    let scenarios = scenarios(data.family.iter().map(|f| f.scenario.clone()));
    let mut failures = Vec::new();
    for want in &data.family {
        let s = &scenarios[&want.scenario];
        let Some((index, family)) = s
            .families()
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == want.name)
        else {
            failures.push(format!(
                "{}: no family {} ({})",
                want.scenario, want.name, want.place
            ));
            continue;
        };
        if family.kind.as_str() != want.kind || family.source != Source::Exporter {
            failures.push(format!(
                "{}: {} is a {} ({:?}), the seed says {}",
                want.scenario,
                want.name,
                family.kind.as_str(),
                family.source,
                want.kind
            ));
        }
        // Every series of the family carries exactly the seed's labels besides the target's.
        let mut seen = BTreeSet::new();
        for info in s.series().iter().filter(|i| i.family.index() == index) {
            let target = &s.targets()[info.target.index()];
            let mut names: Vec<&str> = info
                .labels
                .iter()
                .map(|(n, _)| n)
                .filter(|n| {
                    let from_prometheus = matches!(*n, "__name__" | "job" | "instance")
                        || target.labels.iter().any(|(t, _)| t == n);
                    let from_type = (*n == "le" && family.kind == MetricType::Histogram)
                        || (*n == "quantile" && family.kind == MetricType::Summary);
                    !from_prometheus && !from_type
                })
                .collect();
            names.sort_unstable();
            seen.insert(names.join(","));
        }
        let mut expected = want.labels.clone();
        expected.sort();
        let expected = expected.join(",");
        if seen.len() != 1 || !seen.contains(&expected) {
            failures.push(format!(
                "{}: {} has label sets {seen:?}, the seed says [{expected}]",
                want.scenario, want.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn incidents_the_seed_queries_name_happen_in_the_default_window() {
    let data = seeds::queries();
    let scenarios = scenarios(data.query.iter().map(|q| q.scenario.clone()));
    let mut failures = Vec::new();
    for q in data.query.iter().filter(|q| q.expect == Expect::Incident) {
        let s = &scenarios[&q.scenario];
        let name = q.incident.as_deref().unwrap_or("");
        let w = s.default_window(DEFAULT_ANCHOR);
        let in_window = s
            .occurrences(w)
            .iter()
            .any(|o| seeds::slug(&s.incidents()[o.incident].title) == name);
        if !in_window {
            let known: Vec<String> = s
                .incidents()
                .iter()
                .map(|i| seeds::slug(&i.title))
                .collect();
            failures.push(format!(
                "{}: incident {name:?} is not in the default window (incidents: {known:?})",
                q.label()
            ));
        }
    }
    for q in data.query.iter().filter(|q| q.expect == Expect::Data) {
        if q.incident.is_some() {
            failures.push(format!(
                "{}: `incident` only goes with expect = \"incident\"",
                q.label()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The plan the evaluator's test will run (see [`seeds::evaluation_plan`]): every query gets
/// evaluation times inside its scenario's default window, a "data" query one per minute
/// after the first five, an incident query one per minute of its incident.
#[test]
fn every_seed_query_has_an_evaluation_plan_inside_the_default_window() {
    let data = seeds::queries();
    let scenarios = scenarios(data.query.iter().map(|q| q.scenario.clone()));
    let mut failures = Vec::new();
    for q in &data.query {
        let s = &scenarios[&q.scenario];
        let w = s.default_window(DEFAULT_ANCHOR);
        let rules = rules_for(&data.recording_rule, &q.scenario);
        match seeds::evaluation_plan(q, &rules, s, w) {
            Ok(plan) => {
                let in_window = plan.times.iter().all(|t| (w.start..=w.end).contains(t));
                let minutes = plan.times.len() as i64;
                let full = (w.end - w.start) / seeds::PLAN_STEP - 4;
                let enough = match q.expect {
                    Expect::Data if q.except_during.is_empty() => minutes == full,
                    // A restart or an outage leaves out a few minutes, not the morning.
                    Expect::Data => minutes < full && minutes > full - 60,
                    Expect::Incident => minutes >= 5,
                };
                if !in_window || !enough || promql::parse(&plan.query).is_err() {
                    failures.push(format!("{}: bad plan {plan:?}", q.label()));
                }
                assert_eq!(plan.every, q.expect == Expect::Data);
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recording_rules_expand_only_bare_selectors_of_their_name() {
    let rule = RecordingRule {
        scenario: "x".into(),
        record: "job:up:sum".into(),
        place: "test".into(),
        expr: "sum by (job) (up)".into(),
    };
    let rules = [&rule];
    let cases = [
        ("job:up:sum", "(sum by (job) (up))"),
        ("job:up:sum * 100", "(sum by (job) (up)) * 100"),
        (
            "job:up:sum / ignoring(env) job:up:sum",
            "(sum by (job) (up)) / ignoring(env) (sum by (job) (up))",
        ),
        // A selector with matchers or modifiers reads stored series; leave it alone.
        ("job:up:sum{job=\"a\"}", "job:up:sum{job=\"a\"}"),
        ("job:up:sum offset 5m", "job:up:sum offset 5m"),
        ("rate(job:up:sum[5m])", "rate(job:up:sum[5m])"),
        ("other:rule", "other:rule"),
    ];
    for (input, want) in cases {
        assert_eq!(seeds::expand_rules(input, &rules).unwrap(), want, "{input}");
    }
    assert!(seeds::expand_rules("sum(", &rules).is_err());
}

#[test]
fn slugs_name_incidents() {
    assert_eq!(
        seeds::slug("Database connection pool exhausted"),
        "database-connection-pool-exhausted"
    );
    assert_eq!(seeds::slug("Cache-miss storm"), "cache-miss-storm");
    assert_eq!(
        seeds::slug("  Kafka: lag (build-up) "),
        "kafka-lag-build-up"
    );
}

/// Keeps the data file honest: each seed file it names exists, each scenario is the seed's.
#[test]
fn seed_files_and_scenarios_agree() {
    let expected = [
        ("000_309f0f57ad345fc4.txt", "ebanking"),
        ("001_e860aa729946500f.txt", "inventory"),
        ("002_f2e60f592baa321f.txt", "ml-platform"),
        ("003_dd6d6c9ff4b36dce.txt", "ecompulse"),
        ("004_5ab0a9b569786880.txt", "ecommerce-api"),
    ];
    let data = seeds::queries();
    let exporters = seeds::exporters();
    let pairs = data
        .query
        .iter()
        .map(|q: &SeedQuery| (q.seed.as_str(), q.scenario.as_str()))
        .chain(
            exporters
                .target
                .iter()
                .map(|t| (t.seed.as_str(), t.scenario.as_str())),
        )
        .chain(
            exporters
                .family
                .iter()
                .map(|f| (f.seed.as_str(), f.scenario.as_str())),
        );
    for (seed, scenario) in pairs {
        assert!(
            expected.contains(&(seed, scenario)),
            "{seed} is not the seed of scenario {scenario}"
        );
    }
    for (_, scenario) in expected {
        assert!(
            data.query.iter().any(|q| q.scenario == scenario),
            "no query for {scenario}"
        );
    }
    // When the seeds are at hand, the queries marked "seed" are printed in them verbatim
    // (whitespace aside: the seeds indent code blocks inside lists).
    let Some(dir) = seed_dir() else { return };
    for q in data
        .query
        .iter()
        .filter(|q| q.origin == seeds::Origin::Seed)
    {
        let text = std::fs::read_to_string(dir.join(&q.seed)).unwrap();
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let first_line = q.query.lines().next().unwrap_or("").trim();
        let found = squash(&text).contains(&squash(&q.query))
            || (q.query.lines().count() == 1 && text.contains(first_line));
        assert!(found, "{}: not found in {}", q.label(), q.seed);
    }
}

/// The seeds: `$SEEDS_DIR`, else `<repo>/../shared/seeds`, else `/work/shared/seeds`.
fn seed_dir() -> Option<std::path::PathBuf> {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = std::env::var_os("SEEDS_DIR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain([
            repo.join("../shared/seeds"),
            std::path::PathBuf::from("/work/shared/seeds"),
        ]);
    for dir in candidates {
        if dir.is_dir() {
            return Some(dir);
        }
    }
    eprintln!(
        "\n!!! SKIPPING the verbatim check: the course seeds were not found (set SEEDS_DIR).\n"
    );
    None
}
