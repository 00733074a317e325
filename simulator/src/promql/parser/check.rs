//! Type checks of calls and aggregations against the function and operator tables, and
//! the hints that go with them.

use super::*;

impl Parser<'_> {
    /// How to turn a range vector (or string) into something a binary or unary operator
    /// takes.
    #[inline(never)]
    pub(super) fn to_instant_hint(&self, node: &Node) -> Option<String> {
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
    pub(super) fn check_call(
        &mut self,
        f: &'static Function,
        args: &[Node],
        span: Span,
    ) -> Option<()> {
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
    pub(super) fn arg_hint(
        &self,
        f: &Function,
        args: &[Node],
        i: usize,
        want: ValueType,
    ) -> Option<String> {
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
    pub(super) fn check_aggregate(
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
