//! The promqltest runner over Prometheus' shipped scripts: the reader accepts every script
//! and finds the same evals as the independent reader in `support::evals`; the suite meets
//! the committed baseline with a skip list that is exact; and `simulator promqltest` reports
//! in the promised format.

// Test helpers: a panic here is a failing test, as clippy.toml allows inside tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use simulator::promqltest::baseline::Baseline;
use simulator::promqltest::script::{self, Command};
use simulator::promqltest::skips::SkipList;
use simulator::promqltest::{self, PromqlEngine};
use std::collections::BTreeSet;

fn committed<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    toml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_shipped_script_parses() {
    let Some(dir) = support::promqltest_dir() else {
        return;
    };
    let mut total = 0;
    for (name, text) in support::scripts(&dir) {
        let parsed = script::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours: Vec<(usize, String)> = parsed
            .commands
            .iter()
            .filter_map(|c| match c {
                Command::Eval(e) => Some((e.line, e.query.clone())),
                _ => None,
            })
            .collect();
        let theirs: Vec<(usize, String)> = support::evals(&text)
            .into_iter()
            .map(|e| (e.line, e.query))
            .collect();
        assert_eq!(ours, theirs, "{name}");
        total += ours.len();
    }
    assert!(total > 2000, "expected the full suite, found {total} evals");
}

/// What `make test` checks, as a cargo test: no script below its baseline, every skip-list
/// entry used, and no eval that needs native histograms left off the list.
#[test]
fn the_suite_meets_the_baseline_with_an_exact_skip_list() {
    let Some(dir) = support::promqltest_dir() else {
        return;
    };
    let skips: SkipList = committed("promqltest-skips.toml");
    let baseline: Baseline = committed("promqltest-baseline.toml");
    assert!(skips.duplicates().is_empty());
    let mut engine = PromqlEngine::default();
    let mut reports = Vec::new();
    for (name, text) in support::scripts(&dir) {
        reports.push(promqltest::run_script(&name, &text, &mut engine, &skips));
    }
    let regressions = baseline.check(&reports);
    assert!(
        regressions.is_empty(),
        "below the baseline: {regressions:?}"
    );
    let files: BTreeSet<String> = reports.iter().map(|r| r.file.clone()).collect();
    let used: BTreeSet<(String, usize)> = reports
        .iter()
        .flat_map(|r| r.skips.iter().map(|s| (r.file.clone(), s.line)))
        .collect();
    let stale = skips.stale(&files, &used);
    assert!(stale.is_empty(), "stale skip entries: {stale:?}");
    let unlisted: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .filter(|f| f.unlisted_native.is_some())
                .map(move |f| format!("{}:{}", r.file, f.line))
        })
        .collect();
    assert!(unlisted.is_empty(), "not in the skip list: {unlisted:?}");
    let skipped: usize = reports.iter().map(|r| r.skipped).sum();
    assert_eq!(skipped, skips.entries.len());
}

#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
mod cli {
    use std::process::Command;

    fn run(args: &[&str]) -> (bool, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_simulator"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    /// A directory of its own for one test, removed when dropped.
    struct Dir(std::path::PathBuf);

    impl Dir {
        fn new(tag: &str) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("promqltest-cli-{tag}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        fn file(&self, name: &str, text: &str) -> String {
            let path = self.0.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_string()
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn reports_failures_with_file_line_query_and_difference() {
        let dir = Dir::new("report");
        let path = dir.file(
            "mine.test",
            "load 1m\n  m{a=\"1\"} 1 2 3\n\neval instant at 2m m\n  m{a=\"1\"} 3\n\n\
             eval instant at 2m m * 2\n  {a=\"1\"} 7\n\neval range from 0 to 2m step 1m m\n  m{a=\"1\"} 1 2 3\n",
        );
        let (ok, out) = run(&["promqltest", &path]);
        assert!(!ok, "a failing eval makes the exit status non-zero:\n{out}");
        assert!(out.contains("FAIL mine.test:7: m * 2\n"), "{out}");
        assert!(out.contains("expected 7, got 6"), "{out}");
        assert!(out.contains("mine.test"), "{out}");
        assert_eq!(
            out.lines().last(),
            Some("2 passed, 1 failed, 0 skipped"),
            "{out}"
        );
    }

    #[test]
    fn passing_scripts_exit_zero() {
        let dir = Dir::new("ok");
        let path = dir.file(
            "ok.test",
            "load 1m\n  m 1 2\n\neval instant at 1m m\n  m 2\n",
        );
        let (ok, out) = run(&["promqltest", "--quiet", &path]);
        assert!(ok, "{out}");
        assert_eq!(out.lines().last(), Some("1 passed, 0 failed, 0 skipped"));
    }

    #[test]
    fn unlisted_native_histograms_fail_and_are_printed_as_skip_entries() {
        let dir = Dir::new("native");
        let path = dir.file(
            "nh.test",
            "load 1m\n  h {{sum:1 count:1}}\n\neval instant at 0 h\n  h {{sum:1 count:1}}\n",
        );
        let (ok, out) = run(&["promqltest", "--print-skips", &path]);
        assert!(!ok);
        assert!(
            out.contains("[[skip]]\nfile = \"nh.test\"\nline = 4\nquery = \"h\""),
            "{out}"
        );
        assert_eq!(out.lines().last(), Some("0 passed, 1 failed, 0 skipped"));
    }

    #[test]
    fn a_baseline_above_the_passing_count_fails_with_a_summary() {
        let dir = Dir::new("baseline");
        let path = dir.file("b.test", "load 1m\n  m 1\n\neval instant at 0 m\n  m 1\n");
        let baseline = dir.file("baseline.toml", "[passing]\n\"b.test\" = 2\n");
        let (ok, out) = run(&["promqltest", "--quiet", "--baseline", &baseline, &path]);
        assert!(!ok, "{out}");
        assert!(
            out.contains("REGRESSION b.test: 1 evals pass, the baseline is 2"),
            "{out}"
        );
        assert!(out.contains("\nSUMMARY 1 passed, 1 failed\n"), "{out}");
    }
}
