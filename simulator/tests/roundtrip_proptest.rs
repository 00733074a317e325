//! Property test: random valid queries parse, format back to the same tree, and carry
//! sensible spans.
//!
//! The generator builds query text from a small typed grammar (selectors with matchers and
//! modifiers, ranges, subqueries, calls from the function table with arguments of the right
//! types, aggregations from the operator table, binary operations with their modifiers, and
//! the many spellings of numbers, strings and durations). It inserts parentheses only where
//! precedence requires them, so the parser's precedence rules are exercised too. Every
//! generated query is valid, so a parse error is a failure.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use simulator::promql::{self, Expr, ValueType, functions, operators};

/// Generated query text, its type, and how tightly it binds (100 for an atom such as a
/// selector or call, 5 for a unary minus or negative number, else its operator's precedence).
#[derive(Clone, Debug)]
struct Gen {
    text: String,
    ty: ValueType,
    prec: u8,
    /// Whether the text ends with an offset like `offset (1h)`, after which Prometheus'
    /// grammar keeps reading duration arithmetic: a binary operator may not follow it
    /// unless the expression is parenthesised.
    greedy_tail: bool,
}

const ATOM: u8 = 100;
const UNARY: u8 = 5;

fn atom(text: impl Into<String>, ty: ValueType) -> Gen {
    Gen {
        text: text.into(),
        ty,
        prec: ATOM,
        greedy_tail: false,
    }
}

fn parens(g: &Gen) -> String {
    format!("({})", g.text)
}

fn metric() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "up",
        "http_requests_total",
        "job:requests:rate5m",
        ":colon_start",
        "node_cpu_seconds_total",
        "_x1",
        // Keywords that are valid metric names where a metric fits.
        "offset",
        "by",
        "step",
        "anchored",
        "fill",
        "start",
        "and",
    ])
}

fn label() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "job", "instance", "le", "by", "offset", "on", "bool", "\"a.b\"", "\"ü\"", "'q'",
    ])
}

/// A label value for `=` or `!=`, in each quoting style and with escapes.
fn value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        r#""api""#,
        r#""""#,
        r#"'it\'s'"#,
        "`raw\\d`",
        r#""tab\there""#,
        r#""\u00e9\x41\101""#,
        r#""\"quoted\"""#,
        r#""日本""#,
    ])
}

/// A regular expression for `=~` or `!~`.
fn regex_value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        r#"".+""#,
        r#""a|b""#,
        r#""api.*""#,
        "`[0-9]+`",
        r#""\\d+""#,
        r#""(?i)GET|post""#,
        r#"".*""#,
    ])
}

fn matcher() -> impl Strategy<Value = String> {
    prop_oneof![
        (label(), prop::sample::select(vec!["=", "!="]), value())
            .prop_map(|(l, op, v)| format!("{l}{op}{v}")),
        (
            label(),
            prop::sample::select(vec!["=~", "!~"]),
            regex_value()
        )
            .prop_map(|(l, op, v)| format!("{l}{op}{v}")),
    ]
}

/// A vector selector without modifiers. Without a metric name it starts with a matcher that
/// requires a value, as Prometheus requires.
fn bare_selector() -> impl Strategy<Value = String> {
    (
        prop::option::of(metric()),
        prop::collection::vec(matcher(), 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, matchers, quoted_name, trailing_comma)| {
            let mut all = Vec::new();
            if name.is_none() {
                all.push(r#"job="api""#.to_string());
                if quoted_name {
                    all.push(r#""my.metric""#.to_string());
                }
            }
            all.extend(matchers);
            let mut text = name.unwrap_or("").to_string();
            if !all.is_empty() || text.is_empty() {
                text.push('{');
                text.push_str(&all.join(", "));
                if trailing_comma && !all.is_empty() {
                    text.push(',');
                }
                text.push('}');
            }
            text
        })
}

fn number() -> impl Strategy<Value = Gen> {
    prop::sample::select(vec![
        "1", "0.5", ".5", "5.", "1e3", "1.5E-3", "0x1F", "0755", "1_000", "Inf", "nan", "5m",
        "1h30m", "0", "-1", "-2.5", "-Inf", "+3",
    ])
    .prop_map(|t| Gen {
        text: t.to_string(),
        ty: ValueType::Scalar,
        prec: if t.starts_with(['-', '+']) {
            UNARY
        } else {
            ATOM
        },
        greedy_tail: false,
    })
}

fn string_literal() -> impl Strategy<Value = Gen> {
    prop::sample::select(vec![
        r#""dst""#,
        "'$1'",
        "`(.*):.*`",
        r#""a\nb""#,
        r#""""#,
        r#""ü""#,
        r#""\xff""#,
    ])
    .prop_map(|t| atom(t, ValueType::String))
}

/// A range or subquery step: literals in every spelling, and duration arithmetic.
fn range_duration() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "5m",
        "1h30m",
        "90",
        "1.5",
        "30s",
        "1d",
        "(5m)",
        "5m + 1m",
        "2m * (10 + 5)",
        "step()",
        "step() * 2",
        "min_of(step(), 5m)",
        "max_of(range(), 1m)",
        "1h / 2",
        "-5m + 35m",
        "2 ^ 3",
        "-(1m) + 10m",
        "+5m",
    ])
}

