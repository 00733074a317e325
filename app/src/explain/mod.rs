//! The Explain tab's content: the query tree, a sentence per node, and learner hints.
//!
//! It runs in the worker, next to the parser: [`report`] takes a parsed query and the data
//! source's metadata and returns an [`ExplainReport`], plain data the page renders. The tree
//! follows the Prometheus 3 UI's tree view (each node's PromQL text and result type; series,
//! samples, labels and evaluation time once the engine reports per-node results); the
//! sentences are built from the node itself and the function and operator tables
//! ([`describe`]); the hints are PromLens-style advice with one-click fixes expressed as text
//! edits on spans ([`hints`]), so applying one never re-prints the learner's query.
//!
//! With data to run on, [`evaluation::evaluate`] evaluates every node on its own (filling
//! [`NodeStats`]) and adds the hints that need results: an empty result and the matcher
//! that emptied it, many-to-many collisions with their labels.

pub mod describe;
pub mod evaluation;
pub mod hints;
pub mod tree;

use crate::editor::metadata::MetadataSource;
use serde::{Deserialize, Serialize};
use simulator::promql::Expr;

/// Everything the Explain tab shows for one query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExplainReport {
    /// The tree's nodes in pre-order (a parent before its children).
    pub nodes: Vec<ExplainNode>,
    /// Advice, most important first.
    pub hints: Vec<Hint>,
    /// Whether `stats` were filled by evaluating each node.
    pub evaluated: bool,
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainNode {
    /// Index in [`ExplainReport::nodes`].
    pub id: usize,
    /// The parent's index; `None` for the root.
    pub parent: Option<usize>,
    /// Distance from the root.
    pub depth: usize,
    /// First byte of the node's text in the query.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// The node's own part, its children elided (`sum by (job) (…)`).
    pub label: String,
    /// The whole subtree as canonical PromQL.
    pub text: String,
    /// "instant vector", "range vector", "scalar" or "string".
    pub result_type: String,
    /// What the node does, in one plain sentence.
    pub sentence: String,
    /// What evaluating this node produced, when the engine ran it.
    pub stats: Option<NodeStats>,
}

/// What evaluating one node produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeStats {
    /// Series in the result.
    pub series: u64,
    /// Samples read to compute it.
    pub samples: u64,
    /// Evaluation time in milliseconds.
    pub eval_ms: f64,
    /// Label names of the result with a few example values each.
    pub labels: Vec<LabelExamples>,
    /// Why the node could not be evaluated (the engine's message), when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A label name and some of its values in a node's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelExamples {
    /// The label name.
    pub name: String,
    /// Up to a few values.
    pub values: Vec<String>,
    /// How many distinct values there are in all.
    pub distinct: u64,
}

/// How much a hint matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The query very likely does not mean what the learner wants.
    Warning,
    /// Worth knowing; the query may be fine.
    Info,
}

/// A piece of advice about the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    /// A stable identifier of the rule (`rate_on_gauge`), for tests and styling.
    pub rule: String,
    /// How much it matters.
    pub severity: Severity,
    /// First byte of the text it is about.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// The advice, in a sentence or two.
    pub message: String,
    /// A rewrite that follows the advice, when there is an obvious one.
    pub fix: Option<Fix>,
}

/// A rewrite of the query text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// The button's label ("Use deriv()").
    pub label: String,
    /// Non-overlapping edits on the original text.
    pub edits: Vec<TextEdit>,
}

/// Replace bytes `start..end` of the query with `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// First byte replaced.
    pub start: u32,
    /// One past the last byte replaced (equal to `start` for an insertion).
    pub end: u32,
    /// The new text.
    pub text: String,
}

impl Fix {
    /// The query with this fix applied, or `None` if the edits do not fit `query` (it
    /// changed since the hint was computed, or the edits overlap).
    pub fn apply(&self, query: &str) -> Option<String> {
        apply_edits(query, &self.edits)
    }
}

/// Applies non-overlapping edits, given in any order, to `query`.
pub fn apply_edits(query: &str, edits: &[TextEdit]) -> Option<String> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    // Insertions at the same point keep their given order.
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(query.len() + 16);
    let mut at = 0usize;
    for e in sorted {
        let (s, t) = (e.start as usize, e.end as usize);
        if s < at || t < s {
            return None;
        }
        out.push_str(query.get(at..s)?);
        out.push_str(&e.text);
        at = t;
    }
    out.push_str(query.get(at..)?);
    Some(out)
}

/// The Explain tab's content for a parsed query.
pub fn report(expr: &Expr, query: &str, meta: &dyn MetadataSource) -> ExplainReport {
    ExplainReport {
        nodes: tree::nodes(expr, query),
        hints: hints::hints(expr, query, meta),
        evaluated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_position_order_and_refuse_overlaps() {
        let edit = |s, e, t: &str| TextEdit {
            start: s,
            end: e,
            text: t.into(),
        };
        let q = "x offset 1h";
        let wrap = [edit(11, 11, ")"), edit(0, 0, "rate("), edit(1, 1, "[5m]")];
        assert_eq!(
            apply_edits(q, &wrap).as_deref(),
            Some("rate(x[5m] offset 1h)")
        );
        assert_eq!(apply_edits(q, &[edit(0, 5, ""), edit(3, 4, "")]), None);
        assert_eq!(apply_edits(q, &[edit(20, 21, "")]), None);
        assert_eq!(
            apply_edits("é", &[edit(1, 1, "x")]),
            None,
            "not a char boundary"
        );
    }
}
