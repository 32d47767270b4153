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
        Self::of_all(results)
    }

    /// [`Provenance::of`] results from several folders.
    pub fn of_all<'a>(results: impl IntoIterator<Item = &'a RunResult> + Clone) -> Self {
        let uniq = |f: &dyn Fn(&RunResult) -> String| -> Vec<String> {
            let set: std::collections::BTreeSet<String> = results.clone().into_iter().map(f).collect();
            set.into_iter().collect()
        };
        Self {
            n_results: results.clone().into_iter().count(),
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
