//! Rewriting and joining labels.

use super::{Function, Implementation, VectorCall, whole_call};
use crate::promql::error::{EvalError, EvalErrorKind};
use crate::promql::matcher::LabelRegex;
use crate::promql::types::ValueType::{String as Str, Vector};
use crate::promql::value::{StepSeries, StepValue};
use crate::tsdb::Labels;
use crate::tsdb::labels::METRIC_NAME;
use std::collections::HashMap;

pub(super) static FUNCTIONS: &[Function] = &[
    Function {
        name: "label_replace",
        args: &[Vector, Str, Str, Str, Str],
        variadic: 0,
        returns: Vector,
        doc: "Sets a label (2nd argument) to a replacement (3rd) built from a regex (5th) matched against another label (4th).",
        example: "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
        experimental: false,
        implementation: whole_call(label_replace),
    },
    Function {
        name: "label_join",
        args: &[Vector, Str, Str, Str],
        variadic: -1,
        returns: Vector,
        doc: "Sets a label (2nd argument) to the values of the source labels (4th onwards) joined by a separator (3rd).",
        example: "label_join(up, \"target\", \"/\", \"job\", \"instance\")",
        experimental: false,
        implementation: whole_call(label_join),
    },
    Function {
        name: "info",
        args: &[Vector, Vector],
        variadic: 1,
        returns: Vector,
        doc: "Adds the labels of matching info metrics (target_info by default) to each series; the optional second argument selects which.",
        example: "info(rate(http_requests_total[5m]), {k8s_cluster_name=~\".+\"})",
        experimental: true,
        implementation: Implementation::Pending,
    },
];

/// `label_replace(v, dst, replacement, src, regex)`.
fn label_replace(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let destination = call.string_arg(1)?;
    let replacement = call.string_arg(2)?;
    let source = call.string_arg(3)?;
    let regex = call.string_arg(4)?;
    let replace = LabelReplace::new(&destination, &replacement, &source, &regex).map_err(|e| {
        let at = match e {
            LabelFunctionError::InvalidRegex(_) => 4,
            _ => 1,
        };
        EvalError::invalid_argument(e.to_string(), call.spans.arg(at))
    })?;
    let mut v = call.take_vector_arg(0)?;
    for s in &mut v.series {
        if let Some(labels) = replace.apply(&s.labels) {
            s.labels = labels;
            // A new name is what the series is now called: it survives even where an
            // earlier function had marked the old one for removal.
            if replace.destination == METRIC_NAME {
                s.drop_name = false;
            }
        }
    }
    v.series = merge_same_labels(std::mem::take(&mut v.series), call.spans.call)?;
    Ok(StepValue::Vector(v))
}

/// `label_join(v, dst, separator, src...)`.
fn label_join(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let destination = call.string_arg(1)?;
    let separator = call.string_arg(2)?;
    let mut sources = Vec::with_capacity(call.exprs.len().saturating_sub(3));
    for i in 3..call.exprs.len() {
        sources.push(call.string_arg(i)?);
    }
    let source_refs: Vec<&[u8]> = sources.iter().map(Vec::as_slice).collect();
    let join = LabelJoin::new(&destination, &separator, &source_refs).map_err(|e| {
        let at = match &e {
            LabelFunctionError::InvalidJoinSource(bad) => (3..call.exprs.len())
                .find(|&i| sources.get(i - 3).is_some_and(|s| lossy(s) == *bad))
                .unwrap_or(1),
            _ => 1,
        };
        EvalError::invalid_argument(e.to_string(), call.spans.arg(at))
    })?;
    let mut v = call.take_vector_arg(0)?;
    for s in &mut v.series {
        s.labels = join.apply(&s.labels);
        if join.destination == METRIC_NAME {
            s.drop_name = false;
        }
    }
    v.series = merge_same_labels(std::mem::take(&mut v.series), call.spans.call)?;
    Ok(StepValue::Vector(v))
}

