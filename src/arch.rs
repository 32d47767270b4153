//! Encoder architectures besides BERT, from rust-bert, each with Hugging Face's own
//! sequence-classification head under Hugging Face's names, so a `model:` folder whose
//! config.json says `roberta`, `distilbert` or `electra` loads, finetunes, saves and reloads
//! like a BERT one. Mixout, weight decay and the presets act on variable names (see
//! [`crate::plan`]); [`Arch`] says where each architecture keeps what.

use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertModel};
use rust_bert::distilbert::{DistilBertConfig, DistilBertModel};
use rust_bert::electra::{ElectraConfig, ElectraModel};
use rust_bert::roberta::RobertaEmbeddings;
use serde_json::Value;
use std::path::Path;
use tch::{nn, Tensor};

/// The encoder families the harness finetunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Arch {
    /// BERT (and BERT-shaped checkpoints such as MiniLM): `bert.*`, pooler + `classifier`.
    Bert,
    /// RoBERTa: `roberta.*` (no pooler), head `classifier.dense` → tanh → `classifier.out_proj`.
    Roberta,
    /// DistilBERT: `distilbert.*`, head `pre_classifier` → ReLU → `classifier`.
    DistilBert,
    /// ELECTRA (discriminator): `electra.*`, head `classifier.dense` → GELU → `classifier.out_proj`.
    Electra,
    /// ModernBERT ([`crate::modernbert`]): `model.*`, head `head.dense` → activation →
    /// `head.norm` → `classifier`, on the CLS token or the mean of the real tokens.
    ModernBert,
    /// DeBERTa-v2/v3 (`model_type: deberta-v2`): `deberta.*`, head `pooler.dense` → GELU →
    /// `classifier` (see [`crate::deberta`]).
    DebertaV2,
}

impl Arch {
    /// The architecture named by config.json's `model_type` (absent: BERT, as older folders).
    pub fn from_config(json: &Value, path: &Path) -> Result<Arch> {
        match json.get("model_type").and_then(Value::as_str) {
            None | Some("bert") => Ok(Arch::Bert),
            Some("roberta") => Ok(Arch::Roberta),
            Some("distilbert") => Ok(Arch::DistilBert),
            Some("electra") => Ok(Arch::Electra),
            Some("modernbert") => Ok(Arch::ModernBert),
            Some("deberta-v2") => Ok(Arch::DebertaV2),
            Some(other) => Err(Error::model(
                path,
                format!("model_type `{other}` is not supported: use a bert, roberta, distilbert, electra, deberta-v2 or modernbert checkpoint"),
            )),
        }
    }

    /// The architecture of a model folder's config.json.
    pub fn of_file(config: &Path) -> Result<Arch> {
        Arch::from_config(&read_json(config)?, config)
    }

    /// `model_type` as config.json writes it.
    pub fn name(self) -> &'static str {
        match self {
            Arch::Bert => "bert",
            Arch::Roberta => "roberta",
            Arch::DistilBert => "distilbert",
            Arch::Electra => "electra",
            Arch::ModernBert => "modernbert",
            Arch::DebertaV2 => "deberta-v2",
        }
    }

    /// Variable prefix of the pretrained encoder (Hugging Face's `base_model_prefix`).
    pub fn prefix(self) -> &'static str {
        match self {
            Arch::ModernBert => "model",
            Arch::DebertaV2 => "deberta",
            _ => self.name(),
        }
    }

    /// The FFN's first linear layer, which the paper's preset leaves unmixed (no dropout
    /// precedes it in BERT, so the authors applied mixout where dropout was).
    pub fn ffn_input(self) -> &'static str {
        match self {
            Arch::DistilBert => "ffn.lin1",
            Arch::ModernBert => "mlp.Wi",
            _ => "intermediate.dense",
        }
    }

    /// Hugging Face's `architectures` entry for a saved sequence classifier.
    pub fn hf_class(self) -> &'static str {
        match self {
            Arch::Bert => "BertForSequenceClassification",
            Arch::Roberta => "RobertaForSequenceClassification",
            Arch::DistilBert => "DistilBertForSequenceClassification",
            Arch::Electra => "ElectraForSequenceClassification",
            Arch::ModernBert => "ModernBertForSequenceClassification",
            Arch::DebertaV2 => "DebertaV2ForSequenceClassification",
        }
    }

    /// One line saying what the presets select on this architecture (shown by `inspect`).
    pub fn preset_mapping(self) -> String {
        let p = self.prefix();
        if self == Arch::ModernBert {
            // GeGLU: `mlp.Wi` is the FFN's input (and gate), as BERT's intermediate.dense;
            // `head.dense` is pretrained in MLM checkpoints and sits where BERT's pooler does.
            return format!(
                "4 linears per layer in {p}.layers.* (attn.Wqkv, attn.Wo, mlp.Wi, mlp.Wo) and head.dense; `paper` = all but mlp.Wi, `all-linear` = all; embeddings, biases and norms never"
            );
        }
        let layers = match self {
            Arch::DistilBert => format!("{p}.transformer.layer.*"),
            _ => format!("{p}.encoder.layer.*"),
        };
        let linears = match self {
            Arch::DistilBert => "attention.{q,k,v,out}_lin, ffn.lin1, ffn.lin2",
            Arch::DebertaV2 => {
                "attention.self.{query_proj,key_proj,value_proj}, attention.output.dense, intermediate.dense, output.dense"
            }
            _ => "attention.self.{query,key,value}, attention.output.dense, intermediate.dense, output.dense",
        };
        let pooler = match self {
            Arch::Bert => " and bert.pooler.dense",
            // The pooler is new (not pretrained): part of the head, mixed only by `head: mixout`.
            Arch::DebertaV2 => "; the new pooler.dense belongs to the head",
            _ => "",
        };
        format!(
            "6 linears per layer in {layers} ({linears}){pooler}; `paper` = all but {}, `all-linear` = all; embeddings{}, biases and LayerNorm never",
            self.ffn_input(),
            match self {
                Arch::Electra => " (incl. embeddings_project)",
                Arch::DebertaV2 => " (incl. encoder.rel_embeddings)",
                _ => "",
            }
        )
    }
}

