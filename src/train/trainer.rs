//! The finetuning loop of one run, read top to bottom: seed, assemble the model with its
//! regularisers, then per epoch take one [`Finetuner::step`] per batch, read the losses,
//! stop at the first non-finite one, and evaluate on dev.

use super::assemble::{seed_everything, Finetuner};
use super::data::Prepared;
use super::evaluate::evaluate;
use super::schedule::{lr_at, warmup_steps};
use super::step::StepOptions;
use crate::error::{Error, Result};
use mixout_data::batch;
use mixout_report::EpochRecord;
use mixout_spec::{EvalSchedule, RunSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use tch::{nn, Device, Tensor};

/// Set by the Ctrl-C handler: the loop stops at the next step and the run is not written.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Steps between host reads of the loss on CUDA: one host sync per interval instead of per
/// step. On the CPU there is nothing to overlap, so every step is read.
pub const LOSS_READ_INTERVAL_CUDA: usize = 16;

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

/// The fixed facts of one run's loop.
struct Plan {
    train_idx: Vec<usize>,
    lengths: Vec<usize>,
    total: u64,
    warm: u64,
    read_every: usize,
}

/// Finetunes one run on `device`. `on_step(step, total, loss)` reports progress.
pub fn train(
    run: &RunSpec,
    prep: &Prepared,
    device: Device,
    on_step: &mut dyn FnMut(u64, u64, f64),
) -> Result<TrainOutcome> {
    let s = &run.setting;
    seed_everything(run.seed);
    let mut ft = Finetuner::assemble(s, &prep.files, &prep.task.labels, device)?;
    let train_idx: Vec<usize> = match s.train_subset {
        Some(n) => batch::subset_indices(prep.train.0.len(), n, run.seed)?,
        None => (0..prep.train.0.len()).collect(),
    };
    let total = train_idx.len().div_ceil(s.batch_size) as u64 * s.epochs as u64;
    let plan = Plan {
        lengths: prep.train.1.iter().map(|e| e.input_ids.len()).collect(),
        warm: warmup_steps(total, s.warmup),
        read_every: if device.is_cuda() { LOSS_READ_INTERVAL_CUDA } else { 1 },
        train_idx,
        total,
    };
    let started = std::time::Instant::now();
    let mut epochs = vec![];
    let mut step: u64 = 0;
    let mut diverged_at = None;
    for epoch in 1..=s.epochs {
        let losses = match one_epoch(&mut ft, run, prep, &plan, epoch, &mut step, on_step)? {
            Ok(losses) => losses,
            Err(at) => {
                diverged_at = Some(at);
                break;
            }
        };
        let mean_loss = losses.iter().sum::<f64>() / losses.len().max(1) as f64;
        let dev = if s.eval == EvalSchedule::EveryEpoch || epoch == s.epochs {
            evaluate(&ft.model, prep, s.eval_batch_size, device)?
        } else {
            BTreeMap::new()
        };
        tracing::info!(run = %run.run_id, epoch, step, loss = mean_loss, dev = ?dev, "epoch done");
        epochs.push(EpochRecord { epoch, step, train_loss: mean_loss, dev });
    }
    let final_dev =
        if diverged_at.is_some() { BTreeMap::new() } else { epochs.last().map(|e| e.dev.clone()).unwrap_or_default() };
    let train_seconds = started.elapsed().as_secs_f64();
    Ok(TrainOutcome { epochs, final_dev, diverged_at, steps: step, train_seconds, vs: ft.vs, device })
}

/// One epoch of steps. Losses stay on the device and are read every `read_every` steps and
/// at the epoch's end; the first non-finite loss is found exactly: `Ok(Err(step))`.
fn one_epoch(
    ft: &mut Finetuner,
    run: &RunSpec,
    prep: &Prepared,
    plan: &Plan,
    epoch: u32,
    step: &mut u64,
    on_step: &mut dyn FnMut(u64, u64, f64),
) -> Result<std::result::Result<Vec<f64>, u64>> {
    let s = &run.setting;
    let k = s.micro_batches.resolve(ft.device.is_cuda(), ft.model.computes_padding());
    let order: Vec<usize> =
        batch::epoch_order(plan.train_idx.len(), run.seed, epoch).into_iter().map(|i| plan.train_idx[i]).collect();
    let batches = batch::batches(&order, s.batch_size);
    let n_batches = batches.len();
    let mut losses: Vec<f64> = vec![];
    let mut pending: Vec<Tensor> = vec![];
    for (bi, b) in batches.into_iter().enumerate() {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(Error::Interrupted);
        }
        let o = StepOptions { lr: lr_at(*step, plan.total, plan.warm, s.lr), clip: s.grad_clip, micro_batches: k };
        pending.push(ft.step(prep, &b, &plan.lengths, o)?);
        *step += 1;
        if pending.len() >= plan.read_every || bi + 1 == n_batches {
            let read: Vec<f64> = Vec::<f64>::try_from(&Tensor::stack(&pending, 0).to_device(Device::Cpu))?;
            let first_step = *step - read.len() as u64;
            pending.clear();
            if let Some(i) = read.iter().position(|l| !l.is_finite()) {
                return Ok(Err(first_step + i as u64));
            }
            for (i, l) in read.iter().enumerate() {
                on_step(first_step + i as u64 + 1, plan.total, *l);
            }
            losses.extend(read);
        }
    }
    Ok(Ok(losses))
}

/// Where a run's finetuned model is saved.
pub fn model_dir(results: &Path, run: &RunSpec) -> PathBuf {
    results.join("models").join(&run.run_id)
}
