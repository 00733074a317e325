//! Running a parsed script: loading samples, evaluating each eval the way Prometheus' runner
//! does (`execEval`, `runInstantQuery`, `checkAnnotations`, `checkExpectedFailure` in
//! `test.go`), and counting passes, failures and skips.
//!
//! An instant eval is run more than once, as in Prometheus: at its time; with every selector
//! pinned by `@` at other times ([`super::step_invariance`]); and each of those again as a
//! range query from a minute before to a minute after, whose middle step must equal the
//! instant result. Each run must pass for the eval to pass.

use super::compare;
use super::script::{self, Command, Eval, EvalKind, ExpectKind, Load};
use super::series::SeqValue;
use super::skips::{SkipKind, SkipList};
use super::step_invariance;
use super::{Answer, Failure, FileReport, QueryEngine, Skipped};
use crate::promql;
use crate::promql::ast::{Expr, ExprKind, VectorSelector};
use crate::promql::value::{Sample, Value};
use crate::tsdb::labels::METRIC_NAME;
use crate::tsdb::{Labels, Tsdb};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Runs the script `text` (named `file`, as in the skip list) against `engine`.
pub fn run_script(
    file: &str,
    text: &str,
    engine: &mut dyn QueryEngine,
    skips: &SkipList,
) -> FileReport {
    let mut report = FileReport {
        file: file.to_string(),
        ..FileReport::default()
    };
    let script = match script::parse(text) {
        Ok(s) => s,
        Err(e) => {
            // Prometheus rejects the whole file; so do we, and count it as one failure.
            report.error = Some(format!("the script does not parse: {e}"));
            report.failed = 1;
            return report;
        }
    };
    let mut run = Run {
        db: Tsdb::new(),
        native: BTreeSet::new(),
        engine,
    };
    let mut commands = script.commands.iter();
    while let Some(command) = commands.next() {
        match command {
            Command::Clear { .. } => {
                run.db = Tsdb::new();
                run.native.clear();
            }
            Command::Load(load) => {
                if let Err(e) = run.load(load) {
                    // Prometheus stops at a failing load; the evals after it cannot pass.
                    let rest = commands.filter(|c| matches!(c, Command::Eval(_))).count();
                    report.error = Some(format!("line {}: load failed: {e}", load.line));
                    report.failed += rest + 1;
                    return report;
                }
            }
            Command::Eval(eval) => run.eval(file, eval, skips, &mut report),
        }
    }
    report
}

/// The state of one script's run.
struct Run<'a> {
    db: Tsdb,
    /// Series that hold native histograms in Prometheus' run of the script. We load none of
    /// their samples; evals selecting them are skipped (if listed) or fail.
    native: BTreeSet<Labels>,
    engine: &'a mut dyn QueryEngine,
}

