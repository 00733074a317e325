//! `simulator promqltest`: runs Prometheus' PromQL test scripts against our engine.
//!
//! The runner itself is the library's `promqltest` module; this file finds the scripts,
//! reads the skip list and baseline, prints the reports and decides the exit status.

use simulator::promqltest::baseline::Baseline;
use simulator::promqltest::skips::{self, SkipList};
use simulator::promqltest::{self, FileReport, PromqlEngine};
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Why the command stopped.
enum Failure {
    /// A problem to report.
    Message(String),
    /// Writing the report failed (a closed pipe ends the command quietly).
    Output(io::Error),
}

impl From<String> for Failure {
    fn from(m: String) -> Failure {
        Failure::Message(m)
    }
}

impl From<&str> for Failure {
    fn from(m: &str) -> Failure {
        Failure::Message(m.to_string())
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Output(e)
    }
}

/// The committed skip list, built into the binary so the command works from any directory.
const SKIPS: &str = include_str!("../../promqltest-skips.toml");
/// The committed baseline, likewise.
const BASELINE: &str = include_str!("../../promqltest-baseline.toml");

/// What to run and how to report it.
pub struct Options {
    /// Script files or directories of `*.test` scripts; empty for the default suite.
    pub paths: Vec<PathBuf>,
    /// A skip list other than the committed one.
    pub skips: Option<PathBuf>,
    /// Check the passing counts against the committed baseline.
    pub check_baseline: bool,
    /// A baseline other than the committed one (implies checking).
    pub baseline: Option<PathBuf>,
    /// Write the passing counts as a new baseline to this file.
    pub write_baseline: Option<PathBuf>,
    /// Print skip-list entries for native-histogram evals that are not listed yet.
    pub print_skips: bool,
    /// Print only the count lines, not each failure.
    pub quiet: bool,
}

/// The default suite: `$PROMQLTEST_DIR`, else `shared/promqltest` beside the repository,
/// else `/work/shared/promqltest`.
fn default_dir() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("PROMQLTEST_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            repo.join("../shared/promqltest"),
            PathBuf::from("/work/shared/promqltest"),
        ])
        .find(|d| d.is_dir())
}

/// The scripts named by `paths` (directories contribute their `*.test` files), sorted by
/// file name within each directory.
fn scripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "test"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("no *.test scripts in {}", p.display()));
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!("{} does not exist", p.display()));
        }
    }
    Ok(out)
}

fn read_toml<T: serde::de::DeserializeOwned>(
    path: Option<&Path>,
    builtin: &str,
    what: &str,
) -> Result<T, String> {
    let (text, name) = match path {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            p.display().to_string(),
        ),
        None => (builtin.to_string(), format!("the built-in {what}")),
    };
    toml::from_str(&text).map_err(|e| format!("{name}: {e}"))
}

/// Runs the scripts and prints the reports; the last line is `N passed, N failed, N skipped`.
pub fn run(options: Options) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run_inner(options, &mut out);
    let flushed = out.flush();
    match (result, flushed) {
        (Err(Failure::Output(e)), _) | (Ok(_), Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        (Ok(code), Ok(())) => code,
        (Ok(_), Err(e)) | (Err(Failure::Output(e)), _) => {
            eprintln!("error: cannot write the report: {e}");
            ExitCode::FAILURE
        }
        (Err(Failure::Message(e)), _) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_inner(options: Options, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let paths = if options.paths.is_empty() {
        vec![default_dir().ok_or(
            "Prometheus' promqltest scripts were not found: pass their directory or set \
             PROMQLTEST_DIR",
        )?]
    } else {
        options.paths.clone()
    };
    let files = scripts(&paths)?;
    let skip_list: SkipList = read_toml(options.skips.as_deref(), SKIPS, "skip list")?;
    let check = options.check_baseline || options.baseline.is_some();
    let baseline: Option<Baseline> = if check {
        Some(read_toml(
            options.baseline.as_deref(),
            BASELINE,
            "baseline",
        )?)
    } else {
        None
    };

    let mut engine = PromqlEngine::default();
    let mut reports: Vec<FileReport> = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let report = promqltest::run_script(&name, &text, &mut engine, &skip_list);
        let text = report.render();
        if options.quiet {
            // The count line only.
            writeln!(out, "{}", text.lines().last().unwrap_or_default())?;
        } else {
            write!(out, "{text}")?;
        }
        if options.print_skips {
            for f in &report.failures {
                if let Some(why) = &f.unlisted_native {
                    writeln!(out, "{}", skips::entry_toml(&name, f.line, &f.query, why))?;
                }
            }
        }
        out.flush()?;
        reports.push(report);
    }

    // Skip-list problems: entries that no longer match an eval, and entries listed twice.
    let run_files: BTreeSet<String> = reports.iter().map(|r| r.file.clone()).collect();
    let used: BTreeSet<(String, usize)> = reports
        .iter()
        .flat_map(|r| r.skips.iter().map(|s| (r.file.clone(), s.line)))
        .collect();
    let stale = skip_list.stale(&run_files, &used);
    for e in &stale {
        writeln!(
            out,
            "STALE skip entry {}:{}: {} (the eval changed or no longer needs skipping)",
            e.file, e.line, e.query
        )?;
    }
    let duplicates = skip_list.duplicates();
    for e in &duplicates {
        writeln!(out, "DUPLICATE skip entry {}:{}", e.file, e.line)?;
    }
    let skip_problems = stale.len() + duplicates.len();

    let passed: usize = reports.iter().map(|r| r.passed).sum();
    let failed: usize = reports.iter().map(|r| r.failed).sum();
    let skipped: usize = reports.iter().map(|r| r.skipped).sum();

    if let Some(path) = &options.write_baseline {
        std::fs::write(path, Baseline::from_reports(&reports).to_toml())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        writeln!(out, "wrote the baseline to {}", path.display())?;
    }

    let mut ok = failed == 0 && skip_problems == 0;
    if let Some(baseline) = baseline {
        let regressions = baseline.check(&reports);
        for r in &regressions {
            match r.passed {
                Some(p) => writeln!(
                    out,
                    "REGRESSION {}: {p} evals pass, the baseline is {}",
                    r.file, r.baseline
                )?,
                None => writeln!(
                    out,
                    "REGRESSION {}: not run (baseline {})",
                    r.file, r.baseline
                )?,
            }
        }
        // For `make test`: the passing evals, and as failures the evals lost against the
        // baseline plus skip-list problems. Evals that never passed are not counted as
        // failures there; this command's last line and the reports above list them.
        let lost: usize = regressions.iter().map(|r| r.lost().max(1)).sum();
        writeln!(
            out,
            "SUMMARY {passed} passed, {} failed",
            lost + skip_problems
        )?;
        ok = regressions.is_empty() && skip_problems == 0;
    }
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
