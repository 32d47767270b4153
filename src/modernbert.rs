//! ModernBERT (Warner et al. 2024) with Hugging Face's sequence-classification head, written
//! on tch like our fused BERT and under Hugging Face's variable names
//! (`ModernBertForSequenceClassification`: `model.embeddings.tok_embeddings`,
//! `model.layers.N.{attn_norm,attn.Wqkv,attn.Wo,mlp_norm,mlp.Wi,mlp.Wo}`, `model.final_norm`,
//! `head.{dense,norm}`, `classifier`), so checkpoints load by name and saved folders load in
//! transformers. It follows transformers 5.24's `modeling_modernbert.py`: pre-norm layers
//! (the first layer's `attn_norm` is the identity), rotary position embeddings with one base
//! for global and one for local layers, sliding-window attention (keys within ±`local_attention`/2)
//! on the local layers, a GeGLU MLP, and the head `dense → activation → norm → classifier` on
//! the CLS token or the mean of the real tokens. Attention runs on the padded batch with an
//! additive mask combining padding and the window; dropout draws cheap seeded masks on the
//! CPU ([`crate::dropout`]). Each module has `new` and `forward_t`.
//!
//! Dropout goes where Hugging Face has its knobs: the setting's encoder dropout is
//! `embedding_dropout` and `mlp_dropout`, its attention dropout `attention_dropout` (on the
//! attention weights and after `attn.Wo`), its head dropout `classifier_dropout`.

mod config;
mod rope;

pub use config::{parse as parse_config, LayerKind, ModernBertConfig, Pooling};

use crate::bert::attention::{sdpa, AttentionDropout};
use crate::bert::{activate, linear};
use crate::dropout::dropout;
use crate::error::Result;
use mixout_spec::DropoutSpec;
use rust_bert::Activation;
use serde_json::Value;
use std::path::Path;
use tch::{nn, Kind, Tensor};

/// Added to the attention scores of masked keys: finite, so that a padding query whose
/// window holds no real token gets uniform weights instead of NaN (its output is never used).
const MASKED: f64 = -1e30;

/// LayerNorm with an optional bias (`norm_bias`), computed in fp32 whatever the input
/// (as autocast keeps normalisations in fp32).
struct Norm {
    ws: Tensor,
    bs: Option<Tensor>,
    eps: f64,
}

impl Norm {
    fn new(p: nn::Path, c: &ModernBertConfig) -> Self {
        let ws = p.var("weight", &[c.hidden_size], nn::Init::Const(1.0));
        let bs = c.norm_bias.then(|| p.var("bias", &[c.hidden_size], nn::Init::Const(0.0)));
        Norm { ws, bs, eps: c.norm_eps }
    }

    fn forward(&self, xs: &Tensor) -> Tensor {
        let h = self.ws.size()[0];
        xs.to_kind(Kind::Float).layer_norm([h], Some(&self.ws), self.bs.as_ref(), self.eps, true)
    }
}

fn lin(p: nn::Path, inputs: i64, outputs: i64, bias: bool) -> nn::Linear {
    nn::linear(p, inputs, outputs, nn::LinearConfig { bias, ..Default::default() })
}

/// One pre-norm layer: `x + attn(attn_norm(x))`, then `x + mlp(mlp_norm(x))`.
struct Layer {
    attn_norm: Option<Norm>,
    wqkv: nn::Linear,
    wo: nn::Linear,
    mlp_norm: Norm,
    wi: nn::Linear,
    mlp_wo: nn::Linear,
    kind: LayerKind,
    /// Index of this layer's rotary base in [`ModernBertClassifier::thetas`].
    rope: usize,
    act: Activation,
    heads: i64,
}

impl Layer {
    fn new(p: nn::Path, index: usize, c: &ModernBertConfig, rope: usize) -> Self {
        let (h, i) = (c.hidden_size, c.intermediate_size);
        Layer {
            attn_norm: (index > 0).then(|| Norm::new(&p / "attn_norm", c)),
            wqkv: lin(&p / "attn" / "Wqkv", h, 3 * h, c.attention_bias),
            wo: lin(&p / "attn" / "Wo", h, h, c.attention_bias),
            mlp_norm: Norm::new(&p / "mlp_norm", c),
            wi: lin(&p / "mlp" / "Wi", h, 2 * i, c.mlp_bias),
            mlp_wo: lin(&p / "mlp" / "Wo", i, h, c.mlp_bias),
            kind: c.layers[index],
            rope,
            act: c.hidden_activation,
            heads: c.num_attention_heads,
        }
    }

