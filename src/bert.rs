//! A BERT encoder written directly on tch with libtorch's fused kernels (`gelu`,
//! `scaled_dot_product_attention`), under exactly rust-bert's and Hugging Face's variable
//! names, so the same checkpoints load and every other part of the harness (mixout,
//! weight decay, saving) works unchanged. It computes what rust-bert's `BertModel` computes
//! (a test pins the outputs to each other); it exists because rust-bert builds GELU from
//! separate erf ops and attention from explicit matmul + softmax, which costs time on CPU.
//! Each module has `new` (create variables under a path) and `forward_t(xs, train)`.

use rust_bert::bert::BertConfig;
use tch::{nn, Kind, Tensor};

/// BERT's LayerNorm epsilon (config.json `layer_norm_eps`; rust-bert uses this value too).
const LN_EPS: f64 = 1e-12;

fn layer_norm(p: nn::Path, hidden: i64) -> nn::LayerNorm {
    nn::layer_norm(p, vec![hidden], nn::LayerNormConfig { eps: LN_EPS, ..Default::default() })
}

/// Word, position and segment embeddings, summed and normalised.
struct Embeddings {
    word: nn::Embedding,
    position: nn::Embedding,
    token_type: nn::Embedding,
    norm: nn::LayerNorm,
    dropout: f64,
}

impl Embeddings {
    fn new(p: nn::Path, c: &BertConfig) -> Self {
        let cfg = nn::EmbeddingConfig { padding_idx: 0, ..Default::default() };
        Embeddings {
            word: nn::embedding(&p / "word_embeddings", c.vocab_size, c.hidden_size, cfg),
            position: nn::embedding(&p / "position_embeddings", c.max_position_embeddings, c.hidden_size, Default::default()),
            token_type: nn::embedding(&p / "token_type_embeddings", c.type_vocab_size, c.hidden_size, Default::default()),
            norm: layer_norm(&p / "LayerNorm", c.hidden_size),
            dropout: c.hidden_dropout_prob,
        }
    }

    fn forward_t(&self, ids: &Tensor, token_types: &Tensor, train: bool) -> Tensor {
        let len = ids.size()[1];
        let positions = Tensor::arange(len, (Kind::Int64, ids.device())).unsqueeze(0);
        let xs = ids.apply(&self.word) + positions.apply(&self.position) + token_types.apply(&self.token_type);
        xs.apply(&self.norm).dropout(self.dropout, train)
    }
}

/// One transformer layer: self-attention and feed-forward, each with residual + LayerNorm.
struct Layer {
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    attn_out: nn::Linear,
    attn_norm: nn::LayerNorm,
    intermediate: nn::Linear,
    output: nn::Linear,
    out_norm: nn::LayerNorm,
    heads: i64,
    hidden_dropout: f64,
    attention_dropout: f64,
}

impl Layer {
    fn new(p: nn::Path, c: &BertConfig) -> Self {
        let (h, i) = (c.hidden_size, c.intermediate_size);
        let lin = |path: nn::Path, a: i64, b: i64| nn::linear(path, a, b, Default::default());
        let att = &p / "attention";
        Layer {
            query: lin(&att / "self" / "query", h, h),
            key: lin(&att / "self" / "key", h, h),
            value: lin(&att / "self" / "value", h, h),
            attn_out: lin(&att / "output" / "dense", h, h),
            attn_norm: layer_norm(&att / "output" / "LayerNorm", h),
            intermediate: lin(&p / "intermediate" / "dense", h, i),
            output: lin(&p / "output" / "dense", i, h),
            out_norm: layer_norm(&p / "output" / "LayerNorm", h),
            heads: c.num_attention_heads,
            hidden_dropout: c.hidden_dropout_prob,
            attention_dropout: c.attention_probs_dropout_prob,
        }
    }

    /// `mask` is additive, `[batch, 1, 1, seq]`: 0 for tokens, −10000 for padding (as BERT).
    fn forward_t(&self, xs: &Tensor, mask: &Tensor, train: bool) -> Tensor {
        let (b, l, h) = xs.size3().unwrap_or((0, 0, 0));
        let d = h / self.heads;
        let split = |t: Tensor| t.view([b, l, self.heads, d]).transpose(1, 2);
        let (q, k, v) = (split(xs.apply(&self.query)), split(xs.apply(&self.key)), split(xs.apply(&self.value)));
        let p = if train { self.attention_dropout } else { 0.0 };
        let ctx = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(mask), p, false, None::<f64>);
        let ctx = ctx.transpose(1, 2).contiguous().view([b, l, h]);
        let attn = (ctx.apply(&self.attn_out).dropout(self.hidden_dropout, train) + xs).apply(&self.attn_norm);
        let ff = attn.apply(&self.intermediate).gelu("none").apply(&self.output).dropout(self.hidden_dropout, train);
        (ff + attn).apply(&self.out_norm)
    }
}

/// The BERT encoder with its pooler (`tanh(dense(h[CLS]))`), variables under `bert.*`.
pub struct FusedBert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    pooler: nn::Linear,
}

impl FusedBert {
    /// Creates the variables under `p` (use `root / "bert"`).
    pub fn new(p: nn::Path, c: &BertConfig) -> Self {
        let enc = &p / "encoder" / "layer";
        FusedBert {
            embeddings: Embeddings::new(&p / "embeddings", c),
            layers: (0..c.num_hidden_layers).map(|i| Layer::new(&enc / i, c)).collect(),
            pooler: nn::linear(&p / "pooler" / "dense", c.hidden_size, c.hidden_size, Default::default()),
        }
    }

    /// Pooled output `[batch, hidden]`. `attention_mask` is 1 for tokens, 0 for padding.
    pub fn forward_t(&self, ids: &Tensor, token_types: &Tensor, attention_mask: &Tensor, train: bool) -> Tensor {
        let mut xs = self.embeddings.forward_t(ids, token_types, train);
        let mask = ((attention_mask.to_kind(xs.kind()) - 1.0) * 10000.0).unsqueeze(1).unsqueeze(1);
        for layer in &self.layers {
            xs = layer.forward_t(&xs, &mask, train);
        }
        xs.select(1, 0).apply(&self.pooler).tanh()
    }
}
