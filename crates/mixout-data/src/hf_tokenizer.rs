//! The tokenizer files of an exported Hugging Face folder, written from the tokenizer we
//! finetuned with, so transformers (4.x and 5.x) tokenises exactly as we do whatever the
//! source folder shipped: `tokenizer.json` (built with Hugging Face's own `tokenizers` crate:
//! WordPiece with BERT's normaliser and our casing, or byte-level BPE) and the keys of
//! `tokenizer_config.json` that decide the tokenizer (class, casing, special tokens, length).

use std::path::Path;

use serde_json::Value;
use tokenizers::decoders::{byte_level::ByteLevel as ByteLevelDecoder, wordpiece::WordPiece as WordPieceDecoder};
use tokenizers::models::{bpe::BPE, wordpiece::WordPiece};
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::{bert::BertPreTokenizer, byte_level::ByteLevel};
use tokenizers::processors::{bert::BertProcessing, roberta::RobertaProcessing};
use tokenizers::AddedToken;

use crate::error::{DataError, Result};
use crate::tokenize::{Tokenizer, VocabKind};

/// The special tokens of a vocabulary kind, as `tokenizer_config.json` keys.
pub fn special_tokens(kind: VocabKind) -> [(&'static str, &'static str); 7] {
    match kind {
        VocabKind::WordPiece | VocabKind::TokenizerJson => [
            ("unk_token", "[UNK]"),
            ("sep_token", "[SEP]"),
            ("pad_token", "[PAD]"),
            ("cls_token", "[CLS]"),
            ("mask_token", "[MASK]"),
            ("bos_token", ""),
            ("eos_token", ""),
        ],
        VocabKind::Bpe => [
            ("unk_token", "<unk>"),
            ("sep_token", "</s>"),
            ("pad_token", "<pad>"),
            ("cls_token", "<s>"),
            ("mask_token", "<mask>"),
            ("bos_token", "<s>"),
            ("eos_token", "</s>"),
        ],
        VocabKind::SentencePiece => [
            ("unk_token", "[UNK]"),
            ("sep_token", "[SEP]"),
            ("pad_token", "[PAD]"),
            ("cls_token", "[CLS]"),
            ("mask_token", "[MASK]"),
            ("bos_token", "[CLS]"),
            ("eos_token", "[SEP]"),
        ],
    }
}

