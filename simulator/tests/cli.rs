//! The `simulator` command line: listings, exports and clear errors for bad input.

#![cfg(all(feature = "cli", not(target_arch = "wasm32")))]
// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simulator"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn scenarios_lists_every_scenario_as_a_table_and_as_json() {
    let (ok, table, _) = run(&["scenarios"]);
    assert!(ok);
    assert!(table.starts_with("NAME"));
    assert!(table.contains("demo.promlabs.com:10002 restarts"));
    assert!(table.contains("2026-01-01T06:00:00Z .. 2026-01-01T12:00:00Z"));
    let (ok, json, _) = run(&["scenarios", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), simulator::scenario::names().len());
    let demo = list.iter().find(|s| s["name"] == "demo").unwrap();
    assert_eq!(demo["targets"].as_array().unwrap().len(), 3);
    assert_eq!(demo["default_window"]["end"], "2026-01-01T12:00:00Z");
    assert!(
        demo["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "target-down")
    );
    // Another anchor moves the window to the noon before it.
    let (_, json, _) = run(&["scenarios", "--json", "--anchor", "2026-03-05T11:00:00Z"]);
    assert!(json.contains("\"end\": \"2026-03-04T12:00:00Z\""));
}

#[test]
fn export_writes_openmetrics_and_load_blocks() {
    let (ok, om, _) = run(&[
        "export",
        "--scenario",
        "demo",
        "--start",
        "2026-01-01T06:00:00Z",
        "--end",
        "1767247260",
    ]);
    assert!(ok);
    assert!(om.ends_with("# EOF\n"));
    assert!(
        om.contains("demo_num_cpus{instance=\"demo.promlabs.com:10001\",job=\"demo\"} 4 1767247")
    );
    let (ok, load, _) = run(&[
        "export",
        "--scenario",
        "demo",
        "--format",
        "promqltest",
        "--start",
        "2026-01-01T06:00:00Z",
        "--end",
        "2026-01-01T06:05:00Z",
    ]);
    assert!(ok);
    assert!(load.starts_with("load 15s\n"));
}

#[test]
fn bad_input_gets_a_clear_error() {
    let (ok, _, err) = run(&["export", "--scenario", "nope"]);
    assert!(!ok);
    assert!(
        err.contains("there is no scenario named \"nope\"") && err.contains("demo"),
        "{err}"
    );
    let (ok, _, err) = run(&["export", "--scenario", "demo", "--start", "yesterday"]);
    assert!(!ok);
    assert!(err.contains("RFC 3339"), "{err}");
    let (ok, _, err) = run(&[
        "export",
        "--scenario",
        "demo",
        "--start",
        "1767247260",
        "--end",
        "1767247200",
    ]);
    assert!(!ok);
    assert!(err.contains("--end is before --start"), "{err}");
    let (ok, _, err) = run(&[
        "export",
        "--scenario",
        "demo",
        "--start",
        "2020-01-01T00:00:00Z",
        "--end",
        "2026-01-01T00:00:00Z",
    ]);
    assert!(!ok);
    assert!(err.contains("longer than 92 days"), "{err}");
    let (ok, _, err) = run(&["serve", "--scenario", "demo", "--listen", "not-an-address"]);
    assert!(!ok);
    assert!(err.contains("cannot listen on not-an-address"), "{err}");
}

#[test]
fn query_prints_the_prometheus_api_json() {
    let (ok, out, _) = run(&[
        "query",
        "--scenario",
        "demo",
        "--time",
        "2026-01-01T11:00:00Z",
        "count by (job) (up)",
    ]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"demo"},"value":[1767265200,"3"]}]}}"#
    );
    let (ok, out, _) = run(&[
        "query",
        "--scenario",
        "demo",
        "--start",
        "2026-01-01T11:00:00Z",
        "--end",
        "2026-01-01T11:01:00Z",
        "--step",
        "30s",
        "count(up) * 2",
    ]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["data"]["resultType"], "matrix");
    assert_eq!(
        v["data"]["result"][0]["values"],
        serde_json::json!([[1767265200, "6"], [1767265230, "6"], [1767265260, "6"]])
    );
    // A scalar at an instant, with Go's float formatting.
    let (ok, out, _) = run(&["query", "--scenario", "demo", "--time", "1.5", "-1/0"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"-Inf"]}}"#
    );
}

#[test]
fn query_errors_are_api_errors_with_status_1() {
    let (ok, out, _) = run(&["query", "--scenario", "demo", "sum(up"]);
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["status"], "error");
    assert_eq!(v["errorType"], "bad_data");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid parameter \"query\": 1:")
    );
    let (ok, out, _) = run(&["query", "--scenario", "demo", "up + on() up"]);
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errorType"], "execution");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("found duplicate series for the match group {} on the right hand-side")
    );
    let (ok, out, _) = run(&[
        "query",
        "--scenario",
        "demo",
        "--start",
        "0",
        "--end",
        "100000",
        "--step",
        "1",
        "up",
    ]);
    assert!(!ok);
    assert!(out.contains("exceeded maximum resolution of 11,000 points per timeseries"));
    let (ok, out, _) = run(&["query", "--scenario", "nope", "up"]);
    assert!(!ok);
    assert!(out.contains("\"errorType\":\"bad_data\""));
}
