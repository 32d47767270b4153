//! BERT WordPiece tokenisation that reproduces the Hugging Face fast tokenizer's ids.
//!
//! Word splitting and WordPiece come from rust_tokenizers' `BertTokenizer`; truncation
//! and the special-token template are done here, because the fast tokenizer's
//! longest-first rule (halve the budget once both sides are too long, the extra token
//! going to the longer side, or to the second text on a tie) differs from both
//! rust_tokenizers' and the slow Python tokenizer's token-by-token rule. The parity
//! tests compare against ids written by `scripts/make_tokenizer_fixture.py`.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use rust_tokenizers::tokenizer::{BertTokenizer, DeBERTaV2Tokenizer, RobertaTokenizer, Tokenizer as _};
use rust_tokenizers::vocab::{SentencePieceModel, Vocab};
use rust_tokenizers::TokenRef;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::error::{DataError, Result};
use crate::glue::Example;
use crate::hf::HfTokenizer;
use crate::tasks::Split;

/// Token ids of one example, ready to be padded into a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]`, as vocabulary ids.
    pub input_ids: Vec<i64>,
    /// 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`.
    pub token_type_ids: Vec<i64>,
}

impl Encoded {
    /// Number of tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.input_ids.len()
    }

    /// Whether there are no tokens (never true for output of [`Tokenizer::encode`]).
    pub fn is_empty(&self) -> bool {
        self.input_ids.is_empty()
    }
}

/// The two vocabularies the supported encoders use.
enum Inner {
    /// WordPiece (`vocab.txt`): BERT, DistilBERT, ELECTRA.
    WordPiece(Box<BertTokenizer>),
    /// Byte-level BPE (`vocab.json` + `merges.txt`): RoBERTa.
    Bpe(Box<RobertaTokenizer>),
    /// A `tokenizer.json` alone, run by Hugging Face's `tokenizers` with its own template: ModernBERT.
    Hf(Box<HfTokenizer>),
    /// SentencePiece unigram (`spm.model`): DeBERTa-v2/v3. rust_tokenizers' tokenizer gives
    /// the vocabulary; the pieces come from its unigram model after transformers' own
    /// normalisation ([`spm_pieces`]), since the tokenizer's drops control characters.
    Spm(Box<(DeBERTaV2Tokenizer, SentencePieceModel)>),
}

/// Which of the three vocabularies a tokenizer uses, for writers of tokenizer files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VocabKind {
    /// WordPiece `vocab.txt` (`[CLS] a [SEP] b [SEP]`).
    WordPiece,
    /// Byte-level BPE `vocab.json` + `merges.txt` (`<s> a </s></s> b </s>`).
    Bpe,
    /// SentencePiece `spm.model` (`[CLS] a [SEP] b [SEP]`).
    SentencePiece,
    /// A `tokenizer.json` alone, with its own template (ModernBERT: `[CLS] a [SEP] b [SEP]`).
    TokenizerJson,
}

/// A model folder's tokenizer: BERT-style WordPiece (`[CLS] a [SEP] b [SEP]`, segment ids
/// 0/1) or RoBERTa's byte-level BPE (`<s> a </s></s> b </s>`, segment ids all 0).
pub struct Tokenizer {
    inner: Inner,
    vocab_path: PathBuf,
    lower_case: bool,
    strip_accents: bool,
    vocab_size: usize,
    cls_id: i64,
    sep_id: i64,
    pad_id: i64,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_path", &self.vocab_path)
            .field("lower_case", &self.lower_case)
            .field("strip_accents", &self.strip_accents)
            .field("vocab_size", &self.vocab_size)
            .finish()
    }
}

