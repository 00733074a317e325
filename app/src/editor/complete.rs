//! Autocomplete: what may be typed at the cursor, and the items to offer.
//!
//! [`complete`] scans the query up to the cursor with the highlighting [`Scanner`], so it
//! knows the bracket stack there, and derives a [`Context`]: an expression (functions,
//! aggregations, metric names; only metric names as the argument of a range function),
//! the keywords that may follow an operand, a label name inside braces or a `by (...)` list,
//! a label value after a matcher operator, a duration inside `[...]` or after `offset`, or
//! `start()`/`end()` after `@`. Functions come from the engine's table as the worker sent it
//! ([`FunctionDocs`]), aggregations from the operator table, both with their signatures and
//! docs; metric names, label names and values from a [`MetadataSource`]. Nothing here
//! touches the DOM.

use super::functions::FunctionDocs;
use super::highlight::{Frame, Scanner, TokenClass};
use super::metadata::MetadataSource;
use simulator::promql::lexer::{Keyword, TokenKind};
use simulator::promql::operators::AGGREGATION_OPS;

/// The most items offered at once; more would not fit a popup and costs render time.
pub const MAX_ITEMS: usize = 100;

/// Where the cursor is, grammatically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// An expression may start here. Inside a function whose argument is a range vector
    /// (`rate(|`), `range_function` names it and only metric names are offered.
    Expression {
        /// The range function whose argument this is.
        range_function: Option<String>,
        /// Keywords that may also come here (`bool`, `on`, `group_left`, ...).
        keywords: Vec<&'static str>,
    },
    /// After a complete operand: modifiers and keyword operators.
    Keywords(Vec<&'static str>),
    /// A label name inside braces.
    LabelName {
        /// The metric name before the braces.
        metric: Option<String>,
        /// Labels already matched in these braces.
        used: Vec<String>,
    },
    /// A label value after `=`, `!=`, `=~` or `!~`.
    LabelValue {
        /// The metric name before the braces.
        metric: Option<String>,
        /// The label being matched.
        label: String,
    },
    /// A label in a `by`, `without`, `on`, `ignoring` or `group_*` list.
    GroupingLabel {
        /// The metric names in the query, whose labels are offered.
        metrics: Vec<String>,
    },
    /// A duration: inside `[...]` or after `offset`.
    Duration,
    /// After `@`.
    AtTime,
    /// Nowhere to complete: a comment, a number, between tokens that need nothing.
    Nothing,
}

/// Metadata a completion context would like that an asynchronous source may not hold yet;
/// issue 8's Prometheus client fetches it and asks again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// Metric names (`/api/v1/label/__name__/values`, `/api/v1/metadata`).
    MetricNames,
    /// Label names of a metric's series (`/api/v1/labels?match[]=metric`).
    LabelNames(Option<String>),
    /// Values of a label on a metric's series (`/api/v1/label/<label>/values?match[]=`).
    LabelValues(Option<String>, String),
}

impl Context {
    /// What metadata this context reads.
    pub fn wants(&self) -> Option<Want> {
        match self {
            Context::Expression { .. } => Some(Want::MetricNames),
            Context::LabelName { metric, .. } => Some(Want::LabelNames(metric.clone())),
            Context::LabelValue { metric, label } => {
                Some(Want::LabelValues(metric.clone(), label.clone()))
            }
            Context::GroupingLabel { metrics } => Some(Want::LabelNames(metrics.first().cloned())),
            _ => None,
        }
    }
}

/// What an item is, for its icon and ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A metric name.
    Metric,
    /// A function.
    Function,
    /// An aggregation operator.
    Aggregation,
    /// A keyword or modifier.
    Keyword,
    /// A label name.
    LabelName,
    /// A label value.
    LabelValue,
    /// A duration.
    Duration,
}

impl ItemKind {
    /// A short tag shown beside the item.
    pub fn tag(self) -> &'static str {
        match self {
            ItemKind::Metric => "metric",
            ItemKind::Function => "function",
            ItemKind::Aggregation => "aggregation",
            ItemKind::Keyword => "keyword",
            ItemKind::LabelName => "label",
            ItemKind::LabelValue => "value",
            ItemKind::Duration => "duration",
        }
    }
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the list shows.
    pub label: String,
    /// What it is.
    pub kind: ItemKind,
    /// A signature or TYPE.
    pub detail: String,
    /// One line of documentation or HELP.
    pub doc: String,
    /// The text inserted in place of the word at the cursor.
    pub insert: String,
    /// Where the caret goes, as a byte offset into `insert`.
    pub caret: usize,
}

