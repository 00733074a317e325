//! Why a query returned nothing: found by evaluating its parts.
//!
//! "Your query returns nothing" is the least helpful thing a grader can say, and the most
//! common state of a learner's first attempt. The cause is almost always one node: a
//! misspelt metric, a matcher whose value no series has, a range too short for `rate()`,
//! two sides of `/` whose labels never match, a threshold no value reaches. So the query's
//! tree is walked from the top: at each node whose result is empty, the first empty child
//! is followed; the node whose children have data while it has none is the culprit, and the
//! reason names it (with its span, for the editor to underline). Selectors are diagnosed
//! against the database's label index, matcher by matcher.
//!
//! Each step evaluates one subtree at one time with the same engine, so the walk costs at
//! most a few evaluations of the query. The parser bounds nesting, which bounds the walk.

use crate::grader::feedback::show_labels;
use simulator::promql::ast::{Binary, ExprKind, MatchingKind, VectorSelector};
use simulator::promql::matcher::MatchOp;
use simulator::promql::operators::BinaryOpKind;
use simulator::promql::{Engine, Expr, NoProgress, QueryTimes, Span, Value, ValueType, suggest};
use simulator::tsdb::{Labels, Tsdb};
use std::collections::BTreeSet;

/// Why a query is empty, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// One or two sentences.
    pub message: String,
    /// The node or matcher responsible.
    pub span: Option<Span>,
}

/// Explains why `expr` (the text `query`) is empty at `t` on `db`.
pub fn explain(engine: &Engine, db: &Tsdb, expr: &Expr, query: &str, t: i64) -> Reason {
    let walk = Walk {
        engine,
        db,
        query,
        t,
    };
    walk.node(expr).unwrap_or_else(|| Reason {
        message: "No part of it stands out as the cause: check each selector on its own in the workbench.".into(),
        span: None,
    })
}

struct Walk<'a> {
    engine: &'a Engine,
    db: &'a Tsdb,
    query: &'a str,
    t: i64,
}

