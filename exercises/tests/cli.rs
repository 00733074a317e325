//! The `exercises` binary: exit codes, the summary line `make test` counts, the verdict JSON.

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_exercises"))
}

fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exercises-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const PACK: &str = r#"[pack]
id = "cli"
title = "CLI"
version = "1"
author = "tests"
licence = "CC0-1.0"

[[exercise]]
id = "double"
module = "M"
title = "Double"
difficulty = "beginner"
prompt = "Twice the temperature, keeping the labels."
reference = 'temp_celsius * 2'
hints = ["Multiply.", "By two."]
data = { load = """
load 1m
  temp_celsius{room="a"} 1+1x30
  temp_celsius{room="b"} 40-1x30
""" }
eval = { at = ["10m", "20m"] }

[[exercise.wrong]]
query = 'temp_celsius'
feedback = "Not doubled."

[[exercise.wrong]]
query = 'temp_celsius * 2 + 0'
feedback = "Adding zero changes nothing: this wrong answer is right."
"#;

#[test]
fn check_prints_a_line_per_exercise_and_the_summary() {
    let path = temp("pack.toml", PACK);
    let out = bin().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL cli/double"), "{stdout}");
    assert!(
        stdout.contains(
            "wrong[2].query (line 28): the wrong answer `temp_celsius * 2 + 0` is accepted"
        ),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("SUMMARY 0 passed, 1 failed"),
        "{stdout}"
    );
    let fixed = PACK.replace("temp_celsius * 2 + 0", "temp_celsius * 3");
    let path = temp("fixed.toml", &fixed);
    let out = bin().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok   cli/double"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("SUMMARY 1 passed, 0 failed"),
        "{stdout}"
    );
}

#[test]
fn grade_prints_the_verdict_as_json() {
    let path = temp("grade.toml", PACK);
    let out = bin()
        .args(["grade"])
        .arg(&path)
        .args(["double", "temp_celsius * 3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pass"], false);
    assert_eq!(v["feedback"][0]["kind"], "values_off");
    let out = bin()
        .args(["grade"])
        .arg(&path)
        .args(["double", "2 * temp_celsius"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"pass": true, "feedback": []}));
    let out = bin()
        .args(["grade"])
        .arg(&path)
        .args(["nope", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("its exercises are: double"));
}
