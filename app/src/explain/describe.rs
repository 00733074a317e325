//! One plain-language sentence per node of a query.
//!
//! Sentences are built from the node alone (its matchers, range, modifiers, grouping and
//! matching) plus the docs in the function and operator tables, so a new function gets a
//! sentence the day it gets a table entry.

use crate::state::calendar::format_utc;
use simulator::promql::ast::{
    Aggregate, At, AtTime, Binary, Cardinality, GroupingKind, MatchingKind, Name, Offset, Subquery,
    UnaryOp, VectorSelector,
};
use simulator::promql::format::format_duration;
use simulator::promql::literals::format_float_short;
use simulator::promql::matcher::{MatchOp, Matcher};
use simulator::promql::operators::BinaryOpKind;
use simulator::promql::types::ValueType;
use simulator::promql::{Expr, ExprKind};

/// What `expr` does, in one sentence (sometimes two) for a learner.
pub fn sentence(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Number(n) => {
            if n.written_as_duration {
                format!(
                    "The number {} (a duration written as seconds).",
                    format_float_short(n.value)
                )
            } else {
                format!("The number {}.", format_float_short(n.value))
            }
        }
        ExprKind::String(s) => format!("The string {:?}.", s.value),
        ExprKind::VectorSelector(vs) => format!(
            "Selects the latest sample, at most 5 minutes old, of {}{}.",
            series_phrase(vs),
            modifiers_phrase(vs.offset.as_ref(), vs.at.as_ref())
        ),
        ExprKind::MatrixSelector(m) => format!(
            "Selects every sample from the last {} of {}{}.",
            format_duration(&m.range),
            series_phrase(&m.selector),
            modifiers_phrase(m.selector.offset.as_ref(), m.selector.at.as_ref())
        ),
        ExprKind::Subquery(s) => subquery_sentence(s),
        ExprKind::Call(c) => {
            let over = c
                .args
                .iter()
                .find_map(|a| match &a.kind {
                    ExprKind::MatrixSelector(m) => Some(format!(
                        " Here the range is the last {}.",
                        format_duration(&m.range)
                    )),
                    _ => None,
                })
                .unwrap_or_default();
            format!("{}(): {}{over}", c.function.name, c.function.doc)
        }
        ExprKind::Aggregate(a) => aggregate_sentence(a),
        ExprKind::Binary(b) => binary_sentence(b),
        ExprKind::Unary(u) => match u.op {
            UnaryOp::Neg => "Negates every value (the metric name is dropped).".into(),
            UnaryOp::Plus => "A unary plus: changes nothing.".into(),
        },
        ExprKind::Paren(p) => sentence(&p.expr),
    }
}

fn quoted_list(names: &[Name]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.name)).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

fn matcher_phrase(m: &Matcher) -> String {
    match (m.op, m.value.as_str()) {
        (MatchOp::Equal, "") => format!("`{}` is empty or absent", m.name),
        (MatchOp::NotEqual, "") => format!("`{}` is set", m.name),
        (MatchOp::Equal, v) => format!("`{}` is {v:?}", m.name),
        (MatchOp::NotEqual, v) => format!("`{}` is not {v:?}", m.name),
        (MatchOp::Regex, v) => format!("`{}` matches the regex {v:?}", m.name),
        (MatchOp::NotRegex, v) => format!("`{}` does not match the regex {v:?}", m.name),
    }
}

/// "every series named `x` where `job` is "a" and `code` matches ...".
fn series_phrase(vs: &VectorSelector) -> String {
    let name = vs.metric_name();
    let others: Vec<String> = vs
        .matchers
        .iter()
        .filter(|m| !(name.is_some() && m.name == "__name__" && m.op == MatchOp::Equal))
        .map(matcher_phrase)
        .collect();
    let mut out = match name {
        Some(n) => format!("every series named `{n}`"),
        None => "every series".to_string(),
    };
    if !others.is_empty() {
        out.push_str(" where ");
        out.push_str(&others.join(" and "));
    }
    out
}

fn modifiers_phrase(offset: Option<&Offset>, at: Option<&At>) -> String {
    let mut out = String::new();
    if let Some(o) = offset {
        let d = format_duration(&o.duration);
        if let Some(past) = d.strip_prefix('-') {
            out.push_str(&format!(", shifted {past} into the future"));
        } else {
            out.push_str(&format!(", as it was {d} earlier"));
        }
    }
    if let Some(a) = at {
        out.push_str(&match a.time {
            AtTime::Timestamp(ms) => format!(", pinned to {}", format_utc(ms)),
            AtTime::Start => ", pinned to the start of the query range".into(),
            AtTime::End => ", pinned to the end of the query range".into(),
        });
    }
    out
}

fn subquery_sentence(s: &Subquery) -> String {
    let step = match &s.step {
        Some(step) => format!("every {}", format_duration(step)),
        None => "at the default resolution".to_string(),
    };
    format!(
        "Evaluates the inner expression {step} over the last {}{}, giving a range vector for the function around it.",
        format_duration(&s.range),
        modifiers_phrase(s.offset.as_ref(), s.at.as_ref())
    )
}

