//! The operator tables: every binary operator and every aggregation operator, once.
//!
//! Like the function table, these are plain static data read by the lexer (which words are
//! operators), the parser (precedence, which modifiers are allowed, parameter types), the
//! formatter, autocomplete and the generated reference page. The evaluator will dispatch on
//! [`BinaryOp::kind`] and [`AggregationOp::name`].

use super::types::ValueType;
use serde::{Serialize, Serializer};

/// What family a binary operator belongs to; it decides which modifiers it accepts and
/// which operand types it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOpKind {
    /// `+ - * / % ^`: compute a new value.
    Arithmetic,
    /// `atan2`: arithmetic in radians, between vectors with matching.
    Trigonometric,
    /// `== != > < >= <=`: filter, or return 0/1 with `bool`.
    Comparison,
    /// `</` and `>/`: trim a native histogram's observations above or below a threshold.
    HistogramTrim,
    /// `and or unless`: set operations between instant vectors.
    Set,
}

/// How operators of equal precedence group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Associativity {
    /// `a - b - c` is `(a - b) - c`.
    Left,
    /// `a ^ b ^ c` is `a ^ (b ^ c)`.
    Right,
}

/// One binary operator.
///
/// Contract: `symbol` is exactly how the operator is written (keywords in lower case; the
/// lexer accepts them in any case). Higher `precedence` binds tighter; unary `-` and `+` bind
/// looser than `^` but tighter than `*`, so `-2 ^ 2` is `-(2 ^ 2)`.
#[derive(Debug, PartialEq, Eq)]
pub struct BinaryOp {
    /// The operator as written: `+`, `==`, `and`, `atan2`, `</`.
    pub symbol: &'static str,
    /// Its family, which decides the modifiers and operand types it accepts.
    pub kind: BinaryOpKind,
    /// Binding strength, 1 (`or`) to 6 (`^`).
    pub precedence: u8,
    /// Grouping of a chain of operators with the same precedence.
    pub associativity: Associativity,
    /// One line for a learner.
    pub doc: &'static str,
}

impl BinaryOp {
    /// Whether `bool` may follow the operator (comparisons only).
    pub fn allows_bool(&self) -> bool {
        self.kind == BinaryOpKind::Comparison
    }

    /// Whether `group_left`/`group_right` may follow it (not set operators, which always
    /// match many-to-many).
    pub fn allows_group_modifiers(&self) -> bool {
        self.kind != BinaryOpKind::Set
    }

    /// Whether `fill`, `fill_left` and `fill_right` may follow it (not set operators, whose
    /// point is presence or absence on the other side).
    pub fn allows_fill(&self) -> bool {
        self.kind != BinaryOpKind::Set
    }

    /// Whether this is a comparison, which between two scalars requires `bool`.
    pub fn is_comparison(&self) -> bool {
        self.kind == BinaryOpKind::Comparison
    }

    /// Whether this is `and`, `or` or `unless`.
    pub fn is_set(&self) -> bool {
        self.kind == BinaryOpKind::Set
    }
}

/// An operator serializes as its symbol.
impl Serialize for BinaryOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol)
    }
}

/// Every binary operator, from loosest to tightest binding.
pub static BINARY_OPS: &[BinaryOp] = &[
    BinaryOp {
        symbol: "or",
        kind: BinaryOpKind::Set,
        precedence: 1,
        associativity: Associativity::Left,
        doc: "Union: every series of the left side, plus the right side's series whose labels the left lacks.",
    },
    BinaryOp {
        symbol: "and",
        kind: BinaryOpKind::Set,
        precedence: 2,
        associativity: Associativity::Left,
        doc: "Intersection: the left side's series that have a series with the same labels on the right.",
    },
    BinaryOp {
        symbol: "unless",
        kind: BinaryOpKind::Set,
        precedence: 2,
        associativity: Associativity::Left,
        doc: "Complement: the left side's series that have no series with the same labels on the right.",
    },
    BinaryOp {
        symbol: "==",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Equal: keeps samples where the comparison holds (with bool: returns 1 or 0).",
    },
    BinaryOp {
        symbol: "!=",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Not equal: keeps samples where the values differ (with bool: returns 1 or 0).",
    },
    BinaryOp {
        symbol: ">",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Greater than: keeps samples above the other side (with bool: returns 1 or 0).",
    },
    BinaryOp {
        symbol: "<",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Less than: keeps samples below the other side (with bool: returns 1 or 0).",
    },
    BinaryOp {
        symbol: ">=",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Greater or equal: keeps samples at or above the other side (with bool: 1 or 0).",
    },
    BinaryOp {
        symbol: "<=",
        kind: BinaryOpKind::Comparison,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Less or equal: keeps samples at or below the other side (with bool: 1 or 0).",
    },
    BinaryOp {
        symbol: "</",
        kind: BinaryOpKind::HistogramTrim,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Trim upper: removes a native histogram's observations above the threshold on the right.",
    },
    BinaryOp {
        symbol: ">/",
        kind: BinaryOpKind::HistogramTrim,
        precedence: 3,
        associativity: Associativity::Left,
        doc: "Trim lower: removes a native histogram's observations below the threshold on the right.",
    },
    BinaryOp {
        symbol: "+",
        kind: BinaryOpKind::Arithmetic,
        precedence: 4,
        associativity: Associativity::Left,
        doc: "Addition.",
    },
    BinaryOp {
        symbol: "-",
        kind: BinaryOpKind::Arithmetic,
        precedence: 4,
        associativity: Associativity::Left,
        doc: "Subtraction.",
    },
    BinaryOp {
        symbol: "*",
        kind: BinaryOpKind::Arithmetic,
        precedence: 5,
        associativity: Associativity::Left,
        doc: "Multiplication.",
    },
    BinaryOp {
        symbol: "/",
        kind: BinaryOpKind::Arithmetic,
        precedence: 5,
        associativity: Associativity::Left,
        doc: "Division; dividing by zero gives +Inf, -Inf or NaN.",
    },
    BinaryOp {
        symbol: "%",
        kind: BinaryOpKind::Arithmetic,
        precedence: 5,
        associativity: Associativity::Left,
        doc: "Modulo: the remainder of the division, with the sign of the left side.",
    },
    BinaryOp {
        symbol: "atan2",
        kind: BinaryOpKind::Trigonometric,
        precedence: 5,
        associativity: Associativity::Left,
        doc: "The arc tangent of left/right in radians, using the signs of both to pick the quadrant.",
    },
    BinaryOp {
        symbol: "^",
        kind: BinaryOpKind::Arithmetic,
        precedence: 6,
        associativity: Associativity::Right,
        doc: "Power: the left side raised to the right side; 2 ^ 3 ^ 2 is 2 ^ (3 ^ 2).",
    },
];