impl Tokenizer {
    /// Builds the tokenizer of a Hugging Face model folder: `vocab.txt` (WordPiece), with
    /// lower-casing and accent stripping read from `tokenizer_config.json` when present
    /// (`do_lower_case` defaults to true; `strip_accents` null or absent follows
    /// lower-casing, as in Hugging Face's BERT normaliser); or, for RoBERTa, `vocab.json`
    /// with `merges.txt` (byte-level BPE, cased); or, with neither, `tokenizer.json`
    /// (ModernBERT), see [`Tokenizer::from_tokenizer_json`].
    pub fn from_model_dir(dir: &Path) -> Result<Tokenizer> {
        if !dir.join("vocab.txt").is_file() && dir.join("spm.model").is_file() {
            return Self::from_spm_dir(dir);
        }
        if !dir.join("vocab.txt").is_file() && dir.join("vocab.json").is_file() {
            return Self::from_bpe(&dir.join("vocab.json"), &dir.join("merges.txt"));
        }
        if !dir.join("vocab.txt").is_file() && dir.join("tokenizer.json").is_file() {
            return Self::from_tokenizer_json(dir);
        }
        let config_path = dir.join("tokenizer_config.json");
        let (lower_case, strip_accents) = match crate::tokenizer_config::read(&config_path)? {
            Some(config) => casing_from_config(&config_path, &config)?,
            None => (true, true),
        };
        Self::from_vocab(&dir.join("vocab.txt"), lower_case, strip_accents)
    }

    /// Builds RoBERTa's byte-level BPE tokenizer from `vocab.json` and `merges.txt`.
    pub fn from_bpe(vocab_path: &Path, merges_path: &Path) -> Result<Tokenizer> {
        for p in [vocab_path, merges_path] {
            fs::metadata(p).map_err(|source| DataError::Io { path: p.to_path_buf(), cause: source })?;
        }
        let fail = |message: String| DataError::Tokenizer { path: vocab_path.to_path_buf(), message };
        // add_prefix_space false: Hugging Face's RoBERTa tokenizer default.
        let inner =
            RobertaTokenizer::from_file(vocab_path, merges_path, false, false).map_err(|e| fail(e.to_string()))?;
        let values = inner.vocab().values();
        let [cls_id, sep_id, pad_id] = special_ids(values, ["<s>", "</s>", "<pad>"], vocab_path)?;
        let vocab_size = values.len();
        Ok(Tokenizer {
            inner: Inner::Bpe(Box::new(inner)),
            vocab_path: vocab_path.to_path_buf(),
            lower_case: false,
            strip_accents: false,
            vocab_size,
            cls_id,
            sep_id,
            pad_id,
        })
    }

    /// Builds the tokenizer of a folder's `tokenizer.json` with Hugging Face's `tokenizers`.
    /// The special tokens are `tokenizer_config.json`'s `cls_token`, `sep_token` and
    /// `pad_token` when it names them, else `[CLS]`, `[SEP]` and `[PAD]`.
    pub fn from_tokenizer_json(dir: &Path) -> Result<Tokenizer> {
        let path = dir.join("tokenizer.json");
        let inner = HfTokenizer::from_file(&path)?;
        let ids = inner.special_ids(&dir.join("tokenizer_config.json"))?;
        let vocab_size = inner.vocab_size();
        Ok(Tokenizer {
            inner: Inner::Hf(Box::new(inner)),
            vocab_path: path,
            lower_case: false,
            strip_accents: false,
            vocab_size,
            cls_id: ids[0],
            sep_id: ids[1],
            pad_id: ids[2],
        })
    }

    /// DeBERTa's SentencePiece tokenizer of a folder with `spm.model`: cased unless
    /// `tokenizer_config.json` says `do_lower_case: true` (transformers' default is false).
    fn from_spm_dir(dir: &Path) -> Result<Tokenizer> {
        let lower_case = crate::tokenizer_config::read(&dir.join("tokenizer_config.json"))?
            .and_then(|config| config.get("do_lower_case").and_then(Value::as_bool))
            .unwrap_or(false);
        Self::from_spm(&dir.join("spm.model"), lower_case)
    }