/// The result of [`complete`]: the context, the byte range accepting an item replaces, and
/// the items, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completions {
    /// Where the cursor is.
    pub context: Context,
    /// First byte replaced.
    pub from: usize,
    /// One past the last byte replaced.
    pub to: usize,
    /// What has been typed of the word so far.
    pub prefix: String,
    /// The suggestions.
    pub items: Vec<Item>,
}

impl Completions {
    /// The query with item `index` accepted, and the caret's new byte offset. `None` when
    /// there is no such item.
    pub fn apply(&self, src: &str, index: usize) -> Option<(String, usize)> {
        let item = self.items.get(index)?;
        let before = src.get(..self.from)?;
        let after = src.get(self.to..)?;
        let text = format!("{before}{}{after}", item.insert);
        Some((text, self.from + item.caret))
    }

    /// Whether accepting would change nothing: the only item is exactly what is typed.
    pub fn is_complete(&self) -> bool {
        self.items.len() == 1 && self.items[0].insert == self.prefix
    }
}

/// The completions at byte offset `cursor` of `src`. Until the worker has sent the
/// function table, `functions` is empty and no function is offered.
pub fn complete(
    src: &str,
    cursor: usize,
    meta: &dyn MetadataSource,
    functions: &FunctionDocs,
) -> Completions {
    let cursor = super::offsets::floor_boundary(src, cursor);
    let at = locate(src, cursor);
    let context = at.context(src, functions);
    let (from, to, prefix) = at.replace_range(src, cursor);
    let items = items_for(&context, &prefix, meta, functions);
    Completions {
        context,
        from,
        to,
        prefix,
        items,
    }
}

/// The scanner state just before the cursor's word.
struct Location<'a> {
    scanner: Scanner<'a>,
    /// The word, string, number or duration the cursor is in or just after.
    current: Option<(usize, usize, TokenKind)>,
    /// The last label name read inside the innermost braces.
    last_label: Option<String>,
    /// Labels matched so far in the innermost braces.
    used_labels: Vec<String>,
    /// Whether the cursor is in a comment.
    in_comment: bool,
}

fn is_wordlike(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Ident
            | TokenKind::MetricIdent
            | TokenKind::Keyword(_)
            | TokenKind::Number
            | TokenKind::Duration
            | TokenKind::String
            | TokenKind::Invalid(_)
    )
}

fn locate(src: &str, cursor: usize) -> Location<'_> {
    let mut scanner = Scanner::new(src);
    let mut last_label = None;
    let mut used_labels = Vec::new();
    loop {
        let before = scanner.clone();
        let Some(l) = scanner.next_lexeme() else {
            return Location {
                scanner,
                current: None,
                last_label,
                used_labels,
                in_comment: false,
            };
        };
        let Some(kind) = l.kind.clone() else {
            // A comment: the cursor inside or at its end is in it.
            if l.start < cursor && cursor <= l.end {
                return Location {
                    scanner: before,
                    current: None,
                    last_label,
                    used_labels,
                    in_comment: true,
                };
            }
            if l.start >= cursor {
                return Location {
                    scanner: before,
                    current: None,
                    last_label,
                    used_labels,
                    in_comment: false,
                };
            }
            continue;
        };
        if l.start >= cursor || (cursor <= l.end && is_wordlike(&kind)) {
            let current = (l.start < cursor).then_some((l.start, l.end, kind));
            return Location {
                scanner: before,
                current,
                last_label,
                used_labels,
                in_comment: false,
            };
        }
        match (&kind, l.class) {
            (TokenKind::LBrace, _) => {
                last_label = None;
                used_labels.clear();
            }
            (_, TokenClass::LabelName) if l.mode == simulator::promql::lexer::Mode::Braces => {
                let name = src.get(l.start..l.end).unwrap_or("").to_string();
                used_labels.push(name.clone());
                last_label = Some(name);
            }
            _ => {}
        }
    }
}

