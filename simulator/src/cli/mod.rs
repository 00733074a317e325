//! Command-line interface: argument definitions and one module per subcommand.

mod export;
mod promqltest;
mod query;
mod query_text;
mod scenarios;
mod serve;

use clap::{Parser, Subcommand};
use simulator::scenario::{DEFAULT_ANCHOR, DEFAULT_SEED};
use simulator::timestamp::parse_time;
use std::process::ExitCode;

/// Deterministic Prometheus metric scenarios and a PromQL engine.
#[derive(Parser, Debug)]
#[command(name = "simulator", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Reads a time argument: RFC 3339 or Unix seconds.
fn time_arg(s: &str) -> Result<i64, String> {
    parse_time(s).map_err(|e| e.to_string())
}

/// Reads a step: a duration such as `15s` or `1m30s`, or a number of seconds.
fn step_arg(s: &str) -> Result<i64, String> {
    if let Ok(seconds) = s.parse::<f64>() {
        if seconds.is_finite() && seconds > 0.0 && seconds < 1e12 {
            return Ok((seconds * 1000.0).round() as i64);
        }
        return Err(format!(
            "the step {s:?} must be a positive number of seconds"
        ));
    }
    match simulator::promql::duration::parse_go_duration(s) {
        Ok(nanos) if nanos >= 1_000_000 => Ok((nanos / 1_000_000) as i64),
        Ok(_) => Err(format!("the step {s:?} must be at least 1ms")),
        Err(_) => Err(format!(
            "cannot read the step {s:?}: write a duration such as 15s or 1m"
        )),
    }
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
    /// List the built-in scenarios: targets, series, default window and its incidents.
    Scenarios {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Place the default windows relative to this time (RFC 3339 or Unix seconds);
        /// default 2026-01-01T12:00:00Z.
        #[arg(long, value_parser = time_arg)]
        anchor: Option<i64>,
    },
    /// Write a window of a scenario to stdout, as OpenMetrics (for `promtool tsdb
    /// create-blocks-from openmetrics`) or as a promqltest `load` block.
    ///
    /// Without --start and --end, exports the scenario's default window (the 6 hours before
    /// 2026-01-01T12:00:00Z unless --anchor says otherwise). Times are RFC 3339
    /// (2026-01-01T06:00:00Z) or Unix seconds. OpenMetrics has no stale markers, so they are
    /// left out of that format.
    Export {
        /// The scenario (see `simulator scenarios`).
        #[arg(long)]
        scenario: String,
        /// The seed: the same seed gives the same data everywhere.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// First instant of the window (inclusive).
        #[arg(long, value_parser = time_arg, allow_hyphen_values = true)]
        start: Option<i64>,
        /// Last instant of the window (inclusive).
        #[arg(long, value_parser = time_arg, allow_hyphen_values = true)]
        end: Option<i64>,
        /// Anchor for the default window.
        #[arg(long, value_parser = time_arg)]
        anchor: Option<i64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = export::Format::Openmetrics)]
        format: export::Format,
    },
    /// Run Prometheus' PromQL test scripts (`*.test`) against the engine.
    ///
    /// Prints each failing eval (file:line, query, expected against got), a line of counts
    /// per script, and last `N passed, N failed, N skipped`. Without paths, runs the suite in
    /// $PROMQLTEST_DIR or ../shared/promqltest. Evals needing native histograms are skipped
    /// only when the skip list names them.
    Promqltest {
        /// Script files, or directories of them.
        paths: Vec<std::path::PathBuf>,
        /// A skip list to use instead of the built-in simulator/promqltest-skips.toml.
        #[arg(long)]
        skips: Option<std::path::PathBuf>,
        /// Fail if a script passes fewer evals than the built-in baseline
        /// (simulator/promqltest-baseline.toml); prints `SUMMARY N passed, N failed`.
        #[arg(long)]
        check_baseline: bool,
        /// Check against this baseline file instead of the built-in one.
        #[arg(long)]
        baseline: Option<std::path::PathBuf>,
        /// Write the passing counts to this file as a new baseline.
        #[arg(long)]
        write_baseline: Option<std::path::PathBuf>,
        /// Print skip-list entries for native-histogram evals that are not listed yet.
        #[arg(long)]
        print_skips: bool,
        /// Print only each script's counts.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Evaluate a PromQL query over a scenario and print the Prometheus HTTP API's JSON.
    ///
    /// An instant query at --time (default 2026-01-01T12:00:00Z, the end of every
    /// scenario's default window), or a range query with --start, --end and --step. Times are
    /// RFC 3339 or Unix seconds; the step is a duration (15s, 1m) or seconds. Errors print
    /// `{"status":"error","errorType":...,"error":...}` and exit with status 1.
    Query {
        /// The scenario (see `simulator scenarios`).
        #[arg(long)]
        scenario: String,
        /// The seed.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Evaluation time of an instant query.
        #[arg(long, value_parser = time_arg, allow_hyphen_values = true, conflicts_with_all = ["start", "end", "step"])]
        time: Option<i64>,
        /// Start of a range query.
        #[arg(long, value_parser = time_arg, allow_hyphen_values = true, requires_all = ["end", "step"])]
        start: Option<i64>,
        /// End of a range query.
        #[arg(long, value_parser = time_arg, allow_hyphen_values = true, requires_all = ["start", "step"])]
        end: Option<i64>,
        /// Step of a range query.
        #[arg(long, value_parser = step_arg, requires_all = ["start", "end"])]
        step: Option<i64>,
        /// The query, for example 'sum by (job) (rate(http_requests_total[5m]))'.
        #[arg(allow_hyphen_values = true)]
        query: String,
    },
    /// Serve the scenario's targets on /metrics/<instance> with the values at the current
    /// time, for a real Prometheus to scrape. GET / shows a ready scrape configuration.
    Serve {
        /// The scenario (see `simulator scenarios`).
        #[arg(long)]
        scenario: String,
        /// The seed.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:9400")]
        listen: String,
    },
}

/// Runs the command and returns the process's exit status.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Parse { query, tree } => query_text::parse(&query, tree),
        Command::Format { query } => query_text::format(&query),
        Command::Scenarios { json, anchor } => {
            scenarios::run(json, anchor.unwrap_or(DEFAULT_ANCHOR))
        }
        Command::Export {
            scenario,
            seed,
            start,
            end,
            anchor,
            format,
        } => export::run(
            &scenario,
            seed,
            start,
            end,
            anchor.unwrap_or(DEFAULT_ANCHOR),
            format,
        ),
        Command::Promqltest {
            paths,
            skips,
            check_baseline,
            baseline,
            write_baseline,
            print_skips,
            quiet,
        } => promqltest::run(promqltest::Options {
            paths,
            skips,
            check_baseline,
            baseline,
            write_baseline,
            print_skips,
            quiet,
        }),
        Command::Query {
            scenario,
            seed,
            time,
            start,
            end,
            step,
            query: text,
        } => {
            let when = match (start, end, step) {
                (Some(s), Some(e), Some(st)) => query::When::Range(s, e, st),
                _ => query::When::Instant(time.unwrap_or(DEFAULT_ANCHOR)),
            };
            query::run(&scenario, seed, when, &text)
        }
        Command::Serve {
            scenario,
            seed,
            listen,
        } => serve::run(&scenario, seed, &listen),
    }
}
