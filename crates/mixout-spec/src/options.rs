//! The option types of a setting, each with its YAML form and its default. They live here,
//! with the schema, so every layer above (model families, mixout, training, commands) takes
//! them from one place.

use serde::{Deserialize, Serialize};

/// Adam's options. `bias_correction: false` is the original BERT optimizer (BERTAdam).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizerConfig {
    /// Apply Adam's bias correction (`m̂ = m/(1−β1ᵗ)`, `v̂ = v/(1−β2ᵗ)`); off in BERTAdam.
    pub bias_correction: bool,
    /// β1.
    pub beta1: f64,
    /// β2.
    pub beta2: f64,
    /// ε added to `√v`.
    pub eps: f64,
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig { bias_correction: false, beta1: 0.9, beta2: 0.999, eps: 1e-6 }
    }
}

/// Toward what weight decay pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecayTarget {
    /// Ordinary weight decay, wdecay(0, λ).
    #[default]
    Zero,
    /// wdecay(w_pre, λ): toward the pretrained weights (the head: toward its initialisation).
    Pretrained,
}

/// Decoupled weight decay `w ← w − lr_t·λ·(w − u)`; biases and LayerNorm are excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeightDecayConfig {
    /// λ; 0 switches decay off.
    pub lambda: f64,
    /// Target `u`.
    pub toward: DecayTarget,
}

impl Default for WeightDecayConfig {
    fn default() -> Self {
        WeightDecayConfig { lambda: 0.01, toward: DecayTarget::Zero }
    }
}

/// Which linear weights of the pretrained encoder mixout covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LayerPreset {
    /// Every linear weight of the encoder except the FFN `intermediate.dense` (the paper's BERT runs).
    #[default]
    Paper,
    /// Every linear weight of the encoder, pooler included (follow-up work).
    AllLinear,
    /// None by preset: only what `include` names.
    None,
}

/// Mixout on the pretrained encoder, mixout(w_pre, p).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MixoutConfig {
    /// Probability in [0, 1); 0 switches mixout off.
    pub p: f64,
    /// `neuron` (paper) or `element`.
    pub granularity: Granularity,
    /// Preset selecting weights by name.
    pub layers: LayerPreset,
    /// Extra weights to mix: glob patterns over variable names (e.g. `bert.encoder.layer.*.output.dense.weight`).
    pub include: Vec<String>,
    /// Weights to leave alone even if selected: glob patterns.
    pub exclude: Vec<String>,
    /// `exact` gradient (default) or the authors' `authors` variant.
    pub backward: BackwardVariant,
}

impl Default for MixoutConfig {
    fn default() -> Self {
        MixoutConfig {
            p: 0.0,
            granularity: Granularity::Neuron,
            layers: LayerPreset::Paper,
            include: vec![],
            exclude: vec![],
            backward: BackwardVariant::Exact,
        }
    }
}

/// Regulariser of the new classification head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HeadConfig {
    /// Dropout before the head at the encoder's dropout rate, as `BertForSequenceClassification` does.
    #[default]
    Auto,
    /// No regulariser on the head.
    None,
    /// Dropout(p) on the pooled output before the head.
    Dropout(f64),
    /// mixout(w0, p) on the head's weight, w0 its own initialisation.
    Mixout(f64),
}

/// When dev is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EvalSchedule {
    /// After every epoch (curves) and at the end.
    #[default]
    EveryEpoch,
    /// Only at the end of training.
    Final,
}

/// Numeric precision of training. Master weights, optimiser state, mixout targets and the
/// mixout arithmetic stay fp32 in every mode; only the model's forward/backward changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// Plain fp32, as in the paper.
    #[default]
    Fp32,
    /// fp32 with TF32 tensor-core matmuls allowed (CUDA only; a no-op on CPU).
    Tf32,
    /// Autocast-style bf16: matmuls and attention in bf16, weights, loss and updates in fp32.
    Bf16,
}

impl Precision {
    /// Name as written in YAML and result files.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Tf32 => "tf32",
            Precision::Bf16 => "bf16",
        }
    }
}

