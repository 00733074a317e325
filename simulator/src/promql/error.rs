//! Parse errors as values, and their rendering for a person.
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
        render_one(&mut out, query, self);
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
        render_one(&mut out, query, error);
    }
    out
}

fn render_one(out: &mut String, query: &str, error: &ParseError) {
    let at = error.line_col(query);
    out.push_str(&format!("{}:{}: {}\n", at.line, at.col, error.message));

    // The line the span starts on, and the part of the span that lies on it: a span that
    // runs onto later lines is underlined to the end of its first line.
    let start = clamp_to_boundary(query, error.span.start as usize);
    let line_start = query[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = query[start..].find('\n').map_or(query.len(), |i| start + i);
    let line = &query[line_start..line_end];
    let end = clamp_to_boundary(query, (error.span.end as usize).clamp(start, line_end));
    out.push_str(line);
    out.push('\n');

    // Reproduce tabs in the indentation so the caret lines up however wide a tab is shown.
    for c in query[line_start..start].chars() {
        out.push(if c == '\t' { '\t' } else { ' ' });
    }
    let width = query[start..end].chars().count().max(1);
    out.push_str(&"^".repeat(width));
    out.push('\n');

    if let Some(hint) = &error.hint {
        out.push_str("hint: ");
        out.push_str(hint);
        out.push('\n');
    }
}

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
