//! The extra runs Prometheus' runner makes of every instant eval, to check that pinning the
//! evaluation time with `@` changes nothing (`atModifierTestCases` in `test.go`).
//!
//! Every vector and range selector, and every subquery, that has no `@ <timestamp>` gets
//! `@ <eval time>` (`@ start()` and `@ end()` included); nothing inside a subquery is
//! touched (the subquery itself is pinned). The rewritten query
//! must then give the same result when evaluated at other times: `-10t, 0, t/5, t, 10t`, or
//! `-1s, 0, 1s` when `t` is 0. Queries calling a function whose result depends on the
//! evaluation time itself (`time()`, `timestamp()`, `hour()`, ...) are not rewritten.

use crate::promql::ast::{At, AtTime, Expr, ExprKind, VectorSelector};
use crate::promql::format;
use crate::promql::span::Span;

/// Functions whose result depends on the evaluation time even when every selector is pinned
/// (Prometheus' `AtModifierUnsafeFunctions`). This is a fact about the test harness's
/// rewriting, not about the functions' evaluation, which is why it is not in the table.
const TIME_DEPENDENT: &[&str] = &[
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "end",
    "hour",
    "minute",
    "month",
    "year",
    "predict_linear",
    "range",
    "start",
    "step",
    "time",
    "timestamp",
];

/// The rewritten query and the times to run it at; empty when the query is not rewritten.
pub fn cases(expr: &Expr, t: i64) -> Vec<(String, i64)> {
    let mut pinned = expr.clone();
    if !pin(&mut pinned, t) {
        return Vec::new();
    }
    let text = format(&pinned);
    let times: Vec<i64> = if t == 0 {
        vec![-1000, 0, 1000]
    } else {
        vec![t.saturating_mul(-10), 0, t / 5, t, t.saturating_mul(10)]
    };
    times.into_iter().map(|at| (text.clone(), at)).collect()
}

fn at(t: i64) -> Option<At> {
    Some(At {
        time: AtTime::Timestamp(t),
        span: Span::default(),
    })
}

/// Pins an `@` slot. Prometheus keeps `@ start()` and `@ end()` apart from a timestamp and
/// only checks for a missing timestamp, so those are pinned to the evaluation time too (for
/// the original instant query they meant exactly that).
fn pin_at(slot: &mut Option<At>, t: i64) {
    if !matches!(
        slot,
        Some(At {
            time: AtTime::Timestamp(_),
            ..
        })
    ) {
        *slot = at(t);
    }
}

fn pin_selector(vs: &mut VectorSelector, t: i64) {
    pin_at(&mut vs.at, t);
}

/// Pins `expr` in place; false when it calls a time-dependent function outside subqueries.
/// Recursion follows the tree, whose depth the parser bounds.
fn pin(expr: &mut Expr, t: i64) -> bool {
    match &mut expr.kind {
        ExprKind::Number(_) | ExprKind::String(_) => true,
        ExprKind::VectorSelector(vs) => {
            pin_selector(vs, t);
            true
        }
        ExprKind::MatrixSelector(m) => {
            pin_selector(&mut m.selector, t);
            true
        }
        ExprKind::Subquery(s) => {
            // Prometheus stops at a pinned subquery; every subquery is pinned here, so
            // nothing inside one is rewritten or checked.
            pin_at(&mut s.at, t);
            true
        }
        ExprKind::Call(c) => {
            if TIME_DEPENDENT.contains(&c.function.name) {
                return false;
            }
            c.args.iter_mut().all(|a| pin(a, t))
        }
        ExprKind::Aggregate(a) => {
            let param = a.param.as_mut().is_none_or(|p| pin(p, t));
            param && pin(&mut a.expr, t)
        }
        ExprKind::Binary(b) => pin(&mut b.lhs, t) && pin(&mut b.rhs, t),
        ExprKind::Unary(u) => pin(&mut u.expr, t),
        ExprKind::Paren(p) => pin(&mut p.expr, t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::parse;

    fn rewrite(q: &str, t: i64) -> Vec<(String, i64)> {
        cases(&parse(q).unwrap(), t)
    }

    #[test]
    fn selectors_and_subqueries_are_pinned() {
        let c = rewrite(
            "sum(rate(x[5m])) + y @ 100 + max_over_time(z[10m:1m])",
            60_000,
        );
        assert_eq!(c.len(), 5);
        assert_eq!(
            c[0].0,
            "sum(rate(x[5m] @ 60.000)) + y @ 100.000 + max_over_time(z[10m:1m] @ 60.000)"
        );
        let times: Vec<i64> = c.iter().map(|x| x.1).collect();
        assert_eq!(times, [-600_000, 0, 12_000, 60_000, 600_000]);
    }

    #[test]
    fn start_and_end_are_pinned_too() {
        let c = rewrite("x @ start() + rate(y[1m] @ end()) + z @ 5", 60_000);
        assert_eq!(c[0].0, "x @ 60.000 + rate(y[1m] @ 60.000) + z @ 5.000");
    }

    #[test]
    fn zero_uses_fixed_offsets() {
        let times: Vec<i64> = rewrite("x", 0).into_iter().map(|c| c.1).collect();
        assert_eq!(times, [-1000, 0, 1000]);
    }

    #[test]
    fn time_dependent_functions_are_not_rewritten() {
        assert!(rewrite("time() - x", 60_000).is_empty());
        assert!(rewrite("timestamp(x)", 60_000).is_empty());
        // Inside a subquery nothing is checked, as in Prometheus.
        assert_eq!(
            rewrite("max_over_time(timestamp(x)[5m:1m])", 60_000).len(),
            5
        );
    }
}
