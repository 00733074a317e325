//! A learner's progress through exercise packs: plain data with its rules, its stored and
//! exported form (versioned JSON), reading with migration, and merging an import.
//!
//! **Never silently lost.** Progress is the one thing a learner builds up over weeks, in a
//! browser's storage that other builds of this page (older, newer) also read. So reading
//! never "fixes" a document by dropping what it does not understand: a document is read
//! whole ([`read`]), migrated from an older schema version, or refused with a reason
//! ([`ReadError`]). The page then sets the refused text aside under another storage key
//! ([`set_aside_key`]) and says so, before it writes anything to [`STORAGE_KEY`].
//!
//! Keys are the pack's id and the exercise's id, the two names an instructor promises to
//! keep stable (see exercises/README.md), so progress survives a pack's new version and
//! the same pack loaded from a URL, a file or the built-in course.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The localStorage key of the current progress.
pub const STORAGE_KEY: &str = "promql-workbench.progress";

/// The prefix of keys where unreadable progress is set aside; the rest is the time, in
/// Unix milliseconds, it was set aside.
pub const SET_ASIDE_PREFIX: &str = "promql-workbench.progress.set-aside.";

/// What the `schema` field of a progress document says, so that an unrelated JSON file
/// chosen by mistake is refused rather than read as empty progress.
pub const SCHEMA: &str = "promql-workbench/progress";

/// The version this build writes. Reading accepts this one and every older one.
pub const VERSION: u32 = 1;

/// The longest query kept per exercise, in bytes. Longer ones are cut at a character
/// boundary: the store must stay far below the browser's few-megabyte quota.
pub const MAX_QUERY_BYTES: usize = 4_096;

/// The longest pack or exercise id accepted from a document. Real ids are a few words; a
/// longer one is a sign of a corrupt or hostile file.
pub const MAX_ID_BYTES: usize = 200;

/// The largest document read, in bytes (storage text or an imported file).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// Where a learner stands on one exercise.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never checked.
    #[default]
    NotStarted,
    /// Checked at least once, not solved yet.
    Tried,
    /// Solved at least once (a later wrong check does not undo it).
    Done,
}

impl Status {
    /// How the module list names it.
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Tried => "tried",
            Status::Done => "done",
        }
    }
}

/// One exercise's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// Where the learner stands.
    pub status: Status,
    /// How many times the learner pressed Check.
    pub attempts: u32,
    /// The query last checked.
    #[serde(default)]
    pub last_query: String,
    /// How many hints are shown.
    #[serde(default)]
    pub hints_revealed: u32,
    /// When it was first solved, Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solved_ms: Option<i64>,
    /// When anything here last changed, Unix ms; an import keeps the newer query.
    #[serde(default)]
    pub updated_ms: i64,
}

/// Every exercise's progress, by pack id and exercise id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    packs: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
}

/// How many exercises of a list stand where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Solved.
    pub done: usize,
    /// Tried, not solved.
    pub tried: usize,
    /// Never checked.
    pub not_started: usize,
}

impl Counts {
    /// How many in all.
    pub fn total(&self) -> usize {
        self.done + self.tried + self.not_started
    }
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    /// Exercises the import added or moved forward.
    pub changed: usize,
    /// Exercises in the imported document.
    pub read: usize,
}

impl Progress {
    /// An exercise's progress, if it has any.
    pub fn get(&self, pack: &str, exercise: &str) -> Option<&ExerciseProgress> {
        self.packs.get(pack)?.get(exercise)
    }

    /// An exercise's status.
    pub fn status(&self, pack: &str, exercise: &str) -> Status {
        self.get(pack, exercise)
            .map_or(Status::NotStarted, |p| p.status)
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.packs.values().all(BTreeMap::is_empty)
    }

    /// How many exercises are recorded.
    pub fn len(&self) -> usize {
        self.packs.values().map(BTreeMap::len).sum()
    }

    fn entry(&mut self, pack: &str, exercise: &str) -> &mut ExerciseProgress {
        self.packs
            .entry(pack.to_string())
            .or_default()
            .entry(exercise.to_string())
            .or_default()
    }

