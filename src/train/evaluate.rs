//! Batches on the device, the loss, and evaluation: dev predictions in dataset order.

use super::data::Prepared;
use crate::error::Result;
use crate::model::{BatchTensors, SequenceClassifier};
use mixout_data::{batch, Encoded, Label, Predictions, TaskKind};
use std::collections::BTreeMap;
use tch::{Device, Kind, Tensor};

/// Moves a padded batch to the device as int64 tensors.
pub fn to_tensors(p: &batch::Padded, device: Device) -> BatchTensors {
    let shape = [p.rows as i64, p.cols as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape).to_device(device);
    BatchTensors {
        input_ids: t(&p.input_ids),
        token_type_ids: t(&p.token_type_ids),
        attention_mask: t(&p.attention_mask),
        lengths: Some(p.attention_mask.chunks(p.cols.max(1)).map(|r| r.iter().sum()).collect()),
    }
}

/// Loss of a micro-batch: cross-entropy for classification, MSE for regression (mean).
pub fn loss_of(logits: &Tensor, labels: &[&Label], kind: TaskKind, device: Device) -> Tensor {
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
