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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, DEFAULT_ANCHOR, MINUTE, TargetId, Window};
    use std::collections::HashSet;

    fn demo_window(minutes: i64) -> (crate::scenario::Scenario, Window) {
        let s = scenario::by_name("demo").unwrap();
        let w = s.default_window(DEFAULT_ANCHOR);
        (s, Window::new(w.start, w.start + minutes * MINUTE))
    }

    #[test]
    fn openmetrics_is_what_promtool_reads() {
        let (s, w) = demo_window(3);
        let mut out = OpenMetricsWriter::new(Vec::new());
        s.generate(1, w, &mut out);
        let (bytes, samples) = out.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.ends_with("\n# EOF\n"));
        assert!(text.starts_with("# TYPE demo_api_request_duration_seconds histogram\n"));
        assert!(
            text.contains("# TYPE demo_cpu_usage_seconds counter\n# HELP demo_cpu_usage_seconds ")
        );
        assert!(text.contains("# UNIT demo_cpu_usage_seconds seconds\n"));
        assert!(text.contains("\ndemo_cpu_usage_seconds_total{instance=\"demo.promlabs.com:10000\",job=\"demo\",mode=\"idle\"} "));
        assert!(!text.contains("NaN"), "stale markers are left out");
        let mut families = HashSet::new();
        let mut last: Option<(String, i64)> = None;
        let mut lines = 0;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let name = rest.split(' ').next().unwrap().to_string();
                assert!(families.insert(name.clone()), "family {name} is split");
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            lines += 1;
            let (series, rest) = line
                .rsplit_once('}')
                .map(|(a, b)| (a.to_string(), b))
                .unwrap_or_else(|| {
                    let (a, b) = line.split_once(' ').unwrap();
                    (a.to_string(), b)
                });
            let ts = rest.trim().split(' ').nth(1).unwrap();
            let (secs, millis) = ts.split_once('.').unwrap();
            assert_eq!(millis.len(), 3, "{line}");
            let t = secs.parse::<i64>().unwrap() * 1000 + millis.parse::<i64>().unwrap();
            assert!(t >= w.start && t <= w.end);
            if let Some((prev, pt)) = &last
                && *prev == series
            {
                assert!(t > *pt, "timestamps go back in {line}");
            }
            last = Some((series, t));
        }
        assert_eq!(lines as u64, samples);
    }

    #[test]
    fn load_block_puts_samples_on_the_grid() {
        let (s, w) = demo_window(10);
        let mut out = LoadWriter::new(Vec::new(), w.start);
        s.generate(1, w, &mut out);
        let text = String::from_utf8(out.finish().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("load 15s"));
        let mut intermittent = false;
        for line in lines {
            let line = line.trim_start();
            let (series, values) = match line.find("} ") {
                Some(i) => (&line[..=i], &line[i + 2..]),
                None => line.split_once(' ').unwrap(),
            };
            assert!(crate::promql::parse(series).is_ok(), "{series}");
            // Expand `vxN` (N+1 values) and `_xN` (N gaps) and count the slots.
            let mut slots = 0;
            for item in values.split(' ') {
                slots += match item.split_once('x') {
                    Some(("_", n)) => n.parse::<usize>().unwrap(),
                    Some((_, n)) => n.parse::<usize>().unwrap() + 1,
                    None => 1,
                };
                if item == "stale" {
                    intermittent |= series.starts_with("demo_intermittent_metric");
                }
            }
            assert!(slots <= 41, "{slots} slots in 10 minutes: {line}");
        }
        assert!(
            intermittent,
            "the intermittent metric's stale markers are written as `stale`"
        );
    }

    #[test]
    fn text_format_leaves_target_labels_to_prometheus() {
        let (s, w) = demo_window(1);
        let values = s.scrape_at(1, TargetId::from_index(0), w.start).unwrap();
        let mut out = String::new();
        write_text(&s, &values, &mut out);
        assert!(out.contains("# HELP demo_num_cpus The number of CPUs the demo service has.\n# TYPE demo_num_cpus gauge\ndemo_num_cpus 4\n"));
        assert!(out.contains("# TYPE demo_cpu_usage_seconds_total counter\n"));
        assert!(out.contains("demo_api_request_duration_seconds_bucket{le=\"+Inf\",method=\"GET\",path=\"/api/foo\",status=\"200\"} "));
        assert!(!out.contains("instance="));
        assert!(!out.contains("\nup "), "up is Prometheus' own");
        // Every family's metadata appears once.
        let types: Vec<&str> = out.lines().filter(|l| l.starts_with("# TYPE ")).collect();
        let unique: HashSet<&&str> = types.iter().collect();
        assert_eq!(types.len(), unique.len());
    }

    #[test]
    fn series_and_help_escaping() {
        let labels = Labels::new([("__name__", "a:b"), ("x", "q\"\\\n")]).unwrap();
        let mut out = String::new();
        write_series(&mut out, &labels, &[]).unwrap();
        assert_eq!(out, "a:b{x=\"q\\\"\\\\\\n\"}");
        let odd = Labels::new([("__name__", "my.metric"), ("a.b", "1")]).unwrap();
        out.clear();
        write_series(&mut out, &odd, &[]).unwrap();
        assert_eq!(out, "{\"my.metric\",\"a.b\"=\"1\"}");
        out.clear();
        write_help(&mut out, "a \"b\"\\\nc", true).unwrap();
        assert_eq!(out, "a \\\"b\\\"\\\\\\nc");
    }
}