    /// Builds DeBERTa-v2/v3's SentencePiece tokenizer from `spm.model` (`[CLS]`, `[SEP]`,
    /// `[PAD]` must be pieces of the model; `[MASK]` is appended when absent, as transformers does).
    pub fn from_spm(model_path: &Path, lower_case: bool) -> Result<Tokenizer> {
        fs::metadata(model_path).map_err(|source| DataError::Io { path: model_path.to_path_buf(), cause: source })?;
        let fail = |message: String| DataError::Tokenizer { path: model_path.to_path_buf(), message };
        // add_prefix_space false: the tokenizer prefixes every text with `▁` itself.
        let inner =
            DeBERTaV2Tokenizer::from_file(model_path, lower_case, false, false).map_err(|e| fail(e.to_string()))?;
        let model = SentencePieceModel::from_file(model_path).map_err(|e| fail(e.to_string()))?;
        let values = inner.vocab().values();
        let [cls_id, sep_id, pad_id] = special_ids(values, ["[CLS]", "[SEP]", "[PAD]"], model_path)?;
        let vocab_size = values.len();
        Ok(Tokenizer {
            inner: Inner::Spm(Box::new((inner, model))),
            vocab_path: model_path.to_path_buf(),
            lower_case,
            strip_accents: false,
            vocab_size,
            cls_id,
            sep_id,
            pad_id,
        })
    }

    /// Builds a tokenizer from a WordPiece `vocab.txt` with explicit casing options.
    pub fn from_vocab(vocab_path: &Path, lower_case: bool, strip_accents: bool) -> Result<Tokenizer> {
        // Checked first so a missing file gets the usual I/O message with its path.
        fs::metadata(vocab_path).map_err(|source| DataError::Io { path: vocab_path.to_path_buf(), cause: source })?;
        let fail = |message: String| DataError::Tokenizer { path: vocab_path.to_path_buf(), message };
        let inner = BertTokenizer::from_file(vocab_path, lower_case, strip_accents).map_err(|e| fail(e.to_string()))?;
        let values = inner.vocab().values();
        let [cls_id, sep_id, pad_id] = special_ids(values, ["[CLS]", "[SEP]", "[PAD]"], vocab_path)?;
        let vocab_size = values.len();
        Ok(Tokenizer {
            inner: Inner::WordPiece(Box::new(inner)),
            vocab_path: vocab_path.to_path_buf(),
            lower_case,
            strip_accents,
            vocab_size,
            cls_id,
            sep_id,
            pad_id,
        })
    }

    /// Encodes `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]` (RoBERTa: `<s> a </s>` or
    /// `<s> a </s></s> b </s>`) in at most `max_len` tokens, truncating the texts
    /// longest-first exactly as the Hugging Face fast tokenizer does. A `max_len` too small
    /// for the special tokens yields just those tokens.
    pub fn encode(&self, a: &str, b: Option<&str>, max_len: usize) -> Encoded {
        if let Inner::Hf(t) = &self.inner {
            let (input_ids, token_type_ids) = t.encode(a, b, max_len);
            return Encoded { input_ids, token_type_ids };
        }
        let bpe = matches!(self.inner, Inner::Bpe(_));
        let mut ids_a = self.word_piece_ids(a);
        let mut ids_b = b.map(|b| self.word_piece_ids(b));
        let n_special = match (b.is_some(), bpe) {
            (true, true) => 4,
            (true, false) => 3,
            (false, _) => 2,
        };
        let budget = max_len.saturating_sub(n_special);
        let (keep_a, keep_b) = truncation_lengths(ids_a.len(), ids_b.as_ref().map_or(0, Vec::len), budget);
        ids_a.truncate(keep_a);
        if let Some(ids_b) = ids_b.as_mut() {
            ids_b.truncate(keep_b);
        }

        let total = ids_a.len() + ids_b.as_ref().map_or(0, Vec::len) + n_special;
        let mut input_ids = Vec::with_capacity(total);
        input_ids.push(self.cls_id);
        input_ids.extend(ids_a);
        input_ids.push(self.sep_id);
        let first_segment = input_ids.len();
        if let Some(ids_b) = ids_b {
            if bpe {
                input_ids.push(self.sep_id);
            }
            input_ids.extend(ids_b);
            input_ids.push(self.sep_id);
        }
        // RoBERTa has a single segment embedding: every id is 0.
        let mut token_type_ids = vec![0; first_segment];
        token_type_ids.resize(input_ids.len(), if bpe { 0 } else { 1 });
        Encoded { input_ids, token_type_ids }
    }

