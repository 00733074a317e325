//! The packs in this repository and the example in `exercises/README.md`.
//!
//! `make test` runs `exercises check` on `exercises/packs` (every reference, wrong answer and
//! prompt, in a release build). These tests keep the README's example working and hold the
//! course to its shape: enough exercises and modules, each with hints and wrong answers.

// Helpers outside #[test] functions unwrap too: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use exercises::grader::Grader;
use exercises::pack;
use exercises::validator;
use std::collections::BTreeSet;
use std::path::Path;

fn readme_example() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- example-pack:start -->")
        .expect("start marker");
    let end = readme
        .find("<!-- example-pack:end -->")
        .expect("end marker");
    let block = &readme[start..end];
    let body = block.split_once("```toml\n").expect("a toml block").1;
    body.rsplit_once("```")
        .expect("closing fence")
        .0
        .to_string()
}

#[test]
fn the_readme_example_passes_the_validator() {
    let report = validator::check_pack("README.md", &readme_example(), &mut Grader::new());
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.exercises.len(), 2);
    for e in &report.exercises {
        assert!(e.ok(), "{}: {:#?}", e.id, e.problems);
    }
}

fn course() -> Vec<(String, pack::Pack)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("packs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let loaded = pack::load(&name, &std::fs::read_to_string(&f).unwrap());
            assert!(loaded.errors.is_empty(), "{:#?}", loaded.errors);
            (name, loaded.pack)
        })
        .collect()
}

#[test]
fn the_course_has_its_shape() {
    let packs = course();
    let mut pack_ids = BTreeSet::new();
    let mut modules = BTreeSet::new();
    let mut exercises = 0;
    let mut scenarios = BTreeSet::new();
    for (file, p) in &packs {
        assert!(
            pack_ids.insert(p.meta.id.clone()),
            "{file}: pack id {} twice",
            p.meta.id
        );
        for e in &p.exercises {
            exercises += 1;
            modules.insert(e.module.clone());
            assert!(
                e.hints.len() >= 2,
                "{file}: {} has {} hints",
                e.id,
                e.hints.len()
            );
            assert!(
                e.wrong.len() >= 2,
                "{file}: {} has {} wrong answers",
                e.id,
                e.wrong.len()
            );
            if let pack::Data::Scenario(s) = &e.data {
                scenarios.insert(s.scenario.clone());
            }
        }
    }
    assert!(exercises >= 48, "{exercises} exercises");
    assert!(modules.len() >= 8, "modules: {modules:?}");
    // The course is built on every seed scenario and the demo service.
    for s in [
        "demo",
        "ebanking",
        "inventory",
        "ml-platform",
        "ecompulse",
        "ecommerce-api",
    ] {
        assert!(scenarios.contains(s), "no exercise on {s}");
    }
}
