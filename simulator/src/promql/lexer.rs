//! The lexer: query text to tokens, one token at a time, on demand.
//!
//! PromQL's tokens depend on where they are. Inside `{...}` every word is a label name
//! (`{by="x"}` is fine) and `=~` is an operator; inside `[...]` a `:` separates range and
//! step instead of starting a metric name (`:foo` is a valid metric name elsewhere).
//! Prometheus' lexer tracks that with its own state machine. Ours is driven by the parser
//! instead: the parser asks for the token at a byte offset in a [`Mode`] that it knows from
//! the grammar. That keeps the lexer a pure function of (offset, mode), so peeking and
//! re-lexing are free of hidden state, and after an error (an unclosed brace, say) the
//! parser simply carries on in the right mode instead of the lexer staying confused.
//!
//! Lexing never fails: a bad character or literal becomes an [`TokenKind::Invalid`] token
//! carrying its message, which the parser reports when it reaches it.

use super::error::ErrorKind;
use super::span::Span;

/// Where in the grammar a token is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Expressions, modifiers, grouping label lists.
    Normal,
    /// Inside `{...}`: label names, matcher operators and strings.
    Braces,
    /// Inside `[...]`: duration expressions, `:` between range and step.
    Brackets,
}

/// Words with a meaning of their own. The lexer matches them case-insensitively, as
/// Prometheus does; the parser decides from context whether a keyword is really a metric
/// name (`offset`, `sum` and `by` are all valid metric names where a metric fits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `and`
    And,
    /// `or`
    Or,
    /// `unless`
    Unless,
    /// `atan2`
    Atan2,
    /// An aggregation operator; the text says which.
    Aggregation,
    /// `offset`
    Offset,
    /// `anchored`
    Anchored,
    /// `smoothed`
    Smoothed,
    /// `by`
    By,
    /// `without`
    Without,
    /// `on`
    On,
    /// `ignoring`
    Ignoring,
    /// `group_left`
    GroupLeft,
    /// `group_right`
    GroupRight,
    /// `bool`
    Bool,
    /// `fill`, only when followed by `(`, so `fill` stays usable as a metric name.
    Fill,
    /// `fill_left`, only when followed by `(`.
    FillLeft,
    /// `fill_right`, only when followed by `(`.
    FillRight,
    /// `start`
    Start,
    /// `end`
    End,
    /// `step`
    Step,
    /// `range`
    Range,
    /// `min_of`
    MinOf,
    /// `max_of`
    MaxOf,
}

impl Keyword {
    /// The keyword for a word, which must already be in lower case.
    fn from_lowercase(word: &str) -> Option<Keyword> {
        Some(match word {
            "and" => Keyword::And,
            "or" => Keyword::Or,
            "unless" => Keyword::Unless,
            "atan2" => Keyword::Atan2,
            "offset" => Keyword::Offset,
            "anchored" => Keyword::Anchored,
            "smoothed" => Keyword::Smoothed,
            "by" => Keyword::By,
            "without" => Keyword::Without,
            "on" => Keyword::On,
            "ignoring" => Keyword::Ignoring,
            "group_left" => Keyword::GroupLeft,
            "group_right" => Keyword::GroupRight,
            "bool" => Keyword::Bool,
            "fill" => Keyword::Fill,
            "fill_left" => Keyword::FillLeft,
            "fill_right" => Keyword::FillRight,
            "start" => Keyword::Start,
            "end" => Keyword::End,
            "step" => Keyword::Step,
            "range" => Keyword::Range,
            "min_of" => Keyword::MinOf,
            "max_of" => Keyword::MaxOf,
            _ if super::operators::aggregation_op(word).is_some() => Keyword::Aggregation,
            _ => return None,
        })
    }

