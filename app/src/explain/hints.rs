//! Learner hints in the manner of PromLens: mistakes a PromQL beginner makes, found in the
//! syntax tree and the data source's metadata, each with a one-click fix where one exists.
//!
//! Rules that need only the tree and the metadata live here today:
//!
//! * `rate_on_gauge`: `rate`, `irate` or `increase` over a gauge (fix: `deriv`/`delta`);
//!   over a metric of unknown type whose name does not look like a counter, an info.
//! * `counter_without_rate`: a counter selected raw, outside `rate()` (fix: wrap it).
//! * `quantile_without_le`: an aggregation inside `histogram_quantile` that drops `le`
//!   (fix: `by (le)`, or add `le` to the `by` list, or take it out of `without`).
//! * `quantile_without_rate`: raw `_bucket` counters inside `histogram_quantile` (fix: wrap
//!   them in `rate()`).
//! * `quantile_not_buckets`: `histogram_quantile` over `_sum`, `_count` or another series
//!   without `le` (fix: the family's `_bucket` series).
//! * `short_range`: a range shorter than twice the scrape interval (fix: four intervals).
//! * `unknown_metric`, `no_matching_series`: a selector that cannot match anything the data
//!   source has, naming the matcher and listing the values that exist (fix: the closest).
//!
//! Two more need evaluation results and arrive with the engine (issue 5): an empty result
//! traced to the node and matcher that emptied it, and many-to-many matching errors naming
//! the colliding label sets. Fixes are text edits on the original spans, so applying one
//! leaves the rest of the learner's query exactly as written.

use super::{Fix, Hint, Severity, TextEdit};
use crate::editor::complete::quote_value;
use crate::editor::metadata::{MetadataSource, MetricKind};
use simulator::promql::ast::{Aggregate, Call, GroupingKind, MatrixSelector, VectorSelector};
use simulator::promql::duration::format_ms;
use simulator::promql::matcher::MatchOp;
use simulator::promql::suggest::closest;
use simulator::promql::{Expr, ExprKind, Span};

/// The hints for a parsed query, warnings first, then by position.
pub fn hints(expr: &Expr, query: &str, meta: &dyn MetadataSource) -> Vec<Hint> {
    let mut rules = Rules {
        query,
        meta,
        out: Vec::new(),
    };
    let mut ancestors = Vec::new();
    rules.visit(expr, &mut ancestors);
    let mut out = rules.out;
    out.sort_by(|a, b| (a.severity, a.start, &a.rule).cmp(&(b.severity, b.start, &b.rule)));
    out.dedup_by(|a, b| a.rule == b.rule && a.start == b.start && a.end == b.end);
    out
}

/// Functions that turn a counter's raw samples into something worth graphing.
const RATE_FUNCTIONS: &[&str] = &["rate", "irate", "increase"];

/// Functions and aggregations where a raw counter is fine: they look at the series' presence
/// or timestamps, not at the counter's value.
const RAW_OK: &[&str] = &[
    "absent",
    "timestamp",
    "count",
    "group",
    "count_values",
    "histogram_quantile",
];

fn looks_like_counter(name: &str) -> bool {
    ["_total", "_count", "_sum", "_bucket"]
        .iter()
        .any(|s| name.ends_with(s))
}

fn strip_parens(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(p) = &e.kind {
        e = &p.expr;
    }
    e
}

fn edit(span: Span, text: impl Into<String>) -> TextEdit {
    TextEdit {
        start: span.start,
        end: span.end,
        text: text.into(),
    }
}

fn insert(at: u32, text: impl Into<String>) -> TextEdit {
    edit(Span::empty(at), text)
}

struct Rules<'a> {
    query: &'a str,
    meta: &'a dyn MetadataSource,
    out: Vec<Hint>,
}

impl<'a> Rules<'a> {
    fn push(
        &mut self,
        rule: &str,
        severity: Severity,
        span: Span,
        message: String,
        fix: Option<Fix>,
    ) {
        self.out.push(Hint {
            rule: rule.into(),
            severity,
            start: span.start,
            end: span.end,
            message,
            fix,
        });
    }

