//! Facts about the results shown above the tables: what ran, on what, with which harness.

use crate::results::RunResult;

/// Facts about the whole results folder shown above the tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// Number of result files read.
    pub n_results: usize,
    /// Distinct experiment names.
    pub experiments: Vec<String>,
    /// Distinct model folders or hub ids.
    pub models: Vec<String>,
    /// Distinct harness versions (`mixout` version and git description).
    pub versions: Vec<String>,
}

impl Provenance {
    /// Collects the distinct experiments, models and versions, sorted.
    pub fn of(results: &[RunResult]) -> Self {
        let uniq = |f: &dyn Fn(&RunResult) -> String| -> Vec<String> {
            let mut v: Vec<String> = results.iter().map(f).collect();
            v.sort();
            v.dedup();
            v
        };
        Self {
            n_results: results.len(),
            experiments: uniq(&|r| r.experiment.clone()),
            models: uniq(&|r| r.model.clone()),
            versions: uniq(&|r| match &r.versions.git {
                Some(g) => {
                    format!("mixout {} ({g}), libtorch {}", r.versions.mixout, r.versions.libtorch)
                }
                None => format!("mixout {}, libtorch {}", r.versions.mixout, r.versions.libtorch),
            }),
        }
    }

    /// Whether any model is one of the shipped sentence-encoder MiniLMs.
    pub fn uses_minilm(&self) -> bool {
        self.models.iter().any(|m| m.to_ascii_lowercase().contains("minilm"))
    }
}
