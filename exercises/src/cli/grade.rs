//! `exercises grade [--prometheus URL [--time T] [--ca-file PEM]
//! [--bearer-token-file FILE | --basic-auth-file FILE]] PACK_FILE EXERCISE_ID QUERY`.

use super::server::{Access, Server};
use exercises::grader::server::{self, Placement};
use exercises::grader::{Grader, Verdict};
use exercises::pack::{self, Exercise};
use std::path::Path;
use std::process::ExitCode;

/// Where the answer is evaluated.
pub enum Source<'a> {
    /// Our engine, on the exercise's own data.
    Simulator,
    /// A Prometheus-compatible server at this base URL, reached as `Access` says, the
    /// exercise placed as told.
    Prometheus(&'a str, Access, Placement),
}

pub fn run(pack_file: &Path, exercise_id: &str, query: &str, source: Source<'_>) -> ExitCode {
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
    let verdict = match source {
        Source::Simulator => Grader::new().grade(exercise, query),
        Source::Prometheus(url, access, placement) => {
            match on_server(exercise, query, url, access, placement) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("exercises grade: {e}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    match serde_json::to_string_pretty(&verdict) {
        Ok(json) => println!("{json}"),
        Err(e) => {
            eprintln!("exercises grade: cannot write the verdict: {e}");
            return ExitCode::from(2);
        }
    }
    // An `internal` item means the exercise or the server could not be used (the reference
    // failed or found no data): that is the documented exit status 2, not a wrong answer.
    if verdict
        .feedback
        .iter()
        .any(|f| matches!(f, exercises::grader::Feedback::Internal { .. }))
    {
        ExitCode::from(2)
    } else if verdict.pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Grades on the server: the text checks first (nothing is sent for a query that does not
/// parse), then both queries at every planned time. `Err` when the server cannot be asked.
fn on_server(
    exercise: &Exercise,
    query: &str,
    url: &str,
    access: Access,
    placement: Placement,
) -> Result<Verdict, String> {
    // The CA file is read first: a bad one is reported even for a query that does not parse.
    let client = Server::new(url, access)?;
    if let Some(verdict) = server::precheck(exercise, query) {
        return Ok(verdict);
    }
    let plan = server::plan(exercise, placement).map_err(|e| e.to_string())?;
    if client.sends_credentials_in_clear() {
        eprintln!(
            "exercises grade: warning: {url} is plain HTTP, so the credentials travel \
             unencrypted; use https:// if the server offers it"
        );
    }
    let reference = client.answers(&plan, &exercise.reference)?;
    let learner = client.answers(&plan, query)?;
    Ok(server::grade_results(
        exercise, &plan, query, &reference, &learner,
    ))
}