impl Walk<'_> {
    fn eval(&self, e: &Expr) -> Option<Value> {
        let times = QueryTimes {
            start: self.t,
            end: self.t,
            step: 0,
        };
        self.engine
            .query(self.db, e, times, &mut NoProgress)
            .ok()
            .map(|r| r.value)
    }

    /// Whether `e` is a vector or matrix with no series at `t` (`false` when it fails).
    fn is_empty(&self, e: &Expr) -> bool {
        match self.eval(e) {
            Some(Value::Vector(v)) => v.is_empty(),
            Some(Value::Matrix(m)) => m.is_empty(),
            _ => false,
        }
    }

    fn text(&self, span: Span) -> &str {
        span.text(self.query)
    }

    fn node(&self, e: &Expr) -> Option<Reason> {
        match &e.kind {
            ExprKind::Paren(p) => self.node(&p.expr),
            ExprKind::Unary(u) => self.node(&u.expr),
            ExprKind::VectorSelector(vs) => Some(self.selector(vs, e.span, None)),
            ExprKind::MatrixSelector(ms) => {
                Some(self.selector(&ms.selector, e.span, Some(ms.range_span)))
            }
            ExprKind::Subquery(sq) => {
                if self.is_empty(&sq.expr) {
                    self.node(&sq.expr)
                } else {
                    Some(Reason {
                        message: format!(
                            "The subquery `{}` evaluates its inner query at steps inside its range, and there it has no data.",
                            self.text(e.span)
                        ),
                        span: Some(e.span),
                    })
                }
            }
            ExprKind::Aggregate(a) => {
                if self.is_empty(&a.expr) {
                    return self.node(&a.expr);
                }
                Some(Reason {
                    message: format!(
                        "`{}` has input series but returned none; check its parameter.",
                        a.op.name
                    ),
                    span: Some(a.op_span),
                })
            }
            ExprKind::Call(c) => {
                for arg in &c.args {
                    if matches!(arg.value_type(), ValueType::Vector | ValueType::Matrix)
                        && self.is_empty(arg)
                    {
                        return self.node(arg);
                    }
                }
                Some(self.call(c, e))
            }
            ExprKind::Binary(b) => self.binary(b, e),
            ExprKind::Number(_) | ExprKind::String(_) => None,
        }
    }

    fn selector(&self, vs: &VectorSelector, span: Span, range: Option<Span>) -> Reason {
        let name = vs.metric_name();
        let name_matchers: Vec<_> = vs
            .matchers
            .iter()
            .filter(|m| m.name == "__name__")
            .cloned()
            .collect();
        if let Some(name) = name {
            let names = self.db.label_values("__name__", &[]);
            if !names.iter().any(|n| n == name) {
                let mut message = format!("There is no metric named `{name}` in this data.");
                if let Some(close) = suggest::closest(name, names.iter().map(String::as_str)) {
                    message.push_str(&format!(" Did you mean `{close}`?"));
                }
                return Reason {
                    message,
                    span: Some(vs.metric.as_ref().map_or(vs.span, |m| m.span)),
                };
            }
        }
        // A name given by a pattern (`{__name__=~"..."}`) that no metric matches.
        if name.is_none() && !name_matchers.is_empty() && self.db.select(&name_matchers).is_empty()
        {
            let m = &name_matchers[0];
            let mut message = format!("No metric name matches `{}`.", self.text(m.span));
            if m.op == MatchOp::Regex {
                message.push_str(" A regular expression in a matcher must match the whole name: `node_.+` matches every name starting with `node_`, `node_` matches only `node_`.");
            }
            return Reason {
                message,
                span: Some(m.span),
            };
        }
        let what = name.map_or("any metric".to_string(), |n| format!("`{n}`"));
        for m in vs.matchers.iter().filter(|m| m.name != "__name__") {
            let mut one = name_matchers.clone();
            one.push(m.clone());
            if !self.db.select(&one).is_empty() {
                continue;
            }
            let values = self.db.label_values(&m.name, &name_matchers);
            let message = if values.is_empty() {
                let labels = self.db.label_names(&name_matchers);
                format!(
                    "No series of {what} has a label `{}`; their labels are {}.",
                    m.name,
                    list(
                        labels
                            .iter()
                            .filter(|l| *l != "__name__")
                            .map(String::as_str)
                    )
                )
            } else {
                let mut s = format!(
                    "No series of {what} matches `{}`: the values of `{}` are {}.",
                    self.text(m.span),
                    m.name,
                    list(values.iter().map(String::as_str))
                );
                match m.op {
                    MatchOp::Equal => {
                        if let Some(close) = suggest::closest(&m.value, values.iter().map(String::as_str)) {
                            s.push_str(&format!(" Did you mean \"{close}\"?"));
                        }
                    }
                    MatchOp::Regex => s.push_str(
                        " A regular expression in a matcher must match the whole value: `5..` matches \"500\", `5` does not.",
                    ),
                    _ => {}
                }
                s
            };
            return Reason {
                message,
                span: Some(m.span),
            };
        }
        let selected = self.db.select(&vs.matchers);
        if selected.is_empty() {
            return Reason {
                message: format!(
                    "Each matcher of `{}` selects series on its own, but no series satisfies all of them together.",
                    self.text(vs.span)
                ),
                span: Some(vs.span),
            };
        }
        let window = match range {
            Some(r) => format!("in the range {}", self.text(r)),
            None => "in the 5 minutes before the evaluation time".to_string(),
        };
        let mut message = format!(
            "`{}` matches {} series, but none has a sample {window}",
            self.text(vs.span),
            selected.len()
        );
        if let Some(o) = &vs.offset {
            message.push_str(&format!(" shifted by `{}`", self.text(o.span)));
        }
        if let Some(a) = &vs.at {
            message.push_str(&format!(" at `{}`", self.text(a.span)));
        }
        message.push_str(
            ": the data has nothing there (the target may be down, or the series stopped).",
        );
        Reason {
            message,
            span: Some(span),
        }
    }

    fn call(&self, c: &simulator::promql::ast::Call, e: &Expr) -> Reason {
        let name = c.function.name;
        let span = Some(e.span);
        // Functions over a range need enough samples in it.
        let two_samples = [
            "rate",
            "irate",
            "increase",
            "delta",
            "idelta",
            "deriv",
            "predict_linear",
        ];
        if two_samples.contains(&name)
            && let Some(arg) = c.args.first()
            && let Some(Value::Matrix(m)) = self.eval(arg)
            && m.iter().all(|s| s.points.len() < 2)
        {
            return Reason {
                message: format!(
                    "`{name}()` needs at least two samples per series in its range, and `{}` holds fewer: make the range longer than two scrape intervals (`[5m]` is the usual choice).",
                    self.text(arg.span)
                ),
                span: Some(arg.span),
            };
        }
        if name == "histogram_quantile"
            && let Some(arg) = c.args.get(1)
            && let Some(Value::Vector(v)) = self.eval(arg)
            && !v.iter().any(|s| s.labels.get("le").is_some())
        {
            return Reason {
                message: "`histogram_quantile()` reads the buckets' `le` label, and its input has none: read the `_bucket` series and keep `le` when you aggregate (`sum by (le) (...)`).".into(),
                span: Some(arg.span),
            };
        }
        if name == "absent" || name == "absent_over_time" {
            return Reason {
                message: format!(
                    "`{name}()` returns a series only when its argument has none; here the argument has data."
                ),
                span,
            };
        }
        Reason {
            message: format!("`{name}()` received data but returned nothing at this time."),
            span,
        }
    }

    fn binary(&self, b: &Binary, e: &Expr) -> Option<Reason> {
        let (lt, rt) = (b.lhs.value_type(), b.rhs.value_type());
        if lt == ValueType::Vector && self.is_empty(&b.lhs) {
            return self.node(&b.lhs);
        }
        if rt == ValueType::Vector && self.is_empty(&b.rhs) && b.op.symbol != "or" {
            return self.node(&b.rhs);
        }
        let op = b.op.symbol;
        let op_span = Some(b.op_span);
        // A filter against a number: say which values there were.
        if b.op.kind == BinaryOpKind::Comparison
            && !b.returns_bool()
            && (lt == ValueType::Scalar || rt == ValueType::Scalar)
        {
            let side = if lt == ValueType::Vector {
                &b.lhs
            } else {
                &b.rhs
            };
            let values: Vec<f64> = match self.eval(side) {
                Some(Value::Vector(v)) => v.iter().map(|s| s.v).collect(),
                _ => Vec::new(),
            };
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let range = if values.is_empty() {
                String::new()
            } else {
                format!(
                    ": the values of `{}` at this time lie between {} and {}",
                    self.text(side.span),
                    show(min),
                    show(max)
                )
            };
            return Some(Reason {
                message: format!(
                    "The comparison `{}` keeps no series{range}. A comparison without `bool` is a filter: it drops every series for which it is false.",
                    self.text(Span::new(b.op_span.start, e.span.end)).trim()
                ),
                span: op_span,
            });
        }
        if lt != ValueType::Vector || rt != ValueType::Vector {
            return None;
        }
        let (Some(Value::Vector(l)), Some(Value::Vector(r))) =
            (self.eval(&b.lhs), self.eval(&b.rhs))
        else {
            return None;
        };
        let key = |labels: &Labels| -> Labels {
            match &b.matching {
                Some(m) if m.kind == MatchingKind::On => {
                    let names: Vec<&str> = m.labels.iter().map(|n| n.name.as_str()).collect();
                    labels.keep_only(&names)
                }
                Some(m) => {
                    let mut names: Vec<&str> = m.labels.iter().map(|n| n.name.as_str()).collect();
                    names.push("__name__");
                    labels.without(&names)
                }
                None => labels.without_metric_name(),
            }
        };
        let lk: BTreeSet<Labels> = l.iter().map(|s| key(&s.labels)).collect();
        let rk: BTreeSet<Labels> = r.iter().map(|s| key(&s.labels)).collect();
        let common = lk.intersection(&rk).count();
        if op == "unless" {
            return Some(Reason {
                message: "`unless` removed every series on its left, because each has a match on its right.".into(),
                span: op_span,
            });
        }
        if common == 0 {
            let (Some(a), Some(c)) = (lk.iter().next(), rk.iter().next()) else {
                return None;
            };
            let names = |s: &BTreeSet<Labels>| -> BTreeSet<String> {
                s.iter()
                    .flat_map(|l| l.iter().map(|(n, _)| n.to_string()))
                    .collect()
            };
            let (ln, rn) = (names(&lk), names(&rk));
            let differ: Vec<String> = ln.symmetric_difference(&rn).cloned().collect();
            let matching = match &b.matching {
                Some(m) => format!(" with `{}`", self.text(m.span)),
                None => String::new(),
            };
            let mut message = format!(
                "No series on the left of `{op}` has the same labels{matching} as a series on the right, so there is nothing to pair: the left has `{}`, the right `{}`.",
                show_labels(a),
                show_labels(c)
            );
            if differ.is_empty() {
                message.push_str(" The label names agree but their values never do.");
            } else {
                message.push_str(&format!(
                    " Only one side has {}: match on the labels both have with `on(...)`, ignore the others with `ignoring(...)`, or aggregate both sides to the same labels.",
                    list(differ.iter().map(String::as_str))
                ));
            }
            return Some(Reason {
                message,
                span: op_span,
            });
        }
        if b.op.kind == BinaryOpKind::Comparison {
            return Some(Reason {
                message: format!(
                    "{common} pairs of series match across `{op}`, and the comparison is false for every one of them."
                ),
                span: op_span,
            });
        }
        None
    }
}

fn show(v: f64) -> String {
    simulator::promql::literals::format_float(v)
}

/// `a`, `a and b`, `a, b and c`; at most twelve, then "and N more".
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<String> = items.map(|s| format!("\"{s}\"")).collect();
    if all.is_empty() {
        return "none".into();
    }
    let shown = &all[..all.len().min(12)];
    let mut s = match shown.len() {
        1 => shown[0].clone(),
        n => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
    };
    if all.len() > shown.len() {
        s = format!("{}, ... ({} in all)", shown.join(", "), all.len());
    }
    s
}
