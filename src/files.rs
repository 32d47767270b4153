//! The files of a model folder, found once: config.json (parsed here, the only read of
//! it), the vocabulary and the weights. Folders come from [`crate::assets`] or the hub cache
//! ([`crate::hub`]).

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The files of a model folder.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ModelFiles {
    /// The folder (or hub cache folder) holding the files.
    pub dir: PathBuf,
    /// `config.json` (Hugging Face layout).
    pub config: PathBuf,
    /// `vocab.txt` (WordPiece vocabulary), RoBERTa's `vocab.json` (with `merges.txt` beside
    /// it), DeBERTa's SentencePiece `spm.model`, or, with none of them, `tokenizer.json`
    /// (ModernBERT).
    pub vocab: PathBuf,
    /// `model.safetensors` (or `rust_model.ot` for rust-bert hub models).
    pub weights: PathBuf,
    /// config.json, parsed once when the folder is resolved.
    pub config_json: serde_json::Value,
    /// The architecture config.json names.
    pub arch: crate::arch::Arch,
}

impl ModelFiles {
    /// The files of a model folder with its config.json read and parsed (the only read of
    /// it: everything after resolution takes the parsed value).
    pub fn new(dir: PathBuf, config: PathBuf, vocab: PathBuf, weights: PathBuf) -> Result<Self> {
        let config_json = crate::arch::read_json(&config)?;
        let arch = crate::arch::Arch::from_config(&config_json, &config)?;
        Ok(ModelFiles { dir, config, vocab, weights, config_json, arch })
    }

    /// The files of a local model folder; every one must exist.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let need = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if p.is_file() {
                Ok(p)
            } else {
                Err(Error::model(
                    dir,
                    format!("missing `{name}` (a model folder needs config.json, a tokenizer (vocab.txt, vocab.json + merges.txt, or tokenizer.json) and model.safetensors)"),
                ))
            }
        };
        let weights = ["model.safetensors", "rust_model.ot"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| Error::model(dir, "missing `model.safetensors` (or rust-bert's `rust_model.ot`)"))?;
        // WordPiece, else SentencePiece (DeBERTa), else byte-level BPE files, else a
        // `tokenizers` tokenizer.json alone (ModernBERT); mixout_data::Tokenizer looks in the
        // same order.
        let vocab = if dir.join("vocab.txt").is_file() {
            dir.join("vocab.txt")
        } else if dir.join("spm.model").is_file() {
            dir.join("spm.model")
        } else if dir.join("vocab.json").is_file() {
            need("merges.txt")?;
            dir.join("vocab.json")
        } else if dir.join("tokenizer.json").is_file() {
            dir.join("tokenizer.json")
        } else {
            need("vocab.txt")?
        };
        ModelFiles::new(dir.to_path_buf(), need("config.json")?, vocab, weights)
    }
}
