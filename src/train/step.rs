//! The one training step, used by the trainer, the bench and the tests: mix → forward and
//! backward per micro-batch → unmix → clip → Adam → zero the gradients.

use super::assemble::Finetuner;
use super::data::Prepared;
use super::evaluate::{loss_of, to_tensors};
use crate::error::Result;
use mixout_data::{batch, Encoded, Label};
use tch::{Kind, Tensor};

/// The phases of a step, in order, for a profiler's laps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Mixout wrote the mixed weights.
    Mix,
    /// Forward and backward of every micro-batch.
    ForwardBackward,
    /// Mixout restored the weights and turned the gradients.
    Unmix,
    /// Gradient clipping.
    Clip,
    /// The optimiser's update and zeroed gradients.
    Update,
}

/// How a step is taken besides its batch.
#[derive(Debug, Clone, Copy)]
pub struct StepOptions {
    /// Learning rate of this step.
    pub lr: f64,
    /// Global gradient-norm clip; `None` for none.
    pub clip: Option<f64>,
    /// Length-sorted micro-batches per batch.
    pub micro_batches: usize,
}

/// Forward and backward of one batch as `k` length-sorted micro-batches, each padded to its
/// own longest example; gradients accumulate on the variables. Each micro-batch's mean loss
/// is weighted by its share of the batch, so the sum is the full batch's mean loss and the
/// gradient equals the `k = 1` gradient. Returns the batch's mean loss as a 0-dim f64 tensor
/// on the device: reading it on the host would make the CPU wait for the GPU after every
/// micro-batch, so the caller reads losses only every few steps.
pub fn accumulate_gradients(
    ft: &Finetuner,
    prep: &Prepared,
    batch_idx: &[usize],
    lengths: &[usize],
    k: usize,
) -> Result<Tensor> {
    let device = ft.device;
    let mut total = Tensor::zeros([], (Kind::Double, device));
    for micro in batch::micro_batches(batch_idx, lengths, k) {
        let items: Vec<&Encoded> = micro.iter().map(|&i| &prep.train.1[i]).collect();
        let labels: Vec<&Label> = micro.iter().map(|&i| &prep.train.0[i].label).collect();
        let logits = ft.model.forward_t(&to_tensors(&batch::pad(&items, prep.pad_id), device), true)?;
        let loss = loss_of(&logits, &labels, prep.task.kind, device) * (micro.len() as f64 / batch_idx.len() as f64);
        loss.backward();
        total += loss.detach().to_kind(Kind::Double);
    }
    Ok(total)
}

impl Finetuner {
    /// One optimiser step on the training examples `batch_idx`; returns the batch's mean
    /// loss on the device (see [`accumulate_gradients`]).
    pub fn step(&mut self, prep: &Prepared, batch_idx: &[usize], lengths: &[usize], o: StepOptions) -> Result<Tensor> {
        self.step_timed(prep, batch_idx, lengths, o, &mut |_| {})
    }

    /// [`Finetuner::step`], calling `lap` as each phase ends (the bench's profile).
    pub fn step_timed(
        &mut self,
        prep: &Prepared,
        batch_idx: &[usize],
        lengths: &[usize],
        o: StepOptions,
        lap: &mut dyn FnMut(Phase),
    ) -> Result<Tensor> {
        // One mask per batch, shared by its micro-batches: the same step as k = 1.
        self.mixout.mix()?;
        lap(Phase::Mix);
        let loss = match accumulate_gradients(self, prep, batch_idx, lengths, o.micro_batches) {
            Ok(l) => l,
            Err(e) => {
                // Never leave mixed weights in the variables.
                self.mixout.restore();
                return Err(e);
            }
        };
        lap(Phase::ForwardBackward);
        self.mixout.unmix()?;
        lap(Phase::Unmix);
        if let Some(c) = o.clip.filter(|c| *c > 0.0) {
            let _ = self.adam.clip_grad_norm(c)?;
        }
        lap(Phase::Clip);
        self.adam.step(o.lr)?;
        self.adam.zero_grad();
        lap(Phase::Update);
        Ok(loss)
    }
}