fn offset_duration() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "5m",
        "-5m",
        "0",
        "1h30m",
        "-90",
        "(1h + 30m)",
        "-(1h)",
        "step()",
        "-step()",
        "max_of(1m, step())",
        "(1m) * 2",
        "+1m",
        "-min_of(step(), 1s)",
    ])
}

fn at_time() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "1700000000",
        "-100",
        "1.5e3",
        "start()",
        "end()",
        "+10",
        "1700000000.123",
    ])
}

/// Modifiers in a random order: `@`, `offset`, and `anchored` or `smoothed`. The flag says
/// whether the text ends with an offset that starts with an unsigned parenthesis.
fn modifiers(allow_extended: bool) -> impl Strategy<Value = (String, bool)> {
    (
        prop::option::of(at_time()),
        prop::option::of(offset_duration()),
        prop::option::of(prop::sample::select(vec!["anchored", "smoothed"])),
        Just(()).prop_perturb(|_, mut rng| rng.random_range(0..6u8)),
    )
        .prop_map(move |(at, offset, ext, order)| {
            let mut parts: Vec<String> = Vec::new();
            if let Some(a) = at {
                parts.push(format!("@ {a}"));
            }
            if let Some(o) = offset {
                parts.push(format!("offset {o}"));
            }
            if allow_extended && let Some(e) = ext {
                parts.push(e.to_string());
            }
            let n = parts.len().max(1);
            parts.rotate_left(usize::from(order) % n);
            if order >= 3 {
                parts.reverse();
            }
            let greedy = parts.last().is_some_and(|p| p.starts_with("offset ("));
            (parts.iter().map(|p| format!(" {p}")).collect(), greedy)
        })
}

fn selector() -> impl Strategy<Value = Gen> {
    (bare_selector(), modifiers(true)).prop_map(|(s, (m, greedy_tail))| Gen {
        greedy_tail,
        ..atom(format!("{s}{m}"), ValueType::Vector)
    })
}

fn matrix_selector() -> impl Strategy<Value = Gen> {
    (bare_selector(), range_duration(), modifiers(true)).prop_map(|(s, r, (m, greedy_tail))| Gen {
        greedy_tail,
        ..atom(format!("{s}[{r}]{m}"), ValueType::Matrix)
    })
}

fn scalar_leaf() -> impl Strategy<Value = Gen> {
    prop_oneof![
        4 => number(),
        1 => Just(atom("time()", ValueType::Scalar)),
        1 => Just(atom("pi()", ValueType::Scalar)),
        1 => Just(atom("step()", ValueType::Scalar)),
    ]
}

/// An expression of type `ty`, nested at most `depth` deep.
fn typed(ty: ValueType, depth: u32) -> BoxedStrategy<Gen> {
    match ty {
        ValueType::String => string_literal().boxed(),
        ValueType::Scalar => scalar(depth),
        ValueType::Vector => vector(depth),
        ValueType::Matrix => matrix(depth),
    }
}

fn scalar(depth: u32) -> BoxedStrategy<Gen> {
    if depth == 0 {
        return scalar_leaf().boxed();
    }
    let d = depth - 1;
    prop_oneof![
        4 => scalar_leaf(),
        1 => call(ValueType::Scalar, d),
        2 => binary(ValueType::Scalar, ValueType::Scalar, d),
        1 => unary(ValueType::Scalar, d),
        1 => scalar(d).prop_map(|g| atom(parens(&g), ValueType::Scalar)),
    ]
    .boxed()
}

