//! Command-line interface: argument definitions and one module per subcommand.

mod query_text;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Deterministic Prometheus metric scenarios and a PromQL engine.
#[derive(Parser, Debug)]
#[command(name = "simulator", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse a PromQL query and print its syntax tree as JSON with byte spans.
    ///
    /// On errors, prints each one as `line:col: message`, the query line, a caret line and
    /// a hint, and exits with status 1.
    Parse {
        /// The query, for example 'sum by (job) (rate(http_requests_total[5m]))'.
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Print an indented outline of the tree instead of JSON.
        #[arg(long)]
        tree: bool,
    },
    /// Print a PromQL query in canonical form, as Prometheus formats it.
    Format {
        /// The query to format.
        #[arg(allow_hyphen_values = true)]
        query: String,
    },
}

/// Runs the command and returns the process's exit status.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Parse { query, tree } => query_text::parse(&query, tree),
        Command::Format { query } => query_text::format(&query),
    }
}
