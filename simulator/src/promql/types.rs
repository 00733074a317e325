//! The four kinds of value a PromQL expression can produce.

use serde::Serialize;
use std::fmt;

/// The type of a PromQL expression's result, as the type checker sees it.
///
/// `Display` uses the names Prometheus' own messages use ("instant vector", "range vector"),
/// which are also the names its documentation teaches, so a learner can look them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A single number with no labels, such as `1` or `time()`.
    Scalar,
    /// One sample per series at the evaluation time, such as `up`.
    Vector,
    /// A window of samples per series, such as `up[5m]`.
    Matrix,
    /// A string literal; only some function and aggregation parameters accept one.
    String,
}

impl ValueType {
    /// The name Prometheus uses in messages and documentation.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
            ValueType::String => "string",
        }
    }

    /// The name with its indefinite article, for sentences ("a scalar", "an instant vector").
    pub fn with_article(self) -> &'static str {
        match self {
            ValueType::Scalar => "a scalar",
            ValueType::Vector => "an instant vector",
            ValueType::Matrix => "a range vector",
            ValueType::String => "a string",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
