//! Reading a call's evaluated arguments inside a [`VectorFunction`](super::VectorFunction).
//!
//! The parser has already checked every argument's type against the table, so a mismatch
//! here is a bug in the engine or the table: it becomes an internal error naming the
//! argument, never a panic.

use super::VectorCall;
use crate::promql::ast::{Expr, ExprKind};
use crate::promql::error::EvalError;
use crate::promql::eval::unwrap_parens;
use crate::promql::value::{StepValue, StepVector};

impl VectorCall<'_> {
    /// The values of scalar argument `i`, one per step.
    pub fn scalar_arg(&self, i: usize) -> Result<&[f64], EvalError> {
        match self.args.get(i) {
            Some(StepValue::Scalar(v)) => Ok(v),
            _ => Err(EvalError::internal(
                format!("argument {} is not a scalar", i + 1),
                self.spans.arg(i),
            )),
        }
    }

    /// Takes instant-vector argument `i` out of the call.
    pub fn take_vector_arg(&mut self, i: usize) -> Result<StepVector, EvalError> {
        match self.take_arg(i) {
            Some(StepValue::Vector(v)) => Ok(v),
            _ => Err(EvalError::internal(
                format!("argument {} is not an instant vector", i + 1),
                self.spans.arg(i),
            )),
        }
    }

    /// Argument expression `i` as written, without enclosing parentheses (Prometheus strips
    /// them from every argument before evaluating a call).
    pub fn arg_expr(&self, i: usize) -> Option<&Expr> {
        self.exprs.get(i).map(unwrap_parens)
    }

    /// The exact bytes of string argument `i`. They come from the literal, because a Go
    /// string (and so a PromQL one, `"\xff"`) need not be UTF-8 and Prometheus rejects such
    /// label names rather than repairing them.
    pub fn string_arg(&self, i: usize) -> Result<Vec<u8>, EvalError> {
        if let Some(Expr {
            kind: ExprKind::String(s),
            ..
        }) = self.arg_expr(i)
        {
            return Ok(s.bytes().to_vec());
        }
        match self.args.get(i) {
            Some(StepValue::String(s)) => Ok(s.as_bytes().to_vec()),
            _ => Err(EvalError::internal(
                format!("argument {} is not a string", i + 1),
                self.spans.arg(i),
            )),
        }
    }
}
