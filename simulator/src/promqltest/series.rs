//! Series descriptions: `metric{label="value"} 1+2x3 _ stale -1-2x3 {{...}}`.
//!
//! This is the notation of promqltest's `load` blocks and expected results, and of
//! `promtool test rules` (Prometheus' `ParseSeriesDesc`: the grammar rules `series_description`
//! and `series_item` in `promql/parser/generated_parser.y`, lexed by `lexValueSequence`). A
//! line is a metric (a name, a label set, or both) followed by space-separated items:
//!
//! | item | values |
//! |---|---|
//! | `_` | one omitted point |
//! | `_xN` | N omitted points |
//! | `v` (a number, `Inf`, `NaN`, `stale`, signed or not) | `v` |
//! | `vxN` | N+1 copies of `v` |
//! | `v+dxN`, `v-dxN` | N+1 values: `v`, `v+d`, `v+2d`, ... (by repeated addition, as Go does) |
//! | `{{...}}`, `{{...}}xN`, `{{...}}+{{...}}xN` | native histograms: counted, not parsed |
//!
//! The count `xN` is a decimal integer (`strconv.ParseUint(s, 10, 64)`); values are PromQL
//! number literals without hexadecimal (`0x1` is `0` repeated once, as in Prometheus). We keep
//! native-histogram points only as [`SeqValue::Histogram`] placeholders: the workbench does
//! not evaluate native histograms yet, and the runner skips anything that needs them, but the
//! points still take their slot in time.

use crate::promql::lexer::{Lexer, Mode, TokenKind};
use crate::promql::literals;
use crate::tsdb::labels::METRIC_NAME;
use crate::tsdb::{Labels, STALE_NAN_BITS};
use std::fmt;

/// The most points one description may expand to. The largest line in Prometheus' scripts
/// has about ten thousand; the cap keeps a typo such as `1x1000000000` from allocating
/// gigabytes.
pub const MAX_POINTS: usize = 1_000_000;

/// One point of a description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SeqValue {
    /// `_`: no sample at this step.
    Omitted,
    /// A float sample (a stale marker is the float with [`STALE_NAN_BITS`]).
    Float(f64),
    /// A native-histogram sample, which the workbench does not model yet.
    Histogram,
}

impl SeqValue {
    /// Whether the point is a stale marker.
    pub fn is_stale(self) -> bool {
        matches!(self, SeqValue::Float(v) if v.to_bits() == STALE_NAN_BITS)
    }
}

/// A parsed series description.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesDesc {
    /// The series' labels, `__name__` included.
    pub labels: Labels,
    /// The points, one per step from time 0.
    pub values: Vec<SeqValue>,
}

impl SeriesDesc {
    /// Whether any point is a native histogram.
    pub fn has_histograms(&self) -> bool {
        self.values.iter().any(|v| matches!(v, SeqValue::Histogram))
    }
}

/// Why a description does not parse. `offset` is the byte where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesError {
    /// Byte offset into the line.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SeriesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.offset + 1, self.message)
    }
}

impl std::error::Error for SeriesError {}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SeriesError> {
    Err(SeriesError {
        offset,
        message: message.into(),
    })
}

/// Parses a whole line: a metric and its values.
pub fn parse_series_desc(line: &str) -> Result<SeriesDesc, SeriesError> {
    let (labels, end) = parse_metric(line)?;
    let values = parse_values(line, end)?;
    Ok(SeriesDesc { labels, values })
}

/// Parses the metric at the start of `line` (a name, `{...}`, or a name directly followed by
/// `{...}`) and returns its labels and the byte after it.
pub fn parse_metric(line: &str) -> Result<(Labels, usize), SeriesError> {
    let lexer = Lexer::new(line);
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut pos = 0usize;
    let first = lexer.token_at(0, Mode::Normal);
    if first.span.start != 0 {
        return err(0, "a series description starts with its metric");
    }
    match &first.kind {
        TokenKind::Ident | TokenKind::MetricIdent => {}
        TokenKind::Keyword(k) if k.can_be_metric_name() => {}
        TokenKind::LBrace => {}
        _ => return err(0, "expected a metric name or `{`"),
    }
    if first.kind != TokenKind::LBrace {
        pairs.push((METRIC_NAME.to_string(), first.span.text(line).to_string()));
        pos = first.span.end as usize;
    }
    // A label set must follow the name directly: `metric {a="b"}` is a value sequence that
    // starts with a brace, which Prometheus rejects.
    if line.as_bytes().get(pos) == Some(&b'{') {
        pos = parse_label_set(line, &lexer, pos, &mut pairs)?;
    }
    let labels = Labels::new(pairs).map_err(|e| SeriesError {
        offset: 0,
        message: e.to_string(),
    })?;
    Ok((labels, pos))
}