    /// Records a Check of `query` at `now_ms`: one more attempt, the query kept, and the
    /// status moved forward (a solved exercise stays solved).
    pub fn record_attempt(
        &mut self,
        pack: &str,
        exercise: &str,
        query: &str,
        pass: bool,
        now_ms: i64,
    ) {
        let e = self.entry(pack, exercise);
        e.attempts = e.attempts.saturating_add(1);
        e.last_query = truncate(query, MAX_QUERY_BYTES).to_string();
        e.updated_ms = now_ms;
        if pass {
            e.status = Status::Done;
            e.solved_ms.get_or_insert(now_ms);
        } else if e.status == Status::NotStarted {
            e.status = Status::Tried;
        }
    }

    /// Records that `shown` hints are shown (never fewer than before).
    pub fn reveal_hints(&mut self, pack: &str, exercise: &str, shown: u32, now_ms: i64) {
        let e = self.entry(pack, exercise);
        if shown > e.hints_revealed {
            e.hints_revealed = shown;
            e.updated_ms = now_ms;
        }
    }

    /// How many of `exercises` (ids in `pack`) stand where.
    pub fn counts<'a>(&self, pack: &str, exercises: impl IntoIterator<Item = &'a str>) -> Counts {
        let mut c = Counts::default();
        for id in exercises {
            match self.status(pack, id) {
                Status::Done => c.done += 1,
                Status::Tried => c.tried += 1,
                Status::NotStarted => c.not_started += 1,
            }
        }
        c
    }

    /// Merges an imported document into this one, exercise by exercise, keeping the most
    /// advanced of both: the further status, the larger counts, the first solve, and the
    /// query of whichever side changed last. Nothing recorded on either side is lost.
    pub fn merge(&mut self, other: Progress) -> Merged {
        let mut merged = Merged::default();
        for (pack, exercises) in other.packs {
            for (id, theirs) in exercises {
                merged.read += 1;
                let ours = self.entry(&pack, &id);
                let before = ours.clone();
                if theirs.updated_ms > ours.updated_ms {
                    ours.last_query = theirs.last_query;
                    ours.updated_ms = theirs.updated_ms;
                }
                ours.status = ours.status.max(theirs.status);
                ours.attempts = ours.attempts.max(theirs.attempts);
                ours.hints_revealed = ours.hints_revealed.max(theirs.hints_revealed);
                ours.solved_ms = match (ours.solved_ms, theirs.solved_ms) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if *ours != before {
                    merged.changed += 1;
                }
            }
        }
        merged
    }

    /// The document to store or export: pretty JSON with the schema and version.
    pub fn to_json(&self) -> String {
        let doc = DocumentV1 {
            schema: SCHEMA.to_string(),
            version: VERSION,
            packs: self.packs.clone(),
        };
        // Serialising maps of strings and plain structs cannot fail; an empty document
        // would still be valid JSON if it ever did.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

/// The cut of `s` to at most `max` bytes, at a character boundary (drafts cut the same way).
pub(super) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Why a document cannot be read. Each reason is a sentence for the notice the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    TooLarge(usize),
    /// Not JSON at all (a truncated write, a different file).
    NotJson(String),
    /// JSON, but not a progress document (no or another `schema`).
    NotProgress,
    /// Written by a newer build of the page, whose format this one does not know.
    Newer(u64),
    /// A progress document whose content does not fit its version.
    Invalid(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge(n) => write!(
                f,
                "it is {n} bytes, more than the {MAX_DOCUMENT_BYTES} a progress file can be"
            ),
            ReadError::NotJson(e) => write!(f, "it is not JSON ({e})"),
            ReadError::NotProgress => f.write_str(
                "it is not a PromQL Workbench progress file (its \"schema\" field is missing or different)",
            ),
            ReadError::Newer(v) => write!(
                f,
                "it was written by a newer version of the workbench (format {v}; this page reads up to {VERSION})"
            ),
            ReadError::Invalid(e) => write!(f, "its content is damaged ({e})"),
        }
    }
}

/// Version 1 of the document, as stored and exported.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentV1 {
    schema: String,
    version: u32,
    packs: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
}