    /// Whether the keyword may name a metric where a metric fits, per Prometheus'
    /// `metric_identifier` rule. `bool`, `on`, `ignoring`, `group_*` and `atan2` may not.
    pub fn can_be_metric_name(self) -> bool {
        !matches!(
            self,
            Keyword::Bool
                | Keyword::On
                | Keyword::Ignoring
                | Keyword::GroupLeft
                | Keyword::GroupRight
                | Keyword::Atan2
        )
    }

    /// Whether the keyword may be a label name in a `by`/`on`/`group_*` list, per
    /// Prometheus' `maybe_label` rule, which omits `without`.
    pub fn can_be_label_name(self) -> bool {
        self != Keyword::Without
    }
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A word without `:`: a metric, label or function name.
    Ident,
    /// A word containing `:`, such as a recording rule's `job:requests:rate5m`.
    MetricIdent,
    /// A keyword (see [`Keyword`]); its text is in the token's span.
    Keyword(Keyword),
    /// A number: decimal, hex, octal, with exponent or `_`, or `Inf`/`NaN`.
    Number,
    /// A duration such as `5m` or `1h30m` (validated by the parser).
    Duration,
    /// A quoted string, quotes included; escapes already checked.
    String,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `:` (inside brackets)
    Colon,
    /// `@`
    At,
    /// `=`: a matcher operator, or a typo for `==` outside braces.
    Assign,
    /// `=~`
    RegexMatch,
    /// `!~`
    RegexNoMatch,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `^`
    Caret,
    /// `==`
    EqEq,
    /// `!=`
    BangEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `</`
    TrimUpper,
    /// `>/`
    TrimLower,
    /// End of the query.
    Eof,
    /// Text that is not a token; the error explains why.
    Invalid(LexError),
}

/// Why some text is not a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// The error's category.
    pub kind: ErrorKind,
    /// What is wrong.
    pub message: String,
    /// What was probably meant.
    pub hint: Option<String>,
    /// Whether the text is a string that runs to the end of its line or of the query, so
    /// any closing bracket after it was swallowed; the parser then does not also report the
    /// bracket as unclosed.
    pub unterminated: bool,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its text's bytes.
    pub span: Span,
}

/// Reads tokens from a query.
#[derive(Debug, Clone, Copy)]
pub struct Lexer<'a> {
    src: &'a str,
}

