//! Parse and evaluation errors as values, and their rendering for a person.
//!
//! The parser never stops at the first problem: it returns every [`ParseError`] it found, each
//! with the span it is about, a message saying what is wrong and, where we can guess, a hint
//! saying what the learner probably meant. [`render`] turns them into the text the CLI prints
//! and the app shows:
//!
//! ```text
//! 1:6: rate() needs a range vector, but `x` is an instant vector
//! rate(x)
//!      ^
//! hint: add a range such as [5m]: rate(x[5m])
//! ```
//!
//! Evaluation stops at its first error, an [`EvalError`]: a typed [`EvalErrorKind`] whose
//! `Display` is Prometheus' exact message (its test scripts and API clients match on it),
//! the span of the node that failed, and a hint for a learner where one helps.

use super::span::{LineCol, Span};
use serde::Serialize;
use std::fmt;

/// What sort of problem an error describes; the app may style or group errors by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A token that cannot appear where it does, or a missing one (an operand, a comma).
    Syntax,
    /// An opening `(`, `[` or `{` that is never closed; the span is the opener.
    Unclosed,
    /// A malformed number, duration or string literal, or an unknown duration unit.
    Literal,
    /// A call to a function PromQL does not have.
    UnknownFunction,
    /// A value of the wrong type (an instant vector where a range vector is needed, ...) or a
    /// wrong number of arguments.
    Type,
    /// A modifier where PromQL does not allow it: `bool`, `on`, `group_left`, `offset`, `@`,
    /// `by` and their friends.
    Modifier,
    /// A regular expression in `=~` or `!~` that does not compile.
    Regex,
    /// A selector that would match every series, such as `{}` or `{job=~".*"}`.
    EmptySelector,
    /// A query nested more deeply than the parser accepts.
    TooDeep,
}

/// One problem found in a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// What sort of problem this is.
    pub kind: ErrorKind,
    /// The bytes the problem is about; empty when something is missing at that point.
    pub span: Span,
    /// What is wrong, in a sentence a learner can act on.
    pub message: String,
    /// What they probably meant, when we can tell.
    pub hint: Option<String>,
}

impl ParseError {
    /// An error without a hint.
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            span,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with a hint attached.
    pub fn with_hint(mut self, hint: impl Into<String>) -> ParseError {
        self.hint = Some(hint.into());
        self
    }

    /// The same error with a hint attached, if there is one.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> ParseError {
        self.hint = hint;
        self
    }

    /// Line and column of the error's start in `query`.
    pub fn line_col(&self, query: &str) -> LineCol {
        self.span.start_line_col(query)
    }

    /// This error as `line:col: message`, the query line, a caret line and `hint: ...`.
    pub fn render(&self, query: &str) -> String {
        let mut out = String::new();
        render_one(
            &mut out,
            query,
            self.span,
            &self.message,
            self.hint.as_deref(),
        );
        out
    }
}

impl fmt::Display for ParseError {
    /// The message alone; use [`ParseError::render`] to show it in context.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Renders every error, separated by blank lines, in the order given.
pub fn render(query: &str, errors: &[ParseError]) -> String {
    let mut out = String::new();
    for (i, error) in errors.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(
            &mut out,
            query,
            error.span,
            &error.message,
            error.hint.as_deref(),
        );
    }
    out
}

