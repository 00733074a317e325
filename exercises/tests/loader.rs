//! Loader errors: every problem reported as `file:line: field: message`, at the right
//! line, and one broken exercise never hiding the others.
//!
//! Each case is a pack text and the errors it must give, each as `line: field: words of
//! the message`; the `check` helper compares them in order.

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use exercises::pack;

/// A sound exercise; cases break one thing at a time by appending or replacing lines.
const GOOD: &str = r#"[pack]
id = "p"
title = "P"
version = "1"
author = "a"
licence = "CC0-1.0"

[[exercise]]
id = "one"
module = "M"
title = "T"
difficulty = "beginner"
prompt = "Say hi."
reference = 'up'
data = { scenario = "demo" }
eval = { at = ["11:00", "11:30"] }
"#;

/// Loads `text` and compares its errors with `want` (`"line: field: message part"`).
fn check(text: &str, want: &[&str]) {
    let loaded = pack::load("t.toml", text);
    let got: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    let ok = got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            let (line_field, words) = w.rsplit_once(": ").unwrap_or((w, ""));
            g.starts_with(&format!("t.toml:{line_field}: ")) && g.contains(words)
        });
    assert!(ok, "\nwant {want:#?}\ngot  {got:#?}");
}

#[test]
fn a_sound_pack_loads() {
    let loaded = pack::load("t.toml", GOOD);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let ex = &loaded.pack.exercises[0];
    assert_eq!(ex.line, 8);
    assert_eq!(ex.data.seeds(), [1, 2]);
    assert_eq!(loaded.pack.meta.licence, "CC0-1.0");
    // `license` is accepted for `licence`.
    let us = GOOD.replace("licence", "license");
    assert!(pack::load("t.toml", &us).errors.is_empty());
}

#[test]
fn unknown_fields_and_wrong_types() {
    check(
        &format!("{GOOD}modul = \"x\"\n"),
        &["17: exercise[1].modul: unknown field `modul`; did you mean `module`?"],
    );
    check(
        &GOOD.replace("difficulty = \"beginner\"", "difficulty = 3"),
        &["12: exercise[1].difficulty: invalid type: integer `3`, expected a string"],
    );
    check(
        &GOOD.replace("difficulty = \"beginner\"", "difficulty = \"easy\""),
        &[
            "12: exercise[1].difficulty: unknown difficulty \"easy\": write \"beginner\", \"intermediate\" or \"advanced\"",
        ],
    );
    check(
        &GOOD.replace(
            "scenario = \"demo\"",
            "scenario = \"demo\", seeds = [1, \"2\"]",
        ),
        &["15: exercise[1].data.seeds[2]: invalid type: string \"2\", expected u64"],
    );
    check(
        &format!("{GOOD}\n[exercise.compare]\ntolerence = 0.1\n"),
        &[
            "19: exercise[1].compare.tolerence: unknown field `tolerence`, expected one of `tolerance`, `ordered`, `ignore_labels`",
        ],
    );
    check(
        &format!("{GOOD}\n[[exercise.wrong]]\nquery = 'down'\n"),
        &["18: exercise[1].wrong[1]: missing field `feedback`"],
    );
    check(
        &GOOD.replace("author = \"a\"", "author = \"a\"\nlicnse = \"x\""),
        &["6: pack.licnse: unknown field `licnse`"],
    );
    check(
        &format!("{GOOD}\n[[exercises]]\nid = \"x\"\n"),
        &["18: exercises: unknown top-level key `exercises`"],
    );
    check(
        &GOOD.replace("prompt = \"Say hi.\"\n", ""),
        &["8: exercise[1].prompt: missing field `prompt`"],
    );
    check(
        &GOOD.replace("[[exercise]]", "[exercise]"),
        &["8: exercise: `exercise` must be an array of tables"],
    );
    check(
        &GOOD.replace("title = \"T\"", "title = \"T"),
        &["11: syntax: "],
    );
}

#[test]
fn values_are_checked_where_they_are() {
    // A parse error on the second line of a multi-line reference is on that line.
    check(
        &GOOD.replace(
            "reference = 'up'",
            "reference = '''\nsum(\n  rate(up)\n)'''",
        ),
        &["16: exercise[1].reference: `rate` needs a range vector as argument 1"],
    );
    check(
        &GOOD.replace("scenario = \"demo\"", "scenario = \"dmeo\""),
        &["15: exercise[1].data.scenario: there is no scenario named \"dmeo\""],
    );
    check(
        &GOOD.replace("\"11:30\"", "\"13:30\""),
        &["16: exercise[1].eval.at[2]: 2026-01-01T13:30:00Z is outside the data window"],
    );
    check(
        &GOOD.replace("\"11:30\"", "\"soon\""),
        &["16: exercise[1].eval.at[2]: \"soon\" is not a time"],
    );
    check(
        &GOOD.replace(
            "eval = { at = [\"11:00\", \"11:30\"] }",
            "eval = { range = { start = \"11:00\", end = \"10:00\", step = \"1m\" } }",
        ),
        &["16: exercise[1].eval.range: the range must not end before it starts"],
    );
    check(
        &format!("{GOOD}constraints = {{ must_use = [\"irat\"] }}\n"),
        &["17: exercise[1].constraints.must_use[1]: \"irat\" is not a PromQL function"],
    );
    check(
        &format!("{GOOD}constraints = {{ must_use = [\"rate\"] }}\n"),
        &["14: exercise[1].reference: the reference does not use `rate()`"],
    );
    check(
        &format!("{GOOD}\n[[exercise.wrong]]\nquery = ' up '\nfeedback = \"same\"\n"),
        &["19: exercise[1].wrong[1].query: this is the reference query itself"],
    );
    check(
        &GOOD.replace("id = \"one\"", "id = \"one two\""),
        &["9: exercise[1].id: \"one two\" is not a valid id"],
    );
}