impl<'a> Lexer<'a> {
    /// A lexer over `src`, which must be shorter than `u32::MAX` bytes.
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer { src }
    }

    /// The token starting at or after `pos` (whitespace and `#` comments are skipped).
    pub fn token_at(&self, pos: u32, mode: Mode) -> Token {
        let bytes = self.src.as_bytes();
        let mut i = pos as usize;
        loop {
            match bytes.get(i) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => i += 1,
                Some(b'#') => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        let (kind, end) = self.lex_token(i, mode);
        Token {
            kind,
            span: Span::new(i as u32, end as u32),
        }
    }

    fn lex_token(&self, start: usize, mode: Mode) -> (TokenKind, usize) {
        let bytes = self.src.as_bytes();
        let Some(&c) = bytes.get(start) else {
            return (TokenKind::Eof, start);
        };
        let next = bytes.get(start + 1).copied();
        let one = |k| (k, start + 1);
        let two = |k| (k, start + 2);
        match c {
            b'(' => one(TokenKind::LParen),
            b')' => one(TokenKind::RParen),
            b'{' => one(TokenKind::LBrace),
            b'}' => one(TokenKind::RBrace),
            b'[' => one(TokenKind::LBracket),
            b']' => one(TokenKind::RBracket),
            b',' => one(TokenKind::Comma),
            b'@' => one(TokenKind::At),
            b'+' => one(TokenKind::Plus),
            b'-' => one(TokenKind::Minus),
            b'*' => one(TokenKind::Star),
            b'/' => one(TokenKind::Slash),
            b'%' => one(TokenKind::Percent),
            b'^' => one(TokenKind::Caret),
            b'=' => match next {
                Some(b'=') => two(TokenKind::EqEq),
                Some(b'~') => two(TokenKind::RegexMatch),
                _ => one(TokenKind::Assign),
            },
            b'!' => match next {
                Some(b'=') => two(TokenKind::BangEq),
                Some(b'~') => two(TokenKind::RegexNoMatch),
                _ => self.invalid(
                    start + 1,
                    ErrorKind::Syntax,
                    "unexpected `!`",
                    Some(
                        "PromQL has no `!` operator; use `!=` to compare, `!~` for a regex \
                          matcher, or `unless` to remove series",
                    ),
                ),
            },
            b'<' => match next {
                Some(b'=') => two(TokenKind::Le),
                Some(b'/') => two(TokenKind::TrimUpper),
                _ => one(TokenKind::Lt),
            },
            b'>' => match next {
                Some(b'=') => two(TokenKind::Ge),
                Some(b'/') => two(TokenKind::TrimLower),
                _ => one(TokenKind::Gt),
            },
            b'"' | b'\'' | b'`' => self.lex_string(start),
            b':' if mode == Mode::Brackets => one(TokenKind::Colon),
            b'0'..=b'9' if mode == Mode::Braces => self.lex_braces_number(start),
            b'0'..=b'9' => self.lex_number_or_duration(start),
            b'.' if next.is_some_and(|d| d.is_ascii_digit()) => self.lex_number_or_duration(start),
            c if c == b'_' || c.is_ascii_alphabetic() || (c == b':' && mode == Mode::Normal) => {
                self.lex_word(start, mode)
            }
            _ => {
                let ch = self.src[start..].chars().next().unwrap_or('\u{fffd}');
                let end = start + ch.len_utf8();
                let (message, hint) = unexpected_character(ch, mode);
                self.invalid(end, ErrorKind::Syntax, &message, hint)
            }
        }
    }

    fn invalid(
        &self,
        end: usize,
        kind: ErrorKind,
        message: &str,
        hint: Option<&str>,
    ) -> (TokenKind, usize) {
        (
            TokenKind::Invalid(LexError {
                kind,
                message: message.to_string(),
                hint: hint.map(str::to_string),
                unterminated: false,
            }),
            end,
        )
    }

    fn lex_word(&self, start: usize, mode: Mode) -> (TokenKind, usize) {
        let bytes = self.src.as_bytes();
        // Outside braces and brackets, a word may contain colons (recording rule names).
        let colons = mode == Mode::Normal;
        let mut end = start;
        while end < bytes.len()
            && (bytes[end] == b'_'
                || bytes[end].is_ascii_alphanumeric()
                || (colons && bytes[end] == b':'))
        {
            end += 1;
        }
        let word = &self.src[start..end];
        if mode == Mode::Braces {
            // Inside braces every word is a label name, keywords included.
            return (TokenKind::Ident, end);
        }
        if word.contains(':') {
            return (TokenKind::MetricIdent, end);
        }
        let lower = word.to_ascii_lowercase();
        if lower == "inf" || lower == "nan" {
            return (TokenKind::Number, end);
        }
        match Keyword::from_lowercase(&lower) {
            Some(Keyword::Fill | Keyword::FillLeft | Keyword::FillRight)
                if !self.followed_by_paren(end) =>
            {
                // As in Prometheus, `fill` is a keyword only before `(`, so existing metrics
                // called `fill` keep working.
                (TokenKind::Ident, end)
            }
            Some(k) => (TokenKind::Keyword(k), end),
            None => (TokenKind::Ident, end),
        }
    }

    fn followed_by_paren(&self, pos: usize) -> bool {
        self.src[pos..]
            .bytes()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(b'(')
    }

    /// Numbers and durations, following Prometheus' `scanNumber` and
    /// `acceptRemainingDuration` so that exactly the same texts are accepted.
    fn lex_number_or_duration(&self, start: usize) -> (TokenKind, usize) {
        let bytes = self.src.as_bytes();
        let (ok, mut pos) = scan_number(bytes, start);
        if ok {
            return (TokenKind::Number, pos);
        }
        // Not a plain number: maybe a duration, which continues where the number stopped.
        if let Some(end) = accept_duration(bytes, pos) {
            return (TokenKind::Duration, end);
        }
        // Report the whole word so the message shows what the learner typed.
        while pos < bytes.len()
            && (bytes[pos].is_ascii_alphanumeric() || matches!(bytes[pos], b'.' | b'_'))
        {
            pos += 1;
        }
        let text = &self.src[start..pos];
        let (message, hint) = bad_number_message(text);
        self.invalid(pos, ErrorKind::Literal, &message, Some(&hint))
    }

    /// Inside braces a number can only be an unquoted label value (`{code=500}`), which the
    /// parser explains; a word starting with a digit is a label name that needs quotes.
    fn lex_braces_number(&self, start: usize) -> (TokenKind, usize) {
        let bytes = self.src.as_bytes();
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'.'))
        {
            end += 1;
        }
        if self.src[start..end]
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'.')
        {
            return (TokenKind::Number, end);
        }
        let word = &self.src[start..end];
        self.invalid(
            end,
            ErrorKind::Syntax,
            &format!("`{word}` is not a label name: label names start with a letter or `_`"),
            Some(&format!("quote a name like this: {{\"{word}\"=\"value\"}}")),
        )
    }

    fn lex_string(&self, start: usize) -> (TokenKind, usize) {
        let bytes = self.src.as_bytes();
        let quote = bytes[start];
        let mut i = start + 1;
        if quote == b'`' {
            // Raw strings take no escapes and may span lines.
            return match self.src[i..].find('`') {
                Some(n) => (TokenKind::String, i + n + 1),
                None => unterminated(self.invalid(
                    bytes.len(),
                    ErrorKind::Literal,
                    "this backtick string is never closed",
                    Some("add a closing ` at the end of the string"),
                )),
            };
        }
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => {
                    let q = quote as char;
                    return unterminated(self.invalid(
                        i,
                        ErrorKind::Literal,
                        "this string is never closed",
                        Some(&format!(
                            "add a closing {q} before the end of the line; strings in \
                             {q}...{q} cannot span lines (use backticks for that)"
                        )),
                    ));
                }
                Some(b'\\') => match check_escape(self.src, i, quote) {
                    Ok(end) => i = end,
                    Err((end, message)) => {
                        // Skip to the closing quote so the rest of the query still lexes.
                        let close = self.src[end..]
                            .find([quote as char, '\n'])
                            .map_or(bytes.len(), |n| {
                                end + n + usize::from(bytes[end + n] == quote)
                            });
                        return self.invalid(
                            close,
                            ErrorKind::Literal,
                            &message,
                            Some(
                                "escapes are \\a \\b \\f \\n \\r \\t \\v \\\\ \\' \\\" \\xNN \
                                  \\NNN (octal) \\uNNNN \\UNNNNNNNN; use backticks for text \
                                  with many backslashes, such as regexes",
                            ),
                        );
                    }
                },
                Some(&c) if c == quote => return (TokenKind::String, i + 1),
                Some(_) => i += 1,
            }
        }
    }
}

