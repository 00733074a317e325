//! The course seeds as test data: their example queries (`tests/data/seed_queries.toml`) and
//! their exporters (`tests/data/seed_exporters.toml`), with what the scenario tests need to
//! check them: recording-rule expansion, the selectors of a query, and the evaluation plan
//! the evaluator's test will run.

use serde::Deserialize;
use simulator::promql::ast::{Expr, ExprKind, VectorSelector};
use simulator::promql::{self, matcher::MatchOp};
use simulator::scenario::{MINUTE, Scenario, Window};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn data_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `seed_queries.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedQueries {
    pub query: Vec<SeedQuery>,
    #[serde(default)]
    pub recording_rule: Vec<RecordingRule>,
}

/// Where a query was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// In the seed file itself.
    Seed,
    /// In a file the seed names as part of its course.
    SeedSource,
}

/// What evaluating a query over its scenario's default window must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// A non-empty result at every evaluation time from the window's fifth minute on.
    Data,
    /// A non-empty result at some evaluation time while the named incident runs.
    Incident,
}

/// One example query of a seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedQuery {
    pub scenario: String,
    pub seed: String,
    pub origin: Origin,
    #[serde(rename = "where")]
    pub place: String,
    pub query: String,
    pub not_promql: Option<String>,
    pub completion: Option<String>,
    pub expect: Expect,
    pub incident: Option<String>,
    /// Incidents during which an `expect = "data"` query may be empty (a target it reads
    /// is down, so its series are stale).
    #[serde(default)]
    pub except_during: Vec<String>,
}

impl SeedQuery {
    /// The text the checks run: the query, or its completion when the seed elides part of it.
    pub fn checked_text(&self) -> &str {
        match (&self.not_promql, &self.completion) {
            (Some(_), Some(c)) => c,
            _ => &self.query,
        }
    }

    /// A short name for failure messages.
    pub fn label(&self) -> String {
        format!("{} [{}] {:?}", self.scenario, self.place, self.query)
    }
}

/// A recording rule whose output a seed query reads by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingRule {
    pub scenario: String,
    pub record: String,
    #[serde(rename = "where")]
    pub place: String,
    pub expr: String,
}

/// Reads `seed_queries.toml`.
pub fn queries() -> SeedQueries {
    toml::from_str(&data_file("seed_queries.toml"))
        .unwrap_or_else(|e| panic!("seed_queries.toml: {e}"))
}

/// `seed_exporters.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedExporters {
    pub target: Vec<SeedTarget>,
    pub family: Vec<SeedFamily>,
}

/// A scrape target a seed configures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTarget {
    pub scenario: String,
    pub seed: String,
    pub job: String,
    pub instance: String,
    pub labels: BTreeMap<String, String>,
    /// Seconds, as the seed configures it.
    pub interval: i64,
    /// Seconds, when the scenario cannot scrape at the seed's interval; `note` says why.
    pub simulated_interval: Option<i64>,
    #[serde(rename = "where")]
    pub place: String,
    pub note: Option<String>,
}

/// A metric family a seed's exporter exposes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFamily {
    pub scenario: String,
    pub seed: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub labels: Vec<String>,
    #[serde(rename = "where")]
    pub place: String,
    pub note: Option<String>,
}

/// Reads `seed_exporters.toml`.
pub fn exporters() -> SeedExporters {
    toml::from_str(&data_file("seed_exporters.toml"))
        .unwrap_or_else(|e| panic!("seed_exporters.toml: {e}"))
}

/// Replaces every bare selector of a recording rule's output (`slo:availability:ratio_rate5m`
/// with no other matcher and no modifier) by the rule's expression in parentheses, as if
/// the rule's series were computed on the spot. Rules may read other rules; expansion stops
/// after a few rounds so a cycle cannot loop. Errors name the text that failed to parse.
///
/// The substitution is textual, so one spelling cannot be expanded: a rule name right after
/// `group_left` or `group_right` would turn into that modifier's label list. No seed query
/// writes it.
pub fn expand_rules(text: &str, rules: &[&RecordingRule]) -> Result<String, String> {
    let mut text = text.to_string();
    for _ in 0..4 {
        let expr = promql::parse(&text).map_err(|e| format!("{text:?}: {}", e[0].message))?;
        let mut hits: Vec<(usize, usize, &RecordingRule)> = Vec::new();
        visit_selectors(&expr, &mut |vs, in_range| {
            let bare = vs.offset.is_none()
                && vs.at.is_none()
                && !in_range
                && vs
                    .matchers
                    .iter()
                    .all(|m| m.name == "__name__" && m.op == MatchOp::Equal);
            if let Some(rule) = rules
                .iter()
                .find(|r| bare && vs.metric_name() == Some(r.record.as_str()))
            {
                hits.push((vs.span.start as usize, vs.span.end as usize, rule));
            }
        });
        if hits.is_empty() {
            return Ok(text);
        }
        // Replace from the back so earlier spans stay valid.
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        for (start, end, rule) in hits {
            text.replace_range(start..end, &format!("({})", rule.expr.trim()));
        }
    }
    Err(format!(
        "recording rules still unexpanded after 4 rounds: {text:?}"
    ))
}

