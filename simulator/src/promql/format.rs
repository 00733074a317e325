//! Printing a syntax tree back as PromQL.
//!
//! [`format`] prints canonical PromQL the way Prometheus' `String()` methods (its
//! `printer.go`) do: one space around binary operators, `by (...)` before the arguments,
//! matchers sorted, strings double-quoted, literal ranges and offsets in canonical duration
//! form (`[90s]` prints as `[1m30s]`), parentheses exactly where the query had them. Reading
//! the result back gives the same tree: `parse(format(e))` equals `e` under
//! [`Expr::normalized`]. [`tree`] prints an indented outline with spans, for tests and for
//! looking at what the parser built.

use super::ast::*;
use super::duration::{self, DurationExpr, DurationKind};
use super::literals;
use super::matcher::{MatchOp, Matcher};
use std::fmt::Write;

/// The expression as canonical PromQL.
pub fn format(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr);
    out
}

/// A duration expression as PromQL, such as `5m + step()`.
pub fn format_duration(d: &DurationExpr) -> String {
    let mut out = String::new();
    write_duration(&mut out, d);
    out
}

fn write_expr(out: &mut String, expr: &Expr) {
    match &expr.kind {
        ExprKind::Number(n) => out.push_str(&format_number(n)),
        ExprKind::String(s) => out.push_str(&literals::quote(s.bytes())),
        ExprKind::VectorSelector(vs) => {
            write_selector_body(out, vs);
            let greedy = greedy_offset(vs.offset.as_ref());
            if greedy {
                write_offset(out, vs.offset.as_ref());
            }
            write_at(out, vs.at.as_ref());
            write_extended(out, vs.extended.as_ref());
            if !greedy {
                write_offset(out, vs.offset.as_ref());
            }
        }
        ExprKind::MatrixSelector(m) => {
            write_selector_body(out, &m.selector);
            out.push('[');
            write_top_duration(out, &m.range);
            out.push(']');
            let greedy = greedy_offset(m.selector.offset.as_ref());
            if greedy {
                write_offset(out, m.selector.offset.as_ref());
            }
            write_extended(out, m.selector.extended.as_ref());
            write_at(out, m.selector.at.as_ref());
            if !greedy {
                write_offset(out, m.selector.offset.as_ref());
            }
        }
        ExprKind::Subquery(s) => {
            write_expr(out, &s.expr);
            out.push('[');
            write_top_duration(out, &s.range);
            out.push(':');
            if let Some(step) = &s.step {
                write_top_duration(out, step);
            }
            out.push(']');
            let greedy = greedy_offset(s.offset.as_ref());
            if greedy {
                write_offset(out, s.offset.as_ref());
            }
            write_at(out, s.at.as_ref());
            if !greedy {
                write_offset(out, s.offset.as_ref());
            }
        }
        ExprKind::Call(c) => {
            out.push_str(c.function.name);
            out.push('(');
            for (i, arg) in c.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, arg);
            }
            out.push(')');
        }
        ExprKind::Aggregate(a) => {
            out.push_str(a.op.name);
            if let Some(g) = &a.grouping {
                // `by ()` groups like no clause at all, and Prometheus prints it as such.
                if g.kind == GroupingKind::Without || !g.labels.is_empty() {
                    out.push_str(if g.kind == GroupingKind::By {
                        " by ("
                    } else {
                        " without ("
                    });
                    write_labels(out, &g.labels);
                    out.push_str(") ");
                }
            }
            out.push('(');
            if let Some(p) = &a.param {
                write_expr(out, p);
                out.push_str(", ");
            }
            write_expr(out, &a.expr);
            out.push(')');
        }
        ExprKind::Binary(b) => {
            match &b.lhs.kind {
                // Prometheus prints positive infinity as `+Inf`, but before `^` the sign
                // would take the power as its operand: `+Inf ^ 2` reads as `+(Inf ^ 2)`.
                ExprKind::Number(n) if b.op.symbol == "^" && n.value == f64::INFINITY => {
                    out.push_str("Inf");
                }
                _ => write_expr(out, &b.lhs),
            }
            out.push(' ');
            out.push_str(b.op.symbol);
            if b.returns_bool() {
                out.push_str(" bool");
            }
            write_matching(out, b);
            out.push(' ');
            write_expr(out, &b.rhs);
        }
        ExprKind::Unary(u) => {
            out.push_str(u.op.symbol());
            write_expr(out, &u.expr);
        }
        ExprKind::Paren(p) => {
            out.push('(');
            write_expr(out, &p.expr);
            out.push(')');
        }
    }
}

fn format_number(n: &NumberLiteral) -> String {
    if n.written_as_duration {
        duration::format_seconds(n.value)
    } else {
        literals::format_float(n.value)
    }
}

