//! The Explain tab with data: each node evaluated on its own, and the hints that need
//! results.
//!
//! Every node of the tree is evaluated as an instant query at one time with
//! `Engine::subtree`, as the Prometheus UI's tree view does, and reports its series, the
//! samples it touched, its evaluation time and its label names with example values. Two
//! hints come from the results, not the text:
//!
//! * `empty_result`: the query returns nothing. Why is found by
//!   [`exercises::grader::emptiness`], the grader's own walk (the matcher that removed
//!   everything and the values that exist, a range too short, sides that never match, a
//!   filter no value passes), so the workbench and the grader say the same thing; a fix is
//!   offered where the culprit is an `=` matcher or a metric name with a close existing one.
//! * `many_to_many`: a binary operation failed because two series on its "one" side share a
//!   match group. The side is evaluated on its own to name the labels the colliding series
//!   differ in; when the operation has `on (...)`, the fix adds them to it.
//!
//! Each evaluation is bounded by the engine's limits; the parser bounds the tree's size.

use super::{ExplainReport, Fix, Hint, LabelExamples, NodeStats, Severity, TextEdit, tree};
use crate::editor::complete::quote_value;
use crate::worker::query::Clock;
use exercises::grader::emptiness;
use simulator::promql::ast::{Binary, MatchingKind, VectorSelector};
use simulator::promql::matcher::MatchOp;
use simulator::promql::{
    Engine, EvalError, EvalErrorKind, Expr, ExprKind, NoProgress, QueryTimes, Span, Value, suggest,
};
use simulator::tsdb::{Labels, Tsdb};
use std::collections::{BTreeMap, BTreeSet};

/// How many example values each label shows.
pub const EXAMPLES: usize = 3;

/// Fills `report` (built by [`super::report`] for `expr`, the text `query`) with each
/// node's results at time `t` on `db`, and adds the hints that need them.
pub fn evaluate(
    report: &mut ExplainReport,
    engine: &Engine,
    db: &Tsdb,
    expr: &Expr,
    query: &str,
    t: i64,
    clock: Clock,
) {
    let (_, paths) = tree::nodes_with_paths(expr, query);
    let times = QueryTimes {
        start: t,
        end: t,
        step: 0,
    };
    let mut root: Option<Result<Value, EvalError>> = None;
    for (node, path) in report.nodes.iter_mut().zip(&paths) {
        let started = clock();
        let Some(out) = engine.subtree(db, expr, path, times, &mut NoProgress) else {
            continue;
        };
        let eval_ms = (clock() - started).max(0.0);
        node.stats = Some(match &out {
            Ok(r) => NodeStats {
                series: r.value.series_count() as u64,
                samples: r.stats.samples_touched,
                eval_ms,
                labels: label_examples(&r.value),
                error: None,
            },
            Err(e) => NodeStats {
                series: 0,
                samples: 0,
                eval_ms,
                labels: Vec::new(),
                error: Some(e.kind.to_string()),
            },
        });
        if path.is_empty() {
            root = Some(out.map(|r| r.value));
        }
    }
    report.evaluated = true;
    let mut extra = Vec::new();
    match root {
        Some(Ok(Value::Vector(v))) if v.is_empty() => {
            extra.extend(empty_result(engine, db, expr, query, t, &report.hints));
        }
        Some(Ok(Value::Matrix(m))) if m.is_empty() => {
            extra.extend(empty_result(engine, db, expr, query, t, &report.hints));
        }
        Some(Err(e)) => extra.extend(many_to_many(engine, db, expr, query, t, &e)),
        _ => {}
    }
    if !extra.is_empty() {
        report.hints.extend(extra);
        report
            .hints
            .sort_by(|a, b| (a.severity, a.start, &a.rule).cmp(&(b.severity, b.start, &b.rule)));
    }
}

