//! The promqltest runner's script reader accepts every one of Prometheus' shipped scripts and
//! finds the same evals as the independent reader in `support::evals`.

mod support;

use simulator::promqltest::script::{self, Command};

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
