//! The parser: tokens to a type-checked [`Expr`], or a list of errors.
//!
//! It is hand-written recursive descent with precedence climbing for binary operators,
//! following the grammar and precedence of Prometheus' `generated_parser.y` at d15adb9:
//! `or` < `and`/`unless` < comparisons < `+ -` < `* / % atan2` < `^` (right-associative),
//! with unary `-`/`+` binding looser than `^` (`-2 ^ 2` is `-(2 ^ 2)`) and the postfix
//! modifiers (`[range]`, `offset`, `@`, `anchored`, `smoothed`) binding tightest.
//!
//! We chose recursive descent over a generated LR parser for the errors: at every point the
//! code knows what it is parsing, so a message can say "`rate` needs a range vector" rather
//! than "unexpected identifier", and it can skip to the next `,` or `)` and keep going, so one
//! parse reports several problems.
//!
//! Type checking happens as each node is built, from the function and operator tables, with
//! the rules of Prometheus' `checkAST`. A node that failed to parse is `None`; its parent
//! skips the checks that need it, so one mistake is not reported again and again up the tree.
//!
//! This file holds the parser's state, its token and error helpers and the expression
//! core; the constructs live in `selector.rs` (selectors, ranges, subqueries, modifiers),
//! `duration_expr.rs`, `call.rs` (calls, aggregations, label lists) and `binary.rs`, and the
//! type checks against the tables in `check.rs`.
//!
//! The parser never panics and never recurses without bound: nesting deeper than
//! [`MAX_DEPTH`] is an error, which also bounds the height of every tree it returns (so
//! formatting, serializing and dropping a tree cannot overflow the stack either).

mod binary;
mod call;
mod check;
mod duration_expr;
mod selector;

use super::ast::*;
use super::duration::{
    self, DurationExpr, DurationKind, DurationLiteral, DurationOp, DurationSyntaxError, MAX_SECONDS,
};
use super::error::{ErrorKind, ParseError};
use super::functions::{self, Function};
use super::lexer::{self, Keyword, Lexer, Mode, Token, TokenKind};
use super::literals::{self, NumberError};
use super::matcher::{LabelRegex, MatchOp, Matcher};
use super::operators::{self, Associativity, BinaryOp, UNARY_OPERAND_PRECEDENCE};
use super::span::Span;
use super::suggest;
use super::types::ValueType;

/// How deeply expressions may nest (parentheses, arguments, operands, chains of binary
/// operators, duration arithmetic). Real queries stay far below it; it exists so that no
/// input can exhaust the stack, which in WebAssembly is one megabyte.
pub const MAX_DEPTH: u32 = 128;

/// After this many errors the parser stops: the rest would be noise.
const MAX_ERRORS: usize = 50;

/// Parses a PromQL query into a type-checked syntax tree, or returns every problem found.
///
/// Errors come in the order of their position in the query. The function never panics.
pub fn parse(query: &str) -> Result<Expr, Vec<ParseError>> {
    if u32::try_from(query.len()).is_err() {
        return Err(vec![ParseError::new(
            ErrorKind::TooDeep,
            Span::new(0, 0),
            "the query is too long",
        )]);
    }
    let mut parser = Parser::new(query);
    let expr = parser.query();
    let mut errors = parser.finish();
    match expr {
        Some(node) if errors.is_empty() => Ok(node.expr),
        _ => {
            if errors.is_empty() {
                // Unreachable by construction: every path that drops a node reports why.
                errors.push(ParseError::new(
                    ErrorKind::Syntax,
                    Span::new(0, query.len() as u32),
                    "the query could not be parsed",
                ));
            }
            Err(errors)
        }
    }
}

/// A parsed expression with what its parent needs to check it.
struct Node {
    expr: Expr,
    ty: ValueType,
    /// Height of the tree below and including this node.
    height: u32,
}

/// A parsed duration expression and its height.
struct DurNode {
    expr: DurationExpr,
    height: u32,
}