fn render_one(out: &mut String, query: &str, span: Span, message: &str, hint: Option<&str>) {
    let at = span.start_line_col(query);
    out.push_str(&format!("{}:{}: {}\n", at.line, at.col, message));

    // The line the span starts on, and the part of the span that lies on it: a span that
    // runs onto later lines is underlined to the end of its first line.
    let start = clamp_to_boundary(query, span.start as usize);
    let line_start = query[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = query[start..].find('\n').map_or(query.len(), |i| start + i);
    let line = &query[line_start..line_end];
    let end = clamp_to_boundary(query, (span.end as usize).clamp(start, line_end));
    out.push_str(line);
    out.push('\n');

    // Reproduce tabs in the indentation so the caret lines up however wide a tab is shown.
    for c in query[line_start..start].chars() {
        out.push(if c == '\t' { '\t' } else { ' ' });
    }
    let width = query[start..end].chars().count().max(1);
    out.push_str(&"^".repeat(width));
    out.push('\n');

    if let Some(hint) = hint {
        out.push_str("hint: ");
        out.push_str(hint);
        out.push('\n');
    }
}

/// Why an evaluation failed.
///
/// Contract: `Display` is Prometheus' message for the same failure, word for word, where
/// Prometheus has one (its test scripts match `expect fail msg:` against it). Variants that
/// only we raise say so.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalErrorKind {
    /// A binary operation found two series with the same matching labels on the side that
    /// must have one: "found duplicate series for the match group ...".
    ManyToMany {
        /// The matching labels, printed as a label set (`{job="a"}`).
        group: String,
        /// `"left"` or `"right"`: the side that should have been the "one" side.
        side: &'static str,
        /// The two series, printed and in sorted order.
        series: [String; 2],
    },
    /// One-to-one matching found several left series for one right series.
    OneToOneMultipleMatches,
    /// `group_left`/`group_right` produced the same output series twice.
    GroupingNotUnique,
    /// Two series with the same labels at the same step, usually after the metric name was
    /// dropped: "vector cannot contain metrics with the same labelset".
    DuplicateLabelset,
    /// More samples held at once than the limit allows.
    TooManySamples,
    /// A grid with more steps than the limit allows (the query's or a subquery's).
    TooManySteps {
        /// The steps asked for.
        steps: u64,
        /// The limit.
        limit: usize,
    },
    /// The caller's progress hook cancelled the evaluation.
    Cancelled,
    /// The query cannot be run as asked, such as a range query whose expression is a
    /// range vector: `invalid expression type "range vector" for range query, must be
    /// Scalar or instant Vector`.
    InvalidQuery(String),
    /// A parameter or argument value the operation cannot use ("Parameter value is NaN",
    /// `invalid label name "..."`, ...); the message is Prometheus'.
    InvalidArgument(String),
    /// A duration expression (`[5m+step()]`, `offset -(1h)`) has no usable value.
    Duration(super::duration::DurationError),
    /// A feature the workbench does not evaluate (yet), such as native-histogram-only
    /// operations; names what.
    Unsupported(String),
    /// A bug: an impossible case reached. Reported instead of panicking.
    Internal(String),
}

impl fmt::Display for EvalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalErrorKind::ManyToMany {
                group,
                side,
                series,
            } => write!(
                f,
                "found duplicate series for the match group {group} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                series[0], series[1]
            ),
            EvalErrorKind::OneToOneMultipleMatches => f.write_str(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
            ),
            EvalErrorKind::GroupingNotUnique => {
                f.write_str("multiple matches for labels: grouping labels must ensure unique matches")
            }
            EvalErrorKind::DuplicateLabelset => {
                f.write_str("vector cannot contain metrics with the same labelset")
            }
            EvalErrorKind::TooManySamples => f.write_str(
                "query processing would load too many samples into memory in query execution",
            ),
            EvalErrorKind::TooManySteps { limit, .. } => write!(
                f,
                "exceeded maximum resolution of {} points per timeseries. Try decreasing the query resolution (?step=XX)",
                group_thousands(*limit as u64)
            ),
            EvalErrorKind::Cancelled => f.write_str("query was canceled in expression evaluation"),
            EvalErrorKind::InvalidArgument(m)
            | EvalErrorKind::InvalidQuery(m)
            | EvalErrorKind::Unsupported(m)
            | EvalErrorKind::Internal(m) => f.write_str(m),
            EvalErrorKind::Duration(e) => write!(f, "{e}"),
        }
    }
}