/// Reads a stored or imported document, migrating it from an older version.
pub fn read(text: &str) -> Result<Progress, ReadError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ReadError::TooLarge(text.len()));
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReadError::NotJson(e.to_string()))?;
    if value.get("schema").and_then(serde_json::Value::as_str) != Some(SCHEMA) {
        return Err(ReadError::NotProgress);
    }
    let version = value
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| ReadError::Invalid("no version number".into()))?;
    migrate(version, value)
}

/// Turns a document of `version` into the current model. Each older version gets an arm
/// that converts it to the next, so a store written years ago still reads. Version 1 is
/// the first; there is nothing older to convert yet.
fn migrate(version: u64, value: serde_json::Value) -> Result<Progress, ReadError> {
    match version {
        1 => {
            let doc: DocumentV1 =
                serde_json::from_value(value).map_err(|e| ReadError::Invalid(e.to_string()))?;
            validate(doc.packs)
        }
        v if v > u64::from(VERSION) => Err(ReadError::Newer(v)),
        v => Err(ReadError::Invalid(format!("unknown format version {v}"))),
    }
}

/// Checks what serde cannot: ids are short and non-empty, queries bounded, and a status
/// agrees with the counts (an exercise with attempts is at least tried).
fn validate(
    packs: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
) -> Result<Progress, ReadError> {
    let bad_id = |id: &str| id.is_empty() || id.len() > MAX_ID_BYTES;
    let mut out = Progress::default();
    for (pack, exercises) in packs {
        if bad_id(&pack) {
            return Err(ReadError::Invalid(format!(
                "a pack id of {} bytes",
                pack.len()
            )));
        }
        for (id, mut e) in exercises {
            if bad_id(&id) {
                return Err(ReadError::Invalid(format!(
                    "an exercise id of {} bytes in pack {pack:?}",
                    id.len()
                )));
            }
            if e.last_query.len() > MAX_QUERY_BYTES {
                return Err(ReadError::Invalid(format!(
                    "a query of {} bytes for {pack}/{id}",
                    e.last_query.len()
                )));
            }
            if e.attempts > 0 && e.status == Status::NotStarted {
                e.status = Status::Tried;
            }
            out.packs.entry(pack.clone()).or_default().insert(id, e);
        }
    }
    Ok(out)
}

/// What the page found in storage at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Nothing stored yet.
    Empty,
    /// Progress read (and migrated if it was older).
    Read(Progress),
    /// Something unreadable: the page must set `text` aside before writing, and say why.
    Unreadable {
        /// Why it cannot be read.
        reason: ReadError,
    },
}

/// Reads the text stored under [`STORAGE_KEY`], if any.
pub fn from_storage(text: Option<&str>) -> Stored {
    match text {
        None => Stored::Empty,
        Some(t) => match read(t) {
            Ok(p) => Stored::Read(p),
            Err(reason) => Stored::Unreadable { reason },
        },
    }
}

/// The key unreadable progress is moved to, at `now_ms`.
pub fn set_aside_key(now_ms: i64) -> String {
    format!("{SET_ASIDE_PREFIX}{now_ms}")
}

/// The notice shown after setting unreadable progress aside.
pub fn set_aside_notice(reason: &ReadError, key: &str) -> String {
    format!(
        "Your saved progress could not be read: {reason}. It has not been deleted: it is kept \
         in this browser's storage under \"{key}\", and you start with empty progress."
    )
}

/// Progress as the page opened it from localStorage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// What was read (empty when nothing was, or it was set aside).
    pub progress: Progress,
    /// What to tell the learner about the stored text, if anything went wrong.
    pub notice: Option<String>,
    /// Whether saving may write [`STORAGE_KEY`]: `false` when unreadable text is still
    /// there because it could not be set aside, so that it is not overwritten.
    pub writable: bool,
}

