//! Experiment files: one YAML file describes a study, i.e. a base setting plus a list of
//! `settings:` that override it, each run over the same seeds so settings are paired.
//!
//! Every default lives in [`Setting::default`] and follows the paper's protocol
//! (spec §4): Adam without bias correction, lr 2e-5 with 10% linear warm-up then linear
//! decay, batch 32, 3 epochs, clipping at 1.0, max length 128, 20 restarts.
//!
//! Validation happens in two passes so errors say where: the file is first parsed into
//! typed structs (unknown keys and wrong types are reported with line and column), then
//! each setting is merged over the base and range-checked (reported with the setting's
//! position and label and the field's dotted name).

use crate::device::DeviceSpec;
use crate::error::{Error, Result};
use crate::mixout::{check_p, BackwardVariant, Granularity};
use mixout_data::CustomTaskConfig;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

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
    /// 4 on CPU (where skipping padding is the measured win), 1 on CUDA (where one big
    /// kernel launch beats several small ones).
    #[default]
    Auto,
    /// A fixed number (1 = no micro-batching).
    Fixed(usize),
}

impl MicroBatches {
    /// The number in effect on a device.
    pub fn resolve(self, cuda: bool) -> usize {
        match self {
            MicroBatches::Fixed(k) => k,
            MicroBatches::Auto if cuda => 1,
            // Measured by `make bench` on RTE with the L3 model: k = 4 is fastest on CPU (padding
            // 1.16x the real tokens instead of 1.92x; k = 8 loses more to per-call overhead).
            MicroBatches::Auto => 4,
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

/// One setting: everything a run needs besides its seed. The file's top level is a
/// setting too (the base), with `name` and `settings` only allowed there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Setting {
    /// Experiment name (top level only): the results folder's name.
    pub name: Option<String>,
    /// Short label of a setting, used in tables and plots.
    pub label: Option<String>,
    /// Group of settings compared together; its first setting is the group's baseline.
    pub group: Option<String>,
    /// Label of the setting this one is compared with (paired by seed) in the report.
    pub baseline: Option<String>,
    /// One paragraph for humans; copied to nothing, ignored by the runner.
    pub description: Option<String>,
    /// GLUE task: RTE, MRPC, CoLA, STS-B, SST-2.
    pub task: Option<String>,
    /// A custom task from TSV/CSV files instead of a GLUE task.
    pub custom_task: Option<CustomTaskConfig>,
    /// Folder holding `<TASK>/{train,dev}.tsv`; default `$MIXOUT_GLUE_DIR` or `shared/data/glue`.
    pub data_dir: Option<PathBuf>,
    /// Model: a local folder, a model name under `shared/models`, or a hub id (`hub` feature).
    pub model: String,
    /// Longest tokenised pair; longer pairs are truncated longest-first.
    pub max_seq_len: usize,
    /// Examples per optimiser step.
    pub batch_size: usize,
    /// Length-sorted micro-batches per batch (gradients accumulated; same math, less
    /// padding): `auto` (4 on CPU, 1 on CUDA) or a number; more than the batch holds means
    /// one example each.
    pub micro_batches: MicroBatches,
    /// `fp32` (paper), `tf32` (TF32 matmuls on CUDA) or `bf16` (autocast-style mixed precision).
    pub precision: Precision,
    /// Peak learning rate.
    pub lr: f64,
    /// Passes over the training data.
    pub epochs: u32,
    /// Fraction of steps of linear warm-up.
    pub warmup: f64,
    /// Adam's options.
    pub optimizer: OptimizerConfig,
    /// Global gradient-norm clipping; null or 0 switches it off.
    pub grad_clip: Option<f64>,
    /// Weight decay.
    pub weight_decay: WeightDecayConfig,
    /// Encoder dropout; null = 0.1 without mixout, 0 with mixout (the paper switches dropout off).
    pub dropout: Option<f64>,
    /// Attention-probability dropout; null = same as `dropout`.
    pub attention_dropout: Option<f64>,
    /// Mixout on the encoder's weights.
    pub mixout: MixoutConfig,
    /// Re-initialise the top k encoder layers and the pooler from N(0, initializer_range²)
    /// with the run's seed (Zhang et al., ICLR 2021); their mixout and weight-decay targets
    /// become these new initial weights (w0), not the pretrained ones.
    pub reinit_layers: u32,
    /// Layer-wise learning-rate decay γ in (0, 1]: encoder layer l (1 = bottom, L = top)
    /// trains at lr·γ^(L−l), the embeddings at lr·γ^L, the pooler and head at lr. Null: off.
    pub llrd: Option<f64>,
    /// Regulariser of the new head: `auto`, `none`, `{dropout: p}` or `{mixout: p}`.
    #[serde(with = "serde_yaml::with::singleton_map")]
    pub head: HeadConfig,
    /// Number of restarts (seeds 1..=restarts) unless `seeds` is given.
    pub restarts: u32,
    /// Explicit seeds; overrides `restarts`.
    pub seeds: Option<Vec<u64>>,
    /// Train on a seeded random subset of this many examples (few-examples regime).
    pub train_subset: Option<usize>,
    /// When dev is evaluated.
    pub eval: EvalSchedule,
    /// Batch size for evaluation.
    pub eval_batch_size: usize,
    /// `auto`, `cpu`, `cuda` or `cuda:N`.
    pub device: DeviceSpec,
    /// libtorch intra-op threads per run; null = cores / jobs.
    pub threads: Option<usize>,
    /// Save the finetuned model of every run as a Hugging Face folder.
    pub save_model: bool,
    /// Encoder implementation: `fused` (ours, libtorch fused kernels) or `rust-bert`.
    pub encoder: crate::model::EncoderImpl,
    /// Other settings (top level only).
    pub settings: Vec<Setting>,
    /// Cross product over dotted keys (top level only), e.g. `{mixout.p: [0.7, 0.9], lr: [2.0e-5, 1.0e-4]}`:
    /// every setting is run at every combination.
    pub grid: Option<serde_yaml::Mapping>,
}

impl Default for Setting {
    fn default() -> Self {
        Setting {
            name: None,
            label: None,
            group: None,
            baseline: None,
            description: None,
            task: None,
            custom_task: None,
            data_dir: None,
            model: "paraphrase-MiniLM-L3-v2".into(),
            max_seq_len: 128,
            batch_size: 32,
            micro_batches: MicroBatches::Auto,
            precision: Precision::Fp32,
            lr: 2e-5,
            epochs: 3,
            warmup: 0.1,
            optimizer: OptimizerConfig::default(),
            grad_clip: Some(1.0),
            weight_decay: WeightDecayConfig::default(),
            dropout: None,
            attention_dropout: None,
            mixout: MixoutConfig::default(),
            reinit_layers: 0,
            llrd: None,
            head: HeadConfig::Auto,
            restarts: 20,
            seeds: None,
            train_subset: None,
            eval: EvalSchedule::EveryEpoch,
            eval_batch_size: 128,
            device: DeviceSpec::Auto,
            threads: None,
            save_model: false,
            encoder: crate::model::EncoderImpl::Fused,
            settings: vec![],
            grid: None,
        }
    }
}

impl Setting {
    /// Encoder dropout in effect: explicit, or 0.1 without mixout and 0 with it.
    pub fn encoder_dropout(&self) -> f64 {
        self.dropout.unwrap_or(if self.mixout.p > 0.0 { 0.0 } else { 0.1 })
    }

    /// Attention dropout in effect.
    pub fn attention_dropout(&self) -> f64 {
        self.attention_dropout.unwrap_or_else(|| self.encoder_dropout())
    }

    /// Dropout before the head in effect (0 when the head is mixed or unregularised).
    pub fn head_dropout(&self) -> f64 {
        match self.head {
            HeadConfig::Auto => self.encoder_dropout(),
            HeadConfig::None | HeadConfig::Mixout(_) => 0.0,
            HeadConfig::Dropout(p) => p,
        }
    }

    /// The seeds of this setting.
    pub fn seed_list(&self) -> Vec<u64> {
        self.seeds.clone().unwrap_or_else(|| (1..=self.restarts as u64).collect())
    }

    /// Head treatment as written in result files: `none`, `dropout(p)`, `mixout(w0, p)`.
    pub fn head_label(&self) -> String {
        match self.head {
            HeadConfig::Mixout(p) => format!("mixout(w0, {p})"),
            _ if self.head_dropout() > 0.0 => format!("dropout({})", self.head_dropout()),
            _ => "none".into(),
        }
    }

    /// Range checks; `field` errors are returned as (dotted field, message).
    fn check(&self) -> std::result::Result<(), (String, String)> {
        let e = |f: &str, m: String| Err((f.to_string(), m));
        if self.task.is_none() && self.custom_task.is_none() {
            return e(
                "task",
                "missing: give `task: RTE` (or MRPC, CoLA, STS-B, SST-2) or a `custom_task:` block".into(),
            );
        }
        if self.task.is_some() && self.custom_task.is_some() {
            return e("task", "give either `task` or `custom_task`, not both".into());
        }
        if self.max_seq_len < 8 || self.max_seq_len > 512 {
            return e("max_seq_len", format!("{} is outside 8..=512", self.max_seq_len));
        }
        if self.batch_size == 0 {
            return e("batch_size", "must be at least 1".into());
        }
        if self.micro_batches == MicroBatches::Fixed(0) {
            return e("micro_batches", "must be at least 1 (1 = no micro-batching)".into());
        }
        if !(self.lr > 0.0 && self.lr < 1.0) {
            return e("lr", format!("{} must be in (0, 1), e.g. 2.0e-5", self.lr));
        }
        if self.epochs == 0 {
            return e("epochs", "must be at least 1".into());
        }
        if !(0.0..1.0).contains(&self.warmup) {
            return e("warmup", format!("{} must be a fraction of steps in [0, 1), e.g. 0.1", self.warmup));
        }
        let o = &self.optimizer;
        if !(0.0..1.0).contains(&o.beta1) || !(0.0..1.0).contains(&o.beta2) {
            return e("optimizer", format!("beta1 = {}, beta2 = {}: each must be in [0, 1)", o.beta1, o.beta2));
        }
        if o.eps.is_nan() || o.eps <= 0.0 {
            return e("optimizer.eps", format!("{} must be > 0, e.g. 1.0e-6", o.eps));
        }
        if let Some(c) = self.grad_clip {
            if c.is_nan() || c < 0.0 {
                return e("grad_clip", format!("{c} must be >= 0 (0 or null: no clipping)"));
            }
        }
        if !self.weight_decay.lambda.is_finite() || self.weight_decay.lambda < 0.0 {
            return e("weight_decay.lambda", format!("{} must be >= 0", self.weight_decay.lambda));
        }
        for (field, v) in [("dropout", self.dropout), ("attention_dropout", self.attention_dropout)] {
            if let Some(p) = v {
                if !(0.0..1.0).contains(&p) {
                    return e(field, format!("{p} is outside [0, 1)"));
                }
            }
        }
        if let Err(m) = check_p(self.mixout.p) {
            return e("mixout.p", m.to_string());
        }
        for pat in self.mixout.include.iter().chain(&self.mixout.exclude) {
            if let Err(err) = glob::Pattern::new(pat) {
                return e("mixout.include/exclude", format!("`{pat}` is not a valid glob pattern: {err}"));
            }
        }
        match self.head {
            HeadConfig::Dropout(p) if !(0.0..1.0).contains(&p) => {
                return e("head.dropout", format!("{p} is outside [0, 1)"))
            }
            HeadConfig::Mixout(p) => {
                if let Err(m) = check_p(p) {
                    return e("head.mixout", m.to_string());
                }
            }
            _ => {}
        }
        match &self.seeds {
            Some(s) if s.is_empty() => {
                return e("seeds", "is empty: list at least one seed, or use `restarts: N`".into())
            }
            Some(s) => {
                let mut sorted = s.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != s.len() {
                    return e("seeds", "holds a seed twice".into());
                }
            }
            None if self.restarts == 0 => return e("restarts", "must be at least 1".into()),
            None => {}
        }
        if self.train_subset == Some(0) {
            return e("train_subset", "must be at least 1 (or null for the whole training set)".into());
        }
        if self.eval_batch_size == 0 {
            return e("eval_batch_size", "must be at least 1".into());
        }
        if let Some(g) = self.llrd {
            if !(g > 0.0 && g <= 1.0) {
                return e("llrd", format!("{g} must be in (0, 1], e.g. 0.9 (1 = no decay; null switches it off)"));
            }
        }
        if self.precision == Precision::Bf16 && self.encoder == crate::model::EncoderImpl::RustBert {
            return e(
                "precision",
                "bf16 needs `encoder: fused` (rust-bert's encoder has no mixed-precision path)".into(),
            );
        }
        if self.threads == Some(0) {
            return e("threads", "must be at least 1 (or null for automatic)".into());
        }
        if let Some(l) = &self.label {
            if l.trim().is_empty() {
                return e("label", "is empty".into());
            }
        }
        Ok(())
    }

    /// A label describing the regulariser when the file gives none, e.g. `mixout0.9` or `dropout0.1`.
    fn auto_label(&self) -> String {
        let mut parts = vec![];
        if self.mixout.p > 0.0 {
            parts.push(format!("mixout{}", self.mixout.p));
        } else {
            parts.push(format!("dropout{}", self.encoder_dropout()));
        }
        if self.reinit_layers > 0 {
            parts.push(format!("reinit{}", self.reinit_layers));
        }
        if let Some(g) = self.llrd {
            parts.push(format!("llrd{g}"));
        }
        if self.weight_decay.lambda > 0.0 {
            let t = match self.weight_decay.toward {
                DecayTarget::Zero => "0",
                DecayTarget::Pretrained => "pre",
            };
            parts.push(format!("wd{t}{}", self.weight_decay.lambda));
        }
        parts.join("+")
    }
}

/// A validated experiment: its name and its settings, each fully resolved.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The file it came from.
    pub path: PathBuf,
    /// Experiment name (results folder).
    pub name: String,
    /// Resolved settings in file order, each with a unique label.
    pub settings: Vec<Setting>,
}

/// One run: a setting and a seed.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Position of the setting in the file.
    pub setting_index: usize,
    /// The setting's label.
    pub label: String,
    /// The seed.
    pub seed: u64,
    /// `<label>-seed<seed>`.
    pub run_id: String,
    /// The resolved setting.
    pub setting: Setting,
}

