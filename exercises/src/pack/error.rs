//! Problems found while loading a pack.

use serde::Serialize;
use std::fmt;

/// One problem in a pack file, located by line and field.
///
/// Displayed as `file:line: field: message`, the form compilers use, so editors can jump
/// to it. `field` is a path such as `exercise[3].data.seeds` (exercises counted from 1 in
/// file order) or `pack.licence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    /// The file name the caller gave (a path, a URL, `<example>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The field the problem is in.
    pub field: String,
    /// What is wrong, as a sentence an instructor can act on.
    pub message: String,
    /// The exercise the problem belongs to, if any. That exercise is left out of the pack.
    pub exercise: Option<ExerciseRef>,
}

/// Which exercise a load error belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExerciseRef {
    /// 1-based position among the file's `[[exercise]]` tables.
    pub index: usize,
    /// Its id, when the id itself could be read.
    pub id: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

impl std::error::Error for LoadError {}
