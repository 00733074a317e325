//! PromQL's literal syntax, which is Go's: numbers, quoted strings and label names.
//!
//! Prometheus reads number tokens with Go's `strconv.ParseInt(s, 0, 64)` and falls back to
//! `strconv.ParseFloat`, unquotes strings with Go's escape rules and prints them back with
//! `strconv.Quote`. We reproduce those rules here rather than approximating them with Rust's
//! own, because the differences are visible: `0755` is octal (493), `1_000` is a thousand,
//! `"\xff"` is one byte that is not UTF-8, and a printed query must read back the same.

/// Why a number token did not convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// The text is not a number in Go's syntax.
    Syntax,
    /// The number is larger than the largest `f64`.
    OutOfRange,
}

/// Converts a number token the way Prometheus does: as a Go integer literal if it is one
/// (decimal, `0x` hex, `0o`/leading-zero octal, `0b` binary, `_` separators), otherwise as a
/// Go float literal; `Inf` and `NaN` in any case are accepted.
pub fn parse_number(text: &str) -> Result<f64, NumberError> {
    match parse_go_int(text) {
        Some(n) => Ok(n as f64),
        None => parse_go_float(text),
    }
}

/// Go's `strconv.ParseInt(text, 0, 64)`, returning `None` on any error.
fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let bytes = unsigned.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    // Go only treats 0b/0o/0x as a prefix when at least one character follows it; "0x"
    // alone is read as octal "x", which fails.
    let (base, digits): (u64, &[u8]) = if bytes[0] == b'0' {
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, &bytes[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, &bytes[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, &bytes[2..]),
            _ => (8, &bytes[1..]),
        }
    } else {
        (10, bytes)
    };
    let mut value: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'z' => u64::from(c - b'a') + 10,
            b'A'..=b'Z' => u64::from(c - b'A') + 10,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        value = value.checked_mul(base)?.checked_add(d)?;
    }
    if underscores && !underscores_ok(unsigned) {
        return None;
    }
    // The magnitude may reach 2^63 only for a negative number.
    if negative {
        if value > 1 << 63 {
            return None;
        }
        Some((value as i64).wrapping_neg())
    } else {
        i64::try_from(value).ok()
    }
}

/// Go's `strconv.ParseFloat(text, 64)` for the forms the lexer can produce: decimal with
/// optional fraction, exponent and `_` separators, and the words `inf`, `infinity`, `nan`.
fn parse_go_float(text: &str) -> Result<f64, NumberError> {
    let unsigned = text.trim_start_matches(['+', '-']);
    let word = unsigned.to_ascii_lowercase();
    if word == "inf" || word == "infinity" || word == "nan" {
        return text.parse::<f64>().map_err(|_| NumberError::Syntax);
    }
    // Hexadecimal floats need a 'p' exponent, which the lexer never produces; anything else
    // with a hex prefix was an integer too large for ParseInt, and Go rejects it here.
    if word.starts_with("0x") {
        return Err(NumberError::Syntax);
    }
    if !unsigned
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
    {
        return Err(NumberError::Syntax);
    }
    let cleaned: String;
    let digits = if text.contains('_') {
        if !underscores_ok(text) {
            return Err(NumberError::Syntax);
        }
        cleaned = text.replace('_', "");
        cleaned.as_str()
    } else {
        text
    };
    let value: f64 = digits.parse().map_err(|_| NumberError::Syntax)?;
    if value.is_infinite() {
        // Rust saturates to infinity where Go reports a range error.
        return Err(NumberError::OutOfRange);
    }
    Ok(value)
}

/// Go's rule for `_` in number literals: only between digits, or between a base prefix and
/// a digit.
fn underscores_ok(text: &str) -> bool {
    let s = text.trim_start_matches(['+', '-']).as_bytes();
    // What we saw last: '^' start, '0' digit or prefix, '_' underscore, '!' anything else.
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1].eq_ignore_ascii_case(&b'x');
    }
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.to_ascii_lowercase().is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// Formats a float as Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest decimal that
/// reads back as the same value, never in exponent form, with `+Inf`, `-Inf` and `NaN`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        // Rust's Display prints the same shortest round-trip digits as Go, without exponent.
        format!("{v}")
    }
}

