//! Conversions between the byte offsets our spans use and the UTF-16 offsets a textarea's
//! `selectionStart` uses. Both clamp out-of-range input instead of failing: the DOM and the
//! text signal can briefly disagree while an input event is in flight.

/// The byte offset of UTF-16 position `pos` in `text`, clamped to the text and rounded down
/// to a character boundary (a position inside a surrogate pair lands before the character).
pub fn utf16_to_byte(text: &str, pos: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= pos {
            return i;
        }
        units += c.len_utf16();
        if units > pos {
            return i;
        }
    }
    text.len()
}

/// The UTF-16 position of byte offset `byte` in `text`, clamped and rounded down to a
/// character boundary.
pub fn byte_to_utf16(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    text[..b].encode_utf16().count()
}

/// `byte` moved back to the nearest character boundary of `text` at or before it.
pub fn floor_boundary(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    b
}

/// `byte` moved forward to the next character boundary of `text` after it (or the end).
pub fn next_boundary(text: &str, byte: usize) -> usize {
    let mut b = (byte + 1).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_both_ways_across_multibyte_text() {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
        let t = "aé😀b";
        assert_eq!(utf16_to_byte(t, 0), 0);
        assert_eq!(utf16_to_byte(t, 2), 3);
        assert_eq!(utf16_to_byte(t, 3), 3, "inside the surrogate pair");
        assert_eq!(utf16_to_byte(t, 4), 7);
        assert_eq!(utf16_to_byte(t, 99), t.len());
        assert_eq!(byte_to_utf16(t, 3), 2);
        assert_eq!(byte_to_utf16(t, 5), 2, "inside the emoji");
        assert_eq!(byte_to_utf16(t, 7), 4);
        assert_eq!(byte_to_utf16(t, 99), 5);
        assert_eq!(next_boundary(t, 1), 3);
        assert_eq!(floor_boundary(t, 2), 1);
    }
}
