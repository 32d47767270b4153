//! Loading a pretrained BERT-architecture encoder and putting a classification head on it.
//!
//! The encoder is rust-bert's `BertModel` under the variable prefix `bert`; the head is a
//! dropout plus a linear layer named `classifier`, so the variable names are exactly
//! those of Hugging Face's (and rust-bert's) `BertForSequenceClassification`. We own the
//! head (instead of using rust-bert's `BertForSequenceClassification`) because its dropout
//! is tied to the encoder's `hidden_dropout_prob`, and the paper's ablations need the
//! head's regulariser to be chosen on its own.

use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use std::collections::{BTreeSet, HashMap};
use tch::{nn, Kind, Tensor};

/// Variable-name prefixes that may be absent from a pretrained checkpoint: the new head,
/// the pooler (sentence-encoder checkpoints such as the L3 MiniLM ship none; DeBERTa's
/// `pooler.dense` is part of its new head), and ModernBERT's `head.*` (MLM checkpoints carry
/// it, a bare `ModernBertModel`'s does not).
pub const NEW_LAYER_PREFIXES: [&str; 5] = ["classifier.", "pre_classifier.", "bert.pooler.", "pooler.", "head."];

pub use crate::files::ModelFiles;

/// Reads `config.json` into rust-bert's `BertConfig` (for RoBERTa, DistilBERT and ELECTRA:
/// their sizes and dropout in BERT's terms), with the label map set for `num_labels`
/// outputs (rust-bert 0.23 takes the label count from `id2label`).
pub fn read_config(files: &ModelFiles, labels: &[String]) -> Result<BertConfig> {
    let mut json = files.config_json.clone();
    let arch = files.arch;
    // Fields rust-bert does not know would be ignored anyway; the label maps we set ourselves.
    if let Some(obj) = json.as_object_mut() {
        obj.remove("id2label");
        obj.remove("label2id");
    }
    let mut config: BertConfig = if arch == crate::arch::Arch::ModernBert {
        crate::modernbert::bert_shape(&json, &files.config)?
    } else {
        crate::arch::bert_shape(&json, arch, &files.config)?
    };
    let names: Vec<String> = if labels.is_empty() { vec!["score".into()] } else { labels.to_vec() };
    config.id2label = Some(names.iter().enumerate().map(|(i, l)| (i as i64, l.clone())).collect());
    config.label2id = Some(names.iter().enumerate().map(|(i, l)| (l.clone(), i as i64)).collect());
    Ok(config)
}

pub use mixout_spec::{DropoutSpec, EncoderImpl};

enum Encoder {
    RustBert(BertModel<BertEmbeddings>),
    Fused(crate::bert::FusedBert),
    /// RoBERTa, DistilBERT or ELECTRA with its own head.
    Other(crate::arch::ArchClassifier),
    /// ModernBERT with its own head.
    ModernBert(crate::modernbert::ModernBertClassifier),
}

/// A BERT encoder with a sequence-classification (or regression) head.
pub struct SequenceClassifier {
    bert: Encoder,
    /// BERT's head (the other architectures carry their own).
    classifier: Option<nn::Linear>,
    head_dropout: f64,
    /// Number of outputs: label count, or 1 for regression.
    pub num_labels: i64,
}

/// Input tensors of one batch, already on the model's device.
pub struct BatchTensors {
    /// Token ids, `[batch, seq]`, int64.
    pub input_ids: Tensor,
    /// Segment ids, `[batch, seq]`, int64.
    pub token_type_ids: Tensor,
    /// 1 for real tokens, 0 for padding, `[batch, seq]`, int64 (rust-bert needs an integer mask).
    pub attention_mask: Tensor,
    /// Each example's token count, on the host when the batch was built there: the unpadded
    /// encoder packs by it without reading the mask back from a GPU (which would make the
    /// host wait for the device every step). None: read from `attention_mask`.
    pub lengths: Option<Vec<i64>>,
}

