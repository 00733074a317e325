//! Label sets of result series, and the way Prometheus prints them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The labels of one series, sorted by name.
///
/// A `BTreeMap` keeps every iteration, and so every rendering and colour, independent of the
/// order a source sent the labels in. On the wire it is the API's `metric` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    /// The metric name (`__name__`), if the series kept it.
    pub fn name(&self) -> Option<&str> {
        self.0.get("__name__").map(String::as_str)
    }

    /// A label's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Every label except `__name__`, in name order.
    pub fn without_name(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .filter(|(k, _)| k.as_str() != "__name__")
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A copy without the named labels.
    pub fn dropping(&self, names: &[&str]) -> Labels {
        Labels(
            self.0
                .iter()
                .filter(|(k, _)| !names.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// The series as Prometheus prints it: `name{a="b", c="d"}`; `name` alone when there
    /// are no other labels and `{}` for a series with no labels at all.
    pub fn display(&self) -> String {
        let mut out = String::new();
        if let Some(name) = self.name() {
            out.push_str(name);
        }
        let mut rest = self.without_name().peekable();
        if rest.peek().is_none() {
            if out.is_empty() {
                out.push_str("{}");
            }
            return out;
        }
        out.push('{');
        for (i, (k, v)) in rest.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push_str("=\"");
            push_escaped(&mut out, v);
            out.push('"');
        }
        out.push('}');
        out
    }
}

/// Escapes a label value as Go's `strconv.Quote` does for the characters label values
/// contain in practice: backslash, double quote and line breaks.
fn push_escaped(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::result::labels as l;

    #[test]
    fn series_print_as_prometheus_prints_them() {
        let cases = [
            (
                l([("__name__", "up"), ("job", "demo"), ("instance", "a:1")]),
                r#"up{instance="a:1", job="demo"}"#,
            ),
            (l([("__name__", "up")]), "up"),
            (l([]), "{}"),
            (l([("job", "a\"b\\c\nd")]), r#"{job="a\"b\\c\nd"}"#),
            // Upper-case labels sort before `__name__` byte-wise; the name still leads.
            (l([("__name__", "x"), ("Zone", "eu")]), r#"x{Zone="eu"}"#),
        ];
        for (labels, shown) in cases {
            assert_eq!(labels.display(), shown);
        }
    }

    #[test]
    fn dropping_removes_only_the_named_labels() {
        let s = l([("__name__", "x_bucket"), ("le", "0.1"), ("job", "a")]);
        assert_eq!(s.dropping(&["le", "__name__"]), l([("job", "a")]));
        assert_eq!(s.get("le"), Some("0.1"));
    }
}
