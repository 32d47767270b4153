//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while reading tasks, tokenisers or evaluating predictions.
///
/// Messages are meant for the person running an experiment: they name the file, the
/// 1-based line and what was expected, so a broken row can be found and fixed by hand.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file could not be opened or read.
    #[error("cannot read {}: {cause}", .path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        cause: std::io::Error,
    },

    /// A line of a data or configuration file does not have the expected shape.
    #[error("{}:{line}: expected {expected}, found {found}", .path.display())]
    Malformed {
        /// The file holding the bad line.
        path: PathBuf,
        /// 1-based line number (the header, when there is one, is line 1).
        line: usize,
        /// What the reader needed at that place.
        expected: String,
        /// What it got instead (shortened when long).
        found: String,
    },

    /// A GLUE task name that this crate does not know.
    #[error("unknown GLUE task `{name}`; known tasks: {known}")]
    UnknownTask {
        /// The name asked for.
        name: String,
        /// Comma-separated list of the known task names.
        known: String,
    },

    /// A custom task definition that cannot work (bad column, metric, label set...).
    #[error("invalid task `{task}`: {message}")]
    InvalidTask {
        /// The task's name as given in its configuration.
        task: String,
        /// What is wrong with it.
        message: String,
    },

    /// A model folder whose tokenizer files cannot be used.
    #[error("cannot build a tokenizer from {}: {message}", .path.display())]
    Tokenizer {
        /// The file that failed (vocab.txt or tokenizer_config.json).
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// A request for more distinct examples than exist.
    #[error("cannot draw a subset of {n} examples from only {n_total}")]
    SubsetTooLarge {
        /// The requested subset size.
        n: usize,
        /// The number of examples available.
        n_total: usize,
    },

    /// A file of a Hugging Face hub repository that could not be had: not cached while
    /// offline, refused by the server, or damaged on the way.
    #[error("{kind} `{repo}`, file `{file}`: {message}")]
    Hub {
        /// `model` or `dataset`.
        kind: &'static str,
        /// The repository id (`sentence-transformers/paraphrase-MiniLM-L3-v2`).
        repo: String,
        /// The file inside the repository.
        file: String,
        /// What went wrong, and what to do instead.
        message: String,
    },

    /// No folder for the Hugging Face hub cache can be named from the environment.
    #[error("no folder for the Hugging Face hub cache: set HF_HUB_CACHE or HF_HOME (HOME is unset)")]
    NoHubCache,

    /// A parquet file that cannot be read as the task's table.
    #[error("{}: {message}", .path.display())]
    Parquet {
        /// The parquet file.
        path: PathBuf,
        /// What is wrong (a missing column, a null, a damaged page...).
        message: String,
    },

    /// Predictions that cannot be scored against the gold labels of a task.
    #[error("cannot evaluate task `{task}`: {message}")]
    Evaluation {
        /// The task being evaluated.
        task: String,
        /// Why the predictions do not fit.
        message: String,
    },
}

/// Shorthand for results carrying a [`DataError`].
pub type Result<T> = std::result::Result<T, DataError>;

/// Cuts `text` to a length that keeps an error message on one screen line.
pub(crate) fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    if text.chars().count() <= MAX_CHARS {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("{head:?}...")
    }
}