/// Parses `{name="value", "quoted name"="value", "metric name"}` starting at the `{`;
/// returns the byte after the `}`.
fn parse_label_set(
    line: &str,
    lexer: &Lexer<'_>,
    open: usize,
    pairs: &mut Vec<(String, String)>,
) -> Result<usize, SeriesError> {
    let mut pos = open as u32 + 1;
    loop {
        let tok = lexer.token_at(pos, Mode::Braces);
        match tok.kind {
            TokenKind::RBrace => return Ok(tok.span.end as usize),
            TokenKind::Ident | TokenKind::String => {}
            _ => return err(tok.span.start as usize, "expected a label name or `}`"),
        }
        let name = match tok.kind {
            TokenKind::String => unquote(line, tok.span.start, tok.span.end)?,
            _ => tok.span.text(line).to_string(),
        };
        let after = lexer.token_at(tok.span.end, Mode::Braces);
        match after.kind {
            TokenKind::Assign => {
                let value = lexer.token_at(after.span.end, Mode::Braces);
                if value.kind != TokenKind::String {
                    return err(value.span.start as usize, "expected a quoted label value");
                }
                pairs.push((name, unquote(line, value.span.start, value.span.end)?));
                pos = value.span.end;
            }
            // A quoted name on its own is the metric name (Prometheus 3's UTF-8 names).
            TokenKind::Comma | TokenKind::RBrace if tok.kind == TokenKind::String => {
                pairs.push((METRIC_NAME.to_string(), name));
                pos = tok.span.end;
            }
            _ => return err(after.span.start as usize, "expected `=` after a label name"),
        }
        let sep = lexer.token_at(pos, Mode::Braces);
        match sep.kind {
            TokenKind::Comma => pos = sep.span.end,
            TokenKind::RBrace => return Ok(sep.span.end as usize),
            _ => return err(sep.span.start as usize, "expected `,` or `}`"),
        }
    }
}

fn unquote(line: &str, start: u32, end: u32) -> Result<String, SeriesError> {
    let text = line.get(start as usize..end as usize).unwrap_or("");
    let bytes = literals::unquote(text).map_err(|_| SeriesError {
        offset: start as usize,
        message: "invalid quoted string".into(),
    })?;
    String::from_utf8(bytes).map_err(|_| SeriesError {
        offset: start as usize,
        message: "a label is not valid UTF-8".into(),
    })
}

/// A token of a value sequence, as `lexValueSequence` produces them.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Space,
    Add,
    Sub,
    Times,
    Blank,
    /// A number's text (digits, `.`, `_`, exponent) or `Inf`/`NaN`.
    Number(String),
    Stale,
    /// A whole `{{...}}` native-histogram description.
    Histogram,
}