/// Marks an invalid token as an unterminated string.
fn unterminated((kind, end): (TokenKind, usize)) -> (TokenKind, usize) {
    match kind {
        TokenKind::Invalid(e) => (
            TokenKind::Invalid(LexError {
                unterminated: true,
                ..e
            }),
            end,
        ),
        other => (other, end),
    }
}

/// Checks the escape starting with the backslash at `i`, as Prometheus' `lexEscape` does.
/// Returns the offset after it, or the offset where checking stopped and a message.
fn check_escape(src: &str, i: usize, quote: u8) -> Result<usize, (usize, String)> {
    let bytes = src.as_bytes();
    let Some(&c) = bytes.get(i + 1) else {
        return Err((i + 1, "this escape sequence is not finished".to_string()));
    };
    let (digits, base, max): (usize, u32, u32) = match c {
        b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'\\' => return Ok(i + 2),
        c if c == quote => return Ok(i + 2),
        b'0'..=b'7' => (3, 8, 255),
        b'x' => (2, 16, 255),
        b'u' => (4, 16, 0x10_ffff),
        b'U' => (8, 16, 0x10_ffff),
        _ => {
            let ch = src[i + 1..].chars().next().unwrap_or('?');
            return Err((
                i + 1 + ch.len_utf8(),
                format!("unknown escape sequence `\\{ch}`"),
            ));
        }
    };
    let first = if base == 8 { i + 1 } else { i + 2 };
    let mut value: u32 = 0;
    for k in 0..digits {
        let d = bytes
            .get(first + k)
            .and_then(|&b| (b as char).to_digit(base));
        match d {
            Some(d) => value = value * base + d,
            None => {
                let what = match bytes.get(first + k) {
                    None | Some(b'\n') => "this escape sequence is not finished".to_string(),
                    Some(_) => {
                        let ch = src[first + k..].chars().next().unwrap_or('?');
                        format!("`{ch}` is not allowed in this escape sequence")
                    }
                };
                return Err((first + k, what));
            }
        }
    }
    if value > max || (0xd800..0xe000).contains(&value) {
        return Err((
            first + digits,
            "this escape sequence is not a valid Unicode code point".to_string(),
        ));
    }
    Ok(first + digits)
}

