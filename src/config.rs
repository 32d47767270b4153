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

/// One setting: everything a run needs besides its seed. The file's top level is a
/// setting too (the base), with `name` and `settings` only allowed there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Setting {
    /// Experiment name (top level only): the results folder's name.
    pub name: Option<String>,
    /// Short label of a setting, used in tables and plots.
    pub label: Option<String>,
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
    /// padding); more than the batch holds means one example each.
    pub micro_batches: usize,
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
}

impl Default for Setting {
    fn default() -> Self {
        Setting {
            name: None,
            label: None,
            description: None,
            task: None,
            custom_task: None,
            data_dir: None,
            model: "paraphrase-MiniLM-L3-v2".into(),
            max_seq_len: 128,
            batch_size: 32,
            // Measured by `make bench` on RTE with the L3 model: k = 4 is fastest (padding
            // 1.16× the real tokens instead of 1.92×; k = 8 loses more to per-call overhead).
            micro_batches: 4,
            lr: 2e-5,
            epochs: 3,
            warmup: 0.1,
            optimizer: OptimizerConfig::default(),
            grad_clip: Some(1.0),
            weight_decay: WeightDecayConfig::default(),
            dropout: None,
            attention_dropout: None,
            mixout: MixoutConfig::default(),
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
            return e("task", "missing: give `task: RTE` (or MRPC, CoLA, STS-B, SST-2) or a `custom_task:` block".into());
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
        if self.micro_batches == 0 {
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
            HeadConfig::Dropout(p) if !(0.0..1.0).contains(&p) => return e("head.dropout", format!("{p} is outside [0, 1)")),
            HeadConfig::Mixout(p) => {
                if let Err(m) = check_p(p) {
                    return e("head.mixout", m.to_string());
                }
            }
            _ => {}
        }
        match &self.seeds {
            Some(s) if s.is_empty() => return e("seeds", "is empty: list at least one seed, or use `restarts: N`".into()),
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
            if s.name.is_some() || !s.settings.is_empty() {
                return Err(Error::config(path, format!("settings[{i}]: `name` and `settings` belong at the top level only")));
            }
        }
        // Pass 2: each setting merged over the base, then range-checked.
        let mut base = raw.clone();
        let overrides: Vec<Value> = match base.as_mapping_mut().and_then(|m| m.remove("settings")) {
            Some(Value::Sequence(seq)) => seq,
            _ => vec![],
        };
        if let Some(m) = base.as_mapping_mut() {
            m.remove("name");
        }
        let raws = if overrides.is_empty() { vec![Value::Mapping(Default::default())] } else { overrides };
        let mut settings = Vec::new();
        for (i, over) in raws.iter().enumerate() {
            let merged = merge(&base, over);
            let mut s: Setting = serde_yaml::from_value(merged).map_err(|e| Error::config(path, format!("settings[{i}]: {e}")))?;
            let label = s.label.clone().unwrap_or_else(|| s.auto_label());
            s.check().map_err(|(field, msg)| {
                let at = if typed.settings.is_empty() { String::new() } else { format!("settings[{i}] (`{label}`): ") };
                Error::config(path, format!("{at}{field}: {msg}"))
            })?;
            s.label = Some(label);
            // Record the values in effect, so result files say what ran.
            s.dropout = Some(s.encoder_dropout());
            s.attention_dropout = Some(s.attention_dropout());
            settings.push(s);
        }
        let mut labels: Vec<&String> = settings.iter().filter_map(|s| s.label.as_ref()).collect();
        labels.sort();
        if let Some(w) = labels.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::config(path, format!("two settings share the label `{}`: give each a distinct `label:`", w[0])));
        }
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
        assert!(parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: a}\n").unwrap_err().to_string().contains("share the label"));
        assert!(parse("lr: 1.0e-5\n").unwrap_err().to_string().contains("task"));
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
