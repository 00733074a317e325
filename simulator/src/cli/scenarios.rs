//! `simulator scenarios`: what the built-in scenarios hold.

use serde_json::json;
use simulator::scenario::{self, Scenario, Window};
use simulator::timestamp::format_time;
use std::process::ExitCode;

/// Prints every scenario: a summary table, then each one's description, targets and the
/// incidents of its default window; or all of it as JSON.
pub fn run(json: bool, anchor: i64) -> ExitCode {
    let mut all = Vec::new();
    for name in scenario::names() {
        match scenario::by_name(name) {
            Ok(s) => all.push(s),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if json {
        let list: Vec<serde_json::Value> = all.iter().map(|s| to_json(s, anchor)).collect();
        match serde_json::to_string_pretty(&list) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", table(&all, anchor));
    }
    ExitCode::SUCCESS
}

fn to_json(s: &Scenario, anchor: i64) -> serde_json::Value {
    let w = s.default_window(anchor);
    json!({
        "name": s.name(),
        "title": s.title(),
        "description": s.description(),
        "scrape_interval_seconds": s.scrape().interval as f64 / 1000.0,
        "targets": s.targets().iter().map(|t| json!({
            "job": t.job,
            "instance": t.instance,
            "labels": t.labels.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        })).collect::<Vec<_>>(),
        "series": s.series().len(),
        "families": s.families().len(),
        "default_window": {"start": format_time(w.start), "end": format_time(w.end)},
        "incidents": occurrences_json(s, w),
    })
}

fn occurrences_json(s: &Scenario, w: Window) -> Vec<serde_json::Value> {
    s.occurrences(w)
        .iter()
        .map(|o| {
            let inc = &s.incidents()[o.incident];
            json!({
                "kind": inc.kind.as_str(),
                "title": inc.title,
                "description": inc.description,
                "shows": inc.shows,
                "start": format_time(o.start),
                "end": format_time(o.end),
                "targets": if inc.targets.is_empty() {
                    s.targets().iter().map(|t| t.instance.clone()).collect::<Vec<_>>()
                } else {
                    inc.targets.iter().map(|t| s.targets()[t.index()].instance.clone()).collect()
                },
            })
        })
        .collect()
}

/// Wraps `text` at `width` columns, indenting every line by `indent` spaces.
fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&" ".repeat(indent));
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&" ".repeat(indent));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn table(all: &[Scenario], anchor: i64) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<15} {:>7} {:>7}  {:<43} {:>9}\n",
        "NAME", "TARGETS", "SERIES", "DEFAULT WINDOW (UTC)", "INCIDENTS"
    ));
    for s in all {
        let w = s.default_window(anchor);
        out.push_str(&format!(
            "{:<15} {:>7} {:>7}  {:<43} {:>9}\n",
            s.name(),
            s.targets().len(),
            s.series().len(),
            format!("{} .. {}", format_time(w.start), format_time(w.end)),
            s.occurrences(w).len()
        ));
    }
    for s in all {
        let w = s.default_window(anchor);
        out.push_str(&format!("\n{} — {}\n", s.name(), s.title()));
        out.push_str(&wrap(s.description(), 92, 2));
        out.push_str(&format!(
            "  scrape interval {} s, {} series in {} families\n  targets:\n",
            s.scrape().interval as f64 / 1000.0,
            s.series().len(),
            s.families().len()
        ));
        for t in s.targets() {
            let extra: Vec<String> = t
                .labels
                .iter()
                .map(|(n, v)| format!("{n}=\"{v}\""))
                .collect();
            out.push_str(&format!(
                "    job=\"{}\" instance=\"{}\"{}{}\n",
                t.job,
                t.instance,
                if extra.is_empty() { "" } else { " " },
                extra.join(" ")
            ));
        }
        out.push_str(&format!(
            "  incidents in the default window {} .. {}:\n",
            format_time(w.start),
            format_time(w.end)
        ));
        for o in s.occurrences(w) {
            let inc = &s.incidents()[o.incident];
            out.push_str(&format!(
                "    {} .. {}  {:<13} {}\n",
                &format_time(o.start)[11..19],
                &format_time(o.end)[11..19],
                inc.kind.as_str(),
                inc.title
            ));
            out.push_str(&wrap(&inc.description, 86, 6));
            for q in &inc.shows {
                out.push_str(&format!("      see: {q}\n"));
            }
        }
    }
    out
}