/// Label names of a result (without `__name__`) with a few values each, sorted by name.
pub fn label_examples(v: &Value) -> Vec<LabelExamples> {
    let all: Vec<&Labels> = match v {
        Value::Vector(s) => s.iter().map(|s| &s.labels).collect(),
        Value::Matrix(m) => m.iter().map(|s| &s.labels).collect(),
        Value::Scalar { .. } | Value::String { .. } => Vec::new(),
    };
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for l in all {
        for (k, v) in l.iter() {
            if k != "__name__" {
                seen.entry(k).or_default().insert(v);
            }
        }
    }
    seen.into_iter()
        .map(|(name, values)| LabelExamples {
            name: name.to_string(),
            distinct: values.len() as u64,
            values: values
                .into_iter()
                .take(EXAMPLES)
                .map(str::to_string)
                .collect(),
        })
        .collect()
}

fn empty_result(
    engine: &Engine,
    db: &Tsdb,
    expr: &Expr,
    query: &str,
    t: i64,
    existing: &[Hint],
) -> Option<Hint> {
    let reason = emptiness::explain(engine, db, expr, query, t);
    let span = reason.span.unwrap_or(expr.span);
    // The metadata rules already named this matcher or metric, with a fix.
    if existing.iter().any(|h| {
        matches!(h.rule.as_str(), "unknown_metric" | "no_matching_series")
            && h.start <= span.start
            && span.end <= h.end.max(span.end)
            && (h.start == span.start || (span.start <= h.start && h.end <= span.end))
    }) {
        return None;
    }
    Some(Hint {
        rule: "empty_result".into(),
        severity: Severity::Warning,
        start: span.start,
        end: span.end,
        message: format!("The query returns no series. {}", reason.message),
        fix: fix_for_selector(db, expr, span),
    })
}

/// A fix when `span` is an `=` matcher or a metric name of some selector in `expr` and the
/// data has a close value: the closest value, or the closest name.
fn fix_for_selector(db: &Tsdb, expr: &Expr, span: Span) -> Option<Fix> {
    let mut selectors = Vec::new();
    selectors_of(expr, &mut selectors);
    for vs in selectors {
        let name_matchers: Vec<_> = vs
            .matchers
            .iter()
            .filter(|m| m.name == "__name__")
            .cloned()
            .collect();
        if let Some(written) = &vs.metric
            && written.span == span
        {
            let names = db.label_values("__name__", &[]);
            let close = suggest::closest(&written.name, names.iter().map(String::as_str))?;
            return Some(replace(span, close, format!("Use {close}")));
        }
        for m in &vs.matchers {
            if m.span != span || m.op != MatchOp::Equal || m.name == "__name__" {
                continue;
            }
            let values = db.label_values(&m.name, &name_matchers);
            let close = suggest::closest(&m.value, values.iter().map(String::as_str))?;
            let quoted = quote_value(close);
            return Some(replace(m.value_span, &quoted, format!("Use {quoted}")));
        }
    }
    None
}

fn replace(span: Span, text: &str, label: String) -> Fix {
    Fix {
        label,
        edits: vec![TextEdit {
            start: span.start,
            end: span.end,
            text: text.to_string(),
        }],
    }
}

// Recursion follows the tree's depth, which the parser bounds.
fn selectors_of<'e>(e: &'e Expr, out: &mut Vec<&'e VectorSelector>) {
    match &e.kind {
        ExprKind::VectorSelector(vs) => out.push(vs),
        ExprKind::MatrixSelector(m) => out.push(&m.selector),
        _ => e.children().into_iter().for_each(|c| selectors_of(c, out)),
    }
}

// Recursion follows the tree's depth, which the parser bounds.
fn binary_at(e: &Expr, span: Span) -> Option<&Binary> {
    if let ExprKind::Binary(b) = &e.kind
        && e.span == span
    {
        return Some(b);
    }
    e.children().into_iter().find_map(|c| binary_at(c, span))
}