fn vector(depth: u32) -> BoxedStrategy<Gen> {
    if depth == 0 {
        return selector().boxed();
    }
    let d = depth - 1;
    prop_oneof![
        3 => selector(),
        2 => call(ValueType::Vector, d),
        2 => aggregation(d),
        1 => binary(ValueType::Vector, ValueType::Vector, d),
        1 => binary(ValueType::Vector, ValueType::Scalar, d),
        1 => binary(ValueType::Scalar, ValueType::Vector, d),
        1 => unary(ValueType::Vector, d),
        1 => vector(d).prop_map(|g| atom(parens(&g), ValueType::Vector)),
    ]
    .boxed()
}

fn matrix(depth: u32) -> BoxedStrategy<Gen> {
    if depth == 0 {
        return matrix_selector().boxed();
    }
    let d = depth - 1;
    prop_oneof![
        3 => matrix_selector(),
        1 => (vector(d), range_duration(), prop::option::of(range_duration()), modifiers(false))
            .prop_map(|(v, range, step, (m, greedy_tail))| {
                let inner = if v.prec == ATOM { v.text } else { parens(&v) };
                let step = step.unwrap_or("");
                Gen {
                    greedy_tail,
                    ..atom(format!("{inner}[{range}:{step}]{m}"), ValueType::Matrix)
                }
            }),
    ]
    .boxed()
}

/// A call to a function from the table that returns `ty`, with arguments of the types the
/// table asks for.
fn call(ty: ValueType, depth: u32) -> BoxedStrategy<Gen> {
    let candidates: Vec<&'static functions::Function> = functions::all()
        // `info` restricts its second argument to a bare label selector; the table tests
        // cover it.
        .filter(|f| f.returns == ty && f.name != "info")
        .collect();
    prop::sample::select(candidates)
        .prop_flat_map(move |f| {
            let max = f
                .max_args()
                .unwrap_or(f.min_args() + 2)
                .min(f.min_args() + 2);
            (f.min_args()..=max).prop_flat_map(move |n| {
                let args: Vec<BoxedStrategy<Gen>> = (0..n)
                    .map(|i| typed(f.arg_type(i).unwrap_or(ValueType::Scalar), depth))
                    .collect();
                args.prop_map(move |args| {
                    let list: Vec<String> = args.into_iter().map(|a| a.text).collect();
                    atom(format!("{}({})", f.name, list.join(", ")), f.returns)
                })
            })
        })
        .boxed()
}

fn grouping() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["by", "without", "BY"]),
        prop::collection::vec(label(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(kw, labels, trailing)| {
            let comma = if trailing && !labels.is_empty() {
                ","
            } else {
                ""
            };
            format!("{kw} ({}{comma})", labels.join(", "))
        })
}

fn aggregation(depth: u32) -> BoxedStrategy<Gen> {
    let ops: Vec<&'static operators::AggregationOp> = operators::AGGREGATION_OPS.iter().collect();
    (
        prop::sample::select(ops),
        prop::option::of(grouping()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(move |(op, grouping, after, upper)| {
            let param: BoxedStrategy<Option<Gen>> = match op.param {
                Some(t) => typed(t, depth).prop_map(Some).boxed(),
                None => Just(None).boxed(),
            };
            (param, vector(depth)).prop_map(move |(param, v)| {
                let name = if upper {
                    op.name.to_uppercase()
                } else {
                    op.name.to_string()
                };
                let args = match &param {
                    Some(p) => format!("({}, {})", p.text, v.text),
                    None => format!("({})", v.text),
                };
                let text = match &grouping {
                    Some(g) if after => format!("{name}{args} {g}"),
                    Some(g) => format!("{name} {g} {args}"),
                    None => format!("{name}{args}"),
                };
                atom(text, ValueType::Vector)
            })
        })
        .boxed()
}

/// Modifiers for a binary operation between two vectors.
fn vector_modifiers(op: &'static operators::BinaryOp) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::option::of((
            prop::sample::select(vec!["on", "ignoring"]),
            prop::collection::vec(
                prop::sample::select(vec!["job", "instance", "\"a.b\""]),
                0..3,
            ),
        )),
        prop::option::of((
            prop::sample::select(vec!["group_left", "group_right"]),
            prop::collection::vec(prop::sample::select(vec!["le", "region"]), 0..2),
        )),
        prop::option::of(prop::sample::select(vec![
            "fill(0)",
            "fill_left(1)",
            "fill_right(-2)",
            "fill_left(NaN) fill_right(Inf)",
            "fill_right(1e6) fill_left(5m)",
        ])),
    )
        .prop_map(move |(bool_mod, matching, group, fill)| {
            let mut s = String::new();
            if op.allows_bool() && bool_mod {
                s.push_str(" bool");
            }
            if let Some((kw, labels)) = &matching {
                s.push_str(&format!(" {kw}({})", labels.join(", ")));
                if let (Some((side, include)), true) = (&group, op.allows_group_modifiers()) {
                    // Always with parentheses: a `(` after group_left starts its label
                    // list, so a parenthesised right operand would be read as labels.
                    s.push_str(&format!(" {side}({})", include.join(",")));
                }
            }
            if let (Some(f), true) = (fill, op.allows_fill()) {
                s.push(' ');
                s.push_str(f);
            }
            s
        })
}

