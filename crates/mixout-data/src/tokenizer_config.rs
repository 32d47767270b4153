//! Reading a model folder's `tokenizer_config.json`: the one place that opens and parses it.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::error::{DataError, Result};

/// A `tokenizer_config.json`, parsed; None when the file does not exist.
pub(crate) fn read(path: &Path) -> Result<Option<Value>> {
    match fs::read_to_string(path) {
        Ok(text) => parse(path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(cause) => Err(DataError::Io { path: path.to_path_buf(), cause }),
    }
}

/// A `tokenizer_config.json`'s text, parsed (invalid JSON names the file).
pub(crate) fn parse(path: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|e| DataError::Tokenizer { path: path.to_path_buf(), message: format!("invalid JSON: {e}") })
}
