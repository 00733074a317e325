//! Rewriting and joining labels.

use super::{Function, VectorCall, whole_call};
use crate::promql::ast::{At, AtTime, Expr, ExprKind, Offset, Subquery, VectorSelector};
use crate::promql::error::{EvalError, EvalErrorKind};
use crate::promql::matcher::LabelRegex;
use crate::promql::matcher::{MatchOp, Matcher};
use crate::promql::types::ValueType::{String as Str, Vector};
use crate::promql::value::{StepSeries, StepValue};
use crate::tsdb::Labels;
use crate::tsdb::labels::METRIC_NAME;
use crate::tsdb::{SeriesRef, is_stale_marker};
use std::collections::HashMap;
use std::collections::{BTreeMap, BTreeSet};

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
        implementation: whole_call(info),
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

/// The labels on which `info` joins a series with its info series: those of the target
/// that exported both.
const IDENTIFYING_LABELS: [&str; 2] = ["instance", "job"];

/// The info metric `info` reads when its selector names none.
const TARGET_INFO: &str = "target_info";

/// `info(v, {selector})`: adds to each series the data labels of the info series (by
/// default `target_info`) that share its `instance` and `job`, as Prometheus 3's
/// experimental `info` does.
///
/// The info series are read at the same times as the first argument's data, so `@` and
/// `offset` on its (first) selector, or on the subqueries around it, apply to them too.
/// Series that are themselves info series pass through unchanged. When the selector has
/// data-label matchers, only those labels are added, and a series for which no info series
/// matches is dropped unless every such matcher accepts an empty value.
fn info(call: &mut VectorCall<'_>) -> Result<StepValue, EvalError> {
    let (at, offset) = match call.arg_expr(0) {
        Some(e) => info_reference_time(e, call)?,
        None => (None, 0),
    };
    let selector: Vec<Matcher> = match call.arg_expr(1).map(|e| &e.kind) {
        None => Vec::new(),
        Some(ExprKind::VectorSelector(vs)) => vs.matchers.clone(),
        Some(_) => {
            return Err(EvalError::internal(
                "info()'s second argument is not a label selector",
                call.spans.arg(1),
            ));
        }
    };
    let mut name_matchers: Vec<Matcher> = Vec::new();
    let mut data_matchers: BTreeMap<String, Vec<Matcher>> = BTreeMap::new();
    for m in selector {
        if m.name == METRIC_NAME {
            name_matchers.push(m);
        } else {
            data_matchers.entry(m.name.clone()).or_default().push(m);
        }
    }
    let name_matchers = effective_info_name_matchers(name_matchers, call.spans.arg(1))?;
    let base = call.take_vector_arg(0)?;
    let n = call.steps.len();

    // Info series are not enriched with themselves.
    let ignored: Vec<bool> = base
        .series
        .iter()
        .map(|s| {
            let name = s.labels.value_or_empty(METRIC_NAME);
            name_matchers.iter().all(|m| m.matches(name))
        })
        .collect();
    let infos = select_info_series(
        call,
        &base,
        &ignored,
        &name_matchers,
        &data_matchers,
        at,
        offset,
    )?;
    let info_names: BTreeSet<&str> = infos
        .iter()
        .map(|i| i.labels.value_or_empty(METRIC_NAME))
        .collect();
    let info_sigs: Vec<InfoSignature> = infos
        .iter()
        .map(|i| signature(i.labels.value_or_empty(METRIC_NAME), &i.labels))
        .collect();
    let all_match_empty = data_matchers.values().flatten().all(|m| m.matches(""));

    let mut out: Vec<StepSeries> = Vec::new();
    let mut index: HashMap<crate::tsdb::Labels, usize> = HashMap::new();
    let mut newest: HashMap<&InfoSignature, (usize, i64)> = HashMap::new();
    for step in 0..n {
        newest.clear();
        for (k, info) in infos.iter().enumerate() {
            let Some(t) = info.times.get(step).copied().flatten() else {
                continue;
            };
            match newest.get(&info_sigs[k]) {
                Some(&(j, existing)) if existing == t => {
                    return Err(EvalError::invalid_argument(
                        format!(
                            "found duplicate series for info metric: existing {} @ {existing}, new {} @ {t}",
                            prometheus_labels(&infos[j].labels),
                            prometheus_labels(&info.labels)
                        ),
                        call.spans.call,
                    ));
                }
                Some(&(_, existing)) if existing > t => {}
                _ => {
                    newest.insert(&info_sigs[k], (k, t));
                }
            }
        }
        for (b, s) in base.series.iter().enumerate() {
            let Some(v) = s.get(step) else { continue };
            let labels = if ignored[b] {
                s.labels.clone()
            } else {
                let mut added: BTreeMap<&str, &str> = BTreeMap::new();
                let mut matched = false;
                for name in &info_names {
                    let Some(&(k, _)) = newest.get(&signature(name, &s.labels)) else {
                        continue;
                    };
                    for (label, value) in infos[k].labels.iter() {
                        if label == METRIC_NAME
                            || (!data_matchers.is_empty() && !data_matchers.contains_key(label))
                        {
                            continue;
                        }
                        if added.get(label).is_some_and(|v| *v != value) {
                            return Err(EvalError::invalid_argument(
                                format!("conflicting label: {label}"),
                                call.spans.call,
                            ));
                        }
                        if s.labels.get(label).is_some() {
                            continue;
                        }
                        added.insert(label, value);
                    }
                    matched = true;
                }
                if !matched && !all_match_empty {
                    continue;
                }
                let mut labels = s.labels.clone();
                for (label, value) in added {
                    labels = labels.with(label, value);
                }
                labels
            };
            let k = match index.get(&labels) {
                Some(&k) => k,
                None => {
                    let mut series = StepSeries::new(labels.clone(), n);
                    series.drop_name = s.drop_name;
                    index.insert(labels, out.len());
                    out.push(series);
                    out.len() - 1
                }
            };
            let Some(target) = out.get_mut(k) else {
                continue;
            };
            if target.get(step).is_some() {
                return Err(EvalError::new(
                    EvalErrorKind::DuplicateLabelset,
                    call.spans.call,
                ));
            }
            target.set(step, v);
        }
    }
    Ok(StepValue::Vector(crate::promql::value::StepVector::new(
        out,
    )))
}