fn lex_values(line: &str, start: usize) -> Result<Vec<(Tok, usize)>, SeriesError> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        let at = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                out.push((Tok::Space, at));
                continue;
            }
            b'+' => out.push((Tok::Add, at)),
            b'-' => out.push((Tok::Sub, at)),
            b'x' => out.push((Tok::Times, at)),
            b'_' => out.push((Tok::Blank, at)),
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                // The inside of a histogram description is not modelled; find its end.
                match line[i + 2..].find("}}") {
                    Some(n) => {
                        i += 2 + n + 2;
                        out.push((Tok::Histogram, at));
                        continue;
                    }
                    None => return err(at, "unclosed native histogram `{{`"),
                }
            }
            b'0'..=b'9' | b'.' if c != b'.' || bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = scan_number(bytes, i).ok_or_else(|| SeriesError {
                    offset: at,
                    message: format!("bad number syntax: {:?}", &line[at..number_end(bytes, i)]),
                })?;
                out.push((Tok::Number(line[i..end].to_string()), at));
                i = end;
                continue;
            }
            c if c.is_ascii_alphabetic() => {
                let mut end = i;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b':'))
                {
                    end += 1;
                }
                let word = &line[i..end];
                let lower = word.to_ascii_lowercase();
                if lower == "inf" || lower == "nan" {
                    out.push((Tok::Number(word.to_string()), at));
                } else if word == "stale" {
                    out.push((Tok::Stale, at));
                } else {
                    return err(
                        at,
                        format!(
                            "unexpected {word:?} in series values, expected a number or \"stale\""
                        ),
                    );
                }
                i = end;
                continue;
            }
            _ => {
                let ch = line[i..].chars().next().unwrap_or('?');
                return err(
                    at,
                    format!("unexpected character in series sequence: {ch:?}"),
                );
            }
        }
        i += 1;
    }
    Ok(out)
}

/// Where a malformed number ends, for the message.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'_')) {
        i += 1;
    }
    i
}

/// Prometheus' `scanNumber` in a series description: `[.][d][d._eE]*` with at most one dot
/// and one exponent, `_` only between digits, no hexadecimal, and the number must not be
/// followed by a letter or digit other than the `x` of a repetition. Returns the end.
fn scan_number(bytes: &[u8], start: usize) -> Option<usize> {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = start;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
    }
    if digit(i) {
        i += 1;
    }
    let (mut dot, mut exp) = (bytes[start] == b'.', false);
    while let Some(&c) = bytes.get(i) {
        match c {
            b'0'..=b'9' => i += 1,
            b'.' => {
                if dot {
                    return None;
                }
                dot = true;
                i += 1;
                if matches!(bytes.get(i), Some(b'_' | b'.')) {
                    return None;
                }
            }
            b'e' | b'E' => {
                if exp {
                    return None;
                }
                exp = true;
                i += 1;
                if matches!(bytes.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
                if matches!(bytes.get(i), None | Some(b'.' | b'_' | b'e' | b'E')) {
                    return None;
                }
            }
            b'_' => {
                i += 1;
                if matches!(bytes.get(i), None | Some(b'.' | b'_' | b'e' | b'E')) {
                    return None;
                }
            }
            _ => break,
        }
    }
    if i == start {
        return None;
    }
    match bytes.get(i) {
        Some(b'x') => Some(i),
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => None,
        _ => Some(i),
    }
}

/// Parses the values after the metric, from byte `start` of `line`.
pub fn parse_values(line: &str, start: usize) -> Result<Vec<SeqValue>, SeriesError> {
    let toks = lex_values(line, start)?;
    let mut out: Vec<SeqValue> = Vec::new();
    let mut i = 0;
    // `series_values: series_values SPACE series_item | series_values SPACE`: every item is
    // preceded by at least one space, the first one included.
    while i < toks.len() {
        let (tok, at) = &toks[i];
        if *tok != Tok::Space {
            return err(*at, "expected a space between series values");
        }
        i += 1;
        if i == toks.len() {
            break;
        }
        i = parse_item(line, &toks, i, &mut out)?;
        if out.len() > MAX_POINTS {
            return err(
                start,
                format!("more than {MAX_POINTS} points in one series"),
            );
        }
    }
    Ok(out)
}

fn tok_at(toks: &[(Tok, usize)], i: usize, line: &str) -> (Tok, usize) {
    toks.get(i).cloned().unwrap_or((Tok::Space, line.len()))
}

/// Reads `x<uint>` at `i`, if there.
fn repetition(line: &str, toks: &[(Tok, usize)], i: usize) -> Result<Option<u64>, SeriesError> {
    let (tok, _) = tok_at(toks, i, line);
    if tok != Tok::Times {
        return Ok(None);
    }
    match tok_at(toks, i + 1, line) {
        (Tok::Number(text), at) => match text.parse::<u64>() {
            Ok(n) if n <= MAX_POINTS as u64 => Ok(Some(n)),
            Ok(_) => err(at, format!("more than {MAX_POINTS} points in one series")),
            Err(e) => err(at, format!("invalid repetition in series values: {e}")),
        },
        (_, at) => err(at, "expected a repetition count after `x`"),
    }
}

