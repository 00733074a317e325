//! The committed baseline: how many evals of each script passed when it was last raised.
//!
//! `make test` runs the whole suite and fails when a script passes fewer evals than its
//! baseline, so conformance can only go up. Raising the baseline is a deliberate edit (or
//! `simulator promqltest --write-baseline`), committed with the change that earned it.

use super::FileReport;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Passing evals per script file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Script file name to the number of evals that must pass.
    pub passing: BTreeMap<String, usize>,
}

/// A script that passes fewer evals than its baseline, or was not run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regression {
    /// The script.
    pub file: String,
    /// Its baseline.
    pub baseline: usize,
    /// What passed now; `None` when the script was not found.
    pub passed: Option<usize>,
}

impl Regression {
    /// How many evals below the baseline: the evals that used to pass and no longer do.
    pub fn lost(&self) -> usize {
        self.baseline - self.passed.unwrap_or(0).min(self.baseline)
    }
}

impl Baseline {
    /// The scripts that regressed, in file order.
    pub fn check(&self, reports: &[FileReport]) -> Vec<Regression> {
        self.passing
            .iter()
            .filter_map(|(file, &baseline)| {
                let passed = reports.iter().find(|r| &r.file == file).map(|r| r.passed);
                (passed.is_none_or(|p| p < baseline)).then(|| Regression {
                    file: file.clone(),
                    baseline,
                    passed,
                })
            })
            .collect()
    }

    /// A baseline recording what `reports` passed.
    pub fn from_reports(reports: &[FileReport]) -> Baseline {
        Baseline {
            passing: reports.iter().map(|r| (r.file.clone(), r.passed)).collect(),
        }
    }

    /// The baseline as the TOML file it is stored in.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# Evals of Prometheus' promqltest scripts that must keep passing, per script.\n\
             # `make test` fails when a script passes fewer. Raise these numbers with the change\n\
             # that makes more evals pass (`simulator promqltest --write-baseline FILE`).\n\n\
             [passing]\n",
        );
        for (file, n) in &self.passing {
            let _ = writeln!(out, "\"{file}\" = {n}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(file: &str, passed: usize) -> FileReport {
        FileReport {
            file: file.into(),
            passed,
            ..FileReport::default()
        }
    }

    #[test]
    fn regressions_and_missing_scripts() {
        let b = Baseline {
            passing: [
                ("a.test".to_string(), 10),
                ("b.test".to_string(), 5),
                ("c.test".to_string(), 1),
            ]
            .into(),
        };
        let r = b.check(&[report("a.test", 10), report("b.test", 3)]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].file.as_str(), r[0].passed, r[0].lost()),
            ("b.test", Some(3), 2)
        );
        assert_eq!(
            (r[1].file.as_str(), r[1].passed, r[1].lost()),
            ("c.test", None, 1)
        );
        assert!(
            b.check(&[
                report("a.test", 11),
                report("b.test", 5),
                report("c.test", 1)
            ])
            .is_empty()
        );
    }

    #[test]
    fn written_baselines_read_back() {
        let b = Baseline::from_reports(&[report("a.test", 3), report("fill-modifier.test", 0)]);
        let text = b.to_toml();
        let back: Baseline = toml::from_str(&text).unwrap();
        assert_eq!(back, b);
    }
}
