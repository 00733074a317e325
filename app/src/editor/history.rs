//! The last queries run, newest first, kept in the browser's localStorage.
//!
//! [`QueryHistory`] is plain data with the rules (no blanks, no duplicates, at most
//! [`HISTORY_LIMIT`]); [`load`] and [`save`] are the only code that touches storage, so the
//! rules are tested natively.

use serde::{Deserialize, Serialize};

/// How many queries are kept.
pub const HISTORY_LIMIT: usize = 50;

/// The localStorage key. The version suffix lets a future format move to a new key instead
/// of misreading an old one.
pub const STORAGE_KEY: &str = "promql-workbench.history.v1";

/// Queries run, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryHistory {
    entries: Vec<String>,
}

impl QueryHistory {
    /// A history holding `entries` (newest first), trimmed to the rules.
    pub fn from_entries(entries: Vec<String>) -> QueryHistory {
        let mut h = QueryHistory::default();
        for e in entries.into_iter().rev() {
            h.record(&e);
        }
        h
    }

    /// Records a query just run: moves it to the front, drops the oldest beyond the limit.
    /// Blank queries are not recorded.
    pub fn record(&mut self, query: &str) {
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        self.entries.retain(|e| e != query);
        self.entries.insert(0, query.to_string());
        self.entries.truncate(HISTORY_LIMIT);
    }

    /// The queries, newest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }
}

/// Reads the history from localStorage; a missing or unreadable entry gives an empty one.
pub fn load() -> QueryHistory {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::get::<Vec<String>>(STORAGE_KEY)
        .map(QueryHistory::from_entries)
        .unwrap_or_default()
}

/// Writes the history to localStorage. A full or disabled storage is not worth interrupting
/// the learner for, so failures are ignored.
pub fn save(history: &QueryHistory) {
    use gloo::storage::{LocalStorage, Storage};
    let _ = LocalStorage::set(STORAGE_KEY, history.entries());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_without_duplicates_or_blanks() {
        let mut h = QueryHistory::default();
        h.record("up");
        h.record("  rate(x[5m]) ");
        h.record("up");
        h.record("   ");
        assert_eq!(h.entries(), ["up", "rate(x[5m])"]);
    }

    #[test]
    fn keeps_only_the_last_fifty() {
        let mut h = QueryHistory::default();
        for i in 0..60 {
            h.record(&format!("q{i}"));
        }
        assert_eq!(h.entries().len(), HISTORY_LIMIT);
        assert_eq!(h.entries()[0], "q59");
        assert_eq!(h.entries()[49], "q10");
        let again = QueryHistory::from_entries(h.entries().to_vec());
        assert_eq!(again, h);
    }
}
