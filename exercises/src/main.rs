//! The `exercises` command-line tool: checks packs and grades answers.

mod cli;

use clap::{Parser, Subcommand};
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
    /// 1 when it does not, 2 when the pack or exercise cannot be used.
    Grade {
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
            pack_file,
            exercise_id,
            query,
        } => cli::grade::run(&pack_file, &exercise_id, &query),
    }
}
