//! PromQL: parsing, type checking and formatting queries.
//!
//! The pipeline is lexer → parser → syntax tree with spans → type check from the function
//! and operator tables. [`parse`] turns query text into an [`Expr`] whose every node knows
//! its place in the text, or into a list of [`ParseError`]s written for a learner;
//! [`format()`] prints a tree back as canonical PromQL in Prometheus' style. The grammar is
//! Prometheus 3's at commit d15adb9, experimental features included (as its own test suite
//! enables them). The evaluator builds on this module; it does not exist yet.
//!
//! ```
//! use simulator::promql;
//! let expr = promql::parse("sum by (job) (rate(http_requests_total[5m]))").unwrap();
//! assert_eq!(promql::format(&expr), "sum by (job) (rate(http_requests_total[5m]))");
//! let errors = promql::parse("rate(http_requests_total)").unwrap_err();
//! assert_eq!(errors[0].hint.as_deref(), Some("add a range such as [5m]: rate(http_requests_total[5m])"));
//! ```

pub mod ast;
pub mod duration;
pub mod error;
pub mod format;
pub mod functions;
pub mod kahan;
pub mod lexer;
pub mod literals;
pub mod matcher;
pub mod operators;
pub mod parser;
pub mod quantile;
pub mod span;
pub mod suggest;
pub mod types;

pub use ast::{Expr, ExprKind};
pub use error::{ErrorKind, ParseError};
pub use format::format;
pub use functions::Function;
pub use parser::parse;
pub use span::Span;
pub use types::ValueType;
