//! Byte ranges into the query text.
//!
//! Every token, AST node and error carries a [`Span`]. Spans are byte offsets because that is
//! what slicing the query needs and what an editor's text model converts from cheaply; line and
//! column are derived only when a message is rendered for a person ([`Span::start_line_col`]).

use serde::Serialize;

/// A half-open byte range `start..end` into the query the node was parsed from.
///
/// Offsets are `u32` to keep AST nodes small; the parser rejects queries longer than
/// `u32::MAX` bytes before lexing, so every span it creates is in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// An empty span at `offset`, used for "something is missing here" errors.
    pub const fn empty(offset: u32) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The text this span covers, or `""` if it does not fall on character boundaries of
    /// `source` (which only happens when the span came from a different string).
    pub fn text(self, source: &str) -> &str {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }

    /// The 1-based line and column of the span's start in `source`. Columns count characters,
    /// not bytes, so a caret lines up under non-ASCII text in a terminal.
    pub fn start_line_col(self, source: &str) -> LineCol {
        line_col(source, self.start as usize)
    }
}

/// A 1-based line and column, for messages only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub col: usize,
}

/// The line and column of byte `offset` in `source`. An offset past the end (or inside a
/// multi-byte character) is clamped to the nearest character boundary before it.
pub fn line_col(source: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    LineCol {
        line: before.matches('\n').count() + 1,
        col: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_lines_and_characters() {
        let q = "sum(\n  rate(é[5m]))";
        assert_eq!(line_col(q, 0), LineCol { line: 1, col: 1 });
        assert_eq!(line_col(q, 4), LineCol { line: 1, col: 5 });
        // "é" is two bytes; the '[' after it is column 9, not 10.
        let bracket = q.find('[').unwrap();
        assert_eq!(line_col(q, bracket), LineCol { line: 2, col: 9 });
        assert_eq!(line_col(q, 1000), LineCol { line: 2, col: 15 });
    }

    #[test]
    fn spans_merge_and_slice() {
        let a = Span::new(2, 4);
        let b = Span::new(7, 9);
        assert_eq!(a.to(b), Span::new(2, 9));
        assert_eq!(b.to(a), Span::new(2, 9));
        assert_eq!(Span::new(0, 3).text("foo bar"), "foo");
        assert_eq!(Span::new(5, 99).text("foo"), "");
        assert!(Span::empty(3).is_empty());
    }
}
