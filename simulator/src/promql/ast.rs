//! The syntax tree of a PromQL query.
//!
//! Every node carries the [`Span`] of the text it came from, down to matchers, label names
//! in `by (...)` lists, modifiers and operator tokens, so the editor can underline any part
//! of a query and the explain view can point at it. Nodes describe what was written, with
//! two exceptions inherited from Prometheus so that the tree means what the query means: a
//! `-` in front of a number is folded into the number, and a metric name before the braces
//! also appears as an `__name__` matcher.
//!
//! Two trees describe the same query when [`Expr::normalized`] makes them equal; that is the
//! relation the formatter's round trip preserves.

use super::duration::{
    self, DurationExpr, DurationKind, DurationLiteral, same_float, serialize_float,
};
use super::functions::Function;
use super::literals;
use super::matcher::Matcher;
use super::operators::{AggregationOp, BinaryOp};
use super::span::Span;
use super::types::ValueType;
use serde::{Serialize, Serializer};

/// A PromQL expression and where it is in the query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// What the expression is.
    #[serde(flatten)]
    pub kind: ExprKind,
    /// The expression's text, including its modifiers (`offset`, `@`, ranges).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExprKind {
    /// `1`, `-2.5e3`, `0x1F`, `Inf`, or a duration used as a number of seconds (`5m`).
    Number(NumberLiteral),
    /// `"text"`, `'text'` or `` `raw text` ``.
    String(StringLiteral),
    /// `http_requests_total{job="api"} offset 5m`: one sample per series.
    VectorSelector(Box<VectorSelector>),
    /// `http_requests_total[5m]`: a window of samples per series.
    MatrixSelector(Box<MatrixSelector>),
    /// `rate(x[5m])[1h:1m]`: an expression evaluated at steps across a range.
    Subquery(Box<Subquery>),
    /// `rate(x[5m])`: a function call.
    Call(Call),
    /// `sum by (job) (x)`: an aggregation.
    Aggregate(Box<Aggregate>),
    /// `a / on(job) b`: a binary operation.
    Binary(Box<Binary>),
    /// `-x`: a unary minus or plus on something other than a number.
    Unary(Unary),
    /// `(x)`: parentheses, kept so the formatter can print them back.
    Paren(Paren),
}

/// A number literal.
///
/// Equality compares the bits of `value`, so `NaN` equals `NaN` and `0` differs from `-0`:
/// two literals are the same when they were written the same.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NumberLiteral {
    /// The value, sign included.
    #[serde(serialize_with = "serialize_float")]
    pub value: f64,
    /// Whether it was written as a duration (`5m` is 300), which the formatter keeps.
    pub written_as_duration: bool,
}

impl PartialEq for NumberLiteral {
    fn eq(&self, other: &Self) -> bool {
        same_float(self.value, other.value) && self.written_as_duration == other.written_as_duration
    }
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StringLiteral {
    /// The text. When the escapes produced bytes that are not UTF-8 (`"\xff"`), this holds a
    /// lossy copy and `non_utf8_bytes` the real bytes.
    pub value: String,
    /// The exact bytes, present only when they are not valid UTF-8. Go strings may hold such
    /// bytes; wherever Prometheus requires valid UTF-8 (a label name, say) the evaluator must
    /// reject a string that has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_utf8_bytes: Option<Vec<u8>>,
}

impl StringLiteral {
    /// The string's bytes, exact even when they are not UTF-8.
    pub fn bytes(&self) -> &[u8] {
        self.non_utf8_bytes
            .as_deref()
            .unwrap_or(self.value.as_bytes())
    }
}

/// A name and its span: a metric name before braces, a label in a `by (...)` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// The name, unquoted.
    pub name: String,
    /// Where it is, quotes included if it was quoted.
    pub span: Span,
}

/// A selector of series by metric name and label matchers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VectorSelector {
    /// The metric name written before the braces, if any.
    pub metric: Option<Name>,
    /// Every matcher, including an `__name__` matcher for `metric` (last, as in Prometheus).
    pub matchers: Vec<Matcher>,
    /// `offset <duration>`. For a range selector the offset written after the range lives
    /// here too.
    pub offset: Option<Offset>,
    /// `@ <timestamp>`, `@ start()` or `@ end()`.
    pub at: Option<At>,
    /// The experimental `anchored` or `smoothed` modifier.
    pub extended: Option<Extended>,
    /// The selector itself (name and braces), without modifiers or range.
    #[serde(rename = "selector_span")]
    pub span: Span,
}