fn aggregate_sentence(a: &Aggregate) -> String {
    let keeps_series_labels = matches!(a.op.name, "topk" | "bottomk" | "limitk" | "limit_ratio");
    let grouping = match &a.grouping {
        Some(g) if g.kind == GroupingKind::By && g.labels.is_empty() => {
            "All series form one group, so the result is one series without labels.".to_string()
        }
        Some(g) if g.kind == GroupingKind::By => format!(
            "Series are grouped by {}; {}.",
            quoted_list(&g.labels),
            if keeps_series_labels {
                "each kept series keeps all its labels"
            } else {
                "every other label is dropped"
            }
        ),
        Some(g) => format!(
            "Series are grouped by all their labels except {} and the metric name.",
            quoted_list(&g.labels)
        ),
        None if keeps_series_labels => {
            "All series form one group; each kept series keeps its labels.".to_string()
        }
        None => {
            "All series form one group, so the result is one series without labels.".to_string()
        }
    };
    format!("{}: {} {grouping}", a.op.name, a.op.doc)
}

fn binary_sentence(b: &Binary) -> String {
    let (l, r) = (b.lhs.value_type(), b.rhs.value_type());
    let op = b.op.symbol;
    if l == ValueType::Scalar && r == ValueType::Scalar {
        return format!("`{op}` of two scalars: {}", b.op.doc);
    }
    let comparison = b.op.kind == BinaryOpKind::Comparison;
    let what = if comparison && b.returns_bool() {
        format!(
            "`{op} bool` compares and returns 1 where the comparison holds and 0 elsewhere, instead of filtering."
        )
    } else {
        format!("`{op}`: {}", b.op.doc)
    };
    if l == ValueType::Scalar || r == ValueType::Scalar {
        let side = if l == ValueType::Scalar {
            "right"
        } else {
            "left"
        };
        return format!("{what} It applies to every series on the {side} against the scalar.");
    }
    let matching = match &b.matching {
        Some(m) if m.kind == MatchingKind::On => {
            if m.labels.is_empty() {
                "Every series matches every series on the other side (on () ignores all labels)."
                    .to_string()
            } else {
                format!(
                    "Series match when their {} labels are equal.",
                    quoted_list(&m.labels)
                )
            }
        }
        Some(m) => format!(
            "Series match when all their labels except {} (and the metric name) are equal.",
            quoted_list(&m.labels)
        ),
        None => "Series match when all their labels except the metric name are equal.".to_string(),
    };
    let cardinality = match b.cardinality() {
        Cardinality::OneToOne => {
            " Each series may match at most one on the other side.".to_string()
        }
        Cardinality::ManyToMany => String::new(),
        Cardinality::ManyToOne | Cardinality::OneToMany => {
            let (many, one) = if b.cardinality() == Cardinality::ManyToOne {
                ("left", "right")
            } else {
                ("right", "left")
            };
            let copied = b
                .group
                .as_ref()
                .filter(|g| !g.include.is_empty())
                .map(|g| {
                    format!(
                        ", and its {} labels are copied into the result",
                        quoted_list(&g.include)
                    )
                })
                .unwrap_or_default();
            format!(" Several series on the {many} may match one series on the {one}{copied}.")
        }
    };
    format!("{what} {matching}{cardinality}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::promql::parse;

    fn says(query: &str) -> String {
        sentence(&parse(query).unwrap())
    }

    #[test]
    fn selectors_say_which_series_and_when() {
        assert_eq!(
            says(r#"http_requests_total{job="api", code=~"5..", env!="", zone=""}"#),
            "Selects the latest sample, at most 5 minutes old, of every series named `http_requests_total` where `job` is \"api\" and `code` matches the regex \"5..\" and `env` is set and `zone` is empty or absent."
        );
        assert_eq!(
            says("up[10m] offset 1h @ 1700000000"),
            "Selects every sample from the last 10m of every series named `up`, as it was 1h earlier, pinned to 2023-11-14 22:13:20 UTC."
        );
        assert_eq!(
            says(r#"{__name__=~"node_.*"}"#),
            "Selects the latest sample, at most 5 minutes old, of every series where `__name__` matches the regex \"node_.*\"."
        );
    }

    #[test]
    fn functions_and_aggregations_use_the_tables_docs() {
        assert_eq!(
            says("rate(x_total[5m])"),
            "rate(): The per-second average rate of increase of a counter over the range, allowing for counter resets. Here the range is the last 5m."
        );
        assert_eq!(
            says("sum by (job, instance) (x)"),
            "sum: Adds up the values of each group. Series are grouped by `job` and `instance`; every other label is dropped."
        );
        assert!(says("topk(3, x)").ends_with("each kept series keeps its labels."));
        assert!(says("avg without (cpu) (x)").ends_with("except `cpu` and the metric name."));
        assert!(says("max_over_time(x[1h:1m])").starts_with("max_over_time(): "));
        assert_eq!(
            says("x[1h:]"),
            "Evaluates the inner expression at the default resolution over the last 1h, giving a range vector for the function around it."
        );
    }

    #[test]
    fn binary_operations_say_how_series_match() {
        assert!(says("a / on(job) group_left(team) b").ends_with(
            "Series match when their `job` labels are equal. Several series on the left may match one series on the right, and its `team` labels are copied into the result."
        ));
        assert!(says("a > bool 5").starts_with("`> bool` compares and returns 1"));
        assert!(says("a * 100").ends_with("every series on the left against the scalar."));
        assert!(says("a and ignoring(x) b").contains("all their labels except `x`"));
        assert_eq!(says("1 + 2"), "`+` of two scalars: Addition.");
        assert_eq!(
            says("5m"),
            "The number 300 (a duration written as seconds)."
        );
    }
}
