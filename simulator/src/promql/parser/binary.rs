//! Binary operations and their modifiers: `bool`, `on`/`ignoring`, `group_left`/
//! `group_right` and the fill modifiers.

use super::*;

/// The modifiers between a binary operator and its right operand.
#[derive(Default)]
pub(super) struct BinModifiers {
    bool_modifier: Option<Span>,
    matching: Option<Matching>,
    group: Option<Group>,
    fill: Option<Fill>,
    /// Whether a modifier failed to parse, in which case the operation is not built.
    broken: bool,
}

impl Parser<'_> {
    #[inline(never)]
    pub(super) fn bin_modifiers(&mut self, op: &'static BinaryOp) -> BinModifiers {
        let mut m = BinModifiers::default();
        if let Some(b) = self.eat(Mode::Normal, &TokenKind::Keyword(Keyword::Bool)) {
            m.bool_modifier = Some(b.span);
        }
        let token = self.peek(Mode::Normal);
        if let TokenKind::Keyword(k @ (Keyword::On | Keyword::Ignoring)) = token.kind {
            self.bump(Mode::Normal);
            match self.label_list_after(&token) {
                Some(labels) => {
                    m.matching = Some(Matching {
                        kind: if k == Keyword::On {
                            MatchingKind::On
                        } else {
                            MatchingKind::Ignoring
                        },
                        labels,
                        span: Span::new(token.span.start, self.prev_end),
                    })
                }
                None => m.broken = true,
            }
        }
        let token = self.peek(Mode::Normal);
        if let TokenKind::Keyword(k @ (Keyword::GroupLeft | Keyword::GroupRight)) = token.kind {
            self.bump(Mode::Normal);
            let word = if k == Keyword::GroupLeft {
                "group_left"
            } else {
                "group_right"
            };
            if m.matching.is_none() && !m.broken {
                self.err_hint(
                    ErrorKind::Modifier,
                    token.span,
                    format!("`{word}` needs `on (...)` or `ignoring (...)` before it"),
                    format!("for example `a {} on(instance) {word} b`", op.symbol),
                );
                m.broken = true;
            }
            // As in Prometheus, a `(` right after group_left always starts its label list.
            let include = if self.at(Mode::Normal, &TokenKind::LParen) {
                match self.label_list() {
                    Some(l) => l,
                    None => {
                        m.broken = true;
                        Vec::new()
                    }
                }
            } else {
                Vec::new()
            };
            m.group = Some(Group {
                side: if k == Keyword::GroupLeft {
                    GroupSide::Left
                } else {
                    GroupSide::Right
                },
                include,
                span: Span::new(token.span.start, self.prev_end),
            });
        }
        self.fill_modifiers(&mut m);
        // Catch modifiers in the wrong order, which the grammar does not allow.
        let token = self.peek(Mode::Normal);
        if let TokenKind::Keyword(
            k @ (Keyword::Bool
            | Keyword::On
            | Keyword::Ignoring
            | Keyword::GroupLeft
            | Keyword::GroupRight),
        ) = token.kind
        {
            let word = self.text(token.span).to_ascii_lowercase();
            let hint = match k {
                Keyword::Bool => format!("`bool` comes right after the operator: `a {} bool on(...) b`", op.symbol),
                Keyword::On | Keyword::Ignoring => "a binary operation takes one `on` or `ignoring` clause, before any group_left or group_right".to_string(),
                _ => "group_left or group_right comes once, after on (...) or ignoring (...)".to_string(),
            };
            self.bump(Mode::Normal);
            self.err_hint(
                ErrorKind::Modifier,
                token.span,
                format!("`{word}` is out of place here"),
                format!("modifiers go in the order bool, on/ignoring, group_left/group_right, fill; {hint}"),
            );
            if self.at(Mode::Normal, &TokenKind::LParen) {
                let _ = self.label_list();
            }
            m.broken = true;
        }
        m
    }

    #[inline(never)]
    pub(super) fn fill_modifiers(&mut self, m: &mut BinModifiers) {
        let mut lhs: Option<FillValue> = None;
        let mut rhs: Option<FillValue> = None;
        let mut start: Option<u32> = None;
        let mut seen = Vec::new();
        loop {
            let token = self.peek(Mode::Normal);
            let kind = match token.kind {
                TokenKind::Keyword(
                    k @ (Keyword::Fill | Keyword::FillLeft | Keyword::FillRight),
                ) => k,
                _ => break,
            };
            self.bump(Mode::Normal);
            start.get_or_insert(token.span.start);
            let word = self.text(token.span).to_ascii_lowercase();
            let value = self.fill_value(&word);
            // Allowed: fill(v), fill_left(v), fill_right(v), and fill_left with fill_right
            // in either order.
            let allowed = match kind {
                Keyword::Fill => seen.is_empty(),
                Keyword::FillLeft => {
                    !seen.contains(&Keyword::Fill) && !seen.contains(&Keyword::FillLeft)
                }
                _ => !seen.contains(&Keyword::Fill) && !seen.contains(&Keyword::FillRight),
            };
            seen.push(kind);
            if !allowed {
                self.err_hint(
                    ErrorKind::Modifier,
                    token.span,
                    format!("`{word}` cannot be combined with the fill modifier before it"),
                    "use fill(v), fill_left(v), fill_right(v), or fill_left(v) fill_right(w)",
                );
                m.broken = true;
                continue;
            }
            let Some(value) = value else {
                m.broken = true;
                continue;
            };
            match kind {
                Keyword::Fill => {
                    lhs = Some(value);
                    rhs = Some(value);
                }
                Keyword::FillLeft => lhs = Some(value),
                _ => rhs = Some(value),
            }
        }
        if let Some(start) = start
            && (lhs.is_some() || rhs.is_some())
        {
            m.fill = Some(Fill {
                lhs,
                rhs,
                span: Span::new(start, self.prev_end),
            });
        }
    }

    /// `( number )` after a fill keyword, the number optionally signed.
    #[inline(never)]
    pub(super) fn fill_value(&mut self, word: &str) -> Option<FillValue> {
        let open = self.bump(Mode::Normal);
        let sign = match self.peek(Mode::Normal).kind {
            TokenKind::Minus | TokenKind::Plus => Some(self.bump(Mode::Normal)),
            _ => None,
        };
        let number = self.peek(Mode::Normal);
        let value = match number.kind {
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
        let Some(mut value) = value else {
            let message = format!(
                "`{word}` takes a number, but found {}",
                self.describe(&number)
            );
            self.unexpected(&number, message, Some(format!("for example `{word}(0)`")));
            self.skip_to(Mode::Normal, &[TokenKind::RParen]);
            self.eat(Mode::Normal, &TokenKind::RParen);
            return None;
        };
        if sign.as_ref().is_some_and(|s| s.kind == TokenKind::Minus) {
            value = -value;
        }
        let span = sign.map_or(number.span, |s| s.span.to(number.span));
        if self.eat(Mode::Normal, &TokenKind::RParen).is_none() {
            let next = self.peek(Mode::Normal);
            if next.kind == TokenKind::Eof {
                self.unclosed(&open, ")");
            } else {
                let message = format!(
                    "`{word}` takes a single number, but found {}",
                    self.describe(&next)
                );
                self.unexpected(&next, message, Some(format!("for example `{word}(0)`")));
            }
            return None;
        }
        Some(FillValue { value, span })
    }

    #[inline(never)]
    pub(super) fn binary(
        &mut self,
        lhs: Option<Node>,
        op: &'static BinaryOp,
        op_span: Span,
        m: BinModifiers,
        rhs: Option<Node>,
    ) -> Option<Node> {
        let (lhs, rhs) = (lhs?, rhs?);
        if m.broken {
            return None;
        }
        let span = lhs.expr.span.to(rhs.expr.span);
        let mut ok = true;
        let (lt, rt) = (lhs.ty, rhs.ty);

        if let Some(b) = m.bool_modifier
            && !op.allows_bool()
        {
            self.err_hint(
                ErrorKind::Modifier,
                b,
                format!(
                    "`bool` can only follow a comparison operator, not `{}`",
                    op.symbol
                ),
                "comparison operators are == != > < >= <=; remove `bool` here",
            );
            ok = false;
        }
        if op.is_comparison()
            && m.bool_modifier.is_none()
            && lt == ValueType::Scalar
            && rt == ValueType::Scalar
        {
            self.err_hint(
                ErrorKind::Modifier,
                op_span,
                "comparing two scalars needs the `bool` modifier",
                format!(
                    "write `{} {} bool {}` to get 1 (true) or 0 (false)",
                    self.text(lhs.expr.span),
                    op.symbol,
                    self.text(rhs.expr.span)
                ),
            );
            ok = false;
        }
        if let (Some(matching), Some(group)) = (&m.matching, &m.group)
            && matching.kind == MatchingKind::On
        {
            for label in &group.include {
                if matching.labels.iter().any(|l| l.name == label.name) {
                    self.err_hint(
                            ErrorKind::Modifier,
                            label.span,
                            format!("label `{}` is listed in both `on (...)` and the group modifier", label.name),
                            "labels in on (...) are already kept; list only extra labels in group_left/group_right",
                        );
                    ok = false;
                }
            }
        }
        for (side, node) in [("left", &lhs), ("right", &rhs)] {
            if !matches!(node.ty, ValueType::Scalar | ValueType::Vector) {
                let hint = self.to_instant_hint(node);
                self.error(
                    ParseError::new(
                        ErrorKind::Type,
                        node.expr.span,
                        format!(
                            "the {side} side of `{}` is {}, but binary operators work on scalars and instant vectors",
                            op.symbol,
                            node.ty.with_article()
                        ),
                    )
                    .with_hint_opt(hint),
                );
                ok = false;
            }
        }
        let both_vectors = lt == ValueType::Vector && rt == ValueType::Vector;
        let mut matching = m.matching;
        let mut group = m.group;
        let mut fill = m.fill;
        if both_vectors && op.is_set() {
            if let Some(g) = &group {
                self.err_hint(
                    ErrorKind::Modifier,
                    g.span,
                    format!("`{}` matches series many-to-many; group_left and group_right are not allowed", op.symbol),
                    "remove the group modifier",
                );
                ok = false;
            }
            if let Some(f) = &fill {
                self.err_hint(
                    ErrorKind::Modifier,
                    f.span,
                    format!("fill modifiers are not allowed with `{}`", op.symbol),
                    "set operators keep or drop series by presence; there is nothing to fill",
                );
                ok = false;
            }
        } else if !both_vectors
            && matches!(lt, ValueType::Scalar | ValueType::Vector)
            && matches!(rt, ValueType::Scalar | ValueType::Vector)
        {
            if op.is_set() {
                self.err_hint(
                    ErrorKind::Type,
                    op_span,
                    format!(
                        "`{}` works between two instant vectors, not with a scalar",
                        op.symbol
                    ),
                    "to filter by value, use a comparison such as `x > 0`",
                );
                ok = false;
            }
            if let Some(mt) = &matching
                && !mt.labels.is_empty()
            {
                self.err_hint(
                    ErrorKind::Modifier,
                    mt.span,
                    "vector matching (`on`/`ignoring`) only applies between two instant vectors",
                    "one side is a scalar, which applies to every series; remove the clause",
                );
                ok = false;
            }
            if let Some(f) = &fill {
                self.err_hint(
                    ErrorKind::Modifier,
                    f.span,
                    "fill modifiers only apply between two instant vectors",
                    "one side is a scalar, so no series can be missing; remove the modifier",
                );
                ok = false;
            }
            // Prometheus drops vector matching when a side is a scalar.
            matching = None;
            group = None;
            fill = None;
        }
        if !ok {
            return None;
        }
        let ty = if lt == ValueType::Scalar && rt == ValueType::Scalar {
            ValueType::Scalar
        } else {
            ValueType::Vector
        };
        let height = lhs.height.max(rhs.height) + 1;
        let expr = Expr {
            kind: ExprKind::Binary(Box::new(Binary {
                op,
                op_span,
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
                bool_modifier: m.bool_modifier,
                matching,
                group,
                fill,
            })),
            span,
        };
        self.node(expr, ty, height)
    }
}
