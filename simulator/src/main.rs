//! The `simulator` command-line tool.

use clap::Parser;

/// Deterministic Prometheus metric scenarios and a PromQL engine.
#[derive(Parser, Debug)]
#[command(name = "simulator", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
