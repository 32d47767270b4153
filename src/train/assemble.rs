//! One model assembly, used by the trainer, `inspect`, `predict` and the bench: the
//! classifier a model folder calls for, its pretrained weights, the seeded head and
//! re-initialised layers, and the regularisers the parameter plan asks for.

use crate::error::{Error, Result};
use crate::mixout::{MixedWeight, Mixout};
use crate::model::{load_pretrained, read_config, DropoutSpec, LoadReport, ModelFiles, SequenceClassifier};
use crate::plan::{plan, ParamPlan, Target};
use crate::study::{Study, StudySetting};
use crate::train::optim::Adam;
use mixout_spec::{Precision, Setting, SpecError};
use rust_bert::bert::BertConfig;
use std::collections::HashMap;
use tch::{nn, Device, Tensor};

/// The classifier a setting builds on a model folder, its variables created but not loaded
/// (what `inspect` and `check` plan on), with the setting's dropout and precision.
pub fn classifier(
    setting: &Setting,
    files: &ModelFiles,
    labels: &[String],
    device: Device,
) -> Result<(nn::VarStore, SequenceClassifier, BertConfig)> {
    let config = read_config(files, labels)?;
    let vs = nn::VarStore::new(device);
    let dropout = DropoutSpec {
        hidden: setting.encoder_dropout(),
        attention: setting.attention_dropout(),
        head: setting.head_dropout(),
    };
    let mut model = SequenceClassifier::build(&vs.root(), files, &config, dropout, setting.encoder)?;
    model.set_precision(setting.precision)?;
    Ok((vs, model, config))
}

/// The parameter plan of a setting on a model folder, without loading weights.
pub fn plan_for(setting: &Setting, files: &ModelFiles, labels: &[String]) -> Result<Vec<ParamPlan>> {
    let (vs, _, _) = classifier(setting, files, labels, Device::Cpu)?;
    plan(&named_shapes(&vs), setting)
}

/// Plans each of `settings` on its model (variables built, no weights loaded), so that a
/// selection that mixes or decays nothing stops a study before its first run, naming the
/// setting. Settings whose model is not available here (e.g. a hub id offline) are
/// returned, not failed: their runs say so themselves.
pub fn preflight<'a>(study: &Study, settings: impl IntoIterator<Item = &'a StudySetting>) -> Result<Vec<String>> {
    let mut unavailable = vec![];
    for ss in settings {
        if let Err(e) = &ss.model {
            unavailable.push(format!("{}: {e}", ss.label));
            continue;
        }
        plan_for(&ss.spec, ss.model()?, &ss.task()?.labels)
            .map_err(|e| Error::Spec(SpecError::config(&study.path, format!("setting `{}`: {e}", ss.label))))?;
    }
    Ok(unavailable)
}

/// Builds the model for a setting, loads pretrained weights, initialises the new layers
/// from tch's RNG (seed it before) and re-initialises the top layers the setting asks for.
pub fn build_model(
    setting: &Setting,
    files: &ModelFiles,
    labels: &[String],
    device: Device,
) -> Result<(nn::VarStore, SequenceClassifier, LoadReport)> {
    let (vs, model, config) = classifier(setting, files, labels, device)?;
    let report = load_pretrained(&vs, files, config.initializer_range as f64)?;
    tracing::debug!(missing = ?report.missing, unused = ?report.unused, "loaded {} pretrained tensors", report.loaded);
    if setting.reinit_layers > 0 {
        reinit_top_layers(&vs, setting.reinit_layers as usize, config.initializer_range as f64)?;
    }
    Ok((vs, model, report))
}

/// Re-initialises the top `k` encoder layers and the pooler as BERT initialises new layers
/// (Zhang et al. 2021): N(0, range²) weights, zero biases, LayerNorm weight 1 and bias 0.
/// Draws come from tch's RNG after the head's, so they follow the run's seed.
pub fn reinit_top_layers(vs: &nn::VarStore, k: usize, range: f64) -> Result<Vec<String>> {
    let shapes = named_shapes(vs);
    let layers = crate::plan::encoder_layers(&shapes);
    let mut vars = vs.variables();
    let mut names: Vec<String> =
        shapes.iter().map(|(n, _)| n.clone()).filter(|n| crate::plan::is_reinit(n, layers, k)).collect();
    names.sort();
    tch::no_grad(|| {
        for name in &names {
            if let Some(var) = vars.get_mut(name) {
                // Biases to 0; what is left of the biases-and-norms family are LayerNorm weights: 1.
                let _ = if name.ends_with(".bias") {
                    var.zero_()
                } else if crate::plan::is_bias_or_norm(name) {
                    var.fill_(1.0)
                } else {
                    var.normal_(0.0, range)
                };
            }
        }
    });
    Ok(names)
}

