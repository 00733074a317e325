//! `simulator parse` and `simulator format`: a query's syntax tree or canonical text.

use simulator::promql;
use std::process::ExitCode;

/// Prints the tree as pretty JSON (or an outline), or the rendered errors on stderr.
pub fn parse(query: &str, outline: bool) -> ExitCode {
    match promql::parse(query) {
        Ok(expr) if outline => {
            print!("{}", promql::format::tree(&expr));
            ExitCode::SUCCESS
        }
        Ok(expr) => match serde_json::to_string_pretty(&expr) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot serialize the syntax tree: {e}");
                ExitCode::FAILURE
            }
        },
        Err(errors) => report(query, &errors),
    }
}

/// Prints the formatted query, or the rendered errors on stderr.
pub fn format(query: &str) -> ExitCode {
    match promql::parse(query) {
        Ok(expr) => {
            println!("{}", promql::format(&expr));
            ExitCode::SUCCESS
        }
        Err(errors) => report(query, &errors),
    }
}

fn report(query: &str, errors: &[promql::ParseError]) -> ExitCode {
    eprint!("{}", promql::error::render(query, errors));
    ExitCode::FAILURE
}