/// Merges series that ended up with the same labels, as Prometheus does after relabelling:
/// they may take turns over time, but two values at the same step are "vector cannot
/// contain metrics with the same labelset". Order is first appearance.
pub(super) fn merge_same_labels(
    series: Vec<StepSeries>,
    span: crate::promql::span::Span,
) -> Result<Vec<StepSeries>, EvalError> {
    if series.len() < 2 {
        return Ok(series);
    }
    let mut out: Vec<StepSeries> = Vec::with_capacity(series.len());
    let mut index: HashMap<crate::tsdb::Labels, usize> = HashMap::with_capacity(series.len());
    for s in series {
        match index.get(&s.labels) {
            Some(&k) => {
                let target = &mut out[k];
                for (i, v) in s.present() {
                    if target.get(i).is_some() {
                        return Err(EvalError::new(EvalErrorKind::DuplicateLabelset, span));
                    }
                    target.set(i, v);
                }
            }
            None => {
                index.insert(s.labels.clone(), out.len());
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// Whether a string may name a label: Prometheus 3 accepts any non-empty UTF-8 string.
/// `bytes` are a string literal's exact bytes, which may not be UTF-8.
pub fn is_valid_label_name(bytes: &[u8]) -> bool {
    !bytes.is_empty() && std::str::from_utf8(bytes).is_ok()
}

/// The checked arguments of a `label_replace` call, prepared once for the whole query.
#[derive(Debug, Clone)]
pub struct LabelReplace {
    /// The label to set.
    pub destination: String,
    /// The replacement template, with `$1`, `$name` and `${name}` references.
    pub replacement: String,
    /// The label the regex is matched against (absent labels read as "").
    pub source: String,
    /// The regex, anchored at both ends.
    pub regex: LabelRegex,
}

/// Why `label_replace` or `label_join` refuses its arguments; the `Display` text is
/// Prometheus' message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelFunctionError {
    /// `label_replace`'s regex does not compile.
    InvalidRegex(String),
    /// `label_replace`'s destination is not a valid label name.
    InvalidReplaceDestination(String),
    /// A `label_join` source is not a valid label name.
    InvalidJoinSource(String),
    /// `label_join`'s destination is not a valid label name.
    InvalidJoinDestination(String),
}

impl std::fmt::Display for LabelFunctionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabelFunctionError::InvalidRegex(r) => {
                write!(f, "invalid regular expression in label_replace(): {r}")
            }
            LabelFunctionError::InvalidReplaceDestination(d) => {
                write!(f, "invalid destination label name in label_replace(): {d}")
            }
            LabelFunctionError::InvalidJoinSource(s) => {
                write!(f, "invalid source label name in label_join(): {s}")
            }
            LabelFunctionError::InvalidJoinDestination(d) => {
                write!(f, "invalid destination label name in label_join(): {d}")
            }
        }
    }
}

impl std::error::Error for LabelFunctionError {}

/// A string argument as text for a message: lossy where its bytes are not UTF-8.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl LabelReplace {
    /// Checks `label_replace`'s string arguments (exact bytes) in Prometheus' order: the
    /// regex first, then the destination name.
    pub fn new(
        destination: &[u8],
        replacement: &[u8],
        source: &[u8],
        regex: &[u8],
    ) -> Result<LabelReplace, LabelFunctionError> {
        let pattern = std::str::from_utf8(regex)
            .map_err(|_| LabelFunctionError::InvalidRegex(lossy(regex)))?;
        let regex = LabelRegex::new(pattern)
            .map_err(|_| LabelFunctionError::InvalidRegex(pattern.to_string()))?;
        if !is_valid_label_name(destination) {
            return Err(LabelFunctionError::InvalidReplaceDestination(lossy(
                destination,
            )));
        }
        Ok(LabelReplace {
            destination: lossy(destination),
            replacement: lossy(replacement),
            source: lossy(source),
            regex,
        })
    }

    /// The series' new labels, or `None` when the regex does not match the source label's
    /// value and the series keeps its labels. A replacement that expands to "" removes the
    /// destination label.
    pub fn apply(&self, labels: &Labels) -> Option<Labels> {
        let value = labels.value_or_empty(&self.source);
        let captures = self.regex.as_regex().captures(value)?;
        let replaced = expand(&self.replacement, &captures, self.regex.as_regex());
        Some(labels.with(&self.destination, &replaced))
    }
}

