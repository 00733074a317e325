//! Drafts: the text a learner typed into an exercise and has not checked yet, kept per
//! (pack, exercise) so that a look at the module list, Back, another exercise or a reload
//! never loses it.
//!
//! **Apart from progress, on purpose.** Drafts live under their own storage key
//! ([`STORAGE_KEY`]), not in the progress document. Progress is what a learner achieved:
//! it is versioned, migrated, exported and merged, and never silently dropped
//! (`super::progress`). A draft is scratch text written a moment after every pause in
//! typing; putting it in the progress document would rewrite that document many times a
//! minute, make every export carry half-typed queries, and let one bad draft entry refuse
//! the whole store. Here the rules are the opposite, and simpler: the set is bounded
//! ([`MAX_DRAFTS`], the least recently edited go first), an unreadable entry is skipped
//! on its own, and an unreadable document reads as no drafts. Nothing in this file can
//! make the course fail to open.
//!
//! **Which text an exercise opens with.** A Check records its query in progress and
//! removes the draft equal to it ([`Drafts::checked`]); saving a text equal to the last
//! checked query removes the draft too ([`Drafts::save`]). So a draft exists only while
//! the editor holds something other than the last checked query, and when one exists it
//! is the newer work: [`Drafts::opening_text`] prefers it. Text typed while a Check was
//! being graded differs from the checked query and so survives that Check.

use super::progress::{MAX_ID_BYTES, MAX_QUERY_BYTES, truncate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The localStorage key of the drafts.
pub const STORAGE_KEY: &str = "promql-workbench.drafts";

/// What the `schema` field of the drafts document says.
pub const SCHEMA: &str = "promql-workbench/drafts";

/// The version this build writes and reads; any other reads as no drafts (see the module
/// documentation for why that is acceptable for drafts and not for progress).
pub const VERSION: u32 = 1;

/// The most drafts kept. With [`MAX_QUERY_BYTES`] per draft that bounds the document near
/// a megabyte in the worst case, well inside the browser's quota beside progress.
pub const MAX_DRAFTS: usize = 200;

/// The largest stored document read, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

/// How long typing must pause before the draft is written, in milliseconds: long enough
/// that a typist's keystrokes make one write, short enough that a reload rarely falls
/// inside it (the page also writes at once when it is hidden or the exercise closes).
pub const SAVE_DELAY_MS: u64 = 400;

/// One exercise's unsent text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The editor's text.
    pub query: String,
    /// When it was last edited, Unix ms; the oldest drafts go first past [`MAX_DRAFTS`].
    pub updated_ms: i64,
}

/// The drafts of every exercise, by pack id and exercise id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drafts {
    entries: BTreeMap<(String, String), Draft>,
}

/// One entry as stored. A list of these rather than nested maps, so one bad entry is one
/// element to skip.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredDraft {
    pack: String,
    exercise: String,
    query: String,
    updated_ms: i64,
}

/// The stored document.
#[derive(Debug, Serialize)]
struct Document<'a> {
    schema: &'a str,
    version: u32,
    drafts: Vec<StoredDraft>,
}

impl Drafts {
    /// The draft of an exercise, if any.
    pub fn get(&self, pack: &str, exercise: &str) -> Option<&Draft> {
        self.entries.get(&(pack.to_string(), exercise.to_string()))
    }

    /// How many drafts are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records the editor's `query` for an exercise whose last checked query is
    /// `last_checked`, at `now_ms`. A text equal to the checked one is no draft: the entry
    /// goes. Returns whether anything changed (so unchanged text costs no write).
    pub fn save(
        &mut self,
        pack: &str,
        exercise: &str,
        query: &str,
        last_checked: &str,
        now_ms: i64,
    ) -> bool {
        if pack.is_empty()
            || exercise.is_empty()
            || pack.len() > MAX_ID_BYTES
            || exercise.len() > MAX_ID_BYTES
        {
            return false;
        }
        let key = (pack.to_string(), exercise.to_string());
        // The same cut as progress applies to a checked query, so a long text compares
        // equal to its checked form.
        let query = truncate(query, MAX_QUERY_BYTES);
        if query == truncate(last_checked, MAX_QUERY_BYTES) {
            return self.entries.remove(&key).is_some();
        }
        if self.entries.get(&key).is_some_and(|d| d.query == query) {
            return false;
        }
        self.entries.insert(
            key,
            Draft {
                query: query.to_string(),
                updated_ms: now_ms,
            },
        );
        self.evict();
        true
    }

    /// A Check of `query` was recorded: the draft holding that same text is no longer
    /// unsent. A draft with other text (typed while grading ran) stays. Returns whether
    /// anything changed.
    pub fn checked(&mut self, pack: &str, exercise: &str, query: &str) -> bool {
        let key = (pack.to_string(), exercise.to_string());
        if self
            .entries
            .get(&key)
            .is_some_and(|d| d.query == truncate(query, MAX_QUERY_BYTES))
        {
            self.entries.remove(&key);
            return true;
        }
        false
    }

