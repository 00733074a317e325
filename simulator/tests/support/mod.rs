//! Shared helpers for the integration tests: where Prometheus' conformance scripts are, and
//! reading the `eval` commands out of them.
//!
//! The scripts (`*.test`, Apache-2.0, from prometheus/prometheus at d15adb9) are not copied
//! into this repository; the tests read them where the workspace keeps them.

// Test support: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub mod prometheus;
pub mod seeds;

use std::path::PathBuf;

/// The directory holding Prometheus' `*.test` scripts: `$PROMQLTEST_DIR`, else
/// `<repo>/../shared/promqltest`, else `/work/shared/promqltest`. `None` (after saying so
/// loudly on stderr) when none exists, so the caller can skip.
pub fn promqltest_dir() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = std::env::var_os("PROMQLTEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            repo.join("../shared/promqltest"),
            PathBuf::from("/work/shared/promqltest"),
        ]);
    for dir in candidates {
        if dir.is_dir() {
            return Some(dir);
        }
    }
    eprintln!(
        "\n!!! SKIPPING: Prometheus' promqltest scripts were not found. Set PROMQLTEST_DIR to \
         the directory holding aggregators.test, functions.test, ... (see ../shared/promqltest).\n"
    );
    None
}

/// Every `*.test` script in `dir`, sorted by name, with its contents.
pub fn scripts(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("read the promqltest directory")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("read a .test script");
            (name, text)
        })
        .collect();
    out.sort();
    out
}

/// One `eval` command of a script.
#[derive(Debug, Clone)]
pub struct Eval {
    /// 1-based line number of the `eval` line.
    pub line: usize,
    /// The query, the rest of the eval line.
    pub query: String,
    /// Whether the script expects the query to fail (`expect fail`, `eval_fail`).
    pub expect_fail: bool,
    /// The expected failure message or regex, if the script gives one.
    pub fail_message: Option<String>,
}

/// Reads the `eval` commands of a script the way Prometheus' `promqltest` does: lines are
/// trimmed, `#` lines are blank, a command's body runs to the next blank line, and the query
/// is what `patEvalInstant`/`patEvalRange` capture.
pub fn evals(script: &str) -> Vec<Eval> {
    let instant = regex::Regex::new(
        r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$",
    )
    .unwrap();
    let range = regex::Regex::new(
        r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$",
    )
    .unwrap();
    let expect = regex::Regex::new(
        r"^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$",
    )
    .unwrap();
    let lines: Vec<String> = script
        .split('\n')
        .map(|l| {
            let l = l.trim();
            if l.starts_with('#') {
                String::new()
            } else {
                l.to_string()
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_empty() {
            i += 1;
            continue;
        }
        let command = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if command == "clear" {
            i += 1;
            continue;
        }
        let body_end = (i + 1..lines.len())
            .find(|&j| lines[j].is_empty())
            .unwrap_or(lines.len());
        if command.starts_with("load") {
            i = body_end;
            continue;
        }
        assert!(
            command.starts_with("eval"),
            "unrecognised command on line {}: {line}",
            i + 1
        );
        let (modifier, query) = if let Some(c) = instant.captures(line) {
            (c.get(1).map(|m| m.as_str()), c[3].to_string())
        } else if let Some(c) = range.captures(line) {
            (c.get(1).map(|m| m.as_str()), c[5].to_string())
        } else {
            panic!(
                "line {} is not an eval command Prometheus accepts: {line}",
                i + 1
            );
        };
        let mut eval = Eval {
            line: i + 1,
            query,
            expect_fail: modifier == Some("fail"),
            fail_message: None,
        };
        for body in &lines[i + 1..body_end] {
            if let Some(m) = body.strip_prefix("expected_fail_message") {
                eval.fail_message = Some(m.trim().to_string());
            } else if let Some(m) = body.strip_prefix("expected_fail_regexp") {
                eval.fail_message = Some(m.trim().to_string());
            } else if body.starts_with("expect range vector") || body.starts_with("expect string") {
                // Result expectations, checked before `expect` lines as Prometheus does.
            } else if body.split(' ').next() == Some("expect") {
                let c = expect
                    .captures(body)
                    .unwrap_or_else(|| panic!("bad expect line: {body}"));
                if &c[1] == "fail" {
                    eval.expect_fail = true;
                    eval.fail_message = c.get(3).map(|m| m.as_str().trim().to_string());
                }
            }
        }
        out.push(eval);
        i = body_end;
    }
    out
}
