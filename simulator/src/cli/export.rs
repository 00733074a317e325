//! `simulator export`: a window of a scenario as OpenMetrics or a promqltest `load` block.

use simulator::exposition::{LoadWriter, OpenMetricsWriter};
use simulator::scenario::{self, DAY, Window};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
    Openmetrics,
    /// A promqltest `load` block.
    Promqltest,
}

/// The longest window one export may cover, so a typo in a date does not fill the disk.
const MAX_WINDOW: i64 = 92 * DAY;

/// Writes the window to stdout.
pub fn run(
    name: &str,
    seed: u64,
    start: Option<i64>,
    end: Option<i64>,
    anchor: i64,
    format: Format,
) -> ExitCode {
    let s = match scenario::by_name(name) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let default = s.default_window(anchor);
    let window = Window::new(start.unwrap_or(default.start), end.unwrap_or(default.end));
    if window.end < window.start {
        eprintln!("error: --end is before --start");
        return ExitCode::FAILURE;
    }
    if window.end - window.start > MAX_WINDOW {
        eprintln!("error: the window is longer than 92 days; export it in pieces");
        return ExitCode::FAILURE;
    }
    let stdout = io::stdout();
    let out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = match format {
        Format::Openmetrics => {
            let mut w = OpenMetricsWriter::new(out);
            s.generate(seed, window, &mut w);
            w.finish().and_then(|(mut out, _)| out.flush())
        }
        Format::Promqltest => {
            let mut w = LoadWriter::new(out, window.start);
            s.generate(seed, window, &mut w);
            w.finish().map(|_| ())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: writing the export failed: {e}");
            ExitCode::FAILURE
        }
    }
}
