//! The schema's error type: which file, which setting and field, and what was expected.

use std::path::PathBuf;

/// An experiment file or a command-line value that does not validate.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// An experiment file is malformed or holds an invalid value.
    #[error("{path}: {message}")]
    Config {
        /// The experiment file.
        path: PathBuf,
        /// What is wrong, naming the field and the expected value.
        message: String,
    },
    /// An invalid value given outside a file (a flag such as `--shard` or `--device`).
    #[error("{0}")]
    Invalid(String),
}

impl SpecError {
    /// An error in experiment file `path`.
    pub fn config(path: &std::path::Path, message: impl Into<String>) -> Self {
        SpecError::Config { path: path.to_path_buf(), message: message.into() }
    }
}

/// The schema's result type.
pub type Result<T> = std::result::Result<T, SpecError>;