fn binary(lt: ValueType, rt: ValueType, depth: u32) -> BoxedStrategy<Gen> {
    let both_vectors = lt == ValueType::Vector && rt == ValueType::Vector;
    let ops: Vec<&'static operators::BinaryOp> = operators::BINARY_OPS
        .iter()
        .filter(|op| both_vectors || !op.is_set())
        .collect();
    prop::sample::select(ops)
        .prop_flat_map(move |op| {
            let mods: BoxedStrategy<String> = if both_vectors {
                vector_modifiers(op).boxed()
            } else if op.is_comparison() && lt == ValueType::Scalar && rt == ValueType::Scalar {
                Just(" bool".to_string()).boxed()
            } else if op.is_comparison() {
                prop::sample::select(vec!["", " bool"])
                    .prop_map(str::to_string)
                    .boxed()
            } else {
                Just(String::new()).boxed()
            };
            (typed(lt, depth), mods, typed(rt, depth)).prop_map(move |(l, m, r)| {
                let p = op.precedence;
                let right_assoc = op.associativity == operators::Associativity::Right;
                let wrap_l = l.greedy_tail || if right_assoc { l.prec <= p } else { l.prec < p };
                let wrap_r = if right_assoc { r.prec < p } else { r.prec <= p };
                let lhs = if wrap_l { parens(&l) } else { l.text };
                let rhs = if wrap_r { parens(&r) } else { r.text };
                let ty = if lt == ValueType::Scalar && rt == ValueType::Scalar {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                };
                Gen {
                    text: format!("{lhs} {}{m} {rhs}", op.symbol),
                    ty,
                    prec: p,
                    greedy_tail: r.greedy_tail && !wrap_r,
                }
            })
        })
        .boxed()
}

fn unary(ty: ValueType, depth: u32) -> BoxedStrategy<Gen> {
    (prop::sample::select(vec!["-", "+"]), typed(ty, depth))
        .prop_map(move |(op, g)| {
            // The operand of a unary operator binds at `^` level.
            let wrap = g.prec < 6;
            let greedy_tail = g.greedy_tail && !wrap;
            let inner = if wrap { parens(&g) } else { g.text };
            Gen {
                text: format!("{op}{inner}"),
                ty,
                prec: UNARY,
                greedy_tail,
            }
        })
        .boxed()
}

/// Every node's span lies inside its parent's and covers text.
fn check_spans(expr: &Expr, query: &str) {
    let text = expr.span.text(query);
    assert!(!text.is_empty(), "empty span {:?} in {query:?}", expr.span);
    for child in expr.children() {
        assert!(
            child.span.start >= expr.span.start && child.span.end <= expr.span.end,
            "child span {:?} outside {:?} in {query:?}",
            child.span,
            expr.span
        );
        check_spans(child, query);
    }
}

proptest! {
    // 512 cases in `make test`; set PROPTEST_CASES for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_queries_parse_and_round_trip(g in prop_oneof![vector(3), scalar(3), matrix(2)]) {
        let expr = match promql::parse(&g.text) {
            Ok(e) => e,
            Err(errors) => {
                return Err(TestCaseError::fail(format!(
                    "a valid query failed to parse:\n{}",
                    promql::error::render(&g.text, &errors)
                )));
            }
        };
        prop_assert_eq!(expr.value_type(), g.ty, "{}", g.text);
        check_spans(&expr, &g.text);
        let formatted = promql::format(&expr);
        let again = promql::parse(&formatted);
        prop_assert!(again.is_ok(), "{} formats as {}, which does not parse", g.text, formatted);
        let again = again.unwrap();
        prop_assert!(
            again.same_query(&expr),
            "{} formats as {}, which reads back differently:\n{}\nvs\n{}",
            g.text, formatted, promql::format::tree(&expr), promql::format::tree(&again)
        );
        prop_assert_eq!(promql::format(&again), formatted);
    }
}
