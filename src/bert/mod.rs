//! A BERT encoder written directly on tch with libtorch's fused kernels (`gelu`,
//! `scaled_dot_product_attention`), under exactly rust-bert's and Hugging Face's variable
//! names, so the same checkpoints load and every other part of the harness (mixout,
//! weight decay, saving) works unchanged. It computes what rust-bert's `BertModel` computes
//! (a test pins the outputs to each other); it exists because rust-bert builds GELU from
//! separate erf ops and attention from explicit matmul + softmax, which costs time on CPU.
//! Each module has `new` (create variables under a path) and `forward_t(xs, train)`.

pub mod attention;
pub mod packing;

use attention::{attend, AttentionDropout};
use packing::Packing;
use rust_bert::bert::BertConfig;
use rust_bert::Activation;
use tch::{nn, Kind, Tensor};

/// BERT's LayerNorm epsilon when config.json gives no `layer_norm_eps` (Hugging Face's default).
pub const DEFAULT_LN_EPS: f64 = 1e-12;

/// The LayerNorm epsilon config.json asks for: RoBERTa-style checkpoints say 1e-5, and a
/// wrong epsilon shifts every normalised activation.
pub fn layer_norm_eps(c: &BertConfig) -> f64 {
    c.layer_norm_eps.unwrap_or(DEFAULT_LN_EPS)
}

fn layer_norm(p: nn::Path, hidden: i64, eps: f64) -> nn::LayerNorm {
    nn::layer_norm(p, vec![hidden], nn::LayerNormConfig { eps, ..Default::default() })
}

/// The FFN activation (config.json `hidden_act`) on libtorch's fused kernels. Every value
/// rust-bert parses has one; the tanh GELU (`gelu_new`, alias `gelu_pytorch_tanh`) is
/// libtorch's `gelu("tanh")`, the same formula as Hugging Face's `NewGELUActivation`.
pub(crate) fn activate(act: Activation, xs: &Tensor) -> Tensor {
    match act {
        Activation::gelu => xs.gelu("none"),
        Activation::gelu_new => xs.gelu("tanh"),
        Activation::relu => xs.relu(),
        Activation::swish => xs.silu(),
        Activation::mish => xs.mish(),
        Activation::tanh => xs.tanh(),
        Activation::identity => xs.shallow_clone(),
    }
}

/// A linear layer computed in `kind`: for bf16, input, weight and bias are cast first, as
/// autocast does, so the fp32 master weights receive fp32 gradients through the casts.
pub(crate) fn linear(l: &nn::Linear, xs: &Tensor, kind: Kind) -> Tensor {
    if kind == Kind::Float {
        return xs.apply(l);
    }
    xs.to_kind(kind).linear(&l.ws.to_kind(kind), l.bs.as_ref().map(|b| b.to_kind(kind)))
}

/// LayerNorm in fp32 whatever the input (autocast keeps normalisations in fp32).
fn norm(l: &nn::LayerNorm, xs: &Tensor) -> Tensor {
    if xs.kind() == Kind::Float {
        xs.apply(l)
    } else {
        xs.to_kind(Kind::Float).apply(l)
    }
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
            position: nn::embedding(
                &p / "position_embeddings",
                c.max_position_embeddings,
                c.hidden_size,
                Default::default(),
            ),
            token_type: nn::embedding(
                &p / "token_type_embeddings",
                c.type_vocab_size,
                c.hidden_size,
                Default::default(),
            ),
            norm: layer_norm(&p / "LayerNorm", c.hidden_size, layer_norm_eps(c)),
            dropout: c.hidden_dropout_prob,
        }
    }

    fn forward_t(&self, ids: &Tensor, token_types: &Tensor, train: bool) -> Tensor {
        let len = ids.size()[1];
        let positions = Tensor::arange(len, (Kind::Int64, ids.device())).unsqueeze(0);
        let xs = ids.apply(&self.word) + positions.apply(&self.position) + token_types.apply(&self.token_type);
        xs.apply(&self.norm).dropout(self.dropout, train)
    }

    /// The embeddings of the real tokens only, `[tokens, hidden]` in `pk`'s order.
    fn forward_packed(&self, ids: &Tensor, token_types: &Tensor, pk: &Packing, train: bool) -> Tensor {
        let (b, len) = ids.size2().unwrap_or((0, 0));
        let positions = Tensor::arange(len, (Kind::Int64, ids.device())).repeat([b, 1]);
        let xs = pk.pack_ids(ids).apply(&self.word)
            + pk.pack_ids(&positions).apply(&self.position)
            + pk.pack_ids(token_types).apply(&self.token_type);
        crate::dropout::dropout(&xs.apply(&self.norm), self.dropout, train)
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
    act: Activation,
    heads: i64,
    hidden_dropout: f64,
    attention_dropout: f64,
}