/// Reads progress from localStorage, setting unreadable text aside under a new key first
/// (see the module documentation). Only this and [`save`] touch storage.
pub fn open(now_ms: i64) -> Opened {
    use gloo::storage::{LocalStorage, Storage};
    let storage = LocalStorage::raw();
    let raw = storage.get_item(STORAGE_KEY).ok().flatten();
    match from_storage(raw.as_deref()) {
        Stored::Empty => Opened {
            progress: Progress::default(),
            notice: None,
            writable: true,
        },
        Stored::Read(progress) => Opened {
            progress,
            notice: None,
            writable: true,
        },
        Stored::Unreadable { reason } => {
            let key = set_aside_key(now_ms);
            let text = raw.unwrap_or_default();
            match storage.set_item(&key, &text) {
                Ok(()) => {
                    let _ = storage.remove_item(STORAGE_KEY);
                    Opened {
                        progress: Progress::default(),
                        notice: Some(set_aside_notice(&reason, &key)),
                        writable: true,
                    }
                }
                Err(_) => Opened {
                    progress: Progress::default(),
                    notice: Some(format!(
                        "Your saved progress could not be read: {reason}. The browser's storage \
                         is full, so it could not be copied aside either: it stays under \
                         \"{STORAGE_KEY}\" and new progress will not be saved until storage \
                         is freed."
                    )),
                    writable: false,
                },
            }
        }
    }
}