/// An info series and, per step, the time of the sample it has then (absent when it has
/// none within the lookback delta, or only a stale marker).
struct InfoSeries {
    labels: crate::tsdb::Labels,
    times: Vec<Option<i64>>,
}

/// What joins a series with an info series: the info metric's name and the identifying
/// labels the series has.
type InfoSignature = (String, Vec<(String, String)>);

fn signature(info_name: &str, labels: &crate::tsdb::Labels) -> InfoSignature {
    let ids = IDENTIFYING_LABELS
        .iter()
        .filter_map(|l| labels.get(l).map(|v| (l.to_string(), v.to_string())))
        .collect();
    (info_name.to_string(), ids)
}

/// The `__name__` matchers that pick info series: those given if one of them is positive;
/// only negative ones are narrowed to names ending in `_info`; none means `target_info`.
fn effective_info_name_matchers(
    given: Vec<Matcher>,
    span: crate::promql::span::Span,
) -> Result<Vec<Matcher>, EvalError> {
    let built = |op, value: &str| {
        crate::tsdb::matcher(METRIC_NAME, op, value)
            .map_err(|e| EvalError::internal(e.message, span))
    };
    if given
        .iter()
        .any(|m| matches!(m.op, MatchOp::Equal | MatchOp::Regex))
    {
        return Ok(given);
    }
    if given.is_empty() {
        return Ok(vec![built(MatchOp::Equal, TARGET_INFO)?]);
    }
    let mut all = vec![built(MatchOp::Regex, ".+_info")?];
    all.extend(given);
    Ok(all)
}