/// Reads a `series_value` (a number, signed or not, or `stale`) at `i`.
fn value(line: &str, toks: &[(Tok, usize)], i: usize) -> Result<Option<(f64, usize)>, SeriesError> {
    match tok_at(toks, i, line) {
        (Tok::Stale, _) => Ok(Some((f64::from_bits(STALE_NAN_BITS), i + 1))),
        (Tok::Number(text), at) => Ok(Some((number(&text, at)?, i + 1))),
        (Tok::Add | Tok::Sub, _) => signed(line, toks, i),
        _ => Ok(None),
    }
}

/// Reads a `signed_number` (`+n` or `-n`) at `i`.
fn signed(
    line: &str,
    toks: &[(Tok, usize)],
    i: usize,
) -> Result<Option<(f64, usize)>, SeriesError> {
    let (sign, _) = tok_at(toks, i, line);
    let negative = match sign {
        Tok::Add => false,
        Tok::Sub => true,
        _ => return Ok(None),
    };
    match tok_at(toks, i + 1, line) {
        (Tok::Number(text), at) => {
            let v = number(&text, at)?;
            Ok(Some((if negative { -v } else { v }, i + 2)))
        }
        (_, at) => err(at, "expected a number after the sign"),
    }
}

fn number(text: &str, at: usize) -> Result<f64, SeriesError> {
    literals::parse_number(text).map_err(|_| SeriesError {
        offset: at,
        message: format!("invalid number {text:?}"),
    })
}