    /// Encodes every example (in parallel; the output keeps the input order).
    pub fn encode_all(&self, examples: &[Example], max_len: usize) -> Vec<Encoded> {
        examples.par_iter().map(|e| self.encode(&e.text_a, e.text_b.as_deref(), max_len)).collect()
    }

    /// WordPiece ids of a text, without special tokens or truncation.
    pub fn word_piece_ids(&self, text: &str) -> Vec<i64> {
        match &self.inner {
            Inner::WordPiece(t) => t.convert_tokens_to_ids(&t.tokenize(text)),
            Inner::Bpe(t) => t.convert_tokens_to_ids(&t.tokenize(text)),
            Inner::Hf(t) => t.ids(text),
            Inner::Spm(t) => t.0.convert_tokens_to_ids(&spm_pieces(&t.1, text, self.lower_case)),
        }
    }

    /// The id of a token of the vocabulary, if it has one.
    pub fn token_id(&self, token: &str) -> Option<i64> {
        match &self.inner {
            Inner::WordPiece(t) => t.vocab().values().get(token).copied(),
            Inner::Bpe(t) => t.vocab().values().get(token).copied(),
            Inner::Spm(t) => t.0.vocab().values().get(token).copied(),
            Inner::Hf(t) => t.token_id(token),
        }
    }

    /// The vocabulary's kind.
    pub fn kind(&self) -> VocabKind {
        match self.inner {
            Inner::WordPiece(_) => VocabKind::WordPiece,
            Inner::Bpe(_) => VocabKind::Bpe,
            Inner::Spm(_) => VocabKind::SentencePiece,
            Inner::Hf(_) => VocabKind::TokenizerJson,
        }
    }

    /// Id of `[PAD]`.
    pub fn pad_id(&self) -> i64 {
        self.pad_id
    }

    /// Id of `[CLS]`.
    pub fn cls_id(&self) -> i64 {
        self.cls_id
    }

    /// Id of `[SEP]`.
    pub fn sep_id(&self) -> i64 {
        self.sep_id
    }

    /// Number of entries in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The vocabulary file this tokenizer was built from (`vocab.txt`, `vocab.json` or `tokenizer.json`).
    pub fn vocab_path(&self) -> &Path {
        &self.vocab_path
    }

    /// Whether text is lower-cased.
    pub fn lower_case(&self) -> bool {
        self.lower_case
    }

    /// Whether accents are stripped.
    pub fn strip_accents(&self) -> bool {
        self.strip_accents
    }
}

