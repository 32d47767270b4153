//! DeBERTa-v2/v3 (`model_type: deberta-v2`) through rust-bert's `deberta_v2` encoder, with
//! Hugging Face's `DebertaV2ForSequenceClassification` head under its names: `ContextPooler`
//! (`pooler.dense` on the first token, then `pooler_hidden_act`) and `classifier`.
//!
//! Hugging Face's checkpoint names (`deberta.embeddings.*`, `deberta.encoder.layer.N.attention.
//! self.{query,key,value}_proj`, the shared `deberta.encoder.rel_embeddings` and its
//! `deberta.encoder.LayerNorm` under `norm_rel_ebd: layer_norm`) are rust-bert's own, so the
//! loader needs no renaming; only the head sits outside the `deberta.` prefix. rust-bert 0.23's
//! relative attention differed from transformers' (see vendor/rust-bert/PATCHED.md); the parity
//! test in tests/deberta.rs with scripts/check_arch_parity.py pins it against transformers.

use crate::error::{Error, Result};
use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2Model};
use rust_bert::Activation;
use serde_json::Value;
use std::path::Path;
use tch::{nn, Tensor};

/// The encoder and the first half of the head (the pooler); [`crate::arch::ArchClassifier`]
/// owns the `classifier` layer and the head dropout.
pub struct DebertaBody {
    model: DebertaV2Model,
    activation: Activation,
    /// Hidden size, the width of the pooler.
    pub hidden: i64,
}

impl DebertaBody {
    /// Creates `deberta.*` under `root` from config.json (`json`) with the given encoder dropout.
    pub fn new(root: &nn::Path, json: &Value, path: &Path, hidden: f64, attention: f64) -> Result<Self> {
        let mut c = parse_config(json, path)?;
        c.hidden_dropout_prob = hidden;
        c.attention_probs_dropout_prob = attention;
        let activation = c.pooler_hidden_act.unwrap_or(Activation::gelu);
        Ok(DebertaBody { model: DebertaV2Model::new(root / "deberta", &c), activation, hidden: c.hidden_size })
    }

    /// The last hidden states `[batch, seq, hidden]`. DeBERTa-v3 has no segment embedding
    /// (`type_vocab_size: 0`); rust-bert ignores the ids then, as transformers does.
    pub fn forward_t(&self, ids: &Tensor, token_types: &Tensor, mask: &Tensor, train: bool) -> Result<Tensor> {
        Ok(self.model.forward_t(Some(ids), Some(mask), Some(token_types), None, None, train)?.hidden_state)
    }

    /// `ContextPooler`'s activation (config.json `pooler_hidden_act`, GELU by default).
    pub fn pooler_activation(&self, x: &Tensor) -> Tensor {
        self.activation.get_function().get_fn()(x)
    }
}

/// Parses a `deberta-v2` config.json into rust-bert's config, refusing what rust-bert's encoder
/// does not implement as transformers does (talking heads, the `p2p` attention type). The
/// caller ([`crate::arch`]) has checked `hidden_act`; an unknown `pooler_hidden_act` fails here.
fn parse_config(json: &Value, path: &Path) -> Result<DebertaV2Config> {
    let fail = |msg: String| Error::model(path, msg);
    if json.get("talking_head").and_then(Value::as_bool) == Some(true) {
        return Err(fail("config.json `talking_head: true` is not supported for deberta-v2".into()));
    }
    let pos_att = json.get("pos_att_type").map(|v| v.to_string()).unwrap_or_default();
    if pos_att.contains("p2p") {
        return Err(fail(format!(
            "config.json `pos_att_type` {pos_att}: `p2p` is not supported (transformers drops it too)"
        )));
    }
    let mut json = json.clone();
    if let Some(obj) = json.as_object_mut() {
        // Label maps are set by the harness; rust-bert's would want integer keys.
        obj.remove("id2label");
        obj.remove("label2id");
    }
    serde_json::from_value(json).map_err(|e| Error::Json { path: path.to_path_buf(), cause: e })
}
