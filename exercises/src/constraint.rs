//! Constraints on how an answer is written: "must use `rate`", "must not use `irate`".
//!
//! Results decide most of grading, but some exercises are about a construct: an exercise on
//! `group_left` should not accept an answer that reaches the same numbers another way. A
//! [`Feature`] names one construct of the language — a function, an aggregation, a binary
//! operator or a modifier keyword — and [`Feature::occurrences`] finds it in a parsed
//! query. The names are checked against the engine's own tables when a pack is loaded, so a
//! typo in a pack is a load error rather than a constraint no answer can meet.

use serde::{Serialize, Serializer};
use simulator::promql::ast::{ExprKind, GroupSide, GroupingKind, MatchingKind};
use simulator::promql::{Expr, Span, functions, operators, suggest};
use std::fmt;

/// The modifier keywords a constraint can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// `by (...)` on an aggregation.
    By,
    /// `without (...)` on an aggregation.
    Without,
    /// `on (...)` on a binary operation.
    On,
    /// `ignoring (...)` on a binary operation.
    Ignoring,
    /// `group_left`.
    GroupLeft,
    /// `group_right`.
    GroupRight,
    /// `bool` after a comparison.
    Bool,
    /// `offset`.
    Offset,
    /// `@`.
    At,
    /// A subquery, `expr[range:step]`.
    Subquery,
}

/// Every modifier with the word a pack writes for it.
const MODIFIERS: &[(&str, Modifier)] = &[
    ("by", Modifier::By),
    ("without", Modifier::Without),
    ("on", Modifier::On),
    ("ignoring", Modifier::Ignoring),
    ("group_left", Modifier::GroupLeft),
    ("group_right", Modifier::GroupRight),
    ("bool", Modifier::Bool),
    ("offset", Modifier::Offset),
    ("@", Modifier::At),
    ("subquery", Modifier::Subquery),
];

impl Modifier {
    /// The word a pack writes.
    pub fn word(self) -> &'static str {
        MODIFIERS
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("", |(w, _)| w)
    }
}

/// One construct of PromQL that a constraint requires or forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// A function from the engine's function table, by name.
    Function(&'static str),
    /// An aggregation operator (`sum`, `topk`, ...).
    Aggregation(&'static str),
    /// A binary operator, by symbol (`/`, `>`, `and`, `unless`, ...).
    Operator(&'static str),
    /// A modifier keyword.
    Modifier(Modifier),
}

impl Feature {
    /// Reads a feature as a pack names it: a function or aggregation name, an operator
    /// symbol, or one of `by without on ignoring group_left group_right bool offset @
    /// subquery`. `rate()` is accepted for `rate`.
    ///
    /// Errors: a sentence saying the name is unknown, with the closest known name.
    pub fn parse(text: &str) -> Result<Feature, String> {
        let word = text.trim();
        let word = word.strip_suffix("()").unwrap_or(word);
        if let Some(f) = functions::lookup(word) {
            return Ok(Feature::Function(f.name));
        }
        if let Some(a) = operators::aggregation_op(word) {
            return Ok(Feature::Aggregation(a.name));
        }
        if let Some(op) = operators::binary_op(word) {
            return Ok(Feature::Operator(op.symbol));
        }
        if let Some((_, m)) = MODIFIERS.iter().find(|(w, _)| *w == word) {
            return Ok(Feature::Modifier(*m));
        }
        let known = functions::all()
            .map(|f| f.name)
            .chain(operators::AGGREGATION_OPS.iter().map(|a| a.name))
            .chain(operators::BINARY_OPS.iter().map(|o| o.symbol))
            .chain(MODIFIERS.iter().map(|(w, _)| *w));
        let mut message =
            format!("{text:?} is not a PromQL function, aggregation, operator or modifier keyword");
        if let Some(close) = suggest::closest(word, known) {
            message.push_str(&format!("; did you mean {close:?}?"));
        }
        Err(message)
    }

    /// The name as a pack writes it.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Function(n) | Feature::Aggregation(n) | Feature::Operator(n) => n,
            Feature::Modifier(m) => m.word(),
        }
    }

    /// Where the feature appears in `expr`, in source order.
    pub fn occurrences(self, expr: &Expr) -> Vec<Span> {
        let mut out = Vec::new();
        visit(expr, &mut |e| self.spans_in(e, &mut out));
        out.sort_by_key(|s| (s.start, s.end));
        out
    }

    /// Whether `expr` uses the feature anywhere.
    pub fn is_used_in(self, expr: &Expr) -> bool {
        !self.occurrences(expr).is_empty()
    }

    /// Appends the spans where this one node (not its children) uses the feature.
    fn spans_in(self, e: &Expr, out: &mut Vec<Span>) {
        match (&e.kind, self) {
            (ExprKind::Call(c), Feature::Function(name)) if c.function.name == name => {
                out.push(c.name_span);
            }
            (ExprKind::Aggregate(a), Feature::Aggregation(name)) if a.op.name == name => {
                out.push(a.op_span);
            }
            (ExprKind::Aggregate(a), Feature::Modifier(m)) => {
                if let Some(g) = &a.grouping {
                    let hit = matches!(
                        (g.kind, m),
                        (GroupingKind::By, Modifier::By)
                            | (GroupingKind::Without, Modifier::Without)
                    );
                    if hit {
                        out.push(g.span);
                    }
                }
            }
            (ExprKind::Binary(b), Feature::Operator(symbol)) if b.op.symbol == symbol => {
                out.push(b.op_span);
            }
            (ExprKind::Binary(b), Feature::Modifier(m)) => match m {
                Modifier::On | Modifier::Ignoring => {
                    if let Some(mt) = &b.matching {
                        let hit = matches!(
                            (mt.kind, m),
                            (MatchingKind::On, Modifier::On)
                                | (MatchingKind::Ignoring, Modifier::Ignoring)
                        );
                        if hit {
                            out.push(mt.span);
                        }
                    }
                }
                Modifier::GroupLeft | Modifier::GroupRight => {
                    if let Some(g) = &b.group {
                        let hit = matches!(
                            (g.side, m),
                            (GroupSide::Left, Modifier::GroupLeft)
                                | (GroupSide::Right, Modifier::GroupRight)
                        );
                        if hit {
                            out.push(g.span);
                        }
                    }
                }
                Modifier::Bool => out.extend(b.bool_modifier),
                _ => {}
            },
            (ExprKind::VectorSelector(vs), Feature::Modifier(m)) => selector_modifier(vs, m, out),
            (ExprKind::MatrixSelector(ms), Feature::Modifier(m)) => {
                selector_modifier(&ms.selector, m, out);
            }
            (ExprKind::Subquery(sq), Feature::Modifier(m)) => match m {
                Modifier::Subquery => out.push(sq.range_span),
                Modifier::Offset => out.extend(sq.offset.as_ref().map(|o| o.span)),
                Modifier::At => out.extend(sq.at.as_ref().map(|a| a.span)),
                _ => {}
            },
            _ => {}
        }
    }
}