const DURATIONS: &[&str] = &[
    "1m", "2m", "5m", "10m", "15m", "30m", "1h", "2h", "6h", "12h", "1d", "7d", "30s",
];
const BINARY_KEYWORDS: &[&str] = &["and", "or", "unless"];

impl Location<'_> {
    fn prev_kind(&self) -> Option<&TokenKind> {
        self.scanner.prev.as_ref().and_then(|p| p.kind.as_ref())
    }

    fn prev_class(&self) -> Option<TokenClass> {
        self.scanner.prev.as_ref().map(|p| p.class)
    }

    fn current_is(&self, f: impl Fn(&TokenKind) -> bool) -> bool {
        self.current.as_ref().is_some_and(|(_, _, k)| f(k))
    }

    fn context(&self, src: &str, functions: &FunctionDocs) -> Context {
        use TokenKind as T;
        if self.in_comment {
            return Context::Nothing;
        }
        let is_string = |k: &TokenKind| matches!(k, T::String | T::Invalid(_));
        match self.scanner.stack.last() {
            Some(Frame::Bracket) => {
                return if self.current_is(is_string) {
                    Context::Nothing
                } else {
                    Context::Duration
                };
            }
            Some(Frame::Brace { metric }) => {
                let after_op = matches!(
                    self.prev_kind(),
                    Some(T::Assign | T::BangEq | T::RegexMatch | T::RegexNoMatch)
                );
                if after_op && (self.current.is_none() || self.current_is(is_string)) {
                    return match &self.last_label {
                        Some(label) => Context::LabelValue {
                            metric: metric.clone(),
                            label: label.clone(),
                        },
                        None => Context::Nothing,
                    };
                }
                let at_name = matches!(self.prev_kind(), Some(T::LBrace | T::Comma));
                if at_name && !self.current_is(is_string) {
                    let mut used = self.used_labels.clone();
                    used.sort();
                    used.dedup();
                    return Context::LabelName {
                        metric: metric.clone(),
                        used,
                    };
                }
                return Context::Nothing;
            }
            Some(Frame::LabelList(_)) => {
                return Context::GroupingLabel {
                    metrics: super::highlight::metric_names(src),
                };
            }
            _ => {}
        }
        if self.current_is(|k| matches!(k, T::Number | T::Duration | T::String | T::Invalid(_))) {
            return Context::Nothing;
        }
        let expression = |keywords: Vec<&'static str>| Context::Expression {
            range_function: self.range_function(functions),
            keywords,
        };
        let Some(prev) = self.prev_kind() else {
            return expression(Vec::new());
        };
        match prev {
            T::At => Context::AtTime,
            T::Keyword(Keyword::Offset) => Context::Duration,
            T::Keyword(Keyword::Aggregation) => Context::Keywords(vec!["by", "without"]),
            T::EqEq | T::BangEq | T::Lt | T::Gt | T::Le | T::Ge => {
                expression(vec!["bool", "on", "ignoring"])
            }
            T::Plus
            | T::Minus
            | T::Star
            | T::Slash
            | T::Percent
            | T::Caret
            | T::TrimUpper
            | T::TrimLower
            | T::Keyword(Keyword::And | Keyword::Or | Keyword::Unless | Keyword::Atan2) => {
                expression(vec!["on", "ignoring"])
            }
            T::Keyword(Keyword::Bool) => expression(vec!["on", "ignoring"]),
            T::LParen | T::Comma | T::Assign => expression(Vec::new()),
            T::RParen => match &self.scanner.last_closed {
                Some(Frame::LabelList(Keyword::On | Keyword::Ignoring)) => {
                    expression(vec!["group_left", "group_right"])
                }
                Some(Frame::LabelList(Keyword::GroupLeft | Keyword::GroupRight)) => {
                    expression(Vec::new())
                }
                Some(Frame::LabelList(_)) => Context::Nothing,
                Some(Frame::Call { name, .. })
                    if AGGREGATION_OPS.iter().any(|a| a.name == name) =>
                {
                    let mut k = vec!["by", "without"];
                    k.extend(BINARY_KEYWORDS);
                    Context::Keywords(k)
                }
                _ => Context::Keywords(after_operand(false)),
            },
            T::RBrace | T::RBracket => Context::Keywords(after_operand(true)),
            T::Ident | T::MetricIdent | T::Keyword(_) => {
                if self.prev_class() == Some(TokenClass::Metric) {
                    Context::Keywords(after_operand(true))
                } else {
                    Context::Nothing
                }
            }
            T::Number | T::String | T::Duration => Context::Keywords(after_operand(false)),
            _ => Context::Nothing,
        }
    }

    /// The range function whose argument the cursor is writing, if any.
    fn range_function(&self, functions: &FunctionDocs) -> Option<String> {
        match self.scanner.stack.last() {
            Some(Frame::Call { name, arg }) => functions
                .lookup(name)
                .filter(|f| f.takes_range(*arg))
                .map(|f| f.name.clone()),
            _ => None,
        }
    }

    /// The bytes an accepted item replaces and the prefix typed so far.
    fn replace_range(&self, src: &str, cursor: usize) -> (usize, usize, String) {
        match &self.current {
            Some((start, end, kind)) => {
                let (start, end) = (*start, *end);
                match kind {
                    TokenKind::String => {
                        let prefix = src.get(start + 1..cursor).unwrap_or("").to_string();
                        (start, end, prefix)
                    }
                    // An unterminated string runs to the end of the line; replace only what
                    // was typed up to the cursor.
                    TokenKind::Invalid(_) => {
                        let quoted = src[start..].starts_with(['"', '\'', '`']);
                        let body = if quoted { start + 1 } else { start };
                        let prefix = src.get(body..cursor).unwrap_or("").to_string();
                        (start, cursor, prefix)
                    }
                    _ => (start, end, src.get(start..cursor).unwrap_or("").to_string()),
                }
            }
            None => (cursor, cursor, String::new()),
        }
    }
}