/// Deep-merges `over` onto `base`: mappings merge key by key, anything else replaces.
fn merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match out.get(k) {
                    Some(bv) => merge(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Mapping(out)
        }
        _ => over.clone(),
    }
}

impl Experiment {
    /// Reads and validates an experiment file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Validates experiment text (`path` is used in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        // Pass 1: types and unknown keys, with serde_yaml's line/column in the message.
        let typed: Setting = serde_yaml::from_str(text).map_err(|e| Error::config(path, format!("{e}")))?;
        let raw: Value = serde_yaml::from_str(text).map_err(|e| Error::config(path, format!("{e}")))?;
        let name = match &typed.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "experiment".into()),
        };
        for (i, s) in typed.settings.iter().enumerate() {
            if s.name.is_some() || !s.settings.is_empty() || s.grid.is_some() {
                return Err(Error::config(
                    path,
                    format!("settings[{i}]: `name`, `settings` and `grid` belong at the top level only"),
                ));
            }
        }
        // Pass 2: each setting merged over the base, expanded over the grid, range-checked.
        let mut base = raw.clone();
        let overrides: Vec<Value> = match base.as_mapping_mut().and_then(|m| m.remove("settings")) {
            Some(Value::Sequence(seq)) => seq,
            _ => vec![],
        };
        let grid = base.as_mapping_mut().and_then(|m| m.remove("grid"));
        if let Some(m) = base.as_mapping_mut() {
            m.remove("name");
        }
        let axes = grid_axes(path, grid.as_ref())?;
        let raws = if overrides.is_empty() { vec![Value::Mapping(Default::default())] } else { overrides };
        let many = !typed.settings.is_empty();
        let mut settings = Vec::new();
        // Grid point major, so the settings compared at one grid point sit together.
        for point in grid_points(&axes) {
            let suffix = point.iter().map(|(k, v)| format!("{k}={}", show_value(v))).collect::<Vec<_>>().join(" ");
            for (i, over) in raws.iter().enumerate() {
                let mut merged = merge(&base, over);
                for (key, value) in &point {
                    set_path(&mut merged, key, value.clone());
                }
                let at = |label: &str| {
                    let mut at = if many { format!("settings[{i}] (`{label}`)") } else { String::new() };
                    if !suffix.is_empty() {
                        at = format!("{at}{}grid point {suffix}", if at.is_empty() { "" } else { " at " });
                    }
                    if at.is_empty() {
                        at
                    } else {
                        format!("{at}: ")
                    }
                };
                let mut s: Setting =
                    serde_yaml::from_value(merged).map_err(|e| Error::config(path, format!("{}{e}", at("?"))))?;
                let own = s.label.clone().unwrap_or_else(|| s.auto_label());
                let label = match (&s.label, suffix.is_empty()) {
                    (_, true) => own,
                    (Some(l), false) => format!("{l} {suffix}"),
                    (None, false) if many => format!("{own} {suffix}"),
                    // A grid over the base setting alone: the grid values are the label.
                    (None, false) => suffix.clone(),
                };
                s.check().map_err(|(field, msg)| Error::config(path, format!("{}{field}: {msg}", at(&label))))?;
                s.label = Some(label);
                if !suffix.is_empty() {
                    // Settings are compared within one grid point: that point is (part of) their group.
                    s.group = Some(match &s.group {
                        Some(g) => format!("{g} {suffix}"),
                        None => suffix.clone(),
                    });
                    if let Some(b) = &s.baseline {
                        s.baseline = Some(format!("{b} {suffix}"));
                    }
                }
                // Record the values in effect, so result files say what ran.
                s.dropout = Some(s.encoder_dropout());
                s.attention_dropout = Some(s.attention_dropout());
                s.grid = None;
                settings.push(s);
            }
        }
        let mut labels: Vec<&String> = settings.iter().filter_map(|s| s.label.as_ref()).collect();
        labels.sort();
        if let Some(w) = labels.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::config(
                path,
                format!("two settings share the label `{}`: give each a distinct `label:`", w[0]),
            ));
        }
        resolve_baselines(path, &mut settings)?;
        Ok(Experiment { path: path.to_path_buf(), name, settings })
    }

    /// Every run of the study: settings × seeds, setting-major (paired seeds across settings).
    pub fn runs(&self) -> Vec<RunSpec> {
        let mut out = vec![];
        for (i, s) in self.settings.iter().enumerate() {
            let label = s.label.clone().unwrap_or_default();
            for seed in s.seed_list() {
                out.push(RunSpec {
                    setting_index: i,
                    label: label.clone(),
                    seed,
                    run_id: format!("{}-seed{seed}", mixout_report::results::sanitize(&label)),
                    setting: s.clone(),
                });
            }
        }
        out
    }
}

