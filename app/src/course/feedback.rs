//! The grader's verdict as the page shows it: each `exercises::Feedback` with its sentence
//! rendered, and the structure its kind has (a span to underline, series to list, a label
//! diff, values at a time) in a form the page can draw without knowing the grader.
//!
//! Built in the worker (`crate::worker::course::report`), which owns the grader, so the
//! page links neither the grader nor the engine. Labels travel as PromQL text
//! (`name{a="1"}`), values as Prometheus' API writes them (`NaN`, `+Inf`).

use serde::{Deserialize, Serialize};

/// The verdict on one Check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeReport {
    /// The query graded.
    pub query: String,
    /// Whether it is accepted.
    pub pass: bool,
    /// What to tell the learner, most important first.
    pub feedback: Vec<FeedbackItem>,
    /// How long grading took in the worker, milliseconds.
    pub grade_ms: f64,
}

/// One piece of feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackItem {
    /// The grader's kind (`missing_series`, `values_off`, ...), for styling and tests.
    pub kind: String,
    /// Whether this item alone fails the answer (notes do not).
    pub fails: bool,
    /// The sentence, rendered from the grader's Markdown by the sanitising renderer.
    pub message_html: String,
    /// What the kind adds to the sentence.
    pub detail: FeedbackDetail,
}

/// The structured part of a feedback item, per kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum FeedbackDetail {
    /// Nothing beyond the sentence.
    Plain,
    /// A part of the learner's query to underline: a parse error, an evaluation error, a
    /// forbidden construct, an annotation, the part of a query that removed every series.
    Span {
        /// First byte.
        start: u32,
        /// One past the last byte (equal to `start` where something is missing).
        end: u32,
        /// The parser's or engine's hint.
        hint: Option<String>,
    },
    /// Series missing from, or extra in, the learner's result.
    Series {
        /// `missing` or `extra`.
        missing: bool,
        /// When, as a learner reads it.
        at: String,
        /// Some of them.
        series: Vec<String>,
        /// How many in all.
        count: usize,
    },
    /// Expected label sets beside the learner's closest ones.
    Labels {
        /// When.
        at: String,
        /// Some pairs.
        diffs: Vec<LabelPair>,
        /// How many in all.
        count: usize,
    },
    /// Values that differ.
    Values {
        /// Some of them.
        rows: Vec<ValueRow>,
        /// How many in all.
        count: usize,
    },
    /// The learner's result is empty; why, and where in the query.
    Empty {
        /// When.
        at: String,
        /// How many series the answer has there.
        expected_series: usize,
        /// Which part removed everything.
        reason: String,
        /// That part, `(start, end)` bytes.
        span: Option<(u32, u32)>,
    },
}

/// An expected series and the learner's closest one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPair {
    /// The expected series.
    pub expected: String,
    /// The learner's.
    pub got: String,
    /// `name="value"` the learner's lacks.
    pub missing: Vec<String>,
    /// `name="value"` the learner's has and the expected lacks.
    pub unexpected: Vec<String>,
    /// `name: expected → got`.
    pub changed: Vec<String>,
}

/// One value that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRow {
    /// The series (empty for a scalar).
    pub series: String,
    /// When, with the seed.
    pub at: String,
    /// The expected value, or `no value`.
    pub expected: String,
    /// The learner's value, or `no value`.
    pub got: String,
}

/// The query split around a span, for underlining: before, the span (at least one
/// character wide, so a missing token is visible as a marked space), after.
pub fn split_at_span(query: &str, start: u32, end: u32) -> (String, String, String) {
    let floor = |mut i: usize| {
        i = i.min(query.len());
        while !query.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let s = floor(start as usize);
    let e = floor((end as usize).max(s));
    let (before, rest) = query.split_at(s);
    let (span, after) = rest.split_at(e - s);
    if span.is_empty() {
        // Mark the next character, or a space past the end.
        let mut chars = after.chars();
        return match chars.next() {
            Some(c) => (
                before.to_string(),
                c.to_string(),
                chars.as_str().to_string(),
            ),
            None => (before.to_string(), " ".to_string(), String::new()),
        };
    }
    (before.to_string(), span.to_string(), after.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_split_the_query_at_character_boundaries() {
        let q = "rate(http_requests_total)";
        assert_eq!(
            split_at_span(q, 5, 24),
            ("rate(".into(), "http_requests_total".into(), ")".into())
        );
        // An empty span marks the next character; at the end, a space.
        assert_eq!(
            split_at_span("sum(", 4, 4),
            ("sum(".into(), " ".into(), String::new())
        );
        assert_eq!(
            split_at_span("a b", 1, 1),
            ("a".into(), " ".into(), "b".into())
        );
        // Out of range or inside a character: clamped, never a panic.
        assert_eq!(
            split_at_span("é", 1, 99),
            (String::new(), "é".into(), String::new())
        );
        assert_eq!(
            split_at_span("up", 7, 3),
            ("up".into(), " ".into(), String::new())
        );
    }
}