fn after_operand(selector: bool) -> Vec<&'static str> {
    let mut k = Vec::new();
    if selector {
        k.extend(["offset", "@"]);
    }
    k.extend(BINARY_KEYWORDS);
    k
}

/// How well `label` matches what was typed: 0 for a prefix, 1 for a match at the start of
/// a later word (`total` finds `http_requests_total`), `None` otherwise. Case-insensitive,
/// as metric names rarely differ only in case. Plain substrings are not offered: `ra`
/// would drag in every `histogram_*`.
fn match_rank(label: &str, prefix: &str) -> Option<u8> {
    if prefix.is_empty() {
        return Some(0);
    }
    let (l, p) = (label.to_ascii_lowercase(), prefix.to_ascii_lowercase());
    if l.starts_with(&p) {
        Some(0)
    } else if p.len() >= 2
        && l.match_indices(&p)
            .any(|(i, _)| l[..i].ends_with(['_', ':']))
    {
        Some(1)
    } else {
        None
    }
}

fn keyword_item(k: &'static str) -> Item {
    let (insert, caret, doc) = match k {
        "by" => ("by ()", 4, "Keep only the listed labels in the result."),
        "without" => ("without ()", 9, "Drop the listed labels from the result."),
        "on" => ("on ()", 4, "Match series on the listed labels only."),
        "ignoring" => (
            "ignoring ()",
            10,
            "Match series on all labels except the listed ones.",
        ),
        "group_left" => (
            "group_left ()",
            12,
            "Many series on the left match one on the right; copy the listed labels from the right.",
        ),
        "group_right" => (
            "group_right ()",
            13,
            "One series on the left matches many on the right; copy the listed labels from the left.",
        ),
        "bool" => ("bool", 4, "Return 0 or 1 instead of filtering."),
        "offset" => (
            "offset ",
            7,
            "Shift the selection back in time by a duration.",
        ),
        "@" => (
            "@ ",
            2,
            "Evaluate the selection at a fixed Unix time, or at start() or end().",
        ),
        "and" => (
            "and",
            3,
            "Keep left-side series that have a match on the right.",
        ),
        "or" => (
            "or",
            2,
            "All left-side series, plus right-side series without a match on the left.",
        ),
        "unless" => (
            "unless",
            6,
            "Keep left-side series that have no match on the right.",
        ),
        "start()" => ("start()", 7, "The start of the query's range."),
        "end()" => ("end()", 5, "The end of the query's range."),
        _ => (k, k.len(), ""),
    };
    Item {
        label: k.to_string(),
        kind: ItemKind::Keyword,
        detail: "keyword".into(),
        doc: doc.into(),
        insert: insert.into(),
        caret,
    }
}