/// The metric name and matchers, without modifiers.
fn write_selector_body(out: &mut String, vs: &VectorSelector) {
    let name = vs.metric.as_ref().map(|m| m.name.as_str());
    if let Some(name) = name {
        out.push_str(name);
    }
    let mut shown: Vec<String> = vs
        .matchers
        .iter()
        .filter(|m| {
            // The metric name's own matcher is printed as the name.
            !(name.is_some_and(|n| !n.is_empty() && m.value == n)
                && m.name == "__name__"
                && m.op == MatchOp::Equal)
        })
        .map(matcher_text)
        .collect();
    if !shown.is_empty() {
        shown.sort();
        out.push('{');
        out.push_str(&shown.join(","));
        out.push('}');
    }
}

/// A matcher as PromQL: the name quoted unless it is a classic label name.
pub fn matcher_text(m: &Matcher) -> String {
    let mut s = label_text(&m.name);
    s.push_str(m.op.symbol());
    s.push_str(&literals::quote(m.value.as_bytes()));
    s
}

fn label_text(name: &str) -> String {
    if literals::is_legacy_label_name(name) {
        name.to_string()
    } else {
        literals::quote(name.as_bytes())
    }
}

fn write_labels(out: &mut String, labels: &[Name]) {
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&label_text(&l.name));
    }
}

fn write_at(out: &mut String, at: Option<&At>) {
    match at.map(|a| a.time) {
        Some(AtTime::Timestamp(ms)) => {
            let _ = write!(out, " @ {:.3}", ms as f64 / 1000.0);
        }
        Some(AtTime::Start) => out.push_str(" @ start()"),
        Some(AtTime::End) => out.push_str(" @ end()"),
        None => {}
    }
}

fn write_extended(out: &mut String, e: Option<&Extended>) {
    if let Some(e) = e {
        out.push(' ');
        out.push_str(e.kind.keyword());
    }
}

/// Whether an offset starts with an unsigned parenthesis, as in `offset (1m) * 2`.
///
/// Prometheus' grammar keeps reading duration arithmetic after such an offset, so if it were
/// printed last, an operator that follows the selector (`... offset (1m) + x`) would be read
/// as part of the offset. Prometheus prints the offset last regardless; we print this kind
/// first, before any `@` or `anchored` that ends it, so the text reads back the same. (Without
/// other modifiers no operator can follow it: the query it came from would have parsed
/// differently.)
fn greedy_offset(offset: Option<&Offset>) -> bool {
    let Some(offset) = offset else {
        return false;
    };
    let mut d = &offset.duration;
    loop {
        match &d.kind {
            DurationKind::Paren { .. } => return true,
            DurationKind::Binary { lhs, .. } => d = lhs,
            _ => return false,
        }
    }
}

fn write_offset(out: &mut String, offset: Option<&Offset>) {
    let Some(offset) = offset else {
        return;
    };
    // Prometheus cannot tell a zero offset from none, and prints neither.
    if offset.duration.literal().is_some_and(|l| l.seconds == 0.0) {
        return;
    }
    out.push_str(" offset ");
    write_top_duration(out, &offset.duration);
}

/// A range, step or offset: a literal prints in canonical duration form, whatever its
/// spelling; an expression prints as written.
fn write_top_duration(out: &mut String, d: &DurationExpr) {
    match d.literal() {
        Some(l) => out.push_str(&duration::format_ms(duration::literal_ms(l.seconds))),
        None => write_duration(out, d),
    }
}

fn write_duration(out: &mut String, d: &DurationExpr) {
    match &d.kind {
        DurationKind::Literal(l) => {
            if l.written_as_duration {
                out.push_str(&duration::format_seconds(l.seconds));
            } else {
                out.push_str(&literals::format_float(l.seconds));
            }
        }
        DurationKind::Step => out.push_str("step()"),
        DurationKind::Range => out.push_str("range()"),
        DurationKind::Negate { expr } => {
            out.push('-');
            write_duration(out, expr);
        }
        DurationKind::Paren { expr } => {
            out.push('(');
            write_duration(out, expr);
            out.push(')');
        }
        DurationKind::Binary { op, lhs, rhs, .. } => {
            write_duration(out, lhs);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_duration(out, rhs);
        }
        DurationKind::MinOf { lhs, rhs } | DurationKind::MaxOf { lhs, rhs } => {
            out.push_str(if matches!(d.kind, DurationKind::MinOf { .. }) {
                "min_of("
            } else {
                "max_of("
            });
            write_duration(out, lhs);
            out.push_str(", ");
            write_duration(out, rhs);
            out.push(')');
        }
    }
}

/// The modifiers of a binary operation, as Prometheus prints them.
fn write_matching(out: &mut String, b: &Binary) {
    let grouped = b.group.is_some();
    if let Some(m) = &b.matching
        && (!m.labels.is_empty() || m.kind == MatchingKind::On || grouped)
    {
        out.push_str(if m.kind == MatchingKind::On {
            " on ("
        } else {
            " ignoring ("
        });
        write_labels(out, &m.labels);
        out.push(')');
    }
    if let Some(g) = &b.group {
        out.push_str(if g.side == GroupSide::Left {
            " group_left ("
        } else {
            " group_right ("
        });
        write_labels(out, &g.include);
        out.push(')');
    }
    if let Some(f) = &b.fill {
        match (f.lhs, f.rhs) {
            (Some(l), Some(r)) if l.value == r.value => {
                let _ = write!(out, " fill ({})", literals::format_float_short(l.value));
            }
            (l, r) => {
                if let Some(l) = l {
                    let _ = write!(
                        out,
                        " fill_left ({})",
                        literals::format_float_short(l.value)
                    );
                }
                if let Some(r) = r {
                    let _ = write!(
                        out,
                        " fill_right ({})",
                        literals::format_float_short(r.value)
                    );
                }
            }
        }
    }
}