#[test]
fn custom_data_errors_point_into_the_load_block() {
    let custom = GOOD
        .replace(
            "data = { scenario = \"demo\" }",
            "data = { load = \"\"\"\nload 1m\n  up{job=\"a\"} 1 1 1\n  up{job=\"b\" 1 1 1\n\"\"\" }",
        )
        .replace("[\"11:00\", \"11:30\"]", "[\"1m\", \"2m\"]");
    check(&custom, &["18: exercise[1].data.load: "]);
    let custom = GOOD
        .replace(
            "data = { scenario = \"demo\" }",
            "data = { load = \"\"\"\nload 1m\n  up 1 1 1\n\"\"\" }",
        )
        .replace("[\"11:00\", \"11:30\"]", "[\"1m\", \"11:30\"]");
    check(
        &custom,
        &["19: exercise[1].eval.at[2]: a custom data set starts at time 0"],
    );
    let custom = GOOD.replace(
        "data = { scenario = \"demo\" }",
        "data = { load = \"\"\"\nload 1m\n  up 1 1 1\n\neval instant at 1m up\n  up 1\n\"\"\" }",
    );
    check(
        &custom,
        &["19: exercise[1].data.load: only `load` blocks belong here"],
    );
}

#[test]
fn one_broken_exercise_hides_nothing_else() {
    let three = format!(
        "{GOOD}\n[[exercise]]\nid = \"two\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"hard\"\nprompt = \"p\"\nreference = 'up'\ndata = {{ scenario = \"demo\", seeds = [] }}\neval = {{ at = [] }}\n\n[[exercise]]\nid = \"three\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"advanced\"\nprompt = \"p\"\nreference = 'up == 1'\ndata = {{ scenario = \"demo\" }}\neval = {{ at = [\"10:00\"] }}\n\n[[exercise]]\nid = \"one\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"advanced\"\nprompt = \"p\"\nreference = 'up'\ndata = {{ scenario = \"demo\" }}\neval = {{ at = [\"10:00\"] }}\n"
    );
    let loaded = pack::load("t.toml", &three);
    let ids: Vec<&str> = loaded
        .pack
        .exercises
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids, ["one", "three"]);
    assert_eq!(loaded.exercise_tables, 4);
    // Every problem of exercise 2 is reported, not only the first.
    check(
        &three,
        &[
            "22: exercise[2].difficulty: unknown difficulty \"hard\"",
            "25: exercise[2].data.seeds: list at least one seed",
            "39: exercise[4].id: the id \"one\" is already used by the exercise on line 8",
        ],
    );
    let by_exercise: Vec<Option<usize>> = loaded
        .errors
        .iter()
        .map(|e| e.exercise.as_ref().map(|x| x.index))
        .collect();
    assert_eq!(by_exercise, [Some(2), Some(2), Some(4)]);
}

/// A pack of exercises on custom data, one per element of `loads` (the series lines).
fn custom_pack(loads: &[&str]) -> String {
    let mut text = GOOD.split("[[exercise]]").next().unwrap().to_string();
    for (i, load) in loads.iter().enumerate() {
        text.push_str(&format!(
            "[[exercise]]\nid = \"e{i}\"\nmodule = \"M\"\ntitle = \"T\"\ndifficulty = \"beginner\"\nprompt = \"p\"\nreference = 'sum(x)'\ndata = {{ load = \"\"\"\nload 1m\n{load}\n\"\"\" }}\neval = {{ at = [\"1m\"] }}\n\n"
        ));
    }
    text
}

/// The series notation expands a dozen bytes into a million points; a pack opened from a
/// URL must not be able to make the loader allocate without bound. Expansion stops at the
/// line that crosses the per-data-set cap, and the pack's data sets share a second cap.
#[test]
fn series_notation_cannot_take_unbounded_memory() {
    let million = |i: usize| format!("  x{{i=\"{i}\"}} 0+1x999999");
    let three = [million(0), million(1), million(2)].join("\n");
    let loaded = pack::load("t.toml", &custom_pack(&[&three]));
    let got: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    // The third series line is line 19 of the file.
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with("t.toml:19: exercise[1].data.load: ")
            && got[0].contains("more than 2000000 points"),
        "{got:#?}"
    );

    // Two data sets of 1.5 million points each fit the pack; a third does not, and the
    // message says why the limit is lower than one data set's.
    let big = [million(0), "  y 0+1x499999".to_string()].join("\n");
    let loaded = pack::load("t.toml", &custom_pack(&[&big, &big, &big]));
    let got: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains("exercise[3].data.load")
            && got[0].contains("may hold 4000000 points together")
            && got[0].contains("use 3000000"),
        "{got:#?}"
    );
    assert_eq!(loaded.pack.exercises.len(), 2);
}