/// A selector that would match every series. It becomes an error at the end of the parse
/// unless it turns out to be the second argument of `info()`, where Prometheus allows it.
struct PendingEmptySelector {
    selector_span: Span,
    hint: String,
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    /// Where the next token search starts.
    pos: u32,
    /// End of the last token consumed.
    prev_end: u32,
    /// The last token lexed, so a peek followed by a bump lexes once.
    cache: Option<(u32, Mode, Token)>,
    errors: Vec<ParseError>,
    depth: u32,
    /// Set when nesting is too deep or there are too many errors: from then on the parser
    /// sees the end of input everywhere and unwinds.
    stopped: bool,
    pending_empty: Vec<PendingEmptySelector>,
    /// Start of the first unterminated string reported, which swallows any closer after it.
    unterminated_at: Option<u32>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Parser<'a> {
        Parser {
            src,
            lexer: Lexer::new(src),
            pos: 0,
            prev_end: 0,
            cache: None,
            errors: Vec::new(),
            depth: 0,
            stopped: false,
            pending_empty: Vec::new(),
            unterminated_at: None,
        }
    }

    // ----- Tokens -----

    fn peek(&mut self, mode: Mode) -> Token {
        if self.stopped {
            let end = self.src.len() as u32;
            return Token {
                kind: TokenKind::Eof,
                span: Span::empty(end),
            };
        }
        if let Some((pos, m, token)) = &self.cache
            && *pos == self.pos
            && *m == mode
        {
            return token.clone();
        }
        let token = self.lexer.token_at(self.pos, mode);
        self.cache = Some((self.pos, mode, token.clone()));
        token
    }

    /// The token after `token`, lexed in `mode`.
    fn peek_after(&self, token: &Token, mode: Mode) -> Token {
        self.lexer.token_at(token.span.end, mode)
    }

    fn bump(&mut self, mode: Mode) -> Token {
        let token = self.peek(mode);
        self.pos = token.span.end;
        if token.kind != TokenKind::Eof {
            self.prev_end = token.span.end;
        }
        token
    }

    fn at(&mut self, mode: Mode, kind: &TokenKind) -> bool {
        self.peek(mode).kind == *kind
    }

    fn eat(&mut self, mode: Mode, kind: &TokenKind) -> Option<Token> {
        if self.at(mode, kind) {
            Some(self.bump(mode))
        } else {
            None
        }
    }

    fn text(&self, span: Span) -> &'a str {
        span.text(self.src)
    }

    // ----- Errors -----

    fn error(&mut self, error: ParseError) {
        if self.stopped {
            return;
        }
        // One syntax error per position: a missing `)` must not also be reported as an
        // unexpected token by every enclosing construct.
        let is_syntax = matches!(error.kind, ErrorKind::Syntax | ErrorKind::Unclosed);
        if is_syntax
            && self.errors.iter().any(|e| {
                matches!(
                    e.kind,
                    ErrorKind::Syntax | ErrorKind::Unclosed | ErrorKind::Literal
                ) && e.span.start == error.span.start
            })
        {
            return;
        }
        self.errors.push(error);
        if self.errors.len() >= MAX_ERRORS {
            self.stopped = true;
        }
    }

    fn err(&mut self, kind: ErrorKind, span: Span, message: impl Into<String>) {
        self.error(ParseError::new(kind, span, message));
    }

    fn err_hint(
        &mut self,
        kind: ErrorKind,
        span: Span,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.error(ParseError::new(kind, span, message).with_hint(hint));
    }

    /// Reports `token` as unexpected. A token the lexer rejected reports the lexer's own,
    /// more precise, message instead.
    fn unexpected(&mut self, token: &Token, message: String, hint: Option<String>) {
        let error = match &token.kind {
            TokenKind::Invalid(e) => {
                if e.unterminated {
                    self.unterminated_at.get_or_insert(token.span.start);
                }
                ParseError {
                    kind: e.kind,
                    span: token.span,
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                }
            }
            _ => ParseError {
                kind: ErrorKind::Syntax,
                span: token.span,
                message,
                hint,
            },
        };
        self.error(error);
    }

    #[inline(never)]
    fn describe(&self, token: &Token) -> String {
        match &token.kind {
            TokenKind::Eof => "the end of the query".to_string(),
            TokenKind::String => "a string".to_string(),
            TokenKind::Number | TokenKind::Duration => {
                format!("the number `{}`", self.text(token.span))
            }
            _ => format!("`{}`", self.text(token.span)),
        }
    }

    fn finish(mut self) -> Vec<ParseError> {
        let pending = std::mem::take(&mut self.pending_empty);
        for p in pending {
            self.err_hint(
                ErrorKind::EmptySelector,
                p.selector_span,
                "this selector would match every series: it has no metric name and each of \
                 its matchers also matches series without that label",
                p.hint,
            );
        }
        let mut errors = self.errors;
        errors.sort_by_key(|e| e.span.start);
        errors
    }

    /// Enters a nested construct; false (after reporting once) when nesting is too deep.
    fn enter(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep(Span::new(self.pos, self.pos + 1));
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn too_deep(&mut self, span: Span) {
        self.err_hint(
            ErrorKind::TooDeep,
            span,
            format!("the query is nested more than {MAX_DEPTH} levels deep"),
            "split it into simpler queries or recording rules",
        );
        self.stopped = true;
    }

    fn node(&mut self, expr: Expr, ty: ValueType, height: u32) -> Option<Node> {
        if height > MAX_DEPTH {
            self.too_deep(expr.span);
            return None;
        }
        Some(Node { expr, ty, height })
    }

    // ----- Expressions -----

    fn query(&mut self) -> Option<Node> {
        let first = self.peek(Mode::Normal);
        if first.kind == TokenKind::Eof {
            self.err_hint(
                ErrorKind::Syntax,
                first.span,
                "the query is empty",
                "type a PromQL expression, for example `up`",
            );
            return None;
        }
        let node = self.expr(0);
        let next = self.peek(Mode::Normal);
        if next.kind != TokenKind::Eof {
            self.unexpected_after(&next, node.as_ref(), None);
            return None;
        }
        node
    }

    /// An expression whose binary operators all bind at least as tightly as `min_prec`.
    fn expr(&mut self, min_prec: u8) -> Option<Node> {
        if !self.enter() {
            return None;
        }
        let mut lhs = self.unary();
        loop {
            let token = self.peek(Mode::Normal);
            let Some(op) = self.binary_op(&token) else {
                break;
            };
            if op.precedence < min_prec {
                break;
            }
            self.bump(Mode::Normal);
            let modifiers = self.bin_modifiers(op);
            let next_min = match op.associativity {
                Associativity::Left => op.precedence + 1,
                Associativity::Right => op.precedence,
            };
            let rhs = if self.starts_operand(Mode::Normal) {
                self.expr(next_min)
            } else {
                self.missing_right_operand(op)
            };
            lhs = self.binary(lhs, op, token.span, modifiers, rhs);
        }
        self.leave();
        lhs
    }

    // The functions on the recursive path (expr, unary, postfix, primary, paren, call, args,
    // aggregate) keep their error reporting in separate cold functions like this one: the
    // text building would otherwise enlarge every stack frame of every nesting level.
    #[cold]
    #[inline(never)]
    fn missing_right_operand(&mut self, op: &'static BinaryOp) -> Option<Node> {
        let next = self.peek(Mode::Normal);
        let message = format!(
            "`{}` needs a value on its right, but found {}",
            op.symbol,
            self.describe(&next)
        );
        self.unexpected(
            &next,
            message,
            Some(format!(
                "a binary operator goes between two values, as in `a {} b`",
                op.symbol
            )),
        );
        None
    }

    /// The binary operator `token` stands for, if any.
    fn binary_op(&self, token: &Token) -> Option<&'static BinaryOp> {
        let symbol = match &token.kind {
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::Percent => "%",
            TokenKind::Caret => "^",
            TokenKind::EqEq => "==",
            TokenKind::BangEq => "!=",
            TokenKind::Lt => "<",
            TokenKind::Le => "<=",
            TokenKind::Gt => ">",
            TokenKind::Ge => ">=",
            TokenKind::TrimUpper => "</",
            TokenKind::TrimLower => ">/",
            TokenKind::Keyword(Keyword::And) => "and",
            TokenKind::Keyword(Keyword::Or) => "or",
            TokenKind::Keyword(Keyword::Unless) => "unless",
            TokenKind::Keyword(Keyword::Atan2) => "atan2",
            _ => return None,
        };
        operators::binary_op(symbol)
    }

    /// Whether the next token can begin an operand; used to report a missing operand as
    /// such instead of as an unexpected token.
    fn starts_operand(&mut self, mode: Mode) -> bool {
        let token = self.peek(mode);
        match token.kind {
            TokenKind::Eof
            | TokenKind::RParen
            | TokenKind::RBracket
            | TokenKind::RBrace
            | TokenKind::Comma
            | TokenKind::Colon => false,
            TokenKind::Plus | TokenKind::Minus => true,
            TokenKind::Keyword(
                Keyword::Bool
                | Keyword::On
                | Keyword::Ignoring
                | Keyword::GroupLeft
                | Keyword::GroupRight
                | Keyword::Atan2,
            ) => false,
            _ => self.binary_op(&token).is_none() || matches!(token.kind, TokenKind::Keyword(_)),
        }
    }

    /// Whether the next token closes a construct (or ends the query), so no operand can
    /// start here.
    fn at_closer(&mut self, mode: Mode) -> bool {
        matches!(
            self.peek(mode).kind,
            TokenKind::Eof
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
                | TokenKind::Comma
        )
    }

    fn unary(&mut self) -> Option<Node> {
        let token = self.peek(Mode::Normal);
        let op = match token.kind {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Plus => UnaryOp::Plus,
            _ => return self.postfix(),
        };
        self.bump(Mode::Normal);
        if !self.starts_operand(Mode::Normal) {
            return self.missing_unary_operand(op);
        }
        let operand = self.expr(UNARY_OPERAND_PRECEDENCE)?;
        self.unary_node(op, token.span, operand)
    }

    #[cold]
    #[inline(never)]
    fn missing_unary_operand(&mut self, op: UnaryOp) -> Option<Node> {
        let next = self.peek(Mode::Normal);
        let message = format!(
            "`{}` needs a value after it, but found {}",
            op.symbol(),
            self.describe(&next)
        );
        self.unexpected(&next, message, None);
        None
    }

    #[inline(never)]
    fn unary_node(&mut self, op: UnaryOp, op_span: Span, operand: Node) -> Option<Node> {
        let span = op_span.to(operand.expr.span);
        if let ExprKind::Number(n) = operand.expr.kind {
            // Prometheus folds a sign into a number literal: `-1` is the number -1.
            let value = if op == UnaryOp::Neg {
                -n.value
            } else {
                n.value
            };
            let expr = Expr {
                kind: ExprKind::Number(NumberLiteral { value, ..n }),
                span,
            };
            return self.node(expr, ValueType::Scalar, operand.height);
        }
        if !matches!(operand.ty, ValueType::Scalar | ValueType::Vector) {
            let hint = self.to_instant_hint(&operand);
            self.error(
                ParseError::new(
                    ErrorKind::Type,
                    span,
                    format!(
                        "unary `{}` works on scalars and instant vectors, but `{}` is {}",
                        op.symbol(),
                        self.text(operand.expr.span),
                        operand.ty.with_article()
                    ),
                )
                .with_hint_opt(hint),
            );
            return None;
        }
        let ty = operand.ty;
        let height = operand.height + 1;
        let expr = Expr {
            kind: ExprKind::Unary(Unary {
                op,
                op_span,
                expr: Box::new(operand.expr),
            }),
            span,
        };
        self.node(expr, ty, height)
    }

    /// A primary expression followed by any ranges and modifiers.
    fn postfix(&mut self) -> Option<Node> {
        let mut node = self.primary();
        loop {
            let token = self.peek(Mode::Normal);
            node = match token.kind {
                TokenKind::LBracket => self.range_or_subquery(node),
                TokenKind::Keyword(Keyword::Offset) => self.offset(node),
                TokenKind::At => self.at_modifier(node),
                TokenKind::Keyword(Keyword::Anchored | Keyword::Smoothed) => self.extended(node),
                _ => return node,
            };
        }
    }

    /// A literal, a selector, a call, an aggregation or a parenthesised expression.
    fn primary(&mut self) -> Option<Node> {
        let token = self.peek(Mode::Normal);
        match &token.kind {
            TokenKind::Number | TokenKind::Duration | TokenKind::String => self.literal(token),
            TokenKind::LParen => self.paren(),
            TokenKind::LBrace => self.selector(None),
            TokenKind::Ident => {
                if self.peek_after(&token, Mode::Normal).kind == TokenKind::LParen {
                    self.call()
                } else {
                    self.selector(Some(token))
                }
            }
            TokenKind::MetricIdent => self.selector(Some(token)),
            TokenKind::Keyword(keyword) => {
                let keyword = *keyword;
                let next = self.peek_after(&token, Mode::Normal).kind;
                match keyword {
                    Keyword::Aggregation
                        if matches!(
                            next,
                            TokenKind::LParen | TokenKind::Keyword(Keyword::By | Keyword::Without)
                        ) =>
                    {
                        self.aggregate()
                    }
                    Keyword::Start
                    | Keyword::End
                    | Keyword::Step
                    | Keyword::Range
                    | Keyword::MinOf
                    | Keyword::MaxOf
                    | Keyword::Fill
                    | Keyword::FillLeft
                    | Keyword::FillRight
                        if next == TokenKind::LParen =>
                    {
                        self.call()
                    }
                    k if k.can_be_metric_name() => self.selector(Some(token)),
                    _ => self.misplaced_keyword(token, keyword),
                }
            }
            _ => self.not_a_value(token),
        }
    }

    /// A number, duration or string literal.
    #[inline(never)]
    fn literal(&mut self, token: Token) -> Option<Node> {
        self.bump(Mode::Normal);
        let (kind, ty) = match token.kind {
            TokenKind::Number => {
                let value = match literals::parse_number(self.text(token.span)) {
                    Ok(v) => v,
                    Err(e) => return self.bad_number(&token, e),
                };
                let number = NumberLiteral {
                    value,
                    written_as_duration: false,
                };
                (ExprKind::Number(number), ValueType::Scalar)
            }
            TokenKind::Duration => {
                let number = NumberLiteral {
                    value: self.duration_literal(&token)?,
                    written_as_duration: true,
                };
                (ExprKind::Number(number), ValueType::Scalar)
            }
            _ => {
                let bytes = self.unquote(&token)?;
                let literal = match String::from_utf8(bytes) {
                    Ok(value) => StringLiteral {
                        value,
                        non_utf8_bytes: None,
                    },
                    Err(e) => StringLiteral {
                        value: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                        non_utf8_bytes: Some(e.into_bytes()),
                    },
                };
                (ExprKind::String(literal), ValueType::String)
            }
        };
        let expr = Expr {
            kind,
            span: token.span,
        };
        self.node(expr, ty, 1)
    }

    #[cold]
    #[inline(never)]
    fn bad_number(&mut self, token: &Token, e: NumberError) -> Option<Node> {
        match e {
            NumberError::OutOfRange => self.err_hint(
                ErrorKind::Literal,
                token.span,
                "this number is too large",
                "the largest number PromQL can hold is about 1.8e308",
            ),
            NumberError::Syntax => {
                let message = format!("`{}` is not a valid number", self.text(token.span));
                self.err(ErrorKind::Literal, token.span, message);
            }
        }
        None
    }

    /// `bool`, `on`, `ignoring`, `group_*` or `atan2` where a value should be.
    #[cold]
    #[inline(never)]
    fn misplaced_keyword(&mut self, token: Token, keyword: Keyword) -> Option<Node> {
        self.bump(Mode::Normal);
        let word = self.text(token.span).to_ascii_lowercase();
        let hint = match keyword {
            Keyword::Bool => "`bool` goes right after a comparison operator, as in `a > bool 5`",
            Keyword::On | Keyword::Ignoring => {
                "`on (...)` and `ignoring (...)` go right after a binary operator, as in `a / on(job) b`"
            }
            Keyword::GroupLeft | Keyword::GroupRight => {
                "`group_left` and `group_right` follow `on (...)` or `ignoring (...)`, as in `a * on(job) group_left b`"
            }
            _ => "`atan2` is a binary operator: `a atan2 b`",
        };
        self.err_hint(
            ErrorKind::Syntax,
            token.span,
            format!("unexpected `{word}` where a value was expected"),
            hint,
        );
        None
    }

    /// A token that cannot start a value.
    #[cold]
    #[inline(never)]
    fn not_a_value(&mut self, token: Token) -> Option<Node> {
        if let TokenKind::Invalid(_) = token.kind {
            self.bump(Mode::Normal);
            self.unexpected(&token, String::new(), None);
            return None;
        }
        if let Some(op) = self.binary_op(&token) {
            // `* b`: report the missing left operand, then read the rest so that errors
            // inside it are found too.
            self.bump(Mode::Normal);
            self.err_hint(
                ErrorKind::Syntax,
                token.span,
                format!("`{}` needs a value on its left", op.symbol),
                format!(
                    "a binary operator goes between two values, as in `a {} b`",
                    op.symbol
                ),
            );
            if self.starts_operand(Mode::Normal) {
                let _ = self.expr(op.precedence + 1);
            }
            return None;
        }
        let message = format!("expected a value, but found {}", self.describe(&token));
        let hint = match token.kind {
            TokenKind::RParen => Some("this `)` has no matching `(`".to_string()),
            TokenKind::Assign => {
                Some("`=` is only used in label matchers such as {job=\"api\"}".to_string())
            }
            TokenKind::RegexMatch | TokenKind::RegexNoMatch => {
                Some("regex matchers go inside braces, as in {job=~\"api.*\"}".to_string())
            }
            TokenKind::Eof => {
                Some("the query ends too early; something is missing here".to_string())
            }
            _ => None,
        };
        // Closing tokens are left for the construct they close.
        if !matches!(
            token.kind,
            TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
                | TokenKind::Comma
                | TokenKind::Eof
        ) {
            self.bump(Mode::Normal);
        }
        self.unexpected(&token, message, hint);
        None
    }

    fn paren(&mut self) -> Option<Node> {
        let open = self.bump(Mode::Normal);
        if self.at_closer(Mode::Normal) {
            return self.empty_parens(&open);
        }
        let inner = self.expr(0);
        if !self.close(&open, Mode::Normal, inner.as_ref()) {
            return None;
        }
        self.finish_paren(open.span, inner?)
    }

    #[inline(never)]
    fn finish_paren(&mut self, open: Span, inner: Node) -> Option<Node> {
        let span = open.to(Span::empty(self.prev_end));
        let expr = Expr {
            kind: ExprKind::Paren(Paren {
                expr: Box::new(inner.expr),
            }),
            span,
        };
        self.node(expr, inner.ty, inner.height + 1)
    }

    #[cold]
    #[inline(never)]
    fn empty_parens(&mut self, open: &Token) -> Option<Node> {
        let next = self.peek(Mode::Normal);
        let message = format!(
            "expected an expression inside `( )`, but found {}",
            self.describe(&next)
        );
        self.unexpected(&next, message, None);
        self.close(open, Mode::Normal, None);
        None
    }

    /// Consumes the `)` matching `open`, or reports what is in the way and skips to it.
    /// Returns whether the parenthesis was closed cleanly.
    #[inline(never)]
    fn close(&mut self, open: &Token, mode: Mode, inside: Option<&Node>) -> bool {
        if self.eat(mode, &TokenKind::RParen).is_some() {
            return true;
        }
        let token = self.peek(mode);
        if token.kind == TokenKind::Eof {
            self.unclosed(open, ")");
            return false;
        }
        self.unexpected_after(&token, inside, Some(")"));
        if self.skip_to(mode, &[TokenKind::RParen]) {
            self.bump(mode);
        } else {
            self.unclosed(open, ")");
        }
        false
    }

    #[inline(never)]
    fn unclosed(&mut self, open: &Token, closer: &str) {
        if self.unterminated_at.is_some_and(|at| at > open.span.start) {
            // The closer is inside a string that never ends; that error says it all.
            return;
        }
        let opener = self.text(open.span).to_string();
        self.err_hint(
            ErrorKind::Unclosed,
            open.span,
            format!("this `{opener}` is never closed"),
            format!("add a matching `{closer}`"),
        );
    }

    /// Skips tokens, keeping track of nesting, until one of `stops` at the current level.
    /// Returns false at the end of the query.
    fn skip_to(&mut self, mode: Mode, stops: &[TokenKind]) -> bool {
        let mut depth = 0usize;
        loop {
            let token = self.peek(mode);
            match token.kind {
                TokenKind::Eof => return false,
                ref k if depth == 0 && stops.contains(k) => return true,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    if depth == 0 {
                        // A closer of an enclosing construct: stop before it.
                        return false;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.bump(mode);
        }
    }

    /// Reports a token that follows a complete expression but cannot continue it.
    /// `closing` names the token that was expected instead, if any.
    #[inline(never)]
    fn unexpected_after(&mut self, token: &Token, before: Option<&Node>, closing: Option<&str>) {
        let before_text = before.map(|n| self.text(n.expr.span).to_string());
        let found = self.describe(token);
        let expected = match closing {
            Some(c) => format!("expected `{c}` or an operator"),
            None => "expected an operator or the end of the query".to_string(),
        };
        let (message, hint) = match &token.kind {
            TokenKind::Keyword(k @ (Keyword::By | Keyword::Without)) => {
                let word = if *k == Keyword::By { "by" } else { "without" };
                let hint = match (&before, &before_text) {
                    (Some(n), Some(text)) if !matches!(n.expr.kind, ExprKind::Aggregate(_)) => {
                        format!(
                            "`{word}` groups an aggregation; to aggregate this, write \
                             `sum {word} (...) ({text})`, with the labels to {}",
                            if *k == Keyword::By { "keep" } else { "drop" }
                        )
                    }
                    _ => format!(
                        "`{word} (...)` must come right after an aggregation operator such as \
                         sum, or right after its closing parenthesis"
                    ),
                };
                (
                    format!("unexpected `{word}`: it can only follow an aggregation such as sum"),
                    Some(hint),
                )
            }
            TokenKind::Assign => (
                format!("unexpected `=`; {expected}"),
                Some("to compare values use `==`; `=` is only used in label matchers such as {job=\"api\"}".to_string()),
            ),
            TokenKind::Ident
            | TokenKind::MetricIdent
            | TokenKind::Number
            | TokenKind::Duration
            | TokenKind::String
            | TokenKind::Keyword(_) => (
                format!("unexpected {found} after a complete expression; {expected}"),
                Some(match closing {
                    Some(",") | Some(")") => {
                        "is an operator (such as + or and) or a comma missing before it?".to_string()
                    }
                    _ => "is an operator such as + or and missing before it?".to_string(),
                }),
            ),
            TokenKind::LBrace => (
                format!("unexpected `{{`; {expected}"),
                Some("label matchers go right after the metric name, as in `rate(x{job=\"api\"}[5m])`".to_string()),
            ),
            TokenKind::LParen => (
                format!("unexpected `(`; {expected}"),
                Some("only a function name or an aggregation can come right before `(`".to_string()),
            ),
            TokenKind::RParen => (
                format!("unexpected `)`; {expected}"),
                Some("this `)` has no matching `(`".to_string()),
            ),
            _ => (format!("unexpected {found}; {expected}"), None),
        };
        self.unexpected(token, message, hint);
    }
}
