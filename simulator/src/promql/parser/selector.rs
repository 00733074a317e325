//! Selectors and their matchers, ranges, subqueries and the `offset`, `@`, `anchored`
//! and `smoothed` modifiers.

use super::*;

impl Parser<'_> {
    #[inline(never)]
    pub(super) fn selector(&mut self, name: Option<Token>) -> Option<Node> {
        let start = self.peek(Mode::Normal).span.start;
        let metric = name.map(|token| {
            self.bump(Mode::Normal);
            Name {
                name: self.text(token.span).to_string(),
                span: token.span,
            }
        });
        let mut matchers = Vec::new();
        let mut ok = true;
        if let Some(open) = self.eat(Mode::Normal, &TokenKind::LBrace) {
            ok = self.matchers(&open, &mut matchers);
        }
        let span = Span::new(start, self.prev_end);
        if let Some(m) = &metric {
            for existing in matchers.iter().filter(|m| m.name == "__name__") {
                self.err_hint(
                    ErrorKind::Syntax,
                    existing.span,
                    format!(
                        "the metric name is given twice: `{}` before the braces and `{}` inside",
                        m.name, existing.value
                    ),
                    "keep one of them",
                );
                ok = false;
            }
            matchers.push(Matcher {
                name: "__name__".to_string(),
                name_span: m.span,
                op: MatchOp::Equal,
                op_span: m.span,
                value: m.name.clone(),
                value_span: m.span,
                span: m.span,
                regex: None,
            });
        } else if ok && matchers.iter().all(|m| m.matches("")) {
            let hint = match matchers.first() {
                None => "add a metric name such as `up{}` or a matcher such as `{job=\"api\"}`"
                    .to_string(),
                Some(m) => {
                    let written = self.text(m.span);
                    format!(
                        "`{written}` also matches series that have no `{}` label; require a \
                         value with `{}=~\".+\"`, or add a metric name",
                        m.name, m.name
                    )
                }
            };
            self.pending_empty.push(PendingEmptySelector {
                selector_span: span,
                hint,
            });
        }
        if !ok {
            return None;
        }
        let expr = Expr {
            kind: ExprKind::VectorSelector(Box::new(VectorSelector {
                metric,
                matchers,
                offset: None,
                at: None,
                extended: None,
                span,
            })),
            span,
        };
        self.node(expr, ValueType::Vector, 1)
    }

    /// The matchers between `{` (consumed) and `}`. Returns whether all parsed cleanly.
    #[inline(never)]
    pub(super) fn matchers(&mut self, open: &Token, out: &mut Vec<Matcher>) -> bool {
        let mut ok = true;
        loop {
            let token = self.peek(Mode::Braces);
            match token.kind {
                TokenKind::RBrace => {
                    self.bump(Mode::Braces);
                    return ok;
                }
                TokenKind::Ident | TokenKind::String => {
                    match self.matcher() {
                        Some(m) => out.push(m),
                        None => {
                            ok = false;
                            self.skip_to(Mode::Braces, &[TokenKind::Comma, TokenKind::RBrace]);
                        }
                    }
                    let next = self.peek(Mode::Braces);
                    match next.kind {
                        TokenKind::Comma => {
                            self.bump(Mode::Braces);
                        }
                        TokenKind::RBrace => {}
                        TokenKind::Ident | TokenKind::String => {
                            ok = false;
                            self.err_hint(
                                ErrorKind::Syntax,
                                Span::empty(next.span.start),
                                "expected `,` between label matchers",
                                "separate matchers with commas: {job=\"api\", code=\"500\"}",
                            );
                        }
                        _ => {
                            ok = false;
                            if !self.end_of_braces(open, &next) {
                                return false;
                            }
                        }
                    }
                }
                TokenKind::Comma => {
                    ok = false;
                    self.err_hint(
                        ErrorKind::Syntax,
                        token.span,
                        "expected a label matcher before this `,`",
                        "a matcher looks like job=\"api\"; remove the extra comma",
                    );
                    self.bump(Mode::Braces);
                }
                _ => {
                    ok = false;
                    if !self.end_of_braces(open, &token) {
                        return false;
                    }
                }
            }
        }
    }

    /// Handles a token that cannot continue a matcher list. Returns whether to keep going
    /// (after skipping the token), or false if the braces are unclosed.
    pub(super) fn end_of_braces(&mut self, open: &Token, token: &Token) -> bool {
        let ends_selector = matches!(
            token.kind,
            TokenKind::Eof
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::LParen
                | TokenKind::LBracket
                | TokenKind::At
        ) || (self.binary_op(token).is_some()
            && token.kind != TokenKind::BangEq);
        match token.kind {
            _ if ends_selector => {
                // Most likely the `}` is missing and the query goes on after the selector.
                self.unclosed(open, "}");
                false
            }
            TokenKind::Number => {
                self.bump(Mode::Braces);
                self.err_hint(
                    ErrorKind::Syntax,
                    token.span,
                    "expected a label name",
                    "label names start with a letter or `_`; quote other names, as in {\"1a\"=\"x\"}",
                );
                self.skip_in_braces(open)
            }
            _ => {
                self.bump(Mode::Braces);
                let message = format!(
                    "expected a label matcher, `,` or `}}`, but found {}",
                    self.describe(token)
                );
                self.unexpected(token, message, None);
                // The rest of this matcher is noise; go on with the next one.
                self.skip_in_braces(open)
            }
        }
    }

    /// Skips to the next `,` or `}` of a matcher list; false (after reporting the brace as
    /// unclosed) if there is none.
    pub(super) fn skip_in_braces(&mut self, open: &Token) -> bool {
        let found = self.skip_to(Mode::Braces, &[TokenKind::Comma, TokenKind::RBrace]);
        if !found {
            self.unclosed(open, "}");
        }
        found
    }

    /// One `name op "value"` matcher, or a quoted metric name alone.
    #[inline(never)]
    pub(super) fn matcher(&mut self) -> Option<Matcher> {
        let name_token = self.bump(Mode::Braces);
        let quoted = name_token.kind == TokenKind::String;
        let name = if quoted {
            self.name_from_string(&name_token, "label names")?
        } else {
            self.text(name_token.span).to_string()
        };
        let op_token = self.peek(Mode::Braces);
        let op = match op_token.kind {
            TokenKind::Assign => MatchOp::Equal,
            TokenKind::BangEq => MatchOp::NotEqual,
            TokenKind::RegexMatch => MatchOp::Regex,
            TokenKind::RegexNoMatch => MatchOp::NotRegex,
            TokenKind::Comma | TokenKind::RBrace if quoted => {
                // `{"my.metric"}`: a quoted metric name on its own.
                return Some(Matcher {
                    name: "__name__".to_string(),
                    name_span: name_token.span,
                    op: MatchOp::Equal,
                    op_span: name_token.span,
                    value: name,
                    value_span: name_token.span,
                    span: name_token.span,
                    regex: None,
                });
            }
            TokenKind::EqEq => {
                self.bump(Mode::Braces);
                self.err_hint(
                    ErrorKind::Syntax,
                    op_token.span,
                    "`==` is not a label matcher operator",
                    format!("use a single `=` to match a label value: {name}=\"...\""),
                );
                return None;
            }
            _ => {
                let message = format!(
                    "expected `=`, `!=`, `=~` or `!~` after the label name `{name}`, but found {}",
                    self.describe(&op_token)
                );
                self.unexpected(
                    &op_token,
                    message,
                    Some(format!("a matcher looks like {name}=\"value\"")),
                );
                return None;
            }
        };
        self.bump(Mode::Braces);
        let value_token = self.peek(Mode::Braces);
        match value_token.kind {
            TokenKind::String => {}
            TokenKind::Ident | TokenKind::Number => {
                self.bump(Mode::Braces);
                let text = self.text(value_token.span);
                self.err_hint(
                    ErrorKind::Syntax,
                    value_token.span,
                    "label values must be quoted",
                    format!("write {name}{}\"{text}\"", op.symbol()),
                );
                return None;
            }
            TokenKind::Comma | TokenKind::RBrace | TokenKind::Eof => {
                self.err_hint(
                    ErrorKind::Syntax,
                    Span::new(name_token.span.start, op_token.span.end),
                    format!("the matcher `{}` has no value", self.text(Span::new(name_token.span.start, op_token.span.end))),
                    format!(
                        "give a quoted value, as in {name}{}\"...\"; to match series without the label, use {name}=\"\"",
                        op.symbol()
                    ),
                );
                return None;
            }
            _ => {
                let message = format!(
                    "expected a quoted value after `{}`, but found {}",
                    op.symbol(),
                    self.describe(&value_token)
                );
                self.unexpected(&value_token, message, None);
                return None;
            }
        }
        self.bump(Mode::Braces);
        let value = self.name_from_string(&value_token, "label values")?;
        let regex = if op.is_regex() {
            match LabelRegex::new(&value) {
                Ok(r) => Some(r),
                Err(e) => {
                    self.err_hint(
                        ErrorKind::Regex,
                        value_token.span,
                        format!("invalid regular expression: {}", e.message),
                        "matcher regexes use RE2 syntax and must match the whole value; escape \
                         special characters such as . ( [ with a backslash",
                    );
                    return None;
                }
            }
        } else {
            None
        };
        Some(Matcher {
            name,
            name_span: name_token.span,
            op,
            op_span: op_token.span,
            value,
            value_span: value_token.span,
            span: Span::new(name_token.span.start, value_token.span.end),
            regex,
        })
    }

    /// Unquotes a string token, reporting (as the lexer would have) if that fails.
    pub(super) fn unquote(&mut self, token: &Token) -> Option<Vec<u8>> {
        match literals::unquote(self.text(token.span)) {
            Ok(b) => Some(b),
            Err(_) => {
                self.err(ErrorKind::Literal, token.span, "this string is not valid");
                None
            }
        }
    }

    /// Unquotes a string that must be valid UTF-8 (a name or label value).
    pub(super) fn name_from_string(&mut self, token: &Token, what: &str) -> Option<String> {
        let bytes = self.unquote(token)?;
        match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(_) => {
                self.err_hint(
                    ErrorKind::Literal,
                    token.span,
                    format!("{what} must be valid UTF-8"),
                    "a \\x or octal escape produces a single byte; use \\u for a character",
                );
                None
            }
        }
    }

    // ----- Ranges, subqueries and modifiers -----

    #[inline(never)]
    pub(super) fn range_or_subquery(&mut self, node: Option<Node>) -> Option<Node> {
        let open = self.bump(Mode::Normal);
        let first = self.peek(Mode::Brackets);
        if matches!(first.kind, TokenKind::RBracket | TokenKind::Colon) {
            self.err_hint(
                ErrorKind::Syntax,
                first.span,
                "expected a duration inside `[ ]`",
                "a range looks like [5m]; a subquery like [1h:1m] or [1h:]",
            );
            self.skip_to(Mode::Brackets, &[TokenKind::RBracket]);
            self.eat(Mode::Brackets, &TokenKind::RBracket);
            return None;
        }
        let range = self
            .duration_expr(Mode::Brackets, 0)
            .and_then(|r| self.positive(r, "a range"));
        let token = self.peek(Mode::Brackets);
        let (step, is_subquery) = match token.kind {
            TokenKind::RBracket => (None, false),
            TokenKind::Colon => {
                self.bump(Mode::Brackets);
                if self.at(Mode::Brackets, &TokenKind::RBracket) {
                    (None, true)
                } else {
                    let step = self
                        .duration_expr(Mode::Brackets, 0)
                        .and_then(|s| self.positive(s, "a subquery step"));
                    (Some(step), true)
                }
            }
            _ => (None, false),
        };
        let close = self.peek(Mode::Brackets);
        if close.kind != TokenKind::RBracket {
            match close.kind {
                TokenKind::Eof | TokenKind::RParen | TokenKind::Comma => self.unclosed(&open, "]"),
                TokenKind::Colon => self.err_hint(
                    ErrorKind::Syntax,
                    close.span,
                    "a subquery has one `:`, between its range and its step",
                    "write [range:step], such as [1h:1m]",
                ),
                _ => {
                    let message = format!(
                        "expected `]`{} after the duration, but found {}",
                        if is_subquery { "" } else { " or `:`" },
                        self.describe(&close)
                    );
                    self.unexpected(
                        &close,
                        message,
                        Some("a range looks like [5m]; a subquery like [1h:1m]".to_string()),
                    );
                }
            }
            if self.skip_to(Mode::Brackets, &[TokenKind::RBracket]) {
                self.bump(Mode::Brackets);
            }
            return None;
        }
        self.bump(Mode::Brackets);
        let brackets = Span::new(open.span.start, self.prev_end);
        let node = node?;
        let range = range?;
        let step = match step {
            Some(s) => Some(s?),
            None => None,
        };
        let span = node.expr.span.to(brackets);
        if is_subquery {
            if node.ty != ValueType::Vector {
                let hint = match &node.expr.kind {
                    ExprKind::MatrixSelector(m) => format!(
                        "apply a range function first, as in `max_over_time({})`",
                        self.text(node.expr.span)
                            .trim_end_matches(self.text(m.range_span))
                            .to_string()
                            + self.text(m.range_span)
                    ),
                    _ => "a subquery evaluates an instant-vector expression at many steps"
                        .to_string(),
                };
                self.err_hint(
                    ErrorKind::Type,
                    span,
                    format!(
                        "a subquery needs an instant vector, but `{}` is {}",
                        self.text(node.expr.span),
                        node.ty.with_article()
                    ),
                    hint,
                );
                return None;
            }
            let height = node
                .height
                .max(range.height)
                .max(step.as_ref().map_or(0, |s| s.height))
                + 1;
            let expr = Expr {
                kind: ExprKind::Subquery(Box::new(Subquery {
                    expr: Box::new(node.expr),
                    range: range.expr,
                    step: step.map(|s| s.expr),
                    offset: None,
                    at: None,
                    range_span: brackets,
                })),
                span,
            };
            return self.node(expr, ValueType::Matrix, height);
        }
        let selector = match node.expr.kind {
            ExprKind::VectorSelector(vs) => *vs,
            _ => {
                let text = self.text(node.expr.span);
                let range_text = self.text(range.expr.span);
                self.err_hint(
                    ErrorKind::Type,
                    brackets,
                    format!("a range can only follow a metric selector, not `{text}`"),
                    format!(
                        "to evaluate an expression over a range, use a subquery: `{text}[{range_text}:]`"
                    ),
                );
                return None;
            }
        };
        if let Some(offset) = &selector.offset {
            let sel = self.text(selector.span);
            let off = self.text(offset.span);
            self.err_hint(
                ErrorKind::Modifier,
                brackets,
                "`offset` must come after the range, not before it",
                format!("write `{sel}{} {off}`", self.text(brackets)),
            );
            return None;
        }
        if let Some(at) = &selector.at {
            let sel = self.text(selector.span);
            let at_text = self.text(at.span);
            self.err_hint(
                ErrorKind::Modifier,
                brackets,
                "`@` must come after the range, not before it",
                format!("write `{sel}{} {at_text}`", self.text(brackets)),
            );
            return None;
        }
        let height = node.height.max(range.height) + 1;
        let expr = Expr {
            kind: ExprKind::MatrixSelector(Box::new(MatrixSelector {
                selector,
                range: range.expr,
                range_span: brackets,
            })),
            span,
        };
        self.node(expr, ValueType::Matrix, height)
    }

    /// Checks that a literal range or step is positive, as Prometheus does when parsing
    /// (computed ones are checked when the query runs).
    pub(super) fn positive(&mut self, d: DurNode, what: &str) -> Option<DurNode> {
        if let Some(l) = d.expr.literal()
            && l.seconds <= 0.0
        {
            self.err_hint(
                ErrorKind::Literal,
                d.expr.span,
                format!("{what} must be greater than zero"),
                "for example [5m]",
            );
            return None;
        }
        Some(d)
    }

    #[inline(never)]
    pub(super) fn offset(&mut self, node: Option<Node>) -> Option<Node> {
        let keyword = self.bump(Mode::Normal);
        let duration = self.offset_duration()?;
        let span = keyword.span.to(duration.expr.span);
        let mut node = node?;
        let offset = Offset {
            duration: duration.expr,
            span,
        };
        let slot = match &mut node.expr.kind {
            ExprKind::VectorSelector(vs) => &mut vs.offset,
            ExprKind::MatrixSelector(m) => &mut m.selector.offset,
            ExprKind::Subquery(s) => &mut s.offset,
            _ => {
                let hint = self.offset_hint(&node);
                self.err_hint(
                    ErrorKind::Modifier,
                    span,
                    format!(
                        "`offset` can only follow a selector or a subquery, not `{}`",
                        self.text(node.expr.span)
                    ),
                    hint,
                );
                return None;
            }
        };
        if slot.as_ref().is_some_and(is_set_offset) {
            self.err_hint(
                ErrorKind::Modifier,
                span,
                "`offset` is given twice",
                "keep one offset",
            );
            return None;
        }
        *slot = Some(offset);
        node.expr.span = node.expr.span.to(span);
        node.height = node.height.max(duration.height + 1);
        self.node(node.expr, node.ty, node.height)
    }

    #[inline(never)]
    pub(super) fn offset_hint(&self, node: &Node) -> String {
        if let ExprKind::Call(c) = &node.expr.kind
            && let Some(m) = c
                .args
                .iter()
                .find(|a| matches!(a.kind, ExprKind::MatrixSelector(_)))
        {
            return format!(
                "put the offset inside, right after the range: `{} offset ...`",
                self.text(m.span)
            );
        }
        "apply `offset` to the selectors inside the expression".to_string()
    }

    #[inline(never)]
    pub(super) fn at_modifier(&mut self, node: Option<Node>) -> Option<Node> {
        let at_token = self.bump(Mode::Normal);
        let token = self.peek(Mode::Normal);
        let time = match token.kind {
            TokenKind::Keyword(k @ (Keyword::Start | Keyword::End)) => {
                self.bump(Mode::Normal);
                let open = self.peek(Mode::Normal);
                if open.kind != TokenKind::LParen
                    || self.peek_after(&open, Mode::Normal).kind != TokenKind::RParen
                {
                    let word = self.text(token.span).to_ascii_lowercase();
                    self.err_hint(
                        ErrorKind::Syntax,
                        Span::empty(token.span.end),
                        format!("expected `()` after `{word}`"),
                        format!("write `@ {word}()`"),
                    );
                    return None;
                }
                self.bump(Mode::Normal);
                self.bump(Mode::Normal);
                if k == Keyword::Start {
                    AtTime::Start
                } else {
                    AtTime::End
                }
            }
            TokenKind::Plus | TokenKind::Minus | TokenKind::Number | TokenKind::Duration => {
                let sign = match token.kind {
                    TokenKind::Minus | TokenKind::Plus => Some(self.bump(Mode::Normal)),
                    _ => None,
                };
                let number = self.peek(Mode::Normal);
                let seconds = match number.kind {
                    TokenKind::Number => {
                        self.bump(Mode::Normal);
                        literals::parse_number(self.text(number.span)).ok()
                    }
                    TokenKind::Duration => {
                        self.bump(Mode::Normal);
                        self.duration_literal(&number)
                    }
                    _ => None,
                };
                let span = sign
                    .as_ref()
                    .map_or(number.span, |s| s.span.to(number.span));
                let Some(mut seconds) = seconds else {
                    self.err_hint(
                        ErrorKind::Syntax,
                        span,
                        "expected a Unix timestamp after `@`",
                        "for example `@ 1700000000`, `@ start()` or `@ end()`",
                    );
                    return None;
                };
                if sign.is_some_and(|s| s.kind == TokenKind::Minus) {
                    seconds = -seconds;
                }
                let ms = seconds * 1000.0;
                if !ms.is_finite() || ms.round() >= i64::MAX as f64 || ms.round() <= i64::MIN as f64
                {
                    self.err_hint(
                        ErrorKind::Literal,
                        span,
                        "this timestamp is out of range for `@`",
                        "use seconds since 1970, such as 1700000000",
                    );
                    return None;
                }
                AtTime::Timestamp(ms.round() as i64)
            }
            _ => {
                let message = format!(
                    "expected a timestamp, `start()` or `end()` after `@`, but found {}",
                    self.describe(&token)
                );
                self.unexpected(
                    &token,
                    message,
                    Some("for example `@ 1700000000` or `@ end()`".to_string()),
                );
                return None;
            }
        };
        let span = Span::new(at_token.span.start, self.prev_end);
        let mut node = node?;
        let at = At { time, span };
        let slot = match &mut node.expr.kind {
            ExprKind::VectorSelector(vs) => &mut vs.at,
            ExprKind::MatrixSelector(m) => &mut m.selector.at,
            ExprKind::Subquery(s) => &mut s.at,
            _ => {
                self.err_hint(
                    ErrorKind::Modifier,
                    span,
                    format!(
                        "`@` can only follow a selector or a subquery, not `{}`",
                        self.text(node.expr.span)
                    ),
                    "apply `@` to the selectors inside the expression",
                );
                return None;
            }
        };
        if slot.is_some() {
            self.err_hint(ErrorKind::Modifier, span, "`@` is given twice", "keep one");
            return None;
        }
        *slot = Some(at);
        node.expr.span = node.expr.span.to(span);
        self.node(node.expr, node.ty, node.height)
    }

    #[inline(never)]
    pub(super) fn extended(&mut self, node: Option<Node>) -> Option<Node> {
        let token = self.bump(Mode::Normal);
        let kind = match token.kind {
            TokenKind::Keyword(Keyword::Anchored) => ExtendedKind::Anchored,
            _ => ExtendedKind::Smoothed,
        };
        let mut node = node?;
        let slot = match &mut node.expr.kind {
            ExprKind::VectorSelector(vs) => &mut vs.extended,
            ExprKind::MatrixSelector(m) => &mut m.selector.extended,
            _ => {
                let what = if matches!(node.expr.kind, ExprKind::Subquery(_)) {
                    "a subquery"
                } else {
                    "this expression"
                };
                self.err(
                    ErrorKind::Modifier,
                    token.span,
                    format!(
                        "`{}` cannot be applied to {what}; it modifies a selector",
                        kind.keyword()
                    ),
                );
                return None;
            }
        };
        if slot.is_some_and(|e| e.kind != kind) {
            self.err(
                ErrorKind::Modifier,
                token.span,
                "`anchored` and `smoothed` cannot be used together",
            );
            return None;
        }
        *slot = Some(Extended {
            kind,
            span: token.span,
        });
        node.expr.span = node.expr.span.to(token.span);
        self.node(node.expr, node.ty, node.height)
    }
}

/// Whether an offset counts as set for "given twice": Prometheus cannot tell `offset 0`
/// from no offset, so neither can we.
fn is_set_offset(offset: &Offset) -> bool {
    offset.duration.literal().is_none_or(|l| l.seconds != 0.0)
}