/// The precedence at which a unary `-` or `+` takes its operand: only `^` binds tighter.
pub(crate) const UNARY_OPERAND_PRECEDENCE: u8 = 6;

/// The binary operator written as `symbol` (keywords in lower case).
pub fn binary_op(symbol: &str) -> Option<&'static BinaryOp> {
    BINARY_OPS.iter().find(|op| op.symbol == symbol)
}

/// One aggregation operator.
///
/// Contract: `param` is the type of the parameter written before the vector
/// (`topk(5, x)`, `count_values("value", x)`), or `None` for operators without one. Every
/// aggregation accepts `by (...)` or `without (...)`, before or after its arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct AggregationOp {
    /// The operator's name, in lower case (the lexer accepts any case).
    pub name: &'static str,
    /// The type of the leading parameter, if it takes one.
    pub param: Option<ValueType>,
    /// Prometheus gates it behind `--enable-feature=promql-experimental-functions`. The
    /// workbench accepts it, as Prometheus' own test suite does.
    pub experimental: bool,
    /// One line for a learner.
    pub doc: &'static str,
    /// A real query using it.
    pub example: &'static str,
}

/// An operator serializes as its name.
impl Serialize for AggregationOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

/// Every aggregation operator.
pub static AGGREGATION_OPS: &[AggregationOp] = &[
    AggregationOp {
        name: "sum",
        param: None,
        experimental: false,
        doc: "Adds up the values of each group.",
        example: "sum by (job) (rate(http_requests_total[5m]))",
    },
    AggregationOp {
        name: "avg",
        param: None,
        experimental: false,
        doc: "The average value of each group.",
        example: "avg by (instance) (node_load1)",
    },
    AggregationOp {
        name: "min",
        param: None,
        experimental: false,
        doc: "The smallest value of each group.",
        example: "min by (job) (up)",
    },
    AggregationOp {
        name: "max",
        param: None,
        experimental: false,
        doc: "The largest value of each group.",
        example: "max by (instance) (node_memory_Active_bytes)",
    },
    AggregationOp {
        name: "count",
        param: None,
        experimental: false,
        doc: "The number of series in each group.",
        example: "count by (job) (up == 1)",
    },
    AggregationOp {
        name: "group",
        param: None,
        experimental: false,
        doc: "1 for each group that has any series: a cheap way to list label combinations.",
        example: "group by (job, instance) (up)",
    },
    AggregationOp {
        name: "stddev",
        param: None,
        experimental: false,
        doc: "The population standard deviation of each group's values.",
        example: "stddev by (job) (rate(http_requests_total[5m]))",
    },
    AggregationOp {
        name: "stdvar",
        param: None,
        experimental: false,
        doc: "The population variance of each group's values.",
        example: "stdvar by (job) (rate(http_requests_total[5m]))",
    },
    AggregationOp {
        name: "topk",
        param: Some(ValueType::Scalar),
        experimental: false,
        doc: "The k series with the largest values in each group, with their own labels.",
        example: "topk(3, rate(http_requests_total[5m]))",
    },
    AggregationOp {
        name: "bottomk",
        param: Some(ValueType::Scalar),
        experimental: false,
        doc: "The k series with the smallest values in each group, with their own labels.",
        example: "bottomk(3, node_filesystem_avail_bytes)",
    },
    AggregationOp {
        name: "count_values",
        param: Some(ValueType::String),
        experimental: false,
        doc: "Counts the series sharing each value, with the value stored in the label you name.",
        example: "count_values(\"version\", build_version)",
    },
    AggregationOp {
        name: "quantile",
        param: Some(ValueType::Scalar),
        experimental: false,
        doc: "The φ-quantile (0 ≤ φ ≤ 1) of each group's values, such as 0.5 for the median.",
        example: "quantile(0.95, rate(http_requests_total[5m]))",
    },
    AggregationOp {
        name: "limitk",
        param: Some(ValueType::Scalar),
        experimental: true,
        doc: "A deterministic sample of k series from each group.",
        example: "limitk(10, up)",
    },
    AggregationOp {
        name: "limit_ratio",
        param: Some(ValueType::Scalar),
        experimental: true,
        doc: "A deterministic sample of about a ratio r (-1 to 1) of each group's series.",
        example: "limit_ratio(0.1, up)",
    },
];

/// The aggregation operator called `name` (lower case).
pub fn aggregation_op(name: &str) -> Option<&'static AggregationOp> {
    AGGREGATION_OPS.iter().find(|op| op.name == name)
}
