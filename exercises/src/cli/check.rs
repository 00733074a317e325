//! `exercises check [PATHS]`.

use exercises::grader::Grader;
use exercises::validator::{self, PackReport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the packs of this repository live, relative to its root.
const DEFAULT_DIR: &str = "exercises/packs";

pub fn run(paths: &[PathBuf]) -> ExitCode {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_DIR)]
    } else {
        paths.to_vec()
    };
    let mut files = Vec::new();
    for p in &paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("exercises check: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    if files.is_empty() {
        eprintln!(
            "exercises check: no .toml files in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::from(2);
    }
    let mut grader = Grader::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let name = file.display().to_string();
        let report = match std::fs::read_to_string(file) {
            Ok(text) => validator::check_pack(&name, &text, &mut grader),
            Err(e) => PackReport {
                file: name.clone(),
                pack_id: String::new(),
                problems: vec![format!("{name}: cannot read: {e}")],
                exercises: Vec::new(),
            },
        };
        print(&report, &mut passed, &mut failed);
    }
    println!();
    println!("SUMMARY {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print(report: &PackReport, passed: &mut usize, failed: &mut usize) {
    let pack = if report.pack_id.is_empty() {
        report.file.as_str()
    } else {
        report.pack_id.as_str()
    };
    if !report.problems.is_empty() {
        *failed += 1;
        println!("FAIL {pack} ({})", report.file);
        for p in &report.problems {
            println!("     - {p}");
        }
    }
    for e in &report.exercises {
        let name = format!("{pack}/{}", e.id);
        if e.ok() {
            *passed += 1;
            println!("ok   {name:<48} {}", e.summary);
        } else {
            *failed += 1;
            println!("FAIL {name:<48} {}", e.summary);
            for p in &e.problems {
                println!("     - {p}");
            }
        }
    }
}

/// Adds `path` if it is a file, or every `*.toml` under it (sorted) if it is a directory.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out)?;
            } else if e.extension().is_some_and(|x| x == "toml") {
                out.push(e);
            }
        }
        Ok(())
    } else {
        // Reading it reports a missing file with the OS's words.
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        Ok(())
    }
}