/// Every setting's baseline label: its own `baseline:`, else the first setting of its
/// `group:`, else the file's first setting. A baseline names itself.
fn resolve_baselines(path: &Path, settings: &mut [Setting]) -> Result<()> {
    let labels: Vec<String> = settings.iter().map(|s| s.label.clone().unwrap_or_default()).collect();
    let first = labels.first().cloned().unwrap_or_default();
    let mut resolved = Vec::with_capacity(settings.len());
    for s in settings.iter() {
        let label = s.label.clone().unwrap_or_default();
        let b = match (&s.baseline, &s.group) {
            (Some(b), _) => {
                if !labels.contains(b) {
                    return Err(Error::config(
                        path,
                        format!(
                            "setting `{label}`: baseline: no setting is labelled `{b}` (labels: {})",
                            labels.join(", ")
                        ),
                    ));
                }
                b.clone()
            }
            (None, Some(g)) => settings
                .iter()
                .find(|o| o.group.as_ref() == Some(g))
                .and_then(|o| o.label.clone())
                .unwrap_or_else(|| label.clone()),
            (None, None) => first.clone(),
        };
        resolved.push(b);
    }
    for (s, b) in settings.iter_mut().zip(resolved) {
        s.baseline = Some(b);
    }
    Ok(())
}

