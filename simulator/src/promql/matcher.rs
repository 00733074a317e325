//! Label matchers: `job="api"`, `code!="200"`, `path=~"/api/.*"`, `env!~"dev|test"`.
//!
//! A regular expression is compiled when the query is parsed, for two reasons: a learner
//! sees a broken regex as a parse error pointing at the string, and the parser needs to know
//! whether a matcher accepts the empty string to reject selectors that match every series.
//! The compiled regex is kept on the matcher so the evaluator does not compile it again.

use super::span::Span;
use serde::{Serialize, Serializer};
use std::fmt;

/// The four ways a matcher compares a label value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`: the value equals the string (an absent label has value "").
    Equal,
    /// `!=`: the value differs from the string.
    NotEqual,
    /// `=~`: the whole value matches the regular expression.
    Regex,
    /// `!~`: the whole value does not match the regular expression.
    NotRegex,
}

impl MatchOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }

    /// Whether the value is a regular expression.
    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Regex | MatchOp::NotRegex)
    }
}

impl Serialize for MatchOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

/// A compiled matcher regex, anchored as Prometheus anchors it: `^(?s:pattern)$`, so it must
/// match the whole value and `.` matches newlines too.
#[derive(Clone)]
pub struct LabelRegex {
    pattern: String,
    regex: regex::Regex,
}

/// Why a matcher's regular expression is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexError {
    /// A short description of the problem, such as "unclosed group".
    pub message: String,
    /// Byte range of the problem within the pattern, when the regex parser gives one.
    pub pattern_span: Option<(usize, usize)>,
}

/// Compiled regexes are bounded so a hostile pattern such as `(a{1000}){1000}` is rejected
/// quickly instead of taking memory and time from the browser tab.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl LabelRegex {
    /// Compiles `pattern` (the unquoted string after `=~` or `!~`).
    pub fn new(pattern: &str) -> Result<LabelRegex, RegexError> {
        // Parse the pattern on its own first. Compiling only the anchored form would accept
        // `a)|(b`, which escapes the wrapping group; Prometheus parses the bare pattern too.
        if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(pattern) {
            let span = e.span();
            return Err(RegexError {
                message: e.kind().to_string(),
                pattern_span: Some((span.start.offset, span.end.offset)),
            });
        }
        let regex = regex::RegexBuilder::new(&format!("^(?s:{pattern})$"))
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| RegexError {
                message: match e {
                    regex::Error::CompiledTooBig(_) => {
                        "the regular expression is too large once compiled".to_string()
                    }
                    // The message has the details on its last line, after a drawing of the
                    // pattern that would be confusing next to our own caret.
                    other => other
                        .to_string()
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("invalid regular expression")
                        .trim_start_matches("error: ")
                        .to_string(),
                },
                pattern_span: None,
            })?;
        Ok(LabelRegex {
            pattern: pattern.to_string(),
            regex,
        })
    }

    /// The pattern as written, without the anchoring.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }
}

impl PartialEq for LabelRegex {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl fmt::Debug for LabelRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LabelRegex({:?})", self.pattern)
    }
}

/// One label matcher inside `{...}`, or the matcher a metric name stands for.
///
/// A metric name written before the braces (`up{job="a"}`) becomes an `__name__="up"`
/// matcher placed last, as Prometheus does; its spans are all the name's span. A quoted name
/// alone in the braces (`{"my.metric"}`) is also an `__name__` matcher, spanning the string.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matcher {
    /// The label name, unquoted.
    pub name: String,
    /// Where the label name is.
    pub name_span: Span,
    /// How the value is compared.
    pub op: MatchOp,
    /// Where the operator is.
    pub op_span: Span,
    /// The value (or regular expression), unquoted.
    pub value: String,
    /// Where the quoted value is, quotes included.
    pub value_span: Span,
    /// The whole matcher.
    pub span: Span,
    /// The compiled regex for `=~` and `!~`.
    #[serde(skip)]
    pub regex: Option<LabelRegex>,
}

impl Matcher {
    /// Whether a series whose label has `value` (an absent label counts as "") is selected.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            // The parser always compiles the regex; without one, fall back to comparing
            // the pattern literally rather than panicking.
            MatchOp::Regex => self
                .regex
                .as_ref()
                .map_or(value == self.value, |r| r.is_match(value)),
            MatchOp::NotRegex => self
                .regex
                .as_ref()
                .map_or(value != self.value, |r| !r.is_match(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_are_anchored_and_dot_matches_newline() {
        let r = LabelRegex::new("a.c").unwrap();
        assert!(r.is_match("abc"));
        assert!(r.is_match("a\nc"));
        assert!(!r.is_match("xabc"));
        assert!(!r.is_match("abcx"));
        assert!(LabelRegex::new("a|b").unwrap().is_match("b"));
        assert!(LabelRegex::new(".*").unwrap().is_match(""));
    }

    #[test]
    fn bad_regexes_are_rejected_with_a_position() {
        let e = LabelRegex::new("(.*").unwrap_err();
        assert_eq!(e.message, "unclosed group");
        assert_eq!(e.pattern_span, Some((0, 1)));
        assert!(LabelRegex::new("a)|(b").is_err());
        assert!(LabelRegex::new("(a{1000}){1000}").is_err());
    }
}