/// Formats a float as Go's `fmt` `%v` does (`%g` with the shortest precision): exponent form
/// when the decimal exponent is below -4 or at least 6, such as `1e+06` or `1.5e-05`.
pub fn format_float_short(v: f64) -> String {
    if !v.is_finite() {
        return format_float(v);
    }
    // `{:e}` gives the shortest round-trip mantissa and the decimal exponent: "1.5e-5".
    let sci = format!("{v:e}");
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return format_float(v);
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        format_float(v)
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Whether `name` is a label name in Prometheus' classic character set,
/// `[a-zA-Z_][a-zA-Z0-9_]*`, which PromQL may write without quotes.
pub fn is_legacy_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Quotes a string as Go's `strconv.Quote` does: double quotes, `\n`-style escapes for the
/// usual control characters, `\xNN` for other ASCII controls and for bytes that are not
/// UTF-8, `\uNNNN` or `\UNNNNNNNN` for characters that are not printable.
///
/// Go decides "printable" with Unicode category tables; Rust's standard library has no such
/// tables, so [`is_printable`] covers controls, spaces other than U+0020, format characters,
/// private use and noncharacters. Unassigned code points print as themselves here where Go
/// would escape them; both spellings read back as the same string.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_quoted_char(&mut out, c);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

fn push_quoted_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if is_printable(c) => out.push(c),
        c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// An approximation of Go's `unicode.IsPrint`; see [`quote`].
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format_or_private = matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xD800..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD
        | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001
        | 0xE0020..=0xE007F | 0xF0000..);
    // Noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
    let noncharacter = (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE;
    !format_or_private && !noncharacter
}

/// Why a quoted string could not be unquoted. The lexer checks escapes as it scans, so the
/// parser only sees this for a string the lexer already reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnquoteError;