    /// `xs` `[batch, seq, hidden]` (fp32 residual stream); `mask` additive, `[batch, 1, seq|1, seq]`;
    /// `rope` this layer's cos/sin; matmuls and attention in `kind`.
    fn forward_t(
        &self,
        xs: &Tensor,
        mask: &Tensor,
        rope: &rope::Rotary,
        d: &DropoutSpec,
        train: bool,
        kind: Kind,
    ) -> Tensor {
        let (b, l, h) = xs.size3().unwrap_or((0, 0, 0));
        let hd = h / self.heads;
        let normed = self.attn_norm.as_ref().map_or_else(|| xs.shallow_clone(), |n| n.forward(xs));
        let qkv = linear(&self.wqkv, &normed, kind).view([b, l, 3, self.heads, hd]);
        let part = |i: i64| qkv.select(2, i).transpose(1, 2);
        let (q, k) = rope.apply(&part(0), &part(1));
        let p = if train { d.attention } else { 0.0 };
        let ctx = sdpa(&q, &k, &part(2), mask, p, AttentionDropout::Cheap);
        let ctx = ctx.transpose(1, 2).contiguous().view([b, l, h]);
        let xs = xs + dropout(&linear(&self.wo, &ctx, kind), d.attention, train);
        let wi = linear(&self.wi, &self.mlp_norm.forward(&xs), kind).chunk(2, -1);
        let glu = dropout(&(activate(self.act, &wi[0]) * &wi[1]), d.hidden, train);
        &xs + linear(&self.mlp_wo, &glu, kind)
    }
}

/// ModernBERT with Hugging Face's classification head.
pub struct ModernBertClassifier {
    tok_embeddings: nn::Embedding,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    final_norm: Norm,
    head_dense: nn::Linear,
    head_norm: Norm,
    classifier: nn::Linear,
    head_act: Activation,
    pooling: Pooling,
    dropout: DropoutSpec,
    /// The distinct rotary bases (global, local), tabulated once per forward.
    thetas: Vec<f64>,
    head_dim: i64,
    /// Kind of the matmuls and attention: fp32, or bf16 for mixed precision (norms, rotary
    /// embeddings, the residual stream, the head's norm and `classifier` stay fp32).
    pub compute: Kind,
}

impl ModernBertClassifier {
    /// Creates the variables under `root` from config.json (`json`, read from `path`).
    pub fn new(root: &nn::Path, json: &Value, path: &Path, dropout: DropoutSpec, num_labels: i64) -> Result<Self> {
        let c = parse_config(json, path)?;
        Ok(Self::with_config(root, &c, dropout, num_labels))
    }

    /// [`ModernBertClassifier::new`] from a parsed config.
    pub fn with_config(root: &nn::Path, c: &ModernBertConfig, dropout: DropoutSpec, num_labels: i64) -> Self {
        let m = root / "model";
        let emb = nn::EmbeddingConfig { padding_idx: c.pad_token_id.unwrap_or(-1), ..Default::default() };
        let layers = &m / "layers";
        let head = root / "head";
        let mut thetas: Vec<f64> = vec![];
        for k in &c.layers {
            if !thetas.contains(&k.theta) {
                thetas.push(k.theta);
            }
        }
        let rope = |i: usize| thetas.iter().position(|&t| t == c.layers[i].theta).unwrap_or(0);
        ModernBertClassifier {
            tok_embeddings: nn::embedding(&m / "embeddings" / "tok_embeddings", c.vocab_size, c.hidden_size, emb),
            embedding_norm: Norm::new(&m / "embeddings" / "norm", c),
            layers: (0..c.num_hidden_layers as usize).map(|i| Layer::new(&layers / i, i, c, rope(i))).collect(),
            final_norm: Norm::new(&m / "final_norm", c),
            head_dense: lin(&head / "dense", c.hidden_size, c.hidden_size, c.classifier_bias),
            head_norm: Norm::new(&head / "norm", c),
            classifier: nn::linear(root / "classifier", c.hidden_size, num_labels, Default::default()),
            head_act: c.classifier_activation,
            pooling: c.pooling,
            dropout,
            head_dim: c.hidden_size / c.num_attention_heads,
            thetas,
            compute: Kind::Float,
        }
    }