impl SequenceClassifier {
    /// Builds the model's variables under `root` (uninitialised values; see [`load_pretrained`]).
    pub fn new(root: &nn::Path, config: &BertConfig, dropout: DropoutSpec, encoder: EncoderImpl) -> Result<Self> {
        let mut config = config.clone();
        config.hidden_dropout_prob = dropout.hidden;
        config.attention_probs_dropout_prob = dropout.attention;
        let num_labels = config.id2label.as_ref().map(|m| m.len() as i64).unwrap_or(0);
        if num_labels < 1 {
            return Err(Error::Invalid("a classifier needs at least one output".into()));
        }
        let bert = match encoder {
            EncoderImpl::RustBert => Encoder::RustBert(BertModel::<BertEmbeddings>::new(root / "bert", &config)),
            EncoderImpl::Padded => Encoder::Fused(crate::bert::FusedBert::new(root / "bert", &config)),
            EncoderImpl::Unpadded => {
                let mut bert = crate::bert::FusedBert::new(root / "bert", &config);
                bert.unpadded = true;
                Encoder::Fused(bert)
            }
        };
        let classifier = nn::linear(root / "classifier", config.hidden_size, num_labels, Default::default());
        Ok(SequenceClassifier { bert, classifier: Some(classifier), head_dropout: dropout.head, num_labels })
    }

    /// Whether the encoder computes padded slots: all but our unpadded BERT encoder do
    /// (`micro_batches: auto` splits their batches by length on CPU).
    pub fn computes_padding(&self) -> bool {
        !matches!(&self.bert, Encoder::Fused(b) if b.unpadded)
    }

    /// Chooses the kind of the encoder's matmuls and attention: fp32 and tf32 compute in fp32
    /// (TF32 is a global libtorch switch), bf16 in bf16 with fp32 weights, norms, head and loss.
    pub fn set_precision(&mut self, precision: mixout_spec::Precision) -> Result<()> {
        use mixout_spec::Precision;
        match (&mut self.bert, precision) {
            (Encoder::Fused(bert), Precision::Bf16) => bert.compute = Kind::BFloat16,
            (Encoder::Fused(bert), _) => bert.compute = Kind::Float,
            (Encoder::ModernBert(m), Precision::Bf16) => m.compute = Kind::BFloat16,
            (Encoder::ModernBert(m), _) => m.compute = Kind::Float,
            (Encoder::RustBert(_), Precision::Bf16) => {
                return Err(Error::Invalid("precision bf16 needs `encoder: unpadded` or `padded` (rust-bert's encoder has no mixed-precision path)".into()))
            }
            (Encoder::Other(_), Precision::Bf16) => {
                return Err(Error::Invalid("precision bf16 is implemented for BERT checkpoints (our encoders) and ModernBERT; use fp32 or tf32 for RoBERTa, DistilBERT, ELECTRA and DeBERTa".into()))
            }
            (Encoder::RustBert(_), _) | (Encoder::Other(_), _) => {}
        }
        Ok(())
    }

    /// Builds the classifier a model folder calls for: BERT (with `encoder`'s implementation)
    /// or the architecture config.json names, with its own Hugging Face head.
    pub fn build(
        root: &nn::Path,
        files: &ModelFiles,
        config: &BertConfig,
        dropout: DropoutSpec,
        encoder: EncoderImpl,
    ) -> Result<Self> {
        let json = &files.config_json;
        let arch = files.arch;
        if arch == crate::arch::Arch::Bert {
            return Self::new(root, config, dropout, encoder);
        }
        let num_labels = config.id2label.as_ref().map(|m| m.len() as i64).unwrap_or(0);
        if arch == crate::arch::Arch::ModernBert {
            let m = crate::modernbert::ModernBertClassifier::new(root, json, &files.config, dropout, num_labels)?;
            return Ok(SequenceClassifier {
                bert: Encoder::ModernBert(m),
                classifier: None,
                head_dropout: dropout.head,
                num_labels,
            });
        }
        let other = crate::arch::ArchClassifier::new(root, arch, json, &files.config, dropout, num_labels)?;
        Ok(SequenceClassifier { bert: Encoder::Other(other), classifier: None, head_dropout: dropout.head, num_labels })
    }

    /// Logits `[batch, num_labels]`; `train` switches dropout on.
    pub fn forward_t(&self, batch: &BatchTensors, train: bool) -> Result<Tensor> {
        let pooled = match &self.bert {
            Encoder::Fused(bert) => bert.forward_t(
                &batch.input_ids,
                &batch.token_type_ids,
                &batch.attention_mask,
                batch.lengths.as_deref(),
                train,
            ),
            Encoder::RustBert(bert) => bert
                .forward_t(
                    Some(&batch.input_ids),
                    Some(&batch.attention_mask),
                    Some(&batch.token_type_ids),
                    None,
                    None,
                    None,
                    None,
                    train,
                )?
                .pooled_output
                .ok_or_else(|| Error::Invalid("BERT model built without a pooler".into()))?,
            Encoder::Other(m) => {
                return m.forward_t(&batch.input_ids, &batch.token_type_ids, &batch.attention_mask, train)
            }
            Encoder::ModernBert(m) => return Ok(m.forward_t(&batch.input_ids, &batch.attention_mask, train)),
        };
        let classifier =
            self.classifier.as_ref().ok_or_else(|| Error::Invalid("BERT classifier without its head".into()))?;
        Ok(pooled.dropout(self.head_dropout, train).apply(classifier))
    }
}

