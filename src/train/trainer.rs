//! The finetuning loop of one run, read top to bottom: load, seed, plan regularisers,
//! then for each batch: mix → forward/backward per micro-batch → unmix → clip → step.

use crate::config::{Precision, RunSpec, Setting};
use crate::device::DeviceSpec;
use crate::error::{Error, Result};
use crate::mixout::{MixedWeight, Mixout};
use crate::model::{load_pretrained, read_config, BatchTensors, DropoutSpec, ModelFiles, SequenceClassifier};
use crate::plan::{plan, ParamPlan, Target};
use crate::train::optim::Adam;
use crate::train::schedule::{lr_at, warmup_steps};
use mixout_data::{batch, encode_cached, Encoded, Example, Label, Predictions, Split, TaskKind, TaskSpec, Tokenizer};
use mixout_report::EpochRecord;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tch::{nn, Device, Kind, Tensor};

/// Set by the Ctrl-C handler: the loop stops at the next step and the run is not written.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A split's examples and their encodings, shared across the runs of a sweep.
pub type SplitData = (Arc<Vec<Example>>, Arc<Vec<Encoded>>);

/// Everything loaded once for a setting: task, tokenised splits, model files.
pub struct Prepared {
    /// The task.
    pub task: TaskSpec,
    /// Model files.
    pub files: ModelFiles,
    /// Training examples (labels) and their encodings, in file order.
    pub train: SplitData,
    /// Dev examples and encodings.
    pub dev: SplitData,
    /// Chance (majority-class) dev score of the headline metric.
    pub chance: f64,
    /// Token id of `[PAD]`.
    pub pad_id: i64,
}

/// Resolves the task for a setting.
pub fn task_for(setting: &Setting, experiment: &Path) -> Result<TaskSpec> {
    if let Some(custom) = &setting.custom_task {
        let mut c = custom.clone();
        c.train = crate::config::resolve_path(&c.train, experiment);
        c.dev = crate::config::resolve_path(&c.dev, experiment);
        return Ok(TaskSpec::custom(&c)?);
    }
    let name = setting.task.as_deref().unwrap_or("RTE");
    let dir = crate::config::resolve_glue_dir(setting, experiment)?;
    Ok(TaskSpec::glue(name, &dir)?)
}

/// Loads and tokenises the data of a setting (cached across runs of a sweep).
pub fn prepare(setting: &Setting, experiment: &Path) -> Result<Prepared> {
    let task = task_for(setting, experiment)?;
    let files = ModelFiles::resolve(&crate::config::resolve_model(&setting.model, experiment))?;
    let tokenizer = Tokenizer::from_model_dir(&files.dir)?;
    let load = |split: Split| -> Result<SplitData> {
        let ex = Arc::new(task.load(split)?);
        let enc = encode_cached(&tokenizer, &task.name, split, setting.max_seq_len, &ex);
        Ok((ex, enc))
    };
    let train = load(Split::Train)?;
    let dev = load(Split::Dev)?;
    let chance = task.chance_score(&dev.0);
    let pad_id = tokenizer.pad_id();
    Ok(Prepared { task, files, train, dev, chance, pad_id })
}

/// What a finished (or diverged) training produced.
pub struct TrainOutcome {
    /// Per-epoch loss and dev metrics.
    pub epochs: Vec<EpochRecord>,
    /// Final dev metrics (empty when diverged).
    pub final_dev: BTreeMap<String, f64>,
    /// Step at which the loss became non-finite.
    pub diverged_at: Option<u64>,
    /// Optimiser steps taken.
    pub steps: u64,
    /// Seconds spent in the training loop.
    pub train_seconds: f64,
    /// The model's VarStore (for saving).
    pub vs: nn::VarStore,
    /// Device name.
    pub device: Device,
}

