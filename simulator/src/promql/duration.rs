//! Durations: Go's duration literals and PromQL's duration expressions.
//!
//! A range (`[5m]`), a subquery step (`[1h:30s]`) and an offset (`offset 1h`) are usually a
//! single literal, but Prometheus 3 also accepts small arithmetic over them: `[5m+1m]`,
//! `offset -(1h)`, `[step()*2]`, `[max_of(range(), 5m)]`. Those are a separate little tree,
//! [`DurationExpr`], because they are not PromQL expressions: they evaluate to one number of
//! seconds before the query runs, using only the query's step and range. The common literal
//! case stays cheap to read through [`DurationExpr::literal`].

use super::literals;
use super::span::Span;
use serde::{Serialize, Serializer};
use std::fmt;

/// A duration expression with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationExpr {
    /// What the expression is.
    #[serde(flatten)]
    pub kind: DurationKind,
    /// Where it is in the query, including any sign or parentheses.
    pub span: Span,
}

/// The forms a duration expression takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DurationKind {
    /// A number of seconds (`90`) or a duration literal (`1m30s`), sign included.
    Literal(DurationLiteral),
    /// `step()`: the query's resolution step (zero for an instant query).
    Step,
    /// `range()`: the query's time range, end minus start (zero for an instant query).
    Range,
    /// `-x`. A minus in front of a literal is folded into the literal instead, and a plus is
    /// dropped, as Prometheus does.
    Negate {
        /// The negated expression.
        expr: Box<DurationExpr>,
    },
    /// `(x)`, kept so the formatter can print the parentheses back.
    Paren {
        /// The expression inside.
        expr: Box<DurationExpr>,
    },
    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b` or `a ^ b`.
    Binary {
        /// The operator.
        op: DurationOp,
        /// Where the operator is.
        op_span: Span,
        /// Left operand.
        lhs: Box<DurationExpr>,
        /// Right operand.
        rhs: Box<DurationExpr>,
    },
    /// `min_of(a, b)`: the smaller of two durations.
    MinOf {
        /// First argument.
        lhs: Box<DurationExpr>,
        /// Second argument.
        rhs: Box<DurationExpr>,
    },
    /// `max_of(a, b)`: the larger of two durations.
    MaxOf {
        /// First argument.
        lhs: Box<DurationExpr>,
        /// Second argument.
        rhs: Box<DurationExpr>,
    },
}

/// A number of seconds as written in a duration position.
///
/// Equality compares the bits of `seconds` (so `NaN` equals `NaN` and `0` differs from `-0`),
/// because two literals are "the same" when they were written the same.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DurationLiteral {
    /// The value in seconds (`5m` is 300, `1.5` is 1.5).
    #[serde(serialize_with = "serialize_float")]
    pub seconds: f64,
    /// Whether it was written with units (`5m`) rather than as a plain number (`300`).
    pub written_as_duration: bool,
}

impl PartialEq for DurationLiteral {
    fn eq(&self, other: &Self) -> bool {
        same_float(self.seconds, other.seconds)
            && self.written_as_duration == other.written_as_duration
    }
}

/// Arithmetic allowed inside a duration expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
}

impl DurationOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            DurationOp::Add => "+",
            DurationOp::Sub => "-",
            DurationOp::Mul => "*",
            DurationOp::Div => "/",
            DurationOp::Mod => "%",
            DurationOp::Pow => "^",
        }
    }

    /// Binding strength, the same as the PromQL operator with the same symbol.
    pub(crate) fn precedence(self) -> u8 {
        match self {
            DurationOp::Add | DurationOp::Sub => 4,
            DurationOp::Mul | DurationOp::Div | DurationOp::Mod => 5,
            DurationOp::Pow => 6,
        }
    }
}

impl Serialize for DurationOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

/// Why a duration expression has no usable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// `x / 0`; the span is the division.
    DivisionByZero(Span),
    /// `x % 0`; the span is the modulo.
    ModuloByZero(Span),
    /// The result is NaN or infinite.
    NotFinite(Span),
    /// The result does not fit Prometheus' duration type (about ±292 years).
    OutOfRange(Span),
    /// A range or step that is zero or negative.
    NotPositive(Span),
}

impl DurationError {
    /// The part of the query the error is about.
    pub fn span(self) -> Span {
        match self {
            DurationError::DivisionByZero(s)
            | DurationError::ModuloByZero(s)
            | DurationError::NotFinite(s)
            | DurationError::OutOfRange(s)
            | DurationError::NotPositive(s) => s,
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DurationError::DivisionByZero(_) => "division by zero in a duration",
            DurationError::ModuloByZero(_) => "modulo by zero in a duration",
            DurationError::NotFinite(_) => "duration is NaN or infinite",
            DurationError::OutOfRange(_) => "duration is out of range",
            DurationError::NotPositive(_) => "duration must be greater than 0",
        })
    }
}

impl std::error::Error for DurationError {}

/// The largest duration, in seconds, that Go's nanosecond `time.Duration` holds.
pub(crate) const MAX_SECONDS: f64 = 9_223_372_036.854_775;

impl DurationExpr {
    /// The literal, when the expression is just one: the common case, read without evaluating.
    pub fn literal(&self) -> Option<DurationLiteral> {
        match self.kind {
            DurationKind::Literal(l) => Some(l),
            _ => None,
        }
    }

    /// Evaluates the expression to seconds, given the query's step and range in milliseconds.
    pub fn eval_seconds(&self, step_ms: i64, range_ms: i64) -> Result<f64, DurationError> {
        let eval = |e: &DurationExpr| e.eval_seconds(step_ms, range_ms);
        Ok(match &self.kind {
            DurationKind::Literal(l) => l.seconds,
            DurationKind::Step => step_ms as f64 / 1000.0,
            DurationKind::Range => range_ms as f64 / 1000.0,
            DurationKind::Negate { expr } => -eval(expr)?,
            DurationKind::Paren { expr } => eval(expr)?,
            DurationKind::MinOf { lhs, rhs } => go_min(eval(lhs)?, eval(rhs)?),
            DurationKind::MaxOf { lhs, rhs } => go_max(eval(lhs)?, eval(rhs)?),
            DurationKind::Binary { op, lhs, rhs, .. } => {
                let (a, b) = (eval(lhs)?, eval(rhs)?);
                match op {
                    DurationOp::Add => a + b,
                    DurationOp::Sub => a - b,
                    DurationOp::Mul => a * b,
                    DurationOp::Div if b == 0.0 => {
                        return Err(DurationError::DivisionByZero(self.span));
                    }
                    DurationOp::Div => a / b,
                    DurationOp::Mod if b == 0.0 => {
                        return Err(DurationError::ModuloByZero(self.span));
                    }
                    DurationOp::Mod => a % b,
                    DurationOp::Pow => a.powf(b),
                }
            }
        })
    }

    /// Evaluates the expression to whole milliseconds, as Prometheus does before running a
    /// query: a literal keeps nanosecond rounding and then drops the sub-millisecond part,
    /// anything else is truncated to milliseconds. Zero and negative results are allowed,
    /// as an offset may be negative; ranges and steps use [`DurationExpr::eval_positive_ms`].
    pub fn eval_ms(&self, step_ms: i64, range_ms: i64) -> Result<i64, DurationError> {
        if let Some(l) = self.literal() {
            return Ok(literal_ms(l.seconds));
        }
        let seconds = self.eval_seconds(step_ms, range_ms)?;
        if !seconds.is_finite() {
            return Err(DurationError::NotFinite(self.span));
        }
        if seconds.abs() > MAX_SECONDS {
            return Err(DurationError::OutOfRange(self.span));
        }
        Ok((seconds * 1000.0) as i64)
    }

    /// [`DurationExpr::eval_ms`] for a range or step, which must be greater than zero.
    pub fn eval_positive_ms(&self, step_ms: i64, range_ms: i64) -> Result<i64, DurationError> {
        let seconds = match self.literal() {
            Some(l) => l.seconds,
            None => self.eval_seconds(step_ms, range_ms)?,
        };
        if seconds.is_finite() && seconds <= 0.0 {
            return Err(DurationError::NotPositive(self.span));
        }
        self.eval_ms(step_ms, range_ms)
    }
}

/// A literal's value in whole milliseconds: Prometheus stores it as rounded nanoseconds and
/// the engine truncates that to milliseconds.
pub(crate) fn literal_ms(seconds: f64) -> i64 {
    // `as` saturates, and the parser has already rejected literals beyond MAX_SECONDS.
    let nanos = (seconds * 1e9).round() as i64;
    nanos / 1_000_000
}

/// Go's `math.Min`: NaN if either is NaN, and -0 is smaller than +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

/// Go's `math.Max`: NaN if either is NaN, and +0 is larger than -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_positive() { a } else { b }
    } else {
        a.max(b)
    }
}

/// Equality for values that were written in a query: bitwise, except that every NaN is equal.
pub(crate) fn same_float(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Serializes a float as a JSON number, or as the string Prometheus' API uses (`"NaN"`,
/// `"+Inf"`, `"-Inf"`) when JSON has no number for it.
pub(crate) fn serialize_float<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_str(&literals::format_float(*v))
    }
}

/// Why a duration literal such as `5m` or `1h30m` is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationSyntaxError {
    /// A unit that is not one of `ms s m h d w y`; holds the unit as written.
    UnknownUnit(String),
    /// Units out of order (`5m1h`), repeated (`1m1m`), or a number without a unit.
    BadOrder,
    /// Anything else: a fraction (`1.5m`), a missing number, stray characters.
    Malformed,
    /// More than about 292 years.
    OutOfRange,
}

/// Go's `model.ParseDuration`: a sequence of `<integer><unit>` pairs with units from largest
/// to smallest (`y w d h m s ms`), or a bare `0`. Returns nanoseconds.
pub fn parse_go_duration(text: &str) -> Result<u64, DurationSyntaxError> {
    if text == "0" {
        return Ok(0);
    }
    if text.is_empty() {
        return Err(DurationSyntaxError::Malformed);
    }
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 24 * 3600 * 1_000_000_000),
        ("w", 7 * 24 * 3600 * 1_000_000_000),
        ("d", 24 * 3600 * 1_000_000_000),
        ("h", 3600 * 1_000_000_000),
        ("m", 60 * 1_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ];
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut total: u64 = 0;
    // Index in UNITS of the last unit used; each unit must come after it.
    let mut last_unit: Option<usize> = None;
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(DurationSyntaxError::Malformed);
        }
        let value: u64 = text[digits_start..i]
            .parse()
            .map_err(|_| DurationSyntaxError::OutOfRange)?;
        let unit_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_digit() {
            i += 1;
        }
        let unit = &text[unit_start..i];
        if unit.is_empty() {
            return Err(DurationSyntaxError::BadOrder);
        }
        let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(DurationSyntaxError::UnknownUnit(unit.to_string()));
        };
        if last_unit.is_some_and(|last| index <= last) {
            return Err(DurationSyntaxError::BadOrder);
        }
        last_unit = Some(index);
        let mult = UNITS[index].1;
        if value > (1u64 << 63) / mult {
            return Err(DurationSyntaxError::OutOfRange);
        }
        total += value * mult;
        if total > i64::MAX as u64 {
            return Err(DurationSyntaxError::OutOfRange);
        }
    }
    Ok(total)
}

/// Nanoseconds as seconds, computed as Go's `Duration.Seconds` does so values match exactly.
pub(crate) fn nanos_to_seconds(nanos: u64) -> f64 {
    let secs = nanos / 1_000_000_000;
    let rest = nanos % 1_000_000_000;
    secs as f64 + rest as f64 / 1e9
}

/// Formats milliseconds as Go's `model.Duration.String` does (`1h30m`, `90d`, `1y`, `0s`),
/// with a leading `-` for negative values. Years and weeks are used only when they divide
/// the value exactly, because `90d` reads better than `12w6d`.
pub fn format_ms(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    if ms < 0 {
        out.push('-');
    }
    let mut rest = ms.unsigned_abs();
    const UNITS: [(&str, u64, bool); 7] = [
        ("y", 1000 * 60 * 60 * 24 * 365, true),
        ("w", 1000 * 60 * 60 * 24 * 7, true),
        ("d", 1000 * 60 * 60 * 24, false),
        ("h", 1000 * 60 * 60, false),
        ("m", 1000 * 60, false),
        ("s", 1000, false),
        ("ms", 1, false),
    ];
    for (unit, mult, exact) in UNITS {
        if exact && !rest.is_multiple_of(mult) {
            continue;
        }
        let v = rest / mult;
        if v > 0 {
            out.push_str(&v.to_string());
            out.push_str(unit);
            rest -= v * mult;
        }
    }
    out
}

/// Formats a number of seconds written as a duration, as Prometheus prints a duration
/// literal: converted to nanoseconds with truncation, then printed in milliseconds.
pub(crate) fn format_seconds(seconds: f64) -> String {
    // Go prints the magnitude after a minus; a tiny negative value prints as "-0s". Unlike
    // Prometheus we keep the minus of a negative zero (`-0m`) too, so it reads back the same.
    if seconds.is_sign_negative() {
        let ms = ((-seconds * 1e9) as i64) / 1_000_000;
        format!("-{}", format_ms(ms))
    } else {
        format_ms(((seconds * 1e9) as i64) / 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(seconds: f64) -> DurationExpr {
        DurationExpr {
            kind: DurationKind::Literal(DurationLiteral {
                seconds,
                written_as_duration: true,
            }),
            span: Span::new(0, 1),
        }
    }

    fn bin(op: DurationOp, lhs: DurationExpr, rhs: DurationExpr) -> DurationExpr {
        DurationExpr {
            kind: DurationKind::Binary {
                op,
                op_span: Span::new(1, 2),
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span: Span::new(0, 3),
        }
    }

    #[test]
    fn go_durations_parse() {
        let s = 1_000_000_000;
        assert_eq!(parse_go_duration("5m"), Ok(300 * s));
        assert_eq!(parse_go_duration("1h30m"), Ok(5400 * s));
        assert_eq!(parse_go_duration("1m30ms"), Ok(60 * s + 30_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("1y"), Ok(365 * 24 * 3600 * s));
        assert_eq!(
            parse_go_duration("5mins"),
            Err(DurationSyntaxError::UnknownUnit("mins".into()))
        );
        assert_eq!(
            parse_go_duration("5m1h"),
            Err(DurationSyntaxError::BadOrder)
        );
        assert_eq!(
            parse_go_duration("5m5m"),
            Err(DurationSyntaxError::BadOrder)
        );
        assert_eq!(
            parse_go_duration("1.5m"),
            Err(DurationSyntaxError::UnknownUnit(".".into()))
        );
        assert_eq!(
            parse_go_duration("300y"),
            Err(DurationSyntaxError::OutOfRange)
        );
    }

    #[test]
    fn durations_print_like_prometheus() {
        assert_eq!(format_ms(0), "0s");
        assert_eq!(format_ms(90_000), "1m30s");
        assert_eq!(format_ms(86_400_000 * 90), "90d");
        assert_eq!(format_ms(86_400_000 * 14), "2w");
        assert_eq!(format_ms(86_400_000 * 365), "1y");
        assert_eq!(format_ms(1_500), "1s500ms");
        assert_eq!(format_ms(-300_000), "-5m");
        assert_eq!(format_seconds(4.018), "4s18ms");
        assert_eq!(format_seconds(-7.0 * 60.0), "-7m");
        assert_eq!(format_seconds(-0.0), "-0s");
    }

    #[test]
    fn expressions_evaluate_with_step_and_range() {
        let e = bin(DurationOp::Add, lit(26.0 * 60.0), lit(240.0));
        assert_eq!(e.eval_ms(0, 0), Ok(1_800_000));
        let step = DurationExpr {
            kind: DurationKind::Step,
            span: Span::new(0, 6),
        };
        let e = bin(DurationOp::Mul, step, lit(2.0));
        assert_eq!(e.eval_ms(15_000, 0), Ok(30_000));
        assert_eq!(
            e.eval_positive_ms(0, 0),
            Err(DurationError::NotPositive(e.span))
        );
        let e = bin(DurationOp::Div, lit(1.0), lit(0.0));
        assert_eq!(e.eval_ms(0, 0), Err(DurationError::DivisionByZero(e.span)));
        let e = bin(DurationOp::Pow, lit(10.0), lit(400.0));
        assert_eq!(e.eval_ms(0, 0), Err(DurationError::NotFinite(e.span)));
        let e = bin(DurationOp::Mul, lit(1e9), lit(100.0));
        assert_eq!(e.eval_ms(0, 0), Err(DurationError::OutOfRange(e.span)));
        // A literal keeps nanosecond rounding before truncating to milliseconds.
        assert_eq!(lit(1.5555).eval_ms(0, 0), Ok(1555));
        assert!(go_min(f64::NAN, 1.0).is_nan());
        assert!(go_max(-0.0, 0.0).is_sign_positive());
    }
}
