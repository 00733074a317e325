//! Syntax highlighting from our own lexer, and the segments the editor overlay draws.
//!
//! The lexer is driven by the parser in the engine; here nobody parses, so the [`Scanner`]
//! supplies the mode itself: it keeps a stack of open `{`, `[` and `(` and asks the lexer for
//! each token in the mode the innermost one implies. The same stack tells the completion
//! code where the cursor is (inside which braces, which call, which `by (...)` list), which
//! is why scanning and classifying live together here.

use simulator::promql::lexer::{Keyword, Lexer, Mode, TokenKind};

/// What a piece of query text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// `by`, `offset`, `bool`, `and`, ...
    Keyword,
    /// A function name, or `start`/`end`/`step`/`range` used as one.
    Function,
    /// An aggregation operator such as `sum` or `topk`.
    Aggregation,
    /// A metric name.
    Metric,
    /// A label name inside braces or in a `by (...)` list.
    LabelName,
    /// A matcher's quoted value.
    LabelValue,
    /// Any other string literal.
    String,
    /// A number.
    Number,
    /// A duration (`5m`) or a number inside brackets.
    Duration,
    /// Arithmetic, comparison and matcher operators.
    Operator,
    /// Brackets, braces, parentheses, commas, colons and `@`.
    Punctuation,
    /// A `#` comment.
    Comment,
    /// Text the lexer cannot read.
    Invalid,
}

impl TokenClass {
    /// The CSS class the overlay uses for this class.
    pub fn css(self) -> &'static str {
        match self {
            TokenClass::Keyword => "tok-keyword",
            TokenClass::Function => "tok-function",
            TokenClass::Aggregation => "tok-aggregation",
            TokenClass::Metric => "tok-metric",
            TokenClass::LabelName => "tok-label",
            TokenClass::LabelValue => "tok-value",
            TokenClass::String => "tok-string",
            TokenClass::Number => "tok-number",
            TokenClass::Duration => "tok-duration",
            TokenClass::Operator => "tok-operator",
            TokenClass::Punctuation => "tok-punct",
            TokenClass::Comment => "tok-comment",
            TokenClass::Invalid => "tok-invalid",
        }
    }
}

/// One classified token (or comment) and its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexeme {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The lexer's token kind; `None` for a comment.
    pub kind: Option<TokenKind>,
    /// How to colour it.
    pub class: TokenClass,
    /// The mode it was read in.
    pub mode: Mode,
}

/// What an open bracket on the scanner's stack is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `{`, after the metric name written before it, if any.
    Brace {
        /// The metric name before the brace.
        metric: Option<String>,
    },
    /// `[`: a range or a subquery.
    Bracket,
    /// `(` of a function call or aggregation, with how many commas it has seen so far.
    Call {
        /// The function or aggregation name.
        name: String,
        /// The index of the argument being written.
        arg: usize,
    },
    /// `(` of a `by`, `without`, `on`, `ignoring`, `group_left` or `group_right` list.
    LabelList(Keyword),
    /// A plain parenthesis.
    Paren,
}