fn parse_item(
    line: &str,
    toks: &[(Tok, usize)],
    i: usize,
    out: &mut Vec<SeqValue>,
) -> Result<usize, SeriesError> {
    let (tok, at) = tok_at(toks, i, line);
    match tok {
        Tok::Blank => match repetition(line, toks, i + 1)? {
            // `_xN` is N omitted points, unlike `vxN`, which is N+1 values.
            Some(n) => {
                out.extend(std::iter::repeat_n(SeqValue::Omitted, n as usize));
                Ok(i + 3)
            }
            None => {
                out.push(SeqValue::Omitted);
                Ok(i + 1)
            }
        },
        Tok::Histogram => {
            let (next, _) = tok_at(toks, i + 1, line);
            let (n, end) = match next {
                Tok::Times => match repetition(line, toks, i + 1)? {
                    Some(n) => (n + 1, i + 3),
                    None => return err(at, "expected a repetition count"),
                },
                Tok::Add | Tok::Sub => {
                    if tok_at(toks, i + 2, line).0 != Tok::Histogram {
                        return err(at, "expected a histogram increment");
                    }
                    match repetition(line, toks, i + 3)? {
                        Some(n) => (n + 1, i + 5),
                        None => return err(at, "expected a repetition count"),
                    }
                }
                _ => (1, i + 1),
            };
            out.extend(std::iter::repeat_n(SeqValue::Histogram, n as usize));
            Ok(end)
        }
        _ => {
            let Some((v, next)) = value(line, toks, i)? else {
                return err(at, "expected a number, \"stale\", \"_\" or a histogram");
            };
            if let Some(n) = repetition(line, toks, next)? {
                out.extend(std::iter::repeat_n(SeqValue::Float(v), n as usize + 1));
                return Ok(next + 2);
            }
            if let Some((delta, after)) = signed(line, toks, next)? {
                let Some(n) = repetition(line, toks, after)? else {
                    return err(at, "expected `x<count>` after the increment");
                };
                // Repeated addition, as Prometheus' parser does, so values match bit for bit.
                let mut v = v;
                for _ in 0..=n {
                    out.push(SeqValue::Float(v));
                    v += delta;
                }
                return Ok(after + 2);
            }
            out.push(SeqValue::Float(v));
            Ok(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(line: &str) -> Vec<Option<f64>> {
        parse_series_desc(line)
            .unwrap()
            .values
            .into_iter()
            .map(|v| match v {
                SeqValue::Float(f) => Some(f),
                SeqValue::Omitted => None,
                SeqValue::Histogram => Some(-999.0),
            })
            .collect()
    }

    #[test]
    fn expansion_notation() {
        assert_eq!(
            floats("m 1+2x3"),
            [Some(1.0), Some(3.0), Some(5.0), Some(7.0)]
        );
        assert_eq!(floats("m 1-2x2"), [Some(1.0), Some(-1.0), Some(-3.0)]);
        assert_eq!(floats("m -1-2x2"), [Some(-1.0), Some(-3.0), Some(-5.0)]);
        assert_eq!(floats("m 5x2"), [Some(5.0); 3]);
        assert_eq!(floats("m _x3 1"), [None, None, None, Some(1.0)]);
        assert_eq!(floats("m _ 1 _"), [None, Some(1.0), None]);
        assert_eq!(
            floats("m +Inf -Inf"),
            [Some(f64::INFINITY), Some(f64::NEG_INFINITY)]
        );
        assert_eq!(
            floats("m 1e3 .5 1_000"),
            [Some(1000.0), Some(0.5), Some(1000.0)]
        );
        // Leading zeros are octal, as Go's ParseInt(s, 0, 64) reads them.
        assert_eq!(floats("m 010"), [Some(8.0)]);
        // No hexadecimal in descriptions: `0x1` is 0 repeated once.
        assert_eq!(floats("m 0x1"), [Some(0.0), Some(0.0)]);
        assert_eq!(floats("m"), []);
        assert_eq!(floats("m   1    2  "), [Some(1.0), Some(2.0)]);
    }

    #[test]
    fn nan_and_stale_are_distinct() {
        let d = parse_series_desc("m NaN stale").unwrap();
        match d.values[..] {
            [SeqValue::Float(a), b] => {
                assert!(a.is_nan() && a.to_bits() != STALE_NAN_BITS);
                assert!(b.is_stale());
            }
            _ => panic!("{d:?}"),
        }
    }

    #[test]
    fn increments_add_repeatedly_like_go() {
        let mut expected = Vec::new();
        let mut v = 0.0f64;
        for _ in 0..=10 {
            expected.push(Some(v));
            v += 0.1;
        }
        assert_eq!(floats("m 0+0.1x10"), expected);
    }

    #[test]
    fn metrics() {
        let d = parse_series_desc(r#"http_requests{job="api-server", instance="0"} 1"#).unwrap();
        assert_eq!(
            d.labels.to_string(),
            r#"http_requests{instance="0", job="api-server"}"#
        );
        let d = parse_series_desc(r#"{__name__="x", a="b",} 1"#).unwrap();
        assert_eq!(d.labels.metric_name(), Some("x"));
        let d = parse_series_desc(r#"{"metric.name", "label.one"="v"} 1"#).unwrap();
        assert_eq!(d.labels.metric_name(), Some("metric.name"));
        assert_eq!(d.labels.get("label.one"), Some("v"));
        let d = parse_series_desc(r#"{} 1"#).unwrap();
        assert!(d.labels.is_empty());
        let d = parse_series_desc("job:rate:sum 1").unwrap();
        assert_eq!(d.labels.metric_name(), Some("job:rate:sum"));
        // Keywords that may name a metric.
        let d = parse_series_desc("sum 1").unwrap();
        assert_eq!(d.labels.metric_name(), Some("sum"));
    }

    #[test]
    fn histograms_take_their_slots() {
        let d = parse_series_desc("m {{schema:1 sum:3 count:22 buckets:[5 10 7]}} 1").unwrap();
        assert_eq!(d.values, [SeqValue::Histogram, SeqValue::Float(1.0)]);
        let d = parse_series_desc("m {{sum:1}}+{{sum:0}}x2 {{sum:1}}x1 _").unwrap();
        assert_eq!(d.values.len(), 6);
        assert!(d.has_histograms());
    }

    #[test]
    fn errors() {
        for bad in [
            "m 1x",
            "m 1+",
            "m 1+2",
            "m 1m",
            "m foo",
            "m 1,2",
            "m {{sum:1",
            "m 1x1e3",
            "m 1x99999999999",
            "m {a=b} 1",
            "m {a=\"b\" 1",
            "m 1 2x3x4",
            "{a=\"1\", a=\"2\"} 1",
            "1 2",
            "",
        ] {
            assert!(parse_series_desc(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