impl Layer {
    fn new(p: nn::Path, c: &BertConfig) -> Self {
        let (h, i, eps) = (c.hidden_size, c.intermediate_size, layer_norm_eps(c));
        let lin = |path: nn::Path, a: i64, b: i64| nn::linear(path, a, b, Default::default());
        let att = &p / "attention";
        Layer {
            query: lin(&att / "self" / "query", h, h),
            key: lin(&att / "self" / "key", h, h),
            value: lin(&att / "self" / "value", h, h),
            attn_out: lin(&att / "output" / "dense", h, h),
            attn_norm: layer_norm(&att / "output" / "LayerNorm", h, eps),
            intermediate: lin(&p / "intermediate" / "dense", h, i),
            output: lin(&p / "output" / "dense", i, h),
            out_norm: layer_norm(&p / "output" / "LayerNorm", h, eps),
            act: c.hidden_act,
            heads: c.num_attention_heads,
            hidden_dropout: c.hidden_dropout_prob,
            attention_dropout: c.attention_probs_dropout_prob,
        }
    }

    /// `mask` is additive, `[batch, 1, 1, seq]`: 0 for tokens, −10000 for padding (as BERT),
    /// already in the compute kind. `kind` is fp32, or bf16 for matmuls and attention.
    /// `xs` is `[batch, seq, hidden]`, or with `pk` the packed real tokens `[tokens, hidden]`:
    /// then only attention sees padding, per length bucket (padding keys get zero projections
    /// and the bucket mask's −10000, so they weigh 0), and dropout draws cheap masks.
    fn forward_t(&self, xs: &Tensor, pk: Option<&Packing>, mask: &Tensor, train: bool, kind: Kind) -> Tensor {
        let (q, k, v) = (linear(&self.query, xs, kind), linear(&self.key, xs, kind), linear(&self.value, xs, kind));
        let (p, heads) = (if train { self.attention_dropout } else { 0.0 }, self.heads);
        let ctx = match pk {
            None => attend(&q, &k, &v, mask, heads, p, AttentionDropout::Libtorch),
            Some(pk) => {
                let parts: Vec<Tensor> = pk
                    .buckets
                    .iter()
                    .map(|b| {
                        let ctx =
                            attend(&b.pad(&q), &b.pad(&k), &b.pad(&v), &b.mask, heads, p, AttentionDropout::Cheap);
                        b.unpad(&ctx)
                    })
                    .collect();
                Tensor::cat(&parts, 0)
            }
        };
        self.finish(ctx, xs, pk.is_some(), train, kind)
    }

    /// The last layer of the unpadded encoder, for the pooler: every token's keys and values,
    /// but queries, attention output and FFN for the `[CLS]` rows alone (nothing else reaches
    /// the logits, so the function and every gradient are the same). Returns `[batch, hidden]`
    /// in longest-first order.
    fn forward_cls(&self, xs: &Tensor, pk: &Packing, train: bool, kind: Kind) -> Tensor {
        let cls = xs.index_select(0, &pk.starts_sorted);
        let (q, k, v) = (linear(&self.query, &cls, kind), linear(&self.key, xs, kind), linear(&self.value, xs, kind));
        let (p, heads) = (if train { self.attention_dropout } else { 0.0 }, self.heads);
        let parts: Vec<Tensor> = pk
            .buckets
            .iter()
            .map(|b| {
                let q = q.narrow(0, b.first, b.n).unsqueeze(1);
                attend(&q, &b.pad(&k), &b.pad(&v), &b.mask, heads, p, AttentionDropout::Cheap).squeeze_dim(1)
            })
            .collect();
        self.finish(Tensor::cat(&parts, 0), &cls, true, train, kind)
    }

    /// Attention output, FFN, dropout, residuals and norms on the rows of `xs` that `ctx` holds.
    fn finish(&self, ctx: Tensor, xs: &Tensor, cheap_dropout: bool, train: bool, kind: Kind) -> Tensor {
        let drop = |t: Tensor| {
            if cheap_dropout {
                crate::dropout::dropout(&t, self.hidden_dropout, train)
            } else {
                t.dropout(self.hidden_dropout, train)
            }
        };
        let attn = norm(&self.attn_norm, &(drop(linear(&self.attn_out, &ctx, kind)) + xs));
        let ff = drop(linear(&self.output, &activate(self.act, &linear(&self.intermediate, &attn, kind)), kind));
        norm(&self.out_norm, &(ff + attn))
    }
}

/// The BERT encoder with its pooler (`tanh(dense(h[CLS]))`), variables under `bert.*`.
pub struct FusedBert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
    pooler: nn::Linear,
    /// Kind of the matmuls and attention: fp32, or bf16 for mixed precision.
    pub compute: Kind,
    /// Compute only the real tokens (see [`mixout_spec::EncoderImpl::Unpadded`]).
    pub unpadded: bool,
}

impl FusedBert {
    /// Creates the variables under `p` (use `root / "bert"`).
    pub fn new(p: nn::Path, c: &BertConfig) -> Self {
        let enc = &p / "encoder" / "layer";
        FusedBert {
            embeddings: Embeddings::new(&p / "embeddings", c),
            layers: (0..c.num_hidden_layers).map(|i| Layer::new(&enc / i, c)).collect(),
            pooler: nn::linear(&p / "pooler" / "dense", c.hidden_size, c.hidden_size, Default::default()),
            compute: Kind::Float,
            unpadded: false,
        }
    }