/// Walks a query token by token, keeping the stack of open brackets that decides the lexer's
/// mode. Never panics and always advances, whatever the input.
#[derive(Debug, Clone)]
pub struct Scanner<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    pos: usize,
    /// Open brackets, innermost last.
    pub stack: Vec<Frame>,
    /// The keyword of a label list whose `(` has not come yet.
    pending_list: Option<Keyword>,
    /// The last token that was not a comment.
    pub prev: Option<Lexeme>,
    /// The frame the last closing bracket closed, so `on (job) |` knows a `group_left` may
    /// follow while `by (job) |` waits for its `(`.
    pub last_closed: Option<Frame>,
    comments: Vec<Lexeme>,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `src`.
    pub fn new(src: &'a str) -> Scanner<'a> {
        Scanner {
            src,
            lexer: Lexer::new(src),
            pos: 0,
            stack: Vec::new(),
            pending_list: None,
            prev: None,
            last_closed: None,
            comments: Vec::new(),
        }
    }

    /// The mode the next token is read in.
    pub fn mode(&self) -> Mode {
        match self.stack.last() {
            Some(Frame::Brace { .. }) => Mode::Braces,
            Some(Frame::Bracket) => Mode::Brackets,
            _ => Mode::Normal,
        }
    }

    /// The byte offset the next token is looked for at.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The next lexeme: a pending comment, or the next token. `None` at the end.
    pub fn next_lexeme(&mut self) -> Option<Lexeme> {
        if let Some(c) = self.comments.pop() {
            return Some(c);
        }
        let mode = self.mode();
        // The lexer rejects queries of u32::MAX bytes or more; so do we, by stopping.
        let pos = u32::try_from(self.pos).ok()?;
        let token = self.lexer.token_at(pos, mode);
        let (start, end) = (token.span.start as usize, token.span.end as usize);
        self.queue_comments(self.pos, start);
        if token.kind == TokenKind::Eof || end <= self.pos {
            self.pos = self.src.len();
            return self.comments.pop();
        }
        let class = self.classify(&token.kind, end, mode);
        let lexeme = Lexeme {
            start,
            end,
            kind: Some(token.kind),
            class,
            mode,
        };
        self.update_stack(&lexeme);
        self.pos = end;
        self.prev = Some(lexeme.clone());
        // Comments before the token come out first, in text order.
        if let Some(c) = self.comments.pop() {
            self.comments.push(lexeme);
            return Some(c);
        }
        Some(lexeme)
    }

    /// Records the comments in the whitespace between `from` and `to`, for output in order.
    fn queue_comments(&mut self, from: usize, to: usize) {
        let gap = self.src.get(from..to).unwrap_or("");
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(hash) = gap[i..].find('#') {
            let start = i + hash;
            let end = gap[start..]
                .find(['\n', '\r'])
                .map_or(gap.len(), |n| start + n);
            found.push(Lexeme {
                start: from + start,
                end: from + end,
                kind: None,
                class: TokenClass::Comment,
                mode: self.mode(),
            });
            i = end;
        }
        // Stored reversed so `pop` yields them first to last.
        found.reverse();
        self.comments.extend(found);
    }

    fn next_is_lparen(&self, end: usize, mode: Mode) -> bool {
        u32::try_from(end).is_ok_and(|e| self.lexer.token_at(e, mode).kind == TokenKind::LParen)
    }

    fn in_label_list(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::LabelList(_)))
    }

    fn classify(&self, kind: &TokenKind, end: usize, mode: Mode) -> TokenClass {
        use TokenKind as T;
        match (kind, mode) {
            (T::Ident | T::MetricIdent | T::Keyword(_), Mode::Braces) => TokenClass::LabelName,
            (T::String, Mode::Braces) => {
                let after_op = self.prev.as_ref().is_some_and(|p| {
                    matches!(
                        p.kind,
                        Some(T::Assign | T::BangEq | T::RegexMatch | T::RegexNoMatch)
                    )
                });
                if after_op {
                    TokenClass::LabelValue
                } else {
                    TokenClass::String
                }
            }
            (T::Number | T::Duration, Mode::Brackets) => TokenClass::Duration,
            (T::Keyword(_), Mode::Brackets) => TokenClass::Function,
            (T::Ident | T::MetricIdent, _) if self.in_label_list() => TokenClass::LabelName,
            (T::Keyword(k), _) if self.in_label_list() && k.can_be_label_name() => {
                TokenClass::LabelName
            }
            (T::Ident | T::MetricIdent, _) => {
                if self.next_is_lparen(end, mode) {
                    TokenClass::Function
                } else {
                    TokenClass::Metric
                }
            }
            (T::Keyword(Keyword::Aggregation), _) => TokenClass::Aggregation,
            (
                T::Keyword(
                    Keyword::Start
                    | Keyword::End
                    | Keyword::Step
                    | Keyword::Range
                    | Keyword::MinOf
                    | Keyword::MaxOf,
                ),
                _,
            ) => {
                if self.next_is_lparen(end, mode) {
                    TokenClass::Function
                } else {
                    TokenClass::Metric
                }
            }
            (T::Keyword(_), _) => TokenClass::Keyword,
            (T::Number, _) => TokenClass::Number,
            (T::Duration, _) => TokenClass::Duration,
            (T::String, _) => TokenClass::String,
            (
                T::LParen
                | T::RParen
                | T::LBrace
                | T::RBrace
                | T::LBracket
                | T::RBracket
                | T::Comma
                | T::Colon
                | T::At,
                _,
            ) => TokenClass::Punctuation,
            (T::Invalid(_), _) => TokenClass::Invalid,
            (T::Eof, _) => TokenClass::Punctuation,
            _ => TokenClass::Operator,
        }
    }

    fn update_stack(&mut self, l: &Lexeme) {
        use TokenKind as T;
        let Some(kind) = &l.kind else { return };
        self.last_closed = None;
        match kind {
            T::LBrace => {
                let metric = self
                    .prev
                    .as_ref()
                    .filter(|p| p.class == TokenClass::Metric)
                    .and_then(|p| self.src.get(p.start..p.end))
                    .map(str::to_string);
                self.stack.push(Frame::Brace { metric });
            }
            T::LBracket => self.stack.push(Frame::Bracket),
            T::LParen => {
                let frame =
                    if let Some(k) = self.pending_list.take() {
                        Frame::LabelList(k)
                    } else if let Some(p) = self.prev.as_ref().filter(|p| {
                        matches!(p.class, TokenClass::Function | TokenClass::Aggregation)
                    }) {
                        Frame::Call {
                            name: self
                                .src
                                .get(p.start..p.end)
                                .unwrap_or("")
                                .to_ascii_lowercase(),
                            arg: 0,
                        }
                    } else {
                        Frame::Paren
                    };
                self.stack.push(frame);
            }
            T::RBrace => self.pop_to(|f| matches!(f, Frame::Brace { .. })),
            T::RBracket => self.pop_to(|f| matches!(f, Frame::Bracket)),
            T::RParen => self
                .pop_to(|f| matches!(f, Frame::Call { .. } | Frame::LabelList(_) | Frame::Paren)),
            T::Comma => {
                if let Some(Frame::Call { arg, .. }) = self.stack.last_mut() {
                    *arg += 1;
                }
            }
            T::Keyword(
                k @ (Keyword::By
                | Keyword::Without
                | Keyword::On
                | Keyword::Ignoring
                | Keyword::GroupLeft
                | Keyword::GroupRight),
            ) if l.class == TokenClass::Keyword => {
                self.pending_list = Some(*k);
            }
            _ => {}
        }
        if !matches!(kind, T::LParen)
            && !matches!(
                kind,
                T::Keyword(
                    Keyword::By
                        | Keyword::Without
                        | Keyword::On
                        | Keyword::Ignoring
                        | Keyword::GroupLeft
                        | Keyword::GroupRight
                )
            )
        {
            self.pending_list = None;
        }
    }

    /// Pops frames up to and including the innermost one `is_match` accepts; a closer with
    /// no opener leaves the stack alone.
    fn pop_to(&mut self, is_match: impl Fn(&Frame) -> bool) {
        if let Some(i) = self.stack.iter().rposition(is_match) {
            self.last_closed = self.stack.get(i).cloned();
            self.stack.truncate(i);
        }
    }
}