fn function_items(functions: &FunctionDocs) -> impl Iterator<Item = Item> + '_ {
    // The worker sends them sorted by name.
    let functions = functions.iter().map(|f| {
        let insert = if f.max_args() == Some(0) {
            format!("{}()", f.name)
        } else {
            format!("{}(", f.name)
        };
        Item {
            label: f.name.clone(),
            kind: ItemKind::Function,
            detail: format!("{} → {}", f.signature, f.returns),
            doc: f.doc.clone(),
            caret: insert.len(),
            insert,
        }
    });
    let aggregations = AGGREGATION_OPS.iter().map(|a| {
        let detail = match a.param {
            Some(p) => format!("{}({p}, instant vector) → instant vector", a.name),
            None => format!("{}(instant vector) → instant vector", a.name),
        };
        Item {
            label: a.name.to_string(),
            kind: ItemKind::Aggregation,
            detail,
            doc: a.doc.to_string(),
            insert: format!("{}(", a.name),
            caret: a.name.len() + 1,
        }
    });
    functions.chain(aggregations)
}

fn metric_items(meta: &dyn MetadataSource, counters_first: bool) -> Vec<Item> {
    let mut items: Vec<(bool, Item)> = meta
        .metric_names()
        .into_iter()
        .map(|name| {
            let info = meta.metric(name);
            let counter = info.is_some_and(|i| i.is_counter_like());
            let detail = info.map_or_else(String::new, |i| i.kind.name().to_string());
            let doc = info.map_or_else(String::new, |i| i.help.clone());
            (
                counters_first && !counter,
                Item {
                    label: name.to_string(),
                    kind: ItemKind::Metric,
                    detail,
                    doc,
                    insert: name.to_string(),
                    caret: name.len(),
                },
            )
        })
        .collect();
    // Stable: names stay sorted within each group.
    items.sort_by_key(|(later, _)| *later);
    items.into_iter().map(|(_, i)| i).collect()
}

/// A label value as a double-quoted PromQL string.
pub fn quote_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn label_item(name: &str, kind: ItemKind, insert: String) -> Item {
    Item {
        label: name.to_string(),
        kind,
        detail: String::new(),
        doc: String::new(),
        caret: insert.len(),
        insert,
    }
}