    /// Logits `[batch, labels]`; `attention_mask` is 1 for tokens and 0 for padding (at the end).
    pub fn forward_t(&self, ids: &Tensor, attention_mask: &Tensor, train: bool) -> Tensor {
        let len = ids.size()[1];
        let d = &self.dropout;
        let mut xs = dropout(&self.embedding_norm.forward(&ids.apply(&self.tok_embeddings)), d.hidden, train);
        let masks = Masks::new(attention_mask, self.compute);
        let tables: Vec<rope::Rotary> =
            self.thetas.iter().map(|&theta| rope::Rotary::new(theta, self.head_dim, len, ids.device())).collect();
        for layer in &self.layers {
            xs = layer.forward_t(&xs, &masks.of(layer.kind.window), &tables[layer.rope], d, train, self.compute);
        }
        let xs = self.final_norm.forward(&xs);
        let pooled = match self.pooling {
            Pooling::Cls => xs.select(1, 0),
            Pooling::Mean => {
                let m = attention_mask.to_kind(Kind::Float);
                (xs * m.unsqueeze(-1)).sum_dim_intlist(1, false, Kind::Float) / m.sum_dim_intlist(1, true, Kind::Float)
            }
        };
        let dense = activate(self.head_act, &linear(&self.head_dense, &pooled, self.compute));
        self.head_norm.forward(&dense).dropout(d.head, train).apply(&self.classifier)
    }
}

/// The additive attention masks of one batch: padding keys for global layers, padding keys
/// and keys beyond the window for local ones.
struct Masks {
    keys: Tensor,
    global: Tensor,
    distance: Tensor,
    kind: Kind,
}

impl Masks {
    fn new(attention_mask: &Tensor, kind: Kind) -> Self {
        let (b, l) = attention_mask.size2().unwrap_or((0, 0));
        let keys = attention_mask.to_kind(Kind::Bool).view([b, 1, 1, l]);
        let pos = Tensor::arange(l, (Kind::Int64, attention_mask.device()));
        let distance = (pos.unsqueeze(1) - pos.unsqueeze(0)).abs().view([1, 1, l, l]);
        let global = additive(&keys, kind);
        Masks { keys, global, distance, kind }
    }

    fn of(&self, window: Option<i64>) -> Tensor {
        match window {
            None => self.global.shallow_clone(),
            Some(w) => additive(&self.keys.logical_and(&self.distance.le(w)), self.kind),
        }
    }
}

/// 0 where `allowed`, [`MASKED`] elsewhere, in `kind`.
fn additive(allowed: &Tensor, kind: Kind) -> Tensor {
    ((allowed.to_kind(Kind::Float) - 1.0) * -MASKED).to_kind(kind)
}

/// A BERT-shaped summary of a ModernBERT config.json (sizes, dropout), for the memory and
/// FLOP estimates and the label maps that take rust-bert's `BertConfig`. The GeGLU's three
/// `hidden × intermediate` matrices count as BERT's two of width 1.5 × `intermediate_size`.
pub fn bert_shape(json: &Value, path: &Path) -> Result<rust_bert::bert::BertConfig> {
    let c = parse_config(json, path)?;
    let dropout = |key: &str| json.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let mapped = serde_json::json!({
        "hidden_act": "gelu",
        "attention_probs_dropout_prob": dropout("attention_dropout"),
        "hidden_dropout_prob": dropout("mlp_dropout"),
        "hidden_size": c.hidden_size,
        "initializer_range": c.initializer_range,
        "intermediate_size": c.intermediate_size * 3 / 2,
        "layer_norm_eps": c.norm_eps,
        "max_position_embeddings": json.get("max_position_embeddings").and_then(Value::as_i64).unwrap_or(8192),
        "num_attention_heads": c.num_attention_heads,
        "num_hidden_layers": c.num_hidden_layers,
        "type_vocab_size": 1,
        "vocab_size": c.vocab_size,
    });
    serde_json::from_value(mapped).map_err(|e| crate::Error::Json { path: path.to_path_buf(), cause: e })
}