/// How many length-sorted micro-batches each batch is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MicroBatches {
    /// 1, except 4 for a padded encoder on CPU (where skipping padding was the measured
    /// win); on CUDA one big kernel launch beats several small ones.
    #[default]
    Auto,
    /// A fixed number (1 = no micro-batching).
    Fixed(usize),
}

impl MicroBatches {
    /// The number in effect on a device, for an encoder that computes padding (`padded`) or
    /// only the real tokens.
    pub fn resolve(self, cuda: bool, padded: bool) -> usize {
        match self {
            MicroBatches::Fixed(k) => k,
            // Measured by `make bench` on RTE with L3: a padded encoder is fastest at k = 4 on
            // CPU (padding 1.16x the real tokens instead of 1.92x; k = 8 loses more to per-call
            // overhead). The unpadded one computes no padding outside attention, which it
            // buckets by length itself, so splitting the batch only shrinks its matmuls.
            MicroBatches::Auto if padded && !cuda => 4,
            MicroBatches::Auto => 1,
        }
    }
}

impl Serialize for MicroBatches {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            MicroBatches::Auto => s.serialize_str("auto"),
            MicroBatches::Fixed(k) => s.serialize_u64(*k as u64),
        }
    }
}

impl<'de> Deserialize<'de> for MicroBatches {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("micro_batches: expected `auto` or a number such as 4"))?
        {
            Raw::N(n) => Ok(MicroBatches::Fixed(n as usize)),
            Raw::S(s) if s.trim() == "auto" => Ok(MicroBatches::Auto),
            Raw::S(s) => {
                Err(serde::de::Error::custom(format!("micro_batches: `{s}`: expected `auto` or a number such as 4")))
            }
        }
    }
}

/// Which entries of a weight share one Bernoulli draw of the mixout mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One draw per input neuron (column of the `[out, in]` matrix), as in the paper.
    #[default]
    Neuron,
    /// One draw per entry ("mixconnect").
    Element,
}

/// Which gradient the mixout operator returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackwardVariant {
    /// The true derivative, `M / (1 − p) ⊙ ∂L/∂W~`.
    #[default]
    Exact,
    /// The authors' public code: `M ⊙ ∂L/∂W~` (no `1/(1−p)`), for faithful comparison.
    Authors,
}

impl BackwardVariant {
    /// Name as written in YAML and shown by `inspect`.
    pub fn name(self) -> &'static str {
        match self {
            BackwardVariant::Exact => "exact",
            BackwardVariant::Authors => "authors",
        }
    }
}

/// Rejects mixout probabilities outside `[0, 1)`, saying why.
pub fn check_p(p: f64) -> std::result::Result<(), String> {
    if p.is_nan() || p < 0.0 {
        return Err(format!("p = {p} is outside [0, 1): p is a probability; 0 switches mixout off"));
    }
    if p >= 1.0 {
        return Err(format!(
            "p = {p} is outside [0, 1): p = 1 would divide by zero in (w − u)/(1 − p) (to use the target itself, freeze the weights instead)"
        ));
    }
    Ok(())
}

/// Which implementation of the BERT encoder computes the forward pass. All create the
/// same variables under the same names and compute the same function (the unpadded one
/// draws its dropout masks differently). Other families (RoBERTa, DistilBERT, ELECTRA) run
/// rust-bert's padded encoders whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncoderImpl {
    /// Ours, computing only the real tokens: embeddings, projections, LayerNorm, FFN,
    /// residuals and dropout run on the packed `[tokens, hidden]` rows; attention re-pads
    /// per length bucket. The fastest on CPU and CUDA (`make bench`).
    #[default]
    Unpadded,
    /// Ours on libtorch's fused kernels (`gelu`, `scaled_dot_product_attention`), computing
    /// every padded slot (`fused` is its former name).
    #[serde(alias = "fused")]
    Padded,
    /// rust-bert's `BertModel` (padded).
    RustBert,
}

/// Dropout probabilities applied inside the model during training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropoutSpec {
    /// Dropout on hidden states of the encoder (embeddings, attention output, FFN output).
    pub hidden: f64,
    /// Dropout on attention probabilities.
    pub attention: f64,
    /// Dropout on the pooled output before the classifier.
    pub head: f64,
}
