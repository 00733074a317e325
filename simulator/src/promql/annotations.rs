//! Warnings and infos returned with a result, worded as Prometheus words them.
//!
//! An [`Annotation`] is a value, not a log line: it has a severity, Prometheus' exact text
//! (`PromQL info: metric might not be a counter, ...`) and the [`Span`] of the node it is
//! about, so the editor can underline it. [`Annotations`] deduplicates by text as
//! Prometheus' `annotations.Annotations` map does (an evaluation raising the same warning
//! at every step reports it once) and keeps the first occurrence's span. Rendered for the
//! HTTP API, a position is appended the way Prometheus appends it: ` (line:col)`.

use super::literals::format_float_short;
use super::span::Span;
use serde::Serialize;

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The result may not be what the query meant (`PromQL warning: ...`).
    Warning,
    /// Something worth knowing about the data (`PromQL info: ...`).
    Info,
}

/// One warning or info.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Annotation {
    /// Warning or info.
    pub severity: Severity,
    /// Prometheus' text, prefix included, without the position.
    pub text: String,
    /// The node it is about.
    pub span: Span,
}

impl Annotation {
    /// A warning; `message` is the text after `PromQL warning: `.
    pub fn warning(message: impl AsRef<str>, span: Span) -> Annotation {
        Annotation {
            severity: Severity::Warning,
            text: format!("PromQL warning: {}", message.as_ref()),
            span,
        }
    }

    /// An info; `message` is the text after `PromQL info: `.
    pub fn info(message: impl AsRef<str>, span: Span) -> Annotation {
        Annotation {
            severity: Severity::Info,
            text: format!("PromQL info: {}", message.as_ref()),
            span,
        }
    }

    /// The text with Prometheus' position suffix, ` (line:col)`, where the column counts
    /// bytes from 1 as Prometheus' `StartPosInput` does.
    pub fn render(&self, query: &str) -> String {
        let pos = self.span.start as usize;
        if query.is_empty() {
            return format!("{} (unknown position)", self.text);
        }
        if pos > query.len() {
            return format!("{} (invalid position)", self.text);
        }
        let before = &query.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let last_break = before.iter().rposition(|&b| b == b'\n');
        let col = match last_break {
            Some(i) => pos - i,
            None => pos + 1,
        };
        format!("{} ({line}:{col})", self.text)
    }

    /// `rate()` or `increase()` over a series whose name does not look like a counter.
    pub fn possible_non_counter(metric: &str, span: Span) -> Annotation {
        Annotation::info(
            format!(
                "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {}",
                go_quote(metric)
            ),
            span,
        )
    }

    /// A quantile parameter outside [0, 1] (or NaN).
    pub fn invalid_quantile(q: f64, span: Span) -> Annotation {
        Annotation::warning(
            format!(
                "quantile value should be between 0 and 1, got {}",
                format_float_short(q)
            ),
            span,
        )
    }

    /// A `limit_ratio` parameter outside [-1, 1], capped to `to`.
    pub fn invalid_ratio(r: f64, to: f64, span: Span) -> Annotation {
        Annotation::warning(
            format!(
                "ratio value should be between -1 and 1, got {}, capping to {}",
                format_float_short(r),
                format_float_short(to)
            ),
            span,
        )
    }

    /// `sort()` and friends in a range query, where results are ordered by labels anyway.
    pub fn sort_in_range_query(span: Span) -> Annotation {
        Annotation::warning(
            "sort is ineffective for range queries since results are always ordered by labels",
            span,
        )
    }
}

/// Go's `%q` for a string: double quotes with Go escapes. Metric names and label values
/// are valid UTF-8 here, so only quotes, backslashes and control characters are escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The warnings and infos of one evaluation, deduplicated by text, in the order first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Annotations {
    items: Vec<Annotation>,
}

impl Annotations {
    /// No annotations.
    pub fn new() -> Annotations {
        Annotations::default()
    }

    /// Adds `a` unless one with the same text is already there.
    pub fn add(&mut self, a: Annotation) {
        if !self.items.iter().any(|x| x.text == a.text) {
            self.items.push(a);
        }
    }

    /// Adds every annotation of `other`.
    pub fn merge(&mut self, other: Annotations) {
        for a in other.items {
            self.add(a);
        }
    }

    /// All annotations, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.items.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The warnings' texts with positions, sorted (Prometheus returns them in map order;
    /// sorting makes our output deterministic).
    pub fn warnings(&self, query: &str) -> Vec<String> {
        self.rendered(Severity::Warning, query)
    }

    /// The infos' texts with positions, sorted.
    pub fn infos(&self, query: &str) -> Vec<String> {
        self.rendered(Severity::Info, query)
    }

    fn rendered(&self, severity: Severity, query: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .items
            .iter()
            .filter(|a| a.severity == severity)
            .map(|a| a.render(query))
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_wording_and_positions() {
        let q = "rate(foo[5m])";
        let a = Annotation::possible_non_counter("foo", Span::new(5, 12));
        assert_eq!(
            a.render(q),
            "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"foo\" (1:6)"
        );
        let w = Annotation::invalid_quantile(f64::NAN, Span::new(9, 12));
        assert_eq!(
            w.text,
            "PromQL warning: quantile value should be between 0 and 1, got NaN"
        );
        assert_eq!(
            Annotation::invalid_ratio(1.5, 1.0, Span::new(0, 1)).text,
            "PromQL warning: ratio value should be between -1 and 1, got 1.5, capping to 1"
        );
        let multi = "sum(\n  x)";
        assert_eq!(
            Annotation::info("m", Span::new(7, 8)).render(multi),
            "PromQL info: m (2:3)"
        );
    }

    #[test]
    fn deduplicated_by_text() {
        let mut a = Annotations::new();
        a.add(Annotation::warning("x", Span::new(0, 1)));
        a.add(Annotation::warning("x", Span::new(3, 4)));
        a.add(Annotation::info("y", Span::new(0, 1)));
        assert_eq!(a.len(), 2);
        assert_eq!(a.iter().next().unwrap().span, Span::new(0, 1));
        assert_eq!(a.warnings("abcd"), vec!["PromQL warning: x (1:1)"]);
        assert_eq!(a.infos("abcd"), vec!["PromQL info: y (1:1)"]);
    }
}
