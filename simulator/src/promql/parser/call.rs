//! Function calls, aggregations, their argument lists and `by`/`without` label lists.

use super::*;

impl Parser<'_> {
    pub(super) fn call(&mut self) -> Option<Node> {
        let name = self.bump(Mode::Normal);
        let open = self.bump(Mode::Normal);
        let function = functions::lookup(self.text(name.span));
        if function.is_none() {
            self.unknown_function(&name);
        }
        let args = self.args(&open, None);
        self.finish_call(function?, name, args?)
    }

    #[inline(never)]
    pub(super) fn finish_call(
        &mut self,
        function: &'static Function,
        name: Token,
        args: Vec<Node>,
    ) -> Option<Node> {
        let span = Span::new(name.span.start, self.prev_end);
        self.check_call(function, &args, span)?;
        let height = args.iter().map(|a| a.height).max().unwrap_or(0) + 1;
        let expr = Expr {
            kind: ExprKind::Call(Call {
                function,
                args: args.into_iter().map(|a| a.expr).collect(),
                name_span: name.span,
            }),
            span,
        };
        self.node(expr, function.returns, height)
    }

    #[inline(never)]
    pub(super) fn unknown_function(&mut self, name: &Token) {
        let text = self.text(name.span);
        // The functions learners use most come first, so they win ties ("rat" is as close
        // to "rad" as to "rate", but far more likely meant rate).
        const COMMON: &[&str] = &[
            "rate",
            "increase",
            "sum",
            "avg",
            "count",
            "max",
            "min",
            "histogram_quantile",
            "irate",
            "topk",
            "delta",
            "deriv",
            "abs",
            "absent",
            "time",
            "vector",
            "scalar",
        ];
        let candidates = COMMON
            .iter()
            .copied()
            .chain(functions::all().map(|f| f.name))
            .chain(operators::AGGREGATION_OPS.iter().map(|a| a.name));
        let hint = if let Some(best) = suggest::closest(text, candidates) {
            if best.eq_ignore_ascii_case(text) {
                format!("function names are case-sensitive: did you mean {best}?")
            } else {
                format!("did you mean {best}?")
            }
        } else if [
            "_total", "_bucket", "_count", "_sum", "_seconds", "_bytes", "_info",
        ]
        .iter()
        .any(|s| text.ends_with(s))
        {
            format!(
                "`{text}` looks like a metric name; a metric is selected without parentheses, \
                 or inside a function such as rate({text}[5m])"
            )
        } else {
            "see the function reference for the functions PromQL has".to_string()
        };
        self.err_hint(
            ErrorKind::UnknownFunction,
            name.span,
            format!("unknown function `{text}`"),
            hint,
        );
    }

    /// The arguments between `open` (consumed) and `)`. `None` if any argument failed or
    /// the list is malformed; errors are reported. For an aggregation, `aggregation` names
    /// it so a `by` inside the parentheses gets a precise hint.
    pub(super) fn args(&mut self, open: &Token, aggregation: Option<&str>) -> Option<Vec<Node>> {
        let mut args = Vec::new();
        let mut ok = true;
        if self.eat(Mode::Normal, &TokenKind::RParen).is_some() {
            return Some(args);
        }
        loop {
            if self.at_closer(Mode::Normal) {
                ok = false;
                if !self.missing_argument(open) {
                    return None;
                }
            } else {
                match self.expr(0) {
                    Some(arg) => args.push(arg),
                    None => ok = false,
                }
            }
            // The separator after the argument; after an error, the one recovery reached.
            loop {
                let token = self.peek(Mode::Normal);
                match token.kind {
                    TokenKind::Comma => {
                        self.bump(Mode::Normal);
                        if self.at(Mode::Normal, &TokenKind::RParen) {
                            return self.trailing_comma(&token);
                        }
                        break;
                    }
                    TokenKind::RParen => {
                        self.bump(Mode::Normal);
                        return ok.then_some(args);
                    }
                    _ => {
                        ok = false;
                        if !self.bad_argument_end(open, &token, &args, aggregation) {
                            return None;
                        }
                    }
                }
            }
        }
    }

    /// Reports a missing argument; false if the query ended.
    #[cold]
    #[inline(never)]
    pub(super) fn missing_argument(&mut self, open: &Token) -> bool {
        let token = self.peek(Mode::Normal);
        if token.kind == TokenKind::Eof {
            self.unclosed(open, ")");
            return false;
        }
        let message = format!("expected an argument, but found {}", self.describe(&token));
        let hint = (token.kind == TokenKind::Comma)
            .then(|| "remove the extra comma or add the missing argument".to_string());
        self.unexpected(&token, message, hint);
        true
    }

    #[cold]
    #[inline(never)]
    pub(super) fn trailing_comma(&mut self, comma: &Token) -> Option<Vec<Node>> {
        self.bump(Mode::Normal);
        self.err_hint(
            ErrorKind::Syntax,
            comma.span,
            "trailing commas are not allowed in argument lists",
            "remove the comma before `)`",
        );
        None
    }

    /// Reports what follows an argument instead of `,` or `)`, and skips to the next `,` or
    /// `)`. Returns false when there is none to skip to.
    #[cold]
    #[inline(never)]
    pub(super) fn bad_argument_end(
        &mut self,
        open: &Token,
        token: &Token,
        args: &[Node],
        aggregation: Option<&str>,
    ) -> bool {
        match token.kind {
            TokenKind::Eof => {
                self.unclosed(open, ")");
                return false;
            }
            TokenKind::Keyword(k @ (Keyword::By | Keyword::Without)) => {
                let word = if k == Keyword::By { "by" } else { "without" };
                let inner = args.last().map(|a| self.text(a.expr.span).to_string());
                let labels_start = self.peek_after(token, Mode::Normal).span.start;
                // Read the clause so its labels can go into the suggestion.
                self.bump(Mode::Normal);
                let labels_text = if self.at(Mode::Normal, &TokenKind::LParen) {
                    let before = self.errors.len();
                    let _ = self.label_list();
                    self.errors.truncate(before);
                    self.text(Span::new(labels_start, self.prev_end))
                        .to_string()
                } else {
                    "(...)".to_string()
                };
                let hint = match (aggregation, inner) {
                    (Some(agg), Some(inner)) => format!(
                        "put the clause outside the parentheses: `{agg} {word} {labels_text} ({inner})`"
                    ),
                    (None, Some(inner)) => format!(
                        "`{word}` only groups aggregations; to aggregate the argument, write `sum {word} {labels_text} ({inner})`"
                    ),
                    _ => format!("`{word}` goes right after an aggregation operator"),
                };
                self.err_hint(
                    ErrorKind::Modifier,
                    Span::new(token.span.start, self.prev_end),
                    format!("`{word}` cannot go inside the argument list"),
                    hint,
                );
            }
            _ => self.unexpected_after(token, args.last(), Some(",")),
        }
        if self.skip_to(Mode::Normal, &[TokenKind::Comma, TokenKind::RParen]) {
            return true;
        }
        if self.peek(Mode::Normal).kind == TokenKind::Eof {
            self.unclosed(open, ")");
        }
        false
    }

    pub(super) fn aggregate(&mut self) -> Option<Node> {
        let op_token = self.bump(Mode::Normal);
        let name = self.text(op_token.span).to_ascii_lowercase();
        let op = operators::aggregation_op(&name)?;
        let mut grouping = None;
        let mut ok = true;
        if self.at_grouping() {
            match self.grouping(GroupingPosition::BeforeArgs) {
                Some(g) => grouping = Some(g),
                None => ok = false,
            }
        }
        let Some(open) = self.eat(Mode::Normal, &TokenKind::LParen) else {
            return self.aggregation_without_parens(op, grouping.as_ref());
        };
        let args = self.args(&open, Some(op.name));
        self.finish_aggregate(op, op_token, grouping, ok, args)
    }

    #[cold]
    #[inline(never)]
    pub(super) fn aggregation_without_parens(
        &mut self,
        op: &'static operators::AggregationOp,
        grouping: Option<&Grouping>,
    ) -> Option<Node> {
        let next = self.peek(Mode::Normal);
        let clause = grouping
            .map(|g| format!(" {}", self.text(g.span)))
            .unwrap_or_default();
        let message = format!(
            "expected `(` after `{}{clause}`, but found {}",
            op.name,
            self.describe(&next)
        );
        let hint = format!(
            "wrap what you aggregate in parentheses: `{}{clause} (...)`",
            op.name
        );
        self.unexpected(&next, message, Some(hint));
        // Read the expression anyway so errors inside it are reported too.
        if self.starts_operand(Mode::Normal) {
            let _ = self.expr(0);
        }
        None
    }

    /// A grouping clause after the arguments, the checks, and the node.
    #[inline(never)]
    pub(super) fn finish_aggregate(
        &mut self,
        op: &'static operators::AggregationOp,
        op_token: Token,
        mut grouping: Option<Grouping>,
        mut ok: bool,
        args: Option<Vec<Node>>,
    ) -> Option<Node> {
        if self.at_grouping() {
            let second = self.grouping(GroupingPosition::AfterArgs);
            if let (Some(first), Some(second)) = (&grouping, &second) {
                self.err_hint(
                    ErrorKind::Modifier,
                    second.span,
                    "this aggregation already has a grouping clause",
                    format!(
                        "use either `{}` or `{}`, not both",
                        self.text(first.span),
                        self.text(second.span)
                    ),
                );
                ok = false;
            } else if second.is_none() {
                ok = false;
            }
            grouping = grouping.or(second);
        }
        let span = Span::new(op_token.span.start, self.prev_end);
        let args = args?;
        if !ok {
            return None;
        }
        let height = args.iter().map(|a| a.height).max().unwrap_or(0) + 1;
        let (param, expr) = self.check_aggregate(op, args, span)?;
        let expr = Expr {
            kind: ExprKind::Aggregate(Box::new(Aggregate {
                op,
                op_span: op_token.span,
                param: param.map(|p| Box::new(p.expr)),
                expr: Box::new(expr.expr),
                grouping,
            })),
            span,
        };
        self.node(expr, ValueType::Vector, height)
    }

    pub(super) fn at_grouping(&mut self) -> bool {
        matches!(
            self.peek(Mode::Normal).kind,
            TokenKind::Keyword(Keyword::By | Keyword::Without)
        )
    }

    #[inline(never)]
    pub(super) fn grouping(&mut self, position: GroupingPosition) -> Option<Grouping> {
        let keyword = self.bump(Mode::Normal);
        let kind = if keyword.kind == TokenKind::Keyword(Keyword::By) {
            GroupingKind::By
        } else {
            GroupingKind::Without
        };
        let labels = self.label_list_after(&keyword)?;
        Some(Grouping {
            kind,
            labels,
            position,
            span: Span::new(keyword.span.start, self.prev_end),
        })
    }

    /// The `( ... )` label list after a keyword such as `by`, `on` or `group_left`.
    #[inline(never)]
    pub(super) fn label_list_after(&mut self, keyword: &Token) -> Option<Vec<Name>> {
        let word = self.text(keyword.span).to_ascii_lowercase();
        if !self.at(Mode::Normal, &TokenKind::LParen) {
            let next = self.peek(Mode::Normal);
            let example = if matches!(next.kind, TokenKind::Ident) {
                format!("{word} ({})", self.text(next.span))
            } else {
                format!("{word} (job, instance)")
            };
            let message = format!(
                "expected a parenthesised list of labels after `{word}`, but found {}",
                self.describe(&next)
            );
            self.unexpected(
                &next,
                message,
                Some(format!("label lists are written in parentheses: {example}")),
            );
            if matches!(next.kind, TokenKind::Ident) {
                // `by job`: take the word as the label and carry on.
                self.bump(Mode::Normal);
                return Some(vec![Name {
                    name: self.text(next.span).to_string(),
                    span: next.span,
                }]);
            }
            return None;
        }
        self.label_list()
    }

    /// `( label, label, ... )`, with an optional trailing comma.
    #[inline(never)]
    pub(super) fn label_list(&mut self) -> Option<Vec<Name>> {
        let open = self.bump(Mode::Normal);
        let mut labels = Vec::new();
        let mut ok = true;
        loop {
            let token = self.peek(Mode::Normal);
            match token.kind {
                TokenKind::RParen => {
                    self.bump(Mode::Normal);
                    return ok.then_some(labels);
                }
                TokenKind::Ident | TokenKind::MetricIdent => {
                    self.bump(Mode::Normal);
                    labels.push(Name {
                        name: self.text(token.span).to_string(),
                        span: token.span,
                    });
                }
                TokenKind::Keyword(k) if k.can_be_label_name() => {
                    self.bump(Mode::Normal);
                    labels.push(Name {
                        name: self.text(token.span).to_string(),
                        span: token.span,
                    });
                }
                TokenKind::String => {
                    self.bump(Mode::Normal);
                    match self.name_from_string(&token, "label names") {
                        Some(name) if !name.is_empty() => labels.push(Name {
                            name,
                            span: token.span,
                        }),
                        Some(_) => {
                            ok = false;
                            self.err(
                                ErrorKind::Syntax,
                                token.span,
                                "a label name cannot be empty",
                            );
                        }
                        None => ok = false,
                    }
                }
                TokenKind::Eof => {
                    self.unclosed(&open, ")");
                    return None;
                }
                _ => {
                    ok = false;
                    let message =
                        format!("expected a label name, but found {}", self.describe(&token));
                    let hint = match token.kind {
                        TokenKind::Comma => Some("remove the extra comma".to_string()),
                        TokenKind::Keyword(Keyword::Without) => Some(
                            "quote it to use `without` as a label name: \"without\"".to_string(),
                        ),
                        _ => {
                            Some("label lists hold label names, as in (job, instance)".to_string())
                        }
                    };
                    self.unexpected(&token, message, hint);
                    if !self.skip_to(Mode::Normal, &[TokenKind::Comma, TokenKind::RParen]) {
                        return None;
                    }
                    self.eat(Mode::Normal, &TokenKind::Comma);
                    continue;
                }
            }
            let next = self.peek(Mode::Normal);
            match next.kind {
                TokenKind::Comma => {
                    self.bump(Mode::Normal);
                }
                TokenKind::RParen => {}
                TokenKind::Eof => {
                    self.unclosed(&open, ")");
                    return None;
                }
                TokenKind::LParen => {
                    // `sum by (job (x)`: the list's `)` is missing before the expression.
                    self.err_hint(
                        ErrorKind::Unclosed,
                        open.span,
                        "this `(` is never closed",
                        "close the label list with `)` before what comes next, as in `by (job) (...)`",
                    );
                    return None;
                }
                _ => {
                    ok = false;
                    let message = format!(
                        "expected `,` or `)` in the label list, but found {}",
                        self.describe(&next)
                    );
                    self.unexpected(
                        &next,
                        message,
                        Some("separate labels with commas: (job, instance)".to_string()),
                    );
                    if !self.skip_to(Mode::Normal, &[TokenKind::Comma, TokenKind::RParen]) {
                        return None;
                    }
                    self.eat(Mode::Normal, &TokenKind::Comma);
                }
            }
        }
    }
}