    /// The text an exercise opens with: its draft when it has one (always the newer work,
    /// see the module documentation), else the last checked query.
    pub fn opening_text<'a>(
        &'a self,
        pack: &str,
        exercise: &str,
        last_checked: &'a str,
    ) -> &'a str {
        self.get(pack, exercise)
            .map_or(last_checked, |d| d.query.as_str())
    }

    /// Drops the least recently edited drafts beyond [`MAX_DRAFTS`]; equal times go in key
    /// order, so the result never depends on anything but the data.
    fn evict(&mut self) {
        while self.entries.len() > MAX_DRAFTS {
            let oldest = self
                .entries
                .iter()
                .min_by(|a, b| a.1.updated_ms.cmp(&b.1.updated_ms).then(a.0.cmp(b.0)))
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.entries.remove(&k);
                }
                None => break,
            }
        }
    }

    /// The stored document: compact JSON, entries sorted by pack and exercise.
    pub fn to_json(&self) -> String {
        let doc = Document {
            schema: SCHEMA,
            version: VERSION,
            drafts: self
                .entries
                .iter()
                .map(|((pack, exercise), d)| StoredDraft {
                    pack: pack.clone(),
                    exercise: exercise.clone(),
                    query: d.query.clone(),
                    updated_ms: d.updated_ms,
                })
                .collect(),
        };
        // Strings and integers always serialise; an empty string would read as no drafts.
        serde_json::to_string(&doc).unwrap_or_default()
    }

    /// Reads a stored document. Never fails: what cannot be read is left out, entry by
    /// entry, and a document that is not ours (or too large, or of another version) reads
    /// as no drafts.
    pub fn read(text: &str) -> Drafts {
        let mut out = Drafts::default();
        if text.len() > MAX_DOCUMENT_BYTES {
            return out;
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return out;
        };
        let ours = value.get("schema").and_then(serde_json::Value::as_str) == Some(SCHEMA)
            && value.get("version").and_then(serde_json::Value::as_u64) == Some(u64::from(VERSION));
        let Some(list) = value
            .get("drafts")
            .and_then(serde_json::Value::as_array)
            .filter(|_| ours)
        else {
            return out;
        };
        for item in list {
            let Ok(d) = StoredDraft::deserialize(item) else {
                continue;
            };
            let bad_id = |id: &str| id.is_empty() || id.len() > MAX_ID_BYTES;
            if bad_id(&d.pack) || bad_id(&d.exercise) || d.query.len() > MAX_QUERY_BYTES {
                continue;
            }
            out.entries.insert(
                (d.pack, d.exercise),
                Draft {
                    query: d.query,
                    updated_ms: d.updated_ms,
                },
            );
        }
        // A document edited by hand, or by a build with a larger bound, still fits ours.
        out.evict();
        out
    }
}

/// Reads the drafts from localStorage (none when storage is unavailable or unreadable).
pub fn open() -> Drafts {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::raw()
        .get_item(STORAGE_KEY)
        .ok()
        .flatten()
        .map_or_else(Drafts::default, |t| Drafts::read(&t))
}