fn selector_modifier(
    vs: &simulator::promql::ast::VectorSelector,
    m: Modifier,
    out: &mut Vec<Span>,
) {
    match m {
        Modifier::Offset => out.extend(vs.offset.as_ref().map(|o| o.span)),
        Modifier::At => out.extend(vs.at.as_ref().map(|a| a.span)),
        _ => {}
    }
}

/// Calls `f` on every node of `expr`, parents before children. The parser bounds nesting,
/// so the recursion is bounded too.
pub(crate) fn visit<'a>(expr: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(expr);
    for child in expr.children() {
        visit(child, f);
    }
}

impl fmt::Display for Feature {
    /// As a sentence names it: `` `rate()` ``, `` `sum` ``, `` the `/` operator ``, `` `by` ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Feature::Function(n) => write!(f, "`{n}()`"),
            Feature::Aggregation(n) => write!(f, "`{n}`"),
            Feature::Operator(s) => write!(f, "the `{s}` operator"),
            Feature::Modifier(Modifier::Subquery) => f.write_str("a subquery (`expr[range:step]`)"),
            Feature::Modifier(m) => write!(f, "`{}`", m.word()),
        }
    }
}

impl Serialize for Feature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::promql::parse;

    #[test]
    fn names_resolve_against_the_engine_tables() {
        let cases: &[(&str, Feature)] = &[
            ("rate", Feature::Function("rate")),
            ("rate()", Feature::Function("rate")),
            ("sum", Feature::Aggregation("sum")),
            ("/", Feature::Operator("/")),
            ("unless", Feature::Operator("unless")),
            ("group_left", Feature::Modifier(Modifier::GroupLeft)),
            ("@", Feature::Modifier(Modifier::At)),
            ("subquery", Feature::Modifier(Modifier::Subquery)),
        ];
        for (text, want) in cases {
            assert_eq!(Feature::parse(text).as_ref(), Ok(want), "{text}");
        }
        let err = Feature::parse("irat").unwrap_err();
        assert!(err.contains("did you mean \"irate\""), "{err}");
    }

    #[test]
    fn occurrences_point_at_the_construct() {
        let q = "sum by (job) (rate(x[5m] offset 1h)) / on (job) group_left sum(y) > bool 1";
        let e = parse(q).unwrap();
        let text = |f: &str| {
            Feature::parse(f)
                .unwrap()
                .occurrences(&e)
                .iter()
                .map(|s| s.text(q).to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(text("rate"), ["rate"]);
        assert_eq!(text("sum"), ["sum", "sum"]);
        assert_eq!(text("by"), ["by (job)"]);
        assert_eq!(text("offset"), ["offset 1h"]);
        assert_eq!(text("on"), ["on (job)"]);
        assert_eq!(text("group_left"), ["group_left"]);
        assert_eq!(text("bool"), ["bool"]);
        assert_eq!(text("/"), ["/"]);
        assert!(text("irate").is_empty());
        assert!(text("without").is_empty());
        let sq = "max_over_time(rate(x[5m])[1h:1m] @ 100)";
        let e = parse(sq).unwrap();
        let spans = Feature::Modifier(Modifier::Subquery).occurrences(&e);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].text(sq), "[1h:1m]");
        assert!(Feature::Modifier(Modifier::At).is_used_in(&e));
    }
}
