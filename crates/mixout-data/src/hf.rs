//! Tokenizers given as a Hugging Face `tokenizer.json` alone (ModernBERT's byte-level BPE),
//! run by Hugging Face's own `tokenizers` crate, the library behind transformers' fast
//! tokenizers: the normaliser, pre-tokeniser, model and the special-token template of the
//! file itself, and truncation with `longest_first` to `max_len` as `AutoTokenizer`
//! (`truncation=True, max_length=max_len`) sets it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokenizers::{PostProcessor, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::error::{DataError, Result};

/// A `tokenizer.json` tokenizer, with one truncating copy per `max_len` in use.
pub struct HfTokenizer {
    base: Tokenizer,
    path: PathBuf,
    truncating: Mutex<HashMap<usize, Arc<Tokenizer>>>,
}

impl HfTokenizer {
    /// Reads `tokenizer.json`. Refuses one that could fail on some text (a BPE with neither
    /// an unknown token, byte fallback nor a byte-level pre-tokeniser), so that encoding
    /// never fails later, in the middle of a dataset.
    pub fn from_file(path: &Path) -> Result<Self> {
        let fail = |message: String| DataError::Tokenizer { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|cause| DataError::Io { path: path.to_path_buf(), cause })?;
        let json: Value = serde_json::from_str(&text).map_err(|e| fail(format!("invalid JSON: {e}")))?;
        let model = &json["model"];
        let byte_level = json["pre_tokenizer"].to_string().contains("\"ByteLevel\"");
        if model["type"] == "BPE" && model["unk_token"].is_null() && model["byte_fallback"] != true && !byte_level {
            return Err(fail(
                "a BPE model with no `unk_token`, no `byte_fallback` and no ByteLevel pre-tokenizer cannot encode every text"
                    .into(),
            ));
        }
        let base = Tokenizer::from_bytes(text.as_bytes()).map_err(|e| fail(e.to_string()))?;
        Ok(HfTokenizer { base, path: path.to_path_buf(), truncating: Mutex::new(HashMap::new()) })
    }

    /// The ids of the `[cls, sep, pad]` tokens a `tokenizer_config.json` names (`cls_token`,
    /// `sep_token`, `pad_token`), BERT's `[CLS]`, `[SEP]`, `[PAD]` where it names none.
    pub fn special_ids(&self, tokenizer_config: &Path) -> Result<[i64; 3]> {
        let names = special_names(tokenizer_config)?;
        let mut ids = [0; 3];
        for (slot, token) in ids.iter_mut().zip(&names) {
            *slot = self.token_id(token).ok_or_else(|| DataError::Tokenizer {
                path: self.path.clone(),
                message: format!("the vocabulary has no `{token}` token"),
            })?;
        }
        Ok(ids)
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Id of a token of the vocabulary (added tokens included).
    pub fn token_id(&self, token: &str) -> Option<i64> {
        self.base.token_to_id(token).map(i64::from)
    }

    /// Vocabulary size, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.base.get_vocab_size(true)
    }

    /// Ids of a text without special tokens or truncation.
    pub fn ids(&self, text: &str) -> Vec<i64> {
        self.base.encode(text, false).map(|e| e.get_ids().iter().map(|&i| i64::from(i)).collect()).unwrap_or_default()
    }

    /// The template's encoding of `a` (and `b`) in at most `max_len` tokens (at least the
    /// special tokens: a smaller `max_len` keeps only those): ids and segment ids.
    pub fn encode(&self, a: &str, b: Option<&str>, max_len: usize) -> (Vec<i64>, Vec<i64>) {
        let tok = self.truncating_to(max_len, b.is_some());
        let encoding = match b {
            Some(b) => tok.encode((a, b), true),
            None => tok.encode(a, true),
        };
        // Cannot fail: `from_file` refused models that could, and longest-first truncation
        // of one or two sequences has no failure case.
        let Ok(e) = encoding else { return (vec![], vec![]) };
        let wide = |v: &[u32]| v.iter().map(|&i| i64::from(i)).collect();
        (wide(e.get_ids()), wide(e.get_type_ids()))
    }

    /// The tokenizer truncating longest-first to `max_len` (raised to the number of special
    /// tokens: `tokenizers` subtracts them from it unchecked).
    fn truncating_to(&self, max_len: usize, pair: bool) -> Arc<Tokenizer> {
        let special = self.base.get_post_processor().map_or(0, |p| p.added_tokens(pair));
        let max_length = max_len.max(special);
        let mut cache = self.truncating.lock().unwrap_or_else(|p| p.into_inner());
        let entry = cache.entry(max_length).or_insert_with(|| {
            let mut t = self.base.clone();
            let params = TruncationParams {
                max_length,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            };
            // Stride 0 is always below the effective length: this cannot fail.
            let _ = t.with_truncation(Some(params));
            let _ = t.with_padding(None);
            Arc::new(t)
        });
        Arc::clone(entry)
    }
}

/// `[cls, sep, pad]` token strings from a `tokenizer_config.json` (a string or an added-token
/// object with `content`), defaulting to BERT's when the file or a key is absent.
fn special_names(path: &Path) -> Result<[String; 3]> {
    let mut names = ["[CLS]", "[SEP]", "[PAD]"].map(String::from);
    let Some(config) = crate::tokenizer_config::read(path)? else {
        return Ok(names);
    };
    let fail = |message: String| DataError::Tokenizer { path: path.to_path_buf(), message };
    for (slot, key) in names.iter_mut().zip(["cls_token", "sep_token", "pad_token"]) {
        match config.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => *slot = s.clone(),
            Some(v) => match v.get("content").and_then(Value::as_str) {
                Some(s) => *slot = s.to_string(),
                None => return Err(fail(format!("expected `{key}` to be a token string, found {v}"))),
            },
        }
    }
    Ok(names)
}
