//! PromQL: parsing, type checking and formatting queries.
//!
//! The pipeline is lexer → parser → syntax tree with spans → type check from the function
//! and operator tables. [`parse`] turns query text into an [`Expr`] whose every node knows
//! its place in the text, or into a list of [`ParseError`]s written for a learner;
//! [`format()`] prints a tree back as canonical PromQL in Prometheus' style. The grammar is
//! Prometheus 3's at commit d15adb9, experimental features included (as its own test suite
//! enables them). [`Engine`] evaluates a tree over a [`crate::tsdb::Tsdb`] with Prometheus 3's
//! semantics ([`eval`]), returning a [`Value`] with [`Annotations`], or an [`EvalError`].
//!
//! ```
//! use simulator::promql;
//! let expr = promql::parse("sum by (job) (rate(http_requests_total[5m]))").unwrap();
//! assert_eq!(promql::format(&expr), "sum by (job) (rate(http_requests_total[5m]))");
//! let errors = promql::parse("rate(http_requests_total)").unwrap_err();
//! assert_eq!(errors[0].hint.as_deref(), Some("add a range such as [5m]: rate(http_requests_total[5m])"));
//! ```

mod aggregation;
pub mod annotations;
pub mod ast;
mod binop;
pub mod duration;
pub mod error;
pub mod eval;
mod extended;
pub mod format;
pub mod functions;
pub mod kahan;
pub mod lexer;
pub mod limits;
pub mod literals;
pub mod matcher;
pub mod operators;
pub mod parser;
pub mod quantile;
pub mod span;
pub mod suggest;
pub mod types;
pub mod value;
pub mod xxhash;

pub use annotations::{Annotation, Annotations, Severity};
pub use ast::{Expr, ExprKind};
pub use error::{ErrorKind, EvalError, EvalErrorKind, ParseError};
pub use eval::{Engine, EngineOptions, EvalStats, QueryResult};
pub use format::format;
pub use functions::{Function, QueryTimes};
pub use limits::{Cancelled, Limits, NoProgress, Progress};
pub use parser::parse;
pub use span::Span;
pub use types::ValueType;
pub use value::{Point, Sample, Series, StepSeries, StepValue, StepVector, Steps, Value};