/// Prometheus' `scanNumber`: returns whether the text from `start` is a complete number and
/// where scanning stopped. The text is not necessarily a valid number; the parser converts
/// it and reports failures.
fn scan_number(bytes: &[u8], start: usize) -> (bool, usize) {
    let mut p = start;
    let peek = |p: usize| bytes.get(p).copied();
    let mut hex = false;
    if peek(p) == Some(b'0') {
        p += 1;
        if matches!(peek(p), Some(b'x' | b'X')) {
            p += 1;
            hex = true;
            if peek(p) == Some(b'_') {
                p += 1;
            }
        }
    }
    let is_digit = |c: u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    if peek(p) == Some(b'.') {
        p += 1;
    }
    if peek(p).is_some_and(is_digit) {
        p += 1;
    }
    let mut dot = false;
    let mut exponent = false;
    while let Some(c) = peek(p) {
        if !(is_digit(c) || matches!(c, b'.' | b'_' | b'e' | b'E')) {
            break;
        }
        if c == b'.' {
            p += 1;
            if dot {
                return (false, p);
            }
            dot = true;
            if matches!(peek(p), Some(b'_' | b'.')) {
                return (false, p + 1);
            }
            if hex {
                // Fractional hexadecimal literals are not allowed.
                return (false, p);
            }
            continue;
        }
        // In a hex number 'e' is a digit; Prometheus still tries it as an exponent first.
        if matches!(c, b'e' | b'E') {
            p += 1;
            if exponent {
                return (false, p);
            }
            exponent = true;
            if matches!(peek(p), Some(b'+' | b'-')) {
                p += 1;
            }
            match peek(p) {
                None => return (false, p),
                Some(b'.' | b'_' | b'e' | b'E') => return (false, p + 1),
                _ => {}
            }
            continue;
        }
        if c == b'_' {
            p += 1;
            match peek(p) {
                None => return (false, p),
                Some(b'.' | b'_' | b'e' | b'E') => return (false, p + 1),
                _ => {}
            }
            continue;
        }
        while peek(p).is_some_and(is_digit) {
            p += 1;
        }
    }
    if p == start {
        return (false, p);
    }
    // A number must not run into letters or digits ("5m" is a duration, "0deadbeef" junk).
    let ok = !peek(p).is_some_and(|c| c == b'_' || c.is_ascii_alphanumeric());
    (ok, p)
}

