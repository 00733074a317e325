//! What `exercises check` catches, one row per kind of problem: an exercise body and the
//! words its report must contain (or none for a sound exercise).

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use exercises::grader::Grader;
use exercises::validator;

const META: &str = r#"[pack]
id = "v"
title = "V"
version = "1"
author = "tests"
licence = "CC0-1.0"
"#;

/// A custom data set: a counter, a gauge, and times that vary.
const DATA: &str = r#"data = { load = """
load 1m
  requests_total{job="api"} 0+60x30 1800+120x30
  temp_celsius{room="a"} 20+1x30 50+3x30
""" }
eval = { at = ["10m", "40m"] }
"#;

fn check(rows: &[(&str, &str, Option<&str>)]) {
    let mut grader = Grader::new();
    let mut wrong = Vec::new();
    for (name, body, want) in rows {
        let text = format!(
            "{META}\n[[exercise]]\nid = \"x\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"beginner\"\n{body}"
        );
        let report = validator::check_pack("v.toml", &text, &mut grader);
        let problems: Vec<String> = report
            .problems
            .iter()
            .chain(report.exercises.iter().flat_map(|e| e.problems.iter()))
            .cloned()
            .collect();
        let ok = match want {
            None => problems.is_empty(),
            Some(words) => problems.len() == 1 && problems[0].contains(words),
        };
        if !ok {
            wrong.push(format!("{name}: want {want:?}, got {problems:#?}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn each_problem_is_reported() {
    let sound = format!(
        "prompt = \"Requests per second.\"\nreference = 'rate(requests_total[5m])'\n{DATA}"
    );
    let wrong_ok = format!(
        "{sound}\n[[exercise.wrong]]\nquery = 'rate(requests_total[5m]) + 0'\nfeedback = \"Adding zero changes nothing.\"\n"
    );
    let wrong_rejected = format!(
        "{sound}\n[[exercise.wrong]]\nquery = 'rate(requests_total[1m])'\nfeedback = \"Another window.\"\n"
    );
    check(&[
        ("sound", &sound, None),
        ("a wrong answer that is rejected", &wrong_rejected, None),
        (
            "a wrong answer that passes",
            &wrong_ok,
            Some(
                "wrong[1].query (line 23): the wrong answer `rate(requests_total[5m]) + 0` is accepted",
            ),
        ),
        (
            "raw HTML in the prompt",
            &sound.replace("Requests per second.", "Requests <b>per</b> second."),
            Some("exercise[1].prompt: raw HTML is shown as text"),
        ),
        (
            "a javascript link in a hint",
            &format!("hints = [\"[see](javascript:alert(1))\"]\n{sound}"),
            Some("exercise[1].hints[1]: a link to \"javascript:alert(1)\" was removed"),
        ),
        (
            "an undeclared annotation",
            &sound.replace("rate(requests_total[5m])", "rate(temp_celsius[5m])"),
            Some("the reference raises \"PromQL info: metric might not be a counter"),
        ),
        (
            "a declared annotation",
            &format!(
                "warnings = [\"might not be a counter\"]\n{}",
                sound.replace("rate(requests_total[5m])", "rate(temp_celsius[5m])")
            ),
            None,
        ),
        (
            "a declared annotation never raised",
            &format!("warnings = [\"might not be a counter\"]\n{sound}"),
            Some(
                "exercise[1].warnings: the declared warning \"might not be a counter\" is never raised",
            ),
        ),
        (
            "a reference without data",
            &sound.replace(
                "rate(requests_total[5m])",
                "rate(requests_total{job=\"web\"}[5m])",
            ),
            Some("the reference returns no data at any evaluation time"),
        ),
        (
            "a constant reference",
            &sound.replace("rate(requests_total[5m])", "count(requests_total)"),
            Some("the reference gives the same result on every seed and at every time"),
        ),
        (
            "one evaluation time on a custom data set",
            &sound.replace("[\"10m\", \"40m\"]", "[\"10m\"]"),
            Some("evaluate at two times or more"),
        ),
        (
            "one seed",
            "prompt = \"p\"\nreference = 'up'\ndata = { scenario = \"demo\", seeds = [1] }\neval = { at = [\"08:00\", \"10:17\"] }\n",
            Some("exercise[1].data.seeds: grade on at least two seeds"),
        ),
        (
            "data read before the window",
            "prompt = \"p\"\nreference = 'avg_over_time(up[1h])'\ndata = { scenario = \"demo\" }\neval = { at = [\"06:30\", \"10:17\"] }\n",
            Some(
                "evaluated at 2026-01-01T06:30:00Z, the reference reads data from 2026-01-01T05:30:00.001Z, before the data window starts",
            ),
        ),
        (
            "a load error",
            &sound.replace("reference = 'rate(requests_total[5m])'", "reference = 5"),
            Some("v.toml:14: exercise[1].reference: invalid type: integer `5`, expected a string"),
        ),
    ]);
}

#[test]
fn a_broken_exercise_is_reported_and_the_others_checked() {
    let text = format!(
        "{META}\n[[exercise]]\nid = \"bad\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"beginner\"\nprompt = \"p\"\nreference = 'rate(requests_total)'\n{DATA}\n[[exercise]]\nid = \"good\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"beginner\"\nprompt = \"p\"\nreference = 'rate(requests_total[5m])'\n{DATA}"
    );
    let report = validator::check_pack("v.toml", &text, &mut Grader::new());
    let ids: Vec<(&str, bool)> = report
        .exercises
        .iter()
        .map(|e| (e.id.as_str(), e.ok()))
        .collect();
    assert_eq!(ids, [("bad", false), ("good", true)]);
    assert!(
        report.exercises[0].problems[0]
            .starts_with("v.toml:14: exercise[1].reference: the query does not parse")
    );
}