/// Keys that make no sense in a grid: they name or structure settings.
const NOT_IN_GRID: [&str; 6] = ["name", "settings", "grid", "label", "group", "baseline"];

/// Validates a `grid:` block into (dotted key, values) axes, in file order.
fn grid_axes(path: &Path, grid: Option<&Value>) -> Result<Vec<(String, Vec<Value>)>> {
    let Some(grid) = grid else { return Ok(vec![]) };
    let map =
        match grid {
            Value::Mapping(m) => m,
            Value::Null => return Ok(vec![]),
            _ => return Err(Error::config(
                path,
                "grid: expected a mapping of keys to lists, e.g. `grid: {mixout.p: [0.7, 0.9], lr: [2.0e-5, 1.0e-4]}`",
            )),
        };
    let known = serde_yaml::to_value(Setting::default()).unwrap_or(Value::Null);
    let mut axes = vec![];
    for (k, v) in map {
        let key =
            k.as_str().ok_or_else(|| Error::config(path, format!("grid: key {k:?} is not a string")))?.to_string();
        let root = key.split('.').next().unwrap_or_default();
        if NOT_IN_GRID.contains(&root) {
            return Err(Error::config(
                path,
                format!("grid: `{key}` cannot vary in a grid (labels, groups and baselines are made from the grid)"),
            ));
        }
        if get_path(&known, &key).is_none() {
            let fields: Vec<String> = known
                .as_mapping()
                .map(|m| {
                    m.keys()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .filter(|k| !NOT_IN_GRID.contains(&k.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            return Err(Error::config(
                path,
                format!("grid: unknown key `{key}`: expected a setting field such as `lr`, `mixout.p` or `weight_decay.lambda` (fields: {})", fields.join(", ")),
            ));
        }
        match v {
            Value::Sequence(vals) if !vals.is_empty() => axes.push((key, vals.clone())),
            _ => {
                return Err(Error::config(
                    path,
                    format!("grid: `{key}`: expected a non-empty list of values, e.g. `{key}: [a, b]`"),
                ))
            }
        }
    }
    Ok(axes)
}

/// The cross product of the axes (one empty point when there is no grid), first axis slowest.
fn grid_points(axes: &[(String, Vec<Value>)]) -> Vec<Vec<(String, Value)>> {
    let mut points: Vec<Vec<(String, Value)>> = vec![vec![]];
    for (key, values) in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((key.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    points
}

/// A grid value as it appears in a label: `0.9`, `2e-5`, `true`, `none`, `{mixout: 0.7}`.
fn show_value(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f != 0.0 && f.abs() < 1e-3 => format!("{f:e}"),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => serde_yaml::to_string(other).map(|s| s.trim().replace('\n', " ")).unwrap_or_default(),
    }
}

fn get_path<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |cur, part| cur.as_mapping()?.get(part))
}

/// Sets a dotted key in a YAML mapping, creating mappings on the way.
fn set_path(v: &mut Value, dotted: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_mapping() {
            *cur = Value::Mapping(Default::default());
        }
        let Some(m) = cur.as_mapping_mut() else { return };
        let key = Value::from(*part);
        if i + 1 == parts.len() {
            m.insert(key, value);
            return;
        }
        cur = m.entry(key).or_insert(Value::Mapping(Default::default()));
    }
}

/// Finds the project's shared assets folder (`shared/` with `data/` and `models/`):
/// `$MIXOUT_SHARED`, else a `shared` folder beside or above the current directory or `near`.
pub fn find_shared(near: Option<&Path>) -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MIXOUT_SHARED") {
        return Some(PathBuf::from(p));
    }
    let mut starts = vec![std::env::current_dir().ok()?];
    if let Some(n) = near {
        if let Ok(c) = n.canonicalize() {
            starts.push(c);
        }
    }
    for start in starts {
        for dir in start.ancestors() {
            for cand in [dir.join("shared"), dir.join("../shared")] {
                if cand.join("models").is_dir() || cand.join("data").is_dir() {
                    return cand.canonicalize().ok();
                }
            }
        }
    }
    None
}

