//! The Prometheus text exposition format (version 0.0.4), as a Go client writes `/metrics`.

use super::float::write_go_float;
use super::{write_help, write_series};
use crate::scenario::{Scenario, ScrapeValues};
use std::fmt::Write as _;

/// Writes what a target exposes at one instant: per family `# HELP` and `# TYPE` (counters
/// by their `_total` name, as the Go client does) followed by its samples, without
/// timestamps. The labels Prometheus attaches itself (`job`, `instance`, target labels) are
/// left out: the scraping Prometheus adds them.
pub fn write_text(scenario: &Scenario, values: &ScrapeValues, out: &mut String) {
    let mut current = None;
    for &(id, v) in &values.samples {
        let Some(info) = scenario.series().get(id) else {
            continue;
        };
        let target = &scenario.targets()[info.target.index()];
        if current != Some(info.family) {
            current = Some(info.family);
            if let Some(f) = scenario.families().get(info.family.index()) {
                if !f.help.is_empty() {
                    let _ = write!(out, "# HELP {} ", f.name);
                    let _ = write_help(out, &f.help, false);
                    out.push('\n');
                }
                let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.as_str());
            }
        }
        let mut skip: Vec<&str> = vec!["job", "instance"];
        skip.extend(target.labels.iter().map(|(n, _)| n.as_str()));
        let _ = write_series(out, &info.labels, &skip);
        out.push(' ');
        let _ = write_go_float(out, v);
        out.push('\n');
    }
}
