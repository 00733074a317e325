//! Writing samples out: OpenMetrics for `promtool tsdb create-blocks-from openmetrics`, a
//! `load` block for Prometheus' promqltest scripts, and the Prometheus text format that
//! `simulator serve` answers scrapes with.
//!
//! The writers are pure: they write to any `std::io::Write` (or `String`) the caller
//! passes; opening files and sockets is the CLI's business.

pub mod float;
mod load;
mod openmetrics;
mod text;

pub use load::LoadWriter;
pub use openmetrics::OpenMetricsWriter;
pub use text::write_text;

use crate::tsdb::labels::{Labels, METRIC_NAME, write_quoted};
use std::fmt::{self, Write};

/// Writes `name{a="1",b="2"}` (no spaces, as the exposition formats write it), leaving out
/// the labels listed in `skip`. Names that are not plain identifiers are quoted inside the
/// braces, as OpenMetrics 1.1 and Prometheus 3 allow.
pub(crate) fn write_series(out: &mut impl Write, labels: &Labels, skip: &[&str]) -> fmt::Result {
    let name = labels.metric_name().unwrap_or("");
    let plain = crate::tsdb::labels::is_legacy_name(name, true);
    if plain {
        out.write_str(name)?;
    }
    let rest: Vec<(&str, &str)> = labels
        .iter()
        .filter(|(n, _)| *n != METRIC_NAME && !skip.contains(n))
        .collect();
    if rest.is_empty() && plain {
        return Ok(());
    }
    out.write_char('{')?;
    let mut first = true;
    if !plain {
        write_quoted(out, name)?;
        first = false;
    }
    for (n, v) in rest {
        if !first {
            out.write_char(',')?;
        }
        first = false;
        if crate::tsdb::labels::is_legacy_name(n, false) {
            out.write_str(n)?;
        } else {
            write_quoted(out, n)?;
        }
        out.write_char('=')?;
        write_quoted(out, v)?;
    }
    out.write_char('}')
}

/// Escapes help text: `\\` and newlines always, double quotes too for OpenMetrics.
pub(crate) fn write_help(out: &mut impl Write, help: &str, quotes: bool) -> fmt::Result {
    for c in help.chars() {
        match c {
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '"' if quotes => out.write_str("\\\"")?,
            c => out.write_char(c)?,
        }
    }
    Ok(())
}