    /// The range to suggest when wrapping a counter in `rate()`: four scrape intervals and at
    /// least a minute, as Prometheus' docs advise; `5m` when the interval is unknown.
    fn rate_range(&self) -> String {
        match self.meta.scrape_interval_ms() {
            Some(s) if s > 0 => format_ms((4 * s).max(60_000)),
            _ => "5m".into(),
        }
    }

    /// Edits that wrap an instant selector node in `rate(...[range])`, the range going
    /// before any `offset` or `@` as the grammar requires.
    fn wrap_in_rate(&self, node: &Expr, vs: &VectorSelector) -> Fix {
        Fix {
            label: "Wrap in rate()".into(),
            edits: vec![
                insert(node.span.start, "rate("),
                insert(vs.span.end, format!("[{}]", self.rate_range())),
                insert(node.span.end, ")"),
            ],
        }
    }

    // Recursion follows the tree's depth, which the parser bounds.
    fn visit<'e>(&mut self, expr: &'e Expr, ancestors: &mut Vec<&'e Expr>) {
        match &expr.kind {
            ExprKind::VectorSelector(vs) => {
                self.counter_without_rate(expr, vs, ancestors);
                self.selector_matches_nothing(vs);
            }
            ExprKind::MatrixSelector(m) => {
                self.short_range(m);
                self.selector_matches_nothing(&m.selector);
            }
            ExprKind::Call(c) => {
                self.rate_on_gauge(c);
                if c.function.name == "histogram_quantile"
                    && let Some(input) = c.args.get(1)
                {
                    self.histogram_quantile(input);
                }
            }
            _ => {}
        }
        ancestors.push(expr);
        for child in expr.children() {
            self.visit(child, ancestors);
        }
        ancestors.pop();
    }

    fn rate_on_gauge(&mut self, c: &Call) {
        let f = c.function.name;
        if !RATE_FUNCTIONS.contains(&f) {
            return;
        }
        let Some(ExprKind::MatrixSelector(m)) = c.args.first().map(|a| &strip_parens(a).kind)
        else {
            return;
        };
        let Some(name) = m.selector.metric_name() else {
            return;
        };
        match self.meta.metric(name) {
            Some(info) if info.is_gauge_like() => {
                let better = if f == "increase" { "delta" } else { "deriv" };
                self.push(
                    "rate_on_gauge",
                    Severity::Warning,
                    c.name_span,
                    format!(
                        "`{name}` is a {}: it goes up and down. {f}() is for counters and reads every drop as a counter reset. For how fast a gauge changes, use {better}().",
                        info.kind.name()
                    ),
                    Some(Fix {
                        label: format!("Use {better}()"),
                        edits: vec![edit(c.name_span, better)],
                    }),
                );
            }
            // Known by name only (a Prometheus without metadata), or nothing known at all:
            // judge by the name, as Prometheus' own info annotation does. An unknown name in
            // a known catalogue gets `unknown_metric` instead.
            Some(info) if info.kind == MetricKind::Unknown && !looks_like_counter(name) => self.push(
                "rate_on_gauge",
                Severity::Info,
                c.name_span,
                format!(
                    "`{name}` may not be a counter: its name does not end in _total, _count, _sum or _bucket, and {f}() only makes sense on counters."
                ),
                None,
            ),
            None if !looks_like_counter(name) && self.meta.metric_names().is_empty() => self.push(
                "rate_on_gauge",
                Severity::Info,
                c.name_span,
                format!(
                    "`{name}` may not be a counter: its name does not end in _total, _count, _sum or _bucket, and {f}() only makes sense on counters."
                ),
                None,
            ),
            _ => {}
        }
    }

    fn counter_without_rate(&mut self, node: &Expr, vs: &VectorSelector, ancestors: &[&Expr]) {
        let Some(name) = vs.metric_name() else { return };
        let counter = match self.meta.metric(name) {
            Some(info) => info.is_counter_like(),
            None => name.ends_with("_total"),
        };
        if !counter {
            return;
        }
        let exempt = ancestors.iter().any(|a| match &a.kind {
            ExprKind::Call(c) => RAW_OK.contains(&c.function.name),
            ExprKind::Aggregate(a) => RAW_OK.contains(&a.op.name),
            // Inside a subquery the learner is building a range on purpose.
            ExprKind::Subquery(_) => true,
            _ => false,
        });
        if exempt {
            return;
        }
        let fix = self.wrap_in_rate(node, vs);
        self.push(
            "counter_without_rate",
            Severity::Warning,
            vs.span,
            format!(
                "`{name}` is a counter: its raw value only grows (and falls to zero when a process restarts), which tells little on its own. Graph its per-second rate instead."
            ),
            Some(fix),
        );
    }

    fn histogram_quantile(&mut self, input: &Expr) {
        let inner = strip_parens(input);
        if let ExprKind::Aggregate(a) = &inner.kind {
            self.aggregation_keeps_le(a);
        }
        self.buckets_are_rated(input);
        self.input_has_buckets(input);
    }

    fn aggregation_keeps_le(&mut self, a: &Aggregate) {
        if matches!(a.op.name, "topk" | "bottomk" | "limitk" | "limit_ratio") {
            return;
        }
        let op = a.op.name;
        match &a.grouping {
            None => {
                let next = self.query.as_bytes().get(a.op_span.end as usize);
                let text = if next.is_some_and(u8::is_ascii_whitespace) {
                    " by (le)"
                } else {
                    " by (le) "
                };
                self.push(
                    "quantile_without_le",
                    Severity::Warning,
                    a.op_span,
                    format!(
                        "{op}() without by (le) adds all buckets together, so histogram_quantile() gets no `le` label to compute quantiles from. Keep `le`: {op} by (le) (...)."
                    ),
                    Some(Fix {
                        label: "Add by (le)".into(),
                        edits: vec![insert(a.op_span.end, text)],
                    }),
                );
            }
            Some(g) if g.kind == GroupingKind::By && !g.labels.iter().any(|l| l.name == "le") => {
                let close = g.span.end.saturating_sub(1);
                let fix = (self.query.as_bytes().get(close as usize) == Some(&b')')).then(|| Fix {
                    label: "Add le to by (...)".into(),
                    edits: vec![insert(
                        close,
                        if g.labels.is_empty() { "le" } else { ", le" },
                    )],
                });
                self.push(
                    "quantile_without_le",
                    Severity::Warning,
                    g.span,
                    format!(
                        "{op} by (...) drops the `le` label, which histogram_quantile() needs: add it to the list."
                    ),
                    fix,
                );
            }
            Some(g)
                if g.kind == GroupingKind::Without && g.labels.iter().any(|l| l.name == "le") =>
            {
                let kept: Vec<&str> = g
                    .labels
                    .iter()
                    .map(|l| l.name.as_str())
                    .filter(|n| *n != "le")
                    .collect();
                self.push(
                    "quantile_without_le",
                    Severity::Warning,
                    g.span,
                    format!(
                        "{op} without (le) removes the `le` label, which histogram_quantile() needs."
                    ),
                    Some(Fix {
                        label: "Keep le".into(),
                        edits: vec![edit(g.span, format!("without ({})", kept.join(", ")))],
                    }),
                );
            }
            _ => {}
        }
    }

    fn buckets_are_rated(&mut self, input: &Expr) {
        let mut raw: Vec<(&Expr, &VectorSelector)> = Vec::new();
        collect_raw_selectors(input, &mut raw);
        for (node, vs) in raw {
            let Some(name) = vs.metric_name() else {
                continue;
            };
            let is_bucket = name.ends_with("_bucket")
                || self
                    .meta
                    .metric(name)
                    .is_some_and(|m| m.values("le").is_some());
            if !is_bucket {
                continue;
            }
            let fix = self.wrap_in_rate(node, vs);
            self.push(
                "quantile_without_rate",
                Severity::Warning,
                vs.span,
                format!(
                    "`{name}` holds bucket counters that count every observation since the process started. histogram_quantile() should see their rate: rate({name}[{}]).",
                    self.rate_range()
                ),
                Some(fix),
            );
        }
    }

    fn input_has_buckets(&mut self, input: &Expr) {
        let mut selectors: Vec<&VectorSelector> = Vec::new();
        collect_selectors(input, &mut selectors);
        let has_le = |vs: &VectorSelector| {
            vs.metric_name().is_some_and(|n| {
                n.ends_with("_bucket")
                    || self
                        .meta
                        .metric(n)
                        .is_some_and(|m| m.values("le").is_some())
            })
        };
        if selectors.is_empty() || selectors.iter().any(|vs| has_le(vs)) {
            return;
        }
        for vs in selectors {
            let Some(name) = vs.metric_name() else {
                continue;
            };
            let family = self
                .meta
                .metric(name)
                .map(|m| m.family.clone())
                .filter(|f| !f.is_empty() && f != name)
                .or_else(|| {
                    name.strip_suffix("_sum")
                        .or_else(|| name.strip_suffix("_count"))
                        .map(str::to_string)
                });
            let bucket = family.map(|f| format!("{f}_bucket"));
            let fix = match (&bucket, &vs.metric) {
                (Some(b), Some(written)) => Some(Fix {
                    label: format!("Use {b}"),
                    edits: vec![edit(written.span, b.clone())],
                }),
                _ => None,
            };
            let advice = match &bucket {
                Some(b) => format!(" Use the bucket series `{b}`."),
                None => " It needs a histogram's `_bucket` series.".to_string(),
            };
            self.push(
                "quantile_not_buckets",
                Severity::Warning,
                vs.span,
                format!("`{name}` has no `le` label, so histogram_quantile() has no buckets to work with.{advice}"),
                fix,
            );
        }
    }

    fn short_range(&mut self, m: &MatrixSelector) {
        let Some(interval) = self.meta.scrape_interval_ms().filter(|i| *i > 0) else {
            return;
        };
        let Some(lit) = m.range.literal() else { return };
        let range_ms = lit.seconds * 1000.0;
        if range_ms.is_nan() || range_ms >= 2.0 * interval as f64 {
            return;
        }
        let better = format_ms(4 * interval);
        self.push(
            "short_range",
            Severity::Warning,
            m.range_span,
            format!(
                "A {} range holds at most {} sample(s) at the {} scrape interval; rate() and the other range functions need two, so some steps come out empty. Use at least four scrape intervals: [{better}].",
                format_ms(range_ms as i64),
                ((range_ms / interval as f64).ceil() as i64).max(1),
                format_ms(interval)
            ),
            Some(Fix {
                label: format!("Use [{better}]"),
                edits: vec![edit(m.range_span, format!("[{better}]"))],
            }),
        );
    }

    fn selector_matches_nothing(&mut self, vs: &VectorSelector) {
        let names = self.meta.metric_names();
        if names.is_empty() {
            return;
        }
        let Some(name) = vs.metric_name() else { return };
        let Some(info) = self.meta.metric(name) else {
            let suggestion = closest(name, names.iter().copied());
            let fix = match (suggestion, &vs.metric) {
                (Some(s), Some(written)) => Some(Fix {
                    label: format!("Use {s}"),
                    edits: vec![edit(written.span, s)],
                }),
                _ => None,
            };
            let did_you_mean =
                suggestion.map_or(String::new(), |s| format!(" Did you mean `{s}`?"));
            self.push(
                "unknown_metric",
                Severity::Warning,
                vs.span,
                format!("There is no metric named `{name}` in this data source, so the selector returns nothing.{did_you_mean}"),
                fix,
            );
            return;
        };
        if info.labels.is_empty() {
            // Label values unknown (not fetched yet): nothing to say.
            return;
        }
        for m in &vs.matchers {
            if m.name == "__name__" {
                continue;
            }
            let Some(values) = info.values(&m.name) else {
                if matches!(m.op, MatchOp::Equal | MatchOp::Regex) && !m.matches("") {
                    let labels: Vec<&str> = info.labels.iter().map(|l| l.name.as_str()).collect();
                    self.push(
                        "no_matching_series",
                        Severity::Warning,
                        m.span,
                        format!(
                            "No `{name}` series has a `{}` label (its labels are {}), so this matcher leaves nothing.",
                            m.name,
                            labels.join(", ")
                        ),
                        None,
                    );
                }
                continue;
            };
            if values.iter().any(|v| m.matches(v)) {
                continue;
            }
            let shown: Vec<String> = values.iter().take(12).map(|v| quote_value(v)).collect();
            let more = if values.len() > 12 { ", …" } else { "" };
            let fix = (m.op == MatchOp::Equal)
                .then(|| closest(&m.value, values.iter().map(String::as_str)))
                .flatten()
                .map(|v| Fix {
                    label: format!("Use {}", quote_value(v)),
                    edits: vec![edit(m.value_span, quote_value(v))],
                });
            self.push(
                "no_matching_series",
                Severity::Warning,
                m.span,
                format!(
                    "No `{name}` series has {}{}{}, so the selector returns nothing. Values of `{}` that exist: {}{more}.",
                    m.name,
                    m.op.symbol(),
                    quote_value(&m.value),
                    m.name,
                    shown.join(", ")
                ),
                fix,
            );
        }
    }
}