/// Resolves a path written in an experiment file: as given if it exists (relative to the
/// current directory), else relative to the experiment file's folder.
pub fn resolve_path(p: &Path, experiment: &Path) -> PathBuf {
    if p.is_absolute() || p.exists() {
        return p.to_path_buf();
    }
    let beside = experiment.parent().unwrap_or(Path::new(".")).join(p);
    if beside.exists() {
        beside
    } else {
        p.to_path_buf()
    }
}

/// Resolves the model string: a folder path, a model name under `shared/models`, or (kept
/// as is) a hub id.
pub fn resolve_model(model: &str, experiment: &Path) -> String {
    let p = resolve_path(Path::new(model), experiment);
    if p.is_dir() {
        return p.to_string_lossy().to_string();
    }
    if let Some(shared) = find_shared(Some(experiment)) {
        let cand = shared.join("models").join(model);
        if cand.is_dir() {
            return cand.to_string_lossy().to_string();
        }
    }
    model.to_string()
}

/// The GLUE data folder of a setting.
pub fn resolve_glue_dir(setting: &Setting, experiment: &Path) -> Result<PathBuf> {
    if let Some(d) = &setting.data_dir {
        return Ok(resolve_path(d, experiment));
    }
    if let Ok(d) = std::env::var("MIXOUT_GLUE_DIR") {
        return Ok(PathBuf::from(d));
    }
    find_shared(Some(experiment)).map(|s| s.join("data/glue")).ok_or_else(|| {
        Error::config(experiment, "data_dir: not given and no `shared/data/glue` found beside the checkout; set `data_dir:` or MIXOUT_GLUE_DIR")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Experiment> {
        Experiment::parse(Path::new("exp.yaml"), text)
    }

    #[test]
    fn defaults_follow_the_paper() {
        let e = parse("task: RTE\n").unwrap();
        let s = &e.settings[0];
        assert_eq!((s.lr, s.batch_size, s.epochs, s.max_seq_len), (2e-5, 32, 3, 128));
        assert!(!s.optimizer.bias_correction);
        assert_eq!(s.seed_list().len(), 20);
        assert_eq!(s.encoder_dropout(), 0.1);
        assert_eq!(e.name, "exp");
    }

    #[test]
    fn settings_override_the_base_deeply() {
        let e = parse(
            "name: t\ntask: RTE\nrestarts: 2\nmixout: {granularity: element}\nsettings:\n  - {label: base}\n  - {label: mix, mixout: {p: 0.9}}\n",
        )
        .unwrap();
        assert_eq!(e.settings.len(), 2);
        assert_eq!(e.settings[1].mixout.p, 0.9);
        assert_eq!(e.settings[1].mixout.granularity, Granularity::Element);
        assert_eq!(e.settings[1].encoder_dropout(), 0.0, "mixout switches dropout off");
        let runs = e.runs();
        assert_eq!(runs.len(), 4);
        assert_eq!(runs[3].run_id, "mix-seed2");
        assert_eq!(runs[0].seed, runs[2].seed, "settings share seeds");
    }

    #[test]
    fn unknown_key_names_line_and_field() {
        let err = parse("task: RTE\nlearning_rate: 0.1\n").unwrap_err().to_string();
        assert!(err.contains("exp.yaml") && err.contains("learning_rate") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn p_out_of_range_names_setting_and_field() {
        let err = parse("task: RTE\nsettings:\n  - {label: bad, mixout: {p: 1.0}}\n").unwrap_err().to_string();
        assert!(err.contains("settings[0]") && err.contains("mixout.p") && err.contains("[0, 1)"), "{err}");
    }

    #[test]
    fn head_forms_parse() {
        let e = parse("task: RTE\nsettings:\n  - {label: a, head: none}\n  - {label: b, head: {mixout: 0.7}}\n  - {label: c, head: {dropout: 0.2}}\n").unwrap();
        assert_eq!(e.settings[0].head, HeadConfig::None);
        assert_eq!(e.settings[1].head, HeadConfig::Mixout(0.7));
        assert_eq!(e.settings[2].head_dropout(), 0.2);
    }

    #[test]
    fn duplicate_labels_and_missing_task_are_rejected() {
        assert!(parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: a}\n")
            .unwrap_err()
            .to_string()
            .contains("share the label"));
        assert!(parse("lr: 1.0e-5\n").unwrap_err().to_string().contains("task"));
    }

    #[test]
    fn micro_batches_auto_resolves_by_device_and_numbers_win() {
        let e = parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: b, micro_batches: 2}\n  - {label: c, micro_batches: auto, precision: bf16}\n").unwrap();
        assert_eq!(e.settings[0].micro_batches, MicroBatches::Auto);
        assert_eq!((e.settings[0].micro_batches.resolve(false), e.settings[0].micro_batches.resolve(true)), (4, 1));
        assert_eq!((e.settings[1].micro_batches.resolve(false), e.settings[1].micro_batches.resolve(true)), (2, 2));
        assert_eq!(e.settings[0].precision, Precision::Fp32);
        assert_eq!(e.settings[2].precision, Precision::Bf16);
        let err = parse("task: RTE\nmicro_batches: many\n").unwrap_err().to_string();
        assert!(err.contains("micro_batches") && err.contains("auto"), "{err}");
        let err = parse("task: RTE\nmicro_batches: 0\n").unwrap_err().to_string();
        assert!(err.contains("micro_batches: must be at least 1"), "{err}");
        let err = parse("task: RTE\nprecision: fp16\n").unwrap_err().to_string();
        assert!(err.contains("precision") || err.contains("fp16"), "{err}");
        let err = parse("task: RTE\nprecision: bf16\nencoder: rust-bert\n").unwrap_err().to_string();
        assert!(err.contains("precision: bf16 needs `encoder: fused`"), "{err}");
    }

    #[test]
    fn grid_expands_with_readable_labels_groups_and_baselines() {
        let e = parse(
            "task: RTE\nrestarts: 2\ngrid: {lr: [2.0e-5, 1.0e-4]}\nsettings:\n  - {label: dropout}\n  - {label: mixout, mixout: {p: 0.9}}\n",
        )
        .unwrap();
        let labels: Vec<&str> = e.settings.iter().map(|s| s.label.as_deref().unwrap()).collect();
        assert_eq!(labels, ["dropout lr=2e-5", "mixout lr=2e-5", "dropout lr=1e-4", "mixout lr=1e-4"]);
        assert_eq!(e.settings[3].lr, 1e-4);
        assert_eq!(e.settings[3].mixout.p, 0.9);
        // Each grid point is a group whose first setting is the baseline.
        assert_eq!(e.settings[3].group.as_deref(), Some("lr=1e-4"));
        assert_eq!(e.settings[3].baseline.as_deref(), Some("dropout lr=1e-4"));
        assert_eq!(e.settings[1].baseline.as_deref(), Some("dropout lr=2e-5"));
        assert_eq!(e.runs().len(), 8);

        // A grid over the base alone: two axes, first slowest; the values are the labels.
        let e = parse("task: RTE\ngrid: {mixout.p: [0.7, 0.8, 0.9], lr: [2.0e-5, 1.0e-4]}\n").unwrap();
        assert_eq!(e.settings.len(), 6);
        assert_eq!(e.settings[0].label.as_deref(), Some("mixout.p=0.7 lr=2e-5"));
        assert_eq!(e.settings[5].label.as_deref(), Some("mixout.p=0.9 lr=1e-4"));
        assert_eq!((e.settings[5].mixout.p, e.settings[5].lr), (0.9, 1e-4));
    }

    #[test]
    fn grid_errors_name_the_key() {
        let err = parse("task: RTE\ngrid: {mixout.q: [0.1]}\n").unwrap_err().to_string();
        assert!(err.contains("grid: unknown key `mixout.q`"), "{err}");
        let err = parse("task: RTE\ngrid: {learning_rate: [0.1]}\n").unwrap_err().to_string();
        assert!(err.contains("`learning_rate`"), "{err}");
        let err = parse("task: RTE\ngrid: {lr: 0.1}\n").unwrap_err().to_string();
        assert!(err.contains("grid: `lr`: expected a non-empty list"), "{err}");
        let err = parse("task: RTE\ngrid: {mixout.p: [0.5, 1.5]}\n").unwrap_err().to_string();
        assert!(err.contains("grid point mixout.p=1.5") && err.contains("mixout.p"), "{err}");
        let err = parse("task: RTE\ngrid: {label: [a, b]}\n").unwrap_err().to_string();
        assert!(err.contains("`label` cannot vary"), "{err}");
    }

    #[test]
    fn baselines_by_group_by_name_and_default() {
        let e = parse(
            "task: RTE\nsettings:\n  - {label: d2, group: lr2}\n  - {label: m2, group: lr2, mixout: {p: 0.9}}\n  - {label: d4, group: lr4, lr: 1.0e-4}\n  - {label: m4, group: lr4, lr: 1.0e-4, mixout: {p: 0.9}}\n  - {label: x, baseline: m2}\n  - {label: y}\n",
        )
        .unwrap();
        let b: Vec<&str> = e.settings.iter().map(|s| s.baseline.as_deref().unwrap()).collect();
        assert_eq!(b, ["d2", "d2", "d4", "d4", "m2", "d2"]);
        let err =
            parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: b, baseline: nope}\n").unwrap_err().to_string();
        assert!(err.contains("baseline: no setting is labelled `nope`"), "{err}");
    }

    #[test]
    fn merge_replaces_scalars_and_merges_maps() {
        let a: Value = serde_yaml::from_str("x: 1\nm: {a: 1, b: 2}").unwrap();
        let b: Value = serde_yaml::from_str("m: {b: 3}").unwrap();
        let m = merge(&a, &b);
        assert_eq!(m["m"]["a"], Value::from(1));
        assert_eq!(m["m"]["b"], Value::from(3));
        assert_eq!(m["x"], Value::from(1));
    }
}
