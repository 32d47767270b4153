//! One training step on the shipped L3 model and real RTE batches.

mod common;

use mixout::train::assemble::{seed_everything, Finetuner};
use mixout::train::step::accumulate_gradients;
use tch::{Device, Kind, Tensor};

#[test]
fn micro_batches_give_the_full_batch_gradient() {
    let _rng = common::rng_lock();
    // No dropout, so k = 1 and k > 1 compute the same function of the same weights.
    let (study, prep) = common::l3_study("dropout: 0.0\n");
    let s = &study.settings[0].spec;
    let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
    // 24 examples of very different lengths, so micro-batches pad differently.
    let batch: Vec<usize> = (0..24).map(|i| i * 97 % prep.train.0.len()).collect();
    let grads = |k: usize| -> (f64, Vec<(String, Tensor)>) {
        seed_everything(5);
        let ft = Finetuner::assemble(s, &prep.files, &prep.task.labels, Device::Cpu).unwrap();
        let loss = accumulate_gradients(&ft, &prep, &batch, &lengths, k).unwrap().double_value(&[]);
        let mut g: Vec<(String, Tensor)> = ft.vs.variables().into_iter().map(|(n, t)| (n, t.grad().copy())).collect();
        g.sort_by(|a, b| a.0.cmp(&b.0));
        (loss, g)
    };
    let (loss1, g1) = grads(1);
    for k in [2, 4, 7] {
        let (lossk, gk) = grads(k);
        assert!((loss1 - lossk).abs() < 1e-5, "k={k}: loss {lossk} vs {loss1}");
        for ((name, a), (_, b)) in g1.iter().zip(&gk) {
            // Relative to the tensor's own scale, with an absolute floor for gradients that are
            // zero in exact arithmetic (e.g. attention key biases) and only rounding noise here.
            let scale = a.abs().max().double_value(&[]);
            let diff = (a - b).abs().max().double_value(&[]);
            assert!(diff <= 1e-4 * scale + 1e-7, "k={k}: `{name}` gradient differs by {diff} (scale {scale})");
        }
    }
    let total: f64 = g1.iter().map(|(_, g)| g.abs().sum(Kind::Double).double_value(&[])).sum();
    assert!(total > 0.0, "a real gradient was computed");
}

#[test]
fn bf16_step_is_close_to_fp32_and_keeps_fp32_master_weights() {
    let _rng = common::rng_lock();
    let text = |precision: &str| {
        format!("dropout: 0.0\nprecision: {precision}\nmixout: {{p: 0.5}}\nweight_decay: {{lambda: 0.01, toward: pretrained}}\nlr: 1.0e-3\nwarmup: 0.0\n")
    };
    let batch: Vec<usize> = (0..16).map(|i| i * 131 % 2490).collect();
    // One full training step (mix, forward/backward, unmix, clip, Adam): the trainer's own
    // step, with the gradient read between unmix and the update.
    let step = |precision: &str| -> (f64, Tensor) {
        let (study, prep) = common::l3_study(&text(precision));
        let s = &study.settings[0].spec;
        let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
        seed_everything(3);
        let mut ft = Finetuner::assemble(s, &prep.files, &prep.task.labels, Device::Cpu).unwrap();
        let mut vars: Vec<(String, Tensor)> = ft.vs.variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let mut grad = Tensor::new();
        let o = mixout::train::StepOptions { lr: s.lr, clip: s.grad_clip, micro_batches: 1 };
        let loss = ft
            .step_timed(&prep, &batch, &lengths, o, &mut |phase| {
                if phase == mixout::train::Phase::Unmix {
                    grad = Tensor::cat(&vars.iter().map(|(_, v)| v.grad().flatten(0, -1)).collect::<Vec<_>>(), 0);
                }
            })
            .unwrap()
            .double_value(&[]);
        for (name, v) in &vars {
            assert_eq!(v.kind(), Kind::Float, "`{name}`: master weights stay fp32 ({precision})");
            assert_eq!(v.isfinite().all().int64_value(&[]), 1, "`{name}` finite after the step");
        }
        (loss, grad)
    };
    let (l32, g32) = step("fp32");
    let (l16, g16) = step("bf16");
    assert!(l16.is_finite() && l32.is_finite());
    assert_ne!(l16, l32, "bf16 must actually compute in bf16");
    // bf16 keeps 8 bits of mantissa: a relative error of a few 1e-3 per matmul, far less after
    // summing into a loss of ~0.7.
    assert!((l16 - l32).abs() < 0.02, "bf16 loss {l16} vs fp32 {l32}");
    // The whole gradient points the same way: cosine similarity over all parameters.
    let cos = (&g32 * &g16).sum(Kind::Double).double_value(&[])
        / (g32.norm().double_value(&[]) * g16.norm().double_value(&[]));
    assert!(cos > 0.99, "gradient cosine similarity bf16 vs fp32: {cos}");
}