/// `tokenizer_config.json` for an export: the source's content (when it had one) with the keys
/// that decide tokenisation set to ours: `tokenizer_class`, `do_lower_case`, `strip_accents`
/// (WordPiece), `model_max_length` and the special tokens.
pub fn tokenizer_config(tok: &Tokenizer, source: Option<Value>, class: &str, model_max_length: usize) -> Value {
    let mut config = match source {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    // Auto classes and the fast/slow split of transformers 4 would pick another class.
    for stale in ["auto_map", "tokenizer_file", "name_or_path"] {
        config.remove(stale);
    }
    config.insert("tokenizer_class".into(), class.into());
    config.insert("do_lower_case".into(), tok.lower_case().into());
    match tok.kind() {
        VocabKind::WordPiece => {
            config.insert("strip_accents".into(), tok.strip_accents().into());
            config.insert("tokenize_chinese_chars".into(), true.into());
        }
        VocabKind::Bpe => {
            config.insert("add_prefix_space".into(), false.into());
            config.insert("trim_offsets".into(), true.into());
        }
        VocabKind::SentencePiece => {
            config.insert("split_by_punct".into(), false.into());
        }
        VocabKind::TokenizerJson => {}
    }
    config.insert("model_max_length".into(), model_max_length.into());
    for (key, token) in special_tokens(tok.kind()) {
        if !token.is_empty() && tok.token_id(token).is_some() {
            config.insert(key.into(), token.into());
        }
    }
    Value::Object(config)
}

/// `tokenizer.json` for a WordPiece or byte-level BPE tokenizer, built with the `tokenizers`
/// crate from our vocabulary files with our casing; a tokenizer that is a `tokenizer.json`
/// already (ModernBERT) gives that file; None for SentencePiece (transformers converts
/// `spm.model` itself).
pub fn tokenizer_json(tok: &Tokenizer) -> Result<Option<String>> {
    let path = tok.vocab_path();
    let fail = |e: tokenizers::Error| DataError::Tokenizer {
        path: path.to_path_buf(),
        message: format!("building tokenizer.json: {e}"),
    };
    let file = path.to_str().ok_or_else(|| DataError::Tokenizer {
        path: path.to_path_buf(),
        message: "the vocabulary path is not UTF-8".into(),
    })?;
    let id = |t: &str| -> Result<u32> {
        tok.token_id(t).map(|i| i as u32).ok_or_else(|| DataError::Tokenizer {
            path: path.to_path_buf(),
            message: format!("the vocabulary has no `{t}` token"),
        })
    };
    let mut out = match tok.kind() {
        VocabKind::SentencePiece => return Ok(None),
        VocabKind::TokenizerJson => {
            return std::fs::read_to_string(path)
                .map(Some)
                .map_err(|cause| DataError::Io { path: path.to_path_buf(), cause })
        }
        VocabKind::WordPiece => {
            let model = WordPiece::from_file(file)
                .unk_token("[UNK]".into())
                .continuing_subword_prefix("##".into())
                .max_input_chars_per_word(100)
                .build()
                .map_err(fail)?;
            let mut t = tokenizers::Tokenizer::new(model);
            t.with_normalizer(Some(BertNormalizer::new(true, true, Some(tok.strip_accents()), tok.lower_case())))
                .map_err(fail)?;
            t.with_pre_tokenizer(Some(BertPreTokenizer));
            t.with_post_processor(Some(BertProcessing::new(
                ("[SEP]".into(), id("[SEP]")?),
                ("[CLS]".into(), id("[CLS]")?),
            )));
            t.with_decoder(Some(WordPieceDecoder::default()));
            t
        }
        VocabKind::Bpe => {
            let merges = path.with_file_name("merges.txt");
            let merges = merges.to_str().ok_or_else(|| DataError::Tokenizer {
                path: merges.clone(),
                message: "the merges path is not UTF-8".into(),
            })?;
            let model = BPE::from_file(file, merges).build().map_err(fail)?;
            let mut t = tokenizers::Tokenizer::new(model);
            t.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
            t.with_post_processor(Some(
                RobertaProcessing::new(("</s>".into(), id("</s>")?), ("<s>".into(), id("<s>")?))
                    .trim_offsets(true)
                    .add_prefix_space(false),
            ));
            t.with_decoder(Some(ByteLevelDecoder::default()));
            t
        }
    };
    // Only tokens the vocabulary has: a missing one would get a new id past its end.
    let specials: Vec<AddedToken> = special_tokens(tok.kind())
        .iter()
        .map(|(_, t)| *t)
        .filter(|t| !t.is_empty() && tok.token_id(t).is_some())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        // RoBERTa's mask eats the space before it, as in its Hugging Face tokenizer.json.
        .map(|t| AddedToken::from(t, true).lstrip(t == "<mask>").normalized(false))
        .collect();
    out.add_special_tokens(specials).map_err(fail)?;
    let mut value: Value = serde_json::from_str(&out.to_string(false).map_err(fail)?)
        .map_err(|e| DataError::Tokenizer { path: path.to_path_buf(), message: format!("tokenizer.json: {e}") })?;
    legacy_merges(&mut value);
    serde_json::to_string_pretty(&value)
        .map(Some)
        .map_err(|e| DataError::Tokenizer { path: path.to_path_buf(), message: format!("tokenizer.json: {e}") })
}

/// BPE merges as `"a b"` strings, the format every `tokenizers` release reads (0.20+ write
/// `["a", "b"]` pairs, which transformers 4.44's tokenizers 0.19 refuses).
fn legacy_merges(json: &mut Value) {
    if let Some(Value::Array(merges)) = json.pointer_mut("/model/merges") {
        for m in merges.iter_mut() {
            if let Value::Array(pair) = m {
                let parts: Vec<&str> = pair.iter().filter_map(Value::as_str).collect();
                *m = Value::from(parts.join(" "));
            }
        }
    }
    if let Some(Value::Object(model)) = json.pointer_mut("/model") {
        // Unknown to tokenizers 0.19; false is its behaviour.
        if model.get("ignore_merges") == Some(&Value::Bool(false)) {
            model.remove("ignore_merges");
        }
    }
}

/// Writes [`tokenizer_json`] to `dir/tokenizer.json` when there is one; returns whether it wrote.
pub fn write_tokenizer_json(tok: &Tokenizer, dir: &Path) -> Result<bool> {
    let Some(text) = tokenizer_json(tok)? else { return Ok(false) };
    let dst = dir.join("tokenizer.json");
    std::fs::write(&dst, text).map_err(|source| DataError::Io { path: dst, cause: source })?;
    Ok(true)
}
