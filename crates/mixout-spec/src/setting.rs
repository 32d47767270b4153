//! One setting: everything a run needs besides its seed, with every default in
//! [`Setting::default`] following the paper's protocol (spec §4): Adam without bias
//! correction, lr 2e-5 with 10% linear warm-up then linear decay, batch 32, 3 epochs,
//! clipping at 1.0, max length 128, 20 restarts. Range checks name the dotted field.

use crate::device::DeviceSpec;
use crate::options::*;
use mixout_data::CustomTaskConfig;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
    /// Encoder implementation for BERT checkpoints: `unpadded` (ours, real tokens only),
    /// `padded` (ours, every slot) or `rust-bert`.
    pub encoder: EncoderImpl,
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
            encoder: EncoderImpl::Unpadded,
            settings: vec![],
            grid: None,
        }
    }
}

/// A range check's outcome: the dotted field and what is wrong with it.
type Check = std::result::Result<(), (String, String)>;

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
    pub(crate) fn check(&self) -> Check {
        self.check_task_and_sizes()?;
        self.check_optimisation()?;
        self.check_regularisers()?;
        self.check_runs()
    }

    /// The task and the batch and sequence sizes.
    fn check_task_and_sizes(&self) -> Check {
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
        Ok(())
    }

    /// Learning rate, schedule, optimiser and clipping.
    fn check_optimisation(&self) -> Check {
        let e = |f: &str, m: String| Err((f.to_string(), m));
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
        Ok(())
    }

    /// Dropout, mixout, weight decay, the head and layer-wise decay.
    fn check_regularisers(&self) -> Check {
        let e = |f: &str, m: String| Err((f.to_string(), m));
        for (field, v) in [("dropout", self.dropout), ("attention_dropout", self.attention_dropout)] {
            if let Some(p) = v {
                if !(0.0..1.0).contains(&p) {
                    return e(field, format!("{p} is outside [0, 1)"));
                }
            }
        }
        if let Err(m) = check_p(self.mixout.p) {
            return e("mixout.p", m);
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
                    return e("head.mixout", m);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Seeds, subsets, evaluation, precision, threads and label.
    fn check_runs(&self) -> Check {
        let e = |f: &str, m: String| Err((f.to_string(), m));
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
        if self.precision == Precision::Bf16 && self.encoder == EncoderImpl::RustBert {
            return e(
                "precision",
                "bf16 needs `encoder: unpadded` or `padded` (rust-bert's encoder has no mixed-precision path)".into(),
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
    pub(crate) fn auto_label(&self) -> String {
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