/// Prometheus' `acceptRemainingDuration`: units and more digit-unit pairs after the number,
/// ending at a character that cannot continue a word. Returns where the duration ends.
fn accept_duration(bytes: &[u8], mut p: usize) -> Option<usize> {
    let unit = |c: Option<&u8>, with_y: bool| {
        c.is_some_and(|c| b"smhdw".contains(c) || (with_y && *c == b'y'))
    };
    if !unit(bytes.get(p), true) {
        return None;
    }
    p += 1;
    // "ms"; bad pairs such as "hs" are caught when the parser reads the duration.
    if bytes.get(p) == Some(&b's') {
        p += 1;
    }
    while bytes.get(p).is_some_and(u8::is_ascii_digit) {
        while bytes.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        // 'y' must come first, so it is not accepted after the first unit.
        if !unit(bytes.get(p), false) {
            return None;
        }
        p += 1;
        if bytes.get(p) == Some(&b's') {
            p += 1;
        }
    }
    if bytes
        .get(p)
        .is_some_and(|c| *c == b'_' || c.is_ascii_alphanumeric())
    {
        return None;
    }
    Some(p)
}

/// The message and hint for text that starts like a number but is neither a number nor a
/// duration.
pub(crate) fn bad_number_message(text: &str) -> (String, String) {
    let units = "durations are whole numbers followed by a unit: ms, s, m, h, d, w or y \
                 (for example 30s, 5m, 1h30m)";
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let rest = &text[digits_end..];
    if digits_end > 0 && !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_alphabetic()) {
        // "5mins", "5x", "10sec": a number followed by a word that is not a unit.
        let hint = match rest.to_ascii_lowercase().as_str() {
            "min" | "mins" | "minute" | "minutes" => format!("write {}m", &text[..digits_end]),
            "sec" | "secs" | "second" | "seconds" => format!("write {}s", &text[..digits_end]),
            "hr" | "hrs" | "hour" | "hours" => format!("write {}h", &text[..digits_end]),
            "day" | "days" => format!("write {}d", &text[..digits_end]),
            "ns" | "us" | "µs" => "PromQL durations go no finer than ms".to_string(),
            _ => units.to_string(),
        };
        return (format!("unknown duration unit `{rest}` in `{text}`"), hint);
    }
    if text.contains('.') && text.bytes().last().is_some_and(|c| b"smhdwy".contains(&c)) {
        return (
            format!("`{text}` is not a valid duration: durations cannot have fractions"),
            "use a smaller unit instead, for example 90s rather than 1.5m".to_string(),
        );
    }
    (
        format!("`{text}` is not a valid number or duration"),
        units.to_string(),
    )
}

