//! The unpadded encoder (`encoder: unpadded`) computes the same function as the padded
//! fused one: on real RTE batches of very different lengths, the logits, the loss and every
//! parameter's gradient agree within 1e-5 of their scale, with mixout on and off.

mod common;

use mixout::train::assemble::{seed_everything, Finetuner};
use mixout::train::evaluate::to_tensors;
use mixout::train::step::accumulate_gradients;
use std::collections::BTreeMap;
use tch::{Device, Kind, Tensor};

/// Logits (eval mode) on the batch, then the training loss and every gradient of one
/// forward/backward (mixout mixed in, when the setting has it), for an encoder.
fn run(encoder: &str, extra: &str, batch: &[usize]) -> (Tensor, f64, BTreeMap<String, Tensor>) {
    let dropout = if extra.contains("dropout:") { "" } else { "dropout: 0.0\n" };
    let (study, prep) = common::l3_study(&format!("{dropout}encoder: {encoder}\n{extra}"));
    let s = &study.settings[0].spec;
    seed_everything(11);
    let mut ft = Finetuner::assemble(s, &prep.files, &prep.task.labels, Device::Cpu).unwrap();
    let items: Vec<&mixout_data::Encoded> = batch.iter().map(|&i| &prep.train.1[i]).collect();
    let tensors = to_tensors(&mixout_data::batch::pad(&items, prep.pad_id), Device::Cpu);
    let logits = tch::no_grad(|| ft.model.forward_t(&tensors, false).unwrap());
    let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
    ft.mixout.mix().unwrap();
    let loss = accumulate_gradients(&ft, &prep, batch, &lengths, 1).unwrap().double_value(&[]);
    ft.mixout.unmix().unwrap();
    let grads = ft.vs.variables().into_iter().map(|(n, t)| (n, t.grad().copy())).collect();
    (logits, loss, grads)
}

fn close(a: &Tensor, b: &Tensor, what: &str) {
    let scale = a.abs().max().double_value(&[]).max(1e-6);
    let diff = (a - b).abs().max().double_value(&[]);
    assert!(diff <= 1e-5 * scale, "{what}: max |Δ| {diff:e} over scale {scale:e}");
}

#[test]
fn unpadded_and_padded_encoders_compute_the_same_function() {
    let _rng = common::rng_lock();
    // 24 training pairs from short to long, so most slots of the padded batch are padding.
    let batch: Vec<usize> = (0..24).map(|i| i * 101 % 2490).collect();
    for extra in ["", "mixout: {p: 0.9}\nweight_decay: {lambda: 0.01, toward: pretrained}\n"] {
        let (la, loss_a, ga) = run("padded", extra, &batch);
        let (lb, loss_b, gb) = run("unpadded", extra, &batch);
        close(&la, &lb, &format!("logits ({extra:?})"));
        assert!((loss_a - loss_b).abs() <= 1e-5 * loss_a.abs(), "loss {loss_a} vs {loss_b}");
        assert_eq!(ga.keys().collect::<Vec<_>>(), gb.keys().collect::<Vec<_>>());
        let mut checked = 0;
        for (name, a) in &ga {
            if a.abs().max().double_value(&[]) == 0.0 {
                continue;
            }
            // The key bias gets no gradient in exact arithmetic (softmax is shift-invariant):
            // both paths give rounding noise there, compared against an absolute floor.
            if name.ends_with("attention.self.key.bias") {
                assert!((a - &gb[name]).abs().max().double_value(&[]) < 1e-6, "`{name}`");
                continue;
            }
            close(a, &gb[name], &format!("gradient of `{name}` ({extra:?})"));
            checked += 1;
        }
        assert!(checked > 40, "{checked} gradients compared");
        assert_eq!(la.kind(), Kind::Float);
    }
}

#[test]
fn unpadded_encoder_runs_in_bf16() {
    let _rng = common::rng_lock();
    let batch: Vec<usize> = (0..12).map(|i| i * 211 % 2490).collect();
    let (l32, loss32, _) = run("unpadded", "", &batch);
    let (l16, loss16, g16) = run("unpadded", "precision: bf16\n", &batch);
    let diff = (&l32 - &l16).abs().max().double_value(&[]);
    assert!(diff > 0.0 && diff < 0.05, "bf16 logits must differ from fp32, but only by rounding: {diff}");
    assert!((loss32 - loss16).abs() < 0.02, "{loss32} vs {loss16}");
    assert!(g16.values().all(|g| g.kind() == Kind::Float), "master gradients stay fp32");
}

#[test]
fn unpadded_dropout_is_seeded_and_reproducible() {
    let _rng = common::rng_lock();
    let batch: Vec<usize> = (0..16).map(|i| i * 157 % 2490).collect();
    // Same seed, same config → bit-identical loss and gradients, with the cheap masks drawn.
    let (_, loss_a, ga) = run("unpadded", "dropout: 0.1\n", &batch);
    let (_, loss_b, gb) = run("unpadded", "dropout: 0.1\n", &batch);
    assert_eq!(loss_a.to_bits(), loss_b.to_bits());
    assert!(ga.iter().all(|(n, g)| g.equal(&gb[n])), "gradients differ between reruns");
    // And dropout is on: the loss is not the one without it.
    let (_, loss_off, _) = run("unpadded", "", &batch);
    assert_ne!(loss_a, loss_off);
}

#[test]
fn evaluation_batches_by_length_and_returns_dataset_order() {
    let _rng = common::rng_lock();
    let (study, prep) = common::l3_study("");
    seed_everything(5);
    let ft = Finetuner::assemble(&study.settings[0].spec, &prep.files, &prep.task.labels, Device::Cpu).unwrap();
    let dev = &prep.dev.1[..48];
    // Length-sorted batches of 16 (each padded to its own longest), put back in dataset order…
    let batched = mixout::train::evaluate::predict(&ft.model, dev, prep.pad_id, 16, Device::Cpu).unwrap();
    // …give each example the logits it gets alone, unpadded.
    let alone: Vec<Tensor> = dev
        .iter()
        .map(|e| {
            let t = to_tensors(&mixout_data::batch::pad(&[e], prep.pad_id), Device::Cpu);
            tch::no_grad(|| ft.model.forward_t(&t, false).unwrap()).squeeze_dim(0)
        })
        .collect();
    let lengths: Vec<usize> = dev.iter().map(|e| e.input_ids.len()).collect();
    assert!(lengths.windows(2).any(|w| w[0] > w[1]), "the dev slice is not already sorted");
    close(&Tensor::stack(&alone, 0), &batched, "batched vs one-by-one logits");
}