/// `11000` as `11,000`, as Prometheus prints its resolution limit.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An evaluation failure: what, where, and what a learner might do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// What went wrong.
    pub kind: EvalErrorKind,
    /// The node that failed.
    pub span: Span,
    /// What to try instead, when we can tell.
    pub hint: Option<String>,
}

impl EvalError {
    /// An error about the node at `span`.
    pub fn new(kind: EvalErrorKind, span: Span) -> EvalError {
        EvalError {
            kind,
            span,
            hint: None,
        }
    }

    /// An internal error: an impossible case, reported instead of a panic.
    pub fn internal(message: impl Into<String>, span: Span) -> EvalError {
        EvalError::new(EvalErrorKind::Internal(message.into()), span)
    }

    /// An unusable argument value, with Prometheus' message.
    pub fn invalid_argument(message: impl Into<String>, span: Span) -> EvalError {
        EvalError::new(EvalErrorKind::InvalidArgument(message.into()), span)
    }

    /// The same error with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> EvalError {
        self.hint = Some(hint.into());
        self
    }

    /// Whether the HTTP API reports it as `bad_data` (the request cannot be run as asked)
    /// rather than `execution` (running it failed).
    pub fn is_bad_data(&self) -> bool {
        matches!(
            self.kind,
            EvalErrorKind::TooManySteps { .. }
                | EvalErrorKind::Duration(_)
                | EvalErrorKind::InvalidQuery(_)
        )
    }

    /// The error as `line:col: message`, the query line, a caret line and a hint.
    pub fn render(&self, query: &str) -> String {
        let mut out = String::new();
        render_one(
            &mut out,
            query,
            self.span,
            &self.kind.to_string(),
            self.hint.as_deref(),
        );
        out
    }
}

impl fmt::Display for EvalError {
    /// Prometheus' message alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for EvalError {}

fn clamp_to_boundary(s: &str, offset: usize) -> usize {
    let mut offset = offset.min(s.len());
    while !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_errors_use_prometheus_messages() {
        let e = EvalError::new(
            EvalErrorKind::ManyToMany {
                group: "{}".into(),
                side: "right",
                series: ["a".into(), "b".into()],
            },
            Span::new(0, 1),
        );
        assert_eq!(
            e.to_string(),
            "found duplicate series for the match group {} on the right hand-side of the operation: [a, b];many-to-many matching not allowed: matching labels must be unique on one side"
        );
        let steps = EvalErrorKind::TooManySteps {
            steps: 20_000,
            limit: 11_000,
        };
        assert!(
            steps
                .to_string()
                .starts_with("exceeded maximum resolution of 11,000 points")
        );
        assert_eq!(group_thousands(50_000_000), "50,000,000");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn renders_position_line_caret_and_hint() {
        let e = ParseError::new(ErrorKind::Type, Span::new(5, 6), "needs a range")
            .with_hint("add a range such as [5m]");
        assert_eq!(
            e.render("rate(x)"),
            "1:6: needs a range\nrate(x)\n     ^\nhint: add a range such as [5m]\n"
        );
    }

    #[test]
    fn carets_follow_tabs_and_stop_at_the_end_of_the_line() {
        let q = "sum(\n\tfoo{a=\"b\",\n  c=\"d\"})";
        let start = q.find("foo").unwrap() as u32;
        let e = ParseError::new(ErrorKind::Unclosed, Span::new(start, q.len() as u32), "m");
        assert_eq!(e.render(q), "2:2: m\n\tfoo{a=\"b\",\n\t^^^^^^^^^^\n");
    }

    #[test]
    fn empty_spans_get_one_caret_and_errors_are_separated() {
        let a = ParseError::new(ErrorKind::Syntax, Span::empty(2), "missing");
        let b = ParseError::new(ErrorKind::Syntax, Span::new(0, 1), "first");
        assert_eq!(
            render("1+", &[b, a]),
            "1:1: first\n1+\n^\n\n1:3: missing\n1+\n  ^\n"
        );
    }
}
