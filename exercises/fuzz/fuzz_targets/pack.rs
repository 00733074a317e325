//! Fuzzes the pack loader: packs come from anywhere (a URL a learner pastes), so any text
//! must load without panicking, every error must name a line inside the file, and every
//! exercise that loads must have an id and its Markdown must render.

#![no_main]

use exercises::{markdown, pack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = pack::load("fuzz.toml", text);
    let lines = text.split('\n').count().max(1);
    for e in &loaded.errors {
        assert!(
            e.line <= lines,
            "error at line {} of a {lines}-line file: {e}",
            e.line
        );
        let _ = e.to_string();
    }
    assert!(loaded.pack.exercises.len() <= loaded.exercise_tables);
    for ex in &loaded.pack.exercises {
        assert!(!ex.id.is_empty(), "an exercise loaded without an id");
        let _ = markdown::render(&ex.prompt);
        for hint in &ex.hints {
            let _ = markdown::render(hint);
        }
    }
});