impl Run<'_> {
    fn load(&mut self, load: &Load) -> Result<(), String> {
        // Within one load a series listed twice keeps its last line, as Prometheus' map does.
        let mut defs: BTreeMap<&Labels, &[SeqValue]> = BTreeMap::new();
        for (_, desc) in &load.series {
            defs.insert(&desc.labels, &desc.values);
        }
        for (labels, values) in defs {
            let mut floats = false;
            for (k, v) in values.iter().enumerate() {
                let t = (k as i64).saturating_mul(load.interval_ms);
                match v {
                    SeqValue::Omitted => {}
                    SeqValue::Histogram => {
                        self.native.insert(labels.clone());
                    }
                    SeqValue::Float(f) => {
                        self.db.append(labels, t, *f).map_err(|e| e.to_string())?;
                        floats = true;
                    }
                }
            }
            if load.with_nhcb
                && floats
                && let Some(base) = nhcb_series(labels)
            {
                self.native.insert(base);
            }
        }
        Ok(())
    }

    /// Runs one eval and records the outcome.
    fn eval(&mut self, file: &str, eval: &Eval, skips: &SkipList, report: &mut FileReport) {
        let fail = |report: &mut FileReport, message: String| {
            report.failed += 1;
            report.failures.push(Failure {
                line: eval.line,
                query: eval.query.clone(),
                message,
                unlisted_native: None,
            });
        };
        let expr = match promql::parse(&eval.query) {
            Ok(e) => e,
            Err(errors) => {
                return fail(
                    report,
                    format!(
                        "Prometheus parses this query, we do not:\n{}",
                        promql::error::render(&eval.query, &errors)
                    ),
                );
            }
        };
        let native = self.native_reason(&expr, eval);
        match (skips.find(file, eval.line, &eval.query), &native) {
            (Some(entry), _) if entry.kind == SkipKind::OutOfScope => {
                return skip(report, eval, &entry.reason);
            }
            (Some(entry), Some(_)) => return skip(report, eval, &entry.reason),
            (None, Some(why)) => {
                fail(
                    report,
                    format!(
                        "needs native histograms ({why}), which the workbench does not model \
                         yet; list it in the skip file to skip it"
                    ),
                );
                if let Some(f) = report.failures.last_mut() {
                    f.unlisted_native = Some(why.clone());
                }
                return;
            }
            // A native-histogram entry for an eval that needs none: the entry is stale (the
            // caller reports it) and the eval runs.
            (Some(_), None) | (None, None) => {}
        }
        let outcome = match eval.kind {
            EvalKind::Range => self.range_eval(eval),
            EvalKind::Instant => self.instant_eval(eval, &expr),
        };
        match outcome {
            Ok(()) => report.passed += 1,
            Err(message) => fail(report, message),
        }
    }

    /// Why the eval needs native histograms: it selects a series that holds them, or
    /// expects histogram points.
    fn native_reason(&self, expr: &Expr, eval: &Eval) -> Option<String> {
        if eval.expects_histograms() {
            return Some("expects native-histogram points".into());
        }
        let mut found = None;
        visit_selectors(expr, &mut |vs| {
            if found.is_none()
                && let Some(s) = self.native.iter().find(|s| selects(vs, s))
            {
                found = Some(format!("selects the native-histogram series {s}"));
            }
        });
        found
    }

    fn range_eval(&mut self, eval: &Eval) -> Result<(), String> {
        let outcome = self
            .engine
            .range(&self.db, &eval.query, eval.start, eval.end, eval.step);
        let answer = match outcome {
            Err(e) if eval.is_fail() => return check_expected_failure(eval, &e),
            Err(e) => return Err(format!("error evaluating the query: {e}")),
            Ok(_) if eval.is_fail() => {
                return Err("expected the query to fail, but it succeeded".into());
            }
            Ok(a) => a,
        };
        check_annotations(eval, &answer)?;
        as_result(compare::compare(eval, &answer.value))
    }

    fn instant_eval(&mut self, eval: &Eval, expr: &Expr) -> Result<(), String> {
        let mut runs = vec![(eval.query.clone(), eval.eval_time)];
        runs.extend(step_invariance::cases(expr, eval.eval_time));
        for (i, (query, t)) in runs.iter().enumerate() {
            self.instant_run(eval, query, *t).map_err(|e| {
                if i == 0 {
                    e
                } else {
                    format!(
                        "with every selector pinned by @, at t={}:\n  {query}\n{e}",
                        crate::promql::duration::format_ms(*t)
                    )
                }
            })?;
        }
        Ok(())
    }

    fn instant_run(&mut self, eval: &Eval, query: &str, t: i64) -> Result<(), String> {
        let answer = match self.engine.instant(&self.db, query, t) {
            Err(e) if eval.is_fail() => return check_expected_failure(eval, &e),
            Err(e) => return Err(format!("error evaluating the query: {e}")),
            Ok(_) if eval.is_fail() => {
                return Err("expected the query to fail, but it succeeded".into());
            }
            Ok(a) => a,
        };
        check_annotations(eval, &answer)?;
        as_result(compare::compare(eval, &answer.value))?;
        if eval.exclude_from_range_query || query_context_function(query) {
            return Ok(());
        }
        // The same query as a range query must agree at its middle step.
        let range = self
            .engine
            .range(&self.db, query, t - 60_000, t + 60_000, 60_000)
            .map_err(|e| format!("error evaluating the query in range mode: {e}"))?;
        if eval.is_ordered() {
            // Range results are always sorted by labels.
            return Ok(());
        }
        let Value::Matrix(series) = &range.value else {
            return Err(format!(
                "range mode returned a {}, not a matrix",
                range.value.result_type()
            ));
        };
        let mut samples = Vec::new();
        for s in series {
            if let Some(p) = s.points.iter().find(|p| p.t == t) {
                samples.push(Sample {
                    labels: s.labels.clone(),
                    t,
                    v: p.v,
                });
            }
        }
        let sorted = series.windows(2).all(|w| w[0].labels <= w[1].labels);
        let value = match (&answer.value, samples.first()) {
            (Value::Scalar { .. }, Some(s)) => Value::Scalar { t, v: s.v },
            (Value::Scalar { .. }, None) => {
                return Err("range mode returned no point at the evaluation time".into());
            }
            _ => Value::Vector(samples),
        };
        if !sorted {
            return Err("range mode: matrix results should always be sorted by labels".into());
        }
        as_result(compare::compare(eval, &value))
            .map_err(|e| format!("in range mode (from t-1m to t+1m):\n{e}"))
    }
}

