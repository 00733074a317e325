//! The `exercises` command-line tool.

use clap::Parser;

/// Check PromQL exercise packs and grade answers against them.
#[derive(Parser, Debug)]
#[command(name = "exercises", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