impl VectorSelector {
    /// The metric name the selector asks for: the name before the braces, or the value of an
    /// `__name__="..."` matcher.
    pub fn metric_name(&self) -> Option<&str> {
        if let Some(m) = &self.metric {
            return Some(&m.name);
        }
        self.matchers
            .iter()
            .find(|m| m.name == "__name__" && m.op == super::matcher::MatchOp::Equal)
            .map(|m| m.value.as_str())
    }
}

/// An `offset` modifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offset {
    /// How far back (positive) or forward (negative) to shift the evaluation time.
    pub duration: DurationExpr,
    /// From the `offset` keyword to the end of the duration.
    pub span: Span,
}

/// An `@` modifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct At {
    /// The time it pins evaluation to.
    pub time: AtTime,
    /// From the `@` to the end of the timestamp.
    pub span: Span,
}

/// The time an `@` modifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AtTime {
    /// A Unix timestamp, stored in milliseconds as Prometheus rounds it.
    Timestamp(i64),
    /// `start()`: the start of the query range.
    Start,
    /// `end()`: the end of the query range.
    End,
}

/// The experimental range selector modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Extended {
    /// Which modifier.
    pub kind: ExtendedKind,
    /// Where the keyword is.
    pub span: Span,
}

/// `anchored` or `smoothed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtendedKind {
    /// `anchored`: the range's boundaries take the samples at or before them.
    Anchored,
    /// `smoothed`: the range's boundaries are interpolated between neighbouring samples.
    Smoothed,
}

impl ExtendedKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            ExtendedKind::Anchored => "anchored",
            ExtendedKind::Smoothed => "smoothed",
        }
    }
}

/// A range selector: a vector selector with a range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixSelector {
    /// The selector, holding the modifiers written after the range.
    pub selector: VectorSelector,
    /// The range, usually a literal such as `5m`.
    pub range: DurationExpr,
    /// The brackets and what is between them.
    pub range_span: Span,
}

/// A subquery: `expr[range:step]` with optional `offset` and `@`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subquery {
    /// The expression evaluated at each step; an instant vector.
    pub expr: Box<Expr>,
    /// How far back to evaluate.
    pub range: DurationExpr,
    /// The resolution; without one the engine's default applies.
    pub step: Option<DurationExpr>,
    /// `offset` written after the brackets.
    pub offset: Option<Offset>,
    /// `@` written after the brackets.
    pub at: Option<At>,
    /// The brackets and what is between them.
    pub range_span: Span,
}

/// A function call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// The function, from the function table.
    #[serde(serialize_with = "serialize_function_name")]
    pub function: &'static Function,
    /// The arguments, type-checked against the table.
    pub args: Vec<Expr>,
    /// Where the function's name is.
    pub name_span: Span,
}

fn serialize_function_name<S: Serializer>(f: &&'static Function, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.name)
}

/// An aggregation such as `sum by (job) (x)` or `topk(5, x)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregate {
    /// The operator, from the aggregation table.
    pub op: &'static AggregationOp,
    /// Where the operator's name is.
    pub op_span: Span,
    /// The parameter of `topk`, `quantile`, `count_values` and friends.
    pub param: Option<Box<Expr>>,
    /// The instant vector being aggregated.
    pub expr: Box<Expr>,
    /// `by (...)` or `without (...)`.
    pub grouping: Option<Grouping>,
}

/// The `by (...)` or `without (...)` clause of an aggregation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouping {
    /// `by` or `without`.
    pub kind: GroupingKind,
    /// The labels listed.
    pub labels: Vec<Name>,
    /// Whether it was written before or after the arguments.
    pub position: GroupingPosition,
    /// From the keyword to the closing parenthesis.
    pub span: Span,
}

/// Which labels an aggregation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupingKind {
    /// `by`: keep only the listed labels.
    By,
    /// `without`: keep all labels except the listed ones.
    Without,
}

/// Where a grouping clause was written; both mean the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupingPosition {
    /// `sum by (job) (x)`.
    BeforeArgs,
    /// `sum(x) by (job)`.
    AfterArgs,
}

