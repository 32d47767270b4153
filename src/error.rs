//! The library's one error type. Messages name the file, field or variable at fault and
//! what was expected, so a user can fix a YAML file or a model folder without reading code.

use std::path::{Path, PathBuf};

/// Every error the harness library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {cause}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error (in the message, not a separate link of the chain, so it is said once).
        cause: std::io::Error,
    },
    /// An invalid value given by the user outside a file (flags, API calls).
    #[error("{0}")]
    Invalid(String),
    /// A model folder or checkpoint does not fit the model being built.
    #[error("model {path}: {message}")]
    Model {
        /// The model folder or checkpoint.
        path: PathBuf,
        /// What is missing or mismatched.
        message: String,
    },
    /// The mixout operator was asked for something outside its definition.
    #[error("mixout: {0}")]
    Mixout(String),
    /// A tensor operation failed inside libtorch.
    #[error("libtorch: {0}")]
    Torch(tch::TchError),
    /// rust-bert refused a configuration.
    #[error("rust-bert: {0}")]
    RustBert(rust_bert::RustBertError),
    /// An experiment file or flag does not validate.
    #[error(transparent)]
    Spec(#[from] mixout_spec::SpecError),
    /// Reading or tokenising data failed.
    #[error(transparent)]
    Data(#[from] mixout_data::DataError),
    /// Writing or reading result files failed.
    #[error(transparent)]
    Report(#[from] mixout_report::ReportError),
    /// A JSON document could not be (de)serialised.
    #[error("{path}: {cause}")]
    Json {
        /// The file concerned.
        path: PathBuf,
        /// What serde found.
        cause: serde_json::Error,
    },
    /// A resolution made once for a study and shared by its settings failed.
    #[error(transparent)]
    Resolve(std::sync::Arc<Error>),
    /// The user interrupted the sweep (Ctrl-C); finished runs are kept.
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), cause: source }
    }
    /// A model loading error for `path`.
    pub fn model(path: &Path, message: impl Into<String>) -> Self {
        Error::Model { path: path.to_path_buf(), message: message.into() }
    }
}

// Not `#[from]`: that would also make the inner error the next link of the chain, and
// `{:#}` would print its text twice ("libtorch: X: X").
impl From<tch::TchError> for Error {
    fn from(e: tch::TchError) -> Self {
        Error::Torch(e)
    }
}

impl From<rust_bert::RustBertError> for Error {
    fn from(e: rust_bert::RustBertError) -> Self {
        Error::RustBert(e)
    }
}

/// Result alias of the library.
pub type Result<T> = std::result::Result<T, Error>;