/// Moves a padded batch to the device as int64 tensors.
fn to_tensors(p: &batch::Padded, device: Device) -> BatchTensors {
    let shape = [p.rows as i64, p.cols as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape).to_device(device);
    BatchTensors {
        input_ids: t(&p.input_ids),
        token_type_ids: t(&p.token_type_ids),
        attention_mask: t(&p.attention_mask),
    }
}

/// Loss of a micro-batch: cross-entropy for classification, MSE for regression (mean).
fn loss_of(logits: &Tensor, labels: &[&Label], kind: TaskKind, device: Device) -> Tensor {
    match kind {
        TaskKind::Regression => {
            let y: Vec<f32> = labels
                .iter()
                .map(|l| match l {
                    Label::Score(s) => *s,
                    Label::Class(c) => *c as f32,
                })
                .collect();
            logits.squeeze_dim(-1).mse_loss(&Tensor::from_slice(&y).to_device(device), tch::Reduction::Mean)
        }
        TaskKind::Classification => {
            let y: Vec<i64> = labels
                .iter()
                .map(|l| match l {
                    Label::Class(c) => *c as i64,
                    Label::Score(s) => *s as i64,
                })
                .collect();
            logits.cross_entropy_for_logits(&Tensor::from_slice(&y).to_device(device))
        }
    }
}

/// Forward and backward of one batch as `k` length-sorted micro-batches, each padded to its
/// own longest example; gradients accumulate on the variables. Each micro-batch's mean loss
/// is weighted by its share of the batch, so the sum is the full batch's mean loss and the
/// gradient equals the `k = 1` gradient. Returns the batch's mean loss as a 0-dim f64 tensor
/// on the device: reading it on the host would make the CPU wait for the GPU after every
/// micro-batch, so the caller reads losses only every few steps.
pub fn accumulate_gradients(
    model: &SequenceClassifier,
    prep: &Prepared,
    batch_idx: &[usize],
    lengths: &[usize],
    k: usize,
    device: Device,
) -> Result<Tensor> {
    let mut total = Tensor::zeros([], (Kind::Double, device));
    for micro in batch::micro_batches(batch_idx, lengths, k) {
        let items: Vec<&Encoded> = micro.iter().map(|&i| &prep.train.1[i]).collect();
        let labels: Vec<&Label> = micro.iter().map(|&i| &prep.train.0[i].label).collect();
        let logits = model.forward_t(&to_tensors(&batch::pad(&items, prep.pad_id), device), true)?;
        let loss = loss_of(&logits, &labels, prep.task.kind, device) * (micro.len() as f64 / batch_idx.len() as f64);
        loss.backward();
        total += loss.detach().to_kind(Kind::Double);
    }
    Ok(total)
}

