//! Function behaviour beyond Prometheus' own scripts, written in their script language
//! (`tests/data/functions.test`) and run by the same runner as the conformance suite.

use simulator::promqltest::skips::SkipList;
use simulator::promqltest::{PromqlEngine, run_script};

#[test]
fn function_scripts_pass() {
    let text = include_str!("data/functions.test");
    let report = run_script(
        "functions.test",
        text,
        &mut PromqlEngine::default(),
        &SkipList::default(),
    );
    assert!(
        report.failed == 0 && report.error.is_none(),
        "{}",
        report.render()
    );
    // Every eval ran: none may be skipped, and a script read wrongly would run fewer.
    assert_eq!(
        (report.skipped, report.passed),
        (0, 17),
        "{}",
        report.render()
    );
}