fn many_to_many(
    engine: &Engine,
    db: &Tsdb,
    expr: &Expr,
    query: &str,
    t: i64,
    err: &EvalError,
) -> Option<Hint> {
    let EvalErrorKind::ManyToMany {
        group,
        side,
        series,
    } = &err.kind
    else {
        return None;
    };
    let b = binary_at(expr, err.span)?;
    let one_side = if *side == "left" { &b.lhs } else { &b.rhs };
    let differing = match engine.instant(db, one_side, t).map(|r| r.value) {
        Ok(Value::Vector(v)) => colliding_labels(b, v.iter().map(|s| &s.labels)),
        _ => Vec::new(),
    };
    let op = b.op.symbol;
    let names = differing
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let what = if differing.is_empty() {
        "They differ only in their metric name.".to_string()
    } else {
        format!("They differ in {names}, which the matching leaves out.")
    };
    let message = format!(
        "Many-to-many matching: on the {side} side of `{op}`, {} and {} both match the group {group}, and each series on the \"one\" side must match at most one series. {what} Match on more labels (add them to on (...)), aggregate that side (sum without ({}) (...)), or say which side has many with group_left/group_right.",
        series[0],
        series[1],
        differing.join(", "),
    );
    // Matching on the differing labels helps only if the other side has them too;
    // otherwise the side with duplicates is the "many" side, which group_* says.
    let other = if *side == "left" { &b.rhs } else { &b.lhs };
    let other_has_them = !differing.is_empty()
        && match engine.instant(db, other, t).map(|r| r.value) {
            Ok(Value::Vector(v)) => differing
                .iter()
                .all(|d| v.iter().any(|s| s.labels.get(d).is_some())),
            _ => false,
        };
    let fix = match &b.matching {
        Some(m) if m.kind == MatchingKind::On && other_has_them => {
            let close = m.span.end.saturating_sub(1);
            (query.as_bytes().get(close as usize) == Some(&b')')).then(|| Fix {
                label: format!("Match on {}", differing.join(", ")),
                edits: vec![TextEdit {
                    start: close,
                    end: close,
                    text: format!(
                        "{}{}",
                        if m.labels.is_empty() { "" } else { ", " },
                        differing.join(", ")
                    ),
                }],
            })
        }
        Some(m) if b.group.is_none() => {
            // Without group_*, the right side is the "one" side, so the duplicates are there.
            Some(Fix {
                label: "Use group_right".into(),
                edits: vec![TextEdit {
                    start: m.span.end,
                    end: m.span.end,
                    text: " group_right".into(),
                }],
            })
        }
        _ => None,
    };
    Some(Hint {
        rule: "many_to_many".into(),
        severity: Severity::Warning,
        start: b.op_span.start,
        end: b.op_span.end,
        message,
        fix,
    })
}