    /// Pooled output `[batch, hidden]`. `attention_mask` is 1 for tokens, 0 for padding;
    /// `lengths`, each row's token count when the host has it (else read from the mask).
    pub fn forward_t(
        &self,
        ids: &Tensor,
        token_types: &Tensor,
        attention_mask: &Tensor,
        lengths: Option<&[i64]>,
        train: bool,
    ) -> Tensor {
        let mask = ((attention_mask.to_kind(self.compute) - 1.0) * 10000.0).unsqueeze(1).unsqueeze(1);
        let pk = self.unpadded.then(|| Packing::new(attention_mask, lengths, self.compute));
        let mut xs = match &pk {
            Some(pk) => self.embeddings.forward_packed(ids, token_types, pk, train),
            None => self.embeddings.forward_t(ids, token_types, train),
        };
        let cls = match (&pk, self.layers.split_last()) {
            (Some(pk), Some((last, below))) => {
                for layer in below {
                    xs = layer.forward_t(&xs, Some(pk), &mask, train, self.compute);
                }
                last.forward_cls(&xs, pk, train, self.compute).index_select(0, &pk.sorted_position)
            }
            (Some(pk), None) => xs.index_select(0, &pk.starts()),
            (None, _) => {
                for layer in &self.layers {
                    xs = layer.forward_t(&xs, None, &mask, train, self.compute);
                }
                xs.select(1, 0)
            }
        };
        // The pooled output returns to fp32: the head, the loss and the metrics stay fp32.
        linear(&self.pooler, &cls, self.compute).tanh().to_kind(Kind::Float)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn tiny(extra: serde_json::Value) -> BertConfig {
        let mut cfg = serde_json::json!({
            "hidden_act": "gelu", "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0,
            "hidden_size": 8, "initializer_range": 0.02, "intermediate_size": 16, "max_position_embeddings": 16,
            "num_attention_heads": 2, "num_hidden_layers": 1, "type_vocab_size": 2, "vocab_size": 20
        });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        serde_json::from_value(cfg).unwrap()
    }

    #[test]
    fn activations_follow_hugging_face_formulas() {
        let x = Tensor::linspace(-4.0, 4.0, 81, (Kind::Double, Device::Cpu));
        let erf_gelu = &x * 0.5 * ((&x / 2f64.sqrt()).erf() + 1.0);
        // transformers' NewGELUActivation (gelu_new, gelu_pytorch_tanh).
        let tanh_gelu = &x
            * 0.5
            * (((&x + x.pow_tensor_scalar(3.0) * 0.044715) * (2.0 / std::f64::consts::PI).sqrt()).tanh() + 1.0);
        let close = |a: &Tensor, b: &Tensor| (a - b).abs().max().double_value(&[]) < 1e-12;
        assert!(close(&activate(Activation::gelu, &x), &erf_gelu));
        assert!(close(&activate(Activation::gelu_new, &x), &tanh_gelu));
        assert!(close(&activate(Activation::relu, &x), &x.clamp_min(0.0)));
        assert!(!close(&erf_gelu, &tanh_gelu), "the two GELUs are different functions");
        let parsed: BertConfig = tiny(serde_json::json!({"hidden_act": "gelu_pytorch_tanh"}));
        assert!(matches!(parsed.hidden_act, Activation::gelu_new));
    }

    #[test]
    fn layer_norm_eps_comes_from_the_config() {
        assert_eq!(layer_norm_eps(&tiny(serde_json::json!({}))), DEFAULT_LN_EPS);
        assert_eq!(layer_norm_eps(&tiny(serde_json::json!({"layer_norm_eps": 1e-5}))), 1e-5);
        // Same weights, two epsilons: the pooled outputs differ.
        let pooled = |eps: f64| {
            let vs = nn::VarStore::new(Device::Cpu);
            let bert = FusedBert::new(vs.root() / "bert", &tiny(serde_json::json!({"layer_norm_eps": eps})));
            tch::no_grad(|| {
                for (name, mut v) in vs.variables() {
                    // Deterministic values; small embeddings make the first LayerNorm's eps matter.
                    let n = v.numel() as i64;
                    let wave = Tensor::arange(n, (Kind::Float, Device::Cpu)).sin().view(v.size().as_slice());
                    let vals = if name.contains("LayerNorm.weight") {
                        wave.ones_like()
                    } else if name.contains("embeddings") {
                        wave * 0.01
                    } else {
                        wave * 0.3
                    };
                    v.copy_(&vals);
                }
            });
            let ids = Tensor::from_slice(&[1i64, 5, 7, 2]).view([1, 4]);
            bert.forward_t(&ids, &ids.zeros_like(), &ids.ones_like(), None, false)
        };
        let (a, b) = (pooled(1e-12), pooled(1e-1));
        let d = (&a - &b).abs().max().double_value(&[]);
        let scale = a.abs().max().double_value(&[]);
        assert!(d > 0.05 * scale, "eps 1e-1 vs 1e-12 moves the pooled output by only {d} (scale {scale})");
    }
}