/// Decodes a quoted string token (with its quotes) as Go's `strconv.Unquote` does, into
/// bytes: `\xNN` and octal escapes produce single bytes, so the result need not be UTF-8.
/// Backtick strings are raw and take no escapes.
pub fn unquote(token: &str) -> Result<Vec<u8>, UnquoteError> {
    let bytes = token.as_bytes();
    let (&quote, rest) = bytes.split_first().ok_or(UnquoteError)?;
    let (&last, body) = rest.split_last().ok_or(UnquoteError)?;
    if quote != last || !matches!(quote, b'"' | b'\'' | b'`') {
        return Err(UnquoteError);
    }
    if quote == b'`' {
        if body.contains(&b'`') {
            return Err(UnquoteError);
        }
        return Ok(body.to_vec());
    }
    if body.contains(&b'\n') {
        return Err(UnquoteError);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c == quote {
            return Err(UnquoteError);
        }
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let escape = *body.get(i + 1).ok_or(UnquoteError)?;
        i += 2;
        let simple = match escape {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' => Some(b'\\'),
            b'\'' | b'"' if escape == quote => Some(escape),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        match escape {
            b'x' | b'u' | b'U' => {
                let n = match escape {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = body.get(i..i + n).ok_or(UnquoteError)?;
                let mut v: u32 = 0;
                for &h in hex {
                    v = (v << 4) | (h as char).to_digit(16).ok_or(UnquoteError)?;
                }
                i += n;
                if escape == b'x' {
                    // A single byte, which may make the string invalid UTF-8.
                    out.push(v as u8);
                } else {
                    let c = char::from_u32(v).ok_or(UnquoteError)?;
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            b'0'..=b'7' => {
                let rest = body.get(i..i + 2).ok_or(UnquoteError)?;
                let mut v = u32::from(escape - b'0');
                for &o in rest {
                    if !(b'0'..=b'7').contains(&o) {
                        return Err(UnquoteError);
                    }
                    v = (v << 3) | u32::from(o - b'0');
                }
                i += 2;
                out.push(u8::try_from(v).map_err(|_| UnquoteError)?);
            }
            _ => return Err(UnquoteError),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_go_integer_then_float_rules() {
        let cases: &[(&str, f64)] = &[
            ("1", 1.0),
            ("0755", 493.0),
            ("0x1F", 31.0),
            ("0X_1f", 31.0),
            ("0b101", 5.0),
            ("0o17", 15.0),
            ("1_000", 1000.0),
            ("08", 8.0),
            ("09.5", 9.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("5e-3", 0.005),
            ("12.34e+6", 12_340_000.0),
            ("1_000.5", 1000.5),
            ("9223372036854775808", 9_223_372_036_854_775_808.0),
            ("0x1e5", 485.0),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), Ok(*want), "{text}");
        }
        assert!(parse_number("Inf").unwrap().is_infinite());
        assert!(parse_number("nAn").unwrap().is_nan());
        assert_eq!(parse_number("1e999"), Err(NumberError::OutOfRange));
        assert_eq!(parse_number("0x"), Err(NumberError::Syntax));
        assert_eq!(parse_number("1__0"), Err(NumberError::Syntax));
        assert_eq!(parse_number("1_"), Err(NumberError::Syntax));
        assert_eq!(
            parse_number("0xFFFFFFFFFFFFFFFFFF"),
            Err(NumberError::Syntax)
        );
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(-0.0), "-0");
        assert_eq!(format_float(0.000_012_34), "0.00001234");
        assert_eq!(format_float(1e21), "1000000000000000000000");
        assert_eq!(format_float(f64::INFINITY), "+Inf");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_float(f64::NAN), "NaN");
        assert_eq!(format_float_short(0.0), "0");
        assert_eq!(format_float_short(123_456.0), "123456");
        assert_eq!(format_float_short(1_234_567.0), "1.234567e+06");
        assert_eq!(format_float_short(1e8), "1e+08");
        assert_eq!(format_float_short(0.0001), "0.0001");
        assert_eq!(format_float_short(0.000_015), "1.5e-05");
        assert_eq!(format_float_short(-2.5e300), "-2.5e+300");
        assert_eq!(format_float_short(f64::NAN), "NaN");
    }

    #[test]
    fn strings_unquote_with_go_escapes() {
        let u = |s: &str| unquote(s).unwrap();
        assert_eq!(u(r#""a\tb""#), b"a\tb");
        assert_eq!(u(r#"'it\'s'"#), b"it's");
        assert_eq!(u(r#""\a\b\f\n\r\t\v\\\"""#), b"\x07\x08\x0c\n\r\t\x0b\\\"");
        assert_eq!(u(r#""\xFF\377""#), b"\xff\xff");
        assert_eq!(u(r#""\u263a\U0001F600""#), "☺😀".as_bytes());
        assert_eq!(u(r#"`a\n\`"#), br"a\n\");
        assert_eq!(unquote(r#""\'""#), Err(UnquoteError));
        assert_eq!(unquote(r#"'\"'"#), Err(UnquoteError));
        assert_eq!(unquote(r#""\c""#), Err(UnquoteError));
        assert_eq!(unquote(r#""\400""#), Err(UnquoteError));
        assert_eq!(unquote(r#""\ud800""#), Err(UnquoteError));
        assert_eq!(unquote("\"a\nb\""), Err(UnquoteError));
    }

    #[test]
    fn strings_quote_like_go() {
        assert_eq!(quote(b"plain"), r#""plain""#);
        assert_eq!(quote(b"a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(quote(b"\x00\x7f"), r#""\x00\x7f""#);
        assert_eq!(quote(b"a\xc5z"), r#""a\xc5z""#);
        assert_eq!(quote("☺ é".as_bytes()), "\"☺ é\"");
        assert_eq!(quote("\u{a0}\u{200b}".as_bytes()), r#""\u00a0\u200b""#);
        assert_eq!(
            quote("\u{feff}\u{10ffff}".as_bytes()),
            r#""\ufeff\U0010ffff""#
        );
        // Whatever quote prints, unquote reads back.
        for s in ["x\u{1}y", "tab\there", "\u{2028}", "日本", "\u{e000}"] {
            assert_eq!(unquote(&quote(s.as_bytes())).unwrap(), s.as_bytes());
        }
    }

    #[test]
    fn legacy_label_names() {
        assert!(is_legacy_label_name("job"));
        assert!(is_legacy_label_name("_a1"));
        assert!(!is_legacy_label_name("1a"));
        assert!(!is_legacy_label_name("a.b"));
        assert!(!is_legacy_label_name("a:b"));
        assert!(!is_legacy_label_name(""));
    }
}
