//! Duration expressions: ranges, subquery steps and offsets such as `[5m+1m]` and
//! `offset -(1h)`.

use super::*;

impl Parser<'_> {
    /// Parses a duration literal token to seconds.
    pub(super) fn duration_literal(&mut self, token: &Token) -> Option<f64> {
        let text = self.text(token.span);
        match duration::parse_go_duration(text) {
            Ok(nanos) => Some(duration::nanos_to_seconds(nanos)),
            Err(e) => {
                let (message, hint) = match e {
                    DurationSyntaxError::UnknownUnit(_) | DurationSyntaxError::Malformed => {
                        lexer::bad_number_message(text)
                    }
                    DurationSyntaxError::BadOrder => (
                        format!(
                            "`{text}` is not a valid duration: units must go from largest to smallest, each once"
                        ),
                        "for example 1h30m, not 30m1h".to_string(),
                    ),
                    DurationSyntaxError::OutOfRange => (
                        format!("the duration `{text}` is too long"),
                        "durations go up to about 292 years".to_string(),
                    ),
                };
                self.err_hint(ErrorKind::Literal, token.span, message, hint);
                None
            }
        }
    }

    pub(super) fn dur_node(&mut self, expr: DurationExpr, height: u32) -> Option<DurNode> {
        if height > MAX_DEPTH {
            self.too_deep(expr.span);
            return None;
        }
        Some(DurNode { expr, height })
    }

    /// A duration expression whose operators bind at least as tightly as `min_prec`.
    pub(super) fn duration_expr(&mut self, mode: Mode, min_prec: u8) -> Option<DurNode> {
        if !self.enter() {
            return None;
        }
        let lhs = self.duration_unary(mode);
        let result = self.duration_binary(mode, lhs, min_prec);
        self.leave();
        result
    }

    pub(super) fn duration_binary(
        &mut self,
        mode: Mode,
        mut lhs: Option<DurNode>,
        min_prec: u8,
    ) -> Option<DurNode> {
        loop {
            let token = self.peek(mode);
            let op = match token.kind {
                TokenKind::Plus => DurationOp::Add,
                TokenKind::Minus => DurationOp::Sub,
                TokenKind::Star => DurationOp::Mul,
                TokenKind::Slash => DurationOp::Div,
                TokenKind::Percent => DurationOp::Mod,
                TokenKind::Caret => DurationOp::Pow,
                _ => return lhs,
            };
            if op.precedence() < min_prec {
                return lhs;
            }
            self.bump(mode);
            let next_min = if op == DurationOp::Pow {
                op.precedence()
            } else {
                op.precedence() + 1
            };
            let rhs = self.duration_expr(mode, next_min);
            let (Some(l), Some(r)) = (lhs, rhs) else {
                lhs = None;
                continue;
            };
            if matches!(op, DurationOp::Div | DurationOp::Mod)
                && r.expr.literal().is_some_and(|lit| lit.seconds == 0.0)
            {
                let what = if op == DurationOp::Div {
                    "division"
                } else {
                    "modulo"
                };
                self.err(
                    ErrorKind::Literal,
                    token.span,
                    format!("{what} by zero in a duration"),
                );
                lhs = None;
                continue;
            }
            let height = l.height.max(r.height) + 1;
            let expr = DurationExpr {
                span: l.expr.span.to(r.expr.span),
                kind: DurationKind::Binary {
                    op,
                    op_span: token.span,
                    lhs: Box::new(l.expr),
                    rhs: Box::new(r.expr),
                },
            };
            lhs = self.dur_node(expr, height);
        }
    }

    pub(super) fn duration_unary(&mut self, mode: Mode) -> Option<DurNode> {
        let token = self.peek(mode);
        let negate = match token.kind {
            TokenKind::Minus => true,
            TokenKind::Plus => false,
            _ => return self.duration_primary(mode),
        };
        self.bump(mode);
        let operand = self.duration_expr(mode, UNARY_OPERAND_PRECEDENCE)?;
        self.signed(&token, negate, operand)
    }

    /// Applies a sign to a duration expression: folded into a literal, dropped if `+`.
    pub(super) fn signed(
        &mut self,
        sign: &Token,
        negate: bool,
        operand: DurNode,
    ) -> Option<DurNode> {
        let span = sign.span.to(operand.expr.span);
        if let DurationKind::Literal(l) = operand.expr.kind {
            let seconds = if negate { -l.seconds } else { l.seconds };
            return Some(DurNode {
                expr: DurationExpr {
                    kind: DurationKind::Literal(DurationLiteral { seconds, ..l }),
                    span,
                },
                height: operand.height,
            });
        }
        if !negate {
            return Some(DurNode {
                expr: DurationExpr {
                    span,
                    ..operand.expr
                },
                height: operand.height,
            });
        }
        let height = operand.height + 1;
        let expr = DurationExpr {
            kind: DurationKind::Negate {
                expr: Box::new(operand.expr),
            },
            span,
        };
        self.dur_node(expr, height)
    }

    pub(super) fn duration_primary(&mut self, mode: Mode) -> Option<DurNode> {
        let token = self.peek(mode);
        match token.kind {
            TokenKind::Number | TokenKind::Duration => self.duration_number(mode, token),
            TokenKind::LParen => self.duration_paren(mode),
            TokenKind::Keyword(k @ (Keyword::Step | Keyword::Range)) => {
                self.duration_step_or_range(mode, token, k)
            }
            TokenKind::Keyword(k @ (Keyword::MinOf | Keyword::MaxOf)) => {
                self.duration_min_or_max(mode, token, k)
            }
            _ => self.not_a_duration(mode, token),
        }
    }

    #[inline(never)]
    pub(super) fn duration_number(&mut self, mode: Mode, token: Token) -> Option<DurNode> {
        self.bump(mode);
        let (seconds, written_as_duration) = if token.kind == TokenKind::Number {
            match literals::parse_number(self.text(token.span)) {
                Ok(v) => (v, false),
                Err(_) => {
                    let message = format!("`{}` is not a valid number", self.text(token.span));
                    self.err(ErrorKind::Literal, token.span, message);
                    return None;
                }
            }
        } else {
            (self.duration_literal(&token)?, true)
        };
        if seconds.is_nan() || seconds.abs() > MAX_SECONDS {
            self.err_hint(
                ErrorKind::Literal,
                token.span,
                "this duration is out of range",
                "durations go up to about 292 years",
            );
            return None;
        }
        let expr = DurationExpr {
            kind: DurationKind::Literal(DurationLiteral {
                seconds,
                written_as_duration,
            }),
            span: token.span,
        };
        Some(DurNode { expr, height: 1 })
    }

    pub(super) fn duration_paren(&mut self, mode: Mode) -> Option<DurNode> {
        let open = self.bump(mode);
        let inner = self.duration_expr(mode, 0);
        if self.eat(mode, &TokenKind::RParen).is_none() {
            return self.duration_unclosed(mode, &open, "`)` or an operator in the duration");
        }
        let inner = inner?;
        let height = inner.height + 1;
        let expr = DurationExpr {
            kind: DurationKind::Paren {
                expr: Box::new(inner.expr),
            },
            span: Span::new(open.span.start, self.prev_end),
        };
        self.dur_node(expr, height)
    }

    /// Reports a missing `)` in a duration: unclosed at the end, unexpected otherwise.
    #[cold]
    #[inline(never)]
    pub(super) fn duration_unclosed(
        &mut self,
        mode: Mode,
        open: &Token,
        expected: &str,
    ) -> Option<DurNode> {
        let next = self.peek(mode);
        if matches!(next.kind, TokenKind::Eof | TokenKind::RBracket) {
            self.unclosed(open, ")");
        } else {
            let message = format!("expected {expected}, but found {}", self.describe(&next));
            self.unexpected(&next, message, None);
        }
        None
    }

    #[inline(never)]
    pub(super) fn duration_step_or_range(
        &mut self,
        mode: Mode,
        token: Token,
        k: Keyword,
    ) -> Option<DurNode> {
        self.bump(mode);
        if self.eat(mode, &TokenKind::LParen).is_none()
            || self.eat(mode, &TokenKind::RParen).is_none()
        {
            let word = self.text(token.span).to_ascii_lowercase();
            self.err_hint(
                ErrorKind::Syntax,
                Span::empty(self.prev_end),
                format!("expected `()` after `{word}`"),
                format!("write `{word}()`"),
            );
            return None;
        }
        let kind = if k == Keyword::Step {
            DurationKind::Step
        } else {
            DurationKind::Range
        };
        Some(DurNode {
            expr: DurationExpr {
                kind,
                span: Span::new(token.span.start, self.prev_end),
            },
            height: 1,
        })
    }

    pub(super) fn duration_min_or_max(
        &mut self,
        mode: Mode,
        token: Token,
        k: Keyword,
    ) -> Option<DurNode> {
        self.bump(mode);
        let Some(open) = self.eat(mode, &TokenKind::LParen) else {
            return self.min_max_usage(&token, "`(`");
        };
        let a = self.duration_expr(mode, 0);
        if self.eat(mode, &TokenKind::Comma).is_none() {
            let next = self.peek(mode);
            let _ = self.min_max_usage(&next, "`,` between the two durations");
            return None;
        }
        let b = self.duration_expr(mode, 0);
        if self.eat(mode, &TokenKind::RParen).is_none() {
            return self.duration_unclosed(mode, &open, "`)` after the second duration");
        }
        let (a, b) = (a?, b?);
        let height = a.height.max(b.height) + 1;
        let (lhs, rhs) = (Box::new(a.expr), Box::new(b.expr));
        let kind = if k == Keyword::MinOf {
            DurationKind::MinOf { lhs, rhs }
        } else {
            DurationKind::MaxOf { lhs, rhs }
        };
        let expr = DurationExpr {
            kind,
            span: Span::new(token.span.start, self.prev_end),
        };
        self.dur_node(expr, height)
    }

    #[cold]
    #[inline(never)]
    pub(super) fn min_max_usage(&mut self, at: &Token, expected: &str) -> Option<DurNode> {
        let message = format!("expected {expected}, but found {}", self.describe(at));
        self.unexpected(
            at,
            message,
            Some("min_of and max_of take two durations: `min_of(step(), 5m)`".to_string()),
        );
        None
    }

    #[cold]
    #[inline(never)]
    pub(super) fn not_a_duration(&mut self, mode: Mode, token: Token) -> Option<DurNode> {
        let message = format!("expected a duration, but found {}", self.describe(&token));
        let hint = match token.kind {
            TokenKind::String => "durations are not quoted: write [5m], not [\"5m\"]",
            TokenKind::Ident | TokenKind::Keyword(_) => {
                "a duration is a number with a unit (5m, 1h30m) or step(), range(), min_of(), max_of()"
            }
            _ => "for example 5m, 1h30m, or 90 (seconds)",
        };
        if !matches!(
            token.kind,
            TokenKind::RBracket
                | TokenKind::RParen
                | TokenKind::Eof
                | TokenKind::Comma
                | TokenKind::Colon
        ) {
            self.bump(mode);
        }
        self.unexpected(&token, message, Some(hint.to_string()));
        None
    }

    /// The duration after `offset`. Prometheus' grammar takes a single literal, `step()`,
    /// `range()`, `min_of`/`max_of` or a parenthesised expression here, optionally signed,
    /// so `x offset 5m * 2` is `(x offset 5m) * 2`. A parenthesised expression without a sign
    /// is the exception: the grammar keeps reading, so `x offset (1m) * 2` multiplies the
    /// offset.
    #[inline(never)]
    pub(super) fn offset_duration(&mut self) -> Option<DurNode> {
        if !self.enter() {
            return None;
        }
        let result = self.offset_duration_inner();
        self.leave();
        result
    }

    pub(super) fn offset_duration_inner(&mut self) -> Option<DurNode> {
        let mode = Mode::Normal;
        let token = self.peek(mode);
        let sign = match token.kind {
            TokenKind::Minus | TokenKind::Plus => Some(self.bump(mode)),
            _ => None,
        };
        let next = self.peek(mode);
        let starts_duration = matches!(
            next.kind,
            TokenKind::Number
                | TokenKind::Duration
                | TokenKind::LParen
                | TokenKind::Keyword(
                    Keyword::Step | Keyword::Range | Keyword::MinOf | Keyword::MaxOf
                )
        );
        if !starts_duration {
            let message = format!(
                "expected a duration after `offset`, but found {}",
                self.describe(&next)
            );
            self.unexpected(
                &next,
                message,
                Some("for example `offset 5m`, `offset -1h` or `offset (1h + 30m)`".to_string()),
            );
            return None;
        }
        let primary = self.duration_primary(mode);
        match sign {
            Some(sign) => {
                let negate = sign.kind == TokenKind::Minus;
                self.signed(&sign, negate, primary?)
            }
            None if next.kind == TokenKind::LParen => self.duration_binary(mode, primary, 0),
            None => primary,
        }
    }
}
