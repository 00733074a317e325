//! The `exercises` command-line tool: checks packs and grades answers.

mod cli;

use clap::{Parser, Subcommand};
use exercises::grader::server::Placement;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check PromQL exercise packs and grade answers against them.
#[derive(Parser, Debug)]
#[command(name = "exercises", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load packs and check every exercise: the reference returns data on every seed
    /// without undeclared warnings, every listed wrong answer is rejected, every prompt
    /// and hint renders. Prints one line per exercise and `SUMMARY N passed, N failed`;
    /// exits with 1 if anything failed.
    Check {
        /// Pack files, or directories searched for `*.toml` (default: exercises/packs).
        paths: Vec<PathBuf>,
    },
    /// Grade QUERY as an answer to exercise EXERCISE_ID of PACK_FILE and print the verdict
    /// as JSON (`{"pass": bool, "feedback": [...]}`). Exits with 0 when the answer passes,
    /// 1 when it does not, 2 when the pack, the exercise or the server cannot be used.
    ///
    /// With --prometheus, both the answer and the reference run on that server (HTTP or
    /// HTTPS) instead of the simulator, at the exercise's times: the server must hold the
    /// exercise's scenario there (a backfilled `simulator export` of its window), or
    /// --time moves the exercise's window to end at another time. Secrets are read from
    /// files, never taken as arguments (which any user sees in `ps`).
    Grade {
        /// Base URL of a Prometheus-compatible server, http:// or https://, with its path
        /// prefix if it has one: e.g. https://prometheus.example.com, http://127.0.0.1:9090.
        #[arg(long, value_name = "URL", value_parser = cli::server::check_url)]
        prometheus: Option<String>,
        /// With --prometheus: where the exercise's window ends on the server (RFC 3339 or
        /// Unix seconds; default: where the exercise says). Every evaluation time keeps
        /// its distance from the window's end.
        #[arg(long, value_name = "TIME", requires = "prometheus", value_parser = parse_time)]
        time: Option<i64>,
        /// With --prometheus: a PEM file of CA certificates to trust in addition to the
        /// public roots, for a server whose certificate a private CA issued.
        #[arg(long, value_name = "PEM", requires = "prometheus")]
        ca_file: Option<PathBuf>,
        /// With --prometheus: send `Authorization: Bearer TOKEN`, TOKEN being the content of
        /// FILE (surrounding whitespace removed).
        #[arg(
            long,
            value_name = "FILE",
            requires = "prometheus",
            conflicts_with = "basic_auth_file"
        )]
        bearer_token_file: Option<PathBuf>,
        /// With --prometheus: use basic authentication with FILE's one line `user:password`.
        #[arg(long, value_name = "FILE", requires = "prometheus")]
        basic_auth_file: Option<PathBuf>,
        /// The pack file.
        pack_file: PathBuf,
        /// The exercise's id.
        exercise_id: String,
        /// The answer.
        query: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { paths } => cli::check::run(&paths),
        Command::Grade {
            prometheus,
            time,
            ca_file,
            bearer_token_file,
            basic_auth_file,
            pack_file,
            exercise_id,
            query,
        } => {
            let source = match &prometheus {
                None => cli::grade::Source::Simulator,
                Some(url) => {
                    let access = match cli::server::Access::from_flags(
                        ca_file,
                        bearer_token_file,
                        basic_auth_file,
                    ) {
                        Ok(a) => a,
                        Err(e) => {
                            eprintln!("exercises grade: {e}");
                            return ExitCode::from(2);
                        }
                    };
                    cli::grade::Source::Prometheus(
                        url,
                        access,
                        time.map_or(Placement::AsWritten, Placement::EndingAt),
                    )
                }
            };
            cli::grade::run(&pack_file, &exercise_id, &query, source)
        }
    }
}

/// A time argument: RFC 3339 or Unix seconds, as Unix milliseconds.
fn parse_time(text: &str) -> Result<i64, String> {
    simulator::timestamp::parse_time(text).map_err(|e| e.to_string())
}