fn items_for(
    context: &Context,
    prefix: &str,
    meta: &dyn MetadataSource,
    functions: &FunctionDocs,
) -> Vec<Item> {
    let candidates: Vec<Item> = match context {
        Context::Expression {
            range_function,
            keywords,
        } => match range_function {
            Some(f) => metric_items(
                meta,
                matches!(f.as_str(), "rate" | "irate" | "increase" | "resets"),
            ),
            None => keywords
                .iter()
                .map(|k| keyword_item(k))
                .chain(metric_items(meta, false))
                .chain(function_items(functions))
                .collect(),
        },
        Context::Keywords(k) => k.iter().map(|k| keyword_item(k)).collect(),
        Context::AtTime => vec![keyword_item("start()"), keyword_item("end()")],
        Context::Duration => DURATIONS
            .iter()
            .map(|d| label_item(d, ItemKind::Duration, d.to_string()))
            .collect(),
        Context::LabelName { metric, used } => meta
            .label_names(metric.as_deref())
            .into_iter()
            .filter(|n| !used.iter().any(|u| u == n))
            .map(|n| label_item(n, ItemKind::LabelName, n.to_string()))
            .collect(),
        Context::LabelValue { metric, label } => meta
            .label_values(metric.as_deref(), label)
            .into_iter()
            .map(|v| label_item(v, ItemKind::LabelValue, quote_value(v)))
            .collect(),
        Context::GroupingLabel { metrics } => {
            let mut names: Vec<&str> = if metrics.is_empty() {
                meta.label_names(None)
            } else {
                metrics
                    .iter()
                    .flat_map(|m| meta.label_names(Some(m)))
                    .collect()
            };
            if !names.contains(&"le") && metrics.iter().any(|m| m.ends_with("_bucket")) {
                names.push("le");
            }
            names.sort_unstable();
            names.dedup();
            names
                .into_iter()
                .map(|n| label_item(n, ItemKind::LabelName, n.to_string()))
                .collect()
        }
        Context::Nothing => Vec::new(),
    };
    let mut ranked: Vec<(u8, usize, Item)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| match_rank(&item.label, prefix).map(|r| (r, i, item)))
        .collect();
    // Prefix matches before substring matches; otherwise keep the candidates' own order.
    ranked.sort_by_key(|(r, i, _)| (*r, *i));
    ranked
        .into_iter()
        .map(|(_, _, item)| item)
        .take(MAX_ITEMS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::{MetadataSnapshot, fixture::demo};
    use crate::worker::catalog::function_docs;

    /// `complete` with the demo's metadata and the worker's function table.
    fn complete(src: &str, cursor: usize, meta: &dyn MetadataSource) -> Completions {
        super::complete(src, cursor, meta, &function_docs())
    }

    /// Completes at the `|` in `query` and returns the context and the first labels.
    fn check(query: &str) -> (Context, Vec<String>, String) {
        let cursor = query.find('|').unwrap();
        let src = query.replacen('|', "", 1);
        let c = complete(&src, cursor, &demo());
        let labels = c.items.iter().take(6).map(|i| i.label.clone()).collect();
        (c.context, labels, c.prefix)
    }

    #[test]
    fn functions_complete_with_signature_and_doc() {
        let (ctx, labels, prefix) = check("ra|");
        assert!(matches!(
            ctx,
            Context::Expression {
                range_function: None,
                ..
            }
        ));
        assert_eq!(prefix, "ra");
        assert_eq!(&labels[..3], ["rad", "range", "rate"]);
        let c = complete("ra", 2, &demo());
        let rate = c.items.iter().find(|i| i.label == "rate").unwrap();
        assert_eq!(rate.detail, "rate(range vector) → instant vector");
        assert!(rate.doc.contains("per-second"));
        let i = c.items.iter().position(|i| i.label == "rate").unwrap();
        assert_eq!(c.apply("ra", i), Some(("rate(".to_string(), 5)));
        let c = complete("tim", 3, &MetadataSnapshot::default());
        let i = c.items.iter().position(|i| i.label == "time").unwrap();
        assert_eq!(c.apply("tim", i), Some(("time()".to_string(), 6)));
    }

    #[test]
    fn a_range_function_offers_metric_names_counters_first() {
        let (ctx, labels, _) = check("rate(|");
        assert_eq!(
            ctx,
            Context::Expression {
                range_function: Some("rate".into()),
                keywords: vec![]
            }
        );
        assert_eq!(
            labels,
            vec![
                "demo_api_request_duration_seconds_bucket",
                "demo_api_request_duration_seconds_count",
                "demo_cpu_usage_seconds_total",
                "http_requests_total",
                "demo_memory_usage_bytes",
                "up"
            ]
        );
        let (_, labels, _) = check("rate(http|");
        assert_eq!(labels, vec!["http_requests_total"]);
        // The second argument of predict_linear is a scalar: everything is offered.
        let (ctx, _, _) = check("predict_linear(x[1h], |");
        assert!(matches!(
            ctx,
            Context::Expression {
                range_function: None,
                ..
            }
        ));
    }

    #[test]
    fn braces_offer_label_names_then_values_of_that_metric() {
        let (ctx, labels, _) = check("http_requests_total{|");
        assert_eq!(
            ctx,
            Context::LabelName {
                metric: Some("http_requests_total".into()),
                used: vec![]
            }
        );
        assert_eq!(labels, vec!["instance", "job", "status"]);
        let (_, labels, _) = check(r#"http_requests_total{job="demo", |}"#);
        assert_eq!(labels, vec!["instance", "status"]);
        let (ctx, labels, _) = check("http_requests_total{status=|");
        assert_eq!(
            ctx,
            Context::LabelValue {
                metric: Some("http_requests_total".into()),
                label: "status".into()
            }
        );
        assert_eq!(labels, vec!["200", "404", "500"]);
        let src = r#"http_requests_total{status="5|"}"#;
        let (_, labels, prefix) = check(src);
        assert_eq!((labels, prefix.as_str()), (vec!["500".to_string()], "5"));
        let plain = src.replace('|', "");
        let c = complete(&plain, 29, &demo());
        assert_eq!(
            c.apply(&plain, 0),
            Some((r#"http_requests_total{status="500"}"#.to_string(), 32))
        );
        // An unterminated string is replaced only up to the cursor.
        let c = complete(r#"up{job="de"#, 10, &demo());
        assert_eq!(c.apply(r#"up{job="de"#, 0).unwrap().0, r#"up{job="demo""#);
    }

    #[test]
    fn grouping_lists_offer_the_query_metrics_labels() {
        let (ctx, labels, _) = check("sum by (|) (rate(demo_cpu_usage_seconds_total[5m]))");
        assert!(matches!(ctx, Context::GroupingLabel { .. }));
        assert_eq!(labels, vec!["instance", "job", "mode"]);
        let (_, labels, _) = check("histogram_quantile(0.9, sum by (l|) (rate(x_bucket[5m])))");
        assert_eq!(labels, vec!["le"]);
    }

    #[test]
    fn keywords_follow_operands_and_operators() {
        assert_eq!(
            check("up |").0,
            Context::Keywords(vec!["offset", "@", "and", "or", "unless"])
        );
        assert_eq!(check("sum |").0, Context::Keywords(vec!["by", "without"]));
        assert_eq!(check("sum(up) w|").1, vec!["without"]);
        assert!(
            matches!(check("a > |").0, Context::Expression { ref keywords, .. } if keywords == &vec!["bool", "on", "ignoring"])
        );
        assert_eq!(
            check("a / on(job) gr|").1[..2],
            ["group_left", "group_right"]
        );
        assert_eq!(check("up @ |").1, vec!["start()", "end()"]);
        assert_eq!(check("up offset |").0, Context::Duration);
        let c = complete("sum b", 5, &demo());
        assert_eq!(c.apply("sum b", 0), Some(("sum by ()".to_string(), 8)));
    }

    #[test]
    fn durations_inside_brackets() {
        let (ctx, labels, _) = check("rate(x[|");
        assert_eq!(ctx, Context::Duration);
        assert_eq!(labels[..3], ["1m", "2m", "5m"]);
        assert_eq!(check("rate(x[5|])").1, vec!["5m"]);
        assert_eq!(check("x[1h:|]").0, Context::Duration);
    }

    #[test]
    fn later_words_match_but_plain_substrings_do_not() {
        assert_eq!(
            check("total|").1,
            vec!["demo_cpu_usage_seconds_total", "http_requests_total"]
        );
        assert!(!check("ra|").1.iter().any(|l| l.starts_with("histogram")));
    }

    #[test]
    fn nothing_in_comments_numbers_and_strings() {
        assert_eq!(check("up # rat|").0, Context::Nothing);
        assert_eq!(check("1|").0, Context::Nothing);
        assert_eq!(check(r#"label_replace(up, "a|""#).0, Context::Nothing);
        // Any cursor on any input: no panic, replace range inside the text.
        for src in ["{{{", "a{b=\"", "é{ü=", "sum by (", "x[", "😀 ("] {
            for cursor in 0..=src.len() + 2 {
                let c = complete(src, cursor, &demo());
                assert!(c.from <= c.to && c.to <= src.len(), "{src} {cursor} {c:?}");
                for i in 0..c.items.len() {
                    assert!(c.apply(src, i).is_some());
                }
            }
        }
    }

    #[test]
    fn contexts_say_what_metadata_they_want() {
        assert_eq!(
            check("up{job=|").0.wants(),
            Some(Want::LabelValues(Some("up".into()), "job".into()))
        );
        assert_eq!(
            check("up{|").0.wants(),
            Some(Want::LabelNames(Some("up".into())))
        );
        assert_eq!(check("|").0.wants(), Some(Want::MetricNames));
        assert_eq!(check("x[|").0.wants(), None);
    }
}