/// Writes the drafts to localStorage. A failure (storage full or turned off) is not
/// reported: the text is still in the editor, and progress' own save says when storage
/// is full.
pub fn store(drafts: &Drafts) {
    use gloo::storage::{LocalStorage, Storage};
    let storage = LocalStorage::raw();
    let _ = if drafts.is_empty() {
        storage.remove_item(STORAGE_KEY)
    } else {
        storage.set_item(STORAGE_KEY, &drafts.to_json())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_kept_until_the_same_text_is_checked() {
        let mut d = Drafts::default();
        assert!(d.save("p", "e", "rate(x", "", 1_000));
        assert_eq!(d.opening_text("p", "e", ""), "rate(x");
        // The same text again writes nothing.
        assert!(!d.save("p", "e", "rate(x", "", 1_100));
        assert_eq!(d.get("p", "e").unwrap().updated_ms, 1_000);
        assert!(d.save("p", "e", "rate(x[5m])", "", 1_200));
        // A check of other text leaves the draft; a check of the draft's text clears it.
        assert!(!d.checked("p", "e", "up"));
        assert!(d.checked("p", "e", "rate(x[5m])"));
        assert_eq!(d.opening_text("p", "e", "rate(x[5m])"), "rate(x[5m])");
        assert!(d.is_empty());
    }

    #[test]
    fn text_equal_to_the_checked_query_is_no_draft() {
        let mut d = Drafts::default();
        d.save("p", "e", "up == 0", "up", 1);
        // Typing back to the checked query removes the draft.
        assert!(d.save("p", "e", "up", "up", 2));
        assert_eq!(d.get("p", "e"), None);
        assert!(!d.save("p", "e", "up", "up", 3));
        // An emptied editor is a draft too: it is what the learner left.
        d.save("p", "e", "", "up", 4);
        assert_eq!(d.opening_text("p", "e", "up"), "");
        // Another exercise is untouched by all of this.
        assert_eq!(d.opening_text("p", "other", "sum(up)"), "sum(up)");
    }

    #[test]
    fn a_draft_survives_the_stored_form() {
        let mut d = Drafts::default();
        d.save("course-01", "first", "sum by (job) (", "", 10);
        d.save("course-02", "x", "é \"quoted\"\n{", "old", 20);
        let text = d.to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["version"], VERSION);
        assert_eq!(Drafts::read(&text), d);
    }

    #[test]
    fn only_the_latest_drafts_are_kept() {
        let mut d = Drafts::default();
        for i in 0..MAX_DRAFTS + 25 {
            // Edited in an order unlike the key order, so eviction must use the time.
            let t = ((i * 7919) % (MAX_DRAFTS + 25)) as i64;
            d.save("p", &format!("e{i:03}"), "x", "", t);
        }
        assert_eq!(d.len(), MAX_DRAFTS);
        for i in 0..MAX_DRAFTS + 25 {
            let t = ((i * 7919) % (MAX_DRAFTS + 25)) as i64;
            let kept = d.get("p", &format!("e{i:03}")).is_some();
            assert_eq!(kept, t >= 25, "e{i:03} edited at {t}");
        }
        // The newest edit always stays, even when it ties with older times.
        d.save("p", "latest", "y", "", 1_000);
        assert!(d.get("p", "latest").is_some());
        assert_eq!(d.len(), MAX_DRAFTS);
        // A stored document over the bound is cut on reading.
        let mut big = String::from(r#"{"schema":"promql-workbench/drafts","version":1,"drafts":["#);
        for i in 0..MAX_DRAFTS + 5 {
            if i > 0 {
                big.push(',');
            }
            big.push_str(&format!(
                r#"{{"pack":"p","exercise":"e{i}","query":"q","updated_ms":{i}}}"#
            ));
        }
        big.push_str("]}");
        let read = Drafts::read(&big);
        assert_eq!(read.len(), MAX_DRAFTS);
        assert!(read.get("p", "e0").is_none() && read.get("p", "e204").is_some());
    }

    #[test]
    fn a_long_draft_is_cut_like_a_checked_query() {
        let mut d = Drafts::default();
        let long = "é".repeat(MAX_QUERY_BYTES);
        d.save("p", "e", &long, "", 1);
        let kept = &d.get("p", "e").unwrap().query;
        assert!(kept.len() <= MAX_QUERY_BYTES && long.starts_with(kept.as_str()));
        // Checking the long text clears the cut draft.
        assert!(d.checked("p", "e", &long));
        // Ids no real pack has are not stored.
        assert!(!d.save("", "e", "x", "", 1));
        assert!(!d.save("p", &"e".repeat(MAX_ID_BYTES + 1), "x", "", 1));
        assert!(d.is_empty());
    }

    #[test]
    fn corrupt_entries_are_skipped_and_a_corrupt_document_reads_as_none() {
        let text = format!(
            r#"{{"schema":"promql-workbench/drafts","version":1,"drafts":[
                {{"pack":"p","exercise":"good","query":"up","updated_ms":5}},
                {{"pack":"p","exercise":"no-time","query":"up"}},
                {{"pack":"p","exercise":"bad-time","query":"up","updated_ms":"soon"}},
                {{"pack":"p","exercise":"extra","query":"up","updated_ms":1,"x":1}},
                {{"pack":"","exercise":"empty-pack","query":"up","updated_ms":1}},
                {{"pack":"p","exercise":"huge","query":"{}","updated_ms":1}},
                7, null, "text", [],
                {{"pack":"p","exercise":"also-good","query":"rate(","updated_ms":6}}
            ]}}"#,
            "x".repeat(MAX_QUERY_BYTES + 1)
        );
        let d = Drafts::read(&text);
        assert_eq!(d.len(), 2);
        assert_eq!(d.opening_text("p", "good", ""), "up");
        assert_eq!(d.opening_text("p", "also-good", ""), "rate(");
        for text in [
            "",
            "{",
            "null",
            "[]",
            r#"{"schema":"promql-workbench/progress","version":1,"drafts":[]}"#,
            r#"{"schema":"promql-workbench/drafts","version":2,"drafts":[{"pack":"p","exercise":"e","query":"q","updated_ms":1}]}"#,
            r#"{"schema":"promql-workbench/drafts","version":1,"drafts":{"p":"e"}}"#,
            r#"{"schema":"promql-workbench/drafts","version":1}"#,
        ] {
            assert_eq!(Drafts::read(text), Drafts::default(), "{text}");
        }
        let huge = " ".repeat(MAX_DOCUMENT_BYTES + 1);
        assert!(Drafts::read(&huge).is_empty());
    }
}