/// A binary operation with its modifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binary {
    /// The operator, from the binary operator table.
    pub op: &'static BinaryOp,
    /// Where the operator is.
    pub op_span: Span,
    /// Left operand.
    pub lhs: Box<Expr>,
    /// Right operand.
    pub rhs: Box<Expr>,
    /// The span of `bool`, when a comparison returns 0/1 instead of filtering.
    pub bool_modifier: Option<Span>,
    /// `on (...)` or `ignoring (...)`. Dropped when an operand is a scalar, as in Prometheus.
    pub matching: Option<Matching>,
    /// `group_left (...)` or `group_right (...)`.
    pub group: Option<Group>,
    /// The experimental `fill`, `fill_left` and `fill_right` modifiers.
    pub fill: Option<Fill>,
}

impl Binary {
    /// Whether a comparison returns 0/1 rather than filtering.
    pub fn returns_bool(&self) -> bool {
        self.bool_modifier.is_some()
    }

    /// How series on the two sides pair up.
    pub fn cardinality(&self) -> Cardinality {
        if self.op.is_set() {
            return Cardinality::ManyToMany;
        }
        match self.group.as_ref().map(|g| g.side) {
            Some(GroupSide::Left) => Cardinality::ManyToOne,
            Some(GroupSide::Right) => Cardinality::OneToMany,
            None => Cardinality::OneToOne,
        }
    }
}

/// How series on the two sides of a binary operation pair up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    /// Each series matches at most one on the other side.
    OneToOne,
    /// `group_left`: many series on the left match one on the right.
    ManyToOne,
    /// `group_right`: one series on the left matches many on the right.
    OneToMany,
    /// Set operators: any number on either side.
    ManyToMany,
}

/// `on (...)` or `ignoring (...)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matching {
    /// Which of the two.
    pub kind: MatchingKind,
    /// The labels listed.
    pub labels: Vec<Name>,
    /// From the keyword to the closing parenthesis.
    pub span: Span,
}

/// Which labels decide whether two series match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchingKind {
    /// `on`: only the listed labels.
    On,
    /// `ignoring`: all labels except the listed ones.
    Ignoring,
}

/// `group_left (...)` or `group_right (...)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Which side has many series per match.
    pub side: GroupSide,
    /// Labels copied from the "one" side into the result.
    pub include: Vec<Name>,
    /// From the keyword to the closing parenthesis, if any.
    pub span: Span,
}

/// The side with higher cardinality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupSide {
    /// `group_left`.
    Left,
    /// `group_right`.
    Right,
}

/// Values filled in for series missing on one side of a binary operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fill {
    /// Used when a series on the right has no match on the left.
    pub lhs: Option<FillValue>,
    /// Used when a series on the left has no match on the right.
    pub rhs: Option<FillValue>,
    /// All fill modifiers together.
    pub span: Span,
}

/// One fill value.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FillValue {
    /// The number to fill in.
    #[serde(serialize_with = "serialize_float")]
    pub value: f64,
    /// Where the number is.
    pub span: Span,
}

impl PartialEq for FillValue {
    fn eq(&self, other: &Self) -> bool {
        same_float(self.value, other.value) && self.span == other.span
    }
}

/// A unary operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unary {
    /// `-` or `+`.
    pub op: UnaryOp,
    /// Where the operator is.
    pub op_span: Span,
    /// The operand: a scalar or an instant vector.
    pub expr: Box<Expr>,
}

/// The unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`: negates every value.
    Neg,
    /// `+`: does nothing.
    Plus,
}

impl UnaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Plus => "+",
        }
    }
}

impl Serialize for UnaryOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

/// Parentheses around an expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paren {
    /// The expression inside.
    pub expr: Box<Expr>,
}