/// Calls `f` on every vector selector of `expr`, with whether it sits inside a range
/// selector (`x[5m]`).
pub fn visit_selectors(expr: &Expr, f: &mut dyn FnMut(&VectorSelector, bool)) {
    match &expr.kind {
        ExprKind::VectorSelector(vs) => f(vs, false),
        ExprKind::MatrixSelector(m) => f(&m.selector, true),
        _ => {
            for child in expr.children() {
                visit_selectors(child, f);
            }
        }
    }
}

/// The selectors of a query, cloned.
pub fn selectors(expr: &Expr) -> Vec<VectorSelector> {
    let mut out = Vec::new();
    visit_selectors(expr, &mut |vs, _| out.push(vs.clone()));
    out
}

/// Lowercase words of an incident title joined by `-`: how the data files name incidents
/// (`"Database connection pool exhausted"` → `database-connection-pool-exhausted`).
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The occurrences in `window` of the incident whose title's slug is `name`, clipped to the
/// window.
pub fn occurrences_of(scenario: &Scenario, window: Window, name: &str) -> Vec<(i64, i64)> {
    scenario
        .occurrences(window)
        .into_iter()
        .filter(|o| slug(&scenario.incidents()[o.incident].title) == name)
        .map(|o| (o.start.max(window.start), o.end.min(window.end)))
        .collect()
}

/// One instant query the evaluator must answer with a non-empty result.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The query, recording rules expanded.
    pub query: String,
    /// The evaluation times, Unix ms.
    pub times: Vec<i64>,
    /// `true`: every time must give a non-empty result (`expect = "data"`); `false`: at
    /// least one must (`expect = "incident"`).
    pub every: bool,
}

/// The evaluation step of the plan: one instant query per minute of the relevant span.
pub const PLAN_STEP: i64 = MINUTE;

/// What the evaluator's test (issue 5) runs for `q` on `scenario`'s default `window`: for
/// `expect = "data"`, every minute from the window's fifth minute to its end (except while
/// an incident of `except_during` runs), all non-empty; for `expect = "incident"`, every minute of the incident's occurrences in the
/// window, at least one non-empty. The test for this plan lives in `seed_queries.rs`; the
/// evaluation itself waits for the evaluator.
pub fn evaluation_plan(
    q: &SeedQuery,
    rules: &[&RecordingRule],
    scenario: &Scenario,
    window: Window,
) -> Result<Evaluation, String> {
    let query = expand_rules(q.checked_text(), rules)?;
    let (times, every) = match q.expect {
        Expect::Data => {
            let from = window.start + 5 * MINUTE;
            let mut gaps = Vec::new();
            for name in &q.except_during {
                let found = occurrences_of(scenario, window, name);
                if found.is_empty() {
                    return Err(format!(
                        "{}: except_during names {name:?}, which is not in the window",
                        q.label()
                    ));
                }
                gaps.extend(found);
            }
            let times = (0..)
                .map(|i| from + i * PLAN_STEP)
                .take_while(|&t| t <= window.end)
                .filter(|t| !gaps.iter().any(|&(s, e)| (s..=e).contains(t)))
                .collect();
            (times, true)
        }
        Expect::Incident => {
            let name = q
                .incident
                .as_deref()
                .ok_or_else(|| format!("{}: expect = \"incident\" needs `incident`", q.label()))?;
            let occurrences = occurrences_of(scenario, window, name);
            if occurrences.is_empty() {
                return Err(format!(
                    "{}: incident {name:?} does not occur in the default window",
                    q.label()
                ));
            }
            let times = occurrences
                .iter()
                .flat_map(|&(s, e)| {
                    (0..)
                        .map(move |i| s + i * PLAN_STEP)
                        .take_while(move |&t| t <= e)
                })
                .collect();
            (times, false)
        }
    };
    Ok(Evaluation {
        query,
        times,
        every,
    })
}