/// What transformers' DeBERTa-v2 tokenizer (and SentencePiece's own normaliser) does before
/// the pieces and rust_tokenizers does not: a run of two or more whitespace characters, or a
/// single tab or line break, becomes one space (`\s{2,}|[\n\r\t]` → ` `), and trailing
/// whitespace goes. Without it a double space gives an extra `▁` piece.
fn spm_normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() && (matches!(c, '\n' | '\r' | '\t') || chars.peek().is_some_and(|n| n.is_whitespace())) {
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The pieces transformers 5's `DebertaV2Tokenizer` makes of a text: lower-case (when asked),
/// [`spm_normalize`], NFC, then `Metaspace` (spaces to `▁`, one prepended, split before each
/// `▁`) and the unigram model's best segmentation of each word.
fn spm_pieces(model: &SentencePieceModel, text: &str, lower_case: bool) -> Vec<String> {
    let text = if lower_case { text.to_lowercase() } else { text.to_string() };
    let text: String = spm_normalize(&text).nfc().collect();
    let meta = format!("\u{2581}{}", text.replace(' ', "\u{2581}"));
    let starts: Vec<usize> = meta.match_indices('\u{2581}').map(|(i, _)| i).chain([meta.len()]).collect();
    let mut pieces = Vec::new();
    for w in starts.windows(2) {
        let word = &meta[w[0]..w[1]];
        let offsets: Vec<u32> = (0..word.chars().count() as u32).collect();
        let lattice = model.decode_forward_token_ref(TokenRef::new(word, &offsets));
        let best = model.decode_backward(&lattice);
        pieces.extend(model.parse_nodes_to_tokens(best).into_iter().map(|t| t.text));
    }
    pieces
}

/// The ids of the start, separator and padding tokens, or an error naming the missing one.
fn special_ids(values: &HashMap<String, i64>, tokens: [&str; 3], vocab_path: &Path) -> Result<[i64; 3]> {
    let mut out = [0; 3];
    for (slot, token) in out.iter_mut().zip(tokens) {
        *slot = values.get(token).copied().ok_or_else(|| DataError::Tokenizer {
            path: vocab_path.to_path_buf(),
            message: format!("the vocabulary has no `{token}` token"),
        })?;
    }
    Ok(out)
}

/// Reads `(lower_case, strip_accents)` from a `tokenizer_config.json`.
fn casing_from_config(path: &Path, config: &Value) -> Result<(bool, bool)> {
    let fail = |message: String| DataError::Tokenizer { path: path.to_path_buf(), message };
    let flag = |key: &str| -> Result<Option<bool>> {
        match config.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(fail(format!("expected `{key}` to be true, false or null, found {other}"))),
        }
    };
    let lower_case = flag("do_lower_case")?.unwrap_or(true);
    let strip_accents = flag("strip_accents")?.unwrap_or(lower_case);
    // rust_tokenizers always splits CJK characters and always runs the basic tokenizer;
    // a model that turns either off would silently get different ids.
    for key in ["tokenize_chinese_chars", "do_basic_tokenize"] {
        if flag(key)? == Some(false) {
            return Err(fail(format!("`{key}: false` is not supported")));
        }
    }
    Ok((lower_case, strip_accents))
}

/// How many tokens of each text survive in a budget of `budget` content tokens, by the
/// Hugging Face `tokenizers` (0.19) longest-first rule. Checked against the Python
/// implementation for every pair of lengths below 30 and budgets below 27.
fn truncation_lengths(len_a: usize, len_b: usize, budget: usize) -> (usize, usize) {
    if len_a + len_b <= budget {
        return (len_a, len_b);
    }
    let swapped = len_a > len_b;
    let (short, long) = if swapped { (len_b, len_a) } else { (len_a, len_b) };
    let mut keep_short = short;
    let mut keep_long = if short > budget { short } else { short.max(budget - short) };
    if keep_short + keep_long > budget {
        keep_short = budget / 2;
        keep_long = keep_short + budget % 2;
    }
    let (keep_short, keep_long) = (keep_short.min(short), keep_long.min(long));
    if swapped {
        (keep_long, keep_short)
    } else {
        (keep_short, keep_long)
    }
}

/// Identifies one tokenised example set in the process-wide cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    vocab: PathBuf,
    lower_case: bool,
    strip_accents: bool,
    max_len: usize,
    task: String,
    split: Split,
    /// Guards against two different example lists under one task/split name (e.g. a
    /// subset), which would otherwise silently share ids.
    fingerprint: u64,
}

