//! Conformance: every `eval` query in Prometheus' own test scripts parses as Prometheus
//! parses it, and formats back to the same tree.
//!
//! Prometheus' script loader (`promqltest/test.go`, `parseEval`) parses every eval query
//! while loading a file and rejects the whole file on a parse error. So a query in a
//! shipped script, even one marked `expect fail`, is one Prometheus parses successfully: its
//! expected failure is raised when the query runs (duplicate series, a NaN parameter, a
//! modifier the function does not support...). Our parser must therefore accept all of them.

mod support;

use simulator::promql;

#[test]
fn every_eval_query_parses_and_round_trips() {
    let Some(dir) = support::promqltest_dir() else {
        return;
    };
    let mut failures = Vec::new();
    let mut totals = (0, 0, 0, 0);
    println!(
        "{:<26} {:>6} {:>10} {:>13} {:>11} {:>11}",
        "file", "evals", "parsed ok", "expect fail*", "mismatches", "round trip"
    );
    for (name, script) in support::scripts(&dir) {
        let evals = support::evals(&script);
        let (mut parsed, mut runtime_failures, mut mismatches, mut round_trips) = (0, 0, 0, 0);
        for eval in &evals {
            let where_ = format!("{name}:{}: {}", eval.line, eval.query);
            let expr = match promql::parse(&eval.query) {
                Ok(expr) => expr,
                Err(errors) => {
                    mismatches += 1;
                    failures.push(format!(
                        "{where_}\n  Prometheus parses this query, we do not:\n{}",
                        promql::error::render(&eval.query, &errors)
                    ));
                    continue;
                }
            };
            parsed += 1;
            if eval.expect_fail {
                runtime_failures += 1;
            }
            let formatted = promql::format(&expr);
            match promql::parse(&formatted) {
                Ok(again) if again.same_query(&expr) => round_trips += 1,
                Ok(_) => failures.push(format!(
                    "{where_}\n  formats as `{formatted}`, which parses to a different tree"
                )),
                Err(errors) => failures.push(format!(
                    "{where_}\n  formats as `{formatted}`, which does not parse:\n{}",
                    promql::error::render(&formatted, &errors)
                )),
            }
        }
        println!(
            "{name:<26} {:>6} {parsed:>10} {runtime_failures:>13} {mismatches:>11} {round_trips:>11}",
            evals.len()
        );
        totals.0 += evals.len();
        totals.1 += parsed;
        totals.2 += runtime_failures;
        totals.3 += mismatches;
    }
    println!(
        "{:<26} {:>6} {:>10} {:>13} {:>11}",
        "total", totals.0, totals.1, totals.2, totals.3
    );
    println!("* expect-fail cases: all raised at run time, so they must parse (see module doc)");
    assert!(
        totals.0 > 2000,
        "expected the full suite, found {} evals",
        totals.0
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