/// What loading a checkpoint found.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Model variables absent from the checkpoint (initialised fresh).
    pub missing: Vec<String>,
    /// Checkpoint tensors the model has no variable for (e.g. an MLM head).
    pub unused: Vec<String>,
    /// Variables loaded from the checkpoint.
    pub loaded: usize,
}

/// Maps a checkpoint tensor name onto our variable names: encoder checkpoints saved from
/// `BertModel` (`RobertaModel`, …) carry no `bert.` (`roberta.`, …) prefix; those from
/// `*For*` models do, and their heads (`classifier.*`, `pre_classifier.*`, ModernBERT's
/// `head.*`) none.
fn variable_name(name: &str, prefix: &str) -> String {
    let head = ["classifier.", "pre_classifier.", "head."].iter().any(|h| name.starts_with(h))
        // DeBERTa's head pooler sits beside `deberta.`; BERT's `pooler.` is under `bert.`.
        || (prefix == "deberta" && name.starts_with("pooler."));
    if head || name.starts_with(&format!("{prefix}.")) {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Copies a checkpoint into the VarStore, checks that only the new head and the pooler are
/// missing (anything else is an error naming the variables), and initialises the missing
/// layers as BERT does: N(0, initializer_range²) weights, zero biases, drawn from tch's RNG
/// (seed it first so the head follows the run's seed).
pub fn load_pretrained(vs: &nn::VarStore, files: &ModelFiles, initializer_range: f64) -> Result<LoadReport> {
    let tensors = if files.weights.extension().is_some_and(|e| e == "ot") {
        Tensor::load_multi(&files.weights)?
    } else {
        Tensor::read_safetensors(&files.weights)?
    };
    let prefix = files.arch.prefix();
    let mut vars = vs.variables();
    let mut report = LoadReport::default();
    let mut seen = BTreeSet::new();
    tch::no_grad(|| -> Result<()> {
        for (name, value) in &tensors {
            let key = variable_name(name, prefix);
            match vars.get_mut(&key) {
                Some(var) => {
                    if var.size() != value.size() {
                        return Err(Error::model(&files.weights, format!("`{name}` has shape {:?}, the model expects {:?} for `{key}` (does config.json belong to these weights?)", value.size(), var.size())));
                    }
                    var.f_copy_(&value.to_kind(var.kind()).to_device(var.device()))?;
                    seen.insert(key);
                    report.loaded += 1;
                }
                None => report.unused.push(name.clone()),
            }
        }
        Ok(())
    })?;
    let mut missing: Vec<String> = vars.keys().filter(|k| !seen.contains(*k)).cloned().collect();
    missing.sort();
    let unexpected: Vec<&String> =
        missing.iter().filter(|k| !NEW_LAYER_PREFIXES.iter().any(|p| k.starts_with(p))).collect();
    if !unexpected.is_empty() {
        return Err(Error::model(
            &files.weights,
            format!(
                "{} pretrained variable(s) missing from the checkpoint: {} (only the new head `classifier.*`/`pre_classifier.*`/`head.*` and BERT's pooler may be missing; do config.json and the weights belong together?)",
                unexpected.len(),
                unexpected.iter().take(8).map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    init_new_layers(&mut vars, &missing, initializer_range);
    report.missing = missing;
    report.unused.sort();
    Ok(report)
}

/// N(0, range²) for weights, zeros for biases and ones for norm weights of the freshly
/// created layers, as Hugging Face's `_init_weights` does (tch's default would be
/// Kaiming-uniform).
fn init_new_layers(vars: &mut HashMap<String, Tensor>, names: &[String], range: f64) {
    tch::no_grad(|| {
        for name in names {
            if let Some(var) = vars.get_mut(name) {
                let _ = if name.ends_with(".bias") {
                    var.zero_()
                } else if name.to_ascii_lowercase().ends_with("norm.weight") {
                    var.fill_(1.0)
                } else {
                    var.normal_(0.0, range)
                };
            }
        }
    });
}

/// Number of scalar parameters in a VarStore.
pub fn parameter_count(vs: &nn::VarStore) -> i64 {
    vs.variables().values().map(|t| t.numel() as i64).sum()
}