fn skip(report: &mut FileReport, eval: &Eval, reason: &str) {
    report.skipped += 1;
    report.skips.push(Skipped {
        line: eval.line,
        query: eval.query.clone(),
        reason: reason.to_string(),
    });
}

fn as_result(d: compare::Diff) -> Result<(), String> {
    if d.is_empty() {
        Ok(())
    } else {
        Err(d.render())
    }
}

/// Whether the query calls `start()`, `end()`, `range()` or `step()`, which resolve
/// differently in the range-mode re-run (Prometheus' `reQueryContextFuncs`).
fn query_context_function(query: &str) -> bool {
    static QUERY_CONTEXT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"(start|end|range|step)\(\)").ok());
    QUERY_CONTEXT.as_ref().is_some_and(|r| r.is_match(query))
}

/// `checkExpectedFailure`: the legacy message and regexp, then the first `expect fail`.
fn check_expected_failure(eval: &Eval, error: &str) -> Result<(), String> {
    if let Some(m) = eval.expected_fail_message.as_deref()
        && !m.is_empty()
        && m != error
    {
        return Err(format!("expected error {m:?}, got: {error}"));
    }
    if let Some(r) = &eval.expected_fail_regexp
        && !r.is_match(error)
    {
        return Err(format!(
            "expected error matching {:?}, got: {error}",
            r.as_str()
        ));
    }
    if let Some(e) = eval.expects_of(ExpectKind::Fail).next()
        && !e.matcher.matches(error)
    {
        return Err(format!(
            "expected error matching {}, got: {error}",
            e.matcher
        ));
    }
    Ok(())
}

/// `checkAnnotations`: the legacy `eval_warn`/`eval_info` need at least one; `expect warn`
/// and `expect info` lines must each match an annotation and every annotation of their kind
/// must match a line; `no_warn`/`no_info` forbid them.
fn check_annotations(eval: &Eval, answer: &Answer) -> Result<(), String> {
    if eval.warn && answer.warnings.is_empty() {
        return Err("expected warnings, got none".into());
    }
    if eval.info && answer.infos.is_empty() {
        return Err("expected info annotations, got none".into());
    }
    for (kind, none, actual, what) in [
        (
            ExpectKind::Warn,
            ExpectKind::NoWarn,
            &answer.warnings,
            "warn",
        ),
        (ExpectKind::Info, ExpectKind::NoInfo, &answer.infos, "info"),
    ] {
        let expected: Vec<_> = eval.expects_of(kind).collect();
        if !expected.is_empty() {
            if actual.is_empty() {
                return Err(format!("expected {what} annotations, got none"));
            }
            for e in &expected {
                if !actual.iter().any(|a| e.matcher.matches(a)) {
                    return Err(format!(
                        "expected a {what} annotation matching {}, got: {actual:?}",
                        e.matcher
                    ));
                }
            }
            for a in actual {
                if !expected.iter().any(|e| e.matcher.matches(a)) {
                    return Err(format!("unexpected {what} annotation {a:?}"));
                }
            }
        }
        if eval.expects_of(none).next().is_some() && !actual.is_empty() {
            return Err(format!("unexpected {what} annotations: {actual:?}"));
        }
    }
    Ok(())
}