/// Writes progress to localStorage; the error is a sentence for the page.
pub fn save(progress: &Progress) -> Result<(), String> {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::raw()
        .set_item(STORAGE_KEY, &progress.to_json())
        .map_err(|_| {
            "Your progress could not be saved: the browser's storage is full or turned off. \
             Export it to keep it."
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Progress {
        let mut p = Progress::default();
        p.record_attempt("course-01", "first", "up", false, 1_000);
        p.record_attempt("course-01", "first", "up{job=\"x\"}", true, 2_000);
        p.record_attempt("course-01", "second", "rate(x)", false, 3_000);
        p.reveal_hints("course-01", "second", 2, 3_500);
        p.reveal_hints("course-01", "second", 1, 3_600);
        p
    }

    #[test]
    fn attempts_move_the_status_forward_only() {
        let mut p = sample();
        let first = p.get("course-01", "first").unwrap();
        assert_eq!(
            (first.status, first.attempts, first.solved_ms),
            (Status::Done, 2, Some(2_000))
        );
        assert_eq!(first.last_query, "up{job=\"x\"}");
        // A wrong check after solving keeps it solved, and the first solve time.
        p.record_attempt("course-01", "first", "nope", false, 4_000);
        p.record_attempt("course-01", "first", "up{job=\"x\"}", true, 5_000);
        let first = p.get("course-01", "first").unwrap();
        assert_eq!((first.status, first.solved_ms), (Status::Done, Some(2_000)));
        let second = p.get("course-01", "second").unwrap();
        assert_eq!((second.status, second.hints_revealed), (Status::Tried, 2));
        assert_eq!(p.status("course-01", "third"), Status::NotStarted);
        assert_eq!(
            p.counts("course-01", ["first", "second", "third"]),
            Counts {
                done: 1,
                tried: 1,
                not_started: 1
            }
        );
    }

    #[test]
    fn a_long_query_is_cut_at_a_character_boundary() {
        let mut p = Progress::default();
        let long = "é".repeat(MAX_QUERY_BYTES);
        p.record_attempt("p", "e", &long, false, 1);
        let kept = &p.get("p", "e").unwrap().last_query;
        assert!(kept.len() <= MAX_QUERY_BYTES && long.starts_with(kept.as_str()));
    }

    #[test]
    fn the_document_round_trips_with_schema_and_version() {
        let p = sample();
        let text = p.to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["version"], VERSION);
        assert_eq!(v["packs"]["course-01"]["first"]["status"], "done");
        assert_eq!(read(&text), Ok(p));
        assert_eq!(from_storage(None), Stored::Empty);
    }

    #[test]
    fn corrupt_or_foreign_text_is_refused_with_a_reason_never_read_as_empty() {
        type Expect = fn(&ReadError) -> bool;
        let cases: Vec<(&str, Expect)> = vec![
            (r#"{"schema":"promql-workbench/progress","ver"#, |e| {
                matches!(e, ReadError::NotJson(_))
            }),
            ("", |e| matches!(e, ReadError::NotJson(_))),
            (r#"["up"]"#, |e| matches!(e, ReadError::NotProgress)),
            (r#"{"version":1,"packs":{}}"#, |e| {
                matches!(e, ReadError::NotProgress)
            }),
            (
                r#"{"schema":"promql-workbench/progress","packs":{}}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
            (
                r#"{"schema":"promql-workbench/progress","version":1,"packs":{"p":{"e":{"status":"finished","attempts":1}}}}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
            (
                r#"{"schema":"promql-workbench/progress","version":1,"packs":{"p":{"e":{"status":"done","attempts":-3}}}}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
            (
                r#"{"schema":"promql-workbench/progress","version":1,"packs":{"":{}}}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
            (
                r#"{"schema":"promql-workbench/progress","version":1,"packs":{},"extra":true}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
            (
                r#"{"schema":"promql-workbench/progress","version":0,"packs":{}}"#,
                |e| matches!(e, ReadError::Invalid(_)),
            ),
        ];
        for (text, expected) in cases {
            match from_storage(Some(text)) {
                Stored::Unreadable { reason } => {
                    assert!(expected(&reason), "{text}: {reason:?}");
                    assert!(!reason.to_string().is_empty());
                }
                other => panic!("{text} was read: {other:?}"),
            }
        }
        let huge = " ".repeat(MAX_DOCUMENT_BYTES + 1);
        assert!(matches!(read(&huge), Err(ReadError::TooLarge(_))));
    }

    #[test]
    fn a_newer_version_is_set_aside_not_misread() {
        let text = r#"{"schema":"promql-workbench/progress","version":7,"learners":[]}"#;
        let Stored::Unreadable { reason } = from_storage(Some(text)) else {
            panic!("read")
        };
        assert_eq!(reason, ReadError::Newer(7));
        let key = set_aside_key(1_763_700_000_000);
        assert_eq!(key, "promql-workbench.progress.set-aside.1763700000000");
        let notice = set_aside_notice(&reason, &key);
        assert!(notice.contains("newer version") && notice.contains(&key));
    }

    #[test]
    fn migration_fills_what_a_minimal_entry_leaves_out_and_fixes_the_status() {
        // Only status and attempts are required; a document with attempts but no status
        // progress is read as tried.
        let text = r#"{"schema":"promql-workbench/progress","version":1,
            "packs":{"p":{"a":{"status":"not_started","attempts":2},"b":{"status":"done","attempts":1}}}}"#;
        let p = read(text).unwrap();
        assert_eq!(p.status("p", "a"), Status::Tried);
        assert_eq!(p.status("p", "b"), Status::Done);
        assert_eq!(p.get("p", "a").unwrap().last_query, "");
    }

    #[test]
    fn an_import_merges_keeping_the_most_advanced_of_both() {
        let mut ours = sample();
        let mut theirs = Progress::default();
        // Solved elsewhere, earlier and later; tried more; a new exercise; a new pack.
        theirs.record_attempt("course-01", "second", "rate(x[5m])", true, 9_000);
        theirs.record_attempt("course-01", "first", "old", true, 500);
        theirs.record_attempt("course-02", "x", "y", false, 100);
        let merged = ours.merge(theirs.clone());
        assert_eq!(merged.read, 3);
        assert_eq!(merged.changed, 3);
        let first = ours.get("course-01", "first").unwrap();
        // The earlier solve wins; the newer query (ours, at 2000) stays.
        assert_eq!(first.solved_ms, Some(500));
        assert_eq!(first.last_query, "up{job=\"x\"}");
        assert_eq!(first.attempts, 2);
        let second = ours.get("course-01", "second").unwrap();
        assert_eq!(second.status, Status::Done);
        assert_eq!(second.last_query, "rate(x[5m])");
        assert_eq!(second.hints_revealed, 2);
        assert_eq!(ours.status("course-02", "x"), Status::Tried);
        // Merging the same thing again changes nothing.
        assert_eq!(ours.merge(theirs).changed, 0);
        // An import through the file format gives the same result.
        let mut again = sample();
        let text = ours.to_json();
        again.merge(read(&text).unwrap());
        assert_eq!(again, ours);
    }
}
