//! The report crate's error type.

use std::path::{Path, PathBuf};

/// Errors of reading result files and writing reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{path}: {cause}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error (in the message, not a separate link of the chain, so it is said once).
        cause: std::io::Error,
    },
    /// A result file is not valid JSON of the expected layout.
    #[error("{path}: not a valid result file: {cause}")]
    Json {
        /// The result file.
        path: PathBuf,
        /// What serde found.
        cause: serde_json::Error,
    },
    /// The results folder does not exist.
    #[error("{0}: no such results folder (run `mixout run EXPERIMENT.yaml` first, or pass the folder it printed)")]
    NotADir(PathBuf),
    /// The results folder holds no result files.
    #[error("{0}: no result files (*.json) found")]
    Empty(PathBuf),
    /// A task's summary does not describe the settings of its runs (a bug of this crate).
    #[error("{0}: the summary and the runs of this task list different settings")]
    Inconsistent(String),
    /// Drawing a plot failed.
    #[error("{path}: drawing failed: {message}")]
    Plot {
        /// The PNG being drawn.
        path: PathBuf,
        /// What plotters reported.
        message: String,
    },
}

impl ReportError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ReportError::Io { path: path.to_path_buf(), cause: source }
    }
}

/// Result alias of the report crate.
pub type Result<T> = std::result::Result<T, ReportError>;