/// Calls `f` for every vector selector in `expr`, including those of range selectors.
fn visit_selectors(expr: &Expr, f: &mut dyn FnMut(&VectorSelector)) {
    match &expr.kind {
        ExprKind::VectorSelector(vs) => f(vs),
        ExprKind::MatrixSelector(m) => f(&m.selector),
        _ => {
            for child in expr.children() {
                visit_selectors(child, f);
            }
        }
    }
}

/// Whether the selector's matchers all accept `labels` (a missing label reads as "").
fn selects(vs: &VectorSelector, labels: &Labels) -> bool {
    vs.matchers
        .iter()
        .all(|m| m.matches(labels.get(&m.name).unwrap_or("")))
}

/// The native histogram with custom buckets that `load_with_nhcb` builds from a classic
/// histogram series: its base name, without `le`. `None` for other series, and for a bucket
/// whose `le` is not a number (Prometheus skips those).
fn nhcb_series(labels: &Labels) -> Option<Labels> {
    let name = labels.metric_name()?;
    let base = if let Some(base) = name.strip_suffix("_bucket") {
        let le: f64 = labels.get("le")?.parse().ok()?;
        if le.is_nan() {
            return None;
        }
        base
    } else {
        name.strip_suffix("_count")
            .or_else(|| name.strip_suffix("_sum"))?
    };
    Some(labels.without(&["le"]).with(METRIC_NAME, base))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::value::{Point, Series};
    use crate::promqltest::skips::SkipEntry;

    /// A toy engine: a query is a metric name, optionally pinned with ` @ <seconds>`; the
    /// value is the series' latest sample at or before the evaluation time. `boom` fails and
    /// `warned` adds a warning. Every call is recorded.
    #[derive(Default)]
    struct Toy {
        calls: Vec<(String, i64, i64)>,
    }

    impl Toy {
        fn at(&self, db: &Tsdb, query: &str, t: i64) -> Result<Vec<Sample>, String> {
            let (name, t) = match query.split_once(" @ ") {
                Some((n, at)) => (
                    n,
                    (at.parse::<f64>().map_err(|e| e.to_string())? * 1000.0) as i64,
                ),
                None => (query, t),
            };
            if name == "boom" {
                return Err("boom happened".into());
            }
            let name = if name == "warned" { "m" } else { name };
            let m = crate::tsdb::matcher(METRIC_NAME, crate::promql::matcher::MatchOp::Equal, name)
                .map_err(|e| format!("{e:?}"))?;
            Ok(db
                .select(&[m])
                .into_iter()
                .filter_map(|r| {
                    let last = db.samples(r, t - 300_000, t).last()?;
                    Some(Sample {
                        labels: db.labels(r)?.clone(),
                        t,
                        v: last.1,
                    })
                })
                .collect())
        }

        fn answer(query: &str, value: Value) -> Answer {
            Answer {
                value,
                warnings: if query.starts_with("warned") {
                    vec!["PromQL warning: careful (1:1)".into()]
                } else {
                    Vec::new()
                },
                infos: Vec::new(),
            }
        }
    }

    impl QueryEngine for Toy {
        fn instant(&mut self, db: &Tsdb, query: &str, t: i64) -> Result<Answer, String> {
            self.calls.push((query.to_string(), t, t));
            Ok(Toy::answer(query, Value::Vector(self.at(db, query, t)?)))
        }

        fn range(
            &mut self,
            db: &Tsdb,
            query: &str,
            start: i64,
            end: i64,
            step: i64,
        ) -> Result<Answer, String> {
            self.calls.push((query.to_string(), start, end));
            let mut series: BTreeMap<Labels, Vec<Point>> = BTreeMap::new();
            let mut t = start;
            while t <= end {
                for s in self.at(db, query, t)? {
                    series
                        .entry(s.labels)
                        .or_default()
                        .push(Point { t, v: s.v });
                }
                t += step;
            }
            let m = series
                .into_iter()
                .map(|(labels, points)| Series { labels, points })
                .collect();
            Ok(Toy::answer(query, Value::Matrix(m)))
        }
    }

    fn run(script: &str, skips: &SkipList) -> (FileReport, Toy) {
        let mut toy = Toy::default();
        let r = run_script("t.test", script, &mut toy, skips);
        (r, toy)
    }

    const DATA: &str = "load 1m\n  m{a=\"1\"} 1 2 3\n  m{a=\"2\"} 5 _ stale\n\n";

    #[test]
    fn passes_and_failures_are_counted() {
        let script = format!(
            "{DATA}eval instant at 1m m\n  m{{a=\"1\"}} 2\n  m{{a=\"2\"}} 5\n\n\
             eval instant at 2m m\n  m{{a=\"1\"}} 3\n\n\
             eval instant at 2m m\n  m{{a=\"1\"}} 4\n\n\
             eval range from 0 to 2m step 1m m\n  m{{a=\"1\"}} 1 2 3\n  m{{a=\"2\"}} 5 5 stale\n"
        );
        let (r, _) = run(&script, &SkipList::default());
        assert_eq!((r.passed, r.failed, r.skipped), (2, 2, 0), "{}", r.render());
        // At 2m the second series' latest sample is a stale marker, which the toy returns.
        assert_eq!(r.failures[0].line, 9);
        assert!(r.failures[0].message.contains("stale"), "{}", r.render());
        assert!(
            r.failures[1].message.contains("expected 4, got 3"),
            "{}",
            r.render()
        );
    }

    #[test]
    fn instant_evals_are_rerun_pinned_and_as_ranges() {
        let (r, toy) = run(
            &format!("{DATA}eval instant at 1m m\n  m{{a=\"1\"}} 2\n  m{{a=\"2\"}} 5\n"),
            &SkipList::default(),
        );
        assert_eq!(r.passed, 1, "{}", r.render());
        let pinned: Vec<_> = toy
            .calls
            .iter()
            .filter(|c| c.0.contains(" @ 60.000"))
            .collect();
        // Five pinned instants, each followed by its range re-run; plus the original pair.
        assert_eq!(pinned.len(), 10, "{:?}", toy.calls);
        assert_eq!(toy.calls.len(), 12);
        assert!(toy.calls.contains(&("m".to_string(), 0, 120_000)));
    }

    #[test]
    fn expected_failures() {
        let script = "eval instant at 0 boom\n  expect fail msg: boom happened\n\n\
                      eval instant at 0 boom\n  expect fail regex: ^boom\n\n\
                      eval_fail instant at 0 boom\n  expected_fail_message something else\n\n\
                      eval instant at 0 m\n  expect fail\n\n\
                      eval instant at 0 boom\n";
        let (r, _) = run(script, &SkipList::default());
        assert_eq!((r.passed, r.failed), (2, 3), "{}", r.render());
        assert!(
            r.failures[0]
                .message
                .contains("expected error \"something else\"")
        );
        assert!(r.failures[1].message.contains("expected the query to fail"));
        assert!(r.failures[2].message.contains("boom happened"));
    }

    #[test]
    fn annotations() {
        let script = format!(
            "{DATA}eval instant at 0 warned\n  expect warn msg: PromQL warning: careful (1:1)\n  m{{a=\"1\"}} 1\n  m{{a=\"2\"}} 5\n\n\
             eval instant at 0 warned\n  expect no_warn\n  m{{a=\"1\"}} 1\n  m{{a=\"2\"}} 5\n\n\
             eval instant at 0 m\n  expect warn\n  m{{a=\"1\"}} 1\n  m{{a=\"2\"}} 5\n\n\
             eval instant at 0 warned\n  expect warn regex: other\n  m{{a=\"1\"}} 1\n  m{{a=\"2\"}} 5\n\n\
             eval instant at 0 warned\n  m{{a=\"1\"}} 1\n  m{{a=\"2\"}} 5\n"
        );
        let (r, _) = run(&script, &SkipList::default());
        // Without expectations annotations are not checked, as in Prometheus.
        assert_eq!((r.passed, r.failed), (2, 3), "{}", r.render());
    }

    #[test]
    fn native_histograms_are_skipped_only_when_listed() {
        let script = "load 1m\n  h {{sum:1 count:1}} {{sum:2 count:2}}\n  f 1 2\n\n\
                      eval instant at 1m h\n  h {{sum:2 count:2}}\n\n\
                      eval instant at 1m {__name__=~\".+\"}\n  f 2\n\n\
                      eval instant at 1m f\n  f 2\n";
        let (r, _) = run(script, &SkipList::default());
        assert_eq!((r.passed, r.failed, r.skipped), (1, 2, 0), "{}", r.render());
        assert!(
            r.failures
                .iter()
                .all(|f| f.message.contains("native histograms"))
        );
        let entry = |line: usize, query: &str| SkipEntry {
            file: "t.test".into(),
            line,
            query: query.into(),
            kind: SkipKind::NativeHistograms,
            reason: "native".into(),
        };
        let skips = SkipList {
            entries: vec![
                entry(5, "h"),
                entry(8, "{__name__=~\".+\"}"),
                entry(11, "f"),
            ],
        };
        let (r, _) = run(script, &skips);
        // The entry for line 11 is stale: that eval needs no histograms, so it runs.
        assert_eq!((r.passed, r.failed, r.skipped), (1, 0, 2), "{}", r.render());
        assert_eq!(r.skips.iter().map(|s| s.line).collect::<Vec<_>>(), [5, 8]);
    }

    #[test]
    fn nhcb_loads_mark_the_base_series() {
        let script = "load_with_nhcb 1m\n  x_bucket{le=\"1\"} 1\n  x_bucket{le=\"+Inf\"} 2\n  x_count 2\n  x_sum 3\n\n\
                      eval instant at 0 x_count\n  x_count 2\n\n\
                      eval instant at 0 x\n";
        let (r, _) = run(script, &SkipList::default());
        assert_eq!((r.passed, r.failed), (1, 1), "{}", r.render());
        assert!(
            r.failures[0]
                .message
                .contains("selects the native-histogram series x"),
            "{}",
            r.render()
        );
    }

    #[test]
    fn unparsable_queries_and_scripts_fail() {
        let (r, _) = run("eval instant at 0 sum(\n", &SkipList::default());
        assert_eq!((r.passed, r.failed), (0, 1));
        assert!(r.failures[0].message.contains("we do not"));
        let (r, _) = run("bogus\n", &SkipList::default());
        assert_eq!(r.failed, 1);
        assert!(r.error.is_some());
    }

    #[test]
    fn a_failing_load_stops_the_script() {
        let script =
            "load 1m\n  m 1 2\n\nload 1m\n  m 5\n\neval instant at 0 m\n\neval instant at 0 m\n";
        let (r, _) = run(script, &SkipList::default());
        assert_eq!((r.passed, r.failed), (0, 3), "{}", r.render());
        assert!(r.error.as_deref().unwrap_or("").contains("line 4"));
    }

    #[test]
    fn clear_drops_data() {
        let script = format!("{DATA}clear\n\neval instant at 0 m\n");
        let (r, _) = run(&script, &SkipList::default());
        assert_eq!(r.passed, 1, "{}", r.render());
    }
}