/// Builds the model for a setting, loads pretrained weights and initialises the head from
/// tch's RNG (seed it before).
pub fn build_model(setting: &Setting, prep: &Prepared, device: Device) -> Result<(nn::VarStore, SequenceClassifier)> {
    let config = read_config(&prep.files, &prep.task.labels)?;
    let vs = nn::VarStore::new(device);
    let dropout = DropoutSpec {
        hidden: setting.encoder_dropout(),
        attention: setting.attention_dropout(),
        head: setting.head_dropout(),
    };
    let mut model = SequenceClassifier::build(&vs.root(), &prep.files, &config, dropout, setting.encoder)?;
    model.set_precision(setting.precision)?;
    let report = load_pretrained(&vs, &prep.files, config.initializer_range as f64)?;
    tracing::debug!(missing = ?report.missing, unused = ?report.unused, "loaded {} pretrained tensors", report.loaded);
    if setting.reinit_layers > 0 {
        reinit_top_layers(&vs, setting.reinit_layers as usize, config.initializer_range as f64)?;
    }
    Ok((vs, model))
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

/// Steps between host reads of the loss on CUDA (see [`train`]).
pub const LOSS_READ_INTERVAL_CUDA: usize = 16;

/// Sets the process-wide TF32 switch for a run's precision (a sweep may mix precisions, so
/// fp32 and bf16 runs switch it off again). TF32 is a CUDA feature: on the CPU `tf32` is
/// plain fp32, said once per run.
pub fn apply_precision(precision: Precision, device: Device) {
    let tf32 = precision == Precision::Tf32;
    if tf32 && !device.is_cuda() {
        tracing::info!("precision tf32: TF32 is a CUDA tensor-core mode; on the CPU this run computes in plain fp32");
    }
    crate::device::set_allow_tf32(tf32 && device.is_cuda());
}

/// Seeds every RNG a run uses (head init, dropout, mixout masks) from the run's seed.
pub fn seed_everything(seed: u64) {
    tch::manual_seed(seed as i64);
    if tch::Cuda::is_available() {
        tch::Cuda::manual_seed_all(seed);
    }
}

/// Dev predictions in dataset order (eval mode: no dropout, no mixout).
pub fn predict(
    model: &SequenceClassifier,
    enc: &[Encoded],
    pad_id: i64,
    batch_size: usize,
    device: Device,
) -> Result<Tensor> {
    tch::no_grad(|| -> Result<Tensor> {
        // Sorting by length keeps padding small; logits are put back in dataset order below.
        let mut order: Vec<usize> = (0..enc.len()).collect();
        order.sort_by_key(|&i| enc[i].input_ids.len());
        let mut logits: Vec<Tensor> = (0..enc.len()).map(|_| Tensor::new()).collect();
        for chunk in order.chunks(batch_size) {
            let items: Vec<&Encoded> = chunk.iter().map(|&i| &enc[i]).collect();
            let out = model.forward_t(&to_tensors(&batch::pad(&items, pad_id), device), false)?.to_device(Device::Cpu);
            for (row, &i) in chunk.iter().enumerate() {
                logits[i] = out.get(row as i64);
            }
        }
        Ok(if logits.is_empty() { Tensor::new() } else { Tensor::stack(&logits, 0) })
    })
}

/// Turns logits into predictions for the task's metrics.
pub fn logits_to_predictions(logits: &Tensor, kind: TaskKind) -> Result<Predictions> {
    Ok(match kind {
        TaskKind::Regression => {
            Predictions::Scores(Vec::<f32>::try_from(&logits.squeeze_dim(-1).to_kind(Kind::Float))?)
        }
        TaskKind::Classification => Predictions::Classes(
            Vec::<i64>::try_from(&logits.argmax(-1, false))?.into_iter().map(|c| c as usize).collect(),
        ),
    })
}

/// Dev metrics of the model.
pub fn evaluate(
    model: &SequenceClassifier,
    prep: &Prepared,
    batch_size: usize,
    device: Device,
) -> Result<BTreeMap<String, f64>> {
    let logits = predict(model, &prep.dev.1, prep.pad_id, batch_size, device)?;
    let preds = logits_to_predictions(&logits, prep.task.kind)?;
    let gold: Vec<Label> = prep.dev.0.iter().map(|e| e.label).collect();
    Ok(mixout_data::evaluate(&prep.task, &preds, &gold)?)
}

/// Finetunes one run. `on_step(step, total, loss)` reports progress.
pub fn train(
    run: &RunSpec,
    prep: &Prepared,
    device_spec: DeviceSpec,
    on_step: &mut dyn FnMut(u64, u64, f64),
) -> Result<TrainOutcome> {
    let s = &run.setting;
    let device = device_spec.resolve()?;
    seed_everything(run.seed);
    let (vs, model) = build_model(s, prep, device)?;
    let plans = plan(&named_shapes(&vs), s)?;
    let (mut mixout, mut adam) = regularisers(&vs, s, &plans)?;
    let k = s.micro_batches.resolve(device.is_cuda());
    apply_precision(s.precision, device);

    let train_idx: Vec<usize> = match s.train_subset {
        Some(n) => batch::subset_indices(prep.train.0.len(), n, run.seed)?,
        None => (0..prep.train.0.len()).collect(),
    };
    let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
    let per_epoch = train_idx.len().div_ceil(s.batch_size) as u64;
    let total = per_epoch * s.epochs as u64;
    let warm = warmup_steps(total, s.warmup);
    let clip = s.grad_clip.filter(|c| *c > 0.0);

    // Test hook: `MIXOUT_DEBUG_NAN_AT_STEP=N` makes step N's loss NaN, to exercise divergence handling.
    let nan_at: Option<u64> = std::env::var("MIXOUT_DEBUG_NAN_AT_STEP").ok().and_then(|v| v.parse().ok());
    // Losses stay on the device and are read every `read_every` steps (and at each epoch's
    // end): one host sync per interval instead of per micro-batch. On the CPU there is
    // nothing to overlap, so every step is read, as before. The divergence check finds the
    // exact first non-finite step either way.
    let read_every = if device.is_cuda() { LOSS_READ_INTERVAL_CUDA } else { 1 };
    let started = std::time::Instant::now();
    let mut epochs = vec![];
    let mut step: u64 = 0;
    let mut diverged_at = None;
    'epochs: for epoch in 1..=s.epochs {
        let order: Vec<usize> =
            batch::epoch_order(train_idx.len(), run.seed, epoch).into_iter().map(|i| train_idx[i]).collect();
        let mut losses: Vec<f64> = vec![];
        let mut pending: Vec<Tensor> = vec![];
        let batches = batch::batches(&order, s.batch_size);
        let n_batches = batches.len();
        for (bi, b) in batches.into_iter().enumerate() {
            if INTERRUPTED.load(Ordering::SeqCst) {
                mixout.restore();
                return Err(Error::Interrupted);
            }
            // One mask per batch, shared by its micro-batches: the same step as k = 1.
            mixout.mix()?;
            let result = accumulate_gradients(&model, prep, &b, &lengths, k, device);
            let mut batch_loss = match result {
                Ok(l) => l,
                Err(e) => {
                    mixout.restore();
                    return Err(e);
                }
            };
            mixout.unmix()?;
            if nan_at == Some(step) {
                batch_loss *= f64::NAN;
            }
            if let Some(c) = clip {
                let _ = adam.clip_grad_norm(c)?;
            }
            adam.step(lr_at(step, total, warm, s.lr))?;
            adam.zero_grad();
            step += 1;
            pending.push(batch_loss);
            if pending.len() >= read_every || bi + 1 == n_batches {
                let read: Vec<f64> = Vec::<f64>::try_from(&Tensor::stack(&pending, 0).to_device(Device::Cpu))?;
                let first_step = step - read.len() as u64;
                pending.clear();
                if let Some(i) = read.iter().position(|l| !l.is_finite()) {
                    diverged_at = Some(first_step + i as u64);
                    break 'epochs;
                }
                for (i, l) in read.iter().enumerate() {
                    on_step(first_step + i as u64 + 1, total, *l);
                }
                losses.extend(read);
            }
        }
        let mean_loss = losses.iter().sum::<f64>() / losses.len().max(1) as f64;
        let dev = if s.eval == crate::config::EvalSchedule::EveryEpoch || epoch == s.epochs {
            evaluate(&model, prep, s.eval_batch_size, device)?
        } else {
            BTreeMap::new()
        };
        tracing::info!(run = %run.run_id, epoch, step, loss = mean_loss, dev = ?dev, "epoch done");
        epochs.push(EpochRecord { epoch, step, train_loss: mean_loss, dev });
    }
    let final_dev =
        if diverged_at.is_some() { BTreeMap::new() } else { epochs.last().map(|e| e.dev.clone()).unwrap_or_default() };
    Ok(TrainOutcome {
        epochs,
        final_dev,
        diverged_at,
        steps: step,
        train_seconds: started.elapsed().as_secs_f64(),
        vs,
        device,
    })
}

/// Where a run's finetuned model is saved.
pub fn model_dir(results: &Path, run: &RunSpec) -> PathBuf {
    results.join("models").join(&run.run_id)
}