impl Expr {
    /// The type of value the expression produces. Valid for any tree the parser returned.
    pub fn value_type(&self) -> ValueType {
        match &self.kind {
            ExprKind::Number(_) => ValueType::Scalar,
            ExprKind::String(_) => ValueType::String,
            ExprKind::VectorSelector(_) | ExprKind::Aggregate(_) => ValueType::Vector,
            ExprKind::MatrixSelector(_) | ExprKind::Subquery(_) => ValueType::Matrix,
            ExprKind::Call(c) => c.function.returns,
            ExprKind::Binary(b) => {
                if b.lhs.value_type() == ValueType::Scalar
                    && b.rhs.value_type() == ValueType::Scalar
                {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                }
            }
            ExprKind::Unary(u) => u.expr.value_type(),
            ExprKind::Paren(p) => p.expr.value_type(),
        }
    }

    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::VectorSelector(_)
            | ExprKind::MatrixSelector(_) => Vec::new(),
            ExprKind::Subquery(s) => vec![&s.expr],
            ExprKind::Call(c) => c.args.iter().collect(),
            ExprKind::Aggregate(a) => a.param.iter().map(|p| &**p).chain([&*a.expr]).collect(),
            ExprKind::Binary(b) => vec![&b.lhs, &b.rhs],
            ExprKind::Unary(u) => vec![&u.expr],
            ExprKind::Paren(p) => vec![&p.expr],
        }
    }

    /// Whether two trees describe the same query: equal after [`Expr::normalized`].
    pub fn same_query(&self, other: &Expr) -> bool {
        self.normalized() == other.normalized()
    }

    /// A copy with every span set to zero and every spelling the formatter canonicalises
    /// put in canonical form, so that `parse(format(e))` normalizes to `e.normalized()`:
    ///
    /// * matchers sorted as the formatter prints them;
    /// * a literal range, step or offset reduced to the whole milliseconds the engine uses
    ///   and marked as written with units (`[300]` prints as `[5m]`); a zero offset removed;
    /// * `by ()` removed (it groups like no clause), grouping clauses moved before the
    ///   arguments, and `ignoring ()` without `group_*` removed;
    /// * a duration expression's unary plus is already dropped by the parser.
    pub fn normalized(&self) -> Expr {
        let kind = match &self.kind {
            ExprKind::Number(n) => ExprKind::Number(*n),
            ExprKind::String(s) => ExprKind::String(s.clone()),
            ExprKind::VectorSelector(vs) => {
                ExprKind::VectorSelector(Box::new(normalize_selector(vs)))
            }
            ExprKind::MatrixSelector(m) => ExprKind::MatrixSelector(Box::new(MatrixSelector {
                selector: normalize_selector(&m.selector),
                range: normalize_duration(&m.range, true),
                range_span: Span::default(),
            })),
            ExprKind::Subquery(s) => ExprKind::Subquery(Box::new(Subquery {
                expr: Box::new(s.expr.normalized()),
                range: normalize_duration(&s.range, true),
                step: s.step.as_ref().map(|d| normalize_duration(d, true)),
                offset: normalize_offset(s.offset.as_ref()),
                at: s.at.as_ref().map(|a| At {
                    time: a.time,
                    span: Span::default(),
                }),
                range_span: Span::default(),
            })),
            ExprKind::Call(c) => ExprKind::Call(Call {
                function: c.function,
                args: c.args.iter().map(Expr::normalized).collect(),
                name_span: Span::default(),
            }),
            ExprKind::Aggregate(a) => ExprKind::Aggregate(Box::new(Aggregate {
                op: a.op,
                op_span: Span::default(),
                param: a.param.as_ref().map(|p| Box::new(p.normalized())),
                expr: Box::new(a.expr.normalized()),
                grouping: a
                    .grouping
                    .as_ref()
                    .filter(|g| g.kind == GroupingKind::Without || !g.labels.is_empty())
                    .map(|g| Grouping {
                        kind: g.kind,
                        labels: normalize_names(&g.labels),
                        position: GroupingPosition::BeforeArgs,
                        span: Span::default(),
                    }),
            })),
            ExprKind::Binary(b) => ExprKind::Binary(Box::new(Binary {
                op: b.op,
                op_span: Span::default(),
                lhs: Box::new(b.lhs.normalized()),
                rhs: Box::new(b.rhs.normalized()),
                bool_modifier: b.bool_modifier.map(|_| Span::default()),
                matching: b
                    .matching
                    .as_ref()
                    .filter(|m| {
                        m.kind == MatchingKind::On || !m.labels.is_empty() || b.group.is_some()
                    })
                    .map(|m| Matching {
                        kind: m.kind,
                        labels: normalize_names(&m.labels),
                        span: Span::default(),
                    }),
                group: b.group.as_ref().map(|g| Group {
                    side: g.side,
                    include: normalize_names(&g.include),
                    span: Span::default(),
                }),
                fill: b.fill.as_ref().map(|f| Fill {
                    lhs: f.lhs.map(|v| FillValue {
                        value: v.value,
                        span: Span::default(),
                    }),
                    rhs: f.rhs.map(|v| FillValue {
                        value: v.value,
                        span: Span::default(),
                    }),
                    span: Span::default(),
                }),
            })),
            ExprKind::Unary(u) => ExprKind::Unary(Unary {
                op: u.op,
                op_span: Span::default(),
                expr: Box::new(u.expr.normalized()),
            }),
            ExprKind::Paren(p) => ExprKind::Paren(Paren {
                expr: Box::new(p.expr.normalized()),
            }),
        };
        Expr {
            kind,
            span: Span::default(),
        }
    }
}