/// Every token and comment of `src`, classified, in text order.
pub fn highlight(src: &str) -> Vec<Lexeme> {
    let mut s = Scanner::new(src);
    let mut out = Vec::new();
    while let Some(l) = s.next_lexeme() {
        out.push(l);
    }
    out
}

/// The metric names a query selects, in order of appearance, without duplicates.
pub fn metric_names(src: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for l in highlight(src) {
        if l.class == TokenClass::Metric
            && let Some(t) = src.get(l.start..l.end)
            && !names.iter().any(|n| n == t)
        {
            names.push(t.to_string());
        }
    }
    names
}

/// A run of the overlay: a byte range, its colour class (none for whitespace) and whether a
/// parse error underlines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// First byte.
    pub start: usize,
    /// One past the last byte; equal to `start` only for the end-of-text error marker.
    pub end: usize,
    /// The colour class.
    pub class: Option<TokenClass>,
    /// Whether an error's span covers it.
    pub error: bool,
}

/// Splits `src` into runs of equal class and error state, covering every byte once.
///
/// `errors` are byte ranges. An empty one ("something is missing here") underlines the
/// character at that point; at the very end of the text it yields an empty segment that the
/// overlay draws as an underlined space, so the learner sees where the query stops short.
pub fn segments(src: &str, lexemes: &[Lexeme], errors: &[(usize, usize)]) -> Vec<Segment> {
    let len = src.len();
    let mut cuts: Vec<usize> = vec![0, len];
    for l in lexemes {
        cuts.push(l.start.min(len));
        cuts.push(l.end.min(len));
    }
    let errors: Vec<(usize, usize)> = errors
        .iter()
        .map(|&(s, e)| {
            let s = super::offsets::floor_boundary(src, s);
            let e = super::offsets::floor_boundary(src, e.max(s));
            if e == s && s < len {
                (s, super::offsets::next_boundary(src, s))
            } else {
                (s, e)
            }
        })
        .collect();
    for &(s, e) in &errors {
        cuts.push(s);
        cuts.push(e);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let class_at = |b: usize| {
        lexemes
            .iter()
            .find(|l| l.start <= b && b < l.end)
            .map(|l| l.class)
    };
    let error_at = |b: usize| errors.iter().any(|&(s, e)| s <= b && b < e);
    let mut out: Vec<Segment> = Vec::new();
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        if start == end {
            continue;
        }
        let seg = Segment {
            start,
            end,
            class: class_at(start),
            error: error_at(start),
        };
        match out.last_mut() {
            Some(last)
                if last.class == seg.class && last.error == seg.error && last.end == start =>
            {
                last.end = end;
            }
            _ => out.push(seg),
        }
    }
    if errors.iter().any(|&(s, e)| s == len && e == len) {
        out.push(Segment {
            start: len,
            end: len,
            class: None,
            error: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenClass as C;

    /// Each token's text and class, comments included.
    fn classes(src: &str) -> Vec<(&str, TokenClass)> {
        highlight(src)
            .into_iter()
            .map(|l| (&src[l.start..l.end], l.class))
            .collect()
    }

    #[test]
    fn tokens_are_classified_by_context() {
        assert_eq!(
            classes(
                r#"sum by (job) (rate(http_requests_total{status=~"5..", by="x"}[5m])) # note"#
            ),
            vec![
                ("sum", C::Aggregation),
                ("by", C::Keyword),
                ("(", C::Punctuation),
                ("job", C::LabelName),
                (")", C::Punctuation),
                ("(", C::Punctuation),
                ("rate", C::Function),
                ("(", C::Punctuation),
                ("http_requests_total", C::Metric),
                ("{", C::Punctuation),
                ("status", C::LabelName),
                ("=~", C::Operator),
                ("\"5..\"", C::LabelValue),
                (",", C::Punctuation),
                ("by", C::LabelName),
                ("=", C::Operator),
                ("\"x\"", C::LabelValue),
                ("}", C::Punctuation),
                ("[", C::Punctuation),
                ("5m", C::Duration),
                ("]", C::Punctuation),
                (")", C::Punctuation),
                (")", C::Punctuation),
                ("# note", C::Comment),
            ]
        );
    }

    #[test]
    fn modifiers_subqueries_and_keywords_as_names() {
        assert_eq!(
            classes("a / on(job) group_left(offset) b offset 1h @ start()"),
            vec![
                ("a", C::Metric),
                ("/", C::Operator),
                ("on", C::Keyword),
                ("(", C::Punctuation),
                ("job", C::LabelName),
                (")", C::Punctuation),
                ("group_left", C::Keyword),
                ("(", C::Punctuation),
                ("offset", C::LabelName),
                (")", C::Punctuation),
                ("b", C::Metric),
                ("offset", C::Keyword),
                ("1h", C::Duration),
                ("@", C::Punctuation),
                ("start", C::Function),
                ("(", C::Punctuation),
                (")", C::Punctuation),
            ]
        );
        assert_eq!(
            classes("max_over_time(x[1h:step()])"),
            vec![
                ("max_over_time", C::Function),
                ("(", C::Punctuation),
                ("x", C::Metric),
                ("[", C::Punctuation),
                ("1h", C::Duration),
                (":", C::Punctuation),
                ("step", C::Function),
                ("(", C::Punctuation),
                (")", C::Punctuation),
                ("]", C::Punctuation),
                (")", C::Punctuation),
            ]
        );
    }

    #[test]
    fn comments_come_out_in_order_and_junk_never_stalls() {
        assert_eq!(
            classes("# a\nup # b\n# c"),
            vec![
                ("# a", C::Comment),
                ("up", C::Metric),
                ("# b", C::Comment),
                ("# c", C::Comment),
            ]
        );
        for junk in [
            "{{{",
            ")))]]}}",
            "\"unterminated",
            "é ü 😀 {",
            "!",
            "a{b=\"",
            "[:",
        ] {
            let lexemes = highlight(junk);
            let mut at = 0;
            for l in &lexemes {
                assert!(l.start >= at && l.end > l.start, "{junk}: {lexemes:?}");
                at = l.end;
            }
        }
    }

    #[test]
    fn metric_names_are_listed_once_in_order() {
        assert_eq!(
            metric_names("rate(b_total[5m]) / a + b_total offset 5m"),
            vec!["b_total", "a"]
        );
    }

    #[test]
    fn segments_cover_the_text_and_mark_errors() {
        let src = "rate(x)";
        let segs = segments(src, &highlight(src), &[(5, 6)]);
        let shown: Vec<(&str, Option<TokenClass>, bool)> = segs
            .iter()
            .map(|s| (&src[s.start..s.end], s.class, s.error))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("rate", Some(C::Function), false),
                ("(", Some(C::Punctuation), false),
                ("x", Some(C::Metric), true),
                (")", Some(C::Punctuation), false),
            ]
        );
        // A missing operand at the end gets an empty marker segment.
        let src = "1 +";
        let segs = segments(src, &highlight(src), &[(3, 3)]);
        assert_eq!(
            segs.last(),
            Some(&Segment {
                start: 3,
                end: 3,
                class: None,
                error: true
            })
        );
        // An empty span inside the text underlines the next character.
        let segs = segments("a b", &highlight("a b"), &[(1, 1)]);
        assert!(segs.iter().any(|s| s.start == 1 && s.end == 2 && s.error));
        // Whitespace between tokens is its own unclassed run.
        assert_eq!(segs.iter().map(|s| s.end - s.start).sum::<usize>(), 3);
    }
}
