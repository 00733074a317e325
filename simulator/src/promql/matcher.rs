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
        let translated = translate_go_syntax(pattern);
        // Parse the pattern on its own first. Compiling only the anchored form would accept
        // `a)|(b`, which escapes the wrapping group; Prometheus parses the bare pattern too.
        if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(&translated) {
            let span = e.span();
            return Err(RegexError {
                message: e.kind().to_string(),
                // Offsets are into the translated pattern; they only apply if it is unchanged.
                pattern_span: (translated == pattern)
                    .then_some((span.start.offset, span.end.offset)),
            });
        }
        let regex = regex::RegexBuilder::new(&format!("^(?s:{translated})$"))
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

    /// The compiled, anchored regex, for callers that need capture groups (`label_replace`).
    /// The anchoring group does not capture, so group numbers are the pattern's own.
    pub fn as_regex(&self) -> &regex::Regex {
        &self.regex
    }
}

/// Rewrites the RE2 constructs that Go (and so Prometheus) reads differently from Rust's
/// `regex` crate, so a pattern means what it means in Prometheus:
///
/// * `{` that does not start a repetition (`x{`, `a{,3}`) is a literal brace in Go, an
///   error in Rust;
/// * `\Q...\E` quotes a literal run in Go, which Rust does not support;
/// * inside a character class, Go reads `[`, `&&`, `--` and `~~` literally, where Rust
///   nests classes or applies set operations.
///
/// Everything else is passed through unchanged.
fn translate_go_syntax(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    // Inside a class: the index where its members start (after `[` or `[^`).
    let mut class: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('Q') if class.is_none() => {
                    let mut j = i + 2;
                    while j < chars.len() && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E')) {
                        out.push_str(&regex_syntax::escape(&chars[j].to_string()));
                        j += 1;
                    }
                    i = (j + 2).min(chars.len());
                }
                Some(&next) => {
                    out.push(c);
                    out.push(next);
                    i += 2;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
            continue;
        }
        match class {
            Some(start) => match c {
                ']' if i > start => {
                    class = None;
                    out.push(c);
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // A POSIX class such as [:alpha:], copied through its closing ":]".
                    let end = (i + 2..chars.len().saturating_sub(1))
                        .find(|&k| chars[k] == ':' && chars[k + 1] == ']');
                    match end {
                        Some(k) => {
                            out.extend(&chars[i..k + 2]);
                            i = k + 2;
                            continue;
                        }
                        None => out.push_str("\\["),
                    }
                }
                '[' => out.push_str("\\["),
                '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' if i > start && chars.get(i - 1) == Some(&'-') => out.push_str("\\-"),
                _ => out.push(c),
            },
            None => match c {
                '[' => {
                    out.push(c);
                    if chars.get(i + 1) == Some(&'^') {
                        out.push('^');
                        i += 1;
                    }
                    class = Some(i + 1);
                }
                '{' if !starts_repetition(&chars[i..]) => out.push_str("\\{"),
                _ => out.push(c),
            },
        }
        i += 1;
    }
    out
}

/// Whether the text starts with a counted repetition as Go reads one: `{n}`, `{n,}` or
/// `{n,m}`.
fn starts_repetition(chars: &[char]) -> bool {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    chars.get(i) == Some(&'}')
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
    fn go_syntax_means_what_it_means_in_prometheus() {
        let m = |p: &str, v: &str| LabelRegex::new(p).unwrap().is_match(v);
        assert!(m("x{", "x{"));
        assert!(m("a{,3}", "a{,3}"));
        assert!(m("a{2}", "aa"));
        assert!(m("a{1,}b{0,2}", "aaab"));
        assert!(m(r"\Qa.b\E", "a.b"));
        assert!(!m(r"\Qa.b\E", "axb"));
        assert!(m(r"\Q(\Ex+", "(xx"));
        // Go reads `&&` and `[` inside a class literally: [a-z&[^b] then a literal `]`.
        assert!(m("[a-z&&[^b]]", "b]"));
        assert!(m("[a-z&&[^b]]", "&]"));
        assert!(m("[[:alpha:]]+", "abc"));
        assert!(m("[]a]", "]"));
        assert!(m("[^]a]", "b"));
        assert!(m(r"\{\}", "{}"));
        assert_eq!(translate_go_syntax("a.*b|(c)"), "a.*b|(c)");
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
