//! `exercises grade PACK_FILE EXERCISE_ID QUERY`.

use exercises::grader::Grader;
use exercises::pack;
use std::path::Path;
use std::process::ExitCode;

pub fn run(pack_file: &Path, exercise_id: &str, query: &str) -> ExitCode {
    let name = pack_file.display().to_string();
    let text = match std::fs::read_to_string(pack_file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("exercises grade: {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let loaded = pack::load(&name, &text);
    let Some(exercise) = loaded.pack.exercise(exercise_id) else {
        for e in &loaded.errors {
            eprintln!("{e}");
        }
        let ids: Vec<&str> = loaded
            .pack
            .exercises
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        eprintln!(
            "exercises grade: {name} has no usable exercise {exercise_id:?}; its exercises are: {}",
            ids.join(", ")
        );
        return ExitCode::from(2);
    };
    let verdict = Grader::new().grade(exercise, query);
    match serde_json::to_string_pretty(&verdict) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("exercises grade: cannot write the verdict: {e}");
            return ExitCode::from(2);
        }
    }
    if verdict.pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
