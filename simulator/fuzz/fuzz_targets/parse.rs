//! Fuzzes the PromQL parser and formatter.
//!
//! For any input: parsing never panics (errors render without panicking too), and when it
//! succeeds, the formatted query parses again to the same tree, formats to the same text,
//! and the tree serializes to JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;
use simulator::promql;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let expr = match promql::parse(query) {
        Ok(expr) => expr,
        Err(errors) => {
            assert!(!errors.is_empty());
            let _ = promql::error::render(query, &errors);
            return;
        }
    };
    let formatted = promql::format(&expr);
    let again = match promql::parse(&formatted) {
        Ok(again) => again,
        Err(errors) => panic!(
            "{query:?} formats as {formatted:?}, which does not parse:\n{}",
            promql::error::render(&formatted, &errors)
        ),
    };
    assert!(
        again.same_query(&expr),
        "{query:?} formats as {formatted:?}, which parses to a different tree:\n{}\nvs\n{}",
        promql::format::tree(&expr),
        promql::format::tree(&again)
    );
    assert_eq!(promql::format(&again), formatted, "formatting is not idempotent for {query:?}");
    assert!(serde_json::to_string(&expr).is_ok());
});