fn cache() -> &'static Mutex<HashMap<CacheKey, Arc<Vec<Encoded>>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Vec<Encoded>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn fingerprint(examples: &[Example]) -> u64 {
    let mut hasher = DefaultHasher::new();
    examples.len().hash(&mut hasher);
    for e in examples {
        e.text_a.hash(&mut hasher);
        e.text_b.hash(&mut hasher);
    }
    hasher.finish()
}

/// [`Tokenizer::encode_all`] memoised for the life of the process, so a sweep of many
/// runs over one task tokenises it once. The key is the tokenizer's vocabulary and
/// casing, `max_len`, `task`, `split` and a hash of the texts.
pub fn encode_cached(
    tokenizer: &Tokenizer,
    task: &str,
    split: Split,
    max_len: usize,
    examples: &[Example],
) -> Arc<Vec<Encoded>> {
    let key = CacheKey {
        vocab: tokenizer.vocab_path.clone(),
        lower_case: tokenizer.lower_case,
        strip_accents: tokenizer.strip_accents,
        max_len,
        task: task.to_owned(),
        split,
        fingerprint: fingerprint(examples),
    };
    // A poisoned lock only means another thread panicked mid-insert of a whole entry;
    // the map itself is still consistent, so keep using it.
    if let Some(hit) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Arc::clone(hit);
    }
    // Tokenise outside the lock so other tasks are not blocked behind a large one.
    let encoded = Arc::new(tokenizer.encode_all(examples, max_len));
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    Arc::clone(map.entry(key).or_insert(encoded))
}

/// Empties the [`encode_cached`] cache (e.g. between tasks of a long sweep, to free memory).
pub fn clear_encode_cache() {
    cache().lock().unwrap_or_else(|p| p.into_inner()).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_by_hand() {
        // Fits: untouched.
        assert_eq!(truncation_lengths(3, 4, 7), (3, 4));
        // Only the longer side is cut.
        assert_eq!(truncation_lengths(30, 7, 17), (10, 7));
        assert_eq!(truncation_lengths(7, 30, 18), (7, 11));
        // Both too long: halve, the extra token to the second text on a tie...
        assert_eq!(truncation_lengths(20, 20, 13), (6, 7));
        assert_eq!(truncation_lengths(20, 20, 14), (7, 7));
        // ...and to the longer text otherwise.
        assert_eq!(truncation_lengths(25, 20, 13), (7, 6));
        // Shorter side within budget but together too long: also halved.
        assert_eq!(truncation_lengths(10, 12, 15), (7, 8));
        // Single text.
        assert_eq!(truncation_lengths(50, 0, 8), (8, 0));
        assert_eq!(truncation_lengths(5, 0, 0), (0, 0));
    }

    #[test]
    fn spm_whitespace_as_transformers() {
        assert_eq!(spm_normalize("a  b\tc \n d  "), "a b c d");
        assert_eq!(spm_normalize("a b"), "a b");
        assert_eq!(spm_normalize("   "), "");
    }

    #[test]
    fn casing_follows_hugging_face_defaults() {
        let p = Path::new("tokenizer_config.json");
        let casing = |p: &Path, text: &str| casing_from_config(p, &crate::tokenizer_config::parse(p, text)?);
        assert_eq!(casing(p, "{}").expect("valid"), (true, true));
        assert_eq!(casing(p, r#"{"do_lower_case": false}"#).expect("valid"), (false, false));
        assert_eq!(casing(p, r#"{"do_lower_case": true, "strip_accents": null}"#).expect("valid"), (true, true));
        assert_eq!(casing(p, r#"{"do_lower_case": true, "strip_accents": false}"#).expect("valid"), (true, false));
        let err = casing(p, r#"{"do_lower_case": "yes"}"#).expect_err("wrong type");
        assert!(err.to_string().contains("do_lower_case"), "{err}");
        assert!(casing(p, "{").is_err());
        assert!(casing(p, r#"{"tokenize_chinese_chars": false}"#).is_err());
    }
}