/// An indented outline of the tree, one node per line with its span, such as
///
/// ```text
/// call rate 0..16
///   matrix_selector [5m] 5..15
///     selector foo 5..8
///       matcher __name__="foo" 5..8
/// ```
pub fn tree(expr: &Expr) -> String {
    let mut out = String::new();
    write_tree(&mut out, expr, 0);
    out
}

fn span_text(s: crate::promql::Span) -> String {
    format!("{}..{}", s.start, s.end)
}

fn write_tree(out: &mut String, expr: &Expr, depth: usize) {
    let pad = "  ".repeat(depth);
    let span = span_text(expr.span);
    match &expr.kind {
        ExprKind::Number(n) => {
            let _ = writeln!(out, "{pad}number {} {span}", format_number(n));
        }
        ExprKind::String(s) => {
            let _ = writeln!(out, "{pad}string {} {span}", literals::quote(s.bytes()));
        }
        ExprKind::VectorSelector(vs) => {
            let _ = writeln!(out, "{pad}vector_selector {span}");
            write_selector_tree(out, vs, depth + 1);
        }
        ExprKind::MatrixSelector(m) => {
            let _ = writeln!(
                out,
                "{pad}matrix_selector [{}] {span}",
                format_duration(&m.range)
            );
            write_selector_tree(out, &m.selector, depth + 1);
        }
        ExprKind::Subquery(s) => {
            let step = s.step.as_ref().map(format_duration).unwrap_or_default();
            let _ = writeln!(
                out,
                "{pad}subquery [{}:{step}]{} {span}",
                format_duration(&s.range),
                modifiers_text(s.offset.as_ref(), s.at.as_ref(), None)
            );
            write_tree(out, &s.expr, depth + 1);
        }
        ExprKind::Call(c) => {
            let _ = writeln!(out, "{pad}call {} {span}", c.function.name);
            for a in &c.args {
                write_tree(out, a, depth + 1);
            }
        }
        ExprKind::Aggregate(a) => {
            let grouping = a.grouping.as_ref().map_or(String::new(), |g| {
                let mut labels = String::new();
                write_labels(&mut labels, &g.labels);
                let kind = if g.kind == GroupingKind::By {
                    "by"
                } else {
                    "without"
                };
                let at = if g.position == GroupingPosition::AfterArgs {
                    " (after)"
                } else {
                    ""
                };
                format!(" {kind} ({labels}){at} {}", span_text(g.span))
            });
            let _ = writeln!(out, "{pad}aggregate {}{grouping} {span}", a.op.name);
            if let Some(p) = &a.param {
                write_tree(out, p, depth + 1);
            }
            write_tree(out, &a.expr, depth + 1);
        }
        ExprKind::Binary(b) => {
            let mut mods = String::new();
            if b.returns_bool() {
                mods.push_str(" bool");
            }
            write_matching(&mut mods, b);
            let _ = writeln!(
                out,
                "{pad}binary {}{mods} {} {span}",
                b.op.symbol,
                span_text(b.op_span)
            );
            write_tree(out, &b.lhs, depth + 1);
            write_tree(out, &b.rhs, depth + 1);
        }
        ExprKind::Unary(u) => {
            let _ = writeln!(out, "{pad}unary {} {span}", u.op.symbol());
            write_tree(out, &u.expr, depth + 1);
        }
        ExprKind::Paren(p) => {
            let _ = writeln!(out, "{pad}paren {span}");
            write_tree(out, &p.expr, depth + 1);
        }
    }
}

fn modifiers_text(offset: Option<&Offset>, at: Option<&At>, ext: Option<&Extended>) -> String {
    let mut s = String::new();
    write_at(&mut s, at);
    write_extended(&mut s, ext);
    if let Some(o) = offset {
        let _ = write!(s, " offset {}", format_duration(&o.duration));
    }
    s
}

fn write_selector_tree(out: &mut String, vs: &VectorSelector, depth: usize) {
    let pad = "  ".repeat(depth);
    let name = vs
        .metric
        .as_ref()
        .map_or(String::new(), |m| format!(" {}", m.name));
    let _ = writeln!(
        out,
        "{pad}selector{name}{} {}",
        modifiers_text(vs.offset.as_ref(), vs.at.as_ref(), vs.extended.as_ref()),
        span_text(vs.span)
    );
    for m in &vs.matchers {
        let _ = writeln!(
            out,
            "{pad}  matcher {} {}",
            matcher_text(m),
            span_text(m.span)
        );
    }
}
