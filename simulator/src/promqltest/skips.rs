//! The skip list: evals the runner may skip, each named and justified in a data file.
//!
//! Skipping is never silent. An eval is skipped only when the list names it (script file,
//! line and query text, so an entry goes stale when the script changes). Evals that need
//! native histograms, which the workbench does not model yet, are detected by the runner;
//! one that is not listed fails with a message saying so, and a `native_histograms` entry
//! for an eval that does not need them is reported as stale and the eval runs. Other kinds
//! of skip exist for behaviour deliberately out of scope; their entries say why.

use serde::Deserialize;
use std::collections::BTreeSet;

/// Why an eval is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// It loads, selects or expects native histograms.
    NativeHistograms,
    /// It checks behaviour the workbench leaves out on purpose; the reason says which.
    OutOfScope,
}

/// One listed eval.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipEntry {
    /// The script's file name, such as `native_histograms.test`.
    pub file: String,
    /// The 1-based line of the `eval` command.
    pub line: usize,
    /// The query, exactly as on the eval line.
    pub query: String,
    /// The category.
    pub kind: SkipKind,
    /// Why, for a reader of the list.
    pub reason: String,
}

/// The whole list (`[[skip]]` tables in TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipList {
    /// The entries.
    #[serde(default, rename = "skip")]
    pub entries: Vec<SkipEntry>,
}

impl SkipList {
    /// The entry naming this eval, if any.
    pub fn find(&self, file: &str, line: usize, query: &str) -> Option<&SkipEntry> {
        self.entries
            .iter()
            .find(|e| e.file == file && e.line == line && e.query == query)
    }

    /// Entries for the scripts in `files` that no eval used: the script changed, or the eval
    /// no longer needs skipping. Entries for scripts that were not run are not judged.
    pub fn stale<'a>(
        &'a self,
        files: &BTreeSet<String>,
        used: &BTreeSet<(String, usize)>,
    ) -> Vec<&'a SkipEntry> {
        self.entries
            .iter()
            .filter(|e| files.contains(&e.file) && !used.contains(&(e.file.clone(), e.line)))
            .collect()
    }

    /// Entries naming the same eval twice.
    pub fn duplicates(&self) -> Vec<&SkipEntry> {
        let mut seen = BTreeSet::new();
        self.entries
            .iter()
            .filter(|e| !seen.insert((e.file.as_str(), e.line)))
            .collect()
    }
}

/// A TOML entry for an eval, as `--print-skips` suggests it.
pub fn entry_toml(file: &str, line: usize, query: &str, reason: &str) -> String {
    format!(
        "[[skip]]\nfile = {}\nline = {line}\nquery = {}\nkind = \"native_histograms\"\nreason = {}\n",
        toml_string(file),
        toml_string(query),
        toml_string(reason)
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file: &str, line: usize) -> SkipEntry {
        SkipEntry {
            file: file.into(),
            line,
            query: "q".into(),
            kind: SkipKind::NativeHistograms,
            reason: "r".into(),
        }
    }

    #[test]
    fn find_needs_file_line_and_query() {
        let list = SkipList {
            entries: vec![entry("a.test", 3)],
        };
        assert!(list.find("a.test", 3, "q").is_some());
        assert!(list.find("a.test", 3, "other").is_none());
        assert!(list.find("a.test", 4, "q").is_none());
        assert!(list.find("b.test", 3, "q").is_none());
    }

    #[test]
    fn stale_entries_only_for_scripts_run() {
        let list = SkipList {
            entries: vec![entry("a.test", 3), entry("a.test", 9), entry("b.test", 1)],
        };
        let files: BTreeSet<String> = ["a.test".to_string()].into();
        let used: BTreeSet<(String, usize)> = [("a.test".to_string(), 3)].into();
        let stale = list.stale(&files, &used);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].line, 9);
    }

    #[test]
    fn duplicates_are_found() {
        let list = SkipList {
            entries: vec![entry("a.test", 3), entry("a.test", 3)],
        };
        assert_eq!(list.duplicates().len(), 1);
    }

    #[test]
    fn printed_entries_escape_queries() {
        let text = entry_toml("a.test", 3, r#"sum(x{a="b\\"})"#, "why");
        assert!(text.contains(r#"query = "sum(x{a=\"b\\\\\"})""#), "{text}");
    }
}