/// Expands `$1`, `$name` and `${name}` in `template` from a match, exactly as Go's
/// `Regexp.Expand` does (Rust's `Captures::expand` reads `$01` as group 1 where Go reads it
/// as the group named "01", and differs on non-ASCII names).
///
/// A name is the longest run of letters, digits and `_`; `$$` is a literal `$`; a `$` that
/// starts no valid reference is kept as it is; a reference to a group that does not exist
/// or did not participate expands to nothing.
pub fn expand(template: &str, captures: &regex::Captures<'_>, regex: &regex::Regex) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest[1..].starts_with('$') {
            out.push('$');
            rest = &rest[2..];
            continue;
        }
        let Some((name, after)) = reference(rest) else {
            out.push('$');
            rest = &rest[1..];
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(n) => captures.get(n),
            None => regex
                .capture_names()
                .position(|n| n == Some(name))
                .and_then(|i| captures.get(i)),
        };
        if let Some(m) = group {
            out.push_str(m.as_str());
        }
    }
    out.push_str(rest);
    out
}

/// The name of the reference at the start of `s` (which starts with `$`) and the text after
/// it, as Go's `extract` reads it.
fn reference(s: &str) -> Option<(&str, &str)> {
    let body = &s[1..];
    let (braced, body) = match body.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, body),
    };
    let end = body
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || c.is_numeric() || c == '_'))
        .map_or(body.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    let after = &body[end..];
    if braced {
        let after = after.strip_prefix('}')?;
        return Some((name, after));
    }
    Some((name, after))
}

/// A reference names a group by number when it is all ASCII digits, has no leading zero
/// and stays below 10^8.
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || (name.len() > 1 && name.starts_with('0')) {
        return None;
    }
    let n: usize = name.parse().ok()?;
    (n < 100_000_000).then_some(n)
}

/// The checked arguments of a `label_join` call.
#[derive(Debug, Clone)]
pub struct LabelJoin {
    /// The label to set.
    pub destination: String,
    /// Put between the source values.
    pub separator: String,
    /// The labels whose values are joined, in order (absent labels read as "").
    pub sources: Vec<String>,
}

impl LabelJoin {
    /// Checks `label_join`'s string arguments (exact bytes) in Prometheus' order: each
    /// source name, then the destination name.
    pub fn new(
        destination: &[u8],
        separator: &[u8],
        sources: &[&[u8]],
    ) -> Result<LabelJoin, LabelFunctionError> {
        let mut checked = Vec::with_capacity(sources.len());
        for s in sources {
            if !is_valid_label_name(s) {
                return Err(LabelFunctionError::InvalidJoinSource(lossy(s)));
            }
            checked.push(lossy(s));
        }
        if !is_valid_label_name(destination) {
            return Err(LabelFunctionError::InvalidJoinDestination(lossy(
                destination,
            )));
        }
        Ok(LabelJoin {
            destination: lossy(destination),
            separator: lossy(separator),
            sources: checked,
        })
    }

    /// The series' new labels: the destination set to the joined values (removed when the
    /// result is empty).
    pub fn apply(&self, labels: &Labels) -> Labels {
        let mut joined = String::new();
        for (i, s) in self.sources.iter().enumerate() {
            if i > 0 {
                joined.push_str(&self.separator);
            }
            joined.push_str(labels.value_or_empty(s));
        }
        labels.with(&self.destination, &joined)
    }
}