/// Selects the info series that can match a series of `base` (same values of the
/// identifying labels it has) and evaluates them on the call's grid at the reference time.
fn select_info_series(
    call: &VectorCall<'_>,
    base: &crate::promql::value::StepVector,
    ignored: &[bool],
    name_matchers: &[Matcher],
    data_matchers: &BTreeMap<String, Vec<Matcher>>,
    at: Option<i64>,
    offset: i64,
) -> Result<Vec<InfoSeries>, EvalError> {
    let mut wanted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (s, &skip) in base.series.iter().zip(ignored) {
        if skip || !s.any_present() {
            continue;
        }
        for l in IDENTIFYING_LABELS {
            if let Some(v) = s.labels.get(l) {
                wanted.entry(l).or_default().insert(v);
            }
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut matchers: Vec<Matcher> = data_matchers.values().flatten().cloned().collect();
    matchers.extend(name_matchers.iter().cloned());
    let n = call.steps.len();
    let lookback = call.lookback_ms;
    let mut out = Vec::new();
    for r in call.db.select(&matchers) {
        let Some(labels) = call.db.labels(r) else {
            continue;
        };
        let joins = wanted
            .iter()
            .all(|(l, values)| labels.get(l).is_some_and(|v| values.contains(v)));
        if !joins {
            continue;
        }
        let times = sample_times_at(call, r, n, at, offset, lookback);
        if times.iter().any(Option::is_some) {
            out.push(InfoSeries {
                labels: labels.clone(),
                times,
            });
        }
    }
    Ok(out)
}

/// For each step, the time of the sample an instant selector with this `@` and `offset`
/// would pick from series `r`: the last one in `(t - lookback, t]` for the reference time
/// `t`, unless it is a stale marker.
fn sample_times_at(
    call: &VectorCall<'_>,
    r: SeriesRef,
    n: usize,
    at: Option<i64>,
    offset: i64,
    lookback: i64,
) -> Vec<Option<i64>> {
    let reference = |i: usize| {
        at.unwrap_or_else(|| call.steps.time(i))
            .saturating_sub(offset)
    };
    let (first, last) = (reference(0), reference(n.saturating_sub(1)));
    let mut it = call
        .db
        .samples(r, first.saturating_sub(lookback).saturating_add(1), last);
    let mut next = it.next();
    let mut latest: Option<(i64, f64)> = None;
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = reference(i);
        while let Some((ts, v)) = next {
            if ts > t {
                break;
            }
            latest = Some((ts, v));
            next = it.next();
        }
        times.push(match latest {
            Some((ts, v)) if ts > t.saturating_sub(lookback) && !is_stale_marker(v) => Some(ts),
            _ => None,
        });
    }
    times
}

/// The `@` time and offset that govern when `info` reads its info series, from the first
/// selector in its first argument: that selector's own `@`, else the `@` of the nearest
/// subquery around it; offsets add up from the selector out to there.
fn info_reference_time(
    expr: &Expr,
    call: &VectorCall<'_>,
) -> Result<(Option<i64>, i64), EvalError> {
    let mut subqueries: Vec<&Subquery> = Vec::new();
    let Some(selector) = first_selector(expr, &mut subqueries) else {
        return Ok((None, 0));
    };
    let mut at = at_time(selector.at.as_ref(), call);
    let mut offset = offset_ms(selector.offset.as_ref(), call)?;
    for sq in subqueries.iter().rev() {
        if at.is_some() {
            break;
        }
        offset = offset.saturating_add(offset_ms(sq.offset.as_ref(), call)?);
        at = at_time(sq.at.as_ref(), call);
    }
    Ok((at, offset))
}

/// The first vector selector in `expr`, in Prometheus' traversal order, and the subqueries
/// enclosing it (outermost first). Recursion is bounded by the parser's nesting limit.
fn first_selector<'e>(expr: &'e Expr, path: &mut Vec<&'e Subquery>) -> Option<&'e VectorSelector> {
    match &expr.kind {
        ExprKind::Number(_) | ExprKind::String(_) => None,
        ExprKind::VectorSelector(vs) => Some(vs),
        ExprKind::MatrixSelector(m) => Some(&m.selector),
        ExprKind::Subquery(sq) => {
            path.push(sq);
            let found = first_selector(&sq.expr, path);
            if found.is_none() {
                path.pop();
            }
            found
        }
        ExprKind::Call(c) => c.args.iter().find_map(|a| first_selector(a, path)),
        ExprKind::Aggregate(a) => first_selector(&a.expr, path)
            .or_else(|| a.param.as_deref().and_then(|p| first_selector(p, path))),
        ExprKind::Binary(b) => {
            first_selector(&b.lhs, path).or_else(|| first_selector(&b.rhs, path))
        }
        ExprKind::Unary(u) => first_selector(&u.expr, path),
        ExprKind::Paren(p) => first_selector(&p.expr, path),
    }
}

fn at_time(at: Option<&At>, call: &VectorCall<'_>) -> Option<i64> {
    at.map(|a| match a.time {
        AtTime::Timestamp(t) => t,
        AtTime::Start => call.query.start,
        AtTime::End => call.query.end,
    })
}

fn offset_ms(offset: Option<&Offset>, call: &VectorCall<'_>) -> Result<i64, EvalError> {
    let Some(o) = offset else { return Ok(0) };
    let range = call.query.end.saturating_sub(call.query.start);
    o.duration
        .eval_ms(call.query.step, range)
        .map_err(|e| EvalError::new(EvalErrorKind::Duration(e), e.span()))
}

/// A label set as Prometheus' `labels.Labels.String()` prints it in messages:
/// `{__name__="x", a="b"}`.
fn prometheus_labels(labels: &crate::tsdb::Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(n, v)| format!("{n}={}", crate::promql::annotations::go_quote(v)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
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
