//! The parser table: for each query, the tree the parser builds (as an outline with spans)
//! and how the formatter prints it. Precedence, associativity, modifier placement and
//! canonical printing are pinned here; each outline was checked by hand against Prometheus'
//! grammar (`generated_parser.y` at d15adb9) and its `parse_test.go`.

use simulator::promql;

struct Row {
    query: &'static str,
    formatted: &'static str,
    /// The outline, after a leading newline that keeps the literal readable.
    tree: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        query: r##"-1^2"##,
        formatted: r##"-1 ^ 2"##,
        tree: r##"
unary - 0..4
  binary ^ 2..3 1..4
    number 1 1..2
    number 2 3..4
"##,
    },
    Row {
        query: r##"-1*2"##,
        formatted: r##"-1 * 2"##,
        tree: r##"
binary * 2..3 0..4
  number -1 0..2
  number 2 3..4
"##,
    },
    Row {
        query: r##"2 ^ 3 ^ 2"##,
        formatted: r##"2 ^ 3 ^ 2"##,
        tree: r##"
binary ^ 2..3 0..9
  number 2 0..1
  binary ^ 6..7 4..9
    number 3 4..5
    number 2 8..9
"##,
    },
    Row {
        query: r##"1 + 2 * 3 - 4"##,
        formatted: r##"1 + 2 * 3 - 4"##,
        tree: r##"
binary - 10..11 0..13
  binary + 2..3 0..9
    number 1 0..1
    binary * 6..7 4..9
      number 2 4..5
      number 3 8..9
  number 4 12..13
"##,
    },
    Row {
        query: r##"a or b and c unless d"##,
        formatted: r##"a or b and c unless d"##,
        tree: r##"
binary or 2..4 0..21
  vector_selector 0..1
    selector a 0..1
      matcher __name__="a" 0..1
  binary unless 13..19 5..21
    binary and 7..10 5..12
      vector_selector 5..6
        selector b 5..6
          matcher __name__="b" 5..6
      vector_selector 11..12
        selector c 11..12
          matcher __name__="c" 11..12
    vector_selector 20..21
      selector d 20..21
        matcher __name__="d" 20..21
"##,
    },
    Row {
        query: r##"a > b + 1"##,
        formatted: r##"a > b + 1"##,
        tree: r##"
binary > 2..3 0..9
  vector_selector 0..1
    selector a 0..1
      matcher __name__="a" 0..1
  binary + 6..7 4..9
    vector_selector 4..5
      selector b 4..5
        matcher __name__="b" 4..5
    number 1 8..9
"##,
    },
    Row {
        query: r##"-a ^ b * c"##,
        formatted: r##"-a ^ b * c"##,
        tree: r##"
binary * 7..8 0..10
  unary - 0..6
    binary ^ 3..4 1..6
      vector_selector 1..2
        selector a 1..2
          matcher __name__="a" 1..2
      vector_selector 5..6
        selector b 5..6
          matcher __name__="b" 5..6
  vector_selector 9..10
    selector c 9..10
      matcher __name__="c" 9..10
"##,
    },
    Row {
        query: r##"a == bool 1 < bool 2"##,
        formatted: r##"a == bool 1 < bool 2"##,
        tree: r##"
binary < bool 12..13 0..20
  binary == bool 2..4 0..11
    vector_selector 0..1
      selector a 0..1
        matcher __name__="a" 0..1
    number 1 10..11
  number 2 19..20
"##,
    },
    Row {
        query: r##"foo offset 5m + 1"##,
        formatted: r##"foo offset 5m + 1"##,
        tree: r##"
binary + 14..15 0..17
  vector_selector 0..13
    selector foo offset 5m 0..3
      matcher __name__="foo" 0..3
  number 1 16..17
"##,
    },
    Row {
        query: r##"foo offset -2 ^ 2"##,
        formatted: r##"foo offset -2s ^ 2"##,
        tree: r##"
binary ^ 14..15 0..17
  vector_selector 0..13
    selector foo offset -2 0..3
      matcher __name__="foo" 0..3
  number 2 16..17
"##,
    },
    Row {
        query: r##"foo offset (1m) * 2"##,
        formatted: r##"foo offset (1m) * 2"##,
        tree: r##"
vector_selector 0..19
  selector foo offset (1m) * 2 0..3
    matcher __name__="foo" 0..3
"##,
    },
    Row {
        query: r##"sum(x) by (job)"##,
        formatted: r##"sum by (job) (x)"##,
        tree: r##"
aggregate sum by (job) (after) 7..15 0..15
  vector_selector 4..5
    selector x 4..5
      matcher __name__="x" 4..5
"##,
    },
    Row {
        query: r##"sum without () (x)"##,
        formatted: r##"sum without () (x)"##,
        tree: r##"
aggregate sum without () 4..14 0..18
  vector_selector 16..17
    selector x 16..17
      matcher __name__="x" 16..17
"##,
    },
    Row {
        query: r##"sum by () (x)"##,
        formatted: r##"sum(x)"##,
        tree: r##"
aggregate sum by () 4..9 0..13
  vector_selector 11..12
    selector x 11..12
      matcher __name__="x" 11..12
"##,
    },
    Row {
        query: r##"topk(5, x)"##,
        formatted: r##"topk(5, x)"##,
        tree: r##"
aggregate topk 0..10
  number 5 5..6
  vector_selector 8..9
    selector x 8..9
      matcher __name__="x" 8..9
"##,
    },
    Row {
        query: r##"{"my.metric", "a.b"="c"}"##,
        formatted: r##"{"a.b"="c",__name__="my.metric"}"##,
        tree: r##"
vector_selector 0..24
  selector 0..24
    matcher __name__="my.metric" 1..12
    matcher "a.b"="c" 14..23
"##,
    },
    Row {
        query: r##"foo{b="1",a=~"x.*"}"##,
        formatted: r##"foo{a=~"x.*",b="1"}"##,
        tree: r##"
vector_selector 0..19
  selector foo 0..19
    matcher b="1" 4..9
    matcher a=~"x.*" 10..18
    matcher __name__="foo" 0..3
"##,
    },
    Row {
        query: r##"x[5m:1m] @ end() offset -1h"##,
        formatted: r##"x[5m:1m] @ end() offset -1h"##,
        tree: r##"
subquery [5m:1m] @ end() offset -1h 0..27
  vector_selector 0..1
    selector x 0..1
      matcher __name__="x" 0..1
"##,
    },
    Row {
        query: r##"rate(x[1h30m] offset 1d)"##,
        formatted: r##"rate(x[1h30m] offset 1d)"##,
        tree: r##"
call rate 0..24
  matrix_selector [1h30m] 5..23
    selector x offset 1d 5..6
      matcher __name__="x" 5..6
"##,
    },
    Row {
        query: r##"a / on(job) group_left(instance) b"##,
        formatted: r##"a / on (job) group_left (instance) b"##,
        tree: r##"
binary / on (job) group_left (instance) 2..3 0..34
  vector_selector 0..1
    selector a 0..1
      matcher __name__="a" 0..1
  vector_selector 33..34
    selector b 33..34
      matcher __name__="b" 33..34
"##,
    },
    Row {
        query: r##"a + ignoring() b"##,
        formatted: r##"a + b"##,
        tree: r##"
binary + 2..3 0..16
  vector_selector 0..1
    selector a 0..1
      matcher __name__="a" 0..1
  vector_selector 15..16
    selector b 15..16
      matcher __name__="b" 15..16
"##,
    },
    Row {
        query: r##"a and on() b"##,
        formatted: r##"a and on () b"##,
        tree: r##"
binary and on () 2..5 0..12
  vector_selector 0..1
    selector a 0..1
      matcher __name__="a" 0..1
  vector_selector 11..12
    selector b 11..12
      matcher __name__="b" 11..12
"##,
    },
    Row {
        query: r##"left + fill(0) right"##,
        formatted: r##"left + fill (0) right"##,
        tree: r##"
binary + fill (0) 5..6 0..20
  vector_selector 0..4
    selector left 0..4
      matcher __name__="left" 0..4
  vector_selector 15..20
    selector right 15..20
      matcher __name__="right" 15..20
"##,
    },
    Row {
        query: r##"l + fill_left(1) fill_right(2) r"##,
        formatted: r##"l + fill_left (1) fill_right (2) r"##,
        tree: r##"
binary + fill_left (1) fill_right (2) 2..3 0..32
  vector_selector 0..1
    selector l 0..1
      matcher __name__="l" 0..1
  vector_selector 31..32
    selector r 31..32
      matcher __name__="r" 31..32
"##,
    },
    Row {
        query: r##"foo[5m] anchored @ 10 offset 1m"##,
        formatted: r##"foo[5m] anchored @ 10.000 offset 1m"##,
        tree: r##"
matrix_selector [5m] 0..31
  selector foo @ 10.000 anchored offset 1m 0..3
    matcher __name__="foo" 0..3
"##,
    },
    Row {
        query: r##"foo smoothed"##,
        formatted: r##"foo smoothed"##,
        tree: r##"
vector_selector 0..12
  selector foo smoothed 0..3
    matcher __name__="foo" 0..3
"##,
    },
    Row {
        query: r##"0x1F + 1_000 + 0755 + .5 + 5. + 1e3"##,
        formatted: r##"31 + 1000 + 493 + 0.5 + 5 + 1000"##,
        tree: r##"
binary + 30..31 0..35
  binary + 25..26 0..29
    binary + 20..21 0..24
      binary + 13..14 0..19
        binary + 5..6 0..12
          number 31 0..4
          number 1000 7..12
        number 493 15..19
      number 0.5 22..24
    number 5 27..29
  number 1000 32..35
"##,
    },
    Row {
        query: r##"label_replace(x, "dst", '$1', "src", `(.*)`)"##,
        formatted: r##"label_replace(x, "dst", "$1", "src", "(.*)")"##,
        tree: r##"
call label_replace 0..44
  vector_selector 14..15
    selector x 14..15
      matcher __name__="x" 14..15
  string "dst" 17..22
  string "$1" 24..28
  string "src" 30..35
  string "(.*)" 37..43
"##,
    },
    Row {
        query: r##"5m + 90"##,
        formatted: r##"5m + 90"##,
        tree: r##"
binary + 3..4 0..7
  number 5m 0..2
  number 90 5..7
"##,
    },
    Row {
        query: r##"x[90]"##,
        formatted: r##"x[1m30s]"##,
        tree: r##"
matrix_selector [90] 0..5
  selector x 0..1
    matcher __name__="x" 0..1
"##,
    },
    Row {
        query: r##"x[step()*2:]"##,
        formatted: r##"x[step() * 2:]"##,
        tree: r##"
subquery [step() * 2:] 0..12
  vector_selector 0..1
    selector x 0..1
      matcher __name__="x" 0..1
"##,
    },
    Row {
        query: r##"x[min_of(step(), 5m)]"##,
        formatted: r##"x[min_of(step(), 5m)]"##,
        tree: r##"
matrix_selector [min_of(step(), 5m)] 0..21
  selector x 0..1
    matcher __name__="x" 0..1
"##,
    },
    Row {
        query: r##"-(x) + +x"##,
        formatted: r##"-(x) + +x"##,
        tree: r##"
binary + 5..6 0..9
  unary - 0..4
    paren 1..4
      vector_selector 2..3
        selector x 2..3
          matcher __name__="x" 2..3
  unary + 7..9
    vector_selector 8..9
      selector x 8..9
        matcher __name__="x" 8..9
"##,
    },
    Row {
        query: r##"x @ 1700000000.5"##,
        formatted: r##"x @ 1700000000.500"##,
        tree: r##"
vector_selector 0..16
  selector x @ 1700000000.500 0..1
    matcher __name__="x" 0..1
"##,
    },
    Row {
        query: r##"count_values("v", x)"##,
        formatted: r##"count_values("v", x)"##,
        tree: r##"
aggregate count_values 0..20
  string "v" 13..16
  vector_selector 18..19
    selector x 18..19
      matcher __name__="x" 18..19
"##,
    },
    Row {
        query: r##"sum by (sum, offset, "a.b") (x)"##,
        formatted: r##"sum by (sum, offset, "a.b") (x)"##,
        tree: r##"
aggregate sum by (sum, offset, "a.b") 4..27 0..31
  vector_selector 29..30
    selector x 29..30
      matcher __name__="x" 29..30
"##,
    },
    Row {
        query: r##"x atan2 y"##,
        formatted: r##"x atan2 y"##,
        tree: r##"
binary atan2 2..7 0..9
  vector_selector 0..1
    selector x 0..1
      matcher __name__="x" 0..1
  vector_selector 8..9
    selector y 8..9
      matcher __name__="y" 8..9
"##,
    },
    Row {
        query: r##"x </ 2"##,
        formatted: r##"x </ 2"##,
        tree: r##"
binary </ 2..4 0..6
  vector_selector 0..1
    selector x 0..1
      matcher __name__="x" 0..1
  number 2 5..6
"##,
    },
    Row {
        query: r##"max_of(1, step())"##,
        formatted: r##"max_of(1, step())"##,
        tree: r##"
call max_of 0..17
  number 1 7..8
  call step 10..16
"##,
    },
    Row {
        query: r##"sum(x) # total"##,
        formatted: r##"sum(x)"##,
        tree: r##"
aggregate sum 0..6
  vector_selector 4..5
    selector x 4..5
      matcher __name__="x" 4..5
"##,
    },
    Row {
        query: r##"fill + fill(0) fill"##,
        formatted: r##"fill + fill (0) fill"##,
        tree: r##"
binary + fill (0) 5..6 0..19
  vector_selector 0..4
    selector fill 0..4
      matcher __name__="fill" 0..4
  vector_selector 15..19
    selector fill 15..19
      matcher __name__="fill" 15..19
"##,
    },
    // Before `^`, positive infinity prints without its sign, which would capture the power.
    Row {
        query: r##"Inf ^ 1"##,
        formatted: r##"Inf ^ 1"##,
        tree: r##"
binary ^ 4..5 0..7
  number +Inf 0..3
  number 1 6..7
"##,
    },
    // An offset starting with an unsigned parenthesis keeps reading arithmetic (Prometheus'
    // grammar), so the formatter prints it before `@`, which ends it.
    Row {
        query: r##"x offset (1m) @ 5 + y"##,
        formatted: r##"x offset (1m) @ 5.000 + y"##,
        tree: r##"
binary + 18..19 0..21
  vector_selector 0..17
    selector x @ 5.000 offset (1m) 0..1
      matcher __name__="x" 0..1
  vector_selector 20..21
    selector y 20..21
      matcher __name__="y" 20..21
"##,
    },
];
#[test]
fn queries_parse_to_the_expected_tree_and_format() {
    let mut problems = Vec::new();
    for row in ROWS {
        let expr = match promql::parse(row.query) {
            Ok(e) => e,
            Err(errors) => {
                problems.push(format!(
                    "{}:\n{}",
                    row.query,
                    promql::error::render(row.query, &errors)
                ));
                continue;
            }
        };
        let tree = promql::format::tree(&expr);
        if tree != row.tree[1..] {
            problems.push(format!(
                "{}: tree\n{tree}\nwanted\n{}",
                row.query,
                &row.tree[1..]
            ));
        }
        let formatted = promql::format(&expr);
        if formatted != row.formatted {
            problems.push(format!(
                "{}: formats as {formatted}, wanted {}",
                row.query, row.formatted
            ));
        }
        match promql::parse(&formatted) {
            Ok(again) if again.same_query(&expr) => {}
            _ => problems.push(format!(
                "{}: {formatted} does not read back the same",
                row.query
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_json_tree_has_spans_and_names_functions() {
    let expr = promql::parse("sum by (job) (rate(x{a=~\"b.*\"}[5m]))").unwrap();
    let json = serde_json::to_value(&expr).unwrap();
    assert_eq!(json["kind"], "aggregate");
    assert_eq!(json["op"], "sum");
    assert_eq!(json["span"], serde_json::json!({"start": 0, "end": 36}));
    assert_eq!(json["grouping"]["labels"][0]["name"], "job");
    assert_eq!(
        json["grouping"]["labels"][0]["span"],
        serde_json::json!({"start": 8, "end": 11})
    );
    let call = &json["expr"];
    assert_eq!(call["kind"], "call");
    assert_eq!(call["function"], "rate");
    let matrix = &call["args"][0];
    assert_eq!(matrix["kind"], "matrix_selector");
    assert_eq!(matrix["range"]["kind"], "literal");
    assert_eq!(matrix["range"]["seconds"], 300.0);
    assert_eq!(matrix["selector"]["matchers"][0]["op"], "=~");
    assert_eq!(
        matrix["selector"]["matchers"][0]["value_span"],
        serde_json::json!({"start": 24, "end": 29})
    );
    let inf = serde_json::to_value(promql::parse("-Inf").unwrap()).unwrap();
    assert_eq!(inf["value"], "-Inf");
}

#[test]
fn formatting_is_idempotent_and_normalization_ignores_spans() {
    let a = promql::parse("sum(rate(x[90s])) by (job)").unwrap();
    let b = promql::parse("sum   by(job)(rate(x[1m30s]))").unwrap();
    assert!(a.same_query(&b));
    assert_ne!(a, b, "the trees differ in spans and spelling");
    let c = promql::parse("sum by (instance) (rate(x[90s]))").unwrap();
    assert!(!a.same_query(&c));
    let once = promql::format(&a);
    assert_eq!(promql::format(&promql::parse(&once).unwrap()), once);
}