// Expected values are copied digit for digit from Prometheus' test files.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(pairs.iter().copied()).unwrap()
    }

    fn replace(dst: &str, repl: &str, src: &str, regex: &str) -> LabelReplace {
        LabelReplace::new(
            dst.as_bytes(),
            repl.as_bytes(),
            src.as_bytes(),
            regex.as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn label_replace_matches_the_whole_value() {
        let s = labels(&[
            ("__name__", "testmetric"),
            ("src", "source-value-10"),
            ("dst", "original"),
        ]);
        let r = replace("dst", "destination-value-$1", "src", "source-value-(.*)");
        assert_eq!(
            r.apply(&s).unwrap().get("dst"),
            Some("destination-value-10")
        );
        assert!(
            replace("dst", "x-$1", "src", "value-(.*)")
                .apply(&s)
                .is_none()
        );
        let both = replace("dst", "$1-value-$2", "src", "(.*)-value-(.*)");
        assert_eq!(both.apply(&s).unwrap().get("dst"), Some("source-value-10"));
        // An absent source label reads as "": it matches (.*) and sets the label.
        let r = replace("dst", "value-$1", "nonexistent-src", "(.*)");
        assert_eq!(r.apply(&s).unwrap().get("dst"), Some("value-"));
        assert!(
            replace("dst", "value-$1", "nonexistent-src", "source-value-(.*)")
                .apply(&s)
                .is_none()
        );
        // An empty result removes the label.
        assert_eq!(
            replace("dst", "", "dst", ".*")
                .apply(&s)
                .unwrap()
                .get("dst"),
            None
        );
    }

    #[test]
    fn label_replace_errors_are_prometheus_messages() {
        let e = LabelReplace::new(b"dst", b"v", b"src", b"(.*").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid regular expression in label_replace(): (.*"
        );
        let e = LabelReplace::new(b"\xff", b"", b"src", b"(.*)").unwrap_err();
        assert!(matches!(
            e,
            LabelFunctionError::InvalidReplaceDestination(_)
        ));
        assert!(LabelReplace::new(b"", b"", b"src", b"(.*)").is_err());
        // Prometheus 3 accepts any UTF-8 name.
        assert!(LabelReplace::new("ünïcode.name".as_bytes(), b"", b"src", b"(.*)").is_ok());
    }

    #[test]
    fn expansion_follows_go() {
        let re = regex::Regex::new("^(?s:(?P<first>a+)(b*)(x)?)$").unwrap();
        let caps = re.captures("aab").unwrap();
        let e = |t: &str| expand(t, &caps, &re);
        assert_eq!(e("$1|$2|$first|${first}s"), "aa|b|aa|aas");
        assert_eq!(e("$1x"), "", "a name is the longest run of name characters");
        assert_eq!(e("${1}x"), "aax");
        assert_eq!(e("$$1"), "$1");
        assert_eq!(e("$01"), "", "a leading zero makes it a name");
        assert_eq!(e("$3|$9|$nope"), "||");
        assert_eq!(e("a$"), "a$");
        assert_eq!(e("$-"), "$-");
        assert_eq!(e("${first"), "${first");
        assert_eq!(e("${}"), "${}");
    }

    #[test]
    fn label_join_joins_in_order() {
        let s = labels(&[("src", "a"), ("src1", "b"), ("src2", "c"), ("dst", "orig")]);
        let j = |dst: &str, sep: &str, srcs: &[&str]| {
            let srcs: Vec<&[u8]> = srcs.iter().map(|s| s.as_bytes()).collect();
            LabelJoin::new(dst.as_bytes(), sep.as_bytes(), &srcs)
                .unwrap()
                .apply(&s)
        };
        assert_eq!(
            j("dst", "-", &["src", "src1", "src2"]).get("dst"),
            Some("a-b-c")
        );
        assert_eq!(
            j("dst", "-", &["src", "src3", "src1"]).get("dst"),
            Some("a--b")
        );
        assert_eq!(j("dst", "", &["emptysrc", "emptysrc1"]).get("dst"), None);
        assert_eq!(j("dst", ", ", &[]).get("dst"), None);
        let e = LabelJoin::new(b"dst", b"-", &[b"\xff"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid source label name in label_join(): \u{fffd}"
        );
        assert!(matches!(
            LabelJoin::new(b"", b"-", &[b"a"]),
            Err(LabelFunctionError::InvalidJoinDestination(_))
        ));
    }
}
