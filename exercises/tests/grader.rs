//! The grader on tables of answers: right answers written differently must pass, wrong and
//! cheating answers must fail with the feedback that explains them.
//!
//! One `check` helper runs a table against one exercise; each row is an answer, whether it
//! passes, and the kind of the first feedback that fails it.

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use exercises::grader::{Feedback, Grader, Verdict};
use exercises::pack::{self, Exercise};
use simulator::promql::Value;

const META: &str = r#"
[pack]
id = "tests"
title = "Grader tests"
version = "1"
author = "tests"
licence = "CC0-1.0"
"#;

/// Loads a pack made of `META` and one exercise; fails the test on any load error.
fn exercise(body: &str) -> Exercise {
    let text = format!("{META}\n[[exercise]]\n{body}");
    let loaded = pack::load("test.toml", &text);
    assert!(loaded.errors.is_empty(), "{:#?}", loaded.errors);
    loaded.pack.exercises[0].clone()
}

/// The kind tag of a feedback item, as the JSON names it.
fn kind(f: &Feedback) -> String {
    serde_json::to_value(f).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_string()
}

fn first_failing_kind(v: &Verdict) -> Option<String> {
    v.feedback.iter().find(|f| f.fails()).map(kind)
}

/// Grades every row; `expect` is `None` for an answer that must pass, or the kind of the
/// first failing feedback.
fn check(grader: &mut Grader, ex: &Exercise, rows: &[(&str, Option<&str>)]) {
    let mut wrong = Vec::new();
    for (answer, expect) in rows {
        let v = grader.grade(ex, answer);
        let got = first_failing_kind(&v);
        let ok = match expect {
            None => v.pass,
            Some(k) => !v.pass && got.as_deref() == Some(*k),
        };
        if !ok {
            wrong.push(format!(
                "{answer}\n   expected {expect:?}, got pass={} {got:?}: {:?}",
                v.pass,
                v.feedback.iter().map(Feedback::message).collect::<Vec<_>>()
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

const SUCCESS_RATE: &str = r#"
id = "success-rate"
module = "Ratios"
title = "Transaction success rate"
difficulty = "intermediate"
prompt = "The share of transactions that succeed over the last 5 minutes, as a ratio from 0 to 1, without labels."
reference = '''
sum(rate(ebanking_transactions_processed_total{status="success"}[5m]))
/ sum(rate(ebanking_transactions_processed_total[5m]))'''
data = { scenario = "ebanking", seeds = [1, 2] }
eval = { at = ["07:00", "09:30", "10:45", "11:30"] }
"#;

#[test]
fn equivalent_formulations_pass() {
    let ex = exercise(SUCCESS_RATE);
    let mut g = Grader::new();
    check(
        &mut g,
        &ex,
        &[
            // The reference as written.
            (&ex.reference.clone(), None),
            // Extra harmless parentheses.
            (
                "((sum(rate(ebanking_transactions_processed_total{status=\"success\"}[5m]))) / (sum(rate(ebanking_transactions_processed_total[5m]))))",
                None,
            ),
            // A regex matcher that selects the same series.
            (
                "sum(rate(ebanking_transactions_processed_total{status=~\"succ.*\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
                None,
            ),
            // The complement, algebraically equal.
            (
                "1 - sum(rate(ebanking_transactions_processed_total{status!=\"success\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
                None,
            ),
            // increase() over the same window is rate() times the window.
            (
                "sum(increase(ebanking_transactions_processed_total{status=\"success\"}[5m])) / sum(increase(ebanking_transactions_processed_total[5m]))",
                None,
            ),
            // Explicit empty matching.
            (
                "sum(rate(ebanking_transactions_processed_total{status=\"success\"}[5m])) / on() sum(rate(ebanking_transactions_processed_total[5m]))",
                None,
            ),
        ],
    );
}

#[test]
fn wrong_and_cheating_answers_fail_with_the_right_feedback() {
    let ex = exercise(SUCCESS_RATE);
    let mut g = Grader::new();
    // An answer built from seed 1's numbers: right at every time on seed 1, and it reads
    // data (so it is not caught as constant), but wrong on seed 2.
    let expected = g.expected(&ex).unwrap();
    let pieces: Vec<String> = expected.sets[0]
        .points
        .iter()
        .map(|p| {
            let Value::Vector(v) = &p.value else {
                panic!("vector expected")
            };
            format!(
                "(vector({:?}) and on() (vector(time()) == {}))",
                v[0].v,
                p.time / 1000
            )
        })
        .collect();
    let hard_coded = format!(
        "0 * sum(rate(ebanking_transactions_processed_total[5m])) + on() ({})",
        pieces.join(" or ")
    );
    check(
        &mut g,
        &ex,
        &[
            // Constant answers.
            ("vector(0.93)", Some("reads_no_data")),
            ("0.93", Some("wrong_type")),
            (&hard_coded, Some("values_off")),
            // The right query on the wrong metric.
            (
                "sum(rate(ebanking_login_attempts_total{status=\"success\"}[5m])) / sum(rate(ebanking_login_attempts_total[5m]))",
                Some("values_off"),
            ),
            // A percentage where a ratio is asked for.
            (
                "100 * sum(rate(ebanking_transactions_processed_total{status=\"success\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
                Some("values_off"),
            ),
            // irate() is not rate().
            (
                "sum(irate(ebanking_transactions_processed_total{status=\"success\"}[5m])) / sum(irate(ebanking_transactions_processed_total[5m]))",
                Some("values_off"),
            ),
            // A misspelt label value.
            (
                "sum(rate(ebanking_transactions_processed_total{status=\"sucess\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
                Some("empty_result"),
            ),
            // A misspelt metric.
            (
                "sum(rate(ebanking_transaction_processed_total{status=\"success\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
                Some("empty_result"),
            ),
            // Split by status instead of one ratio.
            (
                "sum by (status) (rate(ebanking_transactions_processed_total[5m])) / ignoring(status) group_left sum(rate(ebanking_transactions_processed_total[5m]))",
                Some("granularity"),
            ),
            // Does not parse.
            (
                "sum(rate(ebanking_transactions_processed_total[5m)",
                Some("parse_error"),
            ),
            // A range vector.
            (
                "ebanking_transactions_processed_total[5m]",
                Some("wrong_type"),
            ),
        ],
    );
    // The hard-coded answer is recognised as right on seed 1 only.
    let v = g.grade(&ex, &hard_coded);
    let partly = v
        .feedback
        .iter()
        .find_map(|f| match f {
            Feedback::PartlyRight {
                seeds_right,
                seeds_wrong,
                ..
            } => Some((seeds_right.clone(), seeds_wrong.clone())),
            _ => None,
        })
        .expect("a partly-right note");
    assert_eq!(partly, (vec![1], vec![2]));
    // The percentage is diagnosed as a factor of 100.
    let v = g.grade(
        &ex,
        "100 * sum(rate(ebanking_transactions_processed_total{status=\"success\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
    );
    assert!(
        v.feedback.iter().any(
            |f| matches!(f, Feedback::ValuesOff { scale: Some(s), .. } if (*s - 100.0).abs() < 1e-9)
        ),
        "{:?}",
        v.feedback
    );
    // The misspelt value is named, with the values that exist.
    let v = g.grade(
        &ex,
        "sum(rate(ebanking_transactions_processed_total{status=\"sucess\"}[5m])) / sum(rate(ebanking_transactions_processed_total[5m]))",
    );
    let m = v.feedback[0].message();
    assert!(
        m.contains("status=\"sucess\"") && m.contains("Did you mean \"success\"?"),
        "{m}"
    );
}

const BY_STATUS: &str = r#"
id = "by-status"
module = "Aggregation"
title = "Transactions per second by status"
difficulty = "beginner"
prompt = "Transactions per second over 5 minutes, one series per `status` and no other label."
reference = 'sum by (status) (rate(ebanking_transactions_processed_total[5m]))'
data = { scenario = "ebanking", seeds = [1, 2] }
eval = { at = ["08:00", "10:50"] }
"#;

#[test]
fn grouping_by_before_after_and_without() {
    let ex = exercise(BY_STATUS);
    let mut g = Grader::new();
    check(
        &mut g,
        &ex,
        &[
            (
                "sum(rate(ebanking_transactions_processed_total[5m])) by (status)",
                None,
            ),
            (
                "sum without (channel, transaction_type, instance, job, service, tier, environment) (rate(ebanking_transactions_processed_total[5m]))",
                None,
            ),
            (
                "(sum by (status) ((rate(ebanking_transactions_processed_total[5m]))))",
                None,
            ),
            (
                "sum by (status) (increase(ebanking_transactions_processed_total[5m])) / 300",
                None,
            ),
            (
                "sum(rate(ebanking_transactions_processed_total[5m]))",
                Some("granularity"),
            ),
            (
                "sum by (channel) (rate(ebanking_transactions_processed_total[5m]))",
                Some("granularity"),
            ),
            (
                "sum by (status, channel) (rate(ebanking_transactions_processed_total[5m]))",
                Some("granularity"),
            ),
            (
                "sum by (status) (ebanking_transactions_processed_total)",
                Some("values_off"),
            ),
            (
                "sum by (status) (rate(ebanking_transactions_processed_total[1m]))",
                Some("values_off"),
            ),
            (
                "sum by (status) (rate(ebanking_transactions_processed_total[5m])) * 60",
                Some("values_off"),
            ),
        ],
    );
    let v = g.grade(&ex, "sum(rate(ebanking_transactions_processed_total[5m]))");
    let m = v.feedback[0].message();
    assert!(m.contains("lack labels the answer keeps: `status`"), "{m}");
}

const CUSTOM: &str = r#"
module = "Operators"
difficulty = "beginner"
prompt = "x"
data = { load = """
load 1m
  a_total{job="api", instance="1"} 0+60x30
  a_total{job="api", instance="2"} 0+30x30
  b_total{job="api", instance="1"} 0+6x30
  b_total{job="api", instance="2"} 0+12x30
  temp_celsius{room="a"} 1+1x30
  temp_celsius{room="b"} 40-1x30
""" }
eval = { at = ["10m", "20m", "25m"] }
"#;

#[test]
fn commutative_operands_and_metric_names() {
    let ex = exercise(&format!(
        "id = \"sum\"\ntitle = \"Sum\"\nreference = 'sum by (job) (rate(a_total[5m])) + sum by (job) (rate(b_total[5m]))'\n{CUSTOM}"
    ));
    let mut g = Grader::new();
    check(
        &mut g,
        &ex,
        &[
            (
                "sum by (job) (rate(b_total[5m])) + sum by (job) (rate(a_total[5m]))",
                None,
            ),
            ("sum by (job) (rate(a_total[5m]) + rate(b_total[5m]))", None),
            (
                "sum by (job) (rate({__name__=~\"a_total|b_total\"}[5m]))",
                None,
            ),
            ("sum by (job) (rate(a_total[5m]))", Some("values_off")),
            (
                "sum by (job) (rate(a_total[5m]) * rate(b_total[5m]))",
                Some("values_off"),
            ),
        ],
    );
    // The name kept where the answer drops it, and dropped where the answer keeps it.
    let ex = exercise(&format!(
        "id = \"double\"\ntitle = \"Double\"\nreference = 'temp_celsius * 2'\n{CUSTOM}"
    ));
    check(
        &mut g,
        &ex,
        &[
            ("2 * temp_celsius", None),
            ("temp_celsius + temp_celsius", None),
            (
                "label_replace(temp_celsius * 2, \"__name__\", \"temp_celsius\", \"\", \"\")",
                Some("wrong_labels"),
            ),
        ],
    );
    let v = g.grade(
        &ex,
        "label_replace(temp_celsius * 2, \"__name__\", \"temp_celsius\", \"\", \"\")",
    );
    assert!(
        v.feedback[0]
            .message()
            .contains("still carry the metric name"),
        "{:?}",
        v.feedback
    );
    let ex = exercise(&format!(
        "id = \"filter\"\ntitle = \"Filter\"\nreference = 'temp_celsius > 15'\n{CUSTOM}"
    ));
    check(
        &mut g,
        &ex,
        &[
            ("15 < temp_celsius", None),
            ("temp_celsius >= 15.000001", None),
            ("(temp_celsius > 15) * 1", Some("wrong_labels")),
            ("temp_celsius > 20.5", Some("missing_series")),
            ("temp_celsius > 1000", Some("empty_result")),
        ],
    );
    let v = g.grade(&ex, "temp_celsius > 1000");
    let m = v.feedback[0].message();
    assert!(m.contains("The comparison `> 1000` keeps no series"), "{m}");
}

#[test]
fn order_matters_only_when_asked() {
    let body = |ordered: bool| {
        format!(
            "id = \"order\"\ntitle = \"Order\"\nreference = 'sort_desc(temp_celsius)'\ncompare = {{ ordered = {ordered} }}\n{CUSTOM}"
        )
    };
    let mut g = Grader::new();
    check(
        &mut g,
        &exercise(&body(true)),
        &[
            ("sort_desc(temp_celsius)", None),
            ("sort(temp_celsius)", Some("wrong_order")),
            ("temp_celsius", Some("wrong_order")),
        ],
    );
    check(
        &mut g,
        &exercise(&body(false)),
        &[("sort(temp_celsius)", None), ("temp_celsius", None)],
    );
}

#[test]
fn range_evaluations_compare_every_step() {
    let ex = exercise(
        r#"
id = "alert"
module = "Alerts"
title = "Alert"
difficulty = "beginner"
prompt = "x"
reference = 'rate(a_total[5m]) > 0.75'
data = { load = """
load 1m
  a_total{job="api"} 0+30x10 300+60x10 900+30x10
""" }
eval = { range = { start = "5m", end = "30m", step = "1m" } }
"#,
    );
    let mut g = Grader::new();
    check(
        &mut g,
        &ex,
        &[
            ("0.75 < rate(a_total[5m])", None),
            ("rate(a_total[5m]) > 0.5", Some("values_off")),
            ("rate(a_total[5m]) > 1", Some("empty_result")),
            ("rate(a_total[5m])", Some("values_off")),
        ],
    );
    // A threshold too low fires at steps where the answer does not.
    let v = g.grade(&ex, "rate(a_total[5m]) > 0.4");
    let Feedback::ValuesOff { examples, .. } = &v.feedback[0] else {
        panic!("{:?}", v.feedback)
    };
    assert_eq!(examples[0].expected, None);
    assert!(examples[0].got.is_some());
}

#[test]
fn constraints_and_annotations() {
    let ex = exercise(
        r#"
id = "c"
module = "Vector matching"
title = "Share per instance"
difficulty = "intermediate"
prompt = "x"
reference = 'rate(a_total[5m]) / ignoring(instance) group_left sum by (job) (rate(a_total[5m]))'
constraints = { must_use = ["group_left"], must_not_use = ["on"] }
data = { load = """
load 1m
  a_total{job="api", instance="1"} 0+60x30
  a_total{job="api", instance="2"} 0+30x30
""" }
eval = { at = ["10m", "20m"] }
"#,
    );
    let mut g = Grader::new();
    check(
        &mut g,
        &ex,
        &[
            (
                "rate(a_total[5m]) / ignoring (instance) group_left () sum without (instance) (rate(a_total[5m]))",
                None,
            ),
            (
                "rate(a_total[5m]) / on(job) group_left sum by (job) (rate(a_total[5m]))",
                Some("constraint"),
            ),
            (
                "rate(a_total[5m]) / scalar(sum(rate(a_total[5m])))",
                Some("constraint"),
            ),
        ],
    );
    let v = g.grade(
        &ex,
        "rate(a_total[5m]) / on(job) group_left sum by (job) (rate(a_total[5m]))",
    );
    let Feedback::Constraint {
        span: Some(span), ..
    } = &v.feedback[0]
    else {
        panic!("{:?}", v.feedback)
    };
    assert_eq!(
        span.text("rate(a_total[5m]) / on(job) group_left sum by (job) (rate(a_total[5m]))"),
        "on(job)"
    );
    // rate() on a gauge passes or fails on its values, and the engine's info is passed on.
    let ex = exercise(&format!(
        "id = \"g\"\ntitle = \"Gauge\"\nreference = 'delta(temp_celsius[5m])'\n{CUSTOM}"
    ));
    let v = g.grade(&ex, "rate(temp_celsius[5m]) * 300");
    assert!(
        v.feedback
            .iter()
            .any(|f| matches!(f, Feedback::Annotation { text, .. } if text.contains("might not be a counter"))),
        "{:?}",
        v.feedback
    );
}

#[test]
fn a_listed_wrong_answer_gets_the_instructors_feedback_first() {
    let ex = exercise(&format!(
        "id = \"double\"\ntitle = \"Double\"\nreference = 'temp_celsius * 2'\n{CUSTOM}\n[[exercise.wrong]]\nquery = 'temp_celsius * 3'\nfeedback = \"Twice, not three times.\"\n"
    ));
    let mut g = Grader::new();
    // Spacing does not matter.
    let v = g.grade(&ex, "temp_celsius*3");
    assert!(!v.pass);
    assert_eq!(
        v.feedback[0],
        Feedback::KnownMistake {
            feedback: "Twice, not three times.".into()
        }
    );
    assert_eq!(v.feedback[0].message(), "Twice, not three times.");
    assert_eq!(kind(&v.feedback[1]), "values_off");
    // Another wrong answer gets no instructor feedback.
    let v = g.grade(&ex, "temp_celsius * 4");
    assert!(
        !v.feedback
            .iter()
            .any(|f| matches!(f, Feedback::KnownMistake { .. }))
    );
}

#[test]
fn verdict_json_has_pass_and_messages() {
    let ex = exercise(&format!(
        "id = \"double\"\ntitle = \"Double\"\nreference = 'temp_celsius * 2'\n{CUSTOM}"
    ));
    let v = Grader::new().grade(&ex, "temp_celsius * 3");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["pass"], false);
    assert_eq!(json["feedback"][0]["kind"], "values_off");
    assert!(
        json["feedback"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1.5 times")
    );
    let json = serde_json::to_value(Grader::new().grade(&ex, "2 * temp_celsius")).unwrap();
    assert_eq!(json, serde_json::json!({"pass": true, "feedback": []}));
}