/// Instant selectors under `e` that are not inside a subquery, a range function or any call
/// that consumes them as a range, with their nodes.
fn collect_raw_selectors<'e>(e: &'e Expr, out: &mut Vec<(&'e Expr, &'e VectorSelector)>) {
    match &e.kind {
        ExprKind::VectorSelector(vs) => out.push((e, vs)),
        ExprKind::Subquery(_) => {}
        _ => {
            for c in e.children() {
                collect_raw_selectors(c, out);
            }
        }
    }
}

/// Every selector under `e`, instant or range.
fn collect_selectors<'e>(e: &'e Expr, out: &mut Vec<&'e VectorSelector>) {
    match &e.kind {
        ExprKind::VectorSelector(vs) => out.push(vs),
        ExprKind::MatrixSelector(m) => out.push(&m.selector),
        _ => {
            for c in e.children() {
                collect_selectors(c, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::{MetadataSnapshot, fixture::demo};
    use simulator::promql::parse;

    /// The rules that fire on `query`, and the query after applying the first hint's fix.
    fn check_with(meta: &dyn MetadataSource, query: &str) -> (Vec<String>, Option<String>) {
        let expr = parse(query).unwrap();
        let hints = hints(&expr, query, meta);
        let rules = hints.iter().map(|h| h.rule.clone()).collect();
        let fixed = hints
            .first()
            .and_then(|h| h.fix.as_ref())
            .and_then(|f| f.apply(query));
        if let Some(f) = &fixed {
            assert!(parse(f).is_ok(), "the fix of {query} does not parse: {f}");
        }
        (rules, fixed)
    }

    fn check(query: &str) -> (Vec<String>, Option<String>) {
        check_with(&demo(), query)
    }

    #[test]
    fn rate_on_a_gauge_suggests_deriv_or_delta() {
        assert_eq!(
            check("rate(demo_memory_usage_bytes[5m])"),
            (
                vec!["rate_on_gauge".into()],
                Some("deriv(demo_memory_usage_bytes[5m])".into())
            )
        );
        assert_eq!(
            check("increase(demo_memory_usage_bytes{type=\"used\"}[1h])")
                .1
                .as_deref(),
            Some("delta(demo_memory_usage_bytes{type=\"used\"}[1h])")
        );
        // Unknown metric in an empty catalogue: an info without a fix, from the name alone.
        let (rules, fix) = check_with(&MetadataSnapshot::default(), "rate(node_load1[5m])");
        assert_eq!((rules, fix), (vec!["rate_on_gauge".to_string()], None));
        assert_eq!(
            check_with(&MetadataSnapshot::default(), "rate(x_total[5m])").0,
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_raw_counter_gets_wrapped_in_rate() {
        assert_eq!(
            check("sum by (status) (http_requests_total offset 1h)"),
            (
                vec!["counter_without_rate".into()],
                Some("sum by (status) (rate(http_requests_total[1m] offset 1h))".into())
            )
        );
        assert_eq!(check("count(http_requests_total)").0, Vec::<String>::new());
        assert_eq!(
            check("rate(http_requests_total[5m])").0,
            Vec::<String>::new()
        );
        assert_eq!(check("up == 0").0, Vec::<String>::new());
        // Without metadata the _total suffix decides, and the range defaults to 5m.
        assert_eq!(
            check_with(&MetadataSnapshot::default(), "foo_total")
                .1
                .as_deref(),
            Some("rate(foo_total[5m])")
        );
    }

    #[test]
    fn histogram_quantile_needs_le_and_rate() {
        let q = "histogram_quantile(0.9, sum(rate(demo_api_request_duration_seconds_bucket[5m])))";
        assert_eq!(
            check(q),
            (
                vec!["quantile_without_le".into()],
                Some("histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))".into())
            )
        );
        let q = "histogram_quantile(0.9, sum by (path) (rate(demo_api_request_duration_seconds_bucket[5m])))";
        assert_eq!(
            check(q).1.as_deref(),
            Some(
                "histogram_quantile(0.9, sum by (path, le) (rate(demo_api_request_duration_seconds_bucket[5m])))"
            )
        );
        let q = "histogram_quantile(0.9, sum without (le, instance) (rate(demo_api_request_duration_seconds_bucket[5m])))";
        assert_eq!(
            check(q).1.as_deref(),
            Some(
                "histogram_quantile(0.9, sum without (instance) (rate(demo_api_request_duration_seconds_bucket[5m])))"
            )
        );
        let q = "histogram_quantile(0.9, demo_api_request_duration_seconds_bucket)";
        assert_eq!(
            check(q),
            (
                vec!["quantile_without_rate".into()],
                Some(
                    "histogram_quantile(0.9, rate(demo_api_request_duration_seconds_bucket[1m]))"
                        .into()
                )
            )
        );
        let q = "histogram_quantile(0.9, rate(demo_api_request_duration_seconds_count[5m]))";
        assert_eq!(
            check(q),
            (
                vec!["quantile_not_buckets".into()],
                Some(
                    "histogram_quantile(0.9, rate(demo_api_request_duration_seconds_bucket[5m]))"
                        .into()
                )
            )
        );
        let good = "histogram_quantile(0.9, sum by (le, path) (rate(demo_api_request_duration_seconds_bucket[5m])))";
        assert_eq!(check(good).0, Vec::<String>::new());
    }

    #[test]
    fn a_range_under_two_scrape_intervals_is_flagged() {
        assert_eq!(
            check("rate(http_requests_total[20s])"),
            (
                vec!["short_range".into()],
                Some("rate(http_requests_total[1m])".into())
            )
        );
        assert_eq!(
            check("rate(http_requests_total[30s])").0,
            Vec::<String>::new()
        );
        assert_eq!(
            check_with(&MetadataSnapshot::default(), "rate(x_total[1s])").0,
            Vec::<String>::new()
        );
    }

    #[test]
    fn selectors_that_match_nothing_name_the_matcher_and_the_values() {
        let (rules, fix) = check(r#"rate(http_requests_totl[5m])"#);
        assert_eq!(rules, vec!["unknown_metric"]);
        assert_eq!(fix.as_deref(), Some("rate(http_requests_total[5m])"));
        let q = r#"sum(rate(http_requests_total{status="50"}[5m]))"#;
        let expr = parse(q).unwrap();
        let h = hints(&expr, q, &demo());
        assert_eq!(h.len(), 1);
        assert_eq!(
            h[0].message,
            "No `http_requests_total` series has status=\"50\", so the selector returns nothing. Values of `status` that exist: \"200\", \"404\", \"500\"."
        );
        assert_eq!(
            h[0].fix.as_ref().and_then(|f| f.apply(q)).as_deref(),
            Some(r#"sum(rate(http_requests_total{status="500"}[5m]))"#)
        );
        assert_eq!(check(r#"up{zone="eu"}"#).0, vec!["no_matching_series"]);
        assert_eq!(check(r#"up{job=~"dem.*"}"#).0, Vec::<String>::new());
        assert_eq!(check(r#"up{job=~"x.*"}"#).0, vec!["no_matching_series"]);
        assert_eq!(check(r#"up{zone!="eu"}"#).0, Vec::<String>::new());
    }
}