/// The labels (not `__name__`) whose values differ between series of `side` that share a
/// match group of `b`, for the first group with more than one series.
pub fn colliding_labels<'a>(b: &Binary, side: impl Iterator<Item = &'a Labels>) -> Vec<String> {
    let key = |l: &Labels| -> Vec<(String, String)> {
        l.iter()
            .filter(|(k, _)| *k != "__name__")
            .filter(|(k, _)| match &b.matching {
                Some(m) => {
                    let listed = m.labels.iter().any(|n| n.name == *k);
                    (m.kind == MatchingKind::On) == listed
                }
                None => true,
            })
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut groups: BTreeMap<Vec<(String, String)>, Vec<&Labels>> = BTreeMap::new();
    for l in side {
        groups.entry(key(l)).or_default().push(l);
    }
    let Some(members) = groups.into_values().find(|m| m.len() > 1) else {
        return Vec::new();
    };
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for l in &members {
        names.extend(l.iter().map(|(k, _)| k).filter(|k| *k != "__name__"));
    }
    names
        .into_iter()
        .filter(|n| {
            let first = members[0].get(n);
            members.iter().any(|l| l.get(n) != first)
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::MetadataSnapshot;
    use crate::explain::report;
    use crate::worker::data::generate;
    use simulator::promql::parse;
    use simulator::scenario::{DEFAULT_ANCHOR, Window};
    use std::sync::OnceLock;

    fn demo() -> &'static Tsdb {
        static DB: OnceLock<Tsdb> = OnceLock::new();
        DB.get_or_init(|| {
            let sc = simulator::scenario::by_name("demo").unwrap();
            let end = DEFAULT_ANCHOR;
            generate(&sc, 1, Window::new(end - 3_600_000, end), &mut |_, _| {})
        })
    }

    fn explain(query: &str) -> ExplainReport {
        let expr = parse(query).unwrap();
        let mut r = report(&expr, query, &MetadataSnapshot::default());
        evaluate(
            &mut r,
            &crate::worker::query::engine(),
            demo(),
            &expr,
            query,
            DEFAULT_ANCHOR,
            || 0.0,
        );
        r
    }

    #[test]
    fn every_node_reports_series_samples_and_labels() {
        let r = explain("sum by (job) (rate(demo_api_request_duration_seconds_count[5m]))");
        assert!(r.evaluated);
        let stats: Vec<&NodeStats> = r.nodes.iter().map(|n| n.stats.as_ref().unwrap()).collect();
        assert_eq!(stats.len(), 3);
        assert_eq!(stats[0].labels.len(), 1);
        assert_eq!(stats[0].labels[0].name, "job");
        assert!(stats[1].series > stats[0].series);
        assert!(stats[2].samples > 0, "the selector reads samples");
        let names: Vec<&str> = stats[2].labels.iter().map(|l| l.name.as_str()).collect();
        assert!(
            names.contains(&"instance") && names.contains(&"method"),
            "{names:?}"
        );
        assert!(stats[2].labels.iter().all(|l| l.values.len() <= EXAMPLES));
        assert!(stats.iter().all(|s| s.error.is_none()));
    }

    #[test]
    fn an_empty_result_names_the_matcher_and_offers_the_close_value() {
        let q = r#"demo_api_request_duration_seconds_count{path="/api/baz"}"#;
        let r = explain(q);
        let h = r
            .hints
            .iter()
            .find(|h| h.rule == "empty_result")
            .unwrap_or_else(|| panic!("{:?}", r.hints));
        assert!(h.message.contains("values of `path` are"), "{}", h.message);
        assert_eq!(&q[h.start as usize..h.end as usize], r#"path="/api/baz""#);
        let fixed = h
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{}", h.message))
            .apply(q)
            .unwrap();
        assert_eq!(
            fixed,
            r#"demo_api_request_duration_seconds_count{path="/api/bar"}"#
        );
        // A filter no value passes: no fix, but the values there are.
        let r = explain("up > 5");
        let h = r.hints.iter().find(|h| h.rule == "empty_result").unwrap();
        assert!(h.message.contains("between"), "{}", h.message);
        assert!(h.fix.is_none());
        // Data, no hint.
        assert!(explain("up").hints.iter().all(|h| h.rule != "empty_result"));
    }

    #[test]
    fn many_to_many_names_the_colliding_labels_and_offers_a_fix() {
        let q = "demo_num_cpus * on (instance) demo_cpu_usage_seconds_total";
        let r = explain(q);
        let h = r.hints.iter().find(|h| h.rule == "many_to_many").unwrap();
        assert!(h.message.contains("`mode`"), "{}", h.message);
        assert_eq!(&q[h.start as usize..h.end as usize], "*");
        // The left side has no `mode`: the right side is the "many" side.
        let fixed = h.fix.as_ref().unwrap().apply(q).unwrap();
        assert_eq!(
            fixed,
            "demo_num_cpus * on (instance) group_right demo_cpu_usage_seconds_total"
        );
        assert!(r.nodes[0].stats.as_ref().unwrap().error.is_some());
        assert!(
            explain(&fixed)
                .hints
                .iter()
                .all(|h| h.rule != "many_to_many")
        );
        // Both sides have the label: matching on it is the fix.
        let q =
            "rate(demo_cpu_usage_seconds_total[5m]) / on (instance) demo_cpu_usage_seconds_total";
        let h = explain(q)
            .hints
            .into_iter()
            .find(|h| h.rule == "many_to_many")
            .unwrap();
        assert_eq!(
            h.fix.unwrap().apply(q).unwrap(),
            "rate(demo_cpu_usage_seconds_total[5m]) / on (instance, mode) demo_cpu_usage_seconds_total"
        );
    }
}
