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
//! The parser never panics and never recurses without bound: nesting deeper than
//! [`MAX_DEPTH`] is an error, which also bounds the height of every tree it returns (so
//! formatting, serializing and dropping a tree cannot overflow the stack either).

use super::ast::*;
use super::duration::{
    self, DurationExpr, DurationKind, DurationLiteral, DurationOp, DurationSyntaxError, MAX_SECONDS,
};
use super::error::{ErrorKind, ParseError};
use super::functions::{self, Function};
use super::lexer::{Keyword, Lexer, Mode, Token, TokenKind};
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

/// The modifiers between a binary operator and its right operand.
#[derive(Default)]
struct BinModifiers {
    bool_modifier: Option<Span>,
    matching: Option<Matching>,
    group: Option<Group>,
    fill: Option<Fill>,
    /// Whether a modifier failed to parse, in which case the operation is not built.
    broken: bool,
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

    // ----- Selectors -----

    #[inline(never)]
    fn selector(&mut self, name: Option<Token>) -> Option<Node> {
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
    fn matchers(&mut self, open: &Token, out: &mut Vec<Matcher>) -> bool {
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
    fn end_of_braces(&mut self, open: &Token, token: &Token) -> bool {
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
    fn skip_in_braces(&mut self, open: &Token) -> bool {
        let found = self.skip_to(Mode::Braces, &[TokenKind::Comma, TokenKind::RBrace]);
        if !found {
            self.unclosed(open, "}");
        }
        found
    }

    /// One `name op "value"` matcher, or a quoted metric name alone.
    #[inline(never)]
    fn matcher(&mut self) -> Option<Matcher> {
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
    fn unquote(&mut self, token: &Token) -> Option<Vec<u8>> {
        match literals::unquote(self.text(token.span)) {
            Ok(b) => Some(b),
            Err(_) => {
                self.err(ErrorKind::Literal, token.span, "this string is not valid");
                None
            }
        }
    }

    /// Unquotes a string that must be valid UTF-8 (a name or label value).
    fn name_from_string(&mut self, token: &Token, what: &str) -> Option<String> {
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
    fn range_or_subquery(&mut self, node: Option<Node>) -> Option<Node> {
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
    fn positive(&mut self, d: DurNode, what: &str) -> Option<DurNode> {
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
    fn offset(&mut self, node: Option<Node>) -> Option<Node> {
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
    fn offset_hint(&self, node: &Node) -> String {
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
    fn at_modifier(&mut self, node: Option<Node>) -> Option<Node> {
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
    fn extended(&mut self, node: Option<Node>) -> Option<Node> {
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

    // ----- Duration expressions -----

    /// Parses a duration literal token to seconds.
    fn duration_literal(&mut self, token: &Token) -> Option<f64> {
        let text = self.text(token.span);
        match duration::parse_go_duration(text) {
            Ok(nanos) => Some(duration::nanos_to_seconds(nanos)),
            Err(e) => {
                let (message, hint) = match e {
                    DurationSyntaxError::UnknownUnit(_) | DurationSyntaxError::Malformed => {
                        super::lexer::bad_number_message(text)
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

    fn dur_node(&mut self, expr: DurationExpr, height: u32) -> Option<DurNode> {
        if height > MAX_DEPTH {
            self.too_deep(expr.span);
            return None;
        }
        Some(DurNode { expr, height })
    }

    /// A duration expression whose operators bind at least as tightly as `min_prec`.
    fn duration_expr(&mut self, mode: Mode, min_prec: u8) -> Option<DurNode> {
        if !self.enter() {
            return None;
        }
        let lhs = self.duration_unary(mode);
        let result = self.duration_binary(mode, lhs, min_prec);
        self.leave();
        result
    }

    fn duration_binary(
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

    fn duration_unary(&mut self, mode: Mode) -> Option<DurNode> {
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
    fn signed(&mut self, sign: &Token, negate: bool, operand: DurNode) -> Option<DurNode> {
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

    fn duration_primary(&mut self, mode: Mode) -> Option<DurNode> {
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
    fn duration_number(&mut self, mode: Mode, token: Token) -> Option<DurNode> {
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

    fn duration_paren(&mut self, mode: Mode) -> Option<DurNode> {
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
    fn duration_unclosed(&mut self, mode: Mode, open: &Token, expected: &str) -> Option<DurNode> {
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
    fn duration_step_or_range(&mut self, mode: Mode, token: Token, k: Keyword) -> Option<DurNode> {
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

    fn duration_min_or_max(&mut self, mode: Mode, token: Token, k: Keyword) -> Option<DurNode> {
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
    fn min_max_usage(&mut self, at: &Token, expected: &str) -> Option<DurNode> {
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
    fn not_a_duration(&mut self, mode: Mode, token: Token) -> Option<DurNode> {
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
    fn offset_duration(&mut self) -> Option<DurNode> {
        if !self.enter() {
            return None;
        }
        let result = self.offset_duration_inner();
        self.leave();
        result
    }

    fn offset_duration_inner(&mut self) -> Option<DurNode> {
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

    // ----- Calls and aggregations -----

    fn call(&mut self) -> Option<Node> {
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
    fn finish_call(
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
    fn unknown_function(&mut self, name: &Token) {
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
    fn args(&mut self, open: &Token, aggregation: Option<&str>) -> Option<Vec<Node>> {
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
    fn missing_argument(&mut self, open: &Token) -> bool {
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
    fn trailing_comma(&mut self, comma: &Token) -> Option<Vec<Node>> {
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
    fn bad_argument_end(
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

    fn aggregate(&mut self) -> Option<Node> {
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
    fn aggregation_without_parens(
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
    fn finish_aggregate(
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

    fn at_grouping(&mut self) -> bool {
        matches!(
            self.peek(Mode::Normal).kind,
            TokenKind::Keyword(Keyword::By | Keyword::Without)
        )
    }

    #[inline(never)]
    fn grouping(&mut self, position: GroupingPosition) -> Option<Grouping> {
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
    fn label_list_after(&mut self, keyword: &Token) -> Option<Vec<Name>> {
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
    fn label_list(&mut self) -> Option<Vec<Name>> {
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

    // ----- Binary operations -----

    #[inline(never)]
    fn bin_modifiers(&mut self, op: &'static BinaryOp) -> BinModifiers {
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
    fn fill_modifiers(&mut self, m: &mut BinModifiers) {
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
    fn fill_value(&mut self, word: &str) -> Option<FillValue> {
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
    fn binary(
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

    // ----- Type checks -----

    /// How to turn a range vector (or string) into something a binary or unary operator
    /// takes.
    #[inline(never)]
    fn to_instant_hint(&self, node: &Node) -> Option<String> {
        match node.ty {
            ValueType::Matrix => {
                let text = self.text(node.expr.span);
                Some(format!(
                    "apply a range function first, such as rate({text}) for a counter or avg_over_time({text}) for a gauge"
                ))
            }
            ValueType::String => {
                Some("strings can only be passed to functions that take them".to_string())
            }
            _ => None,
        }
    }

    #[inline(never)]
    fn check_call(&mut self, f: &'static Function, args: &[Node], span: Span) -> Option<()> {
        let mut ok = true;
        let n = args.len();
        let (min, max) = (f.min_args(), f.max_args());
        if n < min || max.is_some_and(|max| n > max) {
            let expected = match max {
                Some(max) if max == min => {
                    format!("{min} argument{}", if min == 1 { "" } else { "s" })
                }
                Some(max) if n > max => {
                    format!("at most {max} argument{}", if max == 1 { "" } else { "s" })
                }
                _ => format!("at least {min} argument{}", if min == 1 { "" } else { "s" }),
            };
            let hint = format!(
                "{} is used as {}; for example {}",
                f.name,
                f.signature(),
                f.example
            );
            self.err_hint(
                ErrorKind::Type,
                span,
                format!(
                    "`{}` takes {expected}, but {n} {} given",
                    f.name,
                    if n == 1 { "was" } else { "were" }
                ),
                hint,
            );
            ok = false;
        }
        // Two arguments in each other's place is a common slip (`histogram_quantile(x, 0.9)`).
        if n == 2 && f.args.len() >= 2 {
            let (a, b) = (&args[0], &args[1]);
            if a.ty != f.args[0] && b.ty != f.args[1] && a.ty == f.args[1] && b.ty == f.args[0] {
                self.err_hint(
                    ErrorKind::Type,
                    span,
                    format!(
                        "the arguments of `{}` are in the wrong order: it takes {} first, then {}",
                        f.name,
                        f.args[0].with_article(),
                        f.args[1].with_article()
                    ),
                    format!(
                        "write {}({}, {})",
                        f.name,
                        self.text(b.expr.span),
                        self.text(a.expr.span)
                    ),
                );
                return None;
            }
        }
        for (i, arg) in args.iter().enumerate() {
            let Some(want) = f.arg_type(i) else {
                break;
            };
            if arg.ty != want {
                let hint = self.arg_hint(f, args, i, want);
                self.error(
                    ParseError::new(
                        ErrorKind::Type,
                        arg.expr.span,
                        format!(
                            "`{}` needs {} as argument {}, but `{}` is {}",
                            f.name,
                            want.with_article(),
                            i + 1,
                            self.text(arg.expr.span),
                            arg.ty.with_article()
                        ),
                    )
                    .with_hint_opt(hint),
                );
                ok = false;
            }
        }
        if f.name == "info" && n > 1 {
            let arg = &args[1];
            match &arg.expr.kind {
                ExprKind::VectorSelector(vs) if vs.metric.is_some() => {
                    self.err_hint(
                        ErrorKind::Type,
                        arg.expr.span,
                        "the second argument of `info` takes label matchers only, not a metric name",
                        "select info metrics by their labels, as in {k8s_cluster_name=~\".+\"}, or by name with {__name__=\"build_info\"}",
                    );
                    ok = false;
                }
                ExprKind::VectorSelector(vs) => {
                    // Here a selector matching everything is allowed: it selects info metrics.
                    let selector_span = vs.span;
                    self.pending_empty
                        .retain(|p| p.selector_span != selector_span);
                }
                _ => {
                    self.err_hint(
                        ErrorKind::Type,
                        arg.expr.span,
                        "the second argument of `info` must be a label selector such as {job=\"api\"}",
                        "write the matchers in braces, without operators or functions",
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(())
    }

    /// A hint for argument `i` of a call to `f` having the wrong type.
    #[inline(never)]
    fn arg_hint(&self, f: &Function, args: &[Node], i: usize, want: ValueType) -> Option<String> {
        let arg = &args[i];
        let text = self.text(arg.expr.span);
        let call_with = |replacement: String| {
            let parts: Vec<String> = args
                .iter()
                .enumerate()
                .map(|(j, a)| {
                    if j == i {
                        replacement.clone()
                    } else {
                        self.text(a.expr.span).to_string()
                    }
                })
                .collect();
            format!("{}({})", f.name, parts.join(", "))
        };
        match (want, arg.ty) {
            (ValueType::Matrix, ValueType::Vector) => Some(match arg.expr.kind {
                ExprKind::VectorSelector(_) => {
                    format!(
                        "add a range such as [5m]: {}",
                        call_with(format!("{text}[5m]"))
                    )
                }
                _ => format!(
                    "to evaluate an expression over a range, use a subquery: {}",
                    call_with(format!("{text}[5m:]"))
                ),
            }),
            (ValueType::Vector, ValueType::Matrix) => {
                let counter = call_with(format!("rate({text})"));
                Some(if matches!(arg.expr.kind, ExprKind::MatrixSelector(_)) {
                    format!(
                        "turn the range into one value per series first, with rate() for a counter ({counter}) or a function such as avg_over_time() for a gauge"
                    )
                } else {
                    format!("apply a range function to it first, as in {counter}")
                })
            }
            (ValueType::Vector, ValueType::Scalar) => Some(format!(
                "use vector() to turn a scalar into an instant vector: {}",
                call_with(format!("vector({text})"))
            )),
            (ValueType::Scalar, ValueType::Vector) => Some(format!(
                "use scalar() to turn a single-series vector into a scalar: {}",
                call_with(format!("scalar({text})"))
            )),
            (ValueType::String, ValueType::Vector)
                if matches!(arg.expr.kind, ExprKind::VectorSelector(_)) =>
            {
                Some(format!("quote it: {}", call_with(format!("\"{text}\""))))
            }
            (ValueType::Scalar, ValueType::String) => {
                Some("remove the quotes to pass a number".to_string())
            }
            _ => None,
        }
    }

    /// Checks an aggregation's arguments and splits them into parameter and vector.
    #[inline(never)]
    fn check_aggregate(
        &mut self,
        op: &'static operators::AggregationOp,
        mut args: Vec<Node>,
        span: Span,
    ) -> Option<(Option<Node>, Node)> {
        let wanted = if op.param.is_some() { 2 } else { 1 };
        if args.is_empty() {
            self.err_hint(
                ErrorKind::Type,
                span,
                format!("`{}` needs an instant vector to aggregate", op.name),
                format!("for example {}", op.example),
            );
            return None;
        }
        if args.len() != wanted {
            let message = if op.param.is_some() {
                format!(
                    "`{}` takes a parameter and an instant vector, but {} argument{} given",
                    op.name,
                    args.len(),
                    if args.len() == 1 { " was" } else { "s were" }
                )
            } else {
                format!(
                    "`{}` takes one instant vector, but {} arguments were given",
                    op.name,
                    args.len()
                )
            };
            self.err_hint(
                ErrorKind::Type,
                span,
                message,
                format!("for example {}", op.example),
            );
            return None;
        }
        let expr = args.pop()?;
        let param = args.pop();
        let mut ok = true;
        if let (Some(param), Some(want)) = (&param, op.param)
            && param.ty != want
        {
            let swapped = param.ty == ValueType::Vector && expr.ty == want;
            let hint = if swapped {
                format!(
                    "the parameter comes first: {}({}, {})",
                    op.name,
                    self.text(expr.expr.span),
                    self.text(param.expr.span)
                )
            } else if want == ValueType::String {
                format!(
                    "the parameter is the name of the label to write, in quotes: {}",
                    op.example
                )
            } else {
                format!("for example {}", op.example)
            };
            self.err_hint(
                ErrorKind::Type,
                param.expr.span,
                format!(
                    "`{}` needs {} as its parameter, but `{}` is {}",
                    op.name,
                    want.with_article(),
                    self.text(param.expr.span),
                    param.ty.with_article()
                ),
                hint,
            );
            if swapped {
                return None;
            }
            ok = false;
        }
        if expr.ty != ValueType::Vector {
            let text = self.text(expr.expr.span);
            let hint = match expr.ty {
                ValueType::Matrix => Some(format!(
                    "aggregate one value per series: {}({}rate({text})) for a counter, or avg_over_time({text}) for a gauge",
                    op.name,
                    param
                        .as_ref()
                        .map(|p| format!("{}, ", self.text(p.expr.span)))
                        .unwrap_or_default()
                )),
                ValueType::Scalar => Some(format!(
                    "use vector() to turn a scalar into an instant vector: {}(vector({text}))",
                    op.name
                )),
                _ => None,
            };
            self.error(
                ParseError::new(
                    ErrorKind::Type,
                    expr.expr.span,
                    format!(
                        "`{}` aggregates an instant vector, but `{text}` is {}",
                        op.name,
                        expr.ty.with_article()
                    ),
                )
                .with_hint_opt(hint),
            );
            ok = false;
        }
        ok.then_some((param, expr))
    }
}

/// Whether an offset counts as set for "given twice": Prometheus cannot tell `offset 0`
/// from no offset, so neither can we.
fn is_set_offset(offset: &Offset) -> bool {
    offset.duration.literal().is_none_or(|l| l.seconds != 0.0)
}