/// Sorted `(name, shape)` of a VarStore's variables.
pub fn named_shapes(vs: &nn::VarStore) -> Vec<(String, Vec<i64>)> {
    let mut v: Vec<(String, Vec<i64>)> = vs.variables().into_iter().map(|(n, t)| (n, t.size())).collect();
    v.sort();
    v
}

/// Wires the plan to the model: mixout weights with their targets, and Adam with decay.
pub fn regularisers(vs: &nn::VarStore, setting: &Setting, plans: &[ParamPlan]) -> Result<(Mixout, Adam)> {
    let vars: HashMap<String, Tensor> = vs.variables();
    // One frozen copy per parameter that some regulariser pulls toward; shared by mixout and wdecay.
    let mut targets: HashMap<String, Tensor> = HashMap::new();
    let mut target_of = |name: &str, var: &Tensor| -> Tensor {
        targets.entry(name.to_string()).or_insert_with(|| var.detach().copy()).shallow_clone()
    };
    let mut mixed = vec![];
    let mut opt_params = vec![];
    for p in plans {
        let var = vars.get(&p.name).ok_or_else(|| Error::Invalid(format!("no variable `{}`", p.name)))?;
        if let Some((spec, target)) = p.mixout {
            let u = match target {
                Target::Zero => var.zeros_like(),
                Target::Pretrained | Target::Init => target_of(&p.name, var),
            };
            mixed.push(MixedWeight::new(p.name.clone(), var.shallow_clone(), u, spec)?);
        }
        let decay = p.decay.map(|(lambda, target)| {
            let u = match target {
                Target::Zero => None,
                Target::Pretrained | Target::Init => Some(target_of(&p.name, var)),
            };
            (lambda, u)
        });
        opt_params.push((p.name.clone(), var.shallow_clone(), decay, p.lr_scale));
    }
    Ok((Mixout::new(mixed), Adam::with_lr_scales(opt_params, setting.optimizer.clone())))
}

/// Sets the process-wide TF32 switch for a run's precision (a sweep may mix precisions, so
/// fp32 and bf16 runs switch it off again), and on CUDA keeps attention off cuDNN's kernel.
/// TF32 is a CUDA feature: on the CPU `tf32` is plain fp32, said once per run.
pub fn apply_precision(precision: Precision, device: Device) {
    let tf32 = precision == Precision::Tf32;
    if tf32 && !device.is_cuda() {
        tracing::info!("precision tf32: TF32 is a CUDA tensor-core mode; on the CPU this run computes in plain fp32");
    }
    crate::device::set_allow_tf32(tf32 && device.is_cuda());
    if device.is_cuda() {
        // cuDNN's attention (bf16 on sm_80+) builds an execution plan per input shape on the
        // host, and the unpadded encoder's length buckets change shape every batch: on an H200
        // a bf16 RTE run on L3 trained at 1.5 steps/s with it and 23 steps/s without (the
        // flash / memory-efficient kernels). fp32 never takes it. MIXOUT_CUDNN_SDP=1 allows it.
        let allow = std::env::var("MIXOUT_CUDNN_SDP").is_ok_and(|v| v == "1");
        crate::device::set_cudnn_attention(allow);
        tracing::debug!(cudnn_attention = crate::device::cudnn_attention(), "attention kernels");
    }
}

/// Seeds every RNG a run uses (head init, dropout, mixout masks) from the run's seed.
pub fn seed_everything(seed: u64) {
    tch::manual_seed(seed as i64);
    if tch::Cuda::is_available() {
        tch::Cuda::manual_seed_all(seed);
    }
}

/// A model ready to finetune: its variables, the classifier, the regularisers and the
/// plan that wired them.
pub struct Finetuner {
    /// The model's variables (saved with `save_model`).
    pub vs: nn::VarStore,
    /// The classifier.
    pub model: SequenceClassifier,
    /// Mixout on the weights the plan selects.
    pub mixout: Mixout,
    /// Adam with each parameter's decay and learning-rate scale.
    pub adam: Adam,
    /// Which parameter gets which regulariser and learning rate.
    pub plans: Vec<ParamPlan>,
    /// Where it lives.
    pub device: Device,
}

impl Finetuner {
    /// Assembles the model of `setting` from `files` on `device`. Seed tch's RNG first: the
    /// head and re-initialised layers are drawn from it.
    pub fn assemble(setting: &Setting, files: &ModelFiles, labels: &[String], device: Device) -> Result<Self> {
        let (vs, model, _) = build_model(setting, files, labels, device)?;
        let plans = plan(&named_shapes(&vs), setting)?;
        let (mixout, adam) = regularisers(&vs, setting, &plans)?;
        apply_precision(setting.precision, device);
        Ok(Finetuner { vs, model, mixout, adam, plans, device })
    }
}