fn normalize_names(names: &[Name]) -> Vec<Name> {
    names
        .iter()
        .map(|n| Name {
            name: n.name.clone(),
            span: Span::default(),
        })
        .collect()
}

fn normalize_selector(vs: &VectorSelector) -> VectorSelector {
    let mut matchers: Vec<Matcher> = vs
        .matchers
        .iter()
        .map(|m| Matcher {
            name_span: Span::default(),
            op_span: Span::default(),
            value_span: Span::default(),
            span: Span::default(),
            ..m.clone()
        })
        .collect();
    // The formatter prints matchers sorted by their printed form; the metric name's own
    // matcher stays last because it is printed as the name.
    let is_name_matcher = |m: &Matcher| {
        vs.metric.as_ref().is_some_and(|n| {
            m.name == "__name__" && m.value == n.name && m.op == super::matcher::MatchOp::Equal
        })
    };
    let name_matcher = match matchers.last() {
        Some(last) if is_name_matcher(last) => matchers.pop(),
        _ => None,
    };
    matchers.sort_by_cached_key(matcher_sort_key);
    matchers.extend(name_matcher);
    VectorSelector {
        metric: vs.metric.as_ref().map(|n| Name {
            name: n.name.clone(),
            span: Span::default(),
        }),
        matchers,
        offset: normalize_offset(vs.offset.as_ref()),
        at: vs.at.as_ref().map(|a| At {
            time: a.time,
            span: Span::default(),
        }),
        extended: vs.extended.map(|e| Extended {
            kind: e.kind,
            span: Span::default(),
        }),
        span: Span::default(),
    }
}

/// The key the formatter sorts matchers by: their printed form.
pub(crate) fn matcher_sort_key(m: &Matcher) -> String {
    let name = if literals::is_legacy_label_name(&m.name) {
        m.name.clone()
    } else {
        literals::quote(m.name.as_bytes())
    };
    format!(
        "{name}{}{}",
        m.op.symbol(),
        literals::quote(m.value.as_bytes())
    )
}

fn normalize_offset(offset: Option<&Offset>) -> Option<Offset> {
    let offset = offset?;
    let duration = normalize_duration(&offset.duration, true);
    if let Some(l) = duration.literal()
        && l.seconds == 0.0
    {
        return None;
    }
    Some(Offset {
        duration,
        span: Span::default(),
    })
}

/// Zeroes spans; a literal at the top of a range, step or offset becomes its whole
/// milliseconds written as a duration, which is how the formatter prints it.
fn normalize_duration(d: &DurationExpr, top_level: bool) -> DurationExpr {
    let boxed = |e: &DurationExpr| Box::new(normalize_duration(e, false));
    let kind = match &d.kind {
        DurationKind::Literal(l) if top_level => DurationKind::Literal(DurationLiteral {
            seconds: duration::literal_ms(l.seconds) as f64 / 1000.0,
            written_as_duration: true,
        }),
        DurationKind::Literal(l) => DurationKind::Literal(*l),
        DurationKind::Step => DurationKind::Step,
        DurationKind::Range => DurationKind::Range,
        DurationKind::Negate { expr } => DurationKind::Negate { expr: boxed(expr) },
        DurationKind::Paren { expr } => DurationKind::Paren { expr: boxed(expr) },
        DurationKind::Binary { op, lhs, rhs, .. } => DurationKind::Binary {
            op: *op,
            op_span: Span::default(),
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        },
        DurationKind::MinOf { lhs, rhs } => DurationKind::MinOf {
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        },
        DurationKind::MaxOf { lhs, rhs } => DurationKind::MaxOf {
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        },
    };
    DurationExpr {
        kind,
        span: Span::default(),
    }
}
