//! OpenMetrics text, as `promtool tsdb create-blocks-from openmetrics` reads it.
//!
//! Every sample carries its timestamp in seconds with millisecond decimals (promtool would
//! read integer milliseconds as seconds). Families are contiguous, each introduced by
//! `# TYPE`, `# HELP` and, when it has one, `# UNIT`; counters use the family name without
//! `_total` and samples named with it; series appear one after the other with their samples
//! in ascending time; the text ends with `# EOF`.
//!
//! OpenMetrics has no stale marker (a `NaN` would be stored as an ordinary NaN), so stale
//! markers are left out. A Prometheus that backfills the file therefore keeps returning a
//! series' last value for up to five minutes (the lookback) after it went stale, where the
//! simulator's own TSDB returns nothing.

use super::float::write_go_float;
use super::{write_help, write_series};
use crate::scenario::{FamilyId, SampleSink, Scenario, SeriesId};
use crate::tsdb::is_stale_marker;
use std::fmt::Write as _;
use std::io;

/// A [`SampleSink`] writing OpenMetrics text to `out`. Call [`Self::finish`] at the end.
pub struct OpenMetricsWriter<W: io::Write> {
    out: W,
    line: String,
    pending: Option<FamilyId>,
    error: Option<io::Error>,
    samples: u64,
}

impl<W: io::Write> OpenMetricsWriter<W> {
    /// A writer to `out` (buffer it: the writer issues one write per line).
    pub fn new(out: W) -> OpenMetricsWriter<W> {
        OpenMetricsWriter {
            out,
            line: String::with_capacity(256),
            pending: None,
            error: None,
            samples: 0,
        }
    }

    fn emit(&mut self) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(self.line.as_bytes())
        {
            self.error = Some(e);
        }
        self.line.clear();
    }

    /// Writes `# EOF` and returns the output and the number of samples written, or the first
    /// write error.
    pub fn finish(mut self) -> io::Result<(W, u64)> {
        self.line.push_str("# EOF\n");
        self.emit();
        match self.error {
            Some(e) => Err(e),
            None => Ok((self.out, self.samples)),
        }
    }
}

impl<W: io::Write> SampleSink for OpenMetricsWriter<W> {
    fn family(&mut self, _: &Scenario, family: FamilyId) {
        // Metadata is written with the family's first series, so families with no samples
        // in the window leave no trace.
        self.pending = Some(family);
    }

    fn series(&mut self, scenario: &Scenario, series: SeriesId, ts: &[i64], vs: &[f64]) {
        if self.error.is_some() {
            return;
        }
        if let Some(f) = self.pending.take()
            && let Some(family) = scenario.families().get(f.index())
        {
            let name = family.openmetrics_name();
            let _ = writeln!(self.line, "# TYPE {name} {}", family.kind.as_str());
            if !family.help.is_empty() {
                let _ = write!(self.line, "# HELP {name} ");
                let _ = write_help(&mut self.line, &family.help, true);
                self.line.push('\n');
            }
            if !family.unit.is_empty() {
                let _ = writeln!(self.line, "# UNIT {name} {}", family.unit);
            }
            self.emit();
        }
        let Some(info) = scenario.series().get(series) else {
            return;
        };
        let mut prefix = String::new();
        let _ = write_series(&mut prefix, &info.labels, &[]);
        for (&t, &v) in ts.iter().zip(vs) {
            if is_stale_marker(v) {
                continue;
            }
            self.line.push_str(&prefix);
            self.line.push(' ');
            let _ = write_go_float(&mut self.line, v);
            let _ = writeln!(
                self.line,
                " {}.{:03}",
                t.div_euclid(1000),
                t.rem_euclid(1000)
            );
            self.samples += 1;
            if self.line.len() > 1 << 16 {
                self.emit();
            }
        }
        self.emit();
    }
}