fn unexpected_character(ch: char, mode: Mode) -> (String, Option<&'static str>) {
    let shown = if ch.is_control() || ch.is_whitespace() {
        format!("{:?}", ch)
    } else {
        format!("`{ch}`")
    };
    match (ch, mode) {
        (':', Mode::Braces) => (
            format!("unexpected {shown} inside braces"),
            Some("label names cannot contain ':' unless quoted, as in {\"a:b\"=\"value\"}"),
        ),
        ('.', Mode::Normal) => (
            format!("unexpected {shown}"),
            Some("a metric name with dots must be quoted inside braces: {\"my.metric\"}"),
        ),
        ('\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}', _) => (
            format!("unexpected {shown}"),
            Some("this is a typographic quote; use a plain \" or ' instead"),
        ),
        ('|' | '&', Mode::Normal) => (
            format!("unexpected {shown}"),
            Some("PromQL uses the words `or`, `and` and `unless` between vectors"),
        ),
        (_, Mode::Braces) => (format!("unexpected {shown} inside braces"), None),
        (_, Mode::Brackets) => (
            format!("unexpected {shown} in a duration"),
            Some("a range looks like [5m], a subquery like [1h:1m]"),
        ),
        _ => (format!("unexpected {shown}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, mode: Mode) -> Vec<(TokenKind, &str)> {
        let lexer = Lexer::new(src);
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let t = lexer.token_at(pos, mode);
            if t.kind == TokenKind::Eof {
                return out;
            }
            pos = t.span.end;
            out.push((t.kind, t.span.text(src)));
        }
    }

    #[test]
    fn numbers_and_durations_follow_prometheus() {
        for n in [
            "1", ".5", "5.", "1e3", "1E-3", "0x1F", "0755", "1_000", "Inf", "nan",
        ] {
            assert_eq!(kinds(n, Mode::Normal), vec![(TokenKind::Number, n)], "{n}");
        }
        // "5hs" and "1.5m" lex as durations, as in Prometheus; the parser rejects them.
        for d in ["5m", "1h30m", "300ms", "1y", "5hs", "1.5m"] {
            assert_eq!(
                kinds(d, Mode::Normal),
                vec![(TokenKind::Duration, d)],
                "{d}"
            );
        }
        for bad in ["5mins", "5x", "2.5.", "100..4", "0deadbeef", "1e"] {
            let k = kinds(bad, Mode::Normal);
            assert!(matches!(k[0].0, TokenKind::Invalid(_)), "{bad}: {k:?}");
        }
    }

    #[test]
    fn words_depend_on_mode() {
        assert_eq!(
            kinds("sum by offset", Mode::Normal),
            vec![
                (TokenKind::Keyword(Keyword::Aggregation), "sum"),
                (TokenKind::Keyword(Keyword::By), "by"),
                (TokenKind::Keyword(Keyword::Offset), "offset"),
            ]
        );
        assert_eq!(kinds("by", Mode::Braces), vec![(TokenKind::Ident, "by")]);
        assert_eq!(
            kinds("job:rate5m :x", Mode::Normal),
            vec![
                (TokenKind::MetricIdent, "job:rate5m"),
                (TokenKind::MetricIdent, ":x")
            ]
        );
        assert_eq!(
            kinds("5m:STep()", Mode::Brackets),
            vec![
                (TokenKind::Duration, "5m"),
                (TokenKind::Colon, ":"),
                (TokenKind::Keyword(Keyword::Step), "STep"),
                (TokenKind::LParen, "("),
                (TokenKind::RParen, ")"),
            ]
        );
        assert_eq!(kinds("fill + x", Mode::Normal)[0].0, TokenKind::Ident);
        assert_eq!(
            kinds("fill (0)", Mode::Normal)[0].0,
            TokenKind::Keyword(Keyword::Fill)
        );
    }

    #[test]
    fn operators_comments_and_strings() {
        assert_eq!(
            kinds("a</b >/ c # note\n!= =~ !~ == =", Mode::Normal)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            vec![
                TokenKind::Ident,
                TokenKind::TrimUpper,
                TokenKind::Ident,
                TokenKind::TrimLower,
                TokenKind::Ident,
                TokenKind::BangEq,
                TokenKind::RegexMatch,
                TokenKind::RegexNoMatch,
                TokenKind::EqEq,
                TokenKind::Assign,
            ]
        );
        assert_eq!(
            kinds(r#""a\"b" 'c' `d\`"#, Mode::Normal),
            vec![
                (TokenKind::String, r#""a\"b""#),
                (TokenKind::String, "'c'"),
                (TokenKind::String, r"`d\`"),
            ]
        );
        for bad in [
            r#""\c""#,
            r#""\x.""#,
            "\"abc",
            r#""\400""#,
            r#""\ud800""#,
            "`x",
        ] {
            assert!(
                matches!(kinds(bad, Mode::Normal)[0].0, TokenKind::Invalid(_)),
                "{bad}"
            );
        }
    }
}