/// Reads a JSON file (config.json), naming the file on error.
pub fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json { path: path.to_path_buf(), cause: e })
}

/// The FFN activations (config.json `hidden_act`, DistilBERT's `activation`) every encoder
/// here implements, under Hugging Face's names.
pub const ACTIVATIONS: [&str; 9] =
    ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "mish", "tanh", "identity"];

/// Refuses an activation the encoders do not implement, by name, before serde's message
/// (a list of rust-bert's enum variants) would.
fn check_activation(json: &Value, path: &Path) -> Result<()> {
    for key in ["hidden_act", "activation"] {
        if let Some(v) = json.get(key) {
            if !v.as_str().is_some_and(|a| ACTIVATIONS.contains(&a)) {
                return Err(Error::model(
                    path,
                    format!(
                        "config.json `{key}` is {v}, which is not supported: use one of {}",
                        ACTIVATIONS.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Parses config.json into the given rust-bert config, naming the file on error.
fn parse<T: serde::de::DeserializeOwned>(json: &Value, path: &Path) -> Result<T> {
    check_activation(json, path)?;
    serde_json::from_value(json.clone()).map_err(|e| Error::Json { path: path.to_path_buf(), cause: e })
}

/// A BERT-shaped summary (sizes, dropout) of any supported config.json, for memory and FLOP
/// estimates and the common dropout switches. DistilBERT's fields are renamed.
pub fn bert_shape(json: &Value, arch: Arch, path: &Path) -> Result<BertConfig> {
    if arch != Arch::DistilBert {
        return parse(json, path);
    }
    let c: DistilBertConfig = parse(json, path)?;
    let mapped = serde_json::json!({
        "hidden_act": c.activation,
        "attention_probs_dropout_prob": c.attention_dropout,
        "hidden_dropout_prob": c.dropout,
        "hidden_size": c.dim,
        "initializer_range": c.initializer_range,
        "intermediate_size": c.hidden_dim,
        "max_position_embeddings": c.max_position_embeddings,
        "num_attention_heads": c.n_heads,
        "num_hidden_layers": c.n_layers,
        "type_vocab_size": 1,
        "vocab_size": c.vocab_size,
    });
    parse(&mapped, path)
}

enum Body {
    Roberta(BertModel<RobertaEmbeddings>),
    DistilBert(DistilBertModel),
    Electra(ElectraModel),
    DebertaV2(Box<crate::deberta::DebertaBody>),
}

/// A non-BERT encoder with its Hugging Face classification head.
pub struct ArchClassifier {
    body: Body,
    /// `classifier.dense` (RoBERTa, ELECTRA), `pre_classifier` (DistilBERT) or `pooler.dense` (DeBERTa).
    dense: nn::Linear,
    /// `classifier.out_proj` (RoBERTa, ELECTRA) or `classifier` (DistilBERT, DeBERTa).
    out: nn::Linear,
    arch: Arch,
    head_dropout: f64,
}

impl ArchClassifier {
    /// Creates the variables under `root` from config.json (`json`), with the given dropout
    /// inside the encoder and before/inside the head.
    pub fn new(
        root: &nn::Path,
        arch: Arch,
        json: &Value,
        path: &Path,
        dropout: mixout_spec::DropoutSpec,
        num_labels: i64,
    ) -> Result<Self> {
        let (hidden, attention, head_dropout) = (dropout.hidden, dropout.attention, dropout.head);
        let (body, h) = match arch {
            Arch::Bert => return Err(Error::Invalid("BERT uses the BERT encoder, not ArchClassifier".into())),
            Arch::ModernBert => {
                return Err(Error::Invalid(
                    "ModernBERT uses its own classifier (modernbert.rs), not ArchClassifier".into(),
                ))
            }
            Arch::Roberta => {
                let mut c: BertConfig = parse(json, path)?;
                c.hidden_dropout_prob = hidden;
                c.attention_probs_dropout_prob = attention;
                (
                    Body::Roberta(BertModel::<RobertaEmbeddings>::new_with_optional_pooler(
                        root / "roberta",
                        &c,
                        false,
                    )),
                    c.hidden_size,
                )
            }
            Arch::DistilBert => {
                let mut c: DistilBertConfig = parse(json, path)?;
                c.dropout = hidden;
                c.attention_dropout = attention;
                // rust-bert adds the `distilbert` level itself.
                (Body::DistilBert(DistilBertModel::new(root, &c)), c.dim)
            }
            Arch::Electra => {
                let mut c: ElectraConfig = parse(json, path)?;
                c.hidden_dropout_prob = hidden;
                c.attention_probs_dropout_prob = attention;
                (Body::Electra(ElectraModel::new(root / "electra", &c)), c.hidden_size)
            }
            Arch::DebertaV2 => {
                check_activation(json, path)?;
                let body = crate::deberta::DebertaBody::new(root, json, path, hidden, attention)?;
                let h = body.hidden;
                (Body::DebertaV2(Box::new(body)), h)
            }
        };
        let (dense, out) = match arch {
            Arch::DistilBert => (
                nn::linear(root / "pre_classifier", h, h, Default::default()),
                nn::linear(root / "classifier", h, num_labels, Default::default()),
            ),
            Arch::DebertaV2 => (
                nn::linear(root / "pooler" / "dense", h, h, Default::default()),
                nn::linear(root / "classifier", h, num_labels, Default::default()),
            ),
            _ => (
                nn::linear(root / "classifier" / "dense", h, h, Default::default()),
                nn::linear(root / "classifier" / "out_proj", h, num_labels, Default::default()),
            ),
        };
        Ok(ArchClassifier { body, dense, out, arch, head_dropout })
    }

    /// Logits `[batch, labels]`, as Hugging Face's `*ForSequenceClassification` computes them.
    pub fn forward_t(&self, ids: &Tensor, token_types: &Tensor, mask: &Tensor, train: bool) -> Result<Tensor> {
        let hidden = match &self.body {
            Body::Roberta(m) => {
                m.forward_t(Some(ids), Some(mask), Some(token_types), None, None, None, None, train)?.hidden_state
            }
            Body::DistilBert(m) => m.forward_t(Some(ids), Some(mask), None, train)?.hidden_state,
            Body::Electra(m) => {
                // rust-bert 0.23's ElectraModel hands the mask to the encoder as an *additive*
                // mask without converting it (BertModel does), so padding would stay visible
                // (+0 vs +1). Give it BERT's additive form: 0 for tokens, −10000 for padding.
                let additive = (mask.to_kind(tch::Kind::Float) - 1.0) * 10000.0;
                m.forward_t(Some(ids), Some(&additive), Some(token_types), None, None, train)?.hidden_state
            }
            Body::DebertaV2(m) => {
                // ContextPooler: dropout → dense → activation; then dropout → classifier.
                let first = m.forward_t(ids, token_types, mask, train)?.select(1, 0);
                let d = self.head_dropout;
                let pooled = m.pooler_activation(&first.dropout(d, train).apply(&self.dense));
                return Ok(pooled.dropout(d, train).apply(&self.out));
            }
        };
        let first = hidden.select(1, 0);
        let d = self.head_dropout;
        Ok(match self.arch {
            Arch::DistilBert => first.apply(&self.dense).relu().dropout(d, train).apply(&self.out),
            Arch::Electra => first.dropout(d, train).apply(&self.dense).gelu("none").dropout(d, train).apply(&self.out),
            _ => first.dropout(d, train).apply(&self.dense).tanh().dropout(d, train).apply(&self.out),
        })
    }
}
