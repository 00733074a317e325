//! The bad-query table: for each broken query, the first error's message (a substring),
//! span and hint (a substring). These are the mistakes learners make; each row pins the
//! message we want them to see.

use simulator::promql::{self, ErrorKind, ParseError};

struct Case {
    query: &'static str,
    kind: ErrorKind,
    message: &'static str,
    /// Byte range of the span.
    span: (u32, u32),
    hint: Option<&'static str>,
}

const fn case(
    query: &'static str,
    kind: ErrorKind,
    message: &'static str,
    span: (u32, u32),
    hint: Option<&'static str>,
) -> Case {
    Case {
        query,
        kind,
        message,
        span,
        hint,
    }
}

use ErrorKind::*;

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Unclosed brackets point at the opener.
    case("sum(rate(x[5m])", Unclosed, "this `(` is never closed", (3, 4), Some("add a matching `)`")),
    case("(1 + 2", Unclosed, "this `(` is never closed", (0, 1), Some("`)`")),
    case("rate(x[5m)", Unclosed, "this `[` is never closed", (6, 7), Some("`]`")),
    case("x[5m", Unclosed, "this `[` is never closed", (1, 2), Some("`]`")),
    case("x{job=\"a\"", Unclosed, "this `{` is never closed", (1, 2), Some("`}`")),
    case("x{job=\"a\" + y", Unclosed, "this `{` is never closed", (1, 2), Some("`}`")),
    case("sum by (job (x)", Unclosed, "this `(` is never closed", (7, 8), Some("close the label list")),
    // A range vector where an instant vector is expected, and the reverse.
    case("sum(x[5m])", Type, "`sum` aggregates an instant vector, but `x[5m]` is a range vector", (4, 9), Some("sum(rate(x[5m]))")),
    case("abs(x[5m])", Type, "`abs` needs an instant vector as argument 1", (4, 9), Some("abs(rate(x[5m]))")),
    case("x[5m] + 1", Type, "the left side of `+` is a range vector", (0, 5), Some("rate(x[5m])")),
    case("-x[5m]", Type, "unary `-` works on scalars and instant vectors", (0, 6), Some("rate(x[5m])")),
    case("rate(x)", Type, "`rate` needs a range vector as argument 1, but `x` is an instant vector", (5, 6), Some("add a range such as [5m]: rate(x[5m])")),
    case("rate(sum(x))", Type, "needs a range vector", (5, 11), Some("use a subquery: rate(sum(x)[5m:])")),
    case("avg_over_time(rate(x[5m]))", Type, "needs a range vector", (14, 25), Some("avg_over_time(rate(x[5m])[5m:])")),
    // Unknown functions, with the closest known name.
    case("rat(x[5m])", UnknownFunction, "unknown function `rat`", (0, 3), Some("did you mean rate?")),
    case("histogram_quantil(0.9, x)", UnknownFunction, "unknown function", (0, 17), Some("did you mean histogram_quantile?")),
    case("sum_over_tme(x[5m])", UnknownFunction, "unknown function", (0, 12), Some("did you mean sum_over_time?")),
    case("RATE(x[5m])", UnknownFunction, "unknown function `RATE`", (0, 4), Some("case-sensitive: did you mean rate?")),
    case("summ(x)", UnknownFunction, "unknown function `summ`", (0, 4), Some("did you mean sum?")),
    case("http_requests_total(5m)", UnknownFunction, "unknown function", (0, 19), Some("looks like a metric name")),
    // `by` and `without` after something that is not an aggregation.
    case("rate(x[5m]) by (job)", Syntax, "unexpected `by`: it can only follow an aggregation", (12, 14), Some("sum by (...) (rate(x[5m]))")),
    case("x without (job)", Syntax, "unexpected `without`", (2, 9), Some("sum without (...) (x)")),
    case("sum(rate(x[5m]) by (job))", Modifier, "`by` cannot go inside the argument list", (16, 24), Some("sum by (job) (rate(x[5m]))")),
    case("sum(x) by job", Syntax, "expected a parenthesised list of labels after `by`", (10, 13), Some("by (job)")),
    case("sum by (job) rate(x[5m])", Syntax, "expected `(` after `sum by (job)`", (13, 17), Some("sum by (job) (...)")),
    case("sum without (a) (x) by (b)", Modifier, "already has a grouping clause", (20, 26), None),
    // `bool` where it does not belong.
    case("a + bool b", Modifier, "`bool` can only follow a comparison operator, not `+`", (4, 8), Some("remove `bool`")),
    case("a and bool b", Modifier, "`bool` can only follow a comparison operator", (6, 10), None),
    case("1 == 1", Modifier, "comparing two scalars needs the `bool` modifier", (2, 4), Some("1 == bool 1")),
    case("a == on(x) bool b", Modifier, "`bool` is out of place", (11, 15), Some("right after the operator")),
    // Regular expressions are compiled, with the error at the string.
    case(r#"x{a=~"(.*"}"#, Regex, "invalid regular expression: unclosed group", (5, 10), Some("RE2")),
    case(r#"x{a!~"[z-a]"}"#, Regex, "invalid regular expression", (5, 12), None),
    case(r#"x{a=~"a)|(b"}"#, Regex, "invalid regular expression", (5, 12), None),
    // Duration units and syntax.
    case("x[5x]", Literal, "unknown duration unit `x` in `5x`", (2, 4), Some("ms, s, m, h, d, w or y")),
    case("x[5mins]", Literal, "unknown duration unit `mins` in `5mins`", (2, 7), Some("write 5m")),
    case("x[5hs]", Literal, "unknown duration unit `hs` in `5hs`", (2, 5), None),
    case("x offset 10sec", Literal, "unknown duration unit `sec`", (9, 14), Some("write 10s")),
    case("x[1.5m]", Literal, "durations cannot have fractions", (2, 6), Some("90s")),
    case("x[5m1h]", Literal, "units must go from largest to smallest", (2, 6), Some("1h30m")),
    case("x[0]", Literal, "a range must be greater than zero", (2, 3), None),
    case("x[5m:0s]", Literal, "a subquery step must be greater than zero", (5, 7), None),
    case("x[5s/0]", Literal, "division by zero", (4, 5), None),
    case("x[\"5m\"]", Syntax, "expected a duration, but found a string", (2, 6), Some("not quoted")),
    case("x[]", Syntax, "expected a duration inside `[ ]`", (2, 3), Some("[5m]")),
    case("x[5m:1m:1m]", Syntax, "a subquery has one `:`", (7, 8), None),
    // Missing operands.
    case("a +", Syntax, "`+` needs a value on its right, but found the end of the query", (3, 3), Some("`a + b`")),
    case("a + )", Syntax, "`+` needs a value on its right", (4, 5), None),
    case("* b", Syntax, "`*` needs a value on its left", (0, 1), Some("`a * b`")),
    case("(/ 2)", Syntax, "`/` needs a value on its left", (1, 2), None),
    case("-", Syntax, "`-` needs a value after it", (1, 1), None),
    case("", Syntax, "the query is empty", (0, 0), Some("for example `up`")),
    case("# only a comment", Syntax, "the query is empty", (16, 16), None),
    // Trailing input.
    case("up up", Syntax, "unexpected `up` after a complete expression", (3, 5), Some("operator such as + or and missing")),
    case("sum(x) 5", Syntax, "unexpected the number `5` after a complete expression", (7, 8), None),
    case("(1))", Syntax, "unexpected `)`", (3, 4), Some("no matching `(`")),
    case("foo]", Syntax, "unexpected `]`", (3, 4), None),
    // Matchers.
    case("{job=}", Syntax, "the matcher `job=` has no value", (1, 5), Some("job=\"...\"")),
    case("x{job=~}", Syntax, "the matcher `job=~` has no value", (2, 7), None),
    case("x{job=a}", Syntax, "label values must be quoted", (6, 7), Some("job=\"a\"")),
    case("x{code=500}", Syntax, "label values must be quoted", (7, 10), Some("code=\"500\"")),
    case("x{job==\"a\"}", Syntax, "`==` is not a label matcher operator", (5, 7), Some("single `=`")),
    case("x{job}", Syntax, "expected `=`, `!=`, `=~` or `!~` after the label name `job`", (5, 6), None),
    case("x{a=\"1\" b=\"2\"}", Syntax, "expected `,` between label matchers", (8, 8), Some("commas")),
    case("x{,}", Syntax, "expected a label matcher before this `,`", (2, 3), None),
    case("x{1a=\"b\"}", Syntax, "`1a` is not a label name", (2, 4), Some("{\"1a\"=\"value\"}")),
    case("x{a=\"b\", 2=\"c\"}", Syntax, "expected a label name", (9, 10), None),
    case("x{a:b=\"c\"}", Syntax, "unexpected `:` inside braces", (3, 4), Some("{\"a:b\"=\"value\"}")),
    case("foo{__name__=\"bar\"}", Syntax, "the metric name is given twice", (4, 18), None),
    // Selectors that match every series.
    case("{}", EmptySelector, "would match every series", (0, 2), Some("add a metric name")),
    case(r#"{a=~".*"}"#, EmptySelector, "would match every series", (0, 9), Some("a=~\".+\"")),
    case(r#"{x!="a"}"#, EmptySelector, "would match every series", (0, 8), None),
    case(r#"{x=""}"#, EmptySelector, "would match every series", (0, 6), None),
    case(r#"sum(rate({job=~".*"}[5m]))"#, EmptySelector, "would match every series", (9, 20), None),
    // Other slips.
    case("x = 1", Syntax, "unexpected `=`", (2, 3), Some("use `==`")),
    case("x | y", Syntax, "unexpected `|`", (2, 3), Some("`or`")),
    case("x != !y", Syntax, "unexpected `!`", (5, 6), Some("`unless`")),
    case("my.metric", Syntax, "unexpected `.`", (2, 3), Some("{\"my.metric\"}")),
    case("x{job='a\"}", Literal, "this string is never closed", (6, 10), Some("closing '")),
    case(r#""\c""#, Literal, "unknown escape sequence `\\c`", (0, 4), Some("backticks")),
    case(r#"x{a="\u12"}"#, Literal, "`\"` is not allowed in this escape sequence", (4, 10), None),
    case("2.5.", Literal, "`2.5.` is not a valid number or duration", (0, 4), None),
    case("0deadbeef", Literal, "unknown duration unit `deadbeef` in `0deadbeef`", (0, 9), None),
    case("0x1.5", Literal, "`0x1.5` is not a valid number or duration", (0, 5), None),
    case("1e999", Literal, "this number is too large", (0, 5), None),
    case("foo offset 5m[5m]", Modifier, "`offset` must come after the range", (13, 17), Some("foo[5m] offset 5m")),
    case("foo @ 1 [5m]", Modifier, "`@` must come after the range", (8, 12), Some("foo[5m] @ 1")),
    case("rate(x[5m])[5m]", Type, "a range can only follow a metric selector", (11, 15), Some("rate(x[5m])[5m:]")),
    case("x[5m][10m:]", Type, "a subquery needs an instant vector, but `x[5m]` is a range vector", (0, 11), Some("max_over_time(x[5m])")),
    case("rate(x[5m]) offset 1h", Modifier, "`offset` can only follow a selector or a subquery", (12, 21), Some("x[5m] offset")),
    case("1 offset 1d", Modifier, "`offset` can only follow a selector", (2, 11), None),
    case("foo offset 1s offset 2s", Modifier, "`offset` is given twice", (14, 23), None),
    case("foo @ 1 @ 2", Modifier, "`@` is given twice", (8, 11), None),
    case("foo @ NaN", Literal, "this timestamp is out of range", (6, 9), None),
    case("foo offset (1m) + bar", Syntax, "expected a duration, but found `bar`", (18, 21), None),
    case("foo + group_left(baz) bar", Modifier, "`group_left` needs `on (...)` or `ignoring (...)`", (6, 16), Some("on(instance) group_left")),
    case("foo and on(a) group_left bar", Modifier, "group_left and group_right are not allowed", (14, 24), None),
    case("foo * on(a) group_left(a) bar", Modifier, "label `a` is listed in both", (23, 24), None),
    case("foo and 1", Type, "`and` works between two instant vectors", (4, 7), None),
    case("1 + on(a) foo", Modifier, "vector matching (`on`/`ignoring`) only applies between two instant vectors", (4, 9), None),
    case("histogram_quantile(x, 0.9)", Type, "the arguments of `histogram_quantile` are in the wrong order", (0, 26), Some("histogram_quantile(0.9, x)")),
    case("topk(x, 5)", Type, "`topk` needs a scalar as its parameter", (5, 6), Some("topk(5, x)")),
    case("topk(x)", Type, "`topk` takes a parameter and an instant vector, but 1 argument was given", (0, 7), Some("topk(3,")),
    case("sum()", Type, "`sum` needs an instant vector to aggregate", (0, 5), None),
    case("sum(a, b)", Type, "`sum` takes one instant vector, but 2 arguments were given", (0, 9), None),
    case("count_values(5, x)", Type, "`count_values` needs a string as its parameter", (13, 14), None),
    case("floor()", Type, "`floor` takes 1 argument, but 0 were given", (0, 7), Some("floor(instant vector)")),
    case("round(x, 1, 2)", Type, "`round` takes at most 2 arguments, but 3 were given", (0, 14), None),
    case("label_join(x)", Type, "`label_join` takes at least 3 arguments, but 1 was given", (0, 13), None),
    case("time(x)", Type, "`time` takes 0 arguments, but 1 was given", (0, 7), None),
    case("vector(x)", Type, "`vector` needs a scalar as argument 1", (7, 8), Some("scalar(x)")),
    case("clamp_max(1, 2)", Type, "`clamp_max` needs an instant vector as argument 1", (10, 11), Some("vector(1)")),
    case(r#"label_replace(x, dst, "$1", "src", "(.*)")"#, Type, "`label_replace` needs a string as argument 2", (17, 20), Some("\"dst\"")),
    case("round(x,)", Syntax, "trailing commas are not allowed", (7, 8), None),
    case("rate(,x)", Syntax, "expected an argument, but found `,`", (5, 6), None),
    case(r#"-"a""#, Type, "unary `-` works on scalars and instant vectors", (0, 4), None),
    case(r#"info(x, y{a="b"})"#, Type, "the second argument of `info` takes label matchers only", (8, 16), None),
    case("sum without(without)(x)", Syntax, "expected a label name, but found `without`", (12, 19), Some("\"without\"")),
    case("foo + fill_left(1) fill(2) bar", Modifier, "`fill` cannot be combined", (19, 23), None),
    case("foo and fill(0) bar", Modifier, "fill modifiers are not allowed with `and`", (8, 15), None),
    case("foo[5m] anchored smoothed", Modifier, "`anchored` and `smoothed` cannot be used together", (17, 25), None),
    case("foo[5m:] anchored", Modifier, "cannot be applied to a subquery", (9, 17), None),
];

fn first_error(query: &str) -> ParseError {
    match promql::parse(query) {
        Ok(expr) => panic!("{query:?} parsed, to:\n{}", promql::format::tree(&expr)),
        Err(errors) => match errors.into_iter().next() {
            Some(first) => first,
            None => panic!("{query:?} failed without an error"),
        },
    }
}

#[test]
fn bad_queries_get_the_message_span_and_hint_we_wrote_for_them() {
    let mut problems = Vec::new();
    for c in CASES {
        let e = first_error(c.query);
        let span = (e.span.start, e.span.end);
        let hint_ok = match (c.hint, &e.hint) {
            (None, _) => true,
            (Some(want), Some(got)) => got.contains(want),
            (Some(_), None) => false,
        };
        if e.kind != c.kind || !e.message.contains(c.message) || span != c.span || !hint_ok {
            problems.push(format!(
                "{:?}\n  want {:?} {:?} {:?} hint {:?}\n  got  {:?} {:?} {:?} hint {:?}",
                c.query, c.kind, c.message, c.span, c.hint, e.kind, e.message, span, e.hint
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} rows differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn one_parse_reports_several_problems() {
    let errors = promql::parse("rate(x) + rat(y[5m]) + sum(z[5m])").unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(errors.len(), 3, "{messages:?}");
    assert!(messages[0].contains("needs a range vector"));
    assert!(messages[1].contains("unknown function `rat`"));
    assert!(messages[2].contains("aggregates an instant vector"));

    // A bad argument does not stop the checks of the next one.
    let errors = promql::parse("clamp(x[5m], \"a\", y)").unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");

    // Recovery inside a matcher list and an argument list.
    let errors = promql::parse("sum(x{a=b, c=~\"(\"}) + foo(1)").unwrap_err();
    let kinds: Vec<ErrorKind> = errors.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ErrorKind::Syntax,
            ErrorKind::Regex,
            ErrorKind::UnknownFunction
        ]
    );
}

#[test]
fn queries_prometheus_accepts_are_accepted() {
    // Each is valid PromQL that a careless rule could reject.
    for q in [
        r#"{a!=""}"#,
        r#"{__name__=~"foo.+"}"#,
        r#"{"my.metric"}"#,
        r#"{"my.metric", "a.b"="c"}"#,
        r#"info(x, {a=~".*"})"#,
        "offset{step=\"1s\"}[5m] offset 1m",
        "sum + on(job) min",
        "foo and and",
        "sum(by)",
        "fill + fill(0) fill",
        "time",
        "start{end=\"x\"}",
        "1 - -1",
        "foo offset -7m @ 100",
        "x[5m:]",
        "x @ end() anchored",
        // RE2 as Go reads it: a brace that starts no repetition, a quoted literal run.
        r#"{job=~"x{"}"#,
        r#"{job=~"\\Qa.b\\E"}"#,
    ] {
        if let Err(errors) = promql::parse(q) {
            panic!("{q:?} should parse:\n{}", promql::error::render(q, &errors));
        }
    }
}

#[test]
fn nesting_is_limited_with_a_clear_error() {
    let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let errors = promql::parse(&deep).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, ErrorKind::TooDeep);

    // Long chains are as deep as nested parentheses.
    let chain = vec!["1"; 5_000].join(" + ");
    assert_eq!(
        promql::parse(&chain).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );
    let calls = format!("{}x{}", "abs(".repeat(1_000), ")".repeat(1_000));
    assert_eq!(
        promql::parse(&calls).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );
    let subqueries = format!("{}x{}", "max_over_time(".repeat(500), "[1m:])".repeat(500));
    assert_eq!(
        promql::parse(&subqueries).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );
    let durations = format!("x[{}]", vec!["1s"; 5_000].join("+"));
    assert_eq!(
        promql::parse(&durations).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );
    let unary = format!("{}1", "-".repeat(10_000));
    assert_eq!(
        promql::parse(&unary).unwrap_err()[0].kind,
        ErrorKind::TooDeep
    );

    // Prometheus' own stress case.
    let q = format!("({}){}", "-{}-1".repeat(10_000), "[1m:]".repeat(1_000));
    assert!(promql::parse(&q).is_err());

    // Just under the limit is fine.
    let ok = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    assert!(promql::parse(&ok).is_ok());
}

#[test]
fn the_deepest_accepted_query_fits_a_small_stack() {
    // WebAssembly gives the app one megabyte of stack. Parse, format, serialize, normalize
    // and drop the deepest trees the parser accepts on a thread with that much; this runs
    // in test (debug) builds, whose frames are two to three times larger than release ones.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let depth = simulator::promql::parser::MAX_DEPTH as usize - 1;
            let queries = [
                format!("{}x{}", "sum(".repeat(depth), ")".repeat(depth)),
                format!("{}x{}", "abs(".repeat(depth), ")".repeat(depth)),
                format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
                format!("{}x{}", "-(".repeat(depth / 2), ")".repeat(depth / 2)),
                vec!["x"; depth].join(" * "),
                format!("x[{}]", vec!["1s"; depth].join("+")),
                format!("x[{}1s{}]", "(1s+".repeat(depth / 2), ")".repeat(depth / 2)),
            ];
            for q in queries {
                let expr = promql::parse(&q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
                let formatted = promql::format(&expr);
                assert!(promql::parse(&formatted).unwrap().same_query(&expr));
                let _ = serde_json::to_string(&expr).unwrap();
                let _ = promql::format::tree(&expr);
                drop(expr);
            }
        })
        .unwrap();
    handle.join().unwrap();
}
